/* test_policy.c: risk tiering with the default policy pack (assay/policy.h):
 * each rule family of the EU AI Act structure on small intake records, the
 * five scenario systems of tests/data/systems with their tiers, rationale
 * lines and required controls, manual overrides, workflow parameters per
 * tier, and the pack hash (embedded default == the same files on disk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/intake.h"
#include "assay/policy.h"

#define SOURCE_ROOT ASSAY_TESTDATA "/../.."

struct fx {
	struct assay_arena a;
	struct assay_policy *p;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct assay_error err;
	if (assay_policy_load(&f->p, NULL, &f->a, &err) != 0) {
		char b[2048];
		assay_error_format(&err, b, sizeof b);
		fprintf(stderr, "%s", b);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	assay_arena_free(&f->a);
	free(f);
	return 0;
}

/* Tier an intake given as YAML text (the required fields are filled in). */
static struct assay_tier_result tier_of(struct fx *f, const char *extra)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "name: T\nintended_purpose: test\n%s%s%s",
	         strstr(extra, "ai_type:") ? "" : "ai_type: classical_ml\n",
	         strstr(extra, "eu_role:") ? "" : "eu_role: provider\n", extra);
	if (!strstr(extra, "deployment_context:"))
		strcat(buf, "\ndeployment_context: internal\n");
	json_t *in = NULL;
	struct assay_error err;
	int rc = assay_intake_load_buffer(&in, "t.yaml", buf, strlen(buf), NULL, &err);
	if (rc) {
		char b[2048];
		assay_error_format(&err, b, sizeof b);
		fail_msg("intake: %s\n---\n%s", b, buf);
	}
	struct assay_tier_result r;
	assert_int_equal(assay_policy_tier(f->p, in, NULL, &r, &f->a, &err), 0);
	json_decref(in);
	return r;
}

static int has_control(const struct assay_tier_result *r, const char *id)
{
	for (size_t i = 0; i < r->n_controls; i++)
		if (strcmp(r->controls[i].control->id, id) == 0)
			return 1;
	return 0;
}

static int has_evidence(const struct assay_tier_result *r, const char *key)
{
	for (size_t i = 0; i < r->n_controls; i++)
		for (size_t k = 0; k < r->controls[i].n_evidence; k++)
			if (strcmp(r->controls[i].evidence[k]->key, key) == 0)
				return 1;
	return 0;
}

static const struct assay_tier_reason *deciding(const struct assay_tier_result *r, const char *rule)
{
	for (size_t i = 0; i < r->n_reasons && r->reasons[i].decisive; i++)
		if (strcmp(r->reasons[i].rule_id, rule) == 0)
			return &r->reasons[i];
	return NULL;
}

/* ---- rule families -------------------------------------------------------------- */

static void prohibited_practice(void **state)
{
	struct assay_tier_result r = tier_of(*state, "art5_practices: [c]\nannex_iii_points: [\"5(b)\"]\n");
	assert_int_equal(r.tier, ASSAY_TIER_PROHIBITED);
	const struct assay_tier_reason *x = deciding(&r, "art5-c");
	assert_non_null(x);
	assert_string_equal(x->cite, "EU AI Act Art. 5(1)(c)");
	assert_non_null(strstr(x->text, "social scoring"));
	/* the Annex III match is still explained, after the deciding line */
	assert_string_equal(r.reasons[1].rule_id, "annex-iii-5");
	assert_false(r.reasons[1].decisive);
	assert_true(has_control(&r, "prohibited-practice-stop"));
	/* every one of the 8 practices is prohibited */
	const char *letters = "abcdefgh";
	for (int i = 0; i < 8; i++) {
		char in[64], rule[16];
		snprintf(in, sizeof in, "art5_practices: [\"Art. 5(1)(%c)\"]\n", letters[i]);
		snprintf(rule, sizeof rule, "art5-%c", letters[i]);
		struct assay_tier_result q = tier_of(*state, in);
		assert_int_equal(q.tier, ASSAY_TIER_PROHIBITED);
		assert_non_null(deciding(&q, rule));
	}
}

