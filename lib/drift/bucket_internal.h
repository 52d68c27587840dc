/* bucket_internal.h: private to bucket.c and bucket_grid.c: the grid of
 * buckets over two columns of decimal keys, and each side's per-bucket
 * sums and gathered keys (bucket.c's top comment says how the comparison
 * uses them). */
#ifndef ASSAY_DRIFT_BUCKET_INTERNAL_H
#define ASSAY_DRIFT_BUCKET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "drift_internal.h"
#include "keyseg.h"

/* A bucket's mark: its keys gathered (by a pass over raw keys), or known
 * from its sums (one key a side), and whether KS must be followed in it */
#define MARK_GATHER 1
#define MARK_ONE    2
#define MARK_KS     4

#define CNT_SHIFT 40
#define OFF_MASK  ((UINT64_C(1) << CNT_SHIFT) - 1)

/* The grid. Keys crowd where the data do (a normal column: most keys in
 * two or three of the ~16 exponents its range spans), so a grid of equal
 * buckets over the range leaves most of them empty and a few with
 * thousands of keys.
 * Here the range is cut into at most 4096 cells of 2^cs keys and each cell
 * into 2^j buckets of equal width, j such that a bucket holds about
 * GRID_KEYS keys of both sides together by a sample of every 32nd key
 * (more past 2M keys: at most ~GRID_MAX_BUCKETS buckets, bucket_grid.c).
 * Buckets stay aligned runs of 2^shift keys, so a bucket's offsets are the
 * low bits of its keys. Nothing computed depends on the grid (every
 * result is an exact function of the keys: bucket.c's top comment), only
 * the time does, so a sample in file order is as good as any. */
struct grid {
	uint32_t kmin, kmax; /* the least and greatest key of both sides */
	uint64_t kbase;      /* kmin rounded down to a multiple of 2^cs */
	unsigned cs;         /* a cell: 2^cs keys */
	size_t ncell, nb;
	uint32_t *cell; /* per cell: its first bucket << 5 | its buckets' shift */
};

/* Every bucket in key order: b its index, [kb, kb + L) its keys. */
#define FOR_BUCKETS(g, b, kb, L)                                                                             \
	for (size_t c_ = 0, b = 0; c_ < (g)->ncell; c_++)                                                    \
		for (uint64_t L = (uint64_t)1 << ((g)->cell[c_] & 31),                                       \
		              kb = (g)->kbase + ((uint64_t)c_ << (g)->cs),                                   \
		              e_ = kb + ((uint64_t)1 << (g)->cs);                                            \
		     kb < e_; kb += L, b++)

/* The grid of two columns of keys (non-empty): 0, or -1 out of memory
 * (g->cell then to free). */
int bk_grid_make(struct grid *g, const struct assay_numeric_map *ref, const struct assay_numeric_map *cur);
/* Exponent index q + 22 when every key of the bucket [a, a + L) lies in
 * one segment and every step out of them is 10^q wide (keyseg.h), else -1. */
int bk_bucket_unit(uint64_t a, uint64_t L);

/* One side: the buckets' sums and the gathered keys. */
struct side {
	const struct assay_numeric_map *m;
	/* per bucket b: agg[2b] = count << 40 | sum of offsets, agg[2b + 1] =
	 * sum of squared offsets (the std; one key or more); side by side, so
	 * that a key touches one cache line */
	uint64_t *agg;
	uint32_t *gk;  /* the keys of the marked buckets, ascending, distinct */
	uint64_t *gc;  /* and their counts */
	size_t ng, at; /* gathered entries; the sweep's cursor */
};

static inline uint64_t bcount(const struct side *s, size_t b)
{
	return s->agg[2 * b] >> CNT_SHIFT;
}

/* The side's sums (s->agg zeroed, 2 nb words). */
void bk_side_sum(struct side *s, const struct grid *g);
/* 1 when the side has at most one distinct key in bucket b, which starts
 * at key kb (its count times its sum of squared offsets is its sum of
 * offsets squared: no spread), *k then that key. */
int bk_one_key(const struct side *s, size_t b, uint64_t kb, uint64_t *k);
/* The keys of the buckets marked MARK_GATHER or MARK_ONE, ascending and
 * distinct, with their counts (s->gk, s->gc, s->ng): 0, or -1 out of
 * memory. mark has 4 bytes of room past its nb. */
int bk_side_gather(struct side *s, const struct grid *g, const uint8_t *mark);
/* Keys of the side in [lo, t) when their bucket was not gathered. */
uint64_t bk_side_below_ungathered(const struct side *s, uint64_t lo, uint64_t t);

#endif
