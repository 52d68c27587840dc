/* scan.c: assay_source_scan(): one read of the file, split over workers,
 * with the input's SHA-256 computed alongside.
 *
 * Two passes. Inputs worth splitting (at least min_split bytes of data,
 * and a scan that can be undone or cannot be mis-split: CSV with a reset
 * function, or JSONL) are read through one mapping by workers that also
 * hash (scan_map.c). The others, and files that cannot be mapped, take the
 * read pass below: the data (after the header) is cut into one range per
 * worker at line starts (the first LF at or after each even split offset);
 * each worker preads its range in fixed blocks (256 KiB), tokenizes the
 * complete rows of a block and carries the partial last row over to the
 * next block (a row longer than a block grows the buffer), while a hash
 * thread reads the whole file sequentially through 8 MiB read-only
 * mappings of the page cache (pread where mapping fails) and feeds
 * OpenSSL's SHA-256 (assay/hash.h). Memory is O(workers x block + longest row) in
 * both passes, not O(file).
 *
 * Quoted line breaks: a split point can fall inside a quoted field. Each
 * range assumes it starts outside quotes and reports whether it *ended*
 * inside quotes. By induction from range 0 (which starts right after the
 * header, outside quotes), range k started correctly iff every range
 * before it started correctly and ended outside quotes. (This is the
 * parity-of-quote-bytes argument of RFC 4180, but exact even when a lone
 * '"' sits inside an unquoted field.) When a range ended inside quotes,
 * the parallel result is thrown away: the caller's reset function clears
 * every worker context and one worker rescans the whole file. It is rare
 * (a split must land on a quoted line break) and costs a second read.
 * JSONL strings cannot hold a raw LF, so JSONL never needs it.
 *
 * Errors: a worker stops at its first error. Ranges after it stop early
 * too (their rows cannot matter); ranges before it go on, because an
 * earlier error must win. After the join, ranges are walked in file
 * order: the first failed range gives the error, its relative line rebased
 * by the lines counted in the ranges before it.
 *
 * Blank lines at the end of the file are ignored; one in the middle is a
 * ragged row (or, with one column, an empty field). A worker cannot know
 * whether its trailing blank lines are followed by data in a later range,
 * so it leaves them pending and the walk after the join settles them.
 *
 * Measured: bench/README.md (issue 2). The SHA-256 is one sequential
 * stream at ~1.44 GB/s on this CPU (SHA-NI), which bounds a scan of a
 * large file on any number of cores: the mapped pass tokenizes on the
 * other cores meanwhile, and lets its caller go on (assay_source_scan_start)
 * while the hash ends.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

#define MAX_ROW_BYTES ((size_t)1 << 30)

struct hasher {
	int fd;
	uint64_t size;
	atomic_int *stop;
	int failed; /* errno */
	unsigned char md[32];
};

