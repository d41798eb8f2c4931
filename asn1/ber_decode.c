/*
 * BER/DER framing: identifier and length octets (X.690 8.1, 10.1), the
 * indefinite form (8.1.3.6) and the error record every decoding function
 * fills in.
 *
 * Reading follows the cursor discipline of capture/cursor.h (which asn1/
 * may not include): every count read from the wire is compared with what
 * is left (`need > left`) before a pointer is formed from it, and a
 * child's region is carved out of its parent's content, so it cannot
 * reach past it. The indefinite form is resolved when its TLV is read: the
 * content is scanned for the matching end-of-contents with a level
 * counter instead of recursion, skipping definite-length inner values
 * whole, so a hostile nesting costs one pass and no stack; the resulting
 * TLV then looks like a definite one whose len excludes the EOC, and the
 * rest of the decoder never sees end-of-contents octets.
 *
 * Framing errors are reported at the offset of the identifier octet of
 * the TLV concerned; content errors at the offending content octet.
 */
#include "asn1/ber_decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sl_ber_dec_init(struct sl_ber_dec *d, const void *buf, size_t len, enum sl_ber_mode mode)
{
	d->base = buf;
	d->size = buf ? len : 0;
	d->mode = mode;
	d->max_depth = SL_BER_DEFAULT_MAX_DEPTH;
	d->max_len = SL_BER_DEFAULT_MAX_LEN;
	memset(&d->err, 0, sizeof(d->err));
}

struct sl_ber_cur sl_ber_dec_root(const struct sl_ber_dec *d)
{
	struct sl_ber_cur c = { .p = d->base, .left = d->size, .depth = 0 };

	return c;
}

static unsigned max_depth(const struct sl_ber_dec *d)
{
	return d->max_depth > SL_BER_MAX_DEPTH_CAP ? SL_BER_MAX_DEPTH_CAP : d->max_depth;
}

