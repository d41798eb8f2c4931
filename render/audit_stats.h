/*
 * What a privacy officer's report counts, gathered from audit records in
 * one pass: records per kind; warrants accepted, refused (per reason) and
 * active per day; records delivered per LIID, destination and day; consent
 * changes and exports per recipient; restarts and the gaps while the log
 * was closed. Kept as one jansson object (the layout is in audit_stats.c)
 * so the report renders it and tests can compare it.
 */
#pragma once

#include <jansson.h>

/* An empty statistics object (the caller owns the reference). */
json_t *sl_audit_stats_new(void);
/* Adds one parsed record (records must come in log order). */
void sl_audit_stats_add(json_t *stats, const json_t *rec);
/* Computes the per-day views once all records are in. */
void sl_audit_stats_finish(json_t *stats);
/* "YYYY-MM-DD" (UTC) of a time in microseconds. */
void sl_audit_day(long long us, char out[16]);
/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" (UTC) of a time in microseconds (out: 32 bytes). */
void sl_audit_report_time(long long us, char out[32]);
