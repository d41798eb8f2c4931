/*
 * bench_audit: the audit log's costs (`make bench`), each against a
 * baseline measured in the same run on the same bytes:
 *
 *   append, 10 ms group commit   records/s through sl_audit_append() (the
 *                                caller building each record's fields as
 *                                a json_t, as sluiced will) with the
 *                                commit timer driven by the loop, fsync on
 *   append, fsync per record     the same with commit_window_us 0
 *     baselines: write()+fdatasync() of exactly the bytes the log wrote
 *     (its segments), in the same number of commits; and raw SHA-256
 *     over those bytes (the hashing floor)
 *   verify                       records/s of sl_audit_verify() over a log
 *                                of N records (canonical form, seq, time,
 *                                catalogue, tree, every checkpoint)
 *     baseline: reading the segments and SHA-256 over all their bytes
 *   proofs at 10^3, 10^6, 10^7   size of an inclusion and a consistency
 *                                proof, and time to make and check one:
 *                                from tree.nodes (the writer's post-order
 *                                node file), and recomputed from the
 *                                records (what an auditor with only the
 *                                segments does)
 *
 * Usage: bench_audit [--dir DIR] [--records N] [--sync-records N]
 *                    [--proof-sizes a,b,c]
 * DIR (default $TMPDIR or /tmp) should be on the disk the log would use:
 * the fsync rows mean nothing on tmpfs. Output: tables on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/hash.h"
#include "mediation/audit/keys.h"
#include "mediation/audit/nodes.h"
#include "mediation/audit/prove.h"
#include "mediation/audit/reader.h"
#include "mediation/audit/verify.h"

#define ORIGIN "bench.example/audit"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * CPU time of this process. On a shared machine the wall clock also counts
 * the time other processes had the CPU; the CPU-time rate is what the work
 * itself costs (for rows bound by fsync, only the wall clock means much).
 */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double last_cpu; /* CPU seconds of the last timed section */

static void rm_rf(const char *p)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_audit: could not remove %s\n", p);
}

struct counts {
	uint64_t commits;
};

static void on_durable(void *data, uint64_t n)
{
	((struct counts *)data)->commits++;
}

