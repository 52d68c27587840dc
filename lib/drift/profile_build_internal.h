/* profile_build_internal.h: private to lib/drift: the per-worker column
 * state of a profile build (profile_build.c) and the gathering of the
 * workers' columns into the profile (profile_gather.c). */
#ifndef ASSAY_DRIFT_PROFILE_BUILD_INTERNAL_H
#define ASSAY_DRIFT_PROFILE_BUILD_INTERNAL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "assay/deckey.h"
#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/profile.h"
#include "assay/topk.h"

enum view { V_NONE = 0, V_NUM, V_CAT, V_LOST };

/* A key form holds at most this many caps of keys in a deferring pass
 * (profile_build.c, key_checkpoint). */
#define KEY_FORM_CAPS 4

#define ASSAY_PROFILE_MAX_WORKERS_GATHER 64 /* workers merged by gather_exact_num */

/* Exact numeric values: appended to a buffer, which is radix-sorted and
 * merged into a sorted run of (value, count) when full. Appending is
 * sequential, where a hash table of 10^5..10^6 distinct values misses the
 * cache on almost every row (measured: 3x faster on the 1M-row bench
 * file). The buffer holds max(2^18, run size) values, so merging costs
 * O(1) amortized per value and memory stays O(distinct); bufmin lowers the
 * 2^18 where a small cap is checked in a parallel pass (on_reset). */
struct numpair {
	double v;
	uint64_t c;
};

/* A key and its count (numtab.kc). */
struct kcent {
	uint64_t cnt; /* 0: an empty slot */
	uint32_t key;
};

struct numtab {
	/* key form (kmode): every value so far as a decimal key, unsorted;
	 * kchecked: looked at for duplicates (1 early, without a cap; 2 at
	 * 2^20 keys) */
	int kmode, kchecked;
	uint32_t *k;
	size_t nk, ck;
	/* the key form's counted variant (kmode and kc != NULL): a column of
	 * few distinct keys and no cap (profile_tables.c, pb_numtab_add_key)
	 * as an open-addressing table of keys and counts, k then unused */
	struct kcent *kc;
	size_t kcslot, kcn;
	/* double form */
	double *buf;
	size_t nbuf, cbuf;
	struct numpair *run;
	size_t n;      /* distinct values in the run (as of the last merge) */
	size_t bufmin; /* the buffer's size while the run is smaller (0: 2^18) */
};

struct centry {
	uint64_t hash; /* assay_hash64 of the bytes (the sketches' HLL) */
	uint64_t word; /* a category of <= 8 bytes: its bytes, zero-padded (cattab_add) */
	size_t off;
	uint32_t len;
	uint64_t cnt;
};

struct cattab {
	uint32_t *slot; /* entry + 1, 0 empty */
	size_t nslot;
	struct centry *e;
	size_t n, alloc;
	char *bytes;
	size_t nbytes, abytes;
};

struct colbuild {
	enum view view;
	int exact, oom;
	int deferred; /* past the cap in a deferring pass: values no longer kept
	                 (the column is profiled again: profile_pieces.c, pass 3) */
	uint64_t rows, present, empty, na, nan, inf;
	double min, max;
	uint64_t klim; /* the key form's keys at which their distinct ones are
	                  counted next (profile_build.c, key_checkpoint); 0: cap */
	struct numtab nt;
	struct cattab ct;
	struct assay_hll *hll;
	struct assay_topk *mg;
};

struct builder {
	const struct assay_source *src;
	size_t ncols;
	const size_t *srccol;    /* source column of each profiled column */
	const int *active;       /* pass 2: only these columns (NULL: all) */
	enum view start;         /* V_NONE in pass 1, V_CAT in pass 2 */
	const enum view *starts; /* pass 3: each column's start (NULL: start) */
	uint64_t cap;
	size_t topk;
	int keys;         /* numeric columns start in the key form */
	int packed;       /* hand key-form maps out packed */
	int skip_moments; /* opts.skip_moments */
	int raw_keys;     /* opts.raw_keys: key-form maps left unsorted */
	int na_list;      /* the source has --na spellings: a number may be one */
	int defer;        /* a column past the cap is deferred (colbuild.deferred),
	                     not sketched: always in pass 1 and 2 */
	int defer_cat;    /* a categorical column too (several workers: else it is
	                     sketched in file order) */
	int log_ranges;   /* pass 1: log the ranges (worker.segs) */
};

/* A worker's row plan (profile_build.c, on_row): the key-form columns
 * (col, their source columns src; the first nkey store their keys at
 * k[i][rows], k[i] being the end of the column's key array when the plan
 * was made, the next ncount count them in their tables tab[i]), the other
 * columns, and how many rows may go the plan's way before a key array is
 * full (room). */
struct row_plan {
	int valid;
	size_t nkey, ncount, nother, room;
	uint64_t rows; /* rows gone the plan's way, not yet in the columns' counts */
	unsigned wait; /* slow rows since a plan found no key column (on_row) */
	uint32_t *col, *src, *other;
	uint32_t **k;
	struct numtab **tab; /* of the count columns, at [nkey, nkey + ncount) */
	uint32_t *keys;      /* a row's keys (nkey + ncount + a batch) */
};

