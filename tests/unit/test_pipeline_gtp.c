/*
 * GTPv2-C through the whole capture pipeline (capture/gtp_handle.c,
 * capture/ue_bind.c): sessions learnt from Create Session exchanges
 * (TS 29.274 clauses 7.2.1, 7.2.2) make `bearer` events and bind the UE
 * address; SIP from and to that address (plain, and inside GTP-U) gains
 * the subscriber's identities on the right party; a new ULI moves the UE;
 * a Delete Session Response, the idle timeout and the table's bound end
 * sessions, after which SIP is no longer enriched; two PDN connections
 * under one MME TEID are told apart by their default bearer. The ULI's
 * cell becomes a `gtpv2-uli` location event and the cell of SIP from the
 * UE that has no P-Access-Network-Info of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/ue_bind.h"
#include "handover/ho_out.h"
#include "handover/pdu_decode.h"
#include "mediation/lawful/intercept.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define MAX_EV 64
#define TS0 1700000000000000ull

struct rec {
	enum sl_event_type type;
	uint64_t ts_us;
	char event[16];
	char apn[SL_GTPV2_APN_MAX];
	uint32_t eci;
	struct sl_party from, to;
	bool has_cell;
	struct sl_cell cell;
	char fix[16];
};

struct tfx {
	void *ctx;
	size_t blocks;
	struct sl_capture *cap;
	unsigned n;
	struct rec ev[MAX_EV];
	uint64_t frame;
	/* the lawful path, when set: matcher, record encoder, and what it wrote */
	struct sl_lawful *law;
	struct sl_ho_out *ho;
	unsigned n_iri;
	struct sl_hi2_iri iri;		/* the last IRI written, decoded */
};

