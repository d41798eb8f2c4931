/*
 * The cell a P-Access-Network-Info header names (3GPP TS 24.229 clause
 * 7.2A.4, RFC 7315 clause 5.4): the access type token and, for 3GPP radio
 * accesses, the cell identity parameter split into its parts by the
 * lengths that clause fixes for each access:
 *
 *   3GPP-GERAN          cgi-3gpp            MCC MNC LAC(4 hex) CI(4 hex)
 *   3GPP-UTRAN-FDD/TDD  utran-cell-id-3gpp  MCC MNC LAC(4 hex) UMTS cell id(7 hex)
 *   3GPP-E-UTRAN-FDD/TDD utran-cell-id-3gpp MCC MNC TAC(4 hex) ECI(7 hex)
 *   3GPP-NR-FDD/TDD     utran-cell-id-3gpp  MCC MNC TAC(6 hex) NCI(9 hex)
 *
 * MCC is three decimal digits, MNC two or three: the total length tells
 * which. A message may carry several access-net-specs, comma-separated or
 * in several header fields: the UE writes its own, and a P-CSCF adds one
 * marked with the "network-provided" parameter (TS 24.229 clause 7.2A.4).
 * The phone's value is only its claim, so sl_pani_pick() prefers the
 * network's. The value is untrusted text: every length
 * is checked before a character is read and nothing is copied beyond the
 * fixed-size fields of sl_cell.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/str.h"

enum sl_access { SL_ACCESS_GERAN, SL_ACCESS_UTRAN, SL_ACCESS_EUTRAN, SL_ACCESS_NR, _SL_ACCESS_COUNT };
extern const char *const sl_access_names[_SL_ACCESS_COUNT];	/* "geran", "utran", "eutran", "nr" */

enum sl_pani_res {
	SL_PANI_OK,
	SL_PANI_NO_CELL,	/* not a 3GPP radio access, or no cell identity parameter (e.g. IEEE-802.11) */
	SL_PANI_MALFORMED,	/* a cell identity of the wrong length or with bad digits */
	_SL_PANI_RES_COUNT
};

struct sl_cell {
	uint8_t access;		/* enum sl_access */
	char mcc[4], mnc[4];	/* decimal digits, NUL-terminated */
	uint32_t area;		/* LAC (GERAN, UTRAN) or TAC (E-UTRAN 16 bits, NR 24 bits) */
	uint64_t cell;		/* CI (16 bits), UMTS cell id or ECI (28 bits), NCI (36 bits) */
};

/* The first access-net-spec of value (the text before its first comma outside quotes) is read. */
enum sl_pani_res sl_pani_cell(struct sl_str value, struct sl_cell *out);

/*
 * The access-net-spec of one header field value that a location should be
 * read from: the first carrying the "network-provided" parameter (then
 * *network is true), else the first. Returned trimmed, a view into value;
 * an empty value gives an empty view. Quoted strings (RFC 3261 25.1) may
 * hold commas and are skipped whole; an unterminated one runs to the end.
 */
struct sl_str sl_pani_pick(struct sl_str value, bool *network);
