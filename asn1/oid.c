/*
 * OBJECT IDENTIFIER content octets (X.690 8.19) and dotted text.
 *
 * The first two arcs share one subidentifier (40 * X + Y), so with X = 2 the
 * first subidentifier may exceed 2^32 even when every arc fits; it is
 * carried in 64 bits. Each subidentifier is base-128, most significant
 * group first, bit 8 set on all but the last octet. Decoding shares one
 * loop between the arc-array and the text outputs so both apply exactly
 * the same checks.
 */
#include "asn1/oid.h"

#include <stdio.h>
#include <string.h>

#define ARC_MAX UINT32_MAX

bool sl_ber_oid_arcs_valid(const uint32_t *arcs, size_t n)
{
	if (n < 2 || arcs[0] > 2)
		return false;
	return arcs[0] == 2 || arcs[1] <= 39;
}

static size_t subid_len(uint64_t v)
{
	size_t k = 1;

	while (v >= 0x80) {
		v >>= 7;
		k++;
	}
	return k;
}

static size_t put_subid(uint8_t *out, uint64_t v)
{
	size_t k = subid_len(v), i;

	for (i = k; i-- > 0;) {
		out[i] = (uint8_t)((v & 0x7F) | (i == k - 1 ? 0 : 0x80));
		v >>= 7;
	}
	return k;
}

size_t sl_ber_oid_encoded_len(const uint32_t *arcs, size_t n)
{
	size_t len, i;

	if (!sl_ber_oid_arcs_valid(arcs, n))
		return 0;
	len = subid_len((uint64_t)arcs[0] * 40 + arcs[1]);
	for (i = 2; i < n; i++)
		len += subid_len(arcs[i]);
	return len;
}

size_t sl_ber_oid_encode(const uint32_t *arcs, size_t n, uint8_t *out, size_t cap)
{
	size_t len = sl_ber_oid_encoded_len(arcs, n), pos, i;

	if (len == 0 || len > cap)
		return 0;
	pos = put_subid(out, (uint64_t)arcs[0] * 40 + arcs[1]);
	for (i = 2; i < n; i++)
		pos += put_subid(out + pos, arcs[i]);
	return pos;
}

/* Receives each decoded arc; returns false when the output is full. */
typedef bool (*arc_sink)(void *ctx, uint32_t arc);

static enum sl_ber_err fail(size_t *at, const char **why, size_t where, const char *msg,
			    enum sl_ber_err code)
{
	*at = where;
	*why = msg;
	return code;
}

static enum sl_ber_err walk(const uint8_t *p, size_t len, arc_sink sink, void *ctx,
			    const char *full_msg, size_t *at, const char **why)
{
	size_t i = 0;
	bool first = true;

	if (len == 0)
		return fail(at, why, 0, "OBJECT IDENTIFIER with no content octets", SL_BER_E_BAD_VALUE);
	while (i < len) {
		/* the first subidentifier holds 40 * X + Y with X <= 2 */
		uint64_t limit = first ? (uint64_t)ARC_MAX + 80 : ARC_MAX;
		uint64_t v = 0;
		size_t start = i;

		if (p[i] == 0x80)
			return fail(at, why, i, "subidentifier starts with a 0x80 padding octet",
				    SL_BER_E_NON_MINIMAL);
		for (;;) {
			uint8_t b;

			if (i >= len)
				return fail(at, why, start, "last subidentifier is cut short",
					    SL_BER_E_BAD_VALUE);
			b = p[i];
			if (v > (limit >> 7))
				return fail(at, why, i, "arc exceeds 2^32-1", SL_BER_E_LIMIT);
			v = (v << 7) | (b & 0x7F);
			if (v > limit)
				return fail(at, why, i, "arc exceeds 2^32-1", SL_BER_E_LIMIT);
			i++;
			if (!(b & 0x80))
				break;
		}
		if (first) {
			uint32_t x = v < 40 ? 0 : v < 80 ? 1 : 2;

			if (!sink(ctx, x) || !sink(ctx, (uint32_t)(v - 40u * x)))
				return fail(at, why, start, full_msg, SL_BER_E_LIMIT);
			first = false;
		} else if (!sink(ctx, (uint32_t)v)) {
			return fail(at, why, start, full_msg, SL_BER_E_LIMIT);
		}
	}
	return SL_BER_OK;
}

