/*
 * SDP parser (see sdp_parse.h). Works line by line over the body view;
 * accepts CRLF and bare LF line ends, ignores unknown line types as RFC 4566
 * section 5 asks, and never copies except the connection address text,
 * which is bounded and parsed with inet_pton.
 */
#include "capture/sdp_parse.h"

#include <string.h>

const char *const sl_sdp_err_names[_SL_SDP_ERR_COUNT] = {
	[SL_SDP_OK] = "ok",
	[SL_SDP_ERR_NOT_SDP] = "not_sdp",
	[SL_SDP_ERR_BAD_LINE] = "bad_line",
	[SL_SDP_ERR_BAD_MEDIA] = "bad_media",
	[SL_SDP_ERR_BAD_CONN] = "bad_connection",
};

/* s equals the literal exactly (inline: attribute lines are compared with several on every SDP) */
#define EQ_LIT(s, lit) ((s).len == sizeof(lit) - 1 && memcmp((s).p, (lit), sizeof(lit) - 1) == 0)

/* Next space-separated field of s starting at *i. */
static struct sl_str field(struct sl_str s, size_t *i)
{
	size_t b;

	while (*i < s.len && s.p[*i] == ' ')
		(*i)++;
	b = *i;
	while (*i < s.len && s.p[*i] != ' ')
		(*i)++;
	return sl_str_make(s.p + b, *i - b);
}

/* c=IN IP4 192.0.2.1[/ttl[/n]] */
static bool parse_conn(struct sl_str v, struct sl_addr *a)
{
	size_t i = 0;
	struct sl_str net = field(v, &i), at = field(v, &i), addr = field(v, &i);
	long slash;

	if (!EQ_LIT(net, "IN"))
		return false;
	slash = sl_str_chr(addr, '/');
	if (slash >= 0)
		addr.len = (size_t)slash;
	if (!sl_addr_parse(a, addr.p, addr.len)) {
		/*
		 * RFC 4566 also allows a fully qualified domain name. It cannot
		 * be matched against packets, but the rest of the description
		 * is still good: keep it with no address (family 0).
		 */
		size_t k;
		bool letter = false;
		for (k = 0; k < addr.len; k++) {
			char c = addr.p[k];
			bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			letter |= alpha;
			if (!(alpha || (c >= '0' && c <= '9') || c == '.' || c == '-'))
				return false;
		}
		/* a bad dotted quad ("999.1.1.1") is not a name: names have letters */
		if (!letter)
			return false;
		memset(a, 0, sizeof(*a));
		return true;
	}
	if (EQ_LIT(at, "IP4") && a->family != SL_AF_INET4)
		return false;
	if (EQ_LIT(at, "IP6") && a->family != SL_AF_INET6)
		return false;
	return true;
}

/* m=audio 49170[/2] RTP/AVP 0 8 97 */
static bool parse_media(struct sl_str v, struct sl_sdp_media *m)
{
	size_t i = 0;
	struct sl_str media = field(v, &i), port = field(v, &i), proto = field(v, &i), pt;
	uint32_t n;
	long slash;

	if (!media.len || !port.len || !proto.len)
		return false;
	slash = sl_str_chr(port, '/');
	if (slash >= 0)
		port.len = (size_t)slash;
	if (!sl_str_to_u32(port, 65535, &n))
		return false;
	m->media = media;
	m->proto = proto;
	m->port = (uint16_t)n;
	m->rtcp_port = n ? (uint16_t)(n + 1) : 0;
	for (;;) {
		pt = field(v, &i);
		if (!pt.len)
			break;
		if (m->n_pt < SL_SDP_MAX_PT && sl_str_to_u32(pt, 127, &n))
			m->pt[m->n_pt++] = (uint8_t)n;
	}
	return true;
}

