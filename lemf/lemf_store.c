/*
 * Output of `sluice lemf`: per-LIID JSON lines and raw PDUs, sequence
 * tracking per (LIID, CIN, stream), the summary (see lemf_store.h).
 */
#include "lemf/lemf_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <talloc.h>

#include "render/json_out.h"
#include "lemf/lemf_seq.h"
#include "render/pdu_render.h"
#include "render/printable.h"

struct liid_out {
	uint8_t *liid;
	size_t liid_len;
	bool reserved;		/* one of the store's own directories (_none, _undecodable) */
	bool dirty;		/* written since the last sync */
	int jfd, rfd;
};

struct stream {
	uint8_t *liid;
	size_t liid_len;
	bool has_cin;
	uint32_t cin;
	const char *name;
	struct sl_lemf_seq seq;
};

struct sl_lemf_store {
	char *dir;
	struct liid_out *outs;
	unsigned nouts;
	struct stream *streams;
	unsigned nstreams;
	uint64_t pdus, bad;
	struct sl_json j;
};

static const char *stream_of(const struct sl_pdu_decoded *d)
{
	/* contents we do not interpret still number in their payload's stream */
	if (d->kind == SL_PDU_UNDECODED && d->u.undecoded.where) {
		if (!strcmp(d->u.undecoded.where, "CCContents"))
			return "cc";
		if (!strcmp(d->u.undecoded.where, "IRIContents") || !strcmp(d->u.undecoded.where, "IPIRIContents"))
			return "iri";
		return NULL;
	}
	switch (d->kind) {
	case SL_PDU_IRI_IPMM:
	case SL_PDU_IRI_HI2:
		return "iri";
	case SL_PDU_CC_IPMM:
		return "cc";
	case SL_PDU_HI1:
		return "hi1";
	default:
		return NULL; /* TRI: no sequence of its own to check */
	}
}

static int store_destructor(struct sl_lemf_store *s)
{
	unsigned i;

	for (i = 0; i < s->nouts; i++) {
		close(s->outs[i].jfd);
		close(s->outs[i].rfd);
	}
	return 0;
}

struct sl_lemf_store *sl_lemf_store_new(void *ctx, const char *dir, char *err, size_t errlen)
{
	struct sl_lemf_store *s;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	s = talloc_zero(ctx, struct sl_lemf_store);
	if (!s)
		return NULL;
	s->dir = talloc_strdup(s, dir);
	sl_json_init(&s->j, s);
	talloc_set_destructor(s, store_destructor);
	return s;
}

/*
 * LIID as a directory name: [A-Za-z0-9_-] kept, everything else %XX. Names
 * starting with '_' belong to the store itself (_none for a PDU without a
 * LIID, _undecodable), so a LIID's leading '_' is escaped too.
 */
static void liid_dirname(const uint8_t *p, size_t n, bool reserved, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0, i;

	if (!n) {
		p = (const uint8_t *)"_none", n = 5;
		reserved = true;
	}
	for (i = 0; i < n && o + 4 < len; i++) {
		uint8_t c = p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c == '_' && (i || reserved)) || c == '-') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	buf[o] = 0;
}

static struct liid_out *out_for(struct sl_lemf_store *s, const uint8_t *liid, size_t n, bool reserved)
{
	char name[128], path[4096];
	struct liid_out *o;
	unsigned i;

	if (!liid)
		n = 0;
	for (i = 0; i < s->nouts; i++)
		if (s->outs[i].reserved == reserved && s->outs[i].liid_len == n && (!n || !memcmp(s->outs[i].liid, liid, n)))
			return &s->outs[i];
	o = talloc_realloc(s, s->outs, struct liid_out, s->nouts + 1);
	if (!o)
		return NULL;
	s->outs = o;
	o = &s->outs[s->nouts];
	liid_dirname(liid, n, reserved, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", s->dir, name);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s/pdus.jsonl", s->dir, name);
	o->jfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	o->dirty = true;
	snprintf(path, sizeof(path), "%s/%s/pdus.raw", s->dir, name);
	o->rfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	o->liid = n ? talloc_memdup(s, liid, n) : (uint8_t *)talloc_strdup(s, "");
	o->liid_len = n;
	o->reserved = reserved;
	if (o->jfd < 0 || o->rfd < 0 || !o->liid) {
		if (o->jfd >= 0)
			close(o->jfd);
		if (o->rfd >= 0)
			close(o->rfd);
		return NULL;
	}
	s->nouts++;
	return o;
}

static struct stream *stream_for(struct sl_lemf_store *s, const struct sl_pdu_decoded *d, const char *name)
{
	struct stream *st;
	unsigned i;

