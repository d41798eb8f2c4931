/*
 * Pipeline tests, captures from a host with segmentation offload.
 *
 * Captured on the sending host, TCP packets are what the stack handed to
 * the NIC: an IPv4 total length of 0 and several segments' worth of bytes
 * in one packet, larger than the MTU. Mid-dialog, such a frame must be
 * decoded as tshark decodes it (length from the captured frame), counted as
 * offload and not as malformed, and leave no hole in the TCP stream: the
 * call's ringing and answer it carries are reported at its time, and the
 * messages after it still follow in order. The same over IPv6, whose
 * payload length the stack leaves 0 (Linux GSO, BIG TCP). And a real
 * jumbogram (RFC 2675): its length is the Jumbo Payload option's, bounded
 * by the captured bytes, checked cut at every length of its headers and at
 * spaced lengths of its 70000-byte payload; malformed option values and a
 * fragment header in a jumbogram are counted as malformed.
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
#define ISN_A 1000u
#define ISN_B 5000u

static bool g_ipv6;	/* seg(): IPv6 instead of IPv4 */

/*
 * One segment A:40000 -> B:5060 (a_to_b) or back, at stream offset off;
 * total_zero: as offload leaves it (IPv4 total length, IPv6 payload length 0).
 */
static void seg(struct pfx *f, bool a_to_b, const void *data, size_t len, size_t off, uint64_t ts, bool total_zero)
{
	static struct pb b;
	size_t ip;

	pb_init(&b, data, len);
	if (a_to_b)
		pb_tcp(&b, 40000, 5060, ISN_A + (uint32_t)off, 0x18);
	else
		pb_tcp(&b, 5060, 40000, ISN_B + (uint32_t)off, 0x18);
	if (g_ipv6)
		pb_ipv6(&b, a_to_b ? PFX_A6 : PFX_B6, a_to_b ? PFX_B6 : PFX_A6);
	else
		pb_ipv4(&b, a_to_b ? PFX_A4 : PFX_B4, a_to_b ? PFX_B4 : PFX_A4);
	pb_eth(&b);
	if (total_zero) {
		ip = pb_layer_off(&b, 1) + (g_ipv6 ? 4 : 2);
		b.buf[b.start + ip] = 0;
		b.buf[b.start + ip + 1] = 0;
	}
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static void offload_mid_dialog(bool ipv6)
{
	struct pfx *f = pfx_new(NULL);
	static char inv[2048], ring[2048], ok[4096], ack[1024], bye[1024], pad[2048], sdp[512];
	static uint8_t big[6144];
	size_t ni, nr, no, na, nb, nbig, nsdp;
	const struct rec_event *e;

	g_ipv6 = ipv6;
	nsdp = pfx_sdp(sdp, sizeof(sdp), "192.0.2.1", 4000);
	ni = pfx_sip(inv, sizeof(inv), "INVITE sip:bob@example.com", "tso-1@example.com", 1, "INVITE", "ft", NULL,
		     NULL, "application/sdp", sdp);
	nr = pfx_sip(ring, sizeof(ring), "SIP/2.0 180 Ringing", "tso-1@example.com", 1, "INVITE", "ft", "tt", NULL,
		     NULL, NULL);
	/* a long header makes the 200 OK and the pair of responses larger than one MTU */
	memset(pad, 'x', 1000);
	memcpy(pad, "X-Pad: ", 7);
	memcpy(pad + 1000, "\r\n", 3);
	nsdp = pfx_sdp(sdp, sizeof(sdp), "192.0.2.2", 5000);
	no = pfx_sip(ok, sizeof(ok), "SIP/2.0 200 OK", "tso-1@example.com", 1, "INVITE", "ft", "tt", pad,
		     "application/sdp", sdp);
	na = pfx_sip(ack, sizeof(ack), "ACK sip:bob@example.com", "tso-1@example.com", 1, "ACK", "ft", "tt", NULL,
		     NULL, NULL);
	nb = pfx_sip(bye, sizeof(bye), "BYE sip:bob@example.com", "tso-1@example.com", 2, "BYE", "ft", "tt", NULL,
		     NULL, NULL);
	memcpy(big, ring, nr);
	memcpy(big + nr, ok, no);
	nbig = nr + no;
	assert_true(nbig > 1460);
	assert_true(nsdp > 0);

	seg(f, true, inv, ni, 0, TS0, false);				/* frame 1 */
	seg(f, false, big, nbig, 0, TS0 + 500 * MS, true);		/* frame 2: 180 + 200 in one offload packet */
	seg(f, true, ack, na, ni, TS0 + 600 * MS, false);		/* frame 3 */
	seg(f, true, bye, nb, ni + na, TS0 + 10000 * MS, true);		/* frame 4: total length 0, small */

	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_OFFLOAD), ipv6 ? 0 : 2);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_OFFLOAD), ipv6 ? 2 : 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_TCP_OFFLOAD), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_UNSUPPORTED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_TCP, SL_TCP_CTR_GAP), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_STREAM_RESYNC), 0);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 5);

	e = pfx_find(f, SL_EV_CALL, SL_CALL_RINGING, 0);
	assert_non_null(e);
	assert_int_equal(e->ts_us, TS0 + 500 * MS);
	assert_int_equal(e->frame, 2);
	e = pfx_find(f, SL_EV_CALL, SL_CALL_ANSWER, 0);
	assert_non_null(e);
	assert_int_equal(e->ts_us, TS0 + 500 * MS);
	assert_int_equal(e->frame, 2);
	e = pfx_find(f, SL_EV_SIP, -1, 4);
	assert_non_null(e);
	assert_int_equal(e->method, SL_SIP_BYE);
	assert_int_equal(e->ts_us, TS0 + 10000 * MS);
	assert_int_equal(e->frame, 4);
	pfx_free(f);
}

