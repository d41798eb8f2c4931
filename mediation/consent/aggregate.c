/*
 * The aggregate accumulator: one report period cut into a grid of cells
 * (area, time bucket, category), and per cell the number of events and the
 * exact number of distinct subjects.
 *
 * Distinct subjects are counted exactly with one open-addressing hash set
 * per cell (16-byte slots, load at most 3/4, grown by doubling). Memory is
 * bounded by two caps from the configuration: a cell stores at most
 * distinct_cap subjects (further new subjects are dropped and counted, and
 * the cell's count is then a lower bound; the cap is at least k, so such a
 * cell is always released), and a subject enters at most
 * max_cells_per_subject cells per release (later observations in new
 * cells are dropped and counted). The second cap is also what bounds the
 * sensitivity that aggregate_noise.c calibrates the noise to, together with
 * max_events_per_subject_cell, the events of one subject counted in one
 * cell. So the worst case is n_cells sets of distinct_cap slots, and in
 * practice about 2 x 16 bytes per (subject, cell) pair seen.
 *
 * Ownership: the accumulator and every table it grows are talloc children
 * of the context given to sl_agg_new(); talloc_free() on it frees all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

const char *const sl_agg_drop_names[SL_AGG_DROP__NUM] = {
	[SL_AGG_DROP_OUT_OF_PERIOD] = "aggregate.drop.out_of_period",
	[SL_AGG_DROP_UNKNOWN_AREA] = "aggregate.drop.unknown_area",
	[SL_AGG_DROP_UNKNOWN_CATEGORY] = "aggregate.drop.unknown_category",
	[SL_AGG_DROP_SUBJECT_CELL_CAP] = "aggregate.drop.subject_cell_cap",
	[SL_AGG_DROP_EVENT_CAP] = "aggregate.drop.event_cap",
	[SL_AGG_DROP_DISTINCT_CAP] = "aggregate.drop.distinct_cap",
	[SL_AGG_DROP_NOMEM] = "aggregate.drop.nomem",
};

uint64_t sl_agg_subject_key(const void *pseudonym, size_t len)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	uint64_t k = 0;

	SHA256(pseudonym, len, md);
	for (unsigned i = 0; i < 8; i++)
		k = (k << 8) | md[i];
	return k;
}

/* splitmix64's finaliser over the salted key: spreads sequential keys. */
static uint64_t mix(uint64_t x, uint64_t salt)
{
	x ^= salt;
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

int sl_agg_new(void *ctx, const struct sl_agg_config *cfg, struct sl_agg **out)
{
	char why[SL_AGG_WHY_LEN];
	struct sl_agg *agg;
	int rc;

	*out = NULL;
	if (sl_agg_config_check(cfg, why) < 0)
		return -EINVAL;
	agg = talloc_zero(ctx, struct sl_agg);
	if (!agg)
		return -ENOMEM;
	talloc_set_name_const(agg, "sl_agg");
	rc = sl_agg_config_copy(agg, cfg, &agg->cfg);
	if (rc < 0)
		goto fail;
	agg->n_buckets = (unsigned)((cfg->period_end_us - cfg->period_start_us) / cfg->bucket_us);
	agg->n_cells = (size_t)cfg->n_areas * agg->n_buckets * cfg->n_categories;
	agg->cells = talloc_zero_array(agg, struct sl_agg_cell, agg->n_cells);
	agg->subj_cap = 1024;
	agg->subj = talloc_zero_array(agg, struct sl_agg_subj, agg->subj_cap);
	rc = -ENOMEM;
	if (!agg->cells || !agg->subj)
		goto fail;
	rc = -EIO;
	if (RAND_bytes((unsigned char *)&agg->salt, sizeof(agg->salt)) != 1)
		goto fail;
	*out = agg;
	return 0;
fail:
	talloc_free(agg);
	return rc;
}

const struct sl_agg_config *sl_agg_config(const struct sl_agg *agg)
{
	return &agg->cfg;
}

uint64_t sl_agg_dropped(const struct sl_agg *agg, enum sl_agg_drop why)
{
	return (unsigned)why < SL_AGG_DROP__NUM ? agg->dropped[why] : 0;
}

unsigned sl_agg_n_buckets(const struct sl_agg *agg)
{
	return agg->n_buckets;
}

size_t sl_agg_n_cells(const struct sl_agg *agg)
{
	return agg->n_cells;
}

size_t sl_agg_cell_index(const struct sl_agg *agg, unsigned area_ix, unsigned bucket,
			 unsigned category)
{
	return ((size_t)area_ix * agg->n_buckets + bucket) * agg->cfg.n_categories + category;
}

void sl_agg_cell_true(const struct sl_agg *agg, size_t cell, uint32_t *subjects, uint64_t *events)
{
	*subjects = agg->cells[cell].n;
	*events = agg->cells[cell].events;
}

static int area_index(const struct sl_agg_config *cfg, uint32_t area)
{
	unsigned lo = 0, hi = cfg->n_areas;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (cfg->areas[mid] == area)
			return (int)mid;
		if (cfg->areas[mid] < area)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static struct sl_agg_slot *cell_find(const struct sl_agg *agg, const struct sl_agg_cell *c,
				     uint64_t subject)
{
	uint32_t mask = c->cap - 1;

	if (!c->tab)
		return NULL;
	for (uint32_t i = (uint32_t)mix(subject, agg->salt) & mask;; i = (i + 1) & mask) {
		if (c->tab[i].events == 0)
			return &c->tab[i];
		if (c->tab[i].subject == subject)
			return &c->tab[i];
	}
}

/* Make room for one more subject in c (load <= 3/4). */
static int cell_reserve(struct sl_agg *agg, struct sl_agg_cell *c)
{
	struct sl_agg_slot *old = c->tab, *tab;
	uint32_t old_cap = c->cap, cap;

	if (c->tab && (uint64_t)(c->n + 1) * 4 <= (uint64_t)c->cap * 3)
		return 0;
	cap = c->cap ? c->cap * 2 : 8;
	if (cap == 0)
		return -ENOMEM;
	tab = talloc_zero_array(agg, struct sl_agg_slot, cap);
	if (!tab)
		return -ENOMEM;
	c->tab = tab;
	c->cap = cap;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].events) {
			struct sl_agg_slot *s = cell_find(agg, c, old[i].subject);
			*s = old[i];
		}
	}
	talloc_free(old);
	return 0;
}

