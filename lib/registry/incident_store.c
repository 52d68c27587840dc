/* incident_store.c: AI incidents (issue 6, "Incidents"): severity (sev1
 * worst .. sev4), what and who was affected, detection time and source,
 * containment actions (rollback, fallback_model, stricter_filter,
 * throttling, or free text), a timeline, root cause, and follow-ups raised
 * as findings (source "incident"). States open -> contained -> closed
 * (contain may be skipped; nothing reopens a closed incident: a recurrence
 * is a new incident). Opening one makes the system need re-review: the
 * incident trigger of assay_rereview_status counts incidents opened after
 * the decision in force.
 */
#include <string.h>

#include "wf_internal.h"

static const char *const COLS[] = {"id",       "#number",    "ref",        "system_id",   "system",
                                   "severity", "summary",    "affected",   "detected_at", "detection_source",
                                   "state",    "root_cause", "created_at", "created_by",  "updated_at"};
#define SELECT                                                                                               \
	"SELECT i.id, i.number, 'I-' || i.number, i.system_id, s.slug, i.severity, i.summary, i.affected, "  \
	"i.detected_at, i.detection_source, i.state, i.root_cause, i.created_at, i.created_by, "             \
	"i.updated_at FROM "                                                                                 \
	"incidents i JOIN systems s ON s.id = i.system_id "
#define NCOLS (sizeof COLS / sizeof *COLS)

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int load(struct assay_wf *w, const char *ref, json_t **out, struct assay_error *err)
{
	int rc = wf_row(w, SELECT "WHERE i.number = ?1 OR i.id = ?2", COLS, NCOLS,
	                WVALS(WI(wf_ref_number(ref, 'I')), WS(ref)), "incident", ref, out, err);
	json_t *t;
	static const char *const tcols[] = {"at", "actor", "kind", "text"};
	if (!rc)
		rc = wf_rows(
		    w,
		    "SELECT at, actor, kind, text FROM incident_timeline WHERE incident_id = ?1 ORDER BY seq",
		    tcols, 4, WVALS(WS(jstr(*out, "id"))), &t, err);
	if (!rc)
		json_object_set_new(*out, "timeline", t);
	return rc;
}

static int timeline(struct assay_wf *w, const char *id, const char *kind, const char *text,
                    struct assay_error *err)
{
	return wf_run(
	    w,
	    "INSERT INTO incident_timeline (incident_id, seq, at, actor, kind, text) SELECT ?1, "
	    "COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM incident_timeline WHERE incident_id = ?1",
	    WVALS(WS(id), WS(wf_ts(w, w->now)), WS(assay_store_actor(w->s)), WS(kind), WS(text)), err);
}

int assay_incident_open(struct assay_wf *w, const struct assay_incident_input *in, json_t **out,
                        struct assay_error *err)
{
	const char *sev = in->severity ? in->severity : "";
	if (strcmp(sev, "sev1") && strcmp(sev, "sev2") && strcmp(sev, "sev3") && strcmp(sev, "sev4"))
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                       "--severity is sev1 (worst) to sev4, not \"%s\"", sev);
	if (!in->summary || !*in->summary)
		return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "an incident needs --summary");
	const char *sid;
	int rc = wf_system(w, in->system, &sid, NULL, NULL, err);
	if (rc)
		return rc;
	char id[27];
	int64_t num;
	const char *now = wf_ts(w, w->now);
	rc = wf_new_id(w, "I", id, &num, err);
	if (!rc)
		rc = wf_run(
		    w,
		    "INSERT INTO incidents (id, number, system_id, severity, summary, affected, detected_at, "
		    "detection_source, state, created_at, created_by, updated_at) VALUES (?1, ?2, ?3, ?4, "
		    "?5, ?6, "
		    "?7, ?8, 'open', ?9, ?10, ?9)",
		    WVALS(WS(id), WI(num), WS(sid), WS(sev), WS(in->summary), WS(in->affected),
		          WS(wf_ts(w, in->detected_at ? in->detected_at : w->now)),
		          WS(in->source ? in->source : "manual"), WS(now), WS(assay_store_actor(w->s))),
		    err);
	if (!rc)
		rc = timeline(w, id, "opened", in->summary, err);
	if (!rc)
		rc = load(w, id, out, err);
	if (!rc)
		rc = wf_transition(w, "incident", id, sid, "open", "open", "the system needs re-review", NULL,
		                   *out, err);
	return rc;
}

