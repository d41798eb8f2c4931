/*
 * SIP message parsing (RFC 3261 section 7, 20; RFC 3966 for tel URIs).
 *
 * sl_sip_parse turns one complete SIP message (a UDP datagram, or one
 * message framed out of a TCP/WebSocket stream) into views of the parts
 * sluice uses: the start line, the headers that carry identities, dialog
 * keys and location, and the body. Nothing is copied: every field is a
 * view into the caller's bytes, valid as long as they are.
 *
 * The parser accepts what real networks send: header names in any case and
 * in compact form (RFC 3261 section 7.3.3: i f t m v l c k s e o r u x b),
 * folded (multi-line) header values, LF-only line ends, repeated headers and
 * comma-separated values (Via, P-Asserted-Identity). It refuses, with a
 * classified error, what cannot be a SIP message: no start line, a header
 * line without a colon, a status code outside 100..699, Content-Length that
 * is not a number or runs past the available bytes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/str.h"

enum sl_sip_method {
	SL_SIP_UNKNOWN = 0,
	SL_SIP_INVITE,
	SL_SIP_ACK,
	SL_SIP_BYE,
	SL_SIP_CANCEL,
	SL_SIP_REGISTER,
	SL_SIP_OPTIONS,
	SL_SIP_PRACK,
	SL_SIP_UPDATE,
	SL_SIP_INFO,
	SL_SIP_SUBSCRIBE,
	SL_SIP_NOTIFY,
	SL_SIP_REFER,
	SL_SIP_MESSAGE,
	SL_SIP_PUBLISH,
	_SL_SIP_METHOD_COUNT
};

extern const char *const sl_sip_method_names[_SL_SIP_METHOD_COUNT];

/* A name-addr or addr-spec header value: From, To, Contact, P-Asserted-Identity... */
struct sl_sip_nameaddr {
	struct sl_str display;	/* without quotes; empty if none */
	struct sl_str uri;	/* the URI, without angle brackets */
	struct sl_str tag;	/* ;tag= header parameter (From/To) */
	struct sl_str params;	/* header parameters after the URI, raw */
};

#define SL_SIP_MAX_PAI 2	/* RFC 3325: at most one sip/sips and one tel */

/* Bits in sl_sip_msg.flags */
#define SL_SIP_F_FOLDED 0x01		/* at least one folded header line */
#define SL_SIP_F_BODY_TRUNCATED 0x02	/* Content-Length larger than the bytes present (UDP) */
#define SL_SIP_F_NO_CLEN 0x04		/* no Content-Length header */
#define SL_SIP_F_DUP_HEADER 0x08	/* a single-valued header appeared twice; first kept */

struct sl_sip_msg {
	struct sl_str raw;		/* the whole message as parsed */
	bool is_request;
	enum sl_sip_method method;	/* requests */
	struct sl_str method_str;
	struct sl_str ruri;
	int status;			/* responses: 100..699 */
	struct sl_str reason;

	struct sl_str call_id;
	uint32_t cseq;
	enum sl_sip_method cseq_method;
	struct sl_str cseq_method_str;
	/* From and To with their ;tag=; the others without (tag left empty) */
	struct sl_sip_nameaddr from, to, contact, ppi;
	struct sl_sip_nameaddr pai[SL_SIP_MAX_PAI];
	unsigned n_pai;
	struct sl_sip_nameaddr p_called_party;	/* P-Called-Party-ID */
	struct sl_str headers;		/* the header lines, start line and empty line excluded (sl_sip_via reads them) */
	struct sl_str user_agent;	/* User-Agent or Server */
	struct sl_str pani;		/* P-Access-Network-Info: the access-net-spec sl_pani_pick() chose */
	bool pani_network;		/* ... and it carries "network-provided" */
	struct sl_str p_associated;	/* P-Associated-URI (a 2xx to REGISTER): comma-separated name-addrs, raw */
	struct sl_str authorization;	/* Authorization / Proxy-Authorization value */
	struct sl_str expires;
	struct sl_str content_type;	/* media type with parameters */
	uint32_t content_length;	/* valid unless SL_SIP_F_NO_CLEN */
	struct sl_str body;
	unsigned n_headers;
	unsigned flags;			/* SL_SIP_F_* */
};

enum sl_sip_err {
	SL_SIP_OK = 0,
	SL_SIP_ERR_TRUNCATED,		/* header section not terminated, or body shorter than Content-Length */
	SL_SIP_ERR_START_LINE,		/* not a request or status line */
	SL_SIP_ERR_HEADER,		/* header line without a name or colon */
	SL_SIP_ERR_CONTENT_LENGTH,	/* not a number / too big */
	SL_SIP_ERR_STATUS,		/* status code outside 100..699 */
	SL_SIP_ERR_CSEQ,		/* CSeq not "number method" */
	SL_SIP_ERR_MISSING,		/* a mandatory header (Call-ID, CSeq, From, To) is absent */
	_SL_SIP_ERR_COUNT
};

extern const char *const sl_sip_err_names[_SL_SIP_ERR_COUNT];

/* Parsing modes */
#define SL_SIP_PARSE_DATAGRAM 0x01	/* UDP: body runs to the end; a short body is flagged, not fatal */

/*
 * Parse one message from p[0..len). On success *consumed is the number of
 * bytes the message occupies (header section + Content-Length body), which
 * on a stream may be less than len. Returns SL_SIP_OK or an error.
 */
enum sl_sip_err sl_sip_parse(const char *p, size_t len, unsigned mode, struct sl_sip_msg *msg, size_t *consumed);

/*
 * Cheap test whether bytes start like a SIP message ("SIP/2.0 nnn " or
 * "METHOD sip:/sips:/tel:..."): used to recognise SIP on any UDP/TCP port
 * and to resynchronise a TCP stream after a gap.
 */
bool sl_sip_looks_like_start(const char *p, size_t len);

/* Map a method token to the enum (case-sensitive, as RFC 3261 says). */
enum sl_sip_method sl_sip_method_from_str(struct sl_str s);

/*
 * The Via headers of a parsed message, read only when asked for (sluice's
 * own processing never does): the number of Via values in all Via headers,
 * the topmost one in *top (trimmed) and its branch parameter in *branch
 * (each SL_STR_NULL when absent).
 */
unsigned sl_sip_via(const struct sl_sip_msg *m, struct sl_str *top, struct sl_str *branch);

/* Parse a name-addr / addr-spec value (also used for Contact, Refer-To...). */
bool sl_sip_parse_nameaddr(struct sl_str value, struct sl_sip_nameaddr *out);

/* Find a ;name=value parameter in a parameter list such as ";tag=x;lr". */
bool sl_sip_param_n(struct sl_str params, const char *name, size_t name_len, struct sl_str *value);
/* The same with a NUL-terminated name (inline, so a literal's length is a constant). */
static inline bool sl_sip_param(struct sl_str params, const char *name, struct sl_str *value)
{
	return sl_sip_param_n(params, name, strlen(name), value);
}
