/*
 * Handover PDUs built by handover/'s own encoders, for the tests of what
 * consumes PDU streams (framing, the receiver's store). Seven PDUs with
 * LIID "LIID1", as tests/unit/decode_samples.c writes them: IPMMIRI
 * IRI-BEGIN CIN 7 seq 0, IPMMCC CIN 7 seq 0, ETSI671IRI IRI-CONTINUE CIN 7
 * seq 1, keep-alive seq 3, HI1 liActivated seq 4, a standalone version 18
 * IRIsContent CIN 8, IPMMIRI IRI-END CIN 7 seq 2. pdu_build_one() builds
 * any single one for other LIIDs, CINs and sequence numbers. Static
 * functions in a header so each test stays one translation unit; include
 * after cmocka.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <talloc.h>

#include "asn1/ber_encode.h"
#include "handover/pdu.h"

#define PS_N 7
#define PS_MAX 2048
#define PS_TS_US 1700000000123456ull

enum ps_kind { PS_IRI_BEGIN, PS_CC, PS_HI2, PS_KEEPALIVE, PS_HI1, PS_STANDALONE, PS_IRI_END };

struct ps_pdu {
	uint8_t p[PS_MAX];
	size_t n;
};

/* Build one PDU of a kind for liid/cin/seqno into out. 0 or the encoder's error. */
static inline int pdu_build_one(void *ctx, enum ps_kind kind, const char *liid, uint32_t cin, uint32_t seqno,
			 struct ps_pdu *out)
{
	static const char invite[] = "INVITE sip:bob@example.com SIP/2.0\r\nCall-ID: decode-1@example.com\r\n"
				     "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	static const char bye[] = "BYE sip:bob@example.com SIP/2.0\r\nCall-ID: decode-1@example.com\r\n\r\n";
	static const uint8_t rtp[] = { 0x80, 0x08, 0x00, 0x01, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78, 0xd5, 0xd5 };
	struct sl_pdu_ctx_cfg cfg = {
		.liid = liid, .auth_cc = "DE", .operator_id = "OP", .ne_id = "NE1",
		.delivery_cc = "DE", .ipid = "IP1", .ts_digits = 6,
	};
	struct sl_pdu_ctx *pc = sl_pdu_ctx_alloc(ctx, &cfg);
	uint8_t *buf = talloc_size(ctx, 8192);
	struct sl_ber_w w;
	struct sl_pdu_hdr h = { .has_cin = true, .cin = cin, .seqno = seqno, .ts_us = PS_TS_US };
	struct sl_ipmm_sip sip = { .msg = (const uint8_t *)invite, .len = sizeof(invite) - 1 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_FROM_TARGET, .data = rtp, .len = sizeof(rtp),
				 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
	struct sl_hi2_iri iri;
	uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	const uint8_t *p;
	size_t n;
	int rc;

	if (!pc || !buf) {
		talloc_free(pc);
		talloc_free(buf);
		return -1;
	}
	sl_ber_w_init(&w, buf, 8192);
	sl_addr_set4(&sip.src.addr, a);
	sl_addr_set4(&sip.dst.addr, b);
	memset(&iri, 0, sizeof(iri));
	iri.ts_us = PS_TS_US;
	iri.has_dir = true;
	iri.dir = SL_HI2_ORIGINATING;
	iri.has_state = true;
	iri.state = SL_HI2_SETUP;
	switch (kind) {
	case PS_IRI_BEGIN:
		rc = sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_BEGIN, &sip);
		break;
	case PS_CC:
		rc = sl_pdu_cc_ipmm(&w, pc, &h, &cc);
		break;
	case PS_HI2:
		iri.type = SL_IRI_CONTINUE;
		rc = sl_pdu_iri_hi2(&w, pc, &h, &iri);
		break;
	case PS_KEEPALIVE:
		rc = sl_pdu_keepalive(&w, pc, seqno, PS_TS_US);
		break;
	case PS_HI1:
		rc = sl_pdu_hi1_notification(&w, pc, seqno, PS_TS_US, SL_HI1_ACTIVATED, "sip:alice@example.com");
		break;
	case PS_STANDALONE:
		iri.type = SL_IRI_REPORT;
		rc = sl_hi2_iris_content(&w, pc, SL_HI2_V18_UNTAGGED, cin, &iri);
		break;
	case PS_IRI_END:
	default:
		sip.msg = (const uint8_t *)bye;
		sip.len = sizeof(bye) - 1;
		rc = sl_pdu_iri_ipmm(&w, pc, &h, SL_IRI_END, &sip);
		break;
	}
	if (rc == 0 && (!sl_ber_w_result(&w, &p, &n) || n > PS_MAX))
		rc = -1;
	if (rc == 0) {
		memcpy(out->p, p, n);
		out->n = n;
	}
	talloc_free(buf);
	talloc_free(pc);
	return rc;
}

/* The seven sample PDUs (see the top of this file). */
static inline void pdu_samples(void *ctx, struct ps_pdu out[PS_N])
{
	static const struct {
		enum ps_kind kind;
		uint32_t cin, seqno;
	} s[PS_N] = {
		{ PS_IRI_BEGIN, 7, 0 }, { PS_CC, 7, 0 }, { PS_HI2, 7, 1 }, { PS_KEEPALIVE, 0, 3 },
		{ PS_HI1, 0, 4 }, { PS_STANDALONE, 8, 0 }, { PS_IRI_END, 7, 2 },
	};
	unsigned i;

	for (i = 0; i < PS_N; i++)
		assert_int_equal(pdu_build_one(ctx, s[i].kind, "LIID1", s[i].cin, s[i].seqno, &out[i]), 0);
}
