/*
 * The link's PDU callbacks (link.h) implemented with the ETSI PDU layer:
 * TRI keep-alive and pDUAcknowledgementRequest from handover/pdu.h,
 * framing by sl_pdu_frame() and classification of the receiver's answers
 * by sl_pdu_decode(). The PDU context supplies the header constants
 * (LIID, operator) the TRI PDUs carry; it must outlive the link.
 */
#pragma once

#include "handover/link.h"
#include "handover/pdu_ctx.h"

void sl_link_etsi_ops(struct sl_link_pdu_ops *ops, const struct sl_pdu_ctx *ctx);
