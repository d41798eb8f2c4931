/*
 * The warrants a gateway holds: loaded from a directory of signed
 * documents, each checked (warrant_cms.h), kept through its lifecycle, and
 * remembered across restarts.
 *
 * Each accepted warrant runs an osmo_fsm: PENDING (before valid.from),
 * ACTIVE, then one of EXPIRED (valid.until passed), REVOKED (a signed
 * revocation of its LIID and version) or SUPERSEDED (a later version of
 * the same LIID was accepted). Time moves the machine through sl_warrants_
 * tick() on the gateway's clock: packet time while a capture file is
 * replayed, wall time live, so windows behave the same offline and on a
 * mirror port. A pending or active warrant is in the lawful table
 * (intercept.h), where each event is matched at its own time, so no event
 * inside the window is missed between two ticks; a warrant leaves the
 * table when it ends.
 *
 * What happens is reported through one callback, for the HI1
 * notifications to the authority (activated, modified, deactivated) and
 * for the audit log (accepted, refused with the reason, every transition).
 * A state file in the state directory (written atomically) remembers per
 * LIID the highest version seen, its digest, its state, whether the
 * authority was told it is active, the highest version revoked and the
 * next HI1 sequence number: after a restart nothing is notified twice,
 * sequence numbers go on, and an older or revoked version put back into
 * the directory is refused as a replay.
 *
 * Nothing here logs a target: logs and reports name the LIID, version,
 * file and authority, never an identity.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "mediation/lawful/intercept.h"
#include "mediation/lawful/warrant_cms.h"

enum sl_warrant_state { SL_WS_PENDING, SL_WS_ACTIVE, SL_WS_EXPIRED, SL_WS_REVOKED, SL_WS_SUPERSEDED, _SL_WS_COUNT };
extern const char *const sl_warrant_state_names[_SL_WS_COUNT];

enum sl_wevent_kind {
	SL_WEV_ACCEPTED,	/* a warrant passed every check and was taken on */
	SL_WEV_REFUSED,		/* a document was refused (refusal, reason) */
	SL_WEV_ACTIVATED,	/* valid.from reached: tell the authority (HI1 liActivated) */
	SL_WEV_MODIFIED,	/* an active warrant was superseded by one still active (HI1 liModified) */
	SL_WEV_DEACTIVATED,	/* an active warrant ended (HI1 liDeactivated); state says why */
	SL_WEV_ENDED,		/* a warrant that never became active ended (expired, revoked, superseded) */
	SL_WEV_REVOKED_DOC,	/* a revocation document was accepted */
	_SL_WEV_COUNT
};
extern const char *const sl_wevent_names[_SL_WEV_COUNT];

struct sl_wevent {
	enum sl_wevent_kind kind;
	uint64_t t_us;				/* the gateway's clock when it happened */
	const char *file;			/* the document, for accepted and refused */
	const struct sl_warrant_meta *meta;	/* NULL for a refusal before the document was read */
	const struct sl_intercept *ic;		/* warrants */
	const uint8_t *digest;			/* SHA-256 of the signed file (refused: of the bytes read) */
	const char *signer;			/* accepted: the signer's certificate subject */
	enum sl_warrant_state state;		/* the warrant's state after the event */
	enum sl_warrant_refusal refusal;	/* refused */
	const char *reason;			/* refused: the first check that failed */
	uint32_t hi1_seq;			/* activated/modified/deactivated: the HI1 sequence number to use */
};

struct sl_warrants_cfg {
	const char *dir;			/* warrant directory */
	const char *state_path;			/* where the state is remembered */
	struct sl_authority *const *auth;	/* the authorities the operator trusts */
	unsigned n_auth;
	const struct sl_numbering *num;		/* to normalise targets as capture does */
	struct sl_lawful *lawful;		/* pending and active warrants are added here */
	/* Is dest a destination of this authority? */
	bool (*dest_ok)(void *priv, const char *dest, const struct sl_authority *a);
	/*
	 * Wall-clock time for "is the signer's certificate valid now" (NULL:
	 * the real clock). Certificates are checked against real time even
	 * while the gateway's clock is the packet time of a replayed capture.
	 */
	uint64_t (*wall_now)(void);
	void (*event)(void *priv, const struct sl_wevent *e);
	void *priv;
};

enum sl_warrants_ctr {
	SL_WCTR_LOADED,			/* documents read from the directory */
	SL_WCTR_ACCEPTED,
	SL_WCTR_UNCHANGED,		/* documents already held (same version and digest) */
	SL_WCTR_REFUSED_BASE,		/* one per enum sl_warrant_refusal, NONE slot unused */
	SL_WCTR_ACTIVATED = SL_WCTR_REFUSED_BASE + _SL_WREF_COUNT,
	SL_WCTR_DEACTIVATED,
	SL_WCTR_STATE_WRITE_FAIL,
	_SL_WCTR_COUNT
};
extern const struct rate_ctr_group_desc sl_warrants_ctrg_desc;

struct sl_warrants;

/* Read the state file (a missing one is an empty state). NULL with the reason in err. */
struct sl_warrants *sl_warrants_alloc(void *ctx, const struct sl_warrants_cfg *cfg, char *err, size_t errlen);
void sl_warrants_free(struct sl_warrants *ws);
struct rate_ctr_group *sl_warrants_ctrs(struct sl_warrants *ws);

/*
 * Read every document in the directory (regular files not starting with
 * a dot, in name order; revocations after warrants), check each, and take
 * on what is new at time now_us. Returns the number of refusals, or -errno
 * when the directory cannot be read.
 */
int sl_warrants_load_dir(struct sl_warrants *ws, uint64_t now_us);
/* Check and take on one document (bytes p[0..n) read from file). 0, or the refusal. */
enum sl_warrant_refusal sl_warrants_offer(struct sl_warrants *ws, const char *file, const void *p, size_t n,
					  uint64_t now_us);
/* Move every warrant along to time now_us (activations, expiries). */
void sl_warrants_tick(struct sl_warrants *ws, uint64_t now_us);
/* The next time a held warrant's window opens or closes (UINT64_MAX: none): tick then at the latest. */
uint64_t sl_warrants_next_change(const struct sl_warrants *ws);

/* What `show warrants` prints: never targets. */
struct sl_warrant_info {
	const char *liid;
	uint32_t version;
	enum sl_warrant_state state;
	uint64_t from_us, until_us, since_us;
	const char *authority, *dest, *file;
	enum sl_scope scope;
	unsigned services, n_targets;
};
unsigned sl_warrants_count(const struct sl_warrants *ws);
bool sl_warrants_get(const struct sl_warrants *ws, unsigned i, struct sl_warrant_info *out);
