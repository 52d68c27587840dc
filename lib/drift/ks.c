/* ks.c: the two-sample Kolmogorov-Smirnov test on sorted value -> count maps.
 *
 * Matches scipy.stats.ks_2samp (scipy 1.10) with alternative='two-sided':
 * - D: one merge walk over the distinct values of both maps; at each value
 *   the ECDFs are count_le / n (right-continuous, so ties in and between
 *   the samples are handled as searchsorted(side='right') does).
 * - method 'auto': exact when max(n1, n2) <= 10000, else asymptotic.
 * - exact: h = |c1 n2/g - c2 n1/g| at the maximum (an integer, so D is
 *   exactly h / lcm(n1, n2), the value scipy reports after rounding
 *   D * lcm); n1 == n2 uses the alternating sum of ratios of binomials
 *   (Hodges' outside-square formula), n1 != n2 Hodges' inside-method
 *   lattice recursion written for 1 - p (Viehmann 2021, arXiv 2102.08037),
 *   both in the same floating-point steps as scipy; a p outside [0, 1] or a
 *   window out of range falls back to asymptotic, as scipy does.
 * - asymptotic: kstwo.sf(D, round(n1 n2 / (n1 + n2))) (kolmogorov.c).
 * assay_ks_critical_d: the asymptotic critical D at a level (Kolmogorov
 * limit), for the conservative rule on sketches (drift.c).
 * One-sided alternatives are not offered (drift is two-sided).
 */
#include <math.h>
#include <stdlib.h>

#include "assay/drift.h"
#include "drift_internal.h"

uint64_t assay_numeric_map_total(const struct assay_numeric_map *m)
{
	uint64_t t = 0;
	if (m->raw)
		return m->nraw;
	if (!m->count) { /* packed: the byte counts, then the big ones for their 255s */
		t = drift_sum_bytes(m->kcount, m->n);
		for (size_t b = 0; b < m->nbig; b++)
			t += m->big[b].count - 255;
		return t;
	}
	for (size_t i = 0; i < m->n; i++)
		t += m->count[i];
	return t;
}

/* Python's floor and ceiling of a / b for b > 0 (a may be negative). */
static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && (a < 0))
		q--;
	return q;
}

static int64_t ceildiv(int64_t a, int64_t b)
{
	return -floordiv(-a, b);
}

/* P(D_{n,n} >= h/n) = 2 (A0 (1 - A1 (1 - A2 (...)))), Horner-like from the
 * last term, each A_k a product of h ratios (n - kh - j) / (n + kh + j + 1). */
static double prob_outside_square(int64_t n, int64_t h)
{
	double P = 0.0;
	for (int64_t k = n / h; k >= 0; k--) {
		double p1 = 1.0;
		for (int64_t j = 0; j < h; j++)
			p1 = (double)(n - k * h - j) * p1 / (double)(n + k * h + j + 1);
		P = p1 * (1.0 - P);
	}
	return 2 * P;
}

/* 1 - (share of lattice paths from (0,0) to (m,n) that stay strictly
 * inside |x/m - y/n| < h/lcm), column by column over a sliding window.
 * Returns -1 if the window would leave its buffer (never expected). */
