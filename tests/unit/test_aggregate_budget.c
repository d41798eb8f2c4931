/*
 * Unit tests for the release ledger and privacy budget
 * (mediation/consent/aggregate_budget.c) and the differencing defence:
 * epsilon debited per recipient and window and refused once spent, with a
 * message; the ledger and budget survive closing and reopening; a failure
 * inside the publishing transaction leaves neither a release nor a debit,
 * and a publisher killed at random moments leaves a consistent ledger;
 * and three differencing attacks, each shown to work without the ledger
 * (positive control) and to be refused or defeated with it: overlapping
 * periods with late data, a coarser bucket over the same hours, and
 * averaging repeated noisy releases.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <talloc.h>

#include "aggregate_test_util.h"

static void *g_ctx;
static size_t g_blocks;
static char g_dir[64];
static char g_db[96];

static int setup(void **state)
{
	(void)state;
	g_ctx = talloc_named_const(NULL, 0, "test_aggregate_budget");
	g_blocks = talloc_total_blocks(g_ctx);
	snprintf(g_dir, sizeof(g_dir), "/tmp/sl_agg_XXXXXX");
	if (!mkdtemp(g_dir))
		return -1;
	snprintf(g_db, sizeof(g_db), "%s/consent.db", g_dir);
	return 0;
}

static int teardown(void **state)
{
	char p[128];

	(void)state;
	assert_int_equal(talloc_total_blocks(g_ctx), g_blocks);
	talloc_free(g_ctx);
	unlink(g_db);
	snprintf(p, sizeof(p), "%s-wal", g_db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", g_db);
	unlink(p);
	rmdir(g_dir);
	return 0;
}

static void add(struct sl_agg *agg, uint64_t subj, uint32_t area, int64_t t, unsigned cat)
{
	struct sl_agg_obs o = { .subject = subj, .area = area, .time_us = t, .category = cat };

	assert_int_equal(sl_agg_add(agg, &o), 0);
}

/* One day's accumulator for acme: 3 areas, 1 h buckets, one category;
 * 30 subjects per area and hour. */
static struct sl_agg *day(void *ctx, const char *recipient, int64_t day_start, uint64_t eps_micro,
			  unsigned n_areas)
{
	struct sl_agg_config *cfg = test_config(ctx, recipient, day_start, day_start + DAY_US,
						HOUR_US, n_areas, 1, 20);
	struct sl_agg *agg;

	cfg->epsilon_micro = eps_micro;
	cfg->max_cells_per_subject = 24;
	cfg->max_events_per_subject_cell = 2;
	assert_int_equal(sl_agg_new(ctx, cfg, &agg), 0);
	talloc_free(cfg);
	for (unsigned a = 0; a < n_areas; a++)
		for (unsigned h = 0; h < 24; h++)
			for (uint64_t s = 0; s < 30; s++)
				add(agg, a * 1000 + s, 100 + a, day_start + h * HOUR_US + (int64_t)s, 0);
	return agg;
}

static const struct sl_agg_budget_policy month_1 = {
	.epsilon_total_micro = 1000000,	/* epsilon 1 per recipient and window */
	.window_us = 30 * DAY_US,
	.allow_no_noise = false,
};

static int publish(struct sl_agg_store *st, const struct sl_agg_budget_policy *pol,
		   struct sl_agg *agg, struct sl_agg_rng *rng, char **json,
		   enum sl_agg_publish_result *res, char *why)
{
	why[0] = '\0';
	return sl_agg_publish(st, pol, agg, rng, 1700000000000000, g_ctx, json, res, why);
}

