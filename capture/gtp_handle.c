/*
 * GTPv2-C datagrams (UDP port 2123) to the UE binding table and `bearer`
 * events.
 *
 * A PDN connection is learnt from its Create Session exchange (TS 29.274
 * clause 7.2.1/7.2.2): the request names the subscriber (IMSI, MSISDN,
 * MEI), where it is (ULI), the APN and, in its sender F-TEID (instance 0),
 * the TEID by which its sender wants to be addressed; the response comes
 * back to that sender carrying that TEID in its header, the same sequence
 * number, a cause and, when accepted, the PDN Address Allocation and the
 * responder's own F-TEID. So a request opens a session keyed by (request
 * source address, sender TEID) waiting for a response with that sequence
 * number; an accepted response adds the responder's key and binds the UE
 * addresses. Later messages of the session (Modify Bearer, Create/Update/
 * Delete Bearer, Delete Session) carry one peer's TEID in their header and
 * are found by (destination address, TEID); a new ULI in any of them moves
 * the UE to another cell. An accepted Delete Session Response ends the
 * session. Timers and the table's bound end the others.
 *
 * Every change of what is known about a UE is a `bearer` event, whose
 * subscriber party carries the IMSI, MSISDN (E.164) and IMEI, so targets
 * and consents keyed on those identities apply to it. A `created` or
 * `modified` bearer whose ULI names a cell (sl_gtpv2_uli_cell) is followed
 * by a `location` event (fix source "gtpv2-uli") for the same subscriber:
 * that is the event the location service of a warrant and the consent
 * location category act on, as for the cells SIP reports.
 */
#include <stdio.h>

#include "capture/capture_int.h"
#include "capture/gsm_ie.h"
#include "capture/gtpv2.h"
#include "capture/ue_bind.h"

struct sl_gtp {
	struct sl_capture *cap;
	struct sl_ue_bind *bind;
	const struct sl_sig *sig;	/* message being handled, for events of sessions it ends */
	const char *procedure;
};

static const unsigned res_ctr[_SL_GTPV2_RESULT_COUNT] = {
	[SL_GTPV2_OK] = SL_GTPC_MESSAGES,
	[SL_GTPV2_TRUNCATED] = SL_GTPC_TRUNCATED,
	[SL_GTPV2_MALFORMED] = SL_GTPC_MALFORMED,
	[SL_GTPV2_UNSUPPORTED] = SL_GTPC_UNSUPPORTED,
};

static const unsigned gone_ctr[_SL_UE_GONE_COUNT] = {
	[SL_UE_GONE_DELETED] = SL_GTPC_SESS_DELETED,
	[SL_UE_GONE_REJECTED] = SL_GTPC_SESS_REJECTED,
	[SL_UE_GONE_IDLE] = SL_GTPC_SESS_EXPIRED,
	[SL_UE_GONE_EVICTED] = SL_GTPC_SESS_EVICTED,
	[SL_UE_GONE_FLUSH] = SL_GTPC_SESS_FLUSHED,
};

void sl_ue_party_add(struct sl_party *p, const struct sl_ue_info *ue)
{
	char e164[20];

	if (ue->imsi[0])
		sl_party_add(p, SL_ID_IMSI, ue->imsi);
	if (ue->msisdn[0]) {
		snprintf(e164, sizeof(e164), "+%s", ue->msisdn);
		sl_party_add(p, SL_ID_E164, e164);
	}
	if (ue->imei[0])
		sl_party_add(p, SL_ID_IMEI, ue->imei);
}

static void emit(struct sl_gtp *g, const struct sl_ue_sess *s, const char *what, uint64_t ts_us)
{
	struct sl_event ev;

	/* all of it: dir, location and cell come after the parties */
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_BEARER;
	ev.ts_us = ts_us;
	ev.sig = g->sig;
	sl_ue_party_add(&ev.from, &s->info);
	ev.u.bearer.event = what;
	ev.u.bearer.procedure = g->sig ? g->procedure : NULL;
	ev.u.bearer.ue = &s->info;
	ev.u.bearer.bound = s->bound;
	sl_cap_emit(g->cap, &ev);
}

/* Where the core network last saw the UE, when its ULI names a cell. */
static void emit_location(struct sl_gtp *g, const struct sl_ue_sess *s, uint64_t ts_us)
{
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	if (!s->info.has_uli || !sl_gtpv2_uli_cell(&s->info.uli, &ev.u.loc.cell))
		return;
	ev.type = SL_EV_LOCATION;
	ev.ts_us = ts_us;
	ev.sig = g->sig;
	sl_ue_party_add(&ev.from, &s->info);
	ev.cell = &ev.u.loc.cell;
	ev.u.loc.source = "gtpv2-uli";
	sl_ctr_inc(g->cap, SL_CG_GTP, SL_GTPC_LOCATIONS);
	sl_cap_emit(g->cap, &ev);
}

