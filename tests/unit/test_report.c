/* test_report.c: the eval renderers (assay/report.h), stated as facts a
 * reader of each format relies on: the JSON parses, carries its schema and
 * round-trips doubles exactly; JUnit fails CI for the right checks and
 * names the threshold; the HTML is self-contained and escapes group names;
 * the Markdown has the checks table; the text tables line up; every
 * format is byte-for-byte reproducible.
 *
 * The report is built by hand (no eval engine): a COMPAS-like binary
 * classifier over race with one group too small to judge, and a small
 * regression report.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "assay/report.h"

/* ---- fixtures ------------------------------------------------------------ */

#define NSLICES 4

struct fixture {
	struct assay_eval_report r;
	struct assay_slice_result slices[NSLICES];
	const char *feature[NSLICES][1];
	const char *level[NSLICES][1];
	struct assay_slicing slicing;
	struct assay_disparity_result disp[4];
	struct assay_di_result di[3];
	struct assay_check_result checks[3];
	struct assay_input_info inputs[2];
	const char *warnings[1];
	const char *sensitive[1];
};

static struct assay_interval iv(double lo, double hi)
{
	return (struct assay_interval){lo, hi};
}

/* Rates from the four cells, with a made-up but plausible interval. */
static void fill_binary(struct assay_slice_result *s, uint64_t tp, uint64_t fp, uint64_t tn, uint64_t fn,
                        double auc)
{
	double n = (double)(tp + fp + tn + fn);
	s->n = tp + fp + tn + fn;
	s->cells = (struct assay_cells){tp, fp, tn, fn};
	for (int m = 0; m < ASSAY_M__COUNT; m++) {
		s->value[m] = NAN;
		s->ci[m] = iv(NAN, NAN);
	}
	s->value[ASSAY_M_COUNT] = n;
	s->value[ASSAY_M_BASE_RATE] = (double)(tp + fn) / n;
	s->value[ASSAY_M_SELECTION_RATE] = (double)(tp + fp) / n;
	s->value[ASSAY_M_ACCURACY] = (double)(tp + tn) / n;
	s->value[ASSAY_M_PRECISION] = (double)tp / (double)(tp + fp);
	s->value[ASSAY_M_RECALL] = (double)tp / (double)(tp + fn);
	s->value[ASSAY_M_FPR] = (double)fp / (double)(fp + tn);
	s->value[ASSAY_M_FNR] = (double)fn / (double)(tp + fn);
	s->value[ASSAY_M_TNR] = (double)tn / (double)(fp + tn);
	s->value[ASSAY_M_ROC_AUC] = auc;
	double half = 1.96 * 0.5 / sqrt(n);
	for (int m = ASSAY_M_BASE_RATE; m <= ASSAY_M_TNR; m++)
		if (!isnan(s->value[m]))
			s->ci[m] = iv(fmax(0, s->value[m] - half), fmin(1, s->value[m] + half));
	if (!isnan(auc))
		s->ci[ASSAY_M_ROC_AUC] = iv(auc - half, auc + half);
}

static void slice(struct fixture *f, size_t i, const char *label, const char *level)
{
	struct assay_slice_result *s = &f->slices[i];
	s->label = label;
	s->slicing = level ? 0 : -1;
	if (level) {
		f->feature[i][0] = "race";
		f->level[i][0] = level;
		s->nparts = 1;
		s->part_feature = f->feature[i];
		s->part_level = f->level[i];
	}
}

