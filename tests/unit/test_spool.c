/*
 * Unit tests for handover/spool*.c: round trip across reopen, release and
 * segment deletion, the release pointer surviving a crash (older pointer
 * means duplicates, never gaps), a torn tail at every possible length,
 * real crashes (kill -9 of an appending child; a child dying inside
 * writev through a link-time wrap), corruption in the middle of the last
 * segment and in a closed segment (open must fail and say where), damage
 * seen later by a reader, the size cap (refuse, alarm once per episode,
 * accept again after release) and group commit on a timer.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>

#include "handover/delivery_log.h"
#include "handover/spool.h"

/* Link-time wrap (-Wl,--wrap=writev): when armed, write half, then die like a crash. */
ssize_t __real_writev(int fd, const struct iovec *iov, int cnt);
ssize_t __wrap_writev(int fd, const struct iovec *iov, int cnt);
static int crash_in_writev;

ssize_t __wrap_writev(int fd, const struct iovec *iov, int cnt)
{
	size_t total = 0, half, done = 0;
	int i;

	if (!crash_in_writev)
		return __real_writev(fd, iov, cnt);
	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	half = total / 2;
	for (i = 0; i < cnt && done < half; i++) {
		size_t n = iov[i].iov_len < half - done ? iov[i].iov_len : half - done;

		if (write(fd, iov[i].iov_base, n) != (ssize_t)n)
			_exit(3);
		done += n;
	}
	_exit(0);
}

struct fx {
	void *ctx;
	char dir[256];
	size_t blocks;
};

static const struct sl_spool_cfg cfg_never = { .fsync = SL_SPOOL_FSYNC_NEVER };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "%s/spool-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	f->ctx = talloc_named_const(NULL, 0, "test");
	f->blocks = talloc_total_blocks(f->ctx);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[512];

	assert_int_equal(talloc_total_blocks(f->ctx), f->blocks);
	talloc_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Payload of record id: a size and bytes derived from the id, checkable on read. */
static size_t make_payload(uint64_t id, uint8_t *buf, size_t cap)
{
	size_t n = 1 + (id * 37) % 300, i;

	assert_true(n <= cap);
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(id * 131 + i);
	return n;
}

static void append_n(struct sl_spool *s, uint64_t from, unsigned n)
{
	uint8_t buf[512];
	uint64_t id;
	unsigned i;

	for (i = 0; i < n; i++) {
		size_t len = make_payload(from + i, buf, sizeof(buf));

		assert_int_equal(sl_spool_append(s, buf, len, &id), 0);
		assert_int_equal(id, from + i);
	}
}

/* Read from..to (inclusive) with a fresh cursor and check every byte. */
static void expect_records(void *ctx, struct sl_spool *s, uint64_t from, uint64_t to)
{
	struct sl_spool_cursor *c = sl_spool_cursor_new(ctx, s);
	struct sl_spool_rec *r;
	uint8_t buf[512];
	uint64_t id;

	assert_int_equal(sl_spool_cursor_seek(c, from), 0);
	for (id = from; id <= to; id++) {
		size_t len = make_payload(id, buf, sizeof(buf));

		assert_int_equal(sl_spool_cursor_next(c, ctx, &r), 1);
		assert_int_equal(r->id, id);
		assert_int_equal(r->len, len);
		assert_memory_equal(r->data, buf, len);
		talloc_free(r);
	}
	assert_int_equal(sl_spool_cursor_next(c, ctx, &r), 0);
	talloc_free(c);
}

static struct sl_spool *open_ok(struct fx *f, const struct sl_spool_cfg *cfg)
{
	struct sl_spool *s;
	char err[512] = "";
	int rc = sl_spool_open(f->ctx, f->dir, "test", cfg, &s, err, sizeof(err));

	if (rc)
		fail_msg("open: %d %s", rc, err);
	return s;
}

