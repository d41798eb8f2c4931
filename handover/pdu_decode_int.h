/*
 * Shared pieces of the strict PDU decoder (pdu_decode.c for the TS 102
 * 232-1/-5 parts, hi2_decode.c for TS 101 671): the decoding state and
 * typed readers that turn every finding into an asn1 error record with
 * its byte offset. Internal to handover/.
 */
#pragma once

#include "asn1/ber_decode.h"
#include "handover/pdu_decode.h"

struct sl_pdu_dec {
	struct sl_ber_dec d;
	bool unsupported;	/* the failure is "well-formed, not something we decode" */
};

/* Every reader returns 0 or -1 with s->d.err set. */
int sl_pd_bad(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sl_pd_unsupported(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, const char *what);
int sl_pd_missing(struct sl_pdu_dec *s, const struct sl_ber_tlv *parent, const char *what);
int sl_pd_next(struct sl_pdu_dec *s, struct sl_ber_cur *c, struct sl_ber_tlv *t);
int sl_pd_enter(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		struct sl_ber_cur *in);
int sl_pd_done(struct sl_pdu_dec *s, const struct sl_ber_cur *c);
/* A context-tagged child whose form must be cons. */
int sl_pd_form(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, bool cons, const char *what);
/* Enter the single alternative of an explicitly tagged CHOICE. */
int sl_pd_choice(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		 struct sl_ber_tlv *alt);
int sl_pd_enum(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, int64_t min, int64_t max, int *v,
	       const char *what);
int sl_pd_u32(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint32_t *v, const char *what);
int sl_pd_bytes(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max,
		struct sl_pdu_bytes *b, const char *what);
/* PrintableString of min..max chars into a NUL-terminated buffer of cap > max. */
int sl_pd_printable(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, size_t min, size_t max, char *buf,
		    size_t cap, const char *what);
int sl_pd_gentime(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, uint64_t *us);
int sl_pd_oid(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, char *buf, size_t cap);
/* Fields of a SEQUENCE must come in the order of the definition: pos strictly increasing. */
int sl_pd_order(struct sl_pdu_dec *s, const struct sl_ber_tlv *t, int pos, int *last, const char *what);

/* IPAddress (TS 102 232-1 / TS 101 671, binary iP-value) into a. */
int sl_pd_ip_address(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_addr *a);
/* TS 101 671 TimeStamp (the explicit [n] TLV t). */
int sl_pd_hi2_timestamp(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
			uint64_t *us, bool *utc);
/* TS 101 671 CommunicationIdentifier content. */
int sl_pd_hi2_comm_id(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		      struct sl_hi2_ids *ids);
/* TS 101 671 IRI-Parameters (the TLV t, whatever its tag) into ids and iri. */
int sl_pd_hi2_params(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t,
		     struct sl_hi2_ids *ids, struct sl_hi2_iri *iri);
