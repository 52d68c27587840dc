/* assay/profile.h: per-column dataset profiles: the reusable, mergeable
 * summary of a dataset that drift and data-quality checks are computed
 * from (never from rows).
 *
 * A profile holds, per column: the inferred type; counts (rows, present,
 * missing by kind); min, max and the central moments (n, mean, M2, M3, M4,
 * merged with the pairwise update formulas of Chan et al. and Pébay);
 * an exact sorted value -> count map while the column has at most `cap`
 * distinct values; past the cap, a KLL quantile sketch (numeric) and a
 * HyperLogLog distinct estimate; the top-k most frequent values
 * (categorical). Profiles are versioned JSON, schema "assay.profile/1",
 * carrying the input's sha256.
 *
 * Columns holding personal data (names, dates of birth, e-mail addresses)
 * can be profiled as *withheld* (--private): only the counts, the type and
 * a distinct estimate are kept, never a value, a minimum or a frequent
 * value, so a profile can be shared without the data it summarises.
 *
 * Merging the profiles of disjoint shards gives exactly the profile of the
 * whole wherever the statistics are exact: counts, min, max, exact maps
 * (while under the cap), and moments up to floating-point rounding of the
 * pairwise formulas.
 */
#ifndef ASSAY_PROFILE_H
#define ASSAY_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "assay/deckey.h"
#include "assay/error.h"
#include "assay/source.h"

enum assay_column_type {
	ASSAY_COL_NUMERIC = 0, /* every present value parses as a number */
	ASSAY_COL_CATEGORICAL, /* anything else */
	ASSAY_COL_EMPTY,       /* no present value at all */
};

/* Exact distinct numeric values, ascending, with their counts. NaN and
 * +-inf are not values: they are counted as missing. -0.0 is 0.0.
 * Two forms: doubles (value, count), or packed (key, kcount, big: value
 * and count NULL), where every value is a short decimal held as its 32-bit
 * key (assay/deckey.h) and each count as one byte, the rare counts of 255
 * or more apart in `big`: 5 bytes a value instead of 16 (on mostly
 * distinct data, as little as the raw values). Only builds that ask for it
 * (assay_profile_opts.packed) and "dk1" profiles give packed maps; read
 * either form with assay_numeric_map_value() and assay_numeric_map_count().
 * A third form, raw keys (raw != NULL: n = 0, the other arrays NULL),
 * holds a key-form column's keys one per value in no order, in runs (one
 * per worker of the build that made it: left where the workers put them,
 * not copied into one array), with the least and greatest key: only
 * builds that ask for it (assay_profile_opts.raw_keys) give it, and only
 * assay_drift_compare reads it (lib/drift/bucket.c compares such columns
 * without sorting them); the accessors do not apply to it. */
struct assay_numeric_big {
	size_t i;       /* entry */
	uint64_t count; /* >= 255 */
};

/* A run of raw keys. */
struct assay_raw_run {
	uint32_t *k;
	size_t n;
};

struct assay_numeric_map {
	size_t n;
	double *value;
	uint64_t *count;
	uint32_t *key;                 /* packed: key[i] is value i (ascending keys) */
	uint8_t *kcount;               /* packed: count of value i, or 255: see big */
	struct assay_numeric_big *big; /* packed: the counts >= 255, ascending i */
	size_t nbig;
	struct assay_raw_run *raw; /* raw keys: nraw of them in nrawrun runs, in no order */
	size_t nrawrun, nraw;
	uint32_t rawmin, rawmax; /* raw keys: the least and the greatest */
};

/* Count of a packed entry whose kcount is 255 (binary search in big). */
uint64_t assay_numeric_map_big_count(const struct assay_numeric_map *m, size_t i);

static inline double assay_numeric_map_value(const struct assay_numeric_map *m, size_t i)
{
	return m->value ? m->value[i] : assay_deckey_value(m->key[i]);
}

static inline uint64_t assay_numeric_map_count(const struct assay_numeric_map *m, size_t i)
{
	if (m->count)
		return m->count[i];
	return m->kcount[i] != 255 ? m->kcount[i] : assay_numeric_map_big_count(m, i);
}

/* Exact distinct strings (bytes, UTF-8), sorted bytewise, with counts. */
struct assay_category_map {
	size_t n;
	char **value;
	uint32_t *len;
	uint64_t *count;
};

struct assay_moments {
	uint64_t n;
	double mean, m2, m3, m4; /* central moment sums: M2 = sum (x - mean)^2 ... */
};

struct assay_kll;  /* KLL sketch: lib/stats/kll.c (opaque) */
struct assay_topk; /* Misra-Gries frequent values: lib/stats/topk.c (opaque) */
struct assay_hll;  /* HyperLogLog: lib/stats/hll.c (opaque) */

