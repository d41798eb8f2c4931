/* Media index entries (capture-internal; see media.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include "capture/addr.h"

struct sl_capture;
struct sl_dialog;
struct sl_rtp_stream;

struct sl_media_entry {
	struct hlist_node hnode;
	struct llist_head lru;
	struct llist_head dlg_entry;	/* on dialog->media */
	struct sl_endpoint ep;
	uint64_t hash;
	struct sl_dialog *dlg;
	bool rtcp;			/* the RTCP port of a media line */
	bool at_caller;			/* announced by the caller (caller receives here) */
	uint32_t clock_rate;		/* of the first payload type, from a=rtpmap; 0 unknown */
	/*
	 * The RTP stream last found through this entry, or NULL: a cache
	 * rtp_stream.c keeps, so the packets of one stream skip the stream
	 * table's hash and bucket. stream_ref points at the stream's pointer
	 * back to this entry: entry_free clears it there (without calling
	 * into rtp_stream.c), and stream_end clears both fields here.
	 */
	struct sl_rtp_stream *stream;
	struct sl_media_entry **stream_ref;
};

struct sl_media_entry *sl_media_find(struct sl_capture *cap, const struct sl_endpoint *ep);
