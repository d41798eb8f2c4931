/*
 * The receiver's sequence tracking (lemf/lemf_seq.h): which numbers of
 * one (LIID, CIN, stream) were seen, as sorted disjoint ranges.
 *
 * Numbers in order, duplicates, gaps filled later (neighbours merge),
 * far jumps, numbers near UINT64_MAX, thousands of disjoint ranges that
 * merge back into one, and random arrival orders with repeats, each step
 * checked against a plain model: the return value, the jump past the
 * highest number, and the missing count, which must be exact. Allocation
 * failure under a talloc memory limit returns -ENOMEM and leaves the
 * ranges as they were. Block counts return to their start.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "lemf/lemf_seq.h"
#include "tests/unit/parser_test_util.h"

static int add(void *ctx, struct sl_lemf_seq *q, uint64_t seq, uint64_t *jump)
{
	*jump = 12345; /* must be overwritten */
	return sl_lemf_seq_add(ctx, q, seq, jump);
}

/* add seq; it must return rc and jump want_jump */
static void expect_add(void *ctx, struct sl_lemf_seq *q, uint64_t seq, int rc, uint64_t want_jump)
{
	uint64_t jump;

	assert_int_equal(add(ctx, q, seq, &jump), rc);
	assert_int_equal(jump, want_jump);
}

/* The ranges are sorted, disjoint and not adjacent (adjacent ones would have merged). */
static void check_ranges(const struct sl_lemf_seq *q)
{
	unsigned i;

	assert_true(q->n <= q->cap);
	for (i = 0; i < q->n; i++) {
		assert_true(q->r[i].lo <= q->r[i].hi);
		if (i)
			assert_true(q->r[i].lo > q->r[i - 1].hi + 1);
	}
}

static void test_in_order(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };
	uint64_t i;

	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	for (i = 0; i < 1000; i++)
		expect_add(fx->ctx, &q, i, 0, 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].lo, 0);
	assert_int_equal(q.r[0].hi, 999);
	assert_int_equal(q.received, 1000);
	assert_int_equal(q.duplicates, 0);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	talloc_free(q.r);

	/* a first number that is not 0 is no jump; descending order is no jump either */
	memset(&q, 0, sizeof(q));
	expect_add(fx->ctx, &q, 100, 0, 0);
	for (i = 99; i > 50; i--)
		expect_add(fx->ctx, &q, i, 0, 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].lo, 51);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	talloc_free(q.r);
}

static void test_duplicates(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };
	uint64_t i;

	expect_add(fx->ctx, &q, 5, 0, 0);
	expect_add(fx->ctx, &q, 5, 1, 0);
	expect_add(fx->ctx, &q, 5, 1, 0);
	assert_int_equal(q.duplicates, 2);
	assert_int_equal(q.received, 3);
	/* a resend after a reconnect: 0..99, then 50..149 again */
	talloc_free(q.r);
	memset(&q, 0, sizeof(q));
	for (i = 0; i < 100; i++)
		expect_add(fx->ctx, &q, i, 0, 0);
	for (i = 50; i < 150; i++)
		expect_add(fx->ctx, &q, i, i < 100, 0);
	assert_int_equal(q.duplicates, 50);
	assert_int_equal(q.received, 200);
	assert_int_equal(q.n, 1);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	/* duplicates of the first, the last and a middle number of a range */
	expect_add(fx->ctx, &q, 0, 1, 0);
	expect_add(fx->ctx, &q, 149, 1, 0);
	expect_add(fx->ctx, &q, 77, 1, 0);
	assert_int_equal(q.duplicates, 53);
	check_ranges(&q);
	talloc_free(q.r);
}

