/*
 * SIP over TCP and over WebSocket: from reassembled byte streams to SIP
 * messages.
 *
 * Each direction of a TCP flow carrying SIP has a framing state. Plain SIP
 * is framed by its header section and Content-Length (RFC 3261 section
 * 18.3); a connection that starts with an HTTP GET asking for an upgrade to
 * WebSocket switches, after the handshake, to WebSocket frames, each data
 * message holding one SIP message (RFC 7118 section 5). Bytes are copied
 * into a per-direction buffer only when a message spans segments: the
 * common case, whole messages in one segment, is parsed in place.
 *
 * After a gap in the stream, garbage, or an oversized message the framer
 * resynchronises: on a SIP start line at the beginning of a line, or on a
 * WebSocket frame header whose payload starts like SIP. Every skipped byte
 * is counted. The framing buffers of all flows together are capped; over
 * the cap, least recently used flows are evicted.
 *
 * Cost is linear in the bytes of the stream however it is cut into
 * segments: for the message at the front, the framer remembers how far its
 * search for the blank line ending the header section got, parses the
 * message only once that line is there, and, if the body is still short,
 * waits for the length Content-Length announced without parsing again;
 * buffers grow geometrically up to their cap. A message is reported with
 * the frame whose bytes completed it (sl_tcp_origin), which for data held
 * behind a hole is that data's own frame.
 */
#include <string.h>

#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/log.h"
#include "capture/websocket.h"

enum stream_mode {
	SM_SIP,		/* SIP framed by Content-Length */
	SM_HTTP,	/* HTTP header expected (WebSocket handshake) */
	SM_WS,		/* WebSocket frames carrying SIP */
	SM_IGNORE,	/* not SIP after all (HTTP without upgrade, failed handshake) */
};

/* HTTP handshake headers larger than this are not a WebSocket upgrade we follow. */
#define MAX_HTTP_HEADER 8192
/* Tail kept while hunting for a start line: longest prefix sl_sip_looks_like_start inspects. */
#define RESYNC_TAIL 64

struct stream_dir {
	uint8_t *buf;
	size_t len, cap;
	uint8_t mode;		/* enum stream_mode */
	bool resync;
	/*
	 * The message (or HTTP header) at the front of the unconsumed bytes:
	 * how far the search for the end of its header section got, where the
	 * section ends (0: not found yet), and below how many bytes it cannot be
	 * complete (0: not known). Offsets from the message's first byte.
	 */
	size_t scan, hdr_end, need;
	const uint8_t *chunk;	/* first byte of the latest delivered run, while it is framed */
	/* WebSocket message being assembled from fragments */
	uint8_t *wsmsg;
	size_t wsmsg_len;
	bool ws_in_msg;
};

struct sip_stream {
	struct stream_dir dir[2];
};

struct seg_ctx {
	struct sl_capture *cap;
	struct sl_flow *f;
	int dir;
	const struct sl_tcp_origin *at;	/* the frame of the bytes being framed */
};

static bool looks_like_http_get(const uint8_t *p, size_t n)
{
	return n >= 4 && memcmp(p, "GET ", 4) == 0;
}

/* A masked or unmasked WebSocket data frame whose payload starts like SIP (mid-stream pickup). */
static bool looks_like_ws_sip(const uint8_t *p, size_t n)
{
	struct sl_ws_frame fr;
	uint8_t head[32];
	size_t k;

	if (sl_ws_parse_header(p, n, &fr) != SL_WS_OK)
		return false;
	if (fr.opcode != SL_WS_TEXT && fr.opcode != SL_WS_BINARY)
		return false;
	k = n - fr.hdr_len;
	if (k > sizeof(head))
		k = sizeof(head);
	if (k > fr.payload_len)
		k = (size_t)fr.payload_len;
	if (fr.masked)
		sl_ws_unmask(head, p + fr.hdr_len, k, fr.mask, 0);
	else
		memcpy(head, p + fr.hdr_len, k);
	return sl_sip_looks_like_start((const char *)head, k);
}

