/* test_deckey.c: 32-bit decimal keys (assay/deckey.h), the radix sort of
 * keys, and the packed numeric maps a build without cap gives: a key's
 * double is exactly assay_parse_double's, keys order and compare as their
 * numbers, whatever does not fit is refused (and the column falls back to
 * doubles), and a packed profile holds the same map, min, max and moment
 * bits as the double path, with one worker or several. */
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
#include "profile_helpers.h"

#include "assay/deckey.h"
#include "assay/drift.h"
#include "assay/moments.h"
#include "assay/profile.h"
#include "assay/radix.h"
#include "assay/source.h"
#include "../../lib/drift/drift_internal.h"
#include "../../lib/drift/keys_runs.h"
#include "../../lib/io/deckey_batch.h"
#include "xorshift.h"

static int parse(const char *s, uint32_t *k)
{
	return assay_deckey_parse(s, strlen(s), k);
}

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Every spelling that fits decodes to the double assay_parse_double gives
 * (-0 is 0); every one that does not is refused. */
static void keys_decode_to_the_parsed_double(void **state)
{
	static const char *const fit[] = {
	    "0",          "-0",     "0.0",          "+0e5",         "6",
	    "6.0",        "60e-1",  "-1.00651",     "18317.3",      "0.395365",
	    "1e-16",      "-1e-16", "9.999999e28",  "-9.999999e28", "1234567",
	    "1234567000", ".5",     "5.",           "00012",        "0.000001234567",
	    "1.5E+3",     "100e-2", "123456700e-2", "0.1",          "0.3",
	    "2.5e-10",    "7e22",   "-3.000000",
	};
	for (size_t i = 0; i < sizeof fit / sizeof *fit; i++) {
		uint32_t k;
		double d;
		if (parse(fit[i], &k) != 0)
			fail_msg("\"%s\" should fit a key", fit[i]);
		assert_int_equal(assay_parse_double(fit[i], strlen(fit[i]), &d), 0);
		if (d == 0)
			d = 0;
		if (!same_bits(assay_deckey_value(k), d))
			fail_msg("\"%s\": key decodes to %.17g, parse gives %.17g", fit[i],
			         assay_deckey_value(k), d);
		uint32_t k2;
		assert_int_equal(assay_deckey_from_double(d, &k2), 0);
		assert_int_equal(k2, k);
	}
	static const char *const refused[] = {
	    "",         ".",         "-",         "1e",   "1e+",
	    "abc",      "inf",       "-Infinity", "nan",  "NaN",
	    "12345678", "123456780", "1.2345678", "1e29", "1e-17",
	    "4.9e-324", "1.5e-300",  "1e308",     "0x10", "1,5",
	    " 1",       "1 ",        "1.2.3",     "--1",  "99999999999999999999",
	};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		uint32_t k;
		if (parse(refused[i], &k) == 0)
			fail_msg("\"%s\" should not fit a key", refused[i]);
	}
	/* equal numbers, equal keys */
	uint32_t a, b;
	assert_int_equal(parse("6", &a), 0);
	assert_int_equal(parse("6.000", &b), 0);
	assert_int_equal(a, b);
	assert_int_equal(parse("-0", &a), 0);
	assert_int_equal(a, ASSAY_DECKEY_ZERO);
	/* doubles that are no short decimal have no key */
	double nok[] = {0.1 + 0.2, 1.0 / 3, M_PI, 1e-300, 4.9e-324, INFINITY, NAN, 1e30};
	for (size_t i = 0; i < sizeof nok / sizeof *nok; i++)
		assert_int_equal(assay_deckey_from_double(nok[i], &a), -1);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* A random short decimal spelled like %.*g, with exponents at both ends
 * of the range. */
static void random_decimal(char *buf, size_t size)
{
	int digits = 1 + (int)(next() % 7);
	int exp = (int)(next() % 45) - 16; /* 1e-16 .. 1e28 */
	snprintf(buf, size, "%s%.*e", next() % 2 ? "-" : "", digits - 1,
	         (double)(next() % 9 + 1) + (double)(next() % 1000000) / 1e6);
	char *e = strchr(buf, 'e');
	snprintf(e, size - (size_t)(e - buf), "e%d", exp);
	if (next() % 16 == 0)
		snprintf(buf, size, "%d", (int)(next() % 201) - 100); /* small integers, ties, 0 */
}

static void keys_order_as_their_numbers(void **state)
{
	enum { N = 20000 };
	uint32_t *k = malloc(N * sizeof *k);
	double *v = malloc(N * sizeof *v);
	assert_non_null(k);
	assert_non_null(v);
	for (size_t i = 0; i < N; i++) {
		char buf[64];
		random_decimal(buf, sizeof buf);
		if (parse(buf, &k[i]) != 0)
			fail_msg("\"%s\" should fit a key", buf);
		assert_int_equal(assay_parse_double(buf, strlen(buf), &v[i]), 0);
		if (v[i] == 0)
			v[i] = 0;
		assert_true(same_bits(assay_deckey_value(k[i]), v[i]));
	}
	for (size_t i = 0; i + 1 < N; i++)
		for (size_t j = i + 1; j < i + 50 && j < N; j++) {
			assert_int_equal(k[i] < k[j], v[i] < v[j]);
			assert_int_equal(k[i] == k[j], v[i] == v[j]);
		}
	free(k);
	free(v);
}

/* Short spellings (the word-at-a-time path): digits with a point
 * anywhere or none, a sign, leading and trailing zeros. A span has a key
 * exactly when its double has one, and it is that key. */
static void short_spellings_agree_with_the_double(void **state)
{
	for (int it = 0; it < 200000; it++) {
		char buf[16];
		size_t n = 0;
		int sign = (int)(next() % 4);
		if (sign == 1)
			buf[n++] = '-';
		else if (sign == 2)
			buf[n++] = '+';
		size_t len = 1 + next() % 9, point = next() % (len + 2);
		for (size_t i = 0; i < len; i++) {
			if (i == point)
				buf[n++] = '.';
			buf[n++] = (char)('0' + (next() % 3 == 0 ? 0 : next() % 10));
		}
		buf[n] = '\0';
		uint32_t k, k2;
		double d;
		int rk = parse(buf, &k);
		if (assay_parse_double(buf, n, &d) != 0) {
			assert_int_equal(rk, -1);
			continue;
		}
		int rd = assay_deckey_from_double(d == 0 ? 0 : d, &k2);
		if (rk != rd)
			fail_msg("\"%s\": parse %d, from_double %d", buf, rk, rd);
		if (rk == 0 && k != k2)
			fail_msg("\"%s\": key %u, from_double %u", buf, k, k2);
	}
	uint32_t k;
	assert_int_equal(parse(".", &k), -1);
	assert_int_equal(parse("-.", &k), -1);
	assert_int_equal(parse("1.2.", &k), -1);
	assert_int_equal(parse("12345678", &k), -1);
	assert_int_equal(parse("1234567.0", &k), 0);
	assert_int_equal(parse("12345670", &k), 0);
	assert_true(assay_deckey_value(k) == 12345670.0);
}

/* The reference: the character loop that was assay_deckey_parse's only
 * path before the SWAR fast paths (kept verbatim as the specification:
 * significant digits into m, at most 19, trailing zeros moved into the
 * exponent, then M padded to seven digits). */
