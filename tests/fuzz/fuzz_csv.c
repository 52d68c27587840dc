/* fuzz_csv.c: libFuzzer harness for the CSV source. The first byte picks
 * the options (delimiter, header or not, workers, block size), the rest is
 * the file. Every field of every row is touched (bytes, NA test, number
 * parse), and errors are formatted, so ASan/UBSan see every path. Must
 * never crash or leak, whatever the input.
 *
 * It is also a differential test: the same file is scanned once with one
 * worker and big blocks, once with the fuzzed workers and block size, and
 * the two must agree on the rows (a sum of per-row hashes, so worker order
 * does not matter) and on the error, or the harness aborts. A third scan
 * projects to the first column (assay_source_project): the same rows, the
 * same first fields and the same error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/source.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct touch {
	const struct assay_source *src;
	uint64_t sum, sum0; /* all fields; the first field */
	uint64_t rows;
};

static int touch_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct touch *t = ctx;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a over the row */
	for (size_t i = 0; i < row->nfields; i++) {
		const struct assay_field *f = &row->fields[i];
		for (uint32_t k = 0; k < f->len; k++)
			h = (h ^ (unsigned char)f->p[k]) * 1099511628211ULL;
		h = (h ^ (0x100u + (unsigned)assay_source_is_na(t->src, f) + f->column)) * 1099511628211ULL;
		double d;
		if (assay_parse_double(f->p, f->len, &d) == 0)
			h += d == d;
		if (i == 0)
			t->sum0 += h;
	}
	t->sum += h;
	t->rows++;
	return 0;
}

static void reset_touch(void *ctx)
{
	((struct touch *)ctx)->sum = 0;
	((struct touch *)ctx)->sum0 = 0;
	((struct touch *)ctx)->rows = 0;
}

struct outcome {
	int rc;
	uint64_t sum, sum0, rows, line, column;
	char message[1024];
};

static struct outcome scan_once(const struct assay_source_opts *opts, size_t project)
{
	struct outcome out = {0};
	struct assay_source *src = NULL;
	struct assay_error err;
	char msg[2048];
	out.rc = assay_source_open(&src, opts, &err);
	if (out.rc == 0) {
		assay_source_project(src, project);
		struct touch t[4] = {{src, 0, 0, 0}, {src, 0, 0, 0}, {src, 0, 0, 0}, {src, 0, 0, 0}};
		void *ctx[4] = {&t[0], &t[1], &t[2], &t[3]};
		struct assay_source_stats st;
		out.rc = assay_source_scan(src, touch_row, reset_touch, ctx, &st, &err);
		for (int i = 0; i < 4; i++) {
			out.sum += t[i].sum;
			out.sum0 += t[i].sum0;
			out.rows += t[i].rows;
		}
		if (out.rc == 0 && st.rows != out.rows)
			abort();
		assay_source_column(src, "score", "--score", &err);
		assay_source_free(src);
	}
	if (out.rc) {
		assay_error_format(&err, msg, sizeof msg);
		out.line = err.line;
		out.column = err.column;
		snprintf(out.message, sizeof out.message, "%s", err.message);
		out.sum = out.sum0 = out.rows = 0; /* rows before an error may differ */
	}
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t o = data[0];
	char path[64];
	int fd = fuzz_file(data, size, "fuzz.csv", path);
	if (fd < 0)
		return 0;
	static const char delims[4] = {0, ';', '\t', '|'};
	const char *cols[3] = {"a", "b", "c"};
	struct assay_source_opts opts = {
	    .path = path,
	    .format = ASSAY_FORMAT_CSV,
	    .delimiter = delims[o & 3],
	    .no_header = (o >> 2) & 1,
	    .columns = cols,
	    .ncolumns = 1 + ((o >> 3) & 1) * 2,
	    .threads = 1 + ((o >> 4) & 3),
	    .min_split_bytes = 1,
	    .block_bytes = (o >> 6) ? (size_t)16 << (o >> 6) : 0,
	};
	struct outcome a = scan_once(&opts, 0);
	opts.threads = 1;
	opts.block_bytes = 0;
	opts.min_split_bytes = 0;
	opts.narrow = 1; /* the SSE2 tokenizer, where a runs the AVX-512 one if the CPU has it */
	struct outcome b = scan_once(&opts, 0);
	if (a.rc != b.rc || a.sum != b.sum || a.rows != b.rows || a.line != b.line || a.column != b.column ||
	    strcmp(a.message, b.message) != 0)
		abort(); /* the parallel (wide) scan disagrees with the sequential (narrow) one */
	struct outcome c = scan_once(&opts, 1);
	if (c.rc != b.rc || c.sum0 != b.sum0 || c.rows != b.rows || c.line != b.line ||
	    c.column != b.column || strcmp(c.message, b.message) != 0)
		abort(); /* the projected scan disagrees with the full one */
	close(fd);
	return 0;
}
