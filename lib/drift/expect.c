/* expect.c: expectations files (assay/expect.h): YAML parsing with
 * libyaml's document API, which keeps each node's line and column, so
 * every mistake is reported where it is written:
 *
 *     contract.yaml:7:5: unknown expectation "betwen"; did you mean "between"?
 *
 * The file's grammar is documented in docs/check.md. Regexes are compiled
 * here (PCRE2, UTF mode) so that a bad pattern is a located error before
 * any data is read. Bounds may be left open with null, ~ or "..".
 *
 * It deliberately checks nothing against the data: column names are
 * resolved by the runner (expect_run.c), which knows the source.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "assay/hash.h"
#include "assay/yaml.h"
#include "expect_internal.h"

static const char *const KIND_NAMES[ASSAY_EXPECT__COUNT] = {
    "row_count", "type",           "not_null",     "unique",         "in_set",   "between",
    "regex",     "length_between", "mean_between", "median_between", "quantile", "max_missing_share",
    "freshness", "relationship",   "pii"};

const char *assay_expect_kind_name(enum assay_expect_kind k)
{
	return (unsigned)k < ASSAY_EXPECT__COUNT ? KIND_NAMES[k] : "?";
}

const char *assay_expect_path(const struct assay_expectations *e)
{
	return e->path;
}

const char *assay_expect_sha256(const struct assay_expectations *e)
{
	return e->sha256;
}

const char *assay_expect_dataset(const struct assay_expectations *e)
{
	return e->dataset;
}

size_t assay_expect_count(const struct assay_expectations *e)
{
	return e->nitems;
}

int expect_is_sensitive(const struct assay_expectations *e, const char *column)
{
	for (size_t i = 0; column && i < e->nsensitive; i++)
		if (strcmp(e->sensitive[i], column) == 0)
			return 1;
	return 0;
}

void assay_expect_free(struct assay_expectations *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nitems; i++)
		pcre2_code_free(e->items[i].re);
	free(e->items);
	struct assay_arena a = e->arena; /* e lives in its own arena */
	assay_arena_free(&a);
}

/* ---- errors and scalars ---- */

struct ctx {
	struct assay_expectations *e;
	yaml_document_t *doc;
	struct assay_error *err;
};

static int node_error(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int node_error(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return assay_error_set(c->err, ASSAY_EINPUT, c->e->path, n ? n->start_mark.line + 1 : 0,
	                       n ? n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

int expect_parse_number(const char *s, double *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno == ERANGE || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int is_open(const yaml_node_t *n)
{
	const char *s = scalar(n);
	if (!s)
		return 0;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return strcmp(s, "..") == 0;
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "..") == 0;
}

static int get_bool(struct ctx *c, const yaml_node_t *n, const char *key, int *out)
{
	const char *s = scalar(n);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "True"))) {
		*out = 1;
		return 0;
	}
	if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "False"))) {
		*out = 0;
		return 0;
	}
	return node_error(c, n, "%s must be true or false", key);
}

static int get_number(struct ctx *c, const yaml_node_t *n, const char *key, double *out)
{
	if (expect_parse_number(scalar(n), out) != 0)
		return node_error(c, n, "%s must be a number, found %s", key,
		                  scalar(n) ? scalar(n) : "a list or mapping");
	return 0;
}

/* [lo, hi] or {min: lo, max: hi}; either bound may be open. */
static int get_bounds(struct ctx *c, const yaml_node_t *n, const char *key, struct expect_item *it)
{
	const yaml_node_t *lo = NULL, *hi = NULL;
	if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.items.top - n->data.sequence.items.start == 2) {
		lo = node(c, n->data.sequence.items.start[0]);
		hi = node(c, n->data.sequence.items.start[1]);
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = node(c, p->key);
			const char *ks = scalar(k);
			if (ks && strcmp(ks, "min") == 0)
				lo = node(c, p->value);
			else if (ks && strcmp(ks, "max") == 0)
				hi = node(c, p->value);
			else
				return node_error(c, k, "%s takes min and max, not \"%s\"", key,
				                  ks ? ks : "?");
		}
	} else {
		node_error(c, n, "%s expects [min, max]", key);
		assay_error_hint(c->err, "write e.g. %s: [0, 120]; leave a side open with null", key);
		return c->err->code;
	}
	if (lo && !is_open(lo)) {
		if (get_number(c, lo, key, &it->lo))
			return c->err->code;
		it->has_lo = 1;
	}
	if (hi && !is_open(hi)) {
		if (get_number(c, hi, key, &it->hi))
			return c->err->code;
		it->has_hi = 1;
	}
	if (!it->has_lo && !it->has_hi)
		return node_error(c, n, "%s needs at least one bound", key);
	if (it->has_lo && it->has_hi && it->lo > it->hi)
		return node_error(c, n, "%s: min %g is above max %g", key, it->lo, it->hi);
	return 0;
}