/* A direction attribute (RFC 4566 section 6): true and *dir set if v is one. */
static bool parse_dir(struct sl_str v, enum sl_sdp_dir *dir)
{
	/* all four are eight characters long */
	if (v.len != 8)
		return false;
	if (EQ_LIT(v, "sendonly"))
		*dir = SL_SDP_SENDONLY;
	else if (EQ_LIT(v, "recvonly"))
		*dir = SL_SDP_RECVONLY;
	else if (EQ_LIT(v, "inactive"))
		*dir = SL_SDP_INACTIVE;
	else if (EQ_LIT(v, "sendrecv"))
		*dir = SL_SDP_SENDRECV;
	else
		return false;
	return true;
}

static void parse_attr(struct sl_str v, struct sl_sdp_media *m)
{
	uint32_t n;

	if (parse_dir(v, &m->dir))
		;
	else if (EQ_LIT(v, "rtcp-mux"))
		m->rtcp_mux = true;
	else if (v.len > 5 && memcmp(v.p, "rtcp:", 5) == 0) {
		size_t i = 5;
		struct sl_str port = field(v, &i);
		if (sl_str_to_u32(port, 65535, &n) && n)
			m->rtcp_port = (uint16_t)n;
	} else if (v.len > 7 && memcmp(v.p, "rtpmap:", 7) == 0 && m->n_pt) {
		size_t i = 7;
		struct sl_str pt = field(v, &i), enc = field(v, &i);
		if (sl_str_to_u32(pt, 127, &n) && n == m->pt[0])
			m->rtpmap0 = enc;
	}
}

enum sl_sdp_err sl_sdp_parse(struct sl_str body, struct sl_sdp *sdp)
{
	size_t off = 0;
	bool first = true, media_has_conn = false;
	struct sl_sdp_media *cur = NULL;
	struct sl_sdp_media discard;

	memset(sdp, 0, sizeof(*sdp));
	while (off < body.len) {
		const char *nl = memchr(body.p + off, '\n', body.len - off);
		size_t end = nl ? (size_t)(nl - body.p) : body.len;
		size_t eol = (end > off && body.p[end - 1] == '\r') ? end - 1 : end;
		struct sl_str line = sl_str_make(body.p + off, eol - off);
		struct sl_str v;
		char type;

		off = nl ? end + 1 : body.len;
		if (!line.len)
			continue;
		if (line.len < 2 || line.p[1] != '=')
			return first ? SL_SDP_ERR_NOT_SDP : SL_SDP_ERR_BAD_LINE;
		type = line.p[0];
		v = sl_str_make(line.p + 2, line.len - 2);
		if (first) {
			if (type != 'v' || !EQ_LIT(sl_str_trim(v), "0"))
				return SL_SDP_ERR_NOT_SDP;
			first = false;
			continue;
		}
		switch (type) {
		case 'o':
			if (!cur)
				sdp->origin = v;
			break;
		case 'c':
			if (cur) {
				if (!parse_conn(v, &cur->addr))
					return SL_SDP_ERR_BAD_CONN;
				media_has_conn = true;
			} else if (!parse_conn(v, &sdp->session_addr)) {
				return SL_SDP_ERR_BAD_CONN;
			}
			break;
		case 'm':
			if (cur && cur != &discard && !media_has_conn)
				cur->addr = sdp->session_addr;
			if (sdp->n_media < SL_SDP_MAX_MEDIA) {
				cur = &sdp->m[sdp->n_media];
			} else {
				sdp->skipped_media++;
				cur = &discard;
			}
			memset(cur, 0, sizeof(*cur));
			/* the session's direction holds for a medium without its own */
			cur->dir = sdp->session_dir;
			if (!parse_media(v, cur))
				return SL_SDP_ERR_BAD_MEDIA;
			if (cur != &discard)
				sdp->n_media++;
			media_has_conn = false;
			break;
		case 'a':
			if (cur)
				parse_attr(v, cur);
			else
				parse_dir(v, &sdp->session_dir);
			break;
		default:
			break;
		}
	}
	if (first)
		return SL_SDP_ERR_NOT_SDP;
	if (cur && cur != &discard && !media_has_conn)
		cur->addr = sdp->session_addr;
	return SL_SDP_OK;
}
