/* cmd_profile.c: `assay profile`: summarise a dataset into a mergeable
 * profile (assay.profile/1), merge shard profiles, show a profile. Parses
 * options, calls the library, renders: every behaviour lives in lib/. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/arena.h"
#include "assay/output.h"
#include "assay/profile.h"
#include "assay/source.h"
#include "cli.h"

static const char USAGE[] =
    "usage: assay profile --data FILE [--out F.profile.json] [--format json|text|md|html] [options]\n"
    "       assay profile merge A.profile.json B.profile.json ... [--out ALL.profile.json]\n"
    "       assay profile show F.profile.json [--format text|md|html|json] [--out FILE]\n"
    "\n"
    "Summarise a dataset into a mergeable profile: per column the type, counts of\n"
    "present and missing values (empty, NA, NaN, inf), min, max, moments, an exact\n"
    "value map up to --cap distinct values, and past it a KLL quantile sketch and a\n"
    "HyperLogLog distinct count; top values of categorical columns (docs/profiles.md).\n"
    "Profiles of shards merge into exactly the profile of the whole file.\n"
    "Exit status: 0 ok, 2 usage or input error, 3 internal error.\n"
    "\n"
    "Options:\n"
    "  --data FILE            CSV (RFC 4180) or JSONL (.jsonl, .ndjson)\n"
    "  --out FILE             write there atomically (default format json); without it a\n"
    "                         text summary goes to stdout\n"
    "  --format FMT           json, text, md or html\n"
    "  --cap N                distinct values kept exactly per column (default 1048576)\n"
    "  --topk K               frequent values kept per categorical column (default 20)\n"
    "  --columns A,B,...      profile only these columns\n"
    "  --private A,B,...      personal data (names, birth dates, e-mails): keep only counts,\n"
    "                         the type and a distinct estimate, never a value, min, max or\n"
    "                         frequent value, so the profile can be shared\n"
    "  --delimiter C          CSV field separator (default ,; use '\\t' for tab)\n"
    "  --na LIST              extra spellings of missing values, comma-separated\n"
    "  --threads N            worker threads (default: all cores)\n"
    "\n"
    "Examples:\n"
    "  assay profile --data train.csv --out train.profile.json\n"
    "  assay profile --data compas.csv --columns age,race,priors_count\n"
    "  assay profile --data compas.csv --private name,first,last,dob --out compas.profile.json\n"
    "  assay profile merge part-*.profile.json --out all.profile.json\n"
    "  assay profile show train.profile.json --format html --out train.html\n";

struct opts {
	struct cli_data d; /* --data, --delimiter, --columns (a subset here), --na, --threads */
	const char *out, *format, *private_columns;
	uint64_t cap;
	size_t topk;
	int topk_set;
	const char *sub; /* NULL, "merge" or "show" */
	char **files;
	size_t nfiles;
};

enum { O_OUT = 256, O_FORMAT, O_CAP, O_TOPK, O_PRIVATE, O_HELP };

static const struct option LONGOPTS[] = {
    {"data", 1, 0, CLI_O_DATA},       {"out", 1, 0, O_OUT},
    {"format", 1, 0, O_FORMAT},       {"cap", 1, 0, O_CAP},
    {"topk", 1, 0, O_TOPK},           {"columns", 1, 0, CLI_O_COLUMNS},
    {"delimiter", 1, 0, CLI_O_DELIM}, {"na", 1, 0, CLI_O_NA},
    {"threads", 1, 0, CLI_O_THREADS}, {"private", 1, 0, O_PRIVATE},
    {"help", 0, 0, O_HELP},           {0, 0, 0, 0},
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
		case O_OUT:
			o->out = optarg;
			break;
		case O_FORMAT:
			o->format = optarg;
			break;
		case O_CAP:
			if (cli_number("profile", "--cap", optarg, 1, 1e12, 1, &x))
				return 2;
			o->cap = (uint64_t)x;
			break;
		case O_TOPK:
			if (cli_number("profile", "--topk", optarg, 0, 100000, 1, &x))
				return 2;
			o->topk = (size_t)x;
			o->topk_set = 1;
			break;
		case O_PRIVATE:
			o->private_columns = optarg;
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			return -1;
		default: {
			int r = cli_data_option("profile", &o->d, c, optarg);
			if (r < 0)
				return 2;
			if (r)
				break;
			return cli_usage_error("profile", "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
		}
	}
	/* positional arguments: a subcommand and its files */
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (o->nfiles && (strcmp(o->files[0], "merge") == 0 || strcmp(o->files[0], "show") == 0)) {
		o->sub = o->files[0];
		o->files++;
		o->nfiles--;
	} else if (o->nfiles) {
		return cli_usage_error("profile", "unexpected argument \"%s\" (subcommands: merge, show)",
		                       o->files[0]);
	}
	if (o->format && strcmp(o->format, "json") && strcmp(o->format, "text") && strcmp(o->format, "md") &&
	    strcmp(o->format, "html"))
		return cli_usage_error("profile", "--format is json, text, md or html, not \"%s\"",
		                       o->format);
	if (cli_delimiter("profile", &o->d.delimiter))
		return 2;
	if (!o->sub) {
		if (!o->d.path)
			return cli_usage_error("profile", "%s", "--data FILE is required");
	} else {
		if (o->d.path || o->cap || o->topk_set || o->d.columns || o->private_columns ||
		    o->d.delimiter || o->d.na || o->d.threads)
			return cli_usage_error(
			    "profile", "%s",
			    "the data options (--data, --cap, --topk, --columns, --private, --delimiter, "
			    "--na, --threads) are for `assay profile --data`, not merge or show");
		if (strcmp(o->sub, "merge") == 0 && o->nfiles < 1)
			return cli_usage_error("profile", "%s", "merge needs one or more profiles");
		if (strcmp(o->sub, "show") == 0 && o->nfiles != 1)
			return cli_usage_error("profile", "%s", "show takes one profile");
	}
	return 0;
}

