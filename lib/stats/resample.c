/* resample.c: the bootstrap's random variates (assay/resample.h).
 *
 * Generator: xoshiro256** (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47, 2021), its four state
 * words from splitmix64 as its authors recommend; doubles from the top 53
 * bits.
 *
 * Binomial, for p <= 1/2 (p > 1/2 draws n - Binomial(n, 1 - p)):
 * - mean n p < 10: inversion, walking the pmf up from 0 with the ratio
 *   f(x) / f(x - 1) = ((n + 1) s / x - s), s = p / q; a walk that drifts
 *   past mean + 10 sd by rounding starts over with a new uniform.
 * - otherwise BTRS (Hörmann 1993, section 3, table 1 constants): with
 *   U, V uniform, u = U - 1/2, us = 1/2 - |u|, k = floor((2a / us + b) u
 *   + c); accept at once when us >= 0.07 and V <= v_r (77% of tries at
 *   n = 25,000, p = 0.35, measured), else accept when
 *   log(V alpha / (a / us^2 + b)) <= log f(k) - log f(m) with m the mode,
 *   computed exactly with lgamma. Expected tries per variate < 1.2.
 * Why not GSL's gsl_ran_binomial (BTPE), which the bootstrap used before:
 * BTPE redoes its set-up (several logs) on every call, and the bootstrap's
 * conditional binomials change n on every call. Measured (thread CPU time,
 * 1000 x 40 four-cell multinomials of n = 25,000 as at 1M rows): GSL's
 * gsl_ran_multinomial 12.1 ms, assay_multinomial 8.8 ms. A plan
 * (assay_binomial_prepare) keeps a fixed (n, p)'s set-up for many draws.
 *
 * BTRS's slow test uses Stirling's series instead of lgamma, deciding only
 * where that cannot differ from the lgamma test (btrs_slow_stirling), and
 * the draws are also compiled for SSE4.1 (DRAW_CLONES): since 2026-11-27,
 * the same variates for ~20% less CPU a draw (prepared Binomial(54,000,
 * 0.4): 29.9 -> 24.5 ns; unprepared n ~ 27,000: 37.3 -> 29.4 ns).
 *
 * Multinomial: conditional binomials, category k drawing from what is left
 * with probability w_k / (weights not yet visited), as gsl_ran_multinomial;
 * the last category with weight takes the rest without a draw.
 */
#include <math.h>

#include "assay/resample.h"

uint64_t assay_splitmix64(uint64_t x)
{
	uint64_t z = x + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void assay_rng_seed(struct assay_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++, seed += 0x9e3779b97f4a7c15ULL)
		r->s[i] = assay_splitmix64(seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t assay_rng_next(struct assay_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double assay_rng_uniform(struct assay_rng *r)
{
	return (double)(assay_rng_next(r) >> 11) * 0x1p-53;
}

/* The constants of each method (plan->c). Inversion: f(0) = q^n, the
 * ratio terms a = (n + 1) s and s = p / q, and the bound mean + 10 sd
 * (capped at n) past which a walk starts over. BTRS (Hörmann's table 1):
 * b, a, c, v_r, sqrt(n p q); the slow test's alpha, log(p / q), the mode
 * m and h = lgamma(m + 1) + lgamma(n - m + 1) are computed when a draw
 * first needs them (a quarter of draws). */
enum { INV_F0, INV_A, INV_S, INV_BOUND };
enum { TR_B, TR_A, TR_C, TR_VR, TR_SPQ };

void assay_binomial_prepare(struct assay_binomial_plan *b, uint64_t n, double p)
{
	b->n = n;
	b->k0 = 0;
	b->flip = 0;
	if (n == 0 || !(p > 0) || p >= 1) {
		b->kind = 0;
		b->k0 = n && p >= 1 ? n : 0;
		b->p = 0;
		return;
	}
	b->flip = p > 0.5;
	p = b->flip ? 1 - p : p;
	b->p = p;
	double q = 1 - p, dn = (double)n, np = dn * p;
	if (np < 10) {
		b->kind = 1;
		double bound = np + 10 * sqrt(np * q + 1);
		b->c[INV_F0] = exp(dn * log1p(-p));
		b->c[INV_S] = p / q;
		b->c[INV_A] = (dn + 1) * (p / q);
		b->c[INV_BOUND] = bound > dn ? dn : bound;
	} else {
		b->kind = 2;
		double spq = sqrt(np * q), bb = 1.15 + 2.53 * spq;
		b->c[TR_SPQ] = spq;
		b->c[TR_B] = bb;
		b->c[TR_A] = -0.0873 + 0.0248 * bb + 0.01 * p;
		b->c[TR_C] = np + 0.5;
		b->c[TR_VR] = 0.92 - 4.2 / bb;
	}
}

/* Inversion, n p < 10. */
static uint64_t binomial_inversion(struct assay_rng *r, const struct assay_binomial_plan *b)
{
	const double *c = b->c;
	for (;;) {
		double u = assay_rng_uniform(r), f = c[INV_F0];
		uint64_t x = 0;
		while (u > f) {
			u -= f;
			x++;
			if ((double)x > c[INV_BOUND])
				break;
			f *= c[INV_A] / (double)x - c[INV_S];
		}
		if ((double)x <= c[INV_BOUND])
			return x;
	}
}

/* Stirling's series for lgamma(y) - ((y - 1/2) ln y - y + ln(2 pi) / 2),
 * y >= 10, from r = 1 / y: four terms, truncation below 1e-12. */
static double stirling_tail(double r)
{
	double r2 = r * r;
	return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680))));
}

