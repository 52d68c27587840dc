/* kpi_store.c: the KPI events (assay/kpi.h) read back from the registry:
 * every workflow state change (wf_transitions, written with its audit
 * event and the same timestamp), gate runs, evidence records, and one
 * snapshot per system (its lifecycle stage, tier and evidence
 * completeness at w->now; retired systems get a second snapshot at their
 * retirement). Evidence categories: "monitoring" when the requirement key
 * mentions monitor or the kind is a log, "evaluation" when it mentions
 * evaluation or the kind is a test result or metric; "ci" is source ci.
 * Strings live in w->a.
 */
#include <string.h>

#include "wf_internal.h"

static const char *dup(struct assay_wf *w, const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? assay_arena_strdup(w->a, s) : NULL;
}

static int push(struct assay_wf *w, struct assay_kpi_event **ev, size_t *n, size_t *cap,
                struct assay_kpi_event e)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct assay_kpi_event *x = assay_arena_alloc(w->a, nc * sizeof *x);
		if (!x)
			return -1;
		if (*n)
			memcpy(x, *ev, *n * sizeof *x);
		*ev = x;
		*cap = nc;
	}
	(*ev)[(*n)++] = e;
	return 0;
}

int assay_kpi_events(struct assay_wf *w, struct assay_kpi_event **out, size_t *n, struct assay_kpi_sla *sla,
                     size_t *nsla, struct assay_error *err)
{
	size_t cap = 0;
	*n = 0;
	*out = NULL;
	json_t *rows = NULL;
	static const char *const tcols[] = {"at",    "type",     "id",  "system", "tier",
	                                    "state", "severity", "due", "#repeat"};
	int rc = wf_rows(
	    w,
	    "SELECT t.at, t.entity_type, t.entity_id, s.slug, CASE WHEN t.entity_type = 'review' THEN "
	    "COALESCE(r.tier, s.tier) ELSE s.tier END, t.state, f.severity, f.due, f.repeat_of IS NOT NULL "
	    "FROM wf_transitions t LEFT JOIN reviews r ON t.entity_type = 'review' AND r.id = t.entity_id "
	    "LEFT JOIN findings f ON t.entity_type = 'finding' AND f.id = t.entity_id "
	    "LEFT JOIN waivers wv ON t.entity_type = 'waiver' AND wv.id = t.entity_id "
	    "LEFT JOIN incidents i ON t.entity_type = 'incident' AND i.id = t.entity_id "
	    "JOIN systems s ON s.id = COALESCE(r.system_id, f.system_id, wv.system_id, i.system_id) "
	    "ORDER BY t.at, t.entity_id, t.seq",
	    tcols, 9, NULL, 0, &rows, err);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		const char *type = json_string_value(json_object_get(r, "type"));
		enum assay_kpi_kind k = !strcmp(type, "review")    ? ASSAY_KEV_REVIEW
		                        : !strcmp(type, "finding") ? ASSAY_KEV_FINDING
		                        : !strcmp(type, "waiver")  ? ASSAY_KEV_WAIVER
		                                                   : ASSAY_KEV_INCIDENT;
		if (!rc && push(w, out, n, &cap,
		                (struct assay_kpi_event){
		                    wf_parse_ts(json_string_value(json_object_get(r, "at"))), k,
		                    dup(w, r, "id"), dup(w, r, "system"), dup(w, r, "tier"),
		                    dup(w, r, "state"), dup(w, r, "severity"), NULL, NULL,
		                    wf_parse_ts(json_string_value(json_object_get(r, "due"))),
		                    (int)json_integer_value(json_object_get(r, "repeat")), 0, 0}))
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	json_decref(rows);
	rows = NULL;
	static const char *const gcols[] = {"at", "id", "system", "tier", "verdict", "release"};
	if (!rc)
		rc = wf_rows(w,
		             "SELECT g.at, g.id, s.slug, g.tier, g.verdict, g.release FROM gate_runs g JOIN "
		             "systems s ON "
		             "s.id = g.system_id ORDER BY g.number",
		             gcols, 6, NULL, 0, &rows, err);
	json_array_foreach(
	    rows, i,
	    r) if (!rc && push(w, out, n, &cap,
	                       (struct assay_kpi_event){
	                           wf_parse_ts(json_string_value(json_object_get(r, "at"))), ASSAY_KEV_GATE,
	                           dup(w, r, "id"), dup(w, r, "system"), dup(w, r, "tier"),
	                           dup(w, r, "verdict"), NULL, dup(w, r, "release"), NULL, 0, 0, 0, 0})) rc =
	    assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	json_decref(rows);
	/* systems and their evidence */
	struct assay_system *sys = NULL;
	size_t nsys = 0;
	struct assay_system_filter sf = {.include_retired = 1};
	if (!rc)
		rc = assay_system_list(w->s, &sf, w->a, &sys, &nsys, err);
	for (size_t s = 0; !rc && s < nsys; s++) {
		struct wf_sysinfo si;
		rc = wf_sysinfo(w, sys[s].id, &si, err);
		struct assay_evidence_status st = {0};
		if (!rc && si.nreqs)
			rc = assay_evidence_status(w->s, sys[s].id, si.reqs, si.nreqs, wf_ts(w, w->now), w->a,
			                           &st, err);
		const char *stage = sys[s].lifecycle_stage ? sys[s].lifecycle_stage : "";
		if (!rc)
			push(w, out, n, &cap,
			     (struct assay_kpi_event){wf_parse_ts(sys[s].created_at), ASSAY_KEV_SYSTEM,
			                              sys[s].slug, sys[s].slug, sys[s].tier,
			                              sys[s].retired_at ? "deployed" : stage, NULL, NULL,
			                              NULL, 0, 0, st.n, st.satisfied});
		if (!rc && sys[s].retired_at)
			push(w, out, n, &cap,
			     (struct assay_kpi_event){wf_parse_ts(sys[s].retired_at), ASSAY_KEV_SYSTEM,
			                              sys[s].slug, sys[s].slug, sys[s].tier, "retired", NULL,
			                              NULL, NULL, 0, 0, st.n, st.satisfied});
		struct assay_evidence *ev = NULL;
		size_t nev = 0;
		if (!rc)
			rc = assay_evidence_list(w->s, sys[s].id, w->a, &ev, &nev, err);
		for (size_t e = 0; !rc && e < nev; e++) {
			const char *key = ev[e].requirement_key, *kind = ev[e].kind ? ev[e].kind : "";
			const char *cat = strstr(key, "monitor") || !strcmp(kind, "log") ? "monitoring"
			                  : strstr(key, "evaluation") || !strcmp(kind, "test_result") ||
			                          !strcmp(kind, "metric")
			                      ? "evaluation"
			                      : "other";
			push(w, out, n, &cap,
			     (struct assay_kpi_event){
			         wf_parse_ts(ev[e].collected_at), ASSAY_KEV_EVIDENCE,
			         assay_arena_printf(w->a, "E-%lld", (long long)ev[e].number), sys[s].slug,
			         sys[s].tier, NULL, NULL, NULL, cat, wf_parse_ts(ev[e].expires_at),
			         ev[e].source && !strcmp(ev[e].source, "ci"), 0, 0});
		}
		wf_sysinfo_free(&si);
	}
	*nsla = 0;
	for (int t = 0; w->policy && t < ASSAY_TIER_COUNT; t++) {
		const struct assay_workflow_tier *p = assay_policy_workflow(w->policy, (enum assay_tier)t);
		if (p)
			sla[(*nsla)++] = (struct assay_kpi_sla){assay_tier_name((enum assay_tier)t),
			                                        (int64_t)p->triage_hours * 3600,
			                                        (int64_t)p->decision_hours * 3600};
	}
	return rc;
}
