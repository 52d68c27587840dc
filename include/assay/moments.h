/* assay/moments.h: streaming central moments (n, mean, M2, M3, M4) with
 * the one-pass update and the pairwise merge of Pébay (2008, "Formulas for
 * robust, one-pass parallel computation of covariances and arbitrary-order
 * statistical moments", Sandia SAND2008-6212, eqs. 2.1-2.4; M2 as Chan,
 * Golub and LeVeque 1979), and the derived statistics. struct
 * assay_moments itself lives in assay/profile.h. */
#ifndef ASSAY_MOMENTS_H
#define ASSAY_MOMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "assay/profile.h"

void assay_moments_init(struct assay_moments *m);
/* Add one finite value. */
void assay_moments_add(struct assay_moments *m, double x);
/* dst += src (pairwise formulas). */
void assay_moments_merge(struct assay_moments *dst, const struct assay_moments *src);
/* Two-pass moments of n distinct values with counts (an exact value map):
 * the mean is the exact sum divided by n, the central sums are exact sums
 * of the rounded powers, so the result does not depend on the order in
 * which the map was built (only on its content). */
void assay_moments_from_map(struct assay_moments *m, const double *value, const uint64_t *count, size_t n);
/* The same from a packed map (decimal keys, assay/deckey.h);
 * bit-identical to assay_moments_from_map on the decoded values. */
void assay_moments_from_packed(struct assay_moments *m, const struct assay_numeric_map *map);

/* Two-pass moments of n values as given (a compensated sum for the mean,
 * plain central sums): the same bits for the same values in the same
 * order. */
void assay_moments_from_values(struct assay_moments *m, const double *v, size_t n);

/* Derived statistics; NaN when undefined (n too small or M2 = 0). */
double assay_moments_variance(const struct assay_moments *m); /* sample, ddof = 1: M2 / (n - 1) */
double
assay_moments_skewness(const struct assay_moments *m); /* g1 = sqrt(n) M3 / M2^1.5 (scipy.stats.skew) */
double assay_moments_kurtosis(
    const struct assay_moments *m); /* excess g2 = n M4 / M2^2 - 3 (scipy.stats.kurtosis) */

#endif
