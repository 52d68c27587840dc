/* radix.c: LSD radix sort of records keyed by a double (assay/radix.h).
 *
 * The key's bits are mapped to an unsigned integer that orders like the
 * double (flip every bit of negatives, only the sign bit of the rest),
 * then sorted 16 bits a pass: four stable counting passes, O(n) time and
 * n records of scratch. Below 4096 records qsort is as fast and needs no
 * scratch, so it is used there.
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

int assay_radix_sort_doubles(void *records, size_t n, size_t size)
{
	if (n < 4096) {
		qsort(records, n, size, cmp_records);
		return 0;
	}
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
			memcpy(b + count[(order_key(a + i * size) >> shift) & 0xffff]++ * size, a + i * size, size);
		unsigned char *t = a;
		a = b;
		b = t;
	}
	/* an even number of passes leaves the result in the caller's array */
	free(tmp);
	free(count);
	return 0;
}
