/* walk.c: KS, Wasserstein-1 and bin counts of two numeric maps in one
 * merge walk (drift_internal.h). Large columns of short decimals (both
 * sides keys, DRIFT_BUCKET_MIN values or more) are compared without a
 * sort instead (bucket.c: the same KS and bins, W1 exact before rounding);
 * this walk takes every other column.
 *
 * assay_ks_2samp, assay_wasserstein and the bin counters of binning.c each
 * walk the merged support of the two maps; a drift comparison needs all
 * of them, and on maps of 10^5..10^6 distinct values each walk costs
 * mispredicted branches, two divisions a step and a decode of the value.
 * Here one walk does everything, in the same floating-point steps:
 * - KS: after the counts of v are added, diff = c1/n1 - c2/n2 and the
 *   integer |c1 n2/g - c2 n1/g| (ks.c);
 * - Wasserstein: the term of the interval [prev, v) is |F - G| (v - prev)
 *   with F - G the previous step's diff, the very expression
 *   assay_wasserstein evaluates; terms summed pairwise as numpy;
 * - bins: the values ascend, so each bin index only moves forward: the
 *   quantile bin of v is the number of edges <= v, the Sturges bin is that
 *   number minus one within [se_0, se_nsb] (the last bin closed).
 * The Wasserstein terms are summed in numpy's pairwise order without being
 * stored: the number of terms (the merged support's size less one) is
 * counted first (n1 + n2 less the keys both maps hold, found four keys
 * against four), which fixes numpy's split points; each leaf block of at
 * most 128 terms is summed as it fills and the block sums are combined
 * along the same tree (8 bytes a block instead of 8 a term: 13 MB less at
 * the peak of a 1M-row drift). The walk's state lives in locals and the
 * bin counts are summed in registers while the bin stays (WALK_STEP).
 * Measured on the 1M halves' 13 bench columns (assay_drift_compare of two
 * stored profiles, process CPU, min of 8): 160 -> 145 ms with these two
 * and the Stirling table of kolmogorov.c. When both maps are packed (the
 * key form of every short-decimal column) the walk does KS and
 * Wasserstein only, in a loop of its own whose state fits in registers,
 * and the bin counts come from split points found by binary search and
 * sums of count bytes (packed_bins): the same integers, and ~17 ms less
 * CPU on the 1M profiles (drift of two stored profiles, 254-264 ->
 * 236-244 ms). The packed walk also sums the reference's mean when the
 * comparison needs its std (a value only in cur adds a zero term, which
 * changes neither compensated sum), so the std makes one pass over the
 * map instead of two. test_deckey.c checks the bits against the separate
 * functions, and the packed walk's bins and mean against the double
 * walk's and map_mean on adversarial edges (values on edges, repeated,
 * out of order, NaN).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/xsum.h"
#include "drift_internal.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* numpy's pairwise_sum as a stream (see the top comment). */
struct pairwise {
	size_t *leaf; /* leaf sizes in order */
	size_t nleaf, cleaf, at;
	double *sum; /* leaf sums */
	double buf[128];
	size_t nbuf, done;
};

static int leaves(struct pairwise *p, size_t n)
{
	if (n <= 128) {
		if (p->nleaf == p->cleaf) {
			size_t c = p->cleaf ? p->cleaf * 2 : 64;
			size_t *l = realloc(p->leaf, c * sizeof *l);
			if (!l)
				return -1;
			p->leaf = l;
			p->cleaf = c;
		}
		p->leaf[p->nleaf++] = n;
		return 0;
	}
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	return leaves(p, n2) || leaves(p, n - n2);
}

static int pairwise_init(struct pairwise *p, size_t n)
{
	memset(p, 0, sizeof *p);
	if (leaves(p, n) || !(p->sum = malloc(p->nleaf * sizeof *p->sum))) {
		free(p->leaf);
		return -1;
	}
	p->sum[0] = 0; /* n = 0: one empty leaf, never filled */
	return 0;
}

static double combine(struct pairwise *p, size_t n)
{
	if (n <= 128)
		return p->sum[p->at++];
	size_t n2 = n / 2;
	n2 -= n2 % 8;
	double a = combine(p, n2);
	return a + combine(p, n - n2);
}

