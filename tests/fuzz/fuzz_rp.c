/*
 * libFuzzer target for capture/gsm411_rp.c (TS 24.011 RP messages), from
 * an exactly sized copy. The RP user data handed out must lie inside the
 * message and the addresses must be terminated strings.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gsm411_rp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct sl_rp rp;

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	if (sl_rp_decode(sl_cur(buf, size), &rp) == SL_RP_OK) {
		if (rp.has_ud && (rp.ud.p < buf || rp.ud.left > size - (size_t)(rp.ud.p - buf)))
			abort();
		if (strnlen(rp.oa.digits, sizeof(rp.oa.digits)) == sizeof(rp.oa.digits) ||
		    strnlen(rp.da.digits, sizeof(rp.da.digits)) == sizeof(rp.da.digits))
			abort();
	}
	free(buf);
	return 0;
}
