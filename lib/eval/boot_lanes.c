/* boot_lanes.c: the bootstrap's per-replicate metrics and disparities, a
 * tile of replicates ("lanes") at a time.
 *
 * The same formulas as metrics_from_cells (metrics.c) and
 * disparities_compute (disparity.c), written lane by lane: every lane
 * does the same IEEE operations in the same order as those functions do
 * for one replicate, so the values are the same bits
 * (tests/unit/test_boot_lanes.c checks it against them). What changes is
 * the loop order: one slice (or slicing) over all the tile's replicates,
 * without branches on the data, so that the loops vectorise and the
 * divisions of different replicates overlap; a replicate at a time, the
 * divisions waited on each other and on mispredicted branches (metrics,
 * aggregates and disparities were ~25% of the bootstrap's CPU at 1M
 * rows). The logarithms (Theil indices) stay the C library's, one lane at
 * a time.
 *
 * Counts are doubles here: cell counts are integers below 2^53, so their
 * sums are exact, as the integer sums of metrics_from_cells are. Rates
 * are never -0 (0 / positive is +0) and min / max skip NaN, so keeping
 * the first of equal values or another gives the same value.
 */
#include <float.h>
#include <math.h>

#include "bootstrap.h"

/* Selects of divisions vectorise only when the compiler may compute a
 * division whose result a lane then drops (it does: every division here
 * is unconditional in the source); no trap is ever enabled, and values
 * do not change (this is not -ffast-math: no reassociation, no
 * contraction). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

enum { TP, FP, TN, FN };

/* den ? num / den : 0, as metrics.c's rate() */
static inline double rate(double num, double den)
{
	double q = num / den;
	return den != 0 ? q : 0.0;
}

/* The loops below are written without && and || (which branch) so that
 * they vectorise; ? : of two computed values is a select. Pointers come
 * in as restrict parameters: the outputs never overlap the inputs. */
static void metrics_kernel(size_t T, double nn, const double *restrict tp, const double *restrict fp,
                           const double *restrict tn, const double *restrict fn, double *restrict base,
                           double *restrict selr, double *restrict acc, double *restrict bal,
                           double *restrict prec, double *restrict rec, double *restrict fpr,
                           double *restrict fnr, double *restrict tnrv, double *restrict f1,
                           double *restrict geiv, double *restrict r1s, double *restrict r2s)
{
	for (size_t t = 0; t < T; t++) {
		double pos = tp[t] + fn[t], neg = tn[t] + fp[t], sel = tp[t] + fp[t];
		base[t] = pos / nn;
		selr[t] = sel / nn;
		acc[t] = (tp[t] + tn[t]) / nn;
		prec[t] = rate(tp[t], sel);
		double recall = rate(tp[t], pos), tnr = rate(tn[t], neg);
		rec[t] = recall;
		fpr[t] = rate(fp[t], neg);
		fnr[t] = rate(fn[t], pos);
		tnrv[t] = tnr;
		double both = (recall + tnr) / 2, one = pos != 0 ? recall : tnr;
		bal[t] = ((pos != 0) & (neg != 0)) ? both : one;
		f1[t] = rate(2 * tp[t], 2 * tp[t] + fp[t] + fn[t]);
		/* b = 0 for FN, 1 for TP and TN, 2 for FP */
		double n0 = fn[t], n1 = tp[t] + tn[t], n2 = fp[t];
		double mu = (n1 + 2 * n2) / nn;
		/* 2 / mu is 2 (1 / mu) exactly: scaling by 2 commutes with
		 * rounding (mu >= 1 / n: no overflow) */
		double r1 = 1 / mu, r2 = 2 * r1;
		double gei = (n0 * -1.0 + n1 * (r1 * r1 - 1) + n2 * (r2 * r2 - 1)) / nn / 2;
		geiv[t] = mu > 0 ? gei : NAN;
		r1s[t] = mu > 0 ? r1 : NAN;
		r2s[t] = r2;
	}
}

