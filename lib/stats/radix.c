/* radix.c: LSD radix sort of records keyed by a double (assay/radix.h).
 *
 * The key's bits are mapped to an unsigned integer that orders like the
 * double (flip every bit of negatives, only the sign bit of the rest),
 * then sorted 16 bits a pass: four stable counting passes, O(n) time and
 * n records of scratch. Below 4096 records qsort is as fast and needs no
 * scratch, so it is used there.
 *
 * Bare doubles (size 8, the profile's value buffers) take a faster path:
 * keys computed once into a scratch array, 11-bit digits (6 passes over
 * 2048 buckets that stay in L1/L2, where 65536 buckets scatter across the
 * cache), all six histograms counted in one read, and passes skipped when
 * every key has the same digit (the sign and exponent bits of data in a
 * narrow range). Measured on the 1M-row drift bench (250k values per
 * sort): 12% of the cycles -> see bench/README.md.
 *
 * Bare 32-bit keys (assay/deckey.h: short decimals of a profile): one
 * in-place MSD pass on the top 8 bits of the key's range, then each bucket
 * by 12-bit LSD passes in cache (see assay_radix_sort_u32).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assay/radix.h"

static uint64_t order_key(const void *rec)
{
	uint64_t bits;
	memcpy(&bits, rec, sizeof bits);
	return bits >> 63 ? ~bits : bits | 0x8000000000000000ULL;
}

static int cmp_records(const void *a, const void *b)
{
	uint64_t x = order_key(a), y = order_key(b);
	return (x > y) - (x < y);
}

#define DBITS   11
#define DBUCKET (1u << DBITS)
#define DPASSES 6 /* 6 * 11 >= 64 */

/* Bare doubles: sort their order keys, then write the doubles back. */
static int sort_bare_doubles(double *v, size_t n)
{
	uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	size_t *count = calloc((size_t)DPASSES * DBUCKET, sizeof *count);
	if (!a || !b || !count) {
		free(a);
		free(b);
		free(count);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = order_key(&v[i]);
		a[i] = k;
		for (int p = 0; p < DPASSES; p++)
			count[(size_t)p * DBUCKET + ((k >> (DBITS * p)) & (DBUCKET - 1))]++;
	}
	for (int p = 0; p < DPASSES; p++) {
		size_t *c = count + (size_t)p * DBUCKET, sum = 0;
		int trivial = 0;
		for (size_t d = 0; d < DBUCKET; d++) {
			size_t x = c[d];
			trivial |= x == n;
			c[d] = sum;
			sum += x;
		}
		if (trivial)
			continue; /* every key has this digit: the pass would copy */
		int shift = DBITS * p;
		for (size_t i = 0; i < n; i++) {
			uint64_t k = a[i];
			b[c[(k >> shift) & (DBUCKET - 1)]++] = k;
		}
		uint64_t *t = a;
		a = b;
		b = t;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t k = a[i];
		uint64_t bits = k >> 63 ? k & ~0x8000000000000000ULL : ~k;
		memcpy(&v[i], &bits, sizeof bits);
	}
	free(a);
	free(b);
	free(count);
	return 0;
}

int assay_radix_sort_doubles(void *records, size_t n, size_t size)
{
	if (n < 4096) {
		qsort(records, n, size, cmp_records);
		return 0;
	}
	if (size == sizeof(double) && sort_bare_doubles(records, n) == 0)
		return 0;
	unsigned char *src = records, *tmp = malloc(n * size);
	size_t *count = malloc(65536 * sizeof *count);
	if (!tmp || !count) {
		free(tmp);
		free(count);
		qsort(records, n, size, cmp_records);
		return -1;
	}
	unsigned char *a = src, *b = tmp;
	for (int pass = 0; pass < 4; pass++) {
		int shift = 16 * pass;
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(order_key(a + i * size) >> shift) & 0xffff]++;
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			memcpy(b + count[(order_key(a + i * size) >> shift) & 0xffff]++ * size, a + i * size,
			       size);
		unsigned char *t = a;
		a = b;
		b = t;
	}
	/* an even number of passes leaves the result in the caller's array */
	free(tmp);
	free(count);
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Sort b[0, n), whose keys differ only in the low `bits` bits of k - lo
 * (bits <= 24), by 12-bit LSD passes through tmp (n entries). */
static void lsd_low(uint32_t *v, uint32_t *tmp, size_t n, uint32_t lo, int bits)
{
	enum { B = 4096 };
	uint32_t c[B];
	uint32_t *a = v, *b = tmp;
	for (int shift = 0; shift < bits; shift += 12) {
		memset(c, 0, sizeof c);
		for (size_t i = 0; i < n; i++)
			c[((a[i] - lo) >> shift) & (B - 1)]++;
		uint32_t sum = 0;
		for (size_t d = 0; d < B; d++) {
			uint32_t x = c[d];
			c[d] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			b[c[((a[i] - lo) >> shift) & (B - 1)]++] = a[i];
		uint32_t *t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
}

static void insertion_u32(uint32_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t k = i;
		for (; k > 0 && v[k - 1] > x; k--)
			v[k] = v[k - 1];
		v[k] = x;
	}
}

/* In place but for a bucket-sized scratch: one MSD pass on the top 8 bits
 * of k - min (American flag sort: every key swapped into its bucket by
 * following cycles), then each bucket sorted on its remaining <= 24 bits by
 * LSD passes in cache. The scratch is the largest bucket (about n/256 on
 * spread data), where LSD on the whole array needs n more: on a 1M-row
 * drift, 2 MB a side less at the peak, when every column's keys are held. */
int assay_radix_sort_u32(uint32_t *v, size_t n)
{
	if (n < 2048) {
		qsort(v, n, sizeof *v, cmp_u32);
		return 0;
	}
	uint32_t lo = UINT32_MAX, hi = 0;
	for (size_t i = 0; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	if (lo == hi)
		return 0;
	int bits = 32 - __builtin_clz(hi - lo); /* of the range */
	int shift = bits > 8 ? bits - 8 : 0;
	size_t count[256] = {0}, next[256], end[256];
	for (size_t i = 0; i < n; i++)
		count[(v[i] - lo) >> shift]++;
	size_t sum = 0, most = 0;
	for (int d = 0; d < 256; d++) {
		next[d] = sum;
		sum += count[d];
		end[d] = sum;
		most = count[d] > most ? count[d] : most;
	}
	for (int d = 0; d < 256; d++)
		while (next[d] < end[d]) {
			uint32_t x = v[next[d]];
			unsigned e = (x - lo) >> shift;
			while (e != (unsigned)d) {
				uint32_t y = v[next[e]];
				v[next[e]++] = x;
				x = y;
				e = (x - lo) >> shift;
			}
			v[next[d]++] = x;
		}
	if (!shift)
		return 0; /* the top digit was the whole key */
	uint32_t *tmp = malloc(most * sizeof *tmp);
	if (!tmp) {
		qsort(v, n, sizeof *v, cmp_u32);
		return -1;
	}
	size_t at = 0;
	for (int d = 0; d < 256; d++) {
		size_t m = count[d];
		if (m > 64)
			lsd_low(v + at, tmp, m, lo, shift);
		else
			insertion_u32(v + at, m);
		at += m;
	}
	free(tmp);
	return 0;
}
