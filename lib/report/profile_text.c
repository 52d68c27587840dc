/* profile_text.c: a dataset profile for people, as an aligned text table
 * (terminals) or a Markdown table, and assay_profile_render(), which picks
 * the format. One row per column: name, type, present, missing %,
 * distinct (~ when estimated by HyperLogLog), min, mean, max, and the most
 * frequent values of categorical columns.
 *
 * Numbers use lib/report's helpers (up to 6 significant digits, "—" for
 * none); user strings (column names, categories) are cleaned of control
 * characters and invalid UTF-8 before they reach a terminal.
 *
 * Does not: compute statistics (everything comes from the profile).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "assay/profile.h"
#include "format.h"

int rpt_profile_html(const struct assay_profile *p, FILE *out, struct assay_error *err);

#define NCOL      9
#define TOP_SHOWN 3

struct cells {
	char *c[NCOL];
};

static const char *const HEAD[NCOL] = {"column", "type", "present", "missing",   "distinct",
                                       "min",    "mean", "max",     "top values"};

static char *pct(struct assay_arena *a, uint64_t part, uint64_t whole)
{
	if (whole == 0)
		return assay_arena_strdup(a, "—");
	double v = 100.0 * (double)part / (double)whole;
	return assay_arena_printf(a, v > 0 && v < 0.1 ? "<0.1%%" : "%.1f%%", v);
}

static char *top_text(struct assay_arena *a, const struct assay_column_profile *c)
{
	if (c->withheld)
		return assay_arena_strdup(a, "(values withheld: personal data)");
	if (c->type != ASSAY_COL_CATEGORICAL || c->ntop == 0)
		return assay_arena_strdup(a, "");
	char *s = assay_arena_strdup(a, "");
	for (size_t i = 0; i < c->ntop && i < TOP_SHOWN; i++)
		s = assay_arena_printf(a, "%s%s%s %s%llu", s, i ? ", " : "", rpt_clean(a, c->top_value[i]),
		                       c->exact ? "" : "~", (unsigned long long)c->top_count[i]);
	if (c->ntop > TOP_SHOWN)
		s = assay_arena_printf(a, "%s, …", s);
	return s;
}

static void row_cells(struct assay_arena *a, const struct assay_column_profile *c, struct cells *r)
{
	char b[RPT_NUM_SIZE];
	uint64_t missing = c->rows - c->present;
	r->c[0] = rpt_clean(a, c->name);
	r->c[1] = assay_arena_strdup(a, assay_column_type_name(c->type));
	r->c[2] = assay_arena_printf(a, "%llu", (unsigned long long)c->present);
	r->c[3] = pct(a, missing, c->rows);
	r->c[4] = assay_arena_printf(a, "%s%llu", c->exact ? "" : "~", (unsigned long long)c->distinct);
	r->c[5] = assay_arena_strdup(a, rpt_num_short(b, sizeof b, c->min));
	r->c[6] = assay_arena_strdup(a, rpt_num_short(b, sizeof b, assay_column_mean(c)));
	r->c[7] = assay_arena_strdup(a, rpt_num_short(b, sizeof b, c->max));
	r->c[8] = top_text(a, c);
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

static int render_text(const struct assay_profile *p, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	char sha[13];
	fprintf(out, "profile of %s", p->ninputs == 1 ? rpt_clean(&a, p->source_path) : "");
	if (p->ninputs != 1)
		fprintf(out, "%zu merged inputs", p->ninputs);
	else
		fprintf(out, " (sha256 %s)", rpt_short_sha(sha, p->sha256));
	fprintf(out, ": %llu rows, %zu columns\n\n", (unsigned long long)p->rows, p->ncolumns);
	struct cells *rows = assay_arena_calloc(&a, p->ncolumns + 1, sizeof *rows);
	size_t w[NCOL];
	for (int k = 0; k < NCOL; k++)
		w[k] = rpt_width(HEAD[k]);
	for (size_t i = 0; i < p->ncolumns; i++) {
		row_cells(&a, &p->columns[i], &rows[i]);
		for (int k = 0; k < NCOL; k++)
			if (rpt_width(rows[i].c[k]) > w[k])
				w[k] = rpt_width(rows[i].c[k]);
	}
	for (int k = 0; k < NCOL; k++) {
		int right = k >= 2 && k <= 7;
		size_t pw = w[k] - rpt_width(HEAD[k]);
		if (right)
			pad(out, pw);
		fputs(HEAD[k], out);
		if (k + 1 < NCOL)
			pad(out, (right ? 0 : pw) + 2);
	}
	fputc('\n', out);
	for (size_t i = 0; i < p->ncolumns; i++) {
		for (int k = 0; k < NCOL; k++) {
			int right = k >= 2 && k <= 7;
			size_t pw = w[k] - rpt_width(rows[i].c[k]);
			if (right)
				pad(out, pw);
			fputs(rows[i].c[k], out);
			if (k + 1 < NCOL)
				pad(out, (right ? 0 : pw) + 2);
		}
		fputc('\n', out);
	}
	int any_sketch = 0;
	for (size_t i = 0; i < p->ncolumns; i++)
		any_sketch |= !p->columns[i].exact;
	if (any_sketch)
		fprintf(out,
		        "\n~ estimated: the column has more than %llu distinct values (HyperLogLog for "
		        "distinct, Misra-Gries for top values; docs/profiles.md)\n",
		        (unsigned long long)p->cap);
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

static int render_md(const struct assay_profile *p, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	char sha[13];
	fputs("# Profile of ", out);
	if (p->ninputs == 1)
		rpt_put_md(out, rpt_basename(p->source_path));
	else
		fprintf(out, "%zu merged inputs", p->ninputs);
	fprintf(out, "\n\n%llu rows, %zu columns", (unsigned long long)p->rows, p->ncolumns);
	if (p->ninputs == 1)
		fprintf(out, ", sha256 `%s`", rpt_short_sha(sha, p->sha256));
	fputs(".\n\n|", out);
	for (int k = 0; k < NCOL; k++)
		fprintf(out, " %s |", HEAD[k]);
	fputs("\n|", out);
	for (int k = 0; k < NCOL; k++)
		fputs(k >= 2 && k <= 7 ? " ---: |" : " --- |", out);
	fputc('\n', out);
	for (size_t i = 0; i < p->ncolumns; i++) {
		struct cells r;
		row_cells(&a, &p->columns[i], &r);
		fputc('|', out);
		for (int k = 0; k < NCOL; k++) {
			fputc(' ', out);
			if (k == 0)
				rpt_put_md_code(out, p->columns[i].name);
			else
				rpt_put_md(out, r.c[k]);
			fputs(" |", out);
		}
		fputc('\n', out);
	}
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

int assay_profile_render(const struct assay_profile *p, const char *format, FILE *out,
                         struct assay_error *err)
{
	if (!format || strcmp(format, "text") == 0)
		return render_text(p, out, err);
	if (strcmp(format, "md") == 0)
		return render_md(p, out, err);
	if (strcmp(format, "html") == 0)
		return rpt_profile_html(p, out, err);
	if (strcmp(format, "json") == 0)
		return assay_profile_write_json(p, out, err);
	return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
	                       "unknown profile format \"%s\" (text, md, html, json)", format);
}