static int outer_prob_inside(int64_t m, int64_t n, int64_t g, int64_t h, double *out)
{
	if (m < n) {
		int64_t t = m;
		m = n;
		n = t;
	}
	int64_t mg = m / g, ng = n / g;
	int64_t minj = 0, maxj = ceildiv(h, mg);
	if (maxj > n + 1)
		maxj = n + 1;
	int64_t curlen = maxj - minj;
	int64_t lenA = 2 * maxj + 2 < n + 1 ? 2 * maxj + 2 : n + 1;
	double *A = malloc((size_t)lenA * sizeof *A);
	if (!A)
		return -1;
	for (int64_t j = 0; j < lenA; j++)
		A[j] = j < maxj ? 0.0 : 1.0;
	for (int64_t i = 1; i <= m; i++) {
		int64_t lastminj = minj, lastlen = curlen;
		minj = floordiv(ng * i - h, mg) + 1;
		if (minj < 0)
			minj = 0;
		if (minj > n)
			minj = n;
		maxj = ceildiv(ng * i + h, mg);
		if (maxj > n + 1)
			maxj = n + 1;
		if (maxj <= minj) {
			free(A);
			*out = 1.0;
			return 0;
		}
		double val = minj == 0 ? 0.0 : 1.0;
		for (int64_t jj = 0; jj < maxj - minj; jj++) {
			int64_t j = jj + minj, src = jj + minj - lastminj;
			if (src >= lenA || jj >= lenA) {
				free(A);
				return -1;
			}
			val = (A[src] * (double)i + val * (double)j) / (double)(i + j);
			A[jj] = val;
		}
		curlen = maxj - minj;
		for (int64_t j = curlen; j < curlen + (lastlen - curlen) && j < lenA; j++)
			A[j] = 1.0;
	}
	*out = A[maxj - minj - 1];
	free(A);
	return 0;
}

int assay_ks_exact_pvalue(uint64_t n1, uint64_t n2, uint64_t h, double *p)
{
	if (h == 0) {
		*p = 1.0;
		return 0;
	}
	double prob;
	if (n1 == n2) {
		prob = prob_outside_square((int64_t)n1, (int64_t)h);
	} else {
		uint64_t g = drift_gcd(n1, n2);
		if (outer_prob_inside((int64_t)n1, (int64_t)n2, (int64_t)g, (int64_t)h, &prob) != 0)
			return -1;
	}
	if (!(prob >= 0 && prob <= 1))
		return -1;
	*p = prob;
	return 0;
}

/* Round half to even, as numpy.round. */
static double round_even(double x)
{
	return nearbyint(x);
}

int assay_ks_2samp(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                   enum assay_ks_method method, struct assay_ks *out, struct assay_error *err)
{
	uint64_t n1 = assay_numeric_map_total(ref), n2 = assay_numeric_map_total(cur);
	out->n1 = n1;
	out->n2 = n2;
	out->d = NAN;
	out->pvalue = NAN;
	out->exact = 0;
	if (n1 == 0 || n2 == 0)
		return assay_error_set(
		    err, ASSAY_EINPUT, NULL, 0, 0,
		    "Kolmogorov-Smirnov needs two non-empty samples (reference %llu values, current %llu)",
		    (unsigned long long)n1, (unsigned long long)n2);
	uint64_t g = drift_gcd(n1, n2), n1g = n1 / g, n2g = n2 / g;
	/* Merge walk: c1, c2 = counts <= v. diff as scipy computes it (two
	 * divisions, one subtraction) for the asymptotic D; the integer
	 * |c1 n2g - c2 n1g| for the exact D. */
	double maxS = -INFINITY, minS = INFINITY;
	uint64_t hmax = 0;
	size_t i = 0, j = 0;
	uint64_t c1 = 0, c2 = 0;
	/* n1g * n2 <= 2^64 is not guaranteed for huge samples: the exact path
	 * only runs when lcm fits (checked below), so wrap-around in h is
	 * harmless for the asymptotic path. */
#define KS_STEP()                                                                                            \
	do {                                                                                                 \
		double diff = (double)c1 / (double)n1 - (double)c2 / (double)n2;                             \
		if (diff > maxS)                                                                             \
			maxS = diff;                                                                         \
		if (diff < minS)                                                                             \
			minS = diff;                                                                         \
		uint64_t a = c1 * n2g, b = c2 * n1g;                                                         \
		uint64_t h = a > b ? a - b : b - a;                                                          \
		if (h > hmax)                                                                                \
			hmax = h;                                                                            \
	} while (0)
	if (ref->key && cur->key) {
		/* both packed: keys order and compare exactly as their values */
		while (i < ref->n || j < cur->n) {
			uint32_t v = j >= cur->n || (i < ref->n && ref->key[i] < cur->key[j]) ? ref->key[i]
			                                                                      : cur->key[j];
			if (i < ref->n && ref->key[i] == v)
				c1 += assay_numeric_map_count(ref, i++);
			if (j < cur->n && cur->key[j] == v)
				c2 += assay_numeric_map_count(cur, j++);
			KS_STEP();
		}
	} else {
		while (i < ref->n || j < cur->n) {
			double rv = i < ref->n ? assay_numeric_map_value(ref, i) : 0;
			double cv = j < cur->n ? assay_numeric_map_value(cur, j) : 0;
			double v = j >= cur->n || (i < ref->n && rv < cv) ? rv : cv;
			if (i < ref->n && rv == v)
				c1 += assay_numeric_map_count(ref, i++);
			if (j < cur->n && cv == v)
				c2 += assay_numeric_map_count(cur, j++);
			KS_STEP();
		}
	}
#undef KS_STEP
	drift_ks_finish(n1, n2, maxS, minS, hmax, method, out);
	return 0;
}

