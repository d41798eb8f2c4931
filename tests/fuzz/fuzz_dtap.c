/*
 * libFuzzer target for capture/gsm48_dtap.c and the IE wrappers of
 * capture/gsm_ie.c under it (TS 24.008 MM, CC, TS 24.011 CP), from an
 * exactly sized copy. Decoded numbers and identities must be terminated
 * strings; a CP-DATA's RPDU must lie inside the message.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gsm48_dtap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct sl_gsm48 m;

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	if (sl_gsm48_decode(sl_cur(buf, size), &m) == SL_GSM48_OK) {
		if (strnlen(m.mi.digits, sizeof(m.mi.digits)) == sizeof(m.mi.digits) ||
		    strnlen(m.called.digits, sizeof(m.called.digits)) == sizeof(m.called.digits) ||
		    strnlen(m.calling.digits, sizeof(m.calling.digits)) == sizeof(m.calling.digits))
			abort();
		if (m.msg == SL_GSM48_CP_DATA && (m.rpdu.p < buf || m.rpdu.left > size - (size_t)(m.rpdu.p - buf)))
			abort();
	}
	free(buf);
	return 0;
}
