/* cmd_finding.c: `assay finding` (add, list, show, start, resolve, verify,
 * close, reopen): parse, call lib/registry (assay/workflow_store.h), print. */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay finding add SYSTEM --severity low|medium|high|critical --control ID --title TEXT\n"
    "                 --owner WHO [--due DATE] [--root-cause TEXT] [--source "
    "review|monitoring|incident|audit|ci]\n"
    "       assay finding start|resolve|verify|reopen F-31 [--note TEXT]\n"
    "       assay finding close F-31 --evidence E-7|URL       closure evidence is required\n"
    "       assay finding list [--system S] [--state ST]\n"
    "       assay finding show F-31\n"
    "\n"
    "States: open, in_progress, resolved, verified, closed; risk_accepted only through an active\n"
    "waiver. A finding whose fingerprint (system + control + normalised root cause) matches an\n"
    "earlier resolved, verified or closed one is flagged as a repeat. Findings are never deleted.\n"
    "\n"
    "Examples:\n"
    "  assay finding add credit-scoring --severity high --control fairness-evaluation \\\n"
    "        --title \"FNR gap for applicants over 60\" --owner model-owner --due 2026-12-15\n"
    "  assay finding close F-31 --evidence E-12 --as rai-lead\n";

int cmd_finding(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("finding", USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	static const char *const SUBS[] = {"add",     "list",   "show",   "start",
	                                   "resolve", "verify", "reopen", "close"};
	if (cli_subcommand("finding", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int cmd = assay_wf_cmd_parse(ASSAY_WF_FINDING, sub);
	int list = !strcmp(sub, "list");
	if (!list && o.npos != 1)
		return cli_usage_error("finding", "%s", "name one finding (F-31), or for add one system");
	struct wf_session ss;
	if ((rc = wf_open("finding", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	if (!strcmp(sub, "add")) {
		struct assay_finding_input in = {.system = o.pos[0],
		                                 .source = o.source,
		                                 .control = o.control,
		                                 .severity = o.severity,
		                                 .title = o.title,
		                                 .root_cause = o.root_cause,
		                                 .owner = o.owner};
		rc = o.due ? assay_wf_time_parse(o.due, "--due", &in.due, &err) : 0;
		if (!rc)
			rc = assay_finding_add(&ss.w, &in, &out, &err);
	} else if (list) {
		rc = assay_finding_list(&ss.w, o.system, o.state, &out, &err);
	} else if (!strcmp(sub, "show")) {
		rc = assay_finding_get(&ss.w, o.pos[0], &out, &err);
	} else {
		rc = assay_finding_do(&ss.w, o.pos[0], (enum assay_finding_cmd)cmd, o.evidence, o.note, &out,
		                      &err);
	}
	return wf_finish(&ss, &o, "finding", rc, out, &err);
}
