/*
 * Unit tests for the aggregate accumulator, suppression, JSON and noise
 * (mediation/consent/aggregate*.c): exact distinct counts against a brute
 * force count, the caps and their counters, no released cell below k, the
 * linear attack on the released table (run as code: equations from the
 * published totals, solved for single unknowns, with a positive control on
 * a naive table that publishes true totals), the release document byte for
 * byte (and docs/aggregates.md showing the same bytes and naming every
 * drop counter, when run from make check), malformed configurations refused, and the noise distribution with
 * a fixed seed. Every test's talloc blocks return to their start.
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

#include <cmocka.h>
#include <jansson.h>
#include <talloc.h>

#include "aggregate_test_util.h"

static void *g_ctx;
static size_t g_blocks;

static int setup(void **state)
{
	(void)state;
	g_ctx = talloc_named_const(NULL, 0, "test_aggregate");
	g_blocks = talloc_total_blocks(g_ctx);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(talloc_total_blocks(g_ctx), g_blocks);
	talloc_free(g_ctx);
	return 0;
}

static void add(struct sl_agg *agg, uint64_t subj, uint32_t area, int64_t t, unsigned cat, int want)
{
	struct sl_agg_obs o = { .subject = subj, .area = area, .time_us = t, .category = cat };

	assert_int_equal(sl_agg_add(agg, &o), want);
}

/* --- configuration -------------------------------------------------------- */

static const char good_cfg[] =
	"{\"recipient\":\"acme-footfall\",\"period_start_us\":0,\"period_end_us\":86400000000,"
	"\"bucket_s\":3600,\"areas\":[1,2,3],\"categories\":[\"call\",\"sms\"],\"epsilon\":0.5}";

static void test_config_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"recipient\":\"a\"}",
		"{\"recipient\":\"a b\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"extra\":1}",
		"{\"recipient\":\"a\",\"recipient\":\"b\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":1,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":0,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":59,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":90,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[2,1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[-1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\",\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"C\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":1}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":\"20\"}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"epsilon\":-1}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"epsilon\":1e-9}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":30,\"distinct_cap\":29}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"max_cells_per_subject\":0}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":360000000000000,\"bucket_s\":60,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\\u0000d\"]}",
	};
	struct sl_agg_config *cfg;
	char why[SL_AGG_WHY_LEN];
	uint8_t d1[32], d2[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(sl_agg_config_parse(g_ctx, bad[i], strlen(bad[i]), &cfg, why), -EINVAL);
		assert_null(cfg);
		if (!why[0])
			fail_msg("no message for bad config %zu", i);
	}
	assert_int_equal(sl_agg_config_parse(g_ctx, good_cfg, strlen(good_cfg), &cfg, why), 0);
	assert_string_equal(cfg->recipient, "acme-footfall");
	assert_int_equal(cfg->k, SL_AGG_K_DEFAULT);
	assert_int_equal(cfg->epsilon_micro, 500000);
	assert_int_equal(cfg->bucket_us, HOUR_US);
	assert_int_equal(cfg->n_areas, 3);
	assert_string_equal(cfg->categories[1], "sms");
	assert_int_equal(cfg->max_cells_per_subject, SL_AGG_MAX_CELLS_PER_SUBJECT_DEFAULT);
	sl_agg_config_digest(cfg, d1);
	cfg->k = 21;
	sl_agg_config_digest(cfg, d2);
	assert_memory_not_equal(d1, d2, 32);
	talloc_free(cfg);
	/* Exactly sized, no terminating NUL: the parser reads len bytes only. */
	{
		char *copy = talloc_memdup(g_ctx, good_cfg, strlen(good_cfg));

		assert_int_equal(sl_agg_config_parse(g_ctx, copy, strlen(good_cfg), &cfg, why), 0);
		talloc_free(cfg);
		assert_int_equal(sl_agg_config_parse(g_ctx, copy, strlen(good_cfg) - 1, &cfg, why), -EINVAL);
		talloc_free(copy);
	}
}

/* --- accumulator ---------------------------------------------------------- */

struct truth_key {
	uint64_t subj;
	size_t cell;
};

