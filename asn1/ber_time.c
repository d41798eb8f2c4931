/*
 * GeneralizedTime and UTCTime text (X.680 46/47, DER rules X.690 11.7-11.8).
 *
 * The encoder's choice: GeneralizedTime in UTC with a caller-chosen number
 * of fraction digits up to microseconds (TS 102 232-1 5.2.6 leaves the
 * resolution to national agreement; milliseconds are common), truncated
 * and with trailing zeros removed, because DER (11.7.3) forbids them. A
 * fixed "ffffff" fraction would not be DER whenever the last digit is 0.
 *
 * The calendar is Howard Hinnant's days_from_civil / civil_from_days in
 * 64-bit integers: exact for the whole 0000..9999 range GeneralizedTime
 * can express, and independent of the C library's TZ handling.
 */
#include "asn1/ber_time.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Split seconds since the epoch into the civil date and time of day. */
struct civil {
	int64_t year;
	unsigned mon, day, hour, min, sec;
};

static void to_civil(int64_t t, struct civil *c)
{
	int64_t days = t / 86400, rem = t % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (unsigned)(rem / 3600);
	c->min = (unsigned)(rem / 60 % 60);
	c->sec = (unsigned)(rem % 60);
}

static void put_num(char *out, unsigned v, unsigned width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

size_t sl_ber_gentime_format(int64_t sec, uint32_t usec, unsigned digits,
			     char out[SL_BER_GENTIME_TEXT_MAX])
{
	struct civil c;
	size_t n = 14;

	if (usec >= 1000000 || digits > 6)
		return 0;
	to_civil(sec, &c);
	if (c.year < 0 || c.year > 9999)
		return 0;
	put_num(out, (unsigned)c.year, 4);
	put_num(out + 4, c.mon, 2);
	put_num(out + 6, c.day, 2);
	put_num(out + 8, c.hour, 2);
	put_num(out + 10, c.min, 2);
	put_num(out + 12, c.sec, 2);
	if (digits > 0) {
		uint32_t frac = usec;
		unsigned k;

		for (k = digits; k < 6; k++)
			frac /= 10;
		/* X.690 11.7.3: no trailing zeros; no point at all for a zero fraction */
		while (digits > 0 && frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		if (digits > 0) {
			out[n++] = '.';
			put_num(out + n, frac, digits);
			n += digits;
		}
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

size_t sl_ber_utctime_format(int64_t sec, char out[SL_BER_UTCTIME_TEXT_MAX])
{
	struct civil c;

	to_civil(sec, &c);
	if (c.year < 1950 || c.year > 2049)
		return 0;
	put_num(out, (unsigned)(c.year % 100), 2);
	put_num(out + 2, c.mon, 2);
	put_num(out + 4, c.day, 2);
	put_num(out + 6, c.hour, 2);
	put_num(out + 8, c.min, 2);
	put_num(out + 10, c.sec, 2);
	out[12] = 'Z';
	out[13] = '\0';
	return 12 + 1;
}

/* Parsing state: content, position, and where/why it failed. */
struct tp {
	const uint8_t *p;
	size_t n, pos;
	size_t *at;
	const char **why;
};

static enum sl_ber_err tfail(struct tp *s, size_t where, const char *msg, enum sl_ber_err e)
{
	*s->at = where;
	*s->why = msg;
	return e;
}

static bool is_digit_at(const struct tp *s, size_t i)
{
	return i < s->n && s->p[i] >= '0' && s->p[i] <= '9';
}

/* Read exactly `count` digits; false (position unchanged) if they are not there. */
static bool digits(struct tp *s, unsigned count, unsigned *v)
{
	unsigned k, acc = 0;

	if (count > s->n - s->pos)
		return false;
	for (k = 0; k < count; k++) {
		if (!is_digit_at(s, s->pos + k))
			return false;
		acc = acc * 10 + (unsigned)(s->p[s->pos + k] - '0');
	}
	s->pos += count;
	*v = acc;
	return true;
}

/* Time-of-day fields after the date, shared by both types. */
struct fields {
	int64_t year;
	unsigned mon, day, hour, min, sec;
	uint32_t usec;
	unsigned frac_digits;
	int offset_min;
	uint8_t tz;
};

static enum sl_ber_err check_fields(struct tp *s, const struct fields *f)
{
	if (f->mon < 1 || f->mon > 12)
		return tfail(s, 4, "month out of range", SL_BER_E_BAD_VALUE);
	if (f->day < 1 || f->day > days_in_month(f->year, f->mon))
		return tfail(s, 6, "day out of range for the month", SL_BER_E_BAD_VALUE);
	if (f->hour > 23)
		return tfail(s, 8, "hour out of range", SL_BER_E_BAD_VALUE);
	if (f->min > 59)
		return tfail(s, 10, "minute out of range", SL_BER_E_BAD_VALUE);
	if (f->sec > 60)
		return tfail(s, 12, "second out of range", SL_BER_E_BAD_VALUE);
	return SL_BER_OK;
}

/* Zone designator at s->pos: 'Z', "+hh[mm]", "-hh[mm]" or nothing. */
static enum sl_ber_err parse_zone(struct tp *s, bool der, bool local_ok, struct fields *f)
{
	size_t zpos = s->pos;
	unsigned hh, mm = 0;
	int sign;

	if (s->pos == s->n) {
		if (!local_ok)
			return tfail(s, zpos, "time zone designator missing", SL_BER_E_BAD_VALUE);
		if (der)
			return tfail(s, zpos, "DER requires UTC ('Z')", SL_BER_E_NON_MINIMAL);
		f->tz = SL_BER_TZ_LOCAL;
		return SL_BER_OK;
	}
	if (s->p[s->pos] == 'Z') {
		s->pos++;
		f->tz = SL_BER_TZ_UTC;
	} else if (s->p[s->pos] == '+' || s->p[s->pos] == '-') {
		sign = s->p[s->pos] == '+' ? 1 : -1;
		s->pos++;
		if (!digits(s, 2, &hh))
			return tfail(s, s->pos, "offset hours must be two digits", SL_BER_E_BAD_VALUE);
		if (is_digit_at(s, s->pos) && !digits(s, 2, &mm))
			return tfail(s, s->pos, "offset minutes must be two digits", SL_BER_E_BAD_VALUE);
		if (hh > 23 || mm > 59)
			return tfail(s, zpos, "offset out of range", SL_BER_E_BAD_VALUE);
		if (der)
			return tfail(s, zpos, "DER requires UTC ('Z')", SL_BER_E_NON_MINIMAL);
		f->tz = SL_BER_TZ_OFFSET;
		f->offset_min = sign * (int)(hh * 60 + mm);
	} else {
		return tfail(s, zpos, "unexpected character where the time zone belongs",
			     SL_BER_E_BAD_VALUE);
	}
	if (s->pos != s->n)
		return tfail(s, s->pos, "characters after the time zone", SL_BER_E_BAD_VALUE);
	return SL_BER_OK;
}

static void to_time(const struct fields *f, struct sl_ber_time *t)
{
	t->sec = days_from_civil(f->year, f->mon, f->day) * 86400 + f->hour * 3600 +
		 f->min * 60 + f->sec - (int64_t)f->offset_min * 60;
	t->usec = f->usec;
	t->utc_offset = (int16_t)f->offset_min;
	t->tz = f->tz;
	t->frac_digits = (uint8_t)(f->frac_digits > 255 ? 255 : f->frac_digits);
}

/* Optional minutes and seconds after the hour; DER requires both. */
static enum sl_ber_err parse_min_sec(struct tp *s, bool der, struct fields *f, bool *have_sec)
{
	*have_sec = false;
	if (is_digit_at(s, s->pos)) {
		if (!digits(s, 2, &f->min))
			return tfail(s, s->pos, "minutes must be two digits", SL_BER_E_BAD_VALUE);
		if (is_digit_at(s, s->pos)) {
			if (!digits(s, 2, &f->sec))
				return tfail(s, s->pos, "seconds must be two digits", SL_BER_E_BAD_VALUE);
			*have_sec = true;
		}
	}
	if (der && !*have_sec)
		return tfail(s, s->pos, "DER requires minutes and seconds", SL_BER_E_NON_MINIMAL);
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_gentime_parse(const uint8_t *p, size_t n, bool der, struct sl_ber_time *t,
				     size_t *at, const char **why)
{
	struct tp s = { .p = p, .n = n, .pos = 0, .at = at, .why = why };
	struct fields f = { 0 };
	unsigned y;
	bool have_sec;
	enum sl_ber_err e;

	if (!digits(&s, 4, &y) || !digits(&s, 2, &f.mon) || !digits(&s, 2, &f.day) ||
	    !digits(&s, 2, &f.hour))
		return tfail(&s, s.pos, "expected digits YYYYMMDDhh", SL_BER_E_BAD_VALUE);
	f.year = y;
	e = parse_min_sec(&s, der, &f, &have_sec);
	if (e)
		return e;
	if (s.pos < n && (p[s.pos] == '.' || p[s.pos] == ',')) {
		size_t mark = s.pos;

		if (!have_sec)
			return tfail(&s, mark, "fractions of hours or minutes are not supported",
				     SL_BER_E_BAD_VALUE);
		if (der && p[mark] == ',')
			return tfail(&s, mark, "DER requires '.' as decimal mark", SL_BER_E_NON_MINIMAL);
		s.pos++;
		while (is_digit_at(&s, s.pos)) {
			if (f.frac_digits < 6)
				f.usec = f.usec * 10 + (uint32_t)(p[s.pos] - '0');
			f.frac_digits++;
			s.pos++;
		}
		if (f.frac_digits == 0)
			return tfail(&s, s.pos, "decimal mark without digits", SL_BER_E_BAD_VALUE);
		if (der && p[s.pos - 1] == '0')
			return tfail(&s, s.pos - 1, "DER forbids trailing zeros in the fraction",
				     SL_BER_E_NON_MINIMAL);
		for (unsigned k = f.frac_digits; k < 6; k++)
			f.usec *= 10;
	}
	e = parse_zone(&s, der, true, &f);
	if (e)
		return e;
	e = check_fields(&s, &f);
	if (e)
		return e;
	to_time(&f, t);
	return SL_BER_OK;
}

enum sl_ber_err sl_ber_utctime_parse(const uint8_t *p, size_t n, bool der, struct sl_ber_time *t,
				     size_t *at, const char **why)
{
	struct tp s = { .p = p, .n = n, .pos = 0, .at = at, .why = why };
	struct fields f = { 0 };
	unsigned yy;
	enum sl_ber_err e;

	if (!digits(&s, 2, &yy) || !digits(&s, 2, &f.mon) || !digits(&s, 2, &f.day) ||
	    !digits(&s, 2, &f.hour) || !digits(&s, 2, &f.min))
		return tfail(&s, s.pos, "expected digits YYMMDDhhmm", SL_BER_E_BAD_VALUE);
	f.year = yy < 50 ? 2000 + yy : 1900 + yy;
	if (is_digit_at(&s, s.pos)) {
		if (!digits(&s, 2, &f.sec))
			return tfail(&s, s.pos, "seconds must be two digits", SL_BER_E_BAD_VALUE);
	} else if (der) {
		return tfail(&s, s.pos, "DER requires seconds", SL_BER_E_NON_MINIMAL);
	}
	e = parse_zone(&s, der, false, &f);
	if (e)
		return e;
	/* check_fields reports GeneralizedTime positions; shift them for YY */
	e = check_fields(&s, &f);
	if (e) {
		*at = *at >= 2 ? *at - 2 : 0;
		return e;
	}
	to_time(&f, t);
	return SL_BER_OK;
}
