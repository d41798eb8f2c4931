/*
 * Unit tests for the consent predicate (consent_policy.c), table-driven:
 * every combination of the record's status (5) x the request's time
 * against the validity window (before, inside, after) x recipient match x
 * purpose match x category match, 120 cases, each with the reason the
 * documented order of checks gives; the window's edges (valid_from
 * inclusive, valid_until exclusive); content refused whatever the record
 * says; bad requests; and each decision counted once under its reason.
 * The variants given the subject's index hash answer the same, and with a
 * wrong hash never more than no-record.
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

#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_policy.h"
#include "tests/unit/consent_test_util.h"

#define FROM (T0 + 10 * DAY_US)
#define UNTIL (T0 + 20 * DAY_US)
#define COVERED (SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) | SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION))

enum when { BEFORE, INSIDE, AFTER };
static const int64_t when_us[3] = { FROM - 1, FROM + DAY_US, UNTIL };

/* What a status alone says once the record is found. */
static const enum sl_consent_reason status_verdict[_SL_CONSENT_STATUS_COUNT] = {
	[SL_CONSENT_GIVEN] = SL_CONSENT_ALLOWED, /* then window and category decide */
	[SL_CONSENT_REFUSED] = SL_CONSENT_DENY_REFUSED,
	[SL_CONSENT_WITHDRAWN] = SL_CONSENT_DENY_WITHDRAWN,
	[SL_CONSENT_EXPIRED] = SL_CONSENT_DENY_EXPIRED,
	[SL_CONSENT_INVALIDATED] = SL_CONSENT_DENY_INVALIDATED,
};
/* What the window says for a given consent. */
static const enum sl_consent_reason when_verdict[3] = {
	[BEFORE] = SL_CONSENT_DENY_NOT_YET_VALID,
	[INSIDE] = SL_CONSENT_ALLOWED,
	[AFTER] = SL_CONSENT_DENY_EXPIRED,
};

static struct sl_consent_index *one_record(void *ctx, enum sl_consent_status st)
{
	struct sl_consent_index *ix = sl_consent_index_alloc(ctx, NULL, 0);
	struct sl_consent_subject s;
	struct sl_consent_row row = { .subject = &s, .recipient = "acme", .purpose = SL_CONSENT_P_MARKETING,
				      .categories = COVERED, .status = st, .valid_from_us = FROM, .valid_until_us = UNTIL };

	assert_non_null(ix);
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, "+4917012345678"), 0);
	assert_int_equal(sl_consent_index_put(ix, &row), 0);
	/* a second recipient with another purpose for the same subject, so a mismatch is not an empty subject */
	row.recipient = "beta";
	row.purpose = SL_CONSENT_P_COMMERCIAL_RESEARCH;
	row.status = SL_CONSENT_GIVEN;
	assert_int_equal(sl_consent_index_put(ix, &row), 0);
	return ix;
}

static void test_every_combination(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_consent_subject s;
	unsigned st, w, rm, pm, cm, cases = 0;
	uint64_t counted[_SL_CONSENT_REASON_COUNT] = { 0 };

	(void)state;
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, "+4917012345678"), 0);
	for (st = 0; st < _SL_CONSENT_STATUS_COUNT; st++) {
		struct sl_consent_index *ix = one_record(ctx, (enum sl_consent_status)st);
		const struct rate_ctr_group *g = sl_consent_index_ctrs(ix);
		unsigned r;
		for (w = 0; w < 3; w++)
			for (rm = 0; rm < 2; rm++)
				for (pm = 0; pm < 2; pm++)
					for (cm = 0; cm < 2; cm++) {
						enum sl_consent_reason want, got, why;
						const char *recip = rm ? "acme" : "gamma";
						enum sl_consent_purpose p = pm ? SL_CONSENT_P_MARKETING
									       : SL_CONSENT_P_RESEARCH_AND_DEVELOPMENT;
						enum sl_consent_category c = cm ? SL_CONSENT_CAT_LOCATION
										: SL_CONSENT_CAT_DEVICE;
						if (!rm || !pm)
							want = SL_CONSENT_DENY_NO_RECORD;
						else if (st != SL_CONSENT_GIVEN)
							want = status_verdict[st];
						else if (when_verdict[w] != SL_CONSENT_ALLOWED)
							want = when_verdict[w];
						else
							want = cm ? SL_CONSENT_ALLOWED : SL_CONSENT_DENY_CATEGORY;
						got = sl_consent_decide(ix, &s, recip, p, c, when_us[w]);
						if (got != want)
							fail_msg("status %s, time %u, recipient %u, purpose %u, category %u: "
								 "%s, want %s",
								 sl_consent_status_names[st], w, rm, pm, cm,
								 sl_consent_reason_names[got], sl_consent_reason_names[want]);
						assert_int_equal(sl_consent_allows(ix, &s, recip, p, c, when_us[w], &why),
								 want == SL_CONSENT_ALLOWED);
						assert_int_equal(why, want);
						counted[want]++;
						/* the hash computed once by the caller: the same answer, counted the same */
						assert_int_equal(sl_consent_allows_h(ix, &s, sl_consent_index_hash(&s), recip,
										     p, c, when_us[w], &why),
								 want == SL_CONSENT_ALLOWED);
						assert_int_equal(why, want);
						counted[want]++;
						/* a wrong hash finds no record: never an allowance */
						assert_int_equal(sl_consent_decide_h(ix, &s, sl_consent_index_hash(&s) ^ 1,
										     recip, p, c, when_us[w]),
								 SL_CONSENT_DENY_NO_RECORD);
						cases++;
					}
		/* content: never, whatever the record, the time or the match */
		for (w = 0; w < 3; w++) {
			enum sl_consent_reason why;
			assert_false(sl_consent_allows(ix, &s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CONTENT,
						       when_us[w], &why));
			assert_int_equal(why, SL_CONSENT_DENY_CONTENT);
			counted[SL_CONSENT_DENY_CONTENT]++;
		}
		/* the group counted exactly this index's decisions */
		for (r = 0; r < _SL_CONSENT_REASON_COUNT; r++) {
			assert_int_equal(g->ctr[r].current, counted[r]);
			counted[r] = 0;
		}
		talloc_free(ix);
	}
	assert_int_equal(cases, 5 * 3 * 2 * 2 * 2);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
}

