/*
 * IPv4 and IPv6 fragment reassembly (see ip_defrag.h): RFC 791 section 3.2
 * for IPv4, RFC 8200 section 4.5 for IPv6, RFC 6946 for atomic fragments.
 *
 * A datagram in progress keeps its bytes as a list of pieces sorted by
 * offset that never overlap one another. A new fragment is cut against the
 * pieces already held and only the bytes that fall into holes are stored.
 * That one rule gives the "first arrived wins" policy for every byte, makes
 * duplicates free (nothing is stored), and turns the completion test into
 * a count: once the last fragment has fixed the total length and no piece
 * lies past it, the datagram is complete exactly when the held bytes equal
 * the total. A fragment that fills several holes becomes several pieces,
 * one talloc allocation each, children of their datagram.
 *
 * Datagrams sit in a seeded hash table (keys come from the wire) and on an
 * age list, oldest first, which serves both the timeout (the timeout runs
 * from the first fragment, so creation order is expiry order) and the
 * eviction of the oldest datagram when a limit would be exceeded.
 *
 * Logs name kinds and counts only, never addresses: the addresses in a
 * fragment key are subscriber addresses.
 */
#include "capture/ip_defrag.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <talloc.h>

#include "util/buckets.h"
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/utils.h>

#include "util/hash.h"
#include "capture/log.h"

/* 4096 buckets: one per datagram at the default max_datagrams. */
/* Largest reassembled payload the 16-bit length fields can describe. */
#define DEFRAG_MAX_END 65535u

static const struct rate_ctr_desc defrag_ctr_desc[_SL_DEFRAG_CTR_COUNT] = {
	[SL_DEFRAG_CTR_FRAGMENTS] = { "fragments", "IP fragments offered to reassembly" },
	[SL_DEFRAG_CTR_REASSEMBLED] = { "reassembled", "Datagrams completed from their fragments" },
	[SL_DEFRAG_CTR_DUPLICATE] = { "duplicate", "Fragments entirely covered by bytes already held" },
	[SL_DEFRAG_CTR_OVERLAP] = { "overlap", "Fragments partly overlapping held bytes (held bytes kept)" },
	[SL_DEFRAG_CTR_TIMEOUT] = { "timeout", "Datagrams dropped incomplete after the timeout" },
	[SL_DEFRAG_CTR_EVICTED] = { "evicted", "Datagrams dropped to respect the memory or count limit" },
	[SL_DEFRAG_CTR_TOO_BIG] = { "too_big", "Fragments ending past 65535 bytes" },
	[SL_DEFRAG_CTR_MALFORMED] = { "malformed",
				      "Fragments refused: empty, unaligned, or conflicting with the known end" },
};

static const struct rate_ctr_group_desc defrag_ctrg_desc = {
	.group_name_prefix = "defrag",
	.group_description = "IP fragment reassembly",
	.class_id = 0,
	.num_ctr = _SL_DEFRAG_CTR_COUNT,
	.ctr_desc = defrag_ctr_desc,
};

/* Hash key: every byte set explicitly (pads zeroed) so it hashes and compares with memcmp. */
struct dg_key {
	struct sl_addr src, dst;
	uint32_t id;
	uint8_t version;
	uint8_t proto;
	uint8_t pad[2];
};

/* Bytes [off, off + len) of a datagram, stored once. */
struct piece {
	struct llist_head list;		/* in dgram->pieces, sorted by off */
	uint32_t off;
	uint32_t len;
	uint8_t data[];
};

struct dgram {
	struct hlist_node hnode;	/* in sl_defrag->ht */
	struct llist_head age;		/* in sl_defrag->age, oldest first */
	struct dg_key key;
	uint64_t hash;
	uint64_t first_us;		/* packet time of the first fragment */
	struct llist_head pieces;
	uint32_t held;			/* sum of piece lengths */
	uint32_t total;			/* payload length, valid once have_last */
	bool have_last;
};

struct sl_defrag {
	struct sl_defrag_cfg cfg;
	struct rate_ctr_group *ctrs;
	size_t bytes;			/* held by all datagrams */
	unsigned count;			/* datagrams in progress */
	struct llist_head age;
	struct sl_buckets ht;
};

void sl_defrag_cfg_default(struct sl_defrag_cfg *cfg)
{
	cfg->max_bytes = 4u * 1024 * 1024;
	cfg->max_datagrams = 4096;
	cfg->timeout_us = 30ull * 1000 * 1000;
}

static inline void ctr_inc(struct sl_defrag *d, enum sl_defrag_ctr c)
{
	rate_ctr_inc2(d->ctrs, c);
}

