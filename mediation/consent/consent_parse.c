/*
 * Strict JSON parsing of consent records (docs/consent.md, "Record
 * format"), with jansson.
 *
 * A record comes from outside the gateway (an operator's import, later the
 * self-care API), so nothing in it is trusted: the object may hold only
 * the documented keys, each once, each of its documented type; every
 * string is bounded and of a character class; codes come from the closed
 * lists of consent_record.c; integers are in range. The first problem
 * stops the parse and is reported with the JSON field it concerns and,
 * for JSON Lines imports, the line number. Reasons never quote the
 * subject's identity, which may end up in logs.
 */
#include "mediation/consent/consent_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#define TIME_MAX_US 253402300799999999LL /* 9999-12-31T23:59:59.999999Z */

static int fail(struct sl_consent_perr *err, const char *field, const char *fmt, const char *arg)
{
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	/* fmt is one of this file's literals, with at most one %s */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(err->why, sizeof(err->why), fmt, arg ? arg : "");
#pragma GCC diagnostic pop
	return -EINVAL;
}

/* A key as it may appear in a message: only if it is a plain name (no control bytes from the input). */
static const char *safe_key(const char *key)
{
	return sl_consent_token_valid(key, 31) ? key : "(not a plain name)";
}

/* A JSON string of 1..max bytes without NUL, copied into dst (max + 1 bytes). */
static int get_str(json_t *v, const char *field, size_t max, char *dst, struct sl_consent_perr *err)
{
	size_t n;

	if (!json_is_string(v))
		return fail(err, field, "must be a string", NULL);
	n = json_string_length(v);
	if (n == 0)
		return fail(err, field, "must not be empty", NULL);
	if (n > max || strlen(json_string_value(v)) != n)
		return fail(err, field, "longer than its bound or holds a NUL", NULL);
	memcpy(dst, json_string_value(v), n);
	dst[n] = '\0';
	return 0;
}

static int get_code(json_t *v, const char *field, const char *const *table, unsigned n, int *out,
		    struct sl_consent_perr *err)
{
	char buf[SL_CONSENT_NAME_MAX + 1];
	int rc = get_str(v, field, SL_CONSENT_NAME_MAX, buf, err);

	if (rc)
		return rc;
	*out = sl_consent_name_find(table, n, buf);
	if (*out < 0 || (table == sl_consent_category_names && *out == SL_CONSENT_CAT_CONTENT))
		return fail(err, field, "unknown code '%s' (docs/consent.md lists them)", buf);
	return 0;
}

static int get_time(json_t *v, const char *field, int64_t *out, struct sl_consent_perr *err)
{
	json_int_t t;

	if (!json_is_integer(v))
		return fail(err, field, "must be an integer (microseconds since 1970, UTC)", NULL);
	t = json_integer_value(v);
	if (t < 0 || t > TIME_MAX_US)
		return fail(err, field, "out of range (0 to year 9999 in microseconds)", NULL);
	*out = (int64_t)t;
	return 0;
}

static int parse_subject(json_t *v, struct sl_consent_subject *s, struct sl_consent_perr *err)
{
	char type[16], value[SL_CONSENT_SUBJECT_MAX + 1];
	const char *key;
	json_t *x;
	int t;

	if (!json_is_object(v))
		return fail(err, "subject", "must be an object {\"type\":..,\"value\":..}", NULL);
	json_object_foreach(v, key, x)
		if (strcmp(key, "type") && strcmp(key, "value"))
			return fail(err, "subject", "unknown field '%s'", safe_key(key));
	if (!json_object_get(v, "type") || !json_object_get(v, "value"))
		return fail(err, "subject", "needs both type and value", NULL);
	if (get_str(json_object_get(v, "type"), "subject", sizeof(type) - 1, type, err))
		return -EINVAL;
	t = sl_consent_name_find(sl_consent_subject_type_names, _SL_CONSENT_SUBJ_COUNT, type);
	if (t < 0)
		return fail(err, "subject", "type must be msisdn or imsi", NULL);
	if (get_str(json_object_get(v, "value"), "subject", SL_CONSENT_SUBJECT_MAX, value, err) ||
	    sl_consent_subject_set(s, (enum sl_consent_subject_type)t, value) < 0)
		return fail(err, "subject",
			    t == SL_CONSENT_SUBJ_MSISDN ? "msisdn value must be + and 6..15 digits"
							: "imsi value must be 6..15 digits",
			    NULL);
	return 0;
}

