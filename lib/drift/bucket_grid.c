/* bucket_grid.c: the grid of buckets over two columns of decimal keys and
 * the two passes over each side (bucket_internal.h): the buckets' sums,
 * then the keys of the marked buckets, gathered and sorted. The comparison
 * built on them is bucket.c.
 *
 * The grid follows the data's density (bucket_internal.h) from a sample
 * of every 32nd key, with at most ~32k buckets (GRID_MAX_BUCKETS); the sums
 * are one random add a key (~2 ns: an add to a random bucket, whatever its
 * layout, while a side's sums stay in L2); the gathering pass is vectorized
 * with AVX-512 where the CPU has it. Both passes take raw keys (a data
 * file's, in file order) or a packed map (a stored profile's, sorted, with
 * counts), and give the same integers for the same multiset of keys.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/radix.h"
#include "bucket_internal.h"

#define GRID_KEYS  64
#define GRID_CELLS 4096
#ifndef GRID_MAX_BUCKETS
#define GRID_MAX_BUCKETS 65536
#endif

static int map_is_keys(const struct assay_numeric_map *m)
{
	return m->raw || (m->key && !m->value && !m->count);
}

static void key_bounds(const struct assay_numeric_map *m, uint32_t *lo, uint32_t *hi)
{
	if (m->raw) {
		*lo = m->rawmin;
		*hi = m->rawmax;
	} else {
		*lo = m->key[0];
		*hi = m->key[m->n - 1];
	}
}

int drift_bucket_applies(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur,
                         uint64_t n1, uint64_t n2)
{
	return map_is_keys(ref) && map_is_keys(cur) && n1 >= DRIFT_BUCKET_MIN && n2 >= DRIFT_BUCKET_MIN &&
	       n1 < DRIFT_BUCKET_MAX && n2 < DRIFT_BUCKET_MAX;
}

int drift_keys_of_doubles(const struct assay_numeric_map *m, struct assay_numeric_map *out)
{
	uint32_t k;
	for (size_t i = 0; i < m->n; i++)
		if (assay_deckey_from_double(m->value[i], &k))
			return 0;
	memset(out, 0, sizeof *out);
	size_t nbig = 0;
	for (size_t i = 0; i < m->n; i++)
		nbig += m->count[i] >= 255;
	out->key = malloc((m->n ? m->n : 1) * sizeof *out->key);
	out->kcount = malloc(m->n ? m->n : 1);
	out->big = malloc((nbig ? nbig : 1) * sizeof *out->big);
	if (!out->key || !out->kcount || !out->big) {
		free(out->key);
		free(out->kcount);
		free(out->big);
		memset(out, 0, sizeof *out);
		return -1;
	}
	for (size_t i = 0; i < m->n; i++) {
		(void)assay_deckey_from_double(m->value[i], &out->key[i]);
		out->kcount[i] = (uint8_t)(m->count[i] < 255 ? m->count[i] : 255);
		if (m->count[i] >= 255)
			out->big[out->nbig++] = (struct assay_numeric_big){i, m->count[i]};
	}
	out->n = m->n;
	return 1;
}

void drift_bucket_range(const struct assay_numeric_map *ref, const struct assay_numeric_map *cur, double *lo,
                        double *hi)
{
	uint32_t a1, z1, a2, z2;
	key_bounds(ref, &a1, &z1);
	key_bounds(cur, &a2, &z2);
	*lo = assay_deckey_value(a1 < a2 ? a1 : a2);
	*hi = assay_deckey_value(z1 > z2 ? z1 : z2);
}

/* Adds a sample of the map's keys to est (cells of the grid). */
static void grid_sample(const struct grid *g, const struct assay_numeric_map *m, uint64_t *est)
{
	if (m->raw) {
		for (size_t i = 0; i < m->nraw; i += 32)
			est[(m->raw[i] - g->kbase) >> g->cs] += 32;
		return;
	}
	for (size_t i = 0; i < m->n; i += 32)
		est[(m->key[i] - g->kbase) >> g->cs] += 32 * (uint64_t)m->kcount[i];
}

