/*
 * bench_consent: what a consent decision costs as the registry grows
 * (`make bench`). The index must keep the per-decision cost flat: a
 * decision against 1,000,000 subjects should cost about what it costs
 * against one.
 *
 * Each registry size N gets N subjects (MSISDNs), each with one given
 * consent for recipient "acme", purpose dpv:Marketing, call metadata and
 * location, plus one for "beta" on every tenth subject, filled straight
 * into the index (the store is not what is measured here). Three
 * workloads, each the best of --runs runs of --decisions decisions:
 *   hot      a pool of 4,096 registered subjects (all subject 0 when N = 1),
 *            as a busy cell's subscribers would be;
 *   uniform  subjects drawn uniformly from all N (cache misses at large N);
 *   absent   subjects not in the registry (denied, no-record), from a
 *            pool of 4,096, as the non-consenting subscribers of a busy
 *            cell would be (the common case on a mirror port);
 *   absent-u subjects not in the registry from a pool of 65,536, so that
 *            what the index touches for them cannot all stay in cache;
 *   uniform-pf the uniform workload by a caller that knows its subjects
 *            PF_AHEAD decisions early and asks the index to prefetch them
 *            (sl_consent_index_prefetch()), as a batch of events could.
 * Every answer is checked (allowed for hot and uniform, no-record for
 * absent); a wrong one makes the exit status 1. Memory is what the
 * index's arrays and buckets hold, and the growth of the process's
 * resident set while filling. Times are the process's CPU time, so that
 * other work on a shared machine does not count (its effect on shared
 * caches still does).
 *
 * Then the whole consented-data path per event (consent_flow.c, what
 * sluiced runs for each event): call-end events for recipient "acme"
 * (call metadata and location, location as the area, 60 s buckets),
 * caller and callee MSISDNs, the caller's cell given as capture's struct
 * sl_cell, through sl_cx_flow_event() with the rendered JSON Lines
 * records handed to a counting callback in memory (no export, no disk):
 * subjects, every decision, pseudonyms (one HMAC per subject and peer),
 * minimisation, rendering. Registries of 1 and of --max subjects are
 * held side by side and measured in --rounds rounds, each one run of
 * --events events per configuration in an order rotating per round (so
 * both sizes see the same machine); the table gives the best run of
 * each and the ratio --max/1 of every round (median, min-max):
 *   ev-uniform  both parties drawn uniformly from the registry (a pool of
 *               --pool subjects, so the lines they touch are not all
 *               cached): 2 records per event, 6 decisions, 4 HMACs;
 *   ev-absent   both parties not in the registry: 2 decisions, nothing
 *               exported;
 * each with the flow's early prefetch of the event's subjects (the
 * default, "pf") and without it ("no-pf"); and the same four in the order
 * sluiced's dispatcher could run them (+lawful): the lawful half's
 * sl_lawful_match() against 1,000 warrants on numbers the events never
 * carry, then the flow. The record
 * count is checked, and that nothing matched. The +lawful rows come three
 * ways: the flow begun (subjects, index fetch) before the lawful half and
 * ended after it (sl_cx_flow_begin(), sl_cx_flow_end(), what sluiced
 * does), the whole flow after the lawful half with its prefetch, and
 * without any prefetch.
 *
 * Between the two tables, what the memory system allows: ns per
 * dependent load of a random walk over 32 KiB to 128 MiB, the floor for a
 * decision whose filter word or table line is not in a nearer cache.
 *
 * Last, the cost of loading the index from the database: --store N
 * (default 100,000) records are written to a fresh SQLite file in
 * $TMPDIR in one import transaction, and the first refresh of an empty
 * index reads them all (what sluiced does at start).
 *
 * Usage: bench_consent [--runs N] [--decisions N] [--max N] [--store N] [--events N] [--pool N]
 *                      [--rounds N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <talloc.h>

#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_policy.h"
#include "mediation/consent/consent_store.h"
#include "mediation/lawful/intercept.h"
#include "util/hash.h"

#define POOL 4096
#define PF_AHEAD 4
#define T_US 1780000000000000LL

static double now_s(void)
{
	struct timespec ts;

	/* CPU time of this process: the figure stays meaningful on a machine shared with builds */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4;
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void subject(struct sl_consent_subject *s, uint64_t i)
{
	char v[32];

	snprintf(v, sizeof(v), "+4915%09llu", (unsigned long long)(i % 1000000000ull));
	sl_consent_subject_set(s, SL_CONSENT_SUBJ_MSISDN, v);
}

