/*
 * The canonical form of an audit record, checked without building a tree.
 *
 * A record is one JSON object in exactly the bytes jansson writes with
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII, restricted further so
 * that a verifier in any language can check it with a small scanner
 * (docs/audit.md, "Canonical encoding"): no whitespace; object keys match
 * [a-z][a-z0-9_]{0,63} and are strictly ascending (so never duplicated);
 * integers only, -?(0|[1-9][0-9]*) within int64, no "-0"; strings hold
 * 0x20-0x7E literally except '"' and '\', which are \" and \\; \b \f \n
 * \r \t for those controls, \u00XX (uppercase hex) for the other controls
 * except NUL, which is refused; \uXXXX (uppercase) for every code point
 * above 0x7F, surrogate pairs above 0xFFFF; nesting at most 16 deep.
 * Every byte string has at most one canonical spelling, which is what
 * makes "re-encode and compare" unnecessary on the hot path: the unit and
 * fuzz tests hold this scanner to jansson's re-encoding.
 *
 * The scanner reports the top-level members so the caller can pick out
 * seq, time, kind without parsing anything else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_audit_canon_err {
	SL_CANON_OK = 0,
	SL_CANON_TRUNCATED,	/* input ends inside a value */
	SL_CANON_SYNTAX,	/* not JSON, or JSON outside the subset (floats, bad literal) */
	SL_CANON_NOT_OBJECT,	/* top level is not an object */
	SL_CANON_TRAILING,	/* bytes after the object */
	SL_CANON_KEY,		/* key outside [a-z][a-z0-9_]{0,63} */
	SL_CANON_KEY_ORDER,	/* keys not strictly ascending (unsorted or duplicate) */
	SL_CANON_NUMBER,	/* leading zero, -0, fraction, exponent, out of int64 */
	SL_CANON_STRING,	/* a byte or escape that is not the canonical spelling */
	SL_CANON_DEPTH,		/* nested deeper than 16 */
	_SL_CANON_ERR_COUNT
};

/* Stable name of an error ("truncated", "key_order", ...). */
const char *sl_audit_canon_err_name(enum sl_audit_canon_err e);

/* One top-level member: key (not NUL-terminated) and the bytes of its value. */
typedef void (*sl_audit_member_fn)(void *arg, const char *key, size_t klen, const uint8_t *val, size_t vlen);

/*
 * Checks that p[0..len) is exactly one canonical object. On failure
 * returns the error and sets *err_off to the offset of the offending byte.
 * fn (may be NULL) sees each top-level member, also before a later error.
 */
enum sl_audit_canon_err sl_audit_canon_check(const uint8_t *p, size_t len, size_t *err_off, sl_audit_member_fn fn,
					     void *arg);

/* A canonical integer value's bytes as int64 (false if not an integer). */
bool sl_audit_canon_int(const uint8_t *p, size_t n, int64_t *out);
/* A canonical string value without escapes, copied NUL-terminated (false if escaped, not a string or too long). */
bool sl_audit_canon_plain_str(const uint8_t *p, size_t n, char *out, size_t cap);
