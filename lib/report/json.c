/* json.c: the eval report as JSON, schema "assay.eval/1"
 * (docs/schema-eval.md is the reference for every field).
 *
 * Canonical and reproducible: keys are inserted in the documented order
 * and printed by assay_json_write (assay/json.h): each double with the
 * fewest digits that parse back to the same bits, counts as integers. NaN and infinities have no JSON
 * spelling: they become null (a metric that is NaN is left out of
 * "metrics" altogether). Invalid UTF-8 in user strings becomes U+FFFD,
 * because jansson refuses it and a reader would too.
 *
 * It deliberately adds nothing that is not in the report struct, and does
 * not compact or sort: byte stability comes from the fixed order.
 */
#include <math.h>
#include <stdint.h>

#include <jansson.h>

#include "assay/json.h"

#include "format.h"

/* Builders return NULL only when out of memory; json_object_set_new and
 * json_array_append_new free the value and fail on NULL, which marks the
 * tree as incomplete (checked once via the "oom" flag). */
struct jctx {
	struct assay_arena *arena;
	int oom;
};

static json_t *jstr(struct jctx *c, const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	if (!v) { /* not UTF-8: replace the bad bytes */
		char *fixed = rpt_utf8_fix(c->arena, s);
		v = fixed ? json_string(fixed) : NULL;
	}
	if (!v)
		c->oom = 1;
	return v;
}

static json_t *jnum(struct jctx *c, double d)
{
	if (!isfinite(d))
		return json_null();
	json_t *v = json_real(d);
	if (!v)
		c->oom = 1;
	return v;
}

static json_t *juint(struct jctx *c, uint64_t u)
{
	json_t *v;
	if (u > (uint64_t)INT64_MAX) { /* beyond json_int_t: keep exact as text */
		char buf[32];
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
		v = json_string(buf);
	} else {
		v = json_integer((json_int_t)u);
	}
	if (!v)
		c->oom = 1;
	return v;
}

static json_t *jci(struct jctx *c, struct assay_interval ci)
{
	if (!rpt_has_ci(ci) || !isfinite(ci.lo) || !isfinite(ci.hi))
		return json_null();
	json_t *a = json_array();
	if (!a) {
		c->oom = 1;
		return NULL;
	}
	if (json_array_append_new(a, jnum(c, ci.lo)) || json_array_append_new(a, jnum(c, ci.hi)))
		c->oom = 1;
	return a;
}

static json_t *jobj(struct jctx *c)
{
	json_t *o = json_object();
	if (!o)
		c->oom = 1;
	return o;
}

static json_t *jarr(struct jctx *c)
{
	json_t *a = json_array();
	if (!a)
		c->oom = 1;
	return a;
}

static void set(struct jctx *c, json_t *o, const char *key, json_t *v)
{
	if (!o || json_object_set_new(o, key, v))
		c->oom = 1;
}

static void push(struct jctx *c, json_t *a, json_t *v)
{
	if (!a || json_array_append_new(a, v))
		c->oom = 1;
}

static json_t *str_array(struct jctx *c, const char *const *v, size_t n)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < n; i++)
		push(c, a, jstr(c, v[i]));
	return a;
}

static json_t *build_inputs(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		json_t *o = jobj(c);
		set(c, o, "role", jstr(c, in->role));
		set(c, o, "path", jstr(c, in->path));
		set(c, o, "sha256", in->sha256[0] ? jstr(c, in->sha256) : json_null());
		set(c, o, "rows", juint(c, in->rows));
		set(c, o, "bytes", juint(c, in->bytes));
		push(c, a, o);
	}
	return a;
}

