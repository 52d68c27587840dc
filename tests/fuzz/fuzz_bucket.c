/* fuzz_bucket.c: libFuzzer harness, differential, for the drift
 * comparison without a sort (lib/drift/bucket.c) against the sort and
 * merge walk it replaces (walk.c): bucket_check.h's checks (KS extremes
 * and bin counts bit for bit, quantile edges, W1 within rounding, the
 * exact std, the same bits from raw keys in any order and from packed
 * maps). `assay drift` takes this path only from 16,384 values a side,
 * which a fuzz input cannot reach as CSV; here the two columns are built
 * from the bytes directly, at any size.
 *
 * Input: byte 0 chooses the quantile bins (1 to 16); then 4 bytes an entry:
 * side (bit 0), copies (bits 1-3: 1 to 8), sign (bit 4), zero (bit 5),
 * near (bit 6: the mantissa is one of four adjacent ones, for ties and
 * neighbours); the exponent (byte 1: -6 to 6) and the mantissa (bytes 2
 * and 3). */
#include <stdint.h>
#include <stdlib.h>

#include "../unit/bucket_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	size_t k = 1 + (size_t)(data[0] & 15);
	size_t cap = (size - 1) / 4 * 8;
	uint32_t *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
	size_t n1 = 0, n2 = 0;
	for (size_t i = 1; i + 4 <= size; i += 4) {
		const uint8_t *e = data + i;
		int q = (int)(e[1] % 13) - 6;
		uint32_t m = e[0] & 64 ? 1000000u + (uint32_t)(e[3] & 3)
		                       : 1000000u + ((uint32_t)e[2] << 8 | e[3]) * 137u % 9000000u;
		uint32_t idx = (uint32_t)(q - ASSAY_DECKEY_QMIN) * 9000000u + (m - 1000000u);
		uint32_t key = e[0] & 32   ? ASSAY_DECKEY_ZERO
		               : e[0] & 16 ? ASSAY_DECKEY_ZERO - 1u - idx
		                           : ASSAY_DECKEY_ZERO + 1u + idx;
		for (int c = 0; c <= (e[0] >> 1 & 7); c++) {
			if (e[0] & 1)
				b[n2++] = key;
			else
				a[n1++] = key;
		}
	}
	if (n1 && n2) {
		uint64_t rng = 0x9e3779b97f4a7c15ULL ^ size;
		char msg[256];
		if (bucket_check(a, n1, b, n2, k, &rng, msg, sizeof msg)) {
			fprintf(stderr, "fuzz_bucket: n %zu/%zu k %zu: %s\n", n1, n2, k, msg);
			abort();
		}
	}
	free(a);
	free(b);
	return 0;
}
