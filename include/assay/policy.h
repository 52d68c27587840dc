/* assay/policy.h: policy packs: the risk-tiering rubric, applicability rules,
 * controls with evidence requirements, workflow parameters per tier and the
 * catalogs the controls map to.
 *
 * A pack is a directory of YAML (docs/policy.md): pack.yaml, tiering.yaml,
 * applicability.yaml, controls.yaml, workflow.yaml and catalogs/NAME.yaml. The
 * default pack (policies/default) is embedded in the library at build time,
 * so the installed binary needs no source tree. Loading validates everything
 * (unknown keys, predicates over unknown intake fields, unknown catalog ids,
 * duplicate ids, tiers without workflow parameters) and reports the first
 * error located at file:line:column; assay_policy_lint collects all of them.
 *
 * Tiering (default pack: the EU AI Act structure) evaluates every rule of
 * tiering.yaml against the normalised intake record (assay/intake.h); the
 * tier is the highest tier of any rule that matched, or the pack's default
 * when none did. Rationale lines list the deciding rules first, then the
 * other matches, each citing its article or point. Applicability rules then
 * select controls from the tier and the intake fields; each control's
 * evidence requirements are filtered by tier.
 *
 * Everything a loaded pack hands out lives in the arena it was loaded into.
 */
#ifndef ASSAY_POLICY_H
#define ASSAY_POLICY_H

#include <jansson.h>
#include <stddef.h>

#include "assay/arena.h"
#include "assay/catalog.h"
#include "assay/error.h"

struct assay_policy; /* opaque; lives in the arena passed to assay_policy_load */

enum assay_tier {
	ASSAY_TIER_LOW = 0,
	ASSAY_TIER_MEDIUM = 1,
	ASSAY_TIER_HIGH = 2,
	ASSAY_TIER_PROHIBITED = 3,
};
#define ASSAY_TIER_COUNT 4

/* "low", "medium", "high", "prohibited". */
const char *assay_tier_name(enum assay_tier t);
/* 0 and *out set, or ASSAY_EUSAGE for anything else. */
int assay_tier_parse(const char *s, enum assay_tier *out);

enum assay_evidence_kind {
	ASSAY_EVIDENCE_DOCUMENT,
	ASSAY_EVIDENCE_METRIC,
	ASSAY_EVIDENCE_TEST_RESULT,
	ASSAY_EVIDENCE_ATTESTATION,
	ASSAY_EVIDENCE_LOG,
};
/* "document", "metric", "test_result", "attestation", "log". */
const char *assay_evidence_kind_name(enum assay_evidence_kind k);

struct assay_evidence_req {
	const char *key; /* unique across the pack: "fairness-evaluation" */
	enum assay_evidence_kind kind;
	const char *description;
	int freshness_days; /* evidence older than this stops counting; 0 = never expires */
	unsigned tiers;     /* bit (1u << tier) set when required at that tier */
};

struct assay_catalog_ref {
	const char *catalog; /* catalog id */
	const char *entry;   /* entry id within it */
};

struct assay_control {
	const char *id; /* "fairness-evaluation" */
	const char *title;
	const char *objective;
	const char *test_procedure;
	const struct assay_evidence_req *evidence;
	size_t n_evidence;
	const struct assay_catalog_ref *maps_to;
	size_t n_maps_to;
};

/* One rationale line of a tier decision. */
struct assay_tier_reason {
	const char *rule_id;
	enum assay_tier tier;
	const char *cite; /* "EU AI Act Annex III 5(b)"; may be "" */
	const char *text; /* the rule's rationale with ${matched} filled in */
	int decisive;     /* the rule's tier is the result's computed tier */
};

struct assay_required_control {
	const struct assay_control *control;
	const char *selected_by;                          /* applicability rule ids, comma-separated */
	const struct assay_evidence_req *const *evidence; /* those required at this tier */
	size_t n_evidence;
};

/* A manual override recorded by the registry: the reason is mandatory. */
struct assay_tier_override {
	enum assay_tier tier;
	const char *reason;
};

struct assay_tier_result {
	enum assay_tier tier;          /* the effective tier (override applied) */
	enum assay_tier computed_tier; /* what the rules gave */
	int overridden;
	const char *override_reason;             /* NULL when not overridden */
	const struct assay_tier_reason *reasons; /* ordered: deciding rules first */
	size_t n_reasons;
	const struct assay_required_control *controls; /* in controls.yaml order */
	size_t n_controls;
	size_t n_evidence; /* total evidence requirements over controls (a key counted once) */
	const char *policy_name, *policy_version, *policy_sha256;
};

