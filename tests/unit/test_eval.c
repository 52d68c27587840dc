/* test_eval.c: the evaluation engine on hand-computed cases and on the
 * COMPAS reference cells (../shared/data/compas/REFERENCE.md): every
 * metric, the edge cases users hit (empty groups, no positives, tied
 * scores), disparities as Fairlearn defines them, the merge property and
 * bootstrap reproducibility. */
#include <math.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/eval.h"
#include "assay/summary.h"
#include "assay/xsum.h"

static void assert_close(double got, double want, double rel)
{
	if (isnan(want)) {
		assert_true(isnan(got));
		return;
	}
	double tol = rel * fabs(want);
	if (!(fabs(got - want) <= tol)) {
		fail_msg("got %.17g, want %.17g (rel tol %g)", got, want, rel);
	}
}

struct fixture {
	struct assay_arena a;
	struct assay_eval_report r;
	struct assay_eval_params p;
	struct assay_summary *s;
};

static void fx_init(struct fixture *f, const char *const *features, size_t nf, int with_score,
                    enum assay_task task)
{
	memset(f, 0, sizeof *f);
	assay_arena_init(&f->a);
	assay_eval_params_init(&f->p);
	f->p.task = task;
	f->p.ci_method = ASSAY_CI_NONE;
	f->p.min_group_size = 0;
	f->p.score = with_score ? "score" : NULL;
	struct assay_error err;
	assert_int_equal(assay_summary_new(&f->s, task, features, nf, with_score, &err), 0);
}

static void fx_compute(struct fixture *f)
{
	struct assay_error err;
	memset(&f->r, 0, sizeof f->r);
	f->r.params = f->p;
	int rc = assay_eval_compute(f->s, &f->p, &f->a, &f->r, &err);
	if (rc)
		fail_msg("compute: %s", err.message);
}

static void fx_free(struct fixture *f)
{
	assay_summary_free(f->s);
	assay_arena_free(&f->a);
}

/* Add `count` rows of one confusion cell for a group. */
static void add_cells(struct assay_summary *s, const char *group, uint64_t tp, uint64_t fp, uint64_t tn,
                      uint64_t fn)
{
	const char *lv[1] = {group};
	uint32_t len[1] = {(uint32_t)strlen(group)};
	for (uint64_t i = 0; i < tp; i++)
		assay_summary_add_binary(s, lv, len, 1, 1, 0);
	for (uint64_t i = 0; i < fp; i++)
		assay_summary_add_binary(s, lv, len, 0, 1, 0);
	for (uint64_t i = 0; i < tn; i++)
		assay_summary_add_binary(s, lv, len, 0, 0, 0);
	for (uint64_t i = 0; i < fn; i++)
		assay_summary_add_binary(s, lv, len, 1, 0, 0);
}

static const struct assay_slice_result *slice(const struct assay_eval_report *r, const char *label)
{
	for (size_t i = 0; i < r->nslices; i++)
		if (strcmp(r->slices[i].label, label) == 0)
			return &r->slices[i];
	fail_msg("no slice %s", label);
	return NULL;
}

static const struct assay_disparity_result *disparity(const struct assay_eval_report *r, int slicing,
                                                      enum assay_disparity d)
{
	for (size_t i = 0; i < r->ndisparities; i++)
		if (r->disparities[i].slicing == slicing && r->disparities[i].kind == d)
			return &r->disparities[i];
	fail_msg("no disparity %d", d);
	return NULL;
}

static const char *const RACE[] = {"race"};

static void add_compas_cells(struct assay_summary *s)
{
	add_cells(s, "African-American", 1188, 641, 873, 473);
	add_cells(s, "Asian", 5, 2, 21, 3);
	add_cells(s, "Caucasian", 414, 282, 999, 408);
	add_cells(s, "Hispanic", 79, 62, 258, 110);
	add_cells(s, "Native American", 5, 3, 3, 0);
	add_cells(s, "Other", 42, 28, 191, 82);
}

