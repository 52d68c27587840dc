/* test_quantile.c: bootstrap percentile end points (lib/eval/quantile.c)
 * equal numpy's nanquantile(method="linear") computed by sorting, on
 * random replicate vectors with ties and NaNs, for the threshold path
 * (B >= 512, narrow tails: candidates gathered below and above thresholds
 * read off a sample, then selected) and the quickselect path (small B,
 * wide tails, NaN in the sample, a sample that misjudges the tails),
 * with the candidates gathered by the scalar loop and by AVX-512. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/eval/internal.h"
#include "xorshift.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* numpy: sort the non-NaN values, h = q (m - 1), linear between floor and next. */
static double reference(const double *v, size_t n, double q)
{
	double *s = malloc(n * sizeof *s);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			s[m++] = v[i];
	if (m == 0) {
		free(s);
		return NAN;
	}
	qsort(s, m, sizeof *s, cmp);
	double h = q * (double)(m - 1);
	size_t k = (size_t)floor(h);
	double r = k + 1 < m && h != (double)k ? s[k] + (h - (double)k) * (s[k + 1] - s[k]) : s[k];
	free(s);
	return r;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

static void matches_sorting(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 2, 7, 100, 255, 256, 511, 512, 999, 1000, 1001, 2000, 5000};
	static const double levels[][2] = {
	    {0.025, 0.975}, {0.05, 0.95}, {0.005, 0.995}, {0.25, 0.75}, {0, 1}};
	for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
		for (int kind = 0; kind < 9; kind++)
			for (size_t li = 0; li < 5; li++)
				for (int rep = 0; rep < (sizes[si] >= 512 ? 40 : 1); rep++) {
					size_t n = sizes[si];
					double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w);
					for (size_t i = 0; i < n; i++) {
						uint64_t r = next();
						double u = (double)(r >> 11) * 0x1p-53;
						switch (kind) {
						case 0:
							v[i] = (double)(r % 1000003) / 1000003.0;
							break; /* distinct */
						case 1:
							v[i] = (double)(r % 7) / 7.0;
							break; /* heavy ties */
						case 2:
							v[i] = r % 11 == 0 ? NAN : (double)(r % 50) - 25.0;
							break;
						case 3:
							v[i] = r % 500 == 0 ? NAN : u;
							break; /* NaN rarely in the sample */
						case 4:
							v[i] = (double)i;
							break; /* sorted */
						case 5:
							v[i] = -(double)i;
							break; /* reversed */
						case 6:
							v[i] = 0.5;
							break; /* constant */
						case 7:
							v[i] = r % 20 == 0 ? u * 100 : 0.25;
							break; /* ties at the threshold */
						default:
							v[i] = u * u * u * (r & 1 ? 1 : -1);
							break; /* heavy tails */
						}
					}
					double rlo = reference(v, n, levels[li][0]),
					       rhi = reference(v, n, levels[li][1]);
					/* the scalar gather, and AVX-512's where the CPU has it */
					for (int simd = 0; simd <= quantile_avx512_usable(); simd++) {
						memcpy(w, v, n * sizeof *v);
						double lo, hi;
						nanquantiles_with(w, n, levels[li][0], levels[li][1], &lo,
						                  &hi, simd);
						if (isnan(rlo)) {
							assert_true(isnan(lo) && isnan(hi));
						} else {
							assert_true(lo == rlo); /* bit for bit */
							assert_true(hi == rhi);
						}
					}
					free(v);
					free(w);
				}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(matches_sorting)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
