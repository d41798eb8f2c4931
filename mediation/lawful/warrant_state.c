/*
 * What the warrant store remembers across restarts (see warrant_store.h):
 * one record per LIID, in a hash table, and the state file that holds them.
 *
 * The state file is one JSON object (docs/warrants.md), rewritten whole:
 * to "<path>.tmp", fsynced, renamed over the old file, and the directory
 * fsynced, so a crash leaves the old state or the new one, never a mix. It
 * holds LIIDs, versions, digests and states, never targets: a stolen state
 * file says which LIIDs exist, not who they are about.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <talloc.h>

#include "mediation/lawful/lawful_log.h"
#include "mediation/lawful/warrant_int.h"
#include "util/hash.h"

const char *const sl_warrant_state_names[_SL_WS_COUNT] = {
	[SL_WS_PENDING] = "pending", [SL_WS_ACTIVE] = "active", [SL_WS_EXPIRED] = "expired",
	[SL_WS_REVOKED] = "revoked", [SL_WS_SUPERSEDED] = "superseded",
};

#define STATE_FORMAT 1
#define STATE_MAX_BYTES (256u * 1024 * 1024)

static inline struct hlist_head *rec_bucket(struct hlist_head *b, unsigned bits, uint64_t h)
{
	return &b[(h * 0x9E3779B97F4A7C15ull) >> (64 - bits)];
}

struct sl_liid_rec *sl_wstate_find(struct sl_warrants *ws, const char *liid)
{
	uint64_t h = sl_hash(liid, strnlen(liid, SL_LIID_MAX));
	struct sl_liid_rec *r;

	hlist_for_each_entry(r, rec_bucket(ws->b, ws->bits, h), node)
		if (r->hash == h && !strcmp(r->liid, liid))
			return r;
	return NULL;
}

static bool grow(struct sl_warrants *ws)
{
	unsigned bits = ws->bits + 1, i;
	struct hlist_head *nb;
	struct sl_liid_rec **recs;

	if (ws->n_recs == ws->recs_cap) {
		unsigned cap = ws->recs_cap ? 2 * ws->recs_cap : 64;
		recs = talloc_realloc(ws, ws->recs, struct sl_liid_rec *, cap);
		if (!recs)
			return false;
		ws->recs = recs;
		ws->recs_cap = cap;
	}
	if ((1u << ws->bits) > ws->n_recs || ws->bits >= 28)
		return true;
	nb = talloc_zero_array(ws, struct hlist_head, 1u << bits);
	if (!nb)
		return true; /* longer chains, still correct */
	for (i = 0; i < ws->n_recs; i++) {
		hlist_del(&ws->recs[i]->node);
		hlist_add_head(&ws->recs[i]->node, rec_bucket(nb, bits, ws->recs[i]->hash));
	}
	talloc_free(ws->b);
	ws->b = nb;
	ws->bits = bits;
	return true;
}

struct sl_liid_rec *sl_wstate_get(struct sl_warrants *ws, const char *liid)
{
	struct sl_liid_rec *r = sl_wstate_find(ws, liid);

	if (r)
		return r;
	if (!grow(ws))
		return NULL;
	r = talloc_zero(ws, struct sl_liid_rec);
	if (!r)
		return NULL;
	snprintf(r->liid, sizeof(r->liid), "%s", liid);
	r->hash = sl_hash(r->liid, strlen(r->liid));
	r->state = SL_WS_PENDING;
	hlist_add_head(&r->node, rec_bucket(ws->b, ws->bits, r->hash));
	ws->recs[ws->n_recs++] = r;
	return r;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static bool unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return false;
	for (i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return false;
		out[i / 2] = (uint8_t)(i % 2 ? (out[i / 2] | v) : v << 4);
	}
	return true;
}

static int state_by_name(const char *s)
{
	int i;

	for (i = 0; i < _SL_WS_COUNT; i++)
		if (!strcmp(s, sl_warrant_state_names[i]))
			return i;
	return -1;
}

