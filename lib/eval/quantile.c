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
#include <stdlib.h>
#include <string.h>

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
 * 0..25 and 974..999 of 1000 replicates at 95%). Two thresholds are
 * selected from a sample of SAMPLE replicates spread over the vector (its
 * 5th smallest and 5th largest, near the 8% and 92% quantiles), and one
 * pass without data-dependent branches gathers the values below the low
 * threshold and those above the high one (~75 each out of 1000) and counts
 * the NaN. When at least as many as needed fall below (above) it, the
 * needed order statistics are all among them, exactly: if k values lie
 * below T, the k smallest do. They are then selected from the candidates.
 * A side that came up short gets one more pass with the 13th of the
 * sample (~3% of columns); after that (or with NaN in the sample) the
 * quickselects above run. Measured on 720 columns of 1000 normal
 * replicates, each copied out first as run_percentiles does: 9-11 us a
 * column with the previous single pass that kept the tails in sorted
 * arrays, ~3 us with the thresholds. */
#define SAMPLE   64
#define TAIL_MAX 128 /* the most order statistics a side may need */
#define CAND_MAX 512 /* candidates a side may gather */

/* select_kth for the few candidates of tails(): a two-way partition
 * written without branches on the data (the three-way one mispredicts on
 * about every other value, which made it cost more than the whole pass
 * over the replicates). Ties can make a two-way partition loop without
 * progress, so after a bounded number of rounds the three-way one ends
 * the job. */
static void select_small(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n;
	for (int round = 0; hi - lo > 1 && round < 24; round++) {
		size_t mid = lo + (hi - lo) / 2;
		double a = v[lo], b = v[mid], c = v[hi - 1];
		double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		/* [lo, lt) < pivot <= [lt, hi) */
		size_t lt = lo;
		for (size_t i = lo; i < hi; i++) {
			double x = v[i];
			int less = x < pivot;
			v[i] = v[lt];
			v[lt] = x;
			lt += (size_t)less;
		}
		if (k < lt) {
			hi = lt;
		} else {
			/* [lt, hi) >= pivot: its minimum is pivot itself; when k is
			 * lt, done */
			if (k == lt) {
				size_t j = lt;
				for (size_t i = lt + 1; i < hi; i++)
					j = v[i] < v[j] ? i : j;
				double t = v[lt];
				v[lt] = v[j];
				v[j] = t;
				return;
			}
			lo = lt;
		}
	}
	if (hi - lo > 1)
		select_kth(v + lo, hi - lo, k - lo);
}

/* The k-th smallest of c[0..n) and the smallest above it (k + 1 < n). */
static void two_from(double *c, size_t n, size_t k, double *a, double *b)
{
	select_small(c, n, k);
	double y = c[k + 1];
	for (size_t i = k + 2; i < n; i++)
		if (c[i] < y)
			y = c[i];
	*a = c[k];
	*b = y;
}

/* numpy's linear quantile from the order statistics rank k and k + 1. */
static double interpolate(double h, size_t k, double a, double b)
{
	return h == (double)k ? a : a + (h - (double)k) * (b - a);
}

/* Gather the values below t_lo and above t_hi; 0 when either side holds
 * fewer than needed (or more than fit). */
/* Gather the values of v[0..n) below t_lo and above t_hi, 64 at a time
 * (the bound is checked once a block), and count the NaN; 0 when a side
 * would overflow. */
static int gather(const double *v, size_t n, double t_lo, double t_hi, double *lo, size_t *nl, double *hi,
                  size_t *nh, size_t *nan)
{
	size_t l = 0, h = 0, z = 0;
	for (size_t i = 0; i < n;) {
		if (l > CAND_MAX - 64 || h > CAND_MAX - 64)
			return 0;
		size_t e = n - i < 64 ? n : i + 64;
		for (; i < e; i++) {
			double x = v[i];
			lo[l] = x;
			hi[h] = x;
			l += x < t_lo;
			h += x > t_hi;
			z += x != x;
		}
	}
	*nl = l, *nh = h, *nan = z;
	return 1;
}

