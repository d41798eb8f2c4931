/*
 * Unit tests for asn1/ber_time.c: GeneralizedTime and UTCTime text (X.680
 * clauses 46-47, DER rules X.690 11.7-11.8). Formatting is checked against
 * hand-computed strings, including fraction truncation and the removal of
 * trailing zeros (11.7.3), the year range 0000..9999 and the UTCTime window
 * 1950..2049. Parsing is checked in DER and BER mode with the specific
 * error class and the content index it points at: DER refuses what is
 * valid BER but not canonical (missing seconds, ',' as decimal mark,
 * trailing fraction zeros, offsets, local time: SL_BER_E_NON_MINIMAL) and
 * both refuse what is never valid (bad calendar fields, stray characters:
 * SL_BER_E_BAD_VALUE). The calendar arithmetic is compared with the C
 * library's gmtime_r() over random instants in 0000..9999, and every
 * formatted time must parse back to the same instant. Finally the decoder
 * getters are run over primitive and (BER) segmented encodings, every
 * truncation of which must fail cleanly.
 */
#include "tests/unit/asn1_test_util.h"

#include <time.h>

#include "asn1/ber_decode.h"
#include "asn1/ber_time.h"

struct fmt_case {
	int64_t sec;
	uint32_t usec;
	unsigned digits;
	const char *want; /* NULL: refused */
};

static const struct fmt_case gen_fmt[] = {
	{ 0, 0, 0, "19700101000000Z" },
	{ 0, 0, 6, "19700101000000Z" },
	{ 1700000000, 123456, 6, "20231114221320.123456Z" },
	{ 1700000000, 123456, 5, "20231114221320.12345Z" },
	{ 1700000000, 123456, 1, "20231114221320.1Z" },
	{ 1700000000, 123456, 0, "20231114221320Z" },
	{ 1700000000, 100000, 6, "20231114221320.1Z" },
	{ 1700000000, 100, 3, "20231114221320Z" },
	{ 1700000000, 1000, 3, "20231114221320.001Z" },
	{ 1700000000, 10, 6, "20231114221320.00001Z" },
	{ 1700000000, 999999, 6, "20231114221320.999999Z" },
	{ -1, 500000, 3, "19691231235959.5Z" },
	{ INT64_C(-62167219200), 0, 0, "00000101000000Z" },
	{ INT64_C(-62135596800), 0, 0, "00010101000000Z" },
	{ INT64_C(253402300799), 999999, 6, "99991231235959.999999Z" },
	{ 1709164800, 0, 0, "20240229000000Z" },
	{ 951825600, 0, 0, "20000229120000Z" },
	{ INT64_C(4107542400), 0, 0, "21000301000000Z" }, /* 2100 is not a leap year */
	{ INT64_C(253402300800), 0, 0, NULL },
	{ INT64_C(-62167219201), 0, 0, NULL },
	{ 0, 1000000, 6, NULL },
	{ 0, 0, 7, NULL },
	{ INT64_MAX, 0, 0, NULL },
	{ INT64_MIN, 0, 0, NULL },
};

static const struct fmt_case utc_fmt[] = {
	{ 0, 0, 0, "700101000000Z" },
	{ 1700000000, 0, 0, "231114221320Z" },
	{ -631152000, 0, 0, "500101000000Z" },
	{ 2524607999, 0, 0, "491231235959Z" },
	{ 946684799, 0, 0, "991231235959Z" },
	{ 946684800, 0, 0, "000101000000Z" },
	{ 2524608000, 0, 0, NULL },
	{ -631152001, 0, 0, NULL },
	{ INT64_MAX, 0, 0, NULL },
};

