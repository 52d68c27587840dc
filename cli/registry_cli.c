/* registry_cli.c: the registry commands' shared options, store handling
 * and output helpers (cli_registry.h). */
#include <stdlib.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/clock.h"
#include "assay/json.h"
#include "cli.h"
#include "cli_registry.h"

const char CLI_REG_HELP[] =
    "Registry options:\n"
    "  --db PATH        the registry database (default $ASSAY_DB, else ./assay.db)\n"
    "  --as NAME        who is acting, recorded on every audit event (default $ASSAY_USER,\n"
    "                   else the OS user)\n"
    "  --key PATH       the audit signing key (default $ASSAY_KEY, else DB.key)\n"
    "  --policy DIR     policy pack (default $ASSAY_POLICY, else the built-in pack)\n"
    "Time: ASSAY_NOW=2025-03-01T12:00:00Z pins the clock (tests fast-forward with it).\n";

int cli_reg_option(struct cli_reg *r, int c, const char *arg)
{
	switch (c) {
	case CLI_O_DB:
		r->db = arg;
		return 1;
	case CLI_O_AS:
		r->as = arg;
		return 1;
	case CLI_O_KEY:
		r->key = arg;
		return 1;
	case CLI_O_POLICY:
		r->policy = arg;
		return 1;
	case CLI_O_FORMAT:
		r->format = arg;
		return 1;
	}
	return 0;
}

int cli_reg_format(struct cli_reg *r, const char *allowed)
{
	r->fmt = CLI_TEXT;
	if (!r->format)
		return 0;
	const char *names[] = {"text", "json", "md"};
	for (int i = 0; i < 3; i++) {
		if (strcmp(r->format, names[i]) == 0) {
			const char *p = strstr(allowed, names[i]);
			if (p) {
				r->fmt = (enum cli_fmt)i;
				return 0;
			}
		}
	}
	fprintf(stderr, "assay %s: --format is %s, not \"%s\"\n  hint: see `assay %s --help`\n", r->cmd,
	        allowed, r->format, r->cmd);
	return 2;
}

int cli_reg_fail(struct cli_reg *r, const struct assay_error *err)
{
	return cli_fail(r->cmd, err);
}

int cli_reg_open(struct cli_reg *r, int write, int create, struct assay_store **s)
{
	struct assay_error err;
	assay_error_clear(&err);
	if (assay_clock_check(&err))
		return cli_reg_fail(r, &err);
	struct assay_store_opts o = {.path = r->db, .create = create};
	if (assay_store_open(s, &o, &err))
		return cli_reg_fail(r, &err);
	assay_store_set_actor(*s, assay_actor_resolve(r->as));
	if (r->key)
		assay_audit_set_key_path(*s, r->key);
	if (assay_store_begin(*s, write ? ASSAY_TX_WRITE : ASSAY_TX_READ, &err)) {
		assay_store_close(*s);
		*s = NULL;
		return cli_reg_fail(r, &err);
	}
	return 0;
}

int cli_reg_close(struct cli_reg *r, struct assay_store *s, int rc)
{
	if (!s)
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	if (rc == 0) {
		if (assay_store_commit(s, &err))
			rc = cli_reg_fail(r, &err);
	} else {
		assay_store_rollback(s);
	}
	assay_store_close(s);
	return rc;
}

int cli_reg_policy(struct cli_reg *r, struct assay_arena *a, struct assay_policy **p)
{
	struct assay_error err;
	assay_error_clear(&err);
	if (assay_registry_policy_load(p, r->policy, a, &err))
		return cli_reg_fail(r, &err);
	return 0;
}

json_t *cli_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

void cli_print_json(json_t *v)
{
	if (!v)
		return;
	assay_json_write(v, stdout, 2);
	fputc('\n', stdout);
	json_decref(v);
}

const char *cli_short(struct assay_arena *a, const char *s, size_t n)
{
	if (!s)
		return "-";
	if (strlen(s) <= n)
		return s;
	return assay_arena_printf(a, "%.*s…", (int)n, s);
}

const char *cli_md_cell(struct assay_arena *a, const char *s)
{
	if (!s)
		return "";
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += (*p == '|' || *p == '\n') ? 2 : 1;
	char *o = assay_arena_alloc(a, n + 1), *q = o;
	for (const char *p = s; *p; p++) {
		if (*p == '|') {
			*q++ = '\\';
			*q++ = '|';
		} else if (*p == '\n') {
			*q++ = ' ';
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	return o;
}

int cli_record_check(const char *cmd, const struct cli_record *rec)
{
	if (!!rec->system != !!rec->requirement)
		return cli_usage_error(cmd, "%s", "--record SYSTEM and --requirement KEY go together");
	if (!rec->system && (rec->reg.db || rec->reg.as || rec->reg.key || rec->reg.policy))
		return cli_usage_error(cmd, "%s", "--db, --as, --key and --policy go with --record");
	return 0;
}

int cli_record_result(struct cli_record *rec, const struct cli_record_what *what, const char *json, size_t n,
                      int passed, json_t *inputs)
{
	struct cli_reg *r = &rec->reg;
	r->cmd = what->cmd;
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	int rc = cli_reg_open(r, 1, 0, &s);
	if (rc) {
		assay_arena_free(&a);
		return rc;
	}
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_policy *p;
	struct assay_system sys;
	struct assay_tier_result tr;
	struct assay_requirement *reqs = NULL;
	size_t nreqs = 0;
	rc = cli_reg_policy(r, &a, &p);
	if (!rc && assay_system_get(s, rec->system, &a, &sys, &err) == 0 &&
	    assay_system_requirements(p, &sys, &a, &tr, &reqs, &nreqs, &err) == 0) {
		json_t *meta = json_pack("{s:s, s:b, s:O}", "schema", what->schema, "passed", passed,
		                         "inputs", inputs ? inputs : json_null());
		struct assay_evidence_input in = {.system = sys.id,
		                                  .requirement_key = rec->requirement,
		                                  .data = json,
		                                  .data_n = n,
		                                  .data_name = what->name,
		                                  .kind = what->kind,
		                                  .source = "ci",
		                                  .media_type = "application/json",
		                                  .meta = meta};
		struct assay_evidence e;
		if (assay_evidence_add(s, &in, reqs, nreqs, &a, &e, &err) == 0)
			fprintf(stderr, "recorded as evidence E-%lld of %s (%s, sha256 %.12s)\n",
			        (long long)e.number, sys.slug, e.requirement_key, e.sha256);
		json_decref(meta);
	}
	if (!rc && err.code)
		rc = cli_reg_fail(r, &err);
	assay_arena_free(&a);
	return cli_reg_close(r, s, rc);
}
