/* workflow.c: the three state machines of the Responsible AI workflow
 * (reviews, waivers, findings), each ONE table of rows (state, command,
 * roles -> next state), and the function that applies a command.
 *
 * The states and transitions are those of issue 6 ("Reviews", "Findings",
 * "Waivers"). What the table deliberately does not decide: conditions on
 * data (closure evidence present, sign-off roles complete, expiry within
 * the tier maximum) are checked by the commands in *_store.c, after the
 * table allowed the move. docs/workflow.md prints these tables.
 */
#include <stdio.h>
#include <string.h>

#include "assay/workflow.h"

#define REQ  ASSAY_WF_REQUESTER
#define SPEC ASSAY_WF_SPECIALIST
#define REV  ASSAY_WF_REVIEWER
#define RISK ASSAY_WF_RISK_OWNER
#define OWN  ASSAY_WF_OWNER
#define SYS  ASSAY_WF_SYSTEM

static const struct assay_wf_transition REVIEW_TABLE[] = {
    {ASSAY_RS_DRAFT, ASSAY_RC_SUBMIT, REQ, 0, ASSAY_RS_SUBMITTED},
    {ASSAY_RS_DRAFT, ASSAY_RC_WITHDRAW, REQ | SPEC, 0, ASSAY_RS_WITHDRAWN},
    {ASSAY_RS_SUBMITTED, ASSAY_RC_TRIAGE, SPEC, 0, ASSAY_RS_TRIAGE},
    {ASSAY_RS_SUBMITTED, ASSAY_RC_WITHDRAW, REQ | SPEC, 0, ASSAY_RS_WITHDRAWN},
    {ASSAY_RS_TRIAGE, ASSAY_RC_ASSIGN, SPEC, 0, ASSAY_RS_IN_REVIEW},
    {ASSAY_RS_TRIAGE, ASSAY_RC_RETURN, SPEC, 0, ASSAY_RS_RETURNED},
    {ASSAY_RS_TRIAGE, ASSAY_RC_WITHDRAW, REQ | SPEC, 0, ASSAY_RS_WITHDRAWN},
    {ASSAY_RS_IN_REVIEW, ASSAY_RC_RETURN, SPEC | REV, 0, ASSAY_RS_RETURNED},
    {ASSAY_RS_IN_REVIEW, ASSAY_RC_SIGNOFF, SPEC | REV, 1, ASSAY_RS_IN_REVIEW},
    {ASSAY_RS_IN_REVIEW, ASSAY_RC_DECIDE, SPEC | REV, 1, ASSAY_RS_DECIDED},
    {ASSAY_RS_IN_REVIEW, ASSAY_RC_WITHDRAW, REQ | SPEC, 0, ASSAY_RS_WITHDRAWN},
    {ASSAY_RS_RETURNED, ASSAY_RC_RESUBMIT, REQ, 0, ASSAY_RS_IN_REVIEW},
    {ASSAY_RS_RETURNED, ASSAY_RC_WITHDRAW, REQ | SPEC, 0, ASSAY_RS_WITHDRAWN},
    {ASSAY_RS_DECIDED, ASSAY_RC_SUPERSEDE, SYS, 0, ASSAY_RS_SUPERSEDED},
    {ASSAY_RS_DECIDED, ASSAY_RC_EXPIRE, SYS, 0, ASSAY_RS_EXPIRED},
};

static const struct assay_wf_transition WAIVER_TABLE[] = {
    {ASSAY_WS_PROPOSED, ASSAY_WC_REVIEW, SPEC | RISK, 1, ASSAY_WS_UNDER_REVIEW},
    {ASSAY_WS_PROPOSED, ASSAY_WC_APPROVE, SPEC | RISK, 1, ASSAY_WS_APPROVED},
    {ASSAY_WS_PROPOSED, ASSAY_WC_REJECT, SPEC | RISK, 1, ASSAY_WS_REJECTED},
    {ASSAY_WS_UNDER_REVIEW, ASSAY_WC_APPROVE, SPEC | RISK, 1, ASSAY_WS_APPROVED},
    {ASSAY_WS_UNDER_REVIEW, ASSAY_WC_REJECT, SPEC | RISK, 1, ASSAY_WS_REJECTED},
    {ASSAY_WS_APPROVED, ASSAY_WC_ACTIVATE, SYS, 0, ASSAY_WS_ACTIVE},
    {ASSAY_WS_APPROVED, ASSAY_WC_EXPIRE, SYS, 0, ASSAY_WS_EXPIRED},
    {ASSAY_WS_APPROVED, ASSAY_WC_REVOKE, SPEC | RISK, 0, ASSAY_WS_REVOKED},
    {ASSAY_WS_ACTIVE, ASSAY_WC_EXPIRE, SYS, 0, ASSAY_WS_EXPIRED},
    {ASSAY_WS_ACTIVE, ASSAY_WC_REVOKE, SPEC | RISK, 0, ASSAY_WS_REVOKED},
};

