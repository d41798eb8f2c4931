/*
 * Tree printer for unknown BER: a sl_ber_walk() callback that renders one
 * line per TLV into a FILE * or a caller's buffer.
 *
 * Values of universal types go through the same typed getters a real
 * decoder uses, so what the dump shows as valid is what the decoder
 * accepts; a getter's failure is shown inline ("<invalid: ...>") without
 * stopping the walk, and the session's error record is restored after it
 * so that only framing errors, which do stop the walk, remain in d->err.
 */
#include "asn1/ber_dump.h"

#include <stdarg.h>
#include <string.h>

/* Either a FILE or a buffer filled with snprintf semantics. */
struct sink {
	FILE *f;
	char *buf;
	size_t cap, len;
};

static void out_raw(struct sink *s, const char *p, size_t n)
{
	if (s->f) {
		fwrite(p, 1, n, s->f);
	} else if (s->len < s->cap) {
		size_t room = s->cap - s->len - 1; /* keep the NUL */
		size_t c = n < room ? n : room;

		memcpy(s->buf + s->len, p, c);
		s->buf[s->len + c] = '\0';
	}
	s->len += n;
}

static void out(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct sink *s, const char *fmt, ...)
{
	char tmp[160];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	out_raw(s, tmp, (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1);
}

struct dump {
	struct sink *s;
	struct sl_ber_dump_opts o;
};

void sl_ber_dump_defaults(struct sl_ber_dump_opts *o)
{
	o->indent = 2;
	o->depth0 = 0;
	o->max_bytes = 32;
	o->offsets = true;
	o->prefix = "";
}

static size_t shown(const struct dump *x, size_t n)
{
	return n < x->o.max_bytes ? n : x->o.max_bytes;
}

static void hex(struct dump *x, const uint8_t *p, size_t n)
{
	size_t i, k = shown(x, n);
	char tmp[4];

	for (i = 0; i < k; i++) {
		snprintf(tmp, sizeof(tmp), " %02x", p[i]);
		out_raw(x->s, tmp, 3);
	}
	if (k < n)
		out(x->s, " ...(+%zu)", n - k);
}

static bool printable(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			return false;
	return n > 0;
}

/* Quoted, with anything outside printable ASCII (and " and \) escaped. */
static void quoted(struct dump *x, const uint8_t *p, size_t n)
{
	size_t i, k = shown(x, n);
	char tmp[5];

	out_raw(x->s, " \"", 2);
	for (i = 0; i < k; i++) {
		uint8_t c = p[i];

		if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\') {
			tmp[0] = (char)c;
			out_raw(x->s, tmp, 1);
		} else {
			snprintf(tmp, sizeof(tmp), "\\x%02x", c);
			out_raw(x->s, tmp, 4);
		}
	}
	out_raw(x->s, "\"", 1);
	if (k < n)
		out(x->s, "...(+%zu)", n - k);
}

static void bytes(struct dump *x, const uint8_t *p, size_t n)
{
	hex(x, p, n);
	if (printable(p, n))
		quoted(x, p, n);
}

