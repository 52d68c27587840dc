/* drift.c: per-column drift between a reference and a current profile, and
 * the dataset verdict (assay/drift.h).
 *
 * For each column present in both profiles every applicable statistic is
 * computed from the exact value maps (ks.c, divergence.c, binning.c,
 * chi2.c; the default numeric statistics from one merge walk, walk.c, with
 * the same bits; or, for large columns of short decimals in any form, by
 * buckets without a sort, bucket.c: the same bits but for Wasserstein-1
 * and the reference's std, which are exact there before rounding), and one
 * method decides drift:
 * - default: numeric -> KS p-value (drift when p <= 0.05); categorical ->
 *   chi-square contingency p (drift when p < 0.05); PSI and JS on 10
 *   reference quantile bins (numeric) or the categories, 1e-4 zero fill
 *   for PSI, JS in base 2;
 * - --compat evidently: Evidently 0.7's _get_default_stattest: n_values =
 *   distinct values of ref ∪ cur, N = reference size; numeric with
 *   n_values <= 5 and categorical: chi-square goodness of fit (n_values >
 *   2) or z (else) when N <= 1000, JS (natural log, Evidently bins, no zero
 *   fill) when N > 1000; numeric with n_values > 5: KS when N <= 1000, else
 *   Wasserstein / max(std(ref), 0.001) (threshold 0.1). Integer-valued
 *   numeric columns with at most 10 distinct reference values are
 *   categorical (Evidently's type inference); PSI and KL use Evidently's
 *   bins and zero fill.
 * Dataset drift: drifted / compared feature columns >= drift_share (0.5),
 * the label and prediction columns reported apart. Columns past the
 * profile's exact cap are compared on 1000 KLL quantiles (numeric) or the
 * top-k values plus an "(other)" bucket (categorical), and flagged
 * approximate; there a test reports no p-value: KS decides on D +- its
 * rank error against the critical D (drift, no drift or inconclusive;
 * the maps and that test: colmaps.c),
 * chi-square and z are inconclusive. Columns are compared in parallel (one
 * thread per core); each writes only its own slot, so the report does not
 * depend on the thread count. Not here: text columns (Evidently's text drift), Doane bins.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/drift.h"
#include "assay/kll.h"
#include "assay/topk.h"
#include "assay/radix.h"
#include "drift_internal.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

static const char *const METHOD_NAMES[] = {
    [ASSAY_DRIFT_AUTO] = "auto",
    [ASSAY_DRIFT_KS] = "ks",
    [ASSAY_DRIFT_CHI2] = "chi2",
    [ASSAY_DRIFT_Z] = "z",
    [ASSAY_DRIFT_PSI] = "psi",
    [ASSAY_DRIFT_JS] = "js",
    [ASSAY_DRIFT_WASSERSTEIN] = "wasserstein",
    [ASSAY_DRIFT_KL] = "kl",
    [ASSAY_DRIFT_HELLINGER] = "hellinger",
};
#define NMETHODS (sizeof METHOD_NAMES / sizeof *METHOD_NAMES)

int assay_drift_method_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < NMETHODS; i++)
		if (strcmp(name, METHOD_NAMES[i]) == 0)
			return (int)i;
	if (strcmp(name, "chisquare") == 0)
		return ASSAY_DRIFT_CHI2;
	if (strcmp(name, "jensenshannon") == 0)
		return ASSAY_DRIFT_JS;
	if (strcmp(name, "kl_div") == 0)
		return ASSAY_DRIFT_KL;
	return -1;
}

const char *assay_drift_method_name(enum assay_drift_method m)
{
	return (unsigned)m < NMETHODS ? METHOD_NAMES[m] : "?";
}

int assay_drift_method_is_test(enum assay_drift_method m)
{
	return m == ASSAY_DRIFT_KS || m == ASSAY_DRIFT_CHI2 || m == ASSAY_DRIFT_Z;
}

static double default_threshold(enum assay_drift_method m)
{
	return assay_drift_method_is_test(m) ? 0.05 : 0.1;
}

void assay_drift_params_default(struct assay_drift_params *p)
{
	memset(p, 0, sizeof *p);
	p->method = ASSAY_DRIFT_AUTO;
	p->threshold = NAN;
	p->drift_share = 0.5;
	p->js_base = 2;
	p->quantile_bins = 10;
	p->all_statistics = 1;
	p->histogram = 1;
}

/* ---- one column ------------------------------------------------------------------ */

