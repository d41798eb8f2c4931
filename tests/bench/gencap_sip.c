/*
 * SIP message text and the subscribers who send it.
 *
 * sluice's SIP parser is fed whatever user agents and proxies emit, so the
 * generator writes messages the way deployed equipment does (RFC 3261
 * section 7 and 20): topmost Via with a z9hG4bK branch, From with a tag,
 * To gaining its tag in responses, a Content-Length that is always exact,
 * User-Agent in requests and Server in responses, optional
 * P-Asserted-Identity (RFC 3325). Two variations real parsers trip over are
 * available per message: compact header names (section 7.3.3) and a header
 * value folded over two lines (section 7.3.1). Content-Length is written
 * last, right before the body, so it is computed from the body actually
 * written.
 *
 * The identity pool mixes the URI forms found on trunks: E.164 numbers as
 * sip: URIs with user=phone, alphanumeric users, and tel: URIs (RFC 3966).
 * Ownership: the pool is one talloc array under the caller's context.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

static const char *const first_names[] = {
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoe",
};

static const char *const last_names[] = {
	"Miller", "Schmidt", "Novak", "Rossi", "Dubois", "Jensen", "Kowalski", "Garcia", "Smith", "Weber",
};

static const char *const agents[] = {
	"Yealink SIP-T46U 108.86.0.20",
	"Linphone/5.2.0 (belle-sip/5.2.0)",
	"Zoiper rv2.10.19.6",
	"Grandstream GXP2170 1.0.11.23",
	"Cisco-SIPGateway/IOS-16.12",
	"Asterisk PBX 20.5.0",
	"FreeSWITCH-mod_sofia/1.10.10-release",
	"snom D785/10.1.141.13",
	"Polycom/6.4.3 PolycomVVX-VVX_450-UA/6.4.3",
	"MicroSIP/3.21.3",
};

static void capitalise(char *dst, size_t len, const char *name)
{
	snprintf(dst, len, "%s", name);
	if (dst[0] >= 'a' && dst[0] <= 'z')
		dst[0] = (char)(dst[0] - 'a' + 'A');
}

struct gc_ident *gc_idents_make(void *ctx, struct gc_rng *r, unsigned n)
{
	struct gc_ident *ids = talloc_zero_array(ctx, struct gc_ident, n);

	if (!ids)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		struct gc_ident *id = &ids[i];
		const char *fn = first_names[gc_rng_range(r, 0, 19)];
		const char *ln = last_names[gc_rng_range(r, 0, 9)];
		char cap[16];
		unsigned roll = gc_rng_range(r, 0, 99);

		capitalise(cap, sizeof(cap), fn);
		if (roll < 55) {
			id->kind = GC_URI_PHONE;
			/* Berlin numbers: +49 30 and seven or eight digits. */
			if (gc_rng_pct(r, 50))
				snprintf(id->user, sizeof(id->user), "+4930%07u", gc_rng_range(r, 0, 9999999));
			else
				snprintf(id->user, sizeof(id->user), "+4930%08u", gc_rng_range(r, 0, 99999999));
			snprintf(id->domain, sizeof(id->domain), "example.net");
		} else if (roll < 88) {
			id->kind = GC_URI_NAME;
			switch (gc_rng_range(r, 0, 3)) {
			case 0:
				snprintf(id->user, sizeof(id->user), "%s", fn);
				break;
			case 1:
				snprintf(id->user, sizeof(id->user), "%s.%c%s", fn, ln[0] - 'A' + 'a', ln + 1);
				break;
			case 2:
				snprintf(id->user, sizeof(id->user), "%s_%u", fn, gc_rng_range(r, 1, 999));
				break;
			default:
				snprintf(id->user, sizeof(id->user), "%s-%u", fn, gc_rng_range(r, 10, 99));
				break;
			}
			snprintf(id->domain, sizeof(id->domain), gc_rng_pct(r, 50) ? "example.org" : "example.com");
		} else {
			id->kind = GC_URI_TEL;
			snprintf(id->user, sizeof(id->user), "+4989%07u", gc_rng_range(r, 0, 9999999));
		}
		if (gc_rng_pct(r, 60))
			snprintf(id->display, sizeof(id->display), "%s %s", cap, ln);
	}
	return ids;
}

