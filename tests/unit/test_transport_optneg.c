/*
 * TS 102 232-1 clause 6.3.5 option negotiation between the delivery link
 * (handover/link_negotiate.c) and the receiver library (lemf/), in this
 * process and one select loop on loopback, with records already waiting
 * in the spool when the connection comes up:
 *
 *   - both ends negotiate (TLS, pdu-ack): complete on both sides,
 *     pDUAcknowledgement agreed and used (records released by
 *     acknowledgement), and at the receiver, on every connection, the
 *     first PDU is the optionRequest and no record comes before the
 *     gateway's optionComplete;
 *   - a receiver without negotiation (`--no-option-negotiation`): the
 *     keep-aliveResponse comes first, the link counts the receiver as
 *     unsupported and goes up without options: every record delivered,
 *     no pDUAcknowledgementRequest sent although pdu-ack is configured;
 *   - a receiver that accepts the connection and never answers: X6 runs
 *     out, counted, the link reconnects and times out again, and no record
 *     is ever sent;
 *   - a receiver that asks options of its own (annex I.1.2), played by the
 *     test on a raw socket: the link answers its optionRequest, declining
 *     pDUAcknowledgement (sluice offers no option), completes, and only
 *     then sends records, using the pDUAcknowledgement the receiver
 *     accepted; an optionResponse with a number the link never sent
 *     drops the connection;
 *   - through the fault transport: short reads and writes, would-block and
 *     EINTR on both sides (TLS) change nothing, the negotiation PDUs
 *     going out in pieces; a reset on the link's first write (its
 *     optionRequest) is a failed attempt, and the next connection
 *     negotiates from the start;
 *   - PDUs out of place: a peer that answers the optionRequest with a
 *     keep-alive (not a negotiation PDU) makes the link drop the
 *     connection (negotiation:failed); a gateway that sends a record
 *     between its optionRequest and its optionComplete is cut off by the
 *     receiver (counted as a violation).
 *
 * Waits are on conditions with generous deadlines (a loaded machine is
 * slow, not wrong).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "handover/link.h"
#include "handover/link_etsi.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"
#include "handover/spool.h"
#include "handover/tls.h"
#include "lemf/lemf_server.h"
#include "lemf/lemf_store.h"
#include "tests/unit/fault_transport.h"
#include "tests/unit/test_transport.h"

#define LIID "LIID-OPTNEG-1"
#define RECORDS 300u

struct nx {
	void *ctx;
	char dir[400], out[400];
	struct sl_spool *spool;
	struct sl_pdu_ctx *pctx;
	uint32_t next_seq;
	SSL_CTX *sctx;
	struct sl_lemf_store *store;
	struct sl_lemf_server *srv;
	struct sl_link *link;
	int silent_fd;		/* a listener that never accepts, or -1 */
	uint16_t port;
};

static struct osmo_timer_list wake;

int tn_setup(void **state)
{
	static unsigned n;
	struct nx *x = calloc(1, sizeof(*x));
	struct sl_pdu_ctx_cfg pc = { .liid = LIID, .operator_id = "sluice-test", .ne_id = "gw1", .ts_digits = 6 };
	struct sl_spool_cfg sc = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 1u << 20 };
	char err[256];

	assert_non_null(x);
	ft_enable(false, 0); /* no faults here: the real transports */
	ft_reset();
	x->silent_fd = -1;
	x->ctx = talloc_named_const(NULL, 0, "test_optneg");
	snprintf(x->dir, sizeof(x->dir), "%s/optneg-spool%u", tt_tmp, n);
	snprintf(x->out, sizeof(x->out), "%s/optneg-out%u", tt_tmp, n++);
	assert_int_equal(sl_spool_open(x->ctx, x->dir, "test", &sc, &x->spool, err, sizeof(err)), 0);
	x->pctx = sl_pdu_ctx_alloc(x->ctx, &pc);
	assert_non_null(x->pctx);
	*state = x;
	return 0;
}

