/* workflow_store.c: what the workflow's storage files share: bound
 * queries returning JSON rows, references ("R-12"), ids, the transition
 * log (wf_transitions, the source of the SLA clocks and KPIs) written with
 * its audit event, role grants, and the sweep that applies time-driven
 * transitions (waiver expiry, decision validity) when any workflow command
 * runs. Every write happens in the caller's transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/clock.h"
#include "assay/registry.h"
#include "assay/ulid.h"
#include "wf_internal.h"

static int bind_all(struct assay_stmt *st, const struct wf_val *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = v[i].is_int ? assay_stmt_bind_int(st, (int)i + 1, v[i].i)
		                     : assay_stmt_bind_text(st, (int)i + 1, v[i].s);
		if (rc)
			return rc;
	}
	return 0;
}

int wf_run(struct assay_wf *w, const char *sql, const struct wf_val *v, size_t n, struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(w->s, &st, sql, err);
	if (rc)
		return rc;
	if (bind_all(st, v, n))
		rc = assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "cannot bind parameters of: %.80s",
		                     sql);
	else
		rc = assay_stmt_exec(st, err);
	assay_stmt_finalize(st);
	return rc;
}

int wf_rows(struct assay_wf *w, const char *sql, const char *const *cols, size_t ncols,
            const struct wf_val *v, size_t n, json_t **out, struct assay_error *err)
{
	struct assay_stmt *st;
	int rc = assay_stmt_prepare(w->s, &st, sql, err);
	if (rc)
		return rc;
	if (bind_all(st, v, n)) {
		assay_stmt_finalize(st);
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "cannot bind parameters of: %.80s",
		                       sql);
	}
	json_t *arr = json_array();
	while ((rc = assay_stmt_step(st, err)) == 1) {
		json_t *o = json_object();
		for (size_t c = 0; c < ncols; c++) {
			const char *name = cols[c];
			json_t *val;
			if (assay_stmt_is_null(st, (int)c)) {
				val = json_null();
			} else if (name[0] == '#') {
				val = json_integer(assay_stmt_int(st, (int)c));
			} else if (name[0] == '@') {
				val = json_loads(assay_stmt_text(st, (int)c), JSON_DECODE_ANY, NULL);
				if (!val)
					val = json_string(assay_stmt_text(st, (int)c));
			} else {
				val = json_string(assay_stmt_text(st, (int)c));
			}
			json_object_set_new(o, name + (name[0] == '#' || name[0] == '@'),
			                    val ? val : json_null());
		}
		json_array_append_new(arr, o);
	}
	assay_stmt_finalize(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int wf_row(struct assay_wf *w, const char *sql, const char *const *cols, size_t ncols, const struct wf_val *v,
           size_t n, const char *what, const char *ref, json_t **out, struct assay_error *err)
{
	json_t *arr;
	int rc = wf_rows(w, sql, cols, ncols, v, n, &arr, err);
	if (rc)
		return rc;
	if (json_array_size(arr) == 0) {
		json_decref(arr);
		assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "no %s \"%s\"", what, ref);
		assay_error_hint(err, "list them with `assay %s list`", what);
		return ASSAY_EINPUT;
	}
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return 0;
}

int64_t wf_ref_number(const char *ref, char prefix)
{
	if (!ref || (ref[0] != prefix && ref[0] != prefix + 32) || ref[1] != '-' || !ref[2])
		return 0;
	char *end;
	long long v = strtoll(ref + 2, &end, 10);
	return *end || v <= 0 ? 0 : v;
}

int wf_new_id(struct assay_wf *w, const char *kind, char id[27], int64_t *number, struct assay_error *err)
{
	int rc = assay_ulid_new(id, err);
	return rc ? rc : assay_store_next_number(w->s, kind, number, err);
}

const char *wf_ts(struct assay_wf *w, int64_t t)
{
	char buf[ASSAY_TS_LEN];
	assay_ts_format(t, buf);
	return assay_arena_strdup(w->a, buf);
}

int64_t wf_parse_ts(const char *s)
{
	int64_t t;
	return s && assay_ts_parse(s, &t) == 0 ? t : 0;
}

int wf_audit(struct assay_wf *w, const char *action, const char *type, const char *id, const char *system_id,
             const json_t *before, const json_t *after, struct assay_error *err)
{
	struct assay_audit_change c = {action, type, id, system_id, before, after, NULL};
	return assay_audit_append(w->s, &c, NULL, err);
}

int wf_transition(struct assay_wf *w, const char *type, const char *id, const char *system_id,
                  const char *state, const char *command, const char *note, const json_t *before,
                  const json_t *after, struct assay_error *err)
{
	int rc = wf_run(
	    w,
	    "INSERT INTO wf_transitions (entity_type, entity_id, seq, at, state, command, actor, note) "
	    "SELECT ?1, ?2, COALESCE(MAX(seq), 0) + 1, ?3, ?4, ?5, ?6, ?7 FROM wf_transitions "
	    "WHERE entity_type = ?1 AND entity_id = ?2",
	    WVALS(WS(type), WS(id), WS(wf_ts(w, w->now)), WS(state), WS(command), WS(assay_store_actor(w->s)),
	          WS(note)),
	    err);
	if (rc)
		return rc;
	char action[64];
	snprintf(action, sizeof action, "%s.%s", type, command);
	return wf_audit(w, action, type, id, system_id, before, after, err);
}

/* ---- roles ----------------------------------------------------------- */

