/* markdown.c: the eval report as GitHub-flavoured Markdown, written to be
 * posted as a pull-request comment.
 *
 * Order: a title with the verdict (✅/❌ plus the word), the checks table
 * (what a reviewer must act on), a metrics table per slicing with
 * intervals and small groups flagged, disparities, disparate impact,
 * warnings, and the inputs (path, rows, sha256) and parameters inside a
 * collapsed <details> block so the comment stays short.
 *
 * Every user string is a table cell escaped by rpt_put_md, so a group
 * named "a|b" or "<b>" cannot break the table or inject HTML.
 *
 * It deliberately uses no HTML beyond <details>/<summary> (which GitHub
 * renders) and no images: the HTML format has the charts.
 */
#include <string.h>

#include "format.h"

struct ctx {
	const struct assay_eval_report *r;
	FILE *out;
	struct assay_arena *a;
};

static const char *status_cell(enum assay_check_status s)
{
	switch (s) {
	case ASSAY_CHECK_PASS:
		return "✅ pass";
	case ASSAY_CHECK_FAIL:
		return "❌ fail";
	default:
		return "⚠️ inconclusive";
	}
}

static void title(struct ctx *c)
{
	char tally[160];
	fprintf(c->out, "## %s assay eval: %s (%s)\n\n", c->r->passed ? "✅" : "❌",
	        c->r->passed ? "passed" : "failed", rpt_tally_text(tally, sizeof tally, c->r));
	fprintf(c->out, "Data: `");
	for (size_t i = 0; i < c->r->ninputs; i++)
		if (c->r->inputs[i].role && c->r->inputs[i].role[0] == 'd') {
			/* a code span shows its content literally; only backticks need care */
			const char *p = rpt_clean(c->a, rpt_basename(c->r->inputs[i].path));
			for (; *p; p++)
				fputc(*p == '`' ? '\'' : *p, c->out);
			break;
		}
	fprintf(c->out, "`, %llu rows used of %llu read.\n", (unsigned long long)c->r->rows_used,
	        (unsigned long long)c->r->rows_read);
}

static void checks(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char ci[RPT_NUM_SIZE], val[RPT_NUM_SIZE], thr[RPT_NUM_SIZE];
	if (!r->nchecks) {
		fputs("\nNo plan checks were run.\n", c->out);
		return;
	}
	fprintf(c->out, "\n### Checks\n\n| Status | Check | Subject | Value [%s] | Threshold | Why |\n",
	        rpt_ci_label(ci, sizeof ci, r));
	fputs("|---|---|---|--:|---|---|\n", c->out);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct assay_check_result *k = &r->checks[i];
		fprintf(c->out, "| %s | ", status_cell(k->status));
		rpt_put_md(c->out, k->name);
		if (k->expr && k->name && strcmp(k->name, k->expr) != 0) {
			fputs("<br>", c->out);
			rpt_put_md_code(c->out, k->expr);
		}
		fputs(" | ", c->out);
		rpt_put_md(c->out, k->subject);
		fprintf(c->out, " | %s | ", rpt_num_ci(val, sizeof val, k->value, k->ci));
		rpt_put_md(c->out, assay_cmp_symbol(k->cmp));
		fprintf(c->out, " %s | ", rpt_num_short(thr, sizeof thr, k->threshold));
		rpt_put_md(c->out, k->message);
		fputs(" |\n", c->out);
	}
}

static void group_cell(struct ctx *c, const struct assay_slice_result *s)
{
	rpt_put_md(c->out, s->label);
	if (s->small)
		fprintf(c->out, " ⚠️ *small, n&lt;%llu*",
		        (unsigned long long)c->r->params.min_group_size);
}

static void slices_table(struct ctx *c, const char *name, size_t first, size_t count, size_t excluded)
{
	struct rpt_columns cols;
	char buf[RPT_NUM_SIZE];
	rpt_table_columns(c->r, &cols);
	fputs("\n#### ", c->out);
	rpt_put_md(c->out, name);
	if (excluded)
		fprintf(c->out, " (%zu group%s too small, excluded from disparities)", excluded,
		        excluded == 1 ? "" : "s");
	fputs("\n\n| Group | n |", c->out);
	for (size_t j = 0; j < cols.n; j++)
		fprintf(c->out, " %s |", rpt_metric_label(cols.m[j]));
	fputs("\n|---|--:|", c->out);
	for (size_t j = 0; j < cols.n; j++)
		fputs("--:|", c->out);
	fputc('\n', c->out);
	for (size_t i = first; i < first + count; i++) {
		const struct assay_slice_result *s = &c->r->slices[i];
		fputs("| ", c->out);
		group_cell(c, s);
		fprintf(c->out, " | %llu |", (unsigned long long)s->n);
		for (size_t j = 0; j < cols.n; j++)
			fprintf(c->out, " %s |",
			        rpt_num_ci(buf, sizeof buf, s->value[cols.m[j]], s->ci[cols.m[j]]));
		fputc('\n', c->out);
	}
}

