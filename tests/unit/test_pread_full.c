/*
 * util/pread_full.c: a byte range read whole. pread is wrapped at link
 * time (-Wl,--wrap=pread): a script of what each call does (at most N
 * bytes, EINTR, another error) is played over a real temporary file, so
 * short reads and interrupted reads, which a regular file on a local disk
 * never gives on its own, are exercised; without a script the wrap is the
 * real pread. Every result is checked against the file's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>

#include "util/pread_full.h"

ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);

/* >0: read at most that many bytes; -E: fail with errno E; 0: the real pread. One entry per call. */
static int script[64];
static unsigned n_script, at, calls;

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	int s = at < n_script ? script[at++] : 0;

	calls++;
	if (s < 0) {
		errno = -s;
		return -1;
	}
	if (s > 0 && (size_t)s < n)
		n = (size_t)s;
	return __real_pread(fd, buf, n, off);
}

static void play(const int *steps, unsigned n)
{
	if (n)
		memcpy(script, steps, n * sizeof(*steps));
	n_script = n;
	at = calls = 0;
}

#define FILE_LEN 10000u

static int setup(void **state)
{
	static int fd;
	char path[] = "/tmp/sluice-pread-XXXXXX";
	unsigned char b[FILE_LEN];
	unsigned i;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	for (i = 0; i < FILE_LEN; i++)
		b[i] = (unsigned char)(i * 7 + i / 256);
	assert_int_equal(write(fd, b, sizeof(b)), sizeof(b));
	*state = &fd;
	return 0;
}

static int teardown(void **state)
{
	close(*(int *)*state);
	return 0;
}

static void check_bytes(const unsigned char *got, uint64_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		assert_int_equal(got[i], (unsigned char)((off + i) * 7 + (off + i) / 256));
}

static void whole_reads(void **state)
{
	int fd = *(int *)*state;
	unsigned char buf[FILE_LEN + 100];

	play(NULL, 0);
	assert_int_equal(sl_pread_full(fd, buf, 100, 0), 100);
	check_bytes(buf, 0, 100);
	assert_int_equal(sl_pread_full(fd, buf, 500, 1234), 500);
	check_bytes(buf, 1234, 500);
	assert_int_equal(calls, 2);
	/* the end of the file cuts the range short; past it, 0 */
	assert_int_equal(sl_pread_full(fd, buf, 1000, FILE_LEN - 300), 300);
	check_bytes(buf, FILE_LEN - 300, 300);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 0), FILE_LEN);
	check_bytes(buf, 0, FILE_LEN);
	assert_int_equal(sl_pread_full(fd, buf, 10, FILE_LEN), 0);
	assert_int_equal(sl_pread_full(fd, buf, 10, FILE_LEN + 5000), 0);
	assert_int_equal(sl_pread_full(fd, buf, 0, 0), 0);
}

static void short_reads(void **state)
{
	int fd = *(int *)*state;
	unsigned char buf[4096];
	static const int one_byte[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	static const int uneven[] = { 7, 1000, 3, 1 };
	unsigned len;

	/* a byte per call: every call goes on where the last stopped */
	play(one_byte, 10);
	assert_int_equal(sl_pread_full(fd, buf, 10, 4321), 10);
	check_bytes(buf, 4321, 10);
	assert_int_equal(calls, 10);
	/* uneven pieces, then the rest in one real read */
	play(uneven, 4);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 100), sizeof(buf));
	check_bytes(buf, 100, sizeof(buf));
	assert_int_equal(calls, 5);
	/* short pieces running into the end of the file: every length up to it */
	for (len = 1; len <= 40; len++) {
		static const int threes[] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };

		play(threes, 20);
		memset(buf, 0, sizeof(buf));
		assert_int_equal(sl_pread_full(fd, buf, 64, FILE_LEN - len), len);
		check_bytes(buf, FILE_LEN - len, len);
	}
}

static void interrupted(void **state)
{
	int fd = *(int *)*state;
	unsigned char buf[256];
	static const int eintr_first[] = { -EINTR, -EINTR, -EINTR };
	static const int eintr_between[] = { 5, -EINTR, 20, -EINTR, -EINTR, 1 };

	play(eintr_first, 3);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 77), sizeof(buf));
	check_bytes(buf, 77, sizeof(buf));
	assert_int_equal(calls, 4);
	play(eintr_between, 6);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 9000), sizeof(buf));
	check_bytes(buf, 9000, sizeof(buf));
	assert_int_equal(calls, 7);
}

static void errors(void **state)
{
	int fd = *(int *)*state;
	unsigned char buf[256];
	static const int eio_at_once[] = { -EIO };
	static const int eio_after_some[] = { 10, -EINTR, 10, -EIO };
	int closed;

	play(eio_at_once, 1);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 0), -EIO);
	play(eio_after_some, 4);
	assert_int_equal(sl_pread_full(fd, buf, sizeof(buf), 0), -EIO);
	assert_int_equal(calls, 4);
	/* real errors: a closed descriptor, a descriptor that cannot seek */
	play(NULL, 0);
	closed = dup(fd);
	assert_true(closed >= 0);
	close(closed);
	assert_int_equal(sl_pread_full(closed, buf, sizeof(buf), 0), -EBADF);
	{
		int p[2];

		assert_int_equal(pipe(p), 0);
		assert_int_equal(write(p[1], "abc", 3), 3);
		assert_int_equal(sl_pread_full(p[0], buf, 3, 0), -ESPIPE);
		close(p[0]);
		close(p[1]);
	}
	/* a length no ssize_t can report */
	assert_int_equal(sl_pread_full(fd, buf, (size_t)SSIZE_MAX + 1, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_reads),
		cmocka_unit_test(short_reads),
		cmocka_unit_test(interrupted),
		cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