static json_t *build_params(struct jctx *c, const struct assay_eval_report *r)
{
	const struct assay_eval_params *p = &r->params;
	json_t *o = jobj(c);
	set(c, o, "task", jstr(c, rpt_task_name(p->task)));
	set(c, o, "label", jstr(c, p->label));
	set(c, o, "pred", jstr(c, p->pred));
	set(c, o, "score", jstr(c, p->score));
	set(c, o, "sensitive", str_array(c, p->sensitive, p->nsensitive));
	set(c, o, "pos_label", jstr(c, p->pos_label));
	set(c, o, "pred_from", jstr(c, p->pred_from));
	set(c, o, "threshold", jnum(c, p->threshold));
	set(c, o, "where", str_array(c, p->where, p->nwhere));
	set(c, o, "min_group_size", juint(c, p->min_group_size));
	set(c, o, "include_small", json_boolean(p->include_small));
	json_t *ci = jobj(c);
	set(c, ci, "method", jstr(c, rpt_ci_method_name(p->ci_method)));
	set(c, ci, "bootstrap", juint(c, p->bootstrap));
	set(c, ci, "seed", juint(c, p->seed));
	set(c, ci, "confidence", jnum(c, p->confidence));
	set(c, o, "ci", ci);
	set(c, o, "reference_group", jstr(c, p->reference_group));
	set(c, o, "inconclusive_fails", json_boolean(p->inconclusive_fails));
	return o;
}

static json_t *build_slice(struct jctx *c, const struct assay_eval_report *r,
                           const struct assay_slice_result *s)
{
	json_t *o = jobj(c);
	set(c, o, "label", jstr(c, s->label));
	set(c, o, "slicing", s->slicing < 0 ? json_null() : jstr(c, rpt_slicing_name(r, s->slicing)));
	json_t *parts = jobj(c);
	for (size_t i = 0; i < s->nparts; i++) {
		const char *f = s->part_feature[i] ? s->part_feature[i] : "";
		char *key = rpt_utf8_fix(c->arena, f);
		set(c, parts, key ? key : "?", jstr(c, s->part_level[i]));
	}
	set(c, o, "parts", parts);
	set(c, o, "n", juint(c, s->n));
	if (r->params.task != ASSAY_TASK_REGRESSION) {
		json_t *cells = jobj(c);
		set(c, cells, "tp", juint(c, s->cells.tp));
		set(c, cells, "fp", juint(c, s->cells.fp));
		set(c, cells, "tn", juint(c, s->cells.tn));
		set(c, cells, "fn", juint(c, s->cells.fn));
		set(c, o, "cells", cells);
	}
	set(c, o, "small", json_boolean(s->small));
	json_t *metrics = jobj(c);
	for (int m = 0; m < ASSAY_M__COUNT; m++) {
		double v = s->value[m];
		if (!isfinite(v))
			continue;
		json_t *mo = jobj(c);
		/* count is a number of rows: an integer, like n */
		if (m == ASSAY_M_COUNT && v >= 0 && v <= 9007199254740992.0 && v == floor(v))
			set(c, mo, "value", juint(c, (uint64_t)v));
		else
			set(c, mo, "value", jnum(c, v));
		set(c, mo, "ci", jci(c, s->ci[m]));
		set(c, metrics, assay_metric_name((enum assay_metric)m), mo);
	}
	set(c, o, "metrics", metrics);
	return o;
}

static json_t *build_slicings(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->nslicings; i++) {
		const struct assay_slicing *g = &r->slicings[i];
		json_t *o = jobj(c), *groups = jarr(c);
		set(c, o, "name", jstr(c, g->name));
		for (size_t k = 0; k < g->count; k++)
			push(c, groups, jstr(c, r->slices[g->first + k].label));
		set(c, o, "groups", groups);
		set(c, o, "excluded", juint(c, g->excluded));
		push(c, a, o);
	}
	return a;
}

