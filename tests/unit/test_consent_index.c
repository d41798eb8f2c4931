/*
 * Unit tests for the in-memory consent index (consent_index.c): a refresh
 * applies exactly what was committed since the last one, from another
 * connection (another process, as `sluice consent` beside sluiced) or the
 * same one, and costs nothing when nothing changed; withdrawals and
 * notice invalidations reach the predicate after one refresh; the table
 * grows without losing subjects; talloc blocks return to their start.
 * Across processes: a child grants and then withdraws, telling the parent
 * after each commit; the parent refreshes every 100 ms, as sluiced does at
 * least once a second, and each change must reach its decision within
 * one second of the commit.
 *
 * The absent-subject filter in front of the table must never answer
 * "absent" for a subject that has a record: a property test drives a
 * store through random grants, withdrawals, notice-version changes
 * (invalidating earlier grants), refreshes and full reloads, and after
 * each refresh asks the index for every subject ever granted; another
 * fills the index past several filter rebuilds and checks both that no
 * present subject is filtered out and that the filter does its job
 * (rejects all but a few per cent of absent subjects). The two-stage
 * fetch of the consent flow gives the filter's answer at every size, and
 * a subject the filter lets through without a record is still denied.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_policy.h"
#include "mediation/consent/consent_store.h"
#include "tests/unit/consent_test_util.h"

#define CALL SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA)

static void grant(void *ctx, struct sl_consent_store *s, const char *id, const char *msisdn, const char *notice)
{
	struct sl_consent_record r = ct_record(ctx, id, msisdn, "acme", SL_CONSENT_P_MARKETING, CALL, notice);
	char *err = NULL;

	assert_int_equal(sl_consent_store_grant(s, &r, T0 + DAY_US, &err), 0);
	talloc_free(r.history);
}

static enum sl_consent_reason decide(struct sl_consent_index *ix, const char *msisdn)
{
	struct sl_consent_subject s;

	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, msisdn), 0);
	return sl_consent_decide(ix, &s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CALL_METADATA, T0 + 2 * DAY_US);
}

static void test_refresh_two_connections(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	size_t blocks = talloc_total_blocks(ctx);
	char *dir = ct_tmpdir(NULL), *path = talloc_asprintf(dir, "%s/c.db", dir), *err = NULL;
	struct sl_consent_store *writer, *reader;
	struct sl_consent_index *ix;
	struct sl_consent_index_stats st;

	(void)state;
	assert_int_equal(sl_consent_store_open(ctx, path, &writer, &err), 0);
	assert_int_equal(sl_consent_store_open(ctx, path, &reader, &err), 0);
	ix = sl_consent_index_alloc(ctx, reader, 0);
	assert_non_null(ix);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 0); /* empty store: nothing to apply */
	assert_int_equal(decide(ix, "+4917000000001"), SL_CONSENT_DENY_NO_RECORD);

	grant(ctx, writer, "a", "+4917000000001", "v1");
	grant(ctx, writer, "b", "+4917000000002", "v1");
	assert_int_equal(decide(ix, "+4917000000001"), SL_CONSENT_DENY_NO_RECORD); /* not refreshed yet */
	assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
	assert_int_equal(decide(ix, "+4917000000001"), SL_CONSENT_ALLOWED);
	assert_int_equal(decide(ix, "+4917000000002"), SL_CONSENT_ALLOWED);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 0); /* nothing new */

	assert_int_equal(sl_consent_store_withdraw(writer, "a", T0 + DAY_US, &err), 0);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
	assert_int_equal(decide(ix, "+4917000000001"), SL_CONSENT_DENY_WITHDRAWN);
	assert_int_equal(decide(ix, "+4917000000002"), SL_CONSENT_ALLOWED);

	/* a new notice version invalidates b; the new subject c is given */
	grant(ctx, writer, "c", "+4917000000003", "v2");
	assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
	assert_int_equal(decide(ix, "+4917000000002"), SL_CONSENT_DENY_INVALIDATED);
	assert_int_equal(decide(ix, "+4917000000003"), SL_CONSENT_ALLOWED);
	sl_consent_index_stats(ix, &st);
	assert_int_equal(st.subjects, 3);
	assert_int_equal(st.records, 3);
	assert_int_equal(st.refreshes, 3);

	/* an index on the writer's own connection sees its own commits */
	talloc_free(ix);
	ix = sl_consent_index_alloc(ctx, writer, 1);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
	assert_int_equal(decide(ix, "+4917000000003"), SL_CONSENT_ALLOWED);
	assert_int_equal(sl_consent_store_withdraw(writer, "c", T0 + DAY_US, &err), 0);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
	assert_int_equal(decide(ix, "+4917000000003"), SL_CONSENT_DENY_WITHDRAWN);

	/* a failed write changes nothing the index can see */
	{
		struct sl_consent_record r = ct_record(ctx, "d", "+4917000000004", "acme", SL_CONSENT_P_MARKETING, CALL,
						       "v1");
		assert_int_equal(sl_consent_store_grant(writer, &r, T0 + DAY_US, &err), -ESTALE);
		talloc_free(r.history);
		assert_int_equal(sl_consent_index_refresh(ix, &err), 0);
		assert_int_equal(decide(ix, "+4917000000004"), SL_CONSENT_DENY_NO_RECORD);
	}
	talloc_free(ix);
	talloc_free(reader);
	talloc_free(writer);
	assert_int_equal(talloc_total_blocks(ctx), blocks);
	talloc_free(ctx);
	ct_rmdir(NULL, dir);
	talloc_free(dir);
}

