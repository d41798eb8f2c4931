/*
 * Capture-driven test of handover/ho_out.c: a real SIPp call with media
 * (../shared/pcaps/pkts__sip_rtp.pcap) runs through the capture pipeline,
 * the lawful matcher and the record encoder; every PDU the sink receives
 * is decoded with our strict decoder and checked:
 *  - IRI+CC interception of the caller: one CIN for the whole call, IRI
 *    sequence numbers 0..n-1 and CC sequence numbers 0..m-1 without gaps,
 *    IRI-Begin first and IRI-End exactly once, every SIP message's bytes
 *    carried, every one of the 501 RTP packets on HI3 from the target;
 *  - IRI-only interception: no CC at all, the SIP messages marked IRI-only;
 *  - no interception of another identity: nothing at all;
 *  - plain HI2 (v11 framing) destinations get the call events only.
 * The CIN allocator's state survives a reopen: CINs never repeat.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>

#include "capture/capture.h"
#include "capture/log.h"
#include "capture/sip_parse.h"
#include "capture/source.h"
#include "handover/ho_out.h"
#include "handover/pdu_decode.h"
#include "mediation/lawful/intercept.h"

#define MAX_PDUS 4096

struct rec {
	enum sl_ho_stream st;
	struct sl_pdu_decoded d;	/* its byte views point into a reused buffer: use liid below */
	char liid[32];
};

struct run {
	void *ctx;
	struct sl_lawful *law;
	struct sl_ho_out *ho;
	struct sl_capture *cap;
	enum sl_ho_format fmt;
	struct rec *r;
	unsigned n;
	unsigned sip_events;
};

static int sink_write(void *priv, const char *liid, const char *dest, const struct sl_ho_rec *rec, const uint8_t *p,
		      size_t n)
{
	enum sl_ho_stream st = rec->stream;
	struct run *run = priv;
	char err[256];
	struct rec *r;

	assert_string_equal(dest, "lea1");
	assert_true(!strcmp(liid, "LIID-T1") || !strcmp(liid, "LIID-H")); /* whose record it is (the audit of deliveries) */
	assert_true(run->n < MAX_PDUS);
	r = &run->r[run->n++];
	r->st = st;
	if (sl_pdu_decode(run->ctx, p, n, &r->d, err, sizeof(err)) != 0)
		fail_msg("our own PDU does not decode: %s", err);
	/* what the sink is told (and a refusal would record) is what the PDU carries */
	if (rec->has_seq) { /* PS-PDUs */
		assert_int_equal(r->d.seqno, rec->seq);
		assert_int_equal(r->d.has_cin, rec->has_cin);
		if (rec->has_cin)
			assert_int_equal(r->d.cin, rec->cin);
	}
	assert_true(r->d.liid.n < sizeof(r->liid));
	if (r->d.liid.n)
		memcpy(r->liid, r->d.liid.p, r->d.liid.n);
	return 0;
}

static enum sl_ho_format sink_format(void *priv, const char *dest)
{
	return ((struct run *)priv)->fmt;
}

static void on_event(const struct sl_event *ev, void *priv)
{
	struct run *run = priv;
	const struct sl_match *m;
	unsigned i, n = sl_lawful_match(run->law, ev, &m);

	if (ev->type == SL_EV_SIP)
		run->sip_events++;
	for (i = 0; i < n; i++) {
		assert_int_equal(sl_ho_out_event(run->ho, &m[i], ev), 0);
		if (ev->dialog && m[i].ic->scope == SL_SCOPE_IRI_CC)
			sl_dialog_set_cc(ev->dialog, true);
	}
}

static void on_cc(const struct sl_cc *cc, void *priv)
{
	sl_ho_out_cc(((struct run *)priv)->ho, cc);
}

