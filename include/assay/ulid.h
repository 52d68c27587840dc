/* assay/ulid.h: ULIDs, the identifiers of every registry entity.
 *
 * 26 characters of Crockford base32: 48 bits of milliseconds since the epoch
 * (assay_now_ms(), so ASSAY_NOW pins it) then 80 random bits from libsodium's
 * randombytes. Within one process and one millisecond the random part is
 * incremented (monotonic), so identifiers made in order sort in order.
 * Lexicographic order of ULIDs is creation-time order. */
#ifndef ASSAY_ULID_H
#define ASSAY_ULID_H

#include <stdint.h>

#include "assay/error.h"

#define ASSAY_ULID_LEN 27 /* 26 characters + NUL */

/* A new ULID; 0, or ASSAY_EINTERNAL when libsodium cannot start. */
int assay_ulid_new(char out[ASSAY_ULID_LEN], struct assay_error *err);
/* The same for an explicit time and randomness (tests). */
void assay_ulid_encode(uint64_t ms, const unsigned char random[10], char out[ASSAY_ULID_LEN]);
/* 1 when s is 26 Crockford base32 characters (upper or lower case) whose
 * value fits 128 bits, else 0. */
int assay_ulid_valid(const char *s);
/* The time part of a valid ULID, in milliseconds. */
uint64_t assay_ulid_time_ms(const char *s);

#endif
