/* cmd_check.c: `assay check`: data-quality and privacy expectations on a
 * dataset, and `--suggest` to draft an expectations file. Parses options,
 * calls the library (assay/expect.h), renders: every behaviour lives in
 * lib/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "assay/arena.h"
#include "assay/expect.h"
#include "assay/profile.h"
#include "assay/report.h"
#include "assay/source.h"
#include "assay/version.h"
#include "cli.h"

static const char USAGE[] =
    "usage: assay check --data FILE --expect EXPECTATIONS.yaml [options]\n"
    "       assay check --suggest (--data FILE | --profile F.profile.json) [--sensitive COLS] [--out FILE]\n"
    "\n"
    "Check a dataset against its expectations: schema and types, not null, unique,\n"
    "values in a set, between, regex (PCRE2), string length, row count, mean, median\n"
    "and quantiles, share of missing values, freshness, relationships between columns.\n"
    "Each expectation passes or fails with rows checked, rows failing and the first\n"
    "failing rows by file line; values of columns listed under `sensitive:` are never shown.\n"
    "Exit status: 0 all pass, 1 an expectation failed, 2 usage or input error, 3 internal error.\n"
    "\n"
    "Inputs:\n"
    "  --data FILE            CSV (RFC 4180) or JSONL (.jsonl, .ndjson)\n"
    "  --expect FILE          YAML expectations (docs/check.md)\n"
    "  --delimiter C          CSV field separator (default ,; use '\\t' for tab)\n"
    "  --no-header --columns A,B,...   CSV without a header row\n"
    "  --na LIST              extra spellings of missing values, comma-separated\n"
    "\n"
    "Checking:\n"
    "  --examples N           failing rows listed per expectation (default 5)\n"
    "  --now TIME             reference time for freshness, RFC 3339 (default: the\n"
    "                         expectation's `now:`, else the clock)\n"
    "\n"
    "Drafting:\n"
    "  --suggest              print a draft expectations file drawn from --data\n"
    "  --profile FILE         with --suggest: draw it from a stored profile (assay profile) instead\n"
    "  --sensitive COLS       with --suggest: columns to list as sensitive (no values copied)\n"
    "  --max-set N            with --suggest: in_set for columns with at most N values (default 20)\n"
    "\n"
    "Output:\n"
    "  --format FMT           text, json, md, html or junit (default text)\n"
    "  --out FILE             write there atomically; a brief summary goes to stdout\n"
    "  --color auto|always|never  colours in text output (default auto)\n"
    "\n"
    "Examples:\n"
    "  assay check --data today.csv --expect contract.yaml --format junit --out quality.xml\n"
    "  assay check --suggest --data train.csv --sensitive name,email > contract.yaml\n";

struct opts {
	struct cli_data d; /* --data, --delimiter, --no-header, --columns, --na */
	const char *expect, *out, *format, *color, *now, *sensitive, *profile;
	int suggest;
	size_t examples, max_set;
	int examples_set;
};

enum {
	O_EXPECT = 256,
	O_SUGGEST,
	O_SENS,
	O_MAX_SET,
	O_EXAMPLES,
	O_NOW,
	O_FORMAT,
	O_OUT,
	O_COLOR,
	O_PROFILE,
	O_HELP
};

static const struct option LONGOPTS[] = {
    {"data", 1, 0, CLI_O_DATA},
    {"expect", 1, 0, O_EXPECT},
    {"suggest", 0, 0, O_SUGGEST},
    {"sensitive", 1, 0, O_SENS},
    {"max-set", 1, 0, O_MAX_SET},
    {"examples", 1, 0, O_EXAMPLES},
    {"now", 1, 0, O_NOW},
    {"delimiter", 1, 0, CLI_O_DELIM},
    {"no-header", 0, 0, CLI_O_NO_HEADER},
    {"columns", 1, 0, CLI_O_COLUMNS},
    {"na", 1, 0, CLI_O_NA},
    {"format", 1, 0, O_FORMAT},
    {"out", 1, 0, O_OUT},
    {"color", 1, 0, O_COLOR},
    {"profile", 1, 0, O_PROFILE},
    {"help", 0, 0, O_HELP},
    {0, 0, 0, 0},
};

