/*
 * Signing a warrant or revocation document as an authority would, for
 * tests, demos and labs (`sluice warrant sign`). Authorities sign with
 * their own tools and PKI (`openssl cms -sign -binary -nodetach` produces
 * the same thing); this exists so that sluice's own tests do not need an
 * external signer and so that what sluice verifies is documented by what
 * it can produce.
 *
 * The output is a CMS SignedData (RFC 5652) in DER or PEM with the
 * document inside, one signer, SHA-256, the signed attributes OpenSSL adds
 * by default (content type, signing time, message digest), the signer's
 * certificate and any chain certificates given.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <talloc.h>

#include "mediation/lawful/warrant_cms.h"

static const char *why(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();

	if (e)
		ERR_error_string_n(e, buf, len);
	else
		snprintf(buf, len, "no details");
	ERR_clear_error();
	return buf;
}

int sl_warrant_sign(void *ctx, const void *doc, size_t n, const char *cert_pem, const char *key_pem,
		    const char *chain_pem, bool pem_out, uint8_t **out, size_t *out_len, char *err, size_t errlen)
{
	BIO *in = NULL, *b = NULL, *o = NULL;
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	STACK_OF(X509) *chain = NULL;
	CMS_ContentInfo *cms = NULL;
	char w[160];
	BUF_MEM *mem;
	int rc = -1;

	*out = NULL;
	if (!(b = BIO_new_file(cert_pem, "r")) || !(cert = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		snprintf(err, errlen, "%s: no certificate: %s", cert_pem, why(w, sizeof(w)));
		goto out;
	}
	BIO_free(b);
	if (!(b = BIO_new_file(key_pem, "r")) || !(key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL))) {
		snprintf(err, errlen, "%s: no private key: %s", key_pem, why(w, sizeof(w)));
		goto out;
	}
	if (chain_pem) {
		X509 *c;
		BIO_free(b);
		if (!(b = BIO_new_file(chain_pem, "r")) || !(chain = sk_X509_new_null())) {
			snprintf(err, errlen, "%s: %s", chain_pem, why(w, sizeof(w)));
			goto out;
		}
		while ((c = PEM_read_bio_X509(b, NULL, NULL, NULL)))
			sk_X509_push(chain, c);
		ERR_clear_error(); /* the end of the file */
		if (!sk_X509_num(chain)) {
			snprintf(err, errlen, "%s: no certificates", chain_pem);
			goto out;
		}
	}
	if (n > (size_t)INT32_MAX || !(in = BIO_new_mem_buf(doc, (int)n))) {
		snprintf(err, errlen, "document too large");
		goto out;
	}
	cms = CMS_sign(cert, key, chain, in, CMS_BINARY);
	if (!cms) {
		snprintf(err, errlen, "signing failed (does the key belong to the certificate?): %s", why(w, sizeof(w)));
		goto out;
	}
	o = BIO_new(BIO_s_mem());
	if (!o || (pem_out ? PEM_write_bio_CMS(o, cms) : i2d_CMS_bio(o, cms)) != 1) {
		snprintf(err, errlen, "encoding failed: %s", why(w, sizeof(w)));
		goto out;
	}
	BIO_get_mem_ptr(o, &mem);
	*out = talloc_memdup(ctx, mem->data, mem->length);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	*out_len = mem->length;
	rc = 0;
out:
	BIO_free(in);
	BIO_free(b);
	BIO_free(o);
	X509_free(cert);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	CMS_ContentInfo_free(cms);
	return rc;
}