static void test_growth(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_index *ix = sl_consent_index_alloc(ctx, NULL, 2);
	struct sl_consent_index_stats st;
	struct sl_consent_subject s;
	unsigned i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		char v[20];
		snprintf(v, sizeof(v), "+49170%08u", i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		struct sl_consent_row row = { .subject = &s, .recipient = i % 2 ? "acme" : "beta",
					      .purpose = SL_CONSENT_P_MARKETING, .categories = CALL,
					      .status = SL_CONSENT_GIVEN, .valid_from_us = T0, .valid_until_us = T0 + DAY_US };
		assert_int_equal(sl_consent_index_put(ix, &row), 0);
	}
	for (i = 0; i < 50000; i++) {
		char v[20];
		snprintf(v, sizeof(v), "+49170%08u", i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		sl_consent_index_prefetch(ix, &s); /* a hint only: the answer is the same */
		assert_int_equal(sl_consent_decide(ix, &s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CALL_METADATA,
						   T0), i % 2 ? SL_CONSENT_ALLOWED : SL_CONSENT_DENY_NO_RECORD);
	}
	/* the same digits as an IMSI are another subject */
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_IMSI, "49170000001"), 0);
	assert_int_equal(sl_consent_decide(ix, &s, "acme", SL_CONSENT_P_MARKETING, SL_CONSENT_CAT_CALL_METADATA, T0),
			 SL_CONSENT_DENY_NO_RECORD);
	sl_consent_index_stats(ix, &st);
	assert_int_equal(st.subjects, 50000);
	assert_int_equal(st.recipients, 2);
	talloc_free(ctx);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Refreshes every 100 ms until the decision for msisdn is want; returns the wait in µs, or -1 after 1 s. */
static int64_t wait_for(struct sl_consent_index *ix, const char *msisdn, enum sl_consent_reason want)
{
	int64_t t0 = mono_us();
	char *err = NULL;

	for (;;) {
		assert_true(sl_consent_index_refresh(ix, &err) >= 0);
		if (decide(ix, msisdn) == want)
			return mono_us() - t0;
		if (mono_us() - t0 > 1000000)
			return -1;
		usleep(100000);
	}
}

