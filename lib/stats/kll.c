/* kll.c: the KLL quantile sketch (Karnin, Lang, Liberty, FOCS 2016), in
 * the form used by Apache DataSketches: a stack of compactors, level h
 * holding items of weight 2^h, level h's capacity ceil(k (2/3)^(H-1-h))
 * (at least 8) for H levels, so the top level holds k items and the total
 * is under 3k + 8 log2(n/k).
 *
 * Compaction of level h: sort it, keep one item back when the count is
 * odd, and promote every other item (the odd or the even ones, by a fair
 * coin) to level h+1 with double weight. Sum(len(h) 2^h) == n always.
 *
 * The coin is counter-based (splitmix64 of a fixed seed plus a counter
 * kept in the sketch and serialised), so the same input in the same order
 * gives the same sketch, and a sketch read back continues identically.
 * Merging concatenates levels and compacts (KLL section 4: mergeable).
 *
 * Error bound. A compaction at level h moves the rank of any query point
 * by 0 or +-2^h with mean 0, independently (the coin). Level h compacts at
 * most n / (cap(h) 2^h) times, so the rank error is a sum of independent
 * bounded terms with sum of squared ranges sum_h 4^h n / (cap(h) 2^h)
 * <= (n 2^(H-1) / k) sum_i (3/4)^i = 4 n 2^(H-1) / k, and 2^(H-1) <= 2n/k
 * (the top level was filled once), giving at most 8 n^2 / k^2. Hoeffding:
 * P(|rank error| > eps n) <= 2 exp(-eps^2 k^2 / 16), i.e. eps = 4
 * sqrt(ln(2/delta)) / k: 4.6% of n at k = 200 and delta = 1%. That bound
 * is loose; measured, the normalised rank error at k = 200 is about 1.33%
 * for a single quantile and 1.65% for all quantiles at once with 99%
 * confidence (DataSketches' published KLL accuracy, which
 * tests/unit/test_profile.c checks on 1e6 values).
 *
 * A sketch can also be built from sorted values (assay_kll_from_sorted,
 * for a profile's pieces past the cap): each level, from the values up,
 * compacted whole once (sorted already: every other item of a sorted
 * level is sorted), until the top holds at most k. One compaction a
 * level: its terms are the same as above, fewer of them (the pieces add
 * at most 8 n R / (3 k^2) to the sum of squared ranges for pieces of R
 * values; docs/profiles.md).
 *
 * Does not: store NaN or infinities, or give exact answers for small n
 * (the profile keeps an exact value map below its cap instead).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/kll.h"

#define MIN_WIDTH 8

struct level {
	double *v;
	size_t len, alloc;
};

struct assay_kll {
	uint32_t k;
	uint32_t nlevels;
	uint64_t n;
	double min, max;
	uint64_t coin;
	size_t total; /* items retained */
	/* total_capacity() and each level's capacity for cap_levels levels
	 * and cap_k (0: not computed): they depend only on k and nlevels */
	uint32_t cap_levels, cap_k;
	size_t cap_total;
	size_t cap[ASSAY_KLL_MAX_LEVELS];
	struct level lv[ASSAY_KLL_MAX_LEVELS];
};

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

struct assay_kll *assay_kll_new(uint32_t k)
{
	if (k < ASSAY_KLL_MIN_K || k > ASSAY_KLL_MAX_K)
		return NULL;
	struct assay_kll *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->k = k;
	s->nlevels = 1;
	s->min = s->max = NAN;
	return s;
}

void assay_kll_free(struct assay_kll *s)
{
	if (!s)
		return;
	for (size_t h = 0; h < ASSAY_KLL_MAX_LEVELS; h++)
		free(s->lv[h].v);
	free(s);
}

