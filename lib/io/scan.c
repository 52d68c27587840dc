/* scan.c: assay_source_scan(): one read of the file, split over workers,
 * with the input's SHA-256 computed alongside.
 *
 * Ranges: the data (after the header) is cut into one range per worker at
 * line starts: the first LF at or after each even split offset. Each
 * worker preads its range in fixed blocks (256 KiB), tokenizes the complete
 * rows of a block and carries the partial last row over to the next block
 * (a row longer than a block grows the buffer). Memory is O(workers x
 * block + longest row), not O(file): no mmap of the whole file.
 *
 * Quoted line breaks: a CSV split point can fall inside a quoted field.
 * Each worker assumes its range starts outside quotes and reports whether
 * it *ended* inside quotes. By induction from range 0 (which starts right
 * after the header, outside quotes), range k started correctly iff every
 * range before it started correctly and ended outside quotes. (This is
 * the parity-of-quote-bytes argument of RFC 4180, but exact even when a
 * lone '"' sits inside an unquoted field.) When a range ended inside
 * quotes, the parallel result is thrown away: the caller's reset function
 * clears every worker context and one worker rescans the whole file. It is
 * rare (a split must land on a quoted line break) and costs a second read.
 * JSONL strings cannot hold a raw LF, so JSONL never needs it.
 *
 * Errors: a worker stops at its first error. Workers after it stop early
 * too (their rows cannot matter); workers before it go on, because an
 * earlier error must win. After the join, ranges are walked in file
 * order: the first failed range gives the error, its relative line rebased
 * by the lines counted in the ranges before it.
 *
 * Blank lines at the end of the file are ignored; one in the middle is a
 * ragged row (or, with one column, an empty field). A worker cannot know
 * whether its trailing blank lines are followed by data in a later range,
 * so it leaves them pending and the walk after the join settles them.
 *
 * Hash: a dedicated thread reads the whole file sequentially (from the
 * page cache the workers fill) and feeds OpenSSL's EVP SHA-256 (SHA-NI
 * here, ~1.5 GB/s), concurrently with the workers. (Mapping 8 MiB windows
 * with MAP_POPULATE instead of preading saved under 2% of the CPU time and
 * would turn a file truncated during the scan into SIGBUS, so: pread.)
 *
 * Measured (2 vCPUs, AVX2, SHA-NI, page cache warm, machine otherwise
 * idle; the row function parses columns 0 and 2 with assay_parse_double;
 * gen_synth.py files, 18 columns, ~110 bytes a row):
 *     rows  bytes    workers+hash  wall          peak RSS (whole process)
 *     1M    110 MB   1 + 1         1.08-1.18 GB/s  6 MiB
 *     1M    110 MB   2 + 1         0.70-0.89 GB/s  6 MiB
 *     10M   1.10 GB  1 + 1         1.04-1.18 GB/s  6 MiB
 *     10M   1.10 GB  2 + 1         0.88-0.96 GB/s  6 MiB
 * CPU per GB: ~0.67 s SHA-256, ~0.35 s tokenizing, ~0.2 s number
 * parsing, ~0.25 s kernel copies (pread, both threads). The hash is one
 * sequential stream at ~1.5 GB/s, which bounds any scan of this design
 * on this CPU; hence the default of one worker per core but one (source.c).
 */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io.h"

#define MAX_ROW_BYTES ((size_t)1 << 30)

struct hasher {
	int fd;
	uint64_t size;
	atomic_int *stop;
	int failed; /* errno */
	unsigned char md[32];
};

static int read_at(int fd, char *buf, size_t n, uint64_t off)
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

/* The hash reads the file through read-only mappings of HASH_WINDOW bytes,
 * populated in one call and unmapped at once: no copy out of the page
 * cache (pread cost ~0.1 s per GB here), and at most one window counts in
 * the resident set. Falls back to pread where mapping fails. */
#define HASH_WINDOW ((size_t)8 << 20)

static void *hash_main(void *arg)
{
	struct hasher *h = arg;
	size_t bs = 1u << 18;
	char *buf = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		h->failed = ENOMEM;
		goto out;
	}
	for (uint64_t off = 0; off < h->size;) {
		if (atomic_load(h->stop))
			goto out;
		size_t n = h->size - off < HASH_WINDOW ? (size_t)(h->size - off) : HASH_WINDOW;
		void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, h->fd, (off_t)off);
		if (map != MAP_FAILED) {
			EVP_DigestUpdate(md, map, n);
			munmap(map, n);
			off += n;
			continue;
		}
		if (!buf && !(buf = malloc(bs))) {
			h->failed = ENOMEM;
			goto out;
		}
		n = n < bs ? n : bs;
		int e = read_at(h->fd, buf, n, off);
		if (e) {
			h->failed = e;
			goto out;
		}
		EVP_DigestUpdate(md, buf, n);
		off += n;
	}
	unsigned int len = 0;
	EVP_DigestFinal_ex(md, h->md, &len);
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return NULL;
}

