/*
 * The capture library's TCP tap (capture.h, struct sl_tcp_data): TCP
 * connections on a tap port are reassembled and handed to the consumer as
 * bytes, in order, with gaps and the end of each direction reported.
 *
 * Checked here: bytes of segments in order, out of order and
 * retransmitted come out once and in order, each with the frame that
 * delivered it and the direction's endpoints; a lost segment becomes a GAP
 * of its length at the end of the capture followed by the held bytes, or
 * after the hole timeout of packet time (moved on by another connection's
 * frame) with the held bytes named by their own frame and time; both
 * directions end with END (closed by FINs, flushed at capture end); SIP on
 * other ports still makes SIP events while SIP on a tap port does not;
 * without a callback the tap ports mean nothing. The talloc context
 * returns to its block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>
#include <talloc.h>

#include "capture/capture.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull
#define TAP_PORT 50001
#define CLIENT_PORT 40000
#define ISN_C 1000u
#define ISN_S 9000u
#define MAX_REC 64

struct rec {
	enum sl_tcp_data_kind kind;
	uint64_t flow_id;
	int dir;
	struct sl_endpoint src, dst;
	uint64_t frame;
	uint64_t ts_us;
	size_t len;
	uint32_t gap;
	enum sl_flow_end why;
};

struct tap_fx {
	void *ctx;
	size_t blocks;
	struct sl_capture *cap;
	uint64_t frame_no;
	uint64_t ts_next;	/* time of the next frame when set, else 1 ms per frame */
	unsigned n;
	struct rec r[MAX_REC];
	/* bytes per direction of flow 1, concatenated */
	uint8_t bytes[2][4096];
	size_t nbytes[2];
	unsigned sip_events;
};

static void on_event(const struct sl_event *ev, void *priv)
{
	struct tap_fx *fx = priv;

	if (ev->type == SL_EV_SIP)
		fx->sip_events++;
}

static void on_tcp_data(const struct sl_tcp_data *d, void *priv)
{
	struct tap_fx *fx = priv;
	struct rec *r;

	assert_true(fx->n < MAX_REC);
	r = &fx->r[fx->n++];
	r->kind = d->kind;
	r->flow_id = d->flow_id;
	r->dir = d->dir;
	r->src = d->src;
	r->dst = d->dst;
	r->frame = d->frame;
	r->ts_us = d->ts_us;
	r->len = d->len;
	r->gap = d->gap;
	r->why = d->why;
	if (d->kind == SL_TCP_DATA_BYTES && d->flow_id == 1) {
		assert_true(fx->nbytes[d->dir] + d->len <= sizeof(fx->bytes[0]));
		memcpy(fx->bytes[d->dir] + fx->nbytes[d->dir], d->p, d->len);
		fx->nbytes[d->dir] += d->len;
	}
}

static struct tap_fx *fx_new(bool with_callback)
{
	struct tap_fx *fx = calloc(1, sizeof(*fx));
	struct sl_capture_ops ops = { .event = on_event, .tcp_data = with_callback ? on_tcp_data : NULL };
	struct sl_capture_cfg cfg;

	assert_non_null(fx);
	pfx_global_init();
	sl_capture_cfg_default(&cfg);
	cfg.tcp_tap_ports[0] = TAP_PORT;
	cfg.n_tcp_tap_ports = 1;
	ops.priv = fx;
	fx->ctx = talloc_named_const(NULL, 0, "test_tcp_tap");
	fx->blocks = talloc_total_blocks(fx->ctx);
	fx->cap = sl_capture_alloc(fx->ctx, &cfg, &ops, 0);
	assert_non_null(fx->cap);
	return fx;
}

static void fx_free(struct tap_fx *fx)
{
	sl_capture_free(fx->cap);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
}

