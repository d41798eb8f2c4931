/*
 * The JetStream export's batches awaiting acknowledgement, kept durably
 * in the consent database (table js_pending, schema version 2), and their
 * accounting once the broker acknowledged them: the value ledger credit
 * and the export.batch audit record, each exactly once across crashes
 * (docs/exports.md, "Accounting").
 *
 * A row is written in one transaction before the batch's bytes go to the
 * outbox segment (the export's prepare hook), with everything the
 * accounting needs: recipient, segment and offset (the row's key and the
 * idempotency key), length, record count, digest, batch id, and per
 * subject its pseudonym under the audit key, its identity and consent
 * record id for the ledger, and its records. The outbox files never hold
 * identities; the database already does.
 *
 * Accounting is three steps, each durable before the next:
 *   1. one transaction: credit the ledger and set the row's audit_seq to
 *      the seq the audit record will get (-1 without an audit log);
 *   2. append export.batch to the audit log and commit it (fsync);
 *   3. delete the row.
 * A crash before 1 commits leaves the row uncredited: it is accounted
 * from step 1 again. A crash between 1 and 3 leaves a credited row: the
 * record at audit_seq is read back; if it is this batch's export.batch
 * (same recipient, segment, offset) only step 3 is left, otherwise the
 * row gets a new audit_seq (one transaction) and steps 2 and 3 run. The
 * ledger is never credited twice (step 1 runs once per row) and the
 * audit record is never written twice (it is looked for before it is
 * written again).
 *
 * Ownership: rows loaded are talloc children of the ctx given.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "mediation/consent/consent_export.h"
#include "mediation/consent/consent_policy.h"
#include "mediation/consent/consent_store.h"

struct sl_audit_log;

/* A row's place in the recipient's outbox (its key, with the recipient). */
struct sl_cx_pending_key {
	unsigned seg;
	uint64_t off;
};

/* One pending batch as read back: b is its description, as the export reported it. */
struct sl_cx_pending {
	struct sl_cx_batch b;
	const char *const *consent_ids;	/* per subject, NULL where none was found */
	bool credited;			/* step 1 done */
	int64_t audit_seq;		/* when credited: the audit record's seq, -1 if no audit log */
	int64_t time_us;		/* gateway time the batch was written: the ledger credit's time */
};

/* What accounting did, for the caller's counters and log. */
struct sl_cx_pending_result {
	unsigned credited, lost;	/* subjects credited; subjects without a consent record */
	bool audited;			/* the audit record was written by this call */
	bool already_audited;		/* a crash had left it written: found, not written again */
};

/*
 * Records batch b (its bytes not yet written) as pending at gateway time
 * time_us, with the consent record id of each subject for recipient
 * b->recipient and purpose, in one transaction. 0, or -errno with *err
 * (talloc on the store).
 */
int sl_cx_pending_add(struct sl_consent_store *s, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
		      int64_t time_us, char **err);
/*
 * The same, and in the same transaction removes the rows of b->recipient
 * at done[0..n_done) (batches whose accounting is complete: step 3 below,
 * deferred to the next transaction the export makes anyway).
 */
int sl_cx_pending_add_removing(struct sl_consent_store *s, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
			       int64_t time_us, const struct sl_cx_pending_key *done, unsigned n_done, char **err);
/* Removes the rows of recipient at keys[0..n) in one transaction. 0 or -errno. */
int sl_cx_pending_remove_many(struct sl_consent_store *s, const char *recipient, const struct sl_cx_pending_key *keys,
			      unsigned n);
/*
 * 1 if the outbox segment in dir holds p's bytes (length and digest as
 * recorded); 0 if not (missing, too short, other bytes); -errno when it
 * cannot be opened or read (a symbolic link is not followed: -ELOOP),
 * which is not known either way.
 */
int sl_cx_pending_in_outbox(const char *dir, const struct sl_cx_pending *p);
/* Removes the row of recipient, seg, off (its batch could not be written, or it is accounted). 0 or -errno. */
int sl_cx_pending_remove(struct sl_consent_store *s, const char *recipient, unsigned seg, uint64_t off);
/* The number of rows of recipient. 0 or -errno. */
int sl_cx_pending_count(struct sl_consent_store *s, const char *recipient, unsigned *n);
/*
 * The oldest row (by segment, offset) of recipient that ends at or before
 * segment seg, byte end (the acknowledged cursor); *out NULL when none.
 * 0 or -errno.
 */
int sl_cx_pending_first(struct sl_consent_store *s, void *ctx, const char *recipient, unsigned seg, uint64_t end,
			struct sl_cx_pending **out);
/* The same, among the rows after *after (NULL: all): those accounted but not yet removed are skipped. */
int sl_cx_pending_first_after(struct sl_consent_store *s, void *ctx, const char *recipient, unsigned seg,
			      uint64_t end, const struct sl_cx_pending_key *after, struct sl_cx_pending **out);
/* Every row of recipient in order, each passed to fn (then freed); fn < 0 stops. 0, fn's value, or -errno. */
int sl_cx_pending_foreach(struct sl_consent_store *s, const char *recipient,
			  int (*fn)(void *data, struct sl_cx_pending *p), void *data);

/* The export.batch audit record's fields for b (a new object), subjects only if all are audit pseudonyms. */
json_t *sl_cx_batch_audit_fields(const struct sl_cx_batch *b, enum sl_consent_purpose purpose);

/* Step 1: credits the ledger (unless p->credited) and sets audit_seq, in one transaction. 0 or -errno. */
int sl_cx_pending_credit(struct sl_consent_store *s, struct sl_cx_pending *p, uint64_t price_micro, int64_t audit_seq,
			 struct sl_cx_pending_result *res);
/* Step 2: appends and commits the export.batch record. 0 or -errno. */
int sl_cx_pending_audit(struct sl_audit_log *log, const struct sl_cx_pending *p, enum sl_consent_purpose purpose);
/* For a credited row: 1 if the record at p->audit_seq is p's export.batch, 0 if not, -errno if unreadable. */
int sl_cx_pending_audited(struct sl_audit_log *log, const struct sl_cx_pending *p);
/*
 * All the steps still to do for p, in order (above). log may be NULL (no
 * audit log). 0, or -errno of the step that failed (the row stays and is
 * accounted again later from where it stopped).
 */
int sl_cx_pending_account(struct sl_consent_store *s, struct sl_audit_log *log, struct sl_cx_pending *p,
			  enum sl_consent_purpose purpose, uint64_t price_micro, struct sl_cx_pending_result *res);
/*
 * The same but the last step: on 0 the row is accounted and the caller
 * removes it (sl_cx_pending_add_removing, sl_cx_pending_remove_many);
 * until then, or after a crash, accounting it again only finds its audit
 * record and credits nothing.
 */
int sl_cx_pending_settle(struct sl_consent_store *s, struct sl_audit_log *log, struct sl_cx_pending *p,
			 enum sl_consent_purpose purpose, uint64_t price_micro, struct sl_cx_pending_result *res);
