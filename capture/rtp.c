/* RTP/RTCP fixed header parsing (see rtp.h). */
#include "capture/rtp.h"

#include "capture/cursor.h"

/*
 * Every RTP packet of every known stream comes through here, so the fixed
 * header is read in place with one length check rather than field by field
 * through a cursor; the checks and their order are the same.
 */
enum sl_rtp_err sl_rtp_parse(const uint8_t *p, size_t len, struct sl_rtp_hdr *h)
{
	size_t hdr, left, pad = 0;
	uint8_t b0;

	if (len < 12)
		return SL_RTP_ERR_TRUNCATED;
	b0 = p[0];
	h->seq = (uint16_t)((p[2] << 8) | p[3]);
	h->ts = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
	h->ssrc = ((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11];
	if ((b0 >> 6) != 2)
		return SL_RTP_ERR_VERSION;
	h->pt = p[1] & 0x7f;
	h->marker = (p[1] & 0x80) != 0;
	/* CSRC list */
	hdr = 12 + (size_t)(b0 & 0x0f) * 4;
	if (hdr > len)
		return SL_RTP_ERR_TRUNCATED;
	if (b0 & 0x10) {
		/* header extension: profile-defined 16 bits, then length in 32-bit words */
		size_t xlen;

		if (len - hdr < 4)
			return SL_RTP_ERR_EXTENSION;
		xlen = (size_t)((p[hdr + 2] << 8) | p[hdr + 3]) * 4;
		hdr += 4;
		if (xlen > len - hdr)
			return SL_RTP_ERR_EXTENSION;
		hdr += xlen;
	}
	left = len - hdr;
	if (b0 & 0x20) {
		/* the last octet counts the padding, itself included */
		if (left == 0)
			return SL_RTP_ERR_PADDING;
		pad = p[len - 1];
		if (pad == 0 || pad > left)
			return SL_RTP_ERR_PADDING;
	}
	h->payload_off = hdr;
	h->payload_len = left - pad;
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
