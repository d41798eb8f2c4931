/* Canonical JSON writer (see canon_encode.h; the rules are in canon.h). */
#include "mediation/audit/canon_encode.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#define MAX_DEPTH 16
#define MAX_KEYS 64

void sl_audit_buf_put(struct sl_audit_buf *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *q;

		while (cap < b->len + n)
			cap *= 2;
		q = talloc_realloc_size(b->ctx, b->p, cap);
		if (!q) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void sl_audit_buf_puts(struct sl_audit_buf *b, const char *s)
{
	sl_audit_buf_put(b, s, strlen(s));
}

void sl_audit_buf_int(struct sl_audit_buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	sl_audit_buf_put(b, tmp, (size_t)n);
}

static void put_u(struct sl_audit_buf *b, unsigned cp)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[6] = { '\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15], hex[(cp >> 4) & 15], hex[cp & 15] };

	sl_audit_buf_put(b, e, sizeof(e));
}

/* One UTF-8 sequence at s (n bytes left): its code point and length, or 0 if invalid. */
static size_t utf8_one(const uint8_t *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], need, v, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n - 1 < need)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if ((need == 2 && v < 0x800) || (need == 3 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need + 1;
}

void sl_audit_buf_str(struct sl_audit_buf *b, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, run = 0, k;
	unsigned cp;

	sl_audit_buf_put(b, "\"", 1);
	while (i < n) {
		/* Plain bytes go out in runs. */
		if (s[i] >= 0x20 && s[i] <= 0x7f && s[i] != '"' && s[i] != '\\') {
			run++;
			i++;
			continue;
		}
		sl_audit_buf_put(b, s + i - run, run);
		run = 0;
		k = utf8_one(s + i, n - i, &cp);
		if (k == 0 || cp == 0) {
			b->failed = true; /* not UTF-8, or NUL: no canonical form */
			return;
		}
		i += k;
		switch (cp) {
		case '"': sl_audit_buf_put(b, "\\\"", 2); break;
		case '\\': sl_audit_buf_put(b, "\\\\", 2); break;
		case '\b': sl_audit_buf_put(b, "\\b", 2); break;
		case '\f': sl_audit_buf_put(b, "\\f", 2); break;
		case '\n': sl_audit_buf_put(b, "\\n", 2); break;
		case '\r': sl_audit_buf_put(b, "\\r", 2); break;
		case '\t': sl_audit_buf_put(b, "\\t", 2); break;
		default:
			if (cp > 0xffff) {
				cp -= 0x10000;
				put_u(b, 0xd800 | (cp >> 10));
				put_u(b, 0xdc00 | (cp & 0x3ff));
			} else {
				put_u(b, cp);
			}
		}
	}
	sl_audit_buf_put(b, s + i - run, run);
	sl_audit_buf_put(b, "\"", 1);
}

static bool key_ok(const char *k)
{
	size_t i, n = strlen(k);

	if (n == 0 || n > 64 || k[0] < 'a' || k[0] > 'z')
		return false;
	for (i = 1; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

void sl_audit_buf_json(struct sl_audit_buf *b, const json_t *v, unsigned depth)
{
	const char *keys[MAX_KEYS], *k;
	json_t *x;
	size_t n = 0, i, j;

	if (b->failed)
		return;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (depth > MAX_DEPTH || json_object_size(v) > MAX_KEYS) {
			b->failed = true;
			return;
		}
		json_object_foreach((json_t *)v, k, x) {
			if (!key_ok(k)) {
				b->failed = true;
				return;
			}
			/* insertion sort: objects here have a handful of keys */
			for (i = n; i > 0 && strcmp(keys[i - 1], k) > 0; i--)
				keys[i] = keys[i - 1];
			keys[i] = k;
			n++;
		}
		sl_audit_buf_put(b, "{", 1);
		for (j = 0; j < n; j++) {
			if (j)
				sl_audit_buf_put(b, ",", 1);
			sl_audit_buf_str(b, keys[j], strlen(keys[j]));
			sl_audit_buf_put(b, ":", 1);
			sl_audit_buf_json(b, json_object_get(v, keys[j]), depth + 1);
		}
		sl_audit_buf_put(b, "}", 1);
		break;
	case JSON_ARRAY:
		if (depth > MAX_DEPTH) {
			b->failed = true;
			return;
		}
		sl_audit_buf_put(b, "[", 1);
		for (j = 0; j < json_array_size(v); j++) {
			if (j)
				sl_audit_buf_put(b, ",", 1);
			sl_audit_buf_json(b, json_array_get(v, j), depth + 1);
		}
		sl_audit_buf_put(b, "]", 1);
		break;
	case JSON_STRING:
		sl_audit_buf_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sl_audit_buf_int(b, (int64_t)json_integer_value(v));
		break;
	case JSON_TRUE:
		sl_audit_buf_put(b, "true", 4);
		break;
	case JSON_FALSE:
		sl_audit_buf_put(b, "false", 5);
		break;
	case JSON_NULL:
		sl_audit_buf_put(b, "null", 4);
		break;
	default:
		b->failed = true; /* reals have no canonical form here */
	}
}
