/*
 * The link's state machine (see link.h) as an osmo_fsm with its timers in
 * one osmo_tdef table, the way osmo-msc runs its roles (msc_a.c):
 *
 *   disconnected --START--> connecting --SOCKET: TCP up, TLS--> tls-handshake --SOCKET: done--> up
 *                           (connecting: an address at once, a host name resolved without
 *                           blocking, polled on X5 with RESOLVED; then a non-blocking connect)
 *                           connecting --SOCKET: TCP up, plain TCP------------------------------> up
 *   with option negotiation (clause 6.3.5), "up" above is reached through
 *                           negotiating --NEG_RX, SOCKET: complete, or not supported--> up
 *   connecting, tls-handshake, negotiating, up --FAIL, or X1/X6 expiry--> backing-off
 *   backing-off --X2 expiry--> connecting
 *
 * Each state names the events it accepts and the states it may go to; the
 * FSM refuses and logs anything else, so a timer firing in the wrong state
 * or a transition nobody planned cannot happen silently. X1 (connect
 * timeout, clause 6.3.2) covers the TCP connect and the TLS handshake:
 * tls-handshake keeps the timer connecting started. The back-off is
 * exponential from X2 to X3 with equal jitter and is the backing-off
 * state's own timeout. TIME1, TIME3, TIME5, TIME6 (clauses 6.3.4, 6.3.6)
 * and the SIOCOUTQ poll run inside "up" independently of state changes:
 * they are osmo_timers started and stopped only by the sl_link_timer_*
 * helpers, with durations from the same table, and their expiry is an
 * event of the FSM; leaving "up" stops them all.
 *
 * X6, the negotiating state's timeout, bounds all of link_negotiate.c's exchange.
 *
 * The table and the timers inside "up" are in link_timers.c. Values are
 * in milliseconds (tests run 20 ms back-offs). libosmocore 1.7
 * cannot start a state timer in milliseconds: osmo_tdef_fsm_inst_state_chg()
 * rounds up to whole seconds, and osmo_fsm_inst_state_chg_ms() schedules
 * the remainder as microseconds (10 ms fires after 10 us). So the state
 * changes here use the per-state table (osmo_tdef_state_timeout) the same
 * way, and the entry action of each timed state starts the FSM's own timer
 * (fi->timer, fi->T: expiry still goes through timer_cb) with the exact
 * value, first thing, so a state change made later in the same entry
 * action replaces it.
 *
 * Logs go to the delivery library's DLINK category with the instance's
 * prefix, link(<destination>-<stream>){<state>}: never an identity.
 */
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/link_int.h"

#define S(x) (1u << (x))

/*
 * State timeouts: X1 from entering connecting, kept through the TLS
 * handshake; X2 in backing-off (the value drawn from X2..X3, see
 * next_backoff()).
 */
static const struct osmo_tdef_state_timeout link_fsm_timeouts[32] = {
	[SL_LINK_CONNECTING] = { .T = SL_LINK_T_CONNECT },
	[SL_LINK_TLS_HANDSHAKE] = { .T = SL_LINK_T_CONNECT, .keep_timer = true },
	[SL_LINK_BACKING_OFF] = { .T = SL_LINK_T_BACKOFF_MIN },
	[SL_LINK_NEGOTIATING] = { .T = SL_LINK_T_NEGOTIATION },
};

static const struct value_string link_event_names[] = {
	{ SL_LINK_EV_START, "START" },
	{ SL_LINK_EV_SOCKET, "SOCKET" },
	{ SL_LINK_EV_FAIL, "FAIL" },
	{ SL_LINK_EV_KICK, "KICK" },
	{ SL_LINK_EV_TIME1, "TIME1" },
	{ SL_LINK_EV_TIME3, "TIME3" },
	{ SL_LINK_EV_TIME5, "TIME5" },
	{ SL_LINK_EV_TIME6, "TIME6" },
	{ SL_LINK_EV_POLL, "POLL" },
	{ SL_LINK_EV_RESOLVED, "RESOLVED" },
	{ SL_LINK_EV_NEG_RX, "NEG_RX" },
	{ 0, NULL }
};

