/*
 * Unit tests for mediation/consent/consent_parse.c: a documented record
 * parses and encodes back to the same bytes; every malformed variant is
 * refused with the field it concerns (unknown, missing, duplicate keys,
 * wrong types, bounds, codes, content, times, history); every truncation
 * of a valid record is refused without reading past it (exact-size
 * copies, so ASan sees overreads); imports stop at the bad line and name
 * it; with each jansson allocation failing in turn, parsing is refused
 * and encoding gives nothing or the whole record, never a shorter one.
 * talloc blocks return to their start value.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/consent/consent_parse.h"

static const char good[] =
	"{\"id\":\"c-1\",\"subject\":{\"type\":\"msisdn\",\"value\":\"+4917012345678\"},\"controller\":\"op-de\","
	"\"recipient\":\"acme\",\"purpose\":\"dpv:Marketing\",\"categories\":[\"call-metadata\",\"location\"],"
	"\"legal_basis\":\"dpv:Consent\",\"status\":\"dpv:ConsentGiven\",\"valid_from\":1767225600000000,"
	"\"valid_until\":1798761600000000,\"collection_method\":\"app\",\"notice_version\":\"v3\","
	"\"notice_language\":\"en\",\"history\":[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]}";

/* good with the first occurrence of from replaced by to (talloc on ctx) */
static char *mutate(void *ctx, const char *from, const char *to)
{
	const char *p = strstr(good, from);

	assert_non_null(p);
	return talloc_asprintf(ctx, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
}

static int parse_copy(void *ctx, const char *text, size_t len, struct sl_consent_record *r,
		      struct sl_consent_perr *err)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, text, len);
	rc = sl_consent_parse(ctx, copy, len, r, err);
	free(copy);
	return rc;
}

static void test_good_roundtrip(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_consent_record r;
	struct sl_consent_perr err;
	char *enc;

	(void)state;
	assert_int_equal(parse_copy(ctx, good, strlen(good), &r, &err), 0);
	assert_string_equal(r.id, "c-1");
	assert_int_equal(r.subject.type, SL_CONSENT_SUBJ_MSISDN);
	assert_string_equal(r.subject.value, "+4917012345678");
	assert_int_equal(r.purpose, SL_CONSENT_P_MARKETING);
	assert_int_equal(r.categories, SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) |
						SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION));
	assert_int_equal(r.status, SL_CONSENT_GIVEN);
	assert_int_equal(r.n_history, 1);
	enc = sl_consent_encode(ctx, &r);
	assert_non_null(enc);
	assert_string_equal(enc, good);
	talloc_free(enc);
	talloc_free(r.history);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

static void test_history_optional(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_record r;
	struct sl_consent_perr err;
	char *t = mutate(ctx, ",\"history\":[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]", "");

	(void)state;
	assert_int_equal(parse_copy(ctx, t, strlen(t), &r, &err), 0);
	assert_int_equal(r.n_history, 1);
	assert_int_equal(r.history[0].time_us, r.valid_from_us);
	assert_int_equal(r.history[0].status, SL_CONSENT_GIVEN);
	/* an imsi subject */
	t = mutate(ctx, "{\"type\":\"msisdn\",\"value\":\"+4917012345678\"}", "{\"value\":\"262011234567890\",\"type\":\"imsi\"}");
	assert_int_equal(parse_copy(ctx, t, strlen(t), &r, &err), 0);
	assert_int_equal(r.subject.type, SL_CONSENT_SUBJ_IMSI);
	talloc_free(ctx);
}

struct bad_case {
	const char *from, *to;
	const char *field; /* expected err.field */
	const char *why;   /* substring of err.why */
};

