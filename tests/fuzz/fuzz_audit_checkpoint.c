/*
 * libFuzzer target for the audit checkpoint parsers (mediation/audit/
 * note.c, checkpoint.c, b64.c): any bytes, from an exactly sized copy, are
 * opened as a signed checkpoint under a fixed Ed25519 key and under the
 * Go documentation's example key, parsed as a checkpoint body, parsed as
 * a verifier key string and base64-decoded. Checked: results are in their
 * documented sets, the signed text lies inside the input, a syntax error
 * always has a reason, and a parsed body re-encodes to a body that parses
 * to the same size, root and time.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "mediation/audit/b64.h"
#include "mediation/audit/checkpoint.h"
#include "mediation/audit/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void roundtrip(void *ctx, const struct sl_audit_ckpt *c)
{
	struct sl_audit_ckpt d;
	const char *why;
	char *body = sl_audit_ckpt_body(ctx, c);

	check(body != NULL);
	check(sl_audit_ckpt_parse((const uint8_t *)body, strlen(body), &d, &why));
	check(d.size == c->size && d.has_time == c->has_time && (!c->has_time || d.time_us == c->time_us) &&
	      memcmp(d.root, c->root, sizeof(d.root)) == 0 && !strcmp(d.origin, c->origin));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_new(NULL);
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	static const uint8_t seed[32] = { 42 };
	struct sl_audit_skey *sk = sl_audit_skey_from_seed(ctx, h, "fuzz.example/log", seed);
	struct sl_audit_vkey vk = *sl_audit_skey_vkey(sk), go;
	struct sl_audit_ckpt c;
	const char *why = NULL;
	enum sl_audit_note_res r;
	char *str = talloc_size(ctx, size + 1);
	uint8_t out[256];
	size_t n, tl = 0;

	check(sl_audit_vkey_parse(h, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &go, &why));
	r = sl_audit_ckpt_open(data, size, &vk, &c, &why);
	check(r == SL_NOTE_OK || r == SL_NOTE_SYNTAX || r == SL_NOTE_UNSIGNED || r == SL_NOTE_BAD_SIG);
	if (r == SL_NOTE_SYNTAX)
		check(why != NULL);
	else
		roundtrip(ctx, &c);
	r = sl_audit_note_open(data, size, &go, &tl, &why);
	check(r == SL_NOTE_OK || r == SL_NOTE_SYNTAX || r == SL_NOTE_UNSIGNED || r == SL_NOTE_BAD_SIG);
	check(tl <= size);
	if (sl_audit_ckpt_parse(data, size, &c, &why))
		roundtrip(ctx, &c);
	memcpy(str, data, size);
	str[size] = '\0';
	if (sl_audit_vkey_parse(h, str, &go, &why))
		check(strlen(go.name) > 0 && strlen(go.name) <= SL_AUDIT_MAX_NAME);
	if (sl_audit_b64_decode((const char *)data, size, out, sizeof(out), &n)) {
		char *enc = talloc_size(ctx, SL_AUDIT_B64_LEN(n) + 1);

		check(n <= sizeof(out));
		sl_audit_b64_encode(out, n, enc);
		check(strlen(enc) == size && memcmp(enc, data, size) == 0); /* strict: one spelling */
	}
	talloc_free(ctx);
	return 0;
}