bool sl_sip_stream_wants(struct sl_capture *cap, uint16_t sport, uint16_t dport, struct sl_cursor payload, uint8_t flags)
{
	if (flags & SL_TCP_RST)
		return false;
	if ((cap->sip_port_bits[sport >> 3] & (1u << (sport & 7))) ||
	    (cap->sip_port_bits[dport >> 3] & (1u << (dport & 7))))
		return true;
	if (!payload.left)
		return false;
	return sl_sip_looks_like_start((const char *)payload.p, payload.left) ||
	       looks_like_http_get(payload.p, payload.left) || looks_like_ws_sip(payload.p, payload.left);
}

static struct sip_stream *stream_of(struct sl_capture *cap, struct sl_flow *f, const struct sl_tcp_seg *seg, int dir)
{
	struct sip_stream *ss = f->app;

	if (ss)
		return ss;
	ss = talloc_zero(cap, struct sip_stream);
	if (!ss)
		return NULL;
	f->app = ss;
	/* a connection first seen with an HTTP GET or a WebSocket frame is WebSocket */
	if (seg->len && looks_like_http_get(seg->data, seg->len)) {
		ss->dir[dir].mode = SM_HTTP;
		ss->dir[!dir].mode = SM_HTTP;
	} else if (seg->len && looks_like_ws_sip(seg->data, seg->len)) {
		ss->dir[0].mode = SM_WS;
		ss->dir[1].mode = SM_WS;
	}
	return ss;
}

static void make_sig(struct seg_ctx *sc, enum sl_transport tr, struct sl_sig *sig)
{
	struct sl_flow *f = sc->f;

	memset(sig, 0, sizeof(*sig));
	sig->ts_us = sc->at->ts_us;
	sig->source = sc->at->source;
	sig->frame = sc->at->frame;
	sig->src = sc->dir ? f->key.hi : f->key.lo;
	sig->dst = sc->dir ? f->key.lo : f->key.hi;
	sig->transport = tr;
}

/* A message framed from a plain TCP stream, already parsed by the framer. */
static void deliver_parsed(struct seg_ctx *sc, const struct sl_sip_msg *msg, enum sl_sip_err err, const uint8_t *p,
			   size_t len)
{
	struct sl_sig sig;

	make_sig(sc, SL_TRANSPORT_TCP, &sig);
	sl_sip_handle_parsed(sc->cap, &sig, msg, err, (const char *)p, len);
}

/* One WebSocket message: one SIP message, its end is the message end (RFC 7118 section 5). */
static void deliver_ws(struct seg_ctx *sc, const uint8_t *p, size_t len)
{
	struct sl_sig sig;

	make_sig(sc, SL_TRANSPORT_WS, &sig);
	sl_sip_handle(sc->cap, &sig, (const char *)p, len, SL_SIP_PARSE_DATAGRAM);
}

/*
 * Find a SIP start line in p[0..n) at a line start, or where a segment
 * starts (chunk): a body need not end with a line end, and after a hole the
 * next message usually begins a segment of its own. p[0] itself is a line
 * start only if bol0 says so: after a refused message's first byte it is
 * not ("NVITE sip:..." is no request), and the tail kept from an earlier
 * search was looked at already. Returns its offset or -1.
 */
static long find_start_line(const uint8_t *p, size_t n, const uint8_t *chunk, bool bol0)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i ? p[i - 1] != '\n' : !bol0) && p + i != chunk)
			continue;
		if (sl_sip_looks_like_start((const char *)p + i, n - i))
			return (long)i;
	}
	return -1;
}

static size_t resync_skip(struct sl_capture *cap, size_t skipped)
{
	sl_ctr_add(cap, SL_CG_SIP, SL_SIPC_STREAM_RESYNC_BYTES, (int64_t)skipped);
	return skipped;
}

/* The front of the stream moved: what was known about the message there is void. */
static void msg_reset(struct stream_dir *sd)
{
	sd->scan = 0;
	sd->hdr_end = 0;
	sd->need = 0;
}