static void test_gaps_filled(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };

	expect_add(fx->ctx, &q, 1, 0, 0);
	expect_add(fx->ctx, &q, 5, 0, 3);
	assert_int_equal(sl_lemf_seq_missing(&q), 3);
	/* a stream numbered from 0 whose 0 never came: a leading gap too */
	assert_int_equal(sl_lemf_seq_missing_from(&q, 0), 4);
	assert_int_equal(sl_lemf_seq_missing_from(&q, 1), 3);
	assert_int_equal(sl_lemf_seq_missing_from(&q, 7), 3);
	assert_int_equal(q.n, 2);
	expect_add(fx->ctx, &q, 3, 0, 0);	/* alone in the hole */
	assert_int_equal(q.n, 3);
	assert_int_equal(sl_lemf_seq_missing(&q), 2);
	expect_add(fx->ctx, &q, 2, 0, 0);	/* joins 1 and 3 */
	assert_int_equal(q.n, 2);
	assert_int_equal(sl_lemf_seq_missing(&q), 1);
	expect_add(fx->ctx, &q, 4, 0, 0);	/* closes the last hole */
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].lo, 1);
	assert_int_equal(q.r[0].hi, 5);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	/* below the lowest: not a jump, not a gap (nothing below the lowest is missing) */
	expect_add(fx->ctx, &q, 0, 0, 0);
	expect_add(fx->ctx, &q, 10, 0, 4);
	expect_add(fx->ctx, &q, 12, 0, 1);
	assert_int_equal(sl_lemf_seq_missing(&q), 5);
	expect_add(fx->ctx, &q, 11, 0, 0);	/* joins 10 and 12 */
	assert_int_equal(q.n, 2);
	expect_add(fx->ctx, &q, 9, 0, 0);	/* extends 10..12 down */
	assert_int_equal(sl_lemf_seq_missing(&q), 3);
	assert_int_equal(q.n, 2);
	check_ranges(&q);
	assert_int_equal(q.duplicates, 0);
	talloc_free(q.r);
}

static void test_far_jumps(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };
	uint64_t far = 1000000000000ull;

	expect_add(fx->ctx, &q, 0, 0, 0);
	expect_add(fx->ctx, &q, far, 0, far - 1);
	assert_int_equal(sl_lemf_seq_missing(&q), far - 1);
	expect_add(fx->ctx, &q, UINT64_MAX - 1, 0, UINT64_MAX - 1 - far - 1);
	assert_int_equal(sl_lemf_seq_missing(&q), UINT64_MAX - 3);
	expect_add(fx->ctx, &q, far / 2, 0, 0);
	assert_int_equal(sl_lemf_seq_missing(&q), UINT64_MAX - 4);
	assert_int_equal(q.n, 4);
	check_ranges(&q);
	talloc_free(q.r);

	/* the sequence numbers a PS-PDU carries are 32-bit: the largest jump there */
	memset(&q, 0, sizeof(q));
	expect_add(fx->ctx, &q, 0, 0, 0);
	expect_add(fx->ctx, &q, UINT32_MAX, 0, UINT32_MAX - 1);
	assert_int_equal(sl_lemf_seq_missing(&q), UINT32_MAX - 1);
	talloc_free(q.r);
}

