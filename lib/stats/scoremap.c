/* scoremap.c: the scores of finest slices, and walks over their unions.
 *
 * Scores that are short decimals ("%.6g" output and the like: a key in
 * assay/deckey.h) are kept as one 32-bit row each, key and label
 * (scoremap.h: score_row), appended as rows stream in and radix-sorted
 * when the summary freezes: 4 bytes a row, no hashing. A table keyed by
 * bit pattern counted every score before (32 bytes a slot, a cache miss a
 * row): at 10M rows it held 0.7 GB and took 43% of the cycles, since most
 * short-decimal scores of a slice are distinct at that size anyway.
 *
 * Other scores (full doubles such as 1/3) still go to an open-addressing
 * hash table keyed by the score's bit pattern (-0.0 folded into 0.0),
 * sorted into struct assay_scoremap at freeze; memory O(their distinct
 * values). Which store a score takes depends on its double alone, so the
 * two never hold the same value.
 *
 * Unions of slices are never materialised: score_walk merges the slices'
 * sorted rows (a heap of cursors) and their merged other maps by value,
 * calling back once per distinct score; score_walk_split serves every
 * union at once, by windows of keys (see there).
 */
#include <stdlib.h>
#include <string.h>

#include "assay/radix.h"
#include "scoremap.h"

#define EMPTY 0x7ff8dead0000beefULL /* a NaN pattern: never a valid key */

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

void score_table_init(struct score_table *t)
{
	memset(t, 0, sizeof *t);
}

void score_table_free(struct score_table *t)
{
	free(t->slot);
	memset(t, 0, sizeof *t);
}

static int grow(struct score_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct score_slot *slot = malloc(cap * sizeof *slot);
	if (!slot)
		return -1;
	for (size_t i = 0; i < cap; i++)
		slot[i] = (struct score_slot){EMPTY, 0, 0};
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slot[i].key == EMPTY)
			continue;
		size_t j = hash64(t->slot[i].key) & (cap - 1);
		while (slot[j].key != EMPTY)
			j = (j + 1) & (cap - 1);
		slot[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
	return 0;
}

/* Load factor at most 3/4: linear probing stays short, memory stays near
 * 32 bytes per distinct score. */
int score_table_add(struct score_table *t, double score, uint64_t pos, uint64_t neg)
{
	if (score == 0)
		score = 0.0; /* fold -0.0 */
	uint64_t k;
	memcpy(&k, &score, sizeof k);
	if ((t->n + 1) * 4 > t->cap * 3 && grow(t) != 0)
		return -1;
	size_t j = hash64(k) & (t->cap - 1);
	while (t->slot[j].key != EMPTY && t->slot[j].key != k)
		j = (j + 1) & (t->cap - 1);
	if (t->slot[j].key == EMPTY) {
		t->slot[j].key = k;
		t->n++;
	}
	t->slot[j].pos += pos;
	t->slot[j].neg += neg;
	return 0;
}

int score_table_merge(struct score_table *dst, const struct score_table *src)
{
	for (size_t i = 0; i < src->cap; i++) {
		const struct score_slot *e = &src->slot[i];
		if (e->key == EMPTY)
			continue;
		double s;
		memcpy(&s, &e->key, sizeof s);
		if (score_table_add(dst, s, e->pos, e->neg) != 0)
			return -1;
	}
	return 0;
}

static int map_alloc(struct assay_scoremap *m, size_t cap)
{
	memset(m, 0, sizeof *m);
	size_t c = cap ? cap : 1;
	m->score = malloc(c * sizeof *m->score);
	m->pos = malloc(c * sizeof *m->pos);
	m->neg = malloc(c * sizeof *m->neg);
	if (!m->score || !m->pos || !m->neg) {
		assay_scoremap_free(m);
		return -1;
	}
	m->cap = c;
	return 0;
}

void assay_scoremap_free(struct assay_scoremap *m)
{
	free(m->score);
	free(m->pos);
	free(m->neg);
	memset(m, 0, sizeof *m);
}