/*
 * Offset just past the blank line ending the header section of s[0..n)
 * (RFC 3261 section 7: CRLF, or a bare LF as the parser accepts), or 0.
 * Looks only at bytes from *scan on and leaves *scan where the next call
 * must start (a line end whose next bytes have not arrived yet).
 */
static size_t header_end(const uint8_t *s, size_t n, size_t *scan)
{
	size_t i = *scan;

	while (i < n) {
		const uint8_t *nl = memchr(s + i, '\n', n - i);

		if (!nl)
			break;
		i = (size_t)(nl - s);
		if (i + 1 >= n) {
			*scan = i;
			return 0;
		}
		if (s[i + 1] == '\n')
			return i + 2;
		if (s[i + 1] == '\r') {
			if (i + 2 >= n) {
				*scan = i;
				return 0;
			}
			if (s[i + 2] == '\n')
				return i + 3;
		}
		i++;
	}
	*scan = n;
	return 0;
}

/* A message at the front still short of bytes: wait, unless it has outgrown the cap. */
static bool too_big(struct sl_capture *cap, struct stream_dir *sd, size_t left)
{
	if (left < cap->cfg.max_sip_message)
		return false;
	sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_STREAM_OVERSIZE, "TCP SIP message larger than %zu bytes, skipped",
		      cap->cfg.max_sip_message);
	sd->resync = true;
	msg_reset(sd);
	return true;
}

/* Frame plain SIP from p[0..n); returns the bytes consumed (the rest waits for more data). */
static size_t frame_sip(struct seg_ctx *sc, struct stream_dir *sd, const uint8_t *p, size_t n)
{
	struct sl_capture *cap = sc->cap;
	size_t off = 0;

	while (off < n) {
		const uint8_t *s = p + off;
		size_t left = n - off, consumed;
		struct sl_sip_msg msg;
		enum sl_sip_err err;

		if (s[0] == '\r' || s[0] == '\n') {
			off++; /* CRLF keep-alives between messages (RFC 5626 section 3.5.1) */
			msg_reset(sd);
			continue;
		}
		if (left < 12)
			return off; /* too short to recognise a start line yet */
		if (sd->resync || (!sd->scan && !sl_sip_looks_like_start((const char *)s, left))) {
			long at = find_start_line(s, left, sd->chunk, off > 0 && p[off - 1] == '\n');
			msg_reset(sd);
			if (!sd->resync) {
				sd->resync = true;
				sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_STREAM_RESYNC);
			}
			if (at < 0) {
				if (left <= RESYNC_TAIL)
					return off;
				off += resync_skip(cap, left - RESYNC_TAIL);
				return off;
			}
			off += resync_skip(cap, (size_t)at);
			sd->resync = false;
			continue;
		}
		/* a start line is here: parse once the header section, then the body, can be complete */
		if (!sd->hdr_end) {
			sd->hdr_end = header_end(s, left, &sd->scan);
			if (!sd->scan)
				sd->scan = 1; /* the start line was checked: do not look again */
		}
		if (!sd->hdr_end || left < sd->need) {
			if (!too_big(cap, sd, left))
				return off;
			off++;
			continue;
		}
		err = sl_sip_parse((const char *)s, left, 0, &msg, &consumed);
		if (err == SL_SIP_ERR_TRUNCATED) {
			/* the body is short: wait for what Content-Length announced, at least one more byte */
			size_t need = left + 1;
			if (!(msg.flags & SL_SIP_F_NO_CLEN) && sd->hdr_end + (size_t)msg.content_length > need)
				need = sd->hdr_end + (size_t)msg.content_length;
			sd->need = need;
			if (!too_big(cap, sd, left))
				return off;
			off++;
			continue;
		}
		msg_reset(sd);
		if (consumed == 0) {
			/* not parseable at all: count it through the handler, then hunt for the next message */
			deliver_parsed(sc, &msg, err, s, left);
			sd->resync = true;
			off++;
			continue;
		}
		deliver_parsed(sc, &msg, err, s, consumed);
		off += consumed;
	}
	return off;
}

/*
 * Find the end of an HTTP header section; returns its length including the
 * blank line, or 0. Starts where the previous search stopped (*scan).
 */
