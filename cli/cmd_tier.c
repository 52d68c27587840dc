/* cmd_tier.c: `assay tier`: a system's risk tier, why (the rules that
 * fired), the controls and evidence it requires; manual overrides. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/intake.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay tier SLUG [--explain] [--format text|json|md]\n"
    "       assay tier --from INTAKE.yaml [--explain] [--format text|json|md]\n"
    "       assay tier SLUG --override TIER --reason TEXT\n"
    "       assay tier SLUG --clear-override --reason TEXT\n"
    "\n"
    "The risk tier (prohibited, high, medium, low) the policy pack computes for a\n"
    "registered system (from its stored intake) or for an intake file not yet\n"
    "registered (no database needed). --explain adds the rules that fired, with\n"
    "their articles, and the controls and evidence the tier requires. JSON always\n"
    "carries everything (schema assay.tier/1), with the policy's version and hash.\n"
    "\n"
    "A manual override sets the effective tier by hand; the reason is required and\n"
    "recorded in the audit trail. The computed tier is kept beside it.\n"
    "\n"
    "  --explain              rationale, controls and evidence requirements\n"
    "  --from FILE            tier an intake file instead of a registered system\n"
    "  --override TIER        prohibited|high|medium|low\n"
    "  --clear-override       back to the computed tier\n"
    "  --reason TEXT          why (required with --override and --clear-override)\n"
    "\n"
    "%s"
    "\n"
    "Examples:\n"
    "  assay tier credit-scoring --explain\n"
    "  assay tier --from intake.yaml --format json\n"
    "  assay tier support-bot --override high --reason \"board decision 2025-03: treat as high\"\n";

enum { O_EXPLAIN = 256, O_FROM, O_OVERRIDE, O_CLEAR, O_REASON, O_HELP };
static const struct option LONGOPTS[] = {
    {"explain", 0, 0, O_EXPLAIN},        {"from", 1, 0, O_FROM},     {"override", 1, 0, O_OVERRIDE},
    {"clear-override", 0, 0, O_CLEAR},   {"reason", 1, 0, O_REASON}, {"help", 0, 0, O_HELP},
    CLI_REG_LONGOPTS,                    {0, 0, 0, 0},
};

static void print_text(const struct assay_tier_result *tr, const char *who, int explain, int md,
                       const struct assay_system *sys)
{
	char computed[64] = "";
	if (tr->overridden)
		snprintf(computed, sizeof computed, " (manual override; the policy computes %s)",
		         assay_tier_name(tr->computed_tier));
	if (md)
		printf("# %s: tier **%s**%s\n\nPolicy %s %s (sha256 `%.16s`)\n", who, assay_tier_name(tr->tier), computed,
		       tr->policy_name, tr->policy_version, tr->policy_sha256);
	else
		printf("%s: tier %s%s\npolicy %s %s (sha256 %.16s)\n", who, assay_tier_name(tr->tier), computed,
		       tr->policy_name, tr->policy_version, tr->policy_sha256);
	if (tr->overridden)
		printf(md ? "\nOverride reason: %s\n" : "override reason: %s\n", tr->override_reason);
	if (sys && sys->computed_tier && strcmp(sys->computed_tier, assay_tier_name(tr->computed_tier)) != 0)
		printf(md ? "\n> The registry recorded tier %s under policy %s; run `assay system update %s` to record "
		            "this one.\n"
		          : "note: the registry recorded tier %s under policy %s; `assay system update %s` records this "
		            "one\n",
		       sys->computed_tier, sys->policy_version, sys->slug);
	if (!explain) {
		printf(md ? "\n%zu controls, %zu evidence requirements (`--explain` lists them)\n"
		          : "%zu controls, %zu evidence requirements (--explain lists them)\n",
		       tr->n_controls, tr->n_evidence);
		return;
	}
	printf(md ? "\n## Rationale\n\n" : "\nrationale (* decided the tier):\n");
	for (size_t i = 0; i < tr->n_reasons; i++) {
		const struct assay_tier_reason *r = &tr->reasons[i];
		if (md)
			printf("- %s**%s** %s%s%s (rule `%s`)\n", r->decisive ? "" : "", assay_tier_name(r->tier), r->text,
			       r->cite && *r->cite ? " — " : "", r->cite ? r->cite : "", r->rule_id);
		else
			printf("  %s [%s] %s%s%s (rule %s)\n", r->decisive ? "*" : " ", assay_tier_name(r->tier), r->text,
			       r->cite && *r->cite ? " — " : "", r->cite ? r->cite : "", r->rule_id);
	}
	if (!tr->n_reasons)
		printf(md ? "- no rule matched: the pack's default tier\n" : "    no rule matched: the pack's default tier\n");
	printf(md ? "\n## Required controls (%zu) and evidence (%zu)\n\n" : "\ncontrols (%zu), evidence requirements (%zu):\n",
	       tr->n_controls, tr->n_evidence);
	for (size_t i = 0; i < tr->n_controls; i++) {
		const struct assay_required_control *c = &tr->controls[i];
		printf(md ? "- **%s** %s (selected by %s)\n" : "  %s  %s (selected by %s)\n", c->control->id,
		       c->control->title ? c->control->title : "", c->selected_by ? c->selected_by : "-");
		for (size_t j = 0; j < c->n_evidence; j++) {
			const struct assay_evidence_req *e = c->evidence[j];
			char fresh[48] = "";
			if (e->freshness_days > 0)
				snprintf(fresh, sizeof fresh, ", fresh for %d days", e->freshness_days);
			printf(md ? "  - `%s` (%s%s)%s%s\n" : "      - %s (%s%s)%s%s\n", e->key, assay_evidence_kind_name(e->kind),
			       fresh, e->description ? ": " : "", e->description ? e->description : "");
		}
	}
}

int cmd_tier(int argc, char **argv)
{
	struct cli_reg reg = {.cmd = "tier"};
	const char *from = NULL, *override = NULL, *reason = NULL, *slug = NULL;
	int explain = 0, clear = 0;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "-h", LONGOPTS, NULL)) != -1) {
		if (cli_reg_option(&reg, c, optarg))
			continue;
		switch (c) {
		case 1:
			if (slug)
				return cli_usage_error("tier", "unexpected argument \"%s\"", optarg);
			slug = optarg;
			break;
		case O_EXPLAIN: explain = 1; break;
		case O_FROM: from = optarg; break;
		case O_OVERRIDE: override = optarg; break;
		case O_CLEAR: clear = 1; break;
		case O_REASON: reason = optarg; break;
		case 'h':
		case O_HELP: printf(USAGE, CLI_REG_HELP); return 0;
		default: return cli_usage_error("tier", "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
	}
	if (cli_reg_format(&reg, "text, json or md"))
		return 2;
	if (!!slug + !!from != 1)
		return cli_usage_error("tier", "%s", "give a registered system's SLUG or --from INTAKE.yaml");
	if ((override || clear) && from)
		return cli_usage_error("tier", "%s", "--override applies to a registered system, not --from");
	if (override && clear)
		return cli_usage_error("tier", "%s", "--override or --clear-override, not both");
	if (reason && !override && !clear)
		return cli_usage_error("tier", "%s", "--reason goes with --override or --clear-override");
	if ((override || clear) && (!reason || !*reason))
		return cli_usage_error("tier", "%s", "a tier override needs --reason \"...\": it is recorded");
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_policy *p;
	int rc = cli_reg_policy(&reg, &a, &p);
	struct assay_tier_result tr;
	if (rc) {
		assay_arena_free(&a);
		return rc;
	}
	if (from) {
		json_t *intake = NULL;
		if (assay_intake_load(&intake, from, &err) || assay_policy_tier(p, intake, NULL, &tr, &a, &err)) {
			rc = cli_reg_fail(&reg, &err);
		} else if (reg.fmt == CLI_JSON) {
			json_t *j = assay_tier_result_json(&tr);
			json_object_set_new(j, "system",
			                    json_pack("{s:o, s:o, s:s}", "slug", json_copy(json_object_get(intake, "slug")), "name",
			                              json_copy(json_object_get(intake, "name")), "intake", from));
			cli_print_json(j);
		} else {
			print_text(&tr, json_string_value(json_object_get(intake, "slug")), explain, reg.fmt == CLI_MD, NULL);
		}
		json_decref(intake);
		assay_arena_free(&a);
		return rc;
	}
	struct assay_store *s = NULL;
	rc = cli_reg_open(&reg, override || clear, 0, &s);
	struct assay_system sys;
	struct assay_requirement *reqs;
	size_t nreqs;
	if (!rc && (override || clear)) {
		if (assay_system_override_tier(s, slug, override, reason, &err))
			rc = cli_reg_fail(&reg, &err);
	}
	if (!rc && (assay_system_get(s, slug, &a, &sys, &err) ||
	            assay_system_requirements(p, &sys, &a, &tr, &reqs, &nreqs, &err)))
		rc = cli_reg_fail(&reg, &err);
	rc = cli_reg_close(&reg, s, rc);
	if (!rc) {
		if (override || clear)
			fprintf(stderr, "%s: tier %s (%s), recorded in the audit trail\n", sys.slug, sys.tier,
			        clear ? "override cleared" : "manual override");
		if (reg.fmt == CLI_JSON) {
			json_t *j = assay_tier_result_json(&tr);
			json_object_set_new(j, "system",
			                    json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", sys.id, "slug", sys.slug, "name",
			                              sys.name, "recorded_tier", sys.computed_tier ? sys.computed_tier : "",
			                              "recorded_policy_version",
			                              sys.policy_version ? json_string(sys.policy_version) : json_null(),
			                              "recorded_policy_sha256",
			                              sys.policy_hash ? json_string(sys.policy_hash) : json_null()));
			cli_print_json(j);
		} else {
			print_text(&tr, sys.slug, explain, reg.fmt == CLI_MD, &sys);
		}
	}
	assay_arena_free(&a);
	return rc;
}
