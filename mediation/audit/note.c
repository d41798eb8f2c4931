/*
 * Signed notes and Ed25519 verifier keys (see note.h). Parsing follows
 * the C2SP signed-note text: the note splits at its last blank line; the
 * text must be non-empty UTF-8 without control characters other than
 * newline and end in a newline; every signature line must be well formed
 * (a malformed one makes the whole note malformed); at most 100
 * signatures; lines from unknown keys are ignored.
 */
#include "mediation/audit/note.h"

#include <string.h>

#include <openssl/evp.h>
#include <talloc.h>

#include "mediation/audit/b64.h"

struct sl_audit_skey {
	EVP_PKEY *pkey;
	struct sl_audit_vkey v;
};

static const char em_dash_sp[] = "\xe2\x80\x94 ";

bool sl_audit_key_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > SL_AUDIT_MAX_NAME)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] <= 0x20 || (unsigned char)name[i] >= 0x7f || name[i] == '+')
			return false;
	return true;
}

void sl_audit_key_id(struct sl_audit_hasher *h, const char *name, const uint8_t pub[32], uint8_t id[4])
{
	uint8_t buf[SL_AUDIT_MAX_NAME + 2 + 32], d[SL_AUDIT_HASH_LEN];
	size_t n = strlen(name);

	if (n > SL_AUDIT_MAX_NAME)
		n = SL_AUDIT_MAX_NAME;
	memcpy(buf, name, n);
	buf[n] = 0x0a;
	buf[n + 1] = 0x01; /* signature type: Ed25519 */
	memcpy(buf + n + 2, pub, 32);
	sl_audit_sha256(h, buf, n + 2 + 32, d);
	memcpy(id, d, 4);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool sl_audit_vkey_parse(struct sl_audit_hasher *h, const char *s, struct sl_audit_vkey *out, const char **why)
{
	const char *p1, *p2, *end;
	uint8_t raw[40], id[4];
	size_t n, i, rawlen;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	p1 = memchr(s, '+', (size_t)(end - s));
	p2 = p1 ? memchr(p1 + 1, '+', (size_t)(end - p1 - 1)) : NULL;
	if (!p1 || !p2) {
		*why = "not <name>+<key id>+<key>";
		return false;
	}
	n = (size_t)(p1 - s);
	if (n == 0 || n > SL_AUDIT_MAX_NAME) {
		*why = "key name empty or longer than 128 bytes";
		return false;
	}
	memcpy(out->name, s, n);
	out->name[n] = '\0';
	if (!sl_audit_key_name_ok(out->name)) {
		*why = "key name holds a space, control character, non-ASCII byte or '+'";
		return false;
	}
	if (p2 - p1 - 1 != 8) {
		*why = "key id is not 8 hex digits";
		return false;
	}
	for (i = 0; i < 4; i++) {
		int a = hexval(p1[1 + 2 * i]), b = hexval(p1[2 + 2 * i]);

		if (a < 0 || b < 0) {
			*why = "key id is not 8 lowercase hex digits";
			return false;
		}
		out->id[i] = (uint8_t)(a << 4 | b);
	}
	if (!sl_audit_b64_decode(p2 + 1, (size_t)(end - p2 - 1), raw, sizeof(raw), &rawlen)) {
		*why = "key is not base64";
		return false;
	}
	if (rawlen != 33 || raw[0] != 0x01) {
		*why = "key is not an Ed25519 key (type 0x01 and 32 bytes)";
		return false;
	}
	memcpy(out->pub, raw + 1, 32);
	sl_audit_key_id(h, out->name, out->pub, id);
	if (memcmp(id, out->id, 4) != 0) {
		*why = "key id does not match the name and key";
		return false;
	}
	return true;
}

char *sl_audit_vkey_format(void *ctx, const struct sl_audit_vkey *k)
{
	uint8_t raw[33];
	char b64[SL_AUDIT_B64_LEN(33) + 1], hex[9];

	raw[0] = 0x01;
	memcpy(raw + 1, k->pub, 32);
	sl_audit_b64_encode(raw, sizeof(raw), b64);
	sl_audit_hex(k->id, 4, hex);
	return talloc_asprintf(ctx, "%s+%s+%s", k->name, hex, b64);
}

const struct sl_audit_vkey *sl_audit_skey_vkey(const struct sl_audit_skey *k)
{
	return &k->v;
}

static int skey_free(struct sl_audit_skey *k)
{
	EVP_PKEY_free(k->pkey);
	return 0;
}

struct sl_audit_skey *sl_audit_skey_wrap(void *ctx, struct sl_audit_hasher *h, const char *name, void *evp_pkey)
{
	struct sl_audit_skey *k;
	size_t publen = 32;

	if (!evp_pkey)
		return NULL;
	k = talloc_zero(ctx, struct sl_audit_skey);
	if (!k) {
		EVP_PKEY_free(evp_pkey);
		return NULL;
	}
	k->pkey = evp_pkey;
	talloc_set_destructor(k, skey_free);
	if (!sl_audit_key_name_ok(name) || !EVP_PKEY_is_a(k->pkey, "ED25519") ||
	    !EVP_PKEY_get_raw_public_key(k->pkey, k->v.pub, &publen) || publen != 32) {
		talloc_free(k);
		return NULL;
	}
	memcpy(k->v.name, name, strlen(name) + 1); /* length checked by sl_audit_key_name_ok */
	sl_audit_key_id(h, name, k->v.pub, k->v.id);
	return k;
}

struct sl_audit_skey *sl_audit_skey_from_seed(void *ctx, struct sl_audit_hasher *h, const char *name,
					      const uint8_t seed[32])
{
	return sl_audit_skey_wrap(ctx, h, name, EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32));
}