static int parse_categories(json_t *v, uint32_t *cats, struct sl_consent_perr *err)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(err, "categories", "must be a non-empty array of category codes", NULL);
	if (json_array_size(v) > _SL_CONSENT_CAT_COUNT)
		return fail(err, "categories", "too many entries", NULL);
	*cats = 0;
	json_array_foreach(v, i, x) {
		int c;
		if (!json_is_string(x))
			return fail(err, "categories", "entries must be strings", NULL);
		if (!strcmp(json_string_value(x), "content"))
			return fail(err, "categories", "content can never be consented to on this path", NULL);
		if (get_code(x, "categories", sl_consent_category_names, _SL_CONSENT_CAT_COUNT, &c, err))
			return -EINVAL;
		if (*cats & SL_CONSENT_CAT_BIT(c))
			return fail(err, "categories", "'%s' given twice", sl_consent_category_names[c]);
		*cats |= SL_CONSENT_CAT_BIT(c);
	}
	return 0;
}

static int parse_history(void *ctx, json_t *v, struct sl_consent_record *r, struct sl_consent_perr *err)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return fail(err, "history", "must be a non-empty array of {\"status\":..,\"time\":..}", NULL);
	if (json_array_size(v) > SL_CONSENT_HISTORY_MAX)
		return fail(err, "history", "more than 256 status changes", NULL);
	json_array_foreach(v, i, x) {
		const char *key;
		json_t *y;
		int st;
		int64_t t;
		if (!json_is_object(x) || json_object_size(x) != 2 || !json_object_get(x, "status") ||
		    !json_object_get(x, "time")) {
			json_object_foreach(x, key, y)
				if (strcmp(key, "status") && strcmp(key, "time"))
					return fail(err, "history", "unknown field '%s'", safe_key(key));
			return fail(err, "history", "entries must be {\"status\":..,\"time\":..}", NULL);
		}
		if (get_code(json_object_get(x, "status"), "history", sl_consent_status_names,
			     _SL_CONSENT_STATUS_COUNT, &st, err) ||
		    get_time(json_object_get(x, "time"), "history", &t, err))
			return -EINVAL;
		if (sl_consent_record_push(ctx, r, (enum sl_consent_status)st, t) < 0)
			return fail(err, "history", "out of memory", NULL);
	}
	return 0;
}

/* The top-level keys, in the order the encoder writes them. */
enum key {
	K_ID, K_SUBJECT, K_CONTROLLER, K_RECIPIENT, K_PURPOSE, K_CATEGORIES, K_LEGAL_BASIS, K_STATUS,
	K_VALID_FROM, K_VALID_UNTIL, K_METHOD, K_NOTICE_VERSION, K_NOTICE_LANGUAGE, K_HISTORY, _K_COUNT
};
static const char *const key_names[_K_COUNT] = {
	"id", "subject", "controller", "recipient", "purpose", "categories", "legal_basis", "status",
	"valid_from", "valid_until", "collection_method", "notice_version", "notice_language", "history",
};

static int parse_obj(void *ctx, json_t *o, struct sl_consent_record *r, struct sl_consent_perr *err)
{
	json_t *v[_K_COUNT];
	const char *key, *field, *why;
	json_t *x;
	int code[3], k;
	char st_name[SL_CONSENT_NAME_MAX + 1];
	int st;

	if (!json_is_object(o))
		return fail(err, NULL, "a record must be a JSON object", NULL);
	json_object_foreach(o, key, x)
		if (sl_consent_name_find(key_names, _K_COUNT, key) < 0)
			return fail(err, safe_key(key), "unknown field", NULL);
	for (k = 0; k < _K_COUNT; k++) {
		v[k] = json_object_get(o, key_names[k]);
		if (!v[k] && k != K_HISTORY)
			return fail(err, key_names[k], "missing", NULL);
	}
	if (get_str(v[K_ID], "id", SL_CONSENT_ID_MAX, r->id, err) || parse_subject(v[K_SUBJECT], &r->subject, err) ||
	    get_str(v[K_CONTROLLER], "controller", SL_CONSENT_NAME_MAX, r->controller, err) ||
	    get_str(v[K_RECIPIENT], "recipient", SL_CONSENT_NAME_MAX, r->recipient, err) ||
	    get_code(v[K_PURPOSE], "purpose", sl_consent_purpose_names, _SL_CONSENT_P_COUNT, &code[0], err) ||
	    parse_categories(v[K_CATEGORIES], &r->categories, err) ||
	    get_code(v[K_LEGAL_BASIS], "legal_basis", sl_consent_legal_basis_names, _SL_CONSENT_LB_COUNT, &code[1],
		     err) ||
	    get_str(v[K_STATUS], "status", SL_CONSENT_NAME_MAX, st_name, err) ||
	    get_time(v[K_VALID_FROM], "valid_from", &r->valid_from_us, err) ||
	    get_time(v[K_VALID_UNTIL], "valid_until", &r->valid_until_us, err) ||
	    get_code(v[K_METHOD], "collection_method", sl_consent_method_names, _SL_CONSENT_M_COUNT, &code[2], err) ||
	    get_str(v[K_NOTICE_VERSION], "notice_version", SL_CONSENT_NOTICE_MAX, r->notice_version, err) ||
	    get_str(v[K_NOTICE_LANGUAGE], "notice_language", SL_CONSENT_LANG_MAX, r->notice_language, err))
		return -EINVAL;
	st = sl_consent_name_find(sl_consent_status_names, _SL_CONSENT_STATUS_COUNT, st_name);
	if (st < 0)
		return fail(err, "status", "unknown code '%s' (docs/consent.md lists them)", st_name);
	r->purpose = (enum sl_consent_purpose)code[0];
	r->legal_basis = (enum sl_consent_legal_basis)code[1];
	r->method = (enum sl_consent_method)code[2];
	if (v[K_HISTORY]) {
		if (parse_history(ctx, v[K_HISTORY], r, err))
			return -EINVAL;
	} else if (sl_consent_record_push(ctx, r, (enum sl_consent_status)st, r->valid_from_us) < 0) {
		return fail(err, "history", "out of memory", NULL);
	}
	r->status = (enum sl_consent_status)st;
	if (sl_consent_record_check(r, &field, &why) < 0)
		return fail(err, field, "%s", why);
	return 0;
}