/* Where the ranges of rows a worker was handed start (assay/source.h,
 * assay_source_set_range_fn) and the ordinals each held, logged by pass 1
 * for the pieces of profile_pieces.c. */
struct seg {
	uint64_t off, rows;
};

struct seglog {
	struct seg *s;
	size_t n, cap;
	uint64_t ordinals; /* rows with an ordinal, in every range */
	int bad;           /* out of memory, or a row before any range */
};

struct worker {
	const struct builder *b;
	struct colbuild *col;
	struct row_plan plan;
	struct seglog segs;
};

struct pass {
	struct worker *w;
	void **ctx;
	int nw;
};

/* profile_tables.c */
int pb_numtab_add(struct numtab *t, double x);
void pb_numtab_free(struct numtab *t);
int pb_numtab_add_key(struct numtab *t, uint32_t key, double *min, double *max, uint64_t cap);
int pb_numtab_sorted(struct numtab *t, struct assay_numeric_map *m);
int pb_cattab_add(struct cattab *t, const char *p, uint32_t len);
void pb_cattab_free(struct cattab *t);
void pb_cattab_sort(struct cattab *t);
int pb_cattab_sorted(struct cattab *t, struct assay_category_map *m);

/* profile_build.c (tables: profile_tables.c): one column's state. */
int pb_numtab_flush(struct numtab *t);
int pb_numtab_leave_keys(struct numtab *t, double *min, double *max);
int pb_keys_to_map(uint32_t *k, size_t n, int packed, struct assay_numeric_map *m);
void pb_col_reset(struct colbuild *c, enum view start, int keys);
int pb_col_finish(struct colbuild *c, struct assay_column_profile *out);
/* Every worker's row plan written back into its columns (after a scan). */
void pb_flush_plans(struct pass *ps);
/* The row loop's callbacks for assay_source_scan: a row, a worker's
 * state set back (a rescan), the start of a range of rows (pass 1 with a
 * cap: profile_pieces.c numbers the rows by it). ctx: a struct worker. */
int pb_on_row(void *ctx, const struct assay_row *row, struct assay_error *err);
void pb_on_reset(void *ctx);
void pb_on_range(void *ctx, uint64_t off);

/* A worker's row and missing-value counts of a column (anything with
 * rows, present, empty, na, nan and inf: struct colbuild, profile_pieces.c's
 * columns) added to a column profile's. */
#define PB_ADD_COUNTS(out, c)                                                                                \
	do {                                                                                                 \
		(out)->rows += (c)->rows;                                                                    \
		(out)->present += (c)->present;                                                              \
		(out)->missing_empty += (c)->empty;                                                          \
		(out)->missing_na += (c)->na;                                                                \
		(out)->missing_nan += (c)->nan;                                                              \
		(out)->missing_inf += (c)->inf;                                                              \
	} while (0)

/* profile_gather.c: merge every column of the workers of p1 (or, for the
 * columns marked in active, of p2) into p->columns, on parallel threads;
 * only the columns marked in `only` when it is not NULL. With b->defer, a
 * column that some worker deferred, or whose merge is past the cap, is
 * left as it was (type empty, exact, zero counts) and marked in redo. */
int pb_gather_all(struct pass *p1, struct pass *p2, const int *active, const int *only, int *redo,
                  const struct builder *b, struct assay_profile *p, size_t ncols, struct assay_error *err);

/* profile_pieces.c: the numeric columns past the cap, in pieces of rows
 * by ordinal. A row has an ordinal unless it is the empty field of a
 * one-column file (which may arrive after the scan). */
static inline int pb_row_ordinal(const struct assay_row *row)
{
	return row->nfields != 1 || row->fields[0].len != 0;
}

/* The ranges of pass 1 by offset, s[k].rows being range k's first
 * ordinal (valid), and the number of ordinals (total). */
struct pb_ranges {
	struct seg *s;
	size_t n;
	uint64_t total;
	int valid; /* 0: no table (the pieces' pass then reads in file order) */
};

void pb_seglog_begin(struct seglog *l, uint64_t off);
void pb_seglog_free(struct seglog *l);
/* 0, or -1 when out of memory. */
int pb_ranges_from_pass(const struct pass *p1, struct pb_ranges *r);
void pb_ranges_free(struct pb_ranges *r);
/* Profile the columns marked in cols (numeric, past the cap in pass 1)
 * into p->columns; lost[j] set for a column found to hold a string (left
 * as it was: the caller profiles it as categorical). */
int pb_sketch_pieces(struct assay_source *src, const struct builder *b, const struct pb_ranges *r,
                     const int *cols, int *lost, const unsigned char *sha256, struct assay_profile *p,
                     size_t ncols, struct assay_error *err);

/* ---- inline: the row loop's category probe (the table: profile_tables.c) */

