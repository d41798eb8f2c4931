/*
 * `sluiced --check-config`: what the daemon would refuse at start, found
 * without starting it. The VTY has already parsed the file (syntax and
 * value ranges, with the line shown); this checks what only makes sense
 * as a whole, and what the file names on disk and on the network: sources
 * and files that must exist and be readable, directories that must be
 * writable, destinations whose addresses must resolve, the certificates
 * and keys TLS needs, and the dependencies between nodes (warrants need
 * the audit log, intercepts need their destination; the consent node's
 * registry, keys and export directories). Each problem is one
 * line naming the file, the node and the field; nothing is opened for
 * writing, no socket is bound, nothing is started.
 */
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "mediation/consent/consent_js_outbox.h"
#include "src/daemon.h"
#include "src/daemon_consent_api.h"

struct check {
	const char *file;
	unsigned problems;
};

static void problem(struct check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct check *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	c->problems++;
}

/* A file the daemon will read. */
static void readable(struct check *c, const char *where, const char *path)
{
	struct stat st;

	if (!path)
		return;
	if (stat(path, &st) < 0)
		problem(c, "%s %s: %s", where, path, errno == ENOENT ? "no such file" : strerror(errno));
	else if (access(path, R_OK) < 0)
		problem(c, "%s %s: %s", where, path, errno == EACCES ? "permission denied" : strerror(errno));
}

/* A directory the daemon will create or write into: it, or its parent, must be writable. */
static void writable_dir(struct check *c, const char *where, const char *path)
{
	char parent[4096];
	const char *slash;
	struct stat st;

	if (!path)
		return;
	if (stat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			problem(c, "%s %s: not a directory", where, path);
		else if (access(path, W_OK | X_OK) < 0)
			problem(c, "%s %s: permission denied", where, path);
		return;
	}
	slash = strrchr(path, '/');
	if (!slash) {
		snprintf(parent, sizeof(parent), ".");
	} else {
		size_t n = (size_t)(slash - path);

		if (n >= sizeof(parent))
			n = sizeof(parent) - 1;
		memcpy(parent, path, n ? n : 1);
		parent[n ? n : 1] = 0;
	}
	if (access(parent, W_OK | X_OK) < 0)
		problem(c, "%s %s: does not exist and cannot be created in %s (%s)", where, path, parent,
			errno == ENOENT ? "no such directory" : errno == EACCES ? "permission denied" : strerror(errno));
}

/* A file the daemon will create or append to. */
static void writable_file(struct check *c, const char *where, const char *path)
{
	char dir[4096];
	const char *slash;

	if (!path)
		return;
	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) < 0)
			problem(c, "%s %s: permission denied", where, path);
		return;
	}
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)((slash - path) ? (slash - path) : 1) : 1, slash ? path : ".");
	if (access(dir, W_OK | X_OK) < 0)
		problem(c, "%s %s: cannot be created in %s (%s)", where, path, dir,
			errno == ENOENT ? "no such directory" : errno == EACCES ? "permission denied" : strerror(errno));
}

static void check_capture(struct check *c, const struct sl_daemon_cfg *cfg)
{
	unsigned i, live = 0;

	if (!cfg->n_sources)
		problem(c, "capture: no source (source interface NAME | source file PATH)");
	for (i = 0; i < cfg->n_sources; i++) {
		const struct sl_daemon_source_cfg *s = &cfg->sources[i];

		live += s->live;
		if (s->live) {
			if (strcmp(s->name, "any") && !if_nametoindex(s->name))
				problem(c, "capture: source interface %s: no such interface", s->name);
		} else {
			readable(c, "capture: source file", s->name);
		}
	}
	if (live && live != cfg->n_sources)
		problem(c, "capture: interfaces and files cannot be mixed (wall time and file time)");
	writable_file(c, "capture: events-file", cfg->events_path);
}

static void check_address(struct check *c, const char *dest, const char *stream, const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int rc;

	if (!host)
		return;
	rc = getaddrinfo(host, NULL, &hints, &ai);
	if (rc)
		problem(c, "handover: destination %s %s %s: %s", dest, stream, host, gai_strerror(rc));
	else
		freeaddrinfo(ai);
}

