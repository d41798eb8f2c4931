/* RTP/RTCP fixed header parsing (see rtp.h). */
#include "capture/rtp.h"

#include "capture/cursor.h"

enum sl_rtp_err sl_rtp_parse(const uint8_t *p, size_t len, struct sl_rtp_hdr *h)
{
	struct sl_cursor c = sl_cur(p, len);
	uint8_t b0, b1, pad = 0;
	uint16_t xlen;
	size_t hdr;

	if (!sl_cur_u8(&c, &b0) || !sl_cur_u8(&c, &b1) || !sl_cur_be16(&c, &h->seq) || !sl_cur_be32(&c, &h->ts) ||
	    !sl_cur_be32(&c, &h->ssrc))
		return SL_RTP_ERR_TRUNCATED;
	if ((b0 >> 6) != 2)
		return SL_RTP_ERR_VERSION;
	h->pt = b1 & 0x7f;
	h->marker = (b1 & 0x80) != 0;
	if (!sl_cur_skip(&c, (size_t)(b0 & 0x0f) * 4))
		return SL_RTP_ERR_TRUNCATED;
	if (b0 & 0x10) {
		/* header extension: profile-defined 16 bits, then length in 32-bit words */
		if (!sl_cur_skip(&c, 2) || !sl_cur_be16(&c, &xlen))
			return SL_RTP_ERR_EXTENSION;
		if (!sl_cur_skip(&c, (size_t)xlen * 4))
			return SL_RTP_ERR_EXTENSION;
	}
	hdr = len - c.left;
	if (b0 & 0x20) {
		/* the last octet counts the padding, itself included */
		if (c.left == 0)
			return SL_RTP_ERR_PADDING;
		pad = p[len - 1];
		if (pad == 0 || pad > c.left)
			return SL_RTP_ERR_PADDING;
	}
	h->payload_off = hdr;
	h->payload_len = c.left - pad;
	return SL_RTP_OK;
}

enum sl_rtp_err sl_rtcp_parse(const uint8_t *p, size_t len, uint8_t *type, uint32_t *ssrc)
{
	struct sl_cursor c = sl_cur(p, len);
	uint8_t b0;
	uint16_t words;

	if (!sl_cur_u8(&c, &b0) || !sl_cur_u8(&c, type) || !sl_cur_be16(&c, &words) || !sl_cur_be32(&c, ssrc))
		return SL_RTP_ERR_TRUNCATED;
	if ((b0 >> 6) != 2)
		return SL_RTP_ERR_VERSION;
	/* a compound packet starts with SR or RR (RFC 3550 6.1); accept any RTCP type */
	if (*type < 192 || *type > 223)
		return SL_RTP_ERR_VERSION;
	if (((size_t)words + 1) * 4 > len)
		return SL_RTP_ERR_TRUNCATED;
	return SL_RTP_OK;
}

bool sl_rtp_looks_like_rtcp(const uint8_t *p, size_t len)
{
	return len >= 8 && (p[0] >> 6) == 2 && p[1] >= 192 && p[1] <= 223;
}

uint32_t sl_rtp_static_clock(uint8_t pt)
{
	switch (pt) {
	case 0: case 3: case 4: case 5: case 7: case 8: case 9:
	case 12: case 13: case 15: case 18:
		return 8000;
	case 6:
		return 16000;
	case 10: case 11:
		return 44100;
	case 14: case 25: case 26: case 28: case 31: case 32: case 33: case 34:
		return 90000;
	case 16:
		return 11025;
	case 17:
		return 22050;
	default:
		return 0;
	}
}
