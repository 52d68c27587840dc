/* assay/workflow.h: the review, waiver and finding state machines, the
 * SLA clock, re-review triggers and finding fingerprints: the pure rules
 * of the Responsible AI workflow, with no storage. The registry commands
 * (lib/registry/review_store.c and friends) load state, ask these
 * functions what may happen, and write the result with an audit event.
 *
 * Each state machine is ONE table of (state, command, roles allowed ->
 * next state). A command not in the table for the current state, or
 * issued by an actor lacking every allowed role, is refused with the
 * commands that are allowed listed in the error. The tables are public
 * (assay_wf_table) so docs and tests read the same rows the code obeys.
 *
 * Times are seconds since the Unix epoch, UTC.
 */
#ifndef ASSAY_WORKFLOW_H
#define ASSAY_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "assay/error.h"

/* ---- actors and roles ---------------------------------------------- */

/* What the acting person is, relative to the record being changed. A
 * transition row lists the roles that may issue it (any one suffices). */
enum assay_wf_role {
	ASSAY_WF_REQUESTER = 1u << 0,  /* opened this review / requested this waiver */
	ASSAY_WF_SPECIALIST = 1u << 1, /* holds the `specialist` grant (assay role grant) */
	ASSAY_WF_REVIEWER = 1u << 2,   /* assigned to this review at triage */
	ASSAY_WF_RISK_OWNER = 1u << 3, /* holds the `risk-owner` grant: approves waivers */
	ASSAY_WF_OWNER = 1u << 4,      /* owner of this finding */
	ASSAY_WF_SYSTEM = 1u << 5,     /* assay itself: expiry, supersession, waiver effects */
};

/* ---- the machines ---------------------------------------------------- */

enum assay_wf_machine { ASSAY_WF_REVIEW, ASSAY_WF_WAIVER, ASSAY_WF_FINDING };

enum assay_review_state {
	ASSAY_RS_DRAFT,
	ASSAY_RS_SUBMITTED,
	ASSAY_RS_TRIAGE,
	ASSAY_RS_IN_REVIEW,
	ASSAY_RS_RETURNED, /* back with the requester: the SLA clock pauses */
	ASSAY_RS_DECIDED,  /* outcome approved, conditional or denied: on the decision */
	ASSAY_RS_WITHDRAWN,
	ASSAY_RS_SUPERSEDED,
	ASSAY_RS_EXPIRED,
	ASSAY_RS_COUNT
};

enum assay_review_cmd {
	ASSAY_RC_SUBMIT,
	ASSAY_RC_TRIAGE,
	ASSAY_RC_ASSIGN,
	ASSAY_RC_RETURN,
	ASSAY_RC_RESUBMIT,
	ASSAY_RC_SIGNOFF, /* a reviewer's sign-off, recorded; state unchanged */
	ASSAY_RC_DECIDE,
	ASSAY_RC_WITHDRAW,
	ASSAY_RC_SUPERSEDE, /* a later decision for the system replaces this one */
	ASSAY_RC_EXPIRE,    /* the decision's validity date passed */
	ASSAY_RC_COUNT
};

enum assay_waiver_state {
	ASSAY_WS_PROPOSED,
	ASSAY_WS_UNDER_REVIEW,
	ASSAY_WS_APPROVED,
	ASSAY_WS_REJECTED,
	ASSAY_WS_ACTIVE,
	ASSAY_WS_EXPIRED,
	ASSAY_WS_REVOKED,
	ASSAY_WS_COUNT
};

enum assay_waiver_cmd {
	ASSAY_WC_REVIEW,
	ASSAY_WC_APPROVE,
	ASSAY_WC_REJECT,
	ASSAY_WC_ACTIVATE,
	ASSAY_WC_EXPIRE,
	ASSAY_WC_REVOKE,
	ASSAY_WC_COUNT
};

enum assay_finding_state {
	ASSAY_FS_OPEN,
	ASSAY_FS_IN_PROGRESS,
	ASSAY_FS_RESOLVED,
	ASSAY_FS_VERIFIED,
	ASSAY_FS_CLOSED,
	ASSAY_FS_RISK_ACCEPTED, /* only while an active waiver covers it */
	ASSAY_FS_COUNT
};

enum assay_finding_cmd {
	ASSAY_FC_START,
	ASSAY_FC_RESOLVE,
	ASSAY_FC_VERIFY,
	ASSAY_FC_CLOSE, /* needs closure evidence */
	ASSAY_FC_REOPEN,
	ASSAY_FC_ACCEPT, /* an approved waiver became active */
	ASSAY_FC_COUNT
};

/* One row of a machine's table. */
struct assay_wf_transition {
	int from;
	int cmd;
	unsigned roles;       /* enum assay_wf_role mask: any one suffices */
	int forbid_requester; /* the requester may never do this (decide, approve) */
	int to;
};

/* The rows of a machine (static storage) and their count. */
const struct assay_wf_transition *assay_wf_table(enum assay_wf_machine m, size_t *n);

/* Names: "in_review", "decide", "risk-owner". NULL when out of range. */
const char *assay_wf_state_name(enum assay_wf_machine m, int state);
const char *assay_wf_cmd_name(enum assay_wf_machine m, int cmd);
/* The state or command with this name, or -1. */
int assay_wf_state_parse(enum assay_wf_machine m, const char *name);
int assay_wf_cmd_parse(enum assay_wf_machine m, const char *name);
/* "specialist or reviewer" for a mask, into buf. */
void assay_wf_roles_name(unsigned roles, char *buf, size_t size);

