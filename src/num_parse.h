/*
 * Strict parsing of numbers from command lines and configuration: the
 * whole text must be a number in range, no silent truncation (atoi and
 * friends accept "12abc" and overflow quietly).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool sl_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Seconds with an optional fraction ("2.5"), as microseconds. */
bool sl_parse_seconds_us(const char *s, uint64_t max_s, uint64_t *out_us);
/* Decimal digits only, 1..maxlen characters (country codes, prefixes). */
bool sl_parse_digits(const char *s, size_t maxlen);
