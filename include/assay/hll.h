/* assay/hll.h: HyperLogLog distinct counting (Flajolet, Fusy, Gandouet,
 * Meunier 2007) with 2^12 registers (whylogs' lg_k = 12) over a 64-bit
 * hash, linear counting for small ranges (Heule, Nunkesser, Hall 2013,
 * section 4), mergeable by register maximum. Standard error 1.04 /
 * sqrt(4096) = 1.6%. Also the 64-bit hash the profile uses everywhere. */
#ifndef ASSAY_HLL_H
#define ASSAY_HLL_H

#include <stddef.h>
#include <stdint.h>

#define ASSAY_HLL_LG_K 12
#define ASSAY_HLL_M    (1u << ASSAY_HLL_LG_K)

struct assay_hll;

struct assay_hll *assay_hll_new(void);
struct assay_hll *assay_hll_clone(const struct assay_hll *h);
void assay_hll_free(struct assay_hll *h);

void assay_hll_add_hash(struct assay_hll *h, uint64_t hash);
void assay_hll_merge(struct assay_hll *dst, const struct assay_hll *src);
double assay_hll_estimate(const struct assay_hll *h);

/* The ASSAY_HLL_M registers, for serialisation. */
const uint8_t *assay_hll_registers(const struct assay_hll *h);
/* NULL when a register exceeds 64 - lg_k + 1 (not a sketch) or out of memory. */
struct assay_hll *assay_hll_restore(const uint8_t *registers);

/* 64-bit hashes: bytes (strings), and a double's value (-0.0 is 0.0). */
uint64_t assay_hash64(const void *p, size_t n);
uint64_t assay_hash_double(double x);

#endif
