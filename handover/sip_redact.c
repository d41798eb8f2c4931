/*
 * Location header fields removed from a SIP message (see sip_redact.h).
 *
 * The header section is walked line by line up to the first empty line (a
 * message without one is all header section); a line that starts with a
 * space or tab continues the field before it (RFC 3261 7.3.1). Lines end
 * at LF, with or without CR before it, as capture accepts them.
 */
#include "handover/sip_redact.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *const location_fields[] = {
	"P-Access-Network-Info",
	"P-Last-Access-Network-Info",
	"Cellular-Network-Info",
};

/* Is the line p[0..n) the first line of a field named in location_fields? */
static bool is_location_field(const uint8_t *p, size_t n)
{
	size_t i, len;

	for (i = 0; i < sizeof(location_fields) / sizeof(location_fields[0]); i++) {
		len = strlen(location_fields[i]);
		if (n <= len || strncasecmp((const char *)p, location_fields[i], len))
			continue;
		/* the name ends here: optional whitespace, then the colon */
		while (len < n && (p[len] == ' ' || p[len] == '\t'))
			len++;
		if (len < n && p[len] == ':')
			return true;
	}
	return false;
}

size_t sl_sip_without_location(const uint8_t *msg, size_t n, uint8_t *out)
{
	size_t in = 0, o = 0;
	bool dropping = false, first = true;

	while (in < n) {
		const uint8_t *nl = memchr(msg + in, '\n', n - in);
		size_t end = nl ? (size_t)(nl - msg) + 1 : n; /* the line, with its line end */
		size_t len = end - in;
		bool empty = len == 1 || (len == 2 && msg[in] == '\r');

		if (empty && !first) {
			/* the end of the header section: the rest is body, copied as it is */
			memcpy(out + o, msg + in, n - in);
			return o + (n - in);
		}
		if (!first && (msg[in] == ' ' || msg[in] == '\t')) {
			/* a continuation belongs to the field before it */
		} else {
			/* the start line is never a field; every other line starts one */
			dropping = !first && is_location_field(msg + in, len);
		}
		if (!dropping) {
			memcpy(out + o, msg + in, len);
			o += len;
		}
		first = false;
		in = end;
	}
	return o;
}