/* Change state; the timer is kept if the table says so, else stopped (and restarted by the entry action). */
static void link_state_chg(struct sl_link *l, enum sl_link_state st)
{
	const struct osmo_tdef_state_timeout *t = osmo_tdef_get_state_timeout(st, link_fsm_timeouts);

	if (t && t->keep_timer)
		osmo_fsm_inst_state_chg_keep_timer(l->fi, st);
	else
		osmo_fsm_inst_state_chg(l->fi, st, 0, 0);
}

/*
 * First thing in the entry action of a timed state: start the FSM's timer
 * with the state's T from the table, for ms (0: the T's value).
 */
static void state_timer_start(struct sl_link *l, unsigned ms)
{
	const struct osmo_tdef_state_timeout *t = osmo_tdef_get_state_timeout(l->fi->state, link_fsm_timeouts);

	OSMO_ASSERT(t && t->T);
	if (!ms)
		ms = sl_link_T_ms(l, t->T);
	l->fi->T = t->T;
	osmo_timer_schedule(&l->fi->timer, ms / 1000, (ms % 1000) * 1000);
}

/* ---- connection --------------------------------------------------------- */

static void close_conn(struct sl_link *l)
{
	if (l->ofd.fd >= 0) {
		osmo_fd_unregister(&l->ofd);
		if (!l->tr)
			close(l->ofd.fd); /* still connecting: no transport owns it yet */
		l->ofd.fd = -1;
	}
	sl_transport_close(l->tr);
	l->tr = NULL;
	l->in_pump = false;
	l->rx_len = 0;
	l->security[0] = 0;
	sl_link_conn_reset(l);
}

/* Exponential back-off with "equal jitter": a random delay in [d/2, d], at least 1 ms. */
static unsigned next_backoff(struct sl_link *l)
{
	uint64_t d = sl_link_T_ms(l, SL_LINK_T_BACKOFF_MIN), max = sl_link_T_ms(l, SL_LINK_T_BACKOFF_MAX), j;
	unsigned i;

	for (i = 0; i < l->attempts && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	l->attempts++;
	j = d / 2 + (uint64_t)random() % (d / 2 + 1);
	return j ? (unsigned)j : 1;
}

void sl_link_fail(struct sl_link *l, int ctr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->last_error, sizeof(l->last_error), fmt, ap);
	va_end(ap);
	osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_FAIL, &ctr);
}

/* Count what kind of transport failure ended a connection. */
static void count_tr(struct sl_link *l, enum sl_tr_res res)
{
	static const int ctr[_SL_TR_RES_COUNT] = {
		[SL_TR_CLOSED] = SL_LINK_CTR_END_CLOSED,
		[SL_TR_RESET] = SL_LINK_CTR_END_RESET,
		[SL_TR_TLS_ALERT] = SL_LINK_CTR_END_TLS_ALERT,
		[SL_TR_TLS_ERROR] = SL_LINK_CTR_END_TLS_ERROR,
		[SL_TR_ERROR] = SL_LINK_CTR_END_ERROR,
	};

	if (res < _SL_TR_RES_COUNT && ctr[res])
		rate_ctr_inc2(l->ctrs, (unsigned)ctr[res]);
}

void sl_link_fail_tr(struct sl_link *l, enum sl_tr_res res)
{
	count_tr(l, res);
	if (res == SL_TR_CLOSED)
		sl_link_fail(l, -1, "receiver closed the connection");
	else
		sl_link_fail(l, -1, "%s", sl_transport_error(l->tr));
}

/* The transport is up: negotiate options first if configured (clause 6.3.5), else up at once. */
static void transport_ready(struct sl_link *l)
{
	l->use_pdu_ack = l->cfg.pdu_ack && !l->cfg.option_negotiation;
	l->negotiated = "";
	link_state_chg(l, l->cfg.option_negotiation ? SL_LINK_NEGOTIATING : SL_LINK_UP);
}

