/* test_profile.c: dataset profiles and their summaries (assay/profile.h,
 * kll.h, hll.h, moments.h, topk.h): moments against a two-pass
 * computation, Pébay's merge, KLL and HLL within their stated error
 * bounds, exact maps, type inference (stray strings, NaN/inf, empty
 * columns, UTF-8), cap switching, merge of halves equal to the whole,
 * JSON round trip and located reader errors. */
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

#include "assay/drift.h"
#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/profile.h"
#include "assay/topk.h"

/* ---- moments ------------------------------------------------------------ */

/* Items a KLL sketch holds, over all its levels. */
static size_t kll_items(const struct assay_kll *k)
{
	size_t items = 0;
	for (size_t h = 0; h < assay_kll_nlevels(k); h++) {
		size_t len;
		assay_kll_level(k, h, &len);
		items += len;
	}
	return items;
}

static void two_pass(const double *x, size_t n, double out[4])
{
	double mean = 0;
	for (size_t i = 0; i < n; i++)
		mean += x[i];
	mean /= (double)n;
	out[0] = mean;
	out[1] = out[2] = out[3] = 0;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - mean;
		out[1] += d * d;
		out[2] += d * d * d;
		out[3] += d * d * d * d;
	}
}

static void close_rel(double a, double b, double tol)
{
	if (!(fabs(a - b) <= tol * fmax(1, fmax(fabs(a), fabs(b)))))
		fail_msg("%.17g != %.17g (tolerance %g)", a, b, tol);
}

static void moments_match_two_pass_and_merge(void **state)
{
	const double x[] = {2, 4, 4, 4, 5, 5, 7, 9, 1e3, -3.5, 0.25, 17, 17, 17, 8};
	size_t n = sizeof x / sizeof *x;
	double ref[4];
	two_pass(x, n, ref);
	struct assay_moments m, a, b;
	assay_moments_init(&m);
	for (size_t i = 0; i < n; i++)
		assay_moments_add(&m, x[i]);
	assert_int_equal(m.n, n);
	close_rel(m.mean, ref[0], 1e-13);
	close_rel(m.m2, ref[1], 1e-12);
	close_rel(m.m3, ref[2], 1e-11);
	close_rel(m.m4, ref[3], 1e-11);
	for (size_t cut = 0; cut <= n; cut++) { /* Pébay: any split merges to the whole */
		assay_moments_init(&a);
		assay_moments_init(&b);
		for (size_t i = 0; i < n; i++)
			assay_moments_add(i < cut ? &a : &b, x[i]);
		assay_moments_merge(&a, &b);
		assert_int_equal(a.n, n);
		close_rel(a.mean, ref[0], 1e-13);
		close_rel(a.m2, ref[1], 1e-12);
		close_rel(a.m3, ref[2], 1e-11);
		close_rel(a.m4, ref[3], 1e-11);
	}
	/* the textbook values: population variance of 2,4,4,4,5,5,7,9 is 4 */
	struct assay_moments t;
	assay_moments_init(&t);
	for (size_t i = 0; i < 8; i++)
		assay_moments_add(&t, x[i]);
	close_rel(t.m2 / 8, 4, 1e-15);
	close_rel(assay_moments_variance(&t), 32.0 / 7, 1e-15);
	/* from a map: the same numbers */
	const double v[] = {2, 4, 5, 7, 9};
	const uint64_t c[] = {1, 3, 2, 1, 1};
	struct assay_moments fm;
	assay_moments_from_map(&fm, v, c, 5);
	close_rel(fm.mean, 5, 1e-15);
	close_rel(fm.m2, 32, 1e-15);
	close_rel(fm.m3, t.m3, 1e-12);
	close_rel(fm.m4, t.m4, 1e-12);
}

/* ---- KLL ---------------------------------------------------------------- */

