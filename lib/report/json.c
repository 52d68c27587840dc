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
#include "jsonbuild.h"

/* Builders return NULL only when out of memory; json_object_set_new and
 * json_array_append_new free the value and fail on NULL, which marks the
 * tree as incomplete (checked once via the "oom" flag). */
static json_t *jci(struct rpt_json *c, struct assay_interval ci)
{
	if (!rpt_has_ci(ci) || !isfinite(ci.lo) || !isfinite(ci.hi))
		return json_null();
	json_t *a = json_array();
	if (!a) {
		c->oom = 1;
		return NULL;
	}
	if (json_array_append_new(a, rpt_jnum(c, ci.lo)) || json_array_append_new(a, rpt_jnum(c, ci.hi)))
		c->oom = 1;
	return a;
}

static json_t *jobj(struct rpt_json *c)
{
	json_t *o = json_object();
	if (!o)
		c->oom = 1;
	return o;
}

static json_t *jarr(struct rpt_json *c)
{
	json_t *a = json_array();
	if (!a)
		c->oom = 1;
	return a;
}

static json_t *str_array(struct rpt_json *c, const char *const *v, size_t n)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < n; i++)
		rpt_jpush(c, a, rpt_jstr(c, v[i]));
	return a;
}

static json_t *build_inputs(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		json_t *o = jobj(c);
		rpt_jset(c, o, "role", rpt_jstr(c, in->role));
		rpt_jset(c, o, "path", rpt_jstr(c, in->path));
		rpt_jset(c, o, "sha256", in->sha256[0] ? rpt_jstr(c, in->sha256) : json_null());
		rpt_jset(c, o, "rows", rpt_juint(c, in->rows));
		rpt_jset(c, o, "bytes", rpt_juint(c, in->bytes));
		rpt_jpush(c, a, o);
	}
	return a;
}

static json_t *build_params(struct rpt_json *c, const struct assay_eval_report *r)
{
	const struct assay_eval_params *p = &r->params;
	json_t *o = jobj(c);
	rpt_jset(c, o, "task", rpt_jstr(c, rpt_task_name(p->task)));
	rpt_jset(c, o, "label", rpt_jstr(c, p->label));
	rpt_jset(c, o, "pred", rpt_jstr(c, p->pred));
	rpt_jset(c, o, "score", rpt_jstr(c, p->score));
	rpt_jset(c, o, "sensitive", str_array(c, p->sensitive, p->nsensitive));
	rpt_jset(c, o, "pos_label", rpt_jstr(c, p->pos_label));
	rpt_jset(c, o, "pred_from", rpt_jstr(c, p->pred_from));
	rpt_jset(c, o, "threshold", rpt_jnum(c, p->threshold));
	rpt_jset(c, o, "where", str_array(c, p->where, p->nwhere));
	rpt_jset(c, o, "min_group_size", rpt_juint(c, p->min_group_size));
	rpt_jset(c, o, "include_small", json_boolean(p->include_small));
	json_t *ci = jobj(c);
	rpt_jset(c, ci, "method", rpt_jstr(c, rpt_ci_method_name(p->ci_method)));
	rpt_jset(c, ci, "bootstrap", rpt_juint(c, p->bootstrap));
	rpt_jset(c, ci, "seed", rpt_juint(c, p->seed));
	rpt_jset(c, ci, "confidence", rpt_jnum(c, p->confidence));
	rpt_jset(c, o, "ci", ci);
	rpt_jset(c, o, "reference_group", rpt_jstr(c, p->reference_group));
	rpt_jset(c, o, "inconclusive_fails", json_boolean(p->inconclusive_fails));
	return o;
}

static json_t *build_slice(struct rpt_json *c, const struct assay_eval_report *r,
                           const struct assay_slice_result *s)
{
	json_t *o = jobj(c);
	rpt_jset(c, o, "label", rpt_jstr(c, s->label));
	rpt_jset(c, o, "slicing",
	         s->slicing < 0 ? json_null() : rpt_jstr(c, rpt_slicing_name(r, s->slicing)));
	json_t *parts = jobj(c);
	for (size_t i = 0; i < s->nparts; i++) {
		const char *f = s->part_feature[i] ? s->part_feature[i] : "";
		char *key = rpt_utf8_fix(c->arena, f);
		rpt_jset(c, parts, key ? key : "?", rpt_jstr(c, s->part_level[i]));
	}
	rpt_jset(c, o, "parts", parts);
	rpt_jset(c, o, "n", rpt_juint(c, s->n));
	if (r->params.task != ASSAY_TASK_REGRESSION) {
		json_t *cells = jobj(c);
		rpt_jset(c, cells, "tp", rpt_juint(c, s->cells.tp));
		rpt_jset(c, cells, "fp", rpt_juint(c, s->cells.fp));
		rpt_jset(c, cells, "tn", rpt_juint(c, s->cells.tn));
		rpt_jset(c, cells, "fn", rpt_juint(c, s->cells.fn));
		rpt_jset(c, o, "cells", cells);
	}
	rpt_jset(c, o, "small", json_boolean(s->small));
	json_t *metrics = jobj(c);
	for (int m = 0; m < ASSAY_M__COUNT; m++) {
		double v = s->value[m];
		if (!isfinite(v))
			continue;
		json_t *mo = jobj(c);
		/* count is a number of rows: an integer, like n */
		if (m == ASSAY_M_COUNT && v >= 0 && v <= 9007199254740992.0 && v == floor(v))
			rpt_jset(c, mo, "value", rpt_juint(c, (uint64_t)v));
		else
			rpt_jset(c, mo, "value", rpt_jnum(c, v));
		rpt_jset(c, mo, "ci", jci(c, s->ci[m]));
		rpt_jset(c, metrics, assay_metric_name((enum assay_metric)m), mo);
	}
	rpt_jset(c, o, "metrics", metrics);
	return o;
}