	for (i = s->nstreams; i-- > 0;) {
		st = &s->streams[i];
		if (st->name == name && st->has_cin == d->has_cin && (!d->has_cin || st->cin == d->cin) &&
		    st->liid_len == d->liid.n && !memcmp(st->liid, d->liid.p, d->liid.n))
			return st;
	}
	st = talloc_realloc(s, s->streams, struct stream, s->nstreams + 1);
	if (!st)
		return NULL;
	s->streams = st;
	st = &s->streams[s->nstreams];
	*st = (struct stream){ .liid = talloc_size(s, d->liid.n + 1), .liid_len = d->liid.n, .has_cin = d->has_cin,
			       .cin = d->cin, .name = name };
	if (!st->liid)
		return NULL;
	if (d->liid.n)
		memcpy(st->liid, d->liid.p, d->liid.n);
	st->liid[d->liid.n] = 0;
	s->nstreams++;
	return st;
}

static void json_bytes(struct sl_json *j, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char buf[2 * 256 + 1];
	size_t i, o = 0;

	if (sl_printable(p, n, SL_PRINTABLE_LINE)) {
		sl_json_str(j, (struct sl_str){ (const char *)p, n });
		return;
	}
	/* Hex, truncated past 256 bytes (the raw file has them all). */
	for (i = 0; i < n && i < 256; i++) {
		buf[o++] = hex[p[i] >> 4];
		buf[o++] = hex[p[i] & 15];
	}
	buf[o] = 0;
	sl_json_cstr(j, buf);
}

static int write_line(int fd, struct sl_json *j)
{
	struct iovec iov[2] = { { j->buf, j->len }, { (void *)"\n", 1 } };

	if (j->failed)
		return -ENOMEM;
	return writev(fd, iov, 2) == (ssize_t)(j->len + 1) ? 0 : -EIO;
}

static int write_raw(int fd, const uint8_t *p, size_t n)
{
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
	struct iovec iov[2] = { { len, 4 }, { (void *)p, n } };

	return writev(fd, iov, 2) == (ssize_t)(n + 4) ? 0 : -EIO;
}

int sl_lemf_store_pdu(struct sl_lemf_store *s, unsigned conn, const uint8_t *p, size_t n,
		      const struct sl_pdu_decoded *d)
{
	const char *sname = stream_of(d);
	/* a standalone TS 101 671 IRIsContent has no PSHeader: its LIID is in the IRI's identifiers */
	const struct sl_pdu_bytes *liid = d->ps ? &d->liid : &d->u.hi2.ids.liid;
	struct liid_out *o = out_for(s, liid->p, liid->n, false);
	struct stream *st = NULL;
	uint64_t jump = 0;
	int dup = 0;

	if (!o)
		return -EIO;
	if (sname && d->ps) {
		st = stream_for(s, d, sname);
		if (!st)
			return -ENOMEM;
		/* recorded once written: a PDU that could not be stored must not count as received */
		if (sl_lemf_seq_reserve(s, &st->seq) < 0)
			return -ENOMEM;
		dup = sl_lemf_seq_peek(&st->seq, d->seqno, &jump);
	}
	sl_json_reset(&s->j);
	sl_json_obj_open(&s->j);
	sl_json_key(&s->j, "conn");
	sl_json_u64(&s->j, conn);
	sl_json_key(&s->j, "stream");
	sl_json_cstr(&s->j, sname ? sname : "tri");
	sl_json_key(&s->j, "liid");
	json_bytes(&s->j, liid->p, liid->n);
	sl_json_key(&s->j, "cin");
	if (d->has_cin)
		sl_json_u64(&s->j, d->cin);
	else
		sl_json_null(&s->j);
	sl_json_key(&s->j, "seq");
	sl_json_u64(&s->j, d->seqno);
	sl_json_key(&s->j, "dup");
	sl_json_bool(&s->j, dup == 1);
	sl_json_key(&s->j, "gap");
	sl_json_u64(&s->j, jump);
	sl_json_key(&s->j, "pdu");
	sl_pdu_to_json(&s->j, d); /* the same rendering as `sluice decode --format json` */
	sl_json_obj_close(&s->j);
	o->dirty = true;
	if (write_line(o->jfd, &s->j) < 0 || write_raw(o->rfd, p, n) < 0)
		return -EIO;
	if (st)
		sl_lemf_seq_add(s, &st->seq, d->seqno, &jump); /* cannot fail: room was reserved */
	s->pdus++;
	return 0;
}

