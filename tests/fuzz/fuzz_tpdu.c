/*
 * libFuzzer target for capture/sms_tpdu.c and capture/sms_text.c (TS
 * 23.040 TPDUs and their text), from an exactly sized copy. The first
 * input byte says which direction the TPDU travels (bit 0: from the
 * phone). The user data must lie inside the TPDU; decoded text must fit
 * the buffer given.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sms_tpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	struct sl_tpdu t;
	char text[700];
	int n;

	if (size < 1)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		abort();
	memcpy(buf, data + 1, size - 1);
	if (sl_tpdu_decode(sl_cur(buf, size - 1), data[0] & 1, &t) == SL_TPDU_OK) {
		if (t.ud.left && (t.ud.p < buf || t.ud.left > size - 1 - (size_t)(t.ud.p - buf)))
			abort();
		n = sl_sms_text(&t, text, sizeof(text));
		if (n >= (int)sizeof(text))
			abort();
	}
	free(buf);
	return 0;
}
