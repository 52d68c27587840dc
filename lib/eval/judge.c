/* judge.c: validating a plan against an evaluation and judging its checks
 * (assay/plan.h; the rules are in plan.c's opening comment). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "assay/plan.h"
#include "plan_internal.h"

static int is_score_metric(int m)
{
	return m == ASSAY_M_ROC_AUC || m == ASSAY_M_AVERAGE_PRECISION || m == ASSAY_M_BRIER ||
	       m == ASSAY_M_LOG_LOSS || m == ASSAY_M_ECE;
}

static int is_regression_metric(int m)
{
	return m >= ASSAY_M_MAE && m <= ASSAY_M_MEAN_RESIDUAL;
}

static long find_slicing(const struct assay_eval_report *r, const char *name)
{
	for (size_t i = 0; i < r->nslicings; i++)
		if (strcmp(r->slicings[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int check_error(struct assay_error *err, const char *path, const struct check *c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int check_error(struct assay_error *err, const char *path, const struct check *c, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return assay_error_set(err, ASSAY_EINPUT, path, c->line, c->column, "check \"%s\": %s", c->expr, msg);
}

static void list_slicings(const struct assay_eval_report *r, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < r->nslicings; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s\"%s\"", i ? ", " : "", r->slicings[i].name);
	if (!r->nslicings)
		snprintf(buf, n, "none (no --sensitive)");
}

/* The slicing a metric selector refers to, or -1 with err set. */
static long selector_slicing(const struct assay_plan *plan, const struct check *c,
                             const struct assay_eval_report *r, struct assay_error *err)
{
	char names[600];
	list_slicings(r, names, sizeof names);
	if (c->nparts == 1) {
		long s = find_slicing(r, c->feature[0]);
		if (s < 0) {
			check_error(err, plan->path, c, "no sensitive feature \"%s\"", c->feature[0]);
			assay_error_hint(err, "the slicings of this evaluation are %s", names);
		}
		return s;
	}
	size_t nf = r->nslicings > 1 ? r->nslicings - 1 : 0;
	if (c->nparts != nf) {
		check_error(err, plan->path, c, "an intersection names every sensitive feature once");
		assay_error_hint(err, "the slicings of this evaluation are %s", names);
		return -1;
	}
	for (size_t i = 0; i < c->nparts; i++)
		if (strcmp(c->feature[i], r->slicings[i].name) != 0) {
			check_error(err, plan->path, c,
			            "intersection features must be given in --sensitive order (%s)",
			            r->slicings[nf].name);
			return -1;
		}
	return (long)nf;
}

static int level_exists(const struct assay_eval_report *r, long sg, size_t part, const char *level)
{
	const struct assay_slicing *s = &r->slicings[sg];
	for (size_t g = s->first; g < s->first + s->count; g++)
		if (strcmp(r->slices[g].part_level[part], level) == 0)
			return 1;
	return 0;
}

int assay_plan_validate(const struct assay_plan *plan, const struct assay_eval_report *r,
                        struct assay_error *err)
{
	for (size_t i = 0; i < plan->nchecks; i++) {
		const struct check *c = &plan->checks[i];
		int regression = r->params.task == ASSAY_TASK_REGRESSION;
		if (c->kind == K_METRIC) {
			if (is_score_metric(c->which) && !r->params.score) {
				check_error(err, plan->path, c, "%s needs a score column",
				            assay_metric_name(c->which));
				assay_error_hint(err, "pass --score COLUMN");
				return err->code;
			}
			if (is_regression_metric(c->which) != regression && c->which != ASSAY_M_COUNT)
				return check_error(
				    err, plan->path, c, "%s is a %s metric but this is a %s evaluation",
				    assay_metric_name(c->which), regression ? "classification" : "regression",
				    regression ? "regression" : "classification");
			if (c->nparts) {
				long sg = selector_slicing(plan, c, r, err);
				if (sg < 0)
					return err->code;
				for (size_t p = 0; p < c->nparts; p++)
					if (c->level[p] &&
					    !level_exists(r, sg, c->nparts == 1 ? 0 : p, c->level[p]))
						return check_error(err, plan->path, c,
						                   "no group %s=%s in the data",
						                   c->feature[p], c->level[p]);
			}
		} else {
			if (regression)
				return check_error(err, plan->path, c,
				                   "disparities need a classification evaluation");
			if (c->slicing && find_slicing(r, c->slicing) < 0) {
				char names[600];
				list_slicings(r, names, sizeof names);
				check_error(err, plan->path, c, "no slicing \"%s\"", c->slicing);
				assay_error_hint(err, "the slicings of this evaluation are %s", names);
				return err->code;
			}
			if (!r->nslicings) {
				check_error(err, plan->path, c, "disparities need sensitive features");
				assay_error_hint(err, "pass --sensitive COLUMN[,COLUMN...]");
				return err->code;
			}
		}
	}
	return 0;
}

