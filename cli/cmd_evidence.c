/* cmd_evidence.c: `assay evidence add|list|status|verify|show`: evidence
 * files and URLs linked to a system's requirements, stored by content hash,
 * counted into computed completeness. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay evidence add SLUG FILE|URL --requirement KEY [options]\n"
    "       assay evidence list SLUG [--format text|json|md]\n"
    "       assay evidence status SLUG [--require-complete] [--format text|json|md]\n"
    "       assay evidence show E-N [--format text|json]\n"
    "       assay evidence verify\n"
    "\n"
    "Evidence (reports, model cards, threat models, sign-offs) attached to a system's\n"
    "evidence requirements. Files are stored by sha256 beside the database\n"
    "(DB.blobs/ab/cdef...) and verified on read; URLs are recorded, not fetched.\n"
    "`status` computes completeness = satisfied required / required: evidence stops\n"
    "counting when it expires (its --expires date, or collected + the requirement's\n"
    "freshness days). `verify` re-hashes every stored blob (exit 1 on a bad one).\n"
    "\n"
    "add:\n"
    "  --requirement KEY      the requirement it satisfies (`assay tier SLUG --explain`)\n"
    "  --kind KIND            document|metric|test_result|attestation|log (default: the\n"
    "                         requirement's)\n"
    "  --source manual|ci|api (default manual)\n"
    "  --collected DATE       when it was produced (default now)\n"
    "  --expires DATE         stops counting then (default: collected + freshness)\n"
    "  --author NAME          who produced it (default: the actor)\n"
    "  --media-type TYPE      (default: from the extension and content)\n"
    "status:\n"
    "  --require-complete     exit 1 when any requirement is missing or expired\n"
    "\n"
    "%s"
    "\n"
    "Examples:\n"
    "  assay evidence add credit-scoring eval.json --requirement fairness-evaluation\n"
    "  assay evidence add credit-scoring https://wiki/model-card --requirement model-card\n"
    "  assay evidence status credit-scoring --require-complete\n";

enum { O_REQ = 256, O_KIND, O_SOURCE, O_COLLECTED, O_EXPIRES, O_AUTHOR, O_MEDIA, O_COMPLETE, O_HELP };
static const struct option LONGOPTS[] = {
    {"requirement", 1, 0, O_REQ},
    {"kind", 1, 0, O_KIND},
    {"source", 1, 0, O_SOURCE},
    {"collected", 1, 0, O_COLLECTED},
    {"expires", 1, 0, O_EXPIRES},
    {"author", 1, 0, O_AUTHOR},
    {"media-type", 1, 0, O_MEDIA},
    {"require-complete", 0, 0, O_COMPLETE},
    {"help", 0, 0, O_HELP},
    CLI_REG_LONGOPTS,
    {0, 0, 0, 0},
};

struct opts {
	struct cli_reg reg;
	struct assay_evidence_input in;
	int require_complete;
	const char *pos[4];
	int npos;
};

static int parse(int argc, char **argv, struct opts *o)
{
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "-h", LONGOPTS, NULL)) != -1) {
		if (cli_reg_option(&o->reg, c, optarg))
			continue;
		switch (c) {
		case 1:
			if (o->npos == 4)
				return cli_usage_error(o->reg.cmd, "unexpected argument \"%s\"", optarg);
			o->pos[o->npos++] = optarg;
			break;
		case O_REQ:
			o->in.requirement_key = optarg;
			break;
		case O_KIND:
			o->in.kind = optarg;
			break;
		case O_SOURCE:
			o->in.source = optarg;
			break;
		case O_COLLECTED:
			o->in.collected_at = optarg;
			break;
		case O_EXPIRES:
			o->in.expires_at = optarg;
			break;
		case O_AUTHOR:
			o->in.author = optarg;
			break;
		case O_MEDIA:
			o->in.media_type = optarg;
			break;
		case O_COMPLETE:
			o->require_complete = 1;
			break;
		case 'h':
		case O_HELP:
			printf(USAGE, CLI_REG_HELP);
			return -1;
		default:
			return cli_usage_error(o->reg.cmd, "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
	}
	return 0;
}

/* Open, load the pack, find the system and its requirements. */
struct ctx {
	struct assay_arena a;
	struct assay_store *s;
	struct assay_policy *p;
	struct assay_system sys;
	struct assay_tier_result tr;
	struct assay_requirement *reqs;
	size_t nreqs;
};