static size_t http_header_len(const uint8_t *p, size_t n, size_t *scan)
{
	size_t i;

	for (i = *scan; i + 3 < n; i++)
		if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
			return i + 4;
	*scan = n > 3 ? n - 3 : 0;
	return 0;
}

static size_t frame_http(struct seg_ctx *sc, struct sip_stream *ss, struct stream_dir *sd, const uint8_t *p, size_t n)
{
	struct sl_capture *cap = sc->cap;
	size_t hl = http_header_len(p, n, &sd->scan);
	struct sl_str h;

	if (hl)
		msg_reset(sd);
	if (!hl) {
		if (n > MAX_HTTP_HEADER)
			sd->mode = SM_IGNORE;
		return n > MAX_HTTP_HEADER ? n : 0;
	}
	h = sl_str_make(p, hl);
	if (sl_str_istarts(h, "GET ")) {
		if (sl_str_ifind(h, "websocket") < 0) {
			ss->dir[0].mode = ss->dir[1].mode = SM_IGNORE;
			return n;
		}
		sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_WS_HANDSHAKES);
		sd->mode = SM_WS;
		return hl;
	}
	if (sl_str_istarts(h, "HTTP/1.1 101") || sl_str_istarts(h, "HTTP/1.0 101")) {
		sd->mode = SM_WS;
		return hl;
	}
	/* handshake refused: the connection carries no SIP */
	ss->dir[0].mode = ss->dir[1].mode = SM_IGNORE;
	return n;
}

/* Offset of the next plausible WebSocket frame carrying SIP, or -1. */
static long find_ws_frame(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if ((p[i] & 0x7f) == SL_WS_TEXT || (p[i] & 0x7f) == SL_WS_BINARY)
			if (looks_like_ws_sip(p + i, n - i))
				return (long)i;
	return -1;
}

static size_t frame_ws(struct seg_ctx *sc, struct stream_dir *sd, const uint8_t *p, size_t n)
{
	struct sl_capture *cap = sc->cap;
	size_t off = 0;

	while (off < n) {
		struct sl_ws_frame fr;
		const uint8_t *s = p + off;
		size_t left = n - off, total;
		enum sl_ws_res r;

		if (sd->resync) {
			long at = (left > 0 && looks_like_ws_sip(s, left)) ? 0 : find_ws_frame(s, left);
			if (at < 0) {
				if (left <= RESYNC_TAIL)
					return off;
				return off + resync_skip(cap, left - RESYNC_TAIL);
			}
			off += resync_skip(cap, (size_t)at);
			sd->resync = false;
			sd->ws_in_msg = false;
			sd->wsmsg_len = 0;
			continue;
		}
		r = sl_ws_parse_header(s, left, &fr);
		if (r == SL_WS_NEED_MORE)
			return off;
		if (r == SL_WS_MALFORMED || fr.payload_len > cap->cfg.max_sip_message) {
			sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_WS_MALFORMED, "WebSocket frame header invalid or too long");
			sd->resync = true;
			sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_STREAM_RESYNC);
			/*
			 * Step past this byte: the resync search would otherwise find the
			 * same (too long) frame here again and loop forever (fuzz_frame).
			 */
			off += resync_skip(cap, 1);
			continue;
		}
		total = fr.hdr_len + (size_t)fr.payload_len;
		if (left < total)
			return off;
		if (sl_ws_is_control(fr.opcode)) {
			sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_WS_CONTROL);
			off += total;
			continue;
		}
		sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_WS_FRAMES);
		if (fr.opcode != SL_WS_CONT) {
			sd->ws_in_msg = true;
			sd->wsmsg_len = 0;
		} else if (!sd->ws_in_msg) {
			/* continuation of a message whose start we did not see */
			off += total;
			continue;
		}
		if (sd->wsmsg_len + fr.payload_len > cap->cfg.max_sip_message) {
			sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_STREAM_OVERSIZE, "WebSocket message larger than %zu bytes",
				      cap->cfg.max_sip_message);
			sd->ws_in_msg = false;
			off += total;
			continue;
		}
		if (!sd->wsmsg) {
			sd->wsmsg = talloc_size(cap, cap->cfg.max_sip_message);
			if (!sd->wsmsg)
				return n;
		}
		if (fr.masked)
			sl_ws_unmask(sd->wsmsg + sd->wsmsg_len, s + fr.hdr_len, (size_t)fr.payload_len, fr.mask,
				     sd->wsmsg_len);
		else
			memcpy(sd->wsmsg + sd->wsmsg_len, s + fr.hdr_len, (size_t)fr.payload_len);
		sd->wsmsg_len += (size_t)fr.payload_len;
		off += total;
		if (fr.fin) {
			sd->ws_in_msg = false;
			if (sd->wsmsg_len)
				deliver_ws(sc, sd->wsmsg, sd->wsmsg_len);
		}
	}
	return off;
}

