/*
 * From a capture event (capture/event.h) to the content of a TS 101 671
 * IRI record (annex D.5 IRI-Parameters).
 *
 * Record types follow the call's life as TS 101 671 clause A.4 (and
 * TS 102 232-5 clause 5.2.4 for IP multimedia) arrange them: the first
 * signalling of a call opens the communication with IRI-BEGIN, progress
 * (ringing, answer) is IRI-CONTINUE, release is IRI-END; events that stand
 * alone (a page-mode MESSAGE, a registration, a lone SIP message) are
 * IRI-REPORT. Intercepted-Call-State follows: set-up in process until
 * answer, connected, then idle.
 *
 * Location comes from the event's cell: the one capture read from
 * P-Access-Network-Info (capture/sip_pani.c, TS 24.229 clause 7.2A.4), or
 * the one a GTPv2-C ULI names (capture/gtpv2.c sl_gtpv2_uli_cell) for the
 * sender's bound UE address or a "gtpv2-uli" location event. An E-UTRAN cell becomes
 * the tAI [9] and eCGI [10] of TS 101 671 Location, coded as TS 29.118 IEs
 * without their IEI (a length octet, the PLMN identity of TS 24.008 clause
 * 10.5.1.3, then the TAC or the 28-bit ECI); a GERAN cell the
 * globalCellID [2] (PLMN, LAC, CI). UTRAN and NR cells have no field there.
 *
 * Short messages (sms events, GSM or SMS over IP) are IRI-REPORTs with the
 * sMS [14] SMS-report: the initiator (target or server), for an RP-ACK or
 * RP-ERROR the transfer-status, and only under IRI+CC the content, the
 * TPDU octets "in the format defined for the SMS mobile", which for SMS
 * over IP are read again from the SIP body the event carries. SMS over IP
 * also gives the sMSOriginating/TerminatingAddress (the SIP hop's IP
 * addresses); the nature of the call is gSM-SMS-Message or, over IMS,
 * lTE-SMS-Message.
 */
#include <string.h>
#include <strings.h>

#include "capture/event.h"
#include "capture/ims_sms.h"
#include "handover/pdu.h"

const char *const sl_iri_type_names[5] = { "none", "begin", "end", "continue", "report" };

static void plmn_bcd(const struct sl_cell *c, uint8_t plmn[3])
{
	bool mnc3 = c->mnc[2] != '\0';

	/* TS 24.008 clause 10.5.1.3: MCC2 MCC1, MNC3 (or F) MCC3, MNC2 MNC1 */
	plmn[0] = (uint8_t)((c->mcc[1] - '0') << 4 | (c->mcc[0] - '0'));
	plmn[1] = (uint8_t)((mnc3 ? c->mnc[2] - '0' : 0xF) << 4 | (c->mcc[2] - '0'));
	plmn[2] = (uint8_t)((c->mnc[1] - '0') << 4 | (c->mnc[0] - '0'));
}

bool sl_hi2_location_from_cell(const struct sl_cell *c, struct sl_hi2_location *loc)
{
	uint8_t plmn[3];

	memset(loc, 0, sizeof(*loc));
	if (!c)
		return false;
	plmn_bcd(c, plmn);
	switch (c->access) {
	case SL_ACCESS_EUTRAN:
		loc->has_tai = loc->has_ecgi = true;
		loc->tai[0] = 5;
		memcpy(loc->tai + 1, plmn, 3);
		loc->tai[4] = (uint8_t)(c->area >> 8);
		loc->tai[5] = (uint8_t)c->area;
		loc->ecgi[0] = 7;
		memcpy(loc->ecgi + 1, plmn, 3);
		loc->ecgi[4] = (uint8_t)(c->cell >> 24 & 0x0f);
		loc->ecgi[5] = (uint8_t)(c->cell >> 16);
		loc->ecgi[6] = (uint8_t)(c->cell >> 8);
		loc->ecgi[7] = (uint8_t)c->cell;
		return true;
	case SL_ACCESS_GERAN:
		/* globalCellID: MCC MNC LAC CI as in MAP (TS 29.002 CellGlobalIdOrServiceAreaIdFixedLength) */
		loc->cgi_len = 7;
		memcpy(loc->cgi, plmn, 3);
		loc->cgi[3] = (uint8_t)(c->area >> 8);
		loc->cgi[4] = (uint8_t)c->area;
		loc->cgi[5] = (uint8_t)(c->cell >> 8);
		loc->cgi[6] = (uint8_t)c->cell;
		return true;
	default:
		/* UTRAN cell ids (28 bits) and NR have no Location component in TS 101 671 */
		return false;
	}
}

