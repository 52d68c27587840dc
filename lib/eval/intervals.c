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

struct assay_interval assay_wilson_interval(uint64_t k, uint64_t n, double z)
{
	return wilson_interval(k, n, z);
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
	    {ASSAY_M_BASE_RATE, pos, n},
	    {ASSAY_M_SELECTION_RATE, c->tp + c->fp, n},
	    {ASSAY_M_ACCURACY, c->tp + c->tn, n},
	    {ASSAY_M_PRECISION, c->tp, c->tp + c->fp},
	    {ASSAY_M_RECALL, c->tp, pos},
	    {ASSAY_M_FPR, c->fp, neg},
	    {ASSAY_M_FNR, c->fn, pos},
	    {ASSAY_M_TNR, c->tn, neg},
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

void intervals_from_scores(const struct score_sums *S, const double *v, double z, struct assay_interval *ci)
{
	uint64_t P = S->P, N = S->N;
	double n = (double)(P + N);
	if (n == 0)
		return;
	ci[ASSAY_M_BRIER] = mean_interval(S->brier, S->brier2, n, z);
	if (ci[ASSAY_M_BRIER].lo < 0)
		ci[ASSAY_M_BRIER].lo = 0;
	ci[ASSAY_M_LOG_LOSS] = mean_interval(S->logloss, S->logloss2, n, z);
	if (ci[ASSAY_M_LOG_LOSS].lo < 0)
		ci[ASSAY_M_LOG_LOSS].lo = 0;
	if (P >= 2 && N >= 2 && !isnan(v[ASSAY_M_ROC_AUC])) {
		/* sum over positives of (v10 - AUC)^2 = sum v10^2 - P AUC^2, as the
		 * placement values of the positives average to the AUC (likewise
		 * for the negatives) */
		long double auc = v[ASSAY_M_ROC_AUC];
		long double v10sq = (long double)S->v10sq4 / (4.0L * N * N),
		            v01sq = (long double)S->v01sq4 / (4.0L * P * P);
		long double s10 = v10sq - (long double)P * auc * auc,
		            s01 = v01sq - (long double)N * auc * auc;
		double var = (double)(s10 / (P - 1) / P + s01 / (N - 1) / N);
		double sd = sqrt(var > 0 ? var : 0);
		ci[ASSAY_M_ROC_AUC] = clip01((double)auc - z * sd, (double)auc + z * sd);
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

void intervals_from_regsums(const struct assay_regsums *r, double z, struct assay_interval *ci)
{
	double n = (double)r->n;
	if (r->n < 2)
		return;
	ci[ASSAY_M_MAE] = mean_interval(r->sum_abs_e, r->sum_e2, n, z);
	ci[ASSAY_M_MEAN_RESIDUAL] = mean_interval(r->sum_e, r->sum_e2, n, z);
	ci[ASSAY_M_MEAN_PREDICTION] = mean_interval(r->sum_p, r->sum_p2, n, z);
	struct assay_interval mse = mean_interval(r->sum_e2, r->sum_e4, n, z);
	ci[ASSAY_M_RMSE] =
	    (struct assay_interval){sqrt(mse.lo > 0 ? mse.lo : 0), sqrt(mse.hi > 0 ? mse.hi : 0)};
}
