/*
 * RTP and RTCP streams of known dialogs: association, statistics, summaries
 * and the content hook.
 *
 * A UDP datagram that is not SIP is media if its destination (or, for
 * symmetric RTP, its source) is an endpoint some dialog announced in SDP.
 * Streams are keyed like an RTP receiver sees them: source, destination
 * and SSRC (RFC 3550 section 8), separately for RTCP. Each stream keeps the
 * counters of RFC 3550 appendix A.1 (extended highest sequence number over
 * wrap-arounds, expected versus received) and A.8 (interarrival jitter,
 * when the clock rate is known from the payload type or a=rtpmap).
 *
 * A stream ends, and its summary event is emitted, when it has been idle
 * for rtp_idle_us, when its dialog is freed, when the table is full (the
 * least recently active stream goes), or when the capture ends. Packets of
 * dialogs a consumer asked content for are handed over as sl_cc.
 *
 * The summary carries the dialog's parties; a stream whose source or
 * destination is a UE address the GTPv2-C binding table knows adds that
 * subscriber's identities to the party on that side (looked up once, when
 * the stream ends: no cost per packet). SIP seen only between core nodes
 * then still ties the media of a mobile to its IMSI.
 */
#include <string.h>

#include "util/buckets.h"
#include <talloc.h>

#include "capture/capture_int.h"
#include "capture/dialog_int.h"
#include "util/hash.h"
#include "capture/media_int.h"
#include "capture/rtp.h"
#include "capture/ue_bind.h"

/* RFC 3550 A.1: a jump larger than this is not an in-order advance */
#define MAX_DROPOUT 3000

struct stream_key {
	struct sl_endpoint src, dst;
	uint32_t ssrc;
	uint8_t rtcp;
	uint8_t pad[3];
};

struct sl_rtp_stream {
	struct hlist_node hnode;
	struct llist_head lru;		/* head = least recently active */
	struct llist_head dlg_entry;	/* on dialog->streams */
	struct stream_key key;
	uint64_t hash;
	struct sl_dialog *dlg;
	struct sl_media_entry *cached_by;	/* the media entry whose stream cache points here, or NULL */
	uint8_t dir;			/* enum sl_dir */
	uint8_t pt;
	uint32_t clock;
	uint64_t packets, bytes, first_us, last_us;
	/* RFC 3550 A.1 sequence state */
	uint32_t base_seq, cycles;
	uint16_t max_seq;
	/* RFC 3550 A.8 jitter, in timestamp units */
	double jitter;
	int64_t last_transit;
	bool have_transit;
};

struct sl_rtp_streams {
	struct sl_buckets table;
	struct llist_head lru;
	unsigned count;
};

struct sl_rtp_streams *sl_rtp_streams_alloc(struct sl_capture *cap)
{
	struct sl_rtp_streams *rs = talloc_zero(cap, struct sl_rtp_streams);

	if (!rs)
		return NULL;
	if (!sl_buckets_init(rs, &rs->table, cap->cfg.max_rtp_streams)) {
		talloc_free(rs);
		return NULL;
	}
	INIT_LLIST_HEAD(&rs->lru);
	return rs;
}

unsigned sl_rtp_count(const struct sl_rtp_streams *rs)
{
	return rs->count;
}

/* Drop the link between e and the stream it found last, from both sides */
static void cache_unlink(struct sl_media_entry *e)
{
	if (e->stream_ref)
		*e->stream_ref = NULL;
	e->stream = NULL;
	e->stream_ref = NULL;
}

static void stream_end(struct sl_capture *cap, struct sl_rtp_stream *s)
{
	struct sl_dialog *d = s->dlg;
	struct sl_event ev;
	struct sl_rtp_summary *r = &ev.u.rtp;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_RTP_STREAM;
	ev.ts_us = s->last_us;
	ev.call_id = sl_str_make(d->call_id, d->call_id_len);
	ev.dialog = d;
	ev.from = d->caller;
	ev.to = d->callee;
	ev.dir = (enum sl_dir)s->dir;
	{
		/* the sender of a stream from the caller is the caller */
		bool from_caller = s->dir == SL_DIR_FROM_CALLER;
		const struct sl_ue_sess *u;

		if ((u = sl_gtp_lookup(cap, &s->key.src.addr)))
			sl_ue_party_add(from_caller ? &ev.from : &ev.to, &u->info);
		if ((u = sl_gtp_lookup(cap, &s->key.dst.addr)))
			sl_ue_party_add(from_caller ? &ev.to : &ev.from, &u->info);
	}
	r->rtcp = s->key.rtcp;
	r->ssrc = s->key.ssrc;
	r->pt = s->pt;
	r->src = s->key.src;
	r->dst = s->key.dst;
	r->packets = s->packets;
	r->bytes = s->bytes;
	if (!s->key.rtcp) {
		uint64_t expected = (uint64_t)s->cycles + s->max_seq - s->base_seq + 1;
		r->lost = (int64_t)expected - (int64_t)s->packets;
	}
	r->first_us = s->first_us;
	r->last_us = s->last_us;
	r->jitter_ms = s->clock ? s->jitter / s->clock * 1000.0 : 0;
	sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_STREAMS_ENDED);
	sl_cap_emit(cap, &ev);

	if (s->cached_by)
		cache_unlink(s->cached_by);
	hlist_del_init(&s->hnode);
	llist_del(&s->lru);
	llist_del(&s->dlg_entry);
	cap->rtp->count--;
	talloc_free(s);
}