static int cmp_truth(const void *a, const void *b)
{
	const struct truth_key *x = a, *y = b;

	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	if (x->subj != y->subj)
		return x->subj < y->subj ? -1 : 1;
	return 0;
}

static void test_distinct_exact(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 6 * HOUR_US, HOUR_US, 7, 3, 20);
	enum { N = 60000 };
	struct truth_key *tk = talloc_array(g_ctx, struct truth_key, N);
	uint32_t *subjects;
	uint64_t *events, s = 88172645463325252ULL;
	struct sl_agg *agg;
	size_t n = 0;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	subjects = talloc_zero_array(g_ctx, uint32_t, sl_agg_n_cells(agg));
	events = talloc_zero_array(g_ctx, uint64_t, sl_agg_n_cells(agg));
	for (unsigned i = 0; i < N; i++) {
		struct sl_agg_obs o = {
			.subject = xs_next(&s) % 3000,
			.area = 100 + (unsigned)(xs_next(&s) % 7),
			.time_us = (int64_t)(xs_next(&s) % (uint64_t)(6 * HOUR_US)),
			.category = (unsigned)(xs_next(&s) % 3),
		};
		assert_int_equal(sl_agg_add(agg, &o), 0);
		tk[n].subj = o.subject;
		tk[n++].cell = sl_agg_cell_index(agg, o.area - 100,
						 (unsigned)(o.time_us / HOUR_US), o.category);
	}
	qsort(tk, n, sizeof(*tk), cmp_truth);
	for (size_t i = 0; i < n; i++) {
		events[tk[i].cell]++;
		if (i == 0 || cmp_truth(&tk[i], &tk[i - 1]))
			subjects[tk[i].cell]++;
	}
	for (size_t c = 0; c < sl_agg_n_cells(agg); c++) {
		uint32_t ts;
		uint64_t te;

		sl_agg_cell_true(agg, c, &ts, &te);
		assert_int_equal(ts, subjects[c]);
		assert_int_equal(te, events[c]);
	}
	/* Out of the grid: each counted under its reason. */
	add(agg, 1, 100, -1, 0, 1);
	add(agg, 1, 100, 6 * HOUR_US, 0, 1);
	add(agg, 1, 99, 0, 0, 1);
	add(agg, 1, 100, 0, 3, 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_OUT_OF_PERIOD), 2);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_UNKNOWN_AREA), 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_UNKNOWN_CATEGORY), 1);
	talloc_free(agg);
	talloc_free(tk);
	talloc_free(subjects);
	talloc_free(events);
	talloc_free(cfg);
}

static void test_caps(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 4 * HOUR_US, HOUR_US, 2, 1, 3);
	struct sl_agg *agg;
	uint32_t s;
	uint64_t e;

	(void)state;
	cfg->max_cells_per_subject = 2;
	cfg->max_events_per_subject_cell = 3;
	cfg->distinct_cap = 4;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	/* subject 7: two cells, then a third is refused; events capped at 3 per cell */
	add(agg, 7, 100, 0, 0, 0);
	add(agg, 7, 100, 1, 0, 0);
	add(agg, 7, 100, 2, 0, 0);
	add(agg, 7, 100, 3, 0, 1);
	add(agg, 7, 101, 0, 0, 0);
	add(agg, 7, 101, HOUR_US, 0, 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_EVENT_CAP), 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_SUBJECT_CELL_CAP), 1);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 0, 0, 0), &s, &e);
	assert_int_equal(s, 1);
	assert_int_equal(e, 3);
	/* cell (101, 1h): at most 4 subjects stored */
	for (uint64_t subj = 1000; subj < 1010; subj++)
		add(agg, subj, 101, HOUR_US, 0, subj < 1004 ? 0 : 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_DISTINCT_CAP), 6);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 1, 1, 0), &s, &e);
	assert_int_equal(s, 4);
	{
		struct sl_agg_release *rel;
		struct sl_agg_rng *rng;

		/* A full cell is released (its count a lower bound, >= k) ... */
		assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
		assert_false(rel->cells[sl_agg_cell_index(agg, 1, 1, 0)].suppressed);
		talloc_free(rel);
		talloc_free(agg);
		/* ... but not with noise: the sensitivity bound needs no full cell. */
		cfg->epsilon_micro = 1000000;
		assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
		for (uint64_t subj = 1000; subj < 1010; subj++)
			add(agg, subj, 101, HOUR_US, 0, subj < 1004 ? 0 : 1);
		assert_int_equal(sl_agg_rng_seeded(g_ctx, "x", 1, &rng), 0);
		assert_int_equal(sl_agg_release_build(g_ctx, agg, rng, &rel), -ERANGE);
		talloc_free(rng);
		cfg->epsilon_micro = 0;
	}
	talloc_free(agg);
	/* many subjects in one cell: the set grows and stays exact */
	cfg->distinct_cap = 100000;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	for (uint64_t subj = 0; subj < 5000; subj++)
		add(agg, subj << 20, 100, 3 * HOUR_US, 0, 0);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 0, 3, 0), &s, &e);
	assert_int_equal(s, 5000);
	assert_int_equal(e, 5000);
	talloc_free(agg);
	cfg->distinct_cap = 2; /* below k */
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), -EINVAL);
	talloc_free(cfg);
	assert_int_equal(sl_agg_subject_key("abc", 3), 0xba7816bf8f01cfeaULL);
}