int wf_actor_has(struct assay_wf *w, const char *actor, const char *role, int *has, struct assay_error *err)
{
	int64_t n = 0;
	json_t *rows;
	static const char *const cols[] = {"#n"};
	int rc = wf_rows(
	    w, "SELECT COUNT(*) FROM actor_roles WHERE actor = ?1 AND role = ?2 AND revoked_at IS NULL", cols,
	    1, WVALS(WS(actor), WS(role)), &rows, err);
	if (rc)
		return rc;
	n = json_integer_value(json_object_get(json_array_get(rows, 0), "n"));
	json_decref(rows);
	*has = n > 0;
	return 0;
}

int wf_actor_mask(struct assay_wf *w, const char *actor, unsigned *mask, struct assay_error *err)
{
	int has;
	*mask = 0;
	int rc = wf_actor_has(w, actor, "specialist", &has, err);
	if (rc)
		return rc;
	*mask |= has ? ASSAY_WF_SPECIALIST : 0;
	rc = wf_actor_has(w, actor, "risk-owner", &has, err);
	*mask |= has ? ASSAY_WF_RISK_OWNER : 0;
	return rc;
}

int wf_actor_roles(struct assay_wf *w, const char *actor, json_t **out, struct assay_error *err)
{
	json_t *rows;
	static const char *const cols[] = {"role"};
	int rc =
	    wf_rows(w, "SELECT role FROM actor_roles WHERE actor = ?1 AND revoked_at IS NULL ORDER BY role",
	            cols, 1, WVALS(WS(actor)), &rows, err);
	if (rc)
		return rc;
	*out = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) json_array_append(*out, json_object_get(r, "role"));
	json_decref(rows);
	return 0;
}

static int role_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 63)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

int assay_role_grant(struct assay_wf *w, const char *actor, const char *role, struct assay_error *err)
{
	if (!role_name_ok(role) || !actor || !*actor)
		return assay_error_set(
		    err, ASSAY_EUSAGE, NULL, 0, 0,
		    "a role is lower-case letters, digits, '-' or '_' (e.g. specialist, risk-owner, "
		    "legal), not \"%s\"",
		    role ? role : "");
	int has;
	int rc = wf_actor_has(w, actor, role, &has, err);
	if (rc || has)
		return rc;
	rc =
	    wf_run(w, "INSERT INTO actor_roles (actor, role, granted_at, granted_by) VALUES (?1, ?2, ?3, ?4)",
	           WVALS(WS(actor), WS(role), WS(wf_ts(w, w->now)), WS(assay_store_actor(w->s))), err);
	if (rc)
		return rc;
	json_t *after = json_pack("{s:s, s:s}", "actor", actor, "role", role);
	rc = wf_audit(w, "role.grant", "role", actor, NULL, NULL, after, err);
	json_decref(after);
	return rc;
}

int assay_role_revoke(struct assay_wf *w, const char *actor, const char *role, struct assay_error *err)
{
	int has;
	int rc = wf_actor_has(w, actor, role, &has, err);
	if (rc)
		return rc;
	if (!has)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "%s does not hold the role %s", actor,
		                       role);
	rc = wf_run(
	    w,
	    "UPDATE actor_roles SET revoked_at = ?3, revoked_by = ?4 WHERE actor = ?1 AND role = ?2 AND "
	    "revoked_at IS NULL",
	    WVALS(WS(actor), WS(role), WS(wf_ts(w, w->now)), WS(assay_store_actor(w->s))), err);
	if (rc)
		return rc;
	json_t *before = json_pack("{s:s, s:s}", "actor", actor, "role", role);
	rc = wf_audit(w, "role.revoke", "role", actor, NULL, before, NULL, err);
	json_decref(before);
	return rc;
}