static int ref_key(const char *p, size_t len, uint32_t *key)
{
	size_t i = 0;
	int neg = 0;
	if (i < len && (p[i] == '+' || p[i] == '-')) {
		neg = p[i] == '-';
		i++;
	}
	uint64_t m = 0;
	unsigned nsig = 0;
	size_t ndigits = 0;
	long exp10 = 0;
	while (i < len && (unsigned)(p[i] - '0') < 10) {
		unsigned d = (unsigned)(p[i++] - '0');
		ndigits++;
		if (m || d) {
			if (++nsig > 19)
				return -1;
			m = m * 10 + d;
		}
	}
	if (i < len && p[i] == '.') {
		size_t f = ++i;
		while (i < len && (unsigned)(p[i] - '0') < 10) {
			unsigned d = (unsigned)(p[i++] - '0');
			if (m || d) {
				if (++nsig > 19)
					return -1;
				m = m * 10 + d;
			}
		}
		exp10 = -(long)(i - f);
		ndigits += i - f;
	}
	if (ndigits == 0)
		return -1;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		int eneg = 0;
		if (i < len && (p[i] == '+' || p[i] == '-')) {
			eneg = p[i] == '-';
			i++;
		}
		if (i >= len || (unsigned)(p[i] - '0') >= 10)
			return -1;
		long e = 0;
		while (i < len && (unsigned)(p[i] - '0') < 10) {
			if (e < 100000)
				e = e * 10 + (p[i] - '0');
			i++;
		}
		exp10 += eneg ? -e : e;
	}
	if (i != len)
		return -1;
	if (m == 0) {
		*key = ASSAY_DECKEY_ZERO;
		return 0;
	}
	while (m >= 10000000u) {
		if (m % 10)
			return -1;
		m /= 10;
		exp10++;
	}
	while (m < 1000000u) {
		m *= 10;
		exp10--;
	}
	if (exp10 < ASSAY_DECKEY_QMIN || exp10 > ASSAY_DECKEY_QMAX)
		return -1;
	uint32_t idx = (uint32_t)(exp10 - ASSAY_DECKEY_QMIN) * 9000000u + (uint32_t)(m - 1000000u);
	*key = neg ? UINT32_C(0x7fffffff) - idx : UINT32_C(0x80000001) + idx;
	return 0;
}

/* The span is copied to the end of a heap block of exactly its size, so
 * that ASan sees any read past it (or before it). */
static void assert_same_as_ref(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, s, len);
	uint32_t k = 0xdeadbeef, kr = 0xdeadbeef;
	int r = assay_deckey_parse(p, len, &k), rr = ref_key(p, len, &kr);
	free(p);
	if (r != rr || (r == 0 && k != kr))
		fail_msg("\"%.*s\" (%zu bytes): parse %d key %08x, reference %d key %08x", (int)len, s, len,
		         r, k, rr, kr);
}

/* After the prefix s[0..pl): every tail of 0 to max bytes of alpha[0..na). */
static void every_tail(char *s, size_t pl, size_t max, const char *alpha, size_t na)
{
	for (size_t len = 0; len <= max; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= na;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < len; i++, c /= na)
				s[pl + i] = alpha[c % na];
			assert_same_as_ref(s, pl + len);
		}
	}
}

/* A random span in s of fewer than maxlen (< 32) bytes: digits drawn from
 * common, then at random a point (one time in point_every), a sign first,
 * a byte of alpha[0..na) anywhere, an exponent, and with second a second
 * point. Returns its length. */
static size_t random_span(char *s, size_t maxlen, const char *common, const char *alpha, size_t na,
                          unsigned point_every, int second)
{
	uint64_t r = next();
	size_t len = (size_t)(r % maxlen);
	r >>= 5;
	for (size_t i = 0; i < len; i++)
		s[i] = common[next() % strlen(common)];
	if (len) {
		if (r % point_every == 0) /* a point somewhere */
			s[(r >> 2) % len] = '.';
		if ((r >> 8) % 3 == 0) /* a sign first */
			s[0] = (r >> 10) % 2 ? '-' : '+';
		if ((r >> 12) % 16 == 0) /* anything anywhere */
			s[(r >> 16) % len] = alpha[(r >> 24) % na];
		if ((r >> 32) % 32 == 0) /* an exponent */
			s[(r >> 40) % len] = (r >> 48) % 2 ? 'e' : 'E';
		if (second && (r >> 50) % 16 == 0) /* a second point */
			s[(r >> 54) % len] = '.';
	}
	return len;
}

/* Every span of up to 4 bytes over an alphabet with every byte class the
 * parsers tell apart, and 4 million random spans of up to 14 bytes:
 * mostly digits with points, signs and exponents in random places,
 * including malformed ones (two points, a sign or an 'e' inside, spaces,
 * NUL, bytes >= 0x80, '/' and ':' beside the digits). Each gives the
 * reference's result and key. */
