/* cmd_system.c: `assay system add|list|show|update|retire`: the AI system
 * inventory. Parses options, calls lib/registry and lib/policy, renders. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/audit.h"
#include "assay/intake.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay system add (--from INTAKE.yaml | --name NAME [fields...]) [options]\n"
    "       assay system list [--tier T] [--stage S] [--ai-type T] [--all] [--format text|json|md]\n"
    "       assay system show SLUG [--format text|json|md]\n"
    "       assay system update SLUG (--from INTAKE.yaml | fields...)\n"
    "       assay system retire SLUG [--reason TEXT]\n"
    "\n"
    "The AI system inventory. `add` validates the intake (docs/policy.md lists its\n"
    "fields), computes the risk tier with the policy pack, stores both and prints the\n"
    "new system's id. `update` replaces the intake (or the given fields) and records\n"
    "the difference; `retire` marks a system retired (systems are never deleted).\n"
    "Every change is an audit event (`assay audit log`).\n"
    "\n"
    "Intake fields as flags (add, update):\n"
    "  --name NAME  --slug SLUG  --description TEXT  --owner NAME (business owner)\n"
    "  --technical-owner NAME  --ai-type classical_ml|genai|rag|agentic|rule_based\n"
    "  --role provider|deployer|importer|distributor  --purpose TEXT\n"
    "  --context internal|partner|customer_facing|public\n"
    "  --stage idea|design|build|validate|deployed|retired  --geo EU,US,...\n"
    "  --annex-iii 4(a),5(b)  --art50 50(1)  --profiling true|false\n"
    "  --set FIELD=VALUE   any other intake field (lists comma-separated)\n"
    "\n"
    "List filters: --tier prohibited|high|medium|low, --stage STAGE, --ai-type TYPE,\n"
    "--all (retired systems too).\n"
    "\n"
    "%s"
    "\n"
    "Examples:\n"
    "  assay system add --from intake.yaml\n"
    "  assay system add --name 'Churn model' --ai-type classical_ml --role provider \\\n"
    "                   --purpose 'predict churn' --context internal\n"
    "  assay system list --tier high --format json\n"
    "  assay system update credit-scoring --from intake.yaml\n";

static void usage(FILE *f)
{
	fprintf(f, USAGE, CLI_REG_HELP);
}

enum {
	O_FROM = 256,
	O_NAME,
	O_SLUG,
	O_DESC,
	O_OWNER,
	O_TOWNER,
	O_AITYPE,
	O_ROLE,
	O_PURPOSE,
	O_CONTEXT,
	O_STAGE,
	O_GEO,
	O_ANNEX,
	O_ART50,
	O_PROFILING,
	O_SET,
	O_TIER,
	O_ALL,
	O_REASON,
	O_HELP
};

static const struct option LONGOPTS[] = {
    {"from", 1, 0, O_FROM},
    {"name", 1, 0, O_NAME},
    {"slug", 1, 0, O_SLUG},
    {"description", 1, 0, O_DESC},
    {"owner", 1, 0, O_OWNER},
    {"technical-owner", 1, 0, O_TOWNER},
    {"ai-type", 1, 0, O_AITYPE},
    {"role", 1, 0, O_ROLE},
    {"purpose", 1, 0, O_PURPOSE},
    {"context", 1, 0, O_CONTEXT},
    {"stage", 1, 0, O_STAGE},
    {"geo", 1, 0, O_GEO},
    {"annex-iii", 1, 0, O_ANNEX},
    {"art50", 1, 0, O_ART50},
    {"profiling", 1, 0, O_PROFILING},
    {"set", 1, 0, O_SET},
    {"tier", 1, 0, O_TIER},
    {"all", 0, 0, O_ALL},
    {"reason", 1, 0, O_REASON},
    {"help", 0, 0, O_HELP},
    CLI_REG_LONGOPTS,
    {0, 0, 0, 0},
};

struct opts {
	struct cli_reg reg;
	const char *from, *tier, *stage, *ai_type, *reason;
	int all;
	json_t *fields; /* intake fields given as flags */
	const char *pos[4];
	int npos;
};

