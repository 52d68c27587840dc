/* arena.c: bump allocator (assay/arena.h).
 *
 * Blocks form a singly linked list, newest first. An allocation larger
 * than a quarter of the block size gets a block of its own, so big
 * requests do not waste the tail of the current block.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/arena.h"

struct assay_arena_block {
	struct assay_arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

void assay_arena_init(struct assay_arena *a)
{
	/* Sets every field: a struct on the stack may hold garbage. A caller
	 * wanting other block sizes sets block_size after this. */
	a->head = NULL;
	a->block_size = 64 * 1024;
}

void *assay_arena_alloc(struct assay_arena *a, size_t size)
{
	if (!a->block_size)
		a->block_size = 64 * 1024;
	size = (size + 15) & ~(size_t)15;
	if (size == 0)
		size = 16;
	struct assay_arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t bs = size > a->block_size / 4 ? size : a->block_size;
		struct assay_arena_block *nb = malloc(sizeof *nb + bs);
		if (!nb)
			return NULL;
		nb->size = bs;
		nb->used = 0;
		if (b && size > a->block_size / 4) {
			/* keep the partly used block at the head */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

void *assay_arena_calloc(struct assay_arena *a, size_t count, size_t size)
{
	if (size && count > (size_t)-1 / size)
		return NULL;
	void *p = assay_arena_alloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

char *assay_arena_strndup(struct assay_arena *a, const char *s, size_t n)
{
	char *p = assay_arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *assay_arena_strdup(struct assay_arena *a, const char *s)
{
	return assay_arena_strndup(a, s, strlen(s));
}

char *assay_arena_printf(struct assay_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = assay_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void assay_arena_free(struct assay_arena *a)
{
	struct assay_arena_block *b = a->head;
	while (b) {
		struct assay_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