/* Random grid: each cell gets a random number of distinct subjects around k. */
static struct sl_agg *random_grid(void *ctx, struct sl_agg_config *cfg, uint64_t *s, unsigned max_subj)
{
	struct sl_agg *agg;

	assert_int_equal(sl_agg_new(ctx, cfg, &agg), 0);
	for (unsigned a = 0; a < cfg->n_areas; a++) {
		unsigned nb = (unsigned)((cfg->period_end_us - cfg->period_start_us) / cfg->bucket_us);

		for (unsigned b = 0; b < nb; b++) {
			for (unsigned c = 0; c < cfg->n_categories; c++) {
				unsigned d = (unsigned)(xs_next(s) % (max_subj + 1));

				for (unsigned i = 0; i < d; i++) {
					uint64_t subj = xs_next(s);
					unsigned ev = 1 + (unsigned)(xs_next(s) % 3);

					for (unsigned e = 0; e < ev; e++)
						add(agg, subj, cfg->areas[a],
						    cfg->period_start_us + b * cfg->bucket_us +
							    (int64_t)(xs_next(s) % (uint64_t)cfg->bucket_us),
						    c, 0);
				}
			}
		}
	}
	return agg;
}

static void test_no_cell_below_k(void **state)
{
	uint64_t s = 0x1234567;

	(void)state;
	for (unsigned it = 0; it < 30; it++) {
		unsigned k = 2 + (unsigned)(xs_next(&s) % 30);
		struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 5 * HOUR_US, HOUR_US,
							2 + (unsigned)(xs_next(&s) % 5), 2, k);
		struct sl_agg *agg = random_grid(g_ctx, cfg, &s, 2 * k);
		struct sl_agg_release *rel;
		unsigned released = 0, suppressed = 0;

		assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
		for (size_t i = 0; i < rel->n_cells; i++) {
			uint32_t ts;
			uint64_t te;

			sl_agg_cell_true(agg, i, &ts, &te);
			if (rel->cells[i].suppressed) {
				assert_true(ts < k);
				assert_int_equal(rel->cells[i].subjects, 0);
				assert_int_equal(rel->cells[i].events, 0);
				suppressed++;
			} else {
				assert_true(ts >= k);
				assert_true(rel->cells[i].subjects >= k);
				assert_int_equal(rel->cells[i].subjects, ts);
				assert_int_equal(rel->cells[i].events, te);
				released++;
			}
		}
		assert_int_equal(rel->all.released, released);
		assert_int_equal(rel->all.suppressed, suppressed);
		talloc_free(rel);
		talloc_free(agg);
		talloc_free(cfg);
	}
}

/* --- the linear attack ---------------------------------------------------- */

