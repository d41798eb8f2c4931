/*
 * Unit tests for asn1/ber_decode.c, ber_get.c and ber_walk.c, the strict
 * BER/DER reader. A table of hand-made encodings, each decoded in DER and
 * in BER mode down to every typed getter, pins the specific error class
 * (and, in DER, the byte offset) of every rule X.690 and the decoder's own
 * limits impose: identifier octets (8.1.2: high-tag form below 31, leading
 * 0x80, more than 28 bits), length octets (8.1.3 and 10.1: reserved 0xFF,
 * long or zero-padded forms, indefinite length on primitives and in DER,
 * values past the input or past their parent, the max_len limit), the
 * form of universal types, end-of-contents out of place, trailing bytes,
 * and content rules (INTEGER minimality and the 64-bit limit, BOOLEAN,
 * NULL, BIT STRING, OID, restricted strings, times). The typed getters are
 * then checked for the values they return. The depth limit is checked at
 * its exact boundary, for definite and indefinite nesting and at the cap.
 * Every golden vector is cut at every length into an exactly sized heap
 * copy (AddressSanitizer reports any overread): at the top level each cut
 * must be SL_BER_E_TRUNCATED with the right need/have, and inside a parent
 * SL_BER_E_BAD_LENGTH. Finally random bytes from a fixed-seed PRNG and
 * random mutations of the golden vectors are decoded in both modes with
 * every getter on every TLV, checking that results stay self-consistent.
 */
#include "tests/unit/asn1_test_util.h"

#include "asn1/ber_decode.h"
#include "asn1/ber_dump.h"
#include "asn1/ber_encode.h"

#define ANY ((long)-1)

/* Run the getter that fits a universal primitive (or constructed string). */
static enum sl_ber_err typed(struct sl_ber_dec *d, const struct sl_ber_tlv *t)
{
	uint8_t copy[256];
	uint32_t arcs[32];
	const uint8_t *p;
	const char *s;
	struct sl_ber_time tm;
	int64_t i;
	size_t n;
	unsigned unused;
	bool b;

	if (t->cls != SL_BER_UNIVERSAL)
		return SL_BER_OK;
	switch (t->tag) {
	case SL_BER_TAG_BOOLEAN:
		return sl_ber_get_bool(d, t, &b);
	case SL_BER_TAG_INTEGER:
	case SL_BER_TAG_ENUMERATED: {
		uint64_t u;
		enum sl_ber_err e = sl_ber_get_int64(d, t, &i);

		/* 2^63..2^64-1 are valid too, for the unsigned getter */
		return e == SL_BER_E_LIMIT ? sl_ber_get_uint64(d, t, &u) : e;
	}
	case SL_BER_TAG_NULL:
		return sl_ber_get_null(d, t);
	case SL_BER_TAG_OCTET_STRING:
		return sl_ber_get_octets_copy(d, t, copy, sizeof(copy), &n);
	case SL_BER_TAG_BIT_STRING:
		return sl_ber_get_bitstring(d, t, &p, &n, &unused);
	case SL_BER_TAG_OID:
		return sl_ber_get_oid(d, t, arcs, 32, &n);
	case SL_BER_TAG_UTF8_STRING:
	case SL_BER_TAG_PRINTABLE_STRING:
	case SL_BER_TAG_NUMERIC_STRING:
	case SL_BER_TAG_IA5_STRING:
	case SL_BER_TAG_VISIBLE_STRING:
		return sl_ber_get_text(d, t, t->tag, &s, &n);
	case SL_BER_TAG_UTC_TIME:
		return sl_ber_get_utc_time(d, t, &tm);
	case SL_BER_TAG_GENERALIZED_TIME:
		return sl_ber_get_generalized_time(d, t, &tm);
	default:
		return SL_BER_OK;
	}
}

struct visit_state {
	enum sl_ber_err first;
	struct sl_ber_error err;
	unsigned count;
};

static enum sl_ber_walk_ret visit_typed(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
					unsigned depth, size_t offset)
{
	struct visit_state *v = arg;
	enum sl_ber_err e;

	(void)depth;
	assert_int_equal(offset, sl_ber_offset(d, sl_ber_tlv_start(t)));
	v->count++;
	e = typed(d, t);
	if (e && !v->first) {
		v->first = e;
		v->err = d->err;
		return SL_BER_WALK_STOP;
	}
	return SL_BER_WALK_DESCEND;
}

/*
 * The whole decode of one PDU: the top TLV, its getter, everything inside
 * it (framing and getters), then nothing after it. First error wins.
 */
static enum sl_ber_err full(const uint8_t *p, size_t n, enum sl_ber_mode mode, struct sl_ber_error *err)
{
	struct sl_ber_dec d;
	struct sl_ber_cur root, in;
	struct sl_ber_tlv t;
	struct visit_state v = { 0 };
	enum sl_ber_err e;

	sl_ber_dec_init(&d, p, n, mode);
	root = sl_ber_dec_root(&d);
	e = sl_ber_next(&d, &root, &t);
	if (!e)
		e = typed(&d, &t);
	if (!e && t.constructed) {
		e = sl_ber_enter(&d, &root, &t, &in);
		if (!e)
			e = sl_ber_walk(&d, in, visit_typed, &v);
		if (!e && v.first) {
			e = v.first;
			d.err = v.err;
		}
	}
	if (!e)
		e = sl_ber_done(&d, &root);
	*err = d.err;
	if (e) /* (a getter that failed before another one succeeded leaves its record) */
		assert_int_equal(d.err.code, e);
	return e;
}

struct dec_case {
	const char *name;
	const uint8_t *p;
	size_t n;
	enum sl_ber_err der, ber;
	long der_offset; /* ANY: not checked */
};

#define V(...) B(__VA_ARGS__), BN(__VA_ARGS__)

