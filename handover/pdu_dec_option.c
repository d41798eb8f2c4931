/*
 * Strict decoding of the option negotiation TRI messages of TS 102 232-1
 * clause 6.3.5 (annex A.2): optionRequest [9] { requestedOptions [0] }
 * and optionResponse [10] { acceptedOptions [0], declinedOptions [1] },
 * each list a SEQUENCE OF the extensible Option CHOICE. optionComplete
 * [11] is a NULL and needs nothing here.
 *
 * The two SEQUENCEs are descriptors for pdu_seq.c like every other, so a
 * missing list is malformed and a component after the extension marker is
 * unsupported, as elsewhere in the strict decoder. Inside a list, though,
 * an Option alternative we do not know is not an error: clause 6.3.5.1
 * makes options extensible and has a receiver answer an unknown one by
 * leaving it out of its response, so it must be able to read it. Each
 * alternative sets its bit in the option set (bit n for [n], bit 31 for
 * any tag above 30); only pDUAcknowledgement [0], the one we know, must
 * have the NULL shape. An element that is not context-tagged is not an
 * Option at all: malformed.
 */
#include "handover/pdu_decode_int.h"

/* SEQUENCE OF Option, the TLV t, into the uint32_t option set at out. */
static int option_list(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	uint32_t *set = out;
	struct sl_ber_cur in;
	struct sl_ber_tlv e;

	if (sl_pd_form(s, t, true, "an Option list") || sl_pd_enter(s, c, t, &in))
		return -1;
	while (sl_ber_more(&in)) {
		if (sl_pd_next(s, &in, &e))
			return -1;
		if (e.cls != SL_BER_CONTEXT)
			return sl_pd_bad(s, &e, "Option list element is not a context-tagged alternative");
		if (e.tag == SL_TRI_OPT_PDU_ACK &&
		    (sl_pd_form(s, &e, false, "pDUAcknowledgement") || sl_ber_get_null(&s->d, &e) != SL_BER_OK))
			return -1;
		*set |= e.tag < 31 ? SL_TRI_OPT(e.tag) : SL_TRI_OPT(31);
	}
	return sl_pd_done(s, &in);
}

static const struct sl_pd_comp option_request_comp[] = {
	{ 0, "requestedOptions", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.option.options, uint32_t, option_list) },
};
static const struct sl_pd_seq option_request = {
	.name = "OptionRequest", SL_PD_COMPONENTS(option_request_comp), .qualify_missing = true,
};

static const struct sl_pd_comp option_response_comp[] = {
	{ 0, "acceptedOptions", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.option.options, uint32_t, option_list) },
	{ 1, "declinedOptions", SL_PD_MANDATORY,
	  SL_PD_CALL_ON(struct sl_pdu_decoded, u.option.declined, uint32_t, option_list) },
};
static const struct sl_pd_seq option_response = {
	.name = "OptionResponse", SL_PD_COMPONENTS(option_response_comp), .qualify_missing = true,
};

int sl_pd_tri_option(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *alt,
		     struct sl_pdu_decoded *out)
{
	out->u.option.options = out->u.option.declined = 0;
	if (alt->tag == 9) {
		out->kind = SL_PDU_OPTION_REQUEST;
		return sl_pd_seq(s, c, alt, "optionRequest", &option_request, out);
	}
	out->kind = SL_PDU_OPTION_RESPONSE;
	return sl_pd_seq(s, c, alt, "optionResponse", &option_response, out);
}
