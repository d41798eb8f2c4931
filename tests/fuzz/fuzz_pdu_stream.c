/*
 * libFuzzer target for src/pdu_stream.c, the framer of `sluice decode`:
 * arbitrary bytes in both modes (concatenated BER, length-prefixed),
 * fed in pieces whose sizes come from the input, with gaps, so the
 * resynchronisation paths run. Every PDU handed out must lie inside what
 * was fed and decode or fail cleanly; memory returns to its start.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <talloc.h>

#include "handover/pdu_decode.h"
#include "handover/pdu_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void on_pdu(void *priv, const uint8_t *p, size_t n, uint64_t off)
{
	struct sl_pdu_decoded d;
	char err[128];
	void *pctx = talloc_new(priv); /* a BER sender's segmented strings, per PDU */

	check(n > 0);
	sl_pdu_decode(pctx, p, n, &d, err, sizeof(err));
	talloc_free(pctx);
}

static void on_error(void *priv, uint64_t off, const char *msg)
{
	check(msg != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sl_pdu_stream_ops ops = { .pdu = on_pdu, .error = on_error };
	void *ctx = talloc_named_const(NULL, 0, "fuzz_pdu_stream");
	size_t blocks = talloc_total_blocks(ctx), off = 1;
	struct sl_pdu_stream *s;

	if (size < 1) {
		talloc_free(ctx);
		return 0;
	}
	s = sl_pdu_stream_alloc(ctx, (data[0] & 1) ? SL_PDU_STREAM_PREFIXED : SL_PDU_STREAM_BER, 4096, &ops, ctx);
	check(s != NULL);
	while (off < size) {
		size_t n = 1 + data[off] % 64;
		off++;
		if (n > size - off)
			n = size - off;
		if ((data[0] & 2) && n == 7)
			sl_pdu_stream_gap(s, n);	/* a capture gap instead of these bytes */
		else
			sl_pdu_stream_feed(s, data + off, n);
		off += n;
	}
	sl_pdu_stream_end(s);
	talloc_free(s);
	check(talloc_total_blocks(ctx) == blocks);
	talloc_free(ctx);
	return 0;
}
