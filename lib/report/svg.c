/* svg.c: horizontal bar charts as inline SVG (svg.h), for the HTML report.
 *
 * Geometry is in a fixed 560-unit-wide viewBox that the page scales: a
 * label column on the left (labels longer than LABEL_CHARS are cut with
 * "…", the full text stays in a <title> tooltip), the plot, and the value
 * with its interval as text on the right, so the number never depends on
 * reading a bar. Colours are a blue/orange pair that stays distinct under
 * the common colour-vision deficiencies; muted bars are grey and carry a
 * text note as well.
 *
 * It deliberately draws no legends, animations or scripts, and takes no
 * CSS from the page: presentation attributes only, so the SVG also stands
 * alone when copied out of the report.
 */
#include <math.h>

#include "format.h"
#include "svg.h"

#define WIDTH       560.0
#define LABEL_W     150.0 /* label column */
#define PLOT_X0     158.0
#define PLOT_X1     392.0
#define VALUE_X     400.0 /* value text, left-aligned */
#define TOP         38.0  /* title and reference labels */
#define ROW_H       32.0
#define BAR_H       14.0
#define BOTTOM      26.0 /* axis tick labels */
#define LABEL_CHARS 20

#define C_BAR       "#4e79a7"
#define C_MUTED     "#c3c8cf"
#define C_WHISKER   "#1f2937"
#define C_REF       "#c4640a"
#define C_THRESHOLD "#b42318"
#define C_GRID      "#e5e7eb"
#define C_TEXT      "#1f2937"
#define C_SUBTLE    "#6b7280"

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double xs(const struct rpt_chart *c, double v)
{
	return PLOT_X0 + (clamp(v, c->lo, c->hi) - c->lo) / (c->hi - c->lo) * (PLOT_X1 - PLOT_X0);
}

static void text(FILE *out, double x, double y, const char *anchor, const char *fill, double size,
                 const char *weight, const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" font-size=\"%.0f\"", x, y,
	        anchor, fill, size);
	if (weight)
		fprintf(out, " font-weight=\"%s\"", weight);
	fputc('>', out);
	rpt_put_xml(out, s);
	fputs("</text>\n", out);
}

static void line(FILE *out, double x1, double y1, double x2, double y2, const char *stroke, double width,
                 const char *dash)
{
	fprintf(out,
	        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"",
	        x1, y1, x2, y2, stroke, width);
	if (dash)
		fprintf(out, " stroke-dasharray=\"%s\"", dash);
	fputs("/>\n", out);
}

/* The label, cut to LABEL_CHARS code points with an ellipsis. */
static void label(FILE *out, double x, double y, const char *fill, const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\" font-size=\"13\">", x, y,
	        fill);
	if (rpt_width(s) <= LABEL_CHARS) {
		rpt_put_xml(out, s);
	} else {
		fputs("<title>", out);
		rpt_put_xml(out, s);
		fputs("</title>", out);
		char cut[LABEL_CHARS * 4 + 1];
		size_t o = 0, n = 0;
		uint32_t cp;
		while (*s && n < LABEL_CHARS - 1) {
			size_t len = rpt_utf8_next(s, &cp);
			for (size_t i = 0; i < len; i++)
				cut[o++] = s[i];
			s += len;
			n++;
		}
		cut[o] = '\0';
		rpt_put_xml(out, cut);
		fputs("…", out);
	}
	fputs("</text>\n", out);
}

static void axis(FILE *out, const struct rpt_chart *c, double plot_bottom)
{
	for (int i = 0; i <= 4; i++) {
		double v = c->lo + (c->hi - c->lo) * i / 4.0;
		double x = xs(c, v);
		char buf[32];
		line(out, x, TOP - 4, x, plot_bottom, C_GRID, 1, NULL);
		snprintf(buf, sizeof buf, "%.3g", fabs(v) < 1e-12 ? 0.0 : v);
		text(out, x, plot_bottom + 16, "middle", C_SUBTLE, 11, NULL, buf);
	}
}

