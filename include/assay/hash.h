/* assay/hash.h: SHA-256 of buffers, streams and files (the input hashes
 * every result carries, evidence blobs, the audit chain), and hex. */
#ifndef ASSAY_HASH_H
#define ASSAY_HASH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

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

/* Two SHA-256 streams fed together: where the CPU has the SHA extensions
 * their rounds are interleaved on one core, 1.32x the bytes per second of
 * one stream (which is bound by the rounds' latency); elsewhere two
 * OpenSSL contexts. The digests are SHA-256's, whatever the lengths and
 * however the bytes are split over calls. No allocation, no failure. */
struct assay_sha256_x2 {
	_Alignas(16) unsigned char state[256];
};

void assay_sha256_x2_init(struct assay_sha256_x2 *h);
/* na bytes more of stream a, nb of stream b (either may be 0) */
void assay_sha256_x2_update(struct assay_sha256_x2 *h, const void *a, size_t na, const void *b, size_t nb);
void assay_sha256_x2_final(struct assay_sha256_x2 *h, unsigned char a[32], unsigned char b[32]);
/* 1 where assay_sha256_x2 interleaves the two streams (SHA-NI) */
int assay_sha256_x2_accelerated(void);

/* The SHA-256 of two files, each read once, hashed together
 * (assay_sha256_x2) on the calling thread; size[i] gets file i's bytes.
 * done (may be NULL) follows the bytes of each file hashed so far, for
 * threads that pace themselves by it (assay_source_opts.hashed). Stops
 * early, with ASSAY_EINTERNAL and no message, once *stop (may be NULL) is
 * set. Errors name the file (cannot open, cannot read). */
int assay_sha256_file_pair(const char *const path[2], unsigned char md[2][32], uint64_t size[2],
                           _Atomic uint64_t done[2], const atomic_int *stop, struct assay_error *err);

#endif
