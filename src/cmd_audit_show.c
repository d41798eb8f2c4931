/*
 * `sluice audit show` and `sluice audit report`: options and output
 * around the log reader, the record filter (mediation/audit/query.c), the
 * verifier and the report renderer (render/).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/audit/query.h"
#include "mediation/audit/reader.h"
#include "mediation/audit/record.h"
#include "mediation/audit/verify.h"
#include "render/audit_report.h"
#include "render/audit_stats.h"
#include "src/cmd_audit.h"

static const char show_help[] =
	"NAME\n"
	"    sluice audit show - print audit records, filtered\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit show LOGDIR [--kind KIND]... [--liid LIID] [--destination NAME]\n"
	"        [--recipient NAME] [--from TIME] [--until TIME] [--format text|json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Prints the records of the log in LOGDIR in order, those matching every filter given.\n"
	"    Records are read, not verified: run `sluice audit verify` for that.\n"
	"\n"
	"    --kind KIND        a record kind (warrant.refused) or a prefix ending in '.'\n"
	"                       (warrant.); may be repeated (any of them)\n"
	"    --liid LIID        records whose fields.liid is LIID\n"
	"    --destination NAME records whose fields.destination is NAME or whose\n"
	"                       fields.destinations holds it\n"
	"    --recipient NAME   records whose fields.recipient is NAME\n"
	"    --from TIME        records at or after TIME; --until TIME: before TIME. TIME is\n"
	"                       YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.ffffff]Z (UTC) or microseconds\n"
	"                       since the epoch\n"
	"    --format text      one line per record: seq, time, kind, actor, fields (default)\n"
	"    --format json      one record per line, exactly its canonical bytes (JSON lines)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 printed (also when nothing matched), 1 the log could not be read to its end (the\n"
	"    problem is named on stderr), 2 usage error, 3 the log directory cannot be read.\n";

static const char report_help[] =
	"NAME\n"
	"    sluice audit report - write the privacy officer's HTML report of an audit log\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit report LOGDIR --out FILE.html [--key VKEY] [--since CHECKPOINT]\n"
	"\n"
	"DESCRIPTION\n"
	"    Verifies the log (as `sluice audit verify` does, with the same --key and --since)\n"
	"    and writes one self-contained HTML page, with no script and no network fetch, to open\n"
	"    in any browser: the verification result and the checkpoint it was checked against;\n"
	"    records by kind; warrants accepted, refused (with reasons) and active per day;\n"
	"    records delivered per LIID and destination per day, as charts; consent changes and\n"
	"    exports per recipient; anomalies (refusals, restarts after an unclean stop, periods\n"
	"    the log was not open, verification problems). Sections whose records sluice does\n"
	"    not produce yet say \"none recorded\".\n"
	"\n"
	"EXIT STATUS\n"
	"    As `sluice audit verify` (the report is written in every case but usage and I/O\n"
	"    errors): 0 verified, 1 verification failed, 2 usage error, 3 a file could not be\n"
	"    read or written, 4 verified with warnings.\n";

struct show {
	const struct sl_audit_filter *f;
	bool json;
	uint64_t shown;
	json_t *stats;
};

static void print_text(const json_t *rec)
{
	const json_t *actor = json_object_get(rec, "actor"), *fields = json_object_get(rec, "fields");
	char t[40], *fs;

	sl_audit_format_time(json_integer_value(json_object_get(rec, "time")), t, sizeof(t));
	fs = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	printf("%" JSON_INTEGER_FORMAT " %s %s %s:%s %s\n", json_integer_value(json_object_get(rec, "seq")), t,
	       json_string_value(json_object_get(rec, "kind")), json_string_value(json_object_get(actor, "type")),
	       json_string_value(json_object_get(actor, "id")), fs ? fs : "{}");
	free(fs);
}

static int on_rec(void *arg, const struct sl_audit_rec *r)
{
	struct show *s = arg;
	json_t *rec = sl_audit_record_parse(r->data, r->len);

	if (!rec || !json_is_object(rec)) {
		fprintf(stderr, "sluice audit: %s offset %" PRIu64 ": record %" PRIu64 " is not JSON; skipped\n", r->file,
			r->off, r->seq);
		json_decref(rec);
		return 0;
	}
	if (s->stats)
		sl_audit_stats_add(s->stats, rec);
	else if (sl_audit_filter_match(s->f, rec)) {
		s->shown++;
		if (s->json) {
			fwrite(r->data, 1, r->len, stdout);
			putchar('\n');
		} else {
			print_text(rec);
		}
	}
	json_decref(rec);
	return 0;
}

int sl_audit_cmd_show(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "kind", required_argument, NULL, 'k' },	 { "liid", required_argument, NULL, 'l' },
		{ "destination", required_argument, NULL, 'd' }, { "recipient", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'F' },	 { "until", required_argument, NULL, 'U' },
		{ "format", required_argument, NULL, 'f' },	 { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_audit_filter f;
	struct sl_audit_read_res rr;
	struct show s = { .f = &f };
	const char *format = "text";
	struct sl_audit_hasher *h;
	int c, rc;

	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:l:d:r:F:U:f:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (f.nkinds == SL_AUDIT_MAX_KIND_FILTERS) {
				fputs("sluice audit show: at most 16 --kind\n", stderr);
				return SL_AUDIT_EXIT_USAGE;
			}
			f.kinds[f.nkinds++] = optarg;
			break;
		case 'l': f.liid = optarg; break;
		case 'd': f.destination = optarg; break;
		case 'r': f.recipient = optarg; break;
		case 'F':
		case 'U':
			if (!sl_audit_parse_time(optarg, c == 'F' ? &f.from_us : &f.until_us)) {
				fprintf(stderr, "sluice audit show: bad time '%s' (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "
						"microseconds)\n", optarg);
				return SL_AUDIT_EXIT_USAGE;
			}
			break;
		case 'f': format = optarg; break;
		case 'h': fputs(show_help, stdout); return 0;
		default: fputs(show_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	s.json = !strcmp(format, "json");
	if (optind + 1 != argc || (!s.json && strcmp(format, "text"))) {
		fputs("sluice audit show: one LOGDIR and --format text|json expected (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	h = sl_audit_hasher_new(ctx);
	rc = sl_audit_read_log(ctx, h, argv[optind], on_rec, &s, &rr);
	if (rc < 0) {
		fprintf(stderr, "sluice audit show: %s: %s\n", argv[optind], strerror(-rc));
		return SL_AUDIT_EXIT_IO;
	}
	if (rr.problem >= 0) {
		fprintf(stderr, "sluice audit show: reading stopped at %s offset %" PRIu64 " after %" PRIu64 " records: %s (%s)\n",
			rr.file ? rr.file : argv[optind], rr.off, rr.records, sl_audit_problem_desc(rr.problem),
			sl_audit_problem_name(rr.problem));
		return rr.problem == SL_AP_REC_TORN ? 0 : 1;
	}
	return 0;
}

int sl_audit_cmd_report(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "out", required_argument, NULL, 'o' },   { "key", required_argument, NULL, 'k' },
		{ "since", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *key = NULL, *since = NULL;
	struct sl_audit_verify_opts o;
	struct sl_audit_verify_res r;
	struct sl_audit_report_in in;
	struct sl_audit_vkey vk;
	struct show s;
	char gen[40];
	bool untrusted;
	FILE *f;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:k:s:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'k': key = optarg; break;
		case 's': since = optarg; break;
		case 'h': fputs(report_help, stdout); return 0;
		default: fputs(report_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !out) {
		fputs("sluice audit report: LOGDIR and --out FILE.html expected (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.dir = argv[optind];
	if (!sl_audit_cmd_load_vkey(ctx, key, o.dir, &vk, &untrusted))
		return SL_AUDIT_EXIT_IO;
	o.key = &vk;
	o.key_untrusted = untrusted;
	if (since) {
		FILE *sf = fopen(since, "rb");
		uint8_t *buf = talloc_size(ctx, SL_AUDIT_MAX_NOTE + 1);

		if (!sf) {
			fprintf(stderr, "sluice audit report: %s: %s\n", since, strerror(errno));
			return SL_AUDIT_EXIT_IO;
		}
		o.since_len = fread(buf, 1, SL_AUDIT_MAX_NOTE + 1, sf);
		fclose(sf);
		o.since = buf;
		o.since_name = since;
	}
	/* One pass: the verifier hands every good record to the statistics. */
	memset(&s, 0, sizeof(s));
	s.stats = sl_audit_stats_new();
	o.on_record = on_rec;
	o.arg = &s;
	rc = sl_audit_verify(ctx, &o, &r);
	if (rc < 0) {
		fprintf(stderr, "sluice audit report: %s: %s\n", o.dir, strerror(-rc));
		json_decref(s.stats);
		return SL_AUDIT_EXIT_IO;
	}
	sl_audit_stats_finish(s.stats);
	sl_audit_format_time((int64_t)time(NULL) * 1000000, gen, sizeof(gen));
	in = (struct sl_audit_report_in){ .log_dir = o.dir, .verification = sl_audit_verify_json(&r, vk.name, untrusted, since),
					  .stats = s.stats, .generated = gen };
	f = fopen(out, "w");
	if (!f) {
		fprintf(stderr, "sluice audit report: %s: %s\n", out, strerror(errno));
		json_decref((json_t *)in.verification);
		json_decref(s.stats);
		return SL_AUDIT_EXIT_IO;
	}
	rc = sl_audit_report_html(f, &in);
	json_decref((json_t *)in.verification);
	json_decref(s.stats);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "sluice audit report: %s: write failed\n", out);
		return SL_AUDIT_EXIT_IO;
	}
	fprintf(stderr, "%s: %" PRIu64 " records, %s\n", out, r.records,
		r.worst == SL_AUDIT_SEV_ERROR ? "verification FAILED" : r.worst == SL_AUDIT_SEV_WARNING ? "verified with warnings" : "verified");
	return r.worst == SL_AUDIT_SEV_ERROR ? SL_AUDIT_EXIT_FAILED
	       : r.worst == SL_AUDIT_SEV_WARNING ? SL_AUDIT_EXIT_WARNINGS
						 : SL_AUDIT_EXIT_OK;
}