static void step_handshake(struct sl_link *l)
{
	enum sl_tr_res r = sl_transport_handshake(l->tr);

	if (r == SL_TR_OK) {
		transport_ready(l);
		return;
	}
	if (sl_tr_would_block(r)) {
		osmo_fd_update_when(&l->ofd, 0, OSMO_FD_READ | (sl_transport_wants_write(l->tr) ? OSMO_FD_WRITE : 0));
		return;
	}
	/* Refused before any record left: nothing was sent to an unverified peer. */
	count_tr(l, r);
	sl_link_fail(l, SL_LINK_CTR_TLS_FAIL, "%s:%u: %s", l->cfg.host, l->cfg.port, sl_transport_error(l->tr));
}

/* TCP is connected on l->ofd: put the transport on it. */
static void connected(struct sl_link *l)
{
	char err[256] = "out of memory";

	if (l->cfg.plain) {
		LOGPFSML(l->fi, LOGL_NOTICE,
			 "WARNING: PLAIN TCP to %s:%u: no encryption, no authentication of the receiver "
			 "(destination configured plain)\n",
			 l->cfg.host, l->cfg.port);
		l->tr = sl_transport_tcp_new(l, l->ofd.fd);
	} else {
		l->tr = sl_transport_tls_new(l, l->sslctx, l->ofd.fd,
					     l->cfg.tls_verify_name ? l->cfg.tls_verify_name : l->cfg.host, err,
					     sizeof(err));
	}
	if (!l->tr) {
		/* the transport closed the socket */
		osmo_fd_unregister(&l->ofd);
		l->ofd.fd = -1;
		sl_link_fail(l, l->cfg.plain ? SL_LINK_CTR_CONNECT_FAIL : SL_LINK_CTR_TLS_FAIL, "%s", err);
		return;
	}
	if (l->cfg.plain) {
		transport_ready(l);
		return;
	}
	link_state_chg(l, SL_LINK_TLS_HANDSHAKE);
	step_handshake(l);
}

static int ofd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sl_link *l = ofd->data;

	osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_SOCKET, &what);
	return 0;
}

/* ---- states ------------------------------------------------------------- */

static void disconnected_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	link_state_chg(fi->priv, SL_LINK_CONNECTING);
}

/*
 * A non-blocking connect to l->addr_next, the next address of the
 * resolved list (a name may have several, IPv6 and IPv4: one that refuses
 * or is unreachable passes on to the next within the same attempt). true:
 * connecting or connected; false: no address left, *why says the last error.
 */
static bool connect_next(struct sl_link *l, int *why)
{
	int one = 1, lowat = (int)l->cfg.notsent_lowat;

	while (l->addr_next) {
		struct addrinfo *ai = l->addr_next;
		int fd;

		l->addr_next = ai->ai_next;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			*why = errno;
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
			*why = errno;
			close(fd);
			continue;
		}
		osmo_fd_setup(&l->ofd, fd, OSMO_FD_WRITE, ofd_cb, l, 0);
		if (osmo_fd_register(&l->ofd) < 0) {
			close(fd);
			l->ofd.fd = -1;
			*why = ENOMEM;
			continue;
		}
		/* completes (or fails) when the socket turns writable: SOCKET event */
		return true;
	}
	return false;
}

/* Try the addresses in turn; fail the attempt once none is left. */
static void connect_or_fail(struct sl_link *l, int why)
{
	if (connect_next(l, &why))
		return;
	sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "connect to %s:%u: %s", l->cfg.host, l->cfg.port, strerror(why));
}

static void free_addrs(struct sl_link *l)
{
	if (l->addrs)
		freeaddrinfo(l->addrs);
	l->addrs = l->addr_next = NULL;
}

