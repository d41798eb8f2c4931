/*
 * Link state machine (see link.h): connect, TLS handshake, up, back-off;
 * the receive path (keep-alive and acknowledgement responses); timers
 * TIME1/TIME3 (keep-alive) and TIME6/TIME5 (PDU acknowledgement); the
 * status for `show handover`. The data path is in link_send.c.
 */
#include "handover/link.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/link_int.h"

const struct value_string sl_link_state_names[] = {
	{ SL_LINK_DISCONNECTED, "disconnected" },
	{ SL_LINK_CONNECTING, "connecting" },
	{ SL_LINK_TLS_HANDSHAKE, "tls-handshake" },
	{ SL_LINK_UP, "up" },
	{ SL_LINK_BACKING_OFF, "backing-off" },
	{ 0, NULL }
};

static const struct rate_ctr_desc link_ctr_desc[_SL_LINK_CTR_COUNT] = {
	[SL_LINK_CTR_CONNECT_ATTEMPTS] = { "connect:attempts", "Connection attempts" },
	[SL_LINK_CTR_CONNECTS] = { "connect:up", "Connections established (TCP and, if used, TLS)" },
	[SL_LINK_CTR_RECONNECTS] = { "connect:reconnects", "Connections established again after one was lost" },
	[SL_LINK_CTR_CONNECT_FAIL] = { "connect:failed", "TCP connects that failed or timed out" },
	[SL_LINK_CTR_TLS_FAIL] = { "tls:refused", "TLS handshakes that failed (certificate, name, protocol)" },
	[SL_LINK_CTR_DISCONNECTS] = { "connect:lost", "Established connections that were lost" },
	[SL_LINK_CTR_RECORDS_SENT] = { "records:sent", "Records written to the connection (resends included)" },
	[SL_LINK_CTR_BYTES_SENT] = { "bytes:sent", "Record and control bytes written (before TLS)" },
	[SL_LINK_CTR_RECORDS_RESENT] = { "records:resent", "Records written again after a reconnect" },
	[SL_LINK_CTR_RECORDS_RELEASED] = { "records:released", "Records released from the spool after delivery" },
	[SL_LINK_CTR_KEEPALIVE_SENT] = { "keepalive:sent", "TRI keep-alives sent (clause 6.3.4)" },
	[SL_LINK_CTR_KEEPALIVE_RESPONSE] = { "keepalive:response", "Keep-alive responses received" },
	[SL_LINK_CTR_KEEPALIVE_TIMEOUT] = { "keepalive:timeout", "Connections dropped: no keep-alive response in TIME3" },
	[SL_LINK_CTR_ACK_REQUEST_SENT] = { "ack:request", "pDUAcknowledgementRequests sent (clause 6.3.6)" },
	[SL_LINK_CTR_ACK_RESPONSE] = { "ack:response", "pDUAcknowledgementResponses received" },
	[SL_LINK_CTR_ACK_TIMEOUT] = { "ack:timeout", "Connections dropped: no acknowledgement response in TIME5" },
	[SL_LINK_CTR_RX_OTHER] = { "rx:other", "PDUs from the receiver the link does not act on" },
	[SL_LINK_CTR_RX_INVALID] = { "rx:invalid", "Unframeable or undecodable bytes from the receiver" },
	[SL_LINK_CTR_SPOOL_ERROR] = { "spool:error", "Spool read failures (delivery stops at the bad record)" },
};

const struct rate_ctr_group_desc sl_link_ctrg_desc = {
	.group_name_prefix = "link",
	.group_description = "Handover link to one destination",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_LINK_CTR_COUNT,
	.ctr_desc = link_ctr_desc,
};

static unsigned link_ctrg_index;

static void do_connect(struct sl_link *l);