static bool parse_num(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoull(s, &end, 10);
	return *end == '\0' && *out > 0;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes n records to a fresh database and times the import and a full index load. */
static int bench_store(unsigned long long n)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], path[600], side[620];
	void *ctx = talloc_named_const(NULL, 0, "bench_store");
	struct sl_consent_store *s;
	struct sl_consent_index *ix;
	struct sl_consent_change_ev ev = { SL_CONSENT_GIVEN, 0 };
	struct sl_consent_record r;
	unsigned long long k;
	double t0, t_import, t_load;
	char *err = NULL;
	int rc = 1;

	snprintf(dir, sizeof(dir), "%s/bench-consent-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		talloc_free(ctx);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/consent.db", dir);
	if (sl_consent_store_open(ctx, path, &s, &err) < 0 || sl_consent_store_begin(s, &err) < 0)
		goto out;
	memset(&r, 0, sizeof(r));
	snprintf(r.controller, sizeof(r.controller), "operator");
	snprintf(r.recipient, sizeof(r.recipient), "acme");
	snprintf(r.notice_version, sizeof(r.notice_version), "v1");
	snprintf(r.notice_language, sizeof(r.notice_language), "en");
	r.purpose = SL_CONSENT_P_MARKETING;
	r.categories = SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION);
	r.valid_until_us = T_US * 2;
	r.history = &ev;
	r.n_history = 1;
	t0 = wall_s();
	for (k = 0; k < n; k++) {
		snprintf(r.id, sizeof(r.id), "c-%llu", k);
		subject(&r.subject, k);
		if (sl_consent_store_put(s, &r, T_US, &err) < 0)
			goto out;
	}
	if (sl_consent_store_commit(s, &err) < 0)
		goto out;
	t_import = wall_s() - t0;
	ix = sl_consent_index_alloc(ctx, s, 9);
	t0 = wall_s();
	if (!ix || sl_consent_index_refresh(ix, &err) != 1)
		goto out;
	t_load = wall_s() - t0;
	printf("\nfrom the database (%llu records, wall clock): import in one transaction %.2f s (%.0f records/s), "
	       "first index load %.2f s (%.0f records/s)\n",
	       n, t_import, (double)n / t_import, t_load, (double)n / t_load);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bench_consent: database: %s\n", err ? err : "failed");
	talloc_free(ctx); /* closes the database */
	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
	rmdir(dir);
	return rc;
}

/*
 * What the memory system allows: ns per dependent load over a random
 * cyclic walk of bytes (one load per 64-byte line, every line once per
 * cycle), in an array aligned and advised like the index's big arrays
 * (huge pages from 2 MiB). A decision about a subject the caches cannot
 * hold costs at least one such load; one about a subject the filter
 * rules out, one over the filter's size.
 */