static enum sl_ber_err vfail(struct sl_ber_dec *d, enum sl_ber_err code, const uint8_t *at,
			     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static enum sl_ber_err vfail(struct sl_ber_dec *d, enum sl_ber_err code, const uint8_t *at,
			     const char *fmt, va_list ap)
{
	d->err.code = code;
	d->err.offset = at ? sl_ber_offset(d, at) : d->size;
	d->err.need = 0;
	d->err.have = 0;
	vsnprintf(d->err.msg, sizeof(d->err.msg), fmt, ap);
	return code;
}

enum sl_ber_err sl_ber_fail(struct sl_ber_dec *d, enum sl_ber_err code, const uint8_t *at,
			    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(d, code, at, fmt, ap);
	va_end(ap);
	return code;
}

size_t sl_ber_error_format(const struct sl_ber_error *e, char *buf, size_t cap)
{
	int k = snprintf(buf, cap, "offset 0x%zx: %s", e->offset, e->msg);

	return k < 0 ? 0 : (size_t)k;
}

/*
 * A value running past the end of its region. At the top level the input
 * may simply be incomplete (a stream reader can wait for `need` bytes);
 * inside a constructed value the enclosing length was a lie.
 */
static enum sl_ber_err overrun(struct sl_ber_dec *d, bool top, const uint8_t *at, size_t need,
			       size_t have, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static enum sl_ber_err overrun(struct sl_ber_dec *d, bool top, const uint8_t *at, size_t need,
			       size_t have, const char *fmt, ...)
{
	va_list ap;
	size_t k;

	va_start(ap, fmt);
	vfail(d, top ? SL_BER_E_TRUNCATED : SL_BER_E_BAD_LENGTH, at, fmt, ap);
	va_end(ap);
	if (top) {
		d->err.need = need;
		d->err.have = have;
	} else {
		k = strlen(d->err.msg);
		snprintf(d->err.msg + k, sizeof(d->err.msg) - k, " in the enclosing value");
	}
	return d->err.code;
}

/* Identifier and length octets of one TLV. */
struct hdr {
	uint8_t cls;
	bool cons;
	bool indefinite;
	uint32_t tag;
	size_t len;  /* content octets; 0 for the indefinite form */
	size_t hlen; /* identifier + length octets */
};

/* X.690 8.1.2 and 8.1.3; p has `left` readable bytes, left >= 1. */
static enum sl_ber_err read_header(struct sl_ber_dec *d, const uint8_t *p, size_t left, bool top,
				   struct hdr *h)
{
	size_t i = 1;
	uint8_t lb;

	h->cls = p[0] & 0xC0;
	h->cons = (p[0] & 0x20) != 0;
	h->tag = p[0] & 0x1F;
	if (h->tag == 0x1F) {
		uint32_t tag = 0;
		unsigned k = 0;

		for (;;) {
			uint8_t b;

			if (i >= left)
				return overrun(d, top, p, 0, left, "identifier octets cut short");
			b = p[i];
			/* 8.1.2.4.2 c: bits 7-1 of the first subsequent octet are not all zero */
			if (k == 0 && b == 0x80)
				return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, p,
						   "tag number with a leading 0x80 octet");
			if (k == 4)
				return sl_ber_fail(d, SL_BER_E_BAD_TAG, p, "tag number above 2^28-1");
			tag = (tag << 7) | (b & 0x7F);
			i++;
			k++;
			if (!(b & 0x80))
				break;
		}
		/* 8.1.2.2: numbers 0..30 use the single-octet form, in BER too */
		if (tag < 31)
			return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, p,
					   "tag number %u in the high-tag-number form", (unsigned)tag);
		h->tag = tag;
	}
	if (i >= left)
		return overrun(d, top, p, 0, left, "length octets missing");
	lb = p[i++];
	h->indefinite = false;
	if (lb < 0x80) {
		h->len = lb;
	} else if (lb == 0x80) {
		if (!h->cons)
			return sl_ber_fail(d, SL_BER_E_INDEFINITE, p,
					   "indefinite length on a primitive value");
		if (d->mode == SL_BER_MODE_DER)
			return sl_ber_fail(d, SL_BER_E_INDEFINITE, p, "indefinite length in DER");
		h->indefinite = true;
		h->len = 0;
	} else if (lb == 0xFF) {
		return sl_ber_fail(d, SL_BER_E_BAD_LENGTH, p, "reserved length octet 0xFF");
	} else {
		size_t n = lb & 0x7F, k, len = 0;
		const uint8_t *lp;

		if (n > left - i)
			return overrun(d, top, p, 0, left, "%zu length octets but %zu bytes left", n,
				       left - i);
		lp = p + i;
		if (d->mode == SL_BER_MODE_DER && lp[0] == 0)
			return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, p,
					   "length octets with a leading zero");
		for (k = 0; k < n; k++) {
			if (len > (SIZE_MAX >> 8))
				return sl_ber_fail(d, SL_BER_E_BAD_LENGTH, p,
						   "length does not fit in %zu bits",
						   sizeof(size_t) * 8);
			len = (len << 8) | lp[k];
		}
		/* 10.1: DER uses the short form below 128 */
		if (d->mode == SL_BER_MODE_DER && len < 0x80)
			return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, p, "length %zu in the long form",
					   len);
		i += n;
		h->len = len;
	}
	h->hlen = i;
	if (h->len > d->max_len)
		return sl_ber_fail(d, SL_BER_E_BAD_LENGTH, p, "length %zu exceeds the maximum %zu",
				   h->len, d->max_len);
	return SL_BER_OK;
}

/*
 * Form rules for universal types (X.690 8.x): simple types are primitive,
 * structured types constructed, strings either in BER and primitive in
 * DER (10.2). End-of-contents is only legal inside the indefinite form,
 * where the scanner consumes it, so one reaching here is misplaced.
 */
static enum sl_ber_err check_universal(struct sl_ber_dec *d, const uint8_t *p, const struct hdr *h)
{
	char name[40];

	switch (h->tag) {
	case SL_BER_TAG_EOC:
		return sl_ber_fail(d, SL_BER_E_BAD_TAG, p,
				   "end-of-contents outside an indefinite-length value");
	case SL_BER_TAG_BOOLEAN:
	case SL_BER_TAG_INTEGER:
	case SL_BER_TAG_NULL:
	case SL_BER_TAG_OID:
	case SL_BER_TAG_REAL:
	case SL_BER_TAG_ENUMERATED:
	case SL_BER_TAG_RELATIVE_OID:
		if (!h->cons)
			return SL_BER_OK;
		break;
	case SL_BER_TAG_SEQUENCE:
	case SL_BER_TAG_SET:
	case SL_BER_TAG_EXTERNAL:
	case SL_BER_TAG_EMBEDDED_PDV:
	case SL_BER_TAG_CHARACTER_STRING:
		if (h->cons)
			return SL_BER_OK;
		break;
	case SL_BER_TAG_BIT_STRING:
	case SL_BER_TAG_OCTET_STRING:
	case SL_BER_TAG_OBJECT_DESCRIPTOR:
	case SL_BER_TAG_UTF8_STRING:
	case SL_BER_TAG_NUMERIC_STRING:
	case SL_BER_TAG_PRINTABLE_STRING:
	case SL_BER_TAG_TELETEX_STRING:
	case SL_BER_TAG_VIDEOTEX_STRING:
	case SL_BER_TAG_IA5_STRING:
	case SL_BER_TAG_UTC_TIME:
	case SL_BER_TAG_GENERALIZED_TIME:
	case SL_BER_TAG_GRAPHIC_STRING:
	case SL_BER_TAG_VISIBLE_STRING:
	case SL_BER_TAG_GENERAL_STRING:
	case SL_BER_TAG_UNIVERSAL_STRING:
	case SL_BER_TAG_BMP_STRING:
		if (!h->cons || d->mode == SL_BER_MODE_BER)
			return SL_BER_OK;
		sl_ber_tag_name(h->cls, h->tag, name, sizeof(name));
		return sl_ber_fail(d, SL_BER_E_BAD_TAG, p, "constructed %s not allowed in DER", name);
	default:
		return SL_BER_OK; /* unassigned universal numbers: no rule to apply */
	}
	sl_ber_tag_name(h->cls, h->tag, name, sizeof(name));
	return sl_ber_fail(d, SL_BER_E_BAD_TAG, p, "%s in the %s form", name,
			   h->cons ? "constructed" : "primitive");
}

