/*
 * Pipeline tests, captures from a host with segmentation offload.
 *
 * Captured on the sending host, TCP packets are what the stack handed to
 * the NIC: an IPv4 total length of 0 and several segments' worth of bytes
 * in one packet, larger than the MTU. Mid-dialog, such a frame must be
 * decoded as tshark decodes it (length from the captured frame), counted as
 * offload and not as malformed, and leave no hole in the TCP stream: the
 * call's ringing and answer it carries are reported at its time, and the
 * messages after it still follow in order.
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

/* One segment A:40000 -> B:5060 (a_to_b) or back, at stream offset off; total_zero: as offload leaves it. */
static void seg(struct pfx *f, bool a_to_b, const void *data, size_t len, size_t off, uint64_t ts, bool total_zero)
{
	static struct pb b;
	size_t ip;

	pb_init(&b, data, len);
	if (a_to_b)
		pb_tcp(&b, 40000, 5060, ISN_A + (uint32_t)off, 0x18);
	else
		pb_tcp(&b, 5060, 40000, ISN_B + (uint32_t)off, 0x18);
	pb_ipv4(&b, a_to_b ? PFX_A4 : PFX_B4, a_to_b ? PFX_B4 : PFX_A4);
	pb_eth(&b);
	if (total_zero) {
		ip = pb_layer_off(&b, 1);
		b.buf[b.start + ip + 2] = 0;
		b.buf[b.start + ip + 3] = 0;
	}
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static void test_offload_mid_dialog(void **state)
{
	struct pfx *f = pfx_new(NULL);
	static char inv[2048], ring[2048], ok[4096], ack[1024], bye[1024], pad[2048], sdp[512];
	static uint8_t big[6144];
	size_t ni, nr, no, na, nb, nbig, nsdp;
	const struct rec_event *e;

	(void)state;
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

	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_OFFLOAD), 2);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_TCP_OFFLOAD), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_MALFORMED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_IPV4_TRUNCATED), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offload_mid_dialog),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
