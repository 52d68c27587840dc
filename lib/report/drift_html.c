/* drift_html.c: the drift report as one self-contained HTML page: the
 * verdict, a table of columns, and per compared column an inline SVG of
 * the reference and current histograms overlaid (shares per bin, reference
 * filled blue, current outlined orange; categories: the first 30). No
 * scripts, no network. Computes nothing beyond shares for drawing.
 */
#include <math.h>
#include <stdio.h>

#include "drift_render.h"
#include "format.h"

#define W       560
#define H       160
#define MAXBARS 30

static void put_num(FILE *out, double v)
{
	if (isnan(v))
		fprintf(out, "—");
	else
		fprintf(out, "%.4g", v);
}

static void histogram_svg(FILE *out, const struct assay_drift_column *d)
{
	const struct assay_bins *b = &d->hist;
	size_t n = b->n < MAXBARS ? b->n : MAXBARS;
	if (!n || !b->nref || !b->ncur)
		return;
	double top = 0;
	for (size_t i = 0; i < n; i++) {
		top = fmax(top, (double)b->ref[i] / (double)b->nref);
		top = fmax(top, (double)b->cur[i] / (double)b->ncur);
	}
	if (top <= 0)
		top = 1;
	double bw = (double)(W - 20) / (double)n;
	fprintf(out, "<svg role=\"img\" aria-label=\"reference and current distribution of ");
	rpt_put_xml(out, d->name);
	fprintf(out, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", W, H + 30, W, H + 30);
	for (size_t i = 0; i < n; i++) {
		double r = (double)b->ref[i] / (double)b->nref / top * H,
		       c = (double)b->cur[i] / (double)b->ncur / top * H;
		double x = 10 + (double)i * bw;
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4c78a8\" "
		        "fill-opacity=\"0.6\"><title>",
		        x + 1, H - r, bw - 2, r);
		if (b->name)
			rpt_put_xml(out, b->name[i]);
		else
			fprintf(out, "[%.4g, %.4g%s", b->lo[i], b->hi[i],
			        (i + 1 == b->n && b->last_closed) ? "]" : ")");
		fprintf(out, ": reference %llu, current %llu</title></rect>\n", (unsigned long long)b->ref[i],
		        (unsigned long long)b->cur[i]);
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
		        "stroke=\"#f58518\" "
		        "stroke-width=\"2\"/>\n",
		        x + 1, H - c, bw - 2, c);
	}
	fprintf(out, "<line x1=\"10\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", H, W - 10, H);
	if (b->name) {
		fprintf(out, "<text x=\"10\" y=\"%d\" font-size=\"11\">", H + 16);
		for (size_t i = 0; i < n && i < 8; i++) {
			fprintf(out, "%s", i ? " · " : "");
			rpt_put_xml(out, b->name[i]);
		}
		fprintf(out, "%s</text>\n", n > 8 ? " …" : "");
	} else {
		fprintf(out, "<text x=\"10\" y=\"%d\" font-size=\"11\">%.4g</text>", H + 16, b->lo[0]);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.4g</text>\n",
		        W - 10, H + 16, b->hi[b->n - 1]);
	}
	fprintf(out, "</svg>\n");
}

int rpt_drift_html(const struct assay_drift_report *r, FILE *out, struct assay_error *err)
{
	fprintf(
	    out,
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>assay drift</title>\n"
	    "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}"
	    "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid "
	    "#ddd;text-align:left}"
	    ".drift{color:#b00;font-weight:bold}.legend span{padding:0 6px}</style></head><body>\n");
	fprintf(out, "<h1>Drift report</h1>\n<p>Reference <code>");
	rpt_put_xml(out, r->ref.path);
	fprintf(out, "</code> (%llu rows, sha256 %.12s) vs current <code>", (unsigned long long)r->ref.rows,
	        r->ref.sha256);
	rpt_put_xml(out, r->cur.path);
	fprintf(out, "</code> (%llu rows, sha256 %.12s)%s.</p>\n", (unsigned long long)r->cur.rows,
	        r->cur.sha256, r->params.evidently ? ", Evidently 0.7 compatible" : "");
	fprintf(
	    out,
	    "<p class=\"%s\">%s: %zu of %zu columns drifted (share %.3g; dataset drift at &ge; %.3g)</p>\n",
	    assay_drift_detected(r) ? "drift" : "", assay_drift_detected(r) ? "Drift detected" : "No drift",
	    r->ndrifted, r->ncompared, r->share, r->params.drift_share);
	if (r->ninconclusive)
		fprintf(out,
		        "<p>%zu column(s) inconclusive: approximate (sketches past the profile cap), no "
		        "p-value reported as if exact (docs/drift.md).</p>\n",
		        r->ninconclusive);
	fprintf(out, "<table><tr><th>column</th><th>status</th><th>method</th><th title=\"p-value for ks, "
	             "chi2 and z (drift when below the threshold); the distance itself for the "
	             "others\">p-value or distance</th><th>threshold</th>"
	             "<th>PSI</th><th>JS</th><th>verdict</th></tr>\n");
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		fprintf(out, "<tr><td><a href=\"#c%zu\">", i);
		rpt_put_xml(out, d->name);
		fprintf(out, "</a></td><td>%s</td><td>%s</td><td>", rpt_drift_status_name(d->status),
		        d->status <= ASSAY_DRIFT_COMPARED || d->status == ASSAY_DRIFT_RETYPED
		            ? assay_drift_method_name(d->method)
		            : "");
		put_num(out, d->statistic);
		fprintf(out, "</td><td>");
		put_num(out, d->threshold);
		fprintf(out, "</td><td>");
		put_num(out, d->psi);
		fprintf(out, "</td><td>");
		put_num(out, d->js);
		fprintf(out, "</td><td class=\"%s\">%s%s</td></tr>\n", d->drifted ? "drift" : "",
		        d->drifted        ? "drift"
		        : d->inconclusive ? "inconclusive"
		                          : "ok",
		        d->approximate ? " (approximate)" : "");
	}
	fprintf(out,
	        "</table>\n<p class=\"legend\"><span style=\"background:#4c78a8;color:#fff\">reference</span>"
	        "<span style=\"border:2px solid #f58518\">current</span> shares per bin</p>\n");
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		if (!d->hist.n)
			continue;
		fprintf(out, "<h2 id=\"c%zu\">", i);
		rpt_put_xml(out, d->name);
		fprintf(out, "</h2>\n");
		if (d->note[0]) {
			fprintf(out, "<p>");
			rpt_put_xml(out, d->note);
			fprintf(out, "</p>\n");
		}
		histogram_svg(out, d);
	}
	fprintf(out, "</body></html>\n");
	return rpt_finish(out, err);
}