int tn_teardown(void **state)
{
	struct nx *x = *state;

	osmo_timer_del(&wake);
	ft_enable(false, 0);
	ft_reset();
	if (!x)
		return 0;
	if (x->link)
		sl_link_free(x->link);
	talloc_free(x->srv);
	if (x->silent_fd >= 0)
		close(x->silent_fd);
	talloc_free(x->ctx);
	if (x->sctx)
		SSL_CTX_free(x->sctx);
	free(x);
	return 0;
}

static void noop(void *p)
{
}

/* Run the loop for about ms milliseconds. */
static void run_for(unsigned ms)
{
	int64_t end = sl_spool_now_ms() + ms;

	osmo_timer_setup(&wake, noop, NULL);
	while (sl_spool_now_ms() < end) {
		int64_t left = end - sl_spool_now_ms();

		osmo_timer_schedule(&wake, 0, (left > 20 ? 20 : left) * 1000);
		osmo_select_main(0);
	}
	osmo_timer_del(&wake);
}

static uint64_t lctr(struct nx *x, unsigned idx)
{
	return rate_ctr_group_get_ctr(sl_link_ctrs(x->link), idx)->current;
}

static void append_records(struct nx *x, uint32_t n)
{
	uint8_t buf[1024], media[160];

	while (n--) {
		struct sl_pdu_hdr h = { .has_cin = true, .cin = 9, .seqno = x->next_seq,
					.ts_us = (uint64_t)sl_spool_now_ms() * 1000 };
		struct sl_ipmm_cc cc = { .dir = SL_PDU_TO_TARGET, .data = media, .len = sizeof(media),
					 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
		struct sl_ber_w w;
		const uint8_t *p;
		size_t len;

		memset(media, (int)(x->next_seq & 0xff), sizeof(media));
		media[0] = 0x80;
		sl_ber_w_init(&w, buf, sizeof(buf));
		assert_int_equal(sl_pdu_cc_ipmm(&w, x->pctx, &h, &cc), 0);
		assert_true(sl_ber_w_result(&w, &p, &len));
		assert_int_equal(sl_spool_append(x->spool, p, len, NULL), 0);
		x->next_seq++;
	}
}

static void receiver_start(struct nx *x, bool tls, bool negotiates)
{
	struct sl_lemf_server_cfg sc = { .addr = "127.0.0.1", .max_pdu = 65536,
					 .verbose = getenv("TRANSPORT_LOG") != NULL,
					 .no_option_negotiation = !negotiates };
	char err[256], cert[400], key[400], ca[400];

	if (tls) {
		struct sl_tls_cfg tc = { .cert_file = cert, .key_file = key, .ca_file = ca, .server = true };

		snprintf(cert, sizeof(cert), "%s/lemf.crt", tt_pki);
		snprintf(key, sizeof(key), "%s/lemf.key", tt_pki);
		snprintf(ca, sizeof(ca), "%s/ca.crt", tt_pki);
		x->sctx = sl_tls_ctx_new(&tc, err, sizeof(err));
		assert_non_null(x->sctx);
		sc.ssl = x->sctx;
	}
	x->store = sl_lemf_store_new(x->ctx, x->out, err, sizeof(err));
	assert_non_null(x->store);
	sc.store = x->store;
	x->srv = sl_lemf_server_new(NULL, &sc, err, sizeof(err));
	if (!x->srv)
		fail_msg("receiver: %s", err);
	x->port = sl_lemf_server_port(x->srv);
}

/* A listener whose connections complete in the kernel's backlog and are never read from or answered. */
static void silent_start(struct nx *x)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);

	x->silent_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(x->silent_fd >= 0);
	assert_int_equal(bind(x->silent_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(x->silent_fd, 16), 0);
	assert_int_equal(getsockname(x->silent_fd, (struct sockaddr *)&a, &al), 0);
	x->port = ntohs(a.sin_port);
}

