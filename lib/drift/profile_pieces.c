/* profile_pieces.c: the numeric columns past the cap of a profile build,
 * sketched in parallel and yet a function of the data alone.
 *
 * Rows are numbered in file order (their ordinal; a row of a one-column
 * file whose field is empty gets none: such blank lines may reach the
 * caller after the scan, see assay_source_set_range_fn). Pass 1 of the
 * build logs, per worker, where each range of contiguous rows it was
 * handed starts and how many ordinals it held (pb_seglog_*); sorted by
 * offset that is a table from a range's first byte to its first ordinal.
 * This pass reads the file again, on every worker, with the same ranges
 * (the same split of the same file): at each range's start a worker looks
 * its first ordinal up, so that every row's ordinal is known.
 *
 * Piece i holds the rows of ordinals [i R, (i + 1) R), R a power of two
 * from 2^10 to 2^16 chosen from the number of ordinals only (about 64
 * pieces, at most 2^16 rows each). Workers write each row's value of each
 * column into the piece's slots by ordinal (a 32-bit decimal key,
 * assay/deckey.h, or a mark for none, or for a double kept beside: 4
 * bytes a slot), so the pieces need no lock; the worker whose rows
 * complete a piece (a count per piece) summarises it: per column the
 * piece's values sorted (keys by a radix sort: their order is the
 * values'), a KLL built from them (assay_kll_from_sorted, its coin seeded
 * with the piece's index), their moments (assay_moments_from_values), the
 * HyperLogLog registers of the distinct values (into the worker's HLL:
 * registers merge by maximum, whatever the order), the least and
 * greatest. At most a few pieces are open at a time (the mapped pass
 * takes chunks in file order). After the scan the pieces' KLLs and
 * moments are merged in piece order (KLL merge; Pébay's pairwise
 * formulas), the HLLs and counts of the workers combined. Each piece's
 * summary depends only on its values, and the merge order only on the
 * ordinals: the profile is the same bytes for any number of threads, any
 * block size, mapped or read.
 *
 * When a range starts where pass 1 logged none (pass 1 was rescanned on
 * one worker after a mis-split, or its log ran out of memory), the pass is
 * made again on one worker in file order, whose one range starts at
 * ordinal 0. A string in such a column (pass 1 stopped reading it at the
 * cap) marks it lost: the caller profiles it again as categorical.
 *
 * Does not: sketch categorical columns (profile_passes.c, sketch_in_order,
 * does, in file order on one worker).
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/radix.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

/* ---- pass 1's log of ranges ------------------------------------------- */

void pb_seglog_begin(struct seglog *l, uint64_t off)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct seg *s = realloc(l->s, cap * sizeof *s);
		if (!s) {
			l->bad = 1;
			return;
		}
		l->s = s;
		l->cap = cap;
	}
	l->s[l->n++] = (struct seg){off, 0};
}

void pb_seglog_free(struct seglog *l)
{
	free(l->s);
	memset(l, 0, sizeof *l);
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return (x->off > y->off) - (x->off < y->off);
}

int pb_ranges_from_pass(const struct pass *p1, struct pb_ranges *r)
{
	memset(r, 0, sizeof *r);
	size_t n = 0;
	int bad = 0;
	for (int i = 0; i < p1->nw; i++) {
		bad |= p1->w[i].segs.bad;
		n += p1->w[i].segs.n;
		r->total += p1->w[i].segs.ordinals;
	}
	if (bad)
		return 0; /* no table: the pass goes on one worker */
	if (!(r->s = malloc((n ? n : 1) * sizeof *r->s)))
		return -1;
	for (int i = 0; i < p1->nw; i++)
		for (size_t k = 0; k < p1->w[i].segs.n; k++)
			r->s[r->n++] = p1->w[i].segs.s[k];
	qsort(r->s, r->n, sizeof *r->s, cmp_seg);
	uint64_t ord = 0;
	for (size_t k = 0; k < r->n; k++) {
		if (k && r->s[k].off == r->s[k - 1].off)
			return 0; /* one range twice: not a table */
		uint64_t rows = r->s[k].rows;
		r->s[k].rows = ord; /* from here on: the range's first ordinal */
		ord += rows;
	}
	r->valid = ord == r->total;
	return 0;
}

void pb_ranges_free(struct pb_ranges *r)
{
	free(r->s);
	memset(r, 0, sizeof *r);
}

/* ---- the pass ---------------------------------------------------------- */

