/*
 * Golden byte vectors and round trips for every PDU handover/ builds
 * (TS 102 232-1 annex A.2 PS-PDU; TS 102 232-5 clause 7 IPMMIRI and
 * IPMMCC; TS 101 671 annex D.5 IRI-Parameters inside ETSI671IRI and as a
 * standalone IRIsContent in both framings; annex D.4 HI1 notifications;
 * TRI keep-alive and PDU acknowledgement).
 *
 * Each vector was worked out by hand from the ASN.1 (implicit tags; a
 * tagged CHOICE is explicitly tagged, X.680 31.2.7) and DER (X.690 clause
 * 10: definite lengths in the fewest octets, INTEGER in the fewest
 * octets), and is written below as labelled TLVs. The fixed context:
 *
 *   li-psDomainId 0.4.0.2.2.5.1.33  80 07 04 00 02 02 05 01 21
 *       (first octet 0*40+4 = 0x04, then arcs 0 2 2 5 1, 33 = 0x21)
 *   LIID "LIID1"                    81 05 4c 49 49 44 31
 *   authorizationCountryCode "DE"   82 02 44 45   (PrintableString, implicit [2])
 *   networkIdentifier               a0 09 { 80 02 "OP", 81 03 "NE1" }
 *   deliveryCountryCode "DE"        82 02 44 45
 *   timeStamp 1700000000.123456 s   85 13 "20231114221320.123Z"
 *       (2023-11-14 22:13:20 UTC; 3 fraction digits, truncated: .123)
 *   interceptionPointID "IP1"       86 03 49 50 31
 *   timeStampQualifier              88 01 01 (timeOfInterception) for IRI/CC,
 *                                   88 01 02 (timeOfMediation) for TRI/HI1
 *
 * Every vector is then decoded by our decoder and the values compared
 * with what was encoded; the talloc context returns to its block count.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "asn1/ber_decode.h"
#include "capture/event.h"
#include "handover/pdu.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"

#include "tests/unit/pdu_golden.h"

/*
 * Keep-alive, sequence number 5: payload [2] { tRIPayload [2] { keep-alive [3] NULL } }
 * = a2 04 a2 02 83 00; PS-PDU content 71 + 6 = 77 = 0x4d.
 */
static const uint8_t g_keepalive[] = { 0x30, 0x4d, G_HDR_NOCIN(0x05), 0xa2, 0x04, 0xa2, 0x02, 0x83, 0x00 };
/* keep-aliveResponse [4], pDUAcknowledgementRequest [12] = 0x8c, Response [13] = 0x8d. */
static const uint8_t g_keepalive_resp[] = { 0x30, 0x4d, G_HDR_NOCIN(0x05), 0xa2, 0x04, 0xa2, 0x02, 0x84, 0x00 };
static const uint8_t g_ack_req[] = { 0x30, 0x4d, G_HDR_NOCIN(0x05), 0xa2, 0x04, 0xa2, 0x02, 0x8c, 0x00 };
static const uint8_t g_ack_resp[] = { 0x30, 0x4d, G_HDR_NOCIN(0x05), 0xa2, 0x04, 0xa2, 0x02, 0x8d, 0x00 };

/*
 * IPMMIRI, IRI-END, SIP "BYE sip:a SIP/2.0\r\n\r\n" (21 octets) from
 * 192.0.2.1 to 192.0.2.2:
 *   IPAddress [0] { iP-type [1] 00, iP-value [2] { iPBinaryAddress [1] c0 00 02 01 } }
 *     = a0 0b 81 01 00 a2 06 81 04 c0 00 02 01                        (13)
 *   SIPMessage sIPMessage [1] { src 13, dst 13, sIPContent [2] 2+21 } = a1 31 (49)
 *   iPMMIRIContents [1] (CHOICE, explicit) a1 33                      (51)
 *   IPMMIRI [11] { iPMMIRIObjId [0] 05 05 0d 01 (RELATIVE-OID li-ps(5)
 *     iPMultimedia(5) version13(13) iRI(1)), contents } = ab 3b      (59)
 *   iRIContents [2] (CHOICE) a2 3d; IRIPayload SEQUENCE { iRIType [0] 02, ... } 30 42
 *   iRIPayloadSequence [0] a0 44; payload [2] a2 46 (70)
 *   PS-PDU: 74 + 72 = 146 = 0x92, long form 81 92.
 */
static const uint8_t g_iri_ipmm[] = {
	0x30, 0x81, 0x92, G_HDR_CIN(0x01),
	0xa2, 0x46, 0xa0, 0x44, 0x30, 0x42, 0x80, 0x01, 0x02, 0xa2, 0x3d, 0xab, 0x3b,
	0x80, 0x04, 0x05, 0x05, 0x0d, 0x01,
	0xa1, 0x33, 0xa1, 0x31,
	0xa0, 0x0b, 0x81, 0x01, 0x00, 0xa2, 0x06, 0x81, 0x04, 0xc0, 0x00, 0x02, 0x01,
	0xa1, 0x0b, 0x81, 0x01, 0x00, 0xa2, 0x06, 0x81, 0x04, 0xc0, 0x00, 0x02, 0x02,
	0x82, 0x15, 'B', 'Y', 'E', ' ', 's', 'i', 'p', ':', 'a', ' ', 'S', 'I', 'P', '/', '2', '.', '0',
	'\r', '\n', '\r', '\n',
};

