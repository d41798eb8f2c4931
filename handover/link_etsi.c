/* ETSI TS 102 232-1 callbacks for the links (see link_etsi.h). */
#include "handover/link_etsi.h"

#include <time.h>

#include <talloc.h>

#include "handover/pdu.h"
#include "handover/pdu_decode.h"
#include "handover/pdu_frame.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int make_keepalive(void *priv, struct sl_ber_w *w, uint64_t seq)
{
	return sl_pdu_keepalive(w, priv, (uint32_t)seq, now_us());
}

static int make_ack_request(void *priv, struct sl_ber_w *w, uint64_t seq)
{
	return sl_pdu_ack_request(w, priv, (uint32_t)seq, now_us());
}

static ssize_t frame(void *priv, const uint8_t *p, size_t n, size_t max_pdu)
{
	return sl_pdu_frame(p, n, max_pdu);
}

static int classify(void *priv, const uint8_t *p, size_t n, enum sl_link_rx_kind *kind, uint64_t *seq)
{
	struct sl_pdu_decoded d;
	void *pctx = talloc_new(NULL); /* a BER receiver's segmented strings, unused here */
	int rc = sl_pdu_decode(pctx, p, n, &d, NULL, 0);

	talloc_free(pctx);
	if (rc < 0)
		return rc;
	*seq = d.seqno;
	*kind = d.kind == SL_PDU_KEEPALIVE_RESPONSE ? SL_LINK_RX_KEEPALIVE_RESPONSE :
		d.kind == SL_PDU_ACK_RESPONSE	    ? SL_LINK_RX_ACK_RESPONSE :
						      SL_LINK_RX_OTHER;
	return 0;
}

void sl_link_etsi_ops(struct sl_link_pdu_ops *ops, const struct sl_pdu_ctx *ctx)
{
	*ops = (struct sl_link_pdu_ops){
		.make_keepalive = make_keepalive,
		.make_ack_request = make_ack_request,
		.frame = frame,
		.classify = classify,
		.priv = (void *)ctx,
	};
}
