/* profile_helpers.h: what the profile tests share (test_profile.c,
 * test_deckey.c): building a file's profile and writing one to a string.
 * Include after testdir.h. */
#ifndef ASSAY_TEST_PROFILE_HELPERS_H
#define ASSAY_TEST_PROFILE_HELPERS_H

#include <stdio.h>
#include <stdlib.h>

#include "assay/profile.h"
#include "assay/source.h"

/* The profile of path with `threads` workers, a split size of one byte
 * and blocks of `block` bytes, so that the parallel path and the merge of
 * the workers' results run on small files. */
TESTDIR_UNUSED static struct assay_profile *profile_file(const char *path, uint64_t cap, int packed,
                                                         int threads, size_t block)
{
	struct assay_source_opts so = {
	    .path = path, .threads = threads, .min_split_bytes = 1, .block_bytes = block};
	struct assay_source *src = NULL;
	struct assay_error err;
	if (assay_source_open(&src, &so, &err))
		fail_err(&err);
	struct assay_profile_opts po = {.cap = cap, .packed = packed};
	struct assay_profile *p = NULL;
	if (assay_profile_build(src, &po, &p, &err))
		fail_err(&err);
	assay_source_free(src);
	return p;
}

/* The profile's JSON text (the caller frees it). */
TESTDIR_UNUSED static char *json_of(const struct assay_profile *p)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct assay_error err;
	if (assay_profile_write_json(p, f, &err))
		fail_err(&err);
	fclose(f);
	return buf;
}

#endif
