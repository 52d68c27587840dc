/* detect_assert.c: assertions, the expectations of a SAFE answer; the
 * detector fires when one of them fails (suite-wide ones first, then the
 * case's own).
 *
 *   contains / not-contains   substring, `icase: true` for ASCII case-
 *                             insensitive comparison
 *   regex / not-regex         PCRE2 (match limit: no verdict = failed)
 *   json                      the whole response is valid JSON (RFC 8259,
 *                             jansson; any value, surrounding white space
 *                             allowed)
 *   json-schema               valid JSON that matches the schema, a subset
 *                             of JSON Schema 2020-12: type (one or a list of
 *                             null, boolean, integer, number, string,
 *                             array, object), required, properties, items
 *                             (one schema for every item), enum (of
 *                             scalars), minimum, maximum (numbers), pattern
 *                             (PCRE2, strings); other keywords are refused
 *                             when the suite is loaded.
 * The explanation names the first failing assertion, and for json-schema
 * the JSON path that broke it ("$.items[2].price: 250 > maximum 100").
 */
#include <string.h>

#include <jansson.h>

#include "detect_internal.h"

static long find_ci(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn > hn)
		return -1;
	for (size_t i = 0; i + nn <= hn; i++)
		if (strncasecmp(h + i, nd, nn) == 0)
			return (long)i;
	return -1;
}

static unsigned json_type_bits(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_NULL:
		return JT_NULL;
	case JSON_TRUE:
	case JSON_FALSE:
		return JT_BOOL;
	case JSON_INTEGER:
		return JT_INT | JT_NUM;
	case JSON_REAL: {
		double x = json_real_value(v);
		return x == (double)(long long)x ? JT_INT | JT_NUM : JT_NUM;
	}
	case JSON_STRING:
		return JT_STR;
	case JSON_ARRAY:
		return JT_ARR;
	default:
		return JT_OBJ;
	}
}

static int enum_eq(const char *text, unsigned t, const json_t *v)
{
	if (t & JT_STR)
		return json_is_string(v) && strcmp(json_string_value(v), text) == 0;
	if (t & JT_NUM)
		return json_is_number(v) && json_number_value(v) == strtod(text, NULL);
	if (t & JT_BOOL)
		return json_is_boolean(v) && json_is_true(v) == (strcmp(text, "true") == 0);
	return json_is_null(v);
}

int det_schema_check(const struct det_schema *s, const void *jv, const char *path, struct assay_arena *a,
                     const char **why)
{
	const json_t *v = jv;
	unsigned vt = json_type_bits(v);
	if (s->types && !(s->types & vt)) {
		*why = assay_arena_printf(a, "%s: wrong type", path);
		return 0;
	}
	if (s->nenums) {
		int ok = 0;
		for (size_t i = 0; i < s->nenums && !ok; i++)
			ok = enum_eq(s->enums[i], s->enum_types[i], v);
		if (!ok) {
			*why = assay_arena_printf(a, "%s: not one of the enum values", path);
			return 0;
		}
	}
	if (json_is_number(v)) {
		double x = json_number_value(v);
		if (s->has_min && x < s->min) {
			*why = assay_arena_printf(a, "%s: %.17g < minimum %.17g", path, x, s->min);
			return 0;
		}
		if (s->has_max && x > s->max) {
			*why = assay_arena_printf(a, "%s: %.17g > maximum %.17g", path, x, s->max);
			return 0;
		}
	}
	if (json_is_string(v) && s->pattern.code) {
		int m = det_re_match(&s->pattern, json_string_value(v), json_string_length(v), a, NULL, NULL);
		if (m != 1) {
			*why = assay_arena_printf(a, "%s: does not match /%s/", path, s->pattern.src);
			return 0;
		}
	}
	if (json_is_object(v)) {
		for (size_t i = 0; i < s->nrequired; i++)
			if (!json_object_get(v, s->required[i])) {
				*why = assay_arena_printf(a, "%s: required property \"%s\" is missing", path,
				                          s->required[i]);
				return 0;
			}
		for (size_t i = 0; i < s->nprops; i++) {
			const json_t *p = json_object_get(v, s->prop_names[i]);
			if (p &&
			    !det_schema_check(s->props[i], p,
			                      assay_arena_printf(a, "%s.%s", path, s->prop_names[i]), a, why))
				return 0;
		}
	}
	if (json_is_array(v) && s->items) {
		for (size_t i = 0; i < json_array_size(v); i++)
			if (!det_schema_check(s->items, json_array_get(v, i),
			                      assay_arena_printf(a, "%s[%zu]", path, i), a, why))
				return 0;
	}
	return 1;
}

