/*
 * `sluice consent`: the operator's tools for the consent registry
 * (docs/consent.md): grant, withdraw, show, import and export records in
 * the SQLite database the daemon's index reads. Wiring only: option
 * parsing and output; records, checks and the store are
 * mediation/consent/'s, the audit hook is cmd_consent_audit.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "mediation/audit/query.h"
#include "mediation/consent/consent_parse.h"
#include "mediation/consent/consent_store.h"
#include "src/app_log.h"
#include "src/cmd_consent.h"
#include "src/commands.h"

#define MAX_IMPORT (1024L * 1024 * 1024) /* bytes read from one import file */

static const char help[] =
	"NAME\n"
	"    sluice consent - the consent registry: grant, withdraw, show, import, export, expire, report\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice consent grant --db PATH --subject TYPE:ID --recipient NAME --purpose CODE\n"
	"                         --categories LIST --until TIME --notice-version V [--notice-language LANG]\n"
	"                         [--controller NAME] [--from TIME] [--legal-basis CODE] [--method M]\n"
	"                         [--id ID] [--at TIME] [AUDIT OPTIONS]\n"
	"    sluice consent withdraw --db PATH (--id ID | --subject TYPE:ID --recipient NAME --purpose CODE)\n"
	"                         [--at TIME] [AUDIT OPTIONS]\n"
	"    sluice consent show --db PATH [--id ID | --subject TYPE:ID] [--format text|json]\n"
	"    sluice consent import --db PATH [--at TIME] [AUDIT OPTIONS] FILE|-\n"
	"    sluice consent export --db PATH [--subject TYPE:ID] [--out FILE]\n"
	"    sluice consent expire --db PATH [--at TIME] [AUDIT OPTIONS]\n"
	"    sluice consent report --db PATH --subject TYPE:ID [--format text|json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Each subscriber (the subject, msisdn:+<digits> or imsi:<digits>) has at most one consent\n"
	"    record per recipient and purpose. Data flows to a recipient only under a given consent\n"
	"    that is valid at the time and covers the purpose and the data category; everything\n"
	"    else is denied. sluiced reads the same database and sees every change within a second.\n"
	"    docs/consent.md specifies the record format, the codes and the database.\n"
	"\n"
	"    grant     gives consent (status dpv:ConsentGiven from --at, default now); updates the\n"
	"              subject's record for that recipient and purpose if there is one (its id is\n"
	"              kept), else creates one (--id, default a random c-<16 hex>). Prints the id.\n"
	"    withdraw  withdraws a given consent (dpv:ConsentWithdrawn from --at).\n"
	"    show      prints records with their history (text, or one JSON record per line).\n"
	"    import    reads JSON records, one per line (FILE, or - for standard input), and stores\n"
	"              them as they are, replacing records with the same id. All or nothing: the\n"
	"              first bad line is reported as FILE:LINE with the field, and nothing is stored.\n"
	"              At most 1 GiB a file (about two million records).\n"
	"    export    writes every record (or the subject's) as JSON lines, sorted by id, in the\n"
	"              form import reads: export, import into an empty database and export again\n"
	"              give the same bytes.\n"
	"    expire    marks every given consent whose valid_until is at or before --at (default\n"
	"              now) dpv:ConsentExpired. Decisions already deny them from valid_until on;\n"
	"              this puts the expiry in the history and the audit log. Prints how many.\n"
	"    report    the subject's report: their records with history, and from the value ledger\n"
	"              what was shared about them, with whom, under which consent, when, and what it\n"
	"              earned them; --format json prints what the HTTPS API's report answers.\n"
	"\n"
	"    A newer notice version for a purpose (versions compare naturally: v2 < v10) invalidates\n"
	"    the given consents of that purpose under older versions (dpv:ConsentInvalidated); a\n"
	"    consent under a superseded version is refused.\n"
	"\n"
	"OPTIONS\n"
	"    --db PATH            the registry database (SQLite, WAL; created if missing)\n"
	"    --subject TYPE:ID    msisdn:+4917012345678 or imsi:262011234567890\n"
	"    --recipient NAME     who receives the data (1..64 of A-Z a-z 0-9 . _ : -)\n"
	"    --purpose CODE       dpv:ServiceProvision, dpv:ServiceOptimisation, dpv:Marketing,\n"
	"                         dpv:PersonalisedAdvertising, dpv:ResearchAndDevelopment,\n"
	"                         dpv:CommercialResearch, dpv:AcademicResearch,\n"
	"                         dpv:FraudPreventionAndDetection\n"
	"    --categories LIST    comma-separated: call-metadata, messaging-metadata, location, device\n"
	"                         (content can never be consented to)\n"
	"    --from TIME, --until TIME\n"
	"                         validity, from inclusive (default --at), until exclusive. TIME is\n"
	"                         YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS[.ffffff]Z (UTC) or microseconds\n"
	"    --notice-version V   the version of the privacy notice the subject was shown\n"
	"    --notice-language L  its language (default en)\n"
	"    --controller NAME    the controller (default operator)\n"
	"    --legal-basis CODE   dpv:Consent (default), dpv:ExplicitlyExpressedConsent, dpv:Contract,\n"
	"                         dpv:LegitimateInterest\n"
	"    --method M           how consent was collected: app (default), web, sms, voice,\n"
	"                         in-person, paper\n"
	"    --at TIME            the time of the change (default now)\n"
	"    --out FILE           export to FILE instead of standard output\n"
	"\n"
	"AUDIT OPTIONS\n"
	"    With all four, grant, withdraw, import and expire append a consent.change record per status\n"
	"    change to the audit log (docs/audit.md) and make it durable before the database\n"
	"    commits; the subject appears only as a keyed pseudonym.\n"
	"    --audit-dir DIR  --audit-key KEY  --audit-origin NAME  --audit-pseudonym-key FILE\n"
	"                         as made by `sluice audit keygen --name NAME --out BASE\n"
	"                         --pseudonym-key FILE`\n"
	"\n"
	"EXIT STATUS\n"
	"    0 done, 1 refused (bad record or line, unknown id, superseded notice, conflict),\n"
	"    2 usage error, 3 the database, a file or the audit log could not be opened or written.\n";