static void each_annex_iii_area(void **state)
{
	const char *points[] = {"1(a)", "2", "3(d)", "4(b)", "5(c)", "6(e)", "7(b)", "8(b)"};
	for (int i = 0; i < 8; i++) {
		char in[128], rule[32], text[64];
		snprintf(in, sizeof in, "annex_iii_points: [\"%s\"]\n", points[i]);
		snprintf(rule, sizeof rule, "annex-iii-%d", i + 1);
		struct assay_tier_result r = tier_of(*state, in);
		assert_int_equal(r.tier, ASSAY_TIER_HIGH);
		const struct assay_tier_reason *x = deciding(&r, rule);
		assert_non_null(x);
		snprintf(text, sizeof text, "Annex III point %s (", points[i]);
		assert_non_null(strstr(x->text, text));
		assert_true(has_control(&r, "human-oversight"));
		assert_true(has_control(&r, "technical-documentation")); /* provider */
	}
}

static void art6_3_exemption_accepted(void **state)
{
	struct assay_tier_result r = tier_of(
	    *state, "annex_iii_points: [\"3(b)\"]\nart6_3_exemptions: [a]\nprofiles_natural_persons: false\n"
	            "geographies: [DE]\n");
	assert_int_equal(r.tier, ASSAY_TIER_MEDIUM);
	const struct assay_tier_reason *x = deciding(&r, "art6-3-derogation");
	assert_non_null(x);
	assert_non_null(strstr(x->text, "condition(s) a:"));
	assert_non_null(strstr(x->text, "Art. 6(4)"));
	assert_true(has_control(&r, "derogation-assessment"));
	assert_true(has_control(&r, "eu-registration")); /* Art. 49(2), in the EU */
	assert_false(has_control(&r, "technical-documentation"));
}

static void art6_3_exemption_overridden_by_profiling(void **state)
{
	struct assay_tier_result r = tier_of(
	    *state, "annex_iii_points: [\"4(a)\"]\nart6_3_exemptions: [d]\nprofiles_natural_persons: true\n");
	assert_int_equal(r.tier, ASSAY_TIER_HIGH);
	assert_non_null(deciding(&r, "annex-iii-4"));
	const struct assay_tier_reason *x = deciding(&r, "art6-3-profiling-override");
	assert_non_null(x);
	assert_non_null(strstr(x->text, "profiles natural persons"));
	for (size_t i = 0; i < r.n_reasons; i++)
		assert_string_not_equal(r.reasons[i].rule_id, "art6-3-derogation");
}

static void art50_transparency_only_is_medium(void **state)
{
	const char *paras[] = {"50(1)", "50(2)", "50(3)", "50(4)"};
	for (int i = 0; i < 4; i++) {
		char in[96], rule[16];
		snprintf(in, sizeof in, "art50_triggers: [\"%s\"]\n", paras[i]);
		snprintf(rule, sizeof rule, "art50-%d", i + 1);
		struct assay_tier_result r = tier_of(*state, in);
		assert_int_equal(r.tier, ASSAY_TIER_MEDIUM);
		assert_non_null(deciding(&r, rule));
		assert_true(has_control(&r, i == 0 || i == 2 ? "transparency-notice" : "content-marking"));
		assert_false(has_control(&r, "fairness-evaluation"));
	}
}

static void internal_analytics_is_low(void **state)
{
	struct assay_tier_result r = tier_of(*state, "lifecycle_stage: deployed\n");
	assert_int_equal(r.tier, ASSAY_TIER_LOW);
	assert_non_null(deciding(&r, "internal-analytics"));
	assert_int_equal(r.n_controls, 4);
	assert_false(has_evidence(&r, "fairness-evaluation"));
	/* no rule at all: the default */
	r = tier_of(*state, "deployment_context: partner\n");
	assert_int_equal(r.tier, ASSAY_TIER_LOW);
	assert_string_equal(r.reasons[0].rule_id, "default");
}

