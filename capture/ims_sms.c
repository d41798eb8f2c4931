/*
 * SMS over IP (3GPP TS 24.341 clauses 5.3.1 and 5.3.2): a SIP MESSAGE
 * whose body is application/vnd.3gpp.sms carries one RP message of TS
 * 24.011 clause 7.3, the same octets a CP-DATA carries in GSM. gsm411_rp.c
 * reads it and sms_tpdu.c the TPDU inside an RP-DATA, each rejection
 * counted by name in the sip group; the result is an sms event as for
 * GSM, marked ims, under the SIP Call-ID.
 *
 * The phone's side is the SIP side: an MO RP-DATA (RP message type bit 1
 * clear) comes from the phone, so its originator is the SIP sender (From,
 * P-Asserted-Identity, the IMEI of +sip.instance) and its recipient the
 * TP-DA; an MT RP-DATA goes to the phone, named by the SIP recipient
 * (To, Request-URI), from the TP-OA. The service centre is the RP address.
 *
 * RP-ACK and RP-ERROR (TS 24.341 5.3.1.3, 5.3.2.4) come back in a SIP
 * MESSAGE of their own, usually with another Call-ID. A small ring of the
 * RP-DATA seen recently (rp reference, direction, the phone's identities)
 * lets the report name the call_id of the message it answers: same RP
 * message reference, opposite direction, a phone identity in common,
 * within a window longer than the TS 24.011 relay timers. The ring is
 * bounded; the oldest entry is overwritten.
 *
 * The text is content: only when the consumer set the content wish on the
 * dialog during the event callback is it decoded (sms_text.c) and handed
 * over as sms_text, exactly as GSM does.
 */
#include <string.h>

#include "capture/capture_int.h"
#include "capture/dialog_int.h"
#include "capture/gsm411_rp.h"
#include "capture/gsm_int.h"
#include "capture/ims_sms.h"
#include "capture/sip_body.h"
#include "capture/sms_tpdu.h"

#define SMS_TEXT_MAX 700	/* 160 septets, each up to 3 UTF-8 octets, + NUL */

static bool parties_share(const struct sl_party *a, const struct sl_party *b)
{
	unsigned i;

	for (i = 0; i < a->n && i < SL_PARTY_MAX_IDS; i++)
		if (sl_party_has(b, (enum sl_id_type)a->id[i].type, a->id[i].value))
			return true;
	return false;
}

static void remember(struct sl_ims_sms *s, const struct sl_rp *rp, uint64_t ts_us, const struct sl_party *ue,
		     struct sl_str call_id)
{
	struct sl_ims_sms_pending *p = &s->p[s->next];

	s->next = (s->next + 1) % SL_IMS_SMS_PENDING;
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->mo = rp->mo;
	p->rp_ref = rp->mr;
	p->ts_us = ts_us;
	p->ue = *ue;
	sl_str_copy(p->call_id, sizeof(p->call_id), call_id);
}

/* The newest RP-DATA this report answers, or NULL; the entry is used up. */
static struct sl_ims_sms_pending *answered(struct sl_ims_sms *s, const struct sl_rp *rp, uint64_t ts_us,
					   const struct sl_party *ue)
{
	struct sl_ims_sms_pending *best = NULL;
	unsigned i;

	for (i = 0; i < SL_IMS_SMS_PENDING; i++) {
		struct sl_ims_sms_pending *p = &s->p[i];
		if (!p->used || p->mo == rp->mo || p->rp_ref != rp->mr || ts_us < p->ts_us
		    || ts_us - p->ts_us > SL_IMS_SMS_REPORT_WINDOW_US || !parties_share(&p->ue, ue))
			continue;
		if (!best || p->ts_us >= best->ts_us)
			best = p;
	}
	if (best)
		best->used = false;
	return best;
}

static void deliver_text(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			 const struct sl_tpdu *t, struct sl_str cid, enum sl_dir dir)
{
	char text[SMS_TEXT_MAX];
	struct sl_cc cc;
	int n = sl_sms_text(t, text, sizeof(text));

	if (n < 0) {
		sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_SMS_TEXT_BAD);
		return;
	}
	memset(&cc, 0, sizeof(cc));
	cc.kind = SL_CC_SMS_TEXT;
	cc.ts_us = sig->ts_us;
	cc.source = sig->source;
	cc.call_id = cid;
	cc.dialog = d;
	cc.dir = dir;
	cc.src = sig->src;
	cc.dst = sig->dst;
	cc.data = (const uint8_t *)text;
	cc.len = (size_t)n;
	cap->ops.cc(&cc, cap->ops.priv);
}

static void fill_tpdu(struct sl_capture *cap, const struct sl_rp *rp, const struct sl_tpdu *t, struct sl_event *ev)
{
	const struct sl_gsm_number *smsc = rp->mo ? &rp->da : &rp->oa;

	if (smsc->digits[0]) {
		struct sl_party p;
		memset(&p, 0, sizeof(p));
		sl_gsm_party_add_number(cap, &p, smsc);
		if (p.n)
			ev->u.sms.smsc = p.id[0];
	}
	ev->u.sms.tpdu = sl_tpdu_type_names[t->type];
	ev->u.sms.message_ref = t->mr;
	ev->u.sms.has_scts = t->has_scts;
	ev->u.sms.scts = (int64_t)t->scts.utc;
	ev->u.sms.tz_minutes = t->scts.tz_minutes;
	ev->u.sms.coding = sl_sms_coding_names[t->coding];
	ev->u.sms.dcs = t->dcs;
	ev->u.sms.length = t->udl;
	if (t->concat) {
		ev->u.sms.seg_no = t->seg_no;
		ev->u.sms.seg_total = t->seg_total;
		ev->u.sms.concat_ref = t->concat_ref;
	}
	ev->u.sms.has_status = t->has_status;
	ev->u.sms.status = t->status;
}

