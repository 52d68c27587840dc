/* deckey_batch.c: assay_deckey_parse_batch(), the decimal keys of up to 16
 * spans at once (assay/deckey.h), e.g. the numeric fields of one row.
 *
 * The one-span parse (number.c) is bound by its ~100 instructions a span
 * (the SWAR word, the point's removal, the validation, the multiply-shift
 * steps, the key), not by branches or memory: 23% of the 1M-row drift's
 * samples, 12-14 ns a span. With AVX-512 (BW, VBMI) and BMI2, sixteen spans
 * share the work instead: four spans of at most 15 bytes in one 64-byte
 * register (a masked 16-byte load each, so no byte outside a span is
 * read), classified by compares into 64-bit masks; the point taken out by
 * a masked blend with the lane shifted by one byte (the digits before it
 * move up one); the digits right-aligned in their lane by one permute of
 * bytes; the last eight combined by multiply-adds (10a + b, 100a + b,
 * 10^4 a + b); then the key of all sixteen in one register of dwords:
 * the significant digits counted by compares with 10^k, M padded to seven
 * digits by one multiply, the exponent, the sign. A span the vector path
 * does not take (more than 15 bytes, an exponent, more than 7 significant
 * digits by position, anything malformed) gets the one-span parse, so the
 * result is that parse's, span for span (tests/unit/test_deckey.c checks
 * both paths against the reference loop). Over the 1M-row bench half's
 * f0..f9, ten spans a call as in its rows: 12.4 ns a span one by one, 4.4
 * in batches (bench/README.md, drift session 7).
 *
 * Without those instructions (baseline x86-64, other machines) the batch
 * is the one-span parse in a loop.
 */
#include <stddef.h>
#include <stdint.h>

#include "assay/deckey.h"
#include "deckey_batch.h"

unsigned assay_deckey_parse_batch_scalar(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys)
{
	unsigned ok = 0;
	for (size_t i = 0; i < n && i < ASSAY_DECKEY_BATCH; i++)
		ok |= (unsigned)(assay_deckey_parse(p[i], len[i], &keys[i]) == 0) << i;
	return ok;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,bmi,bmi2")))

#define LANE_FIRST UINT64_C(0x0001000100010001) /* byte 0 of each 16-byte lane */
#define LANE_TOP   UINT64_C(0x8000800080008000) /* byte 15 of each lane */

/* Bit 15 of each 16-bit group of m set when the group is not zero. */
static inline uint64_t lanes_nonzero(uint64_t m)
{
	return (((m & ~LANE_TOP) + ~LANE_TOP) | m) & LANE_TOP;
}

int assay_deckey_batch_avx512_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi") &&
	       __builtin_cpu_supports("bmi2");
}

/* The vector constants, loaded from memory: GCC otherwise builds each
 * uniform one with a move and a broadcast from a general register, and
 * those broadcasts ran on the shuffle port (port 5) that the compares,
 * permutes and the sum of absolute differences already saturate (llvm-mca,
 * icelake-server: port 5 was the bound). */
