/*
 * The consent counter group: one counter per decision reason of
 * consent_policy.h, in the same order, and the index's refresh counters.
 * Kept apart from the predicate and the index (both use it) so neither
 * file depends on the other for it; `sluice counters` prints it into
 * docs/counters.md.
 */
#include "mediation/consent/consent_policy.h"

#include <osmocom/core/stats.h>

const char *const sl_consent_reason_names[_SL_CONSENT_REASON_COUNT] = {
	[SL_CONSENT_ALLOWED] = "allowed",
	[SL_CONSENT_DENY_CONTENT] = "content",
	[SL_CONSENT_DENY_BAD_REQUEST] = "bad-request",
	[SL_CONSENT_DENY_NO_RECORD] = "no-record",
	[SL_CONSENT_DENY_REFUSED] = "refused",
	[SL_CONSENT_DENY_WITHDRAWN] = "withdrawn",
	[SL_CONSENT_DENY_EXPIRED] = "expired",
	[SL_CONSENT_DENY_INVALIDATED] = "invalidated",
	[SL_CONSENT_DENY_NOT_YET_VALID] = "not-yet-valid",
	[SL_CONSENT_DENY_CATEGORY] = "category-not-covered",
};

static const struct rate_ctr_desc consent_ctr_desc[_SL_CONSENT_CTR_COUNT] = {
	[SL_CONSENT_ALLOWED] = { "decisions:allowed",
				 "Requests a given, current consent covered (recipient, purpose, category, time)" },
	[SL_CONSENT_DENY_CONTENT] = { "denied:content",
				      "Requests for content (text, bodies, media), which never flows on this path" },
	[SL_CONSENT_DENY_BAD_REQUEST] = { "denied:bad-request",
					  "Requests with an unknown purpose or category, or no subject or recipient" },
	[SL_CONSENT_DENY_NO_RECORD] = { "denied:no-record",
					"Requests with no consent record for the subject, recipient and purpose" },
	[SL_CONSENT_DENY_REFUSED] = { "denied:refused", "Requests the subject refused consent for" },
	[SL_CONSENT_DENY_WITHDRAWN] = { "denied:withdrawn", "Requests under a consent the subject withdrew" },
	[SL_CONSENT_DENY_EXPIRED] = { "denied:expired",
				      "Requests under a consent that expired (marked, or past its valid_until)" },
	[SL_CONSENT_DENY_INVALIDATED] = { "denied:invalidated",
					  "Requests under a consent a newer notice version invalidated" },
	[SL_CONSENT_DENY_NOT_YET_VALID] = { "denied:not-yet-valid",
					    "Requests before the consent's valid_from" },
	[SL_CONSENT_DENY_CATEGORY] = { "denied:category-not-covered",
				       "Requests for a data category the consent does not cover" },
	[SL_CONSENT_CTR_REFRESHED] = { "index:refreshed", "Index refreshes that applied changes from the database" },
	[SL_CONSENT_CTR_REFRESH_FAILED] = { "index:refresh-failed",
					    "Index refreshes that could not read the database (the index kept its state)" },
};

const struct rate_ctr_group_desc sl_consent_ctrg_desc = {
	.group_name_prefix = "consent",
	.group_description = "Consent decisions on the commercial path, by reason (deny by default), and the index",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_CONSENT_CTR_COUNT,
	.ctr_desc = consent_ctr_desc,
};