/* REFERENCE.md: rates and Fairlearn summaries for race, all six groups. */
static void compas_reference_values(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	add_compas_cells(f.s);
	fx_compute(&f);
	const struct assay_slice_result *all = slice(&f.r, "(all)");
	assert_int_equal(all->n, 6172);
	assert_int_equal(all->cells.tp, 1733);
	assert_int_equal(all->cells.fp, 1018);
	assert_close(all->value[ASSAY_M_SELECTION_RATE], 0.44572261827608556, 1e-15);
	assert_close(all->value[ASSAY_M_FPR], 0.30270591733571217, 1e-15);
	assert_close(all->value[ASSAY_M_FNR], 0.38305446778212887, 1e-15);
	assert_close(all->value[ASSAY_M_PRECISION], 0.62995274445656124, 1e-15);
	const struct assay_slice_result *aa = slice(&f.r, "race=African-American");
	assert_close(aa->value[ASSAY_M_FPR], 641.0 / 1514.0, 0);
	assert_close(aa->value[ASSAY_M_SELECTION_RATE], 0.57606299212598422, 1e-15);
	assert_close(slice(&f.r, "race=Hispanic")->value[ASSAY_M_FNR], 0.58201058201058198, 1e-15);
	struct {
		enum assay_disparity d;
		double between, overall;
	} want[] = {
	    {ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE, 0.52319109461966606, 0.28155010899664173},
	    {ASSAY_D_DEMOGRAPHIC_PARITY_RATIO, 0.28061224489795916, 0.45786689812238962},
	    {ASSAY_D_EQUALIZED_ODDS_DIFFERENCE, 0.66129032258064524, 0.38305446778212893},
	    {ASSAY_D_EQUALIZED_ODDS_RATIO, 0.17391304347826086, 0.28726403006748097},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const struct assay_disparity_result *d = disparity(&f.r, 0, want[i].d);
		assert_close(d->between, want[i].between, 1e-12);
		assert_close(d->to_overall, want[i].overall, 1e-12);
	}
	fx_free(&f);
}

/* Two groups only: the ProPublica comparison. */
static void compas_two_groups(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	add_cells(f.s, "African-American", 1188, 641, 873, 473);
	add_cells(f.s, "Caucasian", 414, 282, 999, 408);
	fx_compute(&f);
	assert_close(disparity(&f.r, 0, ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE)->between, 0.2451072146652139,
	             1e-12);
	assert_close(disparity(&f.r, 0, ASSAY_D_DEMOGRAPHIC_PARITY_RATIO)->between, 0.57451317301145211,
	             1e-12);
	assert_close(disparity(&f.r, 0, ASSAY_D_EQUALIZED_ODDS_DIFFERENCE)->between, 0.21158215304297379,
	             1e-12);
	assert_close(disparity(&f.r, 0, ASSAY_D_EQUALIZED_ODDS_RATIO)->between, 0.51995747277197879, 1e-12);
	/* FPR ratio African-American / Caucasian = 1.9232342111919953: its inverse is the min/max ratio */
	assert_close(1 / disparity(&f.r, 0, ASSAY_D_FPR_RATIO)->between, 1.9232342111919953, 1e-12);
	fx_free(&f);
}

/* A group with no positives: TPR = FNR = 0 (sklearn's 0/0 -> 0), and an
 * AUC that is undefined (NaN) rather than an error. */
static void group_without_positives(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 1, ASSAY_TASK_BINARY);
	const char *lv[1] = {"a"};
	uint32_t len[1] = {1};
	assay_summary_add_binary(f.s, lv, len, 0, 1, 0.7);
	assay_summary_add_binary(f.s, lv, len, 0, 0, 0.2);
	lv[0] = "b";
	assay_summary_add_binary(f.s, lv, len, 1, 1, 0.9);
	assay_summary_add_binary(f.s, lv, len, 0, 0, 0.1);
	fx_compute(&f);
	const struct assay_slice_result *a = slice(&f.r, "race=a");
	assert_close(a->value[ASSAY_M_RECALL], 0, 0);
	assert_close(a->value[ASSAY_M_FNR], 0, 0);
	assert_close(a->value[ASSAY_M_FPR], 0.5, 0);
	assert_close(a->value[ASSAY_M_BALANCED_ACCURACY], 0.5, 0); /* TNR only, as sklearn */
	assert_true(isnan(a->value[ASSAY_M_ROC_AUC]));
	assert_true(isnan(a->value[ASSAY_M_AVERAGE_PRECISION]));
	assert_close(slice(&f.r, "race=b")->value[ASSAY_M_ROC_AUC], 1.0, 0);
	fx_free(&f);
}

