/*
 * Length-checked wrappers around libosmogsm's IE decoders (see gsm_ie.h):
 * TS 24.008 clause 10.5.1.4 (Mobile Identity), 10.5.4.7 and 10.5.4.9 (BCD
 * numbers), 10.5.4.11 (Cause), TS 24.011 clause 8.2.5 (RP addresses) and
 * TS 23.040 clause 9.1.2.5 (TP addresses), TS 24.008 10.5.1.3 (LAI).
 *
 * Each wrapper checks the sizes the specification allows before the
 * library sees a byte, and hands the library a copy whose buffer ends
 * exactly where the IE does, so a library helper that trusted a length it
 * read itself could at worst read its own copy, never the packet beyond
 * the IE. Semi-octet digits map as TS 24.008 table 10.5.118 does: 0-9,
 * then '*', '#', 'a', 'b', 'c'; 0xF is the filler.
 */
#include "capture/gsm_ie.h"

#include <string.h>

#include <osmocom/gsm/gsm48.h>
#include <osmocom/gsm/gsm48_ie.h>
#include <osmocom/gsm/gsm_utils.h>
#include <osmocom/gsm/protocol/gsm_04_08.h>

const char *const sl_gsm_mi_type_names[_SL_GSM_MI_COUNT] = {
	[SL_GSM_MI_NONE] = "none", [SL_GSM_MI_IMSI] = "imsi", [SL_GSM_MI_IMEI] = "imei",
	[SL_GSM_MI_IMEISV] = "imeisv", [SL_GSM_MI_TMSI] = "tmsi",
};

#define MI_MAX 9	/* longest Mobile Identity value: IMEISV, 16 digits + type nibble */

enum sl_gsm_ie_res sl_gsm_mi_decode(struct sl_cursor v, struct sl_gsm_mi *out)
{
	struct osmo_mobile_identity mi;
	uint8_t buf[MI_MAX];
	uint8_t type;

	memset(out, 0, sizeof(*out));
	if (v.left < 1)
		return SL_GSM_IE_TRUNCATED;
	if (v.left > MI_MAX)
		return SL_GSM_IE_MALFORMED;
	type = v.p[0] & GSM_MI_TYPE_MASK;
	switch (type) {
	case GSM_MI_TYPE_IMSI:
	case GSM_MI_TYPE_IMEI:
	case GSM_MI_TYPE_IMEISV:
	case GSM_MI_TYPE_TMSI:
		break;
	default:
		return SL_GSM_IE_UNSUPPORTED;	/* no identity, TMGI, ... */
	}
	memcpy(buf, v.p, v.left);
	if (osmo_mobile_identity_decode(&mi, buf, (uint8_t)v.left, false) < 0)
		return SL_GSM_IE_MALFORMED;
	switch (mi.type) {
	case GSM_MI_TYPE_IMSI:
		out->type = SL_GSM_MI_IMSI;
		OSMO_STRLCPY_ARRAY(out->digits, mi.imsi);
		break;
	case GSM_MI_TYPE_IMEI:
		out->type = SL_GSM_MI_IMEI;
		OSMO_STRLCPY_ARRAY(out->digits, mi.imei);
		break;
	case GSM_MI_TYPE_IMEISV:
		out->type = SL_GSM_MI_IMEISV;
		OSMO_STRLCPY_ARRAY(out->digits, mi.imeisv);
		break;
	case GSM_MI_TYPE_TMSI:
		out->type = SL_GSM_MI_TMSI;
		snprintf(out->digits, sizeof(out->digits), "%08x", mi.tmsi);
		break;
	default:
		return SL_GSM_IE_UNSUPPORTED;
	}
	return out->digits[0] ? SL_GSM_IE_OK : SL_GSM_IE_MALFORMED;
}

/*
 * Octets 3 and 3a and 20 octets of digits: sluice takes numbers of up to 40
 * digits (E.164 allows 15; the called party IE could hold 80, which no
 * network dials).
 */
#define BCD_VALUE_MAX 22

enum sl_gsm_ie_res sl_gsm_bcd_number_decode(struct sl_cursor v, struct sl_gsm_number *out)
{
	uint8_t lv[1 + BCD_VALUE_MAX];
	size_t h_len;
	uint8_t o3;

	memset(out, 0, sizeof(*out));
	if (v.left == 0)
		return SL_GSM_IE_OK;	/* RP originator address of an MO RP-DATA: empty */
	if (v.left > BCD_VALUE_MAX)
		return SL_GSM_IE_MALFORMED;
	o3 = v.p[0];
	out->ton = (o3 >> 4) & 7;
	out->npi = o3 & 15;
	h_len = 1;
	if (!(o3 & 0x80)) {	/* extension bit 0: octet 3a follows */
		if (v.left < 2)
			return SL_GSM_IE_TRUNCATED;
		out->has_pi = true;
		out->pi = (v.p[1] >> 5) & 3;
		h_len = 2;
	}
	lv[0] = (uint8_t)v.left;
	memcpy(lv + 1, v.p, v.left);
	if (gsm48_decode_bcd_number2(out->digits, sizeof(out->digits), lv, 1 + v.left, h_len) < 0)
		return SL_GSM_IE_MALFORMED;
	return SL_GSM_IE_OK;
}

