/*
 * End-to-end delivery tests: a spool and a link in this process's osmocom
 * select loop, against a real `sluice lemf` child on loopback.
 *
 * Outage tests stream thousands of ETSI PS-PDUs (IPMMCC, one CIN,
 * sequence numbers 0..N-1) while the receiver is killed with SIGKILL and
 * restarted, stopped with SIGTERM and restarted, and the link is cut from
 * the gateway side; afterwards every sequence number must be in the
 * receiver's output (the pdus.jsonl files of all its incarnations), with
 * duplicates allowed and counted, none missing. Run over TLS with
 * pDUAcknowledgementRequest/Response as release point, and over plain TCP
 * with the TCP-ack + resend-window release.
 *
 * TLS refusals: wrong CA, expired receiver certificate, wrong host name,
 * plaintext peer. Each must fail the handshake with a clear error, send
 * no record, and leave nothing in the receiver's output.
 *
 * Needs top_srcdir/top_builddir (make check sets them): the PKI is made by
 * tests/pki/make_pki.sh at test time.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "handover/delivery_log.h"
#include "handover/link.h"
#include "handover/link_etsi.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/spool.h"

#define LIID "LIID-DELIVERY-1"

static char tmp[256], pki[300], sluice[512];
static uint16_t port;
/* Loop wake-up timer; outlives a failed assertion (cmocka longjmps out): teardown removes it. */
static struct osmo_timer_list wake;

static int64_t now_ms(void)
{
	return sl_spool_now_ms();
}

static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Start `sluice lemf` with the given TLS leaf (NULL: --plain); returns once it listens. */
static pid_t lemf_start(const char *leaf, const char *out)
{
	char listen[64], cert[400], key[400], ca[400], line[256];
	int p[2];
	pid_t pid;
	FILE *f;

	snprintf(listen, sizeof(listen), "127.0.0.1:%u", port);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (!leaf) {
			execl(sluice, "sluice", "lemf", "-q", "--listen", listen, "--out", out, "--plain", (char *)NULL);
		} else {
			snprintf(cert, sizeof(cert), "%s/%s.crt", pki, leaf);
			snprintf(key, sizeof(key), "%s/%s.key", pki, leaf);
			snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
			execl(sluice, "sluice", "lemf", "-q", "--listen", listen, "--out", out, "--tls-cert", cert,
			      "--tls-key", key, "--ca", ca, (char *)NULL);
		}
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_non_null(strstr(line, "listening on"));
	fclose(f); /* lemf's later stdout (the summary) goes to a closed pipe: it ignores SIGPIPE */
	return pid;
}

static int lemf_stop(pid_t pid, int sig)
{
	int status;

	kill(pid, sig);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

struct fx {
	void *ctx;
	char dir[400], out[400];
	struct sl_spool *spool;
	struct sl_link *link;
	struct sl_pdu_ctx *pctx;
	uint32_t next_seq;
};

static int setup(void **state)
{
	static unsigned n;
	struct fx *f = calloc(1, sizeof(*f));
	struct sl_pdu_ctx_cfg pc = { .liid = LIID, .operator_id = "sluice-test", .ne_id = "gw1", .ts_digits = 6 };
	char err[256];
	struct sl_spool_cfg sc = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 1u << 20 };

	f->ctx = talloc_named_const(NULL, 0, "test");
	snprintf(f->dir, sizeof(f->dir), "%s/spool%u", tmp, n);
	snprintf(f->out, sizeof(f->out), "%s/out%u", tmp, n++);
	assert_int_equal(sl_spool_open(f->ctx, f->dir, "test", &sc, &f->spool, err, sizeof(err)), 0);
	f->pctx = sl_pdu_ctx_alloc(f->ctx, &pc);
	assert_non_null(f->pctx);
	port = free_port();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	osmo_timer_del(&wake);
	if (f->link)
		sl_link_free(f->link);
	talloc_free(f->ctx);
	free(f);
	return 0;
}

