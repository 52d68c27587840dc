/* tier.c: risk tiering and control applicability (assay_policy_tier), the
 * result as JSON ("assay.tier/1"), and the pack's accessors.
 *
 * Combination rule (docs/policy.md, "How a tier is decided"): every rule of
 * tiering.yaml is evaluated; the computed tier is the highest tier among the
 * rules that matched, or the pack's default tier when none did. Order in the
 * file matters only for the order of rationale lines. A manual override
 * replaces the computed tier (both are kept, with the reason). Controls are
 * then selected by the applicability rules evaluated with the effective tier;
 * a control's evidence requirements are those whose `tiers` include it.
 */
#include <stdio.h>
#include <string.h>

#include "assay/version.h"
#include "policy_internal.h"

#define MAX_MATCHED 32

static const char *const TIER_NAMES[] = {"low", "medium", "high", "prohibited"};
static const char *const KIND_NAMES[] = {"document", "metric", "test_result", "attestation", "log"};

const char *assay_tier_name(enum assay_tier t)
{
	return (unsigned)t < ASSAY_TIER_COUNT ? TIER_NAMES[t] : "?";
}

int assay_tier_parse(const char *s, enum assay_tier *out)
{
	for (int i = 0; s && i < ASSAY_TIER_COUNT; i++)
		if (strcmp(s, TIER_NAMES[i]) == 0) {
			*out = (enum assay_tier)i;
			return 0;
		}
	return ASSAY_EUSAGE;
}

const char *assay_evidence_kind_name(enum assay_evidence_kind k)
{
	return (unsigned)k < 5 ? KIND_NAMES[k] : "?";
}

/* The rationale with ${matched} replaced by the matched values. */
static const char *fill(struct assay_arena *a, const char *text, const char **matched, size_t n)
{
	const char *at = strstr(text, "${matched}");
	if (!at)
		return text;
	char list[512];
	size_t off = 0;
	list[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof list; i++)
		off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", matched[i]);
	const char *rest = fill(a, at + 10, matched, n);
	return assay_arena_printf(a, "%.*s%s%s", (int)(at - text), text, list, rest);
}

static int add_reasons(const struct assay_policy *p, const json_t *intake, struct assay_tier_result *out,
                       struct assay_arena *a)
{
	struct assay_tier_reason *rs = assay_arena_calloc(a, p->n_rules + 2, sizeof *rs);
	if (!rs)
		return ASSAY_ENOMEM;
	int *fired = assay_arena_calloc(a, p->n_rules + 1, sizeof *fired);
	const char ***match = assay_arena_calloc(a, p->n_rules + 1, sizeof *match);
	size_t *nmatch = assay_arena_calloc(a, p->n_rules + 1, sizeof *nmatch);
	if (!fired || !match || !nmatch)
		return ASSAY_ENOMEM;
	int best = -1;
	for (size_t i = 0; i < p->n_rules; i++) {
		match[i] = assay_arena_calloc(a, MAX_MATCHED, sizeof **match);
		if (!match[i])
			return ASSAY_ENOMEM;
		fired[i] = pred_eval(p->rules[i].when, intake, -1, match[i], &nmatch[i], MAX_MATCHED);
		if (fired[i] && (int)p->rules[i].tier > best)
			best = (int)p->rules[i].tier;
	}
	size_t n = 0;
	if (best < 0) {
		out->computed_tier = p->default_tier;
		rs[n++] = (struct assay_tier_reason){"default", p->default_tier, "", p->default_rationale, 1};
	} else {
		out->computed_tier = (enum assay_tier)best;
		/* deciding rules first, then the others by tier (highest first), file order within a tier */
		for (int t = best; t >= 0; t--)
			for (size_t i = 0; i < p->n_rules; i++)
				if (fired[i] && (int)p->rules[i].tier == t)
					rs[n++] = (struct assay_tier_reason){
					    p->rules[i].id, p->rules[i].tier, p->rules[i].cite,
					    fill(a, p->rules[i].rationale, match[i], nmatch[i]), t == best};
	}
	out->reasons = rs;
	out->n_reasons = n;
	return 0;
}

static int add_controls(const struct assay_policy *p, const json_t *intake, struct assay_tier_result *out,
                        struct assay_arena *a)
{
	char **sel = assay_arena_calloc(a, p->n_controls + 1, sizeof *sel);
	if (!sel)
		return ASSAY_ENOMEM;
	for (size_t r = 0; r < p->n_app; r++) {
		if (!pred_eval(p->app[r].when, intake, (int)out->tier, NULL, NULL, 0))
			continue;
		for (size_t k = 0; k < p->app[r].n_controls; k++)
			for (size_t i = 0; i < p->n_controls; i++)
				if (strcmp(p->controls[i].id, p->app[r].controls[k]) == 0)
					sel[i] = sel[i] ? assay_arena_printf(a, "%s,%s", sel[i], p->app[r].id)
					                : assay_arena_strdup(a, p->app[r].id);
	}
	struct assay_required_control *rc = assay_arena_calloc(a, p->n_controls + 1, sizeof *rc);
	if (!rc)
		return ASSAY_ENOMEM;
	size_t n = 0;
	out->n_evidence = 0;
	for (size_t i = 0; i < p->n_controls; i++) {
		if (!sel[i])
			continue;
		const struct assay_control *c = &p->controls[i];
		const struct assay_evidence_req **ev = assay_arena_calloc(a, c->n_evidence + 1, sizeof *ev);
		if (!ev)
			return ASSAY_ENOMEM;
		size_t ne = 0;
		for (size_t k = 0; k < c->n_evidence; k++)
			if (c->evidence[k].tiers & (1u << out->tier))
				ev[ne++] = &c->evidence[k];
		rc[n++] = (struct assay_required_control){c, sel[i], ev, ne};
		out->n_evidence += ne;
	}
	out->controls = rc;
	out->n_controls = n;
	return 0;
}

