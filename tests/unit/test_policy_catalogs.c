/* test_policy_catalogs.c: the built-in catalogs (assay/catalog.h) have the
 * counts and identifier formats of their sources (../shared/anchors/
 * governance.md section 3): NIST AI RMF 1.0 4 functions, 19 categories and
 * 72 subcategories with the per-category counts (VerifyWise ships 74);
 * NIST AI 600-1 12 risks; ISO/IEC 42001 Annex A 38 controls in A.2-A.10;
 * EU AI Act Art. 5(1)(a)-(h), Annex III 8 areas / 25 points, Art. 6(3)(a)-(d),
 * Arts. 9-15, Art. 50(1)-(4), Annex IV 9 sections, Arts. 72-73. And lint
 * reports every problem of a broken pack at its line.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/catalog.h"
#include "assay/policy.h"

static struct assay_arena arena;
static struct assay_policy *pol;

static int setup(void **state)
{
	struct assay_error err;
	return assay_policy_load(&pol, NULL, &arena, &err);
}

static int teardown(void **state)
{
	assay_arena_free(&arena);
	return 0;
}

/* Every entry of kind `kind` matches the POSIX ERE `pattern`; returns their number. */
static size_t count_matching(const struct assay_catalog *c, const char *kind, const char *pattern)
{
	regex_t re;
	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	size_t n = 0;
	for (size_t i = 0; i < c->n_entries; i++) {
		if (strcmp(c->entries[i].kind, kind))
			continue;
		if (regexec(&re, c->entries[i].id, 0, NULL, 0) != 0)
			fail_msg("%s: \"%s\" does not match %s", c->id, c->entries[i].id, pattern);
		n++;
	}
	regfree(&re);
	return n;
}

static size_t children(const struct assay_catalog *c, const char *parent)
{
	size_t n = 0;
	for (size_t i = 0; i < c->n_entries; i++)
		n += c->entries[i].parent && !strcmp(c->entries[i].parent, parent);
	return n;
}

static void nist_ai_rmf(void **state)
{
	const struct assay_catalog *c = assay_catalog_find(pol, "nist-ai-rmf");
	assert_non_null(c);
	assert_string_equal(c->version, "1.0");
	assert_int_equal(count_matching(c, "function", "^(GOVERN|MAP|MEASURE|MANAGE)$"), 4);
	assert_int_equal(count_matching(c, "category", "^(GOVERN|MAP|MEASURE|MANAGE) [1-9]$"), 19);
	assert_int_equal(
	    count_matching(c, "subcategory", "^(GOVERN|MAP|MEASURE|MANAGE) [1-9]\\.[1-9][0-9]?$"), 72);
	assert_int_equal(assay_catalog_count_assessable(c), 72);
	struct {
		const char *cat;
		size_t n;
	} per[] = {{"GOVERN 1", 7}, {"GOVERN 2", 3},  {"GOVERN 3", 2},   {"GOVERN 4", 3},  {"GOVERN 5", 2},
	           {"GOVERN 6", 2}, {"MAP 1", 6},     {"MAP 2", 3},      {"MAP 3", 5},     {"MAP 4", 2},
	           {"MAP 5", 2},    {"MEASURE 1", 3}, {"MEASURE 2", 13}, {"MEASURE 3", 3}, {"MEASURE 4", 3},
	           {"MANAGE 1", 4}, {"MANAGE 2", 4},  {"MANAGE 3", 2},   {"MANAGE 4", 3}};
	for (size_t i = 0; i < sizeof per / sizeof *per; i++)
		assert_int_equal(children(c, per[i].cat), per[i].n);
	assert_int_equal(children(c, "GOVERN"), 6);
	assert_int_equal(children(c, "MEASURE"), 4);
	assert_non_null(assay_catalog_entry_find(c, "MEASURE 2.11"));
	assert_null(assay_catalog_entry_find(c, "MEASURE 2.14"));
	assert_false(c->verified_against_primary);
}

