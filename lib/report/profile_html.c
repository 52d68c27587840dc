/* profile_html.c: a dataset profile as one self-contained HTML page (no
 * scripts, no external resources): the summary table, and per numeric
 * column a 24-bin histogram drawn as inline SVG over [min, max], from the
 * exact value map, or from the KLL sketch's rank function past the cap
 * (bin mass = n (rank(hi) - rank(lo)), so it is approximate there).
 *
 * Does not: compute statistics beyond the bin counts.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "assay/kll.h"
#include "assay/profile.h"
#include "format.h"

int rpt_profile_html(const struct assay_profile *p, FILE *out, struct assay_error *err);

#define BINS 24

static void histogram(const struct assay_column_profile *c, double bins[BINS])
{
	memset(bins, 0, BINS * sizeof *bins);
	double lo = c->min, hi = c->max, width = (hi - lo) / BINS;
	if (!(width > 0) || !isfinite(width)) {
		bins[BINS / 2] = (double)c->present;
		return;
	}
	if (c->exact) {
		for (size_t i = 0; i < c->num.n; i++) {
			int b = (int)((assay_numeric_map_value(&c->num, i) - lo) / width);
			b = b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
			bins[b] += (double)assay_numeric_map_count(&c->num, i);
		}
		return;
	}
	if (!c->kll)
		return;
	double prev = 0;
	for (int b = 0; b < BINS; b++) {
		double r = b == BINS - 1 ? 1 : assay_kll_rank(c->kll, lo + width * (b + 1));
		bins[b] = (r - prev) * (double)c->present;
		prev = r;
	}
}

static void sparkline(FILE *out, const struct assay_column_profile *c)
{
	double bins[BINS], top = 0;
	histogram(c, bins);
	for (int b = 0; b < BINS; b++)
		if (bins[b] > top)
			top = bins[b];
	fprintf(out, "<svg class=\"spark\" width=\"%d\" height=\"28\" viewBox=\"0 0 %d 28\" role=\"img\">",
	        BINS * 5, BINS * 5);
	for (int b = 0; b < BINS && top > 0; b++) {
		double h = 26.0 * bins[b] / top;
		if (bins[b] > 0 && h < 1)
			h = 1;
		fprintf(out, "<rect x=\"%d\" y=\"%.2f\" width=\"4\" height=\"%.2f\"/>", b * 5, 27 - h, h);
	}
	fputs("</svg>", out);
}

static void td_num(FILE *out, double v)
{
	char b[RPT_NUM_SIZE];
	fprintf(out, "<td class=\"n\">%s</td>", rpt_num_short(b, sizeof b, v));
}

int rpt_profile_html(const struct assay_profile *p, FILE *out, struct assay_error *err)
{
	char sha[13];
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Profile of ", out);
	rpt_put_xml(out, p->ninputs == 1 ? rpt_basename(p->source_path) : "merged inputs");
	fputs("</title>\n<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}"
	      "table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid "
	      "#ddd;text-align:left;"
	      "vertical-align:middle}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	      ".spark rect{fill:#4a7bb7}.muted{color:#777}</style></head><body>\n<h1>Profile of ",
	      out);
	rpt_put_xml(out, p->ninputs == 1 ? rpt_basename(p->source_path) : "merged inputs");
	fprintf(out, "</h1>\n<p>%llu rows, %zu columns", (unsigned long long)p->rows, p->ncolumns);
	if (p->ninputs == 1)
		fprintf(out, ", sha256 <code>%s</code>", rpt_short_sha(sha, p->sha256));
	fprintf(out, "; exact value maps up to %llu distinct values.</p>\n", (unsigned long long)p->cap);
	fputs("<table><thead><tr><th>column</th><th>type</th><th class=\"n\">present</th>"
	      "<th class=\"n\">missing</th><th class=\"n\">distinct</th><th class=\"n\">min</th>"
	      "<th class=\"n\">mean</th><th class=\"n\">std</th><th class=\"n\">max</th>"
	      "<th>distribution / top values</th></tr></thead><tbody>\n",
	      out);
	for (size_t i = 0; i < p->ncolumns; i++) {
		const struct assay_column_profile *c = &p->columns[i];
		fputs("<tr><td><code>", out);
		rpt_put_xml(out, c->name);
		fprintf(out, "</code></td><td>%s</td><td class=\"n\">%llu</td>",
		        assay_column_type_name(c->type), (unsigned long long)c->present);
		uint64_t miss = c->rows - c->present;
		if (c->rows)
			fprintf(out, "<td class=\"n\">%.1f%%</td>", 100.0 * (double)miss / (double)c->rows);
		else
			fputs("<td class=\"n\">—</td>", out);
		fprintf(out, "<td class=\"n\">%s%llu</td>", c->exact ? "" : "~",
		        (unsigned long long)c->distinct);
		td_num(out, c->min);
		td_num(out, assay_column_mean(c));
		td_num(out, assay_column_std(c));
		td_num(out, c->max);
		fputs("<td>", out);
		if (c->withheld) {
			fputs("<span class=\"muted\">values withheld (personal data)</span>", out);
		} else if (c->type == ASSAY_COL_NUMERIC) {
			sparkline(out, c);
		} else {
			for (size_t k = 0; k < c->ntop && k < 5; k++) {
				fputs(k ? ", " : "", out);
				rpt_put_xml(out, c->top_value[k]);
				fprintf(out, " <span class=\"muted\">%s%llu</span>", c->exact ? "" : "~",
				        (unsigned long long)c->top_count[k]);
			}
		}
		fputs("</td></tr>\n", out);
	}
	fprintf(out,
	        "</tbody></table>\n<p class=\"muted\">assay profile, schema %s. ~ marks estimates "
	        "(HyperLogLog, Misra-Gries, KLL) for columns past the cap.</p>\n</body></html>\n",
	        ASSAY_PROFILE_SCHEMA);
	return rpt_finish(out, err);
}