static void on_event(const struct sl_event *ev, void *priv)
{
	struct tfx *g = priv;
	struct rec *r;

	assert_true(g->n < MAX_EV);
	r = &g->ev[g->n++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->ts_us = ev->ts_us;
	r->from = ev->from;
	r->to = ev->to;
	if (ev->cell) {
		r->has_cell = true;
		r->cell = *ev->cell;
	}
	if (ev->type == SL_EV_LOCATION)
		snprintf(r->fix, sizeof(r->fix), "%s", ev->u.loc.source);
	if (ev->type == SL_EV_BEARER) {
		snprintf(r->event, sizeof(r->event), "%s", ev->u.bearer.event);
		snprintf(r->apn, sizeof(r->apn), "%s", ev->u.bearer.ue->apn);
		r->eci = ev->u.bearer.ue->uli.eci;
	}
	if (g->law) {
		const struct sl_match *m;
		unsigned i, n = sl_lawful_match(g->law, ev, &m);

		for (i = 0; i < n; i++)
			assert_int_equal(sl_ho_out_event(g->ho, &m[i], ev), 0);
	}
}

static struct tfx *alloc_fx(unsigned max_sessions)
{
	struct tfx *g = calloc(1, sizeof(*g));
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops = { .event = on_event };

	assert_non_null(g);
	pfx_global_init();
	g->ctx = talloc_named_const(NULL, 0, "test_pipeline_gtp");
	g->blocks = talloc_total_blocks(g->ctx);
	sl_capture_cfg_default(&cfg);
	cfg.max_ue_sessions = max_sessions;
	cfg.ue_idle_us = 600ull * 1000000;
	ops.priv = g;
	g->cap = sl_capture_alloc(g->ctx, &cfg, &ops, 0);
	assert_non_null(g->cap);
	return g;
}

static int setup(void **state)
{
	*state = alloc_fx(16);
	return 0;
}

static int teardown(void **state)
{
	struct tfx *g = *state;

	sl_capture_free(g->cap);
	assert_int_equal(talloc_total_blocks(g->ctx), g->blocks);
	talloc_free(g->ctx);
	free(g);
	return 0;
}

static uint64_t ctr(struct tfx *g, enum sl_capture_ctr_group grp, unsigned idx)
{
	return (uint64_t)rate_ctr_group_get_ctr(sl_capture_ctrs(g->cap, grp), idx)->current;
}

static void send_frame(struct tfx *g, uint64_t ts, struct pb *b)
{
	struct sl_frame f;

	pb_eth(b);
	memset(&f, 0, sizeof(f));
	f.ts_us = ts;
	f.number = ++g->frame;
	f.linktype = 1; /* DLT_EN10MB */
	f.data = pb_data(b);
	f.caplen = f.len = (uint32_t)pb_len(b);
	sl_capture_frame(g->cap, &f);
}

static const uint8_t mme[4] = { 192, 0, 2, 1 }, sgw[4] = { 192, 0, 2, 2 }, enb[4] = { 192, 0, 2, 3 };
static const uint8_t pcscf[4] = { 10, 4, 128, 21 };

/* A GTPv2-C message of type t from src to dst: header (TEID teid), sequence seq, then the IEs given. */
static void gtpc(struct tfx *g, uint64_t ts, const uint8_t src[4], const uint8_t dst[4], uint8_t t, uint32_t teid,
		 uint32_t seq, const uint8_t *ies, size_t n)
{
	uint8_t m[256];
	struct pb b;

	assert_true(12 + n <= sizeof(m));
	m[0] = 0x48;
	m[1] = t;
	m[2] = (uint8_t)((8 + n) >> 8);
	m[3] = (uint8_t)(8 + n);
	m[4] = (uint8_t)(teid >> 24), m[5] = (uint8_t)(teid >> 16), m[6] = (uint8_t)(teid >> 8), m[7] = (uint8_t)teid;
	m[8] = (uint8_t)(seq >> 16), m[9] = (uint8_t)(seq >> 8), m[10] = (uint8_t)seq, m[11] = 0;
	memcpy(m + 12, ies, n);
	pb_init(&b, m, 12 + n);
	pb_udp(&b, 2123, 2123);
	pb_ipv4(&b, src, dst);
	send_frame(g, ts, &b);
}

/* Create Session Request from the MME: IMSI 001011234567895, MEI (IMEISV), ULI TAI+ECGI eci, F-TEID mme_teid, APN, EBI */
static void create_req(struct tfx *g, uint64_t ts, uint32_t seq, uint32_t mme_teid, const char *apn3, uint8_t ebi)
{
	uint8_t ie[128], *p = ie;
	static const uint8_t head[] = {
		0x01, 0x00, 0x08, 0x00, 0x00, 0x01, 0x11, 0x32, 0x54, 0x76, 0x98, 0xf5,
		0x4c, 0x00, 0x03, 0x00, 0x94, 0x71, 0x52,
		0x4b, 0x00, 0x08, 0x00, 0x68, 0x27, 0x78, 0x30, 0x59, 0x22, 0x73, 0x20,
		0x56, 0x00, 0x0d, 0x00, 0x18, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00, 0xf1, 0x10, 0x00, 0x00, 0x01, 0x9b,
	};

	memcpy(p, head, sizeof(head));
	p += sizeof(head);
	*p++ = 0x57, *p++ = 0, *p++ = 9, *p++ = 0, *p++ = 0x8a;
	*p++ = (uint8_t)(mme_teid >> 24), *p++ = (uint8_t)(mme_teid >> 16), *p++ = (uint8_t)(mme_teid >> 8);
	*p++ = (uint8_t)mme_teid;
	memcpy(p, mme, 4);
	p += 4;
	*p++ = 0x47, *p++ = 0, *p++ = 4, *p++ = 0, *p++ = 3;
	memcpy(p, apn3, 3);
	p += 3;
	*p++ = 0x5d, *p++ = 0, *p++ = 5, *p++ = 0, *p++ = 0x49, *p++ = 0, *p++ = 1, *p++ = 0, *p++ = ebi;
	gtpc(g, ts, mme, sgw, 32, 0, seq, ie, (size_t)(p - ie));
}

/* Accepted Create Session Response to the MME: SGW F-TEID sgw_teid, PAA IPv4 ue */
static void create_rsp(struct tfx *g, uint64_t ts, uint32_t seq, uint32_t mme_teid, uint32_t sgw_teid,
		       const uint8_t ue[4], uint8_t cause)
{
	uint8_t ie[64], *p = ie;

	*p++ = 0x02, *p++ = 0, *p++ = 2, *p++ = 0, *p++ = cause, *p++ = 0;
	*p++ = 0x57, *p++ = 0, *p++ = 9, *p++ = 0, *p++ = 0x8b;
	*p++ = (uint8_t)(sgw_teid >> 24), *p++ = (uint8_t)(sgw_teid >> 16), *p++ = (uint8_t)(sgw_teid >> 8);
	*p++ = (uint8_t)sgw_teid;
	memcpy(p, sgw, 4);
	p += 4;
	*p++ = 0x4f, *p++ = 0, *p++ = 5, *p++ = 0, *p++ = 1;
	memcpy(p, ue, 4);
	p += 4;
	gtpc(g, ts, sgw, mme, 33, mme_teid, seq, ie, (size_t)(p - ie));
}

static void sip(struct tfx *g, uint64_t ts, const uint8_t src[4], const uint8_t dst[4], bool in_gtpu, const char *msg)
{
	struct pb b;

	pb_init(&b, msg, strlen(msg));
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, src, dst);
	if (in_gtpu) {
		pb_gtpu(&b, false);
		pb_udp(&b, 2152, 2152);
		pb_ipv4(&b, enb, sgw);
	}
	send_frame(g, ts, &b);
}

