/*
 * util/open_beneath.c: opening below a directory never follows a link.
 * The race the console's path guard had (a check by name, then an open by
 * name, with a writer inside the allowed directory swapping a component
 * for a symbolic link in between) is played here by swapping the link in
 * after the directory was vetted and before the open: the open must fail
 * and nothing outside may be created or written. Both the openat2 path
 * and the component walk used where the kernel lacks openat2 are tested.
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
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/open_beneath.h"

typedef int (*open_fn)(int, const char *, int, mode_t);

struct fx {
	char root[64], base[96], out[96];
	int basefd;
};

static void path(char *buf, size_t n, const char *dir, const char *rel)
{
	snprintf(buf, n, "%s/%s", dir, rel);
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void assert_content(const char *p, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(p, "r");
	char *r;

	assert_non_null(f);
	r = fgets(buf, sizeof(buf), f);
	fclose(f);
	assert_non_null(r);
	assert_string_equal(buf, text);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char p[160];

	assert_non_null(fx);
	snprintf(fx->root, sizeof(fx->root), "%s/sl-beneath.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(fx->root));
	path(fx->base, sizeof(fx->base), fx->root, "base");
	path(fx->out, sizeof(fx->out), fx->root, "out");
	assert_int_equal(mkdir(fx->base, 0700), 0);
	assert_int_equal(mkdir(fx->out, 0700), 0);
	path(p, sizeof(p), fx->base, "logs");
	assert_int_equal(mkdir(p, 0700), 0);
	path(p, sizeof(p), fx->out, "secret.key");
	write_file(p, "KEY\n");
	fx->basefd = open(fx->base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fx->basefd >= 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[200];

	close(fx->basefd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/* nothing but secret.key may exist in out/ */
static void assert_out_untouched(const struct fx *fx)
{
	char p[160];
	struct stat st;

	path(p, sizeof(p), fx->out, "secret.key");
	assert_content(p, "KEY\n");
	path(p, sizeof(p), fx->out, "x.log");
	assert_int_equal(lstat(p, &st), -1);
}

static void check_opens_inside(const struct fx *fx, open_fn fn)
{
	char p[160];
	struct stat st;
	int fd;

	fd = fn(fx->basefd, "logs/a.log", O_WRONLY | O_CREAT | O_EXCL | O_APPEND, 0640);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(write(fd, "x\n", 2), 2);
	close(fd);
	path(p, sizeof(p), fx->base, "logs/a.log");
	assert_content(p, "x\n");
	/* "." components and repeated slashes are harmless */
	fd = fn(fx->basefd, "./logs//b.log", O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_true(fd >= 0);
	close(fd);
	/* a directory opened as the last component, for *at() calls below it */
	fd = fn(fx->basefd, "logs", O_PATH | O_DIRECTORY, 0);
	assert_true(fd >= 0);
	close(fd);
}

/* The directory was vetted; then logs/ is swapped for a link to out/: the open fails, out/ stays as it was. */
static void check_swapped_directory(const struct fx *fx, open_fn fn)
{
	char p[160], q[160];
	int fd;

	path(p, sizeof(p), fx->base, "logs");
	path(q, sizeof(q), fx->base, "logs.vetted");
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(fx->out, p), 0);
	fd = fn(fx->basefd, "logs/x.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
	assert_true(fd < 0);
	assert_true(fd == -ELOOP || fd == -ENOTDIR);
	assert_out_untouched(fx);
	/* a link to the directory itself as the last component is refused too */
	fd = fn(fx->basefd, "logs", O_PATH | O_DIRECTORY, 0);
	assert_true(fd < 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rename(q, p), 0);
}

/* The file name itself swapped for a link to a key: neither created through nor appended to. */
static void check_swapped_file(const struct fx *fx, open_fn fn)
{
	char p[160], q[160];
	int fd;

	path(p, sizeof(p), fx->base, "logs/c.log");
	path(q, sizeof(q), fx->out, "secret.key");
	assert_int_equal(symlink(q, p), 0);
	fd = fn(fx->basefd, "logs/c.log", O_WRONLY | O_APPEND, 0);
	assert_int_equal(fd, -ELOOP);
	fd = fn(fx->basefd, "logs/c.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
	assert_true(fd < 0);
	/* a dangling link would make O_CREAT create its target: refused as well */
	path(p, sizeof(p), fx->base, "logs/d.log");
	path(q, sizeof(q), fx->out, "x.log");
	assert_int_equal(symlink(q, p), 0);
	fd = fn(fx->basefd, "logs/d.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
	assert_true(fd < 0);
	assert_out_untouched(fx);
}

static void check_escapes(const struct fx *fx, open_fn fn)
{
	char rel[300];

	assert_int_equal(fn(fx->basefd, "../out/x.log", O_WRONLY | O_CREAT, 0640), -EXDEV);
	assert_int_equal(fn(fx->basefd, "logs/../../out/x.log", O_WRONLY | O_CREAT, 0640), -EXDEV);
	assert_int_equal(fn(fx->basefd, "logs/..", O_PATH | O_DIRECTORY, 0), -EXDEV);
	snprintf(rel, sizeof(rel), "%s/x.log", fx->out);
	assert_int_equal(fn(fx->basefd, rel, O_WRONLY | O_CREAT, 0640), -EXDEV);
	assert_int_equal(fn(fx->basefd, "", O_RDONLY, 0), -EXDEV);
	memset(rel, 'a', sizeof(rel) - 1);
	rel[sizeof(rel) - 1] = '\0';
	assert_true(fn(fx->basefd, rel, O_RDONLY, 0) < 0);
	assert_out_untouched(fx);
}

static void run_all(void **state, open_fn fn)
{
	struct fx *fx = *state;

	check_opens_inside(fx, fn);
	check_swapped_directory(fx, fn);
	check_swapped_file(fx, fn);
	check_escapes(fx, fn);
}

static void test_openat2(void **state)
{
	run_all(state, sl_open_beneath);
}

static void test_walk(void **state)
{
	run_all(state, sl_open_beneath_walk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_openat2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
