/*
 * Changes to the consent database: grant, withdraw, put (import), expiry
 * and the invalidation a new notice version causes (see consent_store.h).
 *
 * Each public function is one operation: it opens a write transaction
 * unless the caller's batch is open, checks everything it needs before it
 * writes, and ends with commit or rollback (sl_cs_op_end), so an error at
 * any step leaves the database as it was. Every status change goes
 * through set_status(), which updates the row, appends a history row and
 * tells the change hook; a hook refusal fails the operation.
 */
#include "mediation/consent/consent_store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#define GIVEN_NAME "dpv:ConsentGiven"

static int bad(struct sl_consent_store *s, char **err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct sl_consent_store *s, char **err, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		*err = talloc_vasprintf(s, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int step_done(struct sl_consent_store *s, sqlite3_stmt *st, const char *what, char **err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, what, err);
}

static int emit(struct sl_consent_store *s, const struct sl_consent_record *r, enum sl_consent_status st,
		int64_t now_us, char **err)
{
	struct sl_consent_change c = {
		.id = r->id, .subject = &r->subject, .recipient = r->recipient, .purpose = r->purpose,
		.categories = r->categories, .notice_version = r->notice_version, .status = st, .time_us = now_us,
	};
	int rc;

	if (!s->hooks.change)
		return 0;
	rc = s->hooks.change(s->hooks.data, &c);
	if (rc < 0)
		return bad(s, err, rc, "%s: record %s: the change could not be recorded; nothing was changed", s->path,
			   r->id);
	return 0;
}

static int history_add(struct sl_consent_store *s, const char *id, enum sl_consent_status st, int64_t t,
		       char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s,
				     "INSERT INTO consent_history(consent_id, seq, status, time) SELECT ?1, "
				     "COALESCE(MAX(seq) + 1, 0), ?2, MAX(?3, COALESCE(MAX(time), ?3)) "
				     "FROM consent_history WHERE consent_id = ?1",
				     err);

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, sl_consent_status_names[st], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, t);
	return step_done(s, q, "history", err);
}

/* The one way a stored record changes status. r is the record as stored (before the change). */
static int set_status(struct sl_consent_store *s, const struct sl_consent_record *r, enum sl_consent_status st,
		      int64_t now_us, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "UPDATE consent SET status = ?1, gen = ?2 WHERE id = ?3", err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, sl_consent_status_names[st], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)s->txn_gen);
	sqlite3_bind_text(q, 3, r->id, -1, SQLITE_STATIC);
	rc = step_done(s, q, "status", err);
	if (!rc)
		rc = history_add(s, r->id, st, now_us, err);
	if (!rc)
		rc = emit(s, r, st, now_us, err);
	return rc;
}

/* Current notice version of purpose into cur (empty if none). */
static int notice_current(struct sl_consent_store *s, enum sl_consent_purpose p, char *cur, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT version FROM notice WHERE purpose = ?1", err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, sl_consent_purpose_names[p], -1, SQLITE_STATIC);
	cur[0] = '\0';
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		snprintf(cur, SL_CONSENT_NOTICE_MAX + 1, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "notice", err);
}

/*
 * Before writing r: refuses a given consent under a superseded notice;
 * *newer tells whether r's notice version becomes the purpose's current one.
 */
static int notice_check(struct sl_consent_store *s, const struct sl_consent_record *r, bool *newer, char **err)
{
	char cur[SL_CONSENT_NOTICE_MAX + 1];
	int rc = notice_current(s, r->purpose, cur, err), c;

	if (rc)
		return rc;
	c = cur[0] ? sl_consent_notice_cmp(r->notice_version, cur) : 1;
	*newer = c > 0;
	if (c < 0 && r->status == SL_CONSENT_GIVEN)
		return bad(s, err, -ESTALE,
			   "%s: record %s: notice_version '%s' for %s is superseded by '%s'; consent must be asked "
			   "again under the current notice",
			   s->path, r->id, r->notice_version, sl_consent_purpose_names[r->purpose], cur);
	return 0;
}

/* After writing r with a newer notice version: make it current, invalidate the older given consents. */
static int notice_advance(struct sl_consent_store *s, const struct sl_consent_record *r, int64_t now_us, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "INSERT INTO notice(purpose, version, since) VALUES(?1, ?2, ?3) "
				     "ON CONFLICT(purpose) DO UPDATE SET version = ?2, since = ?3", err);
	struct sl_consent_record *old = NULL;
	unsigned n = 0, i;
	void *tmp;
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, sl_consent_purpose_names[r->purpose], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->notice_version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now_us);
	rc = step_done(s, q, "notice", err);
	if (rc)
		return rc;
	q = sl_cs_stmt(s, "SELECT " CS_RECORD_COLS " FROM consent WHERE purpose = ?1 AND status = '" GIVEN_NAME
		       "' AND notice_version != ?2", err);
	if (!q)
		return -EIO;
	tmp = talloc_named_const(s, 0, "notice_advance");
	sqlite3_bind_text(q, 1, sl_consent_purpose_names[r->purpose], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, r->notice_version, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		old = talloc_realloc(tmp, old, struct sl_consent_record, n + 1);
		if (!old) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (sl_cs_row_record(s, q, &old[n], err) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		n++;
	}
	sqlite3_reset(q);
	rc = rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "invalidate", err);
	for (i = 0; !rc && i < n; i++)
		rc = set_status(s, &old[i], SL_CONSENT_INVALIDATED, now_us, err);
	talloc_free(tmp);
	return rc;
}

