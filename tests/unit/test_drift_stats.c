/* test_drift_stats.c: the drift statistics (assay/drift.h) on hand cases
 * and on the COMPAS parity oracle (../shared/data/compas/DRIFT_REFERENCE.md:
 * rows screened in 2013 vs 2014, every number asserted to 1e-12 relative,
 * p-values to 1e-10). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assay/drift.h"
#include "assay/source.h"

/* ---- helpers -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

/* Build an exact map from raw values (sorted copy, run-length). */
static struct assay_numeric_map num_map(const double *v, size_t n)
{
	struct assay_numeric_map m = {0};
	double *s = malloc((n ? n : 1) * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	m.value = malloc((n ? n : 1) * sizeof *m.value);
	m.count = malloc((n ? n : 1) * sizeof *m.count);
	for (size_t i = 0; i < n; i++) {
		if (m.n && m.value[m.n - 1] == s[i]) {
			m.count[m.n - 1]++;
		} else {
			m.value[m.n] = s[i];
			m.count[m.n++] = 1;
		}
	}
	free(s);
	return m;
}

static void num_map_free(struct assay_numeric_map *m)
{
	free(m->value);
	free(m->count);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Build an exact category map from strings (copies the strings). */
static struct assay_category_map cat_map(char **v, size_t n)
{
	struct assay_category_map m = {0};
	char **s = malloc((n ? n : 1) * sizeof *s);
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_str);
	m.value = malloc((n ? n : 1) * sizeof *m.value);
	m.len = malloc((n ? n : 1) * sizeof *m.len);
	m.count = malloc((n ? n : 1) * sizeof *m.count);
	for (size_t i = 0; i < n; i++) {
		if (m.n && strcmp(m.value[m.n - 1], s[i]) == 0) {
			m.count[m.n - 1]++;
		} else {
			m.value[m.n] = strdup(s[i]);
			m.len[m.n] = (uint32_t)strlen(s[i]);
			m.count[m.n++] = 1;
		}
	}
	free(s);
	return m;
}

static void cat_map_free(struct assay_category_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->value[i]);
	free(m->value);
	free(m->len);
	free(m->count);
}

static void assert_rel(double got, double want, double tol, const char *what)
{
	double err = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
	if (!(err <= tol)) {
		print_error("%s: got %.17g, want %.17g (relative error %.3g > %.0e)\n", what, got, want, err,
		            tol);
		fail();
	}
}

/* ---- hand cases --------------------------------------------------------------- */

static void test_ks_hand(void **state)
{
	(void)state;
	struct assay_error err;
	/* Disjoint samples: D = 1; exact p for n1 = n2 = 3 is 2 / C(6,3) = 0.1 */
	double a[] = {1, 2, 3}, b[] = {4, 5, 6};
	struct assay_numeric_map ma = num_map(a, 3), mb = num_map(b, 3);
	struct assay_ks ks;
	assert_int_equal(assay_ks_2samp(&ma, &mb, ASSAY_KS_AUTO, &ks, &err), 0);
	assert_rel(ks.d, 1.0, 1e-15, "D disjoint");
	assert_rel(ks.pvalue, 0.1, 1e-14, "p disjoint 3v3");
	assert_int_equal(ks.exact, 1);
	/* identical samples: D = 0, p = 1 */
	assert_int_equal(assay_ks_2samp(&ma, &ma, ASSAY_KS_AUTO, &ks, &err), 0);
	assert_true(ks.d == 0 && ks.pvalue == 1);
	num_map_free(&mb);
	/* n1 != n2, disjoint: p = 2 / C(5, 2) = 0.2 */
	double c[] = {10, 11};
	mb = num_map(c, 2);
	assert_int_equal(assay_ks_2samp(&ma, &mb, ASSAY_KS_AUTO, &ks, &err), 0);
	assert_rel(ks.d, 1.0, 1e-15, "D disjoint 3v2");
	assert_rel(ks.pvalue, 0.2, 1e-14, "p disjoint 3v2");
	num_map_free(&mb);
	/* heavy ties: [0,0,0,1] vs [0,1,1,1]: D = 0.5 at 0 */
	double t1[] = {0, 0, 0, 1}, t2[] = {0, 1, 1, 1};
	struct assay_numeric_map m1 = num_map(t1, 4), m2 = num_map(t2, 4);
	assert_int_equal(assay_ks_2samp(&m1, &m2, ASSAY_KS_AUTO, &ks, &err), 0);
	assert_rel(ks.d, 0.5, 1e-15, "D ties");
	/* P(D_{4,4} >= 2/4) = 2 (C(8,2) - C(8,0)) / C(8,4) = 2 * 27 / 70 */
	assert_rel(ks.pvalue, 54.0 / 70.0, 1e-14, "p ties");
	num_map_free(&m1);
	num_map_free(&m2);
	/* empty sample: an input error, not a crash */
	struct assay_numeric_map empty = {0};
	assert_int_equal(assay_ks_2samp(&ma, &empty, ASSAY_KS_AUTO, &ks, &err), ASSAY_EINPUT);
	num_map_free(&ma);
}