/* What the resolver said: connect, wait more, or fail the attempt. */
static void resolve_result(struct sl_link *l, enum sl_resolve_rc rc, struct addrinfo *ai, const char *err)
{
	switch (rc) {
	case SL_RESOLVE_DONE:
		l->resolve = NULL;
		free_addrs(l);
		l->addrs = l->addr_next = ai;
		connect_or_fail(l, EADDRNOTAVAIL);
		break;
	case SL_RESOLVE_PENDING:
		sl_link_timer_start(l, SL_LINK_TIMER_RESOLVE);
		break;
	case SL_RESOLVE_FAILED:
		l->resolve = NULL;
		sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "cannot resolve %s: %s", l->cfg.host, err);
		break;
	}
}

/*
 * Entering connecting: resolve the host (an address at once, a name
 * asynchronously: resolve.h), then a non-blocking connect. X1 covers both.
 */
static void connecting_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct sl_link *l = fi->priv;
	struct addrinfo *ai = NULL;
	const char *err = NULL;
	enum sl_resolve_rc rc;

	state_timer_start(l, 0);
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_CONNECT_ATTEMPTS);
	rc = sl_resolve_start(l->cfg.host, l->cfg.port, &l->resolve, &ai, &err);
	resolve_result(l, rc, ai, err);
}

/* Leaving connecting (connected, failed, timed out): a name still being resolved is given up. */
static void connecting_onleave(struct osmo_fsm_inst *fi, uint32_t next_state)
{
	struct sl_link *l = fi->priv;

	sl_link_timer_stop(l, SL_LINK_TIMER_RESOLVE);
	sl_resolve_abandon(l->resolve);
	l->resolve = NULL;
	free_addrs(l);
}

/* FAIL while connecting, in the handshake or up: count, back off, close. */
static void failed(struct sl_link *l, int ctr)
{
	bool was_up = sl_link_st(l) == SL_LINK_UP;
	struct sl_spool_stats ss;

	if (ctr >= 0)
		rate_ctr_inc2(l->ctrs, (unsigned)ctr);
	if (was_up) {
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_DISCONNECTS);
		/* A connection that lasted resets the back-off. */
		if (sl_spool_now_ms() - l->up_since_ms >= (int64_t)sl_link_T_ms(l, SL_LINK_T_BACKOFF_MAX))
			l->attempts = 0;
	}
	l->backoff_ms = next_backoff(l);
	sl_spool_get_stats(l->spool, &ss);
	/* What waits in the spool, not only what this connection had in flight:
	 * an authority owed records is an error an operator must see. */
	LOGPFSML(l->fi, ctr == SL_LINK_CTR_TLS_FAIL || ss.queued_records ? LOGL_ERROR : LOGL_NOTICE,
		 "%s%s; %" PRIu64 " records (%" PRIu64 " bytes) queued for delivery, retrying in %u ms\n",
		 was_up ? "connection lost: " : "", l->last_error, ss.queued_records, ss.queued_bytes, l->backoff_ms);
	link_state_chg(l, SL_LINK_BACKING_OFF);
}

static void connecting_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_link *l = fi->priv;
	socklen_t len = sizeof(int);
	int soerr = 0;

	switch (event) {
	case SL_LINK_EV_RESOLVED: {
		struct addrinfo *ai = NULL;
		const char *err = NULL;

		enum sl_resolve_rc rc;

		if (!l->resolve)
			break;
		rc = sl_resolve_poll(l->resolve, &ai, &err); /* before ai is read: a separate statement */
		resolve_result(l, rc, ai, err);
		break;
	}
	case SL_LINK_EV_SOCKET:
		if (getsockopt(l->ofd.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr) {
			/* this address refused: the next one, within the same attempt */
			osmo_fd_unregister(&l->ofd);
			close(l->ofd.fd);
			l->ofd.fd = -1;
			connect_or_fail(l, soerr);
			return;
		}
		connected(l);
		break;
	case SL_LINK_EV_FAIL:
		failed(l, *(int *)data);
		break;
	}
}

