/* expect_table.c: the hash tables of expectation checks: a set of byte
 * strings with a count and first line each (unique, in_set drafts), and
 * an exact numeric value -> count map for medians and quantiles.
 *
 * Open addressing with linear probing, power-of-two capacity, grown at
 * 3/4 load; keys hashed with FNV-1a and a 64-bit finaliser (murmur3's
 * fmix64 constants). Quantiles follow numpy.quantile(method='linear'):
 * h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])
 * over the sorted values, found by walking the cumulative counts.
 *
 * It deliberately does not approximate: memory grows with the distinct
 * values (a profile's KLL sketch is the bounded alternative).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "expect_internal.h"

/* ---- hash tables (open addressing, linear probing, power-of-two) ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then a final mix */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return mix64(h ^ n);
}

static int str_grow(struct expect_str_set *s)
{
	size_t cap = s->cap ? 2 * s->cap : 1024;
	struct expect_str_entry *v = calloc(cap, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slot[i].key)
			continue;
		size_t j = s->slot[i].hash & (cap - 1);
		while (v[j].key)
			j = (j + 1) & (cap - 1);
		v[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = v;
	s->cap = cap;
	return 0;
}

/* The entry for p[0..n), inserted with count 0 when new; NULL when out of memory. */
struct expect_str_entry *expect_str_get(struct expect_str_set *s, struct assay_arena *a, const char *p,
                                        size_t n)
{
	if ((s->n + 1) * 4 > s->cap * 3 && str_grow(s))
		return NULL;
	uint64_t h = hash_bytes(p, n);
	size_t j = h & (s->cap - 1);
	while (s->slot[j].key) {
		if (s->slot[j].hash == h && s->slot[j].len == n && memcmp(s->slot[j].key, p, n) == 0)
			return &s->slot[j];
		j = (j + 1) & (s->cap - 1);
	}
	char *k = assay_arena_strndup(a, p, n);
	if (!k)
		return NULL;
	s->slot[j] = (struct expect_str_entry){k, (uint32_t)n, h, 0, 0};
	s->n++;
	return &s->slot[j];
}

int expect_num_add(struct expect_num_map *m, double v)
{
	if (v == 0)
		v = 0; /* -0.0 is 0.0 */
	if ((m->n + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? 2 * m->cap : 1024;
		struct expect_num_entry *s = calloc(cap, sizeof *s);
		if (!s)
			return -1;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->slot[i].count)
				continue;
			uint64_t b;
			memcpy(&b, &m->slot[i].v, sizeof b);
			size_t j = mix64(b) & (cap - 1);
			while (s[j].count)
				j = (j + 1) & (cap - 1);
			s[j] = m->slot[i];
		}
		free(m->slot);
		m->slot = s;
		m->cap = cap;
	}
	uint64_t b;
	memcpy(&b, &v, sizeof b);
	size_t j = mix64(b) & (m->cap - 1);
	while (m->slot[j].count && m->slot[j].v != v)
		j = (j + 1) & (m->cap - 1);
	if (!m->slot[j].count) {
		m->slot[j].v = v;
		m->n++;
	}
	m->slot[j].count++;
	m->total++;
	return 0;
}

static int cmp_num_entry(const void *a, const void *b)
{
	double x = ((const struct expect_num_entry *)a)->v, y = ((const struct expect_num_entry *)b)->v;
	return (x > y) - (x < y);
}

/* Compact the map into its first n slots, sorted by value. */
void expect_num_sort(struct expect_num_map *m)
{
	if (m->sorted)
		return;
	m->sorted = 1;
	size_t k = 0;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slot[i].count)
			m->slot[k++] = m->slot[i];
	qsort(m->slot, k, sizeof *m->slot, cmp_num_entry);
}

/* The value of 0-based rank r in the sorted map. */
static double num_at_rank(const struct expect_num_map *m, uint64_t r)
{
	uint64_t cum = 0;
	for (size_t i = 0; i < m->n; i++) {
		cum += m->slot[i].count;
		if (r < cum)
			return m->slot[i].v;
	}
	return m->n ? m->slot[m->n - 1].v : NAN;
}

/* numpy.quantile(x, q, method='linear'); NaN for no values. */
double expect_num_quantile(const struct expect_num_map *m, double q)
{
	if (!m->total)
		return NAN;
	double h = (double)(m->total - 1) * q;
	double fl = floor(h);
	uint64_t lo = (uint64_t)fl;
	double a = num_at_rank(m, lo);
	if (lo + 1 >= m->total || h == fl)
		return a;
	double b = num_at_rank(m, lo + 1);
	return a + (h - fl) * (b - a);
}