static double mem_latency_ns(size_t bytes)
{
	size_t n = bytes / 64, i, p = 0, align = 2u << 20;
	size_t alloc = (bytes + align - 1) / align * align;
	uint64_t *a = aligned_alloc(align, alloc);
	uint32_t *perm = malloc(n * sizeof(*perm));
	uint64_t seed = 0x853c49e6748fea9bull;
	unsigned long long k, loads = 4000000;
	double t0, dt;

	if (!a || !perm || n < 2) {
		free(a);
		free(perm);
		return 0;
	}
	madvise(a, alloc, MADV_HUGEPAGE);
	for (i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (i = n - 1; i > 0; i--) {
		size_t j = (size_t)(xs(&seed) % (i + 1));
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++)
		a[(size_t)perm[i] * 8] = (uint64_t)perm[(i + 1) % n] * 8;
	for (i = 0; i < n; i++) /* once round the cycle: pages touched, caches as warm as they get */
		p = (size_t)a[p];
	t0 = now_s();
	for (k = 0; k < loads; k++)
		p = (size_t)a[p];
	dt = now_s() - t0;
	__asm__ __volatile__("" : : "r"(p));
	free(a);
	free(perm);
	return dt / (double)loads * 1e9;
}

/* Best ns per decision over runs, prefetching ahead decisions early (0: none); *bad counts wrong answers. */
static double measure(struct sl_consent_index *ix, const struct sl_consent_subject *q, size_t nq, unsigned long long n,
		      unsigned runs, unsigned ahead, enum sl_consent_reason want, unsigned long long *bad)
{
	double best = 1e30;
	unsigned r;

	for (r = 0; r < runs; r++) {
		unsigned long long i, ok = 0;
		double t0 = now_s(), dt;
		for (i = 0; i < n; i++) {
			if (ahead)
				sl_consent_index_prefetch(ix, &q[(i + ahead) % nq]);
			ok += sl_consent_allows(ix, &q[i % nq], "acme", SL_CONSENT_P_MARKETING,
						SL_CONSENT_CAT_LOCATION, T_US, NULL);
		}
		dt = now_s() - t0;
		if (ok != (want == SL_CONSENT_ALLOWED ? n : 0))
			(*bad)++;
		if (dt / (double)n * 1e9 < best)
			best = dt / (double)n * 1e9;
	}
	return best;
}

typedef char subj_str[SL_CONSENT_SUBJECT_MAX + 1];

/* The JSON Lines records the flow rendered: counted, never written. */
struct tap_count {
	unsigned long long lines, bytes;
};

static void tap_line(void *data, const char *line, size_t len)
{
	struct tap_count *t = data;

	(void)line;
	t->lines++;
	t->bytes += len;
}

/* One registry (n subjects, filled as the decision rows fill theirs) with its flow and event pools. */
struct flow_fx {
	unsigned long long n;
	struct sl_consent_index *ix;
	struct sl_cx_flow *f;
	subj_str *uni, *absent; /* np + 1 MSISDNs each */
	struct tap_count tc;
	uint64_t bytes;	/* index memory */
	long rss_kib;	/* resident-set growth while filling */
};

static int fill(struct sl_consent_index *ix, unsigned long long n)
{
	unsigned long long k;

	for (k = 0; k < n; k++) {
		struct sl_consent_subject s;
		struct sl_consent_row row = { .subject = &s, .recipient = "acme", .purpose = SL_CONSENT_P_MARKETING,
					      .categories = SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) |
							    SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION),
					      .status = SL_CONSENT_GIVEN, .valid_from_us = 0, .valid_until_us = T_US * 2 };
		subject(&s, k);
		if (sl_consent_index_put(ix, &row) < 0)
			return -1;
		if (k % 10 == 0) {
			row.recipient = "beta";
			if (sl_consent_index_put(ix, &row) < 0)
				return -1;
		}
	}
	return 0;
}

static int flow_fx_init(void *ctx, struct flow_fx *fx, unsigned long long n, size_t np)
{
	uint8_t master[32] = { 7 };
	struct sl_cx_recipient_cfg rc = { .name = "acme", .purpose = SL_CONSENT_P_MARKETING,
					  .policy = { .categories = SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) |
								    SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION),
						      .location = SL_CX_LOC_AREA, .time_bucket_s = 60 } };
	struct sl_consent_index_stats st;
	uint64_t seed = 0x2545f4914f6cdd1dull;
	long rss0 = rss_kib();
	size_t k;

	memset(fx, 0, sizeof(*fx));
	fx->n = n;
	fx->ix = sl_consent_index_alloc(ctx, NULL, 8);
	if (!fx->ix || fill(fx->ix, n) < 0)
		return -1;
	fx->rss_kib = rss_kib() - rss0;
	sl_consent_index_stats(fx->ix, &st);
	fx->bytes = st.bytes;
	fx->f = sl_cx_flow_alloc(ctx, fx->ix, master, NULL, 0);
	fx->uni = talloc_array(ctx, subj_str, np + 1);
	fx->absent = talloc_array(ctx, subj_str, np + 1);
	if (!fx->f || !fx->uni || !fx->absent || sl_cx_flow_add(fx->f, &rc, NULL, 0) < 0 ||
	    sl_cx_flow_tap(fx->f, 0, tap_line, &fx->tc) < 0)
		return -1;
	for (k = 0; k <= np; k++) {
		struct sl_consent_subject s;
		subject(&s, xs(&seed) % n);
		memcpy(fx->uni[k], s.value, sizeof(fx->uni[k]));
		subject(&s, 500000000ull + xs(&seed) % 400000000ull);
		memcpy(fx->absent[k], s.value, sizeof(fx->absent[k]));
	}
	return 0;
}

