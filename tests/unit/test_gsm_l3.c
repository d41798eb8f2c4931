/*
 * GSMTAP decapsulation, GSM IE wrappers and DTAP decoding from byte
 * sequences worked out from the specifications (GSMTAP v2 header; TS 44.006
 * LAPDm; TS 24.008 clauses 10.5.1.4, 10.5.4.7, 10.5.4.9, 10.5.4.11, 9.2,
 * 9.3; TS 23.040 9.1.2.5) or taken from the QCSuper capture (frame numbers
 * given). Every truncation of every vector is decoded from an exactly sized
 * copy so ASan sees any overread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/gsm48_dtap.h"
#include "capture/gsm_ie.h"
#include "capture/gsmtap.h"
#include "capture/lapdm_reasm.h"
#include "tests/unit/parser_test_util.h"

#define CUR(ctx, a) sl_cur(exact(ctx, a, sizeof(a)), sizeof(a))

/*
 * IMSI 262420123456789, 15 digits (odd): octet 1 = first digit 2 in the high
 * nibble, odd flag 0x08, type 1 -> 0x29; then digit pairs low nibble first:
 * 6,2 -> 0x26; 4,2 -> 0x24; 0,1 -> 0x10; 2,3 -> 0x32; 4,5 -> 0x54; 6,7 -> 0x76; 8,9 -> 0x98.
 */
static const uint8_t mi_imsi[] = { 0x29, 0x26, 0x24, 0x10, 0x32, 0x54, 0x76, 0x98 };
/* IMEI 490154203237518 (odd, type 2): 0x40|0x08|0x02 = 0x4a; 9,0; 1,5; 4,2; 0,3; 2,3; 7,5; 1,8. */
static const uint8_t mi_imei[] = { 0x4a, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x81 };
/* IMEISV 4901542032375101, 16 digits (even, type 3): 0x43; pairs ..., last digit 1 with filler F -> 0xf1. */
static const uint8_t mi_imeisv[] = { 0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x01, 0xf1 };
/* TMSI 0x0843e8bc: octet 1 filler 1111, even, type 4 -> 0xf4; 4 octets big-endian (QCSuper frame 599). */
static const uint8_t mi_tmsi[] = { 0xf4, 0x08, 0x43, 0xe8, 0xbc };

static void mi_ok(void *ctx, const uint8_t *b, size_t len, uint8_t type, const char *digits)
{
	struct sl_gsm_mi mi;
	size_t n;

	assert_int_equal(sl_gsm_mi_decode(sl_cur(exact(ctx, b, len), len), &mi), SL_GSM_IE_OK);
	assert_int_equal(mi.type, type);
	assert_string_equal(mi.digits, digits);
	for (n = 0; n < len; n++) {
		void *cp = exact(ctx, b, n);
		/* a shorter identity may still be a valid shorter one; it must never read past n */
		(void)sl_gsm_mi_decode(sl_cur(cp, n), &mi);
		talloc_free(cp);
	}
}

static void test_mobile_identities(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm_mi mi;
	char imei[16];
	static const uint8_t none[] = { 0xf0 };
	static const uint8_t tmsi_short[] = { 0xf4, 0x08, 0x43 };
	static const uint8_t too_long[10] = { 0x29 };

	mi_ok(fx->ctx, mi_imsi, sizeof(mi_imsi), SL_GSM_MI_IMSI, "262420123456789");
	mi_ok(fx->ctx, mi_imei, sizeof(mi_imei), SL_GSM_MI_IMEI, "490154203237518");
	mi_ok(fx->ctx, mi_imeisv, sizeof(mi_imeisv), SL_GSM_MI_IMEISV, "4901542032375101");
	mi_ok(fx->ctx, mi_tmsi, sizeof(mi_tmsi), SL_GSM_MI_TMSI, "0843e8bc");
	talloc_free_children(fx->ctx);

	/* Luhn: 49015420323751 -> check digit 8, from the IMEI and from the IMEISV */
	assert_int_equal(sl_gsm_mi_decode(CUR(fx->ctx, mi_imeisv), &mi), SL_GSM_IE_OK);
	assert_true(sl_gsm_imei_of(&mi, imei, sizeof(imei)));
	assert_string_equal(imei, "490154203237518");
	assert_int_equal(sl_gsm_mi_decode(CUR(fx->ctx, mi_imei), &mi), SL_GSM_IE_OK);
	assert_true(sl_gsm_imei_of(&mi, imei, sizeof(imei)));
	assert_string_equal(imei, "490154203237518");

	/* rejections */
	assert_int_equal(sl_gsm_mi_decode(sl_cur(NULL, 0), &mi), SL_GSM_IE_TRUNCATED);
	assert_int_equal(sl_gsm_mi_decode(CUR(fx->ctx, none), &mi), SL_GSM_IE_UNSUPPORTED);
	assert_int_equal(sl_gsm_mi_decode(CUR(fx->ctx, tmsi_short), &mi), SL_GSM_IE_MALFORMED);
	assert_int_equal(sl_gsm_mi_decode(CUR(fx->ctx, too_long), &mi), SL_GSM_IE_MALFORMED);
	talloc_free_children(fx->ctx);
}

