/* profile_internal.h: what the profile files of lib/drift share: column
 * lifecycle, the column merge (also used to combine the per-worker results
 * of a build), and the derived parts (distinct, top-k). Private to
 * lib/drift. */
#ifndef ASSAY_PROFILE_INTERNAL_H
#define ASSAY_PROFILE_INTERNAL_H

#include <string.h>

#include "assay/profile.h"

/* Free a numeric map's arrays (either form), leave it zeroed. */
void prof_map_free(struct assay_numeric_map *m);
/* Packed maps: set count i (in ascending i; kcount holds n entries), a
 * count of 255 or more going to big (*bigcap its allocation). 0 or -1. */
int prof_map_put_count(struct assay_numeric_map *m, size_t *bigcap, size_t i, uint64_t c);

/* Free everything a column owns (not the struct itself), leave it zeroed. */
void prof_column_clear(struct assay_column_profile *c);
/* Deep copy; 0 or ASSAY_ENOMEM. */
int prof_column_copy(struct assay_column_profile *dst, const struct assay_column_profile *src);
/* dst += src (same column of disjoint rows). 0 or a negative code in err. */
int prof_column_merge(struct assay_column_profile *dst, const struct assay_column_profile *src, uint64_t cap,
                      size_t topk, struct assay_error *err);
/* Numeric exact map -> KLL + HLL (moments must already hold the map's);
 * categorical exact map -> HLL + Misra-Gries. 0 or -1 (out of memory). */
int prof_column_to_sketch(struct assay_column_profile *c, size_t topk);
/* Withhold a column's values (personal data): keep counts, type, distinct
 * and an HLL of its values; drop maps, sketches of values, min/max,
 * moments and top-k. 0 or -1 (out of memory). */
int prof_column_withhold(struct assay_column_profile *c, size_t topk);
/* Recompute distinct and the top-k list from the map or the sketches. */
int prof_column_finish(struct assay_column_profile *c, size_t topk);
/* An empty profile with n zeroed columns; NULL when out of memory. */
struct assay_profile *prof_new(size_t ncolumns);
/* Shortest decimal text of a finite double that reads back exactly
 * ("1", "0.1", "1e+300"); buf >= 32 bytes. */
void prof_format_double(double d, char *buf, size_t size);

/* Packed exact numeric maps in profile JSON (profile_json.c writes,
 * profile_json_read.c reads): keys are the order-preserving image of the
 * IEEE-754 bits (x >= 0: bits | 2^63; x < 0: ~bits). */
#define PROF_PACKED_PREFIX "kv1:"
/* The same with decimal keys (assay/deckey.h) instead of IEEE bits, when
 * every value of the map is a short decimal: ~3 bytes an entry on
 * six-digit data, and read straight into a packed map. */
#define PROF_DECKEY_PREFIX "dk1:"

static inline uint64_t prof_dkey(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

static inline double prof_dval(uint64_t k)
{
	uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

#endif