int assay_io_read_at(int fd, char *buf, size_t n, uint64_t off)
{
	while (n) {
		ssize_t got = pread(fd, buf, n, (off_t)off);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (got == 0)
			return ESPIPE; /* the file shrank while reading */
		buf += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}

/* The hash reads the file a window at a time (assay_io_window). */
#define HASH_WINDOW ((size_t)8 << 20)

static void *hash_main(void *arg)
{
	struct hasher *h = arg;
	struct assay_io_window w;
	assay_io_window_init(&w, h->fd, h->size);
	struct assay_sha256 md;
	assay_sha256_init(&md);
	for (;;) {
		const char *p;
		size_t n;
		if (atomic_load(h->stop) || (h->failed = assay_io_window_next(&w, HASH_WINDOW, &p, &n)))
			break;
		if (!n) {
			assay_sha256_final(&md, h->md);
			break;
		}
		assay_sha256_update(&md, p, n);
	}
	assay_io_window_end(&w);
	return NULL;
}

void assay_io_fail(struct assay_io_worker *w, int rc)
{
	w->failed = 1;
	if (!w->err.code)
		w->err.code = rc;
	if (!w->err.message[0])
		snprintf(w->err.message, sizeof w->err.message, "the row function failed (code %d)", rc);
	uint64_t cur = atomic_load(&w->pass->lowest_failed);
	while (w->start < cur && !atomic_compare_exchange_weak(&w->pass->lowest_failed, &cur, w->start))
		;
}

int assay_io_grow(struct assay_io_worker *w, size_t need)
{
	if (w->buf && need <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : need ? need : 1;
	while (cap < need)
		cap *= 2;
	char *nb = realloc(w->buf, cap + ASSAY_IO_PAD);
	if (!nb)
		return -1;
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static void *worker_main(void *arg)
{
	struct assay_io_worker *w = arg;
	struct assay_io_pass *ps = w->pass;
	const struct assay_source *src = w->src;
	int (*tokenize)(struct assay_io_worker *, char *, size_t, int, size_t *) =
	    src->format == ASSAY_FORMAT_JSONL ? assay_io_jsonl_tokenize : assay_io_csv_tokenize;
	uint64_t off = w->start;
	size_t carry = 0;
	for (;;) {
		if (atomic_load(&ps->lowest_failed) < w->start) {
			w->stopped = 1;
			return NULL;
		}
		/* A row longer than a block is re-tokenized from its start after
		 * each read: read at least as much as is carried, so the work
		 * stays linear in the row's length (doubling). */
		size_t want = carry > src->block ? carry : src->block;
		uint64_t end = w->end;
		size_t n = end - off < want ? (size_t)(end - off) : want;
		if (carry > MAX_ROW_BYTES) {
			assay_error_set(&w->err, ASSAY_EINPUT, NULL, w->line, 1, "row is longer than %zu MiB",
			                MAX_ROW_BYTES >> 20);
			assay_error_hint(&w->err,
			                 "check the delimiter and the quoting: an unclosed quote makes "
			                 "the rest of the file one field");
			assay_io_fail(w, ASSAY_EINPUT);
			return NULL;
		}
		if (assay_io_grow(w, carry + n)) {
			assay_error_set(&w->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			assay_io_fail(w, ASSAY_ENOMEM);
			return NULL;
		}
		int e = assay_io_read_at(src->fd, w->buf + carry, n, off);
		if (e) {
			assay_error_set(&w->err, ASSAY_EIO, NULL, 0, 0, "cannot read: %s",
			                e == ESPIPE ? "the file changed while it was read" : strerror(e));
			assay_io_fail(w, ASSAY_EIO);
			return NULL;
		}
		off += n;
		if (src->progress) {
			uint64_t done = atomic_fetch_add(&ps->bytes_done, n) + n;
			if (w->index == 0)
				src->progress(src->progress_ctx, done, src->size);
		}
		int final = off == end;
		size_t used = 0;
		int rc = tokenize(w, w->buf, carry + n, final, &used);
		if (rc) {
			assay_io_fail(w, rc);
			return NULL;
		}
		if (final)
			return NULL;
		carry = carry + n - used;
		memmove(w->buf, w->buf + used, carry);
	}
}

/* The offset after the first LF at or after off and before end, or end. */
static uint64_t line_start_from(int fd, uint64_t off, uint64_t end)
{
	char buf[65536];
	while (off < end) {
		size_t len = end - off < sizeof buf ? (size_t)(end - off) : sizeof buf;
		if (assay_io_read_at(fd, buf, len, off))
			return end;
		const char *nl = memchr(buf, '\n', len);
		if (nl)
			return off + (uint64_t)(nl - buf) + 1;
		off += len;
	}
	return end;
}

/* bounds[0..n]: range k is [bounds[k], bounds[k+1]). */
static void split(const struct assay_source *src, int n, uint64_t *bounds)
{
	uint64_t d = src->data_offset, total = src->size - d;
	bounds[0] = d;
	bounds[n] = src->size;
	for (int k = 1; k < n; k++) {
		uint64_t off = d + total / (uint64_t)n * (uint64_t)k;
		bounds[k] = line_start_from(src->fd, off < bounds[k - 1] ? bounds[k - 1] : off, src->size);
	}
}

/* Before a range's first row: the caller's range function, if any
 * (assay_source_set_range_fn). */
static void range_begins(struct assay_io_worker *w)
{
	if (w->rows == 0 && w->src->range_fn)
		w->src->range_fn(w->ctx, w->start);
}

static int deliver_blank(struct assay_io_worker *w, uint64_t line)
{
	static const char empty[1] = "";
	struct assay_field f = {.p = empty, .len = 0, .column = 1};
	struct assay_row row = {.fields = &f, .nfields = 1, .line = line};
	range_begins(w);
	int rc = w->fn(w->ctx, &row, &w->err);
	if (rc) {
		if (!w->err.code)
			w->err.code = rc;
		return rc;
	}
	w->rows++;
	return 0;
}

/* The pending blank lines of w are followed by data: with one column they
 * are rows with an empty field, otherwise the first is a ragged row. */
static int flush_blanks(struct assay_io_worker *w)
{
	uint64_t n = w->pending_blanks, line = w->pending_line;
	w->pending_blanks = 0;
	if (w->src->ncols == 1) {
		for (uint64_t i = 0; i < n; i++) {
			int rc = deliver_blank(w, line + i);
			if (rc)
				return rc;
		}
		return 0;
	}
	assay_error_set(&w->err, ASSAY_EINPUT, NULL, line, 1,
	                "row has 1 field, the header has %zu (a blank line)", w->src->ncols);
	assay_error_hint(&w->err, "remove the blank line");
	return ASSAY_EINPUT;
}

int assay_io_row_done(struct assay_io_worker *w, uint64_t line, size_t nfields, int blank)
{
	if (blank) {
		if (w->pending_blanks++ == 0)
			w->pending_line = line;
		return 0;
	}
	w->has_content = 1;
	if (w->pending_blanks) {
		int rc = flush_blanks(w);
		if (rc)
			return rc;
	}
	size_t ncols = w->src->ncols;
	if (nfields != ncols) {
		assay_error_set(&w->err, ASSAY_EINPUT, NULL, line, 1, "row has %zu field%s, the %s has %zu",
		                nfields, nfields == 1 ? "" : "s",
		                w->src->names_from_opts ? "column list" : "header", ncols);
		assay_error_hint(&w->err,
		                 "a field that contains the delimiter '%c' must be quoted (\"a%cb\"); or is "
		                 "the delimiter another one (--delimiter)?",
		                 w->src->delim, w->src->delim);
		return ASSAY_EINPUT;
	}
	struct assay_row row = {.fields = w->fields, .nfields = ncols, .line = line};
	range_begins(w);
	int rc = w->fn(w->ctx, &row, &w->err);
	if (rc)
		return rc;
	w->rows++;
	return 0;
}

static void free_ranges(struct assay_io_pass *ps)
{
	for (int k = 0; ps->ranges && k < ps->cap; k++) {
		free(ps->ranges[k].buf);
		free(ps->ranges[k].fields);
	}
	free(ps->ranges);
	ps->ranges = NULL;
}

/* Allocate ps->ranges: n ranges from bounds (bounds NULL: all empty,
 * without contexts or fields: the mapped pass's chunks). */
static int init_ranges(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n,
                       const uint64_t *bounds)
{
	const struct assay_source *src = ps->src;
	ps->cap = ps->n = n;
	ps->ranges = calloc((size_t)ps->cap, sizeof *ps->ranges);
	if (!ps->ranges)
		return -1;
	for (int k = 0; k < ps->cap; k++) {
		struct assay_io_worker *w = &ps->ranges[k];
		w->src = src;
		w->fn = fn;
		w->ctx = bounds ? ctx[k] : NULL;
		w->index = k;
		w->start = bounds ? bounds[k] : 0;
		w->end = bounds ? bounds[k + 1] : 0;
		w->line = 1;
		w->pass = ps;
		/* a mapped pass's chunks borrow the fields of the thread that
		 * scans them */
		if (bounds && !(w->fields = calloc(src->ncols ? src->ncols : 1, sizeof *w->fields)))
			return -1;
	}
	return 0;
}

/* After the join: walk the nr ranges in file order (see the top
 * comment), rebase lines, settle pending blank lines, and find the first
 * error. 0, 1 = rescan needed, or an error code. */
static int walk(struct assay_io_pass *ps, int nr, uint64_t *rows, struct assay_error *err)
{
	const struct assay_source *src = ps->src;
	int rc = 0;
	uint64_t base = src->header_lines, total = 0;
	int pending_from = -1;
	for (int k = 0; k < nr; k++) {
		struct assay_io_worker *w = &ps->ranges[k];
		w->base = base;
		if (k > 0 && ps->ranges[k - 1].ended_in_quotes) {
			rc = 1; /* range k started inside quotes: rescan */
			break;
		}
		if (w->stopped) {
			rc = assay_error_set(err, ASSAY_EINTERNAL, src->path, 0, 0,
			                     "scan: the range at byte %llu stopped early",
			                     (unsigned long long)w->start);
			break;
		}
		if (pending_from >= 0 && w->has_content) {
			/* blank lines at the end of earlier ranges are followed by data */
			for (int i = pending_from; i < k && !rc; i++) {
				struct assay_io_worker *pw = &ps->ranges[i];
				uint64_t before = pw->rows;
				if (pw->pending_blanks && flush_blanks(pw)) {
					*err = pw->err;
					err->line += err->line ? pw->base : 0;
					rc = err->code ? err->code : ASSAY_EINTERNAL;
				}
				total += pw->rows - before;
			}
			pending_from = -1;
			if (rc)
				break;
		}
		if (w->failed) {
			*err = w->err;
			err->line += err->line ? base : 0;
			rc = err->code ? err->code : ASSAY_EINTERNAL;
			break;
		}
		total += w->rows;
		if (w->pending_blanks && pending_from < 0)
			pending_from = k;
		base += w->line - 1;
	}
	if (rc < 0)
		snprintf(err->file, sizeof err->file, "%s", src->path);
	*rows = total;
	ps->used = nr;
	return rc;
}

/* Run n workers over the ranges given by bounds. 1 = rescan needed. */
static int run_pass(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n,
                    const uint64_t *bounds, uint64_t *rows, struct assay_error *err)
{
	const struct assay_source *src = ps->src;
	pthread_t *th = calloc((size_t)n, sizeof *th);
	int *started = calloc((size_t)n, sizeof *started);
	int rc = 0;
	atomic_store(&ps->lowest_failed, UINT64_MAX);
	atomic_store(&ps->bytes_done, src->data_offset);
	if (!th || !started || init_ranges(ps, fn, ctx, n, bounds)) {
		rc = assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
		goto out;
	}
	for (int k = 1; k < n; k++)
		started[k] = pthread_create(&th[k], NULL, worker_main, &ps->ranges[k]) == 0;
	worker_main(&ps->ranges[0]); /* the calling thread is worker 0 */
	for (int k = 1; k < n; k++)
		if (!started[k])
			worker_main(&ps->ranges[k]); /* no thread: run it here */
	for (int k = 1; k < n; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	rc = walk(ps, n, rows, err);
out:
	free_ranges(ps);
	free(th);
	free(started);
	return rc;
}

/* The mapped pass (scan_map.c): its ranges are the chunks; the workers
 * hash them too (no hash thread). The calling thread only tokenizes (when
 * it has company), so that it can return once every row is delivered,
 * while the others finish the hash: see assay_source_scan_start. */
struct map_worker {
	struct assay_io_pass *ps; /* while scanning: the pass lives on the caller's stack */
	struct io_map *map;
	void *ctx;
};

static void *map_worker_main(void *arg)
{
	struct map_worker *mw = arg;
	assay_io_map_work(mw->map, mw->ps, mw->ctx, 0, 1);
	assay_io_map_drain(mw->map);
	return NULL;
}

/* A scan whose rows are all delivered, with its SHA-256 still running. */
struct assay_source_pending {
	struct io_map *map; /* NULL: done */
	struct assay_sha256 md;
	int n;
	pthread_t *th;
	int *started;
	struct map_worker *mw;
	uint64_t rows, bytes;
	int used;
	int no_hash; /* opts.no_hash: md_out stays zero */
	unsigned char md_out[32];
};

/* Join the hashing workers and read the digest; 0, or an errno. */
static int pending_join(struct assay_source_pending *p)
{
	if (p->map && p->n > 1)
		assay_io_map_wait_hashed(p->map);
	for (int k = 1; k < p->n; k++)
		if (p->started[k])
			pthread_join(p->th[k], NULL);
	int ok = p->map && assay_io_map_complete(p->map);
	if (ok && !p->no_hash)
		assay_sha256_final(&p->md, p->md_out);
	free(p->th), free(p->started), free(p->mw);
	p->th = NULL, p->started = NULL, p->mw = NULL, p->n = 0;
	assay_io_map_free(p->map);
	p->map = NULL;
	return ok ? 0 : EIO;
}

/* 0, 1 = rescan needed, an error, or 2 = the file cannot be mapped: read
 * it. On 0 the hash may still run in p (pending_join). */
static int map_pass(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n,
                    struct assay_source_pending *p, struct assay_error *err)
{
	const struct assay_source *src = ps->src;
	atomic_store(&ps->lowest_failed, UINT64_MAX);
	if (!(ps->map = p->map = assay_io_map_new(src, src->no_hash ? NULL : &p->md)))
		return 2;
	assay_io_map_hash_first(ps->map);
	if (init_ranges(ps, fn, ctx, assay_io_map_nchunks(ps->map), NULL)) {
		free_ranges(ps);
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	}
	assay_io_map_ranges(ps);
	p->th = calloc((size_t)n, sizeof *p->th);
	p->mw = calloc((size_t)n, sizeof *p->mw);
	p->started = calloc((size_t)n, sizeof *p->started);
	p->n = p->th && p->mw && p->started ? n : 1;
	int helpers = 0;
	for (int k = 1; k < p->n; k++) {
		p->mw[k] = (struct map_worker){ps, ps->map, ctx[k]};
		p->started[k] = pthread_create(&p->th[k], NULL, map_worker_main, &p->mw[k]) == 0;
		helpers += p->started[k];
	}
	/* alone, the caller hashes too */
	assay_io_map_work(ps->map, ps, ctx[0], 1, helpers == 0);
	if (!helpers)
		assay_io_map_drain(ps->map);
	assay_io_map_wait_parsed(ps->map);
	if (assay_io_map_failed(ps->map))
		pending_join(p); /* every range settled before the walk */
	int rc = walk(ps, ps->n, &p->rows, err);
	ps->used = p->n;
	free_ranges(ps);
	return rc;
}

int assay_source_scan_finish(struct assay_source_pending *p, struct assay_source_stats *stats,
                             struct assay_error *err)
{
	struct assay_error local;
	if (!err)
		err = &local;
	if (!p)
		return 0;
	int e = p->map ? pending_join(p) : 0;
	if (!e && stats) {
		assay_source_scan_counts(p, stats);
		if (!p->no_hash) {
			memcpy(stats->sha256, p->md_out, 32);
			assay_hex(p->md_out, 32, stats->sha256_hex);
		}
	}
	free(p);
	return e ? assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0,
	                           "scan: the input's hash was not completed")
	         : 0;
}

void assay_source_scan_counts(const struct assay_source_pending *p, struct assay_source_stats *stats)
{
	memset(stats, 0, sizeof *stats);
	stats->rows = p->rows;
	stats->bytes = p->bytes;
	stats->workers_used = p->used;
}

int assay_source_scan_hashing(const struct assay_source_pending *p)
{
	return p && p->map && !assay_io_map_complete(p->map);
}

int assay_source_scan(struct assay_source *src, assay_row_fn fn, assay_reset_fn reset,
                      void *const *worker_ctx, struct assay_source_stats *stats, struct assay_error *err)
{
	struct assay_source_pending *p = NULL;
	int rc = assay_source_scan_start(src, fn, reset, worker_ctx, &p, err);
	if (rc)
		return rc;
	return assay_source_scan_finish(p, stats, err);
}

int assay_source_scan_start(struct assay_source *src, assay_row_fn fn, assay_reset_fn reset,
                            void *const *worker_ctx, struct assay_source_pending **pending,
                            struct assay_error *err)
{
	struct assay_error local;
	if (!err)
		err = &local;
	assay_error_clear(err);
	if (!src || !fn || !worker_ctx)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assay_source_scan: no source, row function or contexts");
	int small = src->size - src->data_offset < src->min_split;
	struct assay_io_pass ps = {.src = src};
	atomic_int stop_hash = 0;
	struct hasher h = {.fd = src->fd, .size = src->size, .stop = &stop_hash};
	uint64_t rows = 0;
	int rc = 2, hashed = 0;
	struct assay_source_pending *p = calloc(1, sizeof *p);
	*pending = NULL;
	if (!p)
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	p->bytes = src->size;
	p->no_hash = src->no_hash;

	/* Inputs worth splitting, where a mis-split can be undone or cannot
	 * happen: the mapped pass (scan_map.c), which returns with the hash
	 * still running; 2 when the file cannot be mapped. */
	if (!small && !src->sequential && (reset || src->format == ASSAY_FORMAT_JSONL) && !src->no_map) {
		rc = map_pass(&ps, fn, worker_ctx, src->map_threads, p, err);
		if (rc == 0) {
			p->used = ps.used;
			*pending = p;
			return 0;
		}
		if (p->map) {
			/* a rescan follows (the hash is whole), or an error */
			hashed = pending_join(p) == 0;
			memcpy(h.md, p->md_out, sizeof h.md);
		}
	}

	/* The read pass, or the sequential rescan after a mis-split. */
	int n = small || src->sequential || (!reset && src->format == ASSAY_FORMAT_CSV) ? 1 : src->threads;
	uint64_t *bounds = malloc(((size_t)n + 1) * sizeof *bounds);
	if (!bounds)
		rc = assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	pthread_t hth;
	int hash_thread = 0;
	if (rc == 2) {
		split(src, n, bounds);
		hash_thread = !src->no_hash && pthread_create(&hth, NULL, hash_main, &h) == 0;
		rc = run_pass(&ps, fn, worker_ctx, n, bounds, &rows, err);
	}
	if (rc == 1) {
		/* A split fell inside a quoted field: forget the parallel rows and
		 * rescan sequentially (see the top comment). */
		for (int k = 0; k < assay_source_max_workers(src); k++)
			reset(worker_ctx[k]);
		bounds[0] = src->data_offset;
		bounds[1] = src->size;
		assay_error_clear(err);
		rc = run_pass(&ps, fn, worker_ctx, 1, bounds, &rows, err);
	}
	free(bounds);
	if (rc)
		atomic_store(&stop_hash, 1);
	if (hash_thread)
		pthread_join(hth, NULL);
	else if (!rc && !hashed && !src->no_hash)
		hash_main(&h);
	if (!rc && h.failed)
		rc = assay_error_set(
		    err, h.failed == ENOMEM ? ASSAY_ENOMEM : ASSAY_EIO, src->path, 0, 0, "cannot read: %s",
		    h.failed == ESPIPE ? "the file changed while it was read" : strerror(h.failed));
	if (rc) {
		free(p);
		return rc;
	}
	p->rows = rows;
	p->used = ps.used;
	memcpy(p->md_out, h.md, sizeof p->md_out);
	*pending = p;
	return 0;
}
