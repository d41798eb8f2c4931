/*
 * Unit tests for asn1/ber_dump.c, the schema-less tree printer, and for
 * the name tables of asn1/ber_names.c it prints with. Expected dumps are
 * written out in full: offsets, indentation per depth, tag notation for
 * every class and the high-tag form, lengths (and the indefinite form),
 * and the value of each universal type as its typed getter reads it.
 * Content a getter refuses is shown inline without stopping the dump and
 * without leaving an error behind; a framing error ends the dump with a
 * "!!" line and is returned. Hostile bytes must come out escaped (no raw
 * control characters, quotes or backslashes inside the quotes), long
 * values cut at max_bytes, and the buffer variant must follow snprintf
 * semantics at every capacity (exactly sized heap buffers, so
 * AddressSanitizer sees a write past the end). The FILE variant must
 * print exactly what the buffer variant returns.
 */
#include "tests/unit/asn1_test_util.h"

#include "asn1/ber_dump.h"

static char out[16384];

/* Dump in `mode` with opts (NULL for defaults); returns the text. */
static const char *dump(const uint8_t *src, size_t n, enum sl_ber_mode mode,
			const struct sl_ber_dump_opts *o, enum sl_ber_err *err)
{
	uint8_t *p = t_exact(src, n);
	struct sl_ber_dec d;
	size_t len;

	sl_ber_dec_init(&d, p, n, mode);
	len = sl_ber_dump_buf(&d, sl_ber_dec_root(&d), out, sizeof(out), o, err);
	assert_int_equal(len, strlen(out));
	/* getter failures shown inline leave no error behind */
	if (*err == SL_BER_OK)
		assert_int_equal(d.err.code, SL_BER_OK);
	else
		assert_int_equal(d.err.code, *err);
	free(p);
	return out;
}

#define EXPECT_DUMP(mode, text, want_err, ...)                                         \
	do {                                                                           \
		enum sl_ber_err e_;                                                    \
		const char *got_ = dump(B(__VA_ARGS__), BN(__VA_ARGS__), mode, NULL, &e_); \
		assert_string_equal(got_, text);                                       \
		assert_int_equal(e_, want_err);                                        \
	} while (0)

/* The example of ber_dump.h. */
static const uint8_t example[] = { 0x30, 0x13, 0x06, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x0D,
				   0x81, 0x03, 0x41, 0x42, 0x43, 0xA2, 0x03, 0x02, 0x01, 0x05 };
static const char example_text[] = "0x0000 SEQUENCE (19)\n"
				   "0x0002   OBJECT IDENTIFIER (7) 0.4.0.2.2.5.1.13\n"
				   "0x000b   [1] (3) 41 42 43 \"ABC\"\n"
				   "0x0010   [2] cons (3)\n"
				   "0x0012     INTEGER (1) 5\n";

static void test_example(void **state)
{
	enum sl_ber_err e;

	(void)state;
	assert_string_equal(dump(example, sizeof(example), SL_BER_MODE_DER, NULL, &e), example_text);
	assert_int_equal(e, SL_BER_OK);
}

