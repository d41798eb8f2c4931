/*
 * ASN.1 BER/DER: definitions shared by the encoder, the decoder and the
 * tree printer.
 *
 * asn1/ knows tags, lengths and the universal types of ITU-T X.680/X.690
 * and nothing else: no ETSI module, no packet, no allocator. The PS-PDU,
 * IRI and CC builders in handover/ (and the reference receiver's decoder)
 * are written on top of it. This header holds what both directions need:
 * tag classes as they sit in the identifier octet, the universal tag
 * numbers, the error classification used by every decoding function, and
 * the character-set checks for restricted string types (shared so that
 * the encoder never emits a string the strict decoder would refuse).
 *
 * Public headers: ber_encode.h (backwards writer), ber_decode.h (strict
 * reader and typed getters), ber_time.h, oid.h, ber_dump.h (tree printer).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Tag classes, valued as bits 8-7 of the identifier octet (X.690 8.1.2.2)
 * so that encoding is an OR and decoding a mask.
 */
enum sl_ber_class {
	SL_BER_UNIVERSAL = 0x00,
	SL_BER_APPLICATION = 0x40,
	SL_BER_CONTEXT = 0x80,
	SL_BER_PRIVATE = 0xC0,
};

/* Universal tag numbers (X.680 clause 8.6, Table 1). */
enum sl_ber_universal {
	SL_BER_TAG_EOC = 0, /* end-of-contents, BER indefinite form only */
	SL_BER_TAG_BOOLEAN = 1,
	SL_BER_TAG_INTEGER = 2,
	SL_BER_TAG_BIT_STRING = 3,
	SL_BER_TAG_OCTET_STRING = 4,
	SL_BER_TAG_NULL = 5,
	SL_BER_TAG_OID = 6,
	SL_BER_TAG_OBJECT_DESCRIPTOR = 7,
	SL_BER_TAG_EXTERNAL = 8,
	SL_BER_TAG_REAL = 9,
	SL_BER_TAG_ENUMERATED = 10,
	SL_BER_TAG_EMBEDDED_PDV = 11,
	SL_BER_TAG_UTF8_STRING = 12,
	SL_BER_TAG_RELATIVE_OID = 13,
	SL_BER_TAG_TIME = 14,
	SL_BER_TAG_SEQUENCE = 16,
	SL_BER_TAG_SET = 17,
	SL_BER_TAG_NUMERIC_STRING = 18,
	SL_BER_TAG_PRINTABLE_STRING = 19,
	SL_BER_TAG_TELETEX_STRING = 20,
	SL_BER_TAG_VIDEOTEX_STRING = 21,
	SL_BER_TAG_IA5_STRING = 22,
	SL_BER_TAG_UTC_TIME = 23,
	SL_BER_TAG_GENERALIZED_TIME = 24,
	SL_BER_TAG_GRAPHIC_STRING = 25,
	SL_BER_TAG_VISIBLE_STRING = 26,
	SL_BER_TAG_GENERAL_STRING = 27,
	SL_BER_TAG_UNIVERSAL_STRING = 28,
	SL_BER_TAG_CHARACTER_STRING = 29,
	SL_BER_TAG_BMP_STRING = 30,
};

/*
 * Largest tag number either direction handles: four subsequent identifier
 * octets of 7 bits. Real specifications stay far below (ETSI uses < 200);
 * the cap keeps a hostile identifier from spinning or overflowing.
 */
#define SL_BER_TAG_MAX ((UINT32_C(1) << 28) - 1)

/*
 * Failure classes of every decoding function. Values are stable (they
 * index counter and name tables); append only. The names are the counter
 * suffixes, e.g. "asn1.bad_length".
 */
enum sl_ber_err {
	SL_BER_OK = 0,
	SL_BER_E_TRUNCATED,   /* input ends inside a value (top level: more bytes may come) */
	SL_BER_E_BAD_LENGTH,  /* length octets malformed, above the limit, or overrunning the enclosing value */
	SL_BER_E_INDEFINITE,  /* indefinite length where it is not allowed (DER, or a primitive value) */
	SL_BER_E_TOO_DEEP,    /* nesting beyond the configured depth limit */
	SL_BER_E_BAD_TAG,     /* identifier octets malformed, unexpected tag, or wrong primitive/constructed form */
	SL_BER_E_NON_MINIMAL, /* valid BER but not the one DER form (length, INTEGER, tag, subidentifier) */
	SL_BER_E_BAD_VALUE,   /* content octets invalid for the type */
	SL_BER_E_TRAILING,    /* bytes left over after the value(s) that should fill the region */
	SL_BER_E_LIMIT,       /* well-formed but beyond what the caller can hold (64-bit integer, 2^32 arc, buffer) */
	SL_BER_E_MISSING,     /* a mandatory element is absent (for decoders built on this one) */
	SL_BER_E__COUNT
};

/* Stable short name, e.g. "bad_length"; "unknown" for out-of-range codes. */
const char *sl_ber_err_name(enum sl_ber_err e);
/* One-line description of the class, for logs and documentation. */
const char *sl_ber_err_desc(enum sl_ber_err e);

/* "UNIVERSAL", "APPLICATION", "CONTEXT" or "PRIVATE". */
const char *sl_ber_class_name(uint8_t cls);
/* ASN.1 name of a universal tag ("INTEGER", "SEQUENCE"), NULL if unassigned. */
const char *sl_ber_universal_name(uint32_t tag);

/*
 * Check content octets against the character set of a restricted string
 * type given as its universal tag number: UTF8String (well-formed UTF-8,
 * no overlong forms, no surrogates, nothing above U+10FFFF),
 * PrintableString, NumericString, IA5String, VisibleString. Returns false
 * for other types, which are not checked anywhere in asn1/. On failure
 * *bad_at (if non-NULL) receives the index of the first offending byte.
 */
bool sl_ber_text_valid(uint32_t string_tag, const uint8_t *p, size_t n, size_t *bad_at);
/* True if sl_ber_text_valid() knows the character set of this type. */
bool sl_ber_text_type_known(uint32_t string_tag);

/*
 * ASN.1 notation of a tag into buf with snprintf semantics: "INTEGER" for
 * known universal tags, "[UNIVERSAL 99]", "[APPLICATION 1]", "[3]" for
 * context tags, "[PRIVATE 7]". Returns the length the full text needs.
 */
size_t sl_ber_tag_name(uint8_t cls, uint32_t tag, char *buf, size_t cap);
