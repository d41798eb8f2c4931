/*
 * Crash test for the audit log: SIGKILL a writer at random points while
 * it appends with group commit (1 ms window, fsync) and a checkpoint every
 * 100 records, AUDIT_CRASH_KILLS times (default 200), ten kills per log
 * directory so that every run after the first also recovers a log a kill
 * left behind.
 *
 * The writer is a forked child running the library's append loop; after
 * each commit its durable callback writes the new durable size to a pipe:
 * that is what a caller has been told is on disk. The parent waits until
 * the run has acknowledged something, lets it run 0-20 ms more, kills it,
 * drains the pipe, and then verifies the log in-process: it must verify
 * (warnings allowed: a torn last record or checkpoint, a lagging
 * checkpoint copy, no checkpoint yet) and hold at least the last
 * acknowledged number of records. Nothing a checkpoint covered may be
 * missing (verify names that checkpoint.beyond_log, an error).
 *
 * Usage: audit_crash [SCRATCHDIR]   (default: /dev/shm if writable, else $TMPDIR or /tmp)
 * A SIGKILL leaves the page cache intact, so tmpfs tests what a disk
 * would, without fsync latency; power loss is not what this simulates.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/hash.h"
#include "mediation/audit/keys.h"
#include "mediation/audit/verify.h"

#define ORIGIN "crash.test/audit"

static int ack_wr = -1;

static void on_durable(void *data, uint64_t n)
{
	/* 8 bytes per write: atomic on a pipe, so the parent never reads half a number. */
	if (write(ack_wr, &n, sizeof(n)) != (ssize_t)sizeof(n))
		_exit(3);
}

static void writer(const char *dir, const char *key)
{
	static const struct sl_audit_actor sys = { "system", "crash-test" };
	struct sl_audit_cfg c = { .dir = dir, .key_file = key, .origin = ORIGIN, .checkpoint_records = 100,
				  .commit_window_us = 1000, .segment_bytes = 64 * 1024, .durable_cb = on_durable,
				  .software = "audit_crash" };
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_log *log;
	char *err = NULL, d[SL_AUDIT_DIGEST_STRLEN];
	uint64_t i;

	if (sl_audit_open(ctx, &c, &log, &err) < 0) {
		fprintf(stderr, "audit_crash: writer: %s\n", err);
		_exit(2);
	}
	for (i = 0;; i++) {
		json_t *f;

		sl_audit_digest_str(h, &i, sizeof(i), d);
		f = json_pack("{s:s,s:s,s:I,s:I,s:s}", "liid", "LIID-C", "destination", "lea-x", "first_seq",
			      (json_int_t)i, "count", (json_int_t)(1 + i % 7), "digest", d);
		if (sl_audit_append(log, "delivery", &sys, f, 0) < 0)
			_exit(4);
		json_decref(f);
		if (sl_audit_next_due_us(log) >= 0 && sl_audit_tick(log) < 0)
			_exit(5);
	}
}

/* Reads every complete ack in the pipe (waiting up to ms for the first); returns the last. */
static uint64_t drain(int fd, int ms, uint64_t last, bool *got)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint64_t v;

	while (poll(&p, 1, ms) > 0) {
		ssize_t r = read(fd, &v, sizeof(v));

		if (r != (ssize_t)sizeof(v))
			break;
		last = v;
		*got = true;
		ms = 0;
	}
	return last;
}

/* xorshift64, seeded from the clock and pid: a different kill schedule every run. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool allowed(enum sl_audit_problem p)
{
	return p == SL_AP_REC_TORN || p == SL_AP_CP_TORN || p == SL_AP_CP_LATEST || p == SL_AP_CP_UNCOVERED ||
	       p == SL_AP_CP_NONE;
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	const char *base = argc > 1 ? argv[1] : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const char *env = getenv("AUDIT_CRASH_KILLS");
	unsigned kills = env ? (unsigned)strtoul(env, NULL, 10) : 200, i, k;
	char *root = talloc_asprintf(ctx, "%s/sluice-crash-XXXXXX", base), *key, *vkey, *err = NULL;
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_vkey vk;
	uint64_t acked = 0, total_acked = 0;
	time_t start = time(NULL);
	int rc = 0;

	if (!mkdtemp(root)) {
		perror(root);
		return 1;
	}
	key = talloc_asprintf(ctx, "%s/k.key", root);
	vkey = talloc_asprintf(ctx, "%s/k.vkey", root);
	if (sl_audit_keygen(ctx, h, ORIGIN, key, vkey, &err) < 0 || !sl_audit_vkey_load(ctx, h, vkey, &vk, &err)) {
		fprintf(stderr, "audit_crash: %s\n", err);
		return 1;
	}
	rng_state = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ull;
	for (i = 0; i < kills && rc == 0; i++) {
		char *dir = talloc_asprintf(ctx, "%s/log%u", root, i / 10);
		struct sl_audit_verify_opts o = { .dir = dir, .key = &vk };
		struct sl_audit_verify_res res;
		bool got = false;
		int p[2], st;
		pid_t pid;

		if (i % 10 == 0)
			acked = 0;
		if (pipe(p) != 0)
			return 1;
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			ack_wr = p[1];
			writer(dir, key);
		}
		close(p[1]);
		/* Kill during appends: once this run has acknowledged a commit, after 0-20 ms more. */
		acked = drain(p[0], 10000, acked, &got);
		if (!got) {
			fprintf(stderr, "audit_crash: kill %u: the writer acknowledged nothing in 10 s\n", i);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			rc = 1;
			break;
		}
		{
			struct timespec ts = { 0, (long)(rng() % 20000) * 1000 };

			nanosleep(&ts, NULL);
		}
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		acked = drain(p[0], 0, acked, &got);
		close(p[0]);
		if (!WIFSIGNALED(st)) {
			fprintf(stderr, "audit_crash: kill %u: the writer exited by itself (status %d)\n", i, st);
			rc = 1;
			break;
		}
		if (sl_audit_verify(ctx, &o, &res) < 0) {
			fprintf(stderr, "audit_crash: kill %u: cannot verify %s\n", i, dir);
			rc = 1;
			break;
		}
		for (k = 0; k < res.nfindings; k++)
			if (!allowed(res.findings[k].problem)) {
				fprintf(stderr, "audit_crash: kill %u: %s: %s in %s offset %" PRId64 " seq %" PRId64 "\n", i, dir,
					sl_audit_problem_name(res.findings[k].problem),
					res.findings[k].file ? res.findings[k].file : "-", res.findings[k].off,
					res.findings[k].seq);
				rc = 1;
			}
		if (res.records < acked) {
			fprintf(stderr, "audit_crash: kill %u: %s holds %" PRIu64 " records, %" PRIu64
				" were acknowledged as durable\n", i, dir, res.records, acked);
			rc = 1;
		}
		total_acked += acked;
		talloc_free(res.findings);
		talloc_free(res.latest_note);
	}
	if (rc == 0)
		printf("audit_crash: %u kills in %ld s; every log verified and held every acknowledged record "
		       "(%" PRIu64 " acknowledged at the kills, summed)\n", i, (long)(time(NULL) - start), total_acked);
	else
		fprintf(stderr, "audit_crash: FAILED at kill %u (log kept in %s)\n", i - 1, root);
	if (rc == 0) {
		char *cmd = talloc_asprintf(ctx, "rm -rf '%s'", root);

		if (system(cmd) != 0)
			fprintf(stderr, "audit_crash: could not remove %s\n", root);
	}
	talloc_free(ctx);
	return rc;
}