static void bcd_ok(void *ctx, const uint8_t *b, size_t len, uint8_t ton, const char *digits)
{
	struct sl_gsm_number n;
	size_t i;

	assert_int_equal(sl_gsm_bcd_number_decode(sl_cur(exact(ctx, b, len), len), &n), SL_GSM_IE_OK);
	assert_int_equal(n.ton, ton);
	assert_string_equal(n.digits, digits);
	for (i = 0; i < len; i++)
		(void)sl_gsm_bcd_number_decode(sl_cur(exact(ctx, b, i), i), &n);
}

static void test_bcd_numbers(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm_number n;
	/* RP-DA of QCSuper frame 825: international/ISDN 0x91, 11 digits (odd): 33 06 09 10 93 f0 */
	static const uint8_t intl_odd[] = { 0x91, 0x33, 0x06, 0x09, 0x10, 0x93, 0xf0 };
	/* called party of frame 947: unknown/ISDN 0x81, 10 digits (even) 0768987654 */
	static const uint8_t even[] = { 0x81, 0x70, 0x86, 0x89, 0x67, 0x45 };
	/* "*#12": '*' = 0xa, '#' = 0xb: (a,b) -> 0xba, (1,2) -> 0x21 */
	static const uint8_t star_hash_even[] = { 0x81, 0xba, 0x21 };
	/* "*31#5": (*,3) -> 0x3a, (1,#) -> 0xb1, (5,F) -> 0xf5 */
	static const uint8_t star_hash_odd[] = { 0x81, 0x3a, 0xb1, 0xf5 };
	/* calling party with octet 3a: 0x01 (ext 0), 3a 0xa0 (ext 1, presentation restricted), "1234" */
	static const uint8_t with_3a[] = { 0x01, 0xa0, 0x21, 0x43 };
	static const uint8_t only_3[] = { 0x01 };
	static const uint8_t too_long[23] = { 0x81 };

	bcd_ok(fx->ctx, intl_odd, sizeof(intl_odd), 1, "33609001390");
	bcd_ok(fx->ctx, even, sizeof(even), 0, "0768987654");
	bcd_ok(fx->ctx, star_hash_even, sizeof(star_hash_even), 0, "*#12");
	bcd_ok(fx->ctx, star_hash_odd, sizeof(star_hash_odd), 0, "*31#5");
	bcd_ok(fx->ctx, with_3a, sizeof(with_3a), 0, "1234");
	assert_int_equal(sl_gsm_bcd_number_decode(CUR(fx->ctx, with_3a), &n), SL_GSM_IE_OK);
	assert_true(n.has_pi);
	assert_int_equal(n.pi, 1);
	/* an empty RP address is no number, not an error */
	assert_int_equal(sl_gsm_bcd_number_decode(sl_cur(NULL, 0), &n), SL_GSM_IE_OK);
	assert_string_equal(n.digits, "");
	assert_int_equal(sl_gsm_bcd_number_decode(CUR(fx->ctx, only_3), &n), SL_GSM_IE_TRUNCATED);
	assert_int_equal(sl_gsm_bcd_number_decode(CUR(fx->ctx, too_long), &n), SL_GSM_IE_MALFORMED);
	talloc_free_children(fx->ctx);
}

