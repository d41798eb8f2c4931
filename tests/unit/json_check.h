/*
 * A strict RFC 8259 reader for tests of code that writes JSON lines.
 *
 * json_parse() accepts exactly one JSON value (with white space around
 * it, such as a line's newline) and nothing else: no trailing commas, no
 * leading zeros, no raw control characters in strings, no invalid UTF-8
 * (overlong forms, surrogates, code points over U+10FFFF, cut sequences),
 * no duplicate keys. While reading it flattens the document into a list
 * of paths and values ("from.ids[0].value" -> "\"sip:a@b\""), so a test
 * can check every field a writer produced, and the order of the keys of
 * an object, without a JSON library. json_unescape() undoes the writers'
 * string escaping with \u0080..\u00ff read back as single bytes, which
 * is how sluice writes bytes that are not UTF-8: a writer that is
 * lossless in that sense round-trips any byte string. Static functions
 * in a header so each test stays one translation unit; include after
 * cmocka.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define JC_MAX_FIELDS 512
#define JC_PATH 160
#define JC_DEPTH 32

/* One value of the document: its path, kind and the text it spans in the input. */
struct jc_field {
	char path[JC_PATH];	/* "" for the top value, "a.b", "a[0]" */
	char kind;		/* 'o' object, 'a' array, 's' string, 'n' number, 't' 'f' booleans, 'z' null */
	const char *v;		/* text of the value in the input (strings with their quotes) */
	size_t n;
	unsigned depth;		/* 0 for the top value */
};

struct jc_doc {
	unsigned n;
	struct jc_field f[JC_MAX_FIELDS];
	char err[96];
};

struct jc_rd {
	const unsigned char *p;
	size_t len, pos;
	struct jc_doc *d;
};

static inline bool jc_fail(struct jc_rd *r, const char *why)
{
	if (!r->d->err[0])
		snprintf(r->d->err, sizeof(r->d->err), "offset %zu: %s", r->pos, why);
	return false;
}

static inline void jc_ws(struct jc_rd *r)
{
	while (r->pos < r->len && (r->p[r->pos] == ' ' || r->p[r->pos] == '\t' || r->p[r->pos] == '\n' ||
				   r->p[r->pos] == '\r'))
		r->pos++;
}