/* The counter group is unlinked from libosmocore's global list whichever way d is freed. */
static int defrag_destructor(struct sl_defrag *d)
{
	rate_ctr_group_free(d->ctrs);
	d->ctrs = NULL;
	return 0;
}

struct sl_defrag *sl_defrag_alloc(void *ctx, const struct sl_defrag_cfg *cfg, unsigned int idx)
{
	struct sl_defrag *d;

	d = talloc_zero(ctx, struct sl_defrag);
	if (!d)
		return NULL;
	if (cfg)
		d->cfg = *cfg;
	else
		sl_defrag_cfg_default(&d->cfg);
	/* A zero count limit would refuse every datagram; one is the smallest usable table. */
	if (d->cfg.max_datagrams == 0)
		d->cfg.max_datagrams = 1;
	INIT_LLIST_HEAD(&d->age);
	if (!sl_buckets_init(d, &d->ht, d->cfg.max_datagrams)) {
		talloc_free(d);
		return NULL;
	}
	d->ctrs = rate_ctr_group_alloc(d, &defrag_ctrg_desc, idx);
	if (!d->ctrs) {
		talloc_free(d);
		return NULL;
	}
	talloc_set_destructor(d, defrag_destructor);
	return d;
}

/* Unlink and free one datagram with all its pieces. */
static void dgram_drop(struct sl_defrag *d, struct dgram *dg)
{
	hlist_del_init(&dg->hnode);
	llist_del(&dg->age);
	d->bytes -= dg->held;
	d->count--;
	talloc_free(dg);
}

void sl_defrag_free(struct sl_defrag *d)
{
	struct dgram *dg, *tmp;

	if (!d)
		return;
	llist_for_each_entry_safe(dg, tmp, &d->age, age)
		dgram_drop(d, dg);
	talloc_free(d);
}

static void key_make(struct dg_key *k, const struct sl_frag *f)
{
	memset(k, 0, sizeof(*k));
	/* Copy field by field: the caller's pad bytes are not trusted to be zero. */
	k->src.family = f->src.family;
	memcpy(k->src.a, f->src.a, sizeof(k->src.a));
	k->dst.family = f->dst.family;
	memcpy(k->dst.a, f->dst.a, sizeof(k->dst.a));
	k->id = f->id;
	k->version = f->version;
	k->proto = f->proto;
}

static struct dgram *dgram_find(struct sl_defrag *d, const struct dg_key *k, uint64_t h)
{
	struct dgram *dg;

	hlist_for_each_entry(dg, sl_buckets_head(&d->ht, h), hnode) {
		if (dg->hash == h && memcmp(&dg->key, k, sizeof(*k)) == 0)
			return dg;
	}
	return NULL;
}

static bool dgram_expired(const struct sl_defrag *d, const struct dgram *dg, uint64_t now_us)
{
	/* Packet time may step back (merged captures): a datagram from the "future" is not old. */
	return now_us > dg->first_us && now_us - dg->first_us > d->cfg.timeout_us;
}

/* End of the highest held piece (0 if none). */
static uint32_t dgram_max_end(const struct dgram *dg)
{
	const struct piece *p;

	if (llist_empty(&dg->pieces))
		return 0;
	p = llist_last_entry(&dg->pieces, struct piece, list);
	return p->off + p->len;
}

static bool piece_add_before(struct dgram *dg, struct llist_head *at, uint32_t off, uint32_t len,
			     const uint8_t *data)
{
	struct piece *p;

	p = talloc_named_const(dg, sizeof(*p) + len, "sl_defrag_piece");
	if (!p)
		return false;
	p->off = off;
	p->len = len;
	memcpy(p->data, data, len);
	llist_add_tail(&p->list, at);
	dg->held += len;
	return true;
}

/*
 * Visit the holes that [off, end) covers in dg's pieces. Returns the number
 * of bytes falling into holes; when store is set those bytes are copied in
 * as new pieces (data points at byte off). Returns -ENOMEM if a piece could
 * not be allocated; pieces stored before that stay consistent.
 */
static long fill_holes(struct dgram *dg, uint32_t off, uint32_t end, const uint8_t *data, bool store)
{
	struct llist_head *at = &dg->pieces;
	struct piece *p;
	uint32_t pos = off;
	long added = 0;

	llist_for_each_entry(p, &dg->pieces, list) {
		uint32_t pend = p->off + p->len;

		if (pend <= pos)
			continue;
		if (p->off >= end) {
			at = &p->list;
			break;
		}
		if (p->off > pos) {
			if (store && !piece_add_before(dg, &p->list, pos, p->off - pos, data + (pos - off)))
				return -ENOMEM;
			added += p->off - pos;
		}
		pos = pend;
		if (pos >= end) {
			at = NULL;
			break;
		}
	}
	if (at && pos < end) {
		if (store && !piece_add_before(dg, at, pos, end - pos, data + (pos - off)))
			return -ENOMEM;
		added += end - pos;
	}
	return added;
}

