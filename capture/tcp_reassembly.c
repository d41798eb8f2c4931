/*
 * TCP stream reassembly, one direction at a time (see tcp_reassembly.h;
 * RFC 9293 section 3.4 for sequence numbers, section 3.10.7.4 for how a
 * receiver trims and queues segments).
 *
 * All sequence arithmetic is done on offsets relative to next_seq, the
 * next byte the stream expects: rel(x) = (uint32_t)(x - next_seq). A
 * segment starting behind next_seq is a retransmission (trimmed at the
 * front if it also carries new bytes); one starting at next_seq is
 * delivered straight from the caller's buffer without a copy; one starting
 * ahead is held. Held segments are kept sorted, never overlap one another
 * and always start ahead of next_seq, so the relative offsets stay below
 * 2^31 + 2^30 and compare as plain integers across the 2^32 wrap.
 *
 * Overlaps keep the bytes that were delivered or held first: a new segment
 * is cut against the held ones and only its bytes falling into holes are
 * kept, and in-order data stops at the first held byte, which then wins.
 * A FIN that arrives ahead of a hole is held as a zero-length marker so the
 * stream end is signalled only after the bytes before it.
 *
 * When a hole outlives the limits or its time, the reassembler gives up on
 * it: the sink hears gap(n) with the exact number of missing bytes, and the
 * held data after the hole is delivered, each run with the frame it came
 * in. Bytes after a FIN cannot belong to the stream and are discarded.
 *
 * Hole time: a direction holding segments sits on the reassembler's hole
 * list, sorted by the packet time its oldest held segment arrived (the hole
 * before next_seq has been open at least that long). Pipeline time only
 * moves forward, so a direction whose first segment is held goes to the
 * tail; only a direction that gave up on one hole and still holds data
 * behind another is re-sorted, walking from the tail. The owner looks at
 * the head once per frame (sl_tcp_reasm_due_hole), so a lost segment holds
 * later messages for hole_timeout_us of capture time at most, however
 * quiet the connection itself is afterwards.
 *
 * gap_bytes counts what a hole skipped as far as the capture can vouch for
 * it: a hole wider than the per-direction hold window (max_dir_ooo_bytes)
 * is a sequence jump (a sender's garbage, a capture joining a reused
 * 4-tuple), counted in desync and not in bytes; a narrower one counts its
 * width up to the largest segment seen in that direction, which is exact
 * for the usual loss of one segment and keeps random sequence numbers from
 * counting more bytes than were captured (they made 55.9 GB of 177 MB).
 */
#include "capture/tcp_reassembly.h"

#include <stdint.h>
#include <string.h>

#include <talloc.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>

#include "capture/log.h"

/*
 * A segment larger than this cannot come from TCP over IP (64 KiB, or a
 * few times that when offloads merged segments before the capture); it
 * would also break the relative-offset arithmetic, which needs lengths
 * well below 2^31.
 */
#define TCP_MAX_SEG_LEN (1u << 30)

static const struct rate_ctr_desc tcp_ctr_desc[_SL_TCP_CTR_COUNT] = {
	[SL_TCP_CTR_SEGMENTS] = { "segments", "TCP segments offered to reassembly (with or without data)" },
	[SL_TCP_CTR_BYTES] = { "bytes", "Payload bytes delivered in order" },
	[SL_TCP_CTR_MIDSTREAM] = { "midstream", "Directions synchronised on a data segment without a SYN" },
	[SL_TCP_CTR_RETRANSMIT] = { "retransmit", "Segments carrying no new byte (all delivered or held already)" },
	[SL_TCP_CTR_OVERLAP] = { "overlap", "Segments partly overlapping delivered or held bytes" },
	[SL_TCP_CTR_OUT_OF_ORDER] = { "out_of_order", "Segments held because of a hole before them" },
	[SL_TCP_CTR_GAP] = { "gap", "Holes given up on (segments lost by the capture)" },
	[SL_TCP_CTR_GAP_BYTES] = { "gap_bytes", "Bytes missing in the holes given up on (each hole up to the largest segment seen)" },
	[SL_TCP_CTR_LIMIT_DROP] = { "limit_drop", "Segments discarded: oversized, past FIN, no memory, or held when their flow was evicted or reset" },
	[SL_TCP_CTR_GAP_TIMEOUT] = { "gap_timeout", "Holes given up on because they stayed open past the hole timeout" },
	[SL_TCP_CTR_DESYNC] = { "desync", "Holes wider than the per-direction hold window (sequence jumps, bytes not counted)" },
};

