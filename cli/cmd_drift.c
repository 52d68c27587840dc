/* cmd_drift.c: `assay drift`: compare a reference and a current dataset,
 * each given as data (CSV/JSONL, profiled on the fly) or as a stored
 * *.profile.json. Parses options, calls the library (assay_profile_build
 * or assay_profile_read_json, both sides at once; for a stored reference
 * also assay_drift_ref_stats_new while the current file is read; then
 * assay_drift_compare), renders: every behaviour lives in lib/. Exit 1 when drift is detected, 0 otherwise, 2
 * on usage or input errors, 3 on internal errors.
 */
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assay/drift.h"
#include "assay/hash.h"
#include "assay/output.h"
#include "assay/profile.h"
#include "assay/report.h"
#include "assay/source.h"
#include "cli.h"

static const char USAGE[] =
    "usage: assay drift --reference REF --current CUR [options]\n"
    "\n"
    "Compare the distribution of every column of CUR with REF. Each of REF and CUR\n"
    "is a data file (CSV or JSONL, profiled on the fly) or a profile written by\n"
    "`assay profile` (*.profile.json): a stored reference is not re-read.\n"
    "Exit status: 0 no drift, 1 drift detected, 2 usage or input error, 3 internal error.\n"
    "\n"
    "Methods (docs/drift.md):\n"
    "  --method M             every column: auto, ks, chi2, z, psi, js, wasserstein, kl, hellinger\n"
    "                         (auto: KS p-value for numeric columns, chi-square for categorical)\n"
    "  --method COL=M         one column (repeatable)\n"
    "  --threshold T          threshold of the deciding method (default: 0.05 for p-values,\n"
    "                         0.1 for distances); COL=T for one column (repeatable)\n"
    "  --drift-share S        dataset drift when this share of columns drifted (default 0.5)\n"
    "  --label COL            the label column: its drift is reported apart and fails the run\n"
    "  --pred COL             the prediction column: likewise\n"
    "  --js-base 2|e          log base of the Jensen-Shannon distance (default 2)\n"
    "  --deciding-only        compute only what the deciding methods need (Wasserstein is\n"
    "                         then null unless it decides; ~5% faster); default: everything\n"
    "  --compat evidently     Evidently 0.7's defaults: method by size, Sturges bins,\n"
    "                         natural-log JS, normalised Wasserstein, chi-square goodness of fit\n"
    "\n"
    "Data files:\n"
    "  --columns A,B,...      compare only these columns (data and profiles)\n"
    "  --private A,B,...      personal data: never compared or shown, only counted (a side\n"
    "                         that is a profile made with `assay profile --private` already is)\n"
    "  --cap N                distinct values kept exactly per column when profiling a data\n"
    "                         file (default: no cap: exact however many; memory 4 bytes a row\n"
    "                         for short decimals, ~24 per distinct value otherwise); past N,\n"
    "                         columns become sketches (approximate)\n"
    "  --delimiter C          CSV field separator (default ,)\n"
    "  --na LIST              extra spellings of missing values, comma-separated\n"
    "  --threads N            worker threads (default: all cores)\n"
    "\n"
    "Output:\n"
    "  --format FMT           text, json, md, html or junit (default text)\n"
    "  --out FILE             write the report there atomically\n"
    "\n"
    "Examples:\n"
    "  assay profile --data train.csv --out train.profile.json\n"
    "  assay drift --reference train.profile.json --current today.csv --format html --out drift.html\n"
    "  assay drift --reference 2013.csv --current 2014.csv --label two_year_recid \\\n"
    "              --method age=psi --threshold age=0.2 --format json\n";

#define MAX_OVERRIDES 256

struct opts {
	struct assay_drift_params p;
	const char *ref, *cur, *out, *format, *delimiter, *columns, *private_arg, *na_arg;
	int threads;
	uint64_t cap; /* profile cap for data inputs (UINT64_MAX: none) */
	struct assay_drift_override ov[MAX_OVERRIDES];
	size_t nov;
	char *buf[2 * MAX_OVERRIDES + 2];
	size_t nbuf;
	/* --na and --columns, split once before both sides load */
	struct assay_arena arena;
	const char **na, **cols, **priv;
	size_t nna, ncols, npriv;
};

