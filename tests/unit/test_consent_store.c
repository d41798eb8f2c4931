/*
 * Unit tests for the consent database (mediation/consent/consent_store*.c):
 * a new file gets the schema (version 1) in WAL mode and an unknown
 * version is refused; grant creates or updates the one record per subject,
 * recipient and purpose with a history entry each time; withdraw only
 * from given; put replaces by id and refuses a second id for the same
 * triple; a newer notice version invalidates the older given consents of
 * its purpose only (with history) and an older one is refused; a failure
 * in the middle of an operation or of a batch leaves nothing behind;
 * expiry; the natural order of notice versions.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <talloc.h>

#include "mediation/consent/consent_store.h"
#include "tests/unit/consent_test_util.h"

#define CALL SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA)
#define LOC SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION)

struct fix {
	void *ctx;
	size_t blocks;
	char *dir, *path;
	struct sl_consent_store *s;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char *err = NULL;

	f->ctx = talloc_named_const(NULL, 0, "test");
	f->dir = ct_tmpdir(NULL);
	assert_non_null(f->dir);
	f->path = talloc_asprintf(f->dir, "%s/consent.db", f->dir);
	f->blocks = talloc_total_blocks(f->ctx);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &f->s, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	talloc_free(f->s);
	assert_int_equal(talloc_total_blocks(f->ctx), f->blocks);
	talloc_free(f->ctx);
	ct_rmdir(NULL, f->dir);
	talloc_free(f->dir);
	free(f);
	return 0;
}

static enum sl_consent_status status_of(struct fix *f, const char *id, unsigned *n_history)
{
	struct sl_consent_record r;
	void *tmp = talloc_named_const(f->ctx, 0, "get");
	char *err = NULL;
	enum sl_consent_status st;

	assert_int_equal(sl_consent_store_get(f->s, tmp, id, &r, &err), 0);
	st = r.status;
	if (n_history)
		*n_history = r.n_history;
	assert_int_equal(r.history[r.n_history - 1].status, st);
	talloc_free(tmp);
	talloc_free(err);
	return st;
}

static void grant(struct fix *f, const char *id, const char *msisdn, const char *recip, enum sl_consent_purpose p,
		  const char *notice, int expect)
{
	struct sl_consent_record r = ct_record(f->ctx, id, msisdn, recip, p, CALL | LOC, notice);
	char *err = NULL;
	int rc = sl_consent_store_grant(f->s, &r, T0 + DAY_US, &err);

	if (rc != expect)
		fail_msg("grant %s: %d (%s), expected %d", id, rc, err ? err : "", expect);
	talloc_free(r.history);
	talloc_free(err);
}

static void test_schema_wal(void **state)
{
	struct fix *f = *state;
	struct sl_consent_store *s2;
	sqlite3 *db;
	sqlite3_stmt *q;
	char *err = NULL;
	struct stat sb;

	grant(f, "c-1", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), SL_CONSENT_SCHEMA_VERSION);
	sqlite3_finalize(q);
	{
		char *wal = talloc_asprintf(NULL, "%s-wal", f->path);
		assert_int_equal(stat(wal, &sb), 0);
		talloc_free(wal);
	}
	/* a second connection sees the same records (and does not recreate the schema) */
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &s2, &err), 0);
	talloc_free(s2);
	/* a version this build does not know is refused */
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sl_consent_store_open(f->ctx, f->path, &s2, &err), -EPROTONOSUPPORT);
	assert_non_null(strstr(err, "schema version 99"));
	talloc_free(err);
}

