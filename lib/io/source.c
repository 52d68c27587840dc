/* source.c: opening a tabular source (assay/source.h): the file, its
 * format, its columns, missing-value spellings and column lookup.
 *
 * Opening reads only the start of the file: the header row (CSV) or the
 * first object (JSONL), growing the read until the row is complete. A
 * UTF-8 byte order mark (EF BB BF) at the start is skipped; columns in
 * errors count from the byte after it. The rows are read by scan.c.
 *
 * Missing values (assay_source_is_na): an empty field, JSON null or a
 * missing JSONL key, the words NA, NaN, nan, null, NULL, and opts.na, all
 * compared byte for byte. "N/A" is deliberately *not* missing: data such
 * as COMPAS use it as a category (score_text != "N/A").
 *
 * Does not: sniff delimiters or encodings, read stdin (a scan needs pread
 * at any offset), or type columns (consumers parse the fields they need).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

#define MAX_THREADS 256

static enum assay_source_format guess_format(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0))
		return ASSAY_FORMAT_JSONL;
	return ASSAY_FORMAT_CSV;
}

static int copy_names(char ***dst, const char *const *src, size_t n)
{
	*dst = calloc(n ? n : 1, sizeof **dst);
	if (!*dst)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((*dst)[i] = strdup(src[i] ? src[i] : "")))
			return -1;
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

void assay_source_free(struct assay_source *src)
{
	if (!src)
		return;
	if (src->fd >= 0)
		close(src->fd);
	free_names(src->names, src->ncols);
	free(src->name_len);
	free_names(src->na, src->nna);
	free(src->na_len);
	free(src->path);
	free(src);
}

static int check_opts(const struct assay_source_opts *o, struct assay_error *err)
{
	if (!o || !o->path || !o->path[0])
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "no input file given");
	if (strcmp(o->path, "-") == 0)
		return assay_error_set(
		    err, ASSAY_EUSAGE, NULL, 0, 0,
		    "reading standard input is not supported: the scan reads the file in parallel");
	char d = o->delimiter;
	if (d == '"' || d == '\n' || d == '\r')
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "the delimiter cannot be a quote, CR or LF");
	if (o->no_header && (!o->columns || !o->ncolumns))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "no header: the column names must be given");
	if (o->threads < 0)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "threads must be 0 (all cores) or more");
	return 0;
}

/* Read the header (growing the read until it is complete). */
static int read_header(struct assay_source *src, const struct assay_source_opts *o, struct assay_error *err)
{
	size_t want = 65536;
	for (;;) {
		size_t n = src->size < want ? (size_t)src->size : want;
		char *buf = malloc(n + ASSAY_IO_PAD);
		if (!buf)
			return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
		ssize_t got = pread(src->fd, buf, n, 0);
		if (got < 0 || (size_t)got != n) {
			int e = got < 0 ? errno : EIO;
			free(buf);
			return assay_error_set(err, ASSAY_EIO, src->path, 0, 0, "cannot read: %s",
			                       strerror(e));
		}
		size_t bom = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		int eof = n == src->size, more = 0, rc;
		size_t hb = 0;
		if (src->format == ASSAY_FORMAT_JSONL)
			rc = assay_io_jsonl_header(src, buf + bom, n - bom, eof, &hb, &more, err);
		else
			rc = assay_io_csv_header(src, buf + bom, n - bom, eof, &hb, &more, err);
		free(buf);
		if (rc)
			return rc;
		if (more) {
			want *= 2;
			continue;
		}
		src->data_offset = bom + (o->no_header ? 0 : hb);
		return 0;
	}
}

