/*
 * libFuzzer target for mediation/consent/aggregate_config.c and the release
 * path behind it: the input is a release configuration (JSON), optionally
 * followed by a NUL byte and observations, 8 bytes each (subject 2, area
 * index 1, category 1, time offset 4 as fractions of the period). A
 * refused configuration leaves nothing allocated and writes a message; an
 * accepted one with a small grid is filled, released (noise from a fixed
 * seed) and written as JSON, which must parse back, and no released cell
 * may cover fewer than k subjects (a noisy release with a full cell must
 * be refused).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/consent/aggregate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void run_release(void *ctx, const struct sl_agg_config *cfg, const uint8_t *obs, size_t n)
{
	struct sl_agg_release *rel;
	struct sl_agg_rng *rng;
	struct sl_agg *agg;
	json_t *doc;
	char *text;

	check(sl_agg_new(ctx, cfg, &agg) == 0);
	for (size_t i = 0; i + 8 <= n; i += 8) {
		const uint8_t *p = obs + i;
		uint32_t frac = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
		int64_t span = cfg->period_end_us - cfg->period_start_us;
		struct sl_agg_obs o = {
			.subject = (uint64_t)p[0] << 8 | p[1],
			.area = cfg->areas[p[2] % cfg->n_areas] + (p[2] >= 250),
			.category = p[3] % (cfg->n_categories + 1),
			.time_us = cfg->period_start_us - 1 + (int64_t)((double)span * frac / 4294967295.0),
		};
		int rc = sl_agg_add(agg, &o);

		check(rc == 0 || rc == 1);
	}
	check(sl_agg_rng_seeded(ctx, "fuzz", 4, &rng) == 0);
	if (cfg->epsilon_micro && sl_agg_dropped(agg, SL_AGG_DROP_DISTINCT_CAP)) {
		check(sl_agg_release_build(ctx, agg, rng, &rel) == -ERANGE);
		return;
	}
	check(sl_agg_release_build(ctx, agg, rng, &rel) == 0);
	for (size_t c = 0; c < rel->n_cells; c++) {
		uint32_t s;
		uint64_t e;

		sl_agg_cell_true(agg, c, &s, &e);
		check(rel->cells[c].suppressed == (s < cfg->k));
	}
	check(sl_agg_release_json(ctx, rel, &text) == 0);
	doc = json_loads(text, 0, NULL);
	check(doc != NULL);
	check(json_array_size(json_object_get(doc, "cells")) == rel->n_cells);
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_named_const(NULL, 0, "fuzz_aggregate");
	const uint8_t *nul = memchr(data, 0, size);
	size_t cfg_len = nul ? (size_t)(nul - data) : size;
	uint8_t *buf = malloc(cfg_len ? cfg_len : 1);
	struct sl_agg_config *cfg;
	char why[SL_AGG_WHY_LEN];
	size_t blocks = talloc_total_blocks(ctx);

	memcpy(buf, data, cfg_len);
	if (sl_agg_config_parse(ctx, (const char *)buf, cfg_len, &cfg, why) < 0) {
		check(cfg == NULL && why[0] != '\0');
		check(talloc_total_blocks(ctx) == blocks);
	} else {
		uint64_t cells = (uint64_t)cfg->n_areas * cfg->n_categories *
				 (uint64_t)((cfg->period_end_us - cfg->period_start_us) / cfg->bucket_us);

		check(sl_agg_config_check(cfg, why) == 0);
		if (cells <= 4096)
			run_release(ctx, cfg, nul ? nul + 1 : NULL, nul ? size - cfg_len - 1 : 0);
	}
	free(buf);
	talloc_free(ctx);
	return 0;
}
