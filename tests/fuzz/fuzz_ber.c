/*
 * libFuzzer target for asn1/: any bytes, from an exactly sized copy, as BER
 * and as DER. The whole tree is walked and every typed getter runs on
 * every TLV (a decoder built on asn1/ may call any getter on any value an
 * attacker tags as it likes); each result must stay inside the input or
 * the caller's buffer and each error be a known class at an offset inside
 * the input. The tree printer then renders the same input into a bounded
 * buffer, which must come out NUL-terminated with the length it reports.
 * The first byte picks small depth and length limits now and then, so the
 * limit paths are reached with short inputs too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ber_dump.h"
#include "asn1/oid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

struct ctx {
	const uint8_t *base;
	size_t size;
	unsigned visited;
};

static void check_view(const struct ctx *x, const void *p, size_t n)
{
	const uint8_t *b = p;
	volatile uint8_t sink = 0;
	size_t i;

	check(b >= x->base && (size_t)(b - x->base) <= x->size && n <= x->size - (size_t)(b - x->base));
	for (i = 0; i < n; i++)
		sink ^= b[i];
	(void)sink;
}

static void check_err(const struct ctx *x, const struct sl_ber_dec *d, enum sl_ber_err e)
{
	check((unsigned)e < SL_BER_E__COUNT);
	if (e) {
		check(d->err.code == e);
		check(d->err.offset <= x->size);
		check(memchr(d->err.msg, '\0', sizeof(d->err.msg)) != NULL);
	}
}

static void check_time(const struct sl_ber_time *tm)
{
	check(tm->usec < 1000000);
	check(tm->tz <= SL_BER_TZ_LOCAL);
	/* years 0000..9999 with offsets of up to a day either side */
	check(tm->sec >= INT64_C(-62167219200) - 86400 && tm->sec <= INT64_C(253402300800) + 86400);
}

static enum sl_ber_walk_ret visit(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
				  unsigned depth, size_t offset)
{
	static const uint32_t text_types[] = { SL_BER_TAG_UTF8_STRING, SL_BER_TAG_PRINTABLE_STRING,
					       SL_BER_TAG_NUMERIC_STRING, SL_BER_TAG_IA5_STRING,
					       SL_BER_TAG_VISIBLE_STRING, SL_BER_TAG_BMP_STRING };
	struct ctx *x = arg;
	uint8_t copy[128];
	uint32_t arcs[SL_BER_OID_MAX_ARCS];
	char text[96];
	const uint8_t *p;
	const char *s;
	struct sl_ber_time tm;
	int64_t i;
	uint64_t u;
	size_t n, k;
	unsigned unused;
	bool b;
	enum sl_ber_err e;

	x->visited++;
	check(depth < (d->max_depth < SL_BER_MAX_DEPTH_CAP ? d->max_depth : SL_BER_MAX_DEPTH_CAP));
	check(offset < x->size);
	check_view(x, sl_ber_tlv_start(t), sl_ber_tlv_size(t));
	check_view(x, t->val, t->len);

	e = sl_ber_get_int64(d, t, &i);
	check_err(x, d, e);
	e = sl_ber_get_enum(d, t, &i);
	check_err(x, d, e);
	e = sl_ber_get_int_range(d, t, -1000, 1000, &i);
	check_err(x, d, e);
	if (e == SL_BER_OK)
		check(i >= -1000 && i <= 1000);
	e = sl_ber_get_uint64(d, t, &u);
	check_err(x, d, e);
	e = sl_ber_get_bool(d, t, &b);
	check_err(x, d, e);
	e = sl_ber_get_null(d, t);
	check_err(x, d, e);
	e = sl_ber_get_octets(d, t, &p, &n);
	check_err(x, d, e);
	if (e == SL_BER_OK)
		check_view(x, p, n);
	e = sl_ber_get_octets_copy(d, t, copy, sizeof(copy), &n);
	check_err(x, d, e);
	if (e == SL_BER_OK)
		check(n <= sizeof(copy));
	for (k = 0; k < sizeof(text_types) / sizeof(text_types[0]); k++) {
		e = sl_ber_get_text(d, t, text_types[k], &s, &n);
		check_err(x, d, e);
		if (e == SL_BER_OK) {
			check_view(x, s, n);
			check(sl_ber_text_valid(text_types[k], (const uint8_t *)s, n, NULL));
		}
	}
	e = sl_ber_get_bitstring(d, t, &p, &n, &unused);
	check_err(x, d, e);
	if (e == SL_BER_OK) {
		check_view(x, p, n);
		check(unused < 8 && (n > 0 || unused == 0));
	}
	e = sl_ber_get_oid(d, t, arcs, SL_BER_OID_MAX_ARCS, &n);
	check_err(x, d, e);
	if (e == SL_BER_OK) {
		uint8_t enc[SL_BER_OID_MAX_ARCS * 5 + 8];

		/* what decodes re-encodes to the same octets */
		check(n >= 2 && n <= SL_BER_OID_MAX_ARCS);
		check(sl_ber_oid_encode(arcs, n, enc, sizeof(enc)) == t->len);
		check(memcmp(enc, t->val, t->len) == 0);
	}
	e = sl_ber_get_oid_text(d, t, text, sizeof(text));
	check_err(x, d, e);
	if (e == SL_BER_OK || e == SL_BER_E_LIMIT)
		check(memchr(text, '\0', sizeof(text)) != NULL);
	e = sl_ber_get_oid_text(d, t, text, 3);
	check_err(x, d, e);
	e = sl_ber_get_generalized_time(d, t, &tm);
	check_err(x, d, e);
	if (e == SL_BER_OK)
		check_time(&tm);
	e = sl_ber_get_utc_time(d, t, &tm);
	check_err(x, d, e);
	if (e == SL_BER_OK)
		check_time(&tm);
	e = sl_ber_expect(d, t, t->cls, t->tag, t->constructed);
	check(e == SL_BER_OK);
	return (offset & 7) == 7 ? SL_BER_WALK_SKIP : SL_BER_WALK_DESCEND;
}

