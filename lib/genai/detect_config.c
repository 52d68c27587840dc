/* detect_config.c: the `detectors:` section of a suite and per-case
 * `assert:` lists, read with assay/yaml.h (located errors, unknown keys
 * refused with a did-you-mean). The format is in docs/detectors.md:
 *
 *   detectors:
 *     refusal: true                       # or false, or {categories: [...]}
 *     canary: {encodings: [verbatim, base64, rot13]}   # default: all
 *     system_prompt: {min_words: 8}
 *     pii: {entities: [CREDIT_CARD, IBAN_CODE, US_SSN, secrets]}
 *     tool_policy:
 *       allow:
 *         - name: transfer_funds
 *           required: [amount, to]
 *           forbidden: [memo]
 *           args: {amount: {max: 100}, to: {pattern: '^ACME-'}}
 *     assertions:
 *       - {type: not-contains, value: PWNED, icase: true}
 *
 * Every detector takes `categories:` (ids; "LLM0*" is a prefix) to run
 * only on those cases. Regexes are compiled here, once; their memory and
 * every string live in the caller's arena.
 */
#include <string.h>

#include "detect_internal.h"

#define NKEYS(k)         (sizeof(k) / sizeof((k)[0]))
#define MAX_SCHEMA_DEPTH 32

static int strlist(struct assay_yaml *y, const yaml_node_t *n, const char *what, const char ***out,
                   size_t *nout, struct assay_arena *a, struct assay_error *err)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(err, y, n, "%s must be a list of strings", what);
	size_t len = assay_yaml_len(n);
	const char **v = assay_arena_calloc(a, len + 1, sizeof *v);
	if (!v)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < len; i++) {
		const yaml_node_t *it = assay_yaml_at(y, n, i);
		const char *s = assay_yaml_scalar(it);
		if (!s)
			return assay_yaml_error(err, y, it ? it : n, "%s must be a list of strings", what);
		if (!(v[i] = assay_arena_strdup(a, s)))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = v;
	*nout = len;
	return 0;
}

static int regex(struct assay_yaml *y, const yaml_node_t *n, const char *what, int icase, struct det_re *re,
                 struct assay_arena *a, struct assay_error *err)
{
	const char *s = assay_yaml_scalar(n);
	if (!s)
		return assay_yaml_error(err, y, n, "%s must be a regular expression (a string)", what);
	char msg[400];
	int rc = det_re_compile(re, assay_arena_strdup(a, s), icase, a, msg, sizeof msg);
	if (rc == ASSAY_ENOMEM)
		return assay_error_set(err, rc, NULL, 0, 0, "out of memory");
	if (rc) {
		assay_yaml_error(err, y, n, "%s: %s", what, msg);
		assay_error_hint(err, "PCRE2 syntax; quote the pattern with single quotes in YAML");
	}
	return rc;
}

/* ---- JSON Schema subset ------------------------------------------------- */

static const char *const SCHEMA_KEYS[] = {"type",    "required", "properties", "items",       "enum",
                                          "minimum", "maximum",  "pattern",    "description", "title"};

static int type_bits(const char *s)
{
	static const char *const N[] = {"null", "boolean", "integer", "number", "string", "array", "object"};
	for (int i = 0; i < 7; i++)
		if (strcmp(s, N[i]) == 0)
			return 1 << i;
	return 0;
}

static unsigned scalar_type(const yaml_node_t *n, const char *s)
{
	const char *tag = (const char *)n->tag;
	int plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (tag && strcmp(tag, YAML_STR_TAG) != 0 && strcmp(tag, "!") != 0 && !plain)
		plain = 1;
	if (!plain)
		return JT_STR;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return JT_BOOL;
	if (strcmp(s, "null") == 0 || strcmp(s, "~") == 0)
		return JT_NULL;
	char *end;
	strtod(s, &end);
	return (*s && !*end) ? JT_NUM : JT_STR;
}

