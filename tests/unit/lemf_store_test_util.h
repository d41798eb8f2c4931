/*
 * What the tests of the receiver's store share (test_lemf_store.c,
 * test_lemf_liid.c): a fresh temporary directory per test (T, with the
 * store's directory T/out), checked after each test for open file
 * descriptors and removed; the sample PDUs (pdu_samples.h) decoded and
 * stored as `sluice lemf` does; readers for what the store wrote (whole
 * files, lines, JSON lines checked by the strict reader, raw records);
 * and the check that nothing was written outside OUT/ and that every
 * directory name in it is safe. Static functions in a header so each
 * test stays one translation unit; include after cmocka.h.
 */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#include "handover/pdu_decode.h"
#include "lemf/lemf_store.h"
#include "tests/unit/json_check.h"
#include "tests/unit/parser_test_util.h"
#include "tests/unit/pdu_samples.h"

static struct ps_pdu pdus[PS_N];

/* Per test: a parent directory T and the store's directory T/out. */
struct tfx {
	struct fixture fx;
	char parent[256];
	char out[300];
	unsigned fds;
};

static inline unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static inline int tsetup(void **state)
{
	struct tfx *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");
	void *fx;

	assert_non_null(t);
	assert_int_equal(setup(&fx), 0);
	t->fx = *(struct fixture *)fx;
	free(fx);
	snprintf(t->parent, sizeof(t->parent), "%s/test_lemf_store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(t->parent));
	snprintf(t->out, sizeof(t->out), "%s/out", t->parent);
	t->fds = open_fds();
	*state = t;
	return 0;
}

static inline int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline int tteardown(void **state)
{
	struct tfx *t = *state;
	struct fixture *fx = malloc(sizeof(*fx));

	assert_non_null(fx);
	assert_int_equal(open_fds(), t->fds);
	nftw(t->parent, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	*fx = t->fx;
	free(t);
	*state = fx;
	return teardown(state);
}

static inline int group_setup(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "pdu samples");

	(void)state;
	pdu_samples(ctx, pdus);
	talloc_free(ctx);
	return 0;
}

/* The whole file at dir/rel (NUL-terminated), or NULL if it does not exist. */
static char *slurp(const char *dir, const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	char *b;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Line i (from 0) of text, without its newline, into out. False if there is none. */
static inline bool line_of(const char *text, unsigned i, char *out, size_t cap)
{
	const char *p = text, *e;

	while (i--) {
		p = strchr(p, '\n');
		if (!p)
			return false;
		p++;
	}
	if (!*p)
		return false;
	e = strchr(p, '\n');
	assert_non_null(e);
	assert_true((size_t)(e - p) < cap);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return true;
}

static inline unsigned count_lines(const char *text)
{
	unsigned n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/* Decode and store PDU b[0..n) on connection conn; the store's return value. */
static inline int store(struct sl_lemf_store *s, unsigned conn, const uint8_t *b, size_t n)
{
	struct sl_pdu_decoded d;
	char err[128];
	void *pctx = talloc_new(NULL); /* a BER sender's segmented strings */
	int rc;

	assert_int_equal(sl_pdu_decode(pctx, b, n, &d, err, sizeof(err)), 0);
	rc = sl_lemf_store_pdu(s, conn, b, n, &d);
	talloc_free(pctx);
	return rc;
}

static struct sl_lemf_store *open_store(void *ctx, const char *dir)
{
	char err[256] = "";
	struct sl_lemf_store *s = sl_lemf_store_new(ctx, dir, err, sizeof(err));

	if (!s)
		print_error("%s\n", err);
	assert_non_null(s);
	return s;
}

/* Every line of a JSON lines file parses; returns the number of lines. */
static inline unsigned check_jsonl(const char *text)
{
	struct jc_doc *doc = malloc(sizeof(*doc));
	const char *p = text;
	unsigned n = 0;

	assert_non_null(doc);
	while (*p) {
		const char *e = strchr(p, '\n');

		assert_non_null(e);
		assert_json(doc, p, (size_t)(e - p) + 1);
		p = e + 1;
		n++;
	}
	free(doc);
	return n;
}

/* pdus.raw holds exactly these PDUs, each after its 4-byte big-endian length. */
static inline void check_raw(const char *raw, size_t len, const struct ps_pdu *const *want, unsigned n)
{
	const uint8_t *p = (const uint8_t *)raw;
	size_t off = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		uint32_t l;

		assert_true(off + 4 <= len);
		l = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
		assert_int_equal(l, want[i]->n);
		assert_true(off + 4 + l <= len);
		assert_memory_equal(p + off + 4, want[i]->p, l);
		off += 4 + l;
	}
	assert_int_equal(off, len);
}

/* A FILE that collects what is written to it. */
struct sink {
	char *buf;
	size_t len;
	FILE *f;
};

/* Nothing but OUT/ in its parent, and only safe directory names (and summary.json) in OUT/. */
static inline void check_contained(const struct tfx *t, unsigned want_dirs)
{
	DIR *d = opendir(t->parent);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		assert_string_equal(e->d_name, "out");
	}
	closedir(d);
	d = opendir(t->out);
	assert_non_null(d);
	while ((e = readdir(d))) {
		const char *c;
		char sub[1024];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "summary.json"))
			continue;
		for (c = e->d_name; *c; c++)
			assert_non_null(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%-", *c));
		snprintf(sub, sizeof(sub), "%s/%s", t->out, e->d_name);
		assert_int_equal(lstat(sub, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		n++;
	}
	closedir(d);
	assert_int_equal(n, want_dirs);
}

/* talloc_set_memlimit is marked deprecated, but it is the allocation-failure switch talloc offers */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static inline void set_memlimit(void *ctx, size_t max)
{
	assert_int_equal(talloc_set_memlimit(ctx, max), 0);
}
#pragma GCC diagnostic pop

/* Records in a pdus.raw file (each a 4-byte big-endian length and that many bytes); -1 if cut. */
static inline int raw_records(const char *raw, size_t len)
{
	const uint8_t *p = (const uint8_t *)raw;
	size_t off = 0;
	int n = 0;

	while (off < len) {
		uint32_t l;

		if (len - off < 4)
			return -1;
		l = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
		if (len - off - 4 < l)
			return -1;
		off += 4 + l;
		n++;
	}
	return n;
}
