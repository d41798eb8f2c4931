/*
 * Unit tests for asn1/oid.c, OBJECT IDENTIFIER content octets (X.690 8.19)
 * and dotted text. Encodings are checked against hand-worked bytes: the
 * first two arcs packed as 40 * X + Y (with Y beyond 39 only under 2, so
 * the first subidentifier may need more than 32 bits), base-128 groups with
 * the continuation bit, and arcs up to 2^32-1. Decoding must refuse, each
 * with its own class and the content index of the culprit, empty content
 * and a subidentifier cut short (BAD_VALUE), a 0x80 padding octet
 * (NON_MINIMAL), arcs of 2^32 and more and output that does not fit
 * (LIMIT). The text parser is strict (no leading zeros, signs, spaces or
 * empty arcs) and the formatter has snprintf semantics at every capacity.
 * Random arc arrays must survive arcs -> octets -> arcs and arcs -> text
 * -> arcs unchanged, and the typed getter must report errors at the
 * offending octet of the input.
 */
#include "tests/unit/asn1_test_util.h"

#include "asn1/ber_decode.h"
#include "asn1/oid.h"

struct oid_case {
	const char *text;
	const uint32_t *arcs;
	size_t n;
	const uint8_t *enc;
	size_t enc_len;
};

#define ARCS(...) (const uint32_t[]){ __VA_ARGS__ }, sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4
#define ENC(...) B(__VA_ARGS__), BN(__VA_ARGS__)

/* clang-format off */
static const struct oid_case good[] = {
	{ "0.0", ARCS(0, 0), ENC(0x00) },
	{ "0.39", ARCS(0, 39), ENC(0x27) },
	{ "1.0", ARCS(1, 0), ENC(0x28) },
	{ "1.39", ARCS(1, 39), ENC(0x4F) },
	{ "2.0", ARCS(2, 0), ENC(0x50) },
	{ "2.47", ARCS(2, 47), ENC(0x7F) },
	{ "2.48", ARCS(2, 48), ENC(0x81, 0x00) },
	{ "2.100.3", ARCS(2, 100, 3), ENC(0x81, 0x34, 0x03) },
	{ "1.2.840.113549", ARCS(1, 2, 840, 113549), ENC(0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D) },
	{ "0.4.0.2.2.5.1.13", ARCS(0, 4, 0, 2, 2, 5, 1, 13), ENC(0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x0D) },
	{ "0.4.0.2.2.4.7.1", ARCS(0, 4, 0, 2, 2, 4, 7, 1), ENC(0x04, 0x00, 0x02, 0x02, 0x04, 0x07, 0x01) },
	{ "1.3.6.1.4.1.127.128.16383.16384", ARCS(1, 3, 6, 1, 4, 1, 127, 128, 16383, 16384),
	  ENC(0x2B, 0x06, 0x01, 0x04, 0x01, 0x7F, 0x81, 0x00, 0xFF, 0x7F, 0x81, 0x80, 0x00) },
	{ "1.2.268435455.268435456", ARCS(1, 2, 268435455, 268435456),
	  ENC(0x2A, 0xFF, 0xFF, 0xFF, 0x7F, 0x81, 0x80, 0x80, 0x80, 0x00) },
	{ "1.2.4294967295", ARCS(1, 2, 4294967295u), ENC(0x2A, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F) },
	{ "2.4294967215", ARCS(2, 4294967215u), ENC(0x8F, 0xFF, 0xFF, 0xFF, 0x7F) },
	{ "2.4294967216", ARCS(2, 4294967216u), ENC(0x90, 0x80, 0x80, 0x80, 0x00) },
	{ "2.4294967295", ARCS(2, 4294967295u), ENC(0x90, 0x80, 0x80, 0x80, 0x4F) },
	{ "1.2.0.0", ARCS(1, 2, 0, 0), ENC(0x2A, 0x00, 0x00) },
};

