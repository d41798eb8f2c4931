/*
 * Unit tests for mediation/lawful/intercept.c: an event matches an
 * interception only when the interception is active at the event's time,
 * one of its parties carries a target identity (or its signalling came from
 * or went to a target address or prefix) and the event belongs to a service
 * the interception covers; everything else is denied, and every decision is
 * counted once by its outcome. Also the validation of interceptions, their
 * removal, and an index that finds the right ones among many.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/sip_parse.h"
#include "mediation/lawful/intercept.h"

static struct sl_target g_t[8];

static struct sl_intercept make_ic(const char *liid, enum sl_id_type t, const char *v, uint64_t start, uint64_t end)
{
	struct sl_intercept ic;
	static unsigned next;
	struct sl_target *tg = &g_t[next++ % 8];

	memset(&ic, 0, sizeof(ic));
	memset(tg, 0, sizeof(*tg));
	snprintf(ic.liid, sizeof(ic.liid), "%s", liid);
	tg->id.type = (uint8_t)t;
	snprintf(tg->id.value, sizeof(tg->id.value), "%s", v);
	ic.target = tg;
	ic.n_targets = 1;
	ic.start_us = start;
	ic.end_us = end;
	ic.services = SL_SVC_ALL;
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
	const struct sl_match *m;
	struct sl_event ev;

	assert_int_equal(sl_lawful_add(l, &a), 0);
	assert_int_equal(sl_lawful_add(l, &b), 0);
	assert_int_equal(sl_lawful_count(l), 2);

	/* before, at the start, just before the end, at the end */
	ev = make_ev(999, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);
	ev = make_ev(1000, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	assert_string_equal(m[0].ic->liid, "LIID-A");
	assert_int_equal(m[0].side, SL_TARGET_FROM);
	ev = make_ev(1999, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	ev = make_ev(2000, "+4930111", NULL);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);

	/* both interceptions, the second on the called side */
	ev = make_ev(1500, "+4930111", "sip:bob@example.com");
	assert_int_equal(sl_lawful_match(l, &ev, &m), 2);
	assert_string_equal(m[0].ic->liid, "LIID-A");
	assert_string_equal(m[1].ic->liid, "LIID-B");
	assert_int_equal(m[1].side, SL_TARGET_TO);

	/* both parties targets of one interception: the caller side wins, one match */
	ev = make_ev(0, NULL, "sip:bob@example.com");
	sl_party_add(&ev.from, SL_ID_SIP_URI, "sip:bob@example.com");
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	assert_int_equal(m[0].side, SL_TARGET_FROM);

	/* same value, other type: no match; similar value: no match */
	ev = make_ev(1500, NULL, NULL);
	sl_party_add(&ev.from, SL_ID_NUMBER, "+4930111");
	sl_party_add(&ev.to, SL_ID_SIP_URI, "sip:bob@example.co");
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);

	/* every decision counted once by outcome: 4 matched (5 pairs), 2 outside LIID-A's window, 1 naming nobody */
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_MATCHED), 4);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_INACTIVE), 2);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_NO_TARGET), 1);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_MATCHES), 5);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_TRUNCATED), 0);
	talloc_free(ctx);
}

static void test_add_validation(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 1);
	struct sl_intercept ic = make_ic("L1", SL_ID_IMSI, "262011234567890", 0, 0);
	struct sl_intercept bad;
	struct sl_target t;

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
	bad = make_ic("L5", SL_ID_IMSI, "1", 0, 0);
	bad.services = 0;
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	/* a prefix with host bits set is a mistake, not a wider target */
	memset(&t, 0, sizeof(t));
	assert_true(sl_addr_parse(&t.addr, "10.0.0.1", 8));
	t.prefix_len = 24;
	bad = make_ic("L6", SL_ID_IMSI, "1", 0, 0);
	bad.target = &t;
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	t.prefix_len = 33;
	assert_int_equal(sl_lawful_add(l, &bad), -EINVAL);
	assert_int_equal(sl_lawful_count(l), 1);
	assert_null(sl_lawful_get(l, 1));
	assert_non_null(sl_lawful_find(l, "L1"));
	assert_null(sl_lawful_find(l, "L2"));
	talloc_free(ctx);
}

/* The service of each kind of event, and scope: an interception gets only the services it covers. */
static void test_services(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 2);
	struct sl_intercept ic = make_ic("MSG-ONLY", SL_ID_E164, "+4930111", 0, 0);
	struct sl_sip_msg sip;
	struct sl_sig sig;
	const struct sl_match *m;
	struct sl_event ev;

	ic.services = SL_SVC_MESSAGING;
	assert_int_equal(sl_lawful_add(l, &ic), 0);

	ev = make_ev(10, "+4930111", NULL);
	assert_int_equal(sl_event_service(&ev), SL_SVC_VOICE);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);
	assert_int_equal(ctr(l, SL_LAWFUL_CTR_OUT_OF_SCOPE), 1);
	ev.type = SL_EV_MESSAGE;
	assert_int_equal(sl_event_service(&ev), SL_SVC_MESSAGING);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	ev.type = SL_EV_REGISTRATION;
	assert_int_equal(sl_event_service(&ev), SL_SVC_REGISTRATION);
	ev.type = SL_EV_RTP_STREAM;
	assert_int_equal(sl_event_service(&ev), SL_SVC_VOICE);
	/* short messages (GSM or over IMS) are messaging; a location fix is location, which this warrant lacks */
	ev.type = SL_EV_SMS;
	assert_int_equal(sl_event_service(&ev), SL_SVC_MESSAGING);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	ev.type = SL_EV_LOCATION;
	assert_int_equal(sl_event_service(&ev), SL_SVC_LOCATION);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);
	ev.type = SL_EV_IDENTITY;
	assert_int_equal(sl_event_service(&ev), 0);

	/* SIP messages outside a tracked dialog: by method; a response by its CSeq method */
	memset(&sip, 0, sizeof(sip));
	memset(&sig, 0, sizeof(sig));
	sig.sip = &sip;
	ev.type = SL_EV_SIP;
	ev.sig = &sig;
	sip.is_request = true;
	sip.method = SL_SIP_MESSAGE;
	assert_int_equal(sl_event_service(&ev), SL_SVC_MESSAGING);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	sip.method = SL_SIP_INVITE;
	assert_int_equal(sl_event_service(&ev), SL_SVC_VOICE);
	sip.method = SL_SIP_OPTIONS;
	assert_int_equal(sl_event_service(&ev), 0);
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);
	sip.is_request = false;
	sip.cseq_method = SL_SIP_REGISTER;
	assert_int_equal(sl_event_service(&ev), SL_SVC_REGISTRATION);
	talloc_free(ctx);
}