static const char reg[] = "REGISTER sip:ims.example SIP/2.0\r\nVia: SIP/2.0/UDP 100.64.0.7;branch=z9hG4bK1\r\n"
			  "From: <sip:alice@ims.example>;tag=1\r\nTo: <sip:alice@ims.example>\r\nCall-ID: r1\r\n"
			  "CSeq: 1 REGISTER\r\nContact: <sip:alice@100.64.0.7>\r\nContent-Length: 0\r\n\r\n";
static const char reg200[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 100.64.0.7;branch=z9hG4bK1\r\n"
			     "From: <sip:alice@ims.example>;tag=1\r\nTo: <sip:alice@ims.example>;tag=2\r\nCall-ID: r1\r\n"
			     "CSeq: 1 REGISTER\r\nContact: <sip:alice@100.64.0.7>;expires=600\r\nContent-Length: 0\r\n\r\n";
static const char opt[] = "OPTIONS sip:alice@100.64.0.7 SIP/2.0\r\nVia: SIP/2.0/UDP 10.4.128.21;branch=z9hG4bK2\r\n"
			  "From: <sip:pcscf@ims.example>;tag=3\r\nTo: <sip:alice@ims.example>\r\nCall-ID: o1\r\n"
			  "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

static const struct rec *last(struct tfx *g, enum sl_event_type t)
{
	unsigned i;

	for (i = g->n; i-- > 0;)
		if (g->ev[i].type == t)
			return &g->ev[i];
	return NULL;
}

static void test_lifecycle(void **state)
{
	struct tfx *g = *state;
	static const uint8_t ue[4] = { 100, 64, 0, 7 };
	const struct rec *r;
	uint8_t ies[32];

	/* SIP before any session: nothing to add */
	sip(g, TS0, ue, pcscf, false, reg);
	r = last(g, SL_EV_SIP);
	assert_false(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));

	create_req(g, TS0 + 1000, 0x10, 1, "ims", 5);
	assert_null(last(g, SL_EV_BEARER));	/* nothing until the response */
	create_rsp(g, TS0 + 2000, 0x10, 1, 0x80, ue, 16);
	r = last(g, SL_EV_BEARER);
	assert_non_null(r);
	assert_string_equal(r->event, "created");
	assert_int_equal(r->ts_us, TS0 + 2000);
	assert_string_equal(r->apn, "ims");
	assert_int_equal(r->eci, 0x19b);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	assert_true(sl_party_has(&r->from, SL_ID_E164, "+491725"));
	/* IMEISV 8672870395223702 -> IMEI 86728703952237 and its Luhn digit 5 */
	assert_true(sl_party_has(&r->from, SL_ID_IMEI, "867287039522375"));
	/* a copy of the response is stray, not a second session */
	create_rsp(g, TS0 + 2001, 0x10, 1, 0x80, ue, 16);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_CREATED), 1);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_STRAY), 1);

	/* REGISTER from the UE: the sender (From) gains the identities; its 200 to the UE: To is the UE's side */
	sip(g, TS0 + 3000, ue, pcscf, false, reg);
	r = last(g, SL_EV_SIP);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	assert_false(sl_party_has(&r->to, SL_ID_IMSI, "001011234567895"));
	sip(g, TS0 + 4000, pcscf, ue, false, reg200);
	r = last(g, SL_EV_SIP);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	r = last(g, SL_EV_REGISTRATION);
	assert_non_null(r);
	assert_true(sl_party_has(&r->from, SL_ID_IMEI, "867287039522375"));
	/* OPTIONS to the UE inside GTP-U: the recipient (To) gains them */
	sip(g, TS0 + 5000, pcscf, ue, true, opt);
	r = last(g, SL_EV_SIP);
	assert_true(sl_party_has(&r->to, SL_ID_IMSI, "001011234567895"));
	assert_false(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));

	/* Modify Bearer Request to the SGW's TEID with a new ECGI: the UE moved */
	{
		static const uint8_t uli[] = { 0x56, 0x00, 0x0d, 0x00, 0x18, 0x00, 0xf1, 0x10, 0x00, 0x01,
					       0x00, 0xf1, 0x10, 0x00, 0x00, 0x01, 0x9c };

		gtpc(g, TS0 + 6000, mme, sgw, 34, 0x80, 0x11, uli, sizeof(uli));
	}
	r = last(g, SL_EV_BEARER);
	assert_string_equal(r->event, "modified");
	assert_int_equal(r->eci, 0x19c);

	/* Delete Session Request (LBI 5) and its accepted response end the binding */
	ies[0] = 0x49, ies[1] = 0, ies[2] = 1, ies[3] = 0, ies[4] = 5;
	gtpc(g, TS0 + 7000, mme, sgw, 36, 0x80, 0x12, ies, 5);
	ies[0] = 0x02, ies[1] = 0, ies[2] = 2, ies[3] = 0, ies[4] = 16, ies[5] = 0;
	gtpc(g, TS0 + 8000, sgw, mme, 37, 1, 0x12, ies, 6);
	r = last(g, SL_EV_BEARER);
	assert_string_equal(r->event, "deleted");
	assert_int_equal(r->ts_us, TS0 + 8000);
	/*
	 * No GTPv2-C enrichment after the deletion (the counter below stays at
	 * 3). The IMSI may still come with the public identity: the IMS
	 * registration binding (sip_bind.c) learnt it from the 200 OK above and
	 * holds it until the registration expires, independently of the bearer.
	 */
	sip(g, TS0 + 9000, ue, pcscf, false, reg);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_DELETED), 1);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_ENRICHED), 3);
}

