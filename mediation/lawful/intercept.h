/*
 * Interceptions and target matching: the lawful half's one decision.
 *
 * An interception (one LIID, from a verified warrant) names targets, a
 * validity window, a scope (IRI only, or IRI and content; the services it
 * covers) and the destination (the authority's receiver) its records go
 * to. sl_lawful_match decides for one event at its own time: deny by
 * default, a match only when an interception is active at that time, one
 * of the event's parties carries a target identity (or the signalling came
 * from or went to a target address), and the event belongs to a service
 * the interception covers.
 *
 * Matching goes through an index from identity (type and normalised text)
 * and from address prefix to the interceptions naming it, so the cost of
 * an event grows with its identities and the prefix lengths in use, not
 * with the number of interceptions. It performs no I/O and keeps no state
 * but the table and counters, so it is tested without sockets or files.
 *
 * Nothing here is visible to the commercial half: it never includes this
 * header (ETSI TS 101 331 4.6-4.9; tests/deps/forbidden.txt).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/addr.h"
#include "capture/event.h"
#include "capture/identity.h"

#define SL_LIID_MAX 25
#define SL_DEST_NAME_MAX 32
#define SL_INTERCEPT_MAX_TARGETS 64

enum sl_scope { SL_SCOPE_IRI, SL_SCOPE_IRI_CC };

/* The services a warrant covers (TS 102 232-5 IP multimedia: calls, messages, registrations, location). */
enum sl_service {
	SL_SVC_VOICE = 1u << 0,		/* calls: signalling, call steps, media summaries, content */
	SL_SVC_MESSAGING = 1u << 1,	/* page-mode messages (SIP MESSAGE, SMS over IP) */
	SL_SVC_REGISTRATION = 1u << 2,	/* REGISTER transactions */
	SL_SVC_LOCATION = 1u << 3,	/* where the target is (P-Access-Network-Info and the like) */
};
#define SL_SVC_ALL (SL_SVC_VOICE | SL_SVC_MESSAGING | SL_SVC_REGISTRATION | SL_SVC_LOCATION)

extern const char *const sl_service_names[4];	/* "voice", "messaging", "registration", "location" */

/* One target: an identity, or an IPv4/IPv6 address or prefix. */
struct sl_target {
	struct sl_identity id;	/* identity targets, normalised as capture normalises; SL_ID_NONE for addresses */
	struct sl_addr addr;	/* address targets: the prefix with its host bits zero */
	uint8_t prefix_len;	/* 32 or 128 for one address */
};

struct sl_intercept {
	char liid[SL_LIID_MAX + 1];
	uint32_t version;		/* of the warrant it comes from (0: configured, lab only) */
	struct sl_target *target;	/* n_targets of them; owned by whoever filled the struct */
	unsigned n_targets;
	enum sl_scope scope;
	unsigned services;		/* SL_SVC_* */
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
 * Every decision is counted by its outcome: one of matched, inactive,
 * out-of-scope and no-target per event, so they add up to the events
 * decided.
 */
enum sl_lawful_ctr {
	SL_LAWFUL_CTR_MATCHED,		/* the event falls under at least one active interception */
	SL_LAWFUL_CTR_INACTIVE,		/* a party is a target, but of no interception active at the event's time */
	SL_LAWFUL_CTR_NO_TARGET,	/* no interception names a party of the event */
	SL_LAWFUL_CTR_MATCHES,		/* (event, interception) pairs matched */
	SL_LAWFUL_CTR_TRUNCATED,	/* events whose matches did not all fit (memory ran out; logged) */
	SL_LAWFUL_CTR_OUT_OF_SCOPE,	/* a target's active interceptions do not cover the event's service */
	_SL_LAWFUL_CTR_COUNT
};

extern const struct rate_ctr_group_desc sl_lawful_ctrg_desc;

struct sl_lawful;

/* A table with its counter group (index idx); NULL when out of memory. */
struct sl_lawful *sl_lawful_alloc(void *ctx, unsigned idx);
struct rate_ctr_group *sl_lawful_ctrs(struct sl_lawful *l);

/*
 * Add an interception (copied, targets included). -EEXIST for a LIID
 * already present, -EINVAL for a bad one (no LIID, no or too many
 * targets, no destination, an empty window, a bad prefix), -ENOMEM.
 */
int sl_lawful_add(struct sl_lawful *l, const struct sl_intercept *ic);
/* Remove the interception with this LIID; -ENOENT if there is none. */
int sl_lawful_remove(struct sl_lawful *l, const char *liid);
const struct sl_intercept *sl_lawful_find(const struct sl_lawful *l, const char *liid);
unsigned sl_lawful_count(const struct sl_lawful *l);
/* The i-th interception (any order, stable until the next add or remove). */
const struct sl_intercept *sl_lawful_get(const struct sl_lawful *l, unsigned i);

/* Is the interception active at time t? */
bool sl_intercept_active(const struct sl_intercept *ic, uint64_t t_us);
/* The service an event belongs to (one SL_SVC_* bit), 0 for signalling of none. */
unsigned sl_event_service(const struct sl_event *ev);
/* Does a target match a party or an address? */
bool sl_target_matches_party(const struct sl_target *t, const struct sl_party *p);
bool sl_target_matches_addr(const struct sl_target *t, const struct sl_addr *a);

/*
 * The interceptions an event falls under at its time (one entry per
 * interception; when both parties are targets of the same interception the
 * caller side wins), counted by outcome. Returns how many; *out points to
 * them, in an array of the table's that is valid until the next call.
 * There is no cap: every match is returned (only an allocation failure can
 * cut the list, and that is counted as truncated).
 */
unsigned sl_lawful_match(struct sl_lawful *l, const struct sl_event *ev, const struct sl_match **out);
