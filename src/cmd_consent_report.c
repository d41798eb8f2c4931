/*
 * `sluice consent report`: the subject's report (docs/consent.md, "The
 * subject's report"): their consent records with every status change,
 * and from the value ledger what was shared about them, with whom, under
 * which consent, when, and what it earned them. --format json prints the
 * very object GET /v1/subjects/{subject}/report answers (one line);
 * text is the same content for a person. Wiring only: the report is
 * built by mediation/consent/consent_ledger.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/consent/consent_ledger.h"
#include "mediation/consent/consent_store.h"
#include "src/cmd_consent.h"

static void fmt_time(json_int_t us, char *out, size_t size)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "%lld", (long long)us);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_cats(json_t *a)
{
	size_t i;
	json_t *c;

	json_array_foreach(a, i, c)
		printf("%s%s", i ? "," : "", json_string_value(c));
}

/* Micro-units as a decimal amount with six places. */
static void print_amount(json_int_t micro)
{
	printf("%lld.%06lld", (long long)(micro / 1000000), (long long)(micro % 1000000));
}

static void print_text(json_t *rep)
{
	json_t *subj = json_object_get(rep, "subject"), *totals = json_object_get(rep, "totals"), *e, *h;
	char a[32], b[32];
	size_t i, j;

	printf("subject %s:%s\n\nconsents\n", str(subj, "type"), str(subj, "value"));
	if (!json_array_size(json_object_get(rep, "consents")))
		puts("  none");
	json_array_foreach(json_object_get(rep, "consents"), i, e) {
		fmt_time(num(e, "valid_from"), a, sizeof(a));
		fmt_time(num(e, "valid_until"), b, sizeof(b));
		printf("  %s: %s for %s (", str(e, "id"), str(e, "recipient"), str(e, "purpose"));
		print_cats(json_object_get(e, "categories"));
		printf("), %s, valid %s .. %s, notice %s\n", str(e, "status"), a, b, str(e, "notice_version"));
		json_array_foreach(json_object_get(e, "history"), j, h) {
			fmt_time(num(h, "time"), a, sizeof(a));
			printf("    %s %s\n", a, str(h, "status"));
		}
	}
	puts("\nshared (from the value ledger)");
	if (!json_array_size(json_object_get(rep, "shared")))
		puts("  nothing");
	json_array_foreach(json_object_get(rep, "shared"), i, e) {
		fmt_time(num(e, "time"), a, sizeof(a));
		printf("  %s  %s under %s (%s: ", a, str(e, "recipient"), str(e, "consent_id"), str(e, "purpose"));
		print_cats(json_object_get(e, "categories"));
		printf(")  %lld records  earned ", (long long)num(e, "records"));
		print_amount(num(e, "amount_micro"));
		putchar('\n');
	}
	puts("\ntotals");
	json_array_foreach(json_object_get(totals, "by_recipient"), i, e) {
		printf("  %s  %lld records  earned ", str(e, "recipient"), (long long)num(e, "records"));
		print_amount(num(e, "amount_micro"));
		putchar('\n');
	}
	printf("  all  %lld records  earned ", (long long)num(totals, "records"));
	print_amount(num(totals, "amount_micro"));
	putchar('\n');
}

int sl_cmd_consent_report(void *ctx, int argc, char **argv)
{
	enum { O_DB = 256, O_SUBJECT, O_FORMAT };
	static const struct option lopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "subject", required_argument, NULL, O_SUBJECT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *subject = NULL, *format = "text";
	struct sl_consent_subject subj;
	struct sl_consent_store *s;
	char *err = NULL, *text;
	json_t *rep;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case O_DB: db = optarg; break;
		case O_SUBJECT: subject = optarg; break;
		case O_FORMAT: format = optarg; break;
		case 'h':
			puts("sluice consent report --db PATH --subject TYPE:ID [--format text|json]\n"
			     "    the subject's consents and what was shared about them, with whom, under which\n"
			     "    consent, when, and what it earned them (docs/consent.md, The subject's report)");
			return 0;
		default: fputs("sluice consent: see sluice consent --help\n", stderr); return SL_CONSENT_EXIT_USAGE;
		}
	}
	if (!db || !subject || optind < argc || (strcmp(format, "text") && strcmp(format, "json"))) {
		fputs("sluice consent report: --db PATH and --subject TYPE:ID are required; --format is text or json\n",
		      stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	if (sl_consent_subject_parse(subject, &subj) < 0) {
		fputs("sluice consent report: --subject: expected msisdn:+<6..15 digits> or imsi:<6..15 digits>\n",
		      stderr);
		return SL_CONSENT_EXIT_USAGE;
	}
	if (sl_consent_store_open(ctx, db, &s, &err) < 0) {
		fprintf(stderr, "sluice consent report: %s\n", err ? err : db);
		return SL_CONSENT_EXIT_IO;
	}
	rc = sl_consent_report_build(s, &subj, &rep, &err);
	if (rc < 0) {
		fprintf(stderr, "sluice consent report: %s\n", err ? err : strerror(-rc));
		return SL_CONSENT_EXIT_IO;
	}
	if (!strcmp(format, "json")) {
		text = json_dumps(rep, JSON_COMPACT);
		if (text)
			puts(text);
		free(text);
		rc = text ? 0 : SL_CONSENT_EXIT_IO;
	} else {
		print_text(rep);
	}
	json_decref(rep);
	return fflush(stdout) == 0 && !rc ? 0 : SL_CONSENT_EXIT_IO;
}
