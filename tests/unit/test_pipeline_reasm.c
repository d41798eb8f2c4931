/*
 * Pipeline tests, reassembly: SIP that does not arrive as one datagram.
 *
 * IPv4 and IPv6 fragmented UDP SIP (in order, reversed, interleaved with
 * another datagram, and an incomplete one that times out) must yield
 * exactly one SIP event carrying the frame number of the fragment that
 * completed it. SIP over TCP split over several segments, several
 * messages in one segment, a message boundary inside a segment and
 * segments out of order must yield one event per message, each at the
 * segment that completed it, with the connection's endpoints.
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
#include "capture/ip_defrag.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull

/* A large INVITE (about 3 KB: fragmented at any MTU). */
static char big[4096];
static size_t big_len;
/* Two small ones for TCP. */
static char m1[2048], m2[2048];
static size_t m1_len, m2_len;

static void make_messages(void)
{
	char body[3000];
	size_t n;
	int i;

	n = pfx_sdp(body, sizeof(body), "192.0.2.1", 40000);
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "a=x-padding-%02d:0123456789abcdef0123456789abcdef\r\n", i);
	big_len = pfx_sip(big, sizeof(big), "INVITE sip:bob@example.com", "frag-1@example.com", 1, "INVITE", "a1", NULL,
			  NULL, "application/sdp", body);
	m1_len = pfx_sip(m1, sizeof(m1), "INVITE sip:bob@example.com", "tcp-1@example.com", 1, "INVITE", "a1", NULL,
			 NULL, "text/plain", "first message body");
	m2_len = pfx_sip(m2, sizeof(m2), "SIP/2.0 180 Ringing", "tcp-1@example.com", 1, "INVITE", "a1", "b1", NULL, NULL,
			 NULL);
}

/* The UDP datagram (header + SIP) that gets fragmented. */
static size_t udp_datagram(uint8_t *out)
{
	static struct pb b;

	pb_init(&b, big, big_len);
	pb_udp(&b, 5060, 5060);
	memcpy(out, pb_data(&b), pb_len(&b));
	return pb_len(&b);
}

#define FRAG 1000 /* multiple of 8 */

static void feed_frag(struct pfx *f, bool v6, uint32_t id, const uint8_t *dg, size_t len, size_t off, uint64_t ts)
{
	static struct pb b;
	size_t n = len - off < FRAG ? len - off : FRAG;
	bool more = off + n < len;

	pb_init(&b, dg + off, n);
	if (v6) {
		pb_ipv6_frag(&b, 17, id, (uint16_t)off, more);
		pb_ipv6(&b, PFX_A6, PFX_B6);
	} else {
		pb_ipv4_frag(&b, PFX_A4, PFX_B4, 17, (uint16_t)id, (uint16_t)off, more);
	}
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static void check_frag_event(struct pfx *f, bool v6, uint64_t frame)
{
	const struct rec_event *e;

	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	e = pfx_find(f, SL_EV_SIP, -1, 0);
	assert_int_equal(e->frame, frame);
	assert_string_equal(e->call_id, "frag-1@example.com");
	assert_int_equal(e->src.addr.family, v6 ? SL_AF_INET6 : SL_AF_INET4);
	assert_memory_equal(e->src.addr.a, v6 ? PFX_A6 : PFX_A4, v6 ? 16 : 4);
	assert_int_equal(e->src.port, 5060);
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_BODY_TRUNCATED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DEFRAG, SL_DEFRAG_CTR_REASSEMBLED), 1);
	assert_non_null(pfx_find(f, SL_EV_CALL, SL_CALL_ATTEMPT, 0));
}

