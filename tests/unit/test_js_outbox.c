/*
 * Unit tests for the JetStream export's outbox (mediation/consent/consent_consent_js_outbox.c) and
 * the publisher's behaviour without a broker (mediation/consent/consent_consent_js_export.c):
 * message ids from segment and line, names and subject prefixes, the
 * cursor file (round trip, atomic save, truncation at every length,
 * malformed and random bytes), whole-line reads of segments, the segment
 * range of a directory; that a publisher whose broker is unreachable
 * neither blocks its caller nor moves its cursor; and the checks of its
 * credentials file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "config.h"
#include "mediation/consent/consent_js_export.h"
#include "mediation/consent/consent_js_outbox.h"

static void test_msg_id(void **state)
{
	char id[SL_JS_MSG_ID_MAX], small[8];
	char long_name[SL_JS_NAME_MAX + 2];

	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw1", "acme", 1, 42), 0);
	assert_string_equal(id, "gw1.acme.000001.000000042");
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "sluice", "r_2-x", 999999, 999999999), 0);
	assert_string_equal(id, "sluice.r_2-x.999999.999999999");
	/* the same position always gives the same id */
	assert_int_equal(sl_js_msg_id(small, sizeof(small), "gw1", "acme", 1, 42), -ENOSPC);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw1", "ac.me", 1, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw*", "acme", 1, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw", "a>", 1, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "", "acme", 1, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw", "acme", 0, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw", "acme", 1000000, 1), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw", "acme", 1, 0), -EINVAL);
	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw", "acme", 1, 1000000000), -EINVAL);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	assert_false(sl_js_name_ok(long_name));
	long_name[SL_JS_NAME_MAX] = 0;
	assert_true(sl_js_name_ok(long_name));
	assert_int_equal(sl_js_msg_id(id, sizeof(id), long_name, long_name, 999999, 999999999), 0);
}

/* An acknowledgement's message id back to its position: every id made above, none of its truncations, no garbage. */
static void test_msg_id_position(void **state)
{
	static const char *const bad[] = { "", "x", ".000001.000000001", "g.r.000001.00000000x", "g.r.0000a1.000000001",
					   "g.r.000001.000000000", "g.r.000000.000000001", "g.r.000001-000000001",
					   "g.r-000001.000000001", "g.r.0000001.00000001" };
	char id[SL_JS_MSG_ID_MAX], long_name[SL_JS_NAME_MAX + 1];
	unsigned seg, i;
	uint64_t line;
	size_t len, l;

	assert_int_equal(sl_js_msg_id(id, sizeof(id), "gw1", "acme", 3, 42), 0);
	assert_int_equal(sl_js_msg_id_position(id, strlen(id), &seg, &line), 0);
	assert_true(seg == 3 && line == 42);
	memset(long_name, 'a', SL_JS_NAME_MAX);
	long_name[SL_JS_NAME_MAX] = 0;
	assert_int_equal(sl_js_msg_id(id, sizeof(id), long_name, long_name, 999999, 999999999), 0);
	len = strlen(id);
	assert_int_equal(sl_js_msg_id_position(id, len, &seg, &line), 0);
	assert_true(seg == 999999 && line == 999999999);
	for (l = 0; l < len; l++)
		assert_int_equal(sl_js_msg_id_position(id, l, &seg, &line), -EBADMSG);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sl_js_msg_id_position(bad[i], strlen(bad[i]), &seg, &line), -EBADMSG);
	/* longer than any id */
	memset(id, '1', sizeof(id));
	assert_int_equal(sl_js_msg_id_position(id, sizeof(id), &seg, &line), -EBADMSG);
}

static void test_prefix(void **state)
{
	assert_true(sl_js_prefix_ok("sluice.export"));
	assert_true(sl_js_prefix_ok("x"));
	assert_false(sl_js_prefix_ok(""));
	assert_false(sl_js_prefix_ok("a..b"));
	assert_false(sl_js_prefix_ok(".a"));
	assert_false(sl_js_prefix_ok("a."));
	assert_false(sl_js_prefix_ok("a.*"));
	assert_false(sl_js_prefix_ok("a.>"));
	assert_false(sl_js_prefix_ok("a b"));
}

static void test_pos_order(void **state)
{
	struct sl_js_pos p = { .seg = 2, .off = 10, .lines = 3 };

	assert_true(sl_js_pos_before(&p, 2, 11));
	assert_false(sl_js_pos_before(&p, 2, 10));
	assert_false(sl_js_pos_before(&p, 1, 1000));
	assert_true(sl_js_pos_before(&p, 3, 0));
}