static void make_binary(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	struct assay_eval_report *r = &f->r;
	r->schema = "assay.eval/1";
	r->tool_version = "0.1.0";
	r->generated_at = "2025-01-01T00:00:00Z";
	f->sensitive[0] = "race";
	r->params = (struct assay_eval_params){
	    .task = ASSAY_TASK_BINARY,
	    .label = "two_year_recid",
	    .pred = "high_risk",
	    .score = "decile_score",
	    .sensitive = f->sensitive,
	    .nsensitive = 1,
	    .threshold = NAN,
	    .min_group_size = 30,
	    .ci_method = ASSAY_CI_BOOTSTRAP,
	    .bootstrap = 1000,
	    .seed = 42,
	    .confidence = 0.95,
	    .reference_group = "race=Caucasian",
	    .inconclusive_fails = 1,
	};
	f->inputs[0] = (struct assay_input_info){"data", "data/compas-scored.csv", "", 1010, 123456};
	strcpy(f->inputs[0].sha256, "3f2a9c1b7e0d4c6a8b5e2f1d0c9b8a7968574635241302f1e0d9c8b7a6958473");
	f->inputs[1] = (struct assay_input_info){"plan", "ci/plan.yaml", "", 0, 512};
	strcpy(f->inputs[1].sha256, "0011223344556677889900112233445566778899001122334455667788990011");
	r->inputs = f->inputs;
	r->ninputs = 2;
	r->rows_read = 1010;
	r->rows_used = 1000;
	r->rows_filtered = 8;
	r->rows_na_sensitive = 2;

	slice(f, 0, "(all)", NULL);
	fill_binary(&f->slices[0], 283, 142, 400, 175, 0.702);
	slice(f, 1, "race=African-American", "African-American");
	fill_binary(&f->slices[1], 190, 90, 140, 100, 0.688);
	slice(f, 2, "race=Caucasian", "Caucasian");
	fill_binary(&f->slices[2], 90, 50, 250, 70, 0.721);
	slice(f, 3, "race=Other", "Other");
	fill_binary(&f->slices[3], 2, 1, 11, 6, NAN); /* AUC undefined here */
	f->slices[3].small = 1;
	r->slices = f->slices;
	r->nslices = NSLICES;
	f->slicing = (struct assay_slicing){"race", 1, 3, 1};
	r->slicings = &f->slicing;
	r->nslicings = 1;

	f->disp[0] = (struct assay_disparity_result){
	    ASSAY_D_DEMOGRAPHIC_PARITY_DIFFERENCE, 0, 55.0 / 196.0, 0.113, iv(0.22, 0.34), iv(0.08, 0.15)};
	f->disp[1] = (struct assay_disparity_result){
	    ASSAY_D_DEMOGRAPHIC_PARITY_RATIO, 0, 0.5634, 0.7181, iv(0.49, 0.64), iv(0.65, 0.79)};
	f->disp[2] = (struct assay_disparity_result){
	    ASSAY_D_EQUAL_OPPORTUNITY_DIFFERENCE, 0, 0.09, 0.05, iv(0.03, 0.15), iv(0.01, 0.09)};
	f->disp[3] = (struct assay_disparity_result){ASSAY_D_THEIL_BETWEEN, 0,           0.0042, NAN,
	                                             iv(0.001, 0.008),      iv(NAN, NAN)};
	r->disparities = f->disp;
	r->ndisparities = 4;
	double sr_c = f->slices[2].value[ASSAY_M_SELECTION_RATE];
	for (size_t i = 0; i < 3; i++) {
		double ratio = f->slices[1 + i].value[ASSAY_M_SELECTION_RATE] / sr_c;
		f->di[i] =
		    (struct assay_di_result){0, 2, 1 + i, ratio, iv(ratio * 0.9, ratio * 1.1), ratio >= 0.8};
	}
	r->di = f->di;
	r->ndi = 3;

	f->checks[0] = (struct assay_check_result){"accuracy",
	                                           "accuracy >= 0.6",
	                                           "ci/plan.yaml",
	                                           4,
	                                           ASSAY_CHECK_PASS,
	                                           "(all)",
	                                           0.683,
	                                           iv(0.654, 0.712),
	                                           ASSAY_CMP_GE,
	                                           0.6,
	                                           "accuracy 0.683 [0.654, 0.712] is at least 0.6"};
	f->checks[1] = (struct assay_check_result){"demographic parity by race",
	                                           "demographic_parity_ratio >= 0.8",
	                                           "ci/plan.yaml",
	                                           7,
	                                           ASSAY_CHECK_FAIL,
	                                           "race, between_groups",
	                                           0.5634,
	                                           iv(0.49, 0.64),
	                                           ASSAY_CMP_GE,
	                                           0.8,
	                                           "the whole interval [0.490, 0.640] is below 0.8"};
	f->checks[2] = (struct assay_check_result){
	    "equal opportunity",
	    "equal_opportunity_difference <= 0.1",
	    "ci/plan.yaml",
	    10,
	    ASSAY_CHECK_INCONCLUSIVE,
	    "race, between_groups",
	    0.09,
	    iv(0.03, 0.15),
	    ASSAY_CMP_LE,
	    0.1,
	    "the interval [0.030, 0.150] contains 0.1: collect more data to decide"};
	r->checks = f->checks;
	r->nchecks = 3;
	f->warnings[0] = "race=Other has 20 rows (fewer than 30): shown, excluded from disparities";
	r->warnings = f->warnings;
	r->nwarnings = 1;
	r->passed = 0;
}

