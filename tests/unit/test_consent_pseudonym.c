/*
 * Unit tests for recipient pseudonyms (consent_pseudonym.c): the
 * primitives against their RFCs' known answers (RFC 4231 test cases 1 and
 * 2 for HMAC-SHA256, RFC 5869 test case 1 for HKDF-SHA256); the
 * derivation byte for byte as docs/consent.md writes it, recomputed here
 * from the primitives; a pseudonym stable within an epoch, different
 * across recipients, epochs, identity types and master keys; the epoch
 * arithmetic; the master key file (written 0600, refused when others can
 * read it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/consent/consent_pseudonym.h"
#include "tests/unit/consent_test_util.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_rfc4231(void **state)
{
	uint8_t key1[20], out[32];
	char h[65];

	(void)state;
	memset(key1, 0x0b, sizeof(key1));
	assert_int_equal(sl_consent_hmac_sha256(key1, sizeof(key1), (const uint8_t *)"Hi There", 8, out), 0);
	hex(out, 32, h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	assert_int_equal(sl_consent_hmac_sha256((const uint8_t *)"Jefe", 4,
						(const uint8_t *)"what do ya want for nothing?", 28, out), 0);
	hex(out, 32, h);
	assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_rfc5869(void **state)
{
	uint8_t ikm[22], salt[13], info[10], okm[42];
	char h[85];
	unsigned i;

	(void)state;
	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	assert_int_equal(sl_consent_hkdf_sha256(salt, sizeof(salt), ikm, sizeof(ikm), info, sizeof(info), okm,
						sizeof(okm)), 0);
	hex(okm, sizeof(okm), h);
	assert_string_equal(h, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

static void test_derivation_bytes(void **state)
{
	static const char salt[] = "sluice-consent-pseudonym-v1";
	uint8_t master[32], k[32], k2[32], mac[32];
	uint8_t info[] = { 'r', 'e', 'c', 'i', 'p', 'i', 'e', 'n', 't', 0, 'a', 'c', 'm', 'e', 0,
			   0, 0, 0, 0, 0, 0, 0x02, 0x5b };
	struct sl_consent_subject s;
	char want[65], got[65];
	unsigned i;

	(void)state;
	for (i = 0; i < 32; i++)
		master[i] = (uint8_t)i;
	assert_int_equal(sl_consent_hkdf_sha256((const uint8_t *)salt, sizeof(salt) - 1, master, 32, info, sizeof(info),
						k, 32), 0);
	assert_int_equal(sl_consent_recipient_key(master, "acme", 0x25b, k2), 0);
	assert_memory_equal(k, k2, 32);
	assert_int_equal(sl_consent_hmac_sha256(k, 32, (const uint8_t *)"msisdn\0+4917012345678", 21, mac), 0);
	hex(mac, 32, want);
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, "+4917012345678"), 0);
	assert_int_equal(sl_consent_pseudonym(master, "acme", 0x25b, &s, got), 0);
	assert_string_equal(got, want);
	/* the known answer in docs/consent.md, computed independently (Python hmac/hashlib) */
	hex(k, 32, want);
	assert_string_equal(want, "261130c295e5013742258b31ea3ab6856222f1507904ba0364cc058ee98b2c18");
	assert_string_equal(got, "b402d9f9a7f9fe1c7199da3bc7d0cd89887d5ca6e6e6c4285b9798fdffa7da6c");
}

