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
#include <unistd.h>

#include "assay/output.h"

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
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot create the output file: %s", strerror(e));
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open the output file");
	}
	int rc = fn(ctx, f, err);
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot write the output file: %s", strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot write the output file: %s", strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot replace the output file: %s", strerror(errno));
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
