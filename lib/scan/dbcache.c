/* dbcache.c: compiled Hyperscan databases kept on disk between processes.
 *
 * Compiling the built-in detectors costs ~200 ms per process (bench/README.md),
 * more than scanning 100 MB of prose: every `assay scan` of a small file,
 * every check and red-team run paid it. A compiled database is serialised
 * (hs_serialize_database) into a cache directory under a name that is the
 * SHA-256 of everything that determines it: the Hyperscan version, the
 * target platform, the mode and every (pattern, flags, id). The file holds
 * the SHA-256 of its payload, checked before hs_deserialize_database (which
 * itself refuses another version or platform). Any failure (no directory,
 * a damaged or foreign file) falls back to compiling, and a fresh file
 * replaces the bad one; the cache never changes a result.
 *
 * assay/hsdb.h. Directory: opts->cache_dir, else $ASSAY_CACHE_DIR, else
 * $XDG_CACHE_HOME/assay, else $HOME/.cache/assay; "off" disables it.
 * Files are written atomically (temp file + rename), mode 0600 in a 0700
 * directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "assay/hash.h"
#include "assay/hsdb.h"
#include "hs_load.h"

#define CACHE_MAGIC "assay-hsdb-1\n"

static int cache_dir(const char *opt, char *out, size_t size)
{
	const char *d = opt && *opt ? opt : getenv("ASSAY_CACHE_DIR");
	if (d && *d) {
		if (strcmp(d, "off") == 0)
			return -1;
		snprintf(out, size, "%s", d);
	} else if ((d = getenv("XDG_CACHE_HOME")) && *d) {
		snprintf(out, size, "%s/assay", d);
	} else if ((d = getenv("HOME")) && *d) {
		snprintf(out, size, "%s/.cache/assay", d);
	} else {
		return -1;
	}
	return 0;
}

/* mkdir -p, 0700 for what it creates. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0700);
		*p = '/';
		if (rc && errno != EEXIST)
			return -1;
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

/* The cache key: everything hs_compile_multi's output depends on. */
static void cache_key(const char *const *expr, const unsigned *flags, const unsigned *ids, unsigned k,
                      char out[65])
{
	struct assay_sha256 c;
	unsigned char md[32];
	hs_platform_info_t plat;
	memset(&plat, 0, sizeof plat);
	hs_populate_platform(&plat);
	const char *ver = hs_version();
	assay_sha256_init(&c);
	assay_sha256_update(&c, CACHE_MAGIC, strlen(CACHE_MAGIC));
	assay_sha256_update(&c, ver, strlen(ver) + 1);
	assay_sha256_update(&c, &plat, sizeof plat);
	unsigned mode = HS_MODE_BLOCK;
	assay_sha256_update(&c, &mode, sizeof mode);
	for (unsigned i = 0; i < k; i++) {
		assay_sha256_update(&c, expr[i], strlen(expr[i]) + 1);
		assay_sha256_update(&c, &flags[i], sizeof flags[i]);
		assay_sha256_update(&c, &ids[i], sizeof ids[i]);
	}
	assay_sha256_final(&c, md);
	assay_hex(md, sizeof md, out);
}

/* A cached database, or NULL. File: magic, 32-byte SHA-256 of the
 * payload, payload (hs_serialize_database's bytes). */
static hs_database_t *load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	hs_database_t *db = NULL;
	size_t head = strlen(CACHE_MAGIC) + 32;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)head && st.st_size < (off_t)1 << 30) {
		size_t n = (size_t)st.st_size;
		char *buf = malloc(n);
		size_t got = 0;
		while (buf && got < n) {
			ssize_t r = read(fd, buf + got, n - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		unsigned char md[32];
		if (buf && got == n && memcmp(buf, CACHE_MAGIC, strlen(CACHE_MAGIC)) == 0) {
			assay_sha256(buf + head, n - head, md);
			if (memcmp(md, buf + strlen(CACHE_MAGIC), 32) != 0 ||
			    hs_deserialize_database(buf + head, n - head, &db) != HS_SUCCESS)
				db = NULL;
		}
		free(buf);
	}
	close(fd);
	return db;
}

static void store(const char *dir, const char *path, const hs_database_t *db)
{
	char *bytes = NULL;
	size_t n = 0;
	if (hs_serialize_database(db, &bytes, &n) != HS_SUCCESS)
		return;
	char tmp[600];
	snprintf(tmp, sizeof tmp, "%s/.tmp.XXXXXX", dir);
	int fd = mkstemp(tmp);
	if (fd >= 0) {
		unsigned char md[32];
		assay_sha256(bytes, n, md);
		int ok = write(fd, CACHE_MAGIC, strlen(CACHE_MAGIC)) == (ssize_t)strlen(CACHE_MAGIC) &&
		         write(fd, md, 32) == 32 && write(fd, bytes, n) == (ssize_t)n;
		ok &= close(fd) == 0;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(bytes);
}

int assay_hs_compile_cached(hs_database_t **db, const char *const *expr, const unsigned *flags,
                            const unsigned *ids, unsigned k, const char *dir_opt, hs_compile_error_t **ce)
{
	char dir[512], key[65], path[600];
	int cached = cache_dir(dir_opt, dir, sizeof dir) == 0;
	if (cached) {
		cache_key(expr, flags, ids, k, key);
		snprintf(path, sizeof path, "%s/hs-%s.db", dir, key);
		if ((*db = load(path)) != NULL)
			return HS_SUCCESS;
	}
	int rc = hs_compile_multi(expr, flags, ids, k, HS_MODE_BLOCK, NULL, db, ce);
	if (rc == HS_SUCCESS && cached && make_dirs(dir) == 0)
		store(dir, path, *db);
	return rc;
}
