/* waiver_store.c: waivers (issue 6, "Waivers"): proposed -> under_review
 * -> approved | rejected -> active -> expired | revoked, through the
 * waiver table of workflow.c. Requester != approver is enforced by the
 * table and again by a CHECK in the schema. Mandatory expiry no later than
 * the tier's maximum (policy), compensating controls and residual risk
 * required. Approval activates at once and marks the covered findings
 * risk_accepted; expiry (the sweep, workflow_store.c) and revocation
 * reopen them, so the gate sees them again. Extending means a new waiver.
 */
#include <stdlib.h>
#include <string.h>

#include "wf_internal.h"

static const char *const COLS[] = {"id",         "#number",  "ref",          "system_id",     "system",
                                   "requester",  "state",    "compensating", "residual_risk", "reason",
                                   "expires_at", "approver", "approved_at",  "created_at",    "updated_at"};
#define SELECT                                                                                               \
	"SELECT w.id, w.number, 'W-' || w.number, w.system_id, s.slug, w.requester, w.state, "               \
	"w.compensating, "                                                                                   \
	"w.residual_risk, w.reason, w.expires_at, w.approver, w.approved_at, w.created_at, w.updated_at "    \
	"FROM "                                                                                              \
	"waivers w JOIN systems s ON s.id = w.system_id "
#define NCOLS (sizeof COLS / sizeof *COLS)

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int findings_of(struct assay_wf *w, json_t *wv, struct assay_error *err)
{
	json_t *fs;
	static const char *const cols[] = {"ref", "id", "state"};
	int rc =
	    wf_rows(w,
	            "SELECT 'F-' || f.number, f.id, f.state FROM waiver_findings x JOIN findings f ON f.id = "
	            "x.finding_id WHERE x.waiver_id = ?1 ORDER BY f.number",
	            cols, 3, WVALS(WS(jstr(wv, "id"))), &fs, err);
	if (!rc)
		json_object_set_new(wv, "findings", fs);
	return rc;
}

static int load(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	int rc = wf_row(w, SELECT "WHERE w.number = ?1 OR w.id = ?2", COLS, NCOLS,
	                WVALS(WI(wf_ref_number(ref, 'W')), WS(ref)), "waiver", ref, out, err);
	return rc ? rc : findings_of(w, *out, err);
}

int assay_waiver_list(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err)
{
	const char *sid = NULL;
	int rc = system ? wf_system(w, system, &sid, NULL, NULL, err) : 0;
	if (!rc)
		rc = wf_rows(w, SELECT "WHERE (?1 IS NULL OR w.system_id = ?1) ORDER BY w.number", COLS,
		             NCOLS, WVALS(WS(sid)), out, err);
	size_t i;
	json_t *v;
	json_array_foreach(rc ? NULL : *out, i, v) if (!rc) rc = findings_of(w, v, err);
	return rc;
}

int assay_waiver_request(struct assay_wf *w, const struct assay_waiver_input *in, json_t **out,
                         struct assay_error *err)
{
	if (!in->nfindings)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a waiver covers at least one finding (F-31)");
	if (!in->compensating || !*in->compensating)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a waiver needs its compensating controls (--compensating)");
	if (!in->residual_risk || !*in->residual_risk)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a waiver states the residual risk (--residual-risk)");
	if (!in->expires)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a waiver needs an expiry (--expires YYYY-MM-DD)");
	if (in->expires <= w->now)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--expires must be in the future");
	json_t *fs = json_array();
	const char *sid = NULL;
	int rc = 0;
	for (size_t i = 0; !rc && i < in->nfindings; i++) {
		json_t *f;
		rc = assay_finding_get(w, in->findings[i], &f, err);
		if (rc)
			break;
		if (sid && strcmp(sid, jstr(f, "system_id")))
			rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                     "the findings of one waiver belong to one system");
		sid = assay_arena_strdup(w->a, jstr(f, "system_id"));
		const char *st = jstr(f, "state");
		if (!rc && strcmp(st, "open") && strcmp(st, "in_progress"))
			rc =
			    assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                    "%s is %s: only open findings can be waived", jstr(f, "ref"), st);
		json_array_append_new(fs, f);
	}
	const char *tier = NULL;
	if (!rc)
		rc = wf_system(w, sid, NULL, NULL, &tier, err);
	const struct assay_workflow_tier *p = rc ? NULL : wf_tier_params(w, tier);
	if (!rc && p) {
		if (!p->waiver_max_days)
			rc = assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                     "the policy allows no waivers at tier %s", tier);
		else if (in->expires > w->now + (int64_t)p->waiver_max_days * 86400) {
			rc =
			    assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
			                    "--expires %s is past the %d-day maximum for tier %s (latest %s)",
			                    wf_ts(w, in->expires), p->waiver_max_days, tier,
			                    wf_ts(w, w->now + (int64_t)p->waiver_max_days * 86400));
		}
	}
	char id[27];
	int64_t num;
	const char *now = wf_ts(w, w->now);
	if (!rc)
		rc = wf_new_id(w, "W", id, &num, err);
	if (!rc)
		rc = wf_run(w,
		            "INSERT INTO waivers (id, number, system_id, requester, state, compensating, "
		            "residual_risk, "
		            "reason, expires_at, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'proposed', "
		            "?5, ?6, ?7, "
		            "?8, ?9, ?9)",
		            WVALS(WS(id), WI(num), WS(sid), WS(assay_store_actor(w->s)), WS(in->compensating),
		                  WS(in->residual_risk), WS(in->reason), WS(wf_ts(w, in->expires)), WS(now)),
		            err);
	size_t i;
	json_t *f;
	json_array_foreach(fs, i, f) if (!rc) rc =
	    wf_run(w, "INSERT INTO waiver_findings (waiver_id, finding_id) VALUES (?1, ?2)",
	           WVALS(WS(id), WS(jstr(f, "id"))), err);
	json_decref(fs);
	if (!rc)
		rc = load(w, id, out, err);
	if (!rc)
		rc = wf_transition(w, "waiver", id, sid, "proposed", "request", in->reason, NULL, *out, err);
	return rc;
}

