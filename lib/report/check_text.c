/* check_text.c: the `assay check` report for terminals and for Markdown
 * (pull-request comments), the helpers every check format shares, and
 * the dispatch by format.
 *
 * Text: a header (dataset, inputs with short sha256), one line per
 * expectation with PASS/FAIL in words (colour only when asked), under a
 * failure what was expected, the first failing rows by file line with
 * their values, and where the expectation is written; the verdict last,
 * where CI logs that truncate still show it. Markdown: the same as a
 * table. User strings go through rpt_clean / rpt_put_md, so a value
 * cannot send escape sequences or break a table.
 *
 * It deliberately prints no value of a sensitive column: the report
 * struct does not carry them, and the text says they are hidden.
 */
#include <string.h>
#include <time.h>

#include "assay/report.h"
#include "check_format.h"
#include "format.h"

#define ANSI_RESET "\033[0m"
#define ANSI_RED   "\033[31m"
#define ANSI_GREEN "\033[32m"

const char *chk_now_text(const struct assay_check_params *p, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!p->has_now)
		return buf;
	time_t t = (time_t)p->now;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *chk_examples_text(struct assay_arena *a, const struct assay_expect_result *x)
{
	if (!x->nexamples)
		return "";
	const char *s = "";
	for (size_t i = 0; i < x->nexamples; i++) {
		const struct assay_expect_example *e = &x->examples[i];
		if (!x->sensitive && e->value)
			s = assay_arena_printf(a, "%s%sline %llu (%s)", s, i ? ", " : "",
			                       (unsigned long long)e->line, e->value);
		else
			s = assay_arena_printf(a, "%s%sline %llu", s, i ? ", " : "",
			                       (unsigned long long)e->line);
	}
	if (x->sensitive)
		s = assay_arena_printf(a, "%s (values hidden: sensitive column)", s);
	return s;
}

const char *chk_expect_path(const struct assay_check_report *r)
{
	for (size_t i = 0; i < r->ninputs; i++)
		if (r->inputs[i].role && strcmp(r->inputs[i].role, "expectations") == 0)
			return r->inputs[i].path;
	return NULL;
}

const char *chk_location(struct assay_arena *a, const struct assay_check_report *r,
                         const struct assay_expect_result *x)
{
	const char *p = chk_expect_path(r);
	return assay_arena_printf(a, "%s:%llu:%llu", p ? p : "expectations", (unsigned long long)x->line,
	                          (unsigned long long)x->col);
}

const char *chk_tally(struct assay_arena *a, const struct assay_check_report *r)
{
	return assay_arena_printf(a, "%zu expectation%s: %zu passed, %zu failed", r->nresults,
	                          r->nresults == 1 ? "" : "s", r->npassed, r->nfailed);
}

static void header(FILE *out, struct assay_arena *a, const struct assay_check_report *r)
{
	char sha[13], bytes[32];
	fprintf(out, "assay check %s", r->tool_version ? r->tool_version : "");
	if (r->dataset)
		fprintf(out, " — dataset %s", rpt_clean(a, r->dataset));
	fputc('\n', out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_check_input *in = &r->inputs[i];
		fprintf(out, "  %-13s %s  (sha256 %s", in->role, rpt_clean(a, in->path),
		        rpt_short_sha(sha, in->sha256));
		if (in->role[0] == 'd')
			fprintf(out, ", %llu rows", (unsigned long long)in->rows);
		fprintf(out, ", %s)\n", rpt_bytes(bytes, sizeof bytes, in->bytes));
	}
	if (r->nsensitive) {
		fputs("  sensitive     ", out);
		for (size_t i = 0; i < r->nsensitive; i++)
			fprintf(out, "%s%s", i ? ", " : "", rpt_clean(a, r->sensitive[i]));
		fputs(" (values never shown)\n", out);
	}
	fputc('\n', out);
}

