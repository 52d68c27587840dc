/* disparity.c: fairness disparities over the groups of one slicing,
 * exactly as Fairlearn's MetricFrame aggregates (0.15):
 *
 *   difference, between_groups  max - min over groups
 *   difference, to_overall      max |group - overall|
 *   ratio, between_groups       min / max (NaN when max is 0: 0/0)
 *   ratio, to_overall           min over groups of r = group / overall,
 *                               with r replaced by 1/r when r > 1
 *   NaN group values are skipped (pandas max/min skip NaN).
 *
 *   equalized_odds_*            worst case: max of the TPR and FPR
 *                               differences, min of their ratios;
 *                               *_mean: their mean ("average odds")
 *   equal_opportunity_*         on TPR
 *   predictive_parity_*         on precision (Aequitas' precision parity)
 *
 * Between-group entropy indices are AIF360's between_all_groups_* with
 * b = yhat - y + 1: every b replaced by its group mean mu_g, so
 *   GEI(2) = 1/n sum_g n_g ((mu_g/mu)^2 - 1) / 2,
 *   Theil  = 1/n sum_g n_g (mu_g/mu) ln(mu_g/mu).
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

void aggregate(const double *g, size_t n, double overall, struct agg *out)
{
	double mn = NAN, mx = NAN, dev = NAN, rmin = NAN;
	for (size_t i = 0; i < n; i++) {
		double x = g[i];
		if (isnan(x))
			continue;
		if (isnan(mn) || x < mn)
			mn = x;
		if (isnan(mx) || x > mx)
			mx = x;
		double d = fabs(x - overall);
		if (!isnan(d) && (isnan(dev) || d > dev))
			dev = d;
		double r = x / overall;
		if (r > 1)
			r = 1 / r;
		if (!isnan(r) && (isnan(rmin) || r < rmin))
			rmin = r;
	}
	out->diff_between = mx - mn;
	out->ratio_between = mn / mx;
	out->diff_overall = dev;
	out->ratio_overall = rmin;
}

static double mean2(double a, double b)
{
	return (a + b) / 2;
}

static double fmax_nan(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : a > b ? a : b;
}

static double fmin_nan(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : a < b ? a : b;
}

/* b-counts of a slice: n0 = FN, n1 = TP + TN, n2 = FP */
static void entropy_between(const struct assay_cells *cells, size_t n, double *theil, double *gei)
{
	double total = 0, sum_b = 0;
	for (size_t i = 0; i < n; i++) {
		const struct assay_cells *c = &cells[i];
		total += (double)(c->tp + c->fp + c->tn + c->fn);
		sum_b += (double)(c->tp + c->tn) + 2.0 * (double)c->fp;
	}
	*theil = *gei = NAN;
	if (total == 0 || sum_b == 0)
		return;
	double mu = sum_b / total, t = 0, g = 0;
	for (size_t i = 0; i < n; i++) {
		const struct assay_cells *c = &cells[i];
		double ng = (double)(c->tp + c->fp + c->tn + c->fn);
		if (ng == 0)
			continue;
		double r = ((double)(c->tp + c->tn) + 2.0 * (double)c->fp) / ng / mu;
		g += ng * (r * r - 1) / 2;
		if (r > 0)
			t += ng * r * log(r);
	}
	*theil = t / total;
	*gei = g / total;
}

const struct simple_disparity eval_simple_disparities[ASSAY_EVAL_NSIMPLE] = {
    {ASSAY_M_SELECTION_RATE, ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE},
    {ASSAY_M_RECALL, ASSAY_D_EQUAL_OPPORTUNITY_DIFFERENCE},
    {ASSAY_M_FPR, ASSAY_D_FPR_DIFFERENCE},
    {ASSAY_M_FNR, ASSAY_D_FNR_DIFFERENCE},
    {ASSAY_M_PRECISION, ASSAY_D_PREDICTIVE_PARITY_DIFFERENCE},
    {ASSAY_M_ACCURACY, ASSAY_D_ACCURACY_DIFFERENCE},
};

void disparities_compute(const double *const *g, const struct assay_cells *cells, size_t n,
                         const double *overall, double out_between[ASSAY_D__COUNT],
                         double out_overall[ASSAY_D__COUNT])
{
	const struct simple_disparity *simple = eval_simple_disparities;
	double vals[256];
	double *buf = n <= 256 ? vals : malloc(n * sizeof *buf);
	struct agg tpr = {NAN, NAN, NAN, NAN}, fpr = tpr;
	for (size_t k = 0; k < ASSAY_EVAL_NSIMPLE; k++) {
		for (size_t i = 0; i < n; i++)
			buf[i] = g[i][simple[k].m];
		struct agg a;
		aggregate(buf, n, overall[simple[k].m], &a);
		out_between[simple[k].diff] = a.diff_between;
		out_overall[simple[k].diff] = a.diff_overall;
		out_between[simple[k].diff + 1] = a.ratio_between; /* the ratio follows its difference */
		out_overall[simple[k].diff + 1] = a.ratio_overall;
		if (simple[k].m == ASSAY_M_RECALL)
			tpr = a;
		if (simple[k].m == ASSAY_M_FPR)
			fpr = a;
	}
	if (buf != vals)
		free(buf);
	out_between[ASSAY_D_EQUALIZED_ODDS_DIFFERENCE] = fmax_nan(tpr.diff_between, fpr.diff_between);
	out_overall[ASSAY_D_EQUALIZED_ODDS_DIFFERENCE] = fmax_nan(tpr.diff_overall, fpr.diff_overall);
	out_between[ASSAY_D_EQUALIZED_ODDS_RATIO] = fmin_nan(tpr.ratio_between, fpr.ratio_between);
	out_overall[ASSAY_D_EQUALIZED_ODDS_RATIO] = fmin_nan(tpr.ratio_overall, fpr.ratio_overall);
	out_between[ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN] = mean2(tpr.diff_between, fpr.diff_between);
	out_overall[ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN] = mean2(tpr.diff_overall, fpr.diff_overall);
	out_between[ASSAY_D_EQUALIZED_ODDS_RATIO_MEAN] = mean2(tpr.ratio_between, fpr.ratio_between);
	out_overall[ASSAY_D_EQUALIZED_ODDS_RATIO_MEAN] = mean2(tpr.ratio_overall, fpr.ratio_overall);
	entropy_between(cells, n, &out_between[ASSAY_D_THEIL_BETWEEN], &out_between[ASSAY_D_GEI_BETWEEN]);
	out_overall[ASSAY_D_THEIL_BETWEEN] = out_overall[ASSAY_D_GEI_BETWEEN] = NAN;
}