/* Workflow parameters per tier (workflow.yaml). */
struct assay_workflow_tier {
	enum assay_tier tier;
	int triage_hours;                 /* target time from submission to triage */
	int decision_hours;               /* target time from submission to decision */
	const char *const *signoff_roles; /* every one must sign the decision */
	size_t n_signoff_roles;
	int waiver_max_days;        /* longest waiver allowed; 0 = no waivers */
	int decision_validity_days; /* a decision expires after this; 0 = cannot be approved */
};

/* Load a pack: dir NULL = the built-in default pack. Everything is
 * allocated in `a` (free the arena to release the pack). */
int assay_policy_load(struct assay_policy **out, const char *dir, struct assay_arena *a,
                      struct assay_error *err);

const char *assay_policy_name(const struct assay_policy *p);
const char *assay_policy_version(const struct assay_policy *p);
const char *assay_policy_description(const struct assay_policy *p);
/* SHA-256 over the pack's files: for each file in byte order of its path
 * relative to the pack directory, "path\n" + hex sha256 of its bytes + "\n";
 * the hash of that text. The embedded default and the same files read from
 * disk give the same hash. */
const char *assay_policy_sha256(const struct assay_policy *p);
/* "built-in" or the directory it was loaded from. */
const char *assay_policy_source(const struct assay_policy *p);

/* Compute the tier, rationale and required controls for a normalised intake
 * record (assay_intake_load / assay_intake_normalize). override may be NULL;
 * with an override its reason must be non-empty (ASSAY_EUSAGE otherwise).
 * The result points into `a` and into the pack. */
int assay_policy_tier(const struct assay_policy *p, const json_t *intake,
                      const struct assay_tier_override *override, struct assay_tier_result *out,
                      struct assay_arena *a, struct assay_error *err);
/* The result as JSON ("schema": "assay.tier/1"): tier, computed_tier,
 * override, rationale[], controls[] with evidence[], policy {name, version,
 * sha256}. New reference; NULL when out of memory. */
json_t *assay_tier_result_json(const struct assay_tier_result *r);

/* Workflow parameters of a tier; never NULL for a loaded pack (every tier
 * must have them, the loader checks). */
const struct assay_workflow_tier *assay_policy_workflow(const struct assay_policy *p, enum assay_tier t);

/* The pack's controls, in controls.yaml order. */
size_t assay_policy_control_count(const struct assay_policy *p);
const struct assay_control *assay_policy_control_at(const struct assay_policy *p, size_t i);
const struct assay_control *assay_policy_control_find(const struct assay_policy *p, const char *id);
/* The evidence requirement with this key and (owner may be NULL) its
 * control; NULL when no control requires such evidence. */
const struct assay_evidence_req *assay_policy_evidence_find(const struct assay_policy *p, const char *key,
                                                            const struct assay_control **owner);

/* Coverage of a catalog by the pack: assessable entries that at least one
 * control (or, for classification entries, one tiering rule) maps to. */
struct assay_coverage {
	const struct assay_catalog *catalog;
	size_t total;   /* assessable entries */
	size_t covered; /* of those, mapped to */
	const struct assay_catalog_entry *const *uncovered;
	size_t n_uncovered;
};
/* One per catalog, in catalog order. */
int assay_policy_coverage(const struct assay_policy *p, const struct assay_coverage **out, size_t *n,
                          struct assay_arena *a, struct assay_error *err);

/* Lint: load the pack at dir and collect every problem instead of stopping
 * at the first. Returns 0 when the pack could be examined (clean or not;
 * look at n_issues), negative only when dir itself is unusable. */
struct assay_lint_issue {
	const char *file; /* the file as opened: "DIR/tiering.yaml" */
	unsigned long line, column;
	const char *message;
	const char *hint; /* may be "" */
};
struct assay_lint_report {
	const struct assay_lint_issue *issues;
	size_t n_issues;
	size_t n_files; /* files examined */
};
int assay_policy_lint(const char *dir, struct assay_lint_report *out, struct assay_arena *a,
                      struct assay_error *err);

#endif
