/*
 * The in-memory consent index (see consent_index.h).
 *
 * Layout: the table itself is an array of 64-byte lines aligned to cache
 * lines, one per subject, each holding the subject (its hash, type and
 * value) and the subject's first record inline, with open addressing and
 * linear probing over the lines. A lookup of a present subject with one
 * record therefore touches one line (rarely the next one too, which the
 * hardware fetches along), not a slot and then a line somewhere else: at
 * a million subjects that is one cache miss instead of two dependent
 * ones. A caller that knows its subjects before it decides can have their
 * lines fetched early (sl_consent_index_prefetch()); the lookup itself
 * does not prefetch the line before the filter answers, because absent
 * subjects, the common case, would then pay a memory fetch each
 * (measured: slower absent lookups, no faster present ones). For the
 * same reason a caller with work to overlap fetches in two stages
 * (sl_consent_index_prefetch_filter_h(), then _line_h(), which fetches
 * the line only if the filter lets the subject through): a line fetched
 * for an absent subject is never read and evicts filter words. Further
 * records of a subject live in a second array, linked by index. The table is kept at most four fifths
 * full and grows to twice its contents beyond; its size is any multiple
 * of 64 lines (the home line is chosen by multiplying, not masking), so
 * it need not double to the next power of two. The hash is sl_hash
 * (util/hash.h), seeded per process, because subject identities come from
 * the network; a line matches only if the subject's type and value are
 * equal too, never on the hash alone.
 *
 * The big arrays (table, filter) are allocated outside talloc, aligned,
 * and from 2 MiB up marked for transparent huge pages: at a million
 * subjects a lookup then costs a cache miss but few TLB misses.
 *
 * Most subjects seen on a mirror port have no record at all, so before
 * the table a lookup asks a filter that answers "certainly absent" or
 * "perhaps present": a register-blocked Bloom filter, one 64-bit word per
 * subject hash with four bits set in it, 16 bits per subject (2 MiB at a
 * million subjects, in last-level cache, one huge page). An absent
 * subject then costs a hash and one word. Subjects are never removed
 * from the index (the store keeps every record), so the filter only gains
 * bits: set when a subject is inserted, rebuilt from the subjects' stored
 * hashes when it doubles. It therefore never gives a false negative; a false positive
 * (about 0.5 % at 16 bits per subject) merely costs the table lookup it
 * would have cost without the filter.
 *
 * Recipients are interned in a small array: a subject's record names its
 * recipient by number, and the predicate compares names only for the few
 * records of the subject it looks at. Lookups linear in the number of
 * recipients happen only on refresh and in sl_consent_index_recipient().
 */
#include "mediation/consent/consent_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <talloc.h>

#include "mediation/consent/consent_policy.h"
#include "util/hash.h"

#define MAX_RECIPIENTS 65535

/* One line of the table: a subject and its first record. */
struct ix_subj {
	uint64_t hash;
	uint8_t used;	 /* the line holds a subject */
	uint8_t type;	 /* enum sl_consent_subject_type */
	uint8_t has_rec; /* rec0 is in use */
	char value[SL_CONSENT_SUBJECT_MAX + 1];
	struct sl_consent_ix_rec rec0; /* rec0.next: the subject's further records in ix->rec */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct ix_subj) == 64, "a subject and its first record fill one cache line");

struct sl_consent_index {
	struct sl_consent_store *store;
	uint64_t gen, dv, refreshes;
	bool dv_seen;
	struct ix_subj *tab; /* cap lines, at most four fifths in use */
	uint32_t n_subj, cap;
	struct sl_consent_ix_rec *rec; /* records after each subject's first */
	uint32_t n_rec, cap_rec;
	uint32_t n_rec_inline;	       /* first records, held in tab */
	uint64_t *filter; /* 1 << fbits words */
	unsigned fbits;
	char (*recip)[SL_CONSENT_NAME_MAX + 1];
	uint32_t n_recip;
	struct rate_ctr_group *ctrs;
};

static int ix_destructor(struct sl_consent_index *ix)
{
	free(ix->tab);
	free(ix->filter);
	if (ix->ctrs)
		rate_ctr_group_free(ix->ctrs);
	return 0;
}

static uint64_t subj_hash(uint8_t type, const char *value)
{
	char key[SL_CONSENT_SUBJECT_MAX + 2];
	size_t n = strlen(value);

	key[0] = (char)type;
	memcpy(key + 1, value, n);
	return sl_hash(key, n + 1);
}