/*
 * The attacker reads only the published document. Unknowns: the suppressed
 * cells. Each published total gives one equation per quantity (events,
 * subjects_sum): the cells the total covers per its documented scope
 * ("released_cells": the released cells of the line; "all_cells": every
 * cell of the line), minus the published values of released cells, equals
 * the sum of the covered suppressed cells. Gaussian elimination to reduced
 * row echelon form; an unknown is derivable exactly when some reduced row
 * has it as its only nonzero coefficient, and then the row's right-hand
 * side is its value. Returns the number derived; each derived value is
 * compared with truth[] (per cell) when given.
 */
struct attack {
	size_t n_unk, rows, cap;
	double *a, *rhs;
};

static void eq_add(struct attack *at, const double *row, double rhs)
{
	assert_true(at->rows < at->cap);
	memcpy(&at->a[at->rows * at->n_unk], row, at->n_unk * sizeof(double));
	at->rhs[at->rows++] = rhs;
}

static size_t attack_solve(struct attack *at, const size_t *unk_cell, const uint64_t *truth,
			   size_t *wrong)
{
	size_t r = 0, derived = 0;
	size_t n = at->n_unk;
	double *a = at->a, *b = at->rhs;

	for (size_t c = 0; c < n && r < at->rows; c++) {
		size_t p = r;

		for (size_t i = r; i < at->rows; i++)
			if (fabs(a[i * n + c]) > fabs(a[p * n + c]))
				p = i;
		if (fabs(a[p * n + c]) < 1e-9)
			continue;
		for (size_t j = 0; j < n; j++) {
			double t = a[r * n + j];
			a[r * n + j] = a[p * n + j];
			a[p * n + j] = t;
		}
		{
			double t = b[r];
			b[r] = b[p];
			b[p] = t;
		}
		{
			double piv = a[r * n + c];

			for (size_t j = 0; j < n; j++)
				a[r * n + j] /= piv;
			b[r] /= piv;
		}
		for (size_t i = 0; i < at->rows; i++) {
			double f = a[i * n + c];

			if (i == r || fabs(f) < 1e-12)
				continue;
			for (size_t j = 0; j < n; j++)
				a[i * n + j] -= f * a[r * n + j];
			b[i] -= f * b[r];
		}
		r++;
	}
	for (size_t i = 0; i < r; i++) {
		size_t nz = 0, col = 0;

		for (size_t j = 0; j < n; j++)
			if (fabs(a[i * n + j]) > 1e-9) {
				nz++;
				col = j;
			}
		if (nz == 1) {
			derived++;
			if (truth && llround(b[i]) != (long long)truth[unk_cell[col]])
				(*wrong)++;
		}
	}
	return derived;
}

/* Run the attack on a parsed release for one quantity ("events" or
 * "subjects" with totals' "subjects_sum"). */
static size_t attack_release(json_t *doc, const char *cell_key, const char *total_key,
			     const uint64_t *truth, size_t *wrong)
{
	json_t *cells = json_object_get(doc, "cells"), *totals = json_object_get(doc, "totals");
	bool all_scope = !strcmp(json_string_value(json_object_get(totals, "scope")), "all_cells");
	static const char *const lines[] = { "by_area", "by_bucket", "by_category", "all" };
	static const char *const dims[] = { "area", "bucket", "category", NULL };
	size_t n = json_array_size(cells), n_unk = 0, derived;
	size_t *unk_cell = calloc(n, sizeof(size_t)), *unk_of = calloc(n, sizeof(size_t));
	struct attack at;
	double *row;

	for (size_t i = 0; i < n; i++)
		if (json_is_true(json_object_get(json_array_get(cells, i), "suppressed"))) {
			unk_of[i] = n_unk;
			unk_cell[n_unk++] = i;
		}
	if (n_unk == 0) {
		free(unk_cell);
		free(unk_of);
		return 0;
	}
	at.n_unk = n_unk;
	at.rows = 0;
	at.cap = 4096;
	at.a = calloc(at.cap * n_unk, sizeof(double));
	at.rhs = calloc(at.cap, sizeof(double));
	row = calloc(n_unk, sizeof(double));
	for (unsigned l = 0; l < 4; l++) {
		json_t *list = json_object_get(totals, lines[l]), *tot;
		size_t ti;

		if (json_is_object(list)) {
			json_t *one = json_array();

			json_array_append(one, list);
			list = one;
		} else {
			json_incref(list);
		}
		json_array_foreach(list, ti, tot) {
			double rhs = (double)json_integer_value(json_object_get(tot, total_key));

			memset(row, 0, n_unk * sizeof(double));
			for (size_t i = 0; i < n; i++) {
				json_t *c = json_array_get(cells, i);
				bool in = !dims[l] || json_equal(json_object_get(c, dims[l]),
								 json_object_get(tot, dims[l]));
				bool supp = json_is_true(json_object_get(c, "suppressed"));

				if (!in)
					continue;
				if (supp && all_scope)
					row[unk_of[i]] = 1;
				else if (!supp)
					rhs -= (double)json_integer_value(json_object_get(c, cell_key));
			}
			eq_add(&at, row, rhs);
		}
		json_decref(list);
	}
	derived = attack_solve(&at, unk_cell, truth, wrong);
	free(at.a);
	free(at.rhs);
	free(row);
	free(unk_cell);
	free(unk_of);
	return derived;
}

