/* xorshift.h: the tests' pseudo-random numbers, Marsaglia's xorshift64
 * (13, 7, 17): cheap, reproducible, and good enough to vary test inputs
 * (not the bootstrap's generator, which is lib/stats/resample.c's). */
#ifndef ASSAY_TEST_XORSHIFT_H
#define ASSAY_TEST_XORSHIFT_H

#include <stdint.h>

static inline uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif
