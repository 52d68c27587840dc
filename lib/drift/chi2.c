/* chi2.c: tests on category counts of two samples.
 *
 * - assay_chi2_contingency matches scipy.stats.chi2_contingency(
 *   [[ref...], [cur...]]) with its defaults: expected = row total x column
 *   total / n; dof = k - 1; when dof == 1 Yates' correction moves each
 *   observed count towards its expected count by min(0.5, |o - e|); stat =
 *   sum (o - e)^2 / e in numpy's pairwise order over the flattened 2 x k
 *   table; p = chi2.sf(stat, dof); dof == 0 gives stat 0 and p 1.
 * - assay_chi2_gof_evidently matches Evidently 0.7's "chisquare" stattest:
 *   scipy.stats.chisquare(f_obs = cur counts, f_exp = ref counts x n_cur /
 *   n_ref) over the union of categories, dof = k - 1.
 * - assay_ztest_proportions matches Evidently's "z" stattest (pooled
 *   two-proportion z, two-sided normal p).
 * chi2.sf is GSL's gsl_cdf_chisq_Q (the regularised upper incomplete gamma
 * function, as scipy's cephes chdtrc). Not here: Fisher's exact test,
 * G-test, Cramér's V.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

#include "assay/drift.h"

double assay_chi2_sf(double x, double dof)
{
	if (isnan(x))
		return NAN;
	if (x == INFINITY)
		return 0.0;
	if (x <= 0)
		return 1.0;
	return gsl_cdf_chisq_Q(x, dof);
}

static uint64_t total(const uint64_t *c, size_t k)
{
	uint64_t t = 0;
	for (size_t i = 0; i < k; i++)
		t += c[i];
	return t;
}

int assay_chi2_contingency(const uint64_t *ref, const uint64_t *cur, size_t k, int yates,
                           struct assay_chi2 *out, struct assay_error *err)
{
	uint64_t r0 = total(ref, k), r1 = total(cur, k);
	out->stat = NAN;
	out->pvalue = NAN;
	out->dof = k ? k - 1 : 0;
	if (r0 == 0 || r1 == 0 || k == 0)
		return assay_error_set(
		    err, ASSAY_EINPUT, NULL, 0, 0,
		    "chi-square needs two non-empty samples (reference %llu values, current %llu)",
		    (unsigned long long)r0, (unsigned long long)r1);
	for (size_t i = 0; i < k; i++)
		if (ref[i] + cur[i] == 0)
			return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                       "chi-square: category %zu is empty in both samples", i);
	if (k == 1) {
		out->stat = 0;
		out->pvalue = 1;
		return 0;
	}
	double *t = malloc(2 * k * sizeof *t);
	if (!t)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	double n = (double)(r0 + r1);
	const uint64_t *obs[2] = {ref, cur};
	double rows[2] = {(double)r0, (double)r1};
	for (int r = 0; r < 2; r++)
		for (size_t i = 0; i < k; i++) {
			double e = rows[r] * (double)(ref[i] + cur[i]) / n;
			double o = (double)obs[r][i];
			if (yates && k == 2) {
				double diff = e - o;
				double mag = fabs(diff) < 0.5 ? fabs(diff) : 0.5;
				double dir = diff > 0 ? 1.0 : (diff < 0 ? -1.0 : 0.0);
				o = o + mag * dir;
			}
			double dd = o - e;
			t[(size_t)r * k + i] = dd * dd / e;
		}
	out->stat = assay_sum_pairwise(t, 2 * k);
	free(t);
	out->pvalue = assay_chi2_sf(out->stat, (double)out->dof);
	return 0;
}

int assay_chi2_gof_evidently(const uint64_t *ref, const uint64_t *cur, size_t k, struct assay_chi2 *out,
                             struct assay_error *err)
{
	uint64_t r0 = total(ref, k), r1 = total(cur, k);
	out->stat = NAN;
	out->pvalue = NAN;
	out->dof = k ? k - 1 : 0;
	if (r0 == 0 || r1 == 0 || k == 0)
		return assay_error_set(
		    err, ASSAY_EINPUT, NULL, 0, 0,
		    "chi-square needs two non-empty samples (reference %llu values, current %llu)",
		    (unsigned long long)r0, (unsigned long long)r1);
	double *t = malloc(k * sizeof *t);
	if (!t)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	double knorm = (double)r1 / (double)r0;
	int inf = 0;
	for (size_t i = 0; i < k; i++) {
		double e = (double)ref[i] * knorm, o = (double)cur[i];
		if (e == 0) {
			t[i] = o == 0 ? NAN : INFINITY;
			if (o != 0)
				inf = 1;
			else
				t[i] = 0;
			continue;
		}
		double dd = o - e;
		t[i] = dd * dd / e;
	}
	out->stat = inf ? INFINITY : assay_sum_pairwise(t, k);
	free(t);
	out->pvalue = k == 1 ? 1.0 : assay_chi2_sf(out->stat, (double)out->dof);
	return 0;
}

int assay_ztest_proportions(const uint64_t *ref, const uint64_t *cur, size_t k, double *z, double *p,
                            struct assay_error *err)
{
	uint64_t n1 = total(ref, k), n2 = total(cur, k);
	if (n1 == 0 || n2 == 0)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "z-test needs two non-empty samples");
	if (k > 2)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                       "z-test compares two categories, found %zu", k);
	/* Both constant on the same value: Evidently returns p = 1. */
	if (k == 1 || (ref[0] == n1 && cur[0] == n2) || (ref[1] == n1 && cur[1] == n2)) {
		*z = 0;
		*p = 1;
		return 0;
	}
	/* class 0 = the first category; Evidently counts "not first" as 1 */
	double p1 = (double)(n1 - ref[0]) / (double)n1, p2 = (double)(n2 - cur[0]) / (double)n2;
	double P = (p1 * (double)n1 + p2 * (double)n2) / (double)(n1 + n2);
	*z = (p1 - p2) / sqrt(P * (1 - P) * (1.0 / (double)n1 + 1.0 / (double)n2));
	*p = 2 * (1 - gsl_cdf_ugaussian_P(fabs(*z)));
	return 0;
}