static void link_start(struct nx *x, bool tls, bool pdu_ack, unsigned neg_timeout_ms)
{
	char cert[400], key[400], ca[400], err[256] = "";
	struct sl_link_cfg cfg = {
		.name = "lea9-hi3", .host = "127.0.0.1", .port = x->port, .plain = !tls,
		.tls_cert = cert, .tls_key = key, .tls_ca = ca, .connect_timeout_ms = 5000,
		.backoff_min_ms = 20, .backoff_max_ms = 100, .time1_ms = 200, .time3_ms = 10000,
		.pdu_ack = pdu_ack, .time6_ms = 50, .time5_ms = 10000,
		.option_negotiation = true, .negotiation_timeout_ms = neg_timeout_ms,
	};
	struct sl_link_pdu_ops ops;

	snprintf(cert, sizeof(cert), "%s/gw.crt", tt_pki);
	snprintf(key, sizeof(key), "%s/gw.key", tt_pki);
	snprintf(ca, sizeof(ca), "%s/ca.crt", tt_pki);
	sl_link_etsi_ops(&ops, x->pctx);
	x->link = sl_link_new(x->ctx, x->spool, &cfg, &ops, err, sizeof(err));
	if (!x->link)
		fail_msg("link: %s", err);
}

static bool delivered(struct nx *x, bool released)
{
	struct sl_link_status st;
	struct sl_spool_stats ss;

	sl_link_get_status(x->link, &st);
	sl_spool_get_stats(x->spool, &ss);
	return st.state == SL_LINK_UP && (released ? st.queued_records == 0 : st.tcp_acked_id == ss.last_id);
}

static void wait_delivered(struct nx *x, bool released)
{
	int64_t deadline = sl_spool_now_ms() + 60000;

	while (!delivered(x, released) && sl_spool_now_ms() < deadline)
		run_for(20);
	run_for(100);
	if (!delivered(x, released)) {
		struct sl_link_status st;

		sl_link_get_status(x->link, &st);
		fail_msg("not delivered: state %s, %" PRIu64 " queued, last error: %s",
			 get_value_string(sl_link_state_names, st.state), st.queued_records, st.last_error);
	}
}

/*
 * Read pdus.jsonl: every record's sequence number must be there; per
 * connection, the first PDU must be an optionRequest (if negotiated), the
 * gateway's optionRequest and optionComplete numbered 0 and 1, and no
 * record may come before that connection's optionComplete from the
 * gateway. Returns the number of connections seen.
 */
static unsigned check_receiver_order(struct nx *x, bool negotiated)
{
	enum { MAXC = 64 };
	char path[600], line[8192];
	bool first_seen[MAXC] = { false }, complete[MAXC] = { false };
	uint32_t *seen = calloc(x->next_seq, sizeof(*seen)), i, missing = 0;
	unsigned conns = 0;
	FILE *fp;

	assert_non_null(seen);
	snprintf(path, sizeof(path), "%s/%s/pdus.jsonl", x->out, LIID);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		const char *c = strstr(line, "\"conn\":"), *k = strstr(line, "\"kind\":\"");
		unsigned long conn;
		char *end;

		assert_non_null(c);
		assert_non_null(k);
		conn = strtoul(c + 7, &end, 10);
		assert_true(end != c + 7 && conn < MAXC);
		k += 8;
		if (negotiated && (!strncmp(k, "option_request\"", 15) || !strncmp(k, "option_complete\"", 16))) {
			/* clause 6.3.5.2: the gateway numbers its optionRequest 0 and its optionComplete 1 */
			const char *q = strstr(line, "\"seq\":");

			assert_non_null(q);
			assert_int_equal(strtoul(q + 6, NULL, 10), k[7] == 'r' ? 0 : 1);
		}
		if (!first_seen[conn]) {
			first_seen[conn] = true;
			conns++;
			if (negotiated && strncmp(k, "option_request\"", 15) != 0)
				fail_msg("connection %lu opened with %.20s, not an optionRequest", conn, k);
		}
		if (!strncmp(k, "option_complete\"", 16))
			complete[conn] = true;
		if (strstr(line, "\"stream\":\"cc\"")) {
			const char *s = strstr(line, "\"seq\":");
			unsigned long long v;

			if (negotiated && !complete[conn])
				fail_msg("connection %lu: a record before the gateway's optionComplete", conn);
			assert_non_null(s);
			v = strtoull(s + 6, &end, 10);
			assert_true(end != s + 6 && v < x->next_seq);
			seen[v]++;
		}
	}
	fclose(fp);
	for (i = 0; i < x->next_seq; i++)
		missing += !seen[i];
	free(seen);
	if (missing)
		fail_msg("%u of %u records missing at the receiver", missing, x->next_seq);
	return conns;
}