void sl_link_timer_ms(struct osmo_timer_list *t, unsigned ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

static void set_state(struct sl_link *l, enum sl_link_state st)
{
	if (l->state != st)
		LOGP(DSLLINK, LOGL_DEBUG, "link %s: %s -> %s\n", l->cfg.name,
		     get_value_string(sl_link_state_names, l->state), get_value_string(sl_link_state_names, st));
	l->state = st;
}

static void close_conn(struct sl_link *l)
{
	osmo_timer_del(&l->state_timer);
	osmo_timer_del(&l->idle_timer);
	osmo_timer_del(&l->ka_timer);
	osmo_timer_del(&l->ack6_timer);
	osmo_timer_del(&l->ack5_timer);
	osmo_timer_del(&l->poll_timer);
	if (l->tls) {
		sl_tls_free(l->tls);
		l->tls = NULL;
	}
	if (l->ofd.fd >= 0) {
		osmo_fd_unregister(&l->ofd);
		close(l->ofd.fd);
		l->ofd.fd = -1;
	}
	l->in_pump = false;
	l->rx_len = 0;
	l->security[0] = 0;
	sl_link_conn_reset(l);
}

/* Exponential back-off with "equal jitter": a random delay in [d/2, d]. */
static unsigned next_backoff(struct sl_link *l)
{
	uint64_t d = l->cfg.backoff_min_ms;
	unsigned i;

	for (i = 0; i < l->attempts && d < l->cfg.backoff_max_ms; i++)
		d *= 2;
	if (d > l->cfg.backoff_max_ms)
		d = l->cfg.backoff_max_ms;
	l->attempts++;
	return (unsigned)(d / 2 + (uint64_t)random() % (d / 2 + 1));
}

void sl_link_fail(struct sl_link *l, int ctr, const char *fmt, ...)
{
	bool was_up = l->state == SL_LINK_UP;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->last_error, sizeof(l->last_error), fmt, ap);
	va_end(ap);
	if (ctr >= 0)
		rate_ctr_inc2(l->ctrs, (unsigned)ctr);
	if (was_up) {
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_DISCONNECTS);
		/* A connection that lasted resets the back-off. */
		if (sl_spool_now_ms() - l->up_since_ms >= (int64_t)l->cfg.backoff_max_ms)
			l->attempts = 0;
	}
	close_conn(l);
	l->backoff_ms = next_backoff(l);
	LOGP(DSLLINK, ctr == SL_LINK_CTR_TLS_FAIL ? LOGL_ERROR : LOGL_NOTICE,
	     "link %s: %s%s; %" PRIu64 " records undelivered, retrying in %u ms\n", l->cfg.name,
	     was_up ? "connection lost: " : "", l->last_error, l->n, l->backoff_ms);
	set_state(l, SL_LINK_BACKING_OFF);
	sl_link_timer_ms(&l->state_timer, l->backoff_ms);
}

void sl_link_drop(struct sl_link *l, const char *why)
{
	if (l->state == SL_LINK_BACKING_OFF || l->state == SL_LINK_DISCONNECTED)
		return;
	sl_link_fail(l, -1, "%s", why);
}

static void go_up(struct sl_link *l)
{
	struct sl_spool_stats st;

	osmo_timer_del(&l->state_timer);
	set_state(l, SL_LINK_UP);
	l->up_since_ms = sl_spool_now_ms();
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_CONNECTS);
	if (l->ever_up)
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RECONNECTS);
	l->ever_up = true;
	if (!l->tls)
		OSMO_STRLCPY_ARRAY(l->security, "PLAIN TCP");
	sl_spool_get_stats(l->spool, &st);
	LOGP(DSLLINK, LOGL_NOTICE, "link %s: up to %s:%u (%s); sending from record %" PRIu64 ", %" PRIu64
	     " undelivered\n", l->cfg.name, l->cfg.host, l->cfg.port, l->security, st.released_id + 1,
	     st.queued_records);
	osmo_fd_update_when(&l->ofd, 0, OSMO_FD_READ);
	if (l->cfg.time1_ms)
		sl_link_timer_ms(&l->idle_timer, l->cfg.time1_ms);
	if (l->cfg.pdu_ack)
		sl_link_timer_ms(&l->ack6_timer, l->cfg.time6_ms);
	sl_link_pump(l);
}

