/*
 * Unit tests for capture/tcp_reassembly.c: in-order delivery,
 * retransmissions, out-of-order fill, overlap trimming (checked byte by
 * byte), sequence wrap-around, mid-stream start, SYN/FIN sequence
 * accounting, giving up on holes at the per-direction and global limits
 * (the gap callback must hear the exact number of missing bytes), flush
 * and release, and giving up on holes after the packet-time hole timeout
 * with each delivered run naming the frame it came in. Every test checks that the talloc block count of its
 * context returns to the start value once everything is freed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>

#include "capture/log.h"
#include "capture/tcp_reassembly.h"

#define SINK_MAX 8192
#define EV_MAX 64

/* What the sink heard: the byte stream, and gaps as events in order with the data. */
struct collector {
	uint8_t buf[SINK_MAX];
	size_t len;
	unsigned calls;
	uint64_t ts[EV_MAX];	/* origin time of each data call */
	struct {
		size_t at;	/* stream offset the gap was reported at */
		uint32_t n;
	} gaps[EV_MAX];
	unsigned ngaps;
};

struct fixture {
	void *ctx;
	size_t blocks;
	struct sl_tcp_reasm_cfg cfg;
	struct sl_tcp_reasm *r;
	struct sl_tcp_half h[2];
	struct collector col[2];
	struct sl_tcp_sink sink[2];
};

static void on_data(void *priv, const uint8_t *p, size_t n, const struct sl_tcp_origin *at)
{
	struct collector *c = priv;

	assert_true(n > 0);
	assert_true(c->len + n <= SINK_MAX);
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	if (c->calls < EV_MAX)
		c->ts[c->calls] = at ? at->ts_us : 0;
	c->calls++;
}

static void on_gap(void *priv, uint32_t n, const struct sl_tcp_origin *at)
{
	struct collector *c = priv;

	(void)at;
	assert_true(c->ngaps < EV_MAX);
	c->gaps[c->ngaps].at = c->len;
	c->gaps[c->ngaps].n = n;
	c->ngaps++;
}

static int setup_cfg(void **state, const struct sl_tcp_reasm_cfg *cfg)
{
	struct fixture *fx = talloc_zero(NULL, struct fixture);
	int i;

	fx->ctx = talloc_named_const(NULL, 0, "test_tcp_reassembly");
	fx->blocks = talloc_total_blocks(fx->ctx);
	if (cfg)
		fx->cfg = *cfg;
	else
		sl_tcp_reasm_cfg_default(&fx->cfg);
	fx->r = sl_tcp_reasm_alloc(fx->ctx, &fx->cfg, 0);
	if (!fx->r)
		return -1;
	for (i = 0; i < 2; i++) {
		sl_tcp_half_init(&fx->h[i]);
		fx->sink[i].data = on_data;
		fx->sink[i].gap = on_gap;
		fx->sink[i].priv = &fx->col[i];
	}
	*state = fx;
	return 0;
}

static int setup(void **state)
{
	return setup_cfg(state, NULL);
}

/* 100 bytes / 4 segments per direction, 150 bytes in total. */
static int setup_small(void **state)
{
	struct sl_tcp_reasm_cfg cfg = { .max_dir_ooo_bytes = 100, .max_dir_ooo_segments = 4, .max_total_bytes = 150 };

	return setup_cfg(state, &cfg);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sl_tcp_half_release(fx->r, &fx->h[0]);
	sl_tcp_half_release(fx->r, &fx->h[1]);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
	sl_tcp_reasm_free(fx->r);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	talloc_free(fx);
	return 0;
}

static void seg(struct fixture *fx, int dir, uint32_t seq, uint8_t flags, const void *data, size_t len)
{
	struct sl_tcp_seg s = { .seq = seq, .flags = flags, .data = data, .len = len };

	sl_tcp_half_segment(fx->r, &fx->h[dir], &s, &fx->sink[dir]);
}

