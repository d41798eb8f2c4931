/*
 * P-Access-Network-Info to a cell (3GPP TS 24.229 clause 7.2A.4): the
 * access type names which parameter carries the cell and how long its
 * area and cell parts are; MCC and MNC come first as decimal digits, then
 * the area code and the cell identity as hexadecimal digits. See
 * sip_pani.h for the table. Reads the header value only through
 * bounds-checked views; a value whose cell parameter has any other length
 * or a non-digit where a digit belongs is malformed, never guessed at.
 * Which access-net-spec to read, when a message carries the UE's and the
 * network's, is sl_pani_pick()'s choice: the network-provided one.
 */
#include <string.h>

#include "capture/sip_pani.h"

const char *const sl_access_names[_SL_ACCESS_COUNT] = {
	[SL_ACCESS_GERAN] = "geran", [SL_ACCESS_UTRAN] = "utran", [SL_ACCESS_EUTRAN] = "eutran", [SL_ACCESS_NR] = "nr",
};

struct access_rule {
	const char *token;
	uint8_t access;
	const char *param;
	uint8_t area_digits, cell_digits;	/* hexadecimal digits */
};

static const struct access_rule rules[] = {
	{ "3GPP-GERAN", SL_ACCESS_GERAN, "cgi-3gpp", 4, 4 },
	{ "3GPP-UTRAN-FDD", SL_ACCESS_UTRAN, "utran-cell-id-3gpp", 4, 7 },
	{ "3GPP-UTRAN-TDD", SL_ACCESS_UTRAN, "utran-cell-id-3gpp", 4, 7 },
	{ "3GPP-E-UTRAN-FDD", SL_ACCESS_EUTRAN, "utran-cell-id-3gpp", 4, 7 },
	{ "3GPP-E-UTRAN-TDD", SL_ACCESS_EUTRAN, "utran-cell-id-3gpp", 4, 7 },
	{ "3GPP-NR-FDD", SL_ACCESS_NR, "utran-cell-id-3gpp", 6, 9 },
	{ "3GPP-NR-TDD", SL_ACCESS_NR, "utran-cell-id-3gpp", 6, 9 },
};

static bool dec_digits(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool hex_value(const char *p, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		char c = p[i];
		unsigned h;

		if (c >= '0' && c <= '9')
			h = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			h = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			h = (unsigned)(c - 'A' + 10);
		else
			return false;
		*v = *v << 4 | h;
	}
	return true;
}

/* The offset of the first comma of s outside a quoted string, or s.len. */
static size_t spec_end(struct sl_str s)
{
	bool quoted = false;
	size_t i;

	for (i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (quoted && c == '\\')
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (c == ',' && !quoted)
			return i;
	}
	return s.len;
}

/*
 * The access-info parameter called name in one access-net-spec (the text
 * after its access type): parameters are split at semicolons outside
 * quoted strings, so a quoted value naming one does not count. *value is
 * what follows '=' trimmed, a null view when there is no '='.
 */
static bool find_param(struct sl_str spec, const char *name, struct sl_str *value)
{
	bool quoted = false;
	size_t i, start = 0;

	for (i = 0; i <= spec.len; i++) {
		char c = i < spec.len ? spec.p[i] : ';';

		if (quoted && c == '\\' && i < spec.len) {
			i++;
		} else if (c == '"') {
			quoted = !quoted;
		} else if (c == ';' && (!quoted || i == spec.len)) {
			struct sl_str param = sl_str_make(spec.p + start, i - start);
			long eq = sl_str_chr(param, '=');
			struct sl_str pname = sl_str_trim(eq < 0 ? param : sl_str_make(param.p, (size_t)eq));

			if (start && sl_str_ieq_cstr(pname, name)) {
				*value = eq < 0 ? SL_STR_NULL : sl_str_trim(sl_str_sub(param, (size_t)eq + 1, param.len));
				return true;
			}
			start = i + 1;
			quoted = false;
		}
	}
	return false;
}

/* The valueless "network-provided" access-info (np) of TS 24.229 7.2A.4. */
static bool network_provided(struct sl_str spec)
{
	struct sl_str v;

	return find_param(spec, "network-provided", &v) && !v.p;
}

struct sl_str sl_pani_pick(struct sl_str value, bool *network)
{
	struct sl_str first = SL_STR_NULL, rest = value;

	*network = false;
	if (!value.p)
		return value;
	while (rest.len) {
		size_t end = spec_end(rest);
		struct sl_str spec = sl_str_trim(sl_str_make(rest.p, end));

		if (spec.len && network_provided(spec)) {
			*network = true;
			return spec;
		}
		if (!first.p && spec.len)
			first = spec;
		rest = end < rest.len ? sl_str_make(rest.p + end + 1, rest.len - end - 1) : sl_str_make(rest.p + rest.len, 0);
	}
	return first.p ? first : sl_str_make(value.p, 0);
}

enum sl_pani_res sl_pani_cell(struct sl_str value, struct sl_cell *out)
{
	const struct access_rule *r = NULL;
	struct sl_str token, v;
	size_t i, mnc_len, fixed;
	uint64_t area, cell;
	long semi;

	memset(out, 0, sizeof(*out));
	if (!value.p)
		return SL_PANI_NO_CELL;
	value.len = spec_end(value);
	semi = sl_str_chr(value, ';');
	token = sl_str_trim(sl_str_make(value.p, semi < 0 ? value.len : (size_t)semi));
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (sl_str_ieq_cstr(token, rules[i].token))
			r = &rules[i];
	if (!r || semi < 0)
		return SL_PANI_NO_CELL;
	if (!find_param(value, r->param, &v))
		return SL_PANI_NO_CELL;
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
		v = sl_str_make(v.p + 1, v.len - 2);
	fixed = 3u + r->area_digits + r->cell_digits;
	if (v.len != fixed + 2 && v.len != fixed + 3)
		return SL_PANI_MALFORMED;
	mnc_len = v.len - fixed;
	if (!dec_digits(v.p, 3 + mnc_len) || !hex_value(v.p + 3 + mnc_len, r->area_digits, &area)
	    || !hex_value(v.p + 3 + mnc_len + r->area_digits, r->cell_digits, &cell))
		return SL_PANI_MALFORMED;
	out->access = r->access;
	memcpy(out->mcc, v.p, 3);
	memcpy(out->mnc, v.p + 3, mnc_len);
	out->area = (uint32_t)area;
	out->cell = cell;
	return SL_PANI_OK;
}
