/*
 * The delivery link and the receiver through the fault-injecting
 * transport (fault_transport.h): a spool and a link (handover/link.h), and
 * the receiver library with its store (lemf/), in this process and one
 * select loop, on loopback, each side's transport disturbed on its own
 * schedule. Records are IPMMCC PS-PDUs with sequence numbers 0..N-1; the
 * receiver's pdus.jsonl must hold every one of them.
 *
 *   - benign faults (short reads and writes, "would block", EINTR) on both
 *     sides, over TLS with pDUAcknowledgement and over plain TCP with the
 *     resend window: one connection, no resend, no duplicate, no
 *     connection ended, and the faults did happen;
 *   - resets injected on the link's and on the receiver's side: each is
 *     counted as a reset by both ends, the link reconnects, and duplicates
 *     are at most the records the link counted as resent;
 *   - TLS alerts: one handed to the link, and two real ones made by
 *     corrupting each direction (the reader of the bad record counts a TLS
 *     error, the other end the alert it answers with);
 *   - garbage on plain TCP: the receiver ends the connection as unframed.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>

#include "handover/link.h"
#include "handover/link_etsi.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/spool.h"
#include "handover/tls.h"
#include "lemf/lemf_server.h"
#include "lemf/lemf_store.h"
#include "tests/unit/fault_transport.h"
#include "tests/unit/test_transport.h"

#define LIID "LIID-FAULTS-1"

char tt_tmp[256];

struct lx {
	void *ctx;
	char dir[400], out[400];
	struct sl_spool *spool;
	struct sl_pdu_ctx *pctx;
	uint32_t next_seq;
	SSL_CTX *sctx;
	struct sl_lemf_store *store;
	struct sl_lemf_server *srv;
	struct sl_link *link;
	uint16_t port;
};

/* Loop wake-up; outlives a failed assertion (cmocka longjmps): teardown removes it. */
static struct osmo_timer_list wake;

int tt_setup(void **state)
{
	static unsigned n;
	struct lx *x = calloc(1, sizeof(*x));
	struct sl_pdu_ctx_cfg pc = { .liid = LIID, .operator_id = "sluice-test", .ne_id = "gw1", .ts_digits = 6 };
	struct sl_spool_cfg sc = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 1u << 20 };
	char err[256];

	x->ctx = talloc_named_const(NULL, 0, "test");
	snprintf(x->dir, sizeof(x->dir), "%s/spool%u", tt_tmp, n);
	snprintf(x->out, sizeof(x->out), "%s/out%u", tt_tmp, n++);
	assert_int_equal(sl_spool_open(x->ctx, x->dir, "test", &sc, &x->spool, err, sizeof(err)), 0);
	x->pctx = sl_pdu_ctx_alloc(x->ctx, &pc);
	assert_non_null(x->pctx);
	ft_reset();
	*state = x;
	return 0;
}

int tt_teardown(void **state)
{
	struct lx *x = *state;

	osmo_timer_del(&wake);
	ft_enable(false, 0);
	ft_reset();
	if (!x)
		return 0;
	if (x->link)
		sl_link_free(x->link);
	talloc_free(x->srv);
	talloc_free(x->ctx);
	if (x->sctx)
		SSL_CTX_free(x->sctx);
	free(x);
	return 0;
}

static void noop(void *p)
{
}

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

static void append_pdu(struct lx *x)
{
	uint8_t buf[1024], media[160];
	struct sl_pdu_hdr h = { .has_cin = true, .cin = 7, .seqno = x->next_seq,
				.ts_us = (uint64_t)sl_spool_now_ms() * 1000 };
	struct sl_ipmm_cc cc = { .dir = SL_PDU_FROM_TARGET, .data = media, .len = sizeof(media),
				 .frame = SL_MMCC_FRAME_RTP, .proto = SL_MMCC_PROTO_RTP };
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	memset(media, (int)(x->next_seq & 0xff), sizeof(media));
	media[0] = 0x80;
	sl_ber_w_init(&w, buf, sizeof(buf));
	assert_int_equal(sl_pdu_cc_ipmm(&w, x->pctx, &h, &cc), 0);
	assert_true(sl_ber_w_result(&w, &p, &n));
	assert_int_equal(sl_spool_append(x->spool, p, n, NULL), 0);
	x->next_seq++;
}

