/* cmd_incident.c: `assay incident` (open, contain, update, close, list):
 * parse, call lib/registry (assay/workflow_store.h), print. */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay incident open SYSTEM --severity sev1..sev4 --summary TEXT [--affected TEXT]\n"
    "                 [--source monitoring|user-report|audit|...] [--detected TIME]\n"
    "       assay incident contain I-3 --action rollback|fallback_model|stricter_filter|throttling|TEXT\n"
    "       assay incident update I-3 --note TEXT\n"
    "       assay incident close I-3 --root-cause TEXT [--follow-up TEXT]\n"
    "       assay incident list [--system S]\n"
    "\n"
    "Opening an incident makes the system need re-review (`assay review needs SYSTEM`).\n"
    "A follow-up becomes a finding (source incident) linked to the incident.\n"
    "\n"
    "Example:\n"
    "  assay incident open credit-scoring --severity sev2 --summary \"declines spiked for over-60s\"\n";

int cmd_incident(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("incident", USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	static const char *const SUBS[] = {"open", "contain", "update", "close", "list"};
	if (cli_subcommand("incident", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int list = !strcmp(sub, "list");
	if (!list && o.npos != 1)
		return cli_usage_error("incident", "%s", "name one incident (I-3), or for open one system");
	struct wf_session ss;
	if ((rc = wf_open("incident", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	if (!strcmp(sub, "open")) {
		struct assay_incident_input in = {o.pos[0], o.severity, o.summary, o.affected, o.source, 0};
		rc = o.detected ? assay_wf_time_parse(o.detected, "--detected", &in.detected_at, &err) : 0;
		if (!rc)
			rc = assay_incident_open(&ss.w, &in, &out, &err);
	} else if (list) {
		rc = assay_incident_list(&ss.w, o.system, &out, &err);
	} else {
		const char *text = !strcmp(sub, "contain") ? o.action : o.note;
		rc = assay_incident_do(&ss.w, o.pos[0], sub, text, o.root_cause,
		                       o.followup ? &o.followup : NULL, o.followup ? 1 : 0, &out, &err);
	}
	return wf_finish(&ss, &o, "incident", rc, out, &err);
}