void lanes_metrics(const struct lane_slice *s, size_t T)
{
	double *const *v = s->v;
	const double *tp = s->cell[TP], *fp = s->cell[FP], *tn = s->cell[TN];
	if (s->n == 0) {
		for (size_t k = 0; k < ASSAY_EVAL_NRATE; k++)
			for (size_t t = 0; t < T; t++)
				v[eval_rate_metrics[k]][t] = NAN;
		return;
	}
	double nn = s->n, r1s[LANES_MAX], r2s[LANES_MAX];
	metrics_kernel(T, nn, tp, fp, tn, s->cell[FN], v[ASSAY_M_BASE_RATE], v[ASSAY_M_SELECTION_RATE],
	               v[ASSAY_M_ACCURACY], v[ASSAY_M_BALANCED_ACCURACY], v[ASSAY_M_PRECISION],
	               v[ASSAY_M_RECALL], v[ASSAY_M_FPR], v[ASSAY_M_FNR], v[ASSAY_M_TNR], v[ASSAY_M_F1],
	               v[ASSAY_M_GEI], r1s, r2s);
	double *theil = v[ASSAY_M_THEIL];
	for (size_t t = 0; t < T; t++) {
		double r1 = r1s[t], r2 = r2s[t], n1 = tp[t] + tn[t], n2 = fp[t];
		theil[t] = isnan(r1) ? NAN : (n1 * r1 * log(r1) + n2 * r2 * log(r2)) / nn;
	}
}

/* Two lanes in an SSE2 register (GCC's vector extensions: x86-64's
 * baseline, no FMA, so no contraction): comparisons give all-ones or zero
 * per lane, and a select is and / andnot / or. */
typedef double v2d __attribute__((vector_size(16)));
typedef long long v2l __attribute__((vector_size(16)));

static inline v2d ld2(const double *p)
{
	v2d v;
	__builtin_memcpy(&v, p, sizeof v);
	return v;
}

static inline void st2(double *p, v2d v)
{
	__builtin_memcpy(p, &v, sizeof v);
}

static inline v2d sel2(v2l m, v2d a, v2d b)
{
	return (v2d)((m & (v2l)a) | (~m & (v2l)b));
}

/* mn[t] = the smaller of mn[t] and x[t], NaN skipped (likewise mx): the
 * aggregate's min and max over one more group, eight lanes at a time with
 * AVX-512 (compares and blends only: the same values). */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

int lanes_avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f");
}

