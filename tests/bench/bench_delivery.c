/*
 * bench_delivery: delivery throughput over TLS against plain TCP on
 * loopback, through the production path (`make bench`).
 *
 * One run: start `sluice lemf` (TLS with mutual authentication, or
 * --plain), open a durable spool, create a link (handover/link.h with the
 * ETSI ops of link_etsi.h) and wait until it is up, so the TCP connect and
 * TLS handshake are not part of the figure. Then, with the clock running,
 * encode N IPMMCC PS-PDUs (172-byte RTP packets, as bench_pdu) and append
 * them to the spool in batches, running the select loop between batches
 * so the link sends while records are produced, as in sluiced; then run
 * the loop until the spool has released all N. Release is by
 * pDUAcknowledgementResponse (clause 6.3.6, link cfg pdu_ack), which lemf
 * sends only after every earlier PDU of the connection is decoded and
 * written to its --out directory: the clock stops when the receiver has
 * stored them all. TIME6 is 5 ms so the last request follows the last
 * record closely. Both modes use pdu_ack, so they differ only in TLS.
 *
 * After each run lemf is stopped with SIGTERM and its summary.json must
 * show N PDUs received on the cc stream and none missing; CPU time of
 * this process (gateway side: encode, spool, link, TLS) and of lemf
 * (receive, decode, JSON, write) is printed, to show which side bounds
 * the rate. Best of --runs runs per mode (default 3), modes alternating.
 *
 * The spool (fsync policy NEVER) and lemf's output go under --dir: put it
 * on tmpfs (/dev/shm) so the disk does not set the rate.
 *
 * Usage: bench_delivery --sluice PATH --pki DIR --dir DIR [--records N] [--runs N]
 *   --pki: a directory made by tests/pki/make_pki.sh (ca, lemf, gw).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "handover/delivery_log.h"
#include "handover/link.h"
#include "handover/link_etsi.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/spool.h"

#define LIID "LIID-BENCH-DELIVERY"
#define RTP_LEN 172
#define BATCH 64

static const char *g_sluice, *g_pki, *g_dir;
static unsigned g_records = 200000, g_runs = 3;
static struct osmo_timer_list wake;

struct run_result {
	double secs;
	uint64_t pdus, bytes;
	double gw_cpu, lemf_cpu; /* seconds of user + system time */
	char security[96];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
}

static void noop(void *p)
{
}

/* One pass of the select loop, waiting at most ms. */
static void loop_once(unsigned ms)
{
	osmo_timer_schedule(&wake, 0, ms * 1000);
	osmo_select_main(0);
}

/*
 * Start lemf on a free loopback port; *port from its "listening on ADDR
 * port P" line. Its stderr goes to log (kept if the run fails).
 */
static pid_t lemf_start(bool tls, const char *out, const char *log, uint16_t *port)
{
	char cert[600], key[600], ca[600], line[256];
	const char *s;
	int p[2];
	pid_t pid;
	FILE *f;
	char *end;
	long v;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0)
			dup2(fd, 2);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (!tls) {
			execl(g_sluice, "sluice", "lemf", "-q", "--listen", "127.0.0.1:0", "--out", out, "--plain",
			      (char *)NULL);
		} else {
			snprintf(cert, sizeof(cert), "%s/lemf.crt", g_pki);
			snprintf(key, sizeof(key), "%s/lemf.key", g_pki);
			snprintf(ca, sizeof(ca), "%s/ca.crt", g_pki);
			execl(g_sluice, "sluice", "lemf", "-q", "--listen", "127.0.0.1:0", "--out", out, "--tls-cert",
			      cert, "--tls-key", key, "--ca", ca, (char *)NULL);
		}
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f) || !(s = strstr(line, " port "))) {
		fclose(f);
		return -1;
	}
	fclose(f); /* lemf ignores SIGPIPE: its summary on stdout is lost, summary.json stays */
	errno = 0;
	v = strtol(s + 6, &end, 10);
	if (errno || end == s + 6 || v <= 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return pid;
}

/* SIGTERM lemf; its CPU time in *cpu. 0 if it exited 0. */
static int lemf_stop(pid_t pid, double *cpu)
{
	struct rusage ru;
	int status;

	kill(pid, SIGTERM);
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	*cpu = tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* From OUT/summary.json: received and missing of the cc stream. */
static int read_summary(const char *out, uint64_t *received, uint64_t *missing)
{
	char path[700], line[1024];
	FILE *f;
	int found = -1;

	snprintf(path, sizeof(path), "%s/summary.json", out);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *r = strstr(line, "\"received\":"), *m = strstr(line, "\"missing\":");

		if (!strstr(line, "\"stream\":\"cc\"") || !r || !m)
			continue;
		*received = strtoull(r + 11, NULL, 10);
		*missing = strtoull(m + 10, NULL, 10);
		found = 0;
	}
	fclose(f);
	return found;
}

