/* profile_json.c: profiles as JSON, schema "assay.profile/1"
 * (docs/profiles.md lists every field).
 *
 * Writing builds a jansson tree and prints it with assay_json_write
 * (shortest round-trip doubles, keys in insertion order), so equal
 * profiles are equal bytes. Sketches are written losslessly: KLL levels
 * and coin counter, HLL registers as hex, Misra-Gries counters and offset.
 * Fields marked derived (distinct, top, summary, quantiles) are
 * recomputed on reading, never trusted.
 *
 * Reading validates everything a consumer relies on and says where the
 * problem is: jansson's line:column for syntax errors, the JSON path
 * (columns[3].values[2]) for the rest. Invariants checked: counts add up
 * (present + missing = rows, map counts sum to present), maps strictly
 * sorted and within the cap, finite values, min/max agree with the map,
 * sketches well formed (sum of KLL level weights = n). A file that passes
 * can be merged, rendered and compared without further checks.
 *
 * Does not: read other schema versions, or stream (profiles are small).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hll.h"
#include "assay/json.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/topk.h"
#include "assay/version.h"
#include "profile_internal.h"

/* ---- writing ---------------------------------------------------------- */

static json_t *jreal(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

static json_t *jcount(uint64_t n)
{
	return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

static json_t *pair_str(const char *s, size_t len, uint64_t c)
{
	return json_pack("[s%I]", s, len, (json_int_t)(c > (uint64_t)INT64_MAX ? INT64_MAX : c));
}

static json_t *kll_json(const struct assay_kll *k)
{
	json_t *levels = json_array();
	for (size_t h = 0; h < assay_kll_nlevels(k); h++) {
		size_t len;
		const double *v = assay_kll_level(k, h, &len);
		json_t *a = json_array();
		for (size_t i = 0; i < len; i++)
			json_array_append_new(a, json_real(v[i]));
		json_array_append_new(levels, a);
	}
	json_t *o = json_object();
	json_object_set_new(o, "k", json_integer(assay_kll_k(k)));
	json_object_set_new(o, "n", jcount(assay_kll_n(k)));
	json_object_set_new(o, "min", jreal(assay_kll_min(k)));
	json_object_set_new(o, "max", jreal(assay_kll_max(k)));
	json_object_set_new(o, "coin", jcount(assay_kll_coin(k)));
	json_object_set_new(o, "levels", levels);
	return o;
}

static json_t *hll_json(const struct assay_hll *h)
{
	static const char hex[] = "0123456789abcdef";
	char buf[2 * ASSAY_HLL_M + 1];
	const uint8_t *r = assay_hll_registers(h);
	for (size_t j = 0; j < ASSAY_HLL_M; j++) {
		buf[2 * j] = hex[r[j] >> 4];
		buf[2 * j + 1] = hex[r[j] & 15];
	}
	buf[2 * ASSAY_HLL_M] = '\0';
	return json_pack("{s:i, s:s}", "lg_k", ASSAY_HLL_LG_K, "registers", buf);
}

static json_t *mg_json(struct assay_topk *t)
{
	json_t *items = json_array();
	for (size_t i = 0; i < assay_topk_size(t); i++) {
		uint32_t len;
		const char *v = assay_topk_value(t, i, &len);
		json_array_append_new(items, pair_str(v, len, assay_topk_count(t, i)));
	}
	json_t *o = json_object();
	json_object_set_new(o, "counters", jcount(assay_topk_counters(t)));
	json_object_set_new(o, "offset", jcount(assay_topk_offset(t)));
	json_object_set_new(o, "items", items);
	return o;
}

static json_t *column_json(const struct assay_column_profile *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "type", json_string(assay_column_type_name(c->type)));
	json_object_set_new(o, "rows", jcount(c->rows));
	json_object_set_new(o, "present", jcount(c->present));
	json_t *m = json_object();
	json_object_set_new(m, "empty", jcount(c->missing_empty));
	json_object_set_new(m, "na", jcount(c->missing_na));
	json_object_set_new(m, "nan", jcount(c->missing_nan));
	json_object_set_new(m, "inf", jcount(c->missing_inf));
	json_object_set_new(o, "missing", m);
	json_object_set_new(o, "distinct", jcount(c->distinct));
	json_object_set_new(o, "exact", json_boolean(c->exact));
	if (c->type == ASSAY_COL_NUMERIC) {
		json_object_set_new(o, "min", jreal(c->min));
		json_object_set_new(o, "max", jreal(c->max));
		json_t *mo = json_object();
		json_object_set_new(mo, "n", jcount(c->moments.n));
		json_object_set_new(mo, "mean", jreal(c->moments.mean));
		json_object_set_new(mo, "m2", jreal(c->moments.m2));
		json_object_set_new(mo, "m3", jreal(c->moments.m3));
		json_object_set_new(mo, "m4", jreal(c->moments.m4));
		json_object_set_new(o, "moments", mo);
		json_t *s = json_object();
		json_object_set_new(s, "mean", jreal(assay_column_mean(c)));
		json_object_set_new(s, "std", jreal(assay_column_std(c)));
		json_object_set_new(s, "skewness", jreal(assay_moments_skewness(&c->moments)));
		json_object_set_new(s, "kurtosis", jreal(assay_moments_kurtosis(&c->moments)));
		static const double qs[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
		static const char *const qn[] = {"p01", "p05", "p25", "p50", "p75", "p95", "p99"};
		for (size_t i = 0; i < sizeof qs / sizeof *qs; i++)
			json_object_set_new(s, qn[i], jreal(assay_column_quantile(c, qs[i])));
		json_object_set_new(o, "summary", s);
		if (!c->exact && c->kll) {
			json_object_set_new(o, "kll", kll_json(c->kll));
		}
	} else if (c->type == ASSAY_COL_CATEGORICAL) {
		json_t *t = json_array();
		for (size_t i = 0; i < c->ntop; i++)
			json_array_append_new(t, pair_str(c->top_value[i], c->top_len[i], c->top_count[i]));
		json_object_set_new(o, "top", t);
		if (!c->exact && c->mg) {
			json_object_set_new(o, "misra_gries", mg_json(c->mg));
		}
	}
	if (!c->exact && c->hll)
		json_object_set_new(o, "hll", hll_json(c->hll));
	return o;
}

static void put_u64(uint64_t v, FILE *out)
{
	char b[24];
	size_t i = sizeof b;
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(b + i, 1, sizeof b - i, out);
}

/* ---- packed numeric maps (docs/profiles.md, "values") ------------------
 * The map as one string: "kv1:" then base64 (RFC 4648, padded) of, per
 * entry, LEB128(key_i - key_{i-1}) LEB128(count_i), key_{-1} = 0, where
 * key is the order-preserving image of the IEEE-754 bits (x >= 0: bits |
 * 2^63; x < 0: ~bits), so ascending values have ascending keys and small
 * deltas. About 8 bytes per entry on six-digit data, against 13 for the
 * "[value,count]" array, and read as one jansson string instead of three
 * nodes per entry (1M-row bench: 4.3 s -> see bench/README.md). */
#define PACKED_PREFIX "kv1:"

static uint64_t dkey(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	return b >> 63 ? ~b : b | (UINT64_C(1) << 63);
}

static double dval(uint64_t k)
{
	uint64_t b = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	double x;
	memcpy(&x, &b, sizeof x);
	return x;
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_packed_values(const struct assay_numeric_map *m, FILE *out)
{
	size_t cap = m->n * 20 + 8;
	unsigned char *raw = malloc(cap);
	char *enc = malloc(cap / 3 * 4 + 8);
	if (!raw || !enc) {
		free(raw);
		free(enc);
		return -1;
	}
	size_t n = 0;
	uint64_t prev = 0;
	for (size_t i = 0; i < m->n; i++) {
		uint64_t k = dkey(m->value[i]);
		n += put_varint(raw + n, k - prev);
		n += put_varint(raw + n, m->count[i]);
		prev = k;
	}
	size_t e = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
		enc[e++] = B64[v >> 18];
		enc[e++] = B64[(v >> 12) & 63];
		enc[e++] = B64[(v >> 6) & 63];
		enc[e++] = B64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)raw[i] << 16 | (i + 1 < n ? (uint32_t)raw[i + 1] << 8 : 0);
		enc[e++] = B64[v >> 18];
		enc[e++] = B64[(v >> 12) & 63];
		enc[e++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		enc[e++] = '=';
	}
	int rc = fputs(PACKED_PREFIX, out) < 0 || fwrite(enc, 1, e, out) != e;
	free(raw);
	free(enc);
	return rc ? -1 : 0;
}

/* One column on one line. The exact maps (the bulk of a profile) are
 * streamed as the object's last member instead of built as a tree: the
 * same bytes as assay_json_write would print, without a node per value. */
static int write_column(const struct assay_column_profile *c, FILE *out)
{
	json_t *o = column_json(c);
	if (!o)
		return -1;
	char *head = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&head, &n);
	int rc = !m || assay_json_write(o, m, 0);
	if (m)
		rc |= fclose(m) != 0;
	json_decref(o);
	if (rc || n < 2) {
		free(head);
		return -1;
	}
	int has_map = c->exact && (c->type == ASSAY_COL_NUMERIC || c->type == ASSAY_COL_CATEGORICAL);
	fwrite(head, 1, has_map ? n - 1 : n, out); /* without the closing brace */
	free(head);
	if (!has_map)
		return 0;
	if (c->type == ASSAY_COL_NUMERIC) {
		fputs(",\"values\":\"", out);
		if (put_packed_values(&c->num, out))
			return -1;
		fputs("\"}", out);
		return 0;
	} else {
		fputs(",\"categories\":[", out);
		for (size_t i = 0; i < c->cat.n; i++) {
			fputs(i ? ",[" : "[", out);
			assay_json_write_string(c->cat.value[i], c->cat.len[i], out);
			putc(',', out);
			put_u64(c->cat.count[i], out);
			putc(']', out);
		}
	}
	fputs("]}", out);
	return 0;
}

int assay_profile_write_json(const struct assay_profile *p, FILE *out, struct assay_error *err)
{
	json_t *root = json_object();
	json_object_set_new(root, "schema", json_string(ASSAY_PROFILE_SCHEMA));
	json_object_set_new(root, "tool",
	                    json_pack("{s:s, s:s}", "name", "assay", "version", assay_version()));
	json_t *in = json_array();
	for (size_t i = 0; i < p->ninputs; i++)
		json_array_append_new(in,
		                      json_pack("{s:s, s:s, s:I}", "path", p->inputs[i].path, "sha256",
		                                p->inputs[i].sha256, "rows", (json_int_t)p->inputs[i].rows));
	json_object_set_new(root, "inputs", in);
	json_object_set_new(root, "parameters",
	                    json_pack("{s:I, s:I, s:i, s:i, s:i}", "cap", (json_int_t)p->cap, "topk",
	                              (json_int_t)p->topk, "kll_k", ASSAY_KLL_DEFAULT_K, "hll_lg_k",
	                              ASSAY_HLL_LG_K, "misra_gries_factor", ASSAY_PROFILE_MG_FACTOR));
	json_object_set_new(root, "rows", jcount(p->rows));
	/* Layout: the header keys, then one column per line (diff- and
	 * grep-friendly, and compact: a value map is one line, not 4 per entry). */
	int rc = fputs("{", out) < 0;
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		rc |= fprintf(out, "\"%s\":", key) < 0;
		rc |= assay_json_write(v, out, 0);
		rc |= fputs(",\n", out) < 0;
	}
	json_decref(root);
	rc |= fputs("\"columns\":[\n", out) < 0;
	for (size_t i = 0; i < p->ncolumns && !rc; i++) {
		rc |= write_column(&p->columns[i], out);
		rc |= fputs(i + 1 < p->ncolumns ? ",\n" : "\n", out) < 0;
	}
	rc |= fputs("]}\n", out) < 0;
	if (rc || fflush(out) || ferror(out))
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the profile");
	return 0;
}

