/*
 * Transport tests (handover/transport.h), in two parts.
 *
 * Here: the one error mapping, on real sockets, with no event loop. Plain
 * TCP: nothing to read is want-read, a full socket want-write, FIN is
 * closed, RST is reset (reading and writing), EINTR from send(2)/recv(2)
 * is retried and never seen. TLS (test PKI from tests/pki/make_pki.sh):
 * the same, plus a bad record (raw bytes under TLS) is tls-error for the
 * side that reads it and tls-alert for the side that gets its alert; a
 * stream cut without close_notify is reset; a refused certificate is
 * tls-error for the client and tls-alert for the server; a write that
 * would block is repeated with its blocked length, and offering fewer
 * bytes afterwards is refused.
 *
 * test_transport_link.c: the delivery link and the receiver, in this
 * process, through the fault-injecting transport (fault_transport.h); and
 * the link's timer table against its documentation (docs/handover.md).
 *
 * test_transport_optneg.c: TS 102 232-1 option negotiation between the
 * link and the receiver (completed with pDUAcknowledgement, a receiver
 * without support, one that never answers).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>

#include "handover/delivery_log.h"
#include "handover/spool.h"
#include "handover/tls.h"
#include "handover/transport.h"
#include "tests/unit/fault_transport.h"
#include "tests/unit/test_transport.h"

char tt_pki[300];

/* A connected pair of non-blocking TCP sockets on loopback. */
static void tcp_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
	*a = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(*a, (struct sockaddr *)&sa, sizeof(sa)), 0);
	*b = accept(l, NULL, NULL);
	assert_true(*b >= 0);
	close(l);
	assert_int_equal(fcntl(*a, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(*b, F_SETFL, O_NONBLOCK), 0);
}

/* Make the next close of fd send an RST. */
static void linger0(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
}

/* read_all's want for a read that must end in a failure or a close, not in data */
#define TO_THE_END SIZE_MAX

/*
 * Read until `want` bytes have come and then until nothing more is there
 * at once (the result: want-read), or until a result other than data or
 * "would block" (a close, a reset, a TLS failure); bytes read counted.
 * Waits for that condition, polling the socket, up to 5 s: on a loaded
 * machine the peer's bytes or its RST can take their time.
 */
static enum sl_tr_res read_all(struct sl_transport *t, size_t want, size_t *total)
{
	struct pollfd p = { .fd = sl_transport_fd(t), .events = POLLIN };
	int64_t deadline = sl_spool_now_ms() + 5000;
	uint8_t buf[4096];
	enum sl_tr_res r;
	size_t n;

	*total = 0;
	for (;;) {
		r = sl_transport_read(t, buf, sizeof(buf), &n);
		if (r == SL_TR_OK) {
			*total += n;
			continue;
		}
		if (r != SL_TR_WANT_READ || *total >= want)
			return r;
		if (sl_spool_now_ms() >= deadline) {
			print_message("  read: %zu of %zu bytes in 5 s\n", *total, want);
			return r;
		}
		poll(&p, 1, 100);
	}
}

/* Wait (up to 5 s) until the peer's RST has arrived on fd. */
static void wait_hup(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
	assert_true(p.revents & (POLLERR | POLLHUP));
}

/* Write 32 KiB at a time until it would block; bytes written. */
static size_t fill(struct sl_transport *t, enum sl_tr_res *last)
{
	static uint8_t buf[32768];
	size_t n, total = 0;
	enum sl_tr_res r;

	while ((r = sl_transport_write(t, buf, sizeof(buf), &n)) == SL_TR_OK)
		total += n;
	*last = r;
	return total;
}

