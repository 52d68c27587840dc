/* assay/deckey.h: order-preserving 32-bit keys for short decimal numbers.
 *
 * Data written by "%.6g" and the like has at most 6 or 7 significant
 * digits. Such a number is s * M * 10^q with M in [10^6, 10^7) (the
 * digits, padded with zeros to seven) and, here, -22 <= q <= 22; it is
 * stored in 32 bits as
 *     zero          0x80000000
 *     positive      0x80000001 + (q + 22) * 9000000 + (M - 1000000)
 *     negative      0x7fffffff - (same index)
 * so that keys compare as unsigned integers exactly as the numbers do, and
 * equal numbers ("6", "6.0", "60e-1") have equal keys. Magnitudes from
 * 1e-16 to just under 1e29 fit; anything else (8+ significant digits,
 * tiny or huge exponents, inf, nan) does not, and callers keep a double.
 *
 * The double of a key is exact in the strtod sense: M and 10^|q| are both
 * exact doubles, so M * 10^q (q >= 0) or M / 10^-q (q < 0) is one
 * correctly rounded IEEE operation (Clinger's fast path), the same double
 * assay_parse_double returns for any spelling of that number. Half the
 * size of a double and cheaper to radix-sort (31 significant bits: three
 * 11-bit passes).
 */
#ifndef ASSAY_DECKEY_H
#define ASSAY_DECKEY_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Up to 8 bytes of a field as one little-endian word, zero past len
 * (1 <= len <= 8), read without touching a byte outside [p, p + len): two
 * overlapping loads from 4 bytes on. The decimal-key parse reads short
 * numbers this way, and profiles short categories. */
static inline uint64_t assay_word_upto8(const char *p, size_t len)
{
	if (len >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		return (uint64_t)lo | (uint64_t)hi << (8 * (len - 4));
	}
	uint64_t w = (unsigned char)p[0];
	if (len > 1)
		w |= (uint64_t)(unsigned char)p[1] << 8;
	if (len > 2)
		w |= (uint64_t)(unsigned char)p[2] << 16;
	return w;
}

#define ASSAY_DECKEY_ZERO   UINT32_C(0x80000000)
#define ASSAY_DECKEY_QMIN   (-22)
#define ASSAY_DECKEY_QMAX   22
#define ASSAY_DECKEY_DIGITS 7

/* The key of the decimal number spelled by the span (the grammar of
 * assay_parse_double without inf/nan). Returns 0 and fills *key, or -1
 * when the span is not such a number or does not fit a key (the caller
 * then parses it as a double: -1 says nothing about whether it is one). */
int assay_deckey_parse(const char *p, size_t len, uint32_t *key);

/* The keys of up to ASSAY_DECKEY_BATCH spans at once (p[i], len[i] for
 * i < n; keys has room for ASSAY_DECKEY_BATCH): bit i of the result is set
 * when span i is a key, keys[i] then being the one assay_deckey_parse
 * gives; span for span the same answers as that function, in fewer
 * instructions where the CPU has AVX-512 (lib/io/deckey_batch.c). */
#define ASSAY_DECKEY_BATCH 16
unsigned assay_deckey_parse_batch(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys);

/* The key of a finite double, when the double is exactly the correctly
 * rounded value of a decimal that fits a key and that decimal is its
 * shortest spelling with <= 7 digits; -1 otherwise. -0.0 gives the key of
 * 0. Used to move double values into key form (reading profiles). */
int assay_deckey_from_double(double x, uint32_t *key);

static inline double assay_deckey_value(uint32_t key)
{
	static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	if (key == ASSAY_DECKEY_ZERO)
		return 0.0;
	int neg = key < ASSAY_DECKEY_ZERO;
	uint32_t idx = neg ? UINT32_C(0x7fffffff) - key : key - UINT32_C(0x80000001);
	uint32_t e = idx / 9000000u;
	double m = (double)(idx - e * 9000000u + 1000000u);
	int q = (int)e + ASSAY_DECKEY_QMIN;
	double d = q >= 0 ? m * p10[q] : m / p10[-q];
	return neg ? -d : d;
}

#endif