static int push(struct level *l, double x)
{
	if (l->len == l->alloc) {
		size_t na = l->alloc ? l->alloc * 2 : 16;
		double *v = realloc(l->v, na * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->alloc = na;
	}
	l->v[l->len++] = x;
	return 0;
}

struct assay_kll *assay_kll_clone(const struct assay_kll *s)
{
	struct assay_kll *c = assay_kll_new(s->k);
	if (!c)
		return NULL;
	c->nlevels = s->nlevels;
	c->n = s->n;
	c->min = s->min;
	c->max = s->max;
	c->coin = s->coin;
	c->total = s->total;
	for (size_t h = 0; h < s->nlevels; h++) {
		if (!s->lv[h].len)
			continue;
		c->lv[h].v = malloc(s->lv[h].len * sizeof(double));
		if (!c->lv[h].v) {
			assay_kll_free(c);
			return NULL;
		}
		memcpy(c->lv[h].v, s->lv[h].v, s->lv[h].len * sizeof(double));
		c->lv[h].len = c->lv[h].alloc = s->lv[h].len;
	}
	return c;
}

static size_t capacity(const struct assay_kll *s, size_t h)
{
	double c = ceil((double)s->k * pow(2.0 / 3.0, (double)(s->nlevels - 1 - h)));
	return c < MIN_WIDTH ? MIN_WIDTH : (size_t)c;
}

/* Kept from one call to the next while nlevels and k stay: assay_kll_add
 * asks for the total on every item, and compress for a level's capacity
 * at every step; their calls of pow were 24% of the CPU of `assay profile
 * --cap 50` on the 1M-row bench half (bench/README.md, assay drift,
 * session 7, issue 4), then 2.3% of a 10M-row profile past the cap. The
 * key includes k, which a merge can lower. */
static void capacities(struct assay_kll *s)
{
	if (s->cap_levels == s->nlevels && s->cap_k == s->k)
		return;
	size_t t = 0;
	for (size_t h = 0; h < s->nlevels; h++)
		t += s->cap[h] = capacity(s, h);
	s->cap_levels = s->nlevels;
	s->cap_k = s->k;
	s->cap_total = t;
}

static size_t total_capacity(struct assay_kll *s)
{
	capacities(s);
	return s->cap_total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* A stable sort of a level by value: insertion sort of runs of 16, then
 * merges through tmp. Its output is the one of glibc's qsort with
 * cmp_double (a stable merge sort whenever it can get its scratch
 * memory): a stable sort's output is unique, and the only values that
 * compare equal with different bytes, -0.0 and 0.0, both keep in the
 * order given. Hand-written for the inline comparison: qsort and
 * its calls of cmp_double were 15% of the CPU of a profile past the cap
 * (bench/README.md, assay drift, session 7, issue 4). */
static void sort_level(double *v, size_t n, double *tmp)
{
	enum { RUN = 16 };
	for (size_t lo = 0; lo < n; lo += RUN) {
		size_t hi = lo + RUN < n ? lo + RUN : n;
		for (size_t i = lo + 1; i < hi; i++) {
			double x = v[i];
			size_t j = i;
			while (j > lo && v[j - 1] > x) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	}
	double *src = v, *dst = tmp;
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				dst[o++] = src[j] < src[i] ? src[j++] : src[i++];
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		double *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
}

static int compact(struct assay_kll *s, size_t h)
{
	if (h + 1 >= ASSAY_KLL_MAX_LEVELS)
		return 0; /* cannot happen below 2^63 items */
	if (h + 1 == s->nlevels)
		s->nlevels++;
	struct level *l = &s->lv[h];
	double *tmp = l->len > 16 ? malloc(l->len * sizeof *tmp) : NULL;
	if (tmp || l->len <= 16)
		sort_level(l->v, l->len, tmp);
	else
		qsort(l->v, l->len, sizeof *l->v, cmp_double);
	free(tmp);
	size_t start = l->len & 1; /* an odd item stays behind */
	size_t offset = splitmix64(s->coin++) & 1;
	for (size_t i = start + offset; i < l->len; i += 2)
		if (push(&s->lv[h + 1], l->v[i]))
			return -1;
	s->total -= (l->len - start) / 2;
	l->len = start;
	return 0;
}

static int compress(struct assay_kll *s)
{
	while (s->total > total_capacity(s)) {
		size_t h = 0;
		while (h < s->nlevels && s->lv[h].len < s->cap[h]) /* capacities(): in the loop's test */
			h++;
		if (h == s->nlevels)
			return 0; /* unreachable: over total capacity means some level is over its own */
		if (compact(s, h))
			return -1;
	}
	return 0;
}

static void see(struct assay_kll *s, double x)
{
	if (!(s->min <= x))
		s->min = x;
	if (!(s->max >= x))
		s->max = x;
}

int assay_kll_add(struct assay_kll *s, double x)
{
	if (!isfinite(x))
		return 0;
	if (push(&s->lv[0], x))
		return -1;
	s->n++;
	s->total++;
	see(s, x);
	return s->total > total_capacity(s) ? compress(s) : 0;
}

int assay_kll_add_weighted(struct assay_kll *s, double x, uint64_t w)
{
	if (!isfinite(x) || w == 0)
		return 0;
	for (size_t h = 0; h < ASSAY_KLL_MAX_LEVELS - 1 && (w >> h); h++) {
		if (!((w >> h) & 1))
			continue;
		while (s->nlevels <= h)
			s->nlevels++;
		if (push(&s->lv[h], x))
			return -1;
		s->total++;
	}
	s->n += w;
	see(s, x);
	return compress(s);
}

/* Compactions of whole sorted levels: level 0 is v (sorted), and while a
 * level holds more than k items it is compacted as compact() does (its
 * first item kept back when the count is odd, every other one of the rest
 * promoted by the coin), without a sort: every other item of a sorted
 * level is sorted. One compaction a level: the rank error is that of
 * nlevels - 1 compactions, each moving a rank by 0 or +-2^h. */
struct assay_kll *assay_kll_from_sorted(uint32_t k, const double *v, size_t n, uint64_t coin)
{
	struct assay_kll *s = assay_kll_new(k);
	if (!s || n == 0)
		return s;
	s->coin = coin;
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	/* the levels above 0 are halved in one scratch array, in place (item
	 * i goes to i / 2 or less); each level keeps only its odd item */
	double *tmp = n > k ? malloc((n / 2 + 1) * sizeof *tmp) : NULL;
	const double *from = v;
	size_t len = n, h = 0;
	if (n > k && !tmp)
		goto fail;
	while (len > k && h + 1 < ASSAY_KLL_MAX_LEVELS) {
		size_t start = len & 1, offset = splitmix64(s->coin++) & 1, m = 0;
		if (start && push(&s->lv[h], from[0]))
			goto fail;
		for (size_t i = start + offset; i < len; i += 2)
			tmp[m++] = from[i];
		from = tmp;
		len = m;
		h++;
	}
	if (!(s->lv[h].v = malloc(len * sizeof *v)))
		goto fail;
	memcpy(s->lv[h].v, from, len * sizeof *v);
	s->lv[h].len = s->lv[h].alloc = len;
	s->nlevels = (uint32_t)h + 1;
	for (size_t i = 0; i <= h; i++)
		s->total += s->lv[i].len;
	free(tmp);
	if (compress(s) == 0)
		return s;
	tmp = NULL;
fail:
	free(tmp);
	assay_kll_free(s);
	return NULL;
}

int assay_kll_merge(struct assay_kll *dst, const struct assay_kll *src)
{
	if (src->n == 0)
		return 0;
	if (src->k < dst->k)
		dst->k = src->k;
	if (dst->nlevels < src->nlevels)
		dst->nlevels = src->nlevels;
	for (size_t h = 0; h < src->nlevels; h++)
		for (size_t i = 0; i < src->lv[h].len; i++) {
			if (push(&dst->lv[h], src->lv[h].v[i]))
				return -1;
			dst->total++;
		}
	dst->n += src->n;
	see(dst, src->min);
	see(dst, src->max);
	return compress(dst);
}

uint32_t assay_kll_k(const struct assay_kll *s)
{
	return s->k;
}

uint64_t assay_kll_n(const struct assay_kll *s)
{
	return s->n;
}

double assay_kll_min(const struct assay_kll *s)
{
	return s->min;
}

double assay_kll_max(const struct assay_kll *s)
{
	return s->max;
}

struct witem {
	double v;
	uint64_t w;
};

static int cmp_witem(const void *a, const void *b)
{
	const struct witem *x = a, *y = b;
	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->w > y->w) - (x->w < y->w);
}

/* All retained items with their weights, sorted by value. */
static struct witem *sorted_items(const struct assay_kll *s)
{
	struct witem *it = malloc((s->total ? s->total : 1) * sizeof *it);
	if (!it)
		return NULL;
	size_t m = 0;
	for (size_t h = 0; h < s->nlevels; h++)
		for (size_t i = 0; i < s->lv[h].len; i++)
			it[m++] = (struct witem){s->lv[h].v[i], (uint64_t)1 << h};
	qsort(it, m, sizeof *it, cmp_witem);
	return it;
}

double assay_kll_quantile(const struct assay_kll *s, double q)
{
	if (s->n == 0 || q != q)
		return NAN;
	if (q <= 0)
		return s->min;
	if (q >= 1)
		return s->max;
	struct witem *it = sorted_items(s);
	if (!it)
		return NAN;
	double target = q * (double)s->n, cum = 0, r = s->max;
	for (size_t i = 0; i < s->total; i++) {
		cum += (double)it[i].w;
		if (cum >= target) {
			r = it[i].v;
			break;
		}
	}
	free(it);
	return r;
}

double assay_kll_rank(const struct assay_kll *s, double x)
{
	if (s->n == 0)
		return NAN;
	double cum = 0;
	for (size_t h = 0; h < s->nlevels; h++)
		for (size_t i = 0; i < s->lv[h].len; i++)
			if (s->lv[h].v[i] <= x)
				cum += (double)((uint64_t)1 << h);
	return cum / (double)s->n;
}

uint64_t assay_kll_coin(const struct assay_kll *s)
{
	return s->coin;
}

size_t assay_kll_nlevels(const struct assay_kll *s)
{
	return s->nlevels;
}

const double *assay_kll_level(const struct assay_kll *s, size_t h, size_t *len)
{
	*len = h < s->nlevels ? s->lv[h].len : 0;
	return h < s->nlevels ? s->lv[h].v : NULL;
}

struct assay_kll *assay_kll_restore(uint32_t k, uint64_t n, double min, double max, uint64_t coin,
                                    size_t nlevels, const double *const *items, const size_t *len)
{
	if (nlevels == 0 || nlevels > ASSAY_KLL_MAX_LEVELS - 1)
		return NULL;
	if (n > 0 && !(isfinite(min) && isfinite(max) && min <= max))
		return NULL;
	uint64_t weight = 0;
	for (size_t h = 0; h < nlevels; h++) {
		if (len[h] > ((uint64_t)1 << 40))
			return NULL;
		uint64_t w;
		if (len[h] && (h >= 63 || __builtin_mul_overflow((uint64_t)len[h], (uint64_t)1 << h, &w) ||
		               __builtin_add_overflow(weight, w, &weight)))
			return NULL;
		for (size_t i = 0; i < len[h]; i++)
			if (!isfinite(items[h][i]) || items[h][i] < min || items[h][i] > max)
				return NULL;
	}
	if (weight != n)
		return NULL;
	struct assay_kll *s = assay_kll_new(k);
	if (!s)
		return NULL;
	s->nlevels = (uint32_t)nlevels;
	s->n = n;
	s->min = n ? min : NAN;
	s->max = n ? max : NAN;
	s->coin = coin;
	for (size_t h = 0; h < nlevels; h++)
		for (size_t i = 0; i < len[h]; i++) {
			if (push(&s->lv[h], items[h][i])) {
				assay_kll_free(s);
				return NULL;
			}
			s->total++;
		}
	if (compress(s)) {
		assay_kll_free(s);
		return NULL;
	}
	return s;
}

double assay_kll_rank_error(uint32_t k)
{
	return k ? 2.446 / pow((double)k, 0.9433) : 1.0;
}
