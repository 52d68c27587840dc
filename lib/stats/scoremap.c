/* scoremap.c: score -> (positives, negatives) maps.
 *
 * While rows stream in, each finest slice counts its scores in an
 * open-addressing hash table keyed by the score's bit pattern (-0.0 is
 * folded into 0.0, so equal scores are one key). Freezing sorts a table
 * into struct assay_scoremap (ascending distinct scores). Unions of
 * slices are k-way merges of sorted maps, done as a balanced tree of
 * two-way merges: O(E log k) for E entries over k maps.
 *
 * Memory is O(distinct scores per slice), not O(rows).
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