/* clang-format off */
static const struct dec_case cases[] = {
	/* identifier octets */
	{ "empty input", (const uint8_t *)"", 0, SL_BER_E_TRUNCATED, SL_BER_E_TRUNCATED, 0 },
	{ "identifier only", V(0x02), SL_BER_E_TRUNCATED, SL_BER_E_TRUNCATED, 0 },
	{ "high tag [31]", V(0x9F, 0x1F, 0x00), SL_BER_OK, SL_BER_OK, ANY },
	{ "high tag [2^28-1]", V(0x9F, 0xFF, 0xFF, 0xFF, 0x7F, 0x00), SL_BER_OK, SL_BER_OK, ANY },
	{ "high tag leading 0x80", V(0x9F, 0x80, 0x21, 0x00), SL_BER_E_NON_MINIMAL, SL_BER_E_NON_MINIMAL, 0 },
	{ "high tag number 30", V(0x9F, 0x1E, 0x00), SL_BER_E_NON_MINIMAL, SL_BER_E_NON_MINIMAL, 0 },
	{ "high tag number 0", V(0x9F, 0x00, 0x00), SL_BER_E_NON_MINIMAL, SL_BER_E_NON_MINIMAL, 0 },
	{ "high tag 5 octets", V(0x9F, 0x81, 0x80, 0x80, 0x80, 0x00, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "high tag cut", V(0x9F, 0x81), SL_BER_E_TRUNCATED, SL_BER_E_TRUNCATED, 0 },
	{ "EOC at the top", V(0x00, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "EOC in a definite SEQUENCE", V(0x30, 0x02, 0x00, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 2 },
	{ "constructed INTEGER", V(0x22, 0x03, 0x02, 0x01, 0x05), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "constructed NULL", V(0x25, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "constructed BOOLEAN", V(0x21, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "constructed OID", V(0x26, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "primitive SEQUENCE", V(0x10, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "primitive SET", V(0x11, 0x00), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "constructed OCTET STRING", V(0x24, 0x03, 0x04, 0x01, 0x41), SL_BER_E_BAD_TAG, SL_BER_OK, 0 },
	/* BER allows it, but sl_ber_get_text() reads the primitive form only (ber_decode.h) */
	{ "constructed UTF8String", V(0x2C, 0x03, 0x04, 0x01, 0x41), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "constructed string, INTEGER segment", V(0x24, 0x03, 0x02, 0x01, 0x05), SL_BER_E_BAD_TAG, SL_BER_E_BAD_TAG, 0 },
	{ "unassigned universal 15 either form", V(0x2F, 0x00), SL_BER_OK, SL_BER_OK, ANY },
	/* length octets */
	{ "reserved length 0xFF", V(0x04, 0xFF), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 0 },
	{ "indefinite primitive", V(0x04, 0x80, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_E_INDEFINITE, 0 },
	{ "indefinite SEQUENCE", V(0x30, 0x80, 0x05, 0x00, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_OK, 0 },
	{ "indefinite nested", V(0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_OK, 0 },
	{ "indefinite string", V(0x24, 0x80, 0x04, 0x01, 0x41, 0x04, 0x01, 0x42, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_OK, 0 },
	{ "indefinite without EOC", V(0x30, 0x80, 0x05, 0x00), SL_BER_E_INDEFINITE, SL_BER_E_TRUNCATED, 0 },
	{ "indefinite in definite, no EOC", V(0x30, 0x04, 0x30, 0x80, 0x05, 0x00), SL_BER_E_INDEFINITE, SL_BER_E_BAD_LENGTH, 2 },
	{ "indefinite, malformed EOC", V(0x30, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_E_BAD_TAG, 0 },
	{ "indefinite, inner primitive indefinite", V(0x30, 0x80, 0x04, 0x80, 0x00, 0x00), SL_BER_E_INDEFINITE, SL_BER_E_INDEFINITE, 0 },
	{ "long form for 1", V(0x04, 0x81, 0x01, 0x41), SL_BER_E_NON_MINIMAL, SL_BER_OK, 0 },
	{ "long form for 0", V(0x04, 0x81, 0x00), SL_BER_E_NON_MINIMAL, SL_BER_OK, 0 },
	{ "long form for 127", V(0x30, 0x81, 0x7F), SL_BER_E_NON_MINIMAL, SL_BER_E_TRUNCATED, 0 },
	{ "length with leading zero", V(0x04, 0x82, 0x00, 0x01, 0x41), SL_BER_E_NON_MINIMAL, SL_BER_OK, 0 },
	{ "length 9 octets", V(0x04, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 0 },
	{ "length 2^63", V(0x04, 0x88, 0x80, 0, 0, 0, 0, 0, 0, 0), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 0 },
	{ "length above max_len", V(0x04, 0x84, 0x04, 0x00, 0x00, 0x01), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 0 },
	{ "length octets cut", V(0x04, 0x82, 0x01), SL_BER_E_TRUNCATED, SL_BER_E_TRUNCATED, 0 },
	{ "length past input", V(0x04, 0x05, 0x41), SL_BER_E_TRUNCATED, SL_BER_E_TRUNCATED, 0 },
	{ "child past parent", V(0x30, 0x03, 0x04, 0x05, 0x41), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 2 },
	{ "child header past parent", V(0x30, 0x01, 0x02), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 2 },
	{ "child high tag past parent", V(0x30, 0x02, 0x9F, 0x81), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 2 },
	{ "grandchild past child", V(0x30, 0x05, 0x30, 0x03, 0x04, 0x02, 0x41), SL_BER_E_BAD_LENGTH, SL_BER_E_BAD_LENGTH, 4 },
	{ "empty SEQUENCE", V(0x30, 0x00), SL_BER_OK, SL_BER_OK, ANY },
	{ "trailing byte", V(0x05, 0x00, 0x00), SL_BER_E_TRAILING, SL_BER_E_TRAILING, 2 },
	{ "two values", V(0x05, 0x00, 0x05, 0x00), SL_BER_E_TRAILING, SL_BER_E_TRAILING, 2 },
	{ "trailing after indefinite", V(0x30, 0x80, 0x00, 0x00, 0xAA), SL_BER_E_INDEFINITE, SL_BER_E_TRAILING, 0 },
	/* content octets */
	{ "INTEGER empty", V(0x02, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 0 },
	{ "INTEGER 00 7F", V(0x02, 0x02, 0x00, 0x7F), SL_BER_E_NON_MINIMAL, SL_BER_OK, 2 },
	{ "INTEGER FF 80", V(0x02, 0x02, 0xFF, 0x80), SL_BER_E_NON_MINIMAL, SL_BER_OK, 2 },
	{ "INTEGER 00 80 minimal", V(0x02, 0x02, 0x00, 0x80), SL_BER_OK, SL_BER_OK, ANY },
	{ "INTEGER FF 7F minimal", V(0x02, 0x02, 0xFF, 0x7F), SL_BER_OK, SL_BER_OK, ANY },
	{ "INTEGER 9 octets", V(0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0), SL_BER_E_LIMIT, SL_BER_E_LIMIT, 2 },
	{ "INTEGER padded to 10", V(0x02, 0x0A, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), SL_BER_E_NON_MINIMAL, SL_BER_OK, 2 },
	{ "ENUMERATED 00 01", V(0x0A, 0x02, 0x00, 0x01), SL_BER_E_NON_MINIMAL, SL_BER_OK, 2 },
	{ "BOOLEAN 0x01", V(0x01, 0x01, 0x01), SL_BER_E_NON_MINIMAL, SL_BER_OK, 2 },
	{ "BOOLEAN empty", V(0x01, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 0 },
	{ "BOOLEAN 2 octets", V(0x01, 0x02, 0xFF, 0xFF), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 0 },
	{ "NULL with content", V(0x05, 0x01, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "BIT STRING empty", V(0x03, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 0 },
	{ "BIT STRING 8 unused", V(0x03, 0x02, 0x08, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "BIT STRING unused, no bits", V(0x03, 0x01, 0x01), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "BIT STRING pad bit set", V(0x03, 0x03, 0x01, 0xFF, 0x01), SL_BER_E_NON_MINIMAL, SL_BER_OK, 4 },
	{ "OID empty", V(0x06, 0x00), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 0 },
	{ "OID 0x80 padding", V(0x06, 0x03, 0x2A, 0x80, 0x01), SL_BER_E_NON_MINIMAL, SL_BER_E_NON_MINIMAL, 3 },
	{ "OID cut short", V(0x06, 0x02, 0x2A, 0x86), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 3 },
	{ "OID arc 2^32", V(0x06, 0x06, 0x2A, 0x90, 0x80, 0x80, 0x80, 0x00), SL_BER_E_LIMIT, SL_BER_E_LIMIT, 7 },
	{ "UTF8 overlong", V(0x0C, 0x03, 0x41, 0xC0, 0x80), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 3 },
	{ "PrintableString @", V(0x13, 0x02, 0x41, 0x40), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 3 },
	{ "NumericString a", V(0x12, 0x01, 0x61), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "IA5String 0x80", V(0x16, 0x01, 0x80), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "VisibleString DEL", V(0x1A, 0x01, 0x7F), SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 2 },
	{ "GeneralizedTime local", V(0x18, 0x0E, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0'),
	  SL_BER_E_NON_MINIMAL, SL_BER_OK, 16 },
	{ "GeneralizedTime month 13", V(0x18, 0x0F, '2', '0', '2', '3', '1', '3', '1', '4', '2', '2', '1', '3', '2', '0', 'Z'),
	  SL_BER_E_BAD_VALUE, SL_BER_E_BAD_VALUE, 6 },
	{ "UTCTime without seconds", V(0x17, 0x0B, '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', 'Z'),
	  SL_BER_E_NON_MINIMAL, SL_BER_OK, 12 },
	{ "constructed GeneralizedTime", V(0x38, 0x13, 0x04, 0x08, '2', '0', '2', '3', '1', '1', '1', '4',
					 0x04, 0x07, '2', '2', '1', '3', '2', '0', 'Z'),
	  SL_BER_E_BAD_TAG, SL_BER_OK, 0 },
	{ "getter error inside SEQUENCE", V(0x30, 0x05, 0x05, 0x00, 0x01, 0x01, 0x07), SL_BER_E_NON_MINIMAL, SL_BER_OK, 6 },
};
/* clang-format on */

static void test_rules(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dec_case *c = &cases[i];
		uint8_t *p = t_exact(c->p, c->n);
		struct sl_ber_error err;
		enum sl_ber_err e;

		print_message("%s\n", c->name);
		e = full(p, c->n, SL_BER_MODE_DER, &err);
		if (e != c->der)
			print_error("DER: got %s (%s), want %s\n", sl_ber_err_name(e), err.msg,
				    sl_ber_err_name(c->der));
		assert_int_equal(e, c->der);
		if (c->der_offset != ANY)
			assert_int_equal(err.offset, (size_t)c->der_offset);
		if (e)
			assert_true(err.msg[0] != '\0');
		e = full(p, c->n, SL_BER_MODE_BER, &err);
		if (e != c->ber)
			print_error("BER: got %s (%s), want %s\n", sl_ber_err_name(e), err.msg,
				    sl_ber_err_name(c->ber));
		assert_int_equal(e, c->ber);
		free(p);
	}
}

static void test_tlv_fields(void **state)
{
	static const uint8_t in[] = { 0xBF, 0x81, 0x00, 0x81, 0x80 };
	static const uint8_t indef[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00 };
	uint8_t *big = malloc(5 + 128);
	struct sl_ber_dec d;
	struct sl_ber_cur c, in_c;
	struct sl_ber_tlv t, u;
	int64_t v;

	(void)state;
	/* [128] constructed, long-form length 128 */
	memcpy(big, in, sizeof(in));
	memset(big + 5, 0, 128);
	for (v = 0; v < 64; v++) {
		big[5 + 2 * v] = 0x05; /* 64 NULLs */
		big[6 + 2 * v] = 0x00;
	}
	sl_ber_dec_init(&d, big, 133, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(t.cls, SL_BER_CONTEXT);
	assert_true(t.constructed);
	assert_false(t.indefinite);
	assert_int_equal(t.tag, 128);
	assert_int_equal(t.hdr_len, 5);
	assert_int_equal(t.len, 128);
	assert_ptr_equal(t.val, big + 5);
	assert_ptr_equal(sl_ber_tlv_start(&t), big);
	assert_int_equal(sl_ber_tlv_size(&t), 133);
	assert_true(sl_ber_is(&t, SL_BER_CONTEXT, 128));
	assert_false(sl_ber_is(&t, SL_BER_APPLICATION, 128));
	assert_int_equal(sl_ber_expect(&d, &t, SL_BER_CONTEXT, 128, true), SL_BER_OK);
	assert_int_equal(sl_ber_expect(&d, &t, SL_BER_CONTEXT, 128, false), SL_BER_E_BAD_TAG);
	assert_string_equal(d.err.msg, "expected [128], found [128] (constructed)");
	assert_int_equal(sl_ber_expect(&d, &t, SL_BER_UNIVERSAL, 16, true), SL_BER_E_BAD_TAG);
	assert_string_equal(d.err.msg, "expected SEQUENCE (constructed), found [128] (constructed)");
	c = sl_ber_dec_root(&d);
	assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
	assert_int_equal(sl_ber_enter(&d, &c, &t, &in_c), SL_BER_OK);
	assert_int_equal(in_c.depth, 1);
	for (v = 0; v < 64; v++) {
		assert_true(sl_ber_more(&in_c));
		assert_int_equal(sl_ber_next(&d, &in_c, &u), SL_BER_OK);
		assert_int_equal(sl_ber_get_null(&d, &u), SL_BER_OK);
	}
	assert_false(sl_ber_more(&in_c));
	assert_int_equal(sl_ber_done(&d, &in_c), SL_BER_OK);
	/* reading past the end of a value is a missing element, not truncation */
	assert_int_equal(sl_ber_next(&d, &in_c, &u), SL_BER_E_MISSING);
	assert_int_equal(d.err.offset, 133);
	free(big);

	/* BER indefinite: len excludes the EOC, size includes it */
	sl_ber_dec_init(&d, indef, sizeof(indef), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_true(t.indefinite);
	assert_int_equal(t.len, 3);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(sl_ber_tlv_size(&t), 7);
	c = sl_ber_dec_root(&d);
	assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
	assert_int_equal(sl_ber_enter(&d, &c, &t, &in_c), SL_BER_OK);
	assert_int_equal(sl_ber_next(&d, &in_c, &u), SL_BER_OK);
	assert_int_equal(sl_ber_get_int64(&d, &u, &v), SL_BER_OK);
	assert_int_equal(v, 5);
	assert_int_equal(sl_ber_done(&d, &in_c), SL_BER_OK);
	/* on error the cursor does not move */
	{
		static const uint8_t bad[] = { 0x05, 0x00, 0x04, 0x05 };
		struct sl_ber_cur before;

		sl_ber_dec_init(&d, bad, sizeof(bad), SL_BER_MODE_DER);
		c = sl_ber_dec_root(&d);
		assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
		before = c;
		assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_E_TRUNCATED);
		assert_ptr_equal(c.p, before.p);
		assert_int_equal(c.left, before.left);
		assert_int_equal(d.err.offset, 2);
		assert_int_equal(d.err.need, 7);
		assert_int_equal(d.err.have, 2);
	}
	/* primitive content entered as encapsulated BER */
	{
		static const uint8_t enc[] = { 0x04, 0x03, 0x02, 0x01, 0x2A };

		sl_ber_dec_init(&d, enc, sizeof(enc), SL_BER_MODE_DER);
		c = sl_ber_dec_root(&d);
		assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
		assert_int_equal(sl_ber_enter(&d, &c, &t, &in_c), SL_BER_OK);
		assert_int_equal(sl_ber_next(&d, &in_c, &u), SL_BER_OK);
		assert_int_equal(sl_ber_get_int64(&d, &u, &v), SL_BER_OK);
		assert_int_equal(v, 42);
	}
	/* a NULL input is an empty one */
	sl_ber_dec_init(&d, NULL, 10, SL_BER_MODE_DER);
	assert_int_equal(d.size, 0);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_TRUNCATED);
}

static void test_error_record(void **state)
{
	static const uint8_t in[] = { 0x30, 0x03, 0x04, 0x05, 0x41 };
	struct sl_ber_dec d;
	struct sl_ber_tlv t;
	char buf[128], small[8];
	size_t n;

	(void)state;
	sl_ber_dec_init(&d, in, sizeof(in), SL_BER_MODE_DER);
	assert_int_equal(full(in, sizeof(in), SL_BER_MODE_DER, &d.err), SL_BER_E_BAD_LENGTH);
	n = sl_ber_error_format(&d.err, buf, sizeof(buf));
	assert_string_equal(buf, "offset 0x2: length 5 exceeds the 1 bytes left in the enclosing value");
	assert_int_equal(n, strlen(buf));
	/* snprintf semantics */
	assert_int_equal(sl_ber_error_format(&d.err, small, sizeof(small)), n);
	assert_string_equal(small, "offset ");

	assert_int_equal(sl_ber_fail(&d, SL_BER_E_MISSING, NULL, "PSHeader without %s", "li-ID"),
			 SL_BER_E_MISSING);
	assert_int_equal(d.err.code, SL_BER_E_MISSING);
	assert_int_equal(d.err.offset, sizeof(in));
	assert_string_equal(d.err.msg, "PSHeader without li-ID");
	/* messages longer than the record are cut, NUL-terminated */
	sl_ber_fail(&d, SL_BER_E_BAD_VALUE, in + 1, "%0200d", 7);
	assert_int_equal(d.err.offset, 1);
	assert_int_equal(strlen(d.err.msg), sizeof(d.err.msg) - 1);

	/* DER: indefinite length message */
	sl_ber_dec_init(&d, (const uint8_t[]){ 0x30, 0x80, 0x00, 0x00 }, 4, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_INDEFINITE);
	assert_string_equal(d.err.msg, "indefinite length in DER");
}

static void one(struct sl_ber_dec *d, struct sl_ber_tlv *t, enum sl_ber_mode mode, const uint8_t *p,
		size_t n)
{
	sl_ber_dec_init(d, p, n, mode);
	assert_int_equal(sl_ber_single(d, t), SL_BER_OK);
}

static void test_getters(void **state)
{
	struct sl_ber_dec d;
	struct sl_ber_tlv t;
	int64_t v;
	uint64_t u;
	bool b;
	const uint8_t *p;
	const char *s;
	size_t n;
	unsigned unused;
	uint8_t copy[8];

	(void)state;
	/* the compound literal lives as long as this function's body */
#define ONE(mode, ...) one(&d, &t, mode, B(__VA_ARGS__), BN(__VA_ARGS__))
	/* INTEGER values around every octet boundary, both signs */
	ONE(SL_BER_MODE_DER, 0x02, 0x01, 0x80);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_int_equal(v, -128);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_E_BAD_VALUE);
	ONE(SL_BER_MODE_DER, 0x02, 0x02, 0xFF, 0x7F);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_int_equal(v, -129);
	ONE(SL_BER_MODE_DER, 0x02, 0x02, 0x00, 0x80);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_int_equal(v, 128);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_OK);
	assert_int_equal(u, 128);
	ONE(SL_BER_MODE_DER, 0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_true(v == INT64_MIN);
	ONE(SL_BER_MODE_DER, 0x02, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_true(v == INT64_MAX);
	ONE(SL_BER_MODE_DER, 0x02, 0x09, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_E_LIMIT);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_OK);
	assert_true(u == UINT64_MAX);
	ONE(SL_BER_MODE_DER, 0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_E_LIMIT);
	ONE(SL_BER_MODE_DER, 0x02, 0x09, 0xFF, 0x7F, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_E_LIMIT);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_E_BAD_VALUE);
	/* BER strips redundant sign octets before the 64-bit check */
	ONE(SL_BER_MODE_BER, 0x02, 0x0B, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_true(v == INT64_MIN);
	ONE(SL_BER_MODE_BER, 0x02, 0x0B, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	assert_int_equal(sl_ber_get_uint64(&d, &t, &u), SL_BER_OK);
	assert_true(u == UINT64_MAX);
	ONE(SL_BER_MODE_BER, 0x02, 0x03, 0xFF, 0xFF, 0xFF);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_OK);
	assert_int_equal(v, -1);
	/* range */
	ONE(SL_BER_MODE_DER, 0x0A, 0x01, 0x05);
	assert_int_equal(sl_ber_get_enum(&d, &t, &v), SL_BER_OK);
	assert_int_equal(v, 5);
	assert_int_equal(sl_ber_get_int_range(&d, &t, 0, 5, &v), SL_BER_OK);
	v = 99;
	assert_int_equal(sl_ber_get_int_range(&d, &t, 0, 4, &v), SL_BER_E_BAD_VALUE);
	assert_int_equal(v, 99);
	assert_string_equal(d.err.msg, "5 outside 0..4");
	assert_int_equal(sl_ber_get_int_range(&d, &t, 6, 10, &v), SL_BER_E_BAD_VALUE);
	/* implicitly tagged constructed where a primitive is read */
	ONE(SL_BER_MODE_DER, 0xA0, 0x03, 0x02, 0x01, 0x05);
	assert_int_equal(sl_ber_get_int64(&d, &t, &v), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_bool(&d, &t, &b), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_null(&d, &t), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_octets(&d, &t, &p, &n), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_bitstring(&d, &t, &p, &n, &unused), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_UTF8_STRING, &s, &n), SL_BER_E_BAD_TAG);
	/* DER: no constructed strings even under an implicit tag */
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_E_BAD_TAG);

	/* BOOLEAN */
	ONE(SL_BER_MODE_DER, 0x01, 0x01, 0xFF);
	assert_int_equal(sl_ber_get_bool(&d, &t, &b), SL_BER_OK);
	assert_true(b);
	ONE(SL_BER_MODE_DER, 0x81, 0x01, 0x00);
	assert_int_equal(sl_ber_get_bool(&d, &t, &b), SL_BER_OK);
	assert_false(b);
	ONE(SL_BER_MODE_BER, 0x01, 0x01, 0x01);
	assert_int_equal(sl_ber_get_bool(&d, &t, &b), SL_BER_OK);
	assert_true(b);

	/* strings: views and copies, segmented in BER */
	ONE(SL_BER_MODE_DER, 0x04, 0x03, 'a', 'b', 'c');
	assert_int_equal(sl_ber_get_octets(&d, &t, &p, &n), SL_BER_OK);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "abc", 3);
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, 3, &n), SL_BER_OK);
	assert_int_equal(n, 3);
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, 2, &n), SL_BER_E_LIMIT);
	ONE(SL_BER_MODE_BER, 0x24, 0x0A, 0x24, 0x04, 0x04, 0x02, 'a', 'b', 0x04, 0x02, 'c', 'd');
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(copy, "abcd", 4);
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, 3, &n), SL_BER_E_LIMIT);
	assert_int_equal(sl_ber_get_octets(&d, &t, &p, &n), SL_BER_E_BAD_TAG);
	ONE(SL_BER_MODE_BER, 0x24, 0x80, 0x04, 0x01, 'x', 0x24, 0x80, 0x04, 0x01, 'y', 0x00, 0x00, 0x00, 0x00);
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(copy, "xy", 2);
	ONE(SL_BER_MODE_BER, 0x24, 0x03, 0x84, 0x01, 'x');
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_E_BAD_TAG);
	ONE(SL_BER_MODE_BER, 0x24, 0x00);
	assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, 0, &n), SL_BER_OK);
	assert_int_equal(n, 0);

	/* restricted strings */
	ONE(SL_BER_MODE_DER, 0x0C, 0x02, 0xC3, 0xA9);
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_UTF8_STRING, &s, &n), SL_BER_OK);
	assert_int_equal(n, 2);
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_IA5_STRING, &s, &n), SL_BER_E_BAD_VALUE);
	assert_int_equal(d.err.offset, 2);
	assert_string_equal(d.err.msg, "byte 0xc3 not valid in IA5String");
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_TELETEX_STRING, &s, &n), SL_BER_E_LIMIT);
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_OCTET_STRING, &s, &n), SL_BER_E_LIMIT);
	ONE(SL_BER_MODE_DER, 0x0C, 0x00);
	assert_int_equal(sl_ber_get_text(&d, &t, SL_BER_TAG_UTF8_STRING, &s, &n), SL_BER_OK);
	assert_int_equal(n, 0);

	/* BIT STRING */
	ONE(SL_BER_MODE_DER, 0x03, 0x04, 0x06, 0x6E, 0x5D, 0xC0);
	assert_int_equal(sl_ber_get_bitstring(&d, &t, &p, &n, &unused), SL_BER_OK);
	assert_int_equal(n, 3);
	assert_int_equal(unused, 6);
	assert_int_equal(p[0], 0x6E);
	ONE(SL_BER_MODE_DER, 0x03, 0x01, 0x00);
	assert_int_equal(sl_ber_get_bitstring(&d, &t, &p, &n, &unused), SL_BER_OK);
	assert_int_equal(n, 0);
	assert_int_equal(unused, 0);
	ONE(SL_BER_MODE_BER, 0x03, 0x02, 0x07, 0xFF);
	assert_int_equal(sl_ber_get_bitstring(&d, &t, &p, &n, &unused), SL_BER_OK);
	assert_int_equal(unused, 7);
