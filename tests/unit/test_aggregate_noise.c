/*
 * The noise of aggregated releases (mediation/consent/aggregate_noise.c):
 * the discrete Laplace distribution with a fixed seed against its exact
 * moments (and failing for a scale 15% off), the seeded stream's
 * determinism, the scales from the configured sensitivity and epsilon, and
 * a noisy release whose deviations fit its scale while suppression follows
 * the true counts.
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
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_noise_distribution, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noisy_release, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
