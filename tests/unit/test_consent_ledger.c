/*
 * Unit tests for the value ledger and the subject's report
 * (mediation/consent/consent_ledger.c): a report for a subject with
 * nothing; credits refused for a consent of another subject or
 * recipient, an unknown id, bad arguments; credits inside a batch that
 * rolls back leave nothing; the report lists the subject's records with
 * history, every credit in time order with the consent's purpose and
 * categories, totals per recipient and overall, and nothing of another
 * subject; the ledger table as docs/consent.md gives it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <talloc.h>

#include "mediation/consent/consent_ledger.h"
#include "tests/unit/consent_test_util.h"

#define CALL SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA)
#define LOC SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION)

struct fix {
	void *ctx;
	char *dir, *path;
	struct sl_consent_store *s;
	struct sl_consent_subject alice, bob;
};

static int setup(void **state)
{
	struct fix *f = talloc_zero(NULL, struct fix);
	struct sl_consent_record r;
	char *err = NULL;

	f->ctx = talloc_named_const(f, 0, "test");
	f->dir = ct_tmpdir(f);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f, "%s/consent.db", f->dir);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &f->s, &err), 0);
	r = ct_record(f->ctx, "c-a1", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, CALL | LOC, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	r = ct_record(f->ctx, "c-a2", "+4917000000001", "beta", SL_CONSENT_P_COMMERCIAL_RESEARCH, LOC, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	r = ct_record(f->ctx, "c-b1", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	assert_int_equal(sl_consent_subject_parse("msisdn:+4917000000001", &f->alice), 0);
	assert_int_equal(sl_consent_subject_parse("msisdn:+4917000000002", &f->bob), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	talloc_free(f->s);
	ct_rmdir(f, f->dir);
	talloc_free(f);
	return 0;
}

static void test_empty_report(void **state)
{
	struct fix *f = *state;
	struct sl_consent_subject nobody;
	json_t *rep;
	char *err = NULL, *text;

	assert_int_equal(sl_consent_subject_parse("imsi:262019999999999", &nobody), 0);
	assert_int_equal(sl_consent_report_build(f->s, &nobody, &rep, &err), 0);
	text = json_dumps(rep, JSON_COMPACT);
	assert_string_equal(text, "{\"subject\":{\"type\":\"imsi\",\"value\":\"262019999999999\"},\"consents\":[],"
				  "\"shared\":[],\"totals\":{\"records\":0,\"amount_micro\":0,\"by_recipient\":[]}}");
	free(text);
	json_decref(rep);
}

static void test_credit_refused(void **state)
{
	struct fix *f = *state;
	struct sl_consent_subject bad = f->alice;

	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-b1", 1, 10, T0), -ENOENT);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "beta", "c-a1", 1, 10, T0), -ENOENT);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-zz", 1, 10, T0), -ENOENT);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-a1", 1, -1, T0), -EINVAL);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "ac me", "c-a1", 1, 1, T0), -EINVAL);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "", 1, 1, T0), -EINVAL);
	snprintf(bad.value, sizeof(bad.value), "12");
	assert_int_equal(sl_consent_ledger_credit(f->s, &bad, "acme", "c-a1", 1, 1, T0), -EINVAL);
	assert_int_equal(sl_consent_ledger_credit(f->s, NULL, "acme", "c-a1", 1, 1, T0), -EINVAL);
}

static void test_batch_rollback(void **state)
{
	struct fix *f = *state;
	json_t *rep;
	char *err = NULL;

	assert_int_equal(sl_consent_store_begin(f->s, &err), 0);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-a1", 5, 50, T0 + 1), 0);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-b1", 5, 50, T0 + 1), -ENOENT);
	sl_consent_store_rollback(f->s);
	assert_int_equal(sl_consent_report_build(f->s, &f->alice, &rep, &err), 0);
	assert_int_equal(json_array_size(json_object_get(rep, "shared")), 0);
	assert_int_equal(json_array_size(json_object_get(rep, "consents")), 2);
	json_decref(rep);
}

static void test_report(void **state)
{
	struct fix *f = *state;
	json_t *rep, *sh, *e, *by;
	char *err = NULL, *text;
	sqlite3 *db;
	sqlite3_stmt *q;

	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "beta", "c-a2", 3, 1500, T0 + 20), 0);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-a1", 10, 2500, T0 + 10), 0);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->bob, "acme", "c-b1", 99, 9900, T0 + 5), 0);
	assert_int_equal(sl_consent_store_begin(f->s, &err), 0);
	assert_int_equal(sl_consent_ledger_credit(f->s, &f->alice, "acme", "c-a1", 1, 0, T0 + 30), 0);
	assert_int_equal(sl_consent_store_commit(f->s, &err), 0);

	assert_int_equal(sl_consent_report_build(f->s, &f->alice, &rep, &err), 0);
	assert_int_equal(json_array_size(json_object_get(rep, "consents")), 2);
	e = json_array_get(json_object_get(rep, "consents"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "id")), "c-a1");
	assert_int_equal(json_array_size(json_object_get(e, "history")), 1);
	sh = json_object_get(rep, "shared");
	assert_int_equal(json_array_size(sh), 3);
	text = json_dumps(json_array_get(sh, 0), JSON_COMPACT);
	assert_string_equal(text, "{\"time\":1767225600000010,\"recipient\":\"acme\",\"consent_id\":\"c-a1\","
				  "\"purpose\":\"dpv:Marketing\",\"categories\":[\"call-metadata\",\"location\"],"
				  "\"records\":10,\"amount_micro\":2500}");
	free(text);
	assert_string_equal(json_string_value(json_object_get(json_array_get(sh, 1), "recipient")), "beta");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(sh, 2), "time")), T0 + 30);
	text = json_dumps(json_object_get(rep, "totals"), JSON_COMPACT);
	assert_string_equal(text, "{\"records\":14,\"amount_micro\":4000,\"by_recipient\":["
				  "{\"recipient\":\"acme\",\"records\":11,\"amount_micro\":2500},"
				  "{\"recipient\":\"beta\",\"records\":3,\"amount_micro\":1500}]}");
	free(text);
	by = json_object_get(json_object_get(rep, "totals"), "by_recipient");
	assert_int_equal(json_array_size(by), 2);
	json_decref(rep);

	/* the table as documented: columns in order */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM pragma_table_info('ledger')", -1,
					    &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0),
			    "seq,subject_type,subject,recipient,consent_id,records,amount_micro,time");
	sqlite3_finalize(q);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credit_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
