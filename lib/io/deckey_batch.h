/* deckey_batch.h: the two paths of assay_deckey_parse_batch()
 * (deckey_batch.c), declared apart so that tests run both on any input;
 * callers use the public function, which picks one. */
#ifndef ASSAY_IO_DECKEY_BATCH_H
#define ASSAY_IO_DECKEY_BATCH_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU runs the AVX-512 path (F, BW, VL, VBMI and BMI2). */
int assay_deckey_batch_avx512_usable(void);
/* Only where assay_deckey_batch_avx512_usable() (else it is the scalar path). */
unsigned assay_deckey_parse_batch_avx512(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys);
unsigned assay_deckey_parse_batch_scalar(const char *const *p, const uint32_t *len, size_t n, uint32_t *keys);

#endif
