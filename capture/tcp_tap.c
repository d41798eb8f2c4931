/*
 * The TCP tap (see struct sl_tcp_data in capture.h): connections on ports
 * a consumer listed are reassembled and their bytes handed over as they
 * are, for protocols capture/ does not parse itself.
 *
 * A tapped connection lives in the same flow table as SIP over TCP, so it
 * shares the flow cap, the idle timeout, LRU eviction and the reassembler's
 * out-of-order limits and counters; nothing here buffers stream bytes (the
 * consumer frames them), so the SIP framing byte limit does not apply. A
 * flow is a tap flow exactly when one of its ports is a tap port, which the
 * release callback checks the same way, so the two kinds of flow never mix
 * up their per-flow state.
 *
 * Bytes are handed over with the frame they came in, so bytes held behind
 * a hole carry their own time when the hole is given up on (after the
 * reassembler's hole timeout, checked for all TCP flows here).
 */
#include <talloc.h>

#include "capture/capture_int.h"

#define IPPROTO_TCP_ 6

/* Per-flow state (sl_flow.app), a talloc child of the pipeline. */
struct tcp_tap {
	uint64_t id;
	/* where the flow was last seen, to name the frame of what is delivered at its end */
	uint32_t last_source;
	uint64_t last_frame;
};

struct tap_ctx {
	struct sl_capture *cap;
	const struct sl_flow *f;
	const struct tcp_tap *tt;
	int dir;
	uint64_t ts_us;
	uint32_t source;
	uint64_t frame;
};

static bool port_set(const uint8_t *bits, uint16_t port)
{
	return bits[port >> 3] & (1u << (port & 7));
}

bool sl_tcp_tap_port(const struct sl_capture *cap, uint16_t sport, uint16_t dport)
{
	return port_set(cap->tap_port_bits, sport) || port_set(cap->tap_port_bits, dport);
}

static void tap_emit(struct tap_ctx *tc, struct sl_tcp_data *td)
{
	td->flow_id = tc->tt->id;
	td->dir = tc->dir;
	td->src = tc->dir ? tc->f->key.hi : tc->f->key.lo;
	td->dst = tc->dir ? tc->f->key.lo : tc->f->key.hi;
	td->ts_us = tc->ts_us;
	td->source = tc->source;
	td->frame = tc->frame;
	tc->cap->ops.tcp_data(td, tc->cap->ops.priv);
}

/* Name the frame the bytes came in. */
static void tap_at(struct tap_ctx *tc, const struct sl_tcp_origin *at)
{
	tc->ts_us = at->ts_us;
	tc->source = at->source;
	tc->frame = at->frame;
}

static void on_data(void *priv, const uint8_t *p, size_t n, const struct sl_tcp_origin *at)
{
	struct sl_tcp_data td = { .kind = SL_TCP_DATA_BYTES, .p = p, .len = n };

	tap_at(priv, at);
	tap_emit(priv, &td);
}

static void on_gap(void *priv, uint32_t n, const struct sl_tcp_origin *at)
{
	struct sl_tcp_data td = { .kind = SL_TCP_DATA_GAP, .gap = n };

	tap_at(priv, at);
	tap_emit(priv, &td);
}

void sl_tcp_tap_segment(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			const struct sl_tcp_seg *seg)
{
	struct sl_capture *cap = d->cap;
	struct tap_ctx tc = { .cap = cap, .ts_us = d->frame->ts_us, .source = d->frame->source,
			      .frame = d->frame->number };
	const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &tc };
	struct tcp_tap *tt;
	struct sl_flow *f;
	int dir;

	/* a new flow starts with a SYN or data; a bare ACK, FIN or RST of a flow already gone starts nothing */
	f = sl_flow_lookup(cap->flows, src, dst, IPPROTO_TCP_,
			   !(seg->flags & SL_TCP_RST) && (seg->len || (seg->flags & SL_TCP_SYN)), cap->now_us, &dir);
	if (!f)
		return;
	tt = f->app;
	if (!tt) {
		tt = talloc_zero(cap, struct tcp_tap);
		if (!tt) {
			sl_flow_remove(cap->flows, f, SL_FLOW_END_EVICTED);
			return;
		}
		tt->id = ++cap->tap_flows;
		f->app = tt;
	}
	tt->last_source = d->frame->source;
	tt->last_frame = d->frame->number;
	tc.f = f;
	tc.tt = tt;
	tc.dir = dir;
	sl_tcp_half_segment(cap->tcp, &f->half[dir], seg, &sink);
	if ((seg->flags & SL_TCP_RST) || (f->half[0].fin && f->half[1].fin))
		sl_flow_remove(cap->flows, f, SL_FLOW_END_CLOSED);
}

/*
 * However the flow ends, bytes held behind a hole are delivered (after a
 * GAP) before END: nothing will fill the hole now, and a consumer loses
 * less by resynchronising than by never seeing them.
 */
static void tap_release(struct sl_capture *cap, struct sl_flow *f, enum sl_flow_end why)
{
	struct tcp_tap *tt = f->app;
	int i;

	if (!tt)
		return;
	for (i = 0; i < 2; i++) {
		struct tap_ctx tc = { .cap = cap, .f = f, .tt = tt, .dir = i };
		const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &tc };
		struct sl_tcp_data td = { .kind = SL_TCP_DATA_END, .why = why };

		sl_tcp_half_flush(cap->tcp, &f->half[i], &sink);
		/* the end is named after the flow's last frame */
		tc.ts_us = f->last_us;
		tc.source = tt->last_source;
		tc.frame = tt->last_frame;
		tap_emit(&tc, &td);
	}
	talloc_free(tt);
	f->app = NULL;
}

void sl_tcp_flow_release(struct sl_flow *f, enum sl_flow_end why, void *priv)
{
	struct sl_capture *cap = priv;

	if (sl_tcp_tap_port(cap, f->key.lo.port, f->key.hi.port))
		tap_release(cap, f, why);
	else
		sl_sip_stream_release(f, why, priv);
}

static void tap_hole_due(struct sl_capture *cap, struct sl_flow *f, int dir)
{
	struct tcp_tap *tt = f->app;
	struct tap_ctx tc = { .cap = cap, .f = f, .tt = tt, .dir = dir };
	const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &tc };

	sl_tcp_half_expire(cap->tcp, &f->half[dir], cap->now_us, tt ? &sink : NULL);
	if (f->half[0].fin && f->half[1].fin)
		sl_flow_remove(cap->flows, f, SL_FLOW_END_CLOSED);
}

void sl_tcp_expire_holes(struct sl_capture *cap)
{
	struct sl_tcp_half *h, *prev = NULL;

	while ((h = sl_tcp_reasm_due_hole(cap->tcp, cap->now_us))) {
		struct sl_flow *f = sl_flow_of_half(h);
		int dir = h->dir;

		/* sl_tcp_half_expire always takes a due direction off the head; never loop on one */
		if (h == prev)
			break;
		prev = h;
		if (sl_tcp_tap_port(cap, f->key.lo.port, f->key.hi.port))
			tap_hole_due(cap, f, dir);
		else
			sl_sip_stream_hole_due(cap, f, dir);
	}
}
