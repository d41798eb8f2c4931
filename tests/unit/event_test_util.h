/*
 * What the event rendering tests share (test_event_render.c, the JSON
 * form; test_event_text.c, the text form and a pipeline run): to_json()
 * renders an event into `line` and reads it with the strict reader into
 * `doc`; endpoints, SIP messages parsed from exactly sized heap copies
 * and the signalling data of an event; call and RTP stream events as the
 * capture layer builds them. Static functions in a header so each test
 * stays one translation unit; include after cmocka.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <talloc.h>

#include "capture/event.h"
#include "capture/sip_parse.h"
#include "render/event_render.h"
#include "tests/unit/json_check.h"
#include "tests/unit/parser_test_util.h"

#define TS 1404074851748166ull

static struct jc_doc doc;
static char line[16384];

/* Render ev as JSON into line, check it parses strictly into doc. */
static inline void to_json(void *ctx, const struct sl_event *ev)
{
	struct sl_json j;

	sl_json_init(&j, ctx);
	sl_event_to_json(&j, ev);
	assert_false(j.failed);
	assert_true(j.len < sizeof(line));
	memcpy(line, j.buf, j.len);
	line[j.len] = '\0';
	sl_json_free(&j);
	assert_json(&doc, line, strlen(line));
}

static inline void expect_keys(const char *path, const char *want)
{
	char keys[1024];

	jc_keys(&doc, path, keys, sizeof(keys));
	if (strcmp(keys, want)) {
		print_error("keys of '%s': got %s\n                 want %s\n", path, keys, want);
		fail();
	}
}

static inline void ep4(struct sl_endpoint *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
	uint8_t v[4] = { a, b, c, d };

	memset(e, 0, sizeof(*e));
	sl_addr_set4(&e->addr, v);
	e->port = port;
}

static inline void ep6(struct sl_endpoint *e, uint16_t port)
{
	static const uint8_t v[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	memset(e, 0, sizeof(*e));
	sl_addr_set6(&e->addr, v);
	e->port = port;
}

/* A SIP message parsed from an exactly sized copy (freed with ctx's children by the caller). */
static inline void parse_sip(void *ctx, const char *text, struct sl_sip_msg *m, char **copy)
{
	size_t used;

	*copy = exact(ctx, text, strlen(text));
	assert_int_equal(sl_sip_parse(*copy, strlen(text), SL_SIP_PARSE_DATAGRAM, m, &used), SL_SIP_OK);
}

static const char invite[] =
	"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
	"From: \"sipp\" <sip:sipp@127.0.0.1:5061>;tag=7879SIPpTag001\r\n"
	"To: sut <sip:service@127.0.0.1:5060>\r\n"
	"Call-ID: 1-7879@127.0.0.1\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:sipp@127.0.0.1:5061>\r\n"
	"P-Asserted-Identity: <sip:+4930123456@example.com;user=phone>, <tel:+4930123456>\r\n"
	"P-Preferred-Identity: <sip:alice@example.com>\r\n"
	"User-Agent: SIPp/3.6\r\n"
	"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=262011234567890\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 10\r\n"
	"\r\n"
	"v=0\r\no=-\r\n";

static const char ringing[] =
	"SIP/2.0 180 Ringing\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
	"From: <tel:+4930123456>;tag=a1\r\n"
	"To: <sip:service@127.0.0.1:5060>;tag=b2\r\n"
	"Call-ID: 1-7879@127.0.0.1\r\n"
	"CSeq: 1 INVITE\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static inline void sig_of(struct sl_sig *sig, const struct sl_sip_msg *m)
{
	memset(sig, 0, sizeof(*sig));
	sig->ts_us = TS;
	sig->source = 0;
	sig->frame = 1;
	ep4(&sig->src, 127, 0, 0, 1, 5061);
	ep4(&sig->dst, 127, 0, 0, 1, 5060);
	sig->transport = SL_TRANSPORT_UDP;
	sig->sip = m;
}

static inline void call_event(struct sl_event *ev, const struct sl_sig *sig, enum sl_call_step step)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SL_EV_CALL;
	ev->ts_us = TS;
	ev->sig = sig;
	ev->call_id = SL_STR_LIT("1-7879@127.0.0.1");
	ev->dir = SL_DIR_FROM_CALLER;
	sl_party_add(&ev->from, SL_ID_SIP_URI, "sip:sipp@127.0.0.1");
	sl_party_add(&ev->to, SL_ID_E164, "+4930123456");
	ev->u.call.step = step;
	ev->u.call.start_us = TS - 2500000;
}

static const char WHERE_KEYS[] = "src,dst,transport,source,frame";

static inline void rtp_event(struct sl_event *ev, bool rtcp)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SL_EV_RTP_STREAM;
	ev->ts_us = 1404074861747124ull;
	ev->call_id = SL_STR_LIT("1-7879@127.0.0.1");
	ev->dir = SL_DIR_FROM_CALLER;
	ev->u.rtp.rtcp = rtcp;
	ev->u.rtp.ssrc = 4273824576u;
	ev->u.rtp.pt = 0;
	ep4(&ev->u.rtp.src, 127, 0, 0, 1, 6001);
	ep4(&ev->u.rtp.dst, 127, 0, 0, 1, 6000);
	ev->u.rtp.packets = 501;
	ev->u.rtp.bytes = 86172;
	ev->u.rtp.lost = 0;
	ev->u.rtp.first_us = 1404074851748860ull;
	ev->u.rtp.last_us = 1404074861747124ull;
	ev->u.rtp.jitter_ms = 0.07;
}
