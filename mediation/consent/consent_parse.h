/*
 * Consent records as JSON (docs/consent.md, "Record format"): the strict
 * parser for one record and for JSON Lines imports, and the encoder that
 * writes a record back in the one documented form (fixed key order,
 * compact), so that export | import | export is byte-identical.
 */
#pragma once

#include <stddef.h>

#include <jansson.h>

#include "mediation/consent/consent_record.h"

#define SL_CONSENT_LINE_MAX 32768 /* bytes in one JSON record (one import line); a full history fits */

/* Where and why a record was refused. */
struct sl_consent_perr {
	unsigned line;	 /* 1-based line of an import; 0 for a single document */
	char field[32];	 /* JSON field name ("" when the JSON itself is malformed) */
	char why[192];	 /* reason, never the subject identity */
};

/*
 * Parses one JSON record from len bytes (not NUL-terminated) into *out;
 * out->history becomes a talloc child of ctx. Unknown or duplicate keys,
 * wrong types, out-of-range values and strings over their bound are all
 * refused. 0, or -EINVAL with *err (line 0) filled.
 */
int sl_consent_parse(void *ctx, const char *buf, size_t len, struct sl_consent_record *out,
		     struct sl_consent_perr *err);

/*
 * Calls cb for each record of a JSON Lines buffer, in order. Empty lines
 * are skipped; a line over SL_CONSENT_LINE_MAX bytes is refused. The
 * record (and its history) lives until cb returns. Stops at the first bad
 * line or at the first cb result < 0 (cb may fill err->field and err->why;
 * err->line is set here). Returns the number of records, or -errno.
 */
typedef int (*sl_consent_import_cb)(void *data, const struct sl_consent_record *r, struct sl_consent_perr *err);
long sl_consent_import_buf(void *ctx, const char *buf, size_t len, sl_consent_import_cb cb, void *data,
			   struct sl_consent_perr *err);

/* The record as a new JSON object (keys in documented order), or NULL on allocation failure. */
json_t *sl_consent_to_json(const struct sl_consent_record *r);
/* The record as one compact line without newline (talloc on ctx), or NULL. */
char *sl_consent_encode(void *ctx, const struct sl_consent_record *r);