static uint64_t ctr(struct sl_spool *s, unsigned idx)
{
	return rate_ctr_group_get_ctr(sl_spool_ctrs(s), idx)->current;
}

static void test_roundtrip_reopen(void **state)
{
	struct fx *f = *state;
	struct sl_spool *s = open_ok(f, &cfg_never);
	struct sl_spool_stats st;

	append_n(s, 1, 1000);
	assert_int_equal(sl_spool_commit(s), 0);
	expect_records(f->ctx, s, 1, 1000);
	expect_records(f->ctx, s, 500, 1000);
	sl_spool_close(s);

	s = open_ok(f, &cfg_never);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.last_id, 1000);
	assert_int_equal(st.committed_id, 1000);
	assert_int_equal(st.released_id, 0);
	assert_int_equal(st.queued_records, 1000);
	expect_records(f->ctx, s, 1, 1000);
	append_n(s, 1001, 10);
	sl_spool_commit(s);
	expect_records(f->ctx, s, 1, 1010);
	sl_spool_close(s);
}

static struct sl_spool_rec *read_one(void *ctx, struct sl_spool *s, uint64_t id)
{
	struct sl_spool_cursor *c = sl_spool_cursor_new(ctx, s);
	struct sl_spool_rec *r;

	assert_int_equal(sl_spool_cursor_seek(c, id), 0);
	assert_int_equal(sl_spool_cursor_next(c, ctx, &r), 1);
	talloc_free(c);
	return r;
}

static void test_release_deletes_segments(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 4096 };
	struct sl_spool *s = open_ok(f, &cfg);
	struct sl_spool_stats st, st2;
	struct sl_spool_rec *r;
	int64_t t;

	append_n(s, 1, 500);
	sl_spool_commit(s);
	sl_spool_get_stats(s, &st);
	assert_true(st.segments > 10);
	r = read_one(f->ctx, s, 300);
	sl_spool_release(s, r);
	talloc_free(r);
	sl_spool_get_stats(s, &st2);
	assert_int_equal(st2.released_id, 300);
	assert_int_equal(st2.persisted_id, 300);
	assert_int_equal(st2.queued_records, 200);
	assert_true(st2.segments < st.segments);
	assert_true(st2.disk_bytes < st.disk_bytes);
	assert_true(ctr(s, SL_SPOOL_CTR_SEG_DELETED) > 0);
	assert_int_equal(ctr(s, SL_SPOOL_CTR_RELEASED), 300);
	assert_int_equal(sl_spool_oldest_time(s, &t), 0);
	sl_spool_close(s);

	/* Restart: resume after 300, ids continue, bytes queued are exact. */
	s = open_ok(f, &cfg);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.released_id, 300);
	assert_int_equal(st.last_id, 500);
	assert_int_equal(st.queued_bytes, st2.queued_bytes);
	expect_records(f->ctx, s, 301, 500);
	assert_int_equal(sl_spool_cursor_seek(sl_spool_cursor_new(f->ctx, s), 1), -ENOENT);
	append_n(s, 501, 5);
	/* Release everything, including the active segment: directory empties, ids go on. */
	sl_spool_commit(s);
	r = read_one(f->ctx, s, 505);
	sl_spool_release(s, r);
	talloc_free(r);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.segments, 0);
	assert_int_equal(st.disk_bytes, 0);
	assert_int_equal(sl_spool_oldest_time(s, &t), -ENOENT);
	append_n(s, 506, 3);
	sl_spool_close(s);
	s = open_ok(f, &cfg);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.released_id, 505);
	assert_int_equal(st.last_id, 508);
	expect_records(f->ctx, s, 506, 508);
	sl_spool_close(s);
	talloc_free_children(f->ctx);
}

