/*
 * Unit tests for aggregate releases driven by packet time
 * (aggregate_stream.c): a bucket closes only once the packet clock has
 * passed its end by the lateness allowance, its release holds every cell
 * with at least k subjects and suppresses the others, an observation for a
 * closed bucket is late and counted (never in a later release), closing at
 * the end of input releases what is open, and a release the budget cannot
 * pay for is refused, counted and leaves the ledger consistent. The
 * release equals the library's offline release of the same observations
 * (sl_agg_publish on a fresh store) byte for byte when there is no noise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <talloc.h>

#include "mediation/consent/aggregate_stream.h"
#include "tests/unit/aggregate_test_util.h"

#define T0 (INT64_C(1767225600000000)) /* 2026-01-01T00:00:00Z, a multiple of an hour */

struct seen {
	unsigned n;
	struct sl_agg_stream_outcome o[8];
	char *json[8];
	char why[8][SL_AGG_WHY_LEN];
};

static void on_outcome(void *data, const struct sl_agg_stream_outcome *o)
{
	struct seen *s = data;

	assert_true(s->n < 8);
	s->o[s->n] = *o;
	s->json[s->n] = o->json ? talloc_strdup(NULL, o->json) : NULL;
	if (o->why)
		snprintf(s->why[s->n], SL_AGG_WHY_LEN, "%s", o->why);
	s->n++;
}

static char *tmpdb(void)
{
	const char *base = getenv("TMPDIR");
	char *dir = talloc_asprintf(NULL, "%s/agg-stream-XXXXXX", base && *base ? base : "/tmp");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void rmdb(char *dir)
{
	char *cmd = talloc_asprintf(dir, "rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	talloc_free(dir);
}

/* Area 100: 5 subjects calling (k = 3: released); area 101: 2 subjects (suppressed). */
static void feed_hour(struct sl_agg_stream *s, int64_t start)
{
	unsigned i;

	for (i = 0; i < 7; i++) {
		struct sl_agg_obs o = { .subject = 1000 + i, .area = i < 5 ? 100 : 101,
					.time_us = start + (int64_t)i * 60000000, .category = 0 };
		assert_int_equal(sl_agg_stream_add(s, &o), 0);
	}
}

static void test_bucket_close_and_release(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = tmpdb(), *path = talloc_asprintf(dir, "%s/c.db", dir), why[SL_AGG_WHY_LEN];
	struct sl_agg_config *grid = test_config(ctx, "acme", 0, 0, HOUR_US, 2, 2, 3);
	struct sl_agg_stream_cfg cfg = { .lateness_us = 300000000,
					 .budget = { .epsilon_total_micro = 0, .window_us = DAY_US,
						     .allow_no_noise = true } };
	struct sl_agg_store *st, *offline;
	struct sl_agg_stream *s;
	struct sl_agg_stream_stats stats;
	struct seen seen = { 0 };
	struct sl_agg *agg;
	struct sl_agg_obs late = { .subject = 1, .area = 100, .time_us = T0 + 10, .category = 0 };
	enum sl_agg_publish_result res;
	char *json = NULL;
	unsigned i;
	json_t *doc;

	(void)state;
	cfg.grid = *grid;
	assert_int_equal(sl_agg_store_open(ctx, path, &st, why), 0);
	assert_int_equal(sl_agg_stream_new(ctx, &cfg, st, NULL, on_outcome, &seen, &s, why), 0);
	feed_hour(s, T0);
	sl_agg_stream_tick(s, T0 + HOUR_US); /* bucket over, lateness not yet */
	sl_agg_stream_tick(s, T0 + HOUR_US + 299999999);
	assert_int_equal(seen.n, 0);
	sl_agg_stream_tick(s, T0 + HOUR_US + 300000000);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.o[0].rc, 0);
	assert_int_equal(seen.o[0].result, SL_AGG_PUBLISHED);
	assert_true(seen.o[0].period_start_us == T0 && seen.o[0].period_end_us == T0 + HOUR_US);
	assert_int_equal(seen.o[0].observations, 7);
	assert_int_equal(seen.o[0].released, 1);
	assert_int_equal(seen.o[0].suppressed, 3);
	doc = json_loads(seen.json[0], 0, NULL);
	assert_non_null(doc);
	{
		json_t *cells = json_object_get(doc, "cells"), *c;
		size_t j;
		json_array_foreach(cells, j, c) {
			json_t *subj = json_object_get(c, "subjects");
			if (subj)
				assert_true(json_integer_value(subj) >= 3);
			else
				assert_true(json_is_true(json_object_get(c, "suppressed")));
			if (json_integer_value(json_object_get(c, "area")) == 101)
				assert_null(subj); /* 2 subjects < k */
		}
	}
	json_decref(doc);
	/* late: its bucket was released; counted, never in a later release */
	assert_int_equal(sl_agg_stream_add(s, &late), 1);
	/* offline: the same observations through the library on a fresh store give the same bytes */
	{
		char *p2 = talloc_asprintf(dir, "%s/offline.db", dir);
		struct sl_agg_config one = *grid;
		one.period_start_us = T0;
		one.period_end_us = T0 + HOUR_US;
		assert_int_equal(sl_agg_store_open(ctx, p2, &offline, why), 0);
		assert_int_equal(sl_agg_new(ctx, &one, &agg), 0);
		for (i = 0; i < 7; i++) {
			struct sl_agg_obs o = { .subject = 1000 + i, .area = i < 5 ? 100 : 101,
						.time_us = T0 + (int64_t)i * 60000000, .category = 0 };
			assert_int_equal(sl_agg_add(agg, &o), 0);
		}
		assert_int_equal(sl_agg_publish(offline, &cfg.budget, agg, NULL, T0 + 2 * HOUR_US, ctx, &json, &res,
						why), 0);
		assert_string_equal(json, seen.json[0]);
	}
	/* the next hour is open until the input ends */
	feed_hour(s, T0 + HOUR_US);
	sl_agg_stream_tick(s, T0 + HOUR_US + 1);
	assert_int_equal(seen.n, 1);
	sl_agg_stream_close_all(s);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.o[1].rc, 0);
	assert_true(seen.o[1].period_start_us == T0 + HOUR_US);
	sl_agg_stream_stats(s, &stats);
	assert_int_equal(stats.observations, 14);
	assert_int_equal(stats.late, 1);
	assert_int_equal(stats.released, 2);
	assert_int_equal(stats.refused, 0);
	assert_int_equal(stats.open_buckets, 0);
	assert_int_equal(sl_agg_store_check(st, why), 0);
	for (i = 0; i < seen.n; i++)
		talloc_free(seen.json[i]);
	talloc_free(ctx);
	rmdb(dir);
}

