/* hs_load.h: private to lib/scan and lib/genai: the Hyperscan functions
 * assay calls, loaded with dlopen() on first use (hs_load.c) instead of
 * being linked. A file that includes this header calls hs_scan() and the
 * others as usual: the names below point them at the loader's wrappers.
 * Hyperscan's header still gives the types and checks the calls.
 */
#ifndef ASSAY_SCAN_HS_LOAD_H
#define ASSAY_SCAN_HS_LOAD_H

#include <hs/hs.h>

hs_error_t assay_hs_compile_multi(const char *const *expressions, const unsigned int *flags,
                                  const unsigned int *ids, unsigned int elements, unsigned int mode,
                                  const hs_platform_info_t *platform, hs_database_t **db,
                                  hs_compile_error_t **error);
hs_error_t assay_hs_free_compile_error(hs_compile_error_t *error);
hs_error_t assay_hs_populate_platform(hs_platform_info_t *platform);
hs_error_t assay_hs_free_database(hs_database_t *db);
hs_error_t assay_hs_serialize_database(const hs_database_t *db, char **bytes, size_t *length);
hs_error_t assay_hs_deserialize_database(const char *bytes, const size_t length, hs_database_t **db);
hs_error_t assay_hs_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch);
hs_error_t assay_hs_free_scratch(hs_scratch_t *scratch);
hs_error_t assay_hs_scan(const hs_database_t *db, const char *data, unsigned int length, unsigned int flags,
                         hs_scratch_t *scratch, match_event_handler onEvent, void *context);
const char *assay_hs_version(void);

#ifndef ASSAY_HS_LOADER
#define hs_compile_multi        assay_hs_compile_multi
#define hs_free_compile_error   assay_hs_free_compile_error
#define hs_populate_platform    assay_hs_populate_platform
#define hs_free_database        assay_hs_free_database
#define hs_serialize_database   assay_hs_serialize_database
#define hs_deserialize_database assay_hs_deserialize_database
#define hs_alloc_scratch        assay_hs_alloc_scratch
#define hs_free_scratch         assay_hs_free_scratch
#define hs_scan                 assay_hs_scan
#define hs_version              assay_hs_version
#endif

#endif