#undef ONE
}

/* n SEQUENCEs around a NULL; TLVs sit at depths 0..n. */
static uint8_t *nest(size_t levels, bool indefinite, size_t *len)
{
	size_t cap = levels * 8 + 2, i;
	uint8_t *buf = malloc(cap), *out;
	struct sl_ber_w w;
	const uint8_t *p;

	assert_non_null(buf);
	if (indefinite) {
		for (i = 0; i < levels; i++) {
			buf[2 * i] = 0x30;
			buf[2 * i + 1] = 0x80;
		}
		buf[2 * levels] = 0x05;
		buf[2 * levels + 1] = 0x00;
		memset(buf + 2 * levels + 2, 0, 2 * levels);
		*len = 4 * levels + 2;
		return buf;
	}
	{
		size_t *marks = malloc((levels + 1) * sizeof(*marks));

		sl_ber_w_init(&w, buf, cap);
		for (i = 0; i < levels; i++)
			marks[i] = sl_ber_w_mark(&w);
		sl_ber_w_null(&w, SL_BER_UNIVERSAL, SL_BER_TAG_NULL);
		for (i = levels; i-- > 0;)
			sl_ber_w_close(&w, marks[i], SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
		free(marks);
	}
	assert_true(sl_ber_w_result(&w, &p, len));
	out = t_exact(p, *len);
	free(buf);
	return out;
}

static enum sl_ber_walk_ret visit_count(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
					unsigned depth, size_t offset)
{
	unsigned *max = arg;

	(void)d;
	(void)t;
	(void)offset;
	if (depth > *max)
		*max = depth;
	return SL_BER_WALK_DESCEND;
}

static enum sl_ber_err walk_depth(const uint8_t *p, size_t n, enum sl_ber_mode mode, unsigned max_depth,
				  unsigned *deepest, size_t *offset)
{
	struct sl_ber_dec d;
	enum sl_ber_err e;

	sl_ber_dec_init(&d, p, n, mode);
	if (max_depth)
		d.max_depth = max_depth;
	*deepest = 0;
	e = sl_ber_walk(&d, sl_ber_dec_root(&d), visit_count, deepest);
	*offset = d.err.offset;
	return e;
}

static void test_depth(void **state)
{
	uint8_t *p;
	size_t n, off;
	unsigned deepest;

	(void)state;
	/* default 32: TLVs at depth 31 pass, depth 32 is refused where it starts */
	p = nest(31, false, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 0, &deepest, &off), SL_BER_OK);
	assert_int_equal(deepest, 31);
	free(p);
	p = nest(32, false, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 0, &deepest, &off), SL_BER_E_TOO_DEEP);
	assert_int_equal(off, 64);
	assert_int_equal(deepest, 31);
	free(p);
	/* a configured limit */
	p = nest(3, false, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 4, &deepest, &off), SL_BER_OK);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 3, &deepest, &off), SL_BER_E_TOO_DEEP);
	assert_int_equal(off, 6);
	free(p);
	/* above the cap, the cap applies */
	p = nest(255, false, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 100000, &deepest, &off), SL_BER_OK);
	assert_int_equal(deepest, 255);
	free(p);
	p = nest(256, false, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 100000, &deepest, &off), SL_BER_E_TOO_DEEP);
	assert_int_equal(deepest, 255);
	free(p);
	/* indefinite nesting is refused by the scan at the same boundary */
	p = nest(3, true, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_BER, 4, &deepest, &off), SL_BER_OK);
	assert_int_equal(deepest, 3);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_BER, 3, &deepest, &off), SL_BER_E_TOO_DEEP);
	assert_int_equal(off, 6);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_DER, 4, &deepest, &off), SL_BER_E_INDEFINITE);
	free(p);
	p = nest(40, true, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_BER, 0, &deepest, &off), SL_BER_E_TOO_DEEP);
	assert_int_equal(off, 64);
	free(p);
	p = nest(255, true, &n);
	assert_int_equal(walk_depth(p, n, SL_BER_MODE_BER, 256, &deepest, &off), SL_BER_OK);
	assert_int_equal(deepest, 255);
	free(p);
	/* segmented strings nest too, and are bounded by the same limit */
	{
		uint8_t s[2 * 40 + 3 + 2 * 40];
		uint8_t copy[4];
		struct sl_ber_dec d;
		struct sl_ber_tlv t;
		size_t i, k = 0;

		for (i = 0; i < 40; i++) {
			s[k++] = 0x24;
			s[k++] = 0x80;
		}
		s[k++] = 0x04;
		s[k++] = 0x01;
		s[k++] = 'z';
		memset(s + k, 0, 80);
		k += 80;
		sl_ber_dec_init(&d, s, k, SL_BER_MODE_BER);
		d.max_depth = 64;
		assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
		assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_OK);
		assert_int_equal(n, 1);
		d.max_depth = 20;
		assert_int_equal(sl_ber_get_octets_copy(&d, &t, copy, sizeof(copy), &n), SL_BER_E_TOO_DEEP);
	}
}