static void test_budget(void **state)
{
	char why[SL_AGG_WHY_LEN], *json;
	enum sl_agg_publish_result res;
	struct sl_agg_store *st;
	struct sl_agg_rng *rng;
	struct sl_agg *agg;
	uint64_t spent;
	unsigned n;

	(void)state;
	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(sl_agg_rng_seeded(g_ctx, "b", 1, &rng), 0);
	for (int d = 0; d < 2; d++) {
		agg = day(g_ctx, "acme", d * DAY_US, 400000, 3);
		assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
		assert_int_equal(res, SL_AGG_PUBLISHED);
		assert_non_null(strstr(json, "\"epsilon_micro\":400000"));
		talloc_free(json);
		talloc_free(agg);
	}
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 5 * DAY_US, &spent), 0);
	assert_int_equal(spent, 800000);
	/* 0.8 + 0.4 > 1: refused, with the numbers. */
	agg = day(g_ctx, "acme", 2 * DAY_US, 400000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EDQUOT);
	assert_null(json);
	print_message("refusal: %s\n", why);
	assert_non_null(strstr(why, "privacy budget exhausted"));
	assert_non_null(strstr(why, "acme"));
	talloc_free(agg);
	/* What is left still fits. */
	agg = day(g_ctx, "acme", 2 * DAY_US, 200000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
	talloc_free(json);
	talloc_free(agg);
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 0, &spent), 0);
	assert_int_equal(spent, 1000000);
	assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
	assert_int_equal(n, 3);
	/* Another recipient has its own budget; the next window starts afresh. */
	agg = day(g_ctx, "other", 3 * DAY_US, 1000000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
	talloc_free(json);
	talloc_free(agg);
	agg = day(g_ctx, "acme", 30 * DAY_US, 1000000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
	talloc_free(json);
	talloc_free(agg);
	/* More than the whole budget; no noise when the policy wants noise;
	 * a period across two windows; no generator. */
	agg = day(g_ctx, "acme", 60 * DAY_US, 1000001, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EDQUOT);
	talloc_free(agg);
	agg = day(g_ctx, "acme", 61 * DAY_US, 0, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EPERM);
	print_message("refusal: %s\n", why);
	talloc_free(agg);
	agg = day(g_ctx, "acme", 89 * DAY_US + 12 * HOUR_US, 100000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EINVAL);
	print_message("refusal: %s\n", why);
	talloc_free(agg);
	agg = day(g_ctx, "acme", 62 * DAY_US, 100000, 3);
	assert_int_equal(publish(st, &month_1, agg, NULL, &json, &res, why), -EINVAL);
	/* Not before the period is over and settled. */
	assert_int_equal(sl_agg_publish(st, &month_1, agg, rng, 63 * DAY_US - 1, g_ctx, &json, &res, why),
			 -EAGAIN);
	print_message("refusal: %s\n", why);
	{
		struct sl_agg_budget_policy settle = month_1;

		settle.settle_us = HOUR_US;
		assert_int_equal(sl_agg_publish(st, &settle, agg, rng, 63 * DAY_US + HOUR_US - 1, g_ctx,
						&json, &res, why), -EAGAIN);
		assert_int_equal(sl_agg_publish(st, &settle, agg, rng, 63 * DAY_US + HOUR_US, g_ctx,
						&json, &res, why), 0);
		talloc_free(json);
	}
	talloc_free(agg);
	assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(sl_agg_store_check(st, why), 0);
	talloc_free(rng);
	talloc_free(st);
}

static void test_persistence(void **state)
{
	char why[SL_AGG_WHY_LEN], *json, *first, *again;
	enum sl_agg_publish_result res;
	struct sl_agg_store *st;
	struct sl_agg_rng *rng;
	struct sl_agg *agg, *agg0;
	uint64_t spent;
	unsigned n;

	(void)state;
	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(sl_agg_rng_system(g_ctx, &rng), 0);
	agg0 = day(g_ctx, "acme", 0, 600000, 3);
	assert_int_equal(publish(st, &month_1, agg0, rng, &first, &res, why), 0);
	assert_int_equal(res, SL_AGG_PUBLISHED);
	agg = day(g_ctx, "acme", DAY_US, 300000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
	talloc_free(json);
	talloc_free(agg);
	talloc_free(st);

	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 0, &spent), 0);
	assert_int_equal(spent, 900000);
	assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
	assert_int_equal(n, 2);
	/* The identical release comes back byte for byte, free. */
	assert_int_equal(publish(st, &month_1, agg0, rng, &again, &res, why), 0);
	assert_int_equal(res, SL_AGG_REPEATED);
	assert_string_equal(again, first);
	talloc_free(again);
	agg = day(g_ctx, "acme", 2 * DAY_US, 200000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EDQUOT);
	talloc_free(agg);
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 0, &spent), 0);
	assert_int_equal(spent, 900000);
	talloc_free(first);
	talloc_free(agg0);
	talloc_free(rng);
	talloc_free(st);
}