/* The first line to probe for hash: the mixed hash scaled to the table, whatever its size. */
static inline uint32_t line_home(uint32_t cap, uint64_t hash)
{
	return (uint32_t)((((hash * 0x9E3779B97F4A7C15ull) >> 32) * cap) >> 32);
}

/* The first free line of tab (cap lines) from hash's home. */
static struct ix_subj *line_free(struct ix_subj *tab, uint32_t cap, uint64_t hash)
{
	uint32_t j;

	for (j = line_home(cap, hash); tab[j].used; j = j + 1 == cap ? 0 : j + 1)
		;
	return &tab[j];
}

#define HUGE_PAGE (2u << 20)

/* size bytes aligned to a cache line, or to a huge page (and advised so) from 2 MiB up; free() it. */
static void *big_alloc(size_t size)
{
	size_t align = size >= HUGE_PAGE ? HUGE_PAGE : 64;
	void *p;

	size = (size + align - 1) / align * align;
	p = aligned_alloc(align, size);
	if (p && align == HUGE_PAGE)
		madvise(p, size, MADV_HUGEPAGE); /* advice only: without THP the pages are just small */
	return p;
}

/* Four bits of one word, from hash bits the word number does not use. */
static inline uint64_t filter_bits(uint64_t hash)
{
	uint64_t h = hash >> 40;

	return 1ull << (h & 63) | 1ull << ((h >> 6) & 63) | 1ull << ((h >> 12) & 63) | 1ull << ((h >> 18) & 63);
}

static inline uint64_t *filter_word(const struct sl_consent_index *ix, uint64_t hash)
{
	return &ix->filter[hash & ((1ull << ix->fbits) - 1)];
}

/* false only if no subject with this hash was ever inserted. */
static inline bool filter_maybe(const struct sl_consent_index *ix, uint64_t hash)
{
	uint64_t m = filter_bits(hash);

	return (*filter_word(ix, hash) & m) == m;
}

#define FILTER_SUBJECTS_PER_WORD 4 /* 16 bits per subject */

/* A filter of 1 << fbits words holding every subject in the table. */
static int filter_build(struct sl_consent_index *ix, unsigned fbits)
{
	uint64_t *f = big_alloc(sizeof(uint64_t) << fbits);
	uint32_t i;

	if (!f)
		return -ENOMEM;
	memset(f, 0, sizeof(uint64_t) << fbits);
	free(ix->filter);
	ix->filter = f;
	ix->fbits = fbits;
	for (i = 0; i < ix->cap; i++)
		if (ix->tab[i].used)
			*filter_word(ix, ix->tab[i].hash) |= filter_bits(ix->tab[i].hash);
	return 0;
}

#define MAX_LINES (UINT32_MAX / 2 + 1) /* 2^31 lines of 64 bytes */

/* Moves the subjects to a table of room for at least need lines (a multiple of 64, of huge pages from 2 MiB). */
static int rehash(struct sl_consent_index *ix, uint64_t need)
{
	uint64_t bytes = (need + 63) / 64 * 64 * sizeof(struct ix_subj);
	struct ix_subj *t;
	uint32_t cap, i;

	if (bytes >= HUGE_PAGE)
		bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE; /* the page is held anyway: use it */
	if (bytes / sizeof(*t) > MAX_LINES)
		return -E2BIG;
	cap = (uint32_t)(bytes / sizeof(*t));
	t = big_alloc(bytes);
	if (!t)
		return -ENOMEM;
	memset(t, 0, bytes);
	for (i = 0; i < ix->cap; i++)
		if (ix->tab[i].used)
			*line_free(t, cap, ix->tab[i].hash) = ix->tab[i];
	free(ix->tab);
	ix->tab = t;
	ix->cap = cap;
	return 0;
}

struct sl_consent_index *sl_consent_index_alloc(void *ctx, struct sl_consent_store *store, unsigned ctr_idx)
{
	struct sl_consent_index *ix = talloc_zero(ctx, struct sl_consent_index);

	if (!ix)
		return NULL;
	ix->store = store;
	talloc_set_destructor(ix, ix_destructor);
	ix->ctrs = rate_ctr_group_alloc(ix, &sl_consent_ctrg_desc, ctr_idx);
	if (!ix->ctrs || rehash(ix, 64) < 0 || filter_build(ix, 2) < 0) {
		talloc_free(ix);
		return NULL;
	}
	return ix;
}

struct rate_ctr_group *sl_consent_index_ctrs(struct sl_consent_index *ix)
{
	return ix->ctrs;
}

static struct ix_subj *find_subj(const struct sl_consent_index *ix, uint8_t type, const char *value, uint64_t hash)
{
	uint32_t j;