static void make_regression(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	struct assay_eval_report *r = &f->r;
	r->schema = "assay.eval/1";
	r->tool_version = "0.1.0";
	r->generated_at = "2025-01-01T00:00:00Z";
	f->sensitive[0] = "sex";
	r->params = (struct assay_eval_params){.task = ASSAY_TASK_REGRESSION,
	                                       .label = "income",
	                                       .pred = "predicted_income",
	                                       .sensitive = f->sensitive,
	                                       .nsensitive = 1,
	                                       .threshold = NAN,
	                                       .min_group_size = 30,
	                                       .ci_method = ASSAY_CI_NONE,
	                                       .confidence = 0.95,
	                                       .inconclusive_fails = 1};
	f->inputs[0] = (struct assay_input_info){"data", "income.csv", "", 300, 9000};
	r->inputs = f->inputs;
	r->ninputs = 1;
	r->rows_read = r->rows_used = 300;
	static const double v[3][5] = {{5120.5, 7010.25, 0.61, 48210.0, -130.5},
	                               {5400.0, 7300.0, 0.58, 51000.0, -90.0},
	                               {4900.0, 6700.0, 0.64, 45600.0, -170.0}};
	const char *labels[3] = {"(all)", "sex=Female", "sex=Male"};
	const char *levels[3] = {NULL, "Female", "Male"};
	for (size_t i = 0; i < 3; i++) {
		struct assay_slice_result *s = &f->slices[i];
		for (int m = 0; m < ASSAY_M__COUNT; m++) {
			s->value[m] = NAN;
			s->ci[m] = iv(NAN, NAN);
		}
		s->label = labels[i];
		s->slicing = levels[i] ? 0 : -1;
		if (levels[i]) {
			f->feature[i][0] = "sex";
			f->level[i][0] = levels[i];
			s->nparts = 1;
			s->part_feature = f->feature[i];
			s->part_level = f->level[i];
		}
		s->n = i == 0 ? 300 : 150;
		s->value[ASSAY_M_COUNT] = (double)s->n;
		s->value[ASSAY_M_MAE] = v[i][0];
		s->value[ASSAY_M_RMSE] = v[i][1];
		s->value[ASSAY_M_R2] = v[i][2];
		s->value[ASSAY_M_MEAN_PREDICTION] = v[i][3];
		s->value[ASSAY_M_MEAN_RESIDUAL] = v[i][4];
	}
	r->slices = f->slices;
	r->nslices = 3;
	f->slicing = (struct assay_slicing){"sex", 1, 2, 0};
	r->slicings = &f->slicing;
	r->nslicings = 1;
	r->passed = 1;
}

