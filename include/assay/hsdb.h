/* assay/hsdb.h: Hyperscan block-mode databases compiled once per machine.
 *
 * hs_compile_multi through an on-disk cache of compiled databases
 * (lib/scan/dbcache.c): a later process loads in milliseconds what took
 * hundreds to compile. Same arguments and return codes as
 * hs_compile_multi with HS_MODE_BLOCK and the host platform. cache_dir:
 * NULL for $ASSAY_CACHE_DIR, $XDG_CACHE_HOME/assay or ~/.cache/assay;
 * "off" to compile every time.
 */
#ifndef ASSAY_HSDB_H
#define ASSAY_HSDB_H

#include <hs/hs.h>

int assay_hs_compile_cached(hs_database_t **db, const char *const *expr, const unsigned *flags,
                            const unsigned *ids, unsigned n, const char *cache_dir, hs_compile_error_t **ce);

#endif
