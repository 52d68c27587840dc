/* review_store.c: reviews and their immutable decisions in the registry
 * (assay/workflow_store.h). Every command loads the review, asks the one
 * transition table (workflow.c) whether this actor may do this now, then
 * writes the new state, a wf_transitions row and an audit event.
 *
 * Rules enforced here on top of the table (issue 6, "Reviews" and
 * "Decisions"): triage freezes the tier and the required controls; the
 * requester never decides or signs off (table) and the tier's sign-off
 * roles must be held by distinct signers (greedy matching in the policy's
 * role order: enough for the short role lists packs have); conditional
 * <=> conditions given; a decision is one INSERT and never updated: a
 * later decision supersedes the earlier review through its state.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/clock.h"
#include "assay/hash.h"
#include "assay/registry_policy.h"
#include "wf_internal.h"

static const char *const COLS[] = {"id",         "#number",        "system_id",  "system",    "release",
                                   "summary",    "requester",      "state",      "tier",      "@controls",
                                   "@reviewers", "policy_version", "created_at", "updated_at"};
#define SELECT                                                                                               \
	"SELECT r.id, r.number, r.system_id, s.slug, r.release, r.summary, r.requester, r.state, r.tier, "   \
	"r.controls, r.reviewers, r.policy_version, r.created_at, r.updated_at FROM reviews r "              \
	"JOIN systems s ON s.id = r.system_id "
#define NCOLS (sizeof COLS / sizeof *COLS)

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int load(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	int64_t n = wf_ref_number(ref, 'R');
	return wf_row(w, SELECT "WHERE r.number = ?1 OR r.id = ?2", COLS, NCOLS, WVALS(WI(n), WS(ref)),
	              "review", ref, out, err);
}

const char *wf_artifact(const json_t *intake, const char *which)
{
	return json_string_value(json_object_get(json_object_get(intake, "artifacts"), which));
}

void wf_sysinfo_free(struct wf_sysinfo *si)
{
	json_decref(si->intake);
	json_decref(si->controls);
	si->intake = si->controls = NULL;
}

int wf_sysinfo(struct assay_wf *w, const char *ref, struct wf_sysinfo *out, struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	out->sys = assay_arena_calloc(w->a, 1, sizeof *out->sys);
	if (!out->sys)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	int rc = assay_system_get(w->s, ref, w->a, out->sys, err);
	if (rc)
		return rc;
	out->intake = json_loads(out->sys->intake, 0, NULL);
	out->controls = json_array();
	if (!out->intake || !w->policy)
		return 0;
	struct assay_tier_result tr;
	rc = assay_system_requirements(w->policy, out->sys, w->a, &tr, &out->reqs, &out->nreqs, err);
	if (rc)
		return rc;
	for (size_t c = 0; c < tr.n_controls; c++)
		json_array_append_new(out->controls, json_string(tr.controls[c].control->id));
	return 0;
}

/* The actor's roles relative to this review. */
static int actor_mask(struct assay_wf *w, const json_t *r, unsigned *mask, struct assay_error *err)
{
	const char *me = assay_store_actor(w->s);
	int rc = wf_actor_mask(w, me, mask, err);
	if (rc)
		return rc;
	if (!strcmp(me, jstr(r, "requester")))
		*mask |= ASSAY_WF_REQUESTER;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(r, "reviewers"), i,
	                   v) if (!strcmp(me, json_string_value(v))) *mask |= ASSAY_WF_REVIEWER;
	return 0;
}

/* Apply cmd to the loaded review r; on success *to is the new state. */
static int check(struct assay_wf *w, const json_t *r, enum assay_review_cmd cmd, int *to,
                 struct assay_error *err)
{
	unsigned mask;
	int rc = actor_mask(w, r, &mask, err);
	if (rc)
		return rc;
	int from = assay_wf_state_parse(ASSAY_WF_REVIEW, jstr(r, "state"));
	rc = assay_wf_apply(ASSAY_WF_REVIEW, from, cmd, mask, to, err);
	if (rc) {
		char msg[sizeof err->message];
		snprintf(msg, sizeof msg, "R-%lld: %s",
		         (long long)json_integer_value(json_object_get(r, "number")), err->message);
		snprintf(err->message, sizeof err->message, "%s", msg);
	}
	return rc;
}

