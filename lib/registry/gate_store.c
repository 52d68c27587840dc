/* gate_store.c: the release gate against the registry. Gathers what the
 * pure verdict (gate.c) needs: the system's tier and current artifact
 * hashes (intake), its latest decision and whether it is still in force,
 * evidence status against the tier's requirements (registry), the checks
 * of the latest evaluation evidence (the "checks" array of the stored
 * assay.eval JSON: name and status), every finding with the active waiver
 * covering it. Then decides, and records the run: a gate_runs row and an
 * audit event "gate.run" with the verdict and every reason.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/version.h"
#include "wf_internal.h"

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The checks of the newest evidence recorded for an evaluation requirement. */
static int latest_checks(struct assay_wf *w, const char *sid, struct assay_gate_check **out, size_t *n,
                         json_t **keep, struct assay_error *err)
{
	struct assay_evidence *ev;
	size_t nev;
	*n = 0;
	int rc = assay_evidence_list(w->s, sid, w->a, &ev, &nev, err);
	for (size_t i = 0; !rc && i < nev; i++) {
		if (!strstr(ev[i].requirement_key, "evaluation") || !ev[i].sha256)
			continue;
		void *data;
		size_t len;
		rc = assay_blob_get(w->s, ev[i].sha256, w->a, &data, &len, err);
		if (rc)
			return rc;
		json_t *doc = json_loadb(data, len, 0, NULL);
		json_t *checks = json_object_get(doc, "checks");
		*out = assay_arena_calloc(w->a, json_array_size(checks) + 1, sizeof **out);
		size_t k;
		json_t *c;
		const char *ref = assay_arena_printf(w->a, "E-%lld", (long long)ev[i].number);
		json_array_foreach(checks, k, c)
		{
			const char *name = jstr(c, "name") ? jstr(c, "name") : jstr(c, "id");
			(*out)[(*n)++] = (struct assay_gate_check){
			    ref, assay_arena_strdup(w->a, name ? name : "?"),
			    assay_arena_strdup(w->a, jstr(c, "status") ? jstr(c, "status") : "?")};
		}
		*keep = doc;
		return 0;
	}
	return rc;
}

static json_t *reasons_json(const struct assay_gate_verdict *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->nreasons; i++) {
		const struct assay_gate_reason *r = &v->reasons[i];
		json_t *looked = json_array();
		for (size_t k = 0; k < r->nlooked; k++)
			json_array_append_new(looked, json_string(r->looked[k]));
		json_array_append_new(
		    arr, json_pack("{s:s, s:b, s:s, s:o}", "rule", assay_gate_rule_name(r->rule), "passed",
		                   r->passed, "message", r->message ? r->message : "", "looked_at", looked));
	}
	return arr;
}

