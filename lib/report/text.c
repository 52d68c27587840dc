/* text.c: the eval report for a terminal.
 *
 * Layout, top to bottom: a header (tool, inputs with short sha256, row
 * counts, parameters on one line); one aligned table per slicing (overall
 * first, then each feature, then the intersection) with every summary
 * metric as "value [lo, hi]"; disparities and disparate impact per
 * slicing; the plan checks; warnings; and a last line with the verdict,
 * which CI logs show when they truncate.
 *
 * Tables are aligned by code points (rpt_width), every cell padded, so all
 * lines of a table have the same width. User strings pass through
 * rpt_clean: a group name cannot carry escape sequences to the terminal.
 * ANSI colours only when asked (opts->color), and always with a word
 * (PASS/FAIL/INCONCLUSIVE) so nothing depends on colour alone.
 *
 * It deliberately does not detect terminals or wrap long lines: the front
 * end decides colour, and tables are for copying as they are.
 */
#include <math.h>
#include <string.h>

#include "format.h"

#define ANSI_RESET  "\033[0m"
#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[31m"
#define ANSI_GREEN  "\033[32m"
#define ANSI_YELLOW "\033[33m"

struct ctx {
	const struct assay_eval_report *r;
	const struct assay_render_opts *o;
	FILE *out;
	struct assay_arena *a;
};

/* ---- aligned tables ----------------------------------------------------- */

struct table {
	size_t ncols, nrows, cap;
	const char **cell; /* row-major, nrows * ncols; row 0 is the header */
	const int *right;  /* per column: right-aligned (numbers) */
};

static void table_init(struct table *t, struct ctx *c, size_t ncols, size_t maxrows, const int *right)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cap = maxrows + 1;
	t->cell = assay_arena_calloc(c->a, t->cap * ncols, sizeof *t->cell);
	t->right = right;
}

/* Next row's cells; NULL when out of memory or full. */
static const char **table_row(struct table *t)
{
	if (!t->cell || t->nrows == t->cap)
		return NULL;
	return &t->cell[t->nrows++ * t->ncols];
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static void table_print(struct ctx *c, const struct table *t)
{
	if (!t->cell)
		return;
	size_t w[RPT_MAX_COLUMNS + 2] = {0};
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t j = 0; j < t->ncols; j++) {
			size_t cw = rpt_width(t->cell[i * t->ncols + j] ? t->cell[i * t->ncols + j] : "");
			if (cw > w[j])
				w[j] = cw;
		}
	size_t total = 0;
	for (size_t j = 0; j < t->ncols; j++)
		total += w[j] + (j ? 2 : 0);
	for (size_t i = 0; i < t->nrows; i++) {
		fputs("  ", c->out);
		for (size_t j = 0; j < t->ncols; j++) {
			const char *s = t->cell[i * t->ncols + j] ? t->cell[i * t->ncols + j] : "";
			size_t gap = w[j] - rpt_width(s);
			if (j)
				fputs("  ", c->out);
			if (t->right[j])
				pad(c->out, gap);
			fputs(s, c->out);
			if (!t->right[j])
				pad(c->out, gap);
		}
		fputc('\n', c->out);
		if (i == 0) { /* rule under the header */
			fputs("  ", c->out);
			for (size_t k = 0; k < total; k++)
				fputc('-', c->out);
			fputc('\n', c->out);
		}
	}
}

/* ---- pieces ------------------------------------------------------------- */

static const char *cell_num_ci(struct ctx *c, double v, struct assay_interval ci)
{
	char buf[RPT_NUM_SIZE];
	return assay_arena_strdup(c->a, rpt_num_ci(buf, sizeof buf, v, ci));
}

static const char *colored(struct ctx *c, const char *color, const char *s)
{
	if (!c->o->color)
		return s;
	const char *p = assay_arena_printf(c->a, "%s%s" ANSI_RESET, color, s);
	return p ? p : s;
}

static void header(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	fprintf(c->out, "assay %s eval", r->tool_version ? r->tool_version : "?");
	if (r->generated_at)
		fprintf(c->out, ", generated %s", rpt_clean(c->a, r->generated_at));
	fputc('\n', c->out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		char sha[13], bytes[32];
		fprintf(c->out, "%-6s %s", rpt_clean(c->a, in->role), rpt_clean(c->a, in->path));
		if (in->sha256[0])
			fprintf(c->out, "  sha256 %s", rpt_short_sha(sha, in->sha256));
		if (in->rows)
			fprintf(c->out, "  %llu rows", (unsigned long long)in->rows);
		fprintf(c->out, "  %s\n", rpt_bytes(bytes, sizeof bytes, in->bytes));
	}
	fprintf(c->out,
	        "rows   %llu read, %llu used, %llu filtered out, %llu with a missing sensitive value\n",
	        (unsigned long long)r->rows_read, (unsigned long long)r->rows_used,
	        (unsigned long long)r->rows_filtered, (unsigned long long)r->rows_na_sensitive);
	struct rpt_kv kv[RPT_MAX_PARAMS];
	size_t n = rpt_params(r, c->a, kv);
	fputs("params ", c->out);
	for (size_t i = 0; i < n; i++)
		fprintf(c->out, "%s%s=%s", i ? "; " : "", kv[i].key, rpt_clean(c->a, kv[i].value));
	fputc('\n', c->out);
}

