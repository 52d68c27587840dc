/* profile_build.c: what one worker of a profile build does with the rows
 * it is handed: per column, counts and one "view" chosen by the first
 * present value it sees, numeric (a hash table double -> count) or
 * categorical (a hash table bytes -> count), and the row loop that feeds
 * them. The passes over the source and the build's end are in
 * profile_passes.c; each worker's tables are sorted into exact maps and
 * the workers' partial profiles merged by profile_gather.c and
 * profile_merge.c.
 *
 * Past `cap` distinct values a column is not sketched from its table (each
 * worker's sketches would depend on which chunks the reader gave it): it
 * is deferred (its table dropped, the row loop no longer reads it), and
 * profiled again by a later pass (profile_passes.c). With one worker a
 * categorical column is sketched here in pass 1 (HLL + Misra-Gries, seeded
 * with its table in sorted order), as the rows come in file order.
 *
 * Classification of a field, in this order: "" -> missing_empty; a
 * missing spelling (assay_source_is_na: NA, null, --na...) -> missing_nan
 * if it reads as NaN, else missing_na; a number that is NaN ("nan",
 * "NAN") -> missing_nan; +-inf ("inf", "-Infinity") -> missing_inf, in
 * every column; any other number -> a numeric value; anything else -> a
 * string, which makes the column categorical.
 *
 * A worker that saw numbers first and then a string has lost the text of
 * those numbers ("1.0" and "1" are different categories): it marks the
 * column lost, and a second pass profiles it as categorical
 * (profile_passes.c).
 *
 * Numbers that are short decimals (assay/deckey.h: at most 7 significant
 * digits, "%.6g" data) are kept as 32-bit keys appended to one array per
 * column and radix-sorted once at the end: 4 bytes a row instead of the
 * buffer-and-run merging of doubles, and a third of the sort's passes. A
 * column leaves the key form for the double form (its keys replayed, the
 * result the same bytes) at its first number that is not a short decimal,
 * when it holds 4 caps of keys (key_checkpoint: at 2 and 4 caps the keys
 * are sorted in place and counted, and a column with more distinct keys
 * than the cap is deferred there; where a sketch would be made from the
 * table, pass 3, the key form is left at the cap), or
 * when at 2^20 keys the last 2^16 are mostly duplicates (the double form's
 * runs keep memory O(distinct) there; a column whose duplicates come only
 * later stays at 4 bytes a row). Without a cap (drift's data files) and
 * in a deferring pass (add_key_form), mostly duplicates among the last
 * 2^12 keys at 2^16 keys (or the last 2^16 at 2^20) put the column in the
 * counted form instead: a table of its keys and their counts (at most
 * 4096), which the row plan counts into like a category (1 to 2 ns a row
 * where the double form's buffer, sorts and merges cost ~5% of a 10M-row
 * drift, and ~10% of the CPU of a 10M-row profile with a cap) and which
 * becomes the double form's run when the pass ends, when it is full, or
 * at a value that is not a key: no sketch is made from a table in either
 * case, so no sketch can depend on when values reached the double form,
 * and the result is the same bytes. Both forms give the same
 * sorted map: a key's double is the value the text parses to. With
 * opts.packed the key form's maps are handed out packed. The tables
 * themselves are in profile_tables.c.
 *
 * The row loop (pb_on_row) parses a row's candidate keys together
 * (assay_deckey_parse_batch) and, while every key-form column takes a key
 * in every row, goes by a row plan that skips the per-field bookkeeping
 * (plan_row): each key stored at one running row index, a counted key
 * looked up in its table; a known short category is counted inline.
 *
 * Does not: keep the text of numeric columns, or profile nested JSON.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/hll.h"
#include "assay/moments.h"
#include "assay/radix.h"
#include "assay/topk.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

/* ---- one column ------------------------------------------------------- */

