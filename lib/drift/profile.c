/* profile.c: profile lifecycle and the small read-only API of
 * assay/profile.h (column lookup, quantiles, derived statistics). The
 * build, merge and JSON live in profile_passes.c (with profile_build.c,
 * profile_pieces.c, profile_gather.c), profile_merge.c and
 * profile_json.c.
 *
 * Quantiles of an exact column match numpy.quantile(method="linear"):
 * virtual index q (n - 1), interpolated between its two neighbours with
 * numpy's _lerp (a + (b - a) t, or b - (b - a)(1 - t) when t >= 0.5).
 * Past the cap they come from the KLL sketch (docs/profiles.md).
 *
 * Does not: compute anything from rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hll.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/topk.h"
#include "profile_internal.h"

static void free_top(struct assay_column_profile *c)
{
	for (size_t i = 0; i < c->ntop; i++)
		free(c->top_value[i]);
	free(c->top_value);
	free(c->top_count);
	free(c->top_len);
	c->top_value = NULL;
	c->top_count = NULL;
	c->top_len = NULL;
	c->ntop = 0;
}

void prof_map_free(struct assay_numeric_map *m)
{
	free(m->value);
	free(m->count);
	free(m->key);
	free(m->kcount);
	free(m->big);
	for (size_t i = 0; m->raw && i < m->nrawrun; i++)
		free(m->raw[i].k);
	free(m->raw);
	memset(m, 0, sizeof *m);
}

int prof_map_put_count(struct assay_numeric_map *m, size_t *bigcap, size_t i, uint64_t c)
{
	if (c < 255) {
		m->kcount[i] = (uint8_t)c;
		return 0;
	}
	m->kcount[i] = 255;
	if (m->nbig == *bigcap) {
		size_t cap = *bigcap ? *bigcap * 2 : 16;
		struct assay_numeric_big *b = realloc(m->big, cap * sizeof *b);
		if (!b)
			return -1;
		m->big = b;
		*bigcap = cap;
	}
	m->big[m->nbig++] = (struct assay_numeric_big){i, c};
	return 0;
}

uint64_t assay_numeric_map_big_count(const struct assay_numeric_map *m, size_t i)
{
	size_t lo = 0, hi = m->nbig;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->big[mid].i < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nbig && m->big[lo].i == i ? m->big[lo].count : 0;
}

void prof_column_clear(struct assay_column_profile *c)
{
	free(c->name);
	prof_map_free(&c->num);
	for (size_t i = 0; i < c->cat.n; i++)
		free(c->cat.value[i]);
	free(c->cat.value);
	free(c->cat.len);
	free(c->cat.count);
	assay_kll_free(c->kll);
	assay_hll_free(c->hll);
	assay_topk_free(c->mg);
	free_top(c);
	memset(c, 0, sizeof *c);
}

static void *dup_mem(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

int prof_column_copy(struct assay_column_profile *dst, const struct assay_column_profile *src)
{
	*dst = *src;
	dst->name = NULL;
	dst->num = (struct assay_numeric_map){0};
	dst->cat = (struct assay_category_map){0};
	dst->kll = NULL;
	dst->hll = NULL;
	dst->mg = NULL;
	dst->ntop = 0;
	dst->top_value = NULL;
	dst->top_count = NULL;
	dst->top_len = NULL;
	if (!(dst->name = strdup(src->name ? src->name : "")))
		goto oom;
	if (src->num.n && src->num.key) {
		dst->num.key = dup_mem(src->num.key, src->num.n * sizeof(uint32_t));
		dst->num.kcount = dup_mem(src->num.kcount, src->num.n);
		dst->num.big = dup_mem(src->num.big, src->num.nbig * sizeof *src->num.big);
		if (!dst->num.key || !dst->num.kcount || !dst->num.big)
			goto oom;
		dst->num.n = src->num.n;
		dst->num.nbig = src->num.nbig;
	} else if (src->num.n) {
		dst->num.value = dup_mem(src->num.value, src->num.n * sizeof(double));
		dst->num.count = dup_mem(src->num.count, src->num.n * sizeof(uint64_t));
		if (!dst->num.value || !dst->num.count)
			goto oom;
		dst->num.n = src->num.n;
	}
	if (src->cat.n) {
		dst->cat.value = calloc(src->cat.n, sizeof(char *));
		dst->cat.len = dup_mem(src->cat.len, src->cat.n * sizeof(uint32_t));
		dst->cat.count = dup_mem(src->cat.count, src->cat.n * sizeof(uint64_t));
		if (!dst->cat.value || !dst->cat.len || !dst->cat.count)
			goto oom;
		dst->cat.n = src->cat.n;
		for (size_t i = 0; i < src->cat.n; i++) {
			char *s = malloc(src->cat.len[i] + 1u);
			if (!s)
				goto oom;
			memcpy(s, src->cat.value[i], src->cat.len[i]);
			s[src->cat.len[i]] = '\0';
			dst->cat.value[i] = s;
		}
	}
	if (src->kll && !(dst->kll = assay_kll_clone(src->kll)))
		goto oom;
	if (src->hll && !(dst->hll = assay_hll_clone(src->hll)))
		goto oom;
	if (src->mg && !(dst->mg = assay_topk_clone(src->mg)))
		goto oom;
	return 0;
oom:
	prof_column_clear(dst);
	return ASSAY_ENOMEM;
}

static int set_top(struct assay_column_profile *c, size_t n)
{
	free_top(c);
	c->top_value = calloc(n ? n : 1, sizeof *c->top_value);
	c->top_count = calloc(n ? n : 1, sizeof *c->top_count);
	c->top_len = calloc(n ? n : 1, sizeof *c->top_len);
	if (!c->top_value || !c->top_count || !c->top_len)
		return -1;
	return 0;
}

static int put_top(struct assay_column_profile *c, const char *v, uint32_t len, uint64_t count)
{
	char *s = malloc((size_t)len + 1);
	if (!s)
		return -1;
	memcpy(s, v, len);
	s[len] = '\0';
	c->top_value[c->ntop] = s;
	c->top_len[c->ntop] = len;
	c->top_count[c->ntop] = count;
	c->ntop++;
	return 0;
}

int prof_column_finish(struct assay_column_profile *c, size_t topk)
{
	free_top(c);
	if (c->exact) {
		c->distinct = c->type == ASSAY_COL_NUMERIC ? c->num.n : c->cat.n;
	} else {
		c->distinct = c->hll ? (uint64_t)llround(assay_hll_estimate(c->hll)) : 0;
		if (c->distinct > c->present)
			c->distinct = c->present;
	}
	if (c->type != ASSAY_COL_CATEGORICAL || topk == 0)
		return 0;
	if (c->exact) {
		size_t *idx = malloc(topk * sizeof *idx);
		if (!idx || set_top(c, topk)) {
			free(idx);
			return -1;
		}
		size_t m = assay_topk_exact(c->cat.value, c->cat.len, c->cat.count, c->cat.n, topk, idx);
		for (size_t i = 0; i < m; i++)
			if (put_top(c, c->cat.value[idx[i]], c->cat.len[idx[i]], c->cat.count[idx[i]])) {
				free(idx);
				return -1;
			}
		free(idx);
		return 0;
	}
	if (!c->mg)
		return 0;
	if (assay_topk_settle(c->mg))
		return -1;
	size_t m = assay_topk_size(c->mg);
	if (m > topk)
		m = topk;
	if (set_top(c, m))
		return -1;
	for (size_t i = 0; i < m; i++) {
		uint32_t len;
		const char *v = assay_topk_value(c->mg, i, &len);
		if (put_top(c, v, len, assay_topk_count(c->mg, i)))
			return -1;
	}
	return 0;
}

struct assay_profile *prof_new(size_t ncolumns)
{
	struct assay_profile *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->columns = calloc(ncolumns ? ncolumns : 1, sizeof *p->columns);
	p->source_path = strdup("");
	if (!p->columns || !p->source_path) {
		assay_profile_free(p);
		return NULL;
	}
	p->ncolumns = ncolumns;
	for (size_t i = 0; i < ncolumns; i++)
		p->columns[i].min = p->columns[i].max = NAN;
	return p;
}

void assay_profile_free(struct assay_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncolumns; i++)
		prof_column_clear(&p->columns[i]);
	free(p->columns);
	for (size_t i = 0; i < p->ninputs; i++)
		free(p->inputs[i].path);
	free(p->inputs);
	free(p->source_path);
	free(p);
}

const struct assay_column_profile *assay_profile_column(const struct assay_profile *p, const char *name)
{
	for (size_t i = 0; i < p->ncolumns; i++)
		if (strcmp(p->columns[i].name, name) == 0)
			return &p->columns[i];
	return NULL;
}

/* numpy's _lerp */
static double lerp(double a, double b, double t)
{
	double d = b - a;
	return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

double assay_column_quantile(const struct assay_column_profile *c, double q)
{
	if (c->type != ASSAY_COL_NUMERIC || !(q >= 0 && q <= 1))
		return NAN;
	if (!c->exact)
		return c->kll ? assay_kll_quantile(c->kll, q) : NAN;
	uint64_t n = 0;
	for (size_t i = 0; i < c->num.n; i++)
		n += assay_numeric_map_count(&c->num, i);
	if (n == 0)
		return NAN;
	double pos = q * (double)(n - 1);
	double lo = floor(pos);
	double t = pos - lo;
	uint64_t r = (uint64_t)lo; /* 0-based rank of the lower neighbour */
	size_t i = 0;
	uint64_t cum = assay_numeric_map_count(&c->num, 0);
	while (cum <= r && i + 1 < c->num.n)
		cum += assay_numeric_map_count(&c->num, ++i);
	double a = assay_numeric_map_value(&c->num, i);
	if (t == 0)
		return a;
	double b = a;
	if (cum <= r + 1 && i + 1 < c->num.n)
		b = assay_numeric_map_value(&c->num, i + 1);
	return lerp(a, b, t);
}

const char *assay_column_type_name(enum assay_column_type t)
{
	switch (t) {
	case ASSAY_COL_NUMERIC:
		return "numeric";
	case ASSAY_COL_CATEGORICAL:
		return "categorical";
	case ASSAY_COL_EMPTY:
		return "empty";
	}
	return "?";
}

double assay_column_mean(const struct assay_column_profile *c)
{
	return c->type == ASSAY_COL_NUMERIC && c->moments.n ? c->moments.mean : NAN;
}

double assay_column_std(const struct assay_column_profile *c)
{
	return c->type == ASSAY_COL_NUMERIC ? sqrt(assay_moments_variance(&c->moments)) : NAN;
}

void prof_format_double(double d, char *buf, size_t size)
{
	if (d == 0)
		d = 0;
	if (d == floor(d) && fabs(d) < 1e15) { /* integers as integers: "10", not "1e+01" */
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}
