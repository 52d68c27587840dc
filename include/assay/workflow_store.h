/* assay/workflow_store.h: reviews, decisions, findings, waivers,
 * incidents, gate runs and role grants in the registry (migration 2,
 * lib/registry/workflow_schema.c).
 *
 * Every function runs inside the caller's write transaction (assay/store.h),
 * asks the pure rules (assay/workflow.h, assay/gate.h) what may happen,
 * writes the change, records the state change in wf_transitions (the KPI
 * source) and appends an audit event (assay/audit.h) with the before/after
 * state. Nothing is ever deleted or edited in place where history matters:
 * decisions are immutable rows, superseded by later ones; findings are
 * closed, never removed.
 *
 * Records are handed out as JSON objects (new references), the same
 * objects `--format json` prints and the audit trail stores.
 * References: "R-12" / "F-31" / "W-4" / "I-3" / "D-7" or the ULID.
 */
#ifndef ASSAY_WORKFLOW_STORE_H
#define ASSAY_WORKFLOW_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/gate.h"
#include "assay/kpi.h"
#include "assay/policy.h"
#include "assay/store.h"
#include "assay/workflow.h"

/* What every call needs: the open store (actor set), the policy pack the
 * tiers and SLA targets come from, the time (assay_now_ms()/1000) and an
 * arena for strings handed back. */
struct assay_wf {
	struct assay_store *s;
	const struct assay_policy *policy;
	int64_t now;
	struct assay_arena *a;
};

/* ---- roles: `assay role grant ACTOR ROLE` ---------------------------- *
 * Roles are free names: "specialist" and "risk-owner" carry workflow
 * powers (assay/workflow.h), the others (e.g. "legal") count towards the
 * sign-off roles a policy requires. Granting is audited like every change. */
int assay_role_grant(struct assay_wf *w, const char *actor, const char *role, struct assay_error *err);
int assay_role_revoke(struct assay_wf *w, const char *actor, const char *role, struct assay_error *err);
/* Array of {"actor", "role", "granted_at", "granted_by"} for active grants. */
int assay_role_list(struct assay_wf *w, json_t **out, struct assay_error *err);

/* Bring time-driven states up to date at w->now: waivers past expiry
 * expire (their findings reopen), decisions past validity expire. Each
 * change is a transition and an audit event by the actor "assay". Run at
 * the start of every workflow command. *changes (optional) counts them. */
int assay_wf_sweep(struct assay_wf *w, size_t *changes, struct assay_error *err);

/* ---- reviews and decisions ------------------------------------------- */

/* Open a review of a system for a release; submitted unless draft. */
int assay_review_open(struct assay_wf *w, const char *system, const char *release, const char *summary,
                      int draft, json_t **out, struct assay_error *err);
/* submit, return, resubmit, withdraw, signoff (state machine commands
 * with no other data); note is recorded (may be NULL). */
int assay_review_do(struct assay_wf *w, const char *ref, enum assay_review_cmd cmd, const char *note,
                    json_t **out, struct assay_error *err);
/* Triage: freeze the system's tier and required controls in the review;
 * with reviewers, also assign (-> in_review). */
int assay_review_triage(struct assay_wf *w, const char *ref, const char *const *reviewers, size_t nreviewers,
                        json_t **out, struct assay_error *err);
int assay_review_assign(struct assay_wf *w, const char *ref, const char *const *reviewers, size_t nreviewers,
                        json_t **out, struct assay_error *err);

struct assay_condition {
	const char *text, *owner; /* owner NULL: the requester */
	int64_t due;              /* 0: now + 30 days */
	const char *severity;     /* NULL: medium */
};

struct assay_decision_input {
	const char *outcome;        /* approved, conditional, denied */
	const char *rationale;      /* Markdown */
	const char *rationale_file; /* where it came from (recorded), may be NULL */
	const struct assay_condition *conditions;
	size_t nconditions;
	int64_t valid_until; /* 0: now + the tier's decision validity */
};
/* Decide: checks requester != decider, the tier's sign-off roles among
 * the signers (sign-offs + the decider), outcome conditional <=> conditions;
 * records the immutable decision with the evidence ids and hashes seen, the
 * artifact hashes, policy version and signers; conditions become findings;
 * earlier decisions of the system are superseded. */
