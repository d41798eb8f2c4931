/*
 * Typed getters: content octets of one TLV to C values (X.690 8.2-8.23),
 * with the DER restrictions of clauses 10-11 in SL_BER_MODE_DER.
 *
 * A getter checks the form and the content, not the tag (implicit tagging
 * makes the tag meaningless for the type; sl_ber_expect() is for that).
 * Content errors are reported at the offending content octet, so a
 * decode tool can point at the exact byte.
 */
#include "asn1/ber_decode.h"
#include "asn1/oid.h"

#include <string.h>

static bool der(const struct sl_ber_dec *d)
{
	return d->mode == SL_BER_MODE_DER;
}

static enum sl_ber_err need_primitive(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				      const char *type)
{
	if (!t->constructed)
		return SL_BER_OK;
	return sl_ber_fail(d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(t),
			   "constructed %s: the primitive form is required", type);
}

/* First octet and its successor say the same about the sign (X.690 8.3.2). */
static bool redundant_lead(const uint8_t *p)
{
	return (p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xFF && (p[1] & 0x80));
}

/*
 * Two's-complement content with redundant leading octets refused (DER) or
 * stripped (BER), leaving the significant octets in *p, *n.
 */
static enum sl_ber_err int_content(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				   const uint8_t **p, size_t *n)
{
	enum sl_ber_err e = need_primitive(d, t, "INTEGER");
	const uint8_t *c = t->val;
	size_t k = t->len;

	if (e)
		return e;
	if (k == 0)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, sl_ber_tlv_start(t),
				   "INTEGER with no content octets");
	if (k > 1 && redundant_lead(c)) {
		if (der(d))
			return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, c,
					   "INTEGER with a redundant leading octet");
		while (k > 1 && redundant_lead(c)) {
			c++;
			k--;
		}
	}
	*p = c;
	*n = k;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_int64(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t *v)
{
	const uint8_t *p;
	size_t n, i;
	uint64_t u;
	enum sl_ber_err e = int_content(d, t, &p, &n);

	if (e)
		return e;
	if (n > 8)
		return sl_ber_fail(d, SL_BER_E_LIMIT, p, "INTEGER of %zu octets exceeds 64 bits", n);
	u = (p[0] & 0x80) ? UINT64_MAX : 0; /* sign extension */
	for (i = 0; i < n; i++)
		u = (u << 8) | p[i];
	*v = (int64_t)u;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_enum(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t *v)
{
	return sl_ber_get_int64(d, t, v);
}

enum sl_ber_err sl_ber_get_int_range(struct sl_ber_dec *d, const struct sl_ber_tlv *t, int64_t min,
				     int64_t max, int64_t *v)
{
	int64_t x;
	enum sl_ber_err e = sl_ber_get_int64(d, t, &x);

	if (e)
		return e;
	if (x < min || x > max)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, t->val, "%lld outside %lld..%lld",
				   (long long)x, (long long)min, (long long)max);
	*v = x;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_uint64(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint64_t *v)
{
	const uint8_t *p;
	size_t n, i;
	uint64_t u = 0;
	enum sl_ber_err e = int_content(d, t, &p, &n);

	if (e)
		return e;
	if (p[0] & 0x80)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, p, "negative INTEGER where unsigned is required");
	/* a ninth octet can only be the zero that keeps the sign positive */
	if (n == 9 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 8)
		return sl_ber_fail(d, SL_BER_E_LIMIT, p, "INTEGER of %zu octets exceeds 64 bits", n);
	for (i = 0; i < n; i++)
		u = (u << 8) | p[i];
	*v = u;
	return SL_BER_OK;
}

/* X.690 8.2.2 (BER: any non-zero octet is TRUE) and 11.1 (DER: 0xFF). */
enum sl_ber_err sl_ber_get_bool(struct sl_ber_dec *d, const struct sl_ber_tlv *t, bool *v)
{
	enum sl_ber_err e = need_primitive(d, t, "BOOLEAN");

	if (e)
		return e;
	if (t->len != 1)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, sl_ber_tlv_start(t),
				   "BOOLEAN of %zu octets", t->len);
	if (der(d) && t->val[0] != 0x00 && t->val[0] != 0xFF)
		return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, t->val,
				   "BOOLEAN 0x%02x: DER requires 0x00 or 0xFF", t->val[0]);
	*v = t->val[0] != 0;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_null(struct sl_ber_dec *d, const struct sl_ber_tlv *t)
{
	enum sl_ber_err e = need_primitive(d, t, "NULL");

	if (e)
		return e;
	if (t->len != 0)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, t->val, "NULL with %zu content octets",
				   t->len);
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_octets(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				  const uint8_t **p, size_t *n)
{
	if (t->constructed)
		return sl_ber_fail(d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(t),
				   "constructed string: read it with sl_ber_get_octets_copy");
	*p = t->val;
	*n = t->len;
	return SL_BER_OK;
}

/*
 * X.690 8.7.3 and 8.23.6: the segments of a constructed string are OCTET
 * STRING encodings, themselves possibly constructed. Recursion depth is
 * bounded by max_depth through the cursors' depth.
 */
static enum sl_ber_err copy_segments(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				     unsigned depth, uint8_t *buf, size_t cap, size_t *n)
{
	struct sl_ber_cur c = { .p = t->val, .left = t->len, .depth = depth + 1 };

