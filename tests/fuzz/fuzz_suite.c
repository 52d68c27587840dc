/* fuzz_suite.c: libFuzzer harness for red-team suite files. The input is
 * a suite; when it loads, its cases are expanded by every strategy (the
 * transforms run on whatever prompts the suite holds) and the canonical
 * request of the first conversation is built. Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/redteam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_rt_suite *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	if (assay_rt_suite_load_buffer(&s, "fuzz.yaml", (const char *)data, size, &err) == 0) {
		struct assay_arena a = {0};
		assay_arena_init(&a);
		for (size_t i = 0; i < s->inline_cases.n && i < 8; i++)
			for (int k = 0; k < ASSAY_RT_S__COUNT; k++) {
				struct assay_rt_turns t;
				if (assay_rt_apply(&s->inline_cases.v[i], (enum assay_rt_strategy)k, s->seed,
				                   &a, &t, &err) == 0 &&
				    t.n) {
					struct assay_message m = {"user", t.user[t.n - 1]};
					free(assay_target_canonical(&s->target, &m, 1));
				}
			}
		assay_arena_free(&a);
		assay_rt_suite_free(s);
	}
	char buf[2048];
	assay_error_format(&err, buf, sizeof buf);
	return 0;
}
