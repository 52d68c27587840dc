/* cmd_doctor.c: `assay doctor`: is the registry database healthy? Path,
 * schema version, WAL, integrity and foreign-key checks, the blob store and
 * the audit chain; exit 1 when anything is wrong. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/clock.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay doctor [--db PATH] [--format text|json]\n"
    "\n"
    "Checks the registry database: its path and backend, schema version (and pending\n"
    "migrations), WAL journal, PRAGMA integrity_check, foreign-key violations, every\n"
    "evidence blob re-hashed, and the audit chain walked (as `assay audit verify`).\n"
    "Exit 0 when all is well, 1 when something is wrong (each problem is listed).\n"
    "\n"
    "%s";

enum { O_HELP = 256 };
static const struct option LONGOPTS[] = {{"help", 0, 0, O_HELP}, CLI_REG_LONGOPTS, {0, 0, 0, 0}};

int cmd_doctor(int argc, char **argv)
{
	struct cli_reg r = {.cmd = "doctor"};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		if (cli_reg_option(&r, c, optarg))
			continue;
		if (c == 'h' || c == O_HELP) {
			printf(USAGE, CLI_REG_HELP);
			return 0;
		}
		return cli_usage_error("doctor", "unknown or incomplete option \"%s\"", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument \"%s\"", argv[optind]);
	if (cli_reg_format(&r, "text or json"))
		return 2;
	struct assay_error err;
	assay_error_clear(&err);
	if (assay_clock_check(&err))
		return cli_fail("doctor", &err);
	struct assay_store *s = NULL;
	struct assay_store_opts o = {.path = r.db, .no_migrate = 1};
	if (assay_store_open(&s, &o, &err))
		return cli_fail("doctor", &err);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	int version = 0, rc = 0;
	size_t latest;
	assay_migrations(&latest);
	struct assay_store_health h;
	struct assay_audit_verify_result v;
	memset(&v, 0, sizeof v);
	int64_t checked = 0, bad = 0;
	const char *desc = "";
	char key_id[17] = "";
	int problems = 0;
	json_t *issues = json_array();
	if (assay_store_schema_version(s, &version, &err) || assay_store_health(s, &h, &err))
		rc = cli_fail("doctor", &err);
	if (!rc) {
		if (strcmp(h.journal_mode, "wal"))
			json_array_append_new(issues, json_sprintf("journal mode is %s, not wal", h.journal_mode));
		if (!h.foreign_keys)
			json_array_append_new(issues, json_string("foreign keys are not enforced"));
		if (strcmp(h.integrity, "ok"))
			json_array_append_new(issues, json_sprintf("integrity check: %s", h.integrity));
		if (h.fk_violations)
			json_array_append_new(issues, json_sprintf("%lld foreign-key violation(s)", (long long)h.fk_violations));
	}
	if (!rc && version >= 1) {
		if (assay_store_begin(s, ASSAY_TX_READ, &err) || assay_evidence_verify(s, &a, &checked, &bad, &desc, &err) ||
		    assay_audit_verify(s, &v, &err) || assay_audit_active_key(s, key_id, NULL, &err))
			rc = cli_fail("doctor", &err);
		assay_store_rollback(s);
		if (!rc && bad)
			json_array_append_new(issues, json_sprintf("%lld of %lld evidence blob(s) bad:\n%s", (long long)bad,
			                                           (long long)checked, desc));
		if (!rc && v.problem != ASSAY_AUDIT_OK)
			json_array_append_new(issues, json_sprintf("audit chain: event %lld %s: %s", (long long)v.bad_seq,
			                                           assay_audit_problem_name(v.problem), v.message));
	}
	problems = (int)json_array_size(issues);
	if (!rc) {
		if (r.fmt == CLI_JSON) {
			cli_print_json(json_pack(
			    "{s:s, s:s, s:s, s:i, s:i, s:s, s:b, s:s, s:I, s:I, s:{s:I, s:I}, s:{s:b, s:I, s:s, s:I, s:I}, s:o, "
			    "s:b, s:o}",
			    "schema", "assay.doctor/1", "database", assay_store_path(s), "backend", assay_store_backend(s),
			    "schema_version", version, "latest_schema_version", (int)latest, "journal_mode", h.journal_mode,
			    "foreign_keys", h.foreign_keys, "integrity", h.integrity, "foreign_key_violations",
			    (json_int_t)h.fk_violations, "size_bytes", (json_int_t)(h.page_count * h.page_size), "blobs",
			    "checked", (json_int_t)checked, "bad", (json_int_t)bad, "audit", "intact",
			    v.problem == ASSAY_AUDIT_OK, "events", (json_int_t)v.count, "head_hash", v.head_hash, "signed",
			    (json_int_t)v.signed_events, "checkpoints", (json_int_t)v.checkpoints, "signing_key",
			    key_id[0] ? json_string(key_id) : json_null(), "ok", problems == 0, "problems", json_incref(issues)));
		} else {
			printf("database     %s (%s, %lld bytes)\n", assay_store_path(s), assay_store_backend(s),
			       (long long)(h.page_count * h.page_size));
			printf("blob store   %s\n", assay_store_blob_dir(s));
			printf("schema       version %d of %zu%s\n", version, latest,
			       (size_t)version < latest ? " (pending migrations: the next write command applies them)" : "");
			printf("journal      %s\n", h.journal_mode);
			printf("foreign keys %s, %lld violation(s)\n", h.foreign_keys ? "on" : "OFF", (long long)h.fk_violations);
			printf("integrity    %s\n", h.integrity);
			printf("blobs        %lld checked, %lld bad\n", (long long)checked, (long long)bad);
			printf("audit        %lld events, head %s%s%s\n", (long long)v.count, v.head_hash,
			       v.problem == ASSAY_AUDIT_OK ? ", intact" : ", BROKEN", v.signed_events ? ", signed" : "");
			printf("signing key  %s\n", key_id[0] ? key_id : "none (events are chained, not signed)");
			size_t i;
			json_t *it;
			json_array_foreach(issues, i, it) fprintf(stderr, "problem: %s\n", json_string_value(it));
			printf("%s\n", problems ? "PROBLEMS FOUND" : "ok");
		}
		rc = problems ? 1 : 0;
	}
	json_decref(issues);
	assay_arena_free(&a);
	assay_store_close(s);
	return rc;
}
