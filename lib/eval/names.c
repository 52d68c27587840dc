/* names.c: the stable names of metrics, disparities, comparisons and check
 * statuses. These names are the vocabulary of plan files and of the JSON
 * schema (docs/schema-eval.md): never rename one, only add. They follow
 * Fairlearn's function names where Fairlearn has one. */
#include <string.h>

#include "assay/eval.h"

static const char *const metric_names[ASSAY_M__COUNT] = {
    [ASSAY_M_COUNT] = "count",
    [ASSAY_M_BASE_RATE] = "base_rate",
    [ASSAY_M_SELECTION_RATE] = "selection_rate",
    [ASSAY_M_ACCURACY] = "accuracy",
    [ASSAY_M_BALANCED_ACCURACY] = "balanced_accuracy",
    [ASSAY_M_PRECISION] = "precision",
    [ASSAY_M_RECALL] = "recall",
    [ASSAY_M_FPR] = "false_positive_rate",
    [ASSAY_M_FNR] = "false_negative_rate",
    [ASSAY_M_TNR] = "true_negative_rate",
    [ASSAY_M_F1] = "f1",
    [ASSAY_M_THEIL] = "theil_index",
    [ASSAY_M_GEI] = "generalized_entropy_index",
    [ASSAY_M_ROC_AUC] = "roc_auc",
    [ASSAY_M_AVERAGE_PRECISION] = "average_precision",
    [ASSAY_M_BRIER] = "brier_score",
    [ASSAY_M_LOG_LOSS] = "log_loss",
    [ASSAY_M_ECE] = "expected_calibration_error",
    [ASSAY_M_MAE] = "mae",
    [ASSAY_M_RMSE] = "rmse",
    [ASSAY_M_R2] = "r2",
    [ASSAY_M_MEAN_PREDICTION] = "mean_prediction",
    [ASSAY_M_MEAN_RESIDUAL] = "mean_residual",
};

/* Accepted in plans besides the canonical names. */
static const struct {
	const char *alias;
	enum assay_metric m;
} metric_aliases[] = {
    {"tpr", ASSAY_M_RECALL},  {"true_positive_rate", ASSAY_M_RECALL},
    {"fpr", ASSAY_M_FPR},     {"fnr", ASSAY_M_FNR},
    {"tnr", ASSAY_M_TNR},     {"ppv", ASSAY_M_PRECISION},
    {"auc", ASSAY_M_ROC_AUC}, {"ece", ASSAY_M_ECE},
    {"brier", ASSAY_M_BRIER}, {"ap", ASSAY_M_AVERAGE_PRECISION},
    {"gei", ASSAY_M_GEI},     {"theil", ASSAY_M_THEIL},
};

static const char *const disparity_names[ASSAY_D__COUNT] = {
    [ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE] = "demographic_parity_difference",
    [ASSAY_D_DEMOGRAPHIC_PARITY_RATIO] = "demographic_parity_ratio",
    [ASSAY_D_EQUALIZED_ODDS_DIFFERENCE] = "equalized_odds_difference",
    [ASSAY_D_EQUALIZED_ODDS_RATIO] = "equalized_odds_ratio",
    [ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN] = "equalized_odds_difference_mean",
    [ASSAY_D_EQUALIZED_ODDS_RATIO_MEAN] = "equalized_odds_ratio_mean",
    [ASSAY_D_EQUAL_OPPORTUNITY_DIFFERENCE] = "equal_opportunity_difference",
    [ASSAY_D_EQUAL_OPPORTUNITY_RATIO] = "equal_opportunity_ratio",
    [ASSAY_D_FPR_DIFFERENCE] = "false_positive_rate_difference",
    [ASSAY_D_FPR_RATIO] = "false_positive_rate_ratio",
    [ASSAY_D_FNR_DIFFERENCE] = "false_negative_rate_difference",
    [ASSAY_D_FNR_RATIO] = "false_negative_rate_ratio",
    [ASSAY_D_PREDICTIVE_PARITY_DIFFERENCE] = "predictive_parity_difference",
    [ASSAY_D_PREDICTIVE_PARITY_RATIO] = "predictive_parity_ratio",
    [ASSAY_D_ACCURACY_DIFFERENCE] = "accuracy_difference",
    [ASSAY_D_ACCURACY_RATIO] = "accuracy_ratio",
    [ASSAY_D_THEIL_BETWEEN] = "between_group_theil_index",
    [ASSAY_D_GEI_BETWEEN] = "between_group_generalized_entropy_index",
};

const char *assay_metric_name(enum assay_metric m)
{
	return (unsigned)m < ASSAY_M__COUNT ? metric_names[m] : "?";
}

int assay_metric_from_name(const char *name)
{
	for (int i = 0; i < ASSAY_M__COUNT; i++)
		if (strcmp(name, metric_names[i]) == 0)
			return i;
	for (size_t i = 0; i < sizeof metric_aliases / sizeof *metric_aliases; i++)
		if (strcmp(name, metric_aliases[i].alias) == 0)
			return (int)metric_aliases[i].m;
	return -1;
}

int assay_metric_is_rate(enum assay_metric m)
{
	switch (m) {
	case ASSAY_M_BASE_RATE:
	case ASSAY_M_SELECTION_RATE:
	case ASSAY_M_ACCURACY:
	case ASSAY_M_PRECISION:
	case ASSAY_M_RECALL:
	case ASSAY_M_FPR:
	case ASSAY_M_FNR:
	case ASSAY_M_TNR:
		return 1;
	default:
		return 0;
	}
}

const char *assay_disparity_name(enum assay_disparity d)
{
	return (unsigned)d < ASSAY_D__COUNT ? disparity_names[d] : "?";
}

int assay_disparity_from_name(const char *name)
{
	for (int i = 0; i < ASSAY_D__COUNT; i++)
		if (strcmp(name, disparity_names[i]) == 0)
			return i;
	return -1;
}

int assay_disparity_is_ratio(enum assay_disparity d)
{
	switch (d) {
	case ASSAY_D_DEMOGRAPHIC_PARITY_RATIO:
	case ASSAY_D_EQUALIZED_ODDS_RATIO:
	case ASSAY_D_EQUALIZED_ODDS_RATIO_MEAN:
	case ASSAY_D_EQUAL_OPPORTUNITY_RATIO:
	case ASSAY_D_FPR_RATIO:
	case ASSAY_D_FNR_RATIO:
	case ASSAY_D_PREDICTIVE_PARITY_RATIO:
	case ASSAY_D_ACCURACY_RATIO:
		return 1;
	default:
		return 0;
	}
}

const char *assay_cmp_symbol(enum assay_cmp c)
{
	static const char *const s[] = {">=", ">", "<=", "<", "==", "!="};
	return (unsigned)c < sizeof s / sizeof *s ? s[c] : "?";
}

const char *assay_check_status_name(enum assay_check_status st)
{
	static const char *const s[] = {"pass", "fail", "inconclusive"};
	return (unsigned)st < sizeof s / sizeof *s ? s[st] : "?";
}
