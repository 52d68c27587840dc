/* cmd_kpi.c: `assay kpi --since --until`: the governance KPIs computed from
 * the recorded history (docs/kpi.md); text, JSON assay.kpi/1, Markdown,
 * HTML with SVG trend charts. */
#include <stdio.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/clock.h"
#include "assay/kpi.h"
#include "assay/output.h"
#include "assay/version.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay kpi [--since DATE] [--until DATE] [--format text|json|md|html] [--out FILE]\n"
    "\n"
    "Governance KPIs over [since, until) (default: the 90 days up to now), for all tiers and per\n"
    "tier, from the registry's recorded timestamps: review throughput, time to triage and to\n"
    "decision (median, p90, share within SLA; time returned excluded), evidence completeness,\n"
    "high-risk launch compliance, open findings ageing by severity, exception rate, repeat\n"
    "finding rate, incidents per system per month, monitoring and evaluation automation\n"
    "coverage, and a monthly trend. Formulas: docs/kpi.md.\n"
    "\n"
    "Example:\n"
    "  assay kpi --since 2026-10-01 --format html --out kpi.html\n";

struct kctx {
	struct assay_kpi_report *r;
	const char *format;
};

static int render_kpi(void *ctx, FILE *f, struct assay_error *err)
{
	struct kctx *c = ctx;
	return assay_kpi_render(c->r, c->format, f, err);
}

int cmd_kpi(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("kpi", USAGE, argc, argv, 0, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.npos)
		return cli_usage_error("kpi", "unexpected argument \"%s\"", o.pos[0]);
	if (o.format && !strcmp(o.format, "junit"))
		return cli_usage_error("kpi", "%s", "--format is text, json, md or html");
	struct wf_session ss;
	if ((rc = wf_open("kpi", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	int64_t until = ss.w.now + 1, since = 0;
	if (o.until)
		rc = assay_wf_time_parse(o.until, "--until", &until, &err);
	since = until - 90 * 86400;
	if (!rc && o.since)
		rc = assay_wf_time_parse(o.since, "--since", &since, &err);
	struct assay_kpi_event *ev = NULL;
	size_t n = 0, nsla = 0;
	struct assay_kpi_sla sla[ASSAY_TIER_COUNT];
	if (!rc)
		rc = assay_kpi_events(&ss.w, &ev, &n, sla, &nsla, &err);
	struct assay_kpi_report rep = {.version = assay_version(), .generated = cli_timestamp(&ss.a)};
	char head[65] = "";
	if (!rc)
		rc = assay_audit_head(ss.s, &rep.audit_seq, head, &err);
	rep.audit_hash = head;
	if (!rc)
		rc = assay_kpi_report_build(ev, n, sla, nsla, since, until, &ss.a, &rep, &err);
	if (!rc) {
		struct kctx c = {&rep, o.format};
		rc = o.out ? assay_write_atomic(o.out, render_kpi, &c, &err) : render_kpi(&c, stdout, &err);
	}
	if (rc)
		return wf_close(&ss, wf_fail(&ss, &err));
	return wf_close(&ss, 0);
}
