/*
 * Unit tests for the canonical record scanner (mediation/audit/canon.c)
 * and the record encoder (record.c). The scanner's promise is: whatever
 * it accepts, jansson re-encodes (COMPACT | SORT_KEYS | ENSURE_ASCII) to
 * the same bytes. Checked on records with every kind of string content,
 * on named non-canonical spellings, and on 50,000 random mutations of
 * canonical records. The canonical encoder (canon_encode.c) equals
 * jansson's json_dumps on 20,000 random values over all of Unicode, and
 * the record encoder refuses kinds, fields and actors outside the
 * catalogue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <talloc.h>

#include "mediation/audit/canon.h"
#include "mediation/audit/canon_encode.h"
#include "mediation/audit/record.h"

static const unsigned flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII;

/* If the scanner accepts p, jansson must parse it and re-encode it identically. */
static void check_agrees(const uint8_t *p, size_t n)
{
	size_t off;
	json_error_t e;
	json_t *j;
	char *d;

	if (sl_audit_canon_check(p, n, &off, NULL, NULL) != SL_CANON_OK)
		return;
	j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, &e);
	if (!j)
		fail_msg("scanner accepted what jansson cannot parse: %.*s", (int)n, p);
	d = json_dumps(j, flags);
	if (strlen(d) != n || memcmp(d, p, n) != 0)
		fail_msg("scanner accepted a non-canonical spelling: %.*s (jansson: %s)", (int)n, p, d);
	free(d);
	json_decref(j);
}

static void test_jansson_output_accepted(void **state)
{
	static const char *const strings[] = {
		"", "plain", "quote\" backslash\\ slash/", "\b\f\n\r\t", "\x01\x1f\x7f", "caf\xc3\xa9",
		"\xe2\x82\xac euro", "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbf", "tab\there",
	};
	unsigned i;

	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		json_t *j = json_pack("{s:s,s:I,s:I,s:[i,b,n,{}],s:{}}", "s", strings[i], "big", (json_int_t)INT64_MAX,
				      "neg", (json_int_t)INT64_MIN, "arr", 0, 1, "obj");
		char *d = json_dumps(j, flags);
		size_t off;

		assert_int_equal(sl_audit_canon_check((const uint8_t *)d, strlen(d), &off, NULL, NULL), SL_CANON_OK);
		check_agrees((const uint8_t *)d, strlen(d));
		free(d);
		json_decref(j);
	}
}

static void test_named_rejections(void **state)
{
	static const struct {
		const char *in;
		enum sl_audit_canon_err want;
	} cases[] = {
		{ "{\"a\": 1}", SL_CANON_SYNTAX },
		{ " {\"a\":1}", SL_CANON_NOT_OBJECT },
		{ "{\"a\":1} ", SL_CANON_TRAILING },
		{ "[1]", SL_CANON_NOT_OBJECT },
		{ "{\"b\":1,\"a\":2}", SL_CANON_KEY_ORDER },
		{ "{\"a\":1,\"a\":2}", SL_CANON_KEY_ORDER },
		{ "{\"ab\":1,\"a\":2}", SL_CANON_KEY_ORDER },
		{ "{\"A\":1}", SL_CANON_KEY },
		{ "{\"1a\":1}", SL_CANON_KEY },
		{ "{\"\":1}", SL_CANON_KEY },
		{ "{\"a\":1.0}", SL_CANON_NUMBER },
		{ "{\"a\":1e3}", SL_CANON_NUMBER },
		{ "{\"a\":-0}", SL_CANON_NUMBER },
		{ "{\"a\":01}", SL_CANON_NUMBER },
		{ "{\"a\":9223372036854775808}", SL_CANON_NUMBER },
		{ "{\"a\":-9223372036854775809}", SL_CANON_NUMBER },
		{ "{\"a\":\"\\u00e9\"}", SL_CANON_STRING },  /* lowercase hex */
		{ "{\"a\":\"\\u0041\"}", SL_CANON_STRING },  /* needless escape */
		{ "{\"a\":\"\\/\"}", SL_CANON_STRING },      /* jansson writes / as is */
		{ "{\"a\":\"\\u000A\"}", SL_CANON_STRING },  /* \n has a short form */
		{ "{\"a\":\"\\u0000\"}", SL_CANON_STRING },  /* NUL refused */
		{ "{\"a\":\"\\uDC00\"}", SL_CANON_STRING },  /* lone low surrogate */
		{ "{\"a\":\"\\uD800x\"}", SL_CANON_STRING }, /* lone high surrogate */
		{ "{\"a\":\"\xc3\xa9\"}", SL_CANON_STRING }, /* raw non-ASCII */
		{ "{\"a\":\"\t\"}", SL_CANON_STRING },       /* raw control */
		{ "{\"a\":tru}", SL_CANON_SYNTAX },
		{ "{\"a\":", SL_CANON_TRUNCATED },
		{ "{\"a\":\"x", SL_CANON_TRUNCATED },
		{ "{\"a\":[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}", SL_CANON_DEPTH },
		{ "", SL_CANON_TRUNCATED },
	};
	unsigned i;
	size_t off;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sl_audit_canon_err e =
			sl_audit_canon_check((const uint8_t *)cases[i].in, strlen(cases[i].in), &off, NULL, NULL);

		if (e != cases[i].want)
			fail_msg("%s: got %s, want %s", cases[i].in, sl_audit_canon_err_name(e),
				 sl_audit_canon_err_name(cases[i].want));
		assert_true(off <= strlen(cases[i].in));
	}
	/* 16 levels is fine */
	{
		const char *deep = "{\"a\":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}";

		assert_int_equal(sl_audit_canon_check((const uint8_t *)deep, strlen(deep), &off, NULL, NULL), SL_CANON_OK);
	}
}

