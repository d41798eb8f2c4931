/*
 * P-Access-Network-Info cells (capture/sip_pani.c, TS 24.229 clause
 * 7.2A.4): each access type's lengths with two- and three-digit MNCs, the
 * first access-net-spec only, quoted values, accesses without a cell, and
 * every cut of a valid cell identity and bad digits refused as malformed;
 * which access-net-spec a location is read from (the network-provided one).
 * Values are fed from exactly sized heap copies so AddressSanitizer sees
 * any read past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/sip_pani.h"

static enum sl_pani_res parse(const char *v, size_t n, struct sl_cell *c)
{
	char *copy = malloc(n ? n : 1);
	enum sl_pani_res r;

	assert_non_null(copy);
	memcpy(copy, v, n);
	r = sl_pani_cell(sl_str_make(copy, n), c);
	free(copy);
	return r;
}

#define PARSE(s, c) parse(s, strlen(s), c)

static void test_accesses(void **state)
{
	struct sl_cell c;

	(void)state;
	assert_int_equal(PARSE("3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B", &c), SL_PANI_OK);
	assert_int_equal(c.access, SL_ACCESS_EUTRAN);
	assert_string_equal(c.mcc, "001");
	assert_string_equal(c.mnc, "01");
	assert_int_equal(c.area, 1);
	assert_int_equal(c.cell, 0x19b);

	assert_int_equal(PARSE("3gpp-e-utran-tdd;utran-cell-id-3gpp=310260ABCD0123456", &c), SL_PANI_OK);
	assert_string_equal(c.mcc, "310");
	assert_string_equal(c.mnc, "260");
	assert_int_equal(c.area, 0xabcd);
	assert_int_equal(c.cell, 0x0123456);

	assert_int_equal(PARSE("3GPP-UTRAN-FDD; utran-cell-id-3gpp=2620112340abcdef", &c), SL_PANI_OK);
	assert_int_equal(c.access, SL_ACCESS_UTRAN);
	assert_int_equal(c.area, 0x1234);
	assert_int_equal(c.cell, 0x0abcdef);

	assert_int_equal(PARSE("3GPP-GERAN; cgi-3gpp=20810B62C0F1A", &c), SL_PANI_OK);
	assert_int_equal(c.access, SL_ACCESS_GERAN);
	assert_string_equal(c.mnc, "10");
	assert_int_equal(c.area, 0xb62c);
	assert_int_equal(c.cell, 0x0f1a);

	assert_int_equal(PARSE("3GPP-NR-FDD; utran-cell-id-3gpp=001010ABCDEF123456789", &c), SL_PANI_OK);
	assert_int_equal(c.access, SL_ACCESS_NR);
	assert_string_equal(c.mnc, "010");
	assert_int_equal(c.area, 0xabcdef);
	assert_int_equal(c.cell, 0x123456789ull);

	/* quoted, other parameters around it, a second access-net-spec ignored */
	assert_int_equal(PARSE("3GPP-E-UTRAN-FDD;network-provided; utran-cell-id-3gpp=\"001010001000019C\"", &c),
			 SL_PANI_OK);
	assert_int_equal(c.cell, 0x19c);
	assert_int_equal(PARSE("3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019D, 3GPP-E-UTRAN-FDD; "
			       "utran-cell-id-3gpp=001010001000019E",
			       &c),
			 SL_PANI_OK);
	assert_int_equal(c.cell, 0x19d);
}

static void test_no_cell(void **state)
{
	static const char *const none[] = {
		"",
		"IEEE-802.11",
		"IEEE-802.11; i-wlan-node-id=ffeeddccbbaa",
		"3GPP-E-UTRAN-FDD",
		"3GPP-E-UTRAN-FDD; network-provided",
		"3GPP-GERAN; utran-cell-id-3gpp=20810B62C0F1A",	/* GERAN names its cell in cgi-3gpp */
		"3GPP-WLAN; utran-cell-id-3gpp=001010001000019B",
		", 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B",
	};
	struct sl_cell c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		assert_int_equal(PARSE(none[i], &c), SL_PANI_NO_CELL);
	assert_int_equal(sl_pani_cell(SL_STR_NULL, &c), SL_PANI_NO_CELL);
}