static struct assay_drift_override *override_for(struct opts *o, const char *col)
{
	for (size_t i = 0; i < o->nov; i++)
		if (strcmp(o->ov[i].column, col) == 0)
			return &o->ov[i];
	if (o->nov == MAX_OVERRIDES)
		return NULL;
	struct assay_drift_override *v = &o->ov[o->nov++];
	v->column = col;
	v->method = ASSAY_DRIFT_AUTO;
	v->threshold = NAN;
	return v;
}

/* "M" or "COL=M" */
static int parse_method(struct opts *o, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	int m = assay_drift_method_from_name(eq ? eq + 1 : arg);
	if (m < 0)
		return cli_usage_error("drift",
		                       "--method: unknown method \"%s\" (auto, ks, chi2, z, psi, js, "
		                       "wasserstein, kl, hellinger)",
		                       eq ? eq + 1 : arg);
	if (!eq) {
		o->p.method = (enum assay_drift_method)m;
		return 0;
	}
	char *col = strndup(arg, (size_t)(eq - arg));
	o->buf[o->nbuf++] = col;
	struct assay_drift_override *v = override_for(o, col);
	if (!v)
		return cli_usage_error("drift", "--method: too many overrides (%s)", arg);
	v->method = (enum assay_drift_method)m;
	return 0;
}

static int parse_number(const char *s, double *out)
{
	char *end;
	*out = strtod(s, &end);
	return *s && !*end && isfinite(*out) ? 0 : -1;
}

static int parse_threshold(struct opts *o, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	double t;
	if (parse_number(eq ? eq + 1 : arg, &t) != 0 || t < 0)
		return cli_usage_error("drift", "--threshold: expected a non-negative number, found \"%s\"",
		                       arg);
	if (!eq) {
		o->p.threshold = t;
		return 0;
	}
	char *col = strndup(arg, (size_t)(eq - arg));
	o->buf[o->nbuf++] = col;
	struct assay_drift_override *v = override_for(o, col);
	if (!v)
		return cli_usage_error("drift", "--threshold: too many overrides (%s)", arg);
	v->threshold = t;
	return 0;
}

static int load(const struct opts *o, const char *path, int is_profile, int alone,
                const _Atomic uint64_t *hashed, struct assay_profile **out, struct assay_error *err)
{
	if (is_profile)
		return assay_profile_read_json(path, out, err);
	/* The only data side (the other is a stored profile, read in a
	 * fraction of the time): a worker per core rather than the default one
	 * per core but the hashing thread's, since nothing else is left to
	 * run on the second core. */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct assay_source_opts so = {.path = path,
	                               .threads = o->threads           ? o->threads
	                                          : alone && cores > 1 ? (int)cores
	                                                               : 0,
	                               .na = o->na,
	                               .nna = o->nna,
	                               .no_hash = hashed != NULL,
	                               .hashed = hashed,
	                               .delimiter = o->delimiter ? o->delimiter[0] : 0};
	struct assay_source *src = NULL;
	int rc = assay_source_open(&src, &so, err);
	if (rc == 0) {
		struct assay_profile_opts po = {.columns = o->cols,
		                                .ncolumns = o->ncols,
		                                .cap = o->cap,
		                                .private_columns = o->priv,
		                                .nprivate = o->npriv,
		                                .packed = 1,
		                                .skip_moments = 1,
		                                /* columns of short decimals unsorted:
		                                 * compared by buckets (lib/drift/bucket.c) */
		                                .raw_keys = 1};
		rc = assay_profile_build(src, &po, out, err);
	}
	assay_source_free(src);
	return rc;
}

/* Loading the reference and the current data at once: with the default of
 * one worker per core but one (the SHA-256 thread's), one build keeps a
 * single core busy, so the two sides overlap on two cores (1M-row bench:
 * 1.33 s -> see bench/README.md). The library has no global state, so two
 * builds may run concurrently. */
struct load_job {
	const struct opts *o;
	const char *path;
	int is_profile;                 /* a stored profile, not data */
	int alone;                      /* the other side is a profile */
	int ahead;                      /* a stored reference: compute its own statistics after reading it */
	const _Atomic uint64_t *hashed; /* data hashed by the pair thread (load_both), not by
	                                   the scan: its progress */
	struct assay_profile *p;
	int rc;
	struct assay_error err;
	struct assay_drift_ref_stats *stats; /* the reference's own statistics, or NULL */
};