static void test_kstwo_asymptotic(void **state)
{
	(void)state;
	/* Closed forms of Ruben and Gambino. */
	assert_rel(assay_kstwo_sf(0.95, 10), 2 * pow(0.05, 10), 1e-12, "kstwo t >= n-1");
	assert_true(assay_kstwo_sf(0.01, 10) == 1.0);
	/* Large n against the Kolmogorov limit: sf(d) -> 2 sum (-1)^(k-1) exp(-2 k^2 z^2). */
	double z = 1.36, n = 1e6, lim = 0;
	for (int k = 1; k < 100; k++)
		lim += 2 * ((k % 2) ? 1 : -1) * exp(-2.0 * k * k * z * z);
	assert_rel(assay_kstwo_sf(z / sqrt(n), (uint64_t)n), lim, 2e-3, "kstwo near the limit");
	/* DMTW and Pelz-Good agree where both apply (n = 100000 boundary). */
	double p1 = assay_kstwo_sf(0.0012, 100000), p2 = assay_kstwo_sf(0.0012, 100001);
	assert_rel(p1, p2, 1e-3, "kstwo method boundary");
	/* smirnov(n, d) for n = 1 is 1 - d */
	assert_rel(assay_smirnov_sf(1, 0.3), 0.7, 1e-15, "smirnov n=1");
	/* Large n: the sum's logs must not cancel (lgamma(n + 1) ~ 3e6 at
	 * n = 2.5e5 cost 5.5e-10 relative). References: the Birnbaum-Tingey sum
	 * in mpmath at 50 digits (equal to scipy 1.10's smirnov to the last
	 * digit printed). */
	assert_rel(assay_smirnov_sf(250000, 0.01), 1.913891191473247e-22, 1e-12, "smirnov n=2.5e5 d=0.01");
	assert_rel(assay_smirnov_sf(250000, 0.004), 0.0003345621109572637, 1e-12, "smirnov n=2.5e5 d=0.004");
	assert_rel(assay_smirnov_sf(250000, 0.0200001), 1.3390546189401468e-87, 1e-12,
	           "smirnov n=2.5e5 d=0.0200001");
	assert_rel(assay_kstwo_sf(0.01, 250000), 2 * 1.913891191473247e-22, 1e-12, "kstwo n=2.5e5");
	/* From n = 16384 on, the sum is taken on a coarse grid (kolmogorov.c,
	 * the trapezoid); references: the full sum in 30-digit mpmath. The
	 * grid's answer is 4e-14 from it at n = 1e6 (one halving fewer gave
	 * 3e-13, so 1e-13 catches a looser stop). */
	assert_rel(assay_smirnov_sf(1000000, 0.0102476), 6.04680618150517e-92, 1e-13,
	           "smirnov n=1e6 d=0.0102476");
	assert_rel(assay_smirnov_sf(1000000, 0.00492212), 9.014279322927645e-22, 1e-13,
	           "smirnov n=1e6 d=0.00492212");
	assert_rel(assay_smirnov_sf(250000, 0.006), 1.5167239256883797e-08, 1e-13, "smirnov n=2.5e5 d=0.006");
	/* asymptotic KS path through ks_2samp */
	double *a = malloc(20001 * sizeof *a), *b = malloc(20000 * sizeof *b);
	for (int i = 0; i < 20001; i++)
		a[i] = i;
	for (int i = 0; i < 20000; i++)
		b[i] = i + 150.5;
	struct assay_numeric_map ma = num_map(a, 20001), mb = num_map(b, 20000);
	struct assay_ks ks;
	struct assay_error err;
	assert_int_equal(assay_ks_2samp(&ma, &mb, ASSAY_KS_AUTO, &ks, &err), 0);
	assert_int_equal(ks.exact, 0);
	assert_true(ks.pvalue > 0 && ks.pvalue < 1);
	num_map_free(&ma);
	num_map_free(&mb);
	free(a);
	free(b);
}

