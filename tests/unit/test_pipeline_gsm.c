/*
 * GSMTAP through the whole capture pipeline (Ethernet, IPv4, UDP 4729):
 * identity, sms and GSM call events as docs/events.md describes them, the
 * SMS text handed as content only to a consumer that asked during the
 * event, the CC-to-call mapping (attempt, ringing, answer, end with bye,
 * cancel, rejected, capture_end and the cause), and every rejection
 * counted under its name. L3 messages are those of test_gsm_l3.c and
 * test_gsm_sms.c (derivations there).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull
#define MAX_EV 32

struct rec {
	enum sl_event_type type;
	enum sl_call_step step;
	enum sl_call_end reason;
	uint8_t cause;
	enum sl_dir dir;
	char call_id[32];
	struct sl_party from, to;
	char smsc[SL_ID_MAX];
	char tpdu[16];
	bool mo;
	bool has_scts;
	int64_t scts;
	uint8_t seg_no, seg_total;
	char procedure[32];
	char seen[SL_ID_MAX];
};

struct gfx {
	void *ctx;
	size_t blocks;
	struct sl_capture *cap;
	unsigned n;
	struct rec ev[MAX_EV];
	bool want_text;
	unsigned n_cc;
	char text[128];
	char cc_call_id[32];
};

static void on_event(const struct sl_event *ev, void *priv)
{
	struct gfx *g = priv;
	struct rec *r;
	size_t n;

	assert_true(g->n < MAX_EV);
	r = &g->ev[g->n++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->dir = ev->dir;
	r->from = ev->from;
	r->to = ev->to;
	n = ev->call_id.len < sizeof(r->call_id) - 1 ? ev->call_id.len : sizeof(r->call_id) - 1;
	if (n)
		memcpy(r->call_id, ev->call_id.p, n);
	switch (ev->type) {
	case SL_EV_CALL:
		r->step = ev->u.call.step;
		r->reason = ev->u.call.reason;
		r->cause = ev->u.call.cause;
		assert_non_null(ev->dialog);
		assert_int_equal(sl_dialog_kind(ev->dialog), SL_COMM_CALL);
		break;
	case SL_EV_SMS:
		snprintf(r->smsc, sizeof(r->smsc), "%s", ev->u.sms.smsc.value);
		snprintf(r->tpdu, sizeof(r->tpdu), "%s", ev->u.sms.tpdu);
		r->mo = ev->u.sms.mo;
		r->has_scts = ev->u.sms.has_scts;
		r->scts = ev->u.sms.scts;
		r->seg_no = ev->u.sms.seg_no;
		r->seg_total = ev->u.sms.seg_total;
		assert_int_equal(sl_dialog_kind(ev->dialog), SL_COMM_MESSAGE);
		if (g->want_text)
			sl_dialog_set_cc(ev->dialog, true);
		break;
	case SL_EV_IDENTITY:
		snprintf(r->procedure, sizeof(r->procedure), "%s", ev->u.identity.procedure);
		snprintf(r->seen, sizeof(r->seen), "%s", ev->u.identity.seen.value);
		break;
	default:
		break;
	}
}

static void on_cc(const struct sl_cc *cc, void *priv)
{
	struct gfx *g = priv;
	size_t n = cc->len < sizeof(g->text) - 1 ? cc->len : sizeof(g->text) - 1;

	assert_int_equal(cc->kind, SL_CC_SMS_TEXT);
	g->n_cc++;
	memcpy(g->text, cc->data, n);
	g->text[n] = '\0';
	n = cc->call_id.len < sizeof(g->cc_call_id) - 1 ? cc->call_id.len : sizeof(g->cc_call_id) - 1;
	memcpy(g->cc_call_id, cc->call_id.p, n);
	g->cc_call_id[n] = '\0';
}

static int setup(void **state)
{
	struct gfx *g = calloc(1, sizeof(*g));
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops = { .event = on_event, .cc = on_cc };

	assert_non_null(g);
	pfx_global_init();
	g->ctx = talloc_named_const(NULL, 0, "test_pipeline_gsm");
	g->blocks = talloc_total_blocks(g->ctx);
	sl_capture_cfg_default(&cfg);
	ops.priv = g;
	g->cap = sl_capture_alloc(g->ctx, &cfg, &ops, 0);
	assert_non_null(g->cap);
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	struct gfx *g = *state;

	sl_capture_free(g->cap);
	assert_int_equal(talloc_total_blocks(g->ctx), g->blocks);
	talloc_free(g->ctx);
	free(g);
	return 0;
}

static uint64_t ctr(struct gfx *g, unsigned idx)
{
	return (uint64_t)rate_ctr_group_get_ctr(sl_capture_ctrs(g->cap, SL_CG_GSM), idx)->current;
}

/* One GSMTAP Abis datagram carrying l3, uplink or downlink, from the phone's probe A to the collector B. */
static void feed(struct gfx *g, uint64_t ts, bool uplink, const uint8_t *l3, size_t len)
{
	uint8_t dg[256] = { 0x02, 0x04, 0x02, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x06, 0, 0, 0 };
	struct pb b;
	struct sl_frame f;
	static uint64_t number;

	assert_true(len + 16 <= sizeof(dg));
	dg[4] = uplink ? 0x40 : 0x00;
	memcpy(dg + 16, l3, len);
	pb_init(&b, dg, 16 + len);
	pb_udp(&b, 4729, 4729);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	memset(&f, 0, sizeof(f));
	f.ts_us = ts;
	f.number = ++number;
	f.linktype = 1; /* DLT_EN10MB */
	f.data = pb_data(&b);
	f.caplen = f.len = (uint32_t)pb_len(&b);
	sl_capture_frame(g->cap, &f);
}