/* Two PDN connections under MME TEID 1 (S11): the Delete Session of the first ends the first. */
static void test_shared_teid(void **state)
{
	struct tfx *g = *state;
	static const uint8_t ue1[4] = { 100, 64, 0, 1 }, ue2[4] = { 100, 64, 0, 2 };
	const struct rec *r;
	uint8_t ies[8];

	create_req(g, TS0, 0x20, 1, "web", 5);
	create_rsp(g, TS0 + 10, 0x20, 1, 0x80, ue1, 16);
	create_req(g, TS0 + 20, 0x21, 1, "ims", 6);
	create_rsp(g, TS0 + 30, 0x21, 1, 0x80, ue2, 16);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_CREATED), 2);
	ies[0] = 0x49, ies[1] = 0, ies[2] = 1, ies[3] = 0, ies[4] = 5;
	gtpc(g, TS0 + 40, mme, sgw, 36, 0x80, 0x22, ies, 5);
	ies[0] = 0x02, ies[1] = 0, ies[2] = 2, ies[3] = 0, ies[4] = 16, ies[5] = 0;
	gtpc(g, TS0 + 50, sgw, mme, 37, 1, 0x22, ies, 6);
	r = last(g, SL_EV_BEARER);
	assert_string_equal(r->event, "deleted");
	assert_string_equal(r->apn, "web");
	/* the ims connection is still bound */
	sip(g, TS0 + 60, ue2, pcscf, false, reg);
	r = last(g, SL_EV_SIP);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	sip(g, TS0 + 70, ue1, pcscf, false, reg);
	r = last(g, SL_EV_SIP);
	assert_false(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
}

