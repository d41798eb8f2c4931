/*
 * SMS over IP and SIP location through the whole capture pipeline: SIP
 * MESSAGEs with application/vnd.3gpp.sms bodies (TS 24.341) carrying the
 * RP messages of TS 24.011 become sms events marked ims, delivery reports
 * name the RP-DATA they answer, the text is content only when asked for,
 * and P-Access-Network-Info gives a cell on the events and one location
 * event per dialog and cell. Bodies cut at every length and garbage fall
 * back to a plain message event, each rejection counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull
#define MAX_EV 64

struct rec {
	enum sl_event_type type;
	enum sl_dir dir;
	struct sl_party from, to;
	char call_id[64];
	char tpdu[16], rp[16], smsc[SL_ID_MAX], report_of[64], location[96], src[64];
	bool ims, mo, has_cell, has_rp_cause;
	uint8_t rp_ref, rp_cause;
	struct sl_cell cell;
};

struct ifx {
	void *ctx;
	size_t blocks;
	struct sl_capture *cap;
	unsigned n;
	struct rec ev[MAX_EV];
	bool want_text;
	unsigned n_cc;
	char text[128];
	char cc_call_id[64];
};

static void copy(char *dst, size_t n, struct sl_str s)
{
	size_t l = s.len < n - 1 ? s.len : n - 1;

	if (l)
		memcpy(dst, s.p, l);
	dst[l] = '\0';
}

static void on_event(const struct sl_event *ev, void *priv)
{
	struct ifx *g = priv;
	struct rec *r;

	assert_true(g->n < MAX_EV);
	r = &g->ev[g->n++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->dir = ev->dir;
	r->from = ev->from;
	r->to = ev->to;
	copy(r->call_id, sizeof(r->call_id), ev->call_id);
	copy(r->location, sizeof(r->location), ev->location);
	if (ev->cell) {
		r->has_cell = true;
		r->cell = *ev->cell;
	}
	if (ev->type == SL_EV_SMS) {
		r->ims = ev->u.sms.ims;
		r->mo = ev->u.sms.mo;
		r->rp_ref = ev->u.sms.rp_ref;
		r->has_rp_cause = ev->u.sms.has_rp_cause;
		r->rp_cause = ev->u.sms.rp_cause;
		snprintf(r->tpdu, sizeof(r->tpdu), "%s", ev->u.sms.tpdu ? ev->u.sms.tpdu : "");
		snprintf(r->rp, sizeof(r->rp), "%s", ev->u.sms.rp);
		snprintf(r->smsc, sizeof(r->smsc), "%s", ev->u.sms.smsc.value);
		copy(r->report_of, sizeof(r->report_of), ev->u.sms.report_of);
		assert_non_null(ev->dialog);
		assert_int_equal(sl_dialog_kind(ev->dialog), SL_COMM_MESSAGE);
		if (g->want_text)
			sl_dialog_set_cc(ev->dialog, true);
	}
	if (ev->type == SL_EV_LOCATION) {
		assert_string_equal(ev->u.loc.source, "sip-pani");
		r->has_cell = true;
		r->cell = ev->u.loc.cell;
	}
}

static void on_cc(const struct sl_cc *cc, void *priv)
{
	struct ifx *g = priv;
	size_t n = cc->len < sizeof(g->text) - 1 ? cc->len : sizeof(g->text) - 1;

	assert_int_equal(cc->kind, SL_CC_SMS_TEXT);
	g->n_cc++;
	memcpy(g->text, cc->data, n);
	g->text[n] = '\0';
	copy(g->cc_call_id, sizeof(g->cc_call_id), cc->call_id);
}

static int setup(void **state)
{
	struct ifx *g = calloc(1, sizeof(*g));
	struct sl_capture_cfg cfg;
	struct sl_capture_ops ops = { .event = on_event, .cc = on_cc };

	assert_non_null(g);
	pfx_global_init();
	g->ctx = talloc_named_const(NULL, 0, "test_pipeline_ims");
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
	struct ifx *g = *state;

	sl_capture_free(g->cap);
	assert_int_equal(talloc_total_blocks(g->ctx), g->blocks);
	talloc_free(g->ctx);
	free(g);
	return 0;
}

static uint64_t ctr(struct ifx *g, unsigned idx)
{
	return (uint64_t)rate_ctr_group_get_ctr(sl_capture_ctrs(g->cap, SL_CG_SIP), idx)->current;
}

static void send_udp(struct ifx *g, uint64_t ts, bool from_ue, const char *buf, size_t len)
{
	static uint64_t number;
	struct pb b;
	struct sl_frame f;

	pb_init(&b, buf, len);
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, from_ue ? PFX_A4 : PFX_B4, from_ue ? PFX_B4 : PFX_A4);
	pb_eth(&b);
	memset(&f, 0, sizeof(f));
	f.ts_us = ts;
	f.number = ++number;
	f.linktype = 1; /* DLT_EN10MB */
	f.data = pb_data(&b);
	f.caplen = f.len = (uint32_t)pb_len(&b);
	sl_capture_frame(g->cap, &f);
}

