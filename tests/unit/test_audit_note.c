/*
 * Unit tests for signed notes, verifier keys, checkpoint bodies, key
 * files and pseudonyms (mediation/audit/note.c, checkpoint.c, keys.c,
 * b64.c). The known answer is the example of Go's
 * golang.org/x/mod/sumdb/note documentation (key "PeterNeumann"):
 * Ed25519 is deterministic, so signing its text with its seed must give
 * its signature line byte for byte, and its verifier key string exactly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>

#include "mediation/audit/b64.h"
#include "mediation/audit/checkpoint.h"
#include "mediation/audit/keys.h"
#include "mediation/audit/note.h"

static const char go_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_text[] = "If you think cryptography is the answer to your problem,\n"
			      "then you don't know what your problem is.\n";
static const char go_note[] = "If you think cryptography is the answer to your problem,\n"
			      "then you don't know what your problem is.\n"
			      "\n"
			      "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

static void test_go_known_answer(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_vkey vk;
	struct sl_audit_skey *sk;
	uint8_t raw[40];
	size_t n, tl;
	const char *why;
	char *note;

	assert_true(sl_audit_b64_decode(go_skey_b64, strlen(go_skey_b64), raw, sizeof(raw), &n));
	assert_int_equal(n, 33);
	assert_int_equal(raw[0], 1);
	sk = sl_audit_skey_from_seed(ctx, h, "PeterNeumann", raw + 1);
	assert_non_null(sk);
	assert_string_equal(sl_audit_vkey_format(ctx, sl_audit_skey_vkey(sk)), go_vkey);
	note = sl_audit_note_sign(ctx, sk, go_text);
	assert_string_equal(note, go_note);
	assert_true(sl_audit_vkey_parse(h, go_vkey, &vk, &why));
	assert_int_equal(sl_audit_note_open((const uint8_t *)go_note, strlen(go_note), &vk, &tl, &why), SL_NOTE_OK);
	assert_int_equal(tl, strlen(go_text));
	talloc_free(ctx);
}

static void test_note_tampering(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_vkey vk, other;
	const char *why;
	size_t tl, i, n = strlen(go_note);
	uint8_t *buf = talloc_size(ctx, n);
	uint8_t seed[32] = { 7 };
	struct sl_audit_skey *sk2 = sl_audit_skey_from_seed(ctx, h, "PeterNeumann", seed);
	unsigned bit;

	assert_true(sl_audit_vkey_parse(h, go_vkey, &vk, &why));
	other = *sl_audit_skey_vkey(sk2);
	/* same name, different key: its id differs, so the note is unsigned for it */
	assert_int_equal(sl_audit_note_open((const uint8_t *)go_note, n, &other, &tl, &why), SL_NOTE_UNSIGNED);
	/* every bit of the note: never OK */
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			enum sl_audit_note_res r;

			memcpy(buf, go_note, n);
			buf[i] ^= (uint8_t)(1u << bit);
			r = sl_audit_note_open(buf, n, &vk, &tl, &why);
			assert_int_not_equal(r, SL_NOTE_OK);
		}
	/* every truncation: never OK, never a crash */
	for (i = 0; i < n; i++) {
		uint8_t *t = talloc_memdup(ctx, go_note, i ? i : 1);

		assert_int_not_equal(sl_audit_note_open(t, i, &vk, &tl, &why), SL_NOTE_OK);
		talloc_free(t);
	}
	/* syntax: hyphen instead of em dash, no blank line, control character */
	assert_int_equal(sl_audit_note_open((const uint8_t *)"a\n\n- k AAAA\n", 12, &vk, &tl, &why), SL_NOTE_SYNTAX);
	assert_int_equal(sl_audit_note_open((const uint8_t *)"a\n", 2, &vk, &tl, &why), SL_NOTE_SYNTAX);
	assert_int_equal(sl_audit_note_open((const uint8_t *)"a\tb\n\n\xe2\x80\x94 k AAAAAAAA\n", 19, &vk, &tl, &why),
			 SL_NOTE_SYNTAX);
	talloc_free(ctx);
}

static void test_vkey_parse(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_vkey vk;
	const char *why;
	static const char *const bad[] = {
		"",
		"PeterNeumann",
		"PeterNeumann+c74f20a3",
		"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  /* wrong id */
		"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",   /* short id */
		"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", /* space */
		"PeterNeumann+c74f20a3+Arpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  /* not type 1 */
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",   /* not base64 */
		"PeterNeumann+c74f20a3+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  /* all zero */
		"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",              /* empty name */
	};
	unsigned i;

	assert_true(sl_audit_vkey_parse(h, "  PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n", &vk,
					&why));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_false(sl_audit_vkey_parse(h, bad[i], &vk, &why));
		assert_non_null(why);
	}
	talloc_free(ctx);
}

