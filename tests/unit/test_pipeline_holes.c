/*
 * Pipeline tests, lost TCP segments on a persistent signalling connection:
 * when, not only what.
 *
 * A mirror port drops a segment of a SIP connection that then stays up for
 * hours with little traffic. The message after the hole must be reported
 * within the hole timeout of packet time (whatever frame of the capture
 * moves the clock, not only this connection's next one), with the time and
 * frame number of its own frame; the message cut by the hole is lost and
 * counted; later messages carry their own times. The same for SIP over
 * WebSocket, and with the timeout off, for data given up at capture end.
 * Every assertion is on an event's time and frame, not only its presence.
 * Last, garbage sequence numbers: holes that are jumps must not count as
 * gigabytes of lost bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/tcp_reassembly.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull
#define MS 1000ull
#define SEC 1000000ull
#define HOUR (3600ull * SEC)
#define ISN 1000u

/* A frame on the connection A:40000 -> B:dport carrying data at stream offset off. */
static void seg(struct pfx *f, uint16_t dport, const void *data, size_t len, size_t off, uint8_t flags, uint64_t ts)
{
	static struct pb b;

	pb_init(&b, data, len);
	pb_tcp(&b, 40000, dport, ISN + 1 + (uint32_t)off, flags);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

/* A frame of some other host pair (UDP, not SIP, not media): it only moves packet time on. */
static void other_traffic(struct pfx *f, uint64_t ts)
{
	static struct pb b;
	static const uint8_t junk[16] = { 0x42 };

	pb_init(&b, junk, sizeof(junk));
	pb_udp(&b, 7000, 7001);
	pb_ipv4(&b, PFX_C4, PFX_D4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static size_t message(char *buf, size_t size, const char *call_id)
{
	return pfx_sip(buf, size, "MESSAGE sip:bob@example.com", call_id, 1, "MESSAGE", "ft", NULL, NULL, "text/plain",
		       "hello");
}

/* The SIP event for call_id: exactly one, with this time and frame. */
static void expect_sip(const struct pfx *f, const char *call_id, uint64_t ts, uint64_t frame)
{
	unsigned i, found = 0;

	for (i = 0; i < f->n_ev; i++) {
		const struct rec_event *e = &f->ev[i];
		if (e->type != SL_EV_SIP || strcmp(e->call_id, call_id))
			continue;
		assert_int_equal(e->ts_us, ts);
		assert_int_equal(e->frame, frame);
		found++;
	}
	if (found != 1)
		print_error("%s: %u events\n", call_id, found);
	assert_int_equal(found, 1);
}

static bool has_sip(const struct pfx *f, const char *call_id)
{
	unsigned i;

	for (i = 0; i < f->n_ev; i++)
		if (f->ev[i].type == SL_EV_SIP && !strcmp(f->ev[i].call_id, call_id))
			return true;
	return false;
}

/*
 * The connection: m1 whole (frame 2); m2 in two segments, the first lost;
 * m3 whole (frame 4), held behind the hole; then three hours with a CRLF
 * keep-alive pair every 30 minutes and m4 at the end.
 */
static void test_sip_hole_then_hours_of_quiet(void **state)
{
	struct pfx *f = pfx_new(NULL);
	char m1[1024], m2[1024], m3[1024], m4[1024];
	size_t n1 = message(m1, sizeof(m1), "hole-1@example.com");
	size_t n2 = message(m2, sizeof(m2), "hole-2@example.com");
	size_t n3 = message(m3, sizeof(m3), "hole-3@example.com");
	size_t n4, off, cut = n2 / 2;
	uint64_t t, frame;
	int k;

	(void)state;
	seg(f, 5060, NULL, 0, (size_t)-1, 0x02, TS0);				/* frame 1: SYN */
	seg(f, 5060, m1, n1, 0, 0x18, TS0 + 1 * SEC);				/* frame 2 */
	expect_sip(f, "hole-1@example.com", TS0 + 1 * SEC, 2);
	/* m2[0..cut) is lost by the mirror */
	seg(f, 5060, m2 + cut, n2 - cut, n1 + cut, 0x18, TS0 + 2 * SEC);	/* frame 3 */
	seg(f, 5060, m3, n3, n1 + n2, 0x18, TS0 + 2 * SEC + 100 * MS);		/* frame 4 */
	assert_false(has_sip(f, "hole-3@example.com"));

	/* 249 ms after the first segment behind the hole: still waiting for a retransmission */
	other_traffic(f, TS0 + 2 * SEC + 249 * MS);				/* frame 5 */
	assert_false(has_sip(f, "hole-3@example.com"));
	/* 250 ms: given up, on another connection's frame; m3 keeps its own time and frame */
	other_traffic(f, TS0 + 2 * SEC + 250 * MS);				/* frame 6 */
	expect_sip(f, "hole-3@example.com", TS0 + 2 * SEC + 100 * MS, 4);
	assert_false(has_sip(f, "hole-2@example.com"));
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP_TIMEOUT), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP_BYTES), cut);
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_STREAM_GAP), 1);
	/* the rest of m2 was skipped to reach m3's request line */
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_STREAM_RESYNC_BYTES), n2 - cut);

	/* hours of quiet: keep-alives every 30 minutes, nothing else */
	off = n1 + n2 + n3;
	frame = 6;
	for (k = 1; k <= 6; k++) {
		seg(f, 5060, "\r\n\r\n", 4, off, 0x18, TS0 + 2 * SEC + (uint64_t)k * HOUR / 2);
		off += 4;
		frame++;
	}
	t = TS0 + 3 * HOUR + 5 * SEC;
	n4 = message(m4, sizeof(m4), "hole-4@example.com");
	seg(f, 5060, m4, n4, off, 0x18, t);
	frame++;
	expect_sip(f, "hole-4@example.com", t, frame);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP), 1);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 3);
	pfx_free(f);
}