/* A SIP MESSAGE with a binary body, over UDP from A to B (from_ue) or back. */
static void message(struct ifx *g, uint64_t ts, bool from_ue, const char *call_id, const char *ue, const char *peer,
		    const char *extra, const char *ctype, const uint8_t *body, size_t blen)
{
	static char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "MESSAGE sip:%s@ims.example.net SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK%s\r\n"
		     "From: <sip:%s@ims.example.net>;tag=f1\r\n"
		     "To: <sip:%s@ims.example.net>\r\n"
		     "Call-ID: %s\r\nCSeq: 1 MESSAGE\r\n%s"
		     "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
		     from_ue ? peer : ue, call_id, from_ue ? ue : peer, from_ue ? peer : ue, call_id, extra ? extra : "",
		     ctype, blen);
	assert_true(n > 0 && (size_t)n + blen <= sizeof(buf));
	memcpy(buf + n, body, blen);
	send_udp(g, ts, from_ue, buf, (size_t)n + blen);
}

static void reg_as(struct ifx *g, uint64_t ts, const char *call_id, uint32_t cseq, unsigned expires, const char *aor,
		   const char *pau)
{
	char buf[1024];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "REGISTER sip:ims.example.net SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr%u\r\n"
		     "From: <sip:%s@ims.example.net>;tag=r1\r\n"
		     "To: <sip:%s@ims.example.net>\r\n"
		     "Call-ID: %s\r\nCSeq: %u REGISTER\r\n"
		     "Authorization: Digest username=\"208011234567895@ims.mnc001.mcc208.3gppnetwork.org\", "
		     "realm=\"ims.example.net\", uri=\"sip:ims.example.net\", response=\"00\"\r\n"
		     "Contact: <sip:10.0.0.1:5060>;+sip.instance=\"<urn:gsma:imei:35209900-176148-1>\";expires=%u\r\n"
		     "Content-Length: 0\r\n\r\n",
		     cseq, aor, aor, call_id, cseq, expires);
	send_udp(g, ts, true, buf, (size_t)n);
	n = snprintf(buf, sizeof(buf),
		     "SIP/2.0 200 OK\r\n"
		     "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr%u\r\n"
		     "From: <sip:%s@ims.example.net>;tag=r1\r\n"
		     "To: <sip:%s@ims.example.net>;tag=s1\r\n"
		     "Call-ID: %s\r\nCSeq: %u REGISTER\r\n"
		     "Contact: <sip:10.0.0.1:5060>;expires=%u\r\n%s%s%s"
		     "Content-Length: 0\r\n\r\n",
		     cseq, aor, aor, call_id, cseq, expires, pau ? "P-Associated-URI: " : "", pau ? pau : "",
		     pau ? "\r\n" : "");
	send_udp(g, ts + 1000, false, buf, (size_t)n);
}

static const struct rec *find(const struct ifx *g, enum sl_event_type t, unsigned k)
{
	unsigned i;

	for (i = 0; i < g->n; i++)
		if (g->ev[i].type == t && k-- == 0)
			return &g->ev[i];
	return NULL;
}

static unsigned count(const struct ifx *g, enum sl_event_type t)
{
	unsigned i, n = 0;

	for (i = 0; i < g->n; i++)
		n += g->ev[i].type == t;
	return n;
}

#define SMS_CT "application/vnd.3gpp.sms"
#define UE "+33612345678"
#define SC "+33609001390"
#define UE_HDRS                                                                                 \
	"P-Asserted-Identity: <tel:" UE ">\r\n"                                                   \
	"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=20801000100019B1\r\n"     \
	"Contact: <sip:10.0.0.1:5060>;+sip.instance=\"<urn:gsma:imei:35209900-176148-1>\"\r\n"

