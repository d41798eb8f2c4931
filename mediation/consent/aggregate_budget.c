/*
 * The release ledger and the per-recipient privacy budget, durable in
 * SQLite (WAL, synchronous=FULL), as docs/aggregates.md ("Ledger and
 * budget") documents:
 *
 *   agg_release(id, recipient, period_start_us, period_end_us,
 *               config_sha256, epsilon_micro, window_start_us,
 *               published_us, document)
 *   agg_budget(recipient, window_start_us, window_us, spent_micro)
 *
 * A period is published only once it is over and settled (policy
 * settle_us after its end), since an identical later request gets the
 * same bytes and an overlapping one is refused: a release made while data
 * still arrives would lock in the partial counts.
 *
 * Publishing is one BEGIN IMMEDIATE transaction: (1) the differencing
 * rule: a release whose period overlaps an earlier release to the same
 * recipient is refused (-EEXIST) unless it is identical (same period and
 * configuration digest), in which case the stored document is returned
 * byte for byte, with no new noise and no debit, so neither late data nor
 * fresh noise can be subtracted or averaged out; (2) the budget: epsilon
 * is debited from the recipient's window (windows of policy.window_us,
 * aligned to time 0, keyed by the release's period start; a release may
 * not straddle two windows); a release that would exceed the policy's
 * total is refused (-EDQUOT); a release without noise is refused unless
 * the policy allows it (-EPERM); (3) the release is built, its document
 * inserted and the budget row incremented; (4) commit. Any failure rolls
 * everything back: a release is never recorded without its debit or the
 * other way round. Epsilon is counted in integer millionths so that sums
 * are exact.
 *
 * Ownership: the store is a talloc child of its context and closes the
 * database when freed. Messages name the recipient (a partner, never a
 * subscriber) and the numbers involved.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

struct sl_agg_store {
	sqlite3 *db;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS agg_release ("
	" id INTEGER PRIMARY KEY,"
	" recipient TEXT NOT NULL,"
	" period_start_us INTEGER NOT NULL,"
	" period_end_us INTEGER NOT NULL,"
	" config_sha256 BLOB NOT NULL,"
	" epsilon_micro INTEGER NOT NULL,"
	" window_start_us INTEGER NOT NULL,"
	" published_us INTEGER NOT NULL,"
	" document TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS agg_release_by_recipient"
	" ON agg_release(recipient, period_start_us);"
	"CREATE TABLE IF NOT EXISTS agg_budget ("
	" recipient TEXT NOT NULL,"
	" window_start_us INTEGER NOT NULL,"
	" window_us INTEGER NOT NULL,"
	" spent_micro INTEGER NOT NULL,"
	" PRIMARY KEY (recipient, window_start_us));";

static int say(char why[SL_AGG_WHY_LEN], int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(char why[SL_AGG_WHY_LEN], int rc, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, SL_AGG_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int store_destroy(struct sl_agg_store *st)
{
	sqlite3_close(st->db);
	return 0;
}

int sl_agg_store_open(void *ctx, const char *path, struct sl_agg_store **out,
		      char why[SL_AGG_WHY_LEN])
{
	struct sl_agg_store *st;
	char *err = NULL;

	*out = NULL;
	st = talloc_zero(ctx, struct sl_agg_store);
	if (!st)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		say(why, 0, "%s: cannot open: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		talloc_free(st);
		return -EIO;
	}
	talloc_set_destructor(st, store_destroy);
	sqlite3_busy_timeout(st->db, 5000);
	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
			 &err) != SQLITE_OK ||
	    sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		say(why, 0, "%s: cannot set up the aggregate tables: %s", path,
		    err ? err : "unknown error");
		sqlite3_free(err);
		talloc_free(st);
		return -EIO;
	}
	*out = st;
	return 0;
}

static int64_t window_start(int64_t t, int64_t window_us)
{
	return t - t % window_us;	/* t >= 0 (configuration check) */
}

static int get_spent(sqlite3 *db, const char *recipient, int64_t wstart, uint64_t *spent)
{
	sqlite3_stmt *s;
	int rc;

	*spent = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT spent_micro FROM agg_budget"
			       " WHERE recipient = ?1 AND window_start_us = ?2",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, wstart);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*spent = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int sl_agg_store_spent(struct sl_agg_store *st, const char *recipient, int64_t window_us,
		       int64_t t_us, uint64_t *spent_micro)
{
	if (window_us <= 0 || t_us < 0)
		return -EINVAL;
	return get_spent(st->db, recipient, window_start(t_us, window_us), spent_micro);
}