/*
 * Find the end of an indefinite-length value whose content starts at c
 * with `left` bytes of the region after it. `level` counts the open
 * indefinite values; each inner value sits at depth + level.
 */
static enum sl_ber_err scan_indefinite(struct sl_ber_dec *d, bool top, unsigned depth,
				       const uint8_t *start, const uint8_t *c, size_t left,
				       size_t *clen)
{
	size_t pos = 0;
	unsigned level = 1;

	for (;;) {
		struct hdr h;
		enum sl_ber_err e;

		if (pos >= left)
			return overrun(d, top, start, 0, 0,
				       "end-of-contents missing for the indefinite-length value");
		if (left - pos >= 2 && c[pos] == 0 && c[pos + 1] == 0) {
			pos += 2;
			if (--level == 0) {
				*clen = pos - 2;
				return SL_BER_OK;
			}
			continue;
		}
		if (depth + level >= max_depth(d))
			return sl_ber_fail(d, SL_BER_E_TOO_DEEP, c + pos,
					   "values nested deeper than %u", max_depth(d));
		e = read_header(d, c + pos, left - pos, top, &h);
		if (e)
			return e;
		if (h.cls == SL_BER_UNIVERSAL && h.tag == SL_BER_TAG_EOC)
			return sl_ber_fail(d, SL_BER_E_BAD_TAG, c + pos,
					   "malformed end-of-contents octets");
		if (h.indefinite) {
			level++;
			pos += h.hlen;
		} else {
			if (h.len > left - pos - h.hlen)
				return overrun(d, top, c + pos, 0, 0,
					       "length %zu exceeds the %zu bytes left", h.len,
					       left - pos - h.hlen);
			pos += h.hlen + h.len;
		}
	}
}

enum sl_ber_err sl_ber_next(struct sl_ber_dec *d, struct sl_ber_cur *c, struct sl_ber_tlv *t)
{
	bool top = c->depth == 0;
	struct hdr h;
	size_t clen = 0, total; /* clen: set by scan_indefinite on success; gcc cannot see it */
	enum sl_ber_err e;

