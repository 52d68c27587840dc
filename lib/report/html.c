/* html.c: the eval report as one self-contained HTML page for the
 * Responsible AI specialist: inline CSS, inline SVG charts (svg.c), no
 * scripts, no fonts or URLs to fetch, so it opens offline, passes strict
 * content-security policies and can be attached to a review as it is.
 *
 * Order: verdict banner; checks (status as colour AND word); overall
 * metrics; then per slicing: bar charts of selection rate, TPR, FPR (and
 * AUC) per group with interval whiskers and the overall value as a dashed
 * line, small groups greyed and labelled; the metric table with
 * intervals; disparities with intervals; disparate impact with the
 * four-fifths line at 0.8. Warnings, then a footer with inputs, sha256,
 * parameters and tool version, so a printed copy is traceable.
 *
 * Every user string goes through rpt_put_xml. It deliberately computes
 * no statistic: the charts draw the numbers the tables show.
 */
#include <math.h>
#include <string.h>

#include "format.h"
#include "svg.h"

struct ctx {
	const struct assay_eval_report *r;
	FILE *out;
	struct assay_arena *a;
};

static const char css[] =
    ":root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg2:#f8fafc;--pass:#1a7f37;--pass-bg:#e6f4ea;"
    "--fail:#b42318;--fail-bg:#fdecea;--inc:#8a5a00;--inc-bg:#fff4d6}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;color:var(--fg);background:#fff;font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Helvetica Neue',Arial,sans-serif}\n"
    "main{max-width:1120px;margin:0 auto;padding:28px 32px 48px}\n"
    "h1{font-size:26px;margin:2px 0 4px;word-break:break-all}h2{font-size:20px;margin:36px 0 10px;"
    "padding-bottom:6px;border-bottom:1px solid var(--line)}h3{font-size:16px;margin:24px 0 8px}\n"
    ".kicker{margin:0;color:var(--muted);font-size:13px;letter-spacing:.04em;text-transform:uppercase}\n"
    ".meta,.note{color:var(--muted);margin:4px 0 12px}\n"
    ".banner{display:flex;gap:14px;align-items:baseline;margin:20px 0 8px;padding:14px 18px;"
    "border-radius:8px;border:1px solid;font-size:16px}\n"
    ".banner strong{font-size:20px}.banner.pass{background:var(--pass-bg);border-color:var(--pass);"
    "color:var(--pass)}.banner.fail{background:var(--fail-bg);border-color:var(--fail);color:var(--fail)}\n"
    ".banner span{color:var(--fg)}\n"
    "table{border-collapse:collapse;width:100%;margin:8px 0 16px;font-size:14px}\n"
    "th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
    "th{background:var(--bg2);font-weight:600;white-space:nowrap}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    ".ci{color:var(--muted);font-size:12px}td.num .ci{display:block}\n"
    "tr.small td{color:var(--muted);background:#fafafa}\n"
    ".tag{display:inline-block;margin-left:6px;padding:0 6px;border:1px solid #cfd4da;border-radius:10px;"
    "font-size:11px;color:var(--muted);white-space:nowrap}\n"
    ".status{display:inline-block;min-width:7.5em;padding:1px 8px;border-radius:4px;font-weight:600;"
    "font-size:13px;border:1px solid;white-space:nowrap}\n"
    ".status.pass{color:var(--pass);background:var(--pass-bg)}.status.fail{color:var(--fail);"
    "background:var(--fail-bg)}.status.inconclusive{color:var(--inc);background:var(--inc-bg)}\n"
    "code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:8px 28px;"
    "margin:8px 0}\n"
    ".charts svg,.chart svg{width:100%;height:auto;max-width:620px}\n"
    "footer{margin-top:44px;padding-top:4px;border-top:2px solid var(--line);font-size:14px}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:8px 0}dt{color:var(--muted)}"
    "dd{margin:0}\n"
    "@media print{main{padding:0}.charts{grid-template-columns:1fr 1fr}h2{break-after:avoid}}\n";

static void esc(struct ctx *c, const char *s)
{
	rpt_put_xml(c->out, s);
}

