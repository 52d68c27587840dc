/* bucket_grid.c: the grid of buckets over two columns of decimal keys and
 * the two passes over each side (bucket_internal.h): the buckets' sums,
 * then the keys of the marked buckets, gathered and sorted. The comparison
 * built on them is bucket.c.
 *
 * The grid follows the data's density (bucket_internal.h) from a 1/32
 * sample, with a bucket's keys set past 2M keys so that there are
 * GRID_MAX_BUCKETS to twice that many buckets (~45k on the 10M-row bench:
 * both sides' sums, 1.1 MB, stay in L2; with 2^16, ~88k buckets and 2.1 MB
 * of sums the sums' pass was ~1.3x slower for fewer keys gathered); the
 * sums are one random add a key (two for the reference's std); the
 * gathering pass is vectorized with AVX-512 where the CPU has it. Both
 * passes take raw keys (a data file's, in file order, in runs) or a packed
 * map (a stored profile's, sorted, with counts), and give the same
 * integers for the same multiset of keys.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/radix.h"
#include "bucket_internal.h"

#define GRID_KEYS  64
#define GRID_CELLS 4096
#ifndef GRID_MAX_BUCKETS
#define GRID_MAX_BUCKETS 32768
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

/* Adds a sample of the map's keys to est (cells of the grid). Raw keys:
 * runs of 64 consecutive keys, one in every 2048 (every 32nd key, 128
 * bytes apart, read every cache line of the array: a pass at memory
 * speed for 1/32 of the keys, ~0.9% of a 10M-row drift); a map: every
 * 32nd entry. */
