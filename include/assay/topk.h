/* assay/topk.h: frequent values. While a column's value map is exact, the
 * top k is read off the map (assay_topk_exact); past the cap, a Misra-Gries
 * summary (Misra and Gries 1982; mergeable as in Agarwal et al., "Mergeable
 * summaries", PODS 2012) with `counters` counters estimates the counts:
 * each reported count c of a value with true count f satisfies
 * c <= f <= c + offset, and offset <= (n - sum of counters) / (counters + 1). */
#ifndef ASSAY_TOPK_H
#define ASSAY_TOPK_H

#include <stddef.h>
#include <stdint.h>

struct assay_topk;

/* NULL when out of memory or counters is 0. */
struct assay_topk *assay_topk_new(size_t counters);
struct assay_topk *assay_topk_clone(const struct assay_topk *t);
void assay_topk_free(struct assay_topk *t);

/* Count value (bytes) w more times. 0, or -1 when out of memory. */
int assay_topk_add(struct assay_topk *t, const char *value, size_t len, uint64_t w);
/* dst += src. 0, or -1 when out of memory. */
int assay_topk_merge(struct assay_topk *dst, const struct assay_topk *src);

/* Reduce to at most `counters` entries and sort them by count (descending),
 * then bytewise; the accessors below read that order. */
int assay_topk_settle(struct assay_topk *t);
size_t assay_topk_size(const struct assay_topk *t);
size_t assay_topk_counters(const struct assay_topk *t);
uint64_t assay_topk_offset(const struct assay_topk *t);
/* NUL-terminated (the bytes may contain NULs: use len). */
const char *assay_topk_value(const struct assay_topk *t, size_t i, uint32_t *len);
uint64_t assay_topk_count(const struct assay_topk *t, size_t i);

/* Rebuild from serialised entries; NULL when out of memory or the entries
 * are not a summary (more than `counters`, a zero count, a repeated value). */
struct assay_topk *assay_topk_restore(size_t counters, uint64_t offset, size_t n, const char *const *value,
                                      const uint32_t *len, const uint64_t *count);

/* The k largest counts of an exact map, ties broken bytewise (shorter
 * prefix first): writes up to k map indices to idx, returns how many. */
size_t assay_topk_exact(char *const *value, const uint32_t *len, const uint64_t *count, size_t n, size_t k,
                        size_t *idx);

/* Bytewise order of two byte strings (memcmp, then the shorter first). */
int assay_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
