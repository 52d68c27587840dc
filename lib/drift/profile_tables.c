/* profile_tables.c: the exact tables of a profile build's columns
 * (profile_build.c): numeric values as decimal keys appended to an array
 * (the key form), counted in a small table of keys (its counted variant:
 * a column of few distinct keys when there is no cap, e.g. drift's data
 * files), or as doubles buffered, sorted and merged into runs (the double
 * form), a key array's runs as a packed map, and categories in an
 * open-addressing table of entries. What goes in which, and when a
 * column leaves a form, is profile_build.c's; the probe that counts a
 * known short category is inline in profile_build_internal.h (the row
 * loop calls it). */
#include <stdlib.h>
#include <string.h>

#include "assay/deckey.h"
#include "assay/radix.h"
#include "keys_runs.h"
#include "profile_build_internal.h"
#include "profile_internal.h"

/* Sort the buffer and merge it into the run. */
int pb_numtab_flush(struct numtab *t)
{
	if (!t->nbuf)
		return 0;
	assay_radix_sort_doubles(t->buf, t->nbuf, sizeof *t->buf);
	struct numpair *out = malloc((t->n + t->nbuf) * sizeof *out);
	if (!out)
		return -1;
	size_t i = 0, j = 0, k = 0;
	while (i < t->n || j < t->nbuf) {
		double v;
		uint64_t c = 0;
		if (j == t->nbuf || (i < t->n && t->run[i].v < t->buf[j]))
			v = t->run[i].v;
		else
			v = t->buf[j];
		if (i < t->n && t->run[i].v == v)
			c += t->run[i++].c;
		while (j < t->nbuf && t->buf[j] == v) {
			c++;
			j++;
		}
		out[k++] = (struct numpair){v, c};
	}
	free(t->run);
	t->run = out;
	t->n = k;
	t->nbuf = 0;
	return 0;
}

int pb_numtab_add(struct numtab *t, double x)
{
	if (t->nbuf == t->cbuf) {
		if (t->cbuf && pb_numtab_flush(t))
			return -1;
		size_t base = t->bufmin ? t->bufmin : (size_t)1 << 18;
		size_t want = t->n > base ? t->n : base;
		if (want > t->cbuf) {
			double *b = realloc(t->buf, want * sizeof *b);
			if (!b)
				return -1;
			t->buf = b;
			t->cbuf = want;
		}
	}
	t->buf[t->nbuf++] = x;
	return 0;
}

void pb_numtab_free(struct numtab *t)
{
	free(t->buf);
	free(t->run);
	free(t->k);
	free(t->kc);
	memset(t, 0, sizeof *t);
}

#define KEY_CHECK_AT     ((size_t)1 << 20) /* keys looked at once for duplicates */
#define KEY_CHECK_SAMPLE ((size_t)1 << 16) /* how many: the last ones (a copy is sorted) */
/* Without a cap: keys looked at once for duplicates, and how many (the
 * last ones); the most distinct keys the counted form holds. */
#define KC_CHECK_AT     ((size_t)1 << 16)
#define KC_CHECK_SAMPLE ((size_t)1 << 12)
#define KC_MAX          ((size_t)1 << 12)

static int cmp_kcent(const void *a, const void *b)
{
	uint32_t x = ((const struct kcent *)a)->key, y = ((const struct kcent *)b)->key;
	return (x > y) - (x < y);
}

/* The counted form into the double form: its keys in key order (their
 * values' order) as the run, which is what the double form's buffer and
 * merges give for the same multiset; without a cap nothing else depends
 * on the order in which it saw them. */
