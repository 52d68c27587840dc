/* scoremap.h: private to lib/stats: the hash table that counts scores
 * while rows stream in, and sorted-map merging. */
#ifndef ASSAY_STATS_SCOREMAP_H
#define ASSAY_STATS_SCOREMAP_H

#include <stddef.h>
#include <stdint.h>

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

#endif