static int set_state(struct assay_wf *w, json_t *r, int to, enum assay_review_cmd cmd, const char *note,
                     struct assay_error *err)
{
	const char *state = assay_wf_state_name(ASSAY_WF_REVIEW, to);
	json_t *before = json_pack("{s:O}", "state", json_object_get(r, "state"));
	json_t *after = json_pack("{s:s}", "state", state);
	int rc = wf_run(w, "UPDATE reviews SET state = ?2, updated_at = ?3 WHERE id = ?1",
	                WVALS(WS(jstr(r, "id")), WS(state), WS(wf_ts(w, w->now))), err);
	if (!rc)
		rc = wf_transition(w, "review", jstr(r, "id"), jstr(r, "system_id"), state,
		                   assay_wf_cmd_name(ASSAY_WF_REVIEW, cmd), note, before, after, err);
	json_decref(before);
	json_decref(after);
	if (!rc)
		json_object_set_new(r, "state", json_string(state));
	return rc;
}

int assay_review_open(struct assay_wf *w, const char *system, const char *release, const char *summary,
                      int draft, json_t **out, struct assay_error *err)
{
	const char *sid;
	if (!release || !*release)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a review is for a release: --release R is required");
	int rc = wf_system(w, system, &sid, NULL, NULL, err);
	if (rc)
		return rc;
	char id[27];
	int64_t num;
	if ((rc = wf_new_id(w, "R", id, &num, err)))
		return rc;
	const char *state = draft ? "draft" : "submitted", *now = wf_ts(w, w->now);
	rc = wf_run(
	    w,
	    "INSERT INTO reviews (id, number, system_id, release, summary, requester, state, reviewers, "
	    "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '[]', ?8, ?8)",
	    WVALS(WS(id), WI(num), WS(sid), WS(release), WS(summary), WS(assay_store_actor(w->s)), WS(state),
	          WS(now)),
	    err);
	if (!rc)
		rc = load(w, id, out, err);
	if (!rc)
		rc = wf_transition(w, "review", id, sid, state, "open", summary, NULL, *out, err);
	return rc;
}

