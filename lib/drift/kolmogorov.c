/* kolmogorov.c: distributions of the Kolmogorov-Smirnov statistics for the
 * asymptotic two-sample p-value.
 *
 * assay_kstwo_sf(d, n) is scipy.stats.kstwo.sf (scipy 1.10, _ksstats.py):
 * the survival function of the one-sample two-sided statistic D_n, with
 * Simard and L'Ecuyer's (2011) choice of method:
 * - Ruben-Gambino closed forms for n d <= 1 and n d >= n - 1;
 * - 2 * smirnov(n, d) when d >= 0.5, or n d^2 >= 2.2 (n > 140), or
 *   n d^2 > 4 (n <= 140);
 * - 0 when n d^2 >= 370 (n > 140);
 * - otherwise 1 - CDF, the CDF from the Durbin matrix in Marsaglia, Tsang
 *   and Wang's form when n <= 100000 and n d^1.5 <= 1.4 (or n <= 140), and
 *   from the Pelz-Good expansion beyond.
 * Deliberate difference: for n <= 140 and 0.754693 < n d^2 <= 4 scipy uses
 * Pomeranz's recursion; we use the Durbin matrix there too (both are exact
 * methods; they agree to rounding).
 *
 * assay_smirnov_sf(n, d) is P(D_n^+ >= d) by the Birnbaum-Tingey sum
 * d * sum_j C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1), evaluated in logs
 * relative to the largest term. The log of a term is formed from Stirling
 * remainders and log1p (no lgamma(n) - lgamma(j) - lgamma(n - j), whose
 * cancellation cost 5.5e-10 relative at n = 2.5e5); the unit test checks
 * n = 2.5e5 against 50-digit mpmath (tests/unit/test_drift_stats.c).
 * scipy's cephes code uses the same sum with its own scaling.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/drift.h"
#include "assay/xsum.h"

static double clip01(double p)
{
	return p < 0 ? 0 : (p > 1 ? 1 : p);
}

/* Stirling's series log(n!) - (n + 1/2) log n + n - log(2 pi)/2 =
 * 1/(12 n) - 1/(360 n^3) + ... (scipy's coefficients). */
static double stirling_series(double n)
{
	static const double c[] = {-2.955065359477124183e-2,  6.4102564102564102564e-3,
	                           -1.9175269175269175269e-3, 8.4175084175084175084e-4,
	                           -5.952380952380952381e-4,  7.9365079365079365079e-4,
	                           -2.7777777777777777778e-3, 8.3333333333333333333e-2};
	double rn = 1.0 / n, x = rn / n, p = 0;
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		p = p * x + c[i];
	return rn * p;
}

/* log(n! / n^n) by Stirling's series (scipy's _log_nfactorial_div_n_pow_n). */
static double log_nfact_div_npown(double n)
{
	return log(n) / 2 - n + log(2 * M_PI) / 2 + stirling_series(n);
}

/* S(m) = log(m!) - m log m + m, the Stirling remainder (0.5 log(2 pi m) +
 * 1/(12 m) - ...): small (never formed as a difference of O(m) terms, which
 * cost 3e-11 at m = 2.5e5), so sums of it keep their digits. lgamma below
 * m = 10 (values under 4, absolute error ~1e-15), the series above. */
static double stirling_rem(double m)
{
	if (m < 10)
		return m == 0 ? 0 : lgamma(m + 1.0) - m * log(m) + m;
	return log(m) / 2 + log(2 * M_PI) / 2 + stirling_series(m);
}

/* The log of Birnbaum-Tingey term j (below), given S(j) and S(n - j). */
static inline double bt_log_term(uint64_t n, uint64_t j, double d, double sn, double ndd, double sj,
                                 double snj)
{
	double nd = (double)n, jd = (double)j, rest = nd - jd;
	double a = 1.0 - d - jd / nd;
	double b = d + jd / nd;
	if (a <= 0)
		return (n - j == 0) ? lgamma(nd + 1.0) - lgamma(jd + 1.0) + (jd - 1.0) * log(b) : -INFINITY;
	return sn - sj - snj - log(b) + rest * log1p(-ndd / rest) + (j ? jd * log1p(ndd / jd) : 0.0);
}

/* The log of term j: bt_log_term with S(j) and S(n - j) formed here, for
 * the trapezoid below (which takes a few terms, not all of them). */
static double bt_log_at(uint64_t n, uint64_t j, double d, double sn, double ndd)
{
	return bt_log_term(n, j, d, sn, ndd, stirling_rem((double)j), stirling_rem((double)(n - j)));
}

