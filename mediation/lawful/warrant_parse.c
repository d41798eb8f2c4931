/*
 * Warrant and revocation documents, parsed and checked (see warrant.h;
 * the schema is docs/warrants.md).
 *
 * jansson reads the JSON (duplicate keys refused; a NUL byte in a string is refused by default); the rest
 * is a strict walk: every object may hold only the keys the schema names,
 * every value has one type and range, and the first problem found is
 * reported as "path: why". Targets are normalised through capture's own
 * functions (identity.h), so what a warrant names compares byte for byte
 * with what an event carries.
 */
#include "mediation/lawful/warrant.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#define FORMAT_VERSION 1

struct pctx {
	char *err;
	size_t errlen;
	const struct sl_numbering *num;
};

static int fail(struct pctx *p, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct pctx *p, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s: ", path);

	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Refuse keys the schema does not name (a typo must not silently widen or narrow a warrant). */
static int only_keys(struct pctx *p, const char *path, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		const char *const *a;
		for (a = keys; *a; a++)
			if (!strcmp(*a, k))
				break;
		if (!*a)
			return fail(p, path, "unknown field \"%.40s\"", k);
	}
	return 0;
}

static json_t *member(json_t *obj, const char *key)
{
	return json_object_get(obj, key);
}

/* A string member of 1..max bytes of visible ASCII and spaces (no control characters). */
static int get_text(struct pctx *p, json_t *obj, const char *path, const char *key, char *out, size_t max,
		    bool required)
{
	char where[96];
	json_t *v = member(obj, key);
	const char *s;
	size_t n, i;

	snprintf(where, sizeof(where), "%s%s%s", path, *path ? "." : "", key);
	if (!v) {
		if (!required) {
			out[0] = '\0';
			return 0;
		}
		return fail(p, where, "missing");
	}
	if (!json_is_string(v))
		return fail(p, where, "must be a string");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0)
		return fail(p, where, "must not be empty");
	if (n > max)
		return fail(p, where, "longer than %zu characters", max);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(p, where, "control character at position %zu", i);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int get_uint(struct pctx *p, json_t *obj, const char *path, const char *key, uint64_t min, uint64_t max,
		    uint64_t *out)
{
	char where[96];
	json_t *v = member(obj, key);
	json_int_t i;

	snprintf(where, sizeof(where), "%s%s%s", path, *path ? "." : "", key);
	if (!v)
		return fail(p, where, "missing");
	if (!json_is_integer(v))
		return fail(p, where, "must be an integer");
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return fail(p, where, "must be %" PRIu64 " to %" PRIu64, min, max);
	*out = (uint64_t)i;
	return 0;
}

static int get_time(struct pctx *p, json_t *obj, const char *path, const char *key, uint64_t *us)
{
	char where[96], text[40];
	int rc = get_text(p, obj, path, key, text, sizeof(text) - 1, true);

	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s%s%s", path, *path ? "." : "", key);
	if (!sl_warrant_parse_time(text, us))
		return fail(p, where, "not an RFC 3339 UTC time such as 2026-12-03T10:00:00Z");
	return 0;
}

bool sl_liid_valid(const char *s)
{
	size_t n = strnlen(s, SL_LIID_MAX + 1), i;

	if (n == 0 || n > SL_LIID_MAX || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f || s[i] == '/' || s[i] == '\\')
			return false;
	return true;
}

static bool all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "10.0.0.0/24", "2001:db8::/32" or one address; host bits must be zero. */
static bool parse_prefix(const char *s, int family, struct sl_target *t)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned bits, len, i;

	if (!sl_addr_parse(&t->addr, s, alen) || t->addr.family != family)
		return false;
	bits = family == SL_AF_INET6 ? 128 : 32;
	len = bits;
	if (slash) {
		char *end;
		unsigned long v;
		if (!slash[1] || slash[1] < '0' || slash[1] > '9')
			return false;
		errno = 0;
		v = strtoul(slash + 1, &end, 10);
		if (errno || *end || v > bits)
			return false;
		len = (unsigned)v;
	}
	for (i = len; i < bits; i++)
		if (t->addr.a[i / 8] & (0x80u >> (i % 8)))
			return false;
	t->prefix_len = (uint8_t)len;
	return true;
}

