/*
 * A handover link: the MF Delivery Function of TS 102 232-1 clause 6.3
 * for one destination stream (HI2 and HI3 are separate links), sending
 * the records of one spool, in order, over TLS (or plain TCP when the
 * destination says so explicitly), in the osmocom select loop.
 *
 * States (enum sl_link_state, an osmo_fsm in link_fsm.c): disconnected ->
 * connecting (non-blocking connect) -> tls-handshake -> [negotiating, with
 * option_negotiation: clause 6.3.5, link_negotiate.c] -> up; any failure ->
 * backing-off (exponential, with jitter, capped) -> connecting. Clause
 * 6.3.2: the link reconnects by itself for as long as it exists. Timers
 * (TIME1, TIME3, TIME5, TIME6, connect timeout, back-off, SIOCOUTQ poll)
 * are one osmo_tdef table per link, set from struct sl_link_cfg; the
 * bytes go through a transport (handover/transport.h), TLS or plain TCP.
 *
 * Nothing lost: records stay in the spool until released. The link
 * remembers for each record how many bytes (ciphertext for TLS) had
 * reached the socket when it was written, and asks the kernel (SIOCOUTQ)
 * how many are still unacknowledged, so it knows which records the
 * receiver's TCP has acked. Because a receiver killed with data in its
 * socket buffer loses bytes its kernel acked, release is either
 *   - pdu_ack: only by pDUAcknowledgementResponse (clause 6.3.6): the
 *     link sends a pDUAcknowledgementRequest every TIME6 while records are
 *     unconfirmed and releases what was sent before the request it
 *     answers; no answer within TIME5 drops the connection; or
 *   - otherwise: once TCP-acked and more than resend_window_bytes of later
 *     TCP-acked records exist (size it above the receiver's receive
 *     buffer).
 * After a reconnect everything not released is sent again, from the
 * oldest: the receiver sees duplicates with their original sequence
 * numbers, never gaps.
 *
 * Keep-alives (clause 6.3.4): after TIME1 without sending, a keep-alive
 * goes out at the next PDU boundary, ahead of any backlog; the kernel's
 * unsent queue is kept short (TCP_NOTSENT_LOWAT) so that boundary comes
 * soon. TIME3 runs from the moment the keep-alive is due, so a receiver
 * that stops reading (and so stops the keep-alive from even leaving) is
 * detected as well. The PDUs themselves come from callbacks, so this file
 * knows nothing of their encoding.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/utils.h>

#include "asn1/ber_encode.h"
#include "handover/spool.h"

enum sl_link_state {
	SL_LINK_DISCONNECTED,
	SL_LINK_CONNECTING,
	SL_LINK_TLS_HANDSHAKE,
	SL_LINK_UP,
	SL_LINK_BACKING_OFF,
	SL_LINK_NEGOTIATING,	/* TRI option negotiation (clause 6.3.5) before any record */
	_SL_LINK_STATE_COUNT
};
extern const struct value_string sl_link_state_names[];

/* What a PDU received from the LEMF is, as far as the link cares. */
enum sl_link_rx_kind {
	SL_LINK_RX_OTHER,		/* ignored (counted) */
	SL_LINK_RX_KEEPALIVE_RESPONSE,
	SL_LINK_RX_ACK_RESPONSE,
	SL_LINK_RX_OPTION_REQUEST,	/* clause 6.3.5: the receiver asks for options */
	SL_LINK_RX_OPTION_RESPONSE,	/* the answer to our optionRequest */
	SL_LINK_RX_OPTION_COMPLETE,
};

/* One received PDU as the link sees it. */
struct sl_link_rx {
	enum sl_link_rx_kind kind;
	uint64_t seq;		/* TRI sequence number (the request's, for responses) */
	uint32_t options;	/* optionRequest: requested; optionResponse: accepted (pdu.h SL_TRI_OPT) */
	uint32_t declined;	/* optionResponse: declined */
};

