/*
 * Privacy-preserving aggregated reports over consenting subscribers: the
 * footfall and usage statistics an operator sells (docs/aggregates.md).
 *
 * The caller feeds observations it has already filtered by consent: an
 * opaque 64-bit subject key (derived from a pseudonym, never an identity),
 * an area id, a time in UTC microseconds and a category index. The
 * accumulator counts, per cell (area, time bucket, category) of one report
 * period, the events and the exact number of distinct subjects. A release
 * then suppresses every cell with fewer than k distinct subjects
 * (aggregate_suppress.c), publishes totals over released cells only, may
 * add discrete Laplace noise under a per-release epsilon
 * (aggregate_noise.c), and is recorded with its budget debit in one SQLite
 * transaction that also refuses overlapping releases to the same recipient
 * (aggregate_budget.c). The JSON form is aggregate_json.c.
 *
 * Ownership: every object is a talloc child of the context it was created
 * on; freeing it frees all it holds. Errors are negative errno values; the
 * functions that take a `why` buffer write one human sentence naming the
 * input and the problem.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_AGG_K_DEFAULT 20
#define SL_AGG_MAX_AREAS 100000
#define SL_AGG_MAX_CATEGORIES 16
#define SL_AGG_MAX_CELLS (4u * 1024u * 1024u)
#define SL_AGG_CATEGORY_LEN 32
#define SL_AGG_RECIPIENT_LEN 64
#define SL_AGG_DISTINCT_CAP_DEFAULT 1000000u
#define SL_AGG_MAX_CELLS_PER_SUBJECT_DEFAULT 24u
#define SL_AGG_MAX_EVENTS_PER_SUBJECT_CELL_DEFAULT 10u
#define SL_AGG_WHY_LEN 256

/* One release's shape: who receives it, which grid, which protections.
 * Built by sl_agg_config_parse() or filled by the caller and checked with
 * sl_agg_config_check(); the arrays belong to the talloc context the
 * configuration was parsed on. */
struct sl_agg_config {
	char recipient[SL_AGG_RECIPIENT_LEN + 1];
	int64_t period_start_us;	/* inclusive, a multiple of bucket_us */
	int64_t period_end_us;		/* exclusive, a multiple of bucket_us */
	int64_t bucket_us;		/* whole minutes, 60 s to 31 days */
	uint32_t *areas;		/* strictly increasing area ids */
	unsigned n_areas;
	char (*categories)[SL_AGG_CATEGORY_LEN + 1];
	unsigned n_categories;
	unsigned k;			/* >= 2; default SL_AGG_K_DEFAULT */
	uint64_t epsilon_micro;		/* 0: no noise; else epsilon x 10^6 */
	unsigned max_cells_per_subject;	/* per release; bounds the sensitivity */
	unsigned max_events_per_subject_cell; /* events of one subject counted per cell */
	unsigned distinct_cap;		/* distinct subjects stored per cell */
};

/* Parse a release configuration (JSON object, docs/aggregates.md) from
 * exactly `len` bytes. On success *out is a talloc child of ctx. */
int sl_agg_config_parse(void *ctx, const char *buf, size_t len,
			struct sl_agg_config **out, char why[SL_AGG_WHY_LEN]);
/* Check a filled configuration; 0 or -EINVAL with why. */
int sl_agg_config_check(const struct sl_agg_config *cfg, char why[SL_AGG_WHY_LEN]);
/* SHA-256 over the configuration's canonical form: two releases with the
 * same digest have the same recipient, period, grid and protections. */
void sl_agg_config_digest(const struct sl_agg_config *cfg, uint8_t out[32]);

/* One observation, already filtered by consent. */
struct sl_agg_obs {
	uint64_t subject;	/* opaque key, e.g. sl_agg_subject_key(pseudonym) */
	uint32_t area;
	int64_t time_us;	/* UTC */
	unsigned category;	/* index into cfg->categories */
};

/* Derive a subject key from pseudonym bytes (first 8 bytes of SHA-256). */
uint64_t sl_agg_subject_key(const void *pseudonym, size_t len);

/* Why an observation was not counted; one counter each. */
enum sl_agg_drop {
	SL_AGG_DROP_OUT_OF_PERIOD,
	SL_AGG_DROP_UNKNOWN_AREA,
	SL_AGG_DROP_UNKNOWN_CATEGORY,
	SL_AGG_DROP_SUBJECT_CELL_CAP,	/* subject already in max_cells_per_subject cells */
	SL_AGG_DROP_EVENT_CAP,		/* subject's events in this cell above the cap */
	SL_AGG_DROP_DISTINCT_CAP,	/* cell's subject set full */
	SL_AGG_DROP_NOMEM,
	SL_AGG_DROP__NUM
};
extern const char *const sl_agg_drop_names[SL_AGG_DROP__NUM];

struct sl_agg;

/* A new accumulator for one configuration (copied). */
int sl_agg_new(void *ctx, const struct sl_agg_config *cfg, struct sl_agg **out);
/* Count one observation: 0 when counted, 1 when dropped (reason counted). */
int sl_agg_add(struct sl_agg *agg, const struct sl_agg_obs *obs);
const struct sl_agg_config *sl_agg_config(const struct sl_agg *agg);
uint64_t sl_agg_dropped(const struct sl_agg *agg, enum sl_agg_drop why);
unsigned sl_agg_n_buckets(const struct sl_agg *agg);
size_t sl_agg_n_cells(const struct sl_agg *agg);
/* Cell index of (area index, bucket, category). */
size_t sl_agg_cell_index(const struct sl_agg *agg, unsigned area_ix, unsigned bucket,
			 unsigned category);