const char *gc_ident_uri(const struct gc_ident *id, char *buf, size_t len)
{
	switch (id->kind) {
	case GC_URI_PHONE:
		snprintf(buf, len, "sip:%s@%s;user=phone", id->user, id->domain);
		break;
	case GC_URI_NAME:
		snprintf(buf, len, "sip:%s@%s", id->user, id->domain);
		break;
	case GC_URI_TEL:
		snprintf(buf, len, "tel:%s", id->user);
		break;
	}
	return buf;
}

const char *gc_ident_contact(const struct gc_ident *id, const char *host, uint16_t port, bool tcp,
			     char *buf, size_t len)
{
	snprintf(buf, len, "<sip:%s@%s:%u%s>", id->user, host, port, tcp ? ";transport=tcp" : "");
	return buf;
}

const char *gc_sip_agent(struct gc_rng *r)
{
	return agents[gc_rng_range(r, 0, sizeof(agents) / sizeof(agents[0]) - 1)];
}

/* Bounded appender: once something does not fit, the message is void. */
struct wbuf {
	char *p;
	size_t len, cap;
	bool over;
};

__attribute__((format(printf, 2, 3)))
static void wf(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->p + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->over = true;
		return;
	}
	w->len += (size_t)n;
}

static void name_addr(struct wbuf *w, const char *display, const char *uri, const char *tag)
{
	if (display && display[0])
		wf(w, "\"%s\" ", display);
	wf(w, "<%s>", uri);
	if (tag)
		wf(w, ";tag=%s", tag);
	wf(w, "\r\n");
}

static size_t headers(struct wbuf *w, bool request, const struct gc_sip_hdrs *h)
{
	bool c = h->compact;

	for (int i = 0; i < 2; i++)
		if (h->via[i])
			wf(w, "%s %s\r\n", c ? "v:" : "Via:", h->via[i]);
	if (request)
		wf(w, "Max-Forwards: 70\r\n");
	wf(w, "%s ", c ? "f:" : "From:");
	name_addr(w, h->from_display, h->from_uri, h->from_tag);
	wf(w, "%s ", c ? "t:" : "To:");
	name_addr(w, h->to_display, h->to_uri, h->to_tag);
	wf(w, "%s %s\r\n", c ? "i:" : "Call-ID:", h->call_id);
	wf(w, "CSeq: %u %s\r\n", h->cseq, h->cseq_method);
	if (h->contact)
		wf(w, "%s %s\r\n", c ? "m:" : "Contact:", h->contact);
	if (h->pai)
		wf(w, "P-Asserted-Identity: %s\r\n", h->pai);
	if (h->allow) {
		/* A folded line continues with leading whitespace (LWS). */
		if (h->fold)
			wf(w, "Allow: INVITE, ACK, CANCEL, BYE,\r\n OPTIONS, MESSAGE, UPDATE, PRACK\r\n");
		else
			wf(w, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, UPDATE, PRACK\r\n");
		wf(w, "%s replaces, timer\r\n", c ? "k:" : "Supported:");
	}
	if (h->agent)
		wf(w, "%s %s\r\n", request ? "User-Agent:" : "Server:", h->agent);
	if (h->extra)
		wf(w, "%s", h->extra);
	if (h->body_len && h->ctype)
		wf(w, "%s %s\r\n", c ? "c:" : "Content-Type:", h->ctype);
	wf(w, "%s %zu\r\n\r\n", c ? "l:" : "Content-Length:", h->body_len);
	if (h->body_len) {
		if (w->cap - w->len < h->body_len)
			w->over = true;
		else {
			memcpy(w->p + w->len, h->body, h->body_len);
			w->len += h->body_len;
		}
	}
	return w->over ? 0 : w->len;
}

size_t gc_sip_request(char *buf, size_t cap, const char *method, const char *ruri, const struct gc_sip_hdrs *h)
{
	struct wbuf w = { .p = buf, .cap = cap };

	wf(&w, "%s %s SIP/2.0\r\n", method, ruri);
	return headers(&w, true, h);
}

size_t gc_sip_response(char *buf, size_t cap, int status, const char *reason, const struct gc_sip_hdrs *h)
{
	struct wbuf w = { .p = buf, .cap = cap };

	wf(&w, "SIP/2.0 %d %s\r\n", status, reason);
	return headers(&w, false, h);
}
