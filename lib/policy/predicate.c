/* predicate.c: the small predicate language of policy packs (docs/policy.md,
 * "Predicates"): parsing with located errors and evaluation over a
 * normalised intake record.
 *
 *   {always: true}                       holds for every system
 *   {all: [P, ...]}  {any: [P, ...]}     conjunction, disjunction ([] -> true, false)
 *   {not: P}                             negation
 *   {ref: NAME}                          a named predicate of tiering.yaml
 *   {field: F, OP: VALUE}                exactly one OP:
 *      equals, not_equals                scalar fields (string, enum, bool)
 *      in: [..]                          scalar field is one of the values
 *      contains, contains_any: [..], contains_all: [..]   list fields
 *      empty: true|false                 list is (not) empty; string is (not) ""
 *      lt, le, gt, ge                    ordered enums (lifecycle_stage, tier)
 *                                        by position; lists by their length
 *
 * Fields are the intake fields (assay/intake.h) except the nested ones, plus
 * `component_kinds` (the kinds of the declared components) and, in
 * applicability rules only, `tier`. Enum operands are checked against the
 * field's values when the pack loads, so a typo is a lint error, never a
 * rule that silently never fires. Deliberately no arithmetic, no regexes and
 * no free-text matching: rules are over declared facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const TIERS[] = {"low", "medium", "high", "prohibited"};

static const char *const OPS[] = {"equals",       "not_equals",   "in",    "contains",
                                  "contains_any", "contains_all", "empty", "lt",
                                  "le",           "gt",           "ge"};
static const enum pred_op OP_CODES[] = {P_EQ, P_NE, P_IN, P_CONTAINS, P_CONTAINS_ANY, P_CONTAINS_ALL, P_EMPTY,
                                        P_LT, P_LE, P_GT, P_GE};

/* Resolve a field name; 0 when known. */
static int resolve_field(struct pctx *c, const char *name, struct pred_field *out)
{
	memset(out, 0, sizeof *out);
	out->name = name;
	if (strcmp(name, "tier") == 0 && !c->in_tiering) {
		out->type = ASSAY_FIELD_ENUM;
		out->values = TIERS;
		out->n_values = N(TIERS);
		out->ordered = 1;
		return 0;
	}
	if (strcmp(name, "component_kinds") == 0) {
		out->type = ASSAY_FIELD_ENUM_LIST;
		out->values = intake_component_kinds(&out->n_values);
		return 0;
	}
	const struct assay_intake_field *f = assay_intake_field_find(name);
	if (!f || f->type == ASSAY_FIELD_OBJECT)
		return -1;
	out->type = f->type;
	out->values = f->values;
	out->n_values = f->n_values;
	out->ordered = f->ordered;
	return 0;
}

/* Every usable field name, for did-you-mean. */
static size_t field_names(const char **names, size_t cap)
{
	size_t nf, n = 0;
	const struct assay_intake_field *fs = assay_intake_fields(&nf);
	for (size_t i = 0; i < nf && n < cap; i++)
		if (fs[i].type != ASSAY_FIELD_OBJECT)
			names[n++] = fs[i].name;
	if (n < cap)
		names[n++] = "component_kinds";
	if (n < cap)
		names[n++] = "tier";
	return n;
}

static int check_operand(struct pctx *c, struct assay_yaml *y, const yaml_node_t *at,
                         const struct pred_field *f, const char *v)
{
	if (f->type == ASSAY_FIELD_BOOL) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return pctx_at(c, y, at, "", "field \"%s\" is true or false, not \"%s\"", f->name, v);
		return 0;
	}
	if (!f->values)
		return 0;
	for (size_t i = 0; i < f->n_values; i++)
		if (strcmp(f->values[i], v) == 0)
			return 0;
	const char *dym = assay_did_you_mean(v, f->values, f->n_values);
	char hint[480];
	size_t off = (size_t)snprintf(hint, sizeof hint, "values of %s: ", f->name);
	for (size_t i = 0; i < f->n_values && off < sizeof hint; i++)
		off += (size_t)snprintf(hint + off, sizeof hint - off, "%s%s", i ? ", " : "", f->values[i]);
	return pctx_at(c, y, at, hint, "\"%s\" is not a value of field \"%s\"%s%s%s", v, f->name,
	               dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
}

