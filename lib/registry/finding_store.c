/* finding_store.c: findings in the registry (issue 6, "Findings"):
 * source, control, severity, owner, due date, status through the finding
 * table of workflow.c; closure evidence required to close; a fingerprint
 * (finding.c) so that a finding recurring after an earlier one was
 * resolved, verified or closed is flagged as a repeat; never deleted.
 * risk_accepted is entered and left only by waivers (waiver_store.c) and
 * the sweep, as the actor "assay".
 */
#include <stdlib.h>
#include <string.h>

#include "wf_internal.h"

static const char *const COLS[] = {"id",         "#number",     "ref",         "system_id",
                                   "system",     "source",      "control",     "severity",
                                   "title",      "root_cause",  "fingerprint", "repeat_of",
                                   "owner",      "due",         "state",       "#is_condition",
                                   "review_id",  "decision_id", "incident_id", "closure_evidence",
                                   "created_at", "created_by",  "updated_at"};
#define SELECT                                                                                               \
	"SELECT f.id, f.number, 'F-' || f.number, f.system_id, s.slug, f.source, f.control, f.severity, "    \
	"f.title, "                                                                                          \
	"f.root_cause, f.fingerprint, f.repeat_of, f.owner, f.due, f.state, f.is_condition, f.review_id, "   \
	"f.decision_id, f.incident_id, f.closure_evidence, f.created_at, f.created_by, f.updated_at FROM "   \
	"findings f JOIN systems s ON s.id = f.system_id "
#define NCOLS (sizeof COLS / sizeof *COLS)

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int load(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	return wf_row(w, SELECT "WHERE f.number = ?1 OR f.id = ?2", COLS, NCOLS,
	              WVALS(WI(wf_ref_number(ref, 'F')), WS(ref)), "finding", ref, out, err);
}

int assay_finding_get(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	int rc = load(w, ref, out, err);
	if (rc)
		return rc;
	json_t *h;
	static const char *const tcols[] = {"at", "state", "command", "actor", "note"};
	rc = wf_rows(
	    w,
	    "SELECT at, state, command, actor, note FROM wf_transitions WHERE entity_type = 'finding' AND "
	    "entity_id = ?1 ORDER BY seq",
	    tcols, 5, WVALS(WS(jstr(*out, "id"))), &h, err);
	if (!rc)
		json_object_set_new(*out, "history", h);
	return rc;
}

int assay_finding_list(struct assay_wf *w, const char *system, const char *state, json_t **out,
                       struct assay_error *err)
{
	const char *sid = NULL;
	if (system) {
		int rc = wf_system(w, system, &sid, NULL, NULL, err);
		if (rc)
			return rc;
	}
	return wf_rows(
	    w,
	    SELECT
	    "WHERE (?1 IS NULL OR f.system_id = ?1) AND (?2 IS NULL OR f.state = ?2) ORDER BY f.number",
	    COLS, NCOLS, WVALS(WS(sid), WS(state)), out, err);
}

static int one_of(const char *v, const char *const *set)
{
	for (; v && *set; set++)
		if (!strcmp(v, *set))
			return 1;
	return 0;
}

int assay_finding_add(struct assay_wf *w, const struct assay_finding_input *in, json_t **out,
                      struct assay_error *err)
{
	static const char *const SOURCES[] = {"review", "monitoring", "incident", "audit",
	                                      "ci",     "condition",  NULL};
	static const char *const SEVS[] = {"low", "medium", "high", "critical", NULL};
	const char *source = in->source ? in->source : "review";
	if (!one_of(source, SOURCES))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--source is review, monitoring, incident, audit or ci, not \"%s\"",
		                       source);
	if (!one_of(in->severity, SEVS))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--severity is low, medium, high or critical, not \"%s\"",
		                       in->severity ? in->severity : "(missing)");
	if (!in->control || !*in->control || !in->title || !*in->title || !in->owner || !*in->owner)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "a finding needs --control, --title and --owner");
	const char *sid, *slug;
	int rc = wf_system(w, in->system, &sid, &slug, NULL, err);
	if (rc)
		return rc;
	char fp[65];
	if ((rc = assay_finding_fingerprint(slug, in->control, in->root_cause ? in->root_cause : in->title,
	                                    fp, err)))
		return rc;
	json_t *prev = NULL;
	static const char *const pcols[] = {"id", "ref"};
	rc = wf_rows(
	    w,
	    "SELECT id, 'F-' || number FROM findings WHERE fingerprint = ?1 AND state IN ('resolved', "
	    "'verified', 'closed') ORDER BY number DESC",
	    pcols, 2, WVALS(WS(fp)), &prev, err);
	if (rc)
		return rc;
	const char *repeat = jstr(json_array_get(prev, 0), "id");
	char id[27];
	int64_t num;
	const char *now = wf_ts(w, w->now);
	rc = wf_new_id(w, "F", id, &num, err);
	if (!rc)
		rc = wf_run(w,
		            "INSERT INTO findings (id, number, system_id, source, control, severity, title, "
		            "root_cause, "
		            "fingerprint, repeat_of, owner, due, state, is_condition, review_id, "
		            "decision_id, incident_id, "
		            "created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		            "?10, ?11, ?12, "
		            "'open', ?13, ?14, ?15, ?16, ?17, ?18, ?17)",
		            WVALS(WS(id), WI(num), WS(sid), WS(source), WS(in->control), WS(in->severity),
		                  WS(in->title), WS(in->root_cause), WS(fp), WS(repeat), WS(in->owner),
		                  WS(in->due ? wf_ts(w, in->due) : NULL), WI(!strcmp(source, "condition")),
		                  WS(in->review_id), WS(in->decision_id), WS(in->incident_id), WS(now),
		                  WS(assay_store_actor(w->s))),
		            err);
	json_decref(prev);
	if (!rc)
		rc = load(w, id, out, err);
	if (!rc)
		rc = wf_transition(w, "finding", id, sid, "open", "add",
		                   repeat ? "repeat of an earlier finding" : NULL, NULL, *out, err);
	return rc;
}