/*
 * ns per event of one run: n call-end events whose parties are pool[2i],
 * pool[2i + 1] (cycling through np), through the flow with or without its
 * prefetch; *bad counts a record count other than want_per_event * n.
 */
static double run_flow(struct flow_fx *fx, struct sl_lawful *law, bool absent, size_t np, unsigned long long n,
		       bool prefetch, bool early, unsigned long long *bad)
{
	const struct sl_match *m;
	unsigned long long matched = 0;
	struct sl_cell cell = { .access = SL_ACCESS_EUTRAN, .mcc = "262", .mnc = "01", .area = 0x1a2b, .cell = 0x101 };
	subj_str *pool = absent ? fx->absent : fx->uni;
	unsigned long long i, lines0 = fx->tc.lines;
	struct sl_event ev;
	double t0, dt;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.u.call.step = SL_CALL_END;
	ev.u.call.reason = SL_END_BYE;
	ev.dir = SL_DIR_FROM_CALLER;
	ev.cell = &cell;
	ev.from.n = ev.to.n = 1;
	ev.from.id[0].type = ev.to.id[0].type = SL_ID_E164;
	sl_cx_flow_prefetch(fx->f, prefetch);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		size_t k = (size_t)(2 * i) % np;
		ev.ts_us = (uint64_t)T_US + i * 1000;
		ev.u.call.answer_us = ev.ts_us - 30000000;
		memcpy(ev.from.id[0].value, pool[k], sizeof(pool[k]));
		memcpy(ev.to.id[0].value, pool[k + 1], sizeof(pool[k + 1]));
		if (early) {
			/* sluiced's on_event: the consent flow begun, the lawful half, the consent flow ended */
			struct sl_cx_subjects st;
			sl_cx_flow_begin(fx->f, &ev, &st);
			matched += sl_lawful_match(law, &ev, &m);
			sl_cx_flow_end(fx->f, &ev, &st);
		} else {
			if (law)
				matched += sl_lawful_match(law, &ev, &m);
			sl_cx_flow_event(fx->f, &ev);
		}
	}
	dt = now_s() - t0;
	if (fx->tc.lines - lines0 != (absent ? 0 : 2) * n || matched)
		(*bad)++;
	return dt / (double)n * 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * uniform pf, uniform no-pf, absent pf, absent no-pf; then with the
 * lawful half before the flow: the consent fetch started before it and in
 * the flow, in the flow only, nowhere; uniform, then absent
 */
#define FLOW_CFGS 10
#define LAWFUL_WARRANTS 1000
#define MAX_ROUNDS 1000

/*
 * The per-event table: registries of 1 and max subjects side by side,
 * rounds of one run of each (workload, prefetch, size) in an order that
 * rotates per round, so that both sizes see the same machine; per
 * configuration the best run, and the ratio max/1 of each round.
 */