static int open_system(struct opts *o, struct ctx *x, int write, const char *slug)
{
	struct assay_error err;
	assay_error_clear(&err);
	int rc = cli_reg_policy(&o->reg, &x->a, &x->p);
	if (!rc)
		rc = cli_reg_open(&o->reg, write, 0, &x->s);
	if (!rc && (assay_system_get(x->s, slug, &x->a, &x->sys, &err) ||
	            assay_system_requirements(x->p, &x->sys, &x->a, &x->tr, &x->reqs, &x->nreqs, &err)))
		rc = cli_reg_fail(&o->reg, &err);
	return rc;
}

static int do_add(struct opts *o)
{
	if (o->npos != 2)
		return cli_usage_error(o->reg.cmd, "%s",
		                       "give the system and the file or URL: evidence add SLUG FILE|URL");
	if (!o->in.requirement_key)
		return cli_usage_error(
		    o->reg.cmd, "%s",
		    "--requirement KEY is required (`assay tier SLUG --explain` lists them)");
	struct ctx x;
	memset(&x, 0, sizeof x);
	assay_arena_init(&x.a);
	const char *what = o->pos[1];
	struct stat st;
	if (stat(what, &st) == 0)
		o->in.file = what;
	else if (strstr(what, "://"))
		o->in.url = what;
	else
		o->in.file = what; /* a missing file: the blob store says so */
	int rc = open_system(o, &x, 1, o->pos[0]);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_evidence e;
	if (!rc) {
		o->in.system = x.sys.id;
		if (assay_evidence_add(x.s, &o->in, x.reqs, x.nreqs, &x.a, &e, &err))
			rc = cli_reg_fail(&o->reg, &err);
	}
	rc = cli_reg_close(&o->reg, x.s, rc);
	if (!rc) {
		if (o->reg.fmt == CLI_JSON)
			cli_print_json(assay_evidence_json(&e));
		else
			printf("E-%lld %s: %s for %s (%s%s%s)\n", (long long)e.number, x.sys.slug,
			       e.requirement_key, e.control_id ? e.control_id : "-",
			       e.sha256 ? "sha256 " : "", e.sha256 ? cli_short(&x.a, e.sha256, 12) : "",
			       e.uri ? e.uri : "");
	}
	assay_arena_free(&x.a);
	return rc;
}

static void print_evidence_row(const struct assay_evidence *e, struct assay_arena *a, int md)
{
	const char *what = e->uri ? e->uri : e->filename ? e->filename : "(data)";
	if (md)
		printf("| E-%lld | %s | %s | %s | %s | %s | %s | `%s` |\n", (long long)e->number,
		       e->requirement_key, e->kind, e->source, e->collected_at,
		       e->expires_at ? e->expires_at : "", cli_md_cell(a, what),
		       e->sha256 ? cli_short(a, e->sha256, 12) : "url");
	else
		printf("E-%-5lld %-28s %-12s %-7s %-20s %-12s %s\n", (long long)e->number, e->requirement_key,
		       e->kind, e->source, e->collected_at, e->sha256 ? cli_short(a, e->sha256, 10) : "url",
		       what);
}

static int do_list(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s", "give one system: evidence list SLUG");
	struct ctx x;
	memset(&x, 0, sizeof x);
	assay_arena_init(&x.a);
	int rc = open_system(o, &x, 0, o->pos[0]);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_evidence *v = NULL;
	size_t n = 0;
	if (!rc && assay_evidence_list(x.s, x.sys.id, &x.a, &v, &n, &err))
		rc = cli_reg_fail(&o->reg, &err);
	if (!rc) {
		if (o->reg.fmt == CLI_JSON) {
			json_t *arr = json_array();
			for (size_t i = 0; i < n; i++)
				json_array_append_new(arr, assay_evidence_json(&v[i]));
			cli_print_json(json_pack("{s:s, s:s, s:o}", "schema", "assay.evidence/1", "system",
			                         x.sys.slug, "evidence", arr));
		} else if (o->reg.fmt == CLI_MD) {
			printf("| Ref | Requirement | Kind | Source | Collected | Expires | What | sha256 |\n"
			       "|---|---|---|---|---|---|---|---|\n");
			for (size_t i = 0; i < n; i++)
				print_evidence_row(&v[i], &x.a, 1);
		} else if (!n) {
			printf("%s has no evidence yet (`assay tier %s --explain` lists what it needs)\n",
			       x.sys.slug, x.sys.slug);
		} else {
			printf("%-7s %-28s %-12s %-7s %-20s %-12s %s\n", "REF", "REQUIREMENT", "KIND",
			       "SOURCE", "COLLECTED", "SHA256", "WHAT");
			for (size_t i = 0; i < n; i++)
				print_evidence_row(&v[i], &x.a, 0);
		}
	}
	rc = cli_reg_close(&o->reg, x.s, rc);
	assay_arena_free(&x.a);
	return rc;
}

