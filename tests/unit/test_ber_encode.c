/*
 * Unit tests for asn1/ber_encode.c, the backwards DER writer. Every
 * primitive is checked against golden bytes worked out by hand from X.690:
 * identifier octets in the low- and high-tag-number forms (8.1.2) up to
 * SL_BER_TAG_MAX, definite lengths in their fewest octets around each
 * boundary where the form changes (10.1: 127/128, 255/256, 65535/65536 and
 * on to SIZE_MAX), INTEGER in the fewest two's-complement octets around
 * each sign boundary (8.3.2), BOOLEAN TRUE as 0xFF (11.1), NULL, BIT STRING
 * with zeroed pad bits (11.2), OBJECT IDENTIFIER first-arc packing and
 * large arcs (8.19), GeneralizedTime with DER fractions (11.7) and UTCTime
 * (11.8), and restricted strings, whose character sets the writer must
 * enforce. Each vector is also written into every smaller buffer (exactly
 * sized heap blocks, so AddressSanitizer sees a stray write), where the
 * writer must fail with the overflow flag while sl_ber_w_needed() still
 * reports the full size, and into a sizing pass over a NULL buffer.
 * Constructed values are built with marks, and invalid arguments must
 * poison the result rather than emit something the decoder would refuse.
 */
#include "tests/unit/asn1_test_util.h"

#include "asn1/ber_decode.h"
#include "asn1/ber_encode.h"
#include "asn1/oid.h"

enum op {
	OP_INT,
	OP_UINT,
	OP_ENUM,
	OP_BOOL,
	OP_NULL,
	OP_OCTETS,
	OP_TEXT,
	OP_BITS,
	OP_OID,
	OP_OID_TEXT,
	OP_GENTIME,
	OP_UTCTIME,
	OP_HEADER,
};

struct enc_case {
	const char *name;
	enum op op;
	uint8_t cls;
	uint32_t tag;
	int64_t i;      /* INT/ENUM value, GENTIME/UTCTIME seconds, HEADER constructed */
	uint64_t u;     /* UINT value, BITS bit count, HEADER length, GENTIME usec */
	unsigned k;     /* TEXT string type, GENTIME fraction digits */
	const void *p;  /* OCTETS/TEXT/BITS content, OID arcs, OID_TEXT text */
	size_t n;       /* bytes of p, or arcs */
	const uint8_t *want;
	size_t want_len;
};

#define U SL_BER_UNIVERSAL
#define C SL_BER_CONTEXT
#define A SL_BER_APPLICATION
#define P SL_BER_PRIVATE
#define WANT(...) .want = B(__VA_ARGS__), .want_len = BN(__VA_ARGS__)
#define ARCS(...) .p = (const uint32_t[]){ __VA_ARGS__ }, .n = sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4
#define STR(s) .p = (s), .n = sizeof(s) - 1

static void apply(struct sl_ber_w *w, const struct enc_case *c)
{
	switch (c->op) {
	case OP_INT:
		sl_ber_w_int64(w, c->cls, c->tag, c->i);
		break;
	case OP_UINT:
		sl_ber_w_uint64(w, c->cls, c->tag, c->u);
		break;
	case OP_ENUM:
		sl_ber_w_enum(w, c->cls, c->tag, c->i);
		break;
	case OP_BOOL:
		sl_ber_w_bool(w, c->cls, c->tag, c->i != 0);
		break;
	case OP_NULL:
		sl_ber_w_null(w, c->cls, c->tag);
		break;
	case OP_OCTETS:
		sl_ber_w_octets(w, c->cls, c->tag, c->p, c->n);
		break;
	case OP_TEXT:
		sl_ber_w_text(w, c->cls, c->tag, c->k, c->p, c->n);
		break;
	case OP_BITS:
		sl_ber_w_bitstring(w, c->cls, c->tag, c->p, (size_t)c->u);
		break;
	case OP_OID:
		sl_ber_w_oid(w, c->cls, c->tag, c->p, c->n);
		break;
	case OP_OID_TEXT:
		sl_ber_w_oid_text(w, c->cls, c->tag, c->p);
		break;
	case OP_GENTIME:
		sl_ber_w_generalized_time(w, c->cls, c->tag, c->i, (uint32_t)c->u, c->k);
		break;
	case OP_UTCTIME:
		sl_ber_w_utc_time(w, c->cls, c->tag, c->i);
		break;
	case OP_HEADER:
		sl_ber_w_header(w, c->cls, c->i != 0, c->tag, (size_t)c->u);
		break;
	}
}