/* ---- items ---- */

static struct expect_item *new_item(struct ctx *c, enum assay_expect_kind kind, const char *column,
                                    const yaml_node_t *key, const yaml_node_t *colkey)
{
	struct assay_expectations *e = c->e;
	if (e->nitems == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct expect_item *v = realloc(e->items, cap * sizeof *v);
		if (!v) {
			assay_error_set(c->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			return NULL;
		}
		e->items = v;
		e->cap = cap;
	}
	struct expect_item *it = &e->items[e->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->column = column;
	it->line = key->start_mark.line + 1;
	it->col = key->start_mark.column + 1;
	it->cline = colkey ? colkey->start_mark.line + 1 : it->line;
	it->ccol = colkey ? colkey->start_mark.column + 1 : it->col;
	return it;
}

static const char *bounds_text(struct assay_arena *a, const struct expect_item *it)
{
	char lo[48], hi[48];
	expect_num(lo, sizeof lo, it->lo);
	expect_num(hi, sizeof hi, it->hi);
	if (it->has_lo && it->has_hi)
		return assay_arena_printf(a, "between %s and %s", lo, hi);
	return it->has_lo ? assay_arena_printf(a, "at least %s", lo)
	                  : assay_arena_printf(a, "at most %s", hi);
}

static const char *bounds_short(struct assay_arena *a, const struct expect_item *it)
{
	char lo[48], hi[48];
	return assay_arena_printf(a, "[%s, %s]", it->has_lo ? expect_num(lo, sizeof lo, it->lo) : "null",
	                          it->has_hi ? expect_num(hi, sizeof hi, it->hi) : "null");
}

static const char *const TYPE_NAMES[] = {"", "numeric", "integer", "string", "boolean", "timestamp"};

static const char *const COLUMN_KEYS[] = {"type",
                                          "not_null",
                                          "unique",
                                          "in_set",
                                          "between",
                                          "regex",
                                          "length_between",
                                          "mean_between",
                                          "median_between",
                                          "quantile",
                                          "max_missing_share",
                                          "freshness",
                                          "pii"};

static int parse_set(struct ctx *c, const yaml_node_t *v, struct expect_item *it)
{
	struct assay_arena *a = &c->e->arena;
	if (v->type != YAML_SEQUENCE_NODE)
		return node_error(c, v, "in_set expects a list of values, e.g. [active, closed]");
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	it->set = assay_arena_calloc(a, n + 1, sizeof *it->set);
	it->setlen = assay_arena_calloc(a, n + 1, sizeof *it->setlen);
	for (size_t i = 0; i < n; i++) {
		const yaml_node_t *m = node(c, v->data.sequence.items.start[i]);
		if (!scalar(m))
			return node_error(c, m, "in_set members must be plain values");
		it->set[i] = scalar(m); /* copied below */
		it->setlen[i] = (uint32_t)m->data.scalar.length;
		it->set[i] = assay_arena_strndup(a, it->set[i], it->setlen[i]);
	}
	it->nset = n;
	return 0;
}

static int parse_regex(struct ctx *c, const yaml_node_t *v, struct expect_item *it)
{
	const char *pat = scalar(v);
	if (!pat)
		return node_error(c, v, "regex expects a pattern (PCRE2 syntax)");
	int code;
	PCRE2_SIZE off;
	it->re =
	    pcre2_compile((PCRE2_SPTR)pat, v->data.scalar.length, PCRE2_UTF | PCRE2_UCP, &code, &off, NULL);
	if (!it->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		node_error(c, v, "regex does not compile at offset %zu: %s", (size_t)off, (const char *)msg);
		assay_error_hint(c->err, "quote the pattern with single quotes so YAML keeps backslashes");
		return c->err->code;
	}
	it->pattern = assay_arena_strndup(&c->e->arena, pat, v->data.scalar.length);
	return 0;
}

static int parse_quantile(struct ctx *c, const yaml_node_t *v, struct expect_item *it)
{
	if (v->type != YAML_MAPPING_NODE)
		return node_error(c, v, "quantile expects {q: 0.99, min: ..., max: ...}");
	int has_q = 0;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(c, p->key), *x = node(c, p->value);
		const char *ks = scalar(k);
		double d;
		if (ks && strcmp(ks, "q") == 0) {
			if (get_number(c, x, "q", &it->q))
				return c->err->code;
			if (!(it->q >= 0 && it->q <= 1))
				return node_error(c, x, "q must be between 0 and 1");
			has_q = 1;
		} else if (ks && (strcmp(ks, "min") == 0 || strcmp(ks, "max") == 0)) {
			if (is_open(x))
				continue;
			if (get_number(c, x, ks, &d))
				return c->err->code;
			if (ks[1] == 'i') {
				it->lo = d;
				it->has_lo = 1;
			} else {
				it->hi = d;
				it->has_hi = 1;
			}
		} else {
			return node_error(c, k, "quantile takes q, min and max, not \"%s\"", ks ? ks : "?");
		}
	}
	if (!has_q)
		return node_error(c, v, "quantile needs q (between 0 and 1)");
	if (!it->has_lo && !it->has_hi)
		return node_error(c, v, "quantile needs min or max");
	return 0;
}

static int parse_freshness(struct ctx *c, const yaml_node_t *v, struct expect_item *it)
{
	if (v->type != YAML_MAPPING_NODE)
		return node_error(c, v, "freshness expects {max_age: 7d}");
	int has_age = 0;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(c, p->key), *x = node(c, p->value);
		const char *ks = scalar(k), *xs = scalar(x);
		if (ks && strcmp(ks, "max_age") == 0) {
			if (!xs || expect_parse_duration(xs, &it->max_age) != 0) {
				node_error(c, x, "max_age must be a duration, found \"%s\"", xs ? xs : "?");
				assay_error_hint(c->err, "write e.g. 7d, 12h, 30m, 90s or 1d12h");
				return c->err->code;
			}
			has_age = 1;
		} else if (ks && strcmp(ks, "now") == 0) {
			if (!xs || expect_parse_time(xs, strlen(xs), &it->now) != 0)
				return node_error(c, x,
				                  "now must be an RFC 3339 time, e.g. 2026-01-01T00:00:00Z");
			it->has_now = 1;
		} else {
			return node_error(c, k, "freshness takes max_age and now, not \"%s\"", ks ? ks : "?");
		}
	}
	if (!has_age)
		return node_error(c, v, "freshness needs max_age, e.g. {max_age: 7d}");
	return 0;
}

