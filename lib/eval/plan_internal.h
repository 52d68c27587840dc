/* plan_internal.h: private to lib/eval: a parsed plan (plan.c), judged
 * by judge.c. */
#ifndef ASSAY_EVAL_PLAN_INTERNAL_H
#define ASSAY_EVAL_PLAN_INTERNAL_H

#include <stdint.h>

#include "assay/eval.h"

enum kind { K_METRIC, K_DISPARITY, K_DI };

struct check {
	const char *name, *expr;
	uint64_t line, column;
	enum kind kind;
	int which; /* metric or disparity */
	size_t nparts;
	const char **feature, **level; /* level NULL = every level */
	const char *slicing;           /* disparities: NULL = every slicing */
	int to_overall;
	enum assay_cmp cmp;
	double threshold;
};

struct assay_plan {
	const char *path;
	char sha256[65];
	int inconclusive_fails;
	long long min_group_size;
	size_t nchecks;
	struct check *checks;
};

#endif
