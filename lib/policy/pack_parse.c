/* pack_parse.c: the files of a policy pack, one parser each (formats in
 * docs/policy.md): catalogs/NAME.yaml, controls.yaml, tiering.yaml,
 * applicability.yaml, workflow.yaml. Every problem becomes a located issue
 * and parsing goes on with the next item, so lint reports them all.
 * Referential checks live here too: a control's maps_to must name catalog
 * entries that exist, an applicability rule must select controls that
 * exist, ids and evidence keys are unique, and every tier has workflow
 * parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- catalogs ---------------------------------------------------------------- */

static int iso_date(const char *s)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

int pack_parse_catalog(struct pctx *c, struct assay_yaml *y, struct assay_catalog *out)
{
	static const char *const KEYS[] = {
	    "id",         "title",     "version",      "source",
	    "source_url", "retrieved", "licence_note", "verified_against_primary",
	    "dates",      "entries"};
	static const char *const EKEYS[] = {"id", "parent", "kind", "title", "assessable"};
	static const char *const DKEYS[] = {"what", "date", "note"};
	yaml_node_t *root = assay_yaml_root(y);
	size_t before = c->n_issues;
	if (pctx_keys(c, y, root, "a catalog", KEYS, N(KEYS)))
		return ASSAY_EINPUT;
	out->id = pctx_string(c, y, root, "id", 1);
	out->title = pctx_string(c, y, root, "title", 1);
	out->version = pctx_string(c, y, root, "version", 1);
	out->source = pctx_string(c, y, root, "source", 1);
	out->source_url = pctx_string(c, y, root, "source_url", 0);
	out->retrieved = pctx_string(c, y, root, "retrieved", 1);
	out->licence_note = pctx_string(c, y, root, "licence_note", 0);
	if (out->retrieved && !iso_date(out->retrieved))
		pctx_at(c, y, assay_yaml_get(y, root, "retrieved"), "", "retrieved is a date YYYY-MM-DD");
	yaml_node_t *v = assay_yaml_get(y, root, "verified_against_primary");
	struct assay_error e;
	if (!v)
		pctx_at(c, y, root, "say whether the entries were checked against the primary text",
		        "missing \"verified_against_primary\"");
	else if (assay_yaml_bool(y, v, "verified_against_primary", &out->verified_against_primary, &e) != 0)
		pctx_issue(c, &e);
	yaml_node_t *dn = assay_yaml_get(y, root, "dates");
	size_t nd = assay_yaml_len(dn);
	struct assay_catalog_date *dates = assay_arena_calloc(c->a, nd ? nd : 1, sizeof *dates);
	for (size_t i = 0; i < nd; i++) {
		yaml_node_t *d = assay_yaml_at(y, dn, i);
		if (pctx_keys(c, y, d, "a catalog date", DKEYS, N(DKEYS)))
			continue;
		dates[i].what = pctx_string(c, y, d, "what", 1);
		dates[i].date = pctx_string(c, y, d, "date", 1);
		dates[i].note = pctx_string(c, y, d, "note", 0);
		if (dates[i].date && !iso_date(dates[i].date))
			pctx_at(c, y, assay_yaml_get(y, d, "date"), "", "date is YYYY-MM-DD");
	}
	out->dates = dates;
	out->n_dates = nd;
	yaml_node_t *en = assay_yaml_get(y, root, "entries");
	size_t ne = assay_yaml_len(en);
	if (!ne)
		pctx_at(c, y, en ? en : root, "", "a catalog lists its entries");
	struct assay_catalog_entry *ents = assay_arena_calloc(c->a, ne ? ne : 1, sizeof *ents);
	for (size_t i = 0; i < ne; i++) {
		yaml_node_t *d = assay_yaml_at(y, en, i);
		if (pctx_keys(c, y, d, "a catalog entry", EKEYS, N(EKEYS)))
			continue;
		struct assay_catalog_entry *ce = &ents[i];
		ce->id = pctx_string(c, y, d, "id", 1);
		ce->parent = pctx_string(c, y, d, "parent", 0);
		ce->kind = pctx_string(c, y, d, "kind", 1);
		ce->title = pctx_string(c, y, d, "title", 1);
		yaml_node_t *an = assay_yaml_get(y, d, "assessable");
		ce->assessable = 0;
		if (an && assay_yaml_bool(y, an, "assessable", &ce->assessable, &e) != 0)
			pctx_issue(c, &e);
		for (size_t k = 0; ce->id && k < i; k++)
			if (ents[k].id && strcmp(ents[k].id, ce->id) == 0)
				pctx_at(c, y, assay_yaml_get(y, d, "id"), "", "duplicate entry id \"%s\"",
				        ce->id);
		if (ce->parent) {
			size_t k = 0;
			while (k < i && !(ents[k].id && strcmp(ents[k].id, ce->parent) == 0))
				k++;
			if (k == i)
				pctx_at(c, y, assay_yaml_get(y, d, "parent"),
				        "list a parent before its children",
				        "parent \"%s\" is not an earlier entry", ce->parent);
		}
	}
	out->entries = ents;
	out->n_entries = ne;
	return c->n_issues == before ? 0 : ASSAY_EINPUT;
}

