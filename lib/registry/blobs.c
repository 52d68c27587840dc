/* blobs.c: the content-addressed blob store beside the database
 * (assay/registry.h): "<db>.blobs/ab/cdef...", written atomically (temp
 * file, fsync, rename, fsync of the directory), verified on every read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assay/hash.h"
#include "registry_internal.h"

static int valid_sha(const char *h)
{
	if (!h || strlen(h) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	return 1;
}

const char *assay_blob_path(struct assay_store *s, const char *sha256, struct assay_arena *a)
{
	return assay_arena_printf(a, "%s/%.2s/%s", s->blob_dir, sha256, sha256 + 2);
}

static int mkdir_p(const char *dir, struct assay_error *err)
{
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	return assay_error_set(err, ASSAY_EIO, dir, 0, 0, "cannot create the blob directory: %s",
	                       strerror(errno));
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int record(struct assay_store *s, const char *sha, int64_t size, struct assay_error *err)
{
	char ts[ASSAY_TS_LEN];
	assay_ts_now(ts);
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(s, &st,
	                            "INSERT INTO blobs (sha256, size, created_at) VALUES (?1, ?2, ?3) "
	                            "ON CONFLICT (sha256) DO NOTHING",
	                            err);
	if (rc)
		return rc;
	assay_stmt_bind_text(st, 1, sha);
	assay_stmt_bind_int(st, 2, size);
	assay_stmt_bind_text(st, 3, ts);
	rc = assay_stmt_exec(st, err);
	assay_stmt_finalize(st);
	return rc;
}

/* Copy from fd (or buffer) into a temp file in the blob dir while hashing;
 * then rename it into place. */
static int put(struct assay_store *s, int in_fd, const void *data, size_t n, const char *name,
               char sha256[65], int64_t *size, struct assay_error *err)
{
	int rc = reg_need_write(s, "blob put", err);
	if (rc)
		return rc;
	if ((rc = mkdir_p(s->blob_dir, err)))
		return rc;
	size_t dl = strlen(s->blob_dir);
	char *tmp = malloc(dl + 32);
	if (!tmp)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	snprintf(tmp, dl + 32, "%s/.tmp.XXXXXX", s->blob_dir);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		rc = assay_error_set(err, ASSAY_EIO, s->blob_dir, 0, 0, "cannot create a temporary file: %s",
		                     strerror(errno));
		free(tmp);
		return rc;
	}
	struct assay_sha256 h;
	assay_sha256_init(&h);
	int64_t total = 0;
	if (in_fd >= 0) {
		unsigned char buf[1 << 16];
		ssize_t r;
		while ((r = read(in_fd, buf, sizeof buf)) > 0) {
			assay_sha256_update(&h, buf, (size_t)r);
			if (write(fd, buf, (size_t)r) != r) {
				rc = assay_error_set(err, ASSAY_EIO, tmp, 0, 0, "cannot write: %s",
				                     strerror(errno));
				break;
			}
			total += r;
		}
		if (!rc && r < 0)
			rc = assay_error_set(err, ASSAY_EIO, name, 0, 0, "cannot read: %s", strerror(errno));
	} else {
		assay_sha256_update(&h, data, n);
		if (n && write(fd, data, n) != (ssize_t)n)
			rc = assay_error_set(err, ASSAY_EIO, tmp, 0, 0, "cannot write: %s", strerror(errno));
		total = (int64_t)n;
	}
	if (!rc && fsync(fd) != 0)
		rc = assay_error_set(err, ASSAY_EIO, tmp, 0, 0, "cannot fsync: %s", strerror(errno));
	close(fd);
	unsigned char md[32];
	assay_sha256_final(&h, md);
	assay_hex(md, sizeof md, sha256);
	if (!rc) {
		char *sub = malloc(dl + 8);
		snprintf(sub, dl + 8, "%s/%.2s", s->blob_dir, sha256);
		rc = mkdir_p(sub, err);
		struct assay_arena a = {0};
		assay_arena_init(&a);
		const char *dst = assay_blob_path(s, sha256, &a);
		struct stat st;
		if (!rc && stat(dst, &st) == 0) {
			unlink(tmp); /* already stored: same content, same name */
		} else if (!rc) {
			chmod(tmp, 0444);
			if (rename(tmp, dst) != 0)
				rc = assay_error_set(err, ASSAY_EIO, dst, 0, 0, "cannot store the blob: %s",
				                     strerror(errno));
			else
				fsync_dir(sub);
		}
		assay_arena_free(&a);
		free(sub);
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	if (!rc)
		rc = record(s, sha256, total, err);
	if (!rc && size)
		*size = total;
	return rc;
}

int assay_blob_put_file(struct assay_store *s, const char *path, char sha256[65], int64_t *size,
                        struct assay_error *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "not a regular file");
	}
	int rc = put(s, fd, NULL, 0, path, sha256, size, err);
	close(fd);
	return rc;
}

int assay_blob_put(struct assay_store *s, const void *data, size_t n, char sha256[65],
                   struct assay_error *err)
{
	return put(s, -1, data, n, "(data)", sha256, NULL, err);
}

int assay_blob_get(struct assay_store *s, const char *sha256, struct assay_arena *a, void **data, size_t *n,
                   struct assay_error *err)
{
	if (!valid_sha(sha256))
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "\"%s\" is not a sha256 blob name",
		                       sha256 ? sha256 : "");
	const char *path = assay_blob_path(s, sha256, a);
	FILE *f = fopen(path, "rb");
	if (!f) {
		assay_error_set(err, ASSAY_EIO, path, 0, 0, "blob %s is missing: %s", sha256,
		                strerror(errno));
		assay_error_hint(
		    err, "the blob store beside the database is incomplete; restore it from a backup");
		return ASSAY_EIO;
	}
	struct stat st;
	fstat(fileno(f), &st);
	size_t len = (size_t)st.st_size;
	void *buf = assay_arena_alloc(a, len + 1);
	if (!buf) {
		fclose(f);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	size_t got = fread(buf, 1, len, f);
	fclose(f);
	((char *)buf)[got] = '\0';
	unsigned char md[32];
	char hex[65];
	assay_sha256(buf, got, md);
	assay_hex(md, sizeof md, hex);
	if (got != len || strcmp(hex, sha256) != 0) {
		assay_error_set(err, ASSAY_EINPUT, path, 0, 0, "blob %s is corrupt: its content hashes to %s",
		                sha256, hex);
		assay_error_hint(err, "the file was changed after it was stored; restore it from a backup");
		return ASSAY_EINPUT;
	}
	*data = buf;
	*n = got;
	return 0;
}
