/* assay/resample.h: the random variates of the bootstrap: a seeded
 * generator (xoshiro256**, Blackman and Vigna 2018, seeded through
 * splitmix64), exact binomial variates (inversion for a small mean,
 * Hörmann's BTRS transformed rejection with squeeze otherwise: W. Hörmann,
 * "The generation of binomial random variates", J. Statist. Comput.
 * Simul. 46, 1993), and multinomial variates by conditional binomials (as
 * GSL's gsl_ran_multinomial). Everything is inline-sized state on the
 * caller's stack: no allocation, no global state, the same seed gives the
 * same variates wherever doubles are IEEE and sqrt correctly rounded (log
 * and lgamma only decide the rarer, slow acceptance tests). */
#ifndef ASSAY_RESAMPLE_H
#define ASSAY_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

struct assay_rng {
	uint64_t s[4];
};

/* splitmix64's output for state x (Steele, Lea and Flood 2014): one
 * step of the sequence, x advanced by the golden gamma, then mixed. */
uint64_t assay_splitmix64(uint64_t x);
/* State from a 64-bit seed: splitmix64's first four outputs from it. */
void assay_rng_seed(struct assay_rng *r, uint64_t seed);
uint64_t assay_rng_next(struct assay_rng *r);
/* Uniform on [0, 1), 53 random bits. */
double assay_rng_uniform(struct assay_rng *r);

/* A Binomial(n, p) variate; p outside (0, 1) gives 0 or n. */
uint64_t assay_binomial(struct assay_rng *r, uint64_t n, double p);

/* A Binomial(n, p) with its set-up done once, for many draws with the same
 * n and p (assay_binomial redoes it on every call). */
struct assay_binomial_plan {
	uint64_t n;
	double p;    /* min(p, 1 - p) */
	int flip;    /* p > 1/2: draws are n - Binomial(n, 1 - p) */
	int kind;    /* 0: constant (n == 0 or p in {0, 1}), 1: inversion, 2: BTRS */
	uint64_t k0; /* kind 0: the value */
	double c[8]; /* the method's constants */
};
void assay_binomial_prepare(struct assay_binomial_plan *b, uint64_t n, double p);
uint64_t assay_binomial_draw(struct assay_rng *r, const struct assay_binomial_plan *b);

/* counts[0..k) ~ Multinomial(n, weight / sum of weights); weights >= 0.
 * A zero weight always gets 0. */
void assay_multinomial(struct assay_rng *r, uint64_t n, const double *weight, size_t k, uint64_t *counts);

#endif
