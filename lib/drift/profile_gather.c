/* profile_gather.c: the end of a profile build: each column of the
 * workers' partial states (profile_build.c) merged into one column
 * profile. Fast paths for exact numeric columns (keys sorted once, or
 * sorted runs merged; with raw_keys, for drift, the keys left unsorted in
 * the workers' arrays with their least and greatest) give the same bytes
 * as the general path (finish each worker's part, then
 * prof_column_merge). After a deferring pass
 * (builder.defer) a column past the cap is not merged but marked for the
 * pass that sketches it (profile_pieces.c, or profile_passes.c's
 * sketch_in_order); the workers' keys of a column are counted after the
 * sort that would make its map, so that one past the cap is found out
 * without the double form. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/radix.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

/* A worker's row and missing-value counts of a column, added to out. */
static void add_counts(struct assay_column_profile *out, const struct colbuild *c)
{
	PB_ADD_COUNTS(out, c);
}

/* The least and greatest of n >= 1 keys: a loop the compiler vectorizes,
 * compiled for AVX2 too (baseline x86-64 has no unsigned 32-bit min:
 * ~0.6 -> ~0.1 ns a key). */
#define KEYS_MINMAX_BODY                                                                                     \
	uint32_t a = k[0], z = k[0];                                                                         \
	for (size_t i = 1; i < n; i++) {                                                                     \
		a = k[i] < a ? k[i] : a;                                                                     \
		z = k[i] > z ? k[i] : z;                                                                     \
	}                                                                                                    \
	*lo = a;                                                                                             \
	*hi = z;

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void keys_minmax_avx2(const uint32_t *k, size_t n, uint32_t *lo,
                                                             uint32_t *hi)
{
	KEYS_MINMAX_BODY
}
#endif

static void keys_minmax(const uint32_t *k, size_t n, uint32_t *lo, uint32_t *hi)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2")) {
		keys_minmax_avx2(k, n, lo, hi);
		return;
	}
#endif
	KEYS_MINMAX_BODY
}

/* The workers' keys of column j (total of them) as raw runs, left where
 * each worker put them: at 10M rows, copying them into one array (half
 * the keys with two workers, and the page faults of the array's new half)
 * was ~2% of a drift. With the least and greatest key. 0, or -1 out of
 * memory (the workers' arrays then untouched). */
static int keys_as_runs(struct pass *ps, size_t j, size_t total, struct assay_column_profile *out)
{
	size_t nr = 0, r = 0;
	for (int i = 0; i < ps->nw; i++)
		nr += ps->w[i].col[j].view == V_NUM && ps->w[i].col[j].nt.nk;
	struct assay_raw_run *run = malloc((nr ? nr : 1) * sizeof *run);
	if (!run)
		return -1;
	uint32_t lo = UINT32_MAX, hi = 0;
	for (int i = 0; i < ps->nw; i++) {
		struct numtab *t = &ps->w[i].col[j].nt;
		if (ps->w[i].col[j].view != V_NUM || !t->nk)
			continue;
		uint32_t a, z;
		keys_minmax(t->k, t->nk, &a, &z);
		lo = a < lo ? a : lo;
		hi = z > hi ? z : hi;
		run[r++] = (struct assay_raw_run){t->k, t->nk};
		t->k = NULL;
		t->nk = t->ck = 0;
	}
	memset(&out->num, 0, sizeof out->num);
	out->num.raw = run;
	out->num.nrawrun = nr;
	out->num.nraw = total;
	out->num.rawmin = lo;
	out->num.rawmax = hi;
	out->min = assay_deckey_value(lo);
	out->max = assay_deckey_value(hi);
	return 0;
}

/* Every worker's column j that saw a value is numeric in the key form:
 * their keys are put in one array, sorted once and counted into the map
 * (no cap: never a sketch). 1 when the case does not apply (nothing
 * done), 0 when done, -1 when out of memory. */
