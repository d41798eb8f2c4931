/*
 * The TS 102 232-1 PS-PDU envelope and the transport-related PDUs.
 *
 * PS-PDU ::= SEQUENCE { pSHeader [1] PSHeader, payload [2] Payload }
 * (annex A.2, module LI-PS-PDU version33, implicit tags). Payload is a
 * CHOICE, so its [2] tag is explicit; so is tRIPayload [2] around the
 * TRIPayload CHOICE. PSHeader carries, in this order, li-psDomainId [0],
 * the LIID [1] (clause 5.2.2), authorizationCountryCode [2] (5.2.3),
 * communicationIdentifier [3] (5.2.4: networkIdentifier, CIN, delivery
 * country code), sequenceNumber [4] (5.2.5), timeStamp [5] (5.2.6),
 * interceptionPointID [6] (5.2.11) and timeStampQualifier [8]. Written
 * backwards, the constant runs come from the context's templates. Every
 * builder writes only its payload's innermost alternative and lets
 * sl_ps_pdu() put the envelope around it.
 *
 * TRI (annex A.2 TRIPayload): keep-alive [3] and keep-aliveResponse [4]
 * (clause 6.3.4), pDUAcknowledgementRequest [12] and Response [13]
 * (clause 6.3.6), each a NULL. Their header carries no CIN; the sequence
 * number counts per TRI class (seqno.h), and a response repeats the
 * number of the request it answers.
 */
#include <errno.h>

#include "handover/pdu_int.h"

int sl_pdu_w_status(const struct sl_ber_w *w)
{
	if (w->invalid)
		return -EINVAL;
	if (w->overflow)
		return -ENOBUFS;
	return 0;
}

void sl_w_gentime_us(struct sl_ber_w *w, uint32_t tag, uint64_t ts_us, unsigned digits)
{
	sl_ber_w_generalized_time(w, SL_BER_CONTEXT, tag, (int64_t)(ts_us / 1000000u),
				  (uint32_t)(ts_us % 1000000u), digits);
}

int sl_ps_pdu(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, const struct sl_pdu_hdr *h,
	      enum sl_ps_payload payload, int value, size_t m)
{
	enum sl_pdu_tsq tsq = SL_TSQ_MEDIATION;
	size_t m_hdr, m_ci;

	switch (payload) {
	case SL_PS_IRI:
	case SL_PS_CC:
		sl_ber_w_close(w, m, SL_BER_CONTEXT, 2);			/* iRIContents, cCContents: CHOICEs */
		sl_ber_w_enum(w, SL_BER_CONTEXT, 0, value);			/* iRIType, payloadDirection */
		sl_ber_w_close(w, m, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);	/* IRIPayload, CCPayload */
		sl_ber_w_close(w, m, SL_BER_CONTEXT, payload == SL_PS_IRI ? 0 : 1); /* the payload sequence */
		tsq = SL_TSQ_INTERCEPTION;
		break;
	case SL_PS_TRI:
		sl_ber_w_close(w, m, SL_BER_CONTEXT, 2);			/* tRIPayload, a CHOICE */
		break;
	case SL_PS_HI1:
		sl_ber_w_close(w, m, SL_BER_CONTEXT, 3);			/* hI1-Operation, a CHOICE */
		break;
	default:
		w->invalid = true;
		break;
	}
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 2);				/* payload, a CHOICE */

	m_hdr = sl_ber_w_mark(w);
	sl_ber_w_enum(w, SL_BER_CONTEXT, 8, tsq);
	sl_ber_w_raw(w, ctx->ps_ipid.p, ctx->ps_ipid.n);
	sl_w_gentime_us(w, 5, h->ts_us, ctx->ts_digits);
	sl_ber_w_uint64(w, SL_BER_CONTEXT, 4, h->seqno);
	m_ci = sl_ber_w_mark(w);
	sl_ber_w_raw(w, ctx->ps_dcc.p, ctx->ps_dcc.n);
	if (h->has_cin)
		sl_ber_w_uint64(w, SL_BER_CONTEXT, 1, h->cin);
	sl_ber_w_raw(w, ctx->ps_nid.p, ctx->ps_nid.n);
	sl_ber_w_close(w, m_ci, SL_BER_CONTEXT, 3);
	sl_ber_w_raw(w, ctx->ps_head.p, ctx->ps_head.n);
	sl_ber_w_close(w, m_hdr, SL_BER_CONTEXT, 1);

	sl_ber_w_close(w, m, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
	return sl_pdu_w_status(w);
}

static int tri(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us,
	       uint32_t which)
{
	struct sl_pdu_hdr h = { .has_cin = false, .seqno = seqno, .ts_us = ts_us };
	size_t m;

	if (!w || !ctx)
		return -EINVAL;
	m = sl_ber_w_mark(w);
	sl_ber_w_null(w, SL_BER_CONTEXT, which);
	return sl_ps_pdu(w, ctx, &h, SL_PS_TRI, 0, m);
}

int sl_pdu_keepalive(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us)
{
	return tri(w, ctx, seqno, ts_us, 3);
}

int sl_pdu_keepalive_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno,
			      uint64_t ts_us)
{
	return tri(w, ctx, seqno, ts_us, 4);
}

int sl_pdu_ack_request(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us)
{
	return tri(w, ctx, seqno, ts_us, 12);
}

int sl_pdu_ack_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us)
{
	return tri(w, ctx, seqno, ts_us, 13);
}
