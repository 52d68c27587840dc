/* bucket.c: the default numeric comparison of two columns of decimal keys
 * (KS, Wasserstein-1, reference-quantile and Sturges bin counts, the
 * reference's std) without sorting them (drift_internal.h,
 * drift_bucket_compare). It matches walk.c (the sort and merge walk, whose
 * arithmetic is scipy's and numpy's) bit for bit, but for W1 and the std.
 *
 * Either side is a packed map (sorted keys with counts: a stored profile)
 * or raw keys in file order (a data file profiled with raw_keys). The key
 * range of both sides is cut into buckets, runs of 2^j consecutive keys
 * (the grid below: about GRID_KEYS keys a bucket), and one pass over each
 * side sums, per bucket, its count and its keys' offsets in it (one 64-bit
 * word: count in the top 24 bits, offsets in the low 40) and, for the
 * reference's std only, the offsets' squares. A second pass gathers and
 * sorts the keys of the few buckets marked as needing them, but for the
 * keys at the bucket's mean offset rounded down (a candidate known from
 * the sums), whose count is the bucket's less the keys gathered: a bucket
 * of one distinct key (a column of integers: thousands of one key a
 * bucket) gathers nothing. Everything below is a
 * function of these integers and of those keys: order-free, so a stored
 * profile and the data it was made from give the same bits, whatever the
 * grid (a sample picks it).
 * - KS (ks.c's definition, walk.c's steps): the counts at every bucket's
 *   end are steps of the merged walk, exact. Inside a bucket c1/n1 - c2/n2
 *   lies within [C1/n1 - (C2 + b2)/n2, (C1 + b1)/n1 - C2/n2] (also after
 *   rounding: the division and subtraction are monotone), and likewise
 *   the integer |c1 n2/g - c2 n1/g|: only buckets whose bound beats the
 *   extremes over all bucket ends are walked key by key (a handful: those
 *   near the extremes). maxS, minS and the integer statistic are the
 *   walk's, bit for bit, hence D and the p-value.
 * - Wasserstein-1 = integral of |F - G| over the values, as a sum over the
 *   unit steps between consecutive keys (keyseg.h: 10^q wide inside a
 *   segment) of |h| (h = c1 n2/g - c2 n1/g, F - G times lcm). In a bucket
 *   that lies in one segment and where h cannot change sign (h_start -
 *   b2 n1/g >= 0 or h_start + b1 n2/g <= 0) that sum is, by Abel
 *   summation, L h_start + n2/g (b1 L - S_ref) - n1/g (b2 L - S_cur) with
 *   S the sums of offsets: exact, in 128-bit integers. Other buckets (a
 *   sign change, a segment boundary, the zero key) are walked key by key,
 *   exactly too. The integer sums per exponent q are turned into one
 *   double each (x 10^q, compensated sum, / lcm): W1 is the exact
 *   integral over the decimal values to ~2 ulp. scipy (and walk.c) sum
 *   the rounded terms |F - G| (x_i+1 - x_i) over the parsed doubles: the
 *   two differ by the values' own rounding, at most 2^-52 max|x| in
 *   absolute terms (each value moves by <= 2^-53 |x|, weighted by the
 *   total variation of |F - G|, <= 2): ~1e-16 relative on real data (the
 *   1M-row bench: 2e-16 to 2.4e-14, and there the exact value, computed
 *   with Python fractions, is this one), up to ~3e-11 where W1 is 1e-6 of
 *   the values (tests/unit/test_bucket.c: 1.000001 against 1.000002).
 * - Quantile edges (numpy's linear interpolation, binning.c): the values
 *   at two ranks per edge, found from the buckets' counts and the keys of
 *   the bucket holding the rank; the same arithmetic, the same bits.
 * - Bin counts (quantile and Sturges, the walk's rules, walk.c
 *   packed_bins): the count below each edge is the counts of the buckets
 *   before its key and the keys below it in its bucket.
 * - The reference's std: key_std.c, from per-segment sums made here of
 *   the buckets' sums (one segment a bucket) or the gathered keys.
 * Cost on the 1M-row bench (10 numeric columns of 2 x 500k values): ~6 ms
 * of CPU a column (sums ~2 ns a key: an add at a random bucket; gathering
 * ~1 ns a key with AVX-512; the sweep over ~25k buckets and ~40k gathered
 * keys ~1 ms) where the sort, runs, walk and std took ~15.
 * Not here: columns below DRIFT_BUCKET_MIN values a side keep the sort and
 * the walk (scipy's summation order; it pays there), and so does any
 * column with a value that is not a key; sketches; Evidently mode.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/xsum.h"
#include "bucket_internal.h"

/* acc[q + 22] += h for every unit step [k, k + 1), a <= k < b (valid keys:
 * a, b within [kmin, kmax]). */
