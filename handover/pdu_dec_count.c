/*
 * Outcome counters of the PDU decoder (pdu_decode.h): PDUs decoded, how
 * many of them were BER rather than DER, extension additions skipped,
 * payloads kept undecoded, and every refusal under its reason, the asn1
 * error class (truncated, bad_length, indefinite, too_deep, ...) or
 * "unsupported". Enum-indexed like every counter table of sluice, so the
 * names are stable and documentation can be generated from them. The
 * counters are per process: the decoder is used by a single thread.
 */
#include "handover/pdu_decode_int.h"

static uint64_t ctr[_SL_PDU_DEC_CTR_COUNT];

static const char *const names[_SL_PDU_DEC_CTR_COUNT] = {
	[SL_PDU_DEC_OK] = "pdu:decoded",
	[SL_PDU_DEC_BER] = "pdu:decoded:ber",
	[SL_PDU_DEC_EXT_SKIPPED] = "pdu:ext_skipped",
	[SL_PDU_DEC_UNDECODED] = "pdu:undecoded",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TRUNCATED] = "pdu:reject:truncated",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_LENGTH] = "pdu:reject:bad_length",
	[SL_PDU_DEC_E_BASE + SL_BER_E_INDEFINITE] = "pdu:reject:indefinite",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TOO_DEEP] = "pdu:reject:too_deep",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_TAG] = "pdu:reject:bad_tag",
	[SL_PDU_DEC_E_BASE + SL_BER_E_NON_MINIMAL] = "pdu:reject:non_minimal",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_VALUE] = "pdu:reject:bad_value",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TRAILING] = "pdu:reject:trailing",
	[SL_PDU_DEC_E_BASE + SL_BER_E_LIMIT] = "pdu:reject:limit",
	[SL_PDU_DEC_E_BASE + SL_BER_E_MISSING] = "pdu:reject:missing",
	[SL_PDU_DEC_UNSUPPORTED] = "pdu:reject:unsupported",
};

static const char *const descs[_SL_PDU_DEC_CTR_COUNT] = {
	[SL_PDU_DEC_OK] = "Handover PDUs decoded",
	[SL_PDU_DEC_BER] = "Handover PDUs decoded that were BER but not DER",
	[SL_PDU_DEC_EXT_SKIPPED] = "Unknown extension additions skipped in decoded PDUs",
	[SL_PDU_DEC_UNDECODED] = "Payloads or components kept as tag and length (not interpreted)",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TRUNCATED] = "PDUs refused: a value runs past the end (e.g. indefinite length never terminated)",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_LENGTH] = "PDUs refused: length octets malformed or overrunning the enclosing value",
	[SL_PDU_DEC_E_BASE + SL_BER_E_INDEFINITE] = "PDUs refused: indefinite length on a primitive value",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TOO_DEEP] = "PDUs refused: values or string segments nested beyond the depth limit",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_TAG] = "PDUs refused: malformed or unexpected identifier octets, or wrong form",
	[SL_PDU_DEC_E_BASE + SL_BER_E_NON_MINIMAL] = "PDUs refused: an encoding BER itself forbids (e.g. high-tag form below 31)",
	[SL_PDU_DEC_E_BASE + SL_BER_E_BAD_VALUE] = "PDUs refused: content invalid for its type or constraint",
	[SL_PDU_DEC_E_BASE + SL_BER_E_TRAILING] = "PDUs refused: bytes after the last value",
	[SL_PDU_DEC_E_BASE + SL_BER_E_LIMIT] = "PDUs refused: well-formed but beyond what the decoder holds",
	[SL_PDU_DEC_E_BASE + SL_BER_E_MISSING] = "PDUs refused: a mandatory component absent",
	[SL_PDU_DEC_UNSUPPORTED] = "PDUs refused: well-formed but not something sluice decodes",
};

const char *sl_pdu_dec_ctr_name(enum sl_pdu_dec_ctr c)
{
	return (unsigned)c < _SL_PDU_DEC_CTR_COUNT && names[c] ? names[c] : "pdu:unknown";
}

const char *sl_pdu_dec_ctr_desc(enum sl_pdu_dec_ctr c)
{
	return (unsigned)c < _SL_PDU_DEC_CTR_COUNT && descs[c] ? descs[c] : "";
}

uint64_t sl_pdu_dec_ctr_get(enum sl_pdu_dec_ctr c)
{
	return (unsigned)c < _SL_PDU_DEC_CTR_COUNT ? ctr[c] : 0;
}

void sl_pdu_dec_count(const struct sl_pdu_decoded *out)
{
	ctr[SL_PDU_DEC_OK]++;
	if (out->ber)
		ctr[SL_PDU_DEC_BER]++;
	ctr[SL_PDU_DEC_EXT_SKIPPED] += out->ext_skipped;
	if (out->kind == SL_PDU_UNDECODED)
		ctr[SL_PDU_DEC_UNDECODED]++;
	if (out->ps && out->cin_ext.where)
		ctr[SL_PDU_DEC_UNDECODED]++;
}

void sl_pdu_dec_count_reject(enum sl_pdu_dec_ctr why)
{
	if ((unsigned)why < _SL_PDU_DEC_CTR_COUNT)
		ctr[why]++;
}
