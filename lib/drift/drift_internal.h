/* drift_internal.h: what drift.c shares with the files of the comparison:
 * ks.c, binning.c and walk.c (the parts of the numeric statistics that the
 * one-walk comparison reuses, so that it gives the same bits as the
 * separate public functions assay_ks_2samp, assay_wasserstein,
 * assay_bins_*), bucket.c (the comparison without a sort) and colmaps.c
 * (the maps read from a column profile). Private to lib/drift. */
#ifndef ASSAY_DRIFT_INTERNAL_H
#define ASSAY_DRIFT_INTERNAL_H

#include <math.h>

#include "assay/drift.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The KS result from the walk's extremes: maxS and minS of c1/n1 - c2/n2
 * and hmax of |c1 n2/g - c2 n1/g| (ks.c). */
void drift_ks_finish(uint64_t n1, uint64_t n2, double maxS, double minS, uint64_t hmax,
                     enum assay_ks_method method, struct assay_ks *out);

/* The bins of assay_bins_ref_quantiles / assay_bins_sturges with their
 * edges and zero counts: *edges (malloc'd, caller frees) holds the
 * quantile edges (ne of them, ne + 1 open bins) or the Sturges edges
 * (nb + 1 of them, nb bins, the last closed). */
int drift_quantile_edges(const struct assay_numeric_map *ref, size_t k, struct assay_bins *out,
                         double **edges, size_t *ne, struct assay_error *err);
/* The bins of drift_quantile_edges from its edges e[0, ne) and the
 * reference's total: the second half of it. */
int drift_quantile_bins(const double *e, size_t ne, uint64_t nref, struct assay_bins *out,
                        struct assay_error *err);
int drift_sturges_edges(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                        struct assay_bins *out, double **edges, size_t *nb, struct assay_error *err);
/* The same from the least and greatest value of both sides and their totals. */
int drift_sturges_edges_of(double lo, double hi, uint64_t nr, uint64_t nc, struct assay_bins *out,
                           double **edges, size_t *nb, struct assay_error *err);

/* assay_numeric_map_std(m) given the map's total n (the walk's n1): the
 * same passes without the two that count n. */
double drift_map_std(const struct assay_numeric_map *m, uint64_t n);
/* Its second pass, given the mean ((s + c) / n of the compensated sum of
 * value * count in map order: map_mean, or the packed walk's). */
double drift_map_std_from_mean(const struct assay_numeric_map *m, uint64_t n, double mean);

/* What assay_drift_ref_stats holds for one reference column (ref_stats.c):
 * NULL from drift_ref_stats_find when the column has nothing there. */
struct drift_ref_col {
	int have;   /* an exact numeric column with values */
	uint64_t n; /* assay_numeric_map_total */
	double std; /* drift_map_std (NaN when not asked for) */
	double *qe; /* drift_quantile_edges' edges for the params' quantile_bins */
	size_t nqe;
};

const struct drift_ref_col *drift_ref_stats_find(const struct assay_drift_ref_stats *s,
                                                 const struct assay_column_profile *rc, size_t k);

/* One merge walk over two sorted maps giving, at once, what KS, the
 * Wasserstein distance and the counts over quantile and Sturges bins
 * each walk for separately. */
struct drift_walk {
	/* in: bins to count (NULL edges: none) */
	const double *qe; /* quantile edges: bin = number of edges <= v */
	size_t nqe;
	uint64_t *qref, *qcur; /* nqe + 1 counts each */
	const double *se;      /* Sturges edges se[0..nsb]: [se_i, se_i+1), the last closed */
	size_t nsb;
	uint64_t *sref, *scur; /* nsb counts each */
	int wasserstein;       /* compute it */
	int ref_mean;          /* and the reference's mean, when both maps are packed */
	/* out */
	uint64_t n1, n2;
	double maxS, minS;
	uint64_t hmax;
	double w; /* Wasserstein-1 (NaN unless asked for, or an empty side) */
	int have_mean;
	double mean; /* the reference's mean as map_mean sums it (have_mean) */
};

/* The sum of n bytes: a packed map's count bytes (totals, bins, the
 * quantile cursor). psadbw adds sixteen at a time; the loop it replaced
 * widened each byte to 64 bits. */
static inline uint64_t drift_sum_bytes(const uint8_t *p, size_t n)
{
	uint64_t s = 0;
	size_t i = 0;
#ifdef __SSE2__
	__m128i acc = _mm_setzero_si128(), zero = _mm_setzero_si128();
	for (; i + 16 <= n; i += 16)
		acc = _mm_add_epi64(
		    acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), zero));
	s = (uint64_t)_mm_cvtsi128_si64(acc) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
#endif
	for (; i < n; i++)
		s += p[i];
	return s;
}