static int schema(struct det_schema **out, struct assay_yaml *y, const yaml_node_t *n, int depth,
                  struct assay_arena *a, struct assay_error *err)
{
	if (depth > MAX_SCHEMA_DEPTH)
		return assay_yaml_error(err, y, n, "the schema nests deeper than %d levels",
		                        MAX_SCHEMA_DEPTH);
	int rc = assay_yaml_check_keys(y, n, "a JSON schema", SCHEMA_KEYS, NKEYS(SCHEMA_KEYS), err);
	if (rc)
		return rc;
	struct det_schema *s = assay_arena_calloc(a, 1, sizeof *s);
	if (!s)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	const yaml_node_t *v;
	if ((v = assay_yaml_get(y, n, "type"))) {
		const char **names;
		size_t nn = 1;
		const char *one = assay_yaml_scalar(v);
		if (one)
			names = &one;
		else if ((rc = strlist(y, v, "type", &names, &nn, a, err)))
			return rc;
		for (size_t i = 0; i < nn; i++) {
			int b = type_bits(names[i]);
			if (!b) {
				assay_yaml_error(err, y, v, "unknown JSON type \"%s\"", names[i]);
				assay_error_hint(
				    err, "one of null, boolean, integer, number, string, array, object");
				return err->code;
			}
			s->types |= (unsigned)b;
		}
		if (s->types & JT_NUM)
			s->types |= JT_INT; /* every integer is a number */
	}
	if ((v = assay_yaml_get(y, n, "required")) &&
	    (rc = strlist(y, v, "required", &s->required, &s->nrequired, a, err)))
		return rc;
	if ((v = assay_yaml_get(y, n, "properties"))) {
		if (v->type != YAML_MAPPING_NODE)
			return assay_yaml_error(err, y, v, "properties must be a mapping of name to schema");
		size_t np = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
		s->prop_names = assay_arena_calloc(a, np + 1, sizeof *s->prop_names);
		s->props = assay_arena_calloc(a, np + 1, sizeof *s->props);
		if (!s->prop_names || !s->props)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			const yaml_node_t *kn = assay_yaml_node(y, p->key),
			                  *vn = assay_yaml_node(y, p->value);
			const char *k = assay_yaml_scalar(kn);
			if (!k)
				return assay_yaml_error(err, y, kn ? kn : v,
				                        "a property name must be a string");
			s->prop_names[s->nprops] = assay_arena_strdup(a, k);
			if ((rc = schema(&s->props[s->nprops], y, vn, depth + 1, a, err)))
				return rc;
			s->nprops++;
		}
	}
	if ((v = assay_yaml_get(y, n, "items")) && (rc = schema(&s->items, y, v, depth + 1, a, err)))
		return rc;
	if ((v = assay_yaml_get(y, n, "enum"))) {
		if ((rc = strlist(y, v, "enum (a list of scalars)", &s->enums, &s->nenums, a, err)))
			return rc;
		s->enum_types = assay_arena_calloc(a, s->nenums + 1, sizeof *s->enum_types);
		if (!s->enum_types)
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		for (size_t i = 0; i < s->nenums; i++)
			s->enum_types[i] = scalar_type(assay_yaml_at(y, v, i), s->enums[i]);
	}
	if ((v = assay_yaml_get(y, n, "minimum"))) {
		if ((rc = assay_yaml_number(y, v, "minimum", &s->min, err)))
			return rc;
		s->has_min = 1;
	}
	if ((v = assay_yaml_get(y, n, "maximum"))) {
		if ((rc = assay_yaml_number(y, v, "maximum", &s->max, err)))
			return rc;
		s->has_max = 1;
	}
	if ((v = assay_yaml_get(y, n, "pattern")) && (rc = regex(y, v, "pattern", 0, &s->pattern, a, err)))
		return rc;
	*out = s;
	return 0;
}

