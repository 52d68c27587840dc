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
 * out-of-place MSD pass on the top 11 bits of the keys' range with half
 * the array as scratch, then each bucket by one or two LSD passes in cache
 * (see assay_radix_sort_u32).
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

/* One bucket of the MSD pass, src[0, n) -> dst[0, n), sorted on the low
 * `bits` (<= 22) bits of k - lo by one or two LSD passes of at most 11
 * bits through scr, both histograms from one read. The bucket is small
 * (n / 2048 keys on spread data): it and the counters stay in L1/L2. */
static void bucket_lsd(const uint32_t *src, uint32_t *dst, uint32_t *scr, size_t n, uint32_t lo, int bits)
{
	if (n <= 32) {
		memcpy(dst, src, n * sizeof *dst);
		insertion_u32(dst, n);
		return;
	}
	uint32_t c[2][1u << 11];
	int two = bits > 11, w = two ? (bits + 1) / 2 : bits;
	uint32_t mask = (UINT32_C(1) << w) - 1;
	memset(c[0], 0, (mask + 1) * sizeof **c);
	if (!two) {
		for (size_t i = 0; i < n; i++)
			c[0][(src[i] - lo) & mask]++;
	} else {
		memset(c[1], 0, (mask + 1) * sizeof **c);
		for (size_t i = 0; i < n; i++) {
			uint32_t k = src[i] - lo;
			c[0][k & mask]++;
			c[1][(k >> w) & mask]++;
		}
	}
	/* a pass where every key has the same digit would only copy: skipped
	 * (a column of a few values, such as small integers, whose buckets
	 * hold one key each: 2 of the 3 reads and writes of every key) */
	int trivial[2] = {0, 0};
	for (int p = 0; p <= two; p++) {
		uint32_t sum = 0;
		for (uint32_t d = 0; d <= mask; d++) {
			uint32_t x = c[p][d];
			trivial[p] |= x == n;
			c[p][d] = sum;
			sum += x;
		}
	}
	if (trivial[0] && (!two || trivial[1])) {
		memcpy(dst, src, n * sizeof *dst);
		return;
	}
	if (!two || trivial[1] || trivial[0]) { /* one pass: on the digit that varies */
		int sh = !two || trivial[1] ? 0 : w, p = !two || trivial[1] ? 0 : 1;
		for (size_t i = 0; i < n; i++)
			dst[c[p][((src[i] - lo) >> sh) & mask]++] = src[i];
		return;
	}
	for (size_t i = 0; i < n; i++)
		scr[c[0][(src[i] - lo) & mask]++] = src[i];
	for (size_t i = 0; i < n; i++)
		dst[c[1][((scr[i] - lo) >> w) & mask]++] = scr[i];
}

/* One MSD pass on the top 11 bits of k - lo, then each bucket sorted on
 * its remaining <= 21 bits by LSD passes in cache (2048 buckets: n / 2048
 * keys each on spread data). The MSD pass is out of place (a sequential
 * read and 2048 write streams) but with half the scratch: the buckets are
 * split where the keys are halved; the lower buckets' keys are scattered
 * into the scratch while the upper ones are packed at the front of v,
 * moved to its end, and scattered in a second, shorter pass once the
 * lower buckets have been sorted back into v's front. Every key crosses
 * memory about three times, where an LSD sort on the whole array does six
 * (three passes, n keys of scratch) and the in-place MSD pass this
 * replaced followed cycles of dependent random accesses. Scratch: about
 * n/2 keys (the half's, + 1) and the largest bucket. On the drift bench's
 * columns: 12.3 -> 7.6-8.2 ns a key at 0.5M keys, 15.2 -> 11.6 at 5M
 * (bench/README.md). */
#define MSD_BITS 11
#define MSD_N    ((size_t)1 << MSD_BITS)

/* Buckets [d0, d1) of the MSD pass: their keys, scattered in tmp from
 * offset base (start[d] - base for bucket d), sorted into v + start[d]. */
static void sort_buckets(const size_t *start, size_t d0, size_t d1, size_t base, uint32_t *tmp, uint32_t *v,
                         uint32_t *scr, uint32_t lo, int shift)
{
	for (size_t d = d0; d < d1; d++)
		bucket_lsd(tmp + start[d] - base, v + start[d], scr, start[d + 1] - start[d], lo, shift);
}

int assay_radix_sort_u32(uint32_t *v, size_t n)
{
	return assay_radix_sort_u32_scratch(v, n, NULL, 0);
}

int assay_radix_sort_u32_scratch(uint32_t *v, size_t n, uint32_t *scratch, size_t nscratch)
{
	if (n < 2048 || n > UINT32_MAX) { /* a bucket's counters are 32 bits */
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
	int shift = bits > MSD_BITS ? bits - MSD_BITS : 0;
	size_t *start = calloc(2 * MSD_N + 1, sizeof *start), *pos = start + MSD_N + 1;
	if (!start) {
		qsort(v, n, sizeof *v, cmp_u32);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		start[(v[i] - lo) >> shift]++;
	/* start[d]: bucket d's first key; s: the first bucket of the upper
	 * part, whose keys begin at L <= n/2 */
	size_t sum = 0, most = 0, s = MSD_N;
	for (size_t d = 0; d < MSD_N; d++) {
		size_t x = start[d];
		start[d] = sum;
		if (s == MSD_N && sum + x > n / 2)
			s = d;
		sum += x;
		most = x > most ? x : most;
	}
	start[MSD_N] = n;
	size_t L = start[s], half = L > n - L ? L : n - L;
	int own = nscratch < half + 1; /* the caller's scratch is too small: ours */
	uint32_t *tmp = own ? malloc((half + 1) * sizeof *tmp) : scratch;
	uint32_t *scr = shift > 11 ? malloc(most * sizeof *scr) : NULL;
	if (!tmp || (shift > 11 && !scr)) {
		free(start);
		if (own)
			free(tmp);
		free(scr);
		qsort(v, n, sizeof *v, cmp_u32);
		return -1;
	}
	/* lower keys to their buckets in tmp, upper ones packed at v's front
	 * (w <= i: nothing unread is overwritten); without branches, the
	 * upper buckets' slot being tmp[L], a dummy */
	for (size_t d = 0; d < MSD_N; d++)
		pos[d] = d < s ? start[d] : L;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t x = v[i];
		size_t d = (x - lo) >> shift, at = pos[d];
		size_t up = d >= s;
		tmp[at] = x;
		pos[d] = at + (up ^ 1);
		v[w] = x;
		w += up;
	}
	memmove(v + L, v, (n - L) * sizeof *v);
	sort_buckets(start, 0, s, 0, tmp, v, scr, lo, shift);
	for (size_t d = s; d < MSD_N; d++)
		pos[d] = start[d] - L;
	for (size_t i = L; i < n; i++) {
		uint32_t x = v[i];
		tmp[pos[(x - lo) >> shift]++] = x;
	}
	sort_buckets(start, s, MSD_N, L, tmp, v, scr, lo, shift);
	free(start);
	if (own)
		free(tmp);
	free(scr);
	return 0;
}