static int move(struct assay_wf *w, json_t *f, int to, enum assay_finding_cmd cmd, const char *note,
                const char *evidence, struct assay_error *err)
{
	const char *state = assay_wf_state_name(ASSAY_WF_FINDING, to);
	json_t *before = json_pack("{s:O}", "state", json_object_get(f, "state"));
	json_t *after = json_pack("{s:s, s:s?}", "state", state, "closure_evidence", evidence);
	int rc = wf_run(w,
	                "UPDATE findings SET state = ?2, updated_at = ?3, closure_evidence = COALESCE(?4, "
	                "closure_evidence) WHERE id = ?1",
	                WVALS(WS(jstr(f, "id")), WS(state), WS(wf_ts(w, w->now)), WS(evidence)), err);
	if (!rc)
		rc = wf_transition(w, "finding", jstr(f, "id"), jstr(f, "system_id"), state,
		                   assay_wf_cmd_name(ASSAY_WF_FINDING, cmd), note, before, after, err);
	json_decref(before);
	json_decref(after);
	if (!rc)
		json_object_set_new(f, "state", json_string(state));
	return rc;
}

int wf_finding_system_cmd(struct assay_wf *w, const char *finding_id, enum assay_finding_cmd cmd,
                          const char *why, struct assay_error *err)
{
	json_t *f;
	int rc = load(w, finding_id, &f, err), to;
	if (rc)
		return rc;
	rc = assay_wf_apply(ASSAY_WF_FINDING, assay_wf_state_parse(ASSAY_WF_FINDING, jstr(f, "state")), cmd,
	                    ASSAY_WF_SYSTEM, &to, err);
	if (!rc) {
		const char *actor = assay_arena_strdup(w->a, assay_store_actor(w->s));
		assay_store_set_actor(w->s, "assay");
		rc = move(w, f, to, cmd, why, NULL, err);
		assay_store_set_actor(w->s, actor);
	}
	json_decref(f);
	return rc;
}

int assay_finding_do(struct assay_wf *w, const char *ref, enum assay_finding_cmd cmd, const char *evidence,
                     const char *note, json_t **out, struct assay_error *err)
{
	json_t *f;
	int rc = load(w, ref, &f, err), to;
	if (rc)
		return rc;
	unsigned mask;
	const char *me = assay_store_actor(w->s);
	rc = wf_actor_mask(w, me, &mask, err);
	if (!rc && !strcmp(me, jstr(f, "owner")))
		mask |= ASSAY_WF_OWNER;
	if (!rc && jstr(f, "review_id")) {
		json_t *rv = NULL;
		static const char *const rcols[] = {"@reviewers"};
		rc = wf_rows(w, "SELECT reviewers FROM reviews WHERE id = ?1", rcols, 1,
		             WVALS(WS(jstr(f, "review_id"))), &rv, err);
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(json_array_get(rv, 0), "reviewers"), i,
		                   v) if (!strcmp(json_string_value(v), me)) mask |= ASSAY_WF_REVIEWER;
		json_decref(rv);
	}
	if (!rc)
		rc =
		    assay_wf_apply(ASSAY_WF_FINDING, assay_wf_state_parse(ASSAY_WF_FINDING, jstr(f, "state")),
		                   cmd, mask, &to, err);
	if (!rc && cmd == ASSAY_FC_CLOSE && (!evidence || !*evidence)) {
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "closing %s needs closure evidence",
		                     jstr(f, "ref"));
		assay_error_hint(err,
		                 "--evidence E-7 (recorded with `assay evidence add`) or --evidence URL");
	}
	if (!rc && cmd == ASSAY_FC_CLOSE && wf_ref_number(evidence, 'E')) {
		struct assay_evidence ev;
		rc = assay_evidence_get(w->s, evidence, w->a, &ev, err);
	}
	if (!rc)
		rc = move(w, f, to, cmd, note, cmd == ASSAY_FC_CLOSE ? evidence : NULL, err);
	if (rc) {
		json_decref(f);
		return rc;
	}
	*out = f;
	return 0;
}