static const struct bad_case bad_cases[] = {
	{ "\"id\":\"c-1\"", "\"id\":\"c-1\",\"colour\":\"red\"", "colour", "unknown field" },
	{ "\"id\":\"c-1\",", "", "id", "missing" },
	{ "\"controller\":\"op-de\",", "", "controller", "missing" },
	{ "\"notice_language\":\"en\",", "", "notice_language", "missing" },
	{ "\"id\":\"c-1\"", "\"id\":\"c-1\",\"id\":\"c-2\"", "", "duplicate" },
	{ "\"id\":\"c-1\"", "\"id\":1", "id", "must be a string" },
	{ "\"id\":\"c-1\"", "\"id\":\"\"", "id", "must not be empty" },
	{ "\"id\":\"c-1\"", "\"id\":\"c-1 2\"", "id", "A-Z" },
	{ "\"id\":\"c-1\"", "\"id\":\"c-1\\u0000x\"", "", "NUL" },
	{ "\"id\":\"c-1\"", "\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"", "id",
	  "bound" },
	{ "\"value\":\"+4917012345678\"", "\"value\":\"4917012345678\"", "subject", "msisdn" },
	{ "\"value\":\"+4917012345678\"", "\"value\":\"+49170123456789012\"", "subject", "msisdn" },
	{ "\"type\":\"msisdn\"", "\"type\":\"email\"", "subject", "msisdn or imsi" },
	{ "\"type\":\"msisdn\",", "", "subject", "both" },
	{ "\"value\":\"+4917012345678\"}", "\"value\":\"+4917012345678\",\"name\":\"x\"}", "subject", "unknown field" },
	{ "{\"type\":\"msisdn\",\"value\":\"+4917012345678\"}", "\"msisdn:+4917012345678\"", "subject", "object" },
	{ "\"dpv:Marketing\"", "\"dpv:Spying\"", "purpose", "unknown code" },
	{ "\"dpv:Marketing\"", "\"marketing\"", "purpose", "unknown code" },
	{ "[\"call-metadata\",\"location\"]", "[]", "categories", "non-empty" },
	{ "[\"call-metadata\",\"location\"]", "\"location\"", "categories", "non-empty" },
	{ "[\"call-metadata\",\"location\"]", "[\"location\",\"content\"]", "categories", "content" },
	{ "[\"call-metadata\",\"location\"]", "[\"location\",\"location\"]", "categories", "twice" },
	{ "[\"call-metadata\",\"location\"]", "[\"location\",7]", "categories", "strings" },
	{ "[\"call-metadata\",\"location\"]", "[\"browsing\"]", "categories", "unknown code" },
	{ "\"dpv:Consent\"", "\"dpv:Whim\"", "legal_basis", "unknown code" },
	{ "\"status\":\"dpv:ConsentGiven\"", "\"status\":\"given\"", "status", "unknown code" },
	{ "\"status\":\"dpv:ConsentGiven\"", "\"status\":\"dpv:ConsentWithdrawn\"", "status", "last history" },
	{ "\"valid_from\":1767225600000000", "\"valid_from\":\"2026-01-01\"", "valid_from", "integer" },
	{ "\"valid_from\":1767225600000000", "\"valid_from\":-1", "valid_from", "out of range" },
	{ "\"valid_from\":1767225600000000", "\"valid_from\":1.5", "valid_from", "integer" },
	{ "\"valid_until\":1798761600000000", "\"valid_until\":1767225600000000", "valid_until", "after valid_from" },
	{ "\"valid_until\":1798761600000000", "\"valid_until\":253402300800000000", "valid_until", "out of range" },
	{ "\"collection_method\":\"app\"", "\"collection_method\":\"telepathy\"", "collection_method", "unknown code" },
	{ "\"notice_version\":\"v3\"", "\"notice_version\":\"v 3\"", "notice_version", "A-Z" },
	{ "\"notice_version\":\"v3\"", "\"notice_version\":\"012345678901234567890123456789012\"", "notice_version",
	  "bound" },
	{ "\"notice_language\":\"en\"", "\"notice_language\":\"english\"", "notice_language", "language tag" },
	{ "\"notice_language\":\"en\"", "\"notice_language\":\"EN\"", "notice_language", "language tag" },
	{ "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]", "[]", "history", "non-empty" },
	{ "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]",
	  "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000,\"who\":\"x\"}]", "history", "unknown field" },
	{ "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]",
	  "[{\"status\":\"dpv:ConsentGiven\",\"time\":2},{\"status\":\"dpv:ConsentGiven\",\"time\":1}]", "history",
	  "decrease" },
	{ "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]", "[{\"status\":\"dpv:ConsentGiven\"}]",
	  "history", "entries must be" },
	{ "[{\"status\":\"dpv:ConsentGiven\",\"time\":1767225600000000}]",
	  "[{\"status\":\"dpv:ConsentGone\",\"time\":1}]", "history", "unknown code" },
	{ "{\"id\"", "[{\"id\"", "", "malformed JSON" },
	{ "}]}", "}]} x", "", "malformed JSON" },
	/* a control byte in an unknown key is not echoed; nor is the token jansson chokes on */
	{ "\"id\":\"c-1\"", "\"id\":\"c-1\",\"a\\u001bb\":1", "(not a plain name)", "unknown field" },
	{ "\"value\":\"+4917012345678\"", "\"value\":+4917012345678", "", "malformed JSON" },
};

