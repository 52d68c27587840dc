/* fuzz_intake.c: libFuzzer harness for intake files (assay/intake.h). The
 * input is the YAML; when it loads, it is validated again as JSON and tiered
 * with the built-in default pack, so parsing, canonical spellings,
 * validation and every predicate run. Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "assay/intake.h"
#include "assay/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_arena a = {0};
	struct assay_policy *p = NULL;
	struct assay_error err;
	json_t *in = NULL;
	if (assay_intake_load_buffer(&in, "fuzz.yaml", (const char *)data, size, NULL, &err) == 0) {
		assay_intake_validate(in, "fuzz", &err);
		if (assay_policy_load(&p, NULL, &a, &err) == 0) {
			struct assay_tier_result r;
			struct assay_tier_override o = {ASSAY_TIER_MEDIUM, "fuzz"};
			if (assay_policy_tier(p, in, size % 2 ? &o : NULL, &r, &a, &err) == 0)
				json_decref(assay_tier_result_json(&r));
		}
	}
	char buf[2048];
	assay_error_format(&err, buf, sizeof buf);
	json_decref(in);
	assay_arena_free(&a);
	return 0;
}
