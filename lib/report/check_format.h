/* check_format.h: private to lib/report: the `assay check` renderers
 * (check_*.c) and the few helpers they share, so that every format says
 * the same thing the same way. The general string and number helpers are
 * in format.h.
 */
#ifndef ASSAY_CHECK_FORMAT_H
#define ASSAY_CHECK_FORMAT_H

#include <stdio.h>

#include "assay/arena.h"
#include "assay/expect.h"

/* "2026-01-01T00:00:00Z" of params.now, "" when not given. */
const char *chk_now_text(const struct assay_check_params *p, char *buf, size_t size);
/* "line 12 (71), line 45 (96)" or with sensitive values "line 12, line 45
 * (values hidden: sensitive)"; "" when there are no examples. */
const char *chk_examples_text(struct assay_arena *a, const struct assay_expect_result *x);
/* "contract.yaml:7:5" */
const char *chk_location(struct assay_arena *a, const struct assay_check_report *r,
                         const struct assay_expect_result *x);
/* Path of the expectations input, NULL when absent. */
const char *chk_expect_path(const struct assay_check_report *r);
/* "12 expectations: 10 passed, 2 failed" */
const char *chk_tally(struct assay_arena *a, const struct assay_check_report *r);

int chk_render_text(const struct assay_check_report *r, const struct assay_check_render_opts *o, FILE *out,
                    struct assay_error *err);
int chk_render_md(const struct assay_check_report *r, FILE *out, struct assay_error *err);
int chk_render_json(const struct assay_check_report *r, FILE *out, struct assay_error *err);
int chk_render_html(const struct assay_check_report *r, FILE *out, struct assay_error *err);
int chk_render_junit(const struct assay_check_report *r, FILE *out, struct assay_error *err);

#endif
