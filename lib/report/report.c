/* report.c: the public entry of the eval renderers (assay/report.h):
 * format names and the dispatch to one renderer per format.
 *
 * It checks that the report's indices are in range before any renderer
 * follows them, and deliberately does not write files: the caller passes
 * a FILE (assay_write_atomic in assay/output.h makes it atomic).
 */
#include <string.h>

#include "format.h"

static const char *const format_names[] = {
    [ASSAY_REPORT_TEXT] = "text", [ASSAY_REPORT_JSON] = "json",   [ASSAY_REPORT_MD] = "md",
    [ASSAY_REPORT_HTML] = "html", [ASSAY_REPORT_JUNIT] = "junit",
};

#define NFORMATS (sizeof format_names / sizeof *format_names)

int assay_report_format_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < NFORMATS; i++)
		if (strcmp(name, format_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "markdown") == 0)
		return ASSAY_REPORT_MD;
	return -1;
}

const char *assay_report_format_name(enum assay_report_format f)
{
	return (unsigned)f < NFORMATS ? format_names[f] : "?";
}

int assay_report_eval(const struct assay_eval_report *r, enum assay_report_format format,
                      const struct assay_render_opts *opts, FILE *out, struct assay_error *err)
{
	static const struct assay_render_opts defaults = {0, 0, 0};
	if (!r || !out)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assay_report_eval: no report or no output");
	int rc = rpt_validate(r, err);
	if (rc)
		return rc;
	if (!opts)
		opts = &defaults;
	switch (format) {
	case ASSAY_REPORT_TEXT:
		return rpt_render_text(r, opts, out, err);
	case ASSAY_REPORT_JSON:
		return rpt_render_json(r, out, err);
	case ASSAY_REPORT_MD:
		return rpt_render_md(r, out, err);
	case ASSAY_REPORT_HTML:
		return rpt_render_html(r, out, err);
	case ASSAY_REPORT_JUNIT:
		return rpt_render_junit(r, out, err);
	}
	assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "unknown report format %d", (int)format);
	assay_error_hint(err, "use one of: text, json, md, html, junit");
	return ASSAY_EUSAGE;
}
