/*
 * GSM DTAP decoding (see gsm48_dtap.h): the L3 header of TS 24.007 clause
 * 11.2.3 (protocol discriminator, transaction identifier or skip
 * indicator, message type with the N(SD) bits of clause 11.2.3.2.3
 * masked), the mandatory parts of the MM messages of TS 24.008 clause
 * 9.2.12, 9.2.13, 9.2.15, 9.2.17, 9.2.11 and of the RR paging response
 * and ciphering mode complete (TS 44.018 9.1.25, 9.1.10), the optional IEs of the CC messages of clause 9.3,
 * and the CP messages of TS 24.011 clause 7.2.
 *
 * Optional IEs are walked by the format rules of TS 24.007 clause 11.2.4:
 * an IEI with bit 8 set is a one-octet type 1 or type 2 IE; the CC type 3
 * IEs Signal and Keypad facility are two octets (in MM, IEI 0x34 is the
 * Emergency Number List, a TLV); every other IE is TLV.
 * Each length is checked against what is left before the value is carved
 * out, and the IE decoders only ever see their own value bytes.
 */
#include "capture/gsm48_dtap.h"

#include <string.h>

#include <osmocom/gsm/protocol/gsm_04_08.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>

const char *const sl_gsm48_msg_names[_SL_GSM48_MSG_COUNT] = {
	[SL_GSM48_OTHER] = "other",
	[SL_GSM48_LU_REQUEST] = "location_updating_request",
	[SL_GSM48_LU_ACCEPT] = "location_updating_accept",
	[SL_GSM48_IDENTITY_RESPONSE] = "identity_response",
	[SL_GSM48_CM_SERVICE_REQUEST] = "cm_service_request",
	[SL_GSM48_TMSI_REALLOC_CMD] = "tmsi_reallocation_command",
	[SL_GSM48_PAGING_RESPONSE] = "paging_response",
	[SL_GSM48_CIPH_MODE_COMPLETE] = "ciphering_mode_complete",
	[SL_GSM48_CC_SETUP] = "setup",
	[SL_GSM48_CC_CALL_PROCEEDING] = "call_proceeding",
	[SL_GSM48_CC_ALERTING] = "alerting",
	[SL_GSM48_CC_CONNECT] = "connect",
	[SL_GSM48_CC_DISCONNECT] = "disconnect",
	[SL_GSM48_CC_RELEASE] = "release",
	[SL_GSM48_CC_RELEASE_COMPLETE] = "release_complete",
	[SL_GSM48_CP_DATA] = "cp_data",
	[SL_GSM48_CP_ACK] = "cp_ack",
	[SL_GSM48_CP_ERROR] = "cp_error",
};

#define IEI_CAUSE 0x08
#define IEI_CALLING 0x5c
#define IEI_CALLED 0x5e
#define IEI_MI 0x17
#define IEI_SIGNAL 0x34
#define IEI_KEYPAD 0x2c

static enum sl_gsm48_res ie_res(enum sl_gsm_ie_res r)
{
	switch (r) {
	case SL_GSM_IE_OK:
		return SL_GSM48_OK;
	case SL_GSM_IE_TRUNCATED:
		return SL_GSM48_TRUNCATED;
	case SL_GSM_IE_UNSUPPORTED:
		return SL_GSM48_UNSUPPORTED;
	default:
		return SL_GSM48_MALFORMED;
	}
}

/* A mandatory LV IE: length octet and value. */
static bool lv(struct sl_cursor *c, struct sl_cursor *v)
{
	uint8_t len;

	return sl_cur_u8(c, &len) && sl_cur_sub(c, len, v);
}

static enum sl_gsm48_res mi_lv(struct sl_cursor *c, struct sl_gsm48 *out)
{
	struct sl_cursor v;
	enum sl_gsm48_res r;

	if (!lv(c, &v))
		return SL_GSM48_TRUNCATED;
	r = ie_res(sl_gsm_mi_decode(v, &out->mi));
	out->has_mi = r == SL_GSM48_OK;
	return r;
}

/* Walk optional IEs; pick the called/calling numbers, the cause and a mobile identity. */
static enum sl_gsm48_res optional_ies(struct sl_cursor c, struct sl_gsm48 *out)
{
	enum sl_gsm48_res r = SL_GSM48_OK;