int bk_grid_make(struct grid *g, const struct assay_numeric_map *ref, const struct assay_numeric_map *cur)
{
	uint32_t a1, z1, a2, z2;
	key_bounds(ref, &a1, &z1);
	key_bounds(cur, &a2, &z2);
	g->kmin = a1 < a2 ? a1 : a2;
	g->kmax = z1 > z2 ? z1 : z2;
	g->cs = 10;
	while ((((uint64_t)g->kmax - ((uint64_t)g->kmin >> g->cs << g->cs)) >> g->cs) + 1 > GRID_CELLS)
		g->cs++;
	g->kbase = (uint64_t)g->kmin >> g->cs << g->cs;
	g->ncell = (size_t)(((uint64_t)g->kmax - g->kbase) >> g->cs) + 1;
	uint64_t *est = calloc(g->ncell, sizeof *est);
	g->cell = malloc(g->ncell * sizeof *g->cell);
	if (!est || !g->cell) {
		free(est);
		return -1;
	}
	grid_sample(g, ref, est);
	grid_sample(g, cur, est);
	uint64_t total = 0;
	for (size_t c = 0; c < g->ncell; c++)
		total += est[c];
	uint64_t per = total / GRID_MAX_BUCKETS > GRID_KEYS ? total / GRID_MAX_BUCKETS : GRID_KEYS;
	size_t b = 0;
	for (size_t c = 0; c < g->ncell; c++) {
		/* at most 2^16 keys a bucket: offsets of < 2^24 keys sum below 2^40 */
		unsigned fs = g->cs;
		while (fs > 0 && (((uint64_t)1 << (g->cs - fs)) * per < est[c] || fs > 16))
			fs--;
		g->cell[c] = (uint32_t)(b << 5) | fs;
		b += (size_t)1 << (g->cs - fs);
	}
	g->nb = b;
	free(est);
	return 0;
}

/* Exponent index q + 22 when every key of the bucket [a, a + L) lies in
 * one segment and every step out of them is 10^q wide (keyseg.h), else -1. */
int bk_bucket_unit(uint64_t a, uint64_t L)
{
	uint64_t z = a + L - 1;
	uint32_t ma, mz;
	if (a >= KS_POS0 && z < KS_POSEND) {
		unsigned s = keyseg_of((uint32_t)a, &ma);
		return keyseg_of((uint32_t)z, &mz) == s ? (int)keyseg_exp(s) : -1;
	}
	if (a >= KS_NEGBEGIN && z < KS_NEGTOP) {
		unsigned s = keyseg_of((uint32_t)a, &ma);
		return keyseg_of((uint32_t)z, &mz) == s && mz != 0 ? (int)keyseg_exp(s) : -1;
	}
	return -1;
}

/* ---- one side: the buckets' sums and the gathered keys -------------------- */

static inline uint64_t packed_count(const struct assay_numeric_map *m, size_t i, size_t *bi)
{
	uint64_t c = m->kcount[i];
	if (__builtin_expect(c == 255, 0))
		c = *bi < m->nbig && m->big[*bi].i == i ? m->big[(*bi)++].count
		                                        : assay_numeric_map_big_count(m, i);
	return c;
}

/* The bucket of a key (within the grid) and the key's offset in it. */
#define GRID_LOOKUP(g_, k_, b_, o_)                                                                          \
	do {                                                                                                 \
		uint64_t d_ = (uint64_t)(k_)-base;                                                           \
		uint32_t e_ = cell[d_ >> cs];                                                                \
		(b_) = (e_ >> 5) + (size_t)((d_ & cmask) >> (e_ & 31));                                      \
		(o_) = d_ & (((uint64_t)1 << (e_ & 31)) - 1);                                                \
	} while (0)