/*
 * IPMMCC, toTarget, RTP packet 80 00 00 01 (a header fragment is enough):
 *   IPMMCC [12] { iPMMCCObjId [0] 05 05 0d 02, mMCCContents [1] 4 octets,
 *     frameType [2] rtpFrame(2), mMCCprotocol [4] rTP(0) } = ac 12 (18)
 *   cCContents [2] a2 14; CCPayload SEQUENCE { payloadDirection [0] 01, ... } 30 19
 *   cCPayloadSequence [1] a1 1b; payload [2] a2 1d; PS-PDU 74 + 31 = 105 = 0x69.
 */
static const uint8_t g_cc_ipmm[] = {
	0x30, 0x69, G_HDR_CIN(0x01),
	0xa2, 0x1d, 0xa1, 0x1b, 0x30, 0x19, 0x80, 0x01, 0x01, 0xa2, 0x14, 0xac, 0x12,
	0x80, 0x04, 0x05, 0x05, 0x0d, 0x02, 0x81, 0x04, 0x80, 0x00, 0x00, 0x01,
	0x82, 0x01, 0x02, 0x84, 0x01, 0x00,
};

/*
 * TS 101 671 IRI-Parameters content for IRI-BEGIN, CIN 7, originating
 * target, originating party sip:a@b (the shared part of the next three):
 *   domainID [0] 0.4.0.2.2.1.18 = 80 06 04 00 02 02 01 12 (v11: ...01 0b)  8
 *   iRIversion [23] lastVersion(8) = 97 01 08                              3
 *   lawfulInterceptionIdentifier [1] "LIID1"                               7
 *   communicationIdentifier [2] { communication-Identity-Number [0] "7",
 *     network-Identifier [1] { operator-Identifier [0] "OP" } } = a2 09   11
 *   timeStamp [3] (CHOICE) { localTime [0] { generalizedTime [0] 19 octets,
 *     winterSummerIndication [1] notProvided(0) } } = a3 1a a0 18         28
 *   intercepted-Call-Direct [4] originating-Target(1) = 84 01 01           3
 *   partyInformation [9] SET OF { SEQUENCE { party-Qualifier [0]
 *     originating-Party(0), partyIdentity [1] { sip-uri [8] "sip:a@b" } } }
 *     = a9 10 30 0e 80 01 00 a1 09 88 07 ...                              18
 *   total 78 = 0x4e
 */
#define G_PARAMS_TAIL 0x97, 0x01, 0x08, G_LIID, 0xa2, 0x09, 0x80, 0x01, '7', 0xa1, 0x04, 0x80, 0x02, 'O', 'P', \
	0xa3, 0x1a, 0xa0, 0x18, 0x80, 0x13, G_TIME_TEXT, 0x81, 0x01, 0x00, 0x84, 0x01, 0x01, \
	0xa9, 0x10, 0x30, 0x0e, 0x80, 0x01, 0x00, 0xa1, 0x09, 0x88, 0x07, 's', 'i', 'p', ':', 'a', '@', 'b'

/*
 * ETSI671IRI in a PS-PDU: iRI-Parameters [0] a0 4e; eTSI671IRI [5] (CHOICE) a5 50;
 * iRIContents [2] a2 52; IRIPayload 30 57 { iRIType [0] 01 };
 * iRIPayloadSequence [0] a0 59; payload a2 5b (93); PS-PDU 74 + 93 = 167 = 0xa7.
 */
static const uint8_t g_iri_hi2[] = {
	0x30, 0x81, 0xa7, G_HDR_CIN(0x01),
	0xa2, 0x5b, 0xa0, 0x59, 0x30, 0x57, 0x80, 0x01, 0x01, 0xa2, 0x52, 0xa5, 0x50, 0xa0, 0x4e,
	0x80, 0x06, 0x04, 0x00, 0x02, 0x02, 0x01, 0x12, G_PARAMS_TAIL,
};

/* Standalone version11: iRIContent [0] (CHOICE) { iRI-Begin-record [1] { params } } = a0 50 a1 4e. */
static const uint8_t g_hi2_v11[] = {
	0xa0, 0x50, 0xa1, 0x4e, 0x80, 0x06, 0x04, 0x00, 0x02, 0x02, 0x01, 0x0b, G_PARAMS_TAIL,
};
/* Standalone version18: the bare IRIContent, iRI-Begin-record [1] = a1 4e. */
static const uint8_t g_hi2_v18[] = {
	0xa1, 0x4e, 0x80, 0x06, 0x04, 0x00, 0x02, 0x02, 0x01, 0x12, G_PARAMS_TAIL,
};

/*
 * HI1 liActivated, sequence number 2, target-Information "sip:a@b":
 *   Notification [1] { LIID [1] 7, communicationIdentifier [2] { [1] { [0] "OP" } }
 *     = a2 06 a1 04 80 02 4f 50 (8), timeStamp [3] 28, target-Information [6] 9 } = a1 34 (52)
 *   hI1-Operation [3] (CHOICE) a3 36; payload a2 38 (58); PS-PDU 71 + 58 = 129 = 0x81 -> 81 81.
 */