static const struct rate_ctr_group_desc tcp_ctrg_desc = {
	.group_name_prefix = "tcp",
	.group_description = "TCP stream reassembly",
	.class_id = 0,
	.num_ctr = _SL_TCP_CTR_COUNT,
	.ctr_desc = tcp_ctr_desc,
};

/* A held run of bytes [seq, seq + len); len 0 with fin set marks a held FIN at seq. */
struct held {
	struct llist_head list;		/* in sl_tcp_half->ooo, sorted by seq */
	uint32_t seq;
	uint32_t len;
	bool fin;
	uint64_t arrived_us;		/* pipeline time it arrived */
	struct sl_tcp_origin at;	/* the frame it came in */
	uint8_t data[];
};

struct sl_tcp_reasm {
	struct sl_tcp_reasm_cfg cfg;
	struct rate_ctr_group *ctrs;
	size_t total_bytes;		/* out-of-order bytes held by all directions */
	struct llist_head holes;	/* directions holding segments, by hole_since_us */
	uint64_t unlinks;		/* held segments taken off any list so far (tells hole_update to look) */
};

void sl_tcp_reasm_cfg_default(struct sl_tcp_reasm_cfg *cfg)
{
	cfg->max_dir_ooo_bytes = 256u * 1024;
	cfg->max_dir_ooo_segments = 256;
	cfg->max_total_bytes = 64u * 1024 * 1024;
	cfg->hole_timeout_us = 250000;
}

static inline void ctr_inc(struct sl_tcp_reasm *r, enum sl_tcp_ctr c)
{
	rate_ctr_inc2(r->ctrs, c);
}

static inline void ctr_add(struct sl_tcp_reasm *r, enum sl_tcp_ctr c, uint64_t n)
{
	/* rate_ctr_add takes an int; gap sizes can exceed INT_MAX. */
	rate_ctr_group_get_ctr(r->ctrs, c)->current += n;
}

static int reasm_destructor(struct sl_tcp_reasm *r)
{
	rate_ctr_group_free(r->ctrs);
	r->ctrs = NULL;
	return 0;
}

struct sl_tcp_reasm *sl_tcp_reasm_alloc(void *ctx, const struct sl_tcp_reasm_cfg *cfg, unsigned int idx)
{
	struct sl_tcp_reasm *r;

	r = talloc_zero(ctx, struct sl_tcp_reasm);
	if (!r)
		return NULL;
	if (cfg)
		r->cfg = *cfg;
	else
		sl_tcp_reasm_cfg_default(&r->cfg);
	INIT_LLIST_HEAD(&r->holes);
	r->ctrs = rate_ctr_group_alloc(r, &tcp_ctrg_desc, idx);
	if (!r->ctrs) {
		talloc_free(r);
		return NULL;
	}
	talloc_set_destructor(r, reasm_destructor);
	return r;
}

/* Every sl_tcp_half must have been released first: their held segments are children of r. */
void sl_tcp_reasm_free(struct sl_tcp_reasm *r)
{
	talloc_free(r);
}

void sl_tcp_half_init(struct sl_tcp_half *h)
{
	uint8_t dir = h->dir;

	memset(h, 0, sizeof(*h));
	h->dir = dir;
	INIT_LLIST_HEAD(&h->ooo);
	INIT_LLIST_HEAD(&h->hole);
}

