/*
 * Sequence numbers and communication identity numbers for PS-PDUs.
 *
 * TS 102 232-1 clause 5.2.5: a sequence number counts the PDUs of one
 * sequence number context, keyed by LIID, network identifier, CIN,
 * delivery country code and payload type (table 1A, absence of a field
 * being a value of its own); it starts at 0 for a new context, increments
 * by 1 per PDU and wraps to 0 after 2^32 - 1. IRI and CC count
 * independently, and so does each TRI class (keep-alive, PDU
 * acknowledgement); keep-alives count per Delivery Function instance
 * (clause 6.3.4), not per target. One struct sl_seqno serves one
 * destination (network identifier and country code are constant there),
 * so its key is (LIID, CIN or none, class).
 *
 * Clause 5.2.4: a CIN identifies one communication session and must
 * differ between sessions of a target through the same network element;
 * clause 6.2.2 requires that a crash does not lose CIN state where
 * persistent storage exists. sl_cin_alloc reserves CINs in blocks and
 * records the end of each reserved block in a state file (written to a
 * temporary file, fsync'ed, renamed over the old one, directory fsync'ed)
 * before handing out any CIN of the block, so after a crash the next run
 * starts above every CIN the previous run may have used. CINs run from 1
 * to max_cin (at most 99999999 when the HI2 format, 8 ASCII digits, must
 * carry them) and then wrap.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum sl_seq_class {
	SL_SEQ_IRI,
	SL_SEQ_CC,
	SL_SEQ_TRI_KEEPALIVE,	/* per DF instance: pass liid NULL, no CIN */
	SL_SEQ_TRI_ACK,		/* pDUAcknowledgementRequest, per DF instance */
	SL_SEQ_HI1,
	_SL_SEQ_CLASS_COUNT
};

struct sl_seqno;

/* A table of at most max_contexts live contexts (talloc child of ctx); NULL on ENOMEM. */
struct sl_seqno *sl_seqno_alloc(void *ctx, unsigned max_contexts);

/*
 * The next sequence number of (liid, cin, class) into *out: 0 for a new
 * context. liid NULL or "" is the per-stream context of TRI classes.
 * Returns 0, -EINVAL (LIID longer than 25 octets, bad class) or -ENOSPC
 * (table full: end finished communications with sl_seqno_end).
 */
int sl_seqno_next(struct sl_seqno *s, const char *liid, bool has_cin, uint32_t cin, enum sl_seq_class cls,
		  uint32_t *out);

/* Forget the IRI and CC contexts of one communication (after its IRI-END). */
void sl_seqno_end(struct sl_seqno *s, const char *liid, uint32_t cin);

/* Live contexts. */
unsigned sl_seqno_count(const struct sl_seqno *s);

struct sl_cin_alloc;

/*
 * Open or create the CIN state file at path. block: CINs reserved per
 * state-file write (>= 1); max_cin: largest CIN (1..UINT32_MAX). Returns a
 * talloc child of ctx, or NULL with errno set (EINVAL for a corrupt state
 * file or bad arguments, or the I/O error).
 */
struct sl_cin_alloc *sl_cin_alloc_open(void *ctx, const char *path, uint32_t block, uint32_t max_cin);

/*
 * A new CIN. Returns 0, or a negative errno if a new block could not be
 * recorded durably (no CIN is handed out then; retry later).
 */
int sl_cin_next(struct sl_cin_alloc *a, uint32_t *cin);

/* Counter value recorded in the state file (for tests and status output). */
uint64_t sl_cin_reserved(const struct sl_cin_alloc *a);
