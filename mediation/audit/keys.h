/*
 * Key files of the audit log (docs/audit.md, "Keys"):
 *   - the signing key: an Ed25519 private key as PEM PKCS#8 ("BEGIN
 *     PRIVATE KEY", what `openssl genpkey -algorithm ed25519` writes),
 *     mode 0600; loading refuses a file that group or others may read or
 *     write, or that is not a regular file;
 *   - the verifier key: one line, the C2SP verifier key string, for
 *     auditors and `sluice audit verify --key`;
 *   - the pseudonym key: 32 random bytes as one line of 64 lowercase hex
 *     digits, mode 0600, same permission rule; separate from the signing
 *     key so that it can be rotated or escrowed on its own.
 * Errors come back as -errno with a message naming the file.
 */
#pragma once

#include <stdint.h>

#include "mediation/audit/note.h"

/*
 * Writes a new Ed25519 key pair: key_path (created, never overwritten,
 * 0600) and vkey_path (0644). On failure -errno and *err (talloc on ctx).
 */
int sl_audit_keygen(void *ctx, struct sl_audit_hasher *h, const char *name, const char *key_path,
		    const char *vkey_path, char **err);

/* Loads a signing key for name from key_path (permission rule above). NULL and *err on failure. */
struct sl_audit_skey *sl_audit_skey_load(void *ctx, struct sl_audit_hasher *h, const char *key_path,
					 const char *name, char **err);

/* Reads a verifier key file (first non-empty line). false and *err on failure. */
bool sl_audit_vkey_load(void *ctx, struct sl_audit_hasher *h, const char *path, struct sl_audit_vkey *out,
			char **err);

#define SL_AUDIT_PSEUDO_KEY_LEN 32
/* Writes a new pseudonym key file (created, never overwritten, 0600). */
int sl_audit_pseudo_keygen(void *ctx, const char *path, char **err);
int sl_audit_pseudo_key_load(void *ctx, const char *path, uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], char **err);

/*
 * The keyed pseudonym of one subscriber identity: "hmac-sha256:" and 64
 * lowercase hex digits of HMAC-SHA256(key, type || 0x00 || value), where
 * type names the identity kind ("imsi", "msisdn", "sip-uri", ...), so the
 * same digits under two kinds never collide. out holds 77 bytes.
 */
#define SL_AUDIT_PSEUDONYM_STRLEN 77
int sl_audit_pseudonym(const uint8_t key[SL_AUDIT_PSEUDO_KEY_LEN], const char *type, const char *value,
		       char out[SL_AUDIT_PSEUDONYM_STRLEN]);