/* Appends n delivery records; returns seconds. The loop drives the commit timer. */
static double append_run(void *ctx, const char *dir, const char *key, uint64_t n, uint32_t window_us, bool fsync_on,
			 uint64_t *commits, uint64_t ckpt_every)
{
	static const struct sl_audit_actor a = { "system", "sluiced" };
	struct counts cnt = { 0 };
	struct sl_audit_cfg c = { .dir = dir, .key_file = key, .origin = ORIGIN, .commit_window_us = window_us,
				  .checkpoint_records = ckpt_every, .checkpoint_ms = 60000, .no_fsync = !fsync_on,
				  .durable_cb = on_durable, .cb_data = &cnt, .segment_bytes = 256ull << 20 };
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_log *log;
	char *err = NULL, d[SL_AUDIT_DIGEST_STRLEN];
	uint64_t i;
	double t0;

	if (sl_audit_open(ctx, &c, &log, &err) < 0) {
		fprintf(stderr, "bench_audit: %s\n", err);
		exit(1);
	}
	sl_audit_digest_str(h, "pdu batch", 9, d);
	last_cpu = cpu();
	t0 = now();
	for (i = 0; i < n; i++) {
		json_t *f = json_pack("{s:s,s:s,s:I,s:I,s:s}", "liid", "LIID-4711", "destination", "lea-north", "first_seq",
				      (json_int_t)i * 16, "count", (json_int_t)16, "digest", d);

		if (sl_audit_append(log, "delivery", &a, f, 0) < 0) {
			fprintf(stderr, "bench_audit: append failed\n");
			exit(1);
		}
		json_decref(f);
		if (window_us && (i & 15) == 0) {
			int64_t due = sl_audit_next_due_us(log);
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (due >= 0 && due <= (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000)
				sl_audit_tick(log);
		}
	}
	sl_audit_commit(log);
	t0 = now() - t0;
	last_cpu = cpu() - last_cpu;
	*commits = cnt.commits;
	if (sl_audit_close(log, 1000) < 0)
		exit(1);
	return t0;
}

/* The segment bytes of a log, concatenated (free() them). */
static uint8_t *segments(void *ctx, const char *dir, size_t *len)
{
	uint64_t *firsts;
	char **paths;
	unsigned n, i;
	uint8_t *all = NULL;
	size_t total = 0;

	if (sl_audit_list_segments(ctx, dir, &firsts, &paths, &n) < 0) {
		fprintf(stderr, "bench_audit: cannot list %s\n", dir);
		exit(1);
	}
	for (i = 0; i < n; i++) {
		struct stat st;
		int fd = open(paths[i], O_RDONLY);
		size_t got = 0;

		if (fd < 0 || fstat(fd, &st) != 0) {
			perror(paths[i]);
			exit(1);
		}
		/* malloc, not talloc: talloc caps one allocation at 256 MiB */
		all = realloc(all, total + (size_t)st.st_size);
		if (!all)
			exit(1);
		while (got < (size_t)st.st_size) {
			ssize_t r = read(fd, all + total + got, (size_t)st.st_size - got);

			if (r <= 0) {
				perror(paths[i]);
				exit(1);
			}
			got += (size_t)r;
		}
		total += (size_t)st.st_size;
		close(fd);
	}
	*len = total;
	return all;
}

/* write()+fdatasync() of buf in `commits` equal chunks; seconds. */
static double write_fsync(const char *path, const uint8_t *buf, size_t len, uint64_t commits)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	size_t chunk = commits ? (len + commits - 1) / commits : len, off = 0;
	double t0 = now();

	last_cpu = cpu();
	if (fd < 0)
		exit(1);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		if (write(fd, buf + off, n) != (ssize_t)n || fdatasync(fd) != 0)
			exit(1);
		off += n;
	}
	t0 = now() - t0;
	last_cpu = cpu() - last_cpu;
	close(fd);
	unlink(path);
	return t0;
}

static double sha_all(struct sl_audit_hasher *h, const uint8_t *buf, size_t len)
{
	uint8_t out[32];
	double t0 = now();

	last_cpu = cpu();
	sl_audit_sha256(h, buf, len, out);
	last_cpu = cpu() - last_cpu;
	return now() - t0;
}

static void row(const char *what, uint64_t n, double s, const char *note)
{
	printf("  %-44s %9.0f/s wall %9.0f/s CPU %8.3f s  %s\n", what, (double)n / s,
	       last_cpu > 0 ? (double)n / last_cpu : 0.0, s, note);
}

static double verify_run(void *ctx, const char *dir, const struct sl_audit_vkey *vk, uint64_t *records,
			 enum sl_audit_severity *worst)
{
	struct sl_audit_verify_opts o = { .dir = dir, .key = vk };
	struct sl_audit_verify_res r;
	double t0 = now();

	last_cpu = cpu();
	if (sl_audit_verify(ctx, &o, &r) < 0)
		exit(1);
	t0 = now() - t0;
	last_cpu = cpu() - last_cpu;
	*records = r.records;
	*worst = r.worst;
	return t0;
}