/* Append one IPMMCC PS-PDU with the next sequence number (payload names it too). */
static void append_pdu(struct fx *f)
{
	uint8_t buf[1024], media[160];
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = f->next_seq, .ts_us = (uint64_t)now_ms() * 1000 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_FROM_TARGET, .data = media, .len = sizeof(media),
				 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	memset(media, (int)(f->next_seq & 0xff), sizeof(media));
	media[0] = 0x80;
	sl_ber_w_init(&w, buf, sizeof(buf));
	assert_int_equal(sl_pdu_cc_ipmm(&w, f->pctx, &h, &cc), 0);
	assert_true(sl_ber_w_result(&w, &p, &n));
	assert_int_equal(sl_spool_append(f->spool, p, n, NULL), 0);
	f->next_seq++;
}

static struct sl_link *link_up(struct fx *f, struct sl_link_cfg *cfg)
{
	struct sl_link_pdu_ops ops;
	char err[256] = "";
	struct sl_link *l;

	sl_link_etsi_ops(&ops, f->pctx);
	l = sl_link_new(f->ctx, f->spool, cfg, &ops, err, sizeof(err));
	if (!l)
		fail_msg("link: %s", err);
	return l;
}

static uint64_t lctr(struct sl_link *l, unsigned idx)
{
	return rate_ctr_group_get_ctr(sl_link_ctrs(l), idx)->current;
}

static void noop(void *p)
{
}

static void run_for(unsigned ms)
{
	int64_t end = now_ms() + ms;

	osmo_timer_setup(&wake, noop, NULL);
	while (now_ms() < end) {
		int64_t left = end - now_ms();

		osmo_timer_schedule(&wake, 0, (left > 50 ? 50 : left) * 1000);
		osmo_select_main(0);
	}
	osmo_timer_del(&wake);
}

/* Sequence numbers of the cc stream in all pdus.jsonl lines: counts per number. */
static void check_output(const char *out, uint32_t n, uint64_t *dups_out)
{
	char path[600], line[8192];
	uint32_t *seen = calloc(n, sizeof(*seen)), i, missing = 0, first_missing = 0;
	uint64_t dups = 0, lines = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/pdus.jsonl", out, LIID);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		const char *s = strstr(line, "\"seq\":");
		unsigned long long v;
		char *end;

		assert_non_null(strchr(line, '\n')); /* whole lines only, even after SIGKILL */
		if (!strstr(line, "\"stream\":\"cc\""))
			continue;
		assert_non_null(s);
		v = strtoull(s + 6, &end, 10);
		assert_true(end != s + 6 && v < n);
		if (seen[v]++)
			dups++;
		lines++;
	}
	fclose(fp);
	for (i = 0; i < n; i++)
		if (!seen[i] && !missing++)
			first_missing = i;
	if (missing)
		fail_msg("%u of %u sequence numbers missing (first %u)", missing, n, first_missing);
	*dups_out = dups;
	print_message("  %u PDUs delivered, %" PRIu64 " lines, %" PRIu64 " duplicates\n", n, lines, dups);
	free(seen);
}

/*
 * Stream `total` PDUs in bursts while disrupting: at 20% kill -9 the
 * receiver (restart 300 ms later), at 45% cut the link, at 70% stop the
 * receiver with SIGTERM (restart 500 ms later). Then wait until all is
 * delivered (pdu_ack: released; else TCP-acked) and check the output.
 */