static int gather_keys(struct pass *ps, size_t j, const struct builder *b, struct assay_column_profile *out)
{
	size_t total = 0;
	int first = -1;
	for (int i = 0; i < ps->nw; i++) {
		struct colbuild *c = &ps->w[i].col[j];
		if (c->view == V_NONE)
			continue;
		if (c->view != V_NUM || !c->exact || !c->nt.kmode)
			return 1;
		if (first < 0 || c->nt.nk > ps->w[first].col[j].nt.nk)
			first = i; /* the largest array is grown to hold them all */
		total += c->nt.nk;
	}
	/* past the cap maybe: the double way, unless the column would be
	 * deferred (then counted here: 2 when past the cap) */
	if (first < 0 || total == 0 || (total > b->cap && (!b->defer || b->raw_keys)))
		return 1;
	out->type = ASSAY_COL_NUMERIC;
	out->exact = 1;
	if (b->raw_keys) { /* left unsorted: lib/drift/bucket.c compares them so */
		if (keys_as_runs(ps, j, total, out))
			return -1;
	} else {
		struct numtab *dst = &ps->w[first].col[j].nt;
		if (total > dst->ck) {
			uint32_t *k = realloc(dst->k, total * sizeof *k);
			if (!k)
				return -1;
			dst->k = k;
			dst->ck = total;
		}
		/* the largest of the other workers' arrays is kept as the sort's
		 * scratch (about half the keys with two workers), the rest freed */
		uint32_t *spare = NULL;
		size_t nspare = 0;
		for (int i = 0; i < ps->nw; i++) {
			struct numtab *t = &ps->w[i].col[j].nt;
			if (i == first || ps->w[i].col[j].view != V_NUM || !t->nk)
				continue;
			memcpy(dst->k + dst->nk, t->k, t->nk * sizeof *t->k);
			dst->nk += t->nk;
			if (t->ck > nspare) {
				free(spare);
				spare = t->k;
				nspare = t->ck;
			} else {
				free(t->k);
			}
			t->k = NULL;
			t->nk = t->ck = 0;
		}
		uint32_t *k = dst->k;
		size_t n = dst->nk;
		assay_radix_sort_u32_scratch(k, n, spare, nspare); /* without memory it sorts by qsort */
		free(spare);
		size_t d = 0;
		for (size_t i = 0; n > b->cap && i < n && d <= b->cap; i++)
			d += i == 0 || k[i] != k[i - 1];
		if (d > b->cap) {
			out->type = ASSAY_COL_EMPTY;
			return 2; /* left to the caller (the workers' columns own k) */
		}
		dst->k = NULL;
		dst->nk = dst->ck = 0;
		out->min = assay_deckey_value(k[0]);
		out->max = assay_deckey_value(k[n - 1]);
		if (pb_keys_to_map(k, n, b->packed, &out->num))
			return -1;
	}
	for (int i = 0; i < ps->nw; i++) {
		struct colbuild *c = &ps->w[i].col[j];
		add_counts(out, c);
		pb_col_reset(c, V_NONE, 0);
	}
	/* raw keys come only with raw_keys, for drift: no moments */
	if (!b->skip_moments && out->num.raw)
		memset(&out->moments, 0, sizeof out->moments);
	else if (!b->skip_moments && out->num.key)
		assay_moments_from_packed(&out->moments, &out->num);
	else if (!b->skip_moments)
		assay_moments_from_map(&out->moments, out->num.value, out->num.count, out->num.n);
	return prof_column_finish(out, b->topk) ? -1 : 0;
}

/* The common case of gather: every worker's column j is an exact numeric
 * run (or saw no value). Merges the workers' sorted runs straight into
 * the output map and computes the moments once, where the general path
 * copies each part into a column profile, copies it again to merge it, and
 * computes the moments per part and per merge (1M-row drift bench: 3
 * moment passes and 4 copies of every map -> 1 and 1). The result is the
 * same bytes: the same merged map, min, max, counts, and moments from it.
 * Returns 1 (nothing done) when the case does not apply, 2 (nothing
 * done) for a map past the cap (the general path then sketches it as
 * before, or with b->defer the column is left to pass 3), 0 when done, -1
 * when out of memory. */
