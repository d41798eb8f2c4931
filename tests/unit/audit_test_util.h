/*
 * Helpers shared by the audit unit tests: a scratch directory with a
 * signing key, whole-file read and write, recursive removal, and a fake
 * clock. Header-only; each test program includes it once.
 */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/keys.h"

#define AT_ORIGIN "audit.test/log"

struct at_env {
	char root[64];	/* scratch directory */
	char *key, *vkey, *log;
	struct sl_audit_vkey vk;
};

static int64_t at_real_us = 1764748800000000; /* 2025-12-03T08:00:00Z */
static int64_t at_mono_us = 1000000;

static inline int64_t at_clock_real(void)
{
	return at_real_us;
}

static inline int64_t at_clock_mono(void)
{
	return at_mono_us;
}

static inline void at_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[1400];

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%.1000s/%s", path, de->d_name) < (int)sizeof(sub))
			at_rm_rf(sub);
	}
	closedir(d);
	rmdir(path);
}

static inline void at_env_init(void *ctx, struct at_env *e)
{
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	char *err = NULL;

	/* tmpfs when there is one: these tests rewrite small files thousands of times */
	snprintf(e->root, sizeof(e->root), "%s/sluice-audit-test-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(e->root))
		abort();
	e->key = talloc_asprintf(ctx, "%s/audit.key", e->root);
	e->vkey = talloc_asprintf(ctx, "%s/audit.vkey", e->root);
	e->log = talloc_asprintf(ctx, "%s/log", e->root);
	if (sl_audit_keygen(ctx, h, AT_ORIGIN, e->key, e->vkey, &err) != 0 ||
	    !sl_audit_vkey_load(ctx, h, e->vkey, &e->vk, &err)) {
		fprintf(stderr, "keygen: %s\n", err);
		abort();
	}
	talloc_free(h);
}

static inline void at_cfg(const struct at_env *e, struct sl_audit_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->dir = e->log;
	c->key_file = e->key;
	c->origin = AT_ORIGIN;
	c->no_fsync = true; /* tmpfs-speed tests; the crash test runs with fsync */
	c->clock_real_us = at_clock_real;
	c->clock_mono_us = at_clock_mono;
}

static inline uint8_t *at_read(void *ctx, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = talloc_size(ctx, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static inline void at_write(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		abort();
}

/* Appends n delivery records. */
static inline void at_append_n(struct sl_audit_log *log, unsigned n)
{
	static const struct sl_audit_actor a = { "system", "test" };
	unsigned i;

	for (i = 0; i < n; i++) {
		json_t *f = json_pack("{s:s,s:s,s:I,s:i,s:s}", "liid", i % 2 ? "LIID-A" : "LIID-B", "destination",
				      "lea-1", "first_seq", (json_int_t)i, "count", 3, "digest",
				      "sha256:1111111111111111111111111111111111111111111111111111111111111111");

		at_real_us += 1000;
		if (sl_audit_append(log, "delivery", &a, f, 0) < 0)
			abort();
		json_decref(f);
	}
}