/* The control: the same document with true totals over all cells. */
static void naive_totals(json_t *doc, const struct sl_agg *agg, bool subjects)
{
	json_t *totals = json_object_get(doc, "totals");
	static const char *const lines[] = { "by_area", "by_bucket", "by_category" };
	const struct sl_agg_config *cfg = sl_agg_config(agg);
	unsigned nb = sl_agg_n_buckets(agg);

	json_object_set_new(totals, "scope", json_string("all_cells"));
	for (unsigned l = 0; l < 3; l++) {
		json_t *list = json_object_get(totals, lines[l]), *tot;
		size_t ti;

		json_array_foreach(list, ti, tot) {
			uint64_t sum = 0;

			for (unsigned a = 0; a < cfg->n_areas; a++)
				for (unsigned b = 0; b < nb; b++)
					for (unsigned c = 0; c < cfg->n_categories; c++) {
						uint32_t ts;
						uint64_t te;

						if ((l == 0 && a != ti) || (l == 1 && b != ti) || (l == 2 && c != ti))
							continue;
						sl_agg_cell_true(agg, sl_agg_cell_index(agg, a, b, c), &ts, &te);
						sum += subjects ? ts : te;
					}
			json_object_set_new(tot, subjects ? "subjects_sum" : "events", json_integer((json_int_t)sum));
		}
	}
	{
		uint64_t sum = 0;

		for (size_t i = 0; i < sl_agg_n_cells(agg); i++) {
			uint32_t ts;
			uint64_t te;

			sl_agg_cell_true(agg, i, &ts, &te);
			sum += subjects ? ts : te;
		}
		json_object_set_new(json_object_get(totals, "all"), subjects ? "subjects_sum" : "events",
				    json_integer((json_int_t)sum));
	}
}