struct opts {
	const char *db, *subject, *recipient, *purpose, *categories, *from, *until, *notice_version;
	const char *notice_language, *controller, *legal_basis, *method, *id, *at, *out, *format;
	struct sl_consent_audit_opts audit;
};

enum { O_DB = 256, O_SUBJECT, O_RECIPIENT, O_PURPOSE, O_CATEGORIES, O_FROM, O_UNTIL, O_NOTICE_VERSION,
       O_NOTICE_LANGUAGE, O_CONTROLLER, O_LEGAL_BASIS, O_METHOD, O_ID, O_AT, O_OUT, O_FORMAT, O_AUDIT_DIR,
       O_AUDIT_KEY, O_AUDIT_ORIGIN, O_AUDIT_PKEY };

static const struct option lopts[] = {
	{ "db", required_argument, NULL, O_DB },
	{ "subject", required_argument, NULL, O_SUBJECT },
	{ "recipient", required_argument, NULL, O_RECIPIENT },
	{ "purpose", required_argument, NULL, O_PURPOSE },
	{ "categories", required_argument, NULL, O_CATEGORIES },
	{ "from", required_argument, NULL, O_FROM },
	{ "until", required_argument, NULL, O_UNTIL },
	{ "notice-version", required_argument, NULL, O_NOTICE_VERSION },
	{ "notice-language", required_argument, NULL, O_NOTICE_LANGUAGE },
	{ "controller", required_argument, NULL, O_CONTROLLER },
	{ "legal-basis", required_argument, NULL, O_LEGAL_BASIS },
	{ "method", required_argument, NULL, O_METHOD },
	{ "id", required_argument, NULL, O_ID },
	{ "at", required_argument, NULL, O_AT },
	{ "out", required_argument, NULL, O_OUT },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "audit-dir", required_argument, NULL, O_AUDIT_DIR },
	{ "audit-key", required_argument, NULL, O_AUDIT_KEY },
	{ "audit-origin", required_argument, NULL, O_AUDIT_ORIGIN },
	{ "audit-pseudonym-key", required_argument, NULL, O_AUDIT_PKEY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parses argv into o; returns -1 (usage error printed), 1 (--help printed) or 0. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case O_DB: o->db = optarg; break;
		case O_SUBJECT: o->subject = optarg; break;
		case O_RECIPIENT: o->recipient = optarg; break;
		case O_PURPOSE: o->purpose = optarg; break;
		case O_CATEGORIES: o->categories = optarg; break;
		case O_FROM: o->from = optarg; break;
		case O_UNTIL: o->until = optarg; break;
		case O_NOTICE_VERSION: o->notice_version = optarg; break;
		case O_NOTICE_LANGUAGE: o->notice_language = optarg; break;
		case O_CONTROLLER: o->controller = optarg; break;
		case O_LEGAL_BASIS: o->legal_basis = optarg; break;
		case O_METHOD: o->method = optarg; break;
		case O_ID: o->id = optarg; break;
		case O_AT: o->at = optarg; break;
		case O_OUT: o->out = optarg; break;
		case O_FORMAT: o->format = optarg; break;
		case O_AUDIT_DIR: o->audit.dir = optarg; break;
		case O_AUDIT_KEY: o->audit.key = optarg; break;
		case O_AUDIT_ORIGIN: o->audit.origin = optarg; break;
		case O_AUDIT_PKEY: o->audit.pseudonym_key = optarg; break;
		case 'h': fputs(help, stdout); return 1;
		default: fputs("sluice consent: see sluice consent --help\n", stderr); return -1;
		}
	}
	if (!o->db) {
		fprintf(stderr, "sluice consent %s: --db PATH is required\n", argv[0]);
		return -1;
	}
	return 0;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool get_time(const char *verb, const char *opt, const char *s, int64_t dflt, int64_t *out)
{
	if (!s) {
		*out = dflt;
		return true;
	}
	if (!sl_audit_parse_time(s, out) || *out < 0) {
		fprintf(stderr, "sluice consent %s: --%s '%s': not a time (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "
			"microseconds)\n", verb, opt, s);
		return false;
	}
	return true;
}

