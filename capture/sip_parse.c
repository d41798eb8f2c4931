/*
 * SIP message parser (see sip_parse.h). One pass over the header section:
 * find each logical header line (joining folded continuation lines), map
 * the name to the few headers sluice uses with a switch on its length, and
 * record views. The hot path does no allocation and no copying.
 */
#include "capture/sip_parse.h"
#include "capture/sip_pani.h"

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

static inline bool ieq(struct sl_str s, const char *lit, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != lit[i])
			return false;
	}
	return true;
}

/*
 * ieq for header names, eight bytes at a time: n (the literal's length) is
 * a constant, so this unrolls into a few loads and compares. Setting bit
 * 0x20 lowercases A-Z and leaves digits and '-' alone; for a name made of
 * tchars (hdr_lookup's only input) no other byte turns into a lowercase
 * letter or '-', so the result is ieq's. lit: lowercase letters and '-'.
 */
static inline bool name_eq(struct sl_str s, const char *lit, size_t n)
{
	const uint64_t low = 0x2020202020202020ULL;
	uint64_t a, b;
	size_t i;

	if (n < 8)
		return ieq(s, lit, n);
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&a, s.p + i, 8);
		memcpy(&b, lit + i, 8);
		if ((a | low) != b)
			return false;
	}
	if (i < n) {
		/* the last eight bytes, overlapping the previous word */
		memcpy(&a, s.p + n - 8, 8);
		memcpy(&b, lit + n - 8, 8);
		return (a | low) == b;
	}
	return true;
}

/* Map a header name (any case, long or compact) to the ones we keep. */
static enum hdr_id hdr_lookup(struct sl_str n)
{
	char c0;

