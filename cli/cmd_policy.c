/* cmd_policy.c: `assay policy`: lint and show policy packs, list the
 * built-in catalogs and their entries, and show a pack's catalog coverage.
 * Parses options, calls the library (assay/policy.h, assay/catalog.h),
 * renders: every behaviour lives in lib/policy. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/arena.h"
#include "assay/catalog.h"
#include "assay/output.h"
#include "assay/policy.h"
#include "assay/version.h"
#include "cli.h"

static const char USAGE[] =
    "usage: assay policy lint DIR [--format text|json] [--out FILE]\n"
    "       assay policy show [DIR] [--format text|json] [--out FILE]\n"
    "       assay policy catalogs [--policy DIR] [--format text|json] [--out FILE]\n"
    "       assay policy catalog NAME [--policy DIR] [--format text|json] [--out FILE]\n"
    "       assay policy coverage [DIR] [--format text|json|md|html] [--out FILE]\n"
    "\n"
    "Policy packs decide a system's risk tier, the controls it needs and the evidence\n"
    "that proves them (docs/policy.md). Without DIR the built-in default pack is used.\n"
    "\n"
    "  lint       check a pack: every problem with file:line:column (unknown keys and\n"
    "             fields, bad conditions, unknown catalog entries or controls, duplicate\n"
    "             ids, tiers without workflow parameters); exit 0 clean, 2 invalid\n"
    "  show       the pack: version, hash, tiering rules, applicability, controls, workflow\n"
    "  catalogs   the catalogs with entry counts, version, source and verification flag\n"
    "  catalog    the entries of one catalog (nist-ai-rmf, nist-ai-600-1, iso-42001, eu-ai-act)\n"
    "  coverage   per catalog: requirements the pack's controls and rules cover, and the rest\n"
    "\n"
    "Options:\n"
    "  --policy DIR           catalogs and catalog: the catalogs a pack adds or replaces\n"
    "  --format FMT           text (default) or json; coverage also md and html\n"
    "  --out FILE             write there atomically\n"
    "\n"
    "Examples:\n"
    "  cp -r policies/default my-policy && assay policy lint my-policy\n"
    "  assay policy catalog nist-ai-rmf --format json | jq '.entries | length'\n"
    "  assay policy coverage my-policy --format md --out coverage.md\n";

struct ctx {
	const char *sub, *dir, *name, *format;
	struct assay_policy *p;
	struct assay_lint_report lint;
	struct assay_arena *a;
};

static void put_json(FILE *out, json_t *o)
{
	json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

static json_t *policy_json(const struct assay_policy *p)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "name", assay_policy_name(p), "version",
	                 assay_policy_version(p), "sha256", assay_policy_sha256(p), "source",
	                 assay_policy_source(p));
}

static json_t *head(const char *kind)
{
	return json_pack("{s:s,s:s}", "schema", kind, "assay_version", assay_version());
}

/* ---- lint ------------------------------------------------------------------ */

static int render_lint(void *vc, FILE *out, struct assay_error *err)
{
	struct ctx *c = vc;
	const struct assay_lint_report *r = &c->lint;
	if (!strcmp(c->format, "json")) {
		json_t *o = head("assay.policy-lint/1");
		json_object_set_new(o, "pack", json_string(c->dir));
		json_object_set_new(o, "valid", json_boolean(r->n_issues == 0));
		json_object_set_new(o, "files", json_integer((json_int_t)r->n_files));
		if (c->p)
			json_object_set_new(o, "policy", policy_json(c->p));
		json_t *is = json_array();
		for (size_t i = 0; i < r->n_issues; i++)
			json_array_append_new(is,
			                      json_pack("{s:s,s:I,s:I,s:s,s:s}", "file", r->issues[i].file,
			                                "line", (json_int_t)r->issues[i].line, "column",
			                                (json_int_t)r->issues[i].column, "message",
			                                r->issues[i].message, "hint", r->issues[i].hint));
		json_object_set_new(o, "issues", is);
		put_json(out, o);
		return 0;
	}
	for (size_t i = 0; i < r->n_issues; i++) {
		const struct assay_lint_issue *x = &r->issues[i];
		if (x->line)
			fprintf(out, "%s:%lu:%lu: %s\n", x->file, x->line, x->column, x->message);
		else
			fprintf(out, "%s: %s\n", x->file, x->message);
		if (x->hint[0])
			fprintf(out, "  hint: %s\n", x->hint);
	}
	if (r->n_issues)
		fprintf(out, "%s: %zu problem%s in %zu files: the pack is invalid\n", c->dir, r->n_issues,
		        r->n_issues == 1 ? "" : "s", r->n_files);
	else
		fprintf(out, "%s: OK: %s %s, %zu files, %zu controls, sha256 %s\n", c->dir,
		        assay_policy_name(c->p), assay_policy_version(c->p), r->n_files,
		        assay_policy_control_count(c->p), assay_policy_sha256(c->p));
	return 0;
}

