/*
 * GSM call control (TS 24.008 clause 5.2 and 9.3) onto sluice's call
 * events: SETUP is the attempt, ALERTING ringing, CONNECT the answer, and
 * the first of DISCONNECT, RELEASE or RELEASE COMPLETE the end, with its
 * cause (clause 10.5.4.11). CALL PROCEEDING only confirms the attempt and
 * makes no event. A call is known by its stream and transaction
 * identifier (clause 11.2.3.1.3 of TS 24.007: the TI flag says whether the
 * sender allocated the TI, so together with the direction of the frame it
 * tells a call the phone set up from one set up towards it).
 *
 * A call with no clearing message ends as "timeout" after the same times as
 * a SIP call: unanswered after invite_timeout_us, answered after
 * session_timeout_us (packet time).
 *
 * End reasons reuse the SIP ones by meaning: released after answer is
 * "bye", cleared by the caller before answer "cancel", cleared by the
 * other side before answer "rejected"; the GSM cause travels alongside.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture/gsm_int.h"

void sl_gsm_party_add_number(const struct sl_capture *cap, struct sl_party *p, const struct sl_gsm_number *n)
{
	struct sl_identity id;
	char buf[SL_GSM_NUMBER_MAX + 1];

	if (!n->digits[0])
		return;
	snprintf(buf, sizeof(buf), "%s%s", n->ton == 1 ? "+" : "", n->digits);
	if (sl_number_normalise(&cap->cfg.numbering, sl_str_make(buf, strlen(buf)), &id))
		sl_party_add(p, (enum sl_id_type)id.type, id.value);
	else
		sl_party_add(p, SL_ID_NUMBER, n->digits);
}

static void add_party(struct sl_party *to, const struct sl_party *from)
{
	unsigned i;

	for (i = 0; i < from->n; i++)
		sl_party_add(to, (enum sl_id_type)from->id[i].type, from->id[i].value);
}

static void emit(struct sl_capture *cap, const struct sl_gsm_msg *m, struct sl_gsm_call *c, enum sl_call_step step,
		 enum sl_call_end why, uint8_t cause, uint64_t ts_us)
{
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.ts_us = ts_us;
	ev.sig = m ? &m->sig : NULL;
	ev.call_id = sl_str_make(c->call_id, strlen(c->call_id));
	ev.dialog = &c->dlg;
	ev.from = c->caller;
	ev.to = c->callee;
	/* the phone is the caller of an MO call: its uplink comes from the caller */
	ev.dir = !m ? SL_DIR_NONE : (m->tap->uplink == c->mo) ? SL_DIR_FROM_CALLER : SL_DIR_FROM_CALLEE;
	ev.u.call.step = step;
	ev.u.call.reason = why;
	ev.u.call.cause = cause;
	ev.u.call.start_us = c->start_us;
	ev.u.call.ring_us = c->ring_us;
	ev.u.call.answer_us = c->answer_us;
	sl_cap_emit(cap, &ev);
}

static struct sl_gsm_call *find(struct sl_gsm_stream *st, bool mo, uint8_t ti)
{
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_CALLS; i++)
		if (st->call[i].active && st->call[i].mo == mo && st->call[i].ti == ti)
			return &st->call[i];
	return NULL;
}

static void end_call(struct sl_capture *cap, const struct sl_gsm_msg *m, struct sl_gsm_call *c, enum sl_call_end why,
		     uint8_t cause, uint64_t ts_us)
{
	emit(cap, m, c, SL_CALL_END, why, cause, ts_us);
	c->ended = true;
}

void sl_gsm_calls_end(struct sl_capture *cap, struct sl_gsm_stream *st, enum sl_call_end why, uint64_t ts_us)
{
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_CALLS; i++)
		if (st->call[i].active && !st->call[i].ended)
			end_call(cap, NULL, &st->call[i], why, 0, ts_us);
}

