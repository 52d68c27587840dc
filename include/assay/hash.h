/* assay/hash.h: SHA-256 of buffers, streams and files (the input hashes
 * every result carries, evidence blobs, the audit chain), and hex. */
#ifndef ASSAY_HASH_H
#define ASSAY_HASH_H

#include <stddef.h>

#include "assay/error.h"

void assay_sha256_hex(const void *data, size_t len, char out[65]);
/* The SHA-256 of data[0..len) as 32 bytes. */
void assay_sha256(const void *data, size_t len, unsigned char out[32]);
/* n bytes as 2n lowercase hex digits and a NUL in out. */
void assay_hex(const void *bytes, size_t n, char *out);

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