/* sklearn: roc_auc_score([0,0,1,1],[.1,.4,.35,.8]) = 0.75,
 * average_precision_score = 0.8333333333333333, brier 0.2281250,
 * log_loss 0.6327875 (clipped at eps), and all-tied scores give AUC 0.5. */
static void score_metrics_small(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL, 0, 1, ASSAY_TASK_BINARY);
	int y[] = {0, 0, 1, 1};
	double s[] = {0.1, 0.4, 0.35, 0.8};
	for (int i = 0; i < 4; i++)
		assay_summary_add_binary(f.s, NULL, NULL, y[i], s[i] >= 0.5, s[i]);
	fx_compute(&f);
	const double *v = f.r.slices[0].value;
	assert_close(v[ASSAY_M_ROC_AUC], 0.75, 1e-15);
	assert_close(v[ASSAY_M_AVERAGE_PRECISION], 0.83333333333333326, 1e-15);
	assert_close(v[ASSAY_M_BRIER], (0.01 + 0.16 + 0.4225 + 0.04) / 4, 1e-15);
	assert_close(v[ASSAY_M_LOG_LOSS], -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4, 1e-15);
	/* ECE: bins 1 (0.1, y0), 3 (0.35, y1), 4 (0.4, y0), 8 (0.8, y1) */
	assert_close(v[ASSAY_M_ECE], (0.1 + 0.65 + 0.4 + 0.2) / 4, 1e-15);
	fx_free(&f);

	fx_init(&f, NULL, 0, 1, ASSAY_TASK_BINARY);
	for (int i = 0; i < 10; i++)
		assay_summary_add_binary(f.s, NULL, NULL, i % 3 == 0, 1, 0.5);
	fx_compute(&f);
	assert_close(f.r.slices[0].value[ASSAY_M_ROC_AUC], 0.5, 0);
	assert_close(f.r.slices[0].value[ASSAY_M_AVERAGE_PRECISION], 0.4, 1e-15); /* the base rate */
	fx_free(&f);
}

/* sklearn's regression example: y = [3, -0.5, 2, 7], p = [2.5, 0, 2, 8]:
 * MAE 0.5, RMSE sqrt(0.375), R2 0.9486081370449679. */
static void regression_small(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, NULL, 0, 0, ASSAY_TASK_REGRESSION);
	double y[] = {3, -0.5, 2, 7}, p[] = {2.5, 0.0, 2, 8};
	for (int i = 0; i < 4; i++)
		assay_summary_add_regression(f.s, NULL, NULL, y[i], p[i]);
	fx_compute(&f);
	const double *v = f.r.slices[0].value;
	assert_close(v[ASSAY_M_MAE], 0.5, 1e-15);
	assert_close(v[ASSAY_M_RMSE], sqrt(0.375), 1e-15);
	assert_close(v[ASSAY_M_R2], 0.94860813704496794, 1e-14);
	assert_close(v[ASSAY_M_MEAN_PREDICTION], 3.125, 1e-15);
	assert_close(v[ASSAY_M_MEAN_RESIDUAL], -0.25, 1e-15); /* residuals 0.5, -0.5, 0, -1 */
	fx_free(&f);
}

/* Hand-computed: cells TP 2, FP 1, TN 1, FN 1. b = yhat - y + 1 is
 * 0 (FN), 1 (TP, TN) or 2 (FP), mean 1: GEI(2) = (-1 + 3) / 5 / 2 = 0.2,
 * Theil = 2 ln 2 / 5 (AIF360's definitions). */