/* ---- controls ------------------------------------------------------------------ */

static const char *const KINDS[] = {"document", "metric", "test_result", "attestation", "log"};

static unsigned parse_tiers(struct pctx *c, struct assay_yaml *y, yaml_node_t *n)
{
	if (!n)
		return (1u << ASSAY_TIER_COUNT) - 1;
	size_t k;
	const char **t = pctx_strings(c, y, n, "tiers", &k);
	unsigned mask = 0;
	for (size_t i = 0; t && i < k; i++) {
		enum assay_tier tier;
		if (pctx_tier(c, y, n->type == YAML_SEQUENCE_NODE ? assay_yaml_at(y, n, i) : n, &tier) == 0)
			mask |= 1u << tier;
	}
	return mask;
}

static void parse_evidence(struct pctx *c, struct assay_yaml *y, yaml_node_t *n, struct assay_control *ctl)
{
	static const char *const KEYS[] = {"key", "kind", "description", "freshness_days", "tiers"};
	size_t ne = assay_yaml_len(n);
	if (n && n->type != YAML_SEQUENCE_NODE) {
		pctx_at(c, y, n, "", "evidence is a list of requirements (- key: ...)");
		return;
	}
	struct assay_evidence_req *ev = assay_arena_calloc(c->a, ne ? ne : 1, sizeof *ev);
	for (size_t i = 0; i < ne; i++) {
		yaml_node_t *r = assay_yaml_at(y, n, i);
		if (pctx_keys(c, y, r, "an evidence requirement", KEYS, N(KEYS)))
			continue;
		ev[i].key = pctx_string(c, y, r, "key", 1);
		ev[i].description = pctx_string(c, y, r, "description", 0);
		const char *kind = pctx_string(c, y, r, "kind", 1);
		size_t k = 0;
		while (kind && k < N(KINDS) && strcmp(KINDS[k], kind))
			k++;
		if (kind && k == N(KINDS)) {
			const char *dym = assay_did_you_mean(kind, KINDS, N(KINDS));
			pctx_at(c, y, assay_yaml_get(y, r, "kind"),
			        "kinds: document, metric, test_result, attestation, log",
			        "unknown evidence kind \"%s\"%s%s%s", kind, dym ? "; did you mean \"" : "",
			        dym ? dym : "", dym ? "\"?" : "");
		}
		ev[i].kind = (enum assay_evidence_kind)(k < N(KINDS) ? k : 0);
		yaml_node_t *fd = assay_yaml_get(y, r, "freshness_days");
		if (fd)
			pctx_int(c, y, fd, "freshness_days", &ev[i].freshness_days);
		ev[i].tiers = parse_tiers(c, y, assay_yaml_get(y, r, "tiers"));
		/* evidence keys are unique across the pack: the registry links evidence by key */
		for (size_t j = 0; ev[i].key && j < c->p->n_controls; j++)
			for (size_t q = 0; q < c->p->controls[j].n_evidence; q++)
				if (c->p->controls[j].evidence[q].key &&
				    !strcmp(c->p->controls[j].evidence[q].key, ev[i].key))
					pctx_at(c, y, assay_yaml_get(y, r, "key"),
					        "an evidence key names one requirement",
					        "evidence key \"%s\" is already required by control %s",
					        ev[i].key, c->p->controls[j].id);
		for (size_t q = 0; ev[i].key && q < i; q++)
			if (ev[q].key && !strcmp(ev[q].key, ev[i].key))
				pctx_at(c, y, assay_yaml_get(y, r, "key"), "",
				        "duplicate evidence key \"%s\"", ev[i].key);
	}
	ctl->evidence = ev;
	ctl->n_evidence = ne;
}

