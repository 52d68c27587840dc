/* expect_internal.h: private to lib/drift's expectation files: the parsed
 * form of an expectations file and the helpers the parser, the runner and
 * the suggester share (timestamps, durations, numbers). Not installed.
 */
#ifndef ASSAY_EXPECT_INTERNAL_H
#define ASSAY_EXPECT_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "assay/arena.h"
#include "assay/expect.h"

enum expect_type { T_NONE = 0, T_NUMERIC, T_INTEGER, T_STRING, T_BOOLEAN, T_TIMESTAMP };

enum expect_op { OP_LT = 0, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct expect_item {
	enum assay_expect_kind kind;
	const char *column, *column2; /* NULL for row_count */
	uint64_t line, col;           /* the expectation's key in the file */
	uint64_t cline, ccol;         /* the column's key (or the relationship) */
	int has_lo, has_hi;
	double lo, hi; /* bounds (between, lengths, aggregates, row count) */
	double q;      /* quantile */
	enum expect_type type;
	size_t nset;
	const char **set; /* in_set members, as written */
	uint32_t *setlen;
	pcre2_code *re; /* regex, compiled once at load */
	const char *pattern;
	int64_t max_age; /* freshness, seconds */
	int has_now;
	int64_t now;
	enum expect_op op;
	size_t nentities; /* pii: only these entities count (0: all PII) */
	const char **entities;
	const char *name;        /* "age: between [0, 120]" */
	const char *expectation; /* "values between 0 and 120" */
};

struct assay_expectations {
	struct assay_arena arena;
	const char *path;
	char sha256[65];
	const char *dataset;
	size_t nsensitive;
	const char **sensitive;
	uint64_t *sens_line, *sens_col;
	size_t nitems, cap;
	struct expect_item *items;
};

/* A set of byte strings with a count and the first line of each (hash
 * table in expect_run.c; keys copied into the arena; free slot only). */
struct expect_str_entry {
	const char *key; /* NULL: empty slot */
	uint32_t len;
	uint64_t hash, count, first_line;
};
struct expect_str_set {
	struct expect_str_entry *slot;
	size_t cap, n;
};
/* The entry of p[0..n), added with count 0 when new; NULL when out of memory. */
struct expect_str_entry *expect_str_get(struct expect_str_set *s, struct assay_arena *a, const char *p,
                                        size_t n);

/* Exact numeric value -> count map (hash table, expect_table.c): after
 * the scan, expect_num_sort() compacts and sorts it (no adds after), and
 * expect_num_quantile() gives numpy's 'linear' quantile. */
struct expect_num_entry {
	double v;
	uint64_t count; /* 0: empty slot */
};
struct expect_num_map {
	struct expect_num_entry *slot;
	size_t cap, n;
	uint64_t total;
	int sorted;
};
int expect_num_add(struct expect_num_map *m, double v);
void expect_num_sort(struct expect_num_map *m);
double expect_num_quantile(const struct expect_num_map *m, double q);

int expect_is_sensitive(const struct assay_expectations *e, const char *column);

/* Timestamps: YYYY-MM-DD, optionally followed by T or a space and
 * HH:MM[:SS[.fraction]], optionally followed by Z or +HH:MM / -HH:MM /
 * +HHMM (no zone means UTC). Seconds since the epoch, fraction dropped.
 * 0 on success, -1 when the span is not such a timestamp. */
int expect_parse_time(const char *p, size_t len, int64_t *out);
/* "7d", "12h", "30m", "45s", "2w", combinations ("1d12h"). */
int expect_parse_duration(const char *s, int64_t *out);
/* RFC 3339 UTC text of t into buf (>= 24 bytes). */
void expect_format_time(int64_t t, char *buf, size_t size);
/* "7d 2h 3m 4s" (zero parts left out; "0s" for 0). */
void expect_format_duration(int64_t s, char *buf, size_t size);
/* Whole string is a finite number. */
int expect_parse_number(const char *s, double *out);
/* Shortest "%g"-style text (up to 15 significant digits). */
const char *expect_num(char *buf, size_t size, double v);
const char *expect_op_symbol(enum expect_op op);

/* An optional sign and one or more ASCII digits (the "integer" type of
 * expectations and of suggestions; expect_run.c). */
int expect_is_integer(const char *p, size_t n);

#endif
