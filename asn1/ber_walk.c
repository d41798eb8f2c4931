/*
 * Depth-first walk over BER values, calling back for each TLV.
 *
 * This is the generic traversal under the tree printer and under any
 * "validate everything" pass (the fuzz target uses it). It keeps an
 * explicit stack of cursors, one per open constructed value, instead of
 * recursing, so the depth limit is a count checked by sl_ber_next() and
 * never a question of how much C stack a hostile input can consume.
 */
#include "asn1/ber_decode.h"

enum sl_ber_err sl_ber_walk(struct sl_ber_dec *d, struct sl_ber_cur c, sl_ber_visit_fn fn,
			    void *arg)
{
	/* cursors at depths c.depth .. max_depth; sl_ber_next refuses deeper */
	struct sl_ber_cur stack[SL_BER_MAX_DEPTH_CAP + 1];
	size_t sp = 0;

	stack[sp++] = c;
	while (sp > 0) {
		struct sl_ber_cur *cur = &stack[sp - 1];
		struct sl_ber_tlv t;
		enum sl_ber_walk_ret r;
		enum sl_ber_err e;

		if (!sl_ber_more(cur)) {
			sp--;
			continue;
		}
		e = sl_ber_next(d, cur, &t);
		if (e)
			return e;
		r = fn(arg, d, &t, cur->depth, sl_ber_offset(d, sl_ber_tlv_start(&t)));
		if (r == SL_BER_WALK_STOP)
			return SL_BER_OK;
		if (r != SL_BER_WALK_DESCEND || !t.constructed)
			continue;
		if (sp >= sizeof(stack) / sizeof(stack[0]))
			return sl_ber_fail(d, SL_BER_E_TOO_DEEP, sl_ber_tlv_start(&t),
					   "values nested deeper than %u", SL_BER_MAX_DEPTH_CAP);
		e = sl_ber_enter(d, cur, &t, &stack[sp]);
		if (e)
			return e;
		sp++;
	}
	return SL_BER_OK;
}