static void test_cursor_roundtrip(void **state)
{
	struct sl_js_pos in = { .seg = 12, .off = 123456789012ull, .lines = 4000 }, out;
	char buf[SL_JS_CURSOR_MAX], dir[] = "/tmp/sluice-jsout.XXXXXX";
	size_t n = sl_js_cursor_format(buf, sizeof(buf), &in);
	int dfd;

	assert_true(n > 0);
	assert_int_equal(sl_js_cursor_parse(buf, n, &out), 0);
	assert_int_equal(out.seg, 12);
	assert_true(out.off == in.off && out.lines == in.lines);
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(sl_js_cursor_load(dfd, "acme", &out), -ENOENT);
	assert_int_equal(sl_js_cursor_save(dfd, "acme", &in), 0);
	in.off++;
	assert_int_equal(sl_js_cursor_save(dfd, "acme", &in), 0); /* replaced, not appended */
	memset(&out, 0, sizeof(out));
	assert_int_equal(sl_js_cursor_load(dfd, "acme", &out), 0);
	assert_true(out.seg == 12 && out.off == in.off && out.lines == 4000);
	assert_int_equal(faccessat(dfd, "acme.jetstream.tmp", F_OK, 0), -1);
	unlinkat(dfd, "acme.jetstream", 0);
	close(dfd);
	rmdir(dir);
}

static void test_cursor_malformed(void **state)
{
	static const char *const bad[] = {
		"sluice-jetstream-cursor 2 1 0 0\n",		/* another version */
		"sluice-jetstream-cursor 1 1 0\n",		/* a field missing */
		"sluice-jetstream-cursor 1 1 0 0 0\n",		/* one too many */
		"sluice-jetstream-cursor 1 01 0 0\n",		/* leading zero */
		"sluice-jetstream-cursor 1 1  0 0\n",		/* two spaces */
		"sluice-jetstream-cursor 1 -1 0 0\n",
		"sluice-jetstream-cursor 1 1000000 0 0\n",	/* segment out of range */
		"sluice-jetstream-cursor 1 1 18446744073709551616 0\n", /* 2^64 */
		"sluice-jetstream-cursor 1 1 5 6\n",		/* more lines than bytes */
		"sluice-jetstream-cursor 1 1 0 0\nx",		/* bytes after the line */
		"sluice-jetstream-cursor 1 1 0 0\r\n",
		"sluice-jetstream-cursor 1 1\t0 0\n",
		"sluice-jetstream-cursor 1 1 0 0 \n",
		"SLUICE-jetstream-cursor 1 1 0 0\n",
		"\n",
		"garbage",
	};
	struct sl_js_pos good = { .seg = 7, .off = 9000, .lines = 77 }, out;
	char buf[SL_JS_CURSOR_MAX], rnd[64];
	size_t n = sl_js_cursor_format(buf, sizeof(buf), &good), i, k;
	unsigned seed = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sl_js_cursor_parse(bad[i], strlen(bad[i]), &out), -EBADMSG);
	/* truncation at every length: never accepted, a prefix is "truncated" */
	for (i = 0; i < n; i++)
		assert_int_equal(sl_js_cursor_parse(buf, i, &out), -ENODATA);
	assert_int_equal(sl_js_cursor_parse(buf, n, &out), 0);
	/* random bytes: never accepted (no LF at the right place), never read past len */
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % (int)sizeof(rnd));
		char *p = malloc(len ? len : 1);
		for (k = 0; k < len; k++)
			p[k] = (char)rand_r(&seed);
		assert_int_not_equal(sl_js_cursor_parse(p, len, &out), 0);
		free(p);
	}
	/* one byte flipped anywhere in a good line: rejected or still a well-formed position */
	for (i = 0; i < n; i++) {
		char c[SL_JS_CURSOR_MAX];
		memcpy(c, buf, n);
		c[i] ^= 0x01;
		if (sl_js_cursor_parse(c, n, &out) == 0)
			assert_true(out.lines <= out.off && out.seg <= 999999);
	}
}