static void rates_and_entropy_by_hand(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	add_cells(f.s, "x", 2, 1, 1, 1);
	/* between groups: A has b = {1, 0} (mean 0.5), B has b = {2, 1} (mean 1.5) */
	add_cells(f.s, "A", 1, 0, 0, 1);
	add_cells(f.s, "B", 0, 1, 1, 0);
	fx_compute(&f);
	const double *v = slice(&f.r, "race=x")->value;
	assert_close(v[ASSAY_M_BASE_RATE], 3.0 / 5, 1e-15);
	assert_close(v[ASSAY_M_SELECTION_RATE], 3.0 / 5, 1e-15);
	assert_close(v[ASSAY_M_ACCURACY], 3.0 / 5, 1e-15);
	assert_close(v[ASSAY_M_F1], 4.0 / 6, 1e-15);
	assert_close(v[ASSAY_M_BALANCED_ACCURACY], (2.0 / 3 + 1.0 / 2) / 2, 1e-15);
	assert_close(v[ASSAY_M_PRECISION], 2.0 / 3, 1e-15);
	assert_close(v[ASSAY_M_TNR], 1.0 / 2, 1e-15);
	assert_close(v[ASSAY_M_GEI], 0.2, 1e-15);
	assert_close(v[ASSAY_M_THEIL], 2 * log(2.0) / 5, 1e-15);
	fx_free(&f);

	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	add_cells(f.s, "A", 1, 0, 0, 1);
	add_cells(f.s, "B", 0, 1, 1, 0);
	fx_compute(&f);
	assert_close(disparity(&f.r, 0, ASSAY_D_GEI_BETWEEN)->between, 0.125, 1e-15);
	assert_close(disparity(&f.r, 0, ASSAY_D_THEIL_BETWEEN)->between, (log(0.5) + 3 * log(1.5)) / 4,
	             1e-15);
	/* A: TPR 1/2, FPR 0 (0/0); B: TPR 0 (0/0), FPR 1/2: equalized odds difference 1/2 */
	assert_close(disparity(&f.r, 0, ASSAY_D_EQUALIZED_ODDS_DIFFERENCE)->between, 0.5, 1e-15);
	assert_close(disparity(&f.r, 0, ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN)->between, 0.5, 1e-15);
	/* ratio: min / max with a zero gives 0 */
	assert_close(disparity(&f.r, 0, ASSAY_D_EQUAL_OPPORTUNITY_RATIO)->between, 0.0, 0);
	fx_free(&f);
}

/* An empty intersection is not listed; a group of one class gets
 * 0-rates, not errors; the overall slice counts every row. */
static void intersections(void **state)
{
	(void)state;
	const char *const feats[] = {"race", "sex"};
	struct fixture f;
	fx_init(&f, feats, 2, 0, ASSAY_TASK_BINARY);
	const char *lv[2];
	uint32_t len[2];
	const char *rows[][2] = {{"A", "M"}, {"A", "F"}, {"B", "M"}, {"A", "M"}};
	for (int i = 0; i < 4; i++) {
		lv[0] = rows[i][0], lv[1] = rows[i][1];
		len[0] = 1, len[1] = 1;
		assay_summary_add_binary(f.s, lv, len, i & 1, 1, 0);
	}
	fx_compute(&f);
	assert_int_equal(f.r.nslicings, 3);
	assert_string_equal(f.r.slicings[2].name, "race & sex");
	assert_int_equal(f.r.slicings[2].count, 3); /* B & F never occurs */
	assert_int_equal(slice(&f.r, "race=A & sex=M")->n, 2);
	assert_int_equal(f.r.slices[0].n, 4);
	fx_free(&f);
}

