/*
 * The spool's on-disk format: the record header and release pointer
 * codecs (big-endian fields and a CRC-32C, layouts in spool_format.h)
 * and segment file names.
 *
 * Kept apart from the writer (spool.c) and the recovery scan
 * (spool_recover.c), which both need it: with the codec inside the
 * writer, the writer called recovery at open and recovery called back
 * into the writer for the codec.
 */
#include <inttypes.h>
#include <stdio.h>

#include "handover/crc32c.h"
#include "handover/spool_int.h"

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, v >> 32);
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

uint32_t sl_spool_hdr_crc(const uint8_t in[SL_SPOOL_HDR], const void *payload, uint32_t len)
{
	return sl_crc32c(sl_crc32c(0, in + 4, 28), payload, len);
}

void sl_spool_hdr_encode(uint8_t out[SL_SPOOL_HDR], const struct sl_spool_hdr *h, const void *payload)
{
	put_be32(out, SL_SPOOL_MAGIC);
	put_be32(out + 4, h->len);
	put_be64(out + 8, h->id);
	put_be64(out + 16, (uint64_t)h->time_ms);
	put_be64(out + 24, h->loff);
	put_be32(out + 32, sl_spool_hdr_crc(out, payload, h->len));
}

bool sl_spool_hdr_decode(const uint8_t in[SL_SPOOL_HDR], struct sl_spool_hdr *h)
{
	if (get_be32(in) != SL_SPOOL_MAGIC)
		return false;
	h->len = get_be32(in + 4);
	h->id = get_be64(in + 8);
	h->time_ms = (int64_t)get_be64(in + 16);
	h->loff = get_be64(in + 24);
	h->crc = get_be32(in + 32);
	return true;
}

void sl_spool_seg_path(const struct sl_spool *s, uint64_t first_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s/seg-%020" PRIu64 ".log", s->dir, first_id);
}

int sl_spool_seg_find(const struct sl_spool *s, uint64_t id)
{
	unsigned i;

	for (i = 0; i < s->nsegs; i++)
		if (id >= s->segs[i].first_id && id <= s->segs[i].last_id)
			return (int)i;
	return -1;
}

void sl_spool_rel_encode(uint8_t out[SL_SPOOL_REL_SIZE], uint64_t id, uint64_t loff_end)
{
	put_be32(out, SL_SPOOL_REL_MAGIC);
	put_be64(out + 4, id);
	put_be64(out + 12, loff_end);
	put_be32(out + 20, sl_crc32c(0, out, 20));
}

bool sl_spool_rel_decode(const uint8_t in[SL_SPOOL_REL_SIZE], uint64_t *id, uint64_t *loff_end)
{
	if (get_be32(in) != SL_SPOOL_REL_MAGIC || get_be32(in + 20) != sl_crc32c(0, in, 20))
		return false;
	*id = get_be64(in + 4);
	*loff_end = get_be64(in + 12);
	return true;
}