static void test_bad_fields(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct sl_consent_record r;
		struct sl_consent_perr err;
		char *t = mutate(ctx, c->from, c->to);
		int rc = parse_copy(ctx, t, strlen(t), &r, &err);
		if (rc != -EINVAL || strcmp(err.field, c->field) || !strstr(err.why, c->why))
			fail_msg("case %u (%s): rc %d field '%s' why '%s'", i, c->to, rc, err.field, err.why);
		assert_null(r.history);
		assert_null(strstr(err.why, "4917012345678"));
		talloc_free(t);
		assert_int_equal(talloc_total_blocks(ctx), blocks);
	}
	talloc_free(ctx);
}

static void test_not_an_object(void **state)
{
	static const char *const texts[] = { "", "[]", "null", "\"x\"", "12", "{", "{}" };
	struct sl_consent_record r;
	struct sl_consent_perr err;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(parse_copy(NULL, texts[i], strlen(texts[i]), &r, &err), -EINVAL);
	/* over the bound: refused before parsing */
	{
		size_t n = SL_CONSENT_LINE_MAX + 1;
		char *big = malloc(n);
		memset(big, ' ', n);
		assert_int_equal(sl_consent_parse(NULL, big, n, &r, &err), -EINVAL);
		assert_non_null(strstr(err.why, "32768"));
		free(big);
	}
}

static void test_truncations(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx), n;

	(void)state;
	for (n = 0; n < strlen(good); n++) {
		struct sl_consent_record r;
		struct sl_consent_perr err;
		assert_int_equal(parse_copy(ctx, good, n, &r, &err), -EINVAL);
		assert_true(err.why[0] != '\0');
	}
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

struct import_seen {
	unsigned n;
	char ids[4][SL_CONSENT_ID_MAX + 1];
};

static int import_cb(void *data, const struct sl_consent_record *r, struct sl_consent_perr *err)
{
	struct import_seen *s = data;

	(void)err;
	snprintf(s->ids[s->n++ % 4], sizeof(s->ids[0]), "%s", r->id);
	return 0;
}

