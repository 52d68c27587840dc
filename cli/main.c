/* main.c: the assay command. One table of commands, one file per command
 * group (cli/cmd_*.c); each command is cmd_<name>(argc, argv) and returns
 * the exit status: 0 ok, 1 check failed, 2 usage or input error,
 * 3 internal error. */
#include <stdio.h>
#include <string.h>

#include "assay/error.h"
#include "assay/version.h"
#include "cli.h"

static const struct cli_command commands[] = {
    {"eval", cmd_eval, "evaluate a scored dataset: metrics by slice, fairness, intervals, plan checks"},
    {"profile", cmd_profile, "summarise a dataset into a mergeable profile; merge shard profiles"},
    {"drift", cmd_drift, "compare reference and current data or profiles, column by column"},
    {"check", cmd_check, "data quality and privacy expectations on a dataset"},
    {"scan", cmd_scan, "find PII, secrets and prompt-injection markers in text, CSV or JSONL"},
    {"redteam", cmd_redteam, "run an attack suite against a GenAI target; compare runs; list the catalog"},
    {"system", cmd_system, "the AI system inventory: add, list, show, update, retire"},
    {"tier", cmd_tier, "a system's risk tier, the rules that fired, required controls; overrides"},
    {"review", cmd_review, "open, triage, assign, sign off and decide reviews"},
    {"finding", cmd_finding, "track findings and their mitigation"},
    {"waiver", cmd_waiver, "request, approve, revoke exceptions"},
    {"incident", cmd_incident, "record AI incidents and their follow-ups"},
    {"evidence", cmd_evidence, "attach evidence to a system's requirements; completeness; verify blobs"},
    {"gate", cmd_gate, "release-readiness verdict for CI (exit 0 ship, 1 do not ship)"},
    {"kpi", cmd_kpi, "governance KPIs from the recorded history"},
    {"audit", cmd_audit, "the tamper-evident audit trail: log, verify, checkpoint"},
    {"policy", cmd_policy, "lint and show policy packs, catalogs and their coverage"},
    {"role", cmd_role, "grant and revoke workflow roles (specialist, risk-owner, sign-off roles)"},
    {"key", cmd_key, "the Ed25519 key that signs audit events"},
    {"doctor", cmd_doctor, "check the registry database, blob store and audit chain"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: assay <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(
	    out,
	    "\n`assay help <command>` or `assay <command> --help` shows a command's options and examples.\n"
	    "Exit codes: 0 ok, 1 a check failed, 2 usage or input error, 3 internal error.\n");
}

static const struct cli_command *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("assay %s\n", assay_version());
		return 0;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		const struct cli_command *c = find(argv[2]);
		if (!c) {
			fprintf(stderr, "assay: unknown command \"%s\"\n", argv[2]);
			return 2;
		}
		char *help_argv[] = {argv[2], "--help", NULL};
		return c->fn(2, help_argv);
	}
	const struct cli_command *c = find(name);
	if (!c) {
		const char *names[sizeof commands / sizeof *commands];
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
			names[i] = commands[i].name;
		const char *dym = assay_did_you_mean(name, names, sizeof names / sizeof *names);
		if (dym)
			fprintf(stderr, "assay: unknown command \"%s\"; did you mean \"%s\"?\n", name, dym);
		else
			fprintf(stderr, "assay: unknown command \"%s\"\n", name);
		usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
