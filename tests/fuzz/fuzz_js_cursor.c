/*
 * libFuzzer target for mediation/consent/consent_consent_js_outbox.c's cursor file parser: any
 * bytes as the RECIPIENT.jetstream file read back after a crash, from an
 * exactly sized copy. An accepted file is canonical: formatting the
 * position gives the same bytes back, and its next record has a message
 * id (or a clean refusal for a line number out of range).
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mediation/consent/consent_js_outbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1), out[SL_JS_CURSOR_MAX], id[SL_JS_MSG_ID_MAX];
	struct sl_js_pos pos;
	int rc;

	memcpy(buf, data, size);
	rc = sl_js_cursor_parse(buf, size, &pos);
	check(rc == 0 || rc == -EBADMSG || rc == -ENODATA);
	if (rc == 0) {
		size_t n = sl_js_cursor_format(out, sizeof(out), &pos);
		check(n == size && !memcmp(out, buf, size));
		check(pos.lines <= pos.off);
		rc = sl_js_msg_id(id, sizeof(id), "gw", "acme", pos.seg, pos.lines + 1);
		check(rc == 0 || (rc == -EINVAL && (!pos.seg || pos.lines >= 999999999u)));
	}
	free(buf);
	return 0;
}