/* Render a universal value with its getter; false if the getter refused it. */
static bool universal_value(struct dump *x, struct sl_ber_dec *d, const struct sl_ber_tlv *t)
{
	char text[256];
	const uint8_t *bp;
	const char *sp;
	size_t n;
	unsigned unused;
	int64_t i;
	bool b;
	struct sl_ber_time tm;

	switch (t->tag) {
	case SL_BER_TAG_BOOLEAN:
		if (sl_ber_get_bool(d, t, &b))
			return false;
		out(x->s, " %s", b ? "TRUE" : "FALSE");
		return true;
	case SL_BER_TAG_INTEGER:
	case SL_BER_TAG_ENUMERATED:
		switch (sl_ber_get_int64(d, t, &i)) {
		case SL_BER_OK:
			out(x->s, " %lld", (long long)i);
			return true;
		case SL_BER_E_LIMIT: /* wider than 64 bits: valid, show the octets */
			hex(x, t->val, t->len);
			return true;
		default:
			return false;
		}
	case SL_BER_TAG_NULL:
		return sl_ber_get_null(d, t) == SL_BER_OK;
	case SL_BER_TAG_OID:
		switch (sl_ber_get_oid_text(d, t, text, sizeof(text))) {
		case SL_BER_OK:
			out(x->s, " %s", text);
			return true;
		case SL_BER_E_LIMIT: /* huge arcs or very long: valid BER, show the octets */
			hex(x, t->val, t->len);
			return true;
		default:
			return false;
		}
	case SL_BER_TAG_BIT_STRING:
		if (sl_ber_get_bitstring(d, t, &bp, &n, &unused))
			return false;
		out(x->s, " unused=%u", unused);
		hex(x, bp, n);
		return true;
	case SL_BER_TAG_UTF8_STRING:
	case SL_BER_TAG_PRINTABLE_STRING:
	case SL_BER_TAG_NUMERIC_STRING:
	case SL_BER_TAG_IA5_STRING:
	case SL_BER_TAG_VISIBLE_STRING:
		if (sl_ber_get_text(d, t, t->tag, &sp, &n))
			return false;
		quoted(x, (const uint8_t *)sp, n);
		return true;
	case SL_BER_TAG_UTC_TIME:
	case SL_BER_TAG_GENERALIZED_TIME:
		if ((t->tag == SL_BER_TAG_UTC_TIME ? sl_ber_get_utc_time(d, t, &tm)
						   : sl_ber_get_generalized_time(d, t, &tm)))
			return false;
		quoted(x, t->val, t->len);
		return true;
	default:
		bytes(x, t->val, t->len);
		return true;
	}
}

static void value(struct dump *x, struct sl_ber_dec *d, const struct sl_ber_tlv *t)
{
	struct sl_ber_error saved = d->err;

	if (t->cls != SL_BER_UNIVERSAL) {
		bytes(x, t->val, t->len);
		return;
	}
	if (!universal_value(x, d, t)) {
		out(x->s, " <invalid: %s>", d->err.msg);
		hex(x, t->val, t->len);
	}
	d->err = saved;
}

static enum sl_ber_walk_ret visit(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				  unsigned depth, size_t offset)
{
	struct dump *x = arg;
	char name[48];
	size_t width = (size_t)(x->o.depth0 + depth) * x->o.indent;

	if (x->o.offsets)
		out(x->s, "0x%04zx ", offset);
	out_raw(x->s, x->o.prefix, strlen(x->o.prefix));
	out(x->s, "%*s", (int)(width > 120 ? 120 : width), "");
	sl_ber_tag_name(t->cls, t->tag, name, sizeof(name));
	out(x->s, "%s", name);
	if (t->constructed && t->cls != SL_BER_UNIVERSAL)
		out(x->s, " cons");
	if (t->indefinite)
		out(x->s, " (indefinite, %zu)", t->len);
	else
		out(x->s, " (%zu)", t->len);
	if (!t->constructed)
		value(x, d, t);
	out_raw(x->s, "\n", 1);
	return SL_BER_WALK_DESCEND;
}

static enum sl_ber_err dump(struct sl_ber_dec *d, struct sl_ber_cur c, struct sink *s,
			    const struct sl_ber_dump_opts *o)
{
	struct dump x = { .s = s };
	char msg[160];
	enum sl_ber_err e;

	if (o)
		x.o = *o;
	else
		sl_ber_dump_defaults(&x.o);
	if (!x.o.prefix)
		x.o.prefix = "";
	e = sl_ber_walk(d, c, visit, &x);
	if (e) {
		sl_ber_error_format(&d->err, msg, sizeof(msg));
		out_raw(s, x.o.prefix, strlen(x.o.prefix));
		out(s, "!! %s\n", msg);
	}
	return e;
}

enum sl_ber_err sl_ber_dump_file(struct sl_ber_dec *d, struct sl_ber_cur c, FILE *f,
				 const struct sl_ber_dump_opts *o)
{
	struct sink s = { .f = f };

	return dump(d, c, &s, o);
}

size_t sl_ber_dump_buf(struct sl_ber_dec *d, struct sl_ber_cur c, char *buf, size_t cap,
		       const struct sl_ber_dump_opts *o, enum sl_ber_err *err)
{
	struct sink s = { .buf = buf, .cap = cap };
	enum sl_ber_err e;

	if (cap > 0)
		buf[0] = '\0';
	e = dump(d, c, &s, o);
	if (err)
		*err = e;
	return s.len;
}
