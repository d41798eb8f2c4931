/*
 * Unit tests for the aggregate accumulator, configuration and document
 * (mediation/consent/aggregate*.c): exact distinct counts against a brute
 * force count, the caps and their counters, no released cell below k, the
 * release document byte for byte (and docs/aggregates.md showing the same
 * bytes and naming every drop counter, when run from make check),
 * malformed configurations refused, allocation failures. The linear attack
 * is test_aggregate_attack.c, the noise test_aggregate_noise.c. Every
 * test's talloc blocks return to their start.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <talloc.h>

#include "aggregate_test_grid.h"

/* --- configuration -------------------------------------------------------- */

static const char good_cfg[] =
	"{\"recipient\":\"acme-footfall\",\"period_start_us\":0,\"period_end_us\":86400000000,"
	"\"bucket_s\":3600,\"areas\":[1,2,3],\"categories\":[\"call\",\"sms\"],\"epsilon\":0.5}";

static void test_config_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"recipient\":\"a\"}",
		"{\"recipient\":\"a b\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"extra\":1}",
		"{\"recipient\":\"a\",\"recipient\":\"b\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":1,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":0,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":59,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":90,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[2,1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[-1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\",\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"C\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":1}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":\"20\"}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"epsilon\":-1}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"epsilon\":1e-9}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"k\":30,\"distinct_cap\":29}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\"],\"max_cells_per_subject\":0}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":360000000000000,\"bucket_s\":60,\"areas\":[1],\"categories\":[\"c\"]}",
		"{\"recipient\":\"a\",\"period_start_us\":0,\"period_end_us\":3600000000,\"bucket_s\":3600,\"areas\":[1],\"categories\":[\"c\\u0000d\"]}",
	};
	struct sl_agg_config *cfg;
	char why[SL_AGG_WHY_LEN];
	uint8_t d1[32], d2[32];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(sl_agg_config_parse(g_ctx, bad[i], strlen(bad[i]), &cfg, why), -EINVAL);
		assert_null(cfg);
		if (!why[0])
			fail_msg("no message for bad config %zu", i);
	}
	assert_int_equal(sl_agg_config_parse(g_ctx, good_cfg, strlen(good_cfg), &cfg, why), 0);
	assert_string_equal(cfg->recipient, "acme-footfall");
	assert_int_equal(cfg->k, SL_AGG_K_DEFAULT);
	assert_int_equal(cfg->epsilon_micro, 500000);
	assert_int_equal(cfg->bucket_us, HOUR_US);
	assert_int_equal(cfg->n_areas, 3);
	assert_string_equal(cfg->categories[1], "sms");
	assert_int_equal(cfg->max_cells_per_subject, SL_AGG_MAX_CELLS_PER_SUBJECT_DEFAULT);
	sl_agg_config_digest(cfg, d1);
	cfg->k = 21;
	sl_agg_config_digest(cfg, d2);
	assert_memory_not_equal(d1, d2, 32);
	talloc_free(cfg);
	/* Exactly sized, no terminating NUL: the parser reads len bytes only. */
	{
		char *copy = talloc_memdup(g_ctx, good_cfg, strlen(good_cfg));

		assert_int_equal(sl_agg_config_parse(g_ctx, copy, strlen(good_cfg), &cfg, why), 0);
		talloc_free(cfg);
		assert_int_equal(sl_agg_config_parse(g_ctx, copy, strlen(good_cfg) - 1, &cfg, why), -EINVAL);
		talloc_free(copy);
	}
}

/* --- accumulator ---------------------------------------------------------- */

struct truth_key {
	uint64_t subj;
	size_t cell;
};

static int cmp_truth(const void *a, const void *b)
{
	const struct truth_key *x = a, *y = b;

	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	if (x->subj != y->subj)
		return x->subj < y->subj ? -1 : 1;
	return 0;
}

