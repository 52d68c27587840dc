/* assay/eval.h: model evaluation by slice, fairness disparities, intervals
 * and plan checks, computed from a summary (assay/summary.h).
 *
 * Definitions follow Fairlearn 0.15 (rates as one division of integer
 * counts, 0/0 -> 0 as sklearn's confusion_matrix(normalize="true"),
 * difference = max - min, ratio = min / max, to_overall variants) and
 * scikit-learn (roc_auc_score with ties averaged, average_precision_score,
 * brier_score_loss, log_loss); AIF360 for the generalized entropy and
 * Theil indices. docs/metrics.md states every formula and edge case.
 */
#ifndef ASSAY_EVAL_H
#define ASSAY_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/source.h"
#include "assay/summary.h"

/* Per-slice metrics. Values are NaN where a metric does not apply (no score,
 * wrong task) or is undefined (AUC of a slice with one class). */
enum assay_metric {
	ASSAY_M_COUNT = 0,
	ASSAY_M_BASE_RATE,
	ASSAY_M_SELECTION_RATE,
	ASSAY_M_ACCURACY,
	ASSAY_M_BALANCED_ACCURACY,
	ASSAY_M_PRECISION,
	ASSAY_M_RECALL, /* = TPR */
	ASSAY_M_FPR,
	ASSAY_M_FNR,
	ASSAY_M_TNR,
	ASSAY_M_F1,
	ASSAY_M_THEIL, /* AIF360 theil_index within the slice (b = yhat - y + 1) */
	ASSAY_M_GEI,   /* AIF360 generalized_entropy_index, alpha = 2 */
	ASSAY_M_ROC_AUC,
	ASSAY_M_AVERAGE_PRECISION,
	ASSAY_M_BRIER,
	ASSAY_M_LOG_LOSS,
	ASSAY_M_ECE, /* 10 equal-width bins */
	ASSAY_M_MAE,
	ASSAY_M_RMSE,
	ASSAY_M_R2,
	ASSAY_M_MEAN_PREDICTION,
	ASSAY_M_MEAN_RESIDUAL,
	ASSAY_M__COUNT
};

/* Disparities over the groups of one slicing (a feature, or the
 * intersection of all features). */
enum assay_disparity {
	ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE = 0,
	ASSAY_D_DEMOGRAPHIC_PARITY_RATIO,
	ASSAY_D_EQUALIZED_ODDS_DIFFERENCE, /* worst case of TPR and FPR */
	ASSAY_D_EQUALIZED_ODDS_RATIO,
	ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN, /* agg="mean" (average odds) */
	ASSAY_D_EQUALIZED_ODDS_RATIO_MEAN,
	ASSAY_D_EQUAL_OPPORTUNITY_DIFFERENCE,
	ASSAY_D_EQUAL_OPPORTUNITY_RATIO,
	ASSAY_D_FPR_DIFFERENCE,
	ASSAY_D_FPR_RATIO,
	ASSAY_D_FNR_DIFFERENCE,
	ASSAY_D_FNR_RATIO,
	ASSAY_D_PREDICTIVE_PARITY_DIFFERENCE, /* precision */
	ASSAY_D_PREDICTIVE_PARITY_RATIO,
	ASSAY_D_ACCURACY_DIFFERENCE,
	ASSAY_D_ACCURACY_RATIO,
	ASSAY_D_THEIL_BETWEEN, /* AIF360 between-group Theil index (between only) */
	ASSAY_D_GEI_BETWEEN,   /* AIF360 between-group GEI, alpha = 2 */
	ASSAY_D__COUNT
};

enum assay_ci_method { ASSAY_CI_BOOTSTRAP = 0, ASSAY_CI_WILSON, ASSAY_CI_NONE };
enum assay_check_status { ASSAY_CHECK_PASS = 0, ASSAY_CHECK_FAIL, ASSAY_CHECK_INCONCLUSIVE };
enum assay_cmp { ASSAY_CMP_GE = 0, ASSAY_CMP_GT, ASSAY_CMP_LE, ASSAY_CMP_LT, ASSAY_CMP_EQ, ASSAY_CMP_NE };

const char *assay_metric_name(enum assay_metric m);       /* "selection_rate" */
int assay_metric_from_name(const char *name);             /* -1 if unknown */
int assay_metric_is_rate(enum assay_metric m);            /* a proportion of counts (Wilson applies) */
const char *assay_disparity_name(enum assay_disparity d); /* "demographic_parity_ratio" */
int assay_disparity_from_name(const char *name);          /* -1 if unknown */
int assay_disparity_is_ratio(enum assay_disparity d);
const char *assay_cmp_symbol(enum assay_cmp c);
const char *assay_check_status_name(enum assay_check_status s); /* "pass" "fail" "inconclusive" */

struct assay_interval {
	double lo, hi; /* NaN, NaN when not computed */
};

/* Wilson score interval for k successes in n at normal quantile z
 * (1.959964 for 95%); NaN, NaN when n = 0. */
struct assay_interval assay_wilson_interval(uint64_t k, uint64_t n, double z);

struct assay_slice_result {
	const char *label; /* "(all)", "race=Asian", "race=Asian & sex=Male" */
	int slicing;       /* index into report->slicings, -1 for the overall slice */
	size_t nparts;     /* number of feature=level parts (0 for overall) */
	const char *const *part_feature;
	const char *const *part_level;
	uint64_t n;
	struct assay_cells cells;
	int small; /* n < min_group_size: shown, excluded from disparities */
	double value[ASSAY_M__COUNT];
	struct assay_interval ci[ASSAY_M__COUNT];
};

