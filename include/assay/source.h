/* assay/source.h: tabular sources (CSV per RFC 4180, JSONL), read once,
 * streamed, split over cores.
 *
 * A source is opened (header read, columns known), then scanned once: the
 * file is cut into ranges at line boundaries, one worker per range, and the
 * caller's row function is called for every data row with the row's fields
 * as byte spans. Memory does not grow with the number of rows: buffers are
 * per worker and fixed-size (plus the longest row). The input's sha256 is
 * computed during the same scan.
 *
 * Rows are delivered in file order *within* a worker; workers run
 * concurrently, so the row function must only touch its worker's context.
 * Callers that need a single result merge their per-worker contexts after
 * the scan (this is what summaries are for: see assay/summary.h).
 */
#ifndef ASSAY_SOURCE_H
#define ASSAY_SOURCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/error.h"

enum assay_source_format { ASSAY_FORMAT_AUTO = 0, ASSAY_FORMAT_CSV, ASSAY_FORMAT_JSONL };

struct assay_source_opts {
	const char *path;                /* file to read; "-" is not supported (needs seeking) */
	enum assay_source_format format; /* AUTO: .jsonl/.ndjson -> JSONL, else CSV */
	char delimiter;                  /* CSV only; 0 means ',' */
	int no_header;                   /* CSV only: first line is data; names come from columns */
	const char *const *columns;      /* with no_header: the column names */
	size_t ncolumns;
	const char *const *na; /* extra missing-value spellings (--na) */
	size_t nna;
	int threads;                    /* workers; 0 = automatic: one per online core (they hash the
	                                   input too); where the file is read rather than mapped, for
	                                   CSV one per core but one, the SHA-256 thread's */
	int no_map;                     /* read the file (pread, a SHA-256 thread) even where it could
	                                   be mapped (tests of that path) */
	int narrow;                     /* CSV: the SSE2 tokenizer even where the CPU has AVX-512BW
	                                   (tests of that path) */
	int no_hash;                    /* no SHA-256: the stats' sha256 is left zero, for a caller
	                                   that hashes the file itself (assay_sha256_file_pair). A
	                                   later scan then cannot tell a changed file by its hash */
	const _Atomic uint64_t *hashed; /* with no_hash, optional: the caller's hash's progress
	                           (bytes of this file). The mapped pass's workers keep
	                           within hash_lead_bytes (0 = 32 MiB here) of it, as they
	                           would of their own hash, so that a hashing thread of the
	                           caller's gets the CPU it needs */
	size_t hash_lead_bytes;         /* mapped: how far tokenizing may run ahead of the SHA-256;
	                                   0 = 4 MiB. Those bytes stay mapped (resident); a caller that
	                                   works beside the hash's end (assay_source_scan_start) may
	                                   want more */
	size_t min_split_bytes;         /* inputs smaller than this use one worker; 0 = 8 MiB
	                                   (tests lower it to exercise the parallel path) */
	size_t block_bytes;             /* bytes per read of a worker; 0 = 256 KiB (tests lower it) */
	/* Optional: called now and then from one worker thread with the bytes
	 * scanned so far and the file's size (for a progress bar). */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/* One field of one row. p points into a worker buffer valid only during the
 * row callback; quoted CSV fields arrive unquoted with "" collapsed to ". */
struct assay_field {
	const char *p;
	uint32_t len;
	uint32_t column; /* 1-based byte column of the field's first byte in its line */
};

struct assay_row {
	const struct assay_field *fields; /* one per source column, in column order */
	size_t nfields;                   /* always == assay_source_ncols() */
	uint64_t line;                    /* physical line where the row starts, relative to
	                                     the worker's range: see assay_source_scan() */
};

/* Called for each data row. Return 0 to go on, or a negative code after
 * filling err (use row->line and a field's column for the location; leave
 * err->file empty: the scanner fills in the path and rebases the line). */
typedef int (*assay_row_fn)(void *worker_ctx, const struct assay_row *row, struct assay_error *err);

/* Called by assay_source_scan() on every worker context, from the calling
 * thread, when the rows delivered so far must be forgotten: set the
 * context back to its state before the scan. This happens only when a CSV
 * range split fell inside a quoted field that contains a line break
 * (rare): the parallel result is discarded and the file is rescanned by
 * one worker, which then delivers every row again to worker_ctx[0]. */
typedef void (*assay_reset_fn)(void *worker_ctx);

struct assay_source;

struct assay_source_stats {
	uint64_t rows;  /* data rows delivered */
	uint64_t bytes; /* bytes read */
	unsigned char sha256[32];
	char sha256_hex[65];
	int workers_used; /* may be 1 when the file is small or needed a sequential pass */
};

/* Open and read the header (CSV) or the first object's keys (JSONL).
 * Errors: missing/unreadable file, empty file, not UTF-8 in the header,
 * duplicate handling is first-wins for lookups. */
int assay_source_open(struct assay_source **out, const struct assay_source_opts *opts,
                      struct assay_error *err);
void assay_source_free(struct assay_source *src);

size_t assay_source_ncols(const struct assay_source *src);
/* Projection: the row function reads only columns [0, n), so the CSV
 * tokenizer stores (locates, unquotes) only those and merely counts the
 * rest: ragged rows are still errors and UTF-8 is still checked. Fields
 * at n and after hold {NULL, 0} and must not be read. n = 0 (the default)
 * or n >= ncols: every field. JSONL ignores it. Call before a scan. */
void assay_source_project(struct assay_source *src, size_t n);
const char *assay_source_colname(const struct assay_source *src, size_t i);
const char *assay_source_path(const struct assay_source *src);

/* Index of the first column named `name`; on failure -1 and err says
 * which columns exist and the closest one ("did you mean"). `what` names
 * the option for the message, e.g. "--label". */
long assay_source_column(const struct assay_source *src, const char *name, const char *what,
                         struct assay_error *err);

/* True when the field is a missing value: empty, NA, NaN, nan, null, NULL
 * (JSON null or the word), or one of opts.na. Without opts.na a field of
 * 1 or more than 4 bytes, or not starting with N or n, is never missing
 * (ASSAY_NA_BUILTIN_MAY). */
#define ASSAY_NA_BUILTIN_MAY(p, len) ((len) == 0 || ((len) >= 2 && (len) <= 4 && ((p)[0] | 0x20) == 'n'))
int assay_source_is_na(const struct assay_source *src, const struct assay_field *f);

/* True when opts.na gave extra missing spellings. Without them no field
 * that reads as a number is missing (NA, NaN, nan, null are not numbers to
 * assay_deckey_parse), so a caller that has parsed a number can skip
 * assay_source_is_na. */
int assay_source_has_na_list(const struct assay_source *src);

/* Scan every data row once. worker_ctx[i] is passed to fn by worker i;
 * the array must have assay_source_max_workers() entries. On a row error,
 * the scan stops and err carries the absolute file:line:column of the
 * *first* bad row in file order. Rows that are not UTF-8 and ragged rows
 * (field count differs from the header) are errors raised by the scanner
 * itself. stats may be NULL.
 *
 * row->line is relative to the worker's range (1 = the range's first
 * line): a worker cannot know how many lines precede its range while the
 * others are still counting them. Use it only to fill err->line; the
 * scanner rebases it to the physical file line (1 = the header line).
 *
 * reset (see assay_reset_fn) may be NULL; a CSV scan then uses a single
 * worker, because rows already delivered could not be taken back. A scan
 * can be run again on the same source (the file is read again). */
int assay_source_scan(struct assay_source *src, assay_row_fn fn, assay_reset_fn reset,
                      void *const *worker_ctx, struct assay_source_stats *stats, struct assay_error *err);

/* With on, the source's next scans deliver every row on one worker, in
 * file order, whatever the format and reset function: for a caller whose
 * result depends on the order rows arrive in (a sketch past the cap).
 * Off again with on = 0. */
void assay_source_set_sequential(struct assay_source *src, int on);

/* Optional: fn(worker_ctx, offset) is called before the first row of each
 * range of contiguous rows a worker is handed (a chunk of the mapped pass,
 * a worker's part of the read pass, the whole file when sequential or
 * rescanned), offset being the byte where the range starts (a row start).
 * The rows a context receives from one call to the next are consecutive
 * rows of the file, in file order: with the number of rows in each range,
 * a caller can tell where every row is, whatever the split (the profile's
 * sketches past the cap use it). One exception: with a single column,
 * blank lines at the end of a range that turn out to be followed by data
 * are delivered once the scan is done, as empty fields. fn NULL: off
 * (the default). Set before a scan; called from the worker threads. */
typedef void (*assay_range_fn)(void *worker_ctx, uint64_t offset);
void assay_source_set_range_fn(struct assay_source *src, assay_range_fn fn);

/* assay_source_scan() in two steps, so that a caller can use the rows
 * while the input's SHA-256 finishes on other threads (the mapped pass
 * tokenizes on every core and hashes in file order: the hash ends last).
 * _start returns once every row is delivered (0) or with the scan's
 * error, as assay_source_scan; on 0, *pending must go to _finish, which
 * waits for the hash, fills stats (may be NULL) and frees it. The source
 * may be freed in between. */
struct assay_source_pending;
int assay_source_scan_start(struct assay_source *src, assay_row_fn fn, assay_reset_fn reset,
                            void *const *worker_ctx, struct assay_source_pending **pending,
                            struct assay_error *err);
int assay_source_scan_finish(struct assay_source_pending *pending, struct assay_source_stats *stats,
                             struct assay_error *err);
/* The hash of a started scan is still running (on one core). */
int assay_source_scan_hashing(const struct assay_source_pending *pending);
/* What _finish will report except the hash (rows, bytes, workers), known
 * already: sha256 and sha256_hex are left zero. */
void assay_source_scan_counts(const struct assay_source_pending *pending, struct assay_source_stats *stats);

/* How many worker contexts assay_source_scan() may use: the workers of
 * the pass that uses the most. 1 exactly when the source was opened with
 * threads = 1 (or on one core). */
int assay_source_max_workers(const struct assay_source *src);

/* Number parsing shared by every consumer of fields: the whole span must be
 * a decimal number (optional sign, digits, optional fraction, optional
 * exponent; also inf/infinity/nan case-insensitively). Correctly rounded
 * (same double as strtod). Returns 0 on success, -1 when the span is not a
 * number. */
int assay_parse_double(const char *p, size_t len, double *out);

#endif
