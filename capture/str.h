/*
 * String views into captured bytes.
 *
 * SIP and SDP parsing hands out {pointer, length} views into the packet or
 * reassembled stream rather than copies, so the hot path allocates nothing.
 * A view is valid only as long as the bytes it points into (one dispatch);
 * whoever keeps a value beyond that copies it (sl_str_copy, sl_str_dup).
 * Views are not NUL-terminated; never pass view.p to a libc string function.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sl_str {
	const char *p;
	size_t len;
};

#define SL_STR_NULL ((struct sl_str){ NULL, 0 })
#define SL_STR_LIT(s) ((struct sl_str){ (s), sizeof(s) - 1 })

static inline struct sl_str sl_str_make(const void *p, size_t len)
{
	struct sl_str s = { .p = p, .len = len };
	return s;
}

static inline bool sl_str_present(struct sl_str s)
{
	return s.p != NULL;
}

bool sl_str_eq(struct sl_str a, struct sl_str b);
/* ASCII case-insensitive comparisons (SIP header names, tokens, schemes). */
bool sl_str_ieq(struct sl_str a, struct sl_str b);
bool sl_str_ieq_cstr(struct sl_str a, const char *b);
bool sl_str_istarts(struct sl_str a, const char *prefix);
/* Index of the first occurrence of c, or -1. (Inline: header parsing calls it per value.) */
static inline long sl_str_chr(struct sl_str s, char c)
{
	const char *hit;

	if (!s.len)
		return -1;
	hit = memchr(s.p, c, s.len);
	return hit ? (long)(hit - s.p) : -1;
}

/* Case-insensitive search for a token; returns offset or -1. */
long sl_str_ifind(struct sl_str hay, const char *needle);
/* Without leading and trailing SP, HTAB, CR and LF. (Inline, for the same reason.) */
static inline struct sl_str sl_str_trim(struct sl_str s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' || s.p[0] == '\n')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r' ||
			 s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

struct sl_str sl_str_sub(struct sl_str s, size_t off, size_t len);
/* Parse an unsigned decimal that fits in max; false on empty, non-digit or overflow. */
bool sl_str_to_u32(struct sl_str s, uint32_t max, uint32_t *out);
/* Copy into a NUL-terminated buffer; returns false (and truncates) if it did not fit. */
bool sl_str_copy(char *dst, size_t dstlen, struct sl_str s);
/* talloc copy with terminating NUL. */
char *sl_str_dup(void *ctx, struct sl_str s);
