/*
 * Pipeline tests, dialogs: SIP/UDP conversations between A (caller,
 * 192.0.2.1) and B (callee, 198.51.100.2) must produce the call,
 * registration, message and RTP stream events with the right values:
 * step, end reason, status, direction, the times that give ring delay
 * and duration, the parties, and RTP packet and loss counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "tests/unit/pipeline_fixture.h"
#include "tests/unit/pipeline_frames.h"

#define TS0 1700000000000000ull
#define SEC 1000000ull

static char buf[4096];

/* A request from A (caller) with the standard headers. */
static void req(struct pfx *f, uint64_t ts, const char *start, const char *cid, uint32_t cseq, const char *meth,
		const char *to_tag, const char *extra, const char *ctype, const char *body)
{
	pfx_sip(buf, sizeof(buf), start, cid, cseq, meth, "a1", to_tag, extra, ctype, body);
	pfx_sip_udp(f, ts, true, buf);
}

/* A response from B (callee). */
static void rsp(struct pfx *f, uint64_t ts, const char *status, const char *cid, uint32_t cseq, const char *meth,
		const char *extra, const char *ctype, const char *body)
{
	pfx_sip(buf, sizeof(buf), status, cid, cseq, meth, "a1", "b1", extra, ctype, body);
	pfx_sip_udp(f, ts, false, buf);
}

/* A request from B inside the dialog (From/To swapped as the callee sends them). */
static void req_from_callee(struct pfx *f, uint64_t ts, const char *start, const char *cid, uint32_t cseq,
			    const char *meth)
{
	int n = snprintf(buf, sizeof(buf),
			 "%s SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.2;branch=z9hG4bK-b%u\r\n"
			 "From: <sip:bob@example.com>;tag=b1\r\nTo: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
			 "Call-ID: %s\r\nCSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
			 start, cseq, cid, cseq, meth);

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	pfx_sip_udp(f, ts, false, buf);
}

static void invite(struct pfx *f, uint64_t ts, const char *cid, uint32_t cseq)
{
	char sdp[512];

	pfx_sdp(sdp, sizeof(sdp), "192.0.2.1", 40000);
	req(f, ts, "INVITE sip:bob@example.com", cid, cseq, "INVITE", NULL,
	    "P-Asserted-Identity: <tel:+4930123456>\r\n", "application/sdp", sdp);
}

static void answer(struct pfx *f, uint64_t ts, const char *cid, uint32_t cseq)
{
	char sdp[512];

	pfx_sdp(sdp, sizeof(sdp), "198.51.100.2", 50000);
	rsp(f, ts, "SIP/2.0 200 OK", cid, cseq, "INVITE", NULL, "application/sdp", sdp);
}

static const struct rec_event *call_step(struct pfx *f, enum sl_call_step step)
{
	const struct rec_event *e = pfx_find(f, SL_EV_CALL, (int)step, 0);

	assert_non_null(e);
	assert_null(pfx_find(f, SL_EV_CALL, (int)step, 1)); /* once per call */
	return e;
}

