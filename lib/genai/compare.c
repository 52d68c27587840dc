/* compare.c: `assay redteam compare`: is the current run's attack success
 * rate significantly higher than the baseline's, category by category?
 *
 * One-sided test of H1: ASR_current > ASR_baseline, for k0/n0 (baseline)
 * and k1/n1 (current):
 *   - Fisher's exact test when any expected cell of the 2x2 table
 *     [[k1, n1-k1], [k0, n0-k0]] is below 5: p = P(X >= k1) with X
 *     hypergeometric (K = k0+k1 successes among N = n0+n1, n1 drawn)
 *     (GSL's gsl_cdf_hypergeometric_Q; equals scipy.stats.fisher_exact(
 *     table, alternative="greater"));
 *   - else the pooled two-proportion z-test: p = (k0+k1)/(n0+n1),
 *     z = (k1/n1 - k0/n0) / sqrt(p(1-p)(1/n0 + 1/n1)), p-value = 1 - Phi(z)
 *     (equals statsmodels' proportions_ztest(alternative="larger")).
 * A regression is p < alpha with the current ASR above the baseline's.
 * Edge cases: a category with no attempts on either side is not tested
 * (p = NaN); z with p(1-p) = 0 (both 0% or both 100%) has p-value 1.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "assay/redteam.h"

double assay_rt_fisher_greater(uint64_t k0, uint64_t n0, uint64_t k1, uint64_t n1)
{
	if (n0 == 0 || n1 == 0 || k0 > n0 || k1 > n1)
		return NAN;
	if (k1 == 0)
		return 1.0;
	unsigned K = (unsigned)(k0 + k1), F = (unsigned)(n0 + n1 - K);
	double p = gsl_cdf_hypergeometric_Q((unsigned)k1 - 1, K, F, (unsigned)n1);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

double assay_rt_ztest_greater(uint64_t k0, uint64_t n0, uint64_t k1, uint64_t n1, double *z)
{
	*z = NAN;
	if (n0 == 0 || n1 == 0)
		return NAN;
	double p0 = (double)k0 / (double)n0, p1 = (double)k1 / (double)n1;
	double p = (double)(k0 + k1) / (double)(n0 + n1);
	double se = sqrt(p * (1 - p) * (1.0 / (double)n0 + 1.0 / (double)n1));
	if (!(se > 0)) {
		*z = 0;
		return 1.0;
	}
	*z = (p1 - p0) / se;
	return gsl_cdf_ugaussian_Q(*z);
}

static int small_expected(uint64_t k0, uint64_t n0, uint64_t k1, uint64_t n1)
{
	double N = (double)(n0 + n1), K = (double)(k0 + k1), F = N - K;
	double rows[2] = {(double)n1, (double)n0}, cols[2] = {K, F};
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (rows[i] * cols[j] / N < 5)
				return 1;
	return 0;
}

static const struct assay_rt_catsum *find(const struct assay_rt_result *r, const char *id)
{
	for (size_t i = 0; i < r->ncats; i++)
		if (!strcmp(r->cats[i].category, id))
			return &r->cats[i];
	return NULL;
}

int assay_rt_compare_results(const struct assay_rt_result *base, const struct assay_rt_result *cur,
                             double alpha, struct assay_rt_compare **out, struct assay_error *err)
{
	struct assay_rt_compare *c = calloc(1, sizeof *c);
	if (!c)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	assay_arena_init(&c->arena);
	c->alpha = alpha;
	c->d = assay_arena_calloc(&c->arena, base->ncats + cur->ncats + 1, sizeof *c->d);
	if (!c->d) {
		assay_rt_compare_free(c);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	/* current's categories in its order, then those only in the baseline */
	for (int pass = 0; pass < 2; pass++) {
		const struct assay_rt_result *r = pass ? base : cur;
		for (size_t i = 0; i < r->ncats; i++) {
			const char *id = r->cats[i].category;
			const struct assay_rt_catsum *b = find(base, id), *k = find(cur, id);
			if (pass && k)
				continue;
			struct assay_rt_delta *d = &c->d[c->n++];
			d->category = assay_arena_strdup(&c->arena, id);
			d->only_in = !b ? 2 : !k ? 1 : 0;
			d->base_n = b ? b->attempts : 0;
			d->base_k = b ? b->successes : 0;
			d->cur_n = k ? k->attempts : 0;
			d->cur_k = k ? k->successes : 0;
			d->base_asr = d->base_n ? (double)d->base_k / (double)d->base_n : NAN;
			d->cur_asr = d->cur_n ? (double)d->cur_k / (double)d->cur_n : NAN;
			d->statistic = NAN;
			d->p = NAN;
			d->test = "none";
			if (d->only_in || !d->base_n || !d->cur_n)
				continue;
			if (small_expected(d->base_k, d->base_n, d->cur_k, d->cur_n)) {
				d->test = "fisher";
				d->p = assay_rt_fisher_greater(d->base_k, d->base_n, d->cur_k, d->cur_n);
			} else {
				d->test = "z";
				d->p = assay_rt_ztest_greater(d->base_k, d->base_n, d->cur_k, d->cur_n,
				                              &d->statistic);
			}
			d->regression = d->p < alpha && d->cur_asr > d->base_asr;
			c->regressions += d->regression;
		}
	}
	*out = c;
	return 0;
}

void assay_rt_compare_free(struct assay_rt_compare *c)
{
	if (!c)
		return;
	assay_arena_free(&c->arena);
	free(c);
}
