/*
 * Unit tests for the consent API's pure half (mediation/consent/consent_api*.c):
 * routes (404, 405 with the allowed methods, 400 naming id or subject);
 * the token file (roles, partner recipients, every malformed line named)
 * and the constant-time lookup of a bearer token by its SHA-256; what each
 * role may do; the grant body (malformed JSON, an unknown field, a
 * duplicate key, wrong types, oversize, history or a status other than
 * given refused, id filled in, valid_until in the past) and the withdraw
 * body; no talloc block left behind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/consent/consent_api.h"

#define NOW 1767225600000000LL /* 2026-01-01 */

static const char good_grant[] =
	"{\"id\":\"c-1\",\"subject\":{\"type\":\"msisdn\",\"value\":\"+4917012345678\"},\"controller\":\"op-de\","
	"\"recipient\":\"acme\",\"purpose\":\"dpv:Marketing\",\"categories\":[\"call-metadata\",\"location\"],"
	"\"legal_basis\":\"dpv:Consent\",\"valid_from\":1767225600000000,"
	"\"valid_until\":1798761600000000,\"collection_method\":\"app\",\"notice_version\":\"v3\","
	"\"notice_language\":\"en\"}";

static void test_routes(void **state)
{
	struct sl_capi_req q;
	const char *field;

	(void)state;
	assert_int_equal(sl_capi_route("POST", "/v1/consents", &q, &field), 0);
	assert_int_equal(q.route, SL_CAPI_GRANT);
	assert_int_equal(sl_capi_route("GET", "/v1/consents", &q, &field), -EOPNOTSUPP);
	assert_string_equal(q.allow, "POST");
	assert_int_equal(sl_capi_route("POST", "/v1/consents/c-1/withdraw", &q, &field), 0);
	assert_int_equal(q.route, SL_CAPI_WITHDRAW);
	assert_string_equal(q.id, "c-1");
	assert_int_equal(sl_capi_route("DELETE", "/v1/consents/c-1/withdraw", &q, &field), -EOPNOTSUPP);
	assert_int_equal(sl_capi_route("POST", "/v1/consents/c 1/withdraw", &q, &field), -EINVAL);
	assert_string_equal(field, "id");
	assert_int_equal(sl_capi_route("POST", "/v1/consents//withdraw", &q, &field), -EINVAL);
	assert_int_equal(sl_capi_route("GET", "/v1/subjects/msisdn:+4917012345678/consents", &q, &field), 0);
	assert_int_equal(q.route, SL_CAPI_LIST);
	assert_int_equal(q.subject.type, SL_CONSENT_SUBJ_MSISDN);
	assert_string_equal(q.subject.value, "+4917012345678");
	assert_int_equal(sl_capi_route("HEAD", "/v1/subjects/imsi:262011234567890/report", &q, &field), 0);
	assert_int_equal(q.route, SL_CAPI_REPORT);
	assert_int_equal(sl_capi_route("POST", "/v1/subjects/imsi:262011234567890/report", &q, &field), -EOPNOTSUPP);
	assert_int_equal(sl_capi_route("GET", "/v1/subjects/msisdn:12/consents", &q, &field), -EINVAL);
	assert_string_equal(field, "subject");
	assert_int_equal(sl_capi_route("GET", "/v1/subjects/msisdn:+4917012345678/other", &q, &field), -ENOENT);
	assert_int_equal(sl_capi_route("GET", "/v2/consents", &q, &field), -ENOENT);
	assert_int_equal(sl_capi_route("GET", "/", &q, &field), -ENOENT);
	assert_int_equal(sl_capi_route("POST", "/v1/consents/c-1/withdraw/x", &q, &field), -ENOENT);
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(sl_capi_ctr_for_status(201), SL_CAPI_CTR_OK);
	assert_int_equal(sl_capi_ctr_for_status(403), SL_CAPI_CTR_FORBIDDEN);
	assert_int_equal(sl_capi_ctr_for_status(413), SL_CAPI_CTR_TOO_LARGE);
	assert_int_equal(sl_capi_ctr_for_status(500), SL_CAPI_CTR_UNAVAILABLE);
	for (unsigned r = 0; r < _SL_CAPI_ROUTE_COUNT; r++) {
		assert_true(sl_capi_allowed(SL_CAPI_ROLE_ADMIN, r));
		assert_true(sl_capi_allowed(SL_CAPI_ROLE_SELFCARE, r));
		assert_int_equal(sl_capi_allowed(SL_CAPI_ROLE_PARTNER, r), r == SL_CAPI_LIST);
	}
}