/* One target: its type decides how the value is normalised. */
static int parse_target(struct pctx *p, json_t *o, const char *path, struct sl_target *t)
{
	static const char *const keys[] = { "type", "value", NULL };
	char type[16], value[SL_ID_MAX * 2], where[64];
	struct sl_party party = { 0 };
	const struct sl_identity *id;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o))
		return fail(p, path, "must be an object {\"type\": ..., \"value\": ...}");
	if ((rc = only_keys(p, path, o, keys)) || (rc = get_text(p, o, path, "type", type, sizeof(type) - 1, true)) ||
	    (rc = get_text(p, o, path, "value", value, sizeof(value) - 1, true)))
		return rc;
	/* errors name the field and the rule, never the value: it says who is targeted */
	snprintf(where, sizeof(where), "%s.value", path);
	if (!strcmp(type, "sip-uri")) {
		if (strncasecmp(value, "sip:", 4) && strncasecmp(value, "sips:", 5))
			return fail(p, where, "a sip-uri starts with sip: or sips:");
		sl_party_add_uri(&party, p->num, sl_str_make(value, strlen(value)));
		id = sl_party_first(&party, SL_ID_SIP_URI);
		if (!id)
			return fail(p, where, "not a SIP URI of at most %d characters with a host", SL_ID_MAX - 1);
		t->id = *id;
	} else if (!strcmp(type, "tel-uri")) {
		if (strncasecmp(value, "tel:", 4))
			return fail(p, where, "a tel-uri starts with tel:");
		sl_party_add_uri(&party, p->num, sl_str_make(value, strlen(value)));
		id = sl_party_first(&party, SL_ID_E164);
		if (!id)
			return fail(p, where, "not a global number (tel:+<country code><number>)");
		t->id = *id;
	} else if (!strcmp(type, "e164")) {
		/* spaces as people write numbers; the other visual separators are RFC 3966's, which capture strips */
		size_t i, k = 0;
		for (i = 0; value[i]; i++)
			if (value[i] != ' ')
				value[k++] = value[i];
		value[k] = '\0';
		if (value[0] != '+' || !sl_number_normalise(p->num, sl_str_make(value, strlen(value)), &t->id) ||
		    t->id.type != SL_ID_E164 || strlen(t->id.value) > 16)
			return fail(p, where, "an e164 number is + and up to 15 digits");
	} else if (!strcmp(type, "imsi")) {
		if (!all_digits(value, 6, 15))
			return fail(p, where, "an imsi is 6 to 15 digits");
		t->id.type = SL_ID_IMSI;
		snprintf(t->id.value, sizeof(t->id.value), "%s", value);
	} else if (!strcmp(type, "imei")) {
		if (!all_digits(value, 14, 16))
			return fail(p, where, "an imei is 14 to 16 digits (TAC and serial number, check or version digits)");
		t->id.type = SL_ID_IMEI;
		snprintf(t->id.value, sizeof(t->id.value), "%s", value);
	} else if (!strcmp(type, "ipv4") || !strcmp(type, "ipv6")) {
		int fam = type[3] == '6' ? SL_AF_INET6 : SL_AF_INET4;
		if (!parse_prefix(value, fam, t))
			return fail(p, where, "not an %s address or prefix with zero host bits", type);
	} else {
		snprintf(where, sizeof(where), "%s.type", path);
		return fail(p, where, "\"%.16s\" is none of sip-uri, tel-uri, e164, imsi, imei, ipv4, ipv6", type);
	}
	return 0;
}

static int parse_targets(struct pctx *p, json_t *doc, struct sl_intercept *ic)
{
	json_t *arr = member(doc, "targets"), *o;
	size_t i, j;

	if (!arr)
		return fail(p, "targets", "missing");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return fail(p, "targets", "must be a non-empty array");
	if (json_array_size(arr) > SL_INTERCEPT_MAX_TARGETS)
		return fail(p, "targets", "at most %d targets", SL_INTERCEPT_MAX_TARGETS);
	json_array_foreach(arr, i, o) {
		char path[48];
		int rc;
		snprintf(path, sizeof(path), "targets[%zu]", i);
		rc = parse_target(p, o, path, &ic->target[i]);
		if (rc)
			return rc;
		for (j = 0; j < i; j++)
			if (!memcmp(&ic->target[j], &ic->target[i], sizeof(ic->target[i])))
				return fail(p, path, "the same target as targets[%zu]", j);
	}
	ic->n_targets = (unsigned)json_array_size(arr);
	return 0;
}

