/*
 * A link's life outside its state machine (link_fsm.c): creation and
 * configuration, the receive path (keep-alive and acknowledgement
 * responses from the receiver; while negotiating, every PDU goes to the
 * state machine as NEG_RX for link_negotiate.c), the counters and the status for `show
 * handover`. The data path is in link_send.c.
 */
#include "handover/link.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/link_int.h"
#include "handover/tls.h"

const struct value_string sl_link_state_names[] = {
	{ SL_LINK_DISCONNECTED, "disconnected" },
	{ SL_LINK_CONNECTING, "connecting" },
	{ SL_LINK_TLS_HANDSHAKE, "tls-handshake" },
	{ SL_LINK_UP, "up" },
	{ SL_LINK_BACKING_OFF, "backing-off" },
	{ SL_LINK_NEGOTIATING, "negotiating" },
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
	[SL_LINK_CTR_END_CLOSED] = { "end:closed", "Connections the receiver closed in order (TCP FIN, TLS close_notify)" },
	[SL_LINK_CTR_END_RESET] = { "end:reset", "Connections that broke (reset, broken pipe, TLS stream cut short)" },
	[SL_LINK_CTR_END_TLS_ALERT] = { "end:tls_alert", "Connections ended by a fatal TLS alert from the receiver" },
	[SL_LINK_CTR_END_TLS_ERROR] = { "end:tls_error",
					"Connections ended by a TLS failure found here (bad record, certificate)" },
	[SL_LINK_CTR_END_ERROR] = { "end:error", "Connections ended by a local failure of the transport" },
	[SL_LINK_CTR_NEG_STARTED] = { "negotiation:started", "TRI option negotiations begun (clause 6.3.5)" },
	[SL_LINK_CTR_NEG_COMPLETED] = { "negotiation:completed",
					"Option negotiations complete (optionComplete sent and received)" },
	[SL_LINK_CTR_NEG_UNSUPPORTED] = { "negotiation:unsupported",
					  "Receivers that answered the keep-alive, not the optionRequest: "
					  "no options used" },
	[SL_LINK_CTR_NEG_FAILED] = { "negotiation:failed",
				     "Connections ended: a PDU out of place during option negotiation" },
	[SL_LINK_CTR_NEG_TIMEOUT] = { "negotiation:timeout", "Connections ended: option negotiation not complete in X6" },
	[SL_LINK_CTR_NEG_NO_ACK] = { "negotiation:no_ack",
				     "pdu-ack configured but not agreed: records released on TCP acknowledgement" },
};

const struct rate_ctr_group_desc sl_link_ctrg_desc = {
	.group_name_prefix = "link",
	.group_description = "Handover link to one destination",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_LINK_CTR_COUNT,
	.ctr_desc = link_ctr_desc,
};

static unsigned link_ctrg_index;

/* Handle one PDU from the receiver. */
static void rx_pdu(struct sl_link *l, const uint8_t *p, size_t n)
{
	struct sl_link_rx rx = { .kind = SL_LINK_RX_OTHER };

	if (!l->ops.classify || l->ops.classify(l->ops.priv, p, n, &rx) < 0) {
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RX_INVALID);
		if (sl_link_st(l) == SL_LINK_NEGOTIATING) {
			sl_link_fail(l, SL_LINK_CTR_NEG_FAILED, "undecodable PDU (%zu bytes) during option negotiation", n);
			return;
		}
		LOGPFSML(l->fi, LOGL_NOTICE, "undecodable PDU (%zu bytes) from the receiver ignored\n", n);
		return;
	}
	if (sl_link_st(l) == SL_LINK_NEGOTIATING) {
		osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_NEG_RX, &rx);
		return;
	}
	switch (rx.kind) {
	case SL_LINK_RX_KEEPALIVE_RESPONSE:
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_KEEPALIVE_RESPONSE);
		if (l->ka_outstanding && rx.seq == l->ka_seq) {
			l->ka_outstanding = false;
			sl_link_timer_stop(l, SL_LINK_TIMER_TIME3);
		}
		break;
	case SL_LINK_RX_ACK_RESPONSE:
		sl_link_ack_response(l, rx.seq);
		break;
	default:
		/* option negotiation PDUs after it ended are not acted on either (clause 6.3.5.2) */
		rate_ctr_inc2(l->ctrs, SL_LINK_CTR_RX_OTHER);
		break;
	}
}