/* pii: {max_share: 0, entities: [EMAIL_ADDRESS, ...]} */
static int parse_pii(struct ctx *c, const char *col, const yaml_node_t *colkey, const yaml_node_t *k,
                     const yaml_node_t *v)
{
	struct assay_arena *a = &c->e->arena;
	if (v->type != YAML_MAPPING_NODE)
		return node_error(c, v, "pii expects {max_share: 0}, optionally with entities: [...]");
	struct expect_item *it = new_item(c, ASSAY_EXPECT_PII, col, k, colkey);
	if (!it)
		return c->err->code;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *kk = node(c, p->key), *x = node(c, p->value);
		const char *ks = scalar(kk);
		if (ks && strcmp(ks, "max_share") == 0) {
			if (get_number(c, x, ks, &it->hi))
				return c->err->code;
			if (!(it->hi >= 0 && it->hi <= 1))
				return node_error(c, x, "max_share is a share between 0 and 1");
			it->has_hi = 1;
		} else if (ks && strcmp(ks, "entities") == 0) {
			if (x->type != YAML_SEQUENCE_NODE)
				return node_error(
				    c, x, "entities expects a list, e.g. [EMAIL_ADDRESS, PHONE_NUMBER]");
			size_t n = (size_t)(x->data.sequence.items.top - x->data.sequence.items.start);
			it->entities = assay_arena_calloc(a, n + 1, sizeof *it->entities);
			for (size_t i = 0; i < n; i++) {
				const yaml_node_t *m = node(c, x->data.sequence.items.start[i]);
				if (!scalar(m))
					return node_error(c, m, "entities are names like EMAIL_ADDRESS");
				it->entities[i] = assay_arena_strdup(a, scalar(m));
			}
			it->nentities = n;
		} else {
			return node_error(c, kk, "pii takes max_share and entities, not \"%s\"",
			                  ks ? ks : "?");
		}
	}
	if (!it->has_hi)
		return node_error(c, v, "pii needs max_share, e.g. {max_share: 0}");
	char buf[48];
	it->name = assay_arena_printf(a, "%s: pii max_share %s", col, expect_num(buf, sizeof buf, it->hi));
	it->expectation = assay_arena_printf(a, "share of values containing personal data at most %s", buf);
	return 0;
}

