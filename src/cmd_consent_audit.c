/*
 * `sluice consent`: recording consent changes in the audit log
 * (docs/audit.md, kind consent.change; docs/consent.md, "Audit").
 *
 * The store calls the change hook for every status change inside its
 * write transaction; each becomes a consent.change record naming the
 * record id, recipient, purpose, new status (as the catalogue's word:
 * granted, refused, withdrawn, expired, invalidated), categories and notice
 * version, with the subject only as a keyed pseudonym under the audit
 * pseudonym key, never in clear. The records wait in memory until the
 * database is about to commit: then they are appended and the log is
 * committed (written and fsynced); if that fails, the database rolls
 * back, so no change takes effect without its record, and a transaction
 * that rolls back (a bad import line) leaves nothing in the log. Wiring
 * only.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <talloc.h>

#include "config.h"
#include "mediation/audit/audit.h"
#include "mediation/audit/keys.h"
#include "mediation/consent/consent_audit.h"
#include "src/cmd_consent.h"

struct sl_consent_audit {
	struct sl_audit_log *log;
	json_t *pending; /* fields of the records of the open transaction */
	uint8_t pkey[SL_AUDIT_PSEUDO_KEY_LEN];
	struct sl_audit_actor actor;
};

static int on_change(void *data, const struct sl_consent_change *c)
{
	struct sl_consent_audit *a = data;
	json_t *f = sl_consent_change_fields(a->pkey, c);

	return f && json_array_append_new(a->pending, f) == 0 ? 0 : -1;
}

static void rolled_back(void *data)
{
	struct sl_consent_audit *a = data;

	json_array_clear(a->pending);
}

static int before_commit(void *data)
{
	struct sl_consent_audit *a = data;
	size_t i;
	json_t *f;

	json_array_foreach(a->pending, i, f) {
		/* the time of the record is when it is written; the change's own time is in the registry */
		if (sl_audit_append(a->log, "consent.change", &a->actor, f, 0) < 0) {
			fprintf(stderr, "sluice consent: the audit log refused a consent.change record\n");
			json_array_clear(a->pending);
			return -1;
		}
	}
	json_array_clear(a->pending);
	if (sl_audit_commit(a->log) < 0) {
		fprintf(stderr, "sluice consent: the audit log could not be written\n");
		return -1;
	}
	return 0;
}

static int audit_destructor(struct sl_consent_audit *a)
{
	json_decref(a->pending);
	OPENSSL_cleanse(a->pkey, sizeof(a->pkey));
	return 0;
}

int sl_consent_audit_open(void *ctx, const struct sl_consent_audit_opts *o, const char *verb,
			  struct sl_consent_store *s, struct sl_consent_audit **out)
{
	struct sl_audit_cfg cfg = { 0 };
	struct sl_consent_hooks h = { 0 };
	struct sl_consent_audit *a;
	char *err = NULL;

	*out = NULL;
	if (!o->dir && !o->key && !o->origin && !o->pseudonym_key)
		return 0;
	if (!o->dir || !o->key || !o->origin || !o->pseudonym_key) {
		fputs("sluice consent: --audit-dir, --audit-key, --audit-origin and --audit-pseudonym-key go together\n",
		      stderr);
		return -1;
	}
	a = talloc_zero(ctx, struct sl_consent_audit);
	if (!a)
		return -1;
	a->pending = json_array();
	talloc_set_destructor(a, audit_destructor);
	if (sl_audit_pseudo_key_load(a, o->pseudonym_key, a->pkey, &err) < 0) {
		fprintf(stderr, "sluice consent: %s\n", err);
		talloc_free(a);
		return -1;
	}
	cfg.dir = o->dir;
	cfg.key_file = o->key;
	cfg.origin = o->origin;
	cfg.software = "sluice consent " PACKAGE_VERSION;
	if (sl_audit_open(a, &cfg, &a->log, &err) < 0) {
		fprintf(stderr, "sluice consent: audit log: %s\n", err ? err : "cannot open");
		talloc_free(a);
		return -1;
	}
	a->actor.type = "system";
	a->actor.id = talloc_asprintf(a, "sluice consent %s", verb);
	h.change = on_change;
	h.before_commit = before_commit;
	h.rolled_back = rolled_back;
	h.data = a;
	sl_consent_store_set_hooks(s, &h);
	*out = a;
	return 0;
}

int sl_consent_audit_close(struct sl_consent_audit *a)
{
	int rc;

	if (!a)
		return 0;
	rc = sl_audit_close(a->log, 2000);
	talloc_free(a);
	if (rc < 0) {
		fprintf(stderr, "sluice consent: the audit log did not close cleanly\n");
		return -1;
	}
	return 0;
}