static int parse_scope(struct pctx *p, json_t *doc, struct sl_intercept *ic)
{
	static const char *const keys[] = { "delivery", "services", NULL };
	json_t *s = member(doc, "scope"), *arr, *v;
	char delivery[16];
	size_t i;
	int rc;

	if (!s)
		return fail(p, "scope", "missing");
	if (!json_is_object(s))
		return fail(p, "scope", "must be an object");
	if ((rc = only_keys(p, "scope", s, keys)) ||
	    (rc = get_text(p, s, "scope", "delivery", delivery, sizeof(delivery) - 1, true)))
		return rc;
	if (!strcmp(delivery, "iri"))
		ic->scope = SL_SCOPE_IRI;
	else if (!strcmp(delivery, "iri+cc"))
		ic->scope = SL_SCOPE_IRI_CC;
	else
		return fail(p, "scope.delivery", "must be \"iri\" or \"iri+cc\"");
	arr = member(s, "services");
	if (!arr)
		return fail(p, "scope.services", "missing");
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return fail(p, "scope.services", "must be a non-empty array");
	ic->services = 0;
	json_array_foreach(arr, i, v) {
		char path[48];
		unsigned k, bit = 0;
		snprintf(path, sizeof(path), "scope.services[%zu]", i);
		if (!json_is_string(v))
			return fail(p, path, "must be a string");
		for (k = 0; k < 4; k++)
			if (!strcmp(json_string_value(v), sl_service_names[k]))
				bit = 1u << k;
		if (!bit)
			return fail(p, path, "none of voice, messaging, registration, location");
		if (ic->services & bit)
			return fail(p, path, "listed twice");
		ic->services |= bit;
	}
	return 0;
}

static int parse_authority(struct pctx *p, json_t *doc, struct sl_warrant_meta *m)
{
	static const char *const keys[] = { "name", "country", NULL };
	json_t *a = member(doc, "authority");
	int rc;

	if (!a)
		return fail(p, "authority", "missing");
	if (!json_is_object(a))
		return fail(p, "authority", "must be an object {\"name\": ..., \"country\": ...}");
	if ((rc = only_keys(p, "authority", a, keys)) ||
	    (rc = get_text(p, a, "authority", "name", m->authority, SL_AUTHORITY_NAME_MAX, true)) ||
	    (rc = get_text(p, a, "authority", "country", m->country, 2, true)))
		return rc;
	if (strlen(m->country) != 2 || m->country[0] < 'A' || m->country[0] > 'Z' || m->country[1] < 'A' ||
	    m->country[1] > 'Z')
		return fail(p, "authority.country", "two capital letters (ISO 3166-1 alpha-2)");
	return 0;
}

static int parse_valid(struct pctx *p, json_t *doc, struct sl_intercept *ic)
{
	static const char *const keys[] = { "from", "until", NULL };
	json_t *v = member(doc, "valid");
	int rc;

	if (!v)
		return fail(p, "valid", "missing");
	if (!json_is_object(v))
		return fail(p, "valid", "must be an object {\"from\": ..., \"until\": ...}");
	if ((rc = only_keys(p, "valid", v, keys)) || (rc = get_time(p, v, "valid", "from", &ic->start_us)) ||
	    (rc = get_time(p, v, "valid", "until", &ic->end_us)))
		return rc;
	if (ic->end_us <= ic->start_us)
		return fail(p, "valid.until", "must be after valid.from");
	return 0;
}