static void run_capture(struct run *run, const char *target, enum sl_scope scope, const char *state)
{
	const char *pcaps = getenv("PCAPS");
	char path[1024], err[512];
	struct sl_target tgt = { .id = { .type = SL_ID_SIP_URI } };
	struct sl_intercept ic = { .liid = "LIID-T1", .target = &tgt, .n_targets = 1, .scope = scope,
				   .services = SL_SVC_ALL, .dest = "lea1" };
	struct sl_ho_out_cfg hc = { .operator_id = "OPX", .ne_id = "sluice1", .country = "DE", .cin_state_path = state };
	struct sl_ho_sink sink = { .write = sink_write, .format = sink_format, .priv = run };
	struct sl_capture_ops ops = { .event = on_event, .cc = on_cc, .priv = run };
	struct sl_source_cfg sc;
	struct sl_capture_cfg cc;
	struct sl_source *src;
	struct sl_frame f;

	if (!pcaps)
		fail_msg("PCAPS is not set: run through make check");
	snprintf(path, sizeof(path), "%s/pkts__sip_rtp.pcap", pcaps);
	snprintf(tgt.id.value, sizeof(tgt.id.value), "%s", target);
	run->law = sl_lawful_alloc(run->ctx, 0);
	assert_int_equal(sl_lawful_add(run->law, &ic), 0);
	run->ho = sl_ho_out_alloc(run->ctx, &hc, &sink, err, sizeof(err));
	if (!run->ho)
		fail_msg("%s", err);
	sl_capture_cfg_default(&cc);
	run->cap = sl_capture_alloc(run->ctx, &cc, &ops, 0);
	sl_source_cfg_default(&sc);
	sc.name = path;
	src = sl_source_open(run->ctx, &sc, 0, err, sizeof(err));
	if (!src)
		fail_msg("%s", err);
	while (sl_source_read(src, &f) == SL_SOURCE_FRAME)
		sl_capture_frame(run->cap, &f);
	sl_capture_flush(run->cap);
	sl_source_close(src);
	sl_capture_free(run->cap);
	sl_ho_out_free(run->ho);
}

static struct run *new_run(enum sl_ho_format fmt)
{
	struct run *run = talloc_zero(NULL, struct run);

	run->ctx = run;
	run->fmt = fmt;
	run->r = talloc_zero_array(run, struct rec, MAX_PDUS);
	return run;
}

static void test_iri_cc(void **state)
{
	char st[] = "/tmp/sluice-cin-XXXXXX";
	struct run *run = new_run(SL_HO_FORMAT_PS_PDU);
	unsigned i, n_iri = 0, n_cc = 0, begins = 0, ends = 0, from_target = 0;
	uint32_t cin;
	int fd = mkstemp(st);

	assert_true(fd >= 0);
	close(fd);
	unlink(st);
	run_capture(run, "sip:sipp@127.0.0.1", SL_SCOPE_IRI_CC, st);
	assert_true(run->n > 0);
	cin = run->r[0].d.cin;
	assert_int_equal(run->r[0].d.iri_type, SL_IRI_BEGIN);
	for (i = 0; i < run->n; i++) {
		const struct sl_pdu_decoded *d = &run->r[i].d;
		assert_true(d->ps);
		assert_true(d->has_cin);
		assert_int_equal(d->cin, cin);
		assert_string_equal(run->r[i].liid, "LIID-T1");
		if (run->r[i].st == SL_HO_HI2) {
			assert_int_equal(d->seqno, n_iri);
			n_iri++;
			begins += d->iri_type == SL_IRI_BEGIN;
			ends += d->iri_type == SL_IRI_END;
			if (d->kind == SL_PDU_IRI_IPMM)
				assert_false(d->u.ipmm_iri.iri_only);
		} else {
			assert_int_equal(d->kind, SL_PDU_CC_IPMM);
			assert_int_equal(d->seqno, n_cc);
			from_target += d->u.ipmm_cc.dir == SL_PDU_FROM_TARGET;
			n_cc++;
		}
	}
	/* 6 SIP messages + attempt, ringing, answer, end */
	assert_int_equal(n_iri, 6 + 4);
	assert_int_equal(begins, 1);
	assert_int_equal(ends, 1);
	/* SIPp's caller (the target) sent all 501 RTP packets */
	assert_int_equal(n_cc, 501);
	assert_int_equal(from_target, 501);
	talloc_free(run);

	/* the same state file again: the next communication gets a fresh CIN */
	run = new_run(SL_HO_FORMAT_PS_PDU);
	run_capture(run, "sip:sipp@127.0.0.1", SL_SCOPE_IRI, st);
	assert_true(run->n > 0);
	assert_true(run->r[0].d.cin > cin);
	for (i = 0; i < run->n; i++) {
		assert_int_equal(run->r[i].st, SL_HO_HI2); /* IRI only: no content at all */
		if (run->r[i].d.kind == SL_PDU_IRI_IPMM)
			assert_true(run->r[i].d.u.ipmm_iri.iri_only);
	}
	talloc_free(run);
	unlink(st);
}

static void test_no_target_no_records(void **state)
{
	char st[] = "/tmp/sluice-cin-XXXXXX";
	struct run *run = new_run(SL_HO_FORMAT_PS_PDU);
	int fd = mkstemp(st);

	close(fd);
	unlink(st);
	run_capture(run, "sip:someone-else@127.0.0.1", SL_SCOPE_IRI_CC, st);
	assert_int_equal(run->n, 0);
	assert_int_equal(run->sip_events, 6);
	talloc_free(run);
	unlink(st);
}

