/*
 * INVITE dialogs: the calls of a generated capture.
 *
 * A call runs between two user agents through a pair of proxies: all SIP
 * travels proxy A <-> proxy B (UDP, or one TCP connection per call), each
 * request carrying the proxy's Via above the user agent's; RTP runs
 * directly between the user agents' addresses named in the SDP. A call is
 * an explicit script of steps, one SIP message (or a TCP handshake or
 * close) per step, chosen by outcome (RFC 3261 sections 13, 15, 17):
 *
 *   answered   INVITE(offer) 100 180 200(answer) ACK  media  BYE 200
 *   early      INVITE(offer) 100 183(answer)+early media 200 ACK  media  BYE 200
 *   cancelled  INVITE 100 180 CANCEL 200(CANCEL) 487 ACK
 *   rejected   INVITE 100 486|404|603 ACK
 *
 * The media step waits for both RTP stream actors to finish; the BYE then
 * comes from either side. The calls of the capture are run by
 * --concurrency slots: a slot runs one call after another with an idle gap,
 * so at most that many calls overlap and they interleave freely.
 *
 * Which calls exercise which feature (TCP, IPv6, IPv4 fragments, VLAN tag,
 * compact headers, folding, loss, sequence wrap, early media, outcome) is
 * a fixed function of the call's index, so even the 20-call demo capture
 * contains every case; details (times, ports, users, SSRCs) come from the
 * PRNG. The truth records the call's INVITE, answer, CANCEL and end times
 * as the stamps of the frames completing the INVITE, the 200, the CANCEL
 * and the BYE (or the final error response).
 *
 * Ownership: the slots are one talloc array under g->ctx; a call's strings
 * live inside its slot and are overwritten by the slot's next call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

#define WAIT UINT64_MAX
#define MSG_MAX 16384
#define MEDIA_PORT_MIN 16384		/* even RTP ports 16384..65534 */
#define MEDIA_PORTS 24576
#define EPHEMERAL_PORT_MIN 32768	/* Linux ip_local_port_range 32768..60999 */
#define EPHEMERAL_PORTS 28232

enum step {
	ST_CONNECT,
	ST_INVITE,
	ST_100,
	ST_180,
	ST_183,
	ST_200,
	ST_ACK,
	ST_MEDIA,
	ST_BYE,
	ST_BYE_200,
	ST_CANCEL,
	ST_CANCEL_200,
	ST_487,
	ST_REJECT,
	ST_ACK_ERR,
	ST_CLOSE,
	ST_END,
};

static const enum step script_answered[] = {
	ST_CONNECT, ST_INVITE, ST_100, ST_180, ST_200, ST_ACK, ST_MEDIA, ST_BYE, ST_BYE_200, ST_CLOSE, ST_END,
};
static const enum step script_early[] = {
	ST_CONNECT, ST_INVITE, ST_100, ST_183, ST_200, ST_ACK, ST_MEDIA, ST_BYE, ST_BYE_200, ST_CLOSE, ST_END,
};
static const enum step script_cancelled[] = {
	ST_CONNECT, ST_INVITE, ST_100, ST_180, ST_CANCEL, ST_CANCEL_200, ST_487, ST_ACK_ERR, ST_CLOSE, ST_END,
};
static const enum step script_rejected[] = {
	ST_CONNECT, ST_INVITE, ST_100, ST_REJECT, ST_ACK_ERR, ST_CLOSE, ST_END,
};

struct call {
	struct gc_actor actor;		/* first member: the actor pointer is the call */
	bool idle;			/* between calls: next firing sets up a new one */
	unsigned slot, n_slots;		/* this slot's number, of how many */
	unsigned index;

	/* plan */
	enum gc_outcome outcome;
	const enum step *script;
	unsigned pc;
	bool early, tcp, compact, fold, lossy[2], wrap[2], hold_100, pending_100;
	unsigned invite_pieces, ok_pieces, batch_pieces;
	unsigned udp_flags;
	size_t offer_min;
	int reject_code;
	const char *reject_reason;
	uint16_t vlan;
	uint8_t pt;
	int bye_side;