	if (!filter_maybe(ix, hash))
		return NULL;
	for (j = line_home(ix->cap, hash); ix->tab[j].used; j = j + 1 == ix->cap ? 0 : j + 1) {
		struct ix_subj *s = &ix->tab[j];
		if (s->hash == hash && s->type == type && !strcmp(s->value, value))
			return s;
	}
	return NULL;
}

uint64_t sl_consent_index_hash(const struct sl_consent_subject *subject)
{
	/* an unterminated value is no subject (the predicate refuses it): any hash will do, none is read past */
	if (!memchr(subject->value, 0, sizeof(subject->value)))
		return 0;
	return subj_hash((uint8_t)subject->type, subject->value);
}

const struct sl_consent_ix_rec *sl_consent_index_first_h(const struct sl_consent_index *ix,
							 const struct sl_consent_subject *subject, uint64_t hash)
{
	const struct ix_subj *s = find_subj(ix, (uint8_t)subject->type, subject->value, hash);

	return s && s->has_rec ? &s->rec0 : NULL;
}

const struct sl_consent_ix_rec *sl_consent_index_first(const struct sl_consent_index *ix,
						       const struct sl_consent_subject *subject)
{
	return sl_consent_index_first_h(ix, subject, subj_hash((uint8_t)subject->type, subject->value));
}

/*
 * A prefetch has no effect the compiler can see, so a function doing
 * nothing else counts as pure and GCC 12 deletes calls to it whose result
 * is unused (sl_consent_index_prefetch() calling the _h form lost its
 * prefetches that way, measured in bench_consent): the empty volatile asm
 * is an effect it must keep, and costs no instruction.
 */
static inline void fetch(const void *p)
{
	__builtin_prefetch(p);
	__asm__ __volatile__("" : : "r"(p));
}

void sl_consent_index_prefetch_h(const struct sl_consent_index *ix, uint64_t hash)
{
	fetch(filter_word(ix, hash));
	fetch(&ix->tab[line_home(ix->cap, hash)]);
}

void sl_consent_index_prefetch_filter_h(const struct sl_consent_index *ix, uint64_t hash)
{
	fetch(filter_word(ix, hash));
}

bool sl_consent_index_prefetch_line_h(const struct sl_consent_index *ix, uint64_t hash)
{
	if (!filter_maybe(ix, hash))
		return false;
	fetch(&ix->tab[line_home(ix->cap, hash)]);
	return true;
}

void sl_consent_index_prefetch(const struct sl_consent_index *ix, const struct sl_consent_subject *subject)
{
	sl_consent_index_prefetch_h(ix, subj_hash((uint8_t)subject->type, subject->value));
}

bool sl_consent_index_maybe(const struct sl_consent_index *ix, const struct sl_consent_subject *subject)
{
	return filter_maybe(ix, subj_hash((uint8_t)subject->type, subject->value));
}

const struct sl_consent_ix_rec *sl_consent_index_next(const struct sl_consent_index *ix,
						      const struct sl_consent_ix_rec *r)
{
	return r->next != SL_CONSENT_IX_END ? &ix->rec[r->next] : NULL;
}

int sl_consent_index_recipient(const struct sl_consent_index *ix, const char *name)
{
	uint32_t i;

	for (i = 0; i < ix->n_recip; i++)
		if (!strcmp(ix->recip[i], name))
			return (int)i;
	return -1;
}

static int intern(struct sl_consent_index *ix, const char *name)
{
	int i = sl_consent_index_recipient(ix, name);
	char (*r)[SL_CONSENT_NAME_MAX + 1];

	if (i >= 0)
		return i;
	if (ix->n_recip >= MAX_RECIPIENTS || strlen(name) > SL_CONSENT_NAME_MAX)
		return -E2BIG;
	r = talloc_realloc_size(ix, ix->recip, sizeof(*r) * (ix->n_recip + 1));
	if (!r)
		return -ENOMEM;
	ix->recip = r;
	memset(r[ix->n_recip], 0, sizeof(r[0]));
	memcpy(r[ix->n_recip], name, strlen(name));
	return (int)ix->n_recip++;
}