static void kll_rank_error_within_bound(void **state)
{
	const uint32_t n = 1000000;
	struct assay_kll *a = assay_kll_new(200), *b = assay_kll_new(200), *all = assay_kll_new(200);
	/* a permutation of 0..n-1: i * 7919 mod n (7919 is prime, coprime with 10^6) */
	for (uint32_t i = 0; i < n; i++) {
		double v = (double)(((uint64_t)i * 7919) % n);
		assert_int_equal(assay_kll_add(all, v), 0);
		assert_int_equal(assay_kll_add(i & 1 ? a : b, v), 0);
	}
	assert_int_equal(assay_kll_merge(a, b), 0);
	assert_int_equal(assay_kll_n(all), n);
	assert_int_equal(assay_kll_n(a), n);
	assert_true(assay_kll_min(all) == 0 && assay_kll_max(all) == n - 1);
	double worst = 0, worst_merged = 0;
	for (int k = 1; k < 100; k++) {
		double q = k / 100.0;
		/* the true rank of value v is v + 1 */
		double e = fabs((assay_kll_quantile(all, q) + 1) / n - q);
		double em = fabs((assay_kll_quantile(a, q) + 1) / n - q);
		worst = fmax(worst, e);
		worst_merged = fmax(worst_merged, em);
	}
	if (!(worst <= 0.0165 && worst_merged <= 0.0165))
		fail_msg("KLL rank error %g / merged %g above 1.65%%", worst, worst_merged);
	/* the sketch stays small: under 3k + 8 log2(n/k) items */
	assert_true(kll_items(all) < 3 * 200 + 8 * 13);
	/* serialised and restored: identical answers, and it continues identically */
	const double *lv[ASSAY_KLL_MAX_LEVELS];
	size_t len[ASSAY_KLL_MAX_LEVELS];
	for (size_t h = 0; h < assay_kll_nlevels(all); h++)
		lv[h] = assay_kll_level(all, h, &len[h]);
	struct assay_kll *r =
	    assay_kll_restore(200, n, 0, n - 1, assay_kll_coin(all), assay_kll_nlevels(all), lv, len);
	assert_non_null(r);
	for (int i = 0; i < 1000; i++) {
		assay_kll_add(r, i);
		assay_kll_add(all, i);
	}
	for (int k = 0; k <= 10; k++)
		assert_true(assay_kll_quantile(r, k / 10.0) == assay_kll_quantile(all, k / 10.0));
	/* a sketch whose weights do not add up to n is refused */
	assert_null(assay_kll_restore(200, n + 1, 0, n - 1, 0, assay_kll_nlevels(all), lv, len));
	/* a weighted add is an add repeated */
	struct assay_kll *w = assay_kll_new(200);
	assay_kll_add_weighted(w, 5, 1000000);
	assay_kll_add_weighted(w, 7, 3000000);
	assert_int_equal(assay_kll_n(w), 4000000);
	assert_true(assay_kll_quantile(w, 0.2) == 5 && assay_kll_quantile(w, 0.3) == 7);
	assay_kll_free(w);
	assay_kll_free(r);
	assay_kll_free(a);
	assay_kll_free(b);
	assay_kll_free(all);
}

/* A merge takes the smaller k, and the merged sketch is compacted to that
 * k's size even when the number of levels does not change (a capacity
 * cached for the larger k kept 1,168 items at k = 50). */
static void kll_merge_takes_the_smaller_k(void **state)
{
	(void)state;
	struct assay_kll *big = assay_kll_new(400), *small = assay_kll_new(50);
	for (uint32_t i = 0; i < 200000; i++)
		assert_int_equal(assay_kll_add(big, (double)((i * 7919u) % 200000u)), 0);
	assert_int_equal(assay_kll_add(small, 1.0), 0);
	assert_true(kll_items(big) > 3 * 50 + 8 * 12);
	assert_int_equal(assay_kll_merge(big, small), 0);
	assert_int_equal(assay_kll_k(big), 50);
	assert_int_equal(assay_kll_n(big), 200001);
	if (!(kll_items(big) < 3 * 50 + 8 * 13))
		fail_msg("merged sketch keeps %zu items at k = 50", kll_items(big));
	assay_kll_free(big);
	assay_kll_free(small);
}

/* ---- HLL ---------------------------------------------------------------- */

static void hll_within_three_standard_errors(void **state)
{
	struct assay_hll *h = assay_hll_new(), *a = assay_hll_new(), *b = assay_hll_new();
	const uint64_t n = 1000000;
	for (uint64_t i = 0; i < n; i++) {
		char s[24];
		int len = snprintf(s, sizeof s, "v%llu", (unsigned long long)i);
		uint64_t x = assay_hash64(s, (size_t)len);
		assay_hll_add_hash(h, x);
		assay_hll_add_hash(i % 3 ? a : b, x);
		assay_hll_add_hash(a, x); /* repeats change nothing */
	}
	double bound = 3 * 1.04 / sqrt(4096.0);
	double e = assay_hll_estimate(h);
	if (!(fabs(e / n - 1) <= bound))
		fail_msg("HLL estimate %g for %llu distinct", e, (unsigned long long)n);
	assay_hll_merge(b, a);
	assert_true(assay_hll_estimate(b) == e); /* register max: the same registers */
	/* small range (linear counting) is much better than the bound */
	struct assay_hll *s = assay_hll_new();
	for (int i = 0; i < 1000; i++)
		assay_hll_add_hash(s, assay_hash_double(i));
	assert_true(fabs(assay_hll_estimate(s) / 1000 - 1) < 0.03);
	assert_true(assay_hash_double(-0.0) == assay_hash_double(0.0));
	assay_hll_free(s);
	assay_hll_free(h);
	assay_hll_free(a);
	assay_hll_free(b);
}

/* ---- top-k -------------------------------------------------------------- */

