/* Record selection and time text (see query.h). */
#include "mediation/audit/query.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool kind_ok(const struct sl_audit_filter *f, const char *kind)
{
	unsigned i;

	if (!f->nkinds)
		return true;
	for (i = 0; i < f->nkinds; i++) {
		size_t n = strlen(f->kinds[i]);

		if (!strcmp(f->kinds[i], kind) || (n && f->kinds[i][n - 1] == '.' && !strncmp(f->kinds[i], kind, n)))
			return true;
	}
	return false;
}

static bool str_field_is(const json_t *fields, const char *name, const char *want)
{
	const json_t *v = json_object_get(fields, name);

	return json_is_string(v) && !strcmp(json_string_value(v), want);
}

bool sl_audit_filter_match(const struct sl_audit_filter *f, const json_t *rec)
{
	const json_t *fields = json_object_get(rec, "fields");
	const char *kind = json_string_value(json_object_get(rec, "kind"));
	json_int_t t = json_integer_value(json_object_get(rec, "time"));

	if (!kind || !kind_ok(f, kind))
		return false;
	if (f->from_us && t < f->from_us)
		return false;
	if (f->until_us && t >= f->until_us)
		return false;
	if (f->liid && !str_field_is(fields, "liid", f->liid))
		return false;
	if (f->recipient && !str_field_is(fields, "recipient", f->recipient))
		return false;
	if (f->destination && !str_field_is(fields, "destination", f->destination)) {
		const json_t *list = json_object_get(fields, "destinations");
		size_t i;
		bool found = false;

		for (i = 0; json_is_array(list) && i < json_array_size(list); i++) {
			const json_t *d = json_array_get(list, i);

			if (json_is_string(d) && !strcmp(json_string_value(d), f->destination))
				found = true;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool digits(const char *s, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool sl_audit_parse_time(const char *s, int64_t *us)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
	size_t n = strlen(s), i;
	time_t t;

	if (n > 0 && n <= 19 && strspn(s, "0123456789") == n) {
		int64_t v = 0;

		for (i = 0; i < n; i++) {
			if (v > (INT64_MAX - (s[i] - '0')) / 10)
				return false;
			v = v * 10 + (s[i] - '0');
		}
		*us = v;
		return true;
	}
	if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d))
		return false;
	if (n > 10) {
		if (n < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[n - 1] != 'Z' || !digits(s + 11, 2, &h) ||
		    !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
			return false;
		if (n > 20) {
			size_t fl = n - 21;

			if (s[19] != '.' || fl < 1 || fl > 6 || !digits(s + 20, fl, &frac))
				return false;
			for (i = fl; i < 6; i++)
				frac *= 10;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t < 0)
		return false;
	*us = (int64_t)t * 1000000 + frac;
	return true;
}

void sl_audit_format_time(int64_t us, char *out, size_t cap)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (us < 0 || !gmtime_r(&t, &tm)) {
		snprintf(out, cap, "%lld", (long long)us);
		return;
	}
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}
