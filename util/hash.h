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

/* Draw the seed (getrandom); tests may fix it. */
void sl_hash_seed_init(void);
void sl_hash_seed_set(uint64_t seed);
uint64_t sl_hash(const void *key, size_t len);
/* Case-insensitive variant for tokens compared case-insensitively. */
uint64_t sl_hash_lower(const void *key, size_t len);
