/*
 * Aggregate releases driven by packet time (docs/consent.md, "Aggregate
 * releases"): the daemon's side of the aggregate library. A stream holds
 * one recipient's release policy (grid of areas and categories, bucket
 * length, k, epsilon, caps, budget) and buffers the consented observations
 * of each time bucket still open. A bucket closes when the packet clock
 * has passed its end by the lateness allowance (or when the input ends):
 * its observations go into a fresh accumulator for the period of exactly
 * that bucket, and sl_agg_publish() suppresses, adds noise, debits the
 * budget and records the release in one transaction, or refuses it (budget
 * spent, overlap). An observation for a bucket already closed is late:
 * dropped and counted, never folded into a later release.
 *
 * Buckets are released only if they received at least one observation,
 * so an idle recipient spends no budget.
 *
 * Memory: at most 64 open buckets of at most max_obs_per_bucket
 * observations each; past the cap an observation is dropped and counted.
 *
 * Ownership: a talloc object; the store and the generator are borrowed and
 * must outlive it. No clock of its own: every time comes from the caller.
 */
#pragma once

#include <stdint.h>

#include "mediation/consent/aggregate.h"

#define SL_AGG_STREAM_MAX_OBS_DEFAULT 1000000u /* observations held per open bucket (32 bytes each) */

struct sl_agg_stream_cfg {
	struct sl_agg_config grid;	   /* recipient, bucket_us, areas, categories, k, epsilon, caps; period unused */
	int64_t lateness_us;		   /* a bucket closes this long after its end (packet time) */
	uint64_t max_obs_per_bucket;	   /* observations held per open bucket; 0: the default above */
	struct sl_agg_budget_policy budget; /* settle_us is taken from lateness_us */
};

/* What became of one bucket. */
struct sl_agg_stream_outcome {
	const char *recipient;
	int64_t period_start_us, period_end_us;
	int rc;				     /* 0 (released), or the -errno of sl_agg_publish() (refused) */
	enum sl_agg_publish_result result; /* when rc == 0 */
	const char *json;		     /* the release document, when rc == 0 */
	const char *why;		     /* the refusal, when rc < 0 */
	uint64_t observations;		     /* observations buffered for the bucket */
	uint64_t epsilon_micro;
	uint32_t released, suppressed;	     /* cells, when rc == 0 */
};
typedef void (*sl_agg_stream_cb)(void *data, const struct sl_agg_stream_outcome *o);

struct sl_agg_stream;

/* A stream on cfg (copied); -EINVAL with why when the grid does not check. */
int sl_agg_stream_new(void *ctx, const struct sl_agg_stream_cfg *cfg, struct sl_agg_store *st,
		      struct sl_agg_rng *rng, sl_agg_stream_cb cb, void *data, struct sl_agg_stream **out,
		      char why[SL_AGG_WHY_LEN]);
/*
 * Buffers one observation: 0, 1 if late (its bucket was closed), 2 if its
 * open bucket already holds max_obs_per_bucket (dropped, counted: the
 * bucket's release counts the observations held), -ENOMEM.
 */
int sl_agg_stream_add(struct sl_agg_stream *s, const struct sl_agg_obs *obs);
/* The packet clock moved: every bucket whose end + lateness <= now_us closes. */
void sl_agg_stream_tick(struct sl_agg_stream *s, int64_t now_us);
/* The input ended: every open bucket closes now (as if its lateness had passed). */
void sl_agg_stream_close_all(struct sl_agg_stream *s);

struct sl_agg_stream_stats {
	uint64_t observations, late, capped, released, repeated, refused;
	unsigned open_buckets;
};
void sl_agg_stream_stats(const struct sl_agg_stream *s, struct sl_agg_stream_stats *st);
