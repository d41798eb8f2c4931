/*
 * HTML rendering of the audit report (see audit_report.h). Sections:
 * verification, records by kind, warrants, deliveries, consent and
 * exports, anomalies. Charts are inline SVG bar charts drawn here; text
 * from the log is HTML-escaped (LIIDs and names are the operator's, but a
 * report must not become a way to run markup in a privacy officer's
 * browser). Sections whose record kinds nothing has produced yet say
 * "none recorded".
 */
#include "render/audit_report.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "render/audit_stats.h"

static void esc(FILE *o, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		case '\'': fputs("&#39;", o); break;
		default: fputc(*s, o);
		}
	}
}

static json_int_t ival(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char css[] =
	"body{font-family:sans-serif;margin:2em;color:#222;background:#fff}"
	"h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}"
	"td.n{text-align:right}.ok{background:#d9f2d9;color:#145214}.warn{background:#fff2cc;color:#7a5900}"
	".bad{background:#f8d0d0;color:#8a1010}.status{padding:.6em 1em;font-size:1.3em;display:inline-block}"
	"pre{background:#f4f4f4;padding:.6em;overflow-x:auto}.none{color:#777;font-style:italic}"
	"svg text{font-size:10px;fill:#333}h4{font-size:1em;margin:1em 0 .2em}";

/* A bar chart of an object {label: count} (labels in key order). */
static void bar_chart(FILE *o, const char *id, const json_t *series, const char *colour)
{
	const char *k;
	json_t *v;
	size_t n = json_object_size(series), i = 0;
	json_int_t max = 1;
	const unsigned w = 760, h = 180, left = 40, bottom = 70;
	double bw;

	if (n == 0) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
		return;
	}
	json_object_foreach((json_t *)series, k, v)
		if (json_integer_value(v) > max)
			max = json_integer_value(v);
	bw = (double)(w - left - 10) / (double)n;
	fprintf(o, "<svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" role=\"img\">\n", id, w,
		h + bottom);
	fprintf(o, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#888\"/>\n", left, h, w - 10, h);
	fprintf(o, "<text x=\"2\" y=\"12\">%" JSON_INTEGER_FORMAT "</text><text x=\"2\" y=\"%u\">0</text>\n", max, h);
	json_object_foreach((json_t *)series, k, v) {
		double bh = (double)(h - 20) * (double)json_integer_value(v) / (double)max;
		double x = left + bw * (double)i;

		fprintf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			   "<title>", x + 1, (double)h - bh, bw > 3 ? bw - 2 : 1, bh, colour);
		esc(o, k);
		fprintf(o, ": %" JSON_INTEGER_FORMAT "</title></rect>\n", json_integer_value(v));
		if (n <= 31 || i % (n / 15 + 1) == 0) {
			fprintf(o, "<text x=\"%.1f\" y=\"%u\" transform=\"rotate(45 %.1f %u)\">", x + 2, h + 12, x + 2, h + 12);
			esc(o, k);
			fputs("</text>\n", o);
		}
		i++;
	}
	fputs("</svg>\n", o);
}