static const char *const FLAG_FIELD[][2] = {
    {"name", "name"},
    {"slug", "slug"},
    {"description", "description"},
    {"owner", "business_owner"},
    {"technical-owner", "technical_owner"},
    {"ai-type", "ai_type"},
    {"role", "eu_role"},
    {"purpose", "intended_purpose"},
    {"context", "deployment_context"},
    {"stage", "lifecycle_stage"},
    {"geo", "geographies"},
    {"annex-iii", "annex_iii_points"},
    {"art50", "art50_triggers"},
    {"profiling", "profiles_natural_persons"},
};

/* Set field = value in o->fields by the field's type. 0 or exit 2. */
static int set_field(struct opts *o, const char *field, const char *value)
{
	const struct assay_intake_field *f = assay_intake_field_find(field);
	if (!f) {
		size_t n;
		const struct assay_intake_field *all = assay_intake_fields(&n);
		const char **names = calloc(n + 1, sizeof *names);
		for (size_t i = 0; i < n; i++)
			names[i] = all[i].name;
		const char *dym = assay_did_you_mean(field, names, n);
		fprintf(stderr, "assay %s: \"%s\" is not an intake field", o->reg.cmd, field);
		if (dym)
			fprintf(stderr, "; did you mean \"%s\"?", dym);
		fprintf(stderr, "\n  hint: docs/policy.md lists the intake fields\n");
		free(names);
		return 2;
	}
	json_t *v;
	if (f->type == ASSAY_FIELD_LIST || f->type == ASSAY_FIELD_ENUM_LIST) {
		v = json_array();
		const char *p = value;
		while (*p) {
			const char *q = strchr(p, ',');
			size_t len = q ? (size_t)(q - p) : strlen(p);
			while (len && *p == ' ')
				p++, len--;
			while (len && p[len - 1] == ' ')
				len--;
			if (len)
				json_array_append_new(v, json_stringn(p, len));
			if (!q)
				break;
			p = q + 1;
		}
	} else if (f->type == ASSAY_FIELD_BOOL) {
		if (!strcmp(value, "true") || !strcmp(value, "yes"))
			v = json_true();
		else if (!strcmp(value, "false") || !strcmp(value, "no"))
			v = json_false();
		else {
			fprintf(stderr, "assay %s: %s is true or false, not \"%s\"\n", o->reg.cmd, field,
			        value);
			return 2;
		}
	} else if (f->type == ASSAY_FIELD_OBJECT) {
		fprintf(stderr, "assay %s: %s is nested; give it in an intake file (--from)\n", o->reg.cmd,
		        field);
		return 2;
	} else {
		v = json_string(value);
	}
	json_object_set_new(o->fields, field, v);
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	optind = 1;
	opterr = 0;
	int c, idx;
	while ((c = getopt_long(argc, argv, "-h", LONGOPTS, &idx)) != -1) {
		if (cli_reg_option(&o->reg, c, optarg))
			continue;
		switch (c) {
		case 1:
			if (o->npos == 4)
				return cli_usage_error(o->reg.cmd, "unexpected argument \"%s\"", optarg);
			o->pos[o->npos++] = optarg;
			break;
		case O_FROM:
			o->from = optarg;
			break;
		case O_TIER:
			o->tier = optarg;
			break;
		case O_ALL:
			o->all = 1;
			break;
		case O_REASON:
			o->reason = optarg;
			break;
		case O_SET: {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				return cli_usage_error(o->reg.cmd, "--set is FIELD=VALUE, not \"%s\"",
				                       optarg);
			char field[64];
			snprintf(field, sizeof field, "%.*s", (int)(eq - optarg), optarg);
			if (set_field(o, field, eq + 1))
				return 2;
			break;
		}
		case 'h':
		case O_HELP:
			usage(stdout);
			return -1;
		default:
			if (c >= O_NAME && c <= O_PROFILING) {
				if (c == O_STAGE)
					o->stage = optarg;
				if (c == O_AITYPE)
					o->ai_type = optarg;
				if (set_field(o, FLAG_FIELD[c - O_NAME][1], optarg))
					return 2;
				break;
			}
			return cli_usage_error(o->reg.cmd, "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
	}
	return 0;
}

/* The intake: from the file, else from the flags (normalised). New ref. */
static int read_intake(struct opts *o, json_t *base, json_t **out)
{
	struct assay_error err;
	assay_error_clear(&err);
	if (o->from) {
		if (json_object_size(o->fields))
			return cli_usage_error(o->reg.cmd, "%s",
			                       "give the intake as --from FILE or as flags, not both");
		if (assay_intake_load(out, o->from, &err))
			return cli_reg_fail(&o->reg, &err);
		return 0;
	}
	if (!json_object_size(o->fields))
		return cli_usage_error(o->reg.cmd, "%s",
		                       "--from INTAKE.yaml or intake fields (--name ...) are required");
	json_t *rec = base ? json_deep_copy(base) : json_object();
	json_object_update(rec, o->fields);
	if (assay_intake_normalize(rec, "the intake flags", &err)) {
		json_decref(rec);
		return cli_reg_fail(&o->reg, &err);
	}
	*out = rec;
	return 0;
}

static int do_add(struct opts *o)
{
	if (o->npos)
		return cli_usage_error(o->reg.cmd, "unexpected argument \"%s\"", o->pos[0]);
	json_t *intake = NULL;
	int rc = read_intake(o, NULL, &intake);
	if (rc)
		return rc;
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_policy *p;
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	rc = cli_reg_policy(&o->reg, &a, &p);
	if (!rc)
		rc = cli_reg_open(&o->reg, 1, 1, &s);
	struct assay_system sys;
	struct assay_tier_result tr;
	if (!rc) {
		struct assay_system_input in;
		if (assay_registry_tier_input(p, intake, &a, &tr, &in, &err) ||
		    assay_system_add(s, &in, &a, &sys, &err))
			rc = cli_reg_fail(&o->reg, &err);
		json_decref((json_t *)in.rationale);
	}
	rc = cli_reg_close(&o->reg, s, rc);
	if (!rc) {
		if (o->reg.fmt == CLI_JSON) {
			cli_print_json(assay_system_json(&sys));
		} else {
			printf("%s\n", sys.id);
			fprintf(stderr, "registered %s (%s): tier %s under policy %s %s (sha256 %.12s)\n",
			        sys.slug, sys.name, sys.tier, tr.policy_name ? tr.policy_name : "",
			        sys.policy_version ? sys.policy_version : "",
			        sys.policy_hash ? sys.policy_hash : "");
		}
	}
	json_decref(intake);
	assay_arena_free(&a);
	return rc;
}

static double completeness_of(struct assay_store *s, struct assay_policy *p, const struct assay_system *sys,
                              struct assay_arena *a, size_t *sat, size_t *req)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_tier_result tr;
	struct assay_requirement *reqs;
	size_t n;
	struct assay_evidence_status st;
	*sat = *req = 0;
	if (assay_system_requirements(p, sys, a, &tr, &reqs, &n, &err) ||
	    assay_evidence_status(s, sys->id, reqs, n, NULL, a, &st, &err))
		return -1;
	*sat = st.satisfied;
	*req = st.n;
	return st.completeness;
}

static int do_list(struct opts *o)
{
	if (o->npos)
		return cli_usage_error(o->reg.cmd, "unexpected argument \"%s\"", o->pos[0]);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_policy *p;
	int rc = cli_reg_policy(&o->reg, &a, &p);
	if (!rc)
		rc = cli_reg_open(&o->reg, 0, 0, &s);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_system *v = NULL;
	size_t n = 0;
	struct assay_system_filter f = {
	    .tier = o->tier, .stage = o->stage, .ai_type = o->ai_type, .include_retired = o->all};
	if (!rc && assay_system_list(s, &f, &a, &v, &n, &err))
		rc = cli_reg_fail(&o->reg, &err);
	if (!rc) {
		if (o->reg.fmt == CLI_JSON) {
			json_t *arr = json_array();
			for (size_t i = 0; i < n; i++) {
				json_t *j = assay_system_json(&v[i]);
				json_object_del(j, "intake");
				size_t sat, req;
				double c = completeness_of(s, p, &v[i], &a, &sat, &req);
				json_object_set_new(j, "evidence",
				                    c < 0 ? json_null()
				                          : json_pack("{s:i, s:i, s:f}", "satisfied",
				                                      (json_int_t)sat, "required",
				                                      (json_int_t)req, "completeness", c));
				json_array_append_new(arr, j);
			}
			cli_print_json(json_pack("{s:s, s:o}", "schema", "assay.systems/1", "systems", arr));
		} else if (o->reg.fmt == CLI_MD) {
			printf(
			    "| Slug | Name | Type | Stage | Tier | Evidence |\n|---|---|---|---|---|---|\n");
			for (size_t i = 0; i < n; i++) {
				size_t sat, req;
				completeness_of(s, p, &v[i], &a, &sat, &req);
				printf("| %s | %s | %s | %s | %s%s | %zu/%zu |\n", v[i].slug,
				       cli_md_cell(&a, v[i].name), v[i].ai_type ? v[i].ai_type : "",
				       v[i].lifecycle_stage ? v[i].lifecycle_stage : "",
				       v[i].tier ? v[i].tier : "",
				       !strcmp(v[i].tier_source, "override") ? " (override)" : "", sat, req);
			}
		} else if (n == 0) {
			printf("no systems%s\n",
			       f.tier || f.stage || f.ai_type ? " match" : " registered yet");
		} else {
			printf("%-24s %-12s %-10s %-11s %-9s %s\n", "SLUG", "TYPE", "STAGE", "TIER",
			       "EVIDENCE", "NAME");
			for (size_t i = 0; i < n; i++) {
				size_t sat, req;
				completeness_of(s, p, &v[i], &a, &sat, &req);
				char tier[32], ev[32];
				snprintf(tier, sizeof tier, "%s%s", v[i].tier ? v[i].tier : "-",
				         !strcmp(v[i].tier_source, "override") ? "*" : "");
				snprintf(ev, sizeof ev, "%zu/%zu", sat, req);
				printf("%-24s %-12s %-10s %-11s %-9s %s\n", v[i].slug,
				       v[i].ai_type ? v[i].ai_type : "-",
				       v[i].lifecycle_stage ? v[i].lifecycle_stage : "-", tier, ev,
				       v[i].name);
			}
			printf("%zu system%s (* tier set by a manual override)\n", n, n == 1 ? "" : "s");
		}
	}
	rc = cli_reg_close(&o->reg, s, rc);
	assay_arena_free(&a);
	return rc;
}

static void print_value(const json_t *v)
{
	if (json_is_string(v)) {
		printf("%s", json_string_value(v));
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				printf(", ");
			print_value(json_array_get(v, i));
		}
		if (!json_array_size(v))
			printf("-");
	} else {
		char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		printf("%s", t ? t : "");
		free(t);
	}
}