/* One TCP segment over IPv4 over Ethernet, client (A) to server (B) when c2s, fed from an exact heap copy. */
static void seg(struct tap_fx *fx, bool c2s, uint16_t server_port, uint32_t seq, uint8_t flags, const void *data,
		size_t len)
{
	static struct pb b;
	struct sl_frame fr;
	uint8_t *copy;

	pb_init(&b, data, len);
	if (c2s) {
		pb_tcp(&b, CLIENT_PORT, server_port, seq, flags);
		pb_ipv4(&b, PFX_A4, PFX_B4);
	} else {
		pb_tcp(&b, server_port, CLIENT_PORT, seq, flags);
		pb_ipv4(&b, PFX_B4, PFX_A4);
	}
	pb_eth(&b);
	copy = malloc(pb_len(&b));
	assert_non_null(copy);
	memcpy(copy, pb_data(&b), pb_len(&b));
	memset(&fr, 0, sizeof(fr));
	fr.ts_us = fx->ts_next ? fx->ts_next : TS0 + fx->frame_no * 1000;
	fx->ts_next = 0;
	fr.number = ++fx->frame_no;
	fr.linktype = DLT_EN10MB;
	fr.data = copy;
	fr.caplen = fr.len = (uint32_t)pb_len(&b);
	sl_capture_frame(fx->cap, &fr);
	free(copy);
}

static void handshake(struct tap_fx *fx)
{
	seg(fx, true, TAP_PORT, ISN_C, 0x02, NULL, 0);
	seg(fx, false, TAP_PORT, ISN_S, 0x12, NULL, 0);
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x10, NULL, 0);
}

static const char stream[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static const struct rec *find(const struct tap_fx *fx, enum sl_tcp_data_kind kind, int dir, unsigned nth)
{
	unsigned i;

	for (i = 0; i < fx->n; i++)
		if (fx->r[i].kind == kind && fx->r[i].dir == dir && nth-- == 0)
			return &fx->r[i];
	return NULL;
}

static void check_client_dir(const struct rec *r)
{
	assert_int_equal(r->src.port, CLIENT_PORT);
	assert_int_equal(r->dst.port, TAP_PORT);
	assert_memory_equal(r->src.addr.a, PFX_A4, 4);
	assert_memory_equal(r->dst.addr.a, PFX_B4, 4);
}

/* In order, both directions, closed by FINs: every byte once, END for both directions. */
static void test_in_order(void **state)
{
	struct tap_fx *fx = fx_new(true);
	const struct rec *r;
	int cdir;

	(void)state;
	handshake(fx);
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, stream, 10);		/* frame 4 */
	seg(fx, true, TAP_PORT, ISN_C + 11, 0x18, stream + 10, 20);	/* frame 5 */
	seg(fx, true, TAP_PORT, ISN_C + 11, 0x18, stream + 10, 20);	/* retransmission */
	seg(fx, false, TAP_PORT, ISN_S + 1, 0x18, "pong", 4);		/* frame 7 */
	seg(fx, true, TAP_PORT, ISN_C + 31, 0x11, NULL, 0);
	seg(fx, false, TAP_PORT, ISN_S + 5, 0x11, NULL, 0);

	r = find(fx, SL_TCP_DATA_BYTES, 0, 0);
	assert_non_null(r);
	cdir = r->src.port == CLIENT_PORT ? 0 : 1;
	r = find(fx, SL_TCP_DATA_BYTES, cdir, 0);
	check_client_dir(r);
	assert_int_equal(r->frame, 4);
	assert_int_equal(r->flow_id, 1);
	r = find(fx, SL_TCP_DATA_BYTES, cdir, 1);
	assert_int_equal(r->frame, 5);
	assert_null(find(fx, SL_TCP_DATA_BYTES, cdir, 2));	/* the retransmission delivered nothing */
	assert_int_equal(fx->nbytes[cdir], 30);
	assert_memory_equal(fx->bytes[cdir], stream, 30);
	assert_int_equal(fx->nbytes[!cdir], 4);
	assert_memory_equal(fx->bytes[!cdir], "pong", 4);
	r = find(fx, SL_TCP_DATA_BYTES, !cdir, 0);
	assert_int_equal(r->frame, 7);
	assert_int_equal(r->src.port, TAP_PORT);

	/* FIN both ways: the flow is gone, both directions ended as closed */
	r = find(fx, SL_TCP_DATA_END, 0, 0);
	assert_non_null(r);
	assert_int_equal(r->why, SL_FLOW_END_CLOSED);
	assert_non_null(find(fx, SL_TCP_DATA_END, 1, 0));
	assert_null(find(fx, SL_TCP_DATA_GAP, cdir, 0));
	assert_int_equal(fx->sip_events, 0);
	fx->n = 0;
	sl_capture_flush(fx->cap);
	assert_int_equal(fx->n, 0);
	fx_free(fx);
}

