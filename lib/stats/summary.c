/* summary.c: the mergeable evaluation summary (assay/summary.h).
 *
 * Each sensitive feature has a dictionary of its levels (bytes -> code,
 * open addressing). A row's tuple of codes names its finest slice, found
 * through a second hash table. Per finest slice: confusion cells, its
 * scores (scoremap.c: short decimals as 4-byte rows, others in a table),
 * and exact regression sums (assay/xsum.h). The hot path
 * (assay_summary_add_binary) is one direct-mapped memo lookup (row_slice)
 * and a few adds.
 *
 * Canonical order (freeze): levels are sorted bytewise per feature and
 * slices lexicographically by their code tuples, so results never depend
 * on which row came first or how rows were sharded.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/radix.h"
#include "assay/summary.h"
#include "assay/xsum.h"
#include "scoremap.h"

enum { REG_Y, REG_Y2, REG_P, REG_P2, REG_E, REG_ABS_E, REG_E2, REG_E4, REG__N };

/* A lookup slot holds the level's length and first eight bytes, so most
 * lookups of short levels compare two integers and touch no string. */
struct dict_slot {
	uint64_t head;
	uint32_t len;
	uint32_t code1; /* code + 1, 0 = empty */
};

struct dict {
	size_t n, cap;
	char **str;
	uint32_t *len;
	struct dict_slot *table; /* tcap slots */
	size_t tcap;
};

struct slice {
	uint32_t *codes;
	struct assay_cells cells;
	uint64_t nreg;
	uint32_t *rows; /* keyed scores with labels (scoremap.h: score_row), sorted when frozen */
	size_t nrows, rowcap;
	struct score_table scores;    /* the scores that have no key */
	struct assay_xsum *reg;       /* REG__N accumulators, regression only */
	struct assay_scoremap sorted; /* of scores, when frozen */
};

struct assay_summary {
	enum assay_task task;
	int with_score;
	size_t nf;
	char **features;
	struct dict *dict;
	size_t nslices, slice_cap;
	struct slice **slices;
	uint32_t *stable; /* slice index + 1, 0 = empty */
	size_t stcap;
	uint32_t *scratch;     /* nf codes for the row being added */
	uint32_t *dense;       /* slice index + 1 by packed codes, when they fit: see dense_key() */
	struct row_memo *memo; /* ROW_MEMO entries, when rows_memo_fits(); see row_slice() */
	int frozen;
};

/* A row's levels, when there are at most three and each is at most eight
 * bytes long, are fully named by their heads (head8) and lengths: a
 * direct-mapped memo from those to the finest slice skips both dictionary
 * lookups and the slice lookup for almost every row (dict_code and
 * slice_get were 11% of a 1M-row eval). Slices are never freed before the
 * summary, and freezing reorders the slice array but not the slices, so
 * an entry stays right for the summary's life. */
#define ROW_MEMO_BITS 10
#define ROW_MEMO_NF   3
struct row_memo {
	uint64_t head[ROW_MEMO_NF];
	uint32_t lens; /* the lengths, a byte each; 0 with slice NULL: empty */
	struct slice *slice;
};

#define DENSE_BITS 12 /* a 4096-entry direct table covers <= 2 features of <= 64 levels */

/* The first (up to) eight bytes of a level, zero-padded, read without
 * touching a byte past p + n: overlapping 4-byte loads for 4..8 bytes. */
static inline uint64_t head8(const char *p, size_t n)
{
	if (n >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		return x;
	}
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		return lo | (uint64_t)hi << (8 * (n - 4));
	}
	if (n == 0)
		return 0;
	return (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << (8 * (n / 2)) |
	       (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1));
}

/* Table position of a level from its head and the rest, eight bytes per
 * multiply (a byte-at-a-time FNV-1a was most of dict_code's time). Only
 * places levels in the lookup table: codes are in order of appearance. */
static uint64_t hash_bytes(const char *p, size_t n, uint64_t head)
{
	uint64_t h = (head ^ (0x9e3779b97f4a7c15ULL * (n + 1))) * 0xff51afd7ed558ccdULL;
	for (size_t i = 8; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		h = (h ^ (h >> 32) ^ x) * 0xc4ceb9fe1a85ec53ULL;
	}
	if (n > 8)
		h ^= head8(p + n - 8, 8); /* the tail, overlapping what was read */
	return h ^ (h >> 29);
}

