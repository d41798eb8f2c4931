/*
 * The warrant store (see warrant_store.h): documents offered from the
 * warrant directory are checked and taken on, warrants move through their
 * lifecycle on ticks, and the state is written once per batch.
 *
 * A document is decided against what is remembered for its LIID:
 *   - the same version with the same digest is the warrant already held
 *     (or, after a restart, held again in its remembered state);
 *   - an older version, a revoked one, or the same version with another
 *     digest is a replay and refused;
 *   - a newer version supersedes the one held: if both are active the
 *     authority learns liModified, if the new one is not yet active
 *     liDeactivated;
 *   - a LIID belongs to the authority that first issued it; another
 *     authority can neither supersede nor revoke it.
 * Files already seen with the same bytes are skipped on later loads, so
 * a SIGHUP does not report the same refusal again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/stats.h>
#include <talloc.h>

#include "mediation/lawful/lawful_log.h"
#include "mediation/lawful/warrant_int.h"
#include "util/hash.h"

#define DOC_MAX_BYTES (1024 * 1024)	/* a signed warrant file; real ones are a few kilobytes */

static const struct rate_ctr_desc warrants_ctr_desc[_SL_WCTR_COUNT] = {
	[SL_WCTR_LOADED] = { "documents:read", "Warrant and revocation documents read from the directory" },
	[SL_WCTR_ACCEPTED] = { "documents:accepted", "Documents that passed every check and were taken on" },
	[SL_WCTR_UNCHANGED] = { "documents:unchanged", "Documents read again that were already held" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_NONE] = { "refused:unused", "(unused)" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_NOT_CMS] = { "refused:not-cms", "Refused: not a CMS SignedData with the document inside" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_MALFORMED] = { "refused:malformed", "Refused: the document breaks the schema" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_AUTHORITY] = { "refused:authority", "Refused: authority not configured, or not the LIID's" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_SIGNATURE] = { "refused:signature", "Refused: the signature does not verify" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_CERTIFICATE] = { "refused:certificate", "Refused: the signer's certificate (chain, validity, usage, revocation)" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_DESTINATION] = { "refused:destination", "Refused: destination not one of the authority's" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_REPLAY] = { "refused:replay", "Refused: older, revoked or conflicting version of a LIID" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_EXPIRED] = { "refused:expired", "Refused: valid.until had passed" },
	[SL_WCTR_REFUSED_BASE + SL_WREF_OTHER] = { "refused:other", "Refused: unreadable, too large, out of memory" },
	[SL_WCTR_ACTIVATED] = { "activated", "Warrants that became active (HI1 liActivated)" },
	[SL_WCTR_DEACTIVATED] = { "deactivated", "Active warrants that ended (HI1 liDeactivated)" },
	[SL_WCTR_STATE_WRITE_FAIL] = { "state:write-fail", "Failures to write the warrant state file" },
};

const struct rate_ctr_group_desc sl_warrants_ctrg_desc = {
	.group_name_prefix = "warrants",
	.group_description = "Signed warrants: documents read, accepted, refused by reason; lifecycle",
	.class_id = OSMO_STATS_CLASS_GLOBAL,
	.num_ctr = _SL_WCTR_COUNT,
	.ctr_desc = warrants_ctr_desc,
};

/* A file already read, by name and content: skipped on later loads. */
struct file_memo {
	struct hlist_node node;
	uint64_t hash;
	uint8_t sha[32];
	char name[];
};

static int ws_destructor(struct sl_warrants *ws)
{
	if (ws->ctrs)
		rate_ctr_group_free(ws->ctrs);
	return 0;
}

struct sl_warrants *sl_warrants_alloc(void *ctx, const struct sl_warrants_cfg *cfg, char *err, size_t errlen)
{
	struct sl_warrants *ws = talloc_zero(ctx, struct sl_warrants);

	if (!ws || !cfg->dir || !cfg->state_path || !cfg->lawful) {
		snprintf(err, errlen, !ws ? "out of memory" : "warrants: directory, state file and table are required");
		talloc_free(ws);
		return NULL;
	}
	talloc_set_destructor(ws, ws_destructor);
	ws->cfg = *cfg;
	ws->dir = talloc_strdup(ws, cfg->dir);
	ws->state_path = talloc_strdup(ws, cfg->state_path);
	ws->bits = 6;
	ws->next_change_us = UINT64_MAX;
	ws->b = talloc_zero_array(ws, struct hlist_head, 1u << ws->bits);
	ws->memo = talloc_zero_array(ws, struct hlist_head, SL_WARRANT_MEMO_BUCKETS);
	ws->ctrs = rate_ctr_group_alloc(ws, &sl_warrants_ctrg_desc, 0);
	if (!ws->dir || !ws->state_path || !ws->b || !ws->memo || !ws->ctrs) {
		snprintf(err, errlen, "out of memory");
		talloc_free(ws);
		return NULL;
	}
	ws->cfg.dir = ws->dir;
	ws->cfg.state_path = ws->state_path;
	if (sl_wstate_load(ws, err, errlen) < 0) {
		talloc_free(ws);
		return NULL;
	}
	return ws;
}

