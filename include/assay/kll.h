/* assay/kll.h: the KLL quantile sketch (Karnin, Lang and Liberty, "Optimal
 * Quantile Approximation in Streams", FOCS 2016), mergeable, deterministic
 * and serialisable. See lib/stats/kll.c for the error bound: with the
 * default k = 200, the rank of a returned quantile is within 1.65% of n
 * for 99% of queries (measured; the analytical bound is in the file). */
#ifndef ASSAY_KLL_H
#define ASSAY_KLL_H

#include <stddef.h>
#include <stdint.h>

#define ASSAY_KLL_DEFAULT_K  200
#define ASSAY_KLL_MIN_K      8
#define ASSAY_KLL_MAX_K      65535
#define ASSAY_KLL_MAX_LEVELS 64

struct assay_kll;

/* NULL when out of memory or k outside [ASSAY_KLL_MIN_K, ASSAY_KLL_MAX_K]. */
struct assay_kll *assay_kll_new(uint32_t k);
struct assay_kll *assay_kll_clone(const struct assay_kll *s);
void assay_kll_free(struct assay_kll *s);

/* Add a finite value (NaN and infinities are ignored). 0, or -1 when out
 * of memory. */
int assay_kll_add(struct assay_kll *s, double x);
/* Add x with an integer weight w (as if added w times), in O(log w). */
int assay_kll_add_weighted(struct assay_kll *s, double x, uint64_t w);
/* A sketch of n >= 0 values given in ascending order (finite), built by
 * compacting each level whole, once, until the top one holds at most k
 * items (the coin counter starts at coin): a function of the values and
 * coin alone. Merged in a fixed order, such sketches of fixed pieces of a
 * stream summarise it whatever the order within each piece. NULL when out
 * of memory or k is out of range. */
struct assay_kll *assay_kll_from_sorted(uint32_t k, const double *v, size_t n, uint64_t coin);
/* dst += src; the result uses the smaller k. 0, or -1 when out of memory. */
int assay_kll_merge(struct assay_kll *dst, const struct assay_kll *src);

uint32_t assay_kll_k(const struct assay_kll *s);
uint64_t assay_kll_n(const struct assay_kll *s);
double assay_kll_min(const struct assay_kll *s); /* exact; NaN when empty */
double assay_kll_max(const struct assay_kll *s);
/* The retained item whose weighted rank first reaches q * n (q <= 0: the
 * minimum, q >= 1: the maximum); NaN when empty. */
double assay_kll_quantile(const struct assay_kll *s, double q);
/* The normalised rank error of a sketch with parameter k, for all
 * quantiles at once (the bound on sup_x |rank(x) - true rank(x)| / n), at
 * 99% confidence: 2.446 / k^0.9433 (the empirical fit published with
 * Apache DataSketches' KLL; 0.0165 at k = 200). */
double assay_kll_rank_error(uint32_t k);
/* Estimated fraction of values <= x. */
double assay_kll_rank(const struct assay_kll *s, double x);

/* Serialisation: the levels (level h holds items of weight 2^h) and the
 * coin counter, so that a sketch read back continues identically. */
uint64_t assay_kll_coin(const struct assay_kll *s);
size_t assay_kll_nlevels(const struct assay_kll *s);
const double *assay_kll_level(const struct assay_kll *s, size_t h, size_t *len);
/* Rebuild from serialised parts. Returns NULL when the parts are not a
 * sketch: k out of range, more than ASSAY_KLL_MAX_LEVELS levels,
 * non-finite items, min > max, or sum(len[h] * 2^h) != n. */
struct assay_kll *assay_kll_restore(uint32_t k, uint64_t n, double min, double max, uint64_t coin,
                                    size_t nlevels, const double *const *items, const size_t *len);

#endif