/* 2 atanh(t) = log1p(d) for t = d / (2 + d), |d| <= 1/8 (|t| < 1/15): its
 * series to t^13 (the next term is below 1e-17). */
static double log1p_atanh(double t)
{
	double t2 = t * t, s = 1.0 / 13;
	s = s * t2 + 1.0 / 11;
	s = s * t2 + 1.0 / 9;
	s = s * t2 + 1.0 / 7;
	s = s * t2 + 1.0 / 5;
	s = s * t2 + 1.0 / 3;
	return 2 * t * (s * t2 + 1);
}

/* log1p(d1) and log1p(d2): both t's from one division when |d| <= 1/8
 * (almost always), else the library's. */
static void log1p_pair(double d1, double d2, double *l1, double *l2)
{
	if (fabs(d1) > 0.125 || fabs(d2) > 0.125) {
		*l1 = log1p(d1);
		*l2 = log1p(d2);
		return;
	}
	double e1 = 2 + d1, e2 = 2 + d2, w = 1 / (e1 * e2);
	*l1 = log1p_atanh(d1 * e2 * w);
	*l2 = log1p_atanh(d2 * e1 * w);
}

/* The slow acceptance test's right side, log f(k) - log f(m), is
 *   lgamma(m + 1) + lgamma(n - m + 1) - lgamma(k + 1) - lgamma(n - k + 1)
 *   + (k - m) log(p / q).
 * Computed as written (two lgamma a try, each with a log inside) it was
 * a third of the sampler's time. With Stirling's formula for each lgamma
 * and log(k + 1) = log(m + 1) + log1p((k - m) / (m + 1)) (likewise for
 * n - k), the large terms cancel exactly on paper:
 *   (k - m) G - (k + 1/2) log1p(d1) - (n - k + 1/2) log1p(d2)
 *   + S(m + 1) + S(n - m + 1) - S(k + 1) - S(n - k + 1),
 * G = log((n - m + 1) p / ((m + 1) q)), d1 = (k - m) / (m + 1),
 * d2 = (m - k) / (n - m + 1), S = stirling_tail: no library call and two
 * divisions a try (reciprocals shared by pairs). It decides only when
 * the log of V's side is farther from it than tol, a bound on this
 * value's error plus that of the lgamma expression (a few ulp of
 * lgamma(n) ~ n ln n); otherwise, and outside its range (a term under
 * 10), the lgamma expression decides as before. So the decisions, and
 * the variates, are those of the lgamma test (test_resample.c draws
 * against a copy of it). Measured: none of 259,000 slow tests fell back
 * at n = 25,000, p = 0.35. */
struct btrs_slow {
	int have, have_h;
	double alpha, m, inv_m1, inv_nm1, g, sm, tol, h, lpq;
};

static inline __attribute__((always_inline)) void btrs_slow_init(struct btrs_slow *s,
                                                                 const struct assay_binomial_plan *pl)
{
	const double *c = pl->c;
	double dn = (double)pl->n, p = pl->p, q = 1 - p;
	s->alpha = (2.83 + 5.1 / c[TR_B]) * c[TR_SPQ];
	double m = s->m = floor((dn + 1) * p), m1 = m + 1, nm1 = dn - m + 1, w = 1 / (m1 * nm1);
	s->inv_m1 = nm1 * w;
	s->inv_nm1 = m1 * w;
	/* G = log1p(e), e = num / den small (m is within 1 of (n + 1) p): the
	 * series' t = e / (2 + e) = num / (2 den + num) */
	double num = nm1 * p - m1 * q, den = m1 * q;
	s->g = fabs(num) <= 0.125 * den ? log1p_atanh(num / (2 * den + num)) : log1p(num / den);
	s->sm = m1 >= 10 && nm1 >= 10 ? stirling_tail(s->inv_m1) + stirling_tail(s->inv_nm1) : 0;
	/* a few ulp of lgamma(n) ~ n ln n, ln n < 44 */
	s->tol = 1e-9 + 5e-12 * (dn + 1);
	s->have = 1;
	s->have_h = 0;
}

