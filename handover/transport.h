/*
 * Byte transports for handover connections: one small operations struct
 * (handshake, read, write, wants-write, close, plus the ciphertext count
 * and a one-line description for logs) with a plain TCP and a TLS
 * implementation, shared by the delivery links (handover/link*.c) and the
 * authority-side receiver (lemf/lemf_server.c), as libpcap's pcap-int.h
 * read_op/cleanup_op and Redis' rio.h do for their back ends.
 *
 * Every outcome is one named result (enum sl_tr_res), mapped in one place
 * (transport.c) from errno and from OpenSSL's SSL_get_error and error
 * queue: EINTR is retried inside the transport and never seen by a
 * caller; EAGAIN and SSL_ERROR_WANT_READ/WANT_WRITE are "would block"
 * with the direction to poll for; an orderly close (TCP FIN, TLS
 * close_notify), a broken connection (RST, EPIPE, a TLS stream cut without
 * close_notify), a fatal TLS alert sent by the peer and a TLS failure
 * found here (bad record, certificate) are each their own result, so the
 * users count and log them by kind. The human-readable detail of the last
 * failure is kept in the transport (sl_transport_error).
 *
 * The transport owns the connected non-blocking socket it is given and
 * closes it in sl_transport_close(); the caller polls the descriptor
 * (sl_transport_fd) in its select loop and must unregister it first.
 * TLS 1.2/1.3 policy and certificate checks are in tls.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <osmocom/core/utils.h>

/* What a transport operation did. */
enum sl_tr_res {
	SL_TR_OK,		/* progress: bytes moved, or the handshake is complete */
	SL_TR_WANT_READ,	/* would block: call again once the socket is readable */
	SL_TR_WANT_WRITE,	/* would block: call again once the socket is writable */
	SL_TR_CLOSED,		/* the peer closed in order (TCP FIN, TLS close_notify) */
	SL_TR_RESET,		/* the connection broke: RST, EPIPE, timeout, TLS stream cut short */
	SL_TR_TLS_ALERT,	/* the peer sent a fatal TLS alert */
	SL_TR_TLS_ERROR,	/* TLS failure found here: bad record, protocol, certificate */
	SL_TR_ERROR,		/* local failure: out of memory, bad descriptor, ... */
	_SL_TR_RES_COUNT
};
extern const struct value_string sl_tr_res_names[];

static inline bool sl_tr_would_block(enum sl_tr_res r)
{
	return r == SL_TR_WANT_READ || r == SL_TR_WANT_WRITE;
}

struct sl_transport;

struct sl_transport_ops {
	const char *kind; /* "tcp", "tls" */
	/* Complete the connection setup: SL_TR_OK when done (at once for TCP), would block, or a failure. */
	enum sl_tr_res (*handshake)(struct sl_transport *t);
	/* Read up to n > 0 bytes: SL_TR_OK with *got > 0, would block, SL_TR_CLOSED, or a failure. */
	enum sl_tr_res (*read)(struct sl_transport *t, void *p, size_t n, size_t *got);
	/*
	 * Write a prefix of p[0..n) (n > 0): SL_TR_OK with 0 < *done <= n, or
	 * would block with *done == 0, after which the caller must offer the
	 * same bytes again (the buffer may move, n may not shrink), or a failure.
	 */
	enum sl_tr_res (*write)(struct sl_transport *t, const void *p, size_t n, size_t *done);
	/* The last "would block" waited for writability (else readability). */
	bool (*wants_write)(const struct sl_transport *t);
	/* Bytes this connection handed to the kernel so far (ciphertext for TLS, handshake included). */
	uint64_t (*wire_out)(const struct sl_transport *t);
	/* One line for logs: "TLSv1.3 TLS_AES_256_GCM_SHA384", "PLAIN TCP". */
	void (*describe)(struct sl_transport *t, char *buf, size_t len);
	/* Release the connection state and close the socket; t is freed. */
	void (*close)(struct sl_transport *t);
};

/* The part every implementation shares; implementations embed it first. */
struct sl_transport {
	const struct sl_transport_ops *ops;
	int fd;
	bool want_write;
	char err[256]; /* the last failure, for the operator */
};

/* Plain TCP on the connected non-blocking socket fd (owned from now on). Allocated on ctx; NULL on ENOMEM. */
struct sl_transport *sl_transport_tcp_new(void *ctx, int fd);
/*
 * TLS on the connected non-blocking socket fd (owned from now on, closed
 * on failure too). A client passes the name or IP address the server's
 * certificate must carry in verify_name (also sent as SNI when it is a
 * name); a server passes NULL. NULL with err on failure.
 */
struct sl_transport *sl_transport_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name, char *err,
					  size_t errlen);

static inline enum sl_tr_res sl_transport_handshake(struct sl_transport *t)
{
	return t->ops->handshake(t);
}

static inline enum sl_tr_res sl_transport_read(struct sl_transport *t, void *p, size_t n, size_t *got)
{
	*got = 0;
	return t->ops->read(t, p, n, got);
}

static inline enum sl_tr_res sl_transport_write(struct sl_transport *t, const void *p, size_t n, size_t *done)
{
	*done = 0;
	return t->ops->write(t, p, n, done);
}

static inline bool sl_transport_wants_write(const struct sl_transport *t)
{
	return t->ops->wants_write(t);
}

static inline uint64_t sl_transport_wire_out(const struct sl_transport *t)
{
	return t->ops->wire_out(t);
}

static inline void sl_transport_describe(struct sl_transport *t, char *buf, size_t len)
{
	t->ops->describe(t, buf, len);
}

static inline int sl_transport_fd(const struct sl_transport *t)
{
	return t->fd;
}

static inline const char *sl_transport_error(const struct sl_transport *t)
{
	return t->err;
}

/* Close and free t (NULL is fine). */
static inline void sl_transport_close(struct sl_transport *t)
{
	if (t)
		t->ops->close(t);
}

/* --- for implementations (transport.c): the one error mapping ------------ */

/*
 * Map a failed socket call's errno e (not EINTR: retry those) to a result,
 * writing "what: strerror" to t->err for failures. writing selects the
 * direction of EAGAIN.
 */
enum sl_tr_res sl_transport_errno(struct sl_transport *t, int e, bool writing, const char *what);
/*
 * Map a failed SSL_* call (its return ret; sys_errno: the errno the
 * socket BIO saw, 0 if none) to a result, writing the reason to t->err
 * for failures, preferring the certificate verification result.
 */
enum sl_tr_res sl_transport_ssl(struct sl_transport *t, SSL *ssl, int ret, int sys_errno, const char *what);