static void on_gone(struct sl_ue_sess *s, enum sl_ue_gone why, void *priv)
{
	struct sl_gtp *g = priv;
	uint64_t ts;

	sl_ctr_inc(g->cap, SL_CG_GTP, gone_ctr[why]);
	/* timers: the packet time the session went idle at, not the time the sweep noticed */
	ts = why == SL_UE_GONE_IDLE ? s->last_us + g->cap->cfg.ue_idle_us : g->cap->now_us;
	if (g->sig)
		ts = g->sig->ts_us;
	emit(g, s, sl_ue_gone_names[why], ts);
}

struct sl_gtp *sl_gtp_alloc(struct sl_capture *cap)
{
	struct sl_gtp *g = talloc_zero(cap, struct sl_gtp);

	if (!g)
		return NULL;
	g->cap = cap;
	g->bind = sl_ue_bind_alloc(g, cap->cfg.max_ue_sessions, cap->cfg.ue_idle_us, on_gone, g);
	if (!g->bind) {
		talloc_free(g);
		return NULL;
	}
	return g;
}

static void fill_info(struct sl_ue_info *ue, const struct sl_gtpv2_msg *m)
{
	struct sl_gsm_mi mi;

	if (m->imsi[0])
		memcpy(ue->imsi, m->imsi, sizeof(ue->imsi));
	if (m->msisdn[0])
		memcpy(ue->msisdn, m->msisdn, sizeof(ue->msisdn));
	if (m->mei[0]) {
		memcpy(ue->mei, m->mei, sizeof(ue->mei));
		memset(&mi, 0, sizeof(mi));
		mi.type = strlen(m->mei) == 16 ? SL_GSM_MI_IMEISV : SL_GSM_MI_IMEI;
		OSMO_STRLCPY_ARRAY(mi.digits, m->mei);
		if (!sl_gsm_imei_of(&mi, ue->imei, sizeof(ue->imei)))
			ue->imei[0] = 0;
	}
	if (m->apn[0])
		memcpy(ue->apn, m->apn, sizeof(ue->apn));
	if (m->has_uli) {
		ue->has_uli = true;
		ue->uli = m->uli;
	}
	if (m->rat_type)
		ue->rat_type = m->rat_type;
}

static void on_create_request(struct sl_gtp *g, const struct sl_endpoint *src, const struct sl_gtpv2_msg *m)
{
	struct sl_ue_sess *s;

	if (!m->sender.present) {
		sl_cap_reject(g->cap, SL_CG_GTP, SL_GTPC_NO_FTEID, "Create Session Request without sender F-TEID");
		return;
	}
	/* a copy or retransmission of a request still waiting; otherwise a new PDN connection */
	s = sl_ue_sess_find_pending(g->bind, &src->addr, m->sender.teid, m->seq);
	if (!s) {
		s = sl_ue_sess_new(g->bind, g->sig->ts_us);
		if (!s)
			return;
		sl_ue_sess_set_ctl(g->bind, s, 0, &src->addr, m->sender.teid);
	}
	fill_info(&s->info, m);
	s->pending = true;
	s->pending_seq = m->seq;
	if (m->n_bearers)
		s->ebi = m->ebi[0];
	sl_ue_sess_touch(g->bind, s, g->sig->ts_us);
}

static void on_create_response(struct sl_gtp *g, struct sl_ue_sess *s, const struct sl_endpoint *src,
			       const struct sl_gtpv2_msg *m)
{
	s->pending = false;
	if (!m->has_cause || !sl_gtpv2_cause_accepted(m->cause)) {
		sl_ue_sess_free(g->bind, s, SL_UE_GONE_REJECTED);
		return;
	}
	/*
	 * The responder's TEID: its sender F-TEID (S11, S4), or on S5/S8 the
	 * PGW's control-plane F-TEID (instance 1, TS 29.274 table 7.2.2-1),
	 * which a PGW may send alone.
	 */
	if (m->sender.present)
		sl_ue_sess_set_ctl(g->bind, s, 1, &src->addr, m->sender.teid);
	else if (m->pgw.present)
		sl_ue_sess_set_ctl(g->bind, s, 1, &src->addr, m->pgw.teid);
	s->info.has_ue4 = m->has_ue4;
	s->info.has_ue6 = m->has_ue6;
	memcpy(s->info.ue4, m->ue4, sizeof(s->info.ue4));
	memcpy(s->info.ue6, m->ue6, sizeof(s->info.ue6));
	s->info.ue6_prefix_len = m->ue6_prefix_len;
	fill_info(&s->info, m);
	sl_ue_sess_bind(g->bind, s);
	sl_ctr_inc(g->cap, SL_CG_GTP, SL_GTPC_SESS_CREATED);
	emit(g, s, "created", g->sig->ts_us);
	emit_location(g, s, g->sig->ts_us);
}

static bool match_ebi(const struct sl_ue_sess *s, const void *arg)
{
	return s->ebi == *(const uint8_t *)arg;
}

static bool match_deleting(const struct sl_ue_sess *s, const void *arg)
{
	return s->deleting && s->delete_seq == *(const uint32_t *)arg;
}