static void test_offload_mid_dialog(void **state)
{
	(void)state;
	offload_mid_dialog(false);
}

static void test_offload_mid_dialog_ipv6(void **state)
{
	(void)state;
	offload_mid_dialog(true);
}

/* An IPv6 offload frame cut at every length: never malformed, never an event, a short header counted truncated. */
static void test_offload_ipv6_cuts(void **state)
{
	static struct pb b;
	static const char data[] = "not SIP, just bytes";
	struct pfx *f = pfx_new(NULL);
	size_t n, ip;

	(void)state;
	pb_init(&b, data, sizeof(data) - 1);
	pb_udp(&b, 40000, 40001);
	pb_ipv6(&b, PFX_A6, PFX_B6);
	ip = pb_layer_off(&b, 1);
	b.buf[b.start + ip + 4] = 0;
	b.buf[b.start + ip + 5] = 0;
	for (n = 0; n <= pb_len(&b) - ip; n++) {
		uint64_t trunc = pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED) + pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED);

		pfx_feed(f, DLT_RAW, TS0 + n, pb_data(&b) + ip, n);
		if (n < 40)
			assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED)
						 + pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED),
					 trunc + 1);
	}
	/*
	 * from 40 bytes on the frame gives the length: each cut is an offload
	 * packet whose UDP header, then UDP length, finds the datagram cut short
	 */
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_OFFLOAD), pb_len(&b) - ip + 1 - 40);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_TRUNCATED), pb_len(&b) - ip - 40);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_UNMATCHED), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_MALFORMED), 0);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
}

#define JUMBO_DATA 70000u
#define JUMBO_HDRS (40u + 8u + 8u)	/* IPv6, Hop-by-Hop with the Jumbo Payload option, UDP */
static uint8_t jumbo[JUMBO_HDRS + JUMBO_DATA + 64];

/*
 * A raw IPv6 jumbogram (DLT_RAW): payload length 0, a Hop-by-Hop header
 * (next header nh) whose options are opt[0..optlen) padded to 8 bytes, then
 * a UDP header of length 0 and data bytes. Returns the frame length.
 */
static size_t jumbo_frame(uint8_t nh, const uint8_t *opt, size_t optlen, size_t data)
{
	size_t n = 0, hbh = 2 + optlen, i;

	assert_true(hbh % 8 == 0 && hbh <= 16);
	memset(jumbo, 0, sizeof(jumbo));
	jumbo[0] = 0x60;
	jumbo[6] = 0;	/* Hop-by-Hop */
	jumbo[7] = 64;
	memcpy(jumbo + 8, PFX_A6, 16);
	memcpy(jumbo + 24, PFX_B6, 16);
	n = 40;
	jumbo[n] = nh;
	jumbo[n + 1] = (uint8_t)(hbh / 8 - 1);
	memcpy(jumbo + n + 2, opt, optlen);
	n += hbh;
	if (nh == 17) {
		jumbo[n] = 40000 >> 8;
		jumbo[n + 1] = 40000 & 0xff;
		jumbo[n + 2] = 40001 >> 8;
		jumbo[n + 3] = 40001 & 0xff;
		n += 8;	/* UDP length 0 (RFC 2675 clause 4) */
	}
	for (i = 0; i < data; i++)
		jumbo[n + i] = (uint8_t)('a' + i % 26);
	return n + data;
}