static void exec_sql(const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(g_db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_nothing_half_applied(void **state)
{
	char why[SL_AGG_WHY_LEN], *json;
	enum sl_agg_publish_result res;
	struct sl_agg_store *st;
	struct sl_agg_rng *rng;
	struct sl_agg *agg;
	uint64_t spent;
	unsigned n;

	(void)state;
	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(sl_agg_rng_seeded(g_ctx, "h", 1, &rng), 0);
	/* The budget debit fails after the release row went in. */
	exec_sql("CREATE TRIGGER fail_debit BEFORE INSERT ON agg_budget"
		 " BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	agg = day(g_ctx, "acme", 0, 500000, 3);
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), -EIO);
	assert_null(json);
	print_message("injected failure: %s\n", why);
	assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 0, &spent), 0);
	assert_int_equal(spent, 0);
	exec_sql("DROP TRIGGER fail_debit");
	assert_int_equal(publish(st, &month_1, agg, rng, &json, &res, why), 0);
	assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(sl_agg_store_spent(st, "acme", month_1.window_us, 0, &spent), 0);
	assert_int_equal(spent, 500000);
	assert_int_equal(sl_agg_store_check(st, why), 0);
	talloc_free(json);
	talloc_free(agg);
	talloc_free(rng);
	talloc_free(st);
	/* An unusable path is refused with a message. */
	assert_int_equal(sl_agg_store_open(g_ctx, "/nonexistent/dir/x.db", &st, why), -EIO);
	assert_non_null(strstr(why, "/nonexistent/dir/x.db"));
}

/* Events of one cell in a document: -1 when suppressed. */
static long long cell_events(const char *text, unsigned area, unsigned bucket)
{
	json_t *doc = json_loads(text, 0, NULL), *c;
	long long v = -2;
	size_t i;

	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "cells"), i, c) {
		if (json_integer_value(json_object_get(c, "area")) == area &&
		    json_integer_value(json_object_get(c, "bucket")) == bucket)
			v = json_is_true(json_object_get(c, "suppressed"))
				    ? -1 : json_integer_value(json_object_get(c, "events"));
	}
	json_decref(doc);
	return v;
}

static const struct sl_agg_budget_policy k_only = {
	.epsilon_total_micro = 1000000,
	.window_us = 30 * DAY_US,
	.allow_no_noise = true,
};

/* Hour 0: 25 subjects, 1 event each; hour 1: 5 subjects, 2 events each. */
static struct sl_agg *two_hours(void *ctx, int64_t bucket, int64_t end)
{
	struct sl_agg_config *cfg = test_config(ctx, "acme", 0, end, bucket, 1, 1, 20);
	struct sl_agg *agg;

	assert_int_equal(sl_agg_new(ctx, cfg, &agg), 0);
	talloc_free(cfg);
	for (uint64_t s = 0; s < 25; s++)
		add(agg, s, 100, 60, 0);
	for (uint64_t s = 100; s < 105; s++) {
		add(agg, s, 100, HOUR_US + 60, 0);
		add(agg, s, 100, HOUR_US + 120, 0);
	}
	return agg;
}

