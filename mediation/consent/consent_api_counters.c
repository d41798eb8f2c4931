/*
 * The consent_api counter group: every answer of the consent HTTPS API
 * counted by its outcome, one counter per HTTP status the API gives
 * (docs/consent.md, "Errors"), and the consent changes it committed. An
 * operator alerts on unauthorized and forbidden (a misconfigured or
 * probing client) and on unavailable (the database or the audit log).
 */
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>

#include "mediation/consent/consent_api.h"

static const struct rate_ctr_desc capi_ctr_desc[_SL_CAPI_CTR_COUNT] = {
	[SL_CAPI_CTR_OK] = { "answers:ok", "Calls answered 200 or 201" },
	[SL_CAPI_CTR_BAD_REQUEST] = { "answers:bad-request", "Calls refused 400: a body or path field (named)" },
	[SL_CAPI_CTR_UNAUTHORIZED] = { "answers:unauthorized", "Calls refused 401: no bearer token, or an unknown one" },
	[SL_CAPI_CTR_FORBIDDEN] = { "answers:forbidden", "Calls refused 403: the token's role may not do this" },
	[SL_CAPI_CTR_NOT_FOUND] = { "answers:not-found", "Calls answered 404: no such endpoint or record id" },
	[SL_CAPI_CTR_METHOD] = { "answers:method-not-allowed", "Calls answered 405: the path exists with another method" },
	[SL_CAPI_CTR_CONFLICT] = { "answers:conflict",
				   "Calls refused 409: not given, a superseded notice, an id of another record" },
	[SL_CAPI_CTR_TOO_LARGE] = { "answers:too-large", "Calls refused 413: a body over 32768 bytes" },
	[SL_CAPI_CTR_UNAVAILABLE] = { "answers:unavailable",
				      "Calls answered 503: the database or the audit log could not be used" },
	[SL_CAPI_CTR_CHANGES] = { "changes:committed", "Grants and withdrawals committed (with their audit records)" },
};

const struct rate_ctr_group_desc sl_capi_ctrg_desc = {
	.group_name_prefix = "consent_api",
	.group_description = "Answers of the consent HTTPS API in sluiced, by outcome, and the changes it committed",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_CAPI_CTR_COUNT,
	.ctr_desc = capi_ctr_desc,
};

enum sl_capi_ctr sl_capi_ctr_for_status(unsigned status)
{
	switch (status) {
	case 200:
	case 201: return SL_CAPI_CTR_OK;
	case 400: return SL_CAPI_CTR_BAD_REQUEST;
	case 401: return SL_CAPI_CTR_UNAUTHORIZED;
	case 403: return SL_CAPI_CTR_FORBIDDEN;
	case 404: return SL_CAPI_CTR_NOT_FOUND;
	case 405: return SL_CAPI_CTR_METHOD;
	case 409: return SL_CAPI_CTR_CONFLICT;
	case 413: return SL_CAPI_CTR_TOO_LARGE;
	default: return SL_CAPI_CTR_UNAVAILABLE;
	}
}