/* A retransmission that fills the hole in time: the held message is complete with the filling frame. */
static void test_sip_hole_filled_in_time(void **state)
{
	struct pfx *f = pfx_new(NULL);
	char m1[1024], m2[1024];
	size_t n1 = message(m1, sizeof(m1), "fill-1@example.com");
	size_t n2 = message(m2, sizeof(m2), "fill-2@example.com");

	(void)state;
	seg(f, 5060, NULL, 0, (size_t)-1, 0x02, TS0);			/* frame 1: SYN */
	seg(f, 5060, m2, n2, n1, 0x18, TS0 + 10 * MS);			/* frame 2: held */
	seg(f, 5060, m1, n1, 0, 0x18, TS0 + 200 * MS);			/* frame 3: fills the hole */
	expect_sip(f, "fill-1@example.com", TS0 + 200 * MS, 3);
	expect_sip(f, "fill-2@example.com", TS0 + 200 * MS, 3);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP), 0);
	pfx_free(f);
}

/* Timeout off: the hole ends with the capture, and the message behind it keeps its own time. */
static void test_sip_hole_at_capture_end(void **state)
{
	struct sl_capture_cfg cfg;
	struct pfx *f;
	char m1[1024], m2[1024], m3[1024];
	size_t n1 = message(m1, sizeof(m1), "end-1@example.com");
	size_t n2 = message(m2, sizeof(m2), "end-2@example.com");
	size_t n3 = message(m3, sizeof(m3), "end-3@example.com");

	(void)state;
	sl_capture_cfg_default(&cfg);
	cfg.tcp.hole_timeout_us = 0;
	f = pfx_new(&cfg);
	seg(f, 5060, NULL, 0, (size_t)-1, 0x02, TS0);			/* frame 1 */
	seg(f, 5060, m1, n1, 0, 0x18, TS0 + 1 * SEC);			/* frame 2 */
	seg(f, 5060, m3, n3, n1 + n2, 0x18, TS0 + 2 * SEC);		/* frame 3: m2 lost entirely */
	other_traffic(f, TS0 + 100 * SEC);				/* frame 4: flows idle only after 300 s */
	assert_false(has_sip(f, "end-3@example.com"));
	sl_capture_flush(f->cap);
	expect_sip(f, "end-3@example.com", TS0 + 2 * SEC, 3);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP_TIMEOUT), 0);
	pfx_free(f);
}

