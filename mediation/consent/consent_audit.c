/*
 * consent.change fields from one status change of the registry
 * (docs/audit.md): record id, recipient, purpose, the new status as the
 * catalogue's word, categories and notice version, and the subject only
 * as a keyed pseudonym under the audit pseudonym key. Used by every
 * writer of the registry that keeps an audit log (`sluice consent`, the
 * daemon's HTTPS API), so their records cannot drift apart.
 */
#include <jansson.h>

#include "mediation/audit/record.h"
#include "mediation/consent/consent_audit.h"

const char *const sl_consent_audit_state_words[_SL_CONSENT_STATUS_COUNT] = {
	[SL_CONSENT_GIVEN] = "granted",		  /* dpv:ConsentGiven */
	[SL_CONSENT_REFUSED] = "refused",	  /* dpv:ConsentRefused */
	[SL_CONSENT_WITHDRAWN] = "withdrawn",	  /* dpv:ConsentWithdrawn */
	[SL_CONSENT_EXPIRED] = "expired",	  /* dpv:ConsentExpired */
	[SL_CONSENT_INVALIDATED] = "invalidated", /* dpv:ConsentInvalidated */
};

json_t *sl_consent_change_fields(const uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], const struct sl_consent_change *c)
{
	char pseudo[SL_AUDIT_PSEUDONYM_STRLEN];
	json_t *cats = json_array(), *f;
	const char *why;
	unsigned i;

	if (!cats || sl_audit_pseudonym(key, sl_consent_subject_type_names[c->subject->type], c->subject->value,
					pseudo) < 0) {
		json_decref(cats);
		return NULL;
	}
	for (i = 0; i < _SL_CONSENT_CAT_COUNT; i++)
		if (c->categories & SL_CONSENT_CAT_BIT(i))
			json_array_append_new(cats, json_string(sl_consent_category_names[i]));
	f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s}", "consent_id", c->id, "subject", pseudo, "recipient",
		      c->recipient, "purpose", sl_consent_purpose_names[c->purpose], "state",
		      sl_consent_audit_state_words[c->status], "categories", cats, "notice_version", c->notice_version);
	if (!f || !sl_audit_fields_check("consent.change", f, &why)) {
		json_decref(f);
		return NULL;
	}
	return f;
}
