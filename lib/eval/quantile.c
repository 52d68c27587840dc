/* quantile.c: percentile interval end points of bootstrap replicates.
 *
 * numpy's quantile with method="linear": for q in [0, 1] and m values
 * sorted, position h = q (m - 1), result v[floor h] + (h - floor h) *
 * (v[floor h + 1] - v[floor h]). Only two order statistics per quantile
 * are needed, so instead of sorting (which dominated the bootstrap's cost)
 * each is found by quickselect in O(m), and the next one is the minimum of
 * the part above it. NaN replicates are dropped first (nanquantile).
 * Where the CPU has AVX-512, the threshold path below gathers its
 * candidates and reads its sample's thresholds with vector compares
 * (nanquantiles_with: the same values as the scalar loops, which
 * test_quantile also runs): the percentile stage of a 1M-row eval 2.9 ->
 * ~1.6 ms of thread CPU.
 */
#include <math.h>
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

/* v[i..e) onto the candidates: each value is stored on both sides and
 * kept where it passes the threshold (no branch). */
static inline void gather_run(const double *v, size_t i, size_t e, double t_lo, double t_hi, double *lo,
                              size_t *l, double *hi, size_t *h, size_t *z)
{
	for (; i < e; i++) {
		double x = v[i];
		lo[*l] = x;
		hi[*h] = x;
		*l += x < t_lo;
		*h += x > t_hi;
		*z += x != x;
	}
}

/* Gather the values of v[0..n) below t_lo and above t_hi, 64 at a time
 * (the bound is checked once a block), and count the NaN; 0 when a side
 * would overflow. */
static int gather_scalar(const double *v, size_t n, double t_lo, double t_hi, double *lo, size_t *nl,
                         double *hi, size_t *nh, size_t *nan)
{
	size_t l = 0, h = 0, z = 0;
	for (size_t i = 0; i < n;) {
		if (l > CAND_MAX - 64 || h > CAND_MAX - 64)
			return 0;
		size_t e = n - i < 64 ? n : i + 64;
		gather_run(v, i, e, t_lo, t_hi, lo, &l, hi, &h, &z);
		i = e;
	}
	*nl = l, *nh = h, *nan = z;
	return 1;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,popcnt")))

int quantile_avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("popcnt");
}

/* gather_scalar, eight values at a time: the values below (above) the
 * threshold compressed to the front of a register and stored whole at
 * the end of their side (the bound checked once per 64 values leaves room
 * for the 8 stored), the counts advanced by the masks' popcounts. The
 * same candidates in the same order as gather_scalar. */
AVX512_TARGET static int gather_avx512(const double *v, size_t n, double t_lo, double t_hi, double *lo,
                                       size_t *nl, double *hi, size_t *nh, size_t *nan)
{
	const __m512d tl = _mm512_set1_pd(t_lo), th = _mm512_set1_pd(t_hi);
	size_t l = 0, h = 0, z = 0, i = 0;
	for (; i + 8 <= n; i += 8) {
		if (i % 64 == 0 && (l > CAND_MAX - 64 || h > CAND_MAX - 64))
			return 0;
		__m512d x = _mm512_loadu_pd(v + i);
		__mmask8 ml = _mm512_cmp_pd_mask(x, tl, _CMP_LT_OQ),
		         mh = _mm512_cmp_pd_mask(x, th, _CMP_GT_OQ),
		         mz = _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
		_mm512_storeu_pd(lo + l, _mm512_maskz_compress_pd(ml, x));
		_mm512_storeu_pd(hi + h, _mm512_maskz_compress_pd(mh, x));
		l += (size_t)__builtin_popcount(ml);
		h += (size_t)__builtin_popcount(mh);
		z += (size_t)__builtin_popcount(mz);
	}
	if (i % 64 == 0 && i < n && (l > CAND_MAX - 64 || h > CAND_MAX - 64))
		return 0;
	gather_run(v, i, n, t_lo, t_hi, lo, &l, hi, &h, &z); /* at most 7 left, within the last block of 64 */
	*nl = l, *nh = h, *nan = z;
	return 1;
}