static const char *sval(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static void section_verify(FILE *o, const struct sl_audit_report_in *in)
{
	const json_t *v = in->verification, *latest = json_object_get(v, "latest"), *since = json_object_get(v, "since");
	const json_t *probs = json_object_get(v, "problems");
	const char *result = sval(v, "result");
	bool failed = !strcmp(result, "failed"), warned = !strcmp(result, "warnings");
	size_t i;

	fputs("<h2>Verification</h2>\n", o);
	fprintf(o, "<p class=\"status %s\" id=\"verify-result\" data-result=\"", failed ? "bad" : warned ? "warn" : "ok");
	esc(o, result);
	fprintf(o, "\">Log %s</p>\n", failed ? "failed" : warned ? "verified with warnings" : "verified");
	fputs("<table>\n<tr><th>Log directory</th><td>", o);
	esc(o, in->log_dir);
	fprintf(o, "</td></tr>\n<tr><th>Records</th><td class=\"n\" id=\"n-records\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
		ival(v, "records"));
	fputs("<tr><th>Verifier key</th><td>", o);
	esc(o, sval(v, "key"));
	fputs(json_is_true(json_object_get(v, "key_untrusted"))
		      ? " <b>(taken from the log directory: shows only that the log agrees with itself)</b>"
		      : " (supplied by the auditor)",
	      o);
	fprintf(o, "</td></tr>\n<tr><th>Checkpoints</th><td class=\"n\" id=\"n-checkpoints\">%" JSON_INTEGER_FORMAT
		   "</td></tr>\n",
		ival(v, "checkpoints"));
	if (since) {
		bool ok = json_is_true(json_object_get(since, "consistent"));

		fputs("<tr><th>Auditor's checkpoint</th><td id=\"since\" data-consistent=\"", o);
		fputs(ok ? "yes\">" : "no\">", o);
		esc(o, sval(since, "file"));
		fprintf(o, ": size %" JSON_INTEGER_FORMAT ", %s</td></tr>\n", ival(since, "size"),
			ok ? "the log still holds exactly this history (consistency proof checked)"
			   : "NOT consistent with the log");
	}
	fputs("</table>\n", o);
	if (latest) {
		fprintf(o, "<p>Checked against the latest checkpoint, size <span id=\"ckpt-size\">%" JSON_INTEGER_FORMAT
			   "</span>:</p>\n<pre>",
			ival(latest, "size"));
		esc(o, sval(latest, "note"));
		fputs("</pre>\n", o);
	} else {
		fputs("<p class=\"none\">no valid checkpoint</p>\n", o);
	}
	if (!json_array_size(probs))
		return;
	fputs("<table id=\"problems\"><tr><th>Severity</th><th>Problem</th><th>Where</th><th>What</th></tr>\n", o);
	for (i = 0; i < json_array_size(probs); i++) {
		const json_t *p = json_array_get(probs, i);
		const char *sev = sval(p, "severity");

		fprintf(o, "<tr class=\"%s\"><td>", !strcmp(sev, "ERROR") ? "bad" : !strcmp(sev, "WARNING") ? "warn" : "");
		esc(o, sev);
		fputs("</td><td data-problem=\"", o);
		esc(o, sval(p, "name"));
		fputs("\">", o);
		esc(o, sval(p, "name"));
		fputs("</td><td>", o);
		esc(o, sval(p, "file"));
		if (json_object_get(p, "offset"))
			fprintf(o, " offset %" JSON_INTEGER_FORMAT, ival(p, "offset"));
		if (json_object_get(p, "seq"))
			fprintf(o, " (seq/size %" JSON_INTEGER_FORMAT ")", ival(p, "seq"));
		fputs("</td><td>", o);
		esc(o, sval(p, "description"));
		if (json_object_get(p, "detail")) {
			fputs(": ", o);
			esc(o, sval(p, "detail"));
		}
		fputs("</td></tr>\n", o);
	}
	fputs("</table>\n", o);
}

static void section_kinds(FILE *o, const json_t *st)
{
	const char *k;
	json_t *v;

	fputs("<h2>Records by kind</h2>\n<table id=\"kinds\"><tr><th>Kind</th><th>Records</th></tr>\n", o);
	json_object_foreach(json_object_get(st, "kinds"), k, v) {
		fputs("<tr><td>", o);
		esc(o, k);
		fputs("</td><td class=\"n\" data-kind=\"", o);
		esc(o, k);
		fprintf(o, "\">%" JSON_INTEGER_FORMAT "</td></tr>\n", json_integer_value(v));
	}
	fputs("</table>\n", o);
}

static void section_warrants(FILE *o, const json_t *st)
{
	const json_t *w = json_object_get(st, "warrants"), *reasons = json_object_get(w, "refused_reasons");
	const char *k;
	json_t *v;

	fputs("<h2>Warrants</h2>\n<table>", o);
	fprintf(o, "<tr><th>Accepted</th><td class=\"n\" id=\"n-warrant-accepted\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
		ival(w, "accepted"));
	fprintf(o, "<tr><th>Refused</th><td class=\"n\" id=\"n-warrant-refused\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
		ival(w, "refused"));
	fprintf(o, "<tr><th>Ended</th><td class=\"n\" id=\"n-warrant-ended\">%" JSON_INTEGER_FORMAT "</td></tr></table>\n",
		ival(w, "ended"));
	fputs("<h3>Refusals by reason</h3>\n", o);
	if (!json_object_size(reasons)) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
	} else {
		fputs("<table><tr><th>Reason</th><th>Refusals</th></tr>\n", o);
		json_object_foreach((json_t *)reasons, k, v) {
			fputs("<tr><td>", o);
			esc(o, k);
			fputs("</td><td class=\"n\" data-refused-reason=\"", o);
			esc(o, k);
			fprintf(o, "\">%" JSON_INTEGER_FORMAT "</td></tr>\n", json_integer_value(v));
		}
		fputs("</table>\n", o);
	}
	fputs("<h3>Warrants active per day</h3>\n", o);
	if (!ival(w, "accepted"))
		fputs("<p class=\"none\">none recorded</p>\n", o);
	else
		bar_chart(o, "chart-active", json_object_get(st, "active_per_day"), "#4a7bb7");
}

