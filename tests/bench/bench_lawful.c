/*
 * bench_lawful: what an event's lawful decision costs as warrants grow
 * (`make bench`). The target index must keep the per-event cost flat:
 * matching against 100,000 active warrants may cost at most 1.2 times
 * matching against one.
 *
 * Each table size N gets N interceptions of one E.164 target each (plus a
 * SIP URI target on every tenth, and an IPv4 /32 and a /24 prefix on every
 * hundredth, so identities and two prefix lengths are in use), active for
 * the whole run. The events are the same for every N: calls between two
 * parties with a SIP URI and an E.164 number each and signalling
 * addresses, 1 in 128 of them with a target as caller (the same target
 * for every N), so the rows differ only in the table. The baseline row is
 * N = 1: the ratio of every other row to it is the figure that counts.
 *
 * Each figure is the best of --runs runs (default 5) of --events events
 * (default 2,000,000). Output: one table on stdout; exit status 1 if a
 * decision is wrong (a target event not matched exactly once, a non-target
 * matched).
 *
 * Usage: bench_lawful [--runs N] [--events N] [--max N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "mediation/lawful/intercept.h"
#include "util/hash.h"

#define N_SIZES 4
#define N_EVENTS_POOL 128 /* about 170 KB of events: in cache, as the one event capture just built is */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_table(struct sl_lawful *l, unsigned n)
{
	struct sl_target t[4];
	unsigned i;

	for (i = 0; i < n; i++) {
		struct sl_intercept ic = { .n_targets = 1, .target = t, .services = SL_SVC_ALL, .scope = SL_SCOPE_IRI,
					   .dest = "lea1" };
		memset(t, 0, sizeof(t));
		snprintf(ic.liid, sizeof(ic.liid), "L%u", i);
		t[0].id.type = SL_ID_E164;
		/* warrant 0 is the target the events hit; the others are numbers the events never carry */
		snprintf(t[0].id.value, sizeof(t[0].id.value), "+4915%09u", i);
		/* warrant 0 carries every kind, so every row has the same prefix lengths in use */
		if (i % 10 == 9 || i == 0) {
			t[ic.n_targets].id.type = SL_ID_SIP_URI;
			snprintf(t[ic.n_targets].id.value, sizeof(t[0].id.value), "sip:target%u@ims.example.net", i);
			ic.n_targets++;
		}
		if (i % 100 == 99 || i == 0) {
			char a[32];
			snprintf(a, sizeof(a), "172.16.%u.%u", (i / 256) % 256, i % 256);
			sl_addr_parse(&t[ic.n_targets].addr, a, strlen(a));
			t[ic.n_targets].prefix_len = 32;
			ic.n_targets++;
			snprintf(a, sizeof(a), "172.17.%u.0", (i / 100) % 256);
			sl_addr_parse(&t[ic.n_targets].addr, a, strlen(a));
			t[ic.n_targets].prefix_len = 24;
			ic.n_targets++;
		}
		if (sl_lawful_add(l, &ic) < 0) {
			fprintf(stderr, "bench_lawful: adding interception %u failed\n", i);
			exit(1);
		}
	}
}

struct ev_pool {
	struct sl_event ev[N_EVENTS_POOL];
	struct sl_sig sig[N_EVENTS_POOL];
	bool target[N_EVENTS_POOL];
};

