/*
 * Strict decoder for every PDU handover/ builds: TS 102 232-1 PS-PDUs
 * (IPMMIRI, IPMMCC, ETSI671IRI, keep-alive, PDU acknowledgement and
 * option negotiation TRI, HI1 notifications) and standalone TS 101 671 IRIsContent in both
 * framings. It is the reference receiver for the tests and the `decode`
 * tool, and reads what any conforming mediation function sends: BER, not
 * only DER (indefinite lengths, constructed strings and times, long-form
 * lengths, every GeneralizedTime form X.680 46 allows), every PSHeader
 * component of TS 102 232-1 A.2 up to networkFunctionIdentifier, payload
 * alternatives it does not interpret kept as undecoded (tag and length),
 * and extension additions it does not know skipped and counted. What it
 * still refuses is named and counted per reason (enum sl_pdu_dec_ctr).
 * An unknown alternative of the extensible Option CHOICE inside an option
 * negotiation list is read as a bit of the option set (clause 6.3.5.1,
 * pdu_dec_option.c).
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
	SL_PDU_UNDECODED,	/* a payload alternative we do not interpret: see u.undecoded */
	_SL_PDU_KIND_COUNT
};
extern const char *const sl_pdu_kind_names[_SL_PDU_KIND_COUNT];

/* A view into the decoded input. */
struct sl_pdu_bytes {
	const uint8_t *p;
	size_t n;
};

/* A component kept as tag and length only (X.690 8.1.2, 8.1.3). */
struct sl_pdu_undecoded {
	const char *where;		/* the ASN.1 type it is an alternative or component of, NULL: none */
	uint8_t cls;			/* enum sl_ber_class */
	uint32_t tag;
	size_t len;			/* content octets (without end-of-contents) */
};

/*
 * A GeneralizedTime as sent. BER allows three zone forms (X.680 46.3):
 * 'Z', an offset (converted to UTC in us, the offset kept as written) and
 * no designator, local time of an unnamed zone: then us is the wall-clock
 * reading taken as if it were UTC, and renderers show it without a zone.
 */
enum sl_pdu_tz { SL_PDU_TZ_UTC, SL_PDU_TZ_OFFSET, SL_PDU_TZ_LOCAL };
struct sl_pdu_time {
	uint64_t us;
	enum sl_pdu_tz tz;
	int offset_min;			/* minutes east of UTC, SL_PDU_TZ_OFFSET only */
};

/* TS 102 232-1 A.2 MicroSecondTimeStamp. */
struct sl_pdu_usts {
	bool has;
	uint64_t seconds;
	uint32_t usec;
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
	struct {			/* NetworkIdentifier eTSI671NEID [2] (TS 101 671 Network-Element-Identifier) */
		unsigned alt;		/* 0 absent, 1 e164 .. 4 dNS (bytes), 5 iP-Address (addr) */
		struct sl_pdu_bytes bytes;
		struct sl_addr addr;
	} neid671;
	bool has_cin;
	uint32_t cin;
	struct sl_pdu_undecoded cin_ext; /* cINExtension [3] (3GPP CorrelationValues), where NULL if absent */
	uint32_t seqno;
	bool has_ts;
	uint64_t ts_us;			/* timeStamp (== ts.us) */
	struct sl_pdu_time ts;
	int ts_qualifier;		/* -1 if absent */
	char ipid[SL_PDU_IPID_MAX + 1];
	struct sl_pdu_usts usts;	/* microSecondTimeStamp [7] */
	struct sl_pdu_bytes ext_ipid;	/* extendedInterceptionPointID [9] */
	struct sl_pdu_bytes nf_id;	/* networkFunctionIdentifier [10] */

	/* IRIPayload / CCPayload components beside the contents (ps only) */
	struct {
		bool has_ts;
		struct sl_pdu_time ts;	/* timeStamp [1] */
		struct sl_pdu_usts usts; /* microSecondTimeStamp [3] */
		int ts_qualifier;	/* timeStampQualifier [4], -1 if absent */
		int session_dir;	/* IRIPayload sessionDirection [5], -1 if absent */
		int payload_dir;	/* IRIPayload payloadDirection [6], -1 if absent */
	} pl;
	unsigned n_payloads;		/* elements of the payload sequence (only the first is decoded) */

	/* BER as other senders use it */
	unsigned ext_skipped;		/* unknown extension additions skipped */
	bool ber;			/* the PDU is valid BER but not DER */

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
		struct sl_pdu_undecoded undecoded; /* SL_PDU_UNDECODED */
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
 * what follows). BER is read (out->ber says whether it was also DER).
 * Views in out point into p, except the strings a sender segmented (a
 * constructed OCTET STRING, PrintableString...): they are joined into
 * talloc buffers under ctx, which the caller frees with the views. With
 * ctx NULL such a string is refused as unsupported. Returns 0, or a negative errno (-EBADMSG
 * malformed, -ENOTSUP well-formed but not something we decode, -EINVAL
 * bad arguments) with err (if errlen > 0) naming the check that failed
 * and the byte offset, e.g. "offset 0x1c: PSHeader without sequenceNumber".
 */
int sl_pdu_decode(void *ctx, const uint8_t *p, size_t n, struct sl_pdu_decoded *out, char *err,
		  size_t errlen);

/*
 * Why a PDU was not decoded, one stable name each (the asn1 error
 * classes, and "unsupported" for well-formed content outside what we
 * read); counted per process by every sl_pdu_decode() call, together
 * with PDUs decoded, PDUs that were BER but not DER, extension additions
 * skipped and payloads kept undecoded.
 */
enum sl_pdu_dec_ctr {
	SL_PDU_DEC_OK,
	SL_PDU_DEC_BER,			/* decoded, but not DER */
	SL_PDU_DEC_EXT_SKIPPED,		/* unknown extension additions skipped */
	SL_PDU_DEC_UNDECODED,		/* payloads (or cINExtension) kept as tag and length */
	SL_PDU_DEC_E_BASE,		/* one per enum sl_ber_err, the OK slot unused */
	SL_PDU_DEC_UNSUPPORTED = SL_PDU_DEC_E_BASE + SL_BER_E__COUNT,
	_SL_PDU_DEC_CTR_COUNT
};
/* The reason of the last failed sl_pdu_decode() (an enum sl_pdu_dec_ctr), for tests and messages. */
extern enum sl_pdu_dec_ctr sl_pdu_decode_last_reason;
/* Counter names ("pdu:decoded", "pdu:reject:too_deep"...) and descriptions. */
const char *sl_pdu_dec_ctr_name(enum sl_pdu_dec_ctr c);
const char *sl_pdu_dec_ctr_desc(enum sl_pdu_dec_ctr c);
uint64_t sl_pdu_dec_ctr_get(enum sl_pdu_dec_ctr c);

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