static void test_tcp_results(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "tcp");
	struct sl_transport *a, *b;
	enum sl_tr_res r;
	uint8_t buf[64];
	size_t n, got, sent;
	int fa, fb;

	ft_enable(false, 0);
	tcp_pair(&fa, &fb);
	a = sl_transport_tcp_new(ctx, fa);
	b = sl_transport_tcp_new(ctx, fb);
	assert_string_equal(a->ops->kind, "tcp");
	sl_transport_describe(a, (char *)buf, sizeof(buf));
	assert_string_equal((char *)buf, "PLAIN TCP");

	/* nothing to read */
	assert_int_equal(sl_transport_read(b, buf, sizeof(buf), &n), SL_TR_WANT_READ);
	assert_false(sl_transport_wants_write(b));
	/* data both ways, with every other send/recv interrupted once */
	ft_set_eintr_every(2);
	assert_int_equal(sl_transport_write(a, "hello", 5, &n), SL_TR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(sl_transport_write(a, "world", 5, &n), SL_TR_OK);
	assert_int_equal(read_all(b, 10, &got), SL_TR_WANT_READ);
	assert_int_equal(got, 10);
	assert_true(ft_eintr_count() >= 2);
	ft_set_eintr_every(0);
	assert_int_equal(sl_transport_wire_out(a), 10);
	/* a full socket: want-write */
	sent = fill(a, &r);
	assert_int_equal(r, SL_TR_WANT_WRITE);
	assert_true(sl_transport_wants_write(a));
	assert_int_equal(read_all(b, sent, &got), SL_TR_WANT_READ);
	assert_int_equal(got, sent);
	/* FIN: closed */
	sl_transport_close(a);
	assert_int_equal(read_all(b, TO_THE_END, &got), SL_TR_CLOSED);
	assert_non_null(strstr(sl_transport_error(b), "closed"));
	sl_transport_close(b);

	/* RST: reset, reading and then writing */
	tcp_pair(&fa, &fb);
	a = sl_transport_tcp_new(ctx, fa);
	b = sl_transport_tcp_new(ctx, fb);
	linger0(fa);
	sl_transport_close(a);
	assert_int_equal(read_all(b, TO_THE_END, &got), SL_TR_RESET);
	print_message("  RST read: %s\n", sl_transport_error(b));
	assert_int_equal(sl_transport_write(b, "x", 1, &n), SL_TR_RESET);
	print_message("  RST write: %s\n", sl_transport_error(b));
	sl_transport_close(b);
	assert_int_equal(talloc_total_blocks(ctx), 1);
	talloc_free(ctx);
}

static SSL_CTX *tls_ctx(const char *leaf, bool server)
{
	char cert[400], key[400], ca[400], err[256];
	struct sl_tls_cfg c = { .cert_file = cert, .key_file = key, .ca_file = ca, .server = server };
	SSL_CTX *s;

	snprintf(cert, sizeof(cert), "%s/%s.crt", tt_pki, leaf);
	snprintf(key, sizeof(key), "%s/%s.key", tt_pki, leaf);
	snprintf(ca, sizeof(ca), "%s/ca.crt", tt_pki);
	s = sl_tls_ctx_new(&c, err, sizeof(err));
	if (!s)
		fail_msg("TLS context: %s", err);
	return s;
}

/* Drive both handshakes until neither would block (up to 5 s); results in rc, rs. */
static void handshake(struct sl_transport *c, struct sl_transport *s, enum sl_tr_res *rc, enum sl_tr_res *rs)
{
	struct pollfd p[2] = { { .fd = sl_transport_fd(c) }, { .fd = sl_transport_fd(s) } };
	int64_t deadline = sl_spool_now_ms() + 5000;

	*rc = *rs = SL_TR_WANT_READ;
	while (sl_tr_would_block(*rc) || sl_tr_would_block(*rs)) {
		if (sl_tr_would_block(*rc))
			*rc = sl_transport_handshake(c);
		if (sl_tr_would_block(*rs))
			*rs = sl_transport_handshake(s);
		if (sl_spool_now_ms() >= deadline)
			break;
		/* wait for what each side waits for; one that is done waits for nothing */
		p[0].events = !sl_tr_would_block(*rc) ? 0 : *rc == SL_TR_WANT_WRITE ? POLLOUT : POLLIN;
		p[1].events = !sl_tr_would_block(*rs) ? 0 : *rs == SL_TR_WANT_WRITE ? POLLOUT : POLLIN;
		poll(p, 2, 100);
	}
}

/* A client (gateway) and server (receiver) TLS transport, handshake done. */
static void tls_pair(void *ctx, SSL_CTX *cc, SSL_CTX *sc, const char *verify, struct sl_transport **c,
		     struct sl_transport **s, enum sl_tr_res *rc, enum sl_tr_res *rs)
{
	char err[256];
	int fa, fb;

	tcp_pair(&fa, &fb);
	*c = sl_transport_tls_new(ctx, cc, fa, verify, err, sizeof(err));
	*s = sl_transport_tls_new(ctx, sc, fb, NULL, err, sizeof(err));
	assert_non_null(*c);
	assert_non_null(*s);
	handshake(*c, *s, rc, rs);
}

