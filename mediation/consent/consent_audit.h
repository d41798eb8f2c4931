/*
 * The audit record of a consent change (docs/audit.md, consent.change;
 * docs/consent.md, "Audit"): shared by `sluice consent` and the daemon's
 * HTTPS API, so both write the same fields the same way.
 */
#pragma once

#include <stdint.h>

#include <jansson.h>

#include "mediation/audit/keys.h"
#include "mediation/consent/consent_store.h"

/* The catalogue's word for a status: granted, refused, withdrawn, expired, invalidated. */
extern const char *const sl_consent_audit_state_words[_SL_CONSENT_STATUS_COUNT];

/*
 * The fields of the consent.change record for c (subject as a pseudonym
 * under key, never in clear), checked against the catalogue; a new JSON
 * object, or NULL.
 */
json_t *sl_consent_change_fields(const uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], const struct sl_consent_change *c);
