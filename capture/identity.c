/*
 * Identity normalisation (see identity.h). Every function here works on
 * untrusted views and writes bounded, NUL-terminated values; anything that
 * does not fit SL_ID_MAX is dropped rather than truncated, since a
 * truncated identity could match the wrong subscriber.
 */
#include "capture/identity.h"

#include <stdio.h>
#include <string.h>

#include "capture/sip_uri.h"

const char *const sl_id_type_names[_SL_ID_TYPE_COUNT] = {
	[SL_ID_NONE] = "none",	 [SL_ID_SIP_URI] = "sip_uri", [SL_ID_E164] = "e164",
	[SL_ID_NUMBER] = "number", [SL_ID_IMSI] = "imsi",	      [SL_ID_IMEI] = "imei", [SL_ID_TMSI] = "tmsi",
};

void sl_numbering_default(struct sl_numbering *n)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->national_prefix, sizeof(n->national_prefix), "0");
	snprintf(n->international_prefix, sizeof(n->international_prefix), "00");
	n->numeric_user_is_phone = true;
}

bool sl_party_has(const struct sl_party *p, enum sl_id_type type, const char *value)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (p->id[i].type == type && strcmp(p->id[i].value, value) == 0)
			return true;
	return false;
}

const struct sl_identity *sl_party_first(const struct sl_party *p, enum sl_id_type type)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (p->id[i].type == type)
			return &p->id[i];
	return NULL;
}