int assay_review_decide(struct assay_wf *w, const char *ref, const struct assay_decision_input *in,
                        json_t **out, struct assay_error *err);
int assay_review_get(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err);

struct assay_review_filter {
	const char *system, *state;
	int overdue; /* only SLA warnings and breaches */
};
/* Array of reviews, each with its "sla" clock and status. */
int assay_review_list(struct assay_wf *w, const struct assay_review_filter *f, json_t **out,
                      struct assay_error *err);

/* Why the system needs (re-)review now: every trigger that fired against
 * its decision in force (assay/workflow.h), or "no decision". Array of
 * {"trigger", "message"}; empty when the decision stands. */
int assay_rereview_status(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err);

/* ---- findings -------------------------------------------------------- */

struct assay_finding_input {
	const char *system, *source, *control, *severity, *title, *root_cause, *owner;
	int64_t due;                                       /* 0: none */
	const char *review_id, *decision_id, *incident_id; /* links, may be NULL */
};
/* Add; flags a repeat when a resolved/verified/closed finding has the same
 * fingerprint (system + control + normalised root cause, else title). */
int assay_finding_add(struct assay_wf *w, const struct assay_finding_input *in, json_t **out,
                      struct assay_error *err);
/* start, resolve, verify, close (evidence: an evidence ref "E-7" or a URL,
 * required), reopen. */
int assay_finding_do(struct assay_wf *w, const char *ref, enum assay_finding_cmd cmd, const char *evidence,
                     const char *note, json_t **out, struct assay_error *err);
int assay_finding_get(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err);
int assay_finding_list(struct assay_wf *w, const char *system, const char *state, json_t **out,
                       struct assay_error *err);

/* ---- waivers --------------------------------------------------------- */

struct assay_waiver_input {
	const char *const *findings; /* refs; all of one system */
	size_t nfindings;
	const char *compensating, *residual_risk, *reason;
	int64_t expires; /* required; <= now + the tier's waiver maximum */
};
int assay_waiver_request(struct assay_wf *w, const struct assay_waiver_input *in, json_t **out,
                         struct assay_error *err);
/* review, approve (then active at once: findings risk_accepted), reject,
 * revoke (findings reopen). */
int assay_waiver_do(struct assay_wf *w, const char *ref, enum assay_waiver_cmd cmd, const char *note,
                    json_t **out, struct assay_error *err);
int assay_waiver_list(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err);

/* ---- incidents ------------------------------------------------------- */

struct assay_incident_input {
	const char *system, *severity, *summary, *affected, *source; /* severity sev1..sev4 */
	int64_t detected_at;                                         /* 0: now */
};
/* Open (the system needs re-review from now on: an incident trigger). */
int assay_incident_open(struct assay_wf *w, const struct assay_incident_input *in, json_t **out,
                        struct assay_error *err);
/* contain (action: rollback, fallback_model, stricter_filter, throttling
 * or free text), update (a timeline note), close (root cause required;
 * follow-ups become findings). */
int assay_incident_do(struct assay_wf *w, const char *ref, const char *what, const char *text,
                      const char *root_cause, const char *const *followups, size_t nfollowups, json_t **out,
                      struct assay_error *err);
int assay_incident_list(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err);

/* ---- gate and KPIs --------------------------------------------------- */

/* Gather the gate's input for system/release from the registry, decide
 * (assay/gate.h), record the run (gate_runs + an audit event). *out is a
 * JSON result (schema assay.gate/1) with every reason and what it looked
 * at; *ship 1 or 0. */
int assay_gate_run(struct assay_wf *w, const char *system, const char *release, json_t **out, int *ship,
                   struct assay_error *err);

/* The KPI events (assay/kpi.h) from the registry's history, and the SLA
 * targets per tier from the policy pack (arena-owned). */
int assay_kpi_events(struct assay_wf *w, struct assay_kpi_event **out, size_t *n, struct assay_kpi_sla *sla,
                     size_t *nsla, struct assay_error *err);

#endif
