/*
 * Connection table for TCP signalling flows (see flow_table.h).
 *
 * A flow is found by its 5-tuple in canonical order (lower endpoint first,
 * by memcmp of the zero-padded endpoint), so both directions of one
 * connection land on the same entry and `dir` says which way a packet
 * goes. Entries sit in a fixed-size libosmocore hash table indexed by the
 * seeded sl_hash of the key (the key comes from the wire; an unseeded hash
 * would let a sender pile every flow into one bucket) and on an LRU list
 * whose head is the least recently used flow. Eviction for the count cap,
 * idle expiry and byte-limit eviction all take flows from the LRU head, so
 * each costs O(1) per flow removed.
 *
 * Removing a flow, for whatever reason, goes through one function: unlink
 * it from the table first (so a release callback that looks flows up will
 * not find it, and a second removal of the same flow is a no-op), let the
 * consumer release its state, release both TCP halves, then free it.
 *
 * Logs carry counts and reasons only: flow keys hold subscriber addresses.
 */
#include "capture/flow_table.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <talloc.h>

#include "util/buckets.h"
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/utils.h>

#include "util/hash.h"
#include "capture/log.h"

/* 65536 buckets (512 KiB): about one flow per bucket at the default max_flows. */

static const struct rate_ctr_desc flow_ctr_desc[_SL_FLOW_CTR_COUNT] = {
	[SL_FLOW_CTR_NEW] = { "new", "Flows created" },
	[SL_FLOW_CTR_CLOSED] = { "closed", "Flows removed after FIN both ways or RST" },
	[SL_FLOW_CTR_IDLE] = { "idle", "Flows removed after the idle timeout" },
	[SL_FLOW_CTR_EVICTED] = { "evicted", "Flows evicted for the flow count or a byte limit" },
};

static const struct rate_ctr_group_desc flow_ctrg_desc = {
	.group_name_prefix = "flow",
	.group_description = "TCP flow table",
	.class_id = 0,
	.num_ctr = _SL_FLOW_CTR_COUNT,
	.ctr_desc = flow_ctr_desc,
};

static const char *const flow_end_names[] = {
	[SL_FLOW_END_CLOSED] = "closed",
	[SL_FLOW_END_IDLE] = "idle",
	[SL_FLOW_END_EVICTED] = "evicted",
	[SL_FLOW_END_FLUSH] = "flush",
};

struct sl_flow_table {
	struct sl_flow_table_cfg cfg;
	struct sl_tcp_reasm *reasm;
	sl_flow_release_cb release;
	void *priv;
	struct rate_ctr_group *ctrs;
	unsigned count;
	struct llist_head lru;		/* head = least recently used */
	struct sl_buckets ht;
};

void sl_flow_table_cfg_default(struct sl_flow_table_cfg *cfg)
{
	cfg->max_flows = 65536;
	cfg->idle_timeout_us = 300ull * 1000 * 1000;
}

static int table_destructor(struct sl_flow_table *t)
{
	rate_ctr_group_free(t->ctrs);
	t->ctrs = NULL;
	return 0;
}

struct sl_flow_table *sl_flow_table_alloc(void *ctx, const struct sl_flow_table_cfg *cfg, struct sl_tcp_reasm *reasm,
					  sl_flow_release_cb release, void *priv, unsigned int idx)
{
	struct sl_flow_table *t;

	t = talloc_zero(ctx, struct sl_flow_table);
	if (!t)
		return NULL;
	if (cfg)
		t->cfg = *cfg;
	else
		sl_flow_table_cfg_default(&t->cfg);
	/* A zero cap would make every lookup evict the flow it just created. */
	if (t->cfg.max_flows == 0)
		t->cfg.max_flows = 1;
	t->reasm = reasm;
	t->release = release;
	t->priv = priv;
	INIT_LLIST_HEAD(&t->lru);
	if (!sl_buckets_init(t, &t->ht, t->cfg.max_flows)) {
		talloc_free(t);
		return NULL;
	}
	t->ctrs = rate_ctr_group_alloc(t, &flow_ctrg_desc, idx);
	if (!t->ctrs) {
		talloc_free(t);
		return NULL;
	}
	talloc_set_destructor(t, table_destructor);
	return t;
}

void sl_flow_table_free(struct sl_flow_table *t)
{
	if (!t)
		return;
	sl_flow_table_flush(t);
	talloc_free(t);
}

/* Copy an endpoint field by field so the caller's pad bytes never reach the key. */
static void endpoint_norm(struct sl_endpoint *dst, const struct sl_endpoint *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->addr.family = src->addr.family;
	memcpy(dst->addr.a, src->addr.a, sizeof(dst->addr.a));
	dst->port = src->port;
}

static int key_make(struct sl_flow_key *k, const struct sl_endpoint *src, const struct sl_endpoint *dst,
		    uint8_t proto)
{
	struct sl_endpoint a, b;
	int dir;

	endpoint_norm(&a, src);
	endpoint_norm(&b, dst);
	memset(k, 0, sizeof(*k));
	/* Equal endpoints (a socket talking to itself) count as direction 0. */
	dir = memcmp(&a, &b, sizeof(a)) <= 0 ? 0 : 1;
	k->lo = dir ? b : a;
	k->hi = dir ? a : b;
	k->proto = proto;
	return dir;
}

static uint64_t key_hash(const struct sl_flow_key *k)
{
	return sl_hash(k, sizeof(*k));
}

