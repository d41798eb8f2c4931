/*
 * TPDU decoding per TS 23.040: first octet and field order of SMS-SUBMIT
 * (clause 9.2.2.2), SMS-DELIVER (9.2.2.1) and SMS-STATUS-REPORT
 * (9.2.2.3); validity period formats (9.2.3.3, 9.2.3.12); TP-SCTS
 * (9.2.3.11) decoded here with timegm() (libosmogsm 1.7's gsm340_scts()
 * depends on the process's local time zone and misapplies the zone octet:
 * test_gsm_sms's vector gives a different, wrong instant under TZ=UTC and
 * TZ=Europe/Paris);
 * TP-UDL and TP-UD (9.2.3.16, 9.2.3.24) with the user data header's
 * concatenation IEs (9.2.3.24.1 8-bit reference, 9.2.3.24.8 16-bit); the
 * TS 23.038 clause 4 data coding groups reduced to the alphabet.
 *
 * The user data length is checked against what the RP user data holds
 * before anything reads it: ceil(7 * UDL / 8) octets for 7-bit text, UDL
 * octets otherwise, at most 140.
 */
#include "capture/sms_tpdu.h"

#include <string.h>


const char *const sl_tpdu_type_names[_SL_TPDU_TYPE_COUNT] = {
	[SL_TPDU_SUBMIT] = "submit", [SL_TPDU_DELIVER] = "deliver", [SL_TPDU_STATUS_REPORT] = "status_report",
};

const char *const sl_sms_coding_names[_SL_SMS_CODING_COUNT] = {
	[SL_SMS_GSM7] = "gsm7", [SL_SMS_8BIT] = "8bit", [SL_SMS_UCS2] = "ucs2", [SL_SMS_RESERVED] = "reserved",
};

static enum sl_tpdu_res addr_res(enum sl_gsm_ie_res r)
{
	return r == SL_GSM_IE_OK ? SL_TPDU_OK : r == SL_GSM_IE_TRUNCATED ? SL_TPDU_TRUNCATED : SL_TPDU_MALFORMED;
}

/* TS 23.038 clause 4: the alphabet a DCS selects. */
static uint8_t coding_of(uint8_t dcs)
{
	uint8_t alpha;

	switch (dcs >> 4) {
	case 0x0: case 0x1: case 0x2: case 0x3:	/* general data coding */
	case 0x4: case 0x5: case 0x6: case 0x7:	/* marked for automatic deletion */
		alpha = (dcs >> 2) & 3;
		return alpha == 0 ? SL_SMS_GSM7 : alpha == 1 ? SL_SMS_8BIT : alpha == 2 ? SL_SMS_UCS2 : SL_SMS_RESERVED;
	case 0xc: case 0xd:	/* message waiting, discard / store, GSM 7-bit */
		return SL_SMS_GSM7;
	case 0xe:		/* message waiting, store, UCS-2 */
		return SL_SMS_UCS2;
	case 0xf:		/* data coding / message class */
		return (dcs & 4) ? SL_SMS_8BIT : SL_SMS_GSM7;
	default:		/* 1000..1011 reserved */
		return SL_SMS_RESERVED;
	}
}

/* Two decimal digits in swapped semi-octets (9.2.3.11). */
static int bcd(uint8_t o)
{
	return (o & 15) * 10 + (o >> 4);
}

static enum sl_tpdu_res scts(struct sl_cursor *c, struct sl_sms_scts *out)
{
	struct tm tm;
	uint8_t copy[7];
	unsigned i;
	int q;

	if (!sl_cur_copy(c, copy, sizeof(copy)))
		return SL_TPDU_TRUNCATED;
	for (i = 0; i < 7; i++) {
		uint8_t lo = copy[i] & 15, hi = copy[i] >> 4;
		/* the time zone's first semi-octet carries the sign in its bit 3 */
		if (hi > 9 || (i < 6 && lo > 9) || (i == 6 && (lo & 7) > 9))
			return SL_TPDU_MALFORMED;
	}
	q = (copy[6] & 7) * 10 + (copy[6] >> 4);
	out->tz_minutes = (copy[6] & 8 ? -q : q) * 15;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 100 + bcd(copy[0]);	/* years 2000-2099 */
	tm.tm_mon = bcd(copy[1]) - 1;
	tm.tm_mday = bcd(copy[2]);
	tm.tm_hour = bcd(copy[3]);
	tm.tm_min = bcd(copy[4]);
	tm.tm_sec = bcd(copy[5]);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		return SL_TPDU_MALFORMED;
	out->utc = timegm(&tm) - (time_t)out->tz_minutes * 60;
	return SL_TPDU_OK;
}

/* TS 23.040 9.2.3.24: walk the user data header for a concatenation IE. */
static enum sl_tpdu_res udh(struct sl_cursor ud, struct sl_tpdu *t)
{
	uint8_t udhl, iei, len;
	struct sl_cursor h, v;

