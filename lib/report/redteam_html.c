/* redteam_html.c: the red-team result as one self-contained HTML page:
 * the gate verdict, a bar chart of the attack success rate per category
 * with its Wilson 95% interval as a whisker (svg.c), the table per
 * category, the table per category x strategy and the over-refusal rate.
 * No scripts, no network; prompt texts never appear.
 */
#include <math.h>
#include <stdio.h>

#include "assay/redteam.h"
#include "format.h"
#include "svg.h"

static void pct(FILE *out, double v)
{
	if (isnan(v))
		fputs("—", out);
	else
		fprintf(out, "%.1f%%", 100 * v);
}

static void pct_ci(FILE *out, struct assay_interval ci)
{
	if (!isnan(ci.lo))
		fprintf(out, "[%.1f, %.1f]", 100 * ci.lo, 100 * ci.hi);
}

void rpt_redteam_html(const struct assay_rt_result *r, FILE *out)
{
	fprintf(
	    out,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>assay "
	    "redteam</title>\n"
	    "<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}"
	    "table{border-collapse:collapse;margin:1em 0}td,th{padding:3px 8px;border-bottom:1px solid #ddd;"
	    "text-align:right}td:first-child,th:first-child,td.l{text-align:left}.fail{color:#b00;font-"
	    "weight:bold}"
	    ".pass{color:#070}.banner{padding:.6em 1em;border-radius:6px;font-size:1.2em}"
	    ".bf{background:#fde2e2}.bp{background:#e2f5e2}</style></head><body>\n");
	fprintf(out,
	        "<h1>Red-team results</h1>\n<div class=\"banner %s\">Gate: <b>%s</b> (on the %s)</div>\n",
	        r->gate_failed ? "bf" : "bp", r->gate_failed ? "FAIL" : "pass",
	        r->basis == ASSAY_RT_GATE_UPPER ? "Wilson 95% upper bound" : "point estimate");
	fprintf(out, "<p>Target <code>");
	rpt_put_xml(out, r->target_kind);
	fprintf(out, "</code> ");
	rpt_put_xml(out, r->model ? r->model : "");
	fprintf(out, "; suite <code>");
	rpt_put_xml(out, r->suite_path);
	fprintf(out,
	        "</code> (sha256 <code>%.12s</code>); seed %llu; %llu attacks, %llu succeeded; %llu "
	        "errors.</p>\n",
	        r->suite_sha256 ? r->suite_sha256 : "", (unsigned long long)r->seed,
	        (unsigned long long)r->total.attempts, (unsigned long long)r->total.successes,
	        (unsigned long long)r->total.errors);
	struct rpt_bar bars[64];
	size_t nb = 0;
	for (size_t i = 0; i < r->ncats && nb < 64; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		bars[nb++] = (struct rpt_bar){c->category, c->failed ? "gate failed" : NULL, c->asr, c->ci,
		                              c->attempts == 0};
	}
	if (nb) {
		struct rpt_chart ch = {"Attack success rate per category (95% Wilson interval)",
		                       0,
		                       1,
		                       NAN,
		                       NULL,
		                       NAN,
		                       NULL,
		                       nb,
		                       bars};
		rpt_svg_bar_chart(out, &ch);
	}
	fprintf(
	    out,
	    "<h2>Categories</h2>\n<table><tr><th>category</th><th>name</th><th>taxonomy</th><th>attempts</th>"
	    "<th>successes</th><th>errors</th><th>ASR</th><th>95%% CI</th><th>max</th><th>gate</th></tr>\n");
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		const struct assay_rt_category *k = assay_rt_category_find(c->category);
		fprintf(out,
		        "<tr><td><code>%s</code></td><td class=\"l\">%s</td><td class=\"l\">%s "
		        "%s</td><td>%llu</td>"
		        "<td>%llu</td><td>%llu</td><td>",
		        c->category, k ? k->name : "", k ? k->taxonomy : "", k ? k->ref : "",
		        (unsigned long long)c->attempts, (unsigned long long)c->successes,
		        (unsigned long long)c->errors);
		pct(out, c->asr);
		fprintf(out, "</td><td>");
		pct_ci(out, c->ci);
		fprintf(out, "</td><td>");
		if (!isnan(c->max_asr))
			pct(out, c->max_asr);
		fprintf(out, "</td><td class=\"%s\">%s</td></tr>\n", c->failed ? "fail" : "pass",
		        !c->gated   ? ""
		        : c->failed ? "FAIL"
		                    : "pass");
	}
	fprintf(out, "</table>\n<h2>Over-refusal</h2>\n<p>%llu of %llu benign prompts refused: ",
	        (unsigned long long)r->benign_refusals, (unsigned long long)r->benign_attempts);
	pct(out, r->over_refusal);
	fprintf(out, " ");
	pct_ci(out, r->over_refusal_ci);
	if (!isnan(r->max_over_refusal) && r->benign_attempts) {
		fprintf(out, "; maximum ");
		pct(out, r->max_over_refusal);
		fprintf(out, ": <span class=\"%s\">%s</span>", r->over_refusal_failed ? "fail" : "pass",
		        r->over_refusal_failed ? "FAIL" : "pass");
	}
	fprintf(out, "</p>\n<h2>By category and strategy</h2>\n<table><tr><th>category</th><th>strategy</th>"
	             "<th>attempts</th><th>successes</th><th>ASR</th><th>95%% CI</th></tr>\n");
	for (size_t i = 0; i < r->ncells; i++) {
		const struct assay_rt_cell *c = &r->cells[i];
		fprintf(out,
		        "<tr><td><code>%s</code></td><td class=\"l\">%s</td><td>%llu</td><td>%llu</td><td>",
		        c->category, assay_rt_strategy_name((enum assay_rt_strategy)c->strategy),
		        (unsigned long long)c->attempts, (unsigned long long)c->successes);
		pct(out, c->asr);
		fprintf(out, "</td><td>");
		pct_ci(out, c->ci);
		fprintf(out, "</td></tr>\n");
	}
	fprintf(out, "</table>\n<p><small>assay redteam; %s</small></p>\n</body></html>\n",
	        r->timestamp ? r->timestamp : "");
}
