/*
 * The release configuration of an aggregated report: who receives it, the
 * period and grid (bucket length, area set, categories) and the protections
 * (k, epsilon, the per-subject contribution caps, the per-cell subject
 * cap). Parsed strictly from a JSON object (docs/aggregates.md, "Release
 * configuration"): unknown or duplicate keys, wrong types and every value
 * out of range are refused with one sentence naming the key. The digest
 * identifies a configuration for the ledger's "identical release" test.
 *
 * Ownership: sl_agg_config_parse() returns a configuration whose arrays are
 * its talloc children; sl_agg_config_copy() copies onto a given context.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

#define MINUTE_US INT64_C(60000000)
#define MAX_BUCKET_US (INT64_C(31) * 24 * 60 * MINUTE_US)
#define MAX_BUCKETS 100000u
#define MAX_K 1000000u
#define MAX_EPSILON_MICRO UINT64_C(100000000)	/* epsilon 100 */
#define MAX_CAP 100000000u

static int fail(char why[SL_AGG_WHY_LEN], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(char why[SL_AGG_WHY_LEN], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, SL_AGG_WHY_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool name_ok(const char *s, size_t max, bool upper)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-' || (upper && c >= 'A' && c <= 'Z')))
			return false;
	}
	return true;
}

int sl_agg_config_check(const struct sl_agg_config *cfg, char why[SL_AGG_WHY_LEN])
{
	uint64_t n_buckets, n_cells;

	if (!name_ok(cfg->recipient, SL_AGG_RECIPIENT_LEN, true))
		return fail(why, "recipient: 1 to %d characters of A-Z a-z 0-9 . _ -",
			    SL_AGG_RECIPIENT_LEN);
	if (cfg->bucket_us < MINUTE_US || cfg->bucket_us > MAX_BUCKET_US ||
	    cfg->bucket_us % MINUTE_US)
		return fail(why, "bucket_s: a whole number of minutes from 60 to 2678400");
	if (cfg->period_start_us < 0 || cfg->period_start_us % cfg->bucket_us)
		return fail(why, "period_start_us: not a non-negative multiple of the bucket");
	if (cfg->period_end_us <= cfg->period_start_us || cfg->period_end_us % cfg->bucket_us)
		return fail(why, "period_end_us: not a multiple of the bucket after the start");
	n_buckets = (uint64_t)((cfg->period_end_us - cfg->period_start_us) / cfg->bucket_us);
	if (n_buckets > MAX_BUCKETS)
		return fail(why, "period: more than %u buckets", MAX_BUCKETS);
	if (cfg->n_areas == 0 || cfg->n_areas > SL_AGG_MAX_AREAS || !cfg->areas)
		return fail(why, "areas: 1 to %d area ids", SL_AGG_MAX_AREAS);
	for (unsigned i = 1; i < cfg->n_areas; i++)
		if (cfg->areas[i] <= cfg->areas[i - 1])
			return fail(why, "areas[%u]: ids must be strictly increasing", i);
	if (cfg->n_categories == 0 || cfg->n_categories > SL_AGG_MAX_CATEGORIES ||
	    !cfg->categories)
		return fail(why, "categories: 1 to %d names", SL_AGG_MAX_CATEGORIES);
	for (unsigned i = 0; i < cfg->n_categories; i++) {
		if (!name_ok(cfg->categories[i], SL_AGG_CATEGORY_LEN, false))
			return fail(why, "categories[%u]: 1 to %d characters of a-z 0-9 . _ -", i,
				    SL_AGG_CATEGORY_LEN);
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(cfg->categories[i], cfg->categories[j]))
				return fail(why, "categories[%u]: duplicate of categories[%u]", i, j);
	}
	n_cells = n_buckets * cfg->n_areas * cfg->n_categories;
	if (n_cells > SL_AGG_MAX_CELLS)
		return fail(why, "areas x buckets x categories: %llu cells, more than %u",
			    (unsigned long long)n_cells, SL_AGG_MAX_CELLS);
	if (cfg->k < 2 || cfg->k > MAX_K)
		return fail(why, "k: from 2 to %u", MAX_K);
	if (cfg->epsilon_micro > MAX_EPSILON_MICRO)
		return fail(why, "epsilon: from 0 (no noise) to 100");
	if (cfg->max_cells_per_subject == 0 || cfg->max_cells_per_subject > MAX_CAP)
		return fail(why, "max_cells_per_subject: from 1 to %u", MAX_CAP);
	if (cfg->max_events_per_subject_cell == 0 || cfg->max_events_per_subject_cell > MAX_CAP)
		return fail(why, "max_events_per_subject_cell: from 1 to %u", MAX_CAP);
	if (cfg->distinct_cap < cfg->k || cfg->distinct_cap > MAX_CAP)
		return fail(why, "distinct_cap: from k to %u", MAX_CAP);
	return 0;
}

