/* test_gate.c: the release gate's verdict (assay/gate.h) rule by rule:
 * a release ships only with a valid decision for exactly these artifact
 * hashes, a tier that is not prohibited, complete fresh evidence, passing
 * evaluation checks, no open high/critical finding past due without an
 * active waiver and no overdue condition; every rule reports what it
 * looked at, passed or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assay/gate.h"
#include "assay/workflow.h"

static int64_t T(const char *s)
{
	struct assay_error err;
	int64_t t = 0;
	if (assay_wf_time_parse(s, "fixture", &t, &err))
		fail_msg("bad date %s", s);
	return t;
}

struct fx {
	struct assay_gate_decision d;
	struct assay_gate_requirement reqs[2];
	struct assay_gate_check checks[2];
	struct assay_gate_finding f[3];
	struct assay_gate_input in;
};

static void setup(struct fx *x)
{
	memset(x, 0, sizeof *x);
	x->d = (struct assay_gate_decision){
	    "D-1",      "conditional", "2.3", T("2026-10-01"), T("2027-10-01"), 0, "m1m1m1m1m1m1m1",
	    "d1d1d1d1", NULL};
	x->reqs[0] =
	    (struct assay_gate_requirement){"fairness-evaluation", "satisfied", "E-1", "abcdef0123456789"};
	x->reqs[1] = (struct assay_gate_requirement){"model-card", "satisfied", "E-2", "0011223344556677"};
	x->checks[0] = (struct assay_gate_check){"E-1", "fnr_gap<=0.1", "pass"};
	x->checks[1] = (struct assay_gate_check){"E-1", "auc>=0.7", "pass"};
	x->f[0] = (struct assay_gate_finding){"F-1", "high", "open", T("2026-12-15"), 0, NULL, 0};
	x->f[1] = (struct assay_gate_finding){"F-2", "medium", "open", T("2026-10-15"), 1, NULL, 0};
	x->f[2] = (struct assay_gate_finding){"F-3", "low", "open", T("2026-10-02"), 0, NULL, 0};
	x->in = (struct assay_gate_input){"credit",
	                                  "2.3",
	                                  "high",
	                                  T("2026-10-10"),
	                                  "m1m1m1m1m1m1m1",
	                                  "d1d1d1d1",
	                                  NULL,
	                                  &x->d,
	                                  x->reqs,
	                                  2,
	                                  x->checks,
	                                  2,
	                                  x->f,
	                                  3};
}

static struct assay_gate_verdict run(struct fx *x, struct assay_arena *a)
{
	struct assay_error err;
	struct assay_gate_verdict v;
	assert_int_equal(assay_gate_evaluate(&x->in, a, &v, &err), 0);
	assert_int_equal(v.nreasons, ASSAY_GATE_RULE_COUNT); /* every rule reports, pass or fail */
	return v;
}

static void ships_when_all_hold(void **state)
{
	(void)state;
	struct assay_arena a = {0};
	struct fx x;
	setup(&x);
	struct assay_gate_verdict v = run(&x, &a);
	assert_true(v.ship);
	assert_int_equal(v.failed, 0);
	/* what it looked at is listed: the decision, the hashes, the evidence */
	assert_non_null(strstr(v.reasons[0].looked[0], "decision D-1: conditional for release 2.3"));
	assert_non_null(
	    strstr(v.reasons[0].looked[1], "model hash at decision m1m1m1m1m1m1, now m1m1m1m1m1m1"));
	assert_non_null(strstr(v.reasons[2].looked[0],
	                       "fairness-evaluation: satisfied (evidence E-1 sha256 abcdef012345)"));
	/* a low finding past due does not block; a high one not yet due neither */
	assert_non_null(strstr(v.reasons[4].message, "1 open high or critical finding(s), none past due"));
	assay_arena_free(&a);
}

