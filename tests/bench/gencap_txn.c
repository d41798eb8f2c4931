/*
 * Non-INVITE transactions: instant messages and registrations.
 *
 * MESSAGE (RFC 3428) carries a text/plain body from a few bytes to about
 * 1 KB between the two proxies and is answered 200 or 202; the longest
 * ones exceed the MTU and travel as IPv4 fragments, and a quarter of them
 * use IPv6 (kept below the MTU, since IPv6 routers do not fragment).
 * REGISTER (RFC 3261 section 10) goes from a user agent to the registrar
 * with a Contact and Expires, is challenged with 401 and a Digest
 * WWW-Authenticate (RFC 8760 / RFC 2617 style), and the repeated REGISTER
 * (CSeq + 1, Authorization) gets 200 with the granted expiry. The digest
 * response is random hex: nothing downstream verifies it.
 *
 * Each transaction is a small actor placed at a random time within the span
 * of the calls, so these messages interleave with call traffic. Ownership:
 * one talloc array of actors under g->ctx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

#define MSG_MAX 4096

struct txn {
	struct gc_actor actor;		/* first member */
	bool reg;
	unsigned index, step;
	const struct gc_ident *id[2];	/* MESSAGE: sender, recipient; REGISTER: id[0] twice */
	struct gc_ip ua;
	char ua_host[GC_IPSTR], reg_host[GC_IPSTR];
	struct gc_sig tx;
	char call_id[96], tag[2][16], uri[2][96];
	char via[2][160];
	uint32_t cseq;
	const char *agent[2];
	char nonce[33];
	size_t body_len;
	bool accepted_202;
};

static char msgbuf[MSG_MAX];
static char textbuf[1200];

static const char *const words[] = {
	"ok", "see", "you", "at", "the", "meeting", "tomorrow", "call", "me", "back", "when", "free",
	"running", "late", "ten", "minutes", "please", "send", "report", "thanks", "on", "my", "way",
	"lunch", "today", "shipment", "arrived", "gate", "4", "confirmed", "booking", "reference",
};

/* Plain text of exactly len bytes (len >= 1): words, spaces, final full stop. */
static size_t make_text(struct gc_rng *r, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		const char *w = words[gc_rng_range(r, 0, sizeof(words) / sizeof(words[0]) - 1)];
		size_t wl = strlen(w);

		if (n && n + 1 < len - 1)
			buf[n++] = ' ';
		for (size_t i = 0; i < wl && n + 1 < len; i++)
			buf[n++] = w[i];
	}
	buf[n++] = '.';
	return n;
}

static void pick_pair(struct gc_gen *g, struct txn *x)
{
	unsigned a = gc_rng_range(&g->rng, 0, g->n_idents - 1);
	unsigned b = gc_rng_range(&g->rng, 0, g->n_idents - 2);

	x->id[0] = &g->idents[a];
	x->id[1] = &g->idents[b >= a ? b + 1 : b];
}

static void setup_message(struct gc_gen *g, struct txn *x)
{
	struct gc_ep a, b;
	unsigned p = gc_rng_range(&g->rng, 1, 4);
	bool v6 = x->index % 4 == 1;
	char h[17];

	pick_pair(g, x);
	/* one statement per draw: argument order is the compiler's */
	uint32_t net = gc_rng_range(&g->rng, 0, 15);
	uint32_t host = gc_rng_range(&g->rng, 1, v6 ? 0xfffe : 254);

	if (v6) {
		gc_ip6(&a.ip, 1, 0, (uint16_t)p);
		gc_ip6(&b.ip, 2, 0, (uint16_t)p);
		gc_ip6(&x->ua, 0xa, (uint16_t)net, (uint16_t)host);
	} else {
		gc_ip4(&a.ip, 10, 0, 1, (uint8_t)p);
		gc_ip4(&b.ip, 10, 0, 2, (uint8_t)p);
		gc_ip4(&x->ua, 10, 1, (uint8_t)net, (uint8_t)host);
	}
	a.port = b.port = 5060;
	gc_sig_init(g, &x->tx, false, &a, &b, x->index % 5 == 3 ? 102 : 0);
	gc_host_str(&a.ip, x->reg_host, sizeof(x->reg_host));	/* the sending proxy */
	gc_host_str(&x->ua, x->ua_host, sizeof(x->ua_host));

	/* Mostly short texts; one in five a long one, ~1 KB over IPv4. */
	if (gc_rng_pct(&g->rng, 20))
		x->body_len = gc_rng_range(&g->rng, 300, v6 ? 600 : 1100);
	else
		x->body_len = gc_rng_range(&g->rng, 3, 160);
	x->accepted_202 = gc_rng_pct(&g->rng, 30);
	gc_rng_hex(&g->rng, h, 16);
	snprintf(x->call_id, sizeof(x->call_id), "%sm%x@%s", h, x->index, v6 ? "sbc-a.example.net" : x->reg_host);
}

