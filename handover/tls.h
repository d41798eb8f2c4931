/*
 * TLS for handover connections (TS 102 232-1 clauses 6.3.1 and 7.2.2):
 * OpenSSL 3 over a non-blocking socket the caller owns and polls.
 *
 * Policy, the same for both ends: TLS 1.2 at least (1.3 preferred by
 * OpenSSL's negotiation), RFC 7525 cipher suites for 1.2 (ECDHE with
 * AES-GCM or ChaCha20-Poly1305), no renegotiation, no compression, no
 * session tickets. Mutual authentication by default: the client (the
 * gateway) presents its certificate and verifies the receiver's chain
 * against the configured CA and its name or IP address (RFC 6125 rules
 * via X509_VERIFY_PARAM_set1_host / set1_ip_asc); the server (sluice lemf)
 * demands and verifies a client certificate when given a CA.
 *
 * The socket is driven through a counting BIO, so the link can tell how
 * many ciphertext bytes reached the kernel (sl_tls_wire_out) and compare
 * that with what the kernel says is still unacknowledged (SIOCOUTQ).
 *
 * Errors are turned into one line for the operator, preferring the
 * certificate verification result ("certificate has expired",
 * "hostname mismatch") over OpenSSL's error queue.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

struct sl_tls_cfg {
	const char *cert_file; /* PEM certificate (chain) presented to the peer */
	const char *key_file;  /* PEM private key of cert_file */
	const char *ca_file;   /* PEM CA bundle the peer's certificate must chain to */
	bool server;
};

/*
 * Build an SSL_CTX for cfg (free with SSL_CTX_free). A client needs all
 * three files; a server needs cert and key, and verifies clients only if
 * ca_file is set. NULL with a message in err on failure.
 */
SSL_CTX *sl_tls_ctx_new(const struct sl_tls_cfg *cfg, char *err, size_t errlen);

struct sl_tls;

/*
 * One TLS connection on the connected non-blocking socket fd (not owned).
 * A client passes the name or IP address the server certificate must carry
 * in verify_name (also sent as SNI when it is a name); a server passes NULL.
 * Allocated on ctx.
 */
struct sl_tls *sl_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name, char *err, size_t errlen);
void sl_tls_free(struct sl_tls *t);

/* Drive the handshake: 1 done, -EAGAIN (poll per sl_tls_want_write), or -EPROTO with err. */
int sl_tls_handshake(struct sl_tls *t, char *err, size_t errlen);
/*
 * Write all of p[0..n) (n > 0) as application data: n, -EAGAIN (call
 * again later with the same p and n), or -EPIPE/-EPROTO with err.
 */
ssize_t sl_tls_write(struct sl_tls *t, const void *p, size_t n, char *err, size_t errlen);
/* Read application data: > 0 bytes, 0 on orderly close, -EAGAIN, or -EPROTO/-ECONNRESET with err. */
ssize_t sl_tls_read(struct sl_tls *t, void *p, size_t n, char *err, size_t errlen);
/* The last -EAGAIN was waiting for the socket to become writable (else readable). */
bool sl_tls_want_write(const struct sl_tls *t);
/* Ciphertext bytes this connection handed to the kernel so far (handshake included). */
uint64_t sl_tls_wire_out(const struct sl_tls *t);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384" once the handshake is done. */
const char *sl_tls_describe(struct sl_tls *t, char *buf, size_t len);