static void test_tp_address_and_cause(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm_number n;
	struct sl_gsm_cause cause;
	struct sl_cursor c;
	size_t i;
	/* TP-DA of frame 825: 10 digits, TOA 0x81, 0768987654 */
	static const uint8_t da[] = { 0x0a, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45 };
	/*
	 * alphanumeric "Test": septets 54 65 73 74 packed LSB first:
	 * 54|(65<<7) = d4; 65>>1|(73<<6) = f2; 73>>2|(74<<5) = 9c; 74>>3 = 0e.
	 * 28 bits = 7 semi-octets; TOA 0xd0 (TON 5).
	 */
	static const uint8_t alpha[] = { 0x07, 0xd0, 0xd4, 0xf2, 0x9c, 0x0e };
	static const uint8_t filler_inside[] = { 0x04, 0x81, 0x21, 0xf3 };
	static const uint8_t too_many[] = { 0x15, 0x81 };
	/* cause of frame 961: e2 (ext, coding 3, location 2), 95 -> cause 21 */
	static const uint8_t cause_21[] = { 0xe2, 0x95 };
	/* with octet 3a: 62 (ext 0), 80, 90 -> cause 16 */
	static const uint8_t cause_3a[] = { 0x62, 0x80, 0x90 };

	c = CUR(fx->ctx, da);
	assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_OK);
	assert_string_equal(n.digits, "0768987654");
	assert_int_equal(c.left, 0);
	c = CUR(fx->ctx, alpha);
	assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_OK);
	assert_int_equal(n.ton, 5);
	assert_string_equal(n.digits, "Test");
	c = CUR(fx->ctx, filler_inside);
	assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_MALFORMED);
	c = CUR(fx->ctx, too_many);
	assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_MALFORMED);
	for (i = 0; i < sizeof(da); i++) {
		c = sl_cur(exact(fx->ctx, da, i), i);
		assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_TRUNCATED);
	}
	for (i = 0; i < sizeof(alpha); i++) {
		c = sl_cur(exact(fx->ctx, alpha, i), i);
		assert_int_equal(sl_gsm_tp_address_decode(&c, &n), SL_GSM_IE_TRUNCATED);
	}

	assert_int_equal(sl_gsm_cause_decode(CUR(fx->ctx, cause_21), &cause), SL_GSM_IE_OK);
	assert_int_equal(cause.value, 21);
	assert_int_equal(cause.location, 2);
	assert_int_equal(sl_gsm_cause_decode(CUR(fx->ctx, cause_3a), &cause), SL_GSM_IE_OK);
	assert_int_equal(cause.value, 16);
	for (i = 0; i < sizeof(cause_3a); i++)
		assert_int_equal(sl_gsm_cause_decode(sl_cur(exact(fx->ctx, cause_3a, i), i), &cause),
				 SL_GSM_IE_TRUNCATED);
	talloc_free_children(fx->ctx);
}

/* Each message decodes; every truncation is decoded from an exact copy (ASan), and must fail if strict. */
static void l3_vec(void *ctx, const uint8_t *b, size_t len, enum sl_gsm48_msg msg, bool strict, struct sl_gsm48 *out)
{
	struct sl_gsm48 t;
	size_t i;

	assert_int_equal(sl_gsm48_decode(sl_cur(exact(ctx, b, len), len), out), SL_GSM48_OK);
	assert_int_equal(out->msg, msg);
	for (i = 0; i < len; i++) {
		enum sl_gsm48_res r = sl_gsm48_decode(sl_cur(exact(ctx, b, i), i), &t);
		if (strict)
			assert_true(r != SL_GSM48_OK);
	}
}

