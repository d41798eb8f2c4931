/* ETSI TS 102 232-1 callbacks for the links (see link_etsi.h), option negotiation (clause 6.3.5) included. */
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

static int make_option_request(void *priv, struct sl_ber_w *w, uint64_t seq, uint32_t requested)
{
	return sl_pdu_option_request(w, priv, (uint32_t)seq, now_us(), requested);
}

static int make_option_response(void *priv, struct sl_ber_w *w, uint64_t seq, uint32_t accepted, uint32_t declined)
{
	return sl_pdu_option_response(w, priv, (uint32_t)seq, now_us(), accepted, declined);
}

static int make_option_complete(void *priv, struct sl_ber_w *w, uint64_t seq)
{
	return sl_pdu_option_complete(w, priv, (uint32_t)seq, now_us());
}

static ssize_t frame(void *priv, const uint8_t *p, size_t n, size_t max_pdu)
{
	return sl_pdu_frame(p, n, max_pdu);
}

static int classify(void *priv, const uint8_t *p, size_t n, struct sl_link_rx *rx)
{
	static const enum sl_link_rx_kind kinds[_SL_PDU_KIND_COUNT] = {
		[SL_PDU_KEEPALIVE_RESPONSE] = SL_LINK_RX_KEEPALIVE_RESPONSE,
		[SL_PDU_ACK_RESPONSE] = SL_LINK_RX_ACK_RESPONSE,
		[SL_PDU_OPTION_REQUEST] = SL_LINK_RX_OPTION_REQUEST,
		[SL_PDU_OPTION_RESPONSE] = SL_LINK_RX_OPTION_RESPONSE,
		[SL_PDU_OPTION_COMPLETE] = SL_LINK_RX_OPTION_COMPLETE,
	};
	struct sl_pdu_decoded d;
	void *pctx = talloc_new(NULL); /* a BER receiver's segmented strings, unused here */
	int rc = sl_pdu_decode(pctx, p, n, &d, NULL, 0);

	talloc_free(pctx);
	if (rc < 0)
		return rc;
	*rx = (struct sl_link_rx){ .kind = d.kind < _SL_PDU_KIND_COUNT ? kinds[d.kind] : SL_LINK_RX_OTHER,
				   .seq = d.seqno };
	if (d.kind == SL_PDU_OPTION_REQUEST || d.kind == SL_PDU_OPTION_RESPONSE) {
		rx->options = d.u.option.options;
		rx->declined = d.u.option.declined;
	}
	return 0;
}

void sl_link_etsi_ops(struct sl_link_pdu_ops *ops, const struct sl_pdu_ctx *ctx)
{
	*ops = (struct sl_link_pdu_ops){
		.make_keepalive = make_keepalive,
		.make_ack_request = make_ack_request,
		.make_option_request = make_option_request,
		.make_option_response = make_option_response,
		.make_option_complete = make_option_complete,
		.frame = frame,
		.classify = classify,
		.priv = (void *)ctx,
	};
}