static void nan_stats(struct assay_drift_column *d)
{
	d->ks_d_error = d->ks_critical = NAN;
	d->ks_d = d->ks_p = d->wasserstein = d->wasserstein_norm = d->psi = d->js = d->kl = d->hellinger =
	    NAN;
	d->chi2 = d->chi2_p = d->z = d->z_p = d->statistic = d->threshold = NAN;
}

/* PSI, JS, KL, Hellinger on bins, with the mode's zero fill and base. */
static int divergences(const struct assay_bins *b, const struct assay_drift_params *p,
                       struct assay_drift_column *d)
{
	double *r = malloc((b->n ? b->n : 1) * 2 * sizeof *r);
	if (!r)
		return -1;
	double *c = r + b->n;
	assay_shares(b->ref, b->n, b->nref, r);
	assay_shares(b->cur, b->n, b->ncur, c);
	d->js = assay_js_distance(r, c, b->n, p->evidently ? 0 : p->js_base);
	d->hellinger = assay_hellinger(r, c, b->n);
	if (p->evidently) {
		assay_fill_zeros_evidently(r, b->n);
		assay_fill_zeros_evidently(c, b->n);
	} else {
		assay_fill_zeros(r, b->n, 1e-4);
		assay_fill_zeros(c, b->n, 1e-4);
	}
	d->psi = assay_psi(r, c, b->n);
	d->kl = assay_kl_divergence(r, c, b->n, 0);
	free(r);
	return 0;
}

static int copy_names(struct assay_bins *b)
{
	if (!b->name)
		return 0;
	for (size_t i = 0; i < b->n; i++) {
		char *s = strndup(b->name[i], b->len[i]);
		if (!s) {
			for (size_t j = 0; j < i; j++)
				free((char *)b->name[j]);
			b->n = 0;
			return -1;
		}
		b->name[i] = s;
	}
	return 0;
}

static void free_names(struct assay_bins *b)
{
	if (b->name)
		for (size_t i = 0; i < b->n; i++)
			free((char *)b->name[i]);
}

static int record_new_vanished(const struct assay_bins *b, struct assay_drift_column *d)
{
	d->new_cat = calloc(ASSAY_DRIFT_MAX_NAMED, sizeof *d->new_cat);
	d->vanished_cat = calloc(ASSAY_DRIFT_MAX_NAMED, sizeof *d->vanished_cat);
	if (!d->new_cat || !d->vanished_cat)
		return -1;
	size_t kn = 0, kv = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->ref[i] == 0 && b->cur[i] > 0) {
			if (kn < ASSAY_DRIFT_MAX_NAMED && !(d->new_cat[kn++] = strdup(b->name[i])))
				return -1;
			d->nnew++;
		}
		if (b->cur[i] == 0 && b->ref[i] > 0) {
			if (kv < ASSAY_DRIFT_MAX_NAMED && !(d->vanished_cat[kv++] = strdup(b->name[i])))
				return -1;
			d->nvanished++;
		}
	}
	return 0;
}

static enum assay_drift_method evidently_method(int categorical, size_t nvalues, uint64_t nref)
{
	if (categorical || nvalues <= 5) {
		if (nref <= 1000)
			return nvalues > 2 ? ASSAY_DRIFT_CHI2 : ASSAY_DRIFT_Z;
		return ASSAY_DRIFT_JS;
	}
	return nref <= 1000 ? ASSAY_DRIFT_KS : ASSAY_DRIFT_WASSERSTEIN;
}