/* Segments 3, 2, 1: nothing until 1 arrives, then all of it in order at frame of segment 1. */
static void test_out_of_order(void **state)
{
	struct tap_fx *fx = fx_new(true);
	const struct rec *r;
	unsigned i;
	size_t total = 0;

	(void)state;
	handshake(fx);
	seg(fx, true, TAP_PORT, ISN_C + 21, 0x18, stream + 20, 10);	/* frame 4 */
	seg(fx, true, TAP_PORT, ISN_C + 11, 0x18, stream + 10, 10);	/* frame 5 */
	assert_null(find(fx, SL_TCP_DATA_BYTES, 0, 0));
	assert_null(find(fx, SL_TCP_DATA_BYTES, 1, 0));
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, stream, 10);		/* frame 6 */
	for (i = 0; i < fx->n; i++) {
		assert_int_equal(fx->r[i].kind, SL_TCP_DATA_BYTES);
		assert_int_equal(fx->r[i].frame, 6);
		check_client_dir(&fx->r[i]);
		total += fx->r[i].len;
	}
	assert_int_equal(total, 30);
	r = find(fx, SL_TCP_DATA_BYTES, fx->r[0].dir, 0);
	assert_non_null(r);
	assert_memory_equal(fx->bytes[r->dir], stream, 30);

	/* still open at the end of the capture: END with the flush reason */
	sl_capture_flush(fx->cap);
	r = find(fx, SL_TCP_DATA_END, fx->r[0].dir, 0);
	assert_non_null(r);
	assert_int_equal(r->why, SL_FLOW_END_FLUSH);
	fx_free(fx);
}

/* A segment never arrives: at the end, GAP of its length, then the held bytes, then END. */
static void test_gap(void **state)
{
	struct tap_fx *fx = fx_new(true);
	const struct rec *r;
	int cdir;
	unsigned i, gap_at = 0, bytes_after = 0, end_at = 0;

	(void)state;
	handshake(fx);
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, stream, 10);		/* frame 4 */
	/* stream[10..22) lost */
	seg(fx, true, TAP_PORT, ISN_C + 23, 0x18, stream + 22, 8);	/* frame 5, held */
	cdir = fx->r[0].dir;
	assert_int_equal(fx->n, 1);
	sl_capture_flush(fx->cap);
	for (i = 0; i < fx->n; i++) {
		if (fx->r[i].dir != cdir)
			continue;
		if (fx->r[i].kind == SL_TCP_DATA_GAP)
			gap_at = i;
		else if (fx->r[i].kind == SL_TCP_DATA_BYTES && i > 0)
			bytes_after = i;
		else if (fx->r[i].kind == SL_TCP_DATA_END)
			end_at = i;
	}
	r = find(fx, SL_TCP_DATA_GAP, cdir, 0);
	assert_non_null(r);
	assert_int_equal(r->gap, 12);
	check_client_dir(r);
	assert_true(gap_at > 0 && bytes_after > gap_at && end_at > bytes_after);
	assert_int_equal(fx->nbytes[cdir], 18);
	assert_memory_equal(fx->bytes[cdir], stream, 10);
	assert_memory_equal(fx->bytes[cdir] + 10, stream + 22, 8);
	fx_free(fx);
}

