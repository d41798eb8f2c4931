/*
 * The one test every renderer makes before it shows bytes from a PDU as
 * text: are they printable? A LIID, a URI or a SIP message is shown as it
 * is (a JSON string, a text line); anything else as hex. Two sets, because
 * a one-line field and a SIP message differ in what they may contain.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_printable_set {
	SL_PRINTABLE_LINE,	/* printable ASCII, 0x20..0x7e: one line as it is */
	SL_PRINTABLE_TEXT,	/* also tab, CR and LF: text with line breaks, such as a SIP message */
};

/* True if every byte of p[0..n) is in set (also for n = 0). */
bool sl_printable(const uint8_t *p, size_t n, enum sl_printable_set set);
