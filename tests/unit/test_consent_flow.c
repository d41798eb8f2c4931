/*
 * Unit tests for the consented-data path on events (consent_flow.c),
 * through a real index and export in a scratch directory: a call's
 * parties each exported only under their own consent, the peer named
 * only when it consented too, the location given only to the party that
 * sent it, the IMSI form used when the number has no consent, a
 * withdrawn consent denied and counted by reason, registrations by the
 * registering party, ringing steps, SIP and RTP events never exported,
 * and the recipient's pseudonyms the documented ones; talloc blocks
 * return to their start. The early prefetch of an event's subjects
 * changes no output: the tapped lines and the observations (area from a
 * bound cell) are the same with it and without it, and with the
 * event in two halves (sl_cx_flow_begin(), other work, sl_cx_flow_end(),
 * as the dispatcher runs it), even when the index grows and moves its
 * table in between.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/consent/consent_flow.h"
#include "mediation/consent/consent_policy.h"
#include "tests/unit/consent_test_util.h"

#define CAT(c) SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_##c)
#define T_EV (T0 + 10 * DAY_US + 123456789)
#define PANI "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100010000101"

static const uint8_t master[32] = { 7 };

struct fx {
	void *ctx;
	char *dir;
	struct sl_consent_index *ix;
	struct sl_cx_export *x;
	struct sl_cx_flow *f;
};

static void put(struct fx *fx, enum sl_consent_subject_type t, const char *v, uint32_t cats,
		enum sl_consent_status st)
{
	struct sl_consent_subject s;
	struct sl_consent_row row = { .subject = &s, .recipient = "acme", .purpose = SL_CONSENT_P_MARKETING,
				      .categories = cats, .status = st, .valid_from_us = T0,
				      .valid_until_us = T0 + 365 * DAY_US };

	assert_int_equal(sl_consent_subject_set(&s, t, v), 0);
	assert_int_equal(sl_consent_index_put(fx->ix, &row), 0);
}

static void setup_fx(struct fx *fx, void *ctx)
{
	struct sl_cx_recipient_cfg rc = { .name = "acme", .purpose = SL_CONSENT_P_MARKETING,
					  .policy = { .categories = CAT(CALL_METADATA) | CAT(MESSAGING_METADATA) |
								    CAT(LOCATION) | CAT(DEVICE),
						      .location = SL_CX_LOC_AREA, .time_bucket_s = 60 } };
	struct sl_cx_export_cfg xc = { .recipient = "acme", .batch_records = 1000 };
	char *err = NULL;

	memset(fx, 0, sizeof(*fx));
	fx->ctx = ctx;
	fx->dir = ct_tmpdir(ctx);
	xc.dir = fx->dir;
	fx->ix = sl_consent_index_alloc(ctx, NULL, 7);
	fx->x = sl_cx_export_open(ctx, &xc, NULL, NULL, &err);
	fx->f = sl_cx_flow_alloc(ctx, fx->ix, master, NULL, 0);
	assert_non_null(fx->ix);
	assert_non_null(fx->x);
	assert_non_null(fx->f);
	assert_int_equal(sl_cx_flow_add(fx->f, &rc, fx->x, 7), 0);
	/* A: everything; B: calls only; C: messages only, by IMSI; D: withdrawn */
	put(fx, SL_CONSENT_SUBJ_MSISDN, "+491700000001", CAT(CALL_METADATA) | CAT(MESSAGING_METADATA) | CAT(LOCATION) | CAT(DEVICE),
	    SL_CONSENT_GIVEN);
	put(fx, SL_CONSENT_SUBJ_MSISDN, "+491700000002", CAT(CALL_METADATA), SL_CONSENT_GIVEN);
	put(fx, SL_CONSENT_SUBJ_IMSI, "262011234567890", CAT(MESSAGING_METADATA) | CAT(LOCATION), SL_CONSENT_GIVEN);
	put(fx, SL_CONSENT_SUBJ_MSISDN, "+491700000004", CAT(CALL_METADATA), SL_CONSENT_WITHDRAWN);
}

/* The lines exported so far (flushed), NUL-terminated, talloc on ctx. */
static char *lines(struct fx *fx)
{
	char *path = talloc_asprintf(fx->ctx, "%s/acme.000001.jsonl", fx->dir), *buf = talloc_zero_size(fx->ctx, 65536);
	FILE *f;

	sl_cx_export_flush(fx->x);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
		fclose(f);
	}
	talloc_free(path);
	return buf;
}

