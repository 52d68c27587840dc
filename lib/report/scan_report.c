/* scan_report.c: format names and the dispatch of scan renderers. */
#include <string.h>

#include "scan_format.h"

static const char *const NAMES[] = {"text", "json", "md", "html", "junit", "sarif"};

int assay_scan_format_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
		if (strcmp(NAMES[i], name) == 0)
			return (int)i;
	return -1;
}

int assay_report_scan(const struct assay_scan_report *r, enum assay_scan_format format, FILE *out,
                      struct assay_error *err)
{
	switch (format) {
	case ASSAY_SCAN_TEXT:
		return rpt_render_scan_text(r, out, err);
	case ASSAY_SCAN_JSON:
		return rpt_render_scan_json(r, 0, out, err);
	case ASSAY_SCAN_SARIF:
		return rpt_render_scan_json(r, 1, out, err);
	case ASSAY_SCAN_MD:
		return rpt_render_scan_md(r, out, err);
	case ASSAY_SCAN_HTML:
		return rpt_render_scan_html(r, out, err);
	case ASSAY_SCAN_JUNIT:
		return rpt_render_scan_junit(r, out, err);
	}
	return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "unknown scan report format %d",
	                       (int)format);
}
