/* fuzz_jsonl.c: libFuzzer harness for the JSONL source. The first byte picks
 * the options (workers, block size, an extra NA spelling), the rest is
 * the file. Every field of every row is touched (bytes, NA test, number
 * parse), and errors are formatted, so ASan/UBSan see every path. Must
 * never crash or leak, whatever the input. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/source.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct touch {
	const struct assay_source *src;
	uint64_t sum;
};

static int touch_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct touch *t = ctx;
	for (size_t i = 0; i < row->nfields; i++) {
		const struct assay_field *f = &row->fields[i];
		for (uint32_t k = 0; k < f->len; k++)
			t->sum += (unsigned char)f->p[k];
		t->sum += (uint64_t)assay_source_is_na(t->src, f) + f->column;
		double d;
		if (assay_parse_double(f->p, f->len, &d) == 0)
			t->sum += d == d;
	}
	return 0;
}

static void reset_touch(void *ctx)
{
	((struct touch *)ctx)->sum = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t o = data[0];
	char path[64];
	int fd = fuzz_file(data, size, "fuzz.jsonl", path);
	if (fd < 0)
		return 0;
	const char *na[1] = {"-"};
	struct assay_source_opts opts = {
	    .path = path,
	    .format = ASSAY_FORMAT_JSONL,
	    .na = na,
	    .nna = o & 1,
	    .threads = 1 + ((o >> 4) & 3),
	    .min_split_bytes = 1,
	    .block_bytes = (o >> 6) ? (size_t)16 << (o >> 6) : 0,
	};
	struct assay_source *src = NULL;
	struct assay_error err;
	char msg[2048];
	if (assay_source_open(&src, &opts, &err) == 0) {
		struct touch t[4] = {{src, 0}, {src, 0}, {src, 0}, {src, 0}};
		void *ctx[4] = {&t[0], &t[1], &t[2], &t[3]};
		struct assay_source_stats st;
		if (assay_source_scan(src, touch_row, reset_touch, ctx, &st, &err))
			assay_error_format(&err, msg, sizeof msg);
		assay_source_column(src, "score", "--score", &err);
		assay_source_free(src);
	} else {
		assay_error_format(&err, msg, sizeof msg);
	}
	close(fd);
	return 0;
}
