/*
 * Unit tests for capture/sip_parse.c, the SIP message parser (RFC 3261
 * sections 7 and 20). Valid requests and responses are parsed and every
 * field sluice relies on is checked against the text it came from: start
 * line, Call-ID, CSeq, From/To/Contact with display names and tags, the
 * first of several Via values and its branch, one or two
 * P-Asserted-Identity values (in one header or two), P-Preferred-Identity,
 * P-Called-Party-ID, Content-Length and body. Header names are tried in
 * every case and in compact form (f t i m v l c, and k s which are kept as
 * unknown headers), folded over several lines and with bare LF line ends.
 * Stream mode (TCP, WebSocket: the message must be complete) and datagram
 * mode (UDP: a short body is flagged, not fatal) are compared. Malformed
 * start lines, header lines, status codes, CSeq and Content-Length values
 * must each yield their own error. Every valid message is also cut at every
 * length and copied into an exactly-sized buffer, so that AddressSanitizer
 * reports any read past the end, and random bytes and random mutations of
 * valid messages are fed from a fixed-seed PRNG. sl_sip_looks_like_start
 * is tested on its own (sl_sip_param and sl_sip_parse_nameaddr, in
 * capture/sip_nameaddr.c, are in test_sip_nameaddr.c). The parser
 * allocates nothing; the talloc context used for the test buffers must
 * return to its starting block count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "capture/sip_parse.h"
#include "capture/str.h"

#include "tests/unit/parser_test_util.h"

/* --- helpers ------------------------------------------------------------ */

#define assert_absent(view) assert_null((view).p)

/* The Via accessors, one value each (sl_sip_via reads the headers again) */
static unsigned via_n(const struct sl_sip_msg *m)
{
	struct sl_str top, branch;

	return sl_sip_via(m, &top, &branch);
}

static struct sl_str via_top(const struct sl_sip_msg *m)
{
	struct sl_str top, branch;

	sl_sip_via(m, &top, &branch);
	return top;
}

static struct sl_str via_branch(const struct sl_sip_msg *m)
{
	struct sl_str top, branch;

	sl_sip_via(m, &top, &branch);
	return branch;
}

/* A view must be NULL/empty or lie inside buf[0..len). */
static void assert_nameaddr_in(const struct sl_sip_nameaddr *na, const char *buf, size_t len)
{
	assert_in(na->display, buf, len);
	assert_in(na->uri, buf, len);
	assert_in(na->tag, buf, len);
	assert_in(na->params, buf, len);
}

static void assert_msg_in(const struct sl_sip_msg *m, const char *buf, size_t len)
{
	unsigned i;

	assert_in(m->raw, buf, len);
	assert_in(m->method_str, buf, len);
	assert_in(m->ruri, buf, len);
	assert_in(m->reason, buf, len);
	assert_in(m->call_id, buf, len);
	assert_in(m->cseq_method_str, buf, len);
	assert_nameaddr_in(&m->from, buf, len);
	assert_nameaddr_in(&m->to, buf, len);
	assert_nameaddr_in(&m->contact, buf, len);
	assert_nameaddr_in(&m->ppi, buf, len);
	assert_nameaddr_in(&m->p_called_party, buf, len);
	assert_true(m->n_pai <= SL_SIP_MAX_PAI);
	for (i = 0; i < m->n_pai; i++)
		assert_nameaddr_in(&m->pai[i], buf, len);
	assert_in(via_top(m), buf, len);
	assert_in(m->headers, buf, len);
	assert_in(via_branch(m), buf, len);
	assert_in(m->user_agent, buf, len);
	assert_in(m->pani, buf, len);
	assert_in(m->authorization, buf, len);
	assert_in(m->expires, buf, len);
	assert_in(m->content_type, buf, len);
	assert_in(m->body, buf, len);
}

/* Parse a C string copied into an exact buffer. */
static enum sl_sip_err parse_lit(void *ctx, const char *text, unsigned mode, struct sl_sip_msg *m,
				 size_t *consumed, char **bufp)
{
	size_t len = strlen(text);
	char *b = exact(ctx, text, len);
	enum sl_sip_err rc = sl_sip_parse(b, len, mode, m, consumed);

	if (rc == SL_SIP_OK) {
		assert_true(*consumed <= len);
		assert_msg_in(m, b, len);
	}
	*bufp = b;
	return rc;
}

static const char INVITE_BODY[] =
	"v=0\r\n"
	"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.101\r\n"
	"t=0 0\r\n"
	"m=audio 49172 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

/* A full INVITE with every header the parser keeps; Content-Length filled in. */
static char *make_invite(void *ctx)
{
	return talloc_asprintf(
		ctx,
		"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
		"Via: SIP/2.0/UDP proxy.example.net;branch=z9hG4bKnashds8, SIP/2.0/TCP edge.example.net;branch=z9hG4bK3\r\n"
		"Max-Forwards: 70\r\n"
		"To: Bob <sip:bob@biloxi.example.com>\r\n"
		"From: \"Alice Liddell\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
		"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
		"CSeq: 314159 INVITE\r\n"
		"Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>\r\n"
		"P-Asserted-Identity: \"Alice\" <sip:+15551234567@atlanta.example.com;user=phone>\r\n"
		"P-Asserted-Identity: tel:+15551234567\r\n"
		"P-Preferred-Identity: <sip:alice.pref@atlanta.example.com>\r\n"
		"P-Called-Party-ID: <sip:bob.called@biloxi.example.com>\r\n"
		"P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100001234567\r\n"
		"User-Agent: softphone/1.0\r\n"
		"Authorization: Digest username=\"alice\", realm=\"atlanta.example.com\"\r\n"
		"Expires: 120\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %zu\r\n"
		"\r\n"
		"%s",
		strlen(INVITE_BODY), INVITE_BODY);
}

static const char RESPONSE_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Server: gw/2.3\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

