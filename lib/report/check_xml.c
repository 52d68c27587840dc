/* check_xml.c: the `assay check` report as HTML (one self-contained page:
 * inline CSS, no scripts, no network) and as JUnit XML (one test case per
 * expectation, for CI test reporters).
 *
 *   <testsuites> <testsuite name="assay check" tests failures errors="0">
 *     <properties> tool version, dataset, inputs with sha256 </properties>
 *     <testcase classname="assay.check.<dataset>" name="<expectation>"
 *               file="contract.yaml" line="7"> per expectation,
 *       <failure message="observed" type="fail"> expected, failing rows </failure>
 *     <system-out> the plain-text summary.
 *
 * Every string goes through rpt_put_xml (escapes, and characters XML 1.0
 * cannot carry replaced). No "time" attribute: a clock would break
 * byte-identical output. A failed expectation is a <failure>, never an
 * <error>: errors are exit statuses of the front end.
 */
#include <string.h>

#include "check_format.h"
#include "format.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	rpt_put_xml(out, value);
	fputc('"', out);
}

int chk_render_junit(const struct assay_check_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	const char *cls = assay_arena_printf(&a, "assay.check.%s", r->dataset ? r->dataset : "data");
	/* dots inside the dataset name would split the class: use '_' */
	for (char *p = (char *)cls + strlen("assay.check."); *p; p++)
		if (*p == '.')
			*p = '_';
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", r->nresults, r->nfailed);
	fputs("  <testsuite", out);
	attr(out, "name", "assay check");
	fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", r->nresults,
	        r->nfailed);
	fputs("    <properties>\n", out);
	fputs("      <property name=\"tool.version\"", out);
	attr(out, "value", r->tool_version);
	fputs("/>\n", out);
	if (r->dataset) {
		fputs("      <property name=\"dataset\"", out);
		attr(out, "value", r->dataset);
		fputs("/>\n", out);
	}
	for (size_t i = 0; i < r->ninputs; i++) {
		fprintf(out, "      <property name=\"input.%s\"", r->inputs[i].role);
		attr(out, "value",
		     assay_arena_printf(&a, "%s sha256:%s", r->inputs[i].path, r->inputs[i].sha256));
		fputs("/>\n", out);
	}
	fputs("    </properties>\n", out);
	const char *file = chk_expect_path(r);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct assay_expect_result *x = &r->results[i];
		fputs("    <testcase", out);
		attr(out, "classname", cls);
		attr(out, "name", x->name);
		if (file) {
			attr(out, "file", file);
			fprintf(out, " line=\"%llu\"", (unsigned long long)x->line);
		}
		if (x->passed) {
			fputs("/>\n", out);
			continue;
		}
		fputs(">\n      <failure", out);
		attr(out, "message", x->observed);
		attr(out, "type", "fail");
		fputs(">", out);
		rpt_put_xml(
		    out, assay_arena_printf(&a, "expected: %s\nobserved: %s\n", x->expectation, x->observed));
		if (x->nexamples)
			rpt_put_xml(out, assay_arena_printf(&a, "rows: %s\n", chk_examples_text(&a, x)));
		rpt_put_xml(out, assay_arena_printf(&a, "at: %s\n", chk_location(&a, r, x)));
		fputs("</failure>\n    </testcase>\n", out);
	}
	fputs("    <system-out>", out);
	rpt_put_xml(out, assay_arena_printf(&a, "%s -> %s", chk_tally(&a, r), r->passed ? "PASS" : "FAIL"));
	fputs("</system-out>\n  </testsuite>\n</testsuites>\n", out);
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

static const char CSS[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}"
    "table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.35em .6em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;"
    "font-variant-numeric:tabular-nums}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;"
    "font-weight:600}code{font-size:.95em}.meta{color:#555}.ex{font-size:.9em;color:#444}";

int chk_render_html(const struct assay_check_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	char sha[13], bytes[32];
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>assay check", out);
	if (r->dataset) {
		fputs(": ", out);
		rpt_put_xml(out, r->dataset);
	}
	fprintf(out, "</title>\n<style>%s</style></head><body>\n<h1>Data quality: ", CSS);
	rpt_put_xml(out, r->dataset ? r->dataset : "dataset");
	fprintf(out, "</h1>\n<p><span class=\"%s\">%s</span> — ", r->passed ? "pass" : "fail",
	        r->passed ? "PASS" : "FAIL");
	rpt_put_xml(out, chk_tally(&a, r));
	fputs("</p>\n<ul class=\"meta\">\n", out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_check_input *in = &r->inputs[i];
		fprintf(out, "<li>%s: <code>", in->role);
		rpt_put_xml(out, in->path);
		fprintf(out, "</code> (sha256 <code>%s</code>", rpt_short_sha(sha, in->sha256));
		if (in->role[0] == 'd')
			fprintf(out, ", %llu rows", (unsigned long long)in->rows);
		fprintf(out, ", %s)</li>\n", rpt_bytes(bytes, sizeof bytes, in->bytes));
	}
	if (r->nsensitive) {
		fputs("<li>sensitive, values never shown: ", out);
		for (size_t i = 0; i < r->nsensitive; i++) {
			fputs(i ? ", <code>" : "<code>", out);
			rpt_put_xml(out, r->sensitive[i]);
			fputs("</code>", out);
		}
		fputs("</li>\n", out);
	}
	fprintf(out, "<li>tool: assay %s", r->tool_version ? r->tool_version : "");
	if (r->generated_at)
		fprintf(out, ", %s", r->generated_at);
	fputs("</li>\n</ul>\n<table>\n<thead><tr><th></th><th>Expectation</th><th>Expected</th><th>Observed</"
	      "th>"
	      "<th>Rows checked</th><th>Failing</th><th>First failing rows</th></tr></thead>\n<tbody>\n",
	      out);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct assay_expect_result *x = &r->results[i];
		fprintf(out, "<tr><td class=\"%s\">%s</td><td><code>", x->passed ? "pass" : "fail",
		        x->passed ? "PASS" : "FAIL");
		rpt_put_xml(out, x->name);
		fputs("</code></td><td>", out);
		rpt_put_xml(out, x->expectation);
		fputs("</td><td>", out);
		rpt_put_xml(out, x->observed);
		fprintf(out, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"ex\">",
		        (unsigned long long)x->rows_checked, (unsigned long long)x->rows_failing);
		rpt_put_xml(out, chk_examples_text(&a, x));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n</body></html>\n", out);
	assay_arena_free(&a);
	return rpt_finish(out, err);
}