static void test_call_lifecycle(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	invite(f, TS0, "call-1", 1);
	rsp(f, TS0 + 100000, "SIP/2.0 100 Trying", "call-1", 1, "INVITE", NULL, NULL, NULL);
	rsp(f, TS0 + 2 * SEC, "SIP/2.0 180 Ringing", "call-1", 1, "INVITE", NULL, NULL, NULL);
	rsp(f, TS0 + 2 * SEC + 500, "SIP/2.0 180 Ringing", "call-1", 1, "INVITE", NULL, NULL, NULL); /* retransmit */
	answer(f, TS0 + 7 * SEC, "call-1", 1);
	req(f, TS0 + 7 * SEC + 20000, "ACK sip:bob@198.51.100.2", "call-1", 1, "ACK", "b1", NULL, NULL, NULL);
	req_from_callee(f, TS0 + 67 * SEC, "BYE sip:alice@192.0.2.1", "call-1", 1, "BYE");
	rsp(f, TS0 + 67 * SEC + 1000, "SIP/2.0 200 OK", "call-1", 1, "BYE", NULL, NULL, NULL);

	assert_int_equal(pfx_count(f, SL_EV_SIP), 8);
	assert_int_equal(pfx_count(f, SL_EV_CALL), 4);

	e = call_step(f, SL_CALL_ATTEMPT);
	assert_int_equal(e->ts_us, TS0);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLER);
	assert_string_equal(e->call_id, "call-1");
	assert_string_equal(e->from, "sip:alice@example.com");
	assert_true(sl_party_has(&e->fromp, SL_ID_E164, "+4930123456"));
	assert_string_equal(e->to, "sip:bob@example.com");
	assert_true(e->has_sig);

	e = call_step(f, SL_CALL_RINGING);
	assert_int_equal(e->ts_us, TS0 + 2 * SEC);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLEE);
	assert_int_equal(e->call.ring_us, TS0 + 2 * SEC);

	e = call_step(f, SL_CALL_ANSWER);
	assert_int_equal(e->ts_us, TS0 + 7 * SEC);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLEE);
	assert_int_equal(e->call.answer_us, TS0 + 7 * SEC);

	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_BYE);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLEE); /* the callee hung up */
	assert_int_equal(e->call.status, 0);
	assert_int_equal(e->call.start_us, TS0);
	assert_int_equal(e->call.ring_us, TS0 + 2 * SEC);
	assert_int_equal(e->call.answer_us, TS0 + 7 * SEC);
	/* duration: answer to BYE */
	assert_int_equal(e->ts_us - e->call.answer_us, 60 * SEC);
	/* the caller's identities are kept on the callee's BYE */
	assert_string_equal(e->from, "sip:alice@example.com");

	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_CALLS), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_ANSWERED), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_BYE), 1);
	/* the SIP events of the dialog carry the direction too */
	assert_int_equal(pfx_find(f, SL_EV_SIP, -1, 0)->dir, SL_DIR_FROM_CALLER);
	assert_int_equal(pfx_find(f, SL_EV_SIP, -1, 1)->dir, SL_DIR_FROM_CALLEE);

	sl_capture_flush(f->cap);
	assert_int_equal(pfx_count(f, SL_EV_CALL), 4); /* ended calls are not ended again */
	pfx_free(f);
}

static void test_caller_hangs_up(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	invite(f, TS0, "call-2", 1);
	answer(f, TS0 + SEC, "call-2", 1);
	req(f, TS0 + 11 * SEC, "BYE sip:bob@198.51.100.2", "call-2", 2, "BYE", "b1", NULL, NULL, NULL);
	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_BYE);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLER);
	assert_int_equal(e->call.ring_us, 0);
	assert_int_equal(e->ts_us - e->call.answer_us, 10 * SEC);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_RINGING, 0));
	pfx_free(f);
}

static void test_cancel(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	invite(f, TS0, "call-3", 1);
	rsp(f, TS0 + SEC, "SIP/2.0 180 Ringing", "call-3", 1, "INVITE", NULL, NULL, NULL);
	req(f, TS0 + 5 * SEC, "CANCEL sip:bob@example.com", "call-3", 1, "CANCEL", NULL, NULL, NULL, NULL);
	rsp(f, TS0 + 5 * SEC + 10, "SIP/2.0 200 OK", "call-3", 1, "CANCEL", NULL, NULL, NULL);
	rsp(f, TS0 + 5 * SEC + 20, "SIP/2.0 487 Request Terminated", "call-3", 1, "INVITE", NULL, NULL, NULL);
	req(f, TS0 + 5 * SEC + 30, "ACK sip:bob@example.com", "call-3", 1, "ACK", "b1", NULL, NULL, NULL);

	assert_int_equal(pfx_count(f, SL_EV_CALL), 3);
	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_CANCEL);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLER);
	assert_int_equal(e->ts_us, TS0 + 5 * SEC);
	assert_int_equal(e->call.answer_us, 0);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_ANSWER, 0));
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_CANCEL), 1);
	pfx_free(f);
}

static void test_busy_rejected(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	invite(f, TS0, "call-4", 1);
	rsp(f, TS0 + 10, "SIP/2.0 100 Trying", "call-4", 1, "INVITE", NULL, NULL, NULL);
	rsp(f, TS0 + 3 * SEC, "SIP/2.0 486 Busy Here", "call-4", 1, "INVITE", NULL, NULL, NULL);
	req(f, TS0 + 3 * SEC + 5, "ACK sip:bob@example.com", "call-4", 1, "ACK", "b1", NULL, NULL, NULL);
	rsp(f, TS0 + 3 * SEC + 500000, "SIP/2.0 486 Busy Here", "call-4", 1, "INVITE", NULL, NULL, NULL);

	assert_int_equal(pfx_count(f, SL_EV_CALL), 2);
	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_REJECTED);
	assert_int_equal(e->call.status, 486);
	assert_int_equal(e->dir, SL_DIR_FROM_CALLEE);
	assert_int_equal(e->ts_us, TS0 + 3 * SEC);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_REJECTED), 1);
	pfx_free(f);
}

