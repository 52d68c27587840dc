/* scan_internal.h: private to lib/io: what the two passes of
 * assay_source_scan() share: the pass state (scan.c), and the mapped pass
 * (scan_map.c) that reads the file through the same mappings as the
 * SHA-256 thread.
 */
#ifndef ASSAY_IO_SCAN_INTERNAL_H
#define ASSAY_IO_SCAN_INTERNAL_H

#include <stdatomic.h>

#include "assay/hash.h"
#include "io.h"

struct io_map;

/* What the threads of one pass share. */
struct assay_io_pass {
	const struct assay_source *src;
	struct assay_io_worker *ranges; /* n (= cap) ranges in file order */
	int n, cap;
	int used;                       /* threads of the last pass */
	_Atomic uint64_t lowest_failed; /* start of the first failed range */
	_Atomic uint64_t bytes_done;    /* bytes read by all ranges, for progress */
	struct io_map *map;             /* the mapped pass's mapping and chunks, or NULL */
};

/* A file read front to back a window at a time: each window mapped
 * read-only and populated in one call, then unmapped at the next (no copy
 * out of the page cache, pread cost ~0.1 s per GB here; at most one
 * window counts in the resident set), or read into a buffer where mapping
 * fails. For the hash threads (scan.c, hash_files.c). */
struct assay_io_window {
	int fd;
	uint64_t size, off;
	void *map;
	size_t mapped;
	char *buf;
};
void assay_io_window_init(struct assay_io_window *w, int fd, uint64_t size);
/* The file's next bytes, at most max (> 0, a multiple of the page
 * size), in *p and *n (*n = 0 at the
 * end), valid until the next call: 0, or an errno (ESPIPE: the file
 * shrank while it was read; ENOMEM). */
int assay_io_window_next(struct assay_io_window *w, size_t max, const char **p, size_t *n);
void assay_io_window_end(struct assay_io_window *w);

/* pread all of buf[0..n) from off: 0 or an errno (ESPIPE: the file shrank). */
int assay_io_read_at(int fd, char *buf, size_t n, uint64_t off);
/* w's buffer holds at least need bytes (plus ASSAY_IO_PAD): 0 or -1. */
int assay_io_grow(struct assay_io_worker *w, size_t need);
/* Mark w failed with rc (its err set unless already) and lower the pass's
 * first failed offset. */
void assay_io_fail(struct assay_io_worker *w, int rc);
/* The mapped pass (scan_map.c). assay_io_map_new() maps src and lays out
 * its chunks (NULL when it cannot: then read); the pass's ranges are the
 * chunks (assay_io_map_nchunks(), set up by assay_io_map_ranges() after
 * init_ranges). md is the digest the chunks are hashed into (set up by
 * the pass). */
struct io_map *assay_io_map_new(const struct assay_source *src, struct assay_sha256 *md);
void assay_io_map_free(struct io_map *m);
int assay_io_map_nchunks(const struct io_map *m);
void assay_io_map_ranges(struct assay_io_pass *ps);
/* Take and scan chunks with ctx until none is left (any number of
 * threads; report: call the progress function; hash: also feed the
 * digest, which at least one thread must; a thread without hash feeds it
 * until one with hash has started). */
void assay_io_map_work(struct io_map *m, struct assay_io_pass *ps, void *ctx, int report, int hash);
/* Wait until every chunk is scanned, or one failed (assay_io_map_failed). */
void assay_io_map_wait_parsed(struct io_map *m);
int assay_io_map_failed(const struct io_map *m);
/* Hash until every chunk is hashed (or one failed): a hashing worker's
 * last part, which no longer touches the pass (it may be gone). */
void assay_io_map_drain(struct io_map *m);
/* Hash the first chunk now (it may be hashed before it is tokenized): for
 * the caller, before it sets up the workers (~0.4 ms). */
void assay_io_map_hash_first(struct io_map *m);
/* Wait until every chunk is hashed (or one failed), dropping what is
 * hashed from the mapping meanwhile: for a thread that does not hash. */
void assay_io_map_wait_hashed(struct io_map *m);
/* After the pass: every byte was hashed (else a chunk failed). */
int assay_io_map_complete(const struct io_map *m);

#endif