static char *mkfile(const char *dir, const char *name, const char *body)
{
	char *path = talloc_asprintf(NULL, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	return path;
}

static void test_read_lines(void **state)
{
	char dir[] = "/tmp/sluice-jsout.XXXXXX", buf[64];
	char *path;
	unsigned nl;
	int fd;

	assert_non_null(mkdtemp(dir));
	path = mkfile(dir, "acme.000001.jsonl", "a\nbb\nccc\npartial");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(sl_js_read_lines(fd, 0, UINT64_MAX, buf, sizeof(buf), 1000, &nl), 9);
	assert_int_equal(nl, 3);
	assert_int_equal(sl_js_read_lines(fd, 0, UINT64_MAX, buf, sizeof(buf), 2, &nl), 5);
	assert_int_equal(nl, 2);
	/* the durable limit cuts a line: only whole lines before it */
	assert_int_equal(sl_js_read_lines(fd, 0, 4, buf, sizeof(buf), 1000, &nl), 2);
	assert_int_equal(nl, 1);
	assert_int_equal(sl_js_read_lines(fd, 2, UINT64_MAX, buf, sizeof(buf), 1000, &nl), 7);
	assert_memory_equal(buf, "bb\nccc\n", 7);
	/* a torn tail is not a line */
	assert_int_equal(sl_js_read_lines(fd, 9, UINT64_MAX, buf, sizeof(buf), 1000, &nl), 0);
	assert_int_equal(nl, 0);
	assert_int_equal(sl_js_read_lines(fd, 1000, UINT64_MAX, buf, sizeof(buf), 1000, &nl), 0);
	/* a line longer than the buffer */
	assert_int_equal(sl_js_read_lines(fd, 5, UINT64_MAX, buf, 3, 1000, &nl), -EMSGSIZE);
	/* ... is measured through a buffer smaller than it, to skip it and go on after it */
	assert_int_equal(sl_js_line_length(fd, 5, UINT64_MAX, buf, 3), 4);
	assert_int_equal(sl_js_line_length(fd, 5, UINT64_MAX, buf, 1), 4);
	assert_int_equal(sl_js_line_length(fd, 0, UINT64_MAX, buf, 2), 2);
	assert_int_equal(sl_js_read_lines(fd, 5 + 4, UINT64_MAX, buf, sizeof(buf), 1000, &nl), 0);
	/* no LF before the limit, or before the end (a torn tail) */
	assert_int_equal(sl_js_line_length(fd, 5, 3, buf, 2), -ENODATA);
	assert_int_equal(sl_js_line_length(fd, 9, UINT64_MAX, buf, 3), -ENODATA);
	assert_int_equal(sl_js_line_length(fd, 1000, UINT64_MAX, buf, 3), -ENODATA);
	close(fd);
	unlink(path);
	talloc_free(path);
	rmdir(dir);
}

static void test_segment_range(void **state)
{
	static const char *const names[] = { "acme.000003.jsonl", "acme.000007.jsonl", "acme.jetstream",
					     "other.000009.jsonl", "acme.12.jsonl", "acme.000000.jsonl",
					     "acme.000005.jsonl.tmp" };
	char dir[] = "/tmp/sluice-jsout.XXXXXX";
	unsigned lo, hi, i;
	int dfd;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	sl_js_segment_range(dfd, "acme", &lo, &hi);
	assert_true(lo == 0 && hi == 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		talloc_free(mkfile(dir, names[i], "x\n"));
	sl_js_segment_range(dfd, "acme", &lo, &hi);
	assert_int_equal(lo, 3);
	assert_int_equal(hi, 7);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlinkat(dfd, names[i], 0);
	close(dfd);
	rmdir(dir);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* No broker listening: the caller's calls return at once, the drain times out, the cursor stays. */
static void test_unreachable_broker(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_js_export_cfg cfg = { .url = "nats://127.0.0.1:1", .stream = "S", .subject_prefix = "sluice.export",
					.gateway_id = "gw" };
	char dir[] = "/tmp/sluice-jsout.XXXXXX", *err = NULL, *path;
	struct sl_js_export_stats st;
	struct sl_js_export *x;
	struct sl_js_pos pos;
	double t0, t_durable, t_drain;

	assert_non_null(mkdtemp(dir));
	path = mkfile(dir, "acme.000001.jsonl", "{\"a\":1}\n{\"a\":2}\n");
	cfg.subject_prefix = "bad..prefix";
	assert_null(sl_js_export_open(ctx, &cfg, dir, "acme", &err));
	assert_non_null(err);
	cfg.subject_prefix = "sluice.export";
#ifdef HAVE_LIBNATS
	{
		/* a cursor past the outbox (segments removed) is refused, not silently skipped */
		struct sl_js_pos past = { .seg = 2, .off = 0, .lines = 0 };
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);

		assert_int_equal(sl_js_cursor_save(dfd, "acme", &past), 0);
		assert_null(sl_js_export_open(ctx, &cfg, dir, "acme", &err));
		assert_non_null(strstr(err, "past the last segment"));
		past = (struct sl_js_pos){ .seg = 1, .off = 17, .lines = 2 };
		assert_int_equal(sl_js_cursor_save(dfd, "acme", &past), 0);
		assert_null(sl_js_export_open(ctx, &cfg, dir, "acme", &err));
		unlinkat(dfd, "acme.jetstream", 0);
		close(dfd);
	}
#endif
	x = sl_js_export_open(ctx, &cfg, dir, "acme", &err);
#ifdef HAVE_LIBNATS
	assert_non_null(x);
	t0 = now_s();
	sl_js_export_durable(x, 1, 16);
	t_durable = now_s() - t0;
	t0 = now_s();
	assert_false(sl_js_export_drain(x, 300));
	t_drain = now_s() - t0;
	/* durable() only takes a mutex; the drain waits its bound, not the broker's timeouts */
	assert_true(t_durable < t_drain / 10);
	assert_true(t_drain < 5.0);
	sl_js_export_acked(x, &pos);
	assert_true(pos.seg == 1 && pos.off == 0 && pos.lines == 0);
	sl_js_export_stats(x, &st);
	assert_false(st.connected);
	assert_true(st.acked == 0);
	talloc_free(x);
#else
	(void)t0; (void)t_durable; (void)t_drain; (void)pos; (void)st;
	assert_null(x);
	assert_non_null(strstr(err, "libnats"));
#endif
	unlink(path);
	talloc_free(path);
	rmdir(dir);
	talloc_free(ctx);
}

#ifdef HAVE_LIBNATS
/* Opens a publisher whose credentials file is path: NULL with the error in *err when refused. */
static struct sl_js_export *open_with_creds(void *ctx, const char *dir, const char *path, char **err)
{
	struct sl_js_export_cfg cfg = { .url = "nats://127.0.0.1:1", .stream = "S", .subject_prefix = "sluice.export",
					.gateway_id = "gw", .creds_file = path };

	return sl_js_export_open(ctx, &cfg, dir, "acme", err);
}
#endif

/*
 * The credentials file: missing, empty or a directory refuses the start
 * with the file named; a readable one starts, and the publisher connects
 * at once, records or not (failed connections counted); when the file is
 * gone by a connection attempt, the error names it.
 */
static void test_credentials_file(void **state)
{
#ifdef HAVE_LIBNATS
	void *ctx = talloc_new(NULL);
	char dir[] = "/tmp/sluice-jsout.XXXXXX", *err = NULL, *missing, *empty, *creds, *sub;
	struct sl_js_export_stats st;
	struct sl_js_export *x;
	int i;

	assert_non_null(mkdtemp(dir));
	missing = talloc_asprintf(ctx, "%s/missing.creds", dir);
	assert_null(open_with_creds(ctx, dir, missing, &err));
	assert_non_null(strstr(err, missing));
	assert_non_null(strstr(err, "No such file or directory"));
	empty = mkfile(dir, "empty.creds", "");
	assert_null(open_with_creds(ctx, dir, empty, &err));
	assert_non_null(strstr(err, empty));
	assert_non_null(strstr(err, ": empty"));
	sub = talloc_asprintf(ctx, "%s/dir.creds", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_null(open_with_creds(ctx, dir, sub, &err));
	assert_non_null(strstr(err, "Is a directory"));
	creds = mkfile(dir, "gw.creds", "-----BEGIN NATS USER JWT-----\nnot.a.jwt\n------END NATS USER JWT------\n");
	x = open_with_creds(ctx, dir, creds, &err);
	assert_non_null(x);
	/* no record yet: the publisher still tries (broker unreachable), and counts each failure */
	for (i = 0; i < 100; i++) {
		sl_js_export_stats(x, &st);
		if (st.connect_failures)
			break;
		usleep(20000);
	}
	assert_true(st.connect_failures >= 1);
	assert_false(st.connected);
	assert_non_null(strstr(st.last_error, "connect: "));
	/* the file gone: the next attempt's error names it (back-off: 0.2, 0.4, 0.8 s... at most 5 s) */
	unlink(creds);
	for (i = 0; i < 400; i++) {
		sl_js_export_stats(x, &st);
		if (strstr(st.last_error, "credentials"))
			break;
		usleep(20000);
	}
	assert_non_null(strstr(st.last_error, creds));
	assert_non_null(strstr(st.last_error, "No such file or directory"));
	talloc_free(x);
	unlink(empty);
	rmdir(sub);
	rmdir(dir);
	talloc_free(empty);
	talloc_free(creds);
	talloc_free(ctx);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_id),
		cmocka_unit_test(test_msg_id_position),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_pos_order),
		cmocka_unit_test(test_cursor_roundtrip),
		cmocka_unit_test(test_cursor_malformed),
		cmocka_unit_test(test_read_lines),
		cmocka_unit_test(test_segment_range),
		cmocka_unit_test(test_unreachable_broker),
		cmocka_unit_test(test_credentials_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
