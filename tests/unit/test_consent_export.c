/*
 * Unit tests for the JSON Lines export (consent_export.c): batches close
 * at N records, at T seconds of gateway time after their first record, at
 * a 1025th distinct subject and on flush; each reported batch is exactly
 * the bytes at its offset in its segment with that SHA-256; segments
 * rotate by size and by age, numbering on from what the directory holds
 * (a restart never rewrites a file); batch ids are deterministic; the
 * prepare hook sees each batch's place and digest before its bytes are
 * written, and a batch it refuses is held (not written, not lost, growing
 * within its bounds) and written when a tick offers it again; a batch
 * whose write fails part way (a file size limit: the kernel writes what
 * fits) is cut from its segment, the abort hook told, and the next batch
 * goes to a new segment; sl_cx_export_cut() cuts a segment back; every
 * talloc block is returned.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <talloc.h>

#include "mediation/consent/consent_export.h"
#include "tests/unit/consent_test_util.h"

#define S_US 1000000LL

struct seen {
	void *ctx;
	const char *dir;
	unsigned n;
	char id[64][32], seg[64][64];
	unsigned records[64], subjects[64];
	uint64_t offset[64], len[64];
};

static char *slurp(void *ctx, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = talloc_size(ctx, 1 << 20);

	*len = 0;
	if (!f)
		return buf;
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* the callback checks the batch against the file as it is reported */
static int on_batch(void *data, const struct sl_cx_batch *b)
{
	struct seen *s = data;
	char *path = talloc_asprintf(s->ctx, "%s/%s", s->dir, b->segment), hex[72];
	unsigned char md[32];
	unsigned mdlen, i;
	size_t flen;
	char *file = slurp(s->ctx, path, &flen);

	assert_true(b->offset + b->len == flen); /* the batch is the end of its segment, on disk */
	assert_true(EVP_Digest(file + b->offset, b->len, md, &mdlen, EVP_sha256(), NULL));
	memcpy(hex, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(hex + 7 + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(b->digest, hex);
	assert_string_equal(b->recipient, "acme");
	assert_true(s->n < 64);
	snprintf(s->id[s->n], sizeof(s->id[0]), "%s", b->batch_id);
	snprintf(s->seg[s->n], sizeof(s->seg[0]), "%s", b->segment);
	s->records[s->n] = b->records;
	s->subjects[s->n] = b->n_subjects;
	s->offset[s->n] = b->offset;
	s->len[s->n] = b->len;
	s->n++;
	talloc_free(path);
	talloc_free(file);
	return 0;
}

static void add(struct sl_cx_export *x, int64_t t, unsigned subject)
{
	char line[64], subj[32];
	int n = snprintf(line, sizeof(line), "{\"n\":%lld}\n", (long long)t);

	snprintf(subj, sizeof(subj), "s%u", subject);
	assert_int_equal(sl_cx_export_add(x, t, line, (size_t)n, subj, NULL), 0);
}

static void test_batches(void **state)
{
	void *ctx = talloc_new(NULL);
	size_t start = talloc_total_blocks(NULL);
	char *dir = ct_tmpdir(ctx), *err = NULL;
	struct sl_cx_export_cfg cfg = { .dir = dir, .recipient = "acme", .batch_records = 3, .batch_seconds = 10 };
	struct seen s = { .ctx = ctx, .dir = dir };
	struct sl_cx_export_stats st;
	struct sl_cx_export *x;
	(void)state;
	start = talloc_total_blocks(NULL);
	x = sl_cx_export_open(ctx, &cfg, on_batch, &s, &err);
	assert_non_null(x);
	/* three records: one batch */
	add(x, 100 * S_US, 1);
	add(x, 101 * S_US, 1);
	assert_int_equal(s.n, 0);
	add(x, 102 * S_US, 2);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.id[0], "000001-000001");
	assert_string_equal(s.seg[0], "acme.000001.jsonl");
	assert_int_equal(s.records[0], 3);
	assert_int_equal(s.subjects[0], 2);
	/* T seconds: a record 10 s after the batch's first closes it before joining */
	add(x, 200 * S_US, 1);
	add(x, 210 * S_US, 1);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.records[1], 1);
	assert_int_equal(s.offset[1], s.len[0]);
	/* ... and so does the clock */
	assert_int_equal(sl_cx_export_tick(x, 219 * S_US), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(sl_cx_export_tick(x, 220 * S_US), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.id[2], "000001-000003");
	assert_int_equal(sl_cx_export_flush(x), 0); /* nothing open: nothing reported */
	sl_cx_export_stats(x, &st);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.batches, s.n);
	assert_int_equal(st.segments, 1);
	assert_int_equal(st.write_failed, 0);
	talloc_free(x);
	assert_int_equal(talloc_total_blocks(NULL), start);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

struct prep {
	const char *dir;
	unsigned calls, refuse_at; /* refuse the call numbered refuse_at (from 1; 0: never) */
	bool refuse_all;
	uint64_t offset, len;
	char digest[72], segment[64];
};

/* the prepare hook sees the batch's place and digest before its bytes are in the file */
static int on_prepare(void *data, const struct sl_cx_batch *b)
{
	struct prep *p = data;
	char path[512];
	struct stat sb;

	p->calls++;
	snprintf(path, sizeof(path), "%s/%s", p->dir, b->segment);
	assert_int_equal(stat(path, &sb), 0);
	assert_true((uint64_t)sb.st_size == b->offset);
	p->offset = b->offset;
	p->len = b->len;
	snprintf(p->digest, sizeof(p->digest), "%s", b->digest);
	snprintf(p->segment, sizeof(p->segment), "%s", b->segment);
	return p->refuse_all || p->calls == p->refuse_at ? -EIO : 0;
}

static int on_prepared_batch(void *data, const struct sl_cx_batch *b)
{
	struct prep *p = data;

	/* reported as it was prepared */
	assert_true(b->offset == p->offset && b->len == p->len);
	assert_string_equal(b->digest, p->digest);
	assert_string_equal(b->segment, p->segment);
	return 0;
}

static void test_prepare_hook(void **state)
{
	void *ctx = talloc_new(NULL);
	char *dir = ct_tmpdir(ctx), *err = NULL, *path;
	struct sl_cx_export_cfg cfg = { .dir = dir, .recipient = "acme", .batch_records = 2, .batch_seconds = 10 };
	struct prep p = { .dir = dir, .refuse_at = 2 };
	struct sl_cx_export_stats st;
	struct sl_cx_export *x;
	struct stat sb;
	(void)state;

	x = sl_cx_export_open(ctx, &cfg, on_prepared_batch, &p, &err);
	assert_non_null(x);
	sl_cx_export_set_prepare(x, on_prepare, NULL);
	add(x, 100 * S_US, 1);
	add(x, 101 * S_US, 1);
	assert_int_equal(p.calls, 1);
	/* the second batch is refused by its hook: held, not written, not lost; adds only grow it */
	add(x, 102 * S_US, 1);
	add(x, 103 * S_US, 1);
	assert_int_equal(p.calls, 2);
	sl_cx_export_stats(x, &st);
	assert_true(st.held);
	add(x, 104 * S_US, 1);
	assert_int_equal(p.calls, 2);
	/* the tick offers it again: accepted, written whole (three records) */
	assert_int_equal(sl_cx_export_tick(x, 104 * S_US), 0);
	assert_int_equal(p.calls, 3);
	sl_cx_export_stats(x, &st);
	assert_false(st.held);
	assert_int_equal(st.batches, 2);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.write_failed, 0);
	assert_int_equal(st.prepare_failed, 1);
	path = talloc_asprintf(ctx, "%s/acme.000001.jsonl", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, p.offset + p.len);
	assert_int_equal(p.len, p.offset * 3 / 2); /* two records, then three of the same length */
	talloc_free(x);

	/* refused for good: the held batch keeps its 1,024 subjects, a 1,025th is refused and counted */
	p = (struct prep){ .dir = dir, .refuse_all = true };
	x = sl_cx_export_open(ctx, &cfg, on_prepared_batch, &p, &err);
	assert_non_null(x);
	sl_cx_export_set_prepare(x, on_prepare, NULL);
	for (unsigned i = 0; i < SL_CX_BATCH_SUBJECTS_MAX; i++)
		add(x, 200 * S_US, i);
	assert_int_equal(sl_cx_export_add(x, 200 * S_US, "{\"n\":1}\n", 8, "s5000", NULL), -ENOSPC);
	add(x, 200 * S_US, 7); /* a subject the batch holds still goes in */
	assert_int_equal(sl_cx_export_flush(x), -EAGAIN);
	sl_cx_export_stats(x, &st);
	assert_true(st.held);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.batches, 0);
	assert_int_equal(st.write_failed, 0);
	talloc_free(x);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

