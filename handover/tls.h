/*
 * TLS for handover connections (TS 102 232-1 clauses 6.3.1 and 7.2.2):
 * OpenSSL 3 contexts for non-blocking sockets polled by the caller.
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
 * This file builds the SSL_CTX; connections on it are transports
 * (transport.h, sl_transport_tls_new), whose failures are turned into one
 * line for the operator preferring the certificate verification result
 * ("certificate has expired", "hostname mismatch") over OpenSSL's error
 * queue.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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
