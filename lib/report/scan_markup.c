/* scan_markup.c: the scan report as a self-contained HTML page (inline
 * CSS, no scripts, no network) and as JUnit XML (one test case per input
 * file; it fails when the file has findings that --fail-on counts).
 *
 * Every string goes through rpt_put_xml. No timestamps beyond the
 * report's generated_at, so the same inputs give the same bytes.
 */
#include <string.h>

#include "format.h"
#include "scan_format.h"

static const char CSS[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left}th{background:#f4f4f4}code{font-family:ui-monospace,monospace}"
    ".fail{color:#b00;font-weight:bold}.pass{color:#070;font-weight:bold}";

int rpt_render_scan_html(const struct assay_scan_report *r, FILE *out, struct assay_error *err)
{
	char b[32];
	fprintf(out,
	        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>assay scan</title>"
	        "<style>%s</style></head><body>\n",
	        CSS);
	fprintf(out, "<h1>assay scan: %llu findings</h1>\n<p>%s scanned; assay ",
	        (unsigned long long)(r->nitems + r->items_dropped), rpt_bytes(b, sizeof b, r->bytes));
	rpt_put_xml(out, r->tool_version);
	fprintf(out, "; min confidence %.2f; detectors ", r->min_confidence);
	rpt_put_xml(out, r->groups);
	fputs("; generated ", out);
	rpt_put_xml(out, r->generated_at);
	fputs(".</p>\n<table><tr><th>input</th><th>sha256</th><th>bytes</th></tr>\n", out);
	for (size_t i = 0; i < r->ninputs; i++) {
		fputs("<tr><td>", out);
		rpt_put_xml(out, r->inputs[i].path);
		fprintf(out, "</td><td><code>%s</code></td><td>%llu</td></tr>\n", r->inputs[i].sha256,
		        (unsigned long long)r->inputs[i].bytes);
	}
	fputs("</table>\n", out);
	if (strcmp(r->fail_on, "none") != 0) {
		fprintf(out, "<p class=\"%s\">%s: %llu findings counted by --fail-on ",
		        r->failing ? "fail" : "pass", r->failing ? "FAIL" : "PASS",
		        (unsigned long long)r->failing);
		rpt_put_xml(out, r->fail_on);
		fputs("</p>\n", out);
	}
	if (strcmp(r->mode, "data") == 0) {
		fprintf(out,
		        "<h2>Columns (%llu rows)</h2>\n<table><tr><th>column</th><th>entity</th><th>rows</th>"
		        "<th>share</th></tr>\n",
		        (unsigned long long)r->rows);
		for (size_t i = 0; i < r->ncolumns; i++)
			for (size_t k = 0; k < r->columns[i].nentities; k++) {
				fputs("<tr><td>", out);
				rpt_put_xml(out, r->columns[i].name);
				fprintf(out, "</td><td>%s</td><td>%llu</td><td>%.1f%%</td></tr>\n",
				        r->columns[i].entities[k].entity,
				        (unsigned long long)r->columns[i].entities[k].rows,
				        r->rows
				            ? 100.0 * (double)r->columns[i].entities[k].rows / (double)r->rows
				            : 0.0);
			}
		fputs("</table>\n", out);
	}
	fputs("<h2>Findings</h2>\n<table><tr><th>file</th><th>line:col</th><th>entity</th><th>detector</th>"
	      "<th>confidence</th><th>value</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct assay_scan_item *it = &r->items[i];
		fputs("<tr><td>", out);
		rpt_put_xml(out, it->file ? it->file : "-");
		fprintf(out, "</td><td>%llu:%llu</td><td>%s</td><td>", (unsigned long long)it->line,
		        (unsigned long long)it->column, it->entity);
		rpt_put_xml(out, it->detector);
		fprintf(out, "</td><td>%.2f</td><td><code>", it->confidence);
		rpt_put_xml(out, it->value ? it->value : "");
		fputs("</code></td></tr>\n", out);
	}
	fputs("</table>\n</body></html>\n", out);
	return rpt_finish(out, err);
}

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	rpt_put_xml(out, value);
	fputc('"', out);
}

int rpt_render_scan_junit(const struct assay_scan_report *r, FILE *out, struct assay_error *err)
{
	size_t nfail = 0;
	for (size_t i = 0; i < r->ninputs; i++) {
		int f = 0;
		for (size_t k = 0; k < r->nitems && !f; k++)
			f = r->items[k].counts && r->items[k].file &&
			    strcmp(r->items[k].file, r->inputs[i].path) == 0;
		nfail += f;
	}
	fprintf(
	    out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"assay scan\" tests=\"%zu\" "
	    "failures=\"%zu\">\n<testsuite name=\"assay scan\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
	    "skipped=\"0\">\n<properties>\n",
	    r->ninputs, nfail, r->ninputs, nfail);
	fputs("<property", out);
	attr(out, "name", "tool_version");
	attr(out, "value", r->tool_version);
	fputs("/>\n<property", out);
	attr(out, "name", "fail_on");
	attr(out, "value", r->fail_on);
	fputs("/>\n", out);
	for (size_t i = 0; i < r->ninputs; i++) {
		fputs("<property", out);
		attr(out, "name", r->inputs[i].path);
		attr(out, "value", r->inputs[i].sha256);
		fputs("/>\n", out);
	}
	fputs("</properties>\n", out);
	for (size_t i = 0; i < r->ninputs; i++) {
		fputs("<testcase classname=\"assay.scan\"", out);
		attr(out, "name", r->inputs[i].path);
		fputs(">\n", out);
		size_t n = 0;
		for (size_t k = 0; k < r->nitems; k++)
			n += r->items[k].counts && r->items[k].file &&
			     strcmp(r->items[k].file, r->inputs[i].path) == 0;
		if (n) {
			fprintf(out,
			        "<failure message=\"%zu findings counted by --fail-on\" type=\"findings\">",
			        n);
			for (size_t k = 0; k < r->nitems; k++) {
				const struct assay_scan_item *it = &r->items[k];
				if (!it->counts || !it->file || strcmp(it->file, r->inputs[i].path) != 0)
					continue;
				fprintf(out, "%llu:%llu: %s %s %.2f ", (unsigned long long)it->line,
				        (unsigned long long)it->column, it->entity, it->detector,
				        it->confidence);
				rpt_put_xml(out, it->value ? it->value : "");
				fputc('\n', out);
			}
			fputs("</failure>\n", out);
		}
		fputs("</testcase>\n", out);
	}
	fputs("</testsuite>\n</testsuites>\n", out);
	return rpt_finish(out, err);
}
