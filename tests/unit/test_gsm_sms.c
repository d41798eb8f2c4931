/*
 * SMS relay (TS 24.011 clause 7.3, 8.2) and transfer layer (TS 23.040
 * clause 9.2) decoding, and the text of TS 23.038 alphabets, from byte
 * sequences worked out by hand (derivations beside each vector) or taken
 * from the QCSuper capture (frame 825). Every truncation is decoded from
 * an exactly sized copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/gsm411_rp.h"
#include "capture/sms_tpdu.h"
#include "tests/unit/parser_test_util.h"

#define CUR(ctx, a) sl_cur(exact(ctx, a, sizeof(a)), sizeof(a))

/* frame 825's TPDU: SUBMIT (01), MR 7, DA 10 digits 0768987654, PID 0, DCS 0, no VP, UDL 6, "Sms 2g" packed */
static const uint8_t submit[] = { 0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45,
				  0x00, 0x00, 0x06, 0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };

/*
 * SCTS 2026-12-03 13:45:30, zone +1 h (4 quarter hours): each octet holds two
 * digits, low nibble first: 26 -> 62, 12 -> 21, 03 -> 30, 13 -> 31, 45 -> 54,
 * 30 -> 03, 04 -> 40. In UTC 12:45:30, i.e. 1796301930 s.
 */
#define SCTS 0x62, 0x21, 0x30, 0x31, 0x54, 0x03, 0x40
#define SCTS_UTC 1796301930

/*
 * DELIVER (MTI 00, MMS 0x04), OA +447785016005 (12 digits, TOA 91: 44 77 58 10 06 50), PID 0, DCS 0, SCTS,
 * UDL 5 septets: "[x]" is ESC 3c, 78, ESC 3e (extension table), packed 1b 1e 7e e3 03.
 */
static const uint8_t deliver_esc[] = { 0x04, 0x0c, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0x00, 0x00, SCTS,
				       0x05, 0x1b, 0x1e, 0x7e, 0xe3, 0x03 };
/*
 * DELIVER with UDHI (0x44), DCS 08 (UCS-2), UDL 10 octets: UDH 05 00 03 2a 02 01 (8-bit concatenation, ref 42,
 * 2 parts, part 1), then U+00E9 U+20AC.
 */
static const uint8_t deliver_ucs2[] = { 0x44, 0x0c, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0x00, 0x08, SCTS,
					0x0a, 0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x00, 0xe9, 0x20, 0xac };
/*
 * SUBMIT with UDHI (0x41) and VPF relative (0x10): 0x51, MR 8, DA "1234" (04 81 21 43), PID 0, DCS 0, VP a7,
 * UDL 10 septets: UDH 06 08 04 12 34 03 02 (16-bit concatenation ref 0x1234, part 2 of 3) is 7 octets =
 * 8 septets, no fill bits; "Hi" (48, 69) packs to c8 34.
 */
static const uint8_t submit_concat16[] = { 0x51, 0x08, 0x04, 0x81, 0x21, 0x43, 0x00, 0x00, 0xa7, 0x0a,
					   0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 0xc8, 0x34 };
/*
 * DELIVER, UDHI, 7-bit, UDH 05 00 03 2a 02 02 (6 octets = 48 bits: one fill bit to the septet boundary at 49),
 * "Hi" after the fill bit: 90 69; UDL 7 + 2 = 9 septets, 8 octets.
 */
static const uint8_t deliver_concat8[] = { 0x44, 0x0c, 0x91, 0x44, 0x77, 0x58, 0x10, 0x06, 0x50, 0x00, 0x00, SCTS,
					   0x09, 0x05, 0x00, 0x03, 0x2a, 0x02, 0x02, 0x90, 0x69 };
/* STATUS-REPORT (MTI 10, MMS 0x04): MR 7, RA 0768987654, SCTS, discharge time, status 00, no TP-PI */
static const uint8_t status_report[] = { 0x06, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45, SCTS, SCTS, 0x00 };

static void tpdu_vec(void *ctx, const uint8_t *b, size_t len, bool from_ms, struct sl_tpdu *t)
{
	struct sl_tpdu x;
	size_t i;

	assert_int_equal(sl_tpdu_decode(sl_cur(exact(ctx, b, len), len), from_ms, t), SL_TPDU_OK);
	/* the status report ends with optional parameters: shorter is fine down to TP-ST */
	for (i = 0; i < len; i++)
		assert_int_not_equal(sl_tpdu_decode(sl_cur(exact(ctx, b, i), i), from_ms, &x), SL_TPDU_OK);
}