/* True values of one cell (never published as they are). */
void sl_agg_cell_true(const struct sl_agg *agg, size_t cell, uint32_t *subjects, uint64_t *events);

/* Random numbers for noise: the system CSPRNG (RAND_bytes) in production,
 * or a seeded deterministic stream (SHA-256 in counter mode) for tests. */
struct sl_agg_rng;
int sl_agg_rng_system(void *ctx, struct sl_agg_rng **out);
int sl_agg_rng_seeded(void *ctx, const void *seed, size_t seed_len, struct sl_agg_rng **out);
/* A uniform double in (0, 1]; -EIO if the CSPRNG failed. */
int sl_agg_rng_uniform(struct sl_agg_rng *rng, double *u);
/* One draw of the discrete Laplace (two-sided geometric) distribution with
 * P(x) proportional to exp(-|x| / scale); scale > 0. */
int sl_agg_noise_draw(struct sl_agg_rng *rng, double scale, int64_t *out);
/* L1 sensitivities of a release's two published vectors (noise.c). */
uint64_t sl_agg_sensitivity_subjects(const struct sl_agg_config *cfg);
uint64_t sl_agg_sensitivity_events(const struct sl_agg_config *cfg);
/* Laplace scales used for each vector: sensitivity / (epsilon / 2). */
double sl_agg_noise_scale_subjects(const struct sl_agg_config *cfg);
double sl_agg_noise_scale_events(const struct sl_agg_config *cfg);

/* A release as published: per cell either suppressed or its (possibly
 * noisy) subject and event counts; totals over released cells only. */
struct sl_agg_cell_out {
	bool suppressed;
	uint32_t subjects;	/* published value; 0 when suppressed */
	uint64_t events;	/* published value; 0 when suppressed */
};
struct sl_agg_total {
	uint64_t events;	/* sum of released cells' published events */
	uint64_t subjects_sum;	/* sum of released cells' published subjects */
	uint32_t released;
	uint32_t suppressed;
};
struct sl_agg_release {
	struct sl_agg_config cfg;	/* arrays owned by the release */
	unsigned n_buckets;
	size_t n_cells;
	struct sl_agg_cell_out *cells;
	struct sl_agg_total *by_area;	/* n_areas */
	struct sl_agg_total *by_bucket;	/* n_buckets */
	struct sl_agg_total *by_category; /* n_categories */
	struct sl_agg_total all;
};

/* Build a release from an accumulator: suppression on the true distinct
 * counts, then noise on released cells when epsilon > 0 (rng required
 * then), then totals. *out is a talloc child of ctx. -ENOMEM if an
 * observation was lost to allocation failure; -ERANGE for a noisy release
 * when a cell reached distinct_cap (the sensitivity bound fails then). */
int sl_agg_release_build(void *ctx, const struct sl_agg *agg, struct sl_agg_rng *rng,
			 struct sl_agg_release **out);
/* The release as JSON text (docs/aggregates.md), NUL-terminated, ending in
 * a newline; a talloc child of ctx. */
int sl_agg_release_json(void *ctx, const struct sl_agg_release *rel, char **out);

/* The durable release ledger and privacy budget (SQLite, WAL). */
struct sl_agg_store;
struct sl_agg_budget_policy {
	uint64_t epsilon_total_micro;	/* per recipient and window */
	int64_t window_us;		/* budget window length, windows aligned to 0 */
	bool allow_no_noise;		/* accept epsilon 0 (k-anonymity only) releases */
	int64_t settle_us;		/* a period is released only this long after its end */
};
int sl_agg_store_open(void *ctx, const char *path, struct sl_agg_store **out,
		      char why[SL_AGG_WHY_LEN]);
/* Epsilon (micro) spent by a recipient in the window containing t_us. */
int sl_agg_store_spent(struct sl_agg_store *st, const char *recipient, int64_t window_us,
		       int64_t t_us, uint64_t *spent_micro);
/* The ledger's invariants: per recipient and window, the releases' epsilon
 * sums to the budget's spending; no two releases to one recipient
 * overlap. 0, or -EBADMSG with the first violation in why. */
int sl_agg_store_check(struct sl_agg_store *st, char why[SL_AGG_WHY_LEN]);
/* Number of releases recorded for a recipient. */
int sl_agg_store_count(struct sl_agg_store *st, const char *recipient, unsigned *n);

enum sl_agg_publish_result {
	SL_AGG_PUBLISHED,	/* new release built, recorded, budget debited */
	SL_AGG_REPEATED,	/* identical to an earlier one: its stored bytes, no debit */
};
/* Publish a release of agg to its recipient (not before now_us reaches the
 * period's end plus pol->settle_us: -EAGAIN, so that a release is never
 * locked in over data still arriving): in one IMMEDIATE transaction
 * refuse it if it overlaps an earlier release to that recipient without
 * being identical (-EEXIST), refuse it if its epsilon would exceed the
 * recipient's budget in the window (-EDQUOT), else build it, record its
 * JSON and debit the budget, and commit. *json is a talloc child of ctx. */
int sl_agg_publish(struct sl_agg_store *st, const struct sl_agg_budget_policy *pol,
		   const struct sl_agg *agg, struct sl_agg_rng *rng, int64_t now_us,
		   void *ctx, char **json, enum sl_agg_publish_result *result,
		   char why[SL_AGG_WHY_LEN]);
