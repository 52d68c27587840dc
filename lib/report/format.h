/* format.h: helpers shared by the eval renderers of lib/report (private to
 * this folder): number formatting, UTF-8 cleaning and escaping for each
 * output language, the metric columns chosen per task, check tallies and
 * the human list of parameters. One place, so that every format shows the
 * same number the same way.
 *
 * It deliberately computes nothing about the model: every value comes from
 * struct assay_eval_report as given.
 */
#ifndef ASSAY_REPORT_FORMAT_H
#define ASSAY_REPORT_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/eval.h"
#include "assay/report.h"

/* Big enough for "-1.234e+300 [-1.234e+300, -1.234e+300]". */
#define RPT_NUM_SIZE 96

/* ---- numbers ---------------------------------------------------------- */

int rpt_has_ci(struct assay_interval ci);
/* Three decimals ("0.576"); "—" for NaN, "inf"/"-inf"; never "-0.000". */
const char *rpt_num(char *buf, size_t size, double v);
/* "0.576 [0.559, 0.593]"; just the value when the interval is NaN. */
const char *rpt_num_ci(char *buf, size_t size, double v, struct assay_interval ci);
/* "[0.559, 0.593]", or "" when the interval is NaN. */
const char *rpt_ci(char *buf, size_t size, struct assay_interval ci);
/* Up to 6 significant digits, for thresholds as the user wrote them ("0.8"). */
const char *rpt_num_short(char *buf, size_t size, double v);
/* "95% CI" from params.confidence. */
const char *rpt_ci_label(char *buf, size_t size, const struct assay_eval_report *r);

/* ---- columns ---------------------------------------------------------- */

#define RPT_MAX_COLUMNS 8

struct rpt_columns {
	size_t n;
	enum assay_metric m[RPT_MAX_COLUMNS];
};

/* The summary table columns: selection rate, TPR, FPR, precision,
 * accuracy (+ AUC with a score) for classification; MAE, RMSE, R², mean
 * prediction, mean residual for regression. */
void rpt_table_columns(const struct assay_eval_report *r, struct rpt_columns *c);
/* The charted metrics: selection rate, TPR, FPR (+ AUC); MAE, RMSE. */
void rpt_chart_columns(const struct assay_eval_report *r, struct rpt_columns *c);
/* Short header for a column: "selection rate", "TPR", "R²". */
const char *rpt_metric_label(enum assay_metric m);
/* Metrics bounded by [0, 1] (rates, AUC): charts use a fixed axis. */
int rpt_metric_is_unit(enum assay_metric m);

/* ---- the report ------------------------------------------------------- */

/* Indices inside the report are in range; EINTERNAL otherwise. */
int rpt_validate(const struct assay_eval_report *r, struct assay_error *err);
/* Name of slicing i, "overall" for -1. */
const char *rpt_slicing_name(const struct assay_eval_report *r, int i);

struct rpt_tally {
	size_t pass, fail, inconclusive;
};
void rpt_tally_checks(const struct assay_eval_report *r, struct rpt_tally *t);
/* "3 checks, 1 passed, 1 failed, 1 inconclusive" or "no checks". */
const char *rpt_tally_text(char *buf, size_t size, const struct assay_eval_report *r);

/* Parameters as human (key, value) pairs, in a fixed order. */
struct rpt_kv {
	const char *key, *value;
};
#define RPT_MAX_PARAMS 20
size_t rpt_params(const struct assay_eval_report *r, struct assay_arena *a, struct rpt_kv *kv);

const char *rpt_task_name(enum assay_task t);
const char *rpt_ci_method_name(enum assay_ci_method m);
/* Last path component ("plan.yaml" of "ci/plan.yaml"). */
const char *rpt_basename(const char *path);
/* First 12 hex digits of a sha256, "" when absent. */
const char *rpt_short_sha(char buf[13], const char *sha);
/* "1.2 MB" */
const char *rpt_bytes(char *buf, size_t size, uint64_t bytes);

/* ---- strings ---------------------------------------------------------- */

/* Decode one UTF-8 sequence at s (non-empty). Returns its length in bytes;
 * *cp is U+FFFD (length 1) when the bytes are not strict UTF-8 (overlong,
 * surrogate, beyond U+10FFFF, truncated). */
size_t rpt_utf8_next(const char *s, uint32_t *cp);
/* Terminal columns of a string: one per code point (no East Asian wide). */
size_t rpt_width(const char *s);
/* For terminals and Markdown: valid UTF-8, every control character
 * (C0, DEL, C1, including tab and newline) replaced by U+FFFD, so a group
 * name can neither break a table nor send escape sequences. NULL -> "". */
char *rpt_clean(struct assay_arena *a, const char *s);
/* For JSON: only invalid UTF-8 is replaced (controls are escaped by the
 * encoder, so the value stays faithful). NULL -> NULL. */
char *rpt_utf8_fix(struct assay_arena *a, const char *s);
/* XML 1.0 / HTML text and attribute content: & < > " ' escaped; invalid
 * UTF-8 and characters XML 1.0 forbids (C0 except tab/LF/CR, surrogates,
 * U+FFFE, U+FFFF) replaced by U+FFFD. NULL writes nothing. */
void rpt_put_xml(FILE *out, const char *s);
/* A GitHub-flavoured Markdown table cell: cleaned, HTML-significant
 * characters as entities, Markdown punctuation backslash-escaped, so a
 * group named "a|b" or "<b>" shows literally. */
void rpt_put_md(FILE *out, const char *s);
/* An identifier or expression as a Markdown code span in a table cell:
 * shown literally; backticks become ' and pipes are escaped. */
void rpt_put_md_code(FILE *out, const char *s);

/* fflush and check the stream; EIO with the reason on failure. */
int rpt_finish(FILE *out, struct assay_error *err);

/* ---- renderers (one file each) ---------------------------------------- */

struct assay_rt_result;
void rpt_redteam_html(const struct assay_rt_result *r, FILE *out); /* redteam_html.c */

int rpt_render_text(const struct assay_eval_report *r, const struct assay_render_opts *o, FILE *out,
                    struct assay_error *err);
int rpt_render_json(const struct assay_eval_report *r, FILE *out, struct assay_error *err);
int rpt_render_md(const struct assay_eval_report *r, FILE *out, struct assay_error *err);
int rpt_render_html(const struct assay_eval_report *r, FILE *out, struct assay_error *err);
int rpt_render_junit(const struct assay_eval_report *r, FILE *out, struct assay_error *err);

#endif
