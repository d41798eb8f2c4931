/*
 * Keyed hashing for the flow, fragment, dialog and media tables.
 *
 * Table keys come from the wire, so an attacker who knows the hash function
 * could aim every packet at one bucket. sl_hash mixes a per-process random
 * seed (drawn once at start-up) into a fast 64-bit multiply/xor-shift hash,
 * which keeps the hot path cheap while making collisions unpredictable.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Draw the seed (getrandom); tests may fix it. */
void sl_hash_seed_init(void);
void sl_hash_seed_set(uint64_t seed);

/* The seed; only hash.c writes it. */
extern uint64_t sl_hash_seed_g;

static inline uint64_t sl_hash_mix_(uint64_t h)
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
 * Inline, so that the fixed-size keys of the tables (flows, media
 * endpoints, RTP streams) get an unrolled loop without a call.
 */
static inline uint64_t sl_hash_step_(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

static inline uint64_t sl_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = sl_hash_seed_g ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	/* a constant len (the fixed-size keys) unrolls completely */
#pragma GCC unroll 8
	while (len >= 8) {
		memcpy(&w, p, 8);
		h = sl_hash_step_(h, w);
		p += 8;
		len -= 8;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = sl_hash_step_(h, w);
	}
	return sl_hash_mix_(h ^ sl_hash_seed_g);
}
/* Case-insensitive variant for tokens compared case-insensitively. */
uint64_t sl_hash_lower(const void *key, size_t len);
