/*
 * OBJECT IDENTIFIER values: arc arrays, dotted text and content octets.
 *
 * Arcs are uint32_t: every OID ETSI and 3GPP assign fits, and the decoder
 * rejects larger arcs (SL_BER_E_LIMIT) rather than carrying 64-bit or
 * arbitrary-precision arcs through every caller. These functions work on
 * content octets only (no tag or length); the writer and the typed getter
 * add the header and the error offsets.
 */
#pragma once

#include "asn1/ber.h"

/* Arc count the writer's dotted-text entry point and the dump accept. */
#define SL_BER_OID_MAX_ARCS 64

/*
 * True if arcs can be encoded (X.690 8.19.4): at least two arcs, the first
 * 0, 1 or 2, the second at most 39 under 0 and 1.
 */
bool sl_ber_oid_arcs_valid(const uint32_t *arcs, size_t n);

/* Content length of the encoding of arcs, 0 if !sl_ber_oid_arcs_valid(). */
size_t sl_ber_oid_encoded_len(const uint32_t *arcs, size_t n);

/*
 * Write the content octets of arcs to out. Returns their length, or 0 if
 * the arcs are invalid or cap is too small (nothing useful is written).
 */
size_t sl_ber_oid_encode(const uint32_t *arcs, size_t n, uint8_t *out, size_t cap);

/*
 * Decode content octets into at most max arcs. Rejects empty content and a
 * subidentifier cut short (SL_BER_E_BAD_VALUE), a subidentifier starting
 * with 0x80 (SL_BER_E_NON_MINIMAL; X.690 8.19.2 forbids it in BER too),
 * arcs above 2^32-1 and more than max arcs (SL_BER_E_LIMIT). On failure,
 * *at is the content index of the offending octet and *why a static
 * message. *n is the arc count on success.
 */
enum sl_ber_err sl_ber_oid_decode(const uint8_t *p, size_t len, uint32_t *arcs, size_t max,
				  size_t *n, size_t *at, const char **why);

/*
 * Same checks, rendering dotted text into buf (always NUL-terminated when
 * cap > 0). A buffer too small gives SL_BER_E_LIMIT. *text_len receives the
 * text length without the NUL.
 */
enum sl_ber_err sl_ber_oid_decode_text(const uint8_t *p, size_t len, char *buf, size_t cap,
				       size_t *text_len, size_t *at, const char **why);

/*
 * Parse dotted text ("0.4.0.2.2.5.1.13") into at most max arcs. Strict:
 * decimal digits and single dots only, no leading zeros, no sign or space,
 * each arc <= 2^32-1, and the first two arcs as sl_ber_oid_arcs_valid()
 * requires. Returns SL_BER_E_BAD_VALUE or SL_BER_E_LIMIT (too many arcs).
 */
enum sl_ber_err sl_ber_oid_parse(const char *text, uint32_t *arcs, size_t max, size_t *n);

/*
 * Render arcs as dotted text with snprintf semantics: writes at most cap
 * bytes including the NUL and returns the length the full text needs.
 */
size_t sl_ber_oid_format(const uint32_t *arcs, size_t n, char *buf, size_t cap);
