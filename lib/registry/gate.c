/* gate.c: the release gate's verdict (assay/gate.h), a pure function of
 * the decision, tier, evidence, evaluation checks and findings gathered by
 * gate_store.c. Every rule reports passed or failed with the records it
 * looked at, so a red gate says exactly what to fix and a green one says
 * what it trusted.
 *
 * Edge cases, decided here once:
 * - a hash the decision did not record (NULL) matches nothing that is
 *   set now: an artifact that appeared after the decision was not seen;
 * - no required evidence at all passes rule 3 (nothing required);
 * - no evaluation checks recorded fails rule 4 only when evidence of an
 *   evaluation is required (a requirement key containing "evaluation");
 * - a finding is "open" in open, in_progress and resolved (resolved is not
 *   yet verified); risk_accepted counts as covered only with an active
 *   waiver that has not expired at `now`.
 */
#include <string.h>

#include "assay/gate.h"
#include "assay/workflow.h"

static const char *const RULES[] = {"decision", "tier", "evidence", "evaluation", "findings", "conditions"};

const char *assay_gate_rule_name(enum assay_gate_rule r)
{
	return (unsigned)r < ASSAY_GATE_RULE_COUNT ? RULES[r] : "?";
}

struct ctx {
	struct assay_arena *a;
	struct assay_gate_verdict *v;
	int oom;
};

static struct assay_gate_reason *begin(struct ctx *c, enum assay_gate_rule rule, size_t maxlooked)
{
	struct assay_gate_reason *r = &c->v->reasons[c->v->nreasons++];
	r->rule = rule;
	r->passed = 1;
	r->looked = assay_arena_calloc(c->a, maxlooked + 1, sizeof *r->looked);
	if (!r->looked)
		c->oom = 1;
	return r;
}

#define LOOK(c, r, ...)                                                                                      \
	do {                                                                                                 \
		char *s_ = assay_arena_printf((c)->a, __VA_ARGS__);                                          \
		if (!s_ || !(r)->looked)                                                                     \
			(c)->oom = 1;                                                                        \
		else                                                                                         \
			(r)->looked[(r)->nlooked++] = s_;                                                    \
	} while (0)

#define SAY(c, r, ...)                                                                                       \
	do {                                                                                                 \
		(r)->message = assay_arena_printf((c)->a, __VA_ARGS__);                                      \
		if (!(r)->message)                                                                           \
			(c)->oom = 1;                                                                        \
	} while (0)

static const char *when(struct ctx *c, int64_t t)
{
	char buf[32];
	assay_wf_time_format(t, buf, sizeof buf);
	char *s = assay_arena_strdup(c->a, buf);
	if (!s)
		c->oom = 1;
	return s ? s : "";
}

static int same_hash(const char *then, const char *now)
{
	if (!now || !*now)
		return !then || !*then;
	return then && strcmp(then, now) == 0;
}

static void rule_decision(struct ctx *c, const struct assay_gate_input *in)
{
	const struct assay_gate_decision *d = in->decision;
	struct assay_gate_reason *r = begin(c, ASSAY_GATE_DECISION, 4);
	if (!d) {
		r->passed = 0;
		SAY(c, r, "no decision recorded for %s", in->system);
		return;
	}
	LOOK(c, r, "decision %s: %s for release %s on %s%s%s", d->id, d->outcome,
	     d->release ? d->release : "-", when(c, d->decided_at), d->valid_until ? ", valid until " : "",
	     d->valid_until ? when(c, d->valid_until) : "");
	const char *arts[3][3] = {{"model", d->model_hash, in->model_hash},
	                          {"data", d->data_hash, in->data_hash},
	                          {"prompt", d->prompt_hash, in->prompt_hash}};
	for (int i = 0; i < 3; i++)
		if (arts[i][1] || arts[i][2])
			LOOK(c, r, "%s hash at decision %.12s, now %.12s", arts[i][0],
			     arts[i][1] ? arts[i][1] : "-", arts[i][2] ? arts[i][2] : "-");
	if (strcmp(d->outcome, "approved") && strcmp(d->outcome, "conditional")) {
		r->passed = 0;
		SAY(c, r, "decision %s is %s", d->id, d->outcome);
	} else if (d->superseded) {
		r->passed = 0;
		SAY(c, r, "decision %s is no longer in force (superseded or expired); a new review is needed",
		    d->id);
	} else if (d->valid_until && in->now > d->valid_until) {
		r->passed = 0;
		SAY(c, r, "decision %s expired on %s; a new review is needed", d->id,
		    when(c, d->valid_until));
	} else if (!d->release || strcmp(d->release, in->release)) {
		r->passed = 0;
		SAY(c, r, "decision %s is for release %s, not %s", d->id, d->release ? d->release : "(none)",
		    in->release);
	} else {
		for (int i = 0; i < 3; i++)
			if (!same_hash(arts[i][1], arts[i][2])) {
				r->passed = 0;
				SAY(c, r, "the %s hash changed since decision %s: re-review required",
				    arts[i][0], d->id);
				return;
			}
		SAY(c, r, "decision %s (%s) covers release %s and these artifact hashes", d->id, d->outcome,
		    in->release);
	}
}

