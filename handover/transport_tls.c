/*
 * TLS transport (see transport.h) over OpenSSL 3, on a connected
 * non-blocking socket, with the policy of tls.h (TS 102 232-1 clauses
 * 6.3.1 and 7.2.2: mutual authentication, TLS 1.2 at least).
 *
 * The socket is driven through a counting BIO, so the link can tell how
 * many ciphertext bytes reached the kernel (wire_out) and compare that
 * with what the kernel says is still unacknowledged (SIOCOUTQ). The BIO
 * retries EINTR itself and keeps the errno of a failed call, so the
 * error mapping (transport.c) does not depend on errno surviving
 * OpenSSL's own calls.
 *
 * SSL_write must be repeated with the same length after it would block;
 * a caller that has appended more bytes meanwhile (the receiver's answer
 * queue) is fine: the transport writes exactly the blocked length again.
 */
#include "handover/transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <talloc.h>

struct tls_transport {
	struct sl_transport t; /* first */
	SSL *ssl;
	uint64_t wire_out;
	int sys_errno;		/* errno of the BIO's last failed send/recv, 0 if none */
	size_t blocked_len;	/* length of a write that would block, to be repeated */
};

/* --- counting socket BIO: send/recv on the fd, bytes sent counted -------- */

static int cbio_write(BIO *b, const char *p, int n)
{
	struct tls_transport *c = BIO_get_data(b);
	ssize_t w;

	BIO_clear_retry_flags(b);
	do
		w = send(c->t.fd, p, (size_t)n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		c->sys_errno = errno;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_write(b);
		return -1;
	}
	c->wire_out += (uint64_t)w;
	return (int)w;
}

static int cbio_read(BIO *b, char *p, int n)
{
	struct tls_transport *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	do
		r = recv(c->t.fd, p, (size_t)n, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		c->sys_errno = errno;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			BIO_set_retry_read(b);
		return -1;
	}
	return (int)r;
}

static long cbio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int cbio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *cbio_method(void)
{
	static BIO_METHOD *m;

	if (m)
		return m;
	m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sluice counting socket");
	if (!m)
		return NULL;
	BIO_meth_set_write(m, cbio_write);
	BIO_meth_set_read(m, cbio_read);
	BIO_meth_set_ctrl(m, cbio_ctrl);
	BIO_meth_set_create(m, cbio_create);
	return m;
}

/* --- operations ------------------------------------------------------------ */

static void call_start(struct tls_transport *c)
{
	ERR_clear_error();
	c->sys_errno = 0;
}

static enum sl_tr_res tls_handshake(struct sl_transport *t)
{
	struct tls_transport *c = (struct tls_transport *)t;
	int ret;

	call_start(c);
	ret = SSL_do_handshake(c->ssl);
	if (ret == 1)
		return SL_TR_OK;
	return sl_transport_ssl(t, c->ssl, ret, c->sys_errno, "TLS handshake");
}

static enum sl_tr_res tls_read(struct sl_transport *t, void *p, size_t n, size_t *got)
{
	struct tls_transport *c = (struct tls_transport *)t;

	call_start(c);
	if (SSL_read_ex(c->ssl, p, n, got))
		return SL_TR_OK;
	return sl_transport_ssl(t, c->ssl, 0, c->sys_errno, "TLS read");
}

/*
 * A write broke on a reset (RST, EPIPE). A peer that failed our TLS (a
 * bad record, a certificate it refused) sends its fatal alert and then
 * closes, and closing with our bytes unread makes its kernel send an RST:
 * the alert is then in our receive queue ahead of the reset. Whether a
 * read or a write reaches the socket first after that is scheduling, so
 * the write reads the queue itself: the peer's alert, if there is one, is
 * the result (with its description), else the reset stands. Application
 * data read on the way is dropped: the connection is ending. Each read
 * consumes at least one record of a queue that no longer grows (bounded
 * anyway).
 */
static enum sl_tr_res alert_before_reset(struct tls_transport *c, const char *what)
{
	char reset_err[sizeof(c->t.err)];
	uint8_t scratch[16384];
	bool want_write = c->t.want_write;
	enum sl_tr_res r = SL_TR_RESET;
	size_t got;
	int i;

	memcpy(reset_err, c->t.err, sizeof(reset_err));
	for (i = 0; i < 1024; i++) {
		call_start(c);
		if (!SSL_read_ex(c->ssl, scratch, sizeof(scratch), &got)) {
			r = sl_transport_ssl(&c->t, c->ssl, 0, c->sys_errno, what);
			break;
		}
	}
	ERR_clear_error();
	if (r == SL_TR_TLS_ALERT)
		return r;
	memcpy(c->t.err, reset_err, sizeof(c->t.err));
	c->t.want_write = want_write;
	return SL_TR_RESET;
}