/* 1: accept, 0: reject, -1: too close to call here. */
static inline __attribute__((always_inline)) int btrs_slow_stirling(const struct btrs_slow *s, double dn,
                                                                    double k, double lv)
{
	double m = s->m, k1 = k + 1, nk1 = dn - k + 1;
	if (s->sm == 0 || k1 < 10 || nk1 < 10)
		return -1;
	double l1, l2, w = 1 / (k1 * nk1);
	log1p_pair((k - m) * s->inv_m1, (m - k) * s->inv_nm1, &l1, &l2);
	double r = (k - m) * s->g - (k + 0.5) * l1 - (dn - k + 0.5) * l2 + s->sm - stirling_tail(nk1 * w) -
	           stirling_tail(k1 * w);
	return lv <= r - s->tol ? 1 : lv > r + s->tol ? 0 : -1;
}

/* BTRS, n p >= 10 and p <= 1/2 (inlined into each of the draws' clones). */
static inline __attribute__((always_inline)) uint64_t binomial_btrs(struct assay_rng *r,
                                                                    const struct assay_binomial_plan *pl)
{
	const double *c = pl->c;
	double dn = (double)pl->n, a = c[TR_A], b = c[TR_B];
	struct btrs_slow sl = {0};
	for (;;) {
		double u = assay_rng_uniform(r) - 0.5, v = assay_rng_uniform(r);
		double us = 0.5 - fabs(u);
		if (us <= 0)
			continue; /* U = 0 exactly: no k */
		double k = floor((2 * a / us + b) * u + c[TR_C]);
		if (k < 0 || k > dn)
			continue;
		if (us >= 0.07 && v <= c[TR_VR])
			return (uint64_t)k;
		if (!sl.have)
			btrs_slow_init(&sl, pl);
		v = log(v * sl.alpha / (a / (us * us) + b));
		int d = btrs_slow_stirling(&sl, dn, k, v);
		if (d == 1)
			return (uint64_t)k;
		if (d == 0)
			continue;
		int sg;
		if (!sl.have_h) {
			sl.h = lgamma_r(sl.m + 1, &sg) + lgamma_r(dn - sl.m + 1, &sg);
			sl.lpq = log(pl->p / (1 - pl->p));
			sl.have_h = 1;
		}
		if (v <= sl.h - lgamma_r(k + 1, &sg) - lgamma_r(dn - k + 1, &sg) + (k - sl.m) * sl.lpq)
			return (uint64_t)k;
	}
}

static inline __attribute__((always_inline)) uint64_t draw_plan(struct assay_rng *r,
                                                                const struct assay_binomial_plan *b)
{
	uint64_t k = b->kind == 0 ? b->k0 : b->kind == 1 ? binomial_inversion(r, b) : binomial_btrs(r, b);
	return b->flip ? b->n - k : k;
}

/* The draws are also compiled for SSE4.1, chosen at load time where the
 * CPU has it: BTRS's floor becomes one roundsd instead of a conversion
 * round trip (12% of a draw, measured). SSE4.1 has no fused multiply-add
 * and floor is exact either way: the same variates. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DRAW_CLONES __attribute__((target_clones("sse4.1", "default")))
#else
#define DRAW_CLONES
#endif

DRAW_CLONES uint64_t assay_binomial_draw(struct assay_rng *r, const struct assay_binomial_plan *b)
{
	return draw_plan(r, b);
}

DRAW_CLONES uint64_t assay_binomial(struct assay_rng *r, uint64_t n, double p)
{
	struct assay_binomial_plan b;
	assay_binomial_prepare(&b, n, p);
	return draw_plan(r, &b);
}

void assay_multinomial(struct assay_rng *r, uint64_t n, const double *w, size_t k, uint64_t *counts)
{
	double norm = 0, seen = 0;
	for (size_t i = 0; i < k; i++)
		norm += w[i];
	uint64_t left = n;
	for (size_t i = 0; i < k; i++) {
		counts[i] = 0;
		if (w[i] > 0 && left) {
			double q = w[i] / (norm - seen);
			counts[i] = q >= 1 ? left : assay_binomial(r, left, q);
			left -= counts[i];
		}
		seen += w[i];
	}
}
