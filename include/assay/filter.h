/* assay/filter.h: row predicates over source fields, for --where and
 * --pred-from:
 *
 *     days_b_screening_arrest <= 30
 *     c_charge_degree != O
 *     score_text in [Medium, High]
 *     is_recid != -1 and race not in ["Native American", Other]
 *
 * Operators: == != < <= > >= in [..] not in [..]; terms joined by `and`
 * (or `&&`). Values may be quoted with ' or ". A comparison is numeric
 * when the value is a number and the field parses as one; otherwise it
 * compares bytes (equality and `in` only; ordering a non-number is an
 * error). A missing field (empty, NA, ...) makes any comparison false,
 * as in SQL and R's dplyr::filter.
 */
#ifndef ASSAY_FILTER_H
#define ASSAY_FILTER_H

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/source.h"

struct assay_filter;

/* Compile `expr` against src's columns. `what` names the option for
 * errors ("--where"). Memory comes from the arena. */
int assay_filter_compile(struct assay_filter **out, const char *expr, const char *what,
                         const struct assay_source *src, struct assay_arena *arena, struct assay_error *err);

/* 1 when the row satisfies every term, 0 when not, negative with err set
 * when a field cannot be compared (a non-number under < etc.). */
/* One past the highest column index the filter reads (for
 * assay_source_project). */
size_t assay_filter_columns_end(const struct assay_filter *f);

int assay_filter_eval(const struct assay_filter *f, const struct assay_source *src,
                      const struct assay_row *row, struct assay_error *err);

#endif