static double method_statistic(const struct assay_drift_column *d, enum assay_drift_method m)
{
	switch (m) {
	case ASSAY_DRIFT_KS:
		return d->ks_p;
	case ASSAY_DRIFT_CHI2:
		return d->chi2_p;
	case ASSAY_DRIFT_Z:
		return d->z_p;
	case ASSAY_DRIFT_PSI:
		return d->psi;
	case ASSAY_DRIFT_JS:
		return d->js;
	case ASSAY_DRIFT_WASSERSTEIN:
		return d->wasserstein_norm;
	case ASSAY_DRIFT_KL:
		return d->kl;
	case ASSAY_DRIFT_HELLINGER:
		return d->hellinger;
	case ASSAY_DRIFT_AUTO:
		break;
	}
	return NAN;
}

/* The default numeric comparison of two large columns of decimal keys,
 * without a sort (bucket.c): the same statistics as numeric_in_one_walk,
 * the same bits but for Wasserstein-1 (exact, rounded) and the std
 * (key_std.c; drift_ref_std gives it on every path). */
static int numeric_by_buckets(const struct assay_numeric_map *rm, const struct assay_numeric_map *cm,
                              const struct assay_drift_params *p, const struct assay_drift_override *ov,
                              const struct drift_ref_col *pre, struct assay_drift_column *d,
                              struct assay_error *err)
{
	enum assay_drift_method want = ov ? ov->method : p->method;
	uint64_t n1 = assay_numeric_map_total(rm), n2 = assay_numeric_map_total(cm);
	double *se = NULL;
	size_t nsb = 0, k = p->quantile_bins < 1 ? 1 : p->quantile_bins;
	int rc;
	if (p->histogram) {
		double lo, hi;
		drift_bucket_range(rm, cm, &lo, &hi);
		if ((rc = drift_sturges_edges_of(lo, hi, n1, n2, &d->hist, &se, &nsb, err)))
			return rc;
	}
	uint64_t *qc = calloc(2 * (k + 1), sizeof *qc);
	if (!qc) {
		free(se);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	struct drift_bucket w = {.k = k,
	                         .qe = pre ? pre->qe : NULL,
	                         .nqe = pre ? pre->nqe : 0,
	                         .se = se,
	                         .nsb = nsb,
	                         .qref = qc,
	                         .qcur = qc + k + 1,
	                         .sref = se ? d->hist.ref : NULL,
	                         .scur = se ? d->hist.cur : NULL,
	                         .wasserstein = p->all_statistics || want == ASSAY_DRIFT_WASSERSTEIN};
	w.std = w.wasserstein && !(pre && !isnan(pre->std));
	rc = drift_bucket_compare(rm, cm, &w);
	free(se);
	struct assay_bins b;
	memset(&b, 0, sizeof b);
	if (rc == 0)
		rc = drift_quantile_bins(pre ? pre->qe : w.qe_own, pre ? pre->nqe : w.nqe_own, n1, &b, err)
		         ? -2
		         : 0;
	if (rc == 0) {
		memcpy(b.ref, qc, b.n * sizeof *qc);
		memcpy(b.cur, qc + k + 1, b.n * sizeof *qc);
		b.ncur = n2;
		d->nref = n1;
		d->ncur = n2;
		struct assay_ks ks;
		drift_ks_finish(n1, n2, w.maxS, w.minS, w.hmax, ASSAY_KS_AUTO, &ks);
		d->ks_d = ks.d;
		d->ks_p = ks.pvalue;
		d->ks_exact = ks.exact;
		if (w.wasserstein) {
			d->wasserstein = w.w;
			double sd = pre && !isnan(pre->std) ? pre->std : w.sd;
			d->wasserstein_norm = d->wasserstein / (sd > 0.001 ? sd : 0.001);
		}
		rc = divergences(&b, p, d);
	}
	free(w.qe_own);
	free(qc);
	assay_bins_free(&b);
	if (rc == -2)
		return err->code ? err->code : ASSAY_ENOMEM;
	return rc ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}

/* The default numeric comparison (KS, Wasserstein, PSI/JS/KL/Hellinger on
 * reference quantile bins, the Sturges display histogram) from one merge
 * walk (walk.c): the same numbers as assay_ks_2samp, assay_wasserstein,
 * assay_bins_ref_quantiles and assay_bins_sturges one after the other. */
static int numeric_in_one_walk(const struct assay_numeric_map *rm, const struct assay_numeric_map *cm,
                               const struct assay_drift_params *p, const struct assay_drift_override *ov,
                               const struct drift_ref_col *pre, struct assay_drift_column *d,
                               struct assay_error *err)
{
	enum assay_drift_method want = ov ? ov->method : p->method;
	struct assay_bins b;
	double *qe = NULL, *se = NULL; /* owned */
	size_t nqe = 0, nsb = 0;
	int rc;
	if (pre) { /* the reference's edges computed ahead (ref_stats.c) */
		nqe = pre->nqe;
		rc = drift_quantile_bins(pre->qe, nqe, pre->n, &b, err);
	} else {
		rc = drift_quantile_edges(rm, p->quantile_bins, &b, &qe, &nqe, err);
	}
	if (rc)
		return rc;
	if (p->histogram && (rc = drift_sturges_edges(rm, cm, &d->hist, &se, &nsb, err))) {
		assay_bins_free(&b);
		free(qe);
		return rc;
	}
	struct drift_walk w = {.qe = pre ? pre->qe : qe,
	                       .nqe = nqe,
	                       .qref = b.ref,
	                       .qcur = b.cur,
	                       .se = se,
	                       .nsb = nsb,
	                       .sref = se ? d->hist.ref : NULL,
	                       .scur = se ? d->hist.cur : NULL,
	                       .wasserstein = p->all_statistics || want == ASSAY_DRIFT_WASSERSTEIN};
	int exact_std = drift_ref_std_is_exact(rm, assay_numeric_map_total(rm));
	w.ref_mean = w.wasserstein && !(pre && !isnan(pre->std)) && !exact_std; /* the std needs it */
	rc = drift_numeric_walk(rm, cm, &w);
	free(qe);
	free(se);
	if (rc == 0) {
		b.ncur = w.n2;
		d->nref = w.n1;
		d->ncur = w.n2;
		if (w.n1 && w.n2) {
			struct assay_ks ks;
			drift_ks_finish(w.n1, w.n2, w.maxS, w.minS, w.hmax, ASSAY_KS_AUTO, &ks);
			d->ks_d = ks.d;
			d->ks_p = ks.pvalue;
			d->ks_exact = ks.exact;
		}
		if (w.wasserstein) {
			d->wasserstein = w.w;
			double sd = pre && !isnan(pre->std) ? pre->std
			            : exact_std             ? drift_key_std(rm)
			            : w.have_mean           ? drift_map_std_from_mean(rm, w.n1, w.mean)
			                                    : drift_map_std(rm, w.n1);
			d->wasserstein_norm = d->wasserstein / (sd > 0.001 ? sd : 0.001);
		}
		rc = divergences(&b, p, d);
	}
	assay_bins_free(&b);
	return rc ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory") : 0;
}

static int compare_column(const struct assay_column_profile *rc, const struct assay_column_profile *cc,
                          const struct assay_drift_params *p, const struct assay_drift_override *ov,
                          struct assay_drift_column *d, struct assay_error *err)
{
	int rc_code = 0;
	struct colmaps rm, cm;
	memset(&rm, 0, sizeof rm);
	memset(&cm, 0, sizeof cm);
	int categorical = rc->type != ASSAY_COL_NUMERIC || cc->type != ASSAY_COL_NUMERIC;
	if (drift_get_maps(rc, categorical, &rm) || drift_get_maps(cc, categorical, &cm)) {
		rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
		                          "out of memory comparing column \"%s\"", d->name);
		goto out;
	}
	d->approximate = rm.approximate || cm.approximate;
	/* large columns of short decimals: compared without a sort (bucket.c),
	 * whatever form their maps are in; anything else from sorted maps */
	int buckets = 0;
	if (!categorical && !p->evidently && !d->approximate) {
		uint64_t n1 = assay_numeric_map_total(&rm.num), n2 = assay_numeric_map_total(&cm.num);
		if (n1 >= DRIFT_BUCKET_MIN && n2 >= DRIFT_BUCKET_MIN &&
		    (drift_keys_form(&rm) < 0 || drift_keys_form(&cm) < 0)) {
			rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
			                          "out of memory comparing column \"%s\"", d->name);
			goto out;
		}
		buckets = drift_bucket_applies(&rm.num, &cm.num, n1, n2);
	}
	if (!buckets && (drift_sort_raw(&rm) || drift_sort_raw(&cm))) {
		rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
		                          "out of memory comparing column \"%s\"", d->name);
		goto out;
	}
	struct assay_bins vb; /* numeric compared as categories: value bins */
	memset(&vb, 0, sizeof vb);
	int num_as_cat = 0;
	if (!categorical && p->evidently && drift_is_integral(&rm.num) && rm.num.n <= 10)
		num_as_cat = 1;
	d->categorical = categorical || num_as_cat;
	if (!categorical && !p->evidently) {
		const struct drift_ref_col *pre =
		    rc->exact ? drift_ref_stats_find(p->ref_stats, rc, p->quantile_bins) : NULL;
		if ((rc_code = buckets ? numeric_by_buckets(&rm.num, &cm.num, p, ov, pre, d, err)
		                       : numeric_in_one_walk(&rm.num, &cm.num, p, ov, pre, d, err)))
			goto out;
	} else if (!categorical) {
		d->nref = assay_numeric_map_total(&rm.num);
		d->ncur = assay_numeric_map_total(&cm.num);
		struct assay_ks ks;
		if (assay_ks_2samp(&rm.num, &cm.num, ASSAY_KS_AUTO, &ks, err) == 0) {
			d->ks_d = ks.d;
			d->ks_p = ks.pvalue;
			d->ks_exact = ks.exact;
		}
		enum assay_drift_method want = ov ? ov->method : p->method;
		if (p->all_statistics || p->evidently || want == ASSAY_DRIFT_WASSERSTEIN) {
			d->wasserstein = assay_wasserstein(&rm.num, &cm.num);
			double sd = assay_numeric_map_std(&rm.num);
			d->wasserstein_norm = d->wasserstein / (sd > 0.001 ? sd : 0.001);
		}
		struct assay_bins b;
		int brc = p->evidently
		              ? assay_bins_evidently(&rm.num, &cm.num, &b, err)
		              : assay_bins_ref_quantiles(&rm.num, &cm.num, p->quantile_bins, &b, err);
		if (brc) {
			rc_code = brc;
			goto out;
		}
		if (!num_as_cat && divergences(&b, p, d)) {
			assay_bins_free(&b);
			rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			goto out;
		}
		assay_bins_free(&b);
		if (p->histogram && (rc_code = assay_bins_sturges(&rm.num, &cm.num, &d->hist, err)))
			goto out;
		if (num_as_cat && (rc_code = assay_bins_values(&rm.num, &cm.num, &vb, err)))
			goto out;
	}
	if (d->categorical) {
		struct assay_bins *b = &vb;
		if (categorical) {
			if ((rc_code = assay_bins_categories(&rm.cat, &cm.cat, &d->hist, err)))
				goto out;
			if (copy_names(&d->hist) || record_new_vanished(&d->hist, d)) {
				rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
				goto out;
			}
			b = &d->hist;
			d->nref = b->nref;
			d->ncur = b->ncur;
		}
		struct assay_chi2 x;
		int xr = p->evidently ? assay_chi2_gof_evidently(b->ref, b->cur, b->n, &x, err)
		                      : assay_chi2_contingency(b->ref, b->cur, b->n, 1, &x, err);
		if (xr == 0) {
			d->chi2 = x.stat;
			d->chi2_p = x.pvalue;
			d->chi2_dof = x.dof;
		}
		if (b->n <= 2) {
			double z, zp;
			if (assay_ztest_proportions(b->ref, b->cur, b->n, &z, &zp, err) == 0) {
				d->z = z;
				d->z_p = zp;
			}
		}
		if (divergences(b, p, d)) {
			rc_code = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			goto out;
		}
	}
	/* the deciding method */
	enum assay_drift_method m = ov ? ov->method : p->method;
	if (m == ASSAY_DRIFT_AUTO) {
		if (p->evidently) {
			size_t nv = d->categorical ? (categorical ? d->hist.n : vb.n) : 0;
			if (!d->categorical) {
				struct assay_bins u;
				if (assay_bins_values(&rm.num, &cm.num, &u, err) == 0) {
					nv = u.n;
					assay_bins_free(&u);
				}
			}
			m = evidently_method(d->categorical, nv, d->nref);
		} else {
			m = d->categorical ? ASSAY_DRIFT_CHI2 : ASSAY_DRIFT_KS;
		}
	}
	if (d->categorical && (m == ASSAY_DRIFT_KS || m == ASSAY_DRIFT_WASSERSTEIN) && categorical) {
		snprintf(d->note, sizeof d->note, "%s needs numbers; chi-square used",
		         assay_drift_method_name(m));
		m = ASSAY_DRIFT_CHI2;
	}
	d->method = m;
	double th = ov && !isnan(ov->threshold) ? ov->threshold : p->threshold;
	d->threshold = isnan(th) ? default_threshold(m) : th;
	d->statistic = method_statistic(d, m);
	if (d->approximate && assay_drift_method_is_test(m)) {
		drift_approximate_test(rc, cc, m, d);
	} else if (isnan(d->statistic)) {
		d->drifted = 0;
		if (!d->note[0])
			snprintf(d->note, sizeof d->note, "%s not computable here",
			         assay_drift_method_name(m));
	} else if (m == ASSAY_DRIFT_KS) {
		d->drifted = d->statistic <= d->threshold;
	} else if (assay_drift_method_is_test(m)) {
		d->drifted = d->statistic < d->threshold;
	} else {
		d->drifted = d->statistic >= d->threshold;
	}
	if (d->approximate && !d->note[0])
		snprintf(d->note, sizeof d->note,
		         "approximate: more distinct values than the profile keeps exactly");
	assay_error_clear(err);
