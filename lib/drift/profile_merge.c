/* profile_merge.c: merging profiles of disjoint shards (and the per-worker
 * partial profiles of one build).
 *
 * Rules, per column (docs/profiles.md, "Merge rules"):
 * - counts add; min is the min, max the max;
 * - types: empty + X = X; numeric + numeric = numeric; categorical + X =
 *   categorical, the numeric side's exact values becoming categories
 *   spelled in their shortest round-trip decimal ("1", "0.25");
 * - two exact maps merge exactly (sorted merge, counts add); if the result
 *   has more than `cap` distinct values it becomes sketches;
 * - an exact side meeting a sketch side is first turned into sketches
 *   (KLL with each value at its count's weight, HLL, Misra-Gries), then
 *   the sketches merge (KLL compaction, HLL register max, Misra-Gries
 *   counter sums);
 * - moments: recomputed from the merged map while exact (so a merge of
 *   shards gives the same bytes as the whole file), else Pébay's formulas.
 *
 * Does not: reconcile HLL hashes of numeric and text views (a column
 * numeric in one shard and categorical past the cap in another gets an
 * approximate distinct count), or merge profiles with different columns.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/topk.h"
#include "profile_internal.h"

static int oom(struct assay_error *err)
{
	return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory while merging profiles");
}

int prof_column_to_sketch(struct assay_column_profile *c, size_t topk)
{
	if (!c->exact)
		return 0;
	if (!c->hll && !(c->hll = assay_hll_new()))
		return -1;
	if (c->type == ASSAY_COL_NUMERIC) {
		if (!c->kll && !(c->kll = assay_kll_new(ASSAY_KLL_DEFAULT_K)))
			return -1;
		for (size_t i = 0; i < c->num.n; i++) {
			double v = assay_numeric_map_value(&c->num, i);
			if (assay_kll_add_weighted(c->kll, v, assay_numeric_map_count(&c->num, i)))
				return -1;
			assay_hll_add_hash(c->hll, assay_hash_double(v));
		}
		for (size_t r = 0; c->num.raw && r < c->num.nrawrun; r++) /* raw keys (opts.raw_keys) */
			for (size_t i = 0; i < c->num.raw[r].n; i++) {
				double v = assay_deckey_value(c->num.raw[r].k[i]);
				if (assay_kll_add(c->kll, v))
					return -1;
				assay_hll_add_hash(c->hll, assay_hash_double(v));
			}
		prof_map_free(&c->num);
	} else if (c->type == ASSAY_COL_CATEGORICAL) {
		size_t k = (topk ? topk : 1) * ASSAY_PROFILE_MG_FACTOR;
		if (!c->mg && !(c->mg = assay_topk_new(k)))
			return -1;
		for (size_t i = 0; i < c->cat.n; i++) {
			if (assay_topk_add(c->mg, c->cat.value[i], c->cat.len[i], c->cat.count[i]))
				return -1;
			assay_hll_add_hash(c->hll, assay_hash64(c->cat.value[i], c->cat.len[i]));
			free(c->cat.value[i]);
		}
		if (assay_topk_settle(c->mg))
			return -1;
		free(c->cat.value);
		free(c->cat.len);
		free(c->cat.count);
		c->cat = (struct assay_category_map){0};
	}
	c->exact = 0;
	return 0;
}

int prof_column_withhold(struct assay_column_profile *c, size_t topk)
{
	if (c->withheld)
		return 0;
	if (c->type != ASSAY_COL_EMPTY && prof_column_to_sketch(c, topk))
		return -1;
	struct assay_column_profile k = {
	    .name = c->name,
	    .type = c->type,
	    .rows = c->rows,
	    .present = c->present,
	    .missing_empty = c->missing_empty,
	    .missing_na = c->missing_na,
	    .missing_nan = c->missing_nan,
	    .missing_inf = c->missing_inf,
	    .min = NAN,
	    .max = NAN,
	    .exact = c->type == ASSAY_COL_EMPTY,
	    .distinct = c->distinct,
	    .hll = c->hll,
	    .withheld = 1,
	};
	c->name = NULL;
	c->hll = NULL;
	prof_column_clear(c);
	*c = k;
	return 0;
}

/* dst += src where either is withheld: the counts are already added; the
 * result is withheld, its distinct the union's HLL estimate. */