/*
 * A call whose SIP is seen only between core nodes (P-CSCF and S-CSCF),
 * its SDP naming the UE's address: the UE's RTP inside GTP-U matches the
 * call, and its stream summary carries the subscriber on the caller's
 * side (the stream comes from the caller's media address).
 */
static void test_rtp_stream(void **state)
{
	struct tfx *g = *state;
	static const uint8_t ue[4] = { 100, 64, 0, 5 }, scscf[4] = { 10, 4, 128, 22 }, far[4] = { 203, 0, 113, 9 };
	static const char invite[] =
		"INVITE sip:bob@ims.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.4.128.21;branch=z9hG4bK7\r\n"
		"From: <sip:alice@ims.example>;tag=a\r\nTo: <sip:bob@ims.example>\r\nCall-ID: c1\r\n"
		"CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 105\r\n\r\n"
		"v=0\r\no=- 1 1 IN IP4 100.64.0.5\r\ns=-\r\nc=IN IP4 100.64.0.5\r\nt=0 0\r\nm=audio 30000 RTP/AVP 8\r\n"
		"a=sendrecv\r\n";
	const struct rec *r;
	uint8_t rtp[12 + 20];
	struct pb b;
	unsigned i;

	create_req(g, TS0, 0x40, 5, "ims", 5);
	create_rsp(g, TS0 + 10, 0x40, 5, 0x85, ue, 16);
	sip(g, TS0 + 100, pcscf, scscf, false, invite);
	r = last(g, SL_EV_SIP);
	assert_false(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));	/* core to core: no UE address */
	for (i = 0; i < 5; i++) {
		memset(rtp, 0, sizeof(rtp));
		rtp[0] = 0x80;
		rtp[1] = 8;
		rtp[3] = (uint8_t)i;
		rtp[11] = 0x55;
		pb_init(&b, rtp, sizeof(rtp));
		pb_udp(&b, 30000, 40000);
		pb_ipv4(&b, ue, far);
		pb_gtpu(&b, false);
		pb_udp(&b, 2152, 2152);
		pb_ipv4(&b, enb, sgw);
		send_frame(g, TS0 + 200 + i * 20000, &b);
	}
	sl_capture_flush(g->cap);
	r = last(g, SL_EV_RTP_STREAM);
	assert_non_null(r);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	assert_false(sl_party_has(&r->to, SL_ID_IMSI, "001011234567895"));
}

/* A refused session binds nothing; an idle one expires at its last message plus the timeout. */
static void test_rejected_and_idle(void **state)
{
	struct tfx *g = *state;
	static const uint8_t ue[4] = { 100, 64, 0, 9 };
	const struct rec *r;

	create_req(g, TS0, 0x30, 3, "ims", 5);
	create_rsp(g, TS0 + 10, 0x30, 3, 0x83, ue, 64 /* context not found */);
	r = last(g, SL_EV_BEARER);
	assert_string_equal(r->event, "rejected");
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_REJECTED), 1);
	sip(g, TS0 + 20, ue, pcscf, false, reg);
	assert_false(sl_party_has(&last(g, SL_EV_SIP)->from, SL_ID_IMSI, "001011234567895"));

	create_req(g, TS0 + 100, 0x31, 4, "ims", 5);
	create_rsp(g, TS0 + 110, 0x31, 4, 0x84, ue, 16);
	/* 600 s idle: a frame 601 s later runs the timers */
	sip(g, TS0 + 110 + 601ull * 1000000, pcscf, pcscf, false, opt);
	r = last(g, SL_EV_BEARER);
	assert_string_equal(r->event, "expired");
	assert_int_equal(r->ts_us, TS0 + 110 + 600ull * 1000000);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_EXPIRED), 1);
}

