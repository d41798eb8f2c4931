/*
 * The consent HTTPS API in sluiced (docs/consent.md, "HTTPS API";
 * docs/consent-api.yaml): the operator's self-care app grants, withdraws,
 * lists and reports a subscriber's consents, a partner portal lists its
 * own recipient's records. libmicrohttpd serves it over TLS (GnuTLS,
 * TLS 1.2 and 1.3 only) from the daemon's select loop, as the metrics
 * endpoint does: MHD's epoll descriptor is one osmo_fd and a timer covers
 * MHD's timeouts, so no thread ever touches the registry.
 *
 * Callers authenticate with bearer tokens (the token file holds their
 * SHA-256, compared in constant time; consent_api_tokens.c). Every change
 * is one SQLite transaction of the registry database, and its
 * consent.change records (actor api, the token's name) are made durable in
 * the audit log before that transaction commits; every other
 * authenticated call (reads, and refused writes) leaves an api.access
 * record. Routing, roles and body parsing are mediation/consent/'s; this
 * file is wiring: HTTP in and out, the store, the audit log, the node.
 *
 * The `consent-api` node that configures it is daemon_consent_api_vty.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/log.h"
#include "mediation/audit/audit.h"
#include "mediation/audit/keys.h"
#include "mediation/consent/consent_api.h"
#include "mediation/consent/consent_audit.h"
#include "mediation/consent/consent_ledger.h"
#include "mediation/consent/consent_store.h"
#include "src/app_mhd.h"
#include "src/daemon.h"
#include "src/daemon_consent_api.h"

#define FILE_MAX (64 * 1024) /* bytes of a certificate, key or token file */

struct sl_capi_cfg sl_capi_cfg;
#define g_cfg sl_capi_cfg

static struct sl_daemon *g_d;
static void *g_ctx;				/* everything of a running API; freed by stop */
static struct sl_app_mhd g_http;
static char *g_cert_pem, *g_key_pem;		/* must outlive the server */
static struct sl_capi_tokens *g_tokens;
static struct sl_consent_store *g_store;
static uint8_t g_pkey[SL_AUDIT_PSEUDO_KEY_LEN];
static json_t *g_pending;			/* consent.change fields of the open transaction */
static struct sl_audit_actor g_actor = { .type = "api" };
static struct rate_ctr_group *g_ctrs;		/* consent_api: answers by outcome */

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Reads a whole small file as a NUL-terminated talloc string; NULL after
 * logging why. A file with any of the permission bits in forbidden (the
 * key readable, the token file writable, by others) is refused.
 */