/* RP-DATA MS->network, MR 4, RP-DA the SMSC +33609001390, an SMS-SUBMIT to 0768987654 "Sms 2g" (GSM 7-bit) */
static const uint8_t rp_data_mo[] = { 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x12,
				      0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45, 0x00, 0x00, 0x06,
				      0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };
/* RP-DATA network->MS, MR 5, RP-OA the SMSC, a concatenated UCS-2 SMS-DELIVER */
static const uint8_t rp_data_mt[] = { 0x01, 0x05, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x00, 0x1d,
				      0x44, 0x0c, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0x00, 0x08, 0x62,
				      0x21, 0x30, 0x31, 0x54, 0x03, 0x40, 0x0a, 0x05, 0x00, 0x03, 0x2a, 0x02,
				      0x01, 0x00, 0xe9, 0x20, 0xac };
static const uint8_t rp_ack_to_ms_4[] = { 0x03, 0x04 };
static const uint8_t rp_ack_from_ms_5[] = { 0x02, 0x05 };
static const uint8_t rp_error_to_ms_9[] = { 0x05, 0x09, 0x01, 0x2a };

static void test_mo_sms_and_report(void **state)
{
	struct ifx *g = *state;
	const struct rec *r;

	message(g, TS0, true, "mo-1", UE, SC, UE_HDRS, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_int_equal(count(g, SL_EV_SMS), 1);
	assert_int_equal(count(g, SL_EV_MESSAGE), 0);	/* the sms event stands for it */
	r = find(g, SL_EV_SMS, 0);
	assert_true(r->ims);
	assert_true(r->mo);
	assert_string_equal(r->rp, "rp_data");
	assert_string_equal(r->tpdu, "submit");
	assert_int_equal(r->rp_ref, 4);
	assert_string_equal(r->call_id, "mo-1");
	assert_string_equal(r->smsc, "+33609001390");
	assert_true(sl_party_has(&r->from, SL_ID_E164, "+33612345678"));
	assert_non_null(sl_party_first(&r->from, SL_ID_IMEI));
	assert_true(sl_party_first(&r->to, SL_ID_NUMBER) || sl_party_first(&r->to, SL_ID_E164));
	assert_int_equal(r->dir, SL_DIR_FROM_CALLER);
	assert_true(r->has_cell);
	assert_int_equal(r->cell.access, SL_ACCESS_EUTRAN);
	assert_string_equal(r->cell.mcc, "208");
	assert_string_equal(r->cell.mnc, "01");
	assert_int_equal(r->cell.area, 1);
	assert_int_equal(r->cell.cell, 0x19b1);

	/* one location event: the sender in the cell its PANI names */
	assert_int_equal(count(g, SL_EV_LOCATION), 1);
	r = find(g, SL_EV_LOCATION, 0);
	assert_true(sl_party_has(&r->from, SL_ID_E164, "+33612345678"));
	assert_int_equal(r->cell.cell, 0x19b1);
	assert_int_equal(ctr(g, SL_SIPC_LOCATIONS), 1);
	assert_int_equal(ctr(g, SL_SIPC_PANI_CELLS), 1);

	/* the RP-ACK comes back in a MESSAGE of its own (another Call-ID) to the phone */
	message(g, TS0 + 800000, false, "ack-1", UE, SC, NULL, SMS_CT, rp_ack_to_ms_4, sizeof(rp_ack_to_ms_4));
	r = find(g, SL_EV_SMS, 1);
	assert_non_null(r);
	assert_string_equal(r->rp, "rp_ack");
	assert_string_equal(r->tpdu, "");
	assert_false(r->mo);
	assert_string_equal(r->report_of, "mo-1");
	assert_int_equal(ctr(g, SL_SIPC_SMS_REPORTS), 1);

	/* a second copy of that ACK finds nothing left to answer */
	message(g, TS0 + 900000, false, "ack-2", UE, SC, NULL, SMS_CT, rp_ack_to_ms_4, sizeof(rp_ack_to_ms_4));
	r = find(g, SL_EV_SMS, 2);
	assert_string_equal(r->report_of, "");
	assert_int_equal(ctr(g, SL_SIPC_SMS_REPORTS_UNMATCHED), 1);

	/* an RP-ERROR for a reference never seen: reported, unmatched, with its cause */
	message(g, TS0 + 1000000, false, "err-1", UE, SC, NULL, SMS_CT, rp_error_to_ms_9, sizeof(rp_error_to_ms_9));
	r = find(g, SL_EV_SMS, 3);
	assert_string_equal(r->rp, "rp_error");
	assert_true(r->has_rp_cause);
	assert_int_equal(r->rp_cause, 42);
	assert_string_equal(r->report_of, "");
	assert_int_equal(ctr(g, SL_SIPC_SMS), 4);
	assert_int_equal(g->n_cc, 0);	/* nobody asked for content */
}

static void test_mt_sms_report_from_phone(void **state)
{
	struct ifx *g = *state;
	const struct rec *r;

	message(g, TS0, false, "mt-1", UE, SC, NULL, SMS_CT, rp_data_mt, sizeof(rp_data_mt));
	r = find(g, SL_EV_SMS, 0);
	assert_non_null(r);
	assert_false(r->mo);
	assert_string_equal(r->tpdu, "deliver");
	assert_true(sl_party_has(&r->to, SL_ID_E164, "+33612345678"));
	assert_true(sl_party_has(&r->from, SL_ID_E164, "+447785016005"));
	assert_int_equal(r->dir, SL_DIR_FROM_CALLER);	/* the SIP sender (the network) is the from side */
	/* an ACK from another phone with the same reference does not answer it */
	message(g, TS0 + 100000, true, "ack-x", "+33611111111", SC, NULL, SMS_CT, rp_ack_from_ms_5,
		sizeof(rp_ack_from_ms_5));
	assert_string_equal(find(g, SL_EV_SMS, 1)->report_of, "");
	message(g, TS0 + 200000, true, "ack-5", UE, SC, NULL, SMS_CT, rp_ack_from_ms_5, sizeof(rp_ack_from_ms_5));
	r = find(g, SL_EV_SMS, 2);
	assert_true(r->mo);
	assert_string_equal(r->report_of, "mt-1");
	/* past the window an ACK answers nothing */
	message(g, TS0 + 300000, false, "mt-2", UE, SC, NULL, SMS_CT, rp_data_mt, sizeof(rp_data_mt));
	message(g, TS0 + 300000 + 61000000ull, true, "ack-6", UE, SC, NULL, SMS_CT, rp_ack_from_ms_5,
		sizeof(rp_ack_from_ms_5));
	assert_string_equal(find(g, SL_EV_SMS, 4)->report_of, "");
}

static void test_text_only_when_asked(void **state)
{
	struct ifx *g = *state;

	g->want_text = true;
	message(g, TS0, true, "mo-t", UE, SC, UE_HDRS, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_int_equal(g->n_cc, 1);
	assert_string_equal(g->text, "Sms 2g");
	assert_string_equal(g->cc_call_id, "mo-t");
	/* an acknowledgement has no text */
	message(g, TS0 + 1000, false, "ack-t", UE, SC, NULL, SMS_CT, rp_ack_to_ms_4, sizeof(rp_ack_to_ms_4));
	assert_int_equal(g->n_cc, 1);
}

/* Every cut of the RP-DATA and some garbage: no sms event, a message event instead, each counted. */
static void test_truncated_and_garbage(void **state)
{
	struct ifx *g = *state;
	static const uint8_t garbage[][4] = { { 0x07, 0x01 }, { 0xff, 0xff, 0xff, 0xff }, { 0x00, 0x01, 0xff, 0x00 } };
	uint64_t rejected;
	size_t cut, i;
	char cid[32];

	for (cut = 0; cut < sizeof(rp_data_mo); cut++) {
		unsigned before = g->n;
		snprintf(cid, sizeof(cid), "cut-%zu", cut);
		message(g, TS0 + cut * 1000, true, cid, UE, SC, NULL, SMS_CT, rp_data_mo, cut);
		assert_int_equal(count(g, SL_EV_SMS), 0);
		assert_int_equal(g->ev[g->n - 1].type, SL_EV_MESSAGE);
		assert_true(g->n > before);
		g->n = 0;
	}
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		snprintf(cid, sizeof(cid), "garbage-%zu", i);
		message(g, TS0 + 100000000ull + i, true, cid, UE, SC, NULL, SMS_CT, garbage[i], sizeof(garbage[i]));
		assert_int_equal(count(g, SL_EV_SMS), 0);
		g->n = 0;
	}
	rejected = ctr(g, SL_SIPC_SMS_RP_TRUNCATED) + ctr(g, SL_SIPC_SMS_RP_MALFORMED)
		   + ctr(g, SL_SIPC_SMS_RP_UNSUPPORTED) + ctr(g, SL_SIPC_SMS_TPDU_TRUNCATED)
		   + ctr(g, SL_SIPC_SMS_TPDU_MALFORMED) + ctr(g, SL_SIPC_SMS_TPDU_UNSUPPORTED);
	/* the empty body is not an RP message at all: every other cut and garbage is a counted rejection */
	assert_true(rejected >= sizeof(rp_data_mo) - 1);
	assert_int_equal(ctr(g, SL_SIPC_SMS), 0);
	/* a text MESSAGE is a message event as before */
	message(g, TS0 + 200000000ull, true, "txt", UE, SC, NULL, "text/plain", (const uint8_t *)"hi", 2);
	assert_int_equal(count(g, SL_EV_MESSAGE), 1);
}

/* A dialog reports its cell once, and again when it changes; a malformed PANI is counted, not guessed. */
static void test_location_per_cell(void **state)
{
	struct ifx *g = *state;
	static const char txt[] = "hello";

	message(g, TS0, true, "loc-1", UE, SC, UE_HDRS, "text/plain", (const uint8_t *)txt, 5);
	message(g, TS0 + 1, true, "loc-1", UE, SC, UE_HDRS, "text/plain", (const uint8_t *)txt, 5);
	assert_int_equal(count(g, SL_EV_LOCATION), 1);
	message(g, TS0 + 2, true, "loc-2", UE, SC,
		"P-Access-Network-Info: 3GPP-NR-TDD;utran-cell-id-3gpp=0010100000100000012A\r\n", "text/plain",
		(const uint8_t *)txt, 5);
	assert_int_equal(count(g, SL_EV_LOCATION), 2);
	assert_int_equal(find(g, SL_EV_LOCATION, 1)->cell.access, SL_ACCESS_NR);
	assert_int_equal(find(g, SL_EV_LOCATION, 1)->cell.area, 1);
	assert_int_equal(find(g, SL_EV_LOCATION, 1)->cell.cell, 0x12a);
	message(g, TS0 + 3, true, "loc-3", UE, SC,
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2080100010001\r\n", "text/plain",
		(const uint8_t *)txt, 5);
	assert_int_equal(count(g, SL_EV_LOCATION), 2);
	assert_int_equal(ctr(g, SL_SIPC_PANI_MALFORMED), 1);
}

/*
 * The phone writes its own P-Access-Network-Info; a P-CSCF adds the
 * network's, marked network-provided (TS 24.229 7.2A.4). The location is
 * the network's whichever comes first, in two header fields or one, and
 * the event's location value says which was used.
 */
static void test_location_network_provided(void **state)
{
	struct ifx *g = *state;
	static const char txt[] = "hello";
	const struct rec *r;

	message(g, TS0, true, "np-1", UE, SC,
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=20801000100019B1\r\n"
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=208010002000ABCD; network-provided\r\n",
		"text/plain", (const uint8_t *)txt, 5);
	assert_int_equal(count(g, SL_EV_LOCATION), 1);
	r = find(g, SL_EV_LOCATION, 0);
	assert_int_equal(r->cell.area, 2);
	assert_int_equal(r->cell.cell, 0xabcd);
	assert_string_equal(r->location, "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=208010002000ABCD; network-provided");
	assert_int_equal(find(g, SL_EV_MESSAGE, 0)->cell.cell, 0xabcd);

	/* the network's first, the phone's after a comma in the same field: still the network's */
	message(g, TS0 + 1, true, "np-2", UE, SC,
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; network-provided; utran-cell-id-3gpp=208010003000ABCE, "
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=20801000100019B1\r\n",
		"text/plain", (const uint8_t *)txt, 5);
	r = find(g, SL_EV_LOCATION, 1);
	assert_non_null(r);
	assert_int_equal(r->cell.area, 3);
	assert_string_equal(r->location, "3GPP-E-UTRAN-FDD; network-provided; utran-cell-id-3gpp=208010003000ABCE");

	/* the phone's after a comma, the network's in a later field */
	message(g, TS0 + 2, true, "np-3", UE, SC,
		"P-Access-Network-Info: 3GPP-GERAN; cgi-3gpp=208100B62C0F1A, 3GPP-E-UTRAN-FDD; "
		"utran-cell-id-3gpp=20801000100019B1\r\n"
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=208010004000ABCF;network-provided\r\n",
		"text/plain", (const uint8_t *)txt, 5);
	assert_int_equal(find(g, SL_EV_LOCATION, 2)->cell.area, 4);

	/* the phone's only: still used, as before */
	message(g, TS0 + 3, true, "np-4", UE, SC,
		"P-Access-Network-Info: 3GPP-GERAN; cgi-3gpp=208100B62C0F1A, 3GPP-E-UTRAN-FDD; "
		"utran-cell-id-3gpp=20801000100019B1\r\n",
		"text/plain", (const uint8_t *)txt, 5);
	r = find(g, SL_EV_LOCATION, 3);
	assert_non_null(r);
	assert_int_equal(r->cell.access, SL_ACCESS_GERAN);
	assert_string_equal(r->location, "3GPP-GERAN; cgi-3gpp=208100B62C0F1A");
}

static void reg(struct ifx *g, uint64_t ts, const char *call_id, uint32_t cseq, unsigned expires)
{
	reg_as(g, ts, call_id, cseq, expires, UE, NULL);
}

/* A registration binds its IMSI and IMEI to the public identity: later SMS of the phone carry them, until it ends. */
static void test_registration_binds(void **state)
{
	struct ifx *g = *state;
	const struct rec *r;

	/* before any registration: only the public identity */
	message(g, TS0, true, "pre", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	r = find(g, SL_EV_SMS, 0);
	assert_null(sl_party_first(&r->from, SL_ID_IMSI));
	reg(g, TS0 + 1000000, "reg-1", 1, 600);
	assert_int_equal(ctr(g, SL_SIPC_BINDS), 1);
	message(g, TS0 + 2000000, true, "mo-b", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	r = find(g, SL_EV_SMS, 1);
	assert_true(sl_party_has(&r->from, SL_ID_IMSI, "208011234567895"));
	assert_non_null(sl_party_first(&r->from, SL_ID_IMEI));
	/* an MT message to that identity: the recipient carries them */
	message(g, TS0 + 3000000, false, "mt-b", UE, SC, NULL, SMS_CT, rp_data_mt, sizeof(rp_data_mt));
	r = find(g, SL_EV_SMS, 2);
	assert_true(sl_party_has(&r->to, SL_ID_IMSI, "208011234567895"));
	assert_null(sl_party_first(&r->from, SL_ID_IMSI));
	/* past the registration's expiry: no longer */
	message(g, TS0 + 700000000ull, true, "late", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_null(sl_party_first(&find(g, SL_EV_SMS, 3)->from, SL_ID_IMSI));
	/* registered again, then deregistered (expires 0): no longer either */
	reg(g, TS0 + 800000000ull, "reg-2", 1, 600);
	message(g, TS0 + 801000000ull, true, "mo-c", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_non_null(sl_party_first(&find(g, SL_EV_SMS, 4)->from, SL_ID_IMSI));
	reg(g, TS0 + 802000000ull, "reg-2", 2, 0);
	message(g, TS0 + 803000000ull, true, "mo-d", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_null(sl_party_first(&find(g, SL_EV_SMS, 5)->from, SL_ID_IMSI));
}

/* Registered under its IMSI-derived identity, the phone texts from the MSISDN the registrar's P-Associated-URI lists. */
static void test_binding_from_associated_uri(void **state)
{
	struct ifx *g = *state;

	reg_as(g, TS0, "reg-i", 1, 600, "208011234567895", "<tel:+33612345678>, <sip:+33612345678@ims.example.net>");
	message(g, TS0 + 1000000, true, "mo-i", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_true(sl_party_has(&find(g, SL_EV_SMS, 0)->from, SL_ID_IMSI, "208011234567895"));
	/* deregistered: the 2xx lists the same identities, and the binding goes */
	reg_as(g, TS0 + 2000000, "reg-i", 2, 0, "208011234567895", "<tel:+33612345678>");
	message(g, TS0 + 3000000, true, "mo-j", UE, SC, NULL, SMS_CT, rp_data_mo, sizeof(rp_data_mo));
	assert_null(sl_party_first(&find(g, SL_EV_SMS, 1)->from, SL_ID_IMSI));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mo_sms_and_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mt_sms_report_from_phone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_only_when_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_and_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_location_per_cell, setup, teardown),
		cmocka_unit_test_setup_teardown(test_location_network_provided, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registration_binds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binding_from_associated_uri, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