int sl_agg_store_count(struct sl_agg_store *st, const char *recipient, unsigned *n)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM agg_release WHERE recipient = ?1", -1,
			       &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

int sl_agg_store_check(struct sl_agg_store *st, char why[SL_AGG_WHY_LEN])
{
	static const char budget_sql[] =
		"SELECT recipient, window_start_us, SUM(e), SUM(b) FROM ("
		" SELECT recipient, window_start_us, SUM(epsilon_micro) AS e, 0 AS b"
		"  FROM agg_release GROUP BY recipient, window_start_us"
		" UNION ALL"
		" SELECT recipient, window_start_us, 0, spent_micro FROM agg_budget)"
		" GROUP BY recipient, window_start_us HAVING SUM(e) != SUM(b) LIMIT 1";
	static const char overlap_sql[] =
		"SELECT a.recipient, a.id, b.id FROM agg_release a JOIN agg_release b"
		" ON a.recipient = b.recipient AND a.id < b.id"
		" AND a.period_start_us < b.period_end_us AND b.period_start_us < a.period_end_us"
		" LIMIT 1";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, budget_sql, -1, &s, NULL) != SQLITE_OK)
		return say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		say(why, 0, "ledger: recipient %s, window from %lld us: releases sum to %lld"
		    " but the budget says %lld spent", (const char *)sqlite3_column_text(s, 0),
		    (long long)sqlite3_column_int64(s, 1), (long long)sqlite3_column_int64(s, 2),
		    (long long)sqlite3_column_int64(s, 3));
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return -EBADMSG;
	if (rc != SQLITE_DONE)
		return say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
	if (sqlite3_prepare_v2(st->db, overlap_sql, -1, &s, NULL) != SQLITE_OK)
		return say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		say(why, 0, "ledger: recipient %s: releases %lld and %lld overlap",
		    (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1),
		    (long long)sqlite3_column_int64(s, 2));
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return -EBADMSG;
	return rc == SQLITE_DONE ? 0 : say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
}

/* The differencing rule. 0: no overlap; 1: identical earlier release, its
 * document in *doc; -EEXIST: a different overlapping release. */
static int check_overlap(struct sl_agg_store *st, const struct sl_agg_config *cfg,
			 const uint8_t digest[32], void *ctx, char **doc, char why[SL_AGG_WHY_LEN])
{
	sqlite3_stmt *s;
	int rc, result = 0;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, period_start_us, period_end_us, config_sha256, document"
			       " FROM agg_release WHERE recipient = ?1"
			       " AND period_start_us < ?3 AND period_end_us > ?2 ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
	sqlite3_bind_text(s, 1, cfg->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cfg->period_start_us);
	sqlite3_bind_int64(s, 3, cfg->period_end_us);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		int64_t a = sqlite3_column_int64(s, 1), b = sqlite3_column_int64(s, 2);
		const void *d = sqlite3_column_blob(s, 3);
		bool same = a == cfg->period_start_us && b == cfg->period_end_us &&
			    sqlite3_column_bytes(s, 3) == 32 && d && !memcmp(d, digest, 32);

		if (!same || result) {
			result = say(why, -EEXIST,
				     "recipient %s: period [%" PRId64 ", %" PRId64 ") overlaps release %"
				     PRId64 " [%" PRId64 ", %" PRId64 ") and is not identical to it;"
				     " releases to one recipient must be identical or disjoint",
				     cfg->recipient, cfg->period_start_us, cfg->period_end_us, id, a,
				     b);
			break;
		}
		*doc = talloc_strdup(ctx, (const char *)sqlite3_column_text(s, 4));
		result = *doc ? 1 : -ENOMEM;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = say(why, -EIO, "ledger: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	if (result < 0) {
		talloc_free(*doc);
		*doc = NULL;
	}
	return result;
}

