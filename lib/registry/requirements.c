/* requirements.c: a registered system seen through a policy pack
 * (assay/registry_policy.h). */
#include <stdlib.h>
#include <string.h>

#include "assay/registry_policy.h"

int assay_registry_policy_load(struct assay_policy **p, const char *dir, struct assay_arena *a,
                               struct assay_error *err)
{
	if (!dir || !*dir)
		dir = getenv("ASSAY_POLICY");
	if (dir && !*dir)
		dir = NULL;
	return assay_policy_load(p, dir, a, err);
}

static json_t *rationale_json(const struct assay_tier_result *tr)
{
	json_t *v = json_array();
	for (size_t i = 0; i < tr->n_reasons; i++) {
		const struct assay_tier_reason *r = &tr->reasons[i];
		json_array_append_new(v, json_pack("{s:s, s:s, s:s, s:s, s:b}", "rule", r->rule_id ? r->rule_id : "",
		                                   "tier", assay_tier_name(r->tier), "cite", r->cite ? r->cite : "",
		                                   "text", r->text ? r->text : "", "decisive", r->decisive));
	}
	return v;
}

int assay_registry_tier_input(const struct assay_policy *p, const json_t *intake, struct assay_arena *a,
                              struct assay_tier_result *tr, struct assay_system_input *in, struct assay_error *err)
{
	int rc = assay_policy_tier(p, intake, NULL, tr, a, err);
	if (rc)
		return rc;
	memset(in, 0, sizeof *in);
	in->intake = intake;
	in->tier = assay_tier_name(tr->computed_tier);
	in->rationale = rationale_json(tr); /* the caller releases it: json_decref */
	in->policy_version = assay_arena_strdup(a, tr->policy_version ? tr->policy_version : "");
	in->policy_hash = assay_arena_strdup(a, tr->policy_sha256 ? tr->policy_sha256 : "");
	return 0;
}

int assay_system_requirements(const struct assay_policy *p, const struct assay_system *sys, struct assay_arena *a,
                              struct assay_tier_result *tr, struct assay_requirement **reqs, size_t *n,
                              struct assay_error *err)
{
	json_error_t je;
	json_t *intake = json_loads(sys->intake ? sys->intake : "", 0, &je);
	if (!intake)
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "the stored intake of %s is not JSON: %s",
		                       sys->slug, je.text);
	struct assay_tier_override ov;
	const struct assay_tier_override *ovp = NULL;
	if (sys->tier_source && !strcmp(sys->tier_source, "override") && sys->tier &&
	    assay_tier_parse(sys->tier, &ov.tier) == 0) {
		ov.reason = sys->override_reason ? sys->override_reason : "(no reason recorded)";
		ovp = &ov;
	}
	int rc = assay_policy_tier(p, intake, ovp, tr, a, err);
	json_decref(intake);
	if (rc)
		return rc;
	size_t cap = tr->n_evidence + 1, k = 0;
	for (size_t i = 0; i < tr->n_controls; i++)
		cap += tr->controls[i].n_evidence;
	struct assay_requirement *v = assay_arena_calloc(a, cap, sizeof *v);
	if (!v)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < tr->n_controls; i++) {
		const struct assay_required_control *c = &tr->controls[i];
		for (size_t j = 0; j < c->n_evidence; j++) {
			const struct assay_evidence_req *e = c->evidence[j];
			size_t d;
			for (d = 0; d < k; d++)
				if (!strcmp(v[d].key, e->key))
					break;
			if (d < k)
				continue;
			v[k].control_id = c->control->id;
			v[k].key = e->key;
			v[k].kind = assay_evidence_kind_name(e->kind);
			v[k].label = e->description;
			v[k].freshness_days = e->freshness_days;
			k++;
		}
	}
	*reqs = v;
	*n = k;
	return 0;
}