/* A crash before the lazily persisted pointer is written: older pointer, so resends, not gaps. */
static void test_release_pointer_crash(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_ALWAYS, .release_persist_ms = 60000 };
	struct sl_spool *s = open_ok(f, &cfg);
	struct sl_spool_stats st;
	struct sl_spool_rec *r;
	int status;
	pid_t pid;

	append_n(s, 1, 50);
	r = read_one(f->ctx, s, 10);
	sl_spool_release(s, r);
	talloc_free(r);
	assert_int_equal(sl_spool_persist_release(s), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		r = read_one(f->ctx, s, 40);
		sl_spool_release(s, r); /* pending for 60 s: never written */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/*
	 * The child released up to 40 and died before persisting it. This
	 * instance only ever released 10 (persisted already), so closing it
	 * normally writes nothing new. (Freeing it without its destructor, as
	 * this test once did, leaves its counter group and timers linked in
	 * libosmocore's lists: a use after free that hung the -O2 build.)
	 */
	sl_spool_close(s);
	s = open_ok(f, &cfg);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.released_id, 10);
	expect_records(f->ctx, s, 11, 50);
	sl_spool_close(s);
}

static char *seg_path(struct fx *f, uint64_t first, char *buf, size_t len)
{
	snprintf(buf, len, "%s/seg-%020llu.log", f->dir, (unsigned long long)first);
	return buf;
}

static off_t file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Cut the last record at every length: each is a torn write, truncated and counted. */
static void test_torn_tail_every_length(void **state)
{
	struct fx *f = *state;
	struct sl_spool *s = open_ok(f, &cfg_never);
	struct sl_spool_stats st;
	char path[512];
	off_t end2, end3, k;

	append_n(s, 1, 2);
	sl_spool_close(s);
	seg_path(f, 1, path, sizeof(path));
	end2 = file_size(path);
	s = open_ok(f, &cfg_never);
	append_n(s, 3, 1);
	sl_spool_close(s);
	end3 = file_size(path);

	for (k = 1; k < end3 - end2; k++) {
		char cmd[700];

		/* Restore record 3 whole, then cut it to k bytes. */
		s = open_ok(f, &cfg_never);
		sl_spool_get_stats(s, &st);
		if (st.last_id == 2)
			append_n(s, 3, 1);
		sl_spool_close(s);
		assert_int_equal(file_size(path), end3);
		snprintf(cmd, sizeof(cmd), "truncate -s %lld '%s'", (long long)(end2 + k), path);
		assert_int_equal(system(cmd), 0);

		s = open_ok(f, &cfg_never);
		sl_spool_get_stats(s, &st);
		assert_int_equal(st.last_id, 2);
		assert_int_equal(ctr(s, SL_SPOOL_CTR_TORN), 1);
		assert_int_equal(file_size(path), end2);
		expect_records(f->ctx, s, 1, 2);
		sl_spool_close(s);
	}
}

/* Children append with fsync ALWAYS and report each id; kill -9 at random points. */
static void test_crash_kill9(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_ALWAYS, .segment_bytes = 16384 };
	uint64_t acked = 0, next = 1;
	unsigned round;

	for (round = 0; round < 5; round++) {
		struct sl_spool_stats st;
		struct sl_spool *s;
		int p[2], status;
		uint64_t id;
		pid_t pid;

		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			s = open_ok(f, &cfg);
			sl_spool_get_stats(s, &st);
			for (id = st.last_id + 1;; id++) {
				uint8_t buf[512];
				size_t len = make_payload(id, buf, sizeof(buf));

				if (sl_spool_append(s, buf, len, NULL) != 0)
					_exit(2);
				if (write(p[1], &id, sizeof(id)) != sizeof(id))
					_exit(2);
			}
		}
		close(p[1]);
		/* Let it run for a while (varying), then kill it mid-whatever. */
		for (unsigned i = 0; i < 200 + round * 150; i++)
			assert_int_equal(read(p[0], &id, sizeof(id)), sizeof(id));
		kill(pid, SIGKILL);
		while (read(p[0], &id, sizeof(id)) == sizeof(id))
			acked = id;
		close(p[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));

		s = open_ok(f, &cfg);
		sl_spool_get_stats(s, &st);
		/* Every append that returned is there, and every record is intact and in sequence. */
		assert_true(st.last_id >= acked);
		assert_true(st.last_id >= next);
		expect_records(f->ctx, s, 1, st.last_id);
		next = st.last_id + 1;
		sl_spool_close(s);
	}
}

