/* assay/xsum.h: exact summation of doubles, and the library's one
 * compensated (Neumaier) step for sums that need only twice a double's
 * precision.
 *
 * A superaccumulator: the exact sum of any number of finite doubles, kept
 * as 32-bit limbs in int64 words covering every double exponent. Adding is
 * exact, so sums do not depend on order, threading or sharding, and merging
 * two accumulators is exact. assay_xsum_value() is a deterministic function
 * of the exact sum (rounded through long double from the top limbs: at
 * least 64 correct bits before the final rounding to double).
 */
#ifndef ASSAY_XSUM_H
#define ASSAY_XSUM_H

#include <math.h>
#include <stdint.h>

#define ASSAY_XSUM_LIMBS 70

struct assay_xsum {
	int64_t limb[ASSAY_XSUM_LIMBS]; /* limb i weighs 2^(32 i - 1120) */
	uint32_t pending;               /* adds since the last carry pass */
	uint8_t pos_inf, neg_inf, nan;
};

void assay_xsum_init(struct assay_xsum *x);
void assay_xsum_add(struct assay_xsum *x, double v);
/* Adds a*b exactly (as the two halves of an fma-based two-product). */
void assay_xsum_add_product(struct assay_xsum *x, double a, double b);
void assay_xsum_merge(struct assay_xsum *dst, const struct assay_xsum *src);
double assay_xsum_value(const struct assay_xsum *x);

/* Neumaier's compensated summation, one step: *s += x, the rounding error
 * carried in *c; the sum is *s + *c, about twice a double's precision, at
 * a few additions (the KS p-value's sums, the drift means, Brier and log
 * loss sums). Inline: in a loop *s and *c stay in registers. */
static inline void assay_neumaier_add(double *s, double *c, double x)
{
	double t = *s + x;
	*c += fabs(*s) >= fabs(x) ? (*s - t) + x : (x - t) + *s;
	*s = t;
}

#endif
