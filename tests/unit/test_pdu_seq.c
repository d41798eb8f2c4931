/*
 * The table-driven SEQUENCE walker of the PDU decoders
 * (handover/pdu_seq.c, sl_pd_seq()), on descriptors made for the test
 * rather than the ETSI ones, so each rule is seen alone: every reader
 * kind and a handler fill their fields; a missing mandatory component
 * (the first of the definition, qualified with the type's name or not),
 * a component out of order or repeated, a repeat in a
 * SL_PD_REPEAT_UNSUPPORTED type, an unknown tag or class, a nested
 * SEQUENCE and its own errors, a primitive where a SEQUENCE belongs,
 * every truncation (from exactly sized buffers, so AddressSanitizer sees
 * any overread) and a reader's error before a missing component. Each
 * error is checked for its class, its message and the offset it names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handover/pdu_decode_int.h"

struct inner {
	int x;
	struct sl_pdu_bytes y;
};

struct rec {
	int a;
	struct sl_pdu_bytes b;
	struct inner in;
	uint32_t u;
	char oid[24];
	char cc[3];
	int calls;			/* handler */
};

static int handler(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	int *calls = out; /* SL_PD_CALL_ON hands over the field, not the record */

	(*calls)++;
	if (t->len == 1 && t->val[0] == 0xee)
		return sl_pd_bad(s, t, "handler refuses 0xee");
	return 0;
}

static const struct sl_pd_comp inner_comp[] = {
	{ 0, "x", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct inner, x, 0, 9) },
	{ 1, "y", SL_PD_OPTIONAL, SL_PD_BYTES_AT(struct inner, y, 1, 8) },
};
static const struct sl_pd_seq inner_seq = {
	.name = "Inner", SL_PD_COMPONENTS(inner_comp),
};

static int inner_at(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	return sl_pd_seq(s, c, t, "inner", &inner_seq, out);
}

/* Outer ::= SEQUENCE { a [0] M, b [2] O, inner [3] M, u [5] O, oid [6] O, cc [7] O, call [9] O } */
static const struct sl_pd_comp outer_comp[] = {
	{ 0, "a", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct rec, a, 0, 3) },
	{ 2, "b", SL_PD_OPTIONAL, SL_PD_BYTES_AT(struct rec, b, 1, 4) },
	{ 3, "inner", SL_PD_MANDATORY, SL_PD_CALL_ON(struct rec, in, struct inner, inner_at) },
	{ 5, "u", SL_PD_OPTIONAL, SL_PD_U32_AT(struct rec, u) },
	{ 6, "oid", SL_PD_OPTIONAL, SL_PD_OID_AT(struct rec, oid) },
	{ 7, "cc", SL_PD_OPTIONAL, SL_PD_PRINTABLE_AT(struct rec, cc, 2, 2) },
	{ 9, "call", SL_PD_OPTIONAL, SL_PD_CALL_ON(struct rec, calls, int, handler) },
};
static const struct sl_pd_seq outer = {
	.name = "Outer", SL_PD_COMPONENTS(outer_comp), .qualify_missing = true,
};

/* The same shape with the inner SEQUENCE as a nested descriptor (named by its component). */
static const struct sl_pd_comp nested_comp[] = {
	{ 0, "a", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct rec, a, 0, 3) },
	{ 3, "inner", SL_PD_MANDATORY, SL_PD_NESTED_ON(struct rec, in, struct inner, inner_seq) },
};
static const struct sl_pd_seq nested = {
	.name = "Nested", SL_PD_COMPONENTS(nested_comp),
};

/* Once ::= SEQUENCE { op [0] M }: a second op is an extension we do not decode. */
static const struct sl_pd_comp once_comp[] = {
	{ 0, "op", SL_PD_MANDATORY, SL_PD_BYTES_AT(struct rec, b, 1, 4) },
};
static const struct sl_pd_seq once = {
	.name = "Once", SL_PD_COMPONENTS(once_comp), .repeat = SL_PD_REPEAT_UNSUPPORTED,
};

struct result {
	int rc;
	bool unsupported;
	enum sl_ber_err code;
	size_t offset;
	char msg[160];
};

/* The exact copy the last walk read; views in its output point into it. */
static uint8_t *walked;

static int release(void **state)
{
	(void)state;
	free(walked);
	walked = NULL;
	return 0;
}

/* Walk the one TLV filling p[0..n) (copied to an exact buffer) with d. */
static struct result walk(const uint8_t *p, size_t n, const struct sl_pd_seq *d, void *out)
{
	struct sl_pdu_dec s;
	struct sl_ber_tlv top;
	struct sl_ber_cur root;
	struct result r;
	uint8_t *b;