static void test_dtap_mm(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm48 m;
	/* frame 599: MM (05) LU request (08), LU type/CKSN 10, LAI 02 f8 01 2f 46, classmark 1 53, MI LV TMSI */
	static const uint8_t lu_req[] = { 0x05, 0x08, 0x10, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x53,
					  0x05, 0xf4, 0x08, 0x43, 0xe8, 0xbc };
	/* LU accept (02): LAI, then optional MI TLV (IEI 17) carrying the new TMSI */
	static const uint8_t lu_acc[] = { 0x05, 0x02, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x17, 0x05, 0xf4, 0x08, 0x46, 0x7e, 0xec };
	/* identity response (19), MI LV IMSI; N(SD) bits set in the message type (0x59) are masked */
	static const uint8_t id_resp[] = { 0x05, 0x59, 0x08, 0x29, 0x26, 0x24, 0x10, 0x32, 0x54, 0x76, 0x98 };
	static const uint8_t id_resp_imeisv[] = { 0x05, 0x19, 0x09, 0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x01, 0xf1 };
	/* frame 811: CM service request (24), type/CKSN 14, classmark 2 LV 03 53 59 a6, MI LV TMSI */
	static const uint8_t cm_serv[] = { 0x05, 0x24, 0x14, 0x03, 0x53, 0x59, 0xa6, 0x05, 0xf4, 0x08, 0x46, 0x7e, 0xec };
	/* TMSI reallocation command (1a): LAI, MI LV */
	static const uint8_t realloc[] = { 0x05, 0x1a, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0x05, 0xf4, 0x08, 0x48, 0x41, 0xac };
	/* RR (06) paging response (27): CKSN, classmark 2 LV, MI LV IMEI */
	static const uint8_t pag_resp[] = { 0x06, 0x27, 0x07, 0x03, 0x53, 0x59, 0xa6, 0x08,
					    0x4a, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x81 };
	/* RR ciphering mode complete (32) with the Mobile Equipment Identity TLV (17): IMEISV */
	static const uint8_t ciph_compl[] = { 0x06, 0x32, 0x17, 0x09, 0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x01, 0xf1 };
	/* the same with a filler nibble among the digits (QCSuper frame 607 is masked so): malformed */
	static const uint8_t ciph_filler[] = { 0x06, 0x32, 0x17, 0x09, 0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0xf7, 0x01, 0xf1 };
	static const uint8_t ciph_bare[] = { 0x06, 0x32 };
	/* MI of type "no identity" in an identity response: unsupported */
	static const uint8_t id_none[] = { 0x05, 0x19, 0x01, 0xf0 };
	/* MM with the skip indicator set: ignored; RR system information: ignored */
	static const uint8_t skip[] = { 0x15, 0x19, 0x01, 0xf0 };
	static const uint8_t rr_si3[] = { 0x06, 0x1b, 0x00 };
	/* LU accept with follow-on proceed (a1), an Emergency Number List (IEI 34, TLV in MM: 03 02 01 19) and the MI */
	static const uint8_t lu_acc_emerg[] = { 0x05, 0x02, 0x02, 0xf8, 0x01, 0x2f, 0x46, 0xa1, 0x34, 0x04, 0x03, 0x02,
						0x01, 0x19, 0x17, 0x05, 0xf4, 0x08, 0x46, 0x7e, 0xec };
	/* LAI with an MCC digit 0xa: malformed */
	static const uint8_t lu_bad_lai[] = { 0x05, 0x02, 0x0a, 0xf8, 0x01, 0x2f, 0x46 };
	/* 3-digit MNC 123: octet 2 high nibble 3, octet 3 = 2,1 -> 0x21 */
	static const uint8_t lu_mnc3[] = { 0x05, 0x02, 0x02, 0x38, 0x21, 0x00, 0x01 };
	/* MI length 9 running past the message */
	static const uint8_t mi_past[] = { 0x05, 0x19, 0x09, 0x29, 0x26 };

	l3_vec(fx->ctx, lu_req, sizeof(lu_req), SL_GSM48_LU_REQUEST, true, &m);
	/* LAI 02 f8 01 2f 46: MCC digits 2,0,8 (02 -> 2,0; f8 -> 8 and MNC digit 3 filler), MNC 1,0 (01), LAC 0x2f46 */
	assert_true(m.has_lai);
	assert_string_equal(m.lai.mcc, "208");
	assert_string_equal(m.lai.mnc, "10");
	assert_int_equal(m.lai.lac, 0x2f46);
	assert_true(m.has_mi);
	assert_string_equal(m.mi.digits, "0843e8bc");
	l3_vec(fx->ctx, lu_acc, sizeof(lu_acc), SL_GSM48_LU_ACCEPT, false, &m);
	assert_true(m.has_mi);
	assert_string_equal(m.mi.digits, "08467eec");
	l3_vec(fx->ctx, id_resp, sizeof(id_resp), SL_GSM48_IDENTITY_RESPONSE, true, &m);
	assert_int_equal(m.mi.type, SL_GSM_MI_IMSI);
	assert_string_equal(m.mi.digits, "262420123456789");
	l3_vec(fx->ctx, id_resp_imeisv, sizeof(id_resp_imeisv), SL_GSM48_IDENTITY_RESPONSE, true, &m);
	assert_int_equal(m.mi.type, SL_GSM_MI_IMEISV);
	l3_vec(fx->ctx, cm_serv, sizeof(cm_serv), SL_GSM48_CM_SERVICE_REQUEST, true, &m);
	assert_string_equal(m.mi.digits, "08467eec");
	l3_vec(fx->ctx, realloc, sizeof(realloc), SL_GSM48_TMSI_REALLOC_CMD, true, &m);
	assert_string_equal(m.mi.digits, "084841ac");
	l3_vec(fx->ctx, pag_resp, sizeof(pag_resp), SL_GSM48_PAGING_RESPONSE, true, &m);
	assert_int_equal(m.mi.type, SL_GSM_MI_IMEI);

	l3_vec(fx->ctx, ciph_compl, sizeof(ciph_compl), SL_GSM48_CIPH_MODE_COMPLETE, false, &m);
	assert_true(m.has_mi);
	assert_string_equal(m.mi.digits, "4901542032375101");
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, ciph_filler), &m), SL_GSM48_MALFORMED);
	l3_vec(fx->ctx, ciph_bare, sizeof(ciph_bare), SL_GSM48_CIPH_MODE_COMPLETE, false, &m);
	assert_false(m.has_mi);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, id_none), &m), SL_GSM48_UNSUPPORTED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, skip), &m), SL_GSM48_IGNORED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, rr_si3), &m), SL_GSM48_IGNORED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, mi_past), &m), SL_GSM48_TRUNCATED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, lu_bad_lai), &m), SL_GSM48_MALFORMED);
	l3_vec(fx->ctx, lu_acc_emerg, sizeof(lu_acc_emerg), SL_GSM48_LU_ACCEPT, false, &m);
	assert_true(m.has_mi);
	assert_string_equal(m.mi.digits, "08467eec");
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, lu_mnc3), &m), SL_GSM48_OK);
	assert_string_equal(m.lai.mnc, "123");
	assert_int_equal(m.lai.lac, 1);
	talloc_free_children(fx->ctx);
}