static struct sl_event call_end(const char *from, const char *to, enum sl_dir dir)
{
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.ts_us = (uint64_t)T_EV;
	ev.u.call.step = SL_CALL_END;
	ev.u.call.reason = SL_END_BYE;
	ev.u.call.answer_us = ev.ts_us - 42500000;
	ev.dir = dir;
	ev.location = SL_STR_LIT(PANI);
	sl_party_add(&ev.from, SL_ID_SIP_URI, "sip:a@example.net");
	sl_party_add(&ev.from, SL_ID_E164, from);
	sl_party_add(&ev.to, SL_ID_E164, to);
	return ev;
}

static void pseudo(const char *type_value, int64_t t, char out[65])
{
	struct sl_consent_subject s;

	assert_int_equal(sl_consent_subject_parse(type_value, &s), 0);
	assert_int_equal(sl_consent_pseudonym(master, "acme", sl_consent_epoch(t, 0), &s, out), 0);
}

static void test_call(void **state)
{
	void *ctx = talloc_new(NULL);
	size_t start = talloc_total_blocks(ctx);
	struct fx fx;
	struct sl_event ev;
	char pa[65], pb[65], want[2048], *got;
	int64_t t = (T_EV / 1000000) - (T_EV / 1000000) % 60;

	(void)state;
	setup_fx(&fx, ctx);
	pseudo("msisdn:+491700000001", T_EV, pa);
	pseudo("msisdn:+491700000002", T_EV, pb);
	/* A calls B, the BYE from A: both consented to calls, so each names the other; A's location is A's */
	ev = call_end("+491700000001", "+491700000002", SL_DIR_FROM_CALLER);
	sl_cx_flow_event(fx.f, &ev);
	got = lines(&fx);
	snprintf(want, sizeof(want),
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"caller\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},"
		 "\"device\":null}\n"
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"callee\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":null,\"device\":null}\n",
		 (long long)t, pa, pb, (long long)t, pb, pa);
	assert_string_equal(got, want);
	/* everything the path allocated is returned with its owners */
	talloc_free(fx.x);
	talloc_free(fx.f);
	ct_rmdir(ctx, fx.dir);
	talloc_free(fx.dir);
	talloc_free(fx.ix);
	talloc_free(got);
	assert_int_equal(talloc_total_blocks(ctx), start);
	talloc_free(ctx);
}

static void test_denials(void **state)
{
	void *ctx = talloc_new(NULL);
	struct fx fx;
	struct sl_event ev;
	struct rate_ctr_group *g;
	char pa[65], *got;

	(void)state;
	setup_fx(&fx, ctx);
	g = sl_cx_flow_ctrs(fx.f, 0);
	pseudo("msisdn:+491700000001", T_EV, pa);
	/* A calls D (withdrawn), BYE from D: only A, no peer, and no location (D sent it) */
	ev = call_end("+491700000001", "+491700000004", SL_DIR_FROM_CALLEE);
	sl_cx_flow_event(fx.f, &ev);
	/* an unknown caller to nobody with a number: no-record and no-subject */
	ev = call_end("+491700000009", "+491700000001", SL_DIR_FROM_CALLER);
	ev.to.n = 0;
	sl_party_add(&ev.to, SL_ID_SIP_URI, "sip:x@example.net");
	sl_cx_flow_event(fx.f, &ev);
	/* ringing steps, SIP messages and RTP summaries never flow */
	ev = call_end("+491700000001", "+491700000002", SL_DIR_FROM_CALLER);
	ev.u.call.step = SL_CALL_RINGING;
	sl_cx_flow_event(fx.f, &ev);
	ev.type = SL_EV_SIP;
	sl_cx_flow_event(fx.f, &ev);
	ev.type = SL_EV_RTP_STREAM;
	sl_cx_flow_event(fx.f, &ev);
	got = lines(&fx);
	assert_non_null(strstr(got, pa));
	assert_non_null(strstr(got, "\"peer\":null"));
	assert_null(strstr(got, "\"access\""));
	assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got)); /* one line */
	assert_int_equal(g->ctr[SL_CX_CTR_EXPORTED].current, 1);
	assert_int_equal(g->ctr[SL_CX_CTR_DENIED_FIRST + SL_CONSENT_DENY_WITHDRAWN - 1].current, 1);
	assert_int_equal(g->ctr[SL_CX_CTR_DENIED_FIRST + SL_CONSENT_DENY_NO_RECORD - 1].current, 1);
	assert_int_equal(g->ctr[SL_CX_CTR_NO_SUBJECT].current, 1);
	ct_rmdir(ctx, fx.dir);
	talloc_free(ctx);
}

