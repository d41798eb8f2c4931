/*
 * Lawful delivery inside sluiced: the `handover` (destinations) and
 * `lawful` (interceptions) configuration, and at run time one durable
 * spool and one link per destination stream (HI2, HI3), fed by the record
 * encoder (handover/ho_out.h) for every event the lawful matcher selects.
 *
 * Interceptions come from signed warrants (daemon_warrants.c): the
 * `lawful` node names the authorities the operator trusts (their trust
 * anchors, CRLs and destinations) and the warrant directory. Interceptions
 * written into the configuration are refused unless the lab-only option
 * `insecure-configured-intercepts` is set, which warns at every start.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/vty/command.h>

#include "handover/ho_out.h"
#include "handover/link.h"
#include "handover/spool.h"
#include "mediation/lawful/intercept.h"
#include "mediation/audit/audit.h"
#include "mediation/lawful/warrant_store.h"

#define SL_HO_MAX_DEST 16
#define SL_HO_MAX_INTERCEPTS 256
#define SL_HO_MAX_AUTH 16

/* VTY nodes of the handover and lawful configuration. */
enum sl_ho_vty_node {
	SL_HANDOVER_NODE = _LAST_OSMOVTY_NODE + 2,
	SL_DEST_NODE,
	SL_LAWFUL_NODE,
	SL_INTERCEPT_NODE,
	SL_AUTHORITY_NODE,
};

/* An authority the operator trusts to issue warrants. */
struct sl_ho_auth_cfg {
	char name[SL_AUTHORITY_NAME_MAX + 1];
	char country[3];
	char *anchors, *crl;			/* PEM files */
	char *receiver_ca;			/* PEM: the only CA its destinations' receivers are verified against */
	char dest[SL_HO_MAX_DEST][SL_DEST_NAME_MAX + 1];	/* the destinations its warrants may name */
	unsigned n_dest;
};

struct sl_ho_dest_cfg {
	char name[SL_DEST_NAME_MAX + 1];
	char *host[2];			/* [SL_HO_HI2], [SL_HO_HI3] */
	uint16_t port[2];
	bool plain;
	char *tls_cert, *tls_key, *tls_ca, *verify_name;
	enum sl_ho_format format;
	unsigned keepalive_s;		/* TIME1; 0: none */
	bool pdu_ack;
	bool option_negotiation;	/* TS 102 232-1 clause 6.3.5 before any record (ps-pdu only) */
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
	bool lab_intercepts;		/* insecure-configured-intercepts: accept ic[] without warrants */
	struct sl_ho_auth_cfg auth[SL_HO_MAX_AUTH];
	unsigned n_auth;
	char *warrant_dir;
	unsigned spool_reserve_mb;	/* free space kept for IRI: content is shed below it */
	unsigned max_comms;		/* communications tracked at once (max-communications) */
};

struct sl_ho_dest_rt {
	const struct sl_ho_dest_cfg *cfg;
	struct sl_spool *spool[2];
	struct sl_link *link[2];
	struct sl_pdu_ctx *tri_ctx;	/* keep-alives and ack requests (no LIID of their own) */
	uint64_t refused[2];		/* records refused, per stream (every reason) */
	uint64_t shed[2];		/* of which content shed to keep IRI's space */
};

/* daemon_refusals.c: refused records, accounted for (see there). */
enum sl_ho_refuse_reason { SL_HO_REFUSE_SPOOL_FULL, SL_HO_REFUSE_CONTENT_SHED };
extern const char *const sl_ho_refusal_reasons[];
struct sl_ho_refusal {
	char liid[SL_LIID_MAX + 1];
	struct sl_ho_dest_rt *d;
	int stream;
	bool has_cin, has_seq;
	uint32_t cin, first_seq, last_seq;
	uint64_t count;
	enum sl_ho_refuse_reason reason;
};

struct sl_ho_rt {
	struct sl_ho_cfg *cfg;
	struct sl_lawful *law;
	struct sl_ho_out *out;
	struct sl_ho_dest_rt dest[SL_HO_MAX_DEST];
	unsigned n_dest;
	uint64_t matched;
	bool notified_active[SL_HO_MAX_INTERCEPTS];	/* HI1 liActivated sent, liDeactivated not yet */
	/* warrants */
	struct sl_authority *auth[SL_HO_MAX_AUTH];
	unsigned n_auth;
	struct sl_warrants *ws;
	const struct sl_numbering *num;
	uint64_t clock_us;		/* the gateway's clock: packet time, advanced by wall time when live */
	bool clock_live;		/* the clock is wall time (live capture), not a replayed file's */
	bool warrants_loaded;
	struct sl_audit_log *audit;
	struct sl_ho_batch *batch;	/* records spooled since the last commit, per LIID and stream */
	unsigned n_batch, batch_cap;
	uint64_t audit_failures;	/* commits held back because the audit log could not record them */
	struct sl_ho_refusal *refusal;	/* runs of refused records since the last commit */
	unsigned n_refusal, refusal_cap;
	uint64_t refusals_unrecorded;	/* refusals that could not even be noted (out of memory) */
	bool disk_short;		/* the state directory's file system is below spool-reserve-mb */
	uint64_t next_change_us;	/* a warrant's window opens or closes here: tick then */
};

