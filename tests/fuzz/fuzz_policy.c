/* fuzz_policy.c: libFuzzer harness for policy packs (assay/policy.h). The
 * first byte picks which file of a small valid pack the rest of the input
 * replaces (pack, controls, tiering, applicability, workflow, or an extra
 * catalog); the pack is written to a temporary directory, linted, loaded,
 * and when it loads a fixed intake record is tiered and coverage computed.
 * Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assay/intake.h"
#include "assay/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const NAMES[] = {"pack.yaml",          "controls.yaml", "tiering.yaml",
                                    "applicability.yaml", "workflow.yaml", "catalogs/extra.yaml"};
static const char *const BASE[] = {
    "format: 1\nname: f\nversion: \"1\"\n",
    "controls:\n  - id: c\n    title: t\n    objective: o\n    test_procedure: p\n    evidence:\n"
    "      - {key: k, kind: metric, freshness_days: 30, tiers: [high]}\n    maps_to: {nist-ai-rmf: [MAP "
    "2.2]}\n",
    "default: {tier: low, rationale: none}\npredicates:\n  g: {field: ai_type, in: [genai, rag]}\nrules:\n"
    "  - {id: r, tier: high, when: {all: [{ref: g}, {field: art50_triggers, contains_any: [\"50(1)\"]}]}, "
    "rationale: \"m ${matched}\"}\n",
    "rules:\n  - {id: a, when: {field: tier, ge: medium}, controls: [c]}\n",
    "tiers:\n  low: {time_to_triage: 1d, time_to_decision: 2d, signoff_roles: [o], waiver_max_days: 1, "
    "decision_validity_days: 1}\n  medium: {time_to_triage: 1d, time_to_decision: 2d, signoff_roles: [o], "
    "waiver_max_days: 1, decision_validity_days: 1}\n  high: {time_to_triage: 1d, time_to_decision: 2d, "
    "signoff_roles: [o], waiver_max_days: 1, decision_validity_days: 1}\n  prohibited: {time_to_triage: 1d, "
    "time_to_decision: 2d, signoff_roles: [], waiver_max_days: 0, decision_validity_days: 0}\n",
    NULL,
};

static void put(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	if (len)
		fwrite(buf, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char dir[] = "/tmp/assay-fuzz-policy-XXXXXX";
	if (!mkdtemp(dir))
		return 0;
	char sub[300];
	snprintf(sub, sizeof sub, "%s/catalogs", dir);
	mkdir(sub, 0700);
	size_t which = data[0] % 6;
	for (size_t i = 0; i < 6; i++) {
		if (i == which)
			put(dir, NAMES[i], data + 1, size - 1);
		else if (BASE[i])
			put(dir, NAMES[i], BASE[i], strlen(BASE[i]));
	}
	struct assay_arena a = {0};
	struct assay_error err;
	struct assay_lint_report lr;
	assay_policy_lint(dir, &lr, &a, &err);
	struct assay_policy *p;
	if (assay_policy_load(&p, dir, &a, &err) == 0) {
		static const char y[] = "name: F\nai_type: rag\neu_role: deployer\nintended_purpose: p\n"
		                        "deployment_context: public\nart50_triggers: [\"50(1)\"]\n";
		json_t *in;
		if (assay_intake_load_buffer(&in, "i.yaml", y, sizeof y - 1, NULL, &err) == 0) {
			struct assay_tier_result r;
			if (assay_policy_tier(p, in, NULL, &r, &a, &err) == 0)
				json_decref(assay_tier_result_json(&r));
			json_decref(in);
		}
		const struct assay_coverage *cov;
		size_t n;
		assay_policy_coverage(p, &cov, &n, &a, &err);
	}
	assay_arena_free(&a);
	for (size_t i = 0; i < 6; i++) {
		char path[300];
		snprintf(path, sizeof path, "%s/%s", dir, NAMES[i]);
		unlink(path);
	}
	rmdir(sub);
	rmdir(dir);
	return 0;
}