static void test_near_uint64_max(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };

	expect_add(fx->ctx, &q, UINT64_MAX - 5, 0, 0);
	expect_add(fx->ctx, &q, UINT64_MAX - 3, 0, 1);
	expect_add(fx->ctx, &q, UINT64_MAX - 4, 0, 0);
	assert_int_equal(q.n, 1);
	expect_add(fx->ctx, &q, UINT64_MAX - 1, 0, 1);
	expect_add(fx->ctx, &q, UINT64_MAX - 1, 1, 0);
	assert_int_equal(sl_lemf_seq_missing(&q), 1);
	expect_add(fx->ctx, &q, UINT64_MAX - 2, 0, 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].lo, UINT64_MAX - 5);
	assert_int_equal(q.r[0].hi, UINT64_MAX - 1);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	/* UINT64_MAX itself, right after the highest: no jump, one range */
	expect_add(fx->ctx, &q, UINT64_MAX, 0, 0);
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].hi, UINT64_MAX);
	talloc_free(q.r);

	/* 0 and UINT64_MAX: everything between is missing (nothing added after UINT64_MAX: see below) */
	memset(&q, 0, sizeof(q));
	expect_add(fx->ctx, &q, 0, 0, 0);
	expect_add(fx->ctx, &q, UINT64_MAX, 0, UINT64_MAX - 1);
	assert_int_equal(sl_lemf_seq_missing(&q), UINT64_MAX - 1);
	talloc_free(q.r);
	memset(&q, 0, sizeof(q));
	expect_add(fx->ctx, &q, 0, 0, 0);
	expect_add(fx->ctx, &q, 1, 0, 0);
	expect_add(fx->ctx, &q, UINT64_MAX - 1, 0, UINT64_MAX - 3);
	expect_add(fx->ctx, &q, UINT64_MAX, 0, 0);
	assert_int_equal(sl_lemf_seq_missing(&q), UINT64_MAX - 3);
	assert_int_equal(q.n, 2);
	talloc_free(q.r);
}

/*
 * Regression test for a fixed bug (lemf/lemf_seq.c:14, sl_lemf_seq_add): once UINT64_MAX has been
 * seen, q->r[q->n - 1].hi + 1 wraps to 0, so "seq > hi + 1" holds for
 * every seq > 0 and *jump becomes seq - hi - 1 = seq (mod 2^64): a
 * duplicate of UINT64_MAX reports a jump of UINT64_MAX, a new number 5
 * below it a jump of 5. Fix: compute the jump only when seq > hi and
 * seq - hi > 1: *jump = q->n && seq > hi && seq - hi > 1 ? seq - hi - 1 : 0.
 * Disabled until fixed so the suite stays green.
 */
static void test_jump_after_uint64_max(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };

	expect_add(fx->ctx, &q, UINT64_MAX, 0, 0);
	expect_add(fx->ctx, &q, UINT64_MAX, 1, 0);
	expect_add(fx->ctx, &q, 5, 0, 0);
	talloc_free(q.r);
}

static void test_many_ranges_merge(void **state)
{
	struct fixture *fx = *state;
	struct sl_lemf_seq q = { 0 };
	const uint64_t N = 3000;
	uint64_t i, *order = malloc(N * sizeof(*order));

	assert_non_null(order);
	/* every even number: N disjoint ranges, N - 1 holes */
	for (i = 0; i < N; i++)
		expect_add(fx->ctx, &q, 2 * i, 0, i ? 1 : 0);
	assert_int_equal(q.n, N);
	assert_int_equal(sl_lemf_seq_missing(&q), N - 1);
	check_ranges(&q);
	/* the odd numbers in random order: each closes one hole */
	for (i = 0; i < N - 1; i++)
		order[i] = 2 * i + 1;
	rng_state = 0x1234567;
	for (i = N - 2; i > 0; i--) {
		uint64_t k = rng() % (i + 1), t = order[i];

		order[i] = order[k];
		order[k] = t;
	}
	for (i = 0; i < N - 1; i++) {
		expect_add(fx->ctx, &q, order[i], 0, 0);
		assert_int_equal(q.n, N - 1 - i);
		assert_int_equal(sl_lemf_seq_missing(&q), N - 2 - i);
	}
	assert_int_equal(q.n, 1);
	assert_int_equal(q.r[0].lo, 0);
	assert_int_equal(q.r[0].hi, 2 * (N - 1));
	assert_int_equal(q.duplicates, 0);
	assert_int_equal(q.received, 2 * N - 1);
	talloc_free(q.r);
	free(order);
}

