/*
 * tree.nodes: every hash of the tree in post-order, 32 bytes each, as
 * sl_audit_frontier_push() emits them (leaf, then each internal node the
 * leaf completes). Node (level, index) is at sl_audit_node_pos(level,
 * index), so any perfect subtree's hash is one pread and an inclusion or
 * consistency proof at 10^7 records costs a few dozen reads instead of a
 * pass over the whole log. 2n-popcount(n) hashes for n leaves (~64 bytes
 * per record).
 *
 * The file is derived data: never fsynced, checked against the log at
 * every open (rewritten from the first difference), and proofs made from
 * it are verified against a signed checkpoint before they are shown, so a
 * damaged file costs time, never a wrong answer.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mediation/audit/merkle.h"

#define SL_AUDIT_NODES_FILE "tree.nodes"
/*
 * records.idx: for each record, in seq order, the big-endian u64 offset of
 * its frame in its segment (8 bytes per record), so `prove N` reads record
 * N without walking its segment. Derived data like tree.nodes, kept and
 * checked the same way.
 */
#define SL_AUDIT_RECIDX_FILE "records.idx"

struct sl_audit_nodes;

/* Opens dir/tree.nodes for writing from position 0, comparing with what is there. */
struct sl_audit_nodes *sl_audit_nodes_open(void *ctx, const char *dir);
/* The emit callback for sl_audit_frontier_push (arg is the nodes object). */
void sl_audit_nodes_emit(void *arg, unsigned level, const uint8_t hash[SL_AUDIT_HASH_LEN]);
/* After the open-time replay: cuts whatever the file holds beyond what was replayed. */
void sl_audit_nodes_end_replay(struct sl_audit_nodes *n);
/* Writes buffered hashes. 0 or -errno (the file is then abandoned: proofs fall back to the log). */
int sl_audit_nodes_flush(struct sl_audit_nodes *n);

/* The same machinery for records.idx. */
struct sl_audit_nodes *sl_audit_recidx_open(void *ctx, const char *dir);
void sl_audit_recidx_put(struct sl_audit_nodes *n, uint64_t off);
bool sl_audit_recidx_get(int fd, uint64_t seq, uint64_t *off);

/* MTH(D[a:b]) from a node file of a tree of at least b leaves; false if the file is short or unreadable. */
bool sl_audit_nodes_range(int fd, struct sl_audit_hasher *h, uint64_t a, uint64_t b, uint8_t out[SL_AUDIT_HASH_LEN]);
