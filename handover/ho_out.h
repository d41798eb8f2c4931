/*
 * From decisions to handover records: the encoding half of lawful
 * delivery.
 *
 * Mediation decides that an event falls under an interception
 * (struct sl_match); this module turns that into PDUs for the
 * interception's destination and hands the bytes to a sink (the
 * destination's durable spools in the daemon, a buffer in tests):
 *
 *  - every SIP message of an intercepted communication: a PS-PDU with an
 *    IPMMIRI (TS 102 232-5) carrying the original bytes, on HI2;
 *  - every call step, message and registration: a PS-PDU with an
 *    ETSI671IRI (TS 101 671 IRI-Parameters), or for receivers that want
 *    the plain HI2 stream a standalone IRIsContent in v11 or v18 framing;
 *  - every RTP/RTCP packet of a call under an IRI+CC interception: a
 *    PS-PDU with an IPMMCC, on HI3.
 *
 * A communication (one SIP Call-ID under one LIID) gets one CIN from the
 * crash-safe allocator for its whole life; its records are IRI-Begin
 * first, IRI-End at the call's end, IRI-Continue in between, and
 * IRI-Report for transactions outside a call (MESSAGE, REGISTER,
 * OPTIONS...). Sequence numbers follow TS 102 232-1 per LIID, CIN and
 * stream (IRI, CC). The table of communications is bounded; the oldest is
 * forgotten first (its later records would start a new CIN), counted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/event.h"
#include "handover/pdu.h"
#include "mediation/lawful/intercept.h"

enum sl_ho_stream { SL_HO_HI2, SL_HO_HI3 };

/* What the destination receives on HI2. */
enum sl_ho_format {
	SL_HO_FORMAT_PS_PDU,	/* TS 102 232-1/-5 PS-PDUs: IPMMIRI + ETSI671IRI (default) */
	SL_HO_FORMAT_HI2_V11,	/* TS 101 671 IRIsContent, v3.5.1 framing ([0] iRIContent) */
	SL_HO_FORMAT_HI2_V18,	/* TS 101 671 IRIsContent, v3.15.1 framing (bare record) */
};

/* Which record a PDU is: a refused one leaves exactly this hole at the receiver. */
struct sl_ho_rec {
	enum sl_ho_stream stream;
	bool has_cin;		/* false for HI1 notifications */
	uint32_t cin;
	bool has_seq;		/* false for TS 101 671 HI2 records (no sequence number) */
	uint32_t seq;		/* the PDU's sequenceNumber */
};

struct sl_ho_sink {
	/*
	 * Take one encoded PDU of an interception (liid) for a destination
	 * stream; negative errno refuses it (spool full, content shed). The
	 * sequence number is spent either way: never reused, so a refusal is a
	 * gap the receiver sees and the sink accounts for.
	 */
	int (*write)(void *priv, const char *liid, const char *dest, const struct sl_ho_rec *rec, const uint8_t *p,
		     size_t n);
	/* The format a destination wants on HI2. */
	enum sl_ho_format (*format)(void *priv, const char *dest);
	void *priv;
};

struct sl_ho_out_cfg {
	const char *operator_id;	/* PS-PDU operatorIdentifier */
	const char *ne_id;		/* networkElementIdentifier, NULL to omit */
	const char *country;		/* authorization and delivery country code, NULL to omit */
	const char *ipid;		/* interceptionPointID, NULL to omit */
	const char *hi2_operator_id;	/* TS 101 671 operator-Identifier (<= 5 octets), NULL: operator_id */
	const char *cin_state_path;	/* CIN allocator state file */
	unsigned max_comms;		/* communications tracked at once */
};

enum sl_ho_ctr {
	SL_HO_CTR_IRI,		/* HI2 PDUs written (IRI, HI1 notifications) */
	SL_HO_CTR_CC,		/* CC PDUs written */
	SL_HO_CTR_COMMS,	/* communications begun (CINs used) */
	SL_HO_CTR_REFUSED,	/* PDUs the sink refused (spool full): lost to the authority, alarm */
	SL_HO_CTR_ENCODE_ERR,	/* events that could not be encoded (value out of range) */
	SL_HO_CTR_EVICTED,	/* communications forgotten for the table limit */
	_SL_HO_CTR_COUNT
};

struct sl_ho_out;

/* Counter group "handover", for docs/counters.md. */
extern const struct rate_ctr_group_desc sl_ho_ctrg_desc;

struct sl_ho_out *sl_ho_out_alloc(void *ctx, const struct sl_ho_out_cfg *cfg, const struct sl_ho_sink *sink,
				  char *err, size_t errlen);
void sl_ho_out_free(struct sl_ho_out *o);

/* Records for one event under one interception. Returns 0, or a negative errno (counted). */
int sl_ho_out_event(struct sl_ho_out *o, const struct sl_match *m, const struct sl_event *ev);
/* Content of a dialog: IPMMCC for every IRI+CC interception its communication is under. */
void sl_ho_out_cc(struct sl_ho_out *o, const struct sl_cc *cc);
/*
 * HI1 notification (TS 102 232-1 hI1-Operation) of an interception's
 * activation, modification or deactivation, on its destination's HI2
 * stream (PS-PDU destinations only; plain TS 101 671 receivers get
 * nothing), stamped ts_us. seqno: the sequence number to use (a warrant's,
 * remembered across restarts), or NULL for the next of this run. 0 or <0.
 */
int sl_ho_out_hi1(struct sl_ho_out *o, const struct sl_intercept *ic, enum sl_hi1_op op, uint64_t ts_us,
		  const uint32_t *seqno);
/* Does any interception of this Call-ID want content? */
bool sl_ho_out_wants_cc(struct sl_ho_out *o, struct sl_str call_id);

struct rate_ctr_group *sl_ho_out_ctrs(struct sl_ho_out *o);
unsigned sl_ho_out_comms(const struct sl_ho_out *o);
/* The limit of communications tracked at once (cfg.max_comms or its default). */
unsigned sl_ho_out_max_comms(const struct sl_ho_out *o);
