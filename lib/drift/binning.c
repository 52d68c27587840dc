/* binning.c: counting two samples over shared bins, from value maps.
 *
 * - reference quantile bins (DRIFT_REFERENCE.md, the default for PSI and
 *   JS on numeric columns): edges = unique(numpy.quantile(ref, i/k)),
 *   i = 1..k-1, linear interpolation; bin of v = searchsorted(edges, v,
 *   side='right'), so the outer bins are open-ended and every value of
 *   either sample is counted;
 * - Sturges bins (numpy.histogram_bin_edges(ref ∪ cur, 'sturges')):
 *   width = ptp / (log2(n) + 1), ceil(ptp / width) bins, edges from
 *   numpy.linspace (i * step + start, last edge = max), a constant sample
 *   widened to [v - 0.5, v + 0.5]; counted as numpy.histogram(sample,
 *   edges) with an edges array: [e_i, e_i+1), the last bin closed;
 * - one bin per distinct value or category of ref ∪ cur.
 * The quantile is numpy's: virtual index (n - 1) q, gamma = index -
 * floor(index), and numpy's _lerp (a + (b - a) g, or b - (b - a)(1 - g)
 * when g >= 0.5), found by a walk over the cumulative counts.
 * Not here: Doane bins (NannyML) and numpy's integer-dtype width rule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/drift.h"
#include "assay/topk.h"
#include "assay/xsum.h"
#include "drift_internal.h"

uint64_t assay_category_map_total(const struct assay_category_map *m)
{
	uint64_t t = 0;
	for (size_t i = 0; i < m->n; i++)
		t += m->count[i];
	return t;
}

/* Entry i of a map as value and count (assay_numeric_map_value and
 * _count): a packed map's counts >= 255 are read with a cursor into the
 * big counts (ascending entries, one per 255 byte) instead of a binary
 * search, so the passes below make no call (the mean and std passes:
 * assay_drift_compare of the 1M bench profiles 140 -> 138 ms). */
struct map_reader {
	const struct assay_numeric_map *m;
	size_t bi; /* next big count */
};

static inline double map_term(struct map_reader *r, size_t i, double *count)
{
	const struct assay_numeric_map *m = r->m;
	if (m->count) {
		*count = (double)m->count[i];
	} else {
		uint8_t b = m->kcount[i];
		uint64_t c = b;
		if (b == 255)
			c = r->bi < m->nbig && m->big[r->bi].i == i ? m->big[r->bi++].count
			                                            : assay_numeric_map_big_count(m, i);
		*count = (double)(int64_t)c; /* counts are below 2^63 */
	}
	return m->value ? m->value[i] : assay_deckey_value(m->key[i]);
}

/* Entry i of a packed map (keys and count bytes), as map_term. */
static inline double packed_term(struct map_reader *r, size_t i, double *count)
{
	const struct assay_numeric_map *m = r->m;
	uint8_t b = m->kcount[i];
	uint64_t c = b;
	if (__builtin_expect(b == 255, 0))
		c = r->bi < m->nbig && m->big[r->bi].i == i ? m->big[r->bi++].count
		                                            : assay_numeric_map_big_count(m, i);
	*count = (double)(int64_t)c;
	return assay_deckey_value(m->key[i]);
}

/* The map's mean given its total n > 0. A packed map (every short-decimal
 * column) in a loop of its own: the general one tests at every entry which
 * arrays the map has (the same terms in the same order: the same bits). */
static double map_mean(const struct assay_numeric_map *m, uint64_t n)
{
	/* numpy's mean is sum / n with pairwise summation; a compensated sum
	 * of v * count is within an ulp of it. */
	double s = 0, c = 0;
	struct map_reader r = {m, 0};
	if (m->key && !m->value && !m->count) {
		for (size_t i = 0; i < m->n; i++) {
			double cnt, v = packed_term(&r, i, &cnt);
			double x = v * cnt;
			assay_neumaier_add(&s, &c, x);
		}
		return (s + c) / (double)n;
	}
	for (size_t i = 0; i < m->n; i++) {
		double cnt, v = map_term(&r, i, &cnt);
		double x = v * cnt;
		assay_neumaier_add(&s, &c, x);
	}
	return (s + c) / (double)n;
}

double assay_numeric_map_mean(const struct assay_numeric_map *m)
{
	uint64_t n = assay_numeric_map_total(m);
	return n ? map_mean(m, n) : NAN;
}

double drift_map_std(const struct assay_numeric_map *m, uint64_t n)
{
	if (n == 0)
		return NAN;
	return drift_map_std_from_mean(m, n, map_mean(m, n));
}