/* ---- judging ---- */

struct item {
	const char *subject;
	double value;
	struct assay_interval ci;
	uint64_t n;
};

static int satisfies(double x, enum assay_cmp op, double t)
{
	switch (op) {
	case ASSAY_CMP_GE:
		return x >= t;
	case ASSAY_CMP_GT:
		return x > t;
	case ASSAY_CMP_LE:
		return x <= t;
	case ASSAY_CMP_LT:
		return x < t;
	case ASSAY_CMP_EQ:
		return x == t;
	default:
		return x != t;
	}
}

static enum assay_check_status judge(const struct item *it, enum assay_cmp op, double t)
{
	if (isnan(it->value))
		return ASSAY_CHECK_INCONCLUSIVE;
	if (isnan(it->ci.lo) || isnan(it->ci.hi) || op == ASSAY_CMP_EQ || op == ASSAY_CMP_NE)
		return satisfies(it->value, op, t) ? ASSAY_CHECK_PASS : ASSAY_CHECK_FAIL;
	int a = satisfies(it->ci.lo, op, t), b = satisfies(it->ci.hi, op, t);
	return a && b ? ASSAY_CHECK_PASS : !a && !b ? ASSAY_CHECK_FAIL : ASSAY_CHECK_INCONCLUSIVE;
}

/* How far on the right side of the threshold (negative: wrong side). */
static double margin(double x, enum assay_cmp op, double t)
{
	if (isnan(x))
		return -INFINITY;
	return op == ASSAY_CMP_GE || op == ASSAY_CMP_GT   ? x - t
	       : op == ASSAY_CMP_LE || op == ASSAY_CMP_LT ? t - x
	                                                  : 0;
}

static size_t collect(const struct check *c, const struct assay_eval_report *r, struct item *items,
                      size_t *skipped_small, struct assay_arena *a)
{
	size_t n = 0;
	*skipped_small = 0;
	if (c->kind == K_METRIC) {
		if (!c->nparts) {
			const struct assay_slice_result *s = &r->slices[0];
			items[n++] = (struct item){"overall", s->value[c->which], s->ci[c->which], s->n};
			return n;
		}
		long sg = c->nparts == 1 ? find_slicing(r, c->feature[0]) : (long)r->nslicings - 1;
		int exact = 1;
		for (size_t p = 0; p < c->nparts; p++)
			exact &= c->level[p] != NULL;
		const struct assay_slicing *S = &r->slicings[sg];
		for (size_t g = S->first; g < S->first + S->count; g++) {
			const struct assay_slice_result *s = &r->slices[g];
			int match = 1;
			for (size_t p = 0; p < c->nparts; p++)
				if (c->level[p] &&
				    strcmp(s->part_level[c->nparts == 1 ? 0 : p], c->level[p]) != 0)
					match = 0;
			if (!match)
				continue;
			if (s->small && !exact && !r->params.include_small) {
				(*skipped_small)++;
				continue;
			}
			items[n++] = (struct item){s->label, s->value[c->which], s->ci[c->which], s->n};
		}
		return n;
	}
	for (size_t i = 0; i < r->nslicings; i++) {
		const char *name = r->slicings[i].name;
		if (c->slicing && strcmp(c->slicing, name) != 0)
			continue;
		if (c->kind == K_DISPARITY) {
			for (size_t k = 0; k < r->ndisparities; k++) {
				const struct assay_disparity_result *d = &r->disparities[k];
				if (d->slicing != (int)i || (int)d->kind != c->which)
					continue;
				items[n++] = (struct item){
				    assay_arena_printf(a, "%s, %s", name,
				                       c->to_overall ? "to_overall" : "between_groups"),
				    c->to_overall ? d->to_overall : d->between,
				    c->to_overall ? d->to_overall_ci : d->between_ci, 0};
			}
		} else {
			for (size_t k = 0; k < r->ndi; k++) {
				const struct assay_di_result *d = &r->di[k];
				if (d->slicing != (int)i)
					continue;
				items[n++] =
				    (struct item){assay_arena_printf(a, "%s vs %s", r->slices[d->slice].label,
				                                     r->slices[d->reference_slice].label),
				                  d->ratio, d->ci, r->slices[d->slice].n};
			}
		}
	}
	return n;
}