static bool get_code(const char *verb, const char *opt, const char *s, const char *const *table, unsigned n, int dflt,
		     int *out)
{
	if (!s) {
		*out = dflt;
		if (dflt >= 0)
			return true;
		fprintf(stderr, "sluice consent %s: --%s is required\n", verb, opt);
		return false;
	}
	*out = sl_consent_name_find(table, n, s);
	if (*out < 0) {
		fprintf(stderr, "sluice consent %s: --%s '%s': unknown code (see --help)\n", verb, opt, s);
		return false;
	}
	return true;
}

static bool get_subject(const char *verb, const char *s, struct sl_consent_subject *out)
{
	if (!s) {
		fprintf(stderr, "sluice consent %s: --subject is required\n", verb);
		return false;
	}
	if (sl_consent_subject_parse(s, out) < 0) {
		fprintf(stderr, "sluice consent %s: --subject: expected msisdn:+<6..15 digits> or imsi:<6..15 digits>\n",
			verb);
		return false;
	}
	return true;
}

static bool get_categories(const char *s, uint32_t *cats)
{
	char buf[128];
	size_t i = 0, start = 0;

	*cats = 0;
	if (!s || strlen(s) >= sizeof(buf)) {
		fputs("sluice consent grant: --categories LIST is required (e.g. call-metadata,location)\n", stderr);
		return false;
	}
	memcpy(buf, s, strlen(s) + 1);
	for (;; i++) {
		if (buf[i] == ',' || !buf[i]) {
			bool end = !buf[i];
			int c;
			buf[i] = '\0';
			c = sl_consent_name_find(sl_consent_category_names, _SL_CONSENT_CAT_COUNT, buf + start);
			if (c < 0 || c == SL_CONSENT_CAT_CONTENT) {
				fprintf(stderr, "sluice consent grant: --categories: '%s' %s\n", buf + start,
					c < 0 ? "is not a category (see --help)" : "can never be consented to");
				return false;
			}
			*cats |= SL_CONSENT_CAT_BIT(c);
			if (end)
				return true;
			start = i + 1;
		}
	}
}