/* The receiver library on a free loopback port, its transports wrapped from now on. */
static void receiver_start(struct lx *x, bool tls)
{
	struct sl_lemf_server_cfg sc = { .addr = "127.0.0.1", .max_pdu = 65536,
					 .verbose = getenv("TRANSPORT_LOG") != NULL };
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
	ft_enable(true, x->port);
}

static void link_start(struct lx *x, bool tls)
{
	char cert[400], key[400], ca[400], err[256] = "";
	struct sl_link_cfg cfg = {
		.name = tls ? "lea1-hi3" : "lea1-hi2", .host = "127.0.0.1", .port = x->port, .plain = !tls,
		.tls_cert = cert, .tls_key = key, .tls_ca = ca, .connect_timeout_ms = 2000,
		.backoff_min_ms = 20, .backoff_max_ms = 200, .time1_ms = 100, .time3_ms = 3000,
		.pdu_ack = tls, .time6_ms = 50, .time5_ms = 3000,
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

static uint64_t lctr(struct lx *x, unsigned idx)
{
	return rate_ctr_group_get_ctr(sl_link_ctrs(x->link), idx)->current;
}

static bool delivered(struct lx *x, bool pdu_ack)
{
	struct sl_link_status st;
	struct sl_spool_stats ss;

	sl_link_get_status(x->link, &st);
	sl_spool_get_stats(x->spool, &ss);
	return st.state == SL_LINK_UP && (pdu_ack ? st.queued_records == 0 : st.tcp_acked_id == ss.last_id);
}

/*
 * Append `total` records, 20 at a time while the loop runs, then wait
 * until everything is delivered (pdu_ack: released; else TCP-acked) and
 * keep the link idle a little (keep-alives flow).
 */
static void stream(struct lx *x, uint32_t total, bool pdu_ack)
{
	int64_t deadline;

	while (x->next_seq < total) {
		unsigned i;

		for (i = 0; i < 20 && x->next_seq < total; i++)
			append_pdu(x);
		run_for(2);
	}
	deadline = sl_spool_now_ms() + 30000;
	while (!delivered(x, pdu_ack) && sl_spool_now_ms() < deadline)
		run_for(20);
	run_for(300);
	assert_true(delivered(x, pdu_ack));
}

/* Sequence numbers of the cc stream in pdus.jsonl: none missing; duplicates returned. */
static uint64_t check_output(struct lx *x)
{
	char path[600], line[8192];
	uint32_t n = x->next_seq, *seen = calloc(n, sizeof(*seen)), i, missing = 0;
	uint64_t dups = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s/pdus.jsonl", x->out, LIID);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		const char *s = strstr(line, "\"seq\":");
		unsigned long long v;
		char *end;

		if (!strstr(line, "\"stream\":\"cc\""))
			continue;
		assert_non_null(s);
		v = strtoull(s + 6, &end, 10);
		assert_true(end != s + 6 && v < n);
		if (seen[v]++)
			dups++;
	}
	fclose(fp);
	for (i = 0; i < n; i++)
		missing += !seen[i];
	free(seen);
	if (missing)
		fail_msg("%u of %u sequence numbers missing", missing, n);
	return dups;
}

struct ends {
	uint64_t link[_SL_TR_RES_COUNT]; /* link:end:* by transport result */
	uint64_t lemf[_SL_TR_RES_COUNT]; /* receiver connections ended, by result */
	uint64_t unframed;
};