static void test_linear_attack(void **state)
{
	uint64_t s = 0xfeedbeef;
	size_t control_derived = 0, control_wrong = 0, suppressed_total = 0;

	(void)state;
	for (unsigned it = 0; it < 40; it++) {
		unsigned k = 3 + (unsigned)(xs_next(&s) % 10);
		unsigned na = 2 + (unsigned)(xs_next(&s) % 6), nb = 2 + (unsigned)(xs_next(&s) % 6);
		unsigned nc = 1 + (unsigned)(xs_next(&s) % 3);
		struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, nb * HOUR_US, HOUR_US, na, nc, k);
		struct sl_agg *agg = random_grid(g_ctx, cfg, &s, k + k / 2 + (unsigned)(xs_next(&s) % k));
		uint64_t *truth_e = talloc_array(g_ctx, uint64_t, sl_agg_n_cells(agg));
		uint64_t *truth_s = talloc_array(g_ctx, uint64_t, sl_agg_n_cells(agg));
		struct sl_agg_release *rel;
		size_t wrong = 0;
		json_t *doc;
		char *text;

		for (size_t i = 0; i < sl_agg_n_cells(agg); i++) {
			uint32_t ts;

			sl_agg_cell_true(agg, i, &ts, &truth_e[i]);
			truth_s[i] = ts;
		}
		assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
		suppressed_total += rel->all.suppressed;
		assert_int_equal(sl_agg_release_json(g_ctx, rel, &text), 0);
		doc = json_loads(text, 0, NULL);
		assert_non_null(doc);
		/* Our release: nothing derivable, for either quantity. */
		assert_int_equal(attack_release(doc, "events", "events", truth_e, &wrong), 0);
		assert_int_equal(attack_release(doc, "subjects", "subjects_sum", truth_s, &wrong), 0);
		/* Control: true totals let the same attacker recover cells, exactly. */
		naive_totals(doc, agg, false);
		control_derived += attack_release(doc, "events", "events", truth_e, &control_wrong);
		naive_totals(doc, agg, true);
		control_derived += attack_release(doc, "subjects", "subjects_sum", truth_s, &control_wrong);
		json_decref(doc);
		talloc_free(text);
		talloc_free(rel);
		talloc_free(truth_e);
		talloc_free(truth_s);
		talloc_free(agg);
		talloc_free(cfg);
	}
	print_message("linear attack: %zu suppressed cells; released totals: 0 derived;"
		      " control with true totals: %zu derived\n", suppressed_total, control_derived);
	assert_true(suppressed_total > 100);
	assert_true(control_derived > 20);
	assert_int_equal(control_wrong, 0);
}

/* --- the document --------------------------------------------------------- */

static void test_json_bytes(void **state)
{
	static const char want[] =
		"{\"format\":\"sluice-aggregate/1\",\"recipient\":\"acme\",\"period_start_us\":0,"
		"\"period_end_us\":3600000000,\"bucket_s\":3600,\"k\":2,\"epsilon_micro\":0,"
		"\"noise\":\"none\",\"sensitivity\":{\"subjects\":1000,\"events\":1000000},"
		"\"areas\":[100],\"categories\":[\"call\",\"sms\"],\"n_buckets\":1,\"cells\":["
		"{\"area\":100,\"bucket\":0,\"category\":\"call\",\"subjects\":3,\"events\":4},"
		"{\"area\":100,\"bucket\":0,\"category\":\"sms\",\"suppressed\":true}],"
		"\"totals\":{\"scope\":\"released_cells\","
		"\"all\":{\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1},"
		"\"by_area\":[{\"area\":100,\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1}],"
		"\"by_bucket\":[{\"bucket\":0,\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1}],"
		"\"by_category\":[{\"category\":\"call\",\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":0},"
		"{\"category\":\"sms\",\"events\":0,\"subjects_sum\":0,\"released_cells\":0,\"suppressed_cells\":1}]}}\n";
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, HOUR_US, HOUR_US, 1, 2, 2);
	struct sl_agg_release *rel;
	struct sl_agg *agg;
	char *text;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	add(agg, 1, 100, 10, 0, 0);
	add(agg, 1, 100, 20, 0, 0);
	add(agg, 2, 100, 30, 0, 0);
	add(agg, 3, 100, 40, 0, 0);
	add(agg, 1, 100, 50, 1, 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
	assert_int_equal(sl_agg_release_json(g_ctx, rel, &text), 0);
	assert_string_equal(text, want);
	talloc_free(text);
	/* docs/aggregates.md shows these bytes and names every drop counter. */
	if (getenv("top_srcdir")) {
		char path[512], *doc;
		FILE *f;
		long n;

		snprintf(path, sizeof(path), "%s/docs/aggregates.md", getenv("top_srcdir"));
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		assert_true(n > 0);
		rewind(f);
		doc = talloc_zero_size(g_ctx, (size_t)n + 1);
		assert_int_equal(fread(doc, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		assert_non_null(strstr(doc, want));
		for (int d = 0; d < SL_AGG_DROP__NUM; d++)
			if (!strstr(doc, sl_agg_drop_names[d]))
				fail_msg("docs/aggregates.md does not name %s", sl_agg_drop_names[d]);
		talloc_free(doc);
	}
	talloc_free(rel);
	/* Noise without a generator is refused. */
	talloc_free(agg);
	cfg->epsilon_micro = 1000000;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), -EINVAL);
	talloc_free(agg);
	talloc_free(cfg);
}