/* Both ends negotiate: pDUAcknowledgement agreed and used; records only after completion. */
void test_optneg_pdu_ack(void **state)
{
	struct nx *x = *state;
	struct sl_lemf_neg_stats ns;
	struct sl_link_status st;

	receiver_start(x, true, true);
	append_records(x, RECORDS); /* waiting before the connection exists */
	link_start(x, true, true, 0);
	wait_delivered(x, true);
	append_records(x, RECORDS);
	wait_delivered(x, true);

	sl_link_get_status(x->link, &st);
	sl_lemf_server_negotiations(x->srv, &ns);
	assert_true(st.pdu_ack);
	assert_string_equal(st.negotiated, "pDUAcknowledgement");
	assert_true(lctr(x, SL_LINK_CTR_NEG_COMPLETED) >= 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), lctr(x, SL_LINK_CTR_CONNECTS));
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_STARTED), lctr(x, SL_LINK_CTR_CONNECTS));
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_UNSUPPORTED), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_FAILED), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_NO_ACK), 0);
	assert_true(lctr(x, SL_LINK_CTR_ACK_REQUEST_SENT) >= 1);
	assert_true(lctr(x, SL_LINK_CTR_ACK_RESPONSE) >= 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_RECORDS_RELEASED), 2 * RECORDS);
	assert_int_equal(ns.completed, lctr(x, SL_LINK_CTR_NEG_COMPLETED));
	assert_int_equal(ns.pdu_ack, ns.completed);
	assert_int_equal(ns.violations, 0);
	assert_string_equal(ns.last, "pDUAcknowledgement");
	assert_true(check_receiver_order(x, true) >= 1);
}

/* A receiver without negotiation: keep-aliveResponse first; no options, no pDUAcknowledgement. */
void test_optneg_unsupported(void **state)
{
	struct nx *x = *state;
	struct sl_lemf_neg_stats ns;
	struct sl_link_status st;

	receiver_start(x, false, false);
	append_records(x, RECORDS);
	link_start(x, false, true, 0);
	wait_delivered(x, false);

	sl_link_get_status(x->link, &st);
	sl_lemf_server_negotiations(x->srv, &ns);
	assert_false(st.pdu_ack);
	assert_string_equal(st.negotiated, "unsupported");
	assert_true(lctr(x, SL_LINK_CTR_NEG_UNSUPPORTED) >= 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_UNSUPPORTED), lctr(x, SL_LINK_CTR_CONNECTS));
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_NO_ACK), lctr(x, SL_LINK_CTR_CONNECTS));
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_ACK_REQUEST_SENT), 0);
	assert_int_equal(ns.completed, 0);
	assert_int_equal(ns.ignored, lctr(x, SL_LINK_CTR_CONNECTS));
	check_receiver_order(x, false);
}

/* Nobody answers: X6 runs out, counted, and the link tries again; no record ever leaves. */
void test_optneg_timeout(void **state)
{
	struct nx *x = *state;
	int64_t deadline;

	silent_start(x);
	append_records(x, 10);
	link_start(x, false, true, 150);
	deadline = sl_spool_now_ms() + 60000;
	while (lctr(x, SL_LINK_CTR_NEG_TIMEOUT) < 2 && sl_spool_now_ms() < deadline)
		run_for(20);
	assert_true(lctr(x, SL_LINK_CTR_NEG_TIMEOUT) >= 2);
	assert_true(lctr(x, SL_LINK_CTR_CONNECT_ATTEMPTS) >= 2);
	assert_true(lctr(x, SL_LINK_CTR_NEG_STARTED) >= 2);
	assert_int_equal(lctr(x, SL_LINK_CTR_CONNECTS), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_RECORDS_SENT), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 0);
}

