/* atomic.c: write an output file atomically (assay/output.h).
 *
 * Render into a temporary file in the destination's directory, flush and
 * fsync it, then rename over the destination: readers see the old file or
 * the complete new one, and a failed render leaves nothing behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assay/output.h"

/* mkstemp creates 0600 files; a report should get the permissions any
 * new file gets: the destination's mode when it exists, else 0666 less the
 * umask, read from /proc (umask(2) cannot be read without changing it). */
static mode_t output_mode(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		return st.st_mode & 07777;
	mode_t mask = 022;
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Umask:", 6) == 0)
			mask = (mode_t)strtol(line + 6, NULL, 8);
	if (f)
		fclose(f);
	return 0666 & ~mask;
}

int assay_write_atomic(const char *path, assay_render_fn fn, void *ctx, struct assay_error *err)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp)
		return assay_error_set(err, ASSAY_ENOMEM, path, 0, 0, "out of memory");
	snprintf(tmp, n + 16, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot create the output file: %s",
		                       strerror(e));
	}
	fchmod(fd, output_mode(path));
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open the output file");
	}
	/* reports run to hundreds of KB: 64 KiB writes, not stdio's 4 KiB */
	setvbuf(f, NULL, _IOFBF, (size_t)1 << 16);
	int rc = fn(ctx, f, err);
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot write the output file: %s",
		                     strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot write the output file: %s",
		                     strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot replace the output file: %s",
		                     strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