static void test_unterminated_hash(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_index *ix = one_record(ctx, SL_CONSENT_GIVEN);
	struct sl_consent_subject s;

	(void)state;
	memset(&s, '9', sizeof(s));
	s.type = SL_CONSENT_SUBJ_MSISDN;
	/* no NUL in the value: no hash is read past it, and the predicate calls it a bad request */
	assert_int_equal(sl_consent_index_hash(&s), 0);
	assert_int_equal(sl_consent_decide_h(ix, &s, 0, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION,
					     FROM + DAY_US),
			 SL_CONSENT_DENY_BAD_REQUEST);
	talloc_free(ctx);
}

static void test_edges_and_bad_requests(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_index *ix = one_record(ctx, SL_CONSENT_GIVEN);
	struct sl_consent_subject s, other;

	(void)state;
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, "+4917012345678"), 0);
	assert_int_equal(sl_consent_subject_set(&other, SL_CONSENT_SUBJ_IMSI, "4917012345678"), 0);
#define D(subj, rec, p, c, t) sl_consent_decide(ix, subj, rec, p, c, t)
	assert_int_equal(D(&s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, FROM), SL_CONSENT_ALLOWED);
	assert_int_equal(D(&s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, UNTIL - 1), SL_CONSENT_ALLOWED);
	assert_int_equal(D(&s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, UNTIL), SL_CONSENT_DENY_EXPIRED);
	assert_int_equal(D(&s, "beta", SL_CONSENT_P_COMMERCIAL_RESEARCH, SL_CONSENT_CAT_CALL_METADATA, FROM),
			 SL_CONSENT_ALLOWED);
	assert_int_equal(D(&s, "beta", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CALL_METADATA, FROM),
			 SL_CONSENT_DENY_NO_RECORD);
	assert_int_equal(D(&other, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, FROM),
			 SL_CONSENT_DENY_NO_RECORD);
	assert_int_equal(D(NULL, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, FROM),
			 SL_CONSENT_DENY_BAD_REQUEST);
	assert_int_equal(D(&s, NULL, SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_LOCATION, FROM),
			 SL_CONSENT_DENY_BAD_REQUEST);
	assert_int_equal(D(&s, "acme", _SL_CONSENT_P_COUNT, SL_CONSENT_CAT_LOCATION, FROM), SL_CONSENT_DENY_BAD_REQUEST);
	assert_int_equal(D(&s, "acme", SL_CONSENT_P_MARKETING, _SL_CONSENT_CAT_COUNT, FROM), SL_CONSENT_DENY_BAD_REQUEST);
	assert_int_equal(D(NULL, NULL, SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CONTENT, FROM), SL_CONSENT_DENY_CONTENT);
#undef D
	talloc_free(ctx);
}

static void test_reason_names(void **state)
{
	unsigned r;

	(void)state;
	for (r = 0; r < _SL_CONSENT_REASON_COUNT; r++) {
		assert_non_null(sl_consent_reason_names[r]);
		assert_non_null(strstr(sl_consent_ctrg_desc.ctr_desc[r].name, sl_consent_reason_names[r]));
	}
	assert_int_equal(sl_consent_ctrg_desc.num_ctr, _SL_CONSENT_CTR_COUNT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_combination),
		cmocka_unit_test(test_edges_and_bad_requests),
		cmocka_unit_test(test_unterminated_hash),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