/* The j-th smallest and j-th largest of the SAMPLE values s (no NaN),
 * for small j: the minimum of eight registers taken j + 1 times, one
 * occurrence of it replaced by +inf each time (so ties count as often as
 * they occur), likewise the maximum. The same values as select_small's
 * s[j] and s[SAMPLE - 1 - j], without its passes over the sample. */
AVX512_TARGET static void sample_ends_avx512(const double *s, size_t j, double *t_lo, double *t_hi)
{
	__m512d a[SAMPLE / 8], b[SAMPLE / 8];
	for (int i = 0; i < SAMPLE / 8; i++)
		a[i] = b[i] = _mm512_loadu_pd(s + 8 * i);
	const __m512d inf = _mm512_set1_pd(INFINITY), ninf = _mm512_set1_pd(-INFINITY);
	double lo = 0, hi = 0;
	for (size_t r = 0; r <= j; r++) {
		__m512d m =
		    _mm512_min_pd(_mm512_min_pd(_mm512_min_pd(a[0], a[1]), _mm512_min_pd(a[2], a[3])),
		                  _mm512_min_pd(_mm512_min_pd(a[4], a[5]), _mm512_min_pd(a[6], a[7])));
		__m512d x =
		    _mm512_max_pd(_mm512_max_pd(_mm512_max_pd(b[0], b[1]), _mm512_max_pd(b[2], b[3])),
		                  _mm512_max_pd(_mm512_max_pd(b[4], b[5]), _mm512_max_pd(b[6], b[7])));
		lo = _mm512_reduce_min_pd(m);
		hi = _mm512_reduce_max_pd(x);
		const __m512d lv = _mm512_set1_pd(lo), hv = _mm512_set1_pd(hi);
		for (int i = 0; i < SAMPLE / 8; i++) {
			__mmask8 e = _mm512_cmp_pd_mask(a[i], lv, _CMP_EQ_OQ);
			if (e) {
				a[i] = _mm512_mask_mov_pd(a[i], (__mmask8)(e & -e), inf);
				break;
			}
		}
		for (int i = 0; i < SAMPLE / 8; i++) {
			__mmask8 e = _mm512_cmp_pd_mask(b[i], hv, _CMP_EQ_OQ);
			if (e) {
				b[i] = _mm512_mask_mov_pd(b[i], (__mmask8)(e & -e), ninf);
				break;
			}
		}
	}
	*t_lo = lo, *t_hi = hi;
}

#else

int quantile_avx512_usable(void)
{
	return 0;
}

static int gather_avx512(const double *v, size_t n, double t_lo, double t_hi, double *lo, size_t *nl,
                         double *hi, size_t *nh, size_t *nan)
{
	return gather_scalar(v, n, t_lo, t_hi, lo, nl, hi, nh, nan);
}

static void sample_ends_avx512(const double *s, size_t j, double *t_lo, double *t_hi)
{
	double c[SAMPLE];
	memcpy(c, s, sizeof c);
	select_small(c, SAMPLE, j);
	*t_lo = c[j];
	select_small(c, SAMPLE, SAMPLE - 1 - j);
	*t_hi = c[SAMPLE - 1 - j];
}

#endif

/* The fast path; 0 when it cannot decide (then the caller selects). */
static int tails(const double *v, size_t n, double q_lo, double q_hi, double *qlo, double *qhi, int simd)
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
		double t_lo, t_hi;
		if (simd) {
			sample_ends_avx512(s, j, &t_lo, &t_hi);
		} else {
			select_small(s, SAMPLE, j);
			t_lo = s[j];
			select_small(s, SAMPLE, SAMPLE - 1 - j);
			t_hi = s[SAMPLE - 1 - j];
		}
		size_t nan;
		int ok_gather = simd ? gather_avx512(v, n, t_lo, t_hi, lo, &nl, hi, &nh, &nan)
		                     : gather_scalar(v, n, t_lo, t_hi, lo, &nl, hi, &nh, &nan);
		if (!ok_gather)
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

void nanquantiles_with(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi, int simd)
{
	if (n >= 8 * SAMPLE && tails(v, n, q_lo, q_hi, lo, hi, simd))
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

void nanquantiles(double *v, size_t n, double q_lo, double q_hi, double *lo, double *hi)
{
	nanquantiles_with(v, n, q_lo, q_hi, lo, hi, quantile_avx512_usable());
}