/* Address and prefix targets match the signalling's source or destination, with the side it stands for. */
static void test_address_targets(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 3);
	struct sl_intercept ic = make_ic("NET", SL_ID_IMSI, "1", 0, 0);
	struct sl_target t[2];
	struct sl_sig sig;
	const struct sl_match *m;
	struct sl_event ev;

	memset(t, 0, sizeof(t));
	assert_true(sl_addr_parse(&t[0].addr, "10.1.2.0", 8));
	t[0].prefix_len = 24;
	assert_true(sl_addr_parse(&t[1].addr, "2001:db8::7", 11));
	t[1].prefix_len = 128;
	ic.target = t;
	ic.n_targets = 2;
	assert_int_equal(sl_lawful_add(l, &ic), 0);

	memset(&sig, 0, sizeof(sig));
	ev = make_ev(5, NULL, NULL);
	ev.sig = &sig;
	assert_true(sl_addr_parse(&sig.src.addr, "10.1.2.77", 9));
	assert_true(sl_addr_parse(&sig.dst.addr, "192.0.2.1", 9));
	ev.dir = SL_DIR_FROM_CALLER;
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	assert_int_equal(m[0].side, SL_TARGET_FROM);
	/* the callee answered from the target's address: the target is the called party */
	ev.dir = SL_DIR_FROM_CALLEE;
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	assert_int_equal(m[0].side, SL_TARGET_TO);
	/* just outside the prefix */
	assert_true(sl_addr_parse(&sig.src.addr, "10.1.3.0", 8));
	assert_int_equal(sl_lawful_match(l, &ev, &m), 0);
	/* one IPv6 address, as destination */
	assert_true(sl_addr_parse(&sig.dst.addr, "2001:db8::7", 11));
	assert_true(sl_addr_parse(&sig.src.addr, "2001:db8::8", 11));
	ev.dir = SL_DIR_FROM_CALLER;
	assert_int_equal(sl_lawful_match(l, &ev, &m), 1);
	assert_int_equal(m[0].side, SL_TARGET_TO);
	assert_true(sl_target_matches_addr(&t[1], &sig.dst.addr));
	assert_false(sl_target_matches_addr(&t[1], &sig.src.addr));
	talloc_free(ctx);
}

/* Many interceptions: each event finds exactly its own, also after removals (the table moves entries). */
static void test_many_and_remove(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_lawful *l = sl_lawful_alloc(ctx, 4);
	const unsigned n = 5000;
	const struct sl_match *m;
	struct sl_event ev;
	char liid[32], num[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		struct sl_intercept ic;
		snprintf(liid, sizeof(liid), "L%u", i);
		snprintf(num, sizeof(num), "+49301%06u", i);
		ic = make_ic(liid, SL_ID_E164, num, 0, 0);
		assert_int_equal(sl_lawful_add(l, &ic), 0);
	}
	/* two interceptions of one number */
	{
		struct sl_intercept ic = make_ic("TWIN", SL_ID_E164, "+49301000042", 0, 0);
		assert_int_equal(sl_lawful_add(l, &ic), 0);
	}
	for (i = 0; i < n; i += 7) {
		snprintf(num, sizeof(num), "+49301%06u", i);
		ev = make_ev(1, NULL, NULL);
		sl_party_add(&ev.to, SL_ID_E164, num);
		assert_int_equal(sl_lawful_match(l, &ev, &m), i == 42 ? 2 : 1);
		snprintf(liid, sizeof(liid), "L%u", i);
		/* in no particular order */
		assert_true(!strcmp(m[0].ic->liid, liid) || (i == 42 && !strcmp(m[1].ic->liid, liid)));
	}
	/* remove every other one; the rest still match, the removed ones no longer */
	for (i = 0; i < n; i += 2) {
		snprintf(liid, sizeof(liid), "L%u", i);
		assert_int_equal(sl_lawful_remove(l, liid), 0);
	}
	assert_int_equal(sl_lawful_remove(l, "L0"), -ENOENT);
	assert_int_equal(sl_lawful_count(l), n / 2 + 1);
	for (i = 0; i < n; i++) {
		snprintf(num, sizeof(num), "+49301%06u", i);
		ev = make_ev(1, num, NULL);
		assert_int_equal(sl_lawful_match(l, &ev, &m), (i % 2 ? 1u : 0u) + (i == 42 ? 1u : 0u));
	}
	for (i = 0; i < sl_lawful_count(l); i++)
		assert_non_null(sl_lawful_find(l, sl_lawful_get(l, i)->liid));
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_window_and_side),
		cmocka_unit_test(test_add_validation),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_address_targets),
		cmocka_unit_test(test_many_and_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