/* clang-format off */
static const struct enc_case golden[] = {
	/* INTEGER, X.690 8.3: fewest octets, two's complement */
	{ "int 0", OP_INT, U, 2, .i = 0, WANT(0x02, 0x01, 0x00) },
	{ "int 1", OP_INT, U, 2, .i = 1, WANT(0x02, 0x01, 0x01) },
	{ "int 127", OP_INT, U, 2, .i = 127, WANT(0x02, 0x01, 0x7F) },
	{ "int 128", OP_INT, U, 2, .i = 128, WANT(0x02, 0x02, 0x00, 0x80) },
	{ "int 255", OP_INT, U, 2, .i = 255, WANT(0x02, 0x02, 0x00, 0xFF) },
	{ "int 256", OP_INT, U, 2, .i = 256, WANT(0x02, 0x02, 0x01, 0x00) },
	{ "int 32767", OP_INT, U, 2, .i = 32767, WANT(0x02, 0x02, 0x7F, 0xFF) },
	{ "int 32768", OP_INT, U, 2, .i = 32768, WANT(0x02, 0x03, 0x00, 0x80, 0x00) },
	{ "int 0x0123456789", OP_INT, U, 2, .i = 0x0123456789, WANT(0x02, 0x05, 0x01, 0x23, 0x45, 0x67, 0x89) },
	{ "int -1", OP_INT, U, 2, .i = -1, WANT(0x02, 0x01, 0xFF) },
	{ "int -128", OP_INT, U, 2, .i = -128, WANT(0x02, 0x01, 0x80) },
	{ "int -129", OP_INT, U, 2, .i = -129, WANT(0x02, 0x02, 0xFF, 0x7F) },
	{ "int -256", OP_INT, U, 2, .i = -256, WANT(0x02, 0x02, 0xFF, 0x00) },
	{ "int -32768", OP_INT, U, 2, .i = -32768, WANT(0x02, 0x02, 0x80, 0x00) },
	{ "int -32769", OP_INT, U, 2, .i = -32769, WANT(0x02, 0x03, 0xFF, 0x7F, 0xFF) },
	{ "int max", OP_INT, U, 2, .i = INT64_MAX, WANT(0x02, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) },
	{ "int min", OP_INT, U, 2, .i = INT64_MIN, WANT(0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0) },
	{ "int 2^31", OP_INT, U, 2, .i = INT64_C(0x80000000), WANT(0x02, 0x05, 0x00, 0x80, 0, 0, 0) },
	{ "int -2^31", OP_INT, U, 2, .i = -INT64_C(0x80000000), WANT(0x02, 0x04, 0x80, 0, 0, 0) },
	{ "int [4] 7", OP_INT, C, 4, .i = 7, WANT(0x84, 0x01, 0x07) },
	{ "uint 0", OP_UINT, U, 2, .u = 0, WANT(0x02, 0x01, 0x00) },
	{ "uint 127", OP_UINT, U, 2, .u = 127, WANT(0x02, 0x01, 0x7F) },
	{ "uint 128", OP_UINT, U, 2, .u = 128, WANT(0x02, 0x02, 0x00, 0x80) },
	{ "uint 2^63-1", OP_UINT, U, 2, .u = INT64_MAX, WANT(0x02, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) },
	{ "uint 2^63", OP_UINT, U, 2, .u = UINT64_C(1) << 63, WANT(0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0) },
	{ "uint max", OP_UINT, U, 2, .u = UINT64_MAX, WANT(0x02, 0x09, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) },
	{ "enum 5", OP_ENUM, U, 10, .i = 5, WANT(0x0A, 0x01, 0x05) },
	{ "enum -1", OP_ENUM, U, 10, .i = -1, WANT(0x0A, 0x01, 0xFF) },
	/* BOOLEAN (11.1), NULL (8.8) */
	{ "true", OP_BOOL, U, 1, .i = 1, WANT(0x01, 0x01, 0xFF) },
	{ "false", OP_BOOL, U, 1, .i = 0, WANT(0x01, 0x01, 0x00) },
	{ "null", OP_NULL, U, 5, WANT(0x05, 0x00) },
	/* identifier octets, 8.1.2: classes and the high-tag-number form */
	{ "[0]", OP_NULL, C, 0, WANT(0x80, 0x00) },
	{ "[30]", OP_NULL, C, 30, WANT(0x9E, 0x00) },
	{ "[31]", OP_NULL, C, 31, WANT(0x9F, 0x1F, 0x00) },
	{ "[127]", OP_NULL, C, 127, WANT(0x9F, 0x7F, 0x00) },
	{ "[128]", OP_NULL, C, 128, WANT(0x9F, 0x81, 0x00, 0x00) },
	{ "[16383]", OP_NULL, C, 16383, WANT(0x9F, 0xFF, 0x7F, 0x00) },
	{ "[16384]", OP_NULL, C, 16384, WANT(0x9F, 0x81, 0x80, 0x00, 0x00) },
	{ "[2^21-1]", OP_NULL, C, 2097151, WANT(0x9F, 0xFF, 0xFF, 0x7F, 0x00) },
	{ "[2^21]", OP_NULL, C, 2097152, WANT(0x9F, 0x81, 0x80, 0x80, 0x00, 0x00) },
	{ "[TAG_MAX]", OP_NULL, C, SL_BER_TAG_MAX, WANT(0x9F, 0xFF, 0xFF, 0xFF, 0x7F, 0x00) },
	{ "[APPLICATION 1]", OP_NULL, A, 1, WANT(0x41, 0x00) },
	{ "[PRIVATE 7]", OP_NULL, P, 7, WANT(0xC7, 0x00) },
	{ "[PRIVATE 200]", OP_NULL, P, 200, WANT(0xDF, 0x81, 0x48, 0x00) },
	{ "[UNIVERSAL 31]", OP_NULL, U, 31, WANT(0x1F, 0x1F, 0x00) },
	/* length octets, 10.1: short form below 128, else fewest octets */
	{ "len 0", OP_HEADER, U, 4, .u = 0, WANT(0x04, 0x00) },
	{ "len 127", OP_HEADER, U, 4, .u = 127, WANT(0x04, 0x7F) },
	{ "len 128", OP_HEADER, U, 4, .u = 128, WANT(0x04, 0x81, 0x80) },
	{ "len 255", OP_HEADER, U, 4, .u = 255, WANT(0x04, 0x81, 0xFF) },
	{ "len 256", OP_HEADER, U, 4, .u = 256, WANT(0x04, 0x82, 0x01, 0x00) },
	{ "len 65535", OP_HEADER, U, 4, .u = 65535, WANT(0x04, 0x82, 0xFF, 0xFF) },
	{ "len 65536", OP_HEADER, U, 4, .u = 65536, WANT(0x04, 0x83, 0x01, 0x00, 0x00) },
	{ "len 2^24-1", OP_HEADER, U, 4, .u = 0xFFFFFF, WANT(0x04, 0x83, 0xFF, 0xFF, 0xFF) },
	{ "len 2^24", OP_HEADER, U, 4, .u = 0x1000000, WANT(0x04, 0x84, 0x01, 0x00, 0x00, 0x00) },
	{ "len 2^32-1", OP_HEADER, U, 4, .u = 0xFFFFFFFF, WANT(0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF) },
	{ "len 2^32", OP_HEADER, U, 4, .u = UINT64_C(0x100000000), WANT(0x04, 0x85, 0x01, 0, 0, 0, 0) },
	{ "len SIZE_MAX", OP_HEADER, U, 4, .u = SIZE_MAX, WANT(0x04, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF) },
	{ "SEQUENCE len 300", OP_HEADER, U, 16, .i = 1, .u = 300, WANT(0x30, 0x82, 0x01, 0x2C) },
	{ "[31] cons len 1", OP_HEADER, C, 31, .i = 1, .u = 1, WANT(0xBF, 0x1F, 0x01) },
	{ "[APPLICATION 16384] len 0", OP_HEADER, A, 16384, .u = 0, WANT(0x5F, 0x81, 0x80, 0x00, 0x00) },
	/* strings */
	{ "octets empty", OP_OCTETS, U, 4, .p = "", .n = 0, WANT(0x04, 0x00) },
	{ "octets abc", OP_OCTETS, U, 4, STR("abc"), WANT(0x04, 0x03, 'a', 'b', 'c') },
	{ "[1] octets", OP_OCTETS, C, 1, STR("\x00\xff"), WANT(0x81, 0x02, 0x00, 0xFF) },
	{ "utf8 e-acute", OP_TEXT, U, 12, .k = 12, STR("\xC3\xA9"), WANT(0x0C, 0x02, 0xC3, 0xA9) },
	{ "utf8 U+10FFFF", OP_TEXT, U, 12, .k = 12, STR("\xF4\x8F\xBF\xBF"), WANT(0x0C, 0x04, 0xF4, 0x8F, 0xBF, 0xBF) },
	{ "utf8 U+FFFD", OP_TEXT, U, 12, .k = 12, STR("\xEF\xBF\xBD"), WANT(0x0C, 0x03, 0xEF, 0xBF, 0xBD) },
	{ "printable all", OP_TEXT, U, 19, .k = 19, STR("Az09 '()+,-./:=?"),
	  WANT(0x13, 0x10, 'A', 'z', '0', '9', ' ', '\'', '(', ')', '+', ',', '-', '.', '/', ':', '=', '?') },
	{ "numeric", OP_TEXT, U, 18, .k = 18, STR("12 3"), WANT(0x12, 0x04, '1', '2', ' ', '3') },
	{ "ia5 DEL", OP_TEXT, U, 22, .k = 22, STR("a\x7F"), WANT(0x16, 0x02, 'a', 0x7F) },
	{ "visible ~", OP_TEXT, U, 26, .k = 26, STR("~ "), WANT(0x1A, 0x02, '~', ' ') },
	{ "[2] implicit printable", OP_TEXT, C, 2, .k = 19, STR("DE"), WANT(0x82, 0x02, 'D', 'E') },
	/* BIT STRING, 8.6 and 11.2: initial octet, pad bits zeroed */
	{ "bits 0", OP_BITS, U, 3, .u = 0, .p = "", WANT(0x03, 0x01, 0x00) },
	{ "bits 3", OP_BITS, U, 3, .u = 3, .p = "\xff", WANT(0x03, 0x02, 0x05, 0xE0) },
	{ "bits 8", OP_BITS, U, 3, .u = 8, .p = "\xa5", WANT(0x03, 0x02, 0x00, 0xA5) },
	{ "bits 12", OP_BITS, U, 3, .u = 12, .p = "\xa5\xff", WANT(0x03, 0x03, 0x04, 0xA5, 0xF0) },
	{ "bits X.690 8.6.4.2", OP_BITS, U, 3, .u = 18, .p = "\x6e\x5d\xff", WANT(0x03, 0x04, 0x06, 0x6E, 0x5D, 0xC0) },
	/* OBJECT IDENTIFIER, 8.19 */
	{ "oid rsadsi", OP_OID, U, 6, ARCS(1, 2, 840, 113549), WANT(0x06, 0x06, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D) },
	{ "oid etsi li ps", OP_OID, U, 6, ARCS(0, 4, 0, 2, 2, 5, 1, 13), WANT(0x06, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x0D) },
	{ "oid X.690 2.100.3", OP_OID, U, 6, ARCS(2, 100, 3), WANT(0x06, 0x03, 0x81, 0x34, 0x03) },
	{ "oid 0.0", OP_OID, U, 6, ARCS(0, 0), WANT(0x06, 0x01, 0x00) },
	{ "oid 0.39", OP_OID, U, 6, ARCS(0, 39), WANT(0x06, 0x01, 0x27) },
	{ "oid 1.0", OP_OID, U, 6, ARCS(1, 0), WANT(0x06, 0x01, 0x28) },
	{ "oid 1.39", OP_OID, U, 6, ARCS(1, 39), WANT(0x06, 0x01, 0x4F) },
	{ "oid 2.0", OP_OID, U, 6, ARCS(2, 0), WANT(0x06, 0x01, 0x50) },
	{ "oid 2.47", OP_OID, U, 6, ARCS(2, 47), WANT(0x06, 0x01, 0x7F) },
	{ "oid 2.48", OP_OID, U, 6, ARCS(2, 48), WANT(0x06, 0x02, 0x81, 0x00) },
	{ "oid 1.2.127.128", OP_OID, U, 6, ARCS(1, 2, 127, 128), WANT(0x06, 0x04, 0x2A, 0x7F, 0x81, 0x00) },
	{ "oid arc 2^32-1", OP_OID, U, 6, ARCS(1, 2, 4294967295u), WANT(0x06, 0x06, 0x2A, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F) },
	{ "oid 2.(2^32-1)", OP_OID, U, 6, ARCS(2, 4294967295u), WANT(0x06, 0x05, 0x90, 0x80, 0x80, 0x80, 0x4F) },
	{ "oid text", OP_OID_TEXT, U, 6, .p = "1.2.840.113549", WANT(0x06, 0x06, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D) },
	{ "[0] oid text", OP_OID_TEXT, C, 0, .p = "2.100.3", WANT(0x80, 0x03, 0x81, 0x34, 0x03) },
	/* GeneralizedTime, 11.7: UTC, 'Z', no trailing fraction zeros */
	{ "gt epoch", OP_GENTIME, U, 24, .i = 0, WANT(0x18, 0x0F, '1', '9', '7', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') },
	{ "gt 1.7e9", OP_GENTIME, U, 24, .i = 1700000000, .k = 3,
	  WANT(0x18, 0x0F, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z') },
	{ "gt .123456", OP_GENTIME, U, 24, .i = 1700000000, .u = 123456, .k = 6,
	  WANT(0x18, 0x16, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '1', '2', '3', '4', '5', '6', 'Z') },
	{ "gt ms truncates", OP_GENTIME, U, 24, .i = 1700000000, .u = 123999, .k = 3,
	  WANT(0x18, 0x13, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '1', '2', '3', 'Z') },
	{ "gt .12 not .120000", OP_GENTIME, U, 24, .i = 1700000000, .u = 120000, .k = 6,
	  WANT(0x18, 0x12, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '1', '2', 'Z') },
	{ "gt .00005", OP_GENTIME, U, 24, .i = 1700000000, .u = 50, .k = 6,
	  WANT(0x18, 0x15, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '0', '0', '0', '0', '5', 'Z') },
	{ "gt 5us at ms: no point", OP_GENTIME, U, 24, .i = 1700000000, .u = 5, .k = 3,
	  WANT(0x18, 0x0F, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z') },
	{ "gt 1 digit", OP_GENTIME, U, 24, .i = 1700000000, .u = 999999, .k = 1,
	  WANT(0x18, 0x11, '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '9', 'Z') },
	{ "gt year 0", OP_GENTIME, U, 24, .i = INT64_C(-62167219200),
	  WANT(0x18, 0x0F, '0', '0', '0', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') },
	{ "gt year 9999", OP_GENTIME, U, 24, .i = INT64_C(253402300799),
	  WANT(0x18, 0x0F, '9', '9', '9', '9', '1', '2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z') },
	{ "gt 1969", OP_GENTIME, U, 24, .i = -1,
	  WANT(0x18, 0x0F, '1', '9', '6', '9', '1', '2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z') },
	{ "gt leap day", OP_GENTIME, U, 24, .i = 951825600,
	  WANT(0x18, 0x0F, '2', '0', '0', '0', '0', '2', '2', '9', '1', '2', '0', '0', '0', '0', 'Z') },
	/* UTCTime, 11.8 */
	{ "utc 1.7e9", OP_UTCTIME, U, 23, .i = 1700000000, WANT(0x17, 0x0D, '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', 'Z') },
	{ "utc 1950", OP_UTCTIME, U, 23, .i = -631152000, WANT(0x17, 0x0D, '5', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') },
	{ "utc 2049", OP_UTCTIME, U, 23, .i = 2524607999, WANT(0x17, 0x0D, '4', '9', '1', '2', '3', '1', '2', '3', '5', '9', '5', '9', 'Z') },
	{ "[9] utc", OP_UTCTIME, C, 9, .i = 0, WANT(0x89, 0x0D, '7', '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', 'Z') },
};

/* Arguments the writer must refuse: the result is poisoned, not emitted. */
static const struct enc_case invalid[] = {
	{ "class with the constructed bit", OP_NULL, 0x20, 1, .i = 0 },
	{ "class with low bits", OP_NULL, 0x81, 1, .i = 0 },
	{ "tag above TAG_MAX", OP_NULL, C, SL_BER_TAG_MAX + 1, .i = 0 },
	{ "tag UINT32_MAX", OP_INT, C, UINT32_MAX, .i = 0 },
	{ "universal 0 (EOC)", OP_NULL, U, 0, .i = 0 },
	{ "header universal 0", OP_HEADER, U, 0, .u = 0 },
	{ "utf8 overlong C0 80", OP_TEXT, U, 12, .k = 12, STR("\xC0\x80") },
	{ "utf8 overlong E0 80 80", OP_TEXT, U, 12, .k = 12, STR("\xE0\x80\x80") },
	{ "utf8 overlong F0 80 80 80", OP_TEXT, U, 12, .k = 12, STR("\xF0\x80\x80\x80") },
	{ "utf8 surrogate", OP_TEXT, U, 12, .k = 12, STR("\xED\xA0\x80") },
	{ "utf8 above 10FFFF", OP_TEXT, U, 12, .k = 12, STR("\xF4\x90\x80\x80") },
	{ "utf8 F5", OP_TEXT, U, 12, .k = 12, STR("\xF5\x80\x80\x80") },
	{ "utf8 lone continuation", OP_TEXT, U, 12, .k = 12, STR("a\x80") },
	{ "utf8 cut short", OP_TEXT, U, 12, .k = 12, STR("\xE2\x82") },
	{ "utf8 bad continuation", OP_TEXT, U, 12, .k = 12, STR("\xE2\x28\xA1") },
	{ "printable @", OP_TEXT, U, 19, .k = 19, STR("a@b") },
	{ "printable *", OP_TEXT, U, 19, .k = 19, STR("a*b") },
	{ "printable _", OP_TEXT, U, 19, .k = 19, STR("a_b") },
	{ "printable NUL", OP_TEXT, U, 19, .k = 19, STR("a\0b") },
	{ "numeric letter", OP_TEXT, U, 18, .k = 18, STR("12a") },
	{ "numeric dot", OP_TEXT, U, 18, .k = 18, STR("1.2") },
	{ "ia5 0x80", OP_TEXT, U, 22, .k = 22, STR("\x80") },
	{ "visible DEL", OP_TEXT, U, 26, .k = 26, STR("\x7F") },
	{ "visible control", OP_TEXT, U, 26, .k = 26, STR("\x1F") },
	{ "teletex not checked", OP_TEXT, U, 20, .k = 20, STR("a") },
	{ "oid one arc", OP_OID, U, 6, ARCS(1) },
	{ "oid first arc 3", OP_OID, U, 6, ARCS(3, 1) },
	{ "oid 0.40", OP_OID, U, 6, ARCS(0, 40) },
	{ "oid 1.40", OP_OID, U, 6, ARCS(1, 40) },
	{ "oid text empty", OP_OID_TEXT, U, 6, .p = "" },
	{ "oid text leading zero", OP_OID_TEXT, U, 6, .p = "1.02" },
	{ "oid text double dot", OP_OID_TEXT, U, 6, .p = "1..2" },
	{ "oid text 2^32", OP_OID_TEXT, U, 6, .p = "1.2.4294967296" },
	{ "oid text 0.40", OP_OID_TEXT, U, 6, .p = "0.40" },
	{ "gt usec 10^6", OP_GENTIME, U, 24, .i = 0, .u = 1000000, .k = 6 },
	{ "gt 7 digits", OP_GENTIME, U, 24, .i = 0, .k = 7 },
	{ "gt year 10000", OP_GENTIME, U, 24, .i = INT64_C(253402300800) },
	{ "gt year -1", OP_GENTIME, U, 24, .i = INT64_C(-62167219201) },
	{ "gt INT64_MAX", OP_GENTIME, U, 24, .i = INT64_MAX },
	{ "gt INT64_MIN", OP_GENTIME, U, 24, .i = INT64_MIN },
	{ "utc 2050", OP_UTCTIME, U, 23, .i = 2524608000 },
	{ "utc 1949", OP_UTCTIME, U, 23, .i = -631152001 },
	{ "utc INT64_MIN", OP_UTCTIME, U, 23, .i = INT64_MIN },
};
/* clang-format on */

/* The encoding must be a single TLV the strict decoder accepts as is. */
static void decodes_as_der(const uint8_t *p, size_t n)
{
	struct sl_ber_dec d;
	struct sl_ber_tlv t;

	sl_ber_dec_init(&d, p, n, SL_BER_MODE_DER);
	assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
	assert_int_equal(sl_ber_tlv_size(&t), n);
}

static void test_golden(void **state)
{
	size_t i, cap;

	(void)state;
	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const struct enc_case *c = &golden[i];
		uint8_t buf[64];
		struct sl_ber_w w;
		const uint8_t *p;
		size_t n;

		print_message("%s\n", c->name);
		/* in a roomy buffer, at its end */
		memset(buf, 0xAA, sizeof(buf));
		sl_ber_w_init(&w, buf, sizeof(buf));
		apply(&w, c);
		assert_true(sl_ber_w_ok(&w));
		assert_true(sl_ber_w_result(&w, &p, &n));
		t_assert_bytes(p, n, c->want, c->want_len);
		assert_ptr_equal(p, buf + sizeof(buf) - n);
		assert_int_equal(sl_ber_w_needed(&w), c->want_len);
		for (cap = 0; cap < sizeof(buf) - n; cap++)
			assert_int_equal(buf[cap], 0xAA);
		if (c->op != OP_HEADER)
			decodes_as_der(p, n);

		/* sizing pass over no buffer */
		sl_ber_w_init(&w, NULL, 0);
		apply(&w, c);
		assert_int_equal(sl_ber_w_needed(&w), c->want_len);
		assert_true(w.overflow);
		assert_false(w.invalid);
		assert_false(sl_ber_w_result(&w, &p, &n));
		assert_null(p);
		assert_int_equal(n, 0);

		/* every buffer too small by at least one byte, then the exact size */
		for (cap = 0; cap <= c->want_len; cap++) {
			uint8_t *b = malloc(cap ? cap : 1);

			assert_non_null(b);
			sl_ber_w_init(&w, b, cap);
			apply(&w, c);
			assert_int_equal(sl_ber_w_needed(&w), c->want_len);
			if (cap < c->want_len) {
				assert_true(w.overflow);
				assert_false(sl_ber_w_ok(&w));
				assert_int_equal(sl_ber_w_copy_out(&w, buf, sizeof(buf)), 0);
			} else {
				assert_true(sl_ber_w_result(&w, &p, &n));
				t_assert_bytes(p, n, c->want, c->want_len);
				assert_ptr_equal(p, b);
			}
			free(b);
		}
	}
}

static void test_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		const struct enc_case *c = &invalid[i];
		uint8_t buf[64];
		struct sl_ber_w w;
		const uint8_t *p;
		size_t n;

		print_message("%s\n", c->name);
		memset(buf, 0xAA, sizeof(buf));
		sl_ber_w_init(&w, buf, sizeof(buf));
		sl_ber_w_null(&w, U, 5);
		apply(&w, c);
		assert_true(w.invalid);
		assert_false(w.overflow);
		assert_false(sl_ber_w_ok(&w));
		assert_false(sl_ber_w_result(&w, &p, &n));
		assert_null(p);
		assert_int_equal(n, 0);
		assert_int_equal(sl_ber_w_copy_out(&w, buf, sizeof(buf)), 0);
		/* only the NULL written before, nothing of the refused value */
		for (n = 0; n < sizeof(buf) - 2; n++)
			assert_int_equal(buf[n], 0xAA);
		/* sticky: later valid values do not clear it */
		sl_ber_w_null(&w, U, 5);
		assert_false(sl_ber_w_ok(&w));
		/* reset clears it */
		sl_ber_w_reset(&w);
		assert_true(sl_ber_w_ok(&w));
		assert_int_equal(sl_ber_w_needed(&w), 0);
	}
}

/* Content of a length-boundary size, header and body checked together. */
static void test_long_values(void **state)
{
	static const size_t sizes[] = { 0, 1, 127, 128, 129, 255, 256, 257, 65535, 65536, 65537 };
	static const uint8_t hdr[][5] = {
		{ 0x04, 0x00 },       { 0x04, 0x01 },       { 0x04, 0x7F },
		{ 0x04, 0x81, 0x80 }, { 0x04, 0x81, 0x81 }, { 0x04, 0x81, 0xFF },
		{ 0x04, 0x82, 0x01, 0x00 }, { 0x04, 0x82, 0x01, 0x01 }, { 0x04, 0x82, 0xFF, 0xFF },
		{ 0x04, 0x83, 0x01, 0x00, 0x00 }, { 0x04, 0x83, 0x01, 0x00, 0x01 },
	};
	static const size_t hlen[] = { 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], total = hlen[i] + n;
		uint8_t *content = malloc(n + 1), *out = malloc(total);
		struct sl_ber_w w;
		const uint8_t *p;
		size_t len;

		assert_non_null(content);
		assert_non_null(out);
		for (j = 0; j < n; j++)
			content[j] = (uint8_t)(j * 7);
		sl_ber_w_init(&w, out, total);
		sl_ber_w_octets(&w, U, 4, content, n);
		assert_true(sl_ber_w_result(&w, &p, &len));
		assert_int_equal(len, total);
		t_assert_bytes(p, hlen[i], hdr[i], hlen[i]);
		assert_memory_equal(p + hlen[i], content, n);
		decodes_as_der(p, len);

		/* the same size as a SEQUENCE of raw content, via a mark */
		sl_ber_w_init(&w, out, total);
		{
			size_t m = sl_ber_w_mark(&w);

			sl_ber_w_raw(&w, content, n);
			sl_ber_w_close(&w, m, U, 16);
		}
		assert_true(sl_ber_w_result(&w, &p, &len));
		assert_int_equal(len, total);
		assert_int_equal(p[0], 0x30);
		assert_memory_equal(p + 1, hdr[i] + 1, hlen[i] - 1);
		free(content);
		free(out);
	}
}

/*
 * SEQUENCE { INTEGER 5, [1] EXPLICIT BOOLEAN TRUE, OCTET STRING "hi" }
 * = 30 0C 02 01 05 A1 03 01 01 FF 04 02 68 69, written last to first.
 */
static const uint8_t nested_want[] = { 0x30, 0x0C, 0x02, 0x01, 0x05, 0xA1, 0x03,
				       0x01, 0x01, 0xFF, 0x04, 0x02, 0x68, 0x69 };

static void write_nested(struct sl_ber_w *w)
{
	size_t m = sl_ber_w_mark(w), m1;

	sl_ber_w_octets(w, U, 4, "hi", 2);
	m1 = sl_ber_w_mark(w);
	sl_ber_w_bool(w, U, 1, true);
	sl_ber_w_close(w, m1, C, 1);
	sl_ber_w_int64(w, U, 2, 5);
	sl_ber_w_close(w, m, U, 16);
}

static void test_nested(void **state)
{
	uint8_t buf[32];
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n, cap;

	(void)state;
	sl_ber_w_init(&w, buf, sizeof(buf));
	write_nested(&w);
	assert_true(sl_ber_w_result(&w, &p, &n));
	t_assert_bytes(p, n, nested_want, sizeof(nested_want));
	decodes_as_der(p, n);

	/* every too-small buffer: overflow, full size still counted through the marks */
	for (cap = 0; cap < sizeof(nested_want); cap++) {
		uint8_t *b = malloc(cap ? cap : 1);

		sl_ber_w_init(&w, b, cap);
		write_nested(&w);
		assert_true(w.overflow);
		assert_int_equal(sl_ber_w_needed(&w), sizeof(nested_want));
		free(b);
	}
	sl_ber_w_init(&w, NULL, 0);
	write_nested(&w);
	assert_int_equal(sl_ber_w_needed(&w), sizeof(nested_want));

	/* an empty SEQUENCE and an empty [APPLICATION 200] */
	sl_ber_w_init(&w, buf, sizeof(buf));
	{
		size_t m = sl_ber_w_mark(&w);

		sl_ber_w_close(&w, m, U, 16);
		m = sl_ber_w_mark(&w);
		sl_ber_w_close(&w, m, A, 200);
	}
	assert_true(sl_ber_w_result(&w, &p, &n));
	t_assert_bytes(p, n, B(0x7F, 0x81, 0x48, 0x00, 0x30, 0x00), 6);

	/* a mark from the future (or from another writer) poisons the result */
	sl_ber_w_init(&w, buf, sizeof(buf));
	sl_ber_w_close(&w, 3, U, 16);
	assert_true(w.invalid);

	/* 40 levels of SEQUENCE around NULL: 30 50 30 4E ... 30 02 05 00 */
	sl_ber_w_init(&w, buf, sizeof(buf));
	{
		size_t marks[40];
		int k;

		for (k = 0; k < 40; k++)
			marks[k] = sl_ber_w_mark(&w);
		sl_ber_w_null(&w, U, 5);
		for (k = 39; k >= 0; k--)
			sl_ber_w_close(&w, marks[k], U, 16);
	}
	assert_false(sl_ber_w_ok(&w)); /* 82 bytes do not fit in 32 */
	assert_int_equal(sl_ber_w_needed(&w), 82);
}

/* Templates: encode once, copy out, prepend with raw; reserve and copy_out. */
static void test_template_raw_reserve(void **state)
{
	uint8_t scratch[32], tpl[32], buf[64], small[4];
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n, tn;
	uint8_t *r;

	(void)state;
	sl_ber_w_init(&w, scratch, sizeof(scratch));
	sl_ber_w_oid_text(&w, U, 6, "0.4.0.2.2.5.1.13");
	tn = sl_ber_w_copy_out(&w, tpl, sizeof(tpl));
	assert_int_equal(tn, 9);
	assert_int_equal(sl_ber_w_copy_out(&w, small, sizeof(small)), 0);

	sl_ber_w_init(&w, buf, sizeof(buf));
	{
		size_t m = sl_ber_w_mark(&w);

		sl_ber_w_int64(&w, C, 4, 1000);
		sl_ber_w_raw(&w, tpl, tn);
		sl_ber_w_close(&w, m, C, 1);
	}
	assert_true(sl_ber_w_result(&w, &p, &n));
	t_assert_bytes(p, n,
		       B(0xA1, 0x0D, 0x06, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x0D, 0x84, 0x02,
			 0x03, 0xE8),
		       15);

	/* raw of nothing is a no-op; reserve hands out the bytes to fill */
	sl_ber_w_init(&w, buf, sizeof(buf));
	sl_ber_w_raw(&w, NULL, 0);
	assert_int_equal(sl_ber_w_needed(&w), 0);
	assert_true(sl_ber_w_result(&w, &p, &n));
	assert_int_equal(n, 0);
	assert_int_equal(sl_ber_w_copy_out(&w, small, sizeof(small)), 0);
	r = sl_ber_w_reserve(&w, 3);
	assert_ptr_equal(r, buf + sizeof(buf) - 3);
	memcpy(r, "xyz", 3);
	sl_ber_w_header(&w, U, false, 4, 3);
	assert_true(sl_ber_w_result(&w, &p, &n));
	t_assert_bytes(p, n, B(0x04, 0x03, 'x', 'y', 'z'), 5);
	assert_null(sl_ber_w_reserve(&w, sizeof(buf)));
	assert_true(w.overflow);
	assert_int_equal(sl_ber_w_needed(&w), 5 + sizeof(buf));
	/* once failed, reserve hands out nothing even if it would fit */
	assert_null(sl_ber_w_reserve(&w, 1));

	/* sizing a template: NULL buffer with a capacity is still a sizing pass */
	sl_ber_w_init(&w, NULL, 100);
	assert_int_equal(w.cap, 0);
	write_nested(&w);
	assert_int_equal(sl_ber_w_needed(&w), sizeof(nested_want));
}

/* The writer is exact at the edge: the last byte of buf is the last byte written. */
static void test_fill_exactly(void **state)
{
	uint8_t *b = malloc(5);
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n;

	(void)state;
	sl_ber_w_init(&w, b, 5);
	sl_ber_w_null(&w, U, 5);
	sl_ber_w_bool(&w, U, 1, true);
	assert_true(sl_ber_w_result(&w, &p, &n));
	t_assert_bytes(p, n, B(0x01, 0x01, 0xFF, 0x05, 0x00), 5);
	sl_ber_w_null(&w, U, 5);
	assert_true(w.overflow);
	assert_int_equal(sl_ber_w_needed(&w), 7);
	/* a primitive that does not fit is not written at all, not even partly */
	sl_ber_w_init(&w, b, 5);
	memset(b, 0xAA, 5);
	sl_ber_w_octets(&w, U, 4, "abcd", 4);
	assert_true(w.overflow);
	assert_int_equal(b[0], 0xAA);
	assert_int_equal(b[4], 0xAA);
	free(b);
}

/*
 * SET OF in DER order (X.690 11.6): components compared as octet strings
 * (the zero padding of the shorter never matters between whole TLVs, whose
 * length octets differ before one can be a prefix of the other). Written,
 * in output order:
 *   30 05 80 01 01 81 00    SEQUENCE { [0] 1, [1] '' }
 *   30 03 80 01 00          SEQUENCE { [0] 0 }
 *   30 03 80 01 01          SEQUENCE { [0] 1 }
 *   04 00                   OCTET STRING ''
 * The sizing pass (NULL buffer) has nothing to sort and must not fail.
 */
static void test_set_of_order(void **state)
{
	uint8_t buf[64];
	struct sl_ber_w w;
	const uint8_t *p;
	size_t n, m, pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			sl_ber_w_init(&w, NULL, 0);
		else
			sl_ber_w_init(&w, buf, sizeof(buf));
		m = sl_ber_w_mark(&w);
		/* written backwards: the last one written comes first in the output */
		sl_ber_w_octets(&w, SL_BER_UNIVERSAL, SL_BER_TAG_OCTET_STRING, "", 0);
		{
			size_t s = sl_ber_w_mark(&w);

			sl_ber_w_int64(&w, SL_BER_CONTEXT, 0, 1);
			sl_ber_w_close(&w, s, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
			s = sl_ber_w_mark(&w);
			sl_ber_w_int64(&w, SL_BER_CONTEXT, 0, 0);
			sl_ber_w_close(&w, s, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
			s = sl_ber_w_mark(&w);
			sl_ber_w_octets(&w, SL_BER_CONTEXT, 1, "", 0);
			sl_ber_w_int64(&w, SL_BER_CONTEXT, 0, 1);
			sl_ber_w_close(&w, s, SL_BER_UNIVERSAL, SL_BER_TAG_SEQUENCE);
		}
		sl_ber_w_sort_set_of(&w, m);
		sl_ber_w_close(&w, m, SL_BER_UNIVERSAL, SL_BER_TAG_SET);
		if (pass == 0) {
			assert_int_equal(sl_ber_w_needed(&w), 2 + 7 + 5 + 5 + 2);
			continue;
		}
		assert_true(sl_ber_w_result(&w, &p, &n));
		{
			static const uint8_t sorted[] = {
				0x31, 0x13,			    /* SET OF, 19 octets */
				0x04, 0x00,			    /* OCTET STRING '': 04 is the lowest first octet */
				0x30, 0x03, 0x80, 0x01, 0x00,	    /* SEQUENCE { [0] 0 }: length 03 */
				0x30, 0x03, 0x80, 0x01, 0x01,	    /* SEQUENCE { [0] 1 }: length 03, then 01 > 00 */
				0x30, 0x05, 0x80, 0x01, 0x01, 0x81, 0x00, /* SEQUENCE { [0] 1, [1] '' }: length 05 */
			};

			assert_int_equal(n, sizeof(sorted));
			assert_memory_equal(p, sorted, n);
		}
	}
	/* components that do not frame poison the writer */
	sl_ber_w_init(&w, buf, sizeof(buf));
	m = sl_ber_w_mark(&w);
	sl_ber_w_raw(&w, "\x30\x05\x00", 3);
	sl_ber_w_sort_set_of(&w, m);
	assert_false(sl_ber_w_ok(&w));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_template_raw_reserve),
		cmocka_unit_test(test_fill_exactly),
		cmocka_unit_test(test_set_of_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
