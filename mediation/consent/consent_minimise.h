/*
 * Minimisation per recipient policy (docs/consent.md, "What flows"): the
 * pure function that turns what the commercial path knows of one event
 * for one subject into the smallest record the recipient's policy and the
 * subject's consent allow, and the byte-exact JSON line of that record.
 *
 * The input is already free of identities in clear (the caller passes
 * pseudonyms) and of content (the event type carries none). The function
 * drops every category the consent (or the recipient's configuration)
 * does not cover, coarsens the location to the recipient's granularity
 * (cell, area: the cell identity dropped and the MCC, MNC and TAC or LAC
 * kept, or none), buckets every time to the recipient's time bucket and
 * reduces a device identity (IMEI) to its type allocation code. No I/O,
 * no clock, no allocation: testable as a table.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/sip_pani.h"
#include "mediation/consent/consent_pseudonym.h"
#include "mediation/consent/consent_record.h"

enum sl_cx_granularity { SL_CX_LOC_CELL, SL_CX_LOC_AREA, SL_CX_LOC_NONE, _SL_CX_LOC_COUNT };
extern const char *const sl_cx_granularity_names[_SL_CX_LOC_COUNT];

/* What one recipient receives (the `recipient` node, docs/consent.md). */
struct sl_cx_policy {
	uint32_t categories;		/* SL_CONSENT_CAT_BIT()s the recipient receives */
	enum sl_cx_granularity location;
	uint32_t time_bucket_s;		/* >= 1 */
};

enum sl_cx_kind { SL_CX_CALL, SL_CX_MESSAGE, SL_CX_REGISTRATION, _SL_CX_KIND_COUNT };
extern const char *const sl_cx_kind_names[_SL_CX_KIND_COUNT];

/* One event as seen from one subject; strings borrowed, NULL when unknown. */
struct sl_cx_input {
	enum sl_cx_kind kind;
	int64_t time_us;		/* packet time of the event */
	const char *role;		/* caller, callee, sender, receiver, subscriber */
	const char *subject;		/* the subject's pseudonym for this recipient (64 hex) */
	const char *peer;		/* the other party's pseudonym, only if it consented too; else NULL */
	uint32_t consented;		/* categories the subject's consent allows at time_us */
	const char *pani;		/* P-Access-Network-Info of a message the subject sent */
	const struct sl_cell *cell;	/* else the cell capture gave the event (a bound UE's ULI) */
	const char *imei;		/* the subject's device (15 digits) */
	/* calls (the end step) */
	bool answered;
	int64_t duration_us;
	const char *outcome;		/* bye, cancel, rejected, ... */
	/* registrations */
	const char *result;		/* registered, deregistered */
};

#define SL_CX_LOC_MAX 24
/* The minimised record. */
struct sl_cx_record {
	enum sl_cx_kind kind;
	int64_t time_s;			/* bucketed: floor(time / bucket) * bucket, seconds */
	const char *role;
	char subject[SL_CONSENT_PSEUDONYM_HEXLEN + 1];
	char peer[SL_CONSENT_PSEUDONYM_HEXLEN + 1];	/* "" when withheld */
	bool has_call;			/* call fields present (call-metadata consented) */
	bool answered;
	int64_t duration_s;		/* whole seconds, rounded down */
	const char *outcome;
	const char *result;
	const char *access;		/* eutran, utran, geran; NULL: no location */
	char location[SL_CX_LOC_MAX];	/* the cell or area digits */
	bool location_is_cell;
	char tac[9];			/* "" when no device */
};

/* The primary category of a kind: without it nothing of the event flows. */
enum sl_consent_category sl_cx_primary_category(enum sl_cx_kind kind);

/*
 * Coarsens a P-Access-Network-Info value: on success *access is set and
 * out holds the cell identity (granularity cell) or the area (cell
 * identity dropped); false (nothing) for granularity none, an access type
 * or cell format this rule does not know, or malformed digits.
 */
bool sl_cx_location(const char *pani, enum sl_cx_granularity g, const char **access, char *out, size_t cap);
/*
 * The same rule on a cell capture already split into its parts: the
 * digits the header form of that cell would carry (MCC, MNC, the area as
 * 4 hex digits, the cell identity as 7 or 4), so the result is the one
 * sl_cx_location() gives for that header; NR and unknown accesses, an MCC
 * and MNC that are not 5 or 6 decimal digits together: false.
 */
bool sl_cx_location_cell(const struct sl_cell *c, enum sl_cx_granularity g, const char **access, char *out,
			 size_t cap);
/* The location of in: its pani by sl_cx_location() if set, else its cell by sl_cx_location_cell(). */
bool sl_cx_input_location(const struct sl_cx_input *in, enum sl_cx_granularity g, const char **access, char *out,
			  size_t cap);

/*
 * Minimises in into *out under policy. false when nothing of the event may
 * flow (the primary category not both consented and received, a
 * registration without location, a missing subject).
 */
bool sl_cx_minimise(const struct sl_cx_policy *policy, const struct sl_cx_input *in, struct sl_cx_record *out);

/* The record's JSON line (docs/consent.md, "Export records"), LF included; bytes written or 0 if cap is short. */
size_t sl_cx_render(const struct sl_cx_record *r, char *buf, size_t cap);