static const uint8_t g_hi1[] = {
	0x30, 0x81, 0x81, G_HDR_NOCIN(0x02),
	0xa2, 0x38, 0xa3, 0x36, 0xa1, 0x34, G_LIID, 0xa2, 0x06, 0xa1, 0x04, 0x80, 0x02, 'O', 'P',
	0xa3, 0x1a, 0xa0, 0x18, 0x80, 0x13, G_TIME_TEXT, 0x81, 0x01, 0x00,
	0x86, 0x07, 's', 'i', 'p', ':', 'a', '@', 'b',
};

struct fixture {
	void *ctx;
	size_t blocks;
	struct sl_pdu_ctx *pctx;
	uint8_t buf[8192];
	struct sl_ber_w w;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sl_pdu_ctx_cfg cfg = {
		.liid = "LIID1", .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
		.delivery_cc = "DE", .ipid = "IP1", .ts_digits = 3,
	};

	assert_non_null(fx);
	fx->ctx = talloc_named_const(NULL, 0, "test_pdu_golden");
	fx->blocks = talloc_total_blocks(fx->ctx);
	fx->pctx = sl_pdu_ctx_alloc(fx->ctx, &cfg);
	assert_non_null(fx->pctx);
	sl_ber_w_init(&fx->w, fx->buf, sizeof(fx->buf));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	talloc_free(fx->pctx);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

/* The writer's output equals the golden vector; then it decodes, framed and whole. */
static void check_golden(struct fixture *fx, int rc, const uint8_t *golden, size_t n, struct sl_pdu_decoded *d)
{
	const uint8_t *p;
	size_t len;
	char err[160];
	int drc;

	assert_int_equal(rc, 0);
	assert_true(sl_ber_w_result(&fx->w, &p, &len));
	if (len != n || memcmp(p, golden, n) != 0) {
		size_t i;

		for (i = 0; i < len && i < n && p[i] == golden[i]; i++)
			;
		fail_msg("encoding differs from the golden vector at byte %zu (lengths %zu, %zu)", i, len, n);
	}
	assert_int_equal(sl_pdu_frame(p, len, 65536), (ssize_t)len);
	drc = sl_pdu_decode(NULL, p, len, d, err, sizeof(err));
	if (drc)
		fail_msg("decode: %d %s", drc, err);
}

static void check_ps_header(const struct sl_pdu_decoded *d, bool cin, uint32_t seq, int tsq)
{
	assert_true(d->ps);
	assert_string_equal(d->domain, SL_PDU_LI_PS_DOMAIN);
	assert_int_equal(d->liid.n, 5);
	assert_memory_equal(d->liid.p, "LIID1", 5);
	assert_string_equal(d->auth_cc, "DE");
	assert_string_equal(d->delivery_cc, "DE");
	assert_memory_equal(d->operator_id.p, "OP", 2);
	assert_memory_equal(d->ne_id.p, "NE1", 3);
	assert_int_equal(d->has_cin, cin);
	if (cin)
		assert_int_equal(d->cin, 7);
	assert_int_equal(d->seqno, seq);
	assert_true(d->has_ts);
	assert_int_equal(d->ts_us, 1700000000123000ull); /* three fraction digits kept */
	assert_int_equal(d->ts_qualifier, tsq);
	assert_string_equal(d->ipid, "IP1");
}

static void test_tri(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct {
		int (*fn)(struct sl_ber_w *, const struct sl_pdu_ctx *, uint32_t, uint64_t);
		const uint8_t *golden;
		size_t n;
		enum sl_pdu_kind kind;
	} cases[] = {
		{ sl_pdu_keepalive, g_keepalive, sizeof(g_keepalive), SL_PDU_KEEPALIVE },
		{ sl_pdu_keepalive_response, g_keepalive_resp, sizeof(g_keepalive_resp), SL_PDU_KEEPALIVE_RESPONSE },
		{ sl_pdu_ack_request, g_ack_req, sizeof(g_ack_req), SL_PDU_ACK_REQUEST },
		{ sl_pdu_ack_response, g_ack_resp, sizeof(g_ack_resp), SL_PDU_ACK_RESPONSE },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sl_ber_w_reset(&fx->w);
		check_golden(fx, cases[i].fn(&fx->w, fx->pctx, 5, TS_US), cases[i].golden, cases[i].n, &d);
		assert_int_equal(d.kind, cases[i].kind);
		check_ps_header(&d, false, 5, SL_TSQ_MEDIATION);
	}
}

static void test_iri_ipmm(void **state)
{
	struct fixture *fx = *state;
	static const char bye[] = "BYE sip:a SIP/2.0\r\n\r\n";
	struct sl_ipmm_sip sip = { .msg = (const uint8_t *)bye, .len = sizeof(bye) - 1 };
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = 5, .ts_us = TS_US };
	struct sl_pdu_decoded d;
	static const uint8_t a1[4] = { 192, 0, 2, 1 }, a2[4] = { 192, 0, 2, 2 };