	release(NULL);
	b = walked = malloc(n ? n : 1);
	assert_non_null(b);
	memcpy(b, p, n);
	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	sl_ber_dec_init(&s.d, b, n, SL_BER_MODE_DER);
	root = sl_ber_dec_root(&s.d);
	if (sl_ber_single(&s.d, &top) != SL_BER_OK)
		r.rc = -1;
	else
		r.rc = sl_pd_seq(&s, &root, &top, "outer", d, out);
	r.unsupported = s.unsupported;
	r.code = s.d.err.code;
	r.offset = s.d.err.offset;
	snprintf(r.msg, sizeof(r.msg), "%s", s.d.err.msg);
	return r;
}

/* The walk failed with this class, offset and message (unsupported: -ENOTSUP rather than -EBADMSG). */
static void fails(const struct result *r, bool unsupported, enum sl_ber_err code, size_t offset, const char *msg)
{
	assert_int_equal(r->rc, -1);
	assert_int_equal(r->unsupported, unsupported);
	assert_int_equal(r->code, code);
	assert_int_equal(r->offset, offset);
	assert_string_equal(r->msg, msg);
}

/* Wrap content in a TLV with a one-octet identifier and short length. */
static size_t tlv(uint8_t *out, uint8_t id, const uint8_t *content, size_t n)
{
	assert_true(n < 128);
	out[0] = id;
	out[1] = (uint8_t)n;
	memcpy(out + 2, content, n);
	return n + 2;
}

/* SEQUENCE { parts } into out. */
static size_t seq_of(uint8_t *out, const uint8_t *parts, size_t n)
{
	return tlv(out, 0x30, parts, n);
}

static const uint8_t c_a[] = { 0x80, 0x01, 0x02 };
static const uint8_t c_b[] = { 0x82, 0x02, 'h', 'i' };
static const uint8_t c_inner[] = { 0xa3, 0x06, 0x80, 0x01, 0x05, 0x81, 0x01, 'z' };
static const uint8_t c_u[] = { 0x85, 0x02, 0x01, 0x00 };
static const uint8_t c_oid[] = { 0x86, 0x03, 0x04, 0x00, 0x02 };
static const uint8_t c_cc[] = { 0x87, 0x02, 'D', 'E' };
static const uint8_t c_call[] = { 0x89, 0x01, 0x42 };

/* Concatenate components (pointer, length pairs; NULL ends) into a SEQUENCE. */
static size_t vbuild(uint8_t *out, va_list ap)
{
	uint8_t parts[256];
	size_t n = 0;
	const uint8_t *p;

	while ((p = va_arg(ap, const uint8_t *)) != NULL) {
		size_t len = va_arg(ap, size_t);

		assert_true(n + len <= sizeof(parts));
		memcpy(parts + n, p, len);
		n += len;
	}
	return seq_of(out, parts, n);
}

static size_t build(uint8_t *out, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, out);
	n = vbuild(out, ap);
	va_end(ap);
	return n;
}

/* Build a SEQUENCE of the parts and walk it with d. */
static struct result run(const struct sl_pd_seq *d, void *out, ...)
{
	uint8_t b[260];
	va_list ap;
	size_t n;

	va_start(ap, out);
	n = vbuild(b, ap);
	va_end(ap);
	return walk(b, n, d, out);
}

#define C(x) (x), sizeof(x)

static void test_all_components(void **state)
{
	struct rec r;
	struct result res;

	(void)state;
	memset(&r, 0, sizeof(r));
	res = run(&outer, &r, C(c_a), C(c_b), C(c_inner), C(c_u), C(c_oid), C(c_cc), C(c_call), NULL);
	assert_int_equal(res.rc, 0);
	assert_int_equal(res.code, SL_BER_OK);
	assert_int_equal(r.a, 2);
	assert_int_equal(r.b.n, 2);
	assert_memory_equal(r.b.p, "hi", 2);
	assert_int_equal(r.in.x, 5);
	assert_int_equal(r.in.y.n, 1);
	assert_int_equal(r.u, 256);
	assert_string_equal(r.oid, "0.4.0.2");
	assert_string_equal(r.cc, "DE");
	assert_int_equal(r.calls, 1);

	/* only the mandatory ones */
	memset(&r, 0, sizeof(r));
	res = run(&outer, &r, C(c_a), C(c_inner), NULL);
	assert_int_equal(res.rc, 0);
	assert_int_equal(r.calls, 0);
	assert_null(r.b.p);
}

