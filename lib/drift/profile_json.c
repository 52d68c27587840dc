/* profile_json.c: writing profiles as JSON, schema "assay.profile/1"
 * (docs/profiles.md lists every field; reading is profile_json_read.c).
 *
 * Writing builds a jansson tree and prints it with assay_json_write
 * (shortest round-trip doubles, keys in insertion order), so equal
 * profiles are equal bytes. Sketches are written losslessly: KLL levels
 * and coin counter, HLL registers as hex, Misra-Gries counters and offset.
 * Fields marked derived (distinct, top, summary, quantiles) are
 * recomputed on reading, never trusted.
 *
 * Does not: read other schema versions, or stream (profiles are small).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/hash.h"
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
	char buf[2 * ASSAY_HLL_M + 1];
	assay_hex(assay_hll_registers(h), ASSAY_HLL_M, buf);
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
	if (c->withheld) {
		json_object_set_new(o, "withheld", json_true());
	} else if (c->type == ASSAY_COL_NUMERIC) {
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
 * nodes per entry (1M-row bench: 4.3 s -> see bench/README.md).
 * When every value is a short decimal, "dk1:" instead, with the 32-bit
 * decimal keys of assay/deckey.h: deltas of a few hundred on six-digit
 * data (about 3 bytes an entry), and the reader gets the packed map
 * without converting a value. */

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

/* The map's decimal keys (its own when packed), or NULL when a value is
 * not a short decimal (or out of memory): then kv1 is written. The choice
 * depends only on the values, so equal maps give equal bytes whatever
 * their form in memory (merged shards = the whole). */
static uint32_t *map_keys(const struct assay_numeric_map *m, int *owned)
{
	*owned = 0;
	if (m->key)
		return m->key;
	uint32_t *k = malloc((m->n ? m->n : 1) * sizeof *k);
	if (!k)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (assay_deckey_from_double(m->value[i], &k[i])) {
			free(k);
			return NULL;
		}
	*owned = 1;
	return k;
}

static int put_packed_values(const struct assay_numeric_map *m, FILE *out)
{
	size_t cap = m->n * 20 + 8;
	unsigned char *raw = malloc(cap);
	char *enc = malloc(cap / 3 * 4 + 8);
	int owned;
	uint32_t *keys = raw && enc ? map_keys(m, &owned) : NULL;
	if (!raw || !enc) {
		free(raw);
		free(enc);
		return -1;
	}
	size_t n = 0;
	uint64_t prev = 0;
	for (size_t i = 0; i < m->n; i++) {
		uint64_t k = keys ? keys[i] : prof_dkey(assay_numeric_map_value(m, i));
		n += put_varint(raw + n, k - prev);
		n += put_varint(raw + n, assay_numeric_map_count(m, i));
		prev = k;
	}
	const char *prefix = keys ? PROF_DECKEY_PREFIX : PROF_PACKED_PREFIX;
	if (keys && owned)
		free(keys);
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
	int rc = fputs(prefix, out) < 0 || fwrite(enc, 1, e, out) != e;
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