static const char *status_word(enum assay_check_status s)
{
	switch (s) {
	case ASSAY_CHECK_PASS:
		return "✓ PASS";
	case ASSAY_CHECK_FAIL:
		return "✗ FAIL";
	default:
		return "? INCONCLUSIVE";
	}
}

static void num_cell(struct ctx *c, double v, struct assay_interval ci)
{
	char a[RPT_NUM_SIZE], b[RPT_NUM_SIZE];
	fprintf(c->out, "<td class=\"num\">%s", rpt_num(a, sizeof a, v));
	if (!isnan(v) && rpt_has_ci(ci))
		fprintf(c->out, " <span class=\"ci\">%s</span>", rpt_ci(b, sizeof b, ci));
	fputs("</td>", c->out);
}

static const char *small_note(struct ctx *c)
{
	const char *s =
	    assay_arena_printf(c->a, "n<%llu, %s", (unsigned long long)c->r->params.min_group_size,
	                       c->r->params.include_small ? "included" : "excluded");
	return s ? s : "small";
}

/* Within a slicing's section the feature names are in the heading, so
 * groups show their levels only ("African-American & Female"); the full
 * label stays in a tooltip. */
static const char *short_label(struct ctx *c, const struct assay_slice_result *s)
{
	if (!s->nparts || !s->part_level)
		return s->label;
	size_t len = 1;
	for (size_t i = 0; i < s->nparts; i++)
		len += strlen(s->part_level[i] ? s->part_level[i] : "") + 3;
	char *p = assay_arena_alloc(c->a, len);
	if (!p)
		return s->label;
	p[0] = '\0';
	for (size_t i = 0; i < s->nparts; i++) {
		if (i)
			strcat(p, " & ");
		strcat(p, s->part_level[i] ? s->part_level[i] : "");
	}
	return p;
}

static const char *data_path(const struct assay_eval_report *r)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (r->inputs[i].role && r->inputs[i].role[0] == 'd')
			return r->inputs[i].path;
	return NULL;
}

static void head(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	const char *data = data_path(r);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      c->out);
	fprintf(c->out, "assay eval: %s", r->passed ? "passed" : "failed");
	if (data) {
		fputs(" — ", c->out);
		esc(c, rpt_basename(data));
	}
	fprintf(c->out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
	fprintf(c->out, "<header>\n<p class=\"kicker\">assay %s · model evaluation</p>\n<h1>",
	        r->tool_version ? r->tool_version : "?");
	esc(c, data ? rpt_basename(data) : "Evaluation report");
	fprintf(c->out, "</h1>\n<p class=\"meta\">%llu of %llu rows used · %s task",
	        (unsigned long long)r->rows_used, (unsigned long long)r->rows_read,
	        rpt_task_name(r->params.task));
	if (r->params.nsensitive) {
		fputs(" · sensitive features: ", c->out);
		for (size_t i = 0; i < r->params.nsensitive; i++) {
			if (i)
				fputs(", ", c->out);
			esc(c, r->params.sensitive[i]);
		}
	}
	if (r->generated_at) {
		fputs(" · generated ", c->out);
		esc(c, r->generated_at);
	}
	fputs("</p>\n</header>\n", c->out);
}

static void banner(struct ctx *c)
{
	char tally[160];
	struct rpt_tally t;
	rpt_tally_checks(c->r, &t);
	fprintf(c->out, "<section class=\"banner %s\" role=\"status\"><strong>%s</strong><span>%s",
	        c->r->passed ? "pass" : "fail", c->r->passed ? "✓ PASSED" : "✗ FAILED",
	        rpt_tally_text(tally, sizeof tally, c->r));
	if (t.inconclusive)
		fputs(c->r->params.inconclusive_fails ? " (inconclusive counts as a failure)"
		                                      : " (inconclusive does not fail the run)",
		      c->out);
	fputs("</span></section>\n", c->out);
}

