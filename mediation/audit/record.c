/*
 * The record catalogue and the canonical encoder (see record.h). The
 * catalogue is the single source for docs/audit.md's kind tables
 * (tests/audit/doc_catalogue.sh checks the page names every kind and
 * field), for the encoder's refusals and for verify's catalogue warnings.
 */
#include "mediation/audit/record.h"

#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "mediation/audit/canon.h"
#include "mediation/audit/canon_encode.h"

#define F(n, t, r, d) { n, SL_AUDIT_FT_##t, r, d }
#define END { NULL, 0, false, NULL }

static const struct sl_audit_field_desc f_log_open[] = {
	F("size", INT, true, "records in the log before this one"),
	F("software", STR, true, "writer software and version"),
	F("torn_bytes", INT, true, "bytes of a torn last record cut at open (0 if none)"),
	F("torn_file", STR, false, "segment file the torn record was cut from"),
	F("torn_offset", INT, false, "offset the segment was cut at"),
	END,
};
static const struct sl_audit_field_desc f_log_close[] = {
	F("size", INT, true, "records in the log before this one"),
	END,
};
static const struct sl_audit_field_desc f_daemon_start[] = {
	F("version", STR, true, "sluiced version"),
	F("config_digest", DIGEST, false, "digest of the configuration file read at start"),
	F("pid", INT, false, "process id"),
	END,
};
static const struct sl_audit_field_desc f_daemon_stop[] = {
	F("reason", STR, true, "signal or cause (sigterm, sigint, fatal)"),
	END,
};
static const struct sl_audit_field_desc f_config_load[] = {
	F("file", STR, true, "configuration file path"),
	F("digest", DIGEST, true, "digest of the file as read"),
	F("result", STR, true, "ok or error"),
	F("error", TEXT, false, "why loading failed"),
	END,
};
static const struct sl_audit_field_desc f_config_change[] = {
	F("session", STR, true, "VTY session (peer address and port)"),
	F("node", STR, true, "VTY node the command ran in"),
	F("command_digest", DIGEST, true, "digest of the command text (the text can name targets)"),
	F("result", STR, true, "ok or error"),
	END,
};
static const struct sl_audit_field_desc f_console_refused[] = {
	F("session", STR, true, "VTY session"),
	F("command", STR, true, "the refused command (write file, log file)"),
	F("path", TEXT, true, "the file it would have written"),
	F("reason", TEXT, true, "why it was refused (the directories allowed)"),
	END,
};
/*
 * Lawful records name LIIDs, versions, digests and authorities, never a
 * target, not even as a pseudonym: a subscriber's own transparency report
 * looks records up by pseudonym, and must not find that they were
 * intercepted (ETSI TS 101 331 4.6-4.9). A warrant's targets are counted.
 */