static void test_dtap_cc(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm48 m;
	/* frame 947: CC (03) TI 0, SETUP with N(SD) bits (85), bearer capability 04, called party 5e, CC capabilities 15,
	 * supported codecs 40 */
	static const uint8_t setup_mo[] = { 0x03, 0x85, 0x04, 0x06, 0x60, 0x04, 0x02, 0x00, 0x05, 0x81, 0x5e,
					    0x06, 0x81, 0x70, 0x86, 0x89, 0x67, 0x45, 0x15, 0x02, 0x01, 0x00,
					    0x40, 0x08, 0x04, 0x02, 0x60, 0x04, 0x00, 0x02, 0x1f, 0x00 };
	/* network SETUP: bearer capability, Signal (type 3, 34 01), calling party with octet 3a, "1234" */
	static const uint8_t setup_mt[] = { 0x03, 0x05, 0x04, 0x01, 0xa0, 0x34, 0x01, 0x5c, 0x04, 0x01, 0x80, 0x21, 0x43 };
	/* frame 961: TI flag set (83), DISCONNECT (25), cause LV 02 e2 95 -> 21 */
	static const uint8_t disc[] = { 0x83, 0x25, 0x02, 0xe2, 0x95 };
	/* RELEASE (2d) with cause TLV 08 02 e0 90 -> 16 */
	static const uint8_t rel[] = { 0x03, 0x2d, 0x08, 0x02, 0xe0, 0x90 };
	static const uint8_t rel_compl[] = { 0x83, 0x2a };
	static const uint8_t alerting[] = { 0x83, 0x01 };
	static const uint8_t connect[] = { 0x83, 0x07 };
	static const uint8_t proceeding[] = { 0x83, 0x02 };
	/* TI value 7: extension octet 0x89 (ext bit, TI 9), then ALERTING; an extension without its bit 8 */
	static const uint8_t ti_ext[] = { 0xf3, 0x89, 0x01 };
	static const uint8_t ti_ext_bad[] = { 0xf3, 0x09, 0x01 };
	/* called party whose TLV length runs past the end */
	static const uint8_t setup_past[] = { 0x03, 0x05, 0x5e, 0x07, 0x81, 0x70 };
	/* called party with 23 value octets: longer than any number */
	uint8_t setup_long[2 + 2 + 23] = { 0x03, 0x05, 0x5e, 23, 0x81 };

	l3_vec(fx->ctx, setup_mo, sizeof(setup_mo), SL_GSM48_CC_SETUP, false, &m);
	assert_int_equal(m.pd, 3);
	assert_int_equal(m.ti, 0);
	assert_false(m.ti_flag);
	assert_true(m.has_called);
	assert_string_equal(m.called.digits, "0768987654");
	assert_false(m.has_calling);
	l3_vec(fx->ctx, setup_mt, sizeof(setup_mt), SL_GSM48_CC_SETUP, false, &m);
	assert_true(m.has_calling);
	assert_string_equal(m.calling.digits, "1234");
	l3_vec(fx->ctx, disc, sizeof(disc), SL_GSM48_CC_DISCONNECT, true, &m);
	assert_true(m.ti_flag);
	assert_true(m.has_cause);
	assert_int_equal(m.cause.value, 21);
	l3_vec(fx->ctx, rel, sizeof(rel), SL_GSM48_CC_RELEASE, false, &m);
	assert_int_equal(m.cause.value, 16);
	l3_vec(fx->ctx, rel_compl, sizeof(rel_compl), SL_GSM48_CC_RELEASE_COMPLETE, true, &m);
	assert_false(m.has_cause);
	l3_vec(fx->ctx, alerting, sizeof(alerting), SL_GSM48_CC_ALERTING, true, &m);
	l3_vec(fx->ctx, connect, sizeof(connect), SL_GSM48_CC_CONNECT, true, &m);
	l3_vec(fx->ctx, proceeding, sizeof(proceeding), SL_GSM48_CC_CALL_PROCEEDING, true, &m);
	l3_vec(fx->ctx, ti_ext, sizeof(ti_ext), SL_GSM48_CC_ALERTING, true, &m);
	assert_int_equal(m.ti, 9);
	assert_true(m.ti_flag);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, ti_ext_bad), &m), SL_GSM48_MALFORMED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, setup_past), &m), SL_GSM48_TRUNCATED);
	assert_int_equal(sl_gsm48_decode(CUR(fx->ctx, setup_long), &m), SL_GSM48_MALFORMED);
	talloc_free_children(fx->ctx);
}