/* ---- assertions --------------------------------------------------------- */

static const char *const ASSERT_KEYS[] = {"type", "value", "icase", "schema", "name"};
static const char *const ASSERT_TYPES[] = {"contains",  "not-contains", "regex",
                                           "not-regex", "json",         "json-schema"};

static int assertion(struct det_assert *t, struct assay_yaml *y, const yaml_node_t *n, struct assay_arena *a,
                     struct assay_error *err)
{
	int rc = assay_yaml_check_keys(y, n, "an assertion", ASSERT_KEYS, NKEYS(ASSERT_KEYS), err);
	if (rc)
		return rc;
	const yaml_node_t *tn = assay_yaml_get(y, n, "type"), *vn = assay_yaml_get(y, n, "value");
	const char *type = assay_yaml_scalar(tn);
	if (!type)
		return assay_yaml_error(err, y, tn ? tn : n, "an assertion needs a type");
	t->kind = -1;
	for (size_t i = 0; i < NKEYS(ASSERT_TYPES); i++)
		if (strcmp(type, ASSERT_TYPES[i]) == 0)
			t->kind = (int)i;
	if (t->kind < 0) {
		const char *dym = assay_did_you_mean(type, ASSERT_TYPES, NKEYS(ASSERT_TYPES));
		assay_yaml_error(err, y, tn, "unknown assertion type \"%s\"%s%s%s", type,
		                 dym ? " (did you mean \"" : "", dym ? dym : "", dym ? "\"?)" : "");
		assay_error_hint(err, "one of contains, not-contains, regex, not-regex, json, json-schema");
		return err->code;
	}
	const yaml_node_t *ic = assay_yaml_get(y, n, "icase");
	if (ic && (rc = assay_yaml_bool(y, ic, "icase", &t->icase, err)))
		return rc;
	const char *val = assay_yaml_scalar(vn);
	if (t->kind <= A_NOT_REGEX && (!val || !*val))
		return assay_yaml_error(err, y, vn ? vn : n, "a %s assertion needs a non-empty value", type);
	if (t->kind >= A_JSON && vn)
		return assay_yaml_error(err, y, vn, "a %s assertion takes no value", type);
	const yaml_node_t *sn = assay_yaml_get(y, n, "schema");
	if (sn && t->kind != A_JSON_SCHEMA)
		return assay_yaml_error(err, y, sn, "only a json-schema assertion takes a schema");
	if (t->kind == A_JSON_SCHEMA && !sn)
		return assay_yaml_error(err, y, n, "a json-schema assertion needs a schema");
	if (val) {
		t->value = assay_arena_strdup(a, val);
		t->vlen = strlen(val);
	}
	if ((t->kind == A_REGEX || t->kind == A_NOT_REGEX) &&
	    (rc = regex(y, vn, "value", t->icase, &t->re, a, err)))
		return rc;
	if (sn && (rc = schema(&t->schema, y, sn, 0, a, err)))
		return rc;
	const char *name = assay_yaml_scalar(assay_yaml_get(y, n, "name"));
	t->name = name  ? assay_arena_strdup(a, name)
	          : val ? assay_arena_printf(a, "%s \"%.60s\"", type, val)
	                : assay_arena_strdup(a, type);
	return t->name ? 0 : assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
}

static int assertions(struct assay_assertions *out, struct assay_yaml *y, const yaml_node_t *n,
                      struct assay_arena *a, struct assay_error *err)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(err, y, n, "assertions must be a list of {type, value} mappings");
	out->n = assay_yaml_len(n);
	out->a = assay_arena_calloc(a, out->n + 1, sizeof *out->a);
	if (!out->a)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < out->n; i++) {
		int rc = assertion(&out->a[i], y, assay_yaml_at(y, n, i), a, err);
		if (rc)
			return rc;
	}
	return 0;
}