static void section_deliveries(FILE *o, const json_t *st)
{
	const json_t *del = json_object_get(st, "delivered");
	const char *liid, *dest, *day;
	json_t *dests, *d, *v;

	fputs("<h2>Records delivered to authorities</h2>\n<h3>Per day, all LIIDs</h3>\n", o);
	bar_chart(o, "chart-delivered", json_object_get(st, "delivered_per_day"), "#c0504d");
	fputs("<h3>Per LIID and destination</h3>\n", o);
	if (!json_object_size(del)) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
		return;
	}
	fputs("<table id=\"delivered\"><tr><th>LIID</th><th>Destination</th><th>Records</th><th>Per day</th></tr>\n", o);
	json_object_foreach((json_t *)del, liid, dests) {
		json_object_foreach(dests, dest, d) {
			fputs("<tr><td>", o);
			esc(o, liid);
			fputs("</td><td>", o);
			esc(o, dest);
			fputs("</td><td class=\"n\" data-delivered-liid=\"", o);
			esc(o, liid);
			fputs("\" data-delivered-dest=\"", o);
			esc(o, dest);
			fprintf(o, "\">%" JSON_INTEGER_FORMAT "</td><td>", ival(d, "total"));
			json_object_foreach(json_object_get(d, "days"), day, v) {
				esc(o, day);
				fprintf(o, ": %" JSON_INTEGER_FORMAT "<br>", json_integer_value(v));
			}
			fputs("</td></tr>\n", o);
		}
	}
	fputs("</table>\n", o);
	/* One chart per LIID and destination (the first 20 pairs; the table has them all). */
	{
		unsigned n = 0;
		char id[32];

		json_object_foreach((json_t *)del, liid, dests) {
			json_object_foreach(dests, dest, d) {
				if (n == 20)
					break;
				fputs("<h4>", o);
				esc(o, liid);
				fputs(" to ", o);
				esc(o, dest);
				fputs(", records per day</h4>\n", o);
				snprintf(id, sizeof(id), "chart-delivered-%u", n++);
				bar_chart(o, id, json_object_get(d, "days"), "#9bbb59");
			}
		}
	}
}

static void section_consent(FILE *o, const json_t *st)
{
	const char *k;
	json_t *v;

	fputs("<h2>Consent changes and exports per recipient</h2>\n<h3>Consent changes</h3>\n", o);
	if (!json_object_size(json_object_get(st, "consent"))) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
	} else {
		fputs("<table><tr><th>Recipient</th><th>Changes</th><th>Granted</th><th>Withdrawn</th></tr>\n", o);
		json_object_foreach(json_object_get(st, "consent"), k, v) {
			fputs("<tr><td>", o);
			esc(o, k);
			fputs("</td><td class=\"n\" data-consent=\"", o);
			esc(o, k);
			fprintf(o, "\">%" JSON_INTEGER_FORMAT "</td><td class=\"n\">%" JSON_INTEGER_FORMAT
				   "</td><td class=\"n\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
				ival(v, "changes"), ival(v, "granted"), ival(v, "withdrawn"));
		}
		fputs("</table>\n", o);
	}
	fputs("<h3>Exports</h3>\n", o);
	if (!json_object_size(json_object_get(st, "exports"))) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
	} else {
		fputs("<table><tr><th>Recipient</th><th>Batches</th><th>Records</th></tr>\n", o);
		json_object_foreach(json_object_get(st, "exports"), k, v) {
			fputs("<tr><td>", o);
			esc(o, k);
			fputs("</td><td class=\"n\" data-export-batches=\"", o);
			esc(o, k);
			fprintf(o, "\">%" JSON_INTEGER_FORMAT "</td><td class=\"n\">%" JSON_INTEGER_FORMAT "</td></tr>\n",
				ival(v, "batches"), ival(v, "records"));
		}
		fputs("</table>\n", o);
	}
}

