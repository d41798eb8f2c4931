/*
 * TS 102 232-5 IP multimedia payloads inside a TS 102 232-1 PS-PDU.
 *
 * IRI (clause 5.2, module IPMultimediaPDU version13): one SIP message per
 * IPMMIRI, as sIPMessage [1] (clause 5.2.7: the SIP content plus the
 * source and destination IP addresses as seen on the network layer) or,
 * for IRI-only interception, iRIOnlySIPMessage [6] (clause 5.2.6). The
 * IRIPayload around it carries the IRIType (TS 102 232-1 clause 5.2.10).
 * SIPMessage has no port fields; ports are only in the SIP text itself.
 *
 * CC (clause 5.5): one RTP/RTCP packet per IPMMCC with mMCCContents [1],
 * frameType [2] (rtpFrame: the UDP payload without IP/UDP headers),
 * streamIdentifier [3] and mMCCprotocol [4] (rTP also covers RTCP); the
 * CCPayload around it carries the payloadDirection (clause 5.2.7 of
 * TS 102 232-1).
 *
 * The object identifiers are RELATIVE-OIDs under lawfulInterceptDomainId:
 * iPMMIRIObjId {li-ps(5) iPMultimedia(5) version13(13) iRI(1)} and
 * iPMMCCObjId {... cC(2)}, each arc below 128 so one content octet each.
 */
#include <errno.h>

#include "handover/pdu_int.h"

static const uint8_t ipmm_iri_objid[] = { 5, 5, 13, 1 };
static const uint8_t ipmm_cc_objid[] = { 5, 5, 13, 2 };

void sl_w_ip_address(struct sl_ber_w *w, uint32_t tag, const struct sl_addr *a, bool v6_prefix)
{
	size_t m = sl_ber_w_mark(w), mv;
	bool v6 = a->family == SL_AF_INET6;

	if (a->family != SL_AF_INET4 && !v6) {
		w->invalid = true;
		return;
	}
	/* iPv6PrefixLength [4] is mandatory with a binary IPv6 value: a host address is /128 */
	if (v6 && v6_prefix)
		sl_ber_w_uint64(w, SL_BER_CONTEXT, 4, 128);
	mv = sl_ber_w_mark(w);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, a->a, v6 ? 16 : 4); /* iPBinaryAddress */
	sl_ber_w_close(w, mv, SL_BER_CONTEXT, 2);		   /* iP-value [2], a CHOICE */
	sl_ber_w_enum(w, SL_BER_CONTEXT, 1, v6 ? 1 : 0);	   /* iP-type */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag);
}

int sl_pdu_iri_ipmm(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		    enum sl_iri_type type, const struct sl_ipmm_sip *sip)
{
	size_t m;

	if (!w || !ctx || !h || !sip || (!sip->msg && sip->len) || type < SL_IRI_BEGIN || type > SL_IRI_REPORT)
		return -EINVAL;
	m = sl_ber_w_mark(w);
	sl_ber_w_octets(w, SL_BER_CONTEXT, 2, sip->msg, sip->len);	/* sIPContent */
	sl_w_ip_address(w, 1, &sip->dst.addr, true);			/* iPDestinationAddress */
	sl_w_ip_address(w, 0, &sip->src.addr, true);			/* iPSourceAddress */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, sip->iri_only ? 6 : 1);	/* (iRIOnly)sIPMessage */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 1);			/* iPMMIRIContents, a CHOICE */
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, ipmm_iri_objid, sizeof(ipmm_iri_objid));
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 11);			/* iPMMIRI */
	return sl_ps_pdu(w, ctx, h, SL_PS_IRI, type, m);
}

int sl_pdu_cc_ipmm(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
		   const struct sl_ipmm_cc *cc)
{
	size_t m;

	if (!w || !ctx || !h || !cc || (!cc->data && cc->len) || cc->dir > SL_PDU_DIR_NOT_APPLICABLE
	    || cc->frame > SL_MMCC_FRAME_RTP || cc->proto > SL_MMCC_PROTO_UDPTL)
		return -EINVAL;
	m = sl_ber_w_mark(w);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 4, cc->proto);			/* mMCCprotocol */
	if (cc->stream_id)
		sl_ber_w_octets(w, SL_BER_CONTEXT, 3, cc->stream_id, cc->stream_id_len);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 2, cc->frame);			/* frameType */
	sl_ber_w_octets(w, SL_BER_CONTEXT, 1, cc->data, cc->len);	/* mMCCContents */
	sl_ber_w_octets(w, SL_BER_CONTEXT, 0, ipmm_cc_objid, sizeof(ipmm_cc_objid));
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 12);			/* iPMMCC */
	return sl_ps_pdu(w, ctx, h, SL_PS_CC, cc->dir, m);
}