	sip.src.addr.family = SL_AF_INET4;
	memcpy(sip.src.addr.a, a1, 4);
	sip.dst.addr.family = SL_AF_INET4;
	memcpy(sip.dst.addr.a, a2, 4);
	check_golden(fx, sl_pdu_iri_ipmm(&fx->w, fx->pctx, &h, SL_IRI_END, &sip), g_iri_ipmm, sizeof(g_iri_ipmm),
		     &d);
	assert_int_equal(d.kind, SL_PDU_IRI_IPMM);
	check_ps_header(&d, true, 5, SL_TSQ_INTERCEPTION);
	assert_int_equal(d.iri_type, SL_IRI_END);
	assert_false(d.u.ipmm_iri.iri_only);
	assert_memory_equal(&d.u.ipmm_iri.src, &sip.src.addr, sizeof(struct sl_addr));
	assert_memory_equal(&d.u.ipmm_iri.dst, &sip.dst.addr, sizeof(struct sl_addr));
	assert_int_equal(d.u.ipmm_iri.sip.n, sip.len);
	assert_memory_equal(d.u.ipmm_iri.sip.p, bye, sip.len);

	/* IPv6, iRIOnlySIPMessage, every IRI type: round trip */
	memset(&sip.src.addr, 0, sizeof(sip.src.addr));
	sip.src.addr.family = SL_AF_INET6;
	sip.src.addr.a[0] = 0x20;
	sip.src.addr.a[15] = 9;
	sip.iri_only = true;
	for (int t = SL_IRI_BEGIN; t <= SL_IRI_REPORT; t++) {
		sl_ber_w_reset(&fx->w);
		assert_int_equal(sl_pdu_iri_ipmm(&fx->w, fx->pctx, &h, (enum sl_iri_type)t, &sip), 0);
		const uint8_t *p;
		size_t n;

		assert_true(sl_ber_w_result(&fx->w, &p, &n));
		assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
		assert_int_equal(d.iri_type, t);
		assert_true(d.u.ipmm_iri.iri_only);
		assert_memory_equal(&d.u.ipmm_iri.src, &sip.src.addr, sizeof(struct sl_addr));
	}
	/* an unset address family cannot be encoded */
	sl_ber_w_reset(&fx->w);
	sip.dst.addr.family = 0;
	assert_int_equal(sl_pdu_iri_ipmm(&fx->w, fx->pctx, &h, SL_IRI_END, &sip), -EINVAL);
}

static void test_cc_ipmm(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t rtp[4] = { 0x80, 0x00, 0x00, 0x01 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_TO_TARGET, .data = rtp, .len = 4, .frame = SL_MMCC_FRAME_RTP };
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = 5, .ts_us = TS_US };
	struct sl_pdu_decoded d;
	const uint8_t *p;
	size_t n;

	check_golden(fx, sl_pdu_cc_ipmm(&fx->w, fx->pctx, &h, &cc), g_cc_ipmm, sizeof(g_cc_ipmm), &d);
	assert_int_equal(d.kind, SL_PDU_CC_IPMM);
	check_ps_header(&d, true, 5, SL_TSQ_INTERCEPTION);
	assert_int_equal(d.u.ipmm_cc.dir, SL_PDU_TO_TARGET);
	assert_int_equal(d.u.ipmm_cc.frame, SL_MMCC_FRAME_RTP);
	assert_int_equal(d.u.ipmm_cc.proto, SL_MMCC_PROTO_RTP);
	assert_null(d.u.ipmm_cc.stream_id.p);
	assert_int_equal(d.u.ipmm_cc.data.n, 4);
	assert_memory_equal(d.u.ipmm_cc.data.p, rtp, 4);

	/* stream id, a large packet (long length forms), sequence number and CIN near 2^32 */
	static uint8_t big[1400];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	cc.data = big;
	cc.len = sizeof(big);
	cc.stream_id = (const uint8_t *)"m=audio 4000";
	cc.stream_id_len = 12;
	cc.dir = SL_PDU_FROM_TARGET;
	h.seqno = UINT32_MAX;
	h.cin = UINT32_MAX - 1;
	sl_ber_w_reset(&fx->w);
	assert_int_equal(sl_pdu_cc_ipmm(&fx->w, fx->pctx, &h, &cc), 0);
	assert_true(sl_ber_w_result(&fx->w, &p, &n));
	assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
	assert_int_equal(d.seqno, UINT32_MAX);
	assert_int_equal(d.cin, UINT32_MAX - 1);
	assert_int_equal(d.u.ipmm_cc.dir, SL_PDU_FROM_TARGET);
	assert_int_equal(d.u.ipmm_cc.stream_id.n, 12);
	assert_memory_equal(d.u.ipmm_cc.data.p, big, sizeof(big));

	/* too small a buffer: -ENOBUFS, and the writer knows the size needed */
	{
		uint8_t small[32];
		struct sl_ber_w w2;

		sl_ber_w_init(&w2, small, sizeof(small));
		assert_int_equal(sl_pdu_cc_ipmm(&w2, fx->pctx, &h, &cc), -ENOBUFS);
		assert_int_equal(sl_ber_w_needed(&w2), n);
	}
}

static void simple_iri(struct sl_hi2_iri *iri)
{
	memset(iri, 0, sizeof(*iri));
	iri->type = SL_IRI_BEGIN;
	iri->ts_us = TS_US;
	iri->has_dir = true;
	iri->dir = SL_HI2_ORIGINATING;
	iri->orig.n = 1;
	iri->orig.id[0].type = SL_ID_SIP_URI;
	memcpy(iri->orig.id[0].value, "sip:a@b", 8);
}

