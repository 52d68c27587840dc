/* io.h: private to lib/io: the opened source, the per-worker scan state,
 * and the functions the files of this folder share. Not installed; no
 * other module includes it.
 *
 * Line numbers inside a worker are relative to its range (1 = the range's
 * first line); scan.c rebases them to physical file lines when the
 * workers are done, because a worker cannot know how many lines precede
 * its range until the workers before it have counted them.
 */
#ifndef ASSAY_IO_INTERNAL_H
#define ASSAY_IO_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/source.h"

/* Bytes per pread of a worker. 256 KiB keeps a block in L2 between the
 * copy and the tokenizer: 10M rows (1.1 GB) scanned in 0.95 s with 256 KiB
 * blocks vs 1.01 s with 4 MiB (mean of 5, one worker + hash). */
#define ASSAY_IO_BLOCK     (256u << 10)
#define ASSAY_IO_MIN_SPLIT (8u << 20) /* smaller inputs use one worker */
#define ASSAY_IO_PAD       64         /* slack after a buffer's data for 64-byte loads */

struct assay_source {
	char *path;
	int fd;
	uint64_t size;
	enum assay_source_format format;
	char delim;
	int names_from_opts; /* no_header: names are opts.columns */
	size_t ncols;
	char **names;     /* ncols NUL-terminated names */
	size_t *name_len; /* JSONL: strlen of each name */
	char **na;        /* opts.na copies */
	size_t *na_len;
	size_t nna;
	uint64_t data_offset;           /* first byte of data (after BOM and header) */
	uint64_t header_lines;          /* physical lines before data_offset */
	size_t nstore;                  /* CSV: fields stored per row (assay_source_project); 0 = all */
	int threads;                    /* workers of the read pass (scan.c) */
	int map_threads;                /* workers of the mapped pass (scan_map.c) */
	int no_map;                     /* opts.no_map: always the read pass */
	int narrow;                     /* opts.narrow: the SSE2 tokenizer */
	int no_hash;                    /* opts.no_hash: no SHA-256, the caller's */
	const _Atomic uint64_t *hashed; /* opts.hashed: the caller's hash's progress */
	int sequential;                 /* assay_source_set_sequential: one worker, file order */
	size_t hash_lead;               /* opts.hash_lead_bytes, or the default */
	size_t min_split;
	size_t block;
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	assay_range_fn range_fn; /* assay_source_set_range_fn, or NULL */
};

/* Fields the CSV tokenizer stores per row: the projection, or all. */
static inline size_t assay_io_nstore(const struct assay_source *src)
{
	return src->nstore && src->nstore < src->ncols ? src->nstore : src->ncols;
}

struct assay_io_pass;

/* One range of the file (a worker's in the read pass, a chunk in the
 * mapped pass) and the state of its scan; every range's rows are
 * contiguous in the file. */
struct assay_io_worker {
	const struct assay_source *src;
	assay_row_fn fn;
	void *ctx;
	int index;
	uint64_t start, end; /* byte range [start, end) */
	char *buf;
	size_t cap; /* usable bytes; the allocation has ASSAY_IO_PAD more */
	struct assay_field *fields;
	uint64_t line; /* relative line of the next unconsumed byte */
	uint64_t rows;
	int has_content;         /* a non-blank line was seen */
	uint64_t pending_blanks; /* blank lines not yet known to be in the middle */
	uint64_t pending_line;   /* relative line of the first of them */
	int ended_in_quotes;     /* the range ended inside a quoted field */
	int quoted_lf;           /* a quoted field held a line break */
	int inplace;             /* the tokenizer's buffer is a read-only mapping (scan_map.c): rows
	                            that need unescaping are copied to buf first */
	int failed;
	struct assay_error err;     /* relative line when failed */
	uint64_t base;              /* lines before the range (set after the join) */
	int stopped;                /* gave up because an earlier range failed */
	struct assay_io_pass *pass; /* shared: the lock, the first failed range, progress */
};

/* Offset of the first byte of the first ill-formed UTF-8 sequence in
 * s[0..n), or n when all of it is well-formed. */
size_t assay_io_utf8_check(const char *s, size_t n);

/* Tokenize buf[0..len): deliver every complete row through
 * assay_io_row_done() and set *consumed to the bytes of those rows. With
 * final, the end of buf ends the last row. Returns 0, or a negative code
 * with w->err set (relative line). buf has ASSAY_IO_PAD writable bytes
 * after len, or, with w->inplace, ASSAY_IO_PAD readable ones and nothing
 * of it is written; quoted fields are unescaped in place (with inplace, in
 * a copy of the row in w->buf). */
int assay_io_csv_tokenize(struct assay_io_worker *w, char *buf, size_t len, int final, size_t *consumed);
int assay_io_jsonl_tokenize(struct assay_io_worker *w, char *buf, size_t len, int final, size_t *consumed);

/* A row has been tokenized into w->fields (nfields counted, at most
 * src->ncols stored). Handles blank lines, ragged rows and delivery. */
int assay_io_row_done(struct assay_io_worker *w, uint64_t line, size_t nfields, int blank);

/* Set w->err for an invalid UTF-8 byte at row[off], the row starting at
 * relative line `line` at column `col0` (1-based) of that line. */
int assay_io_utf8_error(struct assay_io_worker *w, const char *row, size_t off, uint64_t line, uint64_t col0);

/* Parse the header row (CSV) or the first object's keys (JSONL) from
 * buf[0..len) (the start of the file after any BOM); fills src->names,
 * src->ncols and *header_bytes. need_more is set when buf ends before the
 * header does and more of the file exists (eof == 0). */
int assay_io_csv_header(struct assay_source *src, char *buf, size_t len, int eof, size_t *header_bytes,
                        int *need_more, struct assay_error *err);
int assay_io_jsonl_header(struct assay_source *src, char *buf, size_t len, int eof, size_t *header_bytes,
                          int *need_more, struct assay_error *err);

#endif