static const struct assay_wf_transition FINDING_TABLE[] = {
    {ASSAY_FS_OPEN, ASSAY_FC_START, OWN | SPEC, 0, ASSAY_FS_IN_PROGRESS},
    {ASSAY_FS_OPEN, ASSAY_FC_RESOLVE, OWN | SPEC, 0, ASSAY_FS_RESOLVED},
    {ASSAY_FS_OPEN, ASSAY_FC_ACCEPT, SYS, 0, ASSAY_FS_RISK_ACCEPTED},
    {ASSAY_FS_IN_PROGRESS, ASSAY_FC_RESOLVE, OWN | SPEC, 0, ASSAY_FS_RESOLVED},
    {ASSAY_FS_IN_PROGRESS, ASSAY_FC_ACCEPT, SYS, 0, ASSAY_FS_RISK_ACCEPTED},
    {ASSAY_FS_RESOLVED, ASSAY_FC_VERIFY, SPEC | REV, 0, ASSAY_FS_VERIFIED},
    {ASSAY_FS_RESOLVED, ASSAY_FC_REOPEN, SPEC | REV, 0, ASSAY_FS_OPEN},
    {ASSAY_FS_RESOLVED, ASSAY_FC_CLOSE, SPEC, 0, ASSAY_FS_CLOSED},
    {ASSAY_FS_VERIFIED, ASSAY_FC_CLOSE, SPEC | OWN, 0, ASSAY_FS_CLOSED},
    {ASSAY_FS_VERIFIED, ASSAY_FC_REOPEN, SPEC | REV, 0, ASSAY_FS_OPEN},
    {ASSAY_FS_RISK_ACCEPTED, ASSAY_FC_REOPEN, SYS, 0, ASSAY_FS_OPEN},
};

#undef REQ
#undef SPEC
#undef REV
#undef RISK
#undef OWN
#undef SYS

static const char *const REVIEW_STATES[] = {"draft",   "submitted", "triage",     "in_review", "returned",
                                            "decided", "withdrawn", "superseded", "expired"};
static const char *const REVIEW_CMDS[] = {"submit",  "triage", "assign",   "return",    "resubmit",
                                          "signoff", "decide", "withdraw", "supersede", "expire"};
static const char *const WAIVER_STATES[] = {"proposed", "under_review", "approved", "rejected",
                                            "active",   "expired",      "revoked"};
static const char *const WAIVER_CMDS[] = {"review", "approve", "reject", "activate", "expire", "revoke"};
static const char *const FINDING_STATES[] = {"open",     "in_progress", "resolved",
                                             "verified", "closed",      "risk_accepted"};
static const char *const FINDING_CMDS[] = {"start", "resolve", "verify", "close", "reopen", "accept"};

_Static_assert(sizeof REVIEW_STATES / sizeof *REVIEW_STATES == ASSAY_RS_COUNT, "review state names");
_Static_assert(sizeof REVIEW_CMDS / sizeof *REVIEW_CMDS == ASSAY_RC_COUNT, "review command names");
_Static_assert(sizeof WAIVER_STATES / sizeof *WAIVER_STATES == ASSAY_WS_COUNT, "waiver state names");
_Static_assert(sizeof WAIVER_CMDS / sizeof *WAIVER_CMDS == ASSAY_WC_COUNT, "waiver command names");
_Static_assert(sizeof FINDING_STATES / sizeof *FINDING_STATES == ASSAY_FS_COUNT, "finding state names");
_Static_assert(sizeof FINDING_CMDS / sizeof *FINDING_CMDS == ASSAY_FC_COUNT, "finding command names");

struct machine {
	const char *name;
	const struct assay_wf_transition *rows;
	size_t nrows;
	const char *const *states;
	int nstates;
	const char *const *cmds;
	int ncmds;
};

#define N(a) (sizeof a / sizeof *a)
static const struct machine MACHINES[] = {
    {"review", REVIEW_TABLE, N(REVIEW_TABLE), REVIEW_STATES, ASSAY_RS_COUNT, REVIEW_CMDS, ASSAY_RC_COUNT},
    {"waiver", WAIVER_TABLE, N(WAIVER_TABLE), WAIVER_STATES, ASSAY_WS_COUNT, WAIVER_CMDS, ASSAY_WC_COUNT},
    {"finding", FINDING_TABLE, N(FINDING_TABLE), FINDING_STATES, ASSAY_FS_COUNT, FINDING_CMDS,
     ASSAY_FC_COUNT},
};
#undef N