static void test_max_len(void **state)
{
	struct sl_ber_dec d;
	struct sl_ber_tlv t;

	(void)state;
	sl_ber_dec_init(&d, B(0x04, 0x03, 1, 2, 3), 5, SL_BER_MODE_DER);
	d.max_len = 3;
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	sl_ber_dec_init(&d, B(0x04, 0x04, 1, 2, 3, 4), 6, SL_BER_MODE_DER);
	d.max_len = 3;
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_BAD_LENGTH);
	assert_string_equal(d.err.msg, "length 4 exceeds the maximum 3");
	/* checked before the fit, so a huge claim is not mistaken for a short read */
	sl_ber_dec_init(&d, B(0x04, 0x84, 0x7F, 0xFF, 0xFF, 0xFF), 6, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_BAD_LENGTH);
	sl_ber_dec_init(&d, B(0x04, 0x84, 0x04, 0x00, 0x00, 0x00), 6, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_TRUNCATED);
	assert_int_equal(d.err.need, 6 + SL_BER_DEFAULT_MAX_LEN);
}

/* Valid encodings for the truncation and mutation tests. */
struct golden {
	const uint8_t *p;
	size_t n;
	enum sl_ber_err der; /* what DER mode says; BER accepts them all */
};

/* clang-format off */
static const struct golden goldens[] = {
	{ V(0x02, 0x01, 0x05), SL_BER_OK },
	{ V(0x02, 0x02, 0x00, 0x80), SL_BER_OK },
	{ V(0x02, 0x09, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), SL_BER_OK },
	{ V(0x01, 0x01, 0xFF), SL_BER_OK },
	{ V(0x05, 0x00), SL_BER_OK },
	{ V(0x9F, 0x81, 0x00, 0x00), SL_BER_OK },
	{ V(0xDF, 0xFF, 0xFF, 0xFF, 0x7F, 0x01, 0xAA), SL_BER_OK },
	{ V(0x03, 0x04, 0x06, 0x6E, 0x5D, 0xC0), SL_BER_OK },
	{ V(0x06, 0x06, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D), SL_BER_OK },
	{ V(0x06, 0x05, 0x90, 0x80, 0x80, 0x80, 0x4F), SL_BER_OK },
	{ V(0x0C, 0x04, 0xF0, 0x9F, 0x98, 0x80), SL_BER_OK },
	{ V(0x13, 0x02, 'D', 'E'), SL_BER_OK },
	{ V(0x18, 0x13, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '1', '2', '3', 'Z'), SL_BER_OK },
	{ V(0x17, 0x0D, '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z'), SL_BER_OK },
	{ V(0x30, 0x0C, 0x02, 0x01, 0x05, 0xA1, 0x03, 0x01, 0x01, 0xFF, 0x04, 0x02, 0x68, 0x69), SL_BER_OK },
	{ V(0x30, 0x13, 0x06, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x0D, 0x81, 0x03, 0x41, 0x42, 0x43,
	    0xA2, 0x03, 0x02, 0x01, 0x05), SL_BER_OK },
	{ V(0x30, 0x81, 0x80, 0x04, 0x7E,
	    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0), SL_BER_OK },
	{ V(0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00), SL_BER_E_INDEFINITE },
	{ V(0x30, 0x80, 0x30, 0x80, 0x00, 0x00, 0x04, 0x01, 0x41, 0x00, 0x00), SL_BER_E_INDEFINITE },
	{ V(0x24, 0x80, 0x04, 0x02, 0x61, 0x62, 0x04, 0x01, 0x63, 0x00, 0x00), SL_BER_E_INDEFINITE },
	{ V(0x30, 0x81, 0x05, 0x02, 0x82, 0x00, 0x01, 0x05), SL_BER_E_NON_MINIMAL },
};
/* clang-format on */