static void handshake_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_link *l = fi->priv;

	switch (event) {
	case SL_LINK_EV_SOCKET:
		step_handshake(l);
		break;
	case SL_LINK_EV_FAIL:
		failed(l, *(int *)data);
		break;
	}
}

static void up_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct sl_link *l = fi->priv;
	struct sl_spool_stats st;

	l->up_since_ms = sl_spool_now_ms();
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_CONNECTS);
	if (l->ever_up)
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RECONNECTS);
	l->ever_up = true;
	sl_transport_describe(l->tr, l->security, sizeof(l->security));
	sl_spool_get_stats(l->spool, &st);
	LOGPFSML(fi, LOGL_NOTICE, "up to %s:%u (%s); sending from record %" PRIu64 ", %" PRIu64 " undelivered\n",
		 l->cfg.host, l->cfg.port, l->security, st.released_id + 1, st.queued_records);
	osmo_fd_update_when(&l->ofd, 0, OSMO_FD_READ);
	if (sl_link_T_ms(l, SL_LINK_T_TIME1))
		sl_link_timer_start(l, SL_LINK_TIMER_TIME1);
	if (l->ka_outstanding) /* negotiation's keep-alive, not yet answered */
		sl_link_timer_start(l, SL_LINK_TIMER_TIME3);
	if (l->use_pdu_ack)
		sl_link_timer_start(l, SL_LINK_TIMER_TIME6);
	sl_link_pump(l);
}

static void up_onleave(struct osmo_fsm_inst *fi, uint32_t next_state)
{
	sl_link_timers_stop(fi->priv);
}

/* TIME1: nothing sent for a while; a keep-alive goes ahead of anything else. */
static void time1_expired(struct sl_link *l)
{
	if (l->ka_outstanding)
		return;
	l->ka_seq++;
	l->ka_due = true;
	l->ka_outstanding = true;
	/* TIME3 from when it is due: a receiver that stops reading is caught too. */
	sl_link_timer_start(l, SL_LINK_TIMER_TIME3);
	sl_link_pump(l);
}

/* TIME6: ask for an acknowledgement of what was sent since the last request. */
static void time6_expired(struct sl_link *l)
{
	uint64_t covered = l->n_ackreqs ? l->ackreqs[l->n_ackreqs - 1].covers_id : l->head_id - 1;

	if (l->last_placed_id > covered && l->last_placed_id >= l->head_id) {
		l->ackreq_due = true;
		/*
		 * TIME5 runs from the moment the request is due, as TIME3 does for
		 * keep-alives: a receiver that stops reading fills the socket, the
		 * request then never leaves, and a timer started at sending would
		 * never start (found by a test with a SIGSTOPped receiver).
		 */
		if (!sl_link_timer_pending(l, SL_LINK_TIMER_TIME5))
			sl_link_timer_start(l, SL_LINK_TIMER_TIME5);
		sl_link_pump(l);
		if (sl_link_st(l) != SL_LINK_UP)
			return;
	}
	sl_link_timer_start(l, SL_LINK_TIMER_TIME6);
}

static void poll_expired(struct sl_link *l)
{
	sl_link_check_acked(l);
	if (l->ack_next_id < l->next_send_id)
		sl_link_timer_start(l, SL_LINK_TIMER_POLL);
	sl_link_pump(l); /* releases may have made room under max_inflight_bytes */
}