static void customer_facing_genai_at_least_medium(void **state)
{
	struct assay_tier_result r = tier_of(*state, "ai_type: genai\ndeployment_context: public\n");
	assert_int_equal(r.tier, ASSAY_TIER_MEDIUM);
	assert_non_null(deciding(&r, "customer-facing-genai"));
	assert_true(has_control(&r, "red-teaming"));
	r = tier_of(*state, "ai_type: genai\n"); /* internal GenAI: no rule fires */
	assert_int_equal(r.tier, ASSAY_TIER_LOW);
	assert_true(has_control(&r, "red-teaming")); /* still red-teamed: selected by type */
}

static void override_needs_reason(void **state)
{
	struct fx *f = *state;
	const char *y = "name: X\nai_type: rule_based\neu_role: deployer\nintended_purpose: "
	                "p\ndeployment_context: internal\n";
	json_t *in;
	struct assay_error err;
	assert_int_equal(assay_intake_load_buffer(&in, "x.yaml", y, strlen(y), NULL, &err), 0);
	struct assay_tier_result r;
	struct assay_tier_override o = {ASSAY_TIER_HIGH, ""};
	assert_int_equal(assay_policy_tier(f->p, in, &o, &r, &f->a, &err), ASSAY_EUSAGE);
	assert_non_null(strstr(err.message, "needs a reason"));
	o.reason = "board decision 2026-03: treated as high until the audit closes";
	assert_int_equal(assay_policy_tier(f->p, in, &o, &r, &f->a, &err), 0);
	assert_int_equal(r.tier, ASSAY_TIER_HIGH);
	assert_int_equal(r.computed_tier, ASSAY_TIER_LOW);
	assert_true(r.overridden);
	assert_true(has_control(&r, "human-oversight")); /* controls follow the effective tier */
	json_t *j = assay_tier_result_json(&r);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "assay.tier/1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "override"), "reason")),
	                    o.reason);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "policy"), "sha256")),
	                    assay_policy_sha256(f->p));
	json_decref(j);
	json_decref(in);
}

/* ---- the five scenario systems ------------------------------------------------------ */

static struct assay_tier_result scenario(struct fx *f, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/systems/%s.yaml", ASSAY_TESTDATA, name);
	json_t *in;
	struct assay_error err;
	if (assay_intake_load(&in, path, &err) != 0)
		fail_msg("%s: %s", path, err.message);
	struct assay_tier_result r;
	assert_int_equal(assay_policy_tier(f->p, in, NULL, &r, &f->a, &err), 0);
	json_decref(in);
	return r;
}