int pack_parse_controls(struct pctx *c, struct assay_yaml *y)
{
	static const char *const TOP[] = {"controls"};
	static const char *const KEYS[] = {"id",       "title",  "objective", "test_procedure",
	                                   "evidence", "maps_to"};
	yaml_node_t *root = assay_yaml_root(y);
	if (pctx_keys(c, y, root, "controls.yaml", TOP, N(TOP)))
		return ASSAY_EINPUT;
	yaml_node_t *list = assay_yaml_get(y, root, "controls");
	size_t n = assay_yaml_len(list);
	if (!n)
		return pctx_at(c, y, list ? list : root, "", "controls.yaml lists no controls");
	c->p->controls = assay_arena_calloc(c->a, n, sizeof *c->p->controls);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = assay_yaml_at(y, list, i);
		if (m->type != YAML_MAPPING_NODE) {
			pctx_keys(c, y, m, "a control", KEYS, N(KEYS));
			continue;
		}
		pctx_keys(c, y, m, "a control", KEYS, N(KEYS)); /* reported; the rest is still checked */
		struct assay_control *ctl = &c->p->controls[c->p->n_controls];
		ctl->id = pctx_string(c, y, m, "id", 1);
		ctl->title = pctx_string(c, y, m, "title", 1);
		ctl->objective = pctx_string(c, y, m, "objective", 1);
		ctl->test_procedure = pctx_string(c, y, m, "test_procedure", 1);
		if (!ctl->id)
			continue;
		if (assay_policy_control_find(c->p, ctl->id))
			pctx_at(c, y, assay_yaml_get(y, m, "id"), "", "duplicate control id \"%s\"", ctl->id);
		parse_evidence(c, y, assay_yaml_get(y, m, "evidence"), ctl);
		pctx_maps(c, y, assay_yaml_get(y, m, "maps_to"), &ctl->maps_to, &ctl->n_maps_to);
		c->p->n_controls++;
	}
	return 0;
}

/* ---- tiering ------------------------------------------------------------------- */

int pack_parse_tiering(struct pctx *c, struct assay_yaml *y)
{
	static const char *const TOP[] = {"default", "predicates", "rules"};
	static const char *const DKEYS[] = {"tier", "rationale"};
	static const char *const RKEYS[] = {"id", "tier", "cite", "when", "rationale", "maps_to"};
	yaml_node_t *root = assay_yaml_root(y);
	if (pctx_keys(c, y, root, "tiering.yaml", TOP, N(TOP)))
		return ASSAY_EINPUT;
	yaml_node_t *d = assay_yaml_get(y, root, "default");
	if (!d) {
		pctx_at(c, y, root, "e.g. default: {tier: low, rationale: ...}",
		        "tiering.yaml has no default");
	} else if (!pctx_keys(c, y, d, "default", DKEYS, N(DKEYS))) {
		pctx_tier(c, y, assay_yaml_get(y, d, "tier"), &c->p->default_tier);
		c->p->default_rationale = pctx_string(c, y, d, "rationale", 1);
	}
	yaml_node_t *preds = assay_yaml_get(y, root, "predicates");
	if (preds && preds->type != YAML_MAPPING_NODE) {
		pctx_at(c, y, preds, "", "predicates is a mapping of name: condition");
		preds = NULL;
	}
	size_t np = preds ? (size_t)(preds->data.mapping.pairs.top - preds->data.mapping.pairs.start) : 0;
	c->p->preds = assay_arena_calloc(c->a, np ? np : 1, sizeof *c->p->preds);
	for (size_t i = 0; i < np; i++) {
		yaml_node_pair_t *pr = &preds->data.mapping.pairs.start[i];
		const char *name = assay_yaml_scalar(assay_yaml_node(y, pr->key));
		struct pred *pd = pred_parse(c, y, assay_yaml_node(y, pr->value));
		if (!name || !pd)
			continue;
		/* added after parsing: a predicate may use the ones above it, not itself */
		c->p->preds[c->p->n_preds].name = assay_arena_strdup(c->a, name);
		c->p->preds[c->p->n_preds++].pred = pd;
	}
	yaml_node_t *rules = assay_yaml_get(y, root, "rules");
	size_t n = assay_yaml_len(rules);
	if (!n)
		return pctx_at(c, y, rules ? rules : root, "", "tiering.yaml has no rules");
	c->p->rules = assay_arena_calloc(c->a, n, sizeof *c->p->rules);
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = assay_yaml_at(y, rules, i);
		if (pctx_keys(c, y, m, "a tiering rule", RKEYS, N(RKEYS)))
			continue;
		struct tier_rule r;
		memset(&r, 0, sizeof r);
		r.id = pctx_string(c, y, m, "id", 1);
		r.cite = pctx_string(c, y, m, "cite", 0);
		r.rationale = pctx_string(c, y, m, "rationale", 1);
		int bad = !r.id || !r.rationale;
		yaml_node_t *tn = assay_yaml_get(y, m, "tier");
		if (!tn)
			bad = pctx_at(c, y, m, "", "rule \"%s\" has no tier", r.id ? r.id : "");
		else if (pctx_tier(c, y, tn, &r.tier))
			bad = 1;
		yaml_node_t *wn = assay_yaml_get(y, m, "when");
		if (!wn)
			bad = pctx_at(c, y, m, "", "rule \"%s\" has no when: condition", r.id ? r.id : "");
		else if (!(r.when = pred_parse(c, y, wn)))
			bad = 1;
		if (pctx_maps(c, y, assay_yaml_get(y, m, "maps_to"), &r.maps_to, &r.n_maps_to))
			bad = 1;
		for (size_t k = 0; r.id && k < c->p->n_rules; k++)
			if (!strcmp(c->p->rules[k].id, r.id))
				bad = pctx_at(c, y, assay_yaml_get(y, m, "id"), "",
				              "duplicate rule id \"%s\"", r.id);
		if (!r.cite)
			r.cite = "";
		if (!bad)
			c->p->rules[c->p->n_rules++] = r;
	}
	return 0;
}

