/*
 * Signed warrants: CMS (RFC 5652) SignedData around a warrant or
 * revocation document, checked against the trust anchors of the authority
 * the document names.
 *
 * An authority is what the operator trusts to issue warrants: a name and
 * country (as warrants write them), its trust anchors and, when
 * configured, its certificate revocation lists. A document is accepted
 * only when all of this holds, checked in this order so that the reason
 * given is the first one that fails:
 *   - the file is one CMS SignedData (DER or PEM) with the document inside
 *     (not detached) and exactly one signer;
 *   - the document parses (warrant.h) and names a configured authority;
 *   - the signature verifies over the document;
 *   - the signer's certificate chains to that authority's anchors, has a
 *     key usage that allows signing (digitalSignature or nonRepudiation;
 *     S/MIME signing purpose when it lists extended usages) and is not
 *     revoked (CRLs when configured), both at signing time (the signed
 *     signingTime attribute, else the document's issue time) and now.
 * Nothing of a refused document is returned. The message says which check
 * failed and, for certificates, at which depth and why (OpenSSL's words).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediation/lawful/warrant.h"

struct sl_authority;

/*
 * Load an authority: anchors from a PEM file of CA certificates, CRLs
 * (optional) from a PEM file. NULL with the reason in err.
 */
struct sl_authority *sl_authority_load(void *ctx, const char *name, const char *country, const char *anchors_pem,
				       const char *crl_pem, char *err, size_t errlen);
const char *sl_authority_name(const struct sl_authority *a);
const char *sl_authority_country(const struct sl_authority *a);

/* Why a signed document was refused (counted per reason). */
enum sl_warrant_refusal {
	SL_WREF_NONE,
	SL_WREF_NOT_CMS,	/* not a CMS SignedData with the document inside */
	SL_WREF_MALFORMED,	/* the document does not parse or breaks the schema */
	SL_WREF_AUTHORITY,	/* names an authority that is not configured */
	SL_WREF_SIGNATURE,	/* the signature does not verify (tampered, wrong key) */
	SL_WREF_CERTIFICATE,	/* the signer's certificate: untrusted chain, expired, revoked, wrong usage */
	SL_WREF_DESTINATION,	/* the destination is not one of the issuing authority's */
	SL_WREF_REPLAY,		/* an older or conflicting version of a LIID already seen */
	SL_WREF_EXPIRED,	/* valid.until has passed */
	SL_WREF_OTHER,		/* I/O or memory */
	_SL_WREF_COUNT
};

extern const char *const sl_warrant_refusal_names[_SL_WREF_COUNT];

/* A document that passed every check. */
struct sl_signed_doc {
	struct sl_warrant_meta meta;
	struct sl_intercept ic;		/* warrants; ic.target points to targets[] */
	struct sl_target targets[SL_INTERCEPT_MAX_TARGETS];
	const struct sl_authority *authority;
	uint8_t digest[32];		/* SHA-256 of the signed file as read */
	char signer[128];		/* the signer certificate's subject (for the audit log and show) */
	uint64_t signing_us;		/* signingTime, or the issue time when the signer gave none */
};

/*
 * Check a signed document read from a file (bytes p[0..n)) against the
 * authorities, at time now_us (for "valid now"). 0 with *out filled, or a
 * refusal with the reason in err ("signature: ...", "targets[1].value: ...").
 */
enum sl_warrant_refusal sl_warrant_verify(const void *p, size_t n, struct sl_authority *const *auth, unsigned n_auth,
					   const struct sl_numbering *num, uint64_t now_us, struct sl_signed_doc *out,
					   char *err, size_t errlen);

/*
 * Sign a document (warrant_sign.c) as an authority would: CMS SignedData
 * with the document inside, SHA-256, signing time; DER, or PEM when
 * pem_out. The signer's certificate and key are PEM files; chain_pem
 * (optional) adds intermediate certificates. 0 with *out (talloc child of
 * ctx), or -1 with the reason in err.
 */
int sl_warrant_sign(void *ctx, const void *doc, size_t n, const char *cert_pem, const char *key_pem,
		    const char *chain_pem, bool pem_out, uint8_t **out, size_t *out_len, char *err, size_t errlen);