static void parse_equals_the_reference_loop(void **state)
{
	static const char alpha[] = "0123456789.-+eE /:\x80\0x";
	const size_t na = sizeof alpha - 1; /* with the NUL, without the terminator */
	char s[32];
	every_tail(s, 0, 4, alpha, na);
	static const char common[] = "00000123456789";
	for (int it = 0; it < 4000000; it++) {
		size_t len = random_span(s, 15, common, alpha, na, 4, 0);
		assert_same_as_ref(s, len);
	}
	/* after "0." (the small magnitudes: "0.0311287", "-0.00147779"), which
	 * have a path of their own: every tail of up to 3 bytes of the alphabet,
	 * and random tails of up to 12 bytes of digits, points and junk */
	static const char *const pre[] = {"0.", "-0.", "+0.", "0.0", "-0.00"};
	for (size_t k = 0; k < sizeof pre / sizeof *pre; k++) {
		size_t pl = strlen(pre[k]);
		memcpy(s, pre[k], pl);
		every_tail(s, pl, 3, alpha, na);
		for (int it = 0; it < 100000; it++) {
			size_t len = (size_t)(next() % 13);
			for (size_t i = 0; i < len; i++)
				s[pl + i] =
				    next() % 16 ? common[next() % (sizeof common - 1)] : alpha[next() % na];
			assert_same_as_ref(s, pl + len);
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Sizes on both sides of the qsort cut (2048), and key ranges that take
 * every path of the sort: the full 32 bits (two LSD passes a bucket), 10
 * bits (the MSD pass alone), 12 and 22 bits (one pass a bucket), a
 * cluster with one far outlier (one bucket holds nearly all), few
 * distinct values. */
static void radix_sort_u32_equals_qsort(void **state)
{
	size_t sizes[] = {0, 1, 7, 2047, 2048, 5000, 100000};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		for (int kind = 0; kind < 7; kind++) {
			size_t n = sizes[s];
			uint32_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
			for (size_t i = 0; i < n; i++) {
				uint32_t r = (uint32_t)next();
				switch (kind) {
				case 0:
					a[i] = r;
					break;
				case 1:
					a[i] = 0x80000000u | (r % 1000);
					break;
				case 2:
					a[i] = 12345u + (r & 0xfffu);
					break;
				case 3:
					a[i] = 0x7f000000u + (r & 0x3fffffu);
					break;
				case 4:
					a[i] = i == n / 2 ? 0xffffffffu : 0x90000000u + (r & 0xffffu);
					break;
				case 5:
					a[i] = 0x80000000u + (r % 7) * 9000000u;
					break;
				default:
					a[i] = (uint32_t)i * 2654435761u >> (r % 3 ? 0 : 9);
					break;
				}
				b[i] = a[i];
			}
			uint32_t *c = malloc((n ? n : 1) * sizeof *c),
			         *spare = malloc((n / 2 + 64) * sizeof *spare);
			memcpy(c, a, n * sizeof *c);
			assay_radix_sort_u32(a, n);
			/* with a caller's scratch, large enough or not (then its own) */
			assay_radix_sort_u32_scratch(c, n, spare, kind % 2 ? n / 2 + 64 : n / 4);
			qsort(b, n, sizeof *b, cmp_u32);
			assert_memory_equal(a, b, n * sizeof *a);
			assert_memory_equal(c, b, n * sizeof *c);
			free(c);
			free(spare);
			free(a);
			free(b);
		}
	}
}

/* ---- packed profiles --------------------------------------------------- */

/* Same columns, types, counts, map (through the accessors), min, max and
 * moments, to the bit. */
static void assert_same_profile(const struct assay_profile *a, const struct assay_profile *b)
{
	assert_int_equal(a->ncolumns, b->ncolumns);
	for (size_t j = 0; j < a->ncolumns; j++) {
		const struct assay_column_profile *x = &a->columns[j], *y = &b->columns[j];
		assert_string_equal(x->name, y->name);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->rows, y->rows);
		assert_int_equal(x->present, y->present);
		assert_int_equal(x->missing_na, y->missing_na);
		assert_int_equal(x->missing_nan, y->missing_nan);
		assert_int_equal(x->missing_inf, y->missing_inf);
		assert_int_equal(x->missing_empty, y->missing_empty);
		assert_int_equal(x->exact, y->exact);
		assert_int_equal(x->distinct, y->distinct);
		if (x->type != ASSAY_COL_NUMERIC)
			continue;
		assert_true(same_bits(x->min, y->min));
		assert_true(same_bits(x->max, y->max));
		assert_int_equal(x->moments.n, y->moments.n);
		assert_true(same_bits(x->moments.mean, y->moments.mean));
		assert_true(same_bits(x->moments.m2, y->moments.m2));
		assert_true(same_bits(x->moments.m3, y->moments.m3));
		assert_true(same_bits(x->moments.m4, y->moments.m4));
		assert_int_equal(x->num.n, y->num.n);
		for (size_t i = 0; i < x->num.n; i++) {
			assert_true(same_bits(assay_numeric_map_value(&x->num, i),
			                      assay_numeric_map_value(&y->num, i)));
			assert_int_equal(assay_numeric_map_count(&x->num, i),
			                 assay_numeric_map_count(&y->num, i));
		}
	}
}

/* short: short decimals only (packed); late: a 9-digit value near the end
 * (the column leaves the key form); ties: heavy ties and NA; ints: small
 * integers and -0; mixed: "nan", "inf", "" among decimals. */
static void write_mixed(const char *path, int shift)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("short,late,ties,ints,mixed,cat\n", f);
	for (int i = 0; i < 30000; i++) {
		char s[64];
		random_decimal(s, sizeof s);
		fprintf(f, "%s,%s,%s,%s,%s,%s\n", s,
		        i == 29000 ? "3.14159265"
		        : i % 3    ? "2.5e-3"
		                   : "7",
		        i % 97 == 0 ? "NA" : (i % (3 + shift) ? "1.5" : "-2"), i % 5 ? "-0" : "12",
		        i % 11 == 0   ? "nan"
		        : i % 13 == 0 ? "inf"
		        : i % 17 == 0 ? ""
		                      : "0.001",
		        i % 2 ? "a" : "b");
	}
	fclose(f);
}

static void assert_same_drift(const struct assay_drift_report *a, const struct assay_drift_report *b)
{
	assert_int_equal(a->ncolumns, b->ncolumns);
	for (size_t j = 0; j < a->ncolumns; j++) {
		const struct assay_drift_column *x = &a->columns[j], *y = &b->columns[j];
		assert_true(same_bits(x->ks_d, y->ks_d));
		assert_true(same_bits(x->ks_p, y->ks_p));
		assert_true(same_bits(x->wasserstein, y->wasserstein));
		assert_true(same_bits(x->wasserstein_norm, y->wasserstein_norm));
		assert_true(same_bits(x->psi, y->psi));
		assert_true(same_bits(x->js, y->js));
		assert_true(same_bits(x->chi2, y->chi2));
		assert_int_equal(x->hist.n, y->hist.n);
		for (size_t i = 0; i < x->hist.n; i++) {
			assert_int_equal(x->hist.ref[i], y->hist.ref[i]);
			assert_int_equal(x->hist.cur[i], y->hist.cur[i]);
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Column col of a CSV written by write_mixed, read independently: the
 * sorted distinct numbers with their counts and the moments of that map
 * (NA, "", nan and inf are not values; -0 is 0). */
static void assert_map_of_file(const char *path, size_t col, const struct assay_column_profile *c)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256];
	size_t n = 0, cap = 1024;
	double *v = malloc(cap * sizeof *v);
	assert_non_null(fgets(line, sizeof line, f)); /* header */
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		for (size_t k = 0; k < col; k++)
			p = strchr(p, ',') + 1;
		size_t len = strcspn(p, ",\n");
		double x;
		if (len == 0 || (len == 2 && memcmp(p, "NA", 2) == 0) || assay_parse_double(p, len, &x) ||
		    !isfinite(x))
			continue;
		if (n == cap)
			v = realloc(v, (cap *= 2) * sizeof *v);
		v[n++] = x == 0 ? 0 : x;
	}
	fclose(f);
	qsort(v, n, sizeof *v, cmp_double);
	double *val = malloc(n * sizeof *val);
	uint64_t *cnt = malloc(n * sizeof *cnt);
	size_t d = 0;
	for (size_t i = 0; i < n; i++) {
		if (d && val[d - 1] == v[i]) {
			cnt[d - 1]++;
			continue;
		}
		val[d] = v[i];
		cnt[d++] = 1;
	}
	assert_int_equal(c->num.n, d);
	for (size_t i = 0; i < d; i++) {
		assert_true(same_bits(assay_numeric_map_value(&c->num, i), val[i]));
		assert_int_equal(assay_numeric_map_count(&c->num, i), cnt[i]);
	}
	assert_true(same_bits(c->min, val[0]) && same_bits(c->max, val[d - 1]));
	struct assay_moments m;
	assay_moments_from_map(&m, val, cnt, d);
	assert_true(same_bits(m.mean, c->moments.mean) && same_bits(m.m2, c->moments.m2) &&
	            same_bits(m.m4, c->moments.m4));
	free(v);
	free(val);
	free(cnt);
}