static void misra_gries_bounds_and_exact_ties(void **state)
{
	struct assay_topk *t = assay_topk_new(10);
	uint64_t n = 0;
	for (int i = 0; i < 20000; i++) { /* "hot" 1/4 of the time, "warm" 1/8, then 5000 singletons */
		const char *v = i % 4 == 0 ? "hot" : i % 8 == 1 ? "warm" : NULL;
		char s[16];
		if (!v) {
			snprintf(s, sizeof s, "s%d", i);
			v = s;
		}
		assay_topk_add(t, v, strlen(v), 1);
		n++;
	}
	assay_topk_settle(t);
	uint32_t len;
	assert_string_equal(assay_topk_value(t, 0, &len), "hot");
	uint64_t off = assay_topk_offset(t);
	assert_true(off <= n / 11);
	assert_true(assay_topk_count(t, 0) <= 5000 && assay_topk_count(t, 0) + off >= 5000);
	assay_topk_free(t);
	/* exact: ties broken bytewise */
	char *v[] = {"b", "a", "c", "d"};
	uint32_t l[] = {1, 1, 1, 1};
	uint64_t c[] = {5, 5, 9, 1};
	size_t idx[3];
	assert_int_equal(assay_topk_exact(v, l, c, 4, 3, idx), 3);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 1);
	assert_int_equal(idx[2], 0);
}

/* ---- profiles ----------------------------------------------------------- */

static const char TYPES_CSV[] = "num,mixed,empty,cat,big\n"
                                "1.5,1,,é,1\n"
                                "-0.0,2,NA,日本,2\n"
                                "0,3,,a,3\n"
                                "NaN,4,null,é,4\n"
                                "inf,5,,a,5\n"
                                "-Infinity,x,,é,6\n"
                                ",7,,,7\n"
                                "NA,8,,null,8\n"
                                "2.5e0,9,,a,9\n"
                                "1.5,10,,a,10\n"
                                "3,11,,b,11\n"
                                "3,12,,b,12\n";

static void types_counts_and_exact_maps(void **state)
{
	const char *path = write_text("types.csv", TYPES_CSV);
	for (int threads = 1; threads <= 3; threads++) {
		struct assay_profile *p = profile_file(path, 1000, 0, threads, 64);
		assert_int_equal(p->rows, 12);
		assert_int_equal(p->ncolumns, 5);
		const struct assay_column_profile *num = assay_profile_column(p, "num");
		assert_int_equal(num->type, ASSAY_COL_NUMERIC);
		assert_int_equal(num->present, 7);
		assert_int_equal(num->missing_empty, 1);
		assert_int_equal(num->missing_na, 1);
		assert_int_equal(num->missing_nan, 1);
		assert_int_equal(num->missing_inf, 2);
		assert_int_equal(num->num.n, 4); /* 0 (with -0.0), 1.5, 2.5, 3 */
		assert_true(num->num.value[0] == 0 && !signbit(num->num.value[0]) && num->num.count[0] == 2);
		assert_true(num->num.value[1] == 1.5 && num->num.count[1] == 2);
		assert_true(num->num.value[3] == 3 && num->num.count[3] == 2);
		assert_true(num->min == 0 && num->max == 3);
		assert_int_equal(num->distinct, 4);
		close_rel(num->moments.mean, 11.5 / 7, 1e-15);
		assert_true(assay_column_quantile(num, 0.5) == 1.5);
		assert_true(assay_column_quantile(num, 1) == 3);
		/* a stray string in a numeric-looking column: categorical, with the
		 * numbers' own spelling (found in a second pass when needed) */
		const struct assay_column_profile *mixed = assay_profile_column(p, "mixed");
		assert_int_equal(mixed->type, ASSAY_COL_CATEGORICAL);
		assert_int_equal(mixed->present, 12);
		assert_int_equal(mixed->cat.n, 12);
		assert_string_equal(mixed->cat.value[0], "1");
		assert_string_equal(mixed->cat.value[1], "10"); /* bytewise order */
		assert_string_equal(mixed->cat.value[11], "x");
		assert_true(isnan(mixed->min));
		const struct assay_column_profile *empty = assay_profile_column(p, "empty");
		assert_int_equal(empty->type, ASSAY_COL_EMPTY);
		assert_int_equal(empty->present, 0);
		assert_int_equal(empty->missing_empty, 10);
		assert_int_equal(empty->missing_na, 2);
		assert_true(isnan(assay_column_quantile(empty, 0.5)));
		const struct assay_column_profile *cat = assay_profile_column(p, "cat");
		assert_int_equal(cat->type, ASSAY_COL_CATEGORICAL);
		assert_int_equal(cat->present, 10);
		assert_int_equal(cat->cat.n, 4);
		assert_string_equal(cat->cat.value[0], "a");
		assert_string_equal(cat->cat.value[1], "b");
		assert_string_equal(cat->cat.value[2], "é");
		assert_string_equal(cat->cat.value[3], "日本");
		assert_int_equal(cat->ntop, 4);
		assert_string_equal(cat->top_value[0], "a"); /* a 4, é 3, b 2, 日本 1 */
		assert_int_equal(cat->top_count[0], 4);
		assert_string_equal(cat->top_value[1], "é");
		assay_profile_free(p);
	}
}

/* FNV-1a of a sketch's state: coin, levels and their items' bytes. */
static uint64_t kll_digest(const struct assay_kll *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	uint64_t words[2] = {assay_kll_coin(s), assay_kll_nlevels(s)};
	for (int i = 0; i < 2; i++)
		for (int b = 0; b < 8; b++)
			h = (h ^ ((words[i] >> (8 * b)) & 0xff)) * UINT64_C(0x100000001b3);
	for (size_t lv = 0; lv < assay_kll_nlevels(s); lv++) {
		size_t len;
		const double *v = assay_kll_level(s, lv, &len);
		const unsigned char *p = (const unsigned char *)v;
		for (size_t i = 0; i < len * sizeof *v; i++)
			h = (h ^ p[i]) * UINT64_C(0x100000001b3);
	}
	return h;
}