static void test_missing(void **state)
{
	struct rec r;
	struct result res;

	(void)state;
	/* a missing: reported at the SEQUENCE, qualified with the type's name */
	memset(&r, 0, sizeof(r));
	res = run(&outer, &r, C(c_b), C(c_inner), NULL);
	fails(&res, false, SL_BER_E_MISSING, 0, "Outer a missing");

	/* both mandatory ones missing: the first of the definition is named */
	res = run(&outer, &r, C(c_u), NULL);
	fails(&res, false, SL_BER_E_MISSING, 0, "Outer a missing");
	res = run(&outer, &r, C(c_a), C(c_u), NULL);
	fails(&res, false, SL_BER_E_MISSING, 0, "Outer inner missing");

	/* an empty SEQUENCE */
	res = run(&outer, &r, NULL);
	fails(&res, false, SL_BER_E_MISSING, 0, "Outer a missing");

	/* inside the nested one: unqualified, at the nested SEQUENCE's offset */
	{
		static const uint8_t inner_no_x[] = { 0xa3, 0x03, 0x81, 0x01, 'z' };

		res = run(&outer, &r, C(c_a), C(inner_no_x), NULL);
		fails(&res, false, SL_BER_E_MISSING, 2 + sizeof(c_a), "x missing");
	}

	/* a reader's error comes first: missing is only decided after the last element */
	{
		static const uint8_t b_too_long[] = { 0x82, 0x05, 1, 2, 3, 4, 5 };

		res = run(&outer, &r, C(b_too_long), NULL);
		fails(&res, false, SL_BER_E_BAD_VALUE, 2, "b of 5 octets, allowed 1..4");
	}
}

static void test_order(void **state)
{
	struct rec r;
	struct result res;

	(void)state;
	memset(&r, 0, sizeof(r));
	/* wrong order: b [2] before a [0] */
	res = run(&outer, &r, C(c_b), C(c_a), C(c_inner), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_b), "[0] repeated or out of order in Outer");

	/* a duplicate */
	res = run(&outer, &r, C(c_a), C(c_b), C(c_b), C(c_inner), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_a) + sizeof(c_b), "[2] repeated or out of order in Outer");

	/* a duplicate where a repeat is an extension we do not decode */
	{
		static const uint8_t op[] = { 0x80, 0x01, 'x' };

		res = run(&once, &r, C(op), NULL);
		assert_int_equal(res.rc, 0);
		res = run(&once, &r, C(op), C(op), NULL);
		fails(&res, true, SL_BER_E_LIMIT, 2 + sizeof(op), "unsupported [0] in Once");
	}
}

static void test_unknown(void **state)
{
	struct rec r;
	struct result res;
	static const uint8_t c_unknown[] = { 0x84, 0x01, 0x00 };	/* [4]: not in the definition */
	static const uint8_t c_int[] = { 0x02, 0x01, 0x00 };		/* a universal INTEGER */
	static const uint8_t c_app[] = { 0x40, 0x00 };			/* [APPLICATION 0] */

	(void)state;
	memset(&r, 0, sizeof(r));
	res = run(&outer, &r, C(c_a), C(c_unknown), C(c_inner), NULL);
	fails(&res, true, SL_BER_E_LIMIT, 2 + sizeof(c_a), "unsupported [4] in Outer");

	/* an unknown tag is found before a missing component is decided */
	res = run(&outer, &r, C(c_unknown), NULL);
	fails(&res, true, SL_BER_E_LIMIT, 2, "unsupported [4] in Outer");

	res = run(&outer, &r, C(c_a), C(c_int), NULL);
	assert_true(res.unsupported);
	assert_non_null(strstr(res.msg, "unsupported INTEGER in Outer"));

	res = run(&outer, &r, C(c_app), NULL);
	assert_true(res.unsupported);
	assert_non_null(strstr(res.msg, "in Outer"));
}

