/*
 * Binary codings of subscriber identities in TS 101 671 PartyInformation
 * (annex D.5 partyIdentity).
 *
 * imsi [3] and imei [1] are "MAP format" (3GPP TS 29.002 TBCD-STRING):
 * two digits per octet, the first digit in the low nibble, an odd count
 * padded with 0xF in the last high nibble; an IMEI of 14 digits plus the
 * check digit fills 8 octets. e164-Format [7] is "coded in the same format
 * as the calling party number parameter of the ISUP" (EN 300 356 clause
 * 3.10): octet 1 holds the odd/even indicator (bit 8) and the nature of
 * address (4 = international number), octet 2 the numbering plan (bits
 * 7-5, 1 = ISDN/E.164), presentation and screening (0: allowed, user
 * provided not verified, as nothing from SIP is verified), then the
 * digits in BCD, low nibble first, with a 0 filler when the count is odd.
 */
#include <string.h>

#include "handover/pdu_int.h"

#define ISUP_NAI_INTERNATIONAL 0x04
#define ISUP_NPI_ISDN 0x10

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Pack digits low nibble first; fill is the nibble after an odd count. */
static size_t bcd_pack(const char *d, size_t n, uint8_t fill, uint8_t *out, size_t cap)
{
	size_t i, octets = (n + 1) / 2;

	if (octets > cap)
		return 0;
	for (i = 0; i < octets; i++) {
		uint8_t lo = (uint8_t)(d[2 * i] - '0');
		uint8_t hi = 2 * i + 1 < n ? (uint8_t)(d[2 * i + 1] - '0') : fill;

		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return octets;
}

size_t sl_tbcd_encode(const char *digits, uint8_t *out, size_t cap)
{
	size_t n = strlen(digits);

	if (!all_digits(digits, n))
		return 0;
	return bcd_pack(digits, n, 0xF, out, cap);
}

bool sl_tbcd_decode(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		uint8_t nib[2] = { (uint8_t)(p[i] & 0x0F), (uint8_t)(p[i] >> 4) };
		unsigned j;

		for (j = 0; j < 2; j++) {
			if (nib[j] == 0xF && i == n - 1 && j == 1)
				break; /* filler after an odd count */
			if (nib[j] > 9 || k + 1 >= cap)
				return false;
			out[k++] = (char)('0' + nib[j]);
		}
	}
	if (k == 0 || cap == 0)
		return false;
	out[k] = '\0';
	return true;
}

size_t sl_isup_e164_encode(const char *e164, uint8_t *out, size_t cap)
{
	size_t n, b;

	if (e164[0] != '+')
		return 0;
	e164++;
	n = strlen(e164);
	if (!all_digits(e164, n) || n > 15 || cap < 2)
		return 0;
	out[0] = (uint8_t)((n & 1 ? 0x80 : 0) | ISUP_NAI_INTERNATIONAL);
	out[1] = ISUP_NPI_ISDN;
	b = bcd_pack(e164, n, 0x0, out + 2, cap - 2);
	return b ? b + 2 : 0;
}

bool sl_isup_number_decode(const uint8_t *p, size_t n, char *out, size_t cap, bool *international)
{
	size_t i, k = 0, digits;
	bool odd;

	if (n < 3 || cap < 2)
		return false;
	odd = p[0] & 0x80;
	*international = (p[0] & 0x7F) == ISUP_NAI_INTERNATIONAL;
	digits = (n - 2) * 2 - (odd ? 1 : 0);
	if (*international)
		out[k++] = '+';
	for (i = 0; i < digits; i++) {
		uint8_t o = p[2 + i / 2];
		uint8_t d = (uint8_t)(i & 1 ? o >> 4 : o & 0x0F);

		if (d > 9 || k + 1 >= cap)
			return false;
		out[k++] = (char)('0' + d);
	}
	out[k] = '\0';
	return true;
}