static int bind_record(sqlite3_stmt *q, const struct sl_consent_record *r, uint64_t gen)
{
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, sl_consent_subject_type_names[r->subject.type], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->subject.value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, r->controller, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, r->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, sl_consent_purpose_names[r->purpose], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, r->categories);
	sqlite3_bind_text(q, 8, sl_consent_legal_basis_names[r->legal_basis], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, sl_consent_status_names[r->status], -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 10, r->valid_from_us);
	sqlite3_bind_int64(q, 11, r->valid_until_us);
	sqlite3_bind_text(q, 12, sl_consent_method_names[r->method], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 13, r->notice_version, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 14, r->notice_language, -1, SQLITE_STATIC);
	return sqlite3_bind_int64(q, 15, (sqlite3_int64)gen);
}

static const char insert_sql[] = "INSERT INTO consent(" CS_RECORD_COLS ", gen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
				 "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

/* The id of the record for r's triple: 0, -ENOENT (no message kept: expected on every new record), -EIO. */
static int triple_id(struct sl_consent_store *s, const struct sl_consent_record *r, char *id, char **err)
{
	char *ferr = NULL;
	int rc = sl_consent_store_find(s, &r->subject, r->recipient, r->purpose, id, &ferr);

	if (rc == -ENOENT)
		talloc_free(ferr);
	else if (rc && err)
		*err = ferr;
	return rc;
}

/* Status of the record with id (-1 if none) and, if found, its subject/recipient/purpose into *cur. */
static int status_of(struct sl_consent_store *s, const char *id, struct sl_consent_record *cur, int *status,
		     char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT " CS_RECORD_COLS " FROM consent WHERE id = ?1", err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	*status = -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		rc = sl_cs_row_record(s, q, cur, err);
		*status = rc ? -1 : (int)cur->status;
		sqlite3_reset(q);
		return rc;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "read", err);
}

static int grant_op(struct sl_consent_store *s, struct sl_consent_record *r, int64_t now_us, char **err)
{
	struct sl_consent_record cur;
	char id[SL_CONSENT_ID_MAX + 1];
	bool newer;
	int rc, st;

	rc = triple_id(s, r, id, err);
	if (rc == -ENOENT) {
		rc = status_of(s, r->id, &cur, &st, err);
		if (!rc && st >= 0)
			return bad(s, err, -EEXIST, "%s: id %s is taken by another subject, recipient or purpose",
				   s->path, r->id);
		if (rc)
			return rc;
		rc = notice_check(s, r, &newer, err);
		if (rc)
			return rc;
		sqlite3_stmt *q = sl_cs_stmt(s, insert_sql, err);
		if (!q)
			return -EIO;
		bind_record(q, r, s->txn_gen);
		rc = step_done(s, q, "insert", err);
	} else if (!rc) {
		snprintf(r->id, sizeof(r->id), "%s", id);
		rc = notice_check(s, r, &newer, err);
		if (rc)
			return rc;
		sqlite3_stmt *q = sl_cs_stmt(s,
					     "UPDATE consent SET controller = ?4, categories = ?7, legal_basis = ?8, "
					     "status = ?9, valid_from = ?10, valid_until = ?11, collection_method = ?12, "
					     "notice_version = ?13, notice_language = ?14, gen = ?15 WHERE id = ?1 AND "
					     "subject_type = ?2 AND subject = ?3 AND recipient = ?5 AND purpose = ?6",
					     err);
		if (!q)
			return -EIO;
		bind_record(q, r, s->txn_gen);
		rc = step_done(s, q, "update", err);
	}
	if (!rc)
		rc = history_add(s, r->id, SL_CONSENT_GIVEN, now_us, err);
	if (!rc)
		rc = emit(s, r, SL_CONSENT_GIVEN, now_us, err);
	if (!rc && newer)
		rc = notice_advance(s, r, now_us, err);
	return rc;
}

int sl_consent_store_grant(struct sl_consent_store *s, struct sl_consent_record *r, int64_t now_us, char **err)
{
	struct sl_consent_change_ev ev = { SL_CONSENT_GIVEN, now_us };
	struct sl_consent_record chk = *r;
	const char *field, *why;
	int rc;

	chk.status = SL_CONSENT_GIVEN;
	chk.history = &ev;
	chk.n_history = 1;
	if (sl_consent_record_check(&chk, &field, &why) < 0)
		return bad(s, err, -EINVAL, "field '%s': %s", field, why);
	if (r->valid_until_us <= now_us)
		return bad(s, err, -EINVAL, "field 'valid_until': must be in the future");
	r->status = SL_CONSENT_GIVEN;
	rc = sl_cs_op_begin(s, err);
	if (rc)
		return rc;
	return sl_cs_op_end(s, grant_op(s, r, now_us, err), err);
}

