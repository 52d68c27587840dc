/* colmaps.c: the value maps a drift comparison reads from a column
 * profile (drift.c): exact maps as they are, raw keys sorted, maps of
 * doubles that are all short decimals in key form, and for columns past
 * the exact cap 1000 KLL mid-quantiles (numeric) or the top-k values plus
 * "(other)" (categorical), with the test such approximate columns get
 * (docs/drift.md, "Exact by default; approximate only past a stored
 * profile's cap"). Split out of drift.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/drift.h"
#include "assay/radix.h"
#include "drift_internal.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

void drift_colmaps_free(struct colmaps *m)
{
	if (m->own_num == 2)
		prof_map_free(&m->num);
	else if (m->own_num) {
		free(m->num.value);
		free(m->num.count);
	}
	if (m->own_cat) {
		for (size_t i = 0; i < m->cat.n; i++)
			free(m->cat.value[i]);
		free(m->cat.value);
		free(m->cat.len);
		free(m->cat.count);
	}
}

/* 1000 mid-quantiles of the KLL sketch, counts spread so they sum to n. */
static int approx_numeric(const struct assay_column_profile *c, struct colmaps *m)
{
	const size_t M = 1000;
	uint64_t n = c->present;
	m->num.value = malloc(M * sizeof(double));
	m->num.count = malloc(M * sizeof(uint64_t));
	if (!m->num.value || !m->num.count)
		return -1;
	m->own_num = 1;
	m->num.n = 0;
	for (size_t i = 0; i < M; i++) {
		uint64_t cnt =
		    (uint64_t)((double)(i + 1) * (double)n / M) - (uint64_t)((double)i * (double)n / M);
		double v = assay_column_quantile(c, ((double)i + 0.5) / M);
		if (cnt == 0 || isnan(v))
			continue;
		if (m->num.n && v <= m->num.value[m->num.n - 1]) {
			m->num.count[m->num.n - 1] += cnt;
		} else {
			m->num.value[m->num.n] = v;
			m->num.count[m->num.n++] = cnt;
		}
	}
	m->approximate = 1;
	return 0;
}

/* Top values by their bytes (a value may hold U+0000), "(other)" last
 * among equals (an index of ntop). */
struct top_ref {
	const char *v;
	uint32_t len;
	size_t i;
};

static int cmp_top(const void *a, const void *b)
{
	const struct top_ref *x = a, *y = b;
	return assay_bytes_cmp(x->v, x->len, y->v, y->len);
}

/* Top-k values plus "(other)" for the rest, ordered as exact maps are. */
static int approx_categories(const struct assay_column_profile *c, struct colmaps *m)
{
	size_t n = c->ntop + 1;
	struct top_ref *names = malloc(n * sizeof *names);
	if (!names)
		return -1;
	uint64_t rest = c->present;
	size_t k = 0;
	for (size_t i = 0; i < c->ntop; i++) {
		names[k++] = (struct top_ref){c->top_value[i], c->top_len[i], i};
		rest -= c->top_count[i] <= rest ? c->top_count[i] : rest;
	}
	if (rest)
		names[k++] = (struct top_ref){"(other)", 7, c->ntop};
	qsort(names, k, sizeof *names, cmp_top);
	m->cat.value = calloc(k ? k : 1, sizeof *m->cat.value);
	m->cat.len = malloc((k ? k : 1) * sizeof *m->cat.len);
	m->cat.count = malloc((k ? k : 1) * sizeof *m->cat.count);
	m->own_cat = 1;
	if (!m->cat.value || !m->cat.len || !m->cat.count) {
		free(names);
		return -1;
	}
	for (size_t i = 0; i < k; i++) {
		if (!(m->cat.value[i] = malloc(names[i].len + 1u))) {
			free(names);
			return -1;
		}
		memcpy(m->cat.value[i], names[i].v, names[i].len);
		m->cat.value[i][names[i].len] = '\0';
		m->cat.len[i] = names[i].len;
		m->cat.count[i] = names[i].i < c->ntop ? c->top_count[names[i].i] : rest;
		m->cat.n++;
	}
	free(names);
	m->approximate = 1;
	return 0;
}

