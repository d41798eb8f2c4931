/*
 * The RFC 6962 Merkle tree over the audit records (section 2.1): tree
 * hashes for any size, an incremental "frontier" (the roots of the perfect
 * subtrees that make up a tree of n leaves, one per set bit of n) so an
 * append costs O(log n) and a restart rebuilds the tree in one pass, and
 * inclusion and consistency proofs.
 *
 * Proofs are produced in two steps so that one algorithm serves every
 * storage: sl_audit_*_ranges() lists the subtrees D[a:b] whose hashes
 * (MTH, RFC 6962 2.1) make up the proof, in proof order, following the
 * PATH and SUBPROOF definitions of RFC 6962 2.1.1 and 2.1.2; the caller
 * fills in their hashes from wherever it keeps the tree (leaf array, the
 * post-order node file of nodes.c, or one streaming pass over the log with
 * sl_audit_multirange). Verification follows RFC 9162 2.1.3.2 and 2.1.4.2
 * and needs nothing but the proof.
 *
 * Ownership: everything here is caller-allocated; multirange objects are
 * talloc children of the ctx given.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediation/audit/hash.h"

/* Largest number of hashes in a proof of a tree of fewer than 2^64 leaves. */
#define SL_AUDIT_MAX_PROOF 130

struct sl_audit_frontier {
	uint64_t size;		 /* leaves so far */
	unsigned n;		 /* number of subtree roots = popcount(size) */
	uint8_t h[64][SL_AUDIT_HASH_LEN]; /* subtree roots, largest (leftmost) first */
	uint8_t level[64];	 /* height of each: subtree i holds 2^level[i] leaves */
};

/* Called for each leaf hash and each completed internal node, in post-order. */
typedef void (*sl_audit_emit_fn)(void *arg, unsigned level, const uint8_t hash[SL_AUDIT_HASH_LEN]);

void sl_audit_frontier_init(struct sl_audit_frontier *f);
void sl_audit_frontier_push(struct sl_audit_frontier *f, struct sl_audit_hasher *h,
			    const uint8_t leaf[SL_AUDIT_HASH_LEN], sl_audit_emit_fn emit, void *arg);
/* MTH of the leaves so far; SHA-256 of the empty string for size 0. */
void sl_audit_frontier_root(const struct sl_audit_frontier *f, struct sl_audit_hasher *h,
			    uint8_t out[SL_AUDIT_HASH_LEN]);

/* MTH(D[a:b]) of an in-memory array of leaf hashes (tests, small trees). */
void sl_audit_mth_leaves(struct sl_audit_hasher *h, const uint8_t (*leaves)[SL_AUDIT_HASH_LEN], uint64_t a,
			 uint64_t b, uint8_t out[SL_AUDIT_HASH_LEN]);

/* A subtree D[a:b] of the leaves, a < b. */
struct sl_audit_range {
	uint64_t a, b;
};

/* Subtrees of the inclusion proof of leaf m in a tree of n leaves (m < n), in proof order. */
unsigned sl_audit_inclusion_ranges(uint64_t m, uint64_t n, struct sl_audit_range out[SL_AUDIT_MAX_PROOF]);
/* Subtrees of the consistency proof of size m in size n (m <= n); none when m is 0 or m == n. */
unsigned sl_audit_consistency_ranges(uint64_t m, uint64_t n, struct sl_audit_range out[SL_AUDIT_MAX_PROOF]);

bool sl_audit_verify_inclusion(struct sl_audit_hasher *h, uint64_t m, uint64_t n,
			       const uint8_t leaf[SL_AUDIT_HASH_LEN], const uint8_t (*proof)[SL_AUDIT_HASH_LEN],
			       unsigned np, const uint8_t root[SL_AUDIT_HASH_LEN]);
bool sl_audit_verify_consistency(struct sl_audit_hasher *h, uint64_t m, uint64_t n,
				 const uint8_t root_m[SL_AUDIT_HASH_LEN], const uint8_t root_n[SL_AUDIT_HASH_LEN],
				 const uint8_t (*proof)[SL_AUDIT_HASH_LEN], unsigned np);

/* Position of node (level, index) in the post-order stream that sl_audit_frontier_push emits. */
uint64_t sl_audit_node_pos(unsigned level, uint64_t index);

/*
 * Several subtree hashes computed in one pass over the leaf hashes, fed in
 * index order from 0: the streaming way to answer a proof's ranges without
 * holding the tree.
 */
struct sl_audit_multirange;
struct sl_audit_multirange *sl_audit_multirange_new(void *ctx, const struct sl_audit_range *r, unsigned n);
void sl_audit_multirange_feed(struct sl_audit_multirange *mr, struct sl_audit_hasher *h, uint64_t index,
			      const uint8_t leaf[SL_AUDIT_HASH_LEN]);
/* Hash of range i; false if that range was not fed completely. */
bool sl_audit_multirange_get(const struct sl_audit_multirange *mr, struct sl_audit_hasher *h, unsigned i,
			     uint8_t out[SL_AUDIT_HASH_LEN]);