static void *load_thread(void *arg)
{
	struct load_job *j = arg;
	j->rc = load(j->o, j->path, j->is_profile, j->alone, j->hashed, &j->p, &j->err);
	/* A stored reference is read long before the current data are: its
	 * own statistics are computed here, while the scan goes on, instead of
	 * after it (bench/README.md, drift session 5). Out of memory here only
	 * leaves them to the comparison. */
	if (j->rc == 0 && j->ahead) {
		struct assay_error e;
		assay_error_clear(&e);
		(void)assay_drift_ref_stats_new(j->p, &j->o->p, &j->stats, &e);
	}
	return NULL;
}

/* Whether the stored reference's own statistics are worth computing
 * while the current file is scanned: they run on one thread after the
 * profile is read (1M-row bench: ~35 ms read, ~35 ms statistics, against
 * a 55 MB scan of ~0.2 s), so only when the scan is the longer of the two,
 * i.e. the current file has at least 4 times the profile's bytes (the
 * bench: 55 vs 11.4 MB); else the comparison computes them on all cores. */
static int ahead_pays(const char *profile, const char *data)
{
	struct stat sp, sd;
	return stat(profile, &sp) == 0 && stat(data, &sd) == 0 && sd.st_size / 4 >= sp.st_size;
}

/* Two data files: their SHA-256s on one more thread, as two interleaved
 * streams (assay_sha256_file_pair: 1.32x the bytes per second of the two
 * scans' own one-stream hashes, ~5% of a 10M-row drift's CPU), while the
 * scans only tokenize (bench/README.md, drift session 9). */
struct pair_hash {
	const char *path[2];
	unsigned char md[2][32];
	uint64_t size[2];
	_Atomic uint64_t done[2]; /* the scans keep pace with it (assay_source_opts.hashed) */
	atomic_int stop;          /* a load failed: the hashes are not needed */
	int rc;
	struct assay_error err;
};

static void *pair_hash_main(void *arg)
{
	struct pair_hash *h = arg;
	h->rc = assay_sha256_file_pair(h->path, h->md, h->size, h->done, &h->stop, &h->err);
	return NULL;
}

static void set_sha256(struct assay_profile *p, const unsigned char md[32])
{
	assay_hex(md, 32, p->sha256);
	if (p->ninputs)
		memcpy(p->inputs[0].sha256, p->sha256, sizeof p->sha256);
}

/* Both sides; on failure the reference's error wins (as if loaded first). */
static int load_both(const struct opts *o, struct load_job *ref, struct load_job *cur)
{
	ref->o = cur->o = o;
	ref->path = o->ref;
	cur->path = o->cur;
	/* each path looked at once (it may be opened to read its head) */
	ref->is_profile = assay_profile_is_file(o->ref);
	cur->is_profile = assay_profile_is_file(o->cur);
	ref->alone = cur->is_profile;
	cur->alone = ref->is_profile;
	ref->ahead = ref->is_profile && !cur->is_profile && ahead_pays(o->ref, o->cur);
	assay_error_clear(&ref->err);
	assay_error_clear(&cur->err);
	struct pair_hash ph = {.path = {o->ref, o->cur}};
	atomic_init(&ph.stop, 0);
	atomic_init(&ph.done[0], 0);
	atomic_init(&ph.done[1], 0);
	assay_error_clear(&ph.err);
	pthread_t ht;
	int hashing = !ref->is_profile && !cur->is_profile && o->threads != 1 &&
	              sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
	              pthread_create(&ht, NULL, pair_hash_main, &ph) == 0;
	ref->hashed = hashing ? &ph.done[0] : NULL;
	cur->hashed = hashing ? &ph.done[1] : NULL;
	pthread_t t;
	int threaded = pthread_create(&t, NULL, load_thread, ref) == 0;
	if (!threaded)
		load_thread(ref);
	load_thread(cur);
	if (threaded)
		pthread_join(t, NULL);
	if (hashing) {
		if (ref->rc || cur->rc)
			atomic_store(&ph.stop, 1);
		pthread_join(ht, NULL);
		if (!ref->rc && !cur->rc && ph.rc) {
			ref->rc = ph.rc;
			ref->err = ph.err;
		} else if (!ref->rc && !cur->rc) {
			set_sha256(ref->p, ph.md[0]);
			set_sha256(cur->p, ph.md[1]);
		}
	}
	return ref->rc ? ref->rc : cur->rc;
}

struct render_ctx {
	const struct assay_drift_report *r;
	int format;
};