	if (c->left == 0) {
		if (top)
			return overrun(d, true, c->p, 0, 0, "input ends where a value was expected");
		return sl_ber_fail(d, SL_BER_E_MISSING, c->p,
				   "value expected but the enclosing value ends");
	}
	if (c->depth >= max_depth(d))
		return sl_ber_fail(d, SL_BER_E_TOO_DEEP, c->p, "values nested deeper than %u",
				   max_depth(d));
	e = read_header(d, c->p, c->left, top, &h);
	if (e)
		return e;
	if (h.cls == SL_BER_UNIVERSAL) {
		e = check_universal(d, c->p, &h);
		if (e)
			return e;
	}
	if (h.indefinite) {
		e = scan_indefinite(d, top, c->depth, c->p, c->p + h.hlen, c->left - h.hlen, &clen);
		if (e == SL_BER_E_TRUNCATED) {
			/*
			 * Fixed: the scan reported have = 0 (or the bytes left
			 * after an inner value), not what ber_decode.h promises:
			 * the bytes available from this value's first octet.
			 */
			d->err.need = 0;
			d->err.have = c->left;
		}
		if (e)
			return e;
		total = h.hlen + clen + 2;
	} else {
		if (h.len > c->left - h.hlen)
			return overrun(d, top, c->p, h.hlen + h.len, c->left,
				       "length %zu exceeds the %zu bytes left", h.len,
				       c->left - h.hlen);
		clen = h.len;
		total = h.hlen + h.len;
	}
	t->cls = h.cls;
	t->constructed = h.cons;
	t->indefinite = h.indefinite;
	t->tag = h.tag;
	t->val = c->p + h.hlen;
	t->len = clen;
	t->hdr_len = h.hlen;
	c->p += total;
	c->left -= total;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_frame_resume(struct sl_ber_dec *d, struct sl_ber_resume *r, size_t *total)
{
	const uint8_t *c;
	size_t left;
	struct hdr h;
	enum sl_ber_err e;

	if (!r->started) {
		if (d->size == 0)
			return overrun(d, true, d->base, 0, 0, "input ends where a value was expected");
		e = read_header(d, d->base, d->size, true, &h);
		if (e)
			return e;
		if (h.cls == SL_BER_UNIVERSAL && (e = check_universal(d, d->base, &h)) != SL_BER_OK)
			return e;
		if (!h.indefinite) {
			if (h.len > d->size - h.hlen)
				return overrun(d, true, d->base, h.hlen + h.len, d->size,
					       "length %zu exceeds the %zu bytes left", h.len, d->size - h.hlen);
			*total = h.hlen + h.len;
			return SL_BER_OK;
		}
		r->started = true;
		r->hlen = h.hlen;
		r->pos = 0;
		r->level = 1;
	}
	if (d->size < r->hlen + r->pos)
		return sl_ber_fail(d, SL_BER_E_LIMIT, d->base, "resumed on a shorter input than before");
	/* the same steps as scan_indefinite(), stopping at an element boundary */
	c = d->base + r->hlen;
	left = d->size - r->hlen;
	for (;;) {
		if (r->pos >= left)
			break;
		if (left - r->pos >= 2 && c[r->pos] == 0 && c[r->pos + 1] == 0) {
			r->pos += 2;
			if (--r->level == 0) {
				*total = r->hlen + r->pos;
				return SL_BER_OK;
			}
			continue;
		}
		if (r->level >= max_depth(d))
			return sl_ber_fail(d, SL_BER_E_TOO_DEEP, c + r->pos, "values nested deeper than %u",
					   max_depth(d));
		e = read_header(d, c + r->pos, left - r->pos, true, &h);
		if (e == SL_BER_E_TRUNCATED)
			break;
		if (e)
			return e;
		if (h.cls == SL_BER_UNIVERSAL && h.tag == SL_BER_TAG_EOC)
			return sl_ber_fail(d, SL_BER_E_BAD_TAG, c + r->pos, "malformed end-of-contents octets");
		if (h.indefinite) {
			r->level++;
			r->pos += h.hlen;
		} else {
			if (h.len > left - r->pos - h.hlen)
				break;
			r->pos += h.hlen + h.len;
		}
	}
	overrun(d, true, d->base, 0, d->size, "end-of-contents missing for the indefinite-length value");
	return SL_BER_E_TRUNCATED;
}

enum sl_ber_err sl_ber_enter(struct sl_ber_dec *d, const struct sl_ber_cur *c,
			     const struct sl_ber_tlv *t, struct sl_ber_cur *child)
{
	if (c->depth >= max_depth(d))
		return sl_ber_fail(d, SL_BER_E_TOO_DEEP, sl_ber_tlv_start(t),
				   "values nested deeper than %u", max_depth(d));
	child->p = t->val;
	child->left = t->len;
	child->depth = c->depth + 1;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_done(struct sl_ber_dec *d, const struct sl_ber_cur *c)
{
	if (c->left == 0)
		return SL_BER_OK;
	return sl_ber_fail(d, SL_BER_E_TRAILING, c->p, "%zu unexpected bytes after the last value",
			   c->left);
}

enum sl_ber_err sl_ber_single(struct sl_ber_dec *d, struct sl_ber_tlv *t)
{
	struct sl_ber_cur c = sl_ber_dec_root(d);
	enum sl_ber_err e = sl_ber_next(d, &c, t);

	return e ? e : sl_ber_done(d, &c);
}

enum sl_ber_err sl_ber_expect(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint8_t cls,
			      uint32_t tag, bool constructed)
{
	char want[40], got[40];

	if (t->cls == cls && t->tag == tag && t->constructed == constructed)
		return SL_BER_OK;
	sl_ber_tag_name(cls, tag, want, sizeof(want));
	sl_ber_tag_name(t->cls, t->tag, got, sizeof(got));
	return sl_ber_fail(d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(t), "expected %s%s, found %s%s",
			   want, constructed ? " (constructed)" : "", got,
			   t->constructed ? " (constructed)" : "");
}