	/* parties and addresses */
	const struct gc_ident *id[2];	/* 0 caller, 1 callee */
	struct gc_ep sig[2];		/* proxies */
	struct gc_ep media[2];		/* user agents' RTP endpoints */
	char sig_host[2][GC_IPSTR], ua_host[2][GC_IPSTR];
	struct gc_sig tx;

	/* dialog state */
	char call_id[96];
	char tag[2][16];
	char uri[2][96];
	char contact[2][160];
	char contact_uri[2][160];	/* Contact without angle brackets: target of in-dialog requests */
	char pai[200];
	bool has_pai, to_display;
	char via_inv[2][160];		/* INVITE (and CANCEL/ACK-for-error) Vias */
	char via_req[2][160];		/* Vias of the current in-dialog request */
	int req_side;			/* who sent the current in-dialog request */
	uint32_t cseq[2], bye_cseq;
	const char *agent[2];
	uint64_t sess[2];

	/* media and truth */
	struct gc_stream st[2];
	unsigned streams_live;
	unsigned truth;
	uint64_t t_answer, t_cancel, t_end;
};

static char msgbuf[2][MSG_MAX];
static char sdpbuf[8192];

static uint64_t ms(struct gc_gen *g, unsigned lo, unsigned hi)
{
	return (uint64_t)gc_rng_range(&g->rng, lo * 1000u, hi * 1000u);
}

/* ---- call set-up -------------------------------------------------------- */

static const struct gc_ident *pick_ident(struct gc_gen *g, const struct gc_ident *not, int want_kind)
{
	unsigned start = gc_rng_range(&g->rng, 0, g->n_idents - 1);

	for (unsigned k = 0; k < g->n_idents; k++) {
		const struct gc_ident *id = &g->idents[(start + k) % g->n_idents];

		if (id != not && (want_kind < 0 || id->kind == (enum gc_uri_kind)want_kind))
			return id;
	}
	/* No identity of that kind in the pool: any other will do. */
	return &g->idents[(start + (&g->idents[start] == not)) % g->n_idents];
}

static void via(struct gc_gen *g, char *buf, size_t len, bool tcp, const char *host, bool ua)
{
	char br[17];

	gc_rng_hex(&g->rng, br, 16);
	if (ua)
		snprintf(buf, len, "SIP/2.0/UDP %s:5060;rport=5060;branch=z9hG4bK%s", host, br);
	else
		snprintf(buf, len, "SIP/2.0/%s %s:5060;branch=z9hG4bK%s", tcp ? "TCP" : "UDP", host, br);
}

