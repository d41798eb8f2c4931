/*
 * Internals of the warrant store shared by warrant_store.c (loading,
 * offering documents, ticks), warrant_fsm.c (the lifecycle machine),
 * warrant_effects.c (reports and the lawful table) and warrant_state.c
 * (what is remembered across restarts). Not for use outside these files.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/fsm.h>
#include <osmocom/core/linuxlist.h>
#include <osmocom/core/rate_ctr.h>

#include "mediation/lawful/warrant_store.h"

#define SL_WARRANT_MEMO_BUCKETS 4096

/* What is remembered per LIID, warrant held or not. */
struct sl_liid_rec {
	struct hlist_node node;
	uint64_t hash;
	char liid[SL_LIID_MAX + 1];
	char authority[SL_AUTHORITY_NAME_MAX + 1];	/* of the warrants of this LIID */
	uint32_t version;				/* highest version taken on */
	uint8_t digest[32];				/* of that version's signed file */
	enum sl_warrant_state state;
	bool told_active;				/* liActivated sent, liDeactivated not yet */
	uint32_t revoked_upto;				/* versions up to this one are revoked */
	uint8_t rev_digest[32];				/* the last revocation taken on */
	bool have_rev;
	uint32_t hi1_seq;				/* next HI1 sequence number of this LIID */
	struct sl_warrant *w;				/* the warrant held for it, if any */
};

/* One warrant held: its document, its machine. */
struct sl_warrant {
	struct sl_warrants *ws;
	struct sl_liid_rec *rec;
	struct osmo_fsm_inst *fi;
	struct sl_signed_doc doc;
	char *file;
	bool in_table;			/* in the lawful table */
	uint64_t since_us;		/* when it entered its state */
};

struct sl_warrants {
	struct sl_warrants_cfg cfg;
	char *dir, *state_path;
	struct hlist_head *b;		/* liid records, 2^bits buckets */
	unsigned bits, n_recs;
	struct sl_liid_rec **recs;	/* every record, in the order taken on (for show) */
	unsigned recs_cap;
	bool dirty;			/* state changed since the last write */
	struct hlist_head *memo;	/* files already read (struct file_memo in warrant_store.c) */
	uint64_t now_us;		/* the clock of the event being processed */
	uint64_t next_change_us;	/* see sl_warrants_next_change */
	uint8_t cur_digest[32];		/* SHA-256 of the document being offered (refusals name it) */
	struct rate_ctr_group *ctrs;
};

/* warrant_state.c */
struct sl_liid_rec *sl_wstate_find(struct sl_warrants *ws, const char *liid);
struct sl_liid_rec *sl_wstate_get(struct sl_warrants *ws, const char *liid);	/* create if missing */
int sl_wstate_load(struct sl_warrants *ws, char *err, size_t errlen);
int sl_wstate_save(struct sl_warrants *ws);

/* warrant_fsm.c */
enum sl_warrant_fsm_event { SL_WFE_TICK, SL_WFE_REVOKE, SL_WFE_SUPERSEDE };
/* Start a warrant's machine in a state (a new one: PENDING; a restored one: what was remembered). */
int sl_warrant_fsm_start(struct sl_warrant *w, enum sl_warrant_state st);
enum sl_warrant_state sl_warrant_fsm_state(const struct sl_warrant *w);

/* warrant_effects.c */
/* Report an event of a warrant through the configured callback (with its counters and log line). */
void sl_warrant_report(struct sl_warrant *w, enum sl_wevent_kind kind);
/* Any event through the configured callback. */
void sl_warrant_emit(struct sl_warrants *ws, struct sl_wevent *e);
/* Put the warrant in or take it out of the lawful table. */
void sl_warrant_table(struct sl_warrant *w, bool in);