static const struct sl_audit_field_desc f_warrant_accepted[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("version", INT, true, "version of the warrant for this LIID"),
	F("warrant_digest", DIGEST, true, "digest of the signed warrant file"),
	F("authority", STR, true, "issuing authority by name"),
	F("signer", STR, false, "subject of the signer's certificate"),
	F("valid_from", TIME, true, "start of validity"),
	F("valid_until", TIME, true, "end of validity"),
	F("delivery", STR, true, "iri or iri+cc"),
	F("services", STR_LIST, true, "services covered (voice, messaging, registration, location)"),
	F("destinations", STR_LIST, true, "handover destinations by name"),
	F("targets", INT, true, "how many targets the warrant names (never which)"),
	END,
};
static const struct sl_audit_field_desc f_warrant_refused[] = {
	F("warrant_digest", DIGEST, true, "digest of the refused file"),
	F("reason", STR, true, "refusal code (not-cms, malformed, unknown-authority, bad-signature, ...)"),
	F("detail", TEXT, false, "the check that failed, never an identity"),
	F("file", STR, false, "the file in the warrant directory"),
	F("liid", STR, false, "LIID, when the document was verified before it was refused"),
	F("authority", STR, false, "issuing authority, likewise"),
	END,
};
static const struct sl_audit_field_desc f_warrant_revocation[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("version", INT, true, "versions up to this one are revoked"),
	F("revocation_digest", DIGEST, true, "digest of the signed revocation file"),
	F("authority", STR, true, "issuing authority by name"),
	END,
};
static const struct sl_audit_field_desc f_warrant_ended[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("reason", STR, true, "expired, revoked or superseded"),
	F("version", INT, false, "the version that ended"),
	END,
};
static const struct sl_audit_field_desc f_intercept_activated[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("version", INT, false, "version of the warrant"),
	F("destination", STR, false, "handover destination told (HI1 liActivated)"),
	F("hi1_seq", INT, false, "sequence number of the HI1 notification"),
	F("service", STR, false, "service now intercepted"),
	END,
};
static const struct sl_audit_field_desc f_intercept_modified[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("version", INT, true, "the version now in force"),
	F("destination", STR, false, "handover destination told (HI1 liModified)"),
	F("hi1_seq", INT, false, "sequence number of the HI1 notification"),
	END,
};
static const struct sl_audit_field_desc f_intercept_deactivated[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("reason", STR, true, "expired, revoked, superseded, config or shutdown"),
	F("version", INT, false, "version of the warrant"),
	F("destination", STR, false, "handover destination told (HI1 liDeactivated)"),
	F("hi1_seq", INT, false, "sequence number of the HI1 notification"),
	F("service", STR, false, "service no longer intercepted"),
	END,
};
static const struct sl_audit_field_desc f_config_insecure[] = {
	F("setting", STR, true, "the insecure setting in force (insecure-configured-intercepts, vty-no-login, plain-tcp)"),
	F("liids", STR_LIST, false, "what it affects: the LIIDs taken from the configuration"),
	F("destination", STR, false, "plain-tcp: the handover destination without TLS"),
	END,
};
static const struct sl_audit_field_desc f_delivery[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("destination", STR, true, "handover destination by name"),
	F("stream", STR, false, "hi2 or hi3"),
	F("first_seq", INT, true, "first spool record id of the batch"),
	F("count", INT, true, "records (PDUs) in the batch"),
	F("digest", DIGEST, true, "SHA-256 over the batch's PDUs, each as u32 length and bytes"),
	END,
};
static const struct sl_audit_field_desc f_delivery_refused[] = {
	F("liid", STR, true, "lawful interception identifier"),
	F("destination", STR, true, "handover destination by name"),
	F("stream", STR, true, "hi2 or hi3"),
	F("reason", STR, true, "spool-full or content-shed"),
	F("count", INT, true, "records refused in this run"),
	F("cin", INT, false, "communication identity number of the run (none for HI1)"),
	F("first_seq", INT, false, "first sequence number refused (TS 101 671 HI2 records have none)"),
	F("last_seq", INT, false, "last sequence number refused: the run is every number between"),
	END,
};
static const struct sl_audit_field_desc f_delivery_alarm[] = {
	F("destination", STR, true, "handover destination by name"),
	F("stream", STR, true, "hi2 or hi3"),
	F("state", STR, true, "raised or cleared"),
	F("fill_percent", INT, true, "spool bytes on disk as a percentage of spool-max-mb"),
	F("queued", INT, true, "records waiting for the destination"),
	END,
};
static const struct sl_audit_field_desc f_consent_change[] = {
	F("consent_id", STR, true, "consent record identifier"),
	F("subject", PSEUDONYM, true, "keyed pseudonym of the data subject"),
	F("recipient", STR, true, "data recipient by name"),
	F("purpose", STR, true, "purpose code"),
	F("state", STR, true, "the new status: granted, refused, withdrawn, expired or invalidated"),
	F("categories", STR_LIST, false, "data categories the record covers"),
	F("notice_version", STR, false, "version of the notice the consent was given under"),
	END,
};
static const struct sl_audit_field_desc f_api_access[] = {
	F("operation", STR, true, "API operation: grant, withdraw, list or report"),
	F("http_status", INT, true, "HTTP status code of the answer"),
	F("subject", PSEUDONYM, false, "keyed pseudonym of the data subject the call named"),
	F("consent_id", STR, false, "consent record identifier the call named"),
	END,
};
static const struct sl_audit_field_desc f_export_batch[] = {
	F("recipient", STR, true, "data recipient by name"),
	F("batch_id", STR, true, "export batch identifier"),
	F("records", INT, true, "records in the batch"),
	F("digest", DIGEST, true, "SHA-256 of the batch as exported"),
	F("purpose", STR, false, "purpose code"),
	F("segment", STR, false, "segment file the batch was appended to"),
	F("offset", INT, false, "byte offset of the batch in the segment"),
	F("length", INT, false, "bytes of the batch"),
	F("subjects", PSEUDONYM_LIST, false, "the batch's distinct subjects as keyed pseudonyms"),
	END,
};

