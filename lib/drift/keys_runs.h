/* keys_runs.h: private to lib/drift: the runs of a sorted array of
 * decimal keys (keys_runs.c), for pb_keys_to_map (profile_build.c); both
 * paths declared so that tests run each. */
#ifndef ASSAY_DRIFT_KEYS_RUNS_H
#define ASSAY_DRIFT_KEYS_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "assay/profile.h"

/* Sorted k[0, n) (n >= 1) -> its distinct keys in place, k[0, d), and in
 * m->kcount[0, d) (d bytes, allocated) each key's count: the count below
 * 255, else 255 and the count in m->big (prof_map_put_count, in index
 * order; *bigcap is m->big's capacity). Returns 0, or -1 when out of
 * memory (m->big). */
int drift_keys_runs(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap);
int drift_keys_runs_scalar(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap);
/* Only where drift_keys_runs_avx512_usable() (else the scalar path). */
int drift_keys_runs_avx512(uint32_t *k, size_t n, struct assay_numeric_map *m, size_t *bigcap);
int drift_keys_runs_avx512_usable(void);

#endif
