/* scoremap.h: private to lib/stats: the hash table that counts scores
 * while rows stream in, and sorted-map merging. */
#ifndef ASSAY_STATS_SCOREMAP_H
#define ASSAY_STATS_SCOREMAP_H

#include <stddef.h>
#include <stdint.h>

#include "assay/deckey.h"
#include "assay/summary.h"

/* One slot: key and counts side by side, so an insert touches one cache
 * line (three parallel arrays cost three misses per row on big tables). */
struct score_slot {
	uint64_t key; /* bit pattern of the score, or EMPTY */
	uint64_t pos, neg;
};

struct score_table {
	size_t n, cap;
	struct score_slot *slot;
};

void score_table_init(struct score_table *t);
void score_table_free(struct score_table *t);
int score_table_add(struct score_table *t, double score, uint64_t pos, uint64_t neg);
int score_table_merge(struct score_table *dst, const struct score_table *src);
int score_table_sorted(const struct score_table *t, struct assay_scoremap *out);
int scoremap_merge_many(const struct assay_scoremap *const *maps, size_t k, struct assay_scoremap *out);

/* Scores that have a short-decimal key (assay/deckey.h; a score in [0, 1]
 * has a key >= ASSAY_DECKEY_ZERO) are kept as one 32-bit row each:
 * (key - ASSAY_DECKEY_ZERO) << 1 | label. Sorted as integers, such rows
 * order by score, and a score's rows are contiguous. */
static inline uint32_t score_row(uint32_t key, int y)
{
	return (key - ASSAY_DECKEY_ZERO) << 1 | (uint32_t)(y != 0);
}

/* One frozen finest slice's scores: its sorted key rows and the sorted
 * map of its other scores. */
struct score_source {
	const uint32_t *rows;
	size_t nrows;
	const struct assay_scoremap *other;
};
/* Call fn once per distinct score of the union of src[0..k), ascending
 * (or descending), with its summed counts; -1 when out of memory. */
int score_walk(const struct score_source *src, size_t k, int descending, assay_score_fn fn, void *ctx);
/* The same over all of src[0..k) at once, for sources without other
 * scores: fn learns which sources hold each score (assay/summary.h). */
int score_walk_split(const struct score_source *src, size_t k, int descending, assay_score_split_fn fn,
                     void *ctx);

#endif