	if (!t->constructed) {
		if (t->len > cap - *n)
			return sl_ber_fail(d, SL_BER_E_LIMIT, sl_ber_tlv_start(t),
					   "string longer than the caller's %zu bytes", cap);
		if (t->len)
			memcpy(buf + *n, t->val, t->len);
		*n += t->len;
		return SL_BER_OK;
	}
	if (der(d))
		return sl_ber_fail(d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(t),
				   "constructed string not allowed in DER");
	while (sl_ber_more(&c)) {
		struct sl_ber_tlv seg;
		enum sl_ber_err e = sl_ber_next(d, &c, &seg);

		if (e)
			return e;
		if (seg.cls != SL_BER_UNIVERSAL || seg.tag != SL_BER_TAG_OCTET_STRING)
			return sl_ber_fail(d, SL_BER_E_BAD_TAG, sl_ber_tlv_start(&seg),
					   "segment of a constructed string is not an OCTET STRING");
		e = copy_segments(d, &seg, depth + 1, buf, cap, n);
		if (e)
			return e;
	}
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_octets_copy(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				       uint8_t *buf, size_t cap, size_t *n)
{
	*n = 0;
	return copy_segments(d, t, 0, buf, cap, n);
}

enum sl_ber_err sl_ber_get_text(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				uint32_t string_tag, const char **p, size_t *n)
{
	const char *type = sl_ber_universal_name(string_tag);
	enum sl_ber_err e;
	size_t bad;

	if (!sl_ber_text_type_known(string_tag))
		return sl_ber_fail(d, SL_BER_E_LIMIT, sl_ber_tlv_start(t),
				   "character set of universal type %u not supported",
				   (unsigned)string_tag);
	e = need_primitive(d, t, type);
	if (e)
		return e;
	if (!sl_ber_text_valid(string_tag, t->val, t->len, &bad))
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, t->val + bad, "byte 0x%02x not valid in %s",
				   t->val[bad], type);
	*p = (const char *)t->val;
	*n = t->len;
	return SL_BER_OK;
}

/* X.690 8.6.2: initial octet = unused bits in the last octet, 0..7, 0 if empty. */
enum sl_ber_err sl_ber_get_bitstring(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				     const uint8_t **bits, size_t *nbytes, unsigned *unused)
{
	enum sl_ber_err e = need_primitive(d, t, "BIT STRING");
	unsigned u;

	if (e)
		return e;
	if (t->len == 0)
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, sl_ber_tlv_start(t),
				   "BIT STRING without its initial octet");
	u = t->val[0];
	if (u > 7 || (t->len == 1 && u != 0))
		return sl_ber_fail(d, SL_BER_E_BAD_VALUE, t->val, "BIT STRING with %u unused bits",
				   u);
	/* 11.2.1 */
	if (der(d) && u && (t->val[t->len - 1] & ((1u << u) - 1)))
		return sl_ber_fail(d, SL_BER_E_NON_MINIMAL, t->val + t->len - 1,
				   "DER requires the unused bits to be zero");
	*bits = t->val + 1;
	*nbytes = t->len - 1;
	*unused = u;
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_oid(struct sl_ber_dec *d, const struct sl_ber_tlv *t, uint32_t *arcs,
			       size_t max, size_t *n)
{
	enum sl_ber_err e = need_primitive(d, t, "OBJECT IDENTIFIER");
	size_t at = 0;
	const char *why = "";

	if (e)
		return e;
	e = sl_ber_oid_decode(t->val, t->len, arcs, max, n, &at, &why);
	if (e)
		return sl_ber_fail(d, e, t->len ? t->val + at : sl_ber_tlv_start(t), "%s", why);
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_oid_text(struct sl_ber_dec *d, const struct sl_ber_tlv *t, char *buf,
				    size_t cap)
{
	enum sl_ber_err e = need_primitive(d, t, "OBJECT IDENTIFIER");
	size_t at = 0, len;
	const char *why = "";

	if (e)
		return e;
	e = sl_ber_oid_decode_text(t->val, t->len, buf, cap, &len, &at, &why);
	if (e)
		return sl_ber_fail(d, e, t->len ? t->val + at : sl_ber_tlv_start(t), "%s", why);
	return SL_BER_OK;
}

typedef enum sl_ber_err (*time_parser)(const uint8_t *p, size_t n, bool der,
				       struct sl_ber_time *t, size_t *at, const char **why);

/*
 * Times are VisibleString underneath, so BER allows the constructed form;
 * its segments are joined in a small buffer (a valid time is < 40 bytes)
 * and errors then point at the start of the TLV.
 */
static enum sl_ber_err get_time(struct sl_ber_dec *d, const struct sl_ber_tlv *t, time_parser parse,
				struct sl_ber_time *out)
{
	uint8_t joined[64];
	const uint8_t *p = t->val;
	size_t n = t->len, at = 0;
	const char *why = "";
	enum sl_ber_err e;

	if (t->constructed) {
		e = sl_ber_get_octets_copy(d, t, joined, sizeof(joined), &n);
		if (e)
			return e;
		p = joined;
	}
	e = parse(p, n, der(d), out, &at, &why);
	if (e)
		return sl_ber_fail(d, e, t->constructed ? sl_ber_tlv_start(t) : t->val + at, "%s",
				   why);
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_get_generalized_time(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
					    struct sl_ber_time *out)
{
	return get_time(d, t, sl_ber_gentime_parse, out);
}

enum sl_ber_err sl_ber_get_utc_time(struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				    struct sl_ber_time *out)
{
	return get_time(d, t, sl_ber_utctime_parse, out);
}