#define FEED(g, t, up, a) feed(g, t, up, a, sizeof(a))

static bool has_id(const struct sl_party *p, enum sl_id_type t, const char *v)
{
	return sl_party_has(p, t, v);
}

static const uint8_t lu_req[] = { 0x05, 0x08, 0x10, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x53,
				  0x05, 0xf4, 0x08, 0x43, 0xe8, 0xbc };
static const uint8_t id_resp_imsi[] = { 0x05, 0x19, 0x08, 0x29, 0x26, 0x24, 0x10, 0x32, 0x54, 0x76, 0x98 };
static const uint8_t lu_acc[] = { 0x05, 0x02, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x17, 0x05, 0xf4, 0x08, 0x46, 0x7e, 0xec };
static const uint8_t cp_data_submit[] = { 0x39, 0x01, 0x1e, 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09,
					  0x10, 0x93, 0xf0, 0x12, 0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89,
					  0x67, 0x45, 0x00, 0x00, 0x06, 0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };
/* CP-DATA (network, TI 0) with RP-DATA MT: RP-OA the SMSC, RP-DA empty, the UCS-2 concatenated DELIVER */
/* CP-User-Data 41 octets = RP header 12 (type, MR, OA LV 8, DA LV 1, UD length) + TPDU 29 */
static const uint8_t cp_data_deliver[] = { 0x09, 0x01, 0x29, 0x01, 0x05, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93,
					   0xf0, 0x00, 0x1d, 0x44, 0x0c, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50,
					   0x00, 0x08, 0x62, 0x21, 0x30, 0x31, 0x54, 0x03, 0x40, 0x0a, 0x05, 0x00,
					   0x03, 0x2a, 0x02, 0x01, 0x00, 0xe9, 0x20, 0xac };

