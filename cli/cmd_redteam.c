/* cmd_redteam.c: `assay redteam run | compare | catalog`: parses options,
 * calls lib/genai (assay/redteam.h) and renders; every behaviour lives in
 * the library.
 *
 * Exit status: run: 0 gate passed, 1 gate failed; compare: 0 no
 * significant regression, 1 a regression; 2 usage or input error;
 * 3 internal error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/output.h"
#include "assay/redteam.h"
#include "cli.h"
#include "cli_registry.h"

static const char USAGE[] =
    "usage: assay redteam run --suite SUITE.yaml [--target SPEC] [options]\n"
    "       assay redteam compare BASELINE.json CURRENT.json [--alpha A]\n"
    "       assay redteam catalog [--format text|json] [--data DIR]\n"
    "\n"
    "Run an attack suite against a GenAI target and gate on the attack success rate\n"
    "per category (OWASP LLM Top 10 2025, MLCommons AILuminate hazards) and on the\n"
    "over-refusal rate of benign prompts; compare two runs for significant regressions.\n"
    "Prompt texts are never printed unless --show-prompts.\n"
    "\n"
    "run:\n"
    "  --suite FILE           the suite (docs/redteam.md)\n"
    "  --target SPEC          openai:BASE_URL, http:URL or exec:COMMAND (overrides the suite)\n"
    "  --model NAME           model name for openai: targets\n"
    "  --api-key-env VAR      environment variable holding the API key (never logged)\n"
    "  --stream               ask openai: targets for SSE streaming\n"
    "  --concurrency N        requests in flight (default: the suite's, else 8)\n"
    "  --timeout S            seconds per attempt (default 60)\n"
    "  --retries N            retries on 429, 5xx and timeouts (default 3)\n"
    "  --rate R               at most R requests per second\n"
    "  --cache DIR            response cache: reruns answer from it without calling the target\n"
    "  --seed N               strategies' random choices and the canary (default: the suite's)\n"
    "  --limit N              run at most N cases (after strategies)\n"
    "  --jsonl FILE           one line per finished case, written as results arrive\n"
    "  --show-prompts         put prompts and answers in the JSONL\n"
    "  --format FMT           text, json, md, html, junit or sarif (default text)\n"
    "  --out FILE             write the report there atomically\n"
    "  --record SYSTEM        store the JSON result as evidence of a registered system\n"
    "  --requirement KEY      the requirement it satisfies (default red-team-report)\n"
    "  --db, --as, --key, --policy   the registry, as for `assay evidence add`\n"
    "compare:\n"
    "  --alpha A              significance level of the one-sided tests (default 0.05)\n"
    "  --format FMT           text, json or md\n"
    "catalog:\n"
    "  --data DIR             where the public sets are (default ../shared/data)\n"
    "\n"
    "Examples:\n"
    "  assay redteam run --suite suites/support-bot.yaml --target openai:http://127.0.0.1:8080/v1 \\\n"
    "        --model my-model --concurrency 32 --format html --out redteam.html\n"
    "  assay redteam run --suite suite.yaml --target 'exec:./my-bot --stdin' --jsonl cases.jsonl\n"
    "  assay redteam run --suite suite.yaml --record support-bot --db governance.db\n"
    "  assay redteam compare baseline.json current.json\n"
    "  assay redteam catalog --format json\n";

enum {
	O_SUITE = 256,
	O_TARGET,
	O_MODEL,
	O_KEYENV,
	O_STREAM,
	O_CONC,
	O_TIMEOUT,
	O_RETRIES,
	O_RATE,
	O_CACHE,
	O_SEED,
	O_LIMIT,
	O_JSONL,
	O_SHOW,
	O_FORMAT,
	O_OUT,
	O_ALPHA,
	O_DATA,
	O_RECORD,
	O_REQUIREMENT,
	O_HELP
};

static const struct option LONGOPTS[] = {
    {"suite", 1, 0, O_SUITE},     {"target", 1, 0, O_TARGET},
    {"model", 1, 0, O_MODEL},     {"api-key-env", 1, 0, O_KEYENV},
    {"stream", 0, 0, O_STREAM},   {"concurrency", 1, 0, O_CONC},
    {"timeout", 1, 0, O_TIMEOUT}, {"retries", 1, 0, O_RETRIES},
    {"rate", 1, 0, O_RATE},       {"cache", 1, 0, O_CACHE},
    {"seed", 1, 0, O_SEED},       {"limit", 1, 0, O_LIMIT},
    {"jsonl", 1, 0, O_JSONL},     {"show-prompts", 0, 0, O_SHOW},
    {"format", 1, 0, O_FORMAT},   {"out", 1, 0, O_OUT},
    {"alpha", 1, 0, O_ALPHA},     {"data", 1, 0, O_DATA},
    {"record", 1, 0, O_RECORD},   {"requirement", 1, 0, O_REQUIREMENT},
    {"db", 1, 0, CLI_O_DB},       {"as", 1, 0, CLI_O_AS},
    {"key", 1, 0, CLI_O_KEY},     {"policy", 1, 0, CLI_O_POLICY},
    {"help", 0, 0, O_HELP},       {0, 0, 0, 0},
};

struct opts {
	const char *suite, *target, *model, *keyenv, *cache, *jsonl, *out, *data;
	int stream, show, format, have_seed;
	long conc, retries;
	double timeout, rate, alpha;
	unsigned long long seed, limit;
	char **rest;
	int nrest;
	struct cli_record rec; /* --record SYSTEM --requirement KEY */
};