/*
 * The session a message after the creation belongs to. An MME gives one
 * S11 TEID to all PDN connections of a UE, and an SGW may do the same, so
 * the TEID alone names the newest of them: a Delete Session Request picks
 * the one whose default bearer is its Linked EPS Bearer ID, a Modify
 * Bearer Request the one whose default bearer its Bearer Context names,
 * and a Delete Session Response the one whose deletion it answers.
 */
static struct sl_ue_sess *find_session(struct sl_gtp *g, const struct sl_endpoint *dst, const struct sl_gtpv2_msg *m)
{
	struct sl_ue_sess *s = NULL;

	if (m->type == SL_GTPV2_DELETE_SESSION_RSP)
		s = sl_ue_sess_find_ctl_if(g->bind, &dst->addr, m->teid, match_deleting, &m->seq);
	else if ((m->type == SL_GTPV2_DELETE_SESSION_REQ || m->type == SL_GTPV2_MODIFY_BEARER_REQ) && m->n_bearers)
		s = sl_ue_sess_find_ctl_if(g->bind, &dst->addr, m->teid, match_ebi, &m->ebi[0]);
	return s ? s : sl_ue_sess_find_ctl(g->bind, &dst->addr, m->teid);
}

static void on_message(struct sl_gtp *g, const struct sl_endpoint *src, const struct sl_endpoint *dst,
		       const struct sl_gtpv2_msg *m)
{
	struct sl_ue_sess *s;

	g->procedure = sl_gtpv2_msg_name(m->type);
	if (m->type == SL_GTPV2_CREATE_SESSION_REQ) {
		on_create_request(g, src, m);
		return;
	}
	if (m->type == SL_GTPV2_ECHO_REQ || m->type == SL_GTPV2_ECHO_RSP || !m->has_teid)
		return;
	if (m->type == SL_GTPV2_CREATE_SESSION_RSP) {
		s = sl_ue_sess_find_pending(g->bind, &dst->addr, m->teid, m->seq);
		if (!s) {
			sl_ctr_inc(g->cap, SL_CG_GTP, SL_GTPC_STRAY);	/* a copy of an answered response */
			return;
		}
		sl_ue_sess_touch(g->bind, s, g->sig->ts_us);
		on_create_response(g, s, src, m);
		return;
	}
	s = find_session(g, dst, m);
	if (!s) {
		sl_ctr_inc(g->cap, SL_CG_GTP, SL_GTPC_STRAY);
		return;
	}
	sl_ue_sess_touch(g->bind, s, g->sig->ts_us);
	switch (m->type) {
	case SL_GTPV2_DELETE_SESSION_REQ:
		s->deleting = true;
		s->delete_seq = m->seq;
		return;
	case SL_GTPV2_DELETE_SESSION_RSP:
		if (m->has_cause && sl_gtpv2_cause_accepted(m->cause))
			sl_ue_sess_free(g->bind, s, SL_UE_GONE_DELETED);
		return;
	default:
		if (m->has_uli && (!s->info.has_uli || memcmp(&s->info.uli, &m->uli, sizeof(m->uli)) != 0)) {
			fill_info(&s->info, m);
			sl_ctr_inc(g->cap, SL_CG_GTP, SL_GTPC_SESS_MOVED);
			if (s->bound) {
				emit(g, s, "modified", g->sig->ts_us);
				emit_location(g, s, g->sig->ts_us);
			}
		}
	}
}

void sl_gtp_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload)
{
	struct sl_capture *cap = d->cap;
	struct sl_gtp *g = cap->gtp;
	struct sl_gtpv2_msg m;
	struct sl_sig sig = {
		.ts_us = d->frame->ts_us, .source = d->frame->source, .frame = d->frame->number,
		.src = *src, .dst = *dst, .transport = SL_TRANSPORT_UDP,
	};
	unsigned n;

	sl_ctr_inc(cap, SL_CG_GTP, SL_GTPC_DATAGRAMS);
	g->sig = &sig;
	/* TS 29.274 5.5.1: at most one message piggybacked on the first */
	for (n = 0; n < 2 && payload.left; n++) {
		enum sl_gtpv2_result r = sl_gtpv2_decode(&payload, &m);

		if (r != SL_GTPV2_OK) {
			sl_cap_reject(cap, SL_CG_GTP, res_ctr[r], "GTPv2-C message %u of %zu bytes: %s", n + 1,
				      payload.left, sl_gtpv2_result_names[r]);
			break;
		}
		sl_ctr_inc(cap, SL_CG_GTP, SL_GTPC_MESSAGES);
		on_message(g, src, dst, &m);
		if (!m.piggyback)
			break;
	}
	g->sig = NULL;
}

const struct sl_ue_sess *sl_gtp_lookup(const struct sl_capture *cap, const struct sl_addr *a)
{
	return sl_ue_bind_lookup(cap->gtp->bind, a);
}

void sl_gtp_expire(struct sl_capture *cap, uint64_t now_us)
{
	sl_ue_bind_expire(cap->gtp->bind, now_us);
}

void sl_gtp_flush(struct sl_capture *cap)
{
	sl_ue_bind_flush(cap->gtp->bind);
}

unsigned sl_gtp_count(const struct sl_capture *cap)
{
	return sl_ue_bind_count(cap->gtp->bind);
}