static void test_goldens_decode(void **state)
{
	size_t i;
	struct sl_ber_error err;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];
		uint8_t *p = t_exact(g->p, g->n);

		assert_int_equal(full(p, g->n, SL_BER_MODE_BER, &err), SL_BER_OK);
		assert_int_equal(full(p, g->n, SL_BER_MODE_DER, &err), g->der);
		free(p);
	}
}

/* Header of a definite-length TLV, or 0 if it is cut or indefinite. */
static size_t definite_size(const uint8_t *p, size_t n)
{
	size_t i = 1, len = 0, k;

	if (n < 1)
		return 0;
	if ((p[0] & 0x1F) == 0x1F) {
		while (i < n && (p[i] & 0x80))
			i++;
		i++;
	}
	if (i >= n || p[i] == 0x80)
		return 0;
	if (p[i] < 0x80)
		return i + 1 + p[i];
	k = p[i] & 0x7F;
	if (i + 1 + k > n)
		return 0;
	for (size_t j = 0; j < k; j++)
		len = (len << 8) | p[i + 1 + j];
	return i + 1 + k + len;
}

static void test_every_truncation(void **state)
{
	size_t i, k;
	unsigned m;
	struct sl_ber_error err;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];

		for (k = 0; k < g->n; k++) {
			for (m = 0; m < 2; m++) {
				enum sl_ber_mode mode = m ? SL_BER_MODE_BER : SL_BER_MODE_DER;
				uint8_t *p = t_exact(g->p, k), *wrapped;
				struct sl_ber_dec d;
				struct sl_ber_tlv t;
				enum sl_ber_err e, want;
				size_t need;
				char dump[512];

				if (g->der && !m) {
					free(p);
					continue;
				}
				/* at the top level: always a short read, with need/have when known */
				sl_ber_dec_init(&d, p, k, mode);
				e = sl_ber_single(&d, &t);
				assert_int_equal(e, SL_BER_E_TRUNCATED);
				need = definite_size(g->p, k);
				assert_int_equal(d.err.need, need);
				assert_int_equal(d.err.have, k);
				e = full(p, k, mode, &err);
				if (e != SL_BER_E_TRUNCATED)
					print_error("golden %zu cut %zu mode %u: %s\n", i, k, m, sl_ber_err_name(e));
				assert_int_equal(e, SL_BER_E_TRUNCATED);
				sl_ber_dec_init(&d, p, k, mode);
				sl_ber_dump_buf(&d, sl_ber_dec_root(&d), dump, sizeof(dump), NULL, &e);
				/* (an empty region holds no TLV: nothing to dump) */
				assert_int_equal(e, k ? SL_BER_E_TRUNCATED : SL_BER_OK);
				assert_true(k == 0 || strstr(dump, "!! offset") != NULL);
				free(p);

				/* inside a parent whose length covers exactly the cut: the child lies */
				wrapped = malloc(k + 2);
				wrapped[0] = 0xA0;
				wrapped[1] = (uint8_t)k;
				memcpy(wrapped + 2, g->p, k);
				want = k == 0 ? SL_BER_OK : SL_BER_E_BAD_LENGTH;
				if (k < 128) {
					e = full(wrapped, k + 2, mode, &err);
					if (e != want)
						print_error("golden %zu cut %zu: %s (%s)\n", i, k,
							    sl_ber_err_name(e), err.msg);
					assert_int_equal(e, want);
					/* at the cut child; inside an indefinite one, at the inner value cut */
					if (k && !g->der)
						assert_int_equal(err.offset, 2);
					if (k)
						assert_true(err.offset >= 2 && err.offset <= k + 2);
				}
				free(wrapped);
			}
		}
	}
}