static uint64_t hash_codes(const uint32_t *c, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= c[i] + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
		h *= 0xff51afd7ed558ccdULL;
	}
	return h ^ (h >> 31);
}

static int dict_rehash(struct dict *d, size_t tcap)
{
	struct dict_slot *t = calloc(tcap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		uint64_t head = head8(d->str[i], d->len[i]);
		size_t j = hash_bytes(d->str[i], d->len[i], head) & (tcap - 1);
		while (t[j].code1)
			j = (j + 1) & (tcap - 1);
		t[j] = (struct dict_slot){head, d->len[i], (uint32_t)i + 1};
	}
	free(d->table);
	d->table = t;
	d->tcap = tcap;
	return 0;
}

/* Code of the level, adding it if new; -1 when out of memory. */
static long dict_code(struct dict *d, const char *p, uint32_t len)
{
	uint64_t head = head8(p, len);
	size_t j = 0;
	if (d->tcap) {
		j = hash_bytes(p, len, head) & (d->tcap - 1);
		for (const struct dict_slot *e; (e = &d->table[j])->code1; j = (j + 1) & (d->tcap - 1)) {
			if (e->head != head || e->len != len)
				continue;
			uint32_t c = e->code1 - 1;
			if (len <= 8 || memcmp(d->str[c] + 8, p + 8, len - 8) == 0)
				return c;
		}
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		char **str = realloc(d->str, cap * sizeof *str);
		if (!str)
			return -1;
		d->str = str;
		uint32_t *lens = realloc(d->len, cap * sizeof *lens);
		if (!lens)
			return -1;
		d->len = lens;
		d->cap = cap;
	}
	char *s = malloc((size_t)len + 1);
	if (!s)
		return -1;
	memcpy(s, p, len);
	s[len] = '\0';
	d->str[d->n] = s;
	d->len[d->n] = len;
	d->n++;
	if (d->n * 2 > d->tcap)
		return dict_rehash(d, d->tcap ? d->tcap * 2 : 16) == 0 ? (long)d->n - 1 : -1;
	/* j is the empty slot the probe above ended on */
	d->table[j] = (struct dict_slot){head, len, (uint32_t)d->n};
	return (long)d->n - 1;
}

static void dict_free(struct dict *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->str[i]);
	free(d->str);
	free(d->len);
	free(d->table);
}

static void slice_free(struct slice *sl)
{
	if (!sl)
		return;
	free(sl->codes);
	free(sl->rows);
	score_table_free(&sl->scores);
	free(sl->reg);
	assay_scoremap_free(&sl->sorted);
	free(sl);
}

int assay_summary_new(struct assay_summary **out, enum assay_task task, const char *const *features,
                      size_t nfeatures, int with_score, struct assay_error *err)
{
	struct assay_summary *s = calloc(1, sizeof *s);
	if (!s)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	s->task = task;
	s->with_score = with_score && task == ASSAY_TASK_BINARY;
	s->nf = nfeatures;
	s->features = calloc(nfeatures ? nfeatures : 1, sizeof *s->features);
	s->dict = calloc(nfeatures ? nfeatures : 1, sizeof *s->dict);
	s->scratch = calloc(nfeatures ? nfeatures : 1, sizeof *s->scratch);
	if (nfeatures <= 4)
		s->dense = calloc((size_t)1 << DENSE_BITS, sizeof *s->dense);
	if (nfeatures <= ROW_MEMO_NF)
		s->memo = calloc((size_t)1 << ROW_MEMO_BITS, sizeof *s->memo);
	if (!s->features || !s->dict || !s->scratch || (nfeatures <= 4 && !s->dense) ||
	    (nfeatures <= ROW_MEMO_NF && !s->memo)) {
		assay_summary_free(s);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < nfeatures; i++) {
		s->features[i] = strdup(features[i]);
		if (!s->features[i]) {
			assay_summary_free(s);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
	}
	*out = s;
	return 0;
}

void assay_summary_free(struct assay_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nf; i++) {
		free(s->features[i]);
		dict_free(&s->dict[i]);
	}
	for (size_t i = 0; i < s->nslices; i++)
		slice_free(s->slices[i]);
	free(s->features);
	free(s->dict);
	free(s->slices);
	free(s->stable);
	free(s->scratch);
	free(s->dense);
	free(s->memo);
	free(s);
}