static void test_invite_timeout(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;
	uint64_t to = f->cfg.invite_timeout_us;

	invite(f, TS0, "call-5", 1);
	sl_capture_advance(f->cap, TS0 + to - SEC);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_END, 0));
	sl_capture_advance(f->cap, TS0 + to + SEC);
	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_TIMEOUT);
	assert_int_equal(e->dir, SL_DIR_NONE);
	assert_false(e->has_sig);
	assert_int_equal(e->ts_us, TS0 + to); /* when the timer ran out, not when it was noticed */
	assert_string_equal(e->call_id, "call-5");
	assert_string_equal(e->from, "sip:alice@example.com");
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_TIMEOUT), 1);

	/* the dialog lingers, then goes: a late 200 is stray */
	sl_capture_advance(f->cap, TS0 + to + f->cfg.linger_us + 2 * SEC);
	answer(f, TS0 + to + f->cfg.linger_us + 3 * SEC, "call-5", 1);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_ANSWER, 0));
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_STRAY), 1);
	pfx_free(f);
}

static void test_challenge_then_retry_is_one_call(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	invite(f, TS0, "call-6", 1);
	rsp(f, TS0 + 1000, "SIP/2.0 407 Proxy Authentication Required", "call-6", 1, "INVITE",
	    "Proxy-Authenticate: Digest realm=\"example.com\", nonce=\"abc\"\r\n", NULL, NULL);
	req(f, TS0 + 2000, "ACK sip:bob@example.com", "call-6", 1, "ACK", "b1", NULL, NULL, NULL);
	invite(f, TS0 + 3000, "call-6", 2);
	rsp(f, TS0 + SEC, "SIP/2.0 180 Ringing", "call-6", 2, "INVITE", NULL, NULL, NULL);
	answer(f, TS0 + 2 * SEC, "call-6", 2);

	assert_int_equal(pfx_count(f, SL_EV_CALL), 3);
	e = call_step(f, SL_CALL_ATTEMPT);
	assert_int_equal(e->ts_us, TS0);
	e = call_step(f, SL_CALL_ANSWER);
	assert_int_equal(e->call.start_us, TS0);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_END, 0));
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_CALLS), 1);

	sl_capture_flush(f->cap);
	e = call_step(f, SL_CALL_END);
	assert_int_equal(e->call.reason, SL_END_CAPTURE_END);
	pfx_free(f);
}

static void test_register(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	req(f, TS0, "REGISTER sip:example.com", "reg-1", 1, "REGISTER", NULL, "Expires: 600\r\n", NULL, NULL);
	rsp(f, TS0 + 1000, "SIP/2.0 401 Unauthorized", "reg-1", 1, "REGISTER",
	    "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"n\"\r\n", NULL, NULL);
	req(f, TS0 + 2000, "REGISTER sip:example.com", "reg-1", 2, "REGISTER", NULL,
	    "Expires: 600\r\nAuthorization: Digest username=\"alice@example.com\", realm=\"example.com\"\r\n", NULL, NULL);
	assert_int_equal(pfx_count(f, SL_EV_REGISTRATION), 0);
	rsp(f, TS0 + 3000, "SIP/2.0 200 OK", "reg-1", 2, "REGISTER", NULL, NULL, NULL);

	assert_int_equal(pfx_count(f, SL_EV_REGISTRATION), 1);
	e = pfx_find(f, SL_EV_REGISTRATION, -1, 0);
	assert_int_equal(e->reg.result, SL_REG_REGISTERED);
	assert_int_equal(e->reg.status, 200);
	assert_int_equal(e->reg.expires, 600);
	assert_string_equal(e->contact, "sip:alice@192.0.2.1:5060");
	assert_string_equal(e->from, "sip:alice@example.com");
	assert_int_equal(e->ts_us, TS0 + 3000);
	assert_null(pfx_find(f, SL_EV_CALL, -1, 0));
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_REGISTRATIONS), 1);

	/* de-registration */
	req(f, TS0 + SEC, "REGISTER sip:example.com", "reg-1", 3, "REGISTER", NULL, "Expires: 0\r\n", NULL, NULL);
	rsp(f, TS0 + SEC + 1000, "SIP/2.0 200 OK", "reg-1", 3, "REGISTER", NULL, NULL, NULL);
	assert_int_equal(pfx_count(f, SL_EV_REGISTRATION), 2);
	e = pfx_find(f, SL_EV_REGISTRATION, -1, 1);
	assert_int_equal(e->reg.result, SL_REG_DEREGISTERED);
	assert_int_equal(e->reg.expires, 0);
	pfx_free(f);
}