static void check_simple_hi2(const struct sl_pdu_decoded *d, const char *domain)
{
	assert_int_equal(d->kind, SL_PDU_IRI_HI2);
	assert_int_equal(d->iri_type, SL_IRI_BEGIN);
	assert_int_equal(d->u.hi2.iri.type, SL_IRI_BEGIN);
	assert_string_equal(d->u.hi2.ids.domain, domain);
	assert_int_equal(d->u.hi2.ids.iri_version, 8);
	assert_memory_equal(d->u.hi2.ids.liid.p, "LIID1", 5);
	assert_int_equal(d->u.hi2.ids.cin.n, 1);
	assert_memory_equal(d->u.hi2.ids.cin.p, "7", 1);
	assert_memory_equal(d->u.hi2.ids.operator_id.p, "OP", 2);
	assert_false(d->u.hi2.ids.ts_utc);
	assert_int_equal(d->u.hi2.iri.ts_us, 1700000000123000ull);
	assert_true(d->u.hi2.iri.has_dir);
	assert_int_equal(d->u.hi2.iri.dir, SL_HI2_ORIGINATING);
	assert_int_equal(d->u.hi2.iri.orig.n, 1);
	assert_int_equal(d->u.hi2.iri.orig.id[0].type, SL_ID_SIP_URI);
	assert_string_equal(d->u.hi2.iri.orig.id[0].value, "sip:a@b");
	assert_int_equal(d->u.hi2.iri.term.n, 0);
	assert_false(d->u.hi2.iri.has_sms);
}

static void test_iri_hi2(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = 5, .ts_us = TS_US };
	struct sl_hi2_iri iri;
	struct sl_pdu_decoded d;

	simple_iri(&iri);
	check_golden(fx, sl_pdu_iri_hi2(&fx->w, fx->pctx, &h, &iri), g_iri_hi2, sizeof(g_iri_hi2), &d);
	check_ps_header(&d, true, 5, SL_TSQ_INTERCEPTION);
	check_simple_hi2(&d, SL_HI2_DOMAIN_V18);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_hi2_iris_content(&fx->w, fx->pctx, SL_HI2_V11_TAGGED, 7, &iri), g_hi2_v11,
		     sizeof(g_hi2_v11), &d);
	assert_false(d.ps);
	assert_int_equal(d.framing, SL_HI2_V11_TAGGED);
	check_simple_hi2(&d, SL_HI2_DOMAIN_V11);

	sl_ber_w_reset(&fx->w);
	check_golden(fx, sl_hi2_iris_content(&fx->w, fx->pctx, SL_HI2_V18_UNTAGGED, 7, &iri), g_hi2_v18,
		     sizeof(g_hi2_v18), &d);
	assert_int_equal(d.framing, SL_HI2_V18_UNTAGGED);
	check_simple_hi2(&d, SL_HI2_DOMAIN_V18);

	/* a CIN the HI2 format cannot carry (more than 8 digits) */
	sl_ber_w_reset(&fx->w);
	assert_int_equal(sl_hi2_iris_content(&fx->w, fx->pctx, SL_HI2_V18_UNTAGGED, SL_HI2_CIN_MAX + 1, &iri),
			 -EINVAL);
}

static void add_id(struct sl_party *p, enum sl_id_type t, const char *v)
{
	p->id[p->n].type = (uint8_t)t;
	memcpy(p->id[p->n].value, v, strlen(v) + 1);
	p->n++;
}

static void same_party(const struct sl_party *a, const struct sl_party *b)
{
	unsigned i, j;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n; j++)
			if (a->id[i].type == b->id[j].type && strcmp(a->id[i].value, b->id[j].value) == 0)
				break;
		if (j == b->n)
			fail_msg("identity %s lost", a->id[i].value);
	}
}

/* Every field of IRI-Parameters we encode, both framings and inside a PS-PDU. */
/*
 * partyInformation [9] SET OF PartyInformation in DER order (X.690 11.6):
 * every constructed [9] whose components are SEQUENCEs has them in
 * ascending order of their encodings. Returns the number of such sets.
 */
struct set_check {
	unsigned sets;
};

static enum sl_ber_walk_ret set_visit(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t, unsigned depth,
				      size_t offset)
{
	struct set_check *sc = arg;
	struct sl_ber_cur c = { .p = t->val, .left = t->len, .depth = depth + 1 };
	struct sl_ber_tlv prev, cur;
	bool have = false;

	(void)offset;
	if (t->cls != SL_BER_CONTEXT || t->tag != 9 || !t->constructed)
		return SL_BER_WALK_DESCEND;
	while (sl_ber_more(&c)) {
		assert_int_equal(sl_ber_next(d, &c, &cur), SL_BER_OK);
		if (!sl_ber_is(&cur, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE))
			return SL_BER_WALK_DESCEND;
		if (have) {
			size_t a = sl_ber_tlv_size(&prev), b = sl_ber_tlv_size(&cur), m = a < b ? a : b;
			int r = memcmp(sl_ber_tlv_start(&prev), sl_ber_tlv_start(&cur), m);

			assert_true(r < 0 || (r == 0 && a <= b));
		}
		prev = cur;
		have = true;
	}
	sc->sets++;
	return SL_BER_WALK_SKIP;
}