static void test_plain_hi2(void **state)
{
	char st[] = "/tmp/sluice-cin-XXXXXX";
	struct run *run = new_run(SL_HO_FORMAT_HI2_V11);
	unsigned i;
	int fd = mkstemp(st);

	close(fd);
	unlink(st);
	run_capture(run, "sip:service@127.0.0.1", SL_SCOPE_IRI, st);
	/* attempt, ringing, answer, end as standalone IRIs, the callee being the target */
	assert_int_equal(run->n, 4);
	for (i = 0; i < run->n; i++) {
		assert_false(run->r[i].d.ps);
		assert_int_equal(run->r[i].d.kind, SL_PDU_IRI_HI2);
		assert_int_equal(run->r[i].d.framing, SL_HI2_V11_TAGGED);
	}
	assert_int_equal(run->r[0].d.iri_type, SL_IRI_BEGIN);
	assert_int_equal(run->r[3].d.iri_type, SL_IRI_END);
	talloc_free(run);
	unlink(st);
}

/* HI1 notifications: their own sequence numbers per LIID, none for plain HI2 receivers. */
static void test_hi1(void **state)
{
	char st[] = "/tmp/sluice-cin-XXXXXX", err[256];
	struct run *run = new_run(SL_HO_FORMAT_PS_PDU);
	struct sl_intercept ic = { .liid = "LIID-H", .n_targets = 1, .dest = "lea1" };
	struct sl_ho_out_cfg hc = { .operator_id = "OPX", .cin_state_path = st };
	struct sl_ho_sink sink = { .write = sink_write, .format = sink_format, .priv = run };
	int fd = mkstemp(st);

	close(fd);
	unlink(st);
	run->ho = sl_ho_out_alloc(run->ctx, &hc, &sink, err, sizeof(err));
	assert_non_null(run->ho);
	assert_int_equal(sl_ho_out_hi1(run->ho, &ic, SL_HI1_ACTIVATED, 1700000000000000ull, NULL), 0);
	assert_int_equal(sl_ho_out_hi1(run->ho, &ic, SL_HI1_DEACTIVATED, 1700000001000000ull, NULL), 0);
	assert_int_equal(run->n, 2);
	assert_int_equal(run->r[0].d.kind, SL_PDU_HI1);
	assert_int_equal(run->r[0].d.u.hi1.op, SL_HI1_ACTIVATED);
	assert_int_equal(run->r[0].d.seqno, 0);
	assert_int_equal(run->r[1].d.u.hi1.op, SL_HI1_DEACTIVATED);
	assert_int_equal(run->r[1].d.seqno, 1);
	assert_string_equal(run->r[1].liid, "LIID-H");
	run->fmt = SL_HO_FORMAT_HI2_V18;
	assert_int_equal(sl_ho_out_hi1(run->ho, &ic, SL_HI1_ACTIVATED, 1700000002000000ull, NULL), 0);
	assert_int_equal(run->n, 2);
	sl_ho_out_free(run->ho);
	talloc_free(run);
	unlink(st);
}

/* An SMS over IP RP-DATA (MO, MR 4) carrying an SMS-SUBMIT to 0768987654, as a SIP MESSAGE from the target's phone. */
static const uint8_t rp_data_mo[] = { 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x12,
				      0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45, 0x00, 0x00, 0x06,
				      0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };

static size_t sms_message(char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "MESSAGE sip:+33609001390@ims.example.net SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
			 "From: <sip:+33612345678@ims.example.net>;tag=f1\r\n"
			 "To: <sip:+33609001390@ims.example.net>\r\n"
			 "Call-ID: sms-1\r\nCSeq: 1 MESSAGE\r\n"
			 "P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=20801000100019B1\r\n"
			 "Content-Type: application/vnd.3gpp.sms\r\nContent-Length: %zu\r\n\r\n",
			 sizeof(rp_data_mo));

	assert_true(n > 0 && (size_t)n + sizeof(rp_data_mo) <= size);
	memcpy(buf + n, rp_data_mo, sizeof(rp_data_mo));
	return (size_t)n + sizeof(rp_data_mo);
}