/* A data segment carried by a frame of time ts_us, arriving at pipeline time ts_us. */
static void seg_at(struct fixture *fx, uint32_t seq, const char *data, uint64_t ts_us)
{
	struct sl_tcp_seg s = { .seq = seq, .data = (const uint8_t *)data, .len = strlen(data),
				.at = { .ts_us = ts_us, .frame = ts_us }, .now_us = ts_us };

	sl_tcp_half_segment(fx->r, &fx->h[0], &s, &fx->sink[0]);
}

static uint64_t ctr(struct fixture *fx, enum sl_tcp_ctr c);

/*
 * A lost segment, then quiet: the hole is given up on hole_timeout_us after
 * the first segment behind it arrived (not when the next one comes), the
 * bytes behind it carry their own frame's time, a second hole behind the
 * first gets its own full timeout, and a hole wider than the hold window
 * counts as a sequence jump, not as bytes.
 */
static void test_hole_timeout(void **state)
{
	struct fixture *fx = *state;

	seg_at(fx, 1000, "AAAA", 1000);
	seg_at(fx, 1008, "CCCC", 2000);				/* 1004..1008 lost */
	assert_int_equal(fx->col[0].len, 4);
	assert_null(sl_tcp_reasm_due_hole(fx->r, 2000 + 249999));
	assert_ptr_equal(sl_tcp_reasm_due_hole(fx->r, 2000 + 250000), &fx->h[0]);
	sl_tcp_half_expire(fx->r, &fx->h[0], 2000 + 250000, &fx->sink[0]);
	assert_int_equal(fx->col[0].ngaps, 1);
	assert_int_equal(fx->col[0].gaps[0].n, 4);
	assert_int_equal(fx->col[0].len, 8);
	assert_int_equal(fx->col[0].ts[1], 2000);		/* its own frame, not the expiry time */
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_TIMEOUT), 1);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 4);
	assert_null(sl_tcp_reasm_due_hole(fx->r, UINT64_MAX));

	/* two holes: the second one's data waits its own timeout */
	seg_at(fx, 1016, "EEEE", 300000);			/* 1012..1016 lost */
	seg_at(fx, 1024, "GGGG", 400000);			/* 1020..1024 lost */
	assert_ptr_equal(sl_tcp_reasm_due_hole(fx->r, 550000), &fx->h[0]);
	sl_tcp_half_expire(fx->r, &fx->h[0], 550000, &fx->sink[0]);
	assert_int_equal(fx->col[0].len, 12);
	assert_int_equal(fx->col[0].ts[2], 300000);
	assert_null(sl_tcp_reasm_due_hole(fx->r, 649999));
	assert_ptr_equal(sl_tcp_reasm_due_hole(fx->r, 650000), &fx->h[0]);
	sl_tcp_half_expire(fx->r, &fx->h[0], 650000, &fx->sink[0]);
	assert_int_equal(fx->col[0].len, 16);
	assert_int_equal(fx->col[0].ts[3], 400000);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_TIMEOUT), 3);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 12);

	/* a jump far past the hold window: a hole, but not counted as lost bytes */
	seg_at(fx, 1028 + 10u * 1000 * 1000, "JJJJ", 700000);
	sl_tcp_half_expire(fx->r, &fx->h[0], 950000, &fx->sink[0]);
	assert_int_equal(fx->col[0].len, 20);
	assert_int_equal(ctr(fx, SL_TCP_CTR_DESYNC), 1);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 12);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP), 4);
}