/* ---- show ------------------------------------------------------------------ */

static json_t *workflow_json(const struct assay_policy *p)
{
	json_t *w = json_object();
	for (int t = 0; t < ASSAY_TIER_COUNT; t++) {
		const struct assay_workflow_tier *x = assay_policy_workflow(p, (enum assay_tier)t);
		json_t *roles = json_array();
		for (size_t i = 0; i < x->n_signoff_roles; i++)
			json_array_append_new(roles, json_string(x->signoff_roles[i]));
		json_object_set_new(w, assay_tier_name((enum assay_tier)t),
		                    json_pack("{s:i,s:i,s:o,s:i,s:i}", "triage_hours", x->triage_hours,
		                              "decision_hours", x->decision_hours, "signoff_roles", roles,
		                              "waiver_max_days", x->waiver_max_days, "decision_validity_days",
		                              x->decision_validity_days));
	}
	return w;
}

static json_t *controls_json(const struct assay_policy *p)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < assay_policy_control_count(p); i++) {
		const struct assay_control *c = assay_policy_control_at(p, i);
		json_t *ev = json_array();
		for (size_t k = 0; k < c->n_evidence; k++) {
			json_t *tiers = json_array();
			for (int t = 0; t < ASSAY_TIER_COUNT; t++)
				if (c->evidence[k].tiers & (1u << t))
					json_array_append_new(
					    tiers, json_string(assay_tier_name((enum assay_tier)t)));
			json_array_append_new(
			    ev, json_pack("{s:s,s:s,s:i,s:o}", "key", c->evidence[k].key, "kind",
			                  assay_evidence_kind_name(c->evidence[k].kind), "freshness_days",
			                  c->evidence[k].freshness_days, "tiers", tiers));
		}
		json_t *maps = json_object();
		for (size_t k = 0; k < c->n_maps_to; k++) {
			json_t *l = json_object_get(maps, c->maps_to[k].catalog);
			if (!l)
				json_object_set_new(maps, c->maps_to[k].catalog, l = json_array());
			json_array_append_new(l, json_string(c->maps_to[k].entry));
		}
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "id", c->id, "title",
		                                     c->title, "objective", c->objective, "test_procedure",
		                                     c->test_procedure, "evidence", ev, "maps_to", maps));
	}
	return arr;
}

static int render_show(void *vc, FILE *out, struct assay_error *err)
{
	struct ctx *c = vc;
	const struct assay_policy *p = c->p;
	if (!strcmp(c->format, "json")) {
		json_t *o = head("assay.policy/1");
		json_object_set_new(o, "policy", policy_json(p));
		json_object_set_new(o, "description", json_string(assay_policy_description(p)));
		json_object_set_new(o, "workflow", workflow_json(p));
		json_object_set_new(o, "controls", controls_json(p));
		put_json(out, o);
		return 0;
	}
	fprintf(out, "policy %s %s (%s)\nsha256 %s\n", assay_policy_name(p), assay_policy_version(p),
	        assay_policy_source(p), assay_policy_sha256(p));
	if (assay_policy_description(p)[0])
		fprintf(out, "%s\n", assay_policy_description(p));
	fprintf(out, "\nworkflow      triage  decision  waiver max  decision valid  sign-off\n");
	for (int t = ASSAY_TIER_COUNT - 1; t >= 0; t--) {
		const struct assay_workflow_tier *w = assay_policy_workflow(p, (enum assay_tier)t);
		fprintf(out, "  %-10s %5dh %8dh %9dd %13dd  ", assay_tier_name((enum assay_tier)t),
		        w->triage_hours, w->decision_hours, w->waiver_max_days, w->decision_validity_days);
		for (size_t i = 0; i < w->n_signoff_roles; i++)
			fprintf(out, "%s%s", i ? ", " : "", w->signoff_roles[i]);
		fputc('\n', out);
	}
	fprintf(out, "\ncontrols (%zu)\n", assay_policy_control_count(p));
	for (size_t i = 0; i < assay_policy_control_count(p); i++) {
		const struct assay_control *ctl = assay_policy_control_at(p, i);
		fprintf(out, "  %-28s %s\n", ctl->id, ctl->title);
		for (size_t k = 0; k < ctl->n_evidence; k++)
			fprintf(out, "    evidence %-26s %-11s %s\n", ctl->evidence[k].key,
			        assay_evidence_kind_name(ctl->evidence[k].kind),
			        ctl->evidence[k].freshness_days
			            ? assay_arena_printf(c->a, "fresh for %d days",
			                                 ctl->evidence[k].freshness_days)
			            : "does not expire");
	}
	return 0;
}

