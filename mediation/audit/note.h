/*
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, as the
 * audit checkpoints are published: a text ending in a newline, a blank
 * line, then one line per signature, "— <key name> <base64(key id ||
 * signature)>" with U+2014 em dash. The signature is Ed25519 over the text
 * bytes including the text's final newline. The key id is the first four
 * bytes of SHA-256(key name || 0x0A || 0x01 || 32-byte public key), and a
 * verifier key is written "<name>+<8 hex digits of key id>+<base64(0x01 ||
 * public key)>", so keys and notes interoperate with Go's
 * golang.org/x/mod/sumdb/note and the CT/tlog tooling built on it.
 *
 * Ownership: signing keys are talloc objects that free their OpenSSL key
 * in a destructor; verifier keys are plain structs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediation/audit/hash.h"

#define SL_AUDIT_MAX_NAME 128
#define SL_AUDIT_MAX_NOTE 65536
#define SL_AUDIT_MAX_SIGS 100

struct sl_audit_vkey {
	char name[SL_AUDIT_MAX_NAME + 1];
	uint8_t id[4];
	uint8_t pub[32];
};

struct sl_audit_skey; /* talloc object: an Ed25519 private key, its name and verifier key */

enum sl_audit_note_res {
	SL_NOTE_OK,
	SL_NOTE_SYNTAX,	  /* not a well-formed signed note */
	SL_NOTE_UNSIGNED, /* well formed, but no signature line by this key */
	SL_NOTE_BAD_SIG,  /* a line names this key and its id, and the signature fails */
};

/* Key names: non-empty, at most 128 bytes, printable ASCII without space or '+'. */
bool sl_audit_key_name_ok(const char *name);
void sl_audit_key_id(struct sl_audit_hasher *h, const char *name, const uint8_t pub[32], uint8_t id[4]);

/* Parses "<name>+<hex id>+<base64(0x01||pub)>" (surrounding whitespace allowed); *why on failure. */
bool sl_audit_vkey_parse(struct sl_audit_hasher *h, const char *s, struct sl_audit_vkey *out, const char **why);
/* The verifier key string, talloc'd on ctx. */
char *sl_audit_vkey_format(void *ctx, const struct sl_audit_vkey *k);

/* The verifier half of a signing key. */
const struct sl_audit_vkey *sl_audit_skey_vkey(const struct sl_audit_skey *k);

/* An Ed25519 signing key from a raw 32-byte seed (tests, known answers). */
struct sl_audit_skey *sl_audit_skey_from_seed(void *ctx, struct sl_audit_hasher *h, const char *name,
					      const uint8_t seed[32]);

/* text + "\n" + the signature line, talloc'd on ctx; NULL if text is not note text or signing fails. */
char *sl_audit_note_sign(void *ctx, const struct sl_audit_skey *k, const char *text);

/*
 * Opens a signed note: checks its syntax and the signature of key k. On
 * SL_NOTE_OK (and on UNSIGNED / BAD_SIG, for reporting) *text_len is the
 * length of the signed text. *why names the syntax problem.
 */
enum sl_audit_note_res sl_audit_note_open(const uint8_t *msg, size_t len, const struct sl_audit_vkey *k,
					  size_t *text_len, const char **why);

/* Ed25519 signature check with a raw public key. */
bool sl_audit_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

/* Internal to keys.c and note.c: wraps an EVP_PKEY (ownership passes to the new key). */
struct sl_audit_skey *sl_audit_skey_wrap(void *ctx, struct sl_audit_hasher *h, const char *name, void *evp_pkey);
