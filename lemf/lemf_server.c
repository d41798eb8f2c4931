/* Listening socket and connections of `sluice lemf` (see lemf_server.h). */
#include "lemf/lemf_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "asn1/ber_decode.h"
#include "asn1/ber_encode.h"
#include "handover/pdu.h"
#include "handover/pdu_ctx.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"
#include "handover/transport.h"
#include "lemf/lemf_optneg.h"

struct sl_lemf_server {
	struct sl_lemf_server_cfg cfg;
	struct osmo_fd lfd;
	struct osmo_timer_list resume;		/* re-arms the listener paused at the descriptor limit */
	struct llist_head conns_list;		/* open connections */
	unsigned n_open;
	unsigned next_conn;
	uint64_t conns, keepalives, acks, acks_withheld;
	uint64_t closes[_SL_TR_RES_COUNT];	/* connections ended, by what the transport said */
	uint64_t unframed;			/* connections ended: bytes that do not frame */
	uint64_t refused[_SL_LEMF_REFUSE_COUNT];	/* clients turned away or cut off, by reason */
	uint64_t bad_logged_window_us;		/* undecodable PDUs: rate limit of what is logged and kept */
	unsigned bad_in_window;
	struct sl_lemf_neg_stats neg;
};

struct conn {
	struct llist_head list;		/* in srv->conns_list */
	struct sl_lemf_server *srv;
	struct osmo_timer_list timer;	/* handshake deadline, then idle timeout */
	struct sockaddr_storage addr;	/* the sender's address (per-source cap) */
	unsigned id;
	char peer[INET6_ADDRSTRLEN + 8];
	struct osmo_fd ofd;		/* polls the transport's socket */
	struct sl_transport *tr;	/* owns the socket */
	bool up;			/* handshake done (or plain) */
	uint8_t *rx;
	size_t rx_len, rx_cap;
	bool rx_filled;			/* the last read filled the buffer: grow it */
	/*
	 * Framing state of the incomplete PDU at rx[0]: an indefinite-length
	 * (BER) PDU is scanned for its end only from where the last read
	 * stopped, so a sender trickling bytes costs linear work.
	 */
	struct sl_ber_resume fr;
	uint8_t *tx;			/* responses not yet written */
	size_t tx_len, tx_cap;
	uint64_t pdus;
	bool store_failed;		/* a PDU could not be stored: no acknowledgement on this connection */
	struct sl_lemf_neg neg;		/* option negotiation (clause 6.3.5) */
};

const char *const sl_lemf_refuse_names[_SL_LEMF_REFUSE_COUNT] = {
	[SL_LEMF_REFUSE_CONN_CAP] = "connection-cap",
	[SL_LEMF_REFUSE_SOURCE_CAP] = "per-source-cap",
	[SL_LEMF_REFUSE_FD_LIMIT] = "descriptor-limit",
	[SL_LEMF_REFUSE_HANDSHAKE_TIMEOUT] = "handshake-timeout",
	[SL_LEMF_REFUSE_IDLE] = "idle-timeout",
	[SL_LEMF_REFUSE_BAD_UNLOGGED] = "undecodable-unlogged",
};

#define RX_INITIAL 16384	/* a connection's buffer starts here and doubles up to max_pdu + 64 KiB */

static unsigned cfg_or(unsigned v, unsigned dflt)
{
	return v ? v : dflt;
}