static void step_handshake(struct sl_link *l)
{
	char err[256];
	int rc = sl_tls_handshake(l->tls, err, sizeof(err));

	if (rc == 1) {
		sl_tls_describe(l->tls, l->security, sizeof(l->security));
		go_up(l);
		return;
	}
	if (rc == -EAGAIN) {
		osmo_fd_update_when(&l->ofd, 0, OSMO_FD_READ | (sl_tls_want_write(l->tls) ? OSMO_FD_WRITE : 0));
		return;
	}
	/* Refused before any record left: nothing was sent to an unverified peer. */
	sl_link_fail(l, SL_LINK_CTR_TLS_FAIL, "%s:%u: %s", l->cfg.host, l->cfg.port, err);
}

static void connected(struct sl_link *l)
{
	char err[256];

	if (l->cfg.plain) {
		LOGP(DSLLINK, LOGL_NOTICE,
		     "link %s: WARNING: PLAIN TCP to %s:%u: no encryption, no authentication of the receiver "
		     "(destination configured plain)\n",
		     l->cfg.name, l->cfg.host, l->cfg.port);
		go_up(l);
		return;
	}
	l->tls = sl_tls_new(l, l->sslctx, l->ofd.fd,
			    l->cfg.tls_verify_name ? l->cfg.tls_verify_name : l->cfg.host, err, sizeof(err));
	if (!l->tls) {
		sl_link_fail(l, SL_LINK_CTR_TLS_FAIL, "%s", err);
		return;
	}
	set_state(l, SL_LINK_TLS_HANDSHAKE);
	step_handshake(l);
}

/* Handle one PDU from the receiver. */
static void rx_pdu(struct sl_link *l, const uint8_t *p, size_t n)
{
	enum sl_link_rx_kind kind = SL_LINK_RX_OTHER;
	uint64_t seq = 0;

	if (!l->ops.classify || l->ops.classify(l->ops.priv, p, n, &kind, &seq) < 0) {
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RX_INVALID);
		LOGP(DSLLINK, LOGL_NOTICE, "link %s: undecodable PDU (%zu bytes) from the receiver ignored\n",
		     l->cfg.name, n);
		return;
	}
	switch (kind) {
	case SL_LINK_RX_KEEPALIVE_RESPONSE:
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_KEEPALIVE_RESPONSE);
		if (l->ka_outstanding && seq == l->ka_seq) {
			l->ka_outstanding = false;
			osmo_timer_del(&l->ka_timer);
		}
		break;
	case SL_LINK_RX_ACK_RESPONSE:
		sl_link_ack_response(l, seq);
		break;
	default:
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RX_OTHER);
		break;
	}
}

static void rx(struct sl_link *l)
{
	char err[256];
	ssize_t n, sz = 0;
	size_t off;

	while (l->state == SL_LINK_UP) {
		if (l->tls) {
			n = sl_tls_read(l->tls, l->rx_buf + l->rx_len, l->rx_cap - l->rx_len, err, sizeof(err));
		} else {
			n = recv(l->ofd.fd, l->rx_buf + l->rx_len, l->rx_cap - l->rx_len, 0);
			if (n < 0) {
				n = (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -EAGAIN : -errno;
				snprintf(err, sizeof(err), "recv: %s", strerror(errno));
			}
		}
		if (n == -EAGAIN)
			return;
		if (n == 0) {
			sl_link_fail(l, -1, "receiver closed the connection");
			return;
		}
		if (n < 0) {
			sl_link_fail(l, -1, "%s", err);
			return;
		}
		l->rx_len += (size_t)n;
		off = 0;
		while (off < l->rx_len && (sz = l->ops.frame(l->ops.priv, l->rx_buf + off, l->rx_len - off,
							     l->cfg.max_pdu)) > 0) {
			rx_pdu(l, l->rx_buf + off, (size_t)sz);
			off += (size_t)sz;
		}
		if (off < l->rx_len && sz < 0) {
			rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RX_INVALID);
			sl_link_fail(l, -1, "receiver sent bytes that do not frame as a PDU (%s)", strerror((int)-sz));
			return;
		}
		memmove(l->rx_buf, l->rx_buf + off, l->rx_len - off);
		l->rx_len -= off;
	}
}