static int merge_withheld(struct assay_column_profile *dst, const struct assay_column_profile *src,
                          size_t topk, struct assay_error *err)
{
	struct assay_column_profile s;
	if (prof_column_withhold(dst, topk) || prof_column_copy(&s, src) || prof_column_withhold(&s, topk))
		return oom(err);
	if (dst->type == ASSAY_COL_EMPTY)
		dst->type = s.type;
	else if (s.type != ASSAY_COL_EMPTY && s.type != dst->type)
		dst->type = ASSAY_COL_CATEGORICAL;
	dst->exact = dst->type == ASSAY_COL_EMPTY;
	if (s.hll && !dst->hll) {
		dst->hll = s.hll;
		s.hll = NULL;
	} else if (s.hll) {
		assay_hll_merge(dst->hll, s.hll);
	}
	dst->distinct = dst->hll ? (uint64_t)llround(assay_hll_estimate(dst->hll)) : 0;
	if (dst->distinct > dst->present)
		dst->distinct = dst->present;
	prof_column_clear(&s);
	return 0;
}

static int cmp_cat(const struct assay_category_map *a, size_t i, const struct assay_category_map *b, size_t j)
{
	return assay_bytes_cmp(a->value[i], a->len[i], b->value[j], b->len[j]);
}

/* Sorted merge of two exact numeric maps into dst. */
static int merge_num_maps(struct assay_numeric_map *dst, const struct assay_numeric_map *src)
{
	size_t cap = dst->n + src->n;
	double *v = malloc((cap ? cap : 1) * sizeof *v);
	uint64_t *c = malloc((cap ? cap : 1) * sizeof *c);
	if (!v || !c) {
		free(v);
		free(c);
		return -1;
	}
	size_t i = 0, j = 0, m = 0;
	/* either map may be packed: the result is in doubles */
	while (i < dst->n || j < src->n) {
		double a = i < dst->n ? assay_numeric_map_value(dst, i) : 0;
		double b = j < src->n ? assay_numeric_map_value(src, j) : 0;
		if (j == src->n || (i < dst->n && a < b)) {
			v[m] = a;
			c[m++] = assay_numeric_map_count(dst, i++);
		} else if (i == dst->n || b < a) {
			v[m] = b;
			c[m++] = assay_numeric_map_count(src, j++);
		} else {
			v[m] = a;
			c[m++] = assay_numeric_map_count(dst, i++) + assay_numeric_map_count(src, j++);
		}
	}
	prof_map_free(dst);
	dst->value = v;
	dst->count = c;
	dst->n = m;
	return 0;
}