/* One `key: value` of a column's mapping. */
static int parse_column_key(struct ctx *c, const char *col, const yaml_node_t *colkey, const yaml_node_t *k,
                            const yaml_node_t *v)
{
	struct assay_arena *a = &c->e->arena;
	const char *key = scalar(k);
	if (!key)
		return node_error(c, k, "expectation names must be plain words");
	size_t nk = sizeof COLUMN_KEYS / sizeof *COLUMN_KEYS;
	size_t i = 0;
	while (i < nk && strcmp(key, COLUMN_KEYS[i]) != 0)
		i++;
	if (i == nk) {
		const char *dym = assay_did_you_mean(key, COLUMN_KEYS, nk);
		node_error(c, k, "unknown expectation \"%s\"%s%s%s", key, dym ? "; did you mean \"" : "",
		           dym ? dym : "", dym ? "\"?" : "");
		assay_error_hint(c->err,
		                 "column expectations: type, not_null, unique, in_set, between, regex, "
		                 "length_between, mean_between, median_between, quantile, "
		                 "max_missing_share, freshness, pii (docs/check.md)");
		return c->err->code;
	}
	if (strcmp(key, "pii") == 0)
		return parse_pii(c, col, colkey, k, v);
	int b = 0;
	struct expect_item *it;
	if (strcmp(key, "not_null") == 0 || strcmp(key, "unique") == 0) {
		if (get_bool(c, v, key, &b))
			return c->err->code;
		if (!b)
			return 0;
		it = new_item(c, key[0] == 'n' ? ASSAY_EXPECT_NOT_NULL : ASSAY_EXPECT_UNIQUE, col, k, colkey);
		if (!it)
			return c->err->code;
		it->name = assay_arena_printf(a, "%s: %s", col, key);
		it->expectation = key[0] == 'n' ? "no missing values" : "every present value distinct";
		return 0;
	}
	if (strcmp(key, "type") == 0) {
		const char *s = scalar(v);
		int t = 1;
		while (s && t < 6 && strcmp(s, TYPE_NAMES[t]) != 0)
			t++;
		if (!s || t == 6) {
			node_error(c, v, "unknown type \"%s\"", s ? s : "?");
			assay_error_hint(c->err, "types: numeric, integer, string, boolean, timestamp");
			return c->err->code;
		}
		if (!(it = new_item(c, ASSAY_EXPECT_TYPE, col, k, colkey)))
			return c->err->code;
		it->type = (enum expect_type)t;
		it->name = assay_arena_printf(a, "%s: type %s", col, s);
		it->expectation =
		    assay_arena_printf(a, "every present value is %s%s", t == T_INTEGER ? "an " : "",
		                       t == T_INTEGER ? "integer" : TYPE_NAMES[t]);
		return 0;
	}
	enum assay_expect_kind kind = ASSAY_EXPECT_IN_SET;
	if (strcmp(key, "between") == 0)
		kind = ASSAY_EXPECT_BETWEEN;
	else if (strcmp(key, "regex") == 0)
		kind = ASSAY_EXPECT_REGEX;
	else if (strcmp(key, "length_between") == 0)
		kind = ASSAY_EXPECT_LENGTH;
	else if (strcmp(key, "mean_between") == 0)
		kind = ASSAY_EXPECT_MEAN;
	else if (strcmp(key, "median_between") == 0)
		kind = ASSAY_EXPECT_MEDIAN;
	else if (strcmp(key, "quantile") == 0)
		kind = ASSAY_EXPECT_QUANTILE;
	else if (strcmp(key, "max_missing_share") == 0)
		kind = ASSAY_EXPECT_MISSING_SHARE;
	else if (strcmp(key, "freshness") == 0)
		kind = ASSAY_EXPECT_FRESHNESS;
	if (!(it = new_item(c, kind, col, k, colkey)))
		return c->err->code;
	char buf[48], buf2[48];
	switch (kind) {
	case ASSAY_EXPECT_IN_SET:
		if (parse_set(c, v, it))
			return c->err->code;
		it->name = assay_arena_printf(a, "%s: in_set (%zu values)", col, it->nset);
		it->expectation = "every present value in the set";
		break;
	case ASSAY_EXPECT_REGEX:
		if (parse_regex(c, v, it))
			return c->err->code;
		it->name = assay_arena_printf(a, "%s: regex %s", col, it->pattern);
		it->expectation = assay_arena_printf(a, "every present value matches %s", it->pattern);
		break;
	case ASSAY_EXPECT_QUANTILE:
		if (parse_quantile(c, v, it))
			return c->err->code;
		it->name = assay_arena_printf(a, "%s: quantile %s %s", col,
		                              expect_num(buf, sizeof buf, it->q), bounds_short(a, it));
		it->expectation = assay_arena_printf(a, "quantile %s %s", expect_num(buf, sizeof buf, it->q),
		                                     bounds_text(a, it));
		break;
	case ASSAY_EXPECT_MISSING_SHARE:
		if (get_number(c, v, key, &it->hi))
			return c->err->code;
		if (!(it->hi >= 0 && it->hi <= 1))
			return node_error(c, v, "max_missing_share is a share between 0 and 1");
		it->has_hi = 1;
		it->name = assay_arena_printf(a, "%s: max_missing_share %s", col,
		                              expect_num(buf, sizeof buf, it->hi));
		it->expectation = assay_arena_printf(a, "share of missing values at most %s", buf);
		break;
	case ASSAY_EXPECT_FRESHNESS:
		if (parse_freshness(c, v, it))
			return c->err->code;
		expect_format_duration(it->max_age, buf2, sizeof buf2);
		it->name = assay_arena_printf(a, "%s: freshness %s", col, buf2);
		it->expectation = assay_arena_printf(a, "newest timestamp at most %s old", buf2);
		break;
	default: /* between, length_between, mean/median_between */
		if (get_bounds(c, v, key, it))
			return c->err->code;
		if (kind == ASSAY_EXPECT_LENGTH && ((it->has_lo && it->lo < 0) || (it->has_hi && it->hi < 0)))
			return node_error(c, v, "length_between bounds are lengths (>= 0)");
		it->name = assay_arena_printf(a, "%s: %s %s", col, key, bounds_short(a, it));
		it->expectation =
		    assay_arena_printf(a, "%s %s",
		                       kind == ASSAY_EXPECT_BETWEEN  ? "every present value"
		                       : kind == ASSAY_EXPECT_LENGTH ? "every length (characters)"
		                       : kind == ASSAY_EXPECT_MEAN   ? "mean"
		                                                     : "median",
		                       bounds_text(a, it));
		break;
	}
	return 0;
}