static char *read_file(void *ctx, const char *what, const char *path, mode_t forbidden, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: %s %s: %s\n", what, path,
		     fd < 0 ? strerror(errno) : "not a regular file of at most 64 KiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (st.st_mode & forbidden) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: %s %s: mode %04o, must not be %s by group or others\n", what, path,
		     (unsigned)(st.st_mode & 07777), forbidden & 044 ? "readable" : "writable");
		close(fd);
		return NULL;
	}
	buf = talloc_size(ctx, (size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (!buf || got != (size_t)st.st_size) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: %s %s: short read\n", what, path);
		talloc_free(buf);
		return NULL;
	}
	buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

/* ---- the audit log ------------------------------------------------------------ */

static int on_change(void *data, const struct sl_consent_change *c)
{
	json_t *f = sl_consent_change_fields(g_pkey, c);

	(void)data;
	return f && json_array_append_new(g_pending, f) == 0 ? 0 : -1;
}

static void rolled_back(void *data)
{
	(void)data;
	json_array_clear(g_pending);
}

/* Just before the registry commits: the change's records become durable first, or it rolls back. */
static int before_commit(void *data)
{
	size_t i;
	json_t *f;
	int rc = 0;

	(void)data;
	json_array_foreach(g_pending, i, f)
		if (rc == 0 && sl_audit_append(g_d->audit, "consent.change", &g_actor, f, 0) < 0)
			rc = -1;
	json_array_clear(g_pending);
	if (rc == 0 && sl_audit_commit(g_d->audit) < 0)
		rc = -1;
	if (rc == 0 && g_ctrs)
		rate_ctr_inc(rate_ctr_group_get_ctr(g_ctrs, SL_CAPI_CTR_CHANGES));
	if (rc)
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: the audit log refused a consent.change record: change rolled back\n");
	return rc;
}

/* An api.access record for a call that changed nothing; false if the log refused it. */
static bool audit_access(enum sl_capi_route route, const struct sl_consent_subject *subject, const char *id,
			 unsigned status)
{
	char pseudo[SL_AUDIT_PSEUDONYM_STRLEN];
	json_t *f = json_pack("{s:s,s:i}", "operation", sl_capi_route_names[route], "http_status", (int)status);
	bool ok;

	if (f && subject && sl_audit_pseudonym(g_pkey, sl_consent_subject_type_names[subject->type], subject->value,
					      pseudo) == 0)
		json_object_set_new(f, "subject", json_string(pseudo));
	if (f && id && *id)
		json_object_set_new(f, "consent_id", json_string(id));
	ok = f && sl_audit_append(g_d->audit, "api.access", &g_actor, f, 0) >= 0 && sl_audit_commit(g_d->audit) == 0;
	json_decref(f);
	if (!ok)
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: the audit log refused an api.access record\n");
	return ok;
}

/* ---- HTTP ------------------------------------------------------------------------ */

struct conn {
	char *body;
	size_t len;
	bool too_big;
};

static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, json_t *j, const char *allow)
{
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(j);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (g_ctrs)
		rate_ctr_inc(rate_ctr_group_get_ctr(g_ctrs, sl_capi_ctr_for_status(code)));
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"sluice-consent\"");
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned code, const char *field, const char *why)
{
	json_t *j = json_pack("{s:s}", "error", why);

	if (j && field && *field)
		json_object_set_new(j, "field", json_string(field));
	return reply_json(c, code, j, NULL);
}

static void new_id(char out[20])
{
	uint8_t b[8] = { 0 };
	unsigned i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		memset(b, 0, sizeof(b)); /* the store refuses a clash (409); never a silent overwrite */
	memcpy(out, "c-", 2);
	for (i = 0; i < 8; i++)
		snprintf(out + 2 + 2 * i, 3, "%02x", b[i]);
}

/* A registry failure (database, audit log) is the operator's business: logged with the store's message. */
static void log_store_error(const char *op, int rc, char *err)
{
	if (rc && rc != -ENOENT && rc != -ESTALE && rc != -EEXIST && rc != -EALREADY)
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: %s: %s\n", op, err ? err : strerror(-rc));
	talloc_free(err);
}

static unsigned store_status(int rc)
{
	switch (rc) {
	case -ENOENT: return MHD_HTTP_NOT_FOUND;
	case -ESTALE:
	case -EEXIST:
	case -EALREADY: return MHD_HTTP_CONFLICT;
	default: return MHD_HTTP_SERVICE_UNAVAILABLE;
	}
}

static const char *store_why(int rc)
{
	switch (rc) {
	case -ENOENT: return "no consent record with this id";
	case -ESTALE: return "a newer notice version is current for this purpose: ask the subject again";
	case -EEXIST: return "this id belongs to another subject, recipient or purpose";
	case -EALREADY: return "only a given consent can be withdrawn";
	default: return "the registry or the audit log could not be written; nothing was changed";
	}
}

/* The record as stored, as the response body (200 or 201). */
static enum MHD_Result reply_record(struct MHD_Connection *c, unsigned code, const char *id)
{
	struct sl_consent_record r;
	void *tmp = talloc_new(g_ctx);
	json_t *j = NULL;

	if (sl_consent_store_get(g_store, tmp, id, &r, NULL) == 0)
		j = sl_consent_to_json(&r);
	talloc_free(tmp);
	return j ? reply_json(c, code, j, NULL) :
		   reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, "the change is stored but cannot be read back");
}