static const struct sl_audit_field_desc f_aggregate_release[] = {
	F("recipient", STR, true, "data recipient by name"),
	F("period_start_us", INT, true, "start of the released time bucket (packet time, inclusive)"),
	F("period_end_us", INT, true, "end of the released time bucket (exclusive)"),
	F("result", STR, true, "published, repeated (identical to an earlier release), refused, or unwritten (made, its file could not be written: not delivered, nobody credited)"),
	F("epsilon_micro", INT, false, "epsilon of the release in millionths (0: no noise)"),
	F("observations", INT, false, "observations buffered for the bucket"),
	F("released_cells", INT, false, "cells published"),
	F("suppressed_cells", INT, false, "cells suppressed (fewer than k subjects)"),
	F("file", STR, false, "file name of the release in the recipient's aggregate directory"),
	F("digest", DIGEST, false, "SHA-256 of the release document as written"),
	F("reason", STR, false, "why the release was refused"),
	END,
};

const struct sl_audit_kind_desc sl_audit_kinds[] = {
	{ "log.open", "audit library (now)", "the log was opened for writing", f_log_open },
	{ "log.close", "audit library (now)", "the log was closed cleanly", f_log_close },
	{ "daemon.start", "sluiced (now)", "sluiced started", f_daemon_start },
	{ "daemon.stop", "sluiced (now)", "sluiced is stopping", f_daemon_stop },
	{ "config.load", "sluiced (now)", "a configuration file was read", f_config_load },
	{ "config.change", "sluiced (now)", "a VTY configuration command ran", f_config_change },
	{ "console.refused", "sluiced (now)", "a console command that would write a file outside the allowed "
	  "directories was refused", f_console_refused },
	{ "config.insecure", "sluiced (now)", "an insecure setting is in force at start", f_config_insecure },
	{ "warrant.accepted", "sluiced, lawful path (now)", "a warrant was checked and accepted",
	  f_warrant_accepted },
	{ "warrant.refused", "sluiced, lawful path (now)", "a warrant or revocation was refused", f_warrant_refused },
	{ "warrant.revocation", "sluiced, lawful path (now)", "a revocation was checked and accepted",
	  f_warrant_revocation },
	{ "warrant.ended", "sluiced, lawful path (now)", "a warrant expired, was revoked or superseded",
	  f_warrant_ended },
	{ "intercept.activated", "sluiced, lawful path (now)", "an interception started (HI1 liActivated)",
	  f_intercept_activated },
	{ "intercept.modified", "sluiced, lawful path (now)",
	  "an active interception's warrant was superseded by one in force (HI1 liModified)", f_intercept_modified },
	{ "intercept.deactivated", "sluiced, lawful path (now)", "an interception ended (HI1 liDeactivated)",
	  f_intercept_deactivated },
	{ "delivery", "sluiced, handover path (now)", "a batch of records was released to an authority",
	  f_delivery },
	{ "delivery.alarm", "sluiced, lawful path (now)", "a destination's spool passed its alarm level, or fell back",
	  f_delivery_alarm },
	{ "delivery.refused", "sluiced, lawful path (now)", "records a destination's spool refused: a gap the receiver sees",
	  f_delivery_refused },
	{ "consent.change", "sluice consent, sluiced consent API (now)", "a consent record changed status",
	  f_consent_change },
	{ "api.access", "sluiced consent API (now)", "an API call that changed nothing: a read, or a refused change",
	  f_api_access },
	{ "export.batch", "sluiced, consent path (now)", "a batch was exported to a data recipient",
	  f_export_batch },
	{ "aggregate.release", "sluiced, consent path (now)", "an aggregate release was published or refused",
	  f_aggregate_release },
	{ NULL, NULL, NULL, NULL },
};

