/*
 * `sluice decode --pcap`: handover PDUs from a capture of plain-TCP
 * handover connections (see decode_pcap.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "render/decode_out.h"

/*
 * Decode every PDU sent on TCP connections to or from one of ports[] in
 * the capture file (or "-" for stdin), writing to o. Returns 0, or 1 when
 * the file cannot be read (a message naming it is on stderr); bad PDUs
 * are counted in o.
 */
int sl_decode_pcap(void *ctx, const char *file, const uint16_t *ports, unsigned n_ports, size_t max_pdu,
		   struct sl_decode_out *o);