static void up_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_link *l = fi->priv;

	switch (event) {
	case SL_LINK_EV_SOCKET:
		if (*(unsigned *)data & OSMO_FD_READ)
			sl_link_rx(l);
		sl_link_pump(l);
		break;
	case SL_LINK_EV_FAIL:
		failed(l, *(int *)data);
		break;
	case SL_LINK_EV_TIME1:
		time1_expired(l);
		break;
	case SL_LINK_EV_TIME3:
		sl_link_fail(l, SL_LINK_CTR_KEEPALIVE_TIMEOUT, "no keep-alive response within TIME3 (%u ms)",
			     sl_link_T_ms(l, SL_LINK_T_TIME3));
		break;
	case SL_LINK_EV_TIME5:
		sl_link_fail(l, SL_LINK_CTR_ACK_TIMEOUT, "no pDUAcknowledgementResponse within TIME5 (%u ms)",
			     sl_link_T_ms(l, SL_LINK_T_TIME5));
		break;
	case SL_LINK_EV_TIME6:
		time6_expired(l);
		break;
	case SL_LINK_EV_POLL:
		poll_expired(l);
		break;
	}
}

/* What link_negotiate.c said: up once done; on failure the link is already backing off. */
static void neg_next(struct sl_link *l, enum sl_link_neg_res r)
{
	if (r == SL_LINK_NEG_DONE && sl_link_st(l) == SL_LINK_NEGOTIATING)
		link_state_chg(l, SL_LINK_UP);
}

/* Entering negotiating: X6 for the whole exchange; optionRequest and keep-alive go out. */
static void negotiating_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct sl_link *l = fi->priv;

	state_timer_start(l, 0);
	osmo_fd_update_when(&l->ofd, 0, OSMO_FD_READ);
	neg_next(l, sl_link_neg_start(l));
}

static void negotiating_action(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	struct sl_link *l = fi->priv;

	if (event == SL_LINK_EV_FAIL)
		failed(l, *(int *)data);
	else
		neg_next(l, sl_link_neg_event(l, event, data)); /* SOCKET, NEG_RX */
}

static void backing_off_onenter(struct osmo_fsm_inst *fi, uint32_t prev_state)
{
	struct sl_link *l = fi->priv;

	state_timer_start(l, l->backoff_ms);
	close_conn(l);
}

/* New records: only an "up" link has anywhere to send them. */
static void link_allstate(struct osmo_fsm_inst *fi, uint32_t event, void *data)
{
	if (event == SL_LINK_EV_KICK && fi->state == SL_LINK_UP)
		sl_link_pump(fi->priv);
}

/* State timeouts: X1 (connect, handshake) fails the attempt; X2 (back-off) connects again. */
static int link_timer_cb(struct osmo_fsm_inst *fi)
{
	struct sl_link *l = fi->priv;

	switch (fi->state) {
	case SL_LINK_CONNECTING:
	case SL_LINK_TLS_HANDSHAKE:
		sl_link_fail(l, fi->state == SL_LINK_CONNECTING ? SL_LINK_CTR_CONNECT_FAIL : SL_LINK_CTR_TLS_FAIL,
			     "%s to %s:%u timed out after %u ms",
			     fi->state == SL_LINK_CONNECTING ? "connect" : "TLS handshake", l->cfg.host, l->cfg.port,
			     sl_link_T_ms(l, SL_LINK_T_CONNECT));
		break;
	case SL_LINK_BACKING_OFF:
		link_state_chg(l, SL_LINK_CONNECTING);
		break;
	case SL_LINK_NEGOTIATING:
		sl_link_fail(l, SL_LINK_CTR_NEG_TIMEOUT, "option negotiation not complete within X6 (%u ms)",
			     sl_link_T_ms(l, SL_LINK_T_NEGOTIATION));
		break;
	default:
		break;
	}
	return 0;
}

static void link_cleanup(struct osmo_fsm_inst *fi, enum osmo_fsm_term_cause cause)
{
	struct sl_link *l = fi->priv;

	sl_link_timers_stop(l);
	sl_resolve_abandon(l->resolve);
	l->resolve = NULL;
	free_addrs(l);
	close_conn(l);
}