void sl_warrants_free(struct sl_warrants *ws)
{
	talloc_free(ws);
}

struct rate_ctr_group *sl_warrants_ctrs(struct sl_warrants *ws)
{
	return ws->ctrs;
}

static void refuse(struct sl_warrants *ws, const char *file, const struct sl_signed_doc *d,
		   enum sl_warrant_refusal why, const char *reason)
{
	struct sl_wevent e = { .kind = SL_WEV_REFUSED, .t_us = ws->now_us, .file = file, .refusal = why,
			       .reason = reason, .digest = ws->cur_digest };

	/* what a refused document claims is not used: only a verified one's LIID is worth reporting */
	if (d && d->authority)
		e.meta = &d->meta;
	rate_ctr_inc2(ws->ctrs, SL_WCTR_REFUSED_BASE + why);
	LOGP(DSLWARRANT, LOGL_ERROR, "%s: refused (%s): %s\n", file, sl_warrant_refusal_names[why], reason);
	sl_warrant_emit(ws, &e);
}

/* ---- one document ---------------------------------------------------------- */

static struct sl_warrant *new_warrant(struct sl_warrants *ws, struct sl_liid_rec *rec, const char *file,
				      const struct sl_signed_doc *d)
{
	struct sl_warrant *w = talloc_zero(ws, struct sl_warrant);

	if (!w)
		return NULL;
	w->ws = ws;
	w->rec = rec;
	w->doc = *d;
	w->doc.ic.target = w->doc.targets;
	w->file = talloc_strdup(w, file);
	if (!w->file) {
		talloc_free(w);
		return NULL;
	}
	return w;
}

static bool terminal(enum sl_warrant_state st)
{
	return st == SL_WS_EXPIRED || st == SL_WS_REVOKED || st == SL_WS_SUPERSEDED;
}

static void find_next_change(struct sl_warrants *ws)
{
	uint64_t next = UINT64_MAX;
	unsigned i;

	for (i = 0; i < ws->n_recs; i++) {
		const struct sl_warrant *w = ws->recs[i]->w;
		uint64_t t;
		if (!w)
			continue;
		switch (sl_warrant_fsm_state(w)) {
		case SL_WS_PENDING:
			t = w->doc.ic.start_us;
			break;
		case SL_WS_ACTIVE:
			t = w->doc.ic.end_us;
			break;
		default:
			continue;
		}
		if (t < next)
			next = t;
	}
	ws->next_change_us = next;
}

static enum sl_warrant_refusal take_revocation(struct sl_warrants *ws, const char *file, struct sl_signed_doc *d)
{
	struct sl_liid_rec *rec = sl_wstate_find(ws, d->meta.liid);
	char why[160];

	if (rec && rec->have_rev && !memcmp(rec->rev_digest, d->digest, 32)) {
		rate_ctr_inc2(ws->ctrs, SL_WCTR_UNCHANGED);
		return SL_WREF_NONE;
	}
	if (rec && rec->authority[0] && strcmp(rec->authority, d->meta.authority)) {
		snprintf(why, sizeof(why), "authority: LIID %s belongs to authority %s", d->meta.liid, rec->authority);
		refuse(ws, file, d, SL_WREF_AUTHORITY, why);
		return SL_WREF_AUTHORITY;
	}
	rec = sl_wstate_get(ws, d->meta.liid);
	if (!rec) {
		refuse(ws, file, d, SL_WREF_OTHER, "out of memory");
		return SL_WREF_OTHER;
	}
	if (!rec->authority[0])
		snprintf(rec->authority, sizeof(rec->authority), "%s", d->meta.authority);
	if (d->meta.version > rec->revoked_upto)
		rec->revoked_upto = d->meta.version;
	memcpy(rec->rev_digest, d->digest, 32);
	rec->have_rev = true;
	ws->dirty = true;
	rate_ctr_inc2(ws->ctrs, SL_WCTR_ACCEPTED);
	{
		struct sl_wevent e = { .kind = SL_WEV_REVOKED_DOC, .t_us = ws->now_us, .file = file, .meta = &d->meta,
				       .digest = d->digest, .signer = d->signer, .state = rec->state };
		LOGP(DSLWARRANT, LOGL_NOTICE, "%s: revocation of LIID %s up to version %" PRIu32 " taken on\n", file,
		     d->meta.liid, d->meta.version);
		sl_warrant_emit(ws, &e);
	}
	if (rec->w && !terminal(sl_warrant_fsm_state(rec->w)) && rec->w->doc.meta.version <= rec->revoked_upto)
		osmo_fsm_inst_dispatch(rec->w->fi, SL_WFE_REVOKE, NULL);
	return SL_WREF_NONE;
}