static void setup_register(struct gc_gen *g, struct txn *x)
{
	struct gc_ep ua, reg;
	unsigned p = gc_rng_range(&g->rng, 1, 4);
	char h[17];

	/* Registrations are for sip: AORs; a tel: identity registers its number. */
	pick_pair(g, x);
	x->id[1] = x->id[0];
	uint32_t net = gc_rng_range(&g->rng, 0, 15);	/* one draw per statement, as above */
	uint32_t host = gc_rng_range(&g->rng, 1, 254);

	gc_ip4(&ua.ip, 10, 1, (uint8_t)net, (uint8_t)host);
	gc_ip4(&reg.ip, 10, 0, 1, (uint8_t)p);
	ua.port = 5060;
	reg.port = 5060;
	x->ua = ua.ip;
	gc_sig_init(g, &x->tx, false, &ua, &reg, 0);
	gc_host_str(&ua.ip, x->ua_host, sizeof(x->ua_host));
	gc_host_str(&reg.ip, x->reg_host, sizeof(x->reg_host));
	gc_rng_hex(&g->rng, x->nonce, 32);
	gc_rng_hex(&g->rng, h, 16);
	snprintf(x->call_id, sizeof(x->call_id), "%sr%x@%s", h, x->index, x->ua_host);
}

static void setup(struct gc_gen *g, struct txn *x)
{
	if (x->reg)
		setup_register(g, x);
	else
		setup_message(g, x);
	for (int s = 0; s < 2; s++) {
		const struct gc_ident *id = x->id[s];

		if (id->kind == GC_URI_TEL)
			snprintf(x->uri[s], sizeof(x->uri[s]), "sip:%s@example.net;user=phone", id->user);
		else
			gc_ident_uri(id, x->uri[s], sizeof(x->uri[s]));
		gc_rng_hex(&g->rng, x->tag[s], 10);
		x->agent[s] = gc_sip_agent(&g->rng);
	}
	x->cseq = gc_rng_range(&g->rng, 1, 9999);
}

static void base_hdrs(struct txn *x, struct gc_sip_hdrs *h, bool response, const char *method)
{
	memset(h, 0, sizeof(*h));
	h->via[0] = x->via[0];
	h->via[1] = x->via[1][0] ? x->via[1] : NULL;
	h->from_uri = x->uri[0];
	h->from_display = x->id[0]->display;
	h->from_tag = x->tag[0];
	h->to_uri = x->uri[1];
	h->to_tag = response ? x->tag[1] : NULL;
	h->call_id = x->call_id;
	h->cseq = x->cseq;
	h->cseq_method = method;
	h->agent = x->agent[response ? 1 : 0];
}

static void send1(struct gc_gen *g, struct txn *x, int side, uint64_t t, size_t len, const char *method,
		  int status)
{
	struct gc_sip_out o = {
		.text = msgbuf,
		.len = len,
		.meta = {
			.call_id = x->call_id,
			.method = method,
			.status = status,
			.from_user = x->id[0]->user,
			.to_user = x->id[1]->user,
		},
	};

	if (!len) {
		fprintf(stderr, "sluice-gencap: internal error: %s does not fit\n", method ? method : "response");
		abort();
	}
	gc_sig_send(g, &x->tx, side, t, &o, 1, 0);
}

static void new_vias(struct gc_gen *g, struct txn *x)
{
	char b0[17], b1[17];

	gc_rng_hex(&g->rng, b0, 16);
	gc_rng_hex(&g->rng, b1, 16);
	if (x->reg) {
		snprintf(x->via[0], sizeof(x->via[0]), "SIP/2.0/UDP %s:5060;rport;branch=z9hG4bK%s", x->ua_host, b0);
		x->via[1][0] = '\0';
	} else {
		snprintf(x->via[0], sizeof(x->via[0]), "SIP/2.0/UDP %s:5060;branch=z9hG4bK%s", x->reg_host, b0);
		snprintf(x->via[1], sizeof(x->via[1]), "SIP/2.0/UDP %s:5060;rport=5060;branch=z9hG4bK%s",
			 x->ua_host, b1);
	}
}

