/*
 * libFuzzer target for mediation/lawful/warrant_parse.c: any bytes as a
 * warrant or revocation document (the content of a signed file, which a
 * signature check does not make well-formed), from an exactly sized copy.
 * A refusal leaves the interception empty and writes a message; an
 * acceptance yields targets that the lawful table accepts as they are.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "mediation/lawful/warrant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sl_target targets[SL_INTERCEPT_MAX_TARGETS];
	struct sl_warrant_meta meta;
	struct sl_intercept ic;
	struct sl_numbering num;
	char err[256];
	uint8_t *buf = malloc(size ? size : 1);
	int rc;

	memcpy(buf, data, size);
	sl_numbering_default(&num);
	memset(&ic, 0, sizeof(ic));
	ic.target = targets;
	err[0] = '\0';
	rc = sl_warrant_parse(buf, size, &num, &meta, &ic, err, sizeof(err));
	check(rc == 0 || rc == -EINVAL);
	if (rc) {
		check(err[0] != '\0' && memchr(err, 0, sizeof(err)));
		check(ic.n_targets == 0);
	} else if (meta.type == SL_DOC_WARRANT) {
		void *ctx = talloc_named_const(NULL, 0, "fuzz_warrant");
		struct sl_lawful *l = sl_lawful_alloc(ctx, 0);
		check(ic.n_targets >= 1 && ic.n_targets <= SL_INTERCEPT_MAX_TARGETS);
		check(sl_liid_valid(ic.liid) && ic.start_us < ic.end_us);
		check(l && sl_lawful_add(l, &ic) == 0);
		talloc_free(ctx);
	}
	free(buf);
	return 0;
}
