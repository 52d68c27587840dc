/* fuzz_plan.c: libFuzzer harness for plan files (YAML + check
 * expressions). The input is the plan; it is loaded, and when it loads,
 * validated and judged against a small fixed report, so parsing, selector
 * resolution and judging all run. Must never crash or leak. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "assay/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.yaml", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_summary *s = NULL;
	struct assay_error err;
	const char *feats[] = {"race", "sex"};
	struct assay_plan *plan = NULL;
	if (assay_plan_load(&plan, path, &a, &err) == 0 &&
	    assay_summary_new(&s, ASSAY_TASK_BINARY, feats, 2, 1, &err) == 0) {
		const char *lv[2] = {"A", "F"};
		uint32_t len[2] = {1, 1};
		for (int i = 0; i < 40; i++) {
			lv[0] = i % 3 ? "A" : "B";
			lv[1] = i % 2 ? "F" : "M";
			assay_summary_add_binary(s, lv, len, i % 5 < 2, i % 3 == 0, (i % 10) / 10.0);
		}
		struct assay_eval_params p;
		assay_eval_params_init(&p);
		p.bootstrap = 20;
		p.score = "score";
		p.min_group_size = 5;
		struct assay_eval_report r;
		memset(&r, 0, sizeof r);
		r.params = p;
		if (assay_eval_compute(s, &p, &a, &r, &err) == 0 && assay_plan_validate(plan, &r, &err) == 0)
			assay_plan_run(plan, &r, &a, &err);
	}
	char buf[2048];
	assay_error_format(&err, buf, sizeof buf);
	assay_summary_free(s);
	assay_arena_free(&a);
	close(fd);
	return 0;
}
