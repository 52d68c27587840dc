/* fuzz_expect.c: libFuzzer harness for expectations files (YAML, bounds,
 * regexes, durations, timestamps, relationships). The input is the file;
 * when it parses, it is run over a small fixed CSV whose columns are the
 * names the seeds use, so column resolution and every check run too.
 * Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/expect.h"
#include "assay/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CSV[] = "id,age,status,email,start,end,t\n"
                          "1,34,active,a@b.c,1,5,2025-12-30\n"
                          "2,150,closed,x,3,2,2025-12-29T10:00:00Z\n"
                          "2,,paused,,NA,4,not a date\n"
                          "4,-2,active,é@ü.de,5,6,2025-12-31 23:59\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_expectations *e = NULL;
	if (assay_expect_parse(&e, "fuzz.yaml", (const char *)data, size, &err) != 0)
		return 0;
	int fd = memfd_create("fuzz.csv", 0);
	if (fd < 0 || write(fd, CSV, sizeof CSV - 1) != (ssize_t)(sizeof CSV - 1)) {
		if (fd >= 0)
			close(fd);
		assay_expect_free(e);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct assay_source_opts so = {.path = path, .threads = 1};
	struct assay_source *src = NULL;
	if (assay_source_open(&src, &so, &err) == 0) {
		struct assay_arena a = {0};
		assay_arena_init(&a);
		struct assay_check_params p;
		assay_check_params_init(&p);
		p.has_now = 1;
		p.now = 1767225600;
		struct assay_check_report r;
		memset(&r, 0, sizeof r);
		if (assay_expect_run(e, src, &p, &a, &r, &err) == 0) {
			FILE *sink = fopen("/dev/null", "w");
			for (int fmt = 0; sink && fmt < 5; fmt++)
				assay_report_check(&r, fmt, NULL, sink, &err);
			if (sink)
				fclose(sink);
		}
		assay_arena_free(&a);
		assay_source_free(src);
	}
	close(fd);
	assay_expect_free(e);
	return 0;
}
