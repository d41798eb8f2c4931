/*
 * Printable-byte tests for the renderers (printable.h): the JSON of a
 * decoded PDU (pdu_render.c), the text of `sluice decode` (decode_out.c)
 * and the receiver's per-PDU index lines (lemf/lemf_store.c) all decide
 * with it whether input bytes are shown as text or as hex.
 */
#include "render/printable.h"

bool sl_printable(const uint8_t *p, size_t n, enum sl_printable_set set)
{
	bool text = set == SL_PRINTABLE_TEXT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] >= 0x20 && p[i] <= 0x7e)
			continue;
		if (text && (p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
			continue;
		return false;
	}
	return true;
}