static void checks(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char ci[RPT_NUM_SIZE];
	fputs("<section>\n<h2>Checks</h2>\n", c->out);
	if (!r->nchecks) {
		fputs("<p class=\"note\">No plan checks were run: this report describes, it does not "
		      "judge.</p>\n"
		      "</section>\n",
		      c->out);
		return;
	}
	fprintf(c->out,
	        "<table>\n<thead><tr><th>Status</th><th>Check</th><th>Subject</th><th class=\"num\">Value "
	        "[%s]</th><th>Rule</th><th>Why</th></tr></thead>\n<tbody>\n",
	        rpt_ci_label(ci, sizeof ci, r));
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct assay_check_result *k = &r->checks[i];
		const char *st = assay_check_status_name(k->status);
		fprintf(c->out, "<tr><td><span class=\"status %s\">%s</span></td><td><strong>", st,
		        status_word(k->status));
		esc(c, k->name);
		fputs("</strong>", c->out);
		if (k->plan_file) {
			fputs("<br><span class=\"ci\">", c->out);
			esc(c, rpt_basename(k->plan_file));
			fprintf(c->out, ":%llu</span>", (unsigned long long)k->plan_line);
		}
		fputs("</td><td>", c->out);
		esc(c, k->subject);
		fputs("</td>", c->out);
		num_cell(c, k->value, k->ci);
		fputs("<td><code>", c->out);
		esc(c, k->expr);
		fputs("</code></td><td>", c->out);
		esc(c, k->message);
		fputs("</td></tr>\n", c->out);
	}
	fputs("</tbody>\n</table>\n</section>\n", c->out);
}

static void slices_table(struct ctx *c, size_t first, size_t count)
{
	struct rpt_columns cols;
	rpt_table_columns(c->r, &cols);
	fputs("<table>\n<thead><tr><th>Group</th><th class=\"num\">n</th>", c->out);
	for (size_t j = 0; j < cols.n; j++)
		fprintf(c->out, "<th class=\"num\">%s</th>", rpt_metric_label(cols.m[j]));
	fputs("</tr></thead>\n<tbody>\n", c->out);
	for (size_t i = first; i < first + count; i++) {
		const struct assay_slice_result *s = &c->r->slices[i];
		fprintf(c->out, "<tr%s><td title=\"", s->small ? " class=\"small\"" : "");
		esc(c, s->label);
		fputs("\">", c->out);
		esc(c, short_label(c, s));
		if (s->small) {
			fputs("<span class=\"tag\">", c->out);
			esc(c, small_note(c));
			fputs("</span>", c->out);
		}
		fprintf(c->out, "</td><td class=\"num\">%llu</td>", (unsigned long long)s->n);
		for (size_t j = 0; j < cols.n; j++)
			num_cell(c, s->value[cols.m[j]], s->ci[cols.m[j]]);
		fputs("</tr>\n", c->out);
	}
	fputs("</tbody>\n</table>\n", c->out);
}

/* 1, 2, 2.5, 5 x 10^k at or above v: a readable axis end. */
static double nice_max(double v)
{
	if (!(v > 0) || !isfinite(v))
		return 1;
	double p = pow(10, floor(log10(v)));
	static const double steps[] = {1, 2, 2.5, 5, 10};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i] * p >= v)
			return steps[i] * p;
	return 10 * p;
}

static void charts(struct ctx *c, const struct assay_slicing *g)
{
	const struct assay_eval_report *r = c->r;
	struct rpt_columns cols;
	rpt_chart_columns(r, &cols);
	struct rpt_bar *bars = assay_arena_calloc(c->a, g->count ? g->count : 1, sizeof *bars);
	if (!bars || !g->count)
		return;
	fputs("<div class=\"charts\">\n", c->out);
	for (size_t j = 0; j < cols.n; j++) {
		enum assay_metric m = cols.m[j];
		double top = 0;
		for (size_t i = 0; i < g->count; i++) {
			const struct assay_slice_result *s = &r->slices[g->first + i];
			bars[i] = (struct rpt_bar){short_label(c, s), s->small ? small_note(c) : NULL,
			                           s->value[m], s->ci[m], s->small};
			if (isfinite(s->value[m]) && s->value[m] > top)
				top = s->value[m];
			if (rpt_has_ci(s->ci[m]) && isfinite(s->ci[m].hi) && s->ci[m].hi > top)
				top = s->ci[m].hi;
		}
		char ov[RPT_NUM_SIZE];
		double overall = r->slices[0].value[m];
		const char *title =
		    assay_arena_printf(c->a, "%s by %s", rpt_metric_label(m), g->name ? g->name : "?");
		const char *rl = assay_arena_printf(c->a, "overall %s", rpt_num(ov, sizeof ov, overall));
		struct rpt_chart ch = {title ? title : rpt_metric_label(m),
		                       0,
		                       rpt_metric_is_unit(m) ? 1 : nice_max(top > overall ? top : overall),
		                       overall,
		                       rl,
		                       NAN,
		                       NULL,
		                       g->count,
		                       bars};
		rpt_svg_bar_chart(c->out, &ch);
	}
	fputs("</div>\n", c->out);
}