/* Compact header names, folded lines and bare LF line ends together. */
static const char COMPACT_FOLDED[] =
	"MESSAGE sip:user2@domain.example SIP/2.0\n"
	"v: SIP/2.0/TCP user1pc.domain.example;branch=z9hG4bK776sgdkse\n"
	"f: \"User One\"\n"
	"  <sip:user1@domain.example>;tag=49583\n"
	"t: <sip:user2@domain.example>\n"
	"i: asd88asd77a@1.2.3.4\n"
	"CSeq: 1\n"
	"\tMESSAGE\n"
	"m: <sip:user1@1.2.3.4:5060>\n"
	"k: 100rel\n"
	"s: a subject\n"
	"c: text/plain\n"
	"l: 5\n"
	"\n"
	"Hello";

/* --- valid messages ----------------------------------------------------- */

static void test_invite_fields(void **state)
{
	struct fixture *fx = *state;
	char *text = make_invite(fx->ctx), *b;
	struct sl_sip_msg m;
	size_t consumed;

	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(text));
	assert_true(m.is_request);
	assert_int_equal(m.method, SL_SIP_INVITE);
	assert_str(m.method_str, "INVITE");
	assert_str(m.ruri, "sip:bob@biloxi.example.com");
	assert_int_equal(m.status, 0);
	assert_str(m.call_id, "a84b4c76e66710@pc33.atlanta.example.com");
	assert_int_equal(m.cseq, 314159);
	assert_int_equal(m.cseq_method, SL_SIP_INVITE);
	assert_str(m.cseq_method_str, "INVITE");

	assert_str(m.from.display, "Alice Liddell");
	assert_str(m.from.uri, "sip:alice@atlanta.example.com");
	assert_str(m.from.tag, "1928301774");
	assert_str(m.to.display, "Bob");
	assert_str(m.to.uri, "sip:bob@biloxi.example.com");
	assert_absent(m.to.tag);
	assert_str(m.contact.uri, "sip:alice@pc33.atlanta.example.com;transport=udp");
	assert_int_equal(m.contact.display.len, 0);

	assert_int_equal(m.n_pai, 2);
	assert_str(m.pai[0].display, "Alice");
	assert_str(m.pai[0].uri, "sip:+15551234567@atlanta.example.com;user=phone");
	assert_str(m.pai[1].uri, "tel:+15551234567");
	assert_str(m.ppi.uri, "sip:alice.pref@atlanta.example.com");
	assert_str(m.p_called_party.uri, "sip:bob.called@biloxi.example.com");

	assert_int_equal(via_n(&m), 3);
	assert_str(via_top(&m), "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
	assert_str(via_branch(&m), "z9hG4bK776asdhds");

	assert_str(m.pani, "3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=2620100001234567");
	assert_str(m.user_agent, "softphone/1.0");
	assert_str(m.authorization, "Digest username=\"alice\", realm=\"atlanta.example.com\"");
	assert_str(m.expires, "120");
	assert_str(m.content_type, "application/sdp");
	assert_int_equal(m.content_length, strlen(INVITE_BODY));
	assert_str(m.body, INVITE_BODY);
	assert_int_equal(m.n_headers, 18);
	assert_int_equal(m.flags, 0);
	assert_ptr_equal(m.raw.p, b);
	assert_int_equal(m.raw.len, strlen(text));

	/* same result in datagram mode */
	talloc_free(b);
	assert_int_equal(parse_lit(fx->ctx, text, SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(text));
	assert_str(m.body, INVITE_BODY);
	assert_int_equal(m.flags, 0);
	talloc_free(b);
	talloc_free(text);
}

static void test_response_fields(void **state)
{
	struct fixture *fx = *state;
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, RESPONSE_200, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(RESPONSE_200));
	assert_false(m.is_request);
	assert_int_equal(m.status, 200);
	assert_str(m.reason, "OK");
	assert_int_equal(m.method, SL_SIP_UNKNOWN);
	assert_absent(m.ruri);
	assert_str(m.to.tag, "a6c85cf");
	assert_str(m.from.tag, "1928301774");
	assert_str(m.from.display, "Alice");
	assert_str(via_branch(&m), "z9hG4bK776asdhds");
	assert_int_equal(via_n(&m), 1);
	assert_str(m.user_agent, "gw/2.3"); /* Server: goes to user_agent */
	assert_int_equal(m.content_length, 0);
	assert_int_equal(m.body.len, 0);
	assert_int_equal(m.n_headers, 7);
	assert_int_equal(m.flags, 0);
	talloc_free(b);
}

