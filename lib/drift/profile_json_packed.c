/* profile_json_packed.c: the packed exact maps of profile JSON, read side
 * (profile_json.c writes them): "kv1:" (IEEE-bit keys, decoded to doubles)
 * and "dk1:" (decimal keys, assay/deckey.h, read straight into a packed
 * map), each base64 (RFC 4648, padded) of varint (key delta, count)
 * pairs; and their lifting out of the text before jansson parses it.
 * Checks as the array form: strictly ascending, counts >= 1 that add up
 * to present, min and max the first and last values.
 *
 * Why hand-written base64 and varints: the maps are most of a profile's
 * bytes (11 MB for 500,000 rows of 10 numeric columns); a table lookup of
 * four digits at once, and a one-byte varint fast path, keep decoding
 * below jansson's cost for the rest of the file.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assay/deckey.h"
#include "profile_internal.h"
#include "profile_json_read.h"

/* base64 digit value + 1; 0 for anything else ('=' included). */
static const unsigned char B64VAL1[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static int b64val(unsigned char ch)
{
	return (int)B64VAL1[ch] - 1;
}

static inline int get_varint(const unsigned char *p, size_t n, size_t *i, uint64_t *out)
{
	if (*i < n && p[*i] < 0x80) { /* one byte: most counts */
		*out = p[(*i)++];
		return 0;
	}
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && *i < n; shift += 7) {
		unsigned char b = p[(*i)++];
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* Largest valid decimal key, and the smallest (assay/deckey.h). */
#define DK_SPAN ((uint32_t)(ASSAY_DECKEY_QMAX - ASSAY_DECKEY_QMIN + 1) * 9000000u)

/* "dk1:" entries -> a packed map m and the counts' sum (the entries'
 * own checks). */
static int decode_deckeys(struct rd *r, const unsigned char *raw, size_t n, struct assay_numeric_map *m,
                          uint64_t *total)
{
	size_t cap = n / 2 + 1, bigcap = 0; /* at least 2 bytes per entry */
	memset(m, 0, sizeof *m);
	m->key = malloc(cap * sizeof *m->key);
	m->kcount = malloc(cap);
	if (!m->key || !m->kcount) {
		prof_map_free(m);
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	uint64_t k64 = 0, sum = 0;
	size_t i = 0, k = 0;
	int rc = 0;
	while (i < n && !rc) {
		uint64_t dk = 0, cn = 0;
		if (get_varint(raw, n, &i, &dk) || get_varint(raw, n, &i, &cn))
			rc = prof_rd_bad(r, "values", "truncated or overlong varint in entry %zu", k);
		else if (k && dk == 0)
			rc = prof_rd_bad(r, "values", "entry %zu: values must be strictly ascending", k);
		else if (dk > UINT32_MAX || (k64 += dk) > UINT32_MAX ||
		         k64 < UINT32_C(0x7fffffff) - (DK_SPAN - 1) || k64 > UINT32_C(0x80000000) + DK_SPAN)
			rc = prof_rd_bad(r, "values", "entry %zu: not a decimal key", k);
		else if (cn == 0)
			rc = prof_rd_bad(r, "values", "entry %zu: count must be at least 1", k);
		else if (__builtin_add_overflow(sum, cn, &sum))
			rc = prof_rd_bad(r, "values", "counts overflow 64 bits");
		else if (cn < 255) /* prof_map_put_count's common case, inline */
			m->kcount[k] = (uint8_t)cn;
		else if (prof_map_put_count(m, &bigcap, k, cn))
			rc = assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		if (rc)
			break;
		m->key[k++] = (uint32_t)k64;
		m->n = k;
	}
	if (rc) {
		prof_map_free(m);
		return rc;
	}
	uint32_t *sk = realloc(m->key, (k ? k : 1) * sizeof *sk);
	m->key = sk ? sk : m->key;
	uint8_t *sc = realloc(m->kcount, k ? k : 1);
	m->kcount = sc ? sc : m->kcount;
	*total = sum;
	return 0;
}

/* Padded base64 s[0, len) (len a multiple of 4) -> raw, which holds
 * len / 4 * 3 bytes; its length, or -1 with r->err set (at offset
 * off + the digit's). */
static long b64_decode(struct rd *r, const char *s, size_t len, size_t off, unsigned char *raw)
{
	size_t n = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len; i += 4) {
		unsigned a0 = B64VAL1[u[i]], a1 = B64VAL1[u[i + 1]], a2 = B64VAL1[u[i + 2]],
		         a3 = B64VAL1[u[i + 3]];
		if (a0 && a1 && a2 && a3) { /* four digits: the fast path */
			uint32_t w = (a0 - 1) << 18 | (a1 - 1) << 12 | (a2 - 1) << 6 | (a3 - 1);
			raw[n++] = (unsigned char)(w >> 16);
			raw[n++] = (unsigned char)(w >> 8);
			raw[n++] = (unsigned char)w;
			continue;
		}
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char ch = u[i + k];
			if (ch == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if ((v[k] = b64val(ch)) < 0) {
				prof_rd_bad(r, "values", "not base64 at offset %zu", off + i + (size_t)k);
				return -1;
			}
		}
		uint32_t w =
		    (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		raw[n++] = (unsigned char)(w >> 16);
		if (pad < 2)
			raw[n++] = (unsigned char)(w >> 8);
		if (pad < 1)
			raw[n++] = (unsigned char)w;
	}
	return (long)n;
}

/* "kv1:" entries -> a map of doubles m and the counts' sum (the
 * entries' own checks). */
static int decode_ieee_keys(struct rd *r, const unsigned char *raw, size_t n, struct assay_numeric_map *m,
                            uint64_t *total)
{
	size_t cap = n / 2 + 1; /* at least 2 bytes per entry */
	memset(m, 0, sizeof *m);
	m->value = malloc(cap * sizeof(double));
	m->count = malloc(cap * sizeof(uint64_t));
	int rc = 0;
	if (!m->value || !m->count) {
		rc = assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	uint64_t key = 0, sum = 0;
	size_t i = 0, k = 0;
	while (i < n) {
		uint64_t dk, cnt;
		if (get_varint(raw, n, &i, &dk) || get_varint(raw, n, &i, &cnt)) {
			rc = prof_rd_bad(r, "values", "truncated or overlong varint in entry %zu", k);
			goto out;
		}
		if (k && dk == 0) {
			rc = prof_rd_bad(r, "values", "entry %zu: values must be strictly ascending", k);
			goto out;
		}
		if (__builtin_add_overflow(key, dk, &key)) {
			rc = prof_rd_bad(r, "values", "entry %zu: key overflows", k);
			goto out;
		}
		double x = prof_dval(key);
		if (!isfinite(x)) {
			rc = prof_rd_bad(r, "values", "entry %zu: not a finite number", k);
			goto out;
		}
		if (k && x == 0 && m->value[k - 1] == 0) {
			rc = prof_rd_bad(r, "values", "entry %zu: values must be strictly ascending", k);
			goto out;
		}
		if (cnt == 0) {
			rc = prof_rd_bad(r, "values", "entry %zu: count must be at least 1", k);
			goto out;
		}
		if (__builtin_add_overflow(sum, cnt, &sum)) {
			rc = prof_rd_bad(r, "values", "counts overflow 64 bits");
			goto out;
		}
		m->value[k] = x == 0 ? 0 : x; /* -0.0 is 0.0 */
		m->count[k++] = cnt;
		m->n = k;
	}
	*total = sum;
out:
	if (rc)
		prof_map_free(m);
	return rc;
}

/* The checks of a decoded map against its column: the counts add up to
 * present, min and max are the first and last values. */
static int check_map(struct rd *r, const struct assay_numeric_map *m, uint64_t sum,
                     const struct assay_column_profile *c)
{
	if (prof_rd_check_total(r, "values", sum, c->present))
		return ASSAY_EINPUT;
	if (!m->n)
		return 0;
	double lo = m->key ? assay_deckey_value(m->key[0]) : m->value[0];
	double hi = m->key ? assay_deckey_value(m->key[m->n - 1]) : m->value[m->n - 1];
	if (c->min != lo || c->max != hi)
		return prof_rd_bad(r, "min", "min and max must be the first and last values");
	return 0;
}

/* A packed string: its prefix and length, then base64, then entries. */
static int decode_packed(struct rd *r, const char *s, size_t len, struct assay_numeric_map *m, uint64_t *sum)
{
	size_t plen = strlen(PROF_PACKED_PREFIX);
	int deckeys = len >= plen && memcmp(s, PROF_DECKEY_PREFIX, plen) == 0;
	if (len < plen || (!deckeys && memcmp(s, PROF_PACKED_PREFIX, plen) != 0) || (len - plen) % 4)
		return prof_rd_bad(r, "values", "expected an array of [value, count] or a \"%s\" string",
		                   PROF_PACKED_PREFIX);
	unsigned char *raw = malloc((len - plen) / 4 * 3 + 1);
	if (!raw)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	long n = b64_decode(r, s + plen, len - plen, plen, raw);
	int rc = n < 0     ? ASSAY_EINPUT
	         : deckeys ? decode_deckeys(r, raw, (size_t)n, m, sum)
	                   : decode_ieee_keys(r, raw, (size_t)n, m, sum);
	free(raw);
	return rc;
}

/* The packed form of "values" (see put_packed_values). */
int prof_read_packed_values(struct rd *r, const json_t *a, struct assay_column_profile *c)
{
	const char *s = json_string_value(a);
	size_t len = json_string_length(a);
	if (len > strlen(LIFT_MARK) && memcmp(s, LIFT_MARK, strlen(LIFT_MARK)) == 0) {
		size_t i = (size_t)strtoull(s + strlen(LIFT_MARK), NULL, 10);
		if (i >= r->nlifted)
			return prof_rd_bad(r, "values",
			                   "expected an array of [value, count] or a \"%s\" string",
			                   PROF_PACKED_PREFIX);
		struct lifted *l = &r->lifted[i];
		if (l->ready) { /* decoded ahead: the map is the column's now */
			l->ready = 0;
			c->num = l->map;
			memset(&l->map, 0, sizeof l->map);
			return check_map(r, &c->num, l->sum, c);
		}
		s = l->p;
		len = l->len;
	}
	uint64_t sum = 0;
	int rc = decode_packed(r, s, len, &c->num, &sum);
	return rc ? rc : check_map(r, &c->num, sum, c);
}

/* Decoding ahead (profile_json_read.h). One string: its checks here
 * are those of prof_read_packed_values up to the column's; an error
 * leaves it not ready, and its message is made again by the read. */
static void predecode_one(struct lifted *l)
{
	struct assay_error e;
	assay_error_clear(&e);
	struct rd r = {"", &e, "", NULL, 0};
	l->ready = decode_packed(&r, l->p, l->len, &l->map, &l->sum) == 0;
}

struct predecode {
	struct lifted *l;
	size_t n;
	atomic_size_t next;
	pthread_t th;
	int threaded;
};

static void *predecode_work(void *arg)
{
	struct predecode *pd = arg;
	for (size_t i; (i = atomic_fetch_add(&pd->next, 1)) < pd->n;)
		predecode_one(&pd->l[i]);
	return NULL;
}

/* Below 4 MiB of strings a thread costs more than it saves. */
#define PREDECODE_MIN ((size_t)4 << 20)

struct predecode *prof_predecode_start(struct lifted *l, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += l[i].len;
	if (n < 2 || bytes < PREDECODE_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return NULL;
	struct predecode *pd = calloc(1, sizeof *pd);
	if (!pd)
		return NULL;
	pd->l = l;
	pd->n = n;
	atomic_init(&pd->next, 0);
	pd->threaded = pthread_create(&pd->th, NULL, predecode_work, pd) == 0;
	return pd;
}

void prof_predecode_finish(struct predecode *pd)
{
	if (!pd)
		return;
	predecode_work(pd);
	if (pd->threaded)
		pthread_join(pd->th, NULL);
	free(pd);
}

void prof_lifted_free(struct lifted *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		if (l[i].ready)
			prof_map_free(&l[i].map);
	free(l);
}

/* Packed value maps are most of a profile's bytes (36 MB for 500,000 rows
 * of 10 numeric columns), and jansson reads a string a byte at a time with
 * a copy: 64% of reading a profile. So each `"values":"kv1:...` (or dk1:) string of
 * base64 (which cannot hold a quote or a backslash, so its end is the next
 * quote) is replaced in a copy of the text by a short placeholder
 * "kv1@<index>", and decoded straight from the caller's buffer. Lines are
 * unchanged (base64 holds no line break); a JSON syntax error's column on
 * such a line counts the shortened text. Nothing is lifted from a text
 * that already holds the placeholder's prefix (looked for in the text
 * between the strings, and in a string only when it holds an '@': one
 * pass over the 11 MB of a 1M-row profile less). Returns the text to parse
 * (buf itself when nothing was lifted) or NULL when out of memory. */
static int has_mark(const char *p, size_t n)
{
	return memmem(p, n, LIFT_MARK, strlen(LIFT_MARK)) != NULL;
}

char *prof_lift_packed(const char *buf, size_t len, size_t *outlen, struct lifted **out, size_t *nout)
{
	static const char KEY[] = "\"values\":\"";
	const size_t klen = sizeof KEY - 1, plen = strlen(PROF_PACKED_PREFIX);
	*out = NULL;
	*nout = 0;
	*outlen = len;
	size_t cap = 0, n = 0, w = 0;
	struct lifted *l = NULL;
	char *text = NULL;
	const char *at = buf, *end = buf + len, *copied = buf;
	while ((at = memmem(at, (size_t)(end - at), KEY, klen)) != NULL) {
		const char *s = at + klen, *q = memchr(s, '"', (size_t)(end - s));
		if (!q)
			break;
		if (q - s < (ptrdiff_t)plen ||
		    (memcmp(s, PROF_PACKED_PREFIX, plen) != 0 && memcmp(s, PROF_DECKEY_PREFIX, plen) != 0)) {
			at = q;
			continue;
		}
		if (memchr(s, '\\', (size_t)(q - s)) || q - s < 64) {
			at = q;
			continue;
		}
		/* the placeholder's prefix in the text before this string, or in
		 * it (base64 has no '@'; a mark cannot straddle the quotes) */
		if (has_mark(copied, (size_t)(s - copied)) ||
		    (memchr(s, '@', (size_t)(q - s)) && has_mark(s, (size_t)(q - s))))
			goto unlifted;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			struct lifted *nl = realloc(l, cap * sizeof *nl);
			if (!nl)
				goto oom;
			l = nl;
		}
		if (!text && !(text = malloc(len + 1)))
			goto oom;
		memcpy(text + w, copied, (size_t)(s - copied));
		w += (size_t)(s - copied);
		w += (size_t)snprintf(text + w, 32, LIFT_MARK "%zu", n);
		l[n++] = (struct lifted){.p = s, .len = (size_t)(q - s)};
		copied = at = q;
	}
	if (!text || has_mark(copied, (size_t)(end - copied)))
		goto unlifted;
	memcpy(text + w, copied, (size_t)(end - copied));
	w += (size_t)(end - copied);
	*outlen = w;
	*out = l;
	*nout = n;
	return text;
unlifted: /* nothing to lift, or the text holds the mark: parsed as it is */
	free(l);
	free(text);
	return (char *)buf;
oom:
	free(l);
	free(text);
	return NULL;
}
