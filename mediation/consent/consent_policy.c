/*
 * The consent predicate (see consent_policy.h).
 *
 * Order of the checks, which fixes the reason given when several apply:
 * the request itself (content, then unknown codes), then the record for
 * exactly this subject, recipient and purpose (none: no-record), then
 * that record's status (anything but given is its own reason), then its
 * validity window at the request's time (before: not-yet-valid, at or
 * after valid_until: expired), then the category. Only a request that
 * passes every check is allowed. No I/O, no clock: the caller passes the
 * time, so the same inputs always give the same answer.
 */
#include "mediation/consent/consent_policy.h"

#include <stddef.h>
#include <string.h>

static const enum sl_consent_reason status_reason[_SL_CONSENT_STATUS_COUNT] = {
	[SL_CONSENT_GIVEN] = SL_CONSENT_ALLOWED,
	[SL_CONSENT_REFUSED] = SL_CONSENT_DENY_REFUSED,
	[SL_CONSENT_WITHDRAWN] = SL_CONSENT_DENY_WITHDRAWN,
	[SL_CONSENT_EXPIRED] = SL_CONSENT_DENY_EXPIRED,
	[SL_CONSENT_INVALIDATED] = SL_CONSENT_DENY_INVALIDATED,
};

/* The decision; hashed says whether hash is the subject's (else computed once the request is known sound). */
static enum sl_consent_reason decide(const struct sl_consent_index *ix, const struct sl_consent_subject *subject,
				     bool hashed, uint64_t hash, const char *recipient, enum sl_consent_purpose purpose,
				     enum sl_consent_category category, int64_t time_us)
{
	const struct sl_consent_ix_rec *r;
	int rid;

	if (category == SL_CONSENT_CAT_CONTENT)
		return SL_CONSENT_DENY_CONTENT;
	if ((unsigned)category >= _SL_CONSENT_CAT_COUNT || (unsigned)purpose >= _SL_CONSENT_P_COUNT || !subject ||
	    !recipient || (unsigned)subject->type >= _SL_CONSENT_SUBJ_COUNT ||
	    !memchr(subject->value, 0, sizeof(subject->value)))
		return SL_CONSENT_DENY_BAD_REQUEST;
	if (!hashed)
		hash = sl_consent_index_hash(subject);
	for (r = sl_consent_index_first_h(ix, subject, hash), rid = -1; r; r = sl_consent_index_next(ix, r)) {
		if (r->purpose != purpose)
			continue;
		if (rid < 0)
			rid = sl_consent_index_recipient(ix, recipient);
		if (r->recipient == rid)
			break;
	}
	if (!r)
		return SL_CONSENT_DENY_NO_RECORD;
	if (r->status >= _SL_CONSENT_STATUS_COUNT)
		return SL_CONSENT_DENY_BAD_REQUEST; /* cannot happen: the index stores checked codes */
	if (r->status != SL_CONSENT_GIVEN)
		return status_reason[r->status];
	if (time_us < r->valid_from_us)
		return SL_CONSENT_DENY_NOT_YET_VALID;
	if (time_us >= r->valid_until_us)
		return SL_CONSENT_DENY_EXPIRED;
	if (!(r->categories & SL_CONSENT_CAT_BIT(category)))
		return SL_CONSENT_DENY_CATEGORY;
	return SL_CONSENT_ALLOWED;
}

enum sl_consent_reason sl_consent_decide(const struct sl_consent_index *ix, const struct sl_consent_subject *subject,
					 const char *recipient, enum sl_consent_purpose purpose,
					 enum sl_consent_category category, int64_t time_us)
{
	return decide(ix, subject, false, 0, recipient, purpose, category, time_us);
}

enum sl_consent_reason sl_consent_decide_h(const struct sl_consent_index *ix,
					   const struct sl_consent_subject *subject, uint64_t hash,
					   const char *recipient, enum sl_consent_purpose purpose,
					   enum sl_consent_category category, int64_t time_us)
{
	return decide(ix, subject, true, hash, recipient, purpose, category, time_us);
}

static bool counted(struct sl_consent_index *ix, enum sl_consent_reason r, enum sl_consent_reason *why)
{
	rate_ctr_inc2(sl_consent_index_ctrs(ix), r);
	if (why)
		*why = r;
	return r == SL_CONSENT_ALLOWED;
}

bool sl_consent_allows(struct sl_consent_index *ix, const struct sl_consent_subject *subject, const char *recipient,
		       enum sl_consent_purpose purpose, enum sl_consent_category category, int64_t time_us,
		       enum sl_consent_reason *why)
{
	return counted(ix, decide(ix, subject, false, 0, recipient, purpose, category, time_us), why);
}

bool sl_consent_allows_h(struct sl_consent_index *ix, const struct sl_consent_subject *subject, uint64_t hash,
			 const char *recipient, enum sl_consent_purpose purpose, enum sl_consent_category category,
			 int64_t time_us, enum sl_consent_reason *why)
{
	return counted(ix, decide(ix, subject, true, hash, recipient, purpose, category, time_us), why);
}