static enum sl_warrant_refusal take_warrant(struct sl_warrants *ws, const char *file, struct sl_signed_doc *d)
{
	struct sl_liid_rec *rec = sl_wstate_find(ws, d->meta.liid);
	struct sl_warrant *w, *old = NULL;
	bool was_told, restore = false;
	char why[200];

	if (rec) {
		if (rec->authority[0] && strcmp(rec->authority, d->meta.authority)) {
			snprintf(why, sizeof(why), "authority: LIID %s belongs to authority %s", d->meta.liid,
				 rec->authority);
			refuse(ws, file, d, SL_WREF_AUTHORITY, why);
			return SL_WREF_AUTHORITY;
		}
		if (d->meta.version <= rec->revoked_upto) {
			snprintf(why, sizeof(why), "version: %" PRIu32 " of LIID %s is revoked (up to version %" PRIu32 ")",
				 d->meta.version, d->meta.liid, rec->revoked_upto);
			refuse(ws, file, d, SL_WREF_REPLAY, why);
			return SL_WREF_REPLAY;
		}
		if (d->meta.version == rec->version && !memcmp(rec->digest, d->digest, 32)) {
			if (rec->w) {
				rate_ctr_inc2(ws->ctrs, SL_WCTR_UNCHANGED);
				return SL_WREF_NONE;
			}
			restore = true; /* a restart: the warrant we held, in the state we remember */
		} else if (d->meta.version <= rec->version) {
			snprintf(why, sizeof(why), "version: %" PRIu32 " of LIID %s %s version %" PRIu32 " already taken on",
				 d->meta.version, d->meta.liid,
				 d->meta.version == rec->version ? "differs from" : "is older than", rec->version);
			refuse(ws, file, d, SL_WREF_REPLAY, why);
			return SL_WREF_REPLAY;
		}
	}
	if (!restore && d->ic.end_us <= ws->now_us) {
		refuse(ws, file, d, SL_WREF_EXPIRED, "valid.until: has passed");
		return SL_WREF_EXPIRED;
	}
	if (ws->cfg.dest_ok && !ws->cfg.dest_ok(ws->cfg.priv, d->ic.dest, d->authority)) {
		snprintf(why, sizeof(why), "destination: \"%s\" is not a destination of authority %s", d->ic.dest,
			 d->meta.authority);
		refuse(ws, file, d, SL_WREF_DESTINATION, why);
		return SL_WREF_DESTINATION;
	}
	rec = sl_wstate_get(ws, d->meta.liid);
	w = rec ? new_warrant(ws, rec, file, d) : NULL;
	if (!w) {
		refuse(ws, file, d, SL_WREF_OTHER, "out of memory");
		return SL_WREF_OTHER;
	}
	snprintf(rec->authority, sizeof(rec->authority), "%s", d->meta.authority);
	if (restore) {
		enum sl_warrant_state st = rec->state;
		rec->w = w;
		if (sl_warrant_fsm_start(w, st) < 0)
			goto fsm_fail;
		LOGPFSML(w->fi, LOGL_INFO, "held again after a restart (%s)\n", sl_warrant_state_names[st]);
		rate_ctr_inc2(ws->ctrs, SL_WCTR_UNCHANGED);
		if (!terminal(st))
			osmo_fsm_inst_dispatch(w->fi, SL_WFE_TICK, NULL);
		return SL_WREF_NONE;
	}
	/* a newer version: the old one ends first (it leaves the table), then the new one starts */
	old = rec->w;
	was_told = rec->told_active;
	if (old && !terminal(sl_warrant_fsm_state(old)))
		osmo_fsm_inst_dispatch(old->fi, SL_WFE_SUPERSEDE, NULL);
	rec->version = d->meta.version;
	memcpy(rec->digest, d->digest, 32);
	rec->w = w;
	ws->dirty = true;
	if (sl_warrant_fsm_start(w, SL_WS_PENDING) < 0)
		goto fsm_fail;
	rate_ctr_inc2(ws->ctrs, SL_WCTR_ACCEPTED);
	sl_warrant_report(w, SL_WEV_ACCEPTED);
	osmo_fsm_inst_dispatch(w->fi, SL_WFE_TICK, NULL);
	if (was_told) {
		/* the authority was told the LIID is active: the new version modifies it, or ends it for now */
		if (sl_warrant_fsm_state(w) == SL_WS_ACTIVE) {
			sl_warrant_report(w, SL_WEV_MODIFIED);
		} else {
			rec->told_active = false;
			if (old)
				sl_warrant_report(old, SL_WEV_DEACTIVATED);
		}
	}
	if (old)
		talloc_free(old);
	return SL_WREF_NONE;
fsm_fail:
	rec->w = NULL;
	talloc_free(w);
	refuse(ws, file, d, SL_WREF_OTHER, "cannot start the warrant's state machine");
	return SL_WREF_OTHER;
}