/* Returns the delay to the next step, 0 when the transaction is over. */
static uint64_t message_step(struct gc_gen *g, struct txn *x, uint64_t now)
{
	struct gc_sip_hdrs h;

	if (x->step == 0) {
		new_vias(g, x);
		base_hdrs(x, &h, false, "MESSAGE");
		h.ctype = "text/plain;charset=UTF-8";
		h.body = textbuf;
		h.body_len = make_text(&g->rng, textbuf, x->body_len);
		send1(g, x, 0, now, gc_sip_request(msgbuf, sizeof(msgbuf), "MESSAGE", x->uri[1], &h), "MESSAGE", 0);
		return gc_rng_range(&g->rng, 5, 80) * GC_MS;
	}
	base_hdrs(x, &h, true, "MESSAGE");
	if (x->accepted_202)
		send1(g, x, 1, now, gc_sip_response(msgbuf, sizeof(msgbuf), 202, "Accepted", &h), NULL, 202);
	else
		send1(g, x, 1, now, gc_sip_response(msgbuf, sizeof(msgbuf), 200, "OK", &h), NULL, 200);
	gc_truth_message(g->truth);
	return 0;
}

static uint64_t register_step(struct gc_gen *g, struct txn *x, uint64_t now)
{
	struct gc_sip_hdrs h;
	char extra[640], contact[160], resp[33], cnonce[9], pani[128];
	const char *user = x->id[0]->user;

	gc_ident_contact(x->id[0], x->ua_host, 5060, false, contact, sizeof(contact));
	switch (x->step) {
	case 0:
	case 2:
		new_vias(g, x);
		base_hdrs(x, &h, false, "REGISTER");
		h.contact = contact;
		pani[0] = '\0';
		if (g->opt.areas) {
			/* TS 24.229 7.2A.4: MCC 262, MNC 01, TAC (4 hex), E-UTRAN cell identity (7 hex) */
			unsigned idx = (unsigned)(x->id[0] - g->idents);
			snprintf(pani, sizeof(pani),
				 "P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=26201%04x%07x\r\n",
				 1 + idx % g->opt.areas, idx & 0xfffffff);
		}
		if (x->step == 0) {
			snprintf(extra, sizeof(extra), "%sExpires: 3600\r\n", pani);
		} else {
			gc_rng_hex(&g->rng, resp, 32);
			gc_rng_hex(&g->rng, cnonce, 8);
			snprintf(extra, sizeof(extra),
				 "Authorization: Digest username=\"%s\", realm=\"example.net\", nonce=\"%s\", "
				 "uri=\"sip:example.net\", response=\"%s\", algorithm=MD5, cnonce=\"%s\", qop=auth, "
				 "nc=00000001\r\n%sExpires: 3600\r\n", user, x->nonce, resp, cnonce, pani);
		}
		h.extra = extra;
		send1(g, x, 0, now, gc_sip_request(msgbuf, sizeof(msgbuf), "REGISTER", "sip:example.net", &h),
		      "REGISTER", 0);
		return gc_rng_range(&g->rng, 2, 30) * GC_MS;
	case 1:
		base_hdrs(x, &h, true, "REGISTER");
		snprintf(extra, sizeof(extra),
			 "WWW-Authenticate: Digest realm=\"example.net\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"\r\n",
			 x->nonce);
		h.extra = extra;
		send1(g, x, 1, now, gc_sip_response(msgbuf, sizeof(msgbuf), 401, "Unauthorized", &h), NULL, 401);
		x->cseq++;
		return gc_rng_range(&g->rng, 20, 300) * GC_MS;
	default:
		base_hdrs(x, &h, true, "REGISTER");
		snprintf(contact + strlen(contact), sizeof(contact) - strlen(contact), ";expires=3600");
		h.contact = contact;
		h.extra = "Expires: 3600\r\n";
		send1(g, x, 1, now, gc_sip_response(msgbuf, sizeof(msgbuf), 200, "OK", &h), NULL, 200);
		gc_truth_registration(g->truth);
		return 0;
	}
}

static void txn_fire(struct gc_gen *g, struct gc_actor *a, uint64_t now)
{
	struct txn *x = (struct txn *)a;
	uint64_t delay;

	if (x->step == 0)
		setup(g, x);
	delay = x->reg ? register_step(g, x, now) : message_step(g, x, now);
	x->step++;
	if (delay)
		gc_sched(g, &x->actor, now + delay);
}

int gc_txns_start(struct gc_gen *g, uint64_t from, uint64_t until)
{
	unsigned n = g->opt.messages + g->opt.registrations;
	struct txn *x;

	if (!n)
		return 0;
	x = talloc_zero_array(g->ctx, struct txn, n);
	if (!x)
		return -1;
	talloc_set_name_const(x, "transactions");
	for (unsigned i = 0; i < n; i++) {
		x[i].actor.fire = txn_fire;
		x[i].reg = i >= g->opt.messages;
		x[i].index = x[i].reg ? i - g->opt.messages : i;
		gc_sched(g, &x[i].actor, from + gc_rng_u64(&g->rng) % (until - from));
	}
	return 0;
}