/* Length of a valid UTF-8 sequence (RFC 3629) at p, or 0. */
static inline size_t jc_utf8(const unsigned char *p, size_t left)
{
	unsigned n, i;
	uint32_t cp, min;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, cp = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static inline int jc_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline bool jc_string(struct jc_rd *r)
{
	if (r->pos >= r->len || r->p[r->pos] != '"')
		return jc_fail(r, "string expected");
	r->pos++;
	while (r->pos < r->len) {
		unsigned char c = r->p[r->pos];
		size_t n;

		if (c == '"') {
			r->pos++;
			return true;
		}
		if (c < 0x20)
			return jc_fail(r, "raw control character in a string");
		if (c == '\\') {
			if (r->pos + 1 >= r->len)
				return jc_fail(r, "cut escape");
			c = r->p[r->pos + 1];
			if (c == 'u') {
				unsigned i;

				if (r->pos + 6 > r->len)
					return jc_fail(r, "cut \\u escape");
				for (i = 2; i < 6; i++)
					if (jc_hex(r->p[r->pos + i]) < 0)
						return jc_fail(r, "bad \\u escape");
				r->pos += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || !c)
				return jc_fail(r, "bad escape");
			r->pos += 2;
			continue;
		}
		n = jc_utf8(r->p + r->pos, r->len - r->pos);
		if (!n)
			return jc_fail(r, "invalid UTF-8 in a string");
		r->pos += n;
	}
	return jc_fail(r, "unterminated string");
}

static inline bool jc_digits(struct jc_rd *r)
{
	size_t at = r->pos;

	while (r->pos < r->len && r->p[r->pos] >= '0' && r->p[r->pos] <= '9')
		r->pos++;
	return r->pos > at;
}

static inline bool jc_number(struct jc_rd *r)
{
	if (r->pos < r->len && r->p[r->pos] == '-')
		r->pos++;
	if (r->pos < r->len && r->p[r->pos] == '0') {
		r->pos++;
	} else if (!jc_digits(r)) {
		return jc_fail(r, "bad number");
	}
	if (r->pos < r->len && r->p[r->pos] == '.') {
		r->pos++;
		if (!jc_digits(r))
			return jc_fail(r, "bad fraction");
	}
	if (r->pos < r->len && (r->p[r->pos] == 'e' || r->p[r->pos] == 'E')) {
		r->pos++;
		if (r->pos < r->len && (r->p[r->pos] == '+' || r->p[r->pos] == '-'))
			r->pos++;
		if (!jc_digits(r))
			return jc_fail(r, "bad exponent");
	}
	return true;
}

static inline bool jc_word(struct jc_rd *r, const char *w)
{
	size_t n = strlen(w);

	if (r->len - r->pos < n || memcmp(r->p + r->pos, w, n))
		return jc_fail(r, "unknown literal");
	r->pos += n;
	return true;
}

static inline bool jc_value(struct jc_rd *r, const char *path, unsigned depth);

/* Record a value at path starting now; its length is filled in when it ends. */
static inline struct jc_field *jc_add(struct jc_rd *r, const char *path, unsigned depth)
{
	struct jc_field *f;

	if (r->d->n >= JC_MAX_FIELDS) {
		jc_fail(r, "too many values for the test reader");
		return NULL;
	}
	f = &r->d->f[r->d->n++];
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->v = (const char *)r->p + r->pos;
	f->depth = depth;
	return f;
}

static inline bool jc_object(struct jc_rd *r, const char *path, unsigned depth)
{
	unsigned first = r->d->n;

	r->pos++; /* { */
	jc_ws(r);
	if (r->pos < r->len && r->p[r->pos] == '}') {
		r->pos++;
		return true;
	}
	for (;;) {
		char sub[JC_PATH];
		size_t k = r->pos, klen;
		unsigned i;

		if (!jc_string(r))
			return false;
		klen = r->pos - k - 2;
		if (snprintf(sub, sizeof(sub), "%s%s%.*s", path, *path ? "." : "", (int)klen,
			     (const char *)r->p + k + 1) >= (int)sizeof(sub))
			return jc_fail(r, "path too long for the test reader");
		for (i = first; i < r->d->n; i++)
			if (r->d->f[i].depth == depth + 1 && !strcmp(r->d->f[i].path, sub))
				return jc_fail(r, "duplicate key");
		jc_ws(r);
		if (r->pos >= r->len || r->p[r->pos] != ':')
			return jc_fail(r, "':' expected");
		r->pos++;
		jc_ws(r);
		if (!jc_value(r, sub, depth + 1))
			return false;
		jc_ws(r);
		if (r->pos < r->len && r->p[r->pos] == ',') {
			r->pos++;
			jc_ws(r);
			continue;
		}
		if (r->pos < r->len && r->p[r->pos] == '}') {
			r->pos++;
			return true;
		}
		return jc_fail(r, "',' or '}' expected");
	}
}

static inline bool jc_array(struct jc_rd *r, const char *path, unsigned depth)
{
	unsigned i = 0;

	r->pos++; /* [ */
	jc_ws(r);
	if (r->pos < r->len && r->p[r->pos] == ']') {
		r->pos++;
		return true;
	}
	for (;; i++) {
		char sub[JC_PATH];

		if (snprintf(sub, sizeof(sub), "%s[%u]", path, i) >= (int)sizeof(sub))
			return jc_fail(r, "path too long for the test reader");
		if (!jc_value(r, sub, depth + 1))
			return false;
		jc_ws(r);
		if (r->pos < r->len && r->p[r->pos] == ',') {
			r->pos++;
			jc_ws(r);
			continue;
		}
		if (r->pos < r->len && r->p[r->pos] == ']') {
			r->pos++;
			return true;
		}
		return jc_fail(r, "',' or ']' expected");
	}
}

static inline bool jc_value(struct jc_rd *r, const char *path, unsigned depth)
{
	struct jc_field *f;
	bool ok;

	if (depth >= JC_DEPTH)
		return jc_fail(r, "too deep");
	if (r->pos >= r->len)
		return jc_fail(r, "value expected");
	f = jc_add(r, path, depth);
	if (!f)
		return false;
	switch (r->p[r->pos]) {
	case '{': f->kind = 'o'; ok = jc_object(r, path, depth); break;
	case '[': f->kind = 'a'; ok = jc_array(r, path, depth); break;
	case '"': f->kind = 's'; ok = jc_string(r); break;
	case 't': f->kind = 't'; ok = jc_word(r, "true"); break;
	case 'f': f->kind = 'f'; ok = jc_word(r, "false"); break;
	case 'n': f->kind = 'z'; ok = jc_word(r, "null"); break;
	default: f->kind = 'n'; ok = jc_number(r); break;
	}
	f->n = (size_t)((const char *)r->p + r->pos - f->v);
	return ok;
}

/* Parse p[0..len): one value, white space around it allowed. False with d->err set if it is not JSON. */
static inline bool json_parse(const char *p, size_t len, struct jc_doc *d)
{
	struct jc_rd r = { (const unsigned char *)p, len, 0, d };

	memset(d, 0, sizeof(*d));
	jc_ws(&r);
	if (!jc_value(&r, "", 0))
		return false;
	jc_ws(&r);
	if (r.pos != r.len)
		return jc_fail(&r, "bytes after the value");
	return true;
}

static inline const struct jc_field *jc_get(const struct jc_doc *d, const char *path)
{
	unsigned i;

	for (i = 0; i < d->n; i++)
		if (!strcmp(d->f[i].path, path))
			return &d->f[i];
	return NULL;
}

/* The keys of the object at path, in order, joined by ',' into buf. */
static inline const char *jc_keys(const struct jc_doc *d, const char *path, char *buf, size_t len)
{
	const struct jc_field *o = jc_get(d, path);
	size_t plen = strlen(path), o_ = 0;
	unsigned i;

	buf[0] = '\0';
	if (!o || o->kind != 'o')
		return buf;
	for (i = (unsigned)(o - d->f) + 1; i < d->n && d->f[i].depth > o->depth; i++) {
		const char *k = d->f[i].path + plen + (plen ? 1 : 0);

		if (d->f[i].depth != o->depth + 1)
			continue;
		o_ += (size_t)snprintf(buf + o_, o_ < len ? len - o_ : 0, "%s%s", o_ ? "," : "", k);
	}
	return buf;
}

/*
 * The bytes of a JSON string s[0..n) (with its quotes): escapes undone,
 * \u0000..\u00ff as the single byte, other \u escapes as UTF-8 (the
 * writers under test produce none above U+00FF). Returns the length written to out, or (size_t)-1.
 */
static inline size_t json_unescape(const char *s, size_t n, uint8_t *out, size_t cap)
{
	size_t i = 1, o = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return (size_t)-1;
	n--;
	while (i < n) {
		uint32_t cp;

		if (o + 4 > cap)
			return (size_t)-1;
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case '"': out[o++] = '"'; i += 2; continue;
		case '\\': out[o++] = '\\'; i += 2; continue;
		case '/': out[o++] = '/'; i += 2; continue;
		case 'b': out[o++] = '\b'; i += 2; continue;
		case 'f': out[o++] = '\f'; i += 2; continue;
		case 'n': out[o++] = '\n'; i += 2; continue;
		case 'r': out[o++] = '\r'; i += 2; continue;
		case 't': out[o++] = '\t'; i += 2; continue;
		case 'u': break;
		default: return (size_t)-1;
		}
		cp = (uint32_t)(jc_hex((unsigned char)s[i + 2]) << 12 | jc_hex((unsigned char)s[i + 3]) << 8 |
				jc_hex((unsigned char)s[i + 4]) << 4 | jc_hex((unsigned char)s[i + 5]));
		i += 6;
		if (cp < 0x100) {
			out[o++] = (uint8_t)cp; /* a control character, or a byte that was not UTF-8 */
		} else if (cp < 0x800) {
			out[o++] = (uint8_t)(0xc0 | cp >> 6);
			out[o++] = (uint8_t)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (uint8_t)(0xe0 | cp >> 12);
			out[o++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
			out[o++] = (uint8_t)(0x80 | (cp & 0x3f));
		}
	}
	return o;
}

/* The field at path must exist with exactly the text want (strings with their quotes, escaped). */
#define assert_jfield(doc, path, want)                                                             \
	do {                                                                                        \
		const struct jc_field *f_ = jc_get((doc), (path));                                  \
		const char *w_ = (want);                                                            \
		if (!f_) {                                                                          \
			print_error("no field %s\n", (path));                                       \
			fail();                                                                     \
		} else if (f_->n != strlen(w_) || memcmp(f_->v, w_, f_->n)) {                       \
			print_error("%s: got %.*s, want %s\n", (path), (int)f_->n, f_->v, w_);      \
			fail();                                                                     \
		}                                                                                   \
	} while (0)

/* The text must be one JSON value (and a newline); on failure print why and the text. */
#define assert_json(doc, p, n)                                                                     \
	do {                                                                                        \
		if (!json_parse((p), (n), (doc))) {                                                 \
			print_error("not JSON (%s): %.*s\n", (doc)->err, (int)(n), (p));           \
			fail();                                                                     \
		}                                                                                   \
	} while (0)