/* Small groups are reported but left out of disparities. */
static void small_groups_excluded(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	f.p.min_group_size = 30;
	add_compas_cells(f.s);
	fx_compute(&f);
	assert_true(slice(&f.r, "race=Native American")->small);
	assert_false(slice(&f.r, "race=Asian")->small);
	assert_int_equal(f.r.slicings[0].excluded, 1);
	/* without Native American (SR 8/11) the max selection rate is African-American's */
	double dp = disparity(&f.r, 0, ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE)->between;
	assert_close(dp, 1829.0 / 3175.0 - 70.0 / 343.0, 1e-15);
	fx_free(&f);
}

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static void fill_random(struct assay_summary *all, struct assay_summary *a, struct assay_summary *b,
                        int regression)
{
	const char *groups[] = {"g0", "g1", "g2", "g3", "g4"};
	const char *ages[] = {"young", "old", "mid"};
	uint64_t st = 12345;
	for (int i = 0; i < 20000; i++) {
		const char *lv[2] = {groups[lcg(&st) % 5], ages[lcg(&st) % 3]};
		uint32_t len[2] = {(uint32_t)strlen(lv[0]), (uint32_t)strlen(lv[1])};
		struct assay_summary *half = lcg(&st) % 2 ? a : b;
		if (regression) {
			double y = (double)(lcg(&st) % 100000) / 7.0,
			       p = y + (double)(lcg(&st) % 1000) / 3.0 - 150;
			assay_summary_add_regression(all, lv, len, y, p);
			assay_summary_add_regression(half, lv, len, y, p);
		} else {
			double s = (double)(lcg(&st) % 1000) / 1000.0;
			int y = lcg(&st) % 1000 < s * 1000, yhat = s >= 0.5;
			assay_summary_add_binary(all, lv, len, y, yhat, s);
			assay_summary_add_binary(half, lv, len, y, yhat, s);
		}
	}
}

static void assert_reports_identical(const struct assay_eval_report *x, const struct assay_eval_report *y)
{
	assert_int_equal(x->nslices, y->nslices);
	for (size_t i = 0; i < x->nslices; i++) {
		assert_string_equal(x->slices[i].label, y->slices[i].label);
		assert_memory_equal(x->slices[i].value, y->slices[i].value, sizeof x->slices[i].value);
		assert_memory_equal(x->slices[i].ci, y->slices[i].ci, sizeof x->slices[i].ci);
	}
	assert_int_equal(x->ndisparities, y->ndisparities);
	for (size_t i = 0; i < x->ndisparities; i++)
		assert_memory_equal(&x->disparities[i], &y->disparities[i], sizeof x->disparities[i]);
}

/* eval(A u B) == eval(merge(summary(A), summary(B))), bit for bit,
 * intervals included, for classification with scores and for regression. */
static void merge_is_exact(void **state)
{
	(void)state;
	const char *const feats[] = {"group", "age"};
	for (int regression = 0; regression <= 1; regression++) {
		enum assay_task task = regression ? ASSAY_TASK_REGRESSION : ASSAY_TASK_BINARY;
		struct fixture whole, merged;
		struct assay_summary *other;
		struct assay_error err;
		fx_init(&whole, feats, 2, !regression, task);
		fx_init(&merged, feats, 2, !regression, task);
		assert_int_equal(assay_summary_new(&other, task, feats, 2, !regression, &err), 0);
		whole.p.ci_method = merged.p.ci_method = ASSAY_CI_BOOTSTRAP;
		whole.p.bootstrap = merged.p.bootstrap = 200;
		fill_random(whole.s, merged.s, other, regression);
		assert_int_equal(assay_summary_merge(merged.s, other, &err), 0);
		assay_summary_free(other);
		fx_compute(&whole);
		fx_compute(&merged);
		assert_reports_identical(&whole.r, &merged.r);
		fx_free(&whole);
		fx_free(&merged);
	}
}

/* AUC (pairs, ties one half) and average precision (scikit-learn's step
 * sum over distinct thresholds) by brute force over rows: the reference
 * the summary's walks must reproduce. rows with group g (or all: -1). */
struct srow {
	int g, y;
	double s;
};