/* Every result of every getter on every TLV, checked for consistency. */
struct chaos {
	const uint8_t *base;
	size_t size;
	unsigned tlvs;
};

static void in_input(const struct chaos *c, const uint8_t *p, size_t n)
{
	assert_true(p >= c->base);
	assert_true((size_t)(p - c->base) <= c->size);
	assert_true(n <= c->size - (size_t)(p - c->base));
}

static enum sl_ber_walk_ret visit_chaos(void *arg, struct sl_ber_dec *d, const struct sl_ber_tlv *t,
					unsigned depth, size_t offset)
{
	struct chaos *c = arg;
	uint8_t copy[64];
	uint32_t arcs[8];
	char text[32];
	const uint8_t *p;
	const char *s;
	struct sl_ber_time tm;
	int64_t i;
	uint64_t u;
	size_t n;
	unsigned unused;
	bool b;
	enum sl_ber_err e;

	c->tlvs++;
	assert_true(depth < d->max_depth);
	assert_true(offset < c->size);
	in_input(c, sl_ber_tlv_start(t), sl_ber_tlv_size(t));
	if (!t->constructed) {
		if (sl_ber_get_int64(d, t, &i) == SL_BER_OK)
			assert_true(t->len >= 1);
		(void)sl_ber_get_uint64(d, t, &u);
		(void)sl_ber_get_int_range(d, t, -5, 5, &i);
		if (sl_ber_get_bool(d, t, &b) == SL_BER_OK)
			assert_int_equal(t->len, 1);
		if (sl_ber_get_null(d, t) == SL_BER_OK)
			assert_int_equal(t->len, 0);
		assert_int_equal(sl_ber_get_octets(d, t, &p, &n), SL_BER_OK);
		in_input(c, p, n);
		if (sl_ber_get_bitstring(d, t, &p, &n, &unused) == SL_BER_OK) {
			in_input(c, p, n);
			assert_true(unused < 8);
		}
		if (sl_ber_get_oid(d, t, arcs, 8, &n) == SL_BER_OK)
			assert_true(n >= 2 && n <= 8);
		e = sl_ber_get_oid_text(d, t, text, sizeof(text));
		if (e == SL_BER_OK || e == SL_BER_E_LIMIT)
			assert_true(strlen(text) < sizeof(text));
		if (sl_ber_get_text(d, t, SL_BER_TAG_UTF8_STRING, &s, &n) == SL_BER_OK)
			in_input(c, (const uint8_t *)s, n);
		(void)sl_ber_get_text(d, t, SL_BER_TAG_PRINTABLE_STRING, &s, &n);
	}
	e = sl_ber_get_octets_copy(d, t, copy, sizeof(copy), &n);
	if (e == SL_BER_OK)
		assert_true(n <= sizeof(copy));
	if (sl_ber_get_generalized_time(d, t, &tm) == SL_BER_OK)
		assert_true(tm.usec < 1000000);
	if (sl_ber_get_utc_time(d, t, &tm) == SL_BER_OK)
		assert_true(tm.usec == 0);
	assert_true(d->err.code < SL_BER_E__COUNT);
	return SL_BER_WALK_DESCEND;
}

