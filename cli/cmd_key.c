/* cmd_key.c: `assay key generate|show`: the Ed25519 key that signs audit
 * events and checkpoints. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "assay/audit.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay key generate [--key PATH] [--db PATH]\n"
    "       assay key show [--db PATH] [--format text|json]\n"
    "\n"
    "`generate` makes an Ed25519 key pair (libsodium): the secret key goes to a new\n"
    "file, mode 0600 (default DB.key beside the database, or --key PATH; an existing\n"
    "file is never overwritten), the public key into the database. From then on every\n"
    "audit event is signed, `assay audit checkpoint` can sign the chain head, and\n"
    "`assay audit verify` checks the signatures. Generating again rotates the key\n"
    "(the old public key stays, so old signatures still verify).\n"
    "Commands that write need the secret key: --key PATH or $ASSAY_KEY when it is\n"
    "not at DB.key.\n"
    "\n"
    "%s";

enum { O_HELP = 256 };
static const struct option LONGOPTS[] = {{"help", 0, 0, O_HELP}, CLI_REG_LONGOPTS, {0, 0, 0, 0}};

int cmd_key(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		printf(USAGE, CLI_REG_HELP);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	char cmdname[32];
	snprintf(cmdname, sizeof cmdname, "key %s", sub);
	struct cli_reg r = {.cmd = cmdname};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc - 1, argv + 1, "h", LONGOPTS, NULL)) != -1) {
		if (cli_reg_option(&r, c, optarg))
			continue;
		if (c == 'h' || c == O_HELP) {
			printf(USAGE, CLI_REG_HELP);
			return 0;
		}
		return cli_usage_error(cmdname, "unknown or incomplete option \"%s\"", argv[optind]);
	}
	if (optind < argc - 1)
		return cli_usage_error(cmdname, "unexpected argument \"%s\"", argv[optind + 1]);
	if (cli_reg_format(&r, "text or json"))
		return 2;
	static const char *const SUBS[] = {"generate", "show"};
	if (cli_subcommand("key", sub, SUBS, CLI_NSUBS(SUBS)) < 0)
		return 2;
	int gen = !strcmp(sub, "generate");
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	char key_id[17] = "", pub[64] = "";
	int rc = cli_reg_open(&r, gen, gen, &s);
	if (!rc && gen && assay_audit_key_generate(s, r.key, key_id, &err))
		rc = cli_reg_fail(&r, &err);
	if (!rc && assay_audit_active_key(s, key_id, pub, &err))
		rc = cli_reg_fail(&r, &err);
	const char *path = s ? assay_audit_key_path(s) : "";
	char pathbuf[4096];
	snprintf(pathbuf, sizeof pathbuf, "%s", path);
	rc = cli_reg_close(&r, s, rc);
	if (rc)
		return rc;
	if (r.fmt == CLI_JSON) {
		cli_print_json(json_pack("{s:o, s:o, s:s, s:s}", "key_id",
		                         key_id[0] ? json_string(key_id) : json_null(), "public_key",
		                         pub[0] ? json_string(pub) : json_null(), "algorithm", "ed25519",
		                         "secret_key_path", pathbuf));
	} else if (!key_id[0]) {
		printf(
		    "no signing key: audit events are hash-chained but not signed (`assay key generate`)\n");
	} else {
		if (gen)
			printf("generated signing key %s\n  secret key: %s (mode 0600: keep it safe, back it "
			       "up)\n",
			       key_id, pathbuf);
		else
			printf("signing key %s (ed25519)\n", key_id);
		printf("  public key: %s\n", pub);
	}
	return 0;
}
