/* assay/summary.h: the mergeable sufficient statistics of an evaluation.
 *
 * One pass over the rows fills, for every *finest slice* (one combination
 * of sensitive-feature levels), the four confusion cells, the scores with
 * their labels when a score is given (4 bytes a row for short decimals
 * such as "%.6g" output; a score -> counts table for other scores), and exact
 * regression sums for regression tasks. Every metric, disparity and
 * interval in assay/eval.h is computed from a summary, never from rows;
 * coarser slices (one feature, overall) are merges of finest slices.
 *
 * Two summaries of disjoint row sets merge into the summary of their union
 * with no loss: counts add, scores are concatenated (and sorted at freeze), regression
 * sums are exact (see lib/stats/xsum.c). So eval(A u B) equals
 * eval(merge(summary(A), summary(B))) bit for bit, however the rows were
 * sharded, threaded or ordered.
 */
#ifndef ASSAY_SUMMARY_H
#define ASSAY_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "assay/error.h"

enum assay_task { ASSAY_TASK_BINARY = 0, ASSAY_TASK_REGRESSION = 1 };

struct assay_cells {
	uint64_t tp, fp, tn, fn;
};

/* Sorted, distinct scores with their positive and negative counts. */
struct assay_scoremap {
	size_t n, cap;
	double *score; /* ascending, distinct */
	uint64_t *pos, *neg;
};

struct assay_summary;

/* features: names of the sensitive features (may be 0 of them: then the
 * only slice is the overall one). with_score: keep the scores. */
int assay_summary_new(struct assay_summary **out, enum assay_task task, const char *const *features,
                      size_t nfeatures, int with_score, struct assay_error *err);
void assay_summary_free(struct assay_summary *s);

/* Add one classification row. levels[i] (lens[i] bytes) is the row's level
 * of feature i. y and yhat are 0/1; score is ignored without with_score. */
int assay_summary_add_binary(struct assay_summary *s, const char *const *levels, const uint32_t *lens, int y,
                             int yhat, double score);
/* The same, with score's short-decimal key (assay/deckey.h) when the
 * caller has it from the text (0 when it has not: the key is then derived
 * from the double, when there is one). */
int assay_summary_add_binary_key(struct assay_summary *s, const char *const *levels, const uint32_t *lens,
                                 int y, int yhat, double score, uint32_t key);
/* Add one regression row. */
int assay_summary_add_regression(struct assay_summary *s, const char *const *levels, const uint32_t *lens,
                                 double y, double pred);

/* dst += src. Both must have the same task, features and with_score. */
int assay_summary_merge(struct assay_summary *dst, const struct assay_summary *src, struct assay_error *err);

/* Inspection, for the engine and for tests. Finest slices are listed in a
 * canonical order (levels sorted bytewise per feature, then
 * lexicographically by tuple), whatever order rows arrived in. */
enum assay_task assay_summary_task(const struct assay_summary *s);
int assay_summary_has_score(const struct assay_summary *s);
size_t assay_summary_nfeatures(const struct assay_summary *s);
const char *assay_summary_feature(const struct assay_summary *s, size_t f);
size_t assay_summary_nlevels(const struct assay_summary *s, size_t f);
const char *assay_summary_level(const struct assay_summary *s, size_t f, size_t level);
uint64_t assay_summary_rows(const struct assay_summary *s);

/* Freeze: put levels and finest slices in canonical order and build the
 * sort the scores. Required before the queries below; adding or merging
 * after freezing un-freezes (the next freeze rebuilds). */
int assay_summary_freeze(struct assay_summary *s, struct assay_error *err);

/* Finest slices (frozen). Slice i has one level code per feature. */
size_t assay_summary_nslices(const struct assay_summary *s);
const uint32_t *assay_summary_slice_levels(const struct assay_summary *s, size_t i);

/* Sufficient statistics of a union of finest slices (frozen summary).
 * idx lists finest-slice indices; NULL with n = 0 means all slices. */
struct assay_regsums {
	uint64_t n;
	double sum_y, sum_y2, sum_p, sum_p2, sum_e, sum_abs_e, sum_e2, sum_e4; /* e = y - p */
};
void assay_summary_cells(const struct assay_summary *s, const size_t *idx, size_t n, struct assay_cells *out);
void assay_summary_regsums(const struct assay_summary *s, const size_t *idx, size_t n,
                           struct assay_regsums *out);
/* Walk the distinct scores of a union of finest slices (frozen summary;
 * idx NULL with n = 0: all), ascending or (descending != 0) descending,
 * calling fn once per score with its positive and negative counts.
 * Nothing is materialised: the slices' sorted rows are merged on the fly.
 * Returns 0, or ASSAY_ENOMEM. */
typedef void (*assay_score_fn)(void *ctx, double score, uint64_t pos, uint64_t neg);
int assay_summary_score_walk(const struct assay_summary *s, const size_t *idx, size_t n, int descending,
                             assay_score_fn fn, void *ctx);
/* One walk over every finest slice's scores, for all unions at once: per
 * distinct score, fn gets the m finest slices holding it (slice[0..m),
 * each once) with their counts. Only when every score has a short-decimal
 * key (assay_summary_scores_keyed); 0, or ASSAY_ENOMEM. */
typedef void (*assay_score_split_fn)(void *ctx, double score, size_t m, const uint32_t *slice,
                                     const uint64_t *pos, const uint64_t *neg);
int assay_summary_scores_keyed(const struct assay_summary *s);
int assay_summary_score_walk_split(const struct assay_summary *s, int descending, assay_score_split_fn fn,
                                   void *ctx);
void assay_scoremap_free(struct assay_scoremap *m);

#endif
