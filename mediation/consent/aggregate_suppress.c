/*
 * From an accumulator to a publishable release: k-anonymity suppression,
 * optional noise, and totals that cannot be used to recover a suppressed
 * cell (docs/aggregates.md, "Suppression").
 *
 * Primary suppression: a cell whose TRUE number of distinct subjects is
 * below k is suppressed; neither its subject count nor its event count is
 * published. The decision is made on true counts, before noise, so the
 * k-anonymity promise is exact (no released cell ever covers fewer than k
 * real subjects, whatever the noise drew); noise then protects the values
 * of the released cells.
 *
 * Totals (per area, per bucket, per category, and the grand total) are
 * sums over RELEASED cells only, each with the number of cells it left
 * out. This is the design choice that replaces complementary suppression:
 * every published total is a linear combination of published cells only,
 * so the system of equations an attacker can write from one release has no
 * suppressed cell in it, and no suppressed value can be derived, for any
 * grid and any pattern (tests/unit/test_aggregate.c runs the attack).
 * Complementary suppression against true totals would publish more exact
 * totals, but it has to defend against every combination of row, column
 * and category equations (a single "two suppressed per line" rule is not
 * enough: a suppressed cell that is a bridge between two cycles of the
 * suppression pattern stays determined) and against interval inference
 * from non-negativity; we publish less and make no such argument.
 *
 * Because suppression depends on each cell alone and cells sit on a fixed
 * grid, two releases over the same data either both suppress a cell or
 * both publish it; what remains across releases (new data, fresh noise) is
 * the ledger's job (aggregate_budget.c).
 *
 * Ownership: the release and its arrays are talloc children of ctx.
 */
#include <errno.h>
#include <string.h>

#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

static void total_add(struct sl_agg_total *t, const struct sl_agg_cell_out *c)
{
	if (c->suppressed) {
		t->suppressed++;
		return;
	}
	t->released++;
	t->events += c->events;
	t->subjects_sum += c->subjects;
}

static int noisy(struct sl_agg_rng *rng, double scale, uint64_t v, uint64_t *out)
{
	int64_t n;
	int rc = sl_agg_noise_draw(rng, scale, &n);

	if (rc < 0)
		return rc;
	if (n < 0 && (uint64_t)(-n) >= v)
		*out = 0;	/* clamped at 0 */
	else
		*out = v + (uint64_t)n;
	return 0;
}

static int publish_cell(const struct sl_agg *agg, const struct sl_agg_cell *c,
			struct sl_agg_rng *rng, struct sl_agg_cell_out *o)
{
	const struct sl_agg_config *cfg = &agg->cfg;
	uint64_t s = c->n, e = c->events;
	int rc;

	memset(o, 0, sizeof(*o));
	if (c->n < cfg->k) {
		o->suppressed = true;
		return 0;
	}
	if (cfg->epsilon_micro) {
		rc = noisy(rng, sl_agg_noise_scale_subjects(cfg), s, &s);
		if (rc == 0)
			rc = noisy(rng, sl_agg_noise_scale_events(cfg), e, &e);
		if (rc < 0)
			return rc;
	}
	o->subjects = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
	o->events = e;
	return 0;
}

int sl_agg_release_build(void *ctx, const struct sl_agg *agg, struct sl_agg_rng *rng,
			 struct sl_agg_release **out)
{
	const struct sl_agg_config *cfg = &agg->cfg;
	struct sl_agg_release *rel;
	int rc = -ENOMEM;

	*out = NULL;
	if (cfg->epsilon_micro && !rng)
		return -EINVAL;
	/* A cell that lost an observation to a failed allocation is not the
	 * count it claims: no release. A full cell makes which subjects it
	 * holds depend on the others, so one subject's removal could let
	 * another in and shift that one's cells: the sensitivity bound the
	 * noise relies on no longer holds, so no noisy release either. */
	if (agg->dropped[SL_AGG_DROP_NOMEM])
		return -ENOMEM;
	if (cfg->epsilon_micro && agg->dropped[SL_AGG_DROP_DISTINCT_CAP])
		return -ERANGE;
	rel = talloc_zero(ctx, struct sl_agg_release);
	if (!rel)
		return -ENOMEM;
	talloc_set_name_const(rel, "sl_agg_release");
	if (sl_agg_config_copy(rel, cfg, &rel->cfg) < 0)
		goto fail;
	rel->n_buckets = agg->n_buckets;
	rel->n_cells = agg->n_cells;
	rel->cells = talloc_zero_array(rel, struct sl_agg_cell_out, rel->n_cells);
	rel->by_area = talloc_zero_array(rel, struct sl_agg_total, cfg->n_areas);
	rel->by_bucket = talloc_zero_array(rel, struct sl_agg_total, rel->n_buckets);
	rel->by_category = talloc_zero_array(rel, struct sl_agg_total, cfg->n_categories);
	if (!rel->cells || !rel->by_area || !rel->by_bucket || !rel->by_category)
		goto fail;

	for (unsigned a = 0; a < cfg->n_areas; a++) {
		for (unsigned b = 0; b < rel->n_buckets; b++) {
			for (unsigned c = 0; c < cfg->n_categories; c++) {
				size_t i = sl_agg_cell_index(agg, a, b, c);
				struct sl_agg_cell_out *o = &rel->cells[i];

				rc = publish_cell(agg, &agg->cells[i], rng, o);
				if (rc < 0)
					goto fail;
				total_add(&rel->by_area[a], o);
				total_add(&rel->by_bucket[b], o);
				total_add(&rel->by_category[c], o);
				total_add(&rel->all, o);
			}
		}
	}
	*out = rel;
	return 0;
fail:
	talloc_free(rel);
	return rc;
}