int chk_render_text(const struct assay_check_report *r, const struct assay_check_render_opts *o, FILE *out,
                    struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	if (!o->brief)
		header(out, &a, r);
	size_t w = 0;
	for (size_t i = 0; i < r->nresults; i++) {
		size_t n = rpt_width(rpt_clean(&a, r->results[i].name));
		w = n > w ? n : w;
	}
	w = w > 60 ? 60 : w;
	for (size_t i = 0; i < r->nresults; i++) {
		const struct assay_expect_result *x = &r->results[i];
		if (o->brief && x->passed)
			continue;
		const char *word = x->passed ? "PASS" : "FAIL";
		if (o->color)
			fprintf(out, "%s%s%s", x->passed ? ANSI_GREEN : ANSI_RED, word, ANSI_RESET);
		else
			fputs(word, out);
		const char *name = rpt_clean(&a, x->name);
		size_t nw = rpt_width(name);
		fprintf(out, "  %s%*s  %s\n", name, (int)(nw < w ? w - nw : 0), "",
		        rpt_clean(&a, x->observed));
		if (x->passed)
			continue;
		fprintf(out, "      expected  %s\n", rpt_clean(&a, x->expectation));
		if (x->nexamples)
			fprintf(out, "      rows      %s\n", rpt_clean(&a, chk_examples_text(&a, x)));
		fprintf(out, "      at        %s\n", rpt_clean(&a, chk_location(&a, r, x)));
	}
	if (r->nresults)
		fputc('\n', out);
	fprintf(out, "%s -> %s\n", chk_tally(&a, r), r->passed ? "PASS" : "FAIL");
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

int chk_render_md(const struct assay_check_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	char sha[13];
	fputs("## assay check", out);
	if (r->dataset) {
		fputs(": ", out);
		rpt_put_md(out, r->dataset);
	}
	fprintf(out, "\n\n**%s** — %s\n\n", r->passed ? "PASS" : "FAIL", chk_tally(&a, r));
	for (size_t i = 0; i < r->ninputs; i++) {
		fprintf(out, "- %s: `", r->inputs[i].role);
		rpt_put_md(out, rpt_basename(r->inputs[i].path));
		fprintf(out, "` (sha256 `%s`", rpt_short_sha(sha, r->inputs[i].sha256));
		if (r->inputs[i].role[0] == 'd')
			fprintf(out, ", %llu rows", (unsigned long long)r->inputs[i].rows);
		fputs(")\n", out);
	}
	if (r->nsensitive) {
		fputs("- sensitive (values never shown): ", out);
		for (size_t i = 0; i < r->nsensitive; i++) {
			fputs(i ? ", " : "", out);
			rpt_put_md_code(out, r->sensitive[i]);
		}
		fputc('\n', out);
	}
	fputs("\n| | Expectation | Observed | Failing rows | Examples |\n|---|---|---|---:|---|\n", out);
	for (size_t i = 0; i < r->nresults; i++) {
		const struct assay_expect_result *x = &r->results[i];
		fprintf(out, "| %s | ", x->passed ? "✅" : "❌");
		rpt_put_md_code(out, x->name);
		fputs(" | ", out);
		rpt_put_md(out, x->observed);
		fprintf(out, " | %llu | ", (unsigned long long)x->rows_failing);
		rpt_put_md(out, chk_examples_text(&a, x));
		fputs(" |\n", out);
	}
	assay_arena_free(&a);
	return rpt_finish(out, err);
}

int assay_report_check(const struct assay_check_report *r, int fmt, const struct assay_check_render_opts *o,
                       FILE *out, struct assay_error *err)
{
	struct assay_check_render_opts none = {0, 0};
	switch (fmt) {
	case ASSAY_REPORT_TEXT:
		return chk_render_text(r, o ? o : &none, out, err);
	case ASSAY_REPORT_JSON:
		return chk_render_json(r, out, err);
	case ASSAY_REPORT_MD:
		return chk_render_md(r, out, err);
	case ASSAY_REPORT_HTML:
		return chk_render_html(r, out, err);
	case ASSAY_REPORT_JUNIT:
		return chk_render_junit(r, out, err);
	default:
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "unknown report format %d", fmt);
	}
}