static json_t *build_slicings(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->nslicings; i++) {
		const struct assay_slicing *g = &r->slicings[i];
		json_t *o = jobj(c), *groups = jarr(c);
		rpt_jset(c, o, "name", rpt_jstr(c, g->name));
		for (size_t k = 0; k < g->count; k++)
			rpt_jpush(c, groups, rpt_jstr(c, r->slices[g->first + k].label));
		rpt_jset(c, o, "groups", groups);
		rpt_jset(c, o, "excluded", rpt_juint(c, g->excluded));
		rpt_jpush(c, a, o);
	}
	return a;
}

static json_t *build_disparities(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ndisparities; i++) {
		const struct assay_disparity_result *d = &r->disparities[i];
		json_t *o = jobj(c);
		rpt_jset(c, o, "slicing", rpt_jstr(c, rpt_slicing_name(r, d->slicing)));
		rpt_jset(c, o, "metric", rpt_jstr(c, assay_disparity_name(d->kind)));
		rpt_jset(c, o, "between_groups", rpt_jnum(c, d->between));
		rpt_jset(c, o, "between_groups_ci", jci(c, d->between_ci));
		rpt_jset(c, o, "to_overall", rpt_jnum(c, d->to_overall));
		rpt_jset(c, o, "to_overall_ci", jci(c, d->to_overall_ci));
		rpt_jpush(c, a, o);
	}
	return a;
}

static json_t *build_di(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->ndi; i++) {
		const struct assay_di_result *d = &r->di[i];
		json_t *o = jobj(c);
		rpt_jset(c, o, "slicing", rpt_jstr(c, rpt_slicing_name(r, d->slicing)));
		rpt_jset(c, o, "group", rpt_jstr(c, r->slices[d->slice].label));
		rpt_jset(c, o, "reference", rpt_jstr(c, r->slices[d->reference_slice].label));
		rpt_jset(c, o, "ratio", rpt_jnum(c, d->ratio));
		rpt_jset(c, o, "ci", jci(c, d->ci));
		rpt_jset(c, o, "passes_four_fifths", json_boolean(d->passes_four_fifths));
		rpt_jpush(c, a, o);
	}
	return a;
}

static json_t *build_checks(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *a = jarr(c);
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct assay_check_result *k = &r->checks[i];
		json_t *o = jobj(c);
		rpt_jset(c, o, "name", rpt_jstr(c, k->name));
		rpt_jset(c, o, "expr", rpt_jstr(c, k->expr));
		rpt_jset(c, o, "plan_file", rpt_jstr(c, k->plan_file));
		rpt_jset(c, o, "plan_line", k->plan_line ? rpt_juint(c, k->plan_line) : json_null());
		rpt_jset(c, o, "status", rpt_jstr(c, assay_check_status_name(k->status)));
		rpt_jset(c, o, "subject", rpt_jstr(c, k->subject));
		rpt_jset(c, o, "value", rpt_jnum(c, k->value));
		rpt_jset(c, o, "ci", jci(c, k->ci));
		rpt_jset(c, o, "comparison", rpt_jstr(c, assay_cmp_symbol(k->cmp)));
		rpt_jset(c, o, "threshold", rpt_jnum(c, k->threshold));
		rpt_jset(c, o, "message", rpt_jstr(c, k->message));
		rpt_jpush(c, a, o);
	}
	return a;
}

static json_t *build(struct rpt_json *c, const struct assay_eval_report *r)
{
	json_t *root = jobj(c);
	rpt_jset(c, root, "schema", rpt_jstr(c, r->schema ? r->schema : "assay.eval/1"));
	json_t *tool = jobj(c);
	rpt_jset(c, tool, "name", rpt_jstr(c, "assay"));
	rpt_jset(c, tool, "version", rpt_jstr(c, r->tool_version));
	rpt_jset(c, root, "tool", tool);
	rpt_jset(c, root, "generated_at", rpt_jstr(c, r->generated_at));
	rpt_jset(c, root, "inputs", build_inputs(c, r));
	rpt_jset(c, root, "parameters", build_params(c, r));
	json_t *rows = jobj(c);
	rpt_jset(c, rows, "read", rpt_juint(c, r->rows_read));
	rpt_jset(c, rows, "used", rpt_juint(c, r->rows_used));
	rpt_jset(c, rows, "filtered", rpt_juint(c, r->rows_filtered));
	rpt_jset(c, rows, "na_sensitive", rpt_juint(c, r->rows_na_sensitive));
	rpt_jset(c, root, "rows", rows);
	json_t *slices = jarr(c);
	for (size_t i = 0; i < r->nslices; i++)
		rpt_jpush(c, slices, build_slice(c, r, &r->slices[i]));
	rpt_jset(c, root, "slices", slices);
	rpt_jset(c, root, "slicings", build_slicings(c, r));
	rpt_jset(c, root, "disparities", build_disparities(c, r));
	rpt_jset(c, root, "disparate_impact", build_di(c, r));
	rpt_jset(c, root, "checks", build_checks(c, r));
	rpt_jset(c, root, "warnings", str_array(c, r->warnings, r->nwarnings));
	rpt_jset(c, root, "passed", json_boolean(r->passed));
	return root;
}

int rpt_render_json(const struct assay_eval_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct rpt_json c = {&arena, 0};
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
