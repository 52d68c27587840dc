/* assay/report.h: renderers. They render what they are given and compute
 * nothing: every number comes from the report struct.
 *
 *   text   aligned tables for terminals (colour when asked)
 *   json   the documented schema (docs/schema-eval.md), canonical key order,
 *          same inputs and seed -> same bytes
 *   md     GitHub-flavoured Markdown for pull-request comments
 *   html   one self-contained file, inline SVG charts, no scripts, no network
 *   junit  JUnit XML, one test case per plan check
 */
#ifndef ASSAY_REPORT_H
#define ASSAY_REPORT_H

#include <stdio.h>

#include "assay/error.h"
#include "assay/eval.h"
#include "assay/output.h"

enum assay_report_format {
	ASSAY_REPORT_TEXT = 0,
	ASSAY_REPORT_JSON,
	ASSAY_REPORT_MD,
	ASSAY_REPORT_HTML,
	ASSAY_REPORT_JUNIT,
};

/* -1 if unknown. */
int assay_report_format_from_name(const char *name);
const char *assay_report_format_name(enum assay_report_format f);

struct assay_render_opts {
	int color;   /* text: ANSI colours */
	int verbose; /* text: every metric of every slice, not just the summary */
	int brief;   /* text: header, overall, checks and verdict only (the summary
	                printed when the full report goes to a file) */
};

int assay_report_eval(const struct assay_eval_report *r, enum assay_report_format format,
                      const struct assay_render_opts *opts, FILE *out, struct assay_error *err);

#endif
