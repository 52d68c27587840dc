/* svg.h: inline SVG charts for the HTML report (private to lib/report).
 * A chart is described by plain values; svg.c draws it. Knows nothing of
 * eval reports, so other reports (drift, profile) can reuse it.
 */
#ifndef ASSAY_REPORT_SVG_H
#define ASSAY_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "assay/eval.h"

struct rpt_bar {
	const char *label;        /* raw: escaped when drawn */
	const char *note;         /* small second line ("n<30, excluded"), or NULL */
	double value;             /* NaN: no bar, "—" */
	struct assay_interval ci; /* whisker; NaN: none */
	int muted;                /* drawn grey (small group) */
};

struct rpt_chart {
	const char *title;           /* also the accessible name */
	double lo, hi;               /* axis domain, lo < hi */
	double reference;            /* dashed vertical line, NaN: none */
	const char *reference_label; /* "overall 0.412" */
	double threshold;            /* solid vertical line, NaN: none */
	const char *threshold_label; /* "four-fifths 0.8" */
	size_t nbars;
	const struct rpt_bar *bars;
};

/* A horizontal bar chart: one row per bar, bar from 0 (or the axis
 * start) to the value, the interval as a whisker, the value and interval
 * as text on the right. Values outside [lo, hi] are clipped to the axis. */
void rpt_svg_bar_chart(FILE *out, const struct rpt_chart *c);

#endif