/* The sketch is a function of its input and its order, pinned to the bytes
 * main's build gave (its levels sorted by qsort, now by kll.c's own stable
 * sort; the capacities computed once per level count): 2e5 values with
 * many ties, -0.0 beside 0.0, merged with a second sketch. */
static void kll_state_is_pinned(void **state)
{
	(void)state;
	struct assay_kll *a = assay_kll_new(ASSAY_KLL_DEFAULT_K), *b = assay_kll_new(ASSAY_KLL_DEFAULT_K);
	uint64_t x = 12345;
	for (int i = 0; i < 200000; i++) {
		x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		int r = (int)(x >> 40) % 2001 - 1000;
		double v = r == 0 ? (i & 1 ? -0.0 : 0.0) : r / 8.0;
		assert_int_equal(assay_kll_add(i % 3 ? a : b, v), 0);
	}
	assert_int_equal(assay_kll_add_weighted(b, 2.5, 777), 0);
	assert_true(kll_digest(a) == UINT64_C(0x7ddae95cc7d5553c));
	assert_int_equal(assay_kll_merge(a, b), 0);
	assert_true(kll_digest(a) == UINT64_C(0x4243ab4a5aab3ef0));
	assay_kll_free(a);
	assay_kll_free(b);
}

static void cap_switches_to_sketches(void **state)
{
	char *csv = malloc(200000);
	size_t o = (size_t)sprintf(csv, "x,s\n");
	for (int i = 0; i < 5000; i++)
		o += (size_t)sprintf(csv + o, "%d,k%d\n", i % 500, i % 700);
	const char *path = write_text("cap.csv", csv);
	free(csv);
	struct assay_profile *p = profile_file(path, 100, 0, 2, 64);
	const struct assay_column_profile *x = assay_profile_column(p, "x"),
	                                  *s = assay_profile_column(p, "s");
	assert_false(x->exact);
	assert_non_null(x->kll);
	assert_non_null(x->hll);
	assert_int_equal(assay_kll_n(x->kll), 5000);
	assert_true(x->min == 0 && x->max == 499);
	close_rel(x->moments.mean, 249.5, 1e-12);
	assert_true(fabs((double)x->distinct - 500) < 25);
	assert_true(fabs(assay_column_quantile(x, 0.5) - 250) < 0.0165 * 500);
	assert_false(s->exact);
	assert_true(fabs((double)s->distinct - 700) < 35);
	assert_non_null(s->mg);
	/* round trip through JSON keeps the sketches */
	char *j = json_of(p);
	struct assay_profile *r = NULL;
	struct assay_error err;
	if (assay_profile_read_json_buffer("cap.json", j, strlen(j), &r, &err))
		fail_err(&err);
	char *j2 = json_of(r);
	assert_string_equal(j, j2);
	free(j);
	free(j2);
	assay_profile_free(r);
	assay_profile_free(p);
}

/* "Same inputs and seed, same bytes" (DESIGN.md) past the cap too: a file
 * whose columns pass a cap of 50 (short decimals, long doubles, skewed
 * categories, numbers that turn categorical late, a quoted line break)
 * profiles to the same JSON with 1 to 4 workers and chunks of 64 bytes to
 * 64 KiB, and again run after run: the sketches see the rows in file
 * order whatever the split (docs/profiles.md, "Determinism"). Exact
 * columns ("few") are exact either way. */