void pb_col_reset(struct colbuild *c, enum view start, int keys)
{
	pb_numtab_free(&c->nt);
	pb_cattab_free(&c->ct);
	assay_hll_free(c->hll);
	assay_topk_free(c->mg);
	memset(c, 0, sizeof *c);
	c->view = start;
	c->exact = 1;
	c->min = c->max = NAN;
	c->nt.kmode = keys;
}

/* A column past the cap in a deferring pass (b->defer): its table is
 * dropped and the row loop no longer reads it (profile_pieces.c or pass 3
 * does, and finds a string that comes later). The sketches it would have
 * had depend on which rows reached this worker, which the reader does not
 * fix. */
static void defer_column(struct colbuild *c)
{
	pb_numtab_free(&c->nt);
	pb_cattab_free(&c->ct);
	c->exact = 0;
	c->deferred = 1;
}

static int cat_to_sketch(struct colbuild *c, size_t topk, int defer)
{
	if (defer) {
		defer_column(c);
		return 0;
	}
	struct cattab *t = &c->ct;
	pb_cattab_sort(t);
	if (!(c->hll = assay_hll_new()) ||
	    !(c->mg = assay_topk_new((topk ? topk : 1) * ASSAY_PROFILE_MG_FACTOR)))
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		assay_hll_add_hash(c->hll, t->e[i].hash);
		if (assay_topk_add(c->mg, t->bytes + t->e[i].off, t->e[i].len, t->e[i].cnt))
			return -1;
	}
	pb_cattab_free(t);
	c->exact = 0;
	return 0;
}

/* The key form's limit of keys (klim; see key_checkpoint). */
static inline uint64_t key_limit(const struct colbuild *c, const struct builder *b)
{
	return c->klim ? c->klim : b->cap;
}

/* The first klim of a pass: without a cap, or in pass 3 (b->defer == 0,
 * whose columns are categorical), the cap; else twice the cap. */
static uint64_t first_key_limit(const struct builder *b)
{
	return b->defer && b->cap <= UINT64_MAX / (2 * KEY_FORM_CAPS) ? 2 * b->cap : 0;
}

/* Column c's key form holds klim keys, where klim is over the cap (a
 * deferring pass: no sketch is made from the table, so its keys' order
 * does not matter): the keys are sorted in place and their distinct ones
 * counted. More than the cap: the column is past the cap, deferred now
 * (2), where the double form's buffers, sorts and merges would have
 * found it out later (they were 20-30% of the CPU of a 10M-row profile
 * with the default cap). Else the limit doubles, up to KEY_FORM_CAPS
 * caps, where the key form is left for the double one (1: the caller adds
 * the key the double way), at 4 bytes a key no more memory than the
 * double form's run and buffer of as many distinct values. 0: go on, -1:
 * out of memory. */
static int key_checkpoint(struct colbuild *c, const struct builder *b)
{
	struct numtab *t = &c->nt;
	if (!c->klim || t->kc || t->nk < c->klim)
		return 0;
	assay_radix_sort_u32(t->k, t->nk); /* without memory it sorts by qsort */
	size_t d = 0;
	for (size_t i = 0; i < t->nk; i++)
		d += i == 0 || t->k[i] != t->k[i - 1];
	if (d > b->cap) {
		defer_column(c);
		return 2;
	}
	if (c->klim < KEY_FORM_CAPS * b->cap) {
		c->klim *= 2;
		return 0;
	}
	return pb_numtab_leave_keys(t, &c->min, &c->max) ? -1 : 1;
}

/* A key into column c's key form: 0, 1 when the caller must add it the
 * double way (the form was left), 2 when the column was deferred, -1 when
 * out of memory. In a deferring pass the key form is left by
 * key_checkpoint, not at the cap: pb_numtab_add_key is told there is none,
 * so that a column of few distinct keys takes the counted form, as
 * without a cap (no sketch is made from it either way; the exact map is
 * the same bytes). */
