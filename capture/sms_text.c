/*
 * The text of an SMS (TS 23.040 clause 9.2.3.24, TS 23.038 clauses 6.2.1
 * and 6.2.3): GSM 7-bit default alphabet with its single-shift escape to
 * the extension table, decoded by libosmogsm's gsm_7bit_decode_n_hdr()
 * (which skips the user data header and its fill bits) on a copy of
 * exactly the user data; UCS-2 (big-endian UTF-16 in practice, surrogate
 * pairs included) converted to UTF-8 here; 8-bit data copied as is.
 * This is content: only the capture layer's content path calls it.
 */
#include "capture/sms_tpdu.h"

#include <string.h>

#include <osmocom/gsm/gsm_utils.h>

static size_t put_utf8(char *out, size_t len, size_t o, uint32_t cp)
{
	char b[4];
	size_t n, i;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (o + n >= len)
		return o;
	for (i = 0; i < n; i++)
		out[o + i] = b[i];
	return o + n;
}

static int ucs2(struct sl_cursor ud, char *out, size_t len)
{
	size_t o = 0;
	uint16_t u, lo;

	while (ud.left >= 2) {
		uint32_t cp;
		sl_cur_be16(&ud, &u);
		cp = u;
		if (u >= 0xd800 && u < 0xdc00 && ud.left >= 2 && ud.p[0] >= 0xdc && ud.p[0] < 0xe0) {
			sl_cur_be16(&ud, &lo);
			cp = 0x10000 + (((uint32_t)u - 0xd800) << 10) + (lo - 0xdc00u);
		} else if (u >= 0xd800 && u < 0xe000) {
			cp = 0xfffd;	/* lone surrogate */
		}
		o = put_utf8(out, len, o, cp);
	}
	out[o] = '\0';
	return (int)o;
}

int sl_sms_text(const struct sl_tpdu *t, char *out, size_t len)
{
	struct sl_cursor ud = t->ud;
	uint8_t copy[140];
	uint8_t udhl;
	int n;

	if (!len)
		return -1;
	if (ud.left > sizeof(copy))
		return -1;
	if (!ud.left) {		/* a status report without user data */
		out[0] = '\0';
		return 0;
	}
	switch (t->coding) {
	case SL_SMS_GSM7:
		memcpy(copy, ud.p, ud.left);
		n = gsm_7bit_decode_n_hdr(out, len, copy, t->udl, t->udhi);
		return n < 0 ? -1 : (int)strnlen(out, len);
	case SL_SMS_UCS2:
		if (t->udhi && (!sl_cur_u8(&ud, &udhl) || !sl_cur_skip(&ud, udhl)))
			return -1;
		return ucs2(ud, out, len);
	default:
		if (t->udhi && (!sl_cur_u8(&ud, &udhl) || !sl_cur_skip(&ud, udhl)))
			return -1;
		if (ud.left > len)
			return -1;
		memcpy(out, ud.p, ud.left);
		return (int)ud.left;
	}
}
