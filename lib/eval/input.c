/* input.c: one pass over a source into an evaluation summary
 * (assay_eval_summarize in assay/eval.h).
 *
 * Every worker of the scan owns a summary and counters; after the scan
 * they are merged (exactly: assay/summary.h), so the result does not
 * depend on the number of workers.
 *
 * Labels and predictions: without --pos-label, 1/0, 1.0/0.0 and
 * true/false (any case); with --pos-label V, V is positive and exactly one
 * other value is negative (a third value is an error). Scores must be
 * numbers in [0, 1]. --threshold T predicts score >= T (scikit-learn's and
 * Aequitas' convention; Evidently uses >). Missing labels, predictions
 * or scores are errors unless drop_na is set.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assay/deckey.h"
#include "assay/eval.h"
#include "assay/filter.h"

#define MISSING_LEVEL "(missing)"

struct job {
	const struct assay_source *src;
	const struct assay_eval_params *p;
	long label, pred, score;
	long *sens;
	size_t fields_end; /* one past the last column read: the source's projection */
	size_t nsens;
	struct assay_filter **where;
	size_t nwhere;
	struct assay_filter *pred_from;
	size_t pos_len;
	int na_list; /* --na gave spellings (assay_source_has_na_list) */
};

/* The one negative value seen for a string-labelled column. */
struct neg_seen {
	char value[128];
	uint32_t len;
	int set;
};

struct worker {
	const struct job *job;
	struct assay_summary *sum;
	uint64_t read, used, filtered, na_sensitive, na_dropped;
	struct neg_seen neg_label, neg_pred;
	const char **levels;
	uint32_t *lens;
};

static const char *colname(const struct job *j, long c)
{
	return assay_source_colname(j->src, (size_t)c);
}

static int field_error(struct assay_error *err, const struct assay_row *row, const struct assay_field *f,
                       const char *fmt, const char *col, const char *what)
{
	int n = f->len > 60 ? 60 : (int)f->len;
	return assay_error_set(err, ASSAY_EINPUT, NULL, row->line, f->column, fmt, col, what, n, f->p);
}

/* 1/0 for a binary value, -1 (err set) otherwise. */
static int parse_binary(struct worker *w, struct neg_seen *neg, long col, const struct assay_row *row,
                        struct assay_error *err)
{
	const struct job *j = w->job;
	const struct assay_field *f = &row->fields[col];
	if (j->p->pos_label) {
		if (f->len == j->pos_len && memcmp(f->p, j->p->pos_label, f->len) == 0)
			return 1;
		if (!neg->set && f->len < sizeof neg->value) {
			memcpy(neg->value, f->p, f->len);
			neg->len = f->len;
			neg->set = 1;
			return 0;
		}
		if (neg->set && f->len == neg->len && memcmp(f->p, neg->value, f->len) == 0)
			return 0;
		field_error(err, row, f, "column \"%s\" has a third value: expected %s, found \"%.*s\"",
		            colname(j, col), j->p->pos_label);
		assay_error_hint(err,
		                 "a binary label has two values: \"%s\" (positive, --pos-label) and \"%.*s\"",
		                 j->p->pos_label, (int)neg->len, neg->value);
		return -1;
	}
	if (f->len == 1 && (f->p[0] == '0' || f->p[0] == '1'))
		return f->p[0] == '1';
	if (f->len == 4 && strncasecmp(f->p, "true", 4) == 0)
		return 1;
	if (f->len == 5 && strncasecmp(f->p, "false", 5) == 0)
		return 0;
	double x;
	if (assay_parse_double(f->p, f->len, &x) == 0 && (x == 0 || x == 1))
		return x == 1;
	field_error(err, row, f, "expected a binary value in column \"%s\" (%s), found \"%.*s\"",
	            colname(j, col), "0/1 or true/false");
	assay_error_hint(err, "if the column holds two other labels, name the positive one with --pos-label");
	return -1;
}

/* parse_binary with the common case inline: a one-byte 0 or 1 without
 * --pos-label. */
static inline int binary_of(struct worker *w, struct neg_seen *neg, long col, const struct assay_row *row,
                            struct assay_error *err)
{
	const struct assay_field *f = &row->fields[col];
	if (f->len == 1 && !w->job->p->pos_label && (unsigned char)(f->p[0] - '0') <= 1)
		return f->p[0] - '0';
	return parse_binary(w, neg, col, row, err);
}