const char *const sl_audit_actor_types[] = { "config", "vty", "warrant-signer", "api", "system", NULL };

const struct sl_audit_kind_desc *sl_audit_kind_find(const char *kind)
{
	const struct sl_audit_kind_desc *k;

	for (k = sl_audit_kinds; k->kind; k++)
		if (!strcmp(k->kind, kind))
			return k;
	return NULL;
}

const char *sl_audit_ftype_name(enum sl_audit_ftype t)
{
	switch (t) {
	case SL_AUDIT_FT_STR: return "string";
	case SL_AUDIT_FT_TEXT: return "text";
	case SL_AUDIT_FT_INT: return "integer";
	case SL_AUDIT_FT_TIME: return "time";
	case SL_AUDIT_FT_DIGEST: return "digest";
	case SL_AUDIT_FT_PSEUDONYM: return "pseudonym";
	case SL_AUDIT_FT_STR_LIST: return "string list";
	case SL_AUDIT_FT_BOOL: return "boolean";
	case SL_AUDIT_FT_PSEUDONYM_LIST: return "pseudonym list";
	}
	return "unknown";
}

static bool prefixed_hex(const char *s, const char *prefix)
{
	size_t pn = strlen(prefix), i;

	if (strlen(s) != pn + 64 || strncmp(s, prefix, pn) != 0)
		return false;
	for (i = pn; i < pn + 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Names and codes: no control characters at all; text may hold tabs and newlines. */
static bool str_ok(const json_t *v, size_t min, size_t max, bool text)
{
	const char *s;
	size_t n, i;

	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n < min || n > max || strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && !(text && (s[i] == '\t' || s[i] == '\n'))) || s[i] == 0x7f)
			return false;
	return true;
}

static bool value_ok(enum sl_audit_ftype t, const json_t *v)
{
	size_t i;

	switch (t) {
	case SL_AUDIT_FT_STR:
		return str_ok(v, 1, 256, false);
	case SL_AUDIT_FT_TEXT:
		return str_ok(v, 0, 1024, true);
	case SL_AUDIT_FT_INT:
		return json_is_integer(v);
	case SL_AUDIT_FT_TIME:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case SL_AUDIT_FT_DIGEST:
		return json_is_string(v) && prefixed_hex(json_string_value(v), "sha256:");
	case SL_AUDIT_FT_PSEUDONYM:
		return json_is_string(v) && prefixed_hex(json_string_value(v), "hmac-sha256:");
	case SL_AUDIT_FT_STR_LIST:
		if (!json_is_array(v) || json_array_size(v) > 64)
			return false;
		for (i = 0; i < json_array_size(v); i++)
			if (!str_ok(json_array_get(v, i), 1, 256, false))
				return false;
		return true;
	case SL_AUDIT_FT_BOOL:
		return json_is_boolean(v);
	case SL_AUDIT_FT_PSEUDONYM_LIST:
		if (!json_is_array(v) || json_array_size(v) > 1024)
			return false;
		for (i = 0; i < json_array_size(v); i++)
			if (!json_is_string(json_array_get(v, i)) ||
			    !prefixed_hex(json_string_value(json_array_get(v, i)), "hmac-sha256:"))
				return false;
		return true;
	}
	return false;
}