static void packed_profile_equals_double_profile(void **state)
{
	char a[256], b[256];
	snprintf(a, sizeof a, "%s/a.csv", tmpdir);
	snprintf(b, sizeof b, "%s/b.csv", tmpdir);
	write_mixed(a, 0);
	write_mixed(b, 1);
	for (int threads = 1; threads <= 3; threads++) {
		struct assay_profile *old = profile_file(a, ASSAY_PROFILE_DEFAULT_CAP, 0, threads, 4096);
		struct assay_profile *dbl = profile_file(a, UINT64_MAX, 0, threads, 4096);
		struct assay_profile *pk = profile_file(a, UINT64_MAX, 1, threads, 4096);
		struct assay_profile *oldb = profile_file(b, ASSAY_PROFILE_DEFAULT_CAP, 0, threads, 4096);
		struct assay_profile *pkb = profile_file(b, UINT64_MAX, 1, threads, 4096);
		assert_same_profile(old, dbl);
		assert_same_profile(old, pk);
		assert_same_profile(oldb, pkb);
		for (size_t col = 0; col < 5; col++) /* every numeric column, against the file */
			assert_map_of_file(a, col, &old->columns[col]);
		const struct assay_column_profile *c = assay_profile_column(pk, "short");
		assert_non_null(c->num.key); /* packed */
		assert_null(c->num.value);
		assert_null(assay_profile_column(pk, "late")->num.key); /* fell back to doubles */
		assert_null(assay_profile_column(dbl, "short")->num.key);
		/* drift from packed maps (or one side packed) = drift from doubles */
		struct assay_drift_params p;
		assay_drift_params_default(&p);
		struct assay_drift_report *r1 = NULL, *r2 = NULL, *r3 = NULL;
		struct assay_error err;
		if (assay_drift_compare(old, oldb, &p, &r1, &err) ||
		    assay_drift_compare(pk, pkb, &p, &r2, &err) ||
		    assay_drift_compare(old, pkb, &p, &r3, &err))
			fail_err(&err);
		assert_same_drift(r1, r2);
		assert_same_drift(r1, r3);
		/* the reference's statistics computed ahead give the same report */
		struct assay_drift_ref_stats *rs = NULL, *rs2 = NULL;
		struct assay_drift_report *r4 = NULL, *r5 = NULL;
		if (assay_drift_ref_stats_new(old, &p, &rs, &err) ||
		    assay_drift_ref_stats_new(pk, &p, &rs2, &err))
			fail_err(&err);
		struct assay_drift_params pr = p, pr2 = p;
		pr.ref_stats = rs;
		pr2.ref_stats = rs2;
		if (assay_drift_compare(old, pkb, &pr, &r4, &err) ||
		    assay_drift_compare(pk, pkb, &pr2, &r5, &err))
			fail_err(&err);
		assert_same_drift(r3, r4);
		assert_same_drift(r2, r5);
		for (size_t k = 0; k < r3->ncolumns; k++) {
			assert_true(
			    same_bits(r3->columns[k].wasserstein_norm, r4->columns[k].wasserstein_norm));
			assert_true(
			    same_bits(r2->columns[k].wasserstein_norm, r5->columns[k].wasserstein_norm));
			assert_true(same_bits(r3->columns[k].js, r4->columns[k].js));
		}
		assay_drift_report_free(r4);
		assay_drift_report_free(r5);
		assay_drift_ref_stats_free(rs);
		assay_drift_ref_stats_free(rs2);
		/* the one-walk comparison = the separate public functions */
		const struct assay_numeric_map *ra = &assay_profile_column(old, "short")->num,
		                               *rb = &assay_profile_column(pkb, "short")->num;
		const struct assay_drift_column *d = &r3->columns[0];
		struct assay_ks ks;
		assert_int_equal(assay_ks_2samp(ra, rb, ASSAY_KS_AUTO, &ks, &err), 0);
		assert_true(same_bits(ks.d, d->ks_d));
		assert_true(same_bits(ks.pvalue, d->ks_p));
		/* W1: 30000 short decimals a side are compared without a sort
		 * (bucket.c): the exact integral, within rounding of scipy's sum
		 * (test_bucket.c checks the bound) */
		double w1 = assay_wasserstein(ra, rb);
		assert_true(fabs(w1 - d->wasserstein) <= 1e-12 * w1);
		/* the normalisation's std (drift_ref_std: key_std.c's for these
		 * columns, else the compensated passes whose mean the walk sums) is
		 * the reference's, in every numeric column of both pairings */
		for (size_t k = 0; k < r3->ncolumns; k++) {
			const struct assay_drift_column *dk = &r3->columns[k];
			const struct assay_column_profile *rk = assay_profile_column(old, dk->name);
			if (dk->categorical || rk->type != ASSAY_COL_NUMERIC || isnan(dk->wasserstein))
				continue;
			double sd = drift_ref_std(&rk->num, assay_numeric_map_total(&rk->num));
			assert_true(fabs(sd - assay_numeric_map_std(&rk->num)) <= 1e-12 * sd);
			assert_true(
			    same_bits(dk->wasserstein / (sd > 0.001 ? sd : 0.001), dk->wasserstein_norm));
			assert_true(same_bits(r2->columns[k].wasserstein_norm, dk->wasserstein_norm));
		}
		struct assay_bins q, st;
		assert_int_equal(assay_bins_ref_quantiles(ra, rb, 10, &q, &err), 0);
		assert_int_equal(assay_bins_sturges(ra, rb, &st, &err), 0);
		double sr[16], sc[16];
		assert_true(q.n <= 16);
		assay_shares(q.ref, q.n, q.nref, sr);
		assay_shares(q.cur, q.n, q.ncur, sc);
		assay_fill_zeros(sr, q.n, 1e-4);
		assay_fill_zeros(sc, q.n, 1e-4);
		assert_true(same_bits(assay_psi(sr, sc, q.n), d->psi));
		assert_int_equal(st.n, d->hist.n);
		for (size_t i = 0; i < st.n; i++) {
			assert_int_equal(st.ref[i], d->hist.ref[i]);
			assert_int_equal(st.cur[i], d->hist.cur[i]);
			assert_true(same_bits(st.lo[i], d->hist.lo[i]));
		}
		assay_bins_free(&q);
		assay_bins_free(&st);
		assay_drift_report_free(r1);
		assay_drift_report_free(r2);
		assay_drift_report_free(r3);
		assay_profile_free(old);
		assay_profile_free(dbl);
		assay_profile_free(pk);
		assay_profile_free(oldb);
		assay_profile_free(pkb);
	}
}

/* ---- the walk of two packed maps ------------------------------------- */

/* A map of n distinct ascending keys (random gaps, counts 1..3 with one
 * in `every` of 255..600: big counts), as a packed map and as doubles. */
static void make_maps(size_t n, uint32_t start, uint64_t every, struct assay_numeric_map *pk,
                      struct assay_numeric_map *dbl)
{
	memset(pk, 0, sizeof *pk);
	memset(dbl, 0, sizeof *dbl);
	pk->n = dbl->n = n;
	pk->key = malloc((n ? n : 1) * sizeof *pk->key);
	pk->kcount = malloc(n ? n : 1);
	pk->big = malloc((n ? n : 1) * sizeof *pk->big);
	dbl->value = malloc((n ? n : 1) * sizeof *dbl->value);
	dbl->count = malloc((n ? n : 1) * sizeof *dbl->count);
	uint32_t k = start;
	for (size_t i = 0; i < n; i++) {
		k += 1 + (uint32_t)(next() % 3) * (next() % 4 ? 1 : 90000); /* across 0 */
		uint64_t c = next() % every ? 1 + next() % 3 : 255 + next() % 346;
		pk->key[i] = k;
		pk->kcount[i] = (uint8_t)(c < 255 ? c : 255);
		if (c >= 255)
			pk->big[pk->nbig++] = (struct assay_numeric_big){i, c};
		dbl->value[i] = assay_deckey_value(k);
		dbl->count[i] = c;
	}
}

static void free_maps(struct assay_numeric_map *a, struct assay_numeric_map *b)
{
	free(a->key);
	free(a->kcount);
	free(a->big);
	free(b->value);
	free(b->count);
}

/* Edges for the walk: values of the maps themselves (a value on an edge),
 * points between, a repeated edge, one out of order, now and then a NaN,
 * Sturges ends inside the range (values outside are not counted). */
static void make_edges(const struct assay_numeric_map *m, double *e, size_t ne, int trial)
{
	for (size_t i = 0; i < ne; i++) {
		double v = assay_numeric_map_value(m, (size_t)(next() % m->n));
		e[i] = next() % 2 ? v : v + 1e-9 * (double)(next() % 100);
	}
	qsort(e, ne, sizeof *e, cmp_double);
	if (trial % 3 == 1 && ne > 3) {
		e[2] = e[1];                 /* a repeated edge */
		e[ne - 2] = e[ne - 1] + 1.0; /* out of order */
	}
	if (trial % 5 == 4)
		e[next() % ne] = NAN;
}

