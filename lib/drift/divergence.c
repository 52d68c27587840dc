/* divergence.c: distances between two distributions given as shares over
 * shared bins, and the Wasserstein-1 distance between two value maps.
 *
 * - PSI = sum (cur - ref) ln(cur / ref) on zero-filled shares (the fill is
 *   the caller's choice: 1e-4 as in DRIFT_REFERENCE.md, or Evidently's
 *   m / 1e6 rule); natural log;
 * - Jensen-Shannon distance as scipy.spatial.distance.jensenshannon:
 *   normalise, m = (p + q) / 2, sqrt((sum rel_entr(p, m) + sum
 *   rel_entr(q, m)) / ln(base) / 2), rel_entr(0, y) = 0; raw shares (no
 *   zero fill needed: m > 0 wherever p or q is);
 * - KL as scipy.stats.entropy(p, q): normalise, sum rel_entr(p, q), +inf
 *   when q = 0 < p;
 * - Hellinger: sqrt(sum (sqrt p - sqrt q)^2 / 2) of normalised shares;
 * - Wasserstein-1 as scipy.stats.wasserstein_distance: sum over adjacent
 *   distinct values of the merged support of |F(x_i) - G(x_i)| (x_i+1 -
 *   x_i), F and G right-continuous ECDFs (count_le / n).
 * Sums use numpy's pairwise order (assay_sum_pairwise) so that results
 * agree with numpy to the last bits, not merely to rounding.
 */
#include <math.h>
#include <stdlib.h>

#include "assay/drift.h"

/* numpy's pairwise_sum: below 8 terms a plain loop; up to 128 eight
 * interleaved partial sums combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))
 * then the tail; beyond, halves rounded down to a multiple of 8. */
double assay_sum_pairwise(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.;
		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	}
	if (n <= 128) {
		double r[8];
		for (int k = 0; k < 8; k++)
			r[k] = a[k];
		size_t i;
		for (i = 8; i < n - (n % 8); i += 8)
			for (int k = 0; k < 8; k++)
				r[k] += a[i + k];
		double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return assay_sum_pairwise(a, n2) + assay_sum_pairwise(a + n2, n - n2);
}

void assay_shares(const uint64_t *count, size_t n, uint64_t total, double *share)
{
	for (size_t i = 0; i < n; i++)
		share[i] = total ? (double)count[i] / (double)total : 0.0;
}

void assay_fill_zeros(double *share, size_t n, double eps)
{
	for (size_t i = 0; i < n; i++)
		if (share[i] == 0)
			share[i] = eps;
}

void assay_fill_zeros_evidently(double *share, size_t n)
{
	double m = INFINITY;
	for (size_t i = 0; i < n; i++)
		if (share[i] != 0 && share[i] < m)
			m = share[i];
	if (isinf(m))
		return; /* all zero: Evidently would fail on min([]); leave as is */
	assay_fill_zeros(share, n, m <= 0.0001 ? m / 1e6 : 0.0001);
}

double assay_psi(const double *ref, const double *cur, size_t n)
{
	double *t = malloc((n ? n : 1) * sizeof *t);
	if (!t)
		return NAN;
	for (size_t i = 0; i < n; i++)
		t[i] = (cur[i] - ref[i]) * log(cur[i] / ref[i]);
	double s = assay_sum_pairwise(t, n);
	free(t);
	return s;
}

static double rel_entr(double x, double y)
{
	if (isnan(x) || isnan(y))
		return NAN;
	if (x > 0 && y > 0)
		return x * log(x / y);
	if (x == 0 && y >= 0)
		return 0;
	return INFINITY;
}

/* p / sum(p) into out; returns 0, or -1 when the sum is not positive. */
static int normalise(const double *p, size_t n, double *out)
{
	double s = assay_sum_pairwise(p, n);
	if (!(s > 0))
		return -1;
	for (size_t i = 0; i < n; i++)
		out[i] = p[i] / s;
	return 0;
}

double assay_js_distance(const double *p, const double *q, size_t n, double base)
{
	double *a = malloc((n ? n : 1) * 4 * sizeof *a);
	if (!a)
		return NAN;
	double *pn = a, *qn = a + n, *l = a + 2 * n, *r = a + 3 * n;
	double js = NAN;
	if (normalise(p, n, pn) == 0 && normalise(q, n, qn) == 0) {
		for (size_t i = 0; i < n; i++) {
			double m = (pn[i] + qn[i]) / 2.0;
			l[i] = rel_entr(pn[i], m);
			r[i] = rel_entr(qn[i], m);
		}
		js = assay_sum_pairwise(l, n) + assay_sum_pairwise(r, n);
		if (base > 0)
			js /= log(base);
		js = sqrt(js / 2.0);
	}
	free(a);
	return js;
}

double assay_kl_divergence(const double *p, const double *q, size_t n, double base)
{
	double *a = malloc((n ? n : 1) * 3 * sizeof *a);
	if (!a)
		return NAN;
	double *pn = a, *qn = a + n, *t = a + 2 * n;
	double kl = NAN;
	if (normalise(p, n, pn) == 0 && normalise(q, n, qn) == 0) {
		for (size_t i = 0; i < n; i++)
			t[i] = rel_entr(pn[i], qn[i]);
		kl = assay_sum_pairwise(t, n);
		if (base > 0)
			kl /= log(base);
	}
	free(a);
	return kl;
}

double assay_hellinger(const double *p, const double *q, size_t n)
{
	double *a = malloc((n ? n : 1) * 3 * sizeof *a);
	if (!a)
		return NAN;
	double *pn = a, *qn = a + n, *t = a + 2 * n;
	double h = NAN;
	if (normalise(p, n, pn) == 0 && normalise(q, n, qn) == 0) {
		for (size_t i = 0; i < n; i++) {
			double d = sqrt(pn[i]) - sqrt(qn[i]);
			t[i] = d * d;
		}
		h = sqrt(assay_sum_pairwise(t, n) / 2.0);
	}
	free(a);
	return h;
}

double assay_wasserstein(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur)
{
	uint64_t n1 = assay_numeric_map_total(ref), n2 = assay_numeric_map_total(cur);
	if (n1 == 0 || n2 == 0)
		return NAN;
	size_t cap = ref->n + cur->n;
	double *t = malloc((cap ? cap : 1) * sizeof *t);
	if (!t)
		return NAN;
	size_t i = 0, j = 0, k = 0;
	uint64_t c1 = 0, c2 = 0;
	double prev = NAN;
	double rv = ref->n ? assay_numeric_map_value(ref, 0) : 0;
	double cv = cur->n ? assay_numeric_map_value(cur, 0) : 0;
	while (i < ref->n || j < cur->n) {
		double v = (j >= cur->n || (i < ref->n && rv < cv)) ? rv : cv;
		if (k > 0 || !isnan(prev)) {
			double F = (double)c1 / (double)n1, G = (double)c2 / (double)n2;
			t[k++] = fabs(F - G) * (v - prev);
		}
		if (i < ref->n && rv == v) {
			c1 += assay_numeric_map_count(ref, i++);
			if (i < ref->n)
				rv = assay_numeric_map_value(ref, i);
		}
		if (j < cur->n && cv == v) {
			c2 += assay_numeric_map_count(cur, j++);
			if (j < cur->n)
				cv = assay_numeric_map_value(cur, j);
		}
		prev = v;
	}
	double w = assay_sum_pairwise(t, k);
	free(t);
	return w;
}