/* ---- reading ---------------------------------------------------------- */

struct rd {
	const char *name;
	struct assay_error *err;
	char path[160]; /* JSON path of the object being read, for messages */
};

static const char *kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

__attribute__((format(printf, 3, 4))) static int bad(struct rd *r, const char *key, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	assay_error_set(r->err, ASSAY_EINPUT, r->name, 0, 0, "%s%s%s: %s", r->path,
	                *r->path && key ? "." : "", key ? key : "", msg);
	assay_error_hint(r->err, "is this a profile written by `assay profile`? (schema %s)",
	                 ASSAY_PROFILE_SCHEMA);
	return ASSAY_EINPUT;
}

static int get(struct rd *r, const json_t *o, const char *key, json_t **v)
{
	*v = json_object_get(o, key);
	return *v ? 0 : bad(r, key, "missing");
}

static int as_u64(struct rd *r, const char *key, const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(r, key, "expected a non-negative integer, found %s", kind(v));
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_u64(struct rd *r, const json_t *o, const char *key, uint64_t *out)
{
	json_t *v;
	return get(r, o, key, &v) ? ASSAY_EINPUT : as_u64(r, key, v, out);
}

/* A number; null reads as NaN when allowed. */
static int as_num(struct rd *r, const char *key, const json_t *v, double *out, int allow_null)
{
	if (allow_null && json_is_null(v)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(v))
		return bad(r, key, "expected a number, found %s", kind(v));
	*out = json_number_value(v);
	return 0;
}

static int get_num(struct rd *r, const json_t *o, const char *key, double *out, int allow_null)
{
	json_t *v;
	return get(r, o, key, &v) ? ASSAY_EINPUT : as_num(r, key, v, out, allow_null);
}

static int get_array(struct rd *r, const json_t *o, const char *key, json_t **v)
{
	if (get(r, o, key, v))
		return ASSAY_EINPUT;
	return json_is_array(*v) ? 0 : bad(r, key, "expected an array, found %s", kind(*v));
}

static int get_object(struct rd *r, const json_t *o, const char *key, json_t **v)
{
	if (get(r, o, key, v))
		return ASSAY_EINPUT;
	return json_is_object(*v) ? 0 : bad(r, key, "expected an object, found %s", kind(*v));
}

/* A [value, count] pair; count >= 1. */
static int pair(struct rd *r, const char *key, size_t i, const json_t *v, json_t **first, uint64_t *count)
{
	char k[64];
	snprintf(k, sizeof k, "%s[%zu]", key, i);
	if (!json_is_array(v) || json_array_size(v) != 2)
		return bad(r, k, "expected a [value, count] pair, found %s", kind(v));
	*first = json_array_get(v, 0);
	if (as_u64(r, k, json_array_get(v, 1), count))
		return ASSAY_EINPUT;
	return *count ? 0 : bad(r, k, "a count of 0");
}

static int add_checked(struct rd *r, const char *key, uint64_t *sum, uint64_t c)
{
	return __builtin_add_overflow(*sum, c, sum) ? bad(r, key, "counts overflow 64 bits") : 0;
}

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

/* The packed form of "values" (see put_packed_values). */
static int read_packed_values(struct rd *r, const json_t *a, struct assay_column_profile *c)
{
	const char *s = json_string_value(a);
	size_t len = json_string_length(a), plen = strlen(PACKED_PREFIX);
	if (len < plen || memcmp(s, PACKED_PREFIX, plen) != 0 || (len - plen) % 4)
		return bad(r, "values", "expected an array of [value, count] or a \"%s\" string",
		           PACKED_PREFIX);
	s += plen;
	len -= plen;
	unsigned char *raw = malloc(len / 4 * 3 + 1);
	if (!raw)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
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
				free(raw);
				return bad(r, "values", "not base64 at offset %zu", plen + i + (size_t)k);
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
	size_t cap = n / 2 + 1; /* at least 2 bytes per entry */
	c->num.value = malloc(cap * sizeof(double));
	c->num.count = malloc(cap * sizeof(uint64_t));
	if (!c->num.value || !c->num.count) {
		free(raw);
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	uint64_t key = 0, sum = 0;
	size_t i = 0, k = 0;
	int rc = 0;
	while (i < n && !rc) {
		uint64_t dk, cnt;
		if (get_varint(raw, n, &i, &dk) || get_varint(raw, n, &i, &cnt)) {
			rc = bad(r, "values", "truncated or overlong varint in entry %zu", k);
			break;
		}
		if (k && dk == 0) {
			rc = bad(r, "values", "entry %zu: values must be strictly ascending", k);
			break;
		}
		if (__builtin_add_overflow(key, dk, &key)) {
			rc = bad(r, "values", "entry %zu: key overflows", k);
			break;
		}
		double x = dval(key);
		if (!isfinite(x))
			rc = bad(r, "values", "entry %zu: not a finite number", k);
		else if (k && x == 0 && c->num.value[k - 1] == 0)
			rc = bad(r, "values", "entry %zu: values must be strictly ascending", k);
		else if (cnt == 0)
			rc = bad(r, "values", "entry %zu: count must be at least 1", k);
		else if (__builtin_add_overflow(sum, cnt, &sum))
			rc = bad(r, "values", "counts overflow 64 bits");
		if (rc)
			break;
		c->num.value[k] = x == 0 ? 0 : x; /* -0.0 is 0.0 */
		c->num.count[k++] = cnt;
		c->num.n = k;
	}
	free(raw);
	if (rc)
		return rc;
	if (sum != c->present)
		return bad(r, "values", "counts add up to %llu, but present is %llu", (unsigned long long)sum,
		           (unsigned long long)c->present);
	if (k && (c->min != c->num.value[0] || c->max != c->num.value[k - 1]))
		return bad(r, "min", "min and max must be the first and last values");
	return 0;
}

static int read_values(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *a, *v;
	if ((a = json_object_get(o, "values")) && json_is_string(a))
		return read_packed_values(r, a, c);
	if (get_array(r, o, "values", &a))
		return ASSAY_EINPUT;
	size_t n = json_array_size(a);
	c->num.value = malloc((n ? n : 1) * sizeof(double));
	c->num.count = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!c->num.value || !c->num.count)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		char k[64];
		snprintf(k, sizeof k, "values[%zu]", i);
		if (pair(r, "values", i, json_array_get(a, i), &v, &c->num.count[i]) ||
		    as_num(r, k, v, &c->num.value[i], 0) || add_checked(r, k, &sum, c->num.count[i]))
			return ASSAY_EINPUT;
		c->num.n = i + 1;
		if (!isfinite(c->num.value[i]))
			return bad(r, k, "not a finite number");
		if (i && !(c->num.value[i - 1] < c->num.value[i]))
			return bad(r, k, "values must be strictly ascending");
		if (c->num.value[i] == 0)
			c->num.value[i] = 0; /* -0.0 */
	}
	if (sum != c->present)
		return bad(r, "values", "counts add up to %llu, but present is %llu", (unsigned long long)sum,
		           (unsigned long long)c->present);
	if (n && (c->min != c->num.value[0] || c->max != c->num.value[n - 1]))
		return bad(r, "min", "min and max must be the first and last values");
	return 0;
}