static void test_values(void **state)
{
	(void)state;
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 BOOLEAN (1) TRUE\n", SL_BER_OK, 0x01, 0x01, 0xFF);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 BOOLEAN (1) FALSE\n", SL_BER_OK, 0x01, 0x01, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 INTEGER (2) -129\n", SL_BER_OK, 0x02, 0x02, 0xFF, 0x7F);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 ENUMERATED (1) 3\n", SL_BER_OK, 0x0A, 0x01, 0x03);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 INTEGER (9) 01 00 00 00 00 00 00 00 00\n", SL_BER_OK,
		    0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 NULL (0)\n", SL_BER_OK, 0x05, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 OBJECT IDENTIFIER (6) 2a 90 80 80 80 00\n", SL_BER_OK,
		    0x06, 0x06, 0x2A, 0x90, 0x80, 0x80, 0x80, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 BIT STRING (2) unused=5 e0\n", SL_BER_OK, 0x03, 0x02,
		    0x05, 0xE0);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 OCTET STRING (3) 00 01 ff\n", SL_BER_OK, 0x04, 0x03,
		    0x00, 0x01, 0xFF);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 OCTET STRING (2) 68 69 \"hi\"\n", SL_BER_OK, 0x04, 0x02,
		    'h', 'i');
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 PrintableString (2) \"DE\"\n", SL_BER_OK, 0x13, 0x02,
		    'D', 'E');
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 UTF8String (2) \"\\xc3\\xa9\"\n", SL_BER_OK, 0x0C, 0x02,
		    0xC3, 0xA9);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 UTCTime (13) \"231114221320Z\"\n", SL_BER_OK, 0x17, 0x0D,
		    '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z');
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 GeneralizedTime (15) \"20231114221320Z\"\n", SL_BER_OK,
		    0x18, 0x0F, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z');
	/* tags of every class, high-tag form, unassigned universal numbers */
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 [APPLICATION 200] cons (0)\n", SL_BER_OK, 0x7F, 0x81,
		    0x48, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 [PRIVATE 7] (1) ff\n", SL_BER_OK, 0xC7, 0x01, 0xFF);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 [UNIVERSAL 99] (0)\n", SL_BER_OK, 0x1F, 0x63, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 [268435455] (0)\n", SL_BER_OK, 0x9F, 0xFF, 0xFF, 0xFF,
		    0x7F, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 [1] (0)\n", SL_BER_OK, 0x81, 0x00);
	/* constructed universal types are not marked "cons": their form is implied */
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 SET (0)\n", SL_BER_OK, 0x31, 0x00);
	/* the indefinite form and segmented strings (BER) */
	EXPECT_DUMP(SL_BER_MODE_BER,
		    "0x0000 SEQUENCE (indefinite, 3)\n"
		    "0x0002   INTEGER (1) 5\n",
		    SL_BER_OK, 0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00);
	EXPECT_DUMP(SL_BER_MODE_BER,
		    "0x0000 OCTET STRING (6)\n"
		    "0x0002   OCTET STRING (1) 61 \"a\"\n"
		    "0x0005   OCTET STRING (1) 62 \"b\"\n",
		    SL_BER_OK, 0x24, 0x06, 0x04, 0x01, 'a', 0x04, 0x01, 'b');
	/* several values at the top level */
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 NULL (0)\n0x0002 NULL (0)\n", SL_BER_OK, 0x05, 0x00, 0x05,
		    0x00);
	/* nothing at all */
	{
		enum sl_ber_err e;

		assert_string_equal(dump((const uint8_t *)"", 0, SL_BER_MODE_DER, NULL, &e), "");
		assert_int_equal(e, SL_BER_OK);
	}
}

static void test_invalid_content(void **state)
{
	(void)state;
	/* shown inline, the walk goes on, no error is returned */
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 SEQUENCE (5)\n"
		    "0x0002   BOOLEAN (1) <invalid: BOOLEAN 0x05: DER requires 0x00 or 0xFF> 05\n"
		    "0x0005   NULL (0)\n",
		    SL_BER_OK, 0x30, 0x05, 0x01, 0x01, 0x05, 0x05, 0x00);
	EXPECT_DUMP(SL_BER_MODE_BER,
		    "0x0000 SEQUENCE (5)\n"
		    "0x0002   BOOLEAN (1) TRUE\n"
		    "0x0005   [5] (0)\n",
		    SL_BER_OK, 0x30, 0x05, 0x01, 0x01, 0x05, 0x85, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 INTEGER (2) <invalid: INTEGER with a redundant leading octet> 00 05\n",
		    SL_BER_OK, 0x02, 0x02, 0x00, 0x05);
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 UTF8String (2) <invalid: byte 0xc0 not valid in UTF8String> c0 80\n",
		    SL_BER_OK, 0x0C, 0x02, 0xC0, 0x80);
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 GeneralizedTime (2) <invalid: expected digits YYYYMMDDhh> 32 30\n",
		    SL_BER_OK, 0x18, 0x02, '2', '0');
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 NULL (1) <invalid: NULL with 1 content octets> 00\n",
		    SL_BER_OK, 0x05, 0x01, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 OBJECT IDENTIFIER (0) <invalid: OBJECT IDENTIFIER with no content octets>\n",
		    SL_BER_OK, 0x06, 0x00);
}

