/* test_resample.c: the bootstrap's variates (lib/stats/resample.c).
 *
 * The binomial sampler is checked against the exact pmf (GSL's
 * gsl_ran_binomial_pdf) by a chi-square goodness-of-fit test on 200,000
 * fixed-seed draws per (n, p), over both methods (inversion below a mean
 * of 10, BTRS above), both sides of p = 1/2, and the bootstrap's own
 * shapes (n ~ 25,000, conditional n's); a wrong constant in BTRS or an
 * off-by-one in the inversion walk shows as a p-value far below 1e-6. The
 * generator is checked against xoshiro256**'s reference outputs, BTRS's
 * slow test by Stirling's series against the same test by lgamma (same
 * variates), and the multinomial for its invariants. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "assay/resample.h"

/* xoshiro256** from state {1, 2, 3, 4}: its first four outputs, computed
 * independently (Python integers, from the published definition:
 * rotl(s1 * 5, 7) * 9, then the xor-shift update). */
static void generator_matches_the_reference(void **state)
{
	(void)state;
	struct assay_rng r = {{1, 2, 3, 4}};
	assert_int_equal(assay_rng_next(&r), 11520);
	assert_int_equal(assay_rng_next(&r), 0);
	assert_int_equal(assay_rng_next(&r), 1509978240);
	assert_int_equal(assay_rng_next(&r), 1215971899390074240ULL);
	struct assay_rng a, b;
	assay_rng_seed(&a, 42);
	assay_rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		assert_true(assay_rng_uniform(&a) == assay_rng_uniform(&b));
	assay_rng_seed(&b, 43);
	assert_true(assay_rng_next(&a) != assay_rng_next(&b));
}

/* Chi-square goodness of fit of draws against the exact pmf, cells with
 * an expected count below 5 pooled into their neighbours. */
static double gof_p(uint64_t n, double p, uint64_t seed)
{
	const size_t draws = 200000;
	uint64_t *hist = calloc(n + 1, sizeof *hist);
	struct assay_rng r;
	assay_rng_seed(&r, seed);
	double mean = 0;
	for (size_t i = 0; i < draws; i++) {
		uint64_t k = assay_binomial(&r, n, p);
		assert_true(k <= n);
		hist[k]++;
		mean += (double)k;
	}
	mean /= (double)draws;
	/* the mean within 6 standard errors */
	assert_true(fabs(mean - (double)n * p) < 6 * sqrt((double)n * p * (1 - p) / (double)draws) + 1e-12);
	double chi2 = 0, obs = 0, exp_ = 0;
	int cells = 0;
	for (uint64_t k = 0; k <= n; k++) {
		obs += (double)hist[k];
		exp_ += (double)draws * gsl_ran_binomial_pdf((unsigned)k, p, (unsigned)n);
		if (exp_ >= 5 && (double)draws * gsl_cdf_binomial_Q((unsigned)k, p, (unsigned)n) >= 5) {
			chi2 += (obs - exp_) * (obs - exp_) / exp_;
			cells++;
			obs = exp_ = 0;
		}
	}
	if (exp_ > 0) { /* the pooled upper tail */
		chi2 += (obs - exp_) * (obs - exp_) / exp_;
		cells++;
	}
	free(hist);
	return cells > 1 ? gsl_cdf_chisq_Q(chi2, cells - 1) : 1;
}

static void binomial_follows_its_pmf(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		double p;
	} cases[] = {
	    {1, 0.5},      {5, 0.3},       {20, 0.3},      {1000, 0.005}, /* inversion */
	    {40, 0.25},    {60, 0.5},      {100, 0.1},     {200, 0.95},   /* BTRS, and the flip */
	    {25000, 0.35}, {16000, 0.62},  {9000, 0.5},    {25000, 0.02}, /* bootstrap cells */
	    {30, 0.999},   {1000, 0.9999}, {100000, 1e-3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		double pv = gof_p(cases[i].n, cases[i].p, 7 + i);
		if (pv < 1e-6)
			fail_msg("Binomial(%llu, %g): chi-square p = %g", (unsigned long long)cases[i].n,
			         cases[i].p, pv);
	}
}

static void binomial_edges(void **state)
{
	(void)state;
	struct assay_rng r;
	assay_rng_seed(&r, 1);
	assert_int_equal(assay_binomial(&r, 0, 0.5), 0);
	assert_int_equal(assay_binomial(&r, 17, 0), 0);
	assert_int_equal(assay_binomial(&r, 17, 1), 17);
	assert_int_equal(assay_binomial(&r, 17, NAN), 0);
	assert_int_equal(assay_binomial(&r, 4000000000ULL, 1), 4000000000ULL);
	uint64_t k = assay_binomial(&r, 4000000000ULL, 0.5); /* beyond 32 bits */
	assert_true(k > 3999000000ULL / 2 && k < 4001000000ULL / 2);
}

