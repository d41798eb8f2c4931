/*
 * Report statistics over audit records (see audit_stats.h). Layout:
 *   records, first_time, last_time          integers (µs)
 *   kinds        {kind: count}
 *   warrants     {accepted, refused, ended, refused_reasons {reason: n},
 *                 refusals [{seq, time, reason, liid?, detail?}] (first 500)}
 *   intervals    {liid: [[from, until], ...]}  validity of each warrant accepted for the
 *                LIID; warrant.ended cuts the latest one short
 *   active_per_day {day: LIIDs with a warrant valid at some time of that UTC day}
 *   delivered    {liid: {destination: {total, days {day: n}}}}  sum of "count"
 *   delivered_per_day {day: n}
 *   consent      {recipient: {changes, granted, withdrawn, expired}}
 *   exports      {recipient: {batches, records}}
 *   restarts     {opens, unclean, list [{seq, time, clean, torn_bytes}]}
 *   gaps         [{from, to}]   the log closed cleanly (or last written) until reopened
 * A day is the UTC date "YYYY-MM-DD".
 */
#include "render/audit_stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_LIST 500
#define MAX_DAYS 400
#define DAY_US 86400000000LL

void sl_audit_day(long long us, char out[16])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us < 0 || !gmtime_r(&t, &tm))
		snprintf(out, 16, "invalid");
	else
		snprintf(out, 16, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
			 (unsigned)tm.tm_mday % 100u);
}

void sl_audit_report_time(long long us, char out[32])
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us < 0 || !gmtime_r(&t, &tm))
		snprintf(out, 32, "%lld", us);
	else
		snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%06uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
			 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
			 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u, (unsigned)(us % 1000000));
}

json_t *sl_audit_stats_new(void)
{
	return json_pack("{s:i,s:i,s:i,s:{},s:{s:i,s:i,s:i,s:{},s:[]},s:{},s:{},s:{},s:{},s:{},s:{},"
			 "s:{s:i,s:i,s:[]},s:[],s:b}",
			 "records", 0, "first_time", 0, "last_time", 0, "kinds", "warrants", "accepted", 0, "refused", 0,
			 "ended", 0, "refused_reasons", "refusals", "intervals", "active_per_day", "delivered",
			 "delivered_per_day", "consent", "exports", "restarts", "opens", 0, "unclean", 0, "list", "gaps",
			 "closed", 0);
}

static void inc(json_t *obj, const char *key, json_int_t by)
{
	json_t *v = json_object_get(obj, key);

	json_object_set_new(obj, key, json_integer((v ? json_integer_value(v) : 0) + by));
}

static json_t *child(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!v) {
		v = json_object();
		json_object_set_new(obj, key, v);
	}
	return v;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