/* The PDU layer, reached through callbacks (handover/pdu*.h in production). */
struct sl_link_pdu_ops {
	/* Prepend a TRI keep-alive / pDUAcknowledgementRequest with sequence number seq. 0 or <0. */
	int (*make_keepalive)(void *priv, struct sl_ber_w *w, uint64_t seq);
	int (*make_ack_request)(void *priv, struct sl_ber_w *w, uint64_t seq);
	/* Option negotiation (clause 6.3.5): optionRequest, optionResponse, optionComplete. 0 or <0. */
	int (*make_option_request)(void *priv, struct sl_ber_w *w, uint64_t seq, uint32_t requested);
	int (*make_option_response)(void *priv, struct sl_ber_w *w, uint64_t seq, uint32_t accepted,
				    uint32_t declined);
	int (*make_option_complete)(void *priv, struct sl_ber_w *w, uint64_t seq);
	/* Size of the first PDU in p[0..n), 0 if more bytes are needed, <0 if invalid (sl_pdu_frame). */
	ssize_t (*frame)(void *priv, const uint8_t *p, size_t n, size_t max_pdu);
	/* Classify one received PDU: kind, sequence number, options. <0 if undecodable. */
	int (*classify)(void *priv, const uint8_t *p, size_t n, struct sl_link_rx *rx);
	void *priv;
};

struct sl_link_cfg {
	const char *name;	      /* "lea1-hi2": logs, counters, show handover */
	const char *host;	      /* IP literal or DNS name (resolved, blocking, at each connect) */
	uint16_t port;
	bool plain;		      /* plain TCP: no confidentiality, no authentication (warned at each connect) */
	const char *tls_cert, *tls_key, *tls_ca;
	const char *tls_verify_name;  /* name/IP in the receiver's certificate; NULL: host */
	unsigned connect_timeout_ms;  /* TCP connect plus TLS handshake; 0 = 10 s */
	unsigned backoff_min_ms;      /* 0 = 500 ms */
	unsigned backoff_max_ms;      /* 0 = 30 s */
	unsigned time1_ms;	      /* keep-alive after this long without sending; 0 = no keep-alives */
	unsigned time3_ms;	      /* keep-alive response deadline; 0 = 60 s */
	bool pdu_ack;		      /* release by pDUAcknowledgementResponse (clause 6.3.6) */
	bool option_negotiation;      /* clause 6.3.5 before any record; pdu_ack only if the receiver accepts it */
	unsigned negotiation_timeout_ms; /* whole negotiation; 0 = 10 s */
	unsigned time6_ms;	      /* pdu_ack: request interval; 0 = 1 s */
	unsigned time5_ms;	      /* pdu_ack: response deadline; 0 = 60 s */
	uint64_t resend_window_bytes; /* no pdu_ack: TCP-acked bytes kept for resending; 0 = 8 MiB */
	uint64_t max_inflight_bytes;  /* unreleased records held in memory; 0 = 64 MiB */
	size_t max_pdu;		      /* largest PDU accepted from the receiver; 0 = 64 KiB */
	unsigned notsent_lowat;	      /* TCP_NOTSENT_LOWAT; 0 = 128 KiB */
	unsigned ack_poll_ms;	      /* how often SIOCOUTQ is asked while bytes are unacked; 0 = 50 ms */
};