/* Holes of two directions come due oldest first; a filled hole leaves the list. */
static void test_hole_order(void **state)
{
	struct fixture *fx = *state;
	struct sl_tcp_seg a = { .seq = 10, .data = (const uint8_t *)"xx", .len = 2, .now_us = 100 };
	struct sl_tcp_seg b = { .seq = 50, .data = (const uint8_t *)"yy", .len = 2, .now_us = 200 };

	sl_tcp_half_segment(fx->r, &fx->h[1], &a, &fx->sink[1]);
	sl_tcp_half_segment(fx->r, &fx->h[0], &a, &fx->sink[0]);
	a.seq = 20;
	a.now_us = 150;
	b.seq = 60;
	sl_tcp_half_segment(fx->r, &fx->h[1], &b, &fx->sink[1]);	/* held at 200 */
	sl_tcp_half_segment(fx->r, &fx->h[0], &a, &fx->sink[0]);	/* held at 150 */
	assert_ptr_equal(sl_tcp_reasm_due_hole(fx->r, 150 + 250000), &fx->h[0]);
	/* the hole of h[0] fills before it is due: only h[1] remains */
	a.seq = 12;
	a.data = (const uint8_t *)"12345678";
	a.len = 8;
	sl_tcp_half_segment(fx->r, &fx->h[0], &a, &fx->sink[0]);
	assert_int_equal(fx->col[0].len, 12);
	assert_null(sl_tcp_reasm_due_hole(fx->r, 150 + 250000));
	assert_ptr_equal(sl_tcp_reasm_due_hole(fx->r, 200 + 250000), &fx->h[1]);
}

static uint64_t ctr(struct fixture *fx, enum sl_tcp_ctr c)
{
	return rate_ctr_group_get_ctr(sl_tcp_reasm_ctrs(fx->r), c)->current;
}

static void expect_stream(struct fixture *fx, int dir, const void *want, size_t len)
{
	assert_int_equal(fx->col[dir].len, len);
	assert_memory_equal(fx->col[dir].buf, want, len);
}

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 13 + (i >> 8));
}

static void test_in_order(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 1000, SL_TCP_SYN, NULL, 0);
	assert_true(fx->h[0].synced);
	assert_int_equal(fx->h[0].next_seq, 1001);
	seg(fx, 0, 1001, SL_TCP_ACK, "hello", 5);
	seg(fx, 0, 1006, SL_TCP_ACK, " world", 6);
	seg(fx, 0, 1012, SL_TCP_ACK, NULL, 0);	/* pure ACK */
	expect_stream(fx, 0, "hello world", 11);
	assert_int_equal(fx->col[0].calls, 2);	/* straight from the segments, one call each */
	assert_int_equal(fx->h[0].next_seq, 1012);
	assert_int_equal(ctr(fx, SL_TCP_CTR_SEGMENTS), 4);
	assert_int_equal(ctr(fx, SL_TCP_CTR_BYTES), 11);
	assert_int_equal(ctr(fx, SL_TCP_CTR_MIDSTREAM), 0);
	assert_int_equal(ctr(fx, SL_TCP_CTR_OUT_OF_ORDER), 0);
	assert_int_equal(fx->col[0].ngaps, 0);
}

static void test_retransmit(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 1, 0, "abcdef", 6);
	seg(fx, 0, 1, 0, "abcdef", 6);
	seg(fx, 0, 3, 0, "cd", 2);
	/* Retransmission with other bytes: the delivered ones stand. */
	seg(fx, 0, 1, 0, "XXXXXX", 6);
	seg(fx, 0, 7, 0, "gh", 2);
	expect_stream(fx, 0, "abcdefgh", 8);
	assert_int_equal(ctr(fx, SL_TCP_CTR_RETRANSMIT), 3);
	assert_int_equal(ctr(fx, SL_TCP_CTR_BYTES), 8);
}