static int kc_leave(struct numtab *t, double *min, double *max)
{
	struct kcent *e = t->kc;
	size_t n = 0;
	for (size_t i = 0; i < t->kcslot; i++)
		if (e[i].cnt)
			e[n++] = e[i];
	qsort(e, n, sizeof *e, cmp_kcent);
	t->kc = NULL;
	t->kcslot = t->kcn = 0;
	t->kmode = 0;
	struct numpair *run = malloc((n ? n : 1) * sizeof *run);
	if (!run) {
		free(e);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		run[i] = (struct numpair){assay_deckey_value(e[i].key), e[i].cnt};
	if (n) {
		*min = run[0].v;
		*max = run[n - 1].v;
	}
	free(t->run);
	t->run = run;
	t->n = n;
	free(e);
	return 0;
}

/* A key into the counted form's table (n times): 0, -1 (out of memory), or
 * 1 when the table is full (KC_MAX keys) and the key not in it. */
static int kc_add(struct numtab *t, uint32_t key, uint64_t n)
{
	size_t m = t->kcslot - 1, at = pb_kc_slot(key, m);
	for (; t->kc[at].cnt; at = (at + 1) & m)
		if (t->kc[at].key == key) {
			t->kc[at].cnt += n;
			return 0;
		}
	if (t->kcn == KC_MAX)
		return 1;
	if (2 * (t->kcn + 1) > t->kcslot) {
		size_t ns = t->kcslot * 2;
		struct kcent *e = calloc(ns, sizeof *e);
		if (!e)
			return -1;
		for (size_t i = 0; i < t->kcslot; i++) {
			if (!t->kc[i].cnt)
				continue;
			size_t j = pb_kc_slot(t->kc[i].key, ns - 1);
			while (e[j].cnt)
				j = (j + 1) & (ns - 1);
			e[j] = t->kc[i];
		}
		free(t->kc);
		t->kc = e;
		t->kcslot = ns;
		m = ns - 1;
		for (at = pb_kc_slot(key, m); e[at].cnt; at = (at + 1) & m)
			;
	}
	t->kc[at] = (struct kcent){n, key};
	t->kcn++;
	return 0;
}

/* The key form's array into the counted form: 0, -1 (out of memory), or 1
 * when its keys do not fit (more than KC_MAX distinct: nothing done). */
static int kc_enter(struct numtab *t)
{
	t->kcslot = 64;
	t->kcn = 0;
	if (!(t->kc = calloc(t->kcslot, sizeof *t->kc)))
		return -1;
	int r = 0;
	for (size_t i = 0; i < t->nk && !r; i++)
		r = kc_add(t, t->k[i], 1);
	if (r) {
		free(t->kc);
		t->kc = NULL;
		t->kcslot = t->kcn = 0;
		return r;
	}
	free(t->k);
	t->k = NULL;
	t->nk = t->ck = 0;
	return 0;
}

/* Leave the key form: every key so far goes to the double form, in row
 * order, so that the double form ends where it would have been had it
 * seen these values from the start (flushes, hence the cap's switch to
 * sketches, depend on the order). min and max, not tracked in the key
 * form, are set here. */
int pb_numtab_leave_keys(struct numtab *t, double *min, double *max)
{
	if (!t->kmode)
		return 0;
	if (t->kc)
		return kc_leave(t, min, max);
	uint32_t *k = t->k;
	size_t n = t->nk;
	t->kmode = 0;
	t->k = NULL;
	t->nk = t->ck = 0;
	uint32_t lo = UINT32_MAX, hi = 0;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		lo = k[i] < lo ? k[i] : lo;
		hi = k[i] > hi ? k[i] : hi;
		rc = pb_numtab_add(t, assay_deckey_value(k[i]));
	}
	if (n) {
		*min = assay_deckey_value(lo);
		*max = assay_deckey_value(hi);
	}
	free(k);
	return rc;
}

/* Distinct keys of a sorted array. */
static size_t keys_distinct(const uint32_t *k, size_t n)
{
	size_t d = n ? 1 : 0;
	for (size_t i = 1; i < n; i++)
		d += k[i] != k[i - 1];
	return d;
}

/* Append a key: 0, -1 (out of memory), or 1 when the column has just left
 * the key form and the caller must add the value the double way (its
 * min, max and cap check included). The form is left, the keys replayed in
 * row order, when one more value could exceed the cap (so a switch to
 * sketches happens exactly where the double form would have made it), or
 * when the keys look mostly duplicate. */
