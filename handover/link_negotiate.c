/*
 * The delivery function's side of TRI option negotiation, TS 102 232-1
 * clause 6.3.5, run by the link's "negotiating" state (link_fsm.c) once
 * the transport is up and before any record is sent.
 *
 * Clause 6.3.5.2 as sluice plays it: on entering, the link sends an
 * optionRequest (number 0 of this connection; requesting
 * pDUAcknowledgement when the destination is configured pdu-ack, else
 * nothing) and right after it a keep-alive. Then, in the order the
 * receiver's PDUs arrive:
 *   - keep-aliveResponse before any optionResponse: the receiver ignored
 *     the request, it does not negotiate (annex I.1.1). Negotiation ends;
 *     the link goes up with no option, so no pDUAcknowledgement (the
 *     clause lets options be used only once negotiated), releases records
 *     by TCP acknowledgement and the resend window instead, and says so
 *     in a warning and the unsupported (and no_ack) counters;
 *   - optionResponse answering our number: its accepted options (those we
 *     asked for) are recorded, and we are satisfied: optionComplete;
 *   - the receiver's optionRequest: answered with an optionResponse
 *     echoing its number, accepting nothing (sluice offers no option to
 *     a receiver) and declining the options we know; unknown ones are left
 *     out, as the clause says;
 *   - the receiver's optionComplete.
 * Negotiation is complete, and the link goes up using what was accepted,
 * once we have sent optionComplete (all of it written) and received the
 * receiver's. Anything else before that (a record-level PDU, an
 * acknowledgement, an undecodable PDU, a response to a number we did not
 * send, a second response, an optionComplete before the response)
 * terminates the connection, counted as negotiation:failed; the whole
 * exchange is bounded by X6 (link_fsm.c). The keep-alive counts against
 * the keep-alive sequence; the negotiation numbers are our own.
 *
 * The PDUs are written from a small buffer of their own, ahead of (and
 * instead of) the record batches of link_send.c, which run only when up.
 */
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/logging.h>

#include "handover/delivery_log.h"
#include "handover/link_int.h"
#include "handover/pdu.h"

/* Append one encoded control PDU to neg_tx; false (logged) if it cannot be encoded or does not fit. */
static bool queue(struct sl_link *l, int rc, struct sl_ber_w *w, const char *what)
{
	const uint8_t *p;
	size_t n;

	if (rc < 0 || !sl_ber_w_result(w, &p, &n) || n > sizeof(l->neg_tx) - l->neg_tx_len) {
		LOGPFSML(l->fi, LOGL_ERROR, "cannot encode %s\n", what);
		return false;
	}
	memcpy(l->neg_tx + l->neg_tx_len, p, n);
	l->neg_tx_len += n;
	return true;
}

/* A control PDU's encoding buffer. */
struct enc {
	uint8_t buf[SL_LINK_CTRL_MAX];
	struct sl_ber_w w;
};

static struct sl_ber_w *enc_init(struct enc *e)
{
	sl_ber_w_init(&e->w, e->buf, sizeof(e->buf));
	return &e->w;
}

static enum sl_link_neg_res fail(struct sl_link *l, int ctr, const char *why, uint64_t a, uint64_t b)
{
	sl_link_fail(l, ctr, "option negotiation: %s (%" PRIu64 ", %" PRIu64 ")", why, a, b);
	return SL_LINK_NEG_FAILED;
}

/* Complete: optionComplete both ways and everything written. */
static enum sl_link_neg_res check_done(struct sl_link *l)
{
	if (!l->neg_got_response || !l->neg_sent_complete || !l->neg_peer_complete || l->neg_tx_len)
		return SL_LINK_NEG_WAIT;
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_NEG_COMPLETED);
	l->use_pdu_ack = l->cfg.pdu_ack && (l->neg_accepted & SL_TRI_OPT(SL_TRI_OPT_PDU_ACK));
	l->negotiated = l->use_pdu_ack ? sl_tri_option_names[SL_TRI_OPT_PDU_ACK] : "none";
	LOGPFSML(l->fi, LOGL_NOTICE, "option negotiation complete: using %s\n", l->negotiated);
	return SL_LINK_NEG_DONE;
}

enum sl_link_neg_res sl_link_neg_flush(struct sl_link *l)
{
	bool want_write = false;

	while (l->neg_tx_len) {
		size_t n;
		enum sl_tr_res r = sl_transport_write(l->tr, l->neg_tx, l->neg_tx_len, &n);

		if (sl_tr_would_block(r)) {
			want_write = r == SL_TR_WANT_WRITE;
			break;
		}
		if (r != SL_TR_OK) {
			sl_link_fail_tr(l, r);
			return SL_LINK_NEG_FAILED;
		}
		memmove(l->neg_tx, l->neg_tx + n, l->neg_tx_len - n);
		l->neg_tx_len -= n;
		rate_ctr_add(rate_ctr_group_get_ctr(l->ctrs, SL_LINK_CTR_BYTES_SENT), (int)n);
	}
	osmo_fd_update_when(&l->ofd, ~OSMO_FD_WRITE, want_write ? OSMO_FD_WRITE : 0);
	return check_done(l);
}

enum sl_link_neg_res sl_link_neg_start(struct sl_link *l)
{
	struct enc e;

