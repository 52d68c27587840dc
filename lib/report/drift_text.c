/* drift_text.c: the drift report as text (terminals), Markdown (pull
 * requests) and JUnit XML (one test case per compared column, a failure
 * when it drifted; schema changes as test cases too), and the public
 * dispatch assay_report_drift. Numbers print with 4 significant digits
 * ("7.726e-06"), "—" when not computable. Computes nothing.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "assay/report.h"
#include "drift_render.h"
#include "format.h"

const char *rpt_drift_status_name(enum assay_drift_status s)
{
	static const char *const n[] = {"compared", "added", "removed", "retyped", "empty", "withheld"};
	return (unsigned)s < sizeof n / sizeof *n ? n[s] : "?";
}

static const char *num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "—");
	else
		snprintf(buf, size, "%.4g", v);
	return buf;
}

static const char *type_label(const struct assay_drift_column *d)
{
	if (d->status == ASSAY_DRIFT_RETYPED)
		return "retyped";
	return d->categorical ? "categorical" : "numeric";
}

static const char *verdict(const struct assay_drift_column *d)
{
	switch (d->status) {
	case ASSAY_DRIFT_ADDED:
		return "added";
	case ASSAY_DRIFT_REMOVED:
		return "removed";
	case ASSAY_DRIFT_EMPTY:
	case ASSAY_DRIFT_WITHHELD:
		return "not compared";
	default:
		return d->drifted ? "DRIFT" : d->inconclusive ? "inconclusive" : "ok";
	}
}

static void headline(const struct assay_drift_report *r, FILE *out, const char *bold)
{
	fprintf(out, "%s%s%s: %zu of %zu columns drifted (share %.3g, dataset drift at >= %.3g)", bold,
	        assay_drift_detected(r) ? "drift detected" : "no drift", bold, r->ndrifted, r->ncompared,
	        r->share, r->params.drift_share);
	if (r->ninconclusive)
		fprintf(out, "; %zu inconclusive (approximate: sketches past the profile cap)",
		        r->ninconclusive);
	if (r->label_drift >= 0)
		fprintf(out, "; label %s", r->label_drift ? "drifted" : "stable");
	if (r->pred_drift >= 0)
		fprintf(out, "; prediction %s", r->pred_drift ? "drifted" : "stable");
	fprintf(out, "\n");
}

static void category_notes(const struct assay_drift_report *r, FILE *out, int md)
{
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		for (int w = 0; w < 2; w++) {
			size_t n = w ? d->nvanished : d->nnew;
			char **v = w ? d->vanished_cat : d->new_cat;
			if (!n)
				continue;
			fprintf(out, "%s%s categories in %s:", md ? "- " : "  ", w ? "vanished" : "new",
			        d->name);
			for (size_t k = 0; k < n && k < ASSAY_DRIFT_MAX_NAMED; k++)
				fprintf(out, "%s \"%s\"", k ? "," : "", v[k]);
			if (n > ASSAY_DRIFT_MAX_NAMED)
				fprintf(out, " and %zu more", n - ASSAY_DRIFT_MAX_NAMED);
			fprintf(out, "\n");
		}
		if (d->note[0])
			fprintf(out, "%s%s: %s\n", md ? "- " : "  ", d->name, d->note);
	}
}

static int render_text(const struct assay_drift_report *r, FILE *out, struct assay_error *err)
{
	char a[32], b[32], c[32];
	fprintf(out, "assay drift: reference %s (%llu rows) vs current %s (%llu rows)%s\n",
	        r->ref.path ? r->ref.path : "?", (unsigned long long)r->ref.rows,
	        r->cur.path ? r->cur.path : "?", (unsigned long long)r->cur.rows,
	        r->params.evidently ? ", Evidently 0.7 compatible" : "");
	headline(r, out, "");
	fprintf(out, "\n%-24s %-12s %-12s %-11s %-10s %-9s %-9s %-9s %s\n", "column", "type", "method",
	        "p or dist.", "threshold", "psi", "js", "ks_d", "verdict");
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		char p[32], j[32], k[32];
		int cmp = d->status == ASSAY_DRIFT_COMPARED || d->status == ASSAY_DRIFT_RETYPED;
		/* padded by display width: "—" is one column but three bytes */
		const char *cells[] = {d->name,
		                       cmp ? type_label(d) : "",
		                       cmp ? assay_drift_method_name(d->method) : "",
		                       cmp ? num(a, sizeof a, d->statistic) : "",
		                       cmp ? num(b, sizeof b, d->threshold) : "",
		                       cmp ? num(p, sizeof p, d->psi) : "",
		                       cmp ? num(j, sizeof j, d->js) : "",
		                       cmp ? num(k, sizeof k, d->ks_d) : ""};
		static const size_t widths[] = {24, 12, 12, 11, 10, 9, 9, 9};
		for (size_t x = 0; x < sizeof cells / sizeof *cells; x++) {
			fputs(cells[x], out);
			for (size_t w = rpt_width(cells[x]); w < widths[x]; w++)
				fputc(' ', out);
			fputc(' ', out);
		}
		fprintf(out, "%s%s%s\n", verdict(d),
		        d->role == 1   ? " (label)"
		        : d->role == 2 ? " (prediction)"
		                       : "",
		        d->approximate ? " ~" : "");
	}
	(void)c;
	if (r->nadded || r->nremoved || r->nretyped)
		fprintf(out, "\nschema changes: %zu added, %zu removed, %zu retyped\n", r->nadded,
		        r->nremoved, r->nretyped);
	category_notes(r, out, 0);
	return rpt_finish(out, err);
}