void sl_gsm_calls_expire(struct sl_capture *cap, struct sl_gsm_stream *st, uint64_t now_us)
{
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_CALLS; i++) {
		struct sl_gsm_call *c = &st->call[i];
		if (!c->active || c->ended)
			continue;
		if (c->answer_us ? now_us - c->answer_us > cap->cfg.session_timeout_us
				 : now_us - c->start_us > cap->cfg.invite_timeout_us)
			end_call(cap, NULL, c, SL_END_TIMEOUT, 0, now_us);
	}
}

static struct sl_gsm_call *setup(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3, bool mo)
{
	struct sl_gsm_stream *st = m->st;
	struct sl_gsm_call *c = NULL, *oldest = NULL;
	unsigned i;

	for (i = 0; i < SL_GSM_MAX_CALLS && !c; i++) {
		if (!st->call[i].active || st->call[i].ended)
			c = &st->call[i];
		else if (!oldest || st->call[i].start_us < oldest->start_us)
			oldest = &st->call[i];
	}
	if (!c) {
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_CALLS_EVICTED);
		end_call(cap, NULL, oldest, SL_END_EVICTED, 0, m->sig.ts_us);
		c = oldest;
	}
	memset(c, 0, sizeof(*c));
	c->active = true;
	c->mo = mo;
	c->ti = l3->ti;
	c->start_us = m->sig.ts_us;
	c->dlg.kind = SL_DLG_KIND_CALL;
	c->dlg.id = ++cap->gsm->next_call;
	snprintf(c->call_id, sizeof(c->call_id), "gsm-call-%" PRIu64, c->dlg.id);
	/* the phone's identities on the side it is on, the numbers on theirs */
	add_party(mo ? &c->caller : &c->callee, &st->ms);
	if (l3->has_calling)
		sl_gsm_party_add_number(cap, &c->caller, &l3->calling);
	if (l3->has_called)
		sl_gsm_party_add_number(cap, &c->callee, &l3->called);
	sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_CALLS);
	return c;
}

void sl_gsm_cc(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3)
{
	/* the TI allocator sends flag 0: uplink with flag 0, or downlink with flag 1, is the phone's own call */
	bool mo = m->tap->uplink != l3->ti_flag;
	struct sl_gsm_call *c = find(m->st, mo, l3->ti);
	enum sl_call_end why;

	if (l3->msg == SL_GSM48_CC_SETUP) {
		if (c && !c->ended)
			return;	/* repeated SETUP */
		if (c)
			c->active = false;	/* the TI is free again: a new call */
		c = setup(cap, m, l3, mo);
		emit(cap, m, c, SL_CALL_ATTEMPT, SL_END_NONE, 0, m->sig.ts_us);
		return;
	}
	if (!c) {
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_CC_STRAY);
		return;
	}
	if (c->ended)
		return;	/* RELEASE, RELEASE COMPLETE after the DISCONNECT that ended it */
	switch (l3->msg) {
	case SL_GSM48_CC_ALERTING:
		if (!c->rang && !c->answer_us) {
			c->rang = true;
			c->ring_us = m->sig.ts_us;
			emit(cap, m, c, SL_CALL_RINGING, SL_END_NONE, 0, m->sig.ts_us);
		}
		return;
	case SL_GSM48_CC_CONNECT:
		if (!c->answer_us) {
			c->answer_us = m->sig.ts_us;
			emit(cap, m, c, SL_CALL_ANSWER, SL_END_NONE, 0, m->sig.ts_us);
		}
		return;
	case SL_GSM48_CC_DISCONNECT:
	case SL_GSM48_CC_RELEASE:
	case SL_GSM48_CC_RELEASE_COMPLETE:
		if (c->answer_us)
			why = SL_END_BYE;
		else	/* cleared by the caller's side before answer: given up; by the other side: rejected */
			why = (m->tap->uplink == c->mo) ? SL_END_CANCEL : SL_END_REJECTED;
		end_call(cap, m, c, why, l3->has_cause ? l3->cause.value : 0, m->sig.ts_us);
		return;
	default:
		return;	/* CALL PROCEEDING */
	}
}
