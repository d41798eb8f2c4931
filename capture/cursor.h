/*
 * Bounds-checked reading of untrusted bytes.
 *
 * Every decoder in sluice reads packet bytes only through a cursor
 * {ptr, left}. Each getter checks `need > left` before touching memory and
 * returns false when the data runs short, so a truncated or lying length
 * field turns into a counted "truncated" rejection instead of an
 * out-of-bounds read. Pointer arithmetic past the end is never formed.
 * A sub-cursor carves a length-delimited region (a header that announces
 * its own length) so inner decoders cannot read into their parent's
 * trailing bytes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_cursor {
	const uint8_t *p;
	size_t left;
};

static inline struct sl_cursor sl_cur(const void *p, size_t len)
{
	struct sl_cursor c = { .p = p, .left = len };
	return c;
}

static inline bool sl_cur_need(const struct sl_cursor *c, size_t need)
{
	return need <= c->left;
}

static inline bool sl_cur_skip(struct sl_cursor *c, size_t n)
{
	if (n > c->left)
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool sl_cur_u8(struct sl_cursor *c, uint8_t *v)
{
	if (c->left < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->left--;
	return true;
}

static inline bool sl_cur_be16(struct sl_cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return false;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool sl_cur_le16(struct sl_cursor *c, uint16_t *v)
{
	if (c->left < 2)
		return false;
	*v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2;
	c->left -= 2;
	return true;
}

static inline bool sl_cur_be32(struct sl_cursor *c, uint32_t *v)
{
	if (c->left < 4)
		return false;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	     ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	c->left -= 4;
	return true;
}

static inline bool sl_cur_le32(struct sl_cursor *c, uint32_t *v)
{
	if (c->left < 4)
		return false;
	*v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
	     ((uint32_t)c->p[1] << 8) | c->p[0];
	c->p += 4;
	c->left -= 4;
	return true;
}

/* Hand out a pointer to the next n bytes and consume them. */
static inline bool sl_cur_bytes(struct sl_cursor *c, size_t n, const uint8_t **out)
{
	if (n > c->left)
		return false;
	*out = c->p;
	c->p += n;
	c->left -= n;
	return true;
}

/* Copy the next n bytes out and consume them. */
static inline bool sl_cur_copy(struct sl_cursor *c, void *dst, size_t n)
{
	const uint8_t *src;
	size_t i;

	if (!sl_cur_bytes(c, n, &src))
		return false;
	for (i = 0; i < n; i++)
		((uint8_t *)dst)[i] = src[i];
	return true;
}

/* Split off the next n bytes as their own cursor and consume them from c. */
static inline bool sl_cur_sub(struct sl_cursor *c, size_t n, struct sl_cursor *sub)
{
	if (n > c->left)
		return false;
	sub->p = c->p;
	sub->left = n;
	c->p += n;
	c->left -= n;
	return true;
}

/* Peek at byte i ahead without consuming. */
static inline bool sl_cur_peek(const struct sl_cursor *c, size_t i, uint8_t *v)
{
	if (i >= c->left)
		return false;
	*v = c->p[i];
	return true;
}