static void check_handover(struct check *c, const struct sl_daemon_cfg *cfg)
{
	const struct sl_ho_cfg *h = &cfg->ho;
	unsigned i, k;
	bool hi3;

	if (!h->state_dir) {
		if (h->n_ic || h->n_dest || h->warrant_dir)
			problem(c, "handover: state-dir is needed for destinations, warrants or interceptions");
		return;
	}
	if (!h->operator_id)
		problem(c, "handover: operator-id is mandatory (PS-PDU operatorIdentifier)");
	writable_dir(c, "handover: state-dir", h->state_dir);
	for (i = 0; i < h->n_dest; i++) {
		const struct sl_ho_dest_cfg *d = &h->dest[i];

		if (!d->host[0] && !d->host[1])
			problem(c, "handover: destination %s: neither hi2 nor hi3 is set", d->name);
		check_address(c, d->name, "hi2", d->host[0]);
		check_address(c, d->name, "hi3", d->host[1]);
		const struct sl_ho_auth_cfg *auth = sl_ho_dest_authority(h, d->name);

		if (!d->plain && auth) {
			/* its receivers are verified against the authority's receiver-ca only */
			if (!d->tls_cert || !d->tls_key)
				problem(c, "handover: destination %s: TLS needs 'tls certificate' and 'tls key' (or the "
					   "lab option plain-tcp)", d->name);
			if (!auth->receiver_ca)
				problem(c, "lawful: authority %s: no receiver-ca, so its destination %s cannot verify its "
					   "receivers", auth->name, d->name);
			else if (d->tls_ca && strcmp(d->tls_ca, auth->receiver_ca))
				problem(c, "handover: destination %s: 'tls ca %s' differs from the receiver-ca of its "
					   "authority %s (remove it)", d->name, d->tls_ca, auth->name);
			readable(c, "handover: destination tls certificate", d->tls_cert);
			readable(c, "handover: destination tls key", d->tls_key);
			if (sl_ho_dest_authority_conflict(h, d->name))
				problem(c, "lawful: destination %s belongs to authorities %s and %s, whose receiver-ca "
					   "differ: its receivers can be verified against one of them only", d->name,
					   auth->name, sl_ho_dest_authority_conflict(h, d->name)->name);
		} else if (!d->plain) {
			if (!d->tls_cert || !d->tls_key || !d->tls_ca)
				problem(c, "handover: destination %s: TLS needs 'tls certificate', 'tls key' and "
					   "'tls ca' (or the lab option plain-tcp)", d->name);
			readable(c, "handover: destination tls certificate", d->tls_cert);
			readable(c, "handover: destination tls key", d->tls_key);
			readable(c, "handover: destination tls ca", d->tls_ca);
		}
	}
	for (i = 0; i < h->n_ic; i++) {
		const struct sl_intercept *ic = &h->ic[i];

		if (!h->lab_intercepts)
			problem(c, "lawful: intercept %s written in the configuration: only signed warrants make "
				   "sluice intercept (lab use only: insecure-configured-intercepts)", ic->liid);
		for (k = 0, hi3 = false; k < h->n_dest; k++)
			if (!strcmp(h->dest[k].name, ic->dest))
				break;
		if (k == h->n_dest) {
			problem(c, "lawful: intercept %s: destination '%s' is not configured", ic->liid, ic->dest);
			continue;
		}
		hi3 = h->dest[k].host[1] != NULL;
		if (ic->scope == SL_SCOPE_IRI_CC && !hi3)
			problem(c, "lawful: intercept %s: scope iri-cc but destination %s has no hi3", ic->liid,
				ic->dest);
		if (!ic->n_targets)
			problem(c, "lawful: intercept %s: needs at least one target", ic->liid);
	}
	if (h->warrant_dir) {
		struct stat st;

		if (stat(h->warrant_dir, &st) < 0 || !S_ISDIR(st.st_mode))
			problem(c, "lawful: warrant-directory %s: no such directory", h->warrant_dir);
		else if (access(h->warrant_dir, R_OK | X_OK) < 0)
			problem(c, "lawful: warrant-directory %s: permission denied", h->warrant_dir);
		if (!h->n_auth)
			problem(c, "lawful: warrant-directory set but no authority configured: every warrant "
				   "would be refused");
		if (!cfg->audit.dir)
			problem(c, "lawful: warrants need the audit log (configure the audit node)");
	}
	for (i = 0; i < h->n_auth; i++) {
		const struct sl_ho_auth_cfg *a = &h->auth[i];

		if (!a->anchors)
			problem(c, "lawful: authority %s: no trust-anchors", a->name);
		readable(c, "lawful: authority trust-anchors", a->anchors);
		readable(c, "lawful: authority crl", a->crl);
		readable(c, "lawful: authority receiver-ca", a->receiver_ca);
		for (k = 0; k < a->n_dest; k++) {
			unsigned j;

			for (j = 0; j < h->n_dest && strcmp(h->dest[j].name, a->dest[k]); j++)
				;
			if (j == h->n_dest)
				problem(c, "lawful: authority %s: destination '%s' is not configured", a->name, a->dest[k]);
		}
	}
}

static void check_audit(struct check *c, const struct sl_daemon_audit_cfg *a)
{
	if (!a->dir && !a->key && !a->origin)
		return; /* no audit log */
	if (!a->dir || !a->key || !a->origin)
		problem(c, "audit: directory, signing-key and origin are all needed");
	writable_dir(c, "audit: directory", a->dir);
	readable(c, "audit: signing-key", a->key);
	if (a->sink_dir)
		writable_dir(c, "audit: sink-directory", a->sink_dir);
}

