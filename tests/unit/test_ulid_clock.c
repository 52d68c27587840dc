/* test_ulid_clock.c: ULIDs (Crockford base32, 48-bit time, monotonic
 * within a millisecond) and the registry clock (ASSAY_NOW,
 * SOURCE_DATE_EPOCH, RFC 3339 parsing and formatting). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/clock.h"
#include "assay/ulid.h"

/* The ULID specification's example: time 1469918176385 is "01ARYZ6S41". */
static void ulid_encoding(void **state)
{
	(void)state;
	unsigned char zero[10] = {0}, ones[10];
	memset(ones, 0xff, sizeof ones);
	char id[ASSAY_ULID_LEN];
	assay_ulid_encode(1469918176385ull, zero, id);
	assert_string_equal(id, "01ARYZ6S410000000000000000");
	assay_ulid_encode(0, zero, id);
	assert_string_equal(id, "00000000000000000000000000");
	assay_ulid_encode(0xFFFFFFFFFFFFull, ones, id);
	assert_string_equal(id, "7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
	assert_true(assay_ulid_valid(id));
	assert_true(assay_ulid_valid("01arYz6s410000000000000000"));
	assert_false(assay_ulid_valid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ")); /* > 128 bits */
	assert_false(assay_ulid_valid("01ARYZ6S41000000000000000U")); /* U is not Crockford */
	assert_false(assay_ulid_valid("01ARYZ6S41"));
	assert_int_equal(assay_ulid_time_ms("01ARYZ6S410000000000000000"), 1469918176385ull);
}

/* With the clock pinned, every id has the same time part and they still
 * come out unique and in creation order. */
static void ulid_monotonic(void **state)
{
	(void)state;
	setenv("ASSAY_NOW", "2025-03-01T12:00:00Z", 1);
	struct assay_error err;
	char prev[ASSAY_ULID_LEN] = "", id[ASSAY_ULID_LEN];
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(assay_ulid_new(id, &err), 0);
		assert_true(assay_ulid_valid(id));
		assert_int_equal(assay_ulid_time_ms(id), 1740830400000ull);
		assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof id);
	}
	unsetenv("ASSAY_NOW");
}

static void timestamps(void **state)
{
	(void)state;
	int64_t t;
	char out[ASSAY_TS_LEN];
	assert_int_equal(assay_ts_parse("2025-03-01T12:00:00Z", &t), 0);
	assert_int_equal(t, 1740830400);
	assert_int_equal(assay_ts_parse("2025-03-01", &t), 0);
	assert_int_equal(t, 1740787200);
	assert_int_equal(assay_ts_parse("2025-03-01T13:30:00+01:30", &t), 0);
	assert_int_equal(t, 1740830400);
	assert_int_equal(assay_ts_parse("2025-03-01T12:00:00.123Z", &t), 0);
	assert_int_equal(t, 1740830400);
	assert_int_equal(assay_ts_parse("1740830400", &t), 0);
	assert_int_equal(t, 1740830400);
	assert_int_equal(assay_ts_parse("2024-02-29", &t), 0); /* leap day */
	assert_int_equal(assay_ts_parse("2025-02-29", &t), -1);
	assert_int_equal(assay_ts_parse("2025-13-01", &t), -1);
	assert_int_equal(assay_ts_parse("2025-03-01T12:00", &t), -1);
	assert_int_equal(assay_ts_parse("yesterday", &t), -1);
	assay_ts_format(1740830400, out);
	assert_string_equal(out, "2025-03-01T12:00:00Z");
	assert_int_equal(assay_ts_normalize("2025-03-01T13:30:00+01:30", out), 0);
	assert_string_equal(out, "2025-03-01T12:00:00Z");
	assert_int_equal(assay_ts_add_days("2024-02-28T00:00:00Z", 2, out), 0);
	assert_string_equal(out, "2024-03-01T00:00:00Z");
	assert_int_equal(assay_ts_add_days("2025-01-01", 365, out), 0);
	assert_string_equal(out, "2026-01-01T00:00:00Z");
}

static void clock_overrides(void **state)
{
	(void)state;
	struct assay_error err;
	char out[ASSAY_TS_LEN];
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	setenv("ASSAY_NOW", "2025-03-01T12:00:00Z", 1);
	assay_ts_now(out);
	assert_string_equal(out, "2025-03-01T12:00:00Z"); /* ASSAY_NOW wins */
	unsetenv("ASSAY_NOW");
	assay_ts_now(out);
	assert_string_equal(out, "2023-11-14T22:13:20Z");
	assert_int_equal(assay_clock_check(&err), 0);
	setenv("ASSAY_NOW", "next tuesday", 1);
	assert_int_equal(assay_clock_check(&err), ASSAY_EUSAGE);
	assert_non_null(strstr(err.message, "ASSAY_NOW"));
	unsetenv("ASSAY_NOW");
	unsetenv("SOURCE_DATE_EPOCH");
	assert_true(assay_now_ms() > 1700000000000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ulid_encoding),
	    cmocka_unit_test(ulid_monotonic),
	    cmocka_unit_test(timestamps),
	    cmocka_unit_test(clock_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