/* Stop both ends (the receiver first, so its counts are final) and report. */
static void finish(struct lx *x, struct ends *e, uint64_t *dups)
{
	static const unsigned idx[_SL_TR_RES_COUNT] = {
		[SL_TR_CLOSED] = SL_LINK_CTR_END_CLOSED, [SL_TR_RESET] = SL_LINK_CTR_END_RESET,
		[SL_TR_TLS_ALERT] = SL_LINK_CTR_END_TLS_ALERT, [SL_TR_TLS_ERROR] = SL_LINK_CTR_END_TLS_ERROR,
		[SL_TR_ERROR] = SL_LINK_CTR_END_ERROR,
	};
	const struct ft_stats *fl = ft_stats(FT_LINK), *fr = ft_stats(FT_LEMF);
	struct sl_link_status st;
	unsigned r;

	memset(e, 0, sizeof(*e));
	for (r = 0; r < _SL_TR_RES_COUNT; r++)
		if (idx[r])
			e->link[r] = lctr(x, idx[r]);
	sl_lemf_server_closes(x->srv, e->lemf, &e->unframed);
	sl_link_get_status(x->link, &st);
	*dups = check_output(x);
	print_message("  %u records: %" PRIu64 " connects, %" PRIu64 " resent, %" PRIu64 " duplicates, %" PRIu64
		      " ack and %" PRIu64 " keep-alive responses; last error: %s\n",
		      x->next_seq, lctr(x, SL_LINK_CTR_CONNECTS), lctr(x, SL_LINK_CTR_RECORDS_RESENT), *dups,
		      lctr(x, SL_LINK_CTR_ACK_RESPONSE), lctr(x, SL_LINK_CTR_KEEPALIVE_RESPONSE), st.last_error);
	print_message("  link ended: closed %" PRIu64 " reset %" PRIu64 " tls-alert %" PRIu64 " tls-error %" PRIu64
		      " error %" PRIu64 "; receiver ended: closed %" PRIu64 " reset %" PRIu64 " tls-alert %" PRIu64
		      " tls-error %" PRIu64 " error %" PRIu64 " unframed %" PRIu64 "\n",
		      e->link[SL_TR_CLOSED], e->link[SL_TR_RESET], e->link[SL_TR_TLS_ALERT], e->link[SL_TR_TLS_ERROR],
		      e->link[SL_TR_ERROR], e->lemf[SL_TR_CLOSED], e->lemf[SL_TR_RESET], e->lemf[SL_TR_TLS_ALERT],
		      e->lemf[SL_TR_TLS_ERROR], e->lemf[SL_TR_ERROR], e->unframed);
	print_message("  injected: link %" PRIu64 "/%" PRIu64 " short r/w, %" PRIu64 "/%" PRIu64
		      " would-block r/w; receiver %" PRIu64 "/%" PRIu64 ", %" PRIu64 "/%" PRIu64 "; %" PRIu64 " EINTR\n",
		      fl->short_reads, fl->short_writes, fl->eagain_reads, fl->eagain_writes, fr->short_reads,
		      fr->short_writes, fr->eagain_reads, fr->eagain_writes, ft_eintr_count());
}

static void benign_plan(void)
{
	const struct ft_plan p = {
		.short_read_every = 3, .short_write_every = 2, .short_len = 50,
		.eagain_read_every = 4, .eagain_write_every = 3,
	};

	ft_set_plan(FT_LINK, &p);
	ft_set_plan(FT_LEMF, &p);
	ft_set_eintr_every(5);
}

static void benign(struct lx *x, bool tls)
{
	const struct ft_stats *fl = ft_stats(FT_LINK), *fr = ft_stats(FT_LEMF);
	struct ends e;
	uint64_t dups;
	unsigned r;

	int64_t deadline;

	benign_plan();
	receiver_start(x, tls);
	link_start(x, tls);
	stream(x, 3000, tls);
	/* idle: keep-alives flow (TIME1 100 ms); wait for an answer, up to 5 s on a loaded machine */
	deadline = sl_spool_now_ms() + 5000;
	while (!lctr(x, SL_LINK_CTR_KEEPALIVE_RESPONSE) && sl_spool_now_ms() < deadline)
		run_for(20);
	finish(x, &e, &dups);
	/* one connection, nothing resent or duplicated, nothing ended */
	assert_int_equal(lctr(x, SL_LINK_CTR_CONNECTS), 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_DISCONNECTS), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_RECORDS_RESENT), 0);
	assert_int_equal(lctr(x, SL_LINK_CTR_RX_INVALID), 0);
	assert_int_equal(dups, 0);
	for (r = 0; r < _SL_TR_RES_COUNT; r++) {
		assert_int_equal(e.link[r], 0);
		assert_int_equal(e.lemf[r], 0);
	}
	assert_int_equal(e.unframed, 0);
	assert_true(lctr(x, SL_LINK_CTR_KEEPALIVE_RESPONSE) > 0);
	if (tls)
		assert_true(lctr(x, SL_LINK_CTR_ACK_RESPONSE) > 0);
	/* and the faults did happen, on both sides */
	assert_true(fl->short_writes > 0 && fl->eagain_writes > 0 && fl->short_reads > 0);
	assert_true(fr->short_reads > 0 && fr->eagain_reads > 0 && fr->short_writes + fr->eagain_writes > 0);
	assert_true(ft_eintr_count() > 0);
}