/* Connected: up, or negotiating options. */
static bool connected(const struct sl_link *l)
{
	return sl_link_st(l) == SL_LINK_UP || sl_link_st(l) == SL_LINK_NEGOTIATING;
}

/* Read what the receiver sent (keep-alive and acknowledgement responses) until it would block. */
void sl_link_rx(struct sl_link *l)
{
	ssize_t sz = 0;
	size_t off, n;

	while (connected(l)) {
		enum sl_tr_res r = sl_transport_read(l->tr, l->rx_buf + l->rx_len, l->rx_cap - l->rx_len, &n);

		if (sl_tr_would_block(r))
			return;
		if (r != SL_TR_OK) {
			sl_link_fail_tr(l, r);
			return;
		}
		l->rx_len += n;
		off = 0;
		while (off < l->rx_len && (sz = l->ops.frame(l->ops.priv, l->rx_buf + off, l->rx_len - off,
							     l->cfg.max_pdu)) > 0) {
			rx_pdu(l, l->rx_buf + off, (size_t)sz);
			if (!connected(l))
				return; /* the PDU ended the connection (and rx_buf with it) */
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

static void spool_notify(void *priv)
{
	struct sl_link *l = priv;

	osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_KICK, NULL);
}

void sl_link_kick(struct sl_link *l)
{
	osmo_fsm_inst_dispatch(l->fi, SL_LINK_EV_KICK, NULL);
}

void sl_link_drop(struct sl_link *l, const char *why)
{
	switch (sl_link_st(l)) {
	case SL_LINK_CONNECTING:
	case SL_LINK_TLS_HANDSHAKE:
	case SL_LINK_NEGOTIATING:
	case SL_LINK_UP:
		sl_link_fail(l, -1, "%s", why);
		break;
	default:
		break; /* not connected: nothing to drop */
	}
}

/*
 * The superseded host string is freed once nothing refers to it: the
 * link's own cfg is the only holder (the resolver and the TLS transport
 * keep copies: resolve.c, X509_VERIFY_PARAM_set1_host), and the drop below
 * ends any connection attempt before the new address is tried. The host
 * the link was created with is kept when it became the name verified.
 */
int sl_link_set_peer(struct sl_link *l, const char *host, uint16_t port)
{
	const char *old = l->cfg.host;
	char *h;

	if (!host || !*host || !port)
		return -EINVAL;
	if (!strcmp(host, l->cfg.host) && port == l->cfg.port)
		return 0;
	h = talloc_strdup(l, host);
	if (!h)
		return -ENOMEM;
	/* the name verified stays the one configured first: a new address never brings its own trust */
	if (!l->cfg.tls_verify_name)
		l->cfg.tls_verify_name = old;
	l->cfg.host = h;
	l->cfg.port = port;
	sl_link_drop(l, "receiver address changed");
	sl_link_retry_now(l); /* the operator moved it: try the new address now, not after the back-off */
	if (old != l->cfg.tls_verify_name)
		talloc_free((char *)old);
	return 1;
}

static int link_destructor(struct sl_link *l)
{
	sl_spool_set_notify(l->spool, NULL, NULL);
	sl_link_fsm_free(l);
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
	if (cfg->option_negotiation && (!ops->make_keepalive || !ops->make_option_request ||
					!ops->make_option_response || !ops->make_option_complete)) {
		snprintf(err, errlen, "option negotiation needs the option and keep-alive encoders");
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
	/* Timers are defaulted in the link's tdef table (link_fsm.c); sizes here. */
#define DEFAULT(f, v) if (!l->cfg.f) l->cfg.f = (v)
	DEFAULT(resend_window_bytes, 8u << 20);
	DEFAULT(max_inflight_bytes, 64u << 20);
	DEFAULT(max_pdu, 65536);
	DEFAULT(notsent_lowat, 128u << 10);
#undef DEFAULT
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
	if (sl_link_fsm_alloc(l) < 0) {
		snprintf(err, errlen, "cannot create the link state machine");
		talloc_free(l);
		return NULL;
	}
	sl_spool_set_notify(spool, spool_notify, l);
	sl_link_fsm_start(l);
	return l;
}

enum sl_link_state sl_link_state(const struct sl_link *l)
{
	return sl_link_st(l);
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
		.state = sl_link_st(l),
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
		.pdu_ack = l->use_pdu_ack,
		.negotiated = l->negotiated ? l->negotiated : "",
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