static int as_str(struct rd *r, const char *key, const json_t *v, char **s, uint32_t *len)
{
	if (!json_is_string(v))
		return bad(r, key, "expected a string, found %s", kind(v));
	size_t n = json_string_length(v);
	if (n > UINT32_MAX)
		return bad(r, key, "string too long");
	*s = malloc(n + 1);
	if (!*s)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	memcpy(*s, json_string_value(v), n);
	(*s)[n] = '\0';
	*len = (uint32_t)n;
	return 0;
}

static int read_categories(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *a, *v;
	if (get_array(r, o, "categories", &a))
		return ASSAY_EINPUT;
	size_t n = json_array_size(a);
	c->cat.value = calloc(n ? n : 1, sizeof(char *));
	c->cat.len = malloc((n ? n : 1) * sizeof(uint32_t));
	c->cat.count = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!c->cat.value || !c->cat.len || !c->cat.count)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		char k[64];
		snprintf(k, sizeof k, "categories[%zu]", i);
		uint64_t cnt;
		if (pair(r, "categories", i, json_array_get(a, i), &v, &cnt) ||
		    as_str(r, k, v, &c->cat.value[i], &c->cat.len[i]))
			return ASSAY_EINPUT;
		c->cat.count[i] = cnt;
		c->cat.n = i + 1;
		if (add_checked(r, k, &sum, cnt))
			return ASSAY_EINPUT;
		if (i && assay_bytes_cmp(c->cat.value[i - 1], c->cat.len[i - 1], c->cat.value[i],
		                         c->cat.len[i]) >= 0)
			return bad(r, k, "categories must be strictly ascending (bytewise)");
	}
	if (sum != c->present)
		return bad(r, "categories", "counts add up to %llu, but present is %llu",
		           (unsigned long long)sum, (unsigned long long)c->present);
	return 0;
}

