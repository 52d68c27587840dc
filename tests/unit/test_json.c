/* test_json.c: the JSON printer's numbers: every double prints as the
 * shortest decimal that reads back to the same bits, and the fast path
 * for short decimals prints exactly what the general %g path prints. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/json.h"

/* The general path, written independently: the first of %.15g, %.16g,
 * %.17g that round-trips (%g drops trailing zeros, so this has the fewest
 * significant digits). */
static void reference_format(double d, char *buf, size_t size)
{
	for (int p = 15; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eEn"))
		strcat(buf, ".0");
}

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void check(double d)
{
	char a[64], b[64];
	assay_json_format_double(d, a, sizeof a);
	reference_format(d, b, sizeof b);
	if (strtod(a, NULL) != d || strcmp(a, b) != 0)
		fail_msg("%.17g printed as %s, expected %s", d, a, b);
}

static void shortest_round_trip(void **state)
{
	(void)state;
	static const double fixed[] = {0.95,
	                               0.1,
	                               0.3,
	                               0.1 + 0.2,
	                               1.0,
	                               -1.0,
	                               0.0001,
	                               0.00012345,
	                               123456.789,
	                               1e14,
	                               999999999999999.0,
	                               1e15,
	                               1e-5,
	                               5e-324,
	                               1.7976931348623157e308,
	                               0.28061224489795916,
	                               2.5,
	                               -0.125,
	                               1e22,
	                               3.0};
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		check(fixed[i]);
	uint64_t s = 88172645463325252ULL;
	for (int i = 0; i < 200000; i++) {
		/* short decimals like data files hold: k / 10^j */
		double d = (double)(int64_t)(rng(&s) % 2000001 - 1000000) / pow(10, (double)(rng(&s) % 12));
		check(d);
		/* arbitrary bit patterns */
		uint64_t bits = rng(&s);
		double e;
		memcpy(&e, &bits, sizeof e);
		if (isfinite(e))
			check(e);
		/* rates, as reports hold: k / n, their differences and ratios */
		uint64_t n = 1 + rng(&s) % 2000000, k = rng(&s) % (n + 1), m = 1 + rng(&s) % 2000000;
		double q = (double)k / (double)n, q2 = (double)(rng(&s) % (m + 1)) / (double)m;
		check(q);
		check(q - q2);
		if (q2 > 0)
			check(q / q2);
		/* %.6g values, as gen_synth writes */
		char buf[32];
		snprintf(buf, sizeof buf, "%.6g", (double)rng(&s) / 1e19);
		check(strtod(buf, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(shortest_round_trip)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
