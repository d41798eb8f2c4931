/*
 * GeneralizedTime and UTCTime values (X.680 clauses 46 and 47, X.690 11.7
 * and 11.8): text rendering for the encoder and strict parsing for the
 * decoder, with the calendar done in integer arithmetic (no libc time zone
 * state, no gmtime/timegm, so results do not depend on TZ or the C
 * library's range of time_t).
 */
#pragma once

#include "asn1/ber.h"

enum sl_ber_tz {
	SL_BER_TZ_UTC,    /* 'Z' */
	SL_BER_TZ_OFFSET, /* "+hhmm" / "-hhmm": sec has been converted to UTC */
	SL_BER_TZ_LOCAL,  /* no designator (GeneralizedTime in BER only): local wall clock */
};

/* A decoded time. */
struct sl_ber_time {
	/*
	 * Seconds since 1970-01-01T00:00:00Z. For SL_BER_TZ_LOCAL, the wall
	 * clock reading taken as if it were UTC (the zone is unknown; TS 101
	 * 671 LocalTimeStamp carries it beside the value).
	 */
	int64_t sec;
	uint32_t usec;      /* 0..999999, fraction digits beyond the sixth are truncated */
	int16_t utc_offset; /* minutes east of UTC as written, 0 unless SL_BER_TZ_OFFSET */
	uint8_t tz;         /* enum sl_ber_tz */
	uint8_t frac_digits; /* fraction digits written (may exceed 6) */
};

/* Longest text sl_ber_gentime_format() produces, including the NUL. */
#define SL_BER_GENTIME_TEXT_MAX 23

/*
 * Render sec (since the epoch, UTC) and usec as DER GeneralizedTime:
 * YYYYMMDDhhmmss[.f]Z with at most `digits` (0..6) fraction digits,
 * truncated, not rounded, and trailing zeros removed as X.690 11.7.3
 * requires (so a time on the second has no fraction at all). Returns the
 * text length, or 0 if usec >= 10^6, digits > 6 or the year is outside
 * 0000..9999.
 */
size_t sl_ber_gentime_format(int64_t sec, uint32_t usec, unsigned digits,
			     char out[SL_BER_GENTIME_TEXT_MAX]);

/* Render as DER UTCTime YYMMDDhhmmssZ; years 1950..2049 only (RFC 5280 window). */
#define SL_BER_UTCTIME_TEXT_MAX 14
size_t sl_ber_utctime_format(int64_t sec, char out[SL_BER_UTCTIME_TEXT_MAX]);

/*
 * Parse GeneralizedTime content. DER (der = true): exactly
 * YYYYMMDDhhmmss[.f+]Z, '.' as decimal mark, no trailing zero in the
 * fraction. BER additionally accepts missing minutes or seconds, ',' as
 * decimal mark, trailing zeros, a "+hhmm"/"-hhmm" offset and local time
 * (no designator); a fraction is accepted only after the seconds. Fields
 * are range-checked against the calendar; second 60 (a leap second) is
 * accepted and counts as the first second of the next minute. On failure
 * returns SL_BER_E_BAD_VALUE or SL_BER_E_NON_MINIMAL (valid BER, not DER)
 * with *at the offending content index and *why a static message.
 */
enum sl_ber_err sl_ber_gentime_parse(const uint8_t *p, size_t n, bool der, struct sl_ber_time *t,
				     size_t *at, const char **why);

/*
 * Parse UTCTime content: DER exactly YYMMDDhhmmssZ; BER also without
 * seconds and with an offset. YY < 50 is 20YY, else 19YY (RFC 5280
 * 4.1.2.5.1; X.680 leaves the century open).
 */
enum sl_ber_err sl_ber_utctime_parse(const uint8_t *p, size_t n, bool der, struct sl_ber_time *t,
				     size_t *at, const char **why);