struct bad_dec {
	const char *name;
	const uint8_t *p;
	size_t n;
	enum sl_ber_err e;
	size_t at;
};

static const struct bad_dec bad_decodes[] = {
	{ "empty", (const uint8_t *)"", 0, SL_BER_E_BAD_VALUE, 0 },
	{ "lone continuation", ENC(0x81), SL_BER_E_BAD_VALUE, 0 },
	{ "last subid cut", ENC(0x2A, 0x86, 0x48, 0x86, 0xF7), SL_BER_E_BAD_VALUE, 3 },
	{ "padding first subid", ENC(0x80, 0x01), SL_BER_E_NON_MINIMAL, 0 },
	{ "padding later subid", ENC(0x2A, 0x03, 0x80, 0x80, 0x01), SL_BER_E_NON_MINIMAL, 2 },
	{ "arc 2^32", ENC(0x2A, 0x90, 0x80, 0x80, 0x80, 0x00), SL_BER_E_LIMIT, 5 },
	{ "arc 2^35", ENC(0x2A, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00), SL_BER_E_LIMIT, 6 },
	{ "first subid 2^32+80", ENC(0x90, 0x80, 0x80, 0x80, 0x50), SL_BER_E_LIMIT, 4 },
	{ "first subid huge", ENC(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), SL_BER_E_LIMIT, 4 },
};
/* clang-format on */

static void test_encode_decode(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct oid_case *c = &good[i];
		uint8_t out[32];
		uint32_t arcs[16];
		char text[96];
		size_t n, at, tl;
		const char *why;
		uint8_t *p;

		print_message("%s\n", c->text);
		assert_true(sl_ber_oid_arcs_valid(c->arcs, c->n));
		assert_int_equal(sl_ber_oid_encoded_len(c->arcs, c->n), c->enc_len);
		n = sl_ber_oid_encode(c->arcs, c->n, out, sizeof(out));
		t_assert_bytes(out, n, c->enc, c->enc_len);
		/* exact capacity works, one less writes nothing useful */
		assert_int_equal(sl_ber_oid_encode(c->arcs, c->n, out, c->enc_len), c->enc_len);
		assert_int_equal(sl_ber_oid_encode(c->arcs, c->n, out, c->enc_len - 1), 0);

		p = t_exact(c->enc, c->enc_len);
		assert_int_equal(sl_ber_oid_decode(p, c->enc_len, arcs, 16, &n, &at, &why), SL_BER_OK);
		assert_int_equal(n, c->n);
		assert_memory_equal(arcs, c->arcs, n * sizeof(arcs[0]));
		/* exactly as many arcs as the caller holds, then one fewer */
		assert_int_equal(sl_ber_oid_decode(p, c->enc_len, arcs, c->n, &n, &at, &why), SL_BER_OK);
		assert_int_equal(sl_ber_oid_decode(p, c->enc_len, arcs, c->n - 1, &n, &at, &why),
				 SL_BER_E_LIMIT);

		assert_int_equal(sl_ber_oid_decode_text(p, c->enc_len, text, sizeof(text), &tl, &at, &why),
				 SL_BER_OK);
		assert_string_equal(text, c->text);
		assert_int_equal(tl, strlen(c->text));
		/* the text needs len + 1 bytes; any less is LIMIT with a terminated prefix */
		for (k = 1; k <= tl; k++) {
			char *small = malloc(k);

			assert_int_equal(sl_ber_oid_decode_text(p, c->enc_len, small, k, &tl, &at, &why),
					 SL_BER_E_LIMIT);
			assert_true(strlen(small) < k);
			assert_memory_equal(small, c->text, strlen(small));
			free(small);
		}
		assert_int_equal(sl_ber_oid_decode_text(p, c->enc_len, text, 0, &tl, &at, &why),
				 SL_BER_E_LIMIT);
		{
			char *fit = malloc(strlen(c->text) + 1);

			assert_int_equal(sl_ber_oid_decode_text(p, c->enc_len, fit, strlen(c->text) + 1,
								&tl, &at, &why),
					 SL_BER_OK);
			assert_string_equal(fit, c->text);
			free(fit);
		}

		/* text -> arcs, arcs -> text */
		assert_int_equal(sl_ber_oid_parse(c->text, arcs, 16, &n), SL_BER_OK);
		assert_int_equal(n, c->n);
		assert_memory_equal(arcs, c->arcs, n * sizeof(arcs[0]));
		assert_int_equal(sl_ber_oid_format(c->arcs, c->n, text, sizeof(text)), strlen(c->text));
		assert_string_equal(text, c->text);
		free(p);
	}
}