static int bench_flow(unsigned long long max, unsigned long long events, unsigned rounds, size_t np,
		      unsigned long long *bad)
{
	static const char *const name[FLOW_CFGS] = {
		"ev-uniform, prefetch", "ev-uniform, no prefetch", "ev-absent, prefetch", "ev-absent, no prefetch",
		"+lawful ev-uniform, prefetch before lawful", "+lawful ev-uniform, prefetch in flow",
		"+lawful ev-uniform, no prefetch", "+lawful ev-absent, prefetch before lawful",
		"+lawful ev-absent, prefetch in flow", "+lawful ev-absent, no prefetch",
	};
	void *ctx = talloc_named_const(NULL, 0, "bench_flow");
	struct sl_lawful *law = sl_lawful_alloc(ctx, 0);
	struct sl_target tg;
	struct flow_fx fx[2];
	double t[2][FLOW_CFGS][MAX_ROUNDS], best[2][FLOW_CFGS], ratio[MAX_ROUNDS];
	unsigned r, c, s, j;

	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;
	if (!law || flow_fx_init(ctx, &fx[0], 1, np) < 0 || flow_fx_init(ctx, &fx[1], max, np) < 0) {
		talloc_free(ctx);
		return -1;
	}
	/* the lawful half's table: warrants on numbers the events never carry (no match, no handover work) */
	for (j = 0; j < LAWFUL_WARRANTS; j++) {
		struct sl_intercept ic = { .n_targets = 1, .target = &tg, .services = SL_SVC_ALL,
					   .scope = SL_SCOPE_IRI, .dest = "lea1" };
		memset(&tg, 0, sizeof(tg));
		snprintf(ic.liid, sizeof(ic.liid), "L%u", j);
		tg.id.type = SL_ID_E164;
		snprintf(tg.id.value, sizeof(tg.id.value), "+4916%09u", j);
		if (sl_lawful_add(law, &ic) < 0) {
			talloc_free(ctx);
			return -1;
		}
	}
	for (r = 0; r < rounds; r++)
		for (j = 0; j < 2 * FLOW_CFGS; j++) {
			unsigned k = (j + r) % (2 * FLOW_CFGS);
			c = k / 2, s = k % 2;
			if (c < 4)
				t[s][c][r] = run_flow(&fx[s], NULL, c >= 2, np, events, c % 2 == 0, false, bad);
			else
				t[s][c][r] = run_flow(&fx[s], law, c >= 7, np, events, (c - 4) % 3 != 2,
						      (c - 4) % 3 == 0, bad);
		}
	printf("\nconsent path per event (consent_flow.c, records rendered into memory, no export): %u rounds of one "
	       "run of %llu call-end events per configuration, pool of %zu subjects\n\n", rounds, events, np);
	printf("registry of 1: index %.1f MiB, RSS growth %.1f MiB; of %llu: index %.1f MiB, RSS growth %.1f MiB; "
	       "flow state %zu bytes; records %.0f bytes on average\n\n",
	       (double)fx[0].bytes / 1048576.0, (double)fx[0].rss_kib / 1024.0, max, (double)fx[1].bytes / 1048576.0,
	       (double)fx[1].rss_kib / 1024.0, talloc_total_size(fx[1].f),
	       fx[1].tc.lines ? (double)fx[1].tc.bytes / (double)fx[1].tc.lines : 0.0);
	printf("| workload | N=1 best ns/event | N=%llu best ns/event | ratio of bests | ratio per round: median "
	       "(min-max) |\n|---|---:|---:|---:|---:|\n", max);
	for (c = 0; c < FLOW_CFGS; c++) {
		for (s = 0; s < 2; s++) {
			best[s][c] = 1e30;
			for (r = 0; r < rounds; r++)
				if (t[s][c][r] < best[s][c])
					best[s][c] = t[s][c][r];
		}
		for (r = 0; r < rounds; r++)
			ratio[r] = t[1][c][r] / t[0][c][r];
		qsort(ratio, rounds, sizeof(ratio[0]), cmp_double);
		printf("| %s | %.0f | %.0f | %.2f | %.2f (%.2f-%.2f) |\n", name[c], best[0][c], best[1][c],
		       best[1][c] / best[0][c], ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
	}
	talloc_free(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long runs = 5, decisions = 2000000, max = 1000000, store = 100000, events = 50000,
			   pool = 262144, rounds = 20;
	unsigned long long sizes[4] = { 1, 1000, 100000, 1000000 };
	unsigned long long bad = 0;
	double base_hot = 0, base_uni = 0, base_abs = 0, base_abs_u = 0;
	int i;
	unsigned si;

	for (i = 1; i < argc; i += 2) { /* option and value */
		unsigned long long *dst = !strcmp(argv[i], "--runs")	  ? &runs
					  : !strcmp(argv[i], "--decisions") ? &decisions
					  : !strcmp(argv[i], "--max")	  ? &max
					  : !strcmp(argv[i], "--store")	  ? &store
					  : !strcmp(argv[i], "--events")	  ? &events
					  : !strcmp(argv[i], "--pool")	  ? &pool
					  : !strcmp(argv[i], "--rounds")	  ? &rounds
									  : NULL;
		if (!dst || !parse_num(i + 1 < argc ? argv[i + 1] : NULL, dst)) {
			fprintf(stderr, "usage: bench_consent [--runs N] [--decisions N] [--max N] [--store N] [--events N] "
					"[--pool N] [--rounds N]\n");
			return 2;
		}
	}
	sl_hash_seed_init();
	printf("consent decision cost (best of %llu runs of %llu decisions)\n\n", runs, decisions);
	printf("| subjects | records | index memory | of which filter | RSS growth | hot ns | uniform ns | absent ns "
	       "| absent-u ns | uniform-pf ns | hot vs N=1 | uniform vs N=1 | absent vs N=1 | absent-u vs N=1 |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (si = 0; si < 4 && sizes[si] <= max; si++) {
		unsigned long long n = sizes[si], k;
		void *ctx = talloc_named_const(NULL, 0, "bench");
		long rss0 = rss_kib();
		struct sl_consent_index *ix = sl_consent_index_alloc(ctx, NULL, si);
		struct sl_consent_subject *hot = talloc_array(ctx, struct sl_consent_subject, POOL);
		struct sl_consent_subject *uni = talloc_array(ctx, struct sl_consent_subject, POOL * 16);
		struct sl_consent_subject *absent = talloc_array(ctx, struct sl_consent_subject, POOL);
		struct sl_consent_subject *absent_u = talloc_array(ctx, struct sl_consent_subject, POOL * 16);
		struct sl_consent_index_stats st;
		uint64_t seed = 0x9e3779b97f4a7c15ull;
		double t_hot, t_uni, t_abs, t_abs_u, t_uni_pf;
		long rss1;

		if (!ix || !hot || !uni || !absent || !absent_u)
			return 1;
		if (fill(ix, n) < 0)
			return 1;
		rss1 = rss_kib();
		sl_consent_index_stats(ix, &st);
		for (k = 0; k < POOL; k++) {
			subject(&hot[k], n == 1 ? 0 : xs(&seed) % n);
			subject(&absent[k], 500000000ull + k);
		}
		/* the uniform pool is large (64 Ki subjects, 1.5 MB) and spread over all N */
		for (k = 0; k < POOL * 16; k++) {
			subject(&uni[k], xs(&seed) % n);
			subject(&absent_u[k], 500000000ull + xs(&seed) % 400000000ull);
		}
		t_hot = measure(ix, hot, POOL, decisions, (unsigned)runs, 0, SL_CONSENT_ALLOWED, &bad);
		t_uni = measure(ix, uni, POOL * 16, decisions, (unsigned)runs, 0, SL_CONSENT_ALLOWED, &bad);
		t_abs = measure(ix, absent, POOL, decisions, (unsigned)runs, 0, SL_CONSENT_DENY_NO_RECORD, &bad);
		t_abs_u = measure(ix, absent_u, POOL * 16, decisions, (unsigned)runs, 0, SL_CONSENT_DENY_NO_RECORD, &bad);
		t_uni_pf = measure(ix, uni, POOL * 16, decisions, (unsigned)runs, PF_AHEAD, SL_CONSENT_ALLOWED, &bad);
		if (si == 0) {
			base_hot = t_hot;
			base_uni = t_uni;
			base_abs = t_abs;
			base_abs_u = t_abs_u;
		}
		printf("| %llu | %llu | %.1f MiB | %.1f MiB | %.1f MiB | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f "
		       "| %.2f |\n",
		       n, (unsigned long long)st.records, (double)st.bytes / 1048576.0,
		       (double)st.filter_bytes / 1048576.0, (double)(rss1 - rss0) / 1024.0, t_hot, t_uni, t_abs, t_abs_u,
		       t_uni_pf, t_hot / base_hot, t_uni / base_uni, t_abs / base_abs, t_abs_u / base_abs_u);
		talloc_free(ctx);
	}
	printf("\nmemory on this machine (ns per dependent load, random walk over one line in each 64 bytes): "
	       "%.1f over 32 KiB, %.1f over 512 KiB, %.1f over 1 MiB, %.1f over 2 MiB, %.1f over 8 MiB, %.1f over "
	       "128 MiB\n",
	       mem_latency_ns(32u << 10), mem_latency_ns(512u << 10), mem_latency_ns(1u << 20),
	       mem_latency_ns(2u << 20), mem_latency_ns(8u << 20), mem_latency_ns(128u << 20));
	if (bench_flow(max, events, (unsigned)rounds, (size_t)pool, &bad) < 0)
		return 1;
	if (bench_store(store))
		bad++;
	if (bad)
		fprintf(stderr, "bench_consent: %llu runs gave wrong answers\n", bad);
	return bad ? 1 : 0;
}