int assay_review_get(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	int rc = load(w, ref, out, err);
	if (rc)
		return rc;
	const char *id = jstr(*out, "id");
	json_t *x = NULL;
	static const char *const scols[] = {"actor", "@roles", "at"};
	rc =
	    wf_rows(w, "SELECT actor, roles, at FROM review_signoffs WHERE review_id = ?1 ORDER BY at, actor",
	            scols, 3, WVALS(WS(id)), &x, err);
	if (!rc)
		json_object_set_new(*out, "signoffs", x);
	static const char *const tcols[] = {"at", "state", "command", "actor", "note"};
	if (!rc)
		rc = wf_rows(
		    w,
		    "SELECT at, state, command, actor, note FROM wf_transitions WHERE entity_type = 'review' "
		    "AND entity_id = ?1 ORDER BY seq",
		    tcols, 5, WVALS(WS(id)), &x, err);
	if (!rc) {
		/* the SLA clock from the history */
		struct assay_wf_stamp h[256];
		size_t n = 0, i;
		json_t *t;
		json_array_foreach(x, i, t) if (n < 256) h[n++] = (struct assay_wf_stamp){
		    wf_parse_ts(jstr(t, "at")), assay_wf_state_parse(ASSAY_WF_REVIEW, jstr(t, "state"))};
		json_object_set_new(*out, "history", x);
		struct assay_sla_clock c;
		assay_sla_compute(h, n, w->now, &c);
		const struct assay_workflow_tier *p = wf_tier_params(w, jstr(*out, "tier"));
		int64_t tt = p ? (int64_t)p->triage_hours * 3600 : 0,
		        td = p ? (int64_t)p->decision_hours * 3600 : 0;
		enum assay_sla_status st_t =
		    c.triaged && c.to_triage <= tt ? ASSAY_SLA_OK : assay_sla_status(c.to_triage, tt);
		enum assay_sla_status st_d = assay_sla_status(c.to_decision, td);
		if (c.decided && st_d == ASSAY_SLA_WARNING)
			st_d = ASSAY_SLA_OK;
		json_object_set_new(*out, "sla",
		                    json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:b}", "to_triage_seconds",
		                              (json_int_t)c.to_triage, "triage_target_seconds",
		                              (json_int_t)tt, "to_decision_seconds",
		                              (json_int_t)c.to_decision, "decision_target_seconds",
		                              (json_int_t)td, "paused_seconds", (json_int_t)c.paused,
		                              "triage_status", assay_sla_status_name(st_t), "decision_status",
		                              assay_sla_status_name(st_d), "running", c.running));
	}
	static const char *const dcols[] = {"id",          "#number",   "outcome",        "valid_until",
	                                    "@conditions", "@signers",  "policy_version", "decided_by",
	                                    "decided_at",  "rationale", "model_hash",     "data_hash",
	                                    "prompt_hash"};
	if (!rc)
		rc = wf_rows(w,
		             "SELECT id, number, outcome, valid_until, conditions, signers, policy_version, "
		             "decided_by, "
		             "decided_at, rationale, model_hash, data_hash, prompt_hash FROM decisions WHERE "
		             "review_id = ?1",
		             dcols, 13, WVALS(WS(id)), &x, err);
	if (!rc) {
		json_object_set(*out, "decision", json_array_size(x) ? json_array_get(x, 0) : json_null());
		json_decref(x);
	}
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int assay_review_do(struct assay_wf *w, const char *ref, enum assay_review_cmd cmd, const char *note,
                    json_t **out, struct assay_error *err)
{
	json_t *r;
	int rc = load(w, ref, &r, err), to;
	if (rc)
		return rc;
	rc = check(w, r, cmd, &to, err);
	if (!rc && cmd == ASSAY_RC_SIGNOFF) {
		json_t *roles;
		const char *me = assay_store_actor(w->s);
		rc = wf_actor_roles(w, me, &roles, err);
		char *rj = rc ? NULL : json_dumps(roles, JSON_COMPACT);
		if (!rc)
			rc = wf_run(w,
			            "INSERT INTO review_signoffs (review_id, actor, roles, at) VALUES (?1, "
			            "?2, ?3, ?4) "
			            "ON CONFLICT (review_id, actor) DO UPDATE SET roles = ?3, at = ?4",
			            WVALS(WS(jstr(r, "id")), WS(me), WS(rj), WS(wf_ts(w, w->now))), err);
		json_t *after = json_pack("{s:s, s:O}", "signoff", me, "roles", roles);
		if (!rc)
			rc = wf_audit(w, "review.signoff", "review", jstr(r, "id"), jstr(r, "system_id"),
			              NULL, after, err);
		json_decref(after);
		json_decref(roles);
		free(rj);
	} else if (!rc) {
		rc = set_state(w, r, to, cmd, note, err);
	}
	if (rc) {
		json_decref(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int assign(struct assay_wf *w, json_t *r, const char *const *who, size_t n, struct assay_error *err)
{
	if (!n)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "assign needs at least one reviewer (--assign A,B)");
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(who[i], jstr(r, "requester"))) {
			json_decref(list);
			return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                       "%s requested this review and cannot review it", who[i]);
		}
		json_array_append_new(list, json_string(who[i]));
	}
	char *txt = json_dumps(list, JSON_COMPACT);
	int rc = wf_run(w, "UPDATE reviews SET reviewers = ?2 WHERE id = ?1",
	                WVALS(WS(jstr(r, "id")), WS(txt)), err);
	free(txt);
	json_object_set_new(r, "reviewers", list);
	int to;
	if (!rc)
		rc = check(w, r, ASSAY_RC_ASSIGN, &to, err);
	return rc ? rc : set_state(w, r, to, ASSAY_RC_ASSIGN, NULL, err);
}

int assay_review_triage(struct assay_wf *w, const char *ref, const char *const *reviewers, size_t nreviewers,
                        json_t **out, struct assay_error *err)
{
	json_t *r;
	int rc = load(w, ref, &r, err), to;
	if (rc)
		return rc;
	struct wf_sysinfo si = {0};
	rc = check(w, r, ASSAY_RC_TRIAGE, &to, err);
	if (!rc)
		rc = wf_sysinfo(w, jstr(r, "system_id"), &si, err);
	if (!rc) {
		char *ctl = json_dumps(si.controls, JSON_COMPACT);
		rc = wf_run(
		    w, "UPDATE reviews SET tier = ?2, controls = ?3, policy_version = ?4 WHERE id = ?1",
		    WVALS(WS(jstr(r, "id")), WS(si.sys->tier), WS(ctl), WS(si.sys->policy_version)), err);
		free(ctl);
		json_object_set_new(r, "tier", json_string(si.sys->tier));
		json_object_set(r, "controls", si.controls);
	}
	if (!rc)
		rc = set_state(w, r, to, ASSAY_RC_TRIAGE, "tier and controls frozen", err);
	if (!rc && nreviewers)
		rc = assign(w, r, reviewers, nreviewers, err);
	wf_sysinfo_free(&si);
	if (rc) {
		json_decref(r);
		return rc;
	}
	*out = r;
	return 0;
}

