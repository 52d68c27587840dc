/* assay/output.h: writing results to files atomically. */
#ifndef ASSAY_OUTPUT_H
#define ASSAY_OUTPUT_H

#include <stdio.h>

#include "assay/error.h"

/* Renders into the FILE it is given. */
typedef int (*assay_render_fn)(void *ctx, FILE *out, struct assay_error *err);

/* Write to `path` atomically: render into path.tmp.XXXXXX in the same
 * directory, fsync, rename. On any failure the temporary file is removed
 * and `path` keeps its previous content (or stays absent). */
int assay_write_atomic(const char *path, assay_render_fn fn, void *ctx, struct assay_error *err);

#endif