out:
	assay_bins_free(&vb);
	drift_colmaps_free(&rm);
	drift_colmaps_free(&cm);
	return rc_code;
}

/* ---- the report ---------------------------------------------------------------------- */

void assay_drift_report_free(struct assay_drift_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncolumns; i++) {
		struct assay_drift_column *d = &r->columns[i];
		free(d->name);
		free_names(&d->hist);
		assay_bins_free(&d->hist);
		for (size_t k = 0; d->new_cat && k < ASSAY_DRIFT_MAX_NAMED; k++)
			free(d->new_cat[k]);
		for (size_t k = 0; d->vanished_cat && k < ASSAY_DRIFT_MAX_NAMED; k++)
			free(d->vanished_cat[k]);
		free(d->new_cat);
		free(d->vanished_cat);
	}
	free(r->columns);
	free(r->ref.path);
	free(r->cur.path);
	free(r);
}

int assay_drift_detected(const struct assay_drift_report *r)
{
	return r->dataset_drift || r->label_drift == 1 || r->pred_drift == 1;
}

static int has_column(const struct assay_profile *a, const struct assay_profile *b, const char *name)
{
	return assay_profile_column(a, name) || assay_profile_column(b, name);
}

static int check_names(const struct assay_profile *ref, const struct assay_profile *cur,
                       const struct assay_drift_params *p, struct assay_error *err)
{
	const char *what[2] = {"--label", "--pred"}, *col[2] = {p->label, p->pred};
	for (int i = 0; i < 2; i++)
		if (col[i] && !has_column(ref, cur, col[i]))
			return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                       "%s: no column \"%s\" in either input", what[i], col[i]);
	for (size_t i = 0; i < p->noverrides; i++)
		if (!has_column(ref, cur, p->overrides[i].column))
			return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                       "--method: no column \"%s\" in either input",
			                       p->overrides[i].column);
	return 0;
}

