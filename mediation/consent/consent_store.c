/*
 * The consent database connection: opening, the versioned schema, WAL
 * mode, cached statements and write transactions (see consent_store.h).
 *
 * The schema version is SQLite's user_version: 0 means an empty file,
 * which gets the schema below in one transaction; a version this build
 * does not know is refused rather than guessed at, and an older one is
 * migrated forward in one transaction (1 to 2 adds js_pending). WAL lets the daemon's
 * index read while `sluice consent` writes; busy_timeout makes a writer
 * wait for another writer instead of failing at once. Foreign keys are
 * on so that a history row can never outlive its record.
 */
#include "mediation/consent/consent_store_int.h"

#include <errno.h>
#include <string.h>

#include <talloc.h>

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta VALUES('generation', 0);"
	"CREATE TABLE consent("
	" id TEXT PRIMARY KEY,"
	" subject_type TEXT NOT NULL CHECK(subject_type IN ('msisdn','imsi')),"
	" subject TEXT NOT NULL,"
	" controller TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" purpose TEXT NOT NULL,"
	" categories INTEGER NOT NULL,"
	" legal_basis TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" valid_from INTEGER NOT NULL,"
	" valid_until INTEGER NOT NULL,"
	" collection_method TEXT NOT NULL,"
	" notice_version TEXT NOT NULL,"
	" notice_language TEXT NOT NULL,"
	" gen INTEGER NOT NULL,"
	" UNIQUE(subject_type, subject, recipient, purpose));"
	"CREATE INDEX consent_gen ON consent(gen);"
	"CREATE INDEX consent_purpose_status ON consent(purpose, status);"
	"CREATE TABLE consent_history("
	" consent_id TEXT NOT NULL REFERENCES consent(id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" status TEXT NOT NULL,"
	" time INTEGER NOT NULL,"
	" PRIMARY KEY(consent_id, seq)) WITHOUT ROWID;"
	"CREATE TABLE notice(purpose TEXT PRIMARY KEY, version TEXT NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;"
	"PRAGMA user_version = 1;";

/*
 * Version 2: the JetStream export's batches awaiting acknowledgement
 * (consent_js_pending.h; docs/exports.md, "Accounting"). Keep byte for byte
 * in step with docs/consent.md, "Database".
 */
static const char schema_v2_sql[] =
	"CREATE TABLE js_pending(\n"
	" recipient TEXT NOT NULL,\n"
	" seg INTEGER NOT NULL,\n"
	" off INTEGER NOT NULL,\n"
	" len INTEGER NOT NULL,\n"
	" records INTEGER NOT NULL,\n"
	" batch_id TEXT NOT NULL,\n"
	" segment TEXT NOT NULL,\n"
	" digest TEXT NOT NULL,\n"
	" subjects TEXT NOT NULL,\n"
	" time INTEGER NOT NULL,\n"
	" audit_seq INTEGER,\n"
	" PRIMARY KEY(recipient, seg, off)) WITHOUT ROWID;\n"
	"PRAGMA user_version = 2;\n";

int sl_cs_dberr(struct sl_consent_store *s, const char *what, char **err)
{
	if (err)
		*err = talloc_asprintf(s, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return -EIO;
}

static int store_destructor(struct sl_consent_store *s)
{
	unsigned i;

	for (i = 0; i < s->n_stmts; i++)
		sqlite3_finalize(s->stmts[i].st);
	if (s->in_txn)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(s->db);
	return 0;
}

sqlite3_stmt *sl_cs_stmt(struct sl_consent_store *s, const char *sql, char **err)
{
	unsigned i;
	sqlite3_stmt *st;

	for (i = 0; i < s->n_stmts; i++)
		if (s->stmts[i].sql == sql) {
			sqlite3_reset(s->stmts[i].st);
			sqlite3_clear_bindings(s->stmts[i].st);
			return s->stmts[i].st;
		}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		sl_cs_dberr(s, "prepare", err);
		return NULL;
	}
	if (s->n_stmts < STORE_MAX_STMTS) {
		s->stmts[s->n_stmts].sql = sql;
		s->stmts[s->n_stmts].st = st;
		s->n_stmts++;
	} else {
		/* cannot happen with this file's fixed set of statements; keep it tidy anyway */
		sqlite3_finalize(st);
		if (err)
			*err = talloc_asprintf(s, "%s: statement cache full", s->path);
		return NULL;
	}
	return st;
}

static int exec(struct sl_consent_store *s, const char *sql, const char *what, char **err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sl_cs_dberr(s, what, err);
	return 0;
}

static int user_version(struct sl_consent_store *s, int *v, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return sl_cs_dberr(s, "schema version", err);
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : sl_cs_dberr(s, "schema version", err);
}

/* Version 1 to 2 in one transaction (another process may have done it meanwhile). */
static int migrate_1_2(struct sl_consent_store *s, int *v, char **err)
{
	int rc = exec(s, "BEGIN IMMEDIATE", "migrate schema 1 to 2", err);

	if (!rc)
		rc = user_version(s, v, err);
	if (!rc && *v == 1)
		rc = exec(s, schema_v2_sql, "migrate schema 1 to 2", err);
	if (!rc)
		rc = exec(s, "COMMIT", "migrate schema 1 to 2", err);
	else
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (!rc)
		rc = user_version(s, v, err);
	return rc;
}

