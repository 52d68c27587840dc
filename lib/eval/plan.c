/* plan.c: evaluation plans (assay/plan.h): YAML parsing with libyaml's
 * document API (which keeps each node's line and column), expression
 * parsing, validation against a report, and judging.
 *
 * Judging one value v with interval [lo, hi] against `op t`: pass when
 * both lo and hi satisfy it, fail when neither does, inconclusive
 * otherwise; without an interval, v decides. A NaN value (say, the AUC of
 * a group with one class) is inconclusive. A check over several groups
 * fails if any group fails, else is inconclusive if any is, else passes;
 * the deciding group is the one furthest on the wrong side.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "assay/hash.h"
#include "assay/plan.h"
#include "assay/yaml.h"
#include "plan_internal.h"

const char *assay_plan_sha256(const struct assay_plan *p)
{
	return p->sha256;
}

const char *assay_plan_path(const struct assay_plan *p)
{
	return p->path;
}

int assay_plan_inconclusive_fails(const struct assay_plan *p)
{
	return p->inconclusive_fails;
}

long long assay_plan_min_group_size(const struct assay_plan *p)
{
	return p->min_group_size;
}

static int plan_error(struct assay_error *err, const char *path, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int plan_error(struct assay_error *err, const char *path, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return assay_error_set(err, ASSAY_EINPUT, path, n ? n->start_mark.line + 1 : 0,
	                       n ? n->start_mark.column + 1 : 0, "%s", msg);
}

/* ---- expressions ---- */

static const char *const EXPR_HINT = "write `metric op number`, e.g. `demographic_parity_ratio >= 0.8`, "
                                     "`recall[race=*] >= 0.6` or `roc_auc >= 0.75`";

static int parse_cmp(const char **pp, enum assay_cmp *out)
{
	static const struct {
		const char *s;
		enum assay_cmp c;
	} ops[] = {{">=", ASSAY_CMP_GE}, {"<=", ASSAY_CMP_LE}, {"==", ASSAY_CMP_EQ},
	           {"!=", ASSAY_CMP_NE}, {">", ASSAY_CMP_GT},  {"<", ASSAY_CMP_LT}};
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		size_t n = strlen(ops[i].s);
		if (strncmp(*pp, ops[i].s, n) == 0) {
			*out = ops[i].c;
			*pp += n;
			return 0;
		}
	}
	return -1;
}

static const char *trim_dup(struct assay_arena *a, const char *s, const char *e)
{
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return assay_arena_strndup(a, s, (size_t)(e - s));
}

/* Selector "race=*&sex=Male" or "race" or "race&sex". */
static int parse_selector(struct check *c, const char *s, const char *e, struct assay_arena *a)
{
	size_t n = 1;
	for (const char *q = s; q < e; q++)
		n += *q == '&' || *q == ',';
	c->feature = assay_arena_calloc(a, n, sizeof *c->feature);
	c->level = assay_arena_calloc(a, n, sizeof *c->level);
	if (!c->feature || !c->level)
		return -1;
	while (s < e) {
		const char *end = s;
		while (end < e && *end != '&' && *end != ',')
			end++;
		const char *eq = memchr(s, '=', (size_t)(end - s));
		c->feature[c->nparts] = trim_dup(a, s, eq ? eq : end);
		const char *lv = eq ? trim_dup(a, eq + 1, end) : "*";
		c->level[c->nparts] = strcmp(lv, "*") == 0 ? NULL : lv;
		if (!*c->feature[c->nparts])
			return -1;
		c->nparts++;
		s = end < e ? end + 1 : end;
	}
	return 0;
}

static const char **known_names(struct assay_arena *a, size_t *n)
{
	const char **v = assay_arena_alloc(a, (ASSAY_M__COUNT + ASSAY_D__COUNT + 1) * sizeof *v);
	size_t k = 0;
	for (int i = 0; i < ASSAY_M__COUNT; i++)
		v[k++] = assay_metric_name((enum assay_metric)i);
	for (int i = 0; i < ASSAY_D__COUNT; i++)
		v[k++] = assay_disparity_name((enum assay_disparity)i);
	v[k++] = "disparate_impact";
	*n = k;
	return v;
}

