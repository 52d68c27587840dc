/* assay/hash.h: SHA-256 of buffers and files (hex), for the input hashes
 * every result carries. */
#ifndef ASSAY_HASH_H
#define ASSAY_HASH_H

#include <stddef.h>

#include "assay/error.h"

void assay_sha256_hex(const void *data, size_t len, char out[65]);

/* A streaming SHA-256: init, update any number of times, final. Holds
 * OpenSSL's context (the bytes are its, opaque here); no allocation, no
 * failure. */
struct assay_sha256 {
	_Alignas(16) unsigned char state[128];
};

void assay_sha256_init(struct assay_sha256 *h);
void assay_sha256_update(struct assay_sha256 *h, const void *data, size_t len);
void assay_sha256_final(struct assay_sha256 *h, unsigned char out[32]);
int assay_sha256_file_hex(const char *path, char out[65], struct assay_error *err);

#endif
