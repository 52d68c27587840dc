/* scan_text.c: the scan report for terminals (one line per finding, like a
 * compiler: file:line:column: ENTITY detector confidence value) and as
 * GitHub-flavoured Markdown (summary table, findings table, data columns).
 *
 * Strings from the input go through rpt_clean / rpt_put_md so a finding
 * can neither send escape sequences to a terminal nor break a table.
 */
#include <string.h>

#include "format.h"
#include "scan_format.h"

static void text_columns(const struct assay_scan_report *r, FILE *out, struct assay_arena *a)
{
	fprintf(out, "\n%llu rows; columns with findings (share of rows):\n", (unsigned long long)r->rows);
	int any = 0;
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_scan_column *c = &r->columns[i];
		if (!c->nentities)
			continue;
		any = 1;
		fprintf(out, "  %s:", rpt_clean(a, c->name));
		for (size_t k = 0; k < c->nentities; k++)
			fprintf(out, "%s %s %.1f%% (%llu)", k ? "," : "", c->entities[k].entity,
			        r->rows ? 100.0 * (double)c->entities[k].rows / (double)r->rows : 0.0,
			        (unsigned long long)c->entities[k].rows);
		fputc('\n', out);
	}
	if (!any)
		fputs("  none\n", out);
}

int rpt_render_scan_text(const struct assay_scan_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	for (size_t i = 0; i < r->nitems; i++) {
		const struct assay_scan_item *it = &r->items[i];
		fprintf(out, "%s:%llu:%llu: %s %s %.2f %s", rpt_clean(&a, it->file ? it->file : "-"),
		        (unsigned long long)it->line, (unsigned long long)it->column, it->entity,
		        it->detector, it->confidence, rpt_clean(&a, it->value ? it->value : ""));
		if (it->encoding)
			fprintf(out, " (in %s)", it->encoding);
		if (it->rules)
			fprintf(out, " [%s]", it->rules);
		fputc('\n', out);
	}
	if (r->items_dropped && strcmp(r->mode, "text") == 0)
		fprintf(out, "... and %llu more findings (raise --max-findings)\n",
		        (unsigned long long)r->items_dropped);
	if (strcmp(r->mode, "data") == 0)
		text_columns(r, out, &a);
	char b[32];
	fprintf(out, "%s%llu findings in %s", r->nitems || strcmp(r->mode, "data") == 0 ? "\n" : "",
	        (unsigned long long)(r->nitems + r->items_dropped), rpt_bytes(b, sizeof b, r->bytes));
	for (size_t i = 0; i < r->ncounts; i++)
		fprintf(out, "%s %s %llu", i ? "," : ":", r->counts[i].entity,
		        (unsigned long long)r->counts[i].findings);
	fputc('\n', out);
	if (strcmp(r->fail_on, "none") != 0)
		fprintf(out, "%s (--fail-on %s: %llu counted)\n", r->failing ? "FAIL" : "PASS", r->fail_on,
		        (unsigned long long)r->failing);
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

int rpt_render_scan_md(const struct assay_scan_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	char b[32];
	fprintf(out, "## assay scan: %llu findings\n\n", (unsigned long long)(r->nitems + r->items_dropped));
	fprintf(out, "%s scanned", rpt_bytes(b, sizeof b, r->bytes));
	for (size_t i = 0; i < r->ninputs; i++) {
		char sh[13];
		fprintf(out, "%s `", i ? "," : ":");
		rpt_put_md(out, rpt_basename(r->inputs[i].path));
		fprintf(out, "` (sha256 %s)", rpt_short_sha(sh, r->inputs[i].sha256));
	}
	fprintf(out, ". assay %s, min confidence %.2f, detectors: %s.\n\n", r->tool_version,
	        r->min_confidence, r->groups);
	if (strcmp(r->fail_on, "none") != 0)
		fprintf(out, "**%s**: %llu findings counted by `--fail-on %s`.\n\n",
		        r->failing ? "FAIL" : "PASS", (unsigned long long)r->failing, r->fail_on);
	if (r->ncounts) {
		fputs("| entity | findings |\n|---|---:|\n", out);
		for (size_t i = 0; i < r->ncounts; i++)
			fprintf(out, "| %s | %llu |\n", r->counts[i].entity,
			        (unsigned long long)r->counts[i].findings);
		fputc('\n', out);
	}
	if (strcmp(r->mode, "data") == 0) {
		fprintf(out, "| column | entity | rows | share |\n|---|---|---:|---:|\n");
		for (size_t i = 0; i < r->ncolumns; i++)
			for (size_t k = 0; k < r->columns[i].nentities; k++) {
				fputs("| ", out);
				rpt_put_md(out, r->columns[i].name);
				fprintf(out, " | %s | %llu | %.1f%% |\n", r->columns[i].entities[k].entity,
				        (unsigned long long)r->columns[i].entities[k].rows,
				        r->rows
				            ? 100.0 * (double)r->columns[i].entities[k].rows / (double)r->rows
				            : 0.0);
			}
		fputc('\n', out);
	}
	if (r->nitems) {
		fputs("| location | entity | detector | confidence | value |\n|---|---|---|---:|---|\n", out);
		for (size_t i = 0; i < r->nitems; i++) {
			const struct assay_scan_item *it = &r->items[i];
			fputs("| ", out);
			rpt_put_md_code(out, assay_arena_printf(&a, "%s:%llu:%llu", it->file ? it->file : "-",
			                                        (unsigned long long)it->line,
			                                        (unsigned long long)it->column));
			fprintf(out, " | %s | %s | %.2f | ", it->entity, it->detector, it->confidence);
			rpt_put_md_code(out, it->value ? it->value : "");
			fputs(" |\n", out);
		}
	}
	assay_arena_free(&a);
	return rpt_finish(out, err);
}
