/*
 * Pseudonyms for data recipients (docs/consent.md, "Pseudonyms").
 *
 * A recipient never sees a subscriber identity: it sees
 * HMAC-SHA256(K, type || 0x00 || value), where K is derived from the
 * operator's master key with HKDF-SHA256 (RFC 5869) and an info string
 * naming the recipient and the rotation epoch. Within one epoch a subject
 * keeps one pseudonym per recipient (so counts and joins work); two
 * recipients, or one recipient in two epochs, get unlinkable values,
 * since each key is an independent PRF output. The master key file is
 * kept with the gateway's secrets, never next to exports.
 *
 * The master key file has the audit pseudonym key's format (32 random
 * bytes as 64 lowercase hex digits and a newline, mode 0600, refused if
 * group or others can read it), so the audit library reads and writes it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "mediation/consent/consent_record.h"

#define SL_CONSENT_MASTER_KEY_LEN 32
#define SL_CONSENT_DEFAULT_EPOCH_S (30u * 86400u) /* rotation period: 30 days */
#define SL_CONSENT_PSEUDONYM_HEXLEN 64

/* Writes a new master key file (created, never overwritten, 0600). 0 or -errno with *err. */
int sl_consent_master_keygen(void *ctx, const char *path, char **err);
/* Loads a master key file. 0 or -errno with *err naming the file. */
int sl_consent_master_key_load(void *ctx, const char *path, uint8_t key[SL_CONSENT_MASTER_KEY_LEN], char **err);

/* The epoch of a time: floor(time / period), both from 1970-01-01T00:00:00Z; period_s 0 = default. */
uint64_t sl_consent_epoch(int64_t time_us, uint32_t period_s);

/* HMAC-SHA256 (the primitive, exposed for its known-answer test). 0 or -EIO. */
int sl_consent_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]);

/* HKDF-SHA256 (RFC 5869), extract and expand. 0 or -EIO. */
int sl_consent_hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
			   const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* The key of recipient in epoch. 0, -EINVAL (recipient not a valid name), -EIO. */
int sl_consent_recipient_key(const uint8_t master[SL_CONSENT_MASTER_KEY_LEN], const char *recipient, uint64_t epoch,
			     uint8_t key[32]);

/* The pseudonym of subject for recipient in epoch: 64 lowercase hex digits and a NUL. 0 or -errno. */
int sl_consent_pseudonym(const uint8_t master[SL_CONSENT_MASTER_KEY_LEN], const char *recipient, uint64_t epoch,
			 const struct sl_consent_subject *subject, char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1]);

/* The same with the recipient key already derived (the daemon caches one per recipient and epoch). 0 or -errno. */
int sl_consent_pseudonym_keyed(const uint8_t key[32], const struct sl_consent_subject *subject,
			       char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1]);

/*
 * A pseudonymiser for one recipient key at a time (the daemon keeps one
 * per recipient and re-keys it when the epoch changes): the same
 * pseudonyms as sl_consent_pseudonym(), without setting up the MAC each
 * time. A talloc object; NULL on failure.
 */
struct sl_consent_pseudonymiser;
struct sl_consent_pseudonymiser *sl_consent_pseudonymiser_alloc(void *ctx);
/* Keys it with a recipient key (sl_consent_recipient_key()). 0 or -EIO. */
int sl_consent_pseudonymiser_key(struct sl_consent_pseudonymiser *p, const uint8_t key[32]);
/* The pseudonym of subject under the current key. 0, -EINVAL (not keyed, bad subject), -EIO. */
int sl_consent_pseudonymise(struct sl_consent_pseudonymiser *p, const struct sl_consent_subject *subject,
			    char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1]);