static int grow(void *ctx, void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t n = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = talloc_realloc_size(ctx, *arr, (size_t)n * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

int sl_consent_index_put(struct sl_consent_index *ix, const struct sl_consent_row *row)
{
	uint64_t hash = subj_hash((uint8_t)row->subject->type, row->subject->value);
	struct ix_subj *s = find_subj(ix, (uint8_t)row->subject->type, row->subject->value, hash);
	struct sl_consent_ix_rec *r = NULL;
	int rid = intern(ix, row->recipient), rc;
	uint32_t i;

	if (rid < 0)
		return rid;
	if (!s) {
		/* at most four fifths full: then twice the subjects' room */
		if ((uint64_t)ix->n_subj + 1 > (uint64_t)ix->cap * 4 / 5 &&
		    (rc = rehash(ix, 2 * ((uint64_t)ix->n_subj + 1))) < 0)
			return rc;
		if (ix->n_subj + 1 > ((uint64_t)FILTER_SUBJECTS_PER_WORD << ix->fbits) && ix->fbits < 32 &&
		    filter_build(ix, ix->fbits + 1) < 0)
			return -ENOMEM;
		s = line_free(ix->tab, ix->cap, hash);
		memset(s, 0, sizeof(*s));
		s->hash = hash;
		s->used = 1;
		s->type = (uint8_t)row->subject->type;
		memcpy(s->value, row->subject->value, strlen(row->subject->value));
		s->rec0.next = SL_CONSENT_IX_END;
		ix->n_subj++;
		*filter_word(ix, hash) |= filter_bits(hash);
	}
	if (s->has_rec && s->rec0.recipient == rid && s->rec0.purpose == row->purpose)
		r = &s->rec0;
	for (i = s->has_rec ? s->rec0.next : SL_CONSENT_IX_END; !r && i != SL_CONSENT_IX_END; i = ix->rec[i].next)
		if (ix->rec[i].recipient == rid && ix->rec[i].purpose == row->purpose)
			r = &ix->rec[i];
	if (!r && !s->has_rec) {
		r = &s->rec0;
		s->has_rec = 1;
		r->next = SL_CONSENT_IX_END;
		r->recipient = (uint16_t)rid;
		r->purpose = (uint8_t)row->purpose;
		ix->n_rec_inline++;
	} else if (!r) {
		/* s points into tab, which growing rec does not move */
		if (ix->n_rec == SL_CONSENT_IX_END - 1)
			return -E2BIG;
		if (grow(ix, (void **)&ix->rec, &ix->cap_rec, ix->n_rec + 1, sizeof(*ix->rec)) < 0)
			return -ENOMEM;
		r = &ix->rec[ix->n_rec];
		r->next = s->rec0.next;
		r->recipient = (uint16_t)rid;
		r->purpose = (uint8_t)row->purpose;
		s->rec0.next = ix->n_rec++;
	}
	r->status = (uint8_t)row->status;
	r->categories = row->categories;
	r->valid_from_us = row->valid_from_us;
	r->valid_until_us = row->valid_until_us;
	return 0;
}

static int apply_row(void *data, const struct sl_consent_row *row)
{
	return sl_consent_index_put(data, row);
}

int sl_consent_index_refresh(struct sl_consent_index *ix, char **err)
{
	uint64_t dv, gen;
	int rc;

	if (!ix->store)
		return 0;
	rc = sl_consent_store_version(ix->store, &dv);
	if (rc < 0) {
		rate_ctr_inc2(ix->ctrs, SL_CONSENT_CTR_REFRESH_FAILED);
		if (err)
			*err = talloc_asprintf(ix, "%s: cannot read the data version", sl_consent_store_path(ix->store));
		return rc;
	}
	if (ix->dv_seen && dv == ix->dv)
		return 0;
	rc = sl_consent_store_scan(ix->store, ix->gen, apply_row, ix, &gen, err);
	if (rc < 0) {
		rate_ctr_inc2(ix->ctrs, SL_CONSENT_CTR_REFRESH_FAILED);
		return rc;
	}
	ix->dv = dv;
	ix->dv_seen = true;
	if (gen == ix->gen)
		return 0;
	ix->gen = gen;
	ix->refreshes++;
	rate_ctr_inc2(ix->ctrs, SL_CONSENT_CTR_REFRESHED);
	return 1;
}

void sl_consent_index_stats(const struct sl_consent_index *ix, struct sl_consent_index_stats *st)
{
	st->subjects = ix->n_subj;
	st->records = (uint64_t)ix->n_rec + ix->n_rec_inline;
	st->recipients = ix->n_recip;
	st->bytes = (uint64_t)ix->cap * sizeof(*ix->tab) + (uint64_t)ix->cap_rec * sizeof(*ix->rec) +
		    ((uint64_t)sizeof(uint64_t) << ix->fbits) +
		    (uint64_t)ix->n_recip * sizeof(ix->recip[0]);
	st->filter_bytes = (uint64_t)sizeof(uint64_t) << ix->fbits;
	st->generation = ix->gen;
	st->refreshes = ix->refreshes;
}