static int add_key_form(struct colbuild *c, uint32_t key, const struct builder *b)
{
	int r = key_checkpoint(c, b);
	if (r)
		return r;
	return pb_numtab_add_key(&c->nt, key, &c->min, &c->max, c->klim ? UINT64_MAX : b->cap);
}

static void add_number(struct colbuild *c, double x, const struct builder *b)
{
	if (x == 0)
		x = 0; /* -0.0 is 0.0 */
	if (c->nt.kmode && pb_numtab_leave_keys(&c->nt, &c->min, &c->max)) {
		c->oom = 1;
		return;
	}
	if (!(c->min <= x))
		c->min = x;
	if (!(c->max >= x))
		c->max = x;
	if (!c->exact) /* deferred */
		return;
	if (pb_numtab_add(&c->nt, x))
		c->oom = 1;
	else if (c->nt.n > b->cap)
		defer_column(c);
}

static void add_string(struct colbuild *c, const char *p, uint32_t len, const struct builder *b)
{
	if (c->exact) {
		int r = pb_cattab_add(&c->ct, p, len);
		if (r < 0 || (r > 0 && c->ct.n > b->cap && cat_to_sketch(c, b->topk, b->defer_cat)))
			c->oom = 1;
		return;
	}
	if (c->deferred)
		return;
	assay_hll_add_hash(c->hll, assay_hash64(p, len));
	if (assay_topk_add(c->mg, p, len, 1))
		c->oom = 1;
}

static void add_field(struct colbuild *c, const struct assay_field *f, const struct builder *b)
{
	c->rows++;
	if (f->len == 0) {
		c->empty++;
		return;
	}
	uint32_t key;
	if (c->nt.kmode && (c->view == V_NONE || c->view == V_NUM) &&
	    assay_deckey_parse(f->p, f->len, &key) == 0) {
		if (b->na_list && assay_source_is_na(b->src, f)) { /* a number listed by --na */
			c->na++;
			return;
		}
		c->present++;
		c->view = V_NUM;
		int r = add_key_form(c, key, b);
		if (r < 0)
			c->oom = 1;
		else if (r == 1)
			add_number(c, assay_deckey_value(key), b);
		return;
	}
	/* a plain category: the number parse and the NA lookup that would only
	 * say so are skipped (1.9% of the 1M-row drift's samples, for three
	 * such columns) */
	if (c->view == V_CAT && !b->na_list && pb_plain_category(f)) {
		c->present++;
		add_string(c, f->p, f->len, b);
		return;
	}
	double x;
	enum pb_kind kind = pb_classify(b->src, f, &x);
	if (PB_COUNT_MISSING(c, kind))
		return;
	int num = kind == PB_NUMBER;
	c->present++;
	switch (c->view) {
	case V_NONE:
		c->view = num ? V_NUM : V_CAT;
		if (!num) {
			add_string(c, f->p, f->len, b);
			return;
		}
		/* fall through */
	case V_NUM:
		if (num) {
			add_number(c, x, b);
			return;
		}
		c->view = V_LOST; /* the text of the numbers so far is gone: pass 2 */
		pb_numtab_free(&c->nt);
		return;
	case V_CAT:
		add_string(c, f->p, f->len, b);
		return;
	case V_LOST:
		return;
	}
}

/* A field known to be a decimal key (add_field's first branch, the
 * source having no --na spellings). */
static inline void add_key(struct colbuild *c, uint32_t key, const struct builder *b)
{
	c->rows++;
	c->present++;
	c->view = V_NUM;
	struct numtab *t = &c->nt;
	if (t->nk < t->ck && t->nk < key_limit(c, b)) { /* numtab_add_key's common case, inline */
		t->k[t->nk++] = key;
		return;
	}
	int r = add_key_form(c, key, b);
	if (r < 0)
		c->oom = 1;
	else if (r == 1)
		add_number(c, assay_deckey_value(key), b);
}

/* A field that is not batched: a known short category counted here
 * (add_field and add_string were two calls around one table probe: 3.5%
 * of the 1M-row drift's samples for three columns of 3 to 10
 * categories), anything else by add_field. */
