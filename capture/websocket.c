/* WebSocket frame header parsing and unmasking (see websocket.h). */
#include "capture/websocket.h"

#include <string.h>

#include "capture/cursor.h"

enum sl_ws_res sl_ws_parse_header(const uint8_t *p, size_t len, struct sl_ws_frame *f)
{
	struct sl_cursor c = sl_cur(p, len);
	uint8_t b0, b1;
	uint16_t l16;
	uint32_t hi, lo;

	memset(f, 0, sizeof(*f));
	if (!sl_cur_u8(&c, &b0) || !sl_cur_u8(&c, &b1))
		return SL_WS_NEED_MORE;
	f->fin = (b0 & 0x80) != 0;
	f->opcode = b0 & 0x0f;
	f->masked = (b1 & 0x80) != 0;
	if (b0 & 0x70)
		return SL_WS_MALFORMED; /* RSV1-3: no extension (e.g. permessage-deflate) is decoded */
	switch (f->opcode) {
	case SL_WS_CONT: case SL_WS_TEXT: case SL_WS_BINARY:
	case SL_WS_CLOSE: case SL_WS_PING: case SL_WS_PONG:
		break;
	default:
		return SL_WS_MALFORMED;
	}
	f->payload_len = b1 & 0x7f;
	if (f->payload_len == 126) {
		if (!sl_cur_be16(&c, &l16))
			return SL_WS_NEED_MORE;
		if (l16 < 126)
			return SL_WS_MALFORMED;
		f->payload_len = l16;
	} else if (f->payload_len == 127) {
		if (!sl_cur_be32(&c, &hi) || !sl_cur_be32(&c, &lo))
			return SL_WS_NEED_MORE;
		if (hi & 0x80000000u)
			return SL_WS_MALFORMED;
		f->payload_len = ((uint64_t)hi << 32) | lo;
		if (f->payload_len < 65536)
			return SL_WS_MALFORMED;
	}
	if (sl_ws_is_control(f->opcode) && (!f->fin || f->payload_len > 125))
		return SL_WS_MALFORMED;
	if (f->masked && !sl_cur_copy(&c, f->mask, 4))
		return SL_WS_NEED_MORE;
	f->hdr_len = len - c.left;
	return SL_WS_OK;
}

void sl_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], size_t offset)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i] ^ mask[(offset + i) & 3];
}
