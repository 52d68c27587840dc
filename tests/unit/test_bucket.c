/* test_bucket.c: the comparison of two columns of decimal keys without a
 * sort (lib/drift/bucket.c) against the sort and merge walk it replaces
 * (lib/drift/walk.c), and the exact std (lib/drift/key_std.c).
 *
 * On adversarial columns (values on bucket edges, all in one bucket, few
 * values with huge counts, values across exponent and sign changes and
 * next to zero, KS's D inside a bucket, one or two values a side): the
 * same KS extremes, bin counts and quantile edges, bit for bit; W1 within
 * 1e-12 of the walk's (and exact where the walk is not); the same bits
 * from raw keys in any order and from sorted maps (the data path and a
 * stored profile); and `assay drift` of two files gives the same report
 * from the data, from stored profiles, from a stored reference with its
 * statistics computed ahead, and from profiles that hold doubles. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "assay/deckey.h"
#include "assay/drift.h"
#include "assay/profile.h"
#include "assay/source.h"
#include "../../lib/drift/drift_internal.h"
#include "bucket_check.h"
#include "xorshift.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next(void)
{
	return xorshift64(&rng);
}

static uint32_t key_of(const char *s)
{
	uint32_t k;
	assert_int_equal(assay_deckey_parse(s, strlen(s), &k), 0);
	return k;
}

/* ---- adversarial columns ------------------------------------------------- */

/* A random short decimal: +-M 10^q, q in [qlo, qhi], now and then 0. */
static uint32_t random_key(int qlo, int qhi, int signs)
{
	char s[48];
	if (next() % 50 == 0)
		return ASSAY_DECKEY_ZERO;
	int q = qlo + (int)(next() % (uint64_t)(qhi - qlo + 1));
	unsigned long m = 1000000 + (unsigned long)(next() % 9000000);
	snprintf(s, sizeof s, "%s%lue%d", signs && next() % 2 ? "-" : "", m, q);
	return key_of(s);
}

enum kind { SPREAD, EDGES, ONE_BUCKET, FEW_VALUES, EXPONENTS, D_INSIDE, TINY, NKINDS };

/* n keys of a column of the given kind (side 1 is the current data: a bit
 * shifted where the kind wants drift). */
static void make_column(enum kind kind, size_t n, int side, uint32_t *k)
{
	static const char *const around[] = {"9.99999e-1",  "1",      "1.00001",  "-1.00001", "-1",
	                                     "-9.99999e-1", "-1e-16", "0",        "1e-16",    "9999999",
	                                     "1e7",         "-1e7",   "-9999999", "1.5e-16",  "-1.5e-16"};
	uint32_t base = key_of("1.234567") & ~UINT32_C(0xffff);
	for (size_t i = 0; i < n; i++) {
		switch (kind) {
		case SPREAD:
			k[i] = random_key(-9, 3, 1);
			break;
		case EDGES: /* aligned runs of 2^j keys and their neighbours */
			k[i] = (base + (uint32_t)(next() % 64) * 4096u) + (uint32_t)(next() % 3) - 1u +
			       (uint32_t)side;
			break;
		case ONE_BUCKET:
			k[i] = base + (uint32_t)(next() % 40) + (uint32_t)side * (uint32_t)(next() % 2);
			break;
		case FEW_VALUES: { /* integers 0..5: one key a bucket, thousands of it */
			char s[8];
			snprintf(s, sizeof s, "%u", (unsigned)(next() % (6 + (unsigned)side)));
			k[i] = key_of(s);
			break;
		}
		case EXPONENTS: { /* next to segment changes, both signs, and zero */
			uint32_t a = key_of(around[next() % (sizeof around / sizeof *around)]);
			k[i] = a + (uint32_t)(next() % 7) - 3u;
			if (k[i] == 0x80000000u + 1u + 45u * 9000000u)
				k[i]--;
			break;
		}
		case D_INSIDE: /* the same values, the current ones a key higher in one region */
			k[i] = base + (uint32_t)(next() % 100000);
			if (side && k[i] > base + 50000 && k[i] < base + 50100)
				k[i] += 7;
			break;
		default:
			k[i] = random_key(-2, 0, 1);
		}
	}
}

/* ---- the comparison against the walk (bucket_check.h) --------------------- */

static void compare_one(enum kind kind, size_t n1, size_t n2, size_t k)
{
	uint32_t *a = malloc(n1 * sizeof *a), *b = malloc(n2 * sizeof *b);
	make_column(kind, n1, 0, a);
	make_column(kind, n2, 1, b);
	char msg[256];
	const char *bad = bucket_check(a, n1, b, n2, k, &rng, msg, sizeof msg);
	free(a);
	free(b);
	if (bad)
		fail_msg("kind %d n %zu/%zu k %zu: %s", kind, n1, n2, k, bad);
}

