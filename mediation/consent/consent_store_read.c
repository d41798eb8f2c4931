/*
 * Reading the consent database: one record, a record by subject,
 * recipient and purpose, every record (export, show), and the incremental
 * scan the in-memory index refreshes from (see consent_store.h).
 *
 * Rows are turned back into records through the name tables of
 * consent_record.c; a value no table knows (a database edited by hand, or
 * written by a newer build) is an error naming the record, never guessed.
 * The scan runs in one read transaction so that the generation it reports
 * and the rows it returns belong to the same state of the database.
 */
#include "mediation/consent/consent_store_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <talloc.h>

static int col_code(sqlite3_stmt *q, int col, const char *const *table, unsigned n)
{
	const char *t = (const char *)sqlite3_column_text(q, col);

	return sl_consent_name_find(table, n, t);
}

static void col_copy(sqlite3_stmt *q, int col, char *dst, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(q, col);

	snprintf(dst, size, "%s", t ? t : "");
}

int sl_cs_row_record(struct sl_consent_store *s, sqlite3_stmt *q, struct sl_consent_record *r, char **err)
{
	int st, sty, p, lb, m;

	memset(r, 0, sizeof(*r));
	col_copy(q, 0, r->id, sizeof(r->id));
	sty = col_code(q, 1, sl_consent_subject_type_names, _SL_CONSENT_SUBJ_COUNT);
	col_copy(q, 2, r->subject.value, sizeof(r->subject.value));
	col_copy(q, 3, r->controller, sizeof(r->controller));
	col_copy(q, 4, r->recipient, sizeof(r->recipient));
	p = col_code(q, 5, sl_consent_purpose_names, _SL_CONSENT_P_COUNT);
	r->categories = (uint32_t)sqlite3_column_int64(q, 6);
	lb = col_code(q, 7, sl_consent_legal_basis_names, _SL_CONSENT_LB_COUNT);
	st = col_code(q, 8, sl_consent_status_names, _SL_CONSENT_STATUS_COUNT);
	r->valid_from_us = sqlite3_column_int64(q, 9);
	r->valid_until_us = sqlite3_column_int64(q, 10);
	m = col_code(q, 11, sl_consent_method_names, _SL_CONSENT_M_COUNT);
	col_copy(q, 12, r->notice_version, sizeof(r->notice_version));
	col_copy(q, 13, r->notice_language, sizeof(r->notice_language));
	if (sty < 0 || p < 0 || lb < 0 || st < 0 || m < 0) {
		if (err)
			*err = talloc_asprintf(s, "%s: record %s holds a code this build does not know", s->path, r->id);
		return -EIO;
	}
	r->subject.type = (enum sl_consent_subject_type)sty;
	r->purpose = (enum sl_consent_purpose)p;
	r->legal_basis = (enum sl_consent_legal_basis)lb;
	r->status = (enum sl_consent_status)st;
	r->method = (enum sl_consent_method)m;
	return 0;
}

int sl_cs_load_history(struct sl_consent_store *s, void *ctx, struct sl_consent_record *r, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT status, time FROM consent_history WHERE consent_id = ?1 ORDER BY seq",
				     err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int st = col_code(q, 0, sl_consent_status_names, _SL_CONSENT_STATUS_COUNT);
		enum sl_consent_status keep = r->status;
		if (st < 0 || sl_consent_record_push(ctx, r, (enum sl_consent_status)st, sqlite3_column_int64(q, 1)) < 0) {
			sqlite3_reset(q);
			if (err)
				*err = talloc_asprintf(s, "%s: record %s: bad or too long history", s->path, r->id);
			return -EIO;
		}
		r->status = keep;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "history", err);
}

int sl_consent_store_get(struct sl_consent_store *s, void *ctx, const char *id, struct sl_consent_record *r,
			 char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT " CS_RECORD_COLS " FROM consent WHERE id = ?1", err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(q);
		if (err)
			*err = talloc_asprintf(s, "%s: no consent record with id %s", s->path, id);
		return -ENOENT;
	}
	if (rc != SQLITE_ROW) {
		rc = sl_cs_dberr(s, "read", err);
		sqlite3_reset(q);
		return rc;
	}
	rc = sl_cs_row_record(s, q, r, err);
	sqlite3_reset(q);
	return rc ? rc : sl_cs_load_history(s, ctx, r, err);
}

int sl_consent_store_find(struct sl_consent_store *s, const struct sl_consent_subject *subj, const char *recipient,
			  enum sl_consent_purpose purpose, char *id, char **err)
{
	sqlite3_stmt *q = sl_cs_stmt(s, "SELECT id FROM consent WHERE subject_type = ?1 AND subject = ?2 AND "
				     "recipient = ?3 AND purpose = ?4", err);
	int rc;

	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, sl_consent_subject_type_names[subj->type], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, subj->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, sl_consent_purpose_names[purpose], -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		col_copy(q, 0, id, SL_CONSENT_ID_MAX + 1);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE) {
		if (err)
			*err = talloc_asprintf(s, "%s: no consent record for that subject, %s and %s", s->path, recipient,
					       sl_consent_purpose_names[purpose]);
		return -ENOENT;
	}
	return rc == SQLITE_ROW ? 0 : sl_cs_dberr(s, "find", err);
}

