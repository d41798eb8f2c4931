/*
 * Recipient pseudonyms: key derivation and the keyed hash (see
 * consent_pseudonym.h; docs/consent.md specifies every byte).
 *
 *   K_r,e = HKDF-SHA256(salt = "sluice-consent-pseudonym-v1",
 *                       IKM  = master key (32 bytes),
 *                       info = "recipient" 0x00 name 0x00 epoch (8 bytes, big-endian),
 *                       L    = 32)
 *   pseudonym = lowercase hex of HMAC-SHA256(K_r,e, type 0x00 value)
 *
 * Both primitives go through OpenSSL 3's EVP_MAC and EVP_KDF interfaces;
 * derived keys live on the stack and are wiped before returning.
 */
#include "mediation/consent/consent_pseudonym.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <talloc.h>

#include "mediation/audit/keys.h"

static const char salt[] = "sluice-consent-pseudonym-v1";

int sl_consent_master_keygen(void *ctx, const char *path, char **err)
{
	return sl_audit_pseudo_keygen(ctx, path, err);
}

int sl_consent_master_key_load(void *ctx, const char *path, uint8_t key[SL_CONSENT_MASTER_KEY_LEN], char **err)
{
	return sl_audit_pseudo_key_load(ctx, path, key, err);
}

uint64_t sl_consent_epoch(int64_t time_us, uint32_t period_s)
{
	if (!period_s)
		period_s = SL_CONSENT_DEFAULT_EPOCH_S;
	if (time_us < 0)
		return 0;
	return (uint64_t)time_us / 1000000u / period_s;
}

int sl_consent_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outl = 0;
	int ok = c && EVP_MAC_init(c, key, key_len, params) && EVP_MAC_update(c, data, len) &&
		 EVP_MAC_final(c, out, &outl, 32) && outl == 32;

	EVP_MAC_CTX_free(c);
	EVP_MAC_free(mac);
	return ok ? 0 : -EIO;
}

int sl_consent_hkdf_sha256(const uint8_t *s, size_t s_len, const uint8_t *ikm, size_t ikm_len, const uint8_t *info,
			   size_t info_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)s, s_len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
		OSSL_PARAM_construct_end(),
	};
	int ok = c && EVP_KDF_derive(c, out, out_len, params) > 0;

	EVP_KDF_CTX_free(c);
	EVP_KDF_free(kdf);
	return ok ? 0 : -EIO;
}

int sl_consent_recipient_key(const uint8_t master[SL_CONSENT_MASTER_KEY_LEN], const char *recipient, uint64_t epoch,
			     uint8_t key[32])
{
	uint8_t info[10 + SL_CONSENT_NAME_MAX + 1 + 8];
	size_t n, off = 0;
	unsigned i;

	if (!sl_consent_token_valid(recipient, SL_CONSENT_NAME_MAX))
		return -EINVAL;
	n = strlen(recipient);
	memcpy(info, "recipient", 9);
	off = 9;
	info[off++] = 0;
	memcpy(info + off, recipient, n);
	off += n;
	info[off++] = 0;
	for (i = 0; i < 8; i++)
		info[off++] = (uint8_t)(epoch >> (56 - 8 * i));
	return sl_consent_hkdf_sha256((const uint8_t *)salt, sizeof(salt) - 1, master, SL_CONSENT_MASTER_KEY_LEN, info,
				      off, key, 32);
}

int sl_consent_pseudonym_keyed(const uint8_t key[32], const struct sl_consent_subject *subject,
			       char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t mac[32], msg[8 + SL_CONSENT_SUBJECT_MAX + 1];
	const char *type;
	size_t tl, vl;
	unsigned i;
	int rc;

	if ((unsigned)subject->type >= _SL_CONSENT_SUBJ_COUNT)
		return -EINVAL;
	type = sl_consent_subject_type_names[subject->type];
	tl = strlen(type);
	vl = strnlen(subject->value, sizeof(subject->value));
	if (vl == sizeof(subject->value) || tl > 7)
		return -EINVAL;
	memcpy(msg, type, tl);
	msg[tl] = 0;
	memcpy(msg + tl + 1, subject->value, vl);
	rc = sl_consent_hmac_sha256(key, 32, msg, tl + 1 + vl, mac);
	if (rc)
		return rc;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

int sl_consent_pseudonym(const uint8_t master[SL_CONSENT_MASTER_KEY_LEN], const char *recipient, uint64_t epoch,
			 const struct sl_consent_subject *subject, char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1])
{
	uint8_t key[32];
	int rc;

	rc = sl_consent_recipient_key(master, recipient, epoch, key);
	if (!rc)
		rc = sl_consent_pseudonym_keyed(key, subject, out);
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/*
 * The pseudonymiser keeps one HMAC context keyed with the recipient key:
 * each pseudonym re-initialises it with the same key (EVP_MAC_init with
 * a NULL key keeps the key, OpenSSL 3 HMAC) instead of fetching the
 * algorithm and setting the key again.
 */
struct sl_consent_pseudonymiser {
	EVP_MAC *mac;
	EVP_MAC_CTX *c;
	bool keyed;
};

static int pseudonymiser_destructor(struct sl_consent_pseudonymiser *p)
{
	EVP_MAC_CTX_free(p->c);
	EVP_MAC_free(p->mac);
	return 0;
}

struct sl_consent_pseudonymiser *sl_consent_pseudonymiser_alloc(void *ctx)
{
	struct sl_consent_pseudonymiser *p = talloc_zero(ctx, struct sl_consent_pseudonymiser);

	if (!p)
		return NULL;
	talloc_set_destructor(p, pseudonymiser_destructor);
	p->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	p->c = p->mac ? EVP_MAC_CTX_new(p->mac) : NULL;
	if (!p->c) {
		talloc_free(p);
		return NULL;
	}
	return p;
}

int sl_consent_pseudonymiser_key(struct sl_consent_pseudonymiser *p, const uint8_t key[32])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	p->keyed = EVP_MAC_init(p->c, key, 32, params) == 1;
	return p->keyed ? 0 : -EIO;
}

int sl_consent_pseudonymise(struct sl_consent_pseudonymiser *p, const struct sl_consent_subject *subject,
			    char out[SL_CONSENT_PSEUDONYM_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t mac[32], msg[8 + SL_CONSENT_SUBJECT_MAX + 1];
	const char *type;
	size_t tl, vl, outl = 0;
	unsigned i;

	if (!p->keyed || (unsigned)subject->type >= _SL_CONSENT_SUBJ_COUNT)
		return -EINVAL;
	type = sl_consent_subject_type_names[subject->type];
	tl = strlen(type);
	vl = strnlen(subject->value, sizeof(subject->value));
	if (vl == sizeof(subject->value) || tl > 7)
		return -EINVAL;
	memcpy(msg, type, tl);
	msg[tl] = 0;
	memcpy(msg + tl + 1, subject->value, vl);
	if (EVP_MAC_init(p->c, NULL, 0, NULL) != 1 || EVP_MAC_update(p->c, msg, tl + 1 + vl) != 1 ||
	    EVP_MAC_final(p->c, mac, &outl, sizeof(mac)) != 1 || outl != 32)
		return -EIO;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