/* SMS IRIs: SMS-report with the initiator, nature lTE-SMS, node addresses, location; the TPDU only under IRI+CC. */
static void test_sms_iri(void **state)
{
	static const uint8_t a4[4] = { 10, 0, 0, 1 }, b4[4] = { 10, 0, 0, 2 };
	char st[] = "/tmp/sluice-cin-XXXXXX", err[256], msg[1024];
	struct sl_target tgt = { .id = { .type = SL_ID_E164, .value = "+33612345678" } };
	struct sl_intercept ic = { .liid = "LIID-T1", .target = &tgt, .n_targets = 1, .scope = SL_SCOPE_IRI,
				   .services = SL_SVC_ALL, .dest = "lea1" };
	struct sl_ho_out_cfg hc = { .operator_id = "OPX", .ne_id = "sluice1", .country = "DE", .cin_state_path = st };
	struct run *run = new_run(SL_HO_FORMAT_PS_PDU);
	struct sl_ho_sink sink = { .write = sink_write, .format = sink_format, .priv = run };
	struct sl_match m = { .ic = &ic, .side = SL_TARGET_FROM };
	struct sl_sip_msg sip;
	struct sl_sig sig;
	struct sl_event ev;
	struct sl_cell cell;
	const struct sl_hi2_iri *iri;
	size_t len = sms_message(msg, sizeof(msg)), used;
	int fd = mkstemp(st), scope;

	close(fd);
	unlink(st);
	assert_int_equal(sl_sip_parse(msg, len, SL_SIP_PARSE_DATAGRAM, &sip, &used), SL_SIP_OK);
	memset(&sig, 0, sizeof(sig));
	sig.ts_us = 1700000000000000ull;
	sl_addr_set4(&sig.src.addr, a4);
	sl_addr_set4(&sig.dst.addr, b4);
	sig.sip = &sip;
	assert_int_equal(sl_pani_cell(sip.pani, &cell), SL_PANI_OK);
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_SMS;
	ev.ts_us = sig.ts_us;
	ev.sig = &sig;
	ev.call_id = sip.call_id;
	ev.location = sip.pani;
	ev.cell = &cell;
	sl_party_add(&ev.from, SL_ID_E164, "+33612345678");
	sl_party_add(&ev.to, SL_ID_NUMBER, "0768987654");
	ev.u.sms.ims = true;
	ev.u.sms.mo = true;
	ev.u.sms.rp = "rp_data";
	ev.u.sms.tpdu = "submit";

	run->ho = sl_ho_out_alloc(run->ctx, &hc, &sink, err, sizeof(err));
	assert_non_null(run->ho);
	for (scope = SL_SCOPE_IRI; scope <= SL_SCOPE_IRI_CC; scope++) {
		ic.scope = (enum sl_scope)scope;
		assert_int_equal(sl_ho_out_event(run->ho, &m, &ev), 0);
		iri = &run->r[run->n - 1].d.u.hi2.iri;
		assert_int_equal(run->r[run->n - 1].d.kind, SL_PDU_IRI_HI2);
		assert_int_equal(run->r[run->n - 1].d.iri_type, SL_IRI_REPORT);
		assert_true(iri->has_sms);
		assert_int_equal(iri->sms_initiator, SL_HI2_SMS_TARGET);
		assert_false(iri->has_sms_transfer);
		assert_true(iri->has_nature);
		assert_int_equal(iri->nature, SL_HI2_NATURE_LTE_SMS);
		assert_int_equal(iri->sms_orig.family, SL_AF_INET4);
		assert_memory_equal(iri->sms_orig.a, a4, 4);
		assert_memory_equal(iri->sms_term.a, b4, 4);
		assert_true(iri->loc.has_ecgi);
		/* MCC 208 MNC 01: PLMN 02 F8 10; ECI 0x00019B1 */
		assert_memory_equal(iri->loc.ecgi, "\x07\x02\xf8\x10\x00\x00\x19\xb1", 8);
		if (scope == SL_SCOPE_IRI) {
			assert_null(iri->sms_content);
		} else {
			/* the TPDU, "in the format defined for the SMS mobile" */
			assert_int_equal(iri->sms_content_len, 18);
			assert_memory_equal(iri->sms_content, rp_data_mo + 12, 18);
		}
	}
	/* without the location service: no Location */
	ic.services = SL_SVC_MESSAGING;
	assert_int_equal(sl_ho_out_event(run->ho, &m, &ev), 0);
	assert_false(run->r[run->n - 1].d.u.hi2.iri.loc.has_ecgi);
	/* a delivery report: transfer-status, never content */
	ev.u.sms.rp = "rp_error";
	ev.u.sms.tpdu = NULL;
	ev.u.sms.mo = false;
	m.side = SL_TARGET_TO;
	assert_int_equal(sl_ho_out_event(run->ho, &m, &ev), 0);
	iri = &run->r[run->n - 1].d.u.hi2.iri;
	assert_true(iri->has_sms_transfer);
	assert_int_equal(iri->sms_transfer, SL_HI2_SMS_FAILED);
	assert_int_equal(iri->sms_initiator, SL_HI2_SMS_SERVER);
	assert_null(iri->sms_content);
	sl_ho_out_free(run->ho);
	talloc_free(run);
	unlink(st);
}

static const struct log_info test_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

static int setup_log(void **state)
{
	/* logging with no target: silent */
	log_init(&test_log_info, NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iri_cc),
		cmocka_unit_test(test_no_target_no_records),
		cmocka_unit_test(test_plain_hi2),
		cmocka_unit_test(test_hi1),
		cmocka_unit_test(test_sms_iri),
	};
	return cmocka_run_group_tests(tests, setup_log, NULL);
}
