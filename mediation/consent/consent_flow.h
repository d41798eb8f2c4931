/*
 * The consented-data path for live events (docs/consent.md, "What flows"):
 * for each metadata event and each configured recipient, find the
 * subjects (caller and callee, sender and receiver, or the registering
 * subscriber, as MSISDN or IMSI), ask the consent predicate per category,
 * minimise what is allowed (consent_minimise.h), pseudonymise under the
 * recipient's key of the event's epoch and hand the line to the
 * recipient's export.
 *
 * The flow sees only the capture event: it has no way to learn whether
 * anyone is under warrant (this library never links lawful code), so it
 * behaves identically for every subscriber. Content never enters it: the
 * event types it reads carry no message body or media.
 *
 * The other party of a call or message appears only as its own pseudonym
 * and only if it also consented to the same recipient and purpose for
 * the event's category; otherwise `peer` is null (omitted, not
 * pseudonymised: a pseudonym of a non-consenting party is still data
 * about them).
 *
 * Ownership: a talloc object; the index and the exports are borrowed and
 * must outlive it. Counters per recipient in group `consent_recipient`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/event.h"
#include "mediation/consent/consent_export.h"
#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_minimise.h"
#include "mediation/consent/consent_pseudonym.h"

/* Counters per recipient: outcomes per subject of an event. */
enum sl_cx_ctr {
	SL_CX_CTR_EXPORTED,	/* records handed to the export */
	SL_CX_CTR_MINIMISED_OUT,	/* allowed, but nothing left after minimisation */
	SL_CX_CTR_NO_SUBJECT,	/* a party with neither E.164 number nor IMSI */
	SL_CX_CTR_DENIED_FIRST,	/* then one per denial reason (sl_consent_reason from DENY_CONTENT) */
	_SL_CX_CTR_COUNT = SL_CX_CTR_DENIED_FIRST + 9,
	SL_CX_CTR_BATCHES = _SL_CX_CTR_COUNT,
	SL_CX_CTR_WRITE_FAILED,
	SL_CX_CTR_AUDIT_FAILED,
	SL_CX_CTR_LEDGER_FAILED,	/* subjects of a batch not credited in the value ledger */
	SL_CX_CTR_AGG_OBSERVED,		/* observations handed to the recipient's aggregate releases */
	SL_CX_CTR_AGG_LATE,		/* observations for a time bucket already released */
	SL_CX_CTR_AGG_RELEASED,		/* aggregate releases written and recorded */
	SL_CX_CTR_AGG_REFUSED,		/* aggregate releases refused (budget spent, overlap) */
	SL_CX_CTR_AGG_FAILED,		/* aggregate releases made but not written or not audited */
	SL_CX_CTR_JS_ACKED,		/* JetStream (docs/exports.md): records acknowledged */
	SL_CX_CTR_JS_DUPLICATES,	/* acknowledgements saying the stream had the record already */
	SL_CX_CTR_JS_RETRIES,		/* chunks published again after a failure */
	SL_CX_CTR_JS_REJECTED,		/* outbox lines longer than the read buffer, not published */
	SL_CX_CTR_AGG_CAPPED,		/* observations dropped: their open bucket held max-observations */
	SL_CX_CTR_JS_CONNECT_FAILED,	/* connections to the broker that failed (refused credentials...) */
	SL_CX_CTR_HELD_DROPPED,		/* records refused: the held batch was full (consent_export.h) */
	_SL_CX_CTR_ALL
};
extern const struct rate_ctr_group_desc sl_cx_ctrg_desc;

struct sl_cx_recipient_cfg {
	const char *name;
	enum sl_consent_purpose purpose;
	struct sl_cx_policy policy;
};

struct sl_cx_flow;

/*
 * A flow over index with the master pseudonym key; audit_key (may be
 * NULL) makes the subject tags given to the export audit pseudonyms
 * ("hmac-sha256:..."); epoch_s is the pseudonym rotation period (0: 30 days).
 */
