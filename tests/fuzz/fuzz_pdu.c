/*
 * libFuzzer target for the handover PDU decoder and stream framing
 * (handover/pdu_decode.c, hi2_decode.c, pdu_frame.c): any bytes, from an
 * exactly sized copy, are cut into PDUs with sl_pdu_frame() as a receiver
 * would cut a TCP stream, each PDU decoded and visited, and the whole
 * input decoded once as a single PDU. Checked: results are in their
 * documented sets, frames stay inside the input, every decoded view lies
 * inside the bytes decoded or (a BER sender's segmented string, joined)
 * inside a buffer the PDU's talloc context owns, and an error always has
 * a message. The seeds include the BER forms of tests/unit/pdu_ber_vectors.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void *pdu_ctx; /* owns the joined strings of the PDU being checked */

static void check_view(const struct sl_pdu_bytes *b, const uint8_t *base, size_t n)
{
	volatile uint8_t sink = 0;
	size_t i;

	if (!b->p)
		return;
	if (b->p < base || b->p > base + n) /* joined: must be a buffer of the PDU's context */
		check(talloc_parent(b->p) == pdu_ctx && b->n <= talloc_get_size(b->p));
	else
		check(b->n <= n && (size_t)(b->p - base) <= n - b->n);
	for (i = 0; i < b->n; i++)
		sink ^= b->p[i];
	(void)sink;
}

static void visit(void *arg, const struct sl_pdu_field *f)
{
	size_t *count = arg;

	check(f->type <= SL_PDU_F_ADDR);
	check(f->type == SL_PDU_F_CLOSE || f->name != NULL);
	if (f->type == SL_PDU_F_TEXT)
		check(f->text != NULL && strlen(f->text) < 4096);
	(*count)++;
}

static void decode_one(const uint8_t *p, size_t n)
{
	struct sl_pdu_decoded d;
	char err[160];
	size_t fields = 0;
	int rc;

	pdu_ctx = talloc_new(NULL);
	check(pdu_ctx != NULL);
	rc = sl_pdu_decode(pdu_ctx, p, n, &d, err, sizeof(err));
	if (rc) {
		check(rc == -EBADMSG || rc == -ENOTSUP);
		check(err[0] != '\0');
		check(d.kind == SL_PDU_NONE);
		talloc_free(pdu_ctx);
		return;
	}
	check(d.kind > SL_PDU_NONE && d.kind < _SL_PDU_KIND_COUNT);
	check_view(&d.liid, p, n);
	check_view(&d.operator_id, p, n);
	check_view(&d.ne_id, p, n);
	switch (d.kind) {
	case SL_PDU_IRI_IPMM:
		check_view(&d.u.ipmm_iri.sip, p, n);
		break;
	case SL_PDU_CC_IPMM:
		check_view(&d.u.ipmm_cc.data, p, n);
		check_view(&d.u.ipmm_cc.stream_id, p, n);
		break;
	case SL_PDU_IRI_HI2: {
		struct sl_pdu_bytes sip = { d.u.hi2.iri.sip, d.u.hi2.iri.sip_len };
		struct sl_pdu_bytes sms = { d.u.hi2.iri.sms_content, d.u.hi2.iri.sms_content_len };

		check_view(&d.u.hi2.ids.liid, p, n);
		check_view(&d.u.hi2.ids.cin, p, n);
		check_view(&sip, p, n);
		check_view(&sms, p, n);
		check(d.u.hi2.iri.orig.n <= SL_PARTY_MAX_IDS && d.u.hi2.iri.term.n <= SL_PARTY_MAX_IDS);
		break;
	}
	case SL_PDU_HI1:
		check_view(&d.u.hi1.target_info, p, n);
		break;
	default:
		break;
	}
	check_view(&d.ext_ipid, p, n);
	check_view(&d.nf_id, p, n);
	sl_pdu_decoded_visit(&d, visit, &fields);
	check(fields > 0);
	talloc_free(pdu_ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t off = 0;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	while (off < size) {
		ssize_t f = sl_pdu_frame(buf + off, size - off, 65536);

		if (f <= 0) {
			check(f == 0 || f == -EBADMSG || f == -EMSGSIZE);
			break;
		}
		check((size_t)f <= size - off);
		decode_one(buf + off, (size_t)f);
		off += (size_t)f;
	}
	decode_one(buf, size);
	free(buf);
	return 0;
}