/* The walk of two packed maps counts its bins apart, by split points
 * (walk.c): the same counts, KS extremes and Wasserstein bits as the walk
 * of the same maps as doubles, which counts them value by value; and the
 * same reference quantile edges. */
static void packed_walk_bins_equal_the_double_walk(void **state)
{
	for (int trial = 0; trial < 400; trial++) {
		struct assay_numeric_map pr, dr, pc, dc;
		size_t nr = 1 + (size_t)(next() % 3000), nc = 1 + (size_t)(next() % 3000);
		/* tiny magnitudes of both signs (across 0), or values near 1 */
		uint32_t base =
		    trial % 4 == 3 ? 0x7fffffffu - 16u * 9000000u : 0x7f000000u + (uint32_t)(next() % 100000);
		uint64_t every = trial % 2 ? 7 : 300;
		make_maps(nr, base, every, &pr, &dr);
		make_maps(nc, base + (uint32_t)(next() % 50000), every, &pc, &dc);
		size_t nqe = 1 + (size_t)(next() % 12), nsb = 1 + (size_t)(next() % 20);
		double qe[12], se[21];
		make_edges(&dr, qe, nqe, trial);
		make_edges(next() % 2 ? &dr : &dc, se, nsb + 1, trial / 2);
		uint64_t q[4][13] = {{0}}, sb[4][20] = {{0}};
		struct drift_walk w[2];
		for (int side = 0; side < 2; side++) {
			w[side] = (struct drift_walk){.qe = qe,
			                              .nqe = nqe,
			                              .qref = q[2 * side],
			                              .qcur = q[2 * side + 1],
			                              .se = se,
			                              .nsb = nsb,
			                              .sref = sb[2 * side],
			                              .scur = sb[2 * side + 1],
			                              .wasserstein = 1,
			                              .ref_mean = 1};
			int rc =
			    side ? drift_numeric_walk(&dr, &dc, &w[1]) : drift_numeric_walk(&pr, &pc, &w[0]);
			assert_int_equal(rc, 0);
		}
		assert_memory_equal(q[0], q[2], sizeof q[0]);
		assert_memory_equal(q[1], q[3], sizeof q[1]);
		assert_memory_equal(sb[0], sb[2], sizeof sb[0]);
		assert_memory_equal(sb[1], sb[3], sizeof sb[1]);
		assert_true(same_bits(w[0].maxS, w[1].maxS) && same_bits(w[0].minS, w[1].minS));
		assert_int_equal(w[0].hmax, w[1].hmax);
		assert_true(same_bits(w[0].w, w[1].w));
		/* the reference's mean summed in the packed walk = map_mean's */
		assert_true(w[0].have_mean && !w[1].have_mean);
		assert_true(same_bits(w[0].mean, assay_numeric_map_mean(&pr)));
		/* the reference quantile edges: the rank cursor skips blocks of a
		 * packed map's count bytes (binning.c) */
		size_t ks[] = {2, 10, 37};
		for (size_t t = 0; t < 3; t++) {
			struct assay_bins b1, b2;
			double *e1, *e2;
			size_t n1, n2;
			struct assay_error err;
			assert_int_equal(drift_quantile_edges(&pr, ks[t], &b1, &e1, &n1, &err), 0);
			assert_int_equal(drift_quantile_edges(&dr, ks[t], &b2, &e2, &n2, &err), 0);
			assert_int_equal(n1, n2);
			assert_memory_equal(e1, e2, n1 * sizeof *e1);
			assay_bins_free(&b1);
			assay_bins_free(&b2);
			free(e1);
			free(e2);
		}
		free_maps(&pr, &dr);
		free_maps(&pc, &dc);
	}
}

/* At 2^20 values a column's last 2^16 are looked at: mostly duplicates ->
 * doubles (memory O(distinct)), mostly distinct -> stays packed. Same maps. */
static void duplicate_heavy_columns_leave_the_key_form(void **state)
{
	char path[256];
	snprintf(path, sizeof path, "%s/big.csv", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("dup,distinct\n", f);
	for (int i = 0; i < (1 << 20) + 5000; i++)
		fprintf(f, "%d.5,%d\n", i == 1 << 20 ? 99 : i % 7, i); /* a new max as the check runs */
	fclose(f);
	struct assay_profile *old = profile_file(path, ASSAY_PROFILE_DEFAULT_CAP * 2, 0, 1, 4096);
	struct assay_profile *pk = profile_file(path, UINT64_MAX, 1, 1, 4096);
	assert_same_profile(old, pk);
	assert_map_of_file(path, 0, &pk->columns[0]);
	assert_map_of_file(path, 1, &pk->columns[1]);
	assert_null(assay_profile_column(pk, "dup")->num.key);
	assert_non_null(assay_profile_column(pk, "distinct")->num.key);
	assay_profile_free(old);
	assay_profile_free(pk);
}

/* Without a cap, a column whose last 2^12 keys at 2^16 are mostly
 * duplicates is counted in a table of keys (profile_tables.c), which it
 * leaves for doubles past 4096 distinct keys ("grows") or at a number that
 * is not a key ("late"); empty and NA fields make rows leave the row plan.
 * The profile is the one a finite cap gives (the key form throughout), for
 * one worker or two, and each map is the file's. */
static void few_distinct_keys_counted_give_the_same_profile(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/counted.csv", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("few,grows,late,distinct\n", f);
	const int rows = 200000;
	for (int i = 0; i < rows; i++) {
		if (i % 1000 == 999)
			fputs(",", f);
		else if (i % 4999 == 17)
			fputs("NA,", f);
		else
			fprintf(f, "%d.25,", i % 17 - 8);
		if (i < 1 << 17)
			fprintf(f, "%d,", i % 5);
		else
			fprintf(f, "%d.5,", i);
		fprintf(f, "%s,%d\n", i == 150000 ? "0.123456789" : i % 3 ? "1" : "-2.5", i);
	}
	fclose(f);
	for (int threads = 1; threads <= 2; threads++) {
		struct assay_profile *old = profile_file(path, (uint64_t)1 << 40, 0, threads, 4096);
		struct assay_profile *kc = profile_file(path, UINT64_MAX, 0, threads, 4096);
		assert_same_profile(old, kc);
		for (size_t j = 0; j < 4; j++)
			assert_map_of_file(path, j, &kc->columns[j]);
		assert_int_equal(assay_profile_column(kc, "few")->num.n, 17);
		assert_int_equal(assay_profile_column(kc, "few")->missing_empty, rows / 1000);
		assay_profile_free(old);
		assay_profile_free(kc);
	}
}

/* Maps of short decimals are written as "dk1:" (decimal keys), whatever
 * their form in memory, read back packed, and write the same bytes again;
 * a map with a 9-digit value stays "kv1:". */
static void deckey_maps_round_trip_through_json(void **state)
{
	char a[256];
	snprintf(a, sizeof a, "%s/j.csv", tmpdir);
	write_mixed(a, 0);
	struct assay_profile *old = profile_file(a, ASSAY_PROFILE_DEFAULT_CAP, 0, 2, 4096);
	struct assay_profile *pk = profile_file(a, UINT64_MAX, 1, 2, 4096);
	char *jo = json_of(old), *jp = json_of(pk);
	assert_non_null(strstr(jo, "\"values\":\"dk1:"));
	assert_non_null(strstr(jo, "\"values\":\"kv1:")); /* "late" */
	struct assay_profile *back = NULL;
	struct assay_error err;
	if (assay_profile_read_json_buffer("j.json", jo, strlen(jo), &back, &err))
		fail_err(&err);
	assert_non_null(assay_profile_column(back, "short")->num.key);
	assert_null(assay_profile_column(back, "late")->num.key);
	assert_same_profile(old, back);
	char *jb = json_of(back);
	assert_string_equal(jb, jo);
	/* the packed build's JSON differs only in parameters.cap */
	assert_int_equal(strlen(strstr(jp, "\"columns\"")), strlen(strstr(jo, "\"columns\"")));
	assert_string_equal(strstr(jp, "\"columns\""), strstr(jo, "\"columns\""));
	assay_profile_free(old);
	assay_profile_free(pk);
	assay_profile_free(back);
	free(jo);
	free(jp);
	free(jb);
}

static int read_dk(const char *values, const char *minmax, struct assay_profile **p, struct assay_error *err)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
	         "{\"schema\":\"assay.profile/1\",\"inputs\":[],\"parameters\":{\"cap\":10,\"topk\":2},"
	         "\"rows\":5,\"columns\":[{\"name\":\"x\",\"type\":\"numeric\",\"rows\":5,\"present\":5,"
	         "\"missing\":{\"empty\":0,\"na\":0,\"nan\":0,\"inf\":0},\"distinct\":4,\"exact\":true,"
	         "%s,\"moments\":{\"n\":5,\"mean\":0,\"m2\":0,\"m3\":0,\"m4\":0},"
	         "\"values\":\"%s\"}]}",
	         minmax, values);
	return assay_profile_read_json_buffer("d.json", buf, strlen(buf), p, err);
}