/* The Birnbaum-Tingey sum by the trapezoid rule on a coarse grid, for
 * large n. The terms, as a function of a real j, are smooth (analytic) and
 * spread over thousands of j once n is large, and in the range where
 * scipy uses smirnov (n d^2 >= 2.2) the terms at both ends of 0..jmax are
 * negligible: then, by Poisson summation, sum_j f(j) and the trapezoid
 * h sum_m f(m h) both equal the integral of f up to terms of the order of
 * f's Fourier transform at 1/h, which falls like exp(-2 pi^2 s^2 / h^2) for
 * a peak of width s. The grid is halved (steps are powers of two on the
 * integers, each halving adding the midpoints) until two halvings in a
 * row each give a sum within 1e-12 relative of the one before, at least 32 grid points lie within e^-40 of
 * the largest term and neither end of the range holds a term within e^-60 of it. Why 1e-12 and not tighter: a
 * term's log is a sum of parts of size O(n d) (5e4 at n = 5e6), so each term carries ~1e-12 of rounding, in
 * the full sum as here; two grids' sums differ by that noise, not by the
 * discretisation, whose error after agreement is of the order of the square
 * of the agreement; the second halving averages the noise over twice the
 * terms (one halving: 3e-13 from mpmath at n = 1e6, d = 0.0102476; two:
 * 4e-14, the full sum 2e-14). Against the full sum (n = 2e4..5e6, n d^2
 * from 2.1 to 1600): at most 5e-13 relative apart where the result is a
 * normal double; against 30-50-digit mpmath, see the unit test. At n = 2.5e5 a few
 * hundred to a few thousand terms replace 2.5e5 (3.3 ms a p-value, 6% of
 * a 1M-row drift); at 2.5e6, 2.5e6.
 * Returns 0 and the sum relative to *best, or -1 to fall back to the full
 * sum (small n, terms reaching an end, no convergence before step 8). */
static int smirnov_trapezoid(uint64_t n, double d, uint64_t jmax, double sn, double ndd, double *sum,
                             double *best)
{
	if (jmax < 16384)
		return -1;
	uint64_t h = 1;
	while (h * 128 <= jmax)
		h *= 2;
	size_t cap = 512, len = 0;
	double *lt = malloc(cap * sizeof *lt);
	if (!lt)
		return -1;
	/* the coarse grid, and the largest term on it */
	double top = -INFINITY;
	for (uint64_t j = 0; j <= jmax; j += h) {
		lt[len] = bt_log_at(n, j, d, sn, ndd);
		top = fmax(top, lt[len++]);
	}
	double lend = bt_log_at(n, jmax, d, sn, ndd);
	int ok = -1;
	if (!(lt[0] < top - 60 && lend < top - 60))
		goto out;
	double ts = 0, tc = 0; /* compensated: a plain sum of 2.5e5 terms drifts by ~1e-11 */
	for (size_t i = 0; i < len; i++)
		if (lt[i] > top - 745)
			assay_neumaier_add(&ts, &tc, exp(lt[i] - top));
	double prev = (ts + tc) * (double)h;
	int agreed = 0;
	while (h > 8) {
		h /= 2;
		size_t need = len + (size_t)(jmax / (2 * h)) + 1;
		if (need > cap) {
			double *grown = realloc(lt, 2 * need * sizeof *lt);
			if (!grown)
				goto out;
			lt = grown;
			cap = 2 * need;
		}
		double ms = 0, mc = 0;
		for (uint64_t j = h; j <= jmax; j += 2 * h) {
			double l = lt[len++] = bt_log_at(n, j, d, sn, ndd);
			if (l > top + 700) /* not the smooth peak the coarse grid saw */
				goto out;
			if (l > top - 745)
				assay_neumaier_add(&ms, &mc, exp(l - top));
		}
		size_t near = 0;
		for (size_t i = 0; i < len; i++)
			near += lt[i] > top - 40;
		assay_neumaier_add(&ts, &tc, ms);
		assay_neumaier_add(&ts, &tc, mc);
		double cur = (ts + tc) * (double)h;
		agreed = near >= 32 && fabs(cur - prev) <= 1e-12 * cur ? agreed + 1 : 0;
		if (agreed == 2) {
			*sum = cur;
			*best = top;
			ok = 0;
			break;
		}
		prev = cur;
	}
out:
	free(lt);
	return ok;
}

