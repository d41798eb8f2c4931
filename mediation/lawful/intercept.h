/*
 * Interceptions and target matching: the lawful half's one decision.
 *
 * An interception (one LIID) names target identities, a validity window,
 * a scope (IRI only, or IRI and content) and the destination (the
 * authority's receiver) its records go to. sl_lawful_match is a pure
 * predicate over one event at one time: deny by default, a match only when
 * an interception is active at that time and one of the event's parties
 * carries a target identity. It performs no I/O and keeps no state beyond
 * counters, so it is tested without sockets or files.
 *
 * Interceptions come from the daemon's configuration for now (the
 * administrative HI1 path with signed warrant documents is a later layer
 * that will fill the same table). Nothing here is visible to the
 * commercial half: it never includes this header (ETSI TS 101 331 4.6-4.9).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/event.h"
#include "capture/identity.h"

#define SL_LIID_MAX 25
#define SL_DEST_NAME_MAX 32
#define SL_INTERCEPT_MAX_TARGETS 8
/* Interceptions one table holds; a caller with this many match slots never loses a match. */
#define SL_LAWFUL_MAX 1024

enum sl_scope { SL_SCOPE_IRI, SL_SCOPE_IRI_CC };

struct sl_intercept {
	char liid[SL_LIID_MAX + 1];
	struct sl_identity target[SL_INTERCEPT_MAX_TARGETS];
	unsigned n_targets;
	enum sl_scope scope;
	uint64_t start_us, end_us;	/* active in [start, end); end 0: no end */
	char dest[SL_DEST_NAME_MAX + 1];
};

/* Which party of the event is the target. */
enum sl_target_side { SL_TARGET_FROM, SL_TARGET_TO };

struct sl_match {
	const struct sl_intercept *ic;
	enum sl_target_side side;
};

/*
 * Every decision is counted by its outcome: one of matched, inactive and
 * no-target per event, so the three add up to the events decided.
 */
enum sl_lawful_ctr {
	SL_LAWFUL_CTR_MATCHED,		/* the event falls under at least one active interception */
	SL_LAWFUL_CTR_INACTIVE,		/* a party is a target, but of no interception active at the event's time */
	SL_LAWFUL_CTR_NO_TARGET,	/* no interception names a party of the event */
	SL_LAWFUL_CTR_MATCHES,		/* (event, interception) pairs matched */
	SL_LAWFUL_CTR_TRUNCATED,	/* events with more matches than the caller had room for */
	_SL_LAWFUL_CTR_COUNT
};

extern const struct rate_ctr_group_desc sl_lawful_ctrg_desc;

struct sl_lawful;

/* A table with its counter group (index idx); NULL when out of memory. */
struct sl_lawful *sl_lawful_alloc(void *ctx, unsigned idx);
struct rate_ctr_group *sl_lawful_ctrs(struct sl_lawful *l);
/* Add an interception (copied). -EEXIST for a duplicate LIID, -EINVAL for a bad one, -ENOSPC when full. */
int sl_lawful_add(struct sl_lawful *l, const struct sl_intercept *ic);
unsigned sl_lawful_count(const struct sl_lawful *l);
const struct sl_intercept *sl_lawful_get(const struct sl_lawful *l, unsigned i);

/* Is the interception active at time t? */
bool sl_intercept_active(const struct sl_intercept *ic, uint64_t t_us);

/*
 * The interceptions an event falls under at its time (one entry per
 * interception; when both parties are targets of the same interception the
 * caller side wins), counted by outcome. Returns how many there are; at
 * most max of them are written to out, and an event with more is counted
 * as truncated. With max = SL_LAWFUL_MAX nothing is ever cut.
 */
unsigned sl_lawful_match(struct sl_lawful *l, const struct sl_event *ev, struct sl_match *out, unsigned max);
