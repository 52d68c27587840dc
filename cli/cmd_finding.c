/* cmd_finding.c: `assay finding` (add, list, show, start, resolve, verify,
 * close, reopen) and `assay waiver` (request, review, approve, reject,
 * revoke, list) and `assay incident` (open, contain, update, close, list):
 * parse, call lib/registry (assay/workflow_store.h), print. */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay finding add SYSTEM --severity low|medium|high|critical --control ID --title TEXT\n"
    "                 --owner WHO [--due DATE] [--root-cause TEXT] [--source review|monitoring|incident|audit|ci]\n"
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

static const char WUSAGE[] =
    "usage: assay waiver request F-31[,F-32] --compensating TEXT --residual-risk TEXT --expires DATE [--reason TEXT]\n"
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

static const char IUSAGE[] =
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

static int finish(struct wf_session *ss, const struct wf_opts *o, const char *cmd, int rc, json_t *out,
                  const struct assay_error *err)
{
	if (rc)
		return wf_close(ss, wf_fail(ss, err));
	rc = wf_close(ss, 0);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return wf_emit(o, cmd, out);
}

int cmd_finding(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("finding", USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	int cmd = assay_wf_cmd_parse(ASSAY_WF_FINDING, sub);
	int list = !strcmp(sub, "list");
	if (strcmp(sub, "add") && strcmp(sub, "show") && !list && (cmd < 0 || cmd == ASSAY_FC_ACCEPT))
		return cli_usage_error("finding", "unknown subcommand \"%s\"", sub);
	if (!list && o.npos != 1)
		return cli_usage_error("finding", "%s", "name one finding (F-31), or for add one system");
	struct wf_session ss;
	if ((rc = wf_open("finding", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	if (!strcmp(sub, "add")) {
		struct assay_finding_input in = {.system = o.pos[0], .source = o.source, .control = o.control,
		                                 .severity = o.severity, .title = o.title, .root_cause = o.root_cause,
		                                 .owner = o.owner};
		rc = o.due ? assay_wf_time_parse(o.due, "--due", &in.due, &err) : 0;
		if (!rc)
			rc = assay_finding_add(&ss.w, &in, &out, &err);
	} else if (list) {
		rc = assay_finding_list(&ss.w, o.system, o.state, &out, &err);
	} else if (!strcmp(sub, "show")) {
		rc = assay_finding_get(&ss.w, o.pos[0], &out, &err);
	} else {
		rc = assay_finding_do(&ss.w, o.pos[0], (enum assay_finding_cmd)cmd, o.evidence, o.note, &out, &err);
	}
	return finish(&ss, &o, "finding", rc, out, &err);
}

int cmd_waiver(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("waiver", WUSAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	int cmd = assay_wf_cmd_parse(ASSAY_WF_WAIVER, sub);
	int list = !strcmp(sub, "list");
	if (strcmp(sub, "request") && !list &&
	    (cmd < 0 || cmd == ASSAY_WC_ACTIVATE || cmd == ASSAY_WC_EXPIRE))
		return cli_usage_error("waiver", "unknown subcommand \"%s\"", sub);
	if (!list && o.npos != 1)
		return cli_usage_error("waiver", "%s", "name one waiver (W-4), or for request the findings (F-31,F-32)");
	struct wf_session ss;
	if ((rc = wf_open("waiver", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	if (!strcmp(sub, "request")) {
		struct assay_waiver_input in = {.compensating = o.compensating, .residual_risk = o.residual_risk,
		                                .reason = o.reason};
		in.findings = cli_split(&ss.a, o.pos[0], &in.nfindings);
		rc = o.expires ? assay_wf_time_parse(o.expires, "--expires", &in.expires, &err) : 0;
		if (!rc)
			rc = assay_waiver_request(&ss.w, &in, &out, &err);
	} else if (list) {
		rc = assay_waiver_list(&ss.w, o.system, &out, &err);
	} else {
		rc = assay_waiver_do(&ss.w, o.pos[0], (enum assay_waiver_cmd)cmd, o.note, &out, &err);
	}
	return finish(&ss, &o, "waiver", rc, out, &err);
}

int cmd_incident(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("incident", IUSAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	int list = !strcmp(sub, "list");
	if (strcmp(sub, "open") && strcmp(sub, "contain") && strcmp(sub, "update") && strcmp(sub, "close") && !list)
		return cli_usage_error("incident", "unknown subcommand \"%s\"", sub);
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
		rc = assay_incident_do(&ss.w, o.pos[0], sub, text, o.root_cause, o.followup ? &o.followup : NULL,
		                       o.followup ? 1 : 0, &out, &err);
	}
	return finish(&ss, &o, "incident", rc, out, &err);
}