static struct sl_flow *flow_find(struct sl_flow_table *t, const struct sl_flow_key *k, uint64_t h)
{
	struct sl_flow *f;

	hlist_for_each_entry(f, sl_buckets_head(&t->ht, h), hnode) {
		if (memcmp(&f->key, k, sizeof(*k)) == 0)
			return f;
	}
	return NULL;
}

void sl_flow_remove(struct sl_flow_table *t, struct sl_flow *f, enum sl_flow_end why)
{
	/* Already unlinked: a release callback removing its own flow again. */
	if (hlist_unhashed(&f->hnode))
		return;
	hlist_del_init(&f->hnode);
	llist_del_init(&f->lru);
	t->count--;

	switch (why) {
	case SL_FLOW_END_CLOSED:
		rate_ctr_inc2(t->ctrs, SL_FLOW_CTR_CLOSED);
		break;
	case SL_FLOW_END_IDLE:
		rate_ctr_inc2(t->ctrs, SL_FLOW_CTR_IDLE);
		break;
	case SL_FLOW_END_EVICTED:
		rate_ctr_inc2(t->ctrs, SL_FLOW_CTR_EVICTED);
		break;
	case SL_FLOW_END_FLUSH:
		break;
	}
	LOGP(DSLTCP, LOGL_DEBUG, "flow removed (%s) after %" PRIu64 " packets\n",
	     (unsigned)why < ARRAY_SIZE(flow_end_names) ? flow_end_names[why] : "?", f->packets);

	if (t->release)
		t->release(f, why, t->priv);
	if (t->reasm) {
		sl_tcp_half_release(t->reasm, &f->half[0]);
		sl_tcp_half_release(t->reasm, &f->half[1]);
	}
	talloc_free(f);
}

static struct sl_flow *flow_create(struct sl_flow_table *t, const struct sl_flow_key *k, uint64_t h,
				   uint64_t now_us)
{
	struct sl_flow *f;

	while (t->count >= t->cfg.max_flows && !llist_empty(&t->lru))
		sl_flow_remove(t, llist_first_entry(&t->lru, struct sl_flow, lru), SL_FLOW_END_EVICTED);

	f = talloc_zero(t, struct sl_flow);
	if (!f)
		return NULL;
	talloc_set_name_const(f, "sl_flow");
	f->key = *k;
	f->first_us = now_us;
	f->last_us = now_us;
	f->half[1].dir = 1;
	sl_tcp_half_init(&f->half[0]);
	sl_tcp_half_init(&f->half[1]);
	hlist_add_head(&f->hnode, sl_buckets_head(&t->ht, h));
	llist_add_tail(&f->lru, &t->lru);
	t->count++;
	rate_ctr_inc2(t->ctrs, SL_FLOW_CTR_NEW);
	return f;
}

struct sl_flow *sl_flow_lookup(struct sl_flow_table *t, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			       uint8_t proto, bool create, uint64_t now_us, int *dir)
{
	struct sl_flow_key k;
	struct sl_flow *f;
	uint64_t h;
	int d;

	d = key_make(&k, src, dst, proto);
	if (dir)
		*dir = d;
	h = key_hash(&k);
	f = flow_find(t, &k, h);
	if (!f) {
		if (!create)
			return NULL;
		f = flow_create(t, &k, h, now_us);
		if (!f)
			return NULL;
	} else {
		llist_move_tail(&f->lru, &t->lru);
		/* Packet time can step back in merged captures; idle time never shrinks because of it. */
		if (now_us > f->last_us)
			f->last_us = now_us;
	}
	f->packets++;
	return f;
}

static bool flow_idle(const struct sl_flow_table *t, const struct sl_flow *f, uint64_t now_us)
{
	return now_us > f->last_us && now_us - f->last_us > t->cfg.idle_timeout_us;
}

void sl_flow_table_expire(struct sl_flow_table *t, uint64_t now_us)
{
	struct sl_flow *f;

	/*
	 * The LRU head is the flow touched longest ago; the first one still
	 * active ends the walk. Re-read the head each time: a release callback
	 * may have removed other flows.
	 */
	while (!llist_empty(&t->lru)) {
		f = llist_first_entry(&t->lru, struct sl_flow, lru);
		if (!flow_idle(t, f, now_us))
			break;
		sl_flow_remove(t, f, SL_FLOW_END_IDLE);
	}
}

void sl_flow_table_evict_lru(struct sl_flow_table *t, bool (*over_limit)(void *priv), void *priv)
{
	while (!llist_empty(&t->lru) && over_limit(priv))
		sl_flow_remove(t, llist_first_entry(&t->lru, struct sl_flow, lru), SL_FLOW_END_EVICTED);
}

void sl_flow_table_flush(struct sl_flow_table *t)
{
	while (!llist_empty(&t->lru))
		sl_flow_remove(t, llist_first_entry(&t->lru, struct sl_flow, lru), SL_FLOW_END_FLUSH);
}

struct sl_flow *sl_flow_of_half(struct sl_tcp_half *h)
{
	/* h is half[h->dir] of its flow (flow_create set dir) */
	return (struct sl_flow *)(void *)((char *)(h - h->dir) - offsetof(struct sl_flow, half));
}

unsigned sl_flow_table_count(const struct sl_flow_table *t)
{
	return t->count;
}

struct rate_ctr_group *sl_flow_table_ctrs(struct sl_flow_table *t)
{
	return t->ctrs;
}