static void each_rule_fails_alone(void **state)
{
	(void)state;
	struct assay_arena a = {0};
	struct fx x;
	struct assay_gate_verdict v;

	setup(&x);
	x.in.model_hash = "m2m2m2m2m2m2m2"; /* the model changed */
	v = run(&x, &a);
	assert_false(v.ship);
	assert_int_equal(v.failed, 1);
	assert_false(v.reasons[ASSAY_GATE_DECISION].passed);
	assert_non_null(
	    strstr(v.reasons[0].message, "model hash changed since decision D-1: re-review required"));

	setup(&x);
	x.in.prompt_hash = "p1"; /* an artifact the decision never saw */
	assert_false(run(&x, &a).ship);

	setup(&x);
	x.in.release = "2.4";
	v = run(&x, &a);
	assert_non_null(strstr(v.reasons[0].message, "is for release 2.3, not 2.4"));

	setup(&x);
	x.in.now = T("2027-10-02"); /* validity passed (and F-1 is overdue too) */
	v = run(&x, &a);
	assert_non_null(strstr(v.reasons[0].message, "expired on 2027-10-01"));

	setup(&x);
	x.d.outcome = "denied";
	assert_false(run(&x, &a).ship);

	setup(&x);
	x.in.decision = NULL;
	v = run(&x, &a);
	assert_non_null(strstr(v.reasons[0].message, "no decision recorded for credit"));

	setup(&x);
	x.in.tier = "prohibited";
	v = run(&x, &a);
	assert_int_equal(v.failed, 1);
	assert_false(v.reasons[ASSAY_GATE_TIER].passed);

	setup(&x);
	x.reqs[1] = (struct assay_gate_requirement){"model-card", "expired", "E-2", "00"};
	v = run(&x, &a);
	assert_int_equal(v.failed, 1);
	assert_non_null(strstr(v.reasons[2].message,
	                       "1 of 2 required evidence item(s) missing or expired (first: model-card)"));

	setup(&x);
	x.checks[1].status = "inconclusive";
	v = run(&x, &a);
	assert_int_equal(v.failed, 1);
	assert_false(v.reasons[ASSAY_GATE_EVALUATION].passed);

	setup(&x);
	x.in.nchecks = 0; /* evaluation required by key, none recorded */
	v = run(&x, &a);
	assert_non_null(strstr(v.reasons[3].message, "no evaluation checks are recorded"));
	assay_arena_free(&a);
}

/* The scenario of the issue: a condition goes overdue -> red; an active
 * waiver covers it -> green; the waiver expires -> red again. */
static void overdue_condition_and_waiver(void **state)
{
	(void)state;
	struct assay_arena a = {0};
	struct fx x;
	setup(&x);
	x.in.now = T("2026-10-16"); /* F-2, a condition, was due 10-15 */
	struct assay_gate_verdict v = run(&x, &a);
	assert_false(v.ship);
	assert_false(v.reasons[ASSAY_GATE_CONDITIONS].passed);
	assert_non_null(
	    strstr(v.reasons[5].message, "1 condition(s) past due without an active waiver (first: F-2)"));
	x.f[1].waiver = "W-1";
	x.f[1].state = "risk_accepted";
	x.f[1].waiver_expires = T("2026-11-01");
	v = run(&x, &a);
	assert_true(v.ship);
	assert_non_null(strstr(v.reasons[5].looked[0], "covered by active waiver W-1"));
	x.in.now = T("2026-11-02");
	assert_false(run(&x, &a).ship);
	/* resolved but not yet verified still counts as open; closed does not */
	setup(&x);
	x.in.now = T("2026-12-20");
	x.f[0].state = "resolved";
	assert_false(run(&x, &a).ship);
	x.f[0].state = "closed";
	x.f[1].state = "verified";
	assert_true(run(&x, &a).ship);
	assay_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ships_when_all_hold),
	    cmocka_unit_test(each_rule_fails_alone),
	    cmocka_unit_test(overdue_condition_and_waiver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