static int read_kll(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *k, *levels;
	uint64_t kk, n, coin;
	double mn, mx;
	if (get_object(r, o, "kll", &k))
		return ASSAY_EINPUT;
	if (get_u64(r, k, "k", &kk) || get_u64(r, k, "n", &n) || get_u64(r, k, "coin", &coin) ||
	    get_num(r, k, "min", &mn, 1) || get_num(r, k, "max", &mx, 1) ||
	    get_array(r, k, "levels", &levels))
		return ASSAY_EINPUT;
	size_t nl = json_array_size(levels);
	if (nl == 0 || nl >= ASSAY_KLL_MAX_LEVELS)
		return bad(r, "kll.levels", "expected 1 to %d levels, found %zu", ASSAY_KLL_MAX_LEVELS - 1,
		           nl);
	if (kk < ASSAY_KLL_MIN_K || kk > ASSAY_KLL_MAX_K)
		return bad(r, "kll.k", "k must be between %d and %d", ASSAY_KLL_MIN_K, ASSAY_KLL_MAX_K);
	double *items[ASSAY_KLL_MAX_LEVELS] = {0};
	size_t len[ASSAY_KLL_MAX_LEVELS] = {0};
	int rc = 0;
	for (size_t h = 0; h < nl && !rc; h++) {
		json_t *a = json_array_get(levels, h);
		char key[64];
		snprintf(key, sizeof key, "kll.levels[%zu]", h);
		if (!json_is_array(a)) {
			rc = bad(r, key, "expected an array, found %s", kind(a));
			break;
		}
		len[h] = json_array_size(a);
		items[h] = malloc((len[h] ? len[h] : 1) * sizeof(double));
		if (!items[h]) {
			rc = assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			break;
		}
		for (size_t i = 0; i < len[h] && !rc; i++)
			rc = as_num(r, key, json_array_get(a, i), &items[h][i], 0);
	}
	if (!rc) {
		c->kll =
		    assay_kll_restore((uint32_t)kk, n, mn, mx, coin, nl, (const double *const *)items, len);
		if (!c->kll)
			rc = bad(r, "kll",
			         "not a KLL sketch: items must be finite, within [min, max], and their "
			         "weights (2^level) must add up to n");
		else if (n != c->present || (n && (mn != c->min || mx != c->max)))
			rc = bad(r, "kll", "n, min and max must match the column's present, min and max");
	}
	for (size_t h = 0; h < nl; h++)
		free(items[h]);
	return rc;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_hll(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *h, *regs;
	uint64_t lg;
	if (get_object(r, o, "hll", &h) || get_u64(r, h, "lg_k", &lg) || get(r, h, "registers", &regs))
		return ASSAY_EINPUT;
	if (lg != ASSAY_HLL_LG_K)
		return bad(r, "hll.lg_k", "expected %d, found %llu", ASSAY_HLL_LG_K, (unsigned long long)lg);
	if (!json_is_string(regs) || json_string_length(regs) != 2 * ASSAY_HLL_M)
		return bad(r, "hll.registers", "expected %u hex digits", 2 * ASSAY_HLL_M);
	const char *s = json_string_value(regs);
	uint8_t reg[ASSAY_HLL_M];
	for (size_t j = 0; j < ASSAY_HLL_M; j++) {
		int a = hexval(s[2 * j]), b = hexval(s[2 * j + 1]);
		if (a < 0 || b < 0)
			return bad(r, "hll.registers", "not a hex digit at offset %zu", 2 * j);
		reg[j] = (uint8_t)(a * 16 + b);
	}
	if (!(c->hll = assay_hll_restore(reg)))
		return bad(r, "hll.registers", "a register exceeds %d", 64 - ASSAY_HLL_LG_K + 1);
	return 0;
}

static int read_mg(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *m, *items, *v;
	uint64_t counters, offset;
	if (get_object(r, o, "misra_gries", &m) || get_u64(r, m, "counters", &counters) ||
	    get_u64(r, m, "offset", &offset) || get_array(r, m, "items", &items))
		return ASSAY_EINPUT;
	size_t n = json_array_size(items);
	if (counters == 0 || counters > (1u << 24) || n > counters)
		return bad(r, "misra_gries", "expected 1 to %u counters and at most that many items",
		           1u << 24);
	char **val = calloc(n ? n : 1, sizeof *val);
	uint32_t *len = calloc(n ? n : 1, sizeof *len);
	uint64_t *cnt = calloc(n ? n : 1, sizeof *cnt);
	int rc =
	    !val || !len || !cnt ? assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory") : 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char k[80];
		snprintf(k, sizeof k, "misra_gries.items[%zu]", i);
		rc = pair(r, "misra_gries.items", i, json_array_get(items, i), &v, &cnt[i]);
		if (!rc)
			rc = as_str(r, k, v, &val[i], &len[i]);
	}
	if (!rc && !(c->mg = assay_topk_restore(counters, offset, n, (const char *const *)val, len, cnt)))
		rc = bad(r, "misra_gries.items", "a value repeats");
	for (size_t i = 0; i < n && val; i++)
		free(val[i]);
	free(val);
	free(len);
	free(cnt);
	return rc;
}