int assay_review_assign(struct assay_wf *w, const char *ref, const char *const *reviewers, size_t nreviewers,
                        json_t **out, struct assay_error *err)
{
	json_t *r;
	int rc = load(w, ref, &r, err);
	if (!rc)
		rc = assign(w, r, reviewers, nreviewers, err);
	if (rc) {
		json_decref(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* Every role the policy requires for the tier held by a distinct signer.
 * signers: array of {"actor", "roles": [...]}; missing gets the first
 * role nobody covers. */
static int signoff_complete(const struct assay_workflow_tier *p, json_t *signers, const char **missing)
{
	size_t used = 0; /* bit per signer */
	for (size_t k = 0; p && k < p->n_signoff_roles; k++) {
		int found = 0;
		size_t i;
		json_t *s;
		json_array_foreach(signers, i, s)
		{
			if (found || (used & ((size_t)1 << i)) || i >= 63)
				continue;
			size_t j;
			json_t *role;
			json_array_foreach(json_object_get(s, "roles"), j,
			                   role) if (!found &&
			                             !strcmp(json_string_value(role), p->signoff_roles[k]))
			{
				found = 1;
				used |= (size_t)1 << i;
			}
		}
		if (!found) {
			*missing = p->signoff_roles[k];
			return 0;
		}
	}
	return 1;
}

static int record_evidence_seen(struct assay_wf *w, const char *did, const struct wf_sysinfo *si,
                                json_t *seen, struct assay_error *err)
{
	if (!si->nreqs)
		return 0;
	struct assay_evidence_status st;
	int rc =
	    assay_evidence_status(w->s, si->sys->id, si->reqs, si->nreqs, wf_ts(w, w->now), w->a, &st, err);
	for (size_t i = 0; !rc && i < st.n; i++) {
		const struct assay_req_status *q = &st.items[i];
		const char *eid = q->evidence ? q->evidence->id : NULL,
		           *sha = q->evidence ? q->evidence->sha256 : NULL;
		rc = wf_run(
		    w,
		    "INSERT INTO decision_evidence (decision_id, requirement_key, status, evidence_id, "
		    "sha256) "
		    "VALUES (?1, ?2, ?3, ?4, ?5)",
		    WVALS(WS(did), WS(q->req->key), WS(assay_req_state_name(q->state)), WS(eid), WS(sha)),
		    err);
		json_array_append_new(seen, json_pack("{s:s, s:s, s:s?, s:s?}", "requirement", q->req->key,
		                                      "status", assay_req_state_name(q->state), "evidence_id",
		                                      eid, "sha256", sha));
	}
	return rc;
}

int assay_review_decide(struct assay_wf *w, const char *ref, const struct assay_decision_input *in,
                        json_t **out, struct assay_error *err)
{
	const char *oc = in->outcome ? in->outcome : "";
	if (strcmp(oc, "approved") && strcmp(oc, "conditional") && strcmp(oc, "denied"))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--outcome is approved, conditional or denied, not \"%s\"", oc);
	if (!strcmp(oc, "conditional") != (in->nconditions > 0))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "%s",
		                       in->nconditions
		                           ? "conditions go with --outcome conditional"
		                           : "--outcome conditional needs at least one --condition");
	if (!in->rationale || !*in->rationale)
		return assay_error_set(
		    err, ASSAY_EUSAGE, NULL, 0, 0,
		    "a decision needs its rationale (--rationale-file memo.md or --rationale TEXT)");
	json_t *r;
	int rc = load(w, ref, &r, err), to;
	if (rc)
		return rc;
	struct wf_sysinfo si = {0};
	json_t *signers = NULL, *seen = json_array(), *conds = json_array(), *d = NULL;
	rc = check(w, r, ASSAY_RC_DECIDE, &to, err);
	if (!rc)
		rc = wf_sysinfo(w, jstr(r, "system_id"), &si, err);
	const char *tier = jstr(r, "tier") ? jstr(r, "tier") : si.sys ? si.sys->tier : NULL;
	const struct assay_workflow_tier *p = rc ? NULL : wf_tier_params(w, tier);
	/* signers: the sign-offs plus the decider */
	static const char *const scols[] = {"actor", "@roles"};
	if (!rc)
		rc = wf_rows(
		    w, "SELECT actor, roles FROM review_signoffs WHERE review_id = ?1 ORDER BY at, actor",
		    scols, 2, WVALS(WS(jstr(r, "id"))), &signers, err);
	if (!rc) {
		json_t *mine;
		const char *me = assay_store_actor(w->s);
		rc = wf_actor_roles(w, me, &mine, err);
		if (!rc) {
			json_t *s = NULL;
			size_t i;
			json_t *x;
			json_array_foreach(signers, i, x) if (!strcmp(jstr(x, "actor"), me)) s = x;
			if (s)
				json_object_set(s, "roles", mine);
			else
				json_array_append_new(signers,
				                      json_pack("{s:s, s:O}", "actor", me, "roles", mine));
			json_decref(mine);
		}
	}
	const char *missing = NULL;
	if (!rc && strcmp(oc, "denied") && !signoff_complete(p, signers, &missing)) {
		rc = assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                     "a %s-tier decision needs a sign-off by someone holding the role \"%s\"",
		                     tier, missing);
		assay_error_hint(err, "that person runs `assay review signoff %s --as NAME` first", ref);
	}
	int64_t valid = in->valid_until;
	if (!rc && !valid) {
		int days = p ? p->decision_validity_days : 365;
		if (!days && strcmp(oc, "denied"))
			rc = assay_error_set(
			    err, ASSAY_EINPUT, NULL, 0, 0,
			    "the policy allows no approval at tier %s (decision validity 0 days)", tier);
		valid = w->now + (int64_t)(days ? days : 365) * 86400;
	}
	if (!rc && valid <= w->now)
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "--valid-until must be in the future");
	char did[27];
	int64_t dnum = 0;
	if (!rc)
		rc = wf_new_id(w, "D", did, &dnum, err);
	for (size_t i = 0; !rc && i < in->nconditions; i++) {
		const struct assay_condition *c = &in->conditions[i];
		json_array_append_new(conds, json_pack("{s:s, s:s, s:s, s:s}", "text", c->text, "owner",
		                                       c->owner ? c->owner : jstr(r, "requester"), "due",
		                                       wf_ts(w, c->due ? c->due : w->now + 30 * 86400),
		                                       "severity", c->severity ? c->severity : "medium"));
	}
	if (!rc) {
		char sha[65];
		assay_sha256_hex(in->rationale, strlen(in->rationale), sha);
		char *cj = json_dumps(conds, JSON_COMPACT), *sj = json_dumps(signers, JSON_COMPACT);
		const char *purpose = json_string_value(json_object_get(si.intake, "intended_purpose"));
		rc = wf_run(
		    w,
		    "INSERT INTO decisions (id, number, review_id, system_id, release, outcome, rationale, "
		    "rationale_sha256, rationale_file, conditions, valid_until, tier, policy_version, "
		    "policy_hash, "
		    "signers, model_hash, data_hash, prompt_hash, purpose, decided_by, decided_at) VALUES "
		    "(?1, ?2, "
		    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
		    WVALS(WS(did), WI(dnum), WS(jstr(r, "id")), WS(jstr(r, "system_id")),
		          WS(jstr(r, "release")), WS(oc), WS(in->rationale), WS(sha), WS(in->rationale_file),
		          WS(cj), WS(wf_ts(w, valid)), WS(tier), WS(si.sys->policy_version),
		          WS(si.sys->policy_hash), WS(sj), WS(wf_artifact(si.intake, "model")),
		          WS(wf_artifact(si.intake, "data")), WS(wf_artifact(si.intake, "prompt")),
		          WS(purpose), WS(assay_store_actor(w->s)), WS(wf_ts(w, w->now))),
		    err);
		free(cj);
		free(sj);
		d = json_pack("{s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:s?, s:s?, s:s?, s:s?, s:s}", "id", did,
		              "ref", assay_arena_printf(w->a, "D-%lld", (long long)dnum), "outcome", oc,
		              "valid_until", wf_ts(w, valid), "conditions", conds, "signers", signers,
		              "evidence_seen", seen, "policy_version", si.sys->policy_version, "model_hash",
		              wf_artifact(si.intake, "model"), "data_hash", wf_artifact(si.intake, "data"),
		              "prompt_hash", wf_artifact(si.intake, "prompt"), "rationale_sha256", sha);
	}
	if (!rc) /* after the decision row: decision_evidence refers to it */
		rc = record_evidence_seen(w, did, &si, seen, err);
	/* earlier decisions of this system stop being in force */
	json_t *old = NULL;
	static const char *const ocols[] = {"id"};
	if (!rc)
		rc = wf_rows(w,
		             "SELECT id FROM reviews WHERE system_id = ?1 AND state = 'decided' AND id <> ?2",
		             ocols, 1, WVALS(WS(jstr(r, "system_id")), WS(jstr(r, "id"))), &old, err);
	size_t i;
	json_t *o;
	json_array_foreach(old, i, o)
	{
		if (rc)
			break;
		json_t *prev;
		rc = load(w, jstr(o, "id"), &prev, err);
		if (rc)
			break;
		const char *actor = assay_arena_strdup(w->a, assay_store_actor(w->s));
		assay_store_set_actor(w->s, "assay");
		rc = set_state(w, prev, ASSAY_RS_SUPERSEDED, ASSAY_RC_SUPERSEDE,
		               "a later decision replaced it", err);
		assay_store_set_actor(w->s, actor);
		json_decref(prev);
	}
	json_decref(old);
	if (!rc)
		rc = set_state(w, r, to, ASSAY_RC_DECIDE, oc, err);
	if (!rc)
		rc = wf_audit(w, "decision.record", "decision", did, jstr(r, "system_id"), NULL, d, err);
	/* conditions become findings */
	json_t *cf = json_array();
	json_array_foreach(conds, i, o)
	{
		if (rc)
			break;
		struct assay_finding_input fi = {.system = jstr(r, "system_id"),
		                                 .source = "condition",
		                                 .control = "decision-condition",
		                                 .severity = jstr(o, "severity"),
		                                 .title = jstr(o, "text"),
		                                 .owner = jstr(o, "owner"),
		                                 .due = wf_parse_ts(jstr(o, "due")),
		                                 .review_id = jstr(r, "id"),
		                                 .decision_id = did};
		json_t *f;
		rc = assay_finding_add(w, &fi, &f, err);
		if (!rc)
			json_array_append_new(cf, json_string(jstr(f, "ref")));
		json_decref(f);
	}
	if (d)
		json_object_set_new(d, "condition_findings", cf);
	else
		json_decref(cf);
	wf_sysinfo_free(&si);
	json_decref(signers);
	json_decref(seen);
	json_decref(conds);
	if (rc) {
		json_decref(d);
		json_decref(r);
		return rc;
	}
	json_object_set_new(r, "decision", d);
	*out = r;
	return 0;
}