	while (c.left && r == SL_GSM48_OK) {
		uint8_t iei = c.p[0];
		struct sl_cursor v;

		if (iei & 0x80) {
			sl_cur_skip(&c, 1);
			continue;
		}
		if (out->pd == GSM48_PDISC_CC && (iei == IEI_SIGNAL || iei == IEI_KEYPAD)) {
			if (!sl_cur_skip(&c, 2))
				return SL_GSM48_TRUNCATED;
			continue;
		}
		sl_cur_skip(&c, 1);
		if (!lv(&c, &v))
			return SL_GSM48_TRUNCATED;
		switch (iei) {
		case IEI_CALLED:
			if (out->pd != GSM48_PDISC_CC)
				break;
			r = ie_res(sl_gsm_bcd_number_decode(v, &out->called));
			out->has_called = r == SL_GSM48_OK;
			break;
		case IEI_CALLING:
			if (out->pd != GSM48_PDISC_CC)
				break;
			r = ie_res(sl_gsm_bcd_number_decode(v, &out->calling));
			out->has_calling = r == SL_GSM48_OK;
			break;
		case IEI_CAUSE:
			if (out->pd != GSM48_PDISC_CC || out->has_cause)
				break;	/* a second cause (RELEASE) only repeats or adds to the first */
			r = ie_res(sl_gsm_cause_decode(v, &out->cause));
			out->has_cause = r == SL_GSM48_OK;
			break;
		case IEI_MI:
			if (out->pd != GSM48_PDISC_MM && out->pd != GSM48_PDISC_RR)
				break;
			r = ie_res(sl_gsm_mi_decode(v, &out->mi));
			out->has_mi = r == SL_GSM48_OK;
			break;
		default:
			break;
		}
	}
	return r;
}

static enum sl_gsm48_res lai(struct sl_cursor *c, struct sl_gsm48 *out)
{
	enum sl_gsm48_res r = ie_res(sl_gsm_lai_decode(c, &out->lai));

	out->has_lai = r == SL_GSM48_OK;
	return r;
}

static enum sl_gsm48_res decode_mm(struct sl_cursor c, struct sl_gsm48 *out)
{
	struct sl_cursor cm2;
	enum sl_gsm48_res r;

	switch (out->msg_type) {
	case GSM48_MT_MM_LOC_UPD_REQUEST:
		out->msg = SL_GSM48_LU_REQUEST;
		/* LU type + CKSN, LAI, classmark 1 */
		if (!sl_cur_skip(&c, 1))
			return SL_GSM48_TRUNCATED;
		if ((r = lai(&c, out)) != SL_GSM48_OK)
			return r;
		if (!sl_cur_skip(&c, 1))
			return SL_GSM48_TRUNCATED;
		return mi_lv(&c, out);
	case GSM48_MT_MM_LOC_UPD_ACCEPT:
		out->msg = SL_GSM48_LU_ACCEPT;
		if ((r = lai(&c, out)) != SL_GSM48_OK)
			return r;
		return optional_ies(c, out);
	case GSM48_MT_MM_ID_RESP:
		out->msg = SL_GSM48_IDENTITY_RESPONSE;
		return mi_lv(&c, out);
	case GSM48_MT_MM_CM_SERV_REQ:
		out->msg = SL_GSM48_CM_SERVICE_REQUEST;
		/* CM service type + CKSN, classmark 2 */
		if (!sl_cur_skip(&c, 1) || !lv(&c, &cm2))
			return SL_GSM48_TRUNCATED;
		return mi_lv(&c, out);
	case GSM48_MT_MM_TMSI_REALL_CMD:
		out->msg = SL_GSM48_TMSI_REALLOC_CMD;
		if ((r = lai(&c, out)) != SL_GSM48_OK)
			return r;
		return mi_lv(&c, out);
	default:
		return SL_GSM48_IGNORED;
	}
}

static enum sl_gsm48_res decode_cc(struct sl_cursor c, struct sl_gsm48 *out)
{
	struct sl_cursor v;
	enum sl_gsm48_res r;