/* Apply `cmd` in `from` for an actor with the role mask `actor`.
 * Returns 0 and sets *to, or ASSAY_EINPUT with a message naming the
 * state, the command and the transitions allowed from that state with
 * the roles they need ("allowed from in_review: return (specialist or
 * reviewer), decide (...)"), or why the actor may not. */
int assay_wf_apply(enum assay_wf_machine m, int from, int cmd, unsigned actor, int *to,
                   struct assay_error *err);

/* True for terminal states (no row leaves them). */
int assay_wf_is_terminal(enum assay_wf_machine m, int state);

/* ---- the SLA clock --------------------------------------------------- */

/* One entry of a review's history: it entered `state` at `at`. */
struct assay_wf_stamp {
	int64_t at;
	int state; /* enum assay_review_state */
};

struct assay_sla_clock {
	int64_t to_triage;             /* seconds submitted -> triage (or -> now while waiting) */
	int64_t to_decision;           /* seconds submitted -> decided, time in `returned` excluded */
	int64_t paused;                /* seconds spent in `returned` */
	int triaged, decided, running; /* running: the decision clock still ticks */
};

/* Compute the clocks of a review from its history (in recording order)
 * at time `now`. Business rule: the clock starts at submission, pauses
 * while the review is `returned`, stops at decision, withdrawal or any
 * terminal state. A stamp earlier than the one before it (a clock moved
 * back) counts as the earlier stamp's time, so the clocks never run
 * backwards: for any history h and now1 <= now2, each clock at now2 is
 * >= its value at now1, and appending a stamp never decreases a clock. */
void assay_sla_compute(const struct assay_wf_stamp *h, size_t n, int64_t now, struct assay_sla_clock *out);

enum assay_sla_status { ASSAY_SLA_OK, ASSAY_SLA_WARNING, ASSAY_SLA_BREACH, ASSAY_SLA_NONE };

/* ok below 80% of the target, warning from 80% up to the target, breach
 * past it; NONE when the target is 0 (no target). */
enum assay_sla_status assay_sla_status(int64_t elapsed, int64_t target);
const char *assay_sla_status_name(enum assay_sla_status s);

/* ---- re-review triggers ---------------------------------------------- */

/* What a decision saw, and what is true now. Strings may be NULL
 * (unknown) and then never trigger; hashes compare as strings. */
struct assay_rereview_input {
	int64_t now;
	int64_t decided_at;
	int64_t valid_until; /* 0: no validity limit */
	const char *model_hash_then, *model_hash_now;
	const char *data_hash_then, *data_hash_now;
	const char *prompt_hash_then, *prompt_hash_now;
	const char *purpose_then, *purpose_now;
	const char *policy_version_then, *policy_version_now;
	size_t incidents_since;     /* incidents opened after decided_at */
	const char *first_incident; /* its short id, e.g. "I-3" */
	size_t monitor_breaches;    /* monitoring thresholds breached after decided_at */
	size_t waivers_expired;     /* waivers of this system expired after decided_at */
	const char *first_waiver;   /* "W-4" */
};

enum assay_rereview_trigger {
	ASSAY_RR_VALIDITY,
	ASSAY_RR_MODEL,
	ASSAY_RR_DATA,
	ASSAY_RR_PROMPT,
	ASSAY_RR_PURPOSE,
	ASSAY_RR_INCIDENT,
	ASSAY_RR_MONITOR,
	ASSAY_RR_POLICY,
	ASSAY_RR_WAIVER,
	ASSAY_RR_COUNT
};

struct assay_rereview_reason {
	enum assay_rereview_trigger trigger;
	char message[256]; /* "model hash changed: 1a2b3c4d... -> 5e6f..." */
};

/* Every trigger that fired, in enum order, into out[0..cap). Returns the
 * number that fired (which may exceed cap; only cap are written). */
size_t assay_rereview_check(const struct assay_rereview_input *in, struct assay_rereview_reason *out,
                            size_t cap);
const char *assay_rereview_trigger_name(enum assay_rereview_trigger t);

/* ---- finding fingerprints -------------------------------------------- */

/* Root cause normalised for comparison: Unicode case folding (NFKC),
 * every run of characters that are not letters or digits becomes one
 * space, leading and trailing space trimmed; digits kept. Writes at most
 * size-1 bytes. Returns ASSAY_EINPUT if `text` is not valid UTF-8. */
int assay_finding_normalise(const char *text, char *out, size_t size, struct assay_error *err);

/* Fingerprint = lowercase hex SHA-256 of "system\ncontrol\nnormalised
 * root cause". Two findings with the same fingerprint are the same
 * problem: one raised after an earlier one was closed or verified is a
 * repeat. out has room for 65 bytes. */
int assay_finding_fingerprint(const char *system, const char *control, const char *root_cause, char out[65],
                              struct assay_error *err);

/* A finding is a repeat when an earlier finding with the same fingerprint
 * reached resolved, verified or closed. */
int assay_finding_is_repeat_of(int earlier_state);

/* ---- time ------------------------------------------------------------ */

/* Parse "YYYY-MM-DD" (midnight UTC) or RFC 3339 "YYYY-MM-DDTHH:MM:SSZ"
 * (or with a +HH:MM offset). Returns 0 or ASSAY_EINPUT naming `what`. */
int assay_wf_time_parse(const char *s, const char *what, int64_t *out, struct assay_error *err);
/* RFC 3339 UTC, "2026-12-15T00:00:00Z"; buf of at least 21 bytes. */
void assay_wf_time_format(int64_t t, char *buf, size_t size);

#endif