static void plan(struct gc_gen *g, struct call *c, unsigned i)
{
	const struct gc_opts *o = &g->opt;
	unsigned r = i % 10;

	c->index = i;
	c->outcome = r == 3 ? GC_OUT_CANCELLED : r == 6 ? GC_OUT_REJECTED : GC_OUT_ANSWERED;
	c->early = c->outcome == GC_OUT_ANSWERED && i % 20 == 8;
	c->script = c->outcome == GC_OUT_CANCELLED ? script_cancelled
		  : c->outcome == GC_OUT_REJECTED ? script_rejected
		  : c->early ? script_early : script_answered;
	c->pc = 0;

	/* Spread the TCP calls evenly: call i is TCP when the running share
	 * i*pct/100 steps up. tcp_n numbers the TCP calls for their variants. */
	unsigned tcp_n = (unsigned)((uint64_t)i * o->tcp_share / 100);

	c->tcp = (uint64_t)(i + 1) * o->tcp_share / 100 > tcp_n;
	bool v6 = !c->tcp && i % 25 == 12;

	c->udp_flags = 0;
	c->offer_min = 0;
	if (!c->tcp && !v6 && i % 15 == 2) {
		/* Big offers: two fragments, or three (and then every other one
		 * last-fragment-first). */
		c->offer_min = i % 30 == 17 ? 3200 : 1700;
		if (i % 60 == 17)
			c->udp_flags |= GC_SIG_FRAG_REVERSE;
	}
	c->hold_100 = c->tcp && tcp_n % 2 == 0;
	c->invite_pieces = c->tcp ? 1 + tcp_n % 3 : 1;
	c->ok_pieces = c->tcp && tcp_n % 4 == 1 ? 2 : 1;
	/* With the 100 held back, some 100+180 writes are cut in two, so one
	 * segment ends inside a message after carrying a complete one. */
	c->batch_pieces = c->tcp && tcp_n % 4 == 2 ? 2 : 1;
	c->pending_100 = false;
	c->vlan = i % 12 == 5 ? 101 : 0;
	c->compact = i % 16 == 7;
	c->fold = i % 8 == 1;
	c->lossy[0] = i % 6 == 2;
	c->lossy[1] = i % 11 == 8;
	c->wrap[0] = i % 7 == 0;
	c->wrap[1] = i % 4 == 1;
	c->pt = gc_rng_pct(&g->rng, 50) ? 8 : 0;
	c->bye_side = gc_rng_pct(&g->rng, 50) ? 0 : 1;
	switch (gc_rng_range(&g->rng, 0, 9)) {
	case 0:
		c->reject_code = 404;
		c->reject_reason = "Not Found";
		break;
	case 1:
		c->reject_code = 603;
		c->reject_reason = "Decline";
		break;
	default:
		c->reject_code = 486;
		c->reject_reason = "Busy Here";
		break;
	}

	/* Parties: the callee of every tenth call has a tel: URI. */
	c->id[0] = pick_ident(g, NULL, -1);
	c->id[1] = pick_ident(g, c->id[0], r == 5 ? GC_URI_TEL : -1);

	/* Addresses: one of four proxy pairs; user agents in 10.1/16 and 10.2/16
	 * (2001:db8:a::/48 and :b:: for IPv6); even RTP ports, RTCP one above.
	 * The port is the (slot + k * slots)-th even one from 16384 for a random
	 * k, so no two calls in progress offer the same media endpoint even when
	 * their random user agent addresses coincide: a real UA does not offer a
	 * port it is using, and a second offer of a live endpoint would rightly
	 * move its RTP to the newer call. (Beyond 24576 slots only the address
	 * keeps them apart.) */
	unsigned p = gc_rng_range(&g->rng, 1, 4);
	unsigned port_ks = c->n_slots <= MEDIA_PORTS ? MEDIA_PORTS / c->n_slots : 1;

	for (int s = 0; s < 2; s++) {
		/* Drawn one statement each: as two arguments of one call their
		 * order would be the compiler's, and so would the capture. */
		uint32_t net = gc_rng_range(&g->rng, 0, 15);
		uint32_t host = gc_rng_range(&g->rng, 1, v6 ? 0xfffe : 254);

		if (v6) {
			gc_ip6(&c->sig[s].ip, (uint16_t)(1 + s), 0, (uint16_t)p);
			gc_ip6(&c->media[s].ip, (uint16_t)(0xa + s), (uint16_t)net, (uint16_t)host);
		} else {
			gc_ip4(&c->sig[s].ip, 10, 0, (uint8_t)(1 + s), (uint8_t)p);
			gc_ip4(&c->media[s].ip, 10, (uint8_t)(1 + s), (uint8_t)net, (uint8_t)host);
		}
		c->sig[s].port = 5060;
		c->media[s].port = (uint16_t)(2 * (MEDIA_PORT_MIN / 2 + (c->slot + c->n_slots *
			gc_rng_range(&g->rng, 0, port_ks - 1)) % MEDIA_PORTS));
		gc_host_str(&c->sig[s].ip, c->sig_host[s], sizeof(c->sig_host[s]));
		gc_host_str(&c->media[s].ip, c->ua_host[s], sizeof(c->ua_host[s]));
		c->agent[s] = gc_sip_agent(&g->rng);
		c->sess[s] = gc_rng_u64(&g->rng) >> 20;
		c->cseq[s] = gc_rng_range(&g->rng, 1, 9999);
		gc_rng_hex(&g->rng, c->tag[s], 10);
		gc_ident_uri(c->id[s], c->uri[s], sizeof(c->uri[s]));
		gc_ident_contact(c->id[s], c->ua_host[s], 5060, false, c->contact[s], sizeof(c->contact[s]));
		/* contact_uri: the same without the angle brackets */
		snprintf(c->contact_uri[s], sizeof(c->contact_uri[s]), "%.*s",
			 (int)strlen(c->contact[s]) - 2, c->contact[s] + 1);
	}
	/* The TCP client connects from an ephemeral port, chosen like the media
	 * ports so that no two connections in progress share a 4-tuple (all
	 * calls of a proxy pair go to the same 5060). */
	if (c->tcp) {
		unsigned eph_ks = c->n_slots <= EPHEMERAL_PORTS ? EPHEMERAL_PORTS / c->n_slots : 1;

		c->sig[0].port = (uint16_t)(EPHEMERAL_PORT_MIN + (c->slot + c->n_slots *
			gc_rng_range(&g->rng, 0, eph_ks - 1)) % EPHEMERAL_PORTS);
	}
	gc_sig_init(g, &c->tx, c->tcp, &c->sig[0], &c->sig[1], c->vlan);

	/* Call-IDs in the two shapes seen most: random@host and a UUID. The call
	 * index is part of both, so they are unique without relying on luck. */
	char h[25];

	gc_rng_hex(&g->rng, h, 24);
	if (gc_rng_pct(&g->rng, 50))
		snprintf(c->call_id, sizeof(c->call_id), "%.16s%x@%s", h, i, v6 ? "sbc-a.example.net" : c->sig_host[0]);
	else
		snprintf(c->call_id, sizeof(c->call_id), "%.8s-%.4s-4%.3s-a%.3s-%012x", h, h + 8, h + 12, h + 15, i);

	c->has_pai = gc_rng_pct(&g->rng, 40);
	if (c->has_pai) {
		const struct gc_ident *a = c->id[0];

		if (a->kind == GC_URI_PHONE)	/* RFC 3325: one sip and one tel value */
			snprintf(c->pai, sizeof(c->pai), "<%s>, <tel:%s>", c->uri[0], a->user);
		else if (a->display[0])
			snprintf(c->pai, sizeof(c->pai), "\"%s\" <%s>", a->display, c->uri[0]);
		else
			snprintf(c->pai, sizeof(c->pai), "<%s>", c->uri[0]);
	}
	c->to_display = gc_rng_pct(&g->rng, 30);
	c->streams_live = 0;
	c->t_answer = c->t_cancel = c->t_end = 0;
}

