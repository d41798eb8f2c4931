/*
 * libFuzzer target for the consent API's pure half
 * (mediation/consent/consent_api*.c): the first byte picks what the rest
 * is: 0 a grant body, 1 a withdraw body, 2 a token file followed (after
 * the first NUL) by an Authorization header value, 3 a path routed as GET
 * and as POST. Every refusal is one of the documented codes with a NUL-
 * terminated reason; an accepted grant is a valid given record whose
 * validity ends after "now"; nothing stays allocated.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "mediation/consent/consent_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1767225600000000LL

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void grant(void *ctx, const char *buf, size_t len)
{
	struct sl_consent_record r;
	struct sl_consent_perr e;
	const char *field, *why;
	int rc = sl_capi_parse_grant(ctx, buf, len, "c-fuzz", NOW, &r, &e);

	check(memchr(e.why, 0, sizeof(e.why)) && memchr(e.field, 0, sizeof(e.field)));
	if (rc) {
		check(rc == -EINVAL || rc == -EFBIG || rc == -ENOMEM);
		check(rc == -ENOMEM || e.why[0]);
		return;
	}
	check(sl_consent_record_check(&r, &field, &why) == 0);
	check(r.status == SL_CONSENT_GIVEN && r.valid_until_us > NOW && r.n_history == 1);
	talloc_free(r.history);
}

static void tokens(void *ctx, const char *buf, size_t len)
{
	const char *nul = memchr(buf, 0, len);
	size_t flen = nul ? (size_t)(nul - buf) : len;
	struct sl_capi_tokens *tk;
	const struct sl_capi_token *t;
	char *err = NULL;

	if (sl_capi_tokens_parse(ctx, buf, flen, &tk, &err) < 0) {
		check(tk == NULL);
		talloc_free(err);
		return;
	}
	check(tk->n <= SL_CAPI_TOKENS_MAX);
	t = sl_capi_tokens_find(tk, nul ? nul + 1 : "Bearer x");
	check(!t || (t >= tk->t && t < tk->t + tk->n));
	for (unsigned i = 0; i < tk->n; i++)
		check((unsigned)tk->t[i].role < _SL_CAPI_ROLE_COUNT &&
		      (tk->t[i].role == SL_CAPI_ROLE_PARTNER) == (tk->t[i].recipient[0] != '\0'));
	talloc_free(tk);
}

static void route(const char *path)
{
	static const char *const methods[] = { "GET", "POST", "PUT" };
	struct sl_capi_req q;
	const char *field;

	for (unsigned i = 0; i < 3; i++) {
		int rc = sl_capi_route(methods[i], path, &q, &field);

		check(rc == 0 || rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EINVAL);
		check(rc != -EINVAL || (field && (!strcmp(field, "id") || !strcmp(field, "subject"))));
		check(rc != 0 || (unsigned)q.route < _SL_CAPI_ROUTE_COUNT);
		check(rc != 0 || q.route != SL_CAPI_WITHDRAW || sl_consent_token_valid(q.id, SL_CONSENT_ID_MAX));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_named_const(NULL, 0, "fuzz_consent_api");
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_consent_perr e;
	char *buf;
	size_t len;

	if (size < 1) {
		talloc_free(ctx);
		return 0;
	}
	len = size - 1;
	buf = malloc(len + 1); /* exactly sized, plus a NUL for the string users */
	memcpy(buf, data + 1, len);
	buf[len] = '\0';
	switch (data[0] & 3) {
	case 0: grant(ctx, buf, len); break;
	case 1: {
		int rc = sl_capi_parse_withdraw(buf, len, &e);

		check(rc == 0 || rc == -EINVAL || rc == -EFBIG);
		break;
	}
	case 2: tokens(ctx, buf, len); break;
	default: route(buf); break;
	}
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	free(buf);
	return 0;
}