static void test_identities_and_sms(void **state)
{
	struct gfx *g = *state;
	const struct rec *r;

	FEED(g, TS0, true, lu_req);
	FEED(g, TS0 + 1000, true, id_resp_imsi);
	FEED(g, TS0 + 2000, false, lu_acc);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->ev[0].type, SL_EV_IDENTITY);
	assert_string_equal(g->ev[0].procedure, "location_updating_request");
	assert_string_equal(g->ev[1].seen, "262420123456789");
	/* the IMSI joins the TMSI it was asked for: the association */
	assert_true(has_id(&g->ev[1].from, SL_ID_IMSI, "262420123456789"));
	assert_true(has_id(&g->ev[1].from, SL_ID_TMSI, "0843e8bc"));
	/* the new TMSI replaces the old one, and its event names both */
	assert_true(has_id(&g->ev[2].from, SL_ID_TMSI, "08467eec"));
	assert_true(has_id(&g->ev[2].from, SL_ID_TMSI, "0843e8bc"));
	assert_int_equal(g->ev[2].dir, SL_DIR_FROM_CALLEE);

	/* MO SMS, no content wanted: event, no content */
	FEED(g, TS0 + 3000, true, cp_data_submit);
	r = &g->ev[3];
	assert_int_equal(r->type, SL_EV_SMS);
	assert_string_equal(r->tpdu, "submit");
	assert_true(r->mo);
	assert_true(has_id(&r->from, SL_ID_IMSI, "262420123456789"));
	assert_true(has_id(&r->from, SL_ID_TMSI, "08467eec"));
	assert_false(has_id(&r->from, SL_ID_TMSI, "0843e8bc"));
	assert_true(has_id(&r->to, SL_ID_NUMBER, "0768987654"));
	assert_string_equal(r->smsc, "+33609001390");
	assert_int_equal(g->n_cc, 0);

	/* the same with content wanted: the text, once, under the event's call_id */
	g->want_text = true;
	FEED(g, TS0 + 4000, true, cp_data_submit);
	assert_int_equal(g->n_cc, 1);
	assert_string_equal(g->text, "Sms 2g");
	assert_string_equal(g->cc_call_id, g->ev[4].call_id);

	/* MT: a concatenated UCS-2 DELIVER; the phone is the recipient */
	FEED(g, TS0 + 5000, false, cp_data_deliver);
	r = &g->ev[5];
	assert_int_equal(r->type, SL_EV_SMS);
	assert_string_equal(r->tpdu, "deliver");
	assert_false(r->mo);
	assert_true(has_id(&r->from, SL_ID_E164, "+447785016005"));
	assert_true(has_id(&r->to, SL_ID_IMSI, "262420123456789"));
	assert_string_equal(r->smsc, "+33609001390");
	assert_true(r->has_scts);
	assert_int_equal(r->scts, 1796301930);
	assert_int_equal(r->seg_no, 1);
	assert_int_equal(r->seg_total, 2);
	assert_int_equal(g->n_cc, 2);
	assert_string_equal(g->text, "\xc3\xa9\xe2\x82\xac");

	assert_int_equal(ctr(g, SL_GSMC_SMS), 3);
	assert_int_equal(ctr(g, SL_GSMC_IDENTITIES), 3);
	assert_int_equal(ctr(g, SL_GSMC_DTAP), 6);
}