static void test_dtap_cp(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsm48 m;
	/* frame 825: SMS (09) TI 3 (39), CP-DATA (01), CP-User-Data LV of 30 octets */
	static const uint8_t cp_data[] = { 0x39, 0x01, 0x1e, 0x00, 0x04, 0x00, 0x07, 0x91, 0x33, 0x06, 0x09,
					   0x10, 0x93, 0xf0, 0x12, 0x01, 0x07, 0x0a, 0x81, 0x70, 0x86, 0x89,
					   0x67, 0x45, 0x00, 0x00, 0x06, 0xd3, 0xf6, 0x1c, 0x24, 0x3b, 0x03 };
	static const uint8_t cp_ack[] = { 0xb9, 0x04 };
	static const uint8_t cp_error[] = { 0xb9, 0x10, 0x51 };

	l3_vec(fx->ctx, cp_data, sizeof(cp_data), SL_GSM48_CP_DATA, true, &m);
	assert_int_equal(m.ti, 3);
	assert_int_equal(m.rpdu.left, 30);
	l3_vec(fx->ctx, cp_ack, sizeof(cp_ack), SL_GSM48_CP_ACK, true, &m);
	l3_vec(fx->ctx, cp_error, sizeof(cp_error), SL_GSM48_CP_ERROR, true, &m);
	assert_int_equal(m.cp_cause, 0x51);
	talloc_free_children(fx->ctx);
}

static void tap_vec(void *ctx, const uint8_t *b, size_t len, enum sl_gsmtap_res want, size_t l3_len)
{
	struct sl_gsmtap h;
	struct sl_cursor l3;
	size_t i;

	assert_int_equal(sl_gsmtap_decode(sl_cur(exact(ctx, b, len), len), &h, &l3), want);
	if (want == SL_GSMTAP_L3)
		assert_int_equal(l3.left, l3_len);
	for (i = 0; i < len; i++) {
		/* cut inside the header or the L2 frame: no L3, or (ABIS: the rest of the datagram) a shorter one */
		void *cp = exact(ctx, b, i);
		enum sl_gsmtap_res r = sl_gsmtap_decode(sl_cur(cp, i), &h, &l3);
		if (r == SL_GSMTAP_L3)
			assert_true(l3.p >= (const uint8_t *)cp && l3.left <= i - (size_t)(l3.p - (const uint8_t *)cp));
		if (i < 16)
			assert_int_equal(r, SL_GSMTAP_TRUNCATED);
	}
}