static void test_divergences_hand(void **state)
{
	(void)state;
	double p[] = {0.5, 0.5, 0}, q[] = {0, 0.5, 0.5};
	/* JS: m = (.25, .5, .25); KL(p,m) = .5 ln 2; JS^2 = .5 ln2 / ln 2 (base 2) */
	assert_rel(assay_js_distance(p, q, 3, 2), sqrt(0.5), 1e-15, "JS base 2");
	assert_rel(assay_js_distance(p, q, 3, 0), sqrt(0.5 * log(2)), 1e-15, "JS natural");
	assert_rel(assay_js_distance(p, p, 3, 2), 0, 0, "JS same");
	assert_true(isinf(assay_kl_divergence(p, q, 3, 0)));
	assert_rel(assay_hellinger(p, q, 3), sqrt(0.5), 1e-15, "Hellinger");
	double r[] = {0.5, 0.5}, c[] = {0.25, 0.75};
	assert_rel(assay_psi(r, c, 2), -0.25 * log(0.5) + 0.25 * log(1.5), 1e-15, "PSI");
	double z[] = {0, 0.00002, 0.99998};
	assay_fill_zeros_evidently(z, 3);
	assert_rel(z[0], 0.00002 / 1e6, 1e-15, "Evidently zero fill");
	/* Wasserstein of two point masses is their distance; shift invariant */
	double a[] = {0, 1, 3}, b[] = {5, 6, 8};
	struct assay_numeric_map ma = num_map(a, 3), mb = num_map(b, 3);
	assert_rel(assay_wasserstein(&ma, &mb), 5.0, 1e-15, "Wasserstein shift");
	assert_rel(assay_numeric_map_std(&ma), sqrt(14.0 / 9.0), 1e-15, "population std");
	/* numpy.quantile([0, 1, 3], 0.25) = 0.5; 0.75 -> 2 */
	assert_rel(assay_numeric_map_quantile(&ma, 0.25), 0.5, 1e-15, "quantile");
	assert_rel(assay_numeric_map_quantile(&ma, 0.75), 2.0, 1e-15, "quantile");
	num_map_free(&ma);
	num_map_free(&mb);
	/* pairwise sum of 1..200 */
	double s[200];
	for (int i = 0; i < 200; i++)
		s[i] = i + 1;
	assert_rel(assay_sum_pairwise(s, 200), 20100, 0, "pairwise sum");
}