/* Put h on the hole list at its place by hole_since_us (from the tail: usually it goes last). */
static void hole_insert(struct sl_tcp_reasm *r, struct sl_tcp_half *h)
{
	struct llist_head *at = &r->holes;
	struct sl_tcp_half *o;

	llist_for_each_entry_reverse(o, &r->holes, hole) {
		if (o->hole_since_us <= h->hole_since_us)
			break;
		at = &o->hole;
	}
	/* at is the first entry later than h (or the head): insert before it */
	llist_add_tail(&h->hole, at);
}

/*
 * Keep h's place on the hole list in step with what it holds: off the list
 * when nothing is held; on it from the arrival of its oldest held segment
 * otherwise. `removed` says held segments left since the last update (the
 * oldest may be gone), which is the only case that needs a walk.
 */
static void hole_update(struct sl_tcp_reasm *r, struct sl_tcp_half *h, bool removed)
{
	struct held *s;
	uint64_t since = UINT64_MAX;
	bool listed = !llist_empty(&h->hole);

	if (llist_empty(&h->ooo)) {
		if (listed)
			llist_del_init(&h->hole);
		return;
	}
	if (listed && !removed)
		return;
	llist_for_each_entry(s, &h->ooo, list)
		if (s->arrived_us < since)
			since = s->arrived_us;
	if (listed) {
		if (since == h->hole_since_us)
			return;
		llist_del_init(&h->hole);
	}
	h->hole_since_us = since;
	hole_insert(r, h);
}

static inline uint32_t rel(const struct sl_tcp_half *h, uint32_t seq)
{
	return seq - h->next_seq;
}

/* Unlink one held segment and take it off the accounting; the caller frees it. */
static void held_unlink(struct sl_tcp_reasm *r, struct sl_tcp_half *h, struct held *s)
{
	llist_del(&s->list);
	r->unlinks++;
	h->ooo_bytes -= s->len;
	h->ooo_segments--;
	r->total_bytes -= s->len;
}

/* Drop every held segment without delivering it; returns how many there were. */
static unsigned drop_all(struct sl_tcp_reasm *r, struct sl_tcp_half *h)
{
	struct held *s, *tmp;
	unsigned n = 0;

	llist_for_each_entry_safe(s, tmp, &h->ooo, list) {
		held_unlink(r, h, s);
		talloc_free(s);
		n++;
	}
	return n;
}

void sl_tcp_half_release(struct sl_tcp_reasm *r, struct sl_tcp_half *h)
{
	unsigned dropped;

	/* A half that was never initialised (zeroed flow) has NULL list heads. */
	if (h->ooo.next) {
		/* segments still held (flow evicted or reset behind a hole): discarded, so counted */
		dropped = drop_all(r, h);
		if (dropped)
			ctr_add(r, SL_TCP_CTR_LIMIT_DROP, dropped);
	}
	if (h->hole.next && !llist_empty(&h->hole))
		llist_del_init(&h->hole);
	sl_tcp_half_init(h);
}

static void deliver(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const uint8_t *p, size_t n,
		    const struct sl_tcp_origin *at, const struct sl_tcp_sink *sink)
{
	h->next_seq += (uint32_t)n;
	ctr_add(r, SL_TCP_CTR_BYTES, n);
	if (sink && sink->data)
		sink->data(sink->priv, p, n, at);
}

/* The stream ends here: the FIN takes one sequence number and nothing after it is data. */
static void take_fin(struct sl_tcp_reasm *r, struct sl_tcp_half *h)
{
	unsigned dropped;

	h->fin = true;
	h->next_seq++;
	dropped = drop_all(r, h);
	if (dropped) {
		LOGP(DSLTCP, LOGL_DEBUG, "%u held segments after FIN discarded\n", dropped);
		ctr_add(r, SL_TCP_CTR_LIMIT_DROP, dropped);
	}
}

/*
 * Deliver held segments while the first one starts at next_seq. When a
 * segment just filled the hole (filler), the held bytes became part of the
 * stream with that frame, as a receiver would see them; after a hole given
 * up on (filler NULL) they keep their own frames.
 */