static void run(const uint8_t *buf, size_t size, enum sl_ber_mode mode, unsigned depth, size_t max_len)
{
	static char dump[2048];
	struct ctx x = { .base = buf, .size = size };
	struct sl_ber_dec d;
	struct sl_ber_tlv t;
	struct sl_ber_dump_opts o;
	enum sl_ber_err e;
	size_t n;

	sl_ber_dec_init(&d, buf, size, mode);
	d.max_depth = depth;
	d.max_len = max_len;
	e = sl_ber_walk(&d, sl_ber_dec_root(&d), visit, &x);
	check_err(&x, &d, e);

	e = sl_ber_single(&d, &t);
	check_err(&x, &d, e);
	if (e == SL_BER_OK)
		check(sl_ber_tlv_size(&t) == size);
	if (e == SL_BER_E_TRUNCATED && d.err.need)
		check(d.err.need > d.err.have);

	sl_ber_dump_defaults(&o);
	o.max_bytes = size & 1 ? 8 : 32;
	n = sl_ber_dump_buf(&d, sl_ber_dec_root(&d), dump, sizeof(dump), &o, &e);
	check_err(&x, &d, e);
	check(strlen(dump) == (n < sizeof(dump) ? n : sizeof(dump) - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	unsigned depth = SL_BER_DEFAULT_MAX_DEPTH;
	size_t max_len = SL_BER_DEFAULT_MAX_LEN;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	if (size && (data[0] & 0xF0) == 0xF0) {
		/* 0xF? prefix: tight limits (the byte is decoded too, as garbage) */
		depth = 1 + (data[0] & 7);
		max_len = (size_t)(data[0] & 0x08 ? 4 : 300);
	}
	run(buf, size, SL_BER_MODE_DER, depth, max_len);
	run(buf, size, SL_BER_MODE_BER, depth, max_len);
	if (depth == SL_BER_DEFAULT_MAX_DEPTH)
		run(buf, size, SL_BER_MODE_BER, SL_BER_MAX_DEPTH_CAP + 100, max_len);
	free(buf);
	return 0;
}