static void test_bad_decode(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_decodes) / sizeof(bad_decodes[0]); i++) {
		const struct bad_dec *c = &bad_decodes[i];
		uint8_t *p = t_exact(c->p, c->n);
		uint32_t arcs[16];
		char text[64];
		size_t n, at = 999, tl;
		const char *why = NULL;

		print_message("%s\n", c->name);
		assert_int_equal(sl_ber_oid_decode(p, c->n, arcs, 16, &n, &at, &why), c->e);
		assert_int_equal(at, c->at);
		assert_non_null(why);
		at = 999;
		assert_int_equal(sl_ber_oid_decode_text(p, c->n, text, sizeof(text), &tl, &at, &why), c->e);
		assert_int_equal(at, c->at);
		assert_true(strlen(text) < sizeof(text));
		free(p);
	}
}

static void test_validity(void **state)
{
	(void)state;
	assert_false(sl_ber_oid_arcs_valid(NULL, 0));
	assert_false(sl_ber_oid_arcs_valid((const uint32_t[]){ 1 }, 1));
	assert_false(sl_ber_oid_arcs_valid((const uint32_t[]){ 3, 0 }, 2));
	assert_false(sl_ber_oid_arcs_valid((const uint32_t[]){ 0, 40 }, 2));
	assert_false(sl_ber_oid_arcs_valid((const uint32_t[]){ 1, 40 }, 2));
	assert_true(sl_ber_oid_arcs_valid((const uint32_t[]){ 2, 40 }, 2));
	assert_int_equal(sl_ber_oid_encoded_len((const uint32_t[]){ 1, 40 }, 2), 0);
	assert_int_equal(sl_ber_oid_encode((const uint32_t[]){ 3, 1 }, 2, (uint8_t[8]){ 0 }, 8), 0);
}

struct parse_case {
	const char *text;
	enum sl_ber_err e;
};

static const struct parse_case bad_parses[] = {
	{ "", SL_BER_E_BAD_VALUE },
	{ "1", SL_BER_E_BAD_VALUE },
	{ "1.", SL_BER_E_BAD_VALUE },
	{ ".1.2", SL_BER_E_BAD_VALUE },
	{ "1..2", SL_BER_E_BAD_VALUE },
	{ "1.2.", SL_BER_E_BAD_VALUE },
	{ "01.2", SL_BER_E_BAD_VALUE },
	{ "1.02", SL_BER_E_BAD_VALUE },
	{ "1.2.00", SL_BER_E_BAD_VALUE },
	{ "+1.2", SL_BER_E_BAD_VALUE },
	{ "1.-2", SL_BER_E_BAD_VALUE },
	{ " 1.2", SL_BER_E_BAD_VALUE },
	{ "1.2 ", SL_BER_E_BAD_VALUE },
	{ "1,2", SL_BER_E_BAD_VALUE },
	{ "1.2a", SL_BER_E_BAD_VALUE },
	{ "3.1", SL_BER_E_BAD_VALUE },
	{ "0.40", SL_BER_E_BAD_VALUE },
	{ "1.40", SL_BER_E_BAD_VALUE },
	{ "1.2.4294967296", SL_BER_E_LIMIT },
	{ "1.2.99999999999999999999999", SL_BER_E_LIMIT },
	{ "1.2.3.4.5.6.7.8.9", SL_BER_E_LIMIT }, /* max is 8 below */
};

