/* metrics.c: per-slice metric values from sufficient statistics.
 *
 * Rates are one division of integer counts, with 0/0 -> 0 exactly as
 * scikit-learn's confusion_matrix(normalize="true") and Fairlearn's base
 * metrics (selection_rate, true_positive_rate, ...). An empty slice has
 * NaN everywhere (Fairlearn raises on empty input).
 *
 *   balanced_accuracy  mean of TPR and TNR over the classes present
 *                      (scikit-learn's balanced_accuracy_score)
 *   f1                 2TP / (2TP + FP + FN), 0 when there is no TP, FP, FN
 *   theil_index, generalized_entropy_index (alpha = 2): AIF360 with
 *                      b = yhat - y + 1 in {0, 1, 2}: counts FN, TP+TN, FP
 *   roc_auc            Mann-Whitney with ties counted one half, which equals
 *                      scikit-learn's trapezoid over distinct thresholds;
 *                      NaN when the slice has one class (sklearn raises)
 *   average_precision  scikit-learn: sum over distinct thresholds, from the
 *                      highest, of (R_n - R_{n-1}) P_n; NaN without positives
 *   brier_score        mean (score - y)^2
 *   log_loss           -mean(y ln p + (1-y) ln(1-p)), p clipped to
 *                      [eps, 1-eps], eps = DBL_EPSILON (scikit-learn >= 1.5)
 *   expected_calibration_error  10 equal-width bins, bin = min(floor(10 s), 9);
 *                      sum over bins of (n_b / n) |positives_b / n_b - mean score_b|
 *   mae, rmse, r2, mean_prediction, mean_residual (residual = y - prediction);
 *                      r2 as scikit-learn with force_finite: 1 when both sums
 *                      of squares are 0, 0 when only the total one is.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "assay/xsum.h"
#include "internal.h"

static double rate(uint64_t num, uint64_t den)
{
	return den ? (double)num / (double)den : 0.0;
}

const enum assay_metric eval_rate_metrics[ASSAY_EVAL_NRATE] = {
    ASSAY_M_BASE_RATE, ASSAY_M_SELECTION_RATE,
    ASSAY_M_ACCURACY,  ASSAY_M_BALANCED_ACCURACY,
    ASSAY_M_PRECISION, ASSAY_M_RECALL,
    ASSAY_M_FPR,       ASSAY_M_FNR,
    ASSAY_M_TNR,       ASSAY_M_F1,
    ASSAY_M_THEIL,     ASSAY_M_GEI,
};

void metrics_from_cells(const struct assay_cells *c, double *v)
{
	uint64_t n = c->tp + c->fp + c->tn + c->fn;
	v[ASSAY_M_COUNT] = (double)n;
	if (n == 0)
		return;
	uint64_t pos = c->tp + c->fn, neg = c->tn + c->fp;
	v[ASSAY_M_BASE_RATE] = (double)pos / (double)n;
	v[ASSAY_M_SELECTION_RATE] = (double)(c->tp + c->fp) / (double)n;
	v[ASSAY_M_ACCURACY] = (double)(c->tp + c->tn) / (double)n;
	v[ASSAY_M_PRECISION] = rate(c->tp, c->tp + c->fp);
	v[ASSAY_M_RECALL] = rate(c->tp, pos);
	v[ASSAY_M_FPR] = rate(c->fp, neg);
	v[ASSAY_M_FNR] = rate(c->fn, pos);
	v[ASSAY_M_TNR] = rate(c->tn, neg);
	if (pos && neg)
		v[ASSAY_M_BALANCED_ACCURACY] = (v[ASSAY_M_RECALL] + v[ASSAY_M_TNR]) / 2;
	else
		v[ASSAY_M_BALANCED_ACCURACY] = pos ? v[ASSAY_M_RECALL] : v[ASSAY_M_TNR];
	v[ASSAY_M_F1] = rate(2 * c->tp, 2 * c->tp + c->fp + c->fn);

	/* b = 0 for FN, 1 for TP and TN, 2 for FP */
	double n0 = (double)c->fn, n1 = (double)(c->tp + c->tn), n2 = (double)c->fp, nn = (double)n;
	double mu = (n1 + 2 * n2) / nn;
	if (mu > 0) {
		double r1 = 1 / mu, r2 = 2 / mu;
		v[ASSAY_M_GEI] = (n0 * -1.0 + n1 * (r1 * r1 - 1) + n2 * (r2 * r2 - 1)) / nn / 2;
		v[ASSAY_M_THEIL] = (n1 * r1 * log(r1) + n2 * r2 * log(r2)) / nn;
	}
}