int score_table_sorted(const struct score_table *t, struct assay_scoremap *out)
{
	struct score_slot *e = malloc((t->n ? t->n : 1) * sizeof *e);
	if (!e || map_alloc(out, t->n) != 0) {
		free(e);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].key != EMPTY)
			e[n++] = t->slot[i];
	assay_radix_sort_doubles(e, n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		memcpy(&out->score[i], &e[i].key, sizeof(double));
		out->pos[i] = e[i].pos;
		out->neg[i] = e[i].neg;
	}
	out->n = n;
	free(e);
	return 0;
}

static int merge2(const struct assay_scoremap *a, const struct assay_scoremap *b, struct assay_scoremap *out)
{
	if (map_alloc(out, a->n + b->n) != 0)
		return -1;
	size_t i = 0, j = 0, n = 0;
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->score[i] < b->score[j])) {
			out->score[n] = a->score[i];
			out->pos[n] = a->pos[i];
			out->neg[n] = a->neg[i];
			i++;
		} else if (i == a->n || b->score[j] < a->score[i]) {
			out->score[n] = b->score[j];
			out->pos[n] = b->pos[j];
			out->neg[n] = b->neg[j];
			j++;
		} else {
			out->score[n] = a->score[i];
			out->pos[n] = a->pos[i] + b->pos[j];
			out->neg[n] = a->neg[i] + b->neg[j];
			i++;
			j++;
		}
		n++;
	}
	out->n = n;
	return 0;
}

static int copy_map(const struct assay_scoremap *a, struct assay_scoremap *out)
{
	if (map_alloc(out, a->n) != 0)
		return -1;
	memcpy(out->score, a->score, a->n * sizeof *a->score);
	memcpy(out->pos, a->pos, a->n * sizeof *a->pos);
	memcpy(out->neg, a->neg, a->n * sizeof *a->neg);
	out->n = a->n;
	return 0;
}

/* Merge maps[0..k) (borrowed) into out, pairwise in a balanced tree. */
int scoremap_merge_many(const struct assay_scoremap *const *maps, size_t k, struct assay_scoremap *out)
{
	if (k == 0)
		return map_alloc(out, 0);
	if (k == 1)
		return copy_map(maps[0], out);
	struct assay_scoremap left, right;
	size_t h = k / 2;
	if (scoremap_merge_many(maps, h, &left) != 0)
		return -1;
	if (scoremap_merge_many(maps + h, k - h, &right) != 0) {
		assay_scoremap_free(&left);
		return -1;
	}
	int rc = merge2(&left, &right, out);
	assay_scoremap_free(&left);
	assay_scoremap_free(&right);
	return rc;
}

/* ---- walking the scores of a union of frozen slices ---- */

/* A cursor over one slice's sorted key rows, in either direction: the
 * run of its current key is rows [lo, hi) ascending, or the one ending
 * at hi descending. hk is the key as the heap orders it (complemented
 * when descending, so that the heap is always a min-heap). */
struct cursor {
	const uint32_t *rows;
	size_t lo, hi;
	uint32_t hk;
};

static int cursor_more(const struct cursor *c)
{
	return c->lo < c->hi;
}

static void cursor_peek(struct cursor *c, int desc)
{
	uint32_t k = desc ? c->rows[c->hi - 1] >> 1 : c->rows[c->lo] >> 1;
	c->hk = desc ? ~k : k;
}

/* Take the current key's run: positives (label bit 1) and negatives. */
static void cursor_take(struct cursor *c, int desc, uint64_t *pos, uint64_t *neg)
{
	uint32_t k = (desc ? c->rows[c->hi - 1] : c->rows[c->lo]) >> 1;
	size_t p = 0, n = 0;
	if (desc) {
		while (c->hi > c->lo && c->rows[c->hi - 1] >> 1 == k) {
			p += c->rows[c->hi - 1] & 1;
			n++;
			c->hi--;
		}
	} else {
		while (c->lo < c->hi && c->rows[c->lo] >> 1 == k) {
			p += c->rows[c->lo] & 1;
			n++;
			c->lo++;
		}
	}
	*pos += p;
	*neg += n - p;
}

static void sift_down(struct cursor **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && h[l]->hk < h[m]->hk)
			m = l;
		if (l + 1 < n && h[l + 1]->hk < h[m]->hk)
			m = l + 1;
		if (m == i)
			return;
		struct cursor *t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* The other (unkeyed) scores, merged into one sorted map, interleaved by
 * value with the keyed runs. The two sets are disjoint (a score has a key
 * or has not), but equal values are summed all the same. */