static void drain(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_sink *sink,
		  const struct sl_tcp_origin *filler)
{
	struct held *s;

	while (!h->fin && !llist_empty(&h->ooo)) {
		s = llist_first_entry(&h->ooo, struct held, list);
		if (rel(h, s->seq) != 0)
			break;
		held_unlink(r, h, s);
		if (s->len)
			deliver(r, h, s->data, s->len, filler ? filler : &s->at, sink);
		if (s->fin)
			take_fin(r, h);
		talloc_free(s);
	}
}

/* Give up on the hole before the first held segment: report it and deliver what follows. */
static void skip_hole(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_sink *sink)
{
	struct held *s = llist_first_entry(&h->ooo, struct held, list);
	uint32_t n = rel(h, s->seq);

	if (n) {
		ctr_inc(r, SL_TCP_CTR_GAP);
		if (n <= r->cfg.max_dir_ooo_bytes)
			ctr_add(r, SL_TCP_CTR_GAP_BYTES, n < h->max_seg_len ? n : h->max_seg_len);
		else
			ctr_inc(r, SL_TCP_CTR_DESYNC);
		LOGP(DSLTCP, LOGL_DEBUG, "giving up on a hole of %u bytes\n", n);
		h->next_seq = s->seq;
		if (sink && sink->gap)
			sink->gap(sink->priv, n, &s->at);
	}
	drain(r, h, sink, NULL);
}

static bool over_limits(const struct sl_tcp_reasm *r, const struct sl_tcp_half *h)
{
	return h->ooo_bytes > r->cfg.max_dir_ooo_bytes || h->ooo_segments > r->cfg.max_dir_ooo_segments ||
	       r->total_bytes > r->cfg.max_total_bytes;
}

static bool held_add_before(struct sl_tcp_reasm *r, struct sl_tcp_half *h, struct llist_head *at, uint32_t seq,
			    const uint8_t *p, uint32_t len, bool fin, const struct sl_tcp_seg *seg)
{
	struct held *s;

	s = talloc_named_const(r, sizeof(*s) + len, "sl_tcp_held");
	if (!s)
		return false;
	s->seq = seq;
	s->len = len;
	s->fin = fin;
	s->arrived_us = seg->now_us;
	s->at = seg->at;
	if (len)
		memcpy(s->data, p, len);
	llist_add_tail(&s->list, at);
	h->ooo_bytes += len;
	h->ooo_segments++;
	r->total_bytes += len;
	return true;
}

/*
 * Hold the bytes of [off, off + len) (offsets relative to next_seq, off > 0)
 * that no held segment covers yet, then a FIN marker at the end if fin is
 * set (the caller has checked that nothing is held past it, so the marker
 * goes last). Returns the number of bytes stored, or -1 when an allocation
 * failed; what was stored before that stays consistent.
 */
static long hold(struct sl_tcp_reasm *r, struct sl_tcp_half *h, uint64_t off, const uint8_t *p, uint64_t len,
		 bool fin, const struct sl_tcp_seg *seg)
{
	struct llist_head *at = &h->ooo;
	uint64_t end = off + len, pos = off;
	struct held *s;
	long added = 0;

	llist_for_each_entry(s, &h->ooo, list) {
		uint64_t s_off = rel(h, s->seq), s_end = s_off + s->len;

		if (s_end <= pos)
			continue;
		if (s_off >= end) {
			at = &s->list;
			break;
		}
		if (s_off > pos) {
			if (!held_add_before(r, h, &s->list, h->next_seq + (uint32_t)pos, p + (pos - off),
					     (uint32_t)(s_off - pos), false, seg))
				return -1;
			added += (long)(s_off - pos);
		}
		pos = s_end;
		if (pos >= end) {
			at = NULL;
			break;
		}
	}
	if (at && pos < end) {
		if (!held_add_before(r, h, at, h->next_seq + (uint32_t)pos, p + (pos - off), (uint32_t)(end - pos),
				     false, seg))
			return -1;
		added += (long)(end - pos);
	}
	if (fin && !held_add_before(r, h, &h->ooo, h->next_seq + (uint32_t)end, NULL, 0, true, seg))
		return -1;
	return added;
}