static const struct osmo_fsm_state link_fsm_states[] = {
	[SL_LINK_DISCONNECTED] = {
		.name = "disconnected",
		.in_event_mask = S(SL_LINK_EV_START),
		.out_state_mask = S(SL_LINK_CONNECTING),
		.action = disconnected_action,
	},
	[SL_LINK_CONNECTING] = {
		.name = "connecting",
		.in_event_mask = S(SL_LINK_EV_SOCKET) | S(SL_LINK_EV_FAIL) | S(SL_LINK_EV_RESOLVED),
		.out_state_mask = S(SL_LINK_TLS_HANDSHAKE) | S(SL_LINK_NEGOTIATING) | S(SL_LINK_UP) |
				  S(SL_LINK_BACKING_OFF),
		.onenter = connecting_onenter,
		.onleave = connecting_onleave,
		.action = connecting_action,
	},
	[SL_LINK_TLS_HANDSHAKE] = {
		.name = "tls-handshake",
		.in_event_mask = S(SL_LINK_EV_SOCKET) | S(SL_LINK_EV_FAIL),
		.out_state_mask = S(SL_LINK_NEGOTIATING) | S(SL_LINK_UP) | S(SL_LINK_BACKING_OFF),
		.action = handshake_action,
	},
	[SL_LINK_NEGOTIATING] = {
		.name = "negotiating",
		.in_event_mask = S(SL_LINK_EV_SOCKET) | S(SL_LINK_EV_FAIL) | S(SL_LINK_EV_NEG_RX),
		.out_state_mask = S(SL_LINK_UP) | S(SL_LINK_BACKING_OFF),
		.onenter = negotiating_onenter,
		.action = negotiating_action,
	},
	[SL_LINK_UP] = {
		.name = "up",
		.in_event_mask = S(SL_LINK_EV_SOCKET) | S(SL_LINK_EV_FAIL) | S(SL_LINK_EV_TIME1) |
				 S(SL_LINK_EV_TIME3) | S(SL_LINK_EV_TIME5) | S(SL_LINK_EV_TIME6) | S(SL_LINK_EV_POLL),
		.out_state_mask = S(SL_LINK_BACKING_OFF),
		.onenter = up_onenter,
		.onleave = up_onleave,
		.action = up_action,
	},
	[SL_LINK_BACKING_OFF] = {
		.name = "backing-off",
		.in_event_mask = 0,
		.out_state_mask = S(SL_LINK_CONNECTING),
		.onenter = backing_off_onenter,
	},
};

static struct osmo_fsm link_fsm = {
	.name = "link",
	.states = link_fsm_states,
	.num_states = ARRAY_SIZE(link_fsm_states),
	.allstate_event_mask = S(SL_LINK_EV_KICK),
	.allstate_action = link_allstate,
	.timer_cb = link_timer_cb,
	.cleanup = link_cleanup,
	.event_names = link_event_names,
};

int sl_link_fsm_alloc(struct sl_link *l)
{
	static bool registered;

	/* The program places the delivery categories in its log_info before it makes links. */
	link_fsm.log_subsys = DSLLINK;
	if (!registered) {
		if (osmo_fsm_register(&link_fsm) < 0)
			return -EINVAL;
		registered = true;
	}
	if (sl_link_timers_init(l) < 0)
		return -ENOMEM;
	l->fi = osmo_fsm_inst_alloc(&link_fsm, l, l, LOGL_DEBUG, NULL);
	if (!l->fi)
		return -ENOMEM;
	osmo_fsm_inst_update_id_f_sanitize(l->fi, '-', "%s", l->cfg.name);
	return 0;
}

void sl_link_retry_now(struct sl_link *l)
{
	if (l->fi->state != SL_LINK_BACKING_OFF)
		return;
	l->attempts = 0;
	link_state_chg(l, SL_LINK_CONNECTING);
}

void sl_link_fsm_start(struct sl_link *l)
{
	osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_START, NULL);
}

void sl_link_fsm_free(struct sl_link *l)
{
	if (!l->fi)
		return;
	osmo_fsm_inst_term(l->fi, OSMO_FSM_TERM_REQUEST, NULL);
	l->fi = NULL;
}
