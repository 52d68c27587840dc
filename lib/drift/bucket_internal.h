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

/* A bucket's mark: its keys gathered (bk_side_gather), and whether KS
 * must be followed in it */
#define MARK_GATHER 1
#define MARK_KS     4

#define CNT_SHIFT 40
#define OFF_MASK  ((UINT64_C(1) << CNT_SHIFT) - 1)

/* The grid. Keys crowd where the data do (a normal column: most keys in
 * two or three of the ~16 exponents its range spans), so a grid of equal
 * buckets over the range leaves most of them empty and a few with
 * thousands of keys.
 * Here the range is cut into at most 4096 cells of 2^cs keys and each cell
 * into 2^j buckets of equal width, j such that a bucket holds about
 * GRID_KEYS keys of both sides together by a 1/32 sample (of raw keys,
 * runs of 64 in every 2048: a sample of every 32nd key read them all)
 * (more past 2M keys: GRID_MAX_BUCKETS to twice that, bucket_grid.c).
 * Buckets stay aligned runs of 2^shift keys, so a bucket's offsets are the
 * low bits of its keys. Nothing computed depends on the grid (every
 * result is an exact function of the keys: bucket.c's top comment), only
 * the time does, so a sample in file order is as good as any. */
struct grid {
	uint32_t kmin, kmax; /* the least and greatest key of both sides */
	uint64_t kbase;      /* kmin rounded down to a multiple of 2^cs */
	unsigned cs;         /* a cell: 2^cs keys */
	size_t ncell, nb;
	uint32_t *cell; /* per cell: its first bucket << 8 | its buckets' shift (bits 0-4) */
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
	/* per bucket b: agg[b << sq] = count << 40 | sum of offsets and, with
	 * sq (the reference when its std is asked for), agg[2b + 1] = sum of
	 * squared offsets, side by side so that a key touches one cache line.
	 * Without squares the sums are half the bytes (a side's sums stay in
	 * L2 at 10M rows) and half the adds. */
	uint64_t *agg;
	unsigned sq;
	uint32_t *gk;  /* the keys of the marked buckets, ascending, distinct */
	uint64_t *gc;  /* and their counts */
	size_t ng, at; /* gathered entries; the sweep's cursor */
};

static inline uint64_t bcount(const struct side *s, size_t b)
{
	return s->agg[b << s->sq] >> CNT_SHIFT;
}

/* The sum of the side's offsets in bucket b. */
static inline uint64_t bsum(const struct side *s, size_t b)
{
	return s->agg[b << s->sq] & OFF_MASK;
}

/* The side's sums (s->agg zeroed, nb << s->sq words). */
void bk_side_sum(struct side *s, const struct grid *g);
/* The keys of the marked buckets (mark not 0), ascending and distinct,
 * with their counts (s->gk, s->gc, s->ng): 0, or -1 out of memory. */
int bk_side_gather(struct side *s, const struct grid *g, const uint8_t *mark);
/* Keys of the side in [lo, t) when their bucket was not gathered. */
uint64_t bk_side_below_ungathered(const struct side *s, uint64_t lo, uint64_t t);

#endif