static void outage_run(struct fx *f, struct sl_link_cfg *cfg, const char *leaf, uint32_t total)
{
	struct sl_link_status st;
	struct sl_spool_stats ss;
	bool killed = false, cut = false, stopped = false;
	int64_t restart_at = 0, t0 = now_ms(), deadline;
	uint64_t dups;
	pid_t lemf = lemf_start(leaf, f->out);

	osmo_timer_setup(&wake, noop, NULL);
	f->link = link_up(f, cfg);
	while (f->next_seq < total || restart_at || !stopped) {
		unsigned i;

		for (i = 0; i < 20 && f->next_seq < total; i++)
			append_pdu(f);
		osmo_timer_schedule(&wake, 0, 2000);
		osmo_select_main(0);
		if (restart_at || sl_link_state(f->link) != SL_LINK_UP) {
			/* one disruption at a time, each while records flow on an up link */
		} else if (!killed && f->next_seq >= total / 5) {
			killed = true;
			lemf_stop(lemf, SIGKILL);
			restart_at = now_ms() + 300;
		} else if (!cut && f->next_seq >= total * 45 / 100) {
			cut = true;
			sl_link_drop(f->link, "test: cut the link");
		} else if (!stopped && f->next_seq >= total * 70 / 100) {
			stopped = true;
			lemf_stop(lemf, SIGTERM);
			restart_at = now_ms() + 500;
		}
		if (restart_at && now_ms() >= restart_at) {
			restart_at = 0;
			lemf = lemf_start(leaf, f->out);
		}
	}
	deadline = now_ms() + 30000;
	do {
		run_for(50);
		sl_link_get_status(f->link, &st);
		sl_spool_get_stats(f->spool, &ss);
	} while (now_ms() < deadline &&
		 (cfg->pdu_ack ? st.queued_records != 0 : st.tcp_acked_id != ss.last_id || st.state != SL_LINK_UP));
	/* Stay idle past TIME1 so keep-alives flow and are answered. */
	run_for(cfg->time1_ms * 3);
	sl_link_get_status(f->link, &st);
	print_message("  %s: %u PDUs in %" PRId64 " ms, state %s, %" PRIu64 " reconnects, %" PRIu64
		      " resent, %" PRIu64 " keep-alive responses, %" PRIu64 " ack responses, last error: %s\n",
		      leaf ? "TLS" : "TCP", total, now_ms() - t0, get_value_string(sl_link_state_names, st.state),
		      st.reconnects, st.resends, lctr(f->link, SL_LINK_CTR_KEEPALIVE_RESPONSE),
		      lctr(f->link, SL_LINK_CTR_ACK_RESPONSE), st.last_error);
	assert_int_equal(st.state, SL_LINK_UP);
	assert_true(st.reconnects >= 3);
	assert_true(st.resends > 0);
	assert_true(lctr(f->link, SL_LINK_CTR_KEEPALIVE_RESPONSE) > 0);
	assert_int_equal(lctr(f->link, SL_LINK_CTR_RX_INVALID), 0);
	if (cfg->pdu_ack) {
		assert_int_equal(st.queued_records, 0);
		assert_true(lctr(f->link, SL_LINK_CTR_ACK_RESPONSE) > 0);
	}
	sl_link_free(f->link);
	f->link = NULL;
	/* SIGTERM: summary and a clean exit (status 3 only if this incarnation saw a hole). */
	lemf_stop(lemf, SIGTERM);
	check_output(f->out, total, &dups);
	assert_true(dups > 0);
}

