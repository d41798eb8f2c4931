/*
 * The UE binding table: which subscriber is behind a UE IP address, and
 * in which cell it was last reported, learnt from GTPv2-C sessions.
 *
 * One entry per PDN connection seen being created (sl_ue_sess). It is
 * found three ways: by the control-plane endpoints of its two peers
 * (node address and TEID, how later GTPv2-C messages of the session name
 * it), and, once a Create Session Response allocated it addresses, by the
 * UE's IPv4 address and IPv6 /64 prefix (how user traffic names it). The
 * table is bounded (least recently updated entries are evicted) and
 * entries not updated for an idle time of packet time expire; either way,
 * and when the session is deleted, the owner's callback hears of it.
 *
 * Lookups by UE address cost one hash and one bucket when the table holds
 * sessions, nothing when it is empty: they run for every SIP message.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <osmocom/core/linuxlist.h>

#include "capture/addr.h"
#include "capture/gtpv2.h"

struct sl_ue_info {
	char imsi[16];			/* digits, "" unknown */
	char msisdn[16];
	char mei[17];			/* as sent: IMEI or IMEISV digits */
	char imei[16];			/* the IMEI (14 digits and Luhn check digit) of the MEI, "" unknown */
	char apn[SL_GTPV2_APN_MAX];
	bool has_uli;
	struct sl_gtpv2_uli uli;
	uint8_t rat_type;
	bool has_ue4, has_ue6;
	uint8_t ue4[4], ue6[16];
	uint8_t ue6_prefix_len;
};

enum sl_ue_gone {
	SL_UE_GONE_DELETED,	/* Delete Session Response accepting the deletion */
	SL_UE_GONE_REJECTED,	/* Create Session Response refusing the session */
	SL_UE_GONE_IDLE,	/* no GTPv2-C message for the idle time */
	SL_UE_GONE_EVICTED,	/* table full */
	SL_UE_GONE_FLUSH,	/* capture ended */
	_SL_UE_GONE_COUNT
};

struct sl_ue_key {
	struct sl_addr addr;
	uint32_t teid;
};

/* A session's place in one hash chain, pointing back at it. */
struct sl_ue_hnode {
	struct hlist_node node;
	struct sl_ue_sess *sess;
};

struct sl_ue_sess {
	struct sl_ue_info info;
	uint64_t created_us, last_us;
	bool bound;			/* has UE addresses in the table */
	bool pending;			/* a Create Session Request awaits its response */
	uint32_t pending_seq;
	uint8_t ebi;			/* default bearer (first Bearer Context of the request), 0 unknown */
	bool deleting;			/* a Delete Session Request awaits its response */
	uint32_t delete_seq;
	/* [0]: the requester's control plane (Create Session Request's sender F-TEID), [1]: the responder's */
	struct sl_ue_key ctl[2];
	bool has_ctl[2];
	struct sl_ue_hnode ctl_node[2];
	struct sl_addr ue_key[2];	/* [0] IPv4, [1] IPv6 /64 */
	bool has_ue_key[2];
	struct sl_ue_hnode ue_node[2];
	struct llist_head lru;
	uint64_t ctl_hash[2], ue_hash[2];
};

struct sl_ue_bind;
typedef void (*sl_ue_gone_cb)(struct sl_ue_sess *s, enum sl_ue_gone why, void *priv);

extern const char *const sl_ue_gone_names[_SL_UE_GONE_COUNT];

/* max_sessions >= 1; gone (may be NULL) hears of every session removed, before it is freed. */
struct sl_ue_bind *sl_ue_bind_alloc(void *ctx, unsigned max_sessions, uint64_t idle_us, sl_ue_gone_cb gone, void *priv);
/* A new session (evicting the least recently updated one when full); NULL on allocation failure. */
struct sl_ue_sess *sl_ue_sess_new(struct sl_ue_bind *t, uint64_t now_us);
/* Set the requester's (0) or responder's (1) control-plane key. */
void sl_ue_sess_set_ctl(struct sl_ue_bind *t, struct sl_ue_sess *s, unsigned side, const struct sl_addr *node,
			uint32_t teid);
struct sl_ue_sess *sl_ue_sess_find_ctl(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid);
/*
 * The session under this control key whose Create Session Request with
 * this sequence number awaits its response: an MME addresses all PDN
 * connections of a UE with one S11 TEID, so the key alone is ambiguous.
 */
/*
 * The newest session under this control key (either side) that match
 * accepts, or NULL.
 */
struct sl_ue_sess *sl_ue_sess_find_ctl_if(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid,
					  bool (*match)(const struct sl_ue_sess *s, const void *arg), const void *arg);
struct sl_ue_sess *sl_ue_sess_find_pending(struct sl_ue_bind *t, const struct sl_addr *node, uint32_t teid,
					   uint32_t seq);
/* Index the session by the UE addresses in s->info (has_ue4/has_ue6). */
void sl_ue_sess_bind(struct sl_ue_bind *t, struct sl_ue_sess *s);
/* A message of the session was seen: it moves to the young end. */
void sl_ue_sess_touch(struct sl_ue_bind *t, struct sl_ue_sess *s, uint64_t now_us);
void sl_ue_sess_free(struct sl_ue_bind *t, struct sl_ue_sess *s, enum sl_ue_gone why);

/* The newest session bound to this UE address (IPv6: its /64), or NULL. */
const struct sl_ue_sess *sl_ue_bind_lookup(const struct sl_ue_bind *t, const struct sl_addr *a);
void sl_ue_bind_expire(struct sl_ue_bind *t, uint64_t now_us);
void sl_ue_bind_flush(struct sl_ue_bind *t);
unsigned sl_ue_bind_count(const struct sl_ue_bind *t);
unsigned sl_ue_bind_bound(const struct sl_ue_bind *t);
