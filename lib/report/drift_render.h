/* drift_render.h: the drift renderers of lib/report (private to this
 * folder): one function per format, dispatched by assay_report_drift in
 * drift_text.c. They render struct assay_drift_report as given and compute
 * nothing.
 */
#ifndef ASSAY_REPORT_DRIFT_RENDER_H
#define ASSAY_REPORT_DRIFT_RENDER_H

#include <stdio.h>

#include "assay/drift.h"

const char *rpt_drift_status_name(enum assay_drift_status s);
int rpt_drift_json(const struct assay_drift_report *r, FILE *out, struct assay_error *err);
int rpt_drift_html(const struct assay_drift_report *r, FILE *out, struct assay_error *err);

#endif