static const char *group_label(struct ctx *c, const struct assay_slice_result *s)
{
	const char *label = rpt_clean(c->a, s->label);
	if (!s->small)
		return label;
	const char *p = assay_arena_printf(c->a, "%s (small, n<%llu)", label,
	                                   (unsigned long long)c->r->params.min_group_size);
	return p ? p : label;
}

/* Every metric of one slice, with cells: the verbose view. */
static void slice_details(struct ctx *c, const struct assay_slice_result *s)
{
	static const int right[] = {0, 1};
	fprintf(c->out, "\n  %s: n=%llu", group_label(c, s), (unsigned long long)s->n);
	if (c->r->params.task != ASSAY_TASK_REGRESSION)
		fprintf(c->out, ", tp=%llu fp=%llu tn=%llu fn=%llu", (unsigned long long)s->cells.tp,
		        (unsigned long long)s->cells.fp, (unsigned long long)s->cells.tn,
		        (unsigned long long)s->cells.fn);
	fputc('\n', c->out);
	struct table t;
	table_init(&t, c, 2, ASSAY_M__COUNT, right);
	const char **row = table_row(&t);
	if (!row)
		return;
	row[0] = "metric";
	row[1] = "value";
	for (int m = 0; m < ASSAY_M__COUNT; m++) {
		if (isnan(s->value[m]) || !(row = table_row(&t)))
			continue;
		row[0] = assay_metric_name((enum assay_metric)m);
		if (m == ASSAY_M_COUNT) /* a number of rows, not a rate */
			row[1] = assay_arena_printf(c->a, "%.0f", s->value[m]);
		else
			row[1] = cell_num_ci(c, s->value[m], s->ci[m]);
	}
	table_print(c, &t);
}

static void slices_table(struct ctx *c, const char *title, size_t first, size_t count, size_t excluded)
{
	const struct assay_eval_report *r = c->r;
	struct rpt_columns cols;
	rpt_table_columns(r, &cols);
	int right[RPT_MAX_COLUMNS + 2] = {0, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	fprintf(c->out, "\n%s", rpt_clean(c->a, title));
	if (excluded)
		fprintf(c->out, " (%zu group%s too small, excluded from disparities)", excluded,
		        excluded == 1 ? "" : "s");
	fputc('\n', c->out);
	struct table t;
	table_init(&t, c, cols.n + 2, count, right);
	const char **row = table_row(&t);
	if (!row)
		return;
	row[0] = "group";
	row[1] = "n";
	for (size_t j = 0; j < cols.n; j++)
		row[j + 2] = rpt_metric_label(cols.m[j]);
	for (size_t i = first; i < first + count; i++) {
		const struct assay_slice_result *s = &r->slices[i];
		if (!(row = table_row(&t)))
			break;
		row[0] = group_label(c, s);
		row[1] = assay_arena_printf(c->a, "%llu", (unsigned long long)s->n);
		for (size_t j = 0; j < cols.n; j++)
			row[j + 2] = cell_num_ci(c, s->value[cols.m[j]], s->ci[cols.m[j]]);
	}
	table_print(c, &t);
	if (c->o->verbose)
		for (size_t i = first; i < first + count; i++)
			slice_details(c, &r->slices[i]);
}

static void disparities(struct ctx *c, int slicing)
{
	const struct assay_eval_report *r = c->r;
	static const int right[] = {0, 1, 1};
	size_t n = 0;
	for (size_t i = 0; i < r->ndisparities; i++)
		n += r->disparities[i].slicing == slicing;
	if (!n)
		return;
	fprintf(c->out, "\ndisparities, %s (difference: max - min, ratio: min / max over groups)\n",
	        rpt_clean(c->a, rpt_slicing_name(r, slicing)));
	struct table t;
	table_init(&t, c, 3, n, right);
	const char **row = table_row(&t);
	if (!row)
		return;
	row[0] = "metric";
	row[1] = "between groups";
	row[2] = "to overall";
	for (size_t i = 0; i < r->ndisparities; i++) {
		const struct assay_disparity_result *d = &r->disparities[i];
		if (d->slicing != slicing || !(row = table_row(&t)))
			continue;
		row[0] = assay_disparity_name(d->kind);
		row[1] = cell_num_ci(c, d->between, d->between_ci);
		row[2] = cell_num_ci(c, d->to_overall, d->to_overall_ci);
	}
	table_print(c, &t);
}

static void disparate_impact(struct ctx *c, int slicing)
{
	const struct assay_eval_report *r = c->r;
	static const int right[] = {0, 1, 0};
	size_t n = 0, ref = 0;
	for (size_t i = 0; i < r->ndi; i++)
		if (r->di[i].slicing == slicing) {
			n++;
			ref = r->di[i].reference_slice;
		}
	if (!n)
		return;
	fprintf(c->out, "\ndisparate impact, %s (selection rate / that of %s; four-fifths rule: >= 0.8)\n",
	        rpt_clean(c->a, rpt_slicing_name(r, slicing)), rpt_clean(c->a, r->slices[ref].label));
	struct table t;
	table_init(&t, c, 3, n, right);
	const char **row = table_row(&t);
	if (!row)
		return;
	row[0] = "group";
	row[1] = "ratio";
	row[2] = "four-fifths";
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		if (d->slicing != slicing || !(row = table_row(&t)))
			continue;
		row[0] = group_label(c, &r->slices[d->slice]);
		row[1] = cell_num_ci(c, d->ratio, d->ci);
		row[2] = d->passes_four_fifths ? "ok" : "BELOW 0.8";
	}
	table_print(c, &t);
}