static void deckey_strings_read_back_or_are_located_errors(void **state)
{
	struct assay_profile *p = NULL;
	struct assay_error err;
	/* -2 x1, 0 x1, 1.5 x2, 7e22 x1 */
	assert_int_equal(read_dk("dk1:v/PtugcBwYySRQGhyvNEAuDThGEB", "\"min\":-2,\"max\":7e22", &p, &err), 0);
	const struct assay_numeric_map *m = &p->columns[0].num;
	assert_int_equal(m->n, 4);
	assert_non_null(m->key);
	assert_true(assay_numeric_map_value(m, 0) == -2 && assay_numeric_map_value(m, 1) == 0 &&
	            assay_numeric_map_value(m, 2) == 1.5 && assay_numeric_map_value(m, 3) == 7e22);
	assert_int_equal(assay_numeric_map_count(m, 2), 2);
	assay_profile_free(p);
	p = NULL;
	assert_int_equal(read_dk("dk1:v/PtugcBwYySRQGhyvNEAuDThGEB", "\"min\":-2,\"max\":8e22", &p, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "min and max must be the first and last values"));
	assert_int_equal(read_dk("dk1:wZ6PwQkF", "\"min\":1,\"max\":1", &p, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "columns[0].values: entry 0: not a decimal key"));
	assert_int_equal(read_dk("dk1:gYjVxAgA", "\"min\":1,\"max\":1", &p, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "count must be at least 1"));
	assert_int_equal(read_dk("dk1:gYjVxAgCAAM=", "\"min\":1,\"max\":1", &p, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "entry 1: values must be strictly ascending"));
	assert_null(p);
}