static inline void add_other(struct colbuild *c, const struct assay_field *f, const struct builder *b)
{
	if (c->view == V_CAT && c->exact && !b->na_list && f->len && pb_plain_category(f) &&
	    pb_cattab_count_short(&c->ct, f->p, f->len)) {
		c->rows++;
		c->present++;
		return;
	}
	add_field(c, f, b);
}

static void add_batch(struct worker *w, const struct assay_row *row, const char *const *p,
                      const uint32_t *len, const uint32_t *col, size_t n)
{
	const struct builder *b = w->b;
	uint32_t keys[ASSAY_DECKEY_BATCH];
	unsigned ok = assay_deckey_parse_batch(p, len, n, keys);
	for (size_t i = 0; i < n; i++) {
		struct colbuild *c = &w->col[col[i]];
		if (ok >> i & 1)
			add_key(c, keys[i], b);
		else
			add_field(c, &row->fields[b->srccol[col[i]]], b);
	}
}

/* A row the plan does not take (below): the fields that may be keys
 * (their column is still in the key form and not categorical, 1 to 16
 * bytes) are parsed together by assay_deckey_parse_batch (with AVX-512:
 * 12.4 -> 4.4 ns a span, bench/README.md), the others one by one. Columns
 * are independent, so the order in which a row's fields reach them does
 * not matter; each column still sees its fields in row order. */
static void slow_row(struct worker *w, const struct assay_row *row)
{
	const struct builder *b = w->b;
	const char *p[ASSAY_DECKEY_BATCH];
	uint32_t len[ASSAY_DECKEY_BATCH], col[ASSAY_DECKEY_BATCH];
	size_t n = 0;
	for (size_t j = 0; j < b->ncols; j++) {
		if (b->active && !b->active[j])
			continue;
		const struct assay_field *f = &row->fields[b->srccol[j]];
		struct colbuild *c = &w->col[j];
		if (c->deferred) /* pass 3 profiles it (and finds a late string) */
			continue;
		if (b->na_list || !c->nt.kmode || c->view > V_NUM || f->len - 1u >= 16u) {
			add_other(c, f, b);
			continue;
		}
		p[n] = f->p;
		len[n] = f->len;
		col[n++] = (uint32_t)j;
		if (n == ASSAY_DECKEY_BATCH) {
			add_batch(w, row, p, len, col, n);
			n = 0;
		}
	}
	if (n)
		add_batch(w, row, p, len, col, n);
}

/* The row plan: while every key-form numeric column (view V_NUM) takes a
 * key in every row, a row is a batch parse, one store a key into arrays
 * of the plan (the columns' key arrays and lengths, copied out), and the
 * other columns one by one; the columns' row and present counts and key
 * lengths are written back (plan_flush) before anything else touches
 * them. Any other row (a field that is not a key, a key array full, a
 * column that may change form) goes the slow way, after which the plan
 * is made again. The per-key bookkeeping of the slow way (the column's
 * state, two counts, the capacity and the cap, 4.8 ns a field with the
 * loop on the 1M-row drift) was the largest cost after the parse. */
static void plan_flush(struct worker *w)
{
	struct row_plan *pl = &w->plan;
	for (size_t k = 0; k < pl->nkey + pl->ncount; k++) {
		struct colbuild *c = &w->col[pl->col[k]];
		c->rows += pl->rows;
		c->present += pl->rows;
		if (k < pl->nkey)
			c->nt.nk += pl->rows;
	}
	pl->rows = 0;
	pl->valid = 0;
}