static void checks(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	if (!r->nchecks)
		return;
	fputs("\nchecks\n", c->out);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct assay_check_result *k = &r->checks[i];
		static const char *const word[] = {"PASS", "FAIL", "INCONCLUSIVE"};
		static const char *const color[] = {ANSI_GREEN, ANSI_RED, ANSI_YELLOW};
		unsigned st = (unsigned)k->status < 3 ? (unsigned)k->status : 2;
		char val[RPT_NUM_SIZE], thr[RPT_NUM_SIZE];
		fprintf(c->out, "  %s", colored(c, color[st], word[st]));
		pad(c->out, 14 - strlen(word[st]));
		fprintf(c->out, "%s: %s", rpt_clean(c->a, k->name), rpt_clean(c->a, k->expr));
		if (k->plan_file)
			fprintf(c->out, "  (%s:%llu)", rpt_clean(c->a, rpt_basename(k->plan_file)),
			        (unsigned long long)k->plan_line);
		fputc('\n', c->out);
		fprintf(c->out, "%16s%s = %s, needs %s %s\n", "",
		        rpt_clean(c->a, k->subject ? k->subject : "value"),
		        rpt_num_ci(val, sizeof val, k->value, k->ci), assay_cmp_symbol(k->cmp),
		        rpt_num_short(thr, sizeof thr, k->threshold));
		if (k->message)
			fprintf(c->out, "%16s%s\n", "", rpt_clean(c->a, k->message));
	}
}

static void verdict(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char tally[160];
	struct rpt_tally t;
	rpt_tally_checks(r, &t);
	fprintf(c->out, "\nassay eval: %s", rpt_tally_text(tally, sizeof tally, r));
	if (t.inconclusive)
		fputs(r->params.inconclusive_fails ? " (inconclusive counts as failure)"
		                                   : " (inconclusive allowed)",
		      c->out);
	fprintf(c->out, ": %s\n",
	        r->passed ? colored(c, ANSI_BOLD ANSI_GREEN, "PASS")
	                  : colored(c, ANSI_BOLD ANSI_RED, "FAIL"));
}

int rpt_render_text(const struct assay_eval_report *r, const struct assay_render_opts *o, FILE *out,
                    struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct ctx c = {r, o, out, &arena};
	header(&c);
	slices_table(&c, "overall", 0, 1, 0);
	for (size_t i = 0; !o->brief && i < r->nslicings; i++) {
		const struct assay_slicing *g = &r->slicings[i];
		slices_table(&c, g->name ? g->name : "?", g->first, g->count, g->excluded);
		disparities(&c, (int)i);
		disparate_impact(&c, (int)i);
	}
	checks(&c);
	if (r->nwarnings && o->brief) {
		fprintf(out, "\n%zu warning%s (see the report)\n", r->nwarnings,
		        r->nwarnings == 1 ? "" : "s");
	} else if (r->nwarnings) {
		fputs("\nwarnings\n", out);
		for (size_t i = 0; i < r->nwarnings; i++)
			fprintf(out, "  - %s\n", rpt_clean(&arena, r->warnings[i]));
	}
	verdict(&c);
	assay_arena_free(&arena);
	return rpt_finish(out, err);
}