static void disparities(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char a[RPT_NUM_SIZE], b[RPT_NUM_SIZE];
	if (!r->ndisparities)
		return;
	fputs("\n### Disparities\n\nDifference: max − min over groups; ratio: min / max. "
	      "To overall: the largest gap between a group and the overall value.\n\n",
	      c->out);
	fputs("| Slicing | Metric | Between groups | To overall |\n|---|---|--:|--:|\n", c->out);
	for (size_t i = 0; i < r->ndisparities; i++) {
		const struct assay_disparity_result *d = &r->disparities[i];
		fputs("| ", c->out);
		rpt_put_md(c->out, rpt_slicing_name(r, d->slicing));
		fputs(" | ", c->out);
		rpt_put_md_code(c->out, assay_disparity_name(d->kind));
		fprintf(c->out, " | %s | %s |\n", rpt_num_ci(a, sizeof a, d->between, d->between_ci),
		        rpt_num_ci(b, sizeof b, d->to_overall, d->to_overall_ci));
	}
}

static void disparate_impact(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char a[RPT_NUM_SIZE];
	if (!r->ndi)
		return;
	fputs("\n### Disparate impact\n\nEach group's selection rate over the reference group's; "
	      "the four-fifths rule asks for at least 0.8.\n\n",
	      c->out);
	fputs("| Slicing | Group | Reference | Ratio | Four-fifths |\n|---|---|---|--:|---|\n", c->out);
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		fputs("| ", c->out);
		rpt_put_md(c->out, rpt_slicing_name(r, d->slicing));
		fputs(" | ", c->out);
		group_cell(c, &r->slices[d->slice]);
		fputs(" | ", c->out);
		rpt_put_md(c->out, r->slices[d->reference_slice].label);
		fprintf(c->out, " | %s | %s |\n", rpt_num_ci(a, sizeof a, d->ratio, d->ci),
		        d->passes_four_fifths ? "✅ ≥ 0.8" : "❌ below 0.8");
	}
}

static void warnings(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	size_t nsmall = 0;
	for (size_t i = 1; i < r->nslices; i++)
		nsmall += r->slices[i].small != 0;
	if (!r->nwarnings && !nsmall)
		return;
	fputs("\n### Warnings\n\n", c->out);
	for (size_t i = 1; i < r->nslices; i++) {
		const struct assay_slice_result *s = &r->slices[i];
		if (!s->small)
			continue;
		fputs("- Group ", c->out);
		rpt_put_md(c->out, s->label);
		fprintf(c->out, " has only %llu rows (fewer than %llu): %s.\n", (unsigned long long)s->n,
		        (unsigned long long)r->params.min_group_size,
		        r->params.include_small ? "kept in disparities, read its numbers with care"
		                                : "shown, but excluded from disparities");
	}
	for (size_t i = 0; i < r->nwarnings; i++) {
		fputs("- ", c->out);
		rpt_put_md(c->out, r->warnings[i]);
		fputc('\n', c->out);
	}
}

static void details(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char bytes[32];
	fputs("\n<details><summary>Inputs and parameters</summary>\n\n", c->out);
	fputs("| Role | Path | Rows | Size | sha256 |\n|---|---|--:|--:|---|\n", c->out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		fputs("| ", c->out);
		rpt_put_md(c->out, in->role);
		fputs(" | ", c->out);
		rpt_put_md(c->out, in->path);
		fprintf(c->out, " | %llu | %s | `%s` |\n", (unsigned long long)in->rows,
		        rpt_bytes(bytes, sizeof bytes, in->bytes), in->sha256[0] ? in->sha256 : "—");
	}
	fprintf(c->out,
	        "\nRows: %llu read, %llu used, %llu filtered out, %llu with a missing sensitive value.\n\n",
	        (unsigned long long)r->rows_read, (unsigned long long)r->rows_used,
	        (unsigned long long)r->rows_filtered, (unsigned long long)r->rows_na_sensitive);
	struct rpt_kv kv[RPT_MAX_PARAMS];
	size_t n = rpt_params(r, c->a, kv);
	for (size_t i = 0; i < n; i++) {
		fprintf(c->out, "- %s: ", kv[i].key);
		rpt_put_md(c->out, kv[i].value);
		fputc('\n', c->out);
	}
	fprintf(c->out, "\nassay %s", r->tool_version ? r->tool_version : "?");
	if (r->generated_at) {
		fputs(", generated ", c->out);
		rpt_put_md(c->out, r->generated_at);
	}
	fputs(".\n\n</details>\n", c->out);
}

int rpt_render_md(const struct assay_eval_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct ctx c = {r, out, &arena};
	title(&c);
	checks(&c);
	fputs("\n### Metrics by group\n", out);
	slices_table(&c, "Overall", 0, 1, 0);
	for (size_t i = 0; i < r->nslicings; i++)
		slices_table(&c, r->slicings[i].name ? r->slicings[i].name : "?", r->slicings[i].first,
		             r->slicings[i].count, r->slicings[i].excluded);
	disparities(&c);
	disparate_impact(&c);
	warnings(&c);
	details(&c);
	assay_arena_free(&arena);
	return rpt_finish(out, err);
}
