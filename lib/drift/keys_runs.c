/* keys_runs.c: the runs of a sorted array of decimal keys: the distinct
 * keys compacted in place and each one's count as a byte (the packed maps
 * of assay/profile.h: 255 means "look in the big counts"). The last step
 * of a key-form column's gather (pb_keys_to_map, profile_build.c), once
 * per numeric column and side of a drift.
 *
 * The scalar loop has no branch on whether a key repeats (that is as
 * random as the data) but carries the run's count from key to key, ~1.3
 * ns a key. With AVX-512 (F, BW, VL), sixteen keys at a time: the run
 * starts are the keys unlike the one before (a compare with the block
 * shifted by one), the distinct keys are those starts compressed and
 * stored, and the counts are the differences of consecutive start
 * positions (compressed the same way), saturated to bytes by one
 * instruction; a count of 255 or more (rare) goes to the big counts one
 * by one: 1.3-2.0 -> 0.37-0.43 ns a key on 500k sorted keys (drift
 * session 7 in bench/README.md); the two paths give the same bytes
 * (tests/unit/test_deckey.c). */
#include <stdint.h>

#include "keys_runs.h"
#include "profile_internal.h"

int drift_keys_runs_scalar(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap)
{
	/* w moves on at each new key, the run's count restarts, the byte
	 * saturates at 255; a run of 255 or more (rare, and predicted) gets
	 * its full count when it ends */
	size_t w = 0, run = 1;
	uint32_t prev = k[0];
	m->kcount[0] = 1;
	for (size_t i = 1; i < n; i++) {
		uint32_t x = k[i];
		size_t neq = x != prev;
		prev = x;
		if (__builtin_expect(neq & (run >= 255), 0) && prof_map_put_count(m, bigcap, w, run))
			return -1;
		w += neq;
		k[w] = x;
		run = (run & (neq - 1)) + 1; /* 1 at a new key, else one more */
		m->kcount[w] = (uint8_t)(run < 255 ? run : 255);
	}
	if (run >= 255 && prof_map_put_count(m, bigcap, w, run))
		return -1;
	return 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,popcnt")))

int drift_keys_runs_avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("popcnt");
}

AVX512_TARGET int drift_keys_runs_avx512(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap)
{
	const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	const __m512i b255 = _mm512_set1_epi32(255);
	__m512i last = _mm512_set1_epi32((int)~k[0]); /* key 0 starts a run */
	size_t w = 0;                                 /* distinct keys so far */
	uint32_t open = 0;                            /* where the last run (key w - 1) began */
	for (size_t i = 0; i < n; i += 16) {
		__mmask16 live = n - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - i)) - 1);
		__m512i cur = _mm512_maskz_loadu_epi32(live, k + i);
		__m512i before = _mm512_alignr_epi32(cur, last, 15); /* the key before each */
		__mmask16 st = _mm512_mask_cmpneq_epu32_mask(live, cur, before);
		last = cur;
		if (!st)
			continue;
		unsigned pop = (unsigned)__builtin_popcount(st);
		__mmask16 first = (__mmask16)((1u << pop) - 1);
		/* w <= i: the distinct keys land on keys already loaded */
		_mm512_mask_storeu_epi32(k + w, first, _mm512_maskz_compress_epi32(st, cur));
		/* start positions; lane j closes the run of key w - 1 + j */
		__m512i s =
		    _mm512_maskz_compress_epi32(st, _mm512_add_epi32(iota, _mm512_set1_epi32((int)i)));
		__m512i cnt = _mm512_sub_epi32(s, _mm512_alignr_epi32(s, _mm512_set1_epi32((int)open), 15));
		__mmask16 close = w ? first : (__mmask16)(first & ~1u); /* key 0 has no run before it */
		/* kcount + w - 1 + j for the lanes of close (lane 0 is off when w is 0) */
		_mm_mask_storeu_epi8((void *)((uintptr_t)m->kcount + w - 1), close,
		                     _mm512_cvtusepi32_epi8(cnt));
		__mmask16 big = _mm512_mask_cmpge_epu32_mask(close, cnt, b255);
		if (__builtin_expect(big != 0, 0)) {
			uint32_t c[16];
			_mm512_storeu_si512(c, cnt);
			for (unsigned b = big; b; b &= b - 1) {
				unsigned j = (unsigned)__builtin_ctz(b);
				if (prof_map_put_count(m, bigcap, w - 1 + j, c[j]))
					return -1;
			}
		}
		open = (uint32_t)_mm_cvtsi128_si32(
		    _mm512_castsi512_si128(_mm512_permutexvar_epi32(_mm512_set1_epi32((int)pop - 1), s)));
		w += pop;
	}
	return prof_map_put_count(m, bigcap, w - 1, n - open);
}

int drift_keys_runs(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap)
{
	if (drift_keys_runs_avx512_usable())
		return drift_keys_runs_avx512(k, n, m, bigcap);
	return drift_keys_runs_scalar(k, n, m, bigcap);
}

#else

int drift_keys_runs_avx512_usable(void)
{
	return 0;
}

int drift_keys_runs_avx512(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap)
{
	return drift_keys_runs_scalar(k, n, m, bigcap);
}

int drift_keys_runs(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap)
{
	return drift_keys_runs_scalar(k, n, m, bigcap);
}

#endif