void test_link_benign_tls(void **state)
{
	benign(*state, true);
}

void test_link_benign_tcp(void **state)
{
	benign(*state, false);
}

/* Duplicates only where the link resent after a reconnect, and everything released. */
static void assert_resends_explain_dups(struct lx *x, uint64_t dups)
{
	assert_true(dups <= lctr(x, SL_LINK_CTR_RECORDS_RESENT));
	assert_int_equal(lctr(x, SL_LINK_CTR_RX_INVALID), 0);
}

/*
 * A reset made by the link (its connection 1, 40th write) and one made by
 * the receiver (its connection 2, 60th read), with short reads going on:
 * both ends count two resets, nothing else.
 */
void test_link_resets(void **state)
{
	struct lx *x = *state;
	struct ft_plan pl = { .short_read_every = 3, .short_len = 50, .n_events = 1,
			      .events = { { .conn = 1, .op = FT_WRITE, .nth = 40, .fault = FT_RESET } } };
	struct ft_plan pr = { .short_read_every = 3, .short_len = 50, .n_events = 1,
			      .events = { { .conn = 2, .op = FT_READ, .nth = 60, .fault = FT_RESET } } };
	struct ends e;
	uint64_t dups;

	ft_set_plan(FT_LINK, &pl);
	ft_set_plan(FT_LEMF, &pr);
	receiver_start(x, true);
	link_start(x, true);
	stream(x, 4000, true);
	finish(x, &e, &dups);
	assert_int_equal(ft_stats(FT_LINK)->faults[FT_RESET], 1);
	assert_int_equal(ft_stats(FT_LEMF)->faults[FT_RESET], 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_DISCONNECTS), 2);
	assert_int_equal(lctr(x, SL_LINK_CTR_RECONNECTS), 2);
	assert_int_equal(e.link[SL_TR_RESET], 2);
	assert_int_equal(e.lemf[SL_TR_RESET], 2);
	assert_int_equal(e.link[SL_TR_CLOSED] + e.link[SL_TR_TLS_ALERT] + e.link[SL_TR_TLS_ERROR] + e.link[SL_TR_ERROR], 0);
	assert_int_equal(e.lemf[SL_TR_CLOSED] + e.lemf[SL_TR_TLS_ALERT] + e.lemf[SL_TR_TLS_ERROR] + e.lemf[SL_TR_ERROR], 0);
	assert_resends_explain_dups(x, dups);
}

/*
 * TLS alerts: the link's connection 1 is handed a fatal alert on its 5th
 * read (the receiver sees the RST); the receiver corrupts its connection
 * 2 before its 3rd write (the link reads a bad record: tls-error; the
 * receiver gets the link's alert); the link corrupts its connection 3
 * before its 30th write (the receiver reads the bad record: tls-error; the
 * link gets the receiver's alert).
 */