int sl_consent_store_foreach(struct sl_consent_store *s, const struct sl_consent_subject *subject,
			     int (*cb)(void *data, const struct sl_consent_record *r), void *data, char **err)
{
	/* ids first, then each record: the callback may use the store (e.g. get) between rows */
	sqlite3_stmt *q = subject ? sl_cs_stmt(s, "SELECT id FROM consent WHERE subject_type = ?1 AND subject = ?2 "
					       "ORDER BY id", err)
				  : sl_cs_stmt(s, "SELECT id FROM consent ORDER BY id", err);
	void *tmp = talloc_named_const(s, 0, "foreach");
	char **ids = NULL;
	size_t n = 0, i;
	int rc;

	if (!q) {
		talloc_free(tmp);
		return -EIO;
	}
	if (subject) {
		sqlite3_bind_text(q, 1, sl_consent_subject_type_names[subject->type], -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, subject->value, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!(ids = talloc_realloc(tmp, ids, char *, n + 1)) ||
		    !(ids[n] = talloc_strdup(ids, (const char *)sqlite3_column_text(q, 0)))) {
			rc = SQLITE_NOMEM;
			break;
		}
		n++;
	}
	sqlite3_reset(q);
	rc = rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "list", err);
	for (i = 0; !rc && i < n; i++) {
		struct sl_consent_record r;
		void *rctx = talloc_named_const(tmp, 0, "record");
		rc = sl_consent_store_get(s, rctx, ids[i], &r, err);
		if (!rc)
			rc = cb(data, &r);
		talloc_free(rctx);
	}
	talloc_free(tmp);
	return rc;
}

int sl_consent_store_scan(struct sl_consent_store *s, uint64_t since,
			  int (*cb)(void *data, const struct sl_consent_row *row), void *data, uint64_t *gen, char **err)
{
	sqlite3_stmt *q;
	int rc;

	if (s->in_txn) {
		/* this connection's own uncommitted changes could still roll back: never index them */
		if (err)
			*err = talloc_asprintf(s, "%s: scan during an open write transaction", s->path);
		return -EBUSY;
	}
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sl_cs_dberr(s, "scan", err);
	q = sl_cs_stmt(s, "SELECT value FROM meta WHERE key = 'generation'", err);
	if (!q || sqlite3_step(q) != SQLITE_ROW) {
		rc = q ? sl_cs_dberr(s, "generation", err) : -EIO;
		goto out;
	}
	*gen = (uint64_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	q = sl_cs_stmt(s, "SELECT subject_type, subject, recipient, purpose, categories, status, valid_from, "
		       "valid_until FROM consent WHERE gen > ?1", err);
	if (!q) {
		rc = -EIO;
		goto out;
	}
	sqlite3_bind_int64(q, 1, (sqlite3_int64)since);
	rc = 0;
	while (!rc && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sl_consent_subject subj;
		struct sl_consent_row row = { .subject = &subj };
		int sty = col_code(q, 0, sl_consent_subject_type_names, _SL_CONSENT_SUBJ_COUNT);
		int p = col_code(q, 3, sl_consent_purpose_names, _SL_CONSENT_P_COUNT);
		int st = col_code(q, 5, sl_consent_status_names, _SL_CONSENT_STATUS_COUNT);
		if (sty < 0 || p < 0 || st < 0 ||
		    sl_consent_subject_set(&subj, (enum sl_consent_subject_type)sty,
					   (const char *)sqlite3_column_text(q, 1)) < 0) {
			if (err)
				*err = talloc_asprintf(s, "%s: a record holds a value this build does not know", s->path);
			rc = -EIO;
			break;
		}
		row.recipient = (const char *)sqlite3_column_text(q, 2);
		row.purpose = (enum sl_consent_purpose)p;
		row.categories = (uint32_t)sqlite3_column_int64(q, 4);
		row.status = (enum sl_consent_status)st;
		row.valid_from_us = sqlite3_column_int64(q, 6);
		row.valid_until_us = sqlite3_column_int64(q, 7);
		rc = cb(data, &row);
	}
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = sl_cs_dberr(s, "scan", err);
out:
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

int sl_consent_notice_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			const char *ea, *eb;
			size_t la, lb;
			int c;
			while (*a == '0' && a[1] >= '0' && a[1] <= '9')
				a++;
			while (*b == '0' && b[1] >= '0' && b[1] <= '9')
				b++;
			for (ea = a; *ea >= '0' && *ea <= '9'; ea++)
				;
			for (eb = b; *eb >= '0' && *eb <= '9'; eb++)
				;
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}