/*
 * The key is 56 bytes, most of them zero for IPv4. Two IPv4 endpoints pack
 * losslessly into three words (addresses, ports and SSRC, RTCP flag), which
 * the seeded hash takes in three steps instead of seven; other keys hash
 * whole. Equality is still decided by comparing the full keys.
 */
static uint64_t stream_hash(const struct stream_key *k)
{
	if (k->src.addr.family == SL_AF_INET4 && k->dst.addr.family == SL_AF_INET4) {
		uint32_t s4, d4;
		uint64_t w[3];

		memcpy(&s4, k->src.addr.a, 4);
		memcpy(&d4, k->dst.addr.a, 4);
		w[0] = (uint64_t)s4 | (uint64_t)d4 << 32;
		w[1] = (uint64_t)k->src.port | (uint64_t)k->dst.port << 16 | (uint64_t)k->ssrc << 32;
		w[2] = k->rtcp;
		return sl_hash(w, sizeof(w));
	}
	return sl_hash(k, sizeof(*k));
}

/* Point e's stream cache at s (each side holds at most one link) */
static void cache_link(struct sl_media_entry *e, struct sl_rtp_stream *s)
{
	if (e->stream == s)
		return;
	cache_unlink(e);
	if (s->cached_by)
		cache_unlink(s->cached_by);
	e->stream = s;
	e->stream_ref = &s->cached_by;
	s->cached_by = e;
}

/*
 * The stream of key k of e's dialog, created if need be. The stream e
 * found last is tried first: it is the one the table would give when its
 * key is k and its dialog is still e's (the cache is dropped when the
 * stream ends), so only a miss pays for the hash and the bucket walk.
 */
static struct sl_rtp_stream *stream_get(struct sl_capture *cap, const struct stream_key *k, struct sl_media_entry *e)
{
	struct sl_rtp_streams *rs = cap->rtp;
	struct sl_dialog *dlg = e->dlg;
	struct sl_rtp_stream *s = e->stream;
	uint64_t h;

	if (s && s->dlg == dlg && memcmp(&s->key, k, sizeof(*k)) == 0)
		return s;
	h = stream_hash(k);

	hlist_for_each_entry(s, sl_buckets_head(&rs->table, h), hnode) {
		if (s->hash == h && memcmp(&s->key, k, sizeof(*k)) == 0) {
			if (s->dlg == dlg) {
				cache_link(e, s);
				return s;
			}
			/* the endpoint now belongs to a newer dialog: the old stream is over */
			stream_end(cap, s);
			break;
		}
	}
	while (rs->count >= cap->cfg.max_rtp_streams && !llist_empty(&rs->lru)) {
		sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_STREAMS_EVICTED);
		stream_end(cap, llist_first_entry(&rs->lru, struct sl_rtp_stream, lru));
	}
	s = talloc_zero(rs, struct sl_rtp_stream);
	if (!s)
		return NULL;
	s->key = *k;
	s->hash = h;
	s->dlg = dlg;
	hlist_add_head(&s->hnode, sl_buckets_head(&rs->table, h));
	INIT_LLIST_HEAD(&s->lru);
	llist_add_tail(&s->dlg_entry, &dlg->streams);
	rs->count++;
	sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_STREAMS);
	cache_link(e, s);
	return s;
}

static void update_rtp(struct sl_rtp_stream *s, const struct sl_rtp_hdr *h, uint64_t now_us)
{
	if (s->packets == 1) {
		s->base_seq = h->seq;
		s->max_seq = h->seq;
		s->pt = h->pt;
	} else {
		uint16_t udelta = (uint16_t)(h->seq - s->max_seq);
		if (udelta < MAX_DROPOUT && udelta != 0) {
			if (h->seq < s->max_seq)
				s->cycles += 65536;
			s->max_seq = h->seq;
		}
		/* else: duplicate, reordered or a jump: counted as received only */
	}
	if (s->clock) {
		int64_t arrival = (int64_t)(now_us * s->clock / 1000000);
		int64_t transit = arrival - (int64_t)h->ts;
		if (s->have_transit) {
			int64_t dd = transit - s->last_transit;
			if (dd < 0)
				dd = -dd;
			s->jitter += ((double)dd - s->jitter) / 16.0;
		}
		s->last_transit = transit;
		s->have_transit = true;
	}
}

