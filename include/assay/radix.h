/* assay/radix.h: sorting records by a double key in O(n).
 *
 * LSD radix sort, 16 bits a pass, of records whose first 8 bytes are the
 * bit pattern of a double (NaN excluded): ascending by value, -0.0 before
 * 0.0. Used to freeze large value -> count tables, where qsort's
 * comparisons dominated the time; and of bare 32-bit keys (assay/deckey.h). */
#ifndef ASSAY_RADIX_H
#define ASSAY_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sort n records of `size` bytes (a multiple of 8) in place; returns -1
 * when the scratch memory cannot be had (the records are then sorted
 * with qsort instead, still correctly). */
int assay_radix_sort_doubles(void *records, size_t n, size_t size);

/* Sort n unsigned 32-bit keys ascending in place (an MSD pass, then LSD
 * passes per bucket; scratch of about n/2 keys and the largest bucket);
 * -1 when scratch memory cannot be had (then sorted by qsort). */
int assay_radix_sort_u32(uint32_t *v, size_t n);

/* The same, with the caller's spare array of nscratch keys as the n/2
 * keys of scratch when it is large enough (its contents are lost), so
 * that a caller holding one sorts without allocating that much more. */
int assay_radix_sort_u32_scratch(uint32_t *v, size_t n, uint32_t *scratch, size_t nscratch);

#endif
