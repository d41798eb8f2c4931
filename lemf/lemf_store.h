/*
 * What `sluice lemf` keeps of each PDU it receives: per LIID, a directory
 * OUT/<LIID>/ with pdus.jsonl (one JSON object per PDU: connection, kind,
 * LIID, CIN, sequence number, duplicate and gap marks, every decoded
 * field) and pdus.raw (each PDU's bytes after a 4-byte big-endian length),
 * both opened for appending so a restarted receiver adds to them. Each
 * line is one write(2), so a receiver killed at any point leaves whole
 * lines. Sequence numbers are tracked per (LIID, CIN, stream) with
 * stream = iri, cc or hi1; the summary lists received, duplicates and
 * missing numbers for each and is also written to OUT/summary.json.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "handover/pdu_decode.h"

struct sl_lemf_store;

struct sl_lemf_store *sl_lemf_store_new(void *ctx, const char *dir, char *err, size_t errlen);
/* Store one decoded PDU (raw bytes p[0..n)). 0 or a negative errno (output failed). */
int sl_lemf_store_pdu(struct sl_lemf_store *s, unsigned conn, const uint8_t *p, size_t n,
		      const struct sl_pdu_decoded *d);
/* A PDU that framed but did not decode: kept in OUT/_undecodable/ with the reason. */
int sl_lemf_store_bad(struct sl_lemf_store *s, unsigned conn, const uint8_t *p, size_t n, const char *why);
/* fsync every output file written since the last sync: what is acknowledged must survive a crash. 0 or -errno. */
int sl_lemf_store_sync(struct sl_lemf_store *s);
/* Per-stream totals as text to out, and OUT/summary.json. 0 or -errno. */
int sl_lemf_store_summary(struct sl_lemf_store *s, FILE *out);
/* Totals over all streams. */
void sl_lemf_store_totals(const struct sl_lemf_store *s, uint64_t *pdus, uint64_t *dups, uint64_t *missing,
			  uint64_t *bad);