int sl_agg_config_copy(void *ctx, const struct sl_agg_config *src, struct sl_agg_config *dst)
{
	*dst = *src;
	dst->areas = talloc_memdup(ctx, src->areas, sizeof(*src->areas) * src->n_areas);
	dst->categories = talloc_memdup(ctx, src->categories,
					sizeof(*src->categories) * src->n_categories);
	if (!dst->areas || !dst->categories) {
		talloc_free(dst->areas);
		talloc_free(dst->categories);
		dst->areas = NULL;
		dst->categories = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void put_u64(EVP_MD_CTX *md, uint64_t v)
{
	uint8_t b[8];

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	EVP_DigestUpdate(md, b, sizeof(b));
}

static void put_str(EVP_MD_CTX *md, const char *s)
{
	put_u64(md, strlen(s));
	EVP_DigestUpdate(md, s, strlen(s));
}

void sl_agg_config_digest(const struct sl_agg_config *cfg, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 32;

	memset(out, 0, 32);
	if (!md)
		return;
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	put_str(md, "sluice-aggregate-config/1");
	put_str(md, cfg->recipient);
	put_u64(md, (uint64_t)cfg->period_start_us);
	put_u64(md, (uint64_t)cfg->period_end_us);
	put_u64(md, (uint64_t)cfg->bucket_us);
	put_u64(md, cfg->n_areas);
	for (unsigned i = 0; i < cfg->n_areas; i++)
		put_u64(md, cfg->areas[i]);
	put_u64(md, cfg->n_categories);
	for (unsigned i = 0; i < cfg->n_categories; i++)
		put_str(md, cfg->categories[i]);
	put_u64(md, cfg->k);
	put_u64(md, cfg->epsilon_micro);
	put_u64(md, cfg->max_cells_per_subject);
	put_u64(md, cfg->max_events_per_subject_cell);
	put_u64(md, cfg->distinct_cap);
	EVP_DigestFinal_ex(md, out, &len);
	EVP_MD_CTX_free(md);
}

/* An integer member in [lo, hi]; absent: *v keeps its default. */
static int get_int(json_t *o, const char *key, bool required, json_int_t lo, json_int_t hi,
		   json_int_t *v, char why[SL_AGG_WHY_LEN])
{
	json_t *j = json_object_get(o, key);

	if (!j) {
		if (required)
			return fail(why, "%s: missing", key);
		return 0;
	}
	if (!json_is_integer(j))
		return fail(why, "%s: not an integer", key);
	if (json_integer_value(j) < lo || json_integer_value(j) > hi)
		return fail(why, "%s: %lld out of range [%lld, %lld]", key,
			    (long long)json_integer_value(j), (long long)lo, (long long)hi);
	*v = json_integer_value(j);
	return 0;
}

static const char *const known_keys[] = {
	"recipient", "period_start_us", "period_end_us", "bucket_s", "areas", "categories",
	"k", "epsilon", "max_cells_per_subject", "max_events_per_subject_cell", "distinct_cap",
};

static int parse_obj(void *ctx, json_t *o, struct sl_agg_config *cfg, char why[SL_AGG_WHY_LEN])
{
	json_int_t v;
	const char *key;
	json_t *val, *j;
	size_t i;

	if (!json_is_object(o))
		return fail(why, "configuration: not a JSON object");
	json_object_foreach(o, key, val) {
		bool known = false;

		for (i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
			known |= !strcmp(key, known_keys[i]);
		if (!known)
			return fail(why, "configuration: unknown key (%.40s)", key);
	}
	j = json_object_get(o, "recipient");
	if (!json_is_string(j) || json_string_length(j) > SL_AGG_RECIPIENT_LEN ||
	    strlen(json_string_value(j)) != json_string_length(j))
		return fail(why, "recipient: missing or not a string of at most %d bytes",
			    SL_AGG_RECIPIENT_LEN);
	memcpy(cfg->recipient, json_string_value(j), json_string_length(j) + 1);

	if (get_int(o, "period_start_us", true, 0, INT64_MAX, &v, why) < 0)
		return -EINVAL;
	cfg->period_start_us = v;
	if (get_int(o, "period_end_us", true, 0, INT64_MAX, &v, why) < 0)
		return -EINVAL;
	cfg->period_end_us = v;
	if (get_int(o, "bucket_s", true, 60, MAX_BUCKET_US / 1000000, &v, why) < 0)
		return -EINVAL;
	cfg->bucket_us = v * 1000000;

	j = json_object_get(o, "areas");
	if (!json_is_array(j) || json_array_size(j) == 0 || json_array_size(j) > SL_AGG_MAX_AREAS)
		return fail(why, "areas: not an array of 1 to %d area ids", SL_AGG_MAX_AREAS);
	cfg->n_areas = (unsigned)json_array_size(j);
	cfg->areas = talloc_array(ctx, uint32_t, cfg->n_areas);
	if (!cfg->areas)
		return -ENOMEM;
	json_array_foreach(j, i, val) {
		if (!json_is_integer(val) || json_integer_value(val) < 0 ||
		    json_integer_value(val) > UINT32_MAX)
			return fail(why, "areas[%zu]: not an integer from 0 to 4294967295", i);
		cfg->areas[i] = (uint32_t)json_integer_value(val);
	}

	j = json_object_get(o, "categories");
	if (!json_is_array(j) || json_array_size(j) == 0 ||
	    json_array_size(j) > SL_AGG_MAX_CATEGORIES)
		return fail(why, "categories: not an array of 1 to %d names", SL_AGG_MAX_CATEGORIES);
	cfg->n_categories = (unsigned)json_array_size(j);
	cfg->categories = _talloc_zero_array(ctx, sizeof(*cfg->categories), cfg->n_categories,
					     "sl_agg_categories");
	if (!cfg->categories)
		return -ENOMEM;
	json_array_foreach(j, i, val) {
		if (!json_is_string(val) || json_string_length(val) > SL_AGG_CATEGORY_LEN ||
		    strlen(json_string_value(val)) != json_string_length(val))
			return fail(why, "categories[%zu]: not a string of at most %d bytes", i,
				    SL_AGG_CATEGORY_LEN);
		memcpy(cfg->categories[i], json_string_value(val), json_string_length(val) + 1);
	}

	v = cfg->k;
	if (get_int(o, "k", false, 2, MAX_K, &v, why) < 0)
		return -EINVAL;
	cfg->k = (unsigned)v;
	j = json_object_get(o, "epsilon");
	if (j) {
		double e = json_number_value(j);

		if (!json_is_number(j) || !isfinite(e) || e < 0 || e > 100)
			return fail(why, "epsilon: not a number from 0 (no noise) to 100");
		cfg->epsilon_micro = (uint64_t)llround(e * 1e6);
		if (e > 0 && cfg->epsilon_micro == 0)
			return fail(why, "epsilon: below 0.000001");
	}
	v = cfg->max_cells_per_subject;
	if (get_int(o, "max_cells_per_subject", false, 1, MAX_CAP, &v, why) < 0)
		return -EINVAL;
	cfg->max_cells_per_subject = (unsigned)v;
	v = cfg->max_events_per_subject_cell;
	if (get_int(o, "max_events_per_subject_cell", false, 1, MAX_CAP, &v, why) < 0)
		return -EINVAL;
	cfg->max_events_per_subject_cell = (unsigned)v;
	v = cfg->distinct_cap;
	if (get_int(o, "distinct_cap", false, 2, MAX_CAP, &v, why) < 0)
		return -EINVAL;
	cfg->distinct_cap = (unsigned)v;
	return sl_agg_config_check(cfg, why);
}

int sl_agg_config_parse(void *ctx, const char *buf, size_t len,
			struct sl_agg_config **out, char why[SL_AGG_WHY_LEN])
{
	struct sl_agg_config *cfg;
	json_error_t jerr;
	json_t *o;
	int rc;

	*out = NULL;
	why[0] = '\0';
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o)
		return fail(why, "configuration: invalid JSON at line %d column %d: %.80s",
			    jerr.line, jerr.column, jerr.text);
	cfg = talloc_zero(ctx, struct sl_agg_config);
	if (!cfg) {
		json_decref(o);
		return -ENOMEM;
	}
	cfg->k = SL_AGG_K_DEFAULT;
	cfg->max_cells_per_subject = SL_AGG_MAX_CELLS_PER_SUBJECT_DEFAULT;
	cfg->max_events_per_subject_cell = SL_AGG_MAX_EVENTS_PER_SUBJECT_CELL_DEFAULT;
	cfg->distinct_cap = SL_AGG_DISTINCT_CAP_DEFAULT;
	rc = parse_obj(cfg, o, cfg, why);
	json_decref(o);
	if (rc < 0) {
		talloc_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}
