/*
 * Link internals shared by link.c (state machine, connection, timers,
 * receive path) and link_send.c (records in flight, batching, keep-alive
 * and ack-request interleaving, TCP-ack tracking, release).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <openssl/ssl.h>

#include "handover/link.h"
#include "handover/tls.h"

/*
 * One unreleased record held in memory. Entries live in a ring indexed by
 * record id: ids in flight are contiguous, from the release point on.
 */
struct sl_link_ent {
	struct sl_spool_rec *rec;
	uint64_t wire_end;	/* connection byte count once it was fully written */
	bool written;		/* on this connection */
	bool tcp_acked;		/* on this connection */
	bool sent_before;	/* on any connection: a resend if written again */
};

/* Outstanding pDUAcknowledgementRequest. */
struct sl_link_ackreq {
	uint64_t seq;
	uint64_t covers_id;	/* records up to this id were sent before it */
	int64_t sent_ms;
};

#define SL_LINK_MAX_ACKREQ 16
#define SL_LINK_CTRL_MAX 256

struct sl_link {
	struct sl_link_cfg cfg;
	struct sl_link_pdu_ops ops;
	struct sl_spool *spool;
	struct sl_spool_cursor *cursor;
	SSL_CTX *sslctx;

	enum sl_link_state state;
	struct osmo_fd ofd;
	struct sl_tls *tls;
	uint64_t wire_out;	/* plain TCP: bytes sent on this connection */
	char security[96];
	char last_error[256];

	struct osmo_timer_list state_timer;	/* connect timeout / back-off */
	struct osmo_timer_list idle_timer;	/* TIME1 */
	struct osmo_timer_list ka_timer;	/* TIME3 */
	struct osmo_timer_list ack6_timer;	/* TIME6: next pDUAcknowledgementRequest */
	struct osmo_timer_list ack5_timer;	/* TIME5: response to the oldest request */
	struct osmo_timer_list poll_timer;	/* SIOCOUTQ while bytes are unacked */
	unsigned attempts;
	unsigned backoff_ms;
	bool ever_up;
	bool in_pump;
	int64_t up_since_ms;

	/* records in flight: ring of n entries, ids head_id .. head_id + n - 1 */
	struct sl_link_ent *ring;
	uint64_t ring_cap, ring_head, n;
	uint64_t head_id;
	uint64_t ents_bytes;
	uint64_t next_send_id;		/* first record not placed in a batch on this connection */
	uint64_t ack_next_id;		/* first record not known TCP-acked on this connection */
	uint64_t acked_bytes;		/* payload bytes of TCP-acked entries held */
	uint64_t last_placed_id;	/* last record placed in a batch on this connection (0: none) */

	/* the batch being written: control PDUs first, then whole records */
	uint8_t *batch_buf;
	size_t batch_cap;
	const uint8_t *batch_ptr;
	size_t batch_len, batch_off;
	uint64_t batch_first_id;
	unsigned batch_count;
	bool batch_busy;

	/* control PDUs */
	bool ka_due;			/* TIME1 expired: a keep-alive goes at the next boundary */
	bool ka_outstanding;		/* sent or due, no response yet */
	uint64_t ka_seq;
	bool ackreq_due;
	uint64_t ack_seq;
	struct sl_link_ackreq ackreqs[SL_LINK_MAX_ACKREQ];
	unsigned n_ackreqs;

	/* receive */
	uint8_t *rx_buf;
	size_t rx_cap, rx_len;

	struct rate_ctr_group *ctrs;
};

/* link_send.c */
void sl_link_pump(struct sl_link *l);
void sl_link_conn_reset(struct sl_link *l);	/* forget the connection's progress: all to resend */
void sl_link_check_acked(struct sl_link *l);
void sl_link_ack_response(struct sl_link *l, uint64_t seq);
void sl_link_ents_free(struct sl_link *l);
struct sl_link_ent *sl_link_ent(struct sl_link *l, uint64_t id);

/* link.c */
void sl_link_fail(struct sl_link *l, int ctr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sl_link_timer_ms(struct osmo_timer_list *t, unsigned ms);
