/* assay/plan.h: evaluation plans: named checks judged against a report.
 *
 * A plan is YAML:
 *
 *     version: 1
 *     inconclusive: fail          # or pass: how a straddling interval counts
 *     min_group_size: 30          # optional; the command line wins
 *     checks:
 *       - name: four-fifths rule on race
 *         check: demographic_parity_ratio >= 0.8
 *         feature: race           # optional: one slicing; default every one
 *         method: between_groups  # or to_overall
 *       - recall[race=*] >= 0.6   # a bare expression is a check too
 *       - roc_auc >= 0.75
 *
 * Expressions: `METRIC op NUMBER` (the overall slice), `METRIC[f=level]`,
 * `METRIC[f=*]` (every judged group of f), `METRIC[f=*&g=*]` (every
 * intersection group), `DISPARITY op NUMBER`, `DISPARITY[f]`, and
 * `disparate_impact[f] op NUMBER` (each group against the reference).
 * op is one of >= > <= < == !=.
 *
 * A check passes when its whole interval satisfies the comparison, fails
 * when none of it does, and is inconclusive when the interval straddles
 * the threshold; without an interval the point value decides.
 */
#ifndef ASSAY_PLAN_H
#define ASSAY_PLAN_H

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/eval.h"

struct assay_plan;

/* Parse a plan file. Errors are located (plan.yaml:7:5). */
int assay_plan_load(struct assay_plan **out, const char *path, struct assay_arena *a,
                    struct assay_error *err);

/* Plan-level settings, or defaults when absent: -1 for "not set". */
int assay_plan_inconclusive_fails(const struct assay_plan *plan);
long long assay_plan_min_group_size(const struct assay_plan *plan);
const char *assay_plan_sha256(const struct assay_plan *plan);
const char *assay_plan_path(const struct assay_plan *plan);

/* Check that every check names known metrics, features and levels that
 * this evaluation has (score metrics need a score, regression metrics a
 * regression task); located error otherwise. */
int assay_plan_validate(const struct assay_plan *plan, const struct assay_eval_report *r,
                        struct assay_error *err);

/* Judge every check against r; fills r->checks, r->nchecks, r->passed. */
int assay_plan_run(const struct assay_plan *plan, struct assay_eval_report *r, struct assay_arena *a,
                   struct assay_error *err);

#endif