static void test_calls(void **state)
{
	struct gfx *g = *state;
	/* MT call: network SETUP (TI 1, flag 0) with the calling number; the phone answers with flag 1 */
	static const uint8_t mt_setup[] = { 0x13, 0x05, 0x04, 0x01, 0xa0, 0x5c, 0x04, 0x01, 0x80, 0x21, 0x43 };
	static const uint8_t mt_alert[] = { 0x93, 0x01 };
	static const uint8_t mt_connect[] = { 0x93, 0x07 };
	static const uint8_t mt_disc[] = { 0x13, 0x25, 0x02, 0xe0, 0x90 };
	static const uint8_t mt_rel[] = { 0x93, 0x2d };
	static const uint8_t mt_rel_compl[] = { 0x13, 0x2a };
	/* MO call (TI 0, flag 0 uplink) given up by the phone; another MO call (TI 2) cleared by the network */
	static const uint8_t mo_setup[] = { 0x03, 0x05, 0x5e, 0x06, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45 };
	static const uint8_t mo_disc[] = { 0x03, 0x25, 0x02, 0xe0, 0x90 };
	static const uint8_t mo2_setup[] = { 0x23, 0x05, 0x5e, 0x06, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45 };
	static const uint8_t mo2_disc[] = { 0xa3, 0x25, 0x02, 0xe2, 0x95 };
	static const uint8_t mo3_setup[] = { 0x33, 0x05 };
	static const uint8_t stray[] = { 0xc3, 0x01 };
	unsigned i;

	FEED(g, TS0, true, id_resp_imsi);
	FEED(g, TS0 + 1000000, false, mt_setup);
	FEED(g, TS0 + 2000000, true, mt_alert);
	FEED(g, TS0 + 3000000, true, mt_connect);
	FEED(g, TS0 + 9000000, false, mt_disc);
	FEED(g, TS0 + 9100000, true, mt_rel);
	FEED(g, TS0 + 9200000, false, mt_rel_compl);
	assert_int_equal(g->n, 5);
	assert_int_equal(g->ev[1].step, SL_CALL_ATTEMPT);
	assert_true(has_id(&g->ev[1].from, SL_ID_NUMBER, "1234"));
	assert_true(has_id(&g->ev[1].to, SL_ID_IMSI, "262420123456789"));
	assert_int_equal(g->ev[1].dir, SL_DIR_FROM_CALLER);
	assert_int_equal(g->ev[2].step, SL_CALL_RINGING);
	assert_int_equal(g->ev[2].dir, SL_DIR_FROM_CALLEE);
	assert_int_equal(g->ev[3].step, SL_CALL_ANSWER);
	assert_int_equal(g->ev[4].step, SL_CALL_END);
	assert_int_equal(g->ev[4].reason, SL_END_BYE);
	assert_int_equal(g->ev[4].cause, 16);
	for (i = 2; i < 5; i++)
		assert_string_equal(g->ev[i].call_id, g->ev[1].call_id);

	FEED(g, TS0 + 10000000, true, mo_setup);
	FEED(g, TS0 + 11000000, true, mo_disc);
	assert_int_equal(g->ev[5].step, SL_CALL_ATTEMPT);
	assert_true(has_id(&g->ev[5].from, SL_ID_IMSI, "262420123456789"));
	assert_true(has_id(&g->ev[5].to, SL_ID_NUMBER, "0768987654"));
	assert_int_equal(g->ev[6].reason, SL_END_CANCEL);
	assert_string_not_equal(g->ev[5].call_id, g->ev[1].call_id);

	FEED(g, TS0 + 12000000, true, mo2_setup);
	FEED(g, TS0 + 13000000, false, mo2_disc);
	assert_int_equal(g->ev[8].reason, SL_END_REJECTED);
	assert_int_equal(g->ev[8].cause, 21);

	FEED(g, TS0 + 14000000, false, stray);
	assert_int_equal(ctr(g, SL_GSMC_CC_STRAY), 1);
	assert_int_equal(g->n, 9);

	/* a call still open when the capture ends */
	FEED(g, TS0 + 15000000, true, mo3_setup);
	sl_capture_flush(g->cap);
	assert_int_equal(g->n, 11);
	assert_int_equal(g->ev[10].step, SL_CALL_END);
	assert_int_equal(g->ev[10].reason, SL_END_CAPTURE_END);
	assert_int_equal(ctr(g, SL_GSMC_CALLS), 4);
}

/*
 * Um GSMTAP (type 1, SDCCH/8, SAPI 3): the 33-octet CP-DATA of the MO SMS in two LAPDm I frames, 20 octets
 * with the M bit (N(S) 0, length octet 20 << 2 | M | EL = 0x53) and 13 without (N(S) 1, 0x35); the first
 * retransmitted in between. One sms event; then losses.
 */
static void feed_um(struct gfx *g, uint64_t ts, uint8_t ns, bool more, const uint8_t *p, size_t len)
{
	uint8_t dg[64] = { 0x02, 0x04, 0x01, 0x02, 0x40, 0x10, 0, 0, 0, 0, 0, 0, 0x08, 0, 0x01, 0 };
	struct pb b;
	struct sl_frame f;

	dg[16] = 0x0d;				/* address: SAPI 3, EA */
	dg[17] = (uint8_t)(ns << 1);		/* I frame, N(R) 0 */
	dg[18] = (uint8_t)(len << 2 | (more ? 2 : 0) | 1);
	memcpy(dg + 19, p, len);
	memset(dg + 19 + len, 0x2b, 20 - len);	/* fill to N201 */
	pb_init(&b, dg, 19 + 20);
	pb_udp(&b, 4729, 4729);
	pb_ipv4(&b, PFX_A4, PFX_B4);
	pb_eth(&b);
	memset(&f, 0, sizeof(f));
	f.ts_us = ts;
	f.number = 1;
	f.linktype = 1;
	f.data = pb_data(&b);
	f.caplen = f.len = (uint32_t)pb_len(&b);
	sl_capture_frame(g->cap, &f);
}