/* Random arrivals with repeats and holes, each step against a model. */
static void test_random_against_model(void **state)
{
	struct fixture *fx = *state;
	const uint64_t base = 1ull << 40, span = 4000;
	uint8_t *seen = calloc(span, 1);
	unsigned round;

	assert_non_null(seen);
	rng_state = 0xfeedface;
	for (round = 0; round < 20; round++) {
		struct sl_lemf_seq q = { 0 };
		uint64_t lo = UINT64_MAX, hi = 0, distinct = 0, dups = 0, i, steps = 1 + rng() % 3000;

		memset(seen, 0, span);
		for (i = 0; i < steps; i++) {
			/* mostly near the highest so far, like a real stream with resends */
			uint64_t s = (hi && rng() % 4) ? hi - base + 3 - rng() % 8 : rng() % span;
			uint64_t seq, jump, want_jump;
			int rc;

			if (s >= span)
				s = span - 1;
			seq = base + s;
			want_jump = distinct && seq > hi + 1 ? seq - hi - 1 : 0;
			rc = add(fx->ctx, &q, seq, &jump);
			assert_int_equal(rc, seen[s]);
			assert_int_equal(jump, want_jump);
			if (seen[s]) {
				dups++;
			} else {
				seen[s] = 1;
				distinct++;
				lo = seq < lo ? seq : lo;
				hi = seq > hi ? seq : hi;
			}
			assert_int_equal(sl_lemf_seq_missing(&q), hi - lo + 1 - distinct);
		}
		check_ranges(&q);
		assert_int_equal(q.received, steps);
		assert_int_equal(q.duplicates, dups);
		talloc_free(q.r);
	}
	free(seen);
}

/* talloc_set_memlimit is marked deprecated, but it is the allocation-failure switch talloc offers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void set_memlimit(void *ctx, size_t max)
{
	assert_int_equal(talloc_set_memlimit(ctx, max), 0);
}
#pragma GCC diagnostic pop

static void test_enomem(void **state)
{
	struct fixture *fx = *state;
	void *lim = talloc_named_const(fx->ctx, 0, "limited");
	struct sl_lemf_seq q = { 0 };
	uint64_t jump;
	size_t limit;
	unsigned i;

	/* no room for the first array */
	set_memlimit(lim, 8);
	assert_int_equal(add(lim, &q, 7, &jump), -ENOMEM);
	assert_int_equal(q.n, 0);
	assert_null(q.r);
	assert_int_equal(sl_lemf_seq_missing(&q), 0);
	/*
	 * The smallest limit (to 8 bytes) with room for the first array of 4
	 * ranges and talloc's header, found by trying: no room for the second.
	 */
	talloc_free(q.r);
	for (limit = 8;; limit += 8) {
		assert_true(limit < 65536);
		memset(&q, 0, sizeof(q));
		set_memlimit(lim, limit);
		if (add(lim, &q, 0, &jump) == 0)
			break;
	}
	for (i = 1; i < 4; i++)
		expect_add(lim, &q, 10 * i, 0, 9);
	assert_int_equal(q.cap, 4);
	assert_int_equal(add(lim, &q, 100, &jump), -ENOMEM);
	assert_int_equal(q.n, 4);
	assert_int_equal(q.r[3].hi, 30);
	assert_int_equal(sl_lemf_seq_missing(&q), 27);
	/* what needs no new range still works: duplicates, extensions, merges */
	expect_add(lim, &q, 10, 1, 0);
	expect_add(lim, &q, 31, 0, 0);
	expect_add(lim, &q, 1, 0, 0);
	for (i = 2; i < 10; i++)
		expect_add(lim, &q, i, 0, 0);
	assert_int_equal(q.n, 3);
	assert_int_equal(sl_lemf_seq_missing(&q), 18);
	/* memory back: the refused number can be added now */
	set_memlimit(lim, 0);
	expect_add(lim, &q, 100, 0, 68);
	assert_int_equal(q.n, 4);
	check_ranges(&q);
	talloc_free(q.r);
	talloc_free(lim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps_filled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_far_jumps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_near_uint64_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_ranges_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_after_uint64_max, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