static void test_out_of_order_fill(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 99, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 110, 0, "KLMNOPQRST", 10);
	seg(fx, 0, 120, 0, "UVWXYZ", 6);
	assert_int_equal(fx->col[0].len, 0);
	assert_int_equal(fx->h[0].ooo_segments, 2);
	assert_int_equal(fx->h[0].ooo_bytes, 16);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 16);
	seg(fx, 0, 100, 0, "ABCDEFGHIJ", 10);
	expect_stream(fx, 0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	assert_int_equal(fx->h[0].ooo_segments, 0);
	assert_int_equal(fx->h[0].ooo_bytes, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
	assert_int_equal(fx->h[0].next_seq, 126);
	assert_int_equal(ctr(fx, SL_TCP_CTR_OUT_OF_ORDER), 2);
	assert_int_equal(ctr(fx, SL_TCP_CTR_BYTES), 26);
	assert_int_equal(fx->col[0].ngaps, 0);
}

static void test_overlap_trimming(void **state)
{
	struct fixture *fx = *state;
	uint8_t a[30], want[80];

	memset(a, 'A', sizeof(a));
	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);

	/* Held [10,20) 'B', then in-order [0,30) 'A': held bytes win in the middle. */
	seg(fx, 0, 11, 0, "BBBBBBBBBB", 10);
	seg(fx, 0, 1, 0, a, 30);
	memset(want, 'A', 10);
	memset(want + 10, 'B', 10);
	memset(want + 20, 'A', 10);
	expect_stream(fx, 0, want, 30);
	assert_int_equal(ctr(fx, SL_TCP_CTR_OVERLAP), 1);

	/* Front overlap with delivered bytes: [25,35) 'C' keeps only [30,35). */
	seg(fx, 0, 26, 0, "CCCCCCCCCC", 10);
	memset(want + 30, 'C', 5);
	expect_stream(fx, 0, want, 35);
	assert_int_equal(ctr(fx, SL_TCP_CTR_OVERLAP), 2);

	/* Out-of-order overlapping out-of-order: held [45,50) 'E' stays, new [40,55) 'F' fills around it. */
	seg(fx, 0, 46, 0, "EEEEE", 5);
	seg(fx, 0, 41, 0, "FFFFFFFFFFFFFFF", 15);
	assert_int_equal(fx->h[0].ooo_bytes, 15);
	assert_int_equal(fx->h[0].ooo_segments, 3);
	assert_int_equal(ctr(fx, SL_TCP_CTR_OVERLAP), 3);
	/* Fully covered by held bytes: nothing new. */
	seg(fx, 0, 42, 0, "GGGG", 4);
	assert_int_equal(ctr(fx, SL_TCP_CTR_RETRANSMIT), 1);
	/* Fill [35,42) with 'H' (its last two bytes overlap held 'F'). */
	seg(fx, 0, 36, 0, "HHHHHHH", 7);
	memset(want + 35, 'H', 5);
	memset(want + 40, 'F', 5);
	memset(want + 45, 'E', 5);
	memset(want + 50, 'F', 5);
	expect_stream(fx, 0, want, 55);
	assert_int_equal(fx->h[0].ooo_segments, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);

	/* A held segment longer than the in-order one that reaches it: all of it is delivered. */
	seg(fx, 0, 58, 0, "JJJJJJJJ", 8);	/* [57,65) */
	seg(fx, 0, 56, 0, "III", 3);		/* [55,58): last byte overlaps */
	memset(want + 55, 'I', 2);
	memset(want + 57, 'J', 8);
	expect_stream(fx, 0, want, 65);
	assert_int_equal(fx->h[0].next_seq, 66);
}

static void test_wraparound(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[64];

	fill_pattern(p, sizeof(p), 1);
	/* ISN 2^32 - 17: data starts at 2^32 - 16 and crosses zero. */
	seg(fx, 0, 0xffffffefu, SL_TCP_SYN, NULL, 0);
	assert_int_equal(fx->h[0].next_seq, 0xfffffff0u);
	seg(fx, 0, 0xfffffff0u, 0, p, 8);
	/* Out of order across the wrap: [2^32-8, 2^32+8) is held until... */
	seg(fx, 0, 16, 0, p + 32, 16);
	seg(fx, 0, 0xfffffff8u + 16, 0, p + 24, 8);	/* = seq 8 */
	assert_int_equal(fx->h[0].ooo_segments, 2);
	seg(fx, 0, 0xfffffff8u, 0, p + 8, 16);	/* ...this fills [2^32-8, 8) */
	expect_stream(fx, 0, p, 48);
	assert_int_equal(fx->h[0].next_seq, 32);
	/* A retransmission from before the wrap is recognised as old. */
	seg(fx, 0, 0xfffffff0u, 0, p, 8);
	assert_int_equal(ctr(fx, SL_TCP_CTR_RETRANSMIT), 1);
	/* Overlap across the wrap: [2^32-4, 40) trims to [32,40). */
	seg(fx, 0, 0xfffffffcu, 0, p + 12, 44);
	expect_stream(fx, 0, p, 56);
}