static enum MHD_Result do_grant(struct MHD_Connection *c, struct conn *k)
{
	struct sl_consent_record r;
	struct sl_consent_perr perr;
	char id[20], found[SL_CONSENT_ID_MAX + 1], *err = NULL;
	void *tmp = talloc_new(g_ctx);
	bool existed;
	int rc;

	new_id(id);
	rc = sl_capi_parse_grant(tmp, k->body ? k->body : "", k->len, id, wall_us(), &r, &perr);
	if (rc) {
		talloc_free(tmp);
		audit_access(SL_CAPI_GRANT, NULL, NULL, rc == -EFBIG ? 413 : 400);
		return reply_error(c, rc == -EFBIG ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST, perr.field,
				   perr.why);
	}
	existed = sl_consent_store_find(g_store, &r.subject, r.recipient, r.purpose, found, NULL) == 0;
	rc = sl_consent_store_grant(g_store, &r, wall_us(), &err);
	talloc_free(tmp);
	log_store_error("grant", rc, err);
	if (rc) {
		audit_access(SL_CAPI_GRANT, &r.subject, r.id, store_status(rc));
		return reply_error(c, store_status(rc), rc == -ESTALE ? "notice_version" : rc == -EEXIST ? "id" : NULL,
				   store_why(rc));
	}
	return reply_record(c, existed ? MHD_HTTP_OK : MHD_HTTP_CREATED, r.id);
}

static enum MHD_Result do_withdraw(struct MHD_Connection *c, struct conn *k, const struct sl_capi_req *q)
{
	struct sl_consent_perr perr;
	char *err = NULL;
	int rc = sl_capi_parse_withdraw(k->body ? k->body : "", k->len, &perr);

	if (rc) {
		audit_access(SL_CAPI_WITHDRAW, NULL, q->id, rc == -EFBIG ? 413 : 400);
		return reply_error(c, rc == -EFBIG ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST, perr.field,
				   perr.why);
	}
	rc = sl_consent_store_withdraw(g_store, q->id, wall_us(), &err);
	log_store_error("withdraw", rc, err);
	if (rc) {
		audit_access(SL_CAPI_WITHDRAW, NULL, q->id, store_status(rc));
		return reply_error(c, store_status(rc), rc == -ENOENT ? "id" : NULL, store_why(rc));
	}
	return reply_record(c, MHD_HTTP_OK, q->id);
}

struct list_ctx {
	json_t *a;
	const char *recipient; /* a partner's: only its records */
};

static int list_one(void *data, const struct sl_consent_record *r)
{
	struct list_ctx *l = data;
	json_t *j;

	if (l->recipient && strcmp(l->recipient, r->recipient))
		return 0;
	j = sl_consent_to_json(r);
	return j && json_array_append_new(l->a, j) == 0 ? 0 : -ENOMEM;
}

static enum MHD_Result do_read(struct MHD_Connection *c, const struct sl_capi_req *q, const struct sl_capi_token *t)
{
	struct list_ctx l = { .a = NULL };
	json_t *j = NULL;
	char *err = NULL;
	int rc;

	if (q->route == SL_CAPI_REPORT) {
		rc = sl_consent_report_build(g_store, &q->subject, &j, &err);
	} else {
		l.a = json_array();
		l.recipient = t->role == SL_CAPI_ROLE_PARTNER ? t->recipient : NULL;
		rc = l.a ? sl_consent_store_foreach(g_store, &q->subject, list_one, &l, &err) : -ENOMEM;
		j = rc ? NULL : json_pack("{s:o}", "consents", l.a);
		if (rc)
			json_decref(l.a);
	}
	log_store_error(sl_capi_route_names[q->route], rc, err);
	if (rc || !j) {
		json_decref(j);
		audit_access(q->route, &q->subject, NULL, MHD_HTTP_SERVICE_UNAVAILABLE);
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, "the registry cannot be read");
	}
	if (!audit_access(q->route, &q->subject, NULL, MHD_HTTP_OK)) {
		json_decref(j);
		return reply_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, NULL, "the audit log cannot be written");
	}
	return reply_json(c, MHD_HTTP_OK, j, NULL);
}