static void buckets_give_the_walks_statistics(void **state)
{
	size_t ks[] = {10, 2, 7};
	for (int trial = 0; trial < 120; trial++) {
		enum kind kind = (enum kind)(trial % NKINDS);
		size_t n1 = kind == TINY ? 1 + (size_t)(next() % 4) : 1 + (size_t)(next() % 40000);
		size_t n2 = kind == TINY ? 1 + (size_t)(next() % 4) : 1 + (size_t)(next() % 40000);
		compare_one(kind, n1, n2, ks[trial % 3]);
	}
}

/* W1 is the integral over the decimals, exact before one rounding: one
 * sample all 1.000001, the other all 1.000002, is 1e-6 apart; the walk
 * subtracts the two doubles (1.0000000000287557e-06, 3e-11 off: the
 * rounding of the values, bounded in bucket.c's top comment). */
static void w1_is_the_decimals_integral(void **state)
{
	enum { N = 20000 };
	uint32_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
	for (size_t i = 0; i < N; i++) {
		a[i] = key_of("1.000001");
		b[i] = key_of("1.000002");
	}
	struct assay_numeric_map ra, rb, pa, pb;
	bc_raw_of(a, N, &rng, &ra);
	bc_raw_of(b, N, &rng, &rb);
	bc_packed_of(a, N, &pa);
	bc_packed_of(b, N, &pb);
	struct drift_bucket w = {.k = 10, .wasserstein = 1, .std = 1};
	assert_int_equal(drift_bucket_compare(&ra, &rb, &w), 0);
	assert_true(bc_same_bits(w.w, 1e-6));
	assert_true(bc_same_bits(w.sd, 0.0)); /* constant: exactly 0 */
	free(w.qe_own);
	struct drift_walk ww = {.wasserstein = 1};
	assert_int_equal(drift_numeric_walk(&pa, &pb, &ww), 0);
	assert_true(ww.w != 1e-6 && fabs(ww.w - 1e-6) < ldexp(1.0, -51));
	bc_map_free(&ra);
	bc_map_free(&rb);
	bc_map_free(&pa);
	bc_map_free(&pb);
	free(a);
	free(b);
}

/* W1 across the steps whose width is not the segment's unit: next to zero
 * (1e-16 on either side), out of a negative segment (-1 -> -9.999999e-1 is
 * 1e-7, not 1e-6), into the next positive one (9.999999 -> 10 is 1e-6).
 * One value a side: one rounding, so the double nearest the decimal. */
static void w1_steps_between_segments(void **state)
{
	static const struct {
		const char *a, *b;
		double w;
	} cases[] = {
	    {"-1e-16", "1e-16", 2e-16},   {"-1e-16", "0", 1e-16},       {"0", "1e-16", 1e-16},
	    {"-1", "-9.999999e-1", 1e-7}, {"9.999999", "10", 1e-6},     {"-1.5", "2.5", 4},
	    {"-1e-15", "1e-15", 2e-15},   {"-9.999999e-1", "-1", 1e-7}, {"1e-16", "1.000001e-16", 1e-22}};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		uint32_t a = key_of(cases[c].a), b = key_of(cases[c].b);
		struct assay_numeric_map ra, rb;
		bc_raw_of(&a, 1, &rng, &ra);
		bc_raw_of(&b, 1, &rng, &rb);
		struct drift_bucket w = {.k = 2, .wasserstein = 1};
		assert_int_equal(drift_bucket_compare(&ra, &rb, &w), 0);
		if (!bc_same_bits(w.w, cases[c].w))
			fail_msg("%s vs %s: W1 %.17g, want %.17g", cases[c].a, cases[c].b, w.w, cases[c].w);
		free(w.qe_own);
		bc_map_free(&ra);
		bc_map_free(&rb);
	}
}

/* The exact std on values whose std is known: {1, 3} -> 1; {-2, 2} -> 2;
 * 1e20 +- 1e14 -> 1e14 (where sum x^2 - (sum x)^2 / n in doubles loses
 * every digit); a constant column -> 0. */
static void key_std_is_exact(void **state)
{
	struct {
		const char *v[2];
		double sd;
	} cases[] = {
	    {{"1", "3"}, 1}, {{"-2", "2"}, 2}, {{"1.000001e20", "9.99999e19"}, 1e14}, {{"7.5", "7.5"}, 0}};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		uint32_t k[2000];
		for (size_t i = 0; i < 2000; i++)
			k[i] = key_of(cases[c].v[i % 2]);
		struct assay_numeric_map m;
		bc_raw_of(k, 2000, &rng, &m);
		double sd = drift_key_std(&m);
		if (!bc_same_bits(sd, cases[c].sd))
			fail_msg("case %zu: std %.17g, want %.17g", c, sd, cases[c].sd);
		bc_map_free(&m);
	}
}

/* ---- the data path and stored profiles ------------------------------------ */

static void write_csv(const char *path, int side, size_t rows)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "x,y,z\n");
	for (size_t i = 0; i < rows; i++) {
		double x = (double)(next() % 2000001) / 1000.0 - 1000.0 + side * 0.5;
		unsigned y = (unsigned)(next() % (5 + (unsigned)side));
		long z = (long)(next() % 9000000) + 1000000;
		fprintf(f, "%.6g,%u,%s%lde%d\n", x, y, next() % 3 ? "" : "-", z, -(int)(next() % 12));
	}
	fclose(f);
}

