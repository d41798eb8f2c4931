/*
 * `sluice audit verify` and `sluice audit prove`: options and output
 * around sl_audit_verify() and sl_audit_prove_inclusion()
 * (mediation/audit/verify.c, prove.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/audit/b64.h"
#include "mediation/audit/checkpoint.h"
#include "mediation/audit/prove.h"
#include "mediation/audit/query.h"
#include "mediation/audit/verify.h"
#include "src/cmd_audit.h"
#include "src/num_parse.h"

static const char verify_help[] =
	"NAME\n"
	"    sluice audit verify - check that an audit log is intact and consistent with its checkpoints\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit verify LOGDIR [--key VKEY] [--since CHECKPOINT] [--format text|json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads every segment of the log in LOGDIR once and recomputes the RFC 6962 tree over\n"
	"    its records. Checks each record's framing and 4-byte check, canonical encoding,\n"
	"    that its seq is its position and that times never go back; each checkpoint in\n"
	"    checkpoints.log (and the checkpoint file) for syntax, origin and an Ed25519\n"
	"    signature by the verifier key, that sizes and times only grow, that no checkpoint\n"
	"    is dated before a record it covers, and that its root is the tree of the log at\n"
	"    its size.\n"
	"\n"
	"    --key VKEY      verifier key file (one line NAME+KEYID+KEY, from `keygen`). Use your\n"
	"                    own copy: without --key, LOGDIR/verifier.key is used and reported as\n"
	"                    untrusted (it only shows that the log agrees with itself).\n"
	"    --since FILE    a checkpoint you kept from before (`sluice audit checkpoint`). Also\n"
	"                    checks that the log still holds exactly that tree, with a consistency\n"
	"                    proof from it to the log's latest checkpoint: a history rewritten and\n"
	"                    re-signed after your checkpoint fails here (since.root,\n"
	"                    since.consistency).\n"
	"    --format json   one JSON object instead of text.\n"
	"\n"
	"    Every problem is named (docs/audit.md lists the names) with the file, offset and\n"
	"    record seq or checkpoint size where it was found; the first 50 of each kind are\n"
	"    listed and all are counted.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 verified, 1 verification failed (any error), 2 usage error, 3 a key or checkpoint\n"
	"    file could not be read, 4 verified with warnings only (a torn last record left by a\n"
	"    crash, the key taken from the log directory, unknown record kinds).\n";

static const char prove_help[] =
	"NAME\n"
	"    sluice audit prove - prove that one record is in a signed checkpoint's tree\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit prove LOGDIR SEQ [--checkpoint FILE] [--key VKEY] [--format text|json]\n"
	"        [--no-index]\n"
	"\n"
	"DESCRIPTION\n"
	"    Prints record SEQ, its leaf hash SHA-256(0x00 || record) and the RFC 6962 inclusion\n"
	"    proof (audit path) that it is leaf SEQ of the tree the checkpoint signs, and checks\n"
	"    the proof before printing it. Anyone holding the record, the proof and the signed\n"
	"    checkpoint can check the same with the algorithm of RFC 9162 section 2.1.3.2.\n"
	"\n"
	"    --checkpoint FILE  the checkpoint to prove against (default LOGDIR/checkpoint, the\n"
	"                       latest); its signature is checked with the key.\n"
	"    --key VKEY         verifier key file (default LOGDIR/verifier.key, reported as\n"
	"                       untrusted).\n"
	"    --no-index         compute the proof from the records instead of tree.nodes.\n"
	"    --format json      {\"seq\",\"record\",\"leaf_hash\",\"tree_size\",\"root\",\"proof\",\n"
	"                       \"verified\"}; hashes in lowercase hex, root in base64.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 proved, 1 the record is not in that tree or the checkpoint does not verify,\n"
	"    2 usage error, 3 a file could not be read.\n";

static const char *sev_name(enum sl_audit_severity s)
{
	return s == SL_AUDIT_SEV_ERROR ? "ERROR" : s == SL_AUDIT_SEV_WARNING ? "WARNING" : "INFO";
}

static uint8_t *read_small(void *ctx, const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;

	if (!f) {
		fprintf(stderr, "sluice audit: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = talloc_size(ctx, max + 1);
	*len = fread(buf, 1, max + 1, f);
	fclose(f);
	if (*len > max) {
		fprintf(stderr, "sluice audit: %s: larger than %zu bytes\n", path, max);
		return NULL;
	}
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_text(const char *dir, const struct sl_audit_vkey *vk, bool untrusted, const char *since,
		       const struct sl_audit_verify_res *r, double secs)
{
	char b64[64], t[40];
	unsigned i, e = 0, w = 0, k;

	for (k = 0; k < _SL_AP_COUNT; k++) {
		if (sl_audit_problem_severity(k) == SL_AUDIT_SEV_ERROR)
			e += (unsigned)r->counts[k];
		else if (sl_audit_problem_severity(k) == SL_AUDIT_SEV_WARNING)
			w += (unsigned)r->counts[k];
	}
	printf("log:         %s: %" PRIu64 " records (%.0f records/s)\n", dir, r->records,
	       secs > 0 ? (double)r->records / secs : 0.0);
	printf("key:         %s (%s)\n", vk->name, untrusted ? "from the log directory: untrusted" : "given");
	if (r->have_latest) {
		sl_audit_b64_encode(r->latest.root, 32, b64);
		sl_audit_format_time(r->latest.time_us, t, sizeof(t));
		printf("checkpoints: %" PRIu64 "; latest valid: size %" PRIu64 ", %s, root %s\n", r->checkpoints,
		       r->latest.size, t, b64);
	} else {
		printf("checkpoints: %" PRIu64 "; none valid\n", r->checkpoints);
	}
	if (r->since_given)
		printf("since:       %s: size %" PRIu64 ": %s (consistency proof of %u hashes)\n", since, r->since.size,
		       r->since_ok ? "consistent" : "NOT CONSISTENT", r->since_proof_len);
	printf("result:      %s", r->worst == SL_AUDIT_SEV_ERROR	 ? "FAILED"
				  : r->worst == SL_AUDIT_SEV_WARNING ? "VERIFIED WITH WARNINGS"
								     : "VERIFIED");
	if (e || w)
		printf(" (%u errors, %u warnings)", e, w);
	putchar('\n');
	for (i = 0; i < r->nfindings; i++) {
		const struct sl_audit_finding *f = &r->findings[i];

		printf("  %-7s %s: ", sev_name(sl_audit_problem_severity(f->problem)), sl_audit_problem_name(f->problem));
		if (f->file)
			printf("%s", f->file);
		if (f->off >= 0)
			printf(" offset %" PRId64, f->off);
		if (f->seq >= 0)
			printf(" (seq/size %" PRId64 ")", f->seq);
		printf(": %s%s%s\n", sl_audit_problem_desc(f->problem), f->detail ? ": " : "", f->detail ? f->detail : "");
	}
	for (k = 0; k < _SL_AP_COUNT; k++)
		if (r->counts[k] > 50)
			printf("  ... %s: %" PRIu64 " in all (first 50 listed)\n", sl_audit_problem_name(k), r->counts[k]);
}

static void print_json(const struct sl_audit_vkey *vk, bool untrusted, const char *since,
		       const struct sl_audit_verify_res *r, double secs)
{
	json_t *o = sl_audit_verify_json(r, vk->name, untrusted, since);
	char *s;

	json_object_set_new(o, "seconds", json_real(secs));
	s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	puts(s);
	free(s);
	json_decref(o);
}

int sl_audit_cmd_verify(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "key", required_argument, NULL, 'k' },    { "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *since = NULL, *format = "text";
	struct sl_audit_verify_opts o;
	struct sl_audit_verify_res r;
	struct sl_audit_vkey vk;
	bool untrusted, json;
	double t0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:s:f:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 's': since = optarg; break;
		case 'f': format = optarg; break;
		case 'h': fputs(verify_help, stdout); return 0;
		default: fputs(verify_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	json = !strcmp(format, "json");
	if (optind + 1 != argc || (!json && strcmp(format, "text"))) {
		fputs("sluice audit verify: one LOGDIR and --format text|json expected (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.dir = argv[optind];
	if (!sl_audit_cmd_load_vkey(ctx, key, o.dir, &vk, &untrusted))
		return SL_AUDIT_EXIT_IO;
	o.key = &vk;
	o.key_untrusted = untrusted;
	if (since) {
		o.since = read_small(ctx, since, SL_AUDIT_MAX_NOTE, &o.since_len);
		o.since_name = since;
		if (!o.since)
			return SL_AUDIT_EXIT_IO;
	}
	t0 = now_s();
	rc = sl_audit_verify(ctx, &o, &r);
	if (rc < 0) {
		fprintf(stderr, "sluice audit verify: %s: %s\n", o.dir, strerror(-rc));
		return SL_AUDIT_EXIT_IO;
	}
	if (json)
		print_json(&vk, untrusted, since, &r, now_s() - t0);
	else
		print_text(o.dir, &vk, untrusted, since, &r, now_s() - t0);
	return r.worst == SL_AUDIT_SEV_ERROR ? SL_AUDIT_EXIT_FAILED
	       : r.worst == SL_AUDIT_SEV_WARNING ? SL_AUDIT_EXIT_WARNINGS
						 : SL_AUDIT_EXIT_OK;
}

int sl_audit_cmd_prove(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "checkpoint", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "format", required_argument, NULL, 'f' },	{ "no-index", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *cpath = NULL, *format = "text", *dir, *why = NULL;
	struct sl_audit_vkey vk;
	struct sl_audit_ckpt cp;
	struct sl_audit_proof p;
	enum sl_audit_note_res nr;
	uint8_t *note;
	size_t nlen;
	uint64_t seq;
	char *err = NULL, hex[65], b64[64];
	bool untrusted, json, use_nodes = true;
	unsigned i;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:k:f:nh", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': cpath = optarg; break;
		case 'k': key = optarg; break;
		case 'f': format = optarg; break;
		case 'n': use_nodes = false; break;
		case 'h': fputs(prove_help, stdout); return 0;
		default: fputs(prove_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	json = !strcmp(format, "json");
	if (optind + 2 != argc || (!json && strcmp(format, "text")) ||
	    !sl_parse_u64(argv[optind + 1], 0, INT64_MAX, &seq)) {
		fputs("sluice audit prove: LOGDIR SEQ expected, SEQ a record number (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	dir = argv[optind];
	if (!cpath)
		cpath = talloc_asprintf(ctx, "%s/checkpoint", dir);
	if (!sl_audit_cmd_load_vkey(ctx, key, dir, &vk, &untrusted))
		return SL_AUDIT_EXIT_IO;
	note = read_small(ctx, cpath, SL_AUDIT_MAX_NOTE, &nlen);
	if (!note)
		return SL_AUDIT_EXIT_IO;
	nr = sl_audit_ckpt_open(note, nlen, &vk, &cp, &why);
	if (nr != SL_NOTE_OK) {
		fprintf(stderr, "sluice audit prove: %s: %s\n", cpath,
			nr == SL_NOTE_SYNTAX ? why : nr == SL_NOTE_UNSIGNED ? "not signed by the key" : "bad signature");
		return SL_AUDIT_EXIT_FAILED;
	}
	if (seq >= cp.size) {
		fprintf(stderr, "sluice audit prove: record %" PRIu64 " is not covered by %s (size %" PRIu64 ")\n", seq,
			cpath, cp.size);
		return SL_AUDIT_EXIT_FAILED;
	}
	rc = sl_audit_prove_inclusion(ctx, dir, seq, cp.size, cp.root, use_nodes, &p, &err);
	if (rc < 0) {
		fprintf(stderr, "sluice audit prove: %s\n", err);
		return rc == -EIO ? SL_AUDIT_EXIT_IO : SL_AUDIT_EXIT_FAILED;
	}
	sl_audit_b64_encode(cp.root, 32, b64);
	if (json) {
		json_error_t je;
		json_t *o = json_object(), *pr = json_array();
		char *s;

		json_object_set_new(o, "seq", json_integer((json_int_t)seq));
		json_object_set_new(o, "record", json_loadb((const char *)p.record, p.record_len, 0, &je));
		sl_audit_hex(p.leaf, 32, hex);
		json_object_set_new(o, "leaf_hash", json_string(hex));
		json_object_set_new(o, "tree_size", json_integer((json_int_t)cp.size));
		json_object_set_new(o, "root", json_string(b64));
		for (i = 0; i < p.n; i++) {
			sl_audit_hex(p.h[i], 32, hex);
			json_array_append_new(pr, json_string(hex));
		}
		json_object_set_new(o, "proof", pr);
		json_object_set_new(o, "verified", json_true());
		s = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
		puts(s);
		free(s);
		json_decref(o);
		return 0;
	}
	printf("record:      %" PRIu64 "\n             %s\n", seq, (const char *)p.record);
	sl_audit_hex(p.leaf, 32, hex);
	printf("leaf hash:   %s\n", hex);
	printf("checkpoint:  %s: %s, size %" PRIu64 ", root %s (signature verified%s)\n", cpath, cp.origin, cp.size, b64,
	       untrusted ? " with the log directory's key: untrusted" : "");
	printf("proof:       %u hashes (%s)\n", p.n, p.from_nodes ? "from tree.nodes" : "recomputed from the records");
	for (i = 0; i < p.n; i++) {
		sl_audit_hex(p.h[i], 32, hex);
		printf("  %2u %s\n", i + 1, hex);
	}
	printf("verified:    yes: record %" PRIu64 " is leaf %" PRIu64 " of the tree the checkpoint signs\n", seq, seq);
	return 0;
}