void drift_ks_finish(uint64_t n1, uint64_t n2, double maxS, double minS, uint64_t hmax,
                     enum assay_ks_method method, struct assay_ks *out)
{
	uint64_t g = drift_gcd(n1, n2), n1g = n1 / g, n2g = n2 / g;
	out->n1 = n1;
	out->n2 = n2;
	out->exact = 0;
	double negmin = -minS;
	if (negmin < 0)
		negmin = 0;
	if (negmin > 1)
		negmin = 1;
	double d = negmin > maxS ? negmin : maxS;

	int exact = 0;
	if (method == ASSAY_KS_AUTO)
		exact = (n1 > n2 ? n1 : n2) <= 10000;
	else if (method == ASSAY_KS_EXACT)
		exact = !((double)n1g >= 2147483647.0 / (double)n2g);
	if (exact) {
		double lcm = (double)n1g * (double)n2;
		double p;
		if (assay_ks_exact_pvalue(n1, n2, hmax, &p) == 0) {
			out->d = (double)hmax * 1.0 / lcm;
			out->pvalue = p;
			out->exact = 1;
			return;
		}
		d = (double)hmax / lcm; /* scipy keeps the rounded D when it falls back */
	}
	double m = (double)(n1 > n2 ? n1 : n2), n = (double)(n1 > n2 ? n2 : n1);
	double en = m * n / (m + n);
	double p = assay_kstwo_sf(d, (uint64_t)round_even(en));
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	out->d = d;
	out->pvalue = p;
}

/* Q(c) = P(K > c) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 c^2), the Kolmogorov
 * limit of P(sqrt(n1 n2 / (n1 + n2)) D > c); c(alpha) by bisection (Q is
 * decreasing). c(0.05) = 1.3581, c(0.01) = 1.6276. */
static double kolmogorov_q(double c)
{
	double s = 0;
	for (int k = 1; k <= 100; k++) {
		double t = exp(-2.0 * k * k * c * c);
		s += (k % 2 ? t : -t);
		if (t < 1e-300)
			break;
	}
	return 2 * s;
}

double assay_ks_critical_d(uint64_t n1, uint64_t n2, double alpha)
{
	if (!(alpha > 0 && alpha < 1) || n1 == 0 || n2 == 0)
		return NAN;
	double lo = 0.1, hi = 10; /* Q(0.1) = 1, Q(10) = 0 in doubles */
	for (int i = 0; i < 100; i++) {
		double mid = (lo + hi) / 2;
		if (kolmogorov_q(mid) > alpha)
			lo = mid;
		else
			hi = mid;
	}
	double a = (double)n1, b = (double)n2;
	return (lo + hi) / 2 * sqrt((a + b) / (a * b));
}