struct arc_array {
	uint32_t *arcs;
	size_t max, n;
};

static bool array_sink(void *ctx, uint32_t arc)
{
	struct arc_array *a = ctx;

	if (a->n >= a->max)
		return false;
	a->arcs[a->n++] = arc;
	return true;
}

enum sl_ber_err sl_ber_oid_decode(const uint8_t *p, size_t len, uint32_t *arcs, size_t max,
				  size_t *n, size_t *at, const char **why)
{
	struct arc_array a = { .arcs = arcs, .max = max, .n = 0 };
	enum sl_ber_err e = walk(p, len, array_sink, &a, "more arcs than the caller can hold", at, why);

	*n = a.n;
	return e;
}

struct text_out {
	char *buf;
	size_t cap, len;
	bool any;
};

static bool text_sink(void *ctx, uint32_t arc)
{
	struct text_out *t = ctx;
	char tmp[12];
	int k = snprintf(tmp, sizeof(tmp), "%s%u", t->any ? "." : "", (unsigned)arc);

	/* keep room for the NUL */
	if (k < 0 || (size_t)k >= t->cap - t->len)
		return false;
	memcpy(t->buf + t->len, tmp, (size_t)k);
	t->len += (size_t)k;
	t->buf[t->len] = '\0';
	t->any = true;
	return true;
}

enum sl_ber_err sl_ber_oid_decode_text(const uint8_t *p, size_t len, char *buf, size_t cap,
				       size_t *text_len, size_t *at, const char **why)
{
	struct text_out t = { .buf = buf, .cap = cap, .len = 0, .any = false };
	enum sl_ber_err e;

	if (cap == 0)
		return fail(at, why, 0, "no room for the dotted text", SL_BER_E_LIMIT);
	buf[0] = '\0';
	e = walk(p, len, text_sink, &t, "dotted text longer than the caller's buffer", at, why);
	*text_len = t.len;
	return e;
}

enum sl_ber_err sl_ber_oid_parse(const char *text, uint32_t *arcs, size_t max, size_t *n)
{
	const char *s = text;
	size_t count = 0;

	*n = 0;
	for (;;) {
		uint64_t v = 0;
		const char *start = s;

		if (*s < '0' || *s > '9')
			return SL_BER_E_BAD_VALUE;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > ARC_MAX)
				return SL_BER_E_LIMIT;
			s++;
		}
		if (*start == '0' && s - start > 1)
			return SL_BER_E_BAD_VALUE; /* leading zero: "01" */
		if (count >= max)
			return SL_BER_E_LIMIT;
		arcs[count++] = (uint32_t)v;
		if (*s == '\0')
			break;
		if (*s != '.')
			return SL_BER_E_BAD_VALUE;
		s++;
	}
	if (!sl_ber_oid_arcs_valid(arcs, count))
		return SL_BER_E_BAD_VALUE;
	*n = count;
	return SL_BER_OK;
}

size_t sl_ber_oid_format(const uint32_t *arcs, size_t n, char *buf, size_t cap)
{
	size_t need = 0, i;

	if (cap > 0)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		char tmp[12];
		int k = snprintf(tmp, sizeof(tmp), "%s%u", i ? "." : "", (unsigned)arcs[i]);

		if (k < 0)
			return need;
		if (cap > 0 && need < cap - 1) {
			size_t room = cap - 1 - need;
			size_t c = (size_t)k < room ? (size_t)k : room;

			memcpy(buf + need, tmp, c);
			buf[need + c] = '\0';
		}
		need += (size_t)k;
	}
	return need;
}
