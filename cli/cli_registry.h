/* cli_registry.h: what the registry's commands (system, tier, evidence,
 * audit, key, doctor, and the workflow's) share: the common options
 * (--db, --as, --key, --policy, --format), opening the store with one
 * transaction per command, and output formats. */
#ifndef ASSAY_CLI_REGISTRY_H
#define ASSAY_CLI_REGISTRY_H

#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "assay/arena.h"
#include "assay/registry.h"
#include "assay/registry_policy.h"
#include "assay/store.h"

enum cli_fmt { CLI_TEXT = 0, CLI_JSON, CLI_MD };

struct cli_reg {
	const char *cmd; /* "system add": for messages */
	const char *db, *as, *key, *policy, *format;
	enum cli_fmt fmt;
};

/* Long options every registry command takes; put CLI_REG_LONGOPTS in the
 * command's option table and call cli_reg_option() from its default case. */
enum { CLI_O_DB = 1000, CLI_O_AS, CLI_O_KEY, CLI_O_POLICY, CLI_O_FORMAT };
#define CLI_REG_LONGOPTS                                                                                     \
	{"db", 1, 0, CLI_O_DB}, {"as", 1, 0, CLI_O_AS}, {"key", 1, 0, CLI_O_KEY},                            \
	    {"policy", 1, 0, CLI_O_POLICY},                                                                  \
	{                                                                                                    \
		"format", 1, 0, CLI_O_FORMAT                                                                 \
	}
/* 1 when c was one of the common options (stored in r), else 0. */
int cli_reg_option(struct cli_reg *r, int c, const char *arg);
/* Check --format against the allowed set ("text,json,md"); 0 or exit 2. */
int cli_reg_format(struct cli_reg *r, const char *allowed);
/* The common options' help lines. */
extern const char CLI_REG_HELP[];

/* Open the store (migrating), set actor and key path, begin a transaction.
 * write: BEGIN IMMEDIATE; create: make the database when absent. Returns 0
 * or the exit status (error printed). */
int cli_reg_open(struct cli_reg *r, int write, int create, struct assay_store **s);
/* Commit when rc == 0 (an error in commit is printed and becomes the exit
 * status), else roll back; then close. Returns the final exit status. */
int cli_reg_close(struct cli_reg *r, struct assay_store *s, int rc);
/* Print err for this command and return its exit status. */
int cli_reg_fail(struct cli_reg *r, const struct assay_error *err);
/* The policy pack (--policy, $ASSAY_POLICY, built-in). 0 or exit status. */
int cli_reg_policy(struct cli_reg *r, struct assay_arena *a, struct assay_policy **p);

/* JSON string, or null for NULL. New reference. */
json_t *cli_json_str(const char *s);
/* Print v as indented JSON on stdout, newline-terminated; takes the reference. */
void cli_print_json(json_t *v);
/* "abcdef012345..." shortened to n characters + "…" for text output. */
const char *cli_short(struct assay_arena *a, const char *s, size_t n);
/* Markdown table cell: '|' and newlines escaped. */
const char *cli_md_cell(struct assay_arena *a, const char *s);

/* --record SYSTEM --requirement KEY (eval, redteam): store a command's JSON
 * result as evidence of SYSTEM's requirement KEY (source ci; meta carries
 * the schema, pass/fail and the input hashes). */
struct cli_record {
	const char *system, *requirement;
	struct cli_reg reg;
};
/* What is recorded: the command, the result's schema, the blob's name and
 * the evidence kind (metric, test_result). */
struct cli_record_what {
	const char *cmd, *schema, *name, *kind;
};
int cli_record_result(struct cli_record *rec, const struct cli_record_what *what, const char *json, size_t n,
                      int passed, json_t *inputs);
/* The common options' checks: both of --record and --requirement or
 * neither; --db, --as, --key, --policy only with them. 0 or exit 2. */
int cli_record_check(const char *cmd, const struct cli_record *rec);

#endif