static void test_midstream(void **state)
{
	struct fixture *fx = *state;

	/* Pure ACKs and keepalives do not synchronise. */
	seg(fx, 0, 5000, SL_TCP_ACK, NULL, 0);
	seg(fx, 0, 4999, SL_TCP_ACK | SL_TCP_FIN, NULL, 0);
	assert_false(fx->h[0].synced);
	seg(fx, 0, 5000, SL_TCP_ACK, "INVITE", 6);
	assert_true(fx->h[0].synced);
	assert_int_equal(ctr(fx, SL_TCP_CTR_MIDSTREAM), 1);
	seg(fx, 0, 5006, SL_TCP_ACK, " sip:", 5);
	/* Older bytes than the first one seen cannot be placed any more. */
	seg(fx, 0, 4990, SL_TCP_ACK, "0123456789", 10);
	expect_stream(fx, 0, "INVITE sip:", 11);
	assert_int_equal(ctr(fx, SL_TCP_CTR_RETRANSMIT), 1);
	assert_int_equal(ctr(fx, SL_TCP_CTR_MIDSTREAM), 1);
}

static void test_syn_fin_accounting(void **state)
{
	struct fixture *fx = *state;

	/* SYN with data (Fast Open): the data starts after the SYN's sequence number. */
	seg(fx, 0, 100, SL_TCP_SYN, "ab", 2);
	expect_stream(fx, 0, "ab", 2);
	assert_int_equal(fx->h[0].next_seq, 103);
	/* Retransmitted SYN changes nothing. */
	seg(fx, 0, 100, SL_TCP_SYN, "ab", 2);
	assert_int_equal(fx->h[0].next_seq, 103);
	seg(fx, 0, 103, SL_TCP_ACK, "cdef", 4);
	/* FIN alone: takes one sequence number. */
	seg(fx, 0, 107, SL_TCP_FIN | SL_TCP_ACK, NULL, 0);
	assert_true(fx->h[0].fin);
	assert_int_equal(fx->h[0].next_seq, 108);
	/* After FIN: a retransmitted FIN and stray data are not delivered. */
	seg(fx, 0, 107, SL_TCP_FIN, NULL, 0);
	seg(fx, 0, 108, 0, "zz", 2);
	expect_stream(fx, 0, "abcdef", 6);
	assert_int_equal(ctr(fx, SL_TCP_CTR_RETRANSMIT), 3);
	assert_int_equal(ctr(fx, SL_TCP_CTR_BYTES), 6);

	/* Other direction: FIN carried with data, arriving before the bytes before it. */
	seg(fx, 1, 5000, SL_TCP_SYN | SL_TCP_ACK, NULL, 0);
	seg(fx, 1, 5006, SL_TCP_FIN | SL_TCP_ACK, "world", 5);
	assert_false(fx->h[1].fin);
	assert_int_equal(fx->h[1].ooo_segments, 2);	/* the data and the FIN marker */
	assert_int_equal(fx->h[1].ooo_bytes, 5);
	/* Bytes past a held FIN are not stream bytes. */
	seg(fx, 1, 5009, 0, "XXXXXX", 6);
	assert_int_equal(ctr(fx, SL_TCP_CTR_LIMIT_DROP), 1);
	assert_int_equal(fx->h[1].ooo_bytes, 5);
	seg(fx, 1, 5001, SL_TCP_ACK, "hello", 5);
	expect_stream(fx, 1, "helloworld", 10);
	assert_true(fx->h[1].fin);
	assert_int_equal(fx->h[1].next_seq, 5012);
	assert_int_equal(fx->h[1].ooo_segments, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
}

static void test_fin_out_of_order_alone(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 11, SL_TCP_FIN, NULL, 0);	/* FIN at 11, data [1,11) missing */
	assert_false(fx->h[0].fin);
	assert_int_equal(fx->h[0].ooo_segments, 1);
	/* A second FIN elsewhere: the first one stands. */
	seg(fx, 0, 8, SL_TCP_FIN, NULL, 0);
	assert_int_equal(fx->h[0].ooo_segments, 1);
	seg(fx, 0, 1, 0, "0123456789", 10);
	assert_true(fx->h[0].fin);
	assert_int_equal(fx->h[0].next_seq, 12);
	expect_stream(fx, 0, "0123456789", 10);

	/* A FIN contradicted by bytes held past it is ignored. */
	seg(fx, 1, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 1, 21, 0, "later", 5);
	seg(fx, 1, 1, SL_TCP_FIN, "0123456789", 10);
	assert_false(fx->h[1].fin);
	assert_int_equal(fx->h[1].next_seq, 11);
}

