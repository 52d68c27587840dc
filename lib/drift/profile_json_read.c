/* profile_json_read.c: reading "assay.profile/1" (docs/profiles.md).
 *
 * Reading validates everything a consumer relies on and says where the
 * problem is: jansson's line:column for syntax errors, the JSON path
 * (columns[3].values[2]) for the rest. Invariants checked: counts add up
 * (present + missing = rows, map counts sum to present), maps strictly
 * sorted and within the cap, finite values, min/max agree with the map,
 * sketches well formed (sum of KLL level weights = n). A file that passes
 * can be merged, rendered and compared without further checks. Exact
 * numeric maps are accepted packed ("kv1:" or, with decimal keys, "dk1:",
 * see profile_json.c; decoded in profile_json_packed.c) or as [value,
 * count] arrays.
 *
 * Does not: read other schema versions, or stream.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "assay/hll.h"
#include "assay/json.h"
#include "assay/kll.h"
#include "assay/moments.h"
#include "assay/topk.h"
#include "assay/version.h"
#include "profile_internal.h"
#include "profile_json_read.h"

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

int prof_rd_bad(struct rd *r, const char *key, const char *fmt, ...)
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

int prof_rd_check_total(struct rd *r, const char *key, uint64_t sum, uint64_t present)
{
	if (sum == present)
		return 0;
	return prof_rd_bad(r, key, "counts add up to %llu, but present is %llu", (unsigned long long)sum,
	                   (unsigned long long)present);
}

static int get(struct rd *r, const json_t *o, const char *key, json_t **v)
{
	*v = json_object_get(o, key);
	return *v ? 0 : prof_rd_bad(r, key, "missing");
}

static int as_u64(struct rd *r, const char *key, const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return prof_rd_bad(r, key, "expected a non-negative integer, found %s", kind(v));
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
		return prof_rd_bad(r, key, "expected a number, found %s", kind(v));
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
	return json_is_array(*v) ? 0 : prof_rd_bad(r, key, "expected an array, found %s", kind(*v));
}

static int get_object(struct rd *r, const json_t *o, const char *key, json_t **v)
{
	if (get(r, o, key, v))
		return ASSAY_EINPUT;
	return json_is_object(*v) ? 0 : prof_rd_bad(r, key, "expected an object, found %s", kind(*v));
}

/* A [value, count] pair; count >= 1. */
static int pair(struct rd *r, const char *key, size_t i, const json_t *v, json_t **first, uint64_t *count)
{
	char k[64];
	snprintf(k, sizeof k, "%s[%zu]", key, i);
	if (!json_is_array(v) || json_array_size(v) != 2)
		return prof_rd_bad(r, k, "expected a [value, count] pair, found %s", kind(v));
	*first = json_array_get(v, 0);
	if (as_u64(r, k, json_array_get(v, 1), count))
		return ASSAY_EINPUT;
	return *count ? 0 : prof_rd_bad(r, k, "a count of 0");
}

static int add_checked(struct rd *r, const char *key, uint64_t *sum, uint64_t c)
{
	return __builtin_add_overflow(*sum, c, sum) ? prof_rd_bad(r, key, "counts overflow 64 bits") : 0;
}

static int read_values(struct rd *r, const json_t *o, struct assay_column_profile *c)
{
	json_t *a, *v;
	if ((a = json_object_get(o, "values")) && json_is_string(a))
		return prof_read_packed_values(r, a, c);
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
			return prof_rd_bad(r, k, "not a finite number");
		if (i && !(c->num.value[i - 1] < c->num.value[i]))
			return prof_rd_bad(r, k, "values must be strictly ascending");
		if (c->num.value[i] == 0)
			c->num.value[i] = 0; /* -0.0 */
	}
	if (prof_rd_check_total(r, "values", sum, c->present))
		return ASSAY_EINPUT;
	if (n && (c->min != c->num.value[0] || c->max != c->num.value[n - 1]))
		return prof_rd_bad(r, "min", "min and max must be the first and last values");
	return 0;
}