static void text_is(const struct sl_tpdu *t, const char *want)
{
	char out[700];

	assert_int_equal(sl_sms_text(t, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_submit(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;

	tpdu_vec(fx->ctx, submit, sizeof(submit), true, &t);
	assert_int_equal(t.type, SL_TPDU_SUBMIT);
	assert_int_equal(t.mr, 7);
	assert_string_equal(t.addr.digits, "0768987654");
	assert_int_equal(t.coding, SL_SMS_GSM7);
	assert_int_equal(t.udl, 6);
	assert_false(t.has_scts);
	assert_false(t.concat);
	text_is(&t, "Sms 2g");
	/* the same bytes from the network are a SUBMIT-REPORT: not reported */
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, submit), false, &t), SL_TPDU_UNSUPPORTED);
	talloc_free_children(fx->ctx);
}

static void test_deliver_escape(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;

	tpdu_vec(fx->ctx, deliver_esc, sizeof(deliver_esc), false, &t);
	assert_int_equal(t.type, SL_TPDU_DELIVER);
	assert_string_equal(t.addr.digits, "447785016005");
	assert_int_equal(t.addr.ton, 1);
	assert_true(t.has_scts);
	assert_int_equal(t.scts.utc, SCTS_UTC);
	assert_int_equal(t.scts.tz_minutes, 60);
	assert_int_equal(t.udl, 5);
	text_is(&t, "[x]");
	talloc_free_children(fx->ctx);
}

static void test_deliver_ucs2_concat(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;

	tpdu_vec(fx->ctx, deliver_ucs2, sizeof(deliver_ucs2), false, &t);
	assert_int_equal(t.coding, SL_SMS_UCS2);
	assert_true(t.concat);
	assert_int_equal(t.concat_ref, 42);
	assert_int_equal(t.seg_total, 2);
	assert_int_equal(t.seg_no, 1);
	assert_int_equal(t.udl, 10);
	text_is(&t, "\xc3\xa9\xe2\x82\xac");

	tpdu_vec(fx->ctx, deliver_concat8, sizeof(deliver_concat8), false, &t);
	assert_int_equal(t.coding, SL_SMS_GSM7);
	assert_int_equal(t.seg_no, 2);
	text_is(&t, "Hi");
	talloc_free_children(fx->ctx);
}

static void test_submit_concat16(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;

	tpdu_vec(fx->ctx, submit_concat16, sizeof(submit_concat16), true, &t);
	assert_true(t.concat);
	assert_int_equal(t.concat_ref, 0x1234);
	assert_int_equal(t.seg_total, 3);
	assert_int_equal(t.seg_no, 2);
	assert_string_equal(t.addr.digits, "1234");
	text_is(&t, "Hi");
	talloc_free_children(fx->ctx);
}

static void test_status_report(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;

	tpdu_vec(fx->ctx, status_report, sizeof(status_report), false, &t);
	assert_int_equal(t.type, SL_TPDU_STATUS_REPORT);
	assert_int_equal(t.mr, 7);
	assert_string_equal(t.addr.digits, "0768987654");
	assert_true(t.has_scts && t.has_dt && t.has_status);
	assert_int_equal(t.status, 0);
	assert_int_equal(t.dt.utc, SCTS_UTC);
	text_is(&t, ""); /* no user data: empty text, and no library call on a NULL pointer (libFuzzer found it) */
	talloc_free_children(fx->ctx);
}

static void test_tpdu_malformed(void **state)
{
	struct fixture *fx = *state;
	struct sl_tpdu t;
	/* UDL 161 septets */
	static const uint8_t udl_big[] = { 0x01, 0x07, 0x00, 0x81, 0x00, 0x00, 0xa1 };
	/* 8-bit data with UDL 141 */
	static const uint8_t udl_big8[] = { 0x01, 0x07, 0x00, 0x81, 0x00, 0x04, 0x8d };
	/* UDH length 9 beyond the 3 octets of user data */
	static const uint8_t udh_past[] = { 0x41, 0x07, 0x00, 0x81, 0x00, 0x04, 0x03, 0x09, 0x00, 0x03 };
	/* UDH IE length running past the header */
	static const uint8_t udh_ie_past[] = { 0x41, 0x07, 0x00, 0x81, 0x00, 0x04, 0x04, 0x03, 0x00, 0x05, 0x01 };
	/* SCTS month digit A */
	static const uint8_t scts_bad[] = { 0x04, 0x00, 0x81, 0x00, 0x00, 0x62, 0xa1, 0x30, 0x31, 0x54, 0x03, 0x40, 0x00 };
	/* SMS-COMMAND (MTI 10 from the phone), reserved MTI 11 */
	static const uint8_t command[] = { 0x02, 0x00 };
	static const uint8_t reserved[] = { 0x03, 0x00 };

	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, udl_big), true, &t), SL_TPDU_MALFORMED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, udl_big8), true, &t), SL_TPDU_MALFORMED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, udh_past), true, &t), SL_TPDU_MALFORMED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, udh_ie_past), true, &t), SL_TPDU_MALFORMED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, scts_bad), false, &t), SL_TPDU_MALFORMED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, command), true, &t), SL_TPDU_UNSUPPORTED);
	assert_int_equal(sl_tpdu_decode(CUR(fx->ctx, reserved), false, &t), SL_TPDU_UNSUPPORTED);
	talloc_free_children(fx->ctx);
}

