/*
 * Sequence numbers (TS 102 232-1 clause 5.2.5) and crash-safe CINs
 * (clauses 5.2.4, 6.2.2): handover/seqno.c and handover/cin_store.c.
 *
 * Sequence numbers start at 0 per context and count independently per
 * LIID, CIN (or none) and payload class; ending a communication forgets
 * its IRI and CC contexts; the table refuses contexts beyond its bound.
 * CINs are unique across reopen of the state file, a "crash" (dropping
 * the allocator without any shutdown step) never lets a CIN repeat, the
 * state file is only rewritten once per block, a corrupt state file is
 * refused, and CINs wrap from max_cin to 1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "handover/seqno.h"

struct fixture {
	void *ctx;
	size_t blocks;
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	fx->ctx = talloc_named_const(NULL, 0, "test_pdu_seqno");
	fx->blocks = talloc_total_blocks(fx->ctx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/sl_cin_XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/cin.state", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char tmp[160];

	unlink(fx->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
	unlink(tmp);
	rmdir(fx->dir);
	assert_int_equal(talloc_total_blocks(fx->ctx), fx->blocks);
	talloc_free(fx->ctx);
	free(fx);
	return 0;
}

static uint32_t next(struct sl_seqno *s, const char *liid, bool has_cin, uint32_t cin, enum sl_seq_class c)
{
	uint32_t v = 12345;

	assert_int_equal(sl_seqno_next(s, liid, has_cin, cin, c, &v), 0);
	return v;
}

static void test_seqno_contexts(void **state)
{
	struct fixture *fx = *state;
	struct sl_seqno *s = sl_seqno_alloc(fx->ctx, 8);
	uint32_t v;
	unsigned i;

	assert_non_null(s);
	for (i = 0; i < 5; i++)
		assert_int_equal(next(s, "L1", true, 1, SL_SEQ_IRI), i);
	/* CC of the same communication counts on its own (clause 5.2.5) */
	assert_int_equal(next(s, "L1", true, 1, SL_SEQ_CC), 0);
	assert_int_equal(next(s, "L1", true, 1, SL_SEQ_CC), 1);
	/* another CIN, another LIID, no CIN at all: each its own context */
	assert_int_equal(next(s, "L1", true, 2, SL_SEQ_IRI), 0);
	assert_int_equal(next(s, "L2", true, 1, SL_SEQ_IRI), 0);
	assert_int_equal(next(s, "L1", false, 0, SL_SEQ_IRI), 0);
	assert_int_equal(next(s, "L1", false, 1, SL_SEQ_IRI), 1); /* no CIN: the value is ignored */
	/* keep-alives per stream */
	assert_int_equal(next(s, NULL, false, 0, SL_SEQ_TRI_KEEPALIVE), 0);
	assert_int_equal(next(s, "", false, 0, SL_SEQ_TRI_KEEPALIVE), 1);
	assert_int_equal(next(s, NULL, false, 0, SL_SEQ_TRI_ACK), 0);
	assert_int_equal(sl_seqno_count(s), 7);
	assert_int_equal(next(s, "L1", true, 1, SL_SEQ_IRI), 5);

	/* the table is full */
	assert_int_equal(next(s, "L3", true, 1, SL_SEQ_HI1), 0);
	assert_int_equal(sl_seqno_count(s), 8);
	assert_int_equal(sl_seqno_next(s, "L4", true, 1, SL_SEQ_IRI, &v), -ENOSPC);

	/* ending communication 1 of L1 frees its IRI and CC contexts; a new one starts from 0 */
	sl_seqno_end(s, "L1", 1);
	assert_int_equal(sl_seqno_count(s), 6);
	assert_int_equal(next(s, "L1", true, 1, SL_SEQ_IRI), 0);
	assert_int_equal(next(s, "L1", true, 2, SL_SEQ_IRI), 1);

	assert_int_equal(sl_seqno_next(s, "12345678901234567890123456", true, 1, SL_SEQ_IRI, &v), -EINVAL);
	assert_int_equal(sl_seqno_next(s, "L1", true, 1, _SL_SEQ_CLASS_COUNT, &v), -EINVAL);
	talloc_free(s);
}

static void test_seqno_many(void **state)
{
	struct fixture *fx = *state;
	struct sl_seqno *s = sl_seqno_alloc(fx->ctx, 100000);
	uint32_t cin;
	unsigned round;

	assert_non_null(s);
	for (round = 0; round < 3; round++)
		for (cin = 1; cin <= 20000; cin++)
			assert_int_equal(next(s, "LIID", true, cin, SL_SEQ_CC), round);
	for (cin = 1; cin <= 20000; cin++)
		sl_seqno_end(s, "LIID", cin);
	assert_int_equal(sl_seqno_count(s), 0);
	talloc_free(s);
}

static void test_cin_persist(void **state)
{
	struct fixture *fx = *state;
	struct sl_cin_alloc *a;
	uint32_t cin, last = 0;
	unsigned i, run;
	char seen[2000] = { 0 };

	/* three runs, each "crashing" (freed without any shutdown) after a few CINs */
	for (run = 0; run < 3; run++) {
		a = sl_cin_alloc_open(fx->ctx, fx->path, 16, 1000000);
		assert_non_null(a);
		for (i = 0; i < 10 + run * 20; i++) {
			assert_int_equal(sl_cin_next(a, &cin), 0);
			assert_true(cin > last);
			assert_true(cin < sizeof(seen));
			assert_false(seen[cin]);
			seen[cin] = 1;
			last = cin;
		}
		/* the file records the end of the current block */
		assert_true(sl_cin_reserved(a) >= last);
		assert_true(sl_cin_reserved(a) - last < 16);
		talloc_free(a);
	}
}

static void test_cin_file(void **state)
{
	struct fixture *fx = *state;
	struct sl_cin_alloc *a;
	uint32_t cin;
	FILE *f;
	char line[64] = "";
	unsigned i;

	a = sl_cin_alloc_open(fx->ctx, fx->path, 4, 3);
	assert_non_null(a);
	/* 1, 2, 3 then wrap to 1 */
	for (i = 0; i < 7; i++) {
		assert_int_equal(sl_cin_next(a, &cin), 0);
		assert_int_equal(cin, i % 3 + 1);
	}
	talloc_free(a);
	f = fopen(fx->path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "sluice-cin-state 1 8\n"); /* blocks [0,4) and [4,8) */

	/* corrupt or foreign state files are refused, not reset */
	{
		static const char *const bad[] = { "", "garbage\n", "sluice-cin-state 1 \n", "sluice-cin-state 1 12x\n",
						   "sluice-cin-state 1 -5\n", "sluice-cin-state 2 5\n",
						   "sluice-cin-state 1 99999999999999999999999\n" };

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f = fopen(fx->path, "w");
			assert_non_null(f);
			fputs(bad[i], f);
			fclose(f);
			errno = 0;
			assert_null(sl_cin_alloc_open(fx->ctx, fx->path, 4, 10));
			assert_int_equal(errno, EINVAL);
		}
	}
	assert_null(sl_cin_alloc_open(fx->ctx, fx->path, 0, 10));
	/* a directory we cannot create the file in: opening works, allocation reports the error */
	a = sl_cin_alloc_open(fx->ctx, "/nonexistent-dir/x", 4, 10);
	assert_non_null(a);
	assert_true(sl_cin_next(a, &cin) < 0);
	talloc_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seqno_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seqno_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cin_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cin_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