/* A piece's slots: per column R keys (assay/deckey.h; 0: no value, 1:
 * the value is in the column's double slots, made when a number that is
 * not a short decimal comes). */
#define SLOT_NONE   0u
#define SLOT_DOUBLE 1u

struct piece {
	_Atomic(uint32_t *) k;       /* na columns of R keys, or NULL */
	_Atomic(double *) *d;        /* na: R doubles, or NULL */
	atomic_uint_fast64_t filled; /* rows written */
};

struct presult {
	struct assay_kll *kll;
	struct assay_moments mo;
};

/* Pieces a worker other than 0 completes wait here, up to QUEUE_MAX, for
 * worker 0 to summarise them between its ranges (on_range). In the mapped
 * pass worker 0 is the calling thread, which does not feed the SHA-256
 * while it has company; the others do, and a summary (~10 ms for ten
 * columns of 2^16 rows) held the hash up: worker 0 then waited for it,
 * 4 MiB ahead (32,000 sleeps in a 10M-row profile, ~1 s). A worker whose
 * piece finds the queue full (worker 0 busy, or in the read pass, where
 * it has one range) summarises it itself. */
#define QUEUE_MAX 4

struct pshared {
	const struct builder *b;
	const struct pb_ranges *r;
	size_t na;         /* columns of the pass */
	const size_t *col; /* their profile columns */
	int sequential;    /* one worker in file order: ordinals from 0 */
	unsigned lg;       /* R = 2^lg */
	size_t npieces;
	struct piece *pc;
	struct presult *res; /* npieces x na */
	atomic_int oom;
	/* complete pieces handed to worker 0 (settle) */
	pthread_mutex_t qlock;
	size_t q[QUEUE_MAX], qn;
};

/* One column in one worker. */
struct pcol {
	uint64_t rows, present, empty, na, nan, inf;
	double min, max;
	struct assay_hll *hll;
	int lost;
};

struct pworker {
	struct pshared *sh;
	struct pcol *col;
	uint64_t ord; /* the next row's ordinal, when known */
	int known, unknown;
	size_t cur;       /* the piece rows go to */
	uint64_t pending; /* rows written to it, not yet counted in its filled */
	double *x;        /* R values (summarise) */
	uint32_t *ks;     /* R keys (summarise's sort) */
	int index;        /* worker index (0: summarises queued pieces, resets) */
};

static uint64_t piece_rows(const struct pshared *sh, size_t i)
{
	uint64_t R = (uint64_t)1 << sh->lg, left = sh->r->total - ((uint64_t)i << sh->lg);
	return left < R ? left : R;
}

/* Piece i's values of column a: its KLL, moments, distinct values into
 * the worker's HLL, and the least and greatest. x: the m values, sorted. */
static int summarise_sorted(struct pworker *w, size_t i, size_t a, double *x, size_t m)
{
	struct pshared *sh = w->sh;
	struct pcol *c = &w->col[a];
	struct presult *res = &sh->res[i * sh->na + a];
	if (!m)
		return 0;
	res->kll = assay_kll_from_sorted(ASSAY_KLL_DEFAULT_K, x, m, (uint64_t)(i + 1) << 32);
	if (!res->kll)
		return -1;
	if (!(c->min <= x[0]))
		c->min = x[0];
	if (!(c->max >= x[m - 1]))
		c->max = x[m - 1];
	for (size_t k = 0; k < m; k++)
		if (k == 0 || x[k] != x[k - 1]) /* each distinct value once */
			assay_hll_add_hash(c->hll, assay_hash_double(x[k]));
	if (!sh->b->skip_moments)
		assay_moments_from_values(&res->mo, x, m);
	return 0;
}

/* Sort n <= R keys with the scratch of R: LSD radix on the keys less the
 * least, in as few passes of at most 11 bits as their range needs (short
 * decimals of one column span a few decimal exponents: ~26 bits, three
 * passes of 9), the histograms counted in one read. assay_radix_sort_u32
 * is made for millions of keys: its 2048 buckets of LSD passes cost more
 * than the 2^16 keys of a piece; bytes a pass were four passes. */