void test_link_tls_alerts(void **state)
{
	struct lx *x = *state;
	struct ft_plan pl = { .n_events = 2,
			      .events = { { .conn = 1, .op = FT_READ, .nth = 5, .fault = FT_ALERT },
					  { .conn = 3, .op = FT_WRITE, .nth = 30, .fault = FT_CORRUPT } } };
	struct ft_plan pr = { .n_events = 1, .events = { { .conn = 2, .op = FT_WRITE, .nth = 3, .fault = FT_CORRUPT } } };
	struct ends e;
	uint64_t dups;

	ft_set_plan(FT_LINK, &pl);
	ft_set_plan(FT_LEMF, &pr);
	receiver_start(x, true);
	link_start(x, true);
	stream(x, 4000, true);
	finish(x, &e, &dups);
	assert_int_equal(ft_stats(FT_LINK)->faults[FT_ALERT], 1);
	assert_int_equal(ft_stats(FT_LINK)->faults[FT_CORRUPT], 1);
	assert_int_equal(ft_stats(FT_LEMF)->faults[FT_CORRUPT], 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_DISCONNECTS), 3);
	assert_int_equal(e.link[SL_TR_TLS_ALERT], 2);
	assert_int_equal(e.link[SL_TR_TLS_ERROR], 1);
	assert_int_equal(e.lemf[SL_TR_RESET], 1);
	assert_int_equal(e.lemf[SL_TR_TLS_ALERT], 1);
	assert_int_equal(e.lemf[SL_TR_TLS_ERROR], 1);
	assert_resends_explain_dups(x, dups);
}

/*
 * Garbage on plain TCP (the link's connection 1, before its 20th write):
 * the receiver ends the connection as unframed, the link reconnects and
 * resends; nothing is missing.
 */
void test_link_tcp_garbage(void **state)
{
	struct lx *x = *state;
	struct ft_plan pl = { .n_events = 1, .events = { { .conn = 1, .op = FT_WRITE, .nth = 20, .fault = FT_CORRUPT } } };
	struct ends e;
	uint64_t dups;

	ft_set_plan(FT_LINK, &pl);
	receiver_start(x, false);
	link_start(x, false);
	stream(x, 3000, false);
	finish(x, &e, &dups);
	assert_int_equal(ft_stats(FT_LINK)->faults[FT_CORRUPT], 1);
	assert_int_equal(e.unframed, 1);
	assert_int_equal(lctr(x, SL_LINK_CTR_DISCONNECTS), 1);
	assert_int_equal(e.link[SL_TR_CLOSED] + e.link[SL_TR_RESET], 1);
	assert_resends_explain_dups(x, dups);
}

/*
 * docs/handover.md documents every timer of the table with its default:
 * a row starting "| T<n> (" or "| X<n>" that names the default as
 * "<n> s", "<n.n> s" or "<n> ms" (T1's default, 0, is the destination's
 * keepalive and is documented as such).
 */
void test_timer_table_documented(void **state)
{
	const struct osmo_tdef *t;
	char path[600], *doc, row[32], val[32];
	FILE *fp;
	long len;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/docs/handover.md", getenv("top_srcdir"));
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len > 0);
	rewind(fp);
	doc = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(doc, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	osmo_tdef_for_each(t, sl_link_timer_defaults()) {
		const char *r, *eol;

		snprintf(row, sizeof(row), t->T > 0 ? "\n| T%d (" : "\n| X%d ", t->T > 0 ? t->T : -t->T);
		r = strstr(doc, row);
		if (!r)
			fail_msg("docs/handover.md has no timer row '%s'", row + 1);
		eol = strchr(r + 1, '\n');
		assert_non_null(eol);
		assert_int_equal(t->unit, OSMO_TDEF_MS);
		if (t->default_val % 1000 == 0)
			snprintf(val, sizeof(val), "%lu s", t->default_val / 1000);
		else if (t->default_val >= 100)
			snprintf(val, sizeof(val), "%lu.%lu s", t->default_val / 1000, t->default_val % 1000 / 100);
		else
			snprintf(val, sizeof(val), "%lu ms", t->default_val);
		if (t->default_val && !memmem(r, (size_t)(eol - r), val, strlen(val)))
			fail_msg("docs/handover.md row '%s' does not give the default %s", row + 1, val);
		n++;
	}
	assert_int_equal(n, 10);
	free(doc);
}