/* ---- message building --------------------------------------------------- */

/* From/To of a transaction originated by side orig; to_tag adds the tag of
 * the other side (responses after 100, in-dialog requests). */
static void dialog_hdrs(struct call *c, struct gc_sip_hdrs *h, int orig, bool to_tag, int sender)
{
	int peer = !orig;

	memset(h, 0, sizeof(*h));
	h->from_uri = c->uri[orig];
	h->from_display = c->id[orig]->display;
	h->from_tag = c->tag[orig];
	h->to_uri = c->uri[peer];
	h->to_display = c->to_display ? c->id[peer]->display : NULL;
	h->to_tag = to_tag ? c->tag[peer] : NULL;
	h->call_id = c->call_id;
	/* Compact forms come from the originating side's equipment. */
	h->compact = c->compact && sender == 0;
	h->fold = c->fold;
	h->agent = c->agent[sender];
}

static void fill_meta(struct call *c, struct gc_sip_out *o, const char *text, size_t len, int orig,
		      const char *method, int status)
{
	o->text = text;
	o->len = len;
	o->meta.call_id = c->call_id;
	o->meta.method = method;
	o->meta.status = status;
	o->meta.from_user = c->id[orig]->user;
	o->meta.to_user = c->id[!orig]->user;
}

static void check_len(size_t len, const char *what)
{
	if (!len) {
		fprintf(stderr, "sluice-gencap: internal error: %s does not fit\n", what);
		abort();
	}
}