static void test_budget_refusal(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = tmpdb(), *path = talloc_asprintf(dir, "%s/c.db", dir), why[SL_AGG_WHY_LEN];
	struct sl_agg_config *grid = test_config(ctx, "acme", 0, 0, HOUR_US, 2, 2, 3);
	struct sl_agg_stream_cfg cfg = { .lateness_us = 0,
					 .budget = { .epsilon_total_micro = 1000000, .window_us = DAY_US } };
	struct sl_agg_store *st;
	struct sl_agg_stream *s;
	struct sl_agg_rng *rng;
	struct sl_agg_stream_stats stats;
	struct seen seen = { 0 };
	unsigned i, n_spent;
	uint64_t spent;

	(void)state;
	grid->epsilon_micro = 400000; /* two releases fit in 1.0, the third does not */
	cfg.grid = *grid;
	assert_int_equal(sl_agg_store_open(ctx, path, &st, why), 0);
	assert_int_equal(sl_agg_rng_seeded(ctx, "seed", 4, &rng), 0);
	assert_int_equal(sl_agg_stream_new(ctx, &cfg, st, rng, on_outcome, &seen, &s, why), 0);
	for (i = 0; i < 3; i++) {
		feed_hour(s, T0 + (int64_t)i * HOUR_US);
		sl_agg_stream_tick(s, T0 + (int64_t)(i + 1) * HOUR_US);
	}
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.o[0].rc, 0);
	assert_int_equal(seen.o[1].rc, 0);
	assert_int_equal(seen.o[2].rc, -EDQUOT);
	assert_null(seen.json[2]);
	assert_non_null(strstr(seen.why[2], "budget exhausted"));
	sl_agg_stream_stats(s, &stats);
	assert_int_equal(stats.released, 2);
	assert_int_equal(stats.refused, 1);
	assert_int_equal(sl_agg_store_spent(st, "acme", DAY_US, T0, &spent), 0);
	assert_int_equal(spent, 800000);
	assert_int_equal(sl_agg_store_count(st, "acme", &n_spent), 0);
	assert_int_equal(n_spent, 2);
	assert_int_equal(sl_agg_store_check(st, why), 0);
	for (i = 0; i < seen.n; i++)
		talloc_free(seen.json[i]);
	talloc_free(ctx);
	rmdb(dir);
}