double drift_map_std_from_mean(const struct assay_numeric_map *m, uint64_t n, double mean)
{
	double s = 0, c = 0;
	struct map_reader r = {m, 0};
	if (m->key && !m->value && !m->count) {
		for (size_t i = 0; i < m->n; i++) {
			double cnt, v = packed_term(&r, i, &cnt);
			double dv = v - mean;
			double x = dv * dv * cnt;
			assay_neumaier_add(&s, &c, x);
		}
		return sqrt((s + c) / (double)n);
	}
	for (size_t i = 0; i < m->n; i++) {
		double cnt, v = map_term(&r, i, &cnt);
		double dv = v - mean;
		double x = dv * dv * cnt;
		assay_neumaier_add(&s, &c, x);
	}
	return sqrt((s + c) / (double)n);
}

double assay_numeric_map_std(const struct assay_numeric_map *m)
{
	return drift_map_std(m, assay_numeric_map_total(m));
}

/* Value at 0-based rank r of the sorted sample. */
static double value_at_rank(const struct assay_numeric_map *m, uint64_t r)
{
	uint64_t cum = 0;
	for (size_t i = 0; i < m->n; i++) {
		cum += assay_numeric_map_count(m, i);
		if (r < cum)
			return assay_numeric_map_value(m, i);
	}
	return assay_numeric_map_value(m, m->n - 1);
}

double assay_numeric_map_quantile(const struct assay_numeric_map *m, double q)
{
	uint64_t n = assay_numeric_map_total(m);
	if (n == 0 || isnan(q))
		return NAN;
	double vi = (double)(n - 1) * q;
	if (vi >= (double)(n - 1))
		return value_at_rank(m, n - 1);
	if (vi < 0)
		return value_at_rank(m, 0);
	double prev = floor(vi);
	uint64_t pi = (uint64_t)prev;
	double a = value_at_rank(m, pi), b = value_at_rank(m, pi + 1);
	double g = vi - prev;
	double diff = b - a;
	if (g >= 0.5)
		return b - diff * (1 - g);
	return a + diff * g;
}

void assay_bins_free(struct assay_bins *b)
{
	if (!b)
		return;
	free(b->lo);
	free(b->hi);
	free(b->name);
	free((void *)b->len);
	free(b->ref);
	free(b->cur);
	memset(b, 0, sizeof *b);
}

static int alloc_numeric(struct assay_bins *b, size_t n, struct assay_error *err)
{
	memset(b, 0, sizeof *b);
	b->n = n;
	b->lo = malloc((n ? n : 1) * sizeof *b->lo);
	b->hi = malloc((n ? n : 1) * sizeof *b->hi);
	b->ref = calloc(n ? n : 1, sizeof *b->ref);
	b->cur = calloc(n ? n : 1, sizeof *b->cur);
	if (!b->lo || !b->hi || !b->ref || !b->cur) {
		assay_bins_free(b);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory for %zu bins", n);
	}
	return 0;
}

/* Values of a sorted map counted over non-decreasing edges: bin k of
 * value v is the number of edges <= v (searchsorted side='right'), found
 * by one forward walk since both v and the edges ascend. */
static void count_open_bins(const struct assay_numeric_map *m, const double *e, size_t ne, uint64_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		double v = assay_numeric_map_value(m, i);
		while (k < ne && e[k] <= v)
			k++;
		out[k] += assay_numeric_map_count(m, i);
	}
}

/* numpy's quantile at q from a cursor (i, cum = counts of entries < i)
 * that only moves forward: the quantiles of increasing q are read in one
 * walk instead of one scan each. Same arithmetic as
 * assay_numeric_map_quantile. */
struct rank_cursor {
	const struct assay_numeric_map *m;
	size_t i;
	uint64_t cum; /* counts of entries [0, i] */
};

/* Entries of a packed map skipped 32 at a time while the cursor cannot
 * stop inside them (their counts, none of them a big count, leave cum <=
 * r): the loop below would have walked through every one of them (counts
 * are >= 0), so it ends at the same entry; on the 1M bench's columns the
 * cursor passes ~90% of 400k entries per column. */
#define CURSOR_BLOCK 32

