/*
 * The TRI option negotiation PDUs of TS 102 232-1 clause 6.3.5 (annex
 * A.2 TRIPayload alternatives optionRequest [9], optionResponse [10] and
 * optionComplete [11]), built on the PS-PDU envelope of ps_pdu.c.
 *
 * In the implicitly tagged LI-PS-PDU module an OptionRequest is
 * SEQUENCE { requestedOptions [0] SEQUENCE OF Option } and an
 * OptionResponse SEQUENCE { acceptedOptions [0], declinedOptions [1] },
 * both lists mandatory (an empty list is [n] with length 0); the [9]/[10]
 * tag replaces the SEQUENCE's own. Option is an untagged CHOICE, so each
 * element of a list is just its alternative: pDUAcknowledgement [0] NULL
 * is 80 00. optionComplete is [11] NULL, 8b 00. So, inside tRIPayload:
 *
 *   optionRequest for pDUAcknowledgement   a9 04 a0 02 80 00
 *   optionResponse accepting it            aa 06 a0 02 80 00 a1 00
 *   optionComplete                         8b 00
 *
 * Only options sluice knows (SL_TRI_OPTS_KNOWN) can be written: an
 * unknown bit is a caller error (-EINVAL). The header carries no CIN and
 * the qualifier timeOfMediation, as for every TRI PDU.
 */
#include <errno.h>

#include "handover/pdu_int.h"

const char *const sl_tri_option_names[_SL_TRI_OPT_KNOWN] = {
	[SL_TRI_OPT_PDU_ACK] = "pDUAcknowledgement",
};

/* SEQUENCE OF Option as [tag]: the known alternatives in set, each [n] NULL, in tag order. */
static void option_list(struct sl_ber_w *w, uint32_t tag, uint32_t set)
{
	size_t m = sl_ber_w_mark(w);
	int o;

	for (o = _SL_TRI_OPT_KNOWN - 1; o >= 0; o--) /* backwards writer: last element first */
		if (set & SL_TRI_OPT(o))
			sl_ber_w_null(w, SL_BER_CONTEXT, (uint32_t)o);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, tag);
}

static int envelope(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us, size_t m)
{
	struct sl_pdu_hdr h = { .has_cin = false, .seqno = seqno, .ts_us = ts_us };

	return sl_ps_pdu(w, ctx, &h, SL_PS_TRI, 0, m);
}

int sl_pdu_option_request(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us,
			  uint32_t requested)
{
	size_t m;

	if (!w || !ctx || (requested & ~SL_TRI_OPTS_KNOWN))
		return -EINVAL;
	m = sl_ber_w_mark(w);
	option_list(w, 0, requested);			/* requestedOptions [0] */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 9);	/* optionRequest [9] */
	return envelope(w, ctx, seqno, ts_us, m);
}

int sl_pdu_option_response(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us,
			   uint32_t accepted, uint32_t declined)
{
	size_t m;

	if (!w || !ctx || ((accepted | declined) & ~SL_TRI_OPTS_KNOWN) || (accepted & declined))
		return -EINVAL;
	m = sl_ber_w_mark(w);
	option_list(w, 1, declined);			/* declinedOptions [1] */
	option_list(w, 0, accepted);			/* acceptedOptions [0] */
	sl_ber_w_close(w, m, SL_BER_CONTEXT, 10);	/* optionResponse [10] */
	return envelope(w, ctx, seqno, ts_us, m);
}

int sl_pdu_option_complete(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno, uint64_t ts_us)
{
	size_t m;

	if (!w || !ctx)
		return -EINVAL;
	m = sl_ber_w_mark(w);
	sl_ber_w_null(w, SL_BER_CONTEXT, 11);		/* optionComplete [11] NULL */
	return envelope(w, ctx, seqno, ts_us, m);
}