static void test_nested(void **state)
{
	struct rec r;
	struct result res;
	static const uint8_t inner_order[] = { 0xa3, 0x06, 0x81, 0x01, 'z', 0x80, 0x01, 0x05 };
	static const uint8_t inner_prim[] = { 0x83, 0x01, 0x00 };
	static const uint8_t inner_x_big[] = { 0xa3, 0x03, 0x80, 0x01, 0x0a };

	(void)state;
	/* a nested descriptor reads into the field its component names */
	memset(&r, 0, sizeof(r));
	res = run(&nested, &r, C(c_a), C(c_inner), NULL);
	assert_int_equal(res.rc, 0);
	assert_int_equal(r.a, 2);
	assert_int_equal(r.in.x, 5);
	assert_int_equal(r.in.y.n, 1);

	/* errors inside name the inner type and the inner TLV */
	res = run(&outer, &r, C(c_a), C(inner_order), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_a) + 2 + 3, "[0] repeated or out of order in Inner");
	res = run(&nested, &r, C(c_a), C(inner_order), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_a) + 2 + 3, "[0] repeated or out of order in Inner");

	res = run(&outer, &r, C(c_a), C(inner_x_big), NULL);
	fails(&res, false, SL_BER_E_BAD_VALUE, 2 + sizeof(c_a) + 2, "x value 10 outside 0..9");

	/* a primitive where the SEQUENCE belongs: named as the caller or the component names it */
	res = run(&outer, &r, C(c_a), C(inner_prim), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_a), "inner must be constructed");
	res = run(&nested, &r, C(c_a), C(inner_prim), NULL);
	fails(&res, false, SL_BER_E_BAD_TAG, 2 + sizeof(c_a), "inner must be constructed");

	/* the top itself primitive */
	{
		static const uint8_t prim[] = { 0x04, 0x00 };

		res = walk(prim, sizeof(prim), &outer, &r);
		fails(&res, false, SL_BER_E_BAD_TAG, 0, "outer must be constructed");
	}

	/* a handler's error is the walk's */
	{
		static const uint8_t call_ee[] = { 0x89, 0x01, 0xee };

		memset(&r, 0, sizeof(r));
		res = run(&outer, &r, C(c_a), C(c_inner), C(call_ee), NULL);
		assert_int_equal(r.calls, 1);
		fails(&res, false, SL_BER_E_BAD_VALUE, 2 + sizeof(c_a) + sizeof(c_inner), "handler refuses 0xee");
	}
}

/*
 * Every cut of a valid walk fails cleanly; so does every cut of the
 * SEQUENCE's content with its length adjusted, except where the cut falls
 * between components after the last mandatory one.
 */
static void test_truncated(void **state)
{
	static const size_t sizes[] = { sizeof(c_a), sizeof(c_b), sizeof(c_inner), sizeof(c_u),
					sizeof(c_oid), sizeof(c_cc), sizeof(c_call) };
	uint8_t b[256], c[256];
	struct rec r;
	struct result res;
	size_t n = build(b, C(c_a), C(c_b), C(c_inner), C(c_u), C(c_oid), C(c_cc), C(c_call), NULL);
	size_t cut, k, edge;
	bool complete;

	(void)state;
	for (cut = 0; cut < n; cut++) {
		memset(&r, 0, sizeof(r));
		res = walk(b, cut, &outer, &r);
		assert_int_equal(res.rc, -1);
		assert_int_not_equal(res.code, SL_BER_OK);
	}
	for (cut = 0; cut < n - 2; cut++) {
		for (complete = false, edge = 0, k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			edge += sizes[k];
			complete = complete || (k >= 2 && edge == cut);
		}
		memcpy(c, b, n);
		c[1] = (uint8_t)cut;
		memset(&r, 0, sizeof(r));
		res = walk(c, cut + 2, &outer, &r);
		if (complete) {
			assert_int_equal(res.rc, 0);
		} else {
			assert_int_equal(res.rc, -1);
			assert_int_not_equal(res.code, SL_BER_OK);
		}
	}
}

/* A descriptor longer than the walker's component mask is refused, not overrun. */
static void test_too_many(void **state)
{
	static struct sl_pd_comp many[SL_PD_COMP_MAX + 1];
	struct sl_pd_seq d = { .name = "Many", .comp = many, .n = SL_PD_COMP_MAX + 1 };
	struct rec r;
	struct result res;
	unsigned i;

	(void)state;
	for (i = 0; i <= SL_PD_COMP_MAX; i++)
		many[i] = (struct sl_pd_comp){ .tag = i, .name = "m", SL_PD_ENUM_AT(struct rec, a, 0, 3) };
	res = run(&d, &r, C(c_a), NULL);
	assert_int_equal(res.rc, -1);
	assert_non_null(strstr(res.msg, "more than 32 components"));
	d.n = SL_PD_COMP_MAX;
	res = run(&d, &r, C(c_a), NULL);
	assert_int_equal(res.rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_all_components, release),
		cmocka_unit_test_teardown(test_missing, release),
		cmocka_unit_test_teardown(test_order, release),
		cmocka_unit_test_teardown(test_unknown, release),
		cmocka_unit_test_teardown(test_nested, release),
		cmocka_unit_test_teardown(test_truncated, release),
		cmocka_unit_test_teardown(test_too_many, release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
