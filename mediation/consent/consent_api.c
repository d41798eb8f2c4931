/*
 * The consent API's routes and request bodies (docs/consent.md, "HTTPS
 * API"): four endpoints under /v1, resolved from the method and the
 * decoded path, and the strict grant and withdraw bodies. A grant body is
 * the record format of docs/consent.md with the registry's own fields
 * (id, status, history) left to the registry; it is checked here for
 * what only the API refuses and then handed, re-encoded, to the record
 * parser, so the API and `sluice consent import` refuse the same records
 * with the same words. Errors name the field, never the subject.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/consent/consent_api.h"

const char *const sl_capi_route_names[_SL_CAPI_ROUTE_COUNT] = {
	[SL_CAPI_GRANT] = "grant",
	[SL_CAPI_WITHDRAW] = "withdraw",
	[SL_CAPI_LIST] = "list",
	[SL_CAPI_REPORT] = "report",
};

/* Copies the path segment at p (up to '/' or the end) into out (size n); its length, or -1 if too long. */
static int segment(const char *p, char *out, size_t n)
{
	size_t len = strcspn(p, "/");

	if (len >= n)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return (int)len;
}

int sl_capi_route(const char *method, const char *path, struct sl_capi_req *req, const char **field)
{
	static const char consents[] = "/v1/consents", subjects[] = "/v1/subjects/";
	bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
	char seg[SL_CONSENT_ID_MAX + 2];
	const char *rest;
	int len;

	memset(req, 0, sizeof(*req));
	*field = NULL;
	if (!strcmp(path, consents)) {
		req->route = SL_CAPI_GRANT;
		req->allow = "POST";
		return post ? 0 : -EOPNOTSUPP;
	}
	if (!strncmp(path, consents, sizeof(consents) - 1) && path[sizeof(consents) - 1] == '/') {
		rest = path + sizeof(consents);
		if (strcmp(rest + strcspn(rest, "/"), "/withdraw"))
			return -ENOENT;
		req->route = SL_CAPI_WITHDRAW;
		req->allow = "POST";
		if (!post)
			return -EOPNOTSUPP;
		len = segment(rest, seg, sizeof(seg));
		if (len < 0 || !sl_consent_token_valid(seg, SL_CONSENT_ID_MAX)) {
			*field = "id";
			return -EINVAL;
		}
		memcpy(req->id, seg, sizeof(req->id));
		return 0;
	}
	if (!strncmp(path, subjects, sizeof(subjects) - 1)) {
		char subj[40];

		rest = path + sizeof(subjects) - 1;
		len = segment(rest, subj, sizeof(subj));
		if (len >= 0 && !strcmp(rest + len, "/consents"))
			req->route = SL_CAPI_LIST;
		else if (len >= 0 && !strcmp(rest + len, "/report"))
			req->route = SL_CAPI_REPORT;
		else
			return -ENOENT;
		req->allow = "GET, HEAD";
		if (!get)
			return -EOPNOTSUPP;
		if (sl_consent_subject_parse(subj, &req->subject) < 0) {
			*field = "subject";
			return -EINVAL;
		}
		return 0;
	}
	return -ENOENT;
}

static int fail(struct sl_consent_perr *err, const char *field, const char *why)
{
	snprintf(err->field, sizeof(err->field), "%s", field);
	snprintf(err->why, sizeof(err->why), "%s", why);
	return -EINVAL;
}

/* Loads a body that must be a JSON object (duplicate keys refused). NULL with *err filled. */
static json_t *load_object(const char *buf, size_t len, struct sl_consent_perr *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!o) {
		/* jansson quotes the offending token: drop it, it may be an identity */
		char *near = strstr(jerr.text, " near ");

		if (near)
			*near = '\0';
		snprintf(err->why, sizeof(err->why), "malformed JSON at column %d: %s", jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		fail(err, "", "the body must be a JSON object");
		return NULL;
	}
	return o;
}

int sl_capi_parse_grant(void *ctx, const char *buf, size_t len, const char *new_id, int64_t now_us,
			struct sl_consent_record *out, struct sl_consent_perr *err)
{
	const char *given = sl_consent_status_names[SL_CONSENT_GIVEN];
	json_t *o, *st;
	char *text;
	int rc;

	memset(err, 0, sizeof(*err));
	memset(out, 0, sizeof(*out));
	if (len > SL_CAPI_BODY_MAX) {
		snprintf(err->why, sizeof(err->why), "body longer than %d bytes", SL_CAPI_BODY_MAX);
		return -EFBIG;
	}
	if (!(o = load_object(buf, len, err)))
		return -EINVAL;
	rc = 0;
	if (json_object_get(o, "history"))
		rc = fail(err, "history", "written by the registry, not by a grant");
	else if ((st = json_object_get(o, "status")) && (!json_is_string(st) || strcmp(json_string_value(st), given)))
		rc = fail(err, "status", "a grant gives consent: dpv:ConsentGiven, or leave it out");
	else if (!json_object_get(o, "id") && json_object_set_new(o, "id", json_string(new_id)) < 0)
		rc = -ENOMEM;
	else if (!st && json_object_set_new(o, "status", json_string(given)) < 0)
		rc = -ENOMEM;
	if (rc) {
		json_decref(o);
		return rc;
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return -ENOMEM;
	/* the record parser: unknown keys, types, bounds, codes; it names the field */
	rc = sl_consent_parse(ctx, text, strlen(text), out, err);
	free(text);
	if (rc)
		return rc;
	if (out->valid_until_us <= now_us) {
		talloc_free(out->history);
		out->history = NULL;
		out->n_history = 0;
		return fail(err, "valid_until", "must be in the future");
	}
	return 0;
}

int sl_capi_parse_withdraw(const char *buf, size_t len, struct sl_consent_perr *err)
{
	const char *key;
	json_t *o, *v;

	memset(err, 0, sizeof(*err));
	if (len > SL_CAPI_BODY_MAX) {
		snprintf(err->why, sizeof(err->why), "body longer than %d bytes", SL_CAPI_BODY_MAX);
		return -EFBIG;
	}
	if (!len)
		return 0;
	if (!(o = load_object(buf, len, err)))
		return -EINVAL;
	json_object_foreach(o, key, v) {
		char field[sizeof(err->field)];

		snprintf(field, sizeof(field), "%s", sl_consent_token_valid(key, 31) ? key : "(not a plain name)");
		json_decref(o);
		return fail(err, field, "unknown field (a withdrawal takes no fields)");
	}
	json_decref(o);
	return 0;
}
