/* hs_load.c: Hyperscan (libhs.so.5), loaded with dlopen() when a scanner
 * first needs it, not linked into the assay binary (hs_load.h).
 *
 * Why: libhs and the C++ runtime it brings (libstdc++, libgcc_s) were
 * loaded, relocated and initialised by every assay process, whatever it
 * did. Measured on this 2-core VM (perf stat, 50 runs each), an empty
 * program linked with all of assay's libraries starts in 3.0 ms of CPU and
 * 4.2 ms of wall, without libhs in 2.2 and 2.8 ms: ~1.3 ms of each `assay
 * eval`, `assay drift` or `assay --version` that never scans text. Commands
 * that scan load it on their first database (once per process,
 * thread-safe); a missing libhs is then an error of that command (the
 * wrappers return Hyperscan's own error codes), not of every command.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define ASSAY_HS_LOADER
#include "hs_load.h"

#define HS_SONAME "libhs.so.5"

static struct {
	hs_error_t (*compile_multi)(const char *const *, const unsigned int *, const unsigned int *,
	                            unsigned int, unsigned int, const hs_platform_info_t *, hs_database_t **,
	                            hs_compile_error_t **);
	hs_error_t (*free_compile_error)(hs_compile_error_t *);
	hs_error_t (*populate_platform)(hs_platform_info_t *);
	hs_error_t (*free_database)(hs_database_t *);
	hs_error_t (*serialize_database)(const hs_database_t *, char **, size_t *);
	hs_error_t (*deserialize_database)(const char *, const size_t, hs_database_t **);
	hs_error_t (*alloc_scratch)(const hs_database_t *, hs_scratch_t **);
	hs_error_t (*free_scratch)(hs_scratch_t *);
	hs_error_t (*scan)(const hs_database_t *, const char *, unsigned int, unsigned int, hs_scratch_t *,
	                   match_event_handler, void *);
	const char *(*version)(void);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded;
static char why[256];
/* what a compile returns when the library cannot be loaded */
static hs_compile_error_t load_error = {why, -1};

static void load(void)
{
	void *dl = dlopen(HS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *e = dlerror();
		snprintf(
		    why, sizeof why,
		    "Hyperscan cannot be loaded (%s); install it (Debian: apt-get install libhyperscan5)",
		    e ? e : HS_SONAME " not found");
		return;
	}
	struct {
		const char *name;
		void **slot;
	} fns[] = {
#define FN(f) {"hs_" #f, (void **)&api.f}
	    FN(compile_multi), FN(free_compile_error), FN(populate_platform),
	    FN(free_database), FN(serialize_database), FN(deserialize_database),
	    FN(alloc_scratch), FN(free_scratch),       FN(scan),
	    FN(version),
#undef FN
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		/* POSIX: a function pointer may be stored through a void *. */
		*fns[i].slot = dlsym(dl, fns[i].name);
		if (!*fns[i].slot) {
			snprintf(why, sizeof why, "%s has no %s: it is too old", HS_SONAME, fns[i].name);
			dlclose(dl);
			return;
		}
	}
	loaded = 1; /* kept loaded until the process exits */
}

static int ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

hs_error_t assay_hs_compile_multi(const char *const *expressions, const unsigned int *flags,
                                  const unsigned int *ids, unsigned int elements, unsigned int mode,
                                  const hs_platform_info_t *platform, hs_database_t **db,
                                  hs_compile_error_t **error)
{
	if (!ready()) {
		*db = NULL;
		*error = &load_error;
		return HS_COMPILER_ERROR;
	}
	return api.compile_multi(expressions, flags, ids, elements, mode, platform, db, error);
}

hs_error_t assay_hs_free_compile_error(hs_compile_error_t *error)
{
	if (!error || error == &load_error)
		return HS_SUCCESS;
	return ready() ? api.free_compile_error(error) : HS_INVALID;
}

hs_error_t assay_hs_populate_platform(hs_platform_info_t *platform)
{
	return ready() ? api.populate_platform(platform) : HS_ARCH_ERROR;
}

hs_error_t assay_hs_free_database(hs_database_t *db)
{
	if (!db)
		return HS_SUCCESS;
	return ready() ? api.free_database(db) : HS_INVALID;
}

hs_error_t assay_hs_serialize_database(const hs_database_t *db, char **bytes, size_t *length)
{
	return ready() ? api.serialize_database(db, bytes, length) : HS_INVALID;
}

hs_error_t assay_hs_deserialize_database(const char *bytes, const size_t length, hs_database_t **db)
{
	return ready() ? api.deserialize_database(bytes, length, db) : HS_INVALID;
}

hs_error_t assay_hs_alloc_scratch(const hs_database_t *db, hs_scratch_t **scratch)
{
	return ready() ? api.alloc_scratch(db, scratch) : HS_INVALID;
}

hs_error_t assay_hs_free_scratch(hs_scratch_t *scratch)
{
	if (!scratch)
		return HS_SUCCESS;
	return ready() ? api.free_scratch(scratch) : HS_INVALID;
}

hs_error_t assay_hs_scan(const hs_database_t *db, const char *data, unsigned int length, unsigned int flags,
                         hs_scratch_t *scratch, match_event_handler onEvent, void *context)
{
	/* a database exists only once loaded: one plain load on this hot path */
	return api.scan ? api.scan(db, data, length, flags, scratch, onEvent, context) : HS_INVALID;
}

const char *assay_hs_version(void)
{
	return ready() ? api.version() : why;
}
