/*
 * libFuzzer target for capture/rtp.c: RTP fixed header and RTCP compound
 * packet parsing from an exactly sized copy. A parsed RTP header's payload
 * must lie inside the packet.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct sl_rtp_hdr h;
	uint8_t type;
	uint32_t ssrc;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	if (sl_rtp_parse(buf, size, &h) == SL_RTP_OK) {
		check(h.payload_off <= size && h.payload_len <= size - h.payload_off);
		check(h.pt < 128);
		sl_rtp_static_clock(h.pt);
	}
	if (sl_rtcp_parse(buf, size, &type, &ssrc) == SL_RTP_OK)
		check(type >= 192 && type <= 223); /* rtp.c accepts any RTCP type (RFC 5761 range) */
	sl_rtp_looks_like_rtcp(buf, size);
	free(buf);
	return 0;
}