static void test_format(void **state)
{
	char out[SL_BER_GENTIME_TEXT_MAX];
	char uout[SL_BER_UTCTIME_TEXT_MAX];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(gen_fmt) / sizeof(gen_fmt[0]); i++) {
		const struct fmt_case *c = &gen_fmt[i];

		memset(out, 'X', sizeof(out));
		n = sl_ber_gentime_format(c->sec, c->usec, c->digits, out);
		if (!c->want) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, strlen(c->want));
		assert_string_equal(out, c->want);
	}
	for (i = 0; i < sizeof(utc_fmt) / sizeof(utc_fmt[0]); i++) {
		const struct fmt_case *c = &utc_fmt[i];

		n = sl_ber_utctime_format(c->sec, uout);
		if (!c->want) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(n, 13);
		assert_string_equal(uout, c->want);
	}
	/* the longest text fills the buffer exactly */
	assert_int_equal(sl_ber_gentime_format(INT64_C(253402300799), 999999, 6, out),
			 SL_BER_GENTIME_TEXT_MAX - 1);
}

struct parse_case {
	const char *text;
	bool utc; /* UTCTime, else GeneralizedTime */
	enum sl_ber_err der, ber;
	size_t at;       /* content index of the DER error (or of the BER one if DER passes) */
	int64_t sec;     /* BER result when it parses */
	uint32_t usec;
	uint8_t tz;
	int16_t offset;
	uint8_t frac_digits;
};

#define OK SL_BER_OK
#define NM SL_BER_E_NON_MINIMAL
#define BV SL_BER_E_BAD_VALUE
#define TZ_Z SL_BER_TZ_UTC
#define TZ_O SL_BER_TZ_OFFSET
#define TZ_L SL_BER_TZ_LOCAL