/* A masked WebSocket text frame around payload; returns its length. */
static size_t ws_frame(uint8_t *out, const char *payload, size_t len)
{
	size_t h = 0;

	out[h++] = 0x81;
	if (len < 126) {
		out[h++] = (uint8_t)(0x80 | len);
	} else {
		out[h++] = 0x80 | 126;
		out[h++] = (uint8_t)(len >> 8);
		out[h++] = (uint8_t)len;
	}
	memset(out + h, 0, 4); /* a zero mask leaves the payload as it is */
	h += 4;
	memcpy(out + h, payload, len);
	return h + len;
}

/* SIP over WebSocket: a lost frame, the next message reported within the timeout with its own time. */
static void test_ws_hole(void **state)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Protocol: sip\r\n\r\n";
	struct pfx *f = pfx_new(NULL);
	char m[1024];
	uint8_t w1[1200], w2[1200], w3[1200];
	size_t n, l1, l2, l3, off;

	(void)state;
	n = message(m, sizeof(m), "ws-1@example.com");
	l1 = ws_frame(w1, m, n);
	n = message(m, sizeof(m), "ws-2@example.com");
	l2 = ws_frame(w2, m, n);
	n = message(m, sizeof(m), "ws-3@example.com");
	l3 = ws_frame(w3, m, n);

	seg(f, 8080, get, strlen(get), 0, 0x18, TS0);			/* frame 1 */
	off = strlen(get);
	seg(f, 8080, w1, l1, off, 0x18, TS0 + 1 * SEC);			/* frame 2 */
	expect_sip(f, "ws-1@example.com", TS0 + 1 * SEC, 2);
	off += l1;
	/* w2 lost */
	seg(f, 8080, w3, l3, off + l2, 0x18, TS0 + 5 * SEC);		/* frame 3 */
	other_traffic(f, TS0 + 5 * SEC + 300 * MS);			/* frame 4 */
	expect_sip(f, "ws-3@example.com", TS0 + 5 * SEC, 3);
	assert_false(has_sip(f, "ws-2@example.com"));
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP_TIMEOUT), 1);
	pfx_free(f);
}

/*
 * Garbage on a SIP port: segments with random sequence numbers. Each hole
 * given up on is then a jump across the sequence space, not bytes lost:
 * tcp:gap_bytes must stay near what was fed (it reached 55.9 GB on 177 MB
 * of garbage when it counted declared distance), the jumps count in desync.
 */
static void test_garbage_sequence_numbers(void **state)
{
	static struct pb b;
	static uint8_t junk[100];
	struct pfx *f = pfx_new(NULL);
	uint32_t x = 12345;
	unsigned i;

	(void)state;
	memset(junk, 'j', sizeof(junk));
	for (i = 0; i < 4000; i++) {
		x = x * 1103515245u + 12345u;
		pb_init(&b, junk, sizeof(junk));
		pb_tcp(&b, 40000, 5060, x, 0x18);
		pb_ipv4(&b, PFX_A4, PFX_B4);
		pb_eth(&b);
		pfx_feed(f, DLT_EN10MB, TS0 + (uint64_t)i * MS, pb_data(&b), pb_len(&b));
	}
	assert_true(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP) > 100);
	assert_true(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_DESYNC) > 100);
	assert_true(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP_BYTES) <= 4000 * sizeof(junk));
	pfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sip_hole_then_hours_of_quiet),
		cmocka_unit_test(test_sip_hole_filled_in_time),
		cmocka_unit_test(test_sip_hole_at_capture_end),
		cmocka_unit_test(test_ws_hole),
		cmocka_unit_test(test_garbage_sequence_numbers),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
