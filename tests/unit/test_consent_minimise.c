/*
 * Unit tests for minimisation per recipient policy (consent_minimise.c):
 * the location rule for each access type at each granularity (cell,
 * area: the cell identity dropped, none) and what it refuses; categories
 * dropped unless both consented and received, the primary category
 * gating the whole record; times bucketed; a device reduced to its TAC;
 * the peer only when given; the JSON line byte for byte as docs/consent.md
 * specifies it, and a short buffer refused. A cell given as capture's
 * struct sl_cell is coarsened exactly as its header text would be: the
 * direct rule is compared with writing the header and parsing it back,
 * on chosen and on pseudo-random cells (bad MCC and MNC included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mediation/consent/consent_minimise.h"

#define P64A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define P64B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define CAT(c) SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_##c)
#define ALL (CAT(CALL_METADATA) | CAT(MESSAGING_METADATA) | CAT(LOCATION) | CAT(DEVICE))

static void test_location(void **state)
{
	static const struct {
		const char *pani;
		enum sl_cx_granularity g;
		const char *access, *out; /* access NULL: no location */
	} t[] = {
		{ "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010000101", SL_CX_LOC_CELL, "eutran", "2620100010000101" },
		{ "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010000101", SL_CX_LOC_AREA, "eutran", "262010001" },
		{ "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010000101", SL_CX_LOC_NONE, NULL, NULL },
		{ "3gpp-e-utran-tdd;utran-cell-id-3gpp=310410ABCD1234567;network-provided", SL_CX_LOC_AREA, "eutran",
		  "310410abcd" },
		{ "3GPP-UTRAN-FDD; utran-cell-id-3gpp=23415FFFF0ABCDEF", SL_CX_LOC_AREA, "utran", "23415ffff" },
		{ "3GPP-GERAN; cgi-3gpp=2620112340567", SL_CX_LOC_AREA, "geran", "262011234" },
		{ "3GPP-GERAN; cgi-3gpp=2620112340567", SL_CX_LOC_CELL, "geran", "2620112340567" },
		{ "IEEE-802.11; i-wlan-node-id=ffeeddccbbaa", SL_CX_LOC_AREA, NULL, NULL },
		{ "3GPP-NR-FDD; nrcgi=262010000000001", SL_CX_LOC_CELL, NULL, NULL },
		{ "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=26201000100001", SL_CX_LOC_AREA, NULL, NULL },	/* short */
		{ "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262A100010000101", SL_CX_LOC_AREA, NULL, NULL }, /* MNC hex */
		{ "3GPP-E-UTRAN-FDD", SL_CX_LOC_AREA, NULL, NULL },
		{ "", SL_CX_LOC_AREA, NULL, NULL },
	};
	char out[SL_CX_LOC_MAX];
	const char *access;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool ok = sl_cx_location(t[i].pani, t[i].g, &access, out, sizeof(out));
		if (!t[i].access) {
			assert_false(ok);
			assert_null(access);
			continue;
		}
		assert_true(ok);
		assert_string_equal(access, t[i].access);
		assert_string_equal(out, t[i].out);
	}
	assert_false(sl_cx_location(NULL, SL_CX_LOC_CELL, &access, out, sizeof(out)));
	assert_false(sl_cx_location(t[0].pani, SL_CX_LOC_CELL, &access, out, 8)); /* no room */
}

/* The reference: the cell written as P-Access-Network-Info would carry it, then the text rule. */
static bool via_text(const struct sl_cell *c, enum sl_cx_granularity g, const char **access, char *out, size_t cap)
{
	char pani[128];
	const char *fmt; /* the access type token */

	switch (c->access) {
	case SL_ACCESS_EUTRAN:
		fmt = "3GPP-E-UTRAN-FDD";
		break;
	case SL_ACCESS_UTRAN:
		fmt = "3GPP-UTRAN-FDD";
		break;
	case SL_ACCESS_GERAN:
		snprintf(pani, sizeof(pani), "3GPP-GERAN;cgi-3gpp=%s%s%04x%04" PRIx64, c->mcc, c->mnc,
			 (unsigned)(c->area & 0xffff), c->cell & 0xffff);
		return sl_cx_location(pani, g, access, out, cap);
	default:
		snprintf(pani, sizeof(pani), "3GPP-NR-FDD;utran-cell-id-3gpp=%s%s%06x%09" PRIx64, c->mcc, c->mnc,
			 (unsigned)(c->area & 0xffffff), (uint64_t)(c->cell & 0xfffffffffull));
		return sl_cx_location(pani, g, access, out, cap);
	}
	snprintf(pani, sizeof(pani), "%s;utran-cell-id-3gpp=%s%s%04x%07" PRIx64, fmt, c->mcc, c->mnc,
		 (unsigned)(c->area & 0xffff), c->cell & 0xfffffff);
	return sl_cx_location(pani, g, access, out, cap);
}

