/* genai_internal.h: private to lib/genai: what the run shares with the
 * judge (judge.c) and the transports. */
#ifndef ASSAY_GENAI_INTERNAL_H
#define ASSAY_GENAI_INTERNAL_H

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/redteam.h"
#include "target_internal.h"

/* LLM-as-judge (judge.c): a second target asked whether an answer gives
 * the harmful help its category names. */
struct rt_judge;
int rt_judge_new(struct rt_judge **out, const struct assay_rt_suite *s, struct assay_error *err);
void rt_judge_free(struct rt_judge *j);
/* *harmful: 1 when the judge said UNSAFE; *why: its one-line reason. */
int rt_judge_ask(struct rt_judge *j, const char *category, const char *answer, int *harmful, const char **why,
                 struct assay_arena *a, struct assay_error *err);

#endif