static int on_abort(void *data, const struct sl_cx_batch *b)
{
	struct prep *p = data;
	char path[512];
	struct stat sb;

	/* by the time the hook hears of it, the part that reached the segment is gone */
	snprintf(path, sizeof(path), "%s/%s", p->dir, b->segment);
	assert_int_equal(stat(path, &sb), 0);
	assert_true((uint64_t)sb.st_size == b->offset);
	p->refuse_at = 1000 + p->calls; /* records which call was aborted */
	return 0;
}

static void test_torn_write(void **state)
{
	void *ctx = talloc_new(NULL);
	char *dir = ct_tmpdir(ctx), *err = NULL, *seg1, *seg2;
	struct sl_cx_export_cfg cfg = { .dir = dir, .recipient = "acme", .batch_records = 4, .batch_seconds = 10 };
	struct prep p = { .dir = dir };
	struct sl_cx_export_stats st;
	struct sl_cx_export *x;
	struct rlimit old, lim;
	struct stat sb;
	uint64_t cut;
	unsigned i;
	(void)state;

	x = sl_cx_export_open(ctx, &cfg, on_prepared_batch, &p, &err);
	assert_non_null(x);
	sl_cx_export_set_prepare(x, on_prepare, on_abort);
	for (i = 0; i < 4; i++)
		add(x, (100 + i) * S_US, 1);
	seg1 = talloc_asprintf(ctx, "%s/acme.000001.jsonl", dir);
	assert_int_equal(stat(seg1, &sb), 0);
	assert_int_equal(sb.st_size, p.len);
	/* the next batch meets a file size limit 20 bytes on: the kernel writes 20 bytes (a whole line
	 * and part of one), then EFBIG */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = (struct rlimit){ .rlim_cur = (rlim_t)sb.st_size + 20, .rlim_max = old.rlim_max };
	assert_ptr_not_equal(signal(SIGXFSZ, SIG_IGN), SIG_ERR);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	for (i = 0; i < 3; i++)
		add(x, (200 + i) * S_US, 1);
	assert_int_equal(sl_cx_export_add(x, 203 * S_US, "{\"n\":203000000}\n", 16, "s1", NULL), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(p.refuse_at, 1002);
	assert_int_equal(stat(seg1, &sb), 0);
	assert_int_equal(sb.st_size, p.offset); /* back to the first batch alone */
	/* the export goes on, in a new segment */
	for (i = 0; i < 4; i++)
		add(x, (300 + i) * S_US, 1);
	assert_string_equal(p.segment, "acme.000002.jsonl");
	sl_cx_export_stats(x, &st);
	assert_int_equal(st.batches, 2);
	assert_int_equal(st.write_failed, 1);
	assert_int_equal(st.torn_left, 0);
	talloc_free(x);

	/* the repair at start: cut back to an offset; nothing to cut, or no file, is no error */
	seg2 = talloc_asprintf(ctx, "%s/acme.000002.jsonl", dir);
	/* a tail longer than the batch could have written is not cut */
	assert_int_equal(sl_cx_export_cut(dir, "acme.000002.jsonl", 5, p.len - 6, &cut), -EUCLEAN);
	assert_int_equal(cut, 0);
	assert_int_equal(sl_cx_export_cut(dir, "acme.000002.jsonl", 5, p.len - 5, &cut), 0);
	assert_int_equal(cut, p.len - 5);
	assert_int_equal(stat(seg2, &sb), 0);
	assert_int_equal(sb.st_size, 5);
	assert_int_equal(sl_cx_export_cut(dir, "acme.000002.jsonl", 5, 100, &cut), 0);
	assert_int_equal(cut, 0);
	assert_int_equal(sl_cx_export_cut(dir, "acme.000002.jsonl", 50, 100, &cut), 0);
	assert_int_equal(cut, 0);
	assert_int_equal(sl_cx_export_cut(dir, "acme.000009.jsonl", 0, 100, &cut), 0);
	assert_int_equal(cut, 0);
	/* a symbolic link is not followed, a directory is not a segment */
	assert_int_equal(symlink(seg1, talloc_asprintf(ctx, "%s/acme.000010.jsonl", dir)), 0);
	assert_true(sl_cx_export_cut(dir, "acme.000010.jsonl", 0, 100, &cut) < 0);
	assert_int_equal(stat(seg1, &sb), 0);
	assert_true(sb.st_size > 0);
	assert_true(sl_cx_export_cut(dir, ".", 0, 100, &cut) < 0);
	assert_true(sl_cx_export_cut("/nonexistent/x", "acme.000001.jsonl", 0, 100, &cut) < 0);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

static void test_subject_limit(void **state)
{
	void *ctx = talloc_new(NULL);
	char *dir = ct_tmpdir(ctx), *err = NULL;
	struct sl_cx_export_cfg cfg = { .dir = dir, .recipient = "acme", .batch_records = 5000 };
	struct seen s = { .ctx = ctx, .dir = dir };
	struct sl_cx_export *x = sl_cx_export_open(ctx, &cfg, on_batch, &s, &err);
	unsigned i;

	(void)state;
	assert_non_null(x);
	for (i = 0; i < SL_CX_BATCH_SUBJECTS_MAX; i++)
		add(x, 1 * S_US, i);
	add(x, 1 * S_US, 0); /* a subject already in the batch */
	assert_int_equal(s.n, 0);
	add(x, 1 * S_US, 5000); /* a new one, beyond the bound */
	assert_int_equal(s.n, 1);
	assert_int_equal(s.records[0], SL_CX_BATCH_SUBJECTS_MAX + 1);
	assert_int_equal(s.subjects[0], SL_CX_BATCH_SUBJECTS_MAX);
	talloc_free(x);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

static void test_rotation(void **state)
{
	void *ctx = talloc_new(NULL);
	char *dir = ct_tmpdir(ctx), *err = NULL;
	struct sl_cx_export_cfg cfg = { .dir = dir, .recipient = "acme", .batch_records = 1, .rotate_bytes = 40,
					.rotate_seconds = 100 };
	struct seen s = { .ctx = ctx, .dir = dir };
	struct sl_cx_export *x;
	FILE *f;

	(void)state;
	x = sl_cx_export_open(ctx, &cfg, on_batch, &s, &err);
	assert_non_null(x);
	add(x, 10 * S_US, 1);	/* {"n":10000000}\n: 15 bytes, segment 1 */
	add(x, 11 * S_US, 1);	/* 30 bytes */
	add(x, 12 * S_US, 1);	/* would pass 40: segment 2 */
	assert_string_equal(s.seg[1], "acme.000001.jsonl");
	assert_string_equal(s.seg[2], "acme.000002.jsonl");
	assert_string_equal(s.id[2], "000002-000001");
	assert_int_equal(s.offset[2], 0);
	/* by age: 100 s after the segment's first batch */
	add(x, 112 * S_US, 1);
	assert_string_equal(s.seg[3], "acme.000003.jsonl");
	talloc_free(x);

	/* a restart numbers on after the highest segment; foreign names are ignored */
	f = fopen(talloc_asprintf(ctx, "%s/acme.000007.jsonl", dir), "w");
	assert_non_null(f);
	fclose(f);
	f = fopen(talloc_asprintf(ctx, "%s/acme.12.jsonl", dir), "w");
	assert_non_null(f);
	fclose(f);
	s.n = 0;
	x = sl_cx_export_open(ctx, &cfg, on_batch, &s, &err);
	assert_non_null(x);
	add(x, 500 * S_US, 1);
	assert_string_equal(s.seg[0], "acme.000008.jsonl");
	talloc_free(x);

	/* a directory that is not there */
	assert_null(sl_cx_export_open(ctx, &(struct sl_cx_export_cfg){ .dir = "/nonexistent/x", .recipient = "a" },
				      on_batch, &s, &err));
	assert_non_null(err);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_subject_limit),
		cmocka_unit_test(test_prepare_hook),
		cmocka_unit_test(test_torn_write),
		cmocka_unit_test(test_rotation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