static void test_gsmtap(void **state)
{
	struct fixture *fx = *state;
	struct sl_gsmtap h;
	struct sl_cursor l3;
	/* frame 599's GSMTAP: version 2, 4 words, type ABIS (2), ts 0, ARFCN 0x4000 (uplink), sub-type 6, then L3 */
	static const uint8_t abis[] = { 0x02, 0x04, 0x02, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					0x06, 0x00, 0x00, 0x00, 0x05, 0x19, 0x01, 0xf0 };
	/*
	 * type UM (1), ARFCN 16 downlink, FN 0x01020304, sub-type SDCCH/4 (7): LAPDm address 01 (SAPI 0),
	 * control 00 (I frame), length (4 << 2) | EL = 0x11, 4 octets of L3, fill 2b.
	 */
	static const uint8_t um_sdcch[] = { 0x02, 0x04, 0x01, 0x03, 0x00, 0x10, 0xc0, 0x10, 0x01, 0x02, 0x03, 0x04,
					    0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x05, 0x19, 0x01, 0xf0, 0x2b };
	/* SACCH (sub-type 0x87): two octets of L1 header first; SAPI 3 UI frame (0d 03) */
	static const uint8_t um_sacch[] = { 0x02, 0x04, 0x01, 0x00, 0x40, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					    0x87, 0x00, 0x00, 0x00, 0x05, 0x01, 0x0d, 0x03, 0x09, 0xb9, 0x04 };
	/* I frame N(S) 2 (control 0x04) with the M bit in the length octet (4 << 2 | M | EL = 0x13): a segment */
	static const uint8_t um_seg[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					  0x07, 0x00, 0x00, 0x00, 0x01, 0x04, 0x13, 0x05, 0x19, 0x01, 0xf0 };
	/* the same as a UI frame (control 03): UI frames are never segmented */
	static const uint8_t um_ui_seg[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					     0x07, 0x00, 0x00, 0x00, 0x01, 0x03, 0x13, 0x05, 0x19, 0x01, 0xf0 };
	/* RR frame (control 01): no L3 */
	static const uint8_t um_rr[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					 0x07, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01 };
	/* BCCH: L2 pseudo length (3 << 2) | 01, RR L3 06 1b 00 */
	static const uint8_t um_bcch[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x01, 0x00, 0x00, 0x00, 0x0d, 0x06, 0x1b, 0x00 };
	/* UMTS RRC (0x0c): other */
	static const uint8_t rrc[] = { 0x02, 0x04, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				       0x00, 0x00, 0x00, 0x00, 0x12 };
	static const uint8_t bad_version[] = { 0x01, 0x04, 0x02, 0x00 };
	static const uint8_t bad_hdr_len[] = { 0x02, 0x03, 0x02, 0x00 };
	/* LAPDm length 21: beyond N201 */
	static const uint8_t um_long[] = { 0x02, 0x04, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
					   0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x55 };

	tap_vec(fx->ctx, abis, sizeof(abis), SL_GSMTAP_L3, 4);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, abis), &h, &l3), SL_GSMTAP_L3);
	assert_true(h.uplink);
	assert_int_equal(h.arfcn, 0);
	tap_vec(fx->ctx, um_sdcch, sizeof(um_sdcch), SL_GSMTAP_L3, 4);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_sdcch), &h, &l3), SL_GSMTAP_L3);
	assert_false(h.uplink);
	assert_int_equal(h.arfcn, 16);
	assert_int_equal(h.timeslot, 3);
	assert_int_equal(h.frame_nr, 0x01020304);
	assert_int_equal(h.signal_dbm, -64);
	tap_vec(fx->ctx, um_sacch, sizeof(um_sacch), SL_GSMTAP_L3, 2);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_sacch), &h, &l3), SL_GSMTAP_L3);
	assert_int_equal(h.sapi, 3);
	tap_vec(fx->ctx, um_bcch, sizeof(um_bcch), SL_GSMTAP_L3, 3);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_seg), &h, &l3), SL_GSMTAP_L3);
	assert_true(h.iframe);
	assert_true(h.more);
	assert_int_equal(h.ns, 2);
	assert_int_equal(l3.left, 4);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_ui_seg), &h, &l3), SL_GSMTAP_SEGMENTED);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_rr), &h, &l3), SL_GSMTAP_NO_L3);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, rrc), &h, &l3), SL_GSMTAP_OTHER);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, bad_version), &h, &l3), SL_GSMTAP_MALFORMED);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, bad_hdr_len), &h, &l3), SL_GSMTAP_MALFORMED);
	assert_int_equal(sl_gsmtap_decode(CUR(fx->ctx, um_long), &h, &l3), SL_GSMTAP_MALFORMED);
	assert_int_equal(sl_gsmtap_decode(sl_cur(NULL, 0), &h, &l3), SL_GSMTAP_TRUNCATED);
	talloc_free_children(fx->ctx);
}

static enum sl_lapdm_res push(struct sl_lapdm_reasm *r, uint8_t link, uint8_t ns, bool more, const uint8_t *p,
			      size_t len, struct sl_cursor *out, bool *evicted)
{
	struct sl_lapdm_key k = { .arfcn = 1, .timeslot = link, .sapi = 3 };

	return sl_lapdm_push(r, &k, ns, more, sl_cur(p, len), link, out, evicted);
}