/* The fast path; 0 when it cannot decide (then the caller selects). */
static int tails(const double *v, size_t n, double q_lo, double q_hi, double *qlo, double *qhi)
{
	double s[SAMPLE];
	for (size_t i = 0; i < SAMPLE; i++) {
		s[i] = v[i * (n / SAMPLE)];
		if (isnan(s[i]))
			return 0;
	}
	double lo[CAND_MAX], hi[CAND_MAX];
	size_t nl = 0, nh = 0, m = 0, k_lo = 0, k_hi = 0;
	double h_lo = 0, h_hi = 0;
	/* ranks 0..k_lo+1 must be below t_lo, ranks k_hi..m-1 above t_hi:
	 * the 5th and 60th of 64 first (~8% of the values each side), the
	 * 13th and 52nd when one side was short */
	int ok = 0;
	for (size_t j = 4; !ok && j <= 12; j += 8) {
		select_small(s, SAMPLE, j);
		double t_lo = s[j];
		select_small(s, SAMPLE, SAMPLE - 1 - j);
		size_t nan;
		if (!gather(v, n, t_lo, s[SAMPLE - 1 - j], lo, &nl, hi, &nh, &nan))
			return 0;
		m = n - nan;
		h_lo = q_lo * (double)(m - 1), h_hi = q_hi * (double)(m - 1);
		k_lo = (size_t)floor(h_lo), k_hi = (size_t)floor(h_hi);
		if (m < 8 * SAMPLE || k_lo + 2 > TAIL_MAX || m - k_hi > TAIL_MAX || k_lo >= k_hi ||
		    k_hi + 1 >= m)
			return 0;
		ok = nl >= k_lo + 2 && nh >= m - k_hi;
	}
	if (!ok)
		return 0;
	double a, b;
	two_from(lo, nl, k_lo, &a, &b);
	*qlo = interpolate(h_lo, k_lo, a, b);
	/* global rank r is rank r - (m - nh) among the nh largest */
	two_from(hi, nh, k_hi - (m - nh), &a, &b);
	*qhi = interpolate(h_hi, k_hi, a, b);
	return 1;
}

void nanquantiles(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi)
{
	if (n >= 8 * SAMPLE && tails(v, n, q_lo, q_hi, lo, hi))
		return;
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (m == 0) {
		*lo = *hi = NAN;
		return;
	}
	*lo = quantile_of(v, m, q_lo);
	*hi = quantile_of(v, m, q_hi);
}

/* ---- Streaming tails ----
 *
 * The order statistics an interval needs are among the few smallest and
 * largest replicates (ranks floor(q_lo (m - 1)) and the next, m the
 * non-NaN count, and likewise from the top). Each thread keeps, per
 * column, its K smallest values ascending and its K largest descending,
 * K the most any m <= B can need (tail_k). A value enters a tail only when
 * it beats the tail's last (after the first K, about K ln(B / K) values of
 * B), so most cost one comparison a side. The union of the threads' tails
 * holds the K smallest and largest of all, from which the same order
 * statistics, and the same interpolation as nanquantiles, give the same
 * doubles. This replaces storing B values per column (5.7 MB at 1M rows,
 * whose page faults were a third of the bootstrap's CPU). */
#define TAIL_K_MAX 64

struct tail_acc {
	size_t k;
	uint32_t *nlo, *nhi; /* per column: values kept */
	uint64_t *m;         /* per column: non-NaN values seen */
	double *lo, *hi;     /* per column: k slots, ascending / descending */
};

/* The order statistics of the low (high) end for m values: the ranks
 * floor(q (m - 1)) and the next, as counts from that end. */
static size_t need_lo(size_t m, double q)
{
	size_t k = (size_t)floor(q * (double)(m - 1));
	return k + 2 < m ? k + 2 : m;
}

static size_t need_hi(size_t m, double q)
{
	size_t k = (size_t)floor(q * (double)(m - 1));
	return m - k + 1 < m ? m - k + 1 : m;
}

size_t tail_k(size_t B, double q_lo, double q_hi)
{
	size_t k = 1;
	for (size_t m = 1; m <= B; m++) {
		size_t a = need_lo(m, q_lo), b = need_hi(m, q_hi);
		k = a > k ? a : k;
		k = b > k ? b : k;
	}
	return k <= TAIL_K_MAX ? k : 0;
}