static void disparities(struct ctx *c, int slicing)
{
	const struct assay_eval_report *r = c->r;
	size_t n = 0;
	for (size_t i = 0; i < r->ndisparities; i++)
		n += r->disparities[i].slicing == slicing;
	if (!n)
		return;
	fputs("<h3>Disparities</h3>\n<p class=\"note\">Difference: max − min over groups; ratio: min / max. "
	      "To overall: the largest gap between a group and the overall value.</p>\n"
	      "<table>\n<thead><tr><th>Metric</th><th class=\"num\">Between groups</th>"
	      "<th class=\"num\">To overall</th></tr></thead>\n<tbody>\n",
	      c->out);
	for (size_t i = 0; i < r->ndisparities; i++) {
		const struct assay_disparity_result *d = &r->disparities[i];
		if (d->slicing != slicing)
			continue;
		fprintf(c->out, "<tr><td>%s</td>", assay_disparity_name(d->kind));
		num_cell(c, d->between, d->between_ci);
		num_cell(c, d->to_overall, d->to_overall_ci);
		fputs("</tr>\n", c->out);
	}
	fputs("</tbody>\n</table>\n", c->out);
}

static void disparate_impact(struct ctx *c, int slicing)
{
	const struct assay_eval_report *r = c->r;
	size_t n = 0, ref = 0;
	double top = 1.25;
	for (size_t i = 0; i < r->ndi; i++)
		if (r->di[i].slicing == slicing) {
			const struct assay_di_result *d = &r->di[i];
			ref = d->reference_slice;
			if (isfinite(d->ratio) && d->ratio > top)
				top = d->ratio;
			if (rpt_has_ci(d->ci) && isfinite(d->ci.hi) && d->ci.hi > top)
				top = d->ci.hi;
			n++;
		}
	struct rpt_bar *bars = n ? assay_arena_calloc(c->a, n, sizeof *bars) : NULL;
	if (!bars)
		return;
	fputs("<h3>Disparate impact</h3>\n<p class=\"note\">Each group's selection rate divided by that of "
	      "the reference group <strong>",
	      c->out);
	esc(c, r->slices[ref].label);
	fputs(
	    "</strong>. The four-fifths rule asks for a ratio of at least 0.8.</p>\n<div class=\"chart\">\n",
	    c->out);
	size_t k = 0;
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		if (d->slicing != slicing)
			continue;
		const struct assay_slice_result *s = &r->slices[d->slice];
		bars[k++] = (struct rpt_bar){short_label(c, s), s->small ? small_note(c) : NULL, d->ratio,
		                             d->ci, s->small};
	}
	const char *title = assay_arena_printf(c->a, "disparate impact by %s", rpt_slicing_name(r, slicing));
	struct rpt_chart ch = {title ? title : "disparate impact",
	                       0,
	                       nice_max(top),
	                       1.0,
	                       "parity 1.0",
	                       0.8,
	                       "four-fifths 0.8",
	                       n,
	                       bars};
	rpt_svg_bar_chart(c->out, &ch);
	fputs(
	    "</div>\n<table>\n<thead><tr><th>Group</th><th class=\"num\">Ratio</th><th>Four-fifths rule</th>"
	    "</tr></thead>\n<tbody>\n",
	    c->out);
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		if (d->slicing != slicing)
			continue;
		fputs("<tr><td title=\"", c->out);
		esc(c, r->slices[d->slice].label);
		fputs("\">", c->out);
		esc(c, short_label(c, &r->slices[d->slice]));
		fputs("</td>", c->out);
		num_cell(c, d->ratio, d->ci);
		fprintf(c->out, "<td><span class=\"status %s\">%s</span></td></tr>\n",
		        d->passes_four_fifths ? "pass" : "fail",
		        d->passes_four_fifths ? "✓ at least 0.8" : "✗ below 0.8");
	}
	fputs("</tbody>\n</table>\n", c->out);
}