/* An empty file, or one whose first line is blank, has no header. */
static int check_header(struct assay_source *src, const struct assay_source_opts *o, struct assay_error *err)
{
	if (src->format == ASSAY_FORMAT_CSV && src->ncols == 1 && !src->names[0][0]) {
		if (src->size - src->data_offset == 0 && src->header_lines == 0)
			return assay_error_set(err, ASSAY_EINPUT, src->path, 0, 0,
			                       "is empty: expected a header row");
		return assay_error_set(err, ASSAY_EINPUT, src->path, 1, 1,
		                       "the first line is empty: expected a header row");
	}
	if (!o->no_header || src->format != ASSAY_FORMAT_CSV)
		return 0;
	if (src->ncols != o->ncolumns) {
		assay_error_set(err, ASSAY_EINPUT, src->path, 1, 1,
		                "%zu column names were given but the first row has %zu field%s", o->ncolumns,
		                src->ncols, src->ncols == 1 ? "" : "s");
		assay_error_hint(err, "give one name per field (or is the delimiter another one?)");
		return ASSAY_EINPUT;
	}
	free_names(src->names, src->ncols);
	src->names = NULL;
	src->ncols = 0;
	if (copy_names(&src->names, o->columns, o->ncolumns)) {
		free_names(src->names, o->ncolumns);
		src->names = NULL;
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	}
	src->ncols = o->ncolumns;
	src->names_from_opts = 1;
	src->header_lines = 0;
	return 0;
}