	if (!sl_cur_u8(&ud, &udhl) || !sl_cur_sub(&ud, udhl, &h))
		return SL_TPDU_MALFORMED;
	while (h.left) {
		if (!sl_cur_u8(&h, &iei) || !sl_cur_u8(&h, &len) || !sl_cur_sub(&h, len, &v))
			return SL_TPDU_MALFORMED;
		if (iei == 0x00 && len == 3) {
			t->concat = true;
			t->concat_ref = v.p[0];
			t->seg_total = v.p[1];
			t->seg_no = v.p[2];
		} else if (iei == 0x08 && len == 4) {
			t->concat = true;
			t->concat_ref = (uint16_t)(v.p[0] << 8 | v.p[1]);
			t->seg_total = v.p[2];
			t->seg_no = v.p[3];
		}
	}
	return SL_TPDU_OK;
}

static enum sl_tpdu_res user_data(struct sl_cursor *c, struct sl_tpdu *t)
{
	size_t octets;

	if (!sl_cur_u8(c, &t->udl))
		return SL_TPDU_TRUNCATED;
	octets = t->coding == SL_SMS_GSM7 ? ((size_t)t->udl * 7 + 7) / 8 : t->udl;
	if (octets > 140 || (t->coding == SL_SMS_GSM7 && t->udl > 160))
		return SL_TPDU_MALFORMED;
	if (!sl_cur_sub(c, octets, &t->ud))
		return SL_TPDU_TRUNCATED;
	if (t->udhi && (!t->ud.left || udh(t->ud, t) != SL_TPDU_OK))
		return SL_TPDU_MALFORMED;
	return SL_TPDU_OK;
}

static enum sl_tpdu_res pid_dcs(struct sl_cursor *c, struct sl_tpdu *t)
{
	if (!sl_cur_u8(c, &t->pid) || !sl_cur_u8(c, &t->dcs))
		return SL_TPDU_TRUNCATED;
	t->coding = coding_of(t->dcs);
	return SL_TPDU_OK;
}

static enum sl_tpdu_res submit(struct sl_cursor c, uint8_t o1, struct sl_tpdu *t)
{
	static const uint8_t vp_len[4] = { 0, 7, 1, 7 };	/* VPF: none, enhanced, relative, absolute */
	enum sl_tpdu_res r;

	t->type = SL_TPDU_SUBMIT;
	t->srr = (o1 & 0x20) != 0;
	if (!sl_cur_u8(&c, &t->mr))
		return SL_TPDU_TRUNCATED;
	if ((r = addr_res(sl_gsm_tp_address_decode(&c, &t->addr))) != SL_TPDU_OK || (r = pid_dcs(&c, t)) != SL_TPDU_OK)
		return r;
	if (!sl_cur_skip(&c, vp_len[(o1 >> 3) & 3]))
		return SL_TPDU_TRUNCATED;
	return user_data(&c, t);
}

static enum sl_tpdu_res deliver(struct sl_cursor c, uint8_t o1, struct sl_tpdu *t)
{
	enum sl_tpdu_res r;

	t->type = SL_TPDU_DELIVER;
	t->srr = (o1 & 0x20) != 0;
	if ((r = addr_res(sl_gsm_tp_address_decode(&c, &t->addr))) != SL_TPDU_OK || (r = pid_dcs(&c, t)) != SL_TPDU_OK ||
	    (r = scts(&c, &t->scts)) != SL_TPDU_OK)
		return r;
	t->has_scts = true;
	return user_data(&c, t);
}

static enum sl_tpdu_res status_report(struct sl_cursor c, uint8_t o1, struct sl_tpdu *t)
{
	enum sl_tpdu_res r;
	uint8_t pi;

	t->type = SL_TPDU_STATUS_REPORT;
	t->srr = (o1 & 0x20) != 0;
	if (!sl_cur_u8(&c, &t->mr))
		return SL_TPDU_TRUNCATED;
	if ((r = addr_res(sl_gsm_tp_address_decode(&c, &t->addr))) != SL_TPDU_OK || (r = scts(&c, &t->scts)) != SL_TPDU_OK)
		return r;
	t->has_scts = true;
	if ((r = scts(&c, &t->dt)) != SL_TPDU_OK)
		return r;
	t->has_dt = true;
	if (!sl_cur_u8(&c, &t->status))
		return SL_TPDU_TRUNCATED;
	t->has_status = true;
	/* TP-PI and what it announces are optional (9.2.3.27) */
	if (!sl_cur_u8(&c, &pi))
		return SL_TPDU_OK;
	if (pi & 1 && !sl_cur_u8(&c, &t->pid))
		return SL_TPDU_TRUNCATED;
	if (pi & 2) {
		if (!sl_cur_u8(&c, &t->dcs))
			return SL_TPDU_TRUNCATED;
		t->coding = coding_of(t->dcs);
	}
	if (pi & 4)
		return user_data(&c, t);
	return SL_TPDU_OK;
}

enum sl_tpdu_res sl_tpdu_decode(struct sl_cursor c, bool from_ms, struct sl_tpdu *out)
{
	uint8_t o1;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_u8(&c, &o1))
		return SL_TPDU_TRUNCATED;
	out->udhi = (o1 & 0x40) != 0;
	switch (o1 & 3) {
	case 0:
		return from_ms ? SL_TPDU_UNSUPPORTED : deliver(c, o1, out);
	case 1:
		return from_ms ? submit(c, o1, out) : SL_TPDU_UNSUPPORTED;
	case 2:
		return from_ms ? SL_TPDU_UNSUPPORTED : status_report(c, o1, out);
	default:
		return SL_TPDU_UNSUPPORTED;
	}
}