double assay_smirnov_sf(uint64_t n, double d)
{
	if (!(d > 0))
		return 1.0;
	if (d >= 1)
		return 0.0;
	double nd = (double)n;
	if (n == 1)
		return 1.0 - d;
	uint64_t jmax = (uint64_t)floor(nd * (1.0 - d));
	if ((double)jmax > nd * (1.0 - d))
		jmax--;
	/* log of term j, C(n, j) a^(n-j) b^(j-1), a = 1 - d - j/n, b = d + j/n,
	 * written without the large cancelling logs (lgamma(n + 1) ~ 3e6 at
	 * n = 2.5e5 loses 3e-10 in the log, i.e. 5.5e-10 relative in p):
	 * S(n) - S(j) - S(n-j) - log b + (n-j) log1p(-nd/(n-j)) + j log1p(nd/j)
	 * with S the Stirling remainder; every part is O(n d) or O(log n). */
	double sn = stirling_rem(nd), ndd = nd * d;
	double tsum, tbest;
	if (smirnov_trapezoid(n, d, jmax, sn, ndd, &tsum, &tbest) == 0)
		return clip01(d * tsum * exp(tbest));
	double *lt = malloc((size_t)(jmax + 1) * sizeof *lt);
	if (!lt)
		return NAN;
	/* S(j) and S(n - j) both range over most of 0..n: each S(m) is
	 * evaluated once, into lt[m] for m <= jmax, and the terms j and n - j
	 * are formed together from the pair (the same function of m, the same
	 * bits, half the logs: the sum was 3% of a 1M-row drift) */
	for (uint64_t m = 0; m <= jmax; m++)
		lt[m] = stirling_rem((double)m);
	for (uint64_t j = 0; j <= jmax; j++) {
		uint64_t k = n - j;
		if (k < j) /* done as the partner of k */
			continue;
		double sj = lt[j];
		if (k > jmax) {
			lt[j] = bt_log_term(n, j, d, sn, ndd, sj, stirling_rem((double)k));
		} else {
			double sk = lt[k];
			lt[j] = bt_log_term(n, j, d, sn, ndd, sj, sk);
			lt[k] = bt_log_term(n, k, d, sn, ndd, sk, sj);
		}
	}
	double best = -INFINITY;
	for (uint64_t j = 0; j <= jmax; j++)
		if (lt[j] > best)
			best = lt[j];
	double s = 0, c = 0; /* compensated: a plain sum of 2.5e5 terms drifts by ~1e-11 */
	for (uint64_t j = 0; j <= jmax; j++)
		if (lt[j] > best - 745)
			assay_neumaier_add(&s, &c, exp(lt[j] - best));
	free(lt);
	return clip01(d * (s + c) * exp(best));
}

static void matmul(const double *a, const double *b, double *out, int m)
{
	for (int i = 0; i < m; i++)
		for (int j = 0; j < m; j++) {
			double s = 0;
			for (int l = 0; l < m; l++)
				s += a[i * m + l] * b[l * m + j];
			out[i * m + j] = s;
		}
}

/* P(D_n <= d) by the Durbin matrix: k-th diagonal entry of H^n times
 * n!/n^n, with power-of-two rescaling kept in an exponent. */
static double kolmogn_dmtw(uint64_t n, double d)
{
	if (d >= 1.0)
		return 1.0;
	double nd = (double)n * d;
	if (nd <= 0.5)
		return 0.0;
	int k = (int)ceil(nd);
	double h = k - nd;
	int m = 2 * k - 1;
	size_t mm = (size_t)m * (size_t)m;
	double *H = calloc(mm, sizeof *H), *P = calloc(mm, sizeof *P), *T = malloc(mm * sizeof *T);
	double *v = malloc((size_t)m * sizeof *v), *w = malloc((size_t)m * sizeof *w);
	double result = NAN;
	if (!H || !P || !T || !v || !w)
		goto out;
	double fac = 1.0;
	for (int j = 1; j <= m; j++) {
		v[j - 1] = 1.0 - pow(h, j);
		w[j - 1] = fac;
		fac /= j;
		v[j - 1] *= fac;
	}
	double tt = pow(fmax(2 * h - 1.0, 0), m) - 2 * pow(h, m);
	v[m - 1] = (1.0 + tt) * fac;
	for (int i = 1; i < m; i++)
		for (int r = i - 1; r < m; r++)
			H[r * m + i] = w[r - (i - 1)];
	for (int r = 0; r < m; r++)
		H[r * m] = v[r];
	for (int c = 0; c < m; c++)
		H[(m - 1) * m + c] = v[m - 1 - c];
	for (int i = 0; i < m; i++)
		P[i * m + i] = 1.0;
	const double EP = ldexp(1.0, 128), EM = ldexp(1.0, -128);
	long expnt = 0, hexpnt = 0;
	for (uint64_t nn = n; nn > 0; nn /= 2) {
		if (nn % 2) {
			matmul(P, H, T, m);
			memcpy(P, T, mm * sizeof *T);
			expnt += hexpnt;
		}
		matmul(H, H, T, m);
		memcpy(H, T, mm * sizeof *T);
		hexpnt *= 2;
		if (fabs(H[(k - 1) * m + (k - 1)]) > EP) {
			for (size_t i = 0; i < mm; i++)
				H[i] /= EP;
			hexpnt += 128;
		}
	}
	double p = P[(k - 1) * m + (k - 1)];
	for (uint64_t i = 1; i <= n; i++) {
		p = (double)i * p / (double)n;
		if (fabs(p) < EM) {
			p *= EP;
			expnt -= 128;
		}
	}
	result = ldexp(p, (int)expnt);
out:
	free(H);
	free(P);
	free(T);
	free(v);
	free(w);
	return result;
}