int assay_source_open(struct assay_source **out, const struct assay_source_opts *o, struct assay_error *err)
{
	struct assay_error local;
	if (!err)
		err = &local;
	assay_error_clear(err);
	*out = NULL;
	int rc = check_opts(o, err);
	if (rc)
		return rc;
	struct assay_source *src = calloc(1, sizeof *src);
	if (!src || !(src->path = strdup(o->path))) {
		free(src);
		return assay_error_set(err, ASSAY_ENOMEM, o->path, 0, 0, "out of memory");
	}
	src->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0) {
		int e = errno;
		assay_source_free(src);
		rc = assay_error_set(err, ASSAY_EIO, o->path, 0, 0, "cannot open: %s", strerror(e));
		if (e == ENOENT)
			assay_error_hint(err,
			                 "check the path (relative paths are from the current directory)");
		return rc;
	}
	struct stat st;
	if (fstat(src->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int e = errno;
		int isdir = S_ISDIR(st.st_mode);
		assay_source_free(src);
		return assay_error_set(err, ASSAY_EIO, o->path, 0, 0, "cannot read: %s",
		                       isdir ? "it is a directory"
		                       : e   ? strerror(e)
		                             : "not a regular file");
	}
	src->size = (uint64_t)st.st_size;
	src->format = o->format == ASSAY_FORMAT_AUTO ? guess_format(o->path) : o->format;
	src->delim = o->delimiter ? o->delimiter : ',';
	/* Default workers. The mapped pass (scan_map.c) takes every core: its
	 * workers hash too. The read pass, for CSV, one per core but one,
	 * which the hash thread needs: SHA-256 (~1.5 GB/s on one core with
	 * SHA-NI) is as costly as tokenizing, and three threads on two cores
	 * measured 10-25% slower than one worker plus the hash. JSONL parsing
	 * is several times slower than hashing, so it takes every core. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	src->map_threads = o->threads ? o->threads : (int)cores;
	if (src->format == ASSAY_FORMAT_CSV && cores > 1)
		cores--;
	src->threads = o->threads ? o->threads : (int)cores;
	src->no_map = o->no_map;
	src->narrow = o->narrow;
	src->no_hash = o->no_hash;
	src->hashed = o->no_hash ? o->hashed : NULL;
	src->hash_lead = o->hash_lead_bytes ? o->hash_lead_bytes : (size_t)(src->hashed ? 32 : 4) << 20;
	if (src->map_threads > MAX_THREADS)
		src->map_threads = MAX_THREADS;
	if (src->threads > MAX_THREADS)
		src->threads = MAX_THREADS;
	src->min_split = o->min_split_bytes ? o->min_split_bytes : ASSAY_IO_MIN_SPLIT;
	src->block = o->block_bytes ? o->block_bytes : ASSAY_IO_BLOCK;
	src->progress = o->progress;
	src->progress_ctx = o->progress_ctx;
	if (src->size == 0) {
		int jsonl = src->format == ASSAY_FORMAT_JSONL;
		assay_source_free(src);
		return assay_error_set(err, ASSAY_EINPUT, o->path, 0, 0, "is empty: expected %s",
		                       jsonl ? "one JSON object per line" : "a header row");
	}
	if (o->nna) {
		src->na_len = calloc(o->nna, sizeof *src->na_len);
		if (!src->na_len || copy_names(&src->na, o->na, o->nna)) {
			src->nna = o->nna;
			assay_source_free(src);
			return assay_error_set(err, ASSAY_ENOMEM, o->path, 0, 0, "out of memory");
		}
		src->nna = o->nna;
		for (size_t i = 0; i < o->nna; i++)
			src->na_len[i] = strlen(src->na[i]);
	}
	rc = read_header(src, o, err);
	if (!rc)
		rc = check_header(src, o, err);
	if (rc) {
		assay_source_free(src);
		return rc;
	}
	*out = src;
	return 0;
}

size_t assay_source_ncols(const struct assay_source *src)
{
	return src->ncols;
}

void assay_source_project(struct assay_source *src, size_t n)
{
	src->nstore = n;
}

const char *assay_source_colname(const struct assay_source *src, size_t i)
{
	return i < src->ncols ? src->names[i] : NULL;
}

const char *assay_source_path(const struct assay_source *src)
{
	return src->path;
}

void assay_source_set_sequential(struct assay_source *src, int on)
{
	src->sequential = on != 0;
}

void assay_source_set_range_fn(struct assay_source *src, assay_range_fn fn)
{
	src->range_fn = fn;
}

int assay_source_max_workers(const struct assay_source *src)
{
	return src->threads > src->map_threads ? src->threads : src->map_threads;
}

long assay_source_column(const struct assay_source *src, const char *name, const char *what,
                         struct assay_error *err)
{
	for (size_t i = 0; i < src->ncols; i++)
		if (strcmp(src->names[i], name) == 0)
			return (long)i;
	if (!err)
		return -1;
	char list[600];
	size_t used = 0, shown = 0;
	list[0] = '\0';
	for (size_t i = 0; i < src->ncols; i++) {
		size_t len = strlen(src->names[i]);
		if (used + len + 2 > 400)
			break;
		used +=
		    (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", src->names[i]);
		shown++;
	}
	if (shown < src->ncols)
		snprintf(list + used, sizeof list - used, "%s... (%zu in all)", shown ? ", " : "",
		         src->ncols);
	const char *best = assay_did_you_mean(name, (const char *const *)src->names, src->ncols);
	char opt[160] = "", mean[300] = "";
	if (what && what[0])
		snprintf(opt, sizeof opt, " (%s)", what);
	if (best)
		snprintf(mean, sizeof mean, "; did you mean \"%s\"?", best);
	assay_error_set(err, ASSAY_EUSAGE, src->path, 0, 0, "no column \"%s\"%s%s columns: %s", name, opt,
	                best ? mean : ";", list);
	return -1;
}

int assay_source_is_na(const struct assay_source *src, const struct assay_field *f)
{
	const char *p = f->p;
	switch (f->len) {
	case 0:
		return 1;
	case 2:
		if (p[0] == 'N' && p[1] == 'A')
			return 1;
		break;
	case 3:
		if ((p[0] == 'N' || p[0] == 'n') && p[1] == 'a' && p[2] == p[0])
			return 1;
		break;
	case 4:
		if (memcmp(p, "null", 4) == 0 || memcmp(p, "NULL", 4) == 0)
			return 1;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < src->nna; i++)
		if (src->na_len[i] == f->len && memcmp(src->na[i], p, f->len) == 0)
			return 1;
	return 0;
}

int assay_source_has_na_list(const struct assay_source *src)
{
	return src->nna != 0;
}
