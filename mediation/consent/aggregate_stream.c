/*
 * Aggregate releases driven by packet time (see aggregate_stream.h).
 *
 * Open buckets are kept in start order in a small array, each with the
 * observations it received; at most MAX_OPEN at a time (with a sane
 * lateness only two or three are ever open: a packet time far ahead of the
 * rest opens a bucket that the clock then closes). Closing a bucket builds
 * a configuration whose period is exactly that bucket, so consecutive
 * releases to a recipient are disjoint in time, as the release ledger
 * requires (docs/aggregates.md, "Differencing across releases"). Times of
 * observations and the `now` given to sl_agg_publish() are packet times.
 */
#include "mediation/consent/aggregate_stream.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>
#include <talloc.h>

#define MAX_OPEN 64

struct open_bucket {
	int64_t start_us;
	struct sl_agg_obs *obs; /* talloc on the stream */
	size_t n, cap;
};

struct sl_agg_stream {
	struct sl_agg_config grid; /* arrays owned by the stream */
	int64_t lateness_us;
	uint64_t max_obs;
	struct sl_agg_budget_policy budget;
	struct sl_agg_store *store;
	struct sl_agg_rng *rng;
	sl_agg_stream_cb cb;
	void *data;
	struct open_bucket open[MAX_OPEN];
	unsigned n_open;
	int64_t closed_until_us; /* every bucket ending at or before this is closed */
	struct sl_agg_stream_stats st;
};

int sl_agg_stream_new(void *ctx, const struct sl_agg_stream_cfg *cfg, struct sl_agg_store *st,
		      struct sl_agg_rng *rng, sl_agg_stream_cb cb, void *data, struct sl_agg_stream **out,
		      char why[SL_AGG_WHY_LEN])
{
	struct sl_agg_stream *s;
	struct sl_agg_config probe = cfg->grid;
	int rc;

	*out = NULL;
	/* the grid must check with a period of one bucket */
	probe.period_start_us = 0;
	probe.period_end_us = cfg->grid.bucket_us;
	rc = sl_agg_config_check(&probe, why);
	if (rc < 0)
		return rc;
	if (cfg->lateness_us < 0) {
		snprintf(why, SL_AGG_WHY_LEN, "recipient %s: lateness must not be negative", cfg->grid.recipient);
		return -EINVAL;
	}
	s = talloc_zero(ctx, struct sl_agg_stream);
	if (!s)
		return -ENOMEM;
	s->grid = cfg->grid;
	s->grid.areas = talloc_memdup(s, cfg->grid.areas, sizeof(uint32_t) * cfg->grid.n_areas);
	s->grid.categories = talloc_memdup(s, cfg->grid.categories, sizeof(cfg->grid.categories[0]) *
									    cfg->grid.n_categories);
	if (!s->grid.areas || !s->grid.categories) {
		talloc_free(s);
		return -ENOMEM;
	}
	s->lateness_us = cfg->lateness_us;
	s->max_obs = cfg->max_obs_per_bucket ? cfg->max_obs_per_bucket : SL_AGG_STREAM_MAX_OBS_DEFAULT;
	s->budget = cfg->budget;
	s->budget.settle_us = cfg->lateness_us;
	s->store = st;
	s->rng = rng;
	s->cb = cb;
	s->data = data;
	s->closed_until_us = INT64_MIN;
	*out = s;
	return 0;
}

static int64_t bucket_start(const struct sl_agg_stream *s, int64_t t)
{
	int64_t r = t % s->grid.bucket_us;

	return t - (r < 0 ? r + s->grid.bucket_us : r);
}

/* The released and suppressed cell counts of a document ("totals"."all"). */
static void count_cells(const char *doc, uint32_t *released, uint32_t *suppressed)
{
	json_t *j = json_loads(doc, 0, NULL), *all = json_object_get(json_object_get(j, "totals"), "all");

	*released = (uint32_t)json_integer_value(json_object_get(all, "released_cells"));
	*suppressed = (uint32_t)json_integer_value(json_object_get(all, "suppressed_cells"));
	json_decref(j);
}

