/*
 * `sluice audit verify` as a library function (see verify.h). The record
 * pass uses the canonical scanner instead of a JSON parser so that it
 * runs at hashing speed; the checkpoints are read first so that the pass
 * knows at which sizes to take the tree's root, and which subtrees the
 * consistency proof from the auditor's checkpoint needs.
 */
#include "mediation/audit/verify.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/canon.h"
#include "mediation/audit/merkle.h"
#include "mediation/audit/record.h"

#define MAX_KEPT 50

struct cp {
	struct sl_audit_ckpt c;
	uint64_t off;		/* in checkpoints.log; UINT64_MAX for the "checkpoint" file */
	bool usable;		/* parsed (signature problems are reported separately) */
};

struct snap {
	uint64_t size;
	uint8_t root[SL_AUDIT_HASH_LEN];
	int64_t last_time;	/* time of record size-1 */
	bool done;
};

struct vstate {
	void *ctx;
	const struct sl_audit_verify_opts *o;
	struct sl_audit_verify_res *res;
	struct sl_audit_hasher *h;
	struct sl_audit_frontier tree;
	struct snap *snaps;
	unsigned nsnaps, next_snap;
	struct sl_audit_multirange *mr;
	int64_t prev_time;
	/* per record, filled by the member callback */
	int64_t seq, time;
	bool have_seq, have_time, have_kind, have_actor, have_fields, bad_type;
	char kind[64];
	const uint8_t *fields;
	size_t fields_len;
};