static int ofd_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sl_link *l = ofd->data;
	socklen_t len = sizeof(int);
	int soerr = 0;

	switch (l->state) {
	case SL_LINK_CONNECTING:
		if (getsockopt(ofd->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr) {
			sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "connect to %s:%u: %s", l->cfg.host, l->cfg.port,
				     strerror(soerr));
			return 0;
		}
		connected(l);
		return 0;
	case SL_LINK_TLS_HANDSHAKE:
		step_handshake(l);
		return 0;
	case SL_LINK_UP:
		if (what & OSMO_FD_READ)
			rx(l);
		sl_link_pump(l);
		return 0;
	default:
		return 0;
	}
}

static void state_timer_cb(void *data)
{
	struct sl_link *l = data;

	switch (l->state) {
	case SL_LINK_BACKING_OFF:
	case SL_LINK_DISCONNECTED:
		do_connect(l);
		break;
	case SL_LINK_CONNECTING:
	case SL_LINK_TLS_HANDSHAKE:
		sl_link_fail(l, l->state == SL_LINK_CONNECTING ? SL_LINK_CTR_CONNECT_FAIL : SL_LINK_CTR_TLS_FAIL,
			     "%s to %s:%u timed out after %u ms",
			     l->state == SL_LINK_CONNECTING ? "connect" : "TLS handshake", l->cfg.host, l->cfg.port,
			     l->cfg.connect_timeout_ms);
		break;
	default:
		break;
	}
}

static void do_connect(struct sl_link *l)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG };
	struct addrinfo *ai = NULL;
	char port[8];
	int fd, one = 1, lowat = (int)l->cfg.notsent_lowat, rc;

	set_state(l, SL_LINK_CONNECTING);
	rate_ctr_inc2(l->ctrs, SL_LINK_CTR_CONNECT_ATTEMPTS);
	snprintf(port, sizeof(port), "%u", l->cfg.port);
	rc = getaddrinfo(l->cfg.host, port, &hints, &ai);
	if (rc) {
		sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "cannot resolve %s: %s", l->cfg.host, gai_strerror(rc));
		return;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(ai);
		sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "socket: %s", strerror(errno));
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
	osmo_fd_setup(&l->ofd, fd, OSMO_FD_WRITE, ofd_cb, l, 0);
	if (osmo_fd_register(&l->ofd) < 0) {
		close(fd);
		l->ofd.fd = -1;
		freeaddrinfo(ai);
		sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "cannot register socket");
		return;
	}
	rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	sl_link_timer_ms(&l->state_timer, l->cfg.connect_timeout_ms);
	if (rc == 0) {
		connected(l);
		return;
	}
	if (errno != EINPROGRESS)
		sl_link_fail(l, SL_LINK_CTR_CONNECT_FAIL, "connect to %s:%u: %s", l->cfg.host, l->cfg.port,
			     strerror(errno));
}

/* TIME1: nothing sent for a while; a keep-alive goes ahead of anything else. */
static void idle_timer_cb(void *data)
{
	struct sl_link *l = data;

	if (l->state != SL_LINK_UP || l->ka_outstanding)
		return;
	l->ka_seq++;
	l->ka_due = true;
	l->ka_outstanding = true;
	/* TIME3 from when it is due: a receiver that stops reading is caught too. */
	sl_link_timer_ms(&l->ka_timer, l->cfg.time3_ms);
	sl_link_pump(l);
}

static void ka_timer_cb(void *data)
{
	struct sl_link *l = data;

	sl_link_fail(l, SL_LINK_CTR_KEEPALIVE_TIMEOUT, "no keep-alive response within TIME3 (%u ms)",
		     l->cfg.time3_ms);
}