static int gather_exact_num(struct pass *ps, size_t j, const struct builder *b,
                            struct assay_column_profile *out)
{
	int keyed = gather_keys(ps, j, b, out);
	if (keyed != 1)
		return keyed;
	for (int i = 0; i < ps->nw; i++) { /* mixed forms: all in doubles */
		struct colbuild *c = &ps->w[i].col[j];
		if (c->nt.kmode && pb_numtab_leave_keys(&c->nt, &c->min, &c->max))
			return -1;
	}
	size_t total = 0;
	int any = 0;
	for (int i = 0; i < ps->nw; i++) {
		struct colbuild *c = &ps->w[i].col[j];
		if (c->view == V_NONE || (c->view == V_NUM && c->present == 0))
			continue;
		if (c->view != V_NUM || !c->exact)
			return 1;
		if (pb_numtab_flush(&c->nt))
			return -1;
		if (c->nt.n > b->cap)
			return 2;
		total += c->nt.n;
		any = 1;
	}
	if (!any)
		return 1;
	size_t pos[ASSAY_PROFILE_MAX_WORKERS_GATHER] = {0};
	if (ps->nw > ASSAY_PROFILE_MAX_WORKERS_GATHER)
		return 1;
	double *v = malloc((total ? total : 1) * sizeof *v);
	uint64_t *cnt = malloc((total ? total : 1) * sizeof *cnt);
	if (!v || !cnt) {
		free(v);
		free(cnt);
		return -1;
	}
	size_t n = 0;
	for (;;) {
		int have = 0;
		double m = 0;
		for (int i = 0; i < ps->nw; i++) {
			const struct numtab *t = &ps->w[i].col[j].nt;
			if (ps->w[i].col[j].view == V_NUM && pos[i] < t->n &&
			    (!have || t->run[pos[i]].v < m)) {
				m = t->run[pos[i]].v;
				have = 1;
			}
		}
		if (!have)
			break;
		uint64_t c = 0;
		for (int i = 0; i < ps->nw; i++) {
			const struct numtab *t = &ps->w[i].col[j].nt;
			if (ps->w[i].col[j].view == V_NUM && pos[i] < t->n && t->run[pos[i]].v == m)
				c += t->run[pos[i]++].c;
		}
		v[n] = m;
		cnt[n++] = c;
	}
	if (n > b->cap) {
		free(v);
		free(cnt);
		return 2;
	}
	out->type = ASSAY_COL_NUMERIC;
	out->exact = 1;
	out->min = out->max = NAN;
	for (int i = 0; i < ps->nw; i++) {
		struct colbuild *c = &ps->w[i].col[j];
		add_counts(out, c);
		if (c->view == V_NUM && c->present) {
			if (!(out->min <= c->min))
				out->min = c->min;
			if (!(out->max >= c->max))
				out->max = c->max;
		}
		pb_col_reset(c, V_NONE, 0);
	}
	out->num.value = v;
	out->num.count = cnt;
	out->num.n = n;
	if (!b->skip_moments)
		assay_moments_from_map(&out->moments, v, cnt, n);
	return prof_column_finish(out, b->topk) ? -1 : 0;
}

/* Merge the workers' partial columns j of a pass into out: 0, or 2 when
 * b->defer and the column is past the cap (left to pass 3: out is then
 * incomplete), or an error. With b->defer nothing is sketched here: the
 * parts and their merges stay exact (each a subset of the whole, so a
 * column whose whole map is within the cap merges to the same bytes). */