static void test_import_lines(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	struct import_seen seen = { 0 };
	struct sl_consent_perr err;
	char *l2 = mutate(ctx, "\"id\":\"c-1\"", "\"id\":\"c-2\"");
	char *bad = mutate(ctx, "\"dpv:Marketing\"", "\"dpv:Nope\"");
	char *buf = talloc_asprintf(ctx, "%s\n\n%s\n", good, l2);
	long n;

	(void)state;
	n = sl_consent_import_buf(ctx, buf, strlen(buf), import_cb, &seen, &err);
	assert_int_equal(n, 2);
	assert_string_equal(seen.ids[1], "c-2");
	/* no final newline */
	memset(&seen, 0, sizeof(seen));
	n = sl_consent_import_buf(ctx, good, strlen(good), import_cb, &seen, &err);
	assert_int_equal(n, 1);
	/* a bad third line (after an empty one): stops there, names line and field */
	talloc_free(buf);
	buf = talloc_asprintf(ctx, "%s\n\n%s\n%s\n", good, bad, l2);
	memset(&seen, 0, sizeof(seen));
	n = sl_consent_import_buf(ctx, buf, strlen(buf), import_cb, &seen, &err);
	assert_int_equal(n, -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.field, "purpose");
	assert_int_equal(seen.n, 1);
	talloc_free(buf);
	talloc_free(l2);
	talloc_free(bad);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

/* A record with the longest history still fits one line: export of any stored record can be imported. */
static void test_longest_record(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_record r, back;
	struct sl_consent_perr err;
	const char *field, *why;
	char *enc;
	unsigned i;

	(void)state;
	assert_int_equal(parse_copy(ctx, good, strlen(good), &r, &err), 0);
	memset(r.id, 'i', SL_CONSENT_ID_MAX);
	memset(r.controller, 'c', SL_CONSENT_NAME_MAX);
	memset(r.recipient, 'r', SL_CONSENT_NAME_MAX);
	memset(r.notice_version, 'v', SL_CONSENT_NOTICE_MAX);
	r.categories = SL_CONSENT_CATS_COVERABLE;
	r.purpose = SL_CONSENT_P_FRAUD_PREVENTION;
	r.legal_basis = SL_CONSENT_LB_EXPLICIT_CONSENT;
	while (r.n_history < SL_CONSENT_HISTORY_MAX)
		assert_int_equal(sl_consent_record_push(ctx, &r, SL_CONSENT_INVALIDATED, 253402300799999999LL), 0);
	for (i = 0; i < r.n_history; i++)
		r.history[i].status = i + 1 < r.n_history ? SL_CONSENT_INVALIDATED : SL_CONSENT_GIVEN;
	r.status = SL_CONSENT_GIVEN;
	r.valid_until_us = 253402300799999999LL;
	assert_int_equal(sl_consent_record_check(&r, &field, &why), 0);
	enc = sl_consent_encode(ctx, &r);
	assert_true(strlen(enc) <= SL_CONSENT_LINE_MAX);
	assert_int_equal(parse_copy(ctx, enc, strlen(enc), &back, &err), 0);
	assert_int_equal(back.n_history, SL_CONSENT_HISTORY_MAX);
	talloc_free(ctx);
}

/* jansson allocation failure injection: the Nth allocation fails, for every N until none does. */
static long alloc_budget = -1;

static void *failing_malloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	return malloc(n);
}

static void test_alloc_failures(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	long n;
	bool parsed = false, encoded = false;

	(void)state;
	json_set_alloc_funcs(failing_malloc, free);
	for (n = 0; n < 400; n++) {
		struct sl_consent_record r;
		struct sl_consent_perr err;
		int rc;
		alloc_budget = n;
		rc = parse_copy(ctx, good, strlen(good), &r, &err);
		if (rc == 0) {
			char *enc;
			parsed = true;
			enc = sl_consent_encode(ctx, &r);
			if (enc) {
				assert_string_equal(enc, good);
				encoded = true;
				talloc_free(enc);
			}
			talloc_free(r.history);
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_true(err.why[0] != '\0');
		}
		assert_int_equal(talloc_total_blocks(ctx), blocks);
	}
	alloc_budget = -1;
	json_set_alloc_funcs(malloc, free);
	assert_true(parsed && encoded);
	talloc_free(ctx);
}

static void test_names(void **state)
{
	struct sl_consent_subject s;

	(void)state;
	assert_int_equal(sl_consent_subject_parse("msisdn:+4917012345678", &s), 0);
	assert_int_equal(s.type, SL_CONSENT_SUBJ_MSISDN);
	assert_int_equal(sl_consent_subject_parse("imsi:262011234567890", &s), 0);
	assert_int_equal(s.type, SL_CONSENT_SUBJ_IMSI);
	assert_int_equal(sl_consent_subject_parse("imsi:2620112345678901", &s), -EINVAL);
	assert_int_equal(sl_consent_subject_parse("imsi:+26201123456789", &s), -EINVAL);
	assert_int_equal(sl_consent_subject_parse("msisdn:+49170", &s), -EINVAL);
	assert_int_equal(sl_consent_subject_parse("sip:alice@example.net", &s), -EINVAL);
	assert_int_equal(sl_consent_subject_parse("+4917012345678", &s), -EINVAL);
	assert_true(sl_consent_lang_valid("de-CH"));
	assert_true(sl_consent_lang_valid("fil"));
	assert_false(sl_consent_lang_valid("d"));
	assert_false(sl_consent_lang_valid("de-"));
	assert_false(sl_consent_lang_valid("de-C"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_roundtrip), cmocka_unit_test(test_history_optional),
		cmocka_unit_test(test_bad_fields),     cmocka_unit_test(test_not_an_object),
		cmocka_unit_test(test_truncations),    cmocka_unit_test(test_import_lines),
		cmocka_unit_test(test_longest_record), cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