static void test_gap_dir_bytes(void **state)
{
	struct fixture *fx = *state;	/* 100 bytes, 4 segments per direction */
	uint8_t p[200];

	fill_pattern(p, sizeof(p), 2);
	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 1, 0, p, 10);
	/* Lost [10,60); hold [60,120) then [120,180): 120 held bytes > 100. */
	seg(fx, 0, 61, 0, p + 60, 60);
	assert_int_equal(fx->col[0].ngaps, 0);
	seg(fx, 0, 121, 0, p + 120, 60);
	assert_int_equal(fx->col[0].ngaps, 1);
	assert_int_equal(fx->col[0].gaps[0].n, 50);
	assert_int_equal(fx->col[0].gaps[0].at, 10);
	assert_int_equal(fx->col[0].len, 130);
	assert_memory_equal(fx->col[0].buf, p, 10);
	assert_memory_equal(fx->col[0].buf + 10, p + 60, 120);
	assert_int_equal(fx->h[0].next_seq, 181);
	assert_int_equal(fx->h[0].ooo_bytes, 0);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP), 1);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 50);
	/* The lost segment turning up late is old news now. */
	seg(fx, 0, 11, 0, p + 10, 50);
	assert_int_equal(fx->col[0].len, 130);
}

static void test_gap_dir_segments(void **state)
{
	struct fixture *fx = *state;	/* 4 segments per direction */
	uint8_t p[100];
	int i;

	fill_pattern(p, sizeof(p), 3);
	seg(fx, 0, 1000, SL_TCP_SYN, NULL, 0);
	/* Five 2-byte segments, each after a 3-byte hole: [3,5) [8,10) [13,15) [18,20) [23,25). */
	for (i = 0; i < 5; i++)
		seg(fx, 0, 1001 + (uint32_t)(5 * i + 3), 0, p + 5 * i + 3, 2);
	/* The fifth exceeded the segment limit: every hole was given up until back under it. */
	assert_int_equal(fx->col[0].ngaps, 1);
	assert_int_equal(fx->col[0].gaps[0].n, 3);
	assert_int_equal(fx->col[0].len, 2);
	assert_memory_equal(fx->col[0].buf, p + 3, 2);
	assert_int_equal(fx->h[0].ooo_segments, 4);
	/* Flush gives up on the rest, reporting each hole exactly. */
	sl_tcp_half_flush(fx->r, &fx->h[0], &fx->sink[0]);
	assert_int_equal(fx->col[0].ngaps, 5);
	for (i = 1; i < 5; i++) {
		assert_int_equal(fx->col[0].gaps[i].n, 3);
		assert_int_equal(fx->col[0].gaps[i].at, (size_t)(2 * i));
		assert_memory_equal(fx->col[0].buf + 2 * i, p + 5 * i + 3, 2);
	}
	assert_int_equal(fx->col[0].len, 10);
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP), 5);
	/* the sink hears each 3-byte hole exactly; the counter vouches for the largest segment seen, 2 bytes */
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 10);
	assert_int_equal(fx->h[0].ooo_segments, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
}

