/* assay/drift.h: drift statistics between a reference and a current sample,
 * and the per-column drift report built from two profiles.
 *
 * Every statistic takes the two samples as exact sorted value -> count maps
 * (struct assay_numeric_map, struct assay_category_map from
 * assay/profile.h), so it gives the same number from raw data, from a stored
 * profile, or from merged shard profiles. assay_drift_compare also reads
 * the raw-key form of a profile built with raw_keys (docs/drift.md, "Large
 * columns without a sort"). The definitions follow scipy 1.10
 * and numpy 1.24 (the versions of ../shared/data/compas/DRIFT_REFERENCE.md)
 * and, in the *_evidently functions, Evidently 0.7; docs/drift.md states
 * every one of them (bins, epsilon for empty bins, log base, exact versus
 * asymptotic, ties).
 */
#ifndef ASSAY_DRIFT_H
#define ASSAY_DRIFT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/error.h"
#include "assay/profile.h"

/* ---- value maps ---------------------------------------------------------- */

uint64_t assay_numeric_map_total(const struct assay_numeric_map *m);
uint64_t assay_category_map_total(const struct assay_category_map *m);
/* Population mean and standard deviation (ddof = 0, numpy's np.std);
 * NaN for an empty map. */
double assay_numeric_map_mean(const struct assay_numeric_map *m);
double assay_numeric_map_std(const struct assay_numeric_map *m);
/* numpy.quantile(sample, q) with the default linear interpolation
 * (Hyndman-Fan type 7, numpy's _lerp); NaN for an empty map. */
double assay_numeric_map_quantile(const struct assay_numeric_map *m, double q);

/* ---- Kolmogorov-Smirnov ---------------------------------------------------- */

enum assay_ks_method {
	ASSAY_KS_AUTO = 0, /* exact when max(n1, n2) <= 10000, else asymptotic (scipy's 'auto') */
	ASSAY_KS_EXACT,    /* exact unless lcm(n1, n2) is too large or the computation fails */
	ASSAY_KS_ASYMP,    /* kstwo.sf(D, round(n1 n2 / (n1 + n2))) */
};

struct assay_ks {
	double d;      /* sup |F_ref - F_cur| over the merged support */
	double pvalue; /* two-sided */
	int exact;     /* 1 when the exact distribution was used */
	uint64_t n1, n2;
};

/* scipy.stats.ks_2samp(ref, cur, alternative='two-sided', method=...).
 * ASSAY_EINPUT when a sample is empty. */
int assay_ks_2samp(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                   enum assay_ks_method method, struct assay_ks *out, struct assay_error *err);
/* The exact two-sided p-value P(D_{n1,n2} >= h / lcm(n1, n2)) by Hodges'
 * lattice-path recursions (scipy's _attempt_exact_2kssamp). Returns 0 and
 * fills *p, or -1 when the computation is out of range (scipy then falls
 * back to the asymptotic distribution). */
int assay_ks_exact_pvalue(uint64_t n1, uint64_t n2, uint64_t h, double *p);
/* scipy.stats.kstwo.sf(d, n): survival function of the one-sample two-sided
 * Kolmogorov-Smirnov statistic (Simard and L'Ecuyer's method selection). */
double assay_kstwo_sf(double d, uint64_t n);
/* scipy.special.smirnov(n, d): P(D_n^+ >= d), the one-sided statistic. */
double assay_smirnov_sf(uint64_t n, double d);

/* ---- Wasserstein ----------------------------------------------------------- */

/* scipy.stats.wasserstein_distance(ref, cur): the integral of |F - G| over
 * the merged support (right-continuous ECDFs). NaN when a map is empty. */
double assay_wasserstein(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur);

/* ---- bins: two samples counted over the same bins or categories ------------ */

struct assay_bins {
	size_t n;            /* bins */
	double *lo, *hi;     /* numeric bins: [lo, hi) (a value bin has lo == hi); NULL for categories */
	int last_closed;     /* numeric: the last bin is [lo, hi] (numpy.histogram) */
	const char **name;   /* categories: pointers into the maps (not owned); NULL for numeric */
	const uint32_t *len; /* category byte lengths (owned array, names not owned) */
	uint64_t *ref, *cur; /* counts per bin */
	uint64_t nref, ncur; /* sample sizes: every value of both samples falls in some bin */
};