static int do_show(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s", "give one system: assay system show SLUG");
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_policy *p;
	int rc = cli_reg_policy(&o->reg, &a, &p);
	if (!rc)
		rc = cli_reg_open(&o->reg, 0, 0, &s);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_system sys;
	if (!rc && assay_system_get(s, o->pos[0], &a, &sys, &err))
		rc = cli_reg_fail(&o->reg, &err);
	struct assay_audit_event *ev = NULL;
	size_t nev = 0;
	if (!rc) {
		struct assay_audit_filter f = {.system_id = sys.id};
		if (assay_audit_list(s, &f, &a, &ev, &nev, &err))
			rc = cli_reg_fail(&o->reg, &err);
	}
	if (!rc) {
		size_t sat, req;
		double c = completeness_of(s, p, &sys, &a, &sat, &req);
		if (o->reg.fmt == CLI_JSON) {
			json_t *j = assay_system_json(&sys);
			json_object_set_new(j, "evidence",
			                    c < 0
			                        ? json_null()
			                        : json_pack("{s:i, s:i, s:f}", "satisfied", (json_int_t)sat,
			                                    "required", (json_int_t)req, "completeness", c));
			json_object_set_new(j, "audit_events", json_integer((json_int_t)nev));
			cli_print_json(j);
		} else {
			int md = o->reg.fmt == CLI_MD;
			printf(md ? "# %s (`%s`)\n\n" : "%s (%s)\n", sys.name, sys.slug);
			const char *fmt = md ? "- **%s**: %s\n" : "  %-16s %s\n";
			printf(fmt, "id", sys.id);
			char tier[256];
			if (!strcmp(sys.tier_source, "override"))
				snprintf(tier, sizeof tier, "%s (manual override of %s: %s)", sys.tier,
				         sys.computed_tier, sys.override_reason ? sys.override_reason : "");
			else
				snprintf(tier, sizeof tier, "%s", sys.tier ? sys.tier : "-");
			printf(fmt, "tier", tier);
			printf(fmt, "stage", sys.lifecycle_stage ? sys.lifecycle_stage : "-");
			char pol[160];
			snprintf(pol, sizeof pol, "%s (sha256 %.12s)",
			         sys.policy_version ? sys.policy_version : "-",
			         sys.policy_hash ? sys.policy_hash : "");
			printf(fmt, "policy", pol);
			char evs[64];
			snprintf(evs, sizeof evs, "%zu of %zu required satisfied (%.0f%%)", sat, req,
			         c < 0 ? 0 : 100 * c);
			printf(fmt, "evidence", evs);
			printf(fmt, "created",
			       assay_arena_printf(&a, "%s by %s", sys.created_at, sys.created_by));
			printf(fmt, "updated",
			       assay_arena_printf(&a, "%s (version %lld)", sys.updated_at,
			                          (long long)sys.version));
			if (sys.retired_at)
				printf(fmt, "retired", sys.retired_at);
			printf(md ? "\n## Intake\n\n" : "\n  intake (sha256 %.12s):\n", sys.intake_sha256);
			json_t *in = json_loads(sys.intake, 0, NULL);
			const char *k;
			json_t *v;
			json_object_foreach(in, k, v)
			{
				if (!strcmp(k, "components") || !strcmp(k, "artifacts"))
					continue;
				printf(md ? "- **%s**: " : "    %-26s ", k);
				print_value(v);
				printf("\n");
			}
			json_t *comp = json_object_get(in, "components");
			if (json_array_size(comp)) {
				printf(md ? "- **components**:\n" : "    components:\n");
				size_t i;
				json_t *c1;
				json_array_foreach(comp, i, c1)
				{
					printf(md ? "  - " : "      - ");
					const char *ck;
					json_t *cv;
					int first = 1;
					json_object_foreach(c1, ck, cv)
					{
						if (json_is_null(cv))
							continue;
						printf("%s%s: ", first ? "" : ", ", ck);
						print_value(cv);
						first = 0;
					}
					printf("\n");
				}
			}
			json_decref(in);
			printf(md ? "\n## Rationale\n\n" : "\n  rationale:\n");
			json_t *rat = json_loads(sys.tier_rationale, 0, NULL);
			size_t i;
			json_t *r1;
			json_array_foreach(rat, i, r1)
			{
				printf(md ? "- %s: %s (%s)\n" : "    - [%s] %s (%s)\n",
				       json_string_value(json_object_get(r1, "tier")),
				       json_string_value(json_object_get(r1, "text")),
				       json_string_value(json_object_get(r1, "cite")));
			}
			json_decref(rat);
			printf(md ? "\n## Recent audit events\n\n" : "\n  audit (%zu events, last 5):\n",
			       nev);
			for (size_t e = nev > 5 ? nev - 5 : 0; e < nev; e++)
				printf(md ? "- #%lld %s %s by %s\n" : "    #%-5lld %s %-26s %s\n",
				       (long long)ev[e].seq, ev[e].ts, ev[e].action, ev[e].actor);
		}
	}
	rc = cli_reg_close(&o->reg, s, rc);
	assay_arena_free(&a);
	return rc;
}

