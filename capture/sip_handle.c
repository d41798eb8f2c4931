/*
 * One complete SIP message in, events out.
 *
 * Counts the message, derives the normalised identities of both parties
 * from the headers that carry them (From/To, P-Asserted-Identity and
 * P-Preferred-Identity, P-Called-Party-ID, the Request-URI of INVITE and
 * MESSAGE, the IMS private identity in Authorization, the device instance
 * in Contact), and passes the message and its SIP event to the dialog
 * tracker, which emits the event and the call/message/registration events
 * that follow from it. URIs are normalised through the capture's memo
 * (uri_memo.h): a dialog's messages name the same parties again and again.
 *
 * Which party an identity belongs to depends on who sent the message: an
 * asserted identity or a Contact in a request describes the sender (From
 * side), in a response the responder (To side).
 */
#include <string.h>

#include "capture/capture_int.h"
#include "capture/ue_bind.h"
#include "capture/log.h"
#include "capture/sip_uri.h"
#include "capture/uri_memo.h"

/* Digest username="user@realm": an IMS private identity may reveal the IMSI. */
static void add_impi(struct sl_party *p, struct sl_str auth)
{
	long at = sl_str_ifind(auth, "username=");
	struct sl_str v;
	long q, atsign;

	if (at < 0)
		return;
	v = sl_str_sub(auth, (size_t)at + 9, auth.len);
	if (!v.len || v.p[0] != '"')
		return;
	v = sl_str_sub(v, 1, v.len);
	q = sl_str_chr(v, '"');
	if (q < 0)
		return;
	v.len = (size_t)q;
	atsign = sl_str_chr(v, '@');
	if (atsign < 0)
		return;
	sl_party_add_ims_nai(p, sl_str_make(v.p, (size_t)atsign),
			     sl_str_make(v.p + atsign + 1, v.len - (size_t)atsign - 1));
}

static void build_parties(struct sl_capture *cap, const struct sl_sip_msg *m, struct sl_party *from,
			  struct sl_party *to)
{
	const struct sl_numbering *num = &cap->cfg.numbering;
	struct sl_party *sender = m->is_request ? from : to;
	unsigned i;

	/* empty parties: nothing reads an identity past n, so the 1.5 KB of each need no zeroing */
	from->n = 0;
	to->n = 0;
	sl_uri_memo_add(cap->uri_memo, from, num, m->from.uri);
	sl_uri_memo_add(cap->uri_memo, to, num, m->to.uri);
	for (i = 0; i < m->n_pai; i++)
		sl_uri_memo_add(cap->uri_memo, sender, num, m->pai[i].uri);
	if (m->ppi.uri.p)
		sl_uri_memo_add(cap->uri_memo, sender, num, m->ppi.uri);
	if (m->contact.uri.p)
		sl_party_add_instance_imei(sender, m->contact.params);
	if (m->is_request) {
		if (m->authorization.p)
			add_impi(from, m->authorization);
		if (m->p_called_party.uri.p)
			sl_uri_memo_add(cap->uri_memo, to, num, m->p_called_party.uri);
		if (m->method == SL_SIP_INVITE || m->method == SL_SIP_MESSAGE) {
			struct sl_uri u;
			/* the Request-URI names the callee after retargeting, when it has a user part */
			if (sl_uri_parse(m->ruri, &u) && (u.user.len || u.scheme == SL_URI_TEL))
				sl_uri_memo_add(cap->uri_memo, to, num, m->ruri);
		}
	}
}

/*
 * A message sent from or to a UE address the GTPv2-C binding table knows
 * (inner addresses when it came through GTP-U) gains that subscriber's
 * IMSI, MSISDN and IMEI: on the sender's party (From of a request, To of a
 * response) for the source address, on the other party for the
 * destination. Dialogs take their parties from these, so call, message,
 * registration and RTP stream events carry them too. A message from a
 * bound UE without P-Access-Network-Info also takes the ULI's cell as its
 * cell: like a PANI cell, that is where the sender is. A message to a
 * bound UE takes no cell from the recipient's binding (the event's cell is
 * always the sender's); the UE's answers, sent from its address, give it.
 */
static void enrich_from_bindings(struct sl_capture *cap, const struct sl_sig *sig, const struct sl_sip_msg *m,
				 struct sl_party *from, struct sl_party *to, struct sl_cell *cell, bool *has_cell)
{
	const struct sl_ue_sess *s;
	bool hit = false;

