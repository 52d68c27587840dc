/* cli.h: the command table and helpers shared by the command files. */
#ifndef ASSAY_CLI_H
#define ASSAY_CLI_H

struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_eval(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_redteam(int argc, char **argv);
/* the governance registry */
int cmd_system(int argc, char **argv);
int cmd_tier(int argc, char **argv);
int cmd_evidence(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_policy(int argc, char **argv);
/* the review workflow and the release gate */
int cmd_review(int argc, char **argv);
int cmd_role(int argc, char **argv);
int cmd_finding(int argc, char **argv);
int cmd_waiver(int argc, char **argv);
int cmd_incident(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_kpi(int argc, char **argv);

/* common.c: shared by the command files. */
#include <stddef.h>
#include "assay/arena.h"
#include "assay/error.h"
int cli_usage_error(const char *cmd, const char *fmt, const char *arg); /* prints, returns 2 */
/* A numeric option's value: a finite number in [lo, hi], whole when
 * `whole`. 0 and *out set, or a usage error naming opt and the range (2). */
int cli_number(const char *cmd, const char *opt, const char *arg, double lo, double hi, int whole,
               double *out);
int cli_fail(const char *cmd, const struct assay_error *err); /* prints, returns the exit status */
/* The index of sub among a command's n subcommands, or -1 after printing
 * "unknown subcommand" with a did-you-mean and the list (then exit 2). */
int cli_subcommand(const char *cmd, const char *sub, const char *const *subs, size_t n);
#define CLI_NSUBS(a) (sizeof(a) / sizeof *(a))
const char **cli_split(struct assay_arena *a, const char *s, size_t *n); /* "a,b,c" */
const char *cli_timestamp(struct assay_arena *a);                        /* RFC 3339, SOURCE_DATE_EPOCH */
int cli_delimiter(const char *cmd, const char **arg);  /* "\t"/tab -> TAB; one byte, else 2 */
int cli_color_check(const char *cmd, const char *arg); /* auto|always|never, else 2 */
int cli_color_on(const char *arg, int fd);             /* colours for this stream? */

/* progress.c: a progress bar for long scans (stderr, terminals only). */
#include <stdint.h>
struct cli_progress {
	const char *what;
	int enabled, drawn;
	double start, last;
};
void cli_progress_init(struct cli_progress *p, const char *what);
void cli_progress_update(void *ctx, uint64_t done, uint64_t total); /* an assay_source_opts.progress */
void cli_progress_done(struct cli_progress *p);

/* data_opts.c: the data-file options eval, check, profile and scan share. */
#include "assay/source.h"
struct cli_data {
	const char *path;      /* --data */
	const char *delimiter; /* --delimiter (checked by cli_delimiter) */
	const char *columns; /* --columns: header names with --no-header (eval, check), a subset (profile) */
	const char *na;      /* --na, comma-separated */
	int no_header;       /* --no-header */
	int threads;         /* --threads, 0 = default */
};
enum { CLI_O_DATA = 1100, CLI_O_DELIM, CLI_O_NO_HEADER, CLI_O_COLUMNS, CLI_O_NA, CLI_O_THREADS };
/* Put the entries a command takes in its option table ({"data", 1, 0,
 * CLI_O_DATA}, ...) and call this from its default case: 1 when c was one
 * of them (stored), 0 when not, -1 after a usage error (exit 2). */
int cli_data_option(const char *cmd, struct cli_data *d, int c, const char *arg);
/* The source options: --na split into a, --columns as the header names
 * when --no-header, and a progress bar labelled `what` (call
 * cli_progress_done(bar) after the scan). */
void cli_data_source(const struct cli_data *d, struct assay_arena *a, struct cli_progress *bar,
                     const char *what, struct assay_source_opts *so);

#endif
