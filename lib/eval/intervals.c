/* intervals.c: analytic intervals, computed from summaries at no extra
 * pass over the data.
 *
 *   rates (--ci wilson)  Wilson score interval for k successes in n:
 *                        (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
 *   roc_auc              DeLong et al. (1988): placement values of each
 *                        positive (share of negatives below it, ties 1/2) and
 *                        each negative; Var = S10/P + S01/N; AUC +- z sd,
 *                        clipped to [0, 1]. Every score in the sorted map
 *                        shares one placement value, so this is O(distinct).
 *   average_precision    logit interval of Boyd, Eng and Page (2013):
 *                        logit(AP) +- z / sqrt(P AP (1 - AP)), mapped back
 *   brier_score,         mean +- z sd / sqrt(n) of the per-row losses
 *   log_loss             (expected_calibration_error is bootstrapped:
 *                        bootstrap.c)
 *   mae, mean_residual,  mean +- z sd / sqrt(n) of |e|, e and prediction;
 *   mean_prediction      rmse: sqrt of the interval of the MSE, whose
 *                        variance is (mean e^4 - MSE^2) / n; r2: none.
 */
#include <float.h>
#include <math.h>

#include "internal.h"

struct assay_interval wilson_interval(uint64_t k, uint64_t n, double z)
{
	if (n == 0)
		return (struct assay_interval){NAN, NAN};
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double centre = p + z2 / (2 * nn);
	double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	double den = 1 + z2 / nn;
	double lo = (centre - half) / den, hi = (centre + half) / den;
	return (struct assay_interval){lo < 0 ? 0 : lo, hi > 1 ? 1 : hi};
}

/* Wilson intervals of the rate metrics; 0/0 rates get [0, 0] like their
 * value. */
void intervals_wilson(const struct assay_cells *c, double z, struct assay_interval *ci)
{
	uint64_t n = c->tp + c->fp + c->tn + c->fn, pos = c->tp + c->fn, neg = c->tn + c->fp;
	const struct {
		enum assay_metric m;
		uint64_t k, n;
	} r[] = {
		{ASSAY_M_BASE_RATE, pos, n},       {ASSAY_M_SELECTION_RATE, c->tp + c->fp, n},
		{ASSAY_M_ACCURACY, c->tp + c->tn, n}, {ASSAY_M_PRECISION, c->tp, c->tp + c->fp},
		{ASSAY_M_RECALL, c->tp, pos},      {ASSAY_M_FPR, c->fp, neg},
		{ASSAY_M_FNR, c->fn, pos},         {ASSAY_M_TNR, c->tn, neg},
	};
	for (size_t i = 0; i < sizeof r / sizeof *r; i++)
		ci[r[i].m] = r[i].n ? wilson_interval(r[i].k, r[i].n, z) : (struct assay_interval){0, 0};
}

static struct assay_interval clip01(double lo, double hi)
{
	return (struct assay_interval){lo < 0 ? 0 : lo, hi > 1 ? 1 : hi};
}

static struct assay_interval mean_interval(long double sum, long double sumsq, double n, double z)
{
	if (n < 2)
		return (struct assay_interval){NAN, NAN};
	long double mean = sum / n;
	long double var = (sumsq - sum * mean) / (n - 1);
	double sd = var > 0 ? sqrt((double)var) : 0;
	return (struct assay_interval){(double)mean - z * sd / sqrt(n), (double)mean + z * sd / sqrt(n)};
}

void intervals_from_scores(const struct assay_scoremap *m, const double *v, double z, struct assay_interval *ci)
{
	uint64_t P = 0, N = 0;
	for (size_t i = 0; i < m->n; i++) {
		P += m->pos[i];
		N += m->neg[i];
	}
	double n = (double)(P + N);
	if (n == 0)
		return;
	long double b1 = 0, b2 = 0, l1 = 0, l2 = 0;
	for (size_t i = 0; i < m->n; i++) {
		double s = m->score[i];
		long double p = m->pos[i], q = m->neg[i];
		long double bp = (1 - s) * (1 - s), bq = (long double)s * s;
		b1 += p * bp + q * bq;
		b2 += p * bp * bp + q * bq * bq;
		double c = s < DBL_EPSILON ? DBL_EPSILON : s > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : s;
		long double lp = -log(c), lq = -log1p(-c);
		l1 += p * lp + q * lq;
		l2 += p * lp * lp + q * lq * lq;
	}
	ci[ASSAY_M_BRIER] = mean_interval(b1, b2, n, z);
	if (ci[ASSAY_M_BRIER].lo < 0)
		ci[ASSAY_M_BRIER].lo = 0;
	ci[ASSAY_M_LOG_LOSS] = mean_interval(l1, l2, n, z);
	if (ci[ASSAY_M_LOG_LOSS].lo < 0)
		ci[ASSAY_M_LOG_LOSS].lo = 0;
	if (P >= 2 && N >= 2 && !isnan(v[ASSAY_M_ROC_AUC])) {
		double auc = v[ASSAY_M_ROC_AUC];
		long double s10 = 0, s01 = 0;
		uint64_t neg_below = 0, pos_above = P;
		for (size_t i = 0; i < m->n; i++) {
			long double p = m->pos[i], q = m->neg[i];
			pos_above -= m->pos[i];
			long double v10 = ((long double)neg_below + q / 2) / N; /* for each positive here */
			long double v01 = ((long double)pos_above + p / 2) / P; /* for each negative here */
			s10 += p * (v10 - auc) * (v10 - auc);
			s01 += q * (v01 - auc) * (v01 - auc);
			neg_below += m->neg[i];
		}
		double var = (double)(s10 / (P - 1) / P + s01 / (N - 1) / N);
		double sd = sqrt(var > 0 ? var : 0);
		ci[ASSAY_M_ROC_AUC] = clip01(auc - z * sd, auc + z * sd);
	}
	double ap = v[ASSAY_M_AVERAGE_PRECISION];
	if (P > 0 && ap > 0 && ap < 1) {
		double eta = log(ap / (1 - ap)), tau = 1 / sqrt((double)P * ap * (1 - ap));
		ci[ASSAY_M_AVERAGE_PRECISION] =
			(struct assay_interval){1 / (1 + exp(-(eta - z * tau))), 1 / (1 + exp(-(eta + z * tau)))};
	} else if (P > 0 && !isnan(ap)) {
		ci[ASSAY_M_AVERAGE_PRECISION] = (struct assay_interval){ap, ap};
	}
}

void intervals_from_regsums(const struct assay_regsums *r, const double *v, double z, struct assay_interval *ci)
{
	double n = (double)r->n;
	if (r->n < 2)
		return;
	ci[ASSAY_M_MAE] = mean_interval(r->sum_abs_e, r->sum_e2, n, z);
	ci[ASSAY_M_MEAN_RESIDUAL] = mean_interval(r->sum_e, r->sum_e2, n, z);
	ci[ASSAY_M_MEAN_PREDICTION] = mean_interval(r->sum_p, r->sum_p2, n, z);
	struct assay_interval mse = mean_interval(r->sum_e2, r->sum_e4, n, z);
	ci[ASSAY_M_RMSE] = (struct assay_interval){sqrt(mse.lo > 0 ? mse.lo : 0), sqrt(mse.hi > 0 ? mse.hi : 0)};
	(void)v;
}