void sl_ho_cfg_default(struct sl_ho_cfg *c);
void sl_ho_vty_init(struct sl_ho_cfg *c, void *ctx);
void sl_ho_show_vty_init(struct sl_ho_rt *rt);
/* The console changed a running destination's address: move its link (the verified name stays). */
void sl_ho_dest_moved(const struct sl_ho_dest_cfg *dc, int stream);
/* The authority whose `destination` list names this destination, or NULL. */
const struct sl_ho_auth_cfg *sl_ho_dest_authority(const struct sl_ho_cfg *c, const char *dest);
/*
 * Another authority than the first (sl_ho_dest_authority) that names dest
 * with another receiver-ca, or NULL: the destination's receivers can be
 * verified against one authority's CA only, so such a configuration is refused.
 */
const struct sl_ho_auth_cfg *sl_ho_dest_authority_conflict(const struct sl_ho_cfg *c, const char *dest);
/* For `show capture`: the handover communications table and each spool beside their limits (nothing when off). */
void sl_ho_show_limits(struct vty *vty, const struct sl_ho_rt *rt);
/* For `show capture`: every handover, spool and link counter, in a section of its own. */
void sl_ho_show_counters(struct vty *vty, const struct sl_ho_rt *rt);

/*
 * Open spools and links and load the authorities; -1 (logged) on a
 * configuration that cannot work. num: the numbering rules capture uses,
 * for warrant targets. live: the clock is wall time. audit: the log every
 * decision is recorded in before it takes effect (NULL: none, allowed only
 * without warrants).
 */
int sl_ho_start(struct sl_ho_rt *rt, void *ctx, struct sl_ho_cfg *cfg, const struct sl_numbering *num, bool live,
		struct sl_audit_log *audit);
void sl_ho_stop(struct sl_ho_rt *rt);
bool sl_ho_enabled(const struct sl_ho_rt *rt);

/* An event from the capture pipeline: match, encode, spool. */
void sl_ho_event(struct sl_ho_rt *rt, const struct sl_event *ev);
void sl_ho_cc(struct sl_ho_rt *rt, const struct sl_cc *cc);
/*
 * The gateway's clock moved to now_us (packet time of a replayed file;
 * wall time live): warrants are loaded the first time the clock is known,
 * then move through their lifecycle (HI1 notifications when a window
 * opens or closes); configured lab interceptions likewise.
 */
void sl_ho_tick(struct sl_ho_rt *rt, uint64_t now_us);
/* A frame of time ts_us is about to be decoded: tick first if a warrant's window opens or closes before it. */
static inline void sl_ho_frame_time(struct sl_ho_rt *rt, uint64_t ts_us)
{
	if (ts_us > rt->clock_us)
		rt->clock_us = ts_us;
	if (ts_us >= rt->next_change_us)
		sl_ho_tick(rt, ts_us);
}
/* Read the warrant directory again (VTY, SIGHUP); the number of refusals or -errno. */
int sl_ho_warrants_reload(struct sl_ho_rt *rt);

/* daemon_audit.c: record sluiced's configuration commands of this node (call once its commands are installed). */
void sl_audit_vty_wrap(struct cmd_node *cn);

/* daemon_warrants.c */
int sl_ho_warrants_start(struct sl_ho_rt *rt, void *ctx);
void sl_ho_warrants_tick(struct sl_ho_rt *rt, uint64_t now_us);
void sl_warrant_vty_init(struct sl_ho_cfg *c, void *ctx);
int sl_warrant_vty_write(struct vty *vty, const struct sl_ho_cfg *c);
void sl_warrant_show_vty_init(struct sl_ho_rt *rt);
/* Make spooled records durable and visible to the links (once per loop iteration / batch). */
void sl_ho_commit(struct sl_ho_rt *rt);

bool sl_ho_shed_content(const struct sl_ho_rt *rt, const struct sl_ho_dest_rt *d);
void sl_ho_check_disk(struct sl_ho_rt *rt);
void sl_ho_refusal_note(struct sl_ho_rt *rt, const char *liid, struct sl_ho_dest_rt *d, const struct sl_ho_rec *rec,
			enum sl_ho_refuse_reason why);
int sl_ho_refusals_flush(struct sl_ho_rt *rt);
