/* number.c: assay_parse_double(), the one decimal-to-double conversion
 * every consumer of fields uses.
 *
 * Grammar (the whole span, nothing else; no spaces):
 *     [+-] ( digits [. digits*] | . digits ) [ (e|E) [+-] digits ]
 *   | [+-] ( inf | infinity | nan )          (any case)
 * Rejected: "", ".", "-", "1e", "1e+", hex floats, spaces, trailing junk.
 *
 * Rounding: the result is the correctly rounded double (the one strtod
 * returns). Fast path after Clinger (1990, "How to read floating point
 * numbers accurately"): when the span has at most 19 digits (so the
 * decimal significand m fits 64 bits exactly), m <= 2^53 and the
 * decimal exponent e has |e| <= 22, both m and 10^|e| are exact doubles,
 * so m * 10^e or m / 10^-e is one correctly rounded IEEE operation. This
 * covers the usual "%.6g" style data. Anything
 * else goes to strtod_l() in the "C" locale on a NUL-terminated copy, so
 * the host program's LC_NUMERIC never changes what "0.5" means.
 *
 * assay_deckey_parse() reads the same grammar (without inf/nan) into the
 * 32-bit order-preserving key of assay/deckey.h when the number has at
 * most 7 significant digits and a modest exponent, so that columns of
 * short decimals are held and sorted in half the space; the key's double
 * is the one assay_parse_double returns.
 *
 * Does not: accept thousands separators, decimal commas, hex or
 * surrounding spaces; a caller that wants them normalises first.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/source.h"

/* 10^0 .. 10^22: all exactly representable as doubles. */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int word_ieq(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

/* Out of line, so that the fast path needs no stack frame. */
__attribute__((noinline)) static int slow_path(const char *p, size_t len, double *out)
{
	char stack[128];
	char *copy = len < sizeof stack ? stack : malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, p, len);
	copy[len] = '\0';
	/* glibc returns its static "C" locale object here without allocating. */
	locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	int rc = -1;
	if (c) {
		char *end;
		double d = strtod_l(copy, &end, c);
		if (end == copy + len) {
			*out = d;
			rc = 0;
		}
		freelocale(c);
	}
	if (copy != stack)
		free(copy);
	return rc;
}

/* inf, infinity, nan in any case. */
__attribute__((noinline)) static int special(const char *p, size_t len, int neg, double *out)
{
	if (word_ieq(p, len, "inf") || word_ieq(p, len, "infinity")) {
		*out = neg ? -__builtin_inf() : __builtin_inf();
		return 0;
	}
	if (word_ieq(p, len, "nan")) {
		*out = neg ? -__builtin_nan("") : __builtin_nan("");
		return 0;
	}
	return -1;
}
/* The optional exponent at p[*i] ((e|E) [+-] digits, its magnitude
 * saturated at 10^5), then the end of the span: 0 with *e set (0 when
 * there is none) and *i == len, or -1 when the span does not end there. */
static int exponent(const char *p, size_t len, size_t *i, long *e)
{
	size_t j = *i;
	long x = 0;
	if (j < len && (p[j] == 'e' || p[j] == 'E')) {
		j++;
		int eneg = 0;
		if (j < len && (p[j] == '+' || p[j] == '-')) {
			eneg = p[j] == '-';
			j++;
		}
		if (j >= len || (unsigned)(p[j] - '0') >= 10)
			return -1;
		while (j < len && (unsigned)(p[j] - '0') < 10) {
			if (x < 100000)
				x = x * 10 + (p[j] - '0');
			j++;
		}
		if (eneg)
			x = -x;
	}
	if (j != len)
		return -1;
	*i = j;
	*e = x;
	return 0;
}