static void test_checkpoint_body(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_ckpt c, d;
	const char *why;
	char *body;
	static const char *const bad[] = {
		"o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",   /* leading zero */
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",    /* 31 bytes */
		"o\n1\n",
		"o\n18446744073709551616\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", /* 2^64 */
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nsluice-time 1\nsluice-time 2\n",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nsluice-time -1\n",
		"o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	unsigned i;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "example.org/log");
	c.size = 18446744073709551615ull;
	memset(c.root, 0xab, sizeof(c.root));
	c.has_time = true;
	c.time_us = 1;
	body = sl_audit_ckpt_body(ctx, &c);
	assert_string_equal(body, "example.org/log\n18446744073709551615\nq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"
				  "sluice-time 1\n");
	assert_true(sl_audit_ckpt_parse((const uint8_t *)body, strlen(body), &d, &why));
	assert_string_equal(c.origin, d.origin);
	assert_true(c.size == d.size && c.has_time == d.has_time && c.time_us == d.time_us);
	assert_memory_equal(c.root, d.root, 32);
	/* unknown extension lines are allowed */
	body = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nother ext\n";
	assert_true(sl_audit_ckpt_parse((const uint8_t *)body, strlen(body), &d, &why));
	assert_false(d.has_time);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(sl_audit_ckpt_parse((const uint8_t *)bad[i], strlen(bad[i]), &d, &why));
	talloc_free(ctx);
}

static void test_b64_strict(void **state)
{
	uint8_t out[8];
	size_t n;
	char enc[16];

	sl_audit_b64_encode((const uint8_t *)"ab", 2, enc);
	assert_string_equal(enc, "YWI=");
	assert_true(sl_audit_b64_decode("YWI=", 4, out, sizeof(out), &n));
	assert_int_equal(n, 2);
	assert_false(sl_audit_b64_decode("YWJ=", 4, out, sizeof(out), &n)); /* non-zero trailing bits */
	assert_false(sl_audit_b64_decode("YWI", 3, out, sizeof(out), &n));
	assert_false(sl_audit_b64_decode("Y=I=", 4, out, sizeof(out), &n));
	assert_false(sl_audit_b64_decode("YW-=", 4, out, sizeof(out), &n));
}

static void test_key_files(void **state)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	char dir[] = "/tmp/sluice-audit-keys-XXXXXX", *key, *vkey, *pkey, *err = NULL;
	struct sl_audit_skey *sk;
	struct sl_audit_vkey vk;
	uint8_t k[32], k2[32];
	char p1[SL_AUDIT_PSEUDONYM_STRLEN], p2[SL_AUDIT_PSEUDONYM_STRLEN];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	key = talloc_asprintf(ctx, "%s/audit.key", dir);
	vkey = talloc_asprintf(ctx, "%s/audit.vkey", dir);
	pkey = talloc_asprintf(ctx, "%s/pseudonym.key", dir);
	assert_int_equal(sl_audit_keygen(ctx, h, "bad name", key, vkey, &err), -EINVAL);
	assert_int_equal(sl_audit_keygen(ctx, h, "op.example/audit", key, vkey, &err), 0);
	assert_int_equal(sl_audit_keygen(ctx, h, "op.example/audit", key, vkey, &err), -EEXIST); /* never overwrites */
	sk = sl_audit_skey_load(ctx, h, key, "op.example/audit", &err);
	assert_non_null(sk);
	assert_true(sl_audit_vkey_load(ctx, h, vkey, &vk, &err));
	assert_string_equal(vk.name, sl_audit_skey_vkey(sk)->name);
	assert_memory_equal(vk.id, sl_audit_skey_vkey(sk)->id, 4);
	assert_memory_equal(vk.pub, sl_audit_skey_vkey(sk)->pub, 32);
	/* readable by group: refused, naming the file */
	assert_int_equal(chmod(key, 0640), 0);
	err = NULL;
	assert_null(sl_audit_skey_load(ctx, h, key, "op.example/audit", &err));
	assert_non_null(strstr(err, key));
	assert_int_equal(chmod(key, 0600), 0);
	/* empty and garbage key files */
	f = fopen(vkey, "w");
	fclose(f);
	assert_false(sl_audit_vkey_load(ctx, h, vkey, &vk, &err));
	f = fopen(key, "w");
	fputs("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", f);
	fclose(f);
	assert_null(sl_audit_skey_load(ctx, h, key, "op.example/audit", &err));

	assert_int_equal(sl_audit_pseudo_keygen(ctx, pkey, &err), 0);
	assert_int_equal(sl_audit_pseudo_key_load(ctx, pkey, k, &err), 0);
	assert_int_equal(sl_audit_pseudonym(k, "msisdn", "447700900123", p1), 0);
	assert_int_equal(sl_audit_pseudonym(k, "imsi", "447700900123", p2), 0);
	assert_string_not_equal(p1, p2);
	assert_int_equal(strncmp(p1, "hmac-sha256:", 12), 0);
	assert_int_equal(strlen(p1), 76);
	memset(k2, 0, sizeof(k2));
	/* HMAC-SHA256(32 zero bytes, "t" 0x00 "v"), computed with Python hmac */
	assert_int_equal(sl_audit_pseudonym(k2, "t", "v", p2), 0);
	assert_string_equal(p2, "hmac-sha256:fe4c27a916ecc175898a688773b52cda0ebc362ef635be728c8092600b3ba44b");
	chmod(pkey, 0644);
	assert_int_equal(sl_audit_pseudo_key_load(ctx, pkey, k, &err), -EPERM);

	unlink(key);
	unlink(vkey);
	unlink(pkey);
	rmdir(dir);
	talloc_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_known_answer),
		cmocka_unit_test(test_note_tampering),
		cmocka_unit_test(test_vkey_parse),
		cmocka_unit_test(test_checkpoint_body),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
