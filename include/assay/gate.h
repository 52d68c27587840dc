/* assay/gate.h: the release gate's verdict as a pure function of what it
 * looked at (issue 6, "The gate"). A release may ship when:
 *   1. a decision approved or conditional, still valid (not superseded,
 *      not expired, validity date not passed), exists for this release and
 *      for exactly the artifact hashes (model, data, prompt) the system has
 *      now;
 *   2. the tier is not prohibited;
 *   3. all required evidence is present and fresh;
 *   4. the latest recorded evaluation checks pass;
 *   5. no open high or critical finding is past due, unless an active
 *      waiver covers it;
 *   6. no condition of the decision is overdue (conditions are findings;
 *      an active waiver covers them too).
 * Every rule yields a reason, passed or failed, with the evidence it
 * looked at; the verdict is "ship" only when every rule passed. The
 * storage side (gate_store.c) gathers the input and records each run in
 * the audit trail.
 */
#ifndef ASSAY_GATE_H
#define ASSAY_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "assay/arena.h"
#include "assay/error.h"

struct assay_gate_decision {
	const char *id;      /* "D-3" */
	const char *outcome; /* approved, conditional, denied */
	const char *release;
	int64_t decided_at, valid_until; /* valid_until 0: no limit */
	int superseded;                  /* a later decision replaced it, or its review expired */
	const char *model_hash, *data_hash, *prompt_hash; /* as seen at decision time */
};

struct assay_gate_requirement {
	const char *key;
	const char *status;      /* satisfied, missing, expired */
	const char *evidence_id; /* NULL when missing */
	const char *sha256;
};

struct assay_gate_check {
	const char *evidence_id; /* the evaluation result it came from */
	const char *name;
	const char *status; /* pass, fail, inconclusive */
};

struct assay_gate_finding {
	const char *id;       /* "F-31" */
	const char *severity; /* low, medium, high, critical */
	const char *state;    /* open, in_progress, resolved, verified, closed, risk_accepted */
	int64_t due;          /* 0: none */
	int is_condition;     /* raised as a condition of the decision */
	const char *waiver;   /* the active waiver covering it, "W-4", or NULL */
	int64_t waiver_expires;
};

struct assay_gate_input {
	const char *system, *release, *tier;
	int64_t now;
	const char *model_hash, *data_hash, *prompt_hash; /* the system's current artifacts */
	const struct assay_gate_decision *decision;       /* the latest decision for the system, or NULL */
	const struct assay_gate_requirement *reqs;
	size_t nreqs;
	const struct assay_gate_check *checks; /* of the latest evaluation evidence */
	size_t nchecks;
	const struct assay_gate_finding *findings; /* every finding of the system, any state */
	size_t nfindings;
};

enum assay_gate_rule {
	ASSAY_GATE_DECISION,
	ASSAY_GATE_TIER,
	ASSAY_GATE_EVIDENCE,
	ASSAY_GATE_EVALUATION,
	ASSAY_GATE_FINDINGS,
	ASSAY_GATE_CONDITIONS,
	ASSAY_GATE_RULE_COUNT
};

struct assay_gate_reason {
	enum assay_gate_rule rule;
	int passed;
	const char *message; /* one line: what was found */
	const char **looked; /* what it looked at: "D-3 approved 2026-...", "evidence E-2 sha256 ..." */
	size_t nlooked;
};

struct assay_gate_verdict {
	int ship; /* 1: every rule passed */
	struct assay_gate_reason reasons[ASSAY_GATE_RULE_COUNT];
	size_t nreasons;
	size_t failed;
};

/* Decide. Strings of the verdict live in `a`. Fails only for memory. */
int assay_gate_evaluate(const struct assay_gate_input *in, struct assay_arena *a,
                        struct assay_gate_verdict *out, struct assay_error *err);

/* "decision", "tier", "evidence", "evaluation", "findings", "conditions" */
const char *assay_gate_rule_name(enum assay_gate_rule r);

#endif