static double pairwise_finish(struct pairwise *p, size_t n)
{
	double s = combine(p, n);
	free(p->leaf);
	free(p->sum);
	return s;
}

/* Keys in both of two strictly ascending arrays. Four against four at a
 * time (every rotation of b's block compared with a's), then the block with
 * the smaller last key moves on (both when equal), without a branch: a key
 * of a's block can only equal one of b's block or of a later one while it
 * stays. The one-key merge this replaced advanced one key of the union per
 * step, each step waiting on the last one's loads (~20% of the walk). */
static size_t keys_common(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t i = 0, j = 0, common = 0;
#ifdef __SSE2__
	while (i + 4 <= na && j + 4 <= nb) {
		__m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
		__m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + j));
		__m128i e0 = _mm_cmpeq_epi32(va, vb);
		__m128i e1 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x39));
		__m128i e2 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x4e));
		__m128i e3 = _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, 0x93));
		__m128i e = _mm_or_si128(_mm_or_si128(e0, e1), _mm_or_si128(e2, e3));
		/* bits set in the 4-bit mask, from a nibble table (popcnt is not in
		 * the baseline x86-64: __builtin_popcount was a libgcc call) */
		common += (size_t)(UINT64_C(0x4332322132212110) >>
		                   (4 * (unsigned)_mm_movemask_ps(_mm_castsi128_ps(e)))) &
		          0xf;
		uint32_t amax = a[i + 3], bmax = b[j + 3];
		i += (size_t)(amax <= bmax) * 4;
		j += (size_t)(bmax <= amax) * 4;
	}
#endif
	while (i < na && j < nb) {
		uint32_t x = a[i], y = b[j];
		common += x == y;
		i += x <= y;
		j += y <= x;
	}
	return common;
}

/* Size of the merged support of two maps. */
static size_t union_size(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur)
{
	if (ref->key && cur->key)
		return ref->n + cur->n - keys_common(ref->key, ref->n, cur->key, cur->n);
	size_t i = 0, j = 0, u = 0;
	while (i < ref->n && j < cur->n) {
		double x = assay_numeric_map_value(ref, i), y = assay_numeric_map_value(cur, j);
		i += x <= y;
		j += y <= x;
		u++;
	}
	return u + (ref->n - i) + (cur->n - j);
}

/* Count of packed entry i (the byte, or the big count behind a 255). */
static inline uint64_t pcount(const struct assay_numeric_map *m, size_t i)
{
	uint8_t c = m->kcount[i];
	return c != 255 ? c : assay_numeric_map_big_count(m, i);
}

/* One value of the merged support: r of it in ref, c in cur (either may
 * be 0: adding it changes nothing, and saves a branch a side), on the
 * locals of drift_numeric_walk. The state is in locals, not a struct
 * behind a pointer: each store of a bin count (uint64_t) could alias the
 * counters, and the compiler reloaded them at every step. For the same
 * reason the bin counts are summed in locals while the bin stays the same
 * (the values ascend, so each bin index only moves forward) and stored
 * when it moves on; the pairwise sum's fill level is a local too. */
