/*
 * libFuzzer target for capture/gsmtap.c: the GSMTAP v2 header and the GSM
 * layer 2 under it (LAPDm, L2 pseudo length), from an exactly sized copy.
 * An L3 cursor handed out must lie inside the datagram.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/gsmtap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct sl_gsmtap h;
	struct sl_cursor l3;

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	if (sl_gsmtap_decode(sl_cur(buf, size), &h, &l3) == SL_GSMTAP_L3 &&
	    (l3.p < buf || l3.left > size - (size_t)(l3.p - buf)))
		abort();
	free(buf);
	return 0;
}