static void plan_make(struct worker *w)
{
	const struct builder *b = w->b;
	struct row_plan *pl = &w->plan;
	pl->nkey = pl->ncount = pl->nother = 0;
	pl->room = SIZE_MAX;
	pl->rows = 0;
	for (size_t j = 0; j < b->ncols; j++) {
		if (b->active && !b->active[j])
			continue;
		struct colbuild *c = &w->col[j];
		if (c->deferred)
			continue;
		if (c->view == V_NUM && c->nt.kmode && c->exact && !c->nt.kc) {
			struct numtab *t = &c->nt;
			uint64_t kl = key_limit(c, b);
			size_t lim = t->ck < kl ? t->ck : (size_t)kl;
			size_t room = lim > t->nk ? lim - t->nk : 0;
			pl->room = room < pl->room ? room : pl->room;
			pl->col[pl->nkey] = (uint32_t)j;
			pl->src[pl->nkey] = (uint32_t)b->srccol[j];
			pl->k[pl->nkey++] = t->k + t->nk;
		}
	}
	for (size_t j = 0; j < b->ncols; j++) {
		if ((b->active && !b->active[j]) || w->col[j].deferred)
			continue;
		struct colbuild *c = &w->col[j];
		if (c->view == V_NUM && c->nt.kmode && c->exact && c->nt.kc) {
			size_t i = pl->nkey + pl->ncount++;
			pl->col[i] = (uint32_t)j;
			pl->src[i] = (uint32_t)b->srccol[j];
			pl->tab[i] = &c->nt;
		} else if (!(c->view == V_NUM && c->nt.kmode && c->exact)) {
			pl->other[pl->nother++] = (uint32_t)j;
		}
	}
	pl->valid = pl->nkey + pl->ncount && pl->room;
}

/* 1 when the row went the plan's way, 0 when nothing was done. */
static int plan_row(struct worker *w, const struct assay_row *row)
{
	const struct builder *b = w->b;
	struct row_plan *pl = &w->plan;
	const char *p[ASSAY_DECKEY_BATCH];
	uint32_t len[ASSAY_DECKEY_BATCH];
	uint32_t *keys = pl->keys;
	size_t nall = pl->nkey + pl->ncount;
	for (size_t k0 = 0; k0 < nall; k0 += ASSAY_DECKEY_BATCH) {
		size_t n = nall - k0 < ASSAY_DECKEY_BATCH ? nall - k0 : ASSAY_DECKEY_BATCH;
		unsigned badlen = 0;
		for (size_t i = 0; i < n; i++) {
			const struct assay_field *f = &row->fields[pl->src[k0 + i]];
			p[i] = f->p;
			len[i] = f->len;
			badlen |= f->len - 1u >= 16u;
		}
		if (badlen || assay_deckey_parse_batch(p, len, n, keys + k0) != (1u << n) - 1)
			return 0;
	}
	uint64_t r = pl->rows;
	for (size_t k = 0; k < pl->nkey; k++)
		pl->k[k][r] = keys[k];
	pl->rows = r + 1;
	pl->valid = --pl->room != 0;
	for (size_t k = pl->nkey; k < nall; k++) {
		if (pb_kcount_hit(pl->tab[k], keys[k]))
			continue;
		/* a new key: into the table, which may be full (the column then
		 * leaves for the double form and the plan is made again) */
		struct colbuild *c = &w->col[pl->col[k]];
		int rc = pb_numtab_add_key(&c->nt, keys[k], &c->min, &c->max, b->cap);
		if (rc < 0)
			c->oom = 1;
		else if (rc > 0)
			add_number(c, assay_deckey_value(keys[k]), b);
		if (rc)
			pl->valid = 0;
	}
	for (size_t i = 0; i < pl->nother; i++) {
		struct colbuild *c = &w->col[pl->other[i]];
		enum view v = c->view;
		add_other(c, &row->fields[b->srccol[pl->other[i]]], b);
		if (c->view != v) /* it may have become a key column: the plan is made again */
			pl->valid = 0;
	}
	if (!pl->valid)
		plan_flush(w);
	return 1;
}

/* pass 1: the ordinals of the range (profile_pieces.c) */
static inline void log_row(struct worker *w, const struct assay_row *row)
{
	struct seglog *l = &w->segs;
	if (!pb_row_ordinal(row))
		return;
	l->ordinals++;
	if (l->n)
		l->s[l->n - 1].rows++;
	else
		l->bad = 1;
}