static uint32_t rng = 12345;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void test_random_mutations(void **state)
{
	static const char alphabet[] = "{}[]\":,\\u0123456789abcdefABCDEF-+.eE truefalsenull\x01\x7f\xc3\xa9";
	void *ctx = talloc_new(NULL);
	const struct sl_audit_actor actor = { "vty", "127.0.0.1:4242" };
	json_t *f = json_pack("{s:s,s:s,s:s}", "detail", "s\xc3\xa9 \"1\"\t\\ /x\xf0\x9f\x98\x80", "reason",
			      "bad_signature", "warrant_digest",
			      "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	const char *why;
	size_t n, i, accepted = 0;
	uint8_t *rec = sl_audit_record_encode(ctx, 5, 1764748800000000, "warrant.refused", &actor, f, &n, &why);
	uint8_t *buf = talloc_size(ctx, n + 8);
	unsigned iter;

	assert_non_null(rec);
	for (iter = 0; iter < 50000; iter++) {
		size_t len = n;

		memcpy(buf, rec, n);
		for (i = 0; i < 1 + rnd() % 3; i++) {
			switch (rnd() % 3) {
			case 0:
				buf[rnd() % len] = (uint8_t)alphabet[rnd() % (sizeof(alphabet) - 1)];
				break;
			case 1:
				if (len > 1) {
					size_t at = rnd() % len;

					memmove(buf + at, buf + at + 1, len - at - 1);
					len--;
				}
				break;
			default:
				if (len < n + 8) {
					size_t at = rnd() % (len + 1);

					memmove(buf + at + 1, buf + at, len - at);
					buf[at] = (uint8_t)alphabet[rnd() % (sizeof(alphabet) - 1)];
					len++;
				}
			}
		}
		{
			size_t off;

			if (sl_audit_canon_check(buf, len, &off, NULL, NULL) == SL_CANON_OK)
				accepted++;
			else
				assert_true(off <= len);
		}
		check_agrees(buf, len);
	}
	/* some mutations stay canonical (a digit for a digit); most do not */
	assert_true(accepted > 0 && accepted < 50000);
	json_decref(f);
	talloc_free(ctx);
}

/* A random value: objects with random keys, strings over all of Unicode, integers, nesting. */
static json_t *random_value(unsigned depth)
{
	unsigned kind = depth > 4 ? 2 + rnd() % 4 : rnd() % 6, i, n;
	json_t *v;
	char key[8], s[64];
	size_t sl = 0;

	switch (kind) {
	case 0:
		v = json_object();
		n = rnd() % 6;
		for (i = 0; i < n; i++) {
			unsigned kl = 1 + rnd() % 5, j;

			key[0] = (char)('a' + rnd() % 26);
			for (j = 1; j < kl; j++)
				key[j] = "abcdefghijklmnopqrstuvwxyz0123456789_"[rnd() % 37];
			key[kl] = '\0';
			json_object_set_new(v, key, random_value(depth + 1));
		}
		return v;
	case 1:
		v = json_array();
		n = rnd() % 4;
		for (i = 0; i < n; i++)
			json_array_append_new(v, random_value(depth + 1));
		return v;
	case 2:
		n = rnd() % 8;
		for (i = 0; i < n; i++) {
			unsigned cp;

			switch (rnd() % 4) {
			case 0: cp = 1 + rnd() % 0x7f; break;
			case 1: cp = 0x80 + rnd() % 0x780; break;
			case 2: cp = 0x800 + rnd() % 0xf800; break;
			default: cp = 0x10000 + rnd() % 0x100000; break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 'x';
			if (cp < 0x80) {
				s[sl++] = (char)cp;
			} else if (cp < 0x800) {
				s[sl++] = (char)(0xc0 | cp >> 6);
				s[sl++] = (char)(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				s[sl++] = (char)(0xe0 | cp >> 12);
				s[sl++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				s[sl++] = (char)(0x80 | (cp & 0x3f));
			} else {
				s[sl++] = (char)(0xf0 | cp >> 18);
				s[sl++] = (char)(0x80 | ((cp >> 12) & 0x3f));
				s[sl++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				s[sl++] = (char)(0x80 | (cp & 0x3f));
			}
		}
		return json_stringn(s, sl);
	case 3:
		return json_integer((json_int_t)((int64_t)((uint64_t)rnd() << 32 | rnd()) >> (rnd() % 64)));
	case 4:
		return rnd() % 2 ? json_true() : json_false();
	default:
		return json_null();
	}
}

static void test_encoder_matches_jansson(void **state)
{
	void *ctx = talloc_new(NULL);
	unsigned i;

	for (i = 0; i < 20000; i++) {
		json_t *v = json_object();
		struct sl_audit_buf b = { .ctx = ctx };
		char *d;
		size_t off;

		json_object_set_new(v, "v", random_value(1));
		sl_audit_buf_json(&b, v, 1);
		d = json_dumps(v, flags);
		assert_false(b.failed);
		if (b.len != strlen(d) || memcmp(b.p, d, b.len) != 0)
			fail_msg("encoder %.*s, jansson %s", (int)b.len, b.p, d);
		assert_int_equal(sl_audit_canon_check(b.p, b.len, &off, NULL, NULL), SL_CANON_OK);
		free(d);
		json_decref(v);
		talloc_free(b.p);
	}
	{
		/* no canonical form: reals, bad keys, NUL */
		struct sl_audit_buf b = { .ctx = ctx };
		json_t *r = json_pack("{s:f}", "a", 1.5), *k = json_pack("{s:i}", "A", 1), *z = json_stringn("a\0b", 3);

		sl_audit_buf_json(&b, r, 1);
		assert_true(b.failed);
		b.failed = false;
		sl_audit_buf_json(&b, k, 1);
		assert_true(b.failed);
		b.failed = false;
		sl_audit_buf_json(&b, z, 1);
		assert_true(b.failed);
		json_decref(r);
		json_decref(k);
		json_decref(z);
	}
	talloc_free(ctx);
}

static void test_encoder_refusals(void **state)
{
	void *ctx = talloc_new(NULL);
	const struct sl_audit_actor actor = { "system", "test" }, bad_actor = { "root", "x" };
	const char *why = NULL;
	size_t n;
	json_t *ok = json_pack("{s:s,s:s,s:i,s:i,s:s}", "liid", "LIID-1", "destination", "lea-a", "first_seq", 1,
			       "count", 10, "digest",
			       "sha256:00000000000000000000000000000000000000000000000000000000000000ff");
	json_t *extra = json_deep_copy(ok), *wrongtype = json_deep_copy(ok), *missing = json_deep_copy(ok),
	       *real = json_deep_copy(ok), *baddigest = json_deep_copy(ok);
	uint8_t *rec;

	json_object_set_new(extra, "msisdn", json_string("447700900123"));
	json_object_set_new(wrongtype, "count", json_string("10"));
	json_object_del(missing, "liid");
	json_object_set_new(real, "count", json_real(1.5));
	json_object_set_new(baddigest, "digest", json_string("sha256:XYZ"));

	rec = sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, ok, &n, &why);
	assert_non_null(rec);
	assert_string_equal((char *)rec,
			    "{\"actor\":{\"id\":\"test\",\"type\":\"system\"},\"fields\":{\"count\":10,\"destination\":\"lea-a\","
			    "\"digest\":\"sha256:00000000000000000000000000000000000000000000000000000000000000ff\","
			    "\"first_seq\":1,\"liid\":\"LIID-1\"},\"kind\":\"delivery\",\"seq\":0,\"time\":1}");
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, extra, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, wrongtype, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, missing, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, real, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &actor, baddigest, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "no.such.kind", &actor, ok, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, 1, "delivery", &bad_actor, ok, &n, &why));
	assert_null(sl_audit_record_encode(ctx, 0, -1, "delivery", &actor, ok, &n, &why));
	assert_non_null(why);
	json_decref(ok);
	json_decref(extra);
	json_decref(wrongtype);
	json_decref(missing);
	json_decref(real);
	json_decref(baddigest);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jansson_output_accepted),
		cmocka_unit_test(test_named_rejections),
		cmocka_unit_test(test_random_mutations),
		cmocka_unit_test(test_encoder_matches_jansson),
		cmocka_unit_test(test_encoder_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
