/*
 * Cutting a byte stream of handover PDUs into PDUs, for `sluice decode`.
 *
 * Two framings: concatenated BER PDUs as they travel on a handover TCP
 * connection (TS 102 232-1 annex E: each PDU's own identifier and length
 * octets say where it ends, handover/pdu_frame.h), and the records of
 * `sluice lemf`'s pdus.raw (a 4-byte big-endian length, then the PDU).
 * Bytes may arrive in pieces of any size (file reads, TCP segments); a
 * PDU split across pieces is buffered until complete, whole PDUs in a
 * piece are handed over in place.
 *
 * When framing fails (bytes that cannot start a PDU, a length over the
 * limit, a gap in a captured TCP stream) a BER stream is resynchronised:
 * the framer hunts for the next offset at which a PDU frames and decodes,
 * reports the bytes it skipped, and goes on. A length-prefixed file has no
 * such recovery: a bad length prefix ends it. Every offset reported is
 * the offset in the stream (gaps count as the bytes they stand for).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber_decode.h"

enum sl_pdu_stream_mode {
	SL_PDU_STREAM_BER,		/* concatenated BER PDUs */
	SL_PDU_STREAM_PREFIXED,		/* 4-byte big-endian length + PDU (lemf pdus.raw) */
};

struct sl_pdu_stream_ops {
	/* One framed PDU p[0..n) that starts at stream offset off (for PREFIXED: after its length). */
	void (*pdu)(void *priv, const uint8_t *p, size_t n, uint64_t off);
	/* A framing problem at stream offset off, described by msg (without the offset). */
	void (*error)(void *priv, uint64_t off, const char *msg);
};

struct sl_pdu_stream {
	enum sl_pdu_stream_mode mode;
	size_t max_pdu;
	struct sl_pdu_stream_ops ops;
	void *priv;

	uint8_t *buf;		/* bytes not yet framed, a talloc child of the stream */
	size_t len, cap;
	uint64_t off;		/* stream offset of buf[0] (or of the next byte fed when len is 0) */
	struct sl_ber_resume fr; /* framing state of the incomplete PDU at buf[0] (not while hunting) */
	bool hunting;		/* looking for the next PDU after a framing error or a gap */
	uint64_t hunt_from;	/* where the hunt started, for the report of skipped bytes */
	char hunt_why[96];	/* why it started */
	bool dead;		/* PREFIXED after a bad length: the rest is ignored */
	uint64_t ignored;	/* bytes ignored since dead */
};

/* Allocate a stream (talloc child of ctx); NULL on allocation failure. */
struct sl_pdu_stream *sl_pdu_stream_alloc(void *ctx, enum sl_pdu_stream_mode mode, size_t max_pdu,
					  const struct sl_pdu_stream_ops *ops, void *priv);
/* Feed bytes; complete PDUs and framing errors are reported from within. */
void sl_pdu_stream_feed(struct sl_pdu_stream *s, const uint8_t *p, size_t n);
/* n bytes of the stream are missing here (lost capture segment): drop what is buffered and resynchronise. */
void sl_pdu_stream_gap(struct sl_pdu_stream *s, uint64_t n);
/* End of the stream: frame what is left, report a truncated last PDU. */
void sl_pdu_stream_end(struct sl_pdu_stream *s);

/*
 * Does p[0..n) look like the start of a length-prefixed file? True when
 * the first four bytes are a big-endian length of 1..max_pdu and the bytes
 * after them frame as a PDU of exactly that length (as far as n shows: the
 * PDU's identifier and length octets must be within p).
 */
bool sl_pdu_stream_looks_prefixed(const uint8_t *p, size_t n, size_t max_pdu);