static int parse_number(const struct job *j, long col, const struct assay_row *row, double *out,
                        struct assay_error *err)
{
	const struct assay_field *f = &row->fields[col];
	if (assay_parse_double(f->p, f->len, out) == 0 && !isnan(*out))
		return 0;
	field_error(err, row, f, "expected a number in column \"%s\"%s, found \"%.*s\"", colname(j, col), "");
	assay_error_hint(err, "fix the value, or add it to --na if it means missing (then --drop-na)");
	return -1;
}

/* Without a --na list, a field that no built-in spelling can match (by
 * length and first letter: a one-byte label, a number, "g4") is not
 * missing, without a call: the lookups were 4% of a 1M-row eval's
 * samples, four a row. */
static int field_na(const struct job *j, const struct assay_field *f)
{
	if (!j->na_list && !ASSAY_NA_BUILTIN_MAY(f->p, f->len))
		return 0;
	return assay_source_is_na(j->src, f);
}

static int is_na(const struct job *j, long col, const struct assay_row *row)
{
	return col >= 0 && field_na(j, &row->fields[col]);
}

static int on_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct worker *w = ctx;
	const struct job *j = w->job;
	const struct assay_eval_params *p = j->p;
	w->read++;
	for (size_t i = 0; i < j->nwhere; i++) {
		int ok = assay_filter_eval(j->where[i], j->src, row, err);
		if (ok < 0)
			return err->code;
		if (!ok) {
			w->filtered++;
			return 0;
		}
	}
	if (is_na(j, j->label, row) || is_na(j, j->pred, row) || is_na(j, j->score, row)) {
		if (p->drop_na) {
			w->na_dropped++;
			return 0;
		}
		long c = is_na(j, j->label, row) ? j->label : is_na(j, j->pred, row) ? j->pred : j->score;
		const struct assay_field *f = &row->fields[c];
		assay_error_set(err, ASSAY_EINPUT, NULL, row->line, f->column,
		                "missing value in column \"%s\"", colname(j, c));
		assay_error_hint(err, "drop such rows with --drop-na, or filter them with --where");
		return err->code;
	}
	double score = 0;
	uint32_t key = 0; /* the score's short-decimal key, when it has one */
	if (j->score >= 0) {
		const struct assay_field *sf = &row->fields[j->score];
		int ranged = !isnan(p->score_lo);
		/* the key's double is the one assay_parse_double gives */
		if (!ranged && assay_deckey_parse(sf->p, sf->len, &key) == 0)
			score = assay_deckey_value(key);
		else if (parse_number(j, j->score, row, &score, err) != 0)
			return err->code;
		double lo = ranged ? p->score_lo : 0, hi = ranged ? p->score_hi : 1;
		if (p->task == ASSAY_TASK_BINARY && !(score >= lo && score <= hi)) {
			const struct assay_field *f = &row->fields[j->score];
			char range[80];
			snprintf(range, sizeof range, " [%g, %g]", lo, hi);
			field_error(err, row, f, "score in column \"%s\" is outside%s: \"%.*s\"",
			            colname(j, j->score), range);
			assay_error_hint(
			    err, ranged ? "fix the value or widen --score-range"
			                : "scores must be probabilities of the positive class; for scores on "
			                  "another scale (deciles 1-10) pass --score-range 0:10");
			return err->code;
		}
		if (ranged)
			score = (score - lo) / (hi - lo);
	}
	for (size_t i = 0; i < j->nsens; i++) {
		const struct assay_field *f = &row->fields[j->sens[i]];
		if (field_na(j, f)) {
			w->levels[i] = MISSING_LEVEL;
			w->lens[i] = sizeof MISSING_LEVEL - 1;
			w->na_sensitive++;
		} else {
			w->levels[i] = f->p;
			w->lens[i] = f->len;
		}
	}
	int rc;
	if (p->task == ASSAY_TASK_REGRESSION) {
		double y, yhat;
		if (parse_number(j, j->label, row, &y, err) != 0 ||
		    parse_number(j, j->pred, row, &yhat, err) != 0)
			return err->code;
		rc = assay_summary_add_regression(w->sum, w->levels, w->lens, y, yhat);
	} else {
		int y = binary_of(w, &w->neg_label, j->label, row, err), yhat;
		if (y < 0)
			return err->code;
		if (j->pred_from) {
			yhat = assay_filter_eval(j->pred_from, j->src, row, err);
			if (yhat < 0)
				return err->code;
		} else if (!isnan(p->threshold)) {
			yhat = score >= p->threshold;
		} else {
			yhat = binary_of(w, &w->neg_pred, j->pred, row, err);
			if (yhat < 0)
				return err->code;
		}
		rc = assay_summary_add_binary_key(w->sum, w->levels, w->lens, y, yhat, score, key);
	}
	if (rc)
		return assay_error_set(err, rc, NULL, 0, 0, "out of memory");
	w->used++;
	return 0;
}