static int parse_doc(struct pctx *p, json_t *doc, struct sl_warrant_meta *m, struct sl_intercept *ic)
{
	static const char *const wkeys[] = { "type", "format", "liid", "version", "authority", "case", "issued",
					     "valid", "scope", "targets", "destination", NULL };
	static const char *const rkeys[] = { "type", "format", "liid", "version", "authority", "issued", "reason",
					     NULL };
	char type[16];
	uint64_t v;
	int rc;

	if (!json_is_object(doc))
		return fail(p, "document", "must be a JSON object");
	if ((rc = get_text(p, doc, "", "type", type, sizeof(type) - 1, true)))
		return rc;
	if (!strcmp(type, "warrant"))
		m->type = SL_DOC_WARRANT;
	else if (!strcmp(type, "revocation"))
		m->type = SL_DOC_REVOCATION;
	else
		return fail(p, "type", "must be \"warrant\" or \"revocation\"");
	if ((rc = only_keys(p, "document", doc, m->type == SL_DOC_WARRANT ? wkeys : rkeys)) ||
	    (rc = get_uint(p, doc, "", "format", FORMAT_VERSION, FORMAT_VERSION, &v)) ||
	    (rc = get_text(p, doc, "", "liid", m->liid, SL_LIID_MAX, true)))
		return rc;
	if (!sl_liid_valid(m->liid))
		return fail(p, "liid", "1 to %d visible ASCII characters, no / or \\, not starting with a dot",
			    SL_LIID_MAX);
	if ((rc = get_uint(p, doc, "", "version", 1, UINT32_MAX, &v)))
		return rc;
	m->version = (uint32_t)v;
	if ((rc = parse_authority(p, doc, m)) || (rc = get_time(p, doc, "", "issued", &m->issued_us)))
		return rc;
	if (m->type == SL_DOC_REVOCATION)
		return get_text(p, doc, "", "reason", m->reason, SL_REASON_MAX, false);

	if ((rc = get_text(p, doc, "", "case", m->case_ref, SL_CASE_REF_MAX, true)) ||
	    (rc = parse_valid(p, doc, ic)) || (rc = parse_scope(p, doc, ic)) || (rc = parse_targets(p, doc, ic)) ||
	    (rc = get_text(p, doc, "", "destination", ic->dest, SL_DEST_NAME_MAX, true)))
		return rc;
	snprintf(ic->liid, sizeof(ic->liid), "%s", m->liid);
	ic->version = m->version;
	return 0;
}

int sl_warrant_parse(const void *json, size_t len, const struct sl_numbering *n, struct sl_warrant_meta *meta,
		     struct sl_intercept *ic, char *err, size_t errlen)
{
	struct pctx p = { .err = err, .errlen = errlen, .num = n };
	struct sl_intercept tmp;
	json_error_t je;
	json_t *doc;
	int rc;

	memset(meta, 0, sizeof(*meta));
	if (len > SL_WARRANT_MAX_BYTES)
		return fail(&p, "document", "larger than %d bytes", SL_WARRANT_MAX_BYTES);
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return fail(&p, "document", "not JSON: line %d column %d: %.120s", je.line, je.column, je.text);
	/* ic->target is the caller's array of SL_INTERCEPT_MAX_TARGETS; fill a copy so a refusal changes nothing */
	if (ic) {
		tmp = *ic;
		tmp.n_targets = 0;
	} else {
		memset(&tmp, 0, sizeof(tmp));
	}
	rc = parse_doc(&p, doc, meta, &tmp);
	json_decref(doc);
	if (rc)
		return rc;
	if (meta->type == SL_DOC_WARRANT) {
		if (!ic || !ic->target)
			return fail(&p, "document", "a warrant, where a revocation was expected");
		*ic = tmp;
	}
	return 0;
}

/* ---- times ----------------------------------------------------------------- */

bool sl_warrant_parse_time(const char *s, uint64_t *us)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	struct tm tm;
	unsigned y, mo, d, h, mi, sec, n = 0;
	uint64_t frac = 0, scale = 1000000;
	const char *q;
	time_t t;

	if (strlen(s) < 20 || sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return false;
	/* fixed widths: sscanf's %2u would also take " 5" or "+5" */
	for (n = 0; n < 19; n++)
		if (shape[n] == 'd' ? s[n] < '0' || s[n] > '9' : s[n] != shape[n])
			return false;
	q = s + 19;
	if (*q == '.') {
		q++;
		if (*q < '0' || *q > '9')
			return false;
		while (*q >= '0' && *q <= '9') {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*q - '0') * scale;
			}
			q++;
		}
	}
	if (q[0] != 'Z' || q[1])
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)y - 1900;
	tm.tm_mon = (int)mo - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)h;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)(sec == 60 ? 59 : sec); /* a leap second counts as the second before it */
	t = timegm(&tm);
	if (t < 0)
		return false;
	/* timegm normalises 31 April into 1 May: refuse dates that do not exist */
	{
		struct tm back;
		if (!gmtime_r(&t, &back) || back.tm_mday != (int)d || back.tm_mon != (int)mo - 1)
			return false;
	}
	*us = (uint64_t)t * 1000000 + frac;
	return true;
}

const char *sl_warrant_fmt_time(char *buf, size_t len, uint64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
	return buf;
}