/* Encode IPMMCC number i (sequence number i, 20 ms apart) and append it. */
static int append_cc(struct sl_spool *sp, const struct sl_pdu_ctx *pctx, uint8_t *rtp, uint32_t i,
		     uint64_t *bytes)
{
	uint8_t buf[1024];
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 4242, .seqno = i,
				.ts_us = 1767225600000000ull + (uint64_t)i * 20000u };
	struct sl_ipmm_cc cc = { .dir = (i & 1) ? SL_PDU_TO_TARGET : SL_PDU_FROM_TARGET, .data = rtp,
				 .len = RTP_LEN, .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	rtp[2] = (uint8_t)(i >> 8); /* RTP sequence number */
	rtp[3] = (uint8_t)i;
	sl_ber_w_init(&w, buf, sizeof(buf));
	if (sl_pdu_cc_ipmm(&w, pctx, &h, &cc) < 0 || !sl_ber_w_result(&w, &p, &n))
		return -EINVAL;
	*bytes += n;
	return sl_spool_append(sp, p, n, NULL);
}

static int one_run(bool tls, unsigned run, struct run_result *res)
{
	void *ctx = talloc_named_const(NULL, 0, "bench_delivery run");
	struct sl_pdu_ctx_cfg pc = { .liid = LIID, .operator_id = "sluice-bench", .ne_id = "gw1", .ts_digits = 6 };
	struct sl_spool_cfg sc = { .fsync = SL_SPOOL_FSYNC_NEVER, .max_bytes = 4ull << 30 };
	char cert[600], key[600], ca[600], spool_dir[600], out[600], log[600], err[256] = "", cmd[2000];
	struct sl_link_cfg lc = {
		.name = tls ? "bench-tls" : "bench-tcp", .host = "127.0.0.1", .plain = !tls, .tls_cert = cert,
		.tls_key = key, .tls_ca = ca, .pdu_ack = true, .time6_ms = 5, .time5_ms = 30000,
		.connect_timeout_ms = 5000, .backoff_min_ms = 20, .backoff_max_ms = 200,
	};
	struct sl_link_pdu_ops ops;
	struct sl_link_status st;
	struct sl_spool *sp = NULL;
	struct sl_link *l = NULL;
	struct sl_pdu_ctx *pctx;
	uint8_t rtp[RTP_LEN];
	uint64_t bytes = 0, received = 0, missing = 0;
	double t0, t_end, deadline, cpu0;
	uint16_t port = 0;
	pid_t lemf;
	uint32_t i;
	unsigned k;
	int rc = -1;

	snprintf(cert, sizeof(cert), "%s/gw.crt", g_pki);
	snprintf(key, sizeof(key), "%s/gw.key", g_pki);
	snprintf(ca, sizeof(ca), "%s/ca.crt", g_pki);
	snprintf(spool_dir, sizeof(spool_dir), "%s/spool-%s-%u", g_dir, tls ? "tls" : "tcp", run);
	snprintf(out, sizeof(out), "%s/lemf-%s-%u", g_dir, tls ? "tls" : "tcp", run);
	snprintf(log, sizeof(log), "%s/lemf-%s-%u.log", g_dir, tls ? "tls" : "tcp", run);
	for (k = 0; k < RTP_LEN; k++)
		rtp[k] = (uint8_t)(0xd5 ^ (k * 7));
	rtp[0] = 0x80;

	lemf = lemf_start(tls, out, log, &port);
	if (lemf < 0) {
		fprintf(stderr, "bench_delivery: cannot start %s lemf (see %s)\n", g_sluice, log);
		goto out;
	}
	pctx = sl_pdu_ctx_alloc(ctx, &pc);
	if (!pctx) {
		fprintf(stderr, "bench_delivery: PDU context: %s\n", strerror(errno));
		goto stop;
	}
	lc.port = port;
	if (sl_spool_open(ctx, spool_dir, lc.name, &sc, &sp, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_delivery: spool: %s\n", err);
		goto stop;
	}
	sl_link_etsi_ops(&ops, pctx);
	l = sl_link_new(ctx, sp, &lc, &ops, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "bench_delivery: link: %s\n", err);
		goto stop;
	}
	deadline = now_s() + 10;
	while (sl_link_state(l) != SL_LINK_UP && now_s() < deadline)
		loop_once(10);
	sl_link_get_status(l, &st);
	if (st.state != SL_LINK_UP) {
		fprintf(stderr, "bench_delivery: link not up: %s\n", st.last_error);
		goto stop;
	}
	snprintf(res->security, sizeof(res->security), "%s", st.security);

	cpu0 = self_cpu();
	t0 = now_s();
	for (i = 0; i < g_records;) {
		for (k = 0; k < BATCH && i < g_records; k++, i++)
			if (append_cc(sp, pctx, rtp, i, &bytes) < 0) {
				fprintf(stderr, "bench_delivery: append %u failed\n", i);
				goto stop;
			}
		loop_once(0);
	}
	deadline = now_s() + 120;
	do {
		loop_once(5);
		sl_link_get_status(l, &st);
	} while (st.queued_records && now_s() < deadline);
	t_end = now_s();
	res->gw_cpu = self_cpu() - cpu0;
	if (st.queued_records) {
		fprintf(stderr, "bench_delivery: %" PRIu64 " records not released after 120 s (%s)\n",
			st.queued_records, st.last_error);
		goto stop;
	}
	res->secs = t_end - t0;
	res->pdus = g_records;
	res->bytes = bytes;
	rc = 0;
stop:
	if (l)
		sl_link_free(l);
	if (lemf_stop(lemf, &res->lemf_cpu) < 0) {
		fprintf(stderr, "bench_delivery: lemf did not exit cleanly\n");
		rc = -1;
	}
	if (rc == 0 && (read_summary(out, &received, &missing) < 0 || received != g_records || missing)) {
		fprintf(stderr, "bench_delivery: lemf summary: %" PRIu64 " received, %" PRIu64 " missing, expected %u\n",
			received, missing, g_records);
		rc = -1;
	}
	/* The next run starts from empty directories (and tmpfs gets its memory back). */
	if (rc == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s'", spool_dir, out, log);
		if (system(cmd) != 0)
			rc = -1;
	} else {
		fprintf(stderr, "bench_delivery: kept %s, %s and %s\n", spool_dir, out, log);
	}
out:
	osmo_timer_del(&wake);
	talloc_free(ctx);
	return rc;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < (long)lo || v > (long)hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static void print_row(const char *name, const struct run_result *r, const char *note)
{
	printf("%-30s %8.3f %10.0f %8.1f %8.2f %8.2f  %s\n", name, r->secs, (double)r->pdus / r->secs,
	       (double)r->bytes / r->secs / 1e6, r->gw_cpu, r->lemf_cpu, note);
}

static const struct log_info bench_log_info = {
	.cat = sl_delivery_log_cats,
	.num_cat = _SL_DELIVERY_LOGC_COUNT,
};

int main(int argc, char **argv)
{
	struct run_result best[2] = { { 0 } }, r;
	char note[160];
	unsigned run, m;
	int i;

	/* options come in pairs: --name value */
	for (i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			goto usage;
		if (!strcmp(a, "--sluice"))
			g_sluice = v;
		else if (!strcmp(a, "--pki"))
			g_pki = v;
		else if (!strcmp(a, "--dir"))
			g_dir = v;
		else if (!(!strcmp(a, "--records") && parse_uint(v, 1000, 100000000, &g_records))
			 && !(!strcmp(a, "--runs") && parse_uint(v, 1, 100, &g_runs)))
			goto usage;
	}
	if (!g_sluice || !g_pki || !g_dir)
		goto usage;
	if (mkdir(g_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "bench_delivery: %s: %s\n", g_dir, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init(&bench_log_info, NULL);
	osmo_timer_setup(&wake, noop, NULL);

	for (run = 0; run < g_runs; run++) {
		for (m = 0; m < 2; m++) {
			memset(&r, 0, sizeof(r));
			if (one_run(m == 0, run, &r) < 0)
				return 1;
			if (!best[m].secs || r.secs < best[m].secs)
				best[m] = r;
		}
	}
	printf("Delivery on loopback, %u IPMMCC PS-PDUs (%.0f B each), spool and lemf --out in %s;\n"
	       "from first append until lemf has acknowledged storing all (pdu_ack); best of %u\n",
	       g_records, (double)best[0].bytes / g_records, g_dir, g_runs);
	printf("%-30s %8s %10s %8s %8s %8s\n", "link", "wall s", "PDUs/s", "MB/s", "gw cpu", "lemf cpu");
	snprintf(note, sizeof(note), "%s", best[0].security);
	print_row("TLS (mutual auth)", &best[0], note);
	print_row("plain TCP", &best[1], "");
	printf("TLS/TCP throughput ratio: %.2f (TLS delivers %.0f%% of plain TCP's PDUs/s)\n",
	       best[1].secs / best[0].secs, 100.0 * best[1].secs / best[0].secs);
	printf("CPU per PDU: gateway %.2f us TLS, %.2f us TCP (%+.0f%%); lemf %.2f us TLS, %.2f us TCP (%+.0f%%)\n",
	       best[0].gw_cpu / g_records * 1e6, best[1].gw_cpu / g_records * 1e6,
	       100.0 * (best[0].gw_cpu / best[1].gw_cpu - 1), best[0].lemf_cpu / g_records * 1e6,
	       best[1].lemf_cpu / g_records * 1e6, 100.0 * (best[0].lemf_cpu / best[1].lemf_cpu - 1));
	return 0;
usage:
	fputs("usage: bench_delivery --sluice PATH --pki DIR --dir DIR [--records N] [--runs N]\n", stderr);
	return 2;
}