int assay_policy_tier(const struct assay_policy *p, const json_t *intake,
                      const struct assay_tier_override *override, struct assay_tier_result *out,
                      struct assay_arena *a, struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	if (assay_intake_validate(intake, "the intake record", err) != 0)
		return err->code;
	if (override && (!override->reason || !override->reason[0]))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a manual tier override needs a reason"),
		       assay_error_hint(err,
		                        "say why the computed tier does not fit; the reason is recorded"),
		       err->code;
	if (override && (unsigned) override->tier >= ASSAY_TIER_COUNT)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "the override's tier is not a tier");
	out->policy_name = p->name;
	out->policy_version = p->version;
	out->policy_sha256 = p->sha256;
	if (add_reasons(p, intake, out, a) != 0)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	out->tier = out->computed_tier;
	if (override) {
		out->tier = override->tier;
		out->overridden = 1;
		out->override_reason = assay_arena_strdup(a, override->reason);
	}
	if (add_controls(p, intake, out, a) != 0)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	return 0;
}

json_t *assay_tier_result_json(const struct assay_tier_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string("assay.tier/1"));
	json_object_set_new(o, "assay_version", json_string(assay_version()));
	json_object_set_new(o, "tier", json_string(assay_tier_name(r->tier)));
	json_object_set_new(o, "computed_tier", json_string(assay_tier_name(r->computed_tier)));
	json_object_set_new(o, "override",
	                    r->overridden ? json_pack("{s:s,s:s}", "tier", assay_tier_name(r->tier), "reason",
	                                              r->override_reason)
	                                  : json_null());
	json_t *rat = json_array();
	for (size_t i = 0; i < r->n_reasons; i++) {
		const struct assay_tier_reason *x = &r->reasons[i];
		json_array_append_new(rat, json_pack("{s:s,s:s,s:s,s:s,s:b}", "rule", x->rule_id, "tier",
		                                     assay_tier_name(x->tier), "cite", x->cite, "text",
		                                     x->text, "decisive", x->decisive));
	}
	json_object_set_new(o, "rationale", rat);
	json_t *ctl = json_array();
	for (size_t i = 0; i < r->n_controls; i++) {
		const struct assay_required_control *rc = &r->controls[i];
		json_t *ev = json_array();
		for (size_t k = 0; k < rc->n_evidence; k++)
			json_array_append_new(
			    ev, json_pack("{s:s,s:s,s:i,s:s}", "key", rc->evidence[k]->key, "kind",
			                  assay_evidence_kind_name(rc->evidence[k]->kind), "freshness_days",
			                  rc->evidence[k]->freshness_days, "description",
			                  rc->evidence[k]->description ? rc->evidence[k]->description : ""));
		json_t *by = json_array();
		const char *s = rc->selected_by;
		while (s && *s) {
			const char *e = strchr(s, ',');
			size_t l = e ? (size_t)(e - s) : strlen(s);
			json_array_append_new(by, json_stringn(s, l));
			s = e ? e + 1 : NULL;
		}
		json_array_append_new(ctl, json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", rc->control->id, "title",
		                                     rc->control->title, "objective", rc->control->objective,
		                                     "selected_by", by, "evidence", ev));
	}
	json_object_set_new(o, "controls", ctl);
	json_object_set_new(o, "policy",
	                    json_pack("{s:s,s:s,s:s}", "name", r->policy_name, "version", r->policy_version,
	                              "sha256", r->policy_sha256));
	return o;
}

/* ---- accessors ------------------------------------------------------------------- */

const struct assay_workflow_tier *assay_policy_workflow(const struct assay_policy *p, enum assay_tier t)
{
	return (unsigned)t < ASSAY_TIER_COUNT ? &p->workflow[t] : NULL;
}

size_t assay_policy_control_count(const struct assay_policy *p)
{
	return p->n_controls;
}

const struct assay_control *assay_policy_control_at(const struct assay_policy *p, size_t i)
{
	return i < p->n_controls ? &p->controls[i] : NULL;
}

const struct assay_control *assay_policy_control_find(const struct assay_policy *p, const char *id)
{
	for (size_t i = 0; i < p->n_controls; i++)
		if (p->controls[i].id && strcmp(p->controls[i].id, id) == 0)
			return &p->controls[i];
	return NULL;
}

const struct assay_evidence_req *assay_policy_evidence_find(const struct assay_policy *p, const char *key,
                                                            const struct assay_control **owner)
{
	for (size_t i = 0; i < p->n_controls; i++)
		for (size_t k = 0; k < p->controls[i].n_evidence; k++)
			if (p->controls[i].evidence[k].key &&
			    strcmp(p->controls[i].evidence[k].key, key) == 0) {
				if (owner)
					*owner = &p->controls[i];
				return &p->controls[i].evidence[k];
			}
	return NULL;
}