/* Render into memory; the caller frees. */
static char *render(const struct assay_eval_report *r, enum assay_report_format fmt, int color, int verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	struct assay_render_opts o = {color, verbose, 0};
	struct assay_error err;
	assay_error_clear(&err);
	int rc = assay_report_eval(r, fmt, &o, f, &err);
	if (rc)
		fprintf(stderr, "render: %s\n", err.message);
	assert_int_equal(rc, 0);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- tests --------------------------------------------------------------- */

static void format_names_round_trip(void **state)
{
	(void)state;
	for (int f = ASSAY_REPORT_TEXT; f <= ASSAY_REPORT_JUNIT; f++)
		assert_int_equal(assay_report_format_from_name(assay_report_format_name(f)), f);
	assert_int_equal(assay_report_format_from_name("md"), ASSAY_REPORT_MD);
	assert_int_equal(assay_report_format_from_name("markdown"), ASSAY_REPORT_MD);
	assert_int_equal(assay_report_format_from_name("xml"), -1);
	assert_int_equal(assay_report_format_from_name(NULL), -1);
}

static void json_is_the_documented_schema(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	char *out = render(&f.r, ASSAY_REPORT_JSON, 0, 0);
	json_error_t je;
	json_t *j = json_loads(out, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")), "assay.eval/1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "tool"), "name")), "assay");

	/* top-level keys in the documented order */
	static const char *const keys[] = {
	    "schema",   "tool",        "generated_at",     "inputs", "parameters", "rows",  "slices",
	    "slicings", "disparities", "disparate_impact", "checks", "warnings",   "passed"};
	const char *prev = out;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char k[40];
		snprintf(k, sizeof k, "\n  \"%s\":", keys[i]);
		const char *at = strstr(out, k);
		assert_non_null(at);
		assert_true(at > prev || i == 0);
		prev = at;
	}

	/* the failed check says so */
	json_t *checks = json_object_get(j, "checks");
	assert_int_equal(json_array_size(checks), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(checks, 1), "status")), "fail");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(checks, 1), "plan_line")), 7);
	assert_true(json_is_false(json_object_get(j, "passed")));

	/* NaN metrics are absent; NaN parameters are null; no NaN anywhere */
	json_t *other = json_array_get(json_object_get(j, "slices"), 3);
	assert_string_equal(json_string_value(json_object_get(other, "label")), "race=Other");
	assert_true(json_is_true(json_object_get(other, "small")));
	json_t *metrics = json_object_get(other, "metrics");
	assert_null(json_object_get(metrics, "roc_auc"));
	assert_non_null(json_object_get(metrics, "selection_rate"));
	assert_true(json_is_null(json_object_get(json_object_get(j, "parameters"), "threshold")));
	assert_null(strstr(out, "NaN"));
	assert_null(strstr(out, "nan"));
	assert_null(strstr(out, "inf"));
	json_t *theil = json_array_get(json_object_get(j, "disparities"), 3);
	assert_true(json_is_null(json_object_get(theil, "to_overall")));
	assert_true(json_is_null(json_object_get(theil, "to_overall_ci")));

	/* doubles round-trip to the same bits; counts are integers */
	json_t *dpd = json_array_get(json_object_get(j, "disparities"), 0);
	double between = json_real_value(json_object_get(dpd, "between_groups"));
	assert_memory_equal(&between, &(double){55.0 / 196.0}, sizeof between);
	assert_non_null(strstr(out, "0.28061224489795916"));
	json_t *aa = json_array_get(json_object_get(j, "slices"), 1);
	double sr = json_real_value(
	    json_object_get(json_object_get(json_object_get(aa, "metrics"), "selection_rate"), "value"));
	assert_memory_equal(&sr, &f.slices[1].value[ASSAY_M_SELECTION_RATE], sizeof sr);
	assert_true(json_is_integer(json_object_get(aa, "n")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(aa, "cells"), "tp")), 190);
	assert_string_equal(json_string_value(json_object_get(json_object_get(aa, "parts"), "race")),
	                    "African-American");
	assert_true(
	    json_is_null(json_object_get(json_array_get(json_object_get(j, "slices"), 0), "slicing")));
	json_t *sl = json_array_get(json_object_get(j, "slicings"), 0);
	assert_int_equal(json_array_size(json_object_get(sl, "groups")), 3);
	assert_int_equal(json_integer_value(json_object_get(sl, "excluded")), 1);
	json_decref(j);
	free(out);
}

static void json_replaces_invalid_utf8(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	f.slices[3].label = "race=\xff\xfe bad";
	char *out = render(&f.r, ASSAY_REPORT_JSON, 0, 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(json_object_get(j, "slices"), 3), "label")),
	    "race=\xef\xbf\xbd\xef\xbf\xbd bad");
	json_decref(j);
	free(out);
}