/* 0 to go on, -1 after --help, or the exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	optind = 1;
	opterr = 0;
	int c;
	double x;
	while ((c = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		switch (c) {
		case O_EXPECT:
			o->expect = optarg;
			break;
		case O_SUGGEST:
			o->suggest = 1;
			break;
		case O_SENS:
			o->sensitive = optarg;
			break;
		case O_MAX_SET:
			if (cli_number("check", "--max-set", optarg, 0, 10000, 1, &x))
				return 2;
			o->max_set = (size_t)x;
			if (!o->max_set)
				return cli_usage_error("check", "--max-set must be at least 1, not \"%s\"",
				                       optarg);
			break;
		case O_EXAMPLES:
			if (cli_number("check", "--examples", optarg, 0, 1000, 1, &x))
				return 2;
			o->examples = (size_t)x;
			o->examples_set = 1;
			break;
		case O_NOW:
			o->now = optarg;
			break;
		case O_FORMAT:
			o->format = optarg;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case O_COLOR:
			o->color = optarg;
			break;
		case O_PROFILE:
			o->profile = optarg;
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			return -1;
		default:
			if (cli_data_option("check", &o->d, c, optarg) == 1)
				break;
			return cli_usage_error("check", "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);
	if (o->profile && !o->suggest)
		return cli_usage_error("check", "%s",
		                       "--profile goes with --suggest (checks read the data itself)");
	if (o->profile && o->d.path)
		return cli_usage_error("check", "%s",
		                       "--suggest drafts from --data or from --profile, not both");
	if (!o->d.path && !o->profile)
		return cli_usage_error("check", "%s", "--data FILE is required");
	if (!o->suggest && !o->expect)
		return cli_usage_error("check", "%s",
		                       "--expect FILE is required (or --suggest to draft one)");
	if (o->suggest && o->expect)
		return cli_usage_error("check", "%s",
		                       "--suggest drafts an expectations file: leave out --expect");
	if (!o->suggest && (o->sensitive || o->max_set))
		return cli_usage_error(
		    "check", "%s",
		    "--sensitive and --max-set go with --suggest (the file lists sensitive columns)");
	if (o->suggest && o->format)
		return cli_usage_error("check", "%s", "--suggest prints YAML: leave out --format");
	if (o->format && assay_report_format_from_name(o->format) < 0)
		return cli_usage_error("check", "--format is text, json, md, html or junit, not \"%s\"",
		                       o->format);
	if (cli_color_check("check", o->color))
		return 2;
	if (cli_delimiter("check", &o->d.delimiter))
		return 2;
	if (o->d.no_header != (o->d.columns != NULL))
		return cli_usage_error("check", "%s", "--no-header and --columns go together");
	return 0;
}

/* RFC 3339 "2026-01-01T00:00:00Z" (or with an offset) to epoch seconds. */
static int parse_now(const char *s, int64_t *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end) {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (!end)
		return -1;
	int64_t off = 0;
	if (*end == 'Z' || *end == 'z') {
		end++;
	} else if (*end == '+' || *end == '-') {
		int h, m;
		if (sscanf(end + 1, "%2d:%2d", &h, &m) != 2)
			return -1;
		off = (*end == '-' ? -1 : 1) * (h * 3600 + m * 60);
		end += 6;
	}
	if (*end)
		return -1;
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}

struct render_ctx {
	const struct assay_check_report *r;
	int fmt;
	struct assay_check_render_opts ro;
};

static int render(void *ctx, FILE *out, struct assay_error *err)
{
	struct render_ctx *rc = ctx;
	return assay_report_check(rc->r, rc->fmt, &rc->ro, out, err);
}

struct suggest_ctx {
	struct assay_source *src;
	const struct assay_profile *profile;
	struct assay_suggest_opts so;
};

static int render_suggest(void *ctx, FILE *out, struct assay_error *err)
{
	struct suggest_ctx *s = ctx;
	return s->profile ? assay_expect_suggest_profile(s->profile, &s->so, out, err)
	                  : assay_expect_suggest(s->src, &s->so, out, err);
}