static void test_parse_strict(void **state)
{
	uint32_t arcs[8];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad_parses) / sizeof(bad_parses[0]); i++) {
		print_message("'%s'\n", bad_parses[i].text);
		n = 77;
		assert_int_equal(sl_ber_oid_parse(bad_parses[i].text, arcs, 8, &n), bad_parses[i].e);
		assert_int_equal(n, 0);
	}
	assert_int_equal(sl_ber_oid_parse("1.2.3.4.5.6.7.8", arcs, 8, &n), SL_BER_OK);
	assert_int_equal(n, 8);
	assert_int_equal(sl_ber_oid_parse("2.999", arcs, 8, &n), SL_BER_OK);
	assert_int_equal(arcs[1], 999);
}

static void test_format_snprintf(void **state)
{
	static const uint32_t arcs[] = { 1, 2, 840, 113549 };
	const char *full = "1.2.840.113549";
	char buf[32];
	size_t cap;

	(void)state;
	for (cap = 0; cap <= strlen(full) + 1; cap++) {
		char *b = cap ? malloc(cap) : NULL;

		assert_int_equal(sl_ber_oid_format(arcs, 4, b, cap), strlen(full));
		if (cap) {
			assert_int_equal(strlen(b), cap - 1 < strlen(full) ? cap - 1 : strlen(full));
			assert_memory_equal(b, full, strlen(b));
		}
		free(b);
	}
	/* it renders whatever it is given, valid or not */
	assert_int_equal(sl_ber_oid_format((const uint32_t[]){ 7 }, 1, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "7");
	assert_int_equal(sl_ber_oid_format(NULL, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(sl_ber_oid_format((const uint32_t[]){ 4294967295u, 4294967295u }, 2, buf, sizeof(buf)),
			 21);
	assert_string_equal(buf, "4294967295.4294967295");
}

static void test_getter(void **state)
{
	static const uint8_t in[] = { 0x30, 0x0D, 0x06, 0x03, 0x2A, 0x80, 0x01, 0x86, 0x06,
				      0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D };
	static const uint8_t cons[] = { 0xA0, 0x03, 0x06, 0x01, 0x2A };
	struct sl_ber_dec d;
	struct sl_ber_cur c, inner;
	struct sl_ber_tlv t, u;
	uint32_t arcs[4];
	char text[16];
	size_t n;

	(void)state;
	sl_ber_dec_init(&d, in, sizeof(in), SL_BER_MODE_BER);
	c = sl_ber_dec_root(&d);
	assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
	assert_int_equal(sl_ber_enter(&d, &c, &t, &inner), SL_BER_OK);
	assert_int_equal(sl_ber_next(&d, &inner, &u), SL_BER_OK);
	assert_int_equal(sl_ber_get_oid(&d, &u, arcs, 4, &n), SL_BER_E_NON_MINIMAL);
	assert_int_equal(d.err.offset, 5);
	assert_string_equal(d.err.msg, "subidentifier starts with a 0x80 padding octet");
	assert_int_equal(sl_ber_get_oid_text(&d, &u, text, sizeof(text)), SL_BER_E_NON_MINIMAL);
	assert_int_equal(d.err.offset, 5);
	/* [6] implicitly tagged OID */
	assert_int_equal(sl_ber_next(&d, &inner, &u), SL_BER_OK);
	assert_int_equal(sl_ber_get_oid(&d, &u, arcs, 4, &n), SL_BER_OK);
	assert_int_equal(n, 4);
	assert_int_equal(arcs[3], 113549);
	assert_int_equal(sl_ber_get_oid(&d, &u, arcs, 3, &n), SL_BER_E_LIMIT);
	assert_int_equal(d.err.offset, 12);
	assert_int_equal(sl_ber_get_oid_text(&d, &u, text, sizeof(text)), SL_BER_OK);
	assert_string_equal(text, "1.2.840.113549");
	assert_int_equal(sl_ber_get_oid_text(&d, &u, text, 14), SL_BER_E_LIMIT);
	assert_string_equal(text, "1.2.840");
	assert_false(sl_ber_more(&inner));

	/* the primitive form is required */
	sl_ber_dec_init(&d, cons, sizeof(cons), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_oid(&d, &t, arcs, 4, &n), SL_BER_E_BAD_TAG);
	assert_int_equal(sl_ber_get_oid_text(&d, &t, text, sizeof(text)), SL_BER_E_BAD_TAG);
	/* empty content: reported at the TLV, there being no content octet */
	sl_ber_dec_init(&d, B(0x05, 0x00, 0x06, 0x00), 4, SL_BER_MODE_DER);
	c = sl_ber_dec_root(&d);
	assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
	assert_int_equal(sl_ber_next(&d, &c, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_oid(&d, &t, arcs, 4, &n), SL_BER_E_BAD_VALUE);
	assert_int_equal(d.err.offset, 2);
}

static void test_random_roundtrip(void **state)
{
	unsigned iter;

	(void)state;
	t_seed(0x01D);
	for (iter = 0; iter < 50000; iter++) {
		uint32_t arcs[SL_BER_OID_MAX_ARCS], back[SL_BER_OID_MAX_ARCS];
		uint8_t enc[SL_BER_OID_MAX_ARCS * 5];
		char text[SL_BER_OID_MAX_ARCS * 11];
		size_t n = 2 + (size_t)t_below(12), i, len, m, at, tl;
		const char *why;
		uint8_t *p;

		arcs[0] = (uint32_t)t_below(3);
		for (i = 1; i < n; i++) {
			unsigned bits = (unsigned)t_below(33);

			arcs[i] = bits ? (uint32_t)(t_rng() >> (64 - bits)) : 0;
		}
		if (arcs[0] < 2)
			arcs[1] %= 40;
		len = sl_ber_oid_encode(arcs, n, enc, sizeof(enc));
		assert_true(len >= n - 1);
		assert_int_equal(len, sl_ber_oid_encoded_len(arcs, n));
		/* minimal: no subidentifier starts with 0x80, the last octet ends one */
		assert_true((enc[len - 1] & 0x80) == 0);
		for (i = 0; i < len; i++)
			assert_true(enc[i] != 0x80 || (i > 0 && (enc[i - 1] & 0x80)));
		p = t_exact(enc, len);
		assert_int_equal(sl_ber_oid_decode(p, len, back, SL_BER_OID_MAX_ARCS, &m, &at, &why),
				 SL_BER_OK);
		assert_int_equal(m, n);
		assert_memory_equal(back, arcs, n * sizeof(arcs[0]));
		assert_int_equal(sl_ber_oid_decode_text(p, len, text, sizeof(text), &tl, &at, &why),
				 SL_BER_OK);
		assert_int_equal(sl_ber_oid_parse(text, back, SL_BER_OID_MAX_ARCS, &m), SL_BER_OK);
		assert_int_equal(m, n);
		assert_memory_equal(back, arcs, n * sizeof(arcs[0]));
		/* every cut either decodes to fewer arcs or stops in the cut subidentifier */
		for (i = 1; i < len; i++) {
			enum sl_ber_err e = sl_ber_oid_decode(p, i, back, SL_BER_OID_MAX_ARCS, &m, &at, &why);

			if (p[i - 1] & 0x80)
				assert_int_equal(e, SL_BER_E_BAD_VALUE);
			else
				assert_int_equal(e, SL_BER_OK);
		}
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_decode),
		cmocka_unit_test(test_bad_decode),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_format_snprintf),
		cmocka_unit_test(test_getter),
		cmocka_unit_test(test_random_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
