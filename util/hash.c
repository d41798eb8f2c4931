/*
 * Seeded hash for the capture tables (see hash.h). The mixing steps use the
 * well-known 64-bit finaliser constants (murmur3/splitmix style); the seed
 * enters both the initial state and the final mix.
 */
#include "util/hash.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

uint64_t sl_hash_seed_g = 0x9e3779b97f4a7c15ULL;

void sl_hash_seed_init(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) * 0x2545F4914F6CDD1DULL;
	sl_hash_seed_g = s | 1;
}

void sl_hash_seed_set(uint64_t seed)
{
	sl_hash_seed_g = seed | 1;
}

uint64_t sl_hash_lower(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint8_t buf[8];
	uint64_t h = sl_hash_seed_g ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;
	size_t i, n;

	while (len) {
		n = len < 8 ? len : 8;
		memset(buf, 0, sizeof(buf));
		for (i = 0; i < n; i++)
			buf[i] = (p[i] >= 'A' && p[i] <= 'Z') ? (uint8_t)(p[i] + 32) : p[i];
		memcpy(&w, buf, 8);
		h = (h ^ sl_hash_mix_(w ^ sl_hash_seed_g)) * 0x9e3779b97f4a7c15ULL;
		p += n;
		len -= n;
	}
	return sl_hash_mix_(h);
}