static void rp_vec(void *ctx, const uint8_t *b, size_t len, enum sl_rp_msg msg, struct sl_rp *rp)
{
	struct sl_rp x;
	size_t i;

	assert_int_equal(sl_rp_decode(sl_cur(exact(ctx, b, len), len), rp), SL_RP_OK);
	assert_int_equal(rp->msg, msg);
	for (i = 0; i < len; i++) {
		enum sl_rp_res r = sl_rp_decode(sl_cur(exact(ctx, b, i), i), &x);
		/* RP-ACK's user data is optional: the bare header is a complete RP-ACK */
		assert_true(r != SL_RP_OK || (msg == SL_RP_ACK && i == 2));
	}
}

static void test_rp(void **state)
{
	struct fixture *fx = *state;
	struct sl_rp rp;
	/* frame 825: RP-DATA MS->network (00), MR 4, RP-OA empty (00), RP-DA 07 91 33 06 09 10 93 f0, RP-UD 18 octets */
	static const uint8_t data_mo[] = { 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x12,
					   0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45,
					   0x00, 0x00, 0x06, 0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };
	/* RP-DATA network->MS (01), MR 5, RP-OA the SMSC, RP-DA empty, RP-UD 2 octets */
	static const uint8_t data_mt[] = { 0x01, 0x05, 0x07, 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0, 0x00, 0x02, 0x04, 0x00 };
	/* RP-ACK network->MS (03) with RP-UD TLV 41 02 01 00 */
	static const uint8_t ack_ud[] = { 0x03, 0x04, 0x41, 0x02, 0x01, 0x00 };
	/* RP-ERROR network->MS (05), cause LV 01 2a (42, congestion) */
	static const uint8_t error[] = { 0x05, 0x04, 0x01, 0x2a };
	static const uint8_t error_no_cause[] = { 0x05, 0x04, 0x00 };
	static const uint8_t ack_bad_iei[] = { 0x03, 0x04, 0x42, 0x00 };
	/* RP-DA of 12 octets: longer than 8.2.5.2 allows */
	static const uint8_t da_long[] = { 0x00, 0x04, 0x00, 0x0c, 0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 };
	static const uint8_t reserved[] = { 0x07, 0x00 };

	rp_vec(fx->ctx, data_mo, sizeof(data_mo), SL_RP_DATA, &rp);
	assert_true(rp.mo);
	assert_int_equal(rp.mr, 4);
	assert_string_equal(rp.oa.digits, "");
	assert_string_equal(rp.da.digits, "33609001390");
	assert_int_equal(rp.da.ton, 1);
	assert_int_equal(rp.ud.left, 18);
	rp_vec(fx->ctx, data_mt, sizeof(data_mt), SL_RP_DATA, &rp);
	assert_false(rp.mo);
	assert_string_equal(rp.oa.digits, "33609001390");
	rp_vec(fx->ctx, ack_ud, sizeof(ack_ud), SL_RP_ACK, &rp);
	assert_true(rp.has_ud);
	rp_vec(fx->ctx, error, sizeof(error), SL_RP_ERROR, &rp);
	assert_int_equal(rp.cause, 42);
	assert_int_equal(sl_rp_decode(CUR(fx->ctx, error_no_cause), &rp), SL_RP_MALFORMED);
	assert_int_equal(sl_rp_decode(CUR(fx->ctx, ack_bad_iei), &rp), SL_RP_MALFORMED);
	assert_int_equal(sl_rp_decode(CUR(fx->ctx, da_long), &rp), SL_RP_MALFORMED);
	assert_int_equal(sl_rp_decode(CUR(fx->ctx, reserved), &rp), SL_RP_UNSUPPORTED);
	talloc_free_children(fx->ctx);
}

static void test_garbage(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[180];
	char text[700];
	unsigned i, k;

	rng_state = 0x243f6a8885a308d3ull;
	for (i = 0; i < 20000; i++) {
		size_t len = rng() % sizeof(buf);
		struct sl_tpdu t;
		struct sl_rp rp;
		void *cp;

		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		if (len && (i & 1))
			buf[0] &= 0x47;	/* SUBMIT/DELIVER more often */
		cp = exact(fx->ctx, buf, len);
		(void)sl_rp_decode(sl_cur(cp, len), &rp);
		if (sl_tpdu_decode(sl_cur(cp, len), (i & 2) != 0, &t) == SL_TPDU_OK)
			(void)sl_sms_text(&t, text, sizeof(text));
		talloc_free(cp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_submit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deliver_ucs2_concat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_concat16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_report, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tpdu_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
