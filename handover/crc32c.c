/*
 * CRC-32C, reflected polynomial 0x82F63B78, one 256-entry table built on
 * first use (see crc32c.h for why this checksum).
 */
#include "handover/crc32c.h"

#include <stdbool.h>

static uint32_t table[256];
static bool table_ready;

static void build_table(void)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		table[i] = c;
	}
	table_ready = true;
}

uint32_t sl_crc32c(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (!table_ready)
		build_table();
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *b++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