static void test_unlinkable(void **state)
{
	uint8_t master[32], other[32];
	struct sl_consent_subject s, imsi;
	char a[65], b[65];
	uint64_t e = sl_consent_epoch(T0, 0);

	(void)state;
	memset(master, 0x42, sizeof(master));
	memset(other, 0x43, sizeof(other));
	assert_int_equal(sl_consent_subject_set(&s, SL_CONSENT_SUBJ_MSISDN, "+4917012345678"), 0);
	assert_int_equal(sl_consent_subject_set(&imsi, SL_CONSENT_SUBJ_IMSI, "4917012345678"), 0);
	assert_int_equal(sl_consent_pseudonym(master, "acme", e, &s, a), 0);
	assert_int_equal(strlen(a), 64);
	/* stable: same epoch, any time within it */
	assert_int_equal(sl_consent_pseudonym(master, "acme", sl_consent_epoch(T0 + 3 * DAY_US, 0), &s, b), 0);
	assert_int_equal(sl_consent_epoch(T0 + 3 * DAY_US, 0), e);
	assert_string_equal(a, b);
	/* another recipient, epoch, identity type or master key: another value */
	assert_int_equal(sl_consent_pseudonym(master, "beta", e, &s, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(sl_consent_pseudonym(master, "acme", e + 1, &s, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(sl_consent_pseudonym(master, "acme", e, &imsi, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(sl_consent_pseudonym(other, "acme", e, &s, b), 0);
	assert_string_not_equal(a, b);
	/* bad recipient names are refused */
	assert_int_equal(sl_consent_pseudonym(master, "", e, &s, b), -EINVAL);
	assert_int_equal(sl_consent_pseudonym(master, "a b", e, &s, b), -EINVAL);
}

static void test_epoch(void **state)
{
	(void)state;
	assert_int_equal(sl_consent_epoch(0, 0), 0);
	assert_int_equal(sl_consent_epoch(2592000LL * 1000000 - 1, 0), 0);
	assert_int_equal(sl_consent_epoch(2592000LL * 1000000, 0), 1);
	assert_int_equal(sl_consent_epoch(T0, 0), 1767225600 / 2592000);
	assert_int_equal(sl_consent_epoch(T0, 86400), 1767225600 / 86400);
	assert_int_equal(sl_consent_epoch(-5, 0), 0);
}

static void test_key_file(void **state)
{
	void *ctx = talloc_named_const(NULL, 0, "t");
	char *dir = ct_tmpdir(ctx), *path = talloc_asprintf(ctx, "%s/master.key", dir), *err = NULL;
	uint8_t k[32], k2[32];
	struct stat sb;

	(void)state;
	assert_int_equal(sl_consent_master_keygen(ctx, path, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 65);
	assert_int_equal(sl_consent_master_key_load(ctx, path, k, &err), 0);
	assert_int_equal(sl_consent_master_key_load(ctx, path, k2, &err), 0);
	assert_memory_equal(k, k2, 32);
	assert_true(sl_consent_master_keygen(ctx, path, &err) < 0); /* never overwritten */
	assert_int_equal(chmod(path, 0644), 0);
	err = NULL;
	assert_true(sl_consent_master_key_load(ctx, path, k, &err) < 0);
	assert_non_null(err);
	ct_rmdir(ctx, dir);
	talloc_free(ctx);
}

/* The pseudonymiser the daemon keeps per recipient gives the documented known answer, across re-keying. */
static void test_pseudonymiser(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_consent_pseudonymiser *p = sl_consent_pseudonymiser_alloc(ctx);
	struct sl_consent_subject s;
	uint8_t master[32], key[32];
	char got[65], want[65];
	unsigned i;

	(void)state;
	for (i = 0; i < 32; i++)
		master[i] = (uint8_t)i;
	assert_non_null(p);
	assert_int_equal(sl_consent_subject_parse("msisdn:+4917012345678", &s), 0);
	assert_int_equal(sl_consent_pseudonymise(p, &s, got), -EINVAL); /* not keyed yet */
	assert_int_equal(sl_consent_recipient_key(master, "acme", 603, key), 0);
	assert_int_equal(sl_consent_pseudonymiser_key(p, key), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sl_consent_pseudonymise(p, &s, got), 0);
		assert_string_equal(got, "b402d9f9a7f9fe1c7199da3bc7d0cd89887d5ca6e6e6c4285b9798fdffa7da6c");
	}
	assert_int_equal(sl_consent_recipient_key(master, "acme", 604, key), 0);
	assert_int_equal(sl_consent_pseudonymiser_key(p, key), 0);
	assert_int_equal(sl_consent_pseudonymise(p, &s, got), 0);
	assert_int_equal(sl_consent_pseudonym(master, "acme", 604, &s, want), 0);
	assert_string_equal(got, want);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4231),	   cmocka_unit_test(test_rfc5869), cmocka_unit_test(test_derivation_bytes),
		cmocka_unit_test(test_unlinkable), cmocka_unit_test(test_epoch),   cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_pseudonymiser),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