static void span_add(ks_i128 *acc, uint32_t a, uint32_t b, ks_i128 h)
{
	while (a < b) {
		uint32_t m;
		if (a == ASSAY_DECKEY_ZERO || a == KS_NEGTOP) { /* 1e-16 = 10^6 units of 10^-22 */
			acc[0] += h * 1000000;
			a++;
			continue;
		}
		unsigned s = keyseg_of(a, &m), e = keyseg_exp(s);
		uint32_t run; /* steps of 10^q from a on */
		if (a > ASSAY_DECKEY_ZERO) {
			run = KS_SEGKEYS - m;
		} else if (m == 0) { /* out of a negative segment: 10^(q-1) */
			acc[e - 1] += h;
			a++;
			continue;
		} else {
			run = m;
		}
		uint32_t n = b - a < run ? b - a : run;
		acc[e] += h * n;
		a += n;
	}
}

/* ---- edges as keys -------------------------------------------------------- */

/* The first key in [kmin, kmax] whose value is >= x (> x with above), or
 * kmax + 1: the values below x are the keys below it. */
static uint64_t key_bound(const struct grid *g, double x, int above)
{
	uint64_t lo = g->kmin, hi = (uint64_t)g->kmax + 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		double v = assay_deckey_value((uint32_t)mid);
		if (above ? !(v > x) : !(v >= x))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* An edge as a key, with the count of each side below it. */
struct cut {
	uint64_t key;
	uint64_t below[2];
};

static int cmp_cut(const void *a, const void *b)
{
	const struct cut *x = *(const struct cut *const *)a, *y = *(const struct cut *const *)b;
	return (x->key > y->key) - (x->key < y->key);
}

/* ---- the comparison ------------------------------------------------------- */

struct state {
	struct grid g;
	struct side s[2];
	uint8_t *mark;
	int8_t *unit; /* bk_bucket_unit of each bucket */
	uint64_t n1g, n2g;
	double dn1, dn2;
	double maxS, minS;
	uint64_t hmax;
	ks_i128 acc[45]; /* W1 times lcm, in units of 10^(i - 22) */
	struct key_moments *km;
};

/* One step of the merged walk (walk.c's KS arithmetic) at cumulative
 * counts (c1, c2). */
static inline void ks_step(struct state *st, uint64_t c1, uint64_t c2)
{
	double diff = (double)c1 / st->dn1 - (double)c2 / st->dn2;
	if (diff > st->maxS)
		st->maxS = diff;
	if (diff < st->minS)
		st->minS = diff;
	uint64_t x = c1 * st->n2g, y = c2 * st->n1g;
	uint64_t h = x > y ? x - y : y - x;
	if (h > st->hmax)
		st->hmax = h;
}

/* Marks the buckets to gather: any with keys that is not in one segment,
 * those whose KS bound beats the extremes at the bucket ends, those where
 * F - G may change sign (W1), and those holding a rank or an edge. */
static void mark_buckets(struct state *st, int w1, const uint64_t *rank, size_t nrank, struct cut **cut,
                         size_t ncut)
{
	const struct grid *g = &st->g;
	uint64_t C1 = 0, C2 = 0;
	size_t r = 0, c = 0;
	FOR_BUCKETS(g, b, kb, L)
	{
		uint64_t b1 = bcount(&st->s[0], b), b2 = bcount(&st->s[1], b);
		uint8_t mk = 0, ks = 0;
		int unit = bk_bucket_unit(kb, L);
		st->unit[b] = (int8_t)unit;
		if ((b1 | b2) && L == 1) { /* one key: its step is the bucket's end */
			mk = unit < 0;
		} else if (b1 | b2) {
			int64_t H = (int64_t)(C1 * st->n2g) - (int64_t)(C2 * st->n1g);
			if (unit < 0)
				mk = 1;
			double up = (double)(C1 + b1) / st->dn1 - (double)C2 / st->dn2;
			double lo = (double)C1 / st->dn1 - (double)(C2 + b2) / st->dn2;
			int64_t hup = H + (int64_t)(b1 * st->n2g), hlo = H - (int64_t)(b2 * st->n1g);
			uint64_t hb = (uint64_t)(hup > -hlo ? hup : -hlo);
			if (up > st->maxS || lo < st->minS || hb > st->hmax)
				ks = MARK_KS;
			if (w1 && hlo < 0 && hup > 0)
				mk = 1;
		}
		uint64_t end1 = C1 + b1;
		for (; r < nrank && rank[r] < end1; r++)
			mk |= rank[r] >= C1 && L > 1; /* one key: the rank's value is kb */
		for (; c < ncut && cut[c]->key < kb + L; c++)
			mk |= (b1 | b2) && cut[c]->key > kb;
		st->mark[b] = (mk | ks) ? MARK_GATHER | ks : 0;
		C1 = end1;
		C2 += b2;
	}
}

/* The values at the ranks (ascending) of the reference. */
static void values_at_ranks(struct state *st, const uint64_t *rank, size_t nrank, double *out)
{
	const struct side *s = &st->s[0];
	uint64_t C = 0;
	size_t r = 0, at = 0;
	FOR_BUCKETS(&st->g, b, kb, L)
	{
		uint64_t b1 = bcount(s, b), bend = kb + L;
		if (L == 1)
			for (; r < nrank && rank[r] < C + b1; r++)
				out[r] = assay_deckey_value((uint32_t)kb);
		if (st->mark[b] && b1) {
			uint64_t cum = C;
			for (; at < s->ng && s->gk[at] < bend; at++) {
				cum += s->gc[at];
				for (; r < nrank && rank[r] < cum; r++)
					out[r] = assay_deckey_value(s->gk[at]);
			}
		}
		C += b1;
	}
}

/* The walk of a gathered bucket [kb, kb + L): KS at each key, W1 over each
 * step. */
static void walk_bucket(struct state *st, size_t b, uint64_t kb, uint64_t L, uint64_t *C1, uint64_t *C2,
                        int w1)
{
	const int unit = st->unit[b];         /* >= 0: every step 10^unit wide, no span_add */
	const int ks = st->mark[b] & MARK_KS; /* else no step in it can beat the ends' extremes */
	const struct grid *g = &st->g;
	struct side *r = &st->s[0], *c = &st->s[1];
	uint64_t bend = kb + L, end = bend - 1 < g->kmax ? bend : g->kmax; /* steps from keys < kmax */
	uint32_t prev = (uint32_t)(kb > g->kmin ? kb : g->kmin);
	uint64_t c1 = *C1, c2 = *C2;
	int64_t h = (int64_t)(c1 * st->n2g) - (int64_t)(c2 * st->n1g);
	size_t i = r->at, j = c->at;
	for (;;) {
		uint32_t x = i < r->ng && r->gk[i] < bend ? r->gk[i] : UINT32_MAX;
		uint32_t y = j < c->ng && c->gk[j] < bend ? c->gk[j] : UINT32_MAX;
		if (x == UINT32_MAX && y == UINT32_MAX) /* a key of UINT32_MAX is past every valid one */
			break;
		uint32_t k = x < y ? x : y;
		if (w1 && h) {
			ks_i128 ah = h < 0 ? -(ks_i128)h : (ks_i128)h;
			if (unit >= 0)
				st->acc[unit] += ah * (k - prev);
			else
				span_add(st->acc, prev, k, ah);
		}
		if (x == k)
			c1 += r->gc[i++];
		if (y == k)
			c2 += c->gc[j++];
		if (ks)
			ks_step(st, c1, c2);
		h = (int64_t)(c1 * st->n2g) - (int64_t)(c2 * st->n1g);
		prev = k;
	}
	if (w1 && h && prev < end) {
		ks_i128 ah = h < 0 ? -(ks_i128)h : (ks_i128)h;
		if (unit >= 0)
			st->acc[unit] += ah * (end - prev);
		else
			span_add(st->acc, prev, (uint32_t)end, ah);
	}
	r->at = i;
	c->at = j;
	*C1 = c1;
	*C2 = c2;
}

/* Counts below the cuts in bucket b, [kb, kb + L), before its keys are
 * added; *ci: the next cut. */
static void count_cuts(struct state *st, size_t b, uint64_t kb, uint64_t L, uint64_t C1, uint64_t C2,
                       struct cut **cut, size_t ncut, size_t *ci)
{
	for (; *ci < ncut && cut[*ci]->key < kb + L; ++*ci) {
		struct cut *ct = cut[*ci];
		uint64_t C[2] = {C1, C2};
		for (int w = 0; w < 2; w++) {
			const struct side *s = &st->s[w];
			uint64_t below = 0;
			if (ct->key > kb && bcount(s, b)) {
				if (st->mark[b])
					for (size_t i = s->at; i < s->ng && s->gk[i] < ct->key; i++)
						below += s->gc[i];
				else
					below = bk_side_below_ungathered(s, kb, ct->key);
			}
			ct->below[w] = C[w] + below;
		}
	}
}

/* The reference's per-segment sums from bucket b, [kb, kb + L): its sums
 * (one segment) or its gathered keys. */
static void moments_bucket(struct state *st, size_t b, uint64_t kb, uint64_t L)
{
	const struct side *s = &st->s[0];
	uint64_t c = bcount(s, b);
	if (!c)
		return;
	if (st->mark[b]) {
		for (size_t i = s->at; i < s->ng && s->gk[i] < kb + L; i++)
			key_moments_add(st->km, s->gk[i], s->gc[i]);
		return;
	}
	/* one segment (else marked): M = Mb + o (positive) or Mb - o */
	uint32_t m;
	unsigned seg = keyseg_of((uint32_t)kb, &m);
	uint64_t Mb = 1000000u + (uint64_t)m, S1 = bsum(s, b), S2 = s->agg[2 * b + 1]; /* s->sq: squares */
	struct key_moments *t = st->km;
	t->n += c;
	t->c[seg] += c;
	ks_u128 cm2 = (ks_u128)(c * Mb) * Mb + S2, x = (ks_u128)(2 * Mb) * S1;
	if (seg > KS_ZSEG) {
		t->s1[seg] += c * Mb + S1;
		t->s2[seg] += cm2 + x;
	} else {
		t->s1[seg] += c * Mb - S1;
		t->s2[seg] += cm2 - x;
	}
}

/* The sweep: W1 by bucket, gathered buckets walked, cuts counted, the
 * reference's sums. */
static void sweep(struct state *st, int w1, struct cut **cut, size_t ncut)
{
	const struct grid *g = &st->g;
	uint64_t C1 = 0, C2 = 0;
	size_t ci = 0;
	st->s[0].at = st->s[1].at = 0;
	FOR_BUCKETS(g, b, kb, L)
	{
		uint64_t b1 = bcount(&st->s[0], b), b2 = bcount(&st->s[1], b);
		if (ci < ncut)
			count_cuts(st, b, kb, L, C1, C2, cut, ncut, &ci);
		if (st->km)
			moments_bucket(st, b, kb, L);
		if (st->mark[b]) {
			walk_bucket(st, b, kb, L, &C1, &C2, w1);
			continue;
		}
		int64_t H = (int64_t)(C1 * st->n2g) - (int64_t)(C2 * st->n1g);
		C1 += b1;
		C2 += b2;
		if (!w1 || (H == 0 && !(b1 | b2)))
			continue;
		int e = st->unit[b];
		if (e < 0) { /* empty (else marked): F - G stays H */
			uint64_t lo = kb > g->kmin ? kb : g->kmin,
			         hi = kb + L - 1 < g->kmax ? kb + L : g->kmax;
			if (lo < hi)
				span_add(st->acc, (uint32_t)lo, (uint32_t)hi,
				         H < 0 ? -(ks_i128)H : (ks_i128)H);
			continue;
		}
		ks_i128 I = (ks_i128)L * H + (ks_i128)st->n2g * (ks_i128)(b1 * L - bsum(&st->s[0], b)) -
		            (ks_i128)st->n1g * (ks_i128)(b2 * L - bsum(&st->s[1], b));
		st->acc[e] += I < 0 ? -I : I;
	}
}

static double w1_of(const ks_i128 *acc, uint64_t lcm)
{
	static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	double s = 0, c = 0;
	for (int e = 0; e < 45; e++) {
		if (!acc[e])
			continue;
		double x = (double)acc[e];
		x = e >= 22 ? x * p10[e - 22] : x / p10[22 - e];
		assay_neumaier_add(&s, &c, x);
	}
	return (s + c) / (double)lcm;
}

/* The ranks whose values make the quantile edges (binning.c's
 * drift_quantile_edges), in q order (also ascending). */
static size_t quantile_ranks(uint64_t n, size_t k, uint64_t *rank)
{
	size_t nr = 0;
	for (size_t i = 1; i < k; i++) {
		uint64_t pi;
		double g;
		int between = drift_quantile_index(n, (double)i / (double)k, &pi, &g);
		rank[nr++] = pi;
		if (between)
			rank[nr++] = pi + 1;
	}
	return nr;
}

/* The edges from the values at quantile_ranks, numpy's _lerp as binning.c. */
static size_t quantile_edges(uint64_t n, size_t k, const double *val, double *e)
{
	size_t ne = 0, r = 0;
	for (size_t i = 1; i < k; i++) {
		uint64_t pi;
		double g, v;
		if (drift_quantile_index(n, (double)i / (double)k, &pi, &g)) {
			v = drift_lerp(val[r], val[r + 1], g);
			r += 2;
		} else {
			v = val[r++];
		}
		if (ne == 0 || v != e[ne - 1])
			e[ne++] = v;
	}
	return ne;
}

/* The bins of walk.c's packed_bins from the counts below the cuts. */
static void count_bins(const struct drift_bucket *w, const struct cut *qc, size_t nqe, const struct cut *sc,
                       size_t nsb)
{
	for (int s = 0; s < 2 && w->qref; s++) { /* quantile bins: [e_k-1, e_k) */
		uint64_t *dst = s ? w->qcur : w->qref, n = s ? w->n2 : w->n1, at = 0;
		for (size_t i = 0; i < nqe; i++) {
			uint64_t next = qc[i].below[s] > at ? qc[i].below[s] : at;
			dst[i] += next - at;
			at = next;
		}
		dst[nqe] += n - at;
	}
	for (int s = 0; s < 2 && sc; s++) { /* Sturges: in [se_0, se_nsb], the last bin closed */
		uint64_t *dst = s ? w->scur : w->sref;
		uint64_t a = sc[0].below[s], z = sc[1].below[s] > a ? sc[1].below[s] : a, at = a;
		for (size_t i = 1; i < nsb; i++) {
			uint64_t next = sc[1 + i].below[s] > at ? sc[1 + i].below[s] : at;
			next = next < z ? next : z;
			dst[i - 1] += next - at;
			at = next;
		}
		dst[nsb - 1] += z - at;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The cuts sorted by key (pointers into cuts[0, n)). */
static void sort_cuts(struct cut *cuts, struct cut **cut, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cut[i] = &cuts[i];
	qsort(cut, n, sizeof *cut, cmp_cut);
}

/* The quantile edges from the gathered ranks (sorted: rank, nrank) and
 * their cuts, put first in cuts (the nother after them moved on). */
static int edges_from_ranks(struct state *st, struct drift_bucket *w, size_t k, const uint64_t *rank,
                            size_t nrank, struct cut *cuts, size_t nother)
{
	double *e = malloc(k * sizeof *e), *rval = malloc((nrank ? nrank : 1) * sizeof *rval);
	uint64_t *qr = malloc(2 * k * sizeof *qr);
	double *qv = malloc(2 * k * sizeof *qv);
	if (!e || !rval || !qr || !qv) {
		free(e);
		free(rval);
		free(qr);
		free(qv);
		return -1;
	}
	values_at_ranks(st, rank, nrank, rval);
	size_t nq = quantile_ranks(w->n1, k, qr);
	for (size_t i = 0; i < nq; i++) { /* each rank's value, by a search of the sorted ranks */
		size_t lo = 0, hi = nrank;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (rank[mid] < qr[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		qv[i] = rval[lo];
	}
	size_t nqe = quantile_edges(w->n1, k, qv, e);
	memmove(cuts + nqe, cuts, nother * sizeof *cuts);
	for (size_t i = 0; i < nqe; i++)
		cuts[i] = (struct cut){key_bound(&st->g, e[i], 0), {0, 0}};
	w->qe_own = e;
	w->nqe_own = nqe;
	free(rval);
	free(qr);
	free(qv);
	return 0;
}

int drift_bucket_compare(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         struct drift_bucket *w)
{
	struct state st;
	memset(&st, 0, sizeof st);
	int rc = -1;
	w->n1 = assay_numeric_map_total(ref);
	w->n2 = assay_numeric_map_total(cur);
	w->qe_own = NULL;
	w->nqe_own = 0;
	uint64_t gcd = drift_gcd(w->n1, w->n2);
	st.n1g = w->n1 / gcd;
	st.n2g = w->n2 / gcd;
	st.dn1 = (double)w->n1;
	st.dn2 = (double)w->n2;
	st.maxS = -INFINITY;
	st.minS = INFINITY;
	struct key_moments km;
	if (w->std) {
		memset(&km, 0, sizeof km);
		st.km = &km;
	}
	size_t k = w->k < 1 ? 1 : w->k, nsb = w->se ? w->nsb : 0;
	size_t ncmax = k + nsb + 2, ncut = 0, nrank = 0;
	uint64_t *rank = malloc(2 * k * sizeof *rank);
	struct cut *cuts = calloc(ncmax, sizeof *cuts);
	struct cut **cut = malloc(ncmax * sizeof *cut);
	if (!rank || !cuts || !cut || bk_grid_make(&st.g, ref, cur))
		goto out;
	size_t nb = st.g.nb;
	st.s[0].m = ref;
	st.s[1].m = cur;
	st.s[0].sq = w->std ? 1 : 0; /* squares only for the reference's std (moments_bucket) */
	st.s[0].agg = calloc(nb << st.s[0].sq, sizeof(uint64_t));
	st.s[1].agg = calloc(nb, sizeof(uint64_t));
	st.mark = calloc(nb, 1);
	st.unit = malloc(nb);
	if (!st.s[0].agg || !st.s[1].agg || !st.mark || !st.unit)
		goto out;
	bk_side_sum(&st.s[0], &st.g);
	bk_side_sum(&st.s[1], &st.g);
	/* KS at every bucket end: the extremes the buckets are measured against */
	uint64_t C1 = 0, C2 = 0;
	for (size_t b = 0; b < nb; b++) {
		uint64_t b1 = bcount(&st.s[0], b), b2 = bcount(&st.s[1], b);
		if (b1 | b2) {
			C1 += b1;
			C2 += b2;
			ks_step(&st, C1, C2);
		}
	}
	/* the cuts: quantile edges given (else their ranks), then Sturges' */
	if (w->qe)
		for (size_t i = 0; i < w->nqe; i++)
			cuts[ncut++].key = key_bound(&st.g, w->qe[i], 0);
	else
		nrank = quantile_ranks(w->n1, k, rank);
	size_t nq = ncut;
	if (w->se) { /* the walk's rules (walk.c, packed_bins): running maxima */
		cuts[ncut++].key = isnan(w->se[0]) ? st.g.kmin : key_bound(&st.g, w->se[0], 0);
		cuts[ncut++].key = key_bound(&st.g, w->se[nsb], 1);
		double mx = isnan(w->se[0]) ? NAN : w->se[0];
		for (size_t i = 1; i < nsb; i++) {
			mx = (isnan(mx) || isnan(w->se[i])) ? NAN : (w->se[i] > mx ? w->se[i] : mx);
			cuts[ncut++].key = key_bound(&st.g, mx, 0);
		}
	}
	sort_cuts(cuts, cut, ncut);
	qsort(rank, nrank, sizeof *rank, cmp_u64);
	mark_buckets(&st, w->wasserstein, rank, nrank, cut, ncut);
	if (bk_side_gather(&st.s[0], &st.g, st.mark) || bk_side_gather(&st.s[1], &st.g, st.mark))
		goto out;
	if (!w->qe) {
		if (edges_from_ranks(&st, w, k, rank, nrank, cuts, ncut))
			goto out;
		nq = w->nqe_own;
		ncut += nq;
		sort_cuts(cuts, cut, ncut);
	}
	sweep(&st, w->wasserstein, cut, ncut);
	/* cuts past every bucket: everything is below them */
	uint64_t gend = st.g.kbase + ((uint64_t)st.g.ncell << st.g.cs);
	for (size_t i = 0; i < ncut; i++)
		if (cuts[i].key >= gend) {
			cuts[i].below[0] = w->n1;
			cuts[i].below[1] = w->n2;
		}
	count_bins(w, cuts, nq, w->se ? cuts + nq : NULL, nsb);
	w->maxS = st.maxS;
	w->minS = st.minS;
	w->hmax = st.hmax;
	w->w = w->wasserstein ? w1_of(st.acc, st.n1g * w->n2) : NAN;
	w->sd = w->std ? drift_key_moments_std(&km) : NAN;
	rc = 0;
out:
	if (rc) {
		free(w->qe_own);
		w->qe_own = NULL;
	}
	free(rank);
	free(cuts);
	free(cut);
	free(st.g.cell);
	for (int s = 0; s < 2; s++) {
		free(st.s[s].agg);
		free(st.s[s].gk);
		free(st.s[s].gc);
	}
	free(st.mark);
	free(st.unit);
	return rc;
}