static void test_tokens(void **state)
{
	void *ctx = talloc_new(NULL);
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_capi_tokens *tk;
	const struct sl_capi_token *t;
	char *err = NULL;
	char file[1024];
	static const char *const bad[] = {
		"a selfcare",					       /* two fields */
		"a selfcare sha256:00",				       /* short hash */
		"a boss sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
		"a partner: sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
		"a partner sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
		"a selfcare sha256:" "000000000000000000000000000000000000000000000000000000000000000G",
		"a b c d",
		"a\xff selfcare sha256:" "0000000000000000000000000000000000000000000000000000000000000000",
	};

	(void)state;
	snprintf(file, sizeof(file),
		 "# consent API tokens\n\n"
		 "app selfcare sha256:%s\n"
		 "acme-portal partner:acme sha256:%s\r\n"
		 "ops admin sha256:%s",
		 "b1d2fa8e4e7a1f0a66d6ca39a5bd4c5f6d2bf1c8c3bd88c5e9dfd3a4b0fb7c57",
		 "0000000000000000000000000000000000000000000000000000000000000000",
		 "1111111111111111111111111111111111111111111111111111111111111111");
	assert_int_equal(sl_capi_tokens_parse(ctx, file, strlen(file), &tk, &err), 0);
	assert_int_equal(tk->n, 3);
	assert_string_equal(tk->t[0].name, "app");
	assert_int_equal(tk->t[0].role, SL_CAPI_ROLE_SELFCARE);
	assert_int_equal(tk->t[1].role, SL_CAPI_ROLE_PARTNER);
	assert_string_equal(tk->t[1].recipient, "acme");
	assert_int_equal(tk->t[2].role, SL_CAPI_ROLE_ADMIN);
	assert_null(sl_capi_tokens_find(tk, NULL));
	assert_null(sl_capi_tokens_find(tk, "Basic abc"));
	assert_null(sl_capi_tokens_find(tk, "Bearer "));
	assert_null(sl_capi_tokens_find(tk, "Bearer wrong"));
	talloc_free(tk);

	/* SHA-256("s3cret") (sha256sum), second of two entries */
	snprintf(file, sizeof(file), "other admin sha256:%064d\napp selfcare sha256:%s\n", 0,
		 "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0");
	assert_int_equal(sl_capi_tokens_parse(ctx, file, strlen(file), &tk, &err), 0);
	t = sl_capi_tokens_find(tk, "Bearer s3cret");
	assert_non_null(t);
	assert_string_equal(t->name, "app");
	assert_null(sl_capi_tokens_find(tk, "Bearer s3cre"));
	assert_null(sl_capi_tokens_find(tk, "Bearer s3cret "));
	talloc_free(tk);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(file, sizeof(file), "# header\n%s\n", bad[i]);
		err = NULL;
		assert_int_equal(sl_capi_tokens_parse(ctx, file, strlen(file), &tk, &err), -EINVAL);
		assert_non_null(err);
		assert_non_null(strstr(err, "line 2: "));
		talloc_free(err);
	}
	snprintf(file, sizeof(file), "a admin sha256:%064d\na selfcare sha256:%064d\n", 0, 1);
	assert_int_equal(sl_capi_tokens_parse(ctx, file, strlen(file), &tk, &err), -EINVAL);
	assert_non_null(strstr(err, "twice"));
	talloc_free(err);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

/* Parses body as a grant; expects rc and, for -EINVAL, the field. */
static void grant(const char *body, size_t len, int want, const char *field)
{
	void *ctx = talloc_new(NULL);
	struct sl_consent_record r;
	struct sl_consent_perr e;
	int rc = sl_capi_parse_grant(ctx, body, len, "c-new", NOW, &r, &e);

	if (rc != want || (field && strcmp(e.field, field)))
		fail_msg("grant %.60s...: rc %d field '%s' why '%s', expected %d '%s'", body, rc, e.field, e.why, want,
			 field ? field : "");
	talloc_free(ctx);
}

/* good_grant with "key":value spliced in after the opening brace. */
static char *with(void *ctx, const char *kv)
{
	return talloc_asprintf(ctx, "{%s,%s", kv, good_grant + 1);
}

/* good_grant without "key":... (key given with its quotes; up to the next comma at depth 0) */
static char *without(void *ctx, const char *key)
{
	char *s = talloc_strdup(ctx, good_grant), *p = strstr(s, key), *q;
	int depth = 0;

	assert_non_null(p);
	for (q = p; *q && !(depth == 0 && *q == ','); q++)
		depth += (*q == '{' || *q == '[') - (*q == '}' || *q == ']');
	memmove(p, q + 1, strlen(q + 1) + 1);
	return s;
}

