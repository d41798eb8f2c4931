/*
 * CMS signature checks of warrant documents (see warrant_cms.h), with
 * OpenSSL 3.
 *
 * The signature over the content is checked by CMS_verify with the chain
 * left out (CMS_NO_SIGNER_CERT_VERIFY); the signer's chain is then built
 * and checked here, twice, with the S/MIME signing purpose: once at the
 * time of signing and once now. CMS_verify alone checks only "now", and
 * an authority's key that was compromised and revoked must not keep
 * signing, while a warrant signed before a certificate expired must not be
 * accepted if the certificate was not valid when it was signed.
 */
#include "mediation/lawful/warrant_cms.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h> /* before cms.h, which declares its PEM functions only when pem.h is there */
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <talloc.h>

const char *const sl_warrant_refusal_names[_SL_WREF_COUNT] = {
	[SL_WREF_NONE] = "none",	       [SL_WREF_NOT_CMS] = "not-cms",
	[SL_WREF_MALFORMED] = "malformed",     [SL_WREF_AUTHORITY] = "unknown-authority",
	[SL_WREF_SIGNATURE] = "bad-signature", [SL_WREF_CERTIFICATE] = "bad-certificate",
	[SL_WREF_DESTINATION] = "wrong-destination", [SL_WREF_REPLAY] = "replayed-version",
	[SL_WREF_EXPIRED] = "expired",	       [SL_WREF_OTHER] = "other",
};

struct sl_authority {
	char name[SL_AUTHORITY_NAME_MAX + 1];
	char country[3];
	X509_STORE *store;
	bool crls;
};

static int authority_destructor(struct sl_authority *a)
{
	X509_STORE_free(a->store);
	return 0;
}

/* The most recent OpenSSL error as text (drains the queue). */
static const char *ossl_why(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (!e) {
		snprintf(buf, len, "no details");
		return buf;
	}
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

struct sl_authority *sl_authority_load(void *ctx, const char *name, const char *country, const char *anchors_pem,
				       const char *crl_pem, char *err, size_t errlen)
{
	struct sl_authority *a;
	char why[160];
	int n;

	if (!name || !*name || strlen(name) > SL_AUTHORITY_NAME_MAX) {
		snprintf(err, errlen, "authority name must be 1 to %d characters", SL_AUTHORITY_NAME_MAX);
		return NULL;
	}
	if (!country || strlen(country) != 2) {
		snprintf(err, errlen, "authority %s: country must be two letters", name);
		return NULL;
	}
	if (!anchors_pem) {
		snprintf(err, errlen, "authority %s: no trust anchors configured", name);
		return NULL;
	}
	a = talloc_zero(ctx, struct sl_authority);
	if (!a)
		goto nomem;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->country, sizeof(a->country), "%s", country);
	a->store = X509_STORE_new();
	if (!a->store) {
		talloc_free(a);
		goto nomem;
	}
	talloc_set_destructor(a, authority_destructor);
	ERR_clear_error();
	n = X509_STORE_load_file(a->store, anchors_pem);
	if (n != 1) {
		snprintf(err, errlen, "authority %s: trust anchors %s: %s", name, anchors_pem, ossl_why(why, sizeof(why)));
		talloc_free(a);
		return NULL;
	}
	if (crl_pem) {
		X509_LOOKUP *lk = X509_STORE_add_lookup(a->store, X509_LOOKUP_file());
		if (!lk || X509_load_crl_file(lk, crl_pem, X509_FILETYPE_PEM) <= 0) {
			snprintf(err, errlen, "authority %s: CRL %s: %s", name, crl_pem, ossl_why(why, sizeof(why)));
			talloc_free(a);
			return NULL;
		}
		a->crls = true;
	}
	return a;
nomem:
	snprintf(err, errlen, "out of memory");
	return NULL;
}

const char *sl_authority_name(const struct sl_authority *a)
{
	return a->name;
}

const char *sl_authority_country(const struct sl_authority *a)
{
	return a->country;
}

/* DER first, then PEM ("-----BEGIN CMS-----" or PKCS7). */
static CMS_ContentInfo *read_cms(const void *p, size_t n)
{
	const unsigned char *q = p;
	CMS_ContentInfo *cms;
	BIO *b;

	if (n > (size_t)INT32_MAX)
		return NULL;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)n);
	if (cms) {
		if (q != (const unsigned char *)p + n) { /* trailing bytes: not one object */
			CMS_ContentInfo_free(cms);
			return NULL;
		}
		return cms;
	}
	ERR_clear_error();
	b = BIO_new_mem_buf(p, (int)n);
	if (!b)
		return NULL;
	cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	return cms;
}

/* The signed signingTime attribute of the only signer, if present. */
static bool signing_time(CMS_ContentInfo *cms, uint64_t *us)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si;
	ASN1_TYPE *t;
	int idx;
	struct tm tm;

	if (!sis || sk_CMS_SignerInfo_num(sis) != 1)
		return false;
	si = sk_CMS_SignerInfo_value(sis, 0);
	idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	if (idx < 0)
		return false;
	t = X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, idx), 0);
	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME))
		return false;
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm((const ASN1_TIME *)t->value.asn1_string, &tm) != 1)
		return false;
	*us = (uint64_t)timegm(&tm) * 1000000;
	return true;
}