	if (n.len == 1) {
		c0 = n.p[0] | 0x20;
		switch (c0) {
		case 'i': return H_CALL_ID;
		case 'f': return H_FROM;
		case 't': return H_TO;
		case 'm': return H_CONTACT;
		case 'v': return H_VIA;
		case 'l': return H_CONTENT_LENGTH;
		case 'c': return H_CONTENT_TYPE;
		default: return H_OTHER;
		}
	}
#define IS(lit) (n.len == sizeof(lit) - 1 && name_eq(n, lit, sizeof(lit) - 1))
	switch (n.len) {
	case 2:
		return IS("to") ? H_TO : H_OTHER;
	case 3:
		return IS("via") ? H_VIA : H_OTHER;
	case 4:
		if (IS("from"))
			return H_FROM;
		if (IS("cseq"))
			return H_CSEQ;
		return H_OTHER;
	case 6:
		return IS("server") ? H_SERVER : H_OTHER;
	case 7:
		if (IS("call-id"))
			return H_CALL_ID;
		if (IS("contact"))
			return H_CONTACT;
		if (IS("expires"))
			return H_EXPIRES;
		return H_OTHER;
	case 10:
		return IS("user-agent") ? H_USER_AGENT : H_OTHER;
	case 12:
		return IS("content-type") ? H_CONTENT_TYPE : H_OTHER;
	case 13:
		return IS("authorization") ? H_AUTHORIZATION : H_OTHER;
	case 14:
		return IS("content-length") ? H_CONTENT_LENGTH : H_OTHER;
	case 16:
		return IS("p-associated-uri") ? H_PAU : H_OTHER;
	case 17:
		return IS("p-called-party-id") ? H_PCPID : H_OTHER;
	case 19:
		if (IS("p-asserted-identity"))
			return H_PAI;
		if (IS("proxy-authorization"))
			return H_AUTHORIZATION;
		return H_OTHER;
	case 20:
		return IS("p-preferred-identity") ? H_PPI : H_OTHER;
	case 21:
		/* was "case 22": the name has 21 characters, so P-Access-Network-Info was never recognised */
		return IS("p-access-network-info") ? H_PANI : H_OTHER;
	default:
		return H_OTHER;
	}
#undef IS
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

static inline bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Index of the first of the bytes a, b (and c, unless it is 0) in p[0..n),
 * or n. memchr jumps over the long runs of ordinary characters between
 * them; each search is bounded by the best hit so far.
 */
static inline size_t find_first(const char *p, size_t n, char a, char b, char c)
{
	const char *q;

	q = memchr(p, a, n);
	if (q)
		n = (size_t)(q - p);
	q = memchr(p, b, n);
	if (q)
		n = (size_t)(q - p);
	if (c) {
		q = memchr(p, c, n);
		if (q)
			n = (size_t)(q - p);
	}
	return n;
}

bool sl_sip_param_n(struct sl_str params, const char *name, size_t nlen, struct sl_str *value)
{
	size_t i = 0;

	while (i < params.len) {
		size_t start, end, eq;
		struct sl_str pname;
		const char *semi;

		/* each parameter starts after a ';' */
		semi = memchr(params.p + i, ';', params.len - i);
		if (!semi)
			break;
		i = (size_t)(semi - params.p) + 1;
		start = i;
		i += find_first(params.p + i, params.len - i, ';', ',', '>');
		end = i;
		eq = start;
		while (eq < end && params.p[eq] != '=')
			eq++;
		pname = sl_str_trim(sl_str_make(params.p + start, eq - start));
		if (pname.len == nlen && ieq(pname, name, nlen)) {
			if (eq < end)
				*value = sl_str_trim(sl_str_make(params.p + eq + 1, end - eq - 1));
			else
				*value = sl_str_make(params.p + end, 0);
			return true;
		}
		if (i < params.len && (params.p[i] == ',' || params.p[i] == '>'))
			break;
	}
	return false;
}

/*
 * Length of the first value of a comma-separated header list, honouring
 * quotes and <>. Outside quotes and brackets only '"', '<' and ',' matter;
 * inside brackets '"' and '>'; inside quotes '\' and '"'.
 */
static size_t first_list_value(struct sl_str v)
{
	bool angle = false;
	size_t i = 0;

	/* only a ',' ends the value early: without one (nearly always) it is all of v */
	if (!v.len || !memchr(v.p, ',', v.len))
		return v.len;
	while (i < v.len) {
		const char *p = v.p + i;
		size_t left = v.len - i;

		i += angle ? find_first(p, left, '"', '>', 0) : find_first(p, left, '"', '<', ',');
		if (i >= v.len)
			break;
		switch (v.p[i]) {
		case ',':
			return i;
		case '<':
			angle = true;
			break;
		case '>':
			angle = false;
			break;
		case '"':
			/* a quoted string: up to the next '"' not escaped by '\\' */
			for (i++; i < v.len; i++) {
				i += find_first(v.p + i, v.len - i, '"', '\\', 0);
				if (i >= v.len || v.p[i] == '"')
					break;
				if (i + 1 < v.len)
					i++; /* skip the escaped character */
			}
			break;
		}
		i++;
	}
	return v.len;
}

bool sl_sip_parse_nameaddr(struct sl_str v, struct sl_sip_nameaddr *out)
{
	size_t i = 0, end;

	memset(out, 0, sizeof(*out));
	v = sl_str_trim(v);
	v.len = first_list_value(v);
	v = sl_str_trim(v);
	if (!v.len)
		return false;

	if (v.p[0] == '"') {
		/* quoted display name */
		size_t s = 1;
		for (i = 1; i < v.len; i++) {
			if (v.p[i] == '\\' && i + 1 < v.len)
				i++;
			else if (v.p[i] == '"')
				break;
		}
		if (i >= v.len)
			return false;
		out->display = sl_str_make(v.p + s, i - s);
		i++;
		while (i < v.len && is_lws(v.p[i]))
			i++;
		if (i >= v.len || v.p[i] != '<')
			return false;
	} else {
		long lt = sl_str_chr(v, '<');
		if (lt >= 0) {
			out->display = sl_str_trim(sl_str_make(v.p, (size_t)lt));
			i = (size_t)lt;
		}
	}

	if (i < v.len && v.p[i] == '<') {
		size_t s = i + 1;
		const char *gt = memchr(v.p + s, '>', v.len - s);

		if (!gt)
			return false;
		end = (size_t)(gt - v.p);
		if (end >= v.len)
			return false;
		out->uri = sl_str_trim(sl_str_make(v.p + s, end - s));
		out->params = sl_str_make(v.p + end + 1, v.len - end - 1);
	} else {
		/* addr-spec: parameters after the URI belong to the header */
		for (end = i; end < v.len && v.p[end] != ';' && !is_lws(v.p[end]); end++)
			;
		out->uri = sl_str_make(v.p + i, end - i);
		out->params = sl_str_make(v.p + end, v.len - end);
	}
	if (!out->uri.len)
		return false;
	sl_sip_param(out->params, "tag", &out->tag);
	return true;
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
		while (i < line.len && line.p[i] != ' ')
			i++;
		if (i == s || i >= line.len)
			return SL_SIP_ERR_START_LINE;
		m->ruri = sl_str_make(line.p + s, i - s);
		while (i < line.len && line.p[i] == ' ')
			i++;
		if (line.len - i < 7 || !sl_str_istarts(sl_str_make(line.p + i, line.len - i), "SIP/2.0"))
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

static void set_nameaddr_once(struct sl_sip_msg *m, struct sl_sip_nameaddr *field, struct sl_str v)
{
	if (field->uri.p)
		m->flags |= SL_SIP_F_DUP_HEADER;
	else
		sl_sip_parse_nameaddr(v, field);
}

/* P-Asserted-Identity may carry two identities in one header or in two. */
static void add_pai(struct sl_sip_msg *m, struct sl_str v)
{
	while (v.len && m->n_pai < SL_SIP_MAX_PAI) {
		size_t n = first_list_value(v);
		if (sl_sip_parse_nameaddr(sl_str_make(v.p, n), &m->pai[m->n_pai]))
			m->n_pai++;
		if (n >= v.len)
			break;
		v = sl_str_make(v.p + n + 1, v.len - n - 1);
	}
}

static void add_via(struct sl_sip_msg *m, struct sl_str v)
{
	size_t n;

	while (v.len) {
		n = first_list_value(v);
		if (m->n_via++ == 0) {
			m->via = sl_str_trim(sl_str_make(v.p, n));
			sl_sip_param(m->via, "branch", &m->via_branch);
		}
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
		set_nameaddr_once(m, &m->from, v);
		break;
	case H_TO:
		set_nameaddr_once(m, &m->to, v);
		break;
	case H_CONTACT:
		set_nameaddr_once(m, &m->contact, v);
		break;
	case H_VIA:
		add_via(m, v);
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
		set_nameaddr_once(m, &m->ppi, v);
		break;
	case H_PANI:
		add_pani(m, v);
		break;
	case H_PAU:
		set_once(m, &m->p_associated, v);
		break;
	case H_PCPID:
		set_nameaddr_once(m, &m->p_called_party, v);
		break;
	case H_AUTHORIZATION:
		set_once(m, &m->authorization, v);
		break;
	case H_EXPIRES:
		set_once(m, &m->expires, v);
		break;
	case H_OTHER:
		break;
	}
	return SL_SIP_OK;
}

enum sl_sip_err sl_sip_parse(const char *p, size_t len, unsigned mode, struct sl_sip_msg *m, size_t *consumed)
{
	size_t off = 0, nl, eol, body_off;
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

	/* headers until an empty line */
	while (off < len) {
		size_t name_end, vstart, vend;
		struct sl_str name;
		enum hdr_id hid;

		nl = line_end(p, len, off);
		eol = strip_cr(p, off, nl);
		if (eol == off) {
			/* empty line: end of header section */
			if (nl == len)
				return SL_SIP_ERR_TRUNCATED;
			off = nl + 1;
			terminated = true;
			break;
		}
		if (nl == len)
			return SL_SIP_ERR_TRUNCATED;
		name_end = off;
		while (name_end < eol && is_tchar((unsigned char)p[name_end]))
			name_end++;
		if (name_end == off)
			return SL_SIP_ERR_HEADER;
		name = sl_str_make(p + off, name_end - off);
		vstart = name_end;
		while (vstart < eol && is_ws(p[vstart]))
			vstart++;
		if (vstart >= eol || p[vstart] != ':')
			return SL_SIP_ERR_HEADER;
		vstart++;
		vend = eol;
		/* folded continuation lines start with SP or HT */
		while (nl + 1 < len && is_ws(p[nl + 1])) {
			size_t nl2 = line_end(p, len, nl + 1);
			if (nl2 == len)
				return SL_SIP_ERR_TRUNCATED;
			m->flags |= SL_SIP_F_FOLDED;
			vend = strip_cr(p, nl + 1, nl2);
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
		/* the value of a header nothing uses is neither trimmed nor looked at */
		hid = hdr_lookup(name);
		if (hid != H_OTHER) {
			err = take_header(m, hid, sl_str_trim(sl_str_make(p + vstart, vend - vstart)));
			if (err != SL_SIP_OK)
				return err;
		}
		m->n_headers++;
		off = nl + 1;
	}
	if (!terminated) {
		/* UDP datagrams sometimes end right after the last header line */
		if (!(mode & SL_SIP_PARSE_DATAGRAM))
			return SL_SIP_ERR_TRUNCATED;
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
