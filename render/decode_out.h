/*
 * Output of `sluice decode`: each framed PDU decoded and written as text
 * (a header line, the decoded fields indented, optionally the generic BER
 * tree) or as one JSON object per line; PDUs that do not decode and
 * framing problems written in the same place, in stream order, and once
 * more on stderr naming the input and the offset. Counts what it wrote so
 * the command can set its exit status.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/addr.h"
#include "render/json_out.h"

enum sl_decode_format { SL_DECODE_TEXT, SL_DECODE_JSON };

struct sl_decode_out {
	FILE *out;
	enum sl_decode_format format;
	bool verbose;			/* text: add the BER tree of each PDU */
	struct sl_json j;
	const char *name;		/* the input being decoded, for messages */
	FILE *diag;			/* where problems are reported as well (NULL: only in the output) */
	const char *prog;		/* prefix of those reports ("sluice decode") */
	uint64_t pdus;			/* PDUs that decoded */
	uint64_t bad;			/* PDUs that did not, and framing problems */
	bool write_failed;
};

/* Where a PDU or a problem is. */
struct sl_decode_where {
	uint64_t index;			/* 1-based PDU number; 0: not a PDU (framing problem) */
	uint64_t offset;		/* byte offset in the file, or in the TCP direction's stream */
	bool capture;			/* from a capture: the fields below are set */
	uint64_t frame;			/* frame that completed the PDU (or showed the problem) */
	uint64_t ts_us;
	struct sl_endpoint src, dst;
};

void sl_decode_out_init(struct sl_decode_out *o, void *ctx, FILE *out, enum sl_decode_format format, bool verbose);
void sl_decode_out_free(struct sl_decode_out *o);

/* Decode p[0..n) and write it, or write why it does not decode. */
void sl_decode_out_pdu(struct sl_decode_out *o, const struct sl_decode_where *w, const uint8_t *p, size_t n);
/* Write a framing problem (counted as bad). */
void sl_decode_out_error(struct sl_decode_out *o, const struct sl_decode_where *w, const char *msg);