struct assay_slicing {
	const char *name;    /* "race", or "race & sex" for the intersection */
	size_t first, count; /* its groups: slices[first .. first + count) */
	size_t excluded;     /* groups left out of disparities as too small */
};

struct assay_disparity_result {
	enum assay_disparity kind;
	int slicing;
	double between, to_overall; /* to_overall NaN for the *_BETWEEN indices */
	struct assay_interval between_ci, to_overall_ci;
};

/* Disparate impact: each group's selection rate over the reference group's,
 * with the four-fifths rule (ratio >= 0.8). */
struct assay_di_result {
	int slicing;
	size_t reference_slice; /* index into slices */
	size_t slice;           /* index into slices */
	double ratio;
	struct assay_interval ci;
	int passes_four_fifths;
};

struct assay_check_result {
	const char *name; /* given in the plan, or the expression */
	const char *expr; /* "demographic_parity_ratio >= 0.8" */
	const char *plan_file;
	uint64_t plan_line;
	enum assay_check_status status;
	const char *subject; /* what was judged: "race, between_groups", "race=Asian" */
	double value;        /* the deciding value (worst group for [feature=*]) */
	struct assay_interval ci;
	enum assay_cmp cmp;
	double threshold;
	const char *message; /* one readable sentence on why */
};

struct assay_input_info {
	const char *role; /* "data", "plan" */
	const char *path;
	char sha256[65];
	uint64_t rows, bytes; /* rows 0 for a plan */
};

struct assay_eval_params {
	enum assay_task task;
	const char *label, *pred, *score;
	const char *const *sensitive;
	size_t nsensitive;
	const char *pos_label; /* NULL: 1/true */
	const char *pred_from; /* "score_text in [Medium,High]" or NULL */
	double threshold;      /* NaN unless --threshold */
	const char *const *where;
	size_t nwhere;
	uint64_t min_group_size; /* default 30 */
	int include_small;       /* keep small groups in disparities */
	enum assay_ci_method ci_method;
	uint32_t bootstrap;    /* B, default 1000 */
	int bootstrap_threads; /* 0: one per core */
	/* Optional: while this returns 1, the bootstrap's threads beyond the
	 * first wait (their core is busy: cmd_eval passes the input's hash,
	 * which may still run), then join in for what is left. */
	int (*bootstrap_busy)(void *ctx);
	void *bootstrap_busy_ctx;
	uint64_t seed;               /* default 42 */
	double confidence;           /* default 0.95 */
	const char *reference_group; /* "race=Caucasian" for disparate impact, NULL: largest group */
	int inconclusive_fails;      /* 1 (default): inconclusive counts as a failure */
	int drop_na;                 /* drop rows with a missing label, prediction or score */
	double score_lo, score_hi; /* --score-range: scores on [lo, hi] map linearly to [0, 1]; NaN: unset */
};

struct assay_eval_report {
	const char *schema; /* "assay.eval/1" */
	const char *tool_version;
	const char *generated_at; /* RFC 3339 UTC; SOURCE_DATE_EPOCH when set */
	struct assay_eval_params params;
	size_t ninputs;
	const struct assay_input_info *inputs;
	uint64_t rows_read, rows_used, rows_filtered, rows_na_sensitive, rows_na_dropped;
	size_t nslices;
	const struct assay_slice_result *slices; /* slices[0] is overall */
	size_t nslicings;
	const struct assay_slicing *slicings;
	size_t ndisparities;
	const struct assay_disparity_result *disparities;
	size_t ndi;
	const struct assay_di_result *di;
	size_t nchecks;
	const struct assay_check_result *checks;
	size_t nwarnings;
	const char *const *warnings;
	int passed; /* all checks pass under the inconclusive policy */
};

/* Defaults: binary task, min_group_size 30, bootstrap B = 1000, seed 42,
 * confidence 0.95, threshold NaN, inconclusive checks fail. */
void assay_eval_params_init(struct assay_eval_params *p);

/* Fill r's slices, slicings, disparities, disparate impact and intervals
 * from summary s (frozen here). Everything r points to lives in arena a.
 * r's inputs, rows, checks and warnings are left for the caller (and
 * assay_plan_run) to fill; existing warnings are kept and added to. */
int assay_eval_compute(struct assay_summary *s, const struct assay_eval_params *p, struct assay_arena *a,
                       struct assay_eval_report *r, struct assay_error *err);

struct assay_eval_scan_stats {
	uint64_t rows_read, rows_used, rows_filtered, rows_na_sensitive, rows_na_dropped;
	struct assay_source_stats source;
	struct assay_source_pending *pending; /* after _start: the input's hash, still running */
};

/* Read src once into a summary: resolve the label, prediction, score and
 * sensitive columns, apply --where filters, derive predictions
 * (--pred-from, --threshold), validate every value (binary labels, scores
 * in [0, 1]) with located errors. Rows whose sensitive value is missing
 * form the group "(missing)". *out is the caller's to free. */
int assay_eval_summarize(struct assay_source *src, const struct assay_eval_params *p,
                         struct assay_summary **out, struct assay_eval_scan_stats *stats,
                         struct assay_error *err);
/* The same, returning once every row is summarized: stats->source (the
 * input's sha256 and counts) comes from assay_eval_scan_finish(), which
 * must follow; work between the two (assay_eval_compute, the bootstrap)
 * runs beside the end of the input's hash. */
int assay_eval_summarize_start(struct assay_source *src, const struct assay_eval_params *p,
                               struct assay_summary **out, struct assay_eval_scan_stats *stats,
                               struct assay_error *err);
int assay_eval_scan_finish(struct assay_eval_scan_stats *stats, struct assay_error *err);

#endif
