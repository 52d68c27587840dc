/* keyseg.h: private to lib/drift: the decimal keys of assay/deckey.h seen
 * as segments of equally spaced values, for the comparison without a sort
 * (bucket.c) and the exact standard deviation (key_std.c).
 *
 * The keys of one sign and one exponent q (M in [10^6, 10^7)) form a
 * segment: consecutive keys there are 10^q apart, so a value is affine in
 * its key. Segments are numbered in value order: 0..44 the negative ones
 * (q = 22 down to -22), 45 the zero key, 46..90 the positive ones (q = -22
 * up to 22). The step from key k to key k + 1 (the width of [v(k),
 * v(k+1))) is 10^q of k's segment, except:
 * - on the negative side the step out of a segment's last key (-10^6 10^q,
 *   m = 0) into the next one (-9999999 10^(q-1)) is 10^(q-1);
 * - the two steps next to zero (-1e-16 -> 0 -> 1e-16) are 10^6 10^-22.
 * Widths are kept as counts of units 10^q, q in [-22, 22].
 */
#ifndef ASSAY_DRIFT_KEYSEG_H
#define ASSAY_DRIFT_KEYSEG_H

#include <stdint.h>

#include "assay/deckey.h"

#define KS_SEGKEYS  9000000u                            /* keys of a segment */
#define KS_NSEG     91                                  /* segments */
#define KS_ZSEG     45                                  /* the zero key's segment */
#define KS_POS0     UINT32_C(0x80000001)                /* least positive key */
#define KS_POSEND   (KS_POS0 + 45u * KS_SEGKEYS)        /* one past the greatest positive key */
#define KS_NEGTOP   UINT32_C(0x7fffffff)                /* greatest negative key */
#define KS_NEGBEGIN (KS_NEGTOP - 45u * KS_SEGKEYS + 1u) /* least negative key */

typedef __int128 ks_i128;
typedef unsigned __int128 ks_u128;

/* Segment of a valid key, and m = M - 10^6 (0 for zero). */
static inline unsigned keyseg_of(uint32_t k, uint32_t *m)
{
	if (k == ASSAY_DECKEY_ZERO) {
		*m = 0;
		return KS_ZSEG;
	}
	uint32_t idx = k > ASSAY_DECKEY_ZERO ? k - KS_POS0 : KS_NEGTOP - k;
	uint32_t e = idx / KS_SEGKEYS;
	*m = idx - e * KS_SEGKEYS;
	return k > ASSAY_DECKEY_ZERO ? 46u + e : 44u - e;
}

/* Exponent index (q + 22) of a non-zero segment. */
static inline unsigned keyseg_exp(unsigned seg)
{
	return seg > KS_ZSEG ? seg - 46u : 44u - seg;
}

/* Exact sums of a multiset of keys per segment: count, sum of M and sum
 * of M^2 (integers: the same whatever the order or grouping they were
 * added in). n counts the zero key too. Sums of M fit 64 bits below 2^36
 * values, of M^2 128 bits. */
struct key_moments {
	uint64_t n;
	uint64_t c[KS_NSEG], s1[KS_NSEG];
	ks_u128 s2[KS_NSEG];
};

static inline void key_moments_add(struct key_moments *t, uint32_t key, uint64_t count)
{
	uint32_t m;
	unsigned s = keyseg_of(key, &m);
	uint64_t M = 1000000u + (uint64_t)m;
	t->n += count;
	t->c[s] += count;
	t->s1[s] += count * M;
	t->s2[s] += (ks_u128)(count * M) * M;
}

/* The population standard deviation (ddof = 0) of the values, from the
 * exact sums: n^2 var = n sum x^2 - (sum x)^2 in integers scaled to the
 * least exponent present, rounded to a double once, then the square
 * root, / n and * 10^q (within ~2 ulp of the exact value; 0 for
 * constant data; NaN when n is 0). key_std.c. */
double drift_key_moments_std(const struct key_moments *t);

#endif