int sl_consent_parse(void *ctx, const char *buf, size_t len, struct sl_consent_record *out,
		     struct sl_consent_perr *err)
{
	json_error_t jerr;
	json_t *o;
	int rc;

	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	if (len > SL_CONSENT_LINE_MAX)
		return fail(err, NULL, "record longer than 32768 bytes", NULL);
	o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		/* jansson quotes the offending token ("... near '+49...'"): drop it, it may be an identity */
		char *near = strstr(jerr.text, " near ");
		if (near)
			*near = '\0';
		snprintf(err->why, sizeof(err->why), "malformed JSON at column %d: %s", jerr.column, jerr.text);
		return -EINVAL;
	}
	rc = parse_obj(ctx, o, out, err);
	json_decref(o);
	if (rc) {
		talloc_free(out->history);
		out->history = NULL;
		out->n_history = 0;
	}
	return rc;
}

long sl_consent_import_buf(void *ctx, const char *buf, size_t len, sl_consent_import_cb cb, void *data,
			   struct sl_consent_perr *err)
{
	size_t off = 0;
	unsigned line = 0;
	long n = 0;

	memset(err, 0, sizeof(*err));
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (buf + off)) : len - off;
		struct sl_consent_record r;
		void *lctx;
		int rc;

		line++;
		if (ll == 0) {
			off++;
			continue;
		}
		lctx = talloc_named_const(ctx, 0, "consent_import_line");
		if (!lctx)
			return -ENOMEM;
		rc = sl_consent_parse(lctx, buf + off, ll, &r, err);
		if (!rc) {
			rc = cb(data, &r, err);
			if (rc > 0)
				rc = 0;
		}
		talloc_free(lctx);
		if (rc < 0) {
			err->line = line;
			return rc;
		}
		n++;
		off += ll + (nl ? 1 : 0);
	}
	return n;
}

json_t *sl_consent_to_json(const struct sl_consent_record *r)
{
	json_t *o, *cats, *hist;
	unsigned i;

	cats = json_array();
	hist = json_array();
	/* an element lost to a failed allocation must not yield a shorter record: fail as a whole */
	for (i = 0; cats && i < _SL_CONSENT_CAT_COUNT; i++)
		if ((r->categories & SL_CONSENT_CAT_BIT(i)) &&
		    json_array_append_new(cats, json_string(sl_consent_category_names[i])) < 0) {
			json_decref(cats);
			cats = NULL;
		}
	for (i = 0; hist && i < r->n_history; i++)
		if (json_array_append_new(hist, json_pack("{s:s,s:I}", "status",
							  sl_consent_status_names[r->history[i].status], "time",
							  (json_int_t)r->history[i].time_us)) < 0) {
			json_decref(hist);
			hist = NULL;
		}
	if (!cats || !hist) {
		json_decref(cats);
		json_decref(hist);
		return NULL;
	}
	o = json_pack("{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:o*,s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:o*}", "id", r->id, "subject",
		      "type", sl_consent_subject_type_names[r->subject.type], "value", r->subject.value, "controller",
		      r->controller, "recipient", r->recipient, "purpose", sl_consent_purpose_names[r->purpose],
		      "categories", cats, "legal_basis", sl_consent_legal_basis_names[r->legal_basis], "status",
		      sl_consent_status_names[r->status], "valid_from", (json_int_t)r->valid_from_us, "valid_until",
		      (json_int_t)r->valid_until_us, "collection_method", sl_consent_method_names[r->method],
		      "notice_version", r->notice_version, "notice_language", r->notice_language, "history", hist);
	return o;
}

char *sl_consent_encode(void *ctx, const struct sl_consent_record *r)
{
	json_t *o = sl_consent_to_json(r);
	char *s, *out;

	if (!o)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return NULL;
	out = talloc_strdup(ctx, s);
	free(s);
	return out;
}