static void scenario_credit_scoring(void **state)
{
	struct assay_tier_result r = scenario(*state, "credit-scoring");
	assert_int_equal(r.tier, ASSAY_TIER_HIGH);
	assert_string_equal(r.reasons[0].rule_id, "annex-iii-5");
	assert_string_equal(r.reasons[0].text, "Annex III point 5(b) (access to essential private and public "
	                                       "services): high-risk under Art. 6(2)");
	assert_string_equal(r.reasons[0].cite, "EU AI Act Art. 6(2), Annex III 5");
	assert_int_equal(r.n_reasons, 2); /* + profiling, not deciding */
	const char *need[] = {"risk-assessment",    "data-governance",        "fairness-evaluation",
	                      "human-oversight",    "event-logging",          "technical-documentation",
	                      "quality-management", "post-market-monitoring", "eu-registration",
	                      "privacy-assessment"};
	for (size_t i = 0; i < sizeof need / sizeof *need; i++)
		assert_true(has_control(&r, need[i]));
	assert_false(has_control(&r, "red-teaming"));
	assert_false(has_control(&r, "deployer-obligations"));
	const char *keys[] = {"fairness-evaluation",    "model-card",   "risk-assessment",
	                      "drift-monitoring",       "data-quality", "human-oversight-plan",
	                      "technical-documentation"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		assert_true(has_evidence(&r, keys[i]));
	struct fx *f = *state;
	const struct assay_control *owner;
	const struct assay_evidence_req *ev = assay_policy_evidence_find(f->p, "fairness-evaluation", &owner);
	assert_int_equal(ev->kind, ASSAY_EVIDENCE_METRIC);
	assert_string_equal(owner->id, "fairness-evaluation");
}

static void scenario_hiring_screener(void **state)
{
	struct assay_tier_result r = scenario(*state, "hiring-screener");
	assert_int_equal(r.tier, ASSAY_TIER_HIGH);
	assert_string_equal(r.reasons[0].rule_id, "annex-iii-4");
	assert_non_null(strstr(r.reasons[0].text, "Annex III point 4(a) (employment"));
	assert_string_equal(r.reasons[1].rule_id, "art6-3-profiling-override");
	assert_true(r.reasons[1].decisive);
	assert_true(has_control(&r, "deployer-obligations"));
	assert_true(has_control(&r, "third-party-due-diligence"));
	assert_true(has_control(&r, "fairness-evaluation"));
	assert_false(has_control(&r, "quality-management")); /* provider duty; this is a deployer */
}

static void scenario_support_assistant(void **state)
{
	struct assay_tier_result r = scenario(*state, "support-assistant");
	assert_int_equal(r.tier, ASSAY_TIER_MEDIUM);
	assert_string_equal(r.reasons[0].rule_id, "art50-1");
	assert_string_equal(r.reasons[0].cite, "EU AI Act Art. 50(1)");
	assert_string_equal(r.reasons[1].rule_id, "customer-facing-genai");
	const char *need[] = {"transparency-notice",       "red-teaming",         "groundedness-evaluation",
	                      "third-party-due-diligence", "feedback-and-appeal", "post-market-monitoring"};
	for (size_t i = 0; i < sizeof need / sizeof *need; i++)
		assert_true(has_control(&r, need[i]));
	assert_true(has_evidence(&r, "red-team-report"));
	assert_false(has_control(&r, "fairness-evaluation"));
	assert_false(has_control(&r, "technical-documentation"));
}

static void scenario_demand_forecast(void **state)
{
	struct assay_tier_result r = scenario(*state, "demand-forecast");
	assert_int_equal(r.tier, ASSAY_TIER_LOW);
	assert_int_equal(r.n_reasons, 1);
	assert_string_equal(r.reasons[0].rule_id, "internal-analytics");
	/* a low-risk internal model does not carry the burden of the credit model */
	assert_int_equal(r.n_controls, 4);
	assert_true(has_control(&r, "model-card"));
	assert_true(has_control(&r, "performance-evaluation"));
	assert_false(has_control(&r, "risk-assessment"));
	assert_int_equal(r.n_evidence, 4);
}

static void scenario_ops_agent(void **state)
{
	struct assay_tier_result r = scenario(*state, "ops-agent");
	assert_int_equal(r.tier, ASSAY_TIER_MEDIUM);
	assert_non_null(deciding(&r, "art50-1"));
	assert_non_null(deciding(&r, "agent-with-tools"));
	const char *need[] = {
	    "agent-tool-permissions",    "human-oversight",    "event-logging", "red-teaming",
	    "third-party-due-diligence", "transparency-notice"};
	for (size_t i = 0; i < sizeof need / sizeof *need; i++)
		assert_true(has_control(&r, need[i]));
	assert_false(has_control(&r, "eu-registration"));
	assert_false(has_control(&r, "fairness-evaluation"));
}

/* ---- workflow and hash ---------------------------------------------------------------- */

static void workflow_per_tier(void **state)
{
	struct fx *f = *state;
	const struct assay_workflow_tier *h = assay_policy_workflow(f->p, ASSAY_TIER_HIGH);
	assert_int_equal(h->triage_hours, 48);
	assert_int_equal(h->decision_hours, 20 * 24);
	assert_int_equal(h->waiver_max_days, 30);
	assert_int_equal(h->n_signoff_roles, 4);
	assert_string_equal(h->signoff_roles[1], "rai_lead");
	const struct assay_workflow_tier *p = assay_policy_workflow(f->p, ASSAY_TIER_PROHIBITED);
	assert_int_equal(p->waiver_max_days, 0);
	assert_int_equal(p->decision_validity_days, 0);
	for (int t = 0; t < ASSAY_TIER_COUNT; t++)
		assert_true(assay_policy_workflow(f->p, (enum assay_tier)t)->triage_hours > 0);
}

static void embedded_pack_equals_source_tree(void **state)
{
	struct fx *f = *state;
	struct assay_arena a = {0};
	struct assay_policy *disk;
	struct assay_error err;
	assert_int_equal(assay_policy_load(&disk, SOURCE_ROOT "/policies/default", &a, &err), 0);
	assert_string_equal(assay_policy_sha256(disk), assay_policy_sha256(f->p));
	assert_string_equal(assay_policy_source(f->p), "built-in");
	assert_int_equal(strlen(assay_policy_sha256(disk)), 64);
	/* a different pack hashes differently and keeps its own version */
	struct assay_policy *min;
	assert_int_equal(assay_policy_load(&min, ASSAY_TESTDATA "/policies/minimal", &a, &err), 0);
	assert_string_not_equal(assay_policy_sha256(min), assay_policy_sha256(f->p));
	assert_string_equal(assay_policy_version(min), "1");
	assay_arena_free(&a);
}

static void minimal_pack_evidence_by_tier(void **state)
{
	struct assay_arena a = {0};
	struct assay_policy *p;
	struct assay_error err;
	assert_int_equal(assay_policy_load(&p, ASSAY_TESTDATA "/policies/minimal", &a, &err), 0);
	const char *y = "name: C\nai_type: classical_ml\neu_role: provider\nintended_purpose: p\n"
	                "deployment_context: public\nannex_iii_points: [5b]\n";
	json_t *in;
	assert_int_equal(assay_intake_load_buffer(&in, "c.yaml", y, strlen(y), NULL, &err), 0);
	struct assay_tier_result r;
	assert_int_equal(assay_policy_tier(p, in, NULL, &r, &a, &err), 0);
	assert_int_equal(r.tier, ASSAY_TIER_HIGH);
	assert_int_equal(r.n_controls, 2);
	assert_int_equal(r.n_evidence, 2);
	assert_string_equal(r.controls[1].selected_by, "high");
	assert_string_equal(r.policy_name, "minimal");
	json_decref(in);
	assay_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(prohibited_practice),
	    cmocka_unit_test(each_annex_iii_area),
	    cmocka_unit_test(art6_3_exemption_accepted),
	    cmocka_unit_test(art6_3_exemption_overridden_by_profiling),
	    cmocka_unit_test(art50_transparency_only_is_medium),
	    cmocka_unit_test(internal_analytics_is_low),
	    cmocka_unit_test(customer_facing_genai_at_least_medium),
	    cmocka_unit_test(override_needs_reason),
	    cmocka_unit_test(scenario_credit_scoring),
	    cmocka_unit_test(scenario_hiring_screener),
	    cmocka_unit_test(scenario_support_assistant),
	    cmocka_unit_test(scenario_demand_forecast),
	    cmocka_unit_test(scenario_ops_agent),
	    cmocka_unit_test(workflow_per_tier),
	    cmocka_unit_test(embedded_pack_equals_source_tree),
	    cmocka_unit_test(minimal_pack_evidence_by_tier),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
