/*
 * Framing of a TCP stream of handover PDUs.
 *
 * TS 102 232-1 clause 6.2 (and annex E for TCP delivery) sends PS-PDUs
 * back to back on one connection with no framing of their own: each PDU
 * is one BER TLV, so its identifier and length octets say where it ends.
 * The same holds for a TS 101 671 HI2 stream of IRIsContent. A receiver
 * (and our delivery code reading keep-alive responses) asks this function
 * how long the first PDU is before decoding it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Size of the first complete PDU in p[0..n), 0 if more bytes are needed,
 * or a negative errno: -EBADMSG if the bytes cannot start a PDU (an
 * identifier other than a PS-PDU SEQUENCE or an IRIsContent record tag
 * [0]..[4] constructed, or malformed length octets), -EMSGSIZE if the
 * PDU would be longer than max_pdu (an indefinite-length PDU whose
 * end-of-contents is not within max_pdu bytes included). BER lengths are
 * read: long forms with leading zeros and the indefinite form. Only the identifier and length
 * octets are read; the content is checked by sl_pdu_decode().
 */
ssize_t sl_pdu_frame(const uint8_t *p, size_t n, size_t max_pdu);

/*
 * The same for a receiver that keeps the state r of the PDU at p between
 * reads (zeroed for each new PDU; p is that PDU's first octet each time):
 * an incomplete indefinite-length PDU is scanned only from where the last
 * call stopped (asn1 sl_ber_frame_resume), so its cost is linear in its
 * size however the bytes trickle in.
 */
struct sl_ber_resume;
ssize_t sl_pdu_frame_resume(const uint8_t *p, size_t n, size_t max_pdu, struct sl_ber_resume *r);