bool sl_party_add(struct sl_party *p, enum sl_id_type type, const char *value)
{
	size_t len = strlen(value);

	if (type == SL_ID_NONE || len == 0 || len >= SL_ID_MAX)
		return false;
	if (sl_party_has(p, type, value) || p->n >= SL_PARTY_MAX_IDS)
		return false;
	p->id[p->n].type = (uint8_t)type;
	memcpy(p->id[p->n].value, value, len + 1);
	p->n++;
	return true;
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_visual_sep(char c)
{
	/* RFC 3966 visual-separator */
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/*
 * out->value = prefix a, then b, then c (any of them ""), truncated to fit
 * like snprintf would: this is on the per-message path, where stdio
 * formatting cost more than the rest of the normalisation.
 */
static void set_value(struct sl_identity *out, const char *a, const char *b, const char *c)
{
	const char *part[3] = { a, b, c };
	size_t o = 0, i, l;

	for (i = 0; i < 3; i++) {
		l = strlen(part[i]);
		if (l > sizeof(out->value) - 1 - o)
			l = sizeof(out->value) - 1 - o;
		memcpy(out->value + o, part[i], l);
		o += l;
	}
	out->value[o] = '\0';
}

bool sl_number_normalise(const struct sl_numbering *n, struct sl_str s, struct sl_identity *out)
{
	char digits[24];
	size_t nd = 0, i = 0, pl;
	bool plus = false;

	if (s.len && s.p[0] == '+') {
		plus = true;
		i = 1;
	}
	for (; i < s.len; i++) {
		if (is_digit(s.p[i])) {
			if (nd + 2 >= sizeof(digits))
				return false;
			digits[nd++] = s.p[i];
		} else if (!is_visual_sep(s.p[i])) {
			return false;
		}
	}
	if (nd < 2 || nd > 20)
		return false;
	digits[nd] = '\0';

	memset(out, 0, sizeof(*out));
	if (plus) {
		out->type = SL_ID_E164;
		set_value(out, "+", digits, "");
		return true;
	}
	pl = strlen(n->international_prefix);
	if (pl && nd > pl && strncmp(digits, n->international_prefix, pl) == 0) {
		out->type = SL_ID_E164;
		set_value(out, "+", digits + pl, "");
		return true;
	}
	pl = strlen(n->national_prefix);
	if (n->country_code[0] && pl && nd > pl && strncmp(digits, n->national_prefix, pl) == 0) {
		out->type = SL_ID_E164;
		set_value(out, "+", n->country_code, digits + pl);
		return true;
	}
	out->type = SL_ID_NUMBER;
	set_value(out, digits, "", "");
	return true;
}

/* The 3GPP IMS home domain: ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org (TS 23.003 13.2). */
static bool ims_domain(struct sl_str host, char mcc[4], char mnc[4])
{
	static const char pre[] = "ims.mnc", mid[] = ".mcc", suf[] = ".3gppnetwork.org";
	size_t i;

	if (host.len != sizeof(pre) - 1 + 3 + sizeof(mid) - 1 + 3 + sizeof(suf) - 1)
		return false;
	if (!sl_str_istarts(host, pre))
		return false;
	for (i = 0; i < 3; i++) {
		mnc[i] = host.p[7 + i];
		mcc[i] = host.p[14 + i];
		if (!is_digit(mnc[i]) || !is_digit(mcc[i]))
			return false;
	}
	mnc[3] = mcc[3] = '\0';
	return sl_str_ieq_cstr(sl_str_make(host.p + 10, 4), mid) &&
	       sl_str_ieq_cstr(sl_str_make(host.p + 17, host.len - 17), suf);
}

/* The IMSI that an IMSI-derived IMS identity user@ims.mncX.mccY.3gppnetwork.org carries, if it is one. */
static bool ims_nai_imsi(struct sl_str user, struct sl_str host, char imsi[17])
{
	char mcc[4], mnc[4];
	size_t i;

	if (user.len < 14 || user.len > 15 || !ims_domain(host, mcc, mnc))
		return false;
	for (i = 0; i < user.len; i++)
		if (!is_digit(user.p[i]))
			return false;
	/* the IMSI starts with MCC and MNC; the domain pads a 2-digit MNC with a leading 0 */
	if (memcmp(user.p, mcc, 3) != 0)
		return false;
	if (memcmp(user.p + 3, mnc, 3) != 0 && !(mnc[0] == '0' && memcmp(user.p + 3, mnc + 1, 2) == 0))
		return false;
	memcpy(imsi, user.p, user.len);
	imsi[user.len] = '\0';
	return true;
}

bool sl_party_add_ims_nai(struct sl_party *p, struct sl_str user, struct sl_str host)
{
	char imsi[17];

	return ims_nai_imsi(user, host, imsi) && sl_party_add(p, SL_ID_IMSI, imsi);
}

void sl_party_add_uri(struct sl_party *p, const struct sl_numbering *n, struct sl_str uri)
{
	struct sl_uri u;
	struct sl_identity num;
	char buf[SL_ID_MAX], imsi[17];
	size_t i, o;
	bool fits, v6;

	if (!sl_uri_parse(uri, &u))
		return;
	if (u.scheme == SL_URI_TEL) {
		if (sl_number_normalise(n, u.user, &num))
			sl_party_add(p, (enum sl_id_type)num.type, num.value);
		return;
	}
	if (u.scheme == SL_URI_OTHER)
		return;

	/*
	 * sip:user@host, host in lower case, sips folded into sip. A URI too
	 * long to keep as an identity (long phone-context user parts) is
	 * skipped, but the number or IMSI it carries is still taken below.
	 */
	memcpy(buf, "sip:", 4);
	o = 4;
	v6 = sl_str_chr(u.host, ':') >= 0; /* an IPv6 reference keeps its brackets (RFC 3261 25.1) */
	fits = o + (u.user.len ? u.user.len + 1 : 0) + u.host.len + (v6 ? 2 : 0) < sizeof(buf);
	if (fits) {
		if (u.user.len) {
			memcpy(buf + o, u.user.p, u.user.len);
			o += u.user.len;
			buf[o++] = '@';
		}
		if (v6)
			buf[o++] = '[';
		for (i = 0; i < u.host.len; i++) {
			char c = u.host.p[i];
			buf[o++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		if (v6)
			buf[o++] = ']';
		buf[o] = '\0';
		sl_party_add(p, SL_ID_SIP_URI, buf);
	}

	if (!u.user.len)
		return;
	/*
	 * An IMSI-derived identity yields the IMSI and no number. This used to
	 * test whether sl_party_add_ims_nai() *added* the IMSI, so when the same
	 * identity came twice (From and P-Asserted-Identity of one REGISTER) the
	 * second call found a duplicate, fell through and added the IMSI digits
	 * again as a telephone number.
	 */
	if (ims_nai_imsi(u.user, u.host, imsi)) {
		sl_party_add(p, SL_ID_IMSI, imsi);
		return;
	}
	if (u.user_phone || n->numeric_user_is_phone) {
		/* a user=phone user part may carry ;phone-context etc. after the number */
		struct sl_str num_part = u.user;
		long semi = sl_str_chr(num_part, ';');
		if (semi >= 0)
			num_part.len = (size_t)semi;
		if (!u.user_phone) {
			/* without user=phone only plain digits (optionally +) count */
			for (i = num_part.len && num_part.p[0] == '+' ? 1 : 0; i < num_part.len; i++)
				if (!is_digit(num_part.p[i]))
					return;
		}
		if (sl_number_normalise(n, num_part, &num))
			sl_party_add(p, (enum sl_id_type)num.type, num.value);
	}
}

bool sl_party_add_instance_imei(struct sl_party *p, struct sl_str params)
{
	long at = sl_str_ifind(params, "urn:gsma:imei:");
	char imei[17];
	size_t i, nd = 0;

	if (at < 0)
		return false;
	for (i = (size_t)at + 14; i < params.len; i++) {
		char c = params.p[i];
		if (is_digit(c)) {
			if (nd >= 16)
				return false;
			imei[nd++] = c;
		} else if (c != '-') {
			break;
		}
	}
	if (nd < 14 || nd > 16)
		return false;
	imei[nd] = '\0';
	return sl_party_add(p, SL_ID_IMEI, imei);
}
