/* test_canonjson.c: RFC 8785 (JSON Canonicalization Scheme) against the
 * RFC's own examples: the number serialisation table of Appendix B, the
 * mixed example of section 3.2.2 and the UTF-16 sort order of 3.2.3. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/canonjson.h"

static double from_bits(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}

/* RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text. */
static void rfc8785_numbers(void **state)
{
	static const struct {
		uint64_t bits;
		const char *want;
	} T[] = {
	    {0x0000000000000000ull, "0"},
	    {0x8000000000000000ull, "0"}, /* minus zero */
	    {0x0000000000000001ull, "5e-324"},
	    {0x8000000000000001ull, "-5e-324"},
	    {0x7fefffffffffffffull, "1.7976931348623157e+308"},
	    {0xffefffffffffffffull, "-1.7976931348623157e+308"},
	    {0x4340000000000000ull, "9007199254740992"},
	    {0xc340000000000000ull, "-9007199254740992"},
	    {0x4430000000000000ull, "295147905179352830000"},
	    {0x44b52d02c7e14af5ull, "9.999999999999997e+22"},
	    {0x44b52d02c7e14af6ull, "1e+23"},
	    {0x44b52d02c7e14af7ull, "1.0000000000000001e+23"},
	    {0x444b1ae4d6e2ef4eull, "999999999999999700000"},
	    {0x444b1ae4d6e2ef4full, "999999999999999900000"},
	    {0x444b1ae4d6e2ef50ull, "1e+21"},
	    {0x3eb0c6f7a0b5ed8cull, "9.999999999999997e-7"},
	    {0x3eb0c6f7a0b5ed8dull, "0.000001"},
	    {0x41b3de4355555553ull, "333333333.3333332"},
	    {0x41b3de4355555554ull, "333333333.33333325"},
	    {0x41b3de4355555555ull, "333333333.3333333"},
	    {0x41b3de4355555556ull, "333333333.3333334"},
	    {0x41b3de4355555557ull, "333333333.33333343"},
	    {0xbecbf647612f3696ull, "-0.0000033333333333333333"},
	    {0x43143ff3c1cb0959ull, "1424953923781206.2"},
	};
	(void)state;
	char buf[64];
	for (size_t i = 0; i < sizeof T / sizeof *T; i++) {
		assert_int_equal(assay_canonjson_number(from_bits(T[i].bits), buf, sizeof buf), 0);
		assert_string_equal(buf, T[i].want);
	}
	assert_int_equal(assay_canonjson_number(from_bits(0x7fffffffffffffffull), buf, sizeof buf),
	                 -1); /* NaN */
	assert_int_equal(assay_canonjson_number(from_bits(0x7ff0000000000000ull), buf, sizeof buf),
	                 -1); /* inf */
}

/* RFC 8785 section 3.2.2: whitespace removed, members sorted, numbers and
 * strings in canonical form. */
static void rfc8785_example(void **state)
{
	(void)state;
	const char *in = "{\n"
	                 "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
	                 "              2e-3, 0.000000000000000000000000001],\n"
	                 "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
	                 "  \"literals\": [null, true, false]\n"
	                 "}";
	const char *want =
	    "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
	    "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
	struct assay_error err;
	size_t n;
	char *out = assay_canonjson_text(in, strlen(in), &n, &err);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	free(out);
}

/* RFC 8785 section 3.2.3: names sort by UTF-16 code units, so the emoji
 * (a surrogate pair, 0xD83D...) sorts before U+FB33 although its code point
 * is higher. */
static void rfc8785_sorting(void **state)
{
	(void)state;
	const char *in =
	    "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter "
	    "Dalet With Dagesh\", \"1\": \"One\", \"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": "
	    "\"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}";
	struct assay_error err;
	char *out = assay_canonjson_text(in, strlen(in), NULL, &err);
	assert_non_null(out);
	const char *order[] = {"Carriage Return", "One",   "Control", "Latin Small",
	                       "Euro Sign",       "Emoji", "Hebrew"};
	const char *prev = out;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		const char *p = strstr(out, order[i]);
		assert_non_null(p);
		assert_true(p >= prev);
		prev = p;
	}
	/* \u0080 is a control character for JSON? No: only < 0x20 are escaped */
	assert_non_null(strstr(out, "\"\xc2\x80\":\"Control\""));
	free(out);
}

static void nested_and_errors(void **state)
{
	(void)state;
	struct assay_error err;
	json_t *v = json_pack("{s:{s:i, s:i}, s:[s, f], s:n}", "b", "z", 1, "a", 2, "a", "x\ty", 0.5, "c");
	char *out = assay_canonjson(v, NULL, &err);
	assert_string_equal(out, "{\"a\":[\"x\\ty\",0.5],\"b\":{\"a\":2,\"z\":1},\"c\":null}");
	free(out);
	char hex[65];
	assert_int_equal(assay_canonjson_sha256(v, hex, &err), 0);
	assert_int_equal(strlen(hex), 64);
	json_decref(v);
	/* integers beyond 2^53 cannot be exact doubles */
	v = json_integer(9007199254740993LL);
	assert_null(assay_canonjson(v, NULL, &err));
	assert_int_equal(err.code, ASSAY_EINPUT);
	json_decref(v);
	/* I-JSON: duplicate names are an error */
	assert_null(assay_canonjson_text("{\"a\":1,\"a\":2}", 13, NULL, &err));
	/* control characters other than the short escapes as \u00xx */
	v = json_string("\x01\x1f");
	out = assay_canonjson(v, NULL, &err);
	assert_string_equal(out, "\"\\u0001\\u001f\"");
	free(out);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc8785_numbers),
	    cmocka_unit_test(rfc8785_example),
	    cmocka_unit_test(rfc8785_sorting),
	    cmocka_unit_test(nested_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