int pb_numtab_add_key(struct numtab *t, uint32_t key, double *min, double *max, uint64_t cap)
{
	if (t->kc) {
		int r = kc_add(t, key, 1);
		return r <= 0 ? r : pb_numtab_leave_keys(t, min, max) ? -1 : 1;
	}
	if (t->nk >= cap)
		return pb_numtab_leave_keys(t, min, max) ? -1 : 1;
	if (t->nk == t->ck) {
		/* without a cap, looked at earlier and on fewer keys: the counted
		 * form is the key form's, and costs no sort of a sample later */
		int nocap = cap == UINT64_MAX, early = nocap && !t->kchecked && t->nk >= KC_CHECK_AT;
		size_t ns = early ? KC_CHECK_SAMPLE : KEY_CHECK_SAMPLE;
		if (early || (t->kchecked < 2 && t->nk >= KEY_CHECK_AT)) {
			/* A sample, not all of them: sorting 2^20 keys was 3% of a 10M-row drift. */
			t->kchecked = early ? 1 : 2;
			uint32_t *s = malloc(ns * sizeof *s);
			if (!s)
				return -1;
			memcpy(s, t->k + t->nk - ns, ns * sizeof *s);
			assay_radix_sort_u32(s, ns);
			size_t d = keys_distinct(s, ns);
			free(s);
			if (d * 4 <= ns) { /* mostly duplicates */
				int r = nocap ? kc_enter(t) : 1;
				if (r < 0)
					return -1;
				if (r == 0)
					return pb_numtab_add_key(t, key, min, max, cap);
				return pb_numtab_leave_keys(t, min, max) ? -1 : 1;
			}
		}
		size_t want = t->ck ? t->ck * 2 : (size_t)1 << 16;
		uint32_t *k = realloc(t->k, want * sizeof *k);
		if (!k)
			return -1;
		t->k = k;
		t->ck = want;
	}
	t->k[t->nk++] = key;
	return 0;
}

/* Sorted keys k[0, n) -> a map: packed (distinct keys in place, k then
 * owned by the map and shrunk; byte counts), or decoded into doubles.
 * Frees k on failure. */
int pb_keys_to_map(uint32_t *k, size_t n, int packed, struct assay_numeric_map *m)
{
	size_t d = keys_distinct(k, n), bigcap = 0;
	memset(m, 0, sizeof *m);
	if (packed) {
		m->kcount = malloc(d ? d : 1);
	} else {
		m->value = malloc((d ? d : 1) * sizeof *m->value);
		m->count = malloc((d ? d : 1) * sizeof *m->count);
	}
	if (packed ? !m->kcount : !m->value || !m->count) {
		free(k);
		prof_map_free(m);
		return -1;
	}
	m->n = d;
	if (!packed) {
		for (size_t i = 0, w = 0; i < n; w++) {
			size_t j = i + 1;
			while (j < n && k[j] == k[i])
				j++;
			m->value[w] = assay_deckey_value(k[i]);
			m->count[w] = j - i;
			i = j;
		}
		free(k);
		return 0;
	}
	/* distinct keys compacted in place and their byte counts (keys_runs.c) */
	if (n && drift_keys_runs(k, n, m, &bigcap)) {
		free(k);
		prof_map_free(m);
		return -1;
	}
	uint32_t *shrunk = realloc(k, (d ? d : 1) * sizeof *shrunk);
	m->key = shrunk ? shrunk : k;
	return 0;
}

/* The table as a sorted map (value ascending). */
int pb_numtab_sorted(struct numtab *t, struct assay_numeric_map *m)
{
	if (pb_numtab_flush(t))
		return -1;
	m->value = malloc((t->n ? t->n : 1) * sizeof *m->value);
	m->count = malloc((t->n ? t->n : 1) * sizeof *m->count);
	if (!m->value || !m->count) {
		free(m->value);
		free(m->count);
		m->value = NULL;
		m->count = NULL;
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		m->value[i] = t->run[i].v;
		m->count[i] = t->run[i].c;
	}
	m->n = t->n;
	return 0;
}

static inline uint64_t slot_hash(const struct centry *e)
{
	return e->len <= 8 ? pb_short_hash(e->word, e->len) : e->hash;
}

