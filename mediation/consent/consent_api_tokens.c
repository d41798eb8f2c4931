/*
 * Bearer tokens of the consent API and what each role may do
 * (docs/consent.md, "Tokens and roles"). The token file holds, per line,
 * a name (the audit actor id), a role and the SHA-256 of the token, never
 * the token: a copy of the file lets nobody call the API. A presented
 * token is hashed and compared with every entry in constant time
 * (CRYPTO_memcmp over all entries, no early exit).
 *
 * Roles: selfcare (the operator's self-care app, which authenticated the
 * subscriber it acts for) grants, withdraws, lists and reports; partner
 * (a recipient's portal) only lists, and sees only its own recipient's
 * records; admin (operator tooling) does everything.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <talloc.h>

#include "mediation/consent/consent_api.h"

const char *const sl_capi_role_names[_SL_CAPI_ROLE_COUNT] = {
	[SL_CAPI_ROLE_SELFCARE] = "selfcare",
	[SL_CAPI_ROLE_PARTNER] = "partner",
	[SL_CAPI_ROLE_ADMIN] = "admin",
};

bool sl_capi_allowed(enum sl_capi_role role, enum sl_capi_route route)
{
	switch (role) {
	case SL_CAPI_ROLE_SELFCARE:
	case SL_CAPI_ROLE_ADMIN:
		return (unsigned)route < _SL_CAPI_ROUTE_COUNT;
	case SL_CAPI_ROLE_PARTNER:
		return route == SL_CAPI_LIST;
	default:
		return false;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One line "NAME ROLE sha256:HEX" (NUL-terminated, no LF) into *t. NULL, or the reason. */
static const char *parse_line(char *line, struct sl_capi_token *t)
{
	char *f[4], *save = NULL;
	unsigned n = 0, i;
	int role;

	memset(t, 0, sizeof(*t));
	for (char *p = strtok_r(line, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
		if (n < 4)
			f[n++] = p;
		else
			return "more than three fields";
	if (n != 3)
		return "expected NAME ROLE sha256:HEX";
	if (!sl_consent_token_valid(f[0], SL_CONSENT_NAME_MAX))
		return "the name must be 1..64 of A-Z a-z 0-9 . _ : -";
	snprintf(t->name, sizeof(t->name), "%s", f[0]);
	if (!strncmp(f[1], "partner:", 8)) {
		if (!sl_consent_token_valid(f[1] + 8, SL_CONSENT_NAME_MAX))
			return "partner:RECIPIENT needs a recipient name";
		t->role = SL_CAPI_ROLE_PARTNER;
		snprintf(t->recipient, sizeof(t->recipient), "%s", f[1] + 8);
	} else {
		role = sl_consent_name_find(sl_capi_role_names, _SL_CAPI_ROLE_COUNT, f[1]);
		if (role < 0 || role == SL_CAPI_ROLE_PARTNER)
			return "the role must be selfcare, admin or partner:RECIPIENT";
		t->role = (enum sl_capi_role)role;
	}
	if (strncmp(f[2], "sha256:", 7) || strlen(f[2]) != 7 + 64)
		return "the hash must be sha256: and 64 lowercase hex digits";
	for (i = 0; i < 32; i++) {
		int hi = hexval(f[2][7 + 2 * i]), lo = hexval(f[2][8 + 2 * i]);

		if (hi < 0 || lo < 0)
			return "the hash must be sha256: and 64 lowercase hex digits";
		t->sha256[i] = (uint8_t)(hi << 4 | lo);
	}
	return NULL;
}

int sl_capi_tokens_parse(void *ctx, const char *buf, size_t len, struct sl_capi_tokens **out, char **err)
{
	struct sl_capi_tokens *tk = talloc_zero(ctx, struct sl_capi_tokens);
	size_t off = 0;
	unsigned lineno = 0;

	*out = NULL;
	if (!tk)
		return -ENOMEM;
	tk->t = talloc_array(tk, struct sl_capi_token, SL_CAPI_TOKENS_MAX);
	if (!tk->t) {
		talloc_free(tk);
		return -ENOMEM;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t l = nl ? (size_t)(nl - (buf + off)) : len - off;
		char line[512];
		const char *why;

		lineno++;
		if (l >= sizeof(line) || memchr(buf + off, '\0', l)) {
			why = "line too long or not text";
		} else {
			memcpy(line, buf + off, l);
			line[l] = '\0';
			off += l + 1;
			if (!line[strspn(line, " \t\r")] || line[0] == '#')
				continue;
			line[strcspn(line, "\r")] = '\0';
			if (tk->n == SL_CAPI_TOKENS_MAX)
				why = "too many tokens (at most 1024)";
			else
				why = parse_line(line, &tk->t[tk->n]);
			if (!why) {
				for (unsigned i = 0; i < tk->n && !why; i++)
					if (!strcmp(tk->t[i].name, tk->t[tk->n].name))
						why = "a name given twice";
			}
			if (!why) {
				tk->n++;
				continue;
			}
		}
		if (err)
			*err = talloc_asprintf(ctx, "line %u: %s", lineno, why);
		talloc_free(tk);
		return -EINVAL;
	}
	*out = tk;
	return 0;
}

const struct sl_capi_token *sl_capi_tokens_find(const struct sl_capi_tokens *tk, const char *authorization)
{
	const struct sl_capi_token *found = NULL;
	uint8_t h[32];
	size_t len;
	unsigned i;

	if (!tk || !authorization || strncmp(authorization, "Bearer ", 7))
		return NULL;
	authorization += 7;
	len = strlen(authorization);
	if (!len || len > SL_CAPI_TOKEN_MAX || !EVP_Digest(authorization, len, h, NULL, EVP_sha256(), NULL))
		return NULL;
	for (i = 0; i < tk->n; i++) {
		/* every entry compared, whichever matches */
		bool eq = CRYPTO_memcmp(h, tk->t[i].sha256, sizeof(h)) == 0;

		if (eq && !found)
			found = &tk->t[i];
	}
	OPENSSL_cleanse(h, sizeof(h));
	return found;
}