/* The failure of one assertion, or NULL when it holds. */
static const char *check(const struct det_assert *t, const char *r, size_t n, struct assay_arena *a,
                         uint64_t *s, uint64_t *e)
{
	long p;
	size_t ms, me;
	switch (t->kind) {
	case A_CONTAINS:
		p = t->icase ? find_ci(r, n, t->value, t->vlen) : (memmem(r, n, t->value, t->vlen) ? 0 : -1);
		return p < 0 ? assay_arena_printf(a, "%s: text not found", t->name) : NULL;
	case A_NOT_CONTAINS: {
		const char *q = t->icase ? NULL : memmem(r, n, t->value, t->vlen);
		p = t->icase ? find_ci(r, n, t->value, t->vlen) : q ? q - r : -1;
		if (p < 0)
			return NULL;
		*s = (uint64_t)p, *e = (uint64_t)p + t->vlen;
		return assay_arena_printf(a, "%s: found at %ld..%ld", t->name, p, p + (long)t->vlen);
	}
	case A_REGEX:
	case A_NOT_REGEX: {
		int m = det_re_match(&t->re, r, n, a, &ms, &me);
		if (m < 0)
			return assay_arena_printf(a, "%s: no verdict (match limit)", t->name);
		if (t->kind == A_REGEX)
			return m ? NULL : assay_arena_printf(a, "%s: no match", t->name);
		if (!m)
			return NULL;
		*s = ms, *e = me;
		return assay_arena_printf(a, "%s: matched at %zu..%zu", t->name, ms, me);
	}
	default: {
		json_error_t je;
		json_t *v = json_loadb(r, n, JSON_DECODE_ANY, &je);
		if (!v)
			return assay_arena_printf(a, "%s: not valid JSON at byte %d: %s", t->name,
			                          je.position, je.text);
		const char *why = NULL;
		if (t->kind == A_JSON_SCHEMA && !det_schema_check(t->schema, v, "$", a, &why))
			why = assay_arena_printf(a, "%s: %s", t->name, why ? why : "");
		json_decref(v);
		return why;
	}
	}
}

int det_assert(const struct assay_assertions *suite, const struct assay_assertions *own,
               const struct assay_detect_input *in, struct assay_detection *x, struct assay_arena *a)
{
	const struct assay_assertions *sets[2] = {suite, own};
	size_t total = 0, failed = 0;
	const char *first = NULL;
	for (int k = 0; k < 2; k++) {
		if (!sets[k])
			continue;
		for (size_t i = 0; i < sets[k]->n; i++) {
			uint64_t s = 0, e = 0;
			total++;
			const char *why = check(&sets[k]->a[i], in->response, in->response_len, a, &s, &e);
			if (!why)
				continue;
			if (e > s)
				det_span(a, x, s, e, "verbatim");
			if (!failed++)
				first = why;
		}
	}
	if (failed) {
		x->fired = 1;
		x->label = "failed";
		x->confidence = 1.0;
		x->explanation = failed == 1
		                     ? first
		                     : assay_arena_printf(a, "%zu of %zu assertions failed; first: %s",
		                                          failed, total, first);
	} else {
		x->explanation = assay_arena_printf(a, "%zu assertion%s held", total, total == 1 ? "" : "s");
	}
	return x->explanation ? 0 : ASSAY_ENOMEM;
}