static const struct machine *machine(enum assay_wf_machine m)
{
	return (unsigned)m < sizeof MACHINES / sizeof *MACHINES ? &MACHINES[m] : NULL;
}

const struct assay_wf_transition *assay_wf_table(enum assay_wf_machine m, size_t *n)
{
	const struct machine *mc = machine(m);
	*n = mc ? mc->nrows : 0;
	return mc ? mc->rows : NULL;
}

const char *assay_wf_state_name(enum assay_wf_machine m, int state)
{
	const struct machine *mc = machine(m);
	return mc && state >= 0 && state < mc->nstates ? mc->states[state] : NULL;
}

const char *assay_wf_cmd_name(enum assay_wf_machine m, int cmd)
{
	const struct machine *mc = machine(m);
	return mc && cmd >= 0 && cmd < mc->ncmds ? mc->cmds[cmd] : NULL;
}

int assay_wf_state_parse(enum assay_wf_machine m, const char *name)
{
	const struct machine *mc = machine(m);
	for (int i = 0; mc && name && i < mc->nstates; i++)
		if (strcmp(mc->states[i], name) == 0)
			return i;
	return -1;
}

int assay_wf_cmd_parse(enum assay_wf_machine m, const char *name)
{
	const struct machine *mc = machine(m);
	for (int i = 0; mc && name && i < mc->ncmds; i++)
		if (strcmp(mc->cmds[i], name) == 0)
			return i;
	return -1;
}

void assay_wf_roles_name(unsigned roles, char *buf, size_t size)
{
	static const char *const names[] = {"requester",  "specialist", "reviewer",
	                                    "risk-owner", "owner",      "assay"};
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
		if (!(roles & (1u << i)))
			continue;
		int w = snprintf(buf + len, size - len, "%s%s", len ? " or " : "", names[i]);
		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
	}
}

int assay_wf_is_terminal(enum assay_wf_machine m, int state)
{
	const struct machine *mc = machine(m);
	for (size_t i = 0; mc && i < mc->nrows; i++)
		if (mc->rows[i].from == state)
			return 0;
	return 1;
}

/* "decide (specialist or reviewer; not the requester), withdraw (...)" */
static void allowed_list(const struct machine *mc, int from, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < mc->nrows; i++) {
		if (mc->rows[i].from != from)
			continue;
		char roles[128];
		assay_wf_roles_name(mc->rows[i].roles, roles, sizeof roles);
		int w =
		    snprintf(buf + len, size - len, "%s%s (%s%s)", len ? ", " : "", mc->cmds[mc->rows[i].cmd],
		             roles, mc->rows[i].forbid_requester ? "; not the requester" : "");
		if (w < 0 || (size_t)w >= size - len)
			return;
		len += (size_t)w;
	}
	if (!len)
		snprintf(buf, size, "none: %s is final", mc->states[from]);
}

int assay_wf_apply(enum assay_wf_machine m, int from, int cmd, unsigned actor, int *to,
                   struct assay_error *err)
{
	const struct machine *mc = machine(m);
	if (!mc || from < 0 || from >= mc->nstates || cmd < 0 || cmd >= mc->ncmds)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
		                       "workflow: state %d or command %d out of range", from, cmd);
	char allowed[768];
	for (size_t i = 0; i < mc->nrows; i++) {
		const struct assay_wf_transition *r = &mc->rows[i];
		if (r->from != from || r->cmd != cmd)
			continue;
		if (r->forbid_requester && (actor & ASSAY_WF_REQUESTER)) {
			assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                "the requester may not %s their own %s (requester != approver)",
			                mc->cmds[cmd], mc->name);
			assay_error_hint(err, "ask someone else with the role to %s it", mc->cmds[cmd]);
			return ASSAY_EINPUT;
		}
		if (!(actor & r->roles)) {
			char need[128];
			assay_wf_roles_name(r->roles, need, sizeof need);
			assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "%s %s needs the role %s", mc->name,
			                mc->cmds[cmd], need);
			assay_error_hint(err, "%s",
			                 (r->roles & ASSAY_WF_SYSTEM) && r->roles == ASSAY_WF_SYSTEM
			                     ? "assay does this itself when its condition holds"
			                     : "act as someone holding it (--as), or `assay role grant`");
			return ASSAY_EINPUT;
		}
		*to = r->to;
		return 0;
	}
	allowed_list(mc, from, allowed, sizeof allowed);
	assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "cannot %s a %s that is %s; allowed from %s: %s",
	                mc->cmds[cmd], mc->name, mc->states[from], mc->states[from], allowed);
	return ASSAY_EINPUT;
}