static void test_bins_hand(void **state)
{
	(void)state;
	struct assay_error err;
	struct assay_bins b;
	/* constant column: one Sturges bin [v-0.5, v+0.5] holding everything */
	double k[] = {7, 7, 7};
	struct assay_numeric_map mk = num_map(k, 3);
	assert_int_equal(assay_bins_sturges(&mk, &mk, &b, &err), 0);
	assert_int_equal(b.n, 1);
	assert_true(b.ref[0] == 3 && b.cur[0] == 3 && b.lo[0] == 6.5 && b.hi[0] == 7.5);
	assay_bins_free(&b);
	/* constant reference: quantile bins have one edge, two bins */
	assert_int_equal(assay_bins_ref_quantiles(&mk, &mk, 10, &b, &err), 0);
	assert_int_equal(b.n, 2);
	assert_true(b.ref[0] == 0 && b.ref[1] == 3);
	assay_bins_free(&b);
	/* Sturges over 0..9 (n = 20 with both): log2(20)+1 = 5.32 -> ceil(9 / (9/5.32)) = 6 bins */
	double v[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct assay_numeric_map mv = num_map(v, 10);
	assert_int_equal(assay_bins_sturges(&mv, &mv, &b, &err), 0);
	assert_int_equal(b.n, 6);
	uint64_t sum = 0;
	for (size_t i = 0; i < b.n; i++)
		sum += b.ref[i];
	assert_true(sum == 10 && b.ref[5] == 2); /* last bin [7.5, 9] closed: 8 and 9 */
	assay_bins_free(&b);
	num_map_free(&mk);
	num_map_free(&mv);
	/* categories: union, a category only in current, UTF-8 names */
	char *r[] = {"a", "b", "b", "é"}, *c[] = {"b", "c", "é", "é"};
	struct assay_category_map cr = cat_map(r, 4), cc = cat_map(c, 4);
	assert_int_equal(assay_bins_categories(&cr, &cc, &b, &err), 0);
	assert_int_equal(b.n, 4);
	assert_string_equal(b.name[2], "c");
	assert_true(b.ref[2] == 0 && b.cur[2] == 1 && b.ref[0] == 1 && b.cur[0] == 0);
	assert_true(b.ref[3] == 1 && b.cur[3] == 2);
	struct assay_chi2 x;
	assert_int_equal(assay_chi2_contingency(b.ref, b.cur, b.n, 1, &x, &err), 0);
	assert_int_equal(x.dof, 3);
	assert_int_equal(assay_chi2_gof_evidently(b.ref, b.cur, b.n, &x, &err), 0);
	assert_true(isinf(x.stat) && x.pvalue == 0);
	assay_bins_free(&b);
	cat_map_free(&cr);
	cat_map_free(&cc);
}

static void test_chi2_hand(void **state)
{
	(void)state;
	struct assay_error err;
	struct assay_chi2 x;
	/* 2x2 [[10, 20], [20, 10]]: e = 15 everywhere, Yates: (|5| - .5)^2/15 * 4 = 5.4 */
	uint64_t a[] = {10, 20}, b[] = {20, 10};
	assert_int_equal(assay_chi2_contingency(a, b, 2, 1, &x, &err), 0);
	assert_rel(x.stat, 5.4, 1e-14, "Yates");
	assert_rel(x.pvalue, erfc(sqrt(5.4 / 2)), 1e-12, "chi2 sf dof 1");
	assert_int_equal(assay_chi2_contingency(a, b, 2, 0, &x, &err), 0);
	assert_rel(x.stat, 100.0 / 15 * 4 / 4 * 4 / 4 * 1, 1e-14, "no Yates"); /* 4 * 25/15 */
	double z, p;
	assert_int_equal(assay_ztest_proportions(a, b, 2, &z, &p, &err), 0);
	assert_rel(fabs(z), (20.0 / 30 - 10.0 / 30) / sqrt(0.25 * (2.0 / 30)), 1e-14, "z");
	uint64_t c1[] = {5, 0}, c2[] = {7, 0};
	assert_int_equal(assay_ztest_proportions(c1, c2, 2, &z, &p, &err), 0);
	assert_true(p == 1);
	uint64_t e[] = {0, 0};
	assert_int_equal(assay_chi2_contingency(e, b, 2, 1, &x, &err), ASSAY_EINPUT);
}

/* ---- COMPAS parity -------------------------------------------------------------- */

#define NNUM 5
#define NCAT 5
static const char *const NUMCOL[NNUM] = {"age", "priors_count", "decile_score", "juv_fel_count",
                                         "days_b_screening_arrest"};
static const char *const CATCOL[NCAT] = {"race", "sex", "c_charge_degree", "age_cat", "score_text"};

struct vec {
	double *v;
	size_t n, cap;
};
struct svec {
	char **v;
	size_t n, cap;
};

struct compas {
	struct assay_source *src;
	long date, num[NNUM], cat[NCAT];
	struct vec nv[2][NNUM];
	struct svec sv[2][NCAT];
	uint64_t rows[2];
};

static int on_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	(void)err;
	struct compas *c = ctx;
	const struct assay_field *d = &row->fields[c->date];
	int y;
	if (d->len >= 4 && memcmp(d->p, "2013", 4) == 0)
		y = 0;
	else if (d->len >= 4 && memcmp(d->p, "2014", 4) == 0)
		y = 1;
	else
		return 0;
	c->rows[y]++;
	for (int k = 0; k < NNUM; k++) {
		const struct assay_field *f = &row->fields[c->num[k]];
		double x;
		if (assay_source_is_na(c->src, f) || assay_parse_double(f->p, f->len, &x) != 0 ||
		    !isfinite(x))
			continue;
		struct vec *v = &c->nv[y][k];
		if (v->n == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 1024;
			v->v = realloc(v->v, v->cap * sizeof *v->v);
		}
		v->v[v->n++] = x == 0 ? 0.0 : x;
	}
	for (int k = 0; k < NCAT; k++) {
		const struct assay_field *f = &row->fields[c->cat[k]];
		if (assay_source_is_na(c->src, f))
			continue;
		struct svec *v = &c->sv[y][k];
		if (v->n == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 1024;
			v->v = realloc(v->v, v->cap * sizeof *v->v);
		}
		v->v[v->n++] = strndup(f->p, f->len);
	}
	return 0;
}