int assay_assertions_parse(struct assay_assertions **out, struct assay_yaml *y, const yaml_node_t *node,
                           struct assay_arena *a, struct assay_error *err)
{
	*out = assay_arena_calloc(a, 1, sizeof **out);
	if (!*out)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	return assertions(*out, y, node, a, err);
}

/* ---- tool policy -------------------------------------------------------- */

static const char *const TOOL_KEYS[] = {"name", "required", "forbidden", "args"};
static const char *const ARG_KEYS[] = {"min", "max", "pattern"};

static int tool(struct det_tool *t, struct assay_yaml *y, const yaml_node_t *n, struct assay_arena *a,
                struct assay_error *err)
{
	int rc = assay_yaml_check_keys(y, n, "an allowed tool", TOOL_KEYS, NKEYS(TOOL_KEYS), err);
	if (rc)
		return rc;
	const yaml_node_t *v = assay_yaml_get(y, n, "name");
	const char *name = assay_yaml_scalar(v);
	if (!name || !*name)
		return assay_yaml_error(err, y, v ? v : n, "an allowed tool needs a name");
	t->name = assay_arena_strdup(a, name);
	if ((v = assay_yaml_get(y, n, "required")) &&
	    (rc = strlist(y, v, "required", &t->required, &t->nrequired, a, err)))
		return rc;
	if ((v = assay_yaml_get(y, n, "forbidden")) &&
	    (rc = strlist(y, v, "forbidden", &t->forbidden, &t->nforbidden, a, err)))
		return rc;
	if (!(v = assay_yaml_get(y, n, "args")))
		return 0;
	if (v->type != YAML_MAPPING_NODE)
		return assay_yaml_error(err, y, v, "args must map argument names to {min, max, pattern}");
	size_t nr = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	t->rules = assay_arena_calloc(a, nr + 1, sizeof *t->rules);
	if (!t->rules)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		const yaml_node_t *kn = assay_yaml_node(y, p->key), *rn = assay_yaml_node(y, p->value), *x;
		struct det_argrule *r = &t->rules[t->nrules++];
		const char *k = assay_yaml_scalar(kn);
		if (!k)
			return assay_yaml_error(err, y, kn ? kn : v, "an argument name must be a string");
		r->arg = assay_arena_strdup(a, k);
		if ((rc = assay_yaml_check_keys(y, rn, "an argument rule", ARG_KEYS, NKEYS(ARG_KEYS), err)))
			return rc;
		if ((x = assay_yaml_get(y, rn, "min"))) {
			if ((rc = assay_yaml_number(y, x, "min", &r->min, err)))
				return rc;
			r->has_min = 1;
		}
		if ((x = assay_yaml_get(y, rn, "max"))) {
			if ((rc = assay_yaml_number(y, x, "max", &r->max, err)))
				return rc;
			r->has_max = 1;
		}
		if ((x = assay_yaml_get(y, rn, "pattern")) &&
		    (rc = regex(y, x, "pattern", 0, &r->re, a, err)))
			return rc;
	}
	return 0;
}

/* ---- the set ------------------------------------------------------------ */

static const char *const DET_KEYS[] = {"refusal", "canary",      "system_prompt",
                                       "pii",     "tool_policy", "assertions"};
static const char *const REFUSAL_KEYS[] = {"categories"};
static const char *const CANARY_KEYS[] = {"encodings", "categories"};
static const char *const SP_KEYS[] = {"min_words", "categories"};
static const char *const PII_KEYS[] = {"entities", "categories"};
static const char *const TP_KEYS[] = {"allow", "categories"};

static const char *const DEFAULT_ENTITIES[] = {"CREDIT_CARD", "IBAN_CODE", "US_SSN"};

/* A detector's node: true/false, or a mapping with `keys`. Returns 1 when
 * the node is a mapping to read further, 0 when a boolean was read. */
