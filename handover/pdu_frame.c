/*
 * Framing of a stream of handover PDUs (TS 102 232-1 clause 6.2 and
 * annex E): the first TLV's identifier and length octets, read with the
 * BER reader, give the PDU's size. A PDU is a PS-PDU (universal
 * SEQUENCE) or a TS 101 671 IRIsContent, whose first octet is a
 * constructed context tag [0]..[4] (version11 [0]/[1], version18 [1]..[4]).
 * Other mediation functions' BER encoders may use long-form lengths with
 * leading zeros or the indefinite form (X.690 8.1.3.6): the latter is
 * framed by scanning for its end-of-contents (asn1/ber_decode.c, without
 * recursion); until it arrives more bytes are needed, and a PDU still
 * unterminated after max_pdu bytes is -EMSGSIZE.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "asn1/ber_decode.h"
#include "handover/pdu_frame.h"

static bool pdu_identifier(uint8_t id)
{
	return id == 0x30 || (id >= 0xA0 && id <= 0xA4);
}

ssize_t sl_pdu_frame_resume(const uint8_t *p, size_t n, size_t max_pdu, struct sl_ber_resume *r)
{
	struct sl_ber_dec d;
	enum sl_ber_err e;
	size_t size = 0;

	if (n == 0)
		return 0;
	if (!p || !pdu_identifier(p[0]))
		return -EBADMSG;
	sl_ber_dec_init(&d, p, n, SL_BER_MODE_BER);
	d.max_len = max_pdu;
	e = sl_ber_frame_resume(&d, r, &size);
	switch (e) {
	case SL_BER_OK:
		if (size > max_pdu)
			return -EMSGSIZE;
		return size > (size_t)SSIZE_MAX ? -EMSGSIZE : (ssize_t)size;
	case SL_BER_E_TRUNCATED:
		if (d.err.need > max_pdu || (d.err.need == 0 && n >= max_pdu))
			return -EMSGSIZE;
		return 0;
	case SL_BER_E_BAD_LENGTH:
		/* the reader's length limit is max_pdu: say so rather than "malformed" */
		if (strstr(d.err.msg, "exceeds the maximum"))
			return -EMSGSIZE;
		return -EBADMSG;
	default:
		return -EBADMSG;
	}
}

ssize_t sl_pdu_frame(const uint8_t *p, size_t n, size_t max_pdu)
{
	struct sl_ber_resume r = { 0 };

	return sl_pdu_frame_resume(p, n, max_pdu, &r);
}