/* Pelz-Good approximation to P(D_n <= x). */
static double kolmogn_pelzgood(uint64_t n, double x)
{
	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	const double PI2 = M_PI * M_PI, PI4 = PI2 * PI2, PI6 = PI4 * PI2, SQRT2PI = sqrt(2 * M_PI);
	double z = sqrt((double)n) * x;
	double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
	double qlog = -PI2 / 8 / z2;
	if (qlog < -708)
		return 0.0;
	double q = exp(qlog);
	double k1a = -z2, k1b = PI2 / 4;
	double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * PI2 / 4, k2c = PI4 * (1 - 2 * z2) / 16;
	double k3d = PI6 * (5 - 30 * z2) / 64, k3c = PI4 * (-60 * z2 + 212 * z4) / 16;
	double k3b = PI2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * pow(z, 8);
	double K[4] = {0, 0, 0, 0};
	int maxk = (int)ceil(16 * z / M_PI);
	for (int k = maxk; k > 0; k--) {
		double mo = 2.0 * k - 1, m2 = mo * mo, m4 = m2 * m2, m6 = m4 * m2;
		double qp = pow(q, 8.0 * k);
		double c[4] = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
		               k3a + k3b * m2 + k3c * m4 + k3d * m6};
		for (int i = 0; i < 4; i++)
			K[i] = K[i] * qp + c[i];
	}
	double div[4] = {z, 6 * z4, 72 * pow(z, 7), 6480 * pow(z, 10)};
	for (int i = 0; i < 4; i++)
		K[i] = K[i] * q * SQRT2PI / div[i];
	q = exp(-PI2 / 2 / z2);
	double k2extra = 0, k3extra = 0, sqrt3z = sqrt(3.0) * z;
	for (int k = maxk; k > 0; k--) {
		double ks2 = (double)k * k, kspi = M_PI * k, qp = pow(q, ks2);
		k2extra += ks2 * qp;
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks2 * qp;
	}
	K[2] += k2extra * PI2 * SQRT2PI / (-36 * z3);
	K[3] += k3extra * PI2 * SQRT2PI / (216 * z6);
	double s = 0;
	for (int i = 0; i < 4; i++)
		s += K[i] / pow((double)n, i / 2.0);
	return s;
}

double assay_kstwo_sf(double x, uint64_t n)
{
	if (n == 0 || isnan(x))
		return NAN;
	if (x >= 1.0)
		return 0.0;
	if (x <= 0.0)
		return 1.0;
	double nd = (double)n, t = nd * x;
	if (t <= 1.0) {
		if (t <= 0.5)
			return 1.0;
		double prob;
		if (n <= 140) {
			prob = 1.0;
			for (uint64_t i = 1; i <= n; i++)
				prob *= (double)i * (1.0 / nd) * (2 * t - 1);
		} else {
			prob = exp(log_nfact_div_npown(nd) + nd * log(2 * t - 1));
		}
		return clip01(1.0 - prob);
	}
	if (t >= nd - 1)
		return clip01(2 * pow(1.0 - x, nd));
	if (x >= 0.5)
		return clip01(2 * assay_smirnov_sf(n, x));
	double nx2 = t * x;
	if (n <= 140) {
		if (nx2 <= 4)
			return clip01(1.0 - kolmogn_dmtw(n, x));
		return clip01(2 * assay_smirnov_sf(n, x));
	}
	if (nx2 >= 370.0)
		return 0.0;
	if (nx2 >= 2.2)
		return clip01(2 * assay_smirnov_sf(n, x));
	double cdf;
	if (n <= 100000 && nd * pow(x, 1.5) <= 1.4)
		cdf = kolmogn_dmtw(n, x);
	else
		cdf = kolmogn_pelzgood(n, x);
	return clip01(1.0 - cdf);
}
