/*
 * The consent registry in memory, for the hot path: subject -> its
 * records, in one open hash table keyed by the subject (sl_hash, seeded),
 * so a lookup costs the same with one subject or millions.
 *
 * The index is built from the store and kept current by
 * sl_consent_index_refresh(), which the daemon calls at least once a
 * second: it asks SQLite whether anything was committed since the last
 * call (data_version, plus the connection's own commits) and, only then,
 * fetches the records stamped with a newer generation and updates them in
 * place. A change committed by any process is therefore seen within one
 * refresh period. Records are never removed from the store, so the index
 * only inserts and updates.
 *
 * Memory: a subject and its first record share one 64-byte cache line,
 * which is the hash table's own slot (one cache line per lookup); further
 * records (32 bytes) live in a second array, linked
 * by index instead of pointers; recipients are interned once. A filter
 * of 16 bits per subject answers most lookups of absent subjects (the
 * common case: traffic of subscribers without any consent) without
 * touching the table, and never answers "absent" for a present subject.
 * The index owns the decision counters (consent_policy.h).
 *
 * Ownership: a talloc object under ctx; the store is borrowed and must
 * outlive it (or be NULL for an index filled by sl_consent_index_put()).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "mediation/consent/consent_record.h"
#include "mediation/consent/consent_store.h"

struct sl_consent_index;

#define SL_CONSENT_IX_END UINT32_MAX

/* One record as the index keeps it. */
struct sl_consent_ix_rec {
	uint32_t next;	    /* next record of the same subject, or SL_CONSENT_IX_END */
	uint16_t recipient; /* interned recipient (sl_consent_index_recipient()) */
	uint8_t purpose;    /* enum sl_consent_purpose */
	uint8_t status;	    /* enum sl_consent_status */
	uint32_t categories;
	int64_t valid_from_us, valid_until_us;
};

/* An index on store (may be NULL); ctr_idx numbers its counter group. NULL on allocation failure. */
struct sl_consent_index *sl_consent_index_alloc(void *ctx, struct sl_consent_store *store, unsigned ctr_idx);

/*
 * Brings the index up to date with the store: 0 if nothing changed, 1 if
 * records were applied, -errno (with *err, talloc on the index) if the
 * store could not be read (the index keeps what it had).
 */
int sl_consent_index_refresh(struct sl_consent_index *ix, char **err);

/* Inserts or updates the record for (subject, recipient, purpose). 0, -ENOMEM, -E2BIG (too many recipients). */
int sl_consent_index_put(struct sl_consent_index *ix, const struct sl_consent_row *row);

/* The first record of subject (NULL if none) and the next one of the same subject. */
const struct sl_consent_ix_rec *sl_consent_index_first(const struct sl_consent_index *ix,
						       const struct sl_consent_subject *subject);
const struct sl_consent_ix_rec *sl_consent_index_next(const struct sl_consent_index *ix,
						      const struct sl_consent_ix_rec *r);
/*
 * Starts fetching what a lookup of subject will read (its filter word and
 * table line) without waiting for it: a caller that knows a subject before
 * it decides about it lets the memory fetch overlap other work. Costs a
 * hash; changes nothing.
 */
void sl_consent_index_prefetch(const struct sl_consent_index *ix, const struct sl_consent_subject *subject);
/*
 * The same three with the subject's hash given (sl_consent_index_hash(),
 * seeded per process), for a caller that asks about one subject several
 * times: the hash is computed once. A wrong hash can only make a present
 * subject look absent (a line matches on its type and value too), never
 * an absent one present.
 */
uint64_t sl_consent_index_hash(const struct sl_consent_subject *subject);
const struct sl_consent_ix_rec *sl_consent_index_first_h(const struct sl_consent_index *ix,
							 const struct sl_consent_subject *subject, uint64_t hash);
void sl_consent_index_prefetch_h(const struct sl_consent_index *ix, uint64_t hash);
/*
 * The same fetch in two stages, for a caller with other work between
 * them (the consent flow's begin and end): _filter_h starts fetching the
 * subject's filter word only; _line_h then reads that word (arrived by
 * then, or waited for) and starts fetching the subject's table line only
 * if the filter says it may be present, returning that answer (false:
 * certainly absent). An absent subject, the common case, so costs its
 * filter line and brings no table line into the caches, where it would
 * evict filter lines of other subjects. Neither changes anything.
 */
void sl_consent_index_prefetch_filter_h(const struct sl_consent_index *ix, uint64_t hash);
bool sl_consent_index_prefetch_line_h(const struct sl_consent_index *ix, uint64_t hash);
/* The filter's answer alone: false means subject certainly has no record; true, that it may (tests, bench). */
bool sl_consent_index_maybe(const struct sl_consent_index *ix, const struct sl_consent_subject *subject);
/* The interned number of a recipient name, or -1 if no record names it. */
int sl_consent_index_recipient(const struct sl_consent_index *ix, const char *name);

struct sl_consent_index_stats {
	uint64_t subjects, records, recipients;
	uint64_t bytes;	       /* memory held by the arrays, slots and filter */
	uint64_t filter_bytes; /* of which the absent-subject filter */
	uint64_t generation; /* store generation last applied */
	uint64_t refreshes;  /* refreshes that applied changes */
};
void sl_consent_index_stats(const struct sl_consent_index *ix, struct sl_consent_index_stats *st);

struct rate_ctr_group *sl_consent_index_ctrs(struct sl_consent_index *ix);
