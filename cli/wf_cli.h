/* wf_cli.h: what the workflow commands (review, role, finding, waiver,
 * incident, gate, kpi) share: one option set, a session (store opened and
 * migrated, actor from --as or $ASSAY_USER, policy pack, one write
 * transaction, the time sweep), and output of JSON records as text, JSON
 * or Markdown. */
#ifndef ASSAY_CLI_WF_H
#define ASSAY_CLI_WF_H

#include <jansson.h>

#include "assay/policy.h"
#include "cli_registry.h"
#include "assay/store.h"
#include "assay/workflow_store.h"

struct wf_opts {
	const char *db, *as, *policy, *format, *out;
	const char *release, *summary, *assign, *outcome, *rationale, *rationale_file, *valid_until, *owner,
	    *due, *severity, *control, *title, *root_cause, *source, *evidence, *note, *compensating,
	    *residual_risk, *reason, *expires, *affected, *detected, *action, *followup, *state, *since,
	    *until, *system;
	const char *conditions[32];
	size_t nconditions;
	int draft, overdue;
	const char *pos[8]; /* positional arguments after the subcommand */
	size_t npos;
};

/* Parse argv (argv[0] the command, argv[1] the subcommand when has_sub).
 * 0, -1 after --help (usage printed), or the exit status. */
int wf_parse(const char *cmd, const char *usage, int argc, char **argv, int has_sub, struct wf_opts *o);

struct wf_session {
	struct cli_reg reg;
	struct assay_store *s;
	struct assay_policy *policy;
	struct assay_arena a;
	struct assay_wf w;
	const char *cmd;
};
/* Open, migrate, begin a write transaction, sweep. 0 or exit status. */
int wf_open(const char *cmd, const struct wf_opts *o, struct wf_session *ss);
/* Commit when rc == 0, else roll back; close. Returns the exit status. */
int wf_close(struct wf_session *ss, int rc);
/* Print err, return its exit status. */
int wf_fail(struct wf_session *ss, const struct assay_error *err);

/* End a command: on error print err and roll back; else commit, then emit
 * out (takes it). Returns the exit status. */
int wf_finish(struct wf_session *ss, const struct wf_opts *o, const char *cmd, int rc, json_t *out,
              const struct assay_error *err);

/* Print a record or a list (text, json, md) to --out or stdout; takes v. */
int wf_emit(const struct wf_opts *o, const char *cmd, json_t *v);

#endif