static enum MHD_Result handle(struct MHD_Connection *c, const char *url, const char *method, struct conn *k)
{
	const struct sl_capi_token *t;
	struct sl_capi_req q;
	const char *field;
	char why[96];
	int rc;

	t = sl_capi_tokens_find(g_tokens, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"));
	if (!t)
		return reply_error(c, MHD_HTTP_UNAUTHORIZED, NULL, "a valid bearer token is required");
	g_actor.id = t->name;
	rc = sl_capi_route(method, url, &q, &field);
	if (rc == -ENOENT)
		return reply_error(c, MHD_HTTP_NOT_FOUND, NULL, "no such endpoint (docs/consent-api.yaml)");
	if (rc == -EOPNOTSUPP) {
		audit_access(q.route, NULL, NULL, MHD_HTTP_METHOD_NOT_ALLOWED);
		snprintf(why, sizeof(why), "method not allowed here; allowed: %s", q.allow);
		return reply_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, json_pack("{s:s}", "error", why), q.allow);
	}
	if (rc == -EINVAL) {
		audit_access(q.route, NULL, NULL, MHD_HTTP_BAD_REQUEST);
		return reply_error(c, MHD_HTTP_BAD_REQUEST, field,
				   !strcmp(field, "id") ? "must be 1..64 characters of A-Z a-z 0-9 . _ : -" :
							  "must be msisdn:+<6..15 digits> or imsi:<6..15 digits>");
	}
	if (!sl_capi_allowed(t->role, q.route)) {
		audit_access(q.route, q.route >= SL_CAPI_LIST ? &q.subject : NULL, q.id, MHD_HTTP_FORBIDDEN);
		snprintf(why, sizeof(why), "the %s role may not %s", sl_capi_role_names[t->role],
			 sl_capi_route_names[q.route]);
		return reply_error(c, MHD_HTTP_FORBIDDEN, NULL, why);
	}
	if (k->too_big)
		return reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE, NULL, "body longer than 32768 bytes");
	switch (q.route) {
	case SL_CAPI_GRANT: return do_grant(c, k);
	case SL_CAPI_WITHDRAW: return do_withdraw(c, k, &q);
	default:
		if (k->len)
			return reply_error(c, MHD_HTTP_BAD_REQUEST, NULL, "a GET takes no body");
		return do_read(c, &q, t);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	struct conn *k = *con_cls;

	(void)cls;
	(void)version;
	if (!k) {
		/* headers only so far: an unknown caller gets 401 before any body is read */
		if (!sl_capi_tokens_find(g_tokens, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")))
			return reply_error(c, MHD_HTTP_UNAUTHORIZED, NULL, "a valid bearer token is required");
		*con_cls = k = talloc_zero(g_ctx, struct conn);
		return k ? MHD_YES : MHD_NO;
	}
	if (*upload_len) {
		if (k->too_big || k->len + *upload_len > SL_CAPI_BODY_MAX) {
			k->too_big = true; /* read to the end, then 413 */
		} else {
			char *b = talloc_realloc(k, k->body, char, k->len + *upload_len + 1);

			if (!b)
				return MHD_NO;
			memcpy(b + k->len, upload, *upload_len);
			k->len += *upload_len;
			b[k->len] = '\0';
			k->body = b;
		}
		*upload_len = 0;
		return MHD_YES;
	}
	return handle(c, url, method, k);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	talloc_free(*con_cls);
	*con_cls = NULL;
}

/* ---- start and stop ------------------------------------------------------------------ */

static int start_fail(const char *why)
{
	if (why)
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: %s\n", why);
	sl_daemon_consent_api_stop();
	return -1;
}

static int open_registry(void)
{
	char *err = NULL;
	size_t len;
	char *buf;
	struct sl_consent_hooks h = { .change = on_change, .before_commit = before_commit,
				      .rolled_back = rolled_back };

	if (!(buf = read_file(g_ctx, "tokens", g_cfg.tokens, S_IWGRP | S_IWOTH, &len)))
		return -1;
	if (sl_capi_tokens_parse(g_ctx, buf, len, &g_tokens, &err) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: tokens %s: %s\n", g_cfg.tokens, err ? err : "cannot be read");
		return -1;
	}
	if (sl_audit_pseudo_key_load(g_ctx, g_cfg.pkey_file, g_pkey, &err) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: audit-pseudonym-key: %s\n", err ? err : g_cfg.pkey_file);
		return -1;
	}
	if (sl_consent_store_open(g_ctx, g_cfg.db, &g_store, &err) < 0) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: database: %s\n", err ? err : g_cfg.db);
		return -1;
	}
	/* a call that meets a long transaction (an import) answers 503 soon instead of holding the loop */
	sl_consent_store_set_busy_ms(g_store, SL_DAEMON_STORE_BUSY_MS);
	g_pending = json_array();
	if (!g_pending)
		return -1;
	sl_consent_store_set_hooks(g_store, &h);
	return 0;
}

int sl_daemon_consent_api_start(struct sl_daemon *d)
{
	struct sockaddr_storage ss;
	struct MHD_Daemon *mhd;
	const char *why;

	g_d = d;
	if (!g_cfg.addr)
		return 0;
	if (!g_cfg.cert || !g_cfg.key || !g_cfg.tokens || !g_cfg.db || !g_cfg.pkey_file)
		return start_fail("https-listen needs tls certificate, tls key, tokens, database and audit-pseudonym-key");
	if (!d->audit)
		return start_fail("every call is audited: configure the audit node");
	if (sl_app_mhd_addr(g_cfg.addr, g_cfg.port, &ss) < 0) {
		return start_fail("https-listen: not an IPv4 or IPv6 address");
	}
	g_ctx = talloc_named_const(d->ctx, 0, "consent-api");
	g_ctrs = rate_ctr_group_alloc(g_ctx, &sl_capi_ctrg_desc, 0);
	if (!(g_cert_pem = read_file(g_ctx, "tls certificate", g_cfg.cert, S_IWGRP | S_IWOTH, NULL)) ||
	    !(g_key_pem = read_file(g_ctx, "tls key", g_cfg.key, S_IRWXG | S_IRWXO, NULL)) || open_registry() < 0)
		return start_fail(NULL);
	mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TLS | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				 g_cfg.port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				 MHD_OPTION_HTTPS_MEM_CERT, g_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, g_key_pem,
				 MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(SL_CAPI_BODY_MAX + 32768), MHD_OPTION_END);
	if (!mhd) {
		LOGP(DSLSRC, LOGL_ERROR, "consent-api: cannot serve HTTPS on %s port %u: %s (certificate or key "
					  "unusable, or the port is taken)\n", g_cfg.addr, g_cfg.port, strerror(errno));
		return start_fail(NULL);
	}
	if (sl_app_mhd_attach(&g_http, mhd, &why) < 0)
		return start_fail(why);
	LOGP(DSLSRC, LOGL_NOTICE, "consent-api: https://%s:%u/v1/ (%u tokens)\n", g_cfg.addr, g_cfg.port,
	     g_tokens->n);
	return 0;
}

const struct sl_capi_tokens *sl_daemon_consent_api_tokens(void)
{
	return g_http.d ? g_tokens : NULL;
}

void sl_daemon_consent_api_stop(void)
{
	sl_app_mhd_detach(&g_http);
	json_decref(g_pending);
	g_pending = NULL;
	OPENSSL_cleanse(g_pkey, sizeof(g_pkey));
	if (g_key_pem)
		OPENSSL_cleanse(g_key_pem, strlen(g_key_pem));
	if (g_ctrs)
		rate_ctr_group_free(g_ctrs);
	g_ctrs = NULL;
	TALLOC_FREE(g_ctx); /* the store (closes the database), tokens, PEMs */
	g_store = NULL;
	g_tokens = NULL;
	g_cert_pem = g_key_pem = NULL;
}