static double cursor_at(struct rank_cursor *c, uint64_t r)
{
	const struct assay_numeric_map *m = c->m;
	if (!m->count) {
		while (c->cum <= r && c->i + CURSOR_BLOCK + 1 < m->n) {
			const uint8_t *b = m->kcount + c->i + 1;
			unsigned s = 0, big = 0;
			for (int k = 0; k < CURSOR_BLOCK; k++) {
				s += b[k];
				big |= b[k] == 255;
			}
			if (big || c->cum + s > r)
				break;
			c->cum += s;
			c->i += CURSOR_BLOCK;
		}
	}
	while (c->cum <= r && c->i + 1 < c->m->n)
		c->cum += assay_numeric_map_count(c->m, ++c->i);
	return assay_numeric_map_value(c->m, c->i);
}

static double cursor_quantile(struct rank_cursor *c, uint64_t n, double q)
{
	uint64_t pi;
	double g;
	if (!drift_quantile_index(n, q, &pi, &g))
		return cursor_at(c, pi);
	double a = cursor_at(c, pi);
	struct rank_cursor peek = *c;
	return drift_lerp(a, cursor_at(&peek, pi + 1), g);
}

int assay_bins_ref_quantiles(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                             size_t k, struct assay_bins *out, struct assay_error *err)
{
	double *e;
	size_t ne;
	int rc = drift_quantile_edges(ref, k, out, &e, &ne, err);
	if (rc)
		return rc;
	count_open_bins(ref, e, ne, out->ref);
	count_open_bins(cur, e, ne, out->cur);
	out->ncur = assay_numeric_map_total(cur);
	free(e);
	return 0;
}

int drift_quantile_bins(const double *e, size_t ne, uint64_t nref, struct assay_bins *out,
                        struct assay_error *err)
{
	int rc = alloc_numeric(out, ne + 1, err);
	if (rc)
		return rc;
	for (size_t i = 0; i <= ne; i++) {
		out->lo[i] = i == 0 ? -INFINITY : e[i - 1];
		out->hi[i] = i == ne ? INFINITY : e[i];
	}
	out->nref = nref;
	return 0;
}

int drift_quantile_edges(const struct assay_numeric_map *ref, size_t k, struct assay_bins *out,
                         double **edges, size_t *nedges, struct assay_error *err)
{
	if (k < 1)
		k = 1;
	uint64_t nref = assay_numeric_map_total(ref);
	if (nref == 0)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                       "reference quantile bins need a non-empty reference");
	double *e = malloc(k * sizeof *e);
	if (!e)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	size_t ne = 0;
	struct rank_cursor cur_ = {ref, 0, assay_numeric_map_count(ref, 0)};
	for (size_t i = 1; i < k; i++) {
		double v = cursor_quantile(&cur_, nref, (double)i / (double)k);
		if (ne == 0 || v != e[ne - 1])
			e[ne++] = v; /* quantiles are non-decreasing in q */
	}
	int rc = drift_quantile_bins(e, ne, nref, out, err);
	if (rc) {
		free(e);
		return rc;
	}
	*edges = e;
	*nedges = ne;
	return 0;
}

int assay_bins_sturges(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                       struct assay_bins *out, struct assay_error *err)
{
	double *e;
	size_t nb;
	int rc = drift_sturges_edges(ref, cur, out, &e, &nb, err);
	if (rc)
		return rc;
	/* [e_i, e_i+1) with the last bin closed: bin = (edges <= v) - 1, and
	 * a value equal to the last edge goes to the last bin. The edges
	 * ascend, as do the values: one forward walk per sample. */
	const struct assay_numeric_map *s[2] = {ref, cur};
	uint64_t *dst[2] = {out->ref, out->cur};
	for (int w = 0; w < 2; w++) {
		size_t le = 0;
		for (size_t i = 0; i < s[w]->n; i++) {
			double v = assay_numeric_map_value(s[w], i);
			if (v < e[0] || v > e[nb])
				continue;
			while (le < nb + 1 && e[le] <= v)
				le++;
			size_t b = le == 0 ? 0 : le - 1;
			if (b >= nb)
				b = nb - 1;
			dst[w][b] += assay_numeric_map_count(s[w], i);
		}
	}
	free(e);
	return 0;
}

int drift_sturges_edges(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                        struct assay_bins *out, double **edges, size_t *nbins, struct assay_error *err)
{
	uint64_t nr = assay_numeric_map_total(ref), nc = assay_numeric_map_total(cur);
	double lo = INFINITY, hi = -INFINITY;
	if (ref->n) {
		lo = fmin(lo, assay_numeric_map_value(ref, 0));
		hi = fmax(hi, assay_numeric_map_value(ref, ref->n - 1));
	}
	if (cur->n) {
		lo = fmin(lo, assay_numeric_map_value(cur, 0));
		hi = fmax(hi, assay_numeric_map_value(cur, cur->n - 1));
	}
	return drift_sturges_edges_of(lo, hi, nr, nc, out, edges, nbins, err);
}