/* A response from side B to the INVITE transaction (or its CANCEL). */
static size_t invite_response(struct call *c, char *buf, int status, const char *reason,
			      const char *cseq_method, bool sdp, bool one_via, struct gc_sip_out *o)
{
	struct gc_sip_hdrs h;

	dialog_hdrs(c, &h, 0, status > 100, 1);
	h.via[0] = c->via_inv[0];
	h.via[1] = one_via ? NULL : c->via_inv[1];
	h.cseq = c->cseq[0];
	h.cseq_method = cseq_method;
	if (status > 100 && status < 300 && strcmp(cseq_method, "INVITE") == 0)
		h.contact = c->contact[1];
	h.allow = status == 200 && sdp;
	if (sdp) {
		h.ctype = "application/sdp";
		h.body = sdpbuf;
		h.body_len = gc_sdp(sdpbuf, sizeof(sdpbuf), &c->media[1], c->sess[1], c->pt, 0);
		check_len(h.body_len, "SDP answer");
	}

	size_t len = gc_sip_response(buf, MSG_MAX, status, reason, &h);

	check_len(len, "response");
	fill_meta(c, o, buf, len, 0, NULL, status);
	return len;
}

/* Send from B, with a held-back 100 Trying in front (TCP: same write). */
static uint64_t send_b(struct gc_gen *g, struct call *c, uint64_t t, int status, const char *reason,
		       const char *cseq_method, bool sdp, bool one_via, unsigned flags)
{
	struct gc_sip_out o[2];
	size_t n = 0;

	if (c->pending_100) {
		invite_response(c, msgbuf[n], 100, "Trying", "INVITE", false, false, &o[n]);
		n++;
		c->pending_100 = false;
	}
	invite_response(c, msgbuf[n], status, reason, cseq_method, sdp, one_via, &o[n]);
	n++;
	return gc_sig_send(g, &c->tx, 1, t, o, n, flags);
}

static uint64_t send_invite(struct gc_gen *g, struct call *c, uint64_t t)
{
	struct gc_sip_hdrs h;
	struct gc_sip_out o;

	via(g, c->via_inv[0], sizeof(c->via_inv[0]), c->tcp, c->sig_host[0], false);
	via(g, c->via_inv[1], sizeof(c->via_inv[1]), false, c->ua_host[0], true);
	dialog_hdrs(c, &h, 0, false, 0);
	h.via[0] = c->via_inv[0];
	h.via[1] = c->via_inv[1];
	h.cseq = c->cseq[0];
	h.cseq_method = "INVITE";
	h.contact = c->contact[0];
	h.pai = c->has_pai ? c->pai : NULL;
	h.allow = true;
	h.ctype = "application/sdp";
	h.body = sdpbuf;
	h.body_len = gc_sdp(sdpbuf, sizeof(sdpbuf), &c->media[0], c->sess[0], -1, c->offer_min);
	check_len(h.body_len, "SDP offer");

	size_t len = gc_sip_request(msgbuf[0], MSG_MAX, "INVITE", c->uri[1], &h);

	check_len(len, "INVITE");
	fill_meta(c, &o, msgbuf[0], len, 0, "INVITE", 0);
	return gc_sig_send(g, &c->tx, 0, t, &o, 1, c->udp_flags | GC_SIG_PIECES(c->invite_pieces));
}

/* ACK or CANCEL from A. ACK for a 2xx is a new transaction to the Contact;
 * ACK for an error and CANCEL reuse the INVITE's branch and have only the
 * top Via (RFC 3261 sections 9.1 and 17.1.1.3). */