static json_t *build_disparities(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ndisparities; i++) {
		const struct assay_disparity_result *d = &r->disparities[i];
		json_t *o = jobj(c);
		set(c, o, "slicing", jstr(c, rpt_slicing_name(r, d->slicing)));
		set(c, o, "metric", jstr(c, assay_disparity_name(d->kind)));
		set(c, o, "between_groups", jnum(c, d->between));
		set(c, o, "between_groups_ci", jci(c, d->between_ci));
		set(c, o, "to_overall", jnum(c, d->to_overall));
		set(c, o, "to_overall_ci", jci(c, d->to_overall_ci));
		push(c, a, o);
	}
	return a;
}

static json_t *build_di(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		json_t *o = jobj(c);
		set(c, o, "slicing", jstr(c, rpt_slicing_name(r, d->slicing)));
		set(c, o, "group", jstr(c, r->slices[d->slice].label));
		set(c, o, "reference", jstr(c, r->slices[d->reference_slice].label));
		set(c, o, "ratio", jnum(c, d->ratio));
		set(c, o, "ci", jci(c, d->ci));
		set(c, o, "passes_four_fifths", json_boolean(d->passes_four_fifths));
		push(c, a, o);
	}
	return a;
}

static json_t *build_checks(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct assay_check_result *k = &r->checks[i];
		json_t *o = jobj(c);
		set(c, o, "name", jstr(c, k->name));
		set(c, o, "expr", jstr(c, k->expr));
		set(c, o, "plan_file", jstr(c, k->plan_file));
		set(c, o, "plan_line", k->plan_line ? juint(c, k->plan_line) : json_null());
		set(c, o, "status", jstr(c, assay_check_status_name(k->status)));
		set(c, o, "subject", jstr(c, k->subject));
		set(c, o, "value", jnum(c, k->value));
		set(c, o, "ci", jci(c, k->ci));
		set(c, o, "comparison", jstr(c, assay_cmp_symbol(k->cmp)));
		set(c, o, "threshold", jnum(c, k->threshold));
		set(c, o, "message", jstr(c, k->message));
		push(c, a, o);
	}
	return a;
}

static json_t *build(struct jctx *c, const struct assay_eval_report *r)
{
	json_t *root = jobj(c);
	set(c, root, "schema", jstr(c, r->schema ? r->schema : "assay.eval/1"));
	json_t *tool = jobj(c);
	set(c, tool, "name", jstr(c, "assay"));
	set(c, tool, "version", jstr(c, r->tool_version));
	set(c, root, "tool", tool);
	set(c, root, "generated_at", jstr(c, r->generated_at));
	set(c, root, "inputs", build_inputs(c, r));
	set(c, root, "parameters", build_params(c, r));
	json_t *rows = jobj(c);
	set(c, rows, "read", juint(c, r->rows_read));
	set(c, rows, "used", juint(c, r->rows_used));
	set(c, rows, "filtered", juint(c, r->rows_filtered));
	set(c, rows, "na_sensitive", juint(c, r->rows_na_sensitive));
	set(c, root, "rows", rows);
	json_t *slices = jarr(c);
	for (size_t i = 0; i < r->nslices; i++)
		push(c, slices, build_slice(c, r, &r->slices[i]));
	set(c, root, "slices", slices);
	set(c, root, "slicings", build_slicings(c, r));
	set(c, root, "disparities", build_disparities(c, r));
	set(c, root, "disparate_impact", build_di(c, r));
	set(c, root, "checks", build_checks(c, r));
	set(c, root, "warnings", str_array(c, r->warnings, r->nwarnings));
	set(c, root, "passed", json_boolean(r->passed));
	return root;
}

int rpt_render_json(const struct assay_eval_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct jctx c = {&arena, 0};
	json_t *root = build(&c, r);
	int rc = 0;
	if (c.oom || !root) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
		                     "out of memory while building the JSON report");
	} else if (assay_json_write(root, out, 2) != 0) {
		rc = assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the JSON report");
	} else {
		fputc('\n', out);
		rc = rpt_finish(out, err);
	}
	json_decref(root);
	assay_arena_free(&arena);
	return rc;
}