static void test_um_segmented_sms(void **state)
{
	struct gfx *g = *state;

	g->want_text = true;
	feed_um(g, TS0, 0, true, cp_data_submit, 20);
	feed_um(g, TS0 + 1000, 0, true, cp_data_submit, 20);
	assert_int_equal(g->n, 0);
	feed_um(g, TS0 + 2000, 1, false, cp_data_submit + 20, sizeof(cp_data_submit) - 20);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->ev[0].type, SL_EV_SMS);
	assert_true(has_id(&g->ev[0].to, SL_ID_NUMBER, "0768987654"));
	assert_string_equal(g->text, "Sms 2g");
	assert_int_equal(ctr(g, SL_GSMC_LAPDM_REASSEMBLED), 1);
	assert_int_equal(ctr(g, SL_GSMC_LAPDM_DUP), 1);
	/*
	 * a frame lost before a last segment: nothing is held, so the tail looks like an unsegmented message and
	 * passes (its first octet 0x67 is protocol discriminator 7: ignored, as tshark would show it)
	 */
	feed_um(g, TS0 + 3000, 3, false, cp_data_submit + 20, sizeof(cp_data_submit) - 20);
	assert_int_equal(g->n, 1);
	assert_int_equal(ctr(g, SL_GSMC_DTAP_IGNORED), 1);
	/* a frame lost inside a segmented message (N(S) 5): the message is dropped */
	feed_um(g, TS0 + 4000, 4, true, cp_data_submit, 20);
	feed_um(g, TS0 + 5000, 6, false, cp_data_submit + 20, sizeof(cp_data_submit) - 20);
	assert_int_equal(g->n, 1);
	assert_int_equal(ctr(g, SL_GSMC_LAPDM_GAP), 1);
}

/* A call nobody clears ends by timeout on packet time; a silent stream forgets its phone. */
static void test_call_timeout(void **state)
{
	struct gfx *g = *state;
	struct sl_capture_cfg def;
	static const uint8_t mo_setup[] = { 0x03, 0x05, 0x5e, 0x06, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45 };
	static const uint8_t alerting[] = { 0x83, 0x01 };

	sl_capture_cfg_default(&def);
	FEED(g, TS0, true, id_resp_imsi);
	FEED(g, TS0 + 1000, true, mo_setup);
	assert_int_equal(g->n, 2);
	sl_capture_advance(g->cap, TS0 + 1000 + def.invite_timeout_us + 2000000);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->ev[2].step, SL_CALL_END);
	assert_int_equal(g->ev[2].reason, SL_END_TIMEOUT);
	/* a late ALERTING of the timed-out call makes no event */
	FEED(g, TS0 + 1000 + def.invite_timeout_us + 3000000, false, alerting);
	assert_int_equal(g->n, 3);
	/* silent past the session timeout: the next SETUP's caller no longer has the IMSI */
	sl_capture_advance(g->cap, TS0 + 2 * def.session_timeout_us + def.invite_timeout_us + 10000000);
	FEED(g, TS0 + 2 * def.session_timeout_us + def.invite_timeout_us + 11000000, true, mo_setup);
	assert_int_equal(g->ev[g->n - 1].step, SL_CALL_ATTEMPT);
	assert_false(has_id(&g->ev[g->n - 1].from, SL_ID_IMSI, "262420123456789"));
}