/* TIME6: ask for an acknowledgement of what was sent since the last request. */
static void ack6_timer_cb(void *data)
{
	struct sl_link *l = data;
	uint64_t covered = l->n_ackreqs ? l->ackreqs[l->n_ackreqs - 1].covers_id : l->head_id - 1;

	if (l->state != SL_LINK_UP)
		return;
	if (l->last_placed_id > covered && l->last_placed_id >= l->head_id) {
		l->ackreq_due = true;
		/*
		 * TIME5 runs from the moment the request is due, as TIME3 does for
		 * keep-alives: a receiver that stops reading fills the socket, the
		 * request then never leaves, and a timer started at sending would
		 * never start (found by a test with a SIGSTOPped receiver).
		 */
		if (!osmo_timer_pending(&l->ack5_timer))
			sl_link_timer_ms(&l->ack5_timer, l->cfg.time5_ms);
		sl_link_pump(l);
	}
	sl_link_timer_ms(&l->ack6_timer, l->cfg.time6_ms);
}

static void ack5_timer_cb(void *data)
{
	struct sl_link *l = data;

	sl_link_fail(l, SL_LINK_CTR_ACK_TIMEOUT, "no pDUAcknowledgementResponse within TIME5 (%u ms)",
		     l->cfg.time5_ms);
}

static void poll_timer_cb(void *data)
{
	struct sl_link *l = data;

	sl_link_check_acked(l);
	if (l->state == SL_LINK_UP && l->ack_next_id < l->next_send_id)
		sl_link_timer_ms(&l->poll_timer, l->cfg.ack_poll_ms);
	sl_link_pump(l); /* releases may have made room under max_inflight_bytes */
}

static void spool_notify(void *priv)
{
	sl_link_pump(priv);
}

void sl_link_kick(struct sl_link *l)
{
	sl_link_pump(l);
}

static int link_destructor(struct sl_link *l)
{
	sl_spool_set_notify(l->spool, NULL, NULL);
	close_conn(l);
	sl_link_ents_free(l);
	if (l->sslctx)
		SSL_CTX_free(l->sslctx);
	if (l->ctrs)
		rate_ctr_group_free(l->ctrs);
	return 0;
}

void sl_link_free(struct sl_link *l)
{
	talloc_free(l);
}

static char *dup_opt(void *ctx, const char *s)
{
	return s ? talloc_strdup(ctx, s) : NULL;
}