bool sl_audit_fields_check(const char *kind, const json_t *fields, const char **why)
{
	const struct sl_audit_kind_desc *k = sl_audit_kind_find(kind);
	const struct sl_audit_field_desc *f;
	const char *key;
	json_t *v;

	if (!k) {
		*why = "unknown record kind";
		return false;
	}
	if (!json_is_object(fields)) {
		*why = "fields is not an object";
		return false;
	}
	json_object_foreach((json_t *)fields, key, v) {
		for (f = k->fields; f->name; f++)
			if (!strcmp(f->name, key))
				break;
		if (!f->name) {
			*why = "field not in the catalogue for this kind";
			return false;
		}
		if (!value_ok(f->type, v)) {
			*why = "field value of the wrong type or out of range";
			return false;
		}
	}
	for (f = k->fields; f->name; f++)
		if (f->required && !json_object_get(fields, f->name)) {
			*why = "required field missing";
			return false;
		}
	return true;
}

static bool actor_ok(const struct sl_audit_actor *a)
{
	const char *const *t;
	size_t n, i;

	if (!a || !a->type || !a->id)
		return false;
	n = strlen(a->id);
	if (n == 0 || n > 256)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)a->id[i] < 0x20 || a->id[i] == 0x7f)
			return false;
	for (t = sl_audit_actor_types; *t; t++)
		if (!strcmp(*t, a->type))
			return true;
	return false;
}

uint8_t *sl_audit_record_encode(void *ctx, uint64_t seq, int64_t time_us, const char *kind,
				const struct sl_audit_actor *actor, const json_t *fields, size_t *len,
				const char **why)
{
	struct sl_audit_buf buf = { .ctx = ctx };
	json_t *empty = NULL;
	uint8_t *out;
	size_t off;

	if (seq > (uint64_t)INT64_MAX || time_us < 0) {
		*why = "seq or time out of range";
		return NULL;
	}
	if (!actor_ok(actor)) {
		*why = "actor type not one of config, vty, warrant-signer, api, system, or id empty or too long";
		return NULL;
	}
	if (!fields)
		fields = empty = json_object();
	if (!sl_audit_fields_check(kind, fields, why)) {
		json_decref(empty);
		return NULL;
	}
	/* Keys in canonical (sorted) order: actor{id,type}, fields, kind, seq, time. */
	sl_audit_buf_puts(&buf, "{\"actor\":{\"id\":");
	sl_audit_buf_str(&buf, actor->id, strlen(actor->id));
	sl_audit_buf_puts(&buf, ",\"type\":");
	sl_audit_buf_str(&buf, actor->type, strlen(actor->type));
	sl_audit_buf_puts(&buf, "},\"fields\":");
	sl_audit_buf_json(&buf, fields, 2);
	sl_audit_buf_puts(&buf, ",\"kind\":");
	sl_audit_buf_str(&buf, kind, strlen(kind));
	sl_audit_buf_puts(&buf, ",\"seq\":");
	sl_audit_buf_int(&buf, (int64_t)seq);
	sl_audit_buf_puts(&buf, ",\"time\":");
	sl_audit_buf_int(&buf, time_us);
	sl_audit_buf_put(&buf, "}", 2); /* and a NUL for printing, not counted */
	json_decref(empty);
	if (buf.failed) {
		*why = "record has no canonical form (bad UTF-8, NUL, a real number?)";
		talloc_free(buf.p);
		return NULL;
	}
	buf.len--;
	/* Hold the encoder to the documented form: refuse rather than log a second spelling. */
	if (sl_audit_canon_check(buf.p, buf.len, &off, NULL, NULL) != SL_CANON_OK) {
		*why = "record has no canonical form";
		talloc_free(buf.p);
		return NULL;
	}
	*len = buf.len;
	out = buf.p;
	return out;
}

json_t *sl_audit_record_parse(const uint8_t *p, size_t len)
{
	json_error_t e;

	return json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &e);
}