static int new_summary(const struct job *j, struct assay_summary **out, struct assay_error *err)
{
	const char **names = malloc((j->nsens ? j->nsens : 1) * sizeof *names);
	if (!names)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < j->nsens; i++)
		names[i] = colname(j, j->sens[i]);
	int rc = assay_summary_new(out, j->p->task, names, j->nsens, j->score >= 0, err);
	free(names);
	return rc;
}

static void on_reset(void *ctx)
{
	struct worker *w = ctx;
	struct assay_summary *fresh = NULL;
	struct assay_error e;
	if (new_summary(w->job, &fresh, &e) == 0) {
		assay_summary_free(w->sum);
		w->sum = fresh;
	}
	w->read = w->used = w->filtered = w->na_sensitive = w->na_dropped = 0;
	memset(&w->neg_label, 0, sizeof w->neg_label);
	memset(&w->neg_pred, 0, sizeof w->neg_pred);
}

static int resolve(struct job *j, struct assay_arena *a, struct assay_error *err)
{
	const struct assay_eval_params *p = j->p;
	j->label = assay_source_column(j->src, p->label, "--label", err);
	if (j->label < 0)
		return err->code;
	j->pred = j->score = -1;
	if (p->score && (j->score = assay_source_column(j->src, p->score, "--score", err)) < 0)
		return err->code;
	if (p->pred && (j->pred = assay_source_column(j->src, p->pred, "--pred", err)) < 0)
		return err->code;
	if (p->pred_from) {
		int rc = assay_filter_compile(&j->pred_from, p->pred_from, "--pred-from", j->src, a, err);
		if (rc)
			return rc;
	}
	int ways = (p->pred != NULL) + (p->pred_from != NULL) + !isnan(p->threshold);
	if (ways != 1) {
		assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                ways ? "give only one of --pred, --pred-from and --threshold"
		                     : "no predictions: give --pred COLUMN, --pred-from EXPR or --threshold "
		                       "T with --score");
		return err->code;
	}
	if (!isnan(p->threshold) && j->score < 0)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--threshold needs --score");
	if (p->task == ASSAY_TASK_REGRESSION && !p->pred)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "a regression evaluation needs --pred");
	j->nsens = p->nsensitive;
	j->sens = assay_arena_alloc(a, (p->nsensitive + 1) * sizeof *j->sens);
	for (size_t i = 0; i < p->nsensitive; i++)
		if ((j->sens[i] = assay_source_column(j->src, p->sensitive[i], "--sensitive", err)) < 0)
			return err->code;
	j->nwhere = p->nwhere;
	j->where = assay_arena_alloc(a, (p->nwhere + 1) * sizeof *j->where);
	for (size_t i = 0; i < p->nwhere; i++) {
		int rc = assay_filter_compile(&j->where[i], p->where[i], "--where", j->src, a, err);
		if (rc)
			return rc;
	}
	j->pos_len = p->pos_label ? strlen(p->pos_label) : 0;
	/* the tokenizer stores fields up to the last column read */
	size_t end = (size_t)j->label + 1;
	if (j->score >= 0 && (size_t)j->score + 1 > end)
		end = (size_t)j->score + 1;
	if (j->pred >= 0 && (size_t)j->pred + 1 > end)
		end = (size_t)j->pred + 1;
	for (size_t i = 0; i < j->nsens; i++)
		if ((size_t)j->sens[i] + 1 > end)
			end = (size_t)j->sens[i] + 1;
	for (size_t i = 0; i < j->nwhere; i++)
		if (assay_filter_columns_end(j->where[i]) > end)
			end = assay_filter_columns_end(j->where[i]);
	if (j->pred_from && assay_filter_columns_end(j->pred_from) > end)
		end = assay_filter_columns_end(j->pred_from);
	j->fields_end = end;
	return 0;
}