static void test_register_unanswered(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	req(f, TS0, "REGISTER sip:example.com", "reg-2", 1, "REGISTER", NULL, NULL, NULL, NULL);
	sl_capture_advance(f->cap, TS0 + f->cfg.transaction_timeout_us + SEC);
	e = pfx_find(f, SL_EV_REGISTRATION, -1, 0);
	assert_non_null(e);
	assert_int_equal(e->reg.result, SL_REG_NO_RESPONSE);
	assert_int_equal(e->ts_us, TS0 + f->cfg.transaction_timeout_us);
	pfx_free(f);
}

static void test_message(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;

	req(f, TS0, "MESSAGE sip:bob@example.com", "msg-1", 1, "MESSAGE", NULL, NULL, "text/plain",
	    "Hello, Bob! See you at 8.");
	req(f, TS0 + 500000, "MESSAGE sip:bob@example.com", "msg-1", 1, "MESSAGE", NULL, NULL, "text/plain",
	    "Hello, Bob! See you at 8."); /* retransmission */
	rsp(f, TS0 + 600000, "SIP/2.0 202 Accepted", "msg-1", 1, "MESSAGE", NULL, NULL, NULL);

	assert_int_equal(pfx_count(f, SL_EV_MESSAGE), 1);
	e = pfx_find(f, SL_EV_MESSAGE, -1, 0);
	assert_int_equal(e->msg_size, 25);
	assert_string_equal(e->content_type, "text/plain");
	assert_string_equal(e->from, "sip:alice@example.com");
	assert_string_equal(e->to, "sip:bob@example.com");
	assert_int_equal(e->dir, SL_DIR_FROM_CALLER);
	assert_int_equal(e->ts_us, TS0);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_MESSAGES), 1);
	assert_int_equal(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_DUPLICATES), 1);
	assert_null(pfx_find(f, SL_EV_CALL, -1, 0));
	pfx_free(f);
}

static void rtp(struct pfx *f, uint64_t ts, bool from_callee, uint16_t seq, uint32_t ssrc)
{
	static struct pb b;
	uint8_t pkt[12 + 160];

	memset(pkt, 0xd5, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 8;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[4] = (uint8_t)(seq >> 3); /* timestamp = seq * 160 */
	pkt[5] = (uint8_t)(seq << 5);
	pkt[6] = 0;
	pkt[7] = 0;
	pkt[8] = (uint8_t)(ssrc >> 24);
	pkt[9] = (uint8_t)(ssrc >> 16);
	pkt[10] = (uint8_t)(ssrc >> 8);
	pkt[11] = (uint8_t)ssrc;
	pb_init(&b, pkt, sizeof(pkt));
	if (from_callee) {
		pb_udp(&b, 50000, 40000);
		pb_ipv4(&b, PFX_B4, PFX_A4);
	} else {
		pb_udp(&b, 40000, 50000);
		pb_ipv4(&b, PFX_A4, PFX_B4);
	}
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts, pb_data(&b), pb_len(&b));
}