/* --- noise ---------------------------------------------------------------- */

struct moments {
	double mean, mean_abs, var;
};

static struct moments draw_moments(struct sl_agg_rng *rng, double scale, unsigned n)
{
	double sum = 0, sum_abs = 0, sum_sq = 0;
	struct moments m;

	for (unsigned i = 0; i < n; i++) {
		int64_t x;

		assert_int_equal(sl_agg_noise_draw(rng, scale, &x), 0);
		sum += (double)x;
		sum_abs += fabs((double)x);
		sum_sq += (double)x * (double)x;
	}
	m.mean = sum / n;
	m.mean_abs = sum_abs / n;
	m.var = sum_sq / n - m.mean * m.mean;
	return m;
}

/* Within bounds for the discrete Laplace of scale b: mean 0, E|X| =
 * 2a/(1-a^2), Var = 2a/(1-a)^2 with a = exp(-1/b). */
static bool moments_fit(struct moments m, double b, unsigned n)
{
	double a = exp(-1 / b), ea = 2 * a / (1 - a * a), var = 2 * a / ((1 - a) * (1 - a));

	return fabs(m.mean) < 6 * sqrt(var / n) && fabs(m.mean_abs / ea - 1) < 0.03 &&
	       fabs(m.var / var - 1) < 0.05;
}

static void test_noise_distribution(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, HOUR_US, HOUR_US, 1, 1, 20);
	struct sl_agg_rng *r1, *r2, *sys;
	enum { N = 200000 };
	struct moments m;
	double b;

	(void)state;
	cfg->max_cells_per_subject = 5;
	cfg->max_events_per_subject_cell = 4;
	cfg->epsilon_micro = 1000000; /* epsilon 1 */
	assert_int_equal(sl_agg_sensitivity_subjects(cfg), 5);
	assert_int_equal(sl_agg_sensitivity_events(cfg), 20);
	b = sl_agg_noise_scale_subjects(cfg);
	assert_true(fabs(b - 10.0) < 1e-9);		/* sensitivity / (epsilon / 2) */
	assert_true(fabs(sl_agg_noise_scale_events(cfg) - 40.0) < 1e-9);

	assert_int_equal(sl_agg_rng_seeded(g_ctx, "seed-1", 6, &r1), 0);
	assert_int_equal(sl_agg_rng_seeded(g_ctx, "seed-1", 6, &r2), 0);
	for (unsigned i = 0; i < 1000; i++) {
		int64_t x, y;

		assert_int_equal(sl_agg_noise_draw(r1, b, &x), 0);
		assert_int_equal(sl_agg_noise_draw(r2, b, &y), 0);
		assert_int_equal(x, y);
	}
	m = draw_moments(r1, b, N);
	print_message("noise b=%.1f: mean %.4f, mean |x| %.4f, var %.2f over %d draws\n", b, m.mean,
		      m.mean_abs, m.var, N);
	assert_true(moments_fit(m, b, N));
	/* The check can fail: the same draws do not fit a scale 15% off. */
	assert_false(moments_fit(m, b * 1.15, N));
	assert_false(moments_fit(m, b / 1.15, N));
	m = draw_moments(r2, 40.0, N);
	assert_true(moments_fit(m, 40.0, N));
	assert_int_equal(sl_agg_noise_draw(r2, 0, &(int64_t){ 0 }), -EINVAL);
	/* The system generator draws too (not checked for values). */
	assert_int_equal(sl_agg_rng_system(g_ctx, &sys), 0);
	m = draw_moments(sys, b, 10000);
	assert_true(fabs(m.mean) < 2);
	talloc_free(sys);
	talloc_free(r1);
	talloc_free(r2);
	talloc_free(cfg);
}

