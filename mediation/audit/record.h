/*
 * Audit records: the catalogue of record kinds with their fields, and the
 * encoder that turns (seq, time, kind, actor, fields) into the canonical
 * bytes that become a leaf of the tree (docs/audit.md, "Records").
 *
 * A record is the JSON object
 *   {"actor":{"id":..,"type":..},"fields":{..},"kind":..,"seq":..,"time":..}
 * with time in integer microseconds since 1970-01-01T00:00:00Z (UTC).
 * The encoder refuses kinds and fields outside the catalogue, and fields
 * of the wrong type, so a caller cannot slip a subscriber identity into a
 * free-form field: identities enter the log only as keyed pseudonyms
 * ("hmac-sha256:<hex>", keys.h) and content only as digests
 * ("sha256:<hex>").
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum sl_audit_ftype {
	SL_AUDIT_FT_STR,	/* a name or code: 1..256 bytes, no control characters */
	SL_AUDIT_FT_TEXT,	/* human text (a reason): 0..1024 bytes, tabs and newlines allowed */
	SL_AUDIT_FT_INT,	/* integer */
	SL_AUDIT_FT_TIME,	/* integer microseconds since the epoch */
	SL_AUDIT_FT_DIGEST,	/* "sha256:" + 64 lowercase hex */
	SL_AUDIT_FT_PSEUDONYM,	/* "hmac-sha256:" + 64 lowercase hex */
	SL_AUDIT_FT_STR_LIST,	/* array of FT_STR, at most 64 */
	SL_AUDIT_FT_BOOL,
	SL_AUDIT_FT_PSEUDONYM_LIST, /* array of FT_PSEUDONYM, at most 1024 */
};

struct sl_audit_field_desc {
	const char *name;
	enum sl_audit_ftype type;
	bool required;
	const char *desc;
};

struct sl_audit_kind_desc {
	const char *kind;
	const char *recorded_by;	/* who writes it today, or which later work will */
	const char *desc;
	const struct sl_audit_field_desc *fields; /* terminated by a NULL name */
};

/* The catalogue, terminated by a NULL kind. */
extern const struct sl_audit_kind_desc sl_audit_kinds[];
const struct sl_audit_kind_desc *sl_audit_kind_find(const char *kind);
const char *sl_audit_ftype_name(enum sl_audit_ftype t);

/* Actor types: who caused what a record describes. */
extern const char *const sl_audit_actor_types[]; /* NULL-terminated */

struct sl_audit_actor {
	const char *type;	/* config, vty, warrant-signer, api, system */
	const char *id;		/* config file, VTY session, signer key id, client name, component */
};

/* Checks fields (a JSON object) against kind's catalogue entry; false and *why. */
bool sl_audit_fields_check(const char *kind, const json_t *fields, const char **why);

/*
 * The canonical bytes of a record (talloc on ctx, *len set; not
 * NUL-terminated for the tree, though one NUL follows for printing), or
 * NULL and *why. fields is borrowed; NULL means {}.
 */
uint8_t *sl_audit_record_encode(void *ctx, uint64_t seq, int64_t time_us, const char *kind,
				const struct sl_audit_actor *actor, const json_t *fields, size_t *len,
				const char **why);

/* Parses record bytes (already canonical-checked) into a new json_t, or NULL. */
json_t *sl_audit_record_parse(const uint8_t *p, size_t len);