static int do_update(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s",
		                       "give one system: assay system update SLUG --from FILE");
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_policy *p;
	json_t *intake = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	int rc = cli_reg_policy(&o->reg, &a, &p);
	if (!rc)
		rc = cli_reg_open(&o->reg, 1, 0, &s);
	struct assay_system cur, after;
	if (!rc && assay_system_get(s, o->pos[0], &a, &cur, &err))
		rc = cli_reg_fail(&o->reg, &err);
	if (!rc) {
		/* flags change the stored intake; a file replaces it */
		json_t *base = json_loads(cur.intake, 0, NULL);
		if (!o->from && !json_object_get(o->fields, "slug"))
			json_object_set_new(o->fields, "slug", json_string(cur.slug));
		rc = read_intake(o, base, &intake);
		json_decref(base);
	}
	int changed = 0;
	struct assay_tier_result tr;
	if (!rc) {
		struct assay_system_input in;
		if (assay_registry_tier_input(p, intake, &a, &tr, &in, &err) ||
		    assay_system_update(s, cur.slug, &in, &a, &after, &changed, &err))
			rc = cli_reg_fail(&o->reg, &err);
		json_decref((json_t *)in.rationale);
	}
	rc = cli_reg_close(&o->reg, s, rc);
	if (!rc) {
		if (!changed) {
			printf("%s: no change\n", cur.slug);
		} else {
			json_t *b = json_loads(cur.intake, 0, NULL), *n = json_loads(after.intake, 0, NULL);
			printf("updated %s to version %lld; changed:", cur.slug, (long long)after.version);
			const char *k;
			json_t *v;
			int any = 0;
			json_object_foreach(n, k, v)
			{
				if (!json_equal(v, json_object_get(b, k))) {
					printf(" %s", k);
					any = 1;
				}
			}
			if (strcmp(cur.computed_tier ? cur.computed_tier : "",
			           after.computed_tier ? after.computed_tier : ""))
				printf("%s computed tier %s -> %s", any ? ";" : "", cur.computed_tier,
				       after.computed_tier),
				    any = 1;
			if (!any)
				printf(" policy version or rationale");
			printf("\n");
			if (!strcmp(after.tier_source, "override") && strcmp(after.tier, after.computed_tier))
				printf("note: the manual override (%s) stays in force; the policy now "
				       "computes %s\n",
				       after.tier, after.computed_tier);
			json_decref(b);
			json_decref(n);
		}
	}
	json_decref(intake);
	assay_arena_free(&a);
	return rc;
}