static const char semi_octet[16] = "0123456789*#abc";

enum sl_gsm_ie_res sl_gsm_tp_address_decode(struct sl_cursor *c, struct sl_gsm_number *out)
{
	uint8_t ndigits, toa;
	const uint8_t *p;
	size_t n, i, o = 0;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_u8(c, &ndigits) || !sl_cur_u8(c, &toa))
		return SL_GSM_IE_TRUNCATED;
	if (ndigits > 20)
		return SL_GSM_IE_MALFORMED;	/* the address field is at most 12 octets */
	out->ton = (toa >> 4) & 7;
	out->npi = toa & 15;
	n = ((size_t)ndigits + 1) / 2;
	if (!sl_cur_bytes(c, n, &p))
		return SL_GSM_IE_TRUNCATED;
	if (out->ton == 5) {
		/* alphanumeric: ndigits counts semi-octets of GSM 7-bit packed text */
		uint8_t packed[10];
		char text[SL_GSM_NUMBER_MAX];
		uint8_t septets = (uint8_t)(ndigits * 4 / 7);

		memcpy(packed, p, n);
		if (gsm_7bit_decode_n(text, sizeof(text), packed, septets) < 0)
			return SL_GSM_IE_MALFORMED;
		OSMO_STRLCPY_ARRAY(out->digits, text);
		return SL_GSM_IE_OK;
	}
	for (i = 0; i < ndigits; i++) {
		uint8_t nib = (i & 1) ? p[i / 2] >> 4 : p[i / 2] & 15;
		if (nib == 15)
			return SL_GSM_IE_MALFORMED;	/* filler inside the announced digits */
		out->digits[o++] = semi_octet[nib];
	}
	out->digits[o] = '\0';
	return SL_GSM_IE_OK;
}

enum sl_gsm_ie_res sl_gsm_cause_decode(struct sl_cursor v, struct sl_gsm_cause *out)
{
	uint8_t o3, o4;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_u8(&v, &o3))
		return SL_GSM_IE_TRUNCATED;
	out->coding = (o3 >> 5) & 3;
	out->location = o3 & 15;
	if (!(o3 & 0x80) && !sl_cur_skip(&v, 1))	/* octet 3a: recommendation */
		return SL_GSM_IE_TRUNCATED;
	if (!sl_cur_u8(&v, &o4))
		return SL_GSM_IE_TRUNCATED;
	out->value = o4 & 0x7f;
	return SL_GSM_IE_OK;
}

enum sl_gsm_ie_res sl_gsm_lai_decode(struct sl_cursor *c, struct sl_gsm_lai *out)
{
	struct gsm48_loc_area_id raw;
	struct osmo_location_area_id lai;

	memset(out, 0, sizeof(*out));
	if (!sl_cur_copy(c, &raw, sizeof(raw)))
		return SL_GSM_IE_TRUNCATED;
	/* every digit 0-9, but MNC digit 3 (octet 2, high nibble) may be the filler F */
	if ((raw.digits[0] & 15) > 9 || (raw.digits[0] >> 4) > 9 || (raw.digits[1] & 15) > 9 ||
	    ((raw.digits[1] >> 4) > 9 && (raw.digits[1] >> 4) != 15) || (raw.digits[2] & 15) > 9 ||
	    (raw.digits[2] >> 4) > 9)
		return SL_GSM_IE_MALFORMED;
	gsm48_decode_lai2(&raw, &lai);
	snprintf(out->mcc, sizeof(out->mcc), "%03u", (unsigned)(lai.plmn.mcc % 1000));
	snprintf(out->mnc, sizeof(out->mnc), lai.plmn.mnc_3_digits ? "%03u" : "%02u", (unsigned)(lai.plmn.mnc % 1000));
	out->lac = lai.lac;
	return SL_GSM_IE_OK;
}

bool sl_gsm_imei_of(const struct sl_gsm_mi *mi, char *out, size_t len)
{
	unsigned i, sum = 0;

	if ((mi->type != SL_GSM_MI_IMEI && mi->type != SL_GSM_MI_IMEISV) || len < 16 || strlen(mi->digits) < 14)
		return false;
	/* Luhn over the 14 digits TAC+SNR (TS 23.003 annex B): double every second digit from the left's second */
	for (i = 0; i < 14; i++) {
		unsigned d = (unsigned)(mi->digits[i] - '0');
		if (d > 9)
			return false;
		if (i & 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
		out[i] = mi->digits[i];
	}
	out[14] = (char)('0' + (10 - sum % 10) % 10);
	out[15] = '\0';
	return true;
}