/* Noisy release: suppression follows true counts, values are clamped at 0,
 * deviations centre on 0 with the configured scale. */
static void test_noisy_release(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 24 * HOUR_US, HOUR_US, 40, 2, 20);
	uint64_t s = 4242;
	struct sl_agg *agg;
	struct sl_agg_rng *rng;
	struct sl_agg_release *rel;
	double sum = 0, sum_abs = 0;
	unsigned n = 0;

	(void)state;
	cfg->max_cells_per_subject = 100;
	cfg->max_events_per_subject_cell = 1000;
	cfg->epsilon_micro = 100000000; /* epsilon 100: scale 2 x 100 / 100 = 2 */
	agg = random_grid(g_ctx, cfg, &s, 40);
	assert_int_equal(sl_agg_rng_seeded(g_ctx, "release", 7, &rng), 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, rng, &rel), 0);
	for (size_t i = 0; i < rel->n_cells; i++) {
		uint32_t ts;
		uint64_t te;

		sl_agg_cell_true(agg, i, &ts, &te);
		assert_int_equal(rel->cells[i].suppressed, ts < cfg->k);
		if (rel->cells[i].suppressed)
			continue;
		sum += (double)rel->cells[i].subjects - ts;
		sum_abs += fabs((double)rel->cells[i].subjects - ts);
		n++;
	}
	assert_true(n > 200);
	print_message("noisy release: %u released cells, mean deviation %.3f, mean |deviation| %.3f (scale %.1f)\n",
		      n, sum / n, sum_abs / n, sl_agg_noise_scale_subjects(cfg));
	assert_true(fabs(sl_agg_noise_scale_subjects(cfg) - 2.0) < 1e-9);
	assert_true(fabs(sum / n) < 0.5);
	/* E|X| = 2a/(1-a^2), a = exp(-1/2) */
	assert_true(fabs(sum_abs / n / (2 * exp(-0.5) / (1 - exp(-1.0))) - 1) < 0.25);
	talloc_free(rel);
	talloc_free(rng);
	talloc_free(agg);
	talloc_free(cfg);
}

/* Allocation failure, injected by a link-time wrap of talloc's array
 * allocator (-Wl,--wrap=_talloc_zero_array): every 7th call fails while
 * g_fail_every is set. Set growth fails; observations are dropped and
 * counted, nothing crashes or leaks, and no release is built from the
 * incomplete counts. */
void *__real__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name);
void *__wrap__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name);
static unsigned g_fail_every, g_calls;

void *__wrap__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name)
{
	if (g_fail_every && ++g_calls % g_fail_every == 0)
		return NULL;
	return __real__talloc_zero_array(ctx, el_size, count, name);
}

static void test_alloc_failure(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 4 * HOUR_US, HOUR_US, 5, 2, 20);
	struct sl_agg_release *rel;
	struct sl_agg *agg;
	uint64_t s = 99;
	unsigned counted = 0;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	g_fail_every = 7;
	for (unsigned i = 0; i < 20000; i++) {
		struct sl_agg_obs o = {
			.subject = xs_next(&s),
			.area = 100 + (unsigned)(xs_next(&s) % 5),
			.time_us = (int64_t)(xs_next(&s) % (uint64_t)(4 * HOUR_US)),
			.category = (unsigned)(xs_next(&s) % 2),
		};
		int rc = sl_agg_add(agg, &o);

		assert_true(rc == 0 || rc == 1);
		counted += rc == 0;
	}
	g_fail_every = 0;
	assert_true(counted > 0);
	assert_true(sl_agg_dropped(agg, SL_AGG_DROP_NOMEM) > 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), -ENOMEM);
	/* sl_agg_new itself fails cleanly at each of its allocations. */
	talloc_free(agg);
	for (unsigned n = 1; n <= 4; n++) {
		g_calls = 0;
		g_fail_every = n;
		if (sl_agg_new(g_ctx, cfg, &agg) == 0)
			talloc_free(agg);
		else
			assert_null(agg);
		g_fail_every = 0;
	}
	talloc_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_distinct_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cell_below_k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linear_attack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_distribution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noisy_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