static void jumbo_option(uint8_t *opt, uint32_t len)
{
	opt[0] = 0xc2;
	opt[1] = 4;
	opt[2] = (uint8_t)(len >> 24);
	opt[3] = (uint8_t)(len >> 16);
	opt[4] = (uint8_t)(len >> 8);
	opt[5] = (uint8_t)len;
}

static void test_jumbogram(void **state)
{
	struct pfx *f = pfx_new(NULL);
	uint8_t opt[14];
	size_t n, cut, checked = 0;

	(void)state;
	/* a whole jumbogram: decoded, its UDP datagram of length 0 runs to the end (not SIP: unmatched) */
	jumbo_option(opt, 8 + 8 + JUMBO_DATA);
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_UNMATCHED), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_MALFORMED), 0);
	/* Ethernet padding after it is not part of it */
	pfx_feed(f, DLT_RAW, TS0 + 1, jumbo, n + 20);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 2);

	/* cut at every length of its headers and at spaced lengths of its data: truncated, nothing else */
	for (cut = 1; cut < n; cut += cut < JUMBO_HDRS + 64 ? 1 : 997) {
		uint64_t t = pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED);

		pfx_feed(f, DLT_RAW, TS0 + 2 + cut, jumbo, cut);
		if (pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED) != t + 1) {
			print_error("jumbogram cut at %zu of %zu: not counted as truncated\n", cut, n);
			fail();
		}
		checked++;
	}
	pfx_feed(f, DLT_RAW, TS0 + 1000000, jumbo, n - 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED), checked + 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 2);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), 0);

	/* a length that claims more than was captured */
	jumbo_option(opt, 8 + 8 + JUMBO_DATA + 1);
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0 + 2000000, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_TRUNCATED), checked + 2);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 2);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
}

/* Jumbogram headers that break RFC 2675: each counted as malformed, none decoded. */
static void test_jumbogram_malformed(void **state)
{
	struct pfx *f = pfx_new(NULL);
	uint8_t opt[14];
	size_t n;
	unsigned bad = 0;

	(void)state;
	/* a jumbo length of 65535 or less */
	jumbo_option(opt, 65535);
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), ++bad);
	/* an option length other than 4 */
	jumbo_option(opt, 8 + 8 + JUMBO_DATA);
	opt[1] = 3;
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0 + 1, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), ++bad);
	/* payload length 0 and a Hop-by-Hop header with padding only */
	memset(opt, 0, sizeof(opt));
	opt[0] = 1;	/* PadN of 4 */
	opt[1] = 4;
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0 + 2, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), ++bad);
	/* an option running past its header */
	opt[0] = 0x05;
	opt[1] = 9;
	n = jumbo_frame(17, opt, 6, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0 + 3, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), ++bad);
	/* Pad1 before the option: fine */
	opt[0] = 0;
	opt[1] = 0;
	jumbo_option(opt + 2, 16 + 8 + JUMBO_DATA);	/* a 16-byte Hop-by-Hop header */
	memset(opt + 8, 0, 6);
	n = jumbo_frame(17, opt, 14, JUMBO_DATA);
	pfx_feed(f, DLT_RAW, TS0 + 4, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), bad);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 1);
	/* a fragment header in a jumbogram (RFC 2675 clause 3) */
	jumbo_option(opt, 8 + 8 + JUMBO_DATA);
	n = jumbo_frame(44, opt, 6, JUMBO_DATA + 8);
	jumbo[48] = 17;	/* the fragment header's next header */
	jumbo[51] = 1;	/* M flag */
	pfx_feed(f, DLT_RAW, TS0 + 5, jumbo, n);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_MALFORMED), ++bad);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV6_JUMBO), 2);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offload_mid_dialog),
		cmocka_unit_test(test_offload_mid_dialog_ipv6),
		cmocka_unit_test(test_offload_ipv6_cuts),
		cmocka_unit_test(test_jumbogram),
		cmocka_unit_test(test_jumbogram_malformed),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