static const char invite[] = "INVITE sip:bob@example.com SIP/2.0\r\n"
			     "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
			     "From: <sip:alice@example.com>;tag=a1\r\n"
			     "To: <sip:bob@example.com>\r\n"
			     "Call-ID: tap-1@example.com\r\n"
			     "CSeq: 1 INVITE\r\n"
			     "Content-Length: 0\r\n\r\n";

/* SIP on 5060 is still SIP with a tap configured; SIP on the tap port is tapped, not parsed. */
static void test_sip_untouched(void **state)
{
	struct tap_fx *fx = fx_new(true);

	(void)state;
	seg(fx, true, 5060, ISN_C + 1, 0x18, invite, strlen(invite));
	assert_int_equal(fx->sip_events, 1);
	assert_int_equal(fx->n, 0);
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, invite, strlen(invite));
	assert_int_equal(fx->sip_events, 1);
	assert_non_null(find(fx, SL_TCP_DATA_BYTES, fx->r[0].dir, 0));
	assert_int_equal(fx->r[0].flow_id, 1);	/* the SIP flow took no tap flow id */
	sl_capture_flush(fx->cap);
	fx_free(fx);
}

/* Without a tcp_data callback the tap ports are ignored: SIP there is parsed as usual. */
static void test_no_callback(void **state)
{
	struct tap_fx *fx = fx_new(false);

	(void)state;
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, invite, strlen(invite));
	assert_int_equal(fx->sip_events, 1);
	assert_int_equal(fx->n, 0);
	fx_free(fx);
}

/* A lost segment on a tap connection: given up after the hole timeout, held bytes keep their own frame and time. */
static void test_gap_timeout(void **state)
{
	struct tap_fx *fx = fx_new(true);
	const struct rec *r;
	int cdir;

	(void)state;
	handshake(fx);
	seg(fx, true, TAP_PORT, ISN_C + 1, 0x18, stream, 10);		/* frame 4 */
	/* stream[10..22) lost */
	fx->ts_next = TS0 + 1000000;
	seg(fx, true, TAP_PORT, ISN_C + 23, 0x18, stream + 22, 8);	/* frame 5, held */
	cdir = fx->r[0].dir;
	assert_int_equal(fx->n, 1);
	/* another connection's frame 249 ms later: still waiting */
	fx->ts_next = TS0 + 1000000 + 249000;
	seg(fx, true, TAP_PORT + 1, 77, 0x18, stream, 4);		/* frame 6 */
	assert_int_equal(fx->n, 1);
	fx->ts_next = TS0 + 1000000 + 250000;
	seg(fx, true, TAP_PORT + 1, 81, 0x18, stream, 4);		/* frame 7 */
	r = find(fx, SL_TCP_DATA_GAP, cdir, 0);
	assert_non_null(r);
	assert_int_equal(r->gap, 12);
	assert_int_equal(r->frame, 5);
	assert_int_equal(r->ts_us, TS0 + 1000000);
	r = find(fx, SL_TCP_DATA_BYTES, cdir, 1);
	assert_non_null(r);
	assert_int_equal(r->len, 8);
	assert_int_equal(r->frame, 5);
	assert_int_equal(r->ts_us, TS0 + 1000000);
	assert_int_equal(fx->nbytes[cdir], 18);
	/* the end is still named after the flow's last frame */
	sl_capture_flush(fx->cap);
	r = find(fx, SL_TCP_DATA_END, cdir, 0);
	assert_non_null(r);
	assert_int_equal(r->frame, 5);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_gap_timeout),
		cmocka_unit_test(test_sip_untouched),
		cmocka_unit_test(test_no_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
