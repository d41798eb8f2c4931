/*
 * Name tables for the BER codec: error classes, tag classes and universal
 * types. They are enum-indexed arrays so that counters, log lines and the
 * generated documentation all use the same stable strings.
 */
#include "asn1/ber.h"

#include <stdio.h>

static const char *const err_names[SL_BER_E__COUNT] = {
	[SL_BER_OK] = "ok",
	[SL_BER_E_TRUNCATED] = "truncated",
	[SL_BER_E_BAD_LENGTH] = "bad_length",
	[SL_BER_E_INDEFINITE] = "indefinite_not_allowed",
	[SL_BER_E_TOO_DEEP] = "too_deep",
	[SL_BER_E_BAD_TAG] = "bad_tag",
	[SL_BER_E_NON_MINIMAL] = "non_minimal",
	[SL_BER_E_BAD_VALUE] = "bad_value",
	[SL_BER_E_TRAILING] = "trailing_bytes",
	[SL_BER_E_LIMIT] = "limit_exceeded",
	[SL_BER_E_MISSING] = "missing_element",
};

static const char *const err_descs[SL_BER_E__COUNT] = {
	[SL_BER_OK] = "no error",
	[SL_BER_E_TRUNCATED] = "input ends inside a value",
	[SL_BER_E_BAD_LENGTH] = "length octets malformed, too large, or overrunning the enclosing value",
	[SL_BER_E_INDEFINITE] = "indefinite length where only definite length is allowed",
	[SL_BER_E_TOO_DEEP] = "values nested deeper than the configured limit",
	[SL_BER_E_BAD_TAG] = "identifier octets malformed, unexpected, or of the wrong form",
	[SL_BER_E_NON_MINIMAL] = "encoding is not in its minimal (DER) form",
	[SL_BER_E_BAD_VALUE] = "content octets invalid for the type",
	[SL_BER_E_TRAILING] = "unexpected bytes after the last value",
	[SL_BER_E_LIMIT] = "value well-formed but beyond a supported limit",
	[SL_BER_E_MISSING] = "mandatory element absent",
};

const char *sl_ber_err_name(enum sl_ber_err e)
{
	if ((unsigned)e >= SL_BER_E__COUNT)
		return "unknown";
	return err_names[e];
}

const char *sl_ber_err_desc(enum sl_ber_err e)
{
	if ((unsigned)e >= SL_BER_E__COUNT)
		return "unknown error";
	return err_descs[e];
}

const char *sl_ber_class_name(uint8_t cls)
{
	static const char *const names[4] = { "UNIVERSAL", "APPLICATION", "CONTEXT", "PRIVATE" };

	return names[(cls >> 6) & 3];
}

const char *sl_ber_universal_name(uint32_t tag)
{
	static const char *const names[] = {
		[SL_BER_TAG_EOC] = "END-OF-CONTENTS",
		[SL_BER_TAG_BOOLEAN] = "BOOLEAN",
		[SL_BER_TAG_INTEGER] = "INTEGER",
		[SL_BER_TAG_BIT_STRING] = "BIT STRING",
		[SL_BER_TAG_OCTET_STRING] = "OCTET STRING",
		[SL_BER_TAG_NULL] = "NULL",
		[SL_BER_TAG_OID] = "OBJECT IDENTIFIER",
		[SL_BER_TAG_OBJECT_DESCRIPTOR] = "ObjectDescriptor",
		[SL_BER_TAG_EXTERNAL] = "EXTERNAL",
		[SL_BER_TAG_REAL] = "REAL",
		[SL_BER_TAG_ENUMERATED] = "ENUMERATED",
		[SL_BER_TAG_EMBEDDED_PDV] = "EMBEDDED PDV",
		[SL_BER_TAG_UTF8_STRING] = "UTF8String",
		[SL_BER_TAG_RELATIVE_OID] = "RELATIVE-OID",
		[SL_BER_TAG_TIME] = "TIME",
		[SL_BER_TAG_SEQUENCE] = "SEQUENCE",
		[SL_BER_TAG_SET] = "SET",
		[SL_BER_TAG_NUMERIC_STRING] = "NumericString",
		[SL_BER_TAG_PRINTABLE_STRING] = "PrintableString",
		[SL_BER_TAG_TELETEX_STRING] = "TeletexString",
		[SL_BER_TAG_VIDEOTEX_STRING] = "VideotexString",
		[SL_BER_TAG_IA5_STRING] = "IA5String",
		[SL_BER_TAG_UTC_TIME] = "UTCTime",
		[SL_BER_TAG_GENERALIZED_TIME] = "GeneralizedTime",
		[SL_BER_TAG_GRAPHIC_STRING] = "GraphicString",
		[SL_BER_TAG_VISIBLE_STRING] = "VisibleString",
		[SL_BER_TAG_GENERAL_STRING] = "GeneralString",
		[SL_BER_TAG_UNIVERSAL_STRING] = "UniversalString",
		[SL_BER_TAG_CHARACTER_STRING] = "CHARACTER STRING",
		[SL_BER_TAG_BMP_STRING] = "BMPString",
	};

	if (tag >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[tag];
}

size_t sl_ber_tag_name(uint8_t cls, uint32_t tag, char *buf, size_t cap)
{
	const char *name = cls == SL_BER_UNIVERSAL ? sl_ber_universal_name(tag) : NULL;
	int k;

	if (name)
		k = snprintf(buf, cap, "%s", name);
	else if (cls == SL_BER_CONTEXT)
		k = snprintf(buf, cap, "[%u]", (unsigned)tag);
	else
		k = snprintf(buf, cap, "[%s %u]", sl_ber_class_name(cls), (unsigned)tag);
	return k < 0 ? 0 : (size_t)k;
}
