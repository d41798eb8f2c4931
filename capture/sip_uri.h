/*
 * SIP, SIPS and TEL URI parsing (RFC 3261 section 19.1, RFC 3966).
 *
 * Splits a URI view into scheme, user, host, port and parameters without
 * copying. A tel URI's number goes to `user` so both forms can be
 * normalised alike. Anything else with a scheme ("urn:", "http:") parses as
 * SL_URI_OTHER with the rest in `host`.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/str.h"

enum sl_uri_scheme { SL_URI_SIP, SL_URI_SIPS, SL_URI_TEL, SL_URI_OTHER };

struct sl_uri {
	enum sl_uri_scheme scheme;
	struct sl_str scheme_str;
	struct sl_str user;	/* sip: user part (before '@', without password); tel: the number */
	struct sl_str host;	/* without brackets for IPv6 references */
	uint16_t port;		/* 0 when absent */
	struct sl_str params;	/* ";a=b;c" URI parameters, raw, including the leading ';' */
	bool user_phone;	/* ;user=phone */
};

bool sl_uri_parse(struct sl_str s, struct sl_uri *u);