/* One record of the file; false with the reason in err. */
static bool load_rec(struct sl_warrants *ws, json_t *o, size_t idx, char *err, size_t errlen)
{
	const char *liid = NULL, *auth = NULL, *digest = NULL, *state = NULL, *rdig = NULL;
	json_int_t version = 0, revoked = 0, seq = 0;
	int told = 0, st;
	struct sl_liid_rec *r;
	json_error_t je;

	if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:s, s:I, s:s, s:s, s:b, s:I, s?s, s:I}", "liid", &liid,
			   "authority", &auth, "version", &version, "digest", &digest, "state", &state,
			   "told_active", &told, "revoked_upto", &revoked, "revocation_digest", &rdig, "hi1_seq",
			   &seq) < 0) {
		snprintf(err, errlen, "liids[%zu]: %.100s", idx, je.text);
		return false;
	}
	st = state_by_name(state);
	if (!sl_liid_valid(liid) || strlen(auth) > SL_AUTHORITY_NAME_MAX || version < 0 || version > UINT32_MAX ||
	    revoked < 0 || revoked > UINT32_MAX || seq < 0 || seq > UINT32_MAX || st < 0) {
		snprintf(err, errlen, "liids[%zu]: a value out of range", idx);
		return false;
	}
	if (sl_wstate_find(ws, liid)) {
		snprintf(err, errlen, "liids[%zu]: LIID %s twice", idx, liid);
		return false;
	}
	r = sl_wstate_get(ws, liid);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	if (!unhex(digest, r->digest, sizeof(r->digest)) || (rdig && !unhex(rdig, r->rev_digest, 32))) {
		snprintf(err, errlen, "liids[%zu]: a digest is not 64 hex digits", idx);
		return false;
	}
	snprintf(r->authority, sizeof(r->authority), "%s", auth);
	r->have_rev = rdig != NULL;
	r->version = (uint32_t)version;
	r->state = (enum sl_warrant_state)st;
	r->told_active = told;
	r->revoked_upto = (uint32_t)revoked;
	r->hi1_seq = (uint32_t)seq;
	return true;
}

int sl_wstate_load(struct sl_warrants *ws, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc, *arr, *o;
	json_int_t fmt = 0;
	size_t i;
	char why[200];

	doc = json_load_file(ws->state_path, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		if (access(ws->state_path, F_OK) < 0 && errno == ENOENT)
			return 0; /* first start */
		snprintf(err, errlen, "%s: %s (line %d)", ws->state_path, je.text, je.line);
		return -EBADMSG;
	}
	if (json_unpack_ex(doc, &je, JSON_STRICT, "{s:I, s:o}", "format", &fmt, "liids", &arr) < 0 ||
	    fmt != STATE_FORMAT || !json_is_array(arr)) {
		snprintf(err, errlen, "%s: not a warrant state file of format %d", ws->state_path, STATE_FORMAT);
		json_decref(doc);
		return -EBADMSG;
	}
	json_array_foreach(arr, i, o) {
		if (!load_rec(ws, o, i, why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s", ws->state_path, why);
			json_decref(doc);
			return -EBADMSG;
		}
	}
	json_decref(doc);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int sl_wstate_save(struct sl_warrants *ws)
{
	json_t *doc = json_object(), *arr = json_array();
	char *text = NULL, *tmp = NULL, *dir = NULL;
	char dg[65], rd[65];
	unsigned i;
	int fd = -1, rc = -ENOMEM, dfd;

	if (!doc || !arr)
		goto out;
	for (i = 0; i < ws->n_recs; i++) {
		const struct sl_liid_rec *r = ws->recs[i];
		json_t *o;
		hex(dg, r->digest, sizeof(r->digest));
		hex(rd, r->rev_digest, sizeof(r->rev_digest));
		o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:I, s:I}", "liid", r->liid, "authority", r->authority,
			      "version", (json_int_t)r->version, "digest", dg, "state", sl_warrant_state_names[r->state],
			      "told_active", r->told_active, "revoked_upto", (json_int_t)r->revoked_upto, "hi1_seq",
			      (json_int_t)r->hi1_seq);
		if (!o)
			goto out;
		if (r->have_rev && json_object_set_new(o, "revocation_digest", json_string(rd)) < 0) {
			json_decref(o);
			goto out;
		}
		if (json_array_append_new(arr, o) < 0)
			goto out;
	}
	if (json_object_set_new(doc, "format", json_integer(STATE_FORMAT)) < 0 || json_object_set(doc, "liids", arr) < 0)
		goto out;
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	tmp = talloc_asprintf(ws, "%s.tmp", ws->state_path);
	dir = talloc_strdup(ws, ws->state_path);
	if (!text || !tmp || !dir)
		goto out;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if ((rc = write_all(fd, text, strlen(text))) < 0 || (rc = write_all(fd, "\n", 1)) < 0)
		goto out;
	if (fsync(fd) < 0) {
		rc = -errno;
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, ws->state_path) < 0) {
		rc = -errno;
		goto out;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	ws->dirty = false;
	rc = 0;
out:
	if (rc < 0) {
		rate_ctr_inc2(ws->ctrs, SL_WCTR_STATE_WRITE_FAIL);
		LOGP(DSLWARRANT, LOGL_ERROR, "cannot write the warrant state %s: %s\n", ws->state_path, strerror(-rc));
	}
	if (fd >= 0)
		close(fd);
	free(text);
	talloc_free(tmp);
	talloc_free(dir);
	json_decref(arr);
	json_decref(doc);
	return rc;
}
