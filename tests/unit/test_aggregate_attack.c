/*
 * The linear attack on released aggregate tables, as code
 * (mediation/consent/aggregate_suppress.c): on random grids with cells
 * around k, equations from the published totals are solved for single
 * unknowns; on the released documents nothing is derived, and on the same
 * documents with true totals (the positive control) the same attacker
 * derives suppressed cells, each equal to the truth.
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

#include "aggregate_test_grid.h"


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


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_linear_attack, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