static int is_list(const struct pred_field *f)
{
	return f->type == ASSAY_FIELD_LIST || f->type == ASSAY_FIELD_ENUM_LIST;
}

static struct pred *parse_leaf(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n, struct pred *p)
{
	yaml_node_t *fn = assay_yaml_get(y, n, "field");
	const char *fname = assay_yaml_scalar(fn);
	if (!fname || !*fname) {
		pctx_at(c, y, fn, "", "\"field\" names an intake field");
		return NULL;
	}
	if (resolve_field(c, fname, &p->field) != 0) {
		const char *names[40];
		size_t nn = field_names(names, N(names));
		if (c->in_tiering)
			nn--; /* no tier while computing it */
		const char *dym = assay_did_you_mean(fname, names, nn);
		if (!strcmp(fname, "tier"))
			pctx_at(c, y, fn, "tiering rules decide the tier; use tier in applicability.yaml",
			        "\"tier\" cannot be used in a tiering rule");
		else
			pctx_at(c, y, fn, "fields: see docs/policy.md, \"Intake fields\"",
			        "unknown field \"%s\"%s%s%s", fname, dym ? "; did you mean \"" : "",
			        dym ? dym : "", dym ? "\"?" : "");
		return NULL;
	}
	p->field.name = assay_arena_strdup(c->a, fname);
	yaml_node_t *opn = NULL;
	const char *opname = NULL;
	for (size_t i = 0; i < N(OPS); i++) {
		yaml_node_t *v = assay_yaml_get(y, n, OPS[i]);
		if (!v)
			continue;
		if (opn) {
			pctx_at(c, y, v, "write two conditions under all:",
			        "a condition has one operator, found \"%s\" and \"%s\"", opname, OPS[i]);
			return NULL;
		}
		opn = v;
		opname = OPS[i];
		p->op = OP_CODES[i];
	}
	if (!opn) {
		pctx_at(
		    c, y, n,
		    "operators: equals, not_equals, in, contains, contains_any, contains_all, empty, lt, le, "
		    "gt, ge",
		    "condition on \"%s\" has no operator", fname);
		return NULL;
	}
	const struct pred_field *f = &p->field;
	int list = is_list(f);
	switch (p->op) {
	case P_EQ:
	case P_NE:
	case P_IN:
		if (list) {
			pctx_at(c, y, opn, "use contains, contains_any or contains_all",
			        "\"%s\" is a list: %s does not apply", fname, opname);
			return NULL;
		}
		break;
	case P_CONTAINS:
	case P_CONTAINS_ANY:
	case P_CONTAINS_ALL:
		if (!list) {
			pctx_at(c, y, opn, "use equals or in", "\"%s\" is not a list: %s does not apply",
			        fname, opname);
			return NULL;
		}
		break;
	case P_EMPTY:
		if (f->type == ASSAY_FIELD_BOOL || f->type == ASSAY_FIELD_ENUM) {
			pctx_at(c, y, opn, "", "empty applies to lists and text, not to \"%s\"", fname);
			return NULL;
		}
		break;
	default: /* comparisons */
		if (!list && !f->ordered) {
			pctx_at(c, y, opn,
			        "ordered fields: lifecycle_stage, tier; lists compare their length",
			        "\"%s\" has no order: %s does not apply", fname, opname);
			return NULL;
		}
		break;
	}
	if (p->op == P_IN || p->op == P_CONTAINS_ANY || p->op == P_CONTAINS_ALL) {
		if (opn->type != YAML_SEQUENCE_NODE) {
			pctx_at(c, y, opn, "write [a, b]", "%s takes a list of values", opname);
			return NULL;
		}
	} else if (!assay_yaml_scalar(opn)) {
		pctx_at(c, y, opn, "", "%s takes one value", opname);
		return NULL;
	}
	size_t nv = 0;
	const char **vals = pctx_strings(c, y, opn, opname, &nv);
	if (!vals)
		return NULL;
	p->values = vals;
	p->n_values = nv;
	if (p->op == P_EMPTY) {
		int b;
		struct assay_error e;
		if (assay_yaml_bool(y, opn, "empty", &b, &e) != 0) {
			pctx_issue(c, &e);
			return NULL;
		}
		p->flag = b;
		return p;
	}
	if (p->op >= P_LT && list) {
		char *end;
		p->number = strtod(vals[0], &end);
		if (end == vals[0] || *end) {
			pctx_at(c, y, opn, "",
			        "%s on the list \"%s\" compares its length: expected a number, found \"%s\"",
			        opname, fname, vals[0]);
			return NULL;
		}
		return p;
	}
	for (size_t i = 0; i < nv; i++)
		if (check_operand(c, y, opn->type == YAML_SEQUENCE_NODE ? assay_yaml_at(y, opn, i) : opn, f,
		                  vals[i]))
			return NULL;
	if (f->type == ASSAY_FIELD_BOOL)
		p->flag = strcmp(vals[0], "true") == 0;
	return p;
}