struct tail_acc *tail_acc_new(size_t ncols, size_t k)
{
	struct tail_acc *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->k = k;
	a->nlo = calloc(ncols + 1, sizeof *a->nlo);
	a->nhi = calloc(ncols + 1, sizeof *a->nhi);
	a->m = calloc(ncols + 1, sizeof *a->m);
	a->lo = malloc((ncols + 1) * k * sizeof *a->lo);
	a->hi = malloc((ncols + 1) * k * sizeof *a->hi);
	if (!a->nlo || !a->nhi || !a->m || !a->lo || !a->hi) {
		tail_acc_free(a);
		return NULL;
	}
	return a;
}

void tail_acc_free(struct tail_acc *a)
{
	if (!a)
		return;
	free(a->nlo), free(a->nhi), free(a->m), free(a->lo), free(a->hi);
	free(a);
}

/* x into the sorted t[0..*n) (at most k kept), before the first value it
 * beats: ascending when dir is 1, descending when -1. */
static void tail_put(double *t, uint32_t *n, size_t k, double x, int dir)
{
	size_t i = *n < k ? (*n)++ : k - 1;
	while (i > 0 && (dir > 0 ? x < t[i - 1] : x > t[i - 1])) {
		t[i] = t[i - 1];
		i--;
	}
	t[i] = x;
}

void tail_acc_add(struct tail_acc *a, size_t c, const double *v, size_t stride, size_t n)
{
	size_t k = a->k;
	double *lo = a->lo + c * k, *hi = a->hi + c * k;
	uint32_t nlo = a->nlo[c], nhi = a->nhi[c];
	uint64_t m = a->m[c];
	for (size_t i = 0; i < n; i++) {
		double x = v[i * stride];
		if (x != x)
			continue;
		m++;
		if (nlo < k || x < lo[k - 1])
			tail_put(lo, &nlo, k, x, 1);
		if (nhi < k || x > hi[k - 1])
			tail_put(hi, &nhi, k, x, -1);
	}
	a->nlo[c] = nlo, a->nhi[c] = nhi, a->m[c] = m;
}

/* Merge the sorted x[0..nx) and y[0..ny) (ascending when dir is 1,
 * descending when -1) into out, keeping at most k. */
static size_t merge_k(const double *x, size_t nx, const double *y, size_t ny, int dir, size_t k, double *out)
{
	size_t i = 0, j = 0, o = 0;
	while (o < k && (i < nx || j < ny)) {
		int take_x = j == ny || (i < nx && (dir > 0 ? x[i] <= y[j] : x[i] >= y[j]));
		out[o++] = take_x ? x[i++] : y[j++];
	}
	return o;
}

void tail_ends(struct tail_acc *const *a, size_t n, size_t c, double q_lo, double q_hi, double *lo,
               double *hi)
{
	double buf[2][TAIL_K_MAX];
	uint64_t m = 0;
	for (size_t t = 0; t < n; t++)
		m += a[t]->m[c];
	if (m == 0) {
		*lo = *hi = NAN;
		return;
	}
	size_t k = a[0]->k;
	for (int side = 0; side < 2; side++) {
		/* the k smallest (side 0, ascending) or largest (side 1,
		 * descending) of all m: position j holds rank j, or m - 1 - j */
		int dir = side ? -1 : 1;
		const double *cur = (side ? a[0]->hi : a[0]->lo) + c * k;
		size_t u = side ? a[0]->nhi[c] : a[0]->nlo[c];
		for (size_t t = 1; t < n; t++) {
			double *dst = buf[t & 1];
			u = merge_k(cur, u, (side ? a[t]->hi : a[t]->lo) + c * k, side ? a[t]->nhi[c] : a[t]->nlo[c],
			            dir, k, dst);
			cur = dst;
		}
		double q = side ? q_hi : q_lo, h = q * (double)(m - 1);
		size_t r = (size_t)floor(h);
		double x, y;
		if (!side) {
			x = cur[r];
			y = r + 1 < m ? cur[r + 1] : x;
		} else {
			x = cur[m - 1 - r];
			y = r + 1 < m ? cur[m - 2 - r] : x;
		}
		*(side ? hi : lo) = r + 1 >= m ? x : interpolate(h, r, x, y);
	}
}
