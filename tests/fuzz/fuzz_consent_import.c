/*
 * libFuzzer target for mediation/consent/consent_parse.c: any bytes as a
 * JSON Lines import of consent records (an operator's file, later the
 * self-care API's bodies), from an exactly sized copy. A refusal names a
 * line and a reason and leaves nothing allocated; every accepted record
 * passes the record checks, encodes to its documented form, and that form
 * parses back to the same bytes (export | import | export is stable).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "mediation/consent/consent_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static int on_record(void *data, const struct sl_consent_record *r, struct sl_consent_perr *err)
{
	void *ctx = data;
	struct sl_consent_record back;
	struct sl_consent_perr err2;
	const char *field, *why;
	char *enc, *enc2;

	(void)err;
	check(sl_consent_record_check(r, &field, &why) == 0);
	check((r->categories & (1u << SL_CONSENT_CAT_CONTENT)) == 0);
	enc = sl_consent_encode(ctx, r);
	check(enc != NULL);
	check(sl_consent_parse(ctx, enc, strlen(enc), &back, &err2) == 0);
	enc2 = sl_consent_encode(ctx, &back);
	check(enc2 != NULL && !strcmp(enc, enc2));
	talloc_free(back.history);
	talloc_free(enc);
	talloc_free(enc2);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *ctx = talloc_named_const(NULL, 0, "fuzz_consent_import");
	size_t blocks = talloc_total_blocks(ctx);
	struct sl_consent_perr err;
	char *buf = malloc(size ? size : 1);
	long n;

	memcpy(buf, data, size);
	n = sl_consent_import_buf(ctx, buf, size, on_record, ctx, &err);
	if (n < 0) {
		check(n == -EINVAL);
		check(err.line >= 1 && err.why[0] != '\0' && memchr(err.why, 0, sizeof(err.why)));
	}
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	free(buf);
	return 0;
}