#define WALK_STEP(v_, r_, c_)                                                                                \
	do {                                                                                                 \
		double step_v = (v_);                                                                        \
		uint64_t step_r = (r_), step_c = (c_);                                                       \
		if (t && started) {                                                                          \
			t->buf[nbuf++] = fabs(diff) * (step_v - prev);                                       \
			if (nbuf == leafn) {                                                                 \
				t->sum[t->done++] = assay_sum_pairwise(t->buf, nbuf); /* <= 128 */           \
				nbuf = 0;                                                                    \
				leafn = t->done < t->nleaf ? t->leaf[t->done] : 0;                           \
			}                                                                                    \
		}                                                                                            \
		started = 1;                                                                                 \
		c1 += step_r;                                                                                \
		c2 += step_c;                                                                                \
		if (qe) {                                                                                    \
			if (qk < nqe && qe[qk] <= step_v) {                                                  \
				qref[qk] += qr;                                                              \
				qcur[qk] += qc;                                                              \
				qr = qc = 0;                                                                 \
				while (qk < nqe && qe[qk] <= step_v)                                         \
					qk++;                                                                \
			}                                                                                    \
			qr += step_r;                                                                        \
			qc += step_c;                                                                        \
		}                                                                                            \
		if (se && !(step_v < se[0] || step_v > se[nsb])) {                                           \
			while (sk < nsb + 1 && se[sk] <= step_v)                                             \
				sk++;                                                                        \
			size_t b = sk == 0 ? 0 : sk - 1;                                                     \
			if (b >= nsb)                                                                        \
				b = nsb - 1;                                                                 \
			if (b != sb) {                                                                       \
				if (sb != SIZE_MAX) {                                                        \
					sref[sb] += sr;                                                      \
					scur[sb] += sc;                                                      \
				}                                                                            \
				sb = b;                                                                      \
				sr = sc = 0;                                                                 \
			}                                                                                    \
			sr += step_r;                                                                        \
			sc += step_c;                                                                        \
		}                                                                                            \
		double diff_ = (double)c1 / dn1 - (double)c2 / dn2;                                          \
		if (diff_ > maxS)                                                                            \
			maxS = diff_;                                                                        \
		if (diff_ < minS)                                                                            \
			minS = diff_;                                                                        \
		uint64_t x_ = c1 * n2g, y_ = c2 * n1g; /* may wrap: see ks.c */                              \
		uint64_t h_ = x_ > y_ ? x_ - y_ : y_ - x_;                                                   \
		if (h_ > hmax)                                                                               \
			hmax = h_;                                                                           \
		diff = diff_;                                                                                \
		prev = step_v;                                                                               \
	} while (0)

/* ---- bins of packed maps by split points ------------------------------
 *
 * In the walk a value's quantile bin is min{k : !(qe[k] <= v)} (the index
 * only moves forward over the ascending values, and stops at the first
 * edge above the value), whatever came before it; so the entries of a
 * sorted map in bins >= k + 1 are those with v >= P_k, P_k the running
 * maximum of qe[0..k] (NaN once an edge is NaN: no value reaches it), a
 * suffix of the map found by binary search. Likewise a Sturges bin, for
 * the values within [se_0, se_nsb] (an interval of entries): bin
 * min{k : !(se[k] <= v)} - 1, at most nsb - 1. The counts of each bin
 * are then sums of runs of count bytes (the loop the compiler vectorizes)
 * and the big counts among them, in place of two bin cursors at every
 * step of the walk: the same integers. */

/* The running maximum of e[0..k] for each k (NaN from the first NaN on). */
static void running_max(const double *e, size_t n, double *out)
{
	double m = -INFINITY;
	for (size_t k = 0; k < n; k++) {
		m = (isnan(m) || isnan(e[k])) ? NAN : (e[k] > m ? e[k] : m);
		out[k] = m;
	}
}

/* First entry of a packed map in [lo, n) whose value is >= x, or > x with
 * `above` (n if none; values ascend with the keys). */