static int do_status(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s", "give one system: evidence status SLUG");
	struct ctx x;
	memset(&x, 0, sizeof x);
	assay_arena_init(&x.a);
	int rc = open_system(o, &x, 0, o->pos[0]);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_evidence_status st;
	if (!rc && assay_evidence_status(x.s, x.sys.id, x.reqs, x.nreqs, NULL, &x.a, &st, &err))
		rc = cli_reg_fail(&o->reg, &err);
	rc = cli_reg_close(&o->reg, x.s, rc);
	if (rc) {
		assay_arena_free(&x.a);
		return rc;
	}
	/* per control: required and satisfied */
	if (o->reg.fmt == CLI_JSON) {
		json_t *items = json_array(), *controls = json_array();
		for (size_t i = 0; i < st.n; i++) {
			const struct assay_req_status *it = &st.items[i];
			json_array_append_new(
			    items,
			    json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:i}", "requirement", it->req->key,
			              "control", it->req->control_id, "kind", it->req->kind, "freshness_days",
			              (json_int_t)it->req->freshness_days, "state",
			              assay_req_state_name(it->state), "evidence",
			              it->evidence ? json_sprintf("E-%lld", (long long)it->evidence->number)
			                           : json_null(),
			              "expires_at",
			              it->expires_at ? json_string(it->expires_at) : json_null(),
			              "evidence_count", (int)it->nevidence));
		}
		for (size_t c = 0; c < x.tr.n_controls; c++) {
			const char *cid = x.tr.controls[c].control->id;
			size_t req = 0, sat = 0;
			for (size_t i = 0; i < st.n; i++)
				if (!strcmp(st.items[i].req->control_id, cid)) {
					req++;
					sat += st.items[i].state == ASSAY_REQ_SATISFIED;
				}
			json_array_append_new(controls,
			                      json_pack("{s:s, s:i, s:i, s:f}", "control", cid, "required",
			                                (int)req, "satisfied", (int)sat, "completeness",
			                                req ? (double)sat / (double)req : 1.0));
		}
		cli_print_json(json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:i, s:i, s:i, s:i, s:f, s:b, s:o, s:o}",
		    "schema", "assay.evidence_status/1", "system", x.sys.slug, "tier",
		    assay_tier_name(x.tr.tier), "as_of", st.as_of, "computed", "satisfied / required",
		    "policy", "version", x.tr.policy_version, "sha256", x.tr.policy_sha256, "required",
		    (int)st.n, "satisfied", (int)st.satisfied, "expired", (int)st.expired, "missing",
		    (int)st.missing, "completeness", st.completeness, "complete", st.satisfied == st.n,
		    "controls", controls, "requirements", items));
	} else {
		int md = o->reg.fmt == CLI_MD;
		if (md)
			printf("# Evidence status: %s (tier %s)\n\nAs of %s, policy %s %s. Completeness "
			       "**%zu/%zu = %.0f%%** "
			       "(%zu expired, %zu missing).\n\n| Control | Requirement | Kind | State | "
			       "Evidence | Expires |\n"
			       "|---|---|---|---|---|---|\n",
			       x.sys.slug, assay_tier_name(x.tr.tier), st.as_of, x.tr.policy_name,
			       x.tr.policy_version, st.satisfied, st.n, 100 * st.completeness, st.expired,
			       st.missing);
		else
			printf("%s (tier %s): %zu of %zu required evidence satisfied = %.0f%%; %zu expired, "
			       "%zu missing\n"
			       "as of %s, policy %s %s\n\n",
			       x.sys.slug, assay_tier_name(x.tr.tier), st.satisfied, st.n,
			       100 * st.completeness, st.expired, st.missing, st.as_of, x.tr.policy_name,
			       x.tr.policy_version);
		const char *last = NULL;
		for (size_t i = 0; i < st.n; i++) {
			const struct assay_req_status *it = &st.items[i];
			char ev[32] = "-";
			if (it->evidence)
				snprintf(ev, sizeof ev, "E-%lld", (long long)it->evidence->number);
			if (md) {
				printf("| %s | %s | %s | %s | %s | %s |\n", it->req->control_id, it->req->key,
				       it->req->kind, assay_req_state_name(it->state), ev,
				       it->expires_at ? it->expires_at : "");
				continue;
			}
			if (!last || strcmp(last, it->req->control_id)) {
				size_t req = 0, sat = 0;
				for (size_t k = 0; k < st.n; k++)
					if (!strcmp(st.items[k].req->control_id, it->req->control_id)) {
						req++;
						sat += st.items[k].state == ASSAY_REQ_SATISFIED;
					}
				printf("  %s (%zu/%zu)\n", it->req->control_id, sat, req);
				last = it->req->control_id;
			}
			const char *mark = it->state == ASSAY_REQ_SATISFIED ? "ok     "
			                   : it->state == ASSAY_REQ_EXPIRED ? "EXPIRED"
			                                                    : "MISSING";
			printf("    %s %-30s %-12s %-7s %s%s\n", mark, it->req->key, it->req->kind, ev,
			       it->expires_at ? (it->state == ASSAY_REQ_EXPIRED ? "expired " : "until ") : "",
			       it->expires_at ? it->expires_at : "");
		}
	}
	int incomplete = st.satisfied != st.n;
	assay_arena_free(&x.a);
	return o->require_complete && incomplete ? 1 : 0;
}