static int withdraw_op(struct sl_consent_store *s, const char *id, int64_t now_us, char **err)
{
	struct sl_consent_record cur;
	int rc, st;

	rc = status_of(s, id, &cur, &st, err);
	if (rc)
		return rc;
	if (st < 0)
		return bad(s, err, -ENOENT, "%s: no consent record with id %s", s->path, id);
	if (st != SL_CONSENT_GIVEN)
		return bad(s, err, -EALREADY, "%s: record %s is %s, only a given consent can be withdrawn", s->path, id,
			   sl_consent_status_names[st]);
	return set_status(s, &cur, SL_CONSENT_WITHDRAWN, now_us, err);
}

int sl_consent_store_withdraw(struct sl_consent_store *s, const char *id, int64_t now_us, char **err)
{
	int rc = sl_cs_op_begin(s, err);

	if (rc)
		return rc;
	return sl_cs_op_end(s, withdraw_op(s, id, now_us, err), err);
}

static int put_op(struct sl_consent_store *s, const struct sl_consent_record *r, int64_t now_us, char **err)
{
	struct sl_consent_record cur;
	char id[SL_CONSENT_ID_MAX + 1];
	sqlite3_stmt *q;
	bool newer;
	unsigned i;
	int rc, st;

	rc = triple_id(s, r, id, err);
	if (!rc && strcmp(id, r->id))
		return bad(s, err, -EEXIST, "record %s: the subject already has record %s for %s and %s", r->id, id,
			   r->recipient, sl_consent_purpose_names[r->purpose]);
	if (rc && rc != -ENOENT)
		return rc;
	rc = status_of(s, r->id, &cur, &st, err);
	if (!rc)
		rc = notice_check(s, r, &newer, err);
	if (rc)
		return rc;
	q = sl_cs_stmt(s, "DELETE FROM consent_history WHERE consent_id = ?1", err);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	rc = step_done(s, q, "replace", err);
	q = rc ? NULL : sl_cs_stmt(s, "DELETE FROM consent WHERE id = ?1", err);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	rc = step_done(s, q, "replace", err);
	q = rc ? NULL : sl_cs_stmt(s, insert_sql, err);
	if (!q)
		return -EIO;
	bind_record(q, r, s->txn_gen);
	rc = step_done(s, q, "insert", err);
	for (i = 0; !rc && i < r->n_history; i++)
		rc = history_add(s, r->id, r->history[i].status, r->history[i].time_us, err);
	if (!rc && st != (int)r->status)
		rc = emit(s, r, r->status, r->history[r->n_history - 1].time_us, err);
	if (!rc && newer)
		rc = notice_advance(s, r, now_us, err);
	return rc;
}

int sl_consent_store_put(struct sl_consent_store *s, const struct sl_consent_record *r, int64_t now_us, char **err)
{
	const char *field, *why;
	int rc;

	if (sl_consent_record_check(r, &field, &why) < 0)
		return bad(s, err, -EINVAL, "field '%s': %s", field, why);
	rc = sl_cs_op_begin(s, err);
	if (rc)
		return rc;
	return sl_cs_op_end(s, put_op(s, r, now_us, err), err);
}

static int expire_op(struct sl_consent_store *s, int64_t now_us, unsigned *n, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT " CS_RECORD_COLS " FROM consent WHERE status = '" GIVEN_NAME
				     "' AND valid_until <= ?1", err);
	struct sl_consent_record *old = NULL;
	void *tmp = talloc_named_const(s, 0, "expire");
	unsigned i;
	int rc;

	*n = 0;
	if (!q) {
		talloc_free(tmp);
		return -EIO;
	}
	sqlite3_bind_int64(q, 1, now_us);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		old = talloc_realloc(tmp, old, struct sl_consent_record, *n + 1);
		if (!old || sl_cs_row_record(s, q, &old[*n], err) < 0) {
			rc = SQLITE_ERROR;
			break;
		}
		(*n)++;
	}
	sqlite3_reset(q);
	rc = rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "expire", err);
	for (i = 0; !rc && i < *n; i++)
		rc = set_status(s, &old[i], SL_CONSENT_EXPIRED, now_us, err);
	talloc_free(tmp);
	return rc;
}

int sl_consent_store_expire(struct sl_consent_store *s, int64_t now_us, unsigned *n, char **err)
{
	int rc = sl_cs_op_begin(s, err);

	if (rc)
		return rc;
	return sl_cs_op_end(s, expire_op(s, now_us, n, err), err);
}