static void test_tls_results(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "tls");
	SSL_CTX *cc = tls_ctx("gw", false), *sc = tls_ctx("lemf", true);
	uint8_t junk[5 + 32] = { 0x17, 0x03, 0x03, 0x00, 0x20 }, big[65536] = { 0 };
	struct sl_transport *c, *s;
	enum sl_tr_res rc, rs, r;
	char desc[96];
	size_t n, got, sent;

	ft_enable(false, 0);
	tls_pair(ctx, cc, sc, "127.0.0.1", &c, &s, &rc, &rs);
	assert_int_equal(rc, SL_TR_OK);
	assert_int_equal(rs, SL_TR_OK);
	sl_transport_describe(c, desc, sizeof(desc));
	print_message("  %s\n", desc);
	assert_non_null(strstr(desc, "TLSv1."));
	assert_int_equal(sl_transport_read(s, big, sizeof(big), &n), SL_TR_WANT_READ);
	/* data, with EINTR under the BIO */
	ft_set_eintr_every(2);
	assert_int_equal(sl_transport_write(c, "hello", 5, &n), SL_TR_OK);
	assert_int_equal(n, 5);
	assert_int_equal(read_all(s, 5, &got), SL_TR_WANT_READ);
	assert_int_equal(got, 5);
	assert_true(ft_eintr_count() >= 1);
	ft_set_eintr_every(0);
	assert_true(sl_transport_wire_out(c) > 5); /* ciphertext, handshake included */
	/* would block: repeated with the blocked length even when offered more, refused with less */
	sent = fill(c, &r);
	assert_int_equal(r, SL_TR_WANT_WRITE);
	assert_int_equal(sl_transport_write(c, big, 100, &n), SL_TR_ERROR);
	assert_int_equal(read_all(s, sent, &got), SL_TR_WANT_READ);
	assert_int_equal(sl_transport_write(c, big, 2 * sizeof(big) / 3, &n), SL_TR_OK);
	assert_int_equal(n, sizeof(big) / 2); /* fill() blocked on a half-size write */
	sent += n;
	assert_int_equal(read_all(s, sent - got, &n), SL_TR_WANT_READ);
	assert_int_equal(got + n, sent);

	/* a bad record: tls-error where it is read, tls-alert where the alert arrives */
	memset(junk + 5, 0xa5, sizeof(junk) - 5);
	assert_int_equal(send(sl_transport_fd(c), junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_int_equal(read_all(s, TO_THE_END, &got), SL_TR_TLS_ERROR);
	print_message("  bad record, reader: %s\n", sl_transport_error(s));
	assert_int_equal(read_all(c, TO_THE_END, &got), SL_TR_TLS_ALERT);
	print_message("  bad record, writer: %s\n", sl_transport_error(c));
	sl_transport_close(c);
	sl_transport_close(s);

	/*
	 * The same, but the reader of the bad record then resets the
	 * connection, and the writer writes before it reads: its alert is in
	 * the writer's receive queue ahead of the RST, so the write reports
	 * the alert, not the reset, however the two sides were scheduled.
	 */
	tls_pair(ctx, cc, sc, "127.0.0.1", &c, &s, &rc, &rs);
	assert_int_equal(send(sl_transport_fd(c), junk, sizeof(junk), 0), (ssize_t)sizeof(junk));
	assert_int_equal(read_all(s, TO_THE_END, &got), SL_TR_TLS_ERROR);
	linger0(sl_transport_fd(s));
	sl_transport_close(s);
	wait_hup(sl_transport_fd(c));
	assert_int_equal(sl_transport_write(c, "after", 5, &n), SL_TR_TLS_ALERT);
	print_message("  bad record, writer then reset: %s\n", sl_transport_error(c));
	assert_non_null(strstr(sl_transport_error(c), "TLS write"));
	assert_non_null(strstr(sl_transport_error(c), "alert"));
	sl_transport_close(c);
	/* a reset with no alert before it stays a reset */
	tls_pair(ctx, cc, sc, "127.0.0.1", &c, &s, &rc, &rs);
	assert_int_equal(sl_transport_write(c, "unread", 6, &n), SL_TR_OK);
	linger0(sl_transport_fd(s));
	sl_transport_close(s);
	wait_hup(sl_transport_fd(c));
	assert_int_equal(sl_transport_write(c, "after", 5, &n), SL_TR_RESET);
	print_message("  reset, writer: %s\n", sl_transport_error(c));
	sl_transport_close(c);

	/* cut without close_notify: reset; and an RST under TLS: reset */
	tls_pair(ctx, cc, sc, "127.0.0.1", &c, &s, &rc, &rs);
	sl_transport_close(s);
	assert_int_equal(read_all(c, TO_THE_END, &got), SL_TR_RESET);
	print_message("  cut: %s\n", sl_transport_error(c));
	sl_transport_close(c);
	tls_pair(ctx, cc, sc, "127.0.0.1", &c, &s, &rc, &rs);
	linger0(sl_transport_fd(s));
	sl_transport_close(s);
	assert_int_equal(read_all(c, TO_THE_END, &got), SL_TR_RESET);
	print_message("  RST: %s\n", sl_transport_error(c));
	sl_transport_close(c);

	/* a refused certificate: tls-error for the client, tls-alert for the server */
	tls_pair(ctx, cc, sc, "other.test", &c, &s, &rc, &rs);
	print_message("  refused: client %s: %s\n", get_value_string(sl_tr_res_names, rc), sl_transport_error(c));
	print_message("  refused: server %s: %s\n", get_value_string(sl_tr_res_names, rs), sl_transport_error(s));
	assert_int_equal(rc, SL_TR_TLS_ERROR);
	assert_non_null(strstr(sl_transport_error(c), "hostname mismatch"));
	assert_int_equal(rs, SL_TR_TLS_ALERT);
	sl_transport_close(c);
	sl_transport_close(s);

	SSL_CTX_free(cc);
	SSL_CTX_free(sc);
	assert_int_equal(talloc_total_blocks(ctx), 1);
	talloc_free(ctx);
}

static const struct log_info test_log_info = {
	.cat = sl_delivery_log_cats,
	.num_cat = _SL_DELIVERY_LOGC_COUNT,
};

int main(void)
{
	const char *src = getenv("top_srcdir");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tcp_results, tt_teardown),
		cmocka_unit_test_teardown(test_tls_results, tt_teardown),
		cmocka_unit_test_setup_teardown(test_link_benign_tls, tt_setup, tt_teardown),
		cmocka_unit_test_setup_teardown(test_link_benign_tcp, tt_setup, tt_teardown),
		cmocka_unit_test_setup_teardown(test_link_resets, tt_setup, tt_teardown),
		cmocka_unit_test_setup_teardown(test_link_tls_alerts, tt_setup, tt_teardown),
		cmocka_unit_test_setup_teardown(test_link_tcp_garbage, tt_setup, tt_teardown),
		cmocka_unit_test(test_timer_table_documented),
		cmocka_unit_test_setup_teardown(test_optneg_pdu_ack, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_unsupported, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_timeout, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_out_of_place, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_peer_requests, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_wrong_number, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_benign_faults, tn_setup, tn_teardown),
		cmocka_unit_test_setup_teardown(test_optneg_reset_during, tn_setup, tn_teardown),
	};
	char cmd[1000];
	int rc;

	if (!src) {
		fputs("test_transport: run through make check (top_srcdir)\n", stderr);
		return 77;
	}
	snprintf(tt_tmp, sizeof(tt_tmp), "%s/transport-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tt_tmp))
		return 99;
	snprintf(tt_pki, sizeof(tt_pki), "%s/pki", tt_tmp);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/pki/make_pki.sh' '%s'", src, tt_pki);
	if (system(cmd) != 0) {
		fputs("test_transport: make_pki.sh failed\n", stderr);
		return 99;
	}
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid());
	log_init(&test_log_info, NULL);
	if (getenv("TRANSPORT_LOG")) {
		struct log_target *lt = log_target_create_stderr();

		log_set_all_filter(lt, 1);
		log_set_log_level(lt, LOGL_DEBUG);
		log_set_print_extended_timestamp(lt, 1);
		log_set_category_filter(lt, DSLLINK, 1, LOGL_DEBUG);
		log_add_target(lt);
	}
	if (getenv("TRANSPORT_TEST"))
		cmocka_set_test_filter(getenv("TRANSPORT_TEST"));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tt_tmp);
	if (!rc && system(cmd) != 0)
		return 99;
	return rc;
}
