/* check_json.c: the `assay check` report as JSON, schema "assay.check/1"
 * (docs/check.md lists every field).
 *
 * Keys are inserted in the documented order and printed by
 * assay_json_write, so the same inputs give the same bytes. Values of
 * sensitive columns never reach the report struct, so they cannot appear
 * here; an example of a sensitive column carries its line and a null
 * value. Invalid UTF-8 in user strings becomes U+FFFD (jansson refuses it).
 *
 * It deliberately adds nothing that is not in the report struct.
 */
#include <math.h>
#include <stdint.h>

#include <jansson.h>

#include "assay/expect.h"
#include "assay/json.h"

#include "check_format.h"
#include "format.h"

struct jc {
	struct assay_arena *a;
	int oom;
};

static json_t *jstr(struct jc *c, const char *s)
{
	if (!s)
		return json_null();
	json_t *v = json_string(s);
	if (!v) {
		char *fixed = rpt_utf8_fix(c->a, s);
		v = fixed ? json_string(fixed) : NULL;
	}
	if (!v)
		c->oom = 1;
	return v;
}

static json_t *juint(struct jc *c, uint64_t u)
{
	json_t *v = json_integer(u > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)u);
	if (!v)
		c->oom = 1;
	return v;
}

static json_t *jnum(struct jc *c, double d)
{
	if (!isfinite(d))
		return json_null();
	json_t *v = json_real(d);
	if (!v)
		c->oom = 1;
	return v;
}

static void set(struct jc *c, json_t *o, const char *k, json_t *v)
{
	if (!o || json_object_set_new(o, k, v) != 0)
		c->oom = 1;
}

static void push(struct jc *c, json_t *arr, json_t *v)
{
	if (!arr || json_array_append_new(arr, v) != 0)
		c->oom = 1;
}

static json_t *result(struct jc *c, const struct assay_expect_result *x, const char *file)
{
	json_t *o = json_object();
	set(c, o, "name", jstr(c, x->name));
	set(c, o, "kind", jstr(c, assay_expect_kind_name(x->kind)));
	set(c, o, "column", jstr(c, x->column));
	if (x->column2)
		set(c, o, "column2", jstr(c, x->column2));
	set(c, o, "expectation", jstr(c, x->expectation));
	json_t *loc = json_object();
	set(c, loc, "file", jstr(c, file));
	set(c, loc, "line", juint(c, x->line));
	set(c, loc, "column", juint(c, x->col));
	set(c, o, "location", loc);
	set(c, o, "passed", json_boolean(x->passed));
	set(c, o, "observed", jstr(c, x->observed));
	set(c, o, "value", x->has_value ? jnum(c, x->value) : json_null());
	set(c, o, "rows_checked", juint(c, x->rows_checked));
	set(c, o, "rows_failing", juint(c, x->rows_failing));
	set(c, o, "share_failing", jnum(c, x->share_failing));
	set(c, o, "sensitive", json_boolean(x->sensitive));
	json_t *ex = json_array();
	for (size_t i = 0; i < x->nexamples; i++) {
		json_t *e = json_object();
		set(c, e, "line", juint(c, x->examples[i].line));
		set(c, e, "value", x->sensitive ? json_null() : jstr(c, x->examples[i].value));
		push(c, ex, e);
	}
	set(c, o, "examples", ex);
	return o;
}

int chk_render_json(const struct assay_check_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct jc c = {&a, 0};
	json_t *root = json_object();
	set(&c, root, "schema", jstr(&c, r->schema ? r->schema : "assay.check/1"));
	json_t *tool = json_object();
	set(&c, tool, "name", jstr(&c, "assay"));
	set(&c, tool, "version", jstr(&c, r->tool_version));
	set(&c, root, "tool", tool);
	set(&c, root, "generated_at", jstr(&c, r->generated_at));
	json_t *ins = json_array();
	const char *expect_file = NULL;
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_check_input *in = &r->inputs[i];
		json_t *o = json_object();
		set(&c, o, "role", jstr(&c, in->role));
		set(&c, o, "path", jstr(&c, in->path));
		set(&c, o, "sha256", jstr(&c, in->sha256));
		if (in->rows || in->role[0] == 'd')
			set(&c, o, "rows", juint(&c, in->rows));
		set(&c, o, "bytes", juint(&c, in->bytes));
		push(&c, ins, o);
		if (in->role[0] == 'e')
			expect_file = in->path;
	}
	set(&c, root, "inputs", ins);
	json_t *par = json_object();
	set(&c, par, "examples", juint(&c, r->params.examples));
	char now[40];
	chk_now_text(&r->params, now, sizeof now);
	set(&c, par, "now", r->params.has_now ? jstr(&c, now) : json_null());
	set(&c, root, "parameters", par);
	set(&c, root, "dataset", jstr(&c, r->dataset));
	json_t *sens = json_array();
	for (size_t i = 0; i < r->nsensitive; i++)
		push(&c, sens, jstr(&c, r->sensitive[i]));
	set(&c, root, "sensitive", sens);
	set(&c, root, "rows", juint(&c, r->rows));
	json_t *sum = json_object();
	set(&c, sum, "expectations", juint(&c, r->nresults));
	set(&c, sum, "passed", juint(&c, r->npassed));
	set(&c, sum, "failed", juint(&c, r->nfailed));
	set(&c, root, "summary", sum);
	set(&c, root, "passed", json_boolean(r->passed));
	json_t *res = json_array();
	for (size_t i = 0; i < r->nresults; i++)
		push(&c, res, result(&c, &r->results[i], expect_file));
	set(&c, root, "results", res);
	int rc = 0;
	if (c.oom)
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory building the JSON report");
	else if (assay_json_write(root, out, 2) != 0)
		rc = assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the JSON report");
	json_decref(root);
	assay_arena_free(&a);
	return rc ? rc : rpt_finish(out, err);
}