static void test_status_lines(void **state)
{
	static const struct {
		const char *line;
		enum sl_sip_err rc;
		int status;
		const char *reason;
	} cases[] = {
		{ "SIP/2.0 100 Trying", SL_SIP_OK, 100, "Trying" },
		{ "SIP/2.0 486 Busy Here", SL_SIP_OK, 486, "Busy Here" },
		{ "SIP/2.0 699 x", SL_SIP_OK, 699, "x" },
		{ "SIP/2.0 180", SL_SIP_OK, 180, "" },
		{ "SIP/2.0  183   Session Progress ", SL_SIP_OK, 183, "Session Progress" },
		{ "SIP/2.0 099 Low", SL_SIP_ERR_STATUS, 0, NULL },
		{ "SIP/2.0 700 High", SL_SIP_ERR_STATUS, 0, NULL },
		{ "SIP/2.0 000 Zero", SL_SIP_ERR_STATUS, 0, NULL },
		{ "SIP/2.0 20 OK", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/2.0 2000 OK", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/2.0 2x0 OK", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/2.0 -20 OK", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/2.0 ", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "SIP/3.0 200 OK", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "HTTP/1.1 200 OK", SL_SIP_ERR_START_LINE, 0, NULL },
	};
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "%s\r\nCall-ID: x\r\nCSeq: 1 BYE\r\nFrom: <sip:a@a>;tag=1\r\n"
					     "To: <sip:b@b>\r\nContent-Length: 0\r\n\r\n",
					     cases[i].line);
		struct sl_sip_msg m;
		char *b;
		enum sl_sip_err rc = parse_lit(fx->ctx, text, 0, &m, &consumed, &b);

		if (rc != cases[i].rc)
			fail_msg("'%s': got %s, want %s", cases[i].line, sl_sip_err_names[rc],
				 sl_sip_err_names[cases[i].rc]);
		if (rc == SL_SIP_OK) {
			assert_false(m.is_request);
			assert_int_equal(m.status, cases[i].status);
			assert_str(m.reason, cases[i].reason);
			assert_int_equal(m.cseq_method, SL_SIP_BYE);
		}
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_request_lines(void **state)
{
	static const struct {
		const char *line;
		enum sl_sip_err rc;
		enum sl_sip_method method;
		const char *ruri;
	} cases[] = {
		{ "INVITE sip:bob@b.example SIP/2.0", SL_SIP_OK, SL_SIP_INVITE, "sip:bob@b.example" },
		{ "ACK sip:bob@b.example SIP/2.0", SL_SIP_OK, SL_SIP_ACK, "sip:bob@b.example" },
		{ "BYE sips:bob@b.example SIP/2.0", SL_SIP_OK, SL_SIP_BYE, "sips:bob@b.example" },
		{ "CANCEL sip:x SIP/2.0", SL_SIP_OK, SL_SIP_CANCEL, "sip:x" },
		{ "REGISTER sip:registrar.example SIP/2.0", SL_SIP_OK, SL_SIP_REGISTER, "sip:registrar.example" },
		{ "OPTIONS tel:+4930123 SIP/2.0", SL_SIP_OK, SL_SIP_OPTIONS, "tel:+4930123" },
		{ "PRACK sip:x SIP/2.0", SL_SIP_OK, SL_SIP_PRACK, "sip:x" },
		{ "UPDATE sip:x SIP/2.0", SL_SIP_OK, SL_SIP_UPDATE, "sip:x" },
		{ "INFO sip:x SIP/2.0", SL_SIP_OK, SL_SIP_INFO, "sip:x" },
		{ "SUBSCRIBE sip:x SIP/2.0", SL_SIP_OK, SL_SIP_SUBSCRIBE, "sip:x" },
		{ "NOTIFY sip:x SIP/2.0", SL_SIP_OK, SL_SIP_NOTIFY, "sip:x" },
		{ "REFER sip:x SIP/2.0", SL_SIP_OK, SL_SIP_REFER, "sip:x" },
		{ "MESSAGE sip:x SIP/2.0", SL_SIP_OK, SL_SIP_MESSAGE, "sip:x" },
		{ "PUBLISH sip:x SIP/2.0", SL_SIP_OK, SL_SIP_PUBLISH, "sip:x" },
		{ "FOOBAR sip:x SIP/2.0", SL_SIP_OK, SL_SIP_UNKNOWN, "sip:x" },
		/* methods are case-sensitive: parsed, but not recognised */
		{ "invite sip:x SIP/2.0", SL_SIP_OK, SL_SIP_UNKNOWN, "sip:x" },
		{ "INVITE   urn:service:sos   SIP/2.0", SL_SIP_OK, SL_SIP_INVITE, "urn:service:sos" },
		{ "INVITE sip:x sip/2.0", SL_SIP_OK, SL_SIP_INVITE, "sip:x" },
		{ "INVITE", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE ", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE sip:x", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE sip:x ", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE sip:x SIP/2", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE sip:x HTTP/1.1", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE nocolon SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "INVITE :x SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "GET / HTTP/1.1", SL_SIP_ERR_START_LINE, 0, NULL },
		{ " INVITE sip:x SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "IN<VITE sip:x SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
		{ "\tINVITE sip:x SIP/2.0", SL_SIP_ERR_START_LINE, 0, NULL },
	};
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "%s\r\nCall-ID: x\r\nCSeq: 1 BYE\r\nFrom: <sip:a@a>;tag=1\r\n"
					     "To: <sip:b@b>\r\nContent-Length: 0\r\n\r\n",
					     cases[i].line);
		struct sl_sip_msg m;
		char *b;
		enum sl_sip_err rc = parse_lit(fx->ctx, text, 0, &m, &consumed, &b);

		if (rc != cases[i].rc)
			fail_msg("'%s': got %s, want %s", cases[i].line, sl_sip_err_names[rc],
				 sl_sip_err_names[cases[i].rc]);
		if (rc == SL_SIP_OK) {
			assert_true(m.is_request);
			assert_int_equal(m.method, cases[i].method);
			assert_str(m.ruri, cases[i].ruri);
			assert_int_equal(m.status, 0);
		}
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_method_from_str(void **state)
{
	int i;

	for (i = 1; i < _SL_SIP_METHOD_COUNT; i++) {
		const char *n = sl_sip_method_names[i];
		assert_int_equal(sl_sip_method_from_str(sl_str_make(n, strlen(n))), i);
		/* a prefix or an extension of a method name is not that method */
		assert_int_not_equal(sl_sip_method_from_str(sl_str_make(n, strlen(n) - 1)), i);
	}
	assert_int_equal(sl_sip_method_from_str(SL_STR_LIT("INVITEX")), SL_SIP_UNKNOWN);
	assert_int_equal(sl_sip_method_from_str(SL_STR_LIT("Invite")), SL_SIP_UNKNOWN);
	assert_int_equal(sl_sip_method_from_str(SL_STR_LIT("")), SL_SIP_UNKNOWN);
	assert_int_equal(sl_sip_method_from_str(sl_str_make(NULL, 0)), SL_SIP_UNKNOWN);
	for (i = 0; i < _SL_SIP_ERR_COUNT; i++)
		assert_non_null(sl_sip_err_names[i]);
}

static void test_compact_folded_lf(void **state)
{
	struct fixture *fx = *state;
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, COMPACT_FOLDED, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(COMPACT_FOLDED));
	assert_int_equal(m.method, SL_SIP_MESSAGE);
	assert_int_equal(via_n(&m), 1);
	assert_str(via_branch(&m), "z9hG4bK776sgdkse");
	/* the folded From joins its two lines; the display name and URI are found across the fold */
	assert_str(m.from.display, "User One");
	assert_str(m.from.uri, "sip:user1@domain.example");
	assert_str(m.from.tag, "49583");
	assert_str(m.to.uri, "sip:user2@domain.example");
	assert_str(m.call_id, "asd88asd77a@1.2.3.4");
	/* CSeq folded between number and method */
	assert_int_equal(m.cseq, 1);
	assert_int_equal(m.cseq_method, SL_SIP_MESSAGE);
	assert_str(m.contact.uri, "sip:user1@1.2.3.4:5060");
	assert_str(m.content_type, "text/plain");
	assert_int_equal(m.content_length, 5);
	assert_str(m.body, "Hello");
	/* v f t i CSeq m k s c l: k and s are counted but not kept */
	assert_int_equal(m.n_headers, 10);
	assert_int_equal(m.flags, SL_SIP_F_FOLDED);
	talloc_free(b);
}