static void test_message_imsi_and_registration(void **state)
{
	void *ctx = talloc_new(NULL);
	struct fx fx;
	struct sl_event ev;
	char pc[65], want[1024], *got;
	int64_t t = (T_EV / 1000000) - (T_EV / 1000000) % 60;

	(void)state;
	setup_fx(&fx, ctx);
	pseudo("imsi:262011234567890", T_EV, pc);
	/* C sends a message to B: C has no consent under its number but has one under its IMSI; B has none for messages */
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_MESSAGE;
	ev.ts_us = (uint64_t)T_EV;
	ev.dir = SL_DIR_FROM_CALLER;
	ev.location = SL_STR_LIT(PANI);
	sl_party_add(&ev.from, SL_ID_E164, "+491700000003");
	sl_party_add(&ev.from, SL_ID_IMSI, "262011234567890");
	sl_party_add(&ev.from, SL_ID_IMEI, "867287039522370");
	sl_party_add(&ev.to, SL_ID_E164, "+491700000002");
	sl_cx_flow_event(fx.f, &ev);
	/* C registers (the registering party carries only the IMSI): a location fact */
	ev.type = SL_EV_REGISTRATION;
	ev.u.reg.result = SL_REG_REGISTERED;
	ev.from.n = 0;
	sl_party_add(&ev.from, SL_ID_IMSI, "262011234567890");
	sl_cx_flow_event(fx.f, &ev);
	/* a challenged registration does not flow */
	ev.u.reg.result = SL_REG_CHALLENGED;
	sl_cx_flow_event(fx.f, &ev);
	got = lines(&fx);
	/* no device: C did not consent to it */
	snprintf(want, sizeof(want),
		 "{\"type\":\"message\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"sender\",\"peer\":null,"
		 "\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},\"device\":null}\n"
		 "{\"type\":\"registration\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"subscriber\","
		 "\"result\":\"registered\",\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},\"device\":null}\n",
		 (long long)t, pc, (long long)t, pc);
	assert_string_equal(got, want);
	ct_rmdir(ctx, fx.dir);
	talloc_free(ctx);
}

/*
 * A cell that came from the UE binding table (a GTPv2-C ULI) rather than
 * P-Access-Network-Info: coarsened to the area like a header's, given to
 * the sender only; an NR cell, which no location rule knows, gives none.
 */
