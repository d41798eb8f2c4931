/*
 * SHA-256 as the audit log uses it: the RFC 6962 section 2.1 leaf hash
 * SHA-256(0x00 || record) and node hash SHA-256(0x01 || left || right),
 * and plain SHA-256 for digests. One hasher keeps one fetched EVP_MD and
 * one EVP_MD_CTX so that hashing millions of records costs no per-call
 * algorithm lookup (OpenSSL 3's one-shot SHA256() fetches every time).
 *
 * Ownership: a hasher is a talloc object; its OpenSSL state is freed by
 * its destructor. Not thread-safe (one per thread of use).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SL_AUDIT_HASH_LEN 32

struct sl_audit_hasher;

/* A new hasher on ctx, or NULL (allocation or OpenSSL failure). */
struct sl_audit_hasher *sl_audit_hasher_new(void *ctx);

/* SHA-256(0x00 || rec). */
void sl_audit_leaf_hash(struct sl_audit_hasher *h, const uint8_t *rec, size_t len, uint8_t out[SL_AUDIT_HASH_LEN]);

/* SHA-256(0x01 || left || right). out may alias left or right. */
void sl_audit_node_hash(struct sl_audit_hasher *h, const uint8_t left[SL_AUDIT_HASH_LEN],
			const uint8_t right[SL_AUDIT_HASH_LEN], uint8_t out[SL_AUDIT_HASH_LEN]);

/* Plain SHA-256 of a buffer. */
void sl_audit_sha256(struct sl_audit_hasher *h, const void *p, size_t len, uint8_t out[SL_AUDIT_HASH_LEN]);

/* "sha256:" and 64 lowercase hex digits of SHA-256(p), NUL-terminated (72 bytes). */
#define SL_AUDIT_DIGEST_STRLEN 72
void sl_audit_digest_str(struct sl_audit_hasher *h, const void *p, size_t len, char out[SL_AUDIT_DIGEST_STRLEN]);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void sl_audit_hex(const uint8_t *p, size_t n, char *out);
