/*
 * HI1 notifications carried over the handover interface (TS 102 232-1
 * annex A.2, Payload hI1-Operation [3]; the type is TS 101 671 annex D.4
 * HI1NotificationOperations version7).
 *
 * HI1-Operation is a CHOICE (explicit [3] in the Payload) of liActivated
 * [1], liDeactivated [2] and liModified [3], each a Notification: the
 * LIID [1], communicationIdentifier [2] (TS 101 671 format, only the
 * operator's Network-Identifier, as D.4 says: "Only the NWO/PA/SvP
 * Identifier is provided"), timeStamp [3] (a TimeStamp CHOICE) and the
 * optional target-Information [6]. domainID [0] is only for FTP delivery
 * and is left out. A notification is not part of any communication, so
 * the PSHeader carries no CIN (clause 5.2.4).
 */
#include <errno.h>
#include <string.h>

#include "handover/pdu_int.h"

int sl_pdu_hi1_notification(struct sl_ber_w *w, const struct sl_pdu_ctx *ctx, uint32_t seqno,
			    uint64_t ts_us, enum sl_hi1_op op, const char *target_info)
{
	struct sl_pdu_hdr h = { .has_cin = false, .seqno = seqno, .ts_us = ts_us };
	size_t m, m_ci, n;

	if (!w || !ctx || op < SL_HI1_ACTIVATED || op > SL_HI1_MODIFIED)
		return -EINVAL;
	if (target_info && ((n = strlen(target_info)) < 1 || n > 256))
		return -EINVAL;
	m = sl_ber_w_mark(w);
	if (target_info)
		sl_ber_w_octets(w, SL_BER_CONTEXT, 6, target_info, strlen(target_info));
	sl_w_hi2_timestamp(w, ctx, 3, ts_us);
	if (sl_pdu_ctx_has_hi2(ctx)) {
		m_ci = sl_ber_w_mark(w);
		sl_ber_w_raw(w, ctx->hi2_nid.p, ctx->hi2_nid.n);
		sl_ber_w_close(w, m_ci, SL_BER_CONTEXT, 2);
	}
	sl_ber_w_raw(w, ctx->hi1_liid.p, ctx->hi1_liid.n);
	sl_ber_w_close(w, m, SL_BER_CONTEXT, op); /* liActivated, liDeactivated, liModified */
	return sl_ps_pdu(w, ctx, &h, SL_PS_HI1, 0, m);
}