	switch (out->msg_type) {
	case GSM48_MT_CC_SETUP:
		out->msg = SL_GSM48_CC_SETUP;
		break;
	case GSM48_MT_CC_CALL_PROC:
		out->msg = SL_GSM48_CC_CALL_PROCEEDING;
		break;
	case GSM48_MT_CC_ALERTING:
		out->msg = SL_GSM48_CC_ALERTING;
		break;
	case GSM48_MT_CC_CONNECT:
		out->msg = SL_GSM48_CC_CONNECT;
		break;
	case GSM48_MT_CC_DISCONNECT:
		out->msg = SL_GSM48_CC_DISCONNECT;
		/* mandatory cause, LV */
		if (!lv(&c, &v))
			return SL_GSM48_TRUNCATED;
		r = ie_res(sl_gsm_cause_decode(v, &out->cause));
		if (r != SL_GSM48_OK)
			return r;
		out->has_cause = true;
		break;
	case GSM48_MT_CC_RELEASE:
		out->msg = SL_GSM48_CC_RELEASE;
		break;
	case GSM48_MT_CC_RELEASE_COMPL:
		out->msg = SL_GSM48_CC_RELEASE_COMPLETE;
		break;
	default:
		return SL_GSM48_IGNORED;
	}
	return optional_ies(c, out);
}

static enum sl_gsm48_res decode_sms(struct sl_cursor c, struct sl_gsm48 *out)
{
	switch (out->msg_type) {
	case GSM411_MT_CP_DATA:
		out->msg = SL_GSM48_CP_DATA;
		return lv(&c, &out->rpdu) ? SL_GSM48_OK : SL_GSM48_TRUNCATED;
	case GSM411_MT_CP_ACK:
		out->msg = SL_GSM48_CP_ACK;
		return SL_GSM48_OK;
	case GSM411_MT_CP_ERROR:
		out->msg = SL_GSM48_CP_ERROR;
		return sl_cur_u8(&c, &out->cp_cause) ? SL_GSM48_OK : SL_GSM48_TRUNCATED;
	default:
		return SL_GSM48_IGNORED;
	}
}

enum sl_gsm48_res sl_gsm48_decode(struct sl_cursor c, struct sl_gsm48 *out)
{
	uint8_t o1, mt;
	struct sl_cursor cm2;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_u8(&c, &o1))
		return SL_GSM48_TRUNCATED;
	out->pd = o1 & 0x0f;
	out->ti = (o1 >> 4) & 7;
	out->ti_flag = (o1 & 0x80) != 0;
	if ((out->pd == GSM48_PDISC_CC || out->pd == GSM48_PDISC_SMS) && out->ti == 7) {
		/* TI value 7: the value is in an extension octet (TS 24.007 11.2.3.1.3) */
		uint8_t ext;
		if (!sl_cur_u8(&c, &ext))
			return SL_GSM48_TRUNCATED;
		if (!(ext & 0x80))
			return SL_GSM48_MALFORMED;	/* only one extension octet is defined */
		out->ti = ext & 0x7f;
	}
	if (!sl_cur_u8(&c, &mt))
		return SL_GSM48_TRUNCATED;
	switch (out->pd) {
	case GSM48_PDISC_MM:
		if (o1 >> 4)
			return SL_GSM48_IGNORED;	/* skip indicator set: ignore (TS 24.007 11.2.3.1.2) */
		out->msg_type = mt & 0x3f;
		return decode_mm(c, out);
	case GSM48_PDISC_CC:
		out->msg_type = mt & 0x3f;
		return decode_cc(c, out);
	case GSM48_PDISC_SMS:
		out->msg_type = mt;
		return decode_sms(c, out);
	case GSM48_PDISC_RR:
		out->msg_type = mt;
		if (o1 >> 4)
			return SL_GSM48_IGNORED;
		if (mt == GSM48_MT_RR_CIPH_M_COMPL) {
			/* only optional IEs: Mobile Equipment Identity, IEI 17 (TS 44.018 9.1.10) */
			out->msg = SL_GSM48_CIPH_MODE_COMPLETE;
			return optional_ies(c, out);
		}
		if (mt != GSM48_MT_RR_PAG_RESP)
			return SL_GSM48_IGNORED;
		out->msg = SL_GSM48_PAGING_RESPONSE;
		/* CKSN + spare, classmark 2 */
		if (!sl_cur_skip(&c, 1) || !lv(&c, &cm2))
			return SL_GSM48_TRUNCATED;
		return mi_lv(&c, out);
	default:
		return SL_GSM48_IGNORED;
	}
}