/* ---- catalogs ---------------------------------------------------------------- */

static json_t *catalog_json(const struct assay_catalog *cg, int entries)
{
	json_t *o = json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:I}", "id", cg->id, "title", cg->title, "version", cg->version,
	    "source", cg->source, "source_url", cg->source_url ? cg->source_url : "", "retrieved",
	    cg->retrieved, "verified_against_primary", cg->verified_against_primary, "entries_total",
	    (json_int_t)cg->n_entries, "assessable", (json_int_t)assay_catalog_count_assessable(cg));
	json_object_set_new(o, "licence_note", json_string(cg->licence_note ? cg->licence_note : ""));
	json_t *dates = json_array();
	for (size_t i = 0; i < cg->n_dates; i++)
		json_array_append_new(dates, json_pack("{s:s,s:s,s:s}", "what", cg->dates[i].what, "date",
		                                       cg->dates[i].date, "note",
		                                       cg->dates[i].note ? cg->dates[i].note : ""));
	json_object_set_new(o, "dates", dates);
	if (entries) {
		json_t *arr = json_array();
		for (size_t i = 0; i < cg->n_entries; i++) {
			const struct assay_catalog_entry *e = &cg->entries[i];
			json_t *x = json_pack("{s:s,s:s,s:s,s:b}", "id", e->id, "kind", e->kind, "title",
			                      e->title, "assessable", e->assessable);
			json_object_set_new(x, "parent", e->parent ? json_string(e->parent) : json_null());
			json_array_append_new(arr, x);
		}
		json_object_set_new(o, "entries", arr);
	}
	return o;
}

/* "4 function, 19 category, 72 subcategory" */
static const char *kinds_summary(struct assay_arena *a, const struct assay_catalog *cg)
{
	const char *s = "";
	for (size_t i = 0; i < cg->n_entries; i++) {
		size_t k = 0;
		while (k < i && strcmp(cg->entries[k].kind, cg->entries[i].kind))
			k++;
		if (k == i)
			s = assay_arena_printf(a, "%s%s%zu %s", s, *s ? ", " : "",
			                       assay_catalog_count_kind(cg, cg->entries[i].kind),
			                       cg->entries[i].kind);
	}
	return s;
}

static int render_catalogs(void *vc, FILE *out, struct assay_error *err)
{
	struct ctx *c = vc;
	if (!strcmp(c->format, "json")) {
		json_t *o = head("assay.catalogs/1");
		json_object_set_new(o, "policy", policy_json(c->p));
		json_t *arr = json_array();
		for (size_t i = 0; i < assay_catalog_count(c->p); i++)
			json_array_append_new(arr, catalog_json(assay_catalog_at(c->p, i), 0));
		json_object_set_new(o, "catalogs", arr);
		put_json(out, o);
		return 0;
	}
	for (size_t i = 0; i < assay_catalog_count(c->p); i++) {
		const struct assay_catalog *cg = assay_catalog_at(c->p, i);
		fprintf(out, "%-14s %s\n  version %s; %s; retrieved %s; %s against the primary text\n  %s\n",
		        cg->id, cg->title, cg->version, cg->source, cg->retrieved,
		        cg->verified_against_primary ? "verified" : "NOT verified", kinds_summary(c->a, cg));
	}
	return 0;
}