static void test_bound_cell(void **state)
{
	void *ctx = talloc_new(NULL);
	struct fx fx;
	struct sl_event ev;
	struct sl_cell cell = { .access = SL_ACCESS_EUTRAN, .mcc = "262", .mnc = "01", .area = 1, .cell = 0x101 };
	char pa[65], pb[65], want[2048], *got;
	int64_t t = (T_EV / 1000000) - (T_EV / 1000000) % 60;

	(void)state;
	setup_fx(&fx, ctx);
	pseudo("msisdn:+491700000001", T_EV, pa);
	pseudo("msisdn:+491700000002", T_EV, pb);
	ev = call_end("+491700000001", "+491700000002", SL_DIR_FROM_CALLER);
	ev.location = SL_STR_NULL;
	ev.cell = &cell;
	sl_cx_flow_event(fx.f, &ev);
	cell.access = SL_ACCESS_NR;
	sl_cx_flow_event(fx.f, &ev);
	got = lines(&fx);
	snprintf(want, sizeof(want),
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"caller\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":{\"access\":\"eutran\",\"area\":\"262010001\"},"
		 "\"device\":null}\n"
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"callee\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":null,\"device\":null}\n"
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"caller\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":null,\"device\":null}\n"
		 "{\"type\":\"call\",\"time\":%lld,\"subject\":\"%s\",\"role\":\"callee\",\"peer\":\"%s\",\"answered\":true,"
		 "\"duration\":42,\"outcome\":\"bye\",\"location\":null,\"device\":null}\n",
		 (long long)t, pa, pb, (long long)t, pb, pa, (long long)t, pa, pb, (long long)t, pb, pa);
	assert_string_equal(got, want);
	ct_rmdir(ctx, fx.dir);
	talloc_free(ctx);
}

struct seen {
	char buf[8192];
	size_t len;
};

static void tap(void *data, const char *line, size_t len)
{
	struct seen *t = data;

	assert_true(t->len + len < sizeof(t->buf));
	memcpy(t->buf + t->len, line, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

static void observe(void *data, const struct sl_cx_observation *o)
{
	struct seen *t = data;
	int n = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s %lld %s %s\n", sl_cx_kind_names[o->kind],
			 (long long)o->time_us, o->area ? o->area : "-", o->identity);

	assert_true(n > 0 && (size_t)n < sizeof(t->buf) - t->len);
	t->len += (size_t)n;
}

/* Every kind of event through fx's flow, in two halves when early; lines and observations. */
static void run_all(struct fx *fx, bool prefetch, bool early, struct seen *lines_seen, struct seen *obs)
{
	struct sl_cell cell = { .access = SL_ACCESS_GERAN, .mcc = "262", .mnc = "01", .area = 0xbeef, .cell = 0x1234 };
	struct sl_event ev[4];
	unsigned i, k;

	memset(lines_seen, 0, sizeof(*lines_seen));
	memset(obs, 0, sizeof(*obs));
	assert_int_equal(sl_cx_flow_tap(fx->f, 0, tap, lines_seen), 0);
	assert_int_equal(sl_cx_flow_observe(fx->f, 0, observe, obs), 0);
	sl_cx_flow_prefetch(fx->f, prefetch);
	ev[0] = call_end("+491700000001", "+491700000002", SL_DIR_FROM_CALLER);
	ev[1] = call_end("+491700000001", "+491700000002", SL_DIR_FROM_CALLER);
	ev[1].location = SL_STR_NULL;
	ev[1].cell = &cell;
	ev[2] = ev[1];
	ev[2].type = SL_EV_MESSAGE;
	ev[3] = ev[0];
	ev[3].type = SL_EV_REGISTRATION;
	ev[3].u.reg.result = SL_REG_REGISTERED;
	for (i = 0; i < 4; i++) {
		if (early) {
			struct sl_cx_subjects st;
			sl_cx_flow_begin(fx->f, &ev[i], &st);
			/* a refresh in between: unrelated subjects, enough to grow and rehash the table */
			for (k = 0; i == 0 && k < 200; k++) {
				char v[20];
				snprintf(v, sizeof(v), "+4917999%05u", k);
				put(fx, SL_CONSENT_SUBJ_MSISDN, v, CAT(CALL_METADATA), SL_CONSENT_GIVEN);
			}
			sl_cx_flow_end(fx->f, &ev[i], &st);
		} else {
			sl_cx_flow_event(fx->f, &ev[i]);
		}
	}
}

static void test_prefetch_same_output(void **state)
{
	void *ctx = talloc_new(NULL);
	struct fx fx;
	static struct seen l_on, o_on, l_off, o_off, l_early, o_early;

	(void)state;
	setup_fx(&fx, ctx);
	run_all(&fx, true, false, &l_on, &o_on);
	run_all(&fx, false, false, &l_off, &o_off);
	run_all(&fx, true, true, &l_early, &o_early);
	/* caller and callee of two calls, sender of the message, the registration */
	assert_non_null(strstr(l_on.buf, "\"area\":\"26201beef\""));
	assert_non_null(strstr(o_on.buf, "call "));
	assert_non_null(strstr(o_on.buf, " 26201beef msisdn:+491700000001"));
	assert_int_equal(l_on.len, l_off.len);
	assert_string_equal(l_on.buf, l_off.buf);
	assert_string_equal(l_on.buf, l_early.buf);
	assert_string_equal(o_on.buf, o_off.buf);
	assert_string_equal(o_on.buf, o_early.buf);
	ct_rmdir(ctx, fx.dir);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call),
		cmocka_unit_test(test_denials),
		cmocka_unit_test(test_message_imsi_and_registration),
		cmocka_unit_test(test_bound_cell),
		cmocka_unit_test(test_prefetch_same_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