static void test_gap_global(void **state)
{
	struct fixture *fx = *state;	/* 100 per direction, 150 in total */
	uint8_t p[200];

	fill_pattern(p, sizeof(p), 4);
	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 1, 0x80000000u, SL_TCP_SYN, NULL, 0);
	/* Direction 0 holds 90 bytes after a 7-byte hole: within its own limit. */
	seg(fx, 0, 8, 0, p, 90);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 90);
	/* Direction 1 holds 40 then 30 after a 1000-byte hole: 160 > 150 in total. */
	seg(fx, 1, 0x80000001u + 1000, 0, p, 40);
	assert_int_equal(fx->col[1].ngaps, 0);
	seg(fx, 1, 0x80000001u + 1040, 0, p + 40, 30);
	assert_int_equal(fx->col[1].ngaps, 1);
	assert_int_equal(fx->col[1].gaps[0].n, 1000);
	expect_stream(fx, 1, p, 70);
	/* Direction 0 still holds its bytes: the limit acted on the direction that crossed it. */
	assert_int_equal(fx->col[0].ngaps, 0);
	assert_int_equal(fx->h[0].ooo_bytes, 90);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 90);
	/* 1000 bytes is wider than the 100-byte hold window: a sequence jump, not bytes counted lost */
	assert_int_equal(ctr(fx, SL_TCP_CTR_GAP_BYTES), 0);
	assert_int_equal(ctr(fx, SL_TCP_CTR_DESYNC), 1);
}

static void test_gap_across_wrap(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 0xfffffff0u, 0, "abcd", 4);		/* mid-stream at 2^32 - 16 */
	seg(fx, 0, 4, 0, "wxyz", 4);			/* hole [2^32 - 12, 2^32 + 4): 16 bytes */
	sl_tcp_half_flush(fx->r, &fx->h[0], &fx->sink[0]);
	assert_int_equal(fx->col[0].ngaps, 1);
	assert_int_equal(fx->col[0].gaps[0].n, 16);
	expect_stream(fx, 0, "abcdwxyz", 8);
	assert_int_equal(fx->h[0].next_seq, 8);
}

static void test_flush_with_fin(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 1, 0, "ab", 2);
	seg(fx, 0, 5, SL_TCP_FIN, "ef", 2);	/* seq 5..6 and FIN at 7; seq 3..4 lost */
	sl_tcp_half_flush(fx->r, &fx->h[0], &fx->sink[0]);
	expect_stream(fx, 0, "abef", 4);
	assert_int_equal(fx->col[0].gaps[0].n, 2);
	assert_true(fx->h[0].fin);
	/* Flush with nothing held does nothing. */
	sl_tcp_half_flush(fx->r, &fx->h[0], &fx->sink[0]);
	assert_int_equal(fx->col[0].ngaps, 1);
}

static void test_release_frees(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[64];
	size_t with_reasm = talloc_total_blocks(fx->ctx);
	int i;

	fill_pattern(p, sizeof(p), 5);
	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 1, 0, SL_TCP_SYN, NULL, 0);
	for (i = 0; i < 10; i++) {
		seg(fx, 0, 10 + 6 * (uint32_t)i, 0, p, 4);
		seg(fx, 1, 10 + 6 * (uint32_t)i, 0, p, 4);
	}
	seg(fx, 1, 100, SL_TCP_FIN, NULL, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 80);
	assert_true(talloc_total_blocks(fx->ctx) > with_reasm);
	sl_tcp_half_release(fx->r, &fx->h[0]);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 40);
	sl_tcp_half_release(fx->r, &fx->h[1]);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
	assert_int_equal(talloc_total_blocks(fx->ctx), with_reasm);
	assert_false(fx->h[0].synced);
	assert_int_equal(fx->h[1].ooo_segments, 0);
	/* Releasing twice is harmless; nothing was delivered. */
	sl_tcp_half_release(fx->r, &fx->h[0]);
	assert_int_equal(fx->col[0].len, 0);
	assert_int_equal(fx->col[1].len, 0);
}

