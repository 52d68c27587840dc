/* key_std.c: the exact population standard deviation of a column of
 * decimal keys (assay/deckey.h), from per-segment integer sums
 * (struct key_moments, keyseg.h).
 *
 * A value is +-M 10^q, M an integer below 10^7. With q0 the least
 * exponent present, every value is an integer X = +-M 10^(q - q0) times
 * 10^q0, and n^2 var / 10^(2 q0) = n sum X^2 - (sum X)^2 is an integer
 * (>= 0 by Cauchy-Schwarz, 0 for constant data) computed exactly here in
 * 512-bit arithmetic (the bound: n < 2^36, M^2 < 2^47, 10^88 < 2^293).
 * It is rounded to a double once (its top 64 bits, then to nearest), and
 * std = sqrt(that) / n * 10^q0: within ~2 ulp of the exact standard
 * deviation of the decimals, and the same bits whatever order or grouping
 * the sums were made in. The comparison without a sort (bucket.c) gets the
 * sums from its buckets, a stored reference (ref_stats.c) from its map:
 * the same integers, the same std. It replaces, for columns of keys with
 * at least DRIFT_BUCKET_MIN values (in whatever form: raw or packed keys,
 * or doubles that are all keys), the compensated two-pass sum over the
 * sorted doubles (binning.c), which needs the values in order; the two
 * agree to ~1e-16 relative (numpy's np.std is itself a pairwise sum).
 */
#include <math.h>
#include <string.h>

#include "drift_internal.h"
#include "keyseg.h"

#define BN 8 /* 64-bit limbs, little-endian */

struct bn {
	uint64_t w[BN];
};

static void bn_mul_small(struct bn *a, uint64_t m)
{
	ks_u128 carry = 0;
	for (int i = 0; i < BN; i++) {
		ks_u128 p = (ks_u128)a->w[i] * m + carry;
		a->w[i] = (uint64_t)p;
		carry = p >> 64;
	}
}

/* a *= 10^k */
static void bn_mul_pow10(struct bn *a, unsigned k)
{
	for (; k >= 19; k -= 19)
		bn_mul_small(a, UINT64_C(10000000000000000000));
	uint64_t p = 1;
	while (k--)
		p *= 10;
	bn_mul_small(a, p);
}

static void bn_add(struct bn *a, const struct bn *b)
{
	unsigned carry = 0;
	for (int i = 0; i < BN; i++) {
		ks_u128 s = (ks_u128)a->w[i] + b->w[i] + carry;
		a->w[i] = (uint64_t)s;
		carry = (unsigned)(s >> 64);
	}
}

/* a -= b, a >= b */
static void bn_sub(struct bn *a, const struct bn *b)
{
	uint64_t borrow = 0;
	for (int i = 0; i < BN; i++) {
		uint64_t x = a->w[i], y = b->w[i];
		uint64_t d = x - y - borrow;
		borrow = (x < y) || (x == y && borrow);
		a->w[i] = d;
	}
}

static int bn_cmp(const struct bn *a, const struct bn *b)
{
	for (int i = BN - 1; i >= 0; i--)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return 0;
}

/* r = a * b (the product fits: see the top comment) */
static void bn_mul(struct bn *r, const struct bn *a, const struct bn *b)
{
	struct bn t;
	memset(&t, 0, sizeof t);
	for (int i = 0; i < BN; i++) {
		ks_u128 carry = 0;
		for (int j = 0; i + j < BN; j++) {
			ks_u128 p = (ks_u128)a->w[i] * b->w[j] + t.w[i + j] + carry;
			t.w[i + j] = (uint64_t)p;
			carry = p >> 64;
		}
	}
	*r = t;
}

static void bn_from(struct bn *a, ks_u128 x)
{
	memset(a, 0, sizeof *a);
	a->w[0] = (uint64_t)x;
	a->w[1] = (uint64_t)(x >> 64);
}