bool sl_ims_sms_tpdu(const struct sl_sip_msg *m, const uint8_t **p, size_t *n)
{
	struct sl_body body;
	const struct sl_body_part *part;
	struct sl_rp rp;

	sl_sip_body_parts(m->content_type, m->body, &body);
	part = sl_body_find(&body, "application/vnd.3gpp.sms");
	if (!part || sl_rp_decode(sl_cur(part->body.p, part->body.len), &rp) != SL_RP_OK || rp.msg != SL_RP_DATA
	    || !rp.has_ud)
		return false;
	*p = rp.ud.p;
	*n = rp.ud.left;
	return true;
}

bool sl_ims_sms_message(struct sl_capture *cap, struct sl_dialog *d, const struct sl_sig *sig,
			const struct sl_sip_msg *m, const struct sl_event *sipev)
{
	static const unsigned rp_ctr[_SL_RP_RES_COUNT] = {
		[SL_RP_TRUNCATED] = SL_SIPC_SMS_RP_TRUNCATED, [SL_RP_MALFORMED] = SL_SIPC_SMS_RP_MALFORMED,
		[SL_RP_UNSUPPORTED] = SL_SIPC_SMS_RP_UNSUPPORTED,
	};
	static const unsigned tpdu_ctr[_SL_TPDU_RES_COUNT] = {
		[SL_TPDU_TRUNCATED] = SL_SIPC_SMS_TPDU_TRUNCATED, [SL_TPDU_MALFORMED] = SL_SIPC_SMS_TPDU_MALFORMED,
		[SL_TPDU_UNSUPPORTED] = SL_SIPC_SMS_TPDU_UNSUPPORTED,
	};
	struct sl_body body;
	const struct sl_body_part *part;
	struct sl_rp rp;
	struct sl_tpdu t;
	struct sl_event ev;
	struct sl_ims_sms_pending *orig;
	enum sl_rp_res rr;
	enum sl_tpdu_res tr = SL_TPDU_OK;
	bool wanted_before = d->cc_wanted;

	memset(&t, 0, sizeof(t));
	sl_sip_body_parts(m->content_type, m->body, &body);
	part = sl_body_find(&body, "application/vnd.3gpp.sms");
	if (!part)
		return false;
	rr = sl_rp_decode(sl_cur(part->body.p, part->body.len), &rp);
	if (rr == SL_RP_OK && rp.msg == SL_RP_SMMA)
		rr = SL_RP_UNSUPPORTED;	/* memory available: no message to report */
	if (rr != SL_RP_OK) {
		sl_cap_reject(cap, SL_CG_SIP, rp_ctr[rr], "source %u frame %" PRIu64 ": SMS over IP RP message rejected",
			      sig->source, sig->frame);
		return false;
	}
	if (rp.msg == SL_RP_DATA) {
		tr = sl_tpdu_decode(rp.ud, rp.mo, &t);
		if (tr != SL_TPDU_OK) {
			sl_cap_reject(cap, SL_CG_SIP, tpdu_ctr[tr],
				      "source %u frame %" PRIu64 ": SMS over IP TPDU rejected", sig->source, sig->frame);
			return false;
		}
	}

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_SMS;
	ev.ts_us = sig->ts_us;
	ev.sig = sig;
	ev.call_id = sipev->call_id;
	ev.dialog = d;
	/*
	 * The SIP sender is always the from side: the phone for an MO RP-DATA,
	 * the originator's network for an MT one, whoever sends a report. So an
	 * address target finds the sender's address on the from side (the
	 * direction of the short message itself is u.sms.mo).
	 */
	ev.dir = SL_DIR_FROM_CALLER;
	ev.location = sipev->location;
	ev.cell = sipev->cell;
	ev.u.sms.ims = true;
	ev.u.sms.mo = rp.mo;
	ev.u.sms.rp = sl_rp_msg_names[rp.msg];
	ev.u.sms.rp_ref = rp.mr;
	if (rp.msg == SL_RP_DATA) {
		/* the phone originates a SUBMIT and receives a DELIVER or STATUS-REPORT */
		if (rp.mo) {
			ev.from = sipev->from;
			sl_gsm_party_add_number(cap, &ev.to, &t.addr);
		} else {
			sl_gsm_party_add_number(cap, &ev.from, &t.addr);
			ev.to = sipev->to;
		}
		fill_tpdu(cap, &rp, &t, &ev);
		remember(cap->ims_sms, &rp, sig->ts_us, rp.mo ? &sipev->from : &sipev->to, sipev->call_id);
	} else {
		/* a report: the parties of the SIP MESSAGE that carries it, the phone on its side */
		ev.from = sipev->from;
		ev.to = sipev->to;
		ev.u.sms.has_rp_cause = rp.has_cause;
		ev.u.sms.rp_cause = rp.cause;
		orig = answered(cap->ims_sms, &rp, sig->ts_us, rp.mo ? &sipev->from : &sipev->to);
		if (orig) {
			ev.u.sms.report_of = sl_str_make(orig->call_id, strlen(orig->call_id));
			sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_SMS_REPORTS);
		} else {
			sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_SMS_REPORTS_UNMATCHED);
		}
	}
	sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_SMS);
	d->cc_wanted = false;
	sl_cap_emit(cap, &ev);
	if (d->cc_wanted && cap->ops.cc && rp.msg == SL_RP_DATA && t.ud.left)
		deliver_text(cap, d, sig, &t, ev.call_id, ev.dir);
	d->cc_wanted = d->cc_wanted || wanted_before;
	return true;
}