static int read_column(struct rd *r, const json_t *o, uint64_t rows, uint64_t cap, size_t topk,
                       struct assay_column_profile *c)
{
	json_t *v, *miss;
	c->min = c->max = NAN;
	if (!json_is_object(o))
		return bad(r, NULL, "expected an object, found %s", kind(o));
	if (get(r, o, "name", &v))
		return ASSAY_EINPUT;
	uint32_t len;
	if (as_str(r, "name", v, &c->name, &len))
		return ASSAY_EINPUT;
	if (get(r, o, "type", &v))
		return ASSAY_EINPUT;
	const char *t = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(t, "numeric") == 0)
		c->type = ASSAY_COL_NUMERIC;
	else if (strcmp(t, "categorical") == 0)
		c->type = ASSAY_COL_CATEGORICAL;
	else if (strcmp(t, "empty") == 0)
		c->type = ASSAY_COL_EMPTY;
	else
		return bad(r, "type", "expected \"numeric\", \"categorical\" or \"empty\"");
	if (get_u64(r, o, "rows", &c->rows) || get_u64(r, o, "present", &c->present) ||
	    get_object(r, o, "missing", &miss) || get_u64(r, miss, "empty", &c->missing_empty) ||
	    get_u64(r, miss, "na", &c->missing_na) || get_u64(r, miss, "nan", &c->missing_nan) ||
	    get_u64(r, miss, "inf", &c->missing_inf) || get(r, o, "exact", &v))
		return ASSAY_EINPUT;
	if (!json_is_boolean(v))
		return bad(r, "exact", "expected true or false, found %s", kind(v));
	c->exact = json_is_true(v);
	uint64_t sum = c->present;
	if (add_checked(r, "missing", &sum, c->missing_empty) ||
	    add_checked(r, "missing", &sum, c->missing_na) ||
	    add_checked(r, "missing", &sum, c->missing_nan) ||
	    add_checked(r, "missing", &sum, c->missing_inf))
		return ASSAY_EINPUT;
	if (c->rows != rows || sum != rows)
		return bad(r, "rows", "present + missing must equal rows (%llu), found %llu and %llu",
		           (unsigned long long)rows, (unsigned long long)sum, (unsigned long long)c->rows);
	if ((c->type == ASSAY_COL_EMPTY) != (c->present == 0))
		return bad(r, "type", "a column is \"empty\" exactly when nothing is present");
	if (c->type == ASSAY_COL_EMPTY) {
		if (!c->exact)
			return bad(r, "exact", "an empty column is exact");
		return prof_column_finish(c, topk)
		           ? assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory")
		           : 0;
	}
	int rc;
	if (c->type == ASSAY_COL_NUMERIC) {
		json_t *mo;
		if (get_num(r, o, "min", &c->min, 0) || get_num(r, o, "max", &c->max, 0) ||
		    get_object(r, o, "moments", &mo) || get_u64(r, mo, "n", &c->moments.n) ||
		    get_num(r, mo, "mean", &c->moments.mean, 1) || get_num(r, mo, "m2", &c->moments.m2, 1) ||
		    get_num(r, mo, "m3", &c->moments.m3, 1) || get_num(r, mo, "m4", &c->moments.m4, 1))
			return ASSAY_EINPUT;
		if (!(c->min <= c->max) || !isfinite(c->min) || !isfinite(c->max))
			return bad(r, "min", "min and max must be finite with min <= max");
		if (c->moments.n != c->present)
			return bad(r, "moments.n", "must equal present (%llu)",
			           (unsigned long long)c->present);
		rc = c->exact ? read_values(r, o, c) : read_kll(r, o, c) || read_hll(r, o, c);
		if (!rc && c->exact && c->num.n > cap)
			rc = bad(r, "values", "%zu values, more than the cap %llu", c->num.n,
			         (unsigned long long)cap);
		if (!rc && c->exact)
			assay_moments_from_map(&c->moments, c->num.value, c->num.count, c->num.n);
	} else {
		rc = c->exact ? read_categories(r, o, c) : read_mg(r, o, c) || read_hll(r, o, c);
		if (!rc && c->exact && c->cat.n > cap)
			rc = bad(r, "categories", "%zu categories, more than the cap %llu", c->cat.n,
			         (unsigned long long)cap);
	}
	if (rc)
		return r->err->code ? r->err->code : ASSAY_EINPUT;
	return prof_column_finish(c, topk)
	           ? assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory")
	           : 0;
}

