/* profile_build_internal.h: private to lib/drift: the per-worker column
 * state of a profile build (profile_build.c) and the gathering of the
 * workers' columns into the profile (profile_gather.c). */
#ifndef ASSAY_DRIFT_PROFILE_BUILD_INTERNAL_H
#define ASSAY_DRIFT_PROFILE_BUILD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/profile.h"
#include "assay/topk.h"

enum view { V_NONE = 0, V_NUM, V_CAT, V_LOST };

#define ASSAY_PROFILE_MAX_WORKERS_GATHER 64 /* workers merged by gather_exact_num */

/* Exact numeric values: appended to a buffer, which is radix-sorted and
 * merged into a sorted run of (value, count) when full. Appending is
 * sequential, where a hash table of 10^5..10^6 distinct values misses the
 * cache on almost every row (measured: 3x faster on the 1M-row bench
 * file). The buffer holds max(2^18, run size) values, so merging costs
 * O(1) amortized per value and memory stays O(distinct). */
struct numpair {
	double v;
	uint64_t c;
};

struct numtab {
	/* key form (kmode): every value so far as a decimal key, unsorted */
	int kmode, kchecked;
	uint32_t *k;
	size_t nk, ck;
	/* double form */
	double *buf;
	size_t nbuf, cbuf;
	struct numpair *run;
	size_t n; /* distinct values in the run (as of the last merge) */
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
	uint64_t rows, present, empty, na, nan, inf;
	double min, max;
	struct numtab nt;
	struct cattab ct;
	struct assay_moments mo;
	struct assay_kll *kll;
	struct assay_hll *hll;
	struct assay_topk *mg;
};

struct builder {
	const struct assay_source *src;
	size_t ncols;
	const size_t *srccol; /* source column of each profiled column */
	const int *active;    /* pass 2: only these columns (NULL: all) */
	enum view start;      /* V_NONE in pass 1, V_CAT in pass 2 */
	uint64_t cap;
	size_t topk;
	int keys;         /* numeric columns start in the key form */
	int packed;       /* hand key-form maps out packed */
	int skip_moments; /* opts.skip_moments */
	int na_list;      /* the source has --na spellings: a number may be one */
};

/* A worker's row plan (profile_build.c, on_row): the key-form columns
 * (col, their source columns src, key arrays k and lengths nk, which are
 * the columns' own while the plan is valid), the other columns, and how
 * many rows may go the plan's way before a key array is full (room). */
struct row_plan {
	int valid;
	size_t nkey, nother, room;
	uint64_t rows; /* rows gone the plan's way, not yet in the columns' counts */
	uint32_t *col, *src, *other;
	uint32_t **k;
	size_t *nk;
	uint32_t *keys; /* a row's keys (nkey + a batch) */
};

struct worker {
	const struct builder *b;
	struct colbuild *col;
	struct row_plan plan;
};

struct pass {
	struct worker *w;
	void **ctx;
	int nw;
};

/* profile_build.c: the tables and one column's state. */
int pb_numtab_flush(struct numtab *t);
int pb_numtab_leave_keys(struct numtab *t, double *min, double *max);
int pb_keys_to_map(uint32_t *k, size_t n, int packed, struct assay_numeric_map *m);
void pb_col_reset(struct colbuild *c, enum view start, int keys);
int pb_col_finish(struct colbuild *c, struct assay_column_profile *out, uint64_t cap);
/* Every worker's row plan written back into its columns (after a scan). */
void pb_flush_plans(struct pass *ps);

/* profile_gather.c: merge every column of the workers of p1 (or, for the
 * columns marked in active, of p2) into p->columns, on parallel threads. */
int pb_gather_all(struct pass *p1, struct pass *p2, const int *active, const struct builder *b,
                  struct assay_profile *p, size_t ncols, struct assay_error *err);

#endif