/* Scores are clipped to [eps, 1 - eps] for the log loss, as sklearn. */
static double clip_eps(double s)
{
	return s < DBL_EPSILON ? DBL_EPSILON : s > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : s;
}

/* The sums below are compensated (assay_neumaier_add): long double was
 * 2x slower on this loop. Scores arrive ascending, one call per distinct
 * score of a finest slice (assay_summary_score_walk). */
struct ksum {
	double sum, c;
};

struct additive {
	struct score_sums *S;
	struct ksum brier, brier2, ll, ll2;
	double *cal_n, *cal_s; /* or NULL: see score_sums_additive */
};

static void additive_add(void *ctx, double s, uint64_t pos, uint64_t neg)
{
	struct additive *A = ctx;
	struct score_sums *S = A->S;
	double p = (double)pos, q = (double)neg;
	S->P += pos;
	S->N += neg;
	double bp = (1 - s) * (1 - s), bq = s * s;
	assay_neumaier_add(&A->brier.sum, &A->brier.c, p * bp + q * bq);
	assay_neumaier_add(&A->brier2.sum, &A->brier2.c, p * bp * bp + q * bq * bq);
	/* a logarithm only for a label present: 0 x 0 adds the same +0 as
	 * 0 x log (finite), so the sums keep their bits at half the calls */
	double c = clip_eps(s), l1 = pos ? -log(c) : 0, l0 = neg ? -log1p(-c) : 0;
	assay_neumaier_add(&A->ll.sum, &A->ll.c, p * l1 + q * l0);
	assay_neumaier_add(&A->ll2.sum, &A->ll2.c, p * l1 * l1 + q * l0 * l0);
	int b = ece_bin(s);
	S->bin_n[b] += p + q;
	S->bin_pos[b] += p;
	S->bin_s[b] += s * (p + q);
	if (A->cal_n) {
		A->cal_n[2 * b] += p;
		A->cal_n[2 * b + 1] += q;
		A->cal_s[2 * b] += s * p;
		A->cal_s[2 * b + 1] += s * q;
	}
}

int score_sums_additive(const struct assay_summary *sum, size_t slice, struct score_sums *S, double *cal_n,
                        double *cal_s)
{
	memset(S, 0, sizeof *S);
	if (cal_n) {
		memset(cal_n, 0, 20 * sizeof *cal_n);
		memset(cal_s, 0, 20 * sizeof *cal_s);
	}
	struct additive A = {S, {0, 0}, {0, 0}, {0, 0}, {0, 0}, cal_n, cal_s};
	int rc = assay_summary_score_walk(sum, &slice, 1, 0, additive_add, &A);
	S->brier = A.brier.sum + A.brier.c;
	S->brier2 = A.brier2.sum + A.brier2.c;
	S->logloss = A.ll.sum + A.ll.c;
	S->logloss2 = A.ll2.sum + A.ll2.c;
	return rc;
}

void score_sums_add(struct score_sums *d, const struct score_sums *s)
{
	d->P += s->P;
	d->N += s->N;
	d->brier += s->brier;
	d->brier2 += s->brier2;
	d->logloss += s->logloss;
	d->logloss2 += s->logloss2;
	for (int b = 0; b < 10; b++) {
		d->bin_n[b] += s->bin_n[b];
		d->bin_pos[b] += s->bin_pos[b];
		d->bin_s[b] += s->bin_s[b];
	}
}