static void brute_auc_ap(const struct srow *r, size_t n, int g, double *auc, double *ap)
{
	double pairs = 0, wins = 0, P = 0, sum = 0;
	for (size_t i = 0; i < n; i++) {
		if ((g >= 0 && r[i].g != g) || !r[i].y)
			continue;
		P++;
		double tp = 0, all = 0;
		for (size_t j = 0; j < n; j++) {
			if (g >= 0 && r[j].g != g)
				continue;
			if (!r[j].y) {
				pairs++;
				wins += r[i].s > r[j].s ? 1 : r[i].s == r[j].s ? 0.5 : 0;
			}
			if (r[j].s >= r[i].s) {
				all++;
				tp += r[j].y;
			}
		}
		sum += tp / all; /* each positive adds the precision at its score */
	}
	*auc = wins / pairs;
	*ap = sum / P;
}

/* Scores as a user writes them ("%.3g": short decimals, kept as 32-bit
 * rows), as a model emits them (full doubles such as 1/3, kept in a
 * table), and both mixed in one slice, with ties: AUC and average
 * precision of every slice equal the brute-force ones, whichever way the
 * scores are stored and whether the rows came through one summary or a
 * merge of two. */
static void score_storage_exact(void **state)
{
	(void)state;
	const char *const feats[] = {"group"};
	const char *names[] = {"group=a", "group=b", "group=c"};
	enum { N = 1500 };
	struct srow *rows = malloc(N * sizeof *rows);
	assert_non_null(rows);
	for (int mix = 0; mix < 3; mix++) {
		uint64_t st = 99 + (uint64_t)mix;
		struct fixture f;
		struct assay_summary *other;
		struct assay_error err;
		fx_init(&f, feats, 1, 1, ASSAY_TASK_BINARY);
		assert_int_equal(assay_summary_new(&other, ASSAY_TASK_BINARY, feats, 1, 1, &err), 0);
		for (int i = 0; i < N; i++) {
			int g = (int)(lcg(&st) % 3), k = (int)(lcg(&st) % 200);
			/* mix 0: short decimals; 1: thirds; 2: both, per row */
			int third = mix == 1 || (mix == 2 && lcg(&st) % 2);
			double s = third ? (k + 1.0 / 3) / 201.0 : k / 200.0;
			int y = (int)(lcg(&st) % 200) < k;
			rows[i] = (struct srow){g, y, s};
			const char *lv[1] = {names[g] + 6};
			uint32_t len[1] = {1};
			assay_summary_add_binary(i % 2 ? f.s : other, lv, len, y, s >= 0.5, s);
		}
		assert_int_equal(assay_summary_merge(f.s, other, &err), 0);
		assay_summary_free(other);
		fx_compute(&f);
		for (int g = -1; g < 3; g++) {
			double auc, ap;
			brute_auc_ap(rows, N, g, &auc, &ap);
			const struct assay_slice_result *sl = g < 0 ? &f.r.slices[0] : slice(&f.r, names[g]);
			assert_close(sl->value[ASSAY_M_ROC_AUC], auc, 1e-12);
			assert_close(sl->value[ASSAY_M_AVERAGE_PRECISION], ap, 1e-12);
		}
		fx_free(&f);
	}
	free(rows);
}

/* A core that stays busy for the first `left` polls. */
static int busy_for(void *ctx)
{
	return atomic_fetch_sub((atomic_int *)ctx, 1) > 0;
}

/* Same seed, same intervals; another seed, other intervals; and the
 * interval contains the point value for a large group. */