int drift_get_maps(const struct assay_column_profile *c, int want_cat, struct colmaps *m)
{
	memset(m, 0, sizeof *m);
	if (c->exact) {
		m->num = c->num;
		m->cat = c->cat;
		return 0;
	}
	if (!want_cat && c->type == ASSAY_COL_NUMERIC && c->kll)
		return approx_numeric(c, m);
	return approx_categories(c, m);
}

/* A column left as raw keys (assay_profile_opts.raw_keys) as a sorted
 * packed map, for every statistic but the comparison by buckets (which
 * reads raw keys as they are). */
int drift_sort_raw(struct colmaps *m)
{
	if (!m->num.raw)
		return 0;
	size_t n = m->num.nraw;
	uint32_t *k = malloc((n ? n : 1) * sizeof *k);
	if (!k)
		return -1;
	for (size_t r = 0, at = 0; r < m->num.nrawrun; at += m->num.raw[r++].n)
		memcpy(k + at, m->num.raw[r].k, m->num.raw[r].n * sizeof *k);
	(void)assay_radix_sort_u32(k, n);     /* without memory it sorts by qsort */
	if (pb_keys_to_map(k, n, 1, &m->num)) /* frees k on failure */
		return -1;
	m->own_num = 2;
	return 0;
}

/* A borrowed map of doubles that are all short decimals as a packed map
 * (drift_keys_of_doubles): 0 (converted or not), -1 out of memory. */
int drift_keys_form(struct colmaps *m)
{
	if (!m->num.value || m->own_num)
		return 0;
	struct assay_numeric_map k;
	int r = drift_keys_of_doubles(&m->num, &k);
	if (r > 0) {
		m->num = k;
		m->own_num = 2;
	}
	return r < 0 ? -1 : 0;
}

/* Numeric map as categories (value bins), for numeric columns compared as
 * categorical. */
int drift_is_integral(const struct assay_numeric_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (assay_numeric_map_value(m, i) != floor(assay_numeric_map_value(m, i)))
			return 0;
	return 1;
}

/* Rank error of one side's numeric map as used by KS: 0 when exact; for a
 * sketch, the KLL all-quantiles error plus the 1/M of reading it at M
 * mid-quantiles (approx_numeric). NaN when there is no sketch. */
static double side_rank_error(const struct assay_column_profile *c)
{
	if (c->exact)
		return 0;
	if (c->type != ASSAY_COL_NUMERIC || !c->kll)
		return NAN;
	return assay_kll_rank_error(assay_kll_k(c->kll)) + 1.0 / 1000;
}

/* A test on an approximate column (docs/drift.md): no p-value is reported as
 * if the sketch were the data. KS decides on D only outside D +- error
 * around the critical value; chi-square and z on sketch counts decide
 * nothing. */
void drift_approximate_test(const struct assay_column_profile *rc, const struct assay_column_profile *cc,
                            enum assay_drift_method m, struct assay_drift_column *d)
{
	double level = d->threshold;
	d->ks_p = NAN;
	d->ks_exact = 0;
	d->chi2_p = d->z_p = NAN;
	d->drifted = 0;
	if (m == ASSAY_DRIFT_KS && !isnan(d->ks_d)) {
		double e = side_rank_error(rc) + side_rank_error(cc);
		double crit = assay_ks_critical_d(d->nref, d->ncur, level);
		d->ks_d_error = e;
		d->ks_critical = crit;
		d->statistic = d->ks_d;
		d->threshold = crit;
		if (!isnan(e) && !isnan(crit)) {
			d->drifted = d->ks_d - e > crit;
			d->inconclusive = !d->drifted && d->ks_d + e > crit;
		} else {
			d->inconclusive = 1;
		}
		snprintf(d->note, sizeof d->note,
		         "approximate (KLL sketch): KS D = %.4g +- %.3g, critical D %.4g at level %.3g: %s",
		         d->ks_d, e, crit, level,
		         d->drifted        ? "drift (D - error > critical)"
		         : d->inconclusive ? "inconclusive (no p-value from a sketch)"
		                           : "no drift (D + error <= critical)");
		return;
	}
	d->statistic = NAN;
	d->inconclusive = 1;
	snprintf(d->note, sizeof d->note,
	         "approximate (sketch counts): no %s p-value reported as if exact; inconclusive",
	         assay_drift_method_name(m));
}