static void test_rst_and_refused(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 0, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 1, SL_TCP_RST, "reset reason", 12);
	assert_int_equal(fx->col[0].len, 0);
	assert_int_equal(fx->h[0].next_seq, 1);
	{
		/* Data pointer absent with a length: refused, never read. */
		struct sl_tcp_seg s = { .seq = 1, .data = NULL, .len = 10 };

		sl_tcp_half_segment(fx->r, &fx->h[0], &s, &fx->sink[0]);
	}
	assert_int_equal(ctr(fx, SL_TCP_CTR_LIMIT_DROP), 1);
	seg(fx, 0, 1, 0, "ok", 2);
	expect_stream(fx, 0, "ok", 2);
}

static void test_syn_after_fin_restarts(void **state)
{
	struct fixture *fx = *state;

	seg(fx, 0, 10, SL_TCP_SYN, NULL, 0);
	seg(fx, 0, 11, SL_TCP_FIN, "one", 3);
	assert_true(fx->h[0].fin);
	/* The 4-tuple is reused by a new connection with a new ISN. */
	seg(fx, 0, 90000, SL_TCP_SYN, NULL, 0);
	assert_false(fx->h[0].fin);
	assert_int_equal(fx->h[0].next_seq, 90001);
	seg(fx, 0, 90001, 0, "two", 3);
	expect_stream(fx, 0, "onetwo", 6);
}

static void test_random_reorder(void **state)
{
	struct fixture *fx = *state;
	uint8_t p[2000];
	struct {
		uint32_t off, len;
	} segs[200];
	unsigned n = 0, i, j;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint32_t off = 0, isn = 0xffffff00u;

	/* Overlapping, duplicated, reordered segments of one stream that crosses the wrap. */
	fill_pattern(p, sizeof(p), 6);
	while (off < sizeof(p) && n < 190) {
		uint32_t len;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = 1 + (uint32_t)(x % 40);
		if (off + len > sizeof(p))
			len = (uint32_t)sizeof(p) - off;
		segs[n].off = off;
		segs[n].len = len;
		n++;
		/* Sometimes re-send a stretch that overlaps the previous segment. */
		if (x % 5 == 0 && off >= 10) {
			segs[n].off = off - 10;
			segs[n].len = len + 10;
			n++;
		}
		off += len;
	}
	for (i = n - 1; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		j = (unsigned)(x % (i + 1));
		{
			uint32_t o = segs[i].off, l = segs[i].len;

			segs[i] = segs[j];
			segs[j].off = o;
			segs[j].len = l;
		}
	}
	seg(fx, 0, isn, SL_TCP_SYN, NULL, 0);
	for (i = 0; i < n; i++)
		seg(fx, 0, isn + 1 + segs[i].off, 0, p + segs[i].off, segs[i].len);
	/* Every byte offered equals the original, so whatever wins, the stream is exact. */
	expect_stream(fx, 0, p, off);
	assert_int_equal(fx->col[0].ngaps, 0);
	assert_int_equal(sl_tcp_reasm_bytes(fx->r), 0);
}

static const struct log_info test_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static int group_setup(void **state)
{
	log_init(&test_log_info, NULL);
	return 0;
}

static int group_teardown(void **state)
{
	log_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retransmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_trimming, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_midstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_fin_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_out_of_order_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_dir_bytes, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_gap_dir_segments, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_gap_global, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_gap_across_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_with_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_and_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_after_fin_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hole_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hole_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