int sl_consent_store_open(void *ctx, const char *path, struct sl_consent_store **out, char **err)
{
	struct sl_consent_store *s = talloc_zero(ctx, struct sl_consent_store);
	int v, rc;

	*out = NULL;
	if (!s || !(s->path = talloc_strdup(s, path))) {
		talloc_free(s);
		return -ENOMEM;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		if (err)
			*err = talloc_asprintf(ctx, "%s: cannot open: %s", path,
					       s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		talloc_free(s);
		return -EIO;
	}
	talloc_set_destructor(s, store_destructor);
	sqlite3_busy_timeout(s->db, 5000);
	rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "set WAL mode", err);
	if (!rc)
		rc = user_version(s, &v, err);
	if (!rc && v == 0) {
		rc = exec(s, "BEGIN IMMEDIATE", "create schema", err);
		if (!rc)
			rc = user_version(s, &v, err); /* another process may have created it meanwhile */
		if (!rc && v == 0)
			rc = exec(s, schema_sql, "create schema", err);
		if (!rc && v == 0)
			rc = exec(s, schema_v2_sql, "create schema", err);
		if (!rc)
			rc = exec(s, "COMMIT", "create schema", err);
		else
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		if (!rc)
			rc = user_version(s, &v, err);
	}
	if (!rc && v == 1)
		rc = migrate_1_2(s, &v, err);
	if (!rc && v != SL_CONSENT_SCHEMA_VERSION) {
		if (err)
			*err = talloc_asprintf(s, "%s: schema version %d, this build knows %d", path, v,
					       SL_CONSENT_SCHEMA_VERSION);
		rc = -EPROTONOSUPPORT;
	}
	if (rc) {
		if (err && *err)
			talloc_steal(ctx, *err);
		talloc_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void sl_consent_store_set_hooks(struct sl_consent_store *s, const struct sl_consent_hooks *h)
{
	if (h)
		s->hooks = *h;
	else
		memset(&s->hooks, 0, sizeof(s->hooks));
}

const char *sl_consent_store_path(const struct sl_consent_store *s)
{
	return s->path;
}

int sl_consent_store_begin(struct sl_consent_store *s, char **err)
{
	sqlite3_stmt *st;
	int rc;

	if (s->in_txn) {
		if (err)
			*err = talloc_asprintf(s, "%s: a transaction is already open", s->path);
		return -EBUSY;
	}
	rc = exec(s, "BEGIN IMMEDIATE", "begin", err);
	if (rc)
		return rc;
	s->in_txn = true;
	st = sl_cs_stmt(s, "UPDATE meta SET value = value + 1 WHERE key = 'generation'", err);
	if (!st) {
		sl_consent_store_rollback(s);
		return -EIO;
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sl_cs_dberr(s, "generation", err);
		sl_consent_store_rollback(s);
		return rc;
	}
	st = sl_cs_stmt(s, "SELECT value FROM meta WHERE key = 'generation'", err);
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		rc = st ? sl_cs_dberr(s, "generation", err) : -EIO;
		sl_consent_store_rollback(s);
		return rc;
	}
	s->txn_gen = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int sl_consent_store_commit(struct sl_consent_store *s, char **err)
{
	int rc;

	if (!s->in_txn)
		return 0;
	if (s->hooks.before_commit && (rc = s->hooks.before_commit(s->hooks.data)) < 0) {
		if (err)
			*err = talloc_asprintf(s, "%s: the change could not be recorded first; nothing was changed",
					       s->path);
		sl_consent_store_rollback(s);
		return rc;
	}
	rc = exec(s, "COMMIT", "commit", err);
	if (rc) {
		sl_consent_store_rollback(s);
		return rc;
	}
	s->in_txn = false;
	s->local_commits++;
	return 0;
}

void sl_consent_store_set_busy_ms(struct sl_consent_store *s, unsigned ms)
{
	sqlite3_busy_timeout(s->db, (int)(ms > INT32_MAX ? INT32_MAX : ms));
}

void sl_consent_store_rollback(struct sl_consent_store *s)
{
	unsigned i;

	if (!s->in_txn)
		return;
	for (i = 0; i < s->n_stmts; i++)
		sqlite3_reset(s->stmts[i].st);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_txn = false;
	s->ledger_ready = false;
	if (s->hooks.rolled_back)
		s->hooks.rolled_back(s->hooks.data);
}

int sl_cs_op_begin(struct sl_consent_store *s, char **err)
{
	int rc;

	if (s->in_txn) {
		s->own_txn = false;
		return 0;
	}
	rc = sl_consent_store_begin(s, err);
	s->own_txn = rc == 0;
	return rc;
}

int sl_cs_op_end(struct sl_consent_store *s, int rc, char **err)
{
	bool own = s->own_txn;

	s->own_txn = false;
	if (!own)
		return rc;
	if (rc < 0) {
		sl_consent_store_rollback(s);
		return rc;
	}
	return sl_consent_store_commit(s, err);
}

int sl_consent_store_version(struct sl_consent_store *s, uint64_t *dv)
{
	sqlite3_stmt *st = sl_cs_stmt(s, "PRAGMA data_version", NULL);

	if (!st || sqlite3_step(st) != SQLITE_ROW)
		return -EIO;
	/* data_version ignores this connection's own commits: add them in */
	*dv = ((uint64_t)sqlite3_column_int64(st, 0) << 32) ^ s->local_commits;
	sqlite3_reset(st);
	return 0;
}
