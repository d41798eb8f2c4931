/*
 * Helpers shared by the aggregate tests: a small release configuration and
 * a deterministic test-side generator (xorshift, for building data only;
 * the noise under test uses the library's own seeded stream).
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "mediation/consent/aggregate.h"

#define HOUR_US INT64_C(3600000000)
#define DAY_US (24 * HOUR_US)

static inline uint64_t xs_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* areas 1..n_areas (or 10, 20, ... when spaced), categories call, sms, location. */
static inline struct sl_agg_config *test_config(void *ctx, const char *recipient, int64_t start,
						int64_t end, int64_t bucket, unsigned n_areas,
						unsigned n_cats, unsigned k)
{
	static const char *const names[] = { "call", "sms", "location", "device" };
	struct sl_agg_config *cfg = talloc_zero(ctx, struct sl_agg_config);

	snprintf(cfg->recipient, sizeof(cfg->recipient), "%s", recipient);
	cfg->period_start_us = start;
	cfg->period_end_us = end;
	cfg->bucket_us = bucket;
	cfg->n_areas = n_areas;
	cfg->areas = talloc_array(cfg, uint32_t, n_areas);
	for (unsigned i = 0; i < n_areas; i++)
		cfg->areas[i] = 100 + i;
	cfg->n_categories = n_cats;
	cfg->categories = _talloc_zero_array(cfg, sizeof(*cfg->categories), n_cats, "cats");
	for (unsigned i = 0; i < n_cats; i++)
		snprintf(cfg->categories[i], sizeof(cfg->categories[i]), "%s", names[i % 4]);
	cfg->k = k;
	cfg->max_cells_per_subject = 1000;
	cfg->max_events_per_subject_cell = 1000;
	cfg->distinct_cap = 100000;
	return cfg;
}
