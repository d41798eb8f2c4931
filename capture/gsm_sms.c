/*
 * GSM short messages onto sms events (TS 24.011 clause 7.3 RP-DATA, TS
 * 23.040 clause 9.2.2 TPDUs): gsm411_rp.c reads the relay layer of a
 * CP-DATA, sms_tpdu.c the TPDU inside it, each rejection counted by name.
 * The phone's side of the message (originator of a SUBMIT, recipient of a
 * DELIVER or STATUS-REPORT) gets the identities known for its stream; the
 * other side the TP address; the SMSC its RP address. The text is
 * content: sms_text.c decodes it, and ops.cc gets it, only when the
 * consumer set the content wish on the event's dialog during the event
 * callback. RP-ACK and RP-ERROR make no event.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "capture/gsm411_rp.h"
#include "capture/gsm_int.h"
#include "capture/sms_tpdu.h"

#define SMS_TEXT_MAX 700	/* 160 septets, each up to 3 UTF-8 octets, + NUL */

static void deliver_text(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_tpdu *t, struct sl_str cid)
{
	char text[SMS_TEXT_MAX];
	struct sl_cc cc;
	int n = sl_sms_text(t, text, sizeof(text));

	if (n < 0) {
		sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_SMS_TEXT_BAD);
		return;
	}
	memset(&cc, 0, sizeof(cc));
	cc.kind = SL_CC_SMS_TEXT;
	cc.ts_us = m->sig.ts_us;
	cc.source = m->sig.source;
	cc.call_id = cid;
	cc.dialog = &cap->gsm->sms_dlg;
	cc.dir = SL_DIR_FROM_CALLER;
	cc.src = m->sig.src;
	cc.dst = m->sig.dst;
	cc.data = (const uint8_t *)text;
	cc.len = (size_t)n;
	cap->ops.cc(&cc, cap->ops.priv);
}

void sl_gsm_sms_rp(struct sl_capture *cap, const struct sl_gsm_msg *m, const struct sl_gsm48 *l3)
{
	static const unsigned rp_ctr[_SL_RP_RES_COUNT] = {
		[SL_RP_TRUNCATED] = SL_GSMC_RP_TRUNCATED, [SL_RP_MALFORMED] = SL_GSMC_RP_MALFORMED,
		[SL_RP_UNSUPPORTED] = SL_GSMC_RP_UNSUPPORTED,
	};
	static const unsigned tpdu_ctr[_SL_TPDU_RES_COUNT] = {
		[SL_TPDU_TRUNCATED] = SL_GSMC_TPDU_TRUNCATED, [SL_TPDU_MALFORMED] = SL_GSMC_TPDU_MALFORMED,
		[SL_TPDU_UNSUPPORTED] = SL_GSMC_TPDU_UNSUPPORTED,
	};
	struct sl_gsm *g = cap->gsm;
	struct sl_rp rp;
	struct sl_tpdu t;
	struct sl_event ev;
	const struct sl_gsm_number *smsc;
	char cid[32];
	enum sl_rp_res rr;
	enum sl_tpdu_res tr;

	rr = sl_rp_decode(l3->rpdu, &rp);
	if (rr != SL_RP_OK) {
		sl_cap_reject(cap, SL_CG_GSM, rp_ctr[rr], "RP message rejected");
		return;
	}
	if (rp.msg != SL_RP_DATA)
		return;	/* acknowledgements: no event (docs/events.md) */
	tr = sl_tpdu_decode(rp.ud, rp.mo, &t);
	if (tr != SL_TPDU_OK) {
		sl_cap_reject(cap, SL_CG_GSM, tpdu_ctr[tr], "SMS TPDU rejected");
		return;
	}

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_SMS;
	ev.ts_us = m->sig.ts_us;
	ev.sig = &m->sig;
	snprintf(cid, sizeof(cid), "gsm-sms-%" PRIu64, ++g->next_sms);
	ev.call_id = sl_str_make(cid, strlen(cid));
	g->sms_dlg.cc_wanted = false;
	g->sms_dlg.id = g->next_sms;
	ev.dialog = &g->sms_dlg;
	ev.dir = rp.mo ? SL_DIR_FROM_CALLER : SL_DIR_FROM_CALLEE;
	/* the phone originates a SUBMIT and receives a DELIVER or STATUS-REPORT */
	if (rp.mo) {
		ev.from = m->st->ms;
		sl_gsm_party_add_number(cap, &ev.to, &t.addr);
	} else {
		sl_gsm_party_add_number(cap, &ev.from, &t.addr);
		ev.to = m->st->ms;
	}
	smsc = rp.mo ? &rp.da : &rp.oa;
	if (smsc->digits[0]) {
		struct sl_party p;
		memset(&p, 0, sizeof(p));
		sl_gsm_party_add_number(cap, &p, smsc);
		if (p.n)
			ev.u.sms.smsc = p.id[0];
	}
	ev.u.sms.rp = sl_rp_msg_names[SL_RP_DATA];
	ev.u.sms.tpdu = sl_tpdu_type_names[t.type];
	ev.u.sms.mo = rp.mo;
	ev.u.sms.message_ref = t.mr;
	ev.u.sms.rp_ref = rp.mr;
	ev.u.sms.has_scts = t.has_scts;
	ev.u.sms.scts = (int64_t)t.scts.utc;
	ev.u.sms.tz_minutes = t.scts.tz_minutes;
	ev.u.sms.coding = sl_sms_coding_names[t.coding];
	ev.u.sms.dcs = t.dcs;
	ev.u.sms.length = t.udl;
	if (t.concat) {
		ev.u.sms.seg_no = t.seg_no;
		ev.u.sms.seg_total = t.seg_total;
		ev.u.sms.concat_ref = t.concat_ref;
	}
	ev.u.sms.has_status = t.has_status;
	ev.u.sms.status = t.status;
	sl_ctr_inc(cap, SL_CG_GSM, SL_GSMC_SMS);
	sl_cap_emit(cap, &ev);
	if (g->sms_dlg.cc_wanted && cap->ops.cc && t.ud.left)
		deliver_text(cap, m, &t, ev.call_id);
	g->sms_dlg.cc_wanted = false;
}