/* With AVX-512, the pass that gathers the marked buckets' raw keys works
 * on sixteen at once: the grid lookup (the cells by one gather, the
 * per-lane shifts native), the marks by a gather, the keys compressed
 * (2.8 -> 2.0 ms for both sides of a 1M-row column, gathered keys sorted
 * included). The sums' pass stays scalar: the same lookup in vectors, then
 * the sums one key at a time, was slower (2.1 -> 2.4 ms), every add being
 * a load and a store at a random bucket either way. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))

static int avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("popcnt");
}

/* Bucket indexes and offsets of keys k[0, 16). */
AVX512_TARGET static inline __m512i lookup16(const struct grid *g, const uint32_t *k, __m512i *o)
{
	const __m512i base = _mm512_set1_epi32((int)(uint32_t)g->kbase);
	const __m512i cmask = _mm512_set1_epi32((int)(((uint64_t)1 << g->cs) - 1));
	const __m128i cs = _mm_cvtsi32_si128((int)g->cs);
	__m512i d = _mm512_sub_epi32(_mm512_loadu_si512((const void *)k), base);
	__m512i e = _mm512_i32gather_epi32(_mm512_srl_epi32(d, cs), (const void *)g->cell, 4);
	__m512i fs = _mm512_and_si512(e, _mm512_set1_epi32(31));
	__m512i local = _mm512_and_si512(d, cmask);
	*o = _mm512_and_si512(
	    local, _mm512_sub_epi32(_mm512_sllv_epi32(_mm512_set1_epi32(1), fs), _mm512_set1_epi32(1)));
	return _mm512_add_epi32(_mm512_srli_epi32(e, 5), _mm512_srlv_epi32(local, fs));
}

/* Keys of k[0, n) whose bucket's mark is 1, appended to out (room for 16
 * more than it keeps); mark has 3 bytes of room past its end. */
AVX512_TARGET static size_t gather_raw_avx512(const struct grid *g, const uint8_t *mark, const uint32_t *k,
                                              size_t n, uint32_t *out, size_t *done)
{
	size_t w = 0, i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512i o, b = lookup16(g, k + i, &o);
		__m512i mk =
		    _mm512_and_si512(_mm512_i32gather_epi32(b, (const void *)mark, 1), _mm512_set1_epi32(3));
		__mmask16 take = _mm512_cmpeq_epi32_mask(mk, _mm512_set1_epi32(1));
		_mm512_storeu_si512((void *)(out + w), _mm512_maskz_compress_epi32(
		                                           take, _mm512_loadu_si512((const void *)(k + i))));
		w += (size_t)__builtin_popcount(take);
	}
	*done = i;
	return w;
}
#else
static int avx512_usable(void)
{
	return 0;
}
static size_t gather_raw_avx512(const struct grid *g, const uint8_t *mark, const uint32_t *k, size_t n,
                                uint32_t *out, size_t *done)
{
	*done = 0;
	return 0;
}
#endif

