/*
 * The receiving end of `sluice lemf`: a listening socket and any number
 * of connections (TCP or TLS transports, handover/transport.h) in the
 * osmocom select loop. Each connection's byte stream is cut into PDUs
 * with sl_pdu_frame(), each PDU decoded with sl_pdu_decode(), answered if
 * it is a keep-alive (clause 6.3.4) or a pDUAcknowledgementRequest
 * (clause 6.3.6: answered only after every earlier PDU of the connection
 * has been written to the output, so an acknowledgement means stored),
 * and handed to the store. Bytes that do not frame end the connection;
 * PDUs that frame but do not decode are kept aside and counted. A
 * connection that opens with an optionRequest negotiates options first
 * (clause 6.3.5, lemf_optneg.h); a PDU other than negotiation before that
 * is complete ends it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "handover/transport.h"
#include "lemf/lemf_store.h"

struct sl_lemf_server_cfg {
	const char *addr;	/* numeric IPv4/IPv6 address to listen on */
	uint16_t port;		/* 0: any free port (see sl_lemf_server_port) */
	SSL_CTX *ssl;		/* NULL: plain TCP */
	struct sl_lemf_store *store;
	size_t max_pdu;
	bool verbose;		/* one line per connection event on stderr */
	bool no_option_negotiation; /* ignore optionRequests, as a receiver without support does */
};

/* Option negotiation (clause 6.3.5) over all connections so far. */
struct sl_lemf_neg_stats {
	uint64_t completed;	/* negotiations completed */
	uint64_t pdu_ack;	/* of which with pDUAcknowledgement accepted */
	uint64_t ignored;	/* optionRequests not acted on (disabled, mid-stream, after completion) */
	uint64_t violations;	/* connections ended: another PDU before negotiation was complete */
	char last[64];		/* options of the latest completed negotiation, "" if none */
};

struct sl_lemf_server;

struct sl_lemf_server *sl_lemf_server_new(void *ctx, const struct sl_lemf_server_cfg *cfg, char *err,
					  size_t errlen);
uint16_t sl_lemf_server_port(const struct sl_lemf_server *s);
/* Connections accepted so far, and keep-alive / ack requests answered. */
void sl_lemf_server_stats(const struct sl_lemf_server *s, uint64_t *conns, uint64_t *keepalives, uint64_t *acks);
/* Acknowledgement requests left unanswered because earlier PDUs were not safely stored. */
uint64_t sl_lemf_server_acks_withheld(const struct sl_lemf_server *s);
/*
 * Connections ended so far, by the transport result that ended them
 * (closed, reset, tls-alert, tls-error, error), and those ended because
 * their bytes did not frame as PDUs.
 */
void sl_lemf_server_negotiations(const struct sl_lemf_server *s, struct sl_lemf_neg_stats *st);
void sl_lemf_server_closes(const struct sl_lemf_server *s, uint64_t closes[_SL_TR_RES_COUNT], uint64_t *unframed);