static int parse(int argc, char **argv, struct opts *o)
{
	optind = 1;
	opterr = 0;
	o->alpha = 0.05;
	o->conc = o->retries = -1;
	o->timeout = o->rate = -1;
	int c;
	double d = 0;
	while ((c = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		switch (c) {
		case O_SUITE:
			o->suite = optarg;
			break;
		case O_TARGET:
			o->target = optarg;
			break;
		case O_MODEL:
			o->model = optarg;
			break;
		case O_KEYENV:
			o->keyenv = optarg;
			break;
		case O_STREAM:
			o->stream = 1;
			break;
		case O_CACHE:
			o->cache = optarg;
			break;
		case O_JSONL:
			o->jsonl = optarg;
			break;
		case O_SHOW:
			o->show = 1;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_RECORD:
			o->rec.system = optarg;
			break;
		case O_REQUIREMENT:
			o->rec.requirement = optarg;
			break;
		case O_DATA:
			o->data = optarg;
			break;
		case O_CONC:
			if (cli_number("redteam", "--concurrency", optarg, 1, 4096, 1, &d))
				return 2;
			o->conc = (long)d;
			break;
		case O_RETRIES:
			if (cli_number("redteam", "--retries", optarg, 0, 100, 1, &d))
				return 2;
			o->retries = (long)d;
			break;
		case O_TIMEOUT:
			if (cli_number("redteam", "--timeout", optarg, 0.001, 86400, 0, &o->timeout))
				return 2;
			break;
		case O_RATE:
			if (cli_number("redteam", "--rate", optarg, 0.001, 1e6, 0, &o->rate))
				return 2;
			break;
		case O_ALPHA:
			if (cli_number("redteam", "--alpha", optarg, 1e-12, 0.5, 0, &o->alpha))
				return 2;
			break;
		case O_SEED:
			if (cli_number("redteam", "--seed", optarg, 0, 9007199254740992.0, 1, &d))
				return 2;
			o->seed = (unsigned long long)d;
			o->have_seed = 1;
			break;
		case O_LIMIT:
			if (cli_number("redteam", "--limit", optarg, 1, 1e15, 1, &d))
				return 2;
			o->limit = (unsigned long long)d;
			break;
		case O_FORMAT:
			o->format = assay_rt_format_from_name(optarg);
			if (o->format < 0)
				return cli_usage_error(
				    "redteam", "--format is text, json, md, html, junit or sarif, not \"%s\"",
				    optarg);
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			return -1;
		default:
			if (cli_reg_option(&o->rec.reg, c, optarg))
				break;
			return cli_usage_error("redteam", "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
	}
	o->rest = argv + optind;
	o->nrest = argc - optind;
	if (o->rec.system && !o->rec.requirement)
		o->rec.requirement = "red-team-report";
	return cli_record_check("redteam", &o->rec);
}

/* --record: the assay.redteam/1 JSON as evidence (kind test_result; the
 * suite's sha256 as its input). 0 or an exit status already printed. */
static int record(struct opts *o, const struct assay_rt_result *r)
{
	char *buf = NULL;
	size_t n = 0;
	struct assay_error err;
	assay_error_clear(&err);
	FILE *mem = open_memstream(&buf, &n);
	if (!mem) {
		assay_error_set(&err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		return cli_fail("redteam", &err);
	}
	int rc = assay_rt_result_write_json(r, mem, &err);
	fclose(mem);
	if (rc) {
		free(buf);
		return cli_fail("redteam", &err);
	}
	json_t *inputs = json_pack("[{s:s, s:s?, s:s?}]", "role", "suite", "path", r->suite_path, "sha256",
	                           r->suite_sha256);
	struct cli_record_what what = {"redteam", "assay.redteam/1", "assay-redteam.json", "test_result"};
	rc = cli_record_result(&o->rec, &what, buf, n, !r->gate_failed, inputs);
	json_decref(inputs);
	free(buf);
	return rc;
}

struct render {
	const struct assay_rt_result *r;
	const struct assay_rt_compare *c;
	enum assay_rt_format f;
	const char *data;
};

static int render_run(void *ctx, FILE *out, struct assay_error *err)
{
	struct render *x = ctx;
	return assay_rt_report(x->r, x->f, out, err);
}

static int render_compare(void *ctx, FILE *out, struct assay_error *err)
{
	struct render *x = ctx;
	return assay_rt_compare_report(x->c, x->f, out, err);
}

static int render_catalog(void *ctx, FILE *out, struct assay_error *err)
{
	struct render *x = ctx;
	return assay_rt_catalog_report(x->f, x->data, out, err);
}

static int emit(const char *path, assay_render_fn fn, void *ctx, struct assay_error *err)
{
	return path ? assay_write_atomic(path, fn, ctx, err) : fn(ctx, stdout, err);
}

static int run(struct opts *o)
{
	if (!o->suite)
		return cli_usage_error("redteam", "run needs --suite FILE%s", "");
	if (o->nrest)
		return cli_usage_error("redteam", "unexpected argument \"%s\"", o->rest[0]);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_rt_suite *s = NULL;
	if (assay_rt_suite_load(&s, o->suite, &err))
		return cli_fail("redteam", &err);
	if (o->target && assay_target_parse(o->target, &s->target, &err)) {
		assay_rt_suite_free(s);
		return cli_fail("redteam", &err);
	}
	if (o->model)
		s->target.model = o->model;
	if (o->keyenv)
		s->target.api_key_env = o->keyenv;
	if (o->stream)
		s->target.stream = 1;
	if (o->timeout > 0)
		s->target.timeout_s = o->timeout;
	if (o->retries >= 0)
		s->target.retries = (int)o->retries;
	if (o->rate > 0)
		s->target.rate = o->rate;
	if (o->cache)
		s->target.cache_dir = o->cache;
	if (o->have_seed) {
		s->seed = o->seed;
		s->target.seed = o->seed;
	}
	FILE *jsonl = NULL;
	if (o->jsonl && !(jsonl = fopen(o->jsonl, "w"))) {
		assay_rt_suite_free(s);
		assay_error_set(&err, ASSAY_EIO, o->jsonl, 0, 0, "cannot create the JSONL file");
		return cli_fail("redteam", &err);
	}
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct cli_progress prog;
	cli_progress_init(&prog, "redteam");
	struct assay_rt_run_opts ro = {
	    .concurrency = (int)o->conc,
	    .jsonl = jsonl,
	    .show_prompts = o->show,
	    .limit = (size_t)o->limit,
	    .timestamp = cli_timestamp(&a),
	    .progress = cli_progress_update,
	    .progress_ud = &prog,
	};
	struct assay_rt_result *r = NULL;
	int rc = assay_rt_run(s, &ro, &r, &err);
	cli_progress_done(&prog);
	if (jsonl)
		fclose(jsonl);
	int status;
	if (rc) {
		status = cli_fail("redteam", &err);
	} else {
		struct render x = {.r = r, .f = (enum assay_rt_format)o->format};
		if (emit(o->out, render_run, &x, &err))
			status = cli_fail("redteam", &err);
		else
			status = r->gate_failed ? 1 : 0;
		if (status <= 1 && o->rec.system) {
			int st = record(o, r);
			if (st)
				status = st;
		}
		if (o->out || o->format != ASSAY_RT_TEXT)
			fprintf(
			    stderr,
			    "assay redteam: %llu attacks, %llu succeeded; over-refusal %llu/%llu; gate %s\n",
			    (unsigned long long)r->total.attempts, (unsigned long long)r->total.successes,
			    (unsigned long long)r->benign_refusals, (unsigned long long)r->benign_attempts,
			    r->gate_failed ? "FAIL" : "pass");
	}
	assay_rt_result_free(r);
	assay_rt_suite_free(s);
	assay_arena_free(&a);
	return status;
}

static int compare(struct opts *o)
{
	if (o->nrest != 2)
		return cli_usage_error("redteam", "compare takes BASELINE.json CURRENT.json%s", "");
	if (o->format != ASSAY_RT_TEXT && o->format != ASSAY_RT_JSON && o->format != ASSAY_RT_MD)
		return cli_usage_error("redteam", "compare writes text, json or md%s", "");
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_rt_result *b = NULL, *c = NULL;
	struct assay_rt_compare *cmp = NULL;
	int status;
	if (assay_rt_result_read_json(&b, o->rest[0], &err) ||
	    assay_rt_result_read_json(&c, o->rest[1], &err) ||
	    assay_rt_compare_results(b, c, o->alpha, &cmp, &err)) {
		status = cli_fail("redteam", &err);
	} else {
		cmp->base_path = o->rest[0];
		cmp->cur_path = o->rest[1];
		cmp->base_sha256 = b->suite_sha256;
		cmp->cur_sha256 = c->suite_sha256;
		struct render x = {.c = cmp, .f = (enum assay_rt_format)o->format};
		status = emit(o->out, render_compare, &x, &err) ? cli_fail("redteam", &err)
		         : cmp->regressions                     ? 1
		                                                : 0;
	}
	assay_rt_compare_free(cmp);
	assay_rt_result_free(b);
	assay_rt_result_free(c);
	return status;
}

static int catalog(struct opts *o)
{
	if (o->format != ASSAY_RT_TEXT && o->format != ASSAY_RT_JSON)
		return cli_usage_error("redteam", "catalog writes text or json%s", "");
	struct assay_error err;
	assay_error_clear(&err);
	struct render x = {.f = (enum assay_rt_format)o->format,
	                   .data = o->data ? o->data : "../shared/data"};
	return emit(o->out, render_catalog, &x, &err) ? cli_fail("redteam", &err) : 0;
}

int cmd_redteam(int argc, char **argv)
{
	if (argc < 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		fputs(USAGE, stdout);
		return 0;
	}
	struct opts o = {0};
	int rc = parse(argc - 1, argv + 1, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (!strcmp(sub, "run"))
		return run(&o);
	if (!strcmp(sub, "compare"))
		return compare(&o);
	if (!strcmp(sub, "catalog"))
		return catalog(&o);
	static const char *const SUBS[] = {"run", "compare", "catalog"};
	cli_subcommand("redteam", sub, SUBS, CLI_NSUBS(SUBS));
	return 2;
}