static const char *describe(const struct check *c, enum assay_check_status st, const struct item *it,
                            size_t nitems, size_t failing, size_t skipped, double conf, struct assay_arena *a)
{
	const char *what = c->kind == K_METRIC      ? assay_metric_name(c->which)
	                   : c->kind == K_DISPARITY ? assay_disparity_name(c->which)
	                                            : "disparate_impact";
	char ci[96] = "";
	if (!isnan(it->ci.lo))
		snprintf(ci, sizeof ci, " (%g%% interval %.4g to %.4g)", conf, it->ci.lo, it->ci.hi);
	const char *verdict = st == ASSAY_CHECK_PASS   ? "meets"
	                      : st == ASSAY_CHECK_FAIL ? "does not meet"
	                                               : "cannot be judged against";
	char extra[160] = "";
	if (nitems > 1 && failing)
		snprintf(extra, sizeof extra, "; %zu of %zu judged groups fail", failing, nitems);
	if (skipped)
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra),
		         "; %zu small group%s not judged", skipped, skipped == 1 ? "" : "s");
	const char *why = "";
	if (st == ASSAY_CHECK_INCONCLUSIVE)
		why = isnan(it->value) ? ": the value is undefined here"
		                       : ": the interval straddles the threshold";
	return assay_arena_printf(a, "%s of %s is %.4g%s, which %s %s %g%s%s", what, it->subject, it->value,
	                          ci, verdict, assay_cmp_symbol(c->cmp), c->threshold, why, extra);
}

int assay_plan_run(const struct assay_plan *plan, struct assay_eval_report *r, struct assay_arena *a,
                   struct assay_error *err)
{
	struct assay_check_result *out = assay_arena_calloc(a, plan->nchecks + 1, sizeof *out);
	size_t cap = r->nslices + r->ndisparities + r->ndi + 1;
	struct item *items = assay_arena_alloc(a, cap * sizeof *items);
	if (!out || !items)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	int passed = 1;
	double conf = r->params.confidence * 100;
	for (size_t i = 0; i < plan->nchecks; i++) {
		const struct check *c = &plan->checks[i];
		size_t skipped, n = collect(c, r, items, &skipped, a);
		struct assay_check_result *res = &out[i];
		res->name = c->name;
		res->expr = c->expr;
		res->plan_file = plan->path;
		res->plan_line = c->line;
		res->cmp = c->cmp;
		res->threshold = c->threshold;
		if (n == 0) {
			res->status = ASSAY_CHECK_INCONCLUSIVE;
			res->subject = "no group";
			res->value = NAN;
			res->ci = (struct assay_interval){NAN, NAN};
			res->message = assay_arena_printf(
			    a, "no group large enough to judge (%zu below min_group_size)", skipped);
		} else {
			size_t worst = 0, failing = 0;
			enum assay_check_status st = ASSAY_CHECK_PASS;
			for (size_t k = 0; k < n; k++) {
				enum assay_check_status s = judge(&items[k], c->cmp, c->threshold);
				failing += s == ASSAY_CHECK_FAIL;
				int worse = (s == ASSAY_CHECK_FAIL && st != ASSAY_CHECK_FAIL) ||
				            (s == ASSAY_CHECK_INCONCLUSIVE && st == ASSAY_CHECK_PASS) ||
				            (s == st && margin(items[k].value, c->cmp, c->threshold) <
				                            margin(items[worst].value, c->cmp, c->threshold));
				if (worse || k == 0) {
					worst = k;
					st = s;
				}
			}
			res->status = st;
			res->subject = items[worst].subject;
			res->value = items[worst].value;
			res->ci = items[worst].ci;
			res->message = describe(c, st, &items[worst], n, failing, skipped, conf, a);
		}
		if (res->status == ASSAY_CHECK_FAIL ||
		    (res->status == ASSAY_CHECK_INCONCLUSIVE && r->params.inconclusive_fails))
			passed = 0;
	}
	r->checks = out;
	r->nchecks = plan->nchecks;
	r->passed = passed;
	return 0;
}
