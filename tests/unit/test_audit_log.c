/*
 * Unit tests for the audit log writer (mediation/audit/writer.c,
 * recover.c, sink.c, audit_osmo.c): records round-trip through close and
 * reopen and verify; group commit holds records until the window ends
 * and tells the caller; a torn tail is cut and reported with file and
 * offset, damage in the middle refuses to open; rotation keeps one tree
 * across segments and proofs from tree.nodes equal proofs from the log;
 * checkpoints every N records and to both sinks; one writer at a time;
 * refused appends; a clock going back; the osmo_timer drive.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "audit_test_util.h"
#include "mediation/audit/prove.h"
#include "mediation/audit/reader.h"
#include "mediation/audit/verify.h"

static void verify_clean(void *ctx, const struct at_env *e, struct sl_audit_verify_res *res)
{
	struct sl_audit_verify_opts o = { .dir = e->log, .key = &e->vk };
	unsigned i;

	assert_int_equal(sl_audit_verify(ctx, &o, res), 0);
	for (i = 0; i < res->nfindings; i++)
		if (sl_audit_problem_severity(res->findings[i].problem) > SL_AUDIT_SEV_INFO)
			fail_msg("unexpected finding %s in %s offset %lld seq %lld: %s",
				 sl_audit_problem_name(res->findings[i].problem), res->findings[i].file,
				 (long long)res->findings[i].off, (long long)res->findings[i].seq,
				 res->findings[i].detail ? res->findings[i].detail : "");
	assert_int_equal(res->worst, SL_AUDIT_SEV_INFO);
}

static void test_roundtrip(void **state)
{
	void *ctx = talloc_new(NULL);
	size_t blocks = talloc_total_blocks(ctx);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	struct sl_audit_verify_res res;
	char *err = NULL;

	at_env_init(ctx, &e);
	blocks = talloc_total_blocks(ctx);
	at_cfg(&e, &c);
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(sl_audit_size(log), 1); /* log.open */
	at_append_n(log, 10);
	assert_int_equal(sl_audit_size(log), 11);
	assert_int_equal(sl_audit_durable_size(log), 11); /* window 0: durable on return */
	assert_int_equal(sl_audit_close(log, 100), 0);
	assert_int_equal(talloc_total_blocks(ctx), blocks);

	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(sl_audit_recovery(log)->records, 12);
	assert_int_equal(sl_audit_recovery(log)->checkpoint_size, 12);
	assert_false(sl_audit_recovery(log)->torn);
	assert_int_equal(sl_audit_close(log, 100), 0);

	verify_clean(ctx, &e, &res);
	assert_int_equal(res.records, 14);
	assert_true(res.have_latest);
	assert_int_equal(res.latest.size, 14);
	at_rm_rf(e.root);
	talloc_free(ctx);
}

static uint64_t cb_durable;
static unsigned cb_calls;
static void on_durable(void *data, uint64_t n)
{
	cb_durable = n;
	cb_calls++;
}

static void test_group_commit(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	char *err = NULL;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	c.commit_window_us = 10000;
	c.durable_cb = on_durable;
	c.checkpoint_records = 1000000;
	c.checkpoint_ms = 5000;
	cb_calls = 0;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(cb_durable, 1); /* open commits its log.open */
	at_append_n(log, 5);
	assert_int_equal(sl_audit_durable_size(log), 1);
	assert_int_equal(sl_audit_next_due_us(log), at_mono_us + 10000);
	at_mono_us += 9999;
	assert_int_equal(sl_audit_tick(log), 0);
	assert_int_equal(sl_audit_durable_size(log), 1);
	at_mono_us += 1;
	assert_int_equal(sl_audit_tick(log), 0);
	assert_int_equal(sl_audit_durable_size(log), 6);
	assert_int_equal(cb_durable, 6);
	/* next due: the timed checkpoint (5 s after open), none signed yet */
	assert_int_equal(sl_audit_next_due_us(log), at_mono_us - 10000 + 5000000);
	at_mono_us += 5000000;
	assert_int_equal(sl_audit_tick(log), 0);
	assert_non_null(sl_audit_latest_checkpoint(log));
	assert_non_null(strstr(sl_audit_latest_checkpoint(log), "\n6\n"));
	assert_int_equal(sl_audit_next_due_us(log), -1); /* nothing pending */
	assert_int_equal(sl_audit_close(log, 100), 0);
	at_rm_rf(e.root);
	talloc_free(ctx);
}

/*
 * Regression: a rotation commits records without signing; a tick before
 * the group commit was due then signed a checkpoint whose size was the
 * durable count but whose root covered every appended record (found by
 * tests/audit/crash.sh as checkpoint.root).
 */
