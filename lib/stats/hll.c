/* hll.c: HyperLogLog with m = 2^12 registers and a 64-bit hash.
 *
 * A value's hash h picks register h >> 52 and stores rho, the 1-based
 * position of the first 1 bit in the remaining 52 bits (53 when none).
 * Estimate (Flajolet et al. 2007): E = alpha_m m^2 / sum 2^-M[j] with
 * alpha_m = 0.7213 / (1 + 1.079 / m); when E <= 2.5 m and V registers are
 * still zero, linear counting m ln(m / V) instead. With 64-bit hashes the
 * large-range correction of the 32-bit paper is not needed (Heule et al.
 * 2013). Relative standard error 1.04 / sqrt(m) = 1.63%.
 *
 * The hash is a simple multiply-xorshift mix over 8-byte words (written
 * here; its quality is checked by the HLL accuracy test). It is not
 * keyed: do not use it where an adversary picks the input to collide.
 *
 * Does not: use sparse or compressed register encodings (4 KiB per
 * sketch, always), or the empirical bias tables of HLL++.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hll.h"

struct assay_hll {
	uint8_t reg[ASSAY_HLL_M];
};

struct assay_hll *assay_hll_new(void)
{
	return calloc(1, sizeof(struct assay_hll));
}

struct assay_hll *assay_hll_clone(const struct assay_hll *h)
{
	struct assay_hll *c = malloc(sizeof *c);
	if (c)
		memcpy(c, h, sizeof *c);
	return c;
}

void assay_hll_free(struct assay_hll *h)
{
	free(h);
}

void assay_hll_add_hash(struct assay_hll *h, uint64_t hash)
{
	uint32_t j = (uint32_t)(hash >> (64 - ASSAY_HLL_LG_K));
	uint64_t w = hash << ASSAY_HLL_LG_K;
	uint8_t rho = w ? (uint8_t)(__builtin_clzll(w) + 1) : (uint8_t)(64 - ASSAY_HLL_LG_K + 1);
	if (rho > h->reg[j])
		h->reg[j] = rho;
}

void assay_hll_merge(struct assay_hll *dst, const struct assay_hll *src)
{
	for (size_t j = 0; j < ASSAY_HLL_M; j++)
		if (src->reg[j] > dst->reg[j])
			dst->reg[j] = src->reg[j];
}

double assay_hll_estimate(const struct assay_hll *h)
{
	const double m = ASSAY_HLL_M;
	double sum = 0;
	size_t zeros = 0;
	for (size_t j = 0; j < ASSAY_HLL_M; j++) {
		sum += ldexp(1.0, -(int)h->reg[j]);
		zeros += h->reg[j] == 0;
	}
	double alpha = 0.7213 / (1 + 1.079 / m);
	double e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / (double)zeros);
	return e;
}

const uint8_t *assay_hll_registers(const struct assay_hll *h)
{
	return h->reg;
}

struct assay_hll *assay_hll_restore(const uint8_t *registers)
{
	for (size_t j = 0; j < ASSAY_HLL_M; j++)
		if (registers[j] > 64 - ASSAY_HLL_LG_K + 1)
			return NULL;
	struct assay_hll *h = assay_hll_new();
	if (h)
		memcpy(h->reg, registers, ASSAY_HLL_M);
	return h;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xD6E8FEB86659FD93ULL;
	x ^= x >> 32;
	x *= 0xD6E8FEB86659FD93ULL;
	x ^= x >> 32;
	return x;
}

uint64_t assay_hash64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x243F6A8885A308D3ULL ^ ((uint64_t)n * 0x9E3779B97F4A7C15ULL);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ mix(w)) * 0x9FB21C651E98DF25ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ mix(w ^ ((uint64_t)n << 59))) * 0x9FB21C651E98DF25ULL;
	return mix(h);
}

uint64_t assay_hash_double(double x)
{
	if (x == 0)
		x = 0; /* -0.0 is 0.0 */
	uint64_t b;
	memcpy(&b, &x, 8);
	return mix(b ^ 0x5851F42D4C957F2DULL);
}