int assay_incident_do(struct assay_wf *w, const char *ref, const char *what, const char *text,
                      const char *root_cause, const char *const *followups, size_t nfollowups, json_t **out,
                      struct assay_error *err)
{
	json_t *i;
	int rc = load(w, ref, &i, err);
	if (rc)
		return rc;
	const char *st = jstr(i, "state"), *to = st;
	if (!strcmp(st, "closed"))
		rc = assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                     "%s is closed; a recurrence is a new incident", jstr(i, "ref"));
	else if (!strcmp(what, "contain"))
		to = "contained";
	else if (!strcmp(what, "close"))
		to = "closed";
	else if (strcmp(what, "update"))
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                     "incident commands are open, contain, update, close");
	if (!rc && (!text || !*text) && strcmp(what, "close"))
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0, "%s",
		                     !strcmp(what, "contain")
		                         ? "contain needs --action (rollback, fallback_model, "
		                           "stricter_filter, throttling or a description)"
		                         : "update needs --note TEXT");
	if (!rc && !strcmp(what, "close") && (!root_cause || !*root_cause))
		rc = assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
		                     "closing an incident needs its --root-cause");
	if (!rc)
		rc = timeline(w, jstr(i, "id"),
		              !strcmp(what, "contain") ? "containment"
		              : !strcmp(what, "close") ? "closed"
		                                       : "note",
		              text && *text ? text : root_cause, err);
	if (!rc && root_cause)
		rc = wf_run(w, "UPDATE incidents SET root_cause = ?2 WHERE id = ?1",
		            WVALS(WS(jstr(i, "id")), WS(root_cause)), err);
	/* follow-ups become findings linked to the incident */
	for (size_t k = 0; !rc && k < nfollowups; k++) {
		struct assay_finding_input fi = {.system = jstr(i, "system_id"),
		                                 .source = "incident",
		                                 .control = "incident-follow-up",
		                                 .severity = "high",
		                                 .title = followups[k],
		                                 .root_cause = root_cause,
		                                 .owner = assay_store_actor(w->s),
		                                 .due = w->now + 30 * 86400,
		                                 .incident_id = jstr(i, "id")};
		json_t *f;
		rc = assay_finding_add(w, &fi, &f, err);
		json_decref(f);
	}
	if (!rc) {
		rc = wf_run(w, "UPDATE incidents SET state = ?2, updated_at = ?3 WHERE id = ?1",
		            WVALS(WS(jstr(i, "id")), WS(to), WS(wf_ts(w, w->now))), err);
		json_t *before = json_pack("{s:s}", "state", st),
		       *after = json_pack("{s:s, s:s?}", "state", to, "text", text);
		if (!rc)
			rc = wf_transition(w, "incident", jstr(i, "id"), jstr(i, "system_id"), to, what, text,
			                   before, after, err);
		json_decref(before);
		json_decref(after);
	}
	json_t *fresh = NULL;
	if (!rc)
		rc = load(w, jstr(i, "id"), &fresh, err);
	json_decref(i);
	if (rc)
		return rc;
	*out = fresh;
	return 0;
}

int assay_incident_list(struct assay_wf *w, const char *system, json_t **out, struct assay_error *err)
{
	const char *sid = NULL;
	int rc = system ? wf_system(w, system, &sid, NULL, NULL, err) : 0;
	return rc ? rc
	          : wf_rows(w, SELECT "WHERE (?1 IS NULL OR i.system_id = ?1) ORDER BY i.number", COLS, NCOLS,
	                    WVALS(WS(sid)), out, err);
}
