/*
 * A release as the JSON document a recipient receives, byte for byte as
 * docs/aggregates.md ("Release document") describes: one compact JSON
 * object (no spaces, keys in the documented order, integers only) and a
 * final newline. Built with jansson, which keeps insertion order and
 * escapes nothing here (recipient and category names are restricted to
 * [A-Za-z0-9._-] by the configuration check).
 *
 * Ownership: the text is a talloc child of the caller's context; the
 * jansson tree lives only inside sl_agg_release_json().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

static json_t *jint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static int put_total(json_t *o, const struct sl_agg_total *t)
{
	int bad = 0;

	bad |= set(o, "events", jint(t->events));
	bad |= set(o, "subjects_sum", jint(t->subjects_sum));
	bad |= set(o, "released_cells", jint(t->released));
	bad |= set(o, "suppressed_cells", jint(t->suppressed));
	return bad;
}

static json_t *cells_json(const struct sl_agg_release *rel)
{
	const struct sl_agg_config *cfg = &rel->cfg;
	json_t *arr = json_array();
	size_t i = 0;

	if (!arr)
		return NULL;
	for (unsigned a = 0; a < cfg->n_areas; a++) {
		for (unsigned b = 0; b < rel->n_buckets; b++) {
			for (unsigned c = 0; c < cfg->n_categories; c++, i++) {
				const struct sl_agg_cell_out *o = &rel->cells[i];
				json_t *j = json_object();
				int bad = !j;

				if (j) {
					bad |= set(j, "area", jint(cfg->areas[a]));
					bad |= set(j, "bucket", jint(b));
					bad |= set(j, "category", json_string(cfg->categories[c]));
					if (o->suppressed) {
						bad |= set(j, "suppressed", json_true());
					} else {
						bad |= set(j, "subjects", jint(o->subjects));
						bad |= set(j, "events", jint(o->events));
					}
				}
				if (bad || json_array_append_new(arr, j) < 0) {
					json_decref(arr);
					return NULL;
				}
			}
		}
	}
	return arr;
}

static json_t *totals_json(const struct sl_agg_release *rel)
{
	const struct sl_agg_config *cfg = &rel->cfg;
	json_t *t = json_object(), *all = json_object();
	json_t *by_area = json_array(), *by_bucket = json_array(), *by_cat = json_array();
	int bad = !t || !all || !by_area || !by_bucket || !by_cat;

	if (!bad)
		bad |= put_total(all, &rel->all);
	for (unsigned a = 0; !bad && a < cfg->n_areas; a++) {
		json_t *j = json_object();

		bad |= !j || set(j, "area", jint(cfg->areas[a])) || put_total(j, &rel->by_area[a]) ||
		       json_array_append_new(by_area, j);
	}
	for (unsigned b = 0; !bad && b < rel->n_buckets; b++) {
		json_t *j = json_object();

		bad |= !j || set(j, "bucket", jint(b)) || put_total(j, &rel->by_bucket[b]) ||
		       json_array_append_new(by_bucket, j);
	}
	for (unsigned c = 0; !bad && c < cfg->n_categories; c++) {
		json_t *j = json_object();

		bad |= !j || set(j, "category", json_string(cfg->categories[c])) ||
		       put_total(j, &rel->by_category[c]) || json_array_append_new(by_cat, j);
	}
	if (!bad) {
		bad |= set(t, "scope", json_string("released_cells"));
		bad |= json_object_set(t, "all", all);
		bad |= json_object_set(t, "by_area", by_area);
		bad |= json_object_set(t, "by_bucket", by_bucket);
		bad |= json_object_set(t, "by_category", by_cat);
	}
	json_decref(all);
	json_decref(by_area);
	json_decref(by_bucket);
	json_decref(by_cat);
	if (bad) {
		json_decref(t);
		return NULL;
	}
	return t;
}

int sl_agg_release_json(void *ctx, const struct sl_agg_release *rel, char **out)
{
	const struct sl_agg_config *cfg = &rel->cfg;
	json_t *root = json_object(), *areas = json_array(), *cats = json_array(), *sens;
	char *text = NULL;
	int bad = !root || !areas || !cats;

	*out = NULL;
	for (unsigned a = 0; !bad && a < cfg->n_areas; a++)
		bad |= json_array_append_new(areas, jint(cfg->areas[a]));
	for (unsigned c = 0; !bad && c < cfg->n_categories; c++)
		bad |= json_array_append_new(cats, json_string(cfg->categories[c]));
	if (!bad) {
		bad |= set(root, "format", json_string("sluice-aggregate/1"));
		bad |= set(root, "recipient", json_string(cfg->recipient));
		bad |= set(root, "period_start_us", jint((uint64_t)cfg->period_start_us));
		bad |= set(root, "period_end_us", jint((uint64_t)cfg->period_end_us));
		bad |= set(root, "bucket_s", jint((uint64_t)(cfg->bucket_us / 1000000)));
		bad |= set(root, "k", jint(cfg->k));
		bad |= set(root, "epsilon_micro", jint(cfg->epsilon_micro));
		bad |= set(root, "noise",
			   json_string(cfg->epsilon_micro ? "discrete_laplace" : "none"));
		sens = json_object();
		bad |= !sens;
		if (sens) {
			bad |= set(sens, "subjects", jint(sl_agg_sensitivity_subjects(cfg)));
			bad |= set(sens, "events", jint(sl_agg_sensitivity_events(cfg)));
			bad |= set(root, "sensitivity", sens);
		}
		bad |= json_object_set(root, "areas", areas);
		bad |= json_object_set(root, "categories", cats);
		bad |= set(root, "n_buckets", jint(rel->n_buckets));
		bad |= set(root, "cells", cells_json(rel));
		bad |= set(root, "totals", totals_json(rel));
	}
	if (!bad)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(areas);
	json_decref(cats);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	*out = talloc_asprintf(ctx, "%s\n", text);
	free(text);
	return *out ? 0 : -ENOMEM;
}