static void junit_fails_ci_for_failed_checks(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	char *out = render(&f.r, ASSAY_REPORT_JUNIT, 0, 0);
	/* inconclusive counts as a failure by default */
	assert_non_null(strstr(out, "<testsuite name=\"assay eval\" tests=\"3\" failures=\"2\" errors=\"0\" "
	                            "skipped=\"0\""));
	assert_int_equal(count(out, "<testcase "), 3);
	assert_int_equal(count(out, "<failure "), 2);
	assert_non_null(strstr(out, "classname=\"assay.eval.plan\" name=\"demographic parity by race\""));
	/* the failure message names value, interval and threshold */
	assert_non_null(
	    strstr(out, "message=\"race, between_groups = 0.563 [0.490, 0.640], needs &gt;= 0.8"));
	free(out);

	f.r.params.inconclusive_fails = 0;
	out = render(&f.r, ASSAY_REPORT_JUNIT, 0, 0);
	assert_non_null(strstr(out, "tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
	assert_int_equal(count(out, "<skipped "), 1);
	free(out);
}

static void junit_without_checks_has_one_passing_case(void **state)
{
	(void)state;
	struct fixture f;
	make_regression(&f);
	char *out = render(&f.r, ASSAY_REPORT_JUNIT, 0, 0);
	assert_non_null(strstr(out, "tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
	assert_non_null(strstr(out, "name=\"evaluation completed\"/>"));
	assert_non_null(strstr(out, "<system-out>"));
	free(out);
}

static void junit_replaces_characters_xml_cannot_carry(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	f.checks[1].message = "bell\x07 esc\x1b[31m bad\xc3 <&>";
	char *out = render(&f.r, ASSAY_REPORT_JUNIT, 0, 0);
	assert_null(strchr(out, '\x07'));
	assert_null(strchr(out, '\x1b'));
	assert_non_null(strstr(out, "bell\xef\xbf\xbd esc\xef\xbf\xbd[31m bad\xef\xbf\xbd &lt;&amp;&gt;"));
	free(out);
}

static void html_is_self_contained_and_escaped(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	f.slices[3].label = "race=<b>&\"x\"";
	f.level[3][0] = "<b>&\"x\"";
	char *out = render(&f.r, ASSAY_REPORT_HTML, 0, 0);
	assert_true(strncmp(out, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(out, "<svg"));
	assert_null(strstr(out, "<script"));
	assert_null(strstr(out, "<link"));
	assert_null(strstr(out, "src="));
	assert_null(strstr(out, "url("));
	/* the only URL is the SVG namespace name, which is never fetched */
	assert_int_equal(count(out, "http"), count(out, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_null(strstr(out, "<b>&\"x\""));
	assert_non_null(strstr(out, ">&lt;b&gt;&amp;&quot;x&quot;<"));              /* as a table cell */
	assert_non_null(strstr(out, "title=\"race=&lt;b&gt;&amp;&quot;x&quot;\"")); /* as an attribute */
	/* small groups are labelled in words, not only greyed */
	assert_non_null(strstr(out, "n&lt;30, excluded"));
	/* status in words, the four-fifths line drawn */
	assert_non_null(strstr(out, "✗ FAIL"));
	assert_non_null(strstr(out, "? INCONCLUSIVE"));
	assert_non_null(strstr(out, "four-fifths 0.8"));
	assert_non_null(strstr(out, f.inputs[0].sha256));
	free(out);
}

static void markdown_has_the_checks_table(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	f.slices[3].label = "race=a|b";
	char *out = render(&f.r, ASSAY_REPORT_MD, 0, 0);
	assert_true(strncmp(out, "## ❌ assay eval: failed", strlen("## ❌ assay eval: failed")) == 0);
	assert_non_null(strstr(out, "| Status | Check | Subject |"));
	assert_non_null(strstr(out, "| ❌ fail | demographic parity by race"));
	assert_non_null(strstr(out, "| ⚠️ inconclusive |"));
	assert_non_null(strstr(out, "race=a\\|b"));
	assert_non_null(strstr(out, "<details>"));
	assert_non_null(strstr(out, f.inputs[0].sha256));
	free(out);
}

/* Width in code points (what a terminal shows for these strings). */
static size_t width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Every table (a header line, a "  ---" rule, rows up to a blank line) has
 * lines of one width. Returns the number of tables seen. */
static size_t check_tables_aligned(const char *out)
{
	size_t tables = 0;
	const char *prev = NULL, *line = out;
	while (*line) {
		const char *end = strchr(line, '\n');
		if (!end)
			break;
		if (prev && strncmp(line, "  ---", 5) == 0) {
			size_t w = width(line, (size_t)(end - line));
			assert_int_equal(width(prev, (size_t)(line - 1 - prev)), w);
			const char *row = end + 1;
			while (*row && *row != '\n') {
				const char *re = strchr(row, '\n');
				assert_non_null(re);
				assert_int_equal(width(row, (size_t)(re - row)), w);
				row = re + 1;
			}
			tables++;
		}
		prev = line;
		line = end + 1;
	}
	return tables;
}

static void text_tables_align_without_colour(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	char *out = render(&f.r, ASSAY_REPORT_TEXT, 0, 0);
	assert_null(strchr(out, '\033'));
	/* overall, race, disparities, disparate impact */
	assert_int_equal(check_tables_aligned(out), 4);
	assert_non_null(strstr(out, "race=Other (small, n<30)"));
	assert_non_null(strstr(out, "0.425 [0.394, 0.456]")); /* overall selection rate with its interval */
	assert_non_null(strstr(out, "  FAIL          demographic parity by race"));
	assert_non_null(strstr(out, "sha256 3f2a9c1b7e0d "));
	/* the last line is the verdict */
	const char *last = "\nassay eval: 3 checks, 1 passed, 1 failed, 1 inconclusive "
	                   "(inconclusive counts as failure): FAIL\n";
	assert_int_equal(strcmp(out + strlen(out) - strlen(last), last), 0);
	free(out);

	out = render(&f.r, ASSAY_REPORT_TEXT, 1, 0);
	assert_non_null(strstr(out, "\033[31mFAIL\033[0m"));
	free(out);

	/* verbose: every metric of every slice, still aligned */
	out = render(&f.r, ASSAY_REPORT_TEXT, 0, 1);
	assert_int_equal(check_tables_aligned(out), 4 + NSLICES);
	assert_non_null(strstr(out, "false_negative_rate"));
	assert_non_null(strstr(out, "tp=190 fp=90 tn=140 fn=100"));
	free(out);
}

static void regression_shows_errors_not_rates(void **state)
{
	(void)state;
	struct fixture f;
	make_regression(&f);
	char *out = render(&f.r, ASSAY_REPORT_TEXT, 0, 0);
	assert_non_null(strstr(out, "MAE"));
	assert_non_null(strstr(out, "R²"));
	assert_non_null(strstr(out, "5120.500"));
	assert_null(strstr(out, "selection rate"));
	assert_int_equal(check_tables_aligned(out), 2);
	assert_non_null(strstr(out, "assay eval: no checks: PASS\n"));
	free(out);

	out = render(&f.r, ASSAY_REPORT_JSON, 0, 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	json_t *s0 = json_array_get(json_object_get(j, "slices"), 0);
	assert_null(json_object_get(s0, "cells"));
	assert_true(
	    json_is_null(json_object_get(json_object_get(json_object_get(s0, "metrics"), "mae"), "ci")));
	assert_null(json_object_get(json_object_get(s0, "metrics"), "accuracy"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "parameters"), "task")),
	                    "regression");
	json_decref(j);
	free(out);

	out = render(&f.r, ASSAY_REPORT_HTML, 0, 0);
	assert_non_null(strstr(out, "MAE by sex"));
	free(out);
	out = render(&f.r, ASSAY_REPORT_MD, 0, 0);
	assert_non_null(strstr(out, "## ✅ assay eval: passed"));
	free(out);
}

static void same_report_same_bytes(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	for (int fmt = ASSAY_REPORT_TEXT; fmt <= ASSAY_REPORT_JUNIT; fmt++) {
		char *a = render(&f.r, fmt, 0, 1);
		char *b = render(&f.r, fmt, 0, 1);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void broken_reports_and_outputs_are_errors(void **state)
{
	(void)state;
	struct fixture f;
	make_binary(&f);
	struct assay_error err;
	FILE *sink = fopen("/dev/null", "w");
	assert_non_null(sink);
	f.di[0].reference_slice = 99;
	assert_int_equal(assay_report_eval(&f.r, ASSAY_REPORT_JSON, NULL, sink, &err), ASSAY_EINTERNAL);
	make_binary(&f);
	assert_int_equal(assay_report_eval(&f.r, (enum assay_report_format)42, NULL, sink, &err),
	                 ASSAY_EUSAGE);
	assert_int_equal(assay_report_eval(NULL, ASSAY_REPORT_JSON, NULL, sink, &err), ASSAY_EUSAGE);
	fclose(sink);

	/* a full disk is reported, not ignored */
	FILE *full = fopen("/dev/full", "w");
	if (full) {
		for (int fmt = ASSAY_REPORT_TEXT; fmt <= ASSAY_REPORT_JUNIT; fmt++) {
			assay_error_clear(&err);
			assert_int_equal(assay_report_eval(&f.r, fmt, NULL, full, &err), ASSAY_EIO);
			clearerr(full);
		}
		fclose(full);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(format_names_round_trip),
	    cmocka_unit_test(json_is_the_documented_schema),
	    cmocka_unit_test(json_replaces_invalid_utf8),
	    cmocka_unit_test(junit_fails_ci_for_failed_checks),
	    cmocka_unit_test(junit_without_checks_has_one_passing_case),
	    cmocka_unit_test(junit_replaces_characters_xml_cannot_carry),
	    cmocka_unit_test(html_is_self_contained_and_escaped),
	    cmocka_unit_test(markdown_has_the_checks_table),
	    cmocka_unit_test(text_tables_align_without_colour),
	    cmocka_unit_test(regression_shows_errors_not_rates),
	    cmocka_unit_test(same_report_same_bytes),
	    cmocka_unit_test(broken_reports_and_outputs_are_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