static void sort_keys(uint32_t *k, size_t n, uint32_t *tmp)
{
	if (n < 2)
		return;
	uint32_t lo = k[0], hi = k[0];
	for (size_t i = 1; i < n; i++) {
		lo = k[i] < lo ? k[i] : lo;
		hi = k[i] > hi ? k[i] : hi;
	}
	if (lo == hi)
		return;
	unsigned bits = 32 - (unsigned)__builtin_clz(hi - lo), passes = (bits + 10) / 11;
	unsigned width = (bits + passes - 1) / passes, mask = (1u << width) - 1;
	uint32_t cnt[3][2048];
	memset(cnt, 0, sizeof cnt);
	for (size_t i = 0; i < n; i++) {
		uint32_t x = k[i] - lo;
		for (unsigned p = 0; p < passes; p++)
			cnt[p][(x >> (width * p)) & mask]++;
	}
	uint32_t *a = k, *b = tmp;
	for (unsigned p = 0; p < passes; p++) {
		uint32_t sum = 0;
		for (unsigned d = 0; d <= mask; d++) {
			uint32_t x = cnt[p][d];
			cnt[p][d] = sum;
			sum += x;
		}
		unsigned shift = width * p;
		for (size_t i = 0; i < n; i++)
			b[cnt[p][((a[i] - lo) >> shift) & mask]++] = a[i];
		uint32_t *t = a;
		a = b;
		b = t;
	}
	if (a != k)
		memcpy(k, a, n * sizeof *k);
}

/* Column a's n slots of piece i, sorted: keys as keys (a radix sort of
 * 32-bit keys, whose order is the values'), or, when some value is not a
 * short decimal, as doubles. */
static int summarise_column(struct pworker *w, size_t i, size_t a, uint32_t *k, double *d, uint64_t n)
{
	size_t m = 0;
	if (d) {
		for (uint64_t r = 0; r < n; r++)
			if (k[r] != SLOT_NONE)
				d[m++] = k[r] == SLOT_DOUBLE ? d[r] : assay_deckey_value(k[r]);
		assay_radix_sort_doubles(d, m, sizeof *d); /* without memory it sorts by qsort */
		return summarise_sorted(w, i, a, d, m);
	}
	for (uint64_t r = 0; r < n; r++)
		if (k[r] != SLOT_NONE)
			k[m++] = k[r];
	sort_keys(k, m, w->ks);
	for (size_t r = 0; r < m; r++)
		w->x[r] = assay_deckey_value(k[r]);
	return summarise_sorted(w, i, a, w->x, m);
}

static void summarise(struct pworker *w, size_t i)
{
	struct pshared *sh = w->sh;
	struct piece *pc = &sh->pc[i];
	uint32_t *k = atomic_load(&pc->k);
	uint64_t n = piece_rows(sh, i);
	for (size_t a = 0; k && a < sh->na; a++) {
		double *d = atomic_load(&pc->d[a]);
		if (summarise_column(w, i, a, k + (a << sh->lg), d, n))
			atomic_store(&sh->oom, 1);
		free(d);
		atomic_store(&pc->d[a], NULL);
	}
	free(k);
	atomic_store(&pc->k, NULL);
}

/* The rows written to the current piece counted; the worker that
 * completes it summarises it. */
static void settle(struct pworker *w)
{
	if (!w->pending)
		return;
	struct pshared *sh = w->sh;
	uint64_t done = atomic_fetch_add(&sh->pc[w->cur].filled, w->pending) + w->pending;
	w->pending = 0;
	if (done != piece_rows(sh, w->cur))
		return;
	int queued = 0;
	if (w->index != 0) {
		pthread_mutex_lock(&sh->qlock);
		if ((queued = sh->qn < QUEUE_MAX))
			sh->q[sh->qn++] = w->cur;
		pthread_mutex_unlock(&sh->qlock);
	}
	if (!queued)
		summarise(w, w->cur);
}

/* Worker 0: the pieces waiting in the queue. */
static void drain(struct pworker *w)
{
	struct pshared *sh = w->sh;
	for (;;) {
		pthread_mutex_lock(&sh->qlock);
		size_t n = sh->qn, i = n ? sh->q[--sh->qn] : 0;
		pthread_mutex_unlock(&sh->qlock);
		if (!n)
			return;
		summarise(w, i);
	}
}

/* Made by the first worker that needs them (the others' are freed). */
static uint32_t *key_slots(struct pshared *sh, size_t i)
{
	uint32_t *v = atomic_load(&sh->pc[i].k), *none = NULL;
	if (v)
		return v;
	uint32_t *mine = malloc((sh->na << sh->lg) * sizeof *mine);
	if (!mine)
		return NULL;
	if (atomic_compare_exchange_strong(&sh->pc[i].k, &none, mine))
		return mine;
	free(mine);
	return none;
}