static void marker(FILE *out, const struct rpt_chart *c, double v, const char *lbl, const char *color,
                   const char *dash, double plot_bottom, int above)
{
	if (isnan(v) || v < c->lo || v > c->hi)
		return;
	double x = xs(c, v);
	line(out, x, TOP - 4, x, plot_bottom, color, 1.5, dash);
	if (lbl) {
		/* keep the text inside the plot: anchor it away from the edges */
		const char *anchor = x > (PLOT_X0 + PLOT_X1) / 2 ? "end" : "start";
		double tx = anchor[0] == 'e' ? x - 3 : x + 3;
		text(out, tx, above ? TOP - 19 : TOP - 7, anchor, color, 11, NULL, lbl);
	}
}

static void bar(FILE *out, const struct rpt_chart *c, const struct rpt_bar *b, double y)
{
	double mid = y + ROW_H / 2;
	const char *fill = b->muted ? C_MUTED : C_BAR;
	const char *tfill = b->muted ? C_SUBTLE : C_TEXT;
	label(out, LABEL_W, b->note ? mid - 1 : mid + 4, tfill, b->label ? b->label : "");
	if (b->note)
		text(out, LABEL_W, mid + 12, "end", C_SUBTLE, 11, NULL, b->note);
	char buf[RPT_NUM_SIZE];
	if (!isnan(b->value)) {
		double base = xs(c, 0), x = xs(c, b->value);
		double x0 = x < base ? x : base, w = fabs(x - base);
		fprintf(out,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" rx=\"2\">"
		        "<title>",
		        x0, mid - BAR_H / 2, w < 0.5 ? 0.5 : w, BAR_H, fill);
		rpt_put_xml(out, b->label);
		fputs(": ", out);
		rpt_put_xml(out, rpt_num_ci(buf, sizeof buf, b->value, b->ci));
		fputs("</title></rect>\n", out);
		if (rpt_has_ci(b->ci)) {
			double l = xs(c, b->ci.lo), h = xs(c, b->ci.hi);
			const char *wc = b->muted ? C_SUBTLE : C_WHISKER;
			line(out, l, mid, h, mid, wc, 1.5, NULL);
			line(out, l, mid - 5, l, mid + 5, wc, 1.5, NULL);
			line(out, h, mid - 5, h, mid + 5, wc, 1.5, NULL);
		}
	}
	text(out, VALUE_X, mid + 4, "start", tfill, 12, NULL, rpt_num_ci(buf, sizeof buf, b->value, b->ci));
}

void rpt_svg_bar_chart(FILE *out, const struct rpt_chart *c)
{
	double plot_bottom = TOP + ROW_H * (double)c->nbars;
	double height = plot_bottom + BOTTOM;
	fprintf(out,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	        "height=\"%.0f\" role=\"img\" aria-label=\"",
	        WIDTH, height, WIDTH, height);
	rpt_put_xml(out, c->title);
	fputs("\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">\n<title>", out);
	rpt_put_xml(out, c->title);
	fputs("</title>\n", out);
	text(out, 0, 14, "start", C_TEXT, 14, "600", c->title);
	axis(out, c, plot_bottom);
	line(out, xs(c, clamp(0, c->lo, c->hi)), TOP - 4, xs(c, clamp(0, c->lo, c->hi)), plot_bottom,
	     C_SUBTLE, 1, NULL);
	for (size_t i = 0; i < c->nbars; i++)
		bar(out, c, &c->bars[i], TOP + ROW_H * (double)i);
	/* markers last, so they stay visible over the bars */
	int both = !isnan(c->reference) && !isnan(c->threshold);
	marker(out, c, c->reference, c->reference_label, C_REF, "5 3", plot_bottom, 0);
	marker(out, c, c->threshold, c->threshold_label, C_THRESHOLD, NULL, plot_bottom, both);
	fputs("</svg>\n", out);
}
