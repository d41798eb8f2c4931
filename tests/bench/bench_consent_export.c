/*
 * bench_consent_export: the consented-data path's throughput to JSON
 * Lines (`make bench`), against a bare write loop to the same kind of
 * file in the same run.
 *
 * A registry of 100,000 subjects (MSISDNs) in the index, every other one
 * with a given consent for recipient "acme" (call metadata and location);
 * --events call-end events (default 1,000,000) whose caller and callee are
 * drawn from the registry, so about half the parties consent. Each event
 * goes through the whole path sluiced runs (consent_flow.c): subjects,
 * decisions per category, minimisation, pseudonyms (recipient key cached
 * per epoch, one HMAC per subject and peer), the byte-exact line, and
 * the export in batches of 1,000 records, each written and fdatasynced
 * to a segment in $TMPDIR. The bare loop writes the same number of
 * records (lines of the same length) in batches of 1,000 with the same
 * write and fdatasync. Figures are wall-clock (fsync time is not CPU
 * time), so they depend on the disk and on other work on the machine.
 *
 * Usage: bench_consent_export [--events N]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_policy.h"

#define SUBJECTS 100000u
#define T_US 1780000000000000LL

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void msisdn(unsigned k, char out[20])
{
	snprintf(out, 20, "+4917%08u", k);
}

static int batch_count(void *data, const struct sl_cx_batch *b)
{
	(*(unsigned *)data)++;
	(void)b;
	return 0;
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	unsigned long events = 1000000, i, batches = 0;
	const char *tmp = getenv("TMPDIR");
	char *dir, *path, num[20];
	struct sl_consent_index *ix;
	struct sl_cx_export *x;
	struct sl_cx_flow *f;
	struct sl_cx_export_stats st;
	struct sl_cx_recipient_cfg rc = { .name = "acme", .purpose = SL_CONSENT_P_COMMERCIAL_RESEARCH,
					  .policy = { .categories = SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) |
								    SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION),
						      .location = SL_CX_LOC_AREA, .time_bucket_s = 60 } };
	struct sl_cx_export_cfg xc = { .recipient = "acme", .batch_records = 1000, .batch_seconds = 86400 };
	uint8_t master[32] = { 1 };
	struct sl_event ev;
	char *err = NULL, line[512];
	double t0, flow_s, bare_s;
	int fd;
	unsigned bsz;

	if (argc == 3 && !strcmp(argv[1], "--events"))
		events = strtoul(argv[2], NULL, 10);
	dir = talloc_asprintf(ctx, "%s/bench-consent-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 1;
	xc.dir = dir;
	ix = sl_consent_index_alloc(ctx, NULL, 0);
	for (i = 0; i < SUBJECTS; i += 2) {
		struct sl_consent_subject s;
		struct sl_consent_row row = { .subject = &s, .recipient = "acme",
					      .purpose = SL_CONSENT_P_COMMERCIAL_RESEARCH,
					      .categories = rc.policy.categories, .status = SL_CONSENT_GIVEN,
					      .valid_from_us = 0, .valid_until_us = T_US * 2 };
		msisdn((unsigned)i, num);
		if (sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, num) || sl_consent_index_put(ix, &row) < 0)
			return 1;
	}
	f = sl_cx_flow_alloc(ctx, ix, master, NULL, 0);
	x = sl_cx_export_open(ctx, &xc, batch_count, &batches, &err);
	if (!f || !x || sl_cx_flow_add(f, &rc, x, 0) < 0)
		return 1;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.u.call.step = SL_CALL_END;
	ev.u.call.reason = SL_END_BYE;
	ev.dir = SL_DIR_FROM_CALLER;
	t0 = wall_s();
	for (i = 0; i < events; i++) {
		uint64_t r = (uint64_t)i * 2654435761u;
		ev.ts_us = (uint64_t)T_US + i * 1000;
		ev.u.call.answer_us = ev.ts_us - 30000000;
		ev.from.n = ev.to.n = 0;
		msisdn((unsigned)(r % SUBJECTS), num);
		sl_party_add(&ev.from, SL_ID_E164, num);
		msisdn((unsigned)((r >> 20) % SUBJECTS), num);
		sl_party_add(&ev.to, SL_ID_E164, num);
		sl_cx_flow_event(f, &ev);
	}
	sl_cx_export_flush(x);
	flow_s = wall_s() - t0;
	sl_cx_export_stats(x, &st);

	/* the bare loop: the same records' bytes, same batches, same syscalls */
	path = talloc_asprintf(ctx, "%s/bare.jsonl", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0640);
	bsz = (unsigned)(st.records ? st.bytes / st.records : 200);
	memset(line, 'x', sizeof(line));
	if (fd < 0 || bsz >= sizeof(line))
		return 1;
	line[bsz - 1] = '\n';
	{
		char *buf = talloc_size(ctx, (size_t)bsz * 1000);
		uint64_t left = st.records;
		t0 = wall_s();
		while (left) {
			unsigned n = left > 1000 ? 1000 : (unsigned)left, k;
			for (k = 0; k < n; k++)
				memcpy(buf + (size_t)k * bsz, line, bsz);
			if (write(fd, buf, (size_t)n * bsz) < 0 || fdatasync(fd) < 0)
				return 1;
			left -= n;
		}
		bare_s = wall_s() - t0;
	}
	close(fd);
	printf("consent path to JSON Lines: %lu events, %llu records (%llu bytes, %lu batches, fdatasync each)\n",
	       events, (unsigned long long)st.records, (unsigned long long)st.bytes, batches);
	printf("  whole path   %8.3f s  %10.0f records/s  %10.0f events/s\n", flow_s, st.records / flow_s,
	       events / flow_s);
	printf("  bare writes  %8.3f s  %10.0f records/s (same bytes, batches and fdatasync)\n", bare_s,
	       st.records / bare_s);
	fflush(stdout);
	if (system(talloc_asprintf(ctx, "rm -rf '%s'", dir)) != 0)
		return 1;
	talloc_free(ctx);
	return st.records ? 0 : 1;
}
