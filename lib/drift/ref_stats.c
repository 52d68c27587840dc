/* ref_stats.c: the reference's own statistics of a comparison, computed
 * ahead of it (assay_drift_ref_stats_new, assay/drift.h).
 *
 * For each exact numeric column of the reference that the params select:
 * the standard deviation (drift_ref_std: exact from integer sums for a
 * large column of short decimals, key_std.c, else two compensated passes
 * over the map: the Wasserstein normalisation's denominator) and the
 * reference-quantile bin
 * edges (a rank walk over the map), by the very functions the comparison
 * calls (drift_map_std, drift_quantile_edges), so the comparison gives the
 * same bits whether it finds them here or computes them itself. With a
 * stored reference, `assay drift` computes them on the thread that read
 * the profile while the current data are still being scanned: 10 such
 * columns of the 1M-row bench are ~35 ms of CPU that the comparison no
 * longer spends after the scan (see bench/README.md, session 5).
 *
 * Not here: categorical columns, sketches (their maps are made in the
 * comparison), Evidently mode's bins.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift_internal.h"

struct assay_drift_ref_stats {
	const struct assay_profile *ref;
	size_t k;                  /* quantile_bins the edges are for */
	struct drift_ref_col *col; /* one per reference column */
};

void assay_drift_ref_stats_free(struct assay_drift_ref_stats *s)
{
	if (!s)
		return;
	for (size_t j = 0; s->col && j < s->ref->ncolumns; j++)
		free(s->col[j].qe);
	free(s->col);
	free(s);
}

int assay_drift_ref_stats_new(const struct assay_profile *ref, const struct assay_drift_params *p,
                              struct assay_drift_ref_stats **out, struct assay_error *err)
{
	*out = NULL;
	struct assay_drift_ref_stats *s = calloc(1, sizeof *s);
	if (!s || !(s->col = calloc(ref->ncolumns ? ref->ncolumns : 1, sizeof *s->col))) {
		free(s);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	s->ref = ref;
	s->k = p->quantile_bins;
	/* the std only where the comparison may want it (numeric_in_one_walk) */
	int want_std = p->all_statistics || p->method == ASSAY_DRIFT_WASSERSTEIN || p->noverrides;
	for (size_t j = 0; j < ref->ncolumns; j++) {
		const struct assay_column_profile *c = &ref->columns[j];
		struct drift_ref_col *d = &s->col[j];
		if (p->evidently || c->type != ASSAY_COL_NUMERIC || !c->exact || c->withheld ||
		    c->present == 0 || c->num.raw || !drift_column_wanted(p, c->name))
			continue;
		d->n = assay_numeric_map_total(&c->num);
		if (d->n == 0)
			continue;
		struct assay_bins b;
		struct assay_error e;
		assay_error_clear(&e);
		if (drift_quantile_edges(&c->num, s->k, &b, &d->qe, &d->nqe, &e)) {
			assay_drift_ref_stats_free(s);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		assay_bins_free(&b);
		d->std = want_std ? drift_ref_std(&c->num, d->n) : NAN;
		d->have = 1;
	}
	*out = s;
	return 0;
}

const struct drift_ref_col *drift_ref_stats_find(const struct assay_drift_ref_stats *s,
                                                 const struct assay_column_profile *rc, size_t k)
{
	if (!s || s->k != k || !s->ref->ncolumns)
		return NULL;
	uintptr_t a = (uintptr_t)s->ref->columns, x = (uintptr_t)rc;
	if (x < a || x >= a + s->ref->ncolumns * sizeof *rc)
		return NULL; /* a column of another profile */
	const struct drift_ref_col *d = &s->col[(x - a) / sizeof *rc];
	return d->have ? d : NULL;
}
