/*
 * Pipeline tests, dialog eviction ranked by evidence (issue 16).
 *
 * When the dialog table is full, what the far end never answered goes
 * first: a flood of unanswered INVITEs, however large, must not evict a
 * call that is ringing, and that call's answer and end are then reported
 * at their own times instead of being counted as stray. Only when every
 * dialog has an answer is the oldest answered one evicted. Each class has
 * its own counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "tests/unit/pipeline_fixture.h"

#define TS0 1700000000000000ull
#define MS 1000ull
#define MAX_DIALOGS 16
#define FLOOD 2000

static void sip_send(struct pfx *f, uint64_t ts, bool a_to_b, const char *start, const char *call_id, uint32_t cseq,
		 const char *method, const char *to_tag)
{
	char msg[2048];

	pfx_sip(msg, sizeof(msg), start, call_id, cseq, method, "ft", to_tag, NULL, NULL, NULL);
	pfx_sip_udp(f, ts, a_to_b, msg);
}

static struct pfx *small_table(void)
{
	struct sl_capture_cfg cfg;

	sl_capture_cfg_default(&cfg);
	cfg.max_dialogs = MAX_DIALOGS;
	return pfx_new(&cfg);
}

/* The call step event of call_id, or NULL. */
static const struct rec_event *step(const struct pfx *f, const char *call_id, enum sl_call_step s)
{
	unsigned i;

	for (i = 0; i < f->n_ev; i++)
		if (f->ev[i].type == SL_EV_CALL && f->ev[i].call.step == s && !strcmp(f->ev[i].call_id, call_id))
			return &f->ev[i];
	return NULL;
}

static void test_flood_cannot_evict_ringing_call(void **state)
{
	struct pfx *f = small_table();
	const struct rec_event *e;
	char id[64];
	unsigned i;

	(void)state;
	sip_send(f, TS0, true, "INVITE sip:bob@example.com", "ring@example.com", 1, "INVITE", NULL);
	sip_send(f, TS0 + 5 * MS, false, "SIP/2.0 100 Trying", "ring@example.com", 1, "INVITE", NULL);
	sip_send(f, TS0 + 10 * MS, false, "SIP/2.0 180 Ringing", "ring@example.com", 1, "INVITE", "tt");
	/* an INVITE answered only by 100 Trying has no answer from the far end */
	sip_send(f, TS0 + 11 * MS, true, "INVITE sip:carol@example.com", "trying@example.com", 1, "INVITE", NULL);
	sip_send(f, TS0 + 12 * MS, false, "SIP/2.0 100 Trying", "trying@example.com", 1, "INVITE", NULL);
	for (i = 0; i < FLOOD; i++) {
		snprintf(id, sizeof(id), "flood-%u@example.com", i);
		sip_send(f, TS0 + 20 * MS + i * 100, true, "INVITE sip:bob@example.com", id, 1, "INVITE", NULL);
		if (f->n_ev > PFX_MAX_EVENTS - 8)
			pfx_clear_events(f);
	}
	pfx_clear_events(f);
	sip_send(f, TS0 + 2000 * MS, false, "SIP/2.0 200 OK", "ring@example.com", 1, "INVITE", "tt");
	sip_send(f, TS0 + 2010 * MS, true, "ACK sip:bob@example.com", "ring@example.com", 1, "ACK", "tt");
	sip_send(f, TS0 + 60000 * MS, true, "BYE sip:bob@example.com", "ring@example.com", 2, "BYE", "tt");

	e = step(f, "ring@example.com", SL_CALL_ANSWER);
	assert_non_null(e);
	assert_int_equal(e->ts_us, TS0 + 2000 * MS);
	e = step(f, "ring@example.com", SL_CALL_END);
	assert_non_null(e);
	assert_int_equal(e->ts_us, TS0 + 60000 * MS);
	assert_int_not_equal(e->call.reason, SL_END_EVICTED);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_STRAY), 0);
	/* everything but the ringing call was evicted as unanswered, the 100-only INVITE among the first */
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED_UNANSWERED), FLOOD + 2 - MAX_DIALOGS);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED_ANSWERED), 0);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED), FLOOD + 2 - MAX_DIALOGS);
	pfx_free(f);
}

/* Every dialog answered: the oldest answered one goes, counted as such; ended ones go before any. */
static void test_all_answered_oldest_first(void **state)
{
	struct pfx *f = small_table();
	const struct rec_event *e;
	char id[64];
	unsigned i;

	(void)state;
	for (i = 0; i < MAX_DIALOGS; i++) {
		snprintf(id, sizeof(id), "ans-%u@example.com", i);
		sip_send(f, TS0 + i * MS, true, "INVITE sip:bob@example.com", id, 1, "INVITE", NULL);
		sip_send(f, TS0 + i * MS + 500, false, "SIP/2.0 180 Ringing", id, 1, "INVITE", "tt");
	}
	sip_send(f, TS0 + 100 * MS, true, "INVITE sip:bob@example.com", "new-1@example.com", 1, "INVITE", NULL);
	e = step(f, "ans-0@example.com", SL_CALL_END);
	assert_non_null(e);
	assert_int_equal(e->call.reason, SL_END_EVICTED);
	assert_null(step(f, "ans-1@example.com", SL_CALL_END));
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED_ANSWERED), 1);

	/* an ended call lingers, and goes before the unanswered new-1 */
	sip_send(f, TS0 + 200 * MS, false, "SIP/2.0 486 Busy Here", "ans-1@example.com", 1, "INVITE", "tt");
	sip_send(f, TS0 + 300 * MS, true, "INVITE sip:bob@example.com", "new-2@example.com", 1, "INVITE", NULL);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED_ENDED), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_EVICTED_UNANSWERED), 0);
	pfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_cannot_evict_ringing_call),
		cmocka_unit_test(test_all_answered_oldest_first),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