/* A child dies half-way through writing a record (link-time wrap of writev). */
static void test_crash_inside_writev(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_ALWAYS };
	struct sl_spool_stats st;
	struct sl_spool *s;
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t buf[512];

		s = open_ok(f, &cfg);
		append_n(s, 1, 10);
		crash_in_writev = 1;
		sl_spool_append(s, buf, make_payload(11, buf, sizeof(buf)), NULL);
		_exit(1); /* not reached */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	s = open_ok(f, &cfg);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.last_id, 10);
	assert_int_equal(ctr(s, SL_SPOOL_CTR_TORN), 1);
	expect_records(f->ctx, s, 1, 10);
	append_n(s, 11, 5);
	sl_spool_close(s);
	s = open_ok(f, &cfg);
	expect_records(f->ctx, s, 1, 15);
	assert_int_equal(ctr(s, SL_SPOOL_CTR_TORN), 0);
	sl_spool_close(s);
}

static void flip_byte(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	uint8_t b;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void expect_open_fails(struct fx *f, const struct sl_spool_cfg *cfg, const char *needle)
{
	struct sl_spool *s = NULL;
	char err[512] = "";

	assert_int_equal(sl_spool_open(f->ctx, f->dir, "test", cfg, &s, err, sizeof(err)), -EBADMSG);
	assert_null(s);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

/* A bad record followed by good ones is corruption: open fails, naming the offset. */
static void test_corruption_middle(void **state)
{
	struct fx *f = *state;
	struct sl_spool *s = open_ok(f, &cfg_never);
	char path[512];
	off_t size;

	append_n(s, 1, 20);
	sl_spool_close(s);
	seg_path(f, 1, path, sizeof(path));
	size = file_size(path);
	flip_byte(path, size / 2);
	expect_open_fails(f, &cfg_never, "valid records follow");
	/* Unchanged: the spool did not "repair" it by truncation. */
	assert_int_equal(file_size(path), size);
	flip_byte(path, size / 2);
	s = open_ok(f, &cfg_never);
	expect_records(f->ctx, s, 1, 20);
	sl_spool_close(s);
}

/* Any bad record in a segment that is not the last one, even its tail, is corruption. */
static void test_corruption_closed_segment(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 2048 };
	struct sl_spool *s = open_ok(f, &cfg);
	char path[512];

	append_n(s, 1, 60);
	sl_spool_close(s);
	seg_path(f, 1, path, sizeof(path));
	flip_byte(path, file_size(path) - 1);
	expect_open_fails(f, &cfg, "closed segment");
	flip_byte(path, file_size(path) - 1);
	/* A missing middle segment is a gap. */
	s = open_ok(f, &cfg);
	sl_spool_close(s);
	{
		struct sl_spool_stats st;
		char cmd[1024], second[256];

		s = open_ok(f, &cfg);
		sl_spool_get_stats(s, &st);
		assert_true(st.segments >= 3);
		sl_spool_close(s);
		/* Find the second segment by listing, remove it. */
		snprintf(cmd, sizeof(cmd), "ls '%s' | grep seg- | sed -n 2p", f->dir);
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		assert_non_null(fgets(second, sizeof(second), p));
		pclose(p);
		second[strcspn(second, "\n")] = 0;
		snprintf(cmd, sizeof(cmd), "rm '%s/%s'", f->dir, second);
		assert_int_equal(system(cmd), 0);
		expect_open_fails(f, &cfg, "records missing");
	}
}

/* Damage after open is caught by the reader, not sent. */
static void test_corruption_seen_by_reader(void **state)
{
	struct fx *f = *state;
	struct sl_spool *s = open_ok(f, &cfg_never);
	struct sl_spool_cursor *c;
	struct sl_spool_rec *r;
	char path[512];

	append_n(s, 1, 3);
	sl_spool_commit(s);
	seg_path(f, 1, path, sizeof(path));
	flip_byte(path, file_size(path) - 1);
	c = sl_spool_cursor_new(f->ctx, s);
	assert_int_equal(sl_spool_cursor_next(c, f->ctx, &r), 1);
	talloc_free(r);
	assert_int_equal(sl_spool_cursor_next(c, f->ctx, &r), 1);
	talloc_free(r);
	assert_int_equal(sl_spool_cursor_next(c, f->ctx, &r), -EBADMSG);
	assert_true(ctr(s, SL_SPOOL_CTR_IO_ERROR) >= 1);
	talloc_free(c);
	flip_byte(path, file_size(path) - 1);
	sl_spool_close(s);
}

static void test_cap_refuses(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_NEVER, .segment_bytes = 1000, .max_bytes = 5000 };
	struct sl_spool *s = open_ok(f, &cfg);
	struct sl_spool_stats st;
	struct sl_spool_rec *r;
	uint8_t buf[100] = { 1 };
	uint64_t id, accepted = 0;
	int rc, i;

	for (i = 0; i < 100; i++) {
		rc = sl_spool_append(s, buf, sizeof(buf), &id);
		if (rc == 0)
			accepted++;
		else
			assert_int_equal(rc, -ENOSPC);
	}
	sl_spool_get_stats(s, &st);
	assert_true(st.full);
	assert_true(st.disk_bytes <= 5000);
	assert_int_equal(accepted, 5000 / 136);
	assert_int_equal(st.last_id, accepted);
	assert_int_equal(ctr(s, SL_SPOOL_CTR_REFUSED), 100 - accepted);
	assert_int_equal(ctr(s, SL_SPOOL_CTR_CAP_ALARM), 1);
	assert_int_equal(sl_spool_append(s, buf, 0, NULL), -EMSGSIZE);

	/* Delivery frees whole segments; appends are accepted again, ids continue. */
	sl_spool_commit(s);
	r = read_one(f->ctx, s, 20);
	sl_spool_release(s, r);
	talloc_free(r);
	assert_int_equal(sl_spool_append(s, buf, sizeof(buf), &id), 0);
	assert_int_equal(id, accepted + 1);
	sl_spool_get_stats(s, &st);
	assert_false(st.full);
	while (sl_spool_append(s, buf, sizeof(buf), &id) == 0)
		;
	assert_int_equal(ctr(s, SL_SPOOL_CTR_CAP_ALARM), 2);
	sl_spool_close(s);
}

static unsigned notified;

static void on_commit(void *priv)
{
	notified++;
}

static void test_group_commit_timer(void **state)
{
	struct fx *f = *state;
	struct sl_spool_cfg cfg = { .fsync = SL_SPOOL_FSYNC_INTERVAL, .fsync_interval_ms = 20 };
	struct sl_spool *s = open_ok(f, &cfg);
	struct sl_spool_stats st;

	notified = 0;
	sl_spool_set_notify(s, on_commit, NULL);
	append_n(s, 1, 100);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.committed_id, 0);
	while (!notified)
		osmo_select_main(0);
	sl_spool_get_stats(s, &st);
	assert_int_equal(st.committed_id, 100);
	assert_int_equal(notified, 1); /* one fsync, one notification for the group */
	assert_int_equal(ctr(s, SL_SPOOL_CTR_COMMITTED), 100);
	sl_spool_close(s);
}

static const struct log_info test_log_info = {
	.cat = sl_delivery_log_cats,
	.num_cat = _SL_DELIVERY_LOGC_COUNT,
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_deletes_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_pointer_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_every_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_inside_writev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruption_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruption_closed_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corruption_seen_by_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_timer, setup, teardown),
	};

	log_init(&test_log_info, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