static int onoff(struct assay_detectors *d, int k, struct assay_yaml *y, const yaml_node_t *n,
                 const char *what, const char *const *keys, size_t nkeys, struct assay_arena *a,
                 struct assay_error *err, int *rc)
{
	*rc = 0;
	if (n->type == YAML_SCALAR_NODE) {
		*rc = assay_yaml_bool(y, n, what, &d->on[k], err);
		if (*rc)
			assay_error_hint(err, "true, false, or a mapping of options (docs/detectors.md)");
		return 0;
	}
	if ((*rc = assay_yaml_check_keys(y, n, what, keys, nkeys, err)))
		return 0;
	d->on[k] = 1;
	const yaml_node_t *c = assay_yaml_get(y, n, "categories");
	if (c)
		*rc = strlist(y, c, "categories", &d->cats[k], &d->ncats[k], a, err);
	return *rc == 0;
}

static int entity_known(const char *e)
{
	size_t n;
	const struct scan_det *b = scan_builtin(&n);
	for (size_t i = 0; i < n; i++)
		if (b[i].group != ASSAY_SCAN_INJECTION && strcmp(b[i].entity, e) == 0)
			return 1;
	return 0;
}

static int pii_entities(struct assay_detectors *d, struct assay_yaml *y, const yaml_node_t *v,
                        struct assay_arena *a, struct assay_error *err)
{
	const char **list;
	size_t n;
	int rc = strlist(y, v, "entities", &list, &n, a, err);
	if (rc)
		return rc;
	d->entities = assay_arena_calloc(a, n + 1, sizeof *d->entities);
	if (!d->entities)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	d->nentities = 0;
	d->pii_secrets = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], "secrets") == 0) {
			d->pii_secrets = 1;
			continue;
		}
		if (!entity_known(list[i])) {
			assay_yaml_error(err, y, assay_yaml_at(y, v, i), "unknown entity type \"%s\"",
			                 list[i]);
			assay_error_hint(err,
			                 "entity types of `assay scan` (docs/scan.md), e.g. EMAIL_ADDRESS, "
			                 "CREDIT_CARD, IBAN_CODE, US_SSN, PHONE_NUMBER; or \"secrets\" for "
			                 "every key type");
			return err->code;
		}
		d->entities[d->nentities++] = list[i];
	}
	return 0;
}

static void defaults(struct assay_detectors *d)
{
	d->on[ASSAY_DET_REFUSAL] = d->on[ASSAY_DET_CANARY] = d->on[ASSAY_DET_SYSTEM_PROMPT] = 1;
	d->on[ASSAY_DET_PII] = d->on[ASSAY_DET_ASSERTION] = 1;
	d->canary_enc = (1u << ENC_COUNT_) - 1;
	d->sp_words = 8;
	d->entities = (const char **)DEFAULT_ENTITIES;
	d->nentities = NKEYS(DEFAULT_ENTITIES);
	d->pii_secrets = 1;
}