static uint64_t real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* pass 0: everything; 1: warrants only; 2: revocations only. */
static enum sl_warrant_refusal offer(struct sl_warrants *ws, const char *file, const void *p, size_t n,
				    uint64_t now_us, int pass, bool *deferred)
{
	struct sl_signed_doc *d = talloc_zero(ws, struct sl_signed_doc);
	enum sl_warrant_refusal rc;
	char why[320];

	if (!d) {
		refuse(ws, file, NULL, SL_WREF_OTHER, "out of memory");
		return SL_WREF_OTHER;
	}
	ws->now_us = now_us;
	EVP_Digest(p, n, ws->cur_digest, NULL, EVP_sha256(), NULL); /* what a refusal names */
	rc = sl_warrant_verify(p, n, ws->cfg.auth, ws->cfg.n_auth, ws->cfg.num, ws->cfg.wall_now ? ws->cfg.wall_now() : real_now(),
			       d, why, sizeof(why));
	if (rc == SL_WREF_NONE && pass == 1 && d->meta.type == SL_DOC_REVOCATION) {
		*deferred = true; /* its turn comes after every warrant */
		goto out;
	}
	if (rc == SL_WREF_NONE && pass == 2 && d->meta.type == SL_DOC_WARRANT)
		goto out;
	rate_ctr_inc2(ws->ctrs, SL_WCTR_LOADED);
	if (rc != SL_WREF_NONE)
		refuse(ws, file, NULL, rc, why);
	else if (d->meta.type == SL_DOC_REVOCATION)
		rc = take_revocation(ws, file, d);
	else
		rc = take_warrant(ws, file, d);
out:
	talloc_free(d);
	return rc;
}

enum sl_warrant_refusal sl_warrants_offer(struct sl_warrants *ws, const char *file, const void *p, size_t n,
					  uint64_t now_us)
{
	bool deferred = false;
	enum sl_warrant_refusal rc = offer(ws, file, p, n, now_us, 0, &deferred);

	find_next_change(ws);
	if (ws->dirty)
		sl_wstate_save(ws);
	return rc;
}