static void bootstrap_reproducible(void **state)
{
	(void)state;
	struct fixture f1, f2, f3;
	struct fixture *fs[] = {&f1, &f2, &f3};
	for (int i = 0; i < 3; i++) {
		fx_init(fs[i], RACE, 1, 0, ASSAY_TASK_BINARY);
		fs[i]->p.ci_method = ASSAY_CI_BOOTSTRAP;
		fs[i]->p.seed = i == 2 ? 7 : 42;
		add_compas_cells(fs[i]->s);
		fx_compute(fs[i]);
	}
	assert_reports_identical(&f1.r, &f2.r);
	/* any number of threads, and threads that wait for their core while
	 * others take the batches: the same bytes */
	for (int threads = 1; threads <= 5; threads += 2) {
		for (int polls = 0; polls <= 400; polls += 200) {
			struct fixture g;
			atomic_int left = polls;
			fx_init(&g, RACE, 1, 0, ASSAY_TASK_BINARY);
			g.p.ci_method = ASSAY_CI_BOOTSTRAP;
			g.p.bootstrap_threads = threads;
			g.p.bootstrap_busy = polls ? busy_for : NULL;
			g.p.bootstrap_busy_ctx = &left;
			add_compas_cells(g.s);
			fx_compute(&g);
			assert_reports_identical(&f1.r, &g.r);
			fx_free(&g);
		}
	}
	const struct assay_slice_result *a1 = slice(&f1.r, "race=African-American"),
	                                *a3 = slice(&f3.r, "race=African-American");
	assert_true(a1->ci[ASSAY_M_FPR].lo != a3->ci[ASSAY_M_FPR].lo ||
	            a1->ci[ASSAY_M_FPR].hi != a3->ci[ASSAY_M_FPR].hi);
	assert_true(a1->ci[ASSAY_M_FPR].lo < a1->value[ASSAY_M_FPR] &&
	            a1->value[ASSAY_M_FPR] < a1->ci[ASSAY_M_FPR].hi);
	/* the binomial standard error of 641/1514 is 0.0127: the 95% interval is about +-0.025 */
	double width = a1->ci[ASSAY_M_FPR].hi - a1->ci[ASSAY_M_FPR].lo;
	assert_true(width > 0.04 && width < 0.06);
	const struct assay_disparity_result *d = disparity(&f1.r, 0, ASSAY_D_DEMOGRAPHIC_PARITY_RATIO);
	assert_true(d->between_ci.lo < d->between && d->between < d->between_ci.hi);
	for (int i = 0; i < 3; i++)
		fx_free(fs[i]);
}

/* Wilson interval of 641/1514 at 95% (statsmodels' proportion_confint
 * method="wilson" uses the same formula). */
static void wilson_interval(void **state)
{
	(void)state;
	struct fixture f;
	fx_init(&f, RACE, 1, 0, ASSAY_TASK_BINARY);
	f.p.ci_method = ASSAY_CI_WILSON;
	add_cells(f.s, "African-American", 1188, 641, 873, 473);
	fx_compute(&f);
	const struct assay_slice_result *a = slice(&f.r, "race=African-American");
	assert_close(a->ci[ASSAY_M_FPR].lo, 0.3987181286125776, 1e-12);
	assert_close(a->ci[ASSAY_M_FPR].hi, 0.44843323317704215, 1e-12);
	fx_free(&f);
}

/* Exact summation: order does not matter, cancellation loses nothing. */
static void xsum_exact(void **state)
{
	(void)state;
	struct assay_xsum x;
	assay_xsum_init(&x);
	assay_xsum_add(&x, 1e100);
	assay_xsum_add(&x, 1.0);
	assay_xsum_add(&x, -1e100);
	assert_true(assay_xsum_value(&x) == 1.0);
	assay_xsum_init(&x);
	for (int i = 0; i < 10; i++)
		assay_xsum_add(&x, 0.1);
	assert_true(assay_xsum_value(&x) == 1.0); /* naive summation gives 0.9999999999999999 */
	assay_xsum_init(&x);
	assay_xsum_add(&x, -3.5);
	assay_xsum_add(&x, 5e-324);
	assay_xsum_add(&x, -5e-324);
	assert_true(assay_xsum_value(&x) == -3.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(compas_reference_values), cmocka_unit_test(compas_two_groups),
	    cmocka_unit_test(group_without_positives), cmocka_unit_test(score_metrics_small),
	    cmocka_unit_test(regression_small),        cmocka_unit_test(rates_and_entropy_by_hand),
	    cmocka_unit_test(intersections),           cmocka_unit_test(small_groups_excluded),
	    cmocka_unit_test(merge_is_exact),          cmocka_unit_test(bootstrap_reproducible),
	    cmocka_unit_test(wilson_interval),         cmocka_unit_test(xsum_exact),
	    cmocka_unit_test(score_storage_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
