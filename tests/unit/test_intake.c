/* test_intake.c: intake records (assay/intake.h): unknown fields and bad
 * values are errors at their line with a did-you-mean; identifiers in the
 * spellings people write are stored canonically; defaults and the slug are
 * filled in; records built elsewhere are validated the same way.
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

#define BASE                                                                                                 \
	"name: Credit Scoring v2\nai_type: classical_ml\neu_role: provider\nintended_purpose: "              \
	"p\ndeployment_context: internal\n"

static int load(const char *yaml, json_t **out, struct assay_error *err)
{
	assay_error_clear(err);
	return assay_intake_load_buffer(out, "s.yaml", yaml, strlen(yaml), NULL, err);
}

static void defaults_and_slug(void **state)
{
	json_t *r;
	struct assay_error err;
	char sha[65];
	assert_int_equal(assay_intake_load_buffer(&r, "s.yaml", BASE, strlen(BASE), sha, &err), 0);
	assert_int_equal(strlen(sha), 64);
	assert_string_equal(json_string_value(json_object_get(r, "slug")), "credit-scoring-v2");
	assert_string_equal(json_string_value(json_object_get(r, "lifecycle_stage")), "idea");
	assert_true(json_is_false(json_object_get(r, "profiles_natural_persons")));
	assert_int_equal(json_array_size(json_object_get(r, "annex_iii_points")), 0);
	size_t n;
	assay_intake_fields(&n);
	assert_int_equal(json_object_size(r), n); /* every field present */
	assert_int_equal(assay_intake_validate(r, "db", &err), 0);
	json_decref(r);
	char s[64];
	assert_int_equal(assay_intake_slugify("  Über -- Model (v3)! ", s, sizeof s), strlen("ber-model-v3"));
	assert_string_equal(s, "ber-model-v3");
}

static void canonical_identifiers(void **state)
{
	json_t *r;
	struct assay_error err;
	assert_int_equal(load(BASE
	                      "annex_iii_points: [4a, \"Annex III 5(b)\", \"2\", 4A]\n"
	                      "art5_practices: [\"Art. 5(1)(c)\"]\nart6_3_exemptions: [\"(d)\"]\n"
	                      "art50_triggers: [1, \"Art. 50(4)\"]\ngeographies: [eu, de]\nai_type: RAG\n",
	                      &r, &err),
	                 ASSAY_EINPUT); /* ai_type twice: ambiguous, so an error at the second */
	assert_int_equal(err.line, 11);
	assert_non_null(strstr(err.message, "\"ai_type\" is given twice (first at line 2)"));
	assert_int_equal(load(BASE "annex_iii_points: [4a, \"Annex III 5(b)\", \"2\", 4A]\n"
	                           "art5_practices: [\"Art. 5(1)(c)\"]\nart6_3_exemptions: [\"(d)\"]\n"
	                           "art50_triggers: [1, \"Art. 50(4)\"]\ngeographies: [eu, de]\n",
	                      &r, &err),
	                 0);
	json_t *pts = json_object_get(r, "annex_iii_points");
	assert_int_equal(json_array_size(pts), 3); /* 4a and 4A are one point */
	assert_string_equal(json_string_value(json_array_get(pts, 0)), "4(a)");
	assert_string_equal(json_string_value(json_array_get(pts, 1)), "5(b)");
	assert_string_equal(json_string_value(json_array_get(pts, 2)), "2");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "art5_practices"), 0)), "c");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "art6_3_exemptions"), 0)),
	                    "d");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "art50_triggers"), 0)),
	                    "50(1)");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "art50_triggers"), 1)),
	                    "50(4)");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "geographies"), 1)), "DE");
	json_decref(r);
}

static void errors_are_located(void **state)
{
	json_t *r;
	struct assay_error err;
	assert_int_equal(load(BASE "lifecycle_stag: deployed\n", &r, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 6);
	assert_int_equal(err.column, 1);
	assert_non_null(strstr(err.message, "unknown key \"lifecycle_stag\""));
	assert_non_null(strstr(err.message, "did you mean \"lifecycle_stage\""));
	assert_null(r);

	assert_int_equal(load(BASE "annex_iii_points: [\"5(b)\", \"9(z)\"]\n", &r, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 6);
	assert_int_equal(err.column, 28);
	assert_non_null(strstr(err.message, "\"9(z)\" is not a valid annex_iii_points"));

	assert_int_equal(load("name: X\nai_type: genia\n", &r, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.message, "did you mean \"genai\""));

	assert_int_equal(load(BASE "profiles_natural_persons: maybe\n", &r, &err), ASSAY_EINPUT);
	assert_int_equal(err.line, 6);

	assert_int_equal(load(BASE "geographies: EU\n", &r, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "expected a list"));

	assert_int_equal(load("name: X\nai_type: rag\n", &r, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "lacks \"eu_role\""));
	assert_non_null(strstr(err.hint, "provider, deployer"));

	assert_int_equal(
	    load(BASE "components:\n  - {name: gpt, kind: foundation_model, vendor: X}\n", &r, &err),
	    ASSAY_EINPUT);
	assert_int_equal(err.line, 7);
	assert_non_null(strstr(err.message, "needs a vendor and a licence"));

	assert_int_equal(load(BASE "artifacts: {model: abc}\n", &r, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "artifacts.model is not a sha256"));

	assert_int_equal(load(BASE "slug: Bad_Slug\n", &r, &err), ASSAY_EINPUT);
	assert_int_equal(load("", &r, &err), ASSAY_EINPUT);
	assert_int_equal(load("name: [unclosed\n", &r, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "invalid YAML"));
}

static void records_from_flags(void **state)
{
	struct assay_error err;
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s]}", "name", "Fraud Model", "ai_type", "Classical_ML",
	                      "eu_role", "provider", "intended_purpose", "flag fraud", "deployment_context",
	                      "internal", "annex_iii_points", "5b");
	assert_int_equal(assay_intake_validate(r, "flags", &err), ASSAY_EINPUT); /* not normalised yet */
	assert_int_equal(assay_intake_normalize(r, "flags", &err), 0);
	assert_string_equal(json_string_value(json_object_get(r, "ai_type")), "classical_ml");
	assert_string_equal(json_string_value(json_array_get(json_object_get(r, "annex_iii_points"), 0)),
	                    "5(b)");
	assert_string_equal(json_string_value(json_object_get(r, "slug")), "fraud-model");
	json_object_set_new(r, "risk_tier", json_string("low"));
	assert_int_equal(assay_intake_validate(r, "db row 7", &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "unknown field \"risk_tier\""));
	assert_string_equal(err.file, "db row 7");
	json_decref(r);
}

static void scenario_files_load(void **state)
{
	const char *names[] = {"credit-scoring", "hiring-screener", "support-assistant", "demand-forecast",
	                       "ops-agent"};
	for (size_t i = 0; i < 5; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/systems/%s.yaml", ASSAY_TESTDATA, names[i]);
		json_t *r;
		struct assay_error err;
		if (assay_intake_load(&r, path, &err) != 0)
			fail_msg("%s: %s", path, err.message);
		assert_string_equal(json_string_value(json_object_get(r, "slug")), names[i]);
		json_decref(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_and_slug),   cmocka_unit_test(canonical_identifiers),
	    cmocka_unit_test(errors_are_located),  cmocka_unit_test(records_from_flags),
	    cmocka_unit_test(scenario_files_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