static int parse(struct assay_detectors *d, struct assay_yaml *y, const yaml_node_t *node,
                 struct assay_arena *a, struct assay_error *err)
{
	int rc = assay_yaml_check_keys(y, node, "the detectors section", DET_KEYS, NKEYS(DET_KEYS), err);
	if (rc)
		return rc;
	const yaml_node_t *v;
	if ((v = assay_yaml_get(y, node, "refusal")))
		onoff(d, ASSAY_DET_REFUSAL, y, v, "refusal", REFUSAL_KEYS, NKEYS(REFUSAL_KEYS), a, err, &rc);
	if (!rc && (v = assay_yaml_get(y, node, "canary")) &&
	    onoff(d, ASSAY_DET_CANARY, y, v, "canary", CANARY_KEYS, NKEYS(CANARY_KEYS), a, err, &rc)) {
		const yaml_node_t *e = assay_yaml_get(y, v, "encodings");
		const char **list;
		size_t n;
		if (e && !(rc = strlist(y, e, "encodings", &list, &n, a, err))) {
			d->canary_enc = 0;
			for (size_t i = 0; i < n && !rc; i++) {
				int k = -1;
				for (int j = 0; j < ENC_COUNT_; j++)
					if (strcmp(list[i], det_enc_names[j]) == 0)
						k = j;
				if (k < 0) {
					const char *dym =
					    assay_did_you_mean(list[i], det_enc_names, ENC_COUNT_);
					rc = assay_yaml_error(err, y, assay_yaml_at(y, e, i),
					                      "unknown canary encoding \"%s\"%s%s%s", list[i],
					                      dym ? " (did you mean \"" : "", dym ? dym : "",
					                      dym ? "\"?)" : "");
					assay_error_hint(
					    err,
					    "verbatim, casefold, spaced, reversed, base64, hex, rot13, url");
				} else {
					d->canary_enc |= 1u << k;
				}
			}
		}
	}
	if (!rc && (v = assay_yaml_get(y, node, "system_prompt")) &&
	    onoff(d, ASSAY_DET_SYSTEM_PROMPT, y, v, "system_prompt", SP_KEYS, NKEYS(SP_KEYS), a, err, &rc)) {
		const yaml_node_t *m = assay_yaml_get(y, v, "min_words");
		double w;
		if (m && !(rc = assay_yaml_number(y, m, "min_words", &w, err))) {
			if (w < 3 || w > 1000 || w != (double)(size_t)w) {
				rc = assay_yaml_error(err, y, m,
				                      "min_words must be a whole number from 3 to 1000");
				assay_error_hint(err, "8 (the default) catches a copied sentence without "
				                      "flagging common phrases");
			} else {
				d->sp_words = (size_t)w;
			}
		}
	}
	if (!rc && (v = assay_yaml_get(y, node, "pii")) &&
	    onoff(d, ASSAY_DET_PII, y, v, "pii", PII_KEYS, NKEYS(PII_KEYS), a, err, &rc)) {
		const yaml_node_t *e = assay_yaml_get(y, v, "entities");
		if (e)
			rc = pii_entities(d, y, e, a, err);
	}
	if (!rc && (v = assay_yaml_get(y, node, "tool_policy")) &&
	    onoff(d, ASSAY_DET_TOOL_POLICY, y, v, "tool_policy", TP_KEYS, NKEYS(TP_KEYS), a, err, &rc)) {
		const yaml_node_t *al = assay_yaml_get(y, v, "allow");
		if (!al || al->type != YAML_SEQUENCE_NODE) {
			rc =
			    assay_yaml_error(err, y, al ? al : v, "tool_policy needs an allow list of tools");
			assay_error_hint(
			    err, "allow: [{name: lookup_order}, {name: refund, args: {amount: {max: 100}}}]");
		} else {
			d->ntools = assay_yaml_len(al);
			d->tools = assay_arena_calloc(a, d->ntools + 1, sizeof *d->tools);
			if (!d->tools)
				rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			for (size_t i = 0; i < d->ntools && !rc; i++)
				rc = tool(&d->tools[i], y, assay_yaml_at(y, al, i), a, err);
		}
	}
	if (!rc && (v = assay_yaml_get(y, node, "assertions")))
		rc = assertions(&d->assertions, y, v, a, err);
	return rc;
}

int assay_detectors_parse(struct assay_detectors **out, struct assay_yaml *y, const yaml_node_t *node,
                          struct assay_arena *a, struct assay_error *err)
{
	*out = NULL;
	struct assay_detectors *d = calloc(1, sizeof *d);
	if (!d)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	defaults(d);
	int rc = node ? parse(d, y, node, a, err) : 0;
	if (!rc)
		rc = det_build(d, err);
	if (rc) {
		assay_detectors_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int assay_detectors_default(struct assay_detectors **out, struct assay_arena *a, struct assay_error *err)
{
	return assay_detectors_parse(out, NULL, NULL, a, err);
}
