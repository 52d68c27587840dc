/* cmd_waiver.c: `assay waiver` (request, review, approve, reject, revoke,
 * list): parse, call lib/registry (assay/workflow_store.h), print. The
 * requester != approver rule is the library's (lib/registry/workflow.c). */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay waiver request F-31[,F-32] --compensating TEXT --residual-risk TEXT --expires DATE "
    "[--reason TEXT]\n"
    "       assay waiver review|approve|reject|revoke W-4 [--note TEXT]\n"
    "       assay waiver list [--system S]\n"
    "\n"
    "proposed -> under_review -> approved | rejected; approved is active at once and the covered\n"
    "findings are risk-accepted; on expiry (or revocation) they reopen and the gate sees them.\n"
    "The requester can never approve their own waiver. The expiry may not pass the tier's maximum\n"
    "waiver duration from the policy; extending means a new waiver.\n"
    "\n"
    "Examples:\n"
    "  assay waiver request F-31 --compensating \"manual review of declines\" \\\n"
    "        --residual-risk \"older applicants may see slower decisions\" --expires 2027-01-31\n"
    "  assay waiver approve W-4 --as risk-owner\n";

int cmd_waiver(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("waiver", USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	static const char *const SUBS[] = {"request", "review", "approve", "reject", "revoke", "list"};
	if (cli_subcommand("waiver", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int cmd = assay_wf_cmd_parse(ASSAY_WF_WAIVER, sub);
	int list = !strcmp(sub, "list");
	if (!list && o.npos != 1)
		return cli_usage_error("waiver", "%s",
		                       "name one waiver (W-4), or for request the findings (F-31,F-32)");
	struct wf_session ss;
	if ((rc = wf_open("waiver", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	if (!strcmp(sub, "request")) {
		struct assay_waiver_input in = {
		    .compensating = o.compensating, .residual_risk = o.residual_risk, .reason = o.reason};
		in.findings = cli_split(&ss.a, o.pos[0], &in.nfindings);
		rc = o.expires ? assay_wf_time_parse(o.expires, "--expires", &in.expires, &err) : 0;
		if (!rc)
			rc = assay_waiver_request(&ss.w, &in, &out, &err);
	} else if (list) {
		rc = assay_waiver_list(&ss.w, o.system, &out, &err);
	} else {
		rc = assay_waiver_do(&ss.w, o.pos[0], (enum assay_waiver_cmd)cmd, o.note, &out, &err);
	}
	return wf_finish(&ss, &o, "waiver", rc, out, &err);
}
