/* window.c: a file read front to back a window at a time, for the
 * threads that hash an input while others tokenize it (scan.c's read
 * pass, hash_files.c): see assay_io_window in scan_internal.h. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "scan_internal.h"

#define READ_BLOCK ((size_t)1 << 18) /* where mapping fails */

void assay_io_window_init(struct assay_io_window *w, int fd, uint64_t size)
{
	*w = (struct assay_io_window){.fd = fd, .size = size};
}

static void unmap(struct assay_io_window *w)
{
	if (w->map)
		munmap(w->map, w->mapped);
	w->map = NULL;
}

int assay_io_window_next(struct assay_io_window *w, size_t max, const char **p, size_t *n)
{
	unmap(w);
	*n = 0;
	if (w->off >= w->size)
		return 0;
	size_t want = w->size - w->off < max ? (size_t)(w->size - w->off) : max;
	void *map = mmap(NULL, want, PROT_READ, MAP_PRIVATE | MAP_POPULATE, w->fd, (off_t)w->off);
	if (map != MAP_FAILED) {
		w->map = map, w->mapped = want;
		*p = map;
	} else {
		if (!w->buf && !(w->buf = malloc(READ_BLOCK)))
			return ENOMEM;
		want = want < READ_BLOCK ? want : READ_BLOCK;
		int e = assay_io_read_at(w->fd, w->buf, want, w->off);
		if (e)
			return e;
		*p = w->buf;
	}
	w->off += want;
	*n = want;
	return 0;
}

void assay_io_window_end(struct assay_io_window *w)
{
	unmap(w);
	free(w->buf);
	w->buf = NULL;
}
