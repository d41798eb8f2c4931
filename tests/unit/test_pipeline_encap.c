/*
 * Pipeline tests, decoding: one SIP INVITE carried in every link type and
 * encapsulation sluice decodes (pipeline_encaps.c) must come out as the
 * same SIP event, with the inner addresses and ports, the transport, the
 * capture source, frame number and timestamp, the Call-ID and the parties,
 * and be followed by the call attempt; no rejection counter may move.
 * Also: snapped frames are counted, nesting beyond max_tunnel_depth is
 * refused and counted, unsupported link types are counted, and VXLAN and
 * GTP-U decoding can be switched off by port.
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
#include "tests/unit/pipeline_encaps.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull

static char sip_invite[2048];
static size_t sip_invite_len;

static void make_invite(void)
{
	char sdp[512];

	pfx_sdp(sdp, sizeof(sdp), "192.0.2.1", 40000);
	sip_invite_len = pfx_sip(sip_invite, sizeof(sip_invite), "INVITE sip:bob@example.com", "enc-1@example.com", 1,
				 "INVITE", "a1", NULL, "P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100010019B\r\n",
				 "application/sdp", sdp);
}

/* Every decode counter that signals a rejection or an unknown protocol. */
static uint64_t decode_rejects(struct pfx *f)
{
	return pfx_ctr_sum(f, SL_CG_DECODE) - pfx_ctr(f, SL_CG_DECODE, SL_DEC_FRAMES) -
	       pfx_ctr(f, SL_CG_DECODE, SL_DEC_BYTES);
}

static void check_endpoint(const struct sl_endpoint *ep, bool v6, const uint8_t *a4, const uint8_t *a6, uint16_t port)
{
	assert_int_equal(ep->addr.family, v6 ? SL_AF_INET6 : SL_AF_INET4);
	assert_memory_equal(ep->addr.a, v6 ? a6 : a4, v6 ? 16 : 4);
	assert_int_equal(ep->port, port);
}

static void test_all_encapsulations(void **state)
{
	unsigned i;

	for (i = 0; i < pipeline_n_encaps; i++) {
		const struct encap *e = &pipeline_encaps[i];
		static struct pb b;
		struct pfx *f = pfx_new(NULL);
		const struct rec_event *sip, *call;

		print_message("encapsulation %s\n", e->name);
		pb_build(&b, sip_invite, sip_invite_len, e->ops, e->n_ops);
		pfx_feed(f, e->dlt, TS0 + i, pb_data(&b), pb_len(&b));

		assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
		sip = pfx_find(f, SL_EV_SIP, -1, 0);
		assert_true(sip->has_sig);
		assert_int_equal(sip->transport, e->transport);
		assert_int_equal(sip->frame, 1);
		assert_int_equal(sip->source, 0);
		assert_int_equal(sip->ts_us, TS0 + i);
		check_endpoint(&sip->src, e->inner_v6, PFX_A4, PFX_A6, e->sport);
		check_endpoint(&sip->dst, e->inner_v6, PFX_B4, PFX_B6, 5060);
		assert_true(sip->is_request);
		assert_int_equal(sip->method, SL_SIP_INVITE);
		assert_string_equal(sip->call_id, "enc-1@example.com");
		assert_string_equal(sip->from, "sip:alice@example.com");
		assert_string_equal(sip->to, "sip:bob@example.com");
		assert_string_equal(sip->location, "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010100010019B");
		assert_true(sip->has_dialog);
		assert_int_equal(sip->dir, SL_DIR_FROM_CALLER);

		call = pfx_find(f, SL_EV_CALL, SL_CALL_ATTEMPT, 0);
		assert_non_null(call);
		assert_int_equal(f->n_ev, 2);
		assert_string_equal(call->call_id, "enc-1@example.com");
		assert_int_equal(call->call.start_us, TS0 + i);

		assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_FRAMES), 1);
		assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_BYTES), pb_len(&b));
		assert_int_equal(decode_rejects(f), 0);
		assert_int_equal(pfx_ctr(f, SL_CG_SIP,
					 e->transport == SL_TRANSPORT_UDP ? SL_SIPC_MSG_UDP : SL_SIPC_MSG_TCP), 1);
		assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_REQUESTS), 1);
		assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_CALLS), 1);
		/* the SDP of the INVITE was indexed: RTP and RTCP endpoints */
		assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_MEDIA), 2);
		assert_true(sl_capture_linktype_supported(e->dlt));

		/* the end of capture ends the open call */
		sl_capture_flush(f->cap);
		call = pfx_find(f, SL_EV_CALL, SL_CALL_END, 0);
		assert_non_null(call);
		assert_int_equal(call->call.reason, SL_END_CAPTURE_END);
		pfx_free(f);
	}
}