static int gather_parts(struct pass *ps, size_t j, const struct builder *b, struct assay_column_profile *out,
                        struct assay_error *err)
{
	int fast = gather_exact_num(ps, j, b, out);
	if (fast <= 0)
		return fast ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory") : 0;
	if (fast == 2 && b->defer)
		return 2;
	uint64_t cap = b->defer ? UINT64_MAX : b->cap;
	for (int i = 0; i < ps->nw; i++) {
		struct assay_column_profile part = {0};
		if (pb_col_finish(&ps->w[i].col[j], &part)) {
			prof_column_clear(&part);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		if (!(part.name = strdup(out->name))) {
			prof_column_clear(&part);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		pb_col_reset(&ps->w[i].col[j], V_NONE, 0); /* the tables are no longer needed */
		int rc = prof_column_merge(out, &part, cap, b->topk, err);
		prof_column_clear(&part);
		if (rc)
			return rc;
	}
	if (b->defer && ((out->type == ASSAY_COL_NUMERIC && out->num.n > b->cap) ||
	                 (out->type == ASSAY_COL_CATEGORICAL && out->cat.n > b->cap)))
		return 2;
	return prof_column_finish(out, b->topk)
	           ? assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory")
	           : 0;
}

/* Column j is left to pass 3 (profile_passes.c, sketch_in_order): out
 * back to its state before the gather, the workers' parts dropped. */
static void leave_to_pass3(struct pass *ps, size_t j, struct assay_column_profile *out, int *redo)
{
	char *name = out->name;
	out->name = NULL;
	prof_column_clear(out);
	memset(out, 0, sizeof *out);
	out->name = name;
	out->type = ASSAY_COL_EMPTY;
	out->exact = 1;
	for (int i = 0; i < ps->nw; i++)
		pb_col_reset(&ps->w[i].col[j], V_NONE, 0);
	*redo = 1;
}

/* Merge the workers' partial columns j of a pass into out. With b->defer
 * (a parallel pass), a column past the cap is left to pass 3 (*redo). */
static int gather(struct pass *ps, size_t j, const struct builder *b, struct assay_column_profile *out,
                  int *redo, struct assay_error *err)
{
	if (b->defer)
		for (int i = 0; i < ps->nw; i++)
			if (ps->w[i].col[j].deferred) {
				leave_to_pass3(ps, j, out, redo);
				return 0;
			}
	int rc = gather_parts(ps, j, b, out, err);
	if (rc == 2 ||
	    (!rc && b->defer && !out->exact && (out->type != ASSAY_COL_CATEGORICAL || b->defer_cat))) {
		leave_to_pass3(ps, j, out, redo);
		rc = 0;
	}
	return rc;
}

/* Columns are gathered (sorted, merged across workers, counted) on as many
 * threads as the scan had workers: each column's gather touches only that
 * column of every worker and its own output slot, so the profile is the
 * same bytes. On a 1M-row file with a stored reference this is the build's
 * tail: 10 sorts of 0.5M keys one after the other otherwise. */
struct gather_pool {
	struct pass *p1, *p2;
	const int *active, *only;
	int *redo;
	const struct builder *b;
	struct assay_profile *p;
	size_t ncols;
	atomic_size_t next;
	int *rc;
	struct assay_error *errs;
};

static void *gather_worker(void *arg)
{
	struct gather_pool *g = arg;
	for (;;) {
		size_t j = atomic_fetch_add(&g->next, 1);
		if (j >= g->ncols)
			return NULL;
		if (g->only && !g->only[j])
			continue;
		int unused = 0;
		assay_error_clear(&g->errs[j]);
		g->rc[j] = gather(g->active && g->active[j] ? g->p2 : g->p1, j, g->b, &g->p->columns[j],
		                  g->redo ? &g->redo[j] : &unused, &g->errs[j]);
		if (g->b->skip_moments) /* the general path's merges computed them */
			memset(&g->p->columns[j].moments, 0, sizeof g->p->columns[j].moments);
	}
}

int pb_gather_all(struct pass *p1, struct pass *p2, const int *active, const int *only, int *redo,
                  const struct builder *b, struct assay_profile *p, size_t ncols, struct assay_error *err)
{
	struct gather_pool g = {p1, p2, active, only, redo, b, p, ncols, 0, NULL, NULL};
	atomic_init(&g.next, 0);
	g.rc = calloc(ncols ? ncols : 1, sizeof *g.rc);
	g.errs = calloc(ncols ? ncols : 1, sizeof *g.errs);
	if (!g.rc || !g.errs) {
		free(g.rc);
		free(g.errs);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	enum { MAXT = 8 };
	pthread_t th[MAXT];
	int started[MAXT] = {0};
	size_t nt = p1->nw < 1 ? 1 : (size_t)p1->nw;
	nt = nt > MAXT ? MAXT : nt > ncols ? (ncols ? ncols : 1) : nt;
	for (size_t t = 1; t < nt; t++)
		started[t] = pthread_create(&th[t], NULL, gather_worker, &g) == 0;
	gather_worker(&g);
	for (size_t t = 1; t < nt; t++)
		if (started[t])
			pthread_join(th[t], NULL);
	int rc = 0;
	for (size_t j = 0; j < ncols && !rc; j++)
		if ((rc = g.rc[j]))
			*err = g.errs[j];
	free(g.rc);
	free(g.errs);
	return rc;
}