/* A table of two: the third session evicts the least recently updated. */
static void test_evicted(void **state)
{
	struct tfx *g = alloc_fx(2);
	static const uint8_t u1[4] = { 100, 64, 1, 1 }, u2[4] = { 100, 64, 1, 2 }, u3[4] = { 100, 64, 1, 3 };

	(void)state;
	create_req(g, TS0, 1, 11, "ims", 5);
	create_rsp(g, TS0 + 1, 1, 11, 0x91, u1, 16);
	create_req(g, TS0 + 2, 2, 12, "ims", 5);
	create_rsp(g, TS0 + 3, 2, 12, 0x92, u2, 16);
	create_req(g, TS0 + 4, 3, 13, "ims", 5);
	assert_string_equal(last(g, SL_EV_BEARER)->event, "evicted");
	create_rsp(g, TS0 + 5, 3, 13, 0x93, u3, 16);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_EVICTED), 1);
	sip(g, TS0 + 6, u1, pcscf, false, reg);
	assert_false(sl_party_has(&last(g, SL_EV_SIP)->from, SL_ID_IMSI, "001011234567895"));
	sip(g, TS0 + 7, u3, pcscf, false, reg);
	assert_true(sl_party_has(&last(g, SL_EV_SIP)->from, SL_ID_IMSI, "001011234567895"));
	sl_capture_flush(g->cap);
	assert_string_equal(last(g, SL_EV_BEARER)->event, "capture_end");
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_SESS_FLUSHED), 2);
	state = (void **)&g;
	teardown(state);
}


static unsigned count(struct tfx *g, enum sl_event_type t, unsigned from)
{
	unsigned i, n = 0;

	for (i = from; i < g->n; i++)
		n += g->ev[i].type == t;
	return n;
}

static void assert_eutran(const struct rec *r, uint32_t tac, uint64_t eci)
{
	assert_true(r->has_cell);
	assert_int_equal(r->cell.access, SL_ACCESS_EUTRAN);
	assert_string_equal(r->cell.mcc, "001");
	assert_string_equal(r->cell.mnc, "01");
	assert_int_equal(r->cell.area, tac);
	assert_int_equal(r->cell.cell, eci);
}