static int slice_rehash(struct assay_summary *s, size_t cap)
{
	uint32_t *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < s->nslices; i++) {
		size_t j = hash_codes(s->slices[i]->codes, s->nf) & (cap - 1);
		while (t[j])
			j = (j + 1) & (cap - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(s->stable);
	s->stable = t;
	s->stcap = cap;
	return 0;
}

/* Packed codes for the direct table, or -1 when they do not fit. */
static long dense_key(const struct assay_summary *s, const uint32_t *codes)
{
	if (!s->dense || s->nf == 0)
		return s->dense ? 0 : -1;
	unsigned bits = DENSE_BITS / (unsigned)s->nf;
	long key = 0;
	for (size_t f = 0; f < s->nf; f++) {
		if (codes[f] >> bits)
			return -1;
		key = (key << bits) | codes[f];
	}
	return key;
}

/* The finest slice of `codes`, created if new; NULL when out of memory.
 * Small code tuples go through a direct table, others through the hash. */
static struct slice *slice_get(struct assay_summary *s, const uint32_t *codes)
{
	size_t bytes = s->nf * sizeof *codes;
	long dk = dense_key(s, codes);
	if (dk >= 0 && s->dense[dk])
		return s->slices[s->dense[dk] - 1];
	if (s->stcap) {
		size_t j = hash_codes(codes, s->nf) & (s->stcap - 1);
		while (s->stable[j]) {
			struct slice *sl = s->slices[s->stable[j] - 1];
			if (memcmp(sl->codes, codes, bytes) == 0) {
				if (dk >= 0)
					s->dense[dk] = s->stable[j];
				return sl;
			}
			j = (j + 1) & (s->stcap - 1);
		}
	}
	if (s->nslices == s->slice_cap) {
		size_t cap = s->slice_cap ? s->slice_cap * 2 : 16;
		struct slice **v = realloc(s->slices, cap * sizeof *v);
		if (!v)
			return NULL;
		s->slices = v;
		s->slice_cap = cap;
	}
	struct slice *sl = calloc(1, sizeof *sl);
	if (!sl)
		return NULL;
	sl->codes = malloc(bytes ? bytes : 1);
	if (s->task == ASSAY_TASK_REGRESSION)
		sl->reg = malloc(REG__N * sizeof *sl->reg);
	if (!sl->codes || (s->task == ASSAY_TASK_REGRESSION && !sl->reg)) {
		slice_free(sl);
		return NULL;
	}
	if (bytes)
		memcpy(sl->codes, codes, bytes);
	for (int r = 0; sl->reg && r < REG__N; r++)
		assay_xsum_init(&sl->reg[r]);
	score_table_init(&sl->scores);
	s->slices[s->nslices++] = sl;
	if (s->nslices * 2 > s->stcap) {
		if (slice_rehash(s, s->stcap ? s->stcap * 2 : 32) != 0)
			return NULL;
	} else {
		size_t j = hash_codes(codes, s->nf) & (s->stcap - 1);
		while (s->stable[j])
			j = (j + 1) & (s->stcap - 1);
		s->stable[j] = (uint32_t)s->nslices;
	}
	if (dk >= 0)
		s->dense[dk] = (uint32_t)s->nslices;
	return sl;
}

static struct slice *row_slice_slow(struct assay_summary *s, const char *const *levels, const uint32_t *lens)
{
	for (size_t f = 0; f < s->nf; f++) {
		long c = dict_code(&s->dict[f], levels[f], lens[f]);
		if (c < 0)
			return NULL;
		s->scratch[f] = (uint32_t)c;
	}
	return slice_get(s, s->scratch);
}

static struct slice *row_slice(struct assay_summary *s, const char *const *levels, const uint32_t *lens)
{
	if (!s->memo)
		return row_slice_slow(s, levels, lens);
	uint64_t head[ROW_MEMO_NF] = {0, 0, 0}, h = 0x9e3779b97f4a7c15ULL;
	uint32_t packed = 0;
	for (size_t f = 0; f < s->nf; f++) {
		if (lens[f] > 8)
			return row_slice_slow(s, levels, lens);
		head[f] = head8(levels[f], lens[f]);
		packed |= lens[f] << (8 * f);
		h = (h ^ head[f] ^ lens[f]) * 0xff51afd7ed558ccdULL;
	}
	struct row_memo *m = &s->memo[h >> (64 - ROW_MEMO_BITS)];
	if (m->slice && m->lens == packed && m->head[0] == head[0] && m->head[1] == head[1] &&
	    m->head[2] == head[2])
		return m->slice;
	struct slice *sl = row_slice_slow(s, levels, lens);
	if (sl)
		*m = (struct row_memo){{head[0], head[1], head[2]}, packed, sl};
	return sl;
}

/* Room for n more rows (doubling: realloc of a large block moves pages,
 * not bytes). */
static int rows_reserve(struct slice *sl, size_t n)
{
	if (sl->nrows + n <= sl->rowcap)
		return 0;
	size_t cap = sl->rowcap ? sl->rowcap : 256;
	while (cap < sl->nrows + n)
		cap *= 2;
	uint32_t *r = realloc(sl->rows, cap * sizeof *r);
	if (!r)
		return -1;
	sl->rows = r;
	sl->rowcap = cap;
	return 0;
}

/* A score with a key >= ASSAY_DECKEY_ZERO (short decimals >= 0) goes to
 * the rows; any other to the table. The choice depends on the double
 * alone (assay_deckey_from_double agrees with the parse), so the two
 * never hold the same score. */
static int add_score(struct slice *sl, double score, uint32_t key, int y)
{
	if (key < ASSAY_DECKEY_ZERO &&
	    (assay_deckey_from_double(score, &key) != 0 || key < ASSAY_DECKEY_ZERO))
		return score_table_add(&sl->scores, score, y != 0, y == 0);
	if (sl->nrows == sl->rowcap && rows_reserve(sl, 1) != 0)
		return -1;
	sl->rows[sl->nrows++] = score_row(key, y);
	return 0;
}

int assay_summary_add_binary(struct assay_summary *s, const char *const *levels, const uint32_t *lens, int y,
                             int yhat, double score)
{
	return assay_summary_add_binary_key(s, levels, lens, y, yhat, score, 0);
}

int assay_summary_add_binary_key(struct assay_summary *s, const char *const *levels, const uint32_t *lens,
                                 int y, int yhat, double score, uint32_t key)
{
	struct slice *sl = row_slice(s, levels, lens);
	if (!sl)
		return ASSAY_ENOMEM;
	s->frozen = 0;
	/* The cell by index, not by branches: labels and predictions are
	 * close to coin flips in many data sets, and the two nested branches
	 * were mispredicted about once a row (~5 of 152 ms of a 1M-row eval's CPU). */
	static const size_t cell_at[4] = {offsetof(struct assay_cells, tn), offsetof(struct assay_cells, fp),
	                                  offsetof(struct assay_cells, fn), offsetof(struct assay_cells, tp)};
	(*(uint64_t *)(void *)((char *)&sl->cells + cell_at[(y != 0) * 2 + (yhat != 0)]))++;
	if (s->with_score && add_score(sl, score, key, y) != 0)
		return ASSAY_ENOMEM;
	return 0;
}

int assay_summary_add_regression(struct assay_summary *s, const char *const *levels, const uint32_t *lens,
                                 double y, double pred)
{
	struct slice *sl = row_slice(s, levels, lens);
	if (!sl)
		return ASSAY_ENOMEM;
	s->frozen = 0;
	double e = y - pred;
	sl->nreg++;
	assay_xsum_add(&sl->reg[REG_Y], y);
	assay_xsum_add_product(&sl->reg[REG_Y2], y, y);
	assay_xsum_add(&sl->reg[REG_P], pred);
	assay_xsum_add(&sl->reg[REG_E], e);
	assay_xsum_add(&sl->reg[REG_ABS_E], e < 0 ? -e : e);
	assay_xsum_add_product(&sl->reg[REG_E2], e, e);
	assay_xsum_add_product(&sl->reg[REG_P2], pred, pred);
	assay_xsum_add_product(&sl->reg[REG_E4], e * e, e * e);
	return 0;
}

int assay_summary_merge(struct assay_summary *dst, const struct assay_summary *src, struct assay_error *err)
{
	if (dst->task != src->task || dst->nf != src->nf || dst->with_score != src->with_score)
		return assay_error_set(
		    err, ASSAY_EINPUT, NULL, 0, 0,
		    "cannot merge summaries of different tasks, features or score settings");
	for (size_t f = 0; f < dst->nf; f++)
		if (strcmp(dst->features[f], src->features[f]) != 0)
			return assay_error_set(
			    err, ASSAY_EINPUT, NULL, 0, 0,
			    "cannot merge summaries: feature %zu is \"%s\" in one and \"%s\" in the other",
			    f + 1, dst->features[f], src->features[f]);
	dst->frozen = 0;
	for (size_t i = 0; i < src->nslices; i++) {
		const struct slice *a = src->slices[i];
		for (size_t f = 0; f < dst->nf; f++) {
			const struct dict *sd = &src->dict[f];
			long c = dict_code(&dst->dict[f], sd->str[a->codes[f]], sd->len[a->codes[f]]);
			if (c < 0)
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			dst->scratch[f] = (uint32_t)c;
		}
		struct slice *b = slice_get(dst, dst->scratch);
		if (!b || score_table_merge(&b->scores, &a->scores) != 0 || rows_reserve(b, a->nrows) != 0)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		if (a->nrows)
			memcpy(b->rows + b->nrows, a->rows, a->nrows * sizeof *a->rows);
		b->nrows += a->nrows;
		b->cells.tp += a->cells.tp;
		b->cells.fp += a->cells.fp;
		b->cells.tn += a->cells.tn;
		b->cells.fn += a->cells.fn;
		b->nreg += a->nreg;
		for (int r = 0; b->reg && r < REG__N; r++)
			assay_xsum_merge(&b->reg[r], &a->reg[r]);
	}
	return 0;
}

/* ---- freezing into canonical order ---- */

struct level_ref {
	const char *str;
	uint32_t len, code;
};

static int cmp_level(const void *a, const void *b)
{
	const struct level_ref *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->str, y->str, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static int cmp_slice(const void *a, const void *b, void *ctx)
{
	const struct slice *x = *(struct slice *const *)a, *y = *(struct slice *const *)b;
	size_t nf = *(const size_t *)ctx;
	for (size_t f = 0; f < nf; f++)
		if (x->codes[f] != y->codes[f])
			return x->codes[f] < y->codes[f] ? -1 : 1;
	return 0;
}

static int renumber_levels(struct dict *d, uint32_t *remap)
{
	struct level_ref *r = malloc((d->n ? d->n : 1) * sizeof *r);
	char **str = malloc((d->n ? d->n : 1) * sizeof *str);
	uint32_t *len = malloc((d->n ? d->n : 1) * sizeof *len);
	if (!r || !str || !len) {
		free(r);
		free(str);
		free(len);
		return -1;
	}
	for (size_t i = 0; i < d->n; i++)
		r[i] = (struct level_ref){d->str[i], d->len[i], (uint32_t)i};
	qsort(r, d->n, sizeof *r, cmp_level);
	for (size_t i = 0; i < d->n; i++) {
		remap[r[i].code] = (uint32_t)i;
		str[i] = (char *)r[i].str;
		len[i] = r[i].len;
	}
	free(d->str);
	free(d->len);
	d->str = str;
	d->len = len;
	d->cap = d->n ? d->n : 1;
	free(r);
	return dict_rehash(d, d->tcap ? d->tcap : 16);
}

int assay_summary_freeze(struct assay_summary *s, struct assay_error *err)
{
	if (s->frozen)
		return 0;
	for (size_t f = 0; f < s->nf; f++) {
		uint32_t *remap = malloc((s->dict[f].n ? s->dict[f].n : 1) * sizeof *remap);
		if (!remap || renumber_levels(&s->dict[f], remap) != 0) {
			free(remap);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
		for (size_t i = 0; i < s->nslices; i++)
			s->slices[i]->codes[f] = remap[s->slices[i]->codes[f]];
		free(remap);
	}
	qsort_r(s->slices, s->nslices, sizeof *s->slices, cmp_slice, &s->nf);
	if (s->dense) /* codes and slice order changed: the direct table refills as rows arrive */
		memset(s->dense, 0, ((size_t)1 << DENSE_BITS) * sizeof *s->dense);
	if (slice_rehash(s, s->stcap ? s->stcap : 32) != 0)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < s->nslices; i++) {
		struct slice *sl = s->slices[i];
		assay_scoremap_free(&sl->sorted);
		if (s->with_score && sl->nrows > 1)
			assay_radix_sort_u32(sl->rows, sl->nrows); /* -1: sorted by qsort instead */
		if (s->with_score && score_table_sorted(&sl->scores, &sl->sorted) != 0)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	s->frozen = 1;
	return 0;
}

/* ---- queries ---- */

enum assay_task assay_summary_task(const struct assay_summary *s)
{
	return s->task;
}

int assay_summary_has_score(const struct assay_summary *s)
{
	return s->with_score;
}

size_t assay_summary_nfeatures(const struct assay_summary *s)
{
	return s->nf;
}

const char *assay_summary_feature(const struct assay_summary *s, size_t f)
{
	return s->features[f];
}

size_t assay_summary_nlevels(const struct assay_summary *s, size_t f)
{
	return s->dict[f].n;
}

const char *assay_summary_level(const struct assay_summary *s, size_t f, size_t level)
{
	return s->dict[f].str[level];
}

uint64_t assay_summary_rows(const struct assay_summary *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->nslices; i++) {
		const struct assay_cells *c = &s->slices[i]->cells;
		n += c->tp + c->fp + c->tn + c->fn + s->slices[i]->nreg;
	}
	return n;
}

size_t assay_summary_nslices(const struct assay_summary *s)
{
	return s->nslices;
}

const uint32_t *assay_summary_slice_levels(const struct assay_summary *s, size_t i)
{
	return s->slices[i]->codes;
}

#define FOR_EACH_SLICE(s, idx, n, sl, body)                                                                  \
	for (size_t k_ = 0; k_ < ((idx) ? (n) : (s)->nslices); k_++) {                                       \
		const struct slice *sl = (s)->slices[(idx) ? (idx)[k_] : k_];                                \
		body                                                                                         \
	}

void assay_summary_cells(const struct assay_summary *s, const size_t *idx, size_t n, struct assay_cells *out)
{
	memset(out, 0, sizeof *out);
	FOR_EACH_SLICE(s, idx, n, sl, {
		out->tp += sl->cells.tp;
		out->fp += sl->cells.fp;
		out->tn += sl->cells.tn;
		out->fn += sl->cells.fn;
	})
}

void assay_summary_regsums(const struct assay_summary *s, const size_t *idx, size_t n,
                           struct assay_regsums *out)
{
	memset(out, 0, sizeof *out);
	struct assay_xsum acc[REG__N];
	for (int r = 0; r < REG__N; r++)
		assay_xsum_init(&acc[r]);
	FOR_EACH_SLICE(s, idx, n, sl, {
		out->n += sl->nreg;
		for (int r = 0; sl->reg && r < REG__N; r++)
			assay_xsum_merge(&acc[r], &sl->reg[r]);
	})
	out->sum_y = assay_xsum_value(&acc[REG_Y]);
	out->sum_y2 = assay_xsum_value(&acc[REG_Y2]);
	out->sum_p = assay_xsum_value(&acc[REG_P]);
	out->sum_e = assay_xsum_value(&acc[REG_E]);
	out->sum_abs_e = assay_xsum_value(&acc[REG_ABS_E]);
	out->sum_e2 = assay_xsum_value(&acc[REG_E2]);
	out->sum_p2 = assay_xsum_value(&acc[REG_P2]);
	out->sum_e4 = assay_xsum_value(&acc[REG_E4]);
}

int assay_summary_score_walk(const struct assay_summary *s, const size_t *idx, size_t n, int descending,
                             assay_score_fn fn, void *ctx)
{
	size_t k = idx ? n : s->nslices;
	struct score_source *src = malloc((k ? k : 1) * sizeof *src);
	if (!src)
		return ASSAY_ENOMEM;
	for (size_t i = 0; i < k; i++) {
		const struct slice *sl = s->slices[idx ? idx[i] : i];
		src[i] = (struct score_source){sl->rows, sl->nrows, &sl->sorted};
	}
	int rc = score_walk(src, k, descending, fn, ctx);
	free(src);
	return rc ? ASSAY_ENOMEM : 0;
}

int assay_summary_scores_keyed(const struct assay_summary *s)
{
	for (size_t i = 0; i < s->nslices; i++)
		if (s->slices[i]->scores.n)
			return 0;
	return 1;
}

int assay_summary_score_walk_split(const struct assay_summary *s, int descending, assay_score_split_fn fn,
                                   void *ctx)
{
	struct score_source *src = malloc((s->nslices ? s->nslices : 1) * sizeof *src);
	if (!src)
		return ASSAY_ENOMEM;
	for (size_t i = 0; i < s->nslices; i++)
		src[i] = (struct score_source){s->slices[i]->rows, s->slices[i]->nrows, NULL};
	int rc = score_walk_split(src, s->nslices, descending, fn, ctx);
	free(src);
	return rc ? ASSAY_ENOMEM : 0;
}
