/*
 * The value ledger (one row per export, subject, recipient and consent
 * record) and the subject's report built from it and the registry's
 * records (docs/consent.md, "Value ledger", "The subject's report").
 *
 * The table is created on first use inside the transaction that needs it,
 * so a database that never saw an export keeps the registry schema
 * untouched. Statements are prepared per call (these are not hot paths)
 * and never enter the store's statement cache.
 */
#include <errno.h>
#include <string.h>

#include <sqlite3.h>
#include <talloc.h>

#include "mediation/consent/consent_ledger.h"
#include "mediation/consent/consent_parse.h"
#include "mediation/consent/consent_store_int.h"

/* docs/consent.md, "Value ledger": keep byte for byte in step. */
static const char ledger_sql[] =
	"CREATE TABLE IF NOT EXISTS ledger(\n"
	" seq INTEGER PRIMARY KEY,\n"
	" subject_type TEXT NOT NULL CHECK(subject_type IN ('msisdn','imsi')),\n"
	" subject TEXT NOT NULL,\n"
	" recipient TEXT NOT NULL,\n"
	" consent_id TEXT NOT NULL,\n"
	" records INTEGER NOT NULL CHECK(records >= 0),\n"
	" amount_micro INTEGER NOT NULL CHECK(amount_micro >= 0),\n"
	" time INTEGER NOT NULL);\n"
	"CREATE INDEX IF NOT EXISTS ledger_subject ON ledger(subject_type, subject, time);\n";

/* Once per connection (and after a rollback): parsing the DDL was most of a credit's cost. */
static int ensure_table(struct sl_consent_store *s, char **err)
{
	if (s->ledger_ready)
		return 0;
	if (sqlite3_exec(s->db, ledger_sql, NULL, NULL, NULL) != SQLITE_OK)
		return sl_cs_dberr(s, "ledger table", err);
	s->ledger_ready = true;
	return 0;
}

static int credit_in_txn(struct sl_consent_store *s, const struct sl_consent_subject *subject, const char *recipient,
			 const char *consent_id, uint64_t records, int64_t amount_micro, int64_t time_us)
{
	const char *type = sl_consent_subject_type_names[subject->type];
	sqlite3_stmt *q;
	int rc;

	/* statements from the store's cache: an export credits every subject of every batch */
	if (ensure_table(s, NULL) < 0)
		return -EIO;
	q = sl_cs_stmt(s, "SELECT 1 FROM consent WHERE id = ?1 AND subject_type = ?2 AND subject = ?3 AND recipient = ?4",
		       NULL);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, consent_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, subject->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return -EIO;
	q = sl_cs_stmt(s, "INSERT INTO ledger(subject_type, subject, recipient, consent_id, records, amount_micro, time) "
		       "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", NULL);
	if (!q)
		return -EIO;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, subject->value, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, consent_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)records);
	sqlite3_bind_int64(q, 6, amount_micro);
	sqlite3_bind_int64(q, 7, time_us);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int sl_consent_ledger_credit(struct sl_consent_store *s, const struct sl_consent_subject *subject,
			     const char *recipient, const char *consent_id, uint64_t records, int64_t amount_micro,
			     int64_t time_us)
{
	struct sl_consent_subject check;
	int rc;

	if (!s || !subject || (unsigned)subject->type >= _SL_CONSENT_SUBJ_COUNT ||
	    sl_consent_subject_set(&check, subject->type, subject->value) < 0 ||
	    !sl_consent_token_valid(recipient, SL_CONSENT_NAME_MAX) ||
	    !sl_consent_token_valid(consent_id, SL_CONSENT_ID_MAX) || records > INT64_MAX || amount_micro < 0)
		return -EINVAL;
	rc = sl_cs_op_begin(s, NULL);
	if (rc)
		return rc;
	rc = credit_in_txn(s, subject, recipient, consent_id, records, amount_micro, time_us);
	return sl_cs_op_end(s, rc, NULL);
}

/* ---- the report ------------------------------------------------------------ */