static int read_root(struct rd *r, const json_t *root, struct assay_profile **out)
{
	json_t *v, *params, *cols, *inputs;
	if (!json_is_object(root))
		return bad(r, NULL, "expected a JSON object (an %s profile), found %s", ASSAY_PROFILE_SCHEMA,
		           kind(root));
	v = json_object_get(root, "schema");
	if (!json_is_string(v) || strcmp(json_string_value(v), ASSAY_PROFILE_SCHEMA) != 0) {
		char found[80];
		snprintf(found, sizeof found, "%s%.60s%s", json_is_string(v) ? "\"" : "",
		         !v                  ? "no schema"
		         : json_is_string(v) ? json_string_value(v)
		                             : kind(v),
		         json_is_string(v) ? "\"" : "");
		return bad(r, "schema", "expected \"%s\", found %s", ASSAY_PROFILE_SCHEMA, found);
	}
	uint64_t rows, cap, topk;
	if (get_u64(r, root, "rows", &rows) || get_object(r, root, "parameters", &params) ||
	    get_u64(r, params, "cap", &cap) || get_u64(r, params, "topk", &topk) ||
	    get_array(r, root, "inputs", &inputs) || get_array(r, root, "columns", &cols))
		return ASSAY_EINPUT;
	if (cap == 0 || topk > 100000)
		return bad(r, "parameters", "cap must be at least 1 and topk at most 100000");
	size_t n = json_array_size(cols);
	struct assay_profile *p = prof_new(n);
	if (!p)
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	*out = p;
	p->rows = rows;
	p->cap = cap;
	p->topk = (size_t)topk;
	size_t ni = json_array_size(inputs);
	if (!(p->inputs = calloc(ni ? ni : 1, sizeof *p->inputs)))
		return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < ni; i++) {
		json_t *in = json_array_get(inputs, i), *path, *sha;
		snprintf(r->path, sizeof r->path, "inputs[%zu]", i);
		if (!json_is_object(in))
			return bad(r, NULL, "expected an object, found %s", kind(in));
		uint32_t len;
		if (get(r, in, "path", &path) || get(r, in, "sha256", &sha) ||
		    get_u64(r, in, "rows", &p->inputs[i].rows) ||
		    as_str(r, "path", path, &p->inputs[i].path, &len))
			return ASSAY_EINPUT;
		p->ninputs = i + 1;
		if (!json_is_string(sha) || json_string_length(sha) > 64)
			return bad(r, "sha256", "expected 64 hex digits");
		memcpy(p->inputs[i].sha256, json_string_value(sha), json_string_length(sha) + 1);
	}
	if (ni == 1) {
		free(p->source_path);
		if (!(p->source_path = strdup(p->inputs[0].path)))
			return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		memcpy(p->sha256, p->inputs[0].sha256, sizeof p->sha256);
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(r->path, sizeof r->path, "columns[%zu]", i);
		int rc = read_column(r, json_array_get(cols, i), rows, cap, (size_t)topk, &p->columns[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int assay_profile_read_json_buffer(const char *name, const char *buf, size_t len, struct assay_profile **out,
                                   struct assay_error *err)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		assay_error_set(err, ASSAY_EINPUT, name, (uint64_t)(je.line > 0 ? je.line : 0),
		                (uint64_t)(je.column > 0 ? je.column : 0), "not valid JSON: %s", je.text);
		assay_error_hint(err, "expected an %s profile written by `assay profile`",
		                 ASSAY_PROFILE_SCHEMA);
		return ASSAY_EINPUT;
	}
	struct rd r = {name, err, ""};
	struct assay_profile *p = NULL;
	int rc = read_root(&r, root, &p);
	json_decref(root);
	if (rc) {
		assay_profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int assay_profile_read_json(const char *path, struct assay_profile **out, struct assay_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot open the profile: %s",
		                       strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *b = realloc(buf, cap * 2);
		if (!b) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = b;
		cap *= 2;
	}
	int ioerr = ferror(f);
	fclose(f);
	if (!buf)
		return assay_error_set(err, ASSAY_ENOMEM, path, 0, 0, "out of memory reading the profile");
	if (ioerr) {
		free(buf);
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot read the profile");
	}
	int rc = assay_profile_read_json_buffer(path, buf, n, out, err);
	free(buf);
	return rc;
}
