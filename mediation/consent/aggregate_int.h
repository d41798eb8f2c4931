/*
 * Internals shared by the aggregate files (aggregate.c, aggregate_suppress.c,
 * aggregate_noise.c): the accumulator's cells and subject sets, and the
 * random stream. Nothing outside mediation/consent/aggregate*.c includes it.
 *
 * A cell holds an open-addressing set of the subjects seen in it, each with
 * its (capped) event count; the accumulator also keeps, per subject, the
 * number of cells it has entered, which enforces max_cells_per_subject.
 */
#pragma once

#include <stdint.h>

#include "mediation/consent/aggregate.h"

/* One subject in one cell (events == 0 marks an empty slot). */
struct sl_agg_slot {
	uint64_t subject;
	uint32_t events;
};

struct sl_agg_cell {
	struct sl_agg_slot *tab;	/* NULL until the first subject; talloc child of the accumulator */
	uint32_t cap;			/* slots, a power of two */
	uint32_t n;			/* distinct subjects stored */
	uint64_t events;		/* events counted (each subject capped) */
};

/* One subject across the release (cells == 0 marks an empty slot). */
struct sl_agg_subj {
	uint64_t subject;
	uint32_t cells;
};

struct sl_agg {
	struct sl_agg_config cfg;	/* arrays owned by the accumulator */
	unsigned n_buckets;
	size_t n_cells;
	struct sl_agg_cell *cells;
	struct sl_agg_subj *subj;	/* per-subject cell counts */
	size_t subj_cap, subj_n;
	uint64_t salt;			/* per-accumulator hash salt */
	uint64_t dropped[SL_AGG_DROP__NUM];
};

enum sl_agg_rng_kind {
	SL_AGG_RNG_SYSTEM,
	SL_AGG_RNG_SEEDED,
};

struct sl_agg_rng {
	enum sl_agg_rng_kind kind;
	uint8_t seed[32];	/* SHA-256 of the caller's seed */
	uint64_t counter;	/* next block */
	uint8_t block[512];	/* seeded: the first 32 bytes; system: a RAND_bytes pool */
	unsigned len;		/* bytes of block filled */
	unsigned used;		/* bytes of block consumed */
};

/* Copy a configuration with its arrays onto ctx. */
int sl_agg_config_copy(void *ctx, const struct sl_agg_config *src, struct sl_agg_config *dst);