static void test_distinct_exact(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 6 * HOUR_US, HOUR_US, 7, 3, 20);
	enum { N = 60000 };
	struct truth_key *tk = talloc_array(g_ctx, struct truth_key, N);
	uint32_t *subjects;
	uint64_t *events, s = 88172645463325252ULL;
	struct sl_agg *agg;
	size_t n = 0;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	subjects = talloc_zero_array(g_ctx, uint32_t, sl_agg_n_cells(agg));
	events = talloc_zero_array(g_ctx, uint64_t, sl_agg_n_cells(agg));
	for (unsigned i = 0; i < N; i++) {
		struct sl_agg_obs o = {
			.subject = xs_next(&s) % 3000,
			.area = 100 + (unsigned)(xs_next(&s) % 7),
			.time_us = (int64_t)(xs_next(&s) % (uint64_t)(6 * HOUR_US)),
			.category = (unsigned)(xs_next(&s) % 3),
		};
		assert_int_equal(sl_agg_add(agg, &o), 0);
		tk[n].subj = o.subject;
		tk[n++].cell = sl_agg_cell_index(agg, o.area - 100,
						 (unsigned)(o.time_us / HOUR_US), o.category);
	}
	qsort(tk, n, sizeof(*tk), cmp_truth);
	for (size_t i = 0; i < n; i++) {
		events[tk[i].cell]++;
		if (i == 0 || cmp_truth(&tk[i], &tk[i - 1]))
			subjects[tk[i].cell]++;
	}
	for (size_t c = 0; c < sl_agg_n_cells(agg); c++) {
		uint32_t ts;
		uint64_t te;

		sl_agg_cell_true(agg, c, &ts, &te);
		assert_int_equal(ts, subjects[c]);
		assert_int_equal(te, events[c]);
	}
	/* Out of the grid: each counted under its reason. */
	add(agg, 1, 100, -1, 0, 1);
	add(agg, 1, 100, 6 * HOUR_US, 0, 1);
	add(agg, 1, 99, 0, 0, 1);
	add(agg, 1, 100, 0, 3, 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_OUT_OF_PERIOD), 2);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_UNKNOWN_AREA), 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_UNKNOWN_CATEGORY), 1);
	talloc_free(agg);
	talloc_free(tk);
	talloc_free(subjects);
	talloc_free(events);
	talloc_free(cfg);
}

static void test_caps(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 4 * HOUR_US, HOUR_US, 2, 1, 3);
	struct sl_agg *agg;
	uint32_t s;
	uint64_t e;

	(void)state;
	cfg->max_cells_per_subject = 2;
	cfg->max_events_per_subject_cell = 3;
	cfg->distinct_cap = 4;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	/* subject 7: two cells, then a third is refused; events capped at 3 per cell */
	add(agg, 7, 100, 0, 0, 0);
	add(agg, 7, 100, 1, 0, 0);
	add(agg, 7, 100, 2, 0, 0);
	add(agg, 7, 100, 3, 0, 1);
	add(agg, 7, 101, 0, 0, 0);
	add(agg, 7, 101, HOUR_US, 0, 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_EVENT_CAP), 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_SUBJECT_CELL_CAP), 1);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 0, 0, 0), &s, &e);
	assert_int_equal(s, 1);
	assert_int_equal(e, 3);
	/* cell (101, 1h): at most 4 subjects stored */
	for (uint64_t subj = 1000; subj < 1010; subj++)
		add(agg, subj, 101, HOUR_US, 0, subj < 1004 ? 0 : 1);
	assert_int_equal(sl_agg_dropped(agg, SL_AGG_DROP_DISTINCT_CAP), 6);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 1, 1, 0), &s, &e);
	assert_int_equal(s, 4);
	{
		struct sl_agg_release *rel;
		struct sl_agg_rng *rng;

		/* A full cell is released (its count a lower bound, >= k) ... */
		assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
		assert_false(rel->cells[sl_agg_cell_index(agg, 1, 1, 0)].suppressed);
		talloc_free(rel);
		talloc_free(agg);
		/* ... but not with noise: the sensitivity bound needs no full cell. */
		cfg->epsilon_micro = 1000000;
		assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
		for (uint64_t subj = 1000; subj < 1010; subj++)
			add(agg, subj, 101, HOUR_US, 0, subj < 1004 ? 0 : 1);
		assert_int_equal(sl_agg_rng_seeded(g_ctx, "x", 1, &rng), 0);
		assert_int_equal(sl_agg_release_build(g_ctx, agg, rng, &rel), -ERANGE);
		talloc_free(rng);
		cfg->epsilon_micro = 0;
	}
	talloc_free(agg);
	/* many subjects in one cell: the set grows and stays exact */
	cfg->distinct_cap = 100000;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	for (uint64_t subj = 0; subj < 5000; subj++)
		add(agg, subj << 20, 100, 3 * HOUR_US, 0, 0);
	sl_agg_cell_true(agg, sl_agg_cell_index(agg, 0, 3, 0), &s, &e);
	assert_int_equal(s, 5000);
	assert_int_equal(e, 5000);
	talloc_free(agg);
	cfg->distinct_cap = 2; /* below k */
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), -EINVAL);
	talloc_free(cfg);
	assert_int_equal(sl_agg_subject_key("abc", 3), 0xba7816bf8f01cfeaULL);
}