int sl_lemf_store_bad(struct sl_lemf_store *s, unsigned conn, const uint8_t *p, size_t n, const char *why)
{
	struct liid_out *o = out_for(s, (const uint8_t *)"_undecodable", 12, true);

	s->bad++;
	if (!o)
		return -EIO;
	sl_json_reset(&s->j);
	sl_json_obj_open(&s->j);
	sl_json_key(&s->j, "conn");
	sl_json_u64(&s->j, conn);
	sl_json_key(&s->j, "error");
	sl_json_cstr(&s->j, why);
	sl_json_key(&s->j, "bytes");
	sl_json_u64(&s->j, n);
	sl_json_obj_close(&s->j);
	if (write_line(o->jfd, &s->j) < 0 || write_raw(o->rfd, p, n) < 0)
		return -EIO;
	return 0;
}

/* fsync a directory, so that the files created in it survive a crash. */
static int sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int sl_lemf_store_sync(struct sl_lemf_store *s)
{
	char path[4096], name[128];
	unsigned i;
	int rc = 0;

	for (i = 0; i < s->nouts; i++) {
		struct liid_out *o = &s->outs[i];
		if (!o->dirty)
			continue;
		if (fdatasync(o->jfd) < 0 || fdatasync(o->rfd) < 0) {
			rc = -errno;
			continue;
		}
		/* new files: their directory entries too (cheap enough: acknowledgements are rare) */
		liid_dirname(o->liid, o->liid_len, o->reserved, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", s->dir, name);
		if (sync_dir(path) < 0 || sync_dir(s->dir) < 0) {
			rc = -EIO;
			continue;
		}
		o->dirty = false;
	}
	return rc;
}

/*
 * Numbers missing from a stream: a communication's IRI and CC streams are
 * numbered from 0 (TS 102 232-1 clause 5.2.5), so a stream whose lowest
 * number is above 0 lost its start; HI1 and TRI numbering continues across
 * a gateway's connections, so only holes between what was seen count there.
 */
static uint64_t stream_missing(const struct stream *st)
{
	return st->has_cin ? sl_lemf_seq_missing_from(&st->seq, 0) : sl_lemf_seq_missing(&st->seq);
}

void sl_lemf_store_totals(const struct sl_lemf_store *s, uint64_t *pdus, uint64_t *dups, uint64_t *missing,
			  uint64_t *bad)
{
	unsigned i;

	*pdus = s->pdus;
	*bad = s->bad;
	*dups = *missing = 0;
	for (i = 0; i < s->nstreams; i++) {
		*dups += s->streams[i].seq.duplicates;
		*missing += stream_missing(&s->streams[i]);
	}
}

int sl_lemf_store_summary(struct sl_lemf_store *s, FILE *out)
{
	char path[4096];
	unsigned i;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/summary.json", s->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	fprintf(out, "%-26s %-10s %-6s %12s %12s %12s %10s %10s\n", "LIID", "CIN", "stream", "received",
		"duplicates", "missing", "first", "last");
	for (i = 0; i < s->nstreams; i++) {
		struct stream *st = &s->streams[i];
		uint64_t first = st->seq.n ? st->seq.r[0].lo : 0, last = st->seq.n ? st->seq.r[st->seq.n - 1].hi : 0;
		char cin[16] = "-", name[128];

		/* escaped as for directory names: a LIID's bytes must not reach the operator's terminal raw */
		liid_dirname(st->liid, st->liid_len, false, name, sizeof(name));
		if (st->has_cin)
			snprintf(cin, sizeof(cin), "%" PRIu32, st->cin);
		fprintf(out, "%-26s %-10s %-6s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64
			"\n", name, cin, st->name, st->seq.received,
			st->seq.duplicates, stream_missing(st), first, last);
		sl_json_reset(&s->j);
		sl_json_obj_open(&s->j);
		sl_json_key(&s->j, "liid");
		json_bytes(&s->j, st->liid, st->liid_len);
		sl_json_key(&s->j, "cin");
		if (st->has_cin)
			sl_json_u64(&s->j, st->cin);
		else
			sl_json_null(&s->j);
		sl_json_key(&s->j, "stream");
		sl_json_cstr(&s->j, st->name);
		sl_json_key(&s->j, "received");
		sl_json_u64(&s->j, st->seq.received);
		sl_json_key(&s->j, "duplicates");
		sl_json_u64(&s->j, st->seq.duplicates);
		sl_json_key(&s->j, "missing");
		sl_json_u64(&s->j, stream_missing(st));
		sl_json_key(&s->j, "first");
		sl_json_u64(&s->j, first);
		sl_json_key(&s->j, "last");
		sl_json_u64(&s->j, last);
		sl_json_obj_close(&s->j);
		if (write_line(fd, &s->j) < 0)
			rc = -EIO;
	}
	fprintf(out, "%" PRIu64 " PDUs, %" PRIu64 " undecodable\n", s->pdus, s->bad);
	close(fd);
	return rc;
}