static void fill_events(struct ev_pool *p)
{
	unsigned i;

	for (i = 0; i < N_EVENTS_POOL; i++) {
		struct sl_event *ev = &p->ev[i];
		char v[64];
		memset(ev, 0, sizeof(*ev));
		ev->type = SL_EV_CALL;
		ev->ts_us = 1767225600000000ull + i;
		ev->dir = SL_DIR_FROM_CALLER;
		p->target[i] = i == 64;
		if (p->target[i]) {
			sl_party_add(&ev->from, SL_ID_E164, "+4915000000000");
		} else {
			snprintf(v, sizeof(v), "+4930%09u", i * 7919u);
			sl_party_add(&ev->from, SL_ID_E164, v);
		}
		snprintf(v, sizeof(v), "sip:user%u@example.com", i);
		sl_party_add(&ev->from, SL_ID_SIP_URI, v);
		snprintf(v, sizeof(v), "+4940%09u", i * 104729u);
		sl_party_add(&ev->to, SL_ID_E164, v);
		snprintf(v, sizeof(v), "sip:peer%u@example.org", i);
		sl_party_add(&ev->to, SL_ID_SIP_URI, v);
		snprintf(v, sizeof(v), "10.%u.%u.%u", i % 200, (i / 3) % 250, i % 250 + 1);
		sl_addr_parse(&p->sig[i].src.addr, v, strlen(v));
		snprintf(v, sizeof(v), "192.168.%u.%u", i % 250, (i / 7) % 250 + 1);
		sl_addr_parse(&p->sig[i].dst.addr, v, strlen(v));
		ev->sig = &p->sig[i];
	}
}

/* Events per second over n events; -1 if a decision is wrong. */
static double run(struct sl_lawful *l, const struct ev_pool *p, unsigned long n)
{
	const struct sl_match *m;
	unsigned long i;
	double t0 = now_s(), dt;
	unsigned long hits = 0;

	for (i = 0; i < n; i++) {
		unsigned k = (unsigned)(i % N_EVENTS_POOL);
		unsigned got = sl_lawful_match(l, &p->ev[k], &m);
		if (got != (p->target[k] ? 1u : 0u))
			return -1;
		hits += got;
	}
	dt = now_s() - t0;
	return hits ? (double)n / dt : -1;
}

int main(int argc, char **argv)
{
	static const unsigned sizes[N_SIZES] = { 1, 100, 10000, 100000 };
	struct sl_lawful *tables[N_SIZES] = { 0 };
	double best[N_SIZES] = { 0 };
	unsigned runs = 5, max = 100000, s, r, n_sizes;
	unsigned long events = 2000000;
	struct ev_pool *pool;
	void *ctx;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--runs"))
			runs = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--events"))
			events = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--max"))
			max = (unsigned)strtoul(argv[i + 1], NULL, 10);
	}
	if (!runs || events < N_EVENTS_POOL) {
		fprintf(stderr, "usage: bench_lawful [--runs N] [--events N (>= %d)] [--max N]\n", N_EVENTS_POOL);
		return 2;
	}
	sl_hash_seed_init();
	ctx = talloc_named_const(NULL, 0, "bench_lawful");
	pool = talloc_zero(ctx, struct ev_pool);
	fill_events(pool);
	printf("\nlawful matching: %lu events per run (1 in 128 a target's), best of %u runs\n\n", events, runs);
	printf("| active warrants | events/s | ns/event | vs 1 warrant (target <= 1.20) |\n|---:|---:|---:|---:|\n");
	/* every table is built first and the rows take turns in each run, so a busy moment hits all of them */
	for (s = 0; s < N_SIZES && sizes[s] <= max; s++) {
		tables[s] = sl_lawful_alloc(ctx, s);
		fill_table(tables[s], sizes[s]);
		run(tables[s], pool, N_EVENTS_POOL); /* warm up */
	}
	n_sizes = s;
	for (r = 0; r < runs; r++) {
		for (s = 0; s < n_sizes; s++) {
			double eps = run(tables[s], pool, events);
			if (eps < 0) {
				fprintf(stderr, "bench_lawful: a wrong decision with %u warrants\n", sizes[s]);
				return 1;
			}
			if (eps > best[s])
				best[s] = eps;
		}
	}
	for (s = 0; s < n_sizes; s++)
		printf("| %u | %.2f M | %.0f | %.2f |\n", sizes[s], best[s] / 1e6, 1e9 / best[s], best[0] / best[s]);
	talloc_free(ctx);
	return 0;
}