static void test_header_name_case(void **state)
{
	static const char text[] =
		"BYE sip:x@y SIP/2.0\r\n"
		"CALL-ID: upper\r\n"
		"cseq: 7 bye\r\n"
		"fRoM: <sip:a@a>;TAG=t1\r\n"
		"TO: <sip:b@b>\r\n"
		"P-ASSERTED-IDENTITY: <sip:pai@a>\r\n"
		"p-preferred-identity: <sip:ppi@a>\r\n"
		"P-CALLED-PARTY-ID: <sip:cpi@b>\r\n"
		"p-access-network-info: IEEE-802.11\r\n"
		"PROXY-AUTHORIZATION: Digest x\r\n"
		"user-agent: ua\r\n"
		"EXPIRES: 3600\r\n"
		"CONTENT-TYPE: text/plain\r\n"
		"CONTENT-LENGTH: 0\r\n"
		"\r\n";
	struct fixture *fx = *state;
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_str(m.call_id, "upper");
	assert_int_equal(m.cseq, 7);
	assert_str(m.cseq_method_str, "bye");
	assert_int_equal(m.cseq_method, SL_SIP_UNKNOWN); /* method names are case-sensitive */
	assert_str(m.from.tag, "t1");			 /* parameter names are not */
	assert_int_equal(m.n_pai, 1);
	assert_str(m.pai[0].uri, "sip:pai@a");
	assert_str(m.ppi.uri, "sip:ppi@a");
	assert_str(m.p_called_party.uri, "sip:cpi@b");
	assert_str(m.pani, "IEEE-802.11");
	assert_str(m.authorization, "Digest x");
	assert_str(m.user_agent, "ua");
	assert_str(m.expires, "3600");
	assert_str(m.content_type, "text/plain");
	assert_int_equal(m.n_headers, 13);
	assert_int_equal(m.flags, 0);
	talloc_free(b);
}

/*
 * The name table picks a candidate by length and last byte: names sharing
 * both with a kept header (or a compact form whose byte has the same low
 * five bits, "-" for "m", "4" for "t") are unknown headers, not that one.
 */
static void test_lookalike_names(void **state)
{
	struct fixture *fx = *state;
	static const char *const msg =
		"MESSAGE sip:x@y SIP/2.0\r\nCall-ID: real\r\nXall-ID: fake\r\nCSeq: 2 MESSAGE\r\n"
		"From: <sip:a@a>;tag=1\r\nFrum: <sip:f@f>;tag=2\r\nTo: <sip:b@b>\r\nTn: <sip:t@t>\r\n"
		"-: <sip:dash@c>\r\n4: <sip:four@t>\r\nContect: <sip:e@e>\r\nContact: <sip:c@c>;tag=9\r\n"
		"P-Asserted-Identitx: <sip:p@p>\r\nProxy-Authorization: Digest username=\"u@r\"\r\n"
		"Content-Lengtx: 99\r\nX-Very-Long-Header-Name-Beyond-Any-Kept-One: 1\r\n\r\n";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, msg, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_str(m.call_id, "real");
	assert_str(m.from.uri, "sip:a@a");
	assert_str(m.from.tag, "1");
	assert_str(m.to.uri, "sip:b@b");
	assert_str(m.contact.uri, "sip:c@c");
	assert_absent(m.contact.tag); /* ;tag= is looked for in From and To only */
	assert_int_equal(m.n_pai, 0);
	assert_str(m.authorization, "Digest username=\"u@r\"");
	assert_true(m.flags & SL_SIP_F_NO_CLEN);
	assert_int_equal(m.flags, SL_SIP_F_NO_CLEN);
	assert_int_equal(m.n_headers, 15);
	assert_int_equal(via_n(&m), 0);
	assert_absent(via_top(&m));
	assert_absent(via_branch(&m));
	talloc_free(b);
}