/* Oldest datagram other than keep, or NULL. */
static struct dgram *oldest_except(struct sl_defrag *d, const struct dgram *keep)
{
	struct dgram *dg;

	llist_for_each_entry(dg, &d->age, age) {
		if (dg != keep)
			return dg;
	}
	return NULL;
}

static void evict(struct sl_defrag *d, struct dgram *dg, const char *why)
{
	LOGP(DSLFRAG, LOGL_DEBUG, "evicting datagram (%u bytes held) for the %s limit\n", dg->held, why);
	ctr_inc(d, SL_DEFRAG_CTR_EVICTED);
	dgram_drop(d, dg);
}

static enum sl_defrag_result reject(struct sl_defrag *d, enum sl_defrag_ctr c, const char *what)
{
	LOGP(DSLFRAG, LOGL_DEBUG, "fragment rejected: %s\n", what);
	ctr_inc(d, c);
	return SL_DEFRAG_REJECTED;
}

/* Copy the complete datagram out and drop it. */
static enum sl_defrag_result complete(struct sl_defrag *d, struct dgram *dg, void *out_ctx, uint8_t **out,
				      size_t *out_len)
{
	struct piece *p;
	uint8_t *buf;

	/* talloc_size(ctx, 0) would still hand out a block; total > 0 since empty fragments are refused. */
	buf = talloc_size(out_ctx, dg->total);
	if (!buf) {
		evict(d, dg, "memory");
		return SL_DEFRAG_REJECTED;
	}
	talloc_set_name_const(buf, "sl_defrag_datagram");
	llist_for_each_entry(p, &dg->pieces, list)
		memcpy(buf + p->off, p->data, p->len);
	*out = buf;
	*out_len = dg->total;
	dgram_drop(d, dg);
	ctr_inc(d, SL_DEFRAG_CTR_REASSEMBLED);
	return SL_DEFRAG_DONE;
}

static bool dgram_complete(const struct dgram *dg)
{
	/* Pieces never overlap and never pass total, so a full count means no hole. */
	return dg->have_last && dg->held == dg->total;
}

