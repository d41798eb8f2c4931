/*
 * TS 102 232-1 clause 6.3.5 on the receiving side: the per-connection
 * option negotiation state machine of lemf_optneg.h (what to answer, when
 * negotiation is complete, what ends a connection), kept free of I/O so
 * it can be tested PDU by PDU.
 */
#include "lemf/lemf_optneg.h"

#include <string.h>

void sl_lemf_neg_init(struct sl_lemf_neg *n, bool enabled)
{
	memset(n, 0, sizeof(*n));
	n->state = enabled ? SL_LEMF_NEG_IDLE : SL_LEMF_NEG_OFF;
}

static void send_complete(struct sl_lemf_neg *n, struct sl_lemf_neg_act *a)
{
	a->complete = true;
	a->complete_seq = n->next_seq++;
	n->complete_due = false;
	n->sent_complete = true;
}

static void check_done(struct sl_lemf_neg *n, struct sl_lemf_neg_act *a)
{
	if (n->state == SL_LEMF_NEG_RUNNING && n->sent_complete && n->peer_complete) {
		n->state = SL_LEMF_NEG_DONE;
		a->done = true;
	}
}

static void request(struct sl_lemf_neg *n, uint64_t index, const struct sl_pdu_decoded *d,
		    struct sl_lemf_neg_act *a)
{
	if (n->state == SL_LEMF_NEG_OFF || n->state == SL_LEMF_NEG_DONE ||
	    (n->state == SL_LEMF_NEG_IDLE && index != 1)) {
		a->ignored = true;
		return;
	}
	/* a later request replaces the earlier one (clause 6.3.5.1) */
	n->state = SL_LEMF_NEG_RUNNING;
	n->requested = d->u.option.options;
	n->accepted = n->requested & SL_TRI_OPTS_KNOWN;
	a->respond = true;
	a->resp_seq = d->seqno;
	a->accepted = n->accepted;
	a->declined = 0; /* we decline nothing we know; unknown options are simply absent */
	if (!n->sent_complete)
		n->complete_due = true;
}

void sl_lemf_neg_pdu(struct sl_lemf_neg *n, uint64_t index, const struct sl_pdu_decoded *d,
		     struct sl_lemf_neg_act *a)
{
	memset(a, 0, sizeof(*a));
	switch (d->kind) {
	case SL_PDU_OPTION_REQUEST:
		request(n, index, d, a);
		break;
	case SL_PDU_KEEPALIVE:
		/* answered by the server first; our optionComplete follows it */
		if (n->state == SL_LEMF_NEG_RUNNING && n->complete_due)
			send_complete(n, a);
		break;
	case SL_PDU_OPTION_COMPLETE:
		if (n->state == SL_LEMF_NEG_RUNNING)
			n->peer_complete = true;
		break;
	case SL_PDU_OPTION_RESPONSE:
	case SL_PDU_KEEPALIVE_RESPONSE:
		break; /* we request nothing and send no keep-alive: nothing to act on */
	default:
		if (n->state == SL_LEMF_NEG_RUNNING)
			a->violation = true;
		break;
	}
	check_done(n, a);
}

void sl_lemf_neg_flush(struct sl_lemf_neg *n, struct sl_lemf_neg_act *a)
{
	memset(a, 0, sizeof(*a));
	if (n->state == SL_LEMF_NEG_RUNNING && n->complete_due)
		send_complete(n, a);
	check_done(n, a);
}

const char *sl_lemf_neg_text(const struct sl_lemf_neg *n)
{
	return n->accepted & SL_TRI_OPT(SL_TRI_OPT_PDU_ACK) ? sl_tri_option_names[SL_TRI_OPT_PDU_ACK] : "none";
}
