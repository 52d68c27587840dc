/* assay/hash.h: SHA-256 of buffers and files (hex), for the input hashes
 * every result carries. */
#ifndef ASSAY_HASH_H
#define ASSAY_HASH_H

#include <stddef.h>

#include "assay/error.h"

void assay_sha256_hex(const void *data, size_t len, char out[65]);
int assay_sha256_file_hex(const char *path, char out[65], struct assay_error *err);

#endif
