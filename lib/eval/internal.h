/* internal.h: private to lib/eval: the pieces eval.c assembles. */
#ifndef ASSAY_EVAL_INTERNAL_H
#define ASSAY_EVAL_INTERNAL_H

#include "assay/arena.h"
#include "assay/eval.h"
#include "assay/summary.h"

/* The sums that score metrics and their intervals need. The additive
 * part (counts, losses, calibration bins) of a union of slices is the sum
 * of its slices' parts, so it is computed once per finest slice; the rank
 * part (AUC, AP, DeLong) needs the merged sorted scores (metrics.c). */
struct score_sums {
	uint64_t P, N;
	double brier, brier2; /* sums of per-row Brier losses and their squares */
	double logloss, logloss2;
	double bin_n[10], bin_pos[10], bin_s[10];
	unsigned __int128 auc2;   /* sum over positives of 2 x negatives below + ties */
	unsigned __int128 v10sq4; /* sum over positives of (2 x negatives below + ties)^2 */
	unsigned __int128 v01sq4; /* sum over negatives of (2 x positives above + ties)^2 */
	long double ap;           /* average precision */
};
/* Calibration bin of a score for the expected calibration error: 10
 * equal-width bins, bin = min(floor(10 s), 9), negatives in bin 0. */
static inline int ece_bin(double score)
{
	int b = (int)(score * 10);
	return b < 0 ? 0 : b > 9 ? 9 : b;
}

/* The additive sums of finest slice `slice`, and with cal_n, cal_s (20
 * each, or NULL) its calibration cells: per (bin, label) the count and the
 * sum of scores. 0 or ASSAY_ENOMEM. */
int score_sums_additive(const struct assay_summary *sum, size_t slice, struct score_sums *s, double *cal_n,
                        double *cal_s);
void score_sums_add(struct score_sums *dst, const struct score_sums *src);
/* The rank sums of a union of finest slices, whose P and N s must already
 * hold: one walk of its scores, descending. 0 or ASSAY_ENOMEM. */
int score_sums_ranks(const struct assay_summary *sum, const size_t *members, size_t n, struct score_sums *s);
/* The same fed by the caller, one distinct score at a time from the
 * highest down (P and N set before init). */
struct score_ranks {
	struct score_sums *S;
	uint64_t pos_above, neg_at_or_above;
};
void score_ranks_init(struct score_ranks *r, struct score_sums *s);
void score_ranks_add(struct score_ranks *r, uint64_t pos, uint64_t neg);

/* metrics.c: point values. Fill only the metrics of their kind; others
 * are left as they are (callers start from all-NaN). */
void metrics_from_cells(const struct assay_cells *c, double *v);
/* The rate metrics metrics_from_cells fills (base rate .. GEI), which the
 * bootstrap redraws: ASSAY_EVAL_NRATE of them. */
#define ASSAY_EVAL_NRATE 12
extern const enum assay_metric eval_rate_metrics[ASSAY_EVAL_NRATE];
void metrics_from_scores(const struct score_sums *s, double *v);
void metrics_from_regsums(const struct assay_regsums *r, double *v);

/* intervals.c: analytic intervals (z = normal quantile of the level). */
struct assay_interval wilson_interval(uint64_t k, uint64_t n, double z);
void intervals_wilson(const struct assay_cells *c, double z, struct assay_interval *ci);
void intervals_from_scores(const struct score_sums *s, const double *v, double z, struct assay_interval *ci);
void intervals_from_regsums(const struct assay_regsums *r, double z, struct assay_interval *ci);

/* disparity.c: aggregate one metric over a slicing's groups (values of
 * the included groups) and the overall value, as Fairlearn does. */
struct agg {
	double diff_between, diff_overall, ratio_between, ratio_overall;
};
void aggregate(const double *group_values, size_t n, double overall, struct agg *out);
/* The disparities that are a metric's difference (and, next in the enum,
 * its ratio) between groups and to overall; the rest are the equalized
 * odds pair and the entropy indices. */
struct simple_disparity {
	enum assay_metric m;
	enum assay_disparity diff;
};
#define ASSAY_EVAL_NSIMPLE 6
extern const struct simple_disparity eval_simple_disparities[ASSAY_EVAL_NSIMPLE];
/* All disparities of one slicing; g[i] are the included groups' metric
 * vectors and cells[i] their confusion cells (for the entropy indices). */
void disparities_compute(const double *const *g, const struct assay_cells *cells, size_t n,
                         const double *overall, double out_between[ASSAY_D__COUNT],
                         double out_overall[ASSAY_D__COUNT]);

/* quantile.c: linear-interpolated quantiles of v[0..n) skipping NaN
 * (numpy's nanquantile, method="linear"); reorders v. NaN if all NaN. */
void nanquantiles(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi);
/* The same, its candidates gathered with AVX-512 when simd (only where
 * quantile_avx512_usable() says so) or by the scalar loop: the same
 * values either way. */
void nanquantiles_with(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi, int simd);
int quantile_avx512_usable(void);

#endif
