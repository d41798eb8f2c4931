/*
 * The canonical encoder: writes a jansson value in the canonical form of
 * canon.h directly into a growing buffer, without jansson's dump (which
 * sorts through a temporary key array and writes through a callback per
 * token). Producing the record this way halves the cost of an append;
 * test_audit_canon holds it to json_dumps(COMPACT | SORT_KEYS |
 * ENSURE_ASCII) byte for byte, and the writer still runs the scanner over
 * every record it produces.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sl_audit_buf {
	void *ctx;	/* talloc parent of p */
	uint8_t *p;
	size_t len, cap;
	bool failed;	/* allocation failed, or a value has no canonical form */
};

void sl_audit_buf_put(struct sl_audit_buf *b, const void *p, size_t n);
void sl_audit_buf_puts(struct sl_audit_buf *b, const char *s);
void sl_audit_buf_int(struct sl_audit_buf *b, int64_t v);
/* A string value (UTF-8 bytes) in canonical spelling, with its quotes. */
void sl_audit_buf_str(struct sl_audit_buf *b, const char *s, size_t n);
/* Any value; objects with sorted keys; fails on reals and keys outside [a-z][a-z0-9_]*. */
void sl_audit_buf_json(struct sl_audit_buf *b, const json_t *v, unsigned depth);