struct pred *pred_parse(struct pctx *c, struct assay_yaml *y, const yaml_node_t *n)
{
	if (!n || n->type != YAML_MAPPING_NODE) {
		pctx_at(c, y, n, "e.g. {field: ai_type, in: [genai, rag]}",
		        "expected a condition (a mapping)");
		return NULL;
	}
	struct pred *p = assay_arena_calloc(c->a, 1, sizeof *p);
	if (!p)
		return NULL;
	static const char *const KEYS[] = {
	    "always",   "all",          "any",          "not",   "ref", "field", "equals", "not_equals", "in",
	    "contains", "contains_any", "contains_all", "empty", "lt",  "le",    "gt",     "ge"};
	if (pctx_keys(c, y, n, "a condition", KEYS, N(KEYS)))
		return NULL;
	yaml_node_t *v;
	int combos = !!assay_yaml_get(y, n, "always") + !!assay_yaml_get(y, n, "all") +
	             !!assay_yaml_get(y, n, "any") + !!assay_yaml_get(y, n, "not") +
	             !!assay_yaml_get(y, n, "ref") + !!assay_yaml_get(y, n, "field");
	if (combos != 1) {
		if (combos)
			pctx_at(c, y, n, "one of: always, all, any, not, ref, field; nest them with all:",
			        "a condition has one form, found %d", combos);
		else
			pctx_at(c, y, n, "one of: always, all, any, not, ref, field", "empty condition");
		return NULL;
	}
	if ((v = assay_yaml_get(y, n, "always"))) {
		struct assay_error e;
		if (assay_yaml_bool(y, v, "always", &p->flag, &e) != 0) {
			pctx_issue(c, &e);
			return NULL;
		}
		p->op = P_ALWAYS;
		return p;
	}
	if ((v = assay_yaml_get(y, n, "not"))) {
		p->op = P_NOT;
		p->kids = assay_arena_alloc(c->a, sizeof *p->kids);
		p->n_kids = 1;
		return p->kids && (p->kids[0] = pred_parse(c, y, v)) ? p : NULL;
	}
	if ((v = assay_yaml_get(y, n, "ref"))) {
		const char *name = assay_yaml_scalar(v);
		p->op = P_REF;
		for (size_t i = 0; name && i < c->p->n_preds; i++)
			if (strcmp(c->p->preds[i].name, name) == 0)
				p->ref = &c->p->preds[i];
		if (!p->ref) {
			pctx_at(c, y, v, "define it under predicates: in tiering.yaml, before it is used",
			        "unknown predicate \"%s\"", name ? name : "");
			return NULL;
		}
		return p;
	}
	v = assay_yaml_get(y, n, "all");
	p->op = P_ALL;
	if (!v) {
		v = assay_yaml_get(y, n, "any");
		p->op = P_ANY;
	}
	if (!v)
		return parse_leaf(c, y, n, p);
	if (v->type != YAML_SEQUENCE_NODE) {
		pctx_at(c, y, v, "write - under it, one condition per line", "%s takes a list of conditions",
		        p->op == P_ALL ? "all" : "any");
		return NULL;
	}
	p->n_kids = assay_yaml_len(v);
	p->kids = assay_arena_calloc(c->a, p->n_kids ? p->n_kids : 1, sizeof *p->kids);
	int ok = p->kids != NULL;
	for (size_t i = 0; ok && i < p->n_kids; i++)
		ok = (p->kids[i] = pred_parse(c, y, assay_yaml_at(y, v, i))) != NULL;
	return ok ? p : NULL;
}

/* ---- evaluation ------------------------------------------------------------- */

static void note(const char **matched, size_t *n, size_t cap, const char *v)
{
	if (!matched)
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(matched[i], v) == 0)
			return;
	if (*n < cap)
		matched[(*n)++] = v;
}