bool sl_hi2_location_from_pani(const char *p, size_t n, struct sl_hi2_location *loc)
{
	struct sl_cell c;

	memset(loc, 0, sizeof(*loc));
	if (!p || sl_pani_cell(sl_str_make(p, n), &c) != SL_PANI_OK || c.access != SL_ACCESS_EUTRAN)
		return false;
	return sl_hi2_location_from_cell(&c, loc);
}

void sl_hi2_iri_from_event(const struct sl_event *ev, bool target_is_from, struct sl_hi2_iri *out)
{
	memset(out, 0, sizeof(*out));
	out->type = SL_IRI_REPORT;
	out->ts_us = ev->ts_us;
	out->has_dir = true;
	out->dir = target_is_from ? SL_HI2_ORIGINATING : SL_HI2_TERMINATING;
	out->orig = ev->from;
	out->term = ev->to;
	if (ev->type == SL_EV_LOCATION)
		sl_hi2_location_from_cell(&ev->u.loc.cell, &out->loc);
	else if (ev->cell)
		sl_hi2_location_from_cell(ev->cell, &out->loc);
	else if (ev->location.p)
		sl_hi2_location_from_pani(ev->location.p, ev->location.len, &out->loc);

	switch (ev->type) {
	case SL_EV_CALL:
		out->has_state = true;
		switch (ev->u.call.step) {
		case SL_CALL_ATTEMPT:
			out->type = SL_IRI_BEGIN;
			out->state = SL_HI2_SETUP;
			break;
		case SL_CALL_RINGING:
			out->type = SL_IRI_CONTINUE;
			out->state = SL_HI2_SETUP;
			break;
		case SL_CALL_ANSWER:
			out->type = SL_IRI_CONTINUE;
			out->state = SL_HI2_CONNECTED;
			break;
		default:
			out->type = SL_IRI_END;
			out->state = SL_HI2_IDLE;
			break;
		}
		break;
	case SL_EV_MESSAGE:
		out->has_sms = true;
		out->sms_initiator = target_is_from ? SL_HI2_SMS_TARGET : SL_HI2_SMS_SERVER;
		if (ev->sig) {
			out->sms_orig = ev->sig->src.addr;
			out->sms_term = ev->sig->dst.addr;
		}
		break;
	case SL_EV_SMS:
		out->has_sms = true;
		out->has_nature = true;
		out->nature = ev->u.sms.ims ? SL_HI2_NATURE_LTE_SMS : SL_HI2_NATURE_SMS;
		/* the party that sent the RP message: the target's phone, or the service centre's side */
		out->sms_initiator = target_is_from ? SL_HI2_SMS_TARGET : SL_HI2_SMS_SERVER;
		if (ev->u.sms.tpdu == NULL) {
			out->has_sms_transfer = true;
			out->sms_transfer = strcmp(ev->u.sms.rp, "rp_ack") == 0 ? SL_HI2_SMS_SUCCEEDED : SL_HI2_SMS_FAILED;
		}
		if (ev->u.sms.ims && ev->sig) {
			out->sms_orig = ev->sig->src.addr;
			out->sms_term = ev->sig->dst.addr;
		}
		break;
	case SL_EV_LOCATION:
		/* who is where: the located subscriber only */
		memset(&out->term, 0, sizeof(out->term));
		break;
	default:
		break;
	}
}

bool sl_hi2_sms_content(const struct sl_event *ev, struct sl_hi2_iri *iri)
{
	const uint8_t *p;
	size_t n;

	if (ev->type != SL_EV_SMS || !ev->u.sms.ims || !ev->u.sms.tpdu || !ev->sig || !ev->sig->sip
	    || !sl_ims_sms_tpdu(ev->sig->sip, &p, &n) || n < 1 || n > 270)
		return false;
	iri->sms_content = p;
	iri->sms_content_len = n;
	return true;
}
