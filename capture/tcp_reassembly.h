/*
 * TCP stream reassembly for signalling (one direction of one connection).
 *
 * Turns segments into the in-order byte stream the sender wrote, the way
 * the receiver's TCP would: retransmitted bytes are delivered once,
 * out-of-order segments are held until the hole before them fills,
 * overlapping segments keep the bytes delivered/held first, sequence numbers
 * wrap. A capture that starts mid-connection (no SYN seen) synchronises on
 * the first data segment.
 *
 * A hole that never fills (the capture lost a segment; nobody retransmits
 * to a mirror port) must not stall the stream: the reassembler gives up on
 * it when it has been open for hole_timeout_us of packet time (checked by
 * the owner through sl_tcp_reasm_due_hole and sl_tcp_half_expire, for
 * every frame of the capture, not only this connection's), or at once when
 * the held out-of-order bytes of one direction exceed max_dir_ooo_bytes or
 * the bytes held by all directions together exceed max_total_bytes. It
 * reports the hole to the sink as a gap and continues with the held data.
 * Upper layers (SIP framing) resynchronise after a gap.
 *
 * Every delivered run of bytes names the frame it came from (struct
 * sl_tcp_origin): bytes held behind a hole that a later segment fills
 * carry the filling frame (the stream was complete only then); bytes behind
 * a hole given up on carry their own frame, not that of whatever frame
 * happened to release them.
 *
 * A direction is a plain struct (sl_tcp_half) embedded in the caller's flow
 * object; the shared sl_tcp_reasm holds limits, global accounting and
 * counters. Held segments are talloc children of the sl_tcp_reasm.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

struct rate_ctr_group;

#define SL_TCP_FIN 0x01
#define SL_TCP_SYN 0x02
#define SL_TCP_RST 0x04
#define SL_TCP_ACK 0x10

struct sl_tcp_reasm_cfg {
	size_t max_dir_ooo_bytes;	/* out-of-order bytes held per direction */
	unsigned max_dir_ooo_segments;	/* out-of-order segments held per direction */
	size_t max_total_bytes;		/* out-of-order bytes held by all directions */
	uint64_t hole_timeout_us;	/* packet time a hole may stay open; 0: only the limits end it */
};

/* Defaults: 256 KiB and 256 segments per direction, 64 MiB in total, holes given up after 250 ms. */
void sl_tcp_reasm_cfg_default(struct sl_tcp_reasm_cfg *cfg);

enum sl_tcp_ctr {
	SL_TCP_CTR_SEGMENTS,		/* segments offered (with or without data) */
	SL_TCP_CTR_BYTES,		/* payload bytes delivered in order */
	SL_TCP_CTR_MIDSTREAM,		/* directions synchronised without a SYN */
	SL_TCP_CTR_RETRANSMIT,		/* segments entirely made of already delivered bytes */
	SL_TCP_CTR_OVERLAP,		/* segments partly overlapping delivered or held bytes */
	SL_TCP_CTR_OUT_OF_ORDER,	/* segments held because of a hole before them */
	SL_TCP_CTR_GAP,			/* holes given up on (lost segments) */
	SL_TCP_CTR_GAP_BYTES,		/* bytes missing in those holes, each up to the largest segment seen */
	SL_TCP_CTR_LIMIT_DROP,		/* held segments discarded for a limit */
	SL_TCP_CTR_GAP_TIMEOUT,		/* holes given up on because they stayed open past hole_timeout_us */
	SL_TCP_CTR_DESYNC,		/* holes wider than the hold window: a sequence jump, not counted as bytes */
	_SL_TCP_CTR_COUNT
};

/* The frame a run of stream bytes came in: its capture time, source and number. */
struct sl_tcp_origin {
	uint64_t ts_us;
	uint32_t source;
	uint64_t frame;
};

/*
 * Where reassembled bytes go. Called synchronously from sl_tcp_half_segment,
 * sl_tcp_half_expire and sl_tcp_half_flush; `at` names the frame the bytes
 * (for gap: the bytes after the hole) came in and is valid during the call.
 */
struct sl_tcp_sink {
	void (*data)(void *priv, const uint8_t *p, size_t n, const struct sl_tcp_origin *at);
	/* n bytes are missing before the next delivered byte (0: a sequence jump of unknown size) */
	void (*gap)(void *priv, uint32_t n, const struct sl_tcp_origin *at);
	void *priv;
};

struct sl_tcp_half {
	bool synced;		/* next_seq valid */
	bool fin;		/* FIN seen and all bytes before it delivered */
	uint8_t dir;		/* which direction of its owner (set by the owner, kept by init) */
	uint32_t next_seq;	/* next expected sequence number */
	struct llist_head ooo;	/* held segments, sorted by seq */
	size_t ooo_bytes;
	unsigned ooo_segments;
	/* while segments are held: on the reassembler's hole list, sorted by hole_since_us */
	struct llist_head hole;
	uint64_t hole_since_us;	/* packet time the oldest held segment arrived */
	uint32_t max_seg_len;	/* largest payload seen (bounds what one hole counts in gap_bytes) */
};

struct sl_tcp_seg {
	uint32_t seq;
	uint8_t flags;		/* SL_TCP_* */
	const uint8_t *data;	/* payload, not kept after the call */
	size_t len;
	struct sl_tcp_origin at; /* the frame carrying it */
	uint64_t now_us;	/* the pipeline's packet time when it arrived (never runs backwards) */
};

struct sl_tcp_reasm;

/* Counters form the rate_ctr group "tcp" with index idx. */
struct sl_tcp_reasm *sl_tcp_reasm_alloc(void *ctx, const struct sl_tcp_reasm_cfg *cfg, unsigned int idx);
void sl_tcp_reasm_free(struct sl_tcp_reasm *r);

/* Clears everything but h->dir. */
void sl_tcp_half_init(struct sl_tcp_half *h);
/* Release everything a direction holds (flow closed or evicted). */
void sl_tcp_half_release(struct sl_tcp_reasm *r, struct sl_tcp_half *h);

/* Feed one segment; in-order data and gaps go to sink. */
void sl_tcp_half_segment(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_seg *seg,
			 const struct sl_tcp_sink *sink);

/* Give up on the current hole now (idle flow, capture end): deliver what is held after a gap. */
void sl_tcp_half_flush(struct sl_tcp_reasm *r, struct sl_tcp_half *h, const struct sl_tcp_sink *sink);

/*
 * The direction whose hole has been open longest, if it has been open for
 * hole_timeout_us at now_us; NULL otherwise. The owner then calls
 * sl_tcp_half_expire on it (which always takes it off the due list).
 */
struct sl_tcp_half *sl_tcp_reasm_due_hole(struct sl_tcp_reasm *r, uint64_t now_us);
/*
 * The list of directions with an open hole (read only; empty when there is
 * none), so an owner that asks every frame can skip the call when it is
 * empty. Valid as long as r.
 */
const struct llist_head *sl_tcp_reasm_holes(const struct sl_tcp_reasm *r);
/* Give up on every hole of h open for hole_timeout_us at now_us; held bytes go to sink. */
void sl_tcp_half_expire(struct sl_tcp_reasm *r, struct sl_tcp_half *h, uint64_t now_us,
			const struct sl_tcp_sink *sink);

struct rate_ctr_group *sl_tcp_reasm_ctrs(struct sl_tcp_reasm *r);
size_t sl_tcp_reasm_bytes(const struct sl_tcp_reasm *r);
