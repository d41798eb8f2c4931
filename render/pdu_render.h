/*
 * Rendering of decoded handover PDUs (handover/pdu_decode.h) as one JSON
 * object, for `sluice lemf` and decode tools. Field names are the ASN.1
 * component names of TS 102 232-1/-5 and TS 101 671 as the decoder's
 * visitor reports them.
 */
#pragma once

#include "handover/pdu_decode.h"
#include "render/json_out.h"

/*
 * Append {"kind": ..., "pSHeader": {...}, ...} to j. Octet strings that are
 * printable text (SIP messages, LIIDs, URIs) become JSON strings; others
 * become {"hex": "..."}; times are seconds with microseconds; addresses
 * text.
 */
void sl_pdu_to_json(struct sl_json *j, const struct sl_pdu_decoded *d);