/* Compact forms are single letters in either case; other letters are unknown headers. */
static void test_compact_each(void **state)
{
	struct fixture *fx = *state;
	static const char *const upper =
		"ACK sip:x@y SIP/2.0\r\nI: cid\r\nCSeq: 2 ACK\r\nF: <sip:a@a>;tag=1\r\nT: <sip:b@b>\r\n"
		"M: <sip:c@c>\r\nV: SIP/2.0/UDP h;branch=z9hG4bKb\r\nC: application/sdp\r\nL: 0\r\n"
		"K: timer\r\nS: subj\r\nE: gzip\r\nO: presence\r\nR: <sip:r@r>\r\nU: INVITE\r\nX: 90\r\nB: <sip:b@b>\r\n\r\n";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, upper, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_str(m.call_id, "cid");
	assert_str(m.from.uri, "sip:a@a");
	assert_str(m.to.uri, "sip:b@b");
	assert_str(m.contact.uri, "sip:c@c");
	assert_str(via_top(&m), "SIP/2.0/UDP h;branch=z9hG4bKb");
	assert_str(m.content_type, "application/sdp");
	assert_int_equal(m.content_length, 0);
	assert_false(m.flags & SL_SIP_F_NO_CLEN);
	assert_int_equal(m.n_headers, 16);
	assert_int_equal(m.flags, 0);
	talloc_free(b);
}

static void test_folding_variants(void **state)
{
	struct fixture *fx = *state;
	static const char text[] =
		"INVITE sip:x@y SIP/2.0\r\n"
		"Via: SIP/2.0/UDP a.example;branch=z9hG4bKa,\r\n"
		"\t SIP/2.0/UDP b.example;branch=z9hG4bKb,\r\n"
		"    SIP/2.0/UDP c.example;branch=z9hG4bKc\r\n"
		"P-Asserted-Identity: <sip:one@a>,\r\n"
		" <tel:+4930123>\r\n"
		"Subject: first\r\n"
		"   \r\n"
		"  third\r\n"
		"Call-ID: \r\n"
		" folded-cid\r\n"
		"CSeq: 9 INVITE\r\n"
		"From: <sip:a@a>;tag=1\r\n"
		"To: <sip:b@b>\r\n"
		"Content-Length:\r\n"
		"\t0\r\n"
		"\r\n";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(via_n(&m), 3);
	assert_str(via_top(&m), "SIP/2.0/UDP a.example;branch=z9hG4bKa");
	assert_str(via_branch(&m), "z9hG4bKa");
	assert_int_equal(m.n_pai, 2);
	assert_str(m.pai[0].uri, "sip:one@a");
	assert_str(m.pai[1].uri, "tel:+4930123");
	assert_str(m.call_id, "folded-cid");
	assert_int_equal(m.content_length, 0);
	assert_true(m.flags & SL_SIP_F_FOLDED);
	assert_int_equal(m.n_headers, 8);
	talloc_free(b);
}

static void test_multiple_pai(void **state)
{
	struct fixture *fx = *state;
	static const char *const heads[] = {
		/* two in one header */
		"P-Asserted-Identity: \"A, B\" <sip:a@x;user=phone>, <tel:+123456>\r\n",
		/* three: only SL_SIP_MAX_PAI kept */
		"P-Asserted-Identity: <sip:a@x;user=phone>\r\nP-Asserted-Identity: <tel:+123456>\r\n"
		"P-Asserted-Identity: <sip:third@x>\r\n",
		/* an unparsable value is skipped, the next one taken */
		"P-Asserted-Identity: <>, \"unterminated\r\nP-Asserted-Identity: <sip:a@x;user=phone>\r\n"
		"P-Asserted-Identity: tel:+123456;foo=bar\r\n",
	};
	size_t i, consumed;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "INVITE sip:x@y SIP/2.0\r\n%sCall-ID: c\r\nCSeq: 1 INVITE\r\n"
					     "From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\n\r\n",
					     heads[i]);
		struct sl_sip_msg m;
		char *b;

		assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
		assert_int_equal(m.n_pai, 2);
		assert_str(m.pai[0].uri, "sip:a@x;user=phone");
		assert_true(sl_str_istarts(m.pai[1].uri, "tel:+123456"));
		if (i == 0)
			assert_str(m.pai[0].display, "A, B");
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_cseq(void **state)
{
	static const struct {
		const char *value;
		enum sl_sip_err rc;
		uint32_t cseq;
		enum sl_sip_method method;
	} cases[] = {
		{ "1 INVITE", SL_SIP_OK, 1, SL_SIP_INVITE },
		{ "0 ACK", SL_SIP_OK, 0, SL_SIP_ACK },
		{ "4294967295 BYE", SL_SIP_OK, 4294967295u, SL_SIP_BYE },
		{ "  101   CANCEL  ", SL_SIP_OK, 101, SL_SIP_CANCEL },
		{ "22 X-CUSTOM", SL_SIP_OK, 22, SL_SIP_UNKNOWN },
		{ "4294967296 BYE", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "99999999999 BYE", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "INVITE", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "1", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "1 ", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "-1 INVITE", SL_SIP_ERR_CSEQ, 0, 0 },
		{ "1 <INVITE>", SL_SIP_ERR_CSEQ, 0, 0 },
	};
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: %s\r\n"
					     "From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\n\r\n",
					     cases[i].value);
		struct sl_sip_msg m;
		char *b;
		enum sl_sip_err rc = parse_lit(fx->ctx, text, 0, &m, &consumed, &b);

		if (rc != cases[i].rc)
			fail_msg("CSeq '%s': got %s, want %s", cases[i].value, sl_sip_err_names[rc],
				 sl_sip_err_names[cases[i].rc]);
		if (rc == SL_SIP_OK) {
			assert_int_equal(m.cseq, cases[i].cseq);
			assert_int_equal(m.cseq_method, cases[i].method);
		}
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_content_length(void **state)
{
	static const struct {
		const char *value;
		enum sl_sip_err rc_stream;
		enum sl_sip_err rc_dgram;
		unsigned dgram_flags;
		const char *dgram_body;
	} cases[] = {
		/* body "abcd" follows the header section in every case */
		{ "4", SL_SIP_OK, SL_SIP_OK, 0, "abcd" },
		{ " 4 ", SL_SIP_OK, SL_SIP_OK, 0, "abcd" },
		{ "0004", SL_SIP_OK, SL_SIP_OK, 0, "abcd" },
		{ "2", SL_SIP_OK, SL_SIP_OK, 0, "ab" },
		{ "0", SL_SIP_OK, SL_SIP_OK, 0, "" },
		{ "5", SL_SIP_ERR_TRUNCATED, SL_SIP_OK, SL_SIP_F_BODY_TRUNCATED, "abcd" },
		{ "16777216", SL_SIP_ERR_TRUNCATED, SL_SIP_OK, SL_SIP_F_BODY_TRUNCATED, "abcd" },
		{ "16777217", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "4294967296", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "-1", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "abc", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "4x", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "4 4", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
		{ "+4", SL_SIP_ERR_CONTENT_LENGTH, SL_SIP_ERR_CONTENT_LENGTH, 0, NULL },
	};
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
					     "From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\nContent-Length: %s\r\n\r\nabcd",
					     cases[i].value);
		size_t hdr = strlen(text) - 4;
		struct sl_sip_msg m;
		char *b;
		enum sl_sip_err rc = parse_lit(fx->ctx, text, 0, &m, &consumed, &b);

		if (rc != cases[i].rc_stream)
			fail_msg("stream CL '%s': got %s", cases[i].value, sl_sip_err_names[rc]);
		if (rc == SL_SIP_OK) {
			assert_int_equal(consumed, hdr + m.content_length);
			assert_int_equal(m.body.len, m.content_length);
			assert_ptr_equal(m.body.p, b + hdr);
		}
		talloc_free(b);

		rc = parse_lit(fx->ctx, text, SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b);
		if (rc != cases[i].rc_dgram)
			fail_msg("datagram CL '%s': got %s", cases[i].value, sl_sip_err_names[rc]);
		if (rc == SL_SIP_OK) {
			assert_int_equal(m.flags, cases[i].dgram_flags);
			assert_str(m.body, cases[i].dgram_body);
			assert_int_equal(consumed, hdr + strlen(cases[i].dgram_body));
			assert_int_equal(m.raw.len, consumed);
		}
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_no_content_length(void **state)
{
	struct fixture *fx = *state;
	static const char text[] =
		"OPTIONS sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
		"From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\n\r\nrest";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	/* stream: no Content-Length means no body; the rest is the next message */
	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(text) - 4);
	assert_int_equal(m.body.len, 0);
	assert_int_equal(m.flags, SL_SIP_F_NO_CLEN);
	talloc_free(b);

	/* datagram: the body runs to the end of the datagram */
	assert_int_equal(parse_lit(fx->ctx, text, SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(text));
	assert_str(m.body, "rest");
	assert_int_equal(m.flags, SL_SIP_F_NO_CLEN);
	talloc_free(b);
}

static void test_datagram_without_blank_line(void **state)
{
	struct fixture *fx = *state;
	static const char text[] =
		"OPTIONS sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
		"From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\n";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_ERR_TRUNCATED);
	talloc_free(b);
	assert_int_equal(parse_lit(fx->ctx, text, SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b), SL_SIP_OK);
	assert_int_equal(consumed, strlen(text));
	assert_int_equal(m.body.len, 0);
	assert_str(m.to.uri, "sip:b@b");
	talloc_free(b);
}