static double *double_slots(struct pshared *sh, size_t i, size_t a)
{
	double *v = atomic_load(&sh->pc[i].d[a]), *none = NULL;
	if (v)
		return v;
	double *mine = malloc(((size_t)1 << sh->lg) * sizeof *mine);
	if (!mine)
		return NULL;
	if (atomic_compare_exchange_strong(&sh->pc[i].d[a], &none, mine))
		return mine;
	free(mine);
	return none;
}

static void on_range(void *ctx, uint64_t off)
{
	struct pworker *w = ctx;
	const struct pb_ranges *r = w->sh->r;
	settle(w);
	if (w->index == 0)
		drain(w);
	w->known = 0;
	if (w->sh->sequential || r->n == 0 || off <= r->s[0].off) {
		w->ord = 0; /* no row before it */
		w->known = 1;
		return;
	}
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->s[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n && r->s[lo].off == off) {
		w->ord = r->s[lo].rows;
		w->known = 1;
	}
}

/* A field of a numeric column: its value (1), or 0 with the kind of
 * missing value counted, or a string (the column is lost): pb_classify. */
static int field_value(const struct pshared *sh, struct pcol *c, const struct assay_field *f, double *out)
{
	c->rows++;
	double x;
	enum pb_kind kind = pb_classify(sh->b->src, f, &x);
	if (PB_COUNT_MISSING(c, kind))
		return 0;
	if (kind == PB_STRING) {
		c->lost = 1;
		return 0;
	}
	c->present++;
	*out = x == 0 ? 0 : x; /* -0.0 is 0.0 */
	return 1;
}

/* Column a's field of a row into its slot of piece i, at: 0, or -1 when
 * out of memory. */
static int slot_field(struct pworker *w, const struct assay_row *row, size_t a, size_t i, uint32_t *k,
                      size_t at)
{
	struct pshared *sh = w->sh;
	double x;
	uint32_t *slot = k + (a << sh->lg) + at;
	if (!field_value(sh, &w->col[a], &row->fields[sh->b->srccol[sh->col[a]]], &x)) {
		*slot = SLOT_NONE;
		return 0;
	}
	double *d = double_slots(sh, i, a);
	if (!d)
		return -1;
	d[at] = x;
	*slot = SLOT_DOUBLE;
	return 0;
}

/* Fields that may be short decimals (assay/deckey.h), parsed together;
 * the others one by one. */
static int slot_batch(struct pworker *w, const struct assay_row *row, size_t i, uint32_t *k, size_t at,
                      const char *const *p, const uint32_t *len, const size_t *col, size_t n)
{
	uint32_t keys[ASSAY_DECKEY_BATCH];
	unsigned ok = assay_deckey_parse_batch(p, len, n, keys);
	int rc = 0;
	for (size_t j = 0; j < n; j++) {
		if (!(ok >> j & 1)) {
			rc |= slot_field(w, row, col[j], i, k, at);
			continue;
		}
		struct pcol *c = &w->col[col[j]];
		c->rows++;
		c->present++;
		k[(col[j] << w->sh->lg) + at] = keys[j];
	}
	return rc;
}

static int piece_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct pworker *w = ctx;
	struct pshared *sh = w->sh;
	const struct builder *b = sh->b;
	(void)err;
	if (!pb_row_ordinal(row)) { /* one column, empty */
		w->col[0].rows++;
		w->col[0].empty++;
		return 0;
	}
	if (!w->known || w->ord >= sh->r->total) {
		w->unknown = 1;
		return 0;
	}
	uint64_t o = w->ord++;
	size_t i = (size_t)(o >> sh->lg), at = (size_t)(o & (((uint64_t)1 << sh->lg) - 1));
	if (i != w->cur) {
		settle(w);
		w->cur = i;
	}
	uint32_t *k = key_slots(sh, i);
	const char *p[ASSAY_DECKEY_BATCH];
	uint32_t len[ASSAY_DECKEY_BATCH];
	size_t col[ASSAY_DECKEY_BATCH], n = 0;
	int rc = k ? 0 : -1;
	for (size_t a = 0; k && a < sh->na; a++) {
		const struct assay_field *f = &row->fields[b->srccol[sh->col[a]]];
		if (b->na_list || f->len - 1u >= 16u) {
			rc |= slot_field(w, row, a, i, k, at);
			continue;
		}
		p[n] = f->p;
		len[n] = f->len;
		col[n++] = a;
		if (n == ASSAY_DECKEY_BATCH) {
			rc |= slot_batch(w, row, i, k, at, p, len, col, n);
			n = 0;
		}
	}
	if (n)
		rc |= slot_batch(w, row, i, k, at, p, len, col, n);
	if (rc) {
		atomic_store(&sh->oom, 1);
		w->unknown = 1;
	}
	w->pending++;
	return 0;
}