static void sketched_profiles_do_not_depend_on_the_split(void **state)
{
	enum { ROWS = 6000 };
	char *csv = malloc((size_t)ROWS * 96 + 64);
	size_t o = (size_t)sprintf(csv, "dec,dbl,cat,late,few,txt\n");
	for (int i = 0; i < ROWS; i++) {
		int r = (int)(((unsigned)i * 2654435761u) >> 20);
		o += (size_t)sprintf(csv + o, "%d.%02d,%.17g,k%d,", r % 977, i % 100,
		                     i * 0.123456789012345 + r, i % 3 ? r % 40 : r % 4000);
		if (i == ROWS / 2)
			o += (size_t)sprintf(csv + o, "late text,");
		else
			o += (size_t)sprintf(csv + o, "%d,", r % 300);
		const char *txt = i == 4321 ? "\"two\nlines\"" : i % 5 ? "w" : "\"q,x\"";
		o += (size_t)sprintf(csv + o, "%d,%s\n", i % 7, txt);
	}
	const char *path = write_text("split.csv", csv);
	free(csv);
	struct assay_profile *ref = profile_file(path, 50, 0, 1, 0);
	for (size_t j = 0; j < 4; j++)
		assert_false(ref->columns[j].exact);
	assert_int_equal(assay_profile_column(ref, "late")->type, ASSAY_COL_CATEGORICAL);
	assert_true(assay_profile_column(ref, "few")->exact);
	char *want = json_of(ref);
	static const size_t blocks[] = {64, 1000, 4096, 65536};
	for (int round = 0; round < 3; round++)
		for (int threads = 1; threads <= 4; threads++)
			for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
				struct assay_profile *p =
				    profile_file(path, 50, round & 1, threads, blocks[b]);
				char *got = json_of(p);
				if (strcmp(got, want) != 0)
					fail_msg("threads %d, blocks of %zu: the profile differs", threads,
					         blocks[b]);
				free(got);
				assay_profile_free(p);
			}
	free(want);
	assay_profile_free(ref);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Past the cap a profile sketches pieces of 2^10 to 2^16 rows separately
 * (each piece's values sorted, compacted whole: assay_kll_from_sorted)
 * and merges them in piece order (lib/drift/profile_pieces.c). On 10^6
 * values in pieces of 2^16, the 99 percentiles stay within the 1.65% of
 * n that docs/profiles.md states, n, min and max are exact, the sketch
 * stays under 3k + 8 log2(n/k) items, and a piece's sketch is a function
 * of its values and coin. */
static void kll_of_sorted_pieces_within_bound(void **state)
{
	(void)state;
	const uint32_t n = 1000000, piece = 1u << 16;
	double *v = malloc(piece * sizeof *v);
	struct assay_kll *all = assay_kll_new(200);
	for (uint32_t at = 0, p = 0; at < n; at += piece, p++) {
		uint32_t m = n - at < piece ? n - at : piece;
		for (uint32_t i = 0; i < m; i++)
			v[i] = (double)(((uint64_t)(at + i) * 7919) % n);
		qsort(v, m, sizeof *v, cmp_dbl);
		struct assay_kll *s = assay_kll_from_sorted(200, v, m, (uint64_t)(p + 1) << 32);
		struct assay_kll *again = assay_kll_from_sorted(200, v, m, (uint64_t)(p + 1) << 32);
		assert_non_null(s);
		assert_int_equal(assay_kll_n(s), m);
		assert_int_equal(assay_kll_nlevels(s), assay_kll_nlevels(again));
		for (size_t h = 0; h < assay_kll_nlevels(s); h++) {
			size_t la, lb;
			const double *a = assay_kll_level(s, h, &la), *b = assay_kll_level(again, h, &lb);
			assert_int_equal(la, lb);
			assert_true(la == 0 || memcmp(a, b, la * sizeof *a) == 0);
		}
		assert_int_equal(assay_kll_merge(all, s), 0);
		assay_kll_free(s);
		assay_kll_free(again);
	}
	assert_int_equal(assay_kll_n(all), n);
	assert_true(assay_kll_min(all) == 0 && assay_kll_max(all) == n - 1);
	double worst = 0;
	for (int k = 1; k < 100; k++) {
		double q = k / 100.0; /* the true rank of value v is v + 1 */
		worst = fmax(worst, fabs((assay_kll_quantile(all, q) + 1) / n - q));
	}
	if (!(worst <= 0.0165))
		fail_msg("KLL of sorted pieces: rank error %g above 1.65%%", worst);
	assert_true(kll_items(all) < 3 * 200 + 8 * 13);
	/* at most k values: kept whole, every quantile exact */
	for (int i = 0; i < 150; i++)
		v[i] = i;
	struct assay_kll *small = assay_kll_from_sorted(200, v, 150, 1);
	assert_int_equal(assay_kll_nlevels(small), 1);
	assert_true(assay_kll_quantile(small, 0.5) == 74);
	assay_kll_free(small);
	assay_kll_free(all);
	free(v);
}

/* Rank of x among the values of an exact map: the share <= x. */
static double map_rank(const struct assay_numeric_map *m, double x)
{
	uint64_t below = 0, total = 0;
	for (size_t i = 0; i < m->n; i++) {
		total += m->count[i];
		below += m->value[i] <= x ? m->count[i] : 0;
	}
	return (double)below / (double)total;
}

/* A numeric column past the cap agrees with the exact profile of the same
 * file where the statistics are exact (counts of every kind, min, max),
 * within rounding for the moments (each piece's two-pass sums merged by
 * Pébay's formulas), within 1.65% of n for every percentile (KLL) and 3
 * standard errors (4.9%) for the distinct count (HLL); and it is the same
 * bytes with 1, 2 or 3 workers on blocks of 4 KiB. 40,000 rows (pieces of
 * 2^10 rows), short decimals and 17-digit doubles, missing values of
 * every kind. */
static void past_the_cap_numeric_agrees_with_exact(void **state)
{
	(void)state;
	enum { ROWS = 40000 };
	char *csv = malloc((size_t)ROWS * 64 + 64);
	size_t o = (size_t)sprintf(csv, "x,y\n");
	for (int i = 0; i < ROWS; i++) {
		unsigned r = ((unsigned)i * 2654435761u) >> 8;
		double u = (r % 1000003) / 1000003.0;
		o += (size_t)sprintf(csv + o, "%.6g,", exp(6 * u) - 1 + (i % 7 == 0 ? 0 : u));
		if (i % 97 == 0)
			o += (size_t)sprintf(csv + o, "%s\n", i % 3 == 0 ? "" : i % 3 == 1 ? "NA" : "inf");
		else if (i % 11 == 0)
			o += (size_t)sprintf(csv + o, "%.17g\n", u * 1e3 + i);
		else
			o += (size_t)sprintf(csv + o, "%d.%03d\n", (int)(r % 5000) - 2500, i % 1000);
	}
	const char *path = write_text("pastcap.csv", csv);
	free(csv);
	struct assay_profile *exact = profile_file(path, 1 << 20, 0, 2, 4096);
	struct assay_profile *ref = profile_file(path, 500, 0, 1, 0);
	char *want = json_of(ref);
	for (int threads = 1; threads <= 3; threads++) {
		struct assay_profile *p = profile_file(path, 500, 0, threads, 4096);
		char *got = json_of(p);
		if (strcmp(got, want) != 0)
			fail_msg("%d workers: the profile past the cap differs", threads);
		free(got);
		assay_profile_free(p);
	}
	free(want);
	for (size_t j = 0; j < 2; j++) {
		const struct assay_column_profile *e = &exact->columns[j], *s = &ref->columns[j];
		assert_true(e->exact);
		assert_false(s->exact);
		assert_int_equal(s->type, ASSAY_COL_NUMERIC);
		assert_int_equal(s->rows, e->rows);
		assert_int_equal(s->present, e->present);
		assert_int_equal(s->missing_empty, e->missing_empty);
		assert_int_equal(s->missing_na, e->missing_na);
		assert_int_equal(s->missing_inf, e->missing_inf);
		assert_true(s->min == e->min && s->max == e->max);
		assert_int_equal(s->moments.n, e->moments.n);
		assert_true(fabs(s->moments.mean - e->moments.mean) <= 1e-12 * fabs(e->moments.mean) + 1e-12);
		assert_true(fabs(s->moments.m2 - e->moments.m2) <= 1e-10 * e->moments.m2);
		assert_true(fabs(s->moments.m4 - e->moments.m4) <= 1e-9 * e->moments.m4);
		assert_true(fabs((double)s->distinct - (double)e->distinct) <= 0.049 * (double)e->distinct);
		assert_int_equal(assay_kll_n(s->kll), e->present);
		for (int k = 1; k < 100; k++) {
			double q = k / 100.0, x = assay_kll_quantile(s->kll, q);
			if (!(fabs(map_rank(&e->num, x) - q) <= 0.0165))
				fail_msg("column %zu, p%02d: rank %g", j, k, map_rank(&e->num, x));
		}
	}
	assay_profile_free(exact);
	assay_profile_free(ref);
}

/* JSONL past the cap in parallel: the numeric column is sketched in
 * pieces by row number on every worker, the categorical one read again in
 * order on one (docs/profiles.md, "Determinism"): the same bytes as one
 * worker, and so counts, min, max, the HLL's distinct estimate and the
 * KLL's n too. */
static void jsonl_past_the_cap_in_parallel(void **state)
{
	(void)state;
	enum { ROWS = 3000 };
	char *text = malloc((size_t)ROWS * 64 + 1);
	size_t o = 0;
	for (int i = 0; i < ROWS; i++) {
		int r = (int)(((unsigned)i * 2654435761u) >> 20);
		o += (size_t)sprintf(text + o, "{\"dec\": %d.%02d, \"cat\": \"k%d\", \"few\": %d}\n", r % 977,
		                     i % 100, r % 4000, i % 7);
	}
	const char *path = write_text("split.jsonl", text);
	free(text);
	struct assay_profile *one = profile_file(path, 50, 0, 1, 0);
	char *want = json_of(one);
	for (int threads = 2; threads <= 3; threads++) {
		struct assay_profile *p = profile_file(path, 50, 0, threads, 256);
		/* the same bytes */
		char *got = json_of(p);
		assert_string_equal(got, want);
		free(got);
		for (size_t j = 0; j < 3; j++) {
			const struct assay_column_profile *a = &one->columns[j], *b = &p->columns[j];
			assert_int_equal(a->type, b->type);
			assert_int_equal(a->exact, b->exact);
			assert_int_equal(a->rows, b->rows);
			assert_int_equal(a->present, b->present);
			assert_int_equal(a->distinct, b->distinct);
			assert_true(a->type != ASSAY_COL_NUMERIC || (a->min == b->min && a->max == b->max));
			if (a->kll)
				assert_int_equal(assay_kll_n(a->kll), assay_kll_n(b->kll));
		}
		assert_false(p->columns[0].exact);
		assert_false(p->columns[1].exact);
		assert_true(p->columns[2].exact);
		assay_profile_free(p);
	}
	free(want);
	assay_profile_free(one);
}

static void merge_of_halves_equals_whole(void **state)
{
	const char *head = "num,mixed,empty,cat,big\n";
	const char *body = TYPES_CSV + strlen(head);
	const char *mid = body;
	for (int k = 0; k < 6; k++)
		mid = strchr(mid, '\n') + 1;
	char first[1024], second[1024];
	snprintf(first, sizeof first, "%s%.*s", head, (int)(mid - body), body);
	snprintf(second, sizeof second, "%s%s", head, mid);
	const char *wp = write_text("whole.csv", TYPES_CSV);
	struct assay_profile *whole = profile_file(wp, 1000, 0, 1, 64);
	struct assay_profile *a = profile_file(write_text("a.csv", first), 1000, 0, 1, 64);
	struct assay_profile *b = profile_file(write_text("b.csv", second), 1000, 0, 1, 64);
	struct assay_error err;
	if (assay_profile_merge(a, b, &err))
		fail_err(&err);
	/* exact everywhere: the JSON columns are byte-identical */
	char *jw = json_of(whole), *jm = json_of(a);
	assert_string_equal(strstr(jw, "\"columns\":"), strstr(jm, "\"columns\":"));
	free(jw);
	free(jm);
	assay_profile_free(a);
	assay_profile_free(b);
	assay_profile_free(whole);
}

static void reader_errors_are_located(void **state)
{
	struct assay_profile *p = NULL;
	struct assay_error err;
	const char *trunc = "{\"schema\": \"assay.profile/1\",\n \"rows\": ";
	assert_int_equal(assay_profile_read_json_buffer("t.json", trunc, strlen(trunc), &p, &err),
	                 ASSAY_EINPUT);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.file, "t.json");
	const char *other = "{\"schema\": \"assay.eval/1\"}";
	assert_int_equal(assay_profile_read_json_buffer("e.json", other, strlen(other), &p, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "expected \"assay.profile/1\", found \"assay.eval/1\""));
	const char *badcount =
	    "{\"schema\":\"assay.profile/1\",\"inputs\":[],\"parameters\":{\"cap\":10,\"topk\":2},\"rows\":1,"
	    "\"columns\":[{\"name\":\"a\",\"type\":\"numeric\",\"rows\":1,\"present\":1,\"missing\":{"
	    "\"empty\":0,"
	    "\"na\":0,\"nan\":0,\"inf\":0},\"distinct\":1,\"exact\":true,\"min\":1,\"max\":1,\"moments\":{"
	    "\"n\":1,"
	    "\"mean\":1,\"m2\":0,\"m3\":0,\"m4\":0},\"values\":[[1,2]]}]}";
	assert_int_equal(assay_profile_read_json_buffer("c.json", badcount, strlen(badcount), &p, &err),
	                 ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "columns[0].values: counts add up to 2, but present is 1"));
	assert_null(p);
}