static void test_differencing(void **state)
{
	char why[SL_AGG_WHY_LEN], *j1, *j2, *j3;
	enum sl_agg_publish_result res;
	struct sl_agg_store *st;
	struct sl_agg_release *rel;
	struct sl_agg *a1, *a2;
	long long derived;

	(void)state;
	/* Attack 1, control: a 1 h release, then a 2 h one over the same hours.
	 * Built without the ledger, subtraction recovers the suppressed cell. */
	a1 = two_hours(g_ctx, HOUR_US, 2 * HOUR_US);
	a2 = two_hours(g_ctx, 2 * HOUR_US, 2 * HOUR_US);
	assert_int_equal(sl_agg_release_build(g_ctx, a1, NULL, &rel), 0);
	assert_int_equal(sl_agg_release_json(g_ctx, rel, &j1), 0);
	talloc_free(rel);
	assert_int_equal(sl_agg_release_build(g_ctx, a2, NULL, &rel), 0);
	assert_int_equal(sl_agg_release_json(g_ctx, rel, &j2), 0);
	talloc_free(rel);
	assert_int_equal(cell_events(j1, 100, 1), -1);	/* suppressed: 5 subjects */
	derived = cell_events(j2, 100, 0) - cell_events(j1, 100, 0);
	assert_int_equal(derived, 10);			/* the attack works */
	talloc_free(j1);
	talloc_free(j2);
	/* With the ledger the second release is refused. */
	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(publish(st, &k_only, a1, NULL, &j1, &res, why), 0);
	assert_int_equal(res, SL_AGG_PUBLISHED);
	assert_int_equal(publish(st, &k_only, a2, NULL, &j2, &res, why), -EEXIST);
	print_message("refusal: %s\n", why);
	assert_non_null(strstr(why, "overlaps"));
	talloc_free(a2);

	/* Attack 2: periods [0, 2h) and [0, 3h) with late data in between:
	 * a 21st subject in hour 0 tells the recipient one more person was
	 * there. Refused: overlapping and not identical. */
	a2 = two_hours(g_ctx, HOUR_US, 3 * HOUR_US);
	add(a2, 999, 100, 90, 0);
	assert_int_equal(publish(st, &k_only, a2, NULL, &j2, &res, why), -EEXIST);
	talloc_free(a2);
	/* Same period, one more area: refused too. */
	{
		struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 2 * HOUR_US, HOUR_US, 2, 1, 20);

		assert_int_equal(sl_agg_new(g_ctx, cfg, &a2), 0);
		talloc_free(cfg);
		assert_int_equal(publish(st, &k_only, a2, NULL, &j2, &res, why), -EEXIST);
		talloc_free(a2);
	}
	/* The identical request after late data: the stored bytes, unchanged. */
	add(a1, 999, 100, 90, 0);
	assert_int_equal(publish(st, &k_only, a1, NULL, &j3, &res, why), 0);
	assert_int_equal(res, SL_AGG_REPEATED);
	assert_string_equal(j3, j1);
	talloc_free(j3);
	/* A disjoint period is fine. */
	{
		struct sl_agg_config *cfg = test_config(g_ctx, "acme", 2 * HOUR_US, 3 * HOUR_US, HOUR_US, 2, 1, 20);

		assert_int_equal(sl_agg_new(g_ctx, cfg, &a2), 0);
		talloc_free(cfg);
		assert_int_equal(publish(st, &k_only, a2, NULL, &j2, &res, why), 0);
		assert_int_equal(res, SL_AGG_PUBLISHED);
		talloc_free(j2);
		talloc_free(a2);
	}
	talloc_free(j1);
	talloc_free(a1);
	talloc_free(st);
}

