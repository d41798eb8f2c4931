/*
 * The receiving side (the LGW of TS 102 232-1 clause 6.3.5) of TRI option
 * negotiation, as a pure state machine per connection: it is told each
 * decoded PDU in order and says what to send and whether the connection
 * must end; lemf_server.c does the I/O. No allocation, no clock.
 *
 * The gateway opens a connection with an optionRequest (its first PDU)
 * and a keep-alive. We answer the request with an optionResponse echoing
 * its number: every option we know (pDUAcknowledgement) is accepted, and
 * options we do not know are left out of both lists, as clause 6.3.5.1
 * has it. We ask for nothing: after the keep-aliveResponse (sent by the
 * server in its usual way) comes our optionComplete, numbered from 0 on
 * this connection. If the keep-alive is not in the same read, the
 * optionComplete goes at the end of that read. Negotiation is complete
 * once we have sent ours and received the gateway's optionComplete;
 * a record or any other PDU before that ends the connection (clause
 * 6.3.5.2). An optionRequest that is not the connection's first PDU, or
 * comes after completion, is not acted on. Disabled (`--no-option-
 * negotiation`), every optionRequest is ignored, which is how a receiver
 * without support behaves (annex I.1.1).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "handover/pdu_decode.h"

enum sl_lemf_neg_state {
	SL_LEMF_NEG_IDLE,	/* no optionRequest yet */
	SL_LEMF_NEG_RUNNING,
	SL_LEMF_NEG_DONE,
	SL_LEMF_NEG_OFF,	/* disabled: optionRequests ignored */
};

struct sl_lemf_neg {
	enum sl_lemf_neg_state state;
	uint32_t requested;	/* by the gateway, latest request */
	uint32_t accepted;	/* by us; in use once DONE */
	uint32_t next_seq;	/* our optionComplete number */
	bool complete_due, sent_complete, peer_complete;
};

/* What to do after one PDU, in this order: optionResponse, then (after any keep-aliveResponse) optionComplete. */
struct sl_lemf_neg_act {
	bool respond;
	uint32_t resp_seq, accepted, declined;
	bool complete;
	uint32_t complete_seq;
	bool ignored;		/* an optionRequest not acted on */
	bool violation;		/* a non-negotiation PDU before completion: end the connection */
	bool done;		/* negotiation has just completed */
};

void sl_lemf_neg_init(struct sl_lemf_neg *n, bool enabled);
/* d is the index-th PDU of the connection (from 1). */
void sl_lemf_neg_pdu(struct sl_lemf_neg *n, uint64_t index, const struct sl_pdu_decoded *d,
		     struct sl_lemf_neg_act *a);
/* The end of what one read delivered: an optionComplete still owed goes now. */
void sl_lemf_neg_flush(struct sl_lemf_neg *n, struct sl_lemf_neg_act *a);
/* The options in use as text ("pDUAcknowledgement", "none"), for messages. */
const char *sl_lemf_neg_text(const struct sl_lemf_neg *n);