static struct sl_agg_subj *subj_find(const struct sl_agg *agg, uint64_t subject)
{
	size_t mask = agg->subj_cap - 1;

	for (size_t i = (size_t)mix(subject, ~agg->salt) & mask;; i = (i + 1) & mask) {
		if (agg->subj[i].cells == 0 || agg->subj[i].subject == subject)
			return &agg->subj[i];
	}
}

static int subj_reserve(struct sl_agg *agg)
{
	struct sl_agg_subj *old = agg->subj, *tab;
	size_t old_cap = agg->subj_cap, cap = old_cap * 2;

	if ((agg->subj_n + 1) * 4 <= agg->subj_cap * 3)
		return 0;
	tab = talloc_zero_array(agg, struct sl_agg_subj, cap);
	if (!tab)
		return -ENOMEM;
	agg->subj = tab;
	agg->subj_cap = cap;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].cells)
			*subj_find(agg, old[i].subject) = old[i];
	}
	talloc_free(old);
	return 0;
}

static int drop(struct sl_agg *agg, enum sl_agg_drop why)
{
	agg->dropped[why]++;
	return 1;
}

int sl_agg_add(struct sl_agg *agg, const struct sl_agg_obs *obs)
{
	const struct sl_agg_config *cfg = &agg->cfg;
	struct sl_agg_cell *c;
	struct sl_agg_slot *slot;
	struct sl_agg_subj *sj;
	unsigned bucket;
	int ax;

	if (obs->time_us < cfg->period_start_us || obs->time_us >= cfg->period_end_us)
		return drop(agg, SL_AGG_DROP_OUT_OF_PERIOD);
	ax = area_index(cfg, obs->area);
	if (ax < 0)
		return drop(agg, SL_AGG_DROP_UNKNOWN_AREA);
	if (obs->category >= cfg->n_categories)
		return drop(agg, SL_AGG_DROP_UNKNOWN_CATEGORY);
	bucket = (unsigned)((obs->time_us - cfg->period_start_us) / cfg->bucket_us);
	c = &agg->cells[sl_agg_cell_index(agg, (unsigned)ax, bucket, obs->category)];

	slot = cell_find(agg, c, obs->subject);
	if (slot && slot->events) {
		if (slot->events >= cfg->max_events_per_subject_cell)
			return drop(agg, SL_AGG_DROP_EVENT_CAP);
		slot->events++;
		c->events++;
		return 0;
	}
	/* A subject new to this cell. */
	sj = subj_find(agg, obs->subject);
	if (sj->cells >= cfg->max_cells_per_subject)
		return drop(agg, SL_AGG_DROP_SUBJECT_CELL_CAP);
	if (c->n >= cfg->distinct_cap)
		return drop(agg, SL_AGG_DROP_DISTINCT_CAP);
	if (cell_reserve(agg, c) < 0)
		return drop(agg, SL_AGG_DROP_NOMEM);
	if (sj->cells == 0) {
		if (subj_reserve(agg) < 0)
			return drop(agg, SL_AGG_DROP_NOMEM);
		sj = subj_find(agg, obs->subject);
		sj->subject = obs->subject;
		agg->subj_n++;
	}
	sj->cells++;
	slot = cell_find(agg, c, obs->subject);
	slot->subject = obs->subject;
	slot->events = 1;
	c->n++;
	c->events++;
	return 0;
}
