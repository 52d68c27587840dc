/* fuzz_filter.c: libFuzzer harness for --where / --pred-from expressions.
 * The input is the expression; it is compiled against a fixed header and,
 * when it compiles, evaluated on every row of a small file. Must never
 * crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const struct assay_filter *f;
	const struct assay_source *src;
};

static int on_row(void *c, const struct assay_row *row, struct assay_error *err)
{
	struct ctx *x = c;
	int r = assay_filter_eval(x->f, x->src, row, err);
	return r < 0 ? 0 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char csv[] =
	    "age,race,score text,score\n34,A,Low,0.2\n,B,High,0.9\n61,\"C, D\",N/A,NA\n";
	int fd = memfd_create("fuzz.csv", 0);
	if (fd < 0)
		return 0;
	if (write(fd, csv, sizeof csv - 1) != (ssize_t)(sizeof csv - 1)) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *expr = malloc(size + 1);
	if (!expr) {
		close(fd);
		return 0;
	}
	memcpy(expr, data, size);
	expr[size] = '\0';
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	struct assay_source_opts o = {.path = path, .format = ASSAY_FORMAT_CSV, .threads = 1};
	struct assay_source *src = NULL;
	struct assay_filter *f = NULL;
	if (assay_source_open(&src, &o, &err) == 0 &&
	    assay_filter_compile(&f, expr, "--where", src, &a, &err) == 0) {
		struct ctx c = {f, src};
		void *ctxs[1] = {&c};
		assay_source_scan(src, on_row, NULL, ctxs, NULL, &err);
	}
	assay_source_free(src);
	assay_arena_free(&a);
	free(expr);
	close(fd);
	return 0;
}
