/*
 * cmocka helpers shared by the aggregate tests that use a fresh talloc
 * context per test (test_aggregate, test_aggregate_attack,
 * test_aggregate_noise): setup/teardown checking that the context's blocks
 * return to their start, one observation added with an expected result,
 * and a random grid whose cells get a random number of distinct subjects.
 * Include after cmocka.h.
 */
#pragma once

#include "aggregate_test_util.h"

static void *g_ctx;
static size_t g_blocks;

static inline int setup(void **state)
{
	(void)state;
	g_ctx = talloc_named_const(NULL, 0, "test_aggregate");
	g_blocks = talloc_total_blocks(g_ctx);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	assert_int_equal(talloc_total_blocks(g_ctx), g_blocks);
	talloc_free(g_ctx);
	return 0;
}

static inline void add(struct sl_agg *agg, uint64_t subj, uint32_t area, int64_t t, unsigned cat, int want)
{
	struct sl_agg_obs o = { .subject = subj, .area = area, .time_us = t, .category = cat };

	assert_int_equal(sl_agg_add(agg, &o), want);
}


/* Random grid: each cell gets a random number of distinct subjects around k. */
static inline struct sl_agg *random_grid(void *ctx, struct sl_agg_config *cfg, uint64_t *s, unsigned max_subj)
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