static void chaos_decode(const uint8_t *src, size_t n)
{
	unsigned m;

	for (m = 0; m < 2; m++) {
		uint8_t *p = t_exact(src, n);
		struct chaos c = { .base = p, .size = n };
		struct sl_ber_dec d;
		struct sl_ber_tlv t;
		char dump[256];
		enum sl_ber_err e, e2;
		size_t need;

		sl_ber_dec_init(&d, p, n, m ? SL_BER_MODE_BER : SL_BER_MODE_DER);
		e = sl_ber_walk(&d, sl_ber_dec_root(&d), visit_chaos, &c);
		assert_true(e < SL_BER_E__COUNT);
		if (e) {
			assert_int_equal(d.err.code, e);
			assert_true(d.err.offset <= n);
		}
		need = sl_ber_dump_buf(&d, sl_ber_dec_root(&d), dump, sizeof(dump), NULL, &e2);
		assert_int_equal(e2, e);
		assert_true(strlen(dump) == (need < sizeof(dump) ? need : sizeof(dump) - 1));
		e = sl_ber_single(&d, &t);
		assert_true(e < SL_BER_E__COUNT);
		free(p);
	}
}

static const uint8_t alphabet[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0A, 0x0C, 0x13,
				    0x17, 0x18, 0x1F, 0x24, 0x2C, 0x30, 0x31, 0x38, 0x7F, 0x80,
				    0x81, 0x82, 0x84, 0x9F, 0xA0, 0xBF, 0xFF, '0', '1', 'Z' };