/* --suggest --profile: a draft from a stored profile, no data read. */
static int suggest_from_profile(struct opts *o, struct assay_arena *a)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_profile *prof = NULL;
	if (assay_profile_read_json(o->profile, &prof, &err) != 0)
		return cli_fail("check", &err);
	struct suggest_ctx sc = {NULL, prof, {o->max_set, NULL, 0}};
	if (o->sensitive)
		sc.so.sensitive = cli_split(a, o->sensitive, &sc.so.nsensitive);
	int rc = o->out ? assay_write_atomic(o->out, render_suggest, &sc, &err)
	                : render_suggest(&sc, stdout, &err);
	assay_profile_free(prof);
	if (rc)
		return cli_fail("check", &err);
	if (o->out)
		fprintf(stderr, "expectations drafted in %s: review them before use\n", o->out);
	return 0;
}

static int run(struct opts *o, struct assay_arena *a)
{
	if (o->profile)
		return suggest_from_profile(o, a);
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_check_params p;
	assay_check_params_init(&p);
	if (o->examples_set)
		p.examples = o->examples;
	if (o->now) {
		if (parse_now(o->now, &p.now) != 0)
			return cli_usage_error(
			    "check", "--now expects an RFC 3339 time, e.g. 2026-01-01T00:00:00Z, not \"%s\"",
			    o->now);
		p.has_now = 1;
	}
	struct assay_expectations *e = NULL;
	if (o->expect && assay_expect_load(&e, o->expect, &err) != 0)
		return cli_fail("check", &err);

	/* one worker: example rows carry file line numbers (assay/expect.h) */
	struct cli_progress bar;
	struct assay_source_opts so;
	cli_data_source(&o->d, a, &bar, "checking", &so);
	so.threads = 1;
	p.no_header = o->d.no_header;
	struct assay_source *src = NULL;
	if (assay_source_open(&src, &so, &err) != 0) {
		assay_expect_free(e);
		return cli_fail("check", &err);
	}
	int rc;
	if (o->suggest) {
		struct suggest_ctx sc = {src, NULL, {o->max_set, NULL, 0}};
		if (o->sensitive)
			sc.so.sensitive = cli_split(a, o->sensitive, &sc.so.nsensitive);
		rc = o->out ? assay_write_atomic(o->out, render_suggest, &sc, &err)
		            : render_suggest(&sc, stdout, &err);
		cli_progress_done(&bar);
		assay_source_free(src);
		if (rc)
			return cli_fail("check", &err);
		if (o->out)
			fprintf(stderr, "expectations drafted in %s: review them before use\n", o->out);
		return 0;
	}

	struct assay_check_report r;
	memset(&r, 0, sizeof r);
	r.schema = "assay.check/1";
	r.tool_version = assay_version();
	r.generated_at = cli_timestamp(a);
	rc = assay_expect_run(e, src, &p, a, &r, &err);
	cli_progress_done(&bar);
	assay_source_free(src);
	if (rc) {
		assay_expect_free(e);
		return cli_fail("check", &err);
	}
	struct assay_check_input *in = &r.inputs[r.ninputs++];
	in->role = "expectations";
	in->path = assay_arena_strdup(a, assay_expect_path(e));
	memcpy(in->sha256, assay_expect_sha256(e), sizeof in->sha256);
	struct stat ps;
	if (stat(o->expect, &ps) == 0)
		in->bytes = (uint64_t)ps.st_size;

	int fmt = o->format ? assay_report_format_from_name(o->format) : ASSAY_REPORT_TEXT;
	int color = cli_color_on(o->color, STDOUT_FILENO);
	struct render_ctx ctx = {&r, fmt, {fmt == ASSAY_REPORT_TEXT && color, 0}};
	if (o->out) {
		rc = assay_write_atomic(o->out, render, &ctx, &err);
		if (!rc) {
			struct render_ctx brief = {&r, ASSAY_REPORT_TEXT, {color, 1}};
			rc = render(&brief, stdout, &err);
			fprintf(stdout, "report written to %s\n", o->out);
		}
	} else {
		rc = render(&ctx, stdout, &err);
	}
	/* the report points into e's strings: free it last */
	int passed = r.passed;
	assay_expect_free(e);
	if (rc)
		return cli_fail("check", &err);
	return passed ? 0 : 1;
}

int cmd_check(int argc, char **argv)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_args(argc, argv, &o);
	if (rc == 0)
		rc = run(&o, &a);
	else if (rc < 0)
		rc = 0;
	assay_arena_free(&a);
	return rc;
}