static size_t packed_bound(const struct assay_numeric_map *m, size_t lo, double x, int above)
{
	size_t hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		double v = assay_deckey_value(m->key[mid]);
		if (above ? !(v > x) : !(v >= x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Sum of the counts of packed entries [a, b); *bi: a cursor into the big
 * counts (ascending entries) that only moves forward. */
static uint64_t packed_sum(const struct assay_numeric_map *m, size_t a, size_t b, size_t *bi)
{
	uint64_t s = drift_sum_bytes(m->kcount + a, b - a);
	while (*bi < m->nbig && m->big[*bi].i < a)
		++*bi;
	for (; *bi < m->nbig && m->big[*bi].i < b; ++*bi)
		s += m->big[*bi].count - 255;
	return s;
}

/* The walk's quantile and Sturges counts of one packed map, added to
 * qc[0..nqe] and sc[0..nsb-1]. pq, ps: running maxima of qe and se. */
static void packed_bins(const struct assay_numeric_map *m, const double *pq, size_t nqe, uint64_t *qc,
                        const double *se, const double *ps, size_t nsb, uint64_t *sc)
{
	size_t bi = 0, at = 0;
	if (qc) {
		for (size_t k = 0; k < nqe; k++) {
			size_t next = packed_bound(m, at, pq[k], 0);
			qc[k] += packed_sum(m, at, next, &bi);
			at = next;
		}
		qc[nqe] += packed_sum(m, at, m->n, &bi);
	}
	if (sc && nsb) { /* the walk counts v when !(v < se_0 || v > se_nsb) */
		size_t a = isnan(se[0]) ? 0 : packed_bound(m, 0, se[0], 0),
		       b = packed_bound(m, a, se[nsb], 1);
		bi = 0;
		at = a;
		for (size_t k = 1; k < nsb; k++) { /* bins >= k: v >= ps[k] */
			size_t next = packed_bound(m, at, ps[k], 0);
			next = next < b ? next : b;
			sc[k - 1] += packed_sum(m, at, next, &bi);
			at = next;
		}
		sc[nsb - 1] += packed_sum(m, at, b, &bi);
	}
}

/* KS's extremes over the walk (see WALK_STEP). */
struct ks_ext {
	double maxS, minS;
	uint64_t hmax;
	double ms, mc; /* the reference's compensated sum of value * count */
};

/* One value of the merged support of two packed maps: WALK_STEP without
 * the bins (packed_bins counts them), so that the walk's state fits in
 * registers. */
#define PACKED_STEP(v_, r_, c_)                                                                              \
	do {                                                                                                 \
		double step_v = (v_);                                                                        \
		if (t && started) {                                                                          \
			t->buf[nb++] = fabs(diff) * (step_v - prev);                                         \
			if (nb == leafn) {                                                                   \
				t->sum[t->done++] = assay_sum_pairwise(t->buf, nb); /* <= 128 */             \
				nb = 0;                                                                      \
				leafn = t->done < t->nleaf ? t->leaf[t->done] : 0;                           \
			}                                                                                    \
		}                                                                                            \
		started = 1;                                                                                 \
		uint64_t step_r = (r_);                                                                      \
		if (want_mean) { /* a zero term (a value only in cur) changes neither sum */                 \
			double mx_ = step_v * (double)(int64_t)step_r;                                       \
			assay_neumaier_add(&ms, &mc, mx_);                                                   \
		}                                                                                            \
		c1 += step_r;                                                                                \
		c2 += (c_);                                                                                  \
		double diff_ = (double)c1 / dn1 - (double)c2 / dn2;                                          \
		if (diff_ > e.maxS)                                                                          \
			e.maxS = diff_;                                                                      \
		if (diff_ < e.minS)                                                                          \
			e.minS = diff_;                                                                      \
		uint64_t x_ = c1 * n2g, y_ = c2 * n1g; /* may wrap: see ks.c */                              \
		uint64_t h_ = x_ > y_ ? x_ - y_ : y_ - x_;                                                   \
		if (h_ > e.hmax)                                                                             \
			e.hmax = h_;                                                                         \
		diff = diff_;                                                                                \
		prev = step_v;                                                                               \
	} while (0)

/* The walk of two packed maps: keys compared, a value decoded once. */
static struct ks_ext walk_packed(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                                 struct pairwise *t, size_t *nbuf, size_t *leafn_, uint64_t n1g, uint64_t n2g,
                                 double dn1, double dn2, const int want_mean)
{
	struct ks_ext e = {-INFINITY, INFINITY, 0, 0, 0};
	double ms = 0, mc = 0;
	uint64_t c1 = 0, c2 = 0;
	double diff = 0, prev = 0;
	int started = 0;
	size_t nb = *nbuf, leafn = *leafn_, i = 0, j = 0;
	/* which side holds the smaller key is a coin toss on data that did
	 * not drift: chosen without branches */
	const uint32_t *rk = ref->key, *ck = cur->key;
	while (i < ref->n && j < cur->n) {
		uint32_t x = rk[i], y = ck[j];
		uint64_t tr = x <= y, tc = y <= x;
		uint64_t r = pcount(ref, i) & (0 - tr), c = pcount(cur, j) & (0 - tc);
		PACKED_STEP(assay_deckey_value(x < y ? x : y), r, c);
		i += tr;
		j += tc;
	}
	for (; i < ref->n; i++)
		PACKED_STEP(assay_deckey_value(rk[i]), pcount(ref, i), 0);
	for (; j < cur->n; j++)
		PACKED_STEP(assay_deckey_value(ck[j]), 0, pcount(cur, j));
	*nbuf = nb;
	*leafn_ = leafn;
	e.ms = ms;
	e.mc = mc;
	return e;
}

int drift_numeric_walk(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                       struct drift_walk *w)
{
	w->n1 = assay_numeric_map_total(ref);
	w->n2 = assay_numeric_map_total(cur);
	w->maxS = -INFINITY;
	w->minS = INFINITY;
	w->hmax = 0;
	w->w = NAN;
	w->have_mean = 0;
	if (w->n1 == 0 || w->n2 == 0)
		return 0;
	uint64_t g = drift_gcd(w->n1, w->n2);
	struct pairwise pw;
	size_t nterms = 0;
	if (w->wasserstein) {
		nterms = union_size(ref, cur) - 1; /* both sides have a value */
		if (pairwise_init(&pw, nterms))
			return -1;
	}
	/* the state (see WALK_STEP) */
	struct pairwise *const t = w->wasserstein ? &pw : NULL;
	const uint64_t n1g = w->n1 / g, n2g = w->n2 / g;
	const double dn1 = (double)w->n1, dn2 = (double)w->n2;
	const double *const qe = w->qe, *const se = w->se;
	const size_t nqe = w->nqe, nsb = w->nsb;
	uint64_t *const qref = w->qref, *const qcur = w->qcur, *const sref = w->sref, *const scur = w->scur;
	uint64_t c1 = 0, c2 = 0, hmax = 0, qr = 0, qc = 0, sr = 0, sc = 0;
	double diff = 0, prev = 0, maxS = -INFINITY, minS = INFINITY;
	int started = 0;
	size_t qk = 0, sk = 0, sb = SIZE_MAX, nbuf = 0, leafn = t ? t->leaf[0] : 0;
	size_t i = 0, j = 0;
	if (ref->key && cur->key) { /* both packed: the bins apart (packed_bins) */
		struct ks_ext e = w->ref_mean
		                      ? walk_packed(ref, cur, t, &nbuf, &leafn, n1g, n2g, dn1, dn2, 1)
		                      : walk_packed(ref, cur, t, &nbuf, &leafn, n1g, n2g, dn1, dn2, 0);
		if (w->ref_mean) { /* map_mean's sum: the same terms in the same order */
			w->have_mean = 1;
			w->mean = (e.ms + e.mc) / dn1;
		}
		maxS = e.maxS;
		minS = e.minS;
		hmax = e.hmax;
		if (qe || se) {
			size_t nq = qe ? nqe : 0, ns = se ? nsb + 1 : 0;
			double *run = calloc(nq + ns + 1, sizeof *run);
			if (!run) {
				if (t)
					pairwise_finish(&pw, nterms);
				return -1;
			}
			if (qe)
				running_max(qe, nqe, run);
			if (se)
				running_max(se, nsb + 1, run + nq);
			packed_bins(ref, run, nq, qe ? qref : NULL, se, run + nq, nsb, se ? sref : NULL);
			packed_bins(cur, run, nq, qe ? qcur : NULL, se, run + nq, nsb, se ? scur : NULL);
			free(run);
		}
	} else {
		double rv = ref->n ? assay_numeric_map_value(ref, 0) : 0;
		double cv = cur->n ? assay_numeric_map_value(cur, 0) : 0;
		while (i < ref->n || j < cur->n) {
			uint64_t r = 0, c = 0;
			double v = (j >= cur->n || (i < ref->n && rv < cv)) ? rv : cv;
			if (i < ref->n && rv == v) {
				r = assay_numeric_map_count(ref, i++);
				if (i < ref->n)
					rv = assay_numeric_map_value(ref, i);
			}
			if (j < cur->n && cv == v) {
				c = assay_numeric_map_count(cur, j++);
				if (j < cur->n)
					cv = assay_numeric_map_value(cur, j);
			}
			WALK_STEP(v, r, c);
		}
	}
	if (qe && !(ref->key && cur->key)) {
		qref[qk] += qr;
		qcur[qk] += qc;
	}
	if (sb != SIZE_MAX) {
		sref[sb] += sr;
		scur[sb] += sc;
	}
	w->maxS = maxS;
	w->minS = minS;
	w->hmax = hmax;
	if (t)
		w->w = pairwise_finish(&pw, nterms);
	return 0;
}
