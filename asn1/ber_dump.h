/*
 * Indented text rendering of arbitrary BER, one line per TLV.
 *
 * For the parts of a PDU a decode tool does not know (vendor extensions,
 * national parameters) and for debugging encoders: it needs no schema,
 * shows offsets, tags, lengths and, for universal types and printable
 * implicitly tagged content, the value.
 *
 *	0x0000 SEQUENCE (19)
 *	0x0002   OBJECT IDENTIFIER (7) 0.4.0.2.2.5.1.13
 *	0x000b   [1] (3) 41 42 43 "ABC"
 *	0x0010   [2] cons (3)
 *	0x0012     INTEGER (1) 5
 *
 * Text content is escaped (\xNN for anything outside printable ASCII), so
 * hostile input cannot put control sequences on a terminal or a log.
 */
#pragma once

#include <stdio.h>

#include "asn1/ber_decode.h"

struct sl_ber_dump_opts {
	unsigned indent;    /* spaces per nesting level */
	unsigned depth0;    /* extra levels of indentation, to nest a dump in other output */
	size_t max_bytes;   /* content bytes shown per value before "..." */
	bool offsets;       /* start each line with the TLV's offset */
	const char *prefix; /* printed at the start of each line (after the offset) */
};

/* indent 2, depth0 0, max_bytes 32, offsets on, prefix "". */
void sl_ber_dump_defaults(struct sl_ber_dump_opts *o);

/*
 * Render every TLV of c to f (o NULL for defaults). A framing error ends
 * the dump with a line "!! offset 0x..: message" and is returned; invalid
 * content of a primitive is shown inline and does not stop the dump.
 */
enum sl_ber_err sl_ber_dump_file(struct sl_ber_dec *d, struct sl_ber_cur c, FILE *f,
				 const struct sl_ber_dump_opts *o);

/*
 * The same into buf with snprintf semantics (NUL-terminated if cap > 0);
 * returns the length the whole text needs, *err (if non-NULL) the result.
 */
size_t sl_ber_dump_buf(struct sl_ber_dec *d, struct sl_ber_cur c, char *buf, size_t cap,
		       const struct sl_ber_dump_opts *o, enum sl_ber_err *err);