/* Releases open bucket i (now_us: the packet time of the decision) and removes it. */
static void close_bucket(struct sl_agg_stream *s, unsigned i, int64_t now_us)
{
	struct open_bucket *b = &s->open[i];
	void *tmp = talloc_named_const(s, 0, "agg_release");
	struct sl_agg_stream_outcome o = { .recipient = s->grid.recipient };
	struct sl_agg_config cfg = s->grid;
	struct sl_agg *agg = NULL;
	char why[SL_AGG_WHY_LEN] = "", *json = NULL;
	size_t k;

	cfg.period_start_us = b->start_us;
	cfg.period_end_us = b->start_us + s->grid.bucket_us;
	o.period_start_us = cfg.period_start_us;
	o.period_end_us = cfg.period_end_us;
	o.observations = b->n;
	o.epsilon_micro = cfg.epsilon_micro;
	o.rc = tmp ? sl_agg_new(tmp, &cfg, &agg) : -ENOMEM;
	for (k = 0; o.rc == 0 && k < b->n; k++)
		sl_agg_add(agg, &b->obs[k]); /* drops (unknown area, caps) are the accumulator's */
	if (o.rc == 0)
		o.rc = sl_agg_publish(s->store, &s->budget, agg, s->rng, now_us, tmp, &json, &o.result, why);
	else
		snprintf(why, sizeof(why), "recipient %s: no memory for the accumulator", cfg.recipient);
	if (o.rc == 0) {
		o.json = json;
		count_cells(json, &o.released, &o.suppressed);
		if (o.result == SL_AGG_REPEATED)
			s->st.repeated++;
		else
			s->st.released++;
	} else {
		o.why = why;
		s->st.refused++;
	}
	if (cfg.period_end_us > s->closed_until_us)
		s->closed_until_us = cfg.period_end_us;
	talloc_free(b->obs);
	memmove(&s->open[i], &s->open[i + 1], sizeof(s->open[0]) * (s->n_open - i - 1));
	s->n_open--;
	if (s->cb)
		s->cb(s->data, &o);
	talloc_free(tmp);
}

int sl_agg_stream_add(struct sl_agg_stream *s, const struct sl_agg_obs *obs)
{
	int64_t start;
	struct open_bucket *b = NULL;
	unsigned i;

	if (obs->time_us < 0 || obs->time_us > INT64_MAX / 2) {
		s->st.late++; /* no packet time of this millennium: never opens a bucket */
		return 1;
	}
	start = bucket_start(s, obs->time_us);
	if (start + s->grid.bucket_us <= s->closed_until_us) {
		s->st.late++;
		return 1;
	}
	for (i = 0; i < s->n_open && s->open[i].start_us < start; i++)
		;
	if (i < s->n_open && s->open[i].start_us == start) {
		b = &s->open[i];
	} else {
		if (s->n_open == MAX_OPEN) {
			s->st.late++; /* too far from the buckets still open: as good as late */
			return 1;
		}
		memmove(&s->open[i + 1], &s->open[i], sizeof(s->open[0]) * (s->n_open - i));
		b = &s->open[i];
		memset(b, 0, sizeof(*b));
		b->start_us = start;
		s->n_open++;
	}
	if (b->n >= s->max_obs) {
		s->st.capped++;
		return 2;
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		if (cap > s->max_obs)
			cap = (size_t)s->max_obs;
		struct sl_agg_obs *p = talloc_realloc(s, b->obs, struct sl_agg_obs, cap);
		if (!p)
			return -ENOMEM;
		b->obs = p;
		b->cap = cap;
	}
	b->obs[b->n++] = *obs;
	s->st.observations++;
	return 0;
}

void sl_agg_stream_tick(struct sl_agg_stream *s, int64_t now_us)
{
	while (s->n_open && now_us - s->lateness_us >= s->open[0].start_us + s->grid.bucket_us)
		close_bucket(s, 0, now_us);
}

void sl_agg_stream_close_all(struct sl_agg_stream *s)
{
	while (s->n_open)
		close_bucket(s, 0, s->open[0].start_us + s->grid.bucket_us + s->lateness_us);
}

void sl_agg_stream_stats(const struct sl_agg_stream *s, struct sl_agg_stream_stats *st)
{
	*st = s->st;
	st->open_buckets = s->n_open;
}