int assay_role_list(struct assay_wf *w, json_t **out, struct assay_error *err)
{
	static const char *const cols[] = {"actor", "role", "granted_at", "granted_by"};
	return wf_rows(w,
	               "SELECT actor, role, granted_at, granted_by FROM actor_roles WHERE revoked_at IS NULL "
	               "ORDER BY actor, role",
	               cols, 4, NULL, 0, out, err);
}

/* ---- registry look-ups ------------------------------------------------ */

int wf_system(struct assay_wf *w, const char *ref, const char **id, const char **slug, const char **tier,
              struct assay_error *err)
{
	struct assay_system sys;
	int rc = assay_system_get(w->s, ref, w->a, &sys, err);
	if (rc)
		return rc;
	if (sys.retired_at)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "system %s is retired", sys.slug);
	if (id)
		*id = assay_arena_strdup(w->a, sys.id);
	if (slug)
		*slug = sys.slug;
	if (tier)
		*tier = sys.tier;
	return 0;
}

const struct assay_workflow_tier *wf_tier_params(struct assay_wf *w, const char *tier)
{
	enum assay_tier t;
	if (!w->policy || !tier || assay_tier_parse(tier, &t))
		return NULL;
	return assay_policy_workflow(w->policy, t);
}

/* ---- the sweep --------------------------------------------------------- */

int assay_wf_sweep(struct assay_wf *w, size_t *changes, struct assay_error *err)
{
	size_t k = 0;
	const char *now = wf_ts(w, w->now);
	char *saved = assay_arena_strdup(w->a, assay_store_actor(w->s));
	assay_store_set_actor(w->s, "assay");
	json_t *rows = NULL;
	/* waivers approved or active whose expiry has passed */
	static const char *const wcols[] = {"id", "system_id", "state"};
	int rc = wf_rows(w,
	                 "SELECT id, system_id, state FROM waivers WHERE state IN ('approved', 'active') AND "
	                 "expires_at <= ?1 ORDER BY number",
	                 wcols, 3, WVALS(WS(now)), &rows, err);
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
	{
		if (rc)
			break;
		const char *id = json_string_value(json_object_get(r, "id"));
		rc = wf_run(w, "UPDATE waivers SET state = 'expired', updated_at = ?2 WHERE id = ?1",
		            WVALS(WS(id), WS(now)), err);
		json_t *after = json_pack("{s:s}", "state", "expired");
		json_t *before = json_pack("{s:O}", "state", json_object_get(r, "state"));
		if (!rc)
			rc = wf_transition(w, "waiver", id,
			                   json_string_value(json_object_get(r, "system_id")), "expired",
			                   "expire", "the waiver's expiry passed", before, after, err);
		json_decref(after);
		json_decref(before);
		/* its findings reopen: the gate sees them again */
		json_t *fs = NULL;
		static const char *const fcols[] = {"finding_id"};
		if (!rc)
			rc = wf_rows(w,
			             "SELECT wf.finding_id FROM waiver_findings wf JOIN findings f ON f.id = "
			             "wf.finding_id "
			             "WHERE wf.waiver_id = ?1 AND f.state = 'risk_accepted'",
			             fcols, 1, WVALS(WS(id)), &fs, err);
		size_t j;
		json_t *f;
		json_array_foreach(fs, j, f) if (!rc) rc =
		    wf_finding_system_cmd(w, json_string_value(json_object_get(f, "finding_id")),
		                          ASSAY_FC_REOPEN, "its waiver expired", err);
		json_decref(fs);
		k++;
	}
	json_decref(rows);
	rows = NULL;
	/* decided reviews whose decision's validity has passed */
	static const char *const dcols[] = {"id", "system_id"};
	if (!rc)
		rc = wf_rows(w,
		             "SELECT r.id, r.system_id FROM reviews r JOIN decisions d ON d.review_id = r.id "
		             "WHERE r.state = 'decided' AND d.valid_until <= ?1 ORDER BY r.number",
		             dcols, 2, WVALS(WS(now)), &rows, err);
	json_array_foreach(rows, i, r)
	{
		if (rc)
			break;
		const char *id = json_string_value(json_object_get(r, "id"));
		rc = wf_run(w, "UPDATE reviews SET state = 'expired', updated_at = ?2 WHERE id = ?1",
		            WVALS(WS(id), WS(now)), err);
		json_t *before = json_pack("{s:s}", "state", "decided"),
		       *after = json_pack("{s:s}", "state", "expired");
		if (!rc)
			rc = wf_transition(
			    w, "review", id, json_string_value(json_object_get(r, "system_id")), "expired",
			    "expire", "the decision's validity date passed", before, after, err);
		json_decref(before);
		json_decref(after);
		k++;
	}
	json_decref(rows);
	assay_store_set_actor(w->s, saved);
	if (changes)
		*changes = k;
	return rc;
}