static int position(const struct pred_field *f, const char *v)
{
	for (size_t i = 0; i < f->n_values; i++)
		if (strcmp(f->values[i], v) == 0)
			return (int)i;
	return -1;
}

static int compare(enum pred_op op, double a, double b)
{
	switch (op) {
	case P_LT:
		return a < b;
	case P_LE:
		return a <= b;
	case P_GT:
		return a > b;
	default:
		return a >= b;
	}
}

static int list_has(const json_t *arr, const char *v)
{
	size_t i;
	json_t *it;
	json_array_foreach(arr, i,
	                   it) if (json_is_string(it) && strcmp(json_string_value(it), v) == 0) return 1;
	return 0;
}

static int eval_leaf(const struct pred *p, const json_t *intake, int tier, const char **matched, size_t *nm,
                     size_t cap)
{
	const struct pred_field *f = &p->field;
	json_t *kinds = NULL;
	const json_t *v;
	const char *s = NULL;
	if (strcmp(f->name, "tier") == 0) {
		if (tier < 0)
			return 0;
		s = f->values[tier];
		v = NULL;
	} else if (strcmp(f->name, "component_kinds") == 0) {
		kinds = json_array();
		size_t i;
		json_t *comp;
		json_array_foreach(json_object_get(intake, "components"), i, comp)
		{
			json_t *k = json_object_get(comp, "kind");
			if (json_is_string(k) && !list_has(kinds, json_string_value(k)))
				json_array_append(kinds, k);
		}
		v = kinds;
	} else {
		v = json_object_get(intake, f->name);
		if (json_is_string(v))
			s = json_string_value(v);
	}
	int r = 0;
	switch (p->op) {
	case P_EQ:
	case P_NE:
		if (f->type == ASSAY_FIELD_BOOL)
			r = json_is_true(v) == p->flag;
		else
			r = s && strcmp(s, p->values[0]) == 0;
		if (p->op == P_NE)
			r = !r;
		else if (r && s)
			note(matched, nm, cap, p->values[0]);
		break;
	case P_IN:
		for (size_t i = 0; s && i < p->n_values && !r; i++)
			if (strcmp(s, p->values[i]) == 0) {
				r = 1;
				note(matched, nm, cap, p->values[i]);
			}
		break;
	case P_CONTAINS:
	case P_CONTAINS_ANY:
	case P_CONTAINS_ALL: {
		size_t hits = 0;
		for (size_t i = 0; i < p->n_values; i++)
			if (list_has(v, p->values[i])) {
				hits++;
				note(matched, nm, cap, p->values[i]);
			}
		r = p->op == P_CONTAINS_ALL ? hits == p->n_values : hits > 0;
		break;
	}
	case P_EMPTY:
		if (json_is_array(v))
			r = (json_array_size(v) == 0) == p->flag;
		else
			r = (!s || !*s) == p->flag;
		break;
	default:
		if (json_is_array(v))
			r = compare(p->op, (double)json_array_size(v), p->number);
		else if (s)
			r = compare(p->op, position(f, s), position(f, p->values[0]));
		break;
	}
	json_decref(kinds);
	return r;
}

int pred_eval(const struct pred *p, const json_t *intake, int tier, const char **matched, size_t *n_matched,
              size_t cap)
{
	switch (p->op) {
	case P_ALWAYS:
		return p->flag;
	case P_ALL: {
		size_t keep = n_matched ? *n_matched : 0; /* a failed conjunction matched nothing */
		for (size_t i = 0; i < p->n_kids; i++)
			if (!pred_eval(p->kids[i], intake, tier, matched, n_matched, cap)) {
				if (n_matched)
					*n_matched = keep;
				return 0;
			}
		return 1;
	}
	case P_ANY: {
		int any = 0;
		for (size_t i = 0; i < p->n_kids; i++)
			any |= pred_eval(p->kids[i], intake, tier, matched, n_matched, cap);
		return any;
	}
	case P_NOT:
		return !pred_eval(p->kids[0], intake, tier, NULL, NULL, 0);
	case P_REF:
		return pred_eval(p->ref->pred, intake, tier, matched, n_matched, cap);
	default:
		return eval_leaf(p, intake, tier, matched, n_matched, cap);
	}
}