/* A bucket holds at most max_obs_per_bucket observations: the rest are dropped and counted, another bucket is not affected. */
static void test_cap_per_bucket(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = tmpdb(), *path = talloc_asprintf(dir, "%s/c.db", dir), why[SL_AGG_WHY_LEN];
	struct sl_agg_config *grid = test_config(ctx, "acme", 0, 0, HOUR_US, 2, 2, 3);
	struct sl_agg_stream_cfg cfg = { .lateness_us = 0, .max_obs_per_bucket = 300,
					 .budget = { .epsilon_total_micro = 0, .window_us = DAY_US,
						     .allow_no_noise = true } };
	struct sl_agg_store *st;
	struct sl_agg_stream *s;
	struct sl_agg_stream_stats stats;
	struct seen seen = { 0 };
	unsigned i;

	(void)state;
	cfg.grid = *grid;
	assert_int_equal(sl_agg_store_open(ctx, path, &st, why), 0);
	assert_int_equal(sl_agg_stream_new(ctx, &cfg, st, NULL, on_outcome, &seen, &s, why), 0);
	for (i = 0; i < 1000; i++) {
		struct sl_agg_obs o = { .subject = i, .area = 100, .time_us = T0 + i, .category = 0 };
		assert_int_equal(sl_agg_stream_add(s, &o), i < 300 ? 0 : 2);
	}
	{
		/* the next bucket has its own room */
		struct sl_agg_obs o = { .subject = 1, .area = 100, .time_us = T0 + HOUR_US + 1, .category = 0 };
		assert_int_equal(sl_agg_stream_add(s, &o), 0);
	}
	sl_agg_stream_stats(s, &stats);
	assert_int_equal(stats.observations, 301);
	assert_int_equal(stats.capped, 700);
	assert_int_equal(stats.open_buckets, 2);
	sl_agg_stream_close_all(s);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.o[0].observations, 300);
	assert_int_equal(seen.o[1].observations, 1);
	for (i = 0; i < seen.n; i++)
		talloc_free(seen.json[i]);
	talloc_free(ctx);
	rmdb(dir);
}

static void test_bad_config(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_agg_config *grid = test_config(ctx, "acme", 0, 0, HOUR_US, 2, 2, 1); /* k below 2 */
	struct sl_agg_stream_cfg cfg = { .lateness_us = 0, .budget = { .window_us = DAY_US } };
	struct sl_agg_stream *s;
	char why[SL_AGG_WHY_LEN] = "";

	(void)state;
	cfg.grid = *grid;
	assert_int_equal(sl_agg_stream_new(ctx, &cfg, NULL, NULL, NULL, NULL, &s, why), -EINVAL);
	assert_null(s);
	assert_true(why[0] != '\0');
	grid->k = 3;
	cfg.grid = *grid;
	cfg.lateness_us = -1;
	assert_int_equal(sl_agg_stream_new(ctx, &cfg, NULL, NULL, NULL, NULL, &s, why), -EINVAL);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_close_and_release),
		cmocka_unit_test(test_budget_refusal),
		cmocka_unit_test(test_cap_per_bucket),
		cmocka_unit_test(test_bad_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