static void test_framing_errors(void **state)
{
	(void)state;
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "0x0000 SEQUENCE (3)\n"
		    "!! offset 0x2: length 5 exceeds the 1 bytes left in the enclosing value\n",
		    SL_BER_E_BAD_LENGTH, 0x30, 0x03, 0x04, 0x05, 0x41);
	EXPECT_DUMP(SL_BER_MODE_DER, "!! offset 0x0: indefinite length in DER\n", SL_BER_E_INDEFINITE,
		    0x30, 0x80, 0x00, 0x00);
	EXPECT_DUMP(SL_BER_MODE_DER, "0x0000 NULL (0)\n!! offset 0x2: length octets missing\n",
		    SL_BER_E_TRUNCATED, 0x05, 0x00, 0x05);
	EXPECT_DUMP(SL_BER_MODE_DER,
		    "!! offset 0x0: end-of-contents outside an indefinite-length value\n",
		    SL_BER_E_BAD_TAG, 0x00, 0x00);
}

static void test_escaping(void **state)
{
	static const uint8_t hostile[] = { 0x80, 0x06, 'a', '"', 'b', '\\', '\n', 0x1B };
	static const uint8_t quote_bs[] = { 0x80, 0x04, 'a', '"', 'b', '\\' };
	static const uint8_t term[] = { 0x0C, 0x05, 0x1B, '[', '2', 'J', 0x07 };
	enum sl_ber_err e;
	const char *s;
	size_t i;

	(void)state;
	/* not printable as a whole: hex only */
	s = dump(hostile, sizeof(hostile), SL_BER_MODE_DER, NULL, &e);
	assert_string_equal(s, "0x0000 [0] (6) 61 22 62 5c 0a 1b\n");
	/* printable, but quote and backslash are escaped inside the quotes */
	s = dump(quote_bs, sizeof(quote_bs), SL_BER_MODE_DER, NULL, &e);
	assert_string_equal(s, "0x0000 [0] (4) 61 22 62 5c \"a\\x22b\\x5c\"\n");
	/* a terminal escape in valid UTF-8 comes out inert */
	s = dump(term, sizeof(term), SL_BER_MODE_DER, NULL, &e);
	assert_string_equal(s, "0x0000 UTF8String (5) \"\\x1b[2J\\x07\"\n");
	/* random bytes: the dump never contains a control character but '\n' */
	t_seed(0xE5C);
	for (i = 0; i < 3000; i++) {
		uint8_t buf[40];
		size_t n = 2 + (size_t)t_below(38), j;

		buf[0] = (uint8_t)(i % 3 == 0 ? 0x0C : i % 3 == 1 ? 0x84 : 0x04);
		buf[1] = (uint8_t)(n - 2);
		for (j = 2; j < n; j++)
			buf[j] = (uint8_t)t_rng();
		s = dump(buf, n, SL_BER_MODE_BER, NULL, &e);
		for (j = 0; s[j]; j++)
			assert_true(s[j] == '\n' || ((unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x7F));
	}
}

static void test_options(void **state)
{
	static const uint8_t seq[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t bad[] = { 0x30, 0x02, 0x02, 0x05 };
	struct sl_ber_dump_opts o;
	enum sl_ber_err e;
	uint8_t long_str[2 + 40];
	char want[512];
	size_t k;

	(void)state;
	sl_ber_dump_defaults(&o);
	assert_int_equal(o.indent, 2);
	assert_int_equal(o.depth0, 0);
	assert_int_equal(o.max_bytes, 32);
	assert_true(o.offsets);
	assert_string_equal(o.prefix, "");

	o.offsets = false;
	o.indent = 4;
	o.depth0 = 1;
	o.prefix = "| ";
	assert_string_equal(dump(seq, sizeof(seq), SL_BER_MODE_DER, &o, &e),
			    "|     SEQUENCE (3)\n|         INTEGER (1) 5\n");
	assert_string_equal(dump(bad, sizeof(bad), SL_BER_MODE_DER, &o, &e),
			    "|     SEQUENCE (2)\n"
			    "| !! offset 0x2: length 5 exceeds the 0 bytes left in the enclosing value\n");
	o.prefix = NULL;
	assert_string_equal(dump(seq, sizeof(seq), SL_BER_MODE_DER, &o, &e),
			    "    SEQUENCE (3)\n        INTEGER (1) 5\n");

	/* max_bytes cuts both the hex and the quoted text */
	long_str[0] = 0x04;
	long_str[1] = 40;
	memset(long_str + 2, 'A', 40);
	k = (size_t)snprintf(want, sizeof(want), "0x0000 OCTET STRING (40)");
	for (size_t i = 0; i < 32; i++)
		k += (size_t)snprintf(want + k, sizeof(want) - k, " 41");
	k += (size_t)snprintf(want + k, sizeof(want) - k, " ...(+8) \"");
	for (size_t i = 0; i < 32; i++)
		want[k++] = 'A';
	snprintf(want + k, sizeof(want) - k, "\"...(+8)\n");
	assert_string_equal(dump(long_str, sizeof(long_str), SL_BER_MODE_DER, NULL, &e), want);
	sl_ber_dump_defaults(&o);
	o.max_bytes = 0;
	assert_memory_equal(dump(long_str, sizeof(long_str), SL_BER_MODE_DER, &o, &e),
			    "0x0000 OCTET STRING (40) ...(+40)", 33);

	/* indentation is capped at 120 columns, however deep the nesting */
	{
		uint8_t deep[2 * 61 + 2];
		struct sl_ber_dec d;
		const char *last;

		for (k = 0; k < 61; k++) {
			deep[2 * k] = 0x30;
			deep[2 * k + 1] = (uint8_t)(2 * (61 - k));
		}
		deep[122] = 0x05;
		deep[123] = 0x00;
		sl_ber_dec_init(&d, deep, sizeof(deep), SL_BER_MODE_DER);
		d.max_depth = 100;
		sl_ber_dump_defaults(&o);
		o.offsets = false;
		sl_ber_dump_buf(&d, sl_ber_dec_root(&d), out, sizeof(out), &o, &e);
		assert_int_equal(e, SL_BER_OK);
		last = strstr(out, "NULL");
		assert_non_null(last);
		/* depth 61 would be 122 spaces: capped at 120 */
		for (k = 1; k <= 120; k++)
			assert_int_equal(last[-(long)k], ' ');
		assert_int_equal(last[-121], '\n');
		assert_string_equal(last, "NULL (0)\n");
	}
}

static void test_buffer_semantics(void **state)
{
	struct sl_ber_dec d;
	enum sl_ber_err e;
	size_t full = strlen(example_text), cap, n;

	(void)state;
	for (cap = 0; cap <= full + 1; cap++) {
		char *b = cap ? malloc(cap) : NULL;

		sl_ber_dec_init(&d, example, sizeof(example), SL_BER_MODE_DER);
		n = sl_ber_dump_buf(&d, sl_ber_dec_root(&d), b, cap, NULL, &e);
		assert_int_equal(n, full);
		assert_int_equal(e, SL_BER_OK);
		if (cap) {
			assert_int_equal(strlen(b), cap - 1 < full ? cap - 1 : full);
			assert_memory_equal(b, example_text, strlen(b));
		}
		free(b);
	}
	/* err may be NULL */
	sl_ber_dec_init(&d, example, sizeof(example), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_dump_buf(&d, sl_ber_dec_root(&d), out, sizeof(out), NULL, NULL), full);
}

static void test_file(void **state)
{
	struct sl_ber_dec d;
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);
	static const uint8_t bad[] = { 0x30, 0x03, 0x04, 0x05, 0x41 };

	(void)state;
	assert_non_null(f);
	sl_ber_dec_init(&d, example, sizeof(example), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_dump_file(&d, sl_ber_dec_root(&d), f, NULL), SL_BER_OK);
	sl_ber_dec_init(&d, bad, sizeof(bad), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_dump_file(&d, sl_ber_dec_root(&d), f, NULL), SL_BER_E_BAD_LENGTH);
	fclose(f);
	assert_non_null(mem);
	assert_string_equal(mem, "0x0000 SEQUENCE (19)\n"
				 "0x0002   OBJECT IDENTIFIER (7) 0.4.0.2.2.5.1.13\n"
				 "0x000b   [1] (3) 41 42 43 \"ABC\"\n"
				 "0x0010   [2] cons (3)\n"
				 "0x0012     INTEGER (1) 5\n"
				 "0x0000 SEQUENCE (3)\n"
				 "!! offset 0x2: length 5 exceeds the 1 bytes left in the enclosing value\n");
	free(mem);
}

static void test_names(void **state)
{
	char buf[64];
	unsigned i, j;

	(void)state;
	for (i = 0; i < SL_BER_E__COUNT; i++) {
		const char *n = sl_ber_err_name((enum sl_ber_err)i);

		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_non_null(sl_ber_err_desc((enum sl_ber_err)i));
		assert_string_not_equal(sl_ber_err_desc((enum sl_ber_err)i), "unknown error");
		/* counter suffixes: lower case and '_' only, all distinct */
		for (j = 0; n[j]; j++)
			assert_true((n[j] >= 'a' && n[j] <= 'z') || n[j] == '_');
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, sl_ber_err_name((enum sl_ber_err)j));
	}
	assert_string_equal(sl_ber_err_name(SL_BER_OK), "ok");
	assert_string_equal(sl_ber_err_name(SL_BER_E_BAD_LENGTH), "bad_length");
	assert_string_equal(sl_ber_err_name(SL_BER_E__COUNT), "unknown");
	assert_string_equal(sl_ber_err_name((enum sl_ber_err)1000), "unknown");
	assert_string_equal(sl_ber_err_desc(SL_BER_E__COUNT), "unknown error");

	assert_string_equal(sl_ber_class_name(SL_BER_UNIVERSAL), "UNIVERSAL");
	assert_string_equal(sl_ber_class_name(SL_BER_APPLICATION), "APPLICATION");
	assert_string_equal(sl_ber_class_name(SL_BER_CONTEXT), "CONTEXT");
	assert_string_equal(sl_ber_class_name(SL_BER_PRIVATE), "PRIVATE");
	assert_string_equal(sl_ber_class_name(0xE5), "PRIVATE");

	for (i = 0; i <= 30; i++)
		if (i != 15)
			assert_non_null(sl_ber_universal_name(i));
	assert_null(sl_ber_universal_name(15));
	assert_null(sl_ber_universal_name(31));
	assert_null(sl_ber_universal_name(UINT32_MAX));
	assert_string_equal(sl_ber_universal_name(SL_BER_TAG_GENERALIZED_TIME), "GeneralizedTime");

	assert_int_equal(sl_ber_tag_name(SL_BER_UNIVERSAL, 16, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "SEQUENCE");
	sl_ber_tag_name(SL_BER_UNIVERSAL, 15, buf, sizeof(buf));
	assert_string_equal(buf, "[UNIVERSAL 15]");
	sl_ber_tag_name(SL_BER_CONTEXT, 3, buf, sizeof(buf));
	assert_string_equal(buf, "[3]");
	sl_ber_tag_name(SL_BER_APPLICATION, 1, buf, sizeof(buf));
	assert_string_equal(buf, "[APPLICATION 1]");
	assert_int_equal(sl_ber_tag_name(SL_BER_PRIVATE, SL_BER_TAG_MAX, buf, 4), 19);
	assert_string_equal(buf, "[PR");
	assert_int_equal(sl_ber_tag_name(SL_BER_CONTEXT, 3, NULL, 0), 3);

	/* character-set predicates */
	assert_true(sl_ber_text_type_known(SL_BER_TAG_UTF8_STRING));
	assert_true(sl_ber_text_type_known(SL_BER_TAG_VISIBLE_STRING));
	assert_false(sl_ber_text_type_known(SL_BER_TAG_BMP_STRING));
	{
		size_t at = 99;

		assert_false(sl_ber_text_valid(SL_BER_TAG_BMP_STRING, (const uint8_t *)"a", 1, &at));
		assert_int_equal(at, 0);
		assert_false(sl_ber_text_valid(SL_BER_TAG_NUMERIC_STRING, (const uint8_t *)"12x", 3, &at));
		assert_int_equal(at, 2);
		assert_false(sl_ber_text_valid(SL_BER_TAG_UTF8_STRING, (const uint8_t *)"ab\xF0\x9F\x98", 5, &at));
		assert_int_equal(at, 2);
		assert_true(sl_ber_text_valid(SL_BER_TAG_UTF8_STRING, (const uint8_t *)"", 0, NULL));
		assert_true(sl_ber_text_valid(SL_BER_TAG_PRINTABLE_STRING, NULL, 0, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_invalid_content),
		cmocka_unit_test(test_framing_errors),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_buffer_semantics),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