static void check_cell(const struct sl_cell *c, size_t cap)
{
	enum sl_cx_granularity g;

	for (g = 0; g < _SL_CX_LOC_COUNT; g++) {
		char a[SL_CX_LOC_MAX] = "", b[SL_CX_LOC_MAX] = "";
		const char *acc_a = "x", *acc_b = "y";
		bool ok_a = sl_cx_location_cell(c, g, &acc_a, a, cap);
		bool ok_b = via_text(c, g, &acc_b, b, cap);

		assert_int_equal(ok_a, ok_b);
		if (!ok_a) {
			assert_null(acc_a);
			continue;
		}
		assert_string_equal(acc_a, acc_b);
		assert_string_equal(a, b);
	}
}

static void test_location_cell(void **state)
{
	static const char *const mcc[] = { "262", "310", "00", "2620", "26a", "" };
	static const char *const mnc[] = { "01", "410", "1", "", "0x" };
	struct sl_cell c = { .access = SL_ACCESS_EUTRAN, .mcc = "262", .mnc = "01", .area = 1, .cell = 0x101 };
	const char *access;
	char out[SL_CX_LOC_MAX];
	uint64_t x = 0x243f6a8885a308d3ull;
	unsigned i;

	(void)state;
	assert_true(sl_cx_location_cell(&c, SL_CX_LOC_AREA, &access, out, sizeof(out)));
	assert_string_equal(access, "eutran");
	assert_string_equal(out, "262010001");
	assert_true(sl_cx_location_cell(&c, SL_CX_LOC_CELL, &access, out, sizeof(out)));
	assert_string_equal(out, "2620100010000101");
	assert_false(sl_cx_location_cell(&c, SL_CX_LOC_CELL, &access, out, 16)); /* no room for the NUL */
	assert_false(sl_cx_location_cell(NULL, SL_CX_LOC_CELL, &access, out, sizeof(out)));
	c.access = SL_ACCESS_NR;
	assert_false(sl_cx_location_cell(&c, SL_CX_LOC_AREA, &access, out, sizeof(out)));
	assert_null(access);
	for (i = 0; i < 20000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memset(&c, 0, sizeof(c));
		c.access = (uint8_t)(x % (_SL_ACCESS_COUNT + 1));
		snprintf(c.mcc, sizeof(c.mcc), "%s", mcc[(x >> 8) % (sizeof(mcc) / sizeof(mcc[0]))]);
		snprintf(c.mnc, sizeof(c.mnc), "%s", mnc[(x >> 16) % (sizeof(mnc) / sizeof(mnc[0]))]);
		c.area = (uint32_t)(x >> 20);
		c.cell = x * 0x9e3779b97f4a7c15ull;
		check_cell(&c, (x >> 60) ? SL_CX_LOC_MAX : 10 + (x >> 56) % 8);
	}
}

static struct sl_cx_input call_input(void)
{
	struct sl_cx_input in = {
		.kind = SL_CX_CALL,
		.time_us = 1767312345678901LL,
		.role = "caller",
		.subject = P64A,
		.peer = P64B,
		.consented = ALL,
		.pani = "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010000101",
		.imei = "867287039522370",
		.answered = true,
		.duration_us = 10999999,
		.outcome = "bye",
	};
	return in;
}

static void test_call_line(void **state)
{
	struct sl_cx_policy pol = { .categories = ALL, .location = SL_CX_LOC_AREA, .time_bucket_s = 900 };
	struct sl_cx_input in = call_input();
	struct sl_cx_record r;
	char line[1024];
	size_t n;

	(void)state;
	assert_true(sl_cx_minimise(&pol, &in, &r));
	n = sl_cx_render(&r, line, sizeof(line));
	line[n] = '\0';
	/* 1767312345 s bucketed to 900 s: 1767312000 */
	assert_string_equal(line, "{\"type\":\"call\",\"time\":1767312000,\"subject\":\"" P64A "\",\"role\":\"caller\","
				  "\"peer\":\"" P64B "\",\"answered\":true,\"duration\":10,\"outcome\":\"bye\","
				  "\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},"
				  "\"device\":{\"tac\":\"86728703\"}}\n");
	assert_int_equal(sl_cx_render(&r, line, n), 0); /* one byte short of the NUL */

	/* cell granularity, one-second buckets, no peer, no device consent */
	pol.location = SL_CX_LOC_CELL;
	pol.time_bucket_s = 1;
	in.peer = NULL;
	in.consented = CAT(CALL_METADATA) | CAT(LOCATION);
	assert_true(sl_cx_minimise(&pol, &in, &r));
	n = sl_cx_render(&r, line, sizeof(line));
	line[n] = '\0';
	assert_string_equal(line, "{\"type\":\"call\",\"time\":1767312345,\"subject\":\"" P64A "\",\"role\":\"caller\","
				  "\"peer\":null,\"answered\":true,\"duration\":10,\"outcome\":\"bye\","
				  "\"location\":{\"access\":\"eutran\",\"cell\":\"2620100010000101\"},\"device\":null}\n");
}