struct assay_column_profile {
	char *name;
	enum assay_column_type type;
	uint64_t rows;                      /* rows seen (present + missing) */
	uint64_t present;                   /* non-missing values */
	uint64_t missing_empty, missing_na; /* "" and NA/null/--na spellings */
	uint64_t missing_nan, missing_inf;  /* numeric columns: NaN and +-inf */
	double min, max;                    /* numeric; NaN when no value */
	struct assay_moments moments;       /* numeric */
	int exact;                          /* 1 while the maps below are complete */
	struct assay_numeric_map num;       /* numeric, when exact */
	struct assay_category_map cat;      /* categorical (and numeric text), when exact */
	uint64_t distinct;                  /* exact count, or the HLL estimate when !exact */
	struct assay_kll *kll;              /* numeric, past the cap (NULL while exact) */
	struct assay_hll *hll;              /* past the cap */
	size_t ntop;                        /* top-k frequent values, categorical */
	char **top_value;                   /* NUL-terminated copies (see top_len) */
	uint64_t *top_count;
	uint32_t *top_len;     /* byte lengths of top_value[i] */
	struct assay_topk *mg; /* categorical, past the cap: Misra-Gries counters
	                          (assay/topk.h), what top-k is read from */
	int withheld;          /* values withheld (personal data): counts, type, distinct and the
	                          HLL only; exact = 0, no maps, no min/max/moments, no top-k.
	                          distinct is exact from a build, the HLL estimate after a merge */
};

/* One input a profile was computed from (several after a merge). */
struct assay_profile_input {
	char *path;
	char sha256[65];
	uint64_t rows;
};

struct assay_profile {
	char *source_path;
	char sha256[65];
	uint64_t rows;
	size_t ncolumns;
	struct assay_column_profile *columns;
	uint64_t cap; /* distinct values kept exactly per column */
	size_t topk;  /* frequent values kept per categorical column */
	/* Every input (one, or the shards of a merge; source_path and sha256
	 * above are the first input's, "" after a merge of several). */
	size_t ninputs;
	struct assay_profile_input *inputs;
};

#define ASSAY_PROFILE_SCHEMA       "assay.profile/1"
#define ASSAY_PROFILE_DEFAULT_CAP  (1u << 20)
#define ASSAY_PROFILE_DEFAULT_TOPK 20
#define ASSAY_PROFILE_MG_FACTOR    32 /* Misra-Gries counters per reported top value */

struct assay_profile_opts {
	uint64_t cap;               /* default 1 << 20 */
	size_t topk;                /* default 20 */
	const char *const *columns; /* profile only these (NULL: all) */
	size_t ncolumns;
	int topk_set; /* topk is taken as given even when 0 (else 0 means the default) */
	const char *const *private_columns; /* profile these as withheld (personal data) */
	size_t nprivate;
	/* Give numeric maps in the packed form (see assay_numeric_map) where
	 * the values allow: columns of short decimals that stayed exact with
	 * at most `cap` values in each worker (the build keeps those as 32-bit
	 * keys and sorts them once at the end). For consumers that read maps
	 * through the accessors. */
	int packed;
	/* Leave every column's moments zero (n = 0) instead of computing them
	 * from the exact map: for callers that only compare maps (drift reports
	 * no moment; two passes over every map were ~8% of its build). */
	int skip_moments;
	/* With packed: leave key-form columns' keys unsorted (the raw form of
	 * assay_numeric_map; distinct is then 0, unknown): for assay_drift_compare
	 * only, which compares them without a sort. */
	int raw_keys;
};

int assay_profile_build(struct assay_source *src, const struct assay_profile_opts *opts,
                        struct assay_profile **out, struct assay_error *err);
/* dst += src: same columns (by name); types reconcile (numeric + categorical
 * -> categorical). */
int assay_profile_merge(struct assay_profile *dst, const struct assay_profile *src, struct assay_error *err);
int assay_profile_write_json(const struct assay_profile *p, FILE *out, struct assay_error *err);
/* Located errors for files that are not assay.profile/1. */
int assay_profile_read_json(const char *path, struct assay_profile **out, struct assay_error *err);
/* The same from memory; name is used in error messages. */
int assay_profile_read_json_buffer(const char *name, const char *buf, size_t len, struct assay_profile **out,
                                   struct assay_error *err);
void assay_profile_free(struct assay_profile *p);
/* Whether path holds a profile rather than data: named *.profile.json, or
 * a JSON object whose first bytes declare "schema": "assay.profile/...". */
int assay_profile_is_file(const char *path);

const struct assay_column_profile *assay_profile_column(const struct assay_profile *p, const char *name);

/* Quantile q in [0, 1] with numpy's linear interpolation when exact; from
 * the KLL sketch otherwise (rank error bound in docs/profiles.md). */
double assay_column_quantile(const struct assay_column_profile *c, double q);

/* "numeric", "categorical", "empty". */
const char *assay_column_type_name(enum assay_column_type t);
/* Derived statistics of a numeric column; NaN when undefined. */
double assay_column_mean(const struct assay_column_profile *c);
double assay_column_std(const struct assay_column_profile *c); /* sample (ddof = 1) */
/* Render for people: format "text" (aligned table), "md" or "html"
 * (self-contained page with a histogram per numeric column), or "json"
 * (the same as assay_profile_write_json). */
int assay_profile_render(const struct assay_profile *p, const char *format, FILE *out,
                         struct assay_error *err);

#endif
