/* assay/expect.h: data-quality and privacy expectations (`assay check`).
 *
 * An expectations file (YAML, docs/check.md) states what a dataset must
 * look like: row count, and per column its type, not null, unique, values
 * in a set, between bounds, matching a regex (PCRE2), string length,
 * mean / median / quantile between bounds, share of missing at most,
 * freshness (newest timestamp no older than), plus relationships between
 * columns (`start_date < end_date`). Columns listed under `sensitive:`
 * never have their values copied into a result.
 *
 * The file is parsed once (assay_expect_load: every error located as
 * file:line:column), then run over a source in one scan
 * (assay_expect_run), giving one result per expectation: pass or fail,
 * rows checked, rows failing, the failing share, and the first N failing
 * rows by physical line number, with their values unless the column is
 * sensitive.
 *
 * Semantics follow Great Expectations' column-map expectations where they
 * exist: missing values (empty, NA, NaN, null, --na) are left out of every
 * per-row check except not_null, so a column that is entirely missing
 * passes them vacuously; unique counts every row of a duplicated value as
 * failing (pandas duplicated(keep=False)). Median and quantiles are exact,
 * with numpy's 'linear' interpolation.
 */
#ifndef ASSAY_EXPECT_H
#define ASSAY_EXPECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/arena.h"
#include "assay/error.h"
#include "assay/output.h"
#include "assay/source.h"

enum assay_expect_kind {
	ASSAY_EXPECT_ROW_COUNT = 0, /* table: rows between min and max */
	ASSAY_EXPECT_TYPE,          /* present values parse as the type */
	ASSAY_EXPECT_NOT_NULL,      /* no missing value */
	ASSAY_EXPECT_UNIQUE,        /* no present value occurs twice */
	ASSAY_EXPECT_IN_SET,        /* present values are in the set */
	ASSAY_EXPECT_BETWEEN,       /* present values are numbers in [lo, hi] */
	ASSAY_EXPECT_REGEX,         /* present values match the PCRE2 pattern (search) */
	ASSAY_EXPECT_LENGTH,        /* present values have lo..hi characters (code points) */
	ASSAY_EXPECT_MEAN,          /* mean of the numeric values in [lo, hi] */
	ASSAY_EXPECT_MEDIAN,        /* median in [lo, hi] */
	ASSAY_EXPECT_QUANTILE,      /* quantile q in [lo, hi] */
	ASSAY_EXPECT_MISSING_SHARE, /* missing / rows <= max */
	ASSAY_EXPECT_FRESHNESS,     /* newest timestamp no older than max_age */
	ASSAY_EXPECT_RELATIONSHIP,  /* a op b on every row where both are present */
	ASSAY_EXPECT_PII,           /* share of values with personal data (lib/scan) <= max */
	ASSAY_EXPECT__COUNT
};

/* "row_count", "between", ... as written in the file. */
const char *assay_expect_kind_name(enum assay_expect_kind k);

struct assay_expectations; /* a parsed file: opaque */

/* Parse the expectations file at `path`. Errors are ASSAY_EINPUT with the
 * file, line and column of the offending node and a "did you mean" for
 * misspelt keys; ASSAY_EIO when the file cannot be read. */
int assay_expect_load(struct assay_expectations **out, const char *path, struct assay_error *err);
/* The same from a buffer; `name` is used in error messages. */
int assay_expect_parse(struct assay_expectations **out, const char *name, const char *buf, size_t len,
                       struct assay_error *err);
void assay_expect_free(struct assay_expectations *e);

const char *assay_expect_path(const struct assay_expectations *e);
const char *assay_expect_sha256(const struct assay_expectations *e);
const char *assay_expect_dataset(const struct assay_expectations *e); /* NULL when not named */
size_t assay_expect_count(const struct assay_expectations *e);