static void test_cell_and_location(void **state)
{
	struct tfx *g = *state;
	static const uint8_t ue[4] = { 100, 64, 0, 7 };
	static const char reg_pani[] =
		"REGISTER sip:ims.example SIP/2.0\r\nVia: SIP/2.0/UDP 100.64.0.7;branch=z9hG4bK5\r\n"
		"From: <sip:alice@ims.example>;tag=5\r\nTo: <sip:alice@ims.example>\r\nCall-ID: r5\r\n"
		"CSeq: 1 REGISTER\r\nP-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00101000200001AA\r\n"
		"Contact: <sip:alice@100.64.0.7>\r\nContent-Length: 0\r\n\r\n";
	static const uint8_t uli[] = { 0x56, 0x00, 0x0d, 0x00, 0x18, 0x00, 0xf1, 0x10, 0x00, 0x01,
				       0x00, 0xf1, 0x10, 0x00, 0x00, 0x01, 0x9c };
	static const char invite[] =
		"INVITE sip:bob@ims.example SIP/2.0\r\nVia: SIP/2.0/UDP 100.64.0.7;branch=z9hG4bK9\r\n"
		"From: <sip:alice@ims.example>;tag=9\r\nTo: <sip:bob@ims.example>\r\nCall-ID: c9\r\n"
		"CSeq: 1 INVITE\r\nContact: <sip:alice@100.64.0.7>\r\nContent-Length: 0\r\n\r\n";
	const struct rec *r;
	unsigned mark;

	/* the created bearer, then where the core network saw the UE: ULI TAI 001-01 TAC 1, ECI 0x19b */
	create_req(g, TS0, 0x20, 1, "ims", 5);
	create_rsp(g, TS0 + 1000, 0x20, 1, 0x80, ue, 16);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->ev[0].type, SL_EV_BEARER);
	r = &g->ev[1];
	assert_int_equal(r->type, SL_EV_LOCATION);
	assert_string_equal(r->fix, "gtpv2-uli");
	assert_int_equal(r->ts_us, TS0 + 1000);
	assert_eutran(r, 1, 0x19b);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
	assert_true(sl_party_has(&r->from, SL_ID_E164, "+491725"));
	assert_true(sl_party_has(&r->from, SL_ID_IMEI, "867287039522375"));
	assert_int_equal(r->to.n, 0);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_LOCATIONS), 1);

	/* REGISTER from the UE without PANI: its sip event and the registration take the ULI's cell, no SIP location */
	mark = g->n;
	sip(g, TS0 + 2000, ue, pcscf, false, reg);
	assert_eutran(last(g, SL_EV_SIP), 1, 0x19b);
	/* the 200 OK comes from the P-CSCF, not a bound UE: no cell of its own; the registration keeps the dialog's */
	sip(g, TS0 + 3000, pcscf, ue, false, reg200);
	assert_false(last(g, SL_EV_SIP)->has_cell);
	assert_eutran(last(g, SL_EV_REGISTRATION), 1, 0x19b);
	assert_int_equal(count(g, SL_EV_LOCATION, mark), 0);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_CELLS), 1);

	/* a message to the UE takes no cell from the recipient's binding */
	sip(g, TS0 + 4000, pcscf, ue, true, opt);
	assert_false(last(g, SL_EV_SIP)->has_cell);

	/* with its own PANI (TAC 2, ECI 0x1aa) the UE's report wins, and it is a sip-pani location */
	mark = g->n;
	sip(g, TS0 + 5000, ue, pcscf, true, reg_pani);
	assert_eutran(last(g, SL_EV_SIP), 2, 0x1aa);
	assert_int_equal(count(g, SL_EV_LOCATION, mark), 1);
	r = last(g, SL_EV_LOCATION);
	assert_string_equal(r->fix, "sip-pani");
	assert_eutran(r, 2, 0x1aa);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_CELLS), 1);

	/* the UE moves (Modify Bearer, ECI 0x19c): modified bearer, then its location */
	mark = g->n;
	gtpc(g, TS0 + 6000, mme, sgw, 34, 0x80, 0x21, uli, sizeof(uli));
	assert_int_equal(g->n, mark + 2);
	assert_string_equal(g->ev[mark].event, "modified");
	assert_string_equal(g->ev[mark + 1].fix, "gtpv2-uli");
	assert_eutran(&g->ev[mark + 1], 1, 0x19c);
	/* the same ULI again moves nothing */
	gtpc(g, TS0 + 7000, mme, sgw, 34, 0x80, 0x22, uli, sizeof(uli));
	assert_int_equal(g->n, mark + 2);
	sip(g, TS0 + 8000, ue, pcscf, false, reg);
	assert_eutran(last(g, SL_EV_SIP), 1, 0x19c);
	assert_int_equal(ctr(g, SL_CG_GTP, SL_GTPC_LOCATIONS), 2);

	/* a call from the UE without PANI: the call attempt carries the cell and the IMSI */
	sip(g, TS0 + 9000, ue, pcscf, false, invite);
	r = last(g, SL_EV_CALL);
	assert_non_null(r);
	assert_eutran(r, 1, 0x19c);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "001011234567895"));
}

static int sink_write(void *priv, const char *liid, const char *dest, const struct sl_ho_rec *rec, const uint8_t *p,
		      size_t n)
{
	struct tfx *g = priv;
	struct sl_pdu_decoded d;
	char err[256];
	void *tmp = talloc_named_const(NULL, 0, "pdu");

	assert_string_equal(liid, "LIID-IMSI");
	assert_string_equal(dest, "lea1");
	assert_int_equal(rec->stream, SL_HO_HI2);
	if (sl_pdu_decode(tmp, p, n, &d, err, sizeof(err)) != 0)
		fail_msg("our own PDU does not decode: %s", err);
	assert_int_equal(d.kind, SL_PDU_IRI_HI2);
	g->iri = d.u.hi2.iri;	/* Location is held inline; the parties' values are copies */
	g->n_iri++;
	talloc_free(tmp);
	return 0;
}

static enum sl_ho_format sink_format(void *priv, const char *dest)
{
	return SL_HO_FORMAT_PS_PDU;
}

/*
 * A warrant on an IMSI: the location events GTPv2-C makes for it reach the
 * lawful path and become IRI-REPORTs with Location (E-UTRAN tAI and eCGI),
 * decoded back by our strict decoder; the bearer events themselves are no
 * IRI. A warrant on another IMSI, or one without the location service,
 * gets nothing from them.
 */