static void test_random_garbage(void **state)
{
	uint8_t buf[64];
	unsigned iter;
	size_t n, j;

	(void)state;
	t_seed(0x5EED0001);
	for (iter = 0; iter < 20000; iter++) {
		n = (size_t)t_below(sizeof(buf) + 1);
		for (j = 0; j < n; j++)
			buf[j] = (iter & 1) ? (uint8_t)t_rng() : alphabet[t_below(sizeof(alphabet))];
		chaos_decode(buf, n);
	}
}

static void test_mutations(void **state)
{
	uint8_t buf[160];
	unsigned iter, k;
	size_t i, n, at;

	(void)state;
	t_seed(0x5EED0002);
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		for (iter = 0; iter < 400; iter++) {
			n = goldens[i].n;
			memcpy(buf, goldens[i].p, n);
			for (k = 0; k < 1 + t_below(3); k++) {
				at = n ? (size_t)t_below(n) : 0;
				switch (t_below(4)) {
				case 0: /* overwrite */
					if (n)
						buf[at] = alphabet[t_below(sizeof(alphabet))];
					break;
				case 1: /* flip a bit */
					if (n)
						buf[at] ^= (uint8_t)(1u << t_below(8));
					break;
				case 2: /* insert */
					if (n < sizeof(buf)) {
						memmove(buf + at + 1, buf + at, n - at);
						buf[at] = (uint8_t)t_rng();
						n++;
					}
					break;
				default: /* delete */
					if (n) {
						memmove(buf + at, buf + at + 1, n - at - 1);
						n--;
					}
					break;
				}
			}
			chaos_decode(buf, n);
		}
	}
}

/*
 * sl_ber_frame_resume: fed one more octet per call with the same state,
 * it answers as sl_ber_next does on each prefix (truncated until the
 * value is complete, then its size), and refuses what sl_ber_next
 * refuses. The value (X.690 8.1.3.6):
 *   30 80              SEQUENCE, indefinite
 *     04 01 41         OCTET STRING 'A'
 *     30 80            SEQUENCE, indefinite
 *       02 01 05       INTEGER 5
 *     00 00            end of the inner SEQUENCE
 *   00 00              end of the outer one
 */
static void test_frame_resume(void **state)
{
	static const uint8_t v[] = { 0x30, 0x80, 0x04, 0x01, 0x41, 0x30, 0x80, 0x02,
				     0x01, 0x05, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bad_eoc[] = { 0x30, 0x80, 0x00, 0x01 };		  /* 00 with a length: not EOC */
	static const uint8_t primitive[] = { 0x30, 0x80, 0x04, 0x80, 0x00, 0x00 }; /* indefinite primitive */
	struct sl_ber_resume r;
	struct sl_ber_dec d;
	size_t k, total = 0;
	uint8_t deep[2 * 40];

	(void)state;
	memset(&r, 0, sizeof(r));
	for (k = 0; k <= sizeof(v); k++) {
		uint8_t *b = malloc(k ? k : 1); /* exactly sized */

		assert_non_null(b);
		memcpy(b, v, k);
		sl_ber_dec_init(&d, b, k, SL_BER_MODE_BER);
		if (k < sizeof(v)) {
			assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_TRUNCATED);
		} else {
			assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_OK);
			assert_int_equal(total, sizeof(v));
		}
		free(b);
	}
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&d, bad_eoc, sizeof(bad_eoc), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_BAD_TAG);
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&d, primitive, sizeof(primitive), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_INDEFINITE);
	/* DER refuses the indefinite form at once */
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&d, v, sizeof(v), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_INDEFINITE);
	/* 40 nested indefinite SEQUENCEs: beyond the default depth of 32, however they arrive */
	for (k = 0; k < 40; k++) {
		deep[2 * k] = 0x30;
		deep[2 * k + 1] = 0x80;
	}
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&d, deep, 20, SL_BER_MODE_BER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_TRUNCATED);
	sl_ber_dec_init(&d, deep, sizeof(deep), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_E_TOO_DEEP);
	/* a definite value needs no state */
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&d, v + 2, 3, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_frame_resume(&d, &r, &total), SL_BER_OK);
	assert_int_equal(total, 3);
	assert_false(r.started);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_tlv_fields),
		cmocka_unit_test(test_error_record),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_goldens_decode),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_frame_resume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