struct assay_check_params {
	size_t examples; /* failing rows listed per expectation (default 5) */
	int has_now;     /* freshness reference time given (else each expectation's
	                    `now:`, else the clock) */
	int64_t now;     /* seconds since the epoch, UTC */
	/* How the source was opened, to turn row lines into file lines. */
	enum assay_source_format format;
	int no_header;
};

void assay_check_params_init(struct assay_check_params *p);

struct assay_expect_example {
	uint64_t line;     /* physical line of the row in the file (1 = header) */
	const char *value; /* the offending value(s), NULL when sensitive */
};

struct assay_expect_result {
	enum assay_expect_kind kind;
	const char *name;        /* "age: between [0, 120]" */
	const char *column;      /* NULL for table expectations */
	const char *column2;     /* relationships: the right-hand column */
	const char *expectation; /* what was expected, in words */
	const char *observed;    /* what was found, in words ("mean 38.2", "3 rows") */
	uint64_t line, col;      /* where it is written in the expectations file */
	int passed;
	int sensitive;         /* a column involved is sensitive: no values shown */
	int has_value;         /* aggregates: value holds the measured number */
	double value;          /* mean, median, quantile, missing share, age in seconds */
	uint64_t rows_checked; /* rows the expectation looked at */
	uint64_t rows_failing; /* of those, rows that do not meet it */
	double share_failing;  /* rows_failing / rows_checked, 0 when none checked */
	size_t nexamples;
	struct assay_expect_example *examples; /* first failing rows in file order */
};

struct assay_check_input {
	const char *role; /* "data", "expectations" */
	const char *path;
	char sha256[65];
	uint64_t rows, bytes;
};

struct assay_check_report {
	const char *schema; /* "assay.check/1" */
	const char *tool_version;
	const char *generated_at; /* RFC 3339 UTC */
	const char *dataset;
	struct assay_check_params params;
	size_t ninputs;
	struct assay_check_input inputs[2];
	uint64_t rows;
	size_t nsensitive;
	const char *const *sensitive;
	size_t nresults;
	struct assay_expect_result *results;
	size_t npassed, nfailed;
	int passed; /* every expectation passed */
};

/* Check every expectation over src in one scan. Fills r (results, rows,
 * the data input's sha256; allocations in `a`); the caller sets schema,
 * version, time and the expectations input. A column named in the file
 * but absent from the data is ASSAY_EINPUT, located in the file, listing
 * the data's columns. Failed expectations are not errors. */
int assay_expect_run(const struct assay_expectations *e, struct assay_source *src,
                     const struct assay_check_params *p, struct assay_arena *a, struct assay_check_report *r,
                     struct assay_error *err);

/* Draft an expectations file from the data, as YAML with a comment on
 * every line saying where it came from: type, not_null where nothing is
 * missing, between [min, max] for numbers, in_set where a column has at
 * most max_set distinct values, unique where every present value is
 * distinct. Columns named sensitive are listed under `sensitive:` and get
 * no in_set (it would copy their values). A starting point to edit, not a
 * contract. The source must be opened with threads = 1. */
struct assay_suggest_opts {
	size_t max_set; /* 0: 20 */
	const char *const *sensitive;
	size_t nsensitive;
};
int assay_expect_suggest(struct assay_source *src, const struct assay_suggest_opts *o, FILE *out,
                         struct assay_error *err);
/* The same draft from a stored profile (assay profile), without the data. */
struct assay_profile;
int assay_expect_suggest_profile(const struct assay_profile *p, const struct assay_suggest_opts *o, FILE *out,
                                 struct assay_error *err);

/* Rendering (lib/report/check_*.c): fmt is an enum assay_report_format
 * (assay/report.h): text, json ("assay.check/1", docs/check.md), md,
 * html, junit (one test case per expectation). */
struct assay_check_render_opts {
	int color; /* text: ANSI colours */
	int brief; /* text: only the failures and the verdict */
};
int assay_report_check(const struct assay_check_report *r, int fmt, const struct assay_check_render_opts *o,
                       FILE *out, struct assay_error *err);

#endif
