/*
 * Link internals shared by link_fsm.c (the state machine: connection,
 * handshake, back-off), link_negotiate.c (TRI option negotiation), link_timers.c (the timer table and the timers
 * that run while up), link.c (creation, receive path, status) and link_send.c (records
 * in flight, batching, keep-alive and ack-request interleaving, TCP-ack
 * tracking, release).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/select.h>
#include <osmocom/core/tdef.h>
#include <osmocom/core/timer.h>
#include <openssl/ssl.h>

#include "handover/link.h"
#include "handover/resolve.h"
#include "handover/transport.h"

/*
 * Events of the link FSM (link_fsm.c). Socket readiness and failures come
 * from the connection; the timer events only while up (their timers are
 * stopped when the link leaves "up").
 */
enum sl_link_event {
	SL_LINK_EV_START,	/* disconnected: connect now (clause 6.3.2) */
	SL_LINK_EV_SOCKET,	/* the socket is ready (data: unsigned OSMO_FD_* flags) */
	SL_LINK_EV_FAIL,	/* the connection failed (data: int counter index or -1); last_error is set */
	SL_LINK_EV_KICK,	/* committed records may wait (any state; acted on when up) */
	SL_LINK_EV_TIME1,	/* T1 expired: nothing sent for TIME1, a keep-alive is due */
	SL_LINK_EV_TIME3,	/* T3 expired: no keep-alive response */
	SL_LINK_EV_TIME5,	/* T5 expired: no pDUAcknowledgementResponse */
	SL_LINK_EV_TIME6,	/* T6 expired: time for a pDUAcknowledgementRequest */
	SL_LINK_EV_POLL,	/* X4 expired: ask the kernel what the receiver's TCP acked */
	SL_LINK_EV_RESOLVED,	/* X5 expired while connecting: is the host name resolved yet? */
	SL_LINK_EV_NEG_RX,	/* negotiating: a PDU from the receiver (data: const struct sl_link_rx *) */
};

/*
 * The timers that run inside "up" independently of the state (the state
 * timeouts, X1 connect and X2 back-off, are the FSM's own). Started and
 * stopped only through sl_link_timer_*; durations from the link's tdef
 * table.
 */
enum sl_link_timer {
	SL_LINK_TIMER_TIME1,	/* T1 */
	SL_LINK_TIMER_TIME3,	/* T3 */
	SL_LINK_TIMER_TIME5,	/* T5 */
	SL_LINK_TIMER_TIME6,	/* T6 */
	SL_LINK_TIMER_POLL,	/* X4 */
	SL_LINK_TIMER_RESOLVE,	/* X5, inside connecting */
	_SL_LINK_TIMER_COUNT
};

/* T numbers of the link's tdef table (positive: TS 102 232-1 TIMEn; negative: sluice's own, shown as Xn). */
enum sl_link_T {
	SL_LINK_T_TIME1 = 1,
	SL_LINK_T_TIME3 = 3,
	SL_LINK_T_TIME5 = 5,
	SL_LINK_T_TIME6 = 6,
	SL_LINK_T_CONNECT = -1,
	SL_LINK_T_BACKOFF_MIN = -2,
	SL_LINK_T_BACKOFF_MAX = -3,
	SL_LINK_T_ACK_POLL = -4,
	SL_LINK_T_RESOLVE_POLL = -5,
	SL_LINK_T_NEGOTIATION = -6,
};

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

	struct osmo_fsm_inst *fi;	/* state: enum sl_link_state */
	struct osmo_tdef *tdefs;	/* this link's timer table (values from cfg) */
	struct osmo_timer_list timers[_SL_LINK_TIMER_COUNT];
	struct osmo_fd ofd;		/* the socket, registered while connecting or connected */
	struct sl_resolve *resolve;	/* the host name being resolved (connecting), else NULL */
	struct addrinfo *addrs, *addr_next; /* connecting: the resolved list, the next to try */
	struct sl_transport *tr;	/* once TCP is connected; owns the socket */
	char security[96];
	char last_error[256];

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

	/* option negotiation (clause 6.3.5) on this connection: link_negotiate.c */
	bool use_pdu_ack;		/* release by pDUAcknowledgement on this connection */
	const char *negotiated;		/* for show handover: "", "pDUAcknowledgement", "none", "unsupported" */
	uint32_t neg_requested, neg_accepted;
	uint64_t neg_seq;		/* our next optionRequest/optionComplete number */
	uint64_t neg_req_seq;		/* our optionRequest's number */
	bool neg_got_response, neg_sent_complete, neg_peer_complete;
	uint8_t neg_tx[4 * SL_LINK_CTRL_MAX];	/* negotiation PDUs not yet written */
	size_t neg_tx_len;

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
void sl_link_rx(struct sl_link *l);

/* link_negotiate.c: each returns what the state machine does next */
enum sl_link_neg_res {
	SL_LINK_NEG_WAIT,	/* stay negotiating */
	SL_LINK_NEG_DONE,	/* go up (complete, or the receiver does not negotiate) */
	SL_LINK_NEG_FAILED,	/* the connection has been failed */
};
enum sl_link_neg_res sl_link_neg_start(struct sl_link *l);	/* optionRequest, then a keep-alive */
enum sl_link_neg_res sl_link_neg_rx(struct sl_link *l, const struct sl_link_rx *rx);
enum sl_link_neg_res sl_link_neg_flush(struct sl_link *l);	/* the socket may take more */
/* The negotiating state's SOCKET and NEG_RX events. */
enum sl_link_neg_res sl_link_neg_event(struct sl_link *l, uint32_t event, void *data);

/* link_fsm.c */
int sl_link_fsm_alloc(struct sl_link *l);	/* l->fi, l->tdefs (from l->cfg), timers; 0 or -ENOMEM */
void sl_link_fsm_start(struct sl_link *l);	/* disconnected -> connecting */
void sl_link_retry_now(struct sl_link *l);	/* backing off -> connecting, back-off reset */
void sl_link_fsm_free(struct sl_link *l);	/* terminate: timers stopped, connection closed */
static inline enum sl_link_state sl_link_st(const struct sl_link *l)
{
	return (enum sl_link_state)l->fi->state;
}
/* Record why (last_error), count ctr (or -1), and fail the connection: back off, then reconnect. */
void sl_link_fail(struct sl_link *l, int ctr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A transport operation failed with res: count its kind and fail the connection. */
void sl_link_fail_tr(struct sl_link *l, enum sl_tr_res res);

/* link_timers.c */
extern const struct osmo_tdef sl_link_tdefs_template[];
int sl_link_timers_init(struct sl_link *l);	/* l->tdefs from the template and l->cfg; the timers set up */
/* A value of the link's tdef table in milliseconds. */
unsigned sl_link_T_ms(const struct sl_link *l, int T);
void sl_link_timer_start(struct sl_link *l, enum sl_link_timer t);
void sl_link_timer_start_ms(struct sl_link *l, enum sl_link_timer t, unsigned ms);
void sl_link_timer_stop(struct sl_link *l, enum sl_link_timer t);
bool sl_link_timer_pending(const struct sl_link *l, enum sl_link_timer t);
void sl_link_timers_stop(struct sl_link *l);	/* all of them: leaving "up" */
