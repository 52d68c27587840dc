/* scan_map.c: the mapped pass of assay_source_scan(): the file is read
 * through one read-only mapping by workers that tokenize it in place and
 * feed it to the SHA-256, so that no byte is copied out of the page cache
 * or read twice from memory.
 *
 * Chunks: the data is cut into chunks of one block (256 KiB by default;
 * more where that would make over 1,024 chunks: 1 MiB for 1.1 GB). Chunk
 * k's rows start at the first line start at or after k C (the first chunk
 * at the data's first byte) and end where chunk k + 1's start, so chunks
 * tile the data; the thread that takes chunk k finds chunk k + 1's start
 * first and publishes it (next_start). Once the first chunk holds a '"'
 * or a quoted line break has been seen, a cut is the first line start
 * with an even number of '"' since the chunk's own start (quote parity,
 * RFC 4180); before, any line start. Each chunk is a range of its own
 * (struct assay_io_worker), taken by whichever thread is free, in file
 * order; a cut that still lands inside quotes is caught and the file
 * rescanned exactly as for the ranges of the read pass (scan.c's top
 * comment). The tokenizer reads up to 64 bytes past a chunk's rows: the
 * last chunk, when that would leave the mapping's last page, is copied
 * into the range's buffer first.
 *
 * Hash: SHA-256 is one sequential stream, the slowest part of a scan.
 * Whichever hashing worker finds the next chunks tokenized feeds them to
 * the one digest, in order (advance: a lock-free hand-off, see there). The
 * calling thread only tokenizes when it has company, so that it can return
 * once every chunk is tokenized while the others finish the hash
 * (assay_source_scan_start / _finish); alone, or until the first of its
 * company has started, it hashes too.
 *
 * Resident set: mapped pages count in it. Once 1 MiB more is hashed (so
 * tokenized too), a thread that tokenizes drops it from the mapping
 * (MADV_DONTNEED: the page cache keeps the pages, and a late read would
 * fault them in again).
 * Tokenizing outruns the one SHA-256 stream, so a worker that finds 4 MiB
 * (opts.hash_lead_bytes) of chunks waiting for the hash takes the hash
 * over (if it may hash) or waits: the mapping holds about that and the
 * chunks in hand.
 *
 * Measured (1M-row gen_synth file, 110 MB, 2 vCPUs, `assay eval`): the
 * read pass copied every byte out of the page cache with pread (~20 ms of
 * kernel CPU per 110 MB) while the hash thread mapped it again and read it
 * from memory a second time. See bench/README.md (issue 2, session 6).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

#define MAX_CHUNKS 1024       /* more data: larger chunks */
#define DROP       (1u << 20) /* bytes dropped from the mapping at a time */
#define UNKNOWN    UINT64_MAX

struct io_map {
	char *base; /* the whole file, read-only */
	uint64_t size, data_offset, C, page, mapped;
	size_t k0, k1;                  /* chunks [k0, k1): chunk k is [k C, (k + 1) C) */
	_Atomic size_t next;            /* the next chunk to take */
	_Atomic uint64_t *start;        /* per chunk and one more: its first row, or UNKNOWN */
	atomic_int parity;              /* CSV with quoted line breaks: cuts by quote parity */
	_Atomic size_t turn;            /* the next chunk to hash */
	_Atomic unsigned char *scanned; /* per chunk: tokenized, ready to hash */
	atomic_int hashing;             /* a thread is feeding the digest */
	atomic_int hashers;             /* threads that may hash have started */
	struct assay_sha256 *md;        /* set up and fed by the thread holding `hashing` */
	atomic_size_t parsed;           /* chunks tokenized (or given up) */
	atomic_int stop;                /* a chunk failed */
	_Atomic uint64_t dropped;       /* bytes before this are out of the mapping (page multiple) */
	size_t backlog;                 /* chunks tokenized ahead of the hash, at most */
	const _Atomic uint64_t *hashed; /* opts.hashed: the caller's hash's progress, or NULL */
	uint64_t lead;                  /* how far chunks may start past it */
};

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