static void test_rtp_streams(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e, *fwd = NULL, *back = NULL;
	unsigned i, n_rtp;
	uint16_t seq;

	invite(f, TS0, "call-7", 1);
	answer(f, TS0 + SEC, "call-7", 1);
	/* callee -> caller: seq 65530..65549 (wrapping) with 65535 and 3 lost: 18 packets */
	for (i = 0; i < 20; i++) {
		seq = (uint16_t)(65530 + i);
		if (seq == 65535 || seq == 3)
			continue;
		rtp(f, TS0 + 2 * SEC + i * 20000, true, seq, 0x11223344);
	}
	/* caller -> callee: 10 packets, none lost, one duplicate */
	for (i = 0; i < 10; i++)
		rtp(f, TS0 + 2 * SEC + i * 20000 + 5, false, (uint16_t)(100 + i), 0xaabbccdd);
	rtp(f, TS0 + 2 * SEC + 10 * 20000, false, 109, 0xaabbccdd);

	assert_int_equal(pfx_ctr(f, SL_CG_RTP, SL_RTPC_PACKETS), 29);
	assert_int_equal(pfx_ctr(f, SL_CG_DECODE, SL_DEC_UDP_UNMATCHED), 0);
	assert_int_equal(pfx_count(f, SL_EV_RTP_STREAM), 0);

	sl_capture_flush(f->cap);
	n_rtp = pfx_count(f, SL_EV_RTP_STREAM);
	assert_int_equal(n_rtp, 2);
	for (i = 0; i < n_rtp; i++) {
		e = pfx_find(f, SL_EV_RTP_STREAM, -1, i);
		if (e->rtp.ssrc == 0x11223344)
			fwd = e;
		else
			back = e;
	}
	assert_non_null(fwd);
	assert_non_null(back);
	assert_int_equal(fwd->rtp.packets, 18);
	assert_int_equal(fwd->rtp.lost, 2);
	assert_int_equal(fwd->rtp.pt, 8);
	assert_int_equal(fwd->rtp.bytes, 18 * 172);
	assert_false(fwd->rtp.rtcp);
	assert_int_equal(fwd->dir, SL_DIR_FROM_CALLEE);
	assert_memory_equal(fwd->rtp.src.addr.a, PFX_B4, 4);
	assert_int_equal(fwd->rtp.src.port, 50000);
	assert_int_equal(fwd->rtp.dst.port, 40000);
	assert_int_equal(fwd->rtp.first_us, TS0 + 2 * SEC);
	assert_int_equal(fwd->rtp.last_us, TS0 + 2 * SEC + 19 * 20000);
	assert_string_equal(fwd->call_id, "call-7");
	assert_string_equal(fwd->from, "sip:alice@example.com");

	assert_int_equal(back->rtp.packets, 11);
	assert_int_equal(back->rtp.lost, -1); /* RFC 3550: duplicates make loss negative */
	assert_int_equal(back->dir, SL_DIR_FROM_CALLER);

	/* stream summaries come before the call's end */
	e = call_step(f, SL_CALL_END);
	assert_true(e > fwd && e > back);
	assert_int_equal(e->call.reason, SL_END_CAPTURE_END);
	pfx_free(f);
}

static void test_rtp_idle_ends_stream(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;
	unsigned i;

	invite(f, TS0, "call-8", 1);
	answer(f, TS0 + SEC, "call-8", 1);
	for (i = 0; i < 5; i++)
		rtp(f, TS0 + 2 * SEC + i * 20000, true, (uint16_t)(i + 1), 0x5);
	sl_capture_advance(f->cap, TS0 + 2 * SEC + f->cfg.rtp_idle_us + SEC);
	assert_int_equal(pfx_count(f, SL_EV_RTP_STREAM), 1);
	e = pfx_find(f, SL_EV_RTP_STREAM, -1, 0);
	assert_int_equal(e->rtp.packets, 5);
	assert_int_equal(e->rtp.lost, 0);
	assert_null(pfx_find(f, SL_EV_CALL, SL_CALL_END, 0)); /* media idle is not the end of the call */
	pfx_free(f);
}

/*
 * A media entry remembers the stream it found last (rtp_stream.c); that
 * shortcut must give what the stream table gives: a stream that ended
 * while idle is not continued by later packets, another SSRC to the same
 * endpoint is its own stream (and going back to the first finds the first
 * again), and a newer dialog announcing the same endpoint takes the media
 * over. Under ASan a stale cache would be a use after free.
 */
