/* test_yaml.c: the shared YAML loader: located syntax errors, unknown keys
 * refused at their line with a did-you-mean, typed scalars, the sha256 of
 * the bytes read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assay/hash.h"
#include "assay/yaml.h"

static const char *const KEYS[] = {"name", "tier", "owners"};

static void test_unknown_key_located(void **state)
{
	(void)state;
	const char *doc = "name: credit\ntire: high\n";
	struct assay_yaml y;
	struct assay_error err = {0};
	assert_int_equal(assay_yaml_load_buffer(&y, "intake.yaml", doc, strlen(doc), &err), 0);
	int rc = assay_yaml_check_keys(&y, assay_yaml_root(&y), "the intake", KEYS, 3, &err);
	assert_int_equal(rc, ASSAY_EINPUT);
	assert_string_equal(err.file, "intake.yaml");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 1);
	assert_non_null(strstr(err.message, "did you mean \"tier\""));
	assert_non_null(strstr(err.hint, "name, tier, owners"));
	assay_yaml_free(&y);
}

static void test_syntax_error_located(void **state)
{
	(void)state;
	const char *doc = "a: 1\nb: [1, 2\n";
	struct assay_yaml y;
	struct assay_error err = {0};
	assert_int_equal(assay_yaml_load_buffer(&y, "bad.yaml", doc, strlen(doc), &err), ASSAY_EINPUT);
	assert_true(err.line >= 2);
	assert_non_null(strstr(err.message, "invalid YAML"));
	assay_yaml_free(&y);
}

static void test_scalars_and_hash(void **state)
{
	(void)state;
	const char *doc = "min: 0.8\nstrict: yes\nlist: [a, b, c]\nbad: high\n";
	struct assay_yaml y;
	struct assay_error err = {0};
	assert_int_equal(assay_yaml_load_buffer(&y, "t.yaml", doc, strlen(doc), &err), 0);
	char want[65];
	assay_sha256_hex(doc, strlen(doc), want);
	assert_string_equal(y.sha256, want);
	yaml_node_t *root = assay_yaml_root(&y);
	double v = 0;
	int b = 0;
	assert_int_equal(assay_yaml_number(&y, assay_yaml_get(&y, root, "min"), "min", &v, &err), 0);
	assert_true(v == 0.8);
	assert_int_equal(assay_yaml_bool(&y, assay_yaml_get(&y, root, "strict"), "strict", &b, &err), 0);
	assert_int_equal(b, 1);
	yaml_node_t *list = assay_yaml_get(&y, root, "list");
	assert_int_equal(assay_yaml_len(list), 3);
	assert_string_equal(assay_yaml_scalar(assay_yaml_at(&y, list, 2)), "c");
	assert_null(assay_yaml_at(&y, list, 3));
	assert_int_equal(assay_yaml_number(&y, assay_yaml_get(&y, root, "bad"), "bad", &v, &err),
	                 ASSAY_EINPUT);
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.message, "expected a number for \"bad\""));
	assay_yaml_free(&y);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct assay_yaml y;
	struct assay_error err = {0};
	assert_int_equal(assay_yaml_load(&y, "/nonexistent/x.yaml", "the plan", &err), ASSAY_EIO);
	assert_non_null(strstr(err.message, "cannot open the plan"));
	assay_yaml_free(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unknown_key_located),
	    cmocka_unit_test(test_syntax_error_located),
	    cmocka_unit_test(test_scalars_and_hash),
	    cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