/* A prepared plan draws what assay_binomial draws, from the same state. */
static void prepared_equals_unprepared(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		double p;
	} cases[] = {{0, 0.3}, {7, 0}, {7, 1}, {20, 0.3}, {25000, 0.35}, {200, 0.95}, {1000, 0.004}};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct assay_binomial_plan plan;
		assay_binomial_prepare(&plan, cases[i].n, cases[i].p);
		struct assay_rng a, b;
		assay_rng_seed(&a, 100 + i);
		assay_rng_seed(&b, 100 + i);
		for (int k = 0; k < 2000; k++)
			assert_int_equal(assay_binomial_draw(&a, &plan),
			                 assay_binomial(&b, cases[i].n, cases[i].p));
	}
}

/* Hörmann's BTRS with the slow test computed exactly as written, with
 * lgamma: the sampler before its Stirling shortcut (resample.c). */
static uint64_t btrs_lgamma(struct assay_rng *r, uint64_t un, double p0)
{
	double p = p0 > 0.5 ? 1 - p0 : p0, q = 1 - p, n = (double)un, spq = sqrt(n * p * q);
	double b = 1.15 + 2.53 * spq, a = -0.0873 + 0.0248 * b + 0.01 * p, c = n * p + 0.5,
	       vr = 0.92 - 4.2 / b;
	double alpha = (2.83 + 5.1 / b) * spq, lpq = log(p / q), m = floor((n + 1) * p);
	int sg;
	double h = lgamma_r(m + 1, &sg) + lgamma_r(n - m + 1, &sg);
	for (;;) {
		double u = assay_rng_uniform(r) - 0.5, v = assay_rng_uniform(r), us = 0.5 - fabs(u);
		if (us <= 0)
			continue;
		double k = floor((2 * a / us + b) * u + c);
		if (k < 0 || k > n)
			continue;
		if ((us >= 0.07 && v <= vr) ||
		    log(v * alpha / (a / (us * us) + b)) <=
		        h - lgamma_r(k + 1, &sg) - lgamma_r(n - k + 1, &sg) + (k - m) * lpq)
			return p0 > 0.5 ? un - (uint64_t)k : (uint64_t)k;
	}
}

/* The slow acceptance test by Stirling's series decides as the lgamma
 * one: the same variates from the same stream, from small means to n in
 * the billions, over 1.7 million draws. */
static void btrs_shortcut_decides_as_lgamma(void **state)
{
	(void)state;
	static const struct {
		uint64_t n;
		double p;
	} cases[] = {
	    {40, 0.25},           {100, 0.1},      {1000, 0.5},    {25000, 0.35},
	    {16000, 0.62},        {27000, 0.6623}, {30000, 0.001}, {10000000, 0.3},
	    {4000000000ULL, 0.5}, {54000, 0.2},    {250000, 0.48}, {3000000, 0.00001},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct assay_rng a, b;
		assay_rng_seed(&a, 900 + i);
		assay_rng_seed(&b, 900 + i);
		for (int k = 0; k < 150000; k++) {
			uint64_t x = assay_binomial(&a, cases[i].n, cases[i].p),
			         y = btrs_lgamma(&b, cases[i].n, cases[i].p);
			if (x != y)
				fail_msg("Binomial(%llu, %g), draw %d: %llu, lgamma test %llu",
				         (unsigned long long)cases[i].n, cases[i].p, k, (unsigned long long)x,
				         (unsigned long long)y);
		}
	}
}

static void multinomial_invariants(void **state)
{
	(void)state;
	struct assay_rng r;
	assay_rng_seed(&r, 5);
	const double w[6] = {3, 0, 10, 1, 0, 86};
	double mean[6] = {0};
	for (int i = 0; i < 20000; i++) {
		uint64_t c[6];
		assay_multinomial(&r, 1000, w, 6, c);
		assert_int_equal(c[0] + c[1] + c[2] + c[3] + c[4] + c[5], 1000);
		assert_int_equal(c[1], 0);
		assert_int_equal(c[4], 0);
		for (int j = 0; j < 6; j++)
			mean[j] += (double)c[j] / 20000;
	}
	for (int j = 0; j < 6; j++) {
		double p = w[j] / 100, se = sqrt(1000 * p * (1 - p) / 20000);
		assert_true(fabs(mean[j] - 1000 * p) <= 6 * se + 1e-12);
	}
	uint64_t c[3];
	const double one[3] = {0, 0, 2};
	assay_multinomial(&r, 9, one, 3, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 9);
	assay_multinomial(&r, 0, w, 3, c);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(generator_matches_the_reference),
	    cmocka_unit_test(binomial_follows_its_pmf),
	    cmocka_unit_test(binomial_edges),
	    cmocka_unit_test(prepared_equals_unprepared),
	    cmocka_unit_test(btrs_shortcut_decides_as_lgamma),
	    cmocka_unit_test(multinomial_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