int assay_review_list(struct assay_wf *w, const struct assay_review_filter *f, json_t **out,
                      struct assay_error *err)
{
	const char *sid = NULL;
	if (f->system) {
		int rc = wf_system(w, f->system, &sid, NULL, NULL, err);
		if (rc)
			return rc;
	}
	json_t *rows;
	int rc = wf_rows(
	    w,
	    SELECT
	    "WHERE (?1 IS NULL OR r.system_id = ?1) AND (?2 IS NULL OR r.state = ?2) ORDER BY r.number",
	    COLS, NCOLS, WVALS(WS(sid), WS(f->state)), &rows, err);
	if (rc)
		return rc;
	*out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		json_t *full;
		rc = assay_review_get(w, jstr(r, "id"), &full, err);
		if (rc)
			break;
		json_object_del(full, "history");
		json_t *sla = json_object_get(full, "sla");
		int late =
		    strcmp(jstr(sla, "triage_status"), "ok") && strcmp(jstr(sla, "triage_status"), "none");
		late |= strcmp(jstr(sla, "decision_status"), "ok") &&
		        strcmp(jstr(sla, "decision_status"), "none");
		const char *st = jstr(full, "state");
		int open = st && strcmp(st, "decided") && strcmp(st, "withdrawn") &&
		           strcmp(st, "superseded") && strcmp(st, "expired");
		if (!f->overdue || (late && open))
			json_array_append(*out, full);
		json_decref(full);
	}
	json_decref(rows);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int assay_rereview_status(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err)
{
	struct wf_sysinfo si = {0};
	int rc = wf_sysinfo(w, system, &si, err);
	json_t *d = NULL;
	static const char *const dcols[] = {"ref",        "decided_at",     "valid_until",
	                                    "model_hash", "data_hash",      "prompt_hash",
	                                    "purpose",    "policy_version", "review_state"};
	if (!rc)
		rc = wf_rows(
		    w,
		    "SELECT 'D-' || d.number, d.decided_at, d.valid_until, d.model_hash, d.data_hash, "
		    "d.prompt_hash, d.purpose, d.policy_version, r.state FROM decisions d JOIN reviews r ON "
		    "r.id = d.review_id WHERE d.system_id = ?1 ORDER BY d.number DESC",
		    dcols, 9, WVALS(WS(si.sys->id)), &d, err);
	if (rc) {
		wf_sysinfo_free(&si);
		return rc;
	}
	*out = json_array();
	json_t *last = json_array_get(d, 0);
	if (!last) {
		json_array_append_new(*out, json_pack("{s:s, s:s}", "trigger", "no_decision", "message",
		                                      "no decision recorded: the system needs a review"));
	} else {
		const char *dat = jstr(last, "decided_at");
		struct assay_rereview_input in = {
		    .now = w->now,
		    .decided_at = wf_parse_ts(dat),
		    .valid_until = wf_parse_ts(jstr(last, "valid_until")),
		    .model_hash_then = jstr(last, "model_hash"),
		    .model_hash_now = wf_artifact(si.intake, "model"),
		    .data_hash_then = jstr(last, "data_hash"),
		    .data_hash_now = wf_artifact(si.intake, "data"),
		    .prompt_hash_then = jstr(last, "prompt_hash"),
		    .prompt_hash_now = wf_artifact(si.intake, "prompt"),
		    .purpose_then = jstr(last, "purpose"),
		    .purpose_now = json_string_value(json_object_get(si.intake, "intended_purpose")),
		    .policy_version_then = jstr(last, "policy_version"),
		    .policy_version_now = si.sys->policy_version};
		json_t *cnt = NULL;
		static const char *const ccols[] = {"#n", "first"};
		rc = wf_rows(w,
		             "SELECT COUNT(*), MIN('I-' || number) FROM incidents WHERE system_id = ?1 AND "
		             "created_at >= ?2",
		             ccols, 2, WVALS(WS(si.sys->id), WS(dat)), &cnt, err);
		if (!rc) {
			in.incidents_since =
			    (size_t)json_integer_value(json_object_get(json_array_get(cnt, 0), "n"));
			in.first_incident =
			    assay_arena_strdup(w->a, jstr(json_array_get(cnt, 0), "first")
			                                 ? jstr(json_array_get(cnt, 0), "first")
			                                 : "");
			json_decref(cnt);
			cnt = NULL;
			rc = wf_rows(
			    w,
			    "SELECT COUNT(*), MIN('W-' || w.number) FROM waivers w JOIN wf_transitions t ON "
			    "t.entity_type = 'waiver' AND t.entity_id = w.id AND t.state = 'expired' WHERE "
			    "w.system_id = ?1 AND t.at >= ?2",
			    ccols, 2, WVALS(WS(si.sys->id), WS(dat)), &cnt, err);
		}
		if (!rc) {
			in.waivers_expired =
			    (size_t)json_integer_value(json_object_get(json_array_get(cnt, 0), "n"));
			in.first_waiver = assay_arena_strdup(w->a, jstr(json_array_get(cnt, 0), "first")
			                                               ? jstr(json_array_get(cnt, 0), "first")
			                                               : "");
		}
		json_decref(cnt);
		struct assay_rereview_reason rr[ASSAY_RR_COUNT];
		size_t n = rc ? 0 : assay_rereview_check(&in, rr, ASSAY_RR_COUNT);
		for (size_t i = 0; i < n && i < ASSAY_RR_COUNT; i++)
			json_array_append_new(*out, json_pack("{s:s, s:s}", "trigger",
			                                      assay_rereview_trigger_name(rr[i].trigger),
			                                      "message", rr[i].message));
		const char *rs = jstr(last, "review_state");
		if (!n && rs && strcmp(rs, "decided"))
			json_array_append_new(*out, json_pack("{s:s, s:s}", "trigger", "decision", "message",
			                                      assay_arena_printf(w->a, "decision %s is %s",
			                                                         jstr(last, "ref"), rs)));
	}
	json_decref(d);
	wf_sysinfo_free(&si);
	return rc;
}
