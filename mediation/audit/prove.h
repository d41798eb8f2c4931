/*
 * Inclusion and consistency proofs out of a log directory, for `sluice
 * audit prove` and the benchmarks. Subtree hashes come from tree.nodes
 * when it is there and long enough (a few dozen reads), else from one
 * pass over the log's records; either way the proof is verified against
 * the given root before it is returned, and a proof from tree.nodes that
 * fails is made again from the log.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mediation/audit/merkle.h"

struct sl_audit_proof {
	uint64_t index;		/* inclusion: the record; consistency: old size */
	uint64_t size;		/* tree size the proof is for */
	uint8_t leaf[SL_AUDIT_HASH_LEN];  /* inclusion: the record's leaf hash */
	unsigned n;
	uint8_t h[SL_AUDIT_MAX_PROOF][SL_AUDIT_HASH_LEN];
	bool from_nodes;	/* made from tree.nodes (else from the log) */
	uint8_t *record;	/* inclusion: the record bytes (talloc), NUL-terminated */
	size_t record_len;
};

/*
 * Proof that record index is in the tree of size leaves whose root is
 * root. 0; -ENOENT (index or size beyond the log), -EBADMSG (the log's
 * tree does not have that root), -EIO; *err names the problem.
 */
int sl_audit_prove_inclusion(void *ctx, const char *dir, uint64_t index, uint64_t size,
			     const uint8_t root[SL_AUDIT_HASH_LEN], bool use_nodes, struct sl_audit_proof *out,
			     char **err);

/* Proof that the tree of m leaves (root_m) is a prefix of the tree of n leaves (root_n). */
int sl_audit_prove_consistency(void *ctx, const char *dir, uint64_t m, const uint8_t root_m[SL_AUDIT_HASH_LEN],
			       uint64_t n, const uint8_t root_n[SL_AUDIT_HASH_LEN], bool use_nodes,
			       struct sl_audit_proof *out, char **err);