void pb_on_range(void *ctx, uint64_t off)
{
	struct worker *w = ctx;
	pb_seglog_begin(&w->segs, off);
}

int pb_on_row(void *ctx, const struct assay_row *row, struct assay_error *err)
{
	struct worker *w = ctx;
	(void)err;
	if (w->b->log_ranges)
		log_row(w, row);
	if (w->plan.valid && plan_row(w, row))
		return 0;
	if (w->plan.valid)
		plan_flush(w);
	slow_row(w, row);
	/* a plan is made after a slow row; when the last one found no key
	 * column (a file of categories, pass 2), only every 1024 rows, so that
	 * such files do not pay a pass over the columns a row */
	if (!w->b->na_list && (w->plan.nkey + w->plan.ncount || ++w->plan.wait >= 1024)) {
		w->plan.wait = 0;
		plan_make(w);
	}
	return 0;
}

void pb_flush_plans(struct pass *ps)
{
	for (int i = 0; i < ps->nw; i++)
		if (ps->w[i].plan.valid)
			plan_flush(&ps->w[i]);
}

void pb_on_reset(void *ctx)
{
	struct worker *w = ctx;
	w->plan.valid = 0;
	w->plan.rows = 0;
	w->plan.nkey = 0;
	w->plan.wait = 1023; /* the first row makes a plan */
	w->segs.n = 0;
	w->segs.ordinals = 0;
	w->segs.bad = 0;
	const struct builder *b = w->b;
	for (size_t j = 0; j < b->ncols; j++) {
		pb_col_reset(&w->col[j], b->starts ? b->starts[j] : b->start, b->keys);
		w->col[j].klim = first_key_limit(b);
		/* a parallel pass with a small cap: the double form's buffer is
		 * merged every 4 cap values (at least 1024), not 2^18, so that a
		 * column past the cap is deferred early (on the 1M half with
		 * --cap 50 each worker buffered and sorted all its ~250k values
		 * of every such column before finding out). The exact result does
		 * not depend on when the buffer is merged. */
		if (b->defer && b->cap < ((uint64_t)1 << 16))
			w->col[j].nt.bufmin = b->cap * 4 > 1024 ? (size_t)b->cap * 4 : 1024;
	}
}

/* A worker's column as a partial column profile. */
int pb_col_finish(struct colbuild *c, struct assay_column_profile *out)
{
	if (c->nt.kmode && pb_numtab_leave_keys(&c->nt, &c->min, &c->max))
		return -1;
	/* the last values are still in the buffer (the cap is the gather's) */
	if (c->view == V_NUM && c->exact && pb_numtab_flush(&c->nt))
		return -1;
	out->rows = c->rows;
	out->present = c->present;
	out->missing_empty = c->empty;
	out->missing_na = c->na;
	out->missing_nan = c->nan;
	out->missing_inf = c->inf;
	out->min = out->max = NAN;
	out->exact = c->exact;
	if (c->view == V_NONE || c->present == 0) {
		out->type = ASSAY_COL_EMPTY;
		out->exact = 1;
		return 0;
	}
	if (c->view == V_NUM) {
		out->type = ASSAY_COL_NUMERIC;
		out->min = c->min;
		out->max = c->max;
		/* exact: a deferred column (the only numeric one that is not)
		 * is left to a later pass by the gather, never finished */
		if (pb_numtab_sorted(&c->nt, &out->num))
			return -1;
		assay_moments_from_map(&out->moments, out->num.value, out->num.count, out->num.n);
		return 0;
	}
	out->type = ASSAY_COL_CATEGORICAL; /* V_CAT (V_LOST never gets here) */
	if (c->exact)
		return pb_cattab_sorted(&c->ct, &out->cat);
	out->hll = c->hll;
	out->mg = c->mg;
	c->hll = NULL;
	c->mg = NULL;
	return 0;
}