int drift_sturges_edges_of(double lo, double hi, uint64_t nr, uint64_t nc, struct assay_bins *out,
                           double **edges, size_t *nbins, struct assay_error *err)
{
	uint64_t n = nr + nc;
	if (n == 0)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "Sturges bins need at least one value");
	/* numpy's _hist_bin_sturges uses the data's ptp (0 for constant data:
	 * one bin then, over [v - 0.5, v + 0.5]). */
	double ptp_data = hi - lo;
	if (lo == hi) {
		lo -= 0.5;
		hi += 0.5;
	}
	double width = ptp_data / (log2((double)n) + 1.0);
	size_t nb = 1;
	if (width != 0)
		nb = (size_t)ceil((hi - lo) / width);
	int rc = alloc_numeric(out, nb, err);
	if (rc)
		return rc;
	double *e = malloc((nb + 1) * sizeof *e);
	if (!e) {
		assay_bins_free(out);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	double step = (hi - lo) / (double)nb;
	for (size_t i = 0; i <= nb; i++)
		e[i] = (double)i * step + lo;
	e[nb] = hi;
	for (size_t i = 0; i < nb; i++) {
		out->lo[i] = e[i];
		out->hi[i] = e[i + 1];
	}
	out->last_closed = 1;
	out->nref = nr;
	out->ncur = nc;
	*edges = e;
	*nbins = nb;
	return 0;
}

int assay_bins_values(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                      struct assay_bins *out, struct assay_error *err)
{
	size_t n = 0, i = 0, j = 0;
	while (i < ref->n || j < cur->n) {
		double rv = i < ref->n ? assay_numeric_map_value(ref, i) : 0,
		       cv = j < cur->n ? assay_numeric_map_value(cur, j) : 0;
		double v = (j >= cur->n || (i < ref->n && rv < cv)) ? rv : cv;
		if (i < ref->n && rv == v)
			i++;
		if (j < cur->n && cv == v)
			j++;
		n++;
	}
	int rc = alloc_numeric(out, n, err);
	if (rc)
		return rc;
	n = i = j = 0;
	while (i < ref->n || j < cur->n) {
		double rv = i < ref->n ? assay_numeric_map_value(ref, i) : 0,
		       cv = j < cur->n ? assay_numeric_map_value(cur, j) : 0;
		double v = (j >= cur->n || (i < ref->n && rv < cv)) ? rv : cv;
		out->lo[n] = out->hi[n] = v;
		if (i < ref->n && rv == v)
			out->ref[n] = assay_numeric_map_count(ref, i++);
		if (j < cur->n && cv == v)
			out->cur[n] = assay_numeric_map_count(cur, j++);
		n++;
	}
	out->nref = assay_numeric_map_total(ref);
	out->ncur = assay_numeric_map_total(cur);
	return 0;
}

int assay_bins_evidently(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         struct assay_bins *out, struct assay_error *err)
{
	if (ref->n > 20)
		return assay_bins_sturges(ref, cur, out, err);
	return assay_bins_values(ref, cur, out, err);
}

int assay_bins_categories(const struct assay_category_map *ref, const struct assay_category_map *cur,
                          struct assay_bins *out, struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	size_t cap = ref->n + cur->n;
	out->name = malloc((cap ? cap : 1) * sizeof *out->name);
	uint32_t *len = malloc((cap ? cap : 1) * sizeof *len);
	out->len = len;
	out->ref = calloc(cap ? cap : 1, sizeof *out->ref);
	out->cur = calloc(cap ? cap : 1, sizeof *out->cur);
	if (!out->name || !len || !out->ref || !out->cur) {
		assay_bins_free(out);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory for %zu categories",
		                       cap);
	}
	size_t n = 0, i = 0, j = 0;
	while (i < ref->n || j < cur->n) {
		int c;
		if (i >= ref->n)
			c = 1;
		else if (j >= cur->n)
			c = -1;
		else
			c = assay_bytes_cmp(ref->value[i], ref->len[i], cur->value[j], cur->len[j]);
		if (c <= 0) {
			out->name[n] = ref->value[i];
			len[n] = ref->len[i];
			out->ref[n] = ref->count[i++];
		}
		if (c >= 0) {
			if (c > 0) {
				out->name[n] = cur->value[j];
				len[n] = cur->len[j];
			}
			out->cur[n] = cur->count[j++];
		}
		n++;
	}
	out->n = n;
	out->nref = assay_category_map_total(ref);
	out->ncur = assay_category_map_total(cur);
	return 0;
}