static void slicing_section(struct ctx *c, int i)
{
	const struct assay_slicing *g = &c->r->slicings[i];
	fputs("<section>\n<h2>By ", c->out);
	esc(c, g->name);
	fprintf(c->out, "</h2>\n<p class=\"note\">%zu groups.", g->count);
	if (g->excluded)
		fprintf(c->out,
		        " %zu group%s with fewer than %llu rows %s shown in grey and excluded from "
		        "disparities: too small to judge.",
		        g->excluded, g->excluded == 1 ? "" : "s",
		        (unsigned long long)c->r->params.min_group_size, g->excluded == 1 ? "is" : "are");
	fputs(" Whiskers show intervals; the dashed line is the overall value.</p>\n", c->out);
	charts(c, g);
	slices_table(c, g->first, g->count);
	disparities(c, i);
	disparate_impact(c, i);
	fputs("</section>\n", c->out);
}

static void footer(struct ctx *c)
{
	const struct assay_eval_report *r = c->r;
	char bytes[32];
	fputs("<footer>\n<h2>Inputs and parameters</h2>\n<table>\n<thead><tr><th>Role</th><th>Path</th>"
	      "<th class=\"num\">Rows</th><th class=\"num\">Size</th><th>sha256</th></tr></thead>\n<tbody>\n",
	      c->out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		fputs("<tr><td>", c->out);
		esc(c, in->role);
		fputs("</td><td><code>", c->out);
		esc(c, in->path);
		fprintf(c->out, "</code></td><td class=\"num\">%llu</td><td class=\"num\">%s</td><td><code>",
		        (unsigned long long)in->rows, rpt_bytes(bytes, sizeof bytes, in->bytes));
		esc(c, in->sha256[0] ? in->sha256 : "—");
		fputs("</code></td></tr>\n", c->out);
	}
	fputs("</tbody>\n</table>\n<dl>\n", c->out);
	fprintf(c->out,
	        "<dt>rows</dt><dd>%llu read, %llu used, %llu filtered out, %llu with a missing sensitive "
	        "value</dd>\n",
	        (unsigned long long)r->rows_read, (unsigned long long)r->rows_used,
	        (unsigned long long)r->rows_filtered, (unsigned long long)r->rows_na_sensitive);
	struct rpt_kv kv[RPT_MAX_PARAMS];
	size_t n = rpt_params(r, c->a, kv);
	for (size_t i = 0; i < n; i++) {
		fprintf(c->out, "<dt>%s</dt><dd>", kv[i].key);
		esc(c, kv[i].value);
		fputs("</dd>\n", c->out);
	}
	fputs("<dt>tool</dt><dd>assay ", c->out);
	esc(c, r->tool_version ? r->tool_version : "?");
	fputs(", schema ", c->out);
	esc(c, r->schema ? r->schema : "assay.eval/1");
	fputs("</dd>\n<dt>generated</dt><dd>", c->out);
	esc(c, r->generated_at ? r->generated_at : "—");
	fputs("</dd>\n</dl>\n</footer>\n", c->out);
}

int rpt_render_html(const struct assay_eval_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct ctx c = {r, out, &arena};
	head(&c);
	banner(&c);
	checks(&c);
	fputs("<section>\n<h2>Overall</h2>\n", out);
	slices_table(&c, 0, 1);
	fputs("</section>\n", out);
	for (size_t i = 0; i < r->nslicings; i++)
		slicing_section(&c, (int)i);
	if (r->nwarnings) {
		fputs("<section>\n<h2>Warnings</h2>\n<ul>\n", out);
		for (size_t i = 0; i < r->nwarnings; i++) {
			fputs("<li>", out);
			esc(&c, r->warnings[i]);
			fputs("</li>\n", out);
		}
		fputs("</ul>\n</section>\n", out);
	}
	footer(&c);
	fputs("</main>\n</body>\n</html>\n", out);
	assay_arena_free(&arena);
	return rpt_finish(out, err);
}