static int parse_columns(struct ctx *c, const yaml_node_t *cols)
{
	if (cols->type != YAML_MAPPING_NODE)
		return node_error(c, cols, "columns expects a mapping: column name -> expectations");
	for (yaml_node_pair_t *p = cols->data.mapping.pairs.start; p < cols->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const char *name = scalar(k);
		if (!name)
			return node_error(c, k, "column names must be plain values");
		name = assay_arena_strndup(&c->e->arena, name, k->data.scalar.length);
		if (v->type == YAML_SCALAR_NODE && is_open(v))
			continue; /* a column listed with no expectations */
		if (v->type != YAML_MAPPING_NODE) {
			node_error(c, v, "column \"%s\" expects a mapping of expectations", name);
			assay_error_hint(c->err, "write e.g. %s: {not_null: true, between: [0, 120]}", name);
			return c->err->code;
		}
		for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++)
			if (parse_column_key(c, name, k, node(c, q->key), node(c, q->value)))
				return c->err->code;
	}
	return 0;
}

static int parse_relationship(struct ctx *c, const yaml_node_t *n)
{
	static const struct {
		const char *s;
		enum expect_op op;
	} ops[] = {{"<=", OP_LE}, {">=", OP_GE}, {"==", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT}, {">", OP_GT}};
	const char *s = scalar(n);
	if (!s)
		return node_error(c, n, "a relationship is a string like \"start_date < end_date\"");
	const char *best = NULL;
	size_t which = 0;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		const char *f = strstr(s, ops[i].s);
		if (f && (!best || f < best || (f == best && strlen(ops[i].s) > strlen(ops[which].s)))) {
			best = f;
			which = i;
		}
	}
	struct assay_arena *a = &c->e->arena;
	const char *l0 = s, *l1 = best, *r0 = best ? best + strlen(ops[which].s) : NULL;
	if (best) {
		while (*l0 == ' ')
			l0++;
		while (l1 > l0 && l1[-1] == ' ')
			l1--;
		while (*r0 == ' ')
			r0++;
	}
	size_t rl = r0 ? strlen(r0) : 0;
	while (rl && r0[rl - 1] == ' ')
		rl--;
	if (!best || l1 == l0 || !rl || strpbrk(r0, "<>=!")) {
		node_error(c, n, "relationship \"%s\": expected `column op column`", s);
		assay_error_hint(c->err, "operators: <, <=, >, >=, ==, !=; e.g. start_date < end_date");
		return c->err->code;
	}
	struct expect_item *it = new_item(c, ASSAY_EXPECT_RELATIONSHIP, NULL, n, n);
	if (!it)
		return c->err->code;
	it->column = assay_arena_strndup(a, l0, (size_t)(l1 - l0));
	it->column2 = assay_arena_strndup(a, r0, rl);
	it->op = ops[which].op;
	it->name = assay_arena_printf(a, "%s %s %s", it->column, ops[which].s, it->column2);
	it->expectation = assay_arena_printf(a, "%s %s %s on every row where both are present", it->column,
	                                     ops[which].s, it->column2);
	return 0;
}