struct io_map *assay_io_map_new(const struct assay_source *src, struct assay_sha256 *md)
{
	if (!src->size)
		return NULL;
	void *p = mmap(NULL, (size_t)src->size, PROT_READ, MAP_PRIVATE, src->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	struct io_map *m = calloc(1, sizeof *m);
	if (!m) {
		munmap(p, (size_t)src->size);
		return NULL;
	}
	long pg = sysconf(_SC_PAGESIZE);
	m->base = p;
	m->page = pg > 0 ? (uint64_t)pg : 4096;
	m->size = src->size;
	m->mapped = round_up(m->size, m->page);
	m->data_offset = src->data_offset;
	/* a block a chunk, or more to keep at most MAX_CHUNKS (each has a
	 * range: ~2 KiB) */
	m->C = src->block;
	if ((m->size - m->data_offset) / m->C > MAX_CHUNKS)
		m->C = round_up((m->size - m->data_offset) / MAX_CHUNKS, src->block);
	m->backlog = src->hash_lead / m->C > 2 ? src->hash_lead / m->C : 2;
	m->k0 = (size_t)(m->data_offset / m->C);
	m->k1 = (size_t)((m->size + m->C - 1) / m->C);
	atomic_store(&m->next, m->k0);
	atomic_store(&m->turn, m->k0);
	m->md = md;
	m->hashed = src->hashed;
	m->lead = src->hash_lead;
	/* cut by quote parity from the start when the first chunk has a '"'
	 * (else once a quoted line break is seen) */
	uint64_t n0 = m->size - m->data_offset < m->C ? m->size - m->data_offset : m->C;
	atomic_init(&m->parity,
	            src->format == ASSAY_FORMAT_CSV && memchr(m->base + m->data_offset, '"', (size_t)n0));
	m->scanned = calloc(m->k1 - m->k0 + 1, sizeof *m->scanned);
	/* the first chunk may be hashed before it is tokenized: the hash is
	 * the scan's one sequential stream, and tokenizing the first chunk
	 * (with its page faults) took ~0.7 ms; it is less than DROP, so it
	 * stays mapped for its tokenizer */
	if (m->scanned)
		atomic_init(&m->scanned[0], 1);
	m->start = malloc((m->k1 - m->k0 + 1) * sizeof *m->start);
	for (size_t k = 0; m->start && k <= m->k1 - m->k0; k++)
		atomic_init(&m->start[k], k == 0 ? m->data_offset : k == m->k1 - m->k0 ? m->size : UNKNOWN);
	if (!m->scanned || !m->start) {
		assay_io_map_free(m);
		return NULL;
	}
	return m;
}

void assay_io_map_free(struct io_map *m)
{
	if (!m)
		return;
	munmap(m->base, (size_t)m->size);
	free((void *)m->scanned);
	free((void *)m->start);
	free(m);
}

int assay_io_map_nchunks(const struct io_map *m)
{
	return (int)(m->k1 - m->k0);
}

void assay_io_map_ranges(struct assay_io_pass *ps)
{
	const struct io_map *m = ps->map;
	for (int k = 0; k < ps->cap; k++) {
		struct assay_io_worker *r = &ps->ranges[k];
		r->start = r->end = k ? (m->k0 + (size_t)k) * m->C : m->data_offset;
	}
}

/* Number of '"' bytes in p[0..n), 64 bytes a count: built with the POPCNT
 * instruction where the CPU has it (libgcc's table routine was 0.5% of a
 * 1M-row eval). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static uint64_t
count_quotes(const char *p, size_t n)
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

/* Chunk k + 1's first row, from chunk k's (s, a row start outside
 * quotes): the first line start at or after (k + 1) C, and with quotes
 * (CSV) the first whose LF has an even number of '"' since s, i.e. outside
 * quotes in any file where '"' appears only in quoted fields (RFC 4180); a
 * literal '"' in an unquoted field can mislead it, which the rescan
 * catches. Counting the quotes reads the chunk once, ahead of its
 * tokenizer, which then finds it in cache. */
static uint64_t next_start(const struct io_map *m, size_t k, uint64_t s)
{
	uint64_t x = (k + 1) * m->C;
	if (k + 1 >= m->k1)
		return m->size;
	if (s >= x)
		return s; /* a row longer than the chunk: chunk k is empty */
	const char *b = m->base;
	int quotes = atomic_load(&m->parity);
	uint64_t odd = 0;
	const char *q = quotes ? memchr(b + s, '"', (size_t)(x - 1 - s)) : NULL;
	if (q) /* (memchr runs ahead fast where there is no quote at all) */
		odd = count_quotes(q, (size_t)(b + x - 1 - q)) & 1;
	for (uint64_t p = x - 1; p < m->size; p++) {
		if (b[p] == '\n' && !odd)
			return p + 1;
		if (quotes && b[p] == '"')
			odd ^= 1;
		else if (!quotes) {
			const char *nl = memchr(b + p, '\n', (size_t)(m->size - p));
			return nl ? (uint64_t)(nl - b) + 1 : m->size;
		}
	}
	return m->size;
}

static void cpu_relax(void)
{
#ifdef __SSE2__
	_mm_pause();
#endif
}

/* Chunk k's first row, once its predecessor's thread has found it. */
static uint64_t start_of(const struct io_map *m, size_t k)
{
	_Atomic uint64_t *v = &m->start[k - m->k0];
	uint64_t s;
	for (int i = 0; (s = atomic_load_explicit(v, memory_order_acquire)) == UNKNOWN; i++) {
		if (i < 2000)
			cpu_relax();
		else
			sched_yield();
	}
	return s;
}

static void scan_chunk(struct assay_io_pass *ps, size_t k, uint64_t s, uint64_t e, struct assay_io_worker *r)
{
	const struct io_map *m = ps->map;
	const struct assay_source *src = ps->src;
	r->start = s;
	r->end = e;
	if (s >= e)
		return;
	int (*tokenize)(struct assay_io_worker *, char *, size_t, int, size_t *) =
	    src->format == ASSAY_FORMAT_JSONL ? assay_io_jsonl_tokenize : assay_io_csv_tokenize;
	size_t used = 0;
	int rc;
	if (e + ASSAY_IO_PAD <= m->mapped) {
		r->inplace = 1;
		rc = tokenize(r, m->base + s, (size_t)(e - s), 1, &used);
	} else {
		r->inplace = 0;
		if (assay_io_grow(r, (size_t)(e - s))) {
			assay_error_set(&r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			rc = ASSAY_ENOMEM;
		} else {
			memcpy(r->buf, m->base + s, (size_t)(e - s));
			rc = tokenize(r, r->buf, (size_t)(e - s), 1, &used);
		}
	}
	if (rc)
		assay_io_fail(r, rc);
}

/* Chunk k's bytes into the digest (its turn), then the next turn. */
static void hash_chunk(struct io_map *m, size_t k)
{
	if (!m->md)
		return; /* opts.no_hash: the chunks only pass in order (drop_hashed) */
	uint64_t a = k == m->k0 ? 0 : k * m->C, b = k + 1 == m->k1 ? m->size : (k + 1) * m->C;
	if (k == m->k0)
		assay_sha256_init(m->md);
	assay_sha256_update(m->md, m->base + a, (size_t)(b - a));
}

/* Everything before the chunk to hash next is tokenized and hashed: drop
 * it from the mapping, DROP bytes at a time. Called by threads after they
 * tokenize, not by the hasher: the one SHA-256 stream sets the scan's
 * pace, and dropping (zapping the page tables, a TLB shootdown) was ~3%
 * of its thread. What is hashed after the last chunk is tokenized is
 * dropped by the thread that waits for the hash (assay_io_map_wait_hashed):
 * unmapping those ~32 MiB at the end took ~2 ms after the hash. */
static void drop_hashed(struct io_map *m, uint64_t most)
{
	size_t t = atomic_load(&m->turn);
	uint64_t to = t >= m->k1 ? m->size : (uint64_t)t * m->C;
	uint64_t from = atomic_load(&m->dropped);
	if (to - from > most)
		to = from + most;
	to = to / m->page * m->page;
	if (to >= from + DROP && atomic_compare_exchange_strong(&m->dropped, &from, to))
		madvise(m->base + from, (size_t)(to - from), MADV_DONTNEED);
}

/* Hash the chunks tokenized so far, in order, unless another thread is at
 * it. No chunk is left behind: a thread marks its chunk scanned before it
 * tries to take `hashing`, and the holder looks again after letting it go
 * (all sequentially consistent), so one of the two sees the other. */
static void advance(struct io_map *m)
{
	for (;;) {
		size_t t = atomic_load(&m->turn);
		if (t >= m->k1 || !atomic_load(&m->scanned[t - m->k0]))
			return;
		int idle = 0;
		if (!atomic_compare_exchange_strong(&m->hashing, &idle, 1))
			return;
		while ((t = atomic_load(&m->turn)) < m->k1 && atomic_load(&m->scanned[t - m->k0])) {
			hash_chunk(m, t);
			atomic_store(&m->turn, t + 1);
		}
		atomic_store(&m->hashing, 0);
	}
}

/* Chunks taken but not hashed (the first chunk is hashed before it is
 * taken). */
static size_t ahead(const struct io_map *m)
{
	size_t next = atomic_load(&m->next), turn = atomic_load(&m->turn);
	return next > turn ? next - turn : 0;
}

static void nap(int *naps)
{
	if ((*naps)++ < 64)
		cpu_relax();
	else
		nanosleep(&(struct timespec){0, 20000}, NULL);
}

void assay_io_map_work(struct io_map *m, struct assay_io_pass *ps, void *ctx, int report, int hash)
{
	if (hash)
		atomic_fetch_add(&m->hashers, 1);
	/* ps, and the source, are touched only with a chunk in hand: the
	 * caller, which owns them, waits for every chunk to be scanned, but a
	 * worker that starts late may find none left after the caller has
	 * returned */
	struct assay_field *fields = NULL;
	int no_fields = 0;
	for (;;) {
		/* more than m->backlog chunks tokenized but not hashed: the hash is
		 * the bottleneck; take it over if free, else wait for it (the
		 * mapping holds every chunk not hashed) */
		for (int naps = 0; ahead(m) > m->backlog && !atomic_load(&m->stop);) {
			if (hash || !atomic_load(&m->hashers))
				advance(m);
			if (ahead(m) <= m->backlog)
				break;
			nap(&naps);
		}
		/* the caller hashes (opts.hashed): keep within m->lead of it */
		for (int naps = 0; m->hashed && !atomic_load(&m->stop) &&
		                   atomic_load(&m->next) * m->C > atomic_load(m->hashed) + m->lead;)
			nap(&naps);
		size_t k = atomic_fetch_add(&m->next, 1);
		if (k >= m->k1)
			break;
		/* the next chunk's start first: its thread may be waiting */
		uint64_t s = start_of(m, k), e = next_start(m, k, s);
		if (k + 1 < m->k1)
			atomic_store_explicit(&m->start[k + 1 - m->k0], e, memory_order_release);
		if (atomic_load(&ps->lowest_failed) < s) {
			atomic_store(&m->stop, 1);
			break; /* after a failed chunk: its rows cannot matter */
		}
		const struct assay_source *src = ps->src;
		if (!fields && !no_fields)
			no_fields = !(fields = calloc(src->ncols ? src->ncols : 1, sizeof *fields));
		struct assay_io_worker *r = &ps->ranges[k - m->k0];
		r->ctx = ctx;
		r->fields = fields;
		if (fields) {
			scan_chunk(ps, k, s, e, r);
		} else {
			assay_error_set(&r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			assay_io_fail(r, ASSAY_ENOMEM);
		}
		r->fields = NULL; /* the thread's, not the range's */
		if (r->quoted_lf && !atomic_load(&m->parity))
			atomic_store(&m->parity, 1);
		if (r->failed) {
			atomic_store(&m->stop, 1);
			break;
		}
		if (report && src->progress) {
			uint64_t done = r->end < src->size ? r->end : src->size;
			src->progress(src->progress_ctx, done, src->size);
		}
		atomic_store(&m->scanned[k - m->k0], 1);
		atomic_fetch_add(&m->parsed, 1);
		/* (a thread that may not hash does until one that may has
		 * started: waking the second core took ~1.7 ms here, the hash's
		 * start waited for it) */
		if (hash || !atomic_load(&m->hashers))
			advance(m);
		drop_hashed(m, UINT64_MAX);
	}
	free(fields);
}

void assay_io_map_wait_parsed(struct io_map *m)
{
	for (int naps = 0; atomic_load(&m->parsed) < m->k1 - m->k0 && !atomic_load(&m->stop);)
		nap(&naps);
}

void assay_io_map_hash_first(struct io_map *m)
{
	advance(m);
}

void assay_io_map_wait_hashed(struct io_map *m)
{
	for (int naps = 0; atomic_load(&m->turn) < m->k1 && !atomic_load(&m->stop);) {
		/* a few MiB at a time: dropping the ~20 MiB hashed since the
		 * last chunk was tokenized took 0.7 ms, and the hash may end
		 * meanwhile */
		drop_hashed(m, 4 * DROP);
		nap(&naps);
	}
}

void assay_io_map_drain(struct io_map *m)
{
	for (int naps = 0; atomic_load(&m->turn) < m->k1 && !atomic_load(&m->stop);) {
		size_t t = atomic_load(&m->turn);
		advance(m);
		if (atomic_load(&m->turn) == t)
			nap(&naps);
	}
}

int assay_io_map_failed(const struct io_map *m)
{
	return atomic_load(&m->stop);
}

int assay_io_map_complete(const struct io_map *m)
{
	return atomic_load(&m->turn) == m->k1;
}