/* Deliver an in-order run starting at next_seq; held bytes win where they overlap it. */
static bool deliver_in_order(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const uint8_t *p, uint64_t len,
			     const struct sl_tcp_origin *at, const struct sl_tcp_sink *sink)
{
	bool overlapped = false;

	while (len) {
		struct held *s = llist_first_entry_or_null(&h->ooo, struct held, list);
		uint64_t n = len;

		if (s && rel(h, s->seq) == 0 && s->len) {
			uint64_t skip = s->len < len ? s->len : len;

			overlapped = true;
			held_unlink(r, h, s);
			deliver(r, h, s->data, s->len, at, sink);
			talloc_free(s);
			p += skip;
			len -= skip;
			continue;
		}
		/* The caller clipped the run at a held FIN, so a marker never sits at next_seq here. */
		if (s && n > rel(h, s->seq)) {
			n = rel(h, s->seq);
			overlapped = true;
		}
		if (n == 0)
			break;
		deliver(r, h, p, (size_t)n, at, sink);
		p += n;
		len -= n;
	}
	return overlapped;
}

static void segment(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_seg *seg,
		    const struct sl_tcp_sink *sink)
{
	const uint8_t *p = seg->data;
	uint64_t len = seg->len, off;
	uint32_t seq = seg->seq;
	bool fin = seg->flags & SL_TCP_FIN;
	bool overlapped = false;
	struct held *last;
	int32_t d;

	ctr_inc(r, SL_TCP_CTR_SEGMENTS);
	if (seg->len <= TCP_MAX_SEG_LEN && seg->len > h->max_seg_len)
		h->max_seg_len = (uint32_t)seg->len;

	/* An RST carries at most a diagnostic text, never stream bytes; the flow owner closes the flow. */
	if (seg->flags & SL_TCP_RST)
		return;
	if (seg->len > TCP_MAX_SEG_LEN || (seg->len && !seg->data)) {
		LOGP(DSLTCP, LOGL_DEBUG, "segment of %zu bytes refused\n", seg->len);
		ctr_inc(r, SL_TCP_CTR_LIMIT_DROP);
		return;
	}

	if (seg->flags & SL_TCP_SYN) {
		/* A SYN after the stream ended is a new connection reusing the 4-tuple. */
		if (h->synced && h->fin)
			sl_tcp_half_release(r, h);
		if (!h->synced) {
			h->synced = true;
			h->next_seq = seq + 1;
		}
		/* The SYN consumes one sequence number; any data (TCP Fast Open) follows it. */
		seq++;
	}

	if (!h->synced) {
		/* Mid-stream: only a data segment tells where the stream is (pure ACKs and keepalives do not). */
		if (len == 0)
			return;
		h->synced = true;
		h->next_seq = seq;
		ctr_inc(r, SL_TCP_CTR_MIDSTREAM);
	}

	if (len == 0 && !fin)
		return;
	if (h->fin) {
		/* Everything up to the FIN is delivered: later segments repeat it or lie past the end. */
		ctr_inc(r, SL_TCP_CTR_RETRANSMIT);
		return;
	}

	d = (int32_t)(seq - h->next_seq);
	if (d < 0) {
		uint64_t behind = (uint64_t)(-(int64_t)d);

		/* A FIN behind next_seq contradicts bytes already delivered: ignore it with the data. */
		if (len < behind || (len == behind && !fin)) {
			ctr_inc(r, SL_TCP_CTR_RETRANSMIT);
			return;
		}
		p += behind;
		len -= behind;
		overlapped = true;
		off = 0;
	} else {
		off = (uint64_t)d;
	}

	/* At most one FIN is held, always last: no byte may follow it and the first FIN seen wins. */
	last = llist_empty(&h->ooo) ? NULL : llist_last_entry(&h->ooo, struct held, list);
	if (last && last->fin) {
		uint64_t fpos = rel(h, last->seq);

		fin = false;
		if (off + len > fpos) {
			ctr_inc(r, SL_TCP_CTR_LIMIT_DROP);
			if (off >= fpos)
				return;
			len = fpos - off;
		}
	} else if (fin && last && (uint64_t)rel(h, last->seq) + last->len > off + len) {
		/* Bytes held past this FIN arrived first. */
		fin = false;
	}
	if (len == 0 && !fin) {
		/* Only a repeated or contradicted FIN was left. */
		ctr_inc(r, SL_TCP_CTR_RETRANSMIT);
		return;
	}

	if (off > 0) {
		long stored = hold(r, h, off, p, len, fin, seg);

		if (stored < 0) {
			LOGP(DSLTCP, LOGL_NOTICE, "out of memory holding a segment\n");
			ctr_inc(r, SL_TCP_CTR_LIMIT_DROP);
		} else if (stored == 0 && !fin) {
			ctr_inc(r, SL_TCP_CTR_RETRANSMIT);
		} else {
			if ((uint64_t)stored < len)
				ctr_inc(r, SL_TCP_CTR_OVERLAP);
			ctr_inc(r, SL_TCP_CTR_OUT_OF_ORDER);
		}
		while (!h->fin && !llist_empty(&h->ooo) && over_limits(r, h))
			skip_hole(r, h, sink);
		return;
	}

	if (deliver_in_order(r, h, p, len, &seg->at, sink))
		overlapped = true;
	if (overlapped)
		ctr_inc(r, SL_TCP_CTR_OVERLAP);
	/* The FIN check above left nothing held past it, so the held list is empty now. */
	if (fin && llist_empty(&h->ooo))
		take_fin(r, h);
	drain(r, h, sink, &seg->at);
}

