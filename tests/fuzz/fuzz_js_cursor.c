/*
 * libFuzzer target for mediation/consent/consent_consent_js_outbox.c's cursor file parser: any
 * bytes as the RECIPIENT.jetstream file read back after a crash, from an
 * exactly sized copy. An accepted file is canonical: formatting the
 * position gives the same bytes back, and its next record has a message
 * id (or a clean refusal for a line number out of range). The same bytes
 * as an acknowledgement's message id give a position only when they end
 * exactly in its canonical form.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	/* the same bytes as an acknowledgement's message id: a position only from an id's exact tail */
	{
		unsigned seg;
		uint64_t line;
		char tail[32];

		if (sl_js_msg_id_position(buf, size, &seg, &line) == 0) {
			check(size >= 20 && seg >= 1 && seg <= 999999 && line >= 1 && line <= 999999999);
			snprintf(tail, sizeof(tail), ".%06u.%09llu", seg, (unsigned long long)line);
			check(!memcmp(buf + size - 17, tail, 17));
		}
	}
	free(buf);
	return 0;
}