static void test_rejections(void **state)
{
	struct gfx *g = *state;
	struct pb b;
	struct sl_frame f;
	static const uint8_t dtap_trunc[] = { 0x05, 0x19, 0x09, 0x29 };
	static const uint8_t mi_unsupported[] = { 0x05, 0x19, 0x01, 0xf0 };
	static const uint8_t ignored[] = { 0x06, 0x1b, 0x00 };
	/* CP-DATA whose RP-ERROR has no cause; CP-DATA with an RP type 7; RP-DATA MO carrying a DELIVER-REPORT */
	static const uint8_t rp_malformed[] = { 0x09, 0x01, 0x03, 0x05, 0x04, 0x00 };
	static const uint8_t rp_unsupported[] = { 0x09, 0x01, 0x02, 0x07, 0x00 };
	static const uint8_t rp_trunc[] = { 0x09, 0x01, 0x02, 0x00, 0x04 };
	static const uint8_t tpdu_unsupported[] = { 0x09, 0x01, 0x06, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t tpdu_trunc[] = { 0x09, 0x01, 0x07, 0x00, 0x04, 0x00, 0x00, 0x02, 0x01, 0x07 };
	static const uint8_t tpdu_malformed[] = { 0x09, 0x01, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x07,
						  0x01, 0x07, 0x00, 0x81, 0x00, 0x00, 0xa1 };
	/* GSMTAP: version 3; header cut short; UM SDCCH UI frame with the M bit; UMTS RRC */
	static const uint8_t bad_version[] = { 0x03, 0x04, 0x02, 0x00 };
	static const uint8_t short_hdr[] = { 0x02, 0x04, 0x02 };
	static const uint8_t um_seg[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0,
					  0x07, 0, 0, 0, 0x01, 0x03, 0x13, 0x05, 0x19, 0x01, 0xf0 };
	static const uint8_t rrc[] = { 0x02, 0x04, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12 };
	const uint8_t *raw[] = { bad_version, short_hdr, um_seg, rrc };
	size_t raw_len[] = { sizeof(bad_version), sizeof(short_hdr), sizeof(um_seg), sizeof(rrc) };
	unsigned i;

	FEED(g, TS0, true, dtap_trunc);
	FEED(g, TS0, true, mi_unsupported);
	FEED(g, TS0, false, ignored);
	FEED(g, TS0, true, rp_malformed);
	FEED(g, TS0, true, rp_unsupported);
	FEED(g, TS0, true, rp_trunc);
	FEED(g, TS0, true, tpdu_unsupported);
	FEED(g, TS0, true, tpdu_trunc);
	FEED(g, TS0, true, tpdu_malformed);
	for (i = 0; i < 4; i++) {
		pb_init(&b, raw[i], raw_len[i]);
		pb_udp(&b, 4729, 4729);
		pb_ipv4(&b, PFX_A4, PFX_B4);
		pb_eth(&b);
		memset(&f, 0, sizeof(f));
		f.ts_us = TS0;
		f.number = 100 + i;
		f.linktype = 1;
		f.data = pb_data(&b);
		f.caplen = f.len = (uint32_t)pb_len(&b);
		sl_capture_frame(g->cap, &f);
	}
	assert_int_equal(g->n, 0);
	assert_int_equal(ctr(g, SL_GSMC_DTAP_TRUNCATED), 1);
	assert_int_equal(ctr(g, SL_GSMC_DTAP_UNSUPPORTED), 1);
	assert_int_equal(ctr(g, SL_GSMC_DTAP_IGNORED), 1);
	assert_int_equal(ctr(g, SL_GSMC_RP_MALFORMED), 1);
	assert_int_equal(ctr(g, SL_GSMC_RP_UNSUPPORTED), 1);
	assert_int_equal(ctr(g, SL_GSMC_RP_TRUNCATED), 1);
	assert_int_equal(ctr(g, SL_GSMC_TPDU_UNSUPPORTED), 1);
	assert_int_equal(ctr(g, SL_GSMC_TPDU_TRUNCATED), 1);
	assert_int_equal(ctr(g, SL_GSMC_TPDU_MALFORMED), 1);
	assert_int_equal(ctr(g, SL_GSMC_MALFORMED), 1);
	assert_int_equal(ctr(g, SL_GSMC_TRUNCATED), 1);
	assert_int_equal(ctr(g, SL_GSMC_SEGMENTED), 1);
	assert_int_equal(ctr(g, SL_GSMC_OTHER), 1);
	assert_int_equal(ctr(g, SL_GSMC_FRAMES), 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identities_and_sms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_um_segmented_sms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