/* ---- applicability ---------------------------------------------------------------- */

int pack_parse_applicability(struct pctx *c, struct assay_yaml *y)
{
	static const char *const TOP[] = {"rules"};
	static const char *const RKEYS[] = {"id", "description", "when", "controls"};
	yaml_node_t *root = assay_yaml_root(y);
	if (pctx_keys(c, y, root, "applicability.yaml", TOP, N(TOP)))
		return ASSAY_EINPUT;
	yaml_node_t *rules = assay_yaml_get(y, root, "rules");
	size_t n = assay_yaml_len(rules);
	if (!n)
		return pctx_at(c, y, rules ? rules : root, "", "applicability.yaml has no rules");
	c->p->app = assay_arena_calloc(c->a, n, sizeof *c->p->app);
	const char *ids[256];
	size_t nids = 0;
	for (size_t i = 0; i < c->p->n_controls && nids < N(ids); i++)
		ids[nids++] = c->p->controls[i].id;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = assay_yaml_at(y, rules, i);
		if (pctx_keys(c, y, m, "an applicability rule", RKEYS, N(RKEYS)))
			continue;
		struct app_rule r;
		memset(&r, 0, sizeof r);
		r.id = pctx_string(c, y, m, "id", 1);
		r.description = pctx_string(c, y, m, "description", 0);
		int bad = !r.id;
		yaml_node_t *wn = assay_yaml_get(y, m, "when");
		if (!wn)
			bad = pctx_at(c, y, m, "", "rule \"%s\" has no when: condition", r.id ? r.id : "");
		else if (!(r.when = pred_parse(c, y, wn)))
			bad = 1;
		yaml_node_t *cn = assay_yaml_get(y, m, "controls");
		if (!cn) {
			bad = pctx_at(c, y, m, "", "rule \"%s\" selects no controls", r.id ? r.id : "");
		} else if ((r.controls = pctx_strings(c, y, cn, "controls", &r.n_controls))) {
			for (size_t k = 0; k < r.n_controls; k++) {
				if (assay_policy_control_find(c->p, r.controls[k]))
					continue;
				const char *dym = assay_did_you_mean(r.controls[k], ids, nids);
				bad = pctx_at(
				    c, y, cn->type == YAML_SEQUENCE_NODE ? assay_yaml_at(y, cn, k) : cn,
				    "controls are defined in controls.yaml", "unknown control \"%s\"%s%s%s",
				    r.controls[k], dym ? "; did you mean \"" : "", dym ? dym : "",
				    dym ? "\"?" : "");
			}
		} else {
			bad = 1;
		}
		for (size_t k = 0; r.id && k < c->p->n_app; k++)
			if (!strcmp(c->p->app[k].id, r.id))
				bad = pctx_at(c, y, assay_yaml_get(y, m, "id"), "",
				              "duplicate rule id \"%s\"", r.id);
		if (!bad)
			c->p->app[c->p->n_app++] = r;
	}
	return 0;
}