static size_t frame_any(struct seg_ctx *sc, struct sip_stream *ss, struct stream_dir *sd, const uint8_t *p, size_t n)
{
	size_t off = 0, k;

	/* the mode may change mid-buffer (HTTP handshake then frames) */
	while (off < n) {
		uint8_t mode = sd->mode;
		switch (mode) {
		case SM_SIP:
			k = frame_sip(sc, sd, p + off, n - off);
			break;
		case SM_HTTP:
			k = frame_http(sc, ss, sd, p + off, n - off);
			break;
		case SM_WS:
			k = frame_ws(sc, sd, p + off, n - off);
			break;
		default:
			return n;
		}
		off += k;
		if (sd->mode == mode)
			break;
	}
	return off;
}

static void buf_set(struct sl_capture *cap, struct stream_dir *sd, size_t newlen)
{
	cap->stream_bytes = cap->stream_bytes - sd->len + newlen;
	sd->len = newlen;
}

static void on_data(void *priv, const uint8_t *p, size_t n, const struct sl_tcp_origin *at)
{
	struct seg_ctx *sc = priv;
	struct sl_capture *cap = sc->cap;
	struct sip_stream *ss = sc->f->app;
	struct stream_dir *sd = &ss->dir[sc->dir];
	size_t used;
	bool framed = false;

	sc->at = at;
	if (sd->mode == SM_IGNORE)
		return;
	if (sd->len == 0) {
		/* fast path: parse straight from the segment, keep only a partial tail */
		sd->chunk = p;
		used = frame_any(sc, ss, sd, p, n);
		sd->chunk = NULL;
		p += used;
		n -= used;
		if (!n || sd->mode == SM_IGNORE)
			return;
		framed = true;
	}
	if (sd->len + n > sd->cap) {
		size_t want = sd->len + n, limit = cap->cfg.max_sip_message + RESYNC_TAIL, ncap;
		uint8_t *nb;
		if (want > limit) {
			/* cannot hold it: drop what we have and hunt for the next message */
			sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_STREAM_OVERSIZE,
				      "partial TCP SIP data over %zu bytes dropped", cap->cfg.max_sip_message);
			buf_set(cap, sd, 0);
			sd->resync = true;
			msg_reset(sd);
			framed = false;
			if (n > cap->cfg.max_sip_message) {
				p += n - RESYNC_TAIL;
				n = RESYNC_TAIL;
			}
			want = n;
		}
		if (want > sd->cap) {
			/* grow geometrically (a message arriving a byte at a time costs O(n) copies), within the cap */
			ncap = sd->cap ? sd->cap : 2048;
			while (ncap < want)
				ncap *= 2;
			if (ncap > limit)
				ncap = limit > want ? limit : want;
			nb = talloc_realloc_size(ss, sd->buf, ncap);
			if (!nb)
				return;
			sd->buf = nb;
			sd->cap = ncap;
		}
	}
	memcpy(sd->buf + sd->len, p, n);
	sd->chunk = sd->buf + sd->len;
	buf_set(cap, sd, sd->len + n);
	/* the tail the fast path left is a message waiting for more: framing it again would find nothing */
	if (framed) {
		sd->chunk = NULL;
		return;
	}
	used = frame_any(sc, ss, sd, sd->buf, sd->len);
	sd->chunk = NULL;
	if (sd->mode == SM_IGNORE)
		used = sd->len;
	if (used) {
		memmove(sd->buf, sd->buf + used, sd->len - used);
		buf_set(cap, sd, sd->len - used);
	}
}