static void test_no_cell_below_k(void **state)
{
	uint64_t s = 0x1234567;

	(void)state;
	for (unsigned it = 0; it < 30; it++) {
		unsigned k = 2 + (unsigned)(xs_next(&s) % 30);
		struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 5 * HOUR_US, HOUR_US,
							2 + (unsigned)(xs_next(&s) % 5), 2, k);
		struct sl_agg *agg = random_grid(g_ctx, cfg, &s, 2 * k);
		struct sl_agg_release *rel;
		unsigned released = 0, suppressed = 0;

		assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
		for (size_t i = 0; i < rel->n_cells; i++) {
			uint32_t ts;
			uint64_t te;

			sl_agg_cell_true(agg, i, &ts, &te);
			if (rel->cells[i].suppressed) {
				assert_true(ts < k);
				assert_int_equal(rel->cells[i].subjects, 0);
				assert_int_equal(rel->cells[i].events, 0);
				suppressed++;
			} else {
				assert_true(ts >= k);
				assert_true(rel->cells[i].subjects >= k);
				assert_int_equal(rel->cells[i].subjects, ts);
				assert_int_equal(rel->cells[i].events, te);
				released++;
			}
		}
		assert_int_equal(rel->all.released, released);
		assert_int_equal(rel->all.suppressed, suppressed);
		talloc_free(rel);
		talloc_free(agg);
		talloc_free(cfg);
	}
}

/* --- the document --------------------------------------------------------- */