/* Where a category goes in the slots. One of at most 8 bytes: a multiply
 * of its word (short_word) and length, so that counting it hashes no bytes
 * (assay_hash64 was 1.3% of the 1M-row drift's samples for three such
 * columns; it is computed once, when the category is added, for the
 * sketches' HLL); a longer one: its assay_hash64. */
static inline uint64_t pb_short_hash(uint64_t word, uint32_t len)
{
	uint64_t h = (word + len) * UINT64_C(0x9e3779b97f4a7c15);
	return h ^ (h >> 32);
}

/* Equal bytes: categories are mostly a few bytes long ("a", "k03",
 * "Male"), where a call of memcmp cost more than the comparison (2.3% of
 * a 1M-row drift with three such columns). */
static inline int pb_same_bytes(const char *a, const char *b, uint32_t len)
{
	if (len > 16)
		return memcmp(a, b, len) == 0;
	unsigned char diff = 0;
	for (uint32_t i = 0; i < len; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* The entry of a category (its word and hash as cattab_add computes
 * them), or the empty slot where it would go: *j. */
static inline struct centry *pb_cattab_find(const struct cattab *t, const char *p, uint32_t len,
                                            uint64_t word, uint64_t sh, size_t *j)
{
	size_t at = (size_t)sh & (t->nslot - 1);
	while (t->slot[at]) {
		struct centry *e = &t->e[t->slot[at] - 1];
		if (e->len == len &&
		    (len <= 8 ? e->word == word : e->hash == sh && pb_same_bytes(t->bytes + e->off, p, len)))
			return e;
		at = (at + 1) & (t->nslot - 1);
	}
	*j = at;
	return NULL;
}

/* A category of 1 to 8 bytes already in the table counted, inline in the
 * row loop: 1 when done, 0 when the caller must add it (new, or longer). */
static inline int pb_cattab_count_short(struct cattab *t, const char *p, uint32_t len)
{
	if (len - 1u >= 8u || 2 * (t->n + 1) > t->nslot)
		return 0;
	uint64_t word = assay_word_upto8(p, len);
	size_t j;
	struct centry *e = pb_cattab_find(t, p, len, word, pb_short_hash(word, len), &j);
	if (!e)
		return 0;
	e->cnt++;
	return 1;
}

/* A key counted in a column's table of keys (numtab.kc), inline in the
 * row loop: 1 when done, 0 when the key is new (pb_numtab_add_key adds
 * it). */
static inline size_t pb_kc_slot(uint32_t key, size_t m)
{
	return (size_t)((key * UINT32_C(0x9e3779b1)) >> 7) & m;
}

static inline int pb_kcount_hit(struct numtab *t, uint32_t key)
{
	size_t m = t->kcslot - 1, at = pb_kc_slot(key, m);
	for (struct kcent *e = &t->kc[at]; e->cnt; e = &t->kc[at = (at + 1) & m])
		if (e->key == key) {
			e->cnt++;
			return 1;
		}
	return 0;
}

/* A categorical column's field that can be neither missing nor NaN nor
 * infinite is a category: no --na spellings (the caller's test), and its
 * first byte after a sign is not one that NA, NaN, nan, null, NULL, inf
 * (which all start with n or i in either case) or a number ("1e999"
 * overflows to inf) can start with. f->len >= 1. */
static inline int pb_plain_category(const struct assay_field *f)
{
	size_t s = f->len > 1 && (f->p[0] == '+' || f->p[0] == '-');
	unsigned ch = (unsigned char)f->p[s] | 0x20u;
	return ch != 'n' && ch != 'i' && ch != '.' && ch - '0' >= 10u;
}

/* What a field is (profile_build.c's top comment, "Classification"): ""
 * is empty; a missing spelling (assay_source_is_na) is NaN if it reads
 * as NaN, else NA; a number that is NaN is NaN; +-inf is inf; any other
 * number (in *x) a number; anything else a string. The one place of these
 * rules, for the row loop (add_field) and the pieces' pass. */
enum pb_kind { PB_EMPTY, PB_NA, PB_NAN, PB_INF, PB_NUMBER, PB_STRING };

static inline enum pb_kind pb_classify(const struct assay_source *src, const struct assay_field *f, double *x)
{
	if (f->len == 0)
		return PB_EMPTY;
	int num = assay_parse_double(f->p, f->len, x) == 0;
	if (assay_source_is_na(src, f))
		return num && *x != *x ? PB_NAN : PB_NA;
	if (num && *x != *x)
		return PB_NAN;
	if (num && isinf(*x))
		return PB_INF;
	return num ? PB_NUMBER : PB_STRING;
}

/* A missing kind counted in c (a struct colbuild or profile_pieces.c's
 * column: anything with empty, na, nan and inf): 1, or 0 when k is not
 * missing. */
#define PB_COUNT_MISSING(c, k)                                                                               \
	((k) == PB_EMPTY ? ((c)->empty++, 1)                                                                 \
	 : (k) == PB_NA  ? ((c)->na++, 1)                                                                    \
	 : (k) == PB_NAN ? ((c)->nan++, 1)                                                                   \
	 : (k) == PB_INF ? ((c)->inf++, 1)                                                                   \
	                 : 0)

#endif
