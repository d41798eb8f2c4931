/*
 * Media index: which dialog announced a given IP address and port in its
 * SDP (RFC 3264 offer/answer).
 *
 * Each SDP media line with a non-zero port adds two entries, the RTP port
 * and the RTCP port (a=rtcp or port + 1, none with a=rtcp-mux), pointing at
 * the dialog and remembering whether the caller or the callee announced
 * it. An address announced again (a new call reusing a port, a re-INVITE)
 * points at the newest dialog. Entries belong to their dialog and go when
 * it goes; the index is capped and evicts least recently announced entries.
 * SBCs and B2BUAs rewrite SDP, so one call may own entries on both sides of
 * the media relay, which is how both legs' RTP get tied to the call.
 */
#include <string.h>

#include "util/buckets.h"
#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/dialog_int.h"
#include "util/hash.h"
#include "capture/log.h"
#include "capture/media_int.h"
#include "capture/sdp_parse.h"
#include "capture/sip_body.h"


struct sl_media {
	struct sl_buckets table;
	struct llist_head lru;		/* head = least recently announced */
	unsigned count;
};

struct sl_media *sl_media_alloc(struct sl_capture *cap)
{
	struct sl_media *m = talloc_zero(cap, struct sl_media);

	if (!m)
		return NULL;
	if (!sl_buckets_init(m, &m->table, cap->cfg.max_media)) {
		talloc_free(m);
		return NULL;
	}
	INIT_LLIST_HEAD(&m->lru);
	return m;
}

unsigned sl_media_count(const struct sl_media *m)
{
	return m->count;
}

/* An IPv4 endpoint packs losslessly into one word: one hash step instead of three. */
static uint64_t ep_hash(const struct sl_endpoint *ep)
{
	if (ep->addr.family == SL_AF_INET4) {
		uint32_t a4;
		uint64_t w;

		memcpy(&a4, ep->addr.a, 4);
		w = (uint64_t)a4 | (uint64_t)ep->port << 32;
		return sl_hash(&w, sizeof(w));
	}
	return sl_hash(ep, sizeof(*ep));
}

static struct sl_media_entry *find(struct sl_media *m, const struct sl_endpoint *ep, uint64_t h)
{
	struct sl_media_entry *e;

	hlist_for_each_entry(e, sl_buckets_head(&m->table, h), hnode)
		if (e->hash == h && sl_endpoint_eq(&e->ep, ep))
			return e;
	return NULL;
}

static void entry_free(struct sl_media *m, struct sl_media_entry *e)
{
	/* the stream this entry found last no longer points back at it */
	if (e->stream_ref)
		*e->stream_ref = NULL;
	hlist_del_init(&e->hnode);
	llist_del(&e->lru);
	llist_del(&e->dlg_entry);
	m->count--;
	talloc_free(e);
}

static bool addr_unspecified(const struct sl_addr *a)
{
	static const uint8_t zero[16];

	return a->family == 0 || memcmp(a->a, zero, a->family == SL_AF_INET4 ? 4 : 16) == 0;
}

/* "AMR-WB/16000/1" -> 16000 */
static uint32_t clock_rate(struct sl_str enc)
{
	long slash = sl_str_chr(enc, '/');
	struct sl_str r;
	long slash2;
	uint32_t v;

	if (slash < 0)
		return 0;
	r = sl_str_sub(enc, (size_t)slash + 1, enc.len);
	slash2 = sl_str_chr(r, '/');
	if (slash2 >= 0)
		r.len = (size_t)slash2;
	return sl_str_to_u32(r, 1000000, &v) ? v : 0;
}

static void add(struct sl_capture *cap, struct sl_dialog *dlg, const struct sl_addr *addr, uint16_t port, bool rtcp,
		bool at_caller, uint32_t rate)
{
	struct sl_media *m = cap->media;
	struct sl_endpoint ep;
	struct sl_media_entry *e;
	uint64_t h;

	memset(&ep, 0, sizeof(ep));
	ep.addr = *addr;
	ep.port = port;
	h = ep_hash(&ep);
	e = find(m, &ep, h);
	if (!e) {
		while (m->count >= cap->cfg.max_media && !llist_empty(&m->lru)) {
			sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_MEDIA_EVICTED);
			entry_free(m, llist_first_entry(&m->lru, struct sl_media_entry, lru));
		}
		e = talloc_zero(m, struct sl_media_entry);
		if (!e)
			return;
		e->ep = ep;
		e->hash = h;
		hlist_add_head(&e->hnode, sl_buckets_head(&m->table, h));
		INIT_LLIST_HEAD(&e->lru);
		INIT_LLIST_HEAD(&e->dlg_entry);
		m->count++;
		sl_ctr_inc(cap, SL_CG_DIALOG, SL_DLG_MEDIA);
	}
	if (e->dlg != dlg) {
		llist_del(&e->dlg_entry);
		llist_add_tail(&e->dlg_entry, &dlg->media);
		e->dlg = dlg;
	}
	e->rtcp = rtcp;
	e->at_caller = at_caller;
	if (rate)
		e->clock_rate = rate;
	llist_del(&e->lru);
	llist_add_tail(&e->lru, &m->lru);
}

void sl_media_learn(struct sl_capture *cap, struct sl_dialog *dlg, struct sl_str ct, struct sl_str body, bool from_caller)
{
	struct sl_body parts;
	const struct sl_body_part *sdpp;
	struct sl_sdp sdp;
	enum sl_sdp_err err;
	unsigned i;

	sl_sip_body_parts(ct, body, &parts);
	if (parts.malformed)
		sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_MULTIPART_MALFORMED, "dialog %" PRIu64 ": multipart body malformed",
			      dlg->id);
	sdpp = sl_body_find(&parts, "application/sdp");
	if (!sdpp)
		return;
	err = sl_sdp_parse(sdpp->body, &sdp);
	if (err != SL_SDP_OK) {
		sl_cap_reject(cap, SL_CG_SIP, SL_SIPC_SDP_MALFORMED, "dialog %" PRIu64 ": SDP rejected: %s", dlg->id,
			      sl_sdp_err_names[err]);
		return;
	}
	for (i = 0; i < sdp.n_media; i++) {
		const struct sl_sdp_media *md = &sdp.m[i];
		uint32_t rate = clock_rate(md->rtpmap0);
		if (!md->port || addr_unspecified(&md->addr))
			continue;
		add(cap, dlg, &md->addr, md->port, false, from_caller, rate);
		if (!md->rtcp_mux && md->rtcp_port)
			add(cap, dlg, &md->addr, md->rtcp_port, true, from_caller, 0);
	}
}

struct sl_media_entry *sl_media_find(struct sl_capture *cap, const struct sl_endpoint *ep)
{
	return find(cap->media, ep, ep_hash(ep));
}

void sl_media_forget_dialog(struct sl_capture *cap, struct sl_dialog *dlg)
{
	struct sl_media_entry *e, *tmp;

	llist_for_each_entry_safe(e, tmp, &dlg->media, dlg_entry)
		entry_free(cap->media, e);
}