static char *dup_bytes(const char *s, uint32_t len)
{
	char *d = malloc((size_t)len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

/* Sorted merge of two exact category maps into dst (src is copied). */
static int merge_cat_maps(struct assay_category_map *dst, const struct assay_category_map *src)
{
	size_t cap = dst->n + src->n;
	char **v = malloc((cap ? cap : 1) * sizeof *v);
	uint32_t *l = malloc((cap ? cap : 1) * sizeof *l);
	uint64_t *c = malloc((cap ? cap : 1) * sizeof *c);
	if (!v || !l || !c) {
		free(v);
		free(l);
		free(c);
		return -1;
	}
	size_t i = 0, j = 0, m = 0;
	int rc = 0;
	while (i < dst->n || j < src->n) {
		int d = i == dst->n ? 1 : j == src->n ? -1 : cmp_cat(dst, i, src, j);
		if (d <= 0) {
			v[m] = dst->value[i];
			l[m] = dst->len[i];
			c[m] = dst->count[i++];
			if (d == 0)
				c[m] += src->count[j++];
		} else {
			v[m] = dup_bytes(src->value[j], src->len[j]);
			if (!v[m])
				rc = -1; /* keep going so every string has one owner */
			l[m] = src->len[j];
			c[m] = src->count[j++];
		}
		m++;
	}
	free(dst->value);
	free(dst->len);
	free(dst->count);
	dst->value = v;
	dst->len = l;
	dst->count = c;
	dst->n = m;
	if (rc) { /* drop the entries whose copy failed */
		size_t k = 0;
		for (size_t t = 0; t < m; t++)
			if (v[t]) {
				v[k] = v[t];
				l[k] = l[t];
				c[k++] = c[t];
			}
		dst->n = k;
	}
	return rc;
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
	const struct assay_category_map *m = ctx;
	return cmp_cat(m, *(const size_t *)a, m, *(const size_t *)b);
}

/* A numeric column becomes categorical: its exact values become their
 * shortest decimal spelling; past the cap only the HLL survives. */
static int num_to_cat(struct assay_column_profile *c, size_t topk)
{
	if (c->type != ASSAY_COL_NUMERIC)
		return 0;
	if (c->exact) {
		size_t n = c->num.n;
		struct assay_category_map m = {0};
		m.value = calloc(n ? n : 1, sizeof *m.value);
		m.len = calloc(n ? n : 1, sizeof *m.len);
		m.count = calloc(n ? n : 1, sizeof *m.count);
		if (!m.value || !m.len || !m.count) {
			free(m.value);
			free(m.len);
			free(m.count);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			char buf[40];
			prof_format_double(assay_numeric_map_value(&c->num, i), buf, sizeof buf);
			m.value[i] = strdup(buf);
			m.len[i] = (uint32_t)strlen(buf);
			m.count[i] = assay_numeric_map_count(&c->num, i);
			m.n = i + 1;
			if (!m.value[i]) {
				c->cat = m;
				return -1;
			}
		}
		/* decimal spellings do not sort like numbers; distinct doubles have
		 * distinct shortest spellings, so no two entries collide */
		size_t *idx = malloc((n ? n : 1) * sizeof *idx);
		char **v = malloc((n ? n : 1) * sizeof *v);
		uint32_t *l = malloc((n ? n : 1) * sizeof *l);
		uint64_t *cnt = malloc((n ? n : 1) * sizeof *cnt);
		if (!idx || !v || !l || !cnt) {
			free(idx);
			free(v);
			free(l);
			free(cnt);
			c->cat = m;
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof *idx, cmp_idx, &m);
		for (size_t i = 0; i < n; i++) {
			v[i] = m.value[idx[i]];
			l[i] = m.len[idx[i]];
			cnt[i] = m.count[idx[i]];
		}
		free(idx);
		free(m.value);
		free(m.len);
		free(m.count);
		struct assay_category_map sorted = {n, v, l, cnt};
		c->cat = sorted;
		prof_map_free(&c->num);
	} else {
		assay_kll_free(c->kll);
		c->kll = NULL;
		if (!c->mg && !(c->mg = assay_topk_new((topk ? topk : 1) * ASSAY_PROFILE_MG_FACTOR)))
			return -1;
		/* the numeric values past the cap were never spelled: they count
		 * only in the undercount bound of the frequent values */
		struct assay_topk *t =
		    assay_topk_restore(assay_topk_counters(c->mg), c->present, 0, NULL, NULL, NULL);
		if (!t)
			return -1;
		assay_topk_free(c->mg);
		c->mg = t;
	}
	c->type = ASSAY_COL_CATEGORICAL;
	c->min = c->max = NAN;
	assay_moments_init(&c->moments);
	return 0;
}

static int add_u64(uint64_t *a, uint64_t b)
{
	return __builtin_add_overflow(*a, b, a);
}

int prof_column_merge(struct assay_column_profile *dst, const struct assay_column_profile *src, uint64_t cap,
                      size_t topk, struct assay_error *err)
{
	if (add_u64(&dst->rows, src->rows) | add_u64(&dst->present, src->present) |
	    add_u64(&dst->missing_empty, src->missing_empty) | add_u64(&dst->missing_na, src->missing_na) |
	    add_u64(&dst->missing_nan, src->missing_nan) | add_u64(&dst->missing_inf, src->missing_inf))
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
		                       "column \"%s\": counts overflow 64 bits", dst->name);
	if (dst->withheld || src->withheld)
		return merge_withheld(dst, src, topk, err);
	if (src->type == ASSAY_COL_EMPTY)
		goto finish;
	if (dst->type == ASSAY_COL_EMPTY) {
		struct assay_column_profile t;
		if (prof_column_copy(&t, src))
			return oom(err);
		t.rows = dst->rows;
		t.present = dst->present;
		t.missing_empty = dst->missing_empty;
		t.missing_na = dst->missing_na;
		t.missing_nan = dst->missing_nan;
		t.missing_inf = dst->missing_inf;
		char *name = dst->name;
		dst->name = NULL;
		prof_column_clear(dst);
		free(t.name);
		t.name = name;
		*dst = t;
		goto finish;
	}
	struct assay_column_profile s;
	if (prof_column_copy(&s, src))
		return oom(err);
	int rc = 0;
	if (dst->type != s.type && (num_to_cat(dst, topk) || num_to_cat(&s, topk)))
		goto fail;
	if (!(dst->min <= src->min) && src->min == src->min)
		dst->min = src->min;
	if (!(dst->max >= src->max) && src->max == src->max)
		dst->max = src->max;
	if (dst->type == ASSAY_COL_CATEGORICAL)
		dst->min = dst->max = NAN;
	if (dst->exact && s.exact) {
		if (dst->type == ASSAY_COL_NUMERIC) {
			if (merge_num_maps(&dst->num, &s.num))
				goto fail;
			assay_moments_from_map(&dst->moments, dst->num.value, dst->num.count, dst->num.n);
			if (dst->num.n > cap && prof_column_to_sketch(dst, topk))
				goto fail;
		} else {
			if (merge_cat_maps(&dst->cat, &s.cat))
				goto fail;
			if (dst->cat.n > cap && prof_column_to_sketch(dst, topk))
				goto fail;
		}
	} else {
		if (prof_column_to_sketch(dst, topk) || prof_column_to_sketch(&s, topk))
			goto fail;
		assay_hll_merge(dst->hll, s.hll);
		if (dst->type == ASSAY_COL_NUMERIC) {
			if (assay_kll_merge(dst->kll, s.kll))
				goto fail;
			assay_moments_merge(&dst->moments, &s.moments);
		} else if (assay_topk_merge(dst->mg, s.mg)) {
			goto fail;
		}
	}
	prof_column_clear(&s);
	goto finish;
fail:
	prof_column_clear(&s);
	rc = oom(err);
	return rc;
finish:
	if (dst->exact &&
	    ((dst->type == ASSAY_COL_NUMERIC && dst->num.n > cap) ||
	     (dst->type == ASSAY_COL_CATEGORICAL && dst->cat.n > cap)) &&
	    prof_column_to_sketch(dst, topk))
		return oom(err);
	if (prof_column_finish(dst, topk))
		return oom(err);
	return 0;
}

/* Column i of dst pairs with column map[i] of src: by position when the
 * two have the same names in the same order (a CSV may repeat a name, as
 * COMPAS does), else by name when names are unique. */
static int pair_columns(const struct assay_profile *dst, const struct assay_profile *src, size_t *map,
                        struct assay_error *err)
{
	int same = dst->ncolumns == src->ncolumns;
	for (size_t i = 0; same && i < dst->ncolumns; i++)
		same = strcmp(dst->columns[i].name, src->columns[i].name) == 0;
	if (same) {
		for (size_t i = 0; i < dst->ncolumns; i++)
			map[i] = i;
		return 0;
	}
	const struct assay_profile *ps[2] = {dst, src};
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ps[k]->ncolumns; i++) {
			const char *name = ps[k]->columns[i].name;
			const struct assay_column_profile *o = assay_profile_column(ps[1 - k], name);
			if (!o)
				return assay_error_set(
				    err, ASSAY_EINPUT, NULL, 0, 0,
				    "cannot merge profiles with different columns: \"%s\" is only in one",
				    name);
			if (assay_profile_column(ps[k], name) != &ps[k]->columns[i])
				return assay_error_set(
				    err, ASSAY_EINPUT, NULL, 0, 0,
				    "cannot merge profiles whose columns are in a different order when a "
				    "name repeats (\"%s\")",
				    name);
			if (k == 0)
				map[i] = (size_t)(o - src->columns);
		}
	return 0;
}