static void say(struct sl_lemf_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct sl_lemf_server *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->cfg.verbose)
		return;
	va_start(ap, fmt);
	fputs("lemf: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/*
 * Why a connection ends: a transport result (enum sl_tr_res), bytes that
 * do not frame, or a PDU out of place during option negotiation.
 */
#define CONN_UNFRAMED _SL_TR_RES_COUNT
#define CONN_NEGOTIATION (_SL_TR_RES_COUNT + 1)

static void conn_close(struct conn *c, unsigned kind, const char *why)
{
	if (kind == CONN_UNFRAMED)
		c->srv->unframed++;
	else if (kind == CONN_NEGOTIATION)
		c->srv->neg.violations++;
	else
		c->srv->closes[kind]++;
	say(c->srv, "connection %u from %s closed after %" PRIu64 " PDUs (%s): %s; options in use: %s\n", c->id,
	    c->peer, c->pdus,
	    kind == CONN_UNFRAMED ? "unframed" : kind == CONN_NEGOTIATION ? "negotiation" :
	    get_value_string(sl_tr_res_names, kind), why,
	    c->neg.state == SL_LEMF_NEG_DONE ? sl_lemf_neg_text(&c->neg) : "not negotiated");
	talloc_free(c);
}

static int conn_destructor(struct conn *c)
{
	osmo_timer_del(&c->timer);
	if (c->list.next) {
		llist_del(&c->list);
		c->srv->n_open--;
		/* a slot is free again: a listener paused at a cap may take the next client */
	}
	if (osmo_fd_is_registered(&c->ofd))
		osmo_fd_unregister(&c->ofd);
	sl_transport_close(c->tr); /* closes the socket */
	return 0;
}

static void conn_timer_cb(void *data)
{
	struct conn *c = data;
	struct sl_lemf_server *s = c->srv;

	if (!c->up) {
		s->refused[SL_LEMF_REFUSE_HANDSHAKE_TIMEOUT]++;
		conn_close(c, SL_TR_ERROR, "TLS handshake not complete in time");
	} else {
		s->refused[SL_LEMF_REFUSE_IDLE]++;
		conn_close(c, SL_TR_ERROR, "nothing received in time");
	}
}

static void conn_arm(struct conn *c)
{
	unsigned ms = c->up ? cfg_or(c->srv->cfg.idle_timeout_ms, 300000) : cfg_or(c->srv->cfg.handshake_timeout_ms, 10000);

	osmo_timer_schedule(&c->timer, ms / 1000, (ms % 1000) * 1000);
}

/* The connection is up (handshake done, or plain): it gets its receive buffer and the idle deadline. */
static bool conn_up(struct conn *c)
{
	c->up = true;
	c->rx_cap = RX_INITIAL;
	c->rx = talloc_size(c, c->rx_cap);
	if (!c->rx)
		return false;
	conn_arm(c);
	return true;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* What respond() sends. */
enum reply { REPLY_KEEPALIVE, REPLY_ACK, REPLY_OPTION_RESPONSE, REPLY_OPTION_COMPLETE };

/*
 * Queue a TRI reply echoing the request's LIID and operator: keep-alive or
 * acknowledgement response (number d->seqno), or from the negotiation
 * actions a, optionResponse or optionComplete.
 */
static int respond(struct conn *c, const struct sl_pdu_decoded *d, enum reply what, const struct sl_lemf_neg_act *a)
{
	char liid[SL_PDU_LIID_MAX + 1] = "lemf", op[SL_PDU_OPID_MAX + 1] = "lemf";
	struct sl_pdu_ctx_cfg cc = { .liid = liid, .operator_id = op, .ts_digits = 6 };
	uint8_t buf[512];
	struct sl_ber_w w;
	struct sl_pdu_ctx *pc;
	const uint8_t *p;
	size_t n;
	int rc;

	if (d->liid.n >= 1 && d->liid.n <= SL_PDU_LIID_MAX && memchr(d->liid.p, 0, d->liid.n) == NULL) {
		memcpy(liid, d->liid.p, d->liid.n);
		liid[d->liid.n] = 0;
	}
	if (d->operator_id.n >= 1 && d->operator_id.n <= SL_PDU_OPID_MAX &&
	    memchr(d->operator_id.p, 0, d->operator_id.n) == NULL) {
		memcpy(op, d->operator_id.p, d->operator_id.n);
		op[d->operator_id.n] = 0;
	}
	pc = sl_pdu_ctx_alloc(c, &cc);
	if (!pc)
		return -errno;
	sl_ber_w_init(&w, buf, sizeof(buf));
	switch (what) {
	case REPLY_ACK:
		rc = sl_pdu_ack_response(&w, pc, d->seqno, now_us());
		break;
	case REPLY_OPTION_RESPONSE:
		rc = sl_pdu_option_response(&w, pc, a->resp_seq, now_us(), a->accepted, a->declined);
		break;
	case REPLY_OPTION_COMPLETE:
		rc = sl_pdu_option_complete(&w, pc, a->complete_seq, now_us());
		break;
	default:
		rc = sl_pdu_keepalive_response(&w, pc, d->seqno, now_us());
		break;
	}
	talloc_free(pc);
	if (rc < 0 || !sl_ber_w_result(&w, &p, &n))
		return rc < 0 ? rc : -EINVAL;
	if (c->tx_len + n > c->tx_cap) {
		size_t cap = (c->tx_len + n) * 2;
		uint8_t *t = talloc_realloc_size(c, c->tx, cap);

		if (!t)
			return -ENOMEM;
		c->tx = t;
		c->tx_cap = cap;
	}
	memcpy(c->tx + c->tx_len, p, n);
	c->tx_len += n;
	return 0;
}

/* Write queued responses; false if the connection failed (and was closed). */
static bool flush(struct conn *c)
{
	while (c->tx_len) {
		size_t n;
		enum sl_tr_res r = sl_transport_write(c->tr, c->tx, c->tx_len, &n);

		if (sl_tr_would_block(r))
			break;
		if (r != SL_TR_OK) {
			conn_close(c, r, sl_transport_error(c->tr));
			return false;
		}
		memmove(c->tx, c->tx + n, c->tx_len - n);
		c->tx_len -= n;
	}
	osmo_fd_update_when(&c->ofd, ~OSMO_FD_WRITE, c->tx_len ? OSMO_FD_WRITE : 0);
	return true;
}

/* Negotiation just completed on c: note and say what is in use. */
static void negotiated(struct conn *c)
{
	struct sl_lemf_neg_stats *st = &c->srv->neg;

	st->completed++;
	if (c->neg.accepted & SL_TRI_OPT(SL_TRI_OPT_PDU_ACK))
		st->pdu_ack++;
	snprintf(st->last, sizeof(st->last), "%s", sl_lemf_neg_text(&c->neg));
	say(c->srv, "connection %u: option negotiation complete, options in use: %s\n", c->id, st->last);
}

/* Send what the negotiation asks after one PDU (or one read); false if the connection was ended. */
static bool neg_act(struct conn *c, const struct sl_pdu_decoded *d, const struct sl_lemf_neg_act *a)
{
	if (a->violation) {
		conn_close(c, CONN_NEGOTIATION, "a PDU other than option negotiation before it was complete");
		return false;
	}
	if (a->respond && respond(c, d, REPLY_OPTION_RESPONSE, a) == 0)
		say(c->srv, "connection %u: optionRequest %" PRIu32 " answered, accepted: %s\n", c->id, a->resp_seq,
		    a->accepted ? sl_tri_option_names[SL_TRI_OPT_PDU_ACK] : "none");
	if (a->complete)
		respond(c, d, REPLY_OPTION_COMPLETE, a);
	if (a->done)
		negotiated(c);
	return true;
}

/* One PDU; false if it ended the connection (c is gone). */
static bool handle_pdu(struct conn *c, const uint8_t *p, size_t n)
{
	struct sl_pdu_decoded d;
	struct sl_lemf_neg_act a;
	char err[256];
	void *pctx = talloc_new(c); /* owns the strings a BER sender segmented, for this PDU */
	int rc = sl_pdu_decode(pctx, p, n, &d, err, sizeof(err));
	bool alive;

	c->pdus++;
	if (rc < 0) {
		struct sl_lemf_server *s = c->srv;
		uint64_t now = now_us();

		/* kept and logged up to a rate, counted beyond it: garbage cannot fill the disk or the log */
		if (now - s->bad_logged_window_us >= 1000000) {
			s->bad_logged_window_us = now;
			s->bad_in_window = 0;
		}
		if (s->bad_in_window++ < cfg_or(s->cfg.bad_per_second, 10)) {
			say(s, "connection %u: PDU %" PRIu64 " (%zu bytes) undecodable: %s\n", c->id, c->pdus, n, err);
			sl_lemf_store_bad(s->cfg.store, c->id, p, n, err);
		} else {
			s->refused[SL_LEMF_REFUSE_BAD_UNLOGGED]++;
		}
		talloc_free(pctx);
		if (c->neg.state == SL_LEMF_NEG_RUNNING) {
			conn_close(c, CONN_NEGOTIATION, "an undecodable PDU during option negotiation");
			return false;
		}
		return true;
	}
	if (sl_lemf_store_pdu(c->srv->cfg.store, c->id, p, n, &d) < 0) {
		say(c->srv, "connection %u: cannot write output: %s\n", c->id, strerror(errno));
		c->store_failed = true;
	}
	if (d.kind == SL_PDU_KEEPALIVE && respond(c, &d, REPLY_KEEPALIVE, NULL) == 0)
		c->srv->keepalives++;
	if (d.kind == SL_PDU_ACK_REQUEST) {
		/*
		 * An acknowledgement releases the gateway's copies: it is sent only
		 * when everything before it on this connection is stored and on
		 * disk. Otherwise there is no answer; the gateway's TIME5 runs out,
		 * it reconnects and sends again what was not acknowledged.
		 */
		if (c->store_failed || sl_lemf_store_sync(c->srv->cfg.store) < 0) {
			say(c->srv, "connection %u: not acknowledging: earlier PDUs are not safely stored\n", c->id);
			c->srv->acks_withheld++;
		} else if (respond(c, &d, REPLY_ACK, NULL) == 0) {
			c->srv->acks++;
		}
	}
	sl_lemf_neg_pdu(&c->neg, c->pdus, &d, &a);
	if (a.ignored) {
		c->srv->neg.ignored++;
		say(c->srv, "connection %u: optionRequest %" PRIu32 " ignored\n", c->id, d.seqno);
	}
	alive = neg_act(c, &d, &a);
	if (alive)
		talloc_free(pctx); /* else c, and pctx with it, is gone */
	return alive;
}

/* The end of one read's PDUs: an optionComplete still owed goes now. */
static bool neg_read_done(struct conn *c)
{
	struct sl_lemf_neg_act a;
	struct sl_pdu_decoded d = { .kind = SL_PDU_NONE };

	sl_lemf_neg_flush(&c->neg, &a);
	if (!a.complete && !a.done)
		return true;
	/* replies echo the LIID and operator of the PDU answered; none here: the defaults */
	return neg_act(c, &d, &a);
}

static void conn_read(struct conn *c)
{
	char err[256];
	ssize_t sz = 0;
	size_t off, n;

	while (1) {
		enum sl_tr_res r;

		/*
		 * Memory follows what an authenticated sender has shown: the
		 * buffer doubles when a PDU needs it or when a read filled it
		 * (a busy sender reads in large gulps, as before).
		 */
		if ((c->rx_len == c->rx_cap || c->rx_filled) && c->rx_cap < c->srv->cfg.max_pdu + 65536) {
			size_t cap = c->rx_cap * 2, max = c->srv->cfg.max_pdu + 65536;
			uint8_t *b;

			if (cap > max)
				cap = max;
			if (!(b = talloc_realloc_size(c, c->rx, cap))) {
				conn_close(c, SL_TR_ERROR, "receive buffer cannot grow");
				return;
			}
			c->rx = b;
			c->rx_cap = cap;
		}
		/* (a full buffer at the cap holds a PDU over max_pdu: framing refuses it below) */
		c->rx_filled = false;
		r = sl_transport_read(c->tr, c->rx + c->rx_len, c->rx_cap - c->rx_len, &n);
		if (sl_tr_would_block(r))
			break;
		c->rx_filled = r == SL_TR_OK && n == c->rx_cap - c->rx_len;
		if (r != SL_TR_OK) {
			conn_close(c, r, r == SL_TR_CLOSED ? "closed by the sender" : sl_transport_error(c->tr));
			return;
		}
		if (n)
			conn_arm(c); /* the idle deadline runs from the last byte received */
		c->rx_len += n;
		off = 0;
		while (off < c->rx_len
		       && (sz = sl_pdu_frame_resume(c->rx + off, c->rx_len - off, c->srv->cfg.max_pdu, &c->fr)) > 0) {
			if (!handle_pdu(c, c->rx + off, (size_t)sz))
				return;
			off += (size_t)sz;
			memset(&c->fr, 0, sizeof(c->fr)); /* the next PDU starts afresh */
		}
		if (sz < 0) {
			snprintf(err, sizeof(err), "bytes at stream offset of PDU %" PRIu64 " do not frame as a PDU: %s",
				 c->pdus + 1, strerror((int)-sz));
			conn_close(c, CONN_UNFRAMED, err);
			return;
		}
		memmove(c->rx, c->rx + off, c->rx_len - off);
		c->rx_len -= off;
		if (off && !neg_read_done(c))
			return;
		/*
		 * Answer as we go: a sender that keeps this socket full would
		 * otherwise never let the loop reach EAGAIN, and its keep-alives
		 * and acknowledgement requests would wait unanswered past TIME3/TIME5.
		 */
		if (c->tx_len && !flush(c))
			return;
	}
	flush(c);
}

static int conn_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct conn *c = ofd->data;
	char desc[96];
	enum sl_tr_res r;

	if (!c->up) {
		r = sl_transport_handshake(c->tr);
		if (sl_tr_would_block(r)) {
			osmo_fd_update_when(ofd, 0, OSMO_FD_READ | (sl_transport_wants_write(c->tr) ? OSMO_FD_WRITE : 0));
			return 0;
		}
		if (r != SL_TR_OK) {
			conn_close(c, r, sl_transport_error(c->tr));
			return 0;
		}
		if (!conn_up(c)) {
			conn_close(c, SL_TR_ERROR, "out of memory");
			return 0;
		}
		osmo_fd_update_when(ofd, 0, OSMO_FD_READ);
		sl_transport_describe(c->tr, desc, sizeof(desc));
		say(c->srv, "connection %u from %s: %s\n", c->id, c->peer, desc);
	}
	if (what & OSMO_FD_WRITE && !flush(c))
		return 0;
	conn_read(c);
	return 0;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return false;
}

static unsigned open_from(struct sl_lemf_server *s, const struct sockaddr_storage *ss)
{
	struct conn *c;
	unsigned n = 0;

	llist_for_each_entry(c, &s->conns_list, list)
		n += same_addr(&c->addr, ss);
	return n;
}

/* The descriptor limit: stop polling the listener for a second rather than spin on EMFILE. */
static void listener_resume_cb(void *data)
{
	struct sl_lemf_server *s = data;

	osmo_fd_update_when(&s->lfd, 0, OSMO_FD_READ);
}

static void refuse(struct sl_lemf_server *s, int fd, enum sl_lemf_refuse why, const char *addr)
{
	/* the first of each reason is said, the rest counted: a flood must not flood the log too */
	if (!s->refused[why]++)
		say(s, "refusing a connection from %s: %s (further refusals for this reason are only counted)\n", addr,
		    sl_lemf_refuse_names[why]);
	close(fd);
}

static int accept_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sl_lemf_server *s = ofd->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "?", err[256];
	struct conn *c;
	int fd;

	fd = accept4(ofd->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			if (!s->refused[SL_LEMF_REFUSE_FD_LIMIT]++)
				say(s, "cannot accept: %s; pausing the listener for a second at a time\n", strerror(errno));
			osmo_fd_update_when(&s->lfd, 0, 0);
			osmo_timer_schedule(&s->resume, 1, 0);
		}
		return 0;
	}
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
	if (s->n_open >= cfg_or(s->cfg.max_conns, 256)) {
		refuse(s, fd, SL_LEMF_REFUSE_CONN_CAP, addr);
		return 0;
	}
	if (open_from(s, &ss) >= cfg_or(s->cfg.max_per_source, 32)) {
		refuse(s, fd, SL_LEMF_REFUSE_SOURCE_CAP, addr);
		return 0;
	}
	/* Nothing but the connection's own state until it has authenticated: no buffer yet. */
	c = talloc_zero(s, struct conn);
	if (!c) {
		close(fd);
		return 0;
	}
	c->srv = s;
	c->addr = ss;
	osmo_timer_setup(&c->timer, conn_timer_cb, c);
	llist_add_tail(&c->list, &s->conns_list);
	s->n_open++;
	sl_lemf_neg_init(&c->neg, !s->cfg.no_option_negotiation);
	talloc_set_destructor(c, conn_destructor);
	c->id = ++s->next_conn;
	s->conns++;
	snprintf(c->peer, sizeof(c->peer), "%s:%u", addr,
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						  ((struct sockaddr_in *)&ss)->sin_port));
	/* the transport owns fd from here on, and closes it if it cannot be set up */
	if (s->cfg.ssl) {
		c->tr = sl_transport_tls_new(c, s->cfg.ssl, fd, NULL, err, sizeof(err));
		if (!c->tr) {
			say(s, "connection %u from %s: %s\n", c->id, c->peer, err);
			talloc_free(c);
			return 0;
		}
		conn_arm(c); /* the handshake deadline */
	} else {
		c->tr = sl_transport_tcp_new(c, fd);
		if (!c->tr || !conn_up(c)) {
			talloc_free(c);
			return 0;
		}
		say(s, "connection %u from %s: plain TCP\n", c->id, c->peer);
	}
	osmo_fd_setup(&c->ofd, sl_transport_fd(c->tr), OSMO_FD_READ, conn_cb, c, 0);
	if (osmo_fd_register(&c->ofd) < 0)
		talloc_free(c);
	return 0;
}