static int do_retire(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s", "give one system: assay system retire SLUG");
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	int rc = cli_reg_open(&o->reg, 1, 0, &s);
	if (!rc && assay_system_retire(s, o->pos[0], o->reason, &err))
		rc = cli_reg_fail(&o->reg, &err);
	rc = cli_reg_close(&o->reg, s, rc);
	if (!rc)
		printf("retired %s (it stays in the registry with its evidence and history)\n", o->pos[0]);
	return rc;
}

int cmd_system(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	static const char *const SUBS[] = {"add", "list", "show", "update", "retire"};
	const char *sub = argv[1];
	struct opts o;
	memset(&o, 0, sizeof o);
	char cmdname[32];
	snprintf(cmdname, sizeof cmdname, "system %s", sub);
	o.reg.cmd = cmdname;
	o.fields = json_object();
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc == 0)
		rc = cli_reg_format(&o.reg, !strcmp(sub, "retire") ? "text" : "text, json or md");
	if (rc == 0) {
		if (!strcmp(sub, "add"))
			rc = do_add(&o);
		else if (!strcmp(sub, "list"))
			rc = do_list(&o);
		else if (!strcmp(sub, "show"))
			rc = do_show(&o);
		else if (!strcmp(sub, "update"))
			rc = do_update(&o);
		else if (!strcmp(sub, "retire"))
			rc = do_retire(&o);
		else {
			cli_subcommand("system", sub, SUBS, CLI_NSUBS(SUBS));
			rc = 2;
		}
	}
	json_decref(o.fields);
	return rc < 0 ? 0 : rc;
}
