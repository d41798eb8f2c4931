/*
 * Unit tests for mediation/lawful/intercept.c: an event matches an
 * interception only when the interception is active at the event's time
 * and one of its parties carries a target identity; everything else is
 * denied. Also the validation of interceptions added to the table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/lawful/intercept.h"

static struct sl_intercept make_ic(const char *liid, enum sl_id_type t, const char *v, uint64_t start, uint64_t end)
{
	struct sl_intercept ic;

	memset(&ic, 0, sizeof(ic));
	snprintf(ic.liid, sizeof(ic.liid), "%s", liid);
	ic.target[0].type = t;
	snprintf(ic.target[0].value, sizeof(ic.target[0].value), "%s", v);
	ic.n_targets = 1;
	ic.start_us = start;
	ic.end_us = end;
	snprintf(ic.dest, sizeof(ic.dest), "lea1");
	return ic;
}

static struct sl_event make_ev(uint64_t ts, const char *from_e164, const char *to_sip)
{
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.ts_us = ts;
	if (from_e164)
		sl_party_add(&ev.from, SL_ID_E164, from_e164);
	if (to_sip)
		sl_party_add(&ev.to, SL_ID_SIP_URI, to_sip);
	return ev;
}

static uint64_t ctr(struct sl_lawful *l, enum sl_lawful_ctr idx)
{
	return rate_ctr_group_get_ctr(sl_lawful_ctrs(l), idx)->current;
}

static void test_match_window_and_side(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 0);
	struct sl_intercept a = make_ic("LIID-A", SL_ID_E164, "+4930111", 1000, 2000);
	struct sl_intercept b = make_ic("LIID-B", SL_ID_SIP_URI, "sip:bob@example.com", 0, 0);
	struct sl_match m[4];
	struct sl_event ev;

	assert_int_equal(sl_lawful_add(l, &a), 0);
	assert_int_equal(sl_lawful_add(l, &b), 0);
	assert_int_equal(sl_lawful_count(l), 2);

	/* before, at the start, just before the end, at the end */
	ev = make_ev(999, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 0);
	ev = make_ev(1000, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 1);
	assert_string_equal(m[0].ic->liid, "LIID-A");
	assert_int_equal(m[0].side, SL_TARGET_FROM);
	ev = make_ev(1999, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 1);
	ev = make_ev(2000, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 0);

	/* both interceptions, the second on the called side */
	ev = make_ev(1500, "+4930111", "sip:bob@example.com");
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 2);
	assert_string_equal(m[1].ic->liid, "LIID-B");
	assert_int_equal(m[1].side, SL_TARGET_TO);
	/* max bounds what is written, never what is reported: the caller learns it was cut */
	m[1].ic = NULL;
	assert_int_equal(sl_lawful_match(l, &ev, m, 1), 2);
	assert_string_equal(m[0].ic->liid, "LIID-A");
	assert_null(m[1].ic);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_TRUNCATED), 1);

	/* same value, other type: no match; similar value: no match */
	ev = make_ev(1500, NULL, NULL);
	sl_party_add(&ev.from, SL_ID_NUMBER, "+4930111");
	sl_party_add(&ev.to, SL_ID_SIP_URI, "sip:bob@example.co");
	assert_int_equal(sl_lawful_match(l, &ev, m, 4), 0);

	/* every decision counted once by outcome: 4 matched (1 + 1 + 2 + 2 pairs, the last one cut),
	 * 2 outside the window of LIID-A's target, 1 naming nobody */
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_MATCHED), 4);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_INACTIVE), 2);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_NO_TARGET), 1);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_MATCHES), 6);
	talloc_free(ctx);
}

static void test_add_validation(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 1);
	struct sl_intercept ic = make_ic("L1", SL_ID_IMSI, "262011234567890", 0, 0);
	struct sl_intercept bad;

	assert_int_equal(sl_lawful_add(l, &ic), 0);
	assert_int_equal(sl_lawful_add(l, &ic), -EEXIST);
	bad = make_ic("", SL_ID_IMSI, "1", 0, 0);
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	bad = make_ic("L2", SL_ID_IMSI, "1", 0, 0);
	bad.n_targets = 0;
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	bad = make_ic("L3", SL_ID_IMSI, "1", 5, 5);
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	bad = make_ic("L4", SL_ID_IMSI, "1", 0, 0);
	bad.dest[0] = '\0';
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	assert_int_equal(sl_lawful_count(l), 1);
	assert_null(sl_lawful_get(l, 1));
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_window_and_side),
		cmocka_unit_test(test_add_validation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