static int as_str(struct rd *r, const char *key, const json_t *v, char **s, uint32_t *len)
{
	if (!json_is_string(v))
		return prof_rd_bad(r, key, "expected a string, found %s", kind(v));
	size_t n = json_string_length(v);
	if (n > UINT32_MAX)
		return prof_rd_bad(r, key, "string too long");
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
			return prof_rd_bad(r, k, "categories must be strictly ascending (bytewise)");
	}
	return prof_rd_check_total(r, "categories", sum, c->present);
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
		return prof_rd_bad(r, "kll.levels", "expected 1 to %d levels, found %zu",
		                   ASSAY_KLL_MAX_LEVELS - 1, nl);
	if (kk < ASSAY_KLL_MIN_K || kk > ASSAY_KLL_MAX_K)
		return prof_rd_bad(r, "kll.k", "k must be between %d and %d", ASSAY_KLL_MIN_K,
		                   ASSAY_KLL_MAX_K);
	double *items[ASSAY_KLL_MAX_LEVELS] = {0};
	size_t len[ASSAY_KLL_MAX_LEVELS] = {0};
	int rc = 0;
	for (size_t h = 0; h < nl && !rc; h++) {
		json_t *a = json_array_get(levels, h);
		char key[64];
		snprintf(key, sizeof key, "kll.levels[%zu]", h);
		if (!json_is_array(a)) {
			rc = prof_rd_bad(r, key, "expected an array, found %s", kind(a));
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
			rc = prof_rd_bad(
			    r, "kll",
			    "not a KLL sketch: items must be finite, within [min, max], and their "
			    "weights (2^level) must add up to n");
		else if (n != c->present || (n && (mn != c->min || mx != c->max)))
			rc = prof_rd_bad(r, "kll",
			                 "n, min and max must match the column's present, min and max");
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
		return prof_rd_bad(r, "hll.lg_k", "expected %d, found %llu", ASSAY_HLL_LG_K,
		                   (unsigned long long)lg);
	if (!json_is_string(regs) || json_string_length(regs) != 2 * ASSAY_HLL_M)
		return prof_rd_bad(r, "hll.registers", "expected %u hex digits", 2 * ASSAY_HLL_M);
	const char *s = json_string_value(regs);
	uint8_t reg[ASSAY_HLL_M];
	for (size_t j = 0; j < ASSAY_HLL_M; j++) {
		int a = hexval(s[2 * j]), b = hexval(s[2 * j + 1]);
		if (a < 0 || b < 0)
			return prof_rd_bad(r, "hll.registers", "not a hex digit at offset %zu", 2 * j);
		reg[j] = (uint8_t)(a * 16 + b);
	}
	if (!(c->hll = assay_hll_restore(reg)))
		return prof_rd_bad(r, "hll.registers", "a register exceeds %d", 64 - ASSAY_HLL_LG_K + 1);
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
		return prof_rd_bad(r, "misra_gries", "expected 1 to %u counters and at most that many items",
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
		rc = prof_rd_bad(r, "misra_gries.items", "a value repeats");
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
		return prof_rd_bad(r, NULL, "expected an object, found %s", kind(o));
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
		return prof_rd_bad(r, "type", "expected \"numeric\", \"categorical\" or \"empty\"");
	if (get_u64(r, o, "rows", &c->rows) || get_u64(r, o, "present", &c->present) ||
	    get_object(r, o, "missing", &miss) || get_u64(r, miss, "empty", &c->missing_empty) ||
	    get_u64(r, miss, "na", &c->missing_na) || get_u64(r, miss, "nan", &c->missing_nan) ||
	    get_u64(r, miss, "inf", &c->missing_inf) || get(r, o, "exact", &v))
		return ASSAY_EINPUT;
	if (!json_is_boolean(v))
		return prof_rd_bad(r, "exact", "expected true or false, found %s", kind(v));
	c->exact = json_is_true(v);
	uint64_t sum = c->present;
	if (add_checked(r, "missing", &sum, c->missing_empty) ||
	    add_checked(r, "missing", &sum, c->missing_na) ||
	    add_checked(r, "missing", &sum, c->missing_nan) ||
	    add_checked(r, "missing", &sum, c->missing_inf))
		return ASSAY_EINPUT;
	if (c->rows != rows || sum != rows)
		return prof_rd_bad(r, "rows", "present + missing must equal rows (%llu), found %llu and %llu",
		                   (unsigned long long)rows, (unsigned long long)sum,
		                   (unsigned long long)c->rows);
	if ((c->type == ASSAY_COL_EMPTY) != (c->present == 0))
		return prof_rd_bad(r, "type", "a column is \"empty\" exactly when nothing is present");
	if ((v = json_object_get(o, "withheld")) && !json_is_boolean(v))
		return prof_rd_bad(r, "withheld", "expected true or false, found %s", kind(v));
	c->withheld = json_is_true(v);
	if (c->withheld) {
		/* Counts, distinct and the HLL only: a value anywhere is an error,
		 * since withheld columns promise that none is there. */
		static const char *const VALUE_KEYS[] = {
		    "min", "max", "moments", "summary", "values", "categories", "top", "kll", "misra_gries"};
		for (size_t i = 0; i < sizeof VALUE_KEYS / sizeof *VALUE_KEYS; i++)
			if (json_object_get(o, VALUE_KEYS[i]))
				return prof_rd_bad(r, VALUE_KEYS[i], "a withheld column carries no values");
		if (c->exact != (c->type == ASSAY_COL_EMPTY))
			return prof_rd_bad(r, "exact", "a withheld column is exact only when empty");
		if (get_u64(r, o, "distinct", &c->distinct))
			return ASSAY_EINPUT;
		if (c->distinct > c->present)
			return prof_rd_bad(r, "distinct",
			                   "more distinct values (%llu) than present ones (%llu)",
			                   (unsigned long long)c->distinct, (unsigned long long)c->present);
		if (c->type != ASSAY_COL_EMPTY && read_hll(r, o, c))
			return r->err->code ? r->err->code : ASSAY_EINPUT;
		return 0;
	}
	if (c->type == ASSAY_COL_EMPTY) {
		if (!c->exact)
			return prof_rd_bad(r, "exact", "an empty column is exact");
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
			return prof_rd_bad(r, "min", "min and max must be finite with min <= max");
		if (c->moments.n != c->present)
			return prof_rd_bad(r, "moments.n", "must equal present (%llu)",
			                   (unsigned long long)c->present);
		rc = c->exact ? read_values(r, o, c) : read_kll(r, o, c) || read_hll(r, o, c);
		if (!rc && c->exact && c->num.n > cap)
			rc = prof_rd_bad(r, "values", "%zu values, more than the cap %llu", c->num.n,
			                 (unsigned long long)cap);
		/* An exact column's moments were written as computed from its map
		 * (build and merge both do), in shortest round-trip form: they read
		 * back bit for bit, so they are not recomputed here (7% of a
		 * stored-profile drift). */
	} else {
		rc = c->exact ? read_categories(r, o, c) : read_mg(r, o, c) || read_hll(r, o, c);
		if (!rc && c->exact && c->cat.n > cap)
			rc = prof_rd_bad(r, "categories", "%zu categories, more than the cap %llu", c->cat.n,
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
		return prof_rd_bad(r, NULL, "expected a JSON object (an %s profile), found %s",
		                   ASSAY_PROFILE_SCHEMA, kind(root));
	v = json_object_get(root, "schema");
	if (!json_is_string(v) || strcmp(json_string_value(v), ASSAY_PROFILE_SCHEMA) != 0) {
		char found[80];
		snprintf(found, sizeof found, "%s%.60s%s", json_is_string(v) ? "\"" : "",
		         !v                  ? "no schema"
		         : json_is_string(v) ? json_string_value(v)
		                             : kind(v),
		         json_is_string(v) ? "\"" : "");
		return prof_rd_bad(r, "schema", "expected \"%s\", found %s", ASSAY_PROFILE_SCHEMA, found);
	}
	uint64_t rows, cap, topk;
	if (get_u64(r, root, "rows", &rows) || get_object(r, root, "parameters", &params) ||
	    get_u64(r, params, "cap", &cap) || get_u64(r, params, "topk", &topk) ||
	    get_array(r, root, "inputs", &inputs) || get_array(r, root, "columns", &cols))
		return ASSAY_EINPUT;
	if (cap == 0 || topk > 100000)
		return prof_rd_bad(r, "parameters", "cap must be at least 1 and topk at most 100000");
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
			return prof_rd_bad(r, NULL, "expected an object, found %s", kind(in));
		uint32_t len;
		if (get(r, in, "path", &path) || get(r, in, "sha256", &sha) ||
		    get_u64(r, in, "rows", &p->inputs[i].rows) ||
		    as_str(r, "path", path, &p->inputs[i].path, &len))
			return ASSAY_EINPUT;
		p->ninputs = i + 1;
		if (!json_is_string(sha) || json_string_length(sha) > 64)
			return prof_rd_bad(r, "sha256", "expected 64 hex digits");
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
	struct lifted *lifted;
	size_t nlifted, tlen;
	char *text = prof_lift_packed(buf, len, &tlen, &lifted, &nlifted);
	if (!text)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	struct predecode *pd = prof_predecode_start(lifted, nlifted);
	/* categories may hold U+0000 (valid UTF-8 in a CSV field), which the
	 * writer escapes as \u0000 */
	json_t *root = json_loadb(text, tlen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	prof_predecode_finish(pd);
	if (text != buf)
		free(text);
	if (!root) {
		prof_lifted_free(lifted, nlifted);
		assay_error_set(err, ASSAY_EINPUT, name, (uint64_t)(je.line > 0 ? je.line : 0),
		                (uint64_t)(je.column > 0 ? je.column : 0), "not valid JSON: %s", je.text);
		assay_error_hint(err, "expected an %s profile written by `assay profile`",
		                 ASSAY_PROFILE_SCHEMA);
		return ASSAY_EINPUT;
	}
	struct rd r = {name, err, "", lifted, nlifted};
	struct assay_profile *p = NULL;
	int rc = read_root(&r, root, &p);
	json_decref(root);
	prof_lifted_free(lifted, nlifted);
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
	/* A regular file is read through a read-only mapping: no copy out of
	 * the page cache and no fresh pages to fault in for it (an 18.7 MB
	 * profile: ~10 ms of a 70 ms drift against a stored reference, where
	 * the packed strings, most of the bytes, are decoded in place). The
	 * buffer path below is for what cannot be mapped. */
	struct stat stt;
	if (fstat(fileno(f), &stt) != 0)
		stt.st_size = 0, stt.st_mode = 0;
	if (S_ISREG(stt.st_mode) && stt.st_size > 0) {
		void *map = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE, fileno(f), 0);
		if (map != MAP_FAILED) {
			fclose(f);
			int rc = assay_profile_read_json_buffer(path, map, (size_t)stt.st_size, out, err);
			munmap(map, (size_t)stt.st_size);
			return rc;
		}
	}
	/* one block of the file's size (plus one byte, to see the end), so
	 * that a large profile is not copied by doubling */
	size_t cap = stt.st_size > 0 ? (size_t)stt.st_size + 1 : 1 << 16,
	       n = 0;
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

int assay_profile_is_file(const char *path)
{
	size_t n = strlen(path), k = strlen(".profile.json");
	if (n >= k && strcmp(path + n - k, ".profile.json") == 0)
		return 1;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char head[512];
	size_t got = fread(head, 1, sizeof head - 1, f);
	fclose(f);
	head[got] = '\0';
	size_t i = 0;
	while (i < got && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
		i++;
	if (i == got || head[i] != '{')
		return 0;
	const char *s = strstr(head + i, "\"schema\"");
	if (!s)
		return 0;
	s += strlen("\"schema\"");
	while (*s == ' ' || *s == ':' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return strncmp(s, "\"assay.profile/", strlen("\"assay.profile/")) == 0;
}
