/*
 * bench_js_export: the consented-data export's throughput to JSON Lines
 * and to NATS JetStream (`make bench`, docs/exports.md), against a bare
 * publish loop with the same client library in the same run.
 *
 * The same --records record lines (default 200,000; about 230 bytes,
 * the shape of a minimised call record) go three ways, one after the other,
 * against the nats-server -js that run_bench_nats.sh started:
 *
 *  1. jsonl: consent_export.c in batches of 1,000 records, each written
 *     and fdatasynced to a segment in a fresh directory;
 *  2. jetstream: the same export with the JetStream publisher of
 *     mediation/consent/consent_consent_js_export.c following it (as sluiced runs it): from the
 *     first record to the last acknowledgement, cursor saves included;
 *  3. bare: one libnats connection publishing the same lines with
 *     js_PublishMsgAsync, the same message-id header and the same cap on
 *     pending publishes, then js_PublishAsyncComplete: no disk, no
 *     cursor, no chunking.
 *
 * Each way has its own stream, so de-duplication never drops records.
 * Figures are wall-clock records/s; the broker, the disk and the other
 * work on the machine all count. jetstream/bare is the export's cost over
 * the bare client.
 *
 * Usage: bench_js_export --url nats://127.0.0.1:PORT [--records N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>
#include <talloc.h>

#include "mediation/consent/consent_js_export.h"
#include "mediation/consent/consent_export.h"

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int line(char *out, size_t n, unsigned long i)
{
	return snprintf(out, n,
			"{\"type\":\"call\",\"time\":%lu,\"subject\":\"%064lx\",\"peer\":\"%064lx\","
			"\"direction\":\"mo\",\"duration_s\":%lu,\"location\":{\"area\":\"262-01-%lu\"}}\n",
			1780000000ul + i / 10, i * 2654435761ul, i ^ 0x5bd1e995ul, i % 600, i % 977);
}

struct follow {
	struct sl_js_export *js;
};

static int on_batch(void *data, const struct sl_cx_batch *b)
{
	struct follow *f = data;

	if (f->js)
		sl_js_export_durable(f->js, b->seg_no, b->offset + b->len);
	return 0;
}

/* ways 1 and 2: the export, optionally followed by the publisher; records/s */
static double run_export(void *ctx, const char *url, const char *dir, unsigned long records, bool jetstream)
{
	struct sl_cx_export_cfg xc = { .dir = dir, .recipient = "acme", .batch_records = 1000,
				       .batch_seconds = 3600, .rotate_bytes = 64ull << 20, .rotate_seconds = 86400 };
	struct sl_js_export_cfg jc = { .url = url, .stream = "BENCH_EXPORT", .subject_prefix = "bench.export",
				       .gateway_id = "bench" };
	struct follow f = { 0 };
	struct sl_cx_export *x;
	char buf[512], *err = NULL;
	unsigned long i;
	double t0, t;

	x = sl_cx_export_open(ctx, &xc, on_batch, &f, &err);
	if (!x) {
		fprintf(stderr, "bench_js_export: %s\n", err);
		exit(1);
	}
	t0 = wall_s();
	if (jetstream) {
		f.js = sl_js_export_open(ctx, &jc, dir, "acme", &err);
		if (!f.js) {
			fprintf(stderr, "bench_js_export: %s\n", err);
			exit(1);
		}
	}
	for (i = 0; i < records; i++) {
		int n = line(buf, sizeof(buf), i);
		char subj[32];

		snprintf(subj, sizeof(subj), "s%lu", i % 500);
		if (sl_cx_export_add(x, 1780000000000000LL, buf, (size_t)n, subj, NULL) < 0) {
			fprintf(stderr, "bench_js_export: export failed\n");
			exit(1);
		}
	}
	sl_cx_export_flush(x);
	if (f.js) {
		struct sl_js_export_stats st;

		if (!sl_js_export_drain(f.js, 600000)) {
			fprintf(stderr, "bench_js_export: JetStream did not acknowledge everything\n");
			exit(1);
		}
		sl_js_export_stats(f.js, &st);
		if (st.acked != records) {
			fprintf(stderr, "bench_js_export: %llu acknowledged of %lu\n", (unsigned long long)st.acked,
				records);
			exit(1);
		}
	}
	t = wall_s() - t0;
	talloc_free(f.js);
	talloc_free(x);
	return (double)records / t;
}

