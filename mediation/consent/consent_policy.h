/*
 * The consent predicate: may this subject's data of this category go to
 * this recipient for this purpose at this time? One pure function decides
 * (sl_consent_decide), deny by default, with a named reason for every
 * answer; sl_consent_allows() is the same decision counted per reason in
 * the index's counter group (docs/counters.md, group `consent`).
 *
 * Content (message text, SMS bodies, media) never flows on the commercial
 * path: a request for SL_CONSENT_CAT_CONTENT is denied before any record
 * is looked at, whatever a record says.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "mediation/consent/consent_index.h"
#include "mediation/consent/consent_record.h"

/* Why a decision came out as it did; the first is the only "yes". */
enum sl_consent_reason {
	SL_CONSENT_ALLOWED,
	SL_CONSENT_DENY_CONTENT,	   /* content is never released on this path */
	SL_CONSENT_DENY_BAD_REQUEST,	   /* unknown purpose or category, missing subject or recipient */
	SL_CONSENT_DENY_NO_RECORD,	   /* no record for this subject, recipient and purpose */
	SL_CONSENT_DENY_REFUSED,	   /* the subject refused */
	SL_CONSENT_DENY_WITHDRAWN,	   /* the subject withdrew */
	SL_CONSENT_DENY_EXPIRED,	   /* marked expired, or given but past valid_until */
	SL_CONSENT_DENY_INVALIDATED,	   /* given under a notice version since superseded */
	SL_CONSENT_DENY_NOT_YET_VALID,	   /* given, but before valid_from */
	SL_CONSENT_DENY_CATEGORY,	   /* given and valid, but not for this category */
	_SL_CONSENT_REASON_COUNT
};
extern const char *const sl_consent_reason_names[_SL_CONSENT_REASON_COUNT];

/* The counter group: one counter per reason (same numbers), then the index's own. */
enum sl_consent_ctr {
	SL_CONSENT_CTR_REFRESHED = _SL_CONSENT_REASON_COUNT, /* index refreshes that applied changes */
	SL_CONSENT_CTR_REFRESH_FAILED,			      /* index refreshes that could not read the store */
	_SL_CONSENT_CTR_COUNT
};
extern const struct rate_ctr_group_desc sl_consent_ctrg_desc;

/* The decision, without side effects. time_us in UTC microseconds. */
enum sl_consent_reason sl_consent_decide(const struct sl_consent_index *ix, const struct sl_consent_subject *subject,
					 const char *recipient, enum sl_consent_purpose purpose,
					 enum sl_consent_category category, int64_t time_us);

/* The decision, counted. true only for SL_CONSENT_ALLOWED; *why (may be NULL) gets the reason. */
bool sl_consent_allows(struct sl_consent_index *ix, const struct sl_consent_subject *subject, const char *recipient,
		       enum sl_consent_purpose purpose, enum sl_consent_category category, int64_t time_us,
		       enum sl_consent_reason *why);
/*
 * The same with the subject's index hash given (sl_consent_index_hash()),
 * for a caller deciding about one subject several times. A wrong hash
 * can only turn an answer into no-record, never into allowed.
 */
enum sl_consent_reason sl_consent_decide_h(const struct sl_consent_index *ix,
					   const struct sl_consent_subject *subject, uint64_t hash,
					   const char *recipient, enum sl_consent_purpose purpose,
					   enum sl_consent_category category, int64_t time_us);
bool sl_consent_allows_h(struct sl_consent_index *ix, const struct sl_consent_subject *subject, uint64_t hash,
			 const char *recipient, enum sl_consent_purpose purpose, enum sl_consent_category category,
			 int64_t time_us, enum sl_consent_reason *why);