struct render_ctx {
	const struct assay_profile *p;
	const char *format;
};

static int render(void *ctx, FILE *out, struct assay_error *err)
{
	struct render_ctx *rc = ctx;
	return assay_profile_render(rc->p, rc->format, out, err);
}

/* To --out atomically, or to stdout. */
static int emit(const struct assay_profile *p, const char *format, const char *out)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct render_ctx rc = {p, format};
	int r = out ? assay_write_atomic(out, render, &rc, &err) : render(&rc, stdout, &err);
	if (r)
		return cli_fail("profile", &err);
	if (out)
		printf("profile: %llu rows, %zu columns -> %s\n", (unsigned long long)p->rows, p->ncolumns,
		       out);
	return 0;
}

static int run_build(struct opts *o, struct assay_arena *a)
{
	struct assay_error err;
	assay_error_clear(&err);
	size_t ncols = 0;
	const char **cols = o->d.columns ? cli_split(a, o->d.columns, &ncols) : NULL;
	if (o->d.columns && ncols == 0)
		return cli_usage_error("profile", "%s", "--columns names no column");
	size_t npriv = 0;
	const char **priv = o->private_columns ? cli_split(a, o->private_columns, &npriv) : NULL;
	if (o->private_columns && npriv == 0)
		return cli_usage_error("profile", "%s", "--private names no column");
	struct cli_progress bar;
	struct assay_source_opts so;
	cli_data_source(&o->d, a, &bar, "profiling", &so);
	struct assay_source *src = NULL;
	if (assay_source_open(&src, &so, &err) != 0)
		return cli_fail("profile", &err);
	struct assay_profile_opts po = {
	    .cap = o->cap,
	    .topk = o->topk,
	    .topk_set = o->topk_set,
	    .columns = cols,
	    .ncolumns = ncols,
	    .private_columns = priv,
	    .nprivate = npriv,
	    .packed = 1, /* short decimals stay 32-bit keys: written as "dk1" without converting */
	};
	struct assay_profile *p = NULL;
	int rc = assay_profile_build(src, &po, &p, &err);
	cli_progress_done(&bar);
	assay_source_free(src);
	if (rc)
		return cli_fail("profile", &err);
	rc = emit(p, o->format ? o->format : o->out ? "json" : "text", o->out);
	assay_profile_free(p);
	return rc;
}

static int run_merge(struct opts *o)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_profile *all = NULL;
	if (assay_profile_read_json(o->files[0], &all, &err))
		return cli_fail("profile", &err);
	for (size_t i = 1; i < o->nfiles; i++) {
		struct assay_profile *p = NULL;
		int rc = assay_profile_read_json(o->files[i], &p, &err);
		if (!rc && (rc = assay_profile_merge(all, p, &err)) != 0 && !err.file[0])
			snprintf(err.file, sizeof err.file, "%s", o->files[i]);
		assay_profile_free(p);
		if (rc) {
			assay_profile_free(all);
			return cli_fail("profile", &err);
		}
	}
	int rc = emit(all, o->format ? o->format : "json", o->out);
	assay_profile_free(all);
	return rc;
}

static int run_show(struct opts *o)
{
	struct assay_error err;
	assay_error_clear(&err);
	struct assay_profile *p = NULL;
	if (assay_profile_read_json(o->files[0], &p, &err))
		return cli_fail("profile", &err);
	int rc = emit(p, o->format ? o->format : "text", o->out);
	assay_profile_free(p);
	return rc;
}

int cmd_profile(int argc, char **argv)
{
	struct opts o;
	memset(&o, 0, sizeof o);
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.sub && strcmp(o.sub, "merge") == 0)
		return run_merge(&o);
	if (o.sub)
		return run_show(&o);
	struct assay_arena a = {0};
	assay_arena_init(&a);
	rc = run_build(&o, &a);
	assay_arena_free(&a);
	return rc;
}