static enum sl_tr_res tls_write(struct sl_transport *t, const void *p, size_t n, size_t *done)
{
	struct tls_transport *c = (struct tls_transport *)t;
	enum sl_tr_res r;

	if (c->blocked_len) {
		if (n < c->blocked_len) {
			snprintf(t->err, sizeof(t->err), "TLS write: retried with %zu bytes after blocking on %zu", n,
				 c->blocked_len);
			return SL_TR_ERROR;
		}
		n = c->blocked_len;
	}
	call_start(c);
	if (SSL_write_ex(c->ssl, p, n, done)) {
		c->blocked_len = 0;
		return SL_TR_OK;
	}
	*done = 0;
	r = sl_transport_ssl(t, c->ssl, 0, c->sys_errno, "TLS write");
	if (r == SL_TR_RESET)
		r = alert_before_reset(c, "TLS write");
	c->blocked_len = sl_tr_would_block(r) ? n : 0;
	return r;
}

static bool tls_wants_write(const struct sl_transport *t)
{
	return t->want_write;
}

static uint64_t tls_wire_out(const struct sl_transport *t)
{
	return ((const struct tls_transport *)t)->wire_out;
}

static void tls_describe(struct sl_transport *t, char *buf, size_t len)
{
	struct tls_transport *c = (struct tls_transport *)t;
	const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);

	snprintf(buf, len, "%s %s", SSL_get_version(c->ssl), ci ? SSL_CIPHER_get_name(ci) : "?");
}

static void tls_close(struct sl_transport *t)
{
	talloc_free(t);
}

/*
 * Let the last thing TLS wrote (a fatal alert after a bad record, a
 * close_notify) reach the peer before the socket closes. Closing with
 * received bytes unread makes the kernel answer with an RST at once and
 * drop what it has not sent yet, and an alert held back by Nagle (a
 * small segment while data is unacknowledged) would be lost: the peer
 * would see a reset, or the alert, by timing. So: send what is queued now
 * (TCP_NODELAY pushes it), and read away what has arrived (bounded), so
 * the close is a FIN behind the alert. Bytes arriving later still get an
 * RST, but after the alert. A socket set to linger 0 (a deliberate
 * abort) is left alone.
 */
static void flush_before_close(int fd)
{
	struct linger lg = { 0 };
	socklen_t ll = sizeof(lg);
	uint8_t scratch[16384];
	int one = 1, i;
	ssize_t r;

	if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &ll) == 0 && lg.l_onoff && !lg.l_linger)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (i = 0; i < 64; i++) {
		r = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			break;
	}
}

static int tls_destructor(struct tls_transport *c)
{
	SSL_free(c->ssl); /* frees the BIO too */
	if (c->t.fd >= 0) {
		flush_before_close(c->t.fd);
		close(c->t.fd);
	}
	return 0;
}

static const struct sl_transport_ops tls_ops = {
	.kind = "tls",
	.handshake = tls_handshake,
	.read = tls_read,
	.write = tls_write,
	.wants_write = tls_wants_write,
	.wire_out = tls_wire_out,
	.describe = tls_describe,
	.close = tls_close,
};

struct sl_transport *sl_transport_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name, char *err,
					  size_t errlen)
{
	struct tls_transport *c = talloc_zero(ctx, struct tls_transport);
	struct in6_addr a6;
	struct in_addr a4;
	BIO *bio;

	if (!c) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->t.ops = &tls_ops;
	c->t.fd = fd;
	c->ssl = SSL_new(sctx);
	talloc_set_destructor(c, tls_destructor);
	bio = c->ssl && cbio_method() ? BIO_new(cbio_method()) : NULL;
	if (!bio) {
		snprintf(err, errlen, "cannot create TLS connection");
		talloc_free(c);
		return NULL;
	}
	BIO_set_data(bio, c);
	SSL_set_bio(c->ssl, bio, bio);
	if (verify_name) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
		int ok;

		if (inet_pton(AF_INET, verify_name, &a4) == 1 || inet_pton(AF_INET6, verify_name, &a6) == 1) {
			ok = X509_VERIFY_PARAM_set1_ip_asc(vp, verify_name);
		} else {
			X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			ok = X509_VERIFY_PARAM_set1_host(vp, verify_name, 0) &&
			     SSL_set_tlsext_host_name(c->ssl, verify_name);
		}
		if (!ok) {
			snprintf(err, errlen, "cannot set the name to verify (%s)", verify_name);
			talloc_free(c);
			return NULL;
		}
		SSL_set_connect_state(c->ssl);
	} else {
		SSL_set_accept_state(c->ssl);
	}
	return &c->t;
}