static void fail(struct assay_io_worker *w, int rc)
{
	w->failed = 1;
	if (!w->err.code)
		w->err.code = rc;
	if (!w->err.message[0])
		snprintf(w->err.message, sizeof w->err.message, "the row function failed (code %d)", rc);
	int cur = atomic_load(w->lowest_failed);
	while (w->index < cur && !atomic_compare_exchange_weak(w->lowest_failed, &cur, w->index))
		;
}

static int grow(struct assay_io_worker *w, size_t need)
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
	const struct assay_source *src = w->src;
	int (*tokenize)(struct assay_io_worker *, char *, size_t, int, size_t *) =
	    src->format == ASSAY_FORMAT_JSONL ? assay_io_jsonl_tokenize : assay_io_csv_tokenize;
	uint64_t off = w->start;
	size_t carry = 0;
	for (;;) {
		if (atomic_load(w->lowest_failed) < w->index) {
			w->stopped = 1;
			return NULL;
		}
		/* A row longer than a block is re-tokenized from its start after
		 * each read: read at least as much as is carried, so the work
		 * stays linear in the row's length (doubling). */
		size_t want = carry > src->block ? carry : src->block;
		size_t n = w->end - off < want ? (size_t)(w->end - off) : want;
		if (carry > MAX_ROW_BYTES) {
			assay_error_set(&w->err, ASSAY_EINPUT, NULL, w->line, 1, "row is longer than %zu MiB",
			                MAX_ROW_BYTES >> 20);
			assay_error_hint(&w->err,
			                 "check the delimiter and the quoting: an unclosed quote makes "
			                 "the rest of the file one field");
			fail(w, ASSAY_EINPUT);
			return NULL;
		}
		if (grow(w, carry + n)) {
			assay_error_set(&w->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			fail(w, ASSAY_ENOMEM);
			return NULL;
		}
		int e = read_at(src->fd, w->buf + carry, n, off);
		if (e) {
			assay_error_set(&w->err, ASSAY_EIO, NULL, 0, 0, "cannot read: %s",
			                e == ESPIPE ? "the file changed while it was read" : strerror(e));
			fail(w, ASSAY_EIO);
			return NULL;
		}
		off += n;
		if (src->progress) {
			uint64_t done = atomic_fetch_add(w->bytes_done, n) + n;
			if (w->index == 0)
				src->progress(src->progress_ctx, done, src->size);
		}
		int final = off == w->end;
		size_t used = 0;
		int rc = tokenize(w, w->buf, carry + n, final, &used);
		if (rc) {
			fail(w, rc);
			return NULL;
		}
		if (final)
			return NULL;
		carry = carry + n - used;
		memmove(w->buf, w->buf + used, carry);
	}
}

/* bounds[0..n]: range k is [bounds[k], bounds[k+1]). */
static int split(const struct assay_source *src, int n, uint64_t *bounds)
{
	uint64_t d = src->data_offset, total = src->size - d;
	bounds[0] = d;
	bounds[n] = src->size;
	char buf[65536];
	for (int k = 1; k < n; k++) {
		uint64_t off = d + total / (uint64_t)n * (uint64_t)k;
		if (off < bounds[k - 1])
			off = bounds[k - 1];
		bounds[k] = src->size;
		while (off < src->size) {
			size_t len = src->size - off < sizeof buf ? (size_t)(src->size - off) : sizeof buf;
			if (read_at(src->fd, buf, len, off))
				return -1;
			const char *nl = memchr(buf, '\n', len);
			if (nl) {
				bounds[k] = off + (uint64_t)(nl - buf) + 1;
				break;
			}
			off += len;
		}
	}
	return 0;
}

static int deliver_blank(struct assay_io_worker *w, uint64_t line)
{
	static const char empty[1] = "";
	struct assay_field f = {.p = empty, .len = 0, .column = 1};
	struct assay_row row = {.fields = &f, .nfields = 1, .line = line};
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
	int rc = w->fn(w->ctx, &row, &w->err);
	if (rc)
		return rc;
	w->rows++;
	return 0;
}

static int init_worker(struct assay_io_worker *w, const struct assay_source *src, assay_row_fn fn, void *ctx,
                       int index, uint64_t start, uint64_t end, atomic_int *lowest)
{
	memset(w, 0, sizeof *w);
	w->src = src;
	w->fn = fn;
	w->ctx = ctx;
	w->index = index;
	w->start = start;
	w->end = end;
	w->line = 1;
	w->lowest_failed = lowest;
	w->fields = calloc(src->ncols ? src->ncols : 1, sizeof *w->fields);
	return w->fields ? 0 : -1;
}

static void free_worker(struct assay_io_worker *w)
{
	free(w->buf);
	free(w->fields);
	w->buf = NULL;
	w->fields = NULL;
}