static void test_stream_two_messages(void **state)
{
	struct fixture *fx = *state;
	char *inv = make_invite(fx->ctx);
	/* CRLF keep-alives before a message are skipped (RFC 5626 / RFC 3261 7.5) */
	char *text = talloc_asprintf(fx->ctx, "\r\n\r\n%s\r\n%s", inv, RESPONSE_200);
	size_t len = strlen(text), consumed, off;
	char *b = exact(fx->ctx, text, len);
	struct sl_sip_msg m;

	assert_int_equal(sl_sip_parse(b, len, 0, &m, &consumed), SL_SIP_OK);
	assert_int_equal(consumed, 4 + strlen(inv));
	assert_ptr_equal(m.raw.p, b + 4);
	assert_int_equal(m.raw.len, strlen(inv));
	assert_int_equal(m.method, SL_SIP_INVITE);
	assert_str(m.body, INVITE_BODY);
	off = consumed;

	assert_int_equal(sl_sip_parse(b + off, len - off, 0, &m, &consumed), SL_SIP_OK);
	assert_int_equal(consumed, len - off);
	assert_int_equal(m.status, 200);
	assert_ptr_equal(m.raw.p, b + off + 2);

	/* only keep-alives: nothing to parse yet */
	assert_int_equal(sl_sip_parse(b, 4, 0, &m, &consumed), SL_SIP_ERR_TRUNCATED);
	assert_int_equal(consumed, 0);
	talloc_free(b);
	talloc_free(text);
	talloc_free(inv);
}

static void test_missing_mandatory(void **state)
{
	static const char *const lines[] = {
		"Call-ID: c\r\n",
		"CSeq: 1 INVITE\r\n",
		"From: <sip:a@a>;tag=1\r\n",
		"To: <sip:b@b>\r\n",
	};
	struct fixture *fx = *state;
	size_t skip, i, consumed;

	for (skip = 0; skip < 4; skip++) {
		char *text = talloc_strdup(fx->ctx, "INVITE sip:x@y SIP/2.0\r\n");
		struct sl_sip_msg m;
		char *b;

		for (i = 0; i < 4; i++)
			if (i != skip)
				text = talloc_strdup_append(text, lines[i]);
		text = talloc_strdup_append(text, "Content-Length: 0\r\n\r\n");
		assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_ERR_MISSING);
		talloc_free(b);
		assert_int_equal(parse_lit(fx->ctx, text, SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b),
				 SL_SIP_ERR_MISSING);
		talloc_free(b);
		talloc_free(text);
	}
	/* a From whose value is not a name-addr counts as absent */
	{
		static const char text[] = "INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
					   "From: \"no uri\"\r\nTo: <sip:b@b>\r\n\r\n";
		struct sl_sip_msg m;
		char *b;

		assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_ERR_MISSING);
		talloc_free(b);
	}
}