struct emitter {
	const struct assay_scoremap *other;
	size_t lo, hi; /* entries not yet emitted */
	int desc;
	assay_score_fn fn;
	void *ctx;
};

static void emit(struct emitter *e, double s, uint64_t pos, uint64_t neg)
{
	const struct assay_scoremap *o = e->other;
	while (e->lo < e->hi) {
		size_t i = e->desc ? e->hi - 1 : e->lo;
		double t = o->score[i];
		if (e->desc ? t < s : t > s)
			break;
		if (t == s) {
			pos += o->pos[i];
			neg += o->neg[i];
		} else {
			e->fn(e->ctx, t, o->pos[i], o->neg[i]);
		}
		if (e->desc)
			e->hi--;
		else
			e->lo++;
	}
	e->fn(e->ctx, s, pos, neg);
}

static void emit_rest(struct emitter *e)
{
	const struct assay_scoremap *o = e->other;
	while (e->lo < e->hi) {
		size_t i = e->desc ? --e->hi : e->lo++;
		e->fn(e->ctx, o->score[i], o->pos[i], o->neg[i]);
	}
}

int score_walk(const struct score_source *src, size_t k, int desc, assay_score_fn fn, void *ctx)
{
	struct assay_scoremap other;
	memset(&other, 0, sizeof other);
	const struct assay_scoremap **maps = malloc((k ? k : 1) * sizeof *maps);
	struct cursor *cur = malloc((k ? k : 1) * sizeof *cur);
	struct cursor **heap = malloc((k ? k : 1) * sizeof *heap);
	size_t nmaps = 0, nh = 0;
	int rc = !maps || !cur || !heap ? -1 : 0;
	for (size_t i = 0; !rc && i < k; i++) {
		if (src[i].other && src[i].other->n)
			maps[nmaps++] = src[i].other;
		cur[i] = (struct cursor){src[i].rows, 0, src[i].nrows, 0};
		if (cursor_more(&cur[i])) {
			cursor_peek(&cur[i], desc);
			heap[nh++] = &cur[i];
		}
	}
	if (!rc && nmaps)
		rc = scoremap_merge_many(maps, nmaps, &other);
	if (!rc) {
		struct emitter e = {&other, 0, other.n, desc, fn, ctx};
		for (size_t i = nh / 2; i-- > 0;)
			sift_down(heap, nh, i);
		while (nh) {
			uint32_t hk = heap[0]->hk;
			uint64_t pos = 0, neg = 0;
			while (nh && heap[0]->hk == hk) {
				cursor_take(heap[0], desc, &pos, &neg);
				if (cursor_more(heap[0]))
					cursor_peek(heap[0], desc);
				else
					heap[0] = heap[--nh];
				sift_down(heap, nh, 0);
			}
			uint32_t key = (desc ? ~hk : hk) + ASSAY_DECKEY_ZERO;
			emit(&e, assay_deckey_value(key), pos, neg);
		}
		emit_rest(&e);
	}
	assay_scoremap_free(&other);
	free(maps);
	free(cur);
	free(heap);
	return rc;
}

/* The same walk over every slice at once, keyed rows only: fn gets, per
 * distinct score, the slices that hold it and their counts, so that one
 * merge serves every union of slices.
 *
 * No heap: the key space is cut into windows of SPLIT_W consecutive keys
 * (the first starting at the lowest key left, or ending at the highest
 * when descending); each slice's runs in the window are gathered, then
 * counting-sorted by key. A heap of slices cost a sift (mispredicted
 * compares) per run, 10% of a 10M-row eval's cycles. A window holds at
 * most one run per slice and key, whatever the ties. */
#define SPLIT_W 4096u

struct runs {
	size_t n, cap;
	uint32_t *off, *slice, *order;
	uint64_t *pos, *neg;
};