/* Exact numeric maps are stored as one "kv1:" string (docs/profiles.md):
 * base64 of LEB128 key deltas and counts. A hand-made one reads back as the
 * map; broken ones are located errors. */
static int read_packed(const char *values, struct assay_profile **p, struct assay_error *err)
{
	char buf[1024];
	snprintf(buf, sizeof buf,
	         "{\"schema\":\"assay.profile/1\",\"inputs\":[],\"parameters\":{\"cap\":10,\"topk\":2},"
	         "\"rows\":5,\"columns\":[{\"name\":\"x\",\"type\":\"numeric\",\"rows\":5,\"present\":5,"
	         "\"missing\":{\"empty\":0,\"na\":0,\"nan\":0,\"inf\":0},\"distinct\":4,\"exact\":true,"
	         "\"min\":-2,\"max\":1e300,\"moments\":{\"n\":5,\"mean\":0,\"m2\":0,\"m3\":0,\"m4\":0},"
	         "\"values\":\"%s\"}]}",
	         values);
	return assay_profile_read_json_buffer("k.json", buf, strlen(buf), p, err);
}

static void packed_values_read_back(void **state)
{
	(void)state;
	struct assay_profile *p = NULL;
	struct assay_error err;
	/* -2 x1, 0 x1, 1.5 x2, 1e300 x1 (written by `assay profile`) */
	assert_int_equal(
	    read_packed("kv1://////////8/AYGAgICAgICAQAGAgICAgICA/D8CnOuBwMiH+Z8+AQ==", &p, &err), 0);
	const struct assay_column_profile *c = &p->columns[0];
	assert_int_equal(c->num.n, 4);
	assert_true(c->num.value[0] == -2 && c->num.value[1] == 0 && c->num.value[2] == 1.5 &&
	            c->num.value[3] == 1e300);
	assert_true(c->num.count[0] == 1 && c->num.count[2] == 2);
	assay_profile_free(p);
	p = NULL;
	assert_int_equal(read_packed("kv1:AAAA", &p, &err), ASSAY_EINPUT); /* key 0: a NaN */
	assert_non_null(strstr(err.message, "columns[0].values: entry 0: not a finite number"));
	assert_int_equal(read_packed("kv1:!!!!", &p, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "not base64"));
	assert_int_equal(read_packed("kv1:/w==", &p, &err), ASSAY_EINPUT); /* 0xff, then nothing */
	assert_non_null(strstr(err.message, "truncated"));
	assert_int_equal(read_packed("kv2:AAAA", &p, &err), ASSAY_EINPUT);
	assert_non_null(strstr(err.message, "expected an array of [value, count] or a \"kv1:\" string"));
	assert_null(p);
}