int assay_parse_double(const char *p, size_t len, double *out)
{
	size_t i = 0;
	int neg = 0;
	if (i < len && (p[i] == '+' || p[i] == '-')) {
		neg = p[i] == '-';
		i++;
	}
	if (i < len && (p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z')
		return special(p + i, len - i, neg, out);
	/* Digits go into m unchecked: with at most 19 of them m < 10^19 < 2^64;
	 * with more, m has wrapped and is not used (strtod decides). */
	uint64_t m = 0;
	size_t start = i;
	while (i < len && (unsigned)(p[i] - '0') < 10)
		m = m * 10 + (unsigned)(p[i++] - '0');
	size_t ndigits = i - start, nfrac = 0;
	if (i < len && p[i] == '.') {
		size_t f = ++i;
		while (i < len && (unsigned)(p[i] - '0') < 10)
			m = m * 10 + (unsigned)(p[i++] - '0');
		nfrac = i - f;
		ndigits += nfrac;
	}
	if (ndigits == 0)
		return -1;
	long exp10 = 0;
	if (exponent(p, len, &i, &exp10))
		return -1;
	exp10 -= (long)nfrac;
	if (ndigits <= 19 && m == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (ndigits <= 19 && m <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
		double d = (double)m;
		d = exp10 < 0 ? d / exact_pow10[-exp10] : d * exact_pow10[exp10];
		*out = neg ? -d : d;
		return 0;
	}
	return slow_path(p, len, out);
}

/* M * 10^q with M in [10^6, 10^7) and q in range -> its key. */
static uint32_t deckey_make(int neg, uint64_t m, long q)
{
	uint32_t idx = (uint32_t)(q - ASSAY_DECKEY_QMIN) * 9000000u + (uint32_t)(m - 1000000u);
	return neg ? UINT32_C(0x7fffffff) - idx : UINT32_C(0x80000001) + idx;
}

/* The common spellings, "123", "0.395365", "1.00651" (1 to 8 bytes after
 * the sign: digits and at most one point, at most 7 significant digits),
 * without a loop or a data-dependent branch: SWAR over one 64-bit word.
 * Non-digits are found by one add per byte; the point is taken out by a
 * masked shift; the first significant digit (the lowest non-zero byte) is
 * moved to byte 1, so that the eight bytes read as M, the digits padded
 * with zeros to seven (deckey.h), and are combined pairwise (10a + b, then
 * 100a + b, then 10^4 a + b: the multiply-shift steps of Lemire's "fast
 * integer parsing"). With pos digits before the point and z leading zeros,
 * the value is M * 10^(pos - z - 7). With frac the span is the digits
 * after "0." (no point of their own): M * 10^(-z - 7). Returns 0 with
 * *key, or 1 when the span is not of that form or has 8 significant digits
 * (the general loop then decides). */
static inline int deckey_swar(const char *p, size_t len, uint32_t neg, int frac, uint32_t *key)
{
	const uint64_t ones = UINT64_C(0x0101010101010101);
	uint64_t valid = ~UINT64_C(0) >> (64 - 8 * len);
	/* digits -> 0..9, '.' -> 0x1e; the zero bytes past len read as digits 0 */
	uint64_t x = assay_word_upto8(p, len) ^ (ones * '0' & valid);
	uint64_t nd = (((x & (ones * 0x7f)) + ones * 0x76) | x) & (ones * 0x80); /* not a digit */
	/* Masks and arithmetic, not ?: or &&, which GCC turns into branches
	 * here (whether a value has a point is as random as the data). */
	uint64_t has_point = nd != 0, none = has_point - 1; /* none: all ones without a point */
	unsigned at = (unsigned)__builtin_ctzll(nd | UINT64_C(0x8000000000000000)) >> 3; /* 7 if none */
	unsigned pos = (unsigned)((at & ~none) | (len & none)); /* digits before the point */
	uint64_t below = ((UINT64_C(1) << (4 * pos)) << (4 * pos)) - 1;
	uint64_t not_point = (((x >> (8 * at)) & 0xff) != 0x1e) & has_point;
	x = (x & below) | ((x >> 8) & ~below); /* the digits in bytes 0 .. ndig-1, zeros above */
	unsigned z = (unsigned)__builtin_ctzll(x | UINT64_C(0x8000000000000000)) >> 3; /* leading zeros */
	size_t ndig = len - has_point;
	/* one non-digit at most, it is '.', a digit besides, at most 7 significant */
	uint64_t bad = ((nd & (nd - 1)) != 0) | not_point | (len == has_point) | (ndig - z == 8) |
	               ((uint64_t)frac & has_point);
	x = x >> (8 * z) << 8;
	x = (x * 2561) >> 8 & UINT64_C(0x00ff00ff00ff00ff); /* 10 * 256 + 1 */
	x = (x * 6553601) >> 16 & UINT64_C(0x0000ffff0000ffff);
	uint32_t m = (uint32_t)((x * UINT64_C(42949672960001)) >> 32);
	if (bad)
		return 1;
	/* (q + 22) * 9e6 + M - 1e6; the digits after "0." stand after the point */
	uint32_t idx = ((frac ? 0 : pos) - z + 15) * 9000000u + m - 1000000u;
	/* key: 0x80000001 + idx, or 0x7fffffff - idx = ~idx + 0x80000000; 0 apart */
	uint32_t k = (idx ^ (0u - neg)) + UINT32_C(0x80000000) + (neg ^ 1u);
	uint32_t zero = (uint32_t)(m == 0) - 1u; /* all ones unless m = 0 */
	*key = (k & zero) | (ASSAY_DECKEY_ZERO & ~zero);
	return 0;
}

/* The general form: a loop a character (exponents, long spellings). */
__attribute__((noinline)) static int deckey_loop(const char *p, size_t len, size_t i, uint32_t neg,
                                                 uint32_t *key);

int assay_deckey_parse(const char *p, size_t len, uint32_t *key)
{
	/* the sign without a branch: half the values of centred data are negative */
	unsigned c = len ? (unsigned char)p[0] : 0;
	uint32_t neg = c == '-';
	size_t i = neg | (c == '+');
	if (len - i - 1 < 8 && deckey_swar(p + i, len - i, neg, 0, key) == 0) /* 1 to 8 bytes left */
		return 0;
	/* "0.0311287", "-0.00147779": small magnitudes of "%.6g" data have 9 or
	 * 10 bytes after the sign (4.5% of the bench's values, which took the
	 * loop); the 1 to 8 digits after "0." are read the same way, as if the
	 * point stood right before them */
	if (len - i - 3 < 8 && p[i] == '0' && p[i + 1] == '.' &&
	    deckey_swar(p + i + 2, len - i - 2, neg, 1, key) == 0)
		return 0;
	return deckey_loop(p, len, i, neg, key);
}

/* Digits from p[*i] on into *m (leading zeros skipped); -1 past 19
 * significant digits. */
static int sig_digits(const char *p, size_t len, size_t *i, uint64_t *m, unsigned *nsig)
{
	while (*i < len && (unsigned)(p[*i] - '0') < 10) {
		unsigned d = (unsigned)(p[(*i)++] - '0');
		if (*m || d) {
			if (++*nsig > 19)
				return -1;
			*m = *m * 10 + d;
		}
	}
	return 0;
}

static int deckey_loop(const char *p, size_t len, size_t i, uint32_t neg, uint32_t *key)
{
	/* m holds the significant digits (leading zeros skipped), at most 19 of
	 * them; the value is m * 10^exp10. */
	uint64_t m = 0;
	unsigned nsig = 0;
	size_t start = i;
	if (sig_digits(p, len, &i, &m, &nsig))
		return -1;
	size_t ndigits = i - start;
	long exp10 = 0;
	if (i < len && p[i] == '.') {
		size_t f = ++i;
		if (sig_digits(p, len, &i, &m, &nsig))
			return -1;
		exp10 = -(long)(i - f);
		ndigits += i - f;
	}
	if (ndigits == 0)
		return -1;
	long e = 0;
	if (exponent(p, len, &i, &e))
		return -1;
	exp10 += e;
	if (m == 0) {
		*key = ASSAY_DECKEY_ZERO; /* -0 is 0 */
		return 0;
	}
	while (m >= 10000000u) { /* more than 7 digits: only trailing zeros may go */
		if (m % 10)
			return -1;
		m /= 10;
		exp10++;
	}
	while (m < 1000000u) {
		m *= 10;
		exp10--;
	}
	if (exp10 < ASSAY_DECKEY_QMIN || exp10 > ASSAY_DECKEY_QMAX)
		return -1;
	*key = deckey_make(neg, m, exp10);
	return 0;
}

/* At most one key has a given double: two different decimals of <= 7
 * digits differ by at least 1e-7 relative, far more than a rounding. So
 * the candidate M = round(|x| / 10^q) either decodes to x or no key does. */
int assay_deckey_from_double(double x, uint32_t *key)
{
	if (x == 0) {
		*key = ASSAY_DECKEY_ZERO;
		return 0;
	}
	if (!(x == x) || x - x != 0)
		return -1; /* nan, inf */
	int neg = x < 0;
	double ax = neg ? -x : x;
	if (!(ax >= 1e-16 && ax < 1e29))
		return -1;
	long q = (long)floor(log10(ax)) - 6;
	for (int tries = 0; tries < 3; tries++) {
		if (q < ASSAY_DECKEY_QMIN || q > ASSAY_DECKEY_QMAX)
			return -1;
		double md = q >= 0 ? ax / exact_pow10[q] : ax * exact_pow10[-q];
		double r = nearbyint(md);
		if (r >= 1e7) {
			q++;
			continue;
		}
		if (r < 1e6) {
			q--;
			continue;
		}
		uint32_t k = deckey_make(neg, (uint64_t)r, q);
		if (assay_deckey_value(k) != x)
			return -1;
		*key = k;
		return 0;
	}
	return -1;
}