static void test_outage_tls_pdu_ack(void **state)
{
	struct fx *f = *state;
	char cert[400], key[400], ca[400];
	struct sl_link_cfg cfg = {
		.name = "hi3-tls", .host = "127.0.0.1", .tls_cert = cert, .tls_key = key, .tls_ca = ca,
		.backoff_min_ms = 20, .backoff_max_ms = 200, .time1_ms = 150, .time3_ms = 3000,
		.pdu_ack = true, .time6_ms = 100, .time5_ms = 3000,
	};

	cfg.port = port;
	snprintf(cert, sizeof(cert), "%s/gw.crt", pki);
	snprintf(key, sizeof(key), "%s/gw.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	outage_run(f, &cfg, "lemf", 20000);
}

static void test_outage_tcp_window(void **state)
{
	struct fx *f = *state;
	struct sl_link_cfg cfg = {
		.name = "hi2-tcp", .host = "127.0.0.1", .plain = true,
		.backoff_min_ms = 20, .backoff_max_ms = 200, .time1_ms = 150, .time3_ms = 3000,
	};

	cfg.port = port;
	outage_run(f, &cfg, NULL, 20000);
}

/* One refusal: the link must fail the handshake, naming why, and send nothing. */
static void refusal(struct fx *f, const char *leaf, const char *verify_name, const char *expect)
{
	char cert[400], key[400], ca[400], path[600];
	struct sl_link_cfg cfg = {
		.name = "refusal", .host = "127.0.0.1", .tls_cert = cert, .tls_key = key, .tls_ca = ca,
		.tls_verify_name = verify_name, .backoff_min_ms = 50, .backoff_max_ms = 100,
		.connect_timeout_ms = 3000,
	};
	struct sl_link_status st;
	struct stat sb;
	int64_t deadline = now_ms() + 5000;
	pid_t lemf;
	int i;

	cfg.port = port;
	snprintf(cert, sizeof(cert), "%s/gw.crt", pki);
	snprintf(key, sizeof(key), "%s/gw.key", pki);
	snprintf(ca, sizeof(ca), "%s/ca.crt", pki);
	for (i = 0; i < 10; i++)
		append_pdu(f);
	lemf = lemf_start(leaf, f->out);
	f->link = link_up(f, &cfg);
	while (lctr(f->link, SL_LINK_CTR_TLS_FAIL) < 2 && now_ms() < deadline)
		run_for(20);
	sl_link_get_status(f->link, &st);
	print_message("  %s: %s\n", leaf ? leaf : "plaintext peer", st.last_error);
	assert_true(lctr(f->link, SL_LINK_CTR_TLS_FAIL) >= 2);
	assert_int_equal(lctr(f->link, SL_LINK_CTR_CONNECTS), 0);
	assert_int_equal(lctr(f->link, SL_LINK_CTR_RECORDS_SENT), 0);
	assert_int_not_equal(st.state, SL_LINK_UP);
	if (!strstr(st.last_error, expect))
		fail_msg("error '%s' does not say '%s'", st.last_error, expect);
	assert_int_equal(st.queued_records, 10);
	sl_link_free(f->link);
	f->link = NULL;
	lemf_stop(lemf, SIGTERM);
	/* Nothing reached the receiver's output. */
	snprintf(path, sizeof(path), "%s/%s", f->out, LIID);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "%s/_undecodable", f->out);
	assert_int_equal(stat(path, &sb), -1);
}

static void test_refuse_wrong_ca(void **state)
{
	refusal(*state, "rogue", NULL, "unable to get local issuer certificate");
}

static void test_refuse_expired(void **state)
{
	refusal(*state, "expired", NULL, "certificate has expired");
}

static void test_refuse_wrong_hostname(void **state)
{
	refusal(*state, "wronghost", "lemf.test", "hostname mismatch");
}

static void test_refuse_wrong_ip(void **state)
{
	refusal(*state, "wronghost", NULL, "IP address mismatch");
}

static void test_refuse_plaintext_peer(void **state)
{
	refusal(*state, NULL, NULL, "TLS handshake");
}

static const struct log_info test_log_info = {
	.cat = sl_delivery_log_cats,
	.num_cat = _SL_DELIVERY_LOGC_COUNT,
};

int main(void)
{
	const char *src = getenv("top_srcdir"), *bld = getenv("top_builddir");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refuse_wrong_ca, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_wrong_hostname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_wrong_ip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_plaintext_peer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outage_tls_pdu_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outage_tcp_window, setup, teardown),
	};
	char cmd[1200];
	int rc;

	if (!src || !bld) {
		fputs("test_delivery: run through make check (top_srcdir, top_builddir)\n", stderr);
		return 77;
	}
	snprintf(tmp, sizeof(tmp), "%s/delivery-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp))
		return 99;
	snprintf(pki, sizeof(pki), "%s/pki", tmp);
	snprintf(sluice, sizeof(sluice), "%s/src/sluice", bld);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/pki/make_pki.sh' '%s'", src, pki);
	if (system(cmd) != 0) {
		fputs("test_delivery: make_pki.sh failed\n", stderr);
		return 99;
	}
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid());
	log_init(&test_log_info, NULL);
	if (getenv("DELIVERY_TEST"))
		cmocka_set_test_filter(getenv("DELIVERY_TEST"));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (!rc && system(cmd) != 0)
		return 99;
	return rc;
}
