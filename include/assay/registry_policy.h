/* assay/registry_policy.h: the glue between a registered system and a
 * policy pack: what the pack computes for the system's stored intake (tier,
 * rationale, controls) with the system's manual override applied, and the
 * evidence requirements that the registry counts completeness against.
 * Used by `assay tier`, `assay evidence`, `assay eval --record` and the
 * release gate. */
#ifndef ASSAY_REGISTRY_POLICY_H
#define ASSAY_REGISTRY_POLICY_H

#include "assay/policy.h"
#include "assay/registry.h"

/* Tier a normalised intake and fill `in` for assay_system_add/update:
 * in->intake = intake, strings arena-owned, in->rationale a new JSON
 * array that the caller releases with json_decref((json_t *)in->rationale). */
int assay_registry_tier_input(const struct assay_policy *p, const json_t *intake, struct assay_arena *a,
                              struct assay_tier_result *tr, struct assay_system_input *in, struct assay_error *err);

/* Recompute the tier of a registered system from its stored intake with the
 * stored override, and list its evidence requirements: one per evidence key
 * (the first control that requires it), in control order. */
int assay_system_requirements(const struct assay_policy *p, const struct assay_system *sys, struct assay_arena *a,
                              struct assay_tier_result *tr, struct assay_requirement **reqs, size_t *n,
                              struct assay_error *err);

/* The pack to use: dir, else $ASSAY_POLICY, else the built-in default. */
int assay_registry_policy_load(struct assay_policy **p, const char *dir, struct assay_arena *a,
                               struct assay_error *err);

#endif