static void add(struct vstate *s, enum sl_audit_problem p, const char *file, int64_t off, int64_t seq,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add(struct vstate *s, enum sl_audit_problem p, const char *file, int64_t off, int64_t seq,
		const char *fmt, ...)
{
	struct sl_audit_verify_res *r = s->res;
	struct sl_audit_finding *f;
	enum sl_audit_severity sev = sl_audit_problem_severity(p);
	va_list ap;

	r->counts[p]++;
	r->any = true;
	if (sev > r->worst)
		r->worst = sev;
	if (r->counts[p] > MAX_KEPT)
		return;
	r->findings = talloc_realloc(s->ctx, r->findings, struct sl_audit_finding, r->nfindings + 1);
	if (!r->findings)
		abort(); /* a verifier that silently drops findings is worse than one that stops */
	f = &r->findings[r->nfindings++];
	f->problem = p;
	f->file = file ? talloc_strdup(r->findings, file) : NULL;
	f->off = off;
	f->seq = seq;
	f->detail = NULL;
	if (fmt) {
		va_start(ap, fmt);
		f->detail = talloc_vasprintf(r->findings, fmt, ap);
		va_end(ap);
	}
}

static void member(void *arg, const char *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct vstate *s = arg;

#define IS(k) (klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
	if (IS("seq")) {
		s->have_seq = sl_audit_canon_int(val, vlen, &s->seq) && s->seq >= 0;
	} else if (IS("time")) {
		s->have_time = sl_audit_canon_int(val, vlen, &s->time) && s->time >= 0;
	} else if (IS("kind")) {
		s->have_kind = sl_audit_canon_plain_str(val, vlen, s->kind, sizeof(s->kind));
	} else if (IS("actor")) {
		s->have_actor = vlen >= 2 && val[0] == '{';
	} else if (IS("fields")) {
		s->have_fields = vlen >= 2 && val[0] == '{';
		s->fields = val;
		s->fields_len = vlen;
	} else {
		s->bad_type = true; /* a top-level key outside the record schema */
	}
#undef IS
}

struct catcheck {
	const struct sl_audit_kind_desc *k;
	unsigned seen_required, unknown, mistyped;
	const char *first_bad;
	size_t first_bad_len;
};

static bool type_fits(enum sl_audit_ftype t, const uint8_t *v, size_t n)
{
	int64_t i;

	switch (t) {
	case SL_AUDIT_FT_INT:
		return sl_audit_canon_int(v, n, &i);
	case SL_AUDIT_FT_TIME:
		return sl_audit_canon_int(v, n, &i) && i >= 0;
	case SL_AUDIT_FT_STR:
	case SL_AUDIT_FT_TEXT:
	case SL_AUDIT_FT_DIGEST:
	case SL_AUDIT_FT_PSEUDONYM:
		return n >= 2 && v[0] == '"';
	case SL_AUDIT_FT_STR_LIST:
	case SL_AUDIT_FT_PSEUDONYM_LIST:
		return n >= 2 && v[0] == '[';
	case SL_AUDIT_FT_BOOL:
		return (n == 4 && !memcmp(v, "true", 4)) || (n == 5 && !memcmp(v, "false", 5));
	}
	return false;
}

static void field_member(void *arg, const char *key, size_t klen, const uint8_t *val, size_t vlen)
{
	struct catcheck *c = arg;
	const struct sl_audit_field_desc *f;

	for (f = c->k->fields; f->name; f++)
		if (strlen(f->name) == klen && memcmp(f->name, key, klen) == 0)
			break;
	if (!f->name) {
		c->unknown++;
	} else if (!type_fits(f->type, val, vlen)) {
		c->mistyped++;
	} else {
		if (f->required)
			c->seen_required++;
		return;
	}
	if (!c->first_bad) {
		c->first_bad = key;
		c->first_bad_len = klen;
	}
}

static void check_catalogue(struct vstate *s, const struct sl_audit_rec *r)
{
	const struct sl_audit_kind_desc *k = sl_audit_kind_find(s->kind);
	const struct sl_audit_field_desc *f;
	struct catcheck c = { .k = k };
	unsigned required = 0;
	size_t off;

	if (!k) {
		add(s, SL_AP_REC_CATALOGUE, r->file, (int64_t)r->off, (int64_t)r->seq, "unknown kind '%s'", s->kind);
		return;
	}
	sl_audit_canon_check(s->fields, s->fields_len, &off, field_member, &c);
	for (f = k->fields; f->name; f++)
		required += f->required;
	if (c.unknown || c.mistyped)
		add(s, SL_AP_REC_CATALOGUE, r->file, (int64_t)r->off, (int64_t)r->seq,
		    "%s: field '%.*s' %s", s->kind, (int)c.first_bad_len, c.first_bad,
		    c.unknown ? "not in the catalogue" : "of the wrong type");
	else if (c.seen_required != required)
		add(s, SL_AP_REC_CATALOGUE, r->file, (int64_t)r->off, (int64_t)r->seq, "%s: a required field is missing",
		    s->kind);
}

static int on_record(void *arg, const struct sl_audit_rec *r)
{
	struct vstate *s = arg;
	enum sl_audit_canon_err ce;
	size_t off = 0;

	s->have_seq = s->have_time = s->have_kind = s->have_actor = s->have_fields = s->bad_type = false;
	ce = sl_audit_canon_check(r->data, r->len, &off, member, s);
	if (ce != SL_CANON_OK) {
		add(s, SL_AP_REC_CANON, r->file, (int64_t)(r->off + SL_AUDIT_FRAME_HDR + off), (int64_t)r->seq,
		    "%s at byte %zu of the record", sl_audit_canon_err_name(ce), off);
	} else if (!s->have_seq || !s->have_time || !s->have_kind || !s->have_actor || !s->have_fields ||
		   s->bad_type) {
		add(s, SL_AP_REC_FIELDS, r->file, (int64_t)r->off, (int64_t)r->seq, NULL);
	} else {
		if ((uint64_t)s->seq != r->seq)
			add(s, SL_AP_REC_SEQ, r->file, (int64_t)r->off, (int64_t)r->seq, "record says seq %" PRId64,
			    s->seq);
		if (s->time < s->prev_time)
			add(s, SL_AP_REC_TIME, r->file, (int64_t)r->off, (int64_t)r->seq,
			    "time %" PRId64 " after %" PRId64, s->time, s->prev_time);
		else
			s->prev_time = s->time;
		check_catalogue(s, r);
	}
	sl_audit_frontier_push(&s->tree, s->h, r->leaf, NULL, NULL);
	if (s->mr)
		sl_audit_multirange_feed(s->mr, s->h, r->seq, r->leaf);
	while (s->next_snap < s->nsnaps && s->snaps[s->next_snap].size == s->tree.size) {
		struct snap *sn = &s->snaps[s->next_snap++];

		sl_audit_frontier_root(&s->tree, s->h, sn->root);
		sn->last_time = s->prev_time;
		sn->done = true;
	}
	if (s->o->on_record)
		return s->o->on_record(s->o->arg, r);
	return 0;
}

static const struct snap *find_snap(const struct vstate *s, uint64_t size)
{
	unsigned lo = 0, hi = s->nsnaps;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (s->snaps[mid].size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nsnaps && s->snaps[lo].size == size && s->snaps[lo].done ? &s->snaps[lo] : NULL;
}

static int cmp_cp_size(const void *a, const void *b)
{
	uint64_t x = (*(const struct cp *const *)a)->c.size, y = (*(const struct cp *const *)b)->c.size;

	return x < y ? -1 : x > y;
}

/* Two checkpoints of one size with different roots: sorted by size, neighbours compared. */
static void check_forks(struct vstate *s, struct cp *cps, unsigned ncp)
{
	struct cp **by = talloc_array(s->ctx, struct cp *, ncp ? ncp : 1);
	unsigned i;

	for (i = 0; i < ncp; i++)
		by[i] = &cps[i];
	qsort(by, ncp, sizeof(*by), cmp_cp_size);
	for (i = 1; i < ncp; i++)
		if (by[i]->c.size == by[i - 1]->c.size &&
		    memcmp(by[i]->c.root, by[i - 1]->c.root, SL_AUDIT_HASH_LEN) != 0) {
			const struct cp *late = by[i]->off > by[i - 1]->off ? by[i] : by[i - 1];
			const struct cp *early = late == by[i] ? by[i - 1] : by[i];

			add(s, SL_AP_CP_FORK, late->off == UINT64_MAX ? "checkpoint" : "checkpoints.log",
			    late->off == UINT64_MAX ? -1 : (int64_t)late->off, (int64_t)late->c.size,
			    "root differs from the checkpoint at offset %" PRIu64, early->off);
		}
	talloc_free(by);
}

static int cmp_snap(const void *a, const void *b)
{
	uint64_t x = ((const struct snap *)a)->size, y = ((const struct snap *)b)->size;

	return x < y ? -1 : x > y;
}

/* Checks one checkpoint note; appends it to *cps when it parses. */
static void check_note(struct vstate *s, const uint8_t *p, size_t n, const char *file, uint64_t off,
		       struct cp **cps, unsigned *ncp, struct cp **prev)
{
	struct sl_audit_ckpt c;
	const char *why = NULL;
	enum sl_audit_note_res r = sl_audit_ckpt_open(p, n, s->o->key, &c, &why);
	int64_t o = off == UINT64_MAX ? -1 : (int64_t)off;

	if (r == SL_NOTE_SYNTAX) {
		add(s, SL_AP_CP_SYNTAX, file, o, -1, "%s", why);
		return;
	}
	if (r == SL_NOTE_UNSIGNED)
		add(s, SL_AP_CP_UNSIGNED, file, o, (int64_t)c.size, "no line by key %s", s->o->key->name);
	else if (r == SL_NOTE_BAD_SIG)
		add(s, SL_AP_CP_SIGNATURE, file, o, (int64_t)c.size, "key %s", s->o->key->name);
	if (strcmp(c.origin, s->o->key->name) != 0)
		add(s, SL_AP_CP_ORIGIN, file, o, (int64_t)c.size, "origin '%s', key '%s'", c.origin, s->o->key->name);
	if (!c.has_time)
		add(s, SL_AP_CP_SYNTAX, file, o, (int64_t)c.size, "no sluice-time line");
	if (*prev) {
		if (c.size < (*prev)->c.size)
			add(s, SL_AP_CP_SIZE_BACK, file, o, (int64_t)c.size, "after size %" PRIu64, (*prev)->c.size);
		if (c.has_time && (*prev)->c.has_time && c.time_us < (*prev)->c.time_us)
			add(s, SL_AP_CP_TIME_BACK, file, o, (int64_t)c.size, "time %" PRId64 " after %" PRId64, c.time_us,
			    (*prev)->c.time_us);
	}
	*cps = talloc_realloc(s->ctx, *cps, struct cp, *ncp + 1);
	if (!*cps)
		abort();
	(*cps)[*ncp].c = c;
	(*cps)[*ncp].off = off;
	(*cps)[*ncp].usable = true;
	*prev = &(*cps)[*ncp];
	(*ncp)++;
	if (r == SL_NOTE_OK && off != UINT64_MAX) {
		s->res->have_latest = true;
		s->res->latest = c;
		talloc_free(s->res->latest_note);
		s->res->latest_note = talloc_strndup(s->ctx, (const char *)p, n);
	}
}

struct cklist {
	struct vstate *s;
	const char *file;
	struct cp **cps;
	unsigned *ncp;
	struct cp *prev;
	const uint8_t *last;
	size_t last_len;
	const uint8_t *match;	/* the checkpoint file's bytes, looked for among the entries */
	size_t match_len;
	bool matched;
};

static int on_ckl_entry(void *arg, const struct sl_audit_entry *e)
{
	struct cklist *l = arg;

	l->s->res->checkpoints++;
	l->last = e->data;
	l->last_len = e->len;
	if (l->match && e->len == l->match_len && memcmp(e->data, l->match, e->len) == 0)
		l->matched = true;
	check_note(l->s, e->data, e->len, l->file, e->off, l->cps, l->ncp, &l->prev);
	if (l->prev)
		l->prev = &(*l->cps)[*l->ncp - 1];
	return 0;
}

static uint8_t *slurp(void *ctx, const char *path, size_t max, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > max) {
		close(fd);
		return NULL;
	}
	buf = talloc_size(ctx, (size_t)st.st_size + 1);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		talloc_free(buf);
		buf = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void read_checkpoints(struct vstate *s, struct cp **cps, unsigned *ncp)
{
	char *path = talloc_asprintf(s->ctx, "%s/checkpoints.log", s->o->dir);
	char *latest = talloc_asprintf(s->ctx, "%s/checkpoint", s->o->dir);
	struct cklist l = { .s = s, .file = path, .cps = cps, .ncp = ncp };
	struct sl_audit_scan_res sr;
	uint8_t *buf, *lbuf;
	size_t len = 0, llen = 0;
	uint64_t zero;

	lbuf = slurp(s->ctx, latest, SL_AUDIT_MAX_NOTE, &llen);
	l.match = lbuf;
	l.match_len = llen;
	buf = slurp(s->ctx, path, 1ull << 34, &len);
	if (!buf) {
		add(s, SL_AP_CP_NONE, path, -1, -1, "cannot read checkpoints.log");
	} else if (sl_audit_check_file_header(buf, len, SL_AUDIT_CKL_MAGIC, &zero) != 0 || zero != 0) {
		add(s, SL_AP_CP_FRAME, path, 0, -1, "bad header");
	} else {
		sl_audit_scan_frames(s->h, buf, len, SL_AUDIT_FILE_HDR, true, on_ckl_entry, &l, &sr);
		if (sr.problem == SL_AP_REC_TORN)
			add(s, SL_AP_CP_TORN, path, (int64_t)sr.problem_off, -1, "%zu bytes", len - sr.problem_off);
		else if (sr.problem >= 0)
			add(s, SL_AP_CP_FRAME, path, (int64_t)sr.problem_off, -1, "%s",
			    sl_audit_problem_name(sr.problem));
		if (sr.entries == 0 && sr.problem < 0)
			add(s, SL_AP_CP_NONE, path, -1, -1, NULL);
	}
	if (lbuf && (!l.last || llen != l.last_len || memcmp(lbuf, l.last, llen) != 0)) {
		if (l.matched) {
			/* An earlier entry: the copy lags, as after a crash between the two writes. */
			add(s, SL_AP_CP_LATEST, latest, -1, -1, "it is an earlier entry of checkpoints.log");
		} else {
			/* Not in checkpoints.log at all: check it on its own merits, outside the order. */
			struct cp *none = NULL;

			add(s, SL_AP_CP_LATEST, latest, -1, -1, "it is not in checkpoints.log");
			check_note(s, lbuf, llen, latest, UINT64_MAX, cps, ncp, &none);
		}
	}
	talloc_free(buf);
	talloc_free(lbuf);
}

int sl_audit_verify(void *ctx, const struct sl_audit_verify_opts *o, struct sl_audit_verify_res *res)
{
	struct vstate s = { .ctx = ctx, .o = o, .res = res };
	struct sl_audit_read_res rr;
	struct sl_audit_range ranges[SL_AUDIT_MAX_PROOF];
	struct cp *cps = NULL;
	unsigned ncp = 0, nr = 0, i;
	uint64_t m = 0, n = 0;
	void *tmp = talloc_new(ctx);
	int rc;

	memset(res, 0, sizeof(*res));
	res->worst = SL_AUDIT_SEV_INFO;
	s.h = sl_audit_hasher_new(tmp);
	if (!s.h) {
		talloc_free(tmp);
		return -ENOMEM;
	}
	sl_audit_frontier_init(&s.tree);
	s.prev_time = 0;
	if (o->key_untrusted)
		add(&s, SL_AP_KEY_UNTRUSTED, NULL, -1, -1, "key %s", o->key->name);
	read_checkpoints(&s, &cps, &ncp);
	check_forks(&s, cps, ncp);

	if (o->since) {
		const char *why = NULL;
		enum sl_audit_note_res r = sl_audit_ckpt_open(o->since, o->since_len, o->key, &res->since, &why);

		res->since_given = true;
		if (r == SL_NOTE_SYNTAX)
			add(&s, SL_AP_SINCE_SYNTAX, o->since_name, -1, -1, "%s", why);
		else if (r != SL_NOTE_OK || strcmp(res->since.origin, o->key->name) != 0)
			add(&s, SL_AP_SINCE_SIGNATURE, o->since_name, -1, (int64_t)res->since.size,
			    r == SL_NOTE_UNSIGNED ? "no signature by the key" : r == SL_NOTE_BAD_SIG ? "bad signature"
											: "origin differs");
		if (r != SL_NOTE_SYNTAX) {
			/* The consistency proof between the auditor's tree and the log's latest checkpoint. */
			m = res->since.size;
			n = res->have_latest ? res->latest.size : m;
			if (m > n) {
				uint64_t t = m;

				m = n;
				n = t;
			}
			nr = sl_audit_consistency_ranges(m, n, ranges);
			s.mr = sl_audit_multirange_new(tmp, ranges, nr);
		}
	}
	/* Sizes at which the pass takes the root. */
	s.snaps = talloc_zero_array(tmp, struct snap, ncp + 2);
	for (i = 0; i < ncp; i++)
		s.snaps[s.nsnaps++].size = cps[i].c.size;
	if (res->since_given && o->since && !res->counts[SL_AP_SINCE_SYNTAX])
		s.snaps[s.nsnaps++].size = res->since.size;
	qsort(s.snaps, s.nsnaps, sizeof(*s.snaps), cmp_snap);
	/* size 0 is the empty tree, reached before any record */
	while (s.next_snap < s.nsnaps && s.snaps[s.next_snap].size == 0) {
		sl_audit_frontier_root(&s.tree, s.h, s.snaps[s.next_snap].root);
		s.snaps[s.next_snap++].done = true;
	}

	rc = sl_audit_read_log(tmp, s.h, o->dir, on_record, &s, &rr);
	res->records = s.tree.size;
	sl_audit_frontier_root(&s.tree, s.h, res->root);
	if (rc < 0 && rr.problem < 0) {
		talloc_free(tmp);
		return rc;
	}
	if (rr.problem >= 0)
		add(&s, (enum sl_audit_problem)rr.problem, rr.file, (int64_t)rr.off, (int64_t)rr.records,
		    rr.problem == SL_AP_REC_TORN ? "%" PRIu64 " bytes" : NULL, rr.torn_len);

	for (i = 0; i < ncp; i++) {
		const struct cp *c = &cps[i];
		const struct snap *sn = find_snap(&s, c->c.size);
		const char *file = c->off == UINT64_MAX ? "checkpoint" : "checkpoints.log";
		int64_t off = c->off == UINT64_MAX ? -1 : (int64_t)c->off;

		if (c->c.size > res->records)
			add(&s, SL_AP_CP_BEYOND, file, off, (int64_t)c->c.size, "log holds %" PRIu64 " records",
			    res->records);
		else if (!sn || memcmp(sn->root, c->c.root, SL_AUDIT_HASH_LEN) != 0)
			add(&s, SL_AP_CP_ROOT, file, off, (int64_t)c->c.size, NULL);
		else if (c->c.has_time && c->c.time_us < sn->last_time)
			add(&s, SL_AP_CP_TIME_RECORD, file, off, (int64_t)c->c.size,
			    "checkpoint time %" PRId64 ", last record %" PRId64, c->c.time_us, sn->last_time);
	}
	if (res->have_latest && res->records > res->latest.size)
		add(&s, SL_AP_CP_UNCOVERED, NULL, -1, (int64_t)res->latest.size, "%" PRIu64 " records after it",
		    res->records - res->latest.size);

	if (res->since_given && !res->counts[SL_AP_SINCE_SYNTAX]) {
		const struct snap *sn = find_snap(&s, res->since.size);
		uint8_t(*proof)[SL_AUDIT_HASH_LEN] = talloc_size(tmp, (nr ? nr : 1) * SL_AUDIT_HASH_LEN);
		bool have = true;

		if (res->since.size > res->records) {
			add(&s, SL_AP_SINCE_BEYOND, o->since_name, -1, (int64_t)res->since.size,
			    "log holds %" PRIu64 " records", res->records);
		} else if (!sn || memcmp(sn->root, res->since.root, SL_AUDIT_HASH_LEN) != 0) {
			add(&s, SL_AP_SINCE_ROOT, o->since_name, -1, (int64_t)res->since.size, NULL);
		}
		for (i = 0; i < nr; i++)
			if (!sl_audit_multirange_get(s.mr, s.h, i, proof[i]))
				have = false;
		res->since_proof_len = nr;
		{
			const uint8_t *root_m = res->since.size == m ? res->since.root : res->latest.root;
			const uint8_t *root_n = res->since.size == m ? (res->have_latest ? res->latest.root : res->since.root)
								     : res->since.root;

			if (!have || !res->have_latest ||
			    !sl_audit_verify_consistency(s.h, m, n, root_m, root_n, (const uint8_t(*)[SL_AUDIT_HASH_LEN])proof, nr))
				add(&s, SL_AP_SINCE_CONSISTENCY, o->since_name, -1, (int64_t)res->since.size,
				    "from size %" PRIu64 " to %" PRIu64 "%s", m, n,
				    !res->have_latest ? " (no valid latest checkpoint)" : !have ? " (log too short)" : "");
			else
				res->since_ok = !res->counts[SL_AP_SINCE_ROOT] && !res->counts[SL_AP_SINCE_SIGNATURE];
		}
	}
	talloc_free(tmp);
	return 0;
}