#define B16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
#define B64(x) B16(x), B16(x), B16(x), B16(x)
#define I16    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
struct deckey_consts {
	uint8_t iota[64], lanebase[64], low4[64], zero_char[64], ten[64], dot[64], minus[64], one[64];
	uint8_t lidx[64];
	uint16_t w10[32];
	uint32_t w100[16], w1e4[16], limit[16], pick[16], low24[16], pow10[16];
	uint32_t p10[6][16];
	uint32_t six[16], sixteen[16], m9e6[16], m1e6[16], kbase[16], kmax[16], kzero[16], dword1[16];
};
static const struct deckey_consts deckey_consts __attribute__((aligned(64))) = {
    .iota = {I16, I16, I16, I16},
    .lanebase = {B16(0), B16(16), B16(32), B16(48)},
    .low4 = {B64(15)},
    .zero_char = {B64('0')},
    .ten = {B64(10)},
    .dot = {B64('.')},
    .minus = {B64('-')},
    .one = {B64(1)},
    .lidx = {B16(0), B16(1), B16(2), B16(3)},
    .w10 = {B16(0x010a), B16(0x010a)},
    .w100 = {B16(0x00010064)},
    .w1e4 = {B16(0x00012710)},
    /* per lane: dword 0 (the first eight digits) must be < 1, dword 1 (the last eight) < 10^7 */
    .limit = {1, 10000000, 0, 0, 1, 10000000, 0, 0, 1, 10000000, 0, 0, 1, 10000000, 0, 0},
    .pick = {1, 5, 9, 13, 17, 21, 25, 29, 1, 5, 9, 13, 17, 21, 25, 29},
    .low24 = {B16(0xffffff)},
    .pow10 = {1, 10, 100, 1000, 10000, 100000, 1000000},
    .p10 = {{B16(10)}, {B16(100)}, {B16(1000)}, {B16(10000)}, {B16(100000)}, {B16(1000000)}},
    .six = {B16(6)},
    .sixteen = {B16(16)},
    .m9e6 = {B16(9000000)},
    .m1e6 = {B16(1000000)},
    .kbase = {B16(0x80000001u)},
    .kmax = {B16(0x7fffffffu)},
    .kzero = {B16(ASSAY_DECKEY_ZERO)},
    .dword1 = {B16(1)},
};
#define KV(field) _mm512_load_si512((const void *)(k->field))

/* One group of four spans (lanes of 16 bytes, each span at its lane's
 * start, zeros after it; kv: the spans' bytes, at most 15 a lane; lb:
 * each lane's length in all its bytes, anything for a span the vector
 * path does not take, whose lane's result is not used). Returns the
 * lane record (dword 1: the value of the last eight digits + 2^24 * the
 * digits after the point) and sets the 4-bit masks of refused lanes and
 * negative ones. A sign is '-' here; "+5" is refused (the one-span parse
 * takes it). */
AVX512_TARGET static inline __m512i group4(const struct deckey_consts *k, __m512i x, uint64_t kv, __m512i lb,
                                           unsigned *refused, unsigned *neg)
{
	const __m512i zero = _mm512_setzero_si512();
	__m512i dv = _mm512_sub_epi8(x, KV(zero_char));
	uint64_t kd = _mm512_mask_cmplt_epu8_mask(kv, dv, KV(ten));
	uint64_t kp = _mm512_mask_cmpeq_epi8_mask(kv, x, KV(dot));
	uint64_t kminus = _mm512_mask_cmpeq_epi8_mask(kv & LANE_FIRST, x, KV(minus));
	/* Masks as 64-bit words, four 16-bit lanes; a span has at most 15
	 * bytes, so bit 15 of a lane is never set in kv, kd or kp and the
	 * per-lane decrements below borrow from it, not from the next lane. */
	uint64_t bad = kv & ~(kd | kp | kminus);
	uint64_t dec = (kp | LANE_TOP) - LANE_FIRST; /* per lane: 0x8000 | (c - 1), or 0x7fff */
	uint64_t multi = kp & dec & ~LANE_TOP;       /* two points or more */
	uint64_t has_point = lanes_nonzero(kp);
	uint64_t point_lane = (has_point >> 15) * 0xffff;
	uint64_t upto_point = (dec | kp) & point_lane & ~LANE_TOP; /* bits 0 .. the point */
	uint64_t frac = kd & ~upto_point & point_lane;             /* digits after the point */
	uint64_t refuse = lanes_nonzero(bad | multi) | (~lanes_nonzero(kd) & LANE_TOP);
	/* digits as 0..9, anything else 0; those before the point moved up one
	 * byte over it; then right-aligned: byte i of the lane <- byte
	 * (i + len) mod 16, which is past the span (a zero: len <= 15) where
	 * i + len < 16 */
	dv = _mm512_maskz_mov_epi8(kd, dv);
	__m512i y = _mm512_mask_mov_epi8(dv, upto_point, _mm512_bslli_epi128(dv, 1));
	__m512i src = _mm512_ternarylogic_epi32(_mm512_add_epi8(KV(iota), lb), KV(low4), KV(lanebase), 0xea);
	__m512i r = _mm512_permutexvar_epi8(src, y);
	/* 16 digits -> 8 pairs -> 4 quads (dwords) -> 2 octets per lane:
	 * dword 0 the first eight digits, dword 1 the last eight */
	__m512i m = _mm512_maddubs_epi16(r, KV(w10));
	m = _mm512_madd_epi16(m, KV(w100));
	m = _mm512_packus_epi32(m, m);
	m = _mm512_madd_epi16(m, KV(w1e4));
	/* more than 7 significant digits (the first eight not all zero, or the
	 * last eight >= 10^7): the one-span parse decides */
	unsigned big = _mm512_mask_cmpge_epu32_mask(0x3333, m, KV(limit));
	unsigned nf = _pext_u32(big | big >> 1, 0x1111);
	__m512i f = _mm512_sad_epu8(_mm512_maskz_mov_epi8(frac, KV(one)), zero);
	f = _mm512_add_epi64(f, _mm512_bsrli_epi128(f, 8)); /* qword 0 of a lane: the count */
	*refused = (unsigned)_pext_u64(refuse, LANE_TOP) | nf;
	*neg = (unsigned)_pext_u64(kminus, LANE_FIRST);
	return _mm512_add_epi32(m, _mm512_slli_epi64(f, 56));
}

