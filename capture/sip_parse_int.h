/*
 * Internal to the SIP parser (sip_parse.c locates header lines,
 * sip_nameaddr.c reads name-addr values and parameters): helpers both use.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "capture/sip_parse.h"
#include "capture/str.h"

static inline bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s[0..n) equals lit ignoring the case of A-Z; lit: lower case, n bytes */
static inline bool ieq(struct sl_str s, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != lit[i])
			return false;
	}
	return true;
}

/* Length of the first value of a comma-separated header list (quotes and <> honoured). */
size_t sl_sip_first_list_value(struct sl_str v);

/* sl_sip_parse_nameaddr, looking for ;tag= only when want_tag (From and To have a use for it) */
bool sl_sip_nameaddr_parse(struct sl_str v, struct sl_sip_nameaddr *out, bool want_tag);