static int cattab_grow(struct cattab *t)
{
	size_t nslot = t->nslot ? t->nslot * 2 : 64;
	uint32_t *s = calloc(nslot, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = (size_t)slot_hash(&t->e[i]) & (nslot - 1);
		while (s[j])
			j = (j + 1) & (nslot - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = s;
	t->nslot = nslot;
	return 0;
}

/* A category of at most 8 bytes as one word, zero-padded, read without
 * touching a byte outside [p, p + len) (two overlapping loads from 4
 * bytes on); 0 for longer ones. */
static inline uint64_t short_word(const char *p, uint32_t len)
{
	return len > 8 || len == 0 ? 0 : assay_word_upto8(p, len);
}

/* A new category into the empty slot j (pb_cattab_find's). */
__attribute__((noinline)) static int cattab_insert(struct cattab *t, const char *p, uint32_t len,
                                                   uint64_t word, uint64_t sh, size_t j)
{
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 32;
		struct centry *e = realloc(t->e, na * sizeof *e);
		if (!e)
			return -1;
		t->e = e;
		t->alloc = na;
	}
	if (t->nbytes + len > t->abytes) {
		size_t na = t->abytes ? t->abytes * 2 : 1024;
		while (na < t->nbytes + len)
			na *= 2;
		char *b = realloc(t->bytes, na);
		if (!b)
			return -1;
		t->bytes = b;
		t->abytes = na;
	}
	if (len)
		memcpy(t->bytes + t->nbytes, p, len);
	uint64_t hash = len <= 8 ? assay_hash64(p, len) : sh;
	t->e[t->n] = (struct centry){hash, word, t->nbytes, len, 1};
	t->nbytes += len;
	t->slot[j] = (uint32_t)++t->n;
	return 1;
}

/* Count one category. A short one (<= 8 bytes, "a", "k03", "Male") is
 * found by its word and length (slot_hash) and compared by the word kept
 * in its entry, not by its bytes: the probe then waits on two loads (slot,
 * entry) instead of three (the bytes were a third dependent load, 19% of
 * this function's samples on the 1M-row drift). */
int pb_cattab_add(struct cattab *t, const char *p, uint32_t len)
{
	if (2 * (t->n + 1) > t->nslot && cattab_grow(t))
		return -1;
	uint64_t word = short_word(p, len);
	uint64_t sh = len <= 8 ? pb_short_hash(word, len) : assay_hash64(p, len);
	size_t j;
	struct centry *e = pb_cattab_find(t, p, len, word, sh, &j);
	if (e) {
		e->cnt++;
		return 0;
	}
	return cattab_insert(t, p, len, word, sh, j);
}

void pb_cattab_free(struct cattab *t)
{
	free(t->slot);
	free(t->e);
	free(t->bytes);
	memset(t, 0, sizeof *t);
}

static int cmp_centry(const void *a, const void *b, void *ctx)
{
	const struct centry *x = a, *y = b;
	const char *bytes = ctx;
	return assay_bytes_cmp(bytes + x->off, x->len, bytes + y->off, y->len);
}

int pb_cattab_sorted(struct cattab *t, struct assay_category_map *m)
{
	qsort_r(t->e, t->n, sizeof *t->e, cmp_centry, t->bytes);
	size_t n = t->n ? t->n : 1;
	m->value = calloc(n, sizeof *m->value);
	m->len = malloc(n * sizeof *m->len);
	m->count = malloc(n * sizeof *m->count);
	if (!m->value || !m->len || !m->count)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		char *s = malloc((size_t)t->e[i].len + 1);
		if (!s)
			return -1;
		memcpy(s, t->bytes + t->e[i].off, t->e[i].len);
		s[t->e[i].len] = '\0';
		m->value[i] = s;
		m->len[i] = t->e[i].len;
		m->count[i] = t->e[i].cnt;
		m->n = i + 1;
	}
	return 0;
}

/* The entries in byte order (the sketches are seeded in it). */
void pb_cattab_sort(struct cattab *t)
{
	qsort_r(t->e, t->n, sizeof *t->e, cmp_centry, t->bytes);
}
