/*
 * libFuzzer target for handover/sip_redact.c: any bytes as a SIP message,
 * from an exactly sized copy into an exactly sized output. The output is
 * never longer than the input, and redacting it again changes nothing (no
 * location field survives, nothing else is lost on the second pass).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handover/sip_redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size ? size : 1), *out = malloc(size ? size : 1), *again = malloc(size ? size : 1);
	size_t n, m;

	memcpy(in, data, size);
	n = sl_sip_without_location(in, size, out);
	check(n <= size);
	m = sl_sip_without_location(out, n, again);
	check(m == n && !memcmp(again, out, n));
	free(in);
	free(out);
	free(again);
	return 0;
}