void assay_bins_free(struct assay_bins *b);

/* Reference quantile bins (DRIFT_REFERENCE.md): edges = the distinct values
 * of numpy.quantile(ref, [1/k, 2/k, ..., (k-1)/k]); a value v falls in bin i
 * where edges[i-1] <= v < edges[i] (numpy.searchsorted side='right'), so
 * there are (#edges + 1) bins, the outer ones open-ended. */
int assay_bins_ref_quantiles(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                             size_t k, struct assay_bins *out, struct assay_error *err);
/* numpy.histogram_bin_edges(concat(ref, cur), bins='sturges'), then
 * numpy.histogram(sample, edges) (last bin closed on the right). */
int assay_bins_sturges(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                       struct assay_bins *out, struct assay_error *err);
/* One bin per distinct value of ref ∪ cur (Evidently's rule for numeric
 * columns whose reference has at most 20 distinct values). */
int assay_bins_values(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                      struct assay_bins *out, struct assay_error *err);
/* Evidently's get_binned_data for numeric columns: Sturges over ref ∪ cur
 * when the reference has more than 20 distinct values, else per value. */
int assay_bins_evidently(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         struct assay_bins *out, struct assay_error *err);
/* One bin per category of ref ∪ cur, in bytewise order. */
int assay_bins_categories(const struct assay_category_map *ref, const struct assay_category_map *cur,
                          struct assay_bins *out, struct assay_error *err);

/* ---- divergences on shares --------------------------------------------------- */

/* share[i] = count[i] / total (0 when total is 0). */
void assay_shares(const uint64_t *count, size_t n, uint64_t total, double *share);
/* Shares that are exactly 0 become eps (no renormalisation). */
void assay_fill_zeros(double *share, size_t n, double eps);
/* Evidently's zero fill: m = the smallest non-zero share; zeros become
 * m / 1e6 when m <= 1e-4, else 1e-4 (no renormalisation). */
void assay_fill_zeros_evidently(double *share, size_t n);

/* PSI = sum (cur - ref) ln(cur / ref), on shares already zero-filled. */
double assay_psi(const double *ref, const double *cur, size_t n);
/* scipy.spatial.distance.jensenshannon(p, q, base): p and q normalised to
 * sum 1, m = (p + q) / 2, sqrt((KL(p, m) + KL(q, m)) / 2 / ln(base));
 * base <= 0 means natural log. */
double assay_js_distance(const double *p, const double *q, size_t n, double base);
/* scipy.stats.entropy(p, q, base): KL(p || q) after normalising both;
 * +inf when q is 0 where p is not. base <= 0 means natural log. */
double assay_kl_divergence(const double *p, const double *q, size_t n, double base);
/* Hellinger distance sqrt(sum (sqrt p - sqrt q)^2 / 2) of the normalised
 * shares, in [0, 1]. */
double assay_hellinger(const double *p, const double *q, size_t n);
/* numpy's pairwise summation (np.sum's order for contiguous float64). */
double assay_sum_pairwise(const double *a, size_t n);

/* ---- tests on counts --------------------------------------------------------- */

struct assay_chi2 {
	double stat, pvalue;
	uint64_t dof;
};

/* scipy.stats.chi2_contingency on the 2 x k table [ref; cur]: expected
 * counts from the margins, Yates' correction when dof == 1 and `yates`,
 * p = chi2.sf(stat, dof); dof 0 gives stat 0, p 1. ASSAY_EINPUT when a
 * sample is empty or a category is empty in both. */
int assay_chi2_contingency(const uint64_t *ref, const uint64_t *cur, size_t k, int yates,
                           struct assay_chi2 *out, struct assay_error *err);
/* Evidently's chisquare stattest: scipy.stats.chisquare(f_obs = cur,
 * f_exp = ref * n_cur / n_ref), dof = k - 1 (a category absent from the
 * reference gives stat +inf, p 0). */
int assay_chi2_gof_evidently(const uint64_t *ref, const uint64_t *cur, size_t k, struct assay_chi2 *out,
                             struct assay_error *err);
/* Evidently's z stattest: pooled two-proportion z of "first category" vs
 * the rest, p = 2 (1 - Phi(|z|)); both samples constant and equal: p = 1.
 * Needs k <= 2. */