/* ---- workflow ------------------------------------------------------------------- */

/* "48h", "5d", "2w" -> hours. */
static int parse_duration(struct pctx *c, struct assay_yaml *y, yaml_node_t *n, const char *key, int *hours)
{
	const char *s = assay_yaml_scalar(n);
	char *end = NULL;
	long v = s ? strtol(s, &end, 10) : -1;
	int mult = 0;
	if (s && end != s && v > 0 && v <= 10000 && end[0] && !end[1])
		mult = end[0] == 'h' ? 1 : end[0] == 'd' ? 24 : end[0] == 'w' ? 168 : 0;
	if (!mult)
		return pctx_at(c, y, n ? n : NULL, "write hours, days or weeks: 48h, 5d, 2w",
		               "\"%s\" is a positive duration, found \"%s\"", key, s ? s : "(nothing)");
	*hours = (int)v * mult;
	return 0;
}

int pack_parse_workflow(struct pctx *c, struct assay_yaml *y)
{
	static const char *const TOP[] = {"tiers"};
	static const char *const TIERS[] = {"low", "medium", "high", "prohibited"};
	static const char *const KEYS[] = {"time_to_triage", "time_to_decision", "signoff_roles",
	                                   "waiver_max_days", "decision_validity_days"};
	yaml_node_t *root = assay_yaml_root(y);
	if (pctx_keys(c, y, root, "workflow.yaml", TOP, N(TOP)))
		return ASSAY_EINPUT;
	yaml_node_t *tiers = assay_yaml_get(y, root, "tiers");
	if (pctx_keys(c, y, tiers, "workflow tiers", TIERS, N(TIERS)))
		return ASSAY_EINPUT;
	for (int t = 0; t < ASSAY_TIER_COUNT; t++) {
		struct assay_workflow_tier *w = &c->p->workflow[t];
		w->tier = (enum assay_tier)t;
		yaml_node_t *m = assay_yaml_get(y, tiers, TIERS[t]);
		if (!m) {
			pctx_at(c, y, tiers, "every tier needs SLA targets, sign-off roles and limits",
			        "workflow.yaml has no parameters for tier \"%s\"", TIERS[t]);
			continue;
		}
		if (pctx_keys(c, y, m, "a tier's workflow", KEYS, N(KEYS)))
			continue;
		for (size_t k = 0; k < N(KEYS); k++)
			if (!assay_yaml_get(y, m, KEYS[k]))
				pctx_at(c, y, m, "", "tier \"%s\" lacks %s", TIERS[t], KEYS[k]);
		yaml_node_t *v;
		if ((v = assay_yaml_get(y, m, "time_to_triage")))
			parse_duration(c, y, v, "time_to_triage", &w->triage_hours);
		if ((v = assay_yaml_get(y, m, "time_to_decision")))
			parse_duration(c, y, v, "time_to_decision", &w->decision_hours);
		if (w->triage_hours && w->decision_hours && w->triage_hours > w->decision_hours)
			pctx_at(c, y, v, "", "tier \"%s\": time_to_decision is shorter than time_to_triage",
			        TIERS[t]);
		if ((v = assay_yaml_get(y, m, "signoff_roles"))) {
			const char **roles = pctx_strings(c, y, v, "signoff_roles", &w->n_signoff_roles);
			w->signoff_roles = roles;
			if (roles && !w->n_signoff_roles && t != ASSAY_TIER_PROHIBITED)
				pctx_at(c, y, v, "", "tier \"%s\" needs at least one sign-off role",
				        TIERS[t]);
		}
		if ((v = assay_yaml_get(y, m, "waiver_max_days")))
			pctx_int(c, y, v, "waiver_max_days", &w->waiver_max_days);
		if ((v = assay_yaml_get(y, m, "decision_validity_days")))
			pctx_int(c, y, v, "decision_validity_days", &w->decision_validity_days);
	}
	return 0;
}
