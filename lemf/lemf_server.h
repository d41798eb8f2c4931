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

/*
 * Why clients are turned away or cut off before they deliver anything, so
 * that nobody can starve the receiver: caps on connections in total and
 * per source address, the descriptor limit (the listener pauses instead of
 * spinning), handshake and idle deadlines; and undecodable PDUs beyond
 * the rate that is logged and kept.
 */
enum sl_lemf_refuse {
	SL_LEMF_REFUSE_CONN_CAP,	/* --max-connections open already */
	SL_LEMF_REFUSE_SOURCE_CAP,	/* --max-per-source open from that address */
	SL_LEMF_REFUSE_FD_LIMIT,	/* accept failed for lack of descriptors or memory: listener paused */
	SL_LEMF_REFUSE_HANDSHAKE_TIMEOUT, /* TLS handshake not done within --handshake-timeout */
	SL_LEMF_REFUSE_IDLE,		/* nothing received within --idle-timeout */
	SL_LEMF_REFUSE_BAD_UNLOGGED,	/* undecodable PDUs beyond the rate logged and kept (counted only) */
	_SL_LEMF_REFUSE_COUNT
};
extern const char *const sl_lemf_refuse_names[_SL_LEMF_REFUSE_COUNT];

struct sl_lemf_server_cfg {
	const char *addr;	/* numeric IPv4/IPv6 address to listen on */
	uint16_t port;		/* 0: any free port (see sl_lemf_server_port) */
	SSL_CTX *ssl;		/* NULL: plain TCP */
	struct sl_lemf_store *store;
	size_t max_pdu;
	bool verbose;		/* one line per connection event on stderr */
	bool no_option_negotiation; /* ignore optionRequests, as a receiver without support does */
	unsigned handshake_timeout_ms;	/* 0: 10 s */
	unsigned idle_timeout_ms;	/* 0: 300 s (gateways send keep-alives well within it) */
	unsigned max_conns;		/* 0: 256 */
	unsigned max_per_source;	/* 0: 32 */
	unsigned bad_per_second;	/* undecodable PDUs logged and kept per second; 0: 10 */
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
/* Clients turned away or cut off, by reason. */
void sl_lemf_server_refusals(const struct sl_lemf_server *s, uint64_t refused[_SL_LEMF_REFUSE_COUNT]);
/* Connections open now. */
unsigned sl_lemf_server_open(const struct sl_lemf_server *s);