static int add_record(void *data, const struct sl_consent_record *r)
{
	json_t *j = sl_consent_to_json(r);

	return j && json_array_append_new(data, j) == 0 ? 0 : -ENOMEM;
}

static json_t *categories_json(int64_t bits)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a && i < _SL_CONSENT_CAT_COUNT; i++)
		if (bits & SL_CONSENT_CAT_BIT(i))
			json_array_append_new(a, json_string(sl_consent_category_names[i]));
	return a;
}

static const char *col_text(sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);

	return t ? (const char *)t : "";
}

/* Adds a credit to the per-recipient totals (recipients in order of first credit). */
static int add_total(json_t *by, const char *recipient, int64_t records, int64_t amount)
{
	size_t i;
	json_t *e;

	json_array_foreach(by, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "recipient")), recipient))
			continue;
		json_object_set_new(e, "records", json_integer(json_integer_value(json_object_get(e, "records")) + records));
		json_object_set_new(e, "amount_micro",
				    json_integer(json_integer_value(json_object_get(e, "amount_micro")) + amount));
		return 0;
	}
	return json_array_append_new(by, json_pack("{s:s,s:I,s:I}", "recipient", recipient, "records",
						   (json_int_t)records, "amount_micro", (json_int_t)amount));
}

static int read_ledger(struct sl_consent_store *s, const struct sl_consent_subject *subject, json_t *shared,
		       json_t *by, int64_t *records, int64_t *amount, char **err)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT l.time, l.recipient, l.consent_id, c.purpose, c.categories, l.records, "
			       "l.amount_micro FROM ledger l LEFT JOIN consent c ON c.id = l.consent_id "
			       "WHERE l.subject_type = ?1 AND l.subject = ?2 ORDER BY l.time, l.seq",
			       -1, &q, NULL) != SQLITE_OK)
		return sl_cs_dberr(s, "report", err);
	sqlite3_bind_text(q, 1, sl_consent_subject_type_names[subject->type], -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, subject->value, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t n = sqlite3_column_int64(q, 5), a = sqlite3_column_int64(q, 6);
		json_t *e = json_pack("{s:I,s:s,s:s,s:s,s:o,s:I,s:I}", "time", (json_int_t)sqlite3_column_int64(q, 0),
				      "recipient", col_text(q, 1), "consent_id", col_text(q, 2), "purpose",
				      col_text(q, 3), "categories", categories_json(sqlite3_column_int64(q, 4)),
				      "records", (json_int_t)n, "amount_micro", (json_int_t)a);

		if (!e || json_array_append_new(shared, e) < 0 || add_total(by, col_text(q, 1), n, a) < 0) {
			sqlite3_finalize(q);
			return -ENOMEM;
		}
		*records += n;
		*amount += a;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : sl_cs_dberr(s, "report", err);
}

int sl_consent_report_build(struct sl_consent_store *s, const struct sl_consent_subject *subject, json_t **out,
			    char **err)
{
	json_t *consents = json_array(), *shared = json_array(), *by = json_array();
	int64_t records = 0, amount = 0;
	int rc;

	*out = NULL;
	if (!consents || !shared || !by) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = ensure_table(s, err)) < 0)
		goto fail;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = sl_cs_dberr(s, "report", err);
		goto fail;
	}
	rc = sl_consent_store_foreach(s, subject, add_record, consents, err);
	if (!rc)
		rc = read_ledger(s, subject, shared, by, &records, &amount, err);
	sqlite3_exec(s->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	if (rc)
		goto fail;
	*out = json_pack("{s:{s:s,s:s},s:o,s:o,s:{s:I,s:I,s:o}}", "subject", "type",
			 sl_consent_subject_type_names[subject->type], "value", subject->value, "consents", consents,
			 "shared", shared, "totals", "records", (json_int_t)records, "amount_micro",
			 (json_int_t)amount, "by_recipient", by);
	return *out ? 0 : -ENOMEM;
fail:
	json_decref(consents);
	json_decref(shared);
	json_decref(by);
	return rc;
}