int drift_column_wanted(const struct assay_drift_params *p, const char *name)
{
	if (!p->columns)
		return 1;
	for (size_t i = 0; i < p->ncolumns; i++)
		if (strcmp(p->columns[i], name) == 0)
			return 1;
	return 0;
}

static int init_column(struct assay_drift_column *d, const char *name, const struct assay_drift_params *p)
{
	memset(d, 0, sizeof *d);
	nan_stats(d);
	d->name = strdup(name);
	if (p->label && strcmp(name, p->label) == 0)
		d->role = 1;
	else if (p->pred && strcmp(name, p->pred) == 0)
		d->role = 2;
	return d->name ? 0 : -1;
}

static void set_input(struct assay_drift_input *in, const struct assay_profile *pr)
{
	in->path = pr->source_path ? strdup(pr->source_path) : NULL;
	memcpy(in->sha256, pr->sha256, sizeof in->sha256);
	in->sha256[64] = 0;
	in->rows = pr->rows;
}

/* Columns are compared in parallel: each is independent (its own maps,
 * bins and output slot), so the report is the same bytes for any number of
 * threads. One thread per online core (at most 8), columns handed out by
 * an atomic counter (their sizes differ). On the 1M-row bench the compare
 * phase was ~0.3 s of serial work after two concurrent profile builds. */