static int render(void *ctx, FILE *out, struct assay_error *err)
{
	const struct render_ctx *c = ctx;
	return assay_report_drift(c->r, c->format, out, err);
}

static int parse(struct opts *o, int argc, char **argv, int *done)
{
	enum {
		O_REF = 256,
		O_CUR,
		O_METHOD,
		O_THRESHOLD,
		O_SHARE,
		O_LABEL,
		O_PRED,
		O_JSBASE,
		O_COMPAT,
		O_COLUMNS,
		O_PRIVATE,
		O_DELIM,
		O_NA,
		O_THREADS,
		O_CAP,
		O_ALLSTATS,
		O_DECIDING,
		O_FORMAT,
		O_OUT,
		O_HELP
	};
	static const struct option longopts[] = {
	    {"reference", required_argument, 0, O_REF},
	    {"current", required_argument, 0, O_CUR},
	    {"method", required_argument, 0, O_METHOD},
	    {"threshold", required_argument, 0, O_THRESHOLD},
	    {"drift-share", required_argument, 0, O_SHARE},
	    {"label", required_argument, 0, O_LABEL},
	    {"pred", required_argument, 0, O_PRED},
	    {"js-base", required_argument, 0, O_JSBASE},
	    {"compat", required_argument, 0, O_COMPAT},
	    {"columns", required_argument, 0, O_COLUMNS},
	    {"private", required_argument, 0, O_PRIVATE},
	    {"delimiter", required_argument, 0, O_DELIM},
	    {"na", required_argument, 0, O_NA},
	    {"threads", required_argument, 0, O_THREADS},
	    {"cap", required_argument, 0, O_CAP},
	    {"all-statistics", no_argument, 0, O_ALLSTATS},
	    {"deciding-only", no_argument, 0, O_DECIDING},
	    {"format", required_argument, 0, O_FORMAT},
	    {"out", required_argument, 0, O_OUT},
	    {"help", no_argument, 0, O_HELP},
	    {0, 0, 0, 0},
	};
	int c;
	double v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_REF:
			o->ref = optarg;
			break;
		case O_CUR:
			o->cur = optarg;
			break;
		case O_METHOD:
			rc = parse_method(o, optarg);
			break;
		case O_THRESHOLD:
			rc = parse_threshold(o, optarg);
			break;
		case O_SHARE:
			if (cli_number("drift", "--drift-share", optarg, 0, 1, 0, &v))
				return 2;
			o->p.drift_share = v;
			break;
		case O_LABEL:
			o->p.label = optarg;
			break;
		case O_PRED:
			o->p.pred = optarg;
			break;
		case O_JSBASE:
			if (strcmp(optarg, "e") == 0)
				o->p.js_base = 0;
			else if (parse_number(optarg, &v) == 0 && v > 1)
				o->p.js_base = v;
			else
				return cli_usage_error(
				    "drift", "--js-base: expected 2, e or a number > 1, found \"%s\"",
				    optarg);
			break;
		case O_COMPAT:
			if (strcmp(optarg, "evidently") != 0 && strcmp(optarg, "evidently@0.7") != 0)
				return cli_usage_error(
				    "drift", "--compat: only \"evidently\" is known, found \"%s\"", optarg);
			o->p.evidently = 1;
			break;
		case O_COLUMNS:
			o->columns = optarg;
			break;
		case O_PRIVATE:
			o->private_arg = optarg;
			break;
		case O_DELIM:
			o->delimiter = optarg;
			break;
		case O_NA:
			o->na_arg = optarg;
			break;
		case O_THREADS:
			if (cli_number("drift", "--threads", optarg, 1, 256, 1, &v))
				return 2;
			o->threads = (int)v;
			break;
		case O_CAP:
			if (cli_number("drift", "--cap", optarg, 1, 1e18, 1, &v))
				return 2;
			o->cap = (uint64_t)v;
			break;
		case O_ALLSTATS: /* the default; kept so that scripts that pass it work */
			o->p.all_statistics = 1;
			break;
		case O_DECIDING:
			o->p.all_statistics = 0;
			break;
		case O_FORMAT:
			o->format = optarg;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		case 'h':
		case O_HELP:
			fputs(USAGE, stdout);
			*done = 1;
			return 0;
		default:
			return cli_usage_error("drift", "unknown or incomplete option \"%s\"",
			                       argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	if (optind < argc)
		return cli_usage_error("drift", "unexpected argument \"%s\"", argv[optind]);
	if (!o->ref)
		return cli_usage_error("drift", "%s",
		                       "--reference is required (a data file or a *.profile.json)");
	if (!o->cur)
		return cli_usage_error("drift", "%s",
		                       "--current is required (a data file or a *.profile.json)");
	if (cli_delimiter("drift", &o->delimiter))
		return 2;
	return 0;
}

int cmd_drift(int argc, char **argv)
{
	/* Large blocks always from mmap: glibc otherwise raises its mmap
	 * threshold (up to 32 MiB) each time a large block is freed, and the
	 * per-column key arrays of the build (grown by doubling, in several
	 * workers once the hashing thread steals ranges) then come from the
	 * heap, where each growth copies and leaves the old block resident:
	 * 431 -> 375 MiB peak at 10M rows, 50 -> 48 MiB at 1M. A process
	 * setting, so it is made here, not in the library. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	struct opts *o = calloc(1, sizeof *o);
	if (!o)
		return 3;
	assay_arena_init(&o->arena);
	assay_drift_params_default(&o->p);
	o->cap = UINT64_MAX;     /* data files: exact maps, no cap (docs/drift.md) */
	o->p.all_statistics = 1; /* every statistic the report has a field for (--deciding-only) */
	int done = 0, status = parse(o, argc, argv, &done);
	struct assay_profile *ref = NULL, *cur = NULL;
	struct assay_drift_ref_stats *stats = NULL;
	struct assay_drift_report *r = NULL;
	struct assay_error err;
	assay_error_clear(&err);
	if (status || done)
		goto out;
	int format = assay_report_format_from_name(o->format ? o->format : "text");
	if (format < 0) {
		status = cli_usage_error(
		    "drift", "--format: unknown format \"%s\" (text, json, md, html, junit)", o->format);
		goto out;
	}
	o->p.histogram = format == ASSAY_REPORT_JSON || format == ASSAY_REPORT_HTML;
	o->p.overrides = o->ov;
	o->p.noverrides = o->nov;
	if (o->na_arg)
		o->na = cli_split(&o->arena, o->na_arg, &o->nna);
	if (o->private_arg)
		o->priv = cli_split(&o->arena, o->private_arg, &o->npriv);
	if (o->columns) {
		o->cols = cli_split(&o->arena, o->columns, &o->ncols);
		o->p.columns = o->cols;
		o->p.ncolumns = o->ncols;
	}
	struct load_job lj[2];
	memset(lj, 0, sizeof lj);
	int lrc = load_both(o, &lj[0], &lj[1]);
	ref = lj[0].p;
	cur = lj[1].p;
	int ref_is_profile = lj[0].is_profile, cur_is_profile = lj[1].is_profile;
	stats = lj[0].stats;
	if (lrc) {
		status = cli_fail("drift", lj[0].rc ? &lj[0].err : &lj[1].err);
		goto out;
	}
	o->p.ref_stats = stats;
	if (assay_drift_compare(ref, cur, &o->p, &r, &err)) {
		status = cli_fail("drift", &err);
		goto out;
	}
	r->ref.is_profile = ref_is_profile;
	r->cur.is_profile = cur_is_profile;
	if (!r->ref.path && (r->ref.path = strdup(o->ref)) == NULL)
		goto oom;
	if (!r->cur.path && (r->cur.path = strdup(o->cur)) == NULL)
		goto oom;
	struct render_ctx ctx = {r, format};
	int rc = o->out ? assay_write_atomic(o->out, render, &ctx, &err) : render(&ctx, stdout, &err);
	if (rc) {
		status = cli_fail("drift", &err);
		goto out;
	}
	if (o->out)
		printf("assay drift: %s: %zu of %zu columns drifted; report in %s\n",
		       assay_drift_detected(r) ? "drift detected" : "no drift", r->ndrifted, r->ncompared,
		       o->out);
	status = assay_drift_detected(r) ? 1 : 0;
	goto out;
oom:
	fprintf(stderr, "assay drift: out of memory\n");
	status = 3;
out:
	assay_drift_report_free(r);
	assay_drift_ref_stats_free(stats);
	assay_profile_free(ref);
	assay_profile_free(cur);
	for (size_t i = 0; i < o->nbuf; i++)
		free(o->buf[i]);
	assay_arena_free(&o->arena);
	free(o);
	return status;
}
