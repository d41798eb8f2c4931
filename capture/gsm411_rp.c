/*
 * RP message decoding per TS 24.011 clause 7.3 (message contents) and
 * clause 8.2 (coding): message type (table 8.3, three bits, the others
 * spare), message reference, then for RP-DATA the RP-Originator and
 * RP-Destination Address LVs (clause 8.2.5.1, 8.2.5.2: TON/NPI octet and
 * BCD digits, length 0 for the side that is the MS) and the RP-User-Data
 * LV (8.2.5.3); for RP-ACK an optional RP-User-Data TLV (IEI 0x41); for
 * RP-ERROR the RP-Cause LV (8.2.5.4) then the optional user data.
 */
#include "capture/gsm411_rp.h"

#include <string.h>

#include <osmocom/gsm/protocol/gsm_04_11.h>

const char *const sl_rp_msg_names[_SL_RP_MSG_COUNT] = {
	[SL_RP_DATA] = "rp_data", [SL_RP_ACK] = "rp_ack", [SL_RP_ERROR] = "rp_error", [SL_RP_SMMA] = "rp_smma",
};

#define IEI_RP_UD 0x41

static bool lv(struct sl_cursor *c, struct sl_cursor *v)
{
	uint8_t len;

	return sl_cur_u8(c, &len) && sl_cur_sub(c, len, v);
}

static enum sl_rp_res address(struct sl_cursor *c, struct sl_gsm_number *n)
{
	struct sl_cursor v;

	if (!lv(c, &v))
		return SL_RP_TRUNCATED;
	if (v.left > 11)
		return SL_RP_MALFORMED;	/* at most 1 + 10 octets (8.2.5.1) */
	switch (sl_gsm_bcd_number_decode(v, n)) {
	case SL_GSM_IE_OK:
		return SL_RP_OK;
	case SL_GSM_IE_TRUNCATED:
		return SL_RP_TRUNCATED;
	default:
		return SL_RP_MALFORMED;
	}
}

static enum sl_rp_res optional_ud(struct sl_cursor c, struct sl_rp *out)
{
	uint8_t iei;

	if (!c.left)
		return SL_RP_OK;
	if (!sl_cur_u8(&c, &iei) || iei != IEI_RP_UD)
		return SL_RP_MALFORMED;
	if (!lv(&c, &out->ud))
		return SL_RP_TRUNCATED;
	out->has_ud = true;
	return SL_RP_OK;
}

enum sl_rp_res sl_rp_decode(struct sl_cursor c, struct sl_rp *out)
{
	uint8_t mt;
	struct sl_cursor v;
	enum sl_rp_res r;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_u8(&c, &mt) || !sl_cur_u8(&c, &out->mr))
		return SL_RP_TRUNCATED;
	mt &= 7;
	out->mo = !(mt & 1);
	switch (mt) {
	case GSM411_MT_RP_DATA_MO:
	case GSM411_MT_RP_DATA_MT:
		out->msg = SL_RP_DATA;
		if ((r = address(&c, &out->oa)) != SL_RP_OK || (r = address(&c, &out->da)) != SL_RP_OK)
			return r;
		if (!lv(&c, &out->ud))
			return SL_RP_TRUNCATED;
		out->has_ud = true;
		return SL_RP_OK;
	case GSM411_MT_RP_ACK_MO:
	case GSM411_MT_RP_ACK_MT:
		out->msg = SL_RP_ACK;
		return optional_ud(c, out);
	case GSM411_MT_RP_ERROR_MO:
	case GSM411_MT_RP_ERROR_MT:
		out->msg = SL_RP_ERROR;
		if (!lv(&c, &v))
			return SL_RP_TRUNCATED;
		if (!v.left)
			return SL_RP_MALFORMED;	/* the cause value is mandatory */
		out->has_cause = true;
		out->cause = v.p[0] & 0x7f;
		return optional_ud(c, out);
	case GSM411_MT_RP_SMMA_MO:
		out->msg = SL_RP_SMMA;
		return SL_RP_OK;
	default:
		return SL_RP_UNSUPPORTED;
	}
}