AVX512_TARGET unsigned assay_deckey_parse_batch_avx512(const char *const *p, const uint32_t *len, size_t n,
                                                       uint32_t *keys)
{
	const struct deckey_consts *k = &deckey_consts;
	__asm__("" : "+r"(k)); /* the constants from memory (above) */
	if (n > ASSAY_DECKEY_BATCH)
		n = ASSAY_DECKEY_BATCH;
	size_t ng = (n + 3) / 4;
	__mmask16 live = (__mmask16)((1u << n) - 1);
	/* lengths 1 to 15 usable, the others refused below. The caller has
	 * just stored the lengths one by one, and a vector load of several
	 * stores is not forwarded from the store buffer but waits for them to
	 * reach the cache: only this mask, needed at the end, comes from it;
	 * the groups read their lengths one by one (the 1M half's ten numeric
	 * fields a row, stored just before each call as the row loop does, in
	 * a loop doing only that: ~72 -> ~52 ns a call; in the profile build,
	 * where other work hides part of the wait, ~5% of the parse) */
	__m512i lv = _mm512_maskz_loadu_epi32(live, len);
	__mmask16 usable =
	    _mm512_mask_cmplt_epu32_mask(live, _mm512_sub_epi32(lv, KV(dword1)), _mm512_set1_epi32(15));
	__m512i rec[4];
	unsigned refused = 0, neg = 0;
#pragma GCC unroll 4
	for (size_t g = 0; g < 4; g++) {
		if (g >= ng) {
			rec[g] = _mm512_setzero_si512();
			continue;
		}
		/* at most 15 bytes of each span (a longer one is refused by its
		 * length), none past its end, each masked load merged straight
		 * into its lane (no insert on the shuffle port): the load of lane
		 * l starts 16 l bytes before its span, and those bytes are masked
		 * off (a masked-off byte is never read and cannot fault) */
		__m512i x = _mm512_setzero_si512();
		uint64_t kv = 0;
		uint32_t lw = 0; /* each lane's length mod 256, a byte each (a refused lane's is garbage) */
		for (size_t l = 0; l < 4; l++) {
			size_t i = 4 * g + l;
			if (i >= n)
				break;
			uint64_t m = (uint64_t)_bzhi_u32(0x7fff, len[i]) << (16 * l);
			kv |= m;
			lw |= (len[i] & 0xff) << (8 * l);
			x = _mm512_mask_loadu_epi8(x, m, (const void *)((uintptr_t)p[i] - 16 * l));
		}
		__m512i lb =
		    _mm512_permutexvar_epi8(KV(lidx), _mm512_castsi128_si512(_mm_cvtsi32_si128((int)lw)));
		kv &= _mm512_cmplt_epu8_mask(KV(iota), lb); /* none past a length mod 256 */
		unsigned rf, ng4;
		rec[g] = group4(k, x, kv, lb, &rf, &ng4);
		refused |= rf << (4 * g);
		neg |= ng4 << (4 * g);
	}
	/* dword 1 of every lane, field order: 16 fields */
	__m512i lo = _mm512_permutex2var_epi32(rec[0], KV(pick), rec[1]);
	__m512i hi = _mm512_permutex2var_epi32(rec[2], KV(pick), rec[3]);
	__m512i v = _mm512_inserti64x4(lo, _mm512_castsi512_si256(hi), 1);
	__m512i d = _mm512_and_si512(v, KV(low24));
	__m512i fr = _mm512_srli_epi32(v, 24);
	/* c = significant digits - 1 (d < 10^7): six independent compares,
	 * summed as a tree (a chain of masked subtractions waited on each
	 * other); M = d * 10^(6 - c); the exponent of M is q = -fr - (6 - c),
	 * stored as q + 22 = 16 - fr + c */
	const __m512i one = KV(dword1);
	__m512i c1 = _mm512_add_epi32(_mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[0])), one),
	                              _mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[1])), one));
	__m512i c2 = _mm512_add_epi32(_mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[2])), one),
	                              _mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[3])), one));
	__m512i c3 = _mm512_add_epi32(_mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[4])), one),
	                              _mm512_maskz_mov_epi32(_mm512_cmpge_epu32_mask(d, KV(p10[5])), one));
	__m512i c = _mm512_add_epi32(_mm512_add_epi32(c1, c2), c3);
	__m512i mm = _mm512_mullo_epi32(d, _mm512_permutexvar_epi32(_mm512_sub_epi32(KV(six), c), KV(pow10)));
	__m512i qi = _mm512_add_epi32(_mm512_sub_epi32(KV(sixteen), fr), c);
	__m512i idx = _mm512_add_epi32(_mm512_mullo_epi32(qi, KV(m9e6)), _mm512_sub_epi32(mm, KV(m1e6)));
	__m512i key = _mm512_add_epi32(idx, KV(kbase));
	key = _mm512_mask_sub_epi32(key, (__mmask16)neg, KV(kmax), idx);
	key = _mm512_mask_mov_epi32(key, _mm512_cmpeq_epu32_mask(d, _mm512_setzero_si512()), KV(kzero));
	_mm512_mask_storeu_epi32(keys, live, key);
	unsigned ok = usable & ~refused;
	/* the rest: the one-span parse */
	for (unsigned rest = live & ~ok; rest; rest &= rest - 1) {
		unsigned i = (unsigned)__builtin_ctz(rest);
		ok |= (unsigned)(assay_deckey_parse(p[i], len[i], &keys[i]) == 0) << i;
	}
	return ok;
}

unsigned assay_deckey_parse_batch(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys)
{
	if (assay_deckey_batch_avx512_usable())
		return assay_deckey_parse_batch_avx512(p, len, n, keys);
	return assay_deckey_parse_batch_scalar(p, len, n, keys);
}

#else

int assay_deckey_batch_avx512_usable(void)
{
	return 0;
}

unsigned assay_deckey_parse_batch_avx512(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys)
{
	return assay_deckey_parse_batch_scalar(p, len, n, keys);
}

unsigned assay_deckey_parse_batch(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys)
{
	return assay_deckey_parse_batch_scalar(p, len, n, keys);
}

#endif