static void rule_tier(struct ctx *c, const struct assay_gate_input *in)
{
	struct assay_gate_reason *r = begin(c, ASSAY_GATE_TIER, 1);
	const char *t = in->tier ? in->tier : "unknown";
	LOOK(c, r, "tier %s", t);
	if (!in->tier) {
		r->passed = 0;
		SAY(c, r, "%s has no computed tier", in->system);
	} else if (strcmp(t, "prohibited") == 0) {
		r->passed = 0;
		SAY(c, r, "%s is a prohibited practice: it may not ship", in->system);
	} else {
		SAY(c, r, "tier %s is not prohibited", t);
	}
}

static void rule_evidence(struct ctx *c, const struct assay_gate_input *in)
{
	struct assay_gate_reason *r = begin(c, ASSAY_GATE_EVIDENCE, in->nreqs);
	size_t bad = 0;
	const char *first = NULL;
	for (size_t i = 0; i < in->nreqs; i++) {
		const struct assay_gate_requirement *q = &in->reqs[i];
		if (q->evidence_id)
			LOOK(c, r, "%s: %s (evidence %s sha256 %.12s)", q->key, q->status, q->evidence_id,
			     q->sha256 ? q->sha256 : "-");
		else
			LOOK(c, r, "%s: %s", q->key, q->status);
		if (strcmp(q->status, "satisfied")) {
			if (!bad++)
				first = q->key;
		}
	}
	if (bad) {
		r->passed = 0;
		SAY(c, r, "%zu of %zu required evidence item(s) missing or expired (first: %s)", bad,
		    in->nreqs, first);
	} else {
		SAY(c, r, "all %zu required evidence item(s) present and fresh", in->nreqs);
	}
}

static void rule_evaluation(struct ctx *c, const struct assay_gate_input *in)
{
	struct assay_gate_reason *r = begin(c, ASSAY_GATE_EVALUATION, in->nchecks);
	size_t bad = 0;
	const char *first = NULL;
	for (size_t i = 0; i < in->nchecks; i++) {
		const struct assay_gate_check *k = &in->checks[i];
		LOOK(c, r, "%s: %s (evidence %s)", k->name, k->status, k->evidence_id ? k->evidence_id : "-");
		if (strcmp(k->status, "pass") && !bad++)
			first = k->name;
	}
	int eval_required = 0;
	for (size_t i = 0; i < in->nreqs; i++)
		eval_required |= strstr(in->reqs[i].key, "evaluation") != NULL;
	if (bad) {
		r->passed = 0;
		SAY(c, r, "%zu of %zu check(s) of the latest evaluation did not pass (first: %s)", bad,
		    in->nchecks, first);
	} else if (!in->nchecks && eval_required) {
		r->passed = 0;
		SAY(c, r, "an evaluation is required but no evaluation checks are recorded");
	} else if (!in->nchecks) {
		SAY(c, r, "no evaluation checks recorded, none required");
	} else {
		SAY(c, r, "all %zu check(s) of the latest evaluation passed", in->nchecks);
	}
}

static int is_open(const char *state)
{
	return !strcmp(state, "open") || !strcmp(state, "in_progress") || !strcmp(state, "resolved") ||
	       !strcmp(state, "risk_accepted");
}

static int covered(const struct assay_gate_finding *f, int64_t now)
{
	return f->waiver && (!f->waiver_expires || now <= f->waiver_expires);
}

/* Rule 5 (conditions = 0) or rule 6 (conditions = 1). */
static void rule_findings(struct ctx *c, const struct assay_gate_input *in, int conditions)
{
	struct assay_gate_reason *r =
	    begin(c, conditions ? ASSAY_GATE_CONDITIONS : ASSAY_GATE_FINDINGS, in->nfindings);
	size_t bad = 0, considered = 0;
	const char *first = NULL;
	for (size_t i = 0; i < in->nfindings; i++) {
		const struct assay_gate_finding *f = &in->findings[i];
		if (!is_open(f->state) || f->is_condition != conditions)
			continue;
		int serious = !strcmp(f->severity, "high") || !strcmp(f->severity, "critical");
		if (!conditions && !serious)
			continue;
		considered++;
		int overdue = f->due && in->now > f->due;
		int cov = covered(f, in->now);
		LOOK(c, r, "%s %s %s%s%s%s%s", f->id, f->severity, f->state, f->due ? ", due " : "",
		     f->due ? when(c, f->due) : "", cov ? ", covered by active waiver " : "",
		     cov ? f->waiver : "");
		if (overdue && !cov && !bad++)
			first = f->id;
	}
	const char *what = conditions ? "condition(s)" : "open high or critical finding(s)";
	if (bad) {
		r->passed = 0;
		SAY(c, r, "%zu %s past due without an active waiver (first: %s)", bad, what, first);
	} else {
		SAY(c, r, "%zu %s, none past due without an active waiver", considered, what);
	}
}

int assay_gate_evaluate(const struct assay_gate_input *in, struct assay_arena *a,
                        struct assay_gate_verdict *out, struct assay_error *err)
{
	*out = (struct assay_gate_verdict){0};
	struct ctx c = {a, out, 0};
	rule_decision(&c, in);
	rule_tier(&c, in);
	rule_evidence(&c, in);
	rule_evaluation(&c, in);
	rule_findings(&c, in, 0);
	rule_findings(&c, in, 1);
	if (c.oom)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
		                       "out of memory while deciding the gate");
	for (size_t i = 0; i < out->nreasons; i++)
		out->failed += !out->reasons[i].passed;
	out->ship = out->failed == 0;
	return 0;
}