enum sl_defrag_result sl_defrag_add(struct sl_defrag *d, const struct sl_frag *f, uint64_t now_us,
				    void *out_ctx, uint8_t **out, size_t *out_len)
{
	struct dg_key key;
	struct dgram *dg;
	uint64_t h;
	uint32_t end;
	long fresh;

	if (!d || !f || !out || !out_len)
		return SL_DEFRAG_REJECTED;
	*out = NULL;
	*out_len = 0;
	ctr_inc(d, SL_DEFRAG_CTR_FRAGMENTS);

	if (f->version != 4 && f->version != 6)
		return reject(d, SL_DEFRAG_CTR_MALFORMED, "unknown IP version");
	/* An empty fragment adds no bytes and only lets a sender move the end around. */
	if (f->len == 0 || !f->data)
		return reject(d, SL_DEFRAG_CTR_MALFORMED, "empty fragment");
	if (f->offset % 8)
		return reject(d, SL_DEFRAG_CTR_MALFORMED, "offset not a multiple of 8");
	if (f->more && f->len % 8)
		return reject(d, SL_DEFRAG_CTR_MALFORMED, "non-last fragment length not a multiple of 8");
	if (f->version == 4 && f->id > 0xffff)
		return reject(d, SL_DEFRAG_CTR_MALFORMED, "IPv4 identification wider than 16 bits");
	if (f->offset > DEFRAG_MAX_END || f->len > DEFRAG_MAX_END - f->offset)
		return reject(d, SL_DEFRAG_CTR_TOO_BIG, "fragment ends past 65535 bytes");
	end = f->offset + (uint32_t)f->len;

	/*
	 * Offset 0 without MF is a whole datagram (an IPv6 atomic fragment):
	 * RFC 6946 says to process it on its own, never merged with a
	 * reassembly that happens to share its identification.
	 */
	if (f->offset == 0 && !f->more) {
		uint8_t *buf = talloc_memdup(out_ctx, f->data, f->len);

		if (!buf)
			return reject(d, SL_DEFRAG_CTR_EVICTED, "out of memory for atomic fragment");
		talloc_set_name_const(buf, "sl_defrag_datagram");
		*out = buf;
		*out_len = f->len;
		ctr_inc(d, SL_DEFRAG_CTR_REASSEMBLED);
		return SL_DEFRAG_DONE;
	}

	key_make(&key, f);
	h = sl_hash(&key, sizeof(key));
	dg = dgram_find(d, &key, h);
	if (dg && dgram_expired(d, dg, now_us)) {
		/* The identification came round again after the old datagram timed out. */
		ctr_inc(d, SL_DEFRAG_CTR_TIMEOUT);
		dgram_drop(d, dg);
		dg = NULL;
	}

	if (dg) {
		/* The end is fixed by whichever fragment told it first; later contradictions are refused. */
		if (!f->more) {
			if (dg->have_last ? end != dg->total : dgram_max_end(dg) > end)
				return reject(d, SL_DEFRAG_CTR_MALFORMED, "last fragment conflicts with the known end");
		} else if (dg->have_last && end > dg->total) {
			return reject(d, SL_DEFRAG_CTR_MALFORMED, "fragment extends past the last fragment");
		}
		fresh = fill_holes(dg, f->offset, end, f->data, false);
		if (fresh == 0) {
			ctr_inc(d, SL_DEFRAG_CTR_DUPLICATE);
			/* A covered last fragment still tells where the datagram ends. */
			if (!f->more && !dg->have_last) {
				dg->have_last = true;
				dg->total = end;
				if (dgram_complete(dg))
					return complete(d, dg, out_ctx, out, out_len);
			}
			return SL_DEFRAG_HELD;
		}
	} else {
		fresh = (long)f->len;
	}

	/*
	 * If this datagram alone would not fit, it can never complete: drop it
	 * rather than evicting everyone else first for nothing.
	 */
	if ((size_t)fresh > d->cfg.max_bytes || (dg && dg->held > d->cfg.max_bytes - (size_t)fresh)) {
		if (dg)
			evict(d, dg, "memory");
		else
			ctr_inc(d, SL_DEFRAG_CTR_EVICTED);
		return SL_DEFRAG_REJECTED;
	}
	if (!dg) {
		while (d->count >= d->cfg.max_datagrams)
			evict(d, llist_first_entry(&d->age, struct dgram, age), "count");
	}
	/* Terminates: with every other datagram gone, the check above guarantees a fit. */
	while (d->bytes + (size_t)fresh > d->cfg.max_bytes)
		evict(d, oldest_except(d, dg), "memory");

	if (!dg) {
		dg = talloc_zero(d, struct dgram);
		if (!dg)
			return reject(d, SL_DEFRAG_CTR_EVICTED, "out of memory for a datagram");
		talloc_set_name_const(dg, "sl_defrag_dgram");
		dg->key = key;
		dg->hash = h;
		dg->first_us = now_us;
		INIT_LLIST_HEAD(&dg->pieces);
		hlist_add_head(&dg->hnode, sl_buckets_head(&d->ht, h));
		llist_add_tail(&dg->age, &d->age);
		d->count++;
	} else if (fresh < (long)f->len) {
		ctr_inc(d, SL_DEFRAG_CTR_OVERLAP);
	}

	{
		uint32_t before = dg->held;
		long stored = fill_holes(dg, f->offset, end, f->data, true);

		d->bytes += dg->held - before;
		if (stored < 0) {
			evict(d, dg, "memory");
			return SL_DEFRAG_REJECTED;
		}
	}
	if (!f->more) {
		dg->have_last = true;
		dg->total = end;
	}
	if (dgram_complete(dg))
		return complete(d, dg, out_ctx, out, out_len);
	return SL_DEFRAG_HELD;
}

void sl_defrag_expire(struct sl_defrag *d, uint64_t now_us)
{
	struct dgram *dg;
	unsigned n = 0;

	/* Age order is creation order, so the first datagram still young ends the walk. */
	while (!llist_empty(&d->age)) {
		dg = llist_first_entry(&d->age, struct dgram, age);
		if (!dgram_expired(d, dg, now_us))
			break;
		ctr_inc(d, SL_DEFRAG_CTR_TIMEOUT);
		dgram_drop(d, dg);
		n++;
	}
	if (n)
		LOGP(DSLFRAG, LOGL_DEBUG, "%u incomplete datagrams timed out\n", n);
}

struct rate_ctr_group *sl_defrag_ctrs(struct sl_defrag *d)
{
	return d->ctrs;
}

size_t sl_defrag_bytes(const struct sl_defrag *d)
{
	return d->bytes;
}

unsigned sl_defrag_datagrams(const struct sl_defrag *d)
{
	return d->count;
}