static int render_catalog(void *vc, FILE *out, struct assay_error *err)
{
	struct ctx *c = vc;
	const struct assay_catalog *cg = assay_catalog_find(c->p, c->name);
	if (!strcmp(c->format, "json")) {
		json_t *o = head("assay.catalog/1");
		json_object_set_new(o, "catalog", catalog_json(cg, 1));
		put_json(out, o);
		return 0;
	}
	fprintf(out, "%s: %s (version %s)\nsource: %s %s\nretrieved %s; %s against the primary text\n%s\n",
	        cg->id, cg->title, cg->version, cg->source, cg->source_url ? cg->source_url : "",
	        cg->retrieved, cg->verified_against_primary ? "verified" : "NOT verified",
	        cg->licence_note ? cg->licence_note : "");
	for (size_t i = 0; i < cg->n_dates; i++)
		fprintf(out, "date %s  %s%s%s\n", cg->dates[i].date, cg->dates[i].what,
		        cg->dates[i].note ? "  " : "", cg->dates[i].note ? cg->dates[i].note : "");
	fputc('\n', out);
	for (size_t i = 0; i < cg->n_entries; i++) {
		const struct assay_catalog_entry *e = &cg->entries[i];
		int depth = 0;
		for (const struct assay_catalog_entry *q = e; q->parent && depth < 8; depth++)
			q = assay_catalog_entry_find(cg, q->parent);
		fprintf(out, "%*s%-*s %s\n", 2 * depth, "", 18 - 2 * depth, e->id, e->title);
	}
	return 0;
}

/* ---- coverage ------------------------------------------------------------------ */

static void html_escape(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
}

static int render_coverage(void *vc, FILE *out, struct assay_error *err)
{
	struct ctx *c = vc;
	const struct assay_coverage *cov;
	size_t n;
	if (assay_policy_coverage(c->p, &cov, &n, c->a, err) != 0)
		return err->code;
	const char *f = c->format;
	if (!strcmp(f, "json")) {
		json_t *o = head("assay.coverage/1");
		json_object_set_new(o, "policy", policy_json(c->p));
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *unc = json_array();
			for (size_t k = 0; k < cov[i].n_uncovered; k++)
				json_array_append_new(unc, json_string(cov[i].uncovered[k]->id));
			json_array_append_new(
			    arr, json_pack("{s:s,s:s,s:I,s:I,s:o}", "catalog", cov[i].catalog->id, "version",
			                   cov[i].catalog->version, "total", (json_int_t)cov[i].total,
			                   "covered", (json_int_t)cov[i].covered, "uncovered", unc));
		}
		json_object_set_new(o, "catalogs", arr);
		put_json(out, o);
		return 0;
	}
	int md = !strcmp(f, "md"), html = !strcmp(f, "html");
	if (md)
		fprintf(
		    out,
		    "# Catalog coverage of policy %s %s\n\npack sha256 `%s`\n\n| catalog | covered | total | "
		    "share | not covered |\n|---|---:|---:|---:|---|\n",
		    assay_policy_name(c->p), assay_policy_version(c->p), assay_policy_sha256(c->p));
	else if (html) {
		fprintf(
		    out,
		    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Catalog "
		    "coverage</title>"
		    "<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
		    "td,th{border:1px solid #ccc;padding:4px "
		    "8px;text-align:left}td.n{text-align:right}</style></head>"
		    "<body>\n<h1>Catalog coverage of policy ");
		html_escape(out, assay_policy_name(c->p));
		fprintf(out,
		        " %s</h1>\n<p>pack sha256 "
		        "<code>%s</code></p>\n<table><tr><th>catalog</th><th>covered</th>"
		        "<th>total</th><th>share</th><th>not covered</th></tr>\n",
		        assay_policy_version(c->p), assay_policy_sha256(c->p));
	} else
		fprintf(out, "policy %s %s, sha256 %s\n", assay_policy_name(c->p), assay_policy_version(c->p),
		        assay_policy_sha256(c->p));
	for (size_t i = 0; i < n; i++) {
		double share = cov[i].total ? 100.0 * (double)cov[i].covered / (double)cov[i].total : 0;
		if (md)
			fprintf(out, "| %s | %zu | %zu | %.0f%% | ", cov[i].catalog->id, cov[i].covered,
			        cov[i].total, share);
		else if (html)
			fprintf(out,
			        "<tr><td>%s</td><td class=n>%zu</td><td class=n>%zu</td><td "
			        "class=n>%.0f%%</td><td>",
			        cov[i].catalog->id, cov[i].covered, cov[i].total, share);
		else
			fprintf(out, "%-14s %3zu / %3zu covered (%.0f%%)%s", cov[i].catalog->id,
			        cov[i].covered, cov[i].total, share,
			        cov[i].n_uncovered ? "\n  not covered: " : "\n");
		for (size_t k = 0; k < cov[i].n_uncovered; k++) {
			fputs(k ? ", " : "", out);
			if (html)
				html_escape(out, cov[i].uncovered[k]->id);
			else
				fputs(cov[i].uncovered[k]->id, out);
		}
		fputs(md ? " |\n" : html ? "</td></tr>\n" : cov[i].n_uncovered ? "\n" : "", out);
	}
	if (html)
		fputs("</table>\n</body></html>\n", out);
	return 0;
}