/* Workers may each have seen a different "other" label. */
static int check_negatives(const struct job *j, struct worker *w, int nw, struct assay_error *err)
{
	for (int k = 0; k < 2; k++) {
		const struct neg_seen *first = NULL;
		for (int i = 0; i < nw; i++) {
			const struct neg_seen *n = k ? &w[i].neg_pred : &w[i].neg_label;
			if (!n->set)
				continue;
			if (!first) {
				first = n;
			} else if (n->len != first->len || memcmp(n->value, first->value, n->len) != 0) {
				assay_error_set(
				    err, ASSAY_EINPUT, assay_source_path(j->src), 0, 0,
				    "column \"%s\" has more than two values: \"%s\", \"%.*s\" and \"%.*s\"",
				    colname(j, k ? j->pred : j->label), j->p->pos_label, (int)first->len,
				    first->value, (int)n->len, n->value);
				return err->code;
			}
		}
	}
	return 0;
}

int assay_eval_summarize(struct assay_source *src, const struct assay_eval_params *p,
                         struct assay_summary **out, struct assay_eval_scan_stats *stats,
                         struct assay_error *err)
{
	int rc = assay_eval_summarize_start(src, p, out, stats, err);
	if (!rc && (rc = assay_eval_scan_finish(stats, err)) != 0) {
		assay_summary_free(*out);
		*out = NULL;
	}
	return rc;
}

int assay_eval_scan_finish(struct assay_eval_scan_stats *stats, struct assay_error *err)
{
	struct assay_source_pending *pending = stats->pending;
	stats->pending = NULL;
	return assay_source_scan_finish(pending, &stats->source, err);
}

int assay_eval_summarize_start(struct assay_source *src, const struct assay_eval_params *p,
                               struct assay_summary **out, struct assay_eval_scan_stats *stats,
                               struct assay_error *err)
{
	struct assay_arena a;
	memset(&a, 0, sizeof a);
	assay_arena_init(&a);
	struct job j = {.src = src, .p = p, .na_list = assay_source_has_na_list(src)};
	int rc = resolve(&j, &a, err);
	int nw = assay_source_max_workers(src);
	struct worker *w = calloc((size_t)nw, sizeof *w);
	void **ctx = calloc((size_t)nw, sizeof *ctx);
	if (!rc && (!w || !ctx))
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (int i = 0; !rc && i < nw; i++) {
		w[i].job = &j;
		ctx[i] = &w[i];
		w[i].levels = assay_arena_alloc(&a, (j.nsens + 1) * sizeof *w[i].levels);
		w[i].lens = assay_arena_alloc(&a, (j.nsens + 1) * sizeof *w[i].lens);
		rc = new_summary(&j, &w[i].sum, err);
	}
	memset(stats, 0, sizeof *stats);
	if (!rc)
		assay_source_project(src, j.fields_end);
	if (!rc)
		rc = assay_source_scan_start(src, on_row, on_reset, ctx, &stats->pending, err);
	if (!rc && p->pos_label)
		rc = check_negatives(&j, w, nw, err);
	for (int i = 0; w && i < nw; i++) {
		if (!rc && i > 0)
			rc = assay_summary_merge(w[0].sum, w[i].sum, err);
		stats->rows_read += w[i].read;
		stats->rows_used += w[i].used;
		stats->rows_filtered += w[i].filtered;
		stats->rows_na_sensitive += w[i].na_sensitive;
		stats->rows_na_dropped += w[i].na_dropped;
	}
	if (!rc) {
		*out = w[0].sum;
		w[0].sum = NULL;
	} else if (stats->pending) {
		assay_source_scan_finish(stats->pending, NULL, NULL);
		stats->pending = NULL;
	}
	for (int i = 0; w && i < nw; i++)
		assay_summary_free(w[i].sum);
	free(w);
	free(ctx);
	assay_arena_free(&a);
	return rc;
}