struct sl_cx_flow *sl_cx_flow_alloc(void *ctx, struct sl_consent_index *ix, const uint8_t master[32],
				    const uint8_t *audit_key, uint32_t epoch_s);
/* Adds a recipient exporting to x (borrowed); its counter group gets index idx. Its number, or -errno. */
int sl_cx_flow_add(struct sl_cx_flow *f, const struct sl_cx_recipient_cfg *rc, struct sl_cx_export *x, unsigned idx);
struct rate_ctr_group *sl_cx_flow_ctrs(struct sl_cx_flow *f, unsigned recipient);

/*
 * What a recipient's aggregate releases receive of one consenting subject
 * of an event (the primary category consented, the record not minimised
 * away): the kind, the packet time, the subject's pseudonym for this
 * recipient and, only if the subject consented to location and the
 * recipient receives it, the area (MCC, MNC and TAC or LAC digits, cell
 * identity dropped, whatever the export's granularity). identity
 * ("msisdn:..." or "imsi:...") is for the value ledger in memory only.
 */
struct sl_cx_observation {
	enum sl_cx_kind kind;
	int64_t time_us;
	const char *subject;
	const char *area;
	const char *identity;
};
typedef void (*sl_cx_observe_cb)(void *data, const struct sl_cx_observation *o);
/* Hands recipient's observations to cb as well (x of sl_cx_flow_add() may then be NULL: no export). */
int sl_cx_flow_observe(struct sl_cx_flow *f, unsigned recipient, sl_cx_observe_cb cb, void *data);

/*
 * Hands recipient's rendered export lines (LF included, borrowed for the
 * call) to cb as well, with or without an export (tests, benchmarks).
 */
typedef void (*sl_cx_line_cb)(void *data, const char *line, size_t len);
int sl_cx_flow_tap(struct sl_cx_flow *f, unsigned recipient, sl_cx_line_cb cb, void *data);
/*
 * Whether each event has the index fetch what its subjects' decisions
 * will read ahead of them (the filter words when it begins, the table
 * lines of the subjects the filter may hold before the first decision:
 * sl_consent_index_prefetch_filter_h(), _line_h()), so their cache misses
 * overlap; on by default. Off only to measure what it saves.
 */
void sl_cx_flow_prefetch(struct sl_cx_flow *f, bool on);

/* One party of an event and the subject forms it offers (its first E.164 number, its first IMSI). */
struct sl_cx_party {
	const struct sl_party *p;		/* in the event */
	struct sl_consent_subject s[2];
	uint64_t h[2];				/* their index hashes (sl_consent_index_hash()) */
	unsigned n;
};
/* What sl_cx_flow_begin() worked out of an event for sl_cx_flow_end(): a value, on the caller's stack. */
struct sl_cx_subjects {
	bool flows;				/* an event the flow exports from */
	struct sl_cx_party from, to;
};
/*
 * One event in two halves, for a caller with other work on the same
 * event (sluiced's dispatcher: the lawful half): begin works out the
 * event's subjects once and starts the index fetch of their filter words
 * (unless sl_cx_flow_prefetch() turned it off); end, with the same ev
 * and st, fetches the table lines of the subjects the filter may hold,
 * then decides, minimises and exports. The fetch then overlaps the
 * caller's work in between. st holds copies and hashes, nothing of the
 * index, so a refresh in between is harmless. sl_cx_flow_event() is the
 * two back to back.
 */
void sl_cx_flow_begin(struct sl_cx_flow *f, const struct sl_event *ev, struct sl_cx_subjects *st);
void sl_cx_flow_end(struct sl_cx_flow *f, const struct sl_event *ev, const struct sl_cx_subjects *st);

/* One event through every recipient. */
void sl_cx_flow_event(struct sl_cx_flow *f, const struct sl_event *ev);