/* The consent API (docs/consent.md, "HTTPS API"): its files, and the audit log every call needs. */
static void check_consent_api(struct check *c, const struct sl_daemon_cfg *cfg)
{
	const struct sl_capi_cfg *a = &sl_capi_cfg;

	if (!a->addr)
		return;
	if (!a->cert || !a->key || !a->tokens || !a->db || !a->pkey_file)
		problem(c, "consent-api: https-listen needs tls certificate, tls key, tokens, database and "
			   "audit-pseudonym-key");
	if (!cfg->audit.dir)
		problem(c, "consent-api: every call is audited: configure the audit node");
	readable(c, "consent-api: tls certificate", a->cert);
	readable(c, "consent-api: tls key", a->key);
	readable(c, "consent-api: tokens", a->tokens);
	readable(c, "consent-api: audit-pseudonym-key", a->pkey_file);
	writable_file(c, "consent-api: database", a->db);
}

/* JetStream (docs/exports.md): names usable in subjects and message ids, readable credentials, libnats built in. */
static void check_consent_js(struct check *c, const struct sl_daemon_consent_js_cfg *j)
{
	if (!j->url)
		return;
#ifndef HAVE_LIBNATS
	problem(c, "consent: jetstream: this sluiced was built without libnats");
#endif
	if (!sl_js_name_ok(j->stream) || !sl_js_name_ok(j->gateway_id) || !sl_js_prefix_ok(j->subject_prefix))
		problem(c, "consent: jetstream: stream, gateway-id and subject-prefix tokens are 1..64 of A-Z a-z 0-9 _ -");
	if (j->creds_file)
		readable(c, "consent: jetstream credentials", j->creds_file);
	if (j->tls_ca)
		readable(c, "consent: jetstream tls ca", j->tls_ca);
	if (j->tls_cert) {
		readable(c, "consent: jetstream tls certificate", j->tls_cert);
		readable(c, "consent: jetstream tls key", j->tls_key);
	}
}

static void check_consent(struct check *c, const struct sl_daemon_consent_cfg *cc, bool audit)
{
	unsigned i;

	if (!cc->configured)
		return;
	if (!cc->database)
		problem(c, "consent: database is mandatory");
	else if (access(cc->database, F_OK) == 0)
		readable(c, "consent: database", cc->database);
	if (!cc->pseudonym_key)
		problem(c, "consent: pseudonym-key is mandatory");
	else
		readable(c, "consent: pseudonym-key", cc->pseudonym_key);
	if (cc->audit_pseudonym_key)
		readable(c, "consent: audit-pseudonym-key", cc->audit_pseudonym_key);
	if (cc->audit_pseudonym_key && !audit)
		problem(c, "consent: audit-pseudonym-key without an audit log: export.batch records need the audit node");
	for (i = 0; i < cc->n_rec; i++) {
		const struct sl_daemon_consent_recipient_cfg *r = &cc->rec[i];

		if (r->purpose < 0)
			problem(c, "consent: recipient %s: purpose is mandatory", r->name);
		if (!r->categories)
			problem(c, "consent: recipient %s: categories is mandatory", r->name);
		if (!r->export_dir && !r->agg_dir)
			problem(c, "consent: recipient %s: export-directory (or aggregate-directory) is mandatory",
				r->name);
		if (r->export_dir)
			writable_dir(c, "consent: export-directory", r->export_dir);
		if (r->agg_dir) {
			writable_dir(c, "consent: aggregate-directory", r->agg_dir);
			if (!r->agg_plmn || !r->n_agg_areas)
				problem(c, "consent: recipient %s: aggregate releases need aggregate-plmn and "
					   "aggregate-area", r->name);
			if (r->agg_epsilon_micro > r->agg_budget_micro)
				problem(c, "consent: recipient %s: aggregate-epsilon above aggregate-budget: every "
					   "release would be refused", r->name);
		}
		if (cc->js.url && !sl_js_name_ok(r->name))
			problem(c, "consent: recipient %s: with jetstream, names are 1..64 of A-Z a-z 0-9 _ -", r->name);
	}
	check_consent_js(c, &cc->js);
}

int sl_daemon_check_config(struct sl_daemon *d, const char *file)
{
	struct check c = { .file = file };

	check_capture(&c, &d->cfg);
	check_handover(&c, &d->cfg);
	check_audit(&c, &d->cfg.audit);
	check_consent_api(&c, &d->cfg);
	check_consent(&c, &d->cfg.consent, d->cfg.audit.dir != NULL);
	if (sl_daemon_vty_auth_problem(sl_daemon_vty_auth(file)))
		problem(&c, "%s", sl_daemon_vty_auth_problem(sl_daemon_vty_auth(file)));
	return c.problems ? -1 : 0;
}