/* Build and check the signer's chain at time t (seconds). 0, or -1 with the reason in err. */
static int check_chain(X509 *signer, STACK_OF(X509) *untrusted, struct sl_authority *a, time_t t, const char *when,
		       char *err, size_t errlen)
{
	X509_STORE_CTX *sc = X509_STORE_CTX_new();
	X509_VERIFY_PARAM *vp;
	int ok, e;

	if (!sc) {
		snprintf(err, errlen, "certificate: out of memory");
		return -1;
	}
	if (X509_STORE_CTX_init(sc, a->store, signer, untrusted) != 1) {
		X509_STORE_CTX_free(sc);
		snprintf(err, errlen, "certificate: cannot set up verification");
		return -1;
	}
	X509_STORE_CTX_set_purpose(sc, X509_PURPOSE_SMIME_SIGN);
	vp = X509_STORE_CTX_get0_param(sc);
	X509_VERIFY_PARAM_set_time(vp, t);
	if (a->crls)
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	ok = X509_verify_cert(sc);
	e = X509_STORE_CTX_get_error(sc);
	if (ok != 1)
		snprintf(err, errlen, "certificate: %s (depth %d, checked %s, anchors of authority %s)",
			 X509_verify_cert_error_string(e), X509_STORE_CTX_get_error_depth(sc), when, a->name);
	X509_STORE_CTX_free(sc);
	ERR_clear_error();
	return ok == 1 ? 0 : -1;
}

/* Key usage must allow signing; a certificate without the extension is refused (RFC 5280 4.2.1.3). */
static int check_key_usage(X509 *signer, char *err, size_t errlen)
{
	uint32_t ku = X509_get_key_usage(signer);

	if (!(X509_get_extension_flags(signer) & EXFLAG_KUSAGE)) {
		snprintf(err, errlen, "certificate: the signer's certificate has no key usage extension");
		return -1;
	}
	if (!(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		snprintf(err, errlen, "certificate: the signer's key usage allows neither digitalSignature nor "
				      "nonRepudiation");
		return -1;
	}
	return 0;
}

enum sl_warrant_refusal sl_warrant_verify(const void *p, size_t n, struct sl_authority *const *auth, unsigned n_auth,
					   const struct sl_numbering *num, uint64_t now_us, struct sl_signed_doc *out,
					   char *err, size_t errlen)
{
	enum sl_warrant_refusal rc = SL_WREF_OTHER;
	CMS_ContentInfo *cms = read_cms(p, n);
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	ASN1_OCTET_STRING **content;
	struct sl_authority *a = NULL;
	char perr[256], why[160];
	BIO *outb = NULL;
	unsigned i;
	X509 *signer;

	memset(out, 0, sizeof(*out));
	out->ic.target = out->targets;
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		snprintf(err, errlen, "file: not a CMS SignedData in DER or PEM (sign with openssl cms -sign -nodetach "
				      "-binary -outform DER)");
		rc = SL_WREF_NOT_CMS;
		goto out;
	}
	content = CMS_get0_content(cms);
	if (!content || !*content || CMS_is_detached(cms)) {
		snprintf(err, errlen, "file: the signature is detached; the document must be inside (-nodetach)");
		rc = SL_WREF_NOT_CMS;
		goto out;
	}
	if (!CMS_get0_SignerInfos(cms) || sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		snprintf(err, errlen, "file: exactly one signer expected");
		rc = SL_WREF_NOT_CMS;
		goto out;
	}
	/* the document, read before its signature is checked only to learn which authority to check it with */
	if (sl_warrant_parse(ASN1_STRING_get0_data(*content), (size_t)ASN1_STRING_length(*content), num, &out->meta,
			     &out->ic, perr, sizeof(perr)) < 0) {
		snprintf(err, errlen, "%s", perr);
		rc = SL_WREF_MALFORMED;
		goto out;
	}
	for (i = 0; i < n_auth && !a; i++)
		if (!strcmp(sl_authority_name(auth[i]), out->meta.authority) &&
		    !strcmp(sl_authority_country(auth[i]), out->meta.country))
			a = auth[i];
	if (!a) {
		snprintf(err, errlen, "authority: \"%s\" (%s) is not a configured authority", out->meta.authority,
			 out->meta.country);
		rc = SL_WREF_AUTHORITY;
		goto out;
	}
	outb = BIO_new(BIO_s_null());
	ERR_clear_error();
	if (!outb || CMS_verify(cms, NULL, a->store, NULL, outb, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
		snprintf(err, errlen, "signature: does not verify over the document: %s", ossl_why(why, sizeof(why)));
		rc = SL_WREF_SIGNATURE;
		goto out;
	}
	signers = CMS_get0_signers(cms);
	signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
	if (!signer) {
		snprintf(err, errlen, "signature: the signer's certificate is not in the file");
		rc = SL_WREF_SIGNATURE;
		goto out;
	}
	X509_NAME_oneline(X509_get_subject_name(signer), out->signer, sizeof(out->signer));
	if (!signing_time(cms, &out->signing_us))
		out->signing_us = out->meta.issued_us;
	certs = CMS_get1_certs(cms);
	rc = SL_WREF_CERTIFICATE;
	if (check_key_usage(signer, err, errlen) < 0 ||
	    check_chain(signer, certs, a, (time_t)(out->signing_us / 1000000), "at signing time", err, errlen) < 0 ||
	    check_chain(signer, certs, a, (time_t)(now_us / 1000000), "now", err, errlen) < 0)
		goto out;
	out->authority = a;
	EVP_Digest(p, n, out->digest, NULL, EVP_sha256(), NULL);
	rc = SL_WREF_NONE;
out:
	if (rc != SL_WREF_NONE) {
		memset(out, 0, sizeof(*out));
		out->ic.target = out->targets;
	}
	sk_X509_free(signers);
	sk_X509_pop_free(certs, X509_free);
	BIO_free(outb);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