/* ---- the directory --------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a file of at most DOC_MAX_BYTES; NULL with errno set (EFBIG when larger). */
static uint8_t *read_doc(void *ctx, int dfd, const char *name, size_t *n)
{
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	size_t got = 0;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (st.st_size > DOC_MAX_BYTES) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = talloc_size(ctx, (size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	while (got < (size_t)st.st_size + 1 && (r = read(fd, buf + got, (size_t)st.st_size + 1 - got)) > 0)
		got += (size_t)r;
	close(fd);
	if (got > (size_t)st.st_size) { /* grew while read: take it next time */
		talloc_free(buf);
		errno = EAGAIN;
		return NULL;
	}
	*n = got;
	return buf;
}

/* Was this file read before with exactly these bytes? If not, remember it now. */
static bool memo_seen(struct sl_warrants *ws, const char *name, const uint8_t *p, size_t n)
{
	uint64_t h = sl_hash(name, strlen(name));
	struct hlist_head *b = &ws->memo[h % SL_WARRANT_MEMO_BUCKETS];
	struct file_memo *m;
	uint8_t sha[32];
	size_t len;

	EVP_Digest(p, n, sha, NULL, EVP_sha256(), NULL);
	hlist_for_each_entry(m, b, node) {
		if (m->hash != h || strcmp(m->name, name))
			continue;
		if (!memcmp(m->sha, sha, 32))
			return true;
		memcpy(m->sha, sha, 32); /* the file changed: read it again */
		return false;
	}
	len = strlen(name);
	m = talloc_size(ws, sizeof(*m) + len + 1);
	if (!m)
		return false;
	m->hash = h;
	memcpy(m->sha, sha, 32);
	memcpy(m->name, name, len + 1);
	hlist_add_head(&m->node, b);
	return false;
}

int sl_warrants_load_dir(struct sl_warrants *ws, uint64_t now_us)
{
	DIR *dir = opendir(ws->dir);
	struct dirent *de;
	char **names = NULL;
	unsigned n = 0, cap = 0, i;
	int pass, refused = 0, dfd;
	bool deferred;

	if (!dir) {
		int e = errno;
		LOGP(DSLWARRANT, LOGL_ERROR, "warrant directory %s: %s\n", ws->dir, strerror(e));
		return -e;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = talloc_realloc(ws, names, char *, cap ? 2 * cap : 64);
			if (!nn)
				break;
			names = nn;
			cap = cap ? 2 * cap : 64;
		}
		names[n] = talloc_strdup(names, de->d_name);
		if (names[n])
			n++;
	}
	dfd = dirfd(dir);
	if (n)
		qsort(names, n, sizeof(names[0]), by_name);
	/* warrants first, then revocations, so a revocation in the same load finds what it ends */
	for (pass = 1; pass <= 2; pass++) {
		for (i = 0; i < n; i++) {
			char path[4096];
			size_t len = 0;
			uint8_t *buf = read_doc(names, dfd, names[i], &len);
			snprintf(path, sizeof(path), "%s/%s", ws->dir, names[i]);
			if (!buf) {
				char why[160];
				if (pass == 2 || errno == EAGAIN)
					continue;
				snprintf(why, sizeof(why), "file: %s", errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
				ws->now_us = now_us;
				EVP_Digest("", 0, ws->cur_digest, NULL, EVP_sha256(), NULL); /* nothing was read */
				rate_ctr_inc2(ws->ctrs, SL_WCTR_LOADED);
				refuse(ws, path, NULL, SL_WREF_OTHER, why);
				refused++;
				continue;
			}
			if (pass == 1 && memo_seen(ws, names[i], buf, len)) {
				talloc_free(buf);
				names[i][0] = '\0'; /* nothing new: not offered in pass 2 either */
				continue;
			}
			if (!names[i][0]) {
				talloc_free(buf);
				continue;
			}
			deferred = false;
			if (offer(ws, path, buf, len, now_us, pass, &deferred) != SL_WREF_NONE)
				refused++;
			if (!deferred)
				names[i][0] = '\0'; /* decided: pass 2 is for the revocations pass 1 put off */
			talloc_free(buf);
		}
	}
	closedir(dir);
	talloc_free(names);
	find_next_change(ws);
	if (ws->dirty)
		sl_wstate_save(ws);
	return refused;
}

void sl_warrants_tick(struct sl_warrants *ws, uint64_t now_us)
{
	unsigned i;

	ws->now_us = now_us;
	for (i = 0; i < ws->n_recs; i++) {
		struct sl_warrant *w = ws->recs[i]->w;
		if (w && !terminal(sl_warrant_fsm_state(w)))
			osmo_fsm_inst_dispatch(w->fi, SL_WFE_TICK, NULL);
	}
	find_next_change(ws);
	if (ws->dirty)
		sl_wstate_save(ws);
}

uint64_t sl_warrants_next_change(const struct sl_warrants *ws)
{
	return ws->next_change_us;
}

unsigned sl_warrants_count(const struct sl_warrants *ws)
{
	return ws->n_recs;
}

bool sl_warrants_get(const struct sl_warrants *ws, unsigned i, struct sl_warrant_info *out)
{
	const struct sl_liid_rec *r;

	if (i >= ws->n_recs)
		return false;
	r = ws->recs[i];
	memset(out, 0, sizeof(*out));
	out->liid = r->liid;
	out->version = r->version;
	out->state = r->state;
	out->authority = r->authority;
	if (r->w) {
		const struct sl_warrant *w = r->w;
		out->from_us = w->doc.ic.start_us;
		out->until_us = w->doc.ic.end_us;
		out->since_us = w->since_us;
		out->dest = w->doc.ic.dest;
		out->file = w->file;
		out->scope = w->doc.ic.scope;
		out->services = w->doc.ic.services;
		out->n_targets = w->doc.ic.n_targets;
	}
	return true;
}
