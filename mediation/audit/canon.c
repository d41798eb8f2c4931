/*
 * Canonical record scanner (see canon.h for the rules and why). A cursor
 * over the bytes; every getter checks what is left before it reads.
 */
#include "mediation/audit/canon.h"

#include <string.h>

#define MAX_DEPTH 16
#define MAX_KEY 64

struct cur {
	const uint8_t *base, *p;
	size_t left;
	enum sl_audit_canon_err err;
	const uint8_t *err_at;
};

static const char *const err_names[_SL_CANON_ERR_COUNT] = {
	[SL_CANON_OK] = "ok",
	[SL_CANON_TRUNCATED] = "truncated",
	[SL_CANON_SYNTAX] = "syntax",
	[SL_CANON_NOT_OBJECT] = "not_object",
	[SL_CANON_TRAILING] = "trailing",
	[SL_CANON_KEY] = "key",
	[SL_CANON_KEY_ORDER] = "key_order",
	[SL_CANON_NUMBER] = "number",
	[SL_CANON_STRING] = "string",
	[SL_CANON_DEPTH] = "depth",
};

const char *sl_audit_canon_err_name(enum sl_audit_canon_err e)
{
	return (unsigned)e < _SL_CANON_ERR_COUNT ? err_names[e] : "unknown";
}

static bool fail(struct cur *c, enum sl_audit_canon_err e)
{
	if (c->err == SL_CANON_OK) {
		c->err = e;
		c->err_at = c->p;
	}
	return false;
}

static bool peek(struct cur *c, uint8_t *b)
{
	if (c->left < 1)
		return fail(c, SL_CANON_TRUNCATED);
	*b = c->p[0];
	return true;
}

static void skip(struct cur *c, size_t n)
{
	c->p += n;
	c->left -= n;
}

static bool expect(struct cur *c, uint8_t want)
{
	uint8_t b;

	if (!peek(c, &b))
		return false;
	if (b != want)
		return fail(c, SL_CANON_SYNTAX);
	skip(c, 1);
	return true;
}

static bool literal(struct cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if (c->left < n) {
		if (memcmp(c->p, lit, c->left) == 0)
			return fail(c, SL_CANON_TRUNCATED);
		return fail(c, SL_CANON_SYNTAX);
	}
	if (memcmp(c->p, lit, n) != 0)
		return fail(c, SL_CANON_SYNTAX);
	skip(c, n);
	return true;
}

static int hexval_upper(uint8_t b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

/* Four uppercase hex digits after "\u" (cursor at the backslash). */
static bool u_escape(struct cur *c, unsigned *cp)
{
	unsigned i, v = 0;
	int d;

	if ((c->left >= 1 && c->p[0] != '\\') || (c->left >= 2 && c->p[1] != 'u'))
		return fail(c, SL_CANON_STRING);
	if (c->left < 6)
		return fail(c, SL_CANON_TRUNCATED);
	for (i = 0; i < 4; i++) {
		d = hexval_upper(c->p[2 + i]);
		if (d < 0)
			return fail(c, SL_CANON_STRING);
		v = v << 4 | (unsigned)d;
	}
	*cp = v;
	return true;
}

static bool string(struct cur *c)
{
	uint8_t b;
	unsigned cp, lo;

	if (!expect(c, '"'))
		return false;
	for (;;) {
		if (!peek(c, &b))
			return false;
		if (b == '"') {
			skip(c, 1);
			return true;
		}
		if (b < 0x20 || b > 0x7f)
			return fail(c, SL_CANON_STRING);
		if (b != '\\') {
			skip(c, 1);
			continue;
		}
		if (c->left < 2)
			return fail(c, SL_CANON_TRUNCATED);
		switch (c->p[1]) {
		case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
			skip(c, 2);
			continue;
		case 'u':
			break;
		default:
			return fail(c, SL_CANON_STRING);
		}
		if (!u_escape(c, &cp))
			return false;
		/* Only what jansson would not write literally or with a short escape. */
		if (cp == 0 || cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t' ||
		    (cp >= 0x20 && cp <= 0x7f) || (cp >= 0xdc00 && cp <= 0xdfff))
			return fail(c, SL_CANON_STRING);
		skip(c, 6);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (!u_escape(c, &lo))
				return false;
			if (lo < 0xdc00 || lo > 0xdfff)
				return fail(c, SL_CANON_STRING);
			skip(c, 6);
		}
	}
}

static bool number(struct cur *c)
{
	bool neg = false;
	uint64_t v = 0, lim;
	uint8_t b;
	size_t digits = 0;

	if (!peek(c, &b))
		return false;
	if (b == '-') {
		neg = true;
		skip(c, 1);
		if (!peek(c, &b))
			return false;
	}
	if (b < '0' || b > '9')
		return fail(c, SL_CANON_SYNTAX);
	if (b == '0') {
		if (neg)
			return fail(c, SL_CANON_NUMBER); /* "-0" encodes 0 a second way */
		skip(c, 1);
		digits = 1;
	} else {
		lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		while (c->left && c->p[0] >= '0' && c->p[0] <= '9') {
			unsigned d = c->p[0] - '0';

			if (v > (lim - d) / 10)
				return fail(c, SL_CANON_NUMBER);
			v = v * 10 + d;
			skip(c, 1);
			digits++;
		}
	}
	if (c->left && (c->p[0] == '.' || c->p[0] == 'e' || c->p[0] == 'E' || (c->p[0] >= '0' && c->p[0] <= '9')))
		return fail(c, SL_CANON_NUMBER);
	return digits > 0;
}