/* TS 44.006 segmentation: in sequence, retransmitted, a gap, too long, and the table full. */
static void test_lapdm_reasm(void **state)
{
	struct fixture *fx = *state;
	struct sl_lapdm_reasm *r = talloc_zero(fx->ctx, struct sl_lapdm_reasm);
	static const uint8_t a[] = { 0x39, 0x01, 0x05 }, b[] = { 0x00, 0x01, 0x02, 0x03, 0x04 }, big[20] = { 0 };
	struct sl_cursor out;
	bool ev;
	unsigned i;

	assert_non_null(r);
	/* an unsegmented I frame passes; its repetition (same N(S)) is a retransmission */
	assert_int_equal(push(r, 0, 0, false, b, sizeof(b), &out, &ev), SL_LAPDM_PASS);
	assert_int_equal(push(r, 0, 0, false, b, sizeof(b), &out, &ev), SL_LAPDM_DUP);
	/* N(S) 1 (M), 1 again (retransmitted), 2 (last): one message a + b */
	assert_int_equal(push(r, 0, 1, true, a, sizeof(a), &out, &ev), SL_LAPDM_HELD);
	assert_int_equal(push(r, 0, 1, true, a, sizeof(a), &out, &ev), SL_LAPDM_DUP);
	assert_int_equal(push(r, 0, 2, false, b, sizeof(b), &out, &ev), SL_LAPDM_DONE);
	assert_int_equal(out.left, sizeof(a) + sizeof(b));
	assert_memory_equal(out.p, a, sizeof(a));
	assert_memory_equal(out.p + sizeof(a), b, sizeof(b));
	/* N(S) wraps 7 -> 0 */
	assert_int_equal(push(r, 1, 7, true, a, sizeof(a), &out, &ev), SL_LAPDM_HELD);
	assert_int_equal(push(r, 1, 0, false, b, sizeof(b), &out, &ev), SL_LAPDM_DONE);
	/* a gap (3 then 5): what was held is dropped; a last segment after a gap is dropped too */
	assert_int_equal(push(r, 0, 3, true, a, sizeof(a), &out, &ev), SL_LAPDM_HELD);
	assert_int_equal(push(r, 0, 5, true, a, sizeof(a), &out, &ev), SL_LAPDM_RESTARTED);
	assert_int_equal(push(r, 0, 6, false, b, sizeof(b), &out, &ev), SL_LAPDM_DONE);
	assert_int_equal(out.left, sizeof(a) + sizeof(b));
	assert_int_equal(push(r, 0, 7, true, a, sizeof(a), &out, &ev), SL_LAPDM_HELD);
	assert_int_equal(push(r, 0, 1, false, b, sizeof(b), &out, &ev), SL_LAPDM_RESTARTED);
	/* 13 segments of 20 octets: past 251 */
	for (i = 0; i < 12; i++)
		assert_int_equal(push(r, 2, (uint8_t)i, true, big, sizeof(big), &out, &ev), SL_LAPDM_HELD);
	assert_int_equal(push(r, 2, 12 & 7, true, big, sizeof(big), &out, &ev), SL_LAPDM_OVERFLOW);
	/* the table full: the least recently used link goes */
	for (i = 0; i < SL_LAPDM_MAX_LINKS; i++) {
		push(r, (uint8_t)(10 + i), 0, true, a, sizeof(a), &out, &ev);
		assert_false(ev && i < SL_LAPDM_MAX_LINKS - 3);
	}
	assert_true(ev);
	talloc_free(r);
}

/* Random bytes through every decoder: no crash, no overread. */
static void test_garbage(void **state)
{
	struct fixture *fx = *state;
	uint8_t buf[64];
	unsigned i, k;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (i = 0; i < 20000; i++) {
		size_t len = rng() % sizeof(buf);
		struct sl_gsm48 m;
		struct sl_gsmtap h;
		struct sl_cursor l3, c;
		struct sl_gsm_number n;
		void *cp;

		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		if (len > 1 && (i & 1))
			buf[0] = (uint8_t)((buf[0] & 0xf0) | (i & 2 ? 3 : 5));
		cp = exact(fx->ctx, buf, len);
		(void)sl_gsm48_decode(sl_cur(cp, len), &m);
		(void)sl_gsmtap_decode(sl_cur(cp, len), &h, &l3);
		c = sl_cur(cp, len);
		(void)sl_gsm_tp_address_decode(&c, &n);
		talloc_free(cp);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mobile_identities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bcd_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tp_address_and_cause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtap_mm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtap_cc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dtap_cp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gsmtap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lapdm_reasm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