static uint64_t send_a_req(struct gc_gen *g, struct call *c, uint64_t t, const char *method, bool ack2xx)
{
	struct gc_sip_hdrs h;
	struct gc_sip_out o;
	char v[2][160];

	dialog_hdrs(c, &h, 0, strcmp(method, "CANCEL") != 0, 0);
	if (ack2xx) {
		via(g, v[0], sizeof(v[0]), c->tcp, c->sig_host[0], false);
		via(g, v[1], sizeof(v[1]), false, c->ua_host[0], true);
		h.via[0] = v[0];
		h.via[1] = v[1];
	} else {
		h.via[0] = c->via_inv[0];
	}
	h.cseq = c->cseq[0];
	h.cseq_method = method;

	size_t len = gc_sip_request(msgbuf[0], MSG_MAX, method, ack2xx ? c->contact_uri[1] : c->uri[1], &h);

	check_len(len, method);
	fill_meta(c, &o, msgbuf[0], len, 0, method, 0);
	return gc_sig_send(g, &c->tx, 0, t, &o, 1, 0);
}

/* BYE from side s, or the 200 answering it from the other side. */
static uint64_t send_bye(struct gc_gen *g, struct call *c, uint64_t t, bool response)
{
	int s = c->bye_side;
	struct gc_sip_hdrs h;
	struct gc_sip_out o;
	size_t len;

	if (!response) {
		via(g, c->via_req[0], sizeof(c->via_req[0]), c->tcp, c->sig_host[s], false);
		via(g, c->via_req[1], sizeof(c->via_req[1]), false, c->ua_host[s], true);
		c->bye_cseq = s == 0 ? c->cseq[0] + 1 : c->cseq[1];
	}
	dialog_hdrs(c, &h, s, true, response ? !s : s);
	h.via[0] = c->via_req[0];
	h.via[1] = c->via_req[1];
	h.cseq = c->bye_cseq;
	h.cseq_method = "BYE";
	if (response)
		len = gc_sip_response(msgbuf[0], MSG_MAX, 200, "OK", &h);
	else
		len = gc_sip_request(msgbuf[0], MSG_MAX, "BYE", c->contact_uri[!s], &h);
	check_len(len, "BYE");
	fill_meta(c, &o, msgbuf[0], len, s, response ? NULL : "BYE", response ? 200 : 0);
	return gc_sig_send(g, &c->tx, response ? !s : s, t, &o, 1, 0);
}

/* ---- media -------------------------------------------------------------- */

static void media_done(struct gc_gen *g, void *owner, uint64_t now)
{
	struct call *c = owner;

	if (--c->streams_live == 0)
		gc_sched(g, &c->actor, now + ms(g, 20, 300));
}

static void start_stream(struct gc_gen *g, struct call *c, int s, uint64_t t, uint32_t quota)
{
	c->streams_live++;
	gc_stream_start(g, &c->st[s], &c->media[s], &c->media[!s], c->vlan, c->pt, t, quota, c->lossy[s],
			c->wrap[s], media_done, c);
}

/* ---- the script --------------------------------------------------------- */

