/* kpi_render.c: the KPI report (assay/kpi.h) as text, JSON (schema
 * assay.kpi/1), Markdown and one self-contained HTML page with monthly
 * trend charts as inline SVG (lib/report/svg.h). One list of rows
 * (rows()) feeds text, Markdown and HTML, so every format shows the same
 * number the same way; NaN ratios print as "n/a". Computes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../report/format.h"
#include "../report/jsonbuild.h"
#include "../report/svg.h"
#include "assay/json.h"
#include "assay/kpi.h"
#include "assay/workflow.h"

enum { NROWS = 17 };
static const char *const TIER_NAMES[4] = {"prohibited", "high", "medium", "low"};

struct row {
	const char *label;
	char v[96];
};

static void pct(char *b, size_t n, double v, size_t num, size_t den)
{
	if (isnan(v))
		snprintf(b, n, "n/a (0 of 0)");
	else
		snprintf(b, n, "%.1f%% (%zu of %zu)", 100.0 * v, num, den);
}

static void hours(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "n/a");
	else
		snprintf(b, n, "%.1f h", v);
}

static void dist(char *b, size_t n, const struct assay_kpi_dist *d)
{
	char m[32], p[32];
	hours(m, sizeof m, d->median);
	hours(p, sizeof p, d->p90);
	if (isnan(d->within_sla))
		snprintf(b, n, "n=%zu median %s p90 %s", d->n, m, p);
	else
		snprintf(b, n, "n=%zu median %s p90 %s, %.1f%% within SLA", d->n, m, p,
		         100.0 * d->within_sla);
}

static size_t rows(const struct assay_kpi_result *r, struct row *out)
{
	size_t k = 0;
#define ROW(lbl) (out[k].label = (lbl), out[k++].v)
	snprintf(ROW("reviews submitted"), 96, "%zu", r->submitted);
	snprintf(ROW("review throughput (decided)"), 96, "%zu", r->throughput);
	dist(ROW("time to triage"), 96, &r->triage);
	dist(ROW("time to decision"), 96, &r->decision);
	pct(ROW("evidence completeness"), 96, r->evidence_completeness, r->ev_satisfied, r->ev_required);
	pct(ROW("high-risk launch compliance"), 96, r->launch_compliance, r->launches_compliant, r->launches);
	snprintf(ROW("open findings"), 96, "%zu", r->open_findings);
	for (int s = ASSAY_KPI_SEVERITIES - 1; s >= 0; s--) {
		static const char *const L[] = {
		    "ageing low (0-30/31-60/61-90/>90 d)", "ageing medium (0-30/31-60/61-90/>90 d)",
		    "ageing high (0-30/31-60/61-90/>90 d)", "ageing critical (0-30/31-60/61-90/>90 d)"};
		snprintf(ROW(L[s]), 96, "%zu / %zu / %zu / %zu", r->ageing[s][0], r->ageing[s][1],
		         r->ageing[s][2], r->ageing[s][3]);
	}
	pct(ROW("open findings overdue"), 96, r->share_overdue, r->overdue_findings, r->open_findings);
	pct(ROW("exception rate"), 96, r->exception_rate, r->findings_waived, r->findings_created);
	pct(ROW("repeat finding rate"), 96, r->repeat_rate, r->findings_repeat, r->findings_created);
	if (isnan(r->incident_rate))
		snprintf(ROW("incidents per system per month"), 96, "n/a (%zu incidents, 0 systems)",
		         r->incidents);
	else
		snprintf(ROW("incidents per system per month"), 96,
		         "%.3f (%zu incidents, %zu systems, %.2f months)", r->incident_rate, r->incidents,
		         r->systems, r->months);
	pct(ROW("monitoring coverage"), 96, r->monitoring_coverage, r->monitored, r->deployed);
	pct(ROW("evaluation automation coverage"), 96, r->evaluation_automation, r->evaluations_ci,
	    r->evaluations);
#undef ROW
	return k;
}

static void period(const struct assay_kpi_report *r, char *s, char *u)
{
	assay_wf_time_format(r->since, s, 32);
	assay_wf_time_format(r->until, u, 32);
}

static int render_text(const struct assay_kpi_report *r, FILE *out)
{
	char s[32], u[32];
	period(r, s, u);
	fprintf(out, "assay kpi: %s to %s (%zu events)\n", s, u, r->nevents);
	const struct assay_kpi_result *sets[5] = {&r->all, &r->tiers[0], &r->tiers[1], &r->tiers[2],
	                                          &r->tiers[3]};
	for (int t = 0; t < 5; t++) {
		if (t && !sets[t]->systems && !sets[t]->submitted && !sets[t]->findings_created)
			continue;
		fprintf(out, "\n%s\n", t ? TIER_NAMES[t - 1] : "all tiers");
		struct row rw[NROWS];
		size_t n = rows(sets[t], rw);
		for (size_t i = 0; i < n; i++)
			fprintf(out, "  %-42s %s\n", rw[i].label, rw[i].v);
	}
	if (r->nmonths > 1) {
		fprintf(out, "\ntrend           decided  median decision  incidents  findings\n");
		for (size_t i = 0; i < r->nmonths; i++) {
			char h[32];
			hours(h, sizeof h, r->months[i].r.decision.median);
			fprintf(out, "  %-12s  %7zu  %15s  %9zu  %8zu\n", r->months[i].label,
			        r->months[i].r.throughput, h, r->months[i].r.incidents,
			        r->months[i].r.findings_created);
		}
	}
	return ferror(out) ? -1 : 0;
}

static int render_md(const struct assay_kpi_report *r, FILE *out)
{
	char s[32], u[32];
	period(r, s, u);
	fprintf(out, "# Governance KPIs\n\n%s to %s, %zu events.\n\n| KPI | all tiers |", s, u, r->nevents);
	for (int t = 0; t < 4; t++)
		fprintf(out, " %s |", TIER_NAMES[t]);
	fprintf(out, "\n|---|---|---|---|---|---|\n");
	struct row all[NROWS], tr[4][NROWS];
	size_t n = rows(&r->all, all);
	for (int t = 0; t < 4; t++)
		rows(&r->tiers[t], tr[t]);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "| %s | %s |", all[i].label, all[i].v);
		for (int t = 0; t < 4; t++)
			fprintf(out, " %s |", tr[t][i].v);
		fprintf(out, "\n");
	}
	if (r->nmonths) {
		fprintf(out, "\n## Trend\n\n| month | decided | median time to decision | incidents | "
		             "findings raised |\n"
		             "|---|---|---|---|---|\n");
		for (size_t i = 0; i < r->nmonths; i++) {
			char h[32];
			hours(h, sizeof h, r->months[i].r.decision.median);
			fprintf(out, "| %s | %zu | %s | %zu | %zu |\n", r->months[i].label,
			        r->months[i].r.throughput, h, r->months[i].r.incidents,
			        r->months[i].r.findings_created);
		}
	}
	return ferror(out) ? -1 : 0;
}

static json_t *jdist(struct rpt_json *c, const struct assay_kpi_dist *d)
{
	json_t *o = json_object();
	rpt_jset(c, o, "n", json_integer((json_int_t)d->n));
	rpt_jset(c, o, "median_hours", rpt_jnum(c, d->median));
	rpt_jset(c, o, "p90_hours", rpt_jnum(c, d->p90));
	rpt_jset(c, o, "within_sla", rpt_jnum(c, d->within_sla));
	return o;
}

static json_t *jratio(struct rpt_json *c, double v, size_t num, size_t den)
{
	json_t *o = json_object();
	rpt_jset(c, o, "value", rpt_jnum(c, v));
	rpt_jset(c, o, "numerator", json_integer((json_int_t)num));
	rpt_jset(c, o, "denominator", json_integer((json_int_t)den));
	return o;
}

static json_t *jresult(struct rpt_json *c, const struct assay_kpi_result *r)
{
	json_t *o = json_object();
	rpt_jset(c, o, "reviews_submitted", json_integer((json_int_t)r->submitted));
	rpt_jset(c, o, "review_throughput", json_integer((json_int_t)r->throughput));
	rpt_jset(c, o, "time_to_triage", jdist(c, &r->triage));
	rpt_jset(c, o, "time_to_decision", jdist(c, &r->decision));
	rpt_jset(c, o, "evidence_completeness",
	         jratio(c, r->evidence_completeness, r->ev_satisfied, r->ev_required));
	rpt_jset(c, o, "high_risk_launch_compliance",
	         jratio(c, r->launch_compliance, r->launches_compliant, r->launches));
	json_t *age = json_object();
	for (int s = 0; s < ASSAY_KPI_SEVERITIES; s++) {
		json_t *b = json_object();
		for (int k = 0; k < ASSAY_KPI_BUCKETS; k++)
			rpt_jset(c, b, assay_kpi_bucket_names[k], json_integer((json_int_t)r->ageing[s][k]));
		rpt_jset(c, age, assay_kpi_severity_names[s], b);
	}
	rpt_jset(c, o, "open_findings", json_integer((json_int_t)r->open_findings));
	rpt_jset(c, o, "open_findings_ageing_days", age);
	rpt_jset(c, o, "open_findings_overdue",
	         jratio(c, r->share_overdue, r->overdue_findings, r->open_findings));
	rpt_jset(c, o, "exception_rate",
	         jratio(c, r->exception_rate, r->findings_waived, r->findings_created));
	rpt_jset(c, o, "repeat_finding_rate",
	         jratio(c, r->repeat_rate, r->findings_repeat, r->findings_created));
	json_t *inc = json_object();
	rpt_jset(c, inc, "value", rpt_jnum(c, r->incident_rate));
	rpt_jset(c, inc, "incidents", json_integer((json_int_t)r->incidents));
	rpt_jset(c, inc, "systems", json_integer((json_int_t)r->systems));
	rpt_jset(c, inc, "months", rpt_jnum(c, r->months));
	rpt_jset(c, o, "incidents_per_system_month", inc);
	rpt_jset(c, o, "monitoring_coverage", jratio(c, r->monitoring_coverage, r->monitored, r->deployed));
	rpt_jset(c, o, "evaluation_automation_coverage",
	         jratio(c, r->evaluation_automation, r->evaluations_ci, r->evaluations));
	return o;
}

static int render_json(const struct assay_kpi_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct rpt_json c = {&a, 0};
	char s[32], u[32];
	period(r, s, u);
	json_t *root = json_object();
	rpt_jset(&c, root, "schema", json_string("assay.kpi/1"));
	rpt_jset(&c, root, "tool", json_string("assay"));
	rpt_jset(&c, root, "version", rpt_jstr(&c, r->version));
	rpt_jset(&c, root, "generated", rpt_jstr(&c, r->generated));
	json_t *in = json_object();
	rpt_jset(&c, in, "audit_head_seq", json_integer((json_int_t)r->audit_seq));
	rpt_jset(&c, in, "audit_head_hash", rpt_jstr(&c, r->audit_hash));
	rpt_jset(&c, in, "events", json_integer((json_int_t)r->nevents));
	rpt_jset(&c, root, "inputs", in);
	json_t *par = json_object();
	rpt_jset(&c, par, "since", json_string(s));
	rpt_jset(&c, par, "until", json_string(u));
	rpt_jset(&c, root, "parameters", par);
	rpt_jset(&c, root, "all", jresult(&c, &r->all));
	json_t *tiers = json_object();
	for (int t = 0; t < 4; t++)
		rpt_jset(&c, tiers, TIER_NAMES[t], jresult(&c, &r->tiers[t]));
	rpt_jset(&c, root, "tiers", tiers);
	json_t *months = json_array();
	for (size_t i = 0; i < r->nmonths; i++) {
		json_t *m = jresult(&c, &r->months[i].r);
		rpt_jset(&c, m, "month", json_string(r->months[i].label));
		rpt_jpush(&c, months, m);
	}
	rpt_jset(&c, root, "trend", months);
	int rc = c.oom ? ASSAY_ENOMEM : 0;
	if (!rc && (assay_json_write(root, out, 2) || fputc('\n', out) == EOF))
		rc = assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the KPI report");
	else if (rc)
		assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	json_decref(root);
	assay_arena_free(&a);
	return rc;
}

static void trend_chart(FILE *out, const struct assay_kpi_report *r, const char *title, int which)
{
	struct rpt_bar bars[120];
	double hi = 0;
	for (size_t i = 0; i < r->nmonths; i++) {
		const struct assay_kpi_result *m = &r->months[i].r;
		double v = which == 0   ? (double)m->throughput
		           : which == 1 ? m->decision.median
		           : which == 2 ? (double)m->incidents
		                        : (double)m->findings_created;
		bars[i] = (struct rpt_bar){.label = r->months[i].label, .value = v, .ci = {NAN, NAN}};
		if (!isnan(v) && v > hi)
			hi = v;
	}
	struct rpt_chart ch = {.title = title,
	                       .lo = 0,
	                       .hi = hi > 0 ? hi * 1.1 : 1,
	                       .reference = NAN,
	                       .threshold = NAN,
	                       .nbars = r->nmonths,
	                       .bars = bars};
	fprintf(out, "<div class=\"chart\"><h3>");
	rpt_put_xml(out, title);
	fprintf(out, "</h3>\n");
	rpt_svg_bar_chart(out, &ch);
	fprintf(out, "</div>\n");
}

static int render_html(const struct assay_kpi_report *r, FILE *out)
{
	char s[32], u[32];
	period(r, s, u);
	fprintf(
	    out,
	    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>assay KPIs %s to %s</title>\n<style>body{font:15px/1.5 "
	    "system-ui,sans-serif;color:#1f2937;"
	    "max-width:1120px;margin:0 auto;padding:28px}table{border-collapse:collapse;width:100%%}"
	    "th,td{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left}th{background:#f8fafc}"
	    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:8px 28px}"
	    ".chart svg{width:100%%;height:auto}</style></head><body><main>\n"
	    "<h1>Governance KPIs</h1><p>%s to %s, %zu events, computed from the audit trail's "
	    "timestamps (assay %s).</p>\n<table><tr><th>KPI</th><th>all tiers</th>",
	    s, u, s, u, r->nevents, r->version ? r->version : "");
	for (int t = 0; t < 4; t++)
		fprintf(out, "<th>%s</th>", TIER_NAMES[t]);
	fprintf(out, "</tr>\n");
	struct row all[NROWS], tr[4][NROWS];
	size_t n = rows(&r->all, all);
	for (int t = 0; t < 4; t++)
		rows(&r->tiers[t], tr[t]);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<tr><td>");
		rpt_put_xml(out, all[i].label);
		fprintf(out, "</td><td>");
		rpt_put_xml(out, all[i].v);
		for (int t = 0; t < 4; t++) {
			fprintf(out, "</td><td>");
			rpt_put_xml(out, tr[t][i].v);
		}
		fprintf(out, "</td></tr>\n");
	}
	fprintf(out, "</table>\n<h2>Trend by month</h2>\n<div class=\"charts\">\n");
	trend_chart(out, r, "Reviews decided", 0);
	trend_chart(out, r, "Median time to decision (hours)", 1);
	trend_chart(out, r, "Incidents opened", 2);
	trend_chart(out, r, "Findings raised", 3);
	fprintf(out, "</div>\n<footer><p>Formulas: docs/kpi.md. Schema of the JSON form: assay.kpi/1.</p>"
	             "</footer></main></body></html>\n");
	return ferror(out) ? -1 : 0;
}

int assay_kpi_render(const struct assay_kpi_report *r, const char *format, FILE *out, struct assay_error *err)
{
	int rc;
	if (!format || !strcmp(format, "text"))
		rc = render_text(r, out);
	else if (!strcmp(format, "md"))
		rc = render_md(r, out);
	else if (!strcmp(format, "html"))
		rc = render_html(r, out);
	else if (!strcmp(format, "json"))
		return render_json(r, out, err);
	else
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--format is text, json, md or html, not \"%s\"", format);
	return rc ? assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the KPI report") : 0;
}
