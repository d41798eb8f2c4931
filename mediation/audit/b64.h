/*
 * Standard base64 (RFC 4648 section 4, with padding), strict: the decoder
 * refuses characters outside the alphabet, missing padding and non-zero
 * trailing bits, so one byte string has one spelling, as signed notes and
 * checkpoints need.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the encoding of n bytes, without the NUL. */
#define SL_AUDIT_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Encodes n bytes into out (SL_AUDIT_B64_LEN(n) + 1 bytes, NUL-terminated). */
void sl_audit_b64_encode(const uint8_t *p, size_t n, char *out);
/* Decodes s[0..slen) into out (cap bytes); false if not strict base64 or too long. */
bool sl_audit_b64_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen);