static int parse_root(struct ctx *c)
{
	static const char *const ROOT_KEYS[] = {"version",   "dataset", "description",  "sensitive",
	                                        "row_count", "columns", "relationships"};
	struct assay_expectations *e = c->e;
	struct assay_arena *a = &e->arena;
	yaml_node_t *root = yaml_document_get_root_node(c->doc);
	if (!root)
		return node_error(c, NULL,
		                  "the expectations file is empty: expected `version: 1` and `columns:`");
	if (root->type != YAML_MAPPING_NODE)
		return node_error(c, root, "expected a mapping with `columns:` at the top");
	const yaml_node_t *cols = NULL, *rels = NULL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = node(c, p->key), *v = node(c, p->value);
		const char *key = scalar(k), *val = scalar(v);
		if (!key)
			return node_error(c, k, "keys must be plain words");
		if (strcmp(key, "version") == 0) {
			if (!val || strcmp(val, "1") != 0)
				return node_error(c, v, "unsupported version; this assay reads version 1");
		} else if (strcmp(key, "dataset") == 0) {
			if (!val)
				return node_error(c, v, "dataset is a name");
			e->dataset = assay_arena_strdup(a, val);
		} else if (strcmp(key, "description") == 0) {
			/* documentation only */
		} else if (strcmp(key, "sensitive") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return node_error(c, v, "sensitive expects a list of column names");
			size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			e->sensitive = assay_arena_calloc(a, n + 1, sizeof *e->sensitive);
			e->sens_line = assay_arena_calloc(a, n + 1, sizeof *e->sens_line);
			e->sens_col = assay_arena_calloc(a, n + 1, sizeof *e->sens_col);
			for (size_t i = 0; i < n; i++) {
				const yaml_node_t *m = node(c, v->data.sequence.items.start[i]);
				if (!scalar(m))
					return node_error(c, m, "sensitive lists column names");
				e->sensitive[i] = assay_arena_strndup(a, scalar(m), m->data.scalar.length);
				e->sens_line[i] = m->start_mark.line + 1;
				e->sens_col[i] = m->start_mark.column + 1;
			}
			e->nsensitive = n;
		} else if (strcmp(key, "row_count") == 0) {
			struct expect_item *it = new_item(c, ASSAY_EXPECT_ROW_COUNT, NULL, k, NULL);
			if (!it)
				return c->err->code;
			if (val) { /* an exact count */
				if (get_number(c, v, key, &it->lo))
					return c->err->code;
				it->hi = it->lo;
				it->has_lo = it->has_hi = 1;
			} else if (get_bounds(c, v, key, it)) {
				return c->err->code;
			}
			it->name = assay_arena_printf(a, "row_count %s", bounds_short(a, it));
			it->expectation = assay_arena_printf(a, "rows %s", bounds_text(a, it));
		} else if (strcmp(key, "columns") == 0) {
			cols = v;
		} else if (strcmp(key, "relationships") == 0) {
			rels = v;
		} else {
			size_t nk = sizeof ROOT_KEYS / sizeof *ROOT_KEYS;
			const char *dym = assay_did_you_mean(key, ROOT_KEYS, nk);
			node_error(c, k, "unknown key \"%s\"%s%s%s", key, dym ? "; did you mean \"" : "",
			           dym ? dym : "", dym ? "\"?" : "");
			assay_error_hint(c->err,
			                 "the top level has: version, dataset, description, sensitive, "
			                 "row_count, columns, relationships");
			return c->err->code;
		}
	}
	/* columns after row_count, in file order; relationships last */
	if (cols && parse_columns(c, cols))
		return c->err->code;
	if (rels) {
		if (rels->type != YAML_SEQUENCE_NODE)
			return node_error(c, rels, "relationships expects a list, e.g. [\"start < end\"]");
		for (yaml_node_item_t *i = rels->data.sequence.items.start; i < rels->data.sequence.items.top;
		     i++)
			if (parse_relationship(c, node(c, *i)))
				return c->err->code;
	}
	if (e->nitems == 0)
		return node_error(c, root, "no expectations: add row_count, columns or relationships");
	return 0;
}

