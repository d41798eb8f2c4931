/*
 * The consent registry on disk: one SQLite database in WAL mode
 * (docs/consent.md, "Database"), the embedded default.
 *
 * Every change runs in one write transaction (BEGIN IMMEDIATE ... COMMIT):
 * a failure anywhere rolls the whole change back, nothing is half-applied.
 * Each write transaction raises the database's generation by one and
 * stamps the records it touched with it, so readers (the in-memory index)
 * fetch only what changed since the generation they saw.
 *
 * Notice versions: per purpose the store keeps the newest notice version
 * seen (versions compare naturally: digit runs as numbers, "v2" < "v10").
 * A record with a newer version makes it current and turns every given
 * consent of that purpose under an older version into invalidated (with a
 * history entry); a given consent under an older version than the current
 * one is refused (-ESTALE).
 *
 * Hooks let the caller see every status change inside the transaction
 * (to record it in the audit log) and act just before the commit (to
 * make those records durable first); a hook returning < 0 rolls back.
 *
 * Ownership: the store is a talloc object; freeing it finalises its
 * statements and closes the database. Error messages (*err) are talloc
 * strings on the store naming the database file and the operation (and
 * a record id, never a subject identity); a long-lived caller frees them.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mediation/consent/consent_record.h"

#define SL_CONSENT_SCHEMA_VERSION 2

struct sl_consent_store;

/* One status change, as the change hook sees it (pointers valid during the call). */
struct sl_consent_change {
	const char *id;
	const struct sl_consent_subject *subject;
	const char *recipient;
	enum sl_consent_purpose purpose;
	uint32_t categories;
	const char *notice_version;
	enum sl_consent_status status; /* the new status */
	int64_t time_us;
};

struct sl_consent_hooks {
	int (*change)(void *data, const struct sl_consent_change *c);
	int (*before_commit)(void *data);
	void (*rolled_back)(void *data); /* the changes reported since the last commit did not happen */
	void *data;
};

/* Opens (creating if missing) the database at path. 0 or -errno with *err (talloc on ctx). */
int sl_consent_store_open(void *ctx, const char *path, struct sl_consent_store **out, char **err);
/*
 * How long a write waits for another connection's write transaction (a
 * `sluice consent import` holds one for its whole file) before failing
 * with -EIO: 5 s as opened. sluiced sets it short, because its select loop
 * (capture, the lawful path) waits with it; what failed is retried.
 */
void sl_consent_store_set_busy_ms(struct sl_consent_store *s, unsigned ms);
void sl_consent_store_set_hooks(struct sl_consent_store *s, const struct sl_consent_hooks *h);
const char *sl_consent_store_path(const struct sl_consent_store *s);

/*
 * Batching: changes between begin and commit are one transaction (an
 * import). Outside a batch every operation is its own transaction.
 * After a failed operation inside a batch, call rollback.
 */
int sl_consent_store_begin(struct sl_consent_store *s, char **err);
int sl_consent_store_commit(struct sl_consent_store *s, char **err);
void sl_consent_store_rollback(struct sl_consent_store *s);

/*
 * Grants: r (history ignored) becomes a given consent from now_us. If the
 * subject already has a record for r's recipient and purpose, that record
 * is updated and keeps its id (copied into r->id); else r->id is used.
 * 0, -ESTALE (older notice version), -EEXIST (r->id names a record of
 * another subject, recipient or purpose), -EIO.
 */
int sl_consent_store_grant(struct sl_consent_store *s, struct sl_consent_record *r, int64_t now_us, char **err);

/* Withdraws a given consent. 0, -ENOENT (no such id), -EALREADY (not given), -EIO. */
int sl_consent_store_withdraw(struct sl_consent_store *s, const char *id, int64_t now_us, char **err);

/*
 * Stores r as it is (history included), replacing a record with its id:
 * what import does. now_us is the time of invalidations it causes.
 * 0, -EEXIST (another id holds r's subject, recipient and purpose),
 * -ESTALE, -EIO.
 */
int sl_consent_store_put(struct sl_consent_store *s, const struct sl_consent_record *r, int64_t now_us, char **err);

/* Marks given consents whose validity ended at or before now_us expired; *n how many. 0 or -EIO. */
int sl_consent_store_expire(struct sl_consent_store *s, int64_t now_us, unsigned *n, char **err);

/* Reads one record (history a talloc child of ctx). 0, -ENOENT, -EIO. */
int sl_consent_store_get(struct sl_consent_store *s, void *ctx, const char *id, struct sl_consent_record *r,
			 char **err);
/* The id of subject's record for recipient and purpose into id (SL_CONSENT_ID_MAX + 1). 0, -ENOENT, -EIO. */
int sl_consent_store_find(struct sl_consent_store *s, const struct sl_consent_subject *subj, const char *recipient,
			  enum sl_consent_purpose purpose, char *id, char **err);

/*
 * Calls cb with every record (of subject only, if not NULL) in id order,
 * history included; stops at a cb result < 0 and returns it. 0 or -errno.
 */
int sl_consent_store_foreach(struct sl_consent_store *s, const struct sl_consent_subject *subject,
			     int (*cb)(void *data, const struct sl_consent_record *r), void *data, char **err);

/* The compact row the index is built from. */
struct sl_consent_row {
	const struct sl_consent_subject *subject;
	const char *recipient;
	enum sl_consent_purpose purpose;
	uint32_t categories;
	enum sl_consent_status status;
	int64_t valid_from_us, valid_until_us;
};

/*
 * Change detection for readers: *dv is SQLite's data_version combined
 * with this connection's own commits, so it differs whenever anyone
 * committed since the last call. 0 or -EIO.
 */
int sl_consent_store_version(struct sl_consent_store *s, uint64_t *dv);

/*
 * Calls cb with each record stamped with a generation above since, in one
 * read transaction; *gen is the generation that read saw. 0 or -errno
 * (-EBUSY while this connection has a write transaction open: uncommitted
 * changes are never handed out).
 */
int sl_consent_store_scan(struct sl_consent_store *s, uint64_t since, int (*cb)(void *data,
			  const struct sl_consent_row *row), void *data, uint64_t *gen, char **err);

/* Natural comparison of notice versions (<0, 0, >0). */
int sl_consent_notice_cmp(const char *a, const char *b);