/* clang-format off */
static const struct parse_case parses[] = {
	/* GeneralizedTime, DER form */
	{ "20231114221320Z", false, OK, OK, 0, 1700000000, 0, TZ_Z, 0, 0 },
	{ "20231114221320.5Z", false, OK, OK, 0, 1700000000, 500000, TZ_Z, 0, 1 },
	{ "20231114221320.123456Z", false, OK, OK, 0, 1700000000, 123456, TZ_Z, 0, 6 },
	{ "20231114221320.123456789Z", false, OK, OK, 0, 1700000000, 123456, TZ_Z, 0, 9 },
	{ "20231114221320.000001Z", false, OK, OK, 0, 1700000000, 1, TZ_Z, 0, 6 },
	{ "00000101000000Z", false, OK, OK, 0, INT64_C(-62167219200), 0, TZ_Z, 0, 0 },
	{ "99991231235959Z", false, OK, OK, 0, INT64_C(253402300799), 0, TZ_Z, 0, 0 },
	{ "20240229000000Z", false, OK, OK, 0, 1709164800, 0, TZ_Z, 0, 0 },
	{ "20000229120000Z", false, OK, OK, 0, 951825600, 0, TZ_Z, 0, 0 },
	/* a leap second is the first second of the next minute */
	{ "20161231235960Z", false, OK, OK, 0, 1483228800, 0, TZ_Z, 0, 0 },
	/* valid BER, not DER */
	{ "20231114221320.50Z", false, NM, OK, 16, 1700000000, 500000, TZ_Z, 0, 2 },
	{ "20231114221320.0Z", false, NM, OK, 15, 1700000000, 0, TZ_Z, 0, 1 },
	{ "20231114221320,5Z", false, NM, OK, 14, 1700000000, 500000, TZ_Z, 0, 1 },
	{ "202311142213Z", false, NM, OK, 12, 1699999980, 0, TZ_Z, 0, 0 },
	{ "2023111422Z", false, NM, OK, 10, 1699999200, 0, TZ_Z, 0, 0 },
	{ "20231114221320", false, NM, OK, 14, 1700000000, 0, TZ_L, 0, 0 },
	{ "20231114221320.25", false, NM, OK, 17, 1700000000, 250000, TZ_L, 0, 2 },
	{ "20231114221320+0100", false, NM, OK, 14, 1700000000 - 3600, 0, TZ_O, 60, 0 },
	{ "20231114221320-0130", false, NM, OK, 14, 1700000000 + 5400, 0, TZ_O, -90, 0 },
	{ "20231114221320+01", false, NM, OK, 14, 1700000000 - 3600, 0, TZ_O, 60, 0 },
	{ "20231114221320.5-2359", false, NM, OK, 16, 1700000000 + 86340, 500000, TZ_O, -1439, 1 },
	/* never valid */
	{ "", false, BV, BV, 0, 0, 0, 0, 0, 0 },
	{ "2023", false, BV, BV, 4, 0, 0, 0, 0, 0 },
	{ "2023-11-14T22:13:20Z", false, BV, BV, 4, 0, 0, 0, 0, 0 },
	{ "2023111422132Z", false, BV, BV, 12, 0, 0, 0, 0, 0 },
	{ "20231114221320.Z", false, BV, BV, 15, 0, 0, 0, 0, 0 },
	{ "2023111422.5Z", false, NM, BV, 10, 0, 0, 0, 0, 0 },
	{ "202311142213.5Z", false, NM, BV, 12, 0, 0, 0, 0, 0 },
	{ "20231114221320Zx", false, BV, BV, 15, 0, 0, 0, 0, 0 },
	{ "20231114221320ZZ", false, BV, BV, 15, 0, 0, 0, 0, 0 },
	{ "20231114221320z", false, BV, BV, 14, 0, 0, 0, 0, 0 },
	{ "20231114221320 Z", false, BV, BV, 14, 0, 0, 0, 0, 0 },
	{ "20231114221320+2400", false, BV, BV, 14, 0, 0, 0, 0, 0 },
	{ "20231114221320+0060", false, BV, BV, 14, 0, 0, 0, 0, 0 },
	{ "20231114221320+1", false, BV, BV, 15, 0, 0, 0, 0, 0 },
	{ "20231114221320+01000", false, NM, BV, 14, 0, 0, 0, 0, 0 },
	{ "20231314221320Z", false, BV, BV, 4, 0, 0, 0, 0, 0 },
	{ "20230014221320Z", false, BV, BV, 4, 0, 0, 0, 0, 0 },
	{ "20231100221320Z", false, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "20231131221320Z", false, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "20230229000000Z", false, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "21000229000000Z", false, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "20231114241320Z", false, BV, BV, 8, 0, 0, 0, 0, 0 },
	{ "20231114226020Z", false, BV, BV, 10, 0, 0, 0, 0, 0 },
	{ "20231114221361Z", false, BV, BV, 12, 0, 0, 0, 0, 0 },
	{ "2023111422132\xff" "Z", false, BV, BV, 12, 0, 0, 0, 0, 0 },
	/* UTCTime */
	{ "231114221320Z", true, OK, OK, 0, 1700000000, 0, TZ_Z, 0, 0 },
	{ "500101000000Z", true, OK, OK, 0, -631152000, 0, TZ_Z, 0, 0 },
	{ "491231235959Z", true, OK, OK, 0, 2524607999, 0, TZ_Z, 0, 0 },
	{ "2311142213Z", true, NM, OK, 10, 1699999980, 0, TZ_Z, 0, 0 },
	{ "231114221320+0100", true, NM, OK, 12, 1700000000 - 3600, 0, TZ_O, 60, 0 },
	{ "231114221320", true, BV, BV, 12, 0, 0, 0, 0, 0 },
	{ "231114221320.5Z", true, BV, BV, 12, 0, 0, 0, 0, 0 },
	{ "2311142213", true, NM, BV, 10, 0, 0, 0, 0, 0 },
	{ "2311142Z", true, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "231314221320Z", true, BV, BV, 2, 0, 0, 0, 0, 0 },
	{ "231131221320Z", true, BV, BV, 4, 0, 0, 0, 0, 0 },
	{ "231114241320Z", true, BV, BV, 6, 0, 0, 0, 0, 0 },
	{ "231114226020Z", true, BV, BV, 8, 0, 0, 0, 0, 0 },
	{ "231114221361Z", true, BV, BV, 10, 0, 0, 0, 0, 0 },
	{ "20231114221320Z", true, BV, BV, 12, 0, 0, 0, 0, 0 },
};
/* clang-format on */