static unsigned party_sets_sorted(const uint8_t *p, size_t n)
{
	struct sl_ber_dec d;
	struct set_check sc = { 0 };

	sl_ber_dec_init(&d, p, n, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_walk(&d, sl_ber_dec_root(&d), set_visit, &sc), SL_BER_OK);
	return sc.sets;
}

static void test_hi2_full_round_trip(void **state)
{
	struct fixture *fx = *state;
	static const char pani[] = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262010001abcdef1;network-provided";
	static const char body[] = "hi";
	static const char sipmsg[] = "MESSAGE sip:b@c SIP/2.0\r\n\r\n";
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 12345678, .seqno = 0, .ts_us = TS_US };
	struct sl_hi2_iri iri;
	struct sl_pdu_decoded d;
	const uint8_t *p;
	size_t n;
	int framing;

	memset(&iri, 0, sizeof(iri));
	iri.type = SL_IRI_REPORT;
	iri.ts_us = TS_US;
	iri.has_dir = iri.has_state = iri.has_nature = true;
	iri.dir = SL_HI2_TERMINATING;
	iri.state = SL_HI2_CONNECTED;
	iri.nature = SL_HI2_NATURE_LTE_SMS;
	add_id(&iri.orig, SL_ID_SIP_URI, "sip:alice@example.com");
	add_id(&iri.orig, SL_ID_SIP_URI, "sip:+4930123@example.com");
	add_id(&iri.orig, SL_ID_E164, "+4930123");
	add_id(&iri.orig, SL_ID_IMSI, "262011234567890");
	add_id(&iri.orig, SL_ID_IMEI, "490154203237518");
	add_id(&iri.orig, SL_ID_NUMBER, "030123");
	add_id(&iri.term, SL_ID_E164, "+441234567");
	add_id(&iri.term, SL_ID_IMSI, "26201123456789");
	assert_true(sl_hi2_location_from_pani(pani, sizeof(pani) - 1, &iri.loc));
	iri.loc.cgi_len = 7;
	memcpy(iri.loc.cgi, "\x62\xf2\x10\x00\x01\x00\x02", 7);
	iri.has_sms = true;
	iri.sms_initiator = SL_HI2_SMS_TARGET;
	iri.has_sms_transfer = true;
	iri.sms_transfer = SL_HI2_SMS_FAILED;
	iri.sms_content = (const uint8_t *)body;
	iri.sms_content_len = 2;
	iri.sms_orig.family = SL_AF_INET4;
	iri.sms_orig.a[0] = 10;
	iri.sms_term.family = SL_AF_INET6;
	iri.sms_term.a[0] = 0xfe;
	iri.sip = (const uint8_t *)sipmsg;
	iri.sip_len = sizeof(sipmsg) - 1;

	/* TS 24.008 PLMN 262/01 = 62 f2 10; TAC 0001; ECI abcdef1 in 28 bits */
	assert_memory_equal(iri.loc.tai, "\x05\x62\xf2\x10\x00\x01", 6);
	assert_memory_equal(iri.loc.ecgi, "\x07\x62\xf2\x10\x0a\xbc\xde\xf1", 8);

	for (framing = -1; framing <= SL_HI2_V18_UNTAGGED; framing++) {
		sl_ber_w_reset(&fx->w);
		if (framing < 0)
			assert_int_equal(sl_pdu_iri_hi2(&fx->w, fx->pctx, &h, &iri), 0);
		else
			assert_int_equal(sl_hi2_iris_content(&fx->w, fx->pctx, (enum sl_hi2_framing)framing,
							     h.cin, &iri), 0);
		assert_true(sl_ber_w_result(&fx->w, &p, &n));
		/* the originating party's entries are the longer ones: DER order puts the terminating first */
		assert_int_equal(party_sets_sorted(p, n), 1);
		assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
		assert_int_equal(d.kind, SL_PDU_IRI_HI2);
		assert_int_equal(d.u.hi2.iri.type, SL_IRI_REPORT);
		assert_memory_equal(d.u.hi2.ids.cin.p, "12345678", 8);
		assert_int_equal(d.u.hi2.iri.dir, SL_HI2_TERMINATING);
		assert_int_equal(d.u.hi2.iri.state, SL_HI2_CONNECTED);
		assert_int_equal(d.u.hi2.iri.nature, SL_HI2_NATURE_LTE_SMS);
		if (framing == SL_HI2_V11_TAGGED) {
			/* version11 has no alphanumeric [11]: the national number is left out */
			struct sl_party o = iri.orig;
			o.n--;
			same_party(&o, &d.u.hi2.iri.orig);
		} else {
			same_party(&iri.orig, &d.u.hi2.iri.orig);
		}
		same_party(&iri.term, &d.u.hi2.iri.term);
		assert_true(d.u.hi2.iri.has_sms_transfer);
		assert_int_equal(d.u.hi2.iri.sms_transfer, SL_HI2_SMS_FAILED);
		assert_int_equal(d.u.hi2.iri.loc.cgi_len, 7);
		/* version11 has no tAI/eCGI: left out */
		assert_int_equal(d.u.hi2.iri.loc.has_tai, framing != SL_HI2_V11_TAGGED);
		assert_int_equal(d.u.hi2.iri.loc.has_ecgi, framing != SL_HI2_V11_TAGGED);
		if (framing != SL_HI2_V11_TAGGED)
			assert_memory_equal(d.u.hi2.iri.loc.ecgi, iri.loc.ecgi, 8);
		assert_true(d.u.hi2.iri.has_sms);
		assert_int_equal(d.u.hi2.iri.sms_initiator, SL_HI2_SMS_TARGET);
		assert_int_equal(d.u.hi2.iri.sms_content_len, 2);
		assert_memory_equal(d.u.hi2.iri.sms_content, "hi", 2);
		assert_memory_equal(&d.u.hi2.iri.sms_orig, &iri.sms_orig, sizeof(iri.sms_orig));
		assert_memory_equal(&d.u.hi2.iri.sms_term, &iri.sms_term, sizeof(iri.sms_term));
		assert_int_equal(d.u.hi2.iri.sip_len, iri.sip_len);
		assert_memory_equal(d.u.hi2.iri.sip, sipmsg, iri.sip_len);
	}
}

