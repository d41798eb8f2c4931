/*
 * SIP message parser (see sip_parse.h). One pass over the header section
 * locates each logical header line (joining folded continuation lines) and
 * maps its name to the slot it fills through a table indexed by the name's
 * length and last byte (compact forms included), confirmed by one
 * comparison. Only the values of kept headers are looked at; the Via list,
 * which nothing in sluice itself reads, is located again and parsed only
 * when asked for (sl_sip_via), and ;tag= is looked for in From and To only
 * (name-addr values and parameters: sip_nameaddr.c).
 * The hot path does no allocation and no copying.
 */
#include "capture/sip_parse.h"
#include "capture/sip_pani.h"
#include "capture/sip_parse_int.h"

#include <string.h>

const char *const sl_sip_method_names[_SL_SIP_METHOD_COUNT] = {
	[SL_SIP_UNKNOWN] = "UNKNOWN", [SL_SIP_INVITE] = "INVITE",
	[SL_SIP_ACK] = "ACK",	      [SL_SIP_BYE] = "BYE",
	[SL_SIP_CANCEL] = "CANCEL",   [SL_SIP_REGISTER] = "REGISTER",
	[SL_SIP_OPTIONS] = "OPTIONS", [SL_SIP_PRACK] = "PRACK",
	[SL_SIP_UPDATE] = "UPDATE",   [SL_SIP_INFO] = "INFO",
	[SL_SIP_SUBSCRIBE] = "SUBSCRIBE", [SL_SIP_NOTIFY] = "NOTIFY",
	[SL_SIP_REFER] = "REFER",     [SL_SIP_MESSAGE] = "MESSAGE",
	[SL_SIP_PUBLISH] = "PUBLISH",
};

const char *const sl_sip_err_names[_SL_SIP_ERR_COUNT] = {
	[SL_SIP_OK] = "ok",
	[SL_SIP_ERR_TRUNCATED] = "truncated",
	[SL_SIP_ERR_START_LINE] = "bad_start_line",
	[SL_SIP_ERR_HEADER] = "bad_header",
	[SL_SIP_ERR_CONTENT_LENGTH] = "bad_content_length",
	[SL_SIP_ERR_STATUS] = "bad_status",
	[SL_SIP_ERR_CSEQ] = "bad_cseq",
	[SL_SIP_ERR_MISSING] = "missing_header",
};

/* Largest body we accept a Content-Length for; real SIP bodies are far smaller. */
#define SIP_MAX_CONTENT_LENGTH (16u * 1024 * 1024)

enum hdr_id {
	H_OTHER,
	H_CALL_ID,
	H_CSEQ,
	H_FROM,
	H_TO,
	H_CONTACT,
	H_VIA,
	H_CONTENT_LENGTH,
	H_CONTENT_TYPE,
	H_USER_AGENT,
	H_SERVER,
	H_PAI,
	H_PPI,
	H_PANI,
	H_PAU,
	H_PCPID,
	H_AUTHORIZATION,
	H_EXPIRES,
	/* names that fill one of the slots above */
	H_PROXY_AUTHORIZATION,
	H_C_CALL_ID,
	H_C_FROM,
	H_C_TO,
	H_C_CONTACT,
	H_C_VIA,
	H_C_CONTENT_LENGTH,
	H_C_CONTENT_TYPE,
	_H_NAMES
};