static int move(struct assay_wf *w, json_t *wv, int to, enum assay_waiver_cmd cmd, const char *note,
                struct assay_error *err)
{
	const char *state = assay_wf_state_name(ASSAY_WF_WAIVER, to);
	json_t *before = json_pack("{s:O}", "state", json_object_get(wv, "state"));
	json_t *after = json_pack("{s:s}", "state", state);
	int approve = cmd == ASSAY_WC_APPROVE;
	if (approve)
		json_object_set_new(after, "approver", json_string(assay_store_actor(w->s)));
	int rc =
	    wf_run(w,
	           "UPDATE waivers SET state = ?2, updated_at = ?3, approver = CASE WHEN ?4 = 1 THEN ?5 ELSE "
	           "approver END, approved_at = CASE WHEN ?4 = 1 THEN ?3 ELSE approved_at END WHERE id = ?1",
	           WVALS(WS(jstr(wv, "id")), WS(state), WS(wf_ts(w, w->now)), WI(approve),
	                 WS(assay_store_actor(w->s))),
	           err);
	if (!rc)
		rc = wf_transition(w, "waiver", jstr(wv, "id"), jstr(wv, "system_id"), state,
		                   assay_wf_cmd_name(ASSAY_WF_WAIVER, cmd), note, before, after, err);
	json_decref(before);
	json_decref(after);
	if (!rc)
		json_object_set_new(wv, "state", json_string(state));
	return rc;
}

int assay_waiver_do(struct assay_wf *w, const char *ref, enum assay_waiver_cmd cmd, const char *note,
                    json_t **out, struct assay_error *err)
{
	json_t *wv;
	int rc = load(w, ref, &wv, err), to;
	if (rc)
		return rc;
	unsigned mask;
	const char *me = assay_store_actor(w->s);
	rc = wf_actor_mask(w, me, &mask, err);
	if (!rc && !strcmp(me, jstr(wv, "requester")))
		mask |= ASSAY_WF_REQUESTER;
	if (!rc)
		rc = assay_wf_apply(ASSAY_WF_WAIVER, assay_wf_state_parse(ASSAY_WF_WAIVER, jstr(wv, "state")),
		                    cmd, mask, &to, err);
	if (rc)
		snprintf(err->message + strlen(err->message), sizeof err->message - strlen(err->message),
		         " (%s)", jstr(wv, "ref"));
	if (!rc)
		rc = move(w, wv, to, cmd, note, err);
	size_t i;
	json_t *f;
	if (!rc && cmd == ASSAY_WC_APPROVE) {
		/* active at once; its findings are risk-accepted while it lasts */
		const char *actor = assay_arena_strdup(w->a, me);
		assay_store_set_actor(w->s, "assay");
		rc = move(w, wv, ASSAY_WS_ACTIVE, ASSAY_WC_ACTIVATE, "approved: in force until its expiry",
		          err);
		assay_store_set_actor(w->s, actor);
		json_array_foreach(json_object_get(wv, "findings"), i, f) if (!rc) rc =
		    wf_finding_system_cmd(w, jstr(f, "id"), ASSAY_FC_ACCEPT,
		                          assay_arena_printf(w->a, "waiver %s", jstr(wv, "ref")), err);
	}
	if (!rc && cmd == ASSAY_WC_REVOKE)
		json_array_foreach(json_object_get(wv, "findings"), i,
		                   f) if (!rc && !strcmp(jstr(f, "state"), "risk_accepted")) rc =
		    wf_finding_system_cmd(w, jstr(f, "id"), ASSAY_FC_REOPEN,
		                          assay_arena_printf(w->a, "waiver %s revoked", jstr(wv, "ref")),
		                          err);
	if (!rc) {
		json_decref(wv);
		rc = load(w, ref, &wv, err);
		if (rc)
			return rc;
	}
	if (rc) {
		json_decref(wv);
		return rc;
	}
	*out = wv;
	return 0;
}