int assay_gate_run(struct assay_wf *w, const char *system, const char *release, json_t **out, int *ship,
                   struct assay_error *err)
{
	if (!release || !*release)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "the gate is for a release: --release R is required");
	struct wf_sysinfo si;
	int rc = wf_sysinfo(w, system, &si, err);
	if (rc) {
		wf_sysinfo_free(&si);
		return rc;
	}
	struct assay_gate_input in = {.system = si.sys->slug,
	                              .release = release,
	                              .tier = si.sys->tier,
	                              .now = w->now,
	                              .model_hash = wf_artifact(si.intake, "model"),
	                              .data_hash = wf_artifact(si.intake, "data"),
	                              .prompt_hash = wf_artifact(si.intake, "prompt")};
	json_t *drow = NULL, *frows = NULL, *evaldoc = NULL;
	static const char *const dcols[] = {"ref",   "outcome",    "release",   "decided_at", "valid_until",
	                                    "state", "model_hash", "data_hash", "prompt_hash"};
	rc = wf_rows(w,
	             "SELECT 'D-' || d.number, d.outcome, d.release, d.decided_at, d.valid_until, r.state, "
	             "d.model_hash, "
	             "d.data_hash, d.prompt_hash FROM decisions d JOIN reviews r ON r.id = d.review_id WHERE "
	             "d.system_id = ?1 ORDER BY d.number DESC LIMIT 1",
	             dcols, 9, WVALS(WS(si.sys->id)), &drow, err);
	struct assay_gate_decision d;
	json_t *dj = json_array_get(drow, 0);
	if (!rc && dj) {
		d = (struct assay_gate_decision){jstr(dj, "ref"),
		                                 jstr(dj, "outcome"),
		                                 jstr(dj, "release"),
		                                 wf_parse_ts(jstr(dj, "decided_at")),
		                                 wf_parse_ts(jstr(dj, "valid_until")),
		                                 strcmp(jstr(dj, "state"), "decided") != 0,
		                                 jstr(dj, "model_hash"),
		                                 jstr(dj, "data_hash"),
		                                 jstr(dj, "prompt_hash")};
		in.decision = &d;
	}
	struct assay_evidence_status st = {0};
	if (!rc && si.nreqs)
		rc = assay_evidence_status(w->s, si.sys->id, si.reqs, si.nreqs, wf_ts(w, w->now), w->a, &st,
		                           err);
	if (!rc && st.n) {
		struct assay_gate_requirement *q = assay_arena_calloc(w->a, st.n, sizeof *q);
		for (size_t i = 0; i < st.n; i++) {
			const struct assay_evidence *e = st.items[i].evidence;
			q[i] = (struct assay_gate_requirement){
			    st.items[i].req->key, assay_req_state_name(st.items[i].state),
			    e ? assay_arena_printf(w->a, "E-%lld", (long long)e->number) : NULL,
			    e ? e->sha256 : NULL};
		}
		in.reqs = q;
		in.nreqs = st.n;
	}
	struct assay_gate_check *checks = NULL;
	if (!rc)
		rc = latest_checks(w, si.sys->id, &checks, &in.nchecks, &evaldoc, err);
	in.checks = checks;
	static const char *const fcols[] = {"ref",           "severity", "state",         "due",
	                                    "#is_condition", "waiver",   "waiver_expires"};
	if (!rc)
		rc = wf_rows(
		    w,
		    "SELECT 'F-' || f.number, f.severity, f.state, f.due, f.is_condition, (SELECT 'W-' || "
		    "wv.number FROM waiver_findings x JOIN waivers wv ON wv.id = x.waiver_id WHERE "
		    "x.finding_id = "
		    "f.id AND wv.state = 'active' ORDER BY wv.expires_at DESC LIMIT 1), (SELECT "
		    "MAX(wv.expires_at) "
		    "FROM waiver_findings x JOIN waivers wv ON wv.id = x.waiver_id WHERE x.finding_id = f.id "
		    "AND "
		    "wv.state = 'active') FROM findings f WHERE f.system_id = ?1 ORDER BY f.number",
		    fcols, 7, WVALS(WS(si.sys->id)), &frows, err);
	if (!rc) {
		in.nfindings = json_array_size(frows);
		struct assay_gate_finding *f = assay_arena_calloc(w->a, in.nfindings + 1, sizeof *f);
		size_t i;
		json_t *r;
		json_array_foreach(frows, i, r) f[i] =
		    (struct assay_gate_finding){jstr(r, "ref"),
		                                jstr(r, "severity"),
		                                jstr(r, "state"),
		                                wf_parse_ts(jstr(r, "due")),
		                                (int)json_integer_value(json_object_get(r, "is_condition")),
		                                jstr(r, "waiver"),
		                                wf_parse_ts(jstr(r, "waiver_expires"))};
		in.findings = f;
	}
	struct assay_gate_verdict v;
	if (!rc)
		rc = assay_gate_evaluate(&in, w->a, &v, err);
	char id[27];
	int64_t num;
	if (!rc)
		rc = wf_new_id(w, "G", id, &num, err);
	if (!rc) {
		*ship = v.ship;
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:o}", "schema",
		                 "assay.gate/1", "tool", "assay", "version", assay_version(), "run",
		                 assay_arena_printf(w->a, "G-%lld", (long long)num), "system", si.sys->slug,
		                 "release", release, "tier", si.sys->tier, "verdict",
		                 v.ship ? "ship" : "do not ship", "policy_version", si.sys->policy_version,
		                 "policy_sha256", si.sys->policy_hash, "reasons", reasons_json(&v));
		json_object_set_new(*out, "at", json_string(wf_ts(w, w->now)));
		json_object_set_new(*out, "failed", json_integer((json_int_t)v.failed));
		char *txt = json_dumps(*out, JSON_COMPACT | JSON_SORT_KEYS);
		rc = wf_run(w,
		            "INSERT INTO gate_runs (id, number, system_id, release, tier, verdict, result, "
		            "at, actor) VALUES "
		            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		            WVALS(WS(id), WI(num), WS(si.sys->id), WS(release), WS(si.sys->tier),
		                  WS(v.ship ? "pass" : "fail"), WS(txt), WS(wf_ts(w, w->now)),
		                  WS(assay_store_actor(w->s))),
		            err);
		free(txt);
		if (!rc)
			rc = wf_audit(w, "gate.run", "gate_run", id, si.sys->id, NULL, *out, err);
		if (rc) {
			json_decref(*out);
			*out = NULL;
		}
	}
	json_decref(drow);
	json_decref(frows);
	json_decref(evaldoc);
	wf_sysinfo_free(&si);
	return rc;
}