static void test_grant_body(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_consent_record r;
	struct sl_consent_perr e;
	char *big;

	(void)state;
	assert_int_equal(sl_capi_parse_grant(ctx, good_grant, strlen(good_grant), "c-new", NOW, &r, &e), 0);
	assert_string_equal(r.id, "c-1");
	assert_int_equal(r.status, SL_CONSENT_GIVEN);
	assert_int_equal(r.categories, SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) |
					       SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION));
	talloc_free(r.history);
	/* no id: the one the API chose */
	big = without(ctx, "\"id\"");
	assert_int_equal(sl_capi_parse_grant(ctx, big, strlen(big), "c-new", NOW, &r, &e), 0);
	assert_string_equal(r.id, "c-new");
	talloc_free(r.history);

	grant("", 0, -EINVAL, "");
	grant("{\"id\":", 6, -EINVAL, "");
	grant("[]", 2, -EINVAL, "");
	grant("{} x", 4, -EINVAL, "");
	grant(with(ctx, "\"colour\":\"blue\""), strlen(with(ctx, "\"colour\":\"blue\"")), -EINVAL, "colour");
	grant(with(ctx, "\"recipient\":\"evil\""), strlen(with(ctx, "\"recipient\":\"evil\"")), -EINVAL, "");
	grant(with(ctx, "\"history\":[]"), strlen(with(ctx, "\"history\":[]")), -EINVAL, "history");
	grant(with(ctx, "\"status\":\"dpv:ConsentWithdrawn\""), strlen(with(ctx, "\"status\":\"dpv:ConsentWithdrawn\"")),
	      -EINVAL, "status");
	grant(with(ctx, "\"status\":1"), strlen(with(ctx, "\"status\":1")), -EINVAL, "status");
	big = with(ctx, "\"status\":\"dpv:ConsentGiven\"");
	grant(big, strlen(big), 0, NULL);
	big = talloc_strdup(ctx, good_grant);
	memcpy(strstr(big, "\"valid_until\":") + 14, "\"17987616000000\"", 16); /* a string where a number belongs */
	big = talloc_asprintf(ctx, "%.*s\"x\",%s", (int)(strstr(big, "\"valid_until\":") + 14 - big), big,
			      strstr(good_grant, "\"collection_method\""));
	grant(big, strlen(big), -EINVAL, "valid_until");
	big = without(ctx, "\"purpose\"");
	grant(big, strlen(big), -EINVAL, "purpose");
	big = talloc_asprintf(ctx, "%.*s1767225600000001,%s",
			      (int)(strstr(good_grant, "\"valid_until\":") + 14 - good_grant), good_grant,
			      strstr(good_grant, "\"collection_method\""));
	grant(big, strlen(big), 0, NULL); /* until just after from: still in the future of NOW - 1 */
	{
		struct sl_consent_perr e2;
		int rc = sl_capi_parse_grant(ctx, big, strlen(big), "c-new", 1767225600000002LL, &r, &e2);

		assert_int_equal(rc, -EINVAL);
		assert_string_equal(e2.field, "valid_until");
	}
	big = talloc_strdup(ctx, good_grant);
	memcpy(strstr(big, "call-metadata"), "xall-metadata", 13);
	grant(big, strlen(big), -EINVAL, "categories");
	big = talloc_asprintf(ctx, "{\"categories\":\"call-metadata\",%s", strstr(good_grant, "\"id\""));
	big = talloc_asprintf(ctx, "%.*s%s", (int)(strstr(big, ",\"categories\":[") - big), big,
			      strstr(big, "],\"legal_basis\"") + 1);
	grant(big, strlen(big), -EINVAL, "categories");
	/* over the cap: refused before parsing, whatever it holds */
	big = talloc_zero_size(ctx, SL_CAPI_BODY_MAX + 2);
	memset(big, ' ', SL_CAPI_BODY_MAX + 1);
	big[0] = '{';
	big[SL_CAPI_BODY_MAX] = '}';
	grant(big, SL_CAPI_BODY_MAX + 1, -EFBIG, NULL);
	talloc_free(ctx);
}

static void test_withdraw_body(void **state)
{
	struct sl_consent_perr e;
	static char big[SL_CAPI_BODY_MAX + 1];

	(void)state;
	assert_int_equal(sl_capi_parse_withdraw("", 0, &e), 0);
	assert_int_equal(sl_capi_parse_withdraw("{}", 2, &e), 0);
	assert_int_equal(sl_capi_parse_withdraw(" { } ", 5, &e), 0);
	assert_int_equal(sl_capi_parse_withdraw("{\"at\":1}", 8, &e), -EINVAL);
	assert_string_equal(e.field, "at");
	assert_int_equal(sl_capi_parse_withdraw("{", 1, &e), -EINVAL);
	assert_string_equal(e.field, "");
	assert_non_null(strstr(e.why, "malformed JSON"));
	assert_int_equal(sl_capi_parse_withdraw("[1]", 3, &e), -EINVAL);
	memset(big, ' ', sizeof(big));
	assert_int_equal(sl_capi_parse_withdraw(big, sizeof(big), &e), -EFBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes),	   cmocka_unit_test(test_roles),	 cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_grant_body), cmocka_unit_test(test_withdraw_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
