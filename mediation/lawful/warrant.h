/*
 * Warrant documents: what an authority signs to make sluice intercept, and
 * what it signs to end that.
 *
 * A warrant names one LIID, the authority that issues it, a version (a
 * later version of the same LIID supersedes an earlier one), the targets
 * as typed identities or IP addresses and prefixes, a validity window in
 * UTC, the scope (IRI only, or IRI and content; the services covered) and
 * the destination, a receiver of that authority's. A revocation names a
 * LIID, its issuing authority and the highest version it ends. Both are
 * JSON documents (docs/warrants.md gives the schema and examples) inside a
 * CMS signature (warrant_cms.h); this file is only the document: parsed
 * with jansson, checked field by field, targets normalised exactly as
 * capture normalises the identities it sees, so a target and an event's
 * identity compare as plain strings.
 *
 * Parsing never trusts the document: unknown fields, wrong types, values
 * out of range, duplicate keys and trailing data are refused, and the
 * message says which field ("targets[2].value: ...") and why. Messages
 * never quote a target's value: refusals are logged and audited, and a
 * log must not say who is targeted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/addr.h"
#include "capture/identity.h"
#include "mediation/lawful/intercept.h"

#define SL_WARRANT_MAX_BYTES (256 * 1024)	/* a warrant document (JSON), before signing */
#define SL_AUTHORITY_NAME_MAX 32
#define SL_CASE_REF_MAX 128
#define SL_REASON_MAX 256

enum sl_warrant_doc_type { SL_DOC_WARRANT, SL_DOC_REVOCATION };

/* The document fields that are not the interception itself. */
struct sl_warrant_meta {
	enum sl_warrant_doc_type type;
	char liid[SL_LIID_MAX + 1];
	uint32_t version;
	char authority[SL_AUTHORITY_NAME_MAX + 1];
	char country[3];			/* ISO 3166-1 alpha-2 */
	uint64_t issued_us;
	char case_ref[SL_CASE_REF_MAX + 1];	/* warrants only */
	char reason[SL_REASON_MAX + 1];		/* revocations only */
};

/*
 * Parse and check a document. For a warrant, *ic receives the
 * interception (targets normalised with the numbering rules n); for a
 * revocation ic is left untouched. 0, or -EINVAL with "field: why" in err.
 */
int sl_warrant_parse(const void *json, size_t len, const struct sl_numbering *n, struct sl_warrant_meta *meta,
		     struct sl_intercept *ic, char *err, size_t errlen);

/* RFC 3339 UTC ("2026-12-03T10:00:00Z", optional fraction) to microseconds since 1970; false if not one. */
bool sl_warrant_parse_time(const char *s, uint64_t *us);
/* Microseconds since 1970 as RFC 3339 UTC with seconds ("2026-12-03T10:00:00Z"). */
const char *sl_warrant_fmt_time(char *buf, size_t len, uint64_t us);
/* Is s usable as a LIID (1..25 visible ASCII characters, no '/' or '\', not starting with '.')? */
bool sl_liid_valid(const char *s);