static void test_refresh_other_process(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = ct_tmpdir(NULL), *path = talloc_asprintf(dir, "%s/c.db", dir), *err = NULL;
	struct sl_consent_store *reader;
	struct sl_consent_index *ix;
	int fds[2], back[2], status;
	char go;
	pid_t pid;

	(void)state;
	assert_int_equal(sl_consent_store_open(ctx, path, &reader, &err), 0);
	ix = sl_consent_index_alloc(ctx, reader, 3);
	assert_int_equal(sl_consent_index_refresh(ix, &err), 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(back), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the child: its own connection, one change per byte read from the parent */
		struct sl_consent_store *w;
		void *cctx = talloc_named_const(NULL, 0, "child");
		int rc = 1;
		close(fds[1]);
		close(back[0]);
		if (sl_consent_store_open(cctx, path, &w, &err) == 0 && read(fds[0], &go, 1) == 1) {
			struct sl_consent_record r = ct_record(cctx, "p", "+4917000000042", "acme", SL_CONSENT_P_MARKETING,
							       CALL, "v1");
			if (sl_consent_store_grant(w, &r, T0 + DAY_US, &err) == 0 && write(back[1], "c", 1) == 1 &&
			    read(fds[0], &go, 1) == 1 && sl_consent_store_withdraw(w, "p", T0 + DAY_US, &err) == 0 &&
			    write(back[1], "c", 1) == 1)
				rc = 0;
		}
		talloc_free(cctx);
		_exit(rc);
	}
	close(fds[0]);
	close(back[1]);
	assert_int_equal(write(fds[1], "g", 1), 1);
	assert_int_equal(read(back[0], &go, 1), 1); /* committed */
	assert_true(wait_for(ix, "+4917000000042", SL_CONSENT_ALLOWED) >= 0);
	assert_int_equal(write(fds[1], "w", 1), 1);
	assert_int_equal(read(back[0], &go, 1), 1);
	assert_true(wait_for(ix, "+4917000000042", SL_CONSENT_DENY_WITHDRAWN) >= 0);
	close(fds[1]);
	close(back[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	talloc_free(ctx);
	ct_rmdir(NULL, dir);
	talloc_free(dir);
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void msisdn_of(char *v, size_t n, unsigned i)
{
	snprintf(v, n, "+4917%09u", (i * 7919u) % 1000000000u);
}

/* Every granted subject is present after each refresh, whatever happened to its record since. */
static void check_all_present(struct sl_consent_index *ix, unsigned granted)
{
	struct sl_consent_subject s;
	char v[24];
	unsigned i;

	for (i = 0; i < granted; i++) {
		msisdn_of(v, sizeof(v), i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		assert_true(sl_consent_index_maybe(ix, &s));
		assert_non_null(sl_consent_index_first(ix, &s));
		assert_int_not_equal(decide(ix, v), SL_CONSENT_DENY_NO_RECORD);
	}
}

static void test_filter_property_store(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = ct_tmpdir(NULL), *path = talloc_asprintf(dir, "%s/c.db", dir), *err = NULL;
	struct sl_consent_store *w;
	struct sl_consent_index *ix;
	uint64_t seed = 0x1234567887654321ull;
	unsigned granted = 0, notice = 1, withdrawn = 0, invalidations = 0, reloads = 0, op;

	(void)state;
	assert_int_equal(sl_consent_store_open(ctx, path, &w, &err), 0);
	ix = sl_consent_index_alloc(ctx, w, 4);
	assert_non_null(ix);
	for (op = 0; op < 3000; op++) {
		unsigned what = (unsigned)(rng(&seed) % 100);
		char id[16], v[SL_CONSENT_SUBJECT_MAX + 1], nv[16];

		if (what < 60 || granted == 0) {
			/* a new subject; now and then under a new notice version, invalidating earlier grants */
			if (what < 3) {
				notice++;
				invalidations++;
			}
			snprintf(id, sizeof(id), "g%u", granted);
			snprintf(nv, sizeof(nv), "v%u", notice);
			msisdn_of(v, sizeof(v), granted);
			struct sl_consent_record r = ct_record(ctx, id, v, "acme", SL_CONSENT_P_MARKETING, CALL, nv);
			assert_int_equal(sl_consent_store_grant(w, &r, T0 + DAY_US, &err), 0);
			talloc_free(r.history);
			granted++;
		} else if (what < 85) {
			snprintf(id, sizeof(id), "g%u", (unsigned)(rng(&seed) % granted));
			if (sl_consent_store_withdraw(w, id, T0 + DAY_US, &err) == 0)
				withdrawn++;
		} else if (what < 97) {
			assert_true(sl_consent_index_refresh(ix, &err) >= 0);
			check_all_present(ix, granted);
		} else {
			talloc_free(ix); /* a restart: the whole registry loaded afresh */
			ix = sl_consent_index_alloc(ctx, w, 4);
			assert_non_null(ix);
			assert_int_equal(sl_consent_index_refresh(ix, &err), 1);
			check_all_present(ix, granted);
			reloads++;
		}
	}
	assert_true(sl_consent_index_refresh(ix, &err) >= 0);
	check_all_present(ix, granted);
	/* the run exercised every kind of change */
	assert_true(granted > 1000 && withdrawn > 20 && invalidations > 10 && reloads > 10);
	talloc_free(ctx);
	ct_rmdir(NULL, dir);
	talloc_free(dir);
}

static void test_filter_property_put(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_index *ix = sl_consent_index_alloc(ctx, NULL, 5);
	struct sl_consent_index_stats st;
	struct sl_consent_subject s;
	unsigned i, j, passed = 0;
	char v[24];

	(void)state;
	for (i = 0; i < 200000; i++) {
		msisdn_of(v, sizeof(v), i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		struct sl_consent_row row = { .subject = &s, .recipient = "acme", .purpose = SL_CONSENT_P_MARKETING,
					      .categories = CALL, .status = i % 3 ? SL_CONSENT_GIVEN : SL_CONSENT_WITHDRAWN,
					      .valid_from_us = T0, .valid_until_us = T0 + DAY_US };
		assert_int_equal(sl_consent_index_put(ix, &row), 0);
		/* after each doubling of the filter, everything inserted so far */
		if ((i & (i + 1)) == 0)
			for (j = 0; j <= i; j++) {
				msisdn_of(v, sizeof(v), j);
				assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
				assert_true(sl_consent_index_maybe(ix, &s));
			}
	}
	for (i = 0; i < 200000; i++) {
		msisdn_of(v, sizeof(v), i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		assert_true(sl_consent_index_maybe(ix, &s));
		assert_non_null(sl_consent_index_first(ix, &s));
	}
	/* absent subjects (other digits, or the same digits as IMSIs): almost all stopped by the filter */
	for (i = 0; i < 100000; i++) {
		snprintf(v, sizeof(v), "+4918%09u", i);
		assert_int_equal(sl_consent_subject_set(&s, i % 2 ? SL_CONSENT_SUBJ_MSISDN : SL_CONSENT_SUBJ_IMSI,
							i % 2 ? v : v + 1),
				 0);
		assert_null(sl_consent_index_first(ix, &s));
		passed += sl_consent_index_maybe(ix, &s);
	}
	assert_true(passed < 100000 / 50); /* under 2 % false positives at 16 bits per subject */
	sl_consent_index_stats(ix, &st);
	assert_true(st.filter_bytes * 8 >= 16 * st.subjects && st.filter_bytes * 8 < 64 * st.subjects);
	talloc_free(ctx);
}

/*
 * The two-stage fetch the flow uses (sl_consent_index_prefetch_filter_h(),
 * _line_h()): the second stage's answer is the filter's, so it is never
 * false for a present subject (at the smallest table, and after every
 * rebuild of the table and the filter), false for every subject of an
 * empty index, and a subject it passes without a record (a false
 * positive) is still denied. Any hash, even one no subject has, is safe.
 */
static void test_prefetch_stages(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	struct sl_consent_index *ix = sl_consent_index_alloc(ctx, NULL, 6);
	struct sl_consent_subject s;
	unsigned i, j, fp = 0, fp_denied = 0;
	char v[24];

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(v, sizeof(v), "+4918%09u", i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		sl_consent_index_prefetch_filter_h(ix, sl_consent_index_hash(&s));
		assert_false(sl_consent_index_prefetch_line_h(ix, sl_consent_index_hash(&s)));
	}
	sl_consent_index_prefetch_filter_h(ix, 0);
	sl_consent_index_prefetch_filter_h(ix, UINT64_MAX);
	assert_false(sl_consent_index_prefetch_line_h(ix, 0));
	for (i = 0; i < 40000; i++) {
		msisdn_of(v, sizeof(v), i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		struct sl_consent_row row = { .subject = &s, .recipient = "acme", .purpose = SL_CONSENT_P_MARKETING,
					      .categories = CALL, .status = SL_CONSENT_GIVEN,
					      .valid_from_us = T0, .valid_until_us = T0 + DAY_US };
		assert_int_equal(sl_consent_index_put(ix, &row), 0);
		if ((i & (i + 1)) == 0) /* 1, 2, 4, ... subjects: every table and filter size on the way */
			for (j = 0; j <= i; j++) {
				msisdn_of(v, sizeof(v), j);
				assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
				sl_consent_index_prefetch_filter_h(ix, sl_consent_index_hash(&s));
				assert_true(sl_consent_index_prefetch_line_h(ix, sl_consent_index_hash(&s)));
			}
	}
	sl_consent_index_prefetch_filter_h(ix, UINT64_MAX);
	(void)sl_consent_index_prefetch_line_h(ix, UINT64_MAX);
	for (i = 0; i < 100000; i++) {
		uint64_t h;
		bool maybe;
		snprintf(v, sizeof(v), "+4918%09u", i);
		assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, v), 0);
		h = sl_consent_index_hash(&s);
		maybe = sl_consent_index_prefetch_line_h(ix, h);
		assert_int_equal(maybe, sl_consent_index_maybe(ix, &s));
		if (maybe) {
			fp++;
			fp_denied += sl_consent_decide_h(ix, &s, h, "acme", SL_CONSENT_P_MARKETING,
							 SL_CONSENT_CAT_CALL_METADATA, T0) == SL_CONSENT_DENY_NO_RECORD;
		}
	}
	/* false positives happen (the test would prove nothing otherwise), are few, and each is denied */
	assert_true(fp > 0 && fp < 100000 / 50);
	assert_int_equal(fp_denied, fp);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_two_connections),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_refresh_other_process),
		cmocka_unit_test(test_filter_property_store),
		cmocka_unit_test(test_filter_property_put),
		cmocka_unit_test(test_prefetch_stages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
