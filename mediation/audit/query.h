/*
 * Selecting records for `sluice audit show` and the report: by kind (or
 * kind prefix such as "warrant."), LIID, destination, recipient and time
 * range, over parsed records; and the RFC 3339 time text the tools print
 * and accept. Records store time as integer microseconds (UTC).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define SL_AUDIT_MAX_KIND_FILTERS 16

struct sl_audit_filter {
	const char *kinds[SL_AUDIT_MAX_KIND_FILTERS]; /* exact kind, or a prefix ending in '.' */
	unsigned nkinds;
	const char *liid;	 /* fields.liid */
	const char *destination; /* fields.destination or one of fields.destinations */
	const char *recipient;	 /* fields.recipient */
	int64_t from_us;	 /* time >= from_us (0: no bound) */
	int64_t until_us;	 /* time < until_us (0: no bound) */
};

bool sl_audit_filter_match(const struct sl_audit_filter *f, const json_t *rec);

/* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z" (UTC) or integer microseconds. */
bool sl_audit_parse_time(const char *s, int64_t *us);
/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" into out (at least 32 bytes). */
void sl_audit_format_time(int64_t us, char *out, size_t cap);