struct numref {
	double d, p, psi, js, w, wn;
};
struct catref {
	double chi2, p;
	uint64_t dof;
	double psi, js;
};

/* ../shared/data/compas/DRIFT_REFERENCE.md */
static const struct numref NUMREF[NNUM] = {
    {0.0645176836474675, 7.725711955472446e-06, 0.04514324858882327, 0.08970958598694276, 1.7873754248642573,
     0.14960977941104733},
    {0.03616443438778471, 0.039391950391432694, 0.009830219164116792, 0.04205856672556386, 0.5621107746589669,
     0.12172525546607828},
    {0.049574854306669636, 0.0012643612951882817, 0.014146924293835683, 0.050477964393983436,
     0.32241909122939144, 0.11400446398026909},
    {0.007914642069220695, 0.9999772545761929, 0.0, 0.0, 0.02457446587795642, 0.062484129753659384},
    {0.048330820247783395, 0.0023075318347725612, 0.015637024318394897, 0.053071328697432335,
     12.319326654038868, 0.14731593112465569},
};
static const struct catref CATREF[NCAT] = {
    {4.067909673578672, 0.5396806697935246, 5, 0.0028236631567233428, 0.022545383667120347},
    {6.159371926573373, 0.013071761521380133, 1, 0.004161790095151571, 0.027387897817372962},
    {2.350291407755226, 0.12525959012263987, 1, 0.001642636312044222, 0.017210447694916517},
    {38.357886083355986, 4.684797985178598e-09, 2, 0.02557978036458781, 0.06783505725233904},
    {16.390782197151676, 0.00027592234278040406, 2, 0.010820025280313837, 0.04415135138283612},
};