enum sl_link_ctr {
	SL_LINK_CTR_CONNECT_ATTEMPTS,
	SL_LINK_CTR_CONNECTS,		/* reached "up" */
	SL_LINK_CTR_RECONNECTS,		/* reached "up" again after losing a connection */
	SL_LINK_CTR_CONNECT_FAIL,	/* TCP connect failed or timed out */
	SL_LINK_CTR_TLS_FAIL,		/* handshake refused (certificate, protocol) */
	SL_LINK_CTR_DISCONNECTS,	/* an "up" connection was lost */
	SL_LINK_CTR_RECORDS_SENT,
	SL_LINK_CTR_BYTES_SENT,
	SL_LINK_CTR_RECORDS_RESENT,	/* sent again after a reconnect */
	SL_LINK_CTR_RECORDS_RELEASED,
	SL_LINK_CTR_KEEPALIVE_SENT,
	SL_LINK_CTR_KEEPALIVE_RESPONSE,
	SL_LINK_CTR_KEEPALIVE_TIMEOUT,
	SL_LINK_CTR_ACK_REQUEST_SENT,
	SL_LINK_CTR_ACK_RESPONSE,
	SL_LINK_CTR_ACK_TIMEOUT,
	SL_LINK_CTR_RX_OTHER,		/* PDUs from the receiver the link does not act on */
	SL_LINK_CTR_RX_INVALID,		/* unframeable or undecodable bytes from the receiver */
	SL_LINK_CTR_SPOOL_ERROR,	/* the spool could not be read */
	/* connections (in any state) ended by their transport, by kind (transport.h) */
	SL_LINK_CTR_END_CLOSED,		/* the receiver closed in order */
	SL_LINK_CTR_END_RESET,		/* reset, broken pipe, TLS stream cut short */
	SL_LINK_CTR_END_TLS_ALERT,	/* a fatal TLS alert from the receiver */
	SL_LINK_CTR_END_TLS_ERROR,	/* a TLS failure found here (bad record, certificate) */
	SL_LINK_CTR_END_ERROR,		/* a local failure */
	/* option negotiation (clause 6.3.5) */
	SL_LINK_CTR_NEG_STARTED,	/* connections that began negotiating */
	SL_LINK_CTR_NEG_COMPLETED,	/* optionComplete sent and received */
	SL_LINK_CTR_NEG_UNSUPPORTED,	/* keep-aliveResponse first: the receiver does not negotiate */
	SL_LINK_CTR_NEG_FAILED,		/* connection ended: a PDU out of place, a wrong sequence number */
	SL_LINK_CTR_NEG_TIMEOUT,	/* connection ended: not complete within X6 */
	SL_LINK_CTR_NEG_NO_ACK,		/* pdu_ack configured but not agreed: TCP-ack release instead */
	_SL_LINK_CTR_COUNT
};
extern const struct rate_ctr_group_desc sl_link_ctrg_desc;

/* For `show handover`. */
struct sl_link_status {
	enum sl_link_state state;
	const char *name;
	char peer[300];		  /* host:port */
	char security[96];	  /* "TLSv1.3 TLS_AES_256_GCM_SHA384", "PLAIN TCP", "" */
	uint64_t queued_records;  /* not yet released (in the spool) */
	uint64_t queued_bytes;
	int64_t oldest_age_ms;	  /* age of the oldest queued record, -1 if none */
	uint64_t unacked_records; /* written to the socket, not yet TCP-acked */
	uint64_t sent_id;	  /* newest record written on this connection (0: none) */
	uint64_t tcp_acked_id;	  /* newest record TCP-acked on this connection, with all before it */
	uint64_t reconnects;
	uint64_t resends;
	unsigned backoff_ms;	  /* current or next back-off delay */
	bool pdu_ack;		  /* this connection releases by pDUAcknowledgement */
	const char *negotiated;	  /* "", or what option negotiation gave: "pDUAcknowledgement", "none", "unsupported" */
	char last_error[256];	  /* "" if none yet */
};

struct sl_link;

/*
 * Create a link for spool (which must outlive it) and start connecting at
 * once (clause 6.3.2). cfg strings are copied. Returns NULL with err on
 * bad configuration (a TLS link without its files, unreadable keys).
 */
struct sl_link *sl_link_new(void *ctx, struct sl_spool *spool, const struct sl_link_cfg *cfg,
			    const struct sl_link_pdu_ops *ops, char *err, size_t errlen);
/* Close the connection and stop; unreleased records stay in the spool. */
void sl_link_free(struct sl_link *l);

/* New committed records exist (the spool notifies the link itself; this is for callers that batch). */
void sl_link_kick(struct sl_link *l);
/* Drop the connection now as if it had failed (operator "reconnect", tests). */
void sl_link_drop(struct sl_link *l, const char *why);

void sl_link_get_status(const struct sl_link *l, struct sl_link_status *st);
/*
 * The links' timer table before configuration (struct osmo_tdef entries,
 * zero-terminated): T numbers (Tn: TS 102 232-1 TIMEn; negative, shown
 * as Xn: sluice's own), defaults in milliseconds and descriptions.
 */
const struct osmo_tdef *sl_link_timer_defaults(void);
/*
 * Move the link to another receiver address (the console changed it):
 * the current connection, if any, is dropped and the next attempt goes to
 * host:port. The name the receiver's certificate must carry does not
 * move: it stays tls_verify_name, or the host the link was created with.
 * 1 moved, 0 unchanged, -EINVAL/-ENOMEM.
 */
int sl_link_set_peer(struct sl_link *l, const char *host, uint16_t port);
enum sl_link_state sl_link_state(const struct sl_link *l);
struct rate_ctr_group *sl_link_ctrs(struct sl_link *l);