static void test_bad_header_lines(void **state)
{
	static const struct {
		const char *line;
		enum sl_sip_err rc;
	} cases[] = {
		{ "NoColonHere\r\n", SL_SIP_ERR_HEADER },
		{ ": empty-name\r\n", SL_SIP_ERR_HEADER },
		{ "Bad Name: x\r\n", SL_SIP_ERR_HEADER },
		{ "Bad@Name: x\r\n", SL_SIP_ERR_HEADER },
		{ "Name\r\n", SL_SIP_ERR_HEADER },
		{ "Name \r\n", SL_SIP_ERR_HEADER },
		{ "\x01\x02: x\r\n", SL_SIP_ERR_HEADER },
		/* accepted: whitespace before the colon, empty value, unknown header */
		{ "Name  \t: spaced\r\n", SL_SIP_OK },
		{ "X-Empty:\r\n", SL_SIP_OK },
		{ "X-Unknown: whatever: with colon\r\n", SL_SIP_OK },
	};
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = talloc_asprintf(fx->ctx,
					     "INVITE sip:x@y SIP/2.0\r\nCall-ID: c\r\n%sCSeq: 1 INVITE\r\n"
					     "From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\n\r\n",
					     cases[i].line);
		struct sl_sip_msg m;
		char *b;
		enum sl_sip_err rc = parse_lit(fx->ctx, text, 0, &m, &consumed, &b);

		if (rc != cases[i].rc)
			fail_msg("header '%s': got %s", cases[i].line, sl_sip_err_names[rc]);
		if (rc == SL_SIP_OK)
			assert_int_equal(m.n_headers, 5);
		talloc_free(b);
		talloc_free(text);
	}
}

static void test_duplicate_headers(void **state)
{
	struct fixture *fx = *state;
	static const char text[] =
		"INVITE sip:x@y SIP/2.0\r\n"
		"Call-ID: first\r\n"
		"i: second\r\n"
		"CSeq: 1 INVITE\r\n"
		"CSeq: 2 BYE\r\n"
		"From: <sip:a@a>;tag=1\r\n"
		"f: <sip:evil@a>;tag=2\r\n"
		"To: <sip:b@b>\r\n"
		"Content-Length: 0\r\n"
		"l: 99\r\n"
		"\r\n";
	struct sl_sip_msg m;
	size_t consumed;
	char *b;

	assert_int_equal(parse_lit(fx->ctx, text, 0, &m, &consumed, &b), SL_SIP_OK);
	assert_str(m.call_id, "first");
	assert_int_equal(m.cseq, 1);
	assert_int_equal(m.cseq_method, SL_SIP_INVITE);
	assert_str(m.from.uri, "sip:a@a");
	assert_str(m.from.tag, "1");
	assert_int_equal(m.content_length, 0);
	assert_int_equal(consumed, strlen(text));
	assert_int_equal(m.flags, SL_SIP_F_DUP_HEADER);
	talloc_free(b);
}

static void test_empty_and_tiny(void **state)
{
	static const char *const texts[] = { "", "\r\n", "\n\n\n", "\r", "I", "INVITE sip:x SIP/2.0" };
	struct fixture *fx = *state;
	size_t i, consumed;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct sl_sip_msg m;
		char *b;

		assert_int_equal(parse_lit(fx->ctx, texts[i], 0, &m, &consumed, &b), SL_SIP_ERR_TRUNCATED);
		assert_int_equal(consumed, 0);
		talloc_free(b);
		assert_int_equal(parse_lit(fx->ctx, texts[i], SL_SIP_PARSE_DATAGRAM, &m, &consumed, &b),
				 SL_SIP_ERR_TRUNCATED);
		talloc_free(b);
	}
}

/* --- truncation, garbage ------------------------------------------------ */

/* Offset just past the blank line ending the header section. */
static size_t header_end(const char *t)
{
	const char *crlf = strstr(t, "\r\n\r\n"), *lf = strstr(t, "\n\n");

	if (crlf && (!lf || crlf < lf))
		return (size_t)(crlf - t) + 4;
	assert_non_null(lf);
	return (size_t)(lf - t) + 2;
}

static void truncate_every_length(void *ctx, const char *text)
{
	size_t n = strlen(text), hdr = header_end(text), len, consumed;

	for (len = 0; len <= n; len++) {
		char *b = exact(ctx, text, len);
		struct sl_sip_msg m;
		enum sl_sip_err rc;

		/* stream mode: every proper prefix is incomplete, never an error of another kind */
		rc = sl_sip_parse(b, len, 0, &m, &consumed);
		if (len < n) {
			if (rc != SL_SIP_ERR_TRUNCATED)
				fail_msg("stream prefix %zu/%zu: got %s", len, n, sl_sip_err_names[rc]);
		} else {
			assert_int_equal(rc, SL_SIP_OK);
			assert_int_equal(consumed, n);
		}

		/* datagram mode: a cut inside the body is flagged; a cut in the headers fails
		 * unless it falls on a line end after all mandatory headers */
		rc = sl_sip_parse(b, len, SL_SIP_PARSE_DATAGRAM, &m, &consumed);
		if (len >= hdr) {
			assert_int_equal(rc, SL_SIP_OK);
			assert_int_equal(m.body.len, len - hdr);
			assert_int_equal(consumed, len);
			assert_int_equal(!!(m.flags & SL_SIP_F_BODY_TRUNCATED), len < n);
		} else if (rc == SL_SIP_OK) {
			assert_true(len > 0 && b[len - 1] == '\n');
			assert_int_equal(m.body.len, 0);
			assert_int_equal(consumed, len);
		} else {
			/* a datagram is complete: a value cut at a fold is judged as it stands */
			assert_true(rc == SL_SIP_ERR_TRUNCATED || rc == SL_SIP_ERR_MISSING || rc == SL_SIP_ERR_CSEQ ||
				    rc == SL_SIP_ERR_CONTENT_LENGTH);
		}
		if (rc == SL_SIP_OK)
			assert_msg_in(&m, b, len);
		talloc_free(b);
	}
}

