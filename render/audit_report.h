/*
 * The privacy officer's report: one self-contained HTML page (inline CSS
 * and SVG, no script, no network fetch) from a verification result and
 * the statistics of audit_stats.h. Both come in as JSON (the verification
 * as sl_audit_verify_json() writes it, docs/audit.md), so this archive
 * needs jansson and nothing of the log itself. Every number on the page
 * sits in an element with an id or data- attribute so that tests (and
 * auditors' scripts) can read it back and compare it with `sluice audit
 * show`.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

struct sl_audit_report_in {
	const char *log_dir;
	const json_t *verification;		/* as sl_audit_verify_json() makes it */
	const json_t *stats;			/* from sl_audit_stats_* */
	const char *generated;			/* RFC 3339 time the report was made */
};

/* Writes the page. 0, or -1 on a write error. */
int sl_audit_report_html(FILE *out, const struct sl_audit_report_in *in);