static void section_anomalies(FILE *o, const json_t *st, const json_t *ver)
{
	const json_t *w = json_object_get(st, "warrants"), *rs = json_object_get(st, "restarts");
	size_t i;
	char t1[40], t2[40];

	fputs("<h2>Anomalies</h2>\n", o);
	fprintf(o, "<p>Verification problems: <span id=\"n-problems\">%zu</span> listed. "
		   "Restarts: <span id=\"n-restarts\">%" JSON_INTEGER_FORMAT "</span> log openings, "
		   "<span id=\"n-unclean\">%" JSON_INTEGER_FORMAT "</span> after an unclean stop.</p>\n",
		json_array_size(json_object_get(ver, "problems")), ival(rs, "opens"), ival(rs, "unclean"));
	fputs("<h3>Refusals</h3>\n", o);
	if (!json_array_size(json_object_get(w, "refusals"))) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
	} else {
		fputs("<table><tr><th>Seq</th><th>Time</th><th>Reason</th><th>LIID</th><th>Detail</th></tr>\n", o);
		for (i = 0; i < json_array_size(json_object_get(w, "refusals")); i++) {
			const json_t *x = json_array_get(json_object_get(w, "refusals"), i);

			sl_audit_report_time(ival(x, "time"), t1);
			fprintf(o, "<tr><td>%" JSON_INTEGER_FORMAT "</td><td>%s</td><td>", ival(x, "seq"), t1);
			esc(o, json_string_value(json_object_get(x, "reason")));
			fputs("</td><td>", o);
			esc(o, json_string_value(json_object_get(x, "liid")));
			fputs("</td><td>", o);
			esc(o, json_string_value(json_object_get(x, "detail")));
			fputs("</td></tr>\n", o);
		}
		fputs("</table>\n", o);
	}
	fputs("<h3>Restarts and gaps (log not open)</h3>\n", o);
	if (!json_array_size(json_object_get(st, "gaps"))) {
		fputs("<p class=\"none\">none recorded</p>\n", o);
	} else {
		fputs("<table id=\"gaps\"><tr><th>From</th><th>To</th><th>Stop</th></tr>\n", o);
		for (i = 0; i < json_array_size(json_object_get(st, "gaps")); i++) {
			const json_t *g = json_array_get(json_object_get(st, "gaps"), i);

			sl_audit_report_time(ival(g, "from"), t1);
			sl_audit_report_time(ival(g, "to"), t2);
			fprintf(o, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				json_is_true(json_object_get(g, "clean")) ? "" : "warn", t1, t2,
				json_is_true(json_object_get(g, "clean")) ? "clean" : "unclean (crash or kill)");
		}
		fputs("</table>\n", o);
	}
}

int sl_audit_report_html(FILE *o, const struct sl_audit_report_in *in)
{
	char t1[40], t2[40];

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	      "<title>sluice audit report</title>\n<style>",
	      o);
	fputs(css, o);
	fputs("</style></head><body>\n<h1>Audit report</h1>\n<p>", o);
	sl_audit_report_time(ival(in->stats, "first_time"), t1);
	sl_audit_report_time(ival(in->stats, "last_time"), t2);
	fprintf(o, "Records from <span id=\"first-time\">%s</span> to <span id=\"last-time\">%s</span>. "
		   "Generated %s by sluice audit report. All times UTC.</p>\n",
		t1, t2, in->generated);
	section_verify(o, in);
	section_kinds(o, in->stats);
	section_warrants(o, in->stats);
	section_deliveries(o, in->stats);
	section_consent(o, in->stats);
	section_anomalies(o, in->stats, in->verification);
	fputs("</body></html>\n", o);
	return ferror(o) ? -1 : 0;
}