/* Every cut of a valid header: never OK except whole; a cut inside the cell identity is malformed. */
static void test_every_cut(void **state)
{
	static const char *const ok[] = {
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=310260ABCD0123456",
		"3GPP-NR-TDD; utran-cell-id-3gpp=00101000001000000001",
		"3GPP-GERAN; cgi-3gpp=208100B62C0F1A",
	};
	struct sl_cell c;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *eq = strrchr(ok[i], '=');
		size_t full = strlen(ok[i]), start = (size_t)(eq - ok[i]) + 1;

		assert_int_equal(parse(ok[i], full, &c), SL_PANI_OK);
		for (n = 0; n < full; n++) {
			enum sl_pani_res r = parse(ok[i], n, &c);
			/* a 3-digit-MNC identity cut by one is a valid 2-digit-MNC one, by length */
			if (n == full - 1 && r == SL_PANI_OK)
				continue;
			assert_int_not_equal(r, SL_PANI_OK);
			if (n > start + 1 && n < full - 1)
				assert_int_equal(r, SL_PANI_MALFORMED);
		}
	}
}

static void test_bad_digits(void **state)
{
	static const char *const bad[] = {
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00A010001000019B",	/* hex in the MCC */
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=0010G0001000019B",	/* not hex */
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=00101000100001 9B",
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B12",	/* too long */
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=",
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp",
		"3GPP-NR-FDD; utran-cell-id-3gpp=001010001000019B",	/* an E-UTRAN length for NR */
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=\"\"",
		"3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=\"",
	};
	struct sl_cell c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(PARSE(bad[i], &c), SL_PANI_MALFORMED);
}

static void pick_is(const char *v, const char *want, bool network)
{
	size_t n = strlen(v);
	char *copy = malloc(n ? n : 1);
	struct sl_str s;
	bool np = !network;

	assert_non_null(copy);
	memcpy(copy, v, n);
	s = sl_pani_pick(sl_str_make(copy, n), &np);
	assert_int_equal(np, network);
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(s.p, want, s.len);
	free(copy);
}

/* TS 24.229 7.2A.4: the network-provided access-net-spec wins over the phone's, wherever it stands. */
static void test_pick(void **state)
{
	static const char *const ue = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B";
	static const char *const net = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010002000019C; network-provided";
	struct sl_str s;
	bool np = true;
	char buf[256];
	size_t n;

	(void)state;
	pick_is(ue, ue, false);
	pick_is(net, net, true);
	snprintf(buf, sizeof(buf), "%s, %s", ue, net);
	pick_is(buf, net, true);
	snprintf(buf, sizeof(buf), " %s ,%s", net, ue);
	pick_is(buf, net, true);
	pick_is("IEEE-802.11;network-provided", "IEEE-802.11;network-provided", true);
	pick_is("3GPP-E-UTRAN-FDD; NETWORK-PROVIDED", "3GPP-E-UTRAN-FDD; NETWORK-PROVIDED", true);
	/* a parameter value or quoted string naming it is not the parameter; commas inside quotes do not split */
	pick_is("ADSL; dsl-location=\"a, network-provided\", 3GPP-GERAN",
		"ADSL; dsl-location=\"a, network-provided\"", false);
	pick_is("x; dsl-location=\"q;network-provided\"", "x; dsl-location=\"q;network-provided\"", false);
	pick_is("x; network-provided=1", "x; network-provided=1", false);
	pick_is("x; operator-specific-GI=network-provided", "x; operator-specific-GI=network-provided", false);
	pick_is("network-provided, x", "network-provided", false);
	/* empty specs are skipped; nothing at all gives an empty view */
	pick_is(" , ,x", "x", false);
	pick_is(" , ", "", false);
	pick_is("", "", false);
	pick_is("\"unterminated, x; network-provided", "\"unterminated, x; network-provided", false);
	pick_is("\"a\\\", b\", c;network-provided", "c;network-provided", true);
	s = sl_pani_pick(SL_STR_NULL, &np);
	assert_null(s.p);
	assert_false(np);

	/* every cut: the view stays inside the value, and only whole-parameter cuts see network-provided */
	snprintf(buf, sizeof(buf), "%s, %s", ue, net);
	for (n = 0; n <= strlen(buf); n++) {
		char *copy = malloc(n ? n : 1);

		assert_non_null(copy);
		memcpy(copy, buf, n);
		s = sl_pani_pick(sl_str_make(copy, n), &np);
		assert_true(s.p >= copy && s.p + s.len <= copy + n);
		assert_int_equal(np, n == strlen(buf));
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accesses),
		cmocka_unit_test(test_no_cell),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_bad_digits),
		cmocka_unit_test(test_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