static void nist_genai_profile(void **state)
{
	const struct assay_catalog *c = assay_catalog_find(pol, "nist-ai-600-1");
	assert_int_equal(count_matching(c, "risk", "^2\\.([1-9]|1[0-2])$"), 12);
	assert_string_equal(assay_catalog_entry_find(c, "2.2")->title, "Confabulation");
	assert_string_equal(assay_catalog_entry_find(c, "2.12")->title,
	                    "Value chain and component integration");
}

static void iso_42001_annex_a(void **state)
{
	const struct assay_catalog *c = assay_catalog_find(pol, "iso-42001");
	assert_int_equal(count_matching(c, "area", "^A\\.([2-9]|10)$"), 9);
	assert_int_equal(count_matching(c, "control", "^A\\.([2-9]|10)\\.[1-9](\\.[1-9])?$"), 38);
	size_t per[] = {3, 2, 5, 4, 9, 5, 4, 3, 3};
	for (int a = 2; a <= 10; a++) {
		char id[8];
		snprintf(id, sizeof id, "A.%d", a);
		assert_int_equal(children(c, id), per[a - 2]);
	}
	assert_non_null(assay_catalog_entry_find(c, "A.6.2.8"));
	assert_non_null(strstr(c->licence_note, "own words"));
}

static void eu_ai_act(void **state)
{
	const struct assay_catalog *c = assay_catalog_find(pol, "eu-ai-act");
	assert_int_equal(count_matching(c, "prohibited_practice", "^Art\\. 5\\(1\\)\\([a-h]\\)$"), 8);
	assert_int_equal(count_matching(c, "area", "^Annex III area [1-8]$"), 8);
	assert_int_equal(count_matching(c, "point", "^Annex III [1-8](\\([a-e]\\))?$"), 25);
	assert_int_equal(count_matching(c, "condition", "^Art\\. 6\\(3\\)\\([a-d]\\)$"), 4);
	assert_int_equal(count_matching(c, "section", "^Annex IV [1-9]$"), 9);
	assert_int_equal(children(c, "Art. 50"), 4);
	size_t per_area[] = {3, 1, 4, 2, 4, 5, 4, 2};
	for (int a = 1; a <= 8; a++) {
		char id[32];
		snprintf(id, sizeof id, "Annex III area %d", a);
		assert_int_equal(children(c, id), per_area[a - 1]);
	}
	const char *arts[] = {"Art. 9",  "Art. 10", "Art. 11", "Art. 12", "Art. 13",
	                      "Art. 14", "Art. 15", "Art. 72", "Art. 73"};
	for (size_t i = 0; i < sizeof arts / sizeof *arts; i++)
		assert_true(assay_catalog_entry_find(c, arts[i])->assessable);
	/* moving application dates are data, with their provenance */
	int omnibus = 0;
	for (size_t i = 0; i < c->n_dates; i++)
		omnibus |= !strcmp(c->dates[i].date, "2027-12-02") && c->dates[i].note &&
		           strstr(c->dates[i].note, "unverified");
	assert_true(omnibus);
}

static void every_catalog_has_provenance(void **state)
{
	assert_int_equal(assay_catalog_count(pol), 4);
	for (size_t i = 0; i < assay_catalog_count(pol); i++) {
		const struct assay_catalog *c = assay_catalog_at(pol, i);
		assert_true(strlen(c->retrieved) == 10);
		assert_true(strlen(c->source) > 5);
		assert_non_null(c->source_url);
	}
}

static void default_controls_map_to_all_three(void **state)
{
	for (size_t i = 0; i < assay_policy_control_count(pol); i++) {
		const struct assay_control *c = assay_policy_control_at(pol, i);
		int nist = 0, iso = 0, eu = 0;
		for (size_t k = 0; k < c->n_maps_to; k++) {
			nist |= !strcmp(c->maps_to[k].catalog, "nist-ai-rmf");
			iso |= !strcmp(c->maps_to[k].catalog, "iso-42001");
			eu |= !strcmp(c->maps_to[k].catalog, "eu-ai-act");
		}
		if (!nist || !iso || !eu)
			fail_msg("control %s does not map to all three catalogs", c->id);
	}
	const struct assay_coverage *cov;
	size_t n;
	struct assay_error err;
	assert_int_equal(assay_policy_coverage(pol, &cov, &n, &arena, &err), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cov[i].covered + cov[i].n_uncovered, cov[i].total);
		if (!strcmp(cov[i].catalog->id, "iso-42001") || !strcmp(cov[i].catalog->id, "eu-ai-act"))
			assert_int_equal(cov[i].n_uncovered, 0);
		if (!strcmp(cov[i].catalog->id, "nist-ai-rmf"))
			assert_int_equal(cov[i].total, 72);
	}
}