static void frag_orders(bool v6)
{
	static uint8_t dg[8192];
	size_t len = udp_datagram(dg), off;
	unsigned nfrag = (unsigned)((len + FRAG - 1) / FRAG), k;
	struct pfx *f;
	struct sl_capture_usage u;

	assert_true(nfrag >= 3);

	/* in order: complete at the last fragment */
	f = pfx_new(NULL);
	for (off = 0; off < len; off += FRAG) {
		assert_int_equal(f->n_ev, 0);
		feed_frag(f, v6, 7, dg, len, off, TS0 + off);
	}
	check_frag_event(f, v6, nfrag);
	assert_int_equal(pfx_ctr(f, SL_CG_DEFRAG, SL_DEFRAG_CTR_FRAGMENTS), nfrag);
	pfx_free(f);

	/* reversed: complete at the first fragment, which arrives last */
	f = pfx_new(NULL);
	for (k = nfrag; k-- > 0;)
		feed_frag(f, v6, 8, dg, len, (size_t)k * FRAG, TS0 + k);
	check_frag_event(f, v6, nfrag);
	sl_capture_usage(f->cap, &u);
	assert_int_equal(u.frag_datagrams, 0);
	assert_int_equal(u.frag_bytes, 0);
	pfx_free(f);

	/* interleaved with the fragments of an incomplete datagram, which times out */
	f = pfx_new(NULL);
	feed_frag(f, v6, 99, dg, len, 0, TS0);
	for (off = 0; off < len; off += FRAG) {
		feed_frag(f, v6, 9, dg, len, off, TS0 + 1 + off);
		if (off == FRAG)
			feed_frag(f, v6, 99, dg, len, 2 * FRAG, TS0 + 1 + off);
	}
	check_frag_event(f, v6, nfrag + 2);
	sl_capture_usage(f->cap, &u);
	assert_int_equal(u.frag_datagrams, 1);
	sl_capture_advance(f->cap, TS0 + f->cfg.defrag.timeout_us + 1000000);
	assert_int_equal(pfx_ctr(f, SL_CG_DEFRAG, SL_DEFRAG_CTR_TIMEOUT), 1);
	sl_capture_usage(f->cap, &u);
	assert_int_equal(u.frag_datagrams, 0);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	pfx_free(f);
}

static void test_ipv4_fragmented_sip(void **state)
{
	frag_orders(false);
}

static void test_ipv6_fragmented_sip(void **state)
{
	frag_orders(true);
}

/*
 * RFC 8200 4.5: the fragmentable part may begin with extension headers
 * (here destination options, padded to 8 bytes), which are only walked once
 * the datagram is whole. A fragment header inside it is malformed.
 */
static void test_ipv6_fragmented_ext_header(void **state)
{
	static uint8_t dg[8192];
	static struct pb b;
	size_t len, off;
	struct pfx *f;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		/* next header UDP (17) after dstopts, or a nested fragment header (44) */
		const uint8_t ext[8] = { pass ? 44 : 17, 0, 1, 4, 0, 0, 0, 0 };
		memcpy(dg, ext, sizeof(ext));
		len = sizeof(ext) + udp_datagram(dg + sizeof(ext));
		f = pfx_new(NULL);
		for (off = 0; off < len; off += FRAG) {
			size_t n = len - off < FRAG ? len - off : FRAG;
			pb_init(&b, dg + off, n);
			pb_ipv6_frag(&b, 60, 5, (uint16_t)off, off + n < len);
			pb_ipv6(&b, PFX_A6, PFX_B6);
			pb_eth(&b);
			pfx_feed(f, DLT_EN10MB, TS0 + off, pb_data(&b), pb_len(&b));
		}
		assert_int_equal(pfx_ctr(f, SL_CG_DEFRAG, SL_DEFRAG_CTR_REASSEMBLED), 1);
		if (!pass) {
			assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
			assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 0);
		} else {
			assert_int_equal(pfx_count(f, SL_EV_SIP), 0);
			assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 1);
		}
		pfx_free(f);
	}
}

/* One TCP segment from A:40000 to B:5060 with stream bytes at offset off (seq = ISN + 1 + off). */
#define ISN 0x7ffffff0u /* data crosses 2^31; wrap-around is the reassembler unit tests' business */

static void feed_seg(struct pfx *f, const uint8_t *data, size_t len, size_t off, uint8_t flags, uint64_t ts)
{
	static struct pb b;

	pb_init(&b, data, len);
	pb_tcp(&b, 40000, 5060, ISN + 1 + (uint32_t)off, flags);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static void feed_syn(struct pfx *f)
{
	static struct pb b;

	pb_init(&b, NULL, 0);
	pb_tcp(&b, 40000, 5060, ISN, 0x02);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b));
}

static void check_tcp_event(const struct rec_event *e, const char *call_id, uint64_t frame)
{
	assert_non_null(e);
	assert_int_equal(e->transport, SL_TRANSPORT_TCP);
	assert_string_equal(e->call_id, call_id);
	assert_int_equal(e->frame, frame);
	assert_memory_equal(e->src.addr.a, PFX_A4, 4);
	assert_int_equal(e->src.port, 40000);
	assert_memory_equal(e->dst.addr.a, PFX_B4, 4);
	assert_int_equal(e->dst.port, 5060);
}

