/*
 * Length-checked GSM information element decoders (3GPP TS 24.008 clause
 * 10.5.1.4 Mobile Identity, 10.5.4.7/10.5.4.9 called/calling party BCD
 * number, 10.5.4.11 Cause; TS 24.011 clause 8.2.5.1/8.2.5.2 RP addresses;
 * TS 23.040 clause 9.1.2.5 TP addresses; TS 24.008 10.5.1.3 location area
 * identification).
 *
 * libosmogsm already decodes mobile identities and BCD numbers, but its
 * helpers take bare pointers and trust a length octet they read
 * themselves. Every function here takes the IE's value bytes as a cursor
 * the caller carved out of the message, copies them into a buffer of
 * exactly the size the library is allowed to look at, and only then calls
 * libosmogsm. Results are plain fixed-size values: no allocation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/cursor.h"

/* Outcome of one IE decode: stable, so callers can map it onto counters. */
enum sl_gsm_ie_res { SL_GSM_IE_OK, SL_GSM_IE_TRUNCATED, SL_GSM_IE_MALFORMED, SL_GSM_IE_UNSUPPORTED };

enum sl_gsm_mi_type { SL_GSM_MI_NONE, SL_GSM_MI_IMSI, SL_GSM_MI_IMEI, SL_GSM_MI_IMEISV, SL_GSM_MI_TMSI, _SL_GSM_MI_COUNT };
extern const char *const sl_gsm_mi_type_names[_SL_GSM_MI_COUNT];

struct sl_gsm_mi {
	uint8_t type;		/* enum sl_gsm_mi_type */
	char digits[20];	/* IMSI/IMEI/IMEISV digits, or the TMSI as 8 lower-case hex digits */
};

/* TS 24.008 10.5.1.4: the value part (after the length octet) of a Mobile Identity IE. */
enum sl_gsm_ie_res sl_gsm_mi_decode(struct sl_cursor v, struct sl_gsm_mi *out);

#define SL_GSM_NUMBER_MAX 44	/* digits of the longest BCD number IE (up to 40 digits) + NUL */

struct sl_gsm_number {
	uint8_t ton;		/* type of number, 0..7 (1: international) */
	uint8_t npi;		/* numbering plan */
	bool has_pi;		/* octet 3a present (calling party) */
	uint8_t pi;		/* presentation indicator */
	char digits[SL_GSM_NUMBER_MAX];	/* '0'-'9', '*', '#', 'a'-'c' */
};

/*
 * TS 24.008 10.5.4.7/10.5.4.9 and TS 24.011 8.2.5.1/8.2.5.2: value part of a
 * BCD number IE: octet 3 (TON/NPI, extension bit), optional octet 3a, then
 * the digits two per octet, an odd count ending in the filler 0xF. An
 * empty value (an RP originator address with length 0) gives no digits and
 * ton/npi 0.
 */
enum sl_gsm_ie_res sl_gsm_bcd_number_decode(struct sl_cursor v, struct sl_gsm_number *out);

/*
 * TS 23.040 9.1.2.5: a TP address read from the cursor (length in digits,
 * type of address, semi-octets). Alphanumeric addresses (TON 5) are
 * decoded from GSM 7-bit into UTF-8 digits[]. Consumes exactly the field.
 */
enum sl_gsm_ie_res sl_gsm_tp_address_decode(struct sl_cursor *c, struct sl_gsm_number *out);

/* TS 24.008 10.5.4.11: value part of a Cause IE. */
struct sl_gsm_cause {
	uint8_t location;
	uint8_t coding;
	uint8_t value;		/* cause value, 7 bits (Q.850 numbering) */
};
enum sl_gsm_ie_res sl_gsm_cause_decode(struct sl_cursor v, struct sl_gsm_cause *out);

/* TS 24.008 10.5.1.3: a Location Area Identification, exactly 5 octets. */
struct sl_gsm_lai {
	char mcc[4];		/* 3 digits */
	char mnc[4];		/* 2 or 3 digits, leading zeros kept */
	uint16_t lac;
};
enum sl_gsm_ie_res sl_gsm_lai_decode(struct sl_cursor *c, struct sl_gsm_lai *out);

/*
 * The IMEI (14 digits and the Luhn check digit, TS 23.003 6.2.1 and annex
 * B) that an IMEI or IMEISV identifies. out must hold 16 bytes.
 */
bool sl_gsm_imei_of(const struct sl_gsm_mi *mi, char *out, size_t len);