static void test_snapped_frame_counted(void **state)
{
	struct pfx *f = pfx_new(NULL);
	static struct pb b;

	pb_init(&b, sip_invite, sip_invite_len);
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	/* captured in full but the wire frame was longer (trailer beyond the IP total length): still decoded */
	pfx_feed_snap(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b), pb_len(&b) + 4);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_SNAPPED), 1);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	pfx_free(f);
}

static void test_ethernet_padding_ignored(void **state)
{
	static const char opt[] = "OPTIONS sip:b@x SIP/2.0\r\nCall-ID: p\r\nCSeq: 1 OPTIONS\r\nFrom: <sip:a@x>;tag=1\r\n"
				  "To: <sip:b@x>\r\nContent-Length: 0\r\n\r\n";
	struct pfx *f = pfx_new(NULL);
	static struct pb b;
	uint8_t frame[512];
	size_t n;

	pb_init(&b, opt, sizeof(opt) - 1);
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	n = pb_len(&b);
	memcpy(frame, pb_data(&b), n);
	memset(frame + n, 0xee, 6); /* link-layer padding after the IP packet */
	pfx_feed(f, DLT_EN10MB, TS0, frame, n + 6);
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_SIP, SL_SIPC_BODY_TRUNCATED), 0);
	assert_int_equal(decode_rejects(f), 0);
	pfx_free(f);
}

/* GRE in GRE in ...: each level is an IPv4/GRE/IPv4 wrap. */
static void build_nested(struct pb *b, unsigned levels)
{
	unsigned i;

	pb_init(b, sip_invite, sip_invite_len);
	pb_udp(b, 5060, 5060);
	pb_ipv4(b, PFX_A4, PFX_B4);
	for (i = 0; i < levels; i++) {
		pb_gre(b, 0);
		pb_ipv4(b, PFX_C4, PFX_D4);
	}
	pb_eth(b);
}

static void test_tunnel_depth(void **state)
{
	struct sl_capture_cfg cfg;
	struct pfx *f;
	static struct pb b;

	sl_capture_cfg_default(&cfg);
	cfg.max_tunnel_depth = 2;
	f = pfx_new(&cfg);

	/* GRE counts one level, the IPv4 inside it is reached through it: two GRE levels fit */
	build_nested(&b, 2);
	pfx_feed(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_TUNNEL_TOO_DEEP), 0);

	build_nested(&b, 3);
	pfx_feed(f, DLT_EN10MB, TS0 + 1, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_count(f, SL_EV_SIP), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_TUNNEL_TOO_DEEP), 1);

	/* hostile nesting far beyond the limit costs one counter, not the stack */
	build_nested(&b, 60);
	pfx_feed(f, DLT_EN10MB, TS0 + 2, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_TUNNEL_TOO_DEEP), 2);
	pfx_free(f);
}

static void test_unsupported_link(void **state)
{
	struct pfx *f = pfx_new(NULL);
	static const uint8_t junk[32];

	assert_false(sl_capture_linktype_supported(DLT_IEEE802_11));
	pfx_feed(f, DLT_IEEE802_11, TS0, junk, sizeof(junk));
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_LINK_UNSUPPORTED), 1);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
}

static void test_tunnels_off_by_port(void **state)
{
	struct sl_capture_cfg cfg;
	struct pfx *f;
	static struct pb b;

	sl_capture_cfg_default(&cfg);
	cfg.vxlan_port = 0;
	cfg.gtpu_port = 0;
	f = pfx_new(&cfg);

	pb_init(&b, sip_invite, sip_invite_len);
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_gtpu(&b, false);
	pb_udp(&b, 2152, 2152);
	pb_ipv4(&b, PFX_C4, PFX_D4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_count(f, SL_EV_SIP), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_UNMATCHED), 1);
	pfx_free(f);
}

static void test_non_ip_counted(void **state)
{
	struct pfx *f = pfx_new(NULL);
	static struct pb b;
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	pb_init(&b, arp, sizeof(arp));
	b.top.ethertype = 0x0806;
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_OTHER_L3), 1);

	/* ICMP */
	pb_init(&b, arp, 8);
	b.top.ipproto = 1;
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, TS0, pb_data(&b), pb_len(&b));
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_OTHER_L4), 1);
	assert_int_equal(f->n_ev, 0);
	pfx_free(f);
}

static int group_setup(void **state)
{
	pfx_global_init();
	make_invite();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_encapsulations),
		cmocka_unit_test(test_snapped_frame_counted),
		cmocka_unit_test(test_ethernet_padding_ignored),
		cmocka_unit_test(test_tunnel_depth),
		cmocka_unit_test(test_unsupported_link),
		cmocka_unit_test(test_tunnels_off_by_port),
		cmocka_unit_test(test_non_ip_counted),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