static bool value(struct cur *c, unsigned depth, sl_audit_member_fn fn, void *arg);

static bool key(struct cur *c, const uint8_t **k, size_t *kn)
{
	size_t n = 0;

	if (!expect(c, '"'))
		return false;
	*k = c->p;
	while (c->left && c->p[0] != '"') {
		uint8_t b = c->p[0];

		if (!((b >= 'a' && b <= 'z') || (n > 0 && ((b >= '0' && b <= '9') || b == '_'))) || n >= MAX_KEY)
			return fail(c, SL_CANON_KEY);
		skip(c, 1);
		n++;
	}
	if (!c->left)
		return fail(c, SL_CANON_TRUNCATED);
	if (n == 0)
		return fail(c, SL_CANON_KEY);
	*kn = n;
	skip(c, 1);
	return true;
}

/* strcmp order of two keys given with lengths. */
static int key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);

	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

static bool object(struct cur *c, unsigned depth, sl_audit_member_fn fn, void *arg)
{
	const uint8_t *prev = NULL, *k, *v;
	size_t prevn = 0, kn;
	uint8_t b;

	if (depth > MAX_DEPTH)
		return fail(c, SL_CANON_DEPTH);
	if (!expect(c, '{') || !peek(c, &b))
		return false;
	if (b == '}') {
		skip(c, 1);
		return true;
	}
	for (;;) {
		const uint8_t *key_at = c->p;

		if (!key(c, &k, &kn))
			return false;
		if (prev && key_cmp(prev, prevn, k, kn) >= 0) {
			size_t back = (size_t)(c->p - key_at);

			c->p = key_at; /* point at the key, not past it */
			c->left += back;
			return fail(c, SL_CANON_KEY_ORDER);
		}
		prev = k;
		prevn = kn;
		if (!expect(c, ':'))
			return false;
		v = c->p;
		if (!value(c, depth + 1, NULL, NULL))
			return false;
		if (fn)
			fn(arg, (const char *)k, kn, v, (size_t)(c->p - v));
		if (!peek(c, &b))
			return false;
		skip(c, 1);
		if (b == '}')
			return true;
		if (b != ',') {
			c->p--;
			c->left++;
			return fail(c, SL_CANON_SYNTAX);
		}
	}
}

static bool array(struct cur *c, unsigned depth)
{
	uint8_t b;

	if (depth > MAX_DEPTH)
		return fail(c, SL_CANON_DEPTH);
	if (!expect(c, '[') || !peek(c, &b))
		return false;
	if (b == ']') {
		skip(c, 1);
		return true;
	}
	for (;;) {
		if (!value(c, depth + 1, NULL, NULL) || !peek(c, &b))
			return false;
		skip(c, 1);
		if (b == ']')
			return true;
		if (b != ',') {
			c->p--;
			c->left++;
			return fail(c, SL_CANON_SYNTAX);
		}
	}
}

static bool value(struct cur *c, unsigned depth, sl_audit_member_fn fn, void *arg)
{
	uint8_t b;

	if (!peek(c, &b))
		return false;
	switch (b) {
	case '{':
		return object(c, depth, fn, arg);
	case '[':
		return array(c, depth);
	case '"':
		return string(c);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		if (b == '-' || (b >= '0' && b <= '9'))
			return number(c);
		return fail(c, SL_CANON_SYNTAX);
	}
}

enum sl_audit_canon_err sl_audit_canon_check(const uint8_t *p, size_t len, size_t *err_off, sl_audit_member_fn fn,
					     void *arg)
{
	struct cur c = { .base = p, .p = p, .left = len, .err = SL_CANON_OK };

	if (len == 0 || p[0] != '{') {
		*err_off = 0;
		return len == 0 ? SL_CANON_TRUNCATED : SL_CANON_NOT_OBJECT;
	}
	if (!object(&c, 1, fn, arg)) {
		*err_off = (size_t)(c.err_at - p);
		return c.err;
	}
	if (c.left) {
		*err_off = (size_t)(c.p - p);
		return SL_CANON_TRAILING;
	}
	return SL_CANON_OK;
}

bool sl_audit_canon_int(const uint8_t *p, size_t n, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return false;
	if (p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i >= n || n - i > 19)
		return false;
	for (; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

bool sl_audit_canon_plain_str(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i;

	if (n < 2 || p[0] != '"' || p[n - 1] != '"' || n - 2 >= cap)
		return false;
	for (i = 1; i < n - 1; i++)
		if (p[i] == '\\')
			return false;
	memcpy(out, p + 1, n - 2);
	out[n - 2] = '\0';
	return true;
}