/* ---- dispatch -------------------------------------------------------------------- */

static int emit(struct ctx *c, assay_render_fn fn, const char *out)
{
	struct assay_error err;
	assay_error_clear(&err);
	int rc = out ? assay_write_atomic(out, fn, c, &err) : fn(c, stdout, &err);
	if (rc)
		return cli_fail("policy", &err);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_OUT, O_POLICY, O_HELP };
	static const struct option LONGOPTS[] = {
	    {"format", 1, 0, O_FORMAT}, {"out", 1, 0, O_OUT}, {"policy", 1, 0, O_POLICY},
	    {"help", 0, 0, O_HELP},     {0, 0, 0, 0},
	};
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.format = "text";
	const char *out = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		switch (opt) {
		case O_FORMAT:
			c.format = optarg;
			break;
		case O_OUT:
			out = optarg;
			break;
		case O_POLICY:
			c.dir = optarg;
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			return 0;
		default:
			return cli_usage_error("policy", "%s", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("policy", "%s",
		                       "which subcommand? lint, show, catalogs, catalog or coverage");
	c.sub = argv[optind++];
	const char *arg = optind < argc ? argv[optind++] : NULL;
	if (optind < argc)
		return cli_usage_error("policy", "unexpected argument \"%s\"", argv[optind]);
	static const char *const SUBS[] = {"lint", "show", "catalogs", "catalog", "coverage"};
	int si = cli_subcommand("policy", c.sub, SUBS, CLI_NSUBS(SUBS));
	if (si < 0)
		return 2;
	size_t s = (size_t)si;
	int coverage = s == 4;
	if (strcmp(c.format, "text") && strcmp(c.format, "json") &&
	    !(coverage && (!strcmp(c.format, "md") || !strcmp(c.format, "html"))))
		return cli_usage_error("policy",
		                       coverage ? "--format is text, json, md or html, not \"%s\""
		                                : "--format is text or json here, not \"%s\"",
		                       c.format);
	if (s == 0 && !arg)
		return cli_usage_error("policy", "%s",
		                       "lint needs the pack directory: assay policy lint DIR");
	if (s == 3 && !arg)
		return cli_usage_error("policy", "%s",
		                       "catalog needs a catalog id (assay policy catalogs lists them)");
	if ((s == 0 || s == 1 || s == 4) && arg) {
		if (c.dir)
			return cli_usage_error("policy", "%s", "give the pack as DIR or --policy, not both");
		c.dir = arg;
	}
	if (s == 2 && arg)
		return cli_usage_error("policy", "unexpected argument \"%s\"", arg);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	c.a = &a;
	struct assay_error err;
	assay_error_clear(&err);
	int rc;
	if (s == 0) {
		if (assay_policy_lint(c.dir, &c.lint, &a, &err) != 0) {
			rc = cli_fail("policy", &err);
		} else {
			if (!c.lint.n_issues && assay_policy_load(&c.p, c.dir, &a, &err) != 0)
				c.p = NULL;
			rc = emit(&c, render_lint, out);
			if (!rc && c.lint.n_issues)
				rc = 2;
		}
		assay_arena_free(&a);
		return rc;
	}
	if (assay_policy_load(&c.p, c.dir, &a, &err) != 0) {
		rc = cli_fail("policy", &err);
		assay_arena_free(&a);
		return rc;
	}
	if (s == 3) {
		c.name = arg;
		if (!assay_catalog_find(c.p, arg)) {
			const char *ids[32];
			size_t n = 0;
			for (size_t i = 0; i < assay_catalog_count(c.p) && n < 32; i++)
				ids[n++] = assay_catalog_at(c.p, i)->id;
			const char *dym = assay_did_you_mean(arg, ids, n);
			fprintf(stderr,
			        "assay policy: no catalog \"%s\"%s%s%s\n  hint: assay policy catalogs lists "
			        "them\n",
			        arg, dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
			assay_arena_free(&a);
			return 2;
		}
	}
	assay_render_fn fns[] = {render_lint, render_show, render_catalogs, render_catalog, render_coverage};
	rc = emit(&c, fns[s], out);
	assay_arena_free(&a);
	return rc;
}
