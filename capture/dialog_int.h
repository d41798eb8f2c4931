/*
 * The dialog record shared by the dialog tracker, the media index and the
 * RTP stream table (capture-internal).
 *
 * A dialog is whatever one SIP Call-ID identifies that sluice reports on:
 * a call (INVITE dialog), a registration (REGISTER transactions of one UA
 * binding) or a page-mode message. The dialog owns the media endpoints its
 * SDP announced and knows the RTP streams tied to them, so freeing a dialog
 * ends its streams and drops its endpoints in O(its own entries).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include "capture/addr.h"
#include "capture/identity.h"
#include "capture/sip_pani.h"

enum sl_dlg_kind { SL_DLG_KIND_CALL, SL_DLG_KIND_REGISTER, SL_DLG_KIND_MESSAGE };

enum sl_dlg_state {
	SL_DS_NEW,		/* created by its first request, not yet in any state of its kind */
	SL_DS_CALLING,		/* INVITE sent, no provisional response with ringing yet */
	SL_DS_EARLY,		/* 18x seen */
	SL_DS_CHALLENGED,	/* 401/407 to the INVITE or REGISTER: a retry with the next CSeq may follow */
	SL_DS_CONFIRMED,	/* 2xx to the INVITE */
	SL_DS_PENDING,		/* REGISTER/MESSAGE request awaiting its final response */
	SL_DS_DONE,		/* ended; lingering for retransmissions and trailing media */
	_SL_DS_COUNT
};

extern const char *const sl_dlg_state_names[_SL_DS_COUNT];

/* Timer queues: each has one fixed timeout, so appending keeps it sorted by deadline. */
enum sl_dlg_queue { SL_DQ_INVITE, SL_DQ_SESSION, SL_DQ_TRANSACTION, SL_DQ_LINGER, _SL_DQ_COUNT };

#define SL_DLG_TAG_MAX 64
#define SL_DLG_PANI_MAX 160
#define SL_DLG_CALL_ID_MAX 512

struct sl_dialog {
	struct hlist_node hnode;
	struct llist_head qentry;	/* on queue[q] */
	struct llist_head eentry;	/* on the eviction list of its evidence class, oldest first */
	struct llist_head media;	/* struct sl_media_entry.dlg_entry */
	struct llist_head streams;	/* struct sl_rtp_stream.dlg_entry */
	uint64_t id;
	uint64_t hash;
	char *call_id;
	size_t call_id_len;
	uint8_t kind;			/* enum sl_dlg_kind */
	uint8_t state;			/* enum sl_dlg_state, changed only by dlg_enter() in dialog.c */
	uint8_t q;			/* enum sl_dlg_queue */
	bool cc_wanted;
	bool ended;			/* call end event emitted */
	bool rang;
	bool answered;			/* a response (above 100) came from the far end */
	uint64_t deadline_us;
	uint64_t start_us, ring_us, answer_us;
	uint32_t cseq;			/* CSeq of the INVITE / pending REGISTER or MESSAGE */
	uint32_t last_msg_cseq;		/* last MESSAGE reported (duplicates) */
	bool msg_reported;
	int final_status;
	uint32_t reg_expires;		/* requested expiry of the pending REGISTER */
	char caller_tag[SL_DLG_TAG_MAX];
	struct sl_party caller, callee;	/* dialog_create zeroes everything but these (n only) and expects pani next */
	char pani[SL_DLG_PANI_MAX];
	struct sl_cell ev_cell;		/* the cell of the event being emitted (ev->cell points here) */
	bool has_bound_cell;		/* a message of the dialog without PANI had a cell from the UE binding table */
	struct sl_cell bound_cell;	/* the last such cell */
	bool loc_reported;		/* a location event named loc_cell */
	struct sl_cell loc_cell;	/* the last cell a location event reported for this dialog */
};