/* base64 (padded) of raw[0, n) into out (room for 4 (n + 2) / 3 + 1). */
static void b64(const unsigned char *raw, size_t n, char *out)
{
	static const char D[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t w = (uint32_t)raw[i] << 16 | (i + 1 < n ? (uint32_t)raw[i + 1] << 8 : 0) |
		             (i + 2 < n ? raw[i + 2] : 0);
		out[o++] = D[w >> 18];
		out[o++] = D[(w >> 12) & 63];
		out[o++] = i + 1 < n ? D[(w >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? D[w & 63] : '=';
	}
	out[o] = 0;
}

/* A profile of two numeric columns of n short decimals each (keys from
 * the smallest positive one up, count 1 each; in column `bad`, entry
 * zero_at has count 0), "present" set to present. Big enough (~3 MB of
 * base64 a column at n = 1.1M) to be decoded ahead on a second thread. */
static char *big_dk_profile(size_t n, size_t bad, size_t zero_at, uint64_t present)
{
	unsigned char *raw = malloc(2 * n + 8);
	char *enc = malloc((2 * n + 8) / 3 * 4 + 8), *json = malloc(2 * ((2 * n + 8) / 3 * 4) + 4096);
	size_t o = 0;
	for (int col = 0; col < 2; col++) {
		size_t r = 0;
		uint32_t first = ASSAY_DECKEY_ZERO + 1;
		/* the first delta, a varint of 5 bytes */
		for (uint64_t v = first; v >= 0x80; v >>= 7)
			raw[r++] = (unsigned char)(v | 0x80);
		raw[r++] = (unsigned char)(first >> 28);
		raw[r++] = 1;
		for (size_t k = 1; k < n; k++) {
			raw[r++] = 1;
			raw[r++] = (col == (int)bad && k == zero_at) ? 0 : 1;
		}
		b64(raw, r, enc);
		o += (size_t)sprintf(json + o,
		                     col ? ","
		                         : "{\"schema\":\"assay.profile/1\",\"inputs\":[],"
		                           "\"parameters\":{\"cap\":100000000,\"topk\":2},"
		                           "\"rows\":%zu,\"columns\":[",
		                     (size_t)present);
		o += (size_t)sprintf(
		    json + o,
		    "{\"name\":\"c%d\",\"type\":\"numeric\",\"rows\":%zu,\"present\":%llu,"
		    "\"missing\":{\"empty\":0,\"na\":0,\"nan\":0,\"inf\":0},\"distinct\":%zu,"
		    "\"exact\":true,\"min\":%.17g,\"max\":%.17g,"
		    "\"moments\":{\"n\":%zu,\"mean\":0,\"m2\":0,\"m3\":0,\"m4\":0},"
		    "\"values\":\"dk1:%s\"}",
		    col, (size_t)present, (unsigned long long)present, n, assay_deckey_value(first),
		    assay_deckey_value(first + (uint32_t)(n - 1)), (size_t)present, enc);
	}
	strcpy(json + o, "]}");
	free(raw);
	free(enc);
	return json;
}

/* Packed strings of a large profile are decoded on two threads ahead of
 * the columns that hold them: the same maps, and the same located errors,
 * as when decoded in place (the check against the column comes after). */
static void big_profiles_decode_ahead_with_the_same_errors(void **state)
{
	(void)state;
	const size_t n = 1100000;
	struct assay_profile *p = NULL;
	struct assay_error err;
	char *j = big_dk_profile(n, 9, 0, n);
	if (assay_profile_read_json_buffer("big.json", j, strlen(j), &p, &err))
		fail_err(&err);
	for (int c = 0; c < 2; c++) {
		const struct assay_numeric_map *m = &p->columns[c].num;
		assert_int_equal(m->n, n);
		assert_int_equal(m->key[0], ASSAY_DECKEY_ZERO + 1);
		assert_int_equal(m->key[n - 1], ASSAY_DECKEY_ZERO + n);
	}
	assay_profile_free(p);
	p = NULL;
	free(j);
	j = big_dk_profile(n, 1, 777777, n);
	assert_int_equal(assay_profile_read_json_buffer("big.json", j, strlen(j), &p, &err), ASSAY_EINPUT);
	free(j);
	if (!strstr(err.message, "columns[1].values: entry 777777: count must be at least 1"))
		fail_msg("%s", err.message);
	assert_null(p);
	j = big_dk_profile(n, 9, 0, n + 1);
	assert_int_equal(assay_profile_read_json_buffer("big.json", j, strlen(j), &p, &err), ASSAY_EINPUT);
	free(j);
	if (!strstr(err.message, "columns[0].values: counts add up to 1100000, but present is 1100001"))
		fail_msg("%s", err.message);
	assert_null(p);
}

/* One batch of spans through every path of assay_deckey_parse_batch: each
 * span in a heap block of exactly its size (ASan sees a read past it),
 * each path's bits and keys equal to assay_deckey_parse span for span, no
 * bit at or past n. */
static void assert_batch_as_one_by_one(char spans[][24], const size_t *lens, size_t n)
{
	const char *p[ASSAY_DECKEY_BATCH];
	uint32_t len[ASSAY_DECKEY_BATCH], want[ASSAY_DECKEY_BATCH];
	char *blk[ASSAY_DECKEY_BATCH];
	unsigned ok_want = 0;
	for (size_t i = 0; i < n; i++) {
		blk[i] = malloc(lens[i] ? lens[i] : 1);
		assert_non_null(blk[i]);
		memcpy(blk[i], spans[i], lens[i]);
		p[i] = blk[i];
		len[i] = (uint32_t)lens[i];
		ok_want |= (unsigned)(assay_deckey_parse(p[i], len[i], &want[i]) == 0) << i;
	}
	unsigned (*const path[])(const char *const *, const uint32_t *, size_t, uint32_t *) = {
	    assay_deckey_parse_batch, assay_deckey_parse_batch_scalar, assay_deckey_parse_batch_avx512};
	size_t npath = assay_deckey_batch_avx512_usable() ? 3 : 2;
	for (size_t k = 0; k < npath; k++) {
		uint32_t keys[ASSAY_DECKEY_BATCH];
		memset(keys, 0xa5, sizeof keys);
		unsigned ok = path[k](p, len, n, keys);
		if (ok != ok_want)
			fail_msg("path %zu: bits %04x, one by one %04x", k, ok, ok_want);
		for (size_t i = 0; i < n; i++)
			if (ok >> i & 1 && keys[i] != want[i])
				fail_msg("path %zu: \"%.*s\": key %08x, one by one %08x", k, (int)lens[i],
				         spans[i], keys[i], want[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(blk[i]);
}

/* The batch parse (16 spans at once with AVX-512, where this CPU has it;
 * the one-span parse in a loop otherwise) answers as the one-span parse:
 * every span of up to 3 bytes over the byte classes, after no prefix and
 * after "-", "0." and "-0."; and 1.5 million random batches of 1 to 16
 * spans of 0 to 20 bytes (past the vector path's 15): digits with points,
 * signs, exponents and junk anywhere, two points, long runs of zeros,
 * 7 and 8 significant digits. */
static void batch_parse_equals_the_one_span_parse(void **state)
{
	(void)state;
	if (!assay_deckey_batch_avx512_usable())
		print_message("(no AVX-512 here: the scalar path only)\n");
	static const char alpha[] = "0123456789.-+eE /:\x80\0x";
	const size_t na = sizeof alpha - 1;
	char spans[ASSAY_DECKEY_BATCH][24];
	size_t lens[ASSAY_DECKEY_BATCH], n = 0;
	static const char *const pre[] = {"", "-", "0.", "-0."};
	for (size_t k = 0; k < sizeof pre / sizeof *pre; k++) {
		size_t pl = strlen(pre[k]);
		for (size_t len = 0; len <= 3; len++) {
			size_t total = 1;
			for (size_t i = 0; i < len; i++)
				total *= na;
			for (size_t code = 0; code < total; code++) {
				memcpy(spans[n], pre[k], pl);
				size_t c = code;
				for (size_t i = 0; i < len; i++, c /= na)
					spans[n][pl + i] = alpha[c % na];
				lens[n++] = pl + len;
				if (n == ASSAY_DECKEY_BATCH) {
					assert_batch_as_one_by_one(spans, lens, n);
					n = 0;
				}
			}
		}
	}
	if (n)
		assert_batch_as_one_by_one(spans, lens, n);
	for (int it = 0; it < 1500000; it++) {
		n = 1 + next() % ASSAY_DECKEY_BATCH;
		for (size_t j = 0; j < n; j++)
			lens[j] = random_span(spans[j], 21, "000001234567899", alpha, na, 2, 1);
		assert_batch_as_one_by_one(spans, lens, n);
	}
}

/* Spans of 16 bytes or more are the one-span parse's, whatever their
 * length is modulo 256 (the vector path keeps a lane's length in a byte):
 * "1.25" followed by zeros to 261, 271, 512 or 16 bytes (as a byte 5, 15,
 * 0 and 16), and a 256-byte junk span ("x" then zeros), between short
 * numbers ("-12", "-1", "-12345.", ...) that must keep their own keys;
 * each span in a heap block of exactly its size. */
static void batch_parse_long_spans_beside_short_ones(void **state)
{
	(void)state;
	static const size_t lens[] = {3, 261, 2, 271, 4, 512, 1, 16, 6, 256, 5, 255, 7, 15, 3, 300};
	const char *p[ASSAY_DECKEY_BATCH];
	uint32_t len[ASSAY_DECKEY_BATCH], want[ASSAY_DECKEY_BATCH], keys[ASSAY_DECKEY_BATCH];
	char *blk[ASSAY_DECKEY_BATCH];
	unsigned ok_want = 0;
	for (size_t i = 0; i < ASSAY_DECKEY_BATCH; i++) {
		blk[i] = malloc(lens[i]);
		assert_non_null(blk[i]);
		if (lens[i] < 16) { /* the first bytes of "-12345.6789012": "-12", "-1", ... */
			memcpy(blk[i], "-12345.67890123", lens[i]);
		} else {
			memset(blk[i], '0', lens[i]);
			memcpy(blk[i], lens[i] == 256 ? "x" : "1.25", lens[i] == 256 ? 1 : 4);
		}
		p[i] = blk[i];
		len[i] = (uint32_t)lens[i];
		ok_want |= (unsigned)(assay_deckey_parse(p[i], len[i], &want[i]) == 0) << i;
	}
	unsigned (*const path[])(const char *const *, const uint32_t *, size_t, uint32_t *) = {
	    assay_deckey_parse_batch, assay_deckey_parse_batch_scalar, assay_deckey_parse_batch_avx512};
	size_t npath = assay_deckey_batch_avx512_usable() ? 3 : 2;
	for (size_t k = 0; k < npath; k++)
		for (size_t n = 1; n <= ASSAY_DECKEY_BATCH; n++) {
			unsigned ok = path[k](p, len, n, keys), mask = (1u << n) - 1;
			if (ok != (ok_want & mask))
				fail_msg("path %zu, %zu spans: bits %04x, one by one %04x", k, n, ok,
				         ok_want & mask);
			for (size_t i = 0; i < n; i++)
				if (ok >> i & 1 && keys[i] != want[i])
					fail_msg("path %zu: span %zu (%zu bytes): key %08x, one by one %08x",
					         k, i, lens[i], keys[i], want[i]);
		}
	for (size_t i = 0; i < ASSAY_DECKEY_BATCH; i++)
		free(blk[i]);
}

/* The profile of path built with an --na spelling that never occurs: the
 * path that parses a row's fields one by one (with --na spellings a
 * number may be missing, so nothing is batched or skipped). */
static struct assay_profile *profile_one_by_one(const char *path, int threads)
{
	static const char *const na[] = {"never-in-the-file"};
	struct assay_source_opts so = {
	    .path = path, .threads = threads, .min_split_bytes = 1, .block_bytes = 4096, .na = na, .nna = 1};
	struct assay_source *src = NULL;
	struct assay_error err;
	if (assay_source_open(&src, &so, &err))
		fail_err(&err);
	struct assay_profile_opts po = {.cap = UINT64_MAX, .packed = 1};
	struct assay_profile *p = NULL;
	if (assay_profile_build(src, &po, &p, &err))
		fail_err(&err);
	assay_source_free(src);
	return p;
}

/* A row's numeric fields are parsed together, 16 at a time, and a
 * categorical column's plain words skip the number parse: the profile is
 * the one the one-by-one path gives, in the same JSON bytes. 21 columns (a
 * batch is flushed inside the row): short decimals of 1 to 19 bytes, one
 * leaving the key form late, one turning categorical late (profiled
 * again), NA, nan, inf and empty fields among numbers, and a categorical
 * column of words beside "nan", "-inf", "+Infinity", "1e999", "NA",
 * "null", "N/A", "-", ".5", " inf". */
static void batched_rows_profile_as_one_by_one(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/wide.csv", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (int j = 0; j < 18; j++)
		fprintf(f, "n%d,", j);
	fputs("late,turns,cat\n", f);
	static const char *const cats[] = {"x", "nan", "-inf", "+Infinity", "1e999", "NA", "null", "N/A",
	                                   "-", ".5",  " inf", "NaN",       "ñ",     "I",  "+x",   "0"};
	for (int i = 0; i < 20000; i++) {
		for (int j = 0; j < 18; j++) {
			char s[64];
			if (j == 17 && i % 7 == 0)
				fputs(i % 14 ? "NA" : i % 21 ? "nan" : "inf", f);
			else if (j == 16 && i % 5 == 0)
				fputs("", f);
			else if (j == 15)
				fprintf(f, "%s0.0000000000%d", i % 2 ? "-" : "",
				        1 + (int)(next() % 9999999)); /* 13-19 bytes */
			else if (j % 3 == 0) {
				random_decimal(s, sizeof s);
				fputs(s, f);
			} else { /* plain "%.6g"-like spellings of 1 to 12 bytes, the vector path's */
				static const double scale[] = {1, 10, 1e3, 1e5, 1e7, 1e9};
				fprintf(f, "%.*g", 1 + j % 7,
				        ((double)(next() % 2000001) - 1e6) / scale[j % 6]);
			}
			fputc(',', f);
		}
		fprintf(f, "%s,%s,%s\n", i == 19000 ? "3.14159265" : "2.5", i == 18000 ? "w" : "-1.5",
		        cats[next() % (sizeof cats / sizeof *cats)]);
	}
	fclose(f);
	for (int threads = 1; threads <= 2; threads++) {
		struct assay_profile *a = profile_file(path, UINT64_MAX, 1, threads, 4096);
		struct assay_profile *b = profile_one_by_one(path, threads);
		assert_same_profile(a, b);
		char *ja = json_of(a), *jb = json_of(b);
		assert_string_equal(ja, jb);
		free(ja);
		free(jb);
		assay_profile_free(a);
		assay_profile_free(b);
	}
}

/* The runs of sorted keys (keys_runs.c): the AVX-512 path, where this CPU
 * has it, and the public function give the scalar loop's distinct keys,
 * count bytes and big counts, on 20,000 arrays of 1 to 3,000 keys (every
 * tail of a 16-key block) of runs of 1, of 1 to 3, of 1 to 600 (counts of
 * 255 and more, some ending in a block, some across several) and mostly
 * single keys with long runs among them. Each array in a heap block of
 * its exact size. */
/* The runs of a copy of a[0..n) (d distinct keys) by fn, in *m; the
 * compacted keys are returned (the caller frees them, m->kcount and
 * m->big). */
static uint32_t *runs_of(int (*fn)(uint32_t *, size_t, struct assay_numeric_map *, size_t *),
                         const uint32_t *a, size_t n, size_t d, struct assay_numeric_map *m)
{
	size_t cap = 0;
	uint32_t *k = malloc(n * sizeof *k);
	*m = (struct assay_numeric_map){0};
	m->kcount = malloc(d);
	assert_true(k && m->kcount);
	memcpy(k, a, n * sizeof *a);
	assert_int_equal(fn(k, n, m, &cap), 0);
	return k;
}

static void key_runs_paths_agree(void **state)
{
	(void)state;
	int (*const path[])(uint32_t *, size_t, struct assay_numeric_map *,
	                    size_t *) = {drift_keys_runs, drift_keys_runs_avx512};
	size_t npath = drift_keys_runs_avx512_usable() ? 2 : 1;
	for (int it = 0; it < 20000; it++) {
		size_t n = 1 + (size_t)(next() % 3000), i = 0;
		uint32_t *a = malloc(n * sizeof *a), v = (uint32_t)next();
		assert_non_null(a);
		int mode = (int)(next() % 4);
		while (i < n) {
			size_t r = mode == 0   ? 1
			           : mode == 1 ? 1 + next() % 3
			           : mode == 2 ? 1 + next() % 600
			                       : (next() % 8 == 0 ? 200 + next() % 400 : 1);
			for (size_t j = 0; j < r && i < n; j++)
				a[i++] = v;
			v += 1 + (uint32_t)(next() % 5);
		}
		size_t d = 1;
		for (size_t j = 1; j < n; j++)
			d += a[j] != a[j - 1];
		struct assay_numeric_map want, got;
		uint32_t *wk = runs_of(drift_keys_runs_scalar, a, n, d, &want);
		for (size_t k = 0; k < npath; k++) {
			uint32_t *gk = runs_of(path[k], a, n, d, &got);
			assert_memory_equal(gk, wk, d * sizeof *gk);
			assert_memory_equal(got.kcount, want.kcount, d);
			assert_int_equal(got.nbig, want.nbig);
			if (want.nbig)
				assert_memory_equal(got.big, want.big, want.nbig * sizeof *want.big);
			free(gk);
			free(got.kcount);
			free(got.big);
		}
		free(wk);
		free(want.kcount);
		free(want.big);
		free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(keys_decode_to_the_parsed_double),
	    cmocka_unit_test(keys_order_as_their_numbers),
	    cmocka_unit_test(short_spellings_agree_with_the_double),
	    cmocka_unit_test(parse_equals_the_reference_loop),
	    cmocka_unit_test(batch_parse_equals_the_one_span_parse),
	    cmocka_unit_test(batch_parse_long_spans_beside_short_ones),
	    cmocka_unit_test(batched_rows_profile_as_one_by_one),
	    cmocka_unit_test(key_runs_paths_agree),
	    cmocka_unit_test(radix_sort_u32_equals_qsort),
	    cmocka_unit_test(packed_profile_equals_double_profile),
	    cmocka_unit_test(packed_walk_bins_equal_the_double_walk),
	    cmocka_unit_test(duplicate_heavy_columns_leave_the_key_form),
	    cmocka_unit_test(few_distinct_keys_counted_give_the_same_profile),
	    cmocka_unit_test(deckey_maps_round_trip_through_json),
	    cmocka_unit_test(deckey_strings_read_back_or_are_located_errors),
	    cmocka_unit_test(big_profiles_decode_ahead_with_the_same_errors),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
