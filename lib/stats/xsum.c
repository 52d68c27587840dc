/* xsum.c: exact summation of doubles (assay/xsum.h).
 *
 * A finite double is m * 2^e with m a 53-bit integer and -1074 <= e <= 971.
 * With BASE = -1120 the bit offset e - BASE is in [46, 2091]; m shifted
 * there spans at most three 32-bit limbs, which are added as signed
 * 64-bit words. Every limb takes at most 2^32 per add, so 2^30 adds may
 * pass before carries must be propagated; the top limbs leave room for
 * 2^60 times the largest double before overflow. Squares of doubles can
 * overflow to inf; non-finite inputs are tracked by flags and make the
 * value inf or NaN as IEEE addition would.
 *
 * Not done: correct rounding of the final value. The value is a fixed
 * function of the exact sum, which is what order independence needs.
 */
#include <math.h>
#include <string.h>

#include "assay/xsum.h"

#define BASE (-1120)

void assay_xsum_init(struct assay_xsum *x)
{
	memset(x, 0, sizeof *x);
}

/* Propagate carries so that every limb but the top is in [0, 2^32). */
static void normalize(int64_t *limb)
{
	for (int i = 0; i < ASSAY_XSUM_LIMBS - 1; i++) {
		int64_t carry = limb[i] >> 32; /* arithmetic shift: floor division */
		limb[i] -= carry * ((int64_t)1 << 32);
		limb[i + 1] += carry;
	}
}

void assay_xsum_add(struct assay_xsum *x, double v)
{
	if (!isfinite(v)) {
		if (isnan(v))
			x->nan = 1;
		else if (v > 0)
			x->pos_inf = 1;
		else
			x->neg_inf = 1;
		return;
	}
	if (v == 0)
		return;
	/* mantissa and exponent straight from the bits (frexp/ldexp cost
	 * more than the rest of the add) */
	uint64_t bits;
	memcpy(&bits, &v, sizeof bits);
	int biased = (int)((bits >> 52) & 0x7ff);
	uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
	int e;
	if (biased == 0) {
		e = -1074; /* subnormal */
	} else {
		m |= UINT64_C(1) << 52;
		e = biased - 1075;
	}
	int off = e - BASE;
	int k = off >> 5, s = off & 31;
	unsigned __int128 w = (unsigned __int128)m << s;
	int64_t sign = v < 0 ? -1 : 1;
	x->limb[k] += sign * (int64_t)(uint64_t)(w & 0xffffffffu);
	x->limb[k + 1] += sign * (int64_t)(uint64_t)((w >> 32) & 0xffffffffu);
	x->limb[k + 2] += sign * (int64_t)(uint64_t)(w >> 64);
	if (++x->pending >= (1u << 30)) {
		normalize(x->limb);
		x->pending = 0;
	}
}

void assay_xsum_add_product(struct assay_xsum *x, double a, double b)
{
	double hi = a * b;
	if (!isfinite(hi)) {
		assay_xsum_add(x, hi);
		return;
	}
	assay_xsum_add(x, hi);
	assay_xsum_add(x, fma(a, b, -hi));
}

void assay_xsum_merge(struct assay_xsum *dst, const struct assay_xsum *src)
{
	struct assay_xsum s = *src;
	normalize(s.limb);
	normalize(dst->limb);
	for (int i = 0; i < ASSAY_XSUM_LIMBS; i++)
		dst->limb[i] += s.limb[i];
	dst->pending = 1;
	dst->nan |= src->nan;
	dst->pos_inf |= src->pos_inf;
	dst->neg_inf |= src->neg_inf;
}

double assay_xsum_value(const struct assay_xsum *x)
{
	if (x->nan || (x->pos_inf && x->neg_inf))
		return NAN;
	if (x->pos_inf)
		return INFINITY;
	if (x->neg_inf)
		return -INFINITY;
	int64_t limb[ASSAY_XSUM_LIMBS];
	memcpy(limb, x->limb, sizeof limb);
	normalize(limb);
	/* Negative totals: the top limb is negative. Negate the whole number
	 * (two's complement over limbs) so we convert a magnitude. */
	int neg = limb[ASSAY_XSUM_LIMBS - 1] < 0;
	if (neg) {
		for (int i = 0; i < ASSAY_XSUM_LIMBS; i++)
			limb[i] = -limb[i];
		normalize(limb);
	}
	int top = ASSAY_XSUM_LIMBS - 1;
	while (top >= 0 && limb[top] == 0)
		top--;
	if (top < 0)
		return 0.0;
	long double r = 0;
	for (int i = top - 3 < 0 ? 0 : top - 3; i <= top; i++)
		r += ldexpl((long double)limb[i], 32 * i + BASE);
	double d = (double)r;
	return neg ? -d : d;
}