static void test_averaging(void **state)
{
	char why[SL_AGG_WHY_LEN], *first = NULL, *json;
	enum sl_agg_publish_result res;
	struct sl_agg_store *st;
	struct sl_agg *agg = day(g_ctx, "acme", 0, 10000000, 1); /* epsilon 10 */
	const struct sl_agg_budget_policy big = {
		.epsilon_total_micro = 10000000, .window_us = 30 * DAY_US,
	};
	struct sl_agg_rng *rng;
	struct sl_agg_release *rel;
	double sum = 0, single;
	enum { R = 400 };

	(void)state;
	/* Control: 400 fresh releases average out the noise (events scale
	 * 2 x 24 x 2 / 10 = 9.6: one draw is off by about 10, the mean of 400
	 * by about 0.7). */
	for (unsigned i = 0; i < R; i++) {
		char seed[16];

		snprintf(seed, sizeof(seed), "avg-%u", i);
		assert_int_equal(sl_agg_rng_seeded(g_ctx, seed, strlen(seed), &rng), 0);
		assert_int_equal(sl_agg_release_build(g_ctx, agg, rng, &rel), 0);
		sum += (double)rel->cells[0].events;
		talloc_free(rel);
		talloc_free(rng);
	}
	print_message("averaging: mean of %d fresh noisy releases %.2f, truth 30\n", R, sum / R);
	assert_true(fabs(sum / R - 30) < 2.5);
	/* With the ledger: every repeat is the first release's bytes. */
	assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
	assert_int_equal(sl_agg_rng_system(g_ctx, &rng), 0);
	for (unsigned i = 0; i < 20; i++) {
		assert_int_equal(publish(st, &big, agg, rng, &json, &res, why), 0);
		assert_int_equal(res, i ? SL_AGG_REPEATED : SL_AGG_PUBLISHED);
		if (!first)
			first = json;
		else {
			assert_string_equal(json, first);
			talloc_free(json);
		}
	}
	single = (double)cell_events(first, 100, 0);
	print_message("averaging with the ledger: 20 requests, one release (events %.0f), one debit\n", single);
	{
		uint64_t spent;

		assert_int_equal(sl_agg_store_spent(st, "acme", big.window_us, 0, &spent), 0);
		assert_int_equal(spent, 10000000);
	}
	talloc_free(first);
	talloc_free(rng);
	talloc_free(st);
	talloc_free(agg);
}

/* A publisher killed at random moments: after each kill the ledger opens,
 * its invariants hold (every release has its debit and no debit lacks its
 * release; no overlaps), and what was committed stays. */
static void test_crash_consistency(void **state)
{
	static const struct sl_agg_budget_policy lots = {
		.epsilon_total_micro = INT64_MAX / 2, .window_us = 3650 * DAY_US,
	};
	char why[SL_AGG_WHY_LEN];
	unsigned last = 0, kills = 0;
	uint64_t r = 777;

	(void)state;
	for (unsigned round = 0; round < 12; round++) {
		struct sl_agg_store *st;
		unsigned n;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			void *ctx = talloc_named_const(NULL, 0, "child");
			struct sl_agg_rng *rng;
			enum sl_agg_publish_result res;
			char *json;

			if (sl_agg_store_open(ctx, g_db, &st, why) < 0 ||
			    sl_agg_rng_system(ctx, &rng) < 0)
				_exit(2);
			for (int d = (int)last;; d++) {
				struct sl_agg *agg = day(ctx, "acme", d * DAY_US, 1000 + (uint64_t)d, 2);

				if (sl_agg_publish(st, &lots, agg, rng, INT64_MAX, ctx, &json, &res, why) < 0)
					_exit(3);
				talloc_free(json);
				talloc_free(agg);
			}
		}
		usleep(20000 + (useconds_t)(xs_next(&r) % 60000));
		kill(pid, SIGKILL);
		{
			int status;

			assert_int_equal(waitpid(pid, &status, 0), pid);
			if (WIFSIGNALED(status))
				kills++;
			else
				fail_msg("publisher exited with %d", WEXITSTATUS(status));
		}
		assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
		if (sl_agg_store_check(st, why) < 0)
			fail_msg("%s", why);
		assert_int_equal(sl_agg_store_count(st, "acme", &n), 0);
		assert_true(n >= last);
		last = n;
		talloc_free(st);
	}
	print_message("crash: %u kills, %u releases committed, ledger consistent after each\n", kills, last);
	assert_true(last > 0);
	/* The check itself finds a debit without its release. */
	{
		struct sl_agg_store *st;

		exec_sql("UPDATE agg_budget SET spent_micro = spent_micro + 1");
		assert_int_equal(sl_agg_store_open(g_ctx, g_db, &st, why), 0);
		assert_int_equal(sl_agg_store_check(st, why), -EBADMSG);
		print_message("check: %s\n", why);
		talloc_free(st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_half_applied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_differencing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_averaging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_consistency, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
