/*
 * Redaction of intercepted SIP messages for warrants that do not cover
 * every service: a warrant without "location" must not deliver where the
 * target is, and a SIP message copied into an IPMMIRI carries it in its
 * headers.
 *
 * sl_sip_without_location copies a SIP message without the header fields
 * that locate the user: P-Access-Network-Info (RFC 7315 5.4, with the cell
 * or line identifier), P-Last-Access-Network-Info (RFC 7913) and
 * Cellular-Network-Info (TS 24.229 7.2.15). Each removed field goes with
 * its continuation lines; the body and every other byte are copied as
 * they are, so Content-Length stays right. The input is what was seen on
 * the wire: nothing is assumed about it beyond its length.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * Copy msg[0..n) to out (which has room for n bytes) without the location
 * header fields; returns the length written (n when there were none).
 */
size_t sl_sip_without_location(const uint8_t *msg, size_t n, uint8_t *out);