void bk_side_sum(struct side *s, const struct grid *g)
{
	const uint64_t base = g->kbase, cmask = ((uint64_t)1 << g->cs) - 1;
	const unsigned cs = g->cs;
	const uint32_t *cell = g->cell;
	uint64_t *agg = s->agg;
	size_t b;
	uint64_t o;
	if (s->m->raw) {
		const uint32_t *k = s->m->raw;
		size_t n = s->m->nraw;
		for (size_t i = 0; i < n; i++) {
			GRID_LOOKUP(g, k[i], b, o);
			agg[2 * b] += (UINT64_C(1) << CNT_SHIFT) + o;
			agg[2 * b + 1] += o * o;
		}
		return;
	}
	size_t bi = 0;
	for (size_t i = 0; i < s->m->n; i++) {
		uint64_t c = packed_count(s->m, i, &bi);
		GRID_LOOKUP(g, s->m->key[i], b, o);
		agg[2 * b] += (c << CNT_SHIFT) + c * o;
		agg[2 * b + 1] += c * o * o;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* First entry of a packed map in [lo, n) with key >= k. */
static size_t packed_lower(const struct assay_numeric_map *m, size_t lo, uint64_t k)
{
	size_t hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->key[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* 1 when the side has at most one distinct key in bucket b (its count
 * times its sum of squared offsets is its sum of offsets squared: no
 * spread), *k then that key (bucket start kb). */
int bk_one_key(const struct side *s, size_t b, uint64_t kb, uint64_t *k)
{
	uint64_t c = bcount(s, b), s1 = s->agg[2 * b] & OFF_MASK;
	if (c == 0)
		return 1;
	*k = kb + s1 / c;
	return (ks_u128)c * s->agg[2 * b + 1] == (ks_u128)s1 * s1;
}

/* The keys of the marked buckets, sorted, with their counts: gathered
 * (mark 1) or, in buckets where the side has one key (mark 2), known
 * without looking (a column of integers: thousands of one key a bucket). */
int bk_side_gather(struct side *s, const struct grid *g, const uint8_t *mark)
{
	size_t cap = 0, none = 0;
	for (size_t b = 0; b < g->nb; b++) {
		cap += (mark[b] & 3) == MARK_GATHER ? (size_t)bcount(s, b) : 0;
		none += (mark[b] & 3) == MARK_ONE && bcount(s, b);
	}
	cap += none;
	s->gk = malloc((cap + 16) * sizeof *s->gk); /* the raw loops store before they count */
	s->gc = malloc((cap ? cap : 1) * sizeof *s->gc);
	if (!s->gk || !s->gc)
		return -1;
	s->ng = s->at = 0;
	if (!cap)
		return 0;
	if (s->m->raw) {
		const uint64_t base = g->kbase, cmask = ((uint64_t)1 << g->cs) - 1;
		const unsigned cs = g->cs;
		const uint32_t *cell = g->cell, *k = s->m->raw;
		size_t n = 0, bk, i0 = 0;
		uint64_t o;
		if (avx512_usable())
			n = gather_raw_avx512(g, mark, k, s->m->nraw, s->gk, &i0);
		for (size_t i = i0; i < s->m->nraw; i++) {
			GRID_LOOKUP(g, k[i], bk, o);
			s->gk[n] = k[i];
			n += (mark[bk] & 3) == MARK_GATHER;
		}
		(void)o;
		if (n < 4096)
			qsort(s->gk, n, sizeof *s->gk, cmp_u32);
		else
			(void)assay_radix_sort_u32(s->gk, n); /* without memory it sorts by qsort */
		size_t d = 0;
		for (size_t i = 0; i < n; i++) {
			if (d && s->gk[d - 1] == s->gk[i]) {
				s->gc[d - 1]++;
				continue;
			}
			s->gk[d] = s->gk[i];
			s->gc[d++] = 1;
		}
		/* the one-key buckets' entries merged in, from the back */
		size_t t = d + none, i = d;
		s->ng = t;
		if (!none)
			return 0;
		uint64_t *onek = malloc(none * sizeof *onek), *onec = malloc(none * sizeof *onec);
		if (!onek || !onec) {
			free(onek);
			free(onec);
			return -1;
		}
		size_t j = 0;
		FOR_BUCKETS(g, b, kb, L)
		{
			(void)L;
			uint64_t key;
			if ((mark[b] & 3) == MARK_ONE && bcount(s, b) && bk_one_key(s, b, kb, &key)) {
				onek[j] = key;
				onec[j++] = bcount(s, b);
			}
		}
		while (j) {
			if (i && s->gk[i - 1] > onek[j - 1]) {
				t--;
				s->gk[t] = s->gk[i - 1];
				s->gc[t] = s->gc[--i];
			} else {
				t--;
				s->gk[t] = (uint32_t)onek[--j];
				s->gc[t] = onec[j];
			}
		}
		free(onek);
		free(onec);
		return 0;
	}
	size_t at = 0, bi = 0, d = 0;
	FOR_BUCKETS(g, b, kb, L)
	{
		if (!mark[b] || !bcount(s, b)) /* marks 1 and 2 alike */
			continue;
		size_t i = packed_lower(s->m, at, kb), j = packed_lower(s->m, i, kb + L);
		while (bi < s->m->nbig && s->m->big[bi].i < i)
			bi++;
		for (; i < j; i++) {
			s->gk[d] = s->m->key[i];
			s->gc[d++] = packed_count(s->m, i, &bi);
		}
		at = j;
	}
	s->ng = d;
	return 0;
}

/* Keys of the side in [lo, t) when their bucket was not gathered: a binary
 * search (packed) or a scan (raw; rare: a quantile edge between two ranks
 * that fell in a bucket of neither). */
uint64_t bk_side_below_ungathered(const struct side *s, uint64_t lo, uint64_t t)
{
	uint64_t c = 0;
	if (s->m->raw) {
		for (size_t i = 0; i < s->m->nraw; i++)
			c += s->m->raw[i] >= lo && s->m->raw[i] < t;
		return c;
	}
	size_t i = packed_lower(s->m, 0, lo), j = packed_lower(s->m, i, t);
	for (; i < j; i++)
		c += assay_numeric_map_count(s->m, i);
	return c;
}