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
 * Hash: a dedicated thread reads the whole file sequentially through
 * 8 MiB read-only mappings of the page cache the workers fill (pread
 * where mapping fails) and feeds OpenSSL's EVP SHA-256 (SHA-NI here,
 * ~1.5 GB/s), concurrently with the workers. When it is done it steals:
 * it takes the second half of what the busiest range has left, cut at a
 * line start chosen by quote parity, as a range of its own (steal_once),
 * so that both cores stay busy to the end. Its ranges use one more
 * worker context (assay_source_max_workers counts it).
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
 * on this CPU; hence the default of one worker per core but one (source.c),
 * and the hash thread's stealing, which puts the core the hash leaves idle
 * (about a third of a 1-worker scan) to work.
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
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

#define MAX_ROW_BYTES ((size_t)1 << 30)

struct hasher {
	int fd;
	uint64_t size;
	atomic_int *stop;
	struct assay_io_pass *pass; /* steal from it once hashed; NULL: do not */
	int failed;                 /* errno */
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

/* The hash reads the file through read-only mappings of HASH_WINDOW bytes,
 * populated in one call and unmapped at once: no copy out of the page
 * cache (pread cost ~0.1 s per GB here), and at most one window counts in
 * the resident set. Falls back to pread where mapping fails. */
#define HASH_WINDOW ((size_t)8 << 20)

static int steal_once(struct assay_io_pass *ps);

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
		int e = assay_io_read_at(h->fd, buf, n, off);
		if (e) {
			h->failed = e;
			goto out;
		}
		EVP_DigestUpdate(md, buf, n);
		off += n;
	}
	unsigned int len = 0;
	EVP_DigestFinal_ex(md, h->md, &len);
	EVP_MD_CTX_free(md);
	free(buf);
	while (h->pass && steal_once(h->pass))
		;
	return NULL;
out:
	EVP_MD_CTX_free(md);
	free(buf);
	return NULL;
}

void assay_io_fail(struct assay_io_worker *w, int rc)
{
	pthread_mutex_lock(&w->pass->mu); /* the thief reads it (steal_once) */
	w->failed = 1;
	pthread_mutex_unlock(&w->pass->mu);
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
			pthread_mutex_lock(&ps->mu);
			w->stopped = 1;
			pthread_mutex_unlock(&ps->mu);
			return NULL;
		}
		/* A row longer than a block is re-tokenized from its start after
		 * each read: read at least as much as is carried, so the work
		 * stays linear in the row's length (doubling). */
		size_t want = carry > src->block ? carry : src->block;
		/* Claim the block: a thief may lower w->end, but never below
		 * what is claimed. */
		pthread_mutex_lock(&ps->mu);
		uint64_t end = w->end;
		size_t n = end - off < want ? (size_t)(end - off) : want;
		w->claimed = off + n;
		w->anchor = off - carry; /* the carried row's start */
		pthread_mutex_unlock(&ps->mu);
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

/* Number of '"' bytes in p[0..n). A thief counts from its victim's row
 * start to the cut (megabytes): built with the POPCNT instruction where the
 * CPU has it (libgcc's table routine was 0.5% of a 1M-row eval), 64 bytes
 * a count. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
uint64_t assay_io_count_quotes(const char *p, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i vq = _mm_set1_epi8('"');
	for (; i + 64 <= n; i += 64) {
		uint64_t m = 0;
		for (int k = 0; k < 4; k++) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16 * k));
			m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) << (16 * k);
		}
		c += (uint64_t)__builtin_popcountll(m);
	}
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		c += (uint64_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '"';
	return c;
}

/* The first line start at or after off and before end (the offset after
 * an LF), or end when there is none. With quotes (CSV), off is not
 * itself a candidate: anchor <= off is a row start known to lie outside
 * quotes, and the LF taken is the first at or after off with an even
 * number of '"' bytes since anchor, i.e. outside quotes in any file
 * where '"' appears only in quoted fields (RFC 4180); a literal '"' in an
 * unquoted field can still mislead it, which the rescan catches. */
uint64_t assay_io_line_start(int fd, uint64_t off, uint64_t end, int quotes, uint64_t anchor)
{
	char buf[65536];
	uint64_t odd = 0;
	for (uint64_t a = anchor; quotes && a < off;) {
		size_t len = off - a < sizeof buf ? (size_t)(off - a) : sizeof buf;
		if (assay_io_read_at(fd, buf, len, a))
			return end;
		odd ^= assay_io_count_quotes(buf, len) & 1;
		a += len;
	}
	while (off < end) {
		size_t len = end - off < sizeof buf ? (size_t)(end - off) : sizeof buf;
		if (assay_io_read_at(fd, buf, len, off))
			return end;
		if (!quotes) {
			const char *nl = memchr(buf, '\n', len);
			if (nl)
				return off + (uint64_t)(nl - buf) + 1;
		} else {
			for (size_t i = 0; i < len; i++) {
				if (buf[i] == '"')
					odd ^= 1;
				else if (buf[i] == '\n' && !odd)
					return off + i + 1;
			}
		}
		off += len;
	}
	return end;
}

/* Work stealing. The SHA-256 thread is busy for about as long as a
 * worker, but not as long: on two cores, one worker plus the hash left a
 * core idle for the last ~30% of a scan. Once the hash is done, its
 * thread takes the second half of the unclaimed bytes of the range with
 * the most left, cut at a line start, as a new range of its own, and
 * repeats while anything worth taking is left. Each range's rows stay
 * contiguous, so the file-order walk after the join (run_pass) and the
 * quoted-line-break argument at the top of this file hold unchanged.
 * Measured: see bench/README.md (issue 2). */
#define MAX_STEALS 8 /* ranges one scan's thief may take */

/* Tails shorter than this are not worth a range: a quarter of the split
 * threshold (2 MiB by default), at least two blocks. */
static uint64_t steal_min(const struct assay_source *src)
{
	uint64_t m = src->min_split / 4, b = 2 * (uint64_t)src->block;
	return m > b ? m : b;
}

static int steal_once(struct assay_io_pass *ps)
{
	for (;;) {
		pthread_mutex_lock(&ps->mu);
		struct assay_io_worker *v = NULL;
		uint64_t best = 0;
		for (int k = 0; ps->steal && !ps->closed && k < ps->n; k++) {
			struct assay_io_worker *w = &ps->ranges[k];
			if (!w->failed && !w->stopped && w->end - w->claimed > best) {
				best = w->end - w->claimed;
				v = w;
			}
		}
		if (!v || best < steal_min(ps->src) || ps->n == ps->cap ||
		    atomic_load(&ps->lowest_failed) != UINT64_MAX) {
			pthread_mutex_unlock(&ps->mu);
			return 0;
		}
		uint64_t end = v->end, mid = v->claimed + best / 2, anchor = v->anchor;
		/* Counted as thieving from here on, so that run_pass does not
		 * free the ranges (v) while the cut is looked for unlocked. */
		ps->thieving++;
		pthread_mutex_unlock(&ps->mu);
		uint64_t cut =
		    assay_io_line_start(ps->src->fd, mid, end, ps->src->format == ASSAY_FORMAT_CSV, anchor);
		pthread_mutex_lock(&ps->mu);
		if (cut >= end || ps->closed || v->end != end || v->claimed >= cut) {
			/* the rest is one line, the pass is over, or the victim
			 * moved on meanwhile (then look again) */
			int again = cut < end && !ps->closed;
			ps->thieving--;
			pthread_cond_broadcast(&ps->idle);
			pthread_mutex_unlock(&ps->mu);
			if (again)
				continue;
			return 0;
		}
		struct assay_io_worker *r = &ps->ranges[ps->n];
		r->start = cut;
		r->end = end;
		r->claimed = r->anchor = cut;
		r->ctx = ps->thief_ctx;
		v->end = cut;
		ps->n++;
		pthread_mutex_unlock(&ps->mu);
		worker_main(r);
		pthread_mutex_lock(&ps->mu);
		ps->thieving--;
		pthread_cond_broadcast(&ps->idle);
		pthread_mutex_unlock(&ps->mu);
		return 1;
	}
}

/* bounds[0..n]: range k is [bounds[k], bounds[k+1]). */
static void split(const struct assay_source *src, int n, uint64_t *bounds)
{
	uint64_t d = src->data_offset, total = src->size - d;
	bounds[0] = d;
	bounds[n] = src->size;
	for (int k = 1; k < n; k++) {
		uint64_t off = d + total / (uint64_t)n * (uint64_t)k;
		bounds[k] =
		    assay_io_line_start(src->fd, off < bounds[k - 1] ? bounds[k - 1] : off, src->size, 0, 0);
	}
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

static void free_ranges(struct assay_io_pass *ps)
{
	for (int k = 0; ps->ranges && k < ps->cap; k++) {
		free(ps->ranges[k].buf);
		free(ps->ranges[k].fields);
	}
	free(ps->ranges);
	ps->ranges = NULL;
}

/* Allocate ps->ranges: n workers' ranges from bounds, and room for the
 * thief's (initialised when stolen). */
static int init_ranges(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n, int extra,
                       const uint64_t *bounds)
{
	const struct assay_source *src = ps->src;
	ps->cap = n + extra;
	ps->n = 0;
	ps->ranges = calloc((size_t)ps->cap, sizeof *ps->ranges);
	if (!ps->ranges)
		return -1;
	for (int k = 0; k < ps->cap; k++) {
		struct assay_io_worker *w = &ps->ranges[k];
		w->src = src;
		w->fn = fn;
		w->ctx = k < n ? ctx[k] : NULL;
		w->index = k;
		w->start = w->claimed = w->anchor = k < n ? bounds[k] : 0;
		w->end = k < n ? bounds[k + 1] : 0;
		w->line = 1;
		w->pass = ps;
		w->fields = calloc(src->ncols ? src->ncols : 1, sizeof *w->fields);
		if (!w->fields)
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
	int *order = calloc((size_t)nr + 1, sizeof *order);
	if (!order)
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	/* insertion sort: the ranges are in order but for stolen ones */
	for (int k = 0; k < nr; k++) {
		int j = k;
		while (j > 0 && ps->ranges[order[j - 1]].start > ps->ranges[k].start) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	int rc = 0;
	uint64_t base = src->header_lines, total = 0;
	int pending_from = -1;
	for (int k = 0; k < nr; k++) {
		struct assay_io_worker *w = &ps->ranges[order[k]];
		w->base = base;
		if (k > 0 && ps->ranges[order[k - 1]].ended_in_quotes) {
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
				struct assay_io_worker *pw = &ps->ranges[order[i]];
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
	free(order);
	return rc;
}

/* Run n workers over the ranges given by bounds (the hash thread may add
 * ranges: see steal_once). 1 = rescan needed. */
static int run_pass(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n, int steal,
                    const uint64_t *bounds, uint64_t *rows, struct assay_error *err)
{
	const struct assay_source *src = ps->src;
	pthread_t *th = calloc((size_t)n, sizeof *th);
	int *started = calloc((size_t)n, sizeof *started);
	int rc = 0;
	atomic_store(&ps->lowest_failed, UINT64_MAX);
	atomic_store(&ps->bytes_done, src->data_offset);
	if (!th || !started || init_ranges(ps, fn, ctx, n, steal ? MAX_STEALS : 0, bounds)) {
		rc = assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&ps->mu);
	ps->n = n;
	ps->closed = 0;
	ps->steal = steal;
	ps->thief_ctx = steal ? ctx[assay_source_max_workers(src) - 1] : NULL;
	pthread_mutex_unlock(&ps->mu);
	for (int k = 1; k < n; k++)
		started[k] = pthread_create(&th[k], NULL, worker_main, &ps->ranges[k]) == 0;
	worker_main(&ps->ranges[0]); /* the calling thread is worker 0 */
	for (int k = 1; k < n; k++)
		if (!started[k])
			worker_main(&ps->ranges[k]); /* no thread: run it here */
	for (int k = 1; k < n; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	/* No more steals; wait for the ranges already stolen. */
	pthread_mutex_lock(&ps->mu);
	ps->closed = 1;
	while (ps->thieving)
		pthread_cond_wait(&ps->idle, &ps->mu);
	int nr = ps->n;
	pthread_mutex_unlock(&ps->mu);
	rc = walk(ps, nr, rows, err);
out:
	free_ranges(ps);
	free(th);
	free(started);
	return rc;
}

/* The mapped pass (scan_map.c): its ranges are the chunks; the workers
 * hash them too (no hash thread). 0, 1 = rescan needed, an error, or 2 =
 * the file cannot be mapped: read it. */
struct map_worker {
	struct assay_io_pass *ps;
	void *ctx;
};

static void *map_worker_main(void *arg)
{
	struct map_worker *mw = arg;
	assay_io_map_work(mw->ps, mw->ctx, 0);
	return NULL;
}

static int map_pass(struct assay_io_pass *ps, assay_row_fn fn, void *const *ctx, int n, EVP_MD_CTX *md,
                    uint64_t *rows, struct assay_error *err)
{
	const struct assay_source *src = ps->src;
	atomic_store(&ps->lowest_failed, UINT64_MAX);
	if (!(ps->map = assay_io_map_new(src, md)))
		return 2;
	if (init_ranges(ps, fn, ctx, 0, assay_io_map_nchunks(ps->map), NULL)) {
		free_ranges(ps);
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	}
	assay_io_map_ranges(ps);
	ps->n = ps->cap;
	pthread_t *th = calloc((size_t)n, sizeof *th);
	struct map_worker *mw = calloc((size_t)n, sizeof *mw);
	int *started = calloc((size_t)n, sizeof *started);
	if (!th || !mw || !started)
		n = 1;
	for (int k = 1; k < n; k++) {
		mw[k] = (struct map_worker){ps, ctx[k]};
		started[k] = pthread_create(&th[k], NULL, map_worker_main, &mw[k]) == 0;
	}
	assay_io_map_work(ps, ctx[0], 1);
	for (int k = 1; k < n; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	free(th);
	free(mw);
	free(started);
	int rc = walk(ps, ps->n, rows, err);
	ps->used = n;
	free_ranges(ps);
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
	int small = src->size - src->data_offset < src->min_split;
	if (small)
		n = 1;
	if (!reset && src->format == ASSAY_FORMAT_CSV)
		n = 1; /* a mis-split could not be undone */
	/* The hash thread steals only where a split may be wrong and undone
	 * (CSV with reset) or cannot be wrong (JSONL), and not for inputs too
	 * small to split. */
	int steal = src->thief && !small && (reset || src->format == ASSAY_FORMAT_JSONL);
	uint64_t *bounds = malloc(((size_t)n + 1) * sizeof *bounds);
	if (!bounds)
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	split(src, n, bounds);

	struct assay_io_pass ps = {.src = src, .closed = 1};
	pthread_mutex_init(&ps.mu, NULL);
	pthread_cond_init(&ps.idle, NULL);
	atomic_int stop_hash = 0;
	struct hasher h = {.fd = src->fd, .size = src->size, .stop = &stop_hash, .pass = &ps};
	uint64_t rows = 0;
	int rc = 2, hashed = 0;

	/* Inputs worth splitting are read through one mapping by workers that
	 * hash as they go (scan_map.c), where a mis-split can be undone or
	 * cannot happen; the others, and files that cannot be mapped, are read
	 * by workers beside a hash thread. */
	const char *rd = getenv("ASSAY_READ");
	if (!small && (reset || src->format == ASSAY_FORMAT_JSONL) && !(rd && !strcmp(rd, "pread"))) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		if (md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
			rc = map_pass(&ps, fn, worker_ctx, assay_source_max_workers(src), md, &rows, err);
			unsigned int len = 0;
			hashed = (rc == 0 || rc == 1) && assay_io_map_complete(ps.map) &&
			         EVP_DigestFinal_ex(md, h.md, &len) == 1;
		}
		EVP_MD_CTX_free(md);
		assay_io_map_free(ps.map);
		ps.map = NULL;
	}
	pthread_t hth;
	int hash_thread = 0;
	if (rc == 2) {
		hash_thread = pthread_create(&hth, NULL, hash_main, &h) == 0;
		rc = run_pass(&ps, fn, worker_ctx, n, steal && hash_thread, bounds, &rows, err);
	}
	if (rc == 1) {
		/* A split fell inside a quoted field: forget the parallel rows and
		 * rescan sequentially (see the top comment). */
		for (int k = 0; k < assay_source_max_workers(src); k++)
			reset(worker_ctx[k]);
		bounds[0] = src->data_offset;
		bounds[1] = src->size;
		assay_error_clear(err);
		rc = run_pass(&ps, fn, worker_ctx, 1, 0, bounds, &rows, err);
	}
	free(bounds);
	if (rc)
		atomic_store(&stop_hash, 1);
	if (hash_thread) {
		pthread_join(hth, NULL);
	} else if (!rc && !hashed) {
		h.pass = NULL;
		hash_main(&h);
	}
	pthread_mutex_destroy(&ps.mu);
	pthread_cond_destroy(&ps.idle);
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
		stats->workers_used = ps.used;
	}
	return 0;
}