	l->use_pdu_ack = false;
	l->negotiated = "";
	l->neg_requested = l->cfg.pdu_ack ? SL_TRI_OPT(SL_TRI_OPT_PDU_ACK) : 0;
	l->neg_accepted = 0;
	l->neg_seq = 0;
	l->neg_got_response = l->neg_sent_complete = l->neg_peer_complete = false;
	l->neg_tx_len = 0;
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_NEG_STARTED);

	l->neg_req_seq = l->neg_seq++;
	l->ka_seq++;
	l->ka_outstanding = true;
	if (!queue(l, l->ops.make_option_request(l->ops.priv, enc_init(&e), l->neg_req_seq, l->neg_requested),
		   &e.w, "optionRequest") ||
	    !queue(l, l->ops.make_keepalive(l->ops.priv, enc_init(&e), l->ka_seq), &e.w, "keep-alive"))
		return fail(l, SL_LINK_CTR_NEG_FAILED, "cannot encode the opening PDUs", l->neg_req_seq, l->ka_seq);
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_KEEPALIVE_SENT);
	LOGPFSML(l->fi, LOGL_INFO, "optionRequest %" PRIu64 " (%s), keep-alive %" PRIu64 "\n", l->neg_req_seq,
		 l->neg_requested ? sl_tri_option_names[SL_TRI_OPT_PDU_ACK] : "no option", l->ka_seq);
	return sl_link_neg_flush(l);
}

/* keep-aliveResponse first: the receiver does not negotiate (annex I.1.1). */
static enum sl_link_neg_res unsupported(struct sl_link *l)
{
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_NEG_UNSUPPORTED);
	if (l->cfg.pdu_ack)
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_NEG_NO_ACK);
	LOGPFSML(l->fi, LOGL_NOTICE,
		 "WARNING: the receiver does not support option negotiation (keep-aliveResponse before any "
		 "optionResponse); proceeding without options%s\n",
		 l->cfg.pdu_ack ? ": no pDUAcknowledgement, records are released on TCP acknowledgement" : "");
	l->use_pdu_ack = false;
	l->negotiated = "unsupported";
	return SL_LINK_NEG_DONE;
}

static enum sl_link_neg_res response(struct sl_link *l, const struct sl_link_rx *rx)
{
	struct enc e;

	if (l->neg_got_response || rx->seq != l->neg_req_seq)
		return fail(l, SL_LINK_CTR_NEG_FAILED, "optionResponse does not answer our optionRequest", rx->seq,
			    l->neg_req_seq);
	l->neg_got_response = true;
	l->neg_accepted = rx->options & l->neg_requested; /* a response names only what was requested */
	if (l->cfg.pdu_ack && !(l->neg_accepted & SL_TRI_OPT(SL_TRI_OPT_PDU_ACK))) {
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_NEG_NO_ACK);
		LOGPFSML(l->fi, LOGL_NOTICE,
			 "WARNING: the receiver %s pDUAcknowledgement: records are released on TCP acknowledgement\n",
			 rx->declined & SL_TRI_OPT(SL_TRI_OPT_PDU_ACK) ? "declined" : "does not know");
	}
	/* Satisfied with whatever was accepted: we ask for nothing more. */
	if (!queue(l, l->ops.make_option_complete(l->ops.priv, enc_init(&e), l->neg_seq), &e.w, "optionComplete"))
		return fail(l, SL_LINK_CTR_NEG_FAILED, "cannot encode optionComplete", l->neg_seq, 0);
	l->neg_seq++;
	l->neg_sent_complete = true;
	return sl_link_neg_flush(l);
}

/* The receiver's optionRequest: we offer no option; known ones are declined, unknown ones left out. */
static enum sl_link_neg_res peer_request(struct sl_link *l, const struct sl_link_rx *rx)
{
	struct enc e;
	uint32_t declined = rx->options & SL_TRI_OPTS_KNOWN;

	if (l->neg_peer_complete)
		return fail(l, SL_LINK_CTR_NEG_FAILED, "optionRequest after the receiver's optionComplete", rx->seq,
			    0);
	if (!queue(l, l->ops.make_option_response(l->ops.priv, enc_init(&e), rx->seq, 0, declined), &e.w,
		   "optionResponse"))
		return fail(l, SL_LINK_CTR_NEG_FAILED, "cannot encode optionResponse", rx->seq, 0);
	LOGPFSML(l->fi, LOGL_INFO, "the receiver's optionRequest %" PRIu64 " answered: nothing accepted\n", rx->seq);
	return sl_link_neg_flush(l);
}

enum sl_link_neg_res sl_link_neg_rx(struct sl_link *l, const struct sl_link_rx *rx)
{
	switch (rx->kind) {
	case SL_LINK_RX_KEEPALIVE_RESPONSE:
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_KEEPALIVE_RESPONSE);
		if (l->ka_outstanding && rx->seq == l->ka_seq)
			l->ka_outstanding = false;
		if (!l->neg_got_response)
			return unsupported(l);
		return check_done(l);
	case SL_LINK_RX_OPTION_RESPONSE:
		return response(l, rx);
	case SL_LINK_RX_OPTION_REQUEST:
		return peer_request(l, rx);
	case SL_LINK_RX_OPTION_COMPLETE:
		if (!l->neg_got_response || l->neg_peer_complete)
			return fail(l, SL_LINK_CTR_NEG_FAILED, "optionComplete out of place", rx->seq,
				    l->neg_got_response);
		l->neg_peer_complete = true;
		return check_done(l);
	default:
		return fail(l, SL_LINK_CTR_NEG_FAILED, "a PDU other than option negotiation before completion",
			    rx->kind, rx->seq);
	}
}

enum sl_link_neg_res sl_link_neg_event(struct sl_link *l, uint32_t event, void *data)
{
	if (event == SL_LINK_EV_NEG_RX)
		return sl_link_neg_rx(l, data);
	/* SOCKET: read (each PDU comes back as NEG_RX, and may end negotiation), then write what waits */
	if (*(unsigned *)data & OSMO_FD_READ)
		sl_link_rx(l);
	return sl_link_st(l) == SL_LINK_NEGOTIATING ? sl_link_neg_flush(l) : SL_LINK_NEG_WAIT;
}
