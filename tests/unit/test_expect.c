/* test_expect.c: expectations files and their checks (assay/expect.h):
 * parse errors located where they are written, and the facts each kind
 * of expectation reports on small files whose answers are known by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "assay/expect.h"
#include "assay/source.h"

/* Parse `yaml`; return the error code and leave the message in err. */
static int parse(const char *yaml, struct assay_error *err)
{
	struct assay_expectations *e = NULL;
	assay_error_clear(err);
	int rc = assay_expect_parse(&e, "c.yaml", yaml, strlen(yaml), err);
	assay_expect_free(e);
	return rc;
}

static void assert_error(const char *yaml, uint64_t line, uint64_t col, const char *text)
{
	struct assay_error err;
	assert_int_equal(parse(yaml, &err), ASSAY_EINPUT);
	if (!strstr(err.message, text))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, text);
	if (err.line != line || err.column != col)
		fail_msg("\"%s\" at %llu:%llu, want %llu:%llu", err.message, (unsigned long long)err.line,
		         (unsigned long long)err.column, (unsigned long long)line, (unsigned long long)col);
	assert_string_equal(err.file, "c.yaml");
}

static void test_parse_errors(void **state)
{
	assert_error("version: 1\ncolumns:\n  age: {betwen: [0, 1]}\n", 3, 9,
	             "unknown expectation \"betwen\"; did you mean \"between\"?");
	assert_error("version: 2\ncolumns:\n  a: {unique: true}\n", 1, 10, "unsupported version");
	assert_error("version: 1\ncolumns:\n  a: {between: [x, 1]}\n", 3, 17, "between must be a number");
	assert_error("version: 1\ncolumns:\n  a: {between: [null, null]}\n", 3, 16, "at least one bound");
	assert_error("version: 1\ncolumns:\n  a: {quantile: {q: 1.5, max: 3}}\n", 3, 21,
	             "q must be between 0 and 1");
	assert_error("version: 1\ncolumns:\n  a: {freshness: {max_age: 7 days}}\n", 3, 28,
	             "max_age must be a duration");
	assert_error("version: 1\ncolumns:\n  a: {type: decimal}\n", 3, 13, "unknown type \"decimal\"");
	assert_error("version: 1\ncolumns:\n  a: {not_null: maybe}\n", 3, 17, "true or false");
	assert_error("version: 1\ncolumns:\n  a: {max_missing_share: 2}\n", 3, 26, "between 0 and 1");
	assert_error("version: 1\n", 1, 1, "no expectations");
	assert_error("", 0, 0, "empty");
	assert_error("version: 1\ncolumns:\n  a: {pii: {max_shar: 0}}\n", 3, 13,
	             "pii takes max_share and entities");
	struct assay_error err;
	assert_int_equal(
	    parse("version: 1\nrow_count: 3\ncolumns:\n  a: {between: [null, 3], unique: false}\n"
	          "relationships: [a <= b]\n",
	          &err),
	    0);
}

/* The expectations of the last check(): results point into them. */
static struct assay_expectations *last;

static void done(struct assay_arena *a)
{
	assay_expect_free(last);
	last = NULL;
	assay_arena_free(a);
}

/* Run `yaml` over `csv` (written to a file); results into r. */
static int check(const char *csv, const char *yaml, struct assay_arena *a, struct assay_check_report *r,
                 struct assay_error *err)
{
	char path[128];
	snprintf(path, sizeof path, "%s/d.csv", tmpdir);
	FILE *f = fopen(path, "w");
	fputs(csv, f);
	fclose(f);
	struct assay_expectations *e = NULL;
	int rc = assay_expect_parse(&e, "c.yaml", yaml, strlen(yaml), err);
	assert_int_equal(rc, 0);
	struct assay_source_opts so = {.path = path, .threads = 1};
	struct assay_source *src = NULL;
	assert_int_equal(assay_source_open(&src, &so, err), 0);
	struct assay_check_params p;
	assay_check_params_init(&p);
	memset(r, 0, sizeof *r);
	rc = assay_expect_run(e, src, &p, a, r, err);
	assay_source_free(src);
	assay_expect_free(last);
	last = e;
	return rc;
}

static const struct assay_expect_result *find(const struct assay_check_report *r, const char *name)
{
	for (size_t i = 0; i < r->nresults; i++)
		if (strcmp(r->results[i].name, name) == 0)
			return &r->results[i];
	fail_msg("no result \"%s\"", name);
	return NULL;
}