/* Write one encoded PDU on a blocking socket. */
static void send_pdu(int fd, int (*make)(struct sl_ber_w *, const struct sl_pdu_ctx *, uint32_t, uint64_t),
		     const struct sl_pdu_ctx *pc, uint32_t seq)
{
	uint8_t buf[512];
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	sl_ber_w_init(&w, buf, sizeof(buf));
	assert_int_equal(make(&w, pc, seq, (uint64_t)sl_spool_now_ms() * 1000), 0);
	assert_true(sl_ber_w_result(&w, &p, &n));
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static int make_request(struct sl_ber_w *w, const struct sl_pdu_ctx *pc, uint32_t seq, uint64_t ts)
{
	return sl_pdu_option_request(w, pc, seq, ts, SL_TRI_OPT(SL_TRI_OPT_PDU_ACK));
}

/* PDUs out of place during negotiation end the connection, on either side. */
void test_optneg_out_of_place(void **state)
{
	struct nx *x = *state;
	struct sl_lemf_neg_stats ns;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int64_t deadline;
	int fd;

	/* the link's side: a keep-alive where a negotiation PDU must come */
	silent_start(x);
	append_records(x, 5);
	link_start(x, false, true, 30000);
	deadline = sl_spool_now_ms() + 60000;
	while (lctr(x, SL_LINK_CTR_NEG_STARTED) < 1 && sl_spool_now_ms() < deadline)
		run_for(20);
	fd = accept(x->silent_fd, NULL, NULL);
	assert_true(fd >= 0);
	send_pdu(fd, sl_pdu_keepalive, x->pctx, 7);
	while (lctr(x, SL_LINK_CTR_NEG_FAILED) < 1 && sl_spool_now_ms() < deadline)
		run_for(20);
	close(fd);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_FAILED), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_RECORDS_SENT), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_CONNECTS), 0);
	sl_link_free(x->link);
	x->link = NULL;

	/* the receiver's side: a record between the gateway's optionRequest and its optionComplete */
	receiver_start(x, false, true);
	a.sin_port = htons(x->port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	send_pdu(fd, make_request, x->pctx, 0);
	send_pdu(fd, sl_pdu_keepalive, x->pctx, 1);
	{
		struct sl_pdu_hdr h = { .has_cin = true, .cin = 9, .seqno = 0, .ts_us = 1 };
		uint8_t media[20] = { 0x80 }, buf[512];
		struct sl_ipmm_cc cc = { .dir = SL_PDU_TO_TARGET, .data = media, .len = sizeof(media),
					 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
		struct sl_ber_w w;
		const uint8_t *p;
		size_t n;

		sl_ber_w_init(&w, buf, sizeof(buf));
		assert_int_equal(sl_pdu_cc_ipmm(&w, x->pctx, &h, &cc), 0);
		assert_true(sl_ber_w_result(&w, &p, &n));
		assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
	}
	do {
		run_for(20);
		sl_lemf_server_negotiations(x->srv, &ns);
	} while (ns.violations < 1 && sl_spool_now_ms() < deadline + 60000);
	close(fd);
	assert_int_equal(ns.violations, 1);
	assert_int_equal(ns.completed, 0);
}

/* What the raw peer has read from the link, PDU by PDU. */
struct seen {
	uint8_t buf[65536];
	size_t len;
	unsigned n;
	enum sl_pdu_kind kind[64];
	uint32_t seq[64], options[64], declined[64];
};

/* Read what the link sent so far (without blocking) and decode whole PDUs. */
static void peer_read(int fd, struct seen *sn)
{
	ssize_t r, sz;

	while ((r = recv(fd, sn->buf + sn->len, sizeof(sn->buf) - sn->len, MSG_DONTWAIT)) > 0)
		sn->len += (size_t)r;
	while ((sz = sl_pdu_frame(sn->buf, sn->len, 65536)) > 0) {
		struct sl_pdu_decoded d;

		assert_int_equal(sl_pdu_decode(NULL, sn->buf, (size_t)sz, &d, NULL, 0), 0);
		if (sn->n < 64) {
			sn->kind[sn->n] = d.kind;
			sn->seq[sn->n] = d.seqno;
			if (d.kind == SL_PDU_OPTION_REQUEST || d.kind == SL_PDU_OPTION_RESPONSE) {
				sn->options[sn->n] = d.u.option.options;
				sn->declined[sn->n] = d.u.option.declined;
			}
			sn->n++;
		}
		memmove(sn->buf, sn->buf + sz, sn->len - (size_t)sz);
		sn->len -= (size_t)sz;
	}
}

/* Run the loop and read until the peer has seen n PDUs. */
static void peer_wait(struct nx *x, int fd, struct seen *sn, unsigned n)
{
	int64_t deadline = sl_spool_now_ms() + 30000;

	(void)x;
	peer_read(fd, sn);
	while (sn->n < n && sl_spool_now_ms() < deadline) {
		run_for(20);
		peer_read(fd, sn);
	}
	assert_true(sn->n >= n);
}

static int make_accept_ack(struct sl_ber_w *w, const struct sl_pdu_ctx *pc, uint32_t seq, uint64_t ts)
{
	return sl_pdu_option_response(w, pc, seq, ts, SL_TRI_OPT(SL_TRI_OPT_PDU_ACK), 0);
}

/* Wait for the link's first connection to the raw peer and accept it. */
static int peer_accept(struct nx *x, uint64_t started)
{
	int64_t deadline = sl_spool_now_ms() + 30000;

	while (lctr(x, SL_LINK_CTR_NEG_STARTED) < started && sl_spool_now_ms() < deadline)
		run_for(20);
	assert_true(lctr(x, SL_LINK_CTR_NEG_STARTED) >= started);
	return accept(x->silent_fd, NULL, NULL);
}

/* Annex I.1.2: both ends request options; the link answers, completes, then sends records. */
void test_optneg_peer_requests(void **state)
{
	struct nx *x = *state;
	static struct seen sn;
	struct sl_link_status st;
	int64_t deadline;
	int fd;

	memset(&sn, 0, sizeof(sn));
	silent_start(x);
	append_records(x, 3);
	link_start(x, false, true, 30000);
	fd = peer_accept(x, 1);
	assert_true(fd >= 0);
	peer_wait(x, fd, &sn, 2);
	assert_int_equal(sn.kind[0], SL_PDU_OPTION_REQUEST);
	assert_int_equal(sn.seq[0], 0);
	assert_int_equal(sn.options[0], SL_TRI_OPT(SL_TRI_OPT_PDU_ACK));
	assert_int_equal(sn.kind[1], SL_PDU_KEEPALIVE);

	send_pdu(fd, make_accept_ack, x->pctx, 0);		/* our answer to its request 0 */
	send_pdu(fd, sl_pdu_keepalive_response, x->pctx, sn.seq[1]);
	send_pdu(fd, make_request, x->pctx, 5);			/* we ask pDUAcknowledgement of it */
	peer_wait(x, fd, &sn, 4);
	assert_int_equal(sn.kind[2], SL_PDU_OPTION_COMPLETE);	/* satisfied with our response */
	assert_int_equal(sn.seq[2], 1);
	assert_int_equal(sn.kind[3], SL_PDU_OPTION_RESPONSE);	/* to our request 5 */
	assert_int_equal(sn.seq[3], 5);
	assert_int_equal(sn.options[3], 0);
	assert_int_equal(sn.declined[3], SL_TRI_OPT(SL_TRI_OPT_PDU_ACK));
	run_for(200);
	peer_read(fd, &sn);
	assert_int_equal(sn.n, 4);				/* no record before our optionComplete */
	assert_int_equal(sl_link_state(x->link), SL_LINK_NEGOTIATING);

	send_pdu(fd, sl_pdu_option_complete, x->pctx, 0);
	peer_wait(x, fd, &sn, 7);
	assert_int_equal(sn.kind[4], SL_PDU_CC_IPMM);
	assert_int_equal(sn.kind[6], SL_PDU_CC_IPMM);
	sl_link_get_status(x->link, &st);
	assert_int_equal(st.state, SL_LINK_UP);
	assert_true(st.pdu_ack);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 1);
	/* pDUAcknowledgement is in use: a request follows the records */
	deadline = sl_spool_now_ms() + 30000;
	while (sl_spool_now_ms() < deadline) {
		unsigned i;
		bool req = false;

		run_for(20);
		peer_read(fd, &sn);
		for (i = 4; i < sn.n; i++)
			req |= sn.kind[i] == SL_PDU_ACK_REQUEST;
		if (req)
			break;
	}
	assert_true(lctr(x, SL_LINK_CTR_ACK_REQUEST_SENT) >= 1);
	close(fd);
}

