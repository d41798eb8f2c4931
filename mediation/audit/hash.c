/*
 * RFC 6962 leaf and node hashes over a reused OpenSSL digest context (see
 * hash.h). An OpenSSL failure here (out of memory inside the provider) has
 * no sensible recovery for a log whose every byte is hashed, so it aborts
 * rather than hand back an unset hash that would later verify as garbage.
 */
#include "mediation/audit/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <talloc.h>

struct sl_audit_hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

static int hasher_free(struct sl_audit_hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	return 0;
}

struct sl_audit_hasher *sl_audit_hasher_new(void *ctx)
{
	struct sl_audit_hasher *h = talloc_zero(ctx, struct sl_audit_hasher);

	if (!h)
		return NULL;
	talloc_set_destructor(h, hasher_free);
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx) {
		talloc_free(h);
		return NULL;
	}
	return h;
}

static void fail(const char *what)
{
	fprintf(stderr, "audit: SHA-256 %s failed inside OpenSSL\n", what);
	abort();
}

static void hash3(struct sl_audit_hasher *h, const void *a, size_t an, const void *b, size_t bn, const void *c,
		  size_t cn, uint8_t out[SL_AUDIT_HASH_LEN])
{
	unsigned int olen = 0;

	if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL))
		fail("init");
	if ((an && !EVP_DigestUpdate(h->ctx, a, an)) || (bn && !EVP_DigestUpdate(h->ctx, b, bn)) ||
	    (cn && !EVP_DigestUpdate(h->ctx, c, cn)))
		fail("update");
	if (!EVP_DigestFinal_ex(h->ctx, out, &olen) || olen != SL_AUDIT_HASH_LEN)
		fail("final");
}

void sl_audit_leaf_hash(struct sl_audit_hasher *h, const uint8_t *rec, size_t len, uint8_t out[SL_AUDIT_HASH_LEN])
{
	static const uint8_t zero = 0x00;

	hash3(h, &zero, 1, rec, len, NULL, 0, out);
}

void sl_audit_node_hash(struct sl_audit_hasher *h, const uint8_t left[SL_AUDIT_HASH_LEN],
			const uint8_t right[SL_AUDIT_HASH_LEN], uint8_t out[SL_AUDIT_HASH_LEN])
{
	uint8_t buf[1 + 2 * SL_AUDIT_HASH_LEN];

	/* One contiguous input: one update call, and out may alias an input. */
	buf[0] = 0x01;
	memcpy(buf + 1, left, SL_AUDIT_HASH_LEN);
	memcpy(buf + 1 + SL_AUDIT_HASH_LEN, right, SL_AUDIT_HASH_LEN);
	hash3(h, buf, sizeof(buf), NULL, 0, NULL, 0, out);
}

void sl_audit_sha256(struct sl_audit_hasher *h, const void *p, size_t len, uint8_t out[SL_AUDIT_HASH_LEN])
{
	hash3(h, p, len, NULL, 0, NULL, 0, out);
}

void sl_audit_hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void sl_audit_digest_str(struct sl_audit_hasher *h, const void *p, size_t len, char out[SL_AUDIT_DIGEST_STRLEN])
{
	uint8_t d[SL_AUDIT_HASH_LEN];

	sl_audit_sha256(h, p, len, d);
	memcpy(out, "sha256:", 7);
	sl_audit_hex(d, sizeof(d), out + 7);
}
