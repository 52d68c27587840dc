/* assay/arena.h: bump allocation per operation.
 *
 * An arena hands out memory from large blocks and frees it all at once,
 * so an operation (one eval, one plan parse) allocates freely and releases
 * everything with one assay_arena_free(). Nothing is freed individually.
 * Allocations are 16-byte aligned. Not thread-safe: one arena per thread.
 */
#ifndef ASSAY_ARENA_H
#define ASSAY_ARENA_H

#include <stddef.h>

struct assay_arena_block;

struct assay_arena {
	struct assay_arena_block *head;
	size_t block_size; /* size of new blocks: 64 KiB from assay_arena_init, may be set after it */
};

void assay_arena_init(struct assay_arena *a);
/* NULL when out of memory. */
void *assay_arena_alloc(struct assay_arena *a, size_t size);
void *assay_arena_calloc(struct assay_arena *a, size_t count, size_t size);
char *assay_arena_strndup(struct assay_arena *a, const char *s, size_t n);
char *assay_arena_strdup(struct assay_arena *a, const char *s);
char *assay_arena_printf(struct assay_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void assay_arena_free(struct assay_arena *a);

#endif
