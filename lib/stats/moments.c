/* moments.c: streaming central moments and their pairwise merge.
 *
 * With A = (nA, meanA, M2A, M3A, M4A), B likewise, n = nA + nB and
 * d = meanB - meanA (Pébay 2008, eqs. 2.1-2.4):
 *   mean = meanA + d nB / n
 *   M2 = M2A + M2B + d^2 nA nB / n
 *   M3 = M3A + M3B + d^3 nA nB (nA - nB) / n^2 + 3 d (nA M2B - nB M2A) / n
 *   M4 = M4A + M4B + d^4 nA nB (nA^2 - nA nB + nB^2) / n^3
 *        + 6 d^2 (nA^2 M2B + nB^2 M2A) / n^2 + 4 d (nA M3B - nB M3A) / n
 * Adding one value is the merge with B = (1, x, 0, 0, 0), written out.
 * The derived skewness and kurtosis are the biased (population) estimators
 * scipy.stats.skew and scipy.stats.kurtosis return by default; the variance
 * is the sample variance (ddof = 1), as pandas' var().
 *
 * assay_moments_from_values: two passes over a profile's piece of values
 * past the cap (a compensated sum for the mean, plain central sums), the
 * pieces then merged with the formulas above.
 *
 * Does not: handle NaN or infinities (the profile counts them as missing
 * and never passes them here).
 */
#include <math.h>

/* The map sums below call fma() four times a value; without an FMA
 * instruction in the baseline x86-64 target each is a libm call. The
 * functions are cloned for x86-64-v3 (chosen at load time when the CPU has
 * FMA), and contraction is off in this file so that no a * b + c other
 * than the explicit fma() calls is fused: both clones give the same bits. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define FMA_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FMA_CLONES
#endif

#include "assay/deckey.h"
#include "assay/moments.h"
#include "assay/xsum.h"

void assay_moments_init(struct assay_moments *m)
{
	m->n = 0;
	m->mean = m->m2 = m->m3 = m->m4 = 0;
}

void assay_moments_add(struct assay_moments *m, double x)
{
	double n1 = (double)m->n;
	m->n++;
	double n = (double)m->n;
	double d = x - m->mean;
	double dn = d / n;
	double dn2 = dn * dn;
	double t1 = d * dn * n1;
	m->mean += dn;
	m->m4 += t1 * dn2 * (n * n - 3 * n + 3) + 6 * dn2 * m->m2 - 4 * dn * m->m3;
	m->m3 += t1 * dn * (n - 2) - 3 * dn * m->m2;
	m->m2 += t1;
}

void assay_moments_merge(struct assay_moments *dst, const struct assay_moments *src)
{
	if (src->n == 0)
		return;
	if (dst->n == 0) {
		*dst = *src;
		return;
	}
	double na = (double)dst->n, nb = (double)src->n, n = na + nb;
	double d = src->mean - dst->mean;
	double d2 = d * d;
	struct assay_moments r;
	r.n = dst->n + src->n;
	r.mean = dst->mean + d * nb / n;
	r.m2 = dst->m2 + src->m2 + d2 * na * nb / n;
	r.m3 = dst->m3 + src->m3 + d2 * d * na * nb * (na - nb) / (n * n) +
	       3 * d * (na * src->m2 - nb * dst->m2) / n;
	r.m4 = dst->m4 + src->m4 + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n) +
	       6 * d2 * (na * na * src->m2 + nb * nb * dst->m2) / (n * n) +
	       4 * d * (na * src->m3 - nb * dst->m3) / n;
	*dst = r;
}

/* Dot2 (Ogita, Rump and Oishi 2005): sum a_i b_i with TwoProduct (fma)
 * and TwoSum error terms carried in a second accumulator, as accurate as
 * the plain sum in twice the working precision. In the map's fixed order
 * (ascending values) the result is a function of the map alone, so shards
 * merged into the same map give the same bits. Replaces exact xsum
 * accumulators: 4x fewer cycles (12.5% of `assay drift` at 1M rows). */
struct dot2 {
	double s, c;
};