int assay_ztest_proportions(const uint64_t *ref, const uint64_t *cur, size_t k, double *z, double *p,
                            struct assay_error *err);

/* Upper tail of the chi-square distribution, chi2.sf(x, dof). */
double assay_chi2_sf(double x, double dof);

/* ---- the drift report: two profiles compared column by column -------------- */

enum assay_drift_method {
	ASSAY_DRIFT_AUTO = 0,    /* by column type and size (docs/drift.md) */
	ASSAY_DRIFT_KS,          /* p-value, drift when p <= threshold (0.05) */
	ASSAY_DRIFT_CHI2,        /* contingency (GOF in Evidently mode) p, drift when p < threshold (0.05) */
	ASSAY_DRIFT_Z,           /* two-proportion z p, drift when p < threshold (0.05) */
	ASSAY_DRIFT_PSI,         /* drift when PSI >= threshold (0.1) */
	ASSAY_DRIFT_JS,          /* Jensen-Shannon distance >= threshold (0.1) */
	ASSAY_DRIFT_WASSERSTEIN, /* Wasserstein / max(std(ref), 0.001) >= threshold (0.1) */
	ASSAY_DRIFT_KL,          /* KL divergence >= threshold (0.1) */
	ASSAY_DRIFT_HELLINGER,   /* Hellinger distance >= threshold (0.1) */
};

/* "ks", "chi2" (also "chisquare"), "z", "psi", "js" (also "jensenshannon"),
 * "wasserstein", "kl", "hellinger", "auto"; -1 when unknown. */
int assay_drift_method_from_name(const char *name);
const char *assay_drift_method_name(enum assay_drift_method m);
/* 1 when the method's statistic is a p-value (drift when small). */
int assay_drift_method_is_test(enum assay_drift_method m);

struct assay_drift_override {
	const char *column;
	enum assay_drift_method method;
	double threshold; /* NaN: the method's default (or --threshold) */
};

struct assay_drift_params {
	enum assay_drift_method method; /* all columns (AUTO: by type and size) */
	double threshold;               /* NaN: each method's default */
	double drift_share;             /* dataset drift when drifted/compared >= this (0.5) */
	int evidently;                  /* --compat evidently (Evidently 0.7 defaults) */
	double js_base;                 /* 2 (default) or e; 0 = natural log */
	size_t quantile_bins;           /* reference quantile bins for PSI/JS (10) */
	const char *label, *pred;       /* label and prediction columns (drift reported apart) */
	const struct assay_drift_override *overrides;
	size_t noverrides;
	const char *const *columns; /* compare only these (NULL: all) */
	size_t ncolumns;
	/* Added for speed (docs/drift.md, "What is computed"); both 1 in
	 * assay_drift_params_default. all_statistics 0: Wasserstein (raw and
	 * normalised) only when it decides or in Evidently mode, else NaN; KS,
	 * PSI, JS, KL, Hellinger, chi-square and z as always. histogram 0: no
	 * display histogram (hist.n = 0; text, Markdown and JUnit do not show
	 * it). */
	int all_statistics;
	int histogram;
	/* Optional: the reference's own statistics computed ahead by
	 * assay_drift_ref_stats_new (same reference profile, same params);
	 * NULL: computed in the comparison. The report is the same bytes. */
	const struct assay_drift_ref_stats *ref_stats;
};

void assay_drift_params_default(struct assay_drift_params *p);

/* The parts of a comparison that depend on the reference alone, for each
 * exact numeric column the params select: its standard deviation (the
 * Wasserstein normalisation) and its reference-quantile bin edges. A
 * caller that holds the reference before the current data (a stored
 * profile) can compute them while the current data are still being read,
 * where the read leaves a core idle at its end, and pass them in
 * params.ref_stats; they must not outlive the reference profile. Returns 0,
 * or ASSAY_ENOMEM (then *out is NULL and the comparison computes them). */
struct assay_drift_ref_stats;
int assay_drift_ref_stats_new(const struct assay_profile *ref, const struct assay_drift_params *p,
                              struct assay_drift_ref_stats **out, struct assay_error *err);
void assay_drift_ref_stats_free(struct assay_drift_ref_stats *s);

