/*
 * bench_aggregate: what an aggregated report over a day of traffic costs
 * (`make bench`). A synthetic day of consented observations (default
 * 1,000,000 events from 10,000 subjects over 500 areas, 1 h buckets, 4
 * categories: 48,000 cells): each subject has a home area and is seen
 * there 70% of the time, otherwise in one of 8 neighbouring areas; the
 * observations are spread evenly over the day in time order, as traffic
 * arrives. They are generated once, before any timing, from a fixed seed.
 *
 * Rows: the bare floor (one counter per cell, no distinct subjects: what
 * any counting costs), the accumulator (exact distinct subjects per cell,
 * the caps), the release (suppression at k = 20, noise at epsilon 1 from
 * the system CSPRNG), its JSON document, and publishing through the
 * SQLite ledger (one transaction with the budget debit, synchronous=FULL,
 * in a temporary directory). Each figure is the best of --runs runs
 * (default 3); the accumulator's memory is its talloc size at the end.
 *
 * Usage: bench_aggregate [--runs N] [--events N] [--subjects N] [--areas N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/consent/aggregate.h"

#define HOUR_US INT64_C(3600000000)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned long arg(int argc, char **argv, const char *name, unsigned long def)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name)) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(argv[i + 1], &end, 10);
			if (errno || *end || v == 0) {
				fprintf(stderr, "bench_aggregate: bad %s\n", name);
				exit(2);
			}
			return v;
		}
	return def;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	unsigned runs = (unsigned)arg(argc, argv, "--runs", 3);
	size_t n_ev = arg(argc, argv, "--events", 1000000);
	unsigned n_subj = (unsigned)arg(argc, argv, "--subjects", 10000);
	unsigned n_areas = (unsigned)arg(argc, argv, "--areas", 500);
	static const struct sl_agg_budget_policy pol = {
		.epsilon_total_micro = 1000000000, .window_us = 30 * 24 * HOUR_US,
	};
	void *ctx = talloc_named_const(NULL, 0, "bench_aggregate");
	struct sl_agg_config cfg;
	struct sl_agg_obs *obs;
	char tmpl[] = "/tmp/bench_agg_XXXXXX", db[64], why[SL_AGG_WHY_LEN];
	double t_floor = 1e9, t_acc = 1e9, t_rel = 1e9, t_json = 1e9, t_pub = 1e9;
	size_t mem = 0, doc_len = 0, released = 0, suppressed = 0;
	uint64_t seed = 0x5eed5eedULL, dropped = 0;
	char cats[4][SL_AGG_CATEGORY_LEN + 1] = { "call", "sms", "location", "device" };

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.recipient, sizeof(cfg.recipient), "bench");
	cfg.period_start_us = 0;
	cfg.period_end_us = 24 * HOUR_US;
	cfg.bucket_us = HOUR_US;
	cfg.areas = talloc_array(ctx, uint32_t, n_areas);
	for (unsigned a = 0; a < n_areas; a++)
		cfg.areas[a] = 1000 + 3 * a;
	cfg.n_areas = n_areas;
	cfg.categories = cats;
	cfg.n_categories = 4;
	cfg.k = SL_AGG_K_DEFAULT;
	cfg.epsilon_micro = 1000000;
	cfg.max_cells_per_subject = 96;
	cfg.max_events_per_subject_cell = 10;
	cfg.distinct_cap = SL_AGG_DISTINCT_CAP_DEFAULT;
	if (sl_agg_config_check(&cfg, why) < 0) {
		fprintf(stderr, "bench_aggregate: %s\n", why);
		return 2;
	}
	if (!mkdtemp(tmpl)) {
		perror("bench_aggregate: mkdtemp");
		return 2;
	}

	obs = talloc_array(ctx, struct sl_agg_obs, n_ev);
	for (size_t i = 0; i < n_ev; i++) {
		unsigned s = (unsigned)(xs(&seed) % n_subj);
		unsigned home = (unsigned)((s * 2654435761u) % n_areas);
		unsigned a = xs(&seed) % 10 < 7 ? home : (home + 1 + (unsigned)(xs(&seed) % 8)) % n_areas;

		obs[i].subject = 0x9e3779b97f4a7c15ULL * (s + 1);
		obs[i].area = cfg.areas[a];
		/* in time order, as a day of traffic arrives */
		obs[i].time_us = (int64_t)((double)i / (double)n_ev * (double)(24 * HOUR_US));
		obs[i].category = (unsigned)(xs(&seed) % 4);
	}

	for (unsigned r = 0; r < runs; r++) {
		uint64_t *floor_cells = talloc_zero_array(ctx, uint64_t, (size_t)n_areas * 24 * 4);
		struct sl_agg_release *rel;
		enum sl_agg_publish_result res;
		struct sl_agg_store *st;
		struct sl_agg_rng *rng;
		struct sl_agg *agg;
		double t0, t1;
		char *json;

		/* The floor: area lookup by binary search and one counter per cell. */
		t0 = now_s();
		for (size_t i = 0; i < n_ev; i++) {
			unsigned lo = 0, hi = n_areas;

			while (lo < hi) {
				unsigned mid = lo + (hi - lo) / 2;

				if (cfg.areas[mid] < obs[i].area)
					lo = mid + 1;
				else
					hi = mid;
			}
			floor_cells[((size_t)lo * 24 + (size_t)(obs[i].time_us / HOUR_US)) * 4 + obs[i].category]++;
		}
		t_floor = best(t_floor, now_s() - t0);

		if (sl_agg_new(ctx, &cfg, &agg) < 0 || sl_agg_rng_system(ctx, &rng) < 0)
			return 1;
		t0 = now_s();
		for (size_t i = 0; i < n_ev; i++)
			sl_agg_add(agg, &obs[i]);
		t1 = now_s();
		t_acc = best(t_acc, t1 - t0);
		mem = talloc_total_size(agg);
		dropped = 0;
		for (int d = 0; d < SL_AGG_DROP__NUM; d++)
			dropped += sl_agg_dropped(agg, (enum sl_agg_drop)d);

		t0 = now_s();
		if (sl_agg_release_build(ctx, agg, rng, &rel) < 0)
			return 1;
		t_rel = best(t_rel, now_s() - t0);
		released = rel->all.released;
		suppressed = rel->all.suppressed;
		t0 = now_s();
		if (sl_agg_release_json(ctx, rel, &json) < 0)
			return 1;
		t_json = best(t_json, now_s() - t0);
		doc_len = strlen(json);
		talloc_free(json);
		talloc_free(rel);

		snprintf(db, sizeof(db), "%s/run%u.db", tmpl, r);
		if (sl_agg_store_open(ctx, db, &st, why) < 0) {
			fprintf(stderr, "bench_aggregate: %s\n", why);
			return 1;
		}
		t0 = now_s();
		if (sl_agg_publish(st, &pol, agg, rng, 24 * HOUR_US, ctx, &json, &res, why) < 0) {
			fprintf(stderr, "bench_aggregate: %s\n", why);
			return 1;
		}
		t_pub = best(t_pub, now_s() - t0);
		talloc_free(json);
		talloc_free(st);
		for (const char *suf = ""; suf; suf = !*suf ? "-wal" : !strcmp(suf, "-wal") ? "-shm" : NULL) {
			char p[80];

			snprintf(p, sizeof(p), "%s%s", db, suf);
			unlink(p);
		}
		talloc_free(rng);
		talloc_free(agg);
		talloc_free(floor_cells);
	}
	rmdir(tmpl);

	printf("aggregate report: %zu events, %u subjects, %u areas x 24 h x 4 categories = %u cells, k %u, epsilon 1\n",
	       n_ev, n_subj, n_areas, n_areas * 96, cfg.k);
	printf("  %-44s %10.1f ms %8.1f ns/event\n", "floor (one counter per cell)", t_floor * 1e3,
	       t_floor * 1e9 / (double)n_ev);
	printf("  %-44s %10.1f ms %8.1f ns/event  (%.1f x floor)\n", "accumulate (exact distinct, caps)",
	       t_acc * 1e3, t_acc * 1e9 / (double)n_ev, t_acc / t_floor);
	printf("  %-44s %10.1f ms\n", "release (suppress k, noise)", t_rel * 1e3);
	printf("  %-44s %10.1f ms  (%zu bytes)\n", "JSON document", t_json * 1e3, doc_len);
	printf("  %-44s %10.1f ms\n", "publish (build + JSON + SQLite commit)", t_pub * 1e3);
	printf("  %-44s %10.1f ms\n", "report total (accumulate + publish)", (t_acc + t_pub) * 1e3);
	printf("  accumulator memory %.1f MiB; cells released %zu, suppressed %zu; observations dropped by caps %llu\n",
	       (double)mem / (1024 * 1024), released, suppressed, (unsigned long long)dropped);
	talloc_free(ctx);
	return 0;
}