/* utcTime TimeStamp, an operator id too long for HI2, bad configurations. */
static void test_ctx_options(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_ctx_cfg cfg = { .liid = "X", .operator_id = "OPERATOR-LONG", .hi2_utc_time = true };
	struct sl_pdu_ctx *c = sl_pdu_ctx_alloc(fx->ctx, &cfg);
	struct sl_hi2_iri iri;
	struct sl_pdu_decoded d;
	const uint8_t *p;
	size_t n;

	assert_non_null(c);
	assert_false(sl_pdu_ctx_has_hi2(c));
	simple_iri(&iri);
	assert_int_equal(sl_hi2_iris_content(&fx->w, c, SL_HI2_V18_UNTAGGED, 1, &iri), -ENOTSUP);
	talloc_free(c);

	cfg.hi2_operator_id = "OPR";
	c = sl_pdu_ctx_alloc(fx->ctx, &cfg);
	assert_non_null(c);
	sl_ber_w_reset(&fx->w);
	assert_int_equal(sl_hi2_iris_content(&fx->w, c, SL_HI2_V18_UNTAGGED, 1, &iri), 0);
	assert_true(sl_ber_w_result(&fx->w, &p, &n));
	assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
	assert_true(d.u.hi2.ids.ts_utc);
	assert_int_equal(d.u.hi2.iri.ts_us, 1700000000000000ull); /* utcTime: whole seconds */
	assert_memory_equal(d.u.hi2.ids.operator_id.p, "OPR", 3);
	talloc_free(c);

	{
		const struct sl_pdu_ctx_cfg bad[] = {
			{ .operator_id = "OP" },
			{ .liid = "", .operator_id = "OP" },
			{ .liid = "12345678901234567890123456", .operator_id = "OP" },
			{ .liid = "L" },
			{ .liid = "L", .operator_id = "12345678901234567" },
			{ .liid = "L", .operator_id = "OP", .auth_cc = "D" },
			{ .liid = "L", .operator_id = "OP", .delivery_cc = "de" },
			{ .liid = "L", .operator_id = "OP", .ipid = "123456789" },
			{ .liid = "L", .operator_id = "OP", .ipid = "a@b" },	/* '@' is not PrintableString */
			{ .liid = "L", .operator_id = "OP", .ts_digits = 7 },
			{ .liid = "L", .operator_id = "OP", .hi2_operator_id = "TOOLONG" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			errno = 0;
			assert_null(sl_pdu_ctx_alloc(fx->ctx, &bad[i]));
			assert_int_equal(errno, EINVAL);
		}
	}
}

static void test_hi1(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	int op;

	check_golden(fx, sl_pdu_hi1_notification(&fx->w, fx->pctx, 2, TS_US, SL_HI1_ACTIVATED, "sip:a@b"), g_hi1,
		     sizeof(g_hi1), &d);
	assert_int_equal(d.kind, SL_PDU_HI1);
	check_ps_header(&d, false, 2, SL_TSQ_MEDIATION);
	assert_int_equal(d.u.hi1.op, SL_HI1_ACTIVATED);
	assert_memory_equal(d.u.hi1.ids.liid.p, "LIID1", 5);
	assert_memory_equal(d.u.hi1.ids.operator_id.p, "OP", 2);
	assert_int_equal(d.u.hi1.ts_us, 1700000000123000ull);
	assert_memory_equal(d.u.hi1.target_info.p, "sip:a@b", 7);

	for (op = SL_HI1_ACTIVATED; op <= SL_HI1_MODIFIED; op++) {
		const uint8_t *p;
		size_t n;

		sl_ber_w_reset(&fx->w);
		assert_int_equal(sl_pdu_hi1_notification(&fx->w, fx->pctx, 3, TS_US, (enum sl_hi1_op)op, NULL), 0);
		assert_true(sl_ber_w_result(&fx->w, &p, &n));
		assert_int_equal(sl_pdu_decode(NULL, p, n, &d, NULL, 0), 0);
		assert_int_equal(d.u.hi1.op, op);
		assert_null(d.u.hi1.target_info.p);
	}
	sl_ber_w_reset(&fx->w);
	assert_int_equal(sl_pdu_hi1_notification(&fx->w, fx->pctx, 3, TS_US, (enum sl_hi1_op)4, NULL), -EINVAL);
}

/* Capture events map to record types, states, parties and location. */
static void test_from_event(void **state)
{
	static const char pani[] = "3GPP-E-UTRAN-TDD; utran-cell-id-3gpp=3100150001abcdef1";
	struct sl_sig sig;
	struct sl_event ev;
	struct sl_hi2_iri iri;
	static const struct { enum sl_call_step step; enum sl_iri_type type; enum sl_hi2_state st; } map[] = {
		{ SL_CALL_ATTEMPT, SL_IRI_BEGIN, SL_HI2_SETUP },
		{ SL_CALL_RINGING, SL_IRI_CONTINUE, SL_HI2_SETUP },
		{ SL_CALL_ANSWER, SL_IRI_CONTINUE, SL_HI2_CONNECTED },
		{ SL_CALL_END, SL_IRI_END, SL_HI2_IDLE },
	};
	size_t i;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	memset(&sig, 0, sizeof(sig));
	ev.type = SL_EV_CALL;
	ev.ts_us = TS_US;
	add_id(&ev.from, SL_ID_SIP_URI, "sip:a@b");
	add_id(&ev.to, SL_ID_E164, "+491234");
	ev.location = sl_str_make(pani, sizeof(pani) - 1);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		ev.u.call.step = map[i].step;
		sl_hi2_iri_from_event(&ev, true, &iri);
		assert_int_equal(iri.type, map[i].type);
		assert_true(iri.has_state);
		assert_int_equal(iri.state, map[i].st);
		assert_int_equal(iri.dir, SL_HI2_ORIGINATING);
		assert_int_equal(iri.orig.n, 1);
		assert_int_equal(iri.term.n, 1);
		/* MCC 310, 3-digit MNC 015: PLMN 13 50 10 (TS 24.008 figure 10.5.13) */
		assert_true(iri.loc.has_ecgi);
		assert_memory_equal(iri.loc.tai, "\x05\x13\x50\x10\x00\x01", 6);
	}
	ev.type = SL_EV_MESSAGE;
	ev.sig = &sig;
	sig.src.addr.family = SL_AF_INET4;
	sig.dst.addr.family = SL_AF_INET6;
	ev.location = SL_STR_NULL;
	sl_hi2_iri_from_event(&ev, false, &iri);
	assert_int_equal(iri.type, SL_IRI_REPORT);
	assert_int_equal(iri.dir, SL_HI2_TERMINATING);
	assert_true(iri.has_sms);
	assert_int_equal(iri.sms_initiator, SL_HI2_SMS_SERVER);
	assert_int_equal(iri.sms_orig.family, SL_AF_INET4);
	assert_int_equal(iri.sms_term.family, SL_AF_INET6);
	assert_false(iri.loc.has_ecgi);

	/* not E-UTRAN, wrong length, not hex: no location */
	{
		struct sl_hi2_location l;
		static const char *const no[] = {
			"3GPP-UTRAN-FDD; utran-cell-id-3gpp=262010001abcdef1",
			"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262010001abcdef",
			"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=26201000xabcdef1",
			"3GPP-E-UTRAN-FDD",
		};

		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
			assert_false(sl_hi2_location_from_pani(no[i], strlen(no[i]), &l));
	}
}