static void test_aggregates(void **state)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_check_report r;
	/* heavy ties: 1 1 1 2 10; numpy: median 1, q0.9 2 + 0.6 * 8 = 6.8, mean 3 */
	assert_int_equal(
	    check(
	        "x,y\n1,\n1,\n10,\n1,\n2,\nNA,\n",
	        "version: 1\ncolumns:\n  x: {median_between: [1, 1], quantile: {q: 0.9, min: 6.8, max: 6.8},"
	        " mean_between: [3, 3], max_missing_share: 0.1}\n"
	        "  y: {between: [0, 1], in_set: [a], unique: true, max_missing_share: 1}\n",
	        &a, &r, &err),
	    0);
	assert_true(find(&r, "x: median_between [1, 1]")->passed);
	const struct assay_expect_result *q = find(&r, "x: quantile 0.9 [6.8, 6.8]");
	assert_true(fabs(q->value - 6.8) < 1e-12);
	assert_true(find(&r, "x: mean_between [3, 3]")->passed);
	const struct assay_expect_result *m = find(&r, "x: max_missing_share 0.1");
	assert_false(m->passed);
	assert_true(fabs(m->value - 1.0 / 6) < 1e-15);
	assert_int_equal(m->nexamples, 1);
	assert_int_equal(m->examples[0].line, 7);
	/* an all-missing column passes row checks vacuously (Great Expectations) */
	assert_true(find(&r, "y: between [0, 1]")->passed);
	assert_int_equal(find(&r, "y: between [0, 1]")->rows_checked, 0);
	assert_true(find(&r, "y: unique")->passed);
	done(&a);
}

static void test_rows(void **state)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_check_report r;
	assert_int_equal(check("k,v,t0,t1,s\n"
	                       "a,1.0,2024-01-01T10:00:00+02:00,2024-01-01T09:00:00Z,é\n"
	                       "b,2,2024-01-02,2024-01-01,ab\n"
	                       "a,x,2024-01-01 00:00,2024-01-01T00:00:00Z,abc\n"
	                       "a,3,2024-02-30,2024-03-01,\n",
	                       "version: 1\nsensitive: [s]\ncolumns:\n"
	                       "  k: {unique: true}\n"
	                       "  v: {in_set: [1, 2, 3], type: integer}\n"
	                       "  s: {length_between: [1, 2]}\n"
	                       "  t0: {type: timestamp}\n"
	                       "relationships: [t0 < t1, t0 <= t1, s != k]\n",
	                       &a, &r, &err),
	                 0);
	/* every row of a duplicated value fails: lines 2, 4, 5 */
	const struct assay_expect_result *u = find(&r, "k: unique");
	assert_int_equal(u->rows_failing, 3);
	assert_int_equal(u->nexamples, 3);
	assert_int_equal(u->examples[0].line, 2);
	assert_int_equal(u->examples[1].line, 4);
	assert_int_equal(u->examples[2].line, 5);
	assert_string_equal(u->examples[0].value, "a");
	/* "1.0" is in [1, 2, 3]; "x" is not */
	const struct assay_expect_result *s = find(&r, "v: in_set (3 values)");
	assert_int_equal(s->rows_failing, 1);
	assert_int_equal(s->examples[0].line, 4);
	assert_int_equal(find(&r, "v: type integer")->rows_failing, 2);
	/* lengths in characters: "é" is 1, "abc" is 3; the value is sensitive */
	const struct assay_expect_result *l = find(&r, "s: length_between [1, 2]");
	assert_int_equal(l->rows_failing, 1);
	assert_true(l->sensitive);
	assert_null(l->examples[0].value);
	/* 2024-02-30 is not a date */
	assert_int_equal(find(&r, "t0: type timestamp")->rows_failing, 1);
	/* 10:00+02:00 is 08:00Z < 09:00Z; a day after; equal times fail < */
	const struct assay_expect_result *lt = find(&r, "t0 < t1");
	assert_int_equal(lt->rows_checked, 4);
	assert_int_equal(lt->rows_failing, 2); /* line 3 and line 4 */
	assert_int_equal(lt->examples[0].line, 3);
	assert_int_equal(find(&r, "t0 <= t1")->rows_failing, 1);
	assert_int_equal(find(&r, "s != k")->rows_checked, 3); /* s missing on the last row */
	assert_true(find(&r, "s != k")->sensitive);
	assert_false(r.passed);
	done(&a);
}

static void test_freshness(void **state)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_check_report r;
	assert_int_equal(
	    check("t\n2025-12-20\n2025-12-25T12:00:00Z\n\n",
	          "version: 1\ncolumns:\n  t: {freshness: {max_age: 6d12h, now: 2026-01-01T00:00:00Z}}\n", &a,
	          &r, &err),
	    0);
	assert_true(r.results[0].passed);
	assert_true(r.results[0].value == 6.5 * 86400);
	done(&a);
	assay_arena_init(&a);
	assert_int_equal(
	    check("t\n2025-12-20\n",
	          "version: 1\ncolumns:\n  t: {freshness: {max_age: 1w, now: 2026-01-01T00:00:00Z}}\n", &a,
	          &r, &err),
	    0);
	assert_false(r.results[0].passed);
	done(&a);
}

static void test_unknown_column(void **state)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_check_report r;
	assert_int_equal(
	    check("age,b\n1,2\n", "version: 1\ncolumns:\n  agee: {unique: true}\n", &a, &r, &err),
	    ASSAY_EINPUT);
	assert_string_equal(err.file, "c.yaml");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 3);
	assert_non_null(strstr(err.message, "did you mean \"age\"?"));
	assert_non_null(strstr(err.message, "columns: age, b"));
	done(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_errors),   cmocka_unit_test(test_aggregates),
	    cmocka_unit_test(test_rows),           cmocka_unit_test(test_freshness),
	    cmocka_unit_test(test_unknown_column),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