void sl_tcp_half_segment(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_seg *seg,
			 const struct sl_tcp_sink *sink)
{
	uint64_t unlinks = r->unlinks;

	segment(r, h, seg, sink);
	hole_update(r, h, r->unlinks != unlinks);
}

void sl_tcp_half_flush(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_sink *sink)
{
	while (!h->fin && !llist_empty(&h->ooo))
		skip_hole(r, h, sink);
	hole_update(r, h, true);
}

static bool hole_due(const struct sl_tcp_reasm *r, uint64_t since_us, uint64_t now_us)
{
	return r->cfg.hole_timeout_us && now_us >= since_us && now_us - since_us >= r->cfg.hole_timeout_us;
}

struct sl_tcp_half *sl_tcp_reasm_due_hole(struct sl_tcp_reasm *r, uint64_t now_us)
{
	struct sl_tcp_half *h = llist_first_entry_or_null(&r->holes, struct sl_tcp_half, hole);

	return h && hole_due(r, h->hole_since_us, now_us) ? h : NULL;
}

const struct llist_head *sl_tcp_reasm_holes(const struct sl_tcp_reasm *r)
{
	return &r->holes;
}

void sl_tcp_half_expire(struct sl_tcp_reasm *r, struct sl_tcp_half *h, uint64_t now_us,
			const struct sl_tcp_sink *sink)
{
	/*
	 * Give up on holes while the oldest held segment is due: after one
	 * hole, the data behind the next may have waited as long. A held FIN
	 * ends the stream and drops the rest, so the loop ends.
	 */
	while (!h->fin && !llist_empty(&h->ooo)) {
		struct held *s;
		uint64_t since = UINT64_MAX;

		llist_for_each_entry(s, &h->ooo, list)
			if (s->arrived_us < since)
				since = s->arrived_us;
		if (!hole_due(r, since, now_us))
			break;
		ctr_inc(r, SL_TCP_CTR_GAP_TIMEOUT);
		skip_hole(r, h, sink);
	}
	hole_update(r, h, true);
}

struct rate_ctr_group *sl_tcp_reasm_ctrs(struct sl_tcp_reasm *r)
{
	return r->ctrs;
}

size_t sl_tcp_reasm_bytes(const struct sl_tcp_reasm *r)
{
	return r->total_bytes;
}
