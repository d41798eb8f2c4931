/*
 * Spool readers: a cursor walks committed records in id order with its
 * own file descriptor, re-checking magic, id and CRC of every record it
 * returns, so corruption after open is reported (-EBADMSG) rather than
 * sent. A cursor keeps a deleted segment readable through its open
 * descriptor; it only ever moves forward except through seek.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "handover/delivery_log.h"
#include "handover/spool_int.h"

struct sl_spool_cursor {
	struct sl_spool *s;
	uint64_t next_id;
	uint64_t seg_first; /* segment open on fd (0: none) */
	int fd;
	uint64_t off;	    /* offset of next_id in that segment */
};

static int cursor_destructor(struct sl_spool_cursor *c)
{
	if (c->fd >= 0)
		close(c->fd);
	return 0;
}

struct sl_spool_cursor *sl_spool_cursor_new(void *ctx, struct sl_spool *s)
{
	struct sl_spool_cursor *c = talloc_zero(ctx, struct sl_spool_cursor);

	if (!c)
		return NULL;
	c->s = s;
	c->fd = -1;
	c->next_id = s->released_id + 1;
	talloc_set_destructor(c, cursor_destructor);
	return c;
}

uint64_t sl_spool_cursor_pos(const struct sl_spool_cursor *c)
{
	return c->next_id;
}

static int read_hdr(struct sl_spool_cursor *c, struct sl_spool_hdr *h, uint8_t raw[SL_SPOOL_HDR])
{
	ssize_t n = pread(c->fd, raw, SL_SPOOL_HDR, (off_t)c->off);

	if (n < 0)
		return -EIO;
	if (n != SL_SPOOL_HDR || !sl_spool_hdr_decode(raw, h))
		return -EBADMSG;
	return 0;
}

/* Open the segment holding c->next_id and find the record's offset in it. */
static int position(struct sl_spool_cursor *c)
{
	struct sl_spool *s = c->s;
	uint8_t raw[SL_SPOOL_HDR];
	struct sl_spool_hdr h;
	char path[4096];
	int i = sl_spool_seg_find(s, c->next_id), rc;

	if (i < 0)
		return -ENOENT;
	if (c->fd >= 0 && c->seg_first == s->segs[i].first_id)
		return 0;
	if (c->fd >= 0)
		close(c->fd);
	sl_spool_seg_path(s, s->segs[i].first_id, path, sizeof(path));
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		c->seg_first = 0;
		return -EIO;
	}
	c->seg_first = s->segs[i].first_id;
	c->off = 0;
	while (1) {
		rc = read_hdr(c, &h, raw);
		if (rc < 0)
			return rc;
		if (h.id == c->next_id)
			return 0;
		if (h.id > c->next_id)
			return -EBADMSG;
		c->off += SL_SPOOL_HDR + h.len;
	}
}

int sl_spool_cursor_seek(struct sl_spool_cursor *c, uint64_t id)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->seg_first = 0;
	c->next_id = id;
	if (id == c->s->last_id + 1)
		return 0;
	return position(c);
}

static int bad(struct sl_spool_cursor *c, int rc, const char *why)
{
	rate_ctr_inc2(c->s->ctrs, SL_SPOOL_CTR_IO_ERROR);
	LOGP(DSLSPOOL, LOGL_ERROR, "spool %s: reading record %" PRIu64 " (segment %" PRIu64 ", offset %" PRIu64
	     "): %s\n", c->s->name, c->next_id, c->seg_first, c->off, why);
	return rc;
}

int sl_spool_cursor_next(struct sl_spool_cursor *c, void *ctx, struct sl_spool_rec **out)
{
	uint8_t raw[SL_SPOOL_HDR];
	struct sl_spool_hdr h;
	struct sl_spool_rec *r;
	ssize_t n;
	int rc;

	*out = NULL;
	if (c->next_id > c->s->committed_id)
		return 0;
	rc = position(c);
	if (rc < 0)
		return bad(c, rc, rc == -ENOENT ? "no longer in the spool" : "cannot open its segment");
	rc = read_hdr(c, &h, raw);
	if (rc < 0)
		return bad(c, rc, "bad header");
	if (h.id != c->next_id || h.len == 0 || h.len > (1u << 30))
		return bad(c, -EBADMSG, "unexpected id or length");
	r = talloc_zero(ctx, struct sl_spool_rec);
	if (!r || !(r->data = talloc_size(r, h.len))) {
		talloc_free(r);
		return -ENOMEM;
	}
	n = pread(c->fd, r->data, h.len, (off_t)(c->off + SL_SPOOL_HDR));
	if (n != (ssize_t)h.len || sl_spool_hdr_crc(raw, r->data, h.len) != h.crc) {
		talloc_free(r);
		return bad(c, n < 0 ? -EIO : -EBADMSG, n < 0 ? strerror(errno) : "CRC mismatch");
	}
	r->id = h.id;
	r->time_ms = h.time_ms;
	r->loff = h.loff;
	r->len = h.len;
	c->off += SL_SPOOL_HDR + h.len;
	c->next_id++;
	*out = r;
	return 1;
}

int sl_spool_oldest_time(struct sl_spool *s, int64_t *time_ms)
{
	struct sl_spool_cursor *c;
	uint8_t raw[SL_SPOOL_HDR];
	struct sl_spool_hdr h;
	int rc;

	if (s->released_id >= s->last_id)
		return -ENOENT;
	if (s->oldest_cache_id == s->released_id + 1) {
		*time_ms = s->oldest_cache_ms;
		return 0;
	}
	c = sl_spool_cursor_new(s, s);
	if (!c)
		return -ENOMEM;
	rc = sl_spool_cursor_seek(c, s->released_id + 1);
	if (rc == 0)
		rc = read_hdr(c, &h, raw);
	if (rc == 0) {
		s->oldest_cache_id = h.id;
		s->oldest_cache_ms = *time_ms = h.time_ms;
	}
	talloc_free(c);
	return rc;
}
