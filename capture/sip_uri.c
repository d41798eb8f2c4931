/*
 * URI parser for the SIP identity headers (see sip_uri.h). The grammar is
 * applied loosely where real traffic is loose (no percent-decoding, any
 * characters in the user part except '@') and strictly where a
 * mistake would misattribute an identity (the port must be a number, the
 * scheme must be known for user/host splitting).
 */
#include "capture/sip_uri.h"

#include <string.h>

/* The bytes that end an unbracketed host: ':' ';' '?' '>' */
static const bool host_end[256] = { [':'] = 1, [';'] = 1, ['?'] = 1, ['>'] = 1 };

/* A scheme against a lower-case literal, in any case (called for every URI). */
static inline bool scheme_is(struct sl_str s, const char *lit)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (!lit[i] || (s.p[i] | 0x20) != lit[i])
			return false;
	}
	return !lit[i];
}

bool sl_uri_parse(struct sl_str s, struct sl_uri *u)
{
	long colon;
	struct sl_str rest;
	size_t i, hs;

	memset(u, 0, sizeof(*u));
	s = sl_str_trim(s);
	colon = sl_str_chr(s, ':');
	if (colon <= 0)
		return false;
	u->scheme_str = sl_str_make(s.p, (size_t)colon);
	rest = sl_str_make(s.p + colon + 1, s.len - (size_t)colon - 1);

	if (scheme_is(u->scheme_str, "sip"))
		u->scheme = SL_URI_SIP;
	else if (scheme_is(u->scheme_str, "sips"))
		u->scheme = SL_URI_SIPS;
	else if (scheme_is(u->scheme_str, "tel"))
		u->scheme = SL_URI_TEL;
	else {
		u->scheme = SL_URI_OTHER;
		u->host = rest;
		return true;
	}

	if (u->scheme == SL_URI_TEL) {
		for (i = 0; i < rest.len && rest.p[i] != ';' && rest.p[i] != '?'; i++)
			;
		u->user = sl_str_make(rest.p, i);
		u->params = sl_str_make(rest.p + i, rest.len - i);
		return u->user.len > 0;
	}

	/*
	 * sip/sips: [user[:password]@]host[:port][;params][?headers]. The user
	 * part may itself hold ';' and '?' (RFC 3261 user-unreserved): a
	 * telephone-subscriber such as "0198765432100;phone-context=ims.example"
	 * is one user, so the split is at the first '@', not at the first ';'.
	 */
	{
		const char *at = memchr(rest.p, '@', rest.len);

		i = at ? (size_t)(at - rest.p) : rest.len;
	}
	hs = 0;
	if (i < rest.len && rest.p[i] == '@') {
		struct sl_str userinfo = sl_str_make(rest.p, i);
		long pw = sl_str_chr(userinfo, ':');
		u->user = pw >= 0 ? sl_str_make(userinfo.p, (size_t)pw) : userinfo;
		hs = i + 1;
	}
	i = hs;
	if (i < rest.len && rest.p[i] == '[') {
		size_t s0 = ++i;
		while (i < rest.len && rest.p[i] != ']')
			i++;
		if (i >= rest.len)
			return false;
		u->host = sl_str_make(rest.p + s0, i - s0);
		i++;
	} else {
		size_t s0 = i;
		while (i < rest.len && !host_end[(unsigned char)rest.p[i]])
			i++;
		u->host = sl_str_make(rest.p + s0, i - s0);
	}
	if (i < rest.len && rest.p[i] == ':') {
		size_t s0 = ++i;
		uint32_t port;
		while (i < rest.len && rest.p[i] >= '0' && rest.p[i] <= '9')
			i++;
		if (!sl_str_to_u32(sl_str_make(rest.p + s0, i - s0), 65535, &port))
			return false;
		u->port = (uint16_t)port;
	}
	if (i < rest.len && rest.p[i] == ';') {
		size_t s0 = i;
		while (i < rest.len && rest.p[i] != '?')
			i++;
		u->params = sl_str_make(rest.p + s0, i - s0);
	}
	if (!u->host.len)
		return false;
	{
		/* ;user=phone marks the user part as a telephone number */
		size_t j = 0;
		struct sl_str ps = u->params;
		while (j < ps.len) {
			size_t k;
			while (j < ps.len && ps.p[j] == ';')
				j++;
			k = j;
			while (k < ps.len && ps.p[k] != ';')
				k++;
			if (sl_str_ieq_cstr(sl_str_make(ps.p + j, k - j), "user=phone"))
				u->user_phone = true;
			j = k;
		}
	}
	return true;
}