static void test_json_bytes(void **state)
{
	static const char want[] =
		"{\"format\":\"sluice-aggregate/1\",\"recipient\":\"acme\",\"period_start_us\":0,"
		"\"period_end_us\":3600000000,\"bucket_s\":3600,\"k\":2,\"epsilon_micro\":0,"
		"\"noise\":\"none\",\"sensitivity\":{\"subjects\":1000,\"events\":1000000},"
		"\"areas\":[100],\"categories\":[\"call\",\"sms\"],\"n_buckets\":1,\"cells\":["
		"{\"area\":100,\"bucket\":0,\"category\":\"call\",\"subjects\":3,\"events\":4},"
		"{\"area\":100,\"bucket\":0,\"category\":\"sms\",\"suppressed\":true}],"
		"\"totals\":{\"scope\":\"released_cells\","
		"\"all\":{\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1},"
		"\"by_area\":[{\"area\":100,\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1}],"
		"\"by_bucket\":[{\"bucket\":0,\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":1}],"
		"\"by_category\":[{\"category\":\"call\",\"events\":4,\"subjects_sum\":3,\"released_cells\":1,\"suppressed_cells\":0},"
		"{\"category\":\"sms\",\"events\":0,\"subjects_sum\":0,\"released_cells\":0,\"suppressed_cells\":1}]}}\n";
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, HOUR_US, HOUR_US, 1, 2, 2);
	struct sl_agg_release *rel;
	struct sl_agg *agg;
	char *text;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	add(agg, 1, 100, 10, 0, 0);
	add(agg, 1, 100, 20, 0, 0);
	add(agg, 2, 100, 30, 0, 0);
	add(agg, 3, 100, 40, 0, 0);
	add(agg, 1, 100, 50, 1, 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), 0);
	assert_int_equal(sl_agg_release_json(g_ctx, rel, &text), 0);
	assert_string_equal(text, want);
	talloc_free(text);
	/* docs/aggregates.md shows these bytes and names every drop counter. */
	if (getenv("top_srcdir")) {
		char path[512], *doc;
		FILE *f;
		long n;

		snprintf(path, sizeof(path), "%s/docs/aggregates.md", getenv("top_srcdir"));
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		n = ftell(f);
		assert_true(n > 0);
		rewind(f);
		doc = talloc_zero_size(g_ctx, (size_t)n + 1);
		assert_int_equal(fread(doc, 1, (size_t)n, f), (size_t)n);
		fclose(f);
		assert_non_null(strstr(doc, want));
		for (int d = 0; d < SL_AGG_DROP__NUM; d++)
			if (!strstr(doc, sl_agg_drop_names[d]))
				fail_msg("docs/aggregates.md does not name %s", sl_agg_drop_names[d]);
		talloc_free(doc);
	}
	talloc_free(rel);
	/* Noise without a generator is refused. */
	talloc_free(agg);
	cfg->epsilon_micro = 1000000;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), -EINVAL);
	talloc_free(agg);
	talloc_free(cfg);
}

void *__real__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name);
void *__wrap__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name);
static unsigned g_fail_every, g_calls;

void *__wrap__talloc_zero_array(const void *ctx, size_t el_size, unsigned count, const char *name)
{
	if (g_fail_every && ++g_calls % g_fail_every == 0)
		return NULL;
	return __real__talloc_zero_array(ctx, el_size, count, name);
}

static void test_alloc_failure(void **state)
{
	struct sl_agg_config *cfg = test_config(g_ctx, "acme", 0, 4 * HOUR_US, HOUR_US, 5, 2, 20);
	struct sl_agg_release *rel;
	struct sl_agg *agg;
	uint64_t s = 99;
	unsigned counted = 0;

	(void)state;
	assert_int_equal(sl_agg_new(g_ctx, cfg, &agg), 0);
	g_fail_every = 7;
	for (unsigned i = 0; i < 20000; i++) {
		struct sl_agg_obs o = {
			.subject = xs_next(&s),
			.area = 100 + (unsigned)(xs_next(&s) % 5),
			.time_us = (int64_t)(xs_next(&s) % (uint64_t)(4 * HOUR_US)),
			.category = (unsigned)(xs_next(&s) % 2),
		};
		int rc = sl_agg_add(agg, &o);

		assert_true(rc == 0 || rc == 1);
		counted += rc == 0;
	}
	g_fail_every = 0;
	assert_true(counted > 0);
	assert_true(sl_agg_dropped(agg, SL_AGG_DROP_NOMEM) > 0);
	assert_int_equal(sl_agg_release_build(g_ctx, agg, NULL, &rel), -ENOMEM);
	/* sl_agg_new itself fails cleanly at each of its allocations. */
	talloc_free(agg);
	for (unsigned n = 1; n <= 4; n++) {
		g_calls = 0;
		g_fail_every = n;
		if (sl_agg_new(g_ctx, cfg, &agg) == 0)
			talloc_free(agg);
		else
			assert_null(agg);
		g_fail_every = 0;
	}
	talloc_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_distinct_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cell_below_k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

