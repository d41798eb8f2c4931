/*
 * SIP message bodies by Content-Type (RFC 3261 section 7.4, RFC 2046
 * multipart, RFC 5621 multipart in SIP).
 *
 * A body is either one typed part or a multipart container of parts
 * (ISUP plus SDP, SDP plus a resource list, SMS plus SDP...). sl_sip_body_parts
 * flattens both cases into a list of (media type, bytes) views, one level of
 * nesting deep into multipart parts, so callers just ask for "application/sdp"
 * or "text/plain" without caring how the sender wrapped it.
 */
#pragma once

#include <stdbool.h>

#include "capture/str.h"

#define SL_BODY_MAX_PARTS 8

struct sl_body_part {
	struct sl_str type;	/* media type without parameters, e.g. "application/sdp" */
	struct sl_str params;	/* Content-Type parameters, raw */
	struct sl_str body;
};

struct sl_body {
	unsigned n;
	struct sl_body_part part[SL_BODY_MAX_PARTS];
	bool multipart;
	bool malformed;		/* multipart without boundary, or unterminated */
};

/* Split by content type; a missing Content-Type with a non-empty body is typed application/sdp (RFC 3261 20.15 default). */
void sl_sip_body_parts(struct sl_str content_type, struct sl_str body, struct sl_body *out);

/* First part of the given media type (case-insensitive), or NULL. */
const struct sl_body_part *sl_body_find(const struct sl_body *b, const char *type);