static void grid_sample(const struct grid *g, const struct assay_numeric_map *m, uint64_t *est)
{
	for (size_t r = 0; m->raw && r < m->nrawrun; r++) {
		const uint32_t *k = m->raw[r].k;
		size_t n = m->raw[r].n;
		for (size_t i = 0; i < n; i += 2048)
			for (size_t j = i, e = i + 64 < n ? i + 64 : n; j < e; j++)
				est[(k[j] - g->kbase) >> g->cs] += 32;
	}
	if (m->raw)
		return;
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
		g->cell[c] = (uint32_t)(b << 8) | fs;
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

#define SEL_NONE 0xffffu /* gather_raw: not a marked bucket with keys */

/* The bucket of a key (within the grid) and the key's offset in it. A
 * cell's entry keeps its buckets' shift in its low byte (bits 0-4), so
 * that with BMI2 the entry itself is the count of both variable shifts
 * (shrx uses its low 5 bits in 32 bits) and of bzhi (its low 8). */
#define GRID_LOOKUP(g_, k_, b_, o_)                                                                          \
	do {                                                                                                 \
		uint32_t d_ = (uint32_t)(k_)-base;                                                           \
		uint32_t e_ = cell[d_ >> cs];                                                                \
		(b_) = (e_ >> 8) + (size_t)((d_ & cmask) >> (e_ & 31));                                      \
		(o_) = d_ & ((UINT32_C(1) << (e_ & 31)) - 1);                                                \
	} while (0)

/* The sums of raw keys: one add at a random bucket a key (two with
 * squares, in the same cache line), the lookup's variable shifts being
 * one instruction each with BMI2 (two or three uops each without: shifts
 * by %cl). 10M-row drift, 5M keys a side, ~45k buckets: ~1.5 ns a key
 * without squares, ~2.1 with (16-byte sums over ~88k buckets without BMI2
 * were ~3.2). */
#define SUM_RAW_BODY(sq)                                                                                     \
	const uint32_t base = (uint32_t)g->kbase, cmask = (uint32_t)(((uint64_t)1 << g->cs) - 1);            \
	const unsigned cs = g->cs;                                                                           \
	for (size_t i = 0; i < n; i++) {                                                                     \
		size_t b;                                                                                    \
		uint32_t o;                                                                                  \
		GRID_LOOKUP(g, k[i], b, o);                                                                  \
		if (sq) {                                                                                    \
			agg[2 * b] += (UINT64_C(1) << CNT_SHIFT) + o;                                        \
			agg[2 * b + 1] += (uint64_t)o * o;                                                   \
		} else {                                                                                     \
			agg[b] += (UINT64_C(1) << CNT_SHIFT) + o;                                            \
		}                                                                                            \
	}

static void sum_raw(const struct grid *g, const uint32_t *cell, const uint32_t *k, size_t n, uint64_t *agg)
{
	SUM_RAW_BODY(0)
}

static void sum_raw_sq(const struct grid *g, const uint32_t *cell, const uint32_t *k, size_t n, uint64_t *agg)
{
	SUM_RAW_BODY(1)
}

/* With AVX-512, the pass that gathers the marked buckets' raw keys works
 * on sixteen at once: the grid lookup (the cells by one gather, the
 * per-lane shifts native), the buckets' selectors by a gather, the keys
 * compressed (2.8 -> 2.0 ms for both sides of a 1M-row column, gathered
 * keys sorted included). The sums' pass stays scalar: the same lookup in
 * vectors, then the sums one key at a time, was slower (2.1 -> 2.4 ms),
 * every add being a load and a store at a random bucket either way. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))

static int avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("popcnt");
}

__attribute__((target("bmi2"))) static void sum_raw_bmi2(const struct grid *g, const uint32_t *cell,
                                                         const uint32_t *k, size_t n, uint64_t *agg)
{
	SUM_RAW_BODY(0)
}

__attribute__((target("bmi2"))) static void sum_raw_sq_bmi2(const struct grid *g, const uint32_t *cell,
                                                            const uint32_t *k, size_t n, uint64_t *agg)
{
	SUM_RAW_BODY(1)
}

static int bmi2_usable(void)
{
	return __builtin_cpu_supports("bmi2");
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
	return _mm512_add_epi32(_mm512_srli_epi32(e, 8), _mm512_srlv_epi32(local, fs));
}

/* Keys of k[0, n) that gather_raw takes (sel below), appended to out (room
 * for 16 more than it keeps). sel has one entry of room past its nb (two
 * bytes read at a time). */
AVX512_TARGET static size_t gather_raw_avx512(const struct grid *g, const uint16_t *sel, const uint32_t *k,
                                              size_t n, uint32_t *out, size_t *done)
{
	const __m512i low16 = _mm512_set1_epi32(0xffff), none = _mm512_set1_epi32(SEL_NONE);
	size_t w = 0, i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512i o, b = lookup16(g, k + i, &o);
		__m512i c = _mm512_and_si512(_mm512_i32gather_epi32(b, (const void *)sel, 2), low16);
		__mmask16 take = _mm512_mask_cmpneq_epi32_mask(_mm512_cmpneq_epi32_mask(c, none), c, o);
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
static int bmi2_usable(void)
{
	return 0;
}
static void sum_raw_bmi2(const struct grid *g, const uint32_t *cell, const uint32_t *k, size_t n,
                         uint64_t *agg)
{
	sum_raw(g, cell, k, n, agg);
}
static void sum_raw_sq_bmi2(const struct grid *g, const uint32_t *cell, const uint32_t *k, size_t n,
                            uint64_t *agg)
{
	sum_raw_sq(g, cell, k, n, agg);
}
static size_t gather_raw_avx512(const struct grid *g, const uint16_t *sel, const uint32_t *k, size_t n,
                                uint32_t *out, size_t *done)
{
	*done = 0;
	return 0;
}
#endif

void bk_side_sum(struct side *s, const struct grid *g)
{
	uint64_t *agg = s->agg;
	if (s->m->raw) {
		int bmi2 = bmi2_usable();
		for (size_t r = 0; r < s->m->nrawrun; r++) {
			const uint32_t *k = s->m->raw[r].k;
			size_t n = s->m->raw[r].n;
			if (s->sq)
				(bmi2 ? sum_raw_sq_bmi2 : sum_raw_sq)(g, g->cell, k, n, agg);
			else
				(bmi2 ? sum_raw_bmi2 : sum_raw)(g, g->cell, k, n, agg);
		}
		return;
	}
	const uint32_t base = (uint32_t)g->kbase, cmask = (uint32_t)(((uint64_t)1 << g->cs) - 1);
	const unsigned cs = g->cs;
	const uint32_t *cell = g->cell;
	size_t bi = 0;
	for (size_t i = 0; i < s->m->n; i++) {
		uint64_t c = packed_count(s->m, i, &bi);
		size_t b;
		uint32_t o;
		GRID_LOOKUP(g, s->m->key[i], b, o);
		agg[b << s->sq] += (c << CNT_SHIFT) + c * o;
		if (s->sq)
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

/* The raw keys of the marked buckets. Each marked bucket where the side
 * has keys has a candidate offset, its keys' mean offset rounded down
 * (from its sums: a bucket of one distinct key has that key there); the
 * pass takes the keys of marked buckets but the candidate's, whose count
 * is then the bucket's count less the keys taken. A bucket of one key (a
 * column of integers: thousands of one key a bucket) gathers nothing, and
 * no sum of squares is needed to know it. Any candidate gives the same
 * keys and counts (one with no key is dropped), so the mean offset 65535
 * (a bucket of 2^16 keys) is taken as 65534 to keep SEL_NONE apart.
 * sel[b]: the candidate offset, or SEL_NONE. */
static int gather_raw(struct side *s, const struct grid *g, const uint8_t *mark)
{
	uint16_t *sel = malloc((g->nb + 1) * sizeof *sel);
	if (!sel)
		return -1;
	size_t ncand = 0;
	for (size_t b = 0; b < g->nb; b++) {
		uint64_t c = mark[b] ? bcount(s, b) : 0, mean = c ? bsum(s, b) / c : 0;
		sel[b] = c ? (uint16_t)(mean < SEL_NONE ? mean : SEL_NONE - 1) : SEL_NONE;
		ncand += c != 0;
	}
	sel[g->nb] = SEL_NONE;
	const uint32_t base = (uint32_t)g->kbase, cmask = (uint32_t)(((uint64_t)1 << g->cs) - 1);
	const unsigned cs = g->cs;
	const uint32_t *cell = g->cell;
	size_t n = 0;
	int avx512 = avx512_usable();
	for (size_t r = 0; r < s->m->nrawrun; r++) {
		const uint32_t *k = s->m->raw[r].k;
		size_t nk = s->m->raw[r].n, i0 = 0;
		if (avx512)
			n += gather_raw_avx512(g, sel, k, nk, s->gk + n, &i0);
		for (size_t i = i0; i < nk; i++) {
			size_t bk;
			uint32_t o;
			GRID_LOOKUP(g, k[i], bk, o);
			s->gk[n] = k[i];
			n += (sel[bk] != SEL_NONE) & (sel[bk] != o);
		}
	}
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
	/* the candidates with their counts (those left after the keys taken),
	 * then merged in from the back: at most one a bucket with a key not
	 * taken, so d + their number <= the room (bk_side_gather) */
	uint32_t *ck = malloc((ncand ? ncand : 1) * sizeof *ck);
	uint64_t *cc = malloc((ncand ? ncand : 1) * sizeof *cc);
	if (!ck || !cc) {
		free(sel);
		free(ck);
		free(cc);
		return -1;
	}
	size_t j = 0, at = 0;
	FOR_BUCKETS(g, b, kb, L)
	{
		if (sel[b] == SEL_NONE)
			continue;
		uint64_t taken = 0;
		for (; at < d && s->gk[at] < kb + L; at++)
			taken += s->gc[at];
		if (bcount(s, b) > taken) {
			ck[j] = (uint32_t)(kb + sel[b]);
			cc[j++] = bcount(s, b) - taken;
		}
	}
	free(sel);
	size_t t = d + j, i = d;
	s->ng = t;
	while (j) {
		t--;
		if (i && s->gk[i - 1] > ck[j - 1]) {
			s->gk[t] = s->gk[--i];
			s->gc[t] = s->gc[i];
		} else {
			s->gk[t] = ck[--j];
			s->gc[t] = cc[j];
		}
	}
	free(ck);
	free(cc);
	return 0;
}

/* The keys of the marked buckets, sorted, with their counts: gathered
 * from raw keys (gather_raw) or read from a packed map. */
int bk_side_gather(struct side *s, const struct grid *g, const uint8_t *mark)
{
	size_t cap = 0;
	for (size_t b = 0; b < g->nb; b++)
		cap += mark[b] ? (size_t)bcount(s, b) : 0;
	s->gk = malloc((cap + 16) * sizeof *s->gk); /* the raw loops store before they count */
	s->gc = malloc((cap ? cap : 1) * sizeof *s->gc);
	if (!s->gk || !s->gc)
		return -1;
	s->ng = s->at = 0;
	if (!cap)
		return 0;
	if (s->m->raw)
		return gather_raw(s, g, mark);
	size_t at = 0, bi = 0, d = 0;
	FOR_BUCKETS(g, b, kb, L)
	{
		if (!mark[b] || !bcount(s, b))
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
		for (size_t r = 0; r < s->m->nrawrun; r++)
			for (size_t i = 0; i < s->m->raw[r].n; i++)
				c += s->m->raw[r].k[i] >= lo && s->m->raw[r].k[i] < t;
		return c;
	}
	size_t i = packed_lower(s->m, 0, lo), j = packed_lower(s->m, i, t);
	for (; i < j; i++)
		c += assay_numeric_map_count(s->m, i);
	return c;
}