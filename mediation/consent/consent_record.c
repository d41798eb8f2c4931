/*
 * The consent record's closed lists and syntax rules (see consent_record.h).
 *
 * The name tables below are the only place a code is spelled: the parser,
 * the encoder, the store's columns and docs/consent.md all use them, so a
 * code added here appears everywhere at once. Purposes, legal bases and
 * statuses carry their W3C DPV names ("dpv:" prefix); categories and
 * collection methods are sluice's own short names. The checks are pure
 * functions over a record value: they name the JSON field that is wrong so
 * that callers can say where the problem is.
 */
#include "mediation/consent/consent_record.h"

#include <errno.h>
#include <string.h>

#include <talloc.h>

const char *const sl_consent_subject_type_names[_SL_CONSENT_SUBJ_COUNT] = {
	[SL_CONSENT_SUBJ_MSISDN] = "msisdn",
	[SL_CONSENT_SUBJ_IMSI] = "imsi",
};

const char *const sl_consent_purpose_names[_SL_CONSENT_P_COUNT] = {
	[SL_CONSENT_P_SERVICE_PROVISION] = "dpv:ServiceProvision",
	[SL_CONSENT_P_SERVICE_OPTIMISATION] = "dpv:ServiceOptimisation",
	[SL_CONSENT_P_MARKETING] = "dpv:Marketing",
	[SL_CONSENT_P_PERSONALISED_ADVERTISING] = "dpv:PersonalisedAdvertising",
	[SL_CONSENT_P_RESEARCH_AND_DEVELOPMENT] = "dpv:ResearchAndDevelopment",
	[SL_CONSENT_P_COMMERCIAL_RESEARCH] = "dpv:CommercialResearch",
	[SL_CONSENT_P_ACADEMIC_RESEARCH] = "dpv:AcademicResearch",
	[SL_CONSENT_P_FRAUD_PREVENTION] = "dpv:FraudPreventionAndDetection",
};

const char *const sl_consent_category_names[_SL_CONSENT_CAT_COUNT] = {
	[SL_CONSENT_CAT_CALL_METADATA] = "call-metadata",
	[SL_CONSENT_CAT_MESSAGING_METADATA] = "messaging-metadata",
	[SL_CONSENT_CAT_LOCATION] = "location",
	[SL_CONSENT_CAT_DEVICE] = "device",
	[SL_CONSENT_CAT_CONTENT] = "content",
};

const char *const sl_consent_legal_basis_names[_SL_CONSENT_LB_COUNT] = {
	[SL_CONSENT_LB_CONSENT] = "dpv:Consent",
	[SL_CONSENT_LB_EXPLICIT_CONSENT] = "dpv:ExplicitlyExpressedConsent",
	[SL_CONSENT_LB_CONTRACT] = "dpv:Contract",
	[SL_CONSENT_LB_LEGITIMATE_INTEREST] = "dpv:LegitimateInterest",
};

const char *const sl_consent_status_names[_SL_CONSENT_STATUS_COUNT] = {
	[SL_CONSENT_GIVEN] = "dpv:ConsentGiven",
	[SL_CONSENT_REFUSED] = "dpv:ConsentRefused",
	[SL_CONSENT_WITHDRAWN] = "dpv:ConsentWithdrawn",
	[SL_CONSENT_EXPIRED] = "dpv:ConsentExpired",
	[SL_CONSENT_INVALIDATED] = "dpv:ConsentInvalidated",
};

const char *const sl_consent_method_names[_SL_CONSENT_M_COUNT] = {
	[SL_CONSENT_M_APP] = "app",
	[SL_CONSENT_M_WEB] = "web",
	[SL_CONSENT_M_SMS] = "sms",
	[SL_CONSENT_M_VOICE] = "voice",
	[SL_CONSENT_M_IN_PERSON] = "in-person",
	[SL_CONSENT_M_PAPER] = "paper",
};

int sl_consent_name_find(const char *const *table, unsigned n, const char *name)
{
	unsigned i;

	if (!name)
		return -1;
	for (i = 0; i < n; i++)
		if (table[i] && !strcmp(table[i], name))
			return (int)i;
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool sl_consent_token_valid(const char *s, size_t max)
{
	size_t i;

	if (!s || !s[0])
		return false;
	for (i = 0; s[i]; i++) {
		if (i >= max)
			return false;
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != ':' && s[i] != '-')
			return false;
	}
	return true;
}

bool sl_consent_lang_valid(const char *s)
{
	size_t i = 0, n;

	if (!s)
		return false;
	while (s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	if (!s[i])
		return true;
	if (s[i] != '-')
		return false;
	s += i + 1;
	for (n = 0; s[n]; n++)
		if (!is_alnum(s[n]))
			return false;
	return n >= 2 && n <= 8;
}

int sl_consent_subject_set(struct sl_consent_subject *out, enum sl_consent_subject_type type, const char *value)
{
	const char *d = value;
	size_t n;

	if (!value || (unsigned)type >= _SL_CONSENT_SUBJ_COUNT)
		return -EINVAL;
	if (type == SL_CONSENT_SUBJ_MSISDN) {
		if (*d != '+')
			return -EINVAL;
		d++;
	}
	for (n = 0; d[n]; n++)
		if (!is_digit(d[n]) || n >= 15)
			return -EINVAL;
	if (n < 6)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->type = type;
	memcpy(out->value, value, strlen(value));
	return 0;
}

int sl_consent_subject_parse(const char *s, struct sl_consent_subject *out)
{
	const char *colon;
	unsigned t;

	if (!s || !(colon = strchr(s, ':')))
		return -EINVAL;
	for (t = 0; t < _SL_CONSENT_SUBJ_COUNT; t++) {
		size_t n = strlen(sl_consent_subject_type_names[t]);
		if ((size_t)(colon - s) == n && !memcmp(s, sl_consent_subject_type_names[t], n))
			return sl_consent_subject_set(out, (enum sl_consent_subject_type)t, colon + 1);
	}
	return -EINVAL;
}

#define BAD(f, w)                                                                                                     \
	do {                                                                                                          \
		*field = (f);                                                                                         \
		*why = (w);                                                                                           \
		return -EINVAL;                                                                                       \
	} while (0)

int sl_consent_record_check(const struct sl_consent_record *r, const char **field, const char **why)
{
	struct sl_consent_subject s;
	unsigned i;

	if (!sl_consent_token_valid(r->id, SL_CONSENT_ID_MAX))
		BAD("id", "must be 1..64 characters of A-Z a-z 0-9 . _ : -");
	if (sl_consent_subject_set(&s, r->subject.type, r->subject.value) < 0)
		BAD("subject", "must be an msisdn (+ and 6..15 digits) or an imsi (6..15 digits)");
	if (!sl_consent_token_valid(r->controller, SL_CONSENT_NAME_MAX))
		BAD("controller", "must be 1..64 characters of A-Z a-z 0-9 . _ : -");
	if (!sl_consent_token_valid(r->recipient, SL_CONSENT_NAME_MAX))
		BAD("recipient", "must be 1..64 characters of A-Z a-z 0-9 . _ : -");
	if ((unsigned)r->purpose >= _SL_CONSENT_P_COUNT)
		BAD("purpose", "unknown purpose");
	if (!r->categories)
		BAD("categories", "must name at least one category");
	if (r->categories & ~(uint32_t)SL_CONSENT_CATS_COVERABLE)
		BAD("categories", "content can never be consented to on this path");
	if ((unsigned)r->legal_basis >= _SL_CONSENT_LB_COUNT)
		BAD("legal_basis", "unknown legal basis");
	if ((unsigned)r->status >= _SL_CONSENT_STATUS_COUNT)
		BAD("status", "unknown status");
	if (r->valid_from_us < 0)
		BAD("valid_from", "must not be before 1970");
	if (r->valid_until_us <= r->valid_from_us)
		BAD("valid_until", "must be after valid_from");
	if ((unsigned)r->method >= _SL_CONSENT_M_COUNT)
		BAD("collection_method", "unknown collection method");
	if (!sl_consent_token_valid(r->notice_version, SL_CONSENT_NOTICE_MAX))
		BAD("notice_version", "must be 1..32 characters of A-Z a-z 0-9 . _ : -");
	if (!sl_consent_lang_valid(r->notice_language))
		BAD("notice_language", "must be a language tag such as en or de-CH");
	if (!r->n_history || !r->history)
		BAD("history", "must hold at least one status change");
	if (r->n_history > SL_CONSENT_HISTORY_MAX)
		BAD("history", "more than 256 status changes");
	for (i = 0; i < r->n_history; i++) {
		if ((unsigned)r->history[i].status >= _SL_CONSENT_STATUS_COUNT)
			BAD("history", "unknown status");
		if (r->history[i].time_us < 0)
			BAD("history", "time before 1970");
		if (i && r->history[i].time_us < r->history[i - 1].time_us)
			BAD("history", "times must not decrease");
	}
	if (r->history[r->n_history - 1].status != r->status)
		BAD("status", "must equal the last history entry's status");
	return 0;
}

int sl_consent_record_push(void *hctx, struct sl_consent_record *r, enum sl_consent_status st, int64_t time_us)
{
	struct sl_consent_change_ev *h;

	if (r->n_history >= SL_CONSENT_HISTORY_MAX)
		return -E2BIG;
	h = talloc_realloc(hctx, r->history, struct sl_consent_change_ev, r->n_history + 1);
	if (!h)
		return -ENOMEM;
	h[r->n_history].status = st;
	h[r->n_history].time_us = time_us;
	r->history = h;
	r->n_history++;
	r->status = st;
	return 0;
}