/* Long packed maps are lifted out of the text before jansson parses it
 * (profile_json_read.c): the result is the same as the plain parse, which
 * is what a text already holding the placeholder prefix gets. */
static void long_packed_maps_read_back_either_way(void **state)
{
	(void)state;
	char *csv = malloc(64 * 1024);
	size_t n = (size_t)sprintf(csv, "x,y\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)sprintf(csv + n, "%.17g,%d\n", (i % 997) * 1.37e-3 - 0.5, i % 7);
	struct assay_profile *p = profile_file(write_text("long.csv", csv), 1 << 20, 0, 1, 64);
	char *j = json_of(p);
	assert_non_null(strstr(j, "\"values\":\"kv1:"));
	struct assay_profile *lifted = NULL, *plain = NULL;
	struct assay_error err;
	if (assay_profile_read_json_buffer("l.json", j, strlen(j), &lifted, &err))
		fail_err(&err);
	char *back = json_of(lifted);
	assert_string_equal(back, j);
	/* the same text with the placeholder prefix in a column name: nothing is lifted */
	char *k = malloc(strlen(j) + 16);
	char *at = strstr(j, "\"name\":\"y\"");
	assert_non_null(at);
	sprintf(k, "%.*s\"name\":\"ykv1@0\"%s", (int)(at - j), j, at + strlen("\"name\":\"y\""));
	if (assay_profile_read_json_buffer("p.json", k, strlen(k), &plain, &err))
		fail_err(&err);
	assert_int_equal(plain->columns[0].num.n, lifted->columns[0].num.n);
	assert_memory_equal(plain->columns[0].num.value, lifted->columns[0].num.value,
	                    lifted->columns[0].num.n * sizeof(double));
	assert_string_equal(plain->columns[1].name, "ykv1@0");
	/* a placeholder written by someone else is not a map */
	struct assay_profile *forged = NULL;
	char *v = strstr(k, "\"values\":\"kv1:");
	assert_non_null(v);
	memcpy(v + strlen("\"values\":\"kv1"), "@", 1);
	assert_int_equal(assay_profile_read_json_buffer("f.json", k, strlen(k), &forged, &err), ASSAY_EINPUT);
	assert_null(forged);
	assay_profile_free(p);
	assay_profile_free(lifted);
	assay_profile_free(plain);
	free(csv);
	free(j);
	free(back);
	free(k);
}

/* A category may hold U+0000 (valid UTF-8 in a CSV field): the profile
 * writes it as \u0000 and reads it back whole (the reader refused it),
 * and a sketched reference (cap 3) compared with the exact profile of the
 * same data finds no category new or vanished (its top values were
 * compared as C strings, cut at the NUL). */
static void categories_with_nul_bytes_survive(void **state)
{
	static const char csv[] = "v\n1\0\0x\n2\n3\n1\0\0x\n4\n5\n";
	const char *path = write_file("nul.csv", csv, sizeof csv - 1);
	struct assay_profile *exact = profile_file(path, 1000, 0, 1, 0), *back[2] = {NULL, NULL};
	struct assay_error err;
	for (int k = 0; k < 2; k++) {
		struct assay_profile *p = k ? profile_file(path, 3, 0, 1, 0) : exact;
		char *j = json_of(p);
		if (assay_profile_read_json_buffer("nul.json", j, strlen(j), &back[k], &err))
			fail_err(&err);
		char *j2 = json_of(back[k]);
		assert_string_equal(j, j2);
		free(j), free(j2);
		if (k)
			assay_profile_free(p);
	}
	struct assay_drift_params dp;
	assay_drift_params_default(&dp);
	struct assay_drift_report *r = NULL;
	if (assay_drift_compare(back[1], exact, &dp, &r, &err))
		fail_err(&err);
	assert_int_equal(r->ncolumns, 1);
	assert_int_equal(r->columns[0].nnew, 0);
	assert_int_equal(r->columns[0].nvanished, 0);
	assay_drift_report_free(r);
	assay_profile_free(exact), assay_profile_free(back[0]), assay_profile_free(back[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(moments_match_two_pass_and_merge),
	    cmocka_unit_test(kll_rank_error_within_bound),
	    cmocka_unit_test(kll_merge_takes_the_smaller_k),
	    cmocka_unit_test(hll_within_three_standard_errors),
	    cmocka_unit_test(misra_gries_bounds_and_exact_ties),
	    cmocka_unit_test(types_counts_and_exact_maps),
	    cmocka_unit_test(kll_state_is_pinned),
	    cmocka_unit_test(cap_switches_to_sketches),
	    cmocka_unit_test(sketched_profiles_do_not_depend_on_the_split),
	    cmocka_unit_test(kll_of_sorted_pieces_within_bound),
	    cmocka_unit_test(past_the_cap_numeric_agrees_with_exact),
	    cmocka_unit_test(jsonl_past_the_cap_in_parallel),
	    cmocka_unit_test(merge_of_halves_equals_whole),
	    cmocka_unit_test(reader_errors_are_located),
	    cmocka_unit_test(packed_values_read_back),
	    cmocka_unit_test(long_packed_maps_read_back_either_way),
	    cmocka_unit_test(categories_with_nul_bytes_survive),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