static void test_truncation(void **state)
{
	struct fixture *fx = *state;
	char *inv = make_invite(fx->ctx);

	truncate_every_length(fx->ctx, inv);
	truncate_every_length(fx->ctx, RESPONSE_200);
	truncate_every_length(fx->ctx, COMPACT_FOLDED);
	talloc_free(inv);
}

static void check_any(void *ctx, const char *src, size_t len)
{
	char *b = exact(ctx, src, len);
	struct sl_sip_msg m;
	size_t consumed;
	unsigned mode;

	for (mode = 0; mode <= SL_SIP_PARSE_DATAGRAM; mode++) {
		enum sl_sip_err rc = sl_sip_parse(b, len, mode, &m, &consumed);

		assert_true(rc < _SL_SIP_ERR_COUNT);
		if (rc == SL_SIP_OK) {
			assert_true(consumed > 0 && consumed <= len);
			assert_msg_in(&m, b, len);
			assert_true(via_n(&m) >= (via_top(&m).p ? 1u : 0u));
			if (!m.is_request)
				assert_true(m.status >= 100 && m.status <= 699);
		} else if (rc == SL_SIP_ERR_MISSING) {
			/* framed but incomplete: the caller still learns its extent */
			assert_true(consumed > 0 && consumed <= len);
			assert_msg_in(&m, b, len);
		} else {
			assert_int_equal(consumed, 0);
		}
		(void)sl_sip_looks_like_start(b, len);
	}
	talloc_free(b);
}

static void test_random_bytes(void **state)
{
	struct fixture *fx = *state;
	char buf[700];
	unsigned iter;
	size_t i;

	rng_state = 0x5eed5129u;
	for (iter = 0; iter < 3000; iter++) {
		size_t len = (size_t)(rng() % sizeof(buf));

		for (i = 0; i < len; i++)
			buf[i] = (char)rng();
		check_any(fx->ctx, buf, len);
	}
}

static void test_random_mutations(void **state)
{
	/* characters that steer the parser: line ends, folding, separators */
	static const char special[] = "\r\n \t:;,<>\"\\=@0123456789";
	struct fixture *fx = *state;
	char *inv = make_invite(fx->ctx);
	const char *seeds[3];
	size_t seed_len[3];
	char buf[2048];
	unsigned iter, k;

	seeds[0] = inv;
	seeds[1] = RESPONSE_200;
	seeds[2] = COMPACT_FOLDED;
	for (k = 0; k < 3; k++) {
		seed_len[k] = strlen(seeds[k]);
		assert_true(seed_len[k] < sizeof(buf));
	}
	rng_state = 0x1234abcdu;
	for (iter = 0; iter < 6000; iter++) {
		unsigned which = (unsigned)(rng() % 3), nmut = 1 + (unsigned)(rng() % 4);
		size_t len = seed_len[which];

		memcpy(buf, seeds[which], len);
		for (k = 0; k < nmut && len; k++) {
			size_t at = (size_t)(rng() % len);
			switch (rng() % 4) {
			case 0:
				buf[at] = special[rng() % (sizeof(special) - 1)];
				break;
			case 1:
				buf[at] = (char)rng();
				break;
			case 2: /* delete a byte */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default: /* cut */
				len = at;
				break;
			}
		}
		check_any(fx->ctx, buf, len);
	}
	talloc_free(inv);
}

/* --- sl_sip_looks_like_start -------------------------------------------- */

static void test_looks_like_start(void **state)
{
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
		{ "INVITE sip:bob@example.com SIP/2.0\r\n", true },
		{ "REGISTER sips:example.com SIP/2.0\r\n", true },
		{ "OPTIONS tel:+12345 SIP/2.0", true },
		{ "X-CUSTOM_M urn:x SIP/2.0", true },
		{ "SIP/2.0 200 OK\r\n", true },
		{ "SIP/2.0 100 Trying", true },
		{ "SIP/2.0 699 x", true },
		{ "SIP/2.0 700 x", false },
		{ "SIP/2.0 099 x", false },
		{ "SIP/2.0 2x0 OK", false },
		{ "SIP/2.0  200 OK", false },
		{ "invite sip:bob@example.com", false },
		{ "GET / HTTP/1.1\r\n", false },
		{ "HTTP/1.1 200 OK\r\n", false },
		{ "INVITE :nothing SIP/2.0", false },
		{ "INVITE bob@example.com SIP/2.0", false },
		{ "INVITE  sip:two-spaces", false },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF sip:x", false }, /* 32-character method */
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE sip:x", true },  /* 31 */
		{ "INVITE verylongschemeabcdefgh:x", false },
		{ "\r\nINVITE sip:x SIP/2.0", false },
		{ "INVITE sip:", false }, /* shorter than 12 */
		{ "INVITE sip:x", true },
	};
	struct fixture *fx = *state;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].text);
		char *b = exact(fx->ctx, cases[i].text, n);

		if (sl_sip_looks_like_start(b, n) != cases[i].want)
			fail_msg("'%s': want %d", cases[i].text, cases[i].want);
		talloc_free(b);
		/* every prefix, in an exact buffer: no overread, and nothing below 12 bytes */
		for (len = 0; len < n; len++) {
			bool r;
			b = exact(fx->ctx, cases[i].text, len);
			r = sl_sip_looks_like_start(b, len);
			if (len < 12)
				assert_false(r);
			talloc_free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_invite_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_method_from_str, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_folded_lf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_name_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compact_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookalike_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folding_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiple_pai, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cseq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_content_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_content_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datagram_without_blank_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_two_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_mandatory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_header_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_tiny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_mutations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_looks_like_start, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
