/*
 * Connection table for TCP flows carrying signalling.
 *
 * Flows are keyed by their 5-tuple in canonical order (the lower endpoint
 * first), so both directions of a connection find the same entry; `dir`
 * tells which way a packet goes. Entries live in a seeded hash table and on
 * an LRU list; the table is capped at max_flows entries (inserting beyond
 * the cap evicts the least recently used flow) and flows idle for longer
 * than idle_timeout_us (packet time) are removed by sl_flow_table_expire.
 *
 * Each flow carries two sl_tcp_half reassembly states and an opaque `app`
 * pointer for the consumer (the SIP stream framer). Before a flow is freed,
 * for any reason, the table calls the consumer's release callback so it can
 * flush and free its state; the table then releases the TCP halves.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include "capture/addr.h"
#include "capture/tcp_reassembly.h"

struct rate_ctr_group;

struct sl_flow_key {
	struct sl_endpoint lo, hi;	/* canonical order: memcmp(lo, hi) < 0 */
	uint8_t proto;
	uint8_t pad[3];
};

enum sl_flow_end {
	SL_FLOW_END_CLOSED,	/* FIN both ways or RST */
	SL_FLOW_END_IDLE,	/* idle timeout */
	SL_FLOW_END_EVICTED,	/* table full, or byte limit */
	SL_FLOW_END_FLUSH,	/* table freed / capture ended */
};

struct sl_flow {
	struct hlist_node hnode;
	struct llist_head lru;		/* head = least recently used */
	struct sl_flow_key key;
	uint64_t first_us, last_us;
	struct sl_tcp_half half[2];	/* [0]: lo -> hi, [1]: hi -> lo */
	uint64_t packets;
	void *app;			/* consumer state, freed in the release callback */
};

struct sl_flow_table_cfg {
	unsigned max_flows;
	uint64_t idle_timeout_us;
};

/* Defaults: 65536 flows, 300 s idle. */
void sl_flow_table_cfg_default(struct sl_flow_table_cfg *cfg);

enum sl_flow_ctr {
	SL_FLOW_CTR_NEW,
	SL_FLOW_CTR_CLOSED,
	SL_FLOW_CTR_IDLE,
	SL_FLOW_CTR_EVICTED,
	_SL_FLOW_CTR_COUNT
};

typedef void (*sl_flow_release_cb)(struct sl_flow *f, enum sl_flow_end why, void *priv);

struct sl_flow_table;

/* Counters form the rate_ctr group "flow" with index idx. release may be NULL. */
struct sl_flow_table *sl_flow_table_alloc(void *ctx, const struct sl_flow_table_cfg *cfg, struct sl_tcp_reasm *reasm,
					  sl_flow_release_cb release, void *priv, unsigned int idx);
/* Releases every flow (SL_FLOW_END_FLUSH) and frees the table. */
void sl_flow_table_free(struct sl_flow_table *t);

/*
 * Find the flow of a packet from src to dst, creating it when create is set.
 * Sets *dir to 0 when src is the canonical lo endpoint, 1 otherwise.
 * Marks the flow most recently used at now_us. Returns NULL if not found
 * and not created.
 */
struct sl_flow *sl_flow_lookup(struct sl_flow_table *t, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			       uint8_t proto, bool create, uint64_t now_us, int *dir);

/* Remove and free one flow now. */
void sl_flow_remove(struct sl_flow_table *t, struct sl_flow *f, enum sl_flow_end why);
/* Remove flows idle since before now_us - idle_timeout_us. */
void sl_flow_table_expire(struct sl_flow_table *t, uint64_t now_us);
/* Evict least recently used flows until pred returns false (byte limits). */
void sl_flow_table_evict_lru(struct sl_flow_table *t, bool (*over_limit)(void *priv), void *priv);
/* Remove every flow with the given reason (capture end). */
void sl_flow_table_flush(struct sl_flow_table *t);

/* The flow a direction belongs to (a reassembler hands back directions, e.g. sl_tcp_reasm_due_hole). */
struct sl_flow *sl_flow_of_half(struct sl_tcp_half *h);

unsigned sl_flow_table_count(const struct sl_flow_table *t);
struct rate_ctr_group *sl_flow_table_ctrs(struct sl_flow_table *t);