static int parse_expr(struct check *c, const char *path, const yaml_node_t *node, struct assay_arena *a,
                      struct assay_error *err)
{
	const char *p = c->expr;
	while (isspace((unsigned char)*p))
		p++;
	const char *ns = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	char *name = assay_arena_strndup(a, ns, (size_t)(p - ns));
	if (!*name) {
		plan_error(err, path, node, "check \"%s\": expected a metric name", c->expr);
		assay_error_hint(err, "%s", EXPR_HINT);
		return err->code;
	}
	int m = assay_metric_from_name(name), d = assay_disparity_from_name(name);
	if (m >= 0) {
		c->kind = K_METRIC;
		c->which = m;
	} else if (d >= 0) {
		c->kind = K_DISPARITY;
		c->which = d;
	} else if (strcmp(name, "disparate_impact") == 0) {
		c->kind = K_DI;
	} else {
		size_t nk;
		const char **known = known_names(a, &nk);
		const char *dym = assay_did_you_mean(name, known, nk);
		plan_error(err, path, node, "check \"%s\": unknown metric \"%s\"%s%s%s", c->expr, name,
		           dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
		assay_error_hint(err, "metrics and disparities are listed in docs/metrics.md");
		return err->code;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		const char *close = strchr(p, ']');
		if (!close || parse_selector(c, p + 1, close, a) != 0) {
			plan_error(err, path, node, "check \"%s\": bad selector", c->expr);
			assay_error_hint(err, "write [feature=level], [feature=*] or [f=*&g=*]");
			return err->code;
		}
		p = close + 1;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (parse_cmp(&p, &c->cmp) != 0) {
		plan_error(err, path, node, "check \"%s\": expected a comparison (>=, >, <=, <, ==, !=)",
		           c->expr);
		assay_error_hint(err, "%s", EXPR_HINT);
		return err->code;
	}
	char *end;
	errno = 0;
	c->threshold = strtod(p, &end);
	while (end && isspace((unsigned char)*end))
		end++;
	if (end == p || *end || errno || !isfinite(c->threshold)) {
		plan_error(err, path, node, "check \"%s\": expected a number after the comparison", c->expr);
		assay_error_hint(err, "%s", EXPR_HINT);
		return err->code;
	}
	if (c->kind != K_METRIC && c->nparts) {
		/* disparities take a slicing: [race] or [race&sex] */
		size_t len = 1;
		for (size_t i = 0; i < c->nparts; i++)
			len += strlen(c->feature[i]) + 3;
		char *sl = assay_arena_alloc(a, len);
		sl[0] = '\0';
		for (size_t i = 0; i < c->nparts; i++) {
			if (i)
				strcat(sl, " & ");
			strcat(sl, c->feature[i]);
		}
		c->slicing = sl;
	}
	return 0;
}

/* ---- YAML ---- */

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_check_node(yaml_document_t *doc, yaml_node_t *n, struct check *c, const char *path,
                            struct assay_arena *a, struct assay_error *err)
{
	c->line = n->start_mark.line + 1;
	c->column = n->start_mark.column + 1;
	yaml_node_t *expr_node = n;
	if (n->type == YAML_SCALAR_NODE) {
		c->expr = assay_arena_strdup(a, scalar(n));
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
		     pr++) {
			yaml_node_t *k = yaml_document_get_node(doc, pr->key),
			            *v = yaml_document_get_node(doc, pr->value);
			const char *key = scalar(k), *val = scalar(v);
			if (!key || !val)
				return plan_error(err, path, v ? v : k, "check fields must be plain values");
			if (strcmp(key, "check") == 0 || strcmp(key, "expr") == 0) {
				c->expr = assay_arena_strdup(a, val);
				expr_node = v;
			} else if (strcmp(key, "name") == 0) {
				c->name = assay_arena_strdup(a, val);
			} else if (strcmp(key, "feature") == 0 || strcmp(key, "slicing") == 0) {
				c->slicing = assay_arena_strdup(a, val);
			} else if (strcmp(key, "method") == 0) {
				if (strcmp(val, "to_overall") == 0)
					c->to_overall = 1;
				else if (strcmp(val, "between_groups") != 0)
					return plan_error(
					    err, path, v,
					    "method must be between_groups or to_overall, not \"%s\"", val);
			} else {
				plan_error(err, path, k, "unknown key \"%s\" in a check", key);
				assay_error_hint(err, "a check has: check, name, feature, method");
				return err->code;
			}
		}
		if (!c->expr)
			return plan_error(err, path, n, "check has no `check:` expression");
	} else {
		return plan_error(err, path, n, "a check is an expression or a mapping with `check:`");
	}
	const char *slicing = c->slicing;
	int rc = parse_expr(c, path, expr_node, a, err);
	if (rc)
		return rc;
	if (slicing)
		c->slicing = slicing;
	if (!c->name)
		c->name = c->expr;
	return 0;
}

static int parse_root(yaml_document_t *doc, struct assay_plan *plan, struct assay_arena *a,
                      struct assay_error *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	if (!root)
		return plan_error(err, plan->path, NULL,
		                  "the plan is empty: expected a mapping with `checks:`");
	if (root->type != YAML_MAPPING_NODE)
		return plan_error(err, plan->path, root, "expected a mapping with `checks:` at the top");
	yaml_node_t *checks = NULL;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key),
		            *v = yaml_document_get_node(doc, pr->value);
		const char *key = scalar(k), *val = scalar(v);
		if (!key)
			return plan_error(err, plan->path, k, "keys must be plain words");
		if (strcmp(key, "checks") == 0) {
			checks = v;
		} else if (strcmp(key, "version") == 0) {
			if (!val || strcmp(val, "1") != 0)
				return plan_error(err, plan->path, v,
				                  "unsupported plan version; this assay reads version 1");
		} else if (strcmp(key, "inconclusive") == 0) {
			if (val && strcmp(val, "fail") == 0)
				plan->inconclusive_fails = 1;
			else if (val && strcmp(val, "pass") == 0)
				plan->inconclusive_fails = 0;
			else
				return plan_error(err, plan->path, v, "inconclusive must be fail or pass");
		} else if (strcmp(key, "min_group_size") == 0) {
			char *end;
			long long mg = val ? strtoll(val, &end, 10) : -1;
			if (!val || *end || mg < 0)
				return plan_error(err, plan->path, v,
				                  "min_group_size must be a whole number >= 0");
			plan->min_group_size = mg;
		} else if (strcmp(key, "name") == 0 || strcmp(key, "description") == 0) {
			/* documentation only */
		} else {
			plan_error(err, plan->path, k, "unknown key \"%s\"", key);
			assay_error_hint(
			    err,
			    "a plan has: version, name, description, inconclusive, min_group_size, checks");
			return err->code;
		}
	}
	if (!checks || checks->type != YAML_SEQUENCE_NODE)
		return plan_error(err, plan->path, checks ? checks : root,
		                  "expected `checks:` with a list of checks");
	size_t n = (size_t)(checks->data.sequence.items.top - checks->data.sequence.items.start);
	plan->checks = assay_arena_calloc(a, n + 1, sizeof *plan->checks);
	if (!plan->checks)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	for (yaml_node_item_t *it = checks->data.sequence.items.start; it < checks->data.sequence.items.top;
	     it++) {
		int rc = parse_check_node(doc, yaml_document_get_node(doc, *it), &plan->checks[plan->nchecks],
		                          plan->path, a, err);
		if (rc)
			return rc;
		plan->nchecks++;
	}
	return 0;
}

int assay_plan_load(struct assay_plan **out, const char *path, struct assay_arena *a, struct assay_error *err)
{
	struct assay_yaml y;
	int rc = assay_yaml_load(&y, path, "the plan", err);
	if (rc) {
		if (rc == ASSAY_EIO)
			assay_error_hint(err, "check the --plan path");
		return rc;
	}
	struct assay_plan *plan = assay_arena_calloc(a, 1, sizeof *plan);
	plan->path = assay_arena_strdup(a, path);
	plan->inconclusive_fails = -1;
	plan->min_group_size = -1;
	memcpy(plan->sha256, y.sha256, sizeof y.sha256);
	rc = parse_root(&y.doc, plan, a, err);
	assay_yaml_free(&y);
	if (rc == 0)
		*out = plan;
	return rc;
}