static uint64_t run_step(struct gc_gen *g, struct call *c, enum step st, uint64_t now)
{
	uint32_t quota = g->opt.rtp_seconds * 50;
	uint64_t t;

	switch (st) {
	case ST_CONNECT:
		return c->tcp ? gc_tcp_connect(g, &c->tx.conn, now) : now;
	case ST_INVITE:
		t = send_invite(g, c, now);
		c->truth = gc_truth_call(g->truth, c->call_id, t);
		return t + ms(g, 2, 20);
	case ST_100:
		if (c->hold_100) {	/* goes out with the next response */
			c->pending_100 = true;
			return now + ms(g, 50, 400);
		}
		t = send_b(g, c, now, 100, "Trying", "INVITE", false, false, 0);
		return t + ms(g, 50, 400);
	case ST_180:
		t = send_b(g, c, now, 180, "Ringing", "INVITE", false, false, GC_SIG_PIECES(c->batch_pieces));
		return t + (c->outcome == GC_OUT_CANCELLED ? ms(g, 2000, 10000) : ms(g, 1000, 8000));
	case ST_183: {
		uint64_t ring = ms(g, 1000, 3000);
		uint64_t start;

		t = send_b(g, c, now, 183, "Session Progress", "INVITE", true, false, GC_SIG_PIECES(c->batch_pieces));
		/* Early media from B until answer, then on for the call itself. */
		start = t + ms(g, 10, 40);
		if (quota)
			start_stream(g, c, 1, start, (uint32_t)((t + ring - start) / (20 * GC_MS)) + quota);
		return t + ring;
	}
	case ST_200:
		t = send_b(g, c, now, 200, "OK", "INVITE", true, false, GC_SIG_PIECES(c->ok_pieces));
		c->t_answer = t;
		if (quota && !c->early)
			start_stream(g, c, 1, t + ms(g, 5, 30), quota);
		return t + ms(g, 5, 40);
	case ST_ACK:
		t = send_a_req(g, c, now, "ACK", true);
		if (!quota)
			return t + ms(g, 1000, 3000);
		start_stream(g, c, 0, t + ms(g, 1, 20), quota);
		return WAIT;
	case ST_MEDIA:
		return now;
	case ST_BYE:
		t = send_bye(g, c, now, false);
		c->t_end = t;
		return t + ms(g, 5, 40);
	case ST_BYE_200:
		t = send_bye(g, c, now, true);
		return t + ms(g, 50, 500);
	case ST_CANCEL:
		t = send_a_req(g, c, now, "CANCEL", false);
		c->t_cancel = t;
		return t + ms(g, 2, 20);
	case ST_CANCEL_200:
		t = send_b(g, c, now, 200, "OK", "CANCEL", false, true, 0);
		return t + ms(g, 1, 10);
	case ST_487:
		t = send_b(g, c, now, 487, "Request Terminated", "INVITE", false, false, 0);
		c->t_end = t;
		return t + ms(g, 2, 20);
	case ST_REJECT:
		t = send_b(g, c, now, c->reject_code, c->reject_reason, "INVITE", false, false,
			   GC_SIG_PIECES(c->batch_pieces));
		c->t_end = t;
		return t + ms(g, 2, 20);
	case ST_ACK_ERR:
		t = send_a_req(g, c, now, "ACK", false);
		return t + ms(g, 50, 500);
	case ST_CLOSE:
		return c->tcp ? gc_tcp_close(g, &c->tx.conn, 0, now) + 1 : now;
	case ST_END:
		gc_truth_call_done(g->truth, c->truth, c->outcome, c->t_answer, c->t_cancel, c->t_end);
		if (g->calls_started < g->opt.calls) {
			c->idle = true;
			return now + ms(g, 100, 3000);
		}
		return WAIT;
	}
	return WAIT;
}

static void call_fire(struct gc_gen *g, struct gc_actor *a, uint64_t now)
{
	struct call *c = (struct call *)a;

	if (c->idle) {
		if (g->calls_started >= g->opt.calls)
			return;
		plan(g, c, g->calls_started++);
		c->idle = false;
	}

	uint64_t next = run_step(g, c, c->script[c->pc++], now);

	if (next != WAIT)
		gc_sched(g, &c->actor, next);
}

uint64_t gc_calls_estimate(const struct gc_opts *o)
{
	unsigned per_slot = o->concurrency ? (o->calls + o->concurrency - 1) / o->concurrency : 0;

	/* Ringing ~3 s, media, BYE and the idle gap ~2 s. */
	return (uint64_t)per_slot * (o->rtp_seconds + 5) * GC_US;
}

int gc_calls_start(struct gc_gen *g)
{
	unsigned n = g->opt.concurrency;
	struct call *slots;

	if (!g->opt.calls || !n)
		return 0;
	if (n > g->opt.calls)
		n = g->opt.calls;
	slots = talloc_zero_array(g->ctx, struct call, n);
	if (!slots)
		return -1;
	talloc_set_name_const(slots, "call slots");

	/* Stagger the slots' first calls over one average call length so the
	 * number of simultaneous calls ramps up instead of starting in step. */
	uint64_t avg = (uint64_t)(g->opt.rtp_seconds + 5) * GC_US;

	for (unsigned s = 0; s < n; s++) {
		slots[s].actor.fire = call_fire;
		slots[s].slot = s;
		slots[s].n_slots = n;
		slots[s].idle = true;
		gc_sched(g, &slots[s].actor, g->t0 + s * (avg / n) + ms(g, 0, 500));
	}
	return 0;
}