static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		const struct parse_case *c = &parses[i];
		size_t n = strlen(c->text), at = 999;
		uint8_t *p = t_exact(c->text, n);
		const char *why = NULL;
		struct sl_ber_time t;
		enum sl_ber_err e;
		unsigned m;

		print_message("%s %s\n", c->utc ? "utc" : "gen", c->text);
		for (m = 0; m < 2; m++) {
			bool der = m == 0;

			memset(&t, 0xEE, sizeof(t));
			e = c->utc ? sl_ber_utctime_parse(p, n, der, &t, &at, &why)
				   : sl_ber_gentime_parse(p, n, der, &t, &at, &why);
			if (e != (der ? c->der : c->ber))
				print_error("%s: %s (%s at %zu)\n", der ? "DER" : "BER", sl_ber_err_name(e),
					    why ? why : "", at);
			assert_int_equal(e, der ? c->der : c->ber);
			if (e) {
				assert_non_null(why);
				if (der || c->der == OK)
					assert_int_equal(at, c->at);
				continue;
			}
			assert_true(t.sec == c->sec);
			assert_int_equal(t.usec, c->usec);
			assert_int_equal(t.tz, c->tz);
			assert_int_equal(t.utc_offset, c->offset);
			assert_int_equal(t.frac_digits, c->frac_digits);
		}
		free(p);
	}
}