/* Run workers over the ranges given by bounds. 1 = rescan needed. */
static int run_pass(const struct assay_source *src, assay_row_fn fn, void *const *ctx, int n,
                    const uint64_t *bounds, uint64_t *rows, struct assay_error *err)
{
	struct assay_io_worker *ws = calloc((size_t)n, sizeof *ws);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	int *started = calloc((size_t)n, sizeof *started);
	atomic_int lowest = INT_MAX;
	_Atomic uint64_t bytes_done = src->data_offset;
	int rc = 0;
	if (!ws || !th || !started) {
		rc = assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
		goto out;
	}
	for (int k = 0; k < n; k++) {
		if (init_worker(&ws[k], src, fn, ctx[k], k, bounds[k], bounds[k + 1], &lowest)) {
			rc = assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
			goto join;
		}
		ws[k].bytes_done = &bytes_done;
	}
	for (int k = 1; k < n; k++)
		started[k] = pthread_create(&th[k], NULL, worker_main, &ws[k]) == 0;
	worker_main(&ws[0]); /* the calling thread is worker 0 */
	for (int k = 1; k < n; k++)
		if (!started[k])
			worker_main(&ws[k]); /* no thread: run it here */
join:
	for (int k = 1; k < n; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	if (rc)
		goto out;

	/* Walk the ranges in file order (see the top comment). */
	uint64_t base = src->header_lines, total = 0;
	int pending_from = -1;
	for (int k = 0; k < n; k++) {
		struct assay_io_worker *w = &ws[k];
		w->base = base;
		if (k > 0 && ws[k - 1].ended_in_quotes) {
			rc = 1; /* range k started inside quotes: rescan */
			break;
		}
		if (w->stopped) {
			rc = assay_error_set(err, ASSAY_EINTERNAL, src->path, 0, 0,
			                     "scan: worker %d stopped early", k);
			break;
		}
		if (pending_from >= 0 && w->has_content) {
			/* blank lines at the end of earlier ranges are followed by data */
			for (int j = pending_from; j < k && !rc; j++) {
				struct assay_io_worker *pw = &ws[j];
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
out:
	for (int k = 0; ws && k < n; k++)
		free_worker(&ws[k]);
	free(ws);
	free(th);
	free(started);
	return rc;
}

int assay_source_scan(struct assay_source *src, assay_row_fn fn, assay_reset_fn reset,
                      void *const *worker_ctx, struct assay_source_stats *stats, struct assay_error *err)
{
	struct assay_error local;
	if (!err)
		err = &local;
	assay_error_clear(err);
	if (!src || !fn || !worker_ctx)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assay_source_scan: no source, row function or contexts");
	int n = src->threads;
	if (src->size - src->data_offset < src->min_split)
		n = 1;
	if (!reset && src->format == ASSAY_FORMAT_CSV)
		n = 1; /* a mis-split could not be undone */
	uint64_t *bounds = malloc(((size_t)n + 1) * sizeof *bounds);
	if (!bounds)
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	if (split(src, n, bounds)) {
		int e = errno;
		free(bounds);
		return assay_error_set(err, ASSAY_EIO, src->path, 0, 0, "cannot read: %s", strerror(e));
	}

	atomic_int stop_hash = 0;
	struct hasher h = {.fd = src->fd, .size = src->size, .stop = &stop_hash};
	pthread_t hth;
	int hash_thread = pthread_create(&hth, NULL, hash_main, &h) == 0;

	uint64_t rows = 0;
	int rc = run_pass(src, fn, worker_ctx, n, bounds, &rows, err);
	if (rc == 1) {
		/* A split fell inside a quoted field: forget the parallel rows and
		 * rescan sequentially (see the top comment). */
		for (int k = 0; k < n; k++)
			reset(worker_ctx[k]);
		n = 1;
		bounds[0] = src->data_offset;
		bounds[1] = src->size;
		assay_error_clear(err);
		rc = run_pass(src, fn, worker_ctx, 1, bounds, &rows, err);
	}
	free(bounds);
	if (rc)
		atomic_store(&stop_hash, 1);
	if (hash_thread)
		pthread_join(hth, NULL);
	else if (!rc)
		hash_main(&h);
	if (rc)
		return rc;
	if (h.failed)
		return assay_error_set(
		    err, h.failed == ENOMEM ? ASSAY_ENOMEM : ASSAY_EIO, src->path, 0, 0, "cannot read: %s",
		    h.failed == ESPIPE ? "the file changed while it was read" : strerror(h.failed));
	if (stats) {
		memset(stats, 0, sizeof *stats);
		stats->rows = rows;
		stats->bytes = src->size;
		memcpy(stats->sha256, h.md, 32);
		for (int i = 0; i < 32; i++)
			snprintf(stats->sha256_hex + 2 * i, 3, "%02x", h.md[i]);
		stats->workers_used = n;
	}
	return 0;
}
