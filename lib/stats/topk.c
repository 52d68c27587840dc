/* topk.c: frequent values, exact and Misra-Gries.
 *
 * Exact: the k largest counts of a sorted value map, ties broken bytewise,
 * so the answer does not depend on how the map was built.
 *
 * Misra-Gries with K counters, batched: up to 2K counters are kept; when a
 * (2K+1)-th value arrives, the (K+1)-th largest count d is subtracted from
 * every counter and the counters that fall to 0 or below are dropped (at
 * most K remain). Each such step removes at least (K+1) d from the total of
 * the counters, so the accumulated offset (the sum of the d's) is at most
 * (n - retained) / (K+1), and a value's true count lies in [c, c + offset].
 * Merging adds the counters and the offsets and reduces the same way
 * (Agarwal et al. 2012, section 3: the same error bound holds for merges).
 *
 * Does not: track values that were never among the counters (their count
 * is at most offset), or guarantee the exact top k past the cap.
 */
#include <stdlib.h>
#include <string.h>

#include "assay/hll.h"
#include "assay/topk.h"

struct item {
	char *v;
	uint32_t len;
	uint64_t c;
};

struct assay_topk {
	size_t k; /* counters reported */
	size_t n; /* items in use (<= 2k + 1) */
	struct item *it;
	uint32_t *slot; /* index + 1, 0 empty; nslot is a power of two */
	size_t nslot;
	uint64_t offset;
};

int assay_bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t m = alen < blen ? alen : blen;
	int c = m ? memcmp(a, b, m) : 0;
	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}

struct assay_topk *assay_topk_new(size_t counters)
{
	if (counters == 0 || counters > (1u << 24))
		return NULL;
	struct assay_topk *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->k = counters;
	t->it = calloc(2 * counters + 1, sizeof *t->it);
	t->nslot = 8;
	while (t->nslot < 4 * counters + 4)
		t->nslot <<= 1;
	t->slot = calloc(t->nslot, sizeof *t->slot);
	if (!t->it || !t->slot) {
		assay_topk_free(t);
		return NULL;
	}
	return t;
}

void assay_topk_free(struct assay_topk *t)
{
	if (!t)
		return;
	if (t->it)
		for (size_t i = 0; i < t->n; i++)
			free(t->it[i].v);
	free(t->it);
	free(t->slot);
	free(t);
}

static size_t find_slot(const struct assay_topk *t, const char *v, size_t len)
{
	size_t mask = t->nslot - 1, s = (size_t)assay_hash64(v, len) & mask;
	while (t->slot[s]) {
		const struct item *it = &t->it[t->slot[s] - 1];
		if (it->len == len && memcmp(it->v, v, len) == 0)
			break;
		s = (s + 1) & mask;
	}
	return s;
}

static void reindex(struct assay_topk *t)
{
	memset(t->slot, 0, t->nslot * sizeof *t->slot);
	for (size_t i = 0; i < t->n; i++)
		t->slot[find_slot(t, t->it[i].v, t->it[i].len)] = (uint32_t)(i + 1);
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x < y) - (x > y);
}

/* Subtract the (k+1)-th largest count from all, drop those at 0. */
static int reduce(struct assay_topk *t)
{
	if (t->n <= t->k)
		return 0;
	uint64_t *c = malloc(t->n * sizeof *c);
	if (!c)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		c[i] = t->it[i].c;
	qsort(c, t->n, sizeof *c, cmp_desc);
	uint64_t d = c[t->k];
	free(c);
	size_t m = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->it[i].c > d) {
			t->it[i].c -= d;
			t->it[m++] = t->it[i];
		} else {
			free(t->it[i].v);
		}
	}
	t->n = m;
	t->offset += d;
	reindex(t);
	return 0;
}

int assay_topk_add(struct assay_topk *t, const char *value, size_t len, uint64_t w)
{
	if (w == 0)
		return 0;
	size_t s = find_slot(t, value, len);
	if (t->slot[s]) {
		t->it[t->slot[s] - 1].c += w;
		return 0;
	}
	char *v = malloc(len + 1);
	if (!v)
		return -1;
	if (len)
		memcpy(v, value, len);
	v[len] = '\0';
	t->it[t->n] = (struct item){v, (uint32_t)len, w};
	t->slot[s] = (uint32_t)++t->n;
	return t->n > 2 * t->k ? reduce(t) : 0;
}

int assay_topk_merge(struct assay_topk *dst, const struct assay_topk *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (assay_topk_add(dst, src->it[i].v, src->it[i].len, src->it[i].c))
			return -1;
	dst->offset += src->offset;
	return assay_topk_settle(dst);
}

struct assay_topk *assay_topk_clone(const struct assay_topk *t)
{
	struct assay_topk *c = assay_topk_new(t->k);
	if (!c)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (assay_topk_add(c, t->it[i].v, t->it[i].len, t->it[i].c)) {
			assay_topk_free(c);
			return NULL;
		}
	c->offset = t->offset;
	return c;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->c != y->c)
		return (x->c < y->c) - (x->c > y->c);
	return assay_bytes_cmp(x->v, x->len, y->v, y->len);
}

int assay_topk_settle(struct assay_topk *t)
{
	if (reduce(t))
		return -1;
	qsort(t->it, t->n, sizeof *t->it, cmp_item);
	reindex(t);
	return 0;
}

size_t assay_topk_size(const struct assay_topk *t)
{
	return t->n;
}

size_t assay_topk_counters(const struct assay_topk *t)
{
	return t->k;
}

uint64_t assay_topk_offset(const struct assay_topk *t)
{
	return t->offset;
}

const char *assay_topk_value(const struct assay_topk *t, size_t i, uint32_t *len)
{
	*len = t->it[i].len;
	return t->it[i].v;
}

uint64_t assay_topk_count(const struct assay_topk *t, size_t i)
{
	return t->it[i].c;
}

struct assay_topk *assay_topk_restore(size_t counters, uint64_t offset, size_t n, const char *const *value,
                                      const uint32_t *len, const uint64_t *count)
{
	if (n > counters)
		return NULL;
	struct assay_topk *t = assay_topk_new(counters);
	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (count[i] == 0 || t->slot[find_slot(t, value[i], len[i])] ||
		    assay_topk_add(t, value[i], len[i], count[i])) {
			assay_topk_free(t);
			return NULL;
		}
	}
	t->offset = offset;
	if (assay_topk_settle(t)) {
		assay_topk_free(t);
		return NULL;
	}
	return t;
}

struct exact_ctx {
	char *const *value;
	const uint32_t *len;
	const uint64_t *count;
};

/* Is map entry a ranked before entry b? */
static int before(const struct exact_ctx *e, size_t a, size_t b)
{
	if (e->count[a] != e->count[b])
		return e->count[a] > e->count[b];
	return assay_bytes_cmp(e->value[a], e->len[a], e->value[b], e->len[b]) < 0;
}

size_t assay_topk_exact(char *const *value, const uint32_t *len, const uint64_t *count, size_t n, size_t k,
                        size_t *idx)
{
	/* insertion into a sorted list of at most k: O(n k), k is small */
	struct exact_ctx e = {value, len, count};
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m == k && (k == 0 || !before(&e, i, idx[m - 1])))
			continue;
		size_t j = m < k ? m++ : m - 1;
		while (j > 0 && before(&e, i, idx[j - 1])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	return m;
}
