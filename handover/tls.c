/*
 * TLS context policy for the handover links and sluice lemf (see tls.h);
 * the connections themselves are a transport (transport_tls.c).
 */
#include "handover/tls.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

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
