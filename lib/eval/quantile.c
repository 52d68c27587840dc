/* quantile.c: percentile interval end points of bootstrap replicates.
 *
 * numpy's quantile with method="linear": for q in [0, 1] and m values
 * sorted, position h = q (m - 1), result v[floor h] + (h - floor h) *
 * (v[floor h + 1] - v[floor h]). Only two order statistics per quantile
 * are needed, so instead of sorting (which dominated the bootstrap's cost)
 * each is found by quickselect in O(m), and the next one is the minimum of
 * the part above it. NaN replicates are dropped first (nanquantile).
 */
#include <math.h>

#include "internal.h"

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* Reorder v[0..n) so that v[k] is the k-th smallest, smaller ones before.
 * Three-way partition: replicates of a rate on a small group take few
 * distinct values, and a two-way partition degrades to O(n^2) on ties (it
 * was 23% of a 20k-row bootstrap). */
static void select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the k-th smallest is in v[lo, hi) */
	while (hi - lo > 1) {
		/* median of three as pivot */
		size_t mid = lo + (hi - lo) / 2;
		double a = v[lo], b = v[mid], c = v[hi - 1];
		double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		/* [lo, lt) < pivot, [lt, i) == pivot, (gt, hi) > pivot */
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (v[i] < pivot)
				swap(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				swap(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return; /* v[k] == pivot, in place */
	}
}

static double quantile_of(double *v, size_t m, double q)
{
	double h = q * (double)(m - 1);
	size_t k = (size_t)floor(h);
	select_kth(v, m, k);
	double a = v[k];
	if (k + 1 >= m || h == (double)k)
		return a;
	double b = v[k + 1];
	for (size_t i = k + 2; i < m; i++)
		if (v[i] < b)
			b = v[i];
	return a + (h - (double)k) * (b - a);
}

/* The tail order statistics a percentile interval needs are few (ranks
 * 0..25 and 974..999 of 1000 replicates at 95%): one pass keeps the
 * `nlo` smallest and `nhi` largest in small sorted arrays, so most values
 * cost two comparisons, instead of two quickselects over all of them. */
#define TAIL_MAX 64

static void keep_smallest(double *t, size_t *n, size_t cap, double x)
{
	if (*n == cap && !(x < t[cap - 1]))
		return;
	size_t i = *n < cap ? (*n)++ : cap - 1;
	while (i > 0 && t[i - 1] > x) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = x;
}

static void keep_largest(double *t, size_t *n, size_t cap, double x)
{
	if (*n == cap && !(x > t[cap - 1]))
		return;
	size_t i = *n < cap ? (*n)++ : cap - 1;
	while (i > 0 && t[i - 1] < x) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = x;
}

/* numpy's linear quantile from the order statistics rank k and k + 1. */
static double interpolate(double h, size_t k, double a, double b)
{
	return h == (double)k ? a : a + (h - (double)k) * (b - a);
}

void nanquantiles(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (m == 0) {
		*lo = *hi = NAN;
		return;
	}
	double h_lo = q_lo * (double)(m - 1), h_hi = q_hi * (double)(m - 1);
	size_t k_lo = (size_t)floor(h_lo), k_hi = (size_t)floor(h_hi);
	/* ranks needed: 0..k_lo+1 from the bottom, k_hi..m-1 from the top */
	size_t nlo = k_lo + 2, nhi = m - k_hi;
	if (m >= 4 * TAIL_MAX && nlo <= TAIL_MAX && nhi <= TAIL_MAX && k_lo + 1 < m && k_hi + 1 < m) {
		double small[TAIL_MAX], large[TAIL_MAX];
		size_t ns = 0, nl = 0;
		for (size_t i = 0; i < m; i++) {
			keep_smallest(small, &ns, nlo, v[i]);
			keep_largest(large, &nl, nhi, v[i]);
		}
		/* rank k_hi is large[m-1-k_hi], rank k_hi+1 is large[m-2-k_hi] */
		*lo = interpolate(h_lo, k_lo, small[k_lo], small[k_lo + 1]);
		*hi = interpolate(h_hi, k_hi, large[m - 1 - k_hi], large[m - 2 - k_hi]);
		return;
	}
	*lo = quantile_of(v, m, q_lo);
	*hi = quantile_of(v, m, q_hi);
}
