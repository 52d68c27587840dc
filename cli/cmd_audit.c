/* cmd_audit.c: `assay audit log|verify|checkpoint`: read and check the
 * hash-chained audit trail. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/clock.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay audit log [--system SLUG] [--since DATE] [--entity TYPE[:ID]] [--action A]\n"
    "                       [--limit N] [--format text|json]\n"
    "       assay audit verify [--format text|json]\n"
    "       assay audit checkpoint [--format text|json]\n"
    "\n"
    "Every change to the registry is an audit event: sequence number, time, actor,\n"
    "action, entity, the before/after difference, the previous event's hash and its\n"
    "own SHA-256 over the RFC 8785 canonical JSON of all of that (docs/audit.md).\n"
    "`verify` walks the chain: exit 0 with the count and head hash, or exit 1 naming\n"
    "the first event that was edited, deleted, inserted, reordered or badly signed.\n"
    "`checkpoint` signs the chain head with the key from `assay key generate`.\n"
    "\n"
    "log:\n"
    "  --system SLUG    events about this system\n"
    "  --since DATE     events at or after DATE (YYYY-MM-DD or RFC 3339)\n"
    "  --entity T[:ID]  events about this kind of entity (system, evidence, review, ...)\n"
    "  --action A       one action (system.add, evidence.add, ...)\n"
    "  --limit N        the last N events\n"
    "  --diff           text: print each event's difference too\n"
    "\n"
    "%s"
    "\n"
    "Examples:\n"
    "  assay audit log --system credit-scoring\n"
    "  assay audit verify || echo tampered\n";

enum { O_SYSTEM = 256, O_SINCE, O_ENTITY, O_ACTION, O_LIMIT, O_DIFF, O_HELP };
static const struct option LONGOPTS[] = {
    {"system", 1, 0, O_SYSTEM}, {"since", 1, 0, O_SINCE}, {"entity", 1, 0, O_ENTITY},
    {"action", 1, 0, O_ACTION}, {"limit", 1, 0, O_LIMIT}, {"diff", 0, 0, O_DIFF},
    {"help", 0, 0, O_HELP},     CLI_REG_LONGOPTS,         {0, 0, 0, 0},
};

static int do_log(struct cli_reg *r, const char *system, const char *since, const char *entity,
                  const char *action, long long limit, int diff)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_audit_filter f = {.action = action, .limit = limit};
	char since_ts[ASSAY_TS_LEN];
	if (since) {
		if (assay_ts_normalize(since, since_ts))
			return cli_usage_error(
			    r->cmd, "--since \"%s\" is not a date (YYYY-MM-DD or RFC 3339)", since);
		f.since = since_ts;
	}
	if (entity) {
		const char *colon = strchr(entity, ':');
		if (colon) {
			f.entity_type = assay_arena_strndup(&a, entity, (size_t)(colon - entity));
			f.entity_id = colon + 1;
		} else {
			f.entity_type = entity;
		}
	}
	int rc = cli_reg_open(r, 0, 0, &s);
	struct assay_system sys;
	if (!rc && system) {
		if (assay_system_get(s, system, &a, &sys, &err))
			rc = cli_reg_fail(r, &err);
		else
			f.system_id = sys.id;
	}
	struct assay_audit_event *ev = NULL;
	size_t n = 0;
	if (!rc && assay_audit_list(s, &f, &a, &ev, &n, &err))
		rc = cli_reg_fail(r, &err);
	rc = cli_reg_close(r, s, rc);
	if (!rc) {
		if (r->fmt == CLI_JSON) {
			json_t *arr = json_array();
			for (size_t i = 0; i < n; i++) {
				json_t *d = json_loads(ev[i].diff, JSON_DECODE_ANY, NULL);
				json_t *o = json_pack(
				    "{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o, s:o}", "seq",
				    (json_int_t)ev[i].seq, "ts", ev[i].ts, "actor", ev[i].actor, "action",
				    ev[i].action, "entity_type", ev[i].entity_type, "entity_id",
				    cli_json_str(ev[i].entity_id), "system_id", cli_json_str(ev[i].system_id),
				    "diff", d ? d : json_null(), "prev_hash", ev[i].prev_hash, "hash",
				    ev[i].hash, "key_id", cli_json_str(ev[i].key_id), "sig",
				    cli_json_str(ev[i].sig));
				json_array_append_new(arr, o);
			}
			cli_print_json(json_pack("{s:s, s:o}", "schema", "assay.audit/1", "events", arr));
		} else if (!n) {
			printf("no audit events%s\n", system || since || entity || action ? " match" : "");
		} else {
			for (size_t i = 0; i < n; i++) {
				printf("#%-5lld %s %-14s %-28s %s %s%s\n", (long long)ev[i].seq, ev[i].ts,
				       ev[i].actor, ev[i].action, ev[i].entity_type,
				       ev[i].entity_id ? ev[i].entity_id : "", ev[i].sig ? " (signed)" : "");
				if (diff)
					printf("       %s\n", ev[i].diff);
			}
		}
	}
	assay_arena_free(&a);
	return rc;
}

static int do_verify(struct cli_reg *r)
{
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_audit_verify_result v;
	int rc = cli_reg_open(r, 0, 0, &s);
	if (!rc && assay_audit_verify(s, &v, &err))
		rc = cli_reg_fail(r, &err);
	rc = cli_reg_close(r, s, rc);
	if (rc)
		return rc;
	int ok = v.problem == ASSAY_AUDIT_OK;
	if (r->fmt == CLI_JSON) {
		cli_print_json(
		    json_pack("{s:b, s:I, s:I, s:s, s:I, s:I, s:s, s:o, s:s}", "intact", ok, "events",
		              (json_int_t)v.count, "head_seq", (json_int_t)v.head_seq, "head_hash",
		              v.head_hash, "signed_events", (json_int_t)v.signed_events, "checkpoints",
		              (json_int_t)v.checkpoints, "problem", assay_audit_problem_name(v.problem),
		              "bad_seq", ok ? json_null() : json_integer(v.bad_seq), "message", v.message));
	} else if (ok) {
		printf("audit chain intact: %lld events, head #%lld %s", (long long)v.count,
		       (long long)v.head_seq, v.head_hash);
		if (v.signed_events)
			printf(", %lld signed", (long long)v.signed_events);
		if (v.checkpoints)
			printf(", %lld checkpoint%s verified", (long long)v.checkpoints,
			       v.checkpoints == 1 ? "" : "s");
		printf("\n");
	} else {
		fprintf(
		    stderr,
		    "assay audit verify: TAMPERED: event %lld %s: %s\n  (%lld events verified before it)\n",
		    (long long)v.bad_seq, assay_audit_problem_name(v.problem), v.message, (long long)v.count);
	}
	return ok ? 0 : 1;
}

static int do_checkpoint(struct cli_reg *r)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_audit_checkpoint cp;
	int rc = cli_reg_open(r, 1, 0, &s);
	if (!rc && assay_audit_checkpoint(s, &cp, &a, &err))
		rc = cli_reg_fail(r, &err);
	rc = cli_reg_close(r, s, rc);
	if (!rc) {
		if (r->fmt == CLI_JSON)
			cli_print_json(json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "seq", (json_int_t)cp.seq,
			                         "hash", cp.hash, "ts", cp.ts, "key_id", cp.key_id, "sig",
			                         cp.sig, "signed", "seq|hash|ts"));
		else
			printf("checkpoint: event #%lld %s at %s, signed by key %s\n  signature %s\n",
			       (long long)cp.seq, cp.hash, cp.ts, cp.key_id, cp.sig);
	}
	assay_arena_free(&a);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		printf(USAGE, CLI_REG_HELP);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	char cmdname[32];
	snprintf(cmdname, sizeof cmdname, "audit %s", sub);
	struct cli_reg r = {.cmd = cmdname};
	const char *system = NULL, *since = NULL, *entity = NULL, *action = NULL;
	long long limit = 0;
	int diff = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc - 1, argv + 1, "h", LONGOPTS, NULL)) != -1) {
		if (cli_reg_option(&r, c, optarg))
			continue;
		switch (c) {
		case O_SYSTEM:
			system = optarg;
			break;
		case O_SINCE:
			since = optarg;
			break;
		case O_ENTITY:
			entity = optarg;
			break;
		case O_ACTION:
			action = optarg;
			break;
		case O_DIFF:
			diff = 1;
			break;
		case O_LIMIT: {
			double x;
			if (cli_number(cmdname, "--limit", optarg, 1, 1e15, 1, &x))
				return 2;
			limit = (long long)x;
			break;
		}
		case 'h':
		case O_HELP:
			printf(USAGE, CLI_REG_HELP);
			return 0;
		default:
			return cli_usage_error(
			    cmdname, "unknown or incomplete option \"%s\"",
			    argv[optind]); /* argv+1 shifted: argv[optind] is (argv+1)[optind-1] */
		}
	}
	if (optind < argc - 1)
		return cli_usage_error(cmdname, "unexpected argument \"%s\"", argv[optind + 1]);
	if (cli_reg_format(&r, "text or json"))
		return 2;
	if (!strcmp(sub, "log"))
		return do_log(&r, system, since, entity, action, limit, diff);
	if (system || since || entity || action || limit || diff)
		return cli_usage_error(
		    cmdname, "%s",
		    "--system, --since, --entity, --action, --limit and --diff go with `audit log`");
	if (!strcmp(sub, "verify"))
		return do_verify(&r);
	if (!strcmp(sub, "checkpoint"))
		return do_checkpoint(&r);
	static const char *const SUBS[] = {"log", "verify", "checkpoint"};
	cli_subcommand("audit", sub, SUBS, CLI_NSUBS(SUBS));
	return 2;
}