/* An optionResponse numbered as no request of ours: the link drops the connection. */
void test_optneg_wrong_number(void **state)
{
	struct nx *x = *state;
	static struct seen sn;
	int64_t deadline;
	int fd;

	memset(&sn, 0, sizeof(sn));
	silent_start(x);
	link_start(x, false, false, 30000);
	fd = peer_accept(x, 1);
	assert_true(fd >= 0);
	peer_wait(x, fd, &sn, 2);
	assert_int_equal(sn.options[0], 0); /* no pdu-ack configured: nothing requested */
	send_pdu(fd, make_accept_ack, x->pctx, 3);
	deadline = sl_spool_now_ms() + 30000;
	while (lctr(x, SL_LINK_CTR_NEG_FAILED) < 1 && sl_spool_now_ms() < deadline)
		run_for(20);
	close(fd);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_FAILED), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 0);
}

/* Benign faults on both sides: negotiation and delivery as without them, in one connection. */
void test_optneg_benign_faults(void **state)
{
	struct nx *x = *state;
	const struct ft_plan p = {
		.short_read_every = 2, .short_write_every = 2, .short_len = 7,
		.eagain_read_every = 3, .eagain_write_every = 3,
	};
	const struct ft_stats *fl = ft_stats(FT_LINK), *fr = ft_stats(FT_LEMF);

	receiver_start(x, true, true);
	ft_set_plan(FT_LINK, &p);
	ft_set_plan(FT_LEMF, &p);
	ft_set_eintr_every(5);
	ft_enable(true, x->port);
	append_records(x, RECORDS);
	link_start(x, true, true, 0);
	wait_delivered(x, true);
	assert_int_equal(lctr(x, SL_LINK_CTR_CONNECTS), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_STARTED), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_FAILED), 0);
	assert_true(lctr(x, SL_LINK_CTR_ACK_RESPONSE) >= 1);
	assert_true(fl->short_writes > 0 && fl->eagain_writes > 0 && fl->short_reads > 0);
	assert_true(fr->short_reads > 0 && fr->eagain_reads > 0);
	check_receiver_order(x, true);
	ft_enable(false, 0);
}

/* The link's first connection is reset on its first write: the next one negotiates from the start. */
void test_optneg_reset_during(void **state)
{
	struct nx *x = *state;
	const struct ft_plan p = { .n_events = 1, .events = { { .conn = 1, .op = FT_WRITE, .nth = 1,
								   .fault = FT_RESET } } };
	struct sl_lemf_neg_stats ns;

	receiver_start(x, false, true);
	ft_set_plan(FT_LINK, &p);
	ft_enable(true, x->port);
	append_records(x, RECORDS);
	link_start(x, false, true, 0);
	wait_delivered(x, true);
	sl_lemf_server_negotiations(x->srv, &ns);
	assert_int_equal(ft_stats(FT_LINK)->faults[FT_RESET], 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_STARTED), 2);
	assert_int_equal(lctr(x, SL_LINK_CTR_NEG_COMPLETED), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_CONNECTS), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_END_RESET), 1);
	assert_int_equal(ns.completed, 1);
	assert_int_equal(ns.violations, 0);
	check_receiver_order(x, true);
	ft_enable(false, 0);
}