struct job {
	const struct assay_column_profile *rc, *cc;
	const struct assay_drift_override *ov;
	size_t column;
	int rc_code;
};

struct job_pool {
	struct job *jobs;
	size_t njobs;
	atomic_size_t next;
	struct assay_drift_report *r;
	const struct assay_drift_params *params;
	struct assay_error *errs; /* one per job */
};

static void *job_worker(void *arg)
{
	struct job_pool *pl = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&pl->next, 1);
		if (k >= pl->njobs)
			return NULL;
		struct job *j = &pl->jobs[k];
		assay_error_clear(&pl->errs[k]);
		j->rc_code =
		    compare_column(j->rc, j->cc, pl->params, j->ov, &pl->r->columns[j->column], &pl->errs[k]);
	}
}

static int run_jobs(struct job *jobs, size_t njobs, struct assay_drift_report *r,
                    const struct assay_drift_params *params, struct assay_error *err)
{
	if (!njobs)
		return 0;
	struct job_pool pl = {.jobs = jobs, .njobs = njobs, .r = r, .params = params};
	atomic_init(&pl.next, 0);
	pl.errs = calloc(njobs, sizeof *pl.errs);
	if (!pl.errs)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t nt = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores;
	if (nt > njobs)
		nt = njobs;
	pthread_t th[8];
	int started[8] = {0};
	for (size_t t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, job_worker, &pl) == 0;
	job_worker(&pl);
	for (size_t t = 1; t < nt; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	int rc = 0;
	for (size_t k = 0; k < njobs && !rc; k++)
		if ((rc = jobs[k].rc_code))
			*err = pl.errs[k];
	free(pl.errs);
	return rc;
}

int assay_drift_compare(const struct assay_profile *ref, const struct assay_profile *cur,
                        const struct assay_drift_params *params, struct assay_drift_report **out,
                        struct assay_error *err)
{
	*out = NULL;
	int rc = check_names(ref, cur, params, err);
	if (rc)
		return rc;
	struct assay_drift_report *r = calloc(1, sizeof *r);
	size_t cap = ref->ncolumns + cur->ncolumns;
	struct job *jobs = malloc((cap ? cap : 1) * sizeof *jobs);
	size_t njobs = 0;
	if (!r || !jobs || !(r->columns = calloc(cap ? cap : 1, sizeof *r->columns))) {
		free(r);
		free(jobs);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	r->params = *params;
	r->params.overrides = NULL;
	r->params.noverrides = 0;
	r->params.columns = NULL;
	r->params.ncolumns = 0;
	r->params.label = r->params.pred = NULL; /* not owned */
	r->params.ref_stats = NULL;
	set_input(&r->ref, ref);
	set_input(&r->cur, cur);
	r->label_drift = r->pred_drift = -1;
	for (int pass = 0; pass < 2; pass++) {
		const struct assay_profile *a = pass ? cur : ref, *b = pass ? ref : cur;
		for (size_t i = 0; i < a->ncolumns; i++) {
			const struct assay_column_profile *ac = &a->columns[i];
			const struct assay_column_profile *bc = assay_profile_column(b, ac->name);
			if ((pass && bc) || !drift_column_wanted(params, ac->name) ||
			    assay_profile_column(a, ac->name) != ac)
				continue; /* already compared, not asked for, or a duplicate name (first wins)
				           */
			struct assay_drift_column *d = &r->columns[r->ncolumns];
			if (init_column(d, ac->name, params)) {
				free(jobs);
				assay_drift_report_free(r);
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			}
			r->ncolumns++;
			const struct assay_column_profile *rc_ = pass ? NULL : ac, *cc = pass ? ac : bc;
			d->ref_type = rc_ ? rc_->type : ASSAY_COL_EMPTY;
			d->cur_type = cc ? cc->type : ASSAY_COL_EMPTY;
			if (!rc_ || !cc) {
				d->status = rc_ ? ASSAY_DRIFT_REMOVED : ASSAY_DRIFT_ADDED;
				if (rc_)
					r->nremoved++;
				else
					r->nadded++;
				continue;
			}
			if (rc_->withheld || cc->withheld) {
				d->status = ASSAY_DRIFT_WITHHELD;
				snprintf(d->note, sizeof d->note,
				         "values withheld in the %s (personal data): only counts are kept",
				         rc_->withheld && cc->withheld ? "reference and the current data"
				         : rc_->withheld               ? "reference"
				                                       : "current data");
				continue;
			}
			if (rc_->type == ASSAY_COL_EMPTY || cc->type == ASSAY_COL_EMPTY ||
			    rc_->present == 0 || cc->present == 0) {
				d->status = ASSAY_DRIFT_EMPTY;
				snprintf(d->note, sizeof d->note, "no values in the %s",
				         rc_->present == 0 ? "reference" : "current data");
				continue;
			}
			if (rc_->type != cc->type) {
				d->status = ASSAY_DRIFT_RETYPED;
				r->nretyped++;
			}
			const struct assay_drift_override *ov = NULL;
			for (size_t k = 0; k < params->noverrides; k++)
				if (strcmp(params->overrides[k].column, d->name) == 0)
					ov = &params->overrides[k];
			jobs[njobs++] = (struct job){rc_, cc, ov, r->ncolumns - 1, 0};
		}
	}
	if ((rc = run_jobs(jobs, njobs, r, params, err))) {
		free(jobs);
		assay_drift_report_free(r);
		return rc;
	}
	for (size_t k = 0; k < njobs; k++) {
		const struct assay_drift_column *d = &r->columns[jobs[k].column];
		if (d->role == 1)
			r->label_drift = d->drifted;
		else if (d->role == 2)
			r->pred_drift = d->drifted;
		else {
			r->ncompared++;
			r->ndrifted += d->drifted != 0;
			r->ninconclusive += d->inconclusive != 0;
		}
	}
	free(jobs);
	r->share = r->ncompared ? (double)r->ndrifted / (double)r->ncompared : 0;
	r->dataset_drift = r->ncompared > 0 && r->share >= params->drift_share;
	*out = r;
	return 0;
}