static int has_issue(const struct assay_lint_report *r, const char *file_end, unsigned long line,
                     const char *text)
{
	for (size_t i = 0; i < r->n_issues; i++) {
		size_t fl = strlen(r->issues[i].file), el = strlen(file_end);
		if (fl >= el && !strcmp(r->issues[i].file + fl - el, file_end) && r->issues[i].line == line &&
		    strstr(r->issues[i].message, text))
			return 1;
	}
	return 0;
}

static void lint_reports_every_problem_with_its_line(void **state)
{
	struct assay_arena a = {0};
	struct assay_lint_report r;
	struct assay_error err;
	assert_int_equal(assay_policy_lint(ASSAY_TESTDATA "/policies/broken", &r, &a, &err), 0);
	assert_true(has_issue(&r, "controls.yaml", 4,
	                      "unknown key \"objectve\" in a control; did you mean \"objective\"?"));
	assert_true(has_issue(&r, "controls.yaml", 8, "duplicate control id \"model-card\""));
	assert_true(has_issue(&r, "controls.yaml", 13, "unknown evidence kind \"report\""));
	assert_true(
	    has_issue(&r, "controls.yaml", 15, "\"GOVERN 9.9\" is not an entry of catalog nist-ai-rmf"));
	assert_true(has_issue(&r, "controls.yaml", 17,
	                      "unknown catalog \"nist-rmf\"; did you mean \"nist-ai-rmf\"?"));
	assert_true(has_issue(&r, "tiering.yaml", 1, "\"lowest\" is not a tier"));
	assert_true(has_issue(&r, "tiering.yaml", 5, "unknown field \"ai_typ\"; did you mean \"ai_type\"?"));
	assert_true(has_issue(&r, "tiering.yaml", 9, "\"genia\" is not a value of field \"ai_type\""));
	assert_true(has_issue(&r, "tiering.yaml", 13, "is a list: equals does not apply"));
	assert_true(has_issue(&r, "tiering.yaml", 17, "\"tier\" cannot be used in a tiering rule"));
	assert_true(has_issue(&r, "applicability.yaml", 4, "unknown control \"model-crad\""));
	assert_true(has_issue(&r, "applicability.yaml", 6, "unknown predicate \"nowhere\""));
	assert_true(has_issue(&r, "workflow.yaml", 3, "positive duration, found \"3 days\""));
	assert_true(has_issue(&r, "workflow.yaml", 2, "no parameters for tier \"prohibited\""));
	assert_true(has_issue(&r, "tierng.yaml", 0, "not a policy pack file"));
	/* load stops with the first and counts them all */
	struct assay_policy *p;
	assert_int_equal(assay_policy_load(&p, ASSAY_TESTDATA "/policies/broken", &a, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.hint, "problems in all"));
	assert_int_equal(assay_policy_lint(ASSAY_TESTDATA "/policies/minimal", &r, &a, &err), 0);
	assert_int_equal(r.n_issues, 0);
	assert_int_equal(assay_policy_lint(ASSAY_TESTDATA "/policies/nonexistent", &r, &a, &err), ASSAY_EIO);
	assay_arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(nist_ai_rmf),
	    cmocka_unit_test(nist_genai_profile),
	    cmocka_unit_test(iso_42001_annex_a),
	    cmocka_unit_test(eu_ai_act),
	    cmocka_unit_test(every_catalog_has_provenance),
	    cmocka_unit_test(default_controls_map_to_all_three),
	    cmocka_unit_test(lint_reports_every_problem_with_its_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