/* Build the expectations from a parsed document; consumes y. */
static int build(struct assay_expectations **out, struct assay_yaml *y, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct assay_expectations *e = assay_arena_calloc(&a, 1, sizeof *e);
	if (!e) {
		assay_arena_free(&a);
		assay_yaml_free(y);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	e->arena = a;
	e->path = assay_arena_strdup(&e->arena, y->path);
	memcpy(e->sha256, y->sha256, sizeof y->sha256);
	struct ctx c = {e, &y->doc, err};
	int rc = parse_root(&c);
	assay_yaml_free(y);
	if (rc) {
		assay_expect_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int assay_expect_parse(struct assay_expectations **out, const char *name, const char *buf, size_t len,
                       struct assay_error *err)
{
	struct assay_yaml y;
	int rc = assay_yaml_load_buffer(&y, name ? name : "expectations", buf, len, err);
	return rc ? rc : build(out, &y, err);
}

int assay_expect_load(struct assay_expectations **out, const char *path, struct assay_error *err)
{
	struct assay_yaml y;
	int rc = assay_yaml_load(&y, path, "the expectations file", err);
	if (rc) {
		if (rc == ASSAY_EIO)
			assay_error_hint(err, "check the --expect path");
		return rc;
	}
	return build(out, &y, err);
}