struct sl_link *sl_link_new(void *ctx, struct sl_spool *spool, const struct sl_link_cfg *cfg,
			    const struct sl_link_pdu_ops *ops, char *err, size_t errlen)
{
	struct sl_link *l;
	struct sl_spool_stats st;

	if (!cfg->host || !cfg->port || !ops->frame) {
		snprintf(err, errlen, "link needs a host, a port and a PDU framing function");
		return NULL;
	}
	if (cfg->pdu_ack && !ops->make_ack_request) {
		snprintf(err, errlen, "PDU acknowledgement needs an acknowledgement request encoder");
		return NULL;
	}
	if (cfg->time1_ms && !ops->make_keepalive) {
		snprintf(err, errlen, "keep-alives need a keep-alive encoder");
		return NULL;
	}
	l = talloc_zero(ctx, struct sl_link);
	if (!l)
		return NULL;
	l->ofd.fd = -1;
	l->cfg = *cfg;
	l->cfg.name = talloc_strdup(l, cfg->name ? cfg->name : cfg->host);
	l->cfg.host = talloc_strdup(l, cfg->host);
	l->cfg.tls_cert = dup_opt(l, cfg->tls_cert);
	l->cfg.tls_key = dup_opt(l, cfg->tls_key);
	l->cfg.tls_ca = dup_opt(l, cfg->tls_ca);
	l->cfg.tls_verify_name = dup_opt(l, cfg->tls_verify_name);
#define DEFAULT(f, v) if (!l->cfg.f) l->cfg.f = (v)
	DEFAULT(connect_timeout_ms, 10000);
	DEFAULT(backoff_min_ms, 500);
	DEFAULT(backoff_max_ms, 30000);
	DEFAULT(time3_ms, 60000);
	DEFAULT(time6_ms, 1000);
	DEFAULT(time5_ms, 60000);
	DEFAULT(resend_window_bytes, 8u << 20);
	DEFAULT(max_inflight_bytes, 64u << 20);
	DEFAULT(max_pdu, 65536);
	DEFAULT(notsent_lowat, 128u << 10);
	DEFAULT(ack_poll_ms, 50);
#undef DEFAULT
	if (l->cfg.backoff_max_ms < l->cfg.backoff_min_ms)
		l->cfg.backoff_max_ms = l->cfg.backoff_min_ms;
	l->ops = *ops;
	l->spool = spool;
	talloc_set_destructor(l, link_destructor);
	l->ctrs = rate_ctr_group_alloc(l, &sl_link_ctrg_desc, link_ctrg_index++);
	l->cursor = sl_spool_cursor_new(l, spool);
	l->batch_cap = l->cfg.plain ? 65536 : 16384;
	l->batch_buf = talloc_size(l, l->batch_cap);
	l->rx_cap = l->cfg.max_pdu + 4096;
	l->rx_buf = talloc_size(l, l->rx_cap);
	if (!l->ctrs || !l->cursor || !l->batch_buf || !l->rx_buf || !l->cfg.name || !l->cfg.host) {
		snprintf(err, errlen, "out of memory");
		talloc_free(l);
		return NULL;
	}
	rate_ctr_group_set_name(l->ctrs, l->cfg.name);
	if (!l->cfg.plain) {
		struct sl_tls_cfg tc = { .cert_file = l->cfg.tls_cert, .key_file = l->cfg.tls_key,
					 .ca_file = l->cfg.tls_ca };

		l->sslctx = sl_tls_ctx_new(&tc, err, errlen);
		if (!l->sslctx) {
			talloc_free(l);
			return NULL;
		}
	}
	sl_spool_get_stats(spool, &st);
	l->head_id = st.released_id + 1;
	sl_spool_cursor_seek(l->cursor, l->head_id);
	sl_link_conn_reset(l);
	osmo_timer_setup(&l->state_timer, state_timer_cb, l);
	osmo_timer_setup(&l->idle_timer, idle_timer_cb, l);
	osmo_timer_setup(&l->ka_timer, ka_timer_cb, l);
	osmo_timer_setup(&l->ack6_timer, ack6_timer_cb, l);
	osmo_timer_setup(&l->ack5_timer, ack5_timer_cb, l);
	osmo_timer_setup(&l->poll_timer, poll_timer_cb, l);
	sl_spool_set_notify(spool, spool_notify, l);
	do_connect(l);
	return l;
}

enum sl_link_state sl_link_state(const struct sl_link *l)
{
	return l->state;
}

struct rate_ctr_group *sl_link_ctrs(struct sl_link *l)
{
	return l->ctrs;
}

void sl_link_get_status(const struct sl_link *l, struct sl_link_status *st)
{
	struct sl_spool_stats ss;
	int64_t t;

	sl_spool_get_stats(l->spool, &ss);
	*st = (struct sl_link_status){
		.state = l->state,
		.name = l->cfg.name,
		.queued_records = ss.queued_records,
		.queued_bytes = ss.queued_bytes,
		.oldest_age_ms = -1,
		.unacked_records = l->next_send_id > l->ack_next_id ? l->next_send_id - l->ack_next_id : 0,
		.reconnects = rate_ctr_group_get_ctr(l->ctrs, SL_LINK_CTR_RECONNECTS)->current,
		.resends = rate_ctr_group_get_ctr(l->ctrs, SL_LINK_CTR_RECORDS_RESENT)->current,
		.backoff_ms = l->backoff_ms,
		.sent_id = l->last_placed_id,
		.tcp_acked_id = l->ack_next_id - 1,
	};
	snprintf(st->peer, sizeof(st->peer), "%s:%u", l->cfg.host, l->cfg.port);
	OSMO_STRLCPY_ARRAY(st->security, l->security);
	OSMO_STRLCPY_ARRAY(st->last_error, l->last_error);
	if (l->n) {
		st->oldest_age_ms = sl_spool_now_ms() - l->ring[l->ring_head].rec->time_ms;
	} else if (ss.queued_records && sl_spool_oldest_time(l->spool, &t) == 0) {
		st->oldest_age_ms = sl_spool_now_ms() - t;
	}
}
