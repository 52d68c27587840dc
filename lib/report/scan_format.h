/* scan_format.h: the scan renderers of lib/report (private to this folder),
 * one per file, dispatched by assay_report_scan() in scan_report.c. */
#ifndef ASSAY_REPORT_SCAN_FORMAT_H
#define ASSAY_REPORT_SCAN_FORMAT_H

#include <stdio.h>

#include "assay/scan_report.h"

int rpt_render_scan_text(const struct assay_scan_report *r, FILE *out, struct assay_error *err);
int rpt_render_scan_md(const struct assay_scan_report *r, FILE *out, struct assay_error *err);
int rpt_render_scan_json(const struct assay_scan_report *r, int sarif, FILE *out, struct assay_error *err);
int rpt_render_scan_html(const struct assay_scan_report *r, FILE *out, struct assay_error *err);
int rpt_render_scan_junit(const struct assay_scan_report *r, FILE *out, struct assay_error *err);

#endif