static void on_gap(void *priv, uint32_t n, const struct sl_tcp_origin *at)
{
	struct seg_ctx *sc = priv;
	struct sl_capture *cap = sc->cap;
	struct sip_stream *ss = sc->f->app;
	struct stream_dir *sd = &ss->dir[sc->dir];

	sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_STREAM_GAP);
	LOGP(DSLSIP, LOGL_INFO, "source %u frame %" PRIu64 ": %u bytes missing in a TCP stream, resynchronising\n",
	     at->source, at->frame, n);
	if (sd->len)
		resync_skip(cap, sd->len);
	buf_set(cap, sd, 0);
	msg_reset(sd);
	sd->resync = true;
	sd->ws_in_msg = false;
	if (sd->mode == SM_HTTP)
		sd->mode = SM_IGNORE;
}

static bool over_stream_limit(void *priv)
{
	struct sl_capture *cap = priv;

	if (cap->stream_bytes <= cap->cfg.max_stream_bytes)
		return false;
	sl_ctr_inc(cap, SL_CG_SIP, SL_SIPC_STREAM_LIMIT);
	return true;
}

void sl_sip_stream_segment(struct sl_dec *d, struct sl_flow *f, int dir, const struct sl_tcp_seg *seg)
{
	struct sl_capture *cap = d->cap;
	struct seg_ctx sc = { .cap = cap, .f = f, .dir = dir, .at = &seg->at };
	const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &sc };

	struct sip_stream *ss = stream_of(cap, f, seg, dir);

	if (!ss)
		return;
	sl_tcp_half_segment(cap->tcp, &f->half[dir], seg, &sink);
	if ((seg->flags & SL_TCP_RST) || (f->half[0].fin && f->half[1].fin)) {
		sl_flow_remove(cap->flows, f, SL_FLOW_END_CLOSED);
		return;
	}
	if (cap->stream_bytes > cap->cfg.max_stream_bytes)
		sl_flow_table_evict_lru(cap->flows, over_stream_limit, cap);
}

void sl_sip_stream_release(struct sl_flow *f, enum sl_flow_end why, void *priv)
{
	struct sl_capture *cap = priv;
	struct sip_stream *ss = f->app;
	int i;

	if (!ss)
		return;
	if (why == SL_FLOW_END_IDLE || why == SL_FLOW_END_FLUSH) {
		/*
		 * The flow is over (idle, or the capture ended): the segment that
		 * would fill a hole will not come, so deliver what is held after
		 * it; messages there are framed and reported like any other, each
		 * with the frame its bytes came in.
		 */
		for (i = 0; i < 2; i++) {
			struct seg_ctx sc = { .cap = cap, .f = f, .dir = i };
			const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &sc };
			sl_tcp_half_flush(cap->tcp, &f->half[i], &sink);
		}
	}
	for (i = 0; i < 2; i++)
		buf_set(cap, &ss->dir[i], 0);
	talloc_free(ss);
	f->app = NULL;
}

void sl_sip_stream_hole_due(struct sl_capture *cap, struct sl_flow *f, int dir)
{
	struct seg_ctx sc = { .cap = cap, .f = f, .dir = dir };
	const struct sl_tcp_sink sink = { .data = on_data, .gap = on_gap, .priv = &sc };

	/* a flow without framing state (cannot happen once it had data) still gives its hole up */
	sl_tcp_half_expire(cap->tcp, &f->half[dir], cap->now_us, f->app ? &sink : NULL);
	if (f->half[0].fin && f->half[1].fin) {
		sl_flow_remove(cap->flows, f, SL_FLOW_END_CLOSED);
		return;
	}
	/* what was held is now framing data: the same cap as for a segment */
	if (cap->stream_bytes > cap->cfg.max_stream_bytes)
		sl_flow_table_evict_lru(cap->flows, over_stream_limit, cap);
}
