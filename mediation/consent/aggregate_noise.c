/*
 * Noise for aggregated releases: the discrete Laplace mechanism (the
 * two-sided geometric distribution, P(x) proportional to exp(-|x|/b) on the
 * integers), calibrated to the sensitivity the accumulator's caps enforce.
 *
 * Sensitivity. Adding or removing one subject changes at most
 * max_cells_per_subject (M) cells; in each it changes the distinct count by
 * 1 and the counted events by at most max_events_per_subject_cell (C). So
 * the L1 sensitivity is M for the vector of subject counts and M x C for
 * the vector of event counts. Half of the release's epsilon goes to each
 * vector (sequential composition), so the scales are b = 2M/epsilon and
 * b = 2MC/epsilon. Totals are sums of published cells (post-processing)
 * and cost nothing more.
 *
 * Why discrete: the output is an integer drawn exactly as the mechanism
 * says, with no rounding of a floating-point Laplace value afterwards
 * (whose low-order bits are known to leak, Mironov 2012). A draw is the
 * difference of two geometric variables, each floor(-b ln U) with U
 * uniform in (0, 1] from 53 random bits.
 *
 * Randomness: production uses OpenSSL's RAND_bytes (the system CSPRNG),
 * drawn 512 bytes at a time into the generator's pool, which is used once
 * and never leaves it; tests use a seeded stream, block i = SHA-256(SHA-256(seed) || i as 8
 * big-endian bytes), 32 bytes per block, read in order. The seeded stream
 * is deterministic by design and must never serve a real release.
 *
 * Ownership: generators are talloc children of the given context.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>
#include <talloc.h>

#include "mediation/consent/aggregate_int.h"

int sl_agg_rng_system(void *ctx, struct sl_agg_rng **out)
{
	struct sl_agg_rng *r = talloc_zero(ctx, struct sl_agg_rng);

	*out = r;
	if (!r)
		return -ENOMEM;
	r->kind = SL_AGG_RNG_SYSTEM;
	return 0;
}

int sl_agg_rng_seeded(void *ctx, const void *seed, size_t seed_len, struct sl_agg_rng **out)
{
	struct sl_agg_rng *r = talloc_zero(ctx, struct sl_agg_rng);

	*out = r;
	if (!r)
		return -ENOMEM;
	r->kind = SL_AGG_RNG_SEEDED;
	SHA256(seed, seed_len, r->seed);
	return 0;
}

/* Refill the block: 512 bytes from RAND_bytes (one call per 64 draws of
 * 8 bytes), or the next SHA-256 counter block of the seeded stream. */
static int refill(struct sl_agg_rng *r)
{
	uint8_t in[40];

	r->used = 0;
	r->len = 0;
	if (r->kind == SL_AGG_RNG_SYSTEM) {
		if (RAND_bytes(r->block, (int)sizeof(r->block)) != 1)
			return -EIO;
		r->len = sizeof(r->block);
		return 0;
	}
	memcpy(in, r->seed, 32);
	for (unsigned i = 0; i < 8; i++)
		in[32 + i] = (uint8_t)(r->counter >> (56 - 8 * i));
	SHA256(in, sizeof(in), r->block);
	r->counter++;
	r->len = SHA256_DIGEST_LENGTH;
	return 0;
}

static int rng_bytes(struct sl_agg_rng *r, uint8_t *out, size_t n)
{
	while (n) {
		size_t take;

		if (r->used == r->len && refill(r) < 0)
			return -EIO;
		take = r->len - r->used;
		if (take > n)
			take = n;
		memcpy(out, r->block + r->used, take);
		r->used += (unsigned)take;
		out += take;
		n -= take;
	}
	return 0;
}

int sl_agg_rng_uniform(struct sl_agg_rng *rng, double *u)
{
	uint8_t b[8];
	uint64_t x = 0;
	int rc = rng_bytes(rng, b, sizeof(b));

	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < 8; i++)
		x = (x << 8) | b[i];
	x >>= 11;				/* 53 bits */
	*u = (double)(x + 1) / 9007199254740992.0;	/* (0, 1] */
	return 0;
}

static int geometric(struct sl_agg_rng *rng, double scale, int64_t *g)
{
	double u, v;
	int rc = sl_agg_rng_uniform(rng, &u);

	if (rc < 0)
		return rc;
	v = floor(-scale * log(u));
	/* u >= 2^-53, so v <= 36.8 x scale: finite; cap for absurd scales. */
	*g = v > 9.0e15 ? INT64_C(9000000000000000) : (int64_t)v;
	return 0;
}

int sl_agg_noise_draw(struct sl_agg_rng *rng, double scale, int64_t *out)
{
	int64_t a, b;
	int rc;

	*out = 0;
	if (!(scale > 0) || !isfinite(scale))
		return -EINVAL;
	rc = geometric(rng, scale, &a);
	if (rc == 0)
		rc = geometric(rng, scale, &b);
	if (rc < 0)
		return rc;
	*out = a - b;
	return 0;
}

uint64_t sl_agg_sensitivity_subjects(const struct sl_agg_config *cfg)
{
	return cfg->max_cells_per_subject;
}

uint64_t sl_agg_sensitivity_events(const struct sl_agg_config *cfg)
{
	return (uint64_t)cfg->max_cells_per_subject * cfg->max_events_per_subject_cell;
}

double sl_agg_noise_scale_subjects(const struct sl_agg_config *cfg)
{
	if (!cfg->epsilon_micro)
		return 0;
	return (double)sl_agg_sensitivity_subjects(cfg) / ((double)cfg->epsilon_micro / 2e6);
}

double sl_agg_noise_scale_events(const struct sl_agg_config *cfg)
{
	if (!cfg->epsilon_micro)
		return 0;
	return (double)sl_agg_sensitivity_events(cfg) / ((double)cfg->epsilon_micro / 2e6);
}