/* Integer sums: every AUC pair count and DeLong placement value is a
 * ratio of integers, so the pass is exact and cheap. One pass from the
 * highest score down (the order average precision sums in), with the
 * totals P and N known: negatives below a score are N minus those at or
 * above it. */
void score_ranks_init(struct score_ranks *R, struct score_sums *S)
{
	S->auc2 = S->v10sq4 = S->v01sq4 = 0;
	S->ap = 0;
	*R = (struct score_ranks){S, 0, 0};
}

void score_ranks_add(struct score_ranks *R, uint64_t p, uint64_t q)
{
	struct score_sums *S = R->S;
	R->neg_at_or_above += q;
	uint64_t neg_below = S->N - R->neg_at_or_above;
	if (S->N < (UINT64_C(1) << 31) && S->P < (UINT64_C(1) << 31)) {
		/* a, b < 2^32: their squares fit 64 bits, one 64x64 -> 128 product each */
		uint64_t a = 2 * neg_below + q, b = 2 * R->pos_above + p;
		S->auc2 += (unsigned __int128)p * a;
		S->v10sq4 += (unsigned __int128)p * (a * a);
		S->v01sq4 += (unsigned __int128)q * (b * b);
	} else {
		unsigned __int128 a = 2 * (unsigned __int128)neg_below + q,
		                  b = 2 * (unsigned __int128)R->pos_above + p;
		S->auc2 += p * a;
		S->v10sq4 += p * a * a;
		S->v01sq4 += q * b * b;
	}
	R->pos_above += p;
	/* each distinct threshold adds (tp_i - tp_{i-1}) / P * precision_i */
	if (p) {
		uint64_t tp = R->pos_above, fp = R->neg_at_or_above;
		S->ap += (long double)p / S->P * ((long double)tp / (tp + fp));
	}
}

static void ranks_add(void *ctx, double s, uint64_t p, uint64_t q)
{
	(void)s;
	score_ranks_add(ctx, p, q);
}

int score_sums_ranks(const struct assay_summary *sum, const size_t *members, size_t n, struct score_sums *S)
{
	struct score_ranks R;
	score_ranks_init(&R, S);
	return assay_summary_score_walk(sum, members, n, 1, ranks_add, &R);
}

void metrics_from_scores(const struct score_sums *S, double *v)
{
	if (S->P + S->N == 0)
		return;
	double n = (double)(S->P + S->N);
	v[ASSAY_M_BRIER] = S->brier / n;
	v[ASSAY_M_LOG_LOSS] = S->logloss / n;
	double ece = 0;
	for (int b = 0; b < 10; b++)
		if (S->bin_n[b] > 0)
			ece += fabs(S->bin_pos[b] - S->bin_s[b]) / n;
	v[ASSAY_M_ECE] = ece;
	if (S->P && S->N)
		v[ASSAY_M_ROC_AUC] =
		    (double)((long double)S->auc2 / (2.0L * (long double)S->P * (long double)S->N));
	if (S->P)
		v[ASSAY_M_AVERAGE_PRECISION] = (double)S->ap;
}

void metrics_from_regsums(const struct assay_regsums *r, double *v)
{
	v[ASSAY_M_COUNT] = (double)r->n;
	if (r->n == 0)
		return;
	double n = (double)r->n;
	v[ASSAY_M_MAE] = r->sum_abs_e / n;
	v[ASSAY_M_RMSE] = sqrt(r->sum_e2 / n);
	v[ASSAY_M_MEAN_PREDICTION] = r->sum_p / n;
	v[ASSAY_M_MEAN_RESIDUAL] = r->sum_e / n;
	long double sst = (long double)r->sum_y2 - (long double)r->sum_y * r->sum_y / n;
	if (sst < 0)
		sst = 0;
	if (sst == 0)
		v[ASSAY_M_R2] = r->sum_e2 == 0 ? 1.0 : 0.0;
	else
		v[ASSAY_M_R2] = (double)(1 - r->sum_e2 / sst);
}