static int render_md(const struct assay_drift_report *r, FILE *out, struct assay_error *err)
{
	char a[32], b[32], p[32], j[32];
	fprintf(out, "## assay drift\n\nReference `%s` (%llu rows) vs current `%s` (%llu rows)%s.\n\n",
	        rpt_basename(r->ref.path ? r->ref.path : "?"), (unsigned long long)r->ref.rows,
	        rpt_basename(r->cur.path ? r->cur.path : "?"), (unsigned long long)r->cur.rows,
	        r->params.evidently ? ", Evidently 0.7 compatible" : "");
	headline(r, out, "**");
	fprintf(out, "\n| column | type | method | statistic | threshold | PSI | JS | verdict |\n"
	             "|---|---|---|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		int cmp = d->status == ASSAY_DRIFT_COMPARED || d->status == ASSAY_DRIFT_RETYPED;
		fprintf(out, "| ");
		rpt_put_md(out, d->name);
		fprintf(out, " | %s | %s | %s | %s | %s | %s | %s%s |\n", cmp ? type_label(d) : "",
		        cmp ? assay_drift_method_name(d->method) : "",
		        cmp ? num(a, sizeof a, d->statistic) : "", cmp ? num(b, sizeof b, d->threshold) : "",
		        cmp ? num(p, sizeof p, d->psi) : "", cmp ? num(j, sizeof j, d->js) : "",
		        d->drifted ? "**DRIFT**" : verdict(d), d->approximate ? " (approximate)" : "");
	}
	fprintf(out, "\n");
	category_notes(r, out, 1);
	return rpt_finish(out, err);
}

static int render_junit(const struct assay_drift_report *r, FILE *out, struct assay_error *err)
{
	size_t tests = 0, failures = 0;
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		if (assay_drift_not_compared(d->status))
			continue;
		tests++;
		failures += d->drifted || d->status == ASSAY_DRIFT_ADDED || d->status == ASSAY_DRIFT_REMOVED;
	}
	fprintf(out,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"assay drift\" tests=\"%zu\" "
	        "failures=\"%zu\">\n  <testsuite name=\"drift\" tests=\"%zu\" failures=\"%zu\">\n",
	        tests, failures, tests, failures);
	char a[32], b[32];
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		if (assay_drift_not_compared(d->status))
			continue;
		fprintf(out, "    <testcase classname=\"drift\" name=\"");
		rpt_put_xml(out, d->name);
		fprintf(out, "\">");
		if (d->status == ASSAY_DRIFT_ADDED || d->status == ASSAY_DRIFT_REMOVED) {
			fprintf(out, "<failure message=\"column %s\"/>",
			        d->status == ASSAY_DRIFT_ADDED ? "added in the current data"
			                                       : "missing from the current data");
		} else if (d->inconclusive) {
			fprintf(out, "<skipped message=\"");
			rpt_put_xml(out, d->note);
			fprintf(out, "\"/>");
		} else if (d->drifted) {
			fprintf(out, "<failure message=\"%s %s %s threshold %s\"/>",
			        assay_drift_method_name(d->method), num(a, sizeof a, d->statistic),
			        assay_drift_method_is_test(d->method) ? "below" : "at or above",
			        num(b, sizeof b, d->threshold));
		} else {
			fprintf(out, "<system-out>%s %s, threshold %s</system-out>",
			        assay_drift_method_name(d->method), num(a, sizeof a, d->statistic),
			        num(b, sizeof b, d->threshold));
		}
		fprintf(out, "</testcase>\n");
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
	return rpt_finish(out, err);
}

int assay_report_drift(const struct assay_drift_report *r, int format, FILE *out, struct assay_error *err)
{
	if (!r || !out)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assay_report_drift: no report or no output");
	switch (format) {
	case ASSAY_REPORT_TEXT:
		return render_text(r, out, err);
	case ASSAY_REPORT_JSON:
		return rpt_drift_json(r, out, err);
	case ASSAY_REPORT_MD:
		return render_md(r, out, err);
	case ASSAY_REPORT_HTML:
		return rpt_drift_html(r, out, err);
	case ASSAY_REPORT_JUNIT:
		return render_junit(r, out, err);
	}
	return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "unknown report format %d", format);
}
