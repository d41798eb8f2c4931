/*
 * Character-set checks for the restricted string types of X.680 clause 41.
 *
 * Both directions use them: the encoder refuses to emit a string the strict
 * decoder would reject, and the decoder refuses content that would make a
 * receiver print or store bytes the type does not allow. Only the types the
 * ETSI modules use are checked (UTF8String, PrintableString, NumericString,
 * IA5String, VisibleString); the others (Teletex, BMP, ...) have character
 * sets too large or stateful to be worth checking here, and callers read
 * them as plain octets.
 */
#include "asn1/ber.h"

/* X.680 41.4 Table 10: A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
static bool printable_char(uint8_t c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case ' ': case '\'': case '(': case ')': case '+': case ',':
	case '-': case '.': case '/': case ':': case '=': case '?':
		return true;
	default:
		return false;
	}
}

/*
 * Well-formed UTF-8 per RFC 3629 section 4: the second-octet ranges rule out
 * overlong forms (E0, F0), surrogates (ED) and code points above U+10FFFF
 * (F4), which are how malformed UTF-8 smuggles characters past filters.
 */
static bool utf8_valid(const uint8_t *p, size_t n, size_t *bad_at)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = p[i];
		size_t k, more;
		uint8_t lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			more = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			more = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			more = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else {
			goto bad;
		}
		if (more > n - i - 1)
			goto bad;
		for (k = 1; k <= more; k++) {
			uint8_t b = p[i + k];

			if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
				goto bad;
		}
		i += more + 1;
	}
	return true;
bad:
	if (bad_at)
		*bad_at = i;
	return false;
}

bool sl_ber_text_type_known(uint32_t string_tag)
{
	switch (string_tag) {
	case SL_BER_TAG_UTF8_STRING:
	case SL_BER_TAG_PRINTABLE_STRING:
	case SL_BER_TAG_NUMERIC_STRING:
	case SL_BER_TAG_IA5_STRING:
	case SL_BER_TAG_VISIBLE_STRING:
		return true;
	default:
		return false;
	}
}

bool sl_ber_text_valid(uint32_t string_tag, const uint8_t *p, size_t n, size_t *bad_at)
{
	size_t i;

	if (string_tag == SL_BER_TAG_UTF8_STRING)
		return utf8_valid(p, n, bad_at);
	if (!sl_ber_text_type_known(string_tag)) {
		if (bad_at)
			*bad_at = 0;
		return false;
	}
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		bool ok;

		switch (string_tag) {
		case SL_BER_TAG_PRINTABLE_STRING:
			ok = printable_char(c);
			break;
		case SL_BER_TAG_NUMERIC_STRING:
			ok = (c >= '0' && c <= '9') || c == ' ';
			break;
		case SL_BER_TAG_IA5_STRING:
			ok = c < 0x80;
			break;
		default: /* VisibleString: X.680 41.4, ISO 646 graphic characters and space */
			ok = c >= 0x20 && c <= 0x7E;
			break;
		}
		if (!ok) {
			if (bad_at)
				*bad_at = i;
			return false;
		}
	}
	return true;
}