enum assay_drift_status {
	ASSAY_DRIFT_COMPARED = 0,
	ASSAY_DRIFT_ADDED,    /* only in the current data */
	ASSAY_DRIFT_REMOVED,  /* only in the reference */
	ASSAY_DRIFT_RETYPED,  /* numeric on one side, categorical on the other: compared as categories */
	ASSAY_DRIFT_EMPTY,    /* no value on one side: not compared */
	ASSAY_DRIFT_WITHHELD, /* values withheld on a side (personal data, --private): not compared */
};

/* Statuses with no comparison behind them (no method, no statistic). */
static inline int assay_drift_not_compared(enum assay_drift_status s)
{
	return s == ASSAY_DRIFT_EMPTY || s == ASSAY_DRIFT_WITHHELD;
}

struct assay_drift_column {
	char *name;
	int role; /* 0 feature, 1 label, 2 prediction */
	enum assay_drift_status status;
	enum assay_column_type ref_type, cur_type;
	int categorical; /* compared as categories */
	enum assay_drift_method method;
	double threshold, statistic; /* the deciding method's */
	int drifted, approximate;
	uint64_t nref, ncur; /* present values compared */
	/* every statistic computed for the column (NaN when not applicable) */
	double ks_d, ks_p;
	int ks_exact;
	double wasserstein, wasserstein_norm, psi, js, kl, hellinger;
	double chi2, chi2_p;
	uint64_t chi2_dof;
	double z, z_p;
	/* histogram for display: Sturges bins over ref ∪ cur (numeric) or the
	 * categories (names owned by the report) */
	struct assay_bins hist;
	size_t nnew, nvanished;         /* categories only in current / only in reference */
	char **new_cat, **vanished_cat; /* the first ASSAY_DRIFT_MAX_NAMED of each */
	char note[256];
	/* Added with the approximate KS rule (docs/drift.md): when a side is a
	 * sketch, KS D is known only within +-ks_d_error, so no p-value is
	 * reported; the column drifts when D - ks_d_error > ks_critical (the
	 * asymptotic critical D at the threshold level), is stable when
	 * D + ks_d_error <= ks_critical, and is inconclusive otherwise (also
	 * for chi-square and z tests on approximate counts). */
	int inconclusive;
	double ks_d_error;  /* NaN when D is exact */
	double ks_critical; /* NaN unless the approximate rule was applied */
};

#define ASSAY_DRIFT_MAX_NAMED 50

struct assay_drift_input {
	char *path, sha256[65];
	uint64_t rows;
	int is_profile;
};

struct assay_drift_report {
	struct assay_drift_params params; /* overrides not kept */
	struct assay_drift_input ref, cur;
	size_t ncolumns;
	struct assay_drift_column *columns;
	size_t ncompared, ndrifted; /* features only (label and prediction apart) */
	double share;
	int dataset_drift;
	int label_drift, pred_drift; /* -1 when not named or not comparable */
	size_t nadded, nremoved, nretyped;
	size_t ninconclusive; /* features whose test on sketches decided nothing */
};

/* The asymptotic two-sample Kolmogorov-Smirnov critical value: the D with
 * P(D_{n1,n2} > D) = alpha under the Kolmogorov limit distribution,
 * c(alpha) sqrt((n1 + n2) / (n1 n2)). NaN when alpha is not in (0, 1) or a
 * sample is empty. */
double assay_ks_critical_d(uint64_t n1, uint64_t n2, double alpha);

/* Compare two profiles. Columns are taken in the reference's order, then
 * the columns only in the current profile. ASSAY_EUSAGE when an override,
 * --label or --pred names no column of either profile. */
int assay_drift_compare(const struct assay_profile *ref, const struct assay_profile *cur,
                        const struct assay_drift_params *params, struct assay_drift_report **out,
                        struct assay_error *err);
void assay_drift_report_free(struct assay_drift_report *r);
/* 1 when the run detects drift: dataset drift, label or prediction drift. */
int assay_drift_detected(const struct assay_drift_report *r);

/* Renderers (lib/report/drift_*.c): format is an enum assay_report_format
 * (text, json, md, html, junit). */
int assay_report_drift(const struct assay_drift_report *r, int format, FILE *out, struct assay_error *err);

#endif