/* The top 64 bits (sticky bit in the last) rounded to a double, scaled. */
static double bn_to_double(const struct bn *a)
{
	int top = BN - 1;
	while (top >= 0 && !a->w[top])
		top--;
	if (top < 0)
		return 0;
	int lz = __builtin_clzll(a->w[top]);
	uint64_t hi = a->w[top] << lz;
	int below = 0; /* any bit set under the 64 taken */
	if (top > 0) {
		if (lz)
			hi |= a->w[top - 1] >> (64 - lz);
		below = (a->w[top - 1] << lz) != 0;
		for (int i = top - 2; i >= 0 && !below; i--)
			below = a->w[i] != 0;
	}
	hi |= (uint64_t)below; /* sticky: the rounding to 53 bits sees the rest */
	return ldexp((double)hi, 64 * top - lz);
}

double drift_key_moments_std(const struct key_moments *t)
{
	static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (t->n == 0)
		return NAN;
	int e0 = 99;
	for (unsigned s = 0; s < KS_NSEG; s++)
		if (s != KS_ZSEG && t->c[s]) {
			int e = (int)keyseg_exp(s);
			e0 = e < e0 ? e : e0;
		}
	if (e0 == 99)
		return 0; /* every value is 0 */
	struct bn pos, neg, x2, term;
	memset(&pos, 0, sizeof pos);
	memset(&neg, 0, sizeof neg);
	memset(&x2, 0, sizeof x2);
	for (unsigned s = 0; s < KS_NSEG; s++) {
		if (s == KS_ZSEG || !t->c[s])
			continue;
		unsigned d = keyseg_exp(s) - (unsigned)e0;
		bn_from(&term, t->s1[s]);
		bn_mul_pow10(&term, d);
		bn_add(s > KS_ZSEG ? &pos : &neg, &term);
		bn_from(&term, t->s2[s]);
		bn_mul_pow10(&term, 2 * d);
		bn_add(&x2, &term);
	}
	/* |sum X| and D = n sum X^2 - (sum X)^2 */
	struct bn x1 = bn_cmp(&pos, &neg) >= 0 ? pos : neg;
	bn_sub(&x1, bn_cmp(&pos, &neg) >= 0 ? &neg : &pos);
	bn_mul(&x1, &x1, &x1);
	bn_mul_small(&x2, t->n);
	bn_sub(&x2, &x1);
	double sd = sqrt(bn_to_double(&x2)) / (double)t->n;
	int q0 = e0 - 22;
	return q0 >= 0 ? sd * p10[q0] : sd / p10[-q0];
}

/* The std of a map of keys (packed or raw, or doubles that are all keys;
 * total n >= 1): the sums from its entries. */
double drift_key_std(const struct assay_numeric_map *m)
{
	struct key_moments t;
	memset(&t, 0, sizeof t);
	if (m->value) {
		for (size_t i = 0; i < m->n; i++) {
			uint32_t k;
			if (assay_deckey_from_double(m->value[i], &k))
				return NAN; /* not a column of keys (drift_ref_std_is_exact says) */
			key_moments_add(&t, k, m->count[i]);
		}
	} else if (m->raw) {
		for (size_t r = 0; r < m->nrawrun; r++)
			for (size_t i = 0; i < m->raw[r].n; i++)
				key_moments_add(&t, m->raw[r].k[i], 1);
	} else {
		for (size_t i = 0, b = 0; i < m->n; i++) {
			uint64_t c = m->kcount[i];
			if (c == 255)
				c = b < m->nbig && m->big[b].i == i ? m->big[b++].count
				                                    : assay_numeric_map_big_count(m, i);
			key_moments_add(&t, m->key[i], c);
		}
	}
	return drift_key_moments_std(&t);
}

int drift_ref_std_is_exact(const struct assay_numeric_map *m, uint64_t n)
{
	if (n < DRIFT_BUCKET_MIN)
		return 0;
	if (m->raw || (m->key && !m->value && !m->count))
		return 1;
	uint32_t k; /* doubles: when every value is a key (the form does not matter) */
	for (size_t i = 0; i < m->n; i++)
		if (!m->value || assay_deckey_from_double(m->value[i], &k))
			return 0;
	return 1;
}

double drift_ref_std(const struct assay_numeric_map *m, uint64_t n)
{
	return drift_ref_std_is_exact(m, n) ? drift_key_std(m) : drift_map_std(m, n);
}