static void test_grant_update_withdraw(void **state)
{
	struct fix *f = *state;
	struct sl_consent_record r;
	char *err = NULL;
	unsigned n;

	grant(f, "c-1", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	assert_int_equal(status_of(f, "c-1", &n), SL_CONSENT_GIVEN);
	assert_int_equal(n, 1);
	/* the same subject, recipient and purpose again: the record is updated, id kept */
	r = ct_record(f->ctx, "c-other", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, LOC, "v1");
	assert_int_equal(sl_consent_store_grant(f->s, &r, T0 + 2 * DAY_US, &err), 0);
	assert_string_equal(r.id, "c-1");
	talloc_free(r.history);
	assert_int_equal(status_of(f, "c-1", &n), SL_CONSENT_GIVEN);
	assert_int_equal(n, 2);
	assert_int_equal(sl_consent_store_get(f->s, f->ctx, "c-other", &r, &err), -ENOENT);
	talloc_free(err);
	err = NULL;
	/* another subject may not take an id in use */
	grant(f, "c-1", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, "v1", -EEXIST);
	/* withdraw */
	assert_int_equal(sl_consent_store_withdraw(f->s, "c-1", T0 + 3 * DAY_US, &err), 0);
	assert_int_equal(status_of(f, "c-1", &n), SL_CONSENT_WITHDRAWN);
	assert_int_equal(n, 3);
	assert_int_equal(sl_consent_store_withdraw(f->s, "c-1", T0 + 3 * DAY_US, &err), -EALREADY);
	assert_non_null(strstr(err, "dpv:ConsentWithdrawn"));
	talloc_free(err);
	err = NULL;
	assert_int_equal(sl_consent_store_withdraw(f->s, "c-9", T0, &err), -ENOENT);
	talloc_free(err);
	err = NULL;
	/* given again after a withdrawal */
	grant(f, "c-x", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	assert_int_equal(status_of(f, "c-1", &n), SL_CONSENT_GIVEN);
	assert_int_equal(n, 4);
	/* a grant with a validity already over, or a content category, is refused */
	r = ct_record(f->ctx, "c-2", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	r.valid_until_us = T0;
	assert_int_equal(sl_consent_store_grant(f->s, &r, T0 + DAY_US, &err), -EINVAL);
	talloc_free(err);
	err = NULL;
	r.valid_until_us = T0 + 10 * DAY_US;
	r.categories |= SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CONTENT);
	assert_int_equal(sl_consent_store_grant(f->s, &r, T0 + DAY_US, &err), -EINVAL);
	assert_non_null(strstr(err, "categories"));
	talloc_free(err);
	talloc_free(r.history);
}

static void test_notice_invalidation(void **state)
{
	struct fix *f = *state;
	struct sl_consent_record r;
	char *err = NULL;
	unsigned n;

	grant(f, "a", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v2", 0);
	grant(f, "b", "+4917000000002", "beta", SL_CONSENT_P_MARKETING, "v2", 0);
	grant(f, "c", "+4917000000003", "acme", SL_CONSENT_P_RESEARCH_AND_DEVELOPMENT, "v2", 0);
	assert_int_equal(sl_consent_store_withdraw(f->s, "b", T0 + DAY_US, &err), 0);
	/* v10 is newer than v2 (digit runs compare as numbers) */
	grant(f, "d", "+4917000000004", "acme", SL_CONSENT_P_MARKETING, "v10", 0);
	assert_int_equal(status_of(f, "a", &n), SL_CONSENT_INVALIDATED);
	assert_int_equal(n, 2);
	assert_int_equal(status_of(f, "b", &n), SL_CONSENT_WITHDRAWN); /* only given consents are invalidated */
	assert_int_equal(n, 2);
	assert_int_equal(status_of(f, "c", NULL), SL_CONSENT_GIVEN); /* another purpose */
	assert_int_equal(status_of(f, "d", NULL), SL_CONSENT_GIVEN);
	/* asking again under the superseded notice is refused; under the current one it works */
	grant(f, "a", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v2", -ESTALE);
	assert_int_equal(status_of(f, "a", NULL), SL_CONSENT_INVALIDATED);
	grant(f, "a", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v10", 0);
	assert_int_equal(status_of(f, "a", &n), SL_CONSENT_GIVEN);
	assert_int_equal(n, 3);
	/* put (import) of a historical, non-given record under an old notice is accepted */
	r = ct_record(f->ctx, "e", "+4917000000005", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	sl_consent_record_push(f->ctx, &r, SL_CONSENT_WITHDRAWN, T0 + DAY_US);
	assert_int_equal(sl_consent_store_put(f->s, &r, T0 + 5 * DAY_US, &err), 0);
	talloc_free(r.history);
	r = ct_record(f->ctx, "f", "+4917000000006", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0 + 5 * DAY_US, &err), -ESTALE);
	assert_non_null(strstr(err, "superseded by 'v10'"));
	talloc_free(err);
	talloc_free(r.history);
}

static int fail_second(void *data, const struct sl_consent_change *c)
{
	unsigned *n = data;

	(void)c;
	return ++*n == 2 ? -EIO : 0;
}

static void test_rollback(void **state)
{
	struct fix *f = *state;
	struct sl_consent_record r;
	unsigned calls = 0;
	struct sl_consent_hooks h = { .change = fail_second, .data = &calls };
	char *err = NULL, id[SL_CONSENT_ID_MAX + 1];

	grant(f, "a", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	grant(f, "b", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	/* v2 would give "c" and invalidate a and b: the hook fails at the second change */
	sl_consent_store_set_hooks(f->s, &h);
	grant(f, "c", "+4917000000003", "acme", SL_CONSENT_P_MARKETING, "v2", -EIO);
	sl_consent_store_set_hooks(f->s, NULL);
	assert_int_equal(status_of(f, "a", NULL), SL_CONSENT_GIVEN);
	assert_int_equal(status_of(f, "b", NULL), SL_CONSENT_GIVEN);
	assert_int_equal(sl_consent_store_get(f->s, f->ctx, "c", &r, &err), -ENOENT);
	talloc_free(err);
	err = NULL;
	/* the notice did not move either: v1 is still current */
	grant(f, "d", "+4917000000004", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	/* a batch: the second put fails (same triple, other id), rollback removes the first */
	assert_int_equal(sl_consent_store_begin(f->s, &err), 0);
	r = ct_record(f->ctx, "e", "+4917000000005", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), 0);
	talloc_free(r.history);
	r = ct_record(f->ctx, "e2", "+4917000000005", "acme", SL_CONSENT_P_MARKETING, CALL, "v1");
	assert_int_equal(sl_consent_store_put(f->s, &r, T0, &err), -EEXIST);
	assert_non_null(strstr(err, "already has record e"));
	talloc_free(r.history);
	talloc_free(err);
	err = NULL;
	sl_consent_store_rollback(f->s);
	assert_int_equal(sl_consent_store_find(f->s, &r.subject, "acme", SL_CONSENT_P_MARKETING, id, &err), -ENOENT);
	talloc_free(err);
	/* and the store works normally afterwards */
	grant(f, "e", "+4917000000005", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
}

static int count_cb(void *data, const struct sl_consent_record *r)
{
	unsigned *n = data;

	(void)r;
	(*n)++;
	return 0;
}

static void test_expire_foreach(void **state)
{
	struct fix *f = *state;
	struct sl_consent_subject s;
	unsigned n = 0, cnt = 0;
	char *err = NULL;

	grant(f, "a", "+4917000000001", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	grant(f, "b", "+4917000000001", "beta", SL_CONSENT_P_MARKETING, "v1", 0);
	grant(f, "c", "+4917000000002", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
	/* operations that succeed leave no message behind on the store (a long import must not grow it) */
	{
		size_t before = talloc_total_blocks(f->s);
		grant(f, "d", "+4917000000009", "acme", SL_CONSENT_P_MARKETING, "v1", 0);
		assert_int_equal(talloc_total_blocks(f->s), before);
	}
	assert_int_equal(sl_consent_store_expire(f->s, T0 + 364 * DAY_US, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sl_consent_store_expire(f->s, T0 + 365 * DAY_US, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(status_of(f, "b", NULL), SL_CONSENT_EXPIRED);
	assert_int_equal(sl_consent_store_foreach(f->s, NULL, count_cb, &cnt, &err), 0);
	assert_int_equal(cnt, 4);
	cnt = 0;
	assert_int_equal(sl_consent_subject_parse("msisdn:+4917000000001", &s), 0);
	assert_int_equal(sl_consent_store_foreach(f->s, &s, count_cb, &cnt, &err), 0);
	assert_int_equal(cnt, 2);
}

static void test_notice_cmp(void **state)
{
	(void)state;
	assert_true(sl_consent_notice_cmp("v2", "v10") < 0);
	assert_true(sl_consent_notice_cmp("v10", "v2") > 0);
	assert_int_equal(sl_consent_notice_cmp("v2", "v2"), 0);
	assert_int_equal(sl_consent_notice_cmp("v02", "v2"), 0);
	assert_true(sl_consent_notice_cmp("2024-01", "2024-06") < 0);
	assert_true(sl_consent_notice_cmp("1.9", "1.10") < 0);
	assert_true(sl_consent_notice_cmp("v1", "v1a") < 0);
	assert_true(sl_consent_notice_cmp("a", "b") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_update_withdraw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notice_invalidation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expire_foreach, setup, teardown),
		cmocka_unit_test(test_notice_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
