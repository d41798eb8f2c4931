/*
 * Seeded hash for the capture tables (see hash.h). The mixing steps use the
 * well-known 64-bit finaliser constants (murmur3/splitmix style); the seed
 * enters both the initial state and the final mix.
 */
#include "util/hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t g_seed = 0x9e3779b97f4a7c15ULL;

void sl_hash_seed_init(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) * 0x2545F4914F6CDD1DULL;
	g_seed = s | 1;
}

void sl_hash_seed_set(uint64_t seed)
{
	g_seed = seed | 1;
}

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * One multiply and one xor-shift per 8-byte word: the words of a key go
 * through a chain seeded with the secret, and the full finaliser runs once
 * at the end. (Each word used to get the full finaliser of its own; on
 * RTP-heavy captures hashing flow and media keys was a tenth of all work.)
 */
static inline uint64_t step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

uint64_t sl_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = g_seed ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = step(h, w);
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = step(h, w);
	}
	return mix(h ^ g_seed);
}

uint64_t sl_hash_lower(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint8_t buf[8];
	uint64_t h = g_seed ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;
	size_t i, n;

	while (len) {
		n = len < 8 ? len : 8;
		memset(buf, 0, sizeof(buf));
		for (i = 0; i < n; i++)
			buf[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (uint8_t)(p[i] + 32) : p[i];
		memcpy(&w, buf, 8);
		h = (h ^ mix(w ^ g_seed)) * 0x9e3779b97f4a7c15ULL;
		p += n;
		len -= n;
	}
	return mix(h);
}