int assay_profile_merge(struct assay_profile *dst, const struct assay_profile *src, struct assay_error *err)
{
	size_t *map = malloc((dst->ncolumns ? dst->ncolumns : 1) * sizeof *map);
	if (!map)
		return oom(err);
	int rc = pair_columns(dst, src, map, err);
	if (rc) {
		free(map);
		return rc;
	}
	uint64_t cap = dst->cap < src->cap ? dst->cap : src->cap;
	size_t topk = dst->topk < src->topk ? dst->topk : src->topk;
	struct assay_profile_input *in =
	    realloc(dst->inputs, (dst->ninputs + src->ninputs + 1) * sizeof *dst->inputs);
	if (!in) {
		free(map);
		return oom(err);
	}
	dst->inputs = in;
	for (size_t i = 0; i < src->ninputs; i++) {
		in[dst->ninputs] = src->inputs[i];
		if (!(in[dst->ninputs].path = strdup(src->inputs[i].path ? src->inputs[i].path : ""))) {
			free(map);
			return oom(err);
		}
		dst->ninputs++;
	}
	if (__builtin_add_overflow(dst->rows, src->rows, &dst->rows)) {
		free(map);
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "row counts overflow 64 bits");
	}
	dst->cap = cap;
	dst->topk = topk;
	for (size_t i = 0; i < dst->ncolumns && !rc; i++)
		rc = prof_column_merge(&dst->columns[i], &src->columns[map[i]], cap, topk, err);
	free(map);
	if (rc)
		return rc;
	if (dst->ninputs != 1) {
		char *e = strdup("");
		if (!e)
			return oom(err);
		free(dst->source_path);
		dst->source_path = e;
		dst->sha256[0] = '\0';
	}
	return 0;
}