/* The visitor reports the header and payload fields by name. */
struct visit_acc {
	char names[2048];
	int depth, maxdepth;
};

static void visit_cb(void *arg, const struct sl_pdu_field *f)
{
	struct visit_acc *a = arg;
	size_t n = strlen(a->names);

	if (f->type == SL_PDU_F_CLOSE) {
		a->depth--;
		return;
	}
	snprintf(a->names + n, sizeof(a->names) - n, "%s,", f->name);
	if (f->type == SL_PDU_F_OPEN && ++a->depth > a->maxdepth)
		a->maxdepth = a->depth;
}

static void test_visit(void **state)
{
	struct fixture *fx = *state;
	struct sl_pdu_decoded d;
	struct visit_acc acc;

	assert_int_equal(sl_pdu_decode(NULL, g_iri_ipmm, sizeof(g_iri_ipmm), &d, NULL, 0), 0);
	memset(&acc, 0, sizeof(acc));
	sl_pdu_decoded_visit(&d, visit_cb, &acc);
	assert_int_equal(acc.depth, 0);
	assert_non_null(strstr(acc.names, "kind,pSHeader,li-psDomainId,lawfulInterceptionIdentifier,"));
	assert_non_null(strstr(acc.names, "communicationIdentityNumber,"));
	assert_non_null(strstr(acc.names, "sIPMessage,iPSourceAddress,iPDestinationAddress,sIPContent,"));

	assert_int_equal(sl_pdu_decode(NULL, g_iri_hi2, sizeof(g_iri_hi2), &d, NULL, 0), 0);
	memset(&acc, 0, sizeof(acc));
	sl_pdu_decoded_visit(&d, visit_cb, &acc);
	assert_int_equal(acc.depth, 0);
	assert_int_equal(acc.maxdepth, 2);
	assert_non_null(strstr(acc.names, "iRI-Parameters,domainID,iRIversion,"));
	assert_non_null(strstr(acc.names, "originating-Party,sip_uri,"));
	(void)fx;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iri_ipmm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cc_ipmm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iri_hi2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hi2_full_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctx_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hi1, setup, teardown),
		cmocka_unit_test(test_from_event),
		cmocka_unit_test_setup_teardown(test_visit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