static int record(struct sl_agg_store *st, const struct sl_agg_config *cfg,
		  const struct sl_agg_budget_policy *pol, const uint8_t digest[32], int64_t wstart,
		  int64_t now_us, const char *doc)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO agg_release (recipient, period_start_us, period_end_us,"
			       " config_sha256, epsilon_micro, window_start_us, published_us, document)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, cfg->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, cfg->period_start_us);
	sqlite3_bind_int64(s, 3, cfg->period_end_us);
	sqlite3_bind_blob(s, 4, digest, 32, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)cfg->epsilon_micro);
	sqlite3_bind_int64(s, 6, wstart);
	sqlite3_bind_int64(s, 7, now_us);
	sqlite3_bind_text(s, 8, doc, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return -EIO;
	if (!cfg->epsilon_micro)
		return 0;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO agg_budget (recipient, window_start_us, window_us, spent_micro)"
			       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (recipient, window_start_us)"
			       " DO UPDATE SET spent_micro = spent_micro + excluded.spent_micro",
			       -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(s, 1, cfg->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, wstart);
	sqlite3_bind_int64(s, 3, pol->window_us);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)cfg->epsilon_micro);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int sl_agg_publish(struct sl_agg_store *st, const struct sl_agg_budget_policy *pol,
		   const struct sl_agg *agg, struct sl_agg_rng *rng, int64_t now_us,
		   void *ctx, char **json, enum sl_agg_publish_result *result,
		   char why[SL_AGG_WHY_LEN])
{
	const struct sl_agg_config *cfg = sl_agg_config(agg);
	struct sl_agg_release *rel = NULL;
	uint8_t digest[32];
	uint64_t spent;
	int64_t wstart;
	char *doc = NULL;
	int rc;

	*json = NULL;
	if (pol->window_us <= 0 || pol->epsilon_total_micro > INT64_MAX)
		return say(why, -EINVAL, "budget policy: window and total must be positive");
	if (!cfg->epsilon_micro && !pol->allow_no_noise)
		return say(why, -EPERM,
			   "recipient %s: the policy refuses releases without noise (epsilon 0)",
			   cfg->recipient);
	if (cfg->epsilon_micro && !rng)
		return say(why, -EINVAL, "recipient %s: noise requested but no generator given",
			   cfg->recipient);
	if (pol->settle_us < 0 || now_us < cfg->period_end_us ||
	    now_us - cfg->period_end_us < pol->settle_us)
		return say(why, -EAGAIN,
			   "recipient %s: period [%" PRId64 ", %" PRId64 ") is not settled at %" PRId64
			   " us (%" PRId64 " us after its end required)", cfg->recipient,
			   cfg->period_start_us, cfg->period_end_us, now_us, pol->settle_us);
	wstart = window_start(cfg->period_start_us, pol->window_us);
	if (cfg->period_end_us > wstart + pol->window_us)
		return say(why, -EINVAL,
			   "recipient %s: period [%" PRId64 ", %" PRId64 ") straddles budget"
			   " windows of %" PRId64 " us", cfg->recipient, cfg->period_start_us,
			   cfg->period_end_us, pol->window_us);
	sl_agg_config_digest(cfg, digest);

	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return say(why, -EIO, "ledger: cannot begin: %s", sqlite3_errmsg(st->db));
	rc = check_overlap(st, cfg, digest, ctx, &doc, why);
	if (rc < 0)
		goto rollback;
	if (rc == 1) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		*json = doc;
		*result = SL_AGG_REPEATED;
		return 0;
	}
	rc = get_spent(st->db, cfg->recipient, wstart, &spent);
	if (rc < 0) {
		say(why, rc, "ledger: %s", sqlite3_errmsg(st->db));
		goto rollback;
	}
	if (cfg->epsilon_micro > pol->epsilon_total_micro ||
	    spent > pol->epsilon_total_micro - cfg->epsilon_micro) {
		rc = say(why, -EDQUOT,
			 "recipient %s: privacy budget exhausted in the window from %" PRId64
			 " us: spent %" PRIu64 " + this release %" PRIu64 " > total %" PRIu64
			 " (epsilon in millionths)", cfg->recipient, wstart, spent,
			 cfg->epsilon_micro, pol->epsilon_total_micro);
		goto rollback;
	}
	rc = sl_agg_release_build(ctx, agg, rng, &rel);
	if (rc == 0)
		rc = sl_agg_release_json(ctx, rel, &doc);
	talloc_free(rel);
	if (rc < 0) {
		say(why, rc, rc == -ERANGE ? "recipient %s: a cell reached distinct_cap, so the"
			     " noise's sensitivity bound does not hold; raise distinct_cap" :
			     "recipient %s: cannot build the release", cfg->recipient);
		goto rollback;
	}
	rc = record(st, cfg, pol, digest, wstart, now_us, doc);
	if (rc == 0 && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = -EIO;
	if (rc < 0) {
		say(why, rc, "ledger: cannot record the release: %s", sqlite3_errmsg(st->db));
		goto rollback;
	}
	*json = doc;
	*result = SL_AGG_PUBLISHED;
	return 0;
rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	talloc_free(doc);
	return rc;
}