static int runs_reserve(struct runs *r, size_t n)
{
	if (n <= r->cap)
		return 0;
	size_t cap = r->cap ? r->cap : 1024;
	while (cap < n)
		cap *= 2;
	uint32_t *off = realloc(r->off, cap * sizeof *off);
	if (off)
		r->off = off;
	uint32_t *slice = realloc(r->slice, cap * sizeof *slice);
	if (slice)
		r->slice = slice;
	uint32_t *order = realloc(r->order, cap * sizeof *order);
	if (order)
		r->order = order;
	uint64_t *pos = realloc(r->pos, cap * sizeof *pos);
	if (pos)
		r->pos = pos;
	uint64_t *neg = realloc(r->neg, cap * sizeof *neg);
	if (neg)
		r->neg = neg;
	if (!off || !slice || !order || !pos || !neg)
		return -1;
	r->cap = cap;
	return 0;
}

static void runs_free(struct runs *r)
{
	free(r->off);
	free(r->slice);
	free(r->order);
	free(r->pos);
	free(r->neg);
}

/* The window's runs of every slice; returns -1 when out of memory. dist
 * is a key's distance from the window's edge (edge - key descending). */
static int gather(struct cursor *cur, size_t k, int desc, uint32_t edge, struct runs *r, uint32_t *count)
{
	r->n = 0;
	for (size_t i = 0; i < k; i++) {
		struct cursor *c = &cur[i];
		while (cursor_more(c)) {
			uint32_t key = (desc ? c->rows[c->hi - 1] : c->rows[c->lo]) >> 1;
			uint32_t dist = desc ? edge - key : key - edge;
			if (dist >= SPLIT_W)
				break;
			if (r->n == r->cap && runs_reserve(r, r->n + 1) != 0)
				return -1;
			r->off[r->n] = dist;
			r->slice[r->n] = (uint32_t)i;
			r->pos[r->n] = r->neg[r->n] = 0;
			cursor_take(c, desc, &r->pos[r->n], &r->neg[r->n]);
			count[dist + 1]++;
			r->n++;
		}
	}
	return 0;
}

int score_walk_split(const struct score_source *src, size_t k, int desc, assay_score_split_fn fn, void *ctx)
{
	struct cursor *cur = malloc((k ? k : 1) * sizeof *cur);
	uint32_t *which = malloc((k ? k : 1) * sizeof *which);
	uint64_t *pos = malloc((k ? k : 1) * sizeof *pos), *neg = malloc((k ? k : 1) * sizeof *neg);
	uint32_t *count = malloc((SPLIT_W + 1) * sizeof *count);
	struct runs r = {0, 0, NULL, NULL, NULL, NULL, NULL};
	int rc = !cur || !which || !pos || !neg || !count ? -1 : 0;
	for (size_t i = 0; !rc && i < k; i++)
		cur[i] = (struct cursor){src[i].rows, 0, src[i].nrows, 0};
	while (!rc) {
		/* the window's edge: the lowest (highest) key left */
		int any = 0;
		uint32_t edge = 0;
		for (size_t i = 0; i < k; i++) {
			if (!cursor_more(&cur[i]))
				continue;
			uint32_t key = (desc ? cur[i].rows[cur[i].hi - 1] : cur[i].rows[cur[i].lo]) >> 1;
			if (!any || (desc ? key > edge : key < edge))
				edge = key;
			any = 1;
		}
		if (!any)
			break;
		memset(count, 0, (SPLIT_W + 1) * sizeof *count);
		if ((rc = gather(cur, k, desc, edge, &r, count)) != 0)
			break;
		for (size_t d = 0; d < SPLIT_W; d++)
			count[d + 1] += count[d];
		for (size_t j = 0; j < r.n; j++)
			r.order[count[r.off[j]]++] = (uint32_t)j;
		/* count[d] is now the end of key d's runs in order */
		size_t at = 0;
		while (at < r.n) {
			uint32_t d = r.off[r.order[at]];
			size_t m = 0;
			for (; at < r.n && r.off[r.order[at]] == d; at++, m++) {
				uint32_t j = r.order[at];
				which[m] = r.slice[j];
				pos[m] = r.pos[j];
				neg[m] = r.neg[j];
			}
			uint32_t key = (desc ? edge - d : edge + d) + ASSAY_DECKEY_ZERO;
			fn(ctx, assay_deckey_value(key), m, which, pos, neg);
		}
	}
	runs_free(&r);
	free(cur);
	free(which);
	free(pos);
	free(neg);
	free(count);
	return rc;
}