static int pworker_clear(struct pworker *w)
{
	int rc = 0;
	for (size_t a = 0; a < w->sh->na; a++) {
		assay_hll_free(w->col[a].hll);
		memset(&w->col[a], 0, sizeof w->col[a]);
		w->col[a].min = w->col[a].max = NAN;
		if (!(w->col[a].hll = assay_hll_new()))
			rc = -1;
	}
	w->ord = 0;
	w->known = w->unknown = 0;
	w->cur = 0;
	w->pending = 0;
	return rc;
}

static void shared_clear(struct pshared *sh)
{
	for (size_t i = 0; i < sh->npieces; i++) {
		free(atomic_load(&sh->pc[i].k));
		atomic_store(&sh->pc[i].k, NULL);
		atomic_store(&sh->pc[i].filled, 0);
		for (size_t a = 0; a < sh->na; a++) {
			free(atomic_load(&sh->pc[i].d[a]));
			atomic_store(&sh->pc[i].d[a], NULL);
			assay_kll_free(sh->res[i * sh->na + a].kll);
			memset(&sh->res[i * sh->na + a], 0, sizeof sh->res[0]);
		}
	}
	atomic_store(&sh->oom, 0);
	sh->qn = 0;
}

/* assay_reset_fn: the scan starts again on one worker (a mis-split);
 * called for worker 0 first. */
static void piece_reset(void *ctx)
{
	struct pworker *w = ctx;
	if (w->index == 0)
		shared_clear(w->sh);
	if (pworker_clear(w))
		atomic_store(&w->sh->oom, 1);
}

/* Column a of every worker, the pieces' summaries merged in piece order,
 * into out. */
static int assemble(struct pshared *sh, struct pworker *ws, int nw, size_t a,
                    struct assay_column_profile *out)
{
	out->type = ASSAY_COL_NUMERIC;
	out->exact = 0;
	out->min = out->max = NAN;
	if (!(out->hll = assay_hll_new()) || !(out->kll = assay_kll_new(ASSAY_KLL_DEFAULT_K)))
		return -1;
	for (int k = 0; k < nw; k++) {
		const struct pcol *c = &ws[k].col[a];
		PB_ADD_COUNTS(out, c);
		if (c->min == c->min && !(out->min <= c->min)) /* NaN: the worker summarised no piece */
			out->min = c->min;
		if (c->max == c->max && !(out->max >= c->max))
			out->max = c->max;
		assay_hll_merge(out->hll, c->hll);
	}
	assay_moments_init(&out->moments);
	for (size_t i = 0; i < sh->npieces; i++) {
		const struct presult *r = &sh->res[i * sh->na + a];
		if (!r->kll)
			continue;
		if (assay_kll_merge(out->kll, r->kll))
			return -1;
		assay_moments_merge(&out->moments, &r->mo);
	}
	return prof_column_finish(out, sh->b->topk) ? -1 : 0;
}

/* One scan; 0, or an error; *redo when a range's first ordinal was not
 * known (the caller scans again in file order). */
static int scan_pieces(struct assay_source *src, struct pshared *sh, struct pworker *ws, void **ctx, int nw,
                       const unsigned char *sha256, int *redo, struct assay_error *err)
{
	shared_clear(sh);
	for (int k = 0; k < nw; k++)
		if (pworker_clear(&ws[k]))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	struct assay_source_stats st;
	assay_source_set_range_fn(src, on_range);
	assay_source_set_sequential(src, sh->sequential);
	int rc = assay_source_scan(src, piece_row, piece_reset, ctx, &st, err);
	assay_source_set_sequential(src, 0);
	assay_source_set_range_fn(src, NULL);
	if (rc)
		return rc;
	if (memcmp(sha256, st.sha256, 32) != 0)
		return assay_error_set(err, ASSAY_EINPUT, assay_source_path(src), 0, 0,
		                       "the file changed while it was being profiled");
	*redo = 0;
	for (int k = 0; k < nw; k++) {
		settle(&ws[k]); /* the last pieces (on this thread) */
		*redo |= ws[k].unknown;
	}
	drain(&ws[0]);
	if (atomic_load(&sh->oom))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; !*redo && i < sh->npieces; i++)
		if (atomic_load(&sh->pc[i].filled) != piece_rows(sh, i))
			*redo = 1; /* not every row was seen where pass 1 saw it */
	if (*redo && sh->sequential)
		return assay_error_set(err, ASSAY_EINPUT, assay_source_path(src), 0, 0,
		                       "the file changed while it was being profiled");
	return 0;
}