static void test_tcp_split_segments(void **state)
{
	struct pfx *f = pfx_new(NULL);
	size_t a = m1_len / 3, b = 2 * m1_len / 3;

	feed_syn(f);
	feed_seg(f, (const uint8_t *)m1, a, 0, 0x18, TS0 + 1);
	feed_seg(f, (const uint8_t *)m1 + a, b - a, a, 0x18, TS0 + 2);
	assert_int_equal(f->n_ev, 0);
	feed_seg(f, (const uint8_t *)m1 + b, m1_len - b, b, 0x18, TS0 + 3);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 0), "tcp-1@example.com", 4);
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_MSG_TCP), 1);
	pfx_free(f);
}

static void test_tcp_two_messages_one_segment(void **state)
{
	struct pfx *f = pfx_new(NULL);
	uint8_t both[4096];

	memcpy(both, m1, m1_len);
	memcpy(both + m1_len, "\r\n", 2); /* a keep-alive CRLF between them */
	memcpy(both + m1_len + 2, m2, m2_len);
	feed_seg(f, both, m1_len + 2 + m2_len, 0, 0x18, TS0);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 2);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 0), "tcp-1@example.com", 1);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 1), "tcp-1@example.com", 1);
	assert_true(pfx_find(f, SL_EV_SIP, -1, 0)->is_request);
	assert_int_equal(pfx_find(f, SL_EV_SIP, -1, 1)->status, 180);
	/* the ringing response moved the call on */
	assert_non_null(pfx_find(f, SL_EV_CALL, SL_CALL_RINGING, 0));
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_STREAM_RESYNC), 0);
	pfx_free(f);
}

static void test_tcp_boundary_inside_segment(void **state)
{
	struct pfx *f = pfx_new(NULL);
	uint8_t both[4096];
	size_t cut = m1_len + m2_len / 2;

	memcpy(both, m1, m1_len);
	memcpy(both + m1_len, m2, m2_len);
	feed_seg(f, both, cut, 0, 0x18, TS0);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	feed_seg(f, both + cut, m1_len + m2_len - cut, cut, 0x18, TS0 + 1);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 2);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 1), "tcp-1@example.com", 2);
	pfx_free(f);
}

static void test_tcp_out_of_order(void **state)
{
	struct pfx *f = pfx_new(NULL);
	uint8_t both[4096];
	size_t len = m1_len + m2_len, a = m1_len / 2, b = m1_len + 10;
	struct sl_capture_usage u;

	memcpy(both, m1, m1_len);
	memcpy(both + m1_len, m2, m2_len);
	feed_syn(f);
	feed_seg(f, both + b, len - b, b, 0x18, TS0 + 1);	/* frame 2: third part */
	feed_seg(f, both + a, b - a, a, 0x18, TS0 + 2);		/* frame 3: second part */
	assert_int_equal(f->n_ev, 0);
	sl_capture_usage(f->cap, &u);
	assert_true(u.tcp_ooo_bytes == len - a);
	feed_seg(f, both, a, 0, 0x18, TS0 + 3);			/* frame 4: fills the hole */
	assert_int_equal(pfx_count(f, SL_EV_SIP), 2);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 0), "tcp-1@example.com", 4);
	check_tcp_event(pfx_find(f, SL_EV_SIP, -1, 1), "tcp-1@example.com", 4);
	/* a retransmission of the first part changes nothing */
	feed_seg(f, both, a, 0, 0x18, TS0 + 4);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 2);
	sl_capture_usage(f->cap, &u);
	assert_int_equal(u.tcp_ooo_bytes, 0);
	assert_int_equal(u.stream_bytes, 0);
	pfx_free(f);
}

static int group_setup(void **state)
{
	pfx_global_init();
	make_messages();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_fragmented_sip),
		cmocka_unit_test(test_ipv6_fragmented_sip),
		cmocka_unit_test(test_ipv6_fragmented_ext_header),
		cmocka_unit_test(test_tcp_split_segments),
		cmocka_unit_test(test_tcp_two_messages_one_segment),
		cmocka_unit_test(test_tcp_boundary_inside_segment),
		cmocka_unit_test(test_tcp_out_of_order),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