/* RFC 3261 token characters, one table lookup per byte */
static const bool tchar[256] = {
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
	['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
	['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
	['9'] = 1, ['-'] = 1, ['.'] = 1, ['!'] = 1, ['%'] = 1, ['*'] = 1, ['_'] = 1, ['+'] = 1, ['`'] = 1,
	['\''] = 1, ['~'] = 1,
};

static inline bool is_tchar(unsigned char c)
{
	return tchar[c];
}

/*
 * Header names compared eight (or four) bytes at a time. Setting bit 0x20
 * lowercases A-Z and leaves digits and '-' alone; for a name made of
 * tchars (hdr_lookup's only input) no other byte turns into a lowercase
 * letter or '-', so the result is ieq's. lit: lowercase letters and '-',
 * at least n bytes readable.
 */
static inline bool name_eq(const char *s, const char *lit, size_t n)
{
	const uint64_t low8 = 0x2020202020202020ULL;
	const uint32_t low4 = 0x20202020u;
	uint64_t a, b;
	uint32_t x, y;
	size_t i;

	if (n < 4)
		return ieq(sl_str_make(s, n), lit, n);
	if (n < 8) {
		/* two overlapping four-byte words */
		memcpy(&x, s, 4);
		memcpy(&y, lit, 4);
		if ((x | low4) != y)
			return false;
		memcpy(&x, s + n - 4, 4);
		memcpy(&y, lit + n - 4, 4);
		return (x | low4) == y;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&a, s + i, 8);
		memcpy(&b, lit + i, 8);
		if ((a | low8) != b)
			return false;
	}
	if (i < n) {
		/* the last eight bytes, overlapping the previous word */
		memcpy(&a, s + n - 8, 8);
		memcpy(&b, lit + n - 8, 8);
		return (a | low8) == b;
	}
	return true;
}

/* The headers sluice keeps, long and compact (RFC 3261 section 7.3.3) names. */
static const char *const hdr_names[] = {
	[H_CALL_ID] = "call-id",
	[H_CSEQ] = "cseq",
	[H_FROM] = "from",
	[H_TO] = "to",
	[H_CONTACT] = "contact",
	[H_VIA] = "via",
	[H_CONTENT_LENGTH] = "content-length",
	[H_CONTENT_TYPE] = "content-type",
	[H_USER_AGENT] = "user-agent",
	[H_SERVER] = "server",
	[H_PAI] = "p-asserted-identity",
	[H_PPI] = "p-preferred-identity",
	[H_PANI] = "p-access-network-info",
	[H_PAU] = "p-associated-uri",
	[H_PCPID] = "p-called-party-id",
	[H_AUTHORIZATION] = "authorization",
	[H_PROXY_AUTHORIZATION] = "proxy-authorization",
	[H_EXPIRES] = "expires",
	[H_C_CALL_ID] = "i",
	[H_C_FROM] = "f",
	[H_C_TO] = "t",
	[H_C_CONTACT] = "m",
	[H_C_VIA] = "v",
	[H_C_CONTENT_LENGTH] = "l",
	[H_C_CONTENT_TYPE] = "c",
};

/* What a name's entry stands for: compact forms and Proxy-Authorization share a slot. */
static const unsigned char hdr_slot_of[_H_NAMES] = {
	[H_OTHER] = H_OTHER,
	[H_CALL_ID] = H_CALL_ID,
	[H_CSEQ] = H_CSEQ,
	[H_FROM] = H_FROM,
	[H_TO] = H_TO,
	[H_CONTACT] = H_CONTACT,
	[H_VIA] = H_VIA,
	[H_CONTENT_LENGTH] = H_CONTENT_LENGTH,
	[H_CONTENT_TYPE] = H_CONTENT_TYPE,
	[H_USER_AGENT] = H_USER_AGENT,
	[H_SERVER] = H_SERVER,
	[H_PAI] = H_PAI,
	[H_PPI] = H_PPI,
	[H_PANI] = H_PANI,
	[H_PAU] = H_PAU,
	[H_PCPID] = H_PCPID,
	[H_AUTHORIZATION] = H_AUTHORIZATION,
	[H_PROXY_AUTHORIZATION] = H_AUTHORIZATION,
	[H_EXPIRES] = H_EXPIRES,
	[H_C_CALL_ID] = H_CALL_ID,
	[H_C_FROM] = H_FROM,
	[H_C_TO] = H_TO,
	[H_C_CONTACT] = H_CONTACT,
	[H_C_VIA] = H_VIA,
	[H_C_CONTENT_LENGTH] = H_CONTENT_LENGTH,
	[H_C_CONTENT_TYPE] = H_CONTENT_TYPE,
};

/*
 * The candidate for a name, by its length and the low five bits of its last
 * byte (the same for both cases of a letter): no two kept names share both,
 * so one full comparison (name_eq) decides. Names longer than the longest
 * kept one are H_OTHER without a look.
 */
#define HDR_MAX_NAME 21
#define K(c) ((c) & 31)
static const unsigned char hdr_candidate[HDR_MAX_NAME + 1][32] = {
	[1][K('i')] = H_C_CALL_ID,
	[1][K('f')] = H_C_FROM,
	[1][K('t')] = H_C_TO,
	[1][K('m')] = H_C_CONTACT,
	[1][K('v')] = H_C_VIA,
	[1][K('l')] = H_C_CONTENT_LENGTH,
	[1][K('c')] = H_C_CONTENT_TYPE,
	[2][K('o')] = H_TO,
	[3][K('a')] = H_VIA,
	[4][K('m')] = H_FROM,
	[4][K('q')] = H_CSEQ,
	[6][K('r')] = H_SERVER,
	[7][K('d')] = H_CALL_ID,
	[7][K('t')] = H_CONTACT,
	[7][K('s')] = H_EXPIRES,
	[10][K('t')] = H_USER_AGENT,
	[12][K('e')] = H_CONTENT_TYPE,
	[13][K('n')] = H_AUTHORIZATION,
	[14][K('h')] = H_CONTENT_LENGTH,
	[16][K('i')] = H_PAU,
	[17][K('d')] = H_PCPID,
	[19][K('y')] = H_PAI,
	[19][K('n')] = H_PROXY_AUTHORIZATION,
	[20][K('y')] = H_PPI,
	[21][K('o')] = H_PANI,
};
#undef K

/* Map a header name (any case, long or compact; tchars only) to the slot it fills, or H_OTHER. */
static inline enum hdr_id hdr_lookup(const char *name, size_t len)
{
	unsigned id;

	if (len > HDR_MAX_NAME)
		return H_OTHER;
	id = hdr_candidate[len][(unsigned char)name[len - 1] & 31];
	if (id == H_OTHER || !name_eq(name, hdr_names[id], len))
		return H_OTHER;
	return (enum hdr_id)hdr_slot_of[id];
}

enum sl_sip_method sl_sip_method_from_str(struct sl_str s)
{
	static const unsigned char name_len[_SL_SIP_METHOD_COUNT] = {
		[SL_SIP_INVITE] = 6, [SL_SIP_ACK] = 3,	      [SL_SIP_BYE] = 3,	    [SL_SIP_CANCEL] = 6,
		[SL_SIP_REGISTER] = 8, [SL_SIP_OPTIONS] = 7,  [SL_SIP_PRACK] = 5,   [SL_SIP_UPDATE] = 6,
		[SL_SIP_INFO] = 4,   [SL_SIP_SUBSCRIBE] = 9, [SL_SIP_NOTIFY] = 6,  [SL_SIP_REFER] = 5,
		[SL_SIP_MESSAGE] = 7, [SL_SIP_PUBLISH] = 7,
	};
	int i;

	/* the names are 3 to 9 characters long (name_len; test_sip_parse checks every name maps back) */
	if (s.len < 3 || s.len > 9)
		return SL_SIP_UNKNOWN;
	for (i = 1; i < _SL_SIP_METHOD_COUNT; i++) {
		if (s.len == name_len[i] && s.p[0] == sl_sip_method_names[i][0] &&
		    memcmp(s.p, sl_sip_method_names[i], s.len) == 0)
			return (enum sl_sip_method)i;
	}
	return SL_SIP_UNKNOWN;
}

static inline bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool parse_cseq(struct sl_str v, struct sl_sip_msg *m)
{
	size_t i = 0, s;

	v = sl_str_trim(v);
	while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9')
		i++;
	if (!sl_str_to_u32(sl_str_make(v.p, i), UINT32_MAX, &m->cseq))
		return false;
	while (i < v.len && is_lws(v.p[i]))
		i++;
	s = i;
	while (i < v.len && is_tchar((unsigned char)v.p[i]))
		i++;
	if (i == s)
		return false;
	m->cseq_method_str = sl_str_make(v.p + s, i - s);
	m->cseq_method = sl_sip_method_from_str(m->cseq_method_str);
	return true;
}

static bool looks_like_uri_scheme(const char *p, size_t len)
{
	/* the URI of a request line: sip:, sips:, tel:, or any "scheme:" */
	size_t i;

	for (i = 0; i < len && i < 16; i++) {
		char c = p[i] | 0x20;
		if (p[i] == ':')
			return i > 0;
		if (!((c >= 'a' && c <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' ||
		      p[i] == '.'))
			return false;
	}
	return false;
}

bool sl_sip_looks_like_start(const char *p, size_t len)
{
	size_t i;

	if (len < 12)
		return false;
	if (memcmp(p, "SIP/2.0 ", 8) == 0)
		return p[8] >= '1' && p[8] <= '6' && p[9] >= '0' && p[9] <= '9' && p[10] >= '0' && p[10] <= '9';
	/* METHOD SP URI: methods are upper-case tokens in practice */
	for (i = 0; i < len && i < 32; i++) {
		char c = p[i];
		if (c == ' ')
			break;
		if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
			return false;
	}
	if (i == 0 || i >= len || i == 32)
		return false;
	return looks_like_uri_scheme(p + i + 1, len - i - 1);
}

/* Find the end of the line starting at off: returns index of '\n' or len. */
static inline size_t line_end(const char *p, size_t len, size_t off)
{
	const char *nl = memchr(p + off, '\n', len - off);
	return nl ? (size_t)(nl - p) : len;
}

static inline size_t strip_cr(const char *p, size_t start, size_t nl)
{
	return (nl > start && p[nl - 1] == '\r') ? nl - 1 : nl;
}

static enum sl_sip_err parse_start_line(struct sl_str line, struct sl_sip_msg *m)
{
	if (line.len >= 8 && memcmp(line.p, "SIP/2.0 ", 8) == 0) {
		uint32_t code;
		size_t i = 8;

		m->is_request = false;
		while (i < line.len && line.p[i] == ' ')
			i++;
		if (i + 3 > line.len || (i + 3 < line.len && line.p[i + 3] != ' '))
			return SL_SIP_ERR_START_LINE;
		if (!sl_str_to_u32(sl_str_make(line.p + i, 3), 999, &code))
			return SL_SIP_ERR_START_LINE;
		if (code < 100 || code > 699)
			return SL_SIP_ERR_STATUS;
		m->status = (int)code;
		m->reason = sl_str_trim(sl_str_sub(line, i + 3, line.len));
		return SL_SIP_OK;
	} else {
		size_t i = 0, s;
		const char *sp;

		m->is_request = true;
		while (i < line.len && is_tchar((unsigned char)line.p[i]))
			i++;
		if (i == 0 || i >= line.len || line.p[i] != ' ')
			return SL_SIP_ERR_START_LINE;
		m->method_str = sl_str_make(line.p, i);
		m->method = sl_sip_method_from_str(m->method_str);
		while (i < line.len && line.p[i] == ' ')
			i++;
		s = i;
		sp = memchr(line.p + i, ' ', line.len - i);
		i = sp ? (size_t)(sp - line.p) : line.len;
		if (i == s || i >= line.len)
			return SL_SIP_ERR_START_LINE;
		m->ruri = sl_str_make(line.p + s, i - s);
		while (i < line.len && line.p[i] == ' ')
			i++;
		if (line.len - i < 7 || !ieq(sl_str_make(line.p + i, 7), "sip/2.0", 7))
			return SL_SIP_ERR_START_LINE;
		if (!looks_like_uri_scheme(m->ruri.p, m->ruri.len))
			return SL_SIP_ERR_START_LINE;
		return SL_SIP_OK;
	}
}

static void set_once(struct sl_sip_msg *m, struct sl_str *field, struct sl_str v)
{
	if (field->p)
		m->flags |= SL_SIP_F_DUP_HEADER;
	else
		*field = v;
}

/*
 * P-Access-Network-Info may come in several fields (the UE's and a
 * P-CSCF's, TS 24.229 clause 7.2A.4): keep the first network-provided
 * access-net-spec, else the first one.
 */
static void add_pani(struct sl_sip_msg *m, struct sl_str v)
{
	bool network;
	struct sl_str spec = sl_pani_pick(v, &network);

	if (!m->pani.p || (network && !m->pani_network)) {
		m->pani = spec;
		m->pani_network = network;
	}
}

static void set_nameaddr_once(struct sl_sip_msg *m, struct sl_sip_nameaddr *field, struct sl_str v, bool want_tag)
{
	if (field->uri.p)
		m->flags |= SL_SIP_F_DUP_HEADER;
	else
		sl_sip_nameaddr_parse(v, field, want_tag);
}

/* P-Asserted-Identity may carry two identities in one header or in two. */
static void add_pai(struct sl_sip_msg *m, struct sl_str v)
{
	while (v.len && m->n_pai < SL_SIP_MAX_PAI) {
		size_t n = sl_sip_first_list_value(v);
		if (sl_sip_nameaddr_parse(sl_str_make(v.p, n), &m->pai[m->n_pai], false))
			m->n_pai++;
		if (n >= v.len)
			break;
		v = sl_str_make(v.p + n + 1, v.len - n - 1);
	}
}

static enum sl_sip_err take_header(struct sl_sip_msg *m, enum hdr_id id, struct sl_str v)
{
	switch (id) {
	case H_CALL_ID:
		set_once(m, &m->call_id, v);
		break;
	case H_CSEQ:
		if (m->cseq_method_str.p) {
			m->flags |= SL_SIP_F_DUP_HEADER;
			break;
		}
		if (!parse_cseq(v, m))
			return SL_SIP_ERR_CSEQ;
		break;
	case H_FROM:
		set_nameaddr_once(m, &m->from, v, true);
		break;
	case H_TO:
		set_nameaddr_once(m, &m->to, v, true);
		break;
	case H_CONTACT:
		set_nameaddr_once(m, &m->contact, v, false);
		break;
	case H_VIA:
		/* read when asked for (sl_sip_via) */
		break;
	case H_CONTENT_LENGTH:
		if (!(m->flags & SL_SIP_F_NO_CLEN)) {
			m->flags |= SL_SIP_F_DUP_HEADER;
			break;
		}
		if (!sl_str_to_u32(v, SIP_MAX_CONTENT_LENGTH, &m->content_length))
			return SL_SIP_ERR_CONTENT_LENGTH;
		m->flags &= ~SL_SIP_F_NO_CLEN;
		break;
	case H_CONTENT_TYPE:
		set_once(m, &m->content_type, v);
		break;
	case H_USER_AGENT:
	case H_SERVER:
		set_once(m, &m->user_agent, v);
		break;
	case H_PAI:
		add_pai(m, v);
		break;
	case H_PPI:
		set_nameaddr_once(m, &m->ppi, v, false);
		break;
	case H_PANI:
		add_pani(m, v);
		break;
	case H_PAU:
		set_once(m, &m->p_associated, v);
		break;
	case H_PCPID:
		set_nameaddr_once(m, &m->p_called_party, v, false);
		break;
	case H_AUTHORIZATION:
		set_once(m, &m->authorization, v);
		break;
	case H_EXPIRES:
		set_once(m, &m->expires, v);
		break;
	default:
		break;
	}
	return SL_SIP_OK;
}

/* One logical header line: its name, its value (untrimmed, folded lines included) and the slot it fills. */
struct hdr_line {
	const char *name;
	size_t name_len;
	size_t vstart, vend;
	enum hdr_id id;
	bool end;	/* the empty line ending the header section */
};

/*
 * Locate the header line at *off and move *off past it (and past its folded
 * continuation lines). The scan looks at each byte of the name once
 * (validating it as a token) and at the value's bytes only through memchr
 * for the line end. Errors as sl_sip_parse reports them.
 */
static inline __attribute__((always_inline)) enum sl_sip_err next_header(const char *p, size_t len, unsigned mode, size_t *off, struct hdr_line *h,
					  unsigned *flags)
{
	size_t o = *off, nl, eol, name_end, vstart;

	nl = line_end(p, len, o);
	eol = strip_cr(p, o, nl);
	if (eol == o) {
		/* empty line: end of header section */
		if (nl == len)
			return SL_SIP_ERR_TRUNCATED;
		*off = nl + 1;
		h->end = true;
		return SL_SIP_OK;
	}
	if (nl == len)
		return SL_SIP_ERR_TRUNCATED;
	/* p[nl] is '\n', which is neither a tchar nor blank: it ends both scans */
	name_end = o;
	while (is_tchar((unsigned char)p[name_end]))
		name_end++;
	if (name_end == o)
		return SL_SIP_ERR_HEADER;
	vstart = name_end;
	while (is_ws(p[vstart]))
		vstart++;
	/* a line ending before any ':' stops on its '\r' or '\n' */
	if (p[vstart] != ':')
		return SL_SIP_ERR_HEADER;
	h->vstart = vstart + 1;
	h->vend = eol;
	/* folded continuation lines start with SP or HT */
	while (nl + 1 < len && is_ws(p[nl + 1])) {
		size_t nl2 = line_end(p, len, nl + 1);
		if (nl2 == len)
			return SL_SIP_ERR_TRUNCATED;
		*flags |= SL_SIP_F_FOLDED;
		h->vend = strip_cr(p, nl + 1, nl2);
		nl = nl2;
	}
	/*
	 * Stream mode: a header line ending exactly where the bytes end
	 * may still be continued by a folded line in the next segment,
	 * and the header section is unterminated anyway. Wait for more
	 * instead of judging a partial value: "CSeq: 1" cut before its
	 * folded "\tINVITE" was rejected as bad_cseq and the message lost.
	 */
	if (nl + 1 >= len && !(mode & SL_SIP_PARSE_DATAGRAM))
		return SL_SIP_ERR_TRUNCATED;
	h->name = p + o;
	h->name_len = name_end - o;
	h->id = hdr_lookup(h->name, h->name_len);
	h->end = false;
	*off = nl + 1;
	return SL_SIP_OK;
}

enum sl_sip_err sl_sip_parse(const char *p, size_t len, unsigned mode, struct sl_sip_msg *m, size_t *consumed)
{
	size_t off = 0, nl, eol, body_off, hdr_off;
	enum sl_sip_err err;
	bool terminated = false;

	memset(m, 0, sizeof(*m));
	m->flags = SL_SIP_F_NO_CLEN;
	*consumed = 0;

	/* RFC 3261 7.5: ignore CRLFs before the start line (keep-alives on streams) */
	while (off < len && (p[off] == '\r' || p[off] == '\n'))
		off++;
	if (off == len)
		return SL_SIP_ERR_TRUNCATED;
	nl = line_end(p, len, off);
	if (nl == len)
		return SL_SIP_ERR_TRUNCATED;
	eol = strip_cr(p, off, nl);
	err = parse_start_line(sl_str_make(p + off, eol - off), m);
	if (err != SL_SIP_OK)
		return err;
	m->raw.p = p + off;
	off = nl + 1;

	/* headers until an empty line; only the values of kept headers are looked at */
	hdr_off = off;
	while (off < len) {
		struct hdr_line h;
		size_t line_off = off;

		err = next_header(p, len, mode, &off, &h, &m->flags);
		if (err != SL_SIP_OK)
			return err;
		if (h.end) {
			m->headers = sl_str_make(p + hdr_off, line_off - hdr_off);
			terminated = true;
			break;
		}
		if (h.id != H_OTHER) {
			err = take_header(m, h.id, sl_str_trim(sl_str_make(p + h.vstart, h.vend - h.vstart)));
			if (err != SL_SIP_OK)
				return err;
		}
		m->n_headers++;
	}
	if (!terminated) {
		/* UDP datagrams sometimes end right after the last header line */
		if (!(mode & SL_SIP_PARSE_DATAGRAM))
			return SL_SIP_ERR_TRUNCATED;
		m->headers = sl_str_make(p + hdr_off, off - hdr_off);
	}
	body_off = off;

	if (mode & SL_SIP_PARSE_DATAGRAM) {
		size_t avail = len - body_off;
		size_t blen = avail;
		if (!(m->flags & SL_SIP_F_NO_CLEN)) {
			if (m->content_length <= avail)
				blen = m->content_length;
			else
				m->flags |= SL_SIP_F_BODY_TRUNCATED;
		}
		m->body = sl_str_make(p + body_off, blen);
		*consumed = body_off + blen;
	} else {
		size_t blen = (m->flags & SL_SIP_F_NO_CLEN) ? 0 : m->content_length;
		if (blen > len - body_off)
			return SL_SIP_ERR_TRUNCATED;
		m->body = sl_str_make(p + body_off, blen);
		*consumed = body_off + blen;
	}
	m->raw.len = (size_t)(p + *consumed - m->raw.p);

	if (!m->call_id.p || !m->cseq_method_str.p || !m->from.uri.p || !m->to.uri.p)
		return SL_SIP_ERR_MISSING;
	return SL_SIP_OK;
}

unsigned sl_sip_via(const struct sl_sip_msg *m, struct sl_str *top, struct sl_str *branch)
{
	const char *p = m->headers.p;
	size_t len = m->headers.len, off = 0;
	unsigned n_via = 0, flags = 0;

	*top = SL_STR_NULL;
	*branch = SL_STR_NULL;
	/* the header lines of a parsed message: complete, each ending in '\n', so no error */
	while (off < len) {
		struct hdr_line h;
		struct sl_str v;

		if (next_header(p, len, SL_SIP_PARSE_DATAGRAM, &off, &h, &flags) != SL_SIP_OK || h.end)
			break;
		if (h.id != H_VIA)
			continue;
		v = sl_str_trim(sl_str_make(p + h.vstart, h.vend - h.vstart));
		while (v.len) {
			size_t n = sl_sip_first_list_value(v);

			if (n_via++ == 0) {
				*top = sl_str_trim(sl_str_make(v.p, n));
				sl_sip_param(*top, "branch", branch);
			}
			if (n >= v.len)
				break;
			v = sl_str_make(v.p + n + 1, v.len - n - 1);
		}
	}
	return n_via;
}