/* Note text: non-empty, ends in '\n', no blank line, printable UTF-8 with no control but '\n'. */
static bool text_ok(const uint8_t *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || p[n - 1] != '\n')
		return false;
	while (i < n) {
		uint8_t b = p[i];
		size_t need;
		uint32_t cp;

		if (b == '\n') {
			if (i + 1 < n && p[i + 1] == '\n')
				return false;
			i++;
			continue;
		}
		if (b < 0x20 || b == 0x7f)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		/* UTF-8: shortest form, no surrogates, at most U+10FFFF */
		if (b >= 0xc2 && b <= 0xdf) {
			need = 1;
			cp = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			need = 2;
			cp = b & 0x0f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			need = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (n - i - 1 < need)
			return false;
		for (size_t j = 1; j <= need; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += need + 1;
	}
	return true;
}

char *sl_audit_note_sign(void *ctx, const struct sl_audit_skey *k, const char *text)
{
	EVP_MD_CTX *mctx;
	uint8_t raw[4 + 64];
	char b64[SL_AUDIT_B64_LEN(sizeof(raw)) + 1];
	size_t siglen = 64, n = strlen(text);
	int ok;

	if (!text_ok((const uint8_t *)text, n))
		return NULL;
	mctx = EVP_MD_CTX_new();
	if (!mctx)
		return NULL;
	ok = EVP_DigestSignInit_ex(mctx, NULL, NULL, NULL, NULL, k->pkey, NULL) == 1 &&
	     EVP_DigestSign(mctx, raw + 4, &siglen, (const uint8_t *)text, n) == 1 && siglen == 64;
	EVP_MD_CTX_free(mctx);
	if (!ok)
		return NULL;
	memcpy(raw, k->v.id, 4);
	sl_audit_b64_encode(raw, sizeof(raw), b64);
	return talloc_asprintf(ctx, "%s\n%s%s %s\n", text, em_dash_sp, k->v.name, b64);
}

bool sl_audit_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	bool ok = false;

	if (pk && mctx && EVP_DigestVerifyInit_ex(mctx, NULL, NULL, NULL, NULL, pk, NULL) == 1)
		ok = EVP_DigestVerify(mctx, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pk);
	return ok;
}

enum sl_audit_note_res sl_audit_note_open(const uint8_t *msg, size_t len, const struct sl_audit_vkey *k,
					  size_t *text_len, const char **why)
{
	size_t split = 0, i, off, nsig = 0;
	bool found = false, matched = false, good = false;

	*why = NULL;
	*text_len = 0;
	if (len > SL_AUDIT_MAX_NOTE) {
		*why = "note longer than 64 KiB";
		return SL_NOTE_SYNTAX;
	}
	/* The last "\n\n" separates the text from the signatures. */
	for (i = len; i >= 2; i--)
		if (msg[i - 1] == '\n' && msg[i - 2] == '\n') {
			split = i - 1;
			found = true;
			break;
		}
	if (!found || !text_ok(msg, split)) {
		*why = found ? "note text is empty, has a control character or is not UTF-8"
			     : "no blank line before the signatures";
		return SL_NOTE_SYNTAX;
	}
	*text_len = split;
	off = split + 1;
	if (off >= len || msg[len - 1] != '\n') {
		*why = "no signature lines, or the last does not end in a newline";
		return SL_NOTE_SYNTAX;
	}
	while (off < len) {
		const uint8_t *line = msg + off, *nl = memchr(line, '\n', len - off), *sp;
		size_t ll = (size_t)(nl - line), nlen;
		uint8_t raw[4 + 64 + 64];
		size_t rawlen;

		if (++nsig > SL_AUDIT_MAX_SIGS) {
			*why = "more than 100 signatures";
			return SL_NOTE_SYNTAX;
		}
		if (ll < 4 || memcmp(line, em_dash_sp, 4) != 0) {
			*why = "signature line does not start with an em dash and a space";
			return SL_NOTE_SYNTAX;
		}
		sp = memchr(line + 4, ' ', ll - 4);
		if (!sp || sp == line + 4) {
			*why = "signature line has no key name";
			return SL_NOTE_SYNTAX;
		}
		nlen = (size_t)(sp - line - 4);
		for (i = 0; i < nlen; i++)
			if (line[4 + i] == '+' || line[4 + i] < 0x20) {
				*why = "signature key name holds '+' or a control character";
				return SL_NOTE_SYNTAX;
			}
		if (!sl_audit_b64_decode((const char *)sp + 1, (size_t)(nl - sp - 1), raw, sizeof(raw), &rawlen) ||
		    rawlen < 5) {
			*why = "signature is not base64 of a key id and a signature";
			return SL_NOTE_SYNTAX;
		}
		/* The first line with this key's name and id decides (as Go's note.Open). */
		if (!matched && nlen == strlen(k->name) && memcmp(line + 4, k->name, nlen) == 0 &&
		    memcmp(raw, k->id, 4) == 0) {
			matched = true;
			good = rawlen == 4 + 64 && sl_audit_ed25519_verify(k->pub, msg, split, raw + 4);
		}
		off += ll + 1;
	}
	if (!matched)
		return SL_NOTE_UNSIGNED;
	return good ? SL_NOTE_OK : SL_NOTE_BAD_SIG;
}
