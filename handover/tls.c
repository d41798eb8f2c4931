/*
 * TLS connections for the handover links and sluice lemf (see tls.h):
 * context policy, a counting socket BIO, and readable error messages.
 */
#include "handover/tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <talloc.h>

struct sl_tls {
	SSL *ssl;
	int fd;
	uint64_t wire_out;
	bool want_write;
};

/* --- counting socket BIO: send/recv on the fd, bytes sent counted -------- */

struct cbio {
	int fd;
	uint64_t *out;
};

static int cbio_write(BIO *b, const char *p, int n)
{
	struct cbio *c = BIO_get_data(b);
	ssize_t w;

	BIO_clear_retry_flags(b);
	w = send(c->fd, p, (size_t)n, MSG_NOSIGNAL);
	if (w < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_write(b);
		return -1;
	}
	*c->out += (uint64_t)w;
	return (int)w;
}

static int cbio_read(BIO *b, char *p, int n)
{
	struct cbio *c = BIO_get_data(b);
	ssize_t r;

	BIO_clear_retry_flags(b);
	r = recv(c->fd, p, (size_t)n, 0);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
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

/* --- errors --------------------------------------------------------------- */

/* The first queued OpenSSL error (then the queue is cleared), or NULL. */
static const char *ssl_queue_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (!e)
		return NULL;
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static void describe_failure(struct sl_tls *t, int ret, const char *what, char *err, size_t errlen)
{
	long vr = SSL_get_verify_result(t->ssl);
	int se = SSL_get_error(t->ssl, ret);
	int saved_errno = errno;
	char q[256];

	if (vr != X509_V_OK) {
		ERR_clear_error();
		snprintf(err, errlen, "%s: certificate verification failed: %s", what,
			 X509_verify_cert_error_string(vr));
	} else if (ssl_queue_error(q, sizeof(q))) {
		snprintf(err, errlen, "%s: %s", what, q);
	} else if (se == SSL_ERROR_SYSCALL && saved_errno) {
		snprintf(err, errlen, "%s: %s", what, strerror(saved_errno));
	} else if (se == SSL_ERROR_SYSCALL || se == SSL_ERROR_ZERO_RETURN) {
		snprintf(err, errlen, "%s: peer closed the connection", what);
	} else {
		snprintf(err, errlen, "%s: TLS error %d", what, se);
	}
}

/* --- contexts ------------------------------------------------------------- */

SSL_CTX *sl_tls_ctx_new(const struct sl_tls_cfg *cfg, char *err, size_t errlen)
{
	SSL_CTX *c = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());
	char q[256];

	if (!c) {
		snprintf(err, errlen, "cannot create TLS context: %s", ssl_queue_error(q, sizeof(q)) ?: "?");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET |
				       SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_num_tickets(c, 0);
	SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (!SSL_CTX_set_cipher_list(c, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!SHA1")) {
		snprintf(err, errlen, "cannot set TLS 1.2 cipher list");
		goto fail;
	}
	if (!cfg->server && (!cfg->cert_file || !cfg->key_file || !cfg->ca_file)) {
		snprintf(err, errlen, "TLS client needs a certificate, its key and a CA (mutual authentication)");
		goto fail;
	}
	if (cfg->server && (!cfg->cert_file || !cfg->key_file)) {
		snprintf(err, errlen, "TLS server needs a certificate and its key");
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(c, cfg->cert_file) != 1) {
		snprintf(err, errlen, "%s: cannot load certificate: %s", cfg->cert_file,
			 ssl_queue_error(q, sizeof(q)) ?: "?");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(c, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(c) != 1) {
		snprintf(err, errlen, "%s: cannot load private key (or it does not match %s): %s", cfg->key_file,
			 cfg->cert_file, ssl_queue_error(q, sizeof(q)) ?: "?");
		goto fail;
	}
	if (cfg->ca_file) {
		if (SSL_CTX_load_verify_locations(c, cfg->ca_file, NULL) != 1) {
			snprintf(err, errlen, "%s: cannot load CA: %s", cfg->ca_file,
				 ssl_queue_error(q, sizeof(q)) ?: "?");
			goto fail;
		}
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	} else {
		SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	}
	return c;
fail:
	SSL_CTX_free(c);
	return NULL;
}

/* --- connections ---------------------------------------------------------- */

static int tls_destructor(struct sl_tls *t)
{
	SSL_free(t->ssl); /* frees the BIO too */
	return 0;
}

struct sl_tls *sl_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name, char *err, size_t errlen)
{
	struct sl_tls *t = talloc_zero(ctx, struct sl_tls);
	struct in6_addr a6;
	struct in_addr a4;
	struct cbio *cb;
	BIO *bio;

	if (!t)
		return NULL;
	cb = talloc_zero(t, struct cbio);
	t->fd = fd;
	t->ssl = SSL_new(sctx);
	bio = cbio_method() ? BIO_new(cbio_method()) : NULL;
	if (!cb || !t->ssl || !bio) {
		snprintf(err, errlen, "cannot create TLS connection");
		BIO_free(bio);
		SSL_free(t->ssl);
		talloc_free(t);
		return NULL;
	}
	cb->fd = fd;
	cb->out = &t->wire_out;
	BIO_set_data(bio, cb);
	SSL_set_bio(t->ssl, bio, bio);
	talloc_set_destructor(t, tls_destructor);
	if (verify_name) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(t->ssl);
		int ok;

		if (inet_pton(AF_INET, verify_name, &a4) == 1 || inet_pton(AF_INET6, verify_name, &a6) == 1) {
			ok = X509_VERIFY_PARAM_set1_ip_asc(vp, verify_name);
		} else {
			X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
			ok = X509_VERIFY_PARAM_set1_host(vp, verify_name, 0) &&
			     SSL_set_tlsext_host_name(t->ssl, verify_name);
		}
		if (!ok) {
			snprintf(err, errlen, "cannot set the name to verify (%s)", verify_name);
			talloc_free(t);
			return NULL;
		}
		SSL_set_connect_state(t->ssl);
	} else {
		SSL_set_accept_state(t->ssl);
	}
	return t;
}

void sl_tls_free(struct sl_tls *t)
{
	talloc_free(t);
}

/* Map a non-positive SSL_* return: -EAGAIN when it should be retried. */
static int would_block(struct sl_tls *t, int ret)
{
	switch (SSL_get_error(t->ssl, ret)) {
	case SSL_ERROR_WANT_WRITE:
		t->want_write = true;
		return -EAGAIN;
	case SSL_ERROR_WANT_READ:
		t->want_write = false;
		return -EAGAIN;
	default:
		return 0;
	}
}

int sl_tls_handshake(struct sl_tls *t, char *err, size_t errlen)
{
	int ret;

	ERR_clear_error();
	errno = 0;
	ret = SSL_do_handshake(t->ssl);
	if (ret == 1)
		return 1;
	if (would_block(t, ret))
		return -EAGAIN;
	describe_failure(t, ret, "TLS handshake", err, errlen);
	return -EPROTO;
}

ssize_t sl_tls_write(struct sl_tls *t, const void *p, size_t n, char *err, size_t errlen)
{
	size_t done = 0;
	int ret;

	ERR_clear_error();
	errno = 0;
	if (!SSL_write_ex(t->ssl, p, n, &done)) {
		ret = 0;
		if (would_block(t, ret))
			return -EAGAIN;
		describe_failure(t, ret, "TLS write", err, errlen);
		return -EPIPE;
	}
	return (ssize_t)done;
}

ssize_t sl_tls_read(struct sl_tls *t, void *p, size_t n, char *err, size_t errlen)
{
	size_t got = 0;
	int se;

	ERR_clear_error();
	errno = 0;
	if (SSL_read_ex(t->ssl, p, n, &got))
		return (ssize_t)got;
	if (would_block(t, 0))
		return -EAGAIN;
	se = SSL_get_error(t->ssl, 0);
	if (se == SSL_ERROR_ZERO_RETURN)
		return 0;
	describe_failure(t, 0, "TLS read", err, errlen);
	return -ECONNRESET;
}

bool sl_tls_want_write(const struct sl_tls *t)
{
	return t->want_write;
}

uint64_t sl_tls_wire_out(const struct sl_tls *t)
{
	return t->wire_out;
}

const char *sl_tls_describe(struct sl_tls *t, char *buf, size_t len)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(t->ssl);

	snprintf(buf, len, "%s %s", SSL_get_version(t->ssl), c ? SSL_CIPHER_get_name(c) : "?");
	return buf;
}
