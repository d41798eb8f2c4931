/*
 * WebSocket frame headers (RFC 6455 section 5.2), for SIP over WebSocket
 * (RFC 7118).
 *
 * Parses one frame header from the front of a stream buffer and tells the
 * caller how many bytes the header takes and how long the payload is;
 * unmasks payload bytes into a separate buffer. Rejects what RFC 6455 says
 * a receiver must fail the connection on: reserved opcodes, RSV bits
 * without a negotiated extension, fragmented or oversized control frames,
 * a 64-bit length with the top bit set, non-minimal length encodings.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sl_ws_opcode {
	SL_WS_CONT = 0x0,
	SL_WS_TEXT = 0x1,
	SL_WS_BINARY = 0x2,
	SL_WS_CLOSE = 0x8,
	SL_WS_PING = 0x9,
	SL_WS_PONG = 0xA,
};

struct sl_ws_frame {
	bool fin;
	uint8_t opcode;
	bool masked;
	uint8_t mask[4];
	uint64_t payload_len;
	size_t hdr_len;
};

enum sl_ws_res { SL_WS_OK, SL_WS_NEED_MORE, SL_WS_MALFORMED };

enum sl_ws_res sl_ws_parse_header(const uint8_t *p, size_t len, struct sl_ws_frame *f);

/* dst[i] = src[i] ^ mask[(offset + i) % 4]; dst may equal src. */
void sl_ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t mask[4], size_t offset);

static inline bool sl_ws_is_control(uint8_t opcode)
{
	return opcode & 0x8;
}
