/* resample.c: the bootstrap's random variates (assay/resample.h).
 *
 * Generator: xoshiro256** (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47, 2021), its four state
 * words from splitmix64 as its authors recommend; doubles from the top 53
 * bits.
 *
 * Binomial, for p <= 1/2 (p > 1/2 draws n - Binomial(n, 1 - p)):
 * - mean n p < 10: inversion, walking the pmf up from 0 with the ratio
 *   f(x) / f(x - 1) = ((n + 1) s / x - s), s = p / q; a walk that drifts
 *   past mean + 10 sd by rounding starts over with a new uniform.
 * - otherwise BTRS (Hörmann 1993, section 3, table 1 constants): with
 *   U, V uniform, u = U - 1/2, us = 1/2 - |u|, k = floor((2a / us + b) u
 *   + c); accept at once when us >= 0.07 and V <= v_r (about 86% of tries
 *   for the bootstrap's cells), else accept when
 *   log(V alpha / (a / us^2 + b)) <= log f(k) - log f(m) with m the mode,
 *   computed exactly with lgamma. Expected tries per variate < 1.2.
 * Why not GSL's gsl_ran_binomial (BTPE), which the bootstrap used before:
 * BTPE recomputes its setup (several logs) on every call, and the
 * bootstrap's conditional binomials change n on every call. Measured in
 * `assay eval` at 1M rows, 2 x 40 cells, B = 1000 (120,000 variates):
 * GSL binomial + its libm calls ~64 ns a variate, ~7.7 ms of CPU; here
 * about a third of that (bench/README.md, issue 2, session 5).
 *
 * Multinomial: conditional binomials, category k drawing from what is left
 * with probability w_k / (weights not yet visited), as gsl_ran_multinomial;
 * the last category with weight takes the rest without a draw.
 */
#include <math.h>

#include "assay/resample.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void assay_rng_seed(struct assay_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t assay_rng_next(struct assay_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double assay_rng_uniform(struct assay_rng *r)
{
	return (double)(assay_rng_next(r) >> 11) * 0x1p-53;
}

/* Inversion, n p < 10. */
static uint64_t binomial_inversion(struct assay_rng *r, uint64_t n, double p)
{
	double q = 1 - p, s = p / q, a = ((double)n + 1) * s, f0 = exp((double)n * log1p(-p));
	double np = (double)n * p, bound = np + 10 * sqrt(np * q + 1);
	if (bound > (double)n)
		bound = (double)n;
	for (;;) {
		double u = assay_rng_uniform(r), f = f0;
		uint64_t x = 0;
		while (u > f) {
			u -= f;
			x++;
			if ((double)x > bound)
				break;
			f *= a / (double)x - s;
		}
		if ((double)x <= bound)
			return x;
	}
}

/* BTRS, n p >= 10 and p <= 1/2. */
static uint64_t binomial_btrs(struct assay_rng *r, uint64_t n, double p)
{
	double q = 1 - p, dn = (double)n, spq = sqrt(dn * p * q);
	double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = dn * p + 0.5;
	double v_r = 0.92 - 4.2 / b;
	int have_h = 0;
	double alpha = 0, lpq = 0, m = 0, h = 0;
	for (;;) {
		double u = assay_rng_uniform(r) - 0.5, v = assay_rng_uniform(r);
		double us = 0.5 - fabs(u);
		if (us <= 0)
			continue; /* U = 0 exactly: no k */
		double k = floor((2 * a / us + b) * u + c);
		if (k < 0 || k > dn)
			continue;
		if (us >= 0.07 && v <= v_r)
			return (uint64_t)k;
		if (!have_h) {
			int sg;
			alpha = (2.83 + 5.1 / b) * spq;
			lpq = log(p / q);
			m = floor((dn + 1) * p);
			h = lgamma_r(m + 1, &sg) + lgamma_r(dn - m + 1, &sg);
			have_h = 1;
		}
		int sg;
		v = log(v * alpha / (a / (us * us) + b));
		if (v <= h - lgamma_r(k + 1, &sg) - lgamma_r(dn - k + 1, &sg) + (k - m) * lpq)
			return (uint64_t)k;
	}
}

uint64_t assay_binomial(struct assay_rng *r, uint64_t n, double p)
{
	if (n == 0 || !(p > 0))
		return 0;
	if (p >= 1)
		return n;
	int flip = p > 0.5;
	double pp = flip ? 1 - p : p;
	uint64_t k = (double)n * pp < 10 ? binomial_inversion(r, n, pp) : binomial_btrs(r, n, pp);
	return flip ? n - k : k;
}

void assay_multinomial(struct assay_rng *r, uint64_t n, const double *w, size_t k, uint64_t *counts)
{
	double norm = 0, seen = 0;
	for (size_t i = 0; i < k; i++)
		norm += w[i];
	uint64_t left = n;
	for (size_t i = 0; i < k; i++) {
		counts[i] = 0;
		if (w[i] > 0 && left) {
			double q = w[i] / (norm - seen);
			counts[i] = q >= 1 ? left : assay_binomial(r, left, q);
			left -= counts[i];
		}
		seen += w[i];
	}
}
