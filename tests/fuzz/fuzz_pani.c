/*
 * libFuzzer target for capture/sip_pani.c (P-Access-Network-Info cells,
 * TS 24.229 clause 7.2A.4), from an exactly sized copy. A cell found must
 * have a known access, decimal MCC and MNC of the right lengths, and an
 * area and cell identity within the bits the access allows. The
 * access-net-spec sl_pani_pick() chooses must lie inside the input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sip_pani.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool digits(const char *s, size_t lo, size_t hi)
{
	size_t n = strnlen(s, 4), i;

	if (n < lo || n > hi)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct sl_cell c;
	struct sl_str pick;
	bool np;

	if (!buf)
		abort();
	if (size)
		memcpy(buf, data, size);
	if (sl_pani_cell(sl_str_make(buf, size), &c) == SL_PANI_OK) {
		unsigned area_bits = c.access == SL_ACCESS_NR ? 24 : 16;
		unsigned cell_bits = c.access == SL_ACCESS_NR ? 36 : c.access == SL_ACCESS_GERAN ? 16 : 28;
		if (c.access >= _SL_ACCESS_COUNT || !digits(c.mcc, 3, 3) || !digits(c.mnc, 2, 3)
		    || c.area >> area_bits || c.cell >> cell_bits)
			abort();
	}
	pick = sl_pani_pick(sl_str_make(buf, size), &np);
	if (pick.p < buf || pick.p + pick.len > buf + size)
		abort();
	(void)sl_pani_cell(pick, &c);
	free(buf);
	return 0;
}