/* Compare the integer calendar with glibc's gmtime_r over 0000..9999. */
static void test_calendar_against_libc(void **state)
{
	const int64_t lo = INT64_C(-62167219200), hi = INT64_C(253402300799);
	char out[SL_BER_GENTIME_TEXT_MAX], want[40];
	unsigned iter;

	(void)state;
	if (sizeof(time_t) < 8)
		skip();
	t_seed(0x71DE);
	for (iter = 0; iter < 200000; iter++) {
		int64_t sec = lo + (int64_t)t_below((uint64_t)(hi - lo + 1));
		uint32_t usec = (uint32_t)t_below(1000000);
		unsigned digits = (unsigned)t_below(7);
		time_t tt = (time_t)sec;
		struct tm tm;
		struct sl_ber_time back;
		size_t n, at;
		const char *why;
		uint32_t kept = usec, scale = 1;
		unsigned k;

		if (iter < 1000) /* near the epoch and the ends, densely */
			sec = (iter % 3 == 0 ? 0 : iter % 3 == 1 ? lo : hi - 86400 * 3) +
			      (int64_t)t_below(86400 * 3);
		tt = (time_t)sec;
		assert_non_null(gmtime_r(&tt, &tm));
		snprintf(want, sizeof(want), "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		n = sl_ber_gentime_format(sec, usec, digits, out);
		assert_true(n >= 15);
		assert_memory_equal(out, want, 14);
		assert_int_equal(out[n - 1], 'Z');
		assert_true(n == 15 || out[n - 2] != '0');
		/* parses back, in DER, to the instant truncated to `digits` */
		assert_int_equal(sl_ber_gentime_parse((const uint8_t *)out, n, true, &back, &at, &why),
				 SL_BER_OK);
		for (k = digits; k < 6; k++)
			scale *= 10;
		kept = usec / scale * scale;
		assert_true(back.sec == sec);
		assert_int_equal(back.usec, kept);
		assert_int_equal(back.tz, SL_BER_TZ_UTC);
		if (tm.tm_year + 1900 >= 1950 && tm.tm_year + 1900 <= 2049) {
			char u[SL_BER_UTCTIME_TEXT_MAX];

			assert_int_equal(sl_ber_utctime_format(sec, u), 13);
			assert_memory_equal(u, want + 2, 12);
			assert_int_equal(sl_ber_utctime_parse((const uint8_t *)u, 13, true, &back, &at, &why),
					 SL_BER_OK);
			assert_true(back.sec == sec);
		} else {
			char u[SL_BER_UTCTIME_TEXT_MAX];

			assert_int_equal(sl_ber_utctime_format(sec, u), 0);
		}
	}
}

/* Through the decoder: offsets, segmented BER times, every truncation. */
static void test_getters(void **state)
{
	static const uint8_t gt[] = { 0x18, 0x13, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1',
				      '3', '2', '0', '.', '1', '2', '3', 'Z' };
	static const uint8_t seg[] = { 0x38, 0x13, 0x04, 0x08, '2', '0', '2', '3', '1', '1', '1',
				       '4', 0x04, 0x07, '2', '2', '1', '3', '2', '0', 'Z' };
	static const uint8_t bad_seg[] = { 0x38, 0x0B, 0x04, 0x09, '2', '0', '2', '3', '1', '3', '1',
					   '4', 'Z' };
	static const uint8_t ctx_seg[] = { 0xA5, 0x80, 0x04, 0x04, '2', '3', '1', '1', 0x04, 0x09, '1',
					   '4', '2', '2', '1', '3', '2', '0', 'Z', 0x00, 0x00 };
	struct sl_ber_dec d;
	struct sl_ber_tlv t;
	struct sl_ber_time tm;
	uint8_t long_seg[2 + 7 * 12];
	size_t i, k;

	(void)state;
	sl_ber_dec_init(&d, gt, sizeof(gt), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_generalized_time(&d, &t, &tm), SL_BER_OK);
	assert_true(tm.sec == 1700000000);
	assert_int_equal(tm.usec, 123000);
	assert_int_equal(tm.frac_digits, 3);
	/* as UTCTime it is wrong at content index 12 ('1' where 'Z' belongs) */
	assert_int_equal(sl_ber_get_utc_time(&d, &t, &tm), SL_BER_E_BAD_VALUE);
	assert_int_equal(d.err.offset, 2 + 12);

	/* segmented: BER joins, DER refuses at the framing */
	sl_ber_dec_init(&d, seg, sizeof(seg), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_generalized_time(&d, &t, &tm), SL_BER_OK);
	assert_true(tm.sec == 1700000000);
	sl_ber_dec_init(&d, seg, sizeof(seg), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_BAD_TAG);
	/* errors in a joined value point at the start of the TLV */
	sl_ber_dec_init(&d, bad_seg, sizeof(bad_seg), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_generalized_time(&d, &t, &tm), SL_BER_E_BAD_VALUE);
	assert_int_equal(d.err.offset, 0);
	/* implicitly tagged, indefinite, segmented UTCTime */
	sl_ber_dec_init(&d, ctx_seg, sizeof(ctx_seg), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_utc_time(&d, &t, &tm), SL_BER_OK);
	assert_true(tm.sec == 1700000000);
	sl_ber_dec_init(&d, ctx_seg, sizeof(ctx_seg), SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_E_INDEFINITE);
	/* joined text longer than any valid time: LIMIT, not an overflow */
	long_seg[0] = 0x38;
	long_seg[1] = 7 * 12;
	for (i = 0; i < 7; i++) {
		long_seg[2 + 12 * i] = 0x04;
		long_seg[3 + 12 * i] = 10;
		memcpy(long_seg + 4 + 12 * i, "2023111422", 10);
	}
	sl_ber_dec_init(&d, long_seg, sizeof(long_seg), SL_BER_MODE_BER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_get_generalized_time(&d, &t, &tm), SL_BER_E_LIMIT);

	/* every truncation of the content, re-framed, fails with BAD_VALUE or passes BER */
	for (k = 0; k < sizeof(gt) - 2; k++) {
		uint8_t *p = malloc(k + 2);
		enum sl_ber_err e;

		p[0] = 0x18;
		p[1] = (uint8_t)k;
		memcpy(p + 2, gt + 2, k);
		sl_ber_dec_init(&d, p, k + 2, SL_BER_MODE_DER);
		assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
		e = sl_ber_get_generalized_time(&d, &t, &tm);
		/* YYYYMMDDhh, hhmm and hhmmss[.f] cut before 'Z': local time, valid BER only */
		if (k == 10 || k == 12 || k == 14 || k == 16 || k == 17 || k == 18)
			assert_int_equal(e, SL_BER_E_NON_MINIMAL);
		else
			assert_int_equal(e, SL_BER_E_BAD_VALUE);
		assert_true(d.err.offset <= k + 2);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_calendar_against_libc),
		cmocka_unit_test(test_getters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
