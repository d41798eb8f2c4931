/*
 * Lawful delivery inside sluiced: the `handover` (destinations) and
 * `lawful` (interceptions) configuration, and at run time one durable
 * spool and one link per destination stream (HI2, HI3), fed by the record
 * encoder (handover/ho_out.h) for every event the lawful matcher selects.
 *
 * Interceptions are configuration for now: the HI1 administration path
 * with signed warrant documents will fill the same table later.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "handover/ho_out.h"
#include "handover/link.h"
#include "handover/spool.h"
#include "mediation/lawful/intercept.h"

#define SL_HO_MAX_DEST 16
#define SL_HO_MAX_INTERCEPTS 256

struct sl_ho_dest_cfg {
	char name[SL_DEST_NAME_MAX + 1];
	char *host[2];			/* [SL_HO_HI2], [SL_HO_HI3] */
	uint16_t port[2];
	bool plain;
	char *tls_cert, *tls_key, *tls_ca, *verify_name;
	enum sl_ho_format format;
	unsigned keepalive_s;		/* TIME1; 0: none */
	bool pdu_ack;
};

struct sl_ho_cfg {
	char *operator_id, *ne_id, *country, *ipid;
	char *state_dir;		/* CIN state and spools; NULL: handover off */
	unsigned spool_max_mb;
	enum sl_spool_fsync fsync;
	struct sl_ho_dest_cfg dest[SL_HO_MAX_DEST];
	unsigned n_dest;
	struct sl_intercept ic[SL_HO_MAX_INTERCEPTS];
	unsigned n_ic;
};

struct sl_ho_dest_rt {
	const struct sl_ho_dest_cfg *cfg;
	struct sl_spool *spool[2];
	struct sl_link *link[2];
	struct sl_pdu_ctx *tri_ctx;	/* keep-alives and ack requests (no LIID of their own) */
};

struct sl_ho_rt {
	struct sl_ho_cfg *cfg;
	struct sl_lawful *law;
	struct sl_ho_out *out;
	struct sl_ho_dest_rt dest[SL_HO_MAX_DEST];
	unsigned n_dest;
	uint64_t matched;
	bool notified_active[SL_HO_MAX_INTERCEPTS];	/* HI1 liActivated sent, liDeactivated not yet */
};

void sl_ho_cfg_default(struct sl_ho_cfg *c);
void sl_ho_vty_init(struct sl_ho_cfg *c, void *ctx);
void sl_ho_show_vty_init(struct sl_ho_rt *rt);

/* Open spools and links; -1 (logged) on a configuration that cannot work. */
int sl_ho_start(struct sl_ho_rt *rt, void *ctx, struct sl_ho_cfg *cfg);
void sl_ho_stop(struct sl_ho_rt *rt);
bool sl_ho_enabled(const struct sl_ho_rt *rt);

/* An event from the capture pipeline: match, encode, spool. */
void sl_ho_event(struct sl_ho_rt *rt, const struct sl_event *ev);
void sl_ho_cc(struct sl_ho_rt *rt, const struct sl_cc *cc);
/*
 * Wall-clock duties: HI1 activation/deactivation notifications when an
 * interception's validity window opens or closes (sent once at start for
 * those already active).
 */
void sl_ho_tick(struct sl_ho_rt *rt, uint64_t now_us);
/* Make spooled records durable and visible to the links (once per loop iteration / batch). */
void sl_ho_commit(struct sl_ho_rt *rt);