static int do_show(struct opts *o)
{
	if (o->npos != 1)
		return cli_usage_error(o->reg.cmd, "%s", "give one evidence reference: evidence show E-7");
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_evidence e;
	int rc = cli_reg_open(&o->reg, 0, 0, &s);
	if (!rc && assay_evidence_get(s, o->pos[0], &a, &e, &err))
		rc = cli_reg_fail(&o->reg, &err);
	void *data = NULL;
	size_t n = 0;
	int intact = -1;
	if (!rc && e.sha256) {
		struct assay_error berr;
		assay_error_clear(&berr);
		intact = assay_blob_get(s, e.sha256, &a, &data, &n, &berr) == 0;
		if (!intact) {
			char buf[2048];
			assay_error_format(&berr, buf, sizeof buf);
			fprintf(stderr, "assay %s: %s", o->reg.cmd, buf);
		}
	}
	rc = cli_reg_close(&o->reg, s, rc);
	if (!rc) {
		json_t *j = assay_evidence_json(&e);
		json_object_set_new(j, "blob_intact", intact < 0 ? json_null() : json_boolean(intact));
		if (o->reg.fmt == CLI_JSON) {
			cli_print_json(j);
		} else {
			const char *k;
			json_t *v;
			json_object_foreach(j, k, v)
			{
				char *t =
				    json_is_string(v) ? NULL : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
				printf("%-14s %s\n", k, t ? t : json_string_value(v));
				free(t);
			}
			json_decref(j);
		}
		if (intact == 0)
			rc = 1;
	}
	assay_arena_free(&a);
	return rc;
}

static int do_verify(struct opts *o)
{
	if (o->npos)
		return cli_usage_error(o->reg.cmd, "unexpected argument \"%s\"", o->pos[0]);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_store *s = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	int64_t checked = 0, bad = 0;
	const char *desc = "";
	int rc = cli_reg_open(&o->reg, 0, 0, &s);
	if (!rc && assay_evidence_verify(s, &a, &checked, &bad, &desc, &err))
		rc = cli_reg_fail(&o->reg, &err);
	rc = cli_reg_close(&o->reg, s, rc);
	if (!rc) {
		if (o->reg.fmt == CLI_JSON) {
			cli_print_json(json_pack("{s:I, s:I, s:s}", "checked", (json_int_t)checked, "bad",
			                         (json_int_t)bad, "problems", desc));
		} else {
			fputs(desc, stderr);
			printf("%lld blob%s checked, %lld bad\n", (long long)checked, checked == 1 ? "" : "s",
			       (long long)bad);
		}
		if (bad)
			rc = 1;
	}
	assay_arena_free(&a);
	return rc;
}

int cmd_evidence(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		printf(USAGE, CLI_REG_HELP);
		return argc < 2 ? 2 : 0;
	}
	static const char *const SUBS[] = {"add", "list", "status", "show", "verify"};
	const char *sub = argv[1];
	struct opts o;
	memset(&o, 0, sizeof o);
	char cmdname[32];
	snprintf(cmdname, sizeof cmdname, "evidence %s", sub);
	o.reg.cmd = cmdname;
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc == 0)
		rc = cli_reg_format(&o.reg,
		                    !strcmp(sub, "show") || !strcmp(sub, "verify") || !strcmp(sub, "add")
		                        ? "text or json"
		                        : "text, json or md");
	if (rc == 0) {
		if (!strcmp(sub, "add"))
			rc = do_add(&o);
		else if (!strcmp(sub, "list"))
			rc = do_list(&o);
		else if (!strcmp(sub, "status"))
			rc = do_status(&o);
		else if (!strcmp(sub, "show"))
			rc = do_show(&o);
		else if (!strcmp(sub, "verify"))
			rc = do_verify(&o);
		else {
			cli_subcommand("evidence", sub, SUBS, CLI_NSUBS(SUBS));
			rc = 2;
		}
	}
	return rc < 0 ? 0 : rc;
}