static inline void dot2_add(struct dot2 *d, double a, double b)
{
	double p = a * b, pe = fma(a, b, -p);
	double t = d->s + p, z = t - d->s;
	double se = (d->s - (t - z)) + (p - z);
	d->s = t;
	d->c += se + pe;
}

/* One term of the second, third and fourth central sums: deviation d,
 * weight w (the same operations in the same order for every map form). */
static inline void central_add(struct dot2 *c, double d, double w)
{
	double d2 = d * d;
	dot2_add(&c[0], d2, w);
	dot2_add(&c[1], d2 * d, w);
	dot2_add(&c[2], d2 * d2, w);
}

static inline void central_finish(struct assay_moments *m, const struct dot2 *c)
{
	m->m2 = c[0].s + c[0].c;
	m->m3 = c[1].s + c[1].c;
	m->m4 = c[2].s + c[2].c;
}

FMA_CLONES void assay_moments_from_map(struct assay_moments *m, const double *value, const uint64_t *count,
                                       size_t n)
{
	assay_moments_init(m);
	uint64_t total = 0;
	struct dot2 s = {0, 0};
	for (size_t i = 0; i < n; i++) {
		total += count[i];
		dot2_add(&s, value[i], (double)count[i]);
	}
	if (total == 0)
		return;
	m->n = total;
	m->mean = (s.s + s.c) / (double)total;
	struct dot2 c[3] = {{0, 0}, {0, 0}, {0, 0}};
	for (size_t i = 0; i < n; i++)
		central_add(c, value[i] - m->mean, (double)count[i]);
	central_finish(m, c);
}

/* The same sums over a packed map (assay/deckey.h keys, byte counts),
 * term by term: the same bits as assay_moments_from_map on the decoded
 * map. */
FMA_CLONES void assay_moments_from_packed(struct assay_moments *m, const struct assay_numeric_map *map)
{
	assay_moments_init(m);
	const uint32_t *key = map->key;
	size_t n = map->n;
	uint64_t total = 0;
	struct dot2 s = {0, 0};
	for (size_t i = 0; i < n; i++) {
		uint64_t c = assay_numeric_map_count(map, i);
		total += c;
		dot2_add(&s, assay_deckey_value(key[i]), (double)c);
	}
	if (total == 0)
		return;
	m->n = total;
	m->mean = (s.s + s.c) / (double)total;
	struct dot2 c[3] = {{0, 0}, {0, 0}, {0, 0}};
	for (size_t i = 0; i < n; i++)
		central_add(c, assay_deckey_value(key[i]) - m->mean, (double)assay_numeric_map_count(map, i));
	central_finish(m, c);
}

/* Two passes over n values: the mean from a compensated (Neumaier) sum,
 * then the central sums, plain (each a sum of rounded powers of the
 * deviations: nonnegative for M2 and M4). A fixed order of the values
 * gives fixed bits. For a profile's pieces past the cap (sorted values,
 * 2^10 to 2^16 of them), merged by assay_moments_merge. */
void assay_moments_from_values(struct assay_moments *m, const double *v, size_t n)
{
	assay_moments_init(m);
	if (n == 0)
		return;
	double s = 0, c = 0;
	for (size_t i = 0; i < n; i++)
		assay_neumaier_add(&s, &c, v[i]);
	m->n = n;
	m->mean = (s + c) / (double)n;
	double m2 = 0, m3 = 0, m4 = 0;
	for (size_t i = 0; i < n; i++) {
		double d = v[i] - m->mean, d2 = d * d;
		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	m->m2 = m2;
	m->m3 = m3;
	m->m4 = m4;
}

double assay_moments_variance(const struct assay_moments *m)
{
	return m->n > 1 ? m->m2 / (double)(m->n - 1) : NAN;
}

double assay_moments_skewness(const struct assay_moments *m)
{
	if (m->n < 2 || !(m->m2 > 0))
		return NAN;
	return sqrt((double)m->n) * m->m3 / pow(m->m2, 1.5);
}

double assay_moments_kurtosis(const struct assay_moments *m)
{
	if (m->n < 2 || !(m->m2 > 0))
		return NAN;
	return (double)m->n * m->m4 / (m->m2 * m->m2) - 3;
}