/* raw: the data path's raw keys; else packed maps, or doubles with !packed */
static struct assay_profile *build(const char *path, int raw, int packed)
{
	struct assay_source_opts so = {.path = path, .threads = 2, .min_split_bytes = 1};
	struct assay_source *src = NULL;
	struct assay_error err;
	if (assay_source_open(&src, &so, &err))
		fail_err(&err);
	struct assay_profile_opts po = {.packed = packed, .skip_moments = raw, .raw_keys = raw};
	struct assay_profile *p = NULL;
	if (assay_profile_build(src, &po, &p, &err))
		fail_err(&err);
	assay_source_free(src);
	return p;
}

/* A profile as written to disk and read back (a stored profile). */
static struct assay_profile *stored(const struct assay_profile *p, const char *path)
{
	FILE *f = fopen(path, "w");
	struct assay_error err;
	if (assay_profile_write_json(p, f, &err))
		fail_err(&err);
	fclose(f);
	struct assay_profile *q = NULL;
	if (assay_profile_read_json(path, &q, &err))
		fail_err(&err);
	return q;
}

static void assert_same_columns(const struct assay_drift_report *a, const struct assay_drift_report *b)
{
	assert_int_equal(a->ncolumns, b->ncolumns);
	for (size_t i = 0; i < a->ncolumns; i++) {
		const struct assay_drift_column *x = &a->columns[i], *y = &b->columns[i];
		assert_string_equal(x->name, y->name);
		double s1[] = {x->ks_d, x->ks_p, x->wasserstein, x->wasserstein_norm,
		               x->psi,  x->js,   x->kl,          x->hellinger};
		double s2[] = {y->ks_d, y->ks_p, y->wasserstein, y->wasserstein_norm,
		               y->psi,  y->js,   y->kl,          y->hellinger};
		assert_memory_equal(s1, s2, sizeof s1);
		assert_int_equal(x->hist.n, y->hist.n);
		assert_memory_equal(x->hist.ref, y->hist.ref, x->hist.n * sizeof *x->hist.ref);
		assert_memory_equal(x->hist.cur, y->hist.cur, x->hist.n * sizeof *x->hist.cur);
		assert_int_equal(x->drifted, y->drifted);
	}
}

static void data_path_equals_stored_profiles(void **state)
{
	char a[256], b[256], pa[256], pb[256];
	snprintf(a, sizeof a, "%s/ref.csv", tmpdir);
	snprintf(b, sizeof b, "%s/cur.csv", tmpdir);
	snprintf(pa, sizeof pa, "%s/ref.profile.json", tmpdir);
	snprintf(pb, sizeof pb, "%s/cur.profile.json", tmpdir);
	write_csv(a, 0, 30000);
	write_csv(b, 1, 25000);
	struct assay_profile *ra = build(a, 1, 1), *rb = build(b, 1, 1), *ka = build(a, 0, 1),
	                     *kb = build(b, 0, 1);
	struct assay_profile *da = build(a, 0, 0), *db = build(b, 0, 0); /* maps of doubles */
	assert_non_null(da->columns[0].num.value);
	assert_non_null(ra->columns[0].num.raw); /* the data path keeps raw keys */
	struct assay_profile *sa = stored(ka, pa), *sb = stored(kb, pb);
	struct assay_drift_params p;
	assay_drift_params_default(&p);
	struct assay_error err;
	struct assay_drift_report *data, *both, *ahead, *dbl;
	assert_int_equal(assay_drift_compare(ra, rb, &p, &data, &err), 0);
	assert_int_equal(assay_drift_compare(sa, sb, &p, &both, &err), 0);
	assert_int_equal(assay_drift_compare(da, db, &p, &dbl, &err), 0);
	struct assay_drift_ref_stats *st = NULL;
	assert_int_equal(assay_drift_ref_stats_new(sa, &p, &st, &err), 0);
	p.ref_stats = st;
	assert_int_equal(assay_drift_compare(sa, rb, &p, &ahead, &err), 0);
	assert_same_columns(data, both);
	assert_same_columns(data, ahead);
	assert_same_columns(data, dbl);
	/* y: 0..4 against 0..5, drifted (1/6 of the current data is new) */
	assert_true(data->columns[1].drifted && data->columns[1].ks_d > 0.1);
	assay_drift_report_free(data);
	assay_drift_report_free(both);
	assay_drift_report_free(ahead);
	assay_drift_report_free(dbl);
	assay_profile_free(da);
	assay_profile_free(db);
	assay_drift_ref_stats_free(st);
	assay_profile_free(ra);
	assay_profile_free(rb);
	assay_profile_free(ka);
	assay_profile_free(kb);
	assay_profile_free(sa);
	assay_profile_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buckets_give_the_walks_statistics),
	    cmocka_unit_test(w1_is_the_decimals_integral),
	    cmocka_unit_test(w1_steps_between_segments),
	    cmocka_unit_test(key_std_is_exact),
	    cmocka_unit_test(data_path_equals_stored_profiles),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
