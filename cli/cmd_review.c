/* cmd_review.c: `assay review` (open, submit, triage, assign, return,
 * resubmit, signoff, decide, withdraw, list, show, needs) and `assay role`
 * (grant, revoke, list). Parses, calls lib/registry (assay/workflow_store.h),
 * prints. The rules (who may do what when) are the table in workflow.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/workflow.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay review open SYSTEM --release R [--summary TEXT] [--draft]\n"
    "       assay review submit|return|resubmit|withdraw|signoff R-12 [--note TEXT]\n"
    "       assay review triage R-12 [--assign A,B]     tier and controls frozen for this review\n"
    "       assay review assign R-12 --assign A,B\n"
    "       assay review decide R-12 --outcome approved|conditional|denied --rationale-file memo.md\n"
    "                 [--condition TEXT]... [--owner WHO] [--due DATE] [--valid-until DATE]\n"
    "       assay review list [--system S] [--state ST] [--overdue]\n"
    "       assay review show R-12\n"
    "       assay review needs SYSTEM                     why the system needs (re-)review now\n"
    "\n"
    "States: draft, submitted, triage, in_review, returned (the SLA clock pauses), decided,\n"
    "withdrawn, superseded, expired. An illegal command is refused with the allowed ones.\n"
    "The requester never signs off or decides their own review; high-tier decisions need the\n"
    "policy's sign-off roles (granted with `assay role grant`). Conditions become findings.\n"
    "\n"
    "Common: --db FILE ($ASSAY_DB), --as ACTOR ($ASSAY_USER), --policy DIR ($ASSAY_POLICY),\n"
    "        --format text|json|md, --out FILE. Times: ASSAY_NOW pins the clock.\n"
    "\n"
    "Examples:\n"
    "  assay review open credit-scoring --release 2.3 --summary \"new income features\"\n"
    "  assay review triage R-12 --assign ml-reviewer,legal-reviewer --as rai-lead\n"
    "  assay review decide R-12 --outcome conditional --condition \"ship age-band monitor\" \\\n"
    "        --owner model-owner --due 2026-12-20 --rationale-file memo.md --as ml-reviewer\n"
    "  assay review list --overdue\n";

static const char ROLE_USAGE[] =
    "usage: assay role grant ACTOR ROLE | assay role revoke ACTOR ROLE | assay role list\n"
    "\n"
    "Roles are names: `specialist` triages, assigns, returns, decides and verifies; `risk-owner`\n"
    "approves waivers; any other name (legal, security, ...) counts towards the sign-off roles\n"
    "a policy requires at a tier. Grants and revocations are audited.\n"
    "\n"
    "Examples:\n"
    "  assay role grant rai-lead specialist\n"
    "  assay role grant dana legal\n";

static int read_file(const char *path, struct assay_arena *a, const char **out, struct assay_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot read the rationale file");
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	int big = !feof(f);
	fclose(f);
	if (big)
		return assay_error_set(err, ASSAY_EINPUT, path, 0, 0, "a rationale is at most 64 KiB");
	buf[n] = '\0';
	*out = assay_arena_strdup(a, buf);
	return 0;
}

int cmd_review(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("review", USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	static const char *const SUBS[] = {"open",    "submit", "triage",   "assign", "return", "resubmit",
	                                   "signoff", "decide", "withdraw", "list",   "show",   "needs"};
	if (cli_subcommand("review", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int needs_ref = strcmp(sub, "list") != 0;
	if (needs_ref && o.npos != 1)
		return cli_usage_error("review", "%s",
		                       "name one review (R-12) or, for open/needs, one system");
	struct wf_session ss;
	if ((rc = wf_open("review", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	size_t n = 0;
	const char **list = o.assign ? cli_split(&ss.a, o.assign, &n) : NULL;
	if (!strcmp(sub, "open")) {
		rc = assay_review_open(&ss.w, o.pos[0], o.release, o.summary, o.draft, &out, &err);
	} else if (!strcmp(sub, "triage")) {
		rc = assay_review_triage(&ss.w, o.pos[0], list, n, &out, &err);
	} else if (!strcmp(sub, "assign")) {
		rc = assay_review_assign(&ss.w, o.pos[0], list, n, &out, &err);
	} else if (!strcmp(sub, "decide")) {
		struct assay_decision_input in = {
		    .outcome = o.outcome, .rationale = o.rationale, .rationale_file = o.rationale_file};
		struct assay_condition conds[32];
		int64_t due = 0;
		if (o.rationale_file)
			rc = read_file(o.rationale_file, &ss.a, &in.rationale, &err);
		if (!rc && o.due)
			rc = assay_wf_time_parse(o.due, "--due", &due, &err);
		if (!rc && o.valid_until)
			rc = assay_wf_time_parse(o.valid_until, "--valid-until", &in.valid_until, &err);
		for (size_t i = 0; i < o.nconditions; i++)
			conds[i] = (struct assay_condition){o.conditions[i], o.owner, due, o.severity};
		in.conditions = conds;
		in.nconditions = o.nconditions;
		if (!rc)
			rc = assay_review_decide(&ss.w, o.pos[0], &in, &out, &err);
	} else if (!strcmp(sub, "list")) {
		struct assay_review_filter f = {o.system, o.state, o.overdue};
		rc = assay_review_list(&ss.w, &f, &out, &err);
	} else if (!strcmp(sub, "show")) {
		rc = assay_review_get(&ss.w, o.pos[0], &out, &err);
	} else if (!strcmp(sub, "needs")) {
		rc = assay_rereview_status(&ss.w, o.pos[0], &out, &err);
	} else {
		int cmd = assay_wf_cmd_parse(ASSAY_WF_REVIEW, sub);
		rc = assay_review_do(&ss.w, o.pos[0], (enum assay_review_cmd)cmd, o.note, &out, &err);
	}
	if (rc)
		return wf_close(&ss, wf_fail(&ss, &err));
	rc = wf_close(&ss, 0);
	if (!strcmp(sub, "needs") && !rc && (!o.format || !strcmp(o.format, "text"))) {
		size_t i;
		json_t *x;
		json_array_foreach(out, i, x)
		    printf("re-review required: %s: %s\n", json_string_value(json_object_get(x, "trigger")),
		           json_string_value(json_object_get(x, "message")));
		if (!json_array_size(out))
			printf("the decision in force stands: no re-review trigger fired\n");
		int any = json_array_size(out) > 0;
		json_decref(out);
		return any ? 1 : 0;
	}
	return rc ? rc : wf_emit(&o, "review", out);
}

int cmd_role(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("role", ROLE_USAGE, argc, argv, 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *sub = argv[1];
	static const char *const SUBS[] = {"grant", "revoke", "list"};
	if (cli_subcommand("role", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int list = !strcmp(sub, "list");
	if (!list && o.npos != 2)
		return cli_usage_error("role", "%s", "grant and revoke take ACTOR ROLE");
	struct wf_session ss;
	if ((rc = wf_open("role", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	rc = list                    ? assay_role_list(&ss.w, &out, &err)
	     : !strcmp(sub, "grant") ? assay_role_grant(&ss.w, o.pos[0], o.pos[1], &err)
	                             : assay_role_revoke(&ss.w, o.pos[0], o.pos[1], &err);
	if (rc)
		return wf_close(&ss, wf_fail(&ss, &err));
	rc = wf_close(&ss, 0);
	if (rc || !list) {
		if (!rc)
			printf("%s %s %s\n", o.pos[0],
			       !strcmp(sub, "grant") ? "now holds" : "no longer holds", o.pos[1]);
		return rc;
	}
	return wf_emit(&o, "role", out);
}