/* Greatest common divisor (KS's integer statistic |c1 n2/g - c2 n1/g|). */
static inline uint64_t drift_gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* numpy's linear quantile q of n ranked values (method="linear"): the
 * position (n - 1) q is rank *lo exactly (0 returned: at or past either
 * end) or between *lo and *lo + 1 at fraction *g (1), the two values then
 * combined by drift_lerp, numpy's _lerp. binning.c (from a map's cursor)
 * and bucket.c (from the values at gathered ranks) share both, so their
 * edges are the same bits. */
static inline int drift_quantile_index(uint64_t n, double q, uint64_t *lo, double *g)
{
	double vi = (double)(n - 1) * q;
	if (vi >= (double)(n - 1)) {
		*lo = n - 1;
		return 0;
	}
	if (vi < 0) {
		*lo = 0;
		return 0;
	}
	double prev = floor(vi);
	*lo = (uint64_t)prev;
	*g = vi - prev;
	return 1;
}

static inline double drift_lerp(double a, double b, double g)
{
	double diff = b - a;
	return g >= 0.5 ? b - diff * (1 - g) : a + diff * g;
}

/* True when --columns is unset or names this column (drift.c). */
int drift_column_wanted(const struct assay_drift_params *p, const char *name);

/* The comparison without a sort (bucket.c): for two columns of decimal
 * keys (packed maps or raw keys) with DRIFT_BUCKET_MIN to DRIFT_BUCKET_MAX
 * values each (drift_bucket_applies), what drift_numeric_walk gives plus
 * the quantile edges and the reference's std. KS and the bin counts are
 * the walk's integers and bits; Wasserstein-1 is the exact integral over
 * the decimals, rounded (not the walk's pairwise sum: ~1e-16 apart on
 * real data, see bucket.c); the std is key_std.c's. */
#define DRIFT_BUCKET_MIN ((uint64_t)1 << 14)
#define DRIFT_BUCKET_MAX ((uint64_t)1 << 24)

struct drift_bucket {
	/* in */
	size_t k;         /* quantile bins: edges computed here when qe is NULL */
	const double *qe; /* the reference's quantile edges computed ahead, or NULL */
	size_t nqe;
	const double *se; /* Sturges edges se[0..nsb], or NULL */
	size_t nsb;
	uint64_t *qref, *qcur; /* k + 1 counts each (nqe + 1 used) */
	uint64_t *sref, *scur; /* nsb counts each */
	int wasserstein, std;  /* compute them */
	/* out */
	double *qe_own; /* the quantile edges computed here (malloc'd), nqe_own of them */
	size_t nqe_own;
	uint64_t n1, n2;
	double maxS, minS;
	uint64_t hmax;
	double w, sd; /* NaN unless asked for */
};

int drift_bucket_applies(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         uint64_t n1, uint64_t n2);
/* 0, or -1 when out of memory. */
int drift_bucket_compare(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         struct drift_bucket *w);
/* A map of doubles as a packed map when every value is a key (1; out
 * allocated, prof_map_free), else 0 (out untouched); -1 out of memory: so
 * that a column is compared the same way whatever form its profile holds
 * it in (doubles: an old profile, a duplicate-heavy column). */
int drift_keys_of_doubles(const struct assay_numeric_map *m, struct assay_numeric_map *out);
/* The least and the greatest value of two columns of keys (non-empty). */
void drift_bucket_range(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur, double *lo,
                        double *hi);

/* The reference's std (ddof = 0) as the comparison uses it: key_std.c's
 * exact one for a column of keys with at least DRIFT_BUCKET_MIN values
 * (whichever path compares it), else drift_map_std. n is the map's total. */
double drift_ref_std(const struct assay_numeric_map *m, uint64_t n);
int drift_ref_std_is_exact(const struct assay_numeric_map *m, uint64_t n);
double drift_key_std(const struct assay_numeric_map *m);

/* 0, or -1 when out of memory (the Wasserstein terms are summed in
 * numpy's pairwise order, which needs them all). */
int drift_numeric_walk(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                       struct drift_walk *w);

/* colmaps.c: the maps a comparison reads from a column profile. num is
 * borrowed, or owned when approximate (own_num 1: value/count arrays; 2:
 * a whole map); cat likewise. */
struct colmaps {
	struct assay_numeric_map num;
	struct assay_category_map cat;
	int own_num, own_cat, approximate;
};
void drift_colmaps_free(struct colmaps *m);
/* The column's maps (want_cat: its numeric map as categories too when
 * integral); approximate ones from its sketches. 0 or ASSAY_ENOMEM. */
int drift_get_maps(const struct assay_column_profile *c, int want_cat, struct colmaps *m);
/* Raw keys (assay_profile_opts.raw_keys) as a sorted packed map, for the
 * comparisons that walk one. */
int drift_sort_raw(struct colmaps *m);
/* A borrowed map of doubles that are all short decimals as a packed map. */
int drift_keys_form(struct colmaps *m);
int drift_is_integral(const struct assay_numeric_map *m);
/* The test of an approximate column: no p-value (docs/drift.md). */
void drift_approximate_test(const struct assay_column_profile *rc, const struct assay_column_profile *cc,
                            enum assay_drift_method m, struct assay_drift_column *d);

#endif
