/*
 * A small append-only JSON writer for one output line at a time.
 *
 * Events are rendered into a growable buffer and written with one fwrite,
 * which keeps JSON output cheap (no printf per field) and lines atomic.
 * Strings are escaped per RFC 8259; bytes that are not valid UTF-8 (SIP
 * headers from the wire may contain anything) are written as \u00XX of the
 * byte value so the output always parses.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/str.h"

struct sl_json {
	char *buf;
	size_t len, cap;
	bool need_comma;
	bool failed;	/* memory ran out: the line is incomplete; nothing more is appended until reset */
	void *ctx;
};

void sl_json_init(struct sl_json *j, void *ctx);
void sl_json_reset(struct sl_json *j);
void sl_json_free(struct sl_json *j);

void sl_json_obj_open(struct sl_json *j);
void sl_json_obj_close(struct sl_json *j);
void sl_json_arr_open(struct sl_json *j);
void sl_json_arr_close(struct sl_json *j);
/* Key of the next value inside an object. */
void sl_json_key(struct sl_json *j, const char *key);

void sl_json_str(struct sl_json *j, struct sl_str s);	/* null if s.p == NULL */
void sl_json_cstr(struct sl_json *j, const char *s);	/* null if NULL */
void sl_json_u64(struct sl_json *j, uint64_t v);
void sl_json_i64(struct sl_json *j, int64_t v);
void sl_json_double(struct sl_json *j, double v, int decimals);
void sl_json_bool(struct sl_json *j, bool v);
void sl_json_null(struct sl_json *j);
/* Seconds since the epoch with microseconds: 1700000000.123456 */
void sl_json_ts(struct sl_json *j, uint64_t us);

/* Write the line plus newline; false on a write error or when the line failed (nothing written then). */
bool sl_json_write_line(struct sl_json *j, FILE *out);