static void die(const char *what, natsStatus s)
{
	fprintf(stderr, "bench_js_export: %s: %s\n", what, natsStatus_GetText(s));
	exit(1);
}

/* way 3: the bare client loop; records/s */
static double run_bare(const char *url, unsigned long records)
{
	const char *subjects[] = { "bench.bare.>" };
	natsConnection *nc = NULL;
	jsStreamInfo *si = NULL;
	jsStreamConfig sc;
	jsOptions jo;
	jsPubOptions po;
	jsCtx *js = NULL;
	char buf[512], id[64];
	unsigned long i;
	natsStatus s;
	double t0, t;

	s = natsConnection_ConnectTo(&nc, url);
	if (s != NATS_OK)
		die("connect", s);
	jsOptions_Init(&jo);
	jo.PublishAsync.MaxPending = 4096; /* as the exporter's default */
	s = natsConnection_JetStream(&js, nc, &jo);
	jsStreamConfig_Init(&sc);
	sc.Name = "BENCH_BARE";
	sc.Subjects = subjects;
	sc.SubjectsLen = 1;
	sc.Duplicates = 600LL * 1000000000LL;
	if (s == NATS_OK)
		s = js_AddStream(&si, js, &sc, NULL, NULL);
	if (s != NATS_OK)
		die("stream", s);
	jsStreamInfo_Destroy(si);
	t0 = wall_s();
	for (i = 0; i < records; i++) {
		int n = line(buf, sizeof(buf), i);
		natsMsg *m = NULL;

		snprintf(id, sizeof(id), "bench.bare.%06lu.%09lu", 1 + i / 100000, 1 + i % 100000);
		s = natsMsg_Create(&m, "bench.bare.acme", NULL, buf, n - 1);
		jsPubOptions_Init(&po);
		po.MsgId = id;
		if (s == NATS_OK)
			s = js_PublishMsgAsync(js, &m, &po);
		natsMsg_Destroy(m);
		if (s != NATS_OK)
			die("publish", s);
	}
	jsPubOptions_Init(&po);
	po.MaxWait = 600000;
	s = js_PublishAsyncComplete(js, &po);
	if (s != NATS_OK)
		die("acknowledgements", s);
	t = wall_s() - t0;
	jsCtx_Destroy(js);
	natsConnection_Destroy(nc);
	return (double)records / t;
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	const char *url = NULL, *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	unsigned long records = 200000;
	char d1[256], d2[256];
	double jsonl, jet, bare;
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--records"))
			records = strtoul(argv[i + 1], NULL, 10);
	}
	if (!url || !records) {
		fprintf(stderr, "usage: bench_js_export --url nats://HOST:PORT [--records N]\n");
		return 2;
	}
	snprintf(d1, sizeof(d1), "%s/bench-js-jsonl.XXXXXX", tmp);
	snprintf(d2, sizeof(d2), "%s/bench-js-export.XXXXXX", tmp);
	if (!mkdtemp(d1) || !mkdtemp(d2)) {
		perror("bench_js_export: mkdtemp");
		return 1;
	}
	jsonl = run_export(ctx, url, d1, records, false);
	jet = run_export(ctx, url, d2, records, true);
	bare = run_bare(url, records);
	printf("records: %lu (about %d bytes each)\n", records, line((char[512]){ 0 }, 512, records / 2));
	printf("jsonl:      %10.0f records/s (batches of 1000, fdatasync each)\n", jsonl);
	printf("jetstream:  %10.0f records/s (the same, then published and acknowledged)\n", jet);
	printf("bare:       %10.0f records/s (js_PublishMsgAsync loop, same client, same message ids)\n", bare);
	printf("jetstream/bare: %.2f; jetstream/jsonl: %.2f\n", jet / bare, jet / jsonl);
	talloc_free(ctx);
	nats_Close();
	return 0;
}