void sl_audit_stats_add(json_t *st, const json_t *rec)
{
	const json_t *f = json_object_get(rec, "fields");
	const char *kind = str(rec, "kind");
	json_int_t t = json_integer_value(json_object_get(rec, "time"));
	json_int_t seq = json_integer_value(json_object_get(rec, "seq"));
	json_t *w = json_object_get(st, "warrants");
	char day[16];

	if (json_integer_value(json_object_get(st, "records")) == 0)
		json_object_set_new(st, "first_time", json_integer(t));
	inc(st, "records", 1);
	inc(json_object_get(st, "kinds"), kind, 1);
	sl_audit_day(t, day);

	if (!strcmp(kind, "log.open")) {
		json_t *r = json_object_get(st, "restarts");
		bool first = json_integer_value(json_object_get(r, "opens")) == 0 &&
			     json_integer_value(json_object_get(st, "records")) == 1;
		bool clean = first || json_is_true(json_object_get(st, "closed"));

		inc(r, "opens", 1);
		if (!clean)
			inc(r, "unclean", 1);
		if (json_array_size(json_object_get(r, "list")) < MAX_LIST)
			json_array_append_new(json_object_get(r, "list"),
					      json_pack("{s:I,s:I,s:b,s:I}", "seq", seq, "time", t, "clean", clean,
							"torn_bytes", json_integer_value(json_object_get(f, "torn_bytes"))));
		if (!first && json_array_size(json_object_get(st, "gaps")) < MAX_LIST)
			json_array_append_new(json_object_get(st, "gaps"),
					      json_pack("{s:I,s:I,s:b}", "from",
							json_integer_value(json_object_get(st, "last_time")), "to", t,
							"clean", clean));
	} else if (!strcmp(kind, "warrant.accepted")) {
		inc(w, "accepted", 1);
		json_t *ivs = json_object_get(json_object_get(st, "intervals"), str(f, "liid"));

		if (!ivs) {
			ivs = json_array();
			json_object_set_new(json_object_get(st, "intervals"), str(f, "liid"), ivs);
		}
		if (json_array_size(ivs) < MAX_LIST)
			json_array_append_new(ivs, json_pack("[I,I]", json_integer_value(json_object_get(f, "valid_from")),
							     json_integer_value(json_object_get(f, "valid_until"))));
	} else if (!strcmp(kind, "warrant.refused")) {
		json_t *r = json_pack("{s:I,s:I,s:s}", "seq", seq, "time", t, "reason", str(f, "reason"));

		inc(w, "refused", 1);
		inc(json_object_get(w, "refused_reasons"), str(f, "reason"), 1);
		if (json_object_get(f, "liid"))
			json_object_set(r, "liid", json_object_get(f, "liid"));
		if (json_object_get(f, "detail"))
			json_object_set(r, "detail", json_object_get(f, "detail"));
		if (json_array_size(json_object_get(w, "refusals")) < MAX_LIST)
			json_array_append(json_object_get(w, "refusals"), r);
		json_decref(r);
	} else if (!strcmp(kind, "warrant.ended")) {
		json_t *ivs = json_object_get(json_object_get(st, "intervals"), str(f, "liid"));
		json_t *iv = json_array_get(ivs, json_array_size(ivs) - 1);

		inc(w, "ended", 1);
		/* the warrant that ended is the latest one accepted for this LIID */
		if (iv && json_integer_value(json_array_get(iv, 1)) > t)
			json_array_set_new(iv, 1, json_integer(t));
	} else if (!strcmp(kind, "delivery")) {
		json_int_t n = json_integer_value(json_object_get(f, "count"));
		json_t *d = child(child(json_object_get(st, "delivered"), str(f, "liid")), str(f, "destination"));

		inc(d, "total", n);
		inc(child(d, "days"), day, n);
		inc(json_object_get(st, "delivered_per_day"), day, n);
	} else if (!strcmp(kind, "consent.change")) {
		json_t *c = child(json_object_get(st, "consent"), str(f, "recipient"));

		inc(c, "changes", 1);
		inc(c, str(f, "state"), 1);
	} else if (!strcmp(kind, "export.batch")) {
		json_t *e = child(json_object_get(st, "exports"), str(f, "recipient"));

		inc(e, "batches", 1);
		inc(e, "records", json_integer_value(json_object_get(f, "records")));
	}
	json_object_set_new(st, "closed", json_boolean(!strcmp(kind, "log.close")));
	json_object_set_new(st, "last_time", json_integer(t));
}

void sl_audit_stats_finish(json_t *st)
{
	json_int_t first = json_integer_value(json_object_get(st, "first_time"));
	json_int_t last = json_integer_value(json_object_get(st, "last_time"));
	json_t *active = json_object_get(st, "active_per_day"), *ivs, *iv;
	json_int_t d0 = first - first % DAY_US, d;
	const char *liid;
	char day[16];
	unsigned n = 0;

	json_object_del(st, "closed");
	if (!json_integer_value(json_object_get(st, "records")))
		return;
	for (d = d0; d <= last && n < MAX_DAYS; d += DAY_US, n++) {
		json_int_t cnt = 0;

		json_object_foreach(json_object_get(st, "intervals"), liid, ivs) {
			size_t i;

			for (i = 0; i < json_array_size(ivs); i++) {
				iv = json_array_get(ivs, i);
				if (json_integer_value(json_array_get(iv, 0)) < d + DAY_US &&
				    json_integer_value(json_array_get(iv, 1)) > d) {
					cnt++; /* one LIID counts once a day */
					break;
				}
			}
		}
		sl_audit_day(d, day);
		json_object_set_new(active, day, json_integer(cnt));
	}
}
