/*
 * Strict decoder for every PDU handover/ builds: TS 102 232-1 PS-PDUs
 * (IPMMIRI, IPMMCC, ETSI671IRI, keep-alive, PDU acknowledgement and
 * option negotiation TRI, HI1 notifications) and standalone TS 101 671 IRIsContent in both
 * framings. It is the reference receiver for the tests and the `decode`
 * tool: anything outside what we encode (other payload choices, vendor
 * extensions, unknown fields) is reported as unsupported, not skipped.
 * The one exception is an unknown alternative of the extensible Option
 * CHOICE inside an option negotiation list, which clause 6.3.5.1 requires
 * a receiver to read (and leave out of its answer): it is kept as a bit of
 * the option set (pdu_dec_option.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handover/pdu.h"

enum sl_pdu_kind {
	SL_PDU_NONE,
	SL_PDU_IRI_IPMM,
	SL_PDU_CC_IPMM,
	SL_PDU_IRI_HI2,		/* PS-PDU ETSI671IRI or standalone IRIsContent */
	SL_PDU_KEEPALIVE,
	SL_PDU_KEEPALIVE_RESPONSE,
	SL_PDU_ACK_REQUEST,
	SL_PDU_ACK_RESPONSE,
	SL_PDU_HI1,
	SL_PDU_OPTION_REQUEST,		/* TRI clause 6.3.5 */
	SL_PDU_OPTION_RESPONSE,
	SL_PDU_OPTION_COMPLETE,
	_SL_PDU_KIND_COUNT
};
extern const char *const sl_pdu_kind_names[_SL_PDU_KIND_COUNT];

/* A view into the decoded input. */
struct sl_pdu_bytes {
	const uint8_t *p;
	size_t n;
};

/* TS 101 671 identifiers of an IRI-Parameters or HI1 Notification. */
struct sl_hi2_ids {
	char domain[48];		/* domainID as dotted text, "" if absent */
	int iri_version;		/* iRIversion, -1 if absent */
	struct sl_pdu_bytes liid;
	struct sl_pdu_bytes cin;	/* communication-Identity-Number (ASCII digits), n = 0 if absent */
	struct sl_pdu_bytes operator_id;
	bool ts_utc;			/* TimeStamp was utcTime (else localTime) */
};

struct sl_pdu_decoded {
	enum sl_pdu_kind kind;
	bool ps;			/* a PS-PDU (false: standalone IRIsContent) */
	enum sl_hi2_framing framing;	/* standalone only */
	unsigned n_records;		/* standalone iRISequence: records in it (only the first is decoded) */

	/* PSHeader (ps only) */
	char domain[48];		/* li-psDomainId */
	struct sl_pdu_bytes liid;
	char auth_cc[3], delivery_cc[3]; /* "" if absent */
	struct sl_pdu_bytes operator_id, ne_id;
	bool has_cin;
	uint32_t cin;
	uint32_t seqno;
	bool has_ts;
	uint64_t ts_us;
	int ts_qualifier;		/* -1 if absent */
	char ipid[SL_PDU_IPID_MAX + 1];

	/* IRIPayload (IRI kinds) */
	enum sl_iri_type iri_type;	/* 0 if absent */

	union {
		struct {
			bool iri_only;
			struct sl_addr src, dst;
			struct sl_pdu_bytes sip;
		} ipmm_iri;
		struct {
			int dir;	/* payloadDirection, -1 if absent */
			int frame;	/* frameType, -1 if absent */
			int proto;	/* mMCCprotocol, -1 if absent */
			struct sl_pdu_bytes data, stream_id;
		} ipmm_cc;
		struct {
			struct sl_hi2_ids ids;
			struct sl_hi2_iri iri;
		} hi2;
		struct {
			enum sl_hi1_op op;
			struct sl_hi2_ids ids;
			uint64_t ts_us;
			struct sl_pdu_bytes target_info;
		} hi1;
		struct {
			/*
			 * Option sets (pdu.h SL_TRI_OPT): requestedOptions, or
			 * acceptedOptions and declinedOptions. Bit n is the
			 * alternative [n]; bit 31 stands for any tag above 30.
			 */
			uint32_t options, declined;
		} option;
	} u;
};

/*
 * Decode one PDU that fills p[0..n) exactly (use sl_pdu_frame() to cut a
 * stream). A PS-PDU is recognised by its SEQUENCE identifier, a
 * standalone IRIsContent by its context tag (the framing is told apart by
 * what follows). DER is required. Views in out point into p. ctx is
 * reserved for allocating payload kinds that need it and may be NULL; the
 * decoder allocates nothing. Returns 0, or a negative errno (-EBADMSG
 * malformed, -ENOTSUP well-formed but not something we decode, -EINVAL
 * bad arguments) with err (if errlen > 0) naming the check that failed
 * and the byte offset, e.g. "offset 0x1c: PSHeader without sequenceNumber".
 */
int sl_pdu_decode(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *out, char *err,
		  size_t errlen);

/*
 * Walk the decoded values in a fixed order for a renderer (JSON, text):
 * objects open and close around groups; every leaf has a name and one
 * typed value. Nothing is emitted for absent optional fields.
 */
enum sl_pdu_field_type {
	SL_PDU_F_OPEN,		/* start of a named object */
	SL_PDU_F_CLOSE,
	SL_PDU_F_UINT,
	SL_PDU_F_TEXT,		/* NUL-terminated */
	SL_PDU_F_BYTES,		/* printable or not: the renderer decides (hex, escaped text) */
	SL_PDU_F_TIME,		/* microseconds since the epoch */
	SL_PDU_F_ADDR,
};

struct sl_pdu_field {
	enum sl_pdu_field_type type;
	const char *name;	/* NULL for SL_PDU_F_CLOSE */
	uint64_t u;		/* UINT, TIME */
	const char *text;	/* TEXT */
	struct sl_pdu_bytes bytes;
	const struct sl_addr *addr;
};

typedef void (*sl_pdu_visit_fn)(void *arg, const struct sl_pdu_field *f);
void sl_pdu_decoded_visit(const struct sl_pdu_decoded *d, sl_pdu_visit_fn fn, void *arg);