static int open_store(void *ctx, const char *verb, const char *db, struct sl_consent_store **s)
{
	char *err = NULL;

	if (sl_consent_store_open(ctx, db, s, &err) < 0) {
		fprintf(stderr, "sluice consent %s: %s\n", verb, err ? err : db);
		return -1;
	}
	return 0;
}

static int refused(int rc)
{
	return rc == -EIO || rc == -ENOMEM ? SL_CONSENT_EXIT_IO : SL_CONSENT_EXIT_REFUSED;
}

static int cmd_grant(void *ctx, int argc, char **argv)
{
	struct opts o;
	struct sl_consent_record r;
	struct sl_consent_store *s;
	struct sl_consent_audit *a;
	int64_t at;
	int p, lb, m, rc;
	char *err = NULL;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : SL_CONSENT_EXIT_USAGE;
	memset(&r, 0, sizeof(r));
	if (!get_time("grant", "at", o.at, now_us(), &at) || !get_subject("grant", o.subject, &r.subject) ||
	    !get_code("grant", "purpose", o.purpose, sl_consent_purpose_names, _SL_CONSENT_P_COUNT, -1, &p) ||
	    !get_code("grant", "legal-basis", o.legal_basis, sl_consent_legal_basis_names, _SL_CONSENT_LB_COUNT,
		      SL_CONSENT_LB_CONSENT, &lb) ||
	    !get_code("grant", "method", o.method, sl_consent_method_names, _SL_CONSENT_M_COUNT, SL_CONSENT_M_APP, &m) ||
	    !get_categories(o.categories, &r.categories) ||
	    !get_time("grant", "from", o.from, at, &r.valid_from_us))
		return SL_CONSENT_EXIT_USAGE;
	if (!o.until || !o.recipient || !o.notice_version) {
		fputs("sluice consent grant: --recipient, --until and --notice-version are required\n", stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	if (!get_time("grant", "until", o.until, 0, &r.valid_until_us))
		return SL_CONSENT_EXIT_USAGE;
	r.purpose = (enum sl_consent_purpose)p;
	r.legal_basis = (enum sl_consent_legal_basis)lb;
	r.method = (enum sl_consent_method)m;
	snprintf(r.controller, sizeof(r.controller), "%s", o.controller ? o.controller : "operator");
	snprintf(r.notice_language, sizeof(r.notice_language), "%s", o.notice_language ? o.notice_language : "en");
	if (strlen(o.recipient) >= sizeof(r.recipient) || strlen(o.notice_version) >= sizeof(r.notice_version) ||
	    (o.id && strlen(o.id) >= sizeof(r.id)) || (o.controller && strlen(o.controller) >= sizeof(r.controller))) {
		fputs("sluice consent grant: a name is longer than its bound (see --help)\n", stderr);
		return SL_CONSENT_EXIT_REFUSED;
	}
	snprintf(r.recipient, sizeof(r.recipient), "%s", o.recipient);
	snprintf(r.notice_version, sizeof(r.notice_version), "%s", o.notice_version);
	if (o.id) {
		snprintf(r.id, sizeof(r.id), "%s", o.id);
	} else {
		uint8_t rnd[8];
		unsigned i;
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			fputs("sluice consent grant: no random bytes for an id\n", stderr);
			return SL_CONSENT_EXIT_IO;
		}
		memcpy(r.id, "c-", 2);
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(r.id + 2 + 2 * i, 3, "%02x", rnd[i]);
	}
	if (open_store(ctx, "grant", o.db, &s) < 0)
		return SL_CONSENT_EXIT_IO;
	if (sl_consent_audit_open(ctx, &o.audit, "grant", s, &a) < 0)
		return SL_CONSENT_EXIT_IO;
	rc = sl_consent_store_grant(s, &r, at, &err);
	if (rc < 0) {
		fprintf(stderr, "sluice consent grant: %s\n", err ? err : strerror(-rc));
		sl_consent_audit_close(a);
		return refused(rc);
	}
	if (sl_consent_audit_close(a) < 0)
		return SL_CONSENT_EXIT_IO;
	printf("%s\n", r.id);
	return 0;
}

static int cmd_withdraw(void *ctx, int argc, char **argv)
{
	struct opts o;
	struct sl_consent_store *s;
	struct sl_consent_audit *a;
	struct sl_consent_subject subj;
	char id[SL_CONSENT_ID_MAX + 1], *err = NULL;
	int64_t at;
	int p = 0, rc; /* p is set whenever --subject is given, the only case that reads it */

	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : SL_CONSENT_EXIT_USAGE;
	if (!get_time("withdraw", "at", o.at, now_us(), &at))
		return SL_CONSENT_EXIT_USAGE;
	if (!o.id == !o.subject || (o.subject && (!o.recipient || !o.purpose))) {
		fputs("sluice consent withdraw: give --id, or --subject with --recipient and --purpose\n", stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	if (o.subject && (!get_subject("withdraw", o.subject, &subj) ||
			  !get_code("withdraw", "purpose", o.purpose, sl_consent_purpose_names, _SL_CONSENT_P_COUNT, -1,
				    &p)))
		return SL_CONSENT_EXIT_USAGE;
	if (open_store(ctx, "withdraw", o.db, &s) < 0)
		return SL_CONSENT_EXIT_IO;
	if (o.id) {
		snprintf(id, sizeof(id), "%s", o.id);
	} else if ((rc = sl_consent_store_find(s, &subj, o.recipient, (enum sl_consent_purpose)p, id, &err)) < 0) {
		fprintf(stderr, "sluice consent withdraw: %s\n", err);
		return refused(rc);
	}
	if (sl_consent_audit_open(ctx, &o.audit, "withdraw", s, &a) < 0)
		return SL_CONSENT_EXIT_IO;
	rc = sl_consent_store_withdraw(s, id, at, &err);
	if (rc < 0) {
		fprintf(stderr, "sluice consent withdraw: %s\n", err ? err : strerror(-rc));
		sl_consent_audit_close(a);
		return refused(rc);
	}
	if (sl_consent_audit_close(a) < 0)
		return SL_CONSENT_EXIT_IO;
	printf("%s withdrawn\n", id);
	return 0;
}

static void fmt_time(int64_t us, char *out, size_t size)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "%lld", (long long)us);
}

static int show_text(void *data, const struct sl_consent_record *r)
{
	char a[32], b[32];
	unsigned i;
	bool first = true;

	(void)data;
	fmt_time(r->valid_from_us, a, sizeof(a));
	fmt_time(r->valid_until_us, b, sizeof(b));
	printf("%s\n  subject     %s:%s\n  recipient   %s (controller %s)\n  purpose     %s\n  categories  ", r->id,
	       sl_consent_subject_type_names[r->subject.type], r->subject.value, r->recipient, r->controller,
	       sl_consent_purpose_names[r->purpose]);
	for (i = 0; i < _SL_CONSENT_CAT_COUNT; i++)
		if (r->categories & SL_CONSENT_CAT_BIT(i)) {
			printf("%s%s", first ? "" : ",", sl_consent_category_names[i]);
			first = false;
		}
	printf("\n  status      %s\n  valid       %s .. %s\n  legal basis %s, collected by %s, notice %s (%s)\n",
	       sl_consent_status_names[r->status], a, b, sl_consent_legal_basis_names[r->legal_basis],
	       sl_consent_method_names[r->method], r->notice_version, r->notice_language);
	for (i = 0; i < r->n_history; i++) {
		fmt_time(r->history[i].time_us, a, sizeof(a));
		printf("  history     %s %s\n", a, sl_consent_status_names[r->history[i].status]);
	}
	return 0;
}

static int write_line(void *data, const struct sl_consent_record *r)
{
	FILE *f = data;
	char *line = sl_consent_encode(NULL, r);
	int rc;

	if (!line)
		return -ENOMEM;
	rc = fprintf(f, "%s\n", line) < 0 ? -EIO : 0;
	talloc_free(line);
	return rc;
}

static int cmd_show_export(void *ctx, int argc, char **argv, bool export)
{
	const char *verb = export ? "export" : "show";
	struct opts o;
	struct sl_consent_store *s;
	struct sl_consent_subject subj;
	struct sl_consent_record r;
	FILE *out = stdout;
	char *err = NULL;
	bool json;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : SL_CONSENT_EXIT_USAGE;
	json = export || (o.format && !strcmp(o.format, "json"));
	if (o.format && strcmp(o.format, "json") && strcmp(o.format, "text")) {
		fprintf(stderr, "sluice consent %s: --format is text or json\n", verb);
		return SL_CONSENT_EXIT_USAGE;
	}
	if ((o.id && o.subject) || (export && o.id) || (o.subject && !get_subject(verb, o.subject, &subj)))
		return SL_CONSENT_EXIT_USAGE;
	if (open_store(ctx, verb, o.db, &s) < 0)
		return SL_CONSENT_EXIT_IO;
	if (o.out && !(out = fopen(o.out, "w"))) {
		fprintf(stderr, "sluice consent %s: %s: %s\n", verb, o.out, strerror(errno));
		return SL_CONSENT_EXIT_IO;
	}
	if (o.id) {
		rc = sl_consent_store_get(s, ctx, o.id, &r, &err);
		if (!rc)
			rc = json ? write_line(out, &r) : show_text(NULL, &r);
	} else {
		rc = sl_consent_store_foreach(s, o.subject ? &subj : NULL, json ? write_line : show_text, out, &err);
	}
	if (out != stdout && fclose(out) != 0 && !rc)
		rc = -EIO;
	if (rc < 0) {
		fprintf(stderr, "sluice consent %s: %s\n", verb, err ? err : strerror(-rc));
		return rc == -ENOENT ? SL_CONSENT_EXIT_REFUSED : SL_CONSENT_EXIT_IO;
	}
	return 0;
}

static int cmd_show(void *ctx, int argc, char **argv)
{
	return cmd_show_export(ctx, argc, argv, false);
}

static int cmd_export(void *ctx, int argc, char **argv)
{
	return cmd_show_export(ctx, argc, argv, true);
}

struct import_ctx {
	struct sl_consent_store *s;
	int64_t at;
	int rc;
};

static int import_one(void *data, const struct sl_consent_record *r, struct sl_consent_perr *perr)
{
	struct import_ctx *ic = data;
	char *err = NULL;
	int rc = sl_consent_store_put(ic->s, r, ic->at, &err);

	if (rc < 0) {
		ic->rc = rc;
		snprintf(perr->why, sizeof(perr->why), "record %s: %s", r->id, err ? err : strerror(-rc));
		talloc_free(err);
	}
	return rc;
}

/*
 * The whole file, up to MAX_IMPORT bytes (the import is one transaction
 * anyway); malloc'ed, because talloc refuses a block over 256 MiB, which
 * a registry of a million records passes. NULL with errno (EFBIG past the
 * bound). free() it.
 */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)MAX_IMPORT) /* one byte more than the bound shows the file is too large */
				cap = (size_t)MAX_IMPORT + 1;
			if (n > (size_t)MAX_IMPORT || !(nb = realloc(buf, cap))) {
				free(buf);
				buf = NULL;
				errno = n > (size_t)MAX_IMPORT ? EFBIG : ENOMEM;
				break;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				errno = EIO;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static int import_buf(void *ctx, struct opts *o, const char *path, struct import_ctx *ic, const char *buf,
		      size_t len);

static int cmd_import(void *ctx, int argc, char **argv)
{
	struct opts o;
	struct import_ctx ic = { 0 };
	const char *path;
	char *buf;
	size_t len;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : SL_CONSENT_EXIT_USAGE;
	if (optind != argc - 1) {
		fputs("sluice consent import: one FILE (or -) is required\n", stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	path = argv[optind];
	if (!get_time("import", "at", o.at, now_us(), &ic.at))
		return SL_CONSENT_EXIT_USAGE;
	buf = read_all(path, &len);
	if (!buf) {
		fprintf(stderr, "sluice consent import: %s: %s%s\n", path, strerror(errno),
			errno == EFBIG ? " (over 1 GiB: split it)" : "");
		return SL_CONSENT_EXIT_IO;
	}
	rc = import_buf(ctx, &o, path, &ic, buf, len);
	free(buf);
	return rc;
}

/* The import proper, of len bytes at buf read from path. */
static int import_buf(void *ctx, struct opts *o, const char *path, struct import_ctx *ic, const char *buf,
		      size_t len)
{
	struct sl_consent_audit *a;
	struct sl_consent_perr perr;
	char *err = NULL;
	long n;
	int rc;

	if (open_store(ctx, "import", o->db, &ic->s) < 0)
		return SL_CONSENT_EXIT_IO;
	if (sl_consent_audit_open(ctx, &o->audit, "import", ic->s, &a) < 0)
		return SL_CONSENT_EXIT_IO;
	if (sl_consent_store_begin(ic->s, &err) < 0) {
		fprintf(stderr, "sluice consent import: %s\n", err);
		sl_consent_audit_close(a);
		return SL_CONSENT_EXIT_IO;
	}
	n = sl_consent_import_buf(ctx, buf, len, import_one, ic, &perr);
	if (n >= 0 && (rc = sl_consent_store_commit(ic->s, &err)) < 0) {
		fprintf(stderr, "sluice consent import: %s\n", err ? err : strerror(-rc));
		sl_consent_audit_close(a);
		return SL_CONSENT_EXIT_IO;
	}
	if (n < 0) {
		sl_consent_store_rollback(ic->s);
		if (perr.field[0])
			fprintf(stderr, "sluice consent import: %s:%u: field '%s': %s; nothing imported\n", path, perr.line,
				perr.field, perr.why);
		else
			fprintf(stderr, "sluice consent import: %s:%u: %s; nothing imported\n", path, perr.line, perr.why);
		sl_consent_audit_close(a);
		return ic->rc ? refused(ic->rc) : SL_CONSENT_EXIT_REFUSED;
	}
	if (sl_consent_audit_close(a) < 0)
		return SL_CONSENT_EXIT_IO;
	printf("%ld records imported\n", n);
	return 0;
}

static int cmd_expire(void *ctx, int argc, char **argv)
{
	struct opts o;
	struct sl_consent_store *s;
	struct sl_consent_audit *a;
	char *err = NULL;
	unsigned n = 0;
	int64_t at;
	int rc;

	if ((rc = parse_opts(argc, argv, &o)))
		return rc > 0 ? 0 : SL_CONSENT_EXIT_USAGE;
	if (optind != argc || !get_time("expire", "at", o.at, now_us(), &at))
		return SL_CONSENT_EXIT_USAGE;
	if (open_store(ctx, "expire", o.db, &s) < 0)
		return SL_CONSENT_EXIT_IO;
	if (sl_consent_audit_open(ctx, &o.audit, "expire", s, &a) < 0)
		return SL_CONSENT_EXIT_IO;
	rc = sl_consent_store_expire(s, at, &n, &err);
	if (rc < 0) {
		fprintf(stderr, "sluice consent expire: %s\n", err ? err : strerror(-rc));
		sl_consent_audit_close(a);
		return refused(rc);
	}
	if (sl_consent_audit_close(a) < 0)
		return SL_CONSENT_EXIT_IO;
	printf("%u consents expired\n", n);
	return 0;
}

int sl_cmd_consent(void *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(void *ctx, int argc, char **argv);
	} sub[] = {
		{ "grant", cmd_grant },	  { "withdraw", cmd_withdraw }, { "show", cmd_show },
		{ "import", cmd_import }, { "export", cmd_export },	{ "expire", cmd_expire },
		{ "report", sl_cmd_consent_report },
	};
	unsigned i;

	if (argc < 2) {
		fputs(help, stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(help, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		if (strcmp(argv[1], sub[i].name))
			continue;
		/* libraries log through libosmocore (the audit log's counters): errors only, nowhere by default */
		if (sl_app_log_init(ctx, false, LOGL_ERROR) < 0)
			return SL_CONSENT_EXIT_IO;
		return sub[i].run(ctx, argc - 1, argv + 1);
	}
	fprintf(stderr, "sluice consent: unknown command '%s' (see sluice consent --help)\n", argv[1]);
	return SL_CONSENT_EXIT_USAGE;
}