static void test_compas_parity(void **state)
{
	(void)state;
	struct assay_error err;
	struct assay_source_opts o = {.path = ASSAY_SHARED "/data/compas/compas-scores-two-years.csv"};
	struct compas c = {0};
	assert_int_equal(assay_source_open(&c.src, &o, &err), 0);
	c.date = assay_source_column(c.src, "screening_date", "test", &err);
	assert_true(c.date >= 0);
	for (int k = 0; k < NNUM; k++)
		assert_true((c.num[k] = assay_source_column(c.src, NUMCOL[k], "test", &err)) >= 0);
	for (int k = 0; k < NCAT; k++)
		assert_true((c.cat[k] = assay_source_column(c.src, CATCOL[k], "test", &err)) >= 0);
	int nw = assay_source_max_workers(c.src);
	void **ctx = calloc((size_t)nw, sizeof *ctx);
	ctx[0] = &c;
	assert_int_equal(assay_source_scan(c.src, on_row, NULL, ctx, NULL, &err), 0);
	free(ctx);
	assert_int_equal(c.rows[0], 5111);
	assert_int_equal(c.rows[1], 2103);

	double maxerr = 0, maxperr = 0;
	for (int k = 0; k < NNUM; k++) {
		struct assay_numeric_map r = num_map(c.nv[0][k].v, c.nv[0][k].n);
		struct assay_numeric_map q = num_map(c.nv[1][k].v, c.nv[1][k].n);
		const struct numref *w = &NUMREF[k];
		struct assay_ks ks;
		assert_int_equal(assay_ks_2samp(&r, &q, ASSAY_KS_AUTO, &ks, &err), 0);
		assert_int_equal(ks.exact, 1);
		assert_rel(ks.d, w->d, 1e-12, NUMCOL[k]);
		assert_rel(ks.pvalue, w->p, 1e-10, NUMCOL[k]);
		struct assay_bins b;
		assert_int_equal(assay_bins_ref_quantiles(&r, &q, 10, &b, &err), 0);
		double *rs = malloc(b.n * sizeof *rs), *cs = malloc(b.n * sizeof *cs);
		assay_shares(b.ref, b.n, b.nref, rs);
		assay_shares(b.cur, b.n, b.ncur, cs);
		double js = assay_js_distance(rs, cs, b.n, 2);
		assay_fill_zeros(rs, b.n, 1e-4);
		assay_fill_zeros(cs, b.n, 1e-4);
		double psi = assay_psi(rs, cs, b.n);
		assert_rel(psi, w->psi, 1e-12, NUMCOL[k]);
		assert_rel(js, w->js, 1e-12, NUMCOL[k]);
		double wd = assay_wasserstein(&r, &q);
		assert_rel(wd, w->w, 1e-12, NUMCOL[k]);
		double sd = assay_numeric_map_std(&r);
		assert_rel(wd / (sd > 0.001 ? sd : 0.001), w->wn, 1e-12, NUMCOL[k]);
		double e[] = {fabs(ks.d - w->d) / w->d, w->psi ? fabs(psi - w->psi) / w->psi : psi,
		              w->js ? fabs(js - w->js) / w->js : js, fabs(wd - w->w) / w->w};
		for (size_t i = 0; i < 4; i++)
			maxerr = fmax(maxerr, e[i]);
		maxperr = fmax(maxperr, fabs(ks.pvalue - w->p) / w->p);
		free(rs);
		free(cs);
		assay_bins_free(&b);
		num_map_free(&r);
		num_map_free(&q);
	}
	for (int k = 0; k < NCAT; k++) {
		struct assay_category_map r = cat_map(c.sv[0][k].v, c.sv[0][k].n);
		struct assay_category_map q = cat_map(c.sv[1][k].v, c.sv[1][k].n);
		const struct catref *w = &CATREF[k];
		struct assay_bins b;
		assert_int_equal(assay_bins_categories(&r, &q, &b, &err), 0);
		struct assay_chi2 x;
		assert_int_equal(assay_chi2_contingency(b.ref, b.cur, b.n, 1, &x, &err), 0);
		assert_int_equal(x.dof, w->dof);
		assert_rel(x.stat, w->chi2, 1e-12, CATCOL[k]);
		assert_rel(x.pvalue, w->p, 1e-10, CATCOL[k]);
		double *rs = malloc(b.n * sizeof *rs), *cs = malloc(b.n * sizeof *cs);
		assay_shares(b.ref, b.n, b.nref, rs);
		assay_shares(b.cur, b.n, b.ncur, cs);
		double js = assay_js_distance(rs, cs, b.n, 2);
		assay_fill_zeros(rs, b.n, 1e-4);
		assay_fill_zeros(cs, b.n, 1e-4);
		double psi = assay_psi(rs, cs, b.n);
		assert_rel(psi, w->psi, 1e-12, CATCOL[k]);
		assert_rel(js, w->js, 1e-12, CATCOL[k]);
		maxerr = fmax(maxerr, fmax(fabs(x.stat - w->chi2) / w->chi2,
		                           fmax(fabs(psi - w->psi) / w->psi, fabs(js - w->js) / w->js)));
		maxperr = fmax(maxperr, fabs(x.pvalue - w->p) / w->p);
		free(rs);
		free(cs);
		assay_bins_free(&b);
		cat_map_free(&r);
		cat_map_free(&q);
	}
	print_message("COMPAS parity: max relative error %.3g (statistics), %.3g (p-values)\n", maxerr,
	              maxperr);
	for (int y = 0; y < 2; y++) {
		for (int k = 0; k < NNUM; k++)
			free(c.nv[y][k].v);
		for (int k = 0; k < NCAT; k++) {
			for (size_t i = 0; i < c.sv[y][k].n; i++)
				free(c.sv[y][k].v[i]);
			free(c.sv[y][k].v);
		}
	}
	assay_source_free(c.src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ks_hand),          cmocka_unit_test(test_kstwo_asymptotic),
	    cmocka_unit_test(test_divergences_hand), cmocka_unit_test(test_bins_hand),
	    cmocka_unit_test(test_chi2_hand),        cmocka_unit_test(test_compas_parity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