bool sl_rtp_on_datagram(struct sl_dec *d, const struct sl_endpoint *src, const struct sl_endpoint *dst,
			struct sl_cursor payload)
{
	struct sl_capture *cap = d->cap;
	struct sl_media_entry *e;
	struct sl_rtp_stream *s;
	struct stream_key k;
	struct sl_rtp_hdr h;
	enum sl_dir dir;
	bool rtcp;
	uint8_t rtcp_type;
	uint32_t ssrc;

	e = sl_media_find(cap, dst);
	if (e) {
		/* sent to where the announcing side receives: it comes from the other side */
		dir = e->at_caller ? SL_DIR_FROM_CALLEE : SL_DIR_FROM_CALLER;
	} else {
		e = sl_media_find(cap, src);
		if (!e)
			return false;
		/* symmetric RTP: sent from the port the sender announced */
		dir = e->at_caller ? SL_DIR_FROM_CALLER : SL_DIR_FROM_CALLEE;
	}
	if (payload.left < 1 || (payload.p[0] >> 6) != 2)
		return false; /* STUN, DTLS, ZRTP or keep-alives sharing the port: not RTP */

	rtcp = e->rtcp || sl_rtp_looks_like_rtcp(payload.p, payload.left);
	if (rtcp) {
		if (sl_rtcp_parse(payload.p, payload.left, &rtcp_type, &ssrc) != SL_RTP_OK) {
			sl_cap_reject(cap, SL_CG_RTP, SL_RTPC_MALFORMED, "source %u frame %" PRIu64 ": malformed RTCP",
				      d->frame->source, d->frame->number);
			return true;
		}
	} else {
		if (sl_rtp_parse(payload.p, payload.left, &h) != SL_RTP_OK) {
			sl_cap_reject(cap, SL_CG_RTP, SL_RTPC_MALFORMED, "source %u frame %" PRIu64 ": malformed RTP",
				      d->frame->source, d->frame->number);
			return true;
		}
		ssrc = h.ssrc;
	}

	memset(&k, 0, sizeof(k));
	k.src = *src;
	k.dst = *dst;
	k.ssrc = ssrc;
	k.rtcp = rtcp;
	s = stream_get(cap, &k, e);
	if (!s)
		return true;
	if (!s->packets) {
		s->first_us = d->frame->ts_us;
		s->dir = (uint8_t)dir;
		if (!rtcp)
			s->clock = sl_rtp_static_clock(h.pt) ? sl_rtp_static_clock(h.pt) : e->clock_rate;
	}
	s->packets++;
	s->bytes += payload.left;
	s->last_us = d->frame->ts_us;
	llist_del(&s->lru);
	llist_add_tail(&s->lru, &cap->rtp->lru);
	if (rtcp) {
		sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_RTCP_PACKETS);
	} else {
		sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_PACKETS);
		sl_ctr_add(cap, SL_CG_RTP, SL_RTPC_BYTES, (int64_t)payload.left);
		update_rtp(s, &h, d->frame->ts_us);
	}

	if (e->dlg->cc_wanted && cap->ops.cc) {
		struct sl_cc cc = {
			.kind = rtcp ? SL_CC_RTCP : SL_CC_RTP, .ts_us = d->frame->ts_us, .source = d->frame->source,
			.call_id = sl_str_make(e->dlg->call_id, e->dlg->call_id_len), .dialog = e->dlg, .dir = dir,
			.src = *src, .dst = *dst, .data = payload.p, .len = payload.left,
		};
		sl_ctr_inc(cap, SL_CG_RTP, SL_RTPC_CC_DELIVERED);
		cap->ops.cc(&cc, cap->ops.priv);
	}
	return true;
}

void sl_rtp_dialog_gone(struct sl_capture *cap, struct sl_dialog *dlg)
{
	struct sl_rtp_stream *s, *tmp;

	llist_for_each_entry_safe(s, tmp, &dlg->streams, dlg_entry)
		stream_end(cap, s);
}

void sl_rtp_expire(struct sl_capture *cap, uint64_t now_us)
{
	struct sl_rtp_streams *rs = cap->rtp;

	while (!llist_empty(&rs->lru)) {
		struct sl_rtp_stream *s = llist_first_entry(&rs->lru, struct sl_rtp_stream, lru);
		if (s->last_us + cap->cfg.rtp_idle_us > now_us)
			break;
		stream_end(cap, s);
	}
}

void sl_rtp_flush(struct sl_capture *cap)
{
	struct sl_rtp_streams *rs = cap->rtp;

	while (!llist_empty(&rs->lru))
		stream_end(cap, llist_first_entry(&rs->lru, struct sl_rtp_stream, lru));
}