int pb_sketch_pieces(struct assay_source *src, const struct builder *b, const struct pb_ranges *r,
                     const int *cols, int *lost, const unsigned char *sha256, struct assay_profile *p,
                     size_t ncols, struct assay_error *err)
{
	size_t na = 0;
	for (size_t j = 0; j < ncols; j++)
		na += cols[j] != 0;
	if (!na)
		return 0;
	struct pshared sh = {.b = b, .r = r, .na = na, .sequential = !r->valid};
	atomic_init(&sh.oom, 0);
	if (pthread_mutex_init(&sh.qlock, NULL))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	sh.lg = 10; /* R: the power of two nearest above total / 64, in [2^10, 2^16] */
	while (sh.lg < 16 && ((uint64_t)1 << sh.lg) * 64 < r->total)
		sh.lg++;
	sh.npieces = (size_t)((r->total + ((uint64_t)1 << sh.lg) - 1) >> sh.lg);
	int nw = assay_source_max_workers(src), rc = 0;
	size_t *col = malloc(na * sizeof *col);
	sh.pc = calloc(sh.npieces ? sh.npieces : 1, sizeof *sh.pc);
	sh.res = calloc((sh.npieces ? sh.npieces : 1) * na, sizeof *sh.res);
	_Atomic(double *) *dp = calloc((sh.npieces ? sh.npieces : 1) * na, sizeof *dp);
	for (size_t i = 0; dp && sh.pc && i < sh.npieces; i++) {
		sh.pc[i].d = dp + i * na;
		for (size_t a = 0; a < na; a++)
			atomic_init(&sh.pc[i].d[a], NULL);
	}
	struct pworker *ws = calloc((size_t)nw, sizeof *ws);
	void **ctx = calloc((size_t)nw, sizeof *ctx);
	if (!col || !sh.pc || !sh.res || !dp || !ws || !ctx) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	na = 0;
	for (size_t j = 0; j < ncols; j++)
		if (cols[j])
			col[na++] = j;
	sh.col = col;
	for (int k = 0; k < nw; k++) {
		ws[k].sh = &sh;
		ws[k].index = k;
		ws[k].cur = 0;
		ctx[k] = &ws[k];
		if (!(ws[k].col = calloc(na, sizeof *ws[k].col)) ||
		    !(ws[k].ks = malloc(((size_t)1 << sh.lg) * sizeof *ws[k].ks)) ||
		    !(ws[k].x = malloc(((size_t)1 << sh.lg) * sizeof *ws[k].x))) {
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			goto out;
		}
	}
	/* the tokenizer stores fields up to the last column of the pass */
	size_t end = 0, all = 0;
	for (size_t j = 0; j < ncols; j++) {
		size_t e = b->srccol[j] + 1;
		all = e > all ? e : all;
		end = cols[j] && e > end ? e : end;
	}
	assay_source_project(src, end);
	int redo = 0;
	rc = scan_pieces(src, &sh, ws, ctx, nw, sha256, &redo, err);
	if (!rc && redo) {
		sh.sequential = 1;
		rc = scan_pieces(src, &sh, ws, ctx, nw, sha256, &redo, err);
	}
	assay_source_project(src, all);
	for (size_t a = 0; !rc && a < na; a++) {
		int gone = 0;
		for (int k = 0; k < nw; k++)
			gone |= ws[k].col[a].lost;
		lost[col[a]] = gone;
		if (gone)
			continue;
		struct assay_column_profile *out = &p->columns[col[a]];
		if (assemble(&sh, ws, nw, a, out))
			rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		if (b->skip_moments)
			memset(&out->moments, 0, sizeof out->moments);
	}
out:
	if (sh.pc && sh.res && dp)
		shared_clear(&sh);
	for (int k = 0; ws && k < nw; k++) {
		for (size_t a = 0; ws[k].col && a < na; a++)
			assay_hll_free(ws[k].col[a].hll);
		free(ws[k].col);
		free(ws[k].ks);
		free(ws[k].x);
	}
	free(ws);
	free(ctx);
	free(sh.pc);
	free(dp);
	free(sh.res);
	free(col);
	pthread_mutex_destroy(&sh.qlock);
	return rc;
}