static void test_rotation_inside_window(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	struct sl_audit_verify_res res;
	char *err = NULL;
	unsigned i;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	c.commit_window_us = 10000;
	c.segment_bytes = 700;
	c.checkpoint_records = 2;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	for (i = 0; i < 30; i++) {
		at_append_n(log, 1);
		assert_int_equal(sl_audit_tick(log), 0); /* never due yet: the clock stands still */
	}
	at_mono_us += 10000;
	assert_int_equal(sl_audit_tick(log), 0);
	assert_int_equal(sl_audit_close(log, 100), 0);
	verify_clean(ctx, &e, &res);
	assert_true(res.checkpoints > 5);
	at_rm_rf(e.root);
	talloc_free(ctx);
}

static void test_torn_tail_and_damage(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	struct sl_audit_verify_res res;
	char *err = NULL, *seg;
	uint8_t *buf;
	size_t len, full;
	FILE *f;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	c.checkpoint_records = 1000000;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	at_append_n(log, 4);
	/* crash: no close, so no log.close and no final checkpoint beyond open's */
	sl_audit_abandon(log);
	seg = talloc_asprintf(ctx, "%s/audit-00000000000000000000.seg", e.log);
	buf = at_read(ctx, seg, &full);
	/* an interrupted append: half a frame */
	f = fopen(seg, "ab");
	fwrite(buf + 16, 1, 20, f);
	fclose(f);
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_true(sl_audit_recovery(log)->torn);
	assert_int_equal(sl_audit_recovery(log)->torn_offset, full);
	assert_int_equal(sl_audit_recovery(log)->torn_bytes, 20);
	assert_string_equal(sl_audit_recovery(log)->torn_file, seg);
	assert_int_equal(sl_audit_recovery(log)->records, 5);
	assert_int_equal(sl_audit_close(log, 100), 0);
	verify_clean(ctx, &e, &res);
	{
		/* the sidecars were cut with the torn record: proofs from them still hold */
		struct sl_audit_proof p;

		assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, 4, res.latest.size, res.latest.root, true, &p, &err), 0);
		assert_true(p.from_nodes);
	}

	/* zeros after a crash (metadata ahead of data) are a torn tail too */
	{
		static const uint8_t zeros[4096];

		f = fopen(seg, "ab");
		fwrite(zeros, 1, sizeof(zeros), f);
		fclose(f);
	}
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(sl_audit_recovery(log)->torn_bytes, 4096);
	assert_int_equal(sl_audit_close(log, 100), 0);

	/* a flipped byte in the middle: refuse to open, name file and offset */
	buf = at_read(ctx, seg, &len);
	buf[16 + 8 + 3] ^= 0x01;
	at_write(seg, buf, len);
	err = NULL;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), -EBADMSG);
	assert_non_null(strstr(err, seg));
	assert_non_null(strstr(err, "offset 16"));
	buf[16 + 8 + 3] ^= 0x01;
	at_write(seg, buf, len);

	/* records a checkpoint covers, cut away: refuse */
	at_write(seg, buf, len - 10);
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), -EBADMSG);
	assert_non_null(strstr(err, "checkpoint"));
	at_rm_rf(e.root);
	talloc_free(ctx);
}

static void test_rotation_and_proofs(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	struct sl_audit_verify_res res;
	struct sl_audit_proof p1, p2;
	uint64_t *firsts;
	char **paths, *err = NULL;
	unsigned nseg;
	uint64_t i;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	c.segment_bytes = 2000;
	c.checkpoint_records = 50;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	at_append_n(log, 200);
	assert_int_equal(sl_audit_close(log, 100), 0);
	assert_int_equal(sl_audit_list_segments(ctx, e.log, &firsts, &paths, &nseg), 0);
	assert_true(nseg > 10);
	verify_clean(ctx, &e, &res);
	assert_int_equal(res.records, 202);
	assert_int_equal(res.checkpoints, 5); /* 51, 101, 151, 201, 202 */
	for (i = 0; i < 202; i += 7) {
		assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, i, 202, res.latest.root, true, &p1, &err), 0);
		assert_true(p1.from_nodes);
		assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, i, 202, res.latest.root, false, &p2, &err), 0);
		assert_false(p2.from_nodes);
		assert_int_equal(p1.n, p2.n);
		assert_memory_equal(p1.h, p2.h, p1.n * 32);
		assert_memory_equal(p1.leaf, p2.leaf, 32);
	}
	/* without records.idx the record is found by walking its segment's frames */
	unlink(talloc_asprintf(ctx, "%s/records.idx", e.log));
	assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, 150, 202, res.latest.root, true, &p1, &err), 0);
	assert_true(p1.from_nodes);
	assert_non_null(strstr((char *)p1.record, "\"seq\":150,"));
	/* a wrong root proves nothing */
	res.latest.root[0] ^= 1;
	assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, 3, 202, res.latest.root, true, &p1, &err), -EBADMSG);
	assert_int_equal(sl_audit_prove_inclusion(ctx, e.log, 300, 400, res.latest.root, true, &p1, &err), -ENOENT);
	/* reopening rebuilds the same tree (and checks tree.nodes against it) */
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(sl_audit_size(log), 203);
	assert_int_equal(sl_audit_close(log, 100), 0);
	verify_clean(ctx, &e, &res);
	at_rm_rf(e.root);
	talloc_free(ctx);
}