static void lawful_run(struct tfx *g, const char *imsi, unsigned services)
{
	static const uint8_t ue[4] = { 100, 64, 0, 7 };
	static const uint8_t uli[] = { 0x56, 0x00, 0x0d, 0x00, 0x18, 0x00, 0xf1, 0x10, 0x00, 0x01,
				       0x00, 0xf1, 0x10, 0x00, 0x00, 0x01, 0x9c };
	char st[] = "/tmp/sluice-cin-XXXXXX", err[256];
	struct sl_target tgt = { .id = { .type = SL_ID_IMSI } };
	struct sl_intercept ic = { .liid = "LIID-IMSI", .target = &tgt, .n_targets = 1, .scope = SL_SCOPE_IRI,
				   .services = services, .dest = "lea1" };
	struct sl_ho_out_cfg hc = { .operator_id = "OPX", .ne_id = "sluice1", .country = "DE", .cin_state_path = st };
	struct sl_ho_sink sink = { .write = sink_write, .format = sink_format, .priv = g };
	void *ctx = talloc_named_const(NULL, 0, "lawful");
	int fd = mkstemp(st);
	bool want = strcmp(imsi, "001011234567895") == 0 && (services & SL_SVC_LOCATION);

	assert_true(fd >= 0);
	close(fd);
	unlink(st);
	snprintf(tgt.id.value, sizeof(tgt.id.value), "%s", imsi);
	g->law = sl_lawful_alloc(ctx, 0);
	assert_int_equal(sl_lawful_add(g->law, &ic), 0);
	g->ho = sl_ho_out_alloc(ctx, &hc, &sink, err, sizeof(err));
	if (!g->ho)
		fail_msg("%s", err);

	create_req(g, TS0, 0x30, 1, "ims", 5);
	create_rsp(g, TS0 + 1000, 0x30, 1, 0x80, ue, 16);
	assert_int_equal(g->n_iri, want ? 1 : 0);
	if (want) {
		/* PLMN 001-01: 00 F1 10; TAC 1; ECI 0x19b */
		assert_true(g->iri.loc.has_tai);
		assert_true(g->iri.loc.has_ecgi);
		assert_memory_equal(g->iri.loc.tai, "\x05\x00\xf1\x10\x00\x01", 6);
		assert_memory_equal(g->iri.loc.ecgi, "\x07\x00\xf1\x10\x00\x00\x01\x9b", 8);
		assert_true(sl_party_has(&g->iri.orig, SL_ID_IMSI, "001011234567895"));
		assert_int_equal(g->iri.term.n, 0);
	}
	/* the UE moves: a second report, in the new cell */
	gtpc(g, TS0 + 2000, mme, sgw, 34, 0x80, 0x31, uli, sizeof(uli));
	assert_int_equal(g->n_iri, want ? 2 : 0);
	if (want)
		assert_memory_equal(g->iri.loc.ecgi, "\x07\x00\xf1\x10\x00\x00\x01\x9c", 8);
	sl_capture_flush(g->cap);	/* capture_end bearer events: still nothing more */
	assert_int_equal(g->n_iri, want ? 2 : 0);
	sl_ho_out_free(g->ho);
	g->ho = NULL;
	g->law = NULL;
	talloc_free(ctx);
	unlink(st);
}

static void test_lawful_location(void **state)
{
	struct tfx *g = *state;

	lawful_run(g, "001011234567895", SL_SVC_LOCATION);
}

static void test_lawful_other_imsi(void **state)
{
	struct tfx *g = *state;

	lawful_run(g, "001019999999999", SL_SVC_ALL);
}

static void test_lawful_no_location_service(void **state)
{
	struct tfx *g = *state;

	lawful_run(g, "001011234567895", SL_SVC_VOICE | SL_SVC_MESSAGING | SL_SVC_REGISTRATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_and_location, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lawful_location, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lawful_other_imsi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lawful_no_location_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_teid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejected_and_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rtp_stream, setup, teardown),
		cmocka_unit_test(test_evicted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