static void test_categories(void **state)
{
	struct sl_cx_policy pol = { .categories = ALL, .location = SL_CX_LOC_AREA, .time_bucket_s = 60 };
	struct sl_cx_input in = call_input();
	struct sl_cx_record r;

	(void)state;
	/* the primary category gates the record: consented but not received, or received but not consented */
	in.consented = ALL & ~CAT(CALL_METADATA);
	assert_false(sl_cx_minimise(&pol, &in, &r));
	in.consented = ALL;
	pol.categories = ALL & ~CAT(CALL_METADATA);
	assert_false(sl_cx_minimise(&pol, &in, &r));
	/* location and device need both */
	pol.categories = CAT(CALL_METADATA) | CAT(DEVICE);
	assert_true(sl_cx_minimise(&pol, &in, &r));
	assert_null(r.access);
	assert_string_equal(r.tac, "86728703");
	pol.categories = ALL;
	in.consented = CAT(CALL_METADATA) | CAT(DEVICE);
	assert_true(sl_cx_minimise(&pol, &in, &r));
	assert_null(r.access);
	/* location none */
	in.consented = ALL;
	pol.location = SL_CX_LOC_NONE;
	assert_true(sl_cx_minimise(&pol, &in, &r));
	assert_null(r.access);
	/* a malformed IMEI gives no device */
	in.imei = "86728x039522370";
	assert_true(sl_cx_minimise(&pol, &in, &r));
	assert_string_equal(r.tac, "");
	/* no subject, a bad pseudonym, a negative time */
	in.subject = NULL;
	assert_false(sl_cx_minimise(&pol, &in, &r));
	in.subject = "abc";
	assert_false(sl_cx_minimise(&pol, &in, &r));
	in = call_input();
	in.time_us = -1;
	assert_false(sl_cx_minimise(&pol, &in, &r));
}

static void test_message_and_registration(void **state)
{
	struct sl_cx_policy pol = { .categories = ALL, .location = SL_CX_LOC_AREA, .time_bucket_s = 60 };
	struct sl_cx_input in = call_input();
	struct sl_cx_record r;
	char line[1024];
	size_t n;

	(void)state;
	in.kind = SL_CX_MESSAGE;
	in.role = "receiver";
	in.pani = NULL;
	in.imei = NULL;
	in.consented = CAT(MESSAGING_METADATA);
	assert_true(sl_cx_minimise(&pol, &in, &r));
	n = sl_cx_render(&r, line, sizeof(line));
	line[n] = '\0';
	assert_string_equal(line, "{\"type\":\"message\",\"time\":1767312300,\"subject\":\"" P64A "\",\"role\":\"receiver\","
				  "\"peer\":\"" P64B "\",\"location\":null,\"device\":null}\n");

	in = call_input();
	in.kind = SL_CX_REGISTRATION;
	in.role = "subscriber";
	in.result = "registered";
	in.consented = CAT(LOCATION);
	assert_true(sl_cx_minimise(&pol, &in, &r));
	n = sl_cx_render(&r, line, sizeof(line));
	line[n] = '\0';
	assert_string_equal(line, "{\"type\":\"registration\",\"time\":1767312300,\"subject\":\"" P64A "\","
				  "\"role\":\"subscriber\",\"result\":\"registered\","
				  "\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},\"device\":null}\n");
	/* a registration without a location the rule can coarsen carries nothing */
	in.pani = "IEEE-802.11";
	assert_false(sl_cx_minimise(&pol, &in, &r));
	assert_int_equal(sl_cx_primary_category(SL_CX_REGISTRATION), SL_CONSENT_CAT_LOCATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_location),
		cmocka_unit_test(test_location_cell),
		cmocka_unit_test(test_call_line),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_message_and_registration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