	s = sl_gtp_lookup(cap, &sig->src.addr);
	if (s) {
		sl_ue_party_add(m->is_request ? from : to, &s->info);
		hit = true;
		/*
		 * The sender's cell as the core network last reported it, for a
		 * message that carries no P-Access-Network-Info of its own: the
		 * UE's own report, when present, is the newer fix (docs/events.md).
		 */
		if (!m->pani.len && s->info.has_uli && sl_gtpv2_uli_cell(&s->info.uli, cell)) {
			*has_cell = true;
			sl_ctr_inc(cap, SL_CG_GTP, SL_GTPC_CELLS);
		}
	}
	s = sl_gtp_lookup(cap, &sig->dst.addr);
	if (s) {
		sl_ue_party_add(m->is_request ? to : from, &s->info);
		hit = true;
	}
	if (hit)
		sl_ctr_inc(cap, SL_CG_GTP, SL_GTPC_ENRICHED);
}

void sl_sip_handle_parsed(struct sl_capture *cap, struct sl_sig *sig, const struct sl_sip_msg *m, enum sl_sip_err err,
			  const char *p, size_t len)
{
	static const unsigned transport_ctr[_SL_TRANSPORT_COUNT] = {
		[SL_TRANSPORT_UDP] = SL_SIPC_MSG_UDP, [SL_TRANSPORT_TCP] = SL_SIPC_MSG_TCP,
		[SL_TRANSPORT_WS] = SL_SIPC_MSG_WS,
	};
	struct sl_event ev;
	struct sl_cell cell, bound_cell;
	bool has_bound_cell;

	if (err != SL_SIP_OK) {
		sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_ERR_BASE + err,
			      "source %u frame %" PRIu64 ": %s message of %zu bytes rejected: %s", sig->source,
			      sig->frame, sl_transport_names[sig->transport], len, sl_sip_err_names[err]);
		return;
	}
	sl_ctr_inc(cap, SL_CG_SIP, transport_ctr[sig->transport]);
	sl_ctr_inc(cap, SL_CG_SIP, m->is_request ? SL_SIPC_REQUESTS : SL_SIPC_RESPONSES);
	if (m->flags & SL_SIP_F_BODY_TRUNCATED)
		sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_BODY_TRUNCATED,
			      "source %u frame %" PRIu64 ": body shorter (%zu) than Content-Length (%u)", sig->source,
			      sig->frame, m->body.len, m->content_length);
	sig->sip = m;

	memset(&ev, 0, offsetof(struct sl_event, from));
	ev.type = SL_EV_SIP;
	ev.ts_us = sig->ts_us;
	ev.sig = sig;
	ev.call_id = m->call_id;
	ev.location = m->pani;
	ev.cell = NULL;
	if (m->pani.len) {
		switch (sl_pani_cell(m->pani, &cell)) {
		case SL_PANI_OK:
			ev.cell = &cell;
			sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_PANI_CELLS);
			break;
		case SL_PANI_MALFORMED:
			sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_PANI_MALFORMED,
				      "source %u frame %" PRIu64 ": P-Access-Network-Info cell identity malformed",
				      sig->source, sig->frame);
			break;
		default:
			break;
		}
	}
	build_parties(cap, m, &ev.from, &ev.to);
	/* a registered phone's IMSI and IMEI go with its public identity (sip_bind.c) */
	sl_sip_bind_enrich(cap, &ev.from, sig->ts_us);
	sl_sip_bind_enrich(cap, &ev.to, sig->ts_us);
	has_bound_cell = false;
	enrich_from_bindings(cap, sig, m, &ev.from, &ev.to, &bound_cell, &has_bound_cell);
	if (has_bound_cell)
		ev.cell = &bound_cell;
	memset(&ev.u, 0, sizeof(ev.u));
	sl_dialogs_on_sip(cap, sig, m, &ev);
	sl_sip_location(cap, sig, m, &ev);
}

void sl_sip_handle(struct sl_capture *cap, struct sl_sig *sig, const char *p, size_t len, unsigned mode)
{
	struct sl_sip_msg m;
	size_t consumed;
	enum sl_sip_err err = sl_sip_parse(p, len, mode, &m, &consumed);

	sl_sip_handle_parsed(cap, sig, &m, err, p, len);
}
