/* walk.c: KS, Wasserstein-1 and bin counts of two numeric maps in one
 * merge walk (drift_internal.h).
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
 * counted first, which fixes numpy's split points; each leaf block of at
 * most 128 terms is summed as it fills and the block sums are combined
 * along the same tree (8 bytes a block instead of 8 a term: 13 MB less at
 * the peak of a 1M-row drift). test_deckey.c checks the bits against the
 * separate functions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "drift_internal.h"

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

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

static inline void pairwise_add(struct pairwise *p, double x)
{
	p->buf[p->nbuf++] = x;
	if (p->nbuf == p->leaf[p->done]) {
		p->sum[p->done++] = assay_sum_pairwise(p->buf, p->nbuf); /* a leaf: <= 128 terms */
		p->nbuf = 0;
	}
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

/* Size of the merged support of two maps. */
static size_t union_size(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur)
{
	size_t i = 0, j = 0, u = 0;
	if (ref->key && cur->key) {
		const uint32_t *a = ref->key, *b = cur->key;
		while (i < ref->n && j < cur->n) {
			uint32_t x = a[i], y = b[j];
			i += x <= y;
			j += y <= x;
			u++;
		}
	} else {
		while (i < ref->n && j < cur->n) {
			double x = assay_numeric_map_value(ref, i), y = assay_numeric_map_value(cur, j);
			i += x <= y;
			j += y <= x;
			u++;
		}
	}
	return u + (ref->n - i) + (cur->n - j);
}

struct walker {
	struct drift_walk *w;
	uint64_t n1g, n2g;
	double dn1, dn2;
	uint64_t c1, c2;
	double diff; /* of the previous step */
	double prev;
	int started;
	size_t qk, sk;
	struct pairwise *t; /* Wasserstein terms, when asked for */
};

/* One value of the merged support: r of it in ref, c in cur (either may
 * be 0: adding it changes nothing, and saves a branch a side). */
static inline void step(struct walker *a, double v, uint64_t r, uint64_t c)
{
	struct drift_walk *w = a->w;
	if (a->t && a->started)
		pairwise_add(a->t, fabs(a->diff) * (v - a->prev));
	a->started = 1;
	a->c1 += r;
	a->c2 += c;
	if (w->qe) {
		while (a->qk < w->nqe && w->qe[a->qk] <= v)
			a->qk++;
		w->qref[a->qk] += r;
		w->qcur[a->qk] += c;
	}
	if (w->se && !(v < w->se[0] || v > w->se[w->nsb])) {
		while (a->sk < w->nsb + 1 && w->se[a->sk] <= v)
			a->sk++;
		size_t b = a->sk == 0 ? 0 : a->sk - 1;
		if (b >= w->nsb)
			b = w->nsb - 1;
		w->sref[b] += r;
		w->scur[b] += c;
	}
	double diff = (double)a->c1 / a->dn1 - (double)a->c2 / a->dn2;
	if (diff > w->maxS)
		w->maxS = diff;
	if (diff < w->minS)
		w->minS = diff;
	uint64_t x = a->c1 * a->n2g, y = a->c2 * a->n1g; /* may wrap: see ks.c */
	uint64_t h = x > y ? x - y : y - x;
	if (h > w->hmax)
		w->hmax = h;
	a->diff = diff;
	a->prev = v;
}

/* Count of packed entry i (the byte, or the big count behind a 255). */
static inline uint64_t pcount(const struct assay_numeric_map *m, size_t i)
{
	uint8_t c = m->kcount[i];
	return c != 255 ? c : assay_numeric_map_big_count(m, i);
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
	if (w->n1 == 0 || w->n2 == 0)
		return 0;
	uint64_t g = gcd64(w->n1, w->n2);
	struct walker a = {
	    .w = w, .n1g = w->n1 / g, .n2g = w->n2 / g, .dn1 = (double)w->n1, .dn2 = (double)w->n2};
	struct pairwise pw;
	size_t nterms = 0;
	if (w->wasserstein) {
		nterms = union_size(ref, cur) - 1; /* both sides have a value */
		if (pairwise_init(&pw, nterms))
			return -1;
		a.t = &pw;
	}
	size_t i = 0, j = 0;
	if (ref->key && cur->key) { /* both packed: compare keys, decode once a value */
		/* which side holds the smaller key is a coin toss on data that did
		 * not drift: chosen without branches */
		const uint32_t *rk = ref->key, *ck = cur->key;
		while (i < ref->n && j < cur->n) {
			uint32_t x = rk[i], y = ck[j];
			uint64_t tr = x <= y, tc = y <= x;
			uint64_t r = pcount(ref, i) & (0 - tr), c = pcount(cur, j) & (0 - tc);
			step(&a, assay_deckey_value(x < y ? x : y), r, c);
			i += tr;
			j += tc;
		}
		for (; i < ref->n; i++)
			step(&a, assay_deckey_value(rk[i]), pcount(ref, i), 0);
		for (; j < cur->n; j++)
			step(&a, assay_deckey_value(ck[j]), 0, pcount(cur, j));
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
			step(&a, v, r, c);
		}
	}
	if (a.t)
		w->w = pairwise_finish(&pw, nterms);
	return 0;
}