static void test_rtp_stream_cache(void **state)
{
	struct pfx *f = pfx_new(NULL);
	const struct rec_event *e;
	uint64_t t = TS0 + 2 * SEC;
	unsigned i, n, packets[3] = { 0 };

	invite(f, TS0, "call-c1", 1);
	answer(f, TS0 + SEC, "call-c1", 1);
	for (i = 0; i < 3; i++)
		rtp(f, t + i * 20000, true, (uint16_t)(i + 1), 0x1);
	/* idle: the stream ends; the same key again is a new stream */
	t += f->cfg.rtp_idle_us + SEC;
	sl_capture_advance(f->cap, t);
	assert_int_equal(pfx_count(f, SL_EV_RTP_STREAM), 1);
	for (i = 0; i < 4; i++)
		rtp(f, t + i * 20000, true, (uint16_t)(i + 10), 0x1);
	/* another SSRC to the same endpoint, then the first one again */
	rtp(f, t + 100000, true, 500, 0x2);
	rtp(f, t + 120000, true, 501, 0x2);
	rtp(f, t + 140000, true, 14, 0x1);
	assert_int_equal(pfx_ctr(f, SL_CG_RTP, SL_RTPC_STREAMS), 3);
	/* a newer call announcing the same endpoints takes the media over */
	invite(f, t + SEC, "call-c2", 1);
	answer(f, t + 2 * SEC, "call-c2", 1);
	rtp(f, t + 3 * SEC, true, 15, 0x1);
	rtp(f, t + 3 * SEC + 20000, true, 16, 0x1);
	assert_int_equal(pfx_ctr(f, SL_CG_RTP, SL_RTPC_STREAMS), 4);
	sl_capture_flush(f->cap);

	n = pfx_count(f, SL_EV_RTP_STREAM);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		e = pfx_find(f, SL_EV_RTP_STREAM, -1, i);
		if (!strcmp(e->call_id, "call-c2")) {
			assert_int_equal(e->rtp.ssrc, 0x1);
			assert_int_equal(e->rtp.packets, 2);
			packets[2]++;
		} else if (e->rtp.ssrc == 0x2) {
			assert_int_equal(e->rtp.packets, 2);
			packets[1]++;
		} else {
			/* call-c1, SSRC 1: 3 packets before the idle end, 5 after */
			assert_true(e->rtp.packets == 3 || e->rtp.packets == 5);
			packets[0] += (unsigned)e->rtp.packets;
		}
	}
	assert_int_equal(packets[0], 8);
	assert_int_equal(packets[1], 1);
	assert_int_equal(packets[2], 1);
	pfx_free(f);
}

/*
 * A media entry evicted (the index is full) while the stream it found
 * last goes on: the stream must not point back at the freed entry (under
 * ASan, the stream's end would write into it), and its packets, now
 * without an entry for their endpoints, are no longer media.
 */
static void test_rtp_stream_cache_entry_evicted(void **state)
{
	struct sl_capture_cfg cfg;
	struct pfx *f;
	unsigned i;

	sl_capture_cfg_default(&cfg);
	cfg.max_media = 4; /* one call's two sides, RTP and RTCP each */
	f = pfx_new(&cfg);
	invite(f, TS0, "call-e1", 1);
	answer(f, TS0 + SEC, "call-e1", 1);
	for (i = 0; i < 3; i++)
		rtp(f, TS0 + 2 * SEC + i * 20000, true, (uint16_t)(i + 1), 0x7);
	/* a second call's offer of other endpoints evicts the first call's oldest entries */
	{
		char sdp[512];

		pfx_sdp(sdp, sizeof(sdp), "203.0.113.9", 42000);
		req(f, TS0 + 3 * SEC, "INVITE sip:bob@example.com", "call-e2", 1, "INVITE", NULL, NULL,
		    "application/sdp", sdp);
		pfx_sdp(sdp, sizeof(sdp), "203.0.113.10", 44000);
		rsp(f, TS0 + 3 * SEC + 1000, "SIP/2.0 200 OK", "call-e2", 1, "INVITE", NULL, "application/sdp", sdp);
	}
	assert_true(pfx_ctr(f, SL_CG_DIALOG, SL_DLG_MEDIA_EVICTED) > 0);
	rtp(f, TS0 + 4 * SEC, true, 4, 0x7);
	sl_capture_flush(f->cap);
	assert_int_equal(pfx_ctr(f, SL_CG_RTP, SL_RTPC_STREAMS), 1);
	assert_int_equal(pfx_count(f, SL_EV_RTP_STREAM), 1);
	pfx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_lifecycle),
		cmocka_unit_test(test_caller_hangs_up),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_busy_rejected),
		cmocka_unit_test(test_invite_timeout),
		cmocka_unit_test(test_challenge_then_retry_is_one_call),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_register_unanswered),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_rtp_streams),
		cmocka_unit_test(test_rtp_idle_ends_stream),
		cmocka_unit_test(test_rtp_stream_cache),
		cmocka_unit_test(test_rtp_stream_cache_entry_evicted),
	};

	pfx_global_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
