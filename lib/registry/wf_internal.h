/* wf_internal.h: helpers shared by the workflow's storage files
 * (lib/registry/{workflow,review,finding,waiver,incident,gate,kpi}_store.c):
 * bound queries with named columns returned as JSON objects, references
 * like "R-12", state transitions with their audit events. Private to
 * lib/registry. */
#ifndef ASSAY_WF_INTERNAL_H
#define ASSAY_WF_INTERNAL_H

#include <jansson.h>

#include "assay/registry.h"
#include "assay/workflow.h"
#include "assay/workflow_store.h"

/* A bound value: text (NULL binds NULL) or integer. */
struct wf_val {
	int is_int;
	int64_t i;
	const char *s;
};
#define WS(x) ((struct wf_val){0, 0, (x)})
#define WI(x) ((struct wf_val){1, (x), NULL})
#define WVALS(...)                                                                                           \
	(struct wf_val[]){__VA_ARGS__}, sizeof((struct wf_val[]){__VA_ARGS__}) / sizeof(struct wf_val)

/* Run a statement with no result rows. */
int wf_run(struct assay_wf *w, const char *sql, const struct wf_val *v, size_t n, struct assay_error *err);
/* Rows as an array of objects. cols names each column; a name starting
 * with '#' is an integer, with '@' JSON text parsed back, else text (NULL
 * -> null). The prefix is not part of the key. */
int wf_rows(struct assay_wf *w, const char *sql, const char *const *cols, size_t ncols,
            const struct wf_val *v, size_t n, json_t **out, struct assay_error *err);
/* The single row, or ASSAY_EINPUT "no <what> <ref>" when none. */
int wf_row(struct assay_wf *w, const char *sql, const char *const *cols, size_t ncols, const struct wf_val *v,
           size_t n, const char *what, const char *ref, json_t **out, struct assay_error *err);

/* "R-12" -> 12 when prefix matches; 0 otherwise (then a ULID is expected). */
int64_t wf_ref_number(const char *ref, char prefix);
/* New ULID + next number of a kind. */
int wf_new_id(struct assay_wf *w, const char *kind, char id[27], int64_t *number, struct assay_error *err);
/* The time as "YYYY-MM-DDTHH:MM:SSZ" (arena). */
const char *wf_ts(struct assay_wf *w, int64_t t);
int64_t wf_parse_ts(const char *s); /* 0 for NULL or unparsable */

/* Record a state change: wf_transitions row + audit event
 * "<type>.<command>" with before/after. */
int wf_transition(struct assay_wf *w, const char *type, const char *id, const char *system_id,
                  const char *state, const char *command, const char *note, const json_t *before,
                  const json_t *after, struct assay_error *err);
/* An audit event with no state change (sign-off, timeline note, gate run). */
int wf_audit(struct assay_wf *w, const char *action, const char *type, const char *id, const char *system_id,
             const json_t *before, const json_t *after, struct assay_error *err);

/* Role mask (ASSAY_WF_SPECIALIST, ASSAY_WF_RISK_OWNER) of the current
 * actor, and whether they hold `role`. */
int wf_actor_mask(struct assay_wf *w, const char *actor, unsigned *mask, struct assay_error *err);
int wf_actor_has(struct assay_wf *w, const char *actor, const char *role, int *has, struct assay_error *err);
/* JSON array of the active roles of actor. */
int wf_actor_roles(struct assay_wf *w, const char *actor, json_t **out, struct assay_error *err);

/* The system id and slug for a slug or id (registry). */
int wf_system(struct assay_wf *w, const char *ref, const char **id, const char **slug, const char **tier,
              struct assay_error *err);
/* The tier's workflow parameters from the policy (NULL when unknown tier). */
const struct assay_workflow_tier *wf_tier_params(struct assay_wf *w, const char *tier);

/* Finding transitions used by waivers and sweeps (actor "assay"). */
int wf_finding_system_cmd(struct assay_wf *w, const char *finding_id, enum assay_finding_cmd cmd,
                          const char *why, struct assay_error *err);

/* What the policy requires of a system now, and the system itself: the
 * evidence requirements of its tier (for assay_evidence_status), its
 * intake (borrowed JSON, freed with the arena's lifetime by the caller:
 * json_decref *intake), tier and policy version. */
struct wf_sysinfo {
	struct assay_system *sys;
	json_t *intake;
	struct assay_requirement *reqs;
	size_t nreqs;
	json_t *controls; /* array of control ids */
};
int wf_sysinfo(struct assay_wf *w, const char *ref, struct wf_sysinfo *out, struct assay_error *err);
void wf_sysinfo_free(struct wf_sysinfo *si);
/* intake.artifacts.<which> or NULL */
const char *wf_artifact(const json_t *intake, const char *which);

#endif