__attribute__((target("avx512f"))) static void minmax_avx512(const double *x, double *mn, double *mx,
                                                             size_t T)
{
	for (size_t t = 0; t < T; t += 8) {
		__mmask8 k = T - t >= 8 ? 0xff : (__mmask8)((1u << (T - t)) - 1);
		__m512d v = _mm512_maskz_loadu_pd(k, x + t), a = _mm512_maskz_loadu_pd(k, mn + t),
		        b = _mm512_maskz_loadu_pd(k, mx + t);
		__mmask8 num = _mm512_cmp_pd_mask(v, v, _CMP_ORD_Q);
		__mmask8 lo =
		    num & (_mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(v, a, _CMP_LT_OQ));
		__mmask8 hi =
		    num & (_mm512_cmp_pd_mask(b, b, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(v, b, _CMP_GT_OQ));
		_mm512_mask_storeu_pd(mn + t, k & lo, v);
		_mm512_mask_storeu_pd(mx + t, k & hi, v);
	}
}
#else
int lanes_avx512_usable(void)
{
	return 0;
}

static void minmax_avx512(const double *x, double *mn, double *mx, size_t T)
{
	(void)x, (void)mn, (void)mx, (void)T;
}
#endif

/* One step of disparity.c's aggregate() (min, max, largest distance to
 * the overall value and smallest ratio to it, folded to <= 1, NaN
 * skipped) for group value x, as written there; a NaN x gives a NaN
 * distance and ratio, so their own NaN tests cover x's. */
static inline void agg_step(double x, double ov, double *mn, double *mx, double *dev, double *rmin)
{
	double d = fabs(x - ov), r = x / ov;
	if (r > 1)
		r = 1 / r;
	int num = x == x;
	*mn = (num & ((*mn != *mn) | (x < *mn))) ? x : *mn;
	*mx = (num & ((*mx != *mx) | (x > *mx))) ? x : *mx;
	*dev = ((d == d) & ((*dev != *dev) | (d > *dev))) ? d : *dev;
	*rmin = ((r == r) & ((*rmin != *rmin) | (r < *rmin))) ? r : *rmin;
}

/* disparity.c's aggregate() over the lanes, without a division per
 * group. Rounding is monotone: for a fixed overall value ov > 0 (finite),
 * RN(x - ov) and RN(x / ov) grow with x and RN(1 / r) falls with r. So the
 * largest |RN(x - ov)| is at the smallest or largest x, the smallest
 * ratio at or below 1 is RN(min / ov) when that is <= 1, and the smallest
 * folded ratio above 1 is RN(1 / RN(max / ov)) when RN(max / ov) > 1:
 * the same values that aggregate() picks among all the groups' (rates
 * are never -0, so which of equal values it keeps does not matter). Only
 * the min and max (NaN skipped) run over the groups, two lanes at a
 * time; a lane whose ov is 0, NaN or infinite (RN(x / 0) is NaN for x = 0
 * but infinite above) runs aggregate()'s steps instead. */
static void aggregate_lanes(const struct lane_slice *const *g, size_t n, const struct lane_slice *overall,
                            enum assay_metric m, size_t T, double *restrict mn, double *restrict mx,
                            double *restrict dev, double *restrict rmin, int wide)
{
	const double *ov = overall->v[m];
	size_t t, T2 = T & ~(size_t)1;
	for (t = 0; t < T; t++)
		mn[t] = mx[t] = NAN;
	for (size_t i = 0; i < n; i++) {
		const double *x = g[i]->v[m];
		if (wide) {
			minmax_avx512(x, mn, mx, T);
			continue;
		}
		for (t = 0; t < T2; t += 2) {
			v2d xt = ld2(x + t), a = ld2(mn + t), b = ld2(mx + t);
			v2l num = xt == xt;
			st2(mn + t, sel2(num & ((a != a) | (xt < a)), xt, a));
			st2(mx + t, sel2(num & ((b != b) | (xt > b)), xt, b));
		}
		for (; t < T; t++) {
			double xt = x[t];
			int num = xt == xt;
			mn[t] = (num & ((mn[t] != mn[t]) | (xt < mn[t]))) ? xt : mn[t];
			mx[t] = (num & ((mx[t] != mx[t]) | (xt > mx[t]))) ? xt : mx[t];
		}
	}
	for (t = 0; t < T; t++) {
		double o = ov[t];
		if (!(o > 0 && o <= DBL_MAX)) {
			mn[t] = mx[t] = dev[t] = rmin[t] = NAN;
			for (size_t i = 0; i < n; i++)
				agg_step(g[i]->v[m][t], o, &mn[t], &mx[t], &dev[t], &rmin[t]);
			continue;
		}
		double d1 = fabs(mn[t] - o), d2 = fabs(mx[t] - o);
		dev[t] = d2 > d1 ? d2 : d1; /* (both NaN when no group has a value) */
		double r_lo = mn[t] / o, r_hi = mx[t] / o, best = r_lo <= 1 ? r_lo : INFINITY;
		if (r_hi > 1) {
			double ri = 1 / r_hi;
			best = ri < best ? ri : best;
		}
		rmin[t] = mn[t] == mn[t] ? best : NAN;
	}
}

static inline double fmax_nan(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : a > b ? a : b;
}

static inline double fmin_nan(double a, double b)
{
	return isnan(a) ? b : isnan(b) ? a : a < b ? a : b;
}

/* disparity.c's entropy_between over the lanes: AIF360's between-group
 * Theil and GEI(2), every b replaced by its group's mean. */
static void entropy_lanes(const struct lane_slice *const *g, size_t n, size_t T, double *restrict theil,
                          double *restrict gei)
{
	double total[LANES_MAX], sum_b[LANES_MAX], tt[LANES_MAX], gg[LANES_MAX], rr[LANES_MAX];
	for (size_t t = 0; t < T; t++)
		total[t] = sum_b[t] = tt[t] = gg[t] = 0;
	for (size_t i = 0; i < n; i++) {
		const double *restrict tp = g[i]->cell[TP], *restrict fp = g[i]->cell[FP],
		                       *restrict tn = g[i]->cell[TN], *restrict fn = g[i]->cell[FN];
		for (size_t t = 0; t < T; t++) {
			total[t] += tp[t] + fp[t] + tn[t] + fn[t];
			sum_b[t] += (tp[t] + tn[t]) + 2.0 * fp[t];
		}
	}
	double mus[LANES_MAX];
	for (size_t t = 0; t < T; t++)
		mus[t] = sum_b[t] / total[t];
	for (size_t i = 0; i < n; i++) {
		const double *tp = g[i]->cell[TP], *fp = g[i]->cell[FP], *tn = g[i]->cell[TN],
		             *fn = g[i]->cell[FN];
		/* an empty group adds nothing (ng == 0) */
		size_t t = 0;
		for (; t + 2 <= T; t += 2) {
			const v2d one = {1, 1}, two = {2, 2}, zero = {0, 0};
			v2d ng = ld2(tp + t) + ld2(fp + t) + ld2(tn + t) + ld2(fn + t);
			v2d r = ((ld2(tp + t) + ld2(tn + t)) + two * ld2(fp + t)) / ng / ld2(mus + t);
			v2d gt = ld2(gg + t);
			v2l some = ng != zero;
			st2(gg + t, sel2(some, gt + ng * (r * r - one) / two, gt));
			st2(rr + t, sel2(some & (r > zero), r, zero));
		}
		for (; t < T; t++) {
			double ng = tp[t] + fp[t] + tn[t] + fn[t];
			double r = ((tp[t] + tn[t]) + 2.0 * fp[t]) / ng / mus[t];
			double add = gg[t] + ng * (r * r - 1) / 2;
			gg[t] = ng != 0 ? add : gg[t];
			rr[t] = ((ng != 0) & (r > 0)) ? r : 0;
		}
		for (t = 0; t < T; t++) {
			if (rr[t] > 0) {
				double ng = tp[t] + fp[t] + tn[t] + fn[t];
				tt[t] += ng * rr[t] * log(rr[t]);
			}
		}
	}
	for (size_t t = 0; t < T; t++) {
		int none = (total[t] == 0) | (sum_b[t] == 0);
		theil[t] = none ? NAN : tt[t] / total[t];
		gei[t] = none ? NAN : gg[t] / total[t];
	}
}

void lanes_disparities(const struct lane_slice *const *g, size_t n, const struct lane_slice *overall,
                       size_t T, double *const between[ASSAY_D__COUNT],
                       double *const to_overall[ASSAY_D__COUNT], int simd)
{
	const struct simple_disparity *simple = eval_simple_disparities;
	for (size_t k = 0; k < ASSAY_EVAL_NSIMPLE; k++) {
		/* the ratio follows its difference */
		enum assay_disparity d = simple[k].diff;
		double mn[LANES_MAX], mx[LANES_MAX];
		aggregate_lanes(g, n, overall, simple[k].m, T, mn, mx, to_overall[d], to_overall[d + 1],
		                simd);
		for (size_t t = 0; t < T; t++) {
			between[d][t] = mx[t] - mn[t];
			between[d + 1][t] = mn[t] / mx[t];
		}
	}
	enum {
		EO = ASSAY_D_EQUALIZED_ODDS_DIFFERENCE,
		EOM = ASSAY_D_EQUALIZED_ODDS_DIFFERENCE_MEAN,
		TPR = ASSAY_D_EQUAL_OPPORTUNITY_DIFFERENCE,
		FPR = ASSAY_D_FPR_DIFFERENCE
	};
	for (size_t t = 0; t < T; t++) {
		double *const *o[2] = {between, to_overall};
		for (int w = 0; w < 2; w++) {
			double *const *x = o[w];
			x[EO][t] = fmax_nan(x[TPR][t], x[FPR][t]);
			x[EO + 1][t] = fmin_nan(x[TPR + 1][t], x[FPR + 1][t]);
			x[EOM][t] = (x[TPR][t] + x[FPR][t]) / 2;
			x[EOM + 1][t] = (x[TPR + 1][t] + x[FPR + 1][t]) / 2;
		}
	}
	entropy_lanes(g, n, T, between[ASSAY_D_THEIL_BETWEEN], between[ASSAY_D_GEI_BETWEEN]);
	for (size_t t = 0; t < T; t++)
		to_overall[ASSAY_D_THEIL_BETWEEN][t] = to_overall[ASSAY_D_GEI_BETWEEN][t] = NAN;
}
