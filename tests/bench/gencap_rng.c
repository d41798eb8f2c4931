/*
 * Deterministic pseudo-random numbers for the capture generator.
 *
 * Every byte sluice-gencap writes is a function of its options and --seed, so
 * a capture and its ground truth can be regenerated anywhere instead of being
 * stored. xoshiro256** (Blackman and Vigna, 2018) is small, fast enough to
 * fill RTP payloads, and gives the same sequence on every platform, which
 * libc rand() does not promise. The state is seeded through splitmix64, as
 * its authors recommend, so neighbouring seeds give unrelated streams.
 */
#include "tests/bench/gencap.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void gc_rng_seed(struct gc_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

uint64_t gc_rng_u64(struct gc_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t gc_rng_range(struct gc_rng *r, uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;

	/* Multiply-shift (Lemire): bias below 2^-32, irrelevant here, and no division. */
	return lo + (uint32_t)(((gc_rng_u64(r) >> 32) * span) >> 32);
}

bool gc_rng_pct(struct gc_rng *r, unsigned pct)
{
	return gc_rng_range(r, 0, 99) < pct;
}

void gc_rng_fill(struct gc_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len >= 8) {
		uint64_t v = gc_rng_u64(r);

		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t)(v >> (8 * i));
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = gc_rng_u64(r);

		for (size_t i = 0; i < len; i++)
			p[i] = (uint8_t)(v >> (8 * i));
	}
}

void gc_rng_hex(struct gc_rng *r, char *buf, size_t ndigits)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t v = 0;

	for (size_t i = 0; i < ndigits; i++) {
		if (i % 16 == 0)
			v = gc_rng_u64(r);
		buf[i] = hex[v & 15];
		v >>= 4;
	}
	buf[ndigits] = '\0';
}