static int server_destructor(struct sl_lemf_server *s)
{
	struct conn *c, *n;

	osmo_timer_del(&s->resume);
	llist_for_each_entry_safe(c, n, &s->conns_list, list)
		talloc_free(c);
	if (s->lfd.fd >= 0) {
		osmo_fd_unregister(&s->lfd);
		close(s->lfd.fd);
	}
	return 0;
}

struct sl_lemf_server *sl_lemf_server_new(void *ctx, const struct sl_lemf_server_cfg *cfg, char *err,
					  size_t errlen)
{
	struct sl_lemf_server *s;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1;

	if (inet_pton(AF_INET, cfg->addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(cfg->port);
		sl = sizeof(*a4);
	} else if (inet_pton(AF_INET6, cfg->addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(cfg->port);
		sl = sizeof(*a6);
	} else {
		snprintf(err, errlen, "'%s' is not a numeric IPv4 or IPv6 address", cfg->addr);
		return NULL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		snprintf(err, errlen, "listen on %s port %u: %s", cfg->addr, cfg->port, strerror(errno));
		close(fd);
		return NULL;
	}
	s = talloc_zero(ctx, struct sl_lemf_server);
	if (!s) {
		close(fd);
		return NULL;
	}
	s->cfg = *cfg;
	INIT_LLIST_HEAD(&s->conns_list);
	osmo_timer_setup(&s->resume, listener_resume_cb, s);
	osmo_fd_setup(&s->lfd, fd, OSMO_FD_READ, accept_cb, s, 0);
	talloc_set_destructor(s, server_destructor);
	if (osmo_fd_register(&s->lfd) < 0) {
		snprintf(err, errlen, "cannot register the listening socket");
		talloc_free(s);
		return NULL;
	}
	return s;
}

uint16_t sl_lemf_server_port(const struct sl_lemf_server *s)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(s->lfd.fd, (struct sockaddr *)&ss, &sl) < 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
						((struct sockaddr_in *)&ss)->sin_port);
}

uint64_t sl_lemf_server_acks_withheld(const struct sl_lemf_server *s)
{
	return s->acks_withheld;
}

void sl_lemf_server_stats(const struct sl_lemf_server *s, uint64_t *conns, uint64_t *keepalives, uint64_t *acks)
{
	*conns = s->conns;
	*keepalives = s->keepalives;
	*acks = s->acks;
}

void sl_lemf_server_negotiations(const struct sl_lemf_server *s, struct sl_lemf_neg_stats *st)
{
	*st = s->neg;
}

void sl_lemf_server_refusals(const struct sl_lemf_server *s, uint64_t refused[_SL_LEMF_REFUSE_COUNT])
{
	memcpy(refused, s->refused, sizeof(s->refused));
}

unsigned sl_lemf_server_open(const struct sl_lemf_server *s)
{
	return s->n_open;
}

void sl_lemf_server_closes(const struct sl_lemf_server *s, uint64_t closes[_SL_TR_RES_COUNT], uint64_t *unframed)
{
	memcpy(closes, s->closes, sizeof(s->closes));
	*unframed = s->unframed;
}