static void proofs(void *ctx, const char *dir, const struct sl_audit_vkey *vk, uint64_t size, struct sl_audit_hasher *h)
{
	struct sl_audit_verify_opts o = { .dir = dir, .key = vk };
	struct sl_audit_verify_res r;
	struct sl_audit_proof p;
	char *err = NULL;
	double t_nodes = 0, t_log, t_cons, t_sha;
	unsigned i, reps = 200, incl_n = 0, cons_n = 0;
	size_t len;
	uint8_t *all;

	if (sl_audit_verify(ctx, &o, &r) < 0 || !r.have_latest || r.worst == SL_AUDIT_SEV_ERROR) {
		fprintf(stderr, "bench_audit: %s does not verify\n", dir);
		exit(1);
	}
	for (i = 0; i < reps; i++) {
		uint64_t m = ((uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull >> 11) % r.latest.size; /* spread, repeatable */
		double t0 = now();

		if (sl_audit_prove_inclusion(ctx, dir, m, r.latest.size, r.latest.root, true, &p, &err) < 0 || !p.from_nodes) {
			fprintf(stderr, "bench_audit: proof: %s\n", err ? err : "not from tree.nodes");
			exit(1);
		}
		t_nodes += now() - t0;
		incl_n += p.n;
		talloc_free(p.record);
	}
	{
		double t0 = now();

		if (sl_audit_prove_inclusion(ctx, dir, r.latest.size / 3, r.latest.size, r.latest.root, false, &p, &err) < 0)
			exit(1);
		t_log = now() - t0;
		talloc_free(p.record);
	}
	{
		/* consistency from half the log to all of it; the old root from tree.nodes */
		char *np = talloc_asprintf(ctx, "%s/" SL_AUDIT_NODES_FILE, dir);
		int fd = open(np, O_RDONLY);
		uint64_t m = r.latest.size / 2 ? r.latest.size / 2 : 1;
		uint8_t root_m[32];
		double t0;

		if (fd < 0 || !sl_audit_nodes_range(fd, h, 0, m, root_m))
			exit(1);
		close(fd);
		t0 = now();
		if (sl_audit_prove_consistency(ctx, dir, m, root_m, r.latest.size, r.latest.root, true, &p, &err) < 0 ||
		    !p.from_nodes) {
			fprintf(stderr, "bench_audit: consistency: %s\n", err ? err : "not from tree.nodes");
			exit(1);
		}
		t_cons = now() - t0;
		cons_n = p.n;
	}
	all = segments(ctx, dir, &len);
	t_sha = sha_all(h, all, len);
	free(all);
	printf("  %-10" PRIu64 " %5.1f hashes %5.0f B %9.1f us %10.3f s   %3u hashes %9.1f us %10.3f s\n", size,
	       (double)incl_n / reps, (double)incl_n / reps * 32, t_nodes / reps * 1e6, t_log, cons_n, t_cons * 1e6,
	       t_sha);
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	uint64_t n = 200000, nsync = 2000, sizes[3] = { 1000, 1000000, 10000000 }, commits, recs;
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_vkey vk;
	enum sl_audit_severity worst;
	char *root, *key, *vkey, *dir, *err = NULL, note[160];
	uint8_t *all;
	size_t len;
	double t, tb, ts;
	struct statfs sf;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			base = argv[++i];
		else if (!strcmp(argv[i], "--records") && i + 1 < argc)
			n = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--sync-records") && i + 1 < argc)
			nsync = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--proof-sizes") && i + 1 < argc &&
			 sscanf(argv[++i], "%" SCNu64 ",%" SCNu64 ",%" SCNu64, &sizes[0], &sizes[1], &sizes[2]) == 3)
			;
		else {
			fputs("usage: bench_audit [--dir DIR] [--records N] [--sync-records N] [--proof-sizes a,b,c]\n", stderr);
			return 2;
		}
	}
	root = talloc_asprintf(ctx, "%s/sluice-bench-audit-XXXXXX", base);
	if (!mkdtemp(root)) {
		perror(root);
		return 1;
	}
	key = talloc_asprintf(ctx, "%s/k.key", root);
	vkey = talloc_asprintf(ctx, "%s/k.vkey", root);
	if (sl_audit_keygen(ctx, h, ORIGIN, key, vkey, &err) < 0 || !sl_audit_vkey_load(ctx, h, vkey, &vk, &err)) {
		fprintf(stderr, "bench_audit: %s\n", err);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0); /* rows as they come: the 10^7 part takes minutes */
	statfs(root, &sf);
	printf("audit log benchmark in %s (%s); records/s by the wall clock and by this process's CPU time\n", root,
	       sf.f_type == 0x01021994 ? "tmpfs: fsync rows are not meaningful" : "disk");
	{
		double la[3];

		if (getloadavg(la, 3) == 3)
			printf("load average %.2f %.2f %.2f on %ld CPUs\n", la[0], la[1], la[2], sysconf(_SC_NPROCESSORS_ONLN));
	}

	printf("\nappends (delivery records, fields built as json_t by the caller, checkpoint every 10000):\n");
	dir = talloc_asprintf(ctx, "%s/gc", root);
	t = append_run(ctx, dir, key, n, 10000, true, &commits, 10000);
	all = segments(ctx, dir, &len);
	snprintf(note, sizeof(note), "%" PRIu64 " commits, %.0f B/record", commits, (double)len / (double)n);
	row("sl_audit_append, 10 ms group commit, fsync", n, t, note);
	tb = write_fsync(talloc_asprintf(ctx, "%s/raw", root), all, len, commits);
	snprintf(note, sizeof(note), "same bytes, same %" PRIu64 " fsyncs: log at %.0f%% of it", commits, 100 * tb / t);
	row("  baseline: write+fdatasync", n, tb, note);
	ts = sha_all(h, all, len);
	row("  baseline: SHA-256 over the same bytes", n, ts, "");
	free(all);
	rm_rf(dir);

	dir = talloc_asprintf(ctx, "%s/sync", root);
	t = append_run(ctx, dir, key, nsync, 0, true, &commits, 10000);
	all = segments(ctx, dir, &len);
	snprintf(note, sizeof(note), "%" PRIu64 " commits", commits);
	row("sl_audit_append, fsync per record", nsync, t, note);
	tb = write_fsync(talloc_asprintf(ctx, "%s/raw", root), all, len, commits);
	snprintf(note, sizeof(note), "same bytes, one fdatasync per record: log at %.0f%% of it", 100 * tb / t);
	row("  baseline: write+fdatasync per record", nsync, tb, note);
	free(all);
	rm_rf(dir);

	printf("\nverification (sl_audit_verify: framing, canonical form, seq, time, catalogue, tree, checkpoints):\n");
	dir = talloc_asprintf(ctx, "%s/v", root);
	append_run(ctx, dir, key, 1000000, 10000, false, &commits, 10000);
	t = verify_run(ctx, dir, &vk, &recs, &worst);
	row(worst == SL_AUDIT_SEV_INFO ? "verify (verified)" : "verify (NOT VERIFIED)", recs, t, "");
	/* Page-cached, as verify just read them: the floor is the hashing alone. */
	all = segments(ctx, dir, &len);
	ts = sha_all(h, all, len);
	snprintf(note, sizeof(note), "verify at %.0f%% of it", 100 * ts / t);
	row("  baseline: SHA-256 over the segments' bytes", recs, ts, note);
	free(all);
	rm_rf(dir);

	printf("\nproofs (inclusion: mean of 200 random records from tree.nodes, and one recomputed from the\n"
	       "records; consistency from half the log to all of it; baseline: SHA-256 over the whole log,\n"
	       "what a proof spares whoever checks it):\n");
	printf("  %-10s %-18s %12s %12s   %-10s %12s %12s\n", "records", "inclusion size", "tree.nodes",
	       "from records", "consistency", "tree.nodes", "SHA-256 log");
	for (i = 0; i < 3; i++) {
		dir = talloc_asprintf(ctx, "%s/p%d", root, i);
		append_run(ctx, dir, key, sizes[i], 10000, false, &commits, sizes[i] / 4 > 10000 ? sizes[i] / 4 : 10000);
		proofs(ctx, dir, &vk, sizes[i], h);
		if (i == 2) {
			t = verify_run(ctx, dir, &vk, &recs, &worst);
			snprintf(note, sizeof(note), "(%s)", worst == SL_AUDIT_SEV_INFO ? "verified" : "NOT VERIFIED");
			row("verify at this size", recs, t, note);
		}
		rm_rf(dir);
	}
	rm_rf(root);
	talloc_free(ctx);
	return 0;
}