static void test_sinks_lock_refusals(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log, *log2;
	static const struct sl_audit_actor a = { "system", "test" }, bad = { "operator", "x" };
	char *err = NULL, *sinkdir, *cmdout, *cmd, *want;
	size_t len;
	uint8_t *got;
	json_t *f;
	struct stat st;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	sinkdir = talloc_asprintf(ctx, "%s/sink", e.root);
	cmdout = talloc_asprintf(ctx, "%s/cmd.out", e.root);
	cmd = talloc_asprintf(ctx, "cat > %s", cmdout);
	mkdir(sinkdir, 0700);
	c.sink_dir = sinkdir;
	c.sink_cmd = cmd;
	c.checkpoint_records = 3;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	assert_int_equal(sl_audit_open(ctx, &c, &log2, &err), -EBUSY);
	at_append_n(log, 2); /* size 3: checkpoint */
	want = talloc_asprintf(ctx, "%s/checkpoint-00000000000000000003", sinkdir);
	assert_int_equal(stat(want, &st), 0);
	/* refused: unknown kind, unknown actor type, identity-shaped field */
	assert_int_equal(sl_audit_append(log, "nope", &a, NULL, 0), -EINVAL);
	assert_int_equal(sl_audit_append(log, "log.close", &bad, NULL, 0), -EINVAL);
	f = json_pack("{s:s,s:s}", "liid", "L", "msisdn", "447700900123");
	assert_int_equal(sl_audit_append(log, "intercept.deactivated", &a, f, 0), -EINVAL);
	json_decref(f);
	assert_int_equal(sl_audit_counters(log)->ctr[SL_AUDIT_CTR_REFUSED].current, 3);
	/* the clock goes back: the record's time does not */
	at_real_us -= 60000000;
	at_append_n(log, 1);
	at_real_us += 120000000;
	assert_int_equal(sl_audit_counters(log)->ctr[SL_AUDIT_CTR_TIME_CLAMPED].current, 1);
	assert_int_equal(sl_audit_close(log, 2000), 0);
	got = at_read(ctx, cmdout, &len);
	assert_non_null(got);
	assert_true(len > 40 && !memcmp(got, AT_ORIGIN "\n", strlen(AT_ORIGIN) + 1));
	at_rm_rf(e.root);
	talloc_free(ctx);
}

static void test_osmo_timer(void **state)
{
	void *ctx = talloc_new(NULL);
	struct at_env e;
	struct sl_audit_cfg c;
	struct sl_audit_log *log;
	char *err = NULL;
	struct timespec t0, t1;

	at_env_init(ctx, &e);
	at_cfg(&e, &c);
	c.clock_mono_us = NULL; /* osmo timers run on the real clock */
	c.commit_window_us = 2000;
	assert_int_equal(sl_audit_open(ctx, &c, &log, &err), 0);
	sl_audit_osmo_attach(log);
	at_append_n(log, 3);
	assert_int_equal(sl_audit_durable_size(log), 1);
	/* libosmocore truncates the poll timeout to whole milliseconds, so the
	 * last part of the window is spent in zero-timeout polls: bound the
	 * wait by time (5 s), not by a loop count. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		osmo_select_main(0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (sl_audit_durable_size(log) < 4 && t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(sl_audit_durable_size(log), 4);
	assert_int_equal(sl_audit_close(log, 100), 0);
	at_rm_rf(e.root);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_group_commit),
		cmocka_unit_test(test_rotation_inside_window),
		cmocka_unit_test(test_torn_tail_and_damage),
		cmocka_unit_test(test_rotation_and_proofs),
		cmocka_unit_test(test_sinks_lock_refusals),
		cmocka_unit_test(test_osmo_timer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
