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
#include "jsonbuild.h"

static json_t *result(struct rpt_json *c, const struct assay_expect_result *x, const char *file)
{
	json_t *o = json_object();
	rpt_jset(c, o, "name", rpt_jstr(c, x->name));
	rpt_jset(c, o, "kind", rpt_jstr(c, assay_expect_kind_name(x->kind)));
	rpt_jset(c, o, "column", rpt_jstr(c, x->column));
	if (x->column2)
		rpt_jset(c, o, "column2", rpt_jstr(c, x->column2));
	rpt_jset(c, o, "expectation", rpt_jstr(c, x->expectation));
	json_t *loc = json_object();
	rpt_jset(c, loc, "file", rpt_jstr(c, file));
	rpt_jset(c, loc, "line", rpt_juint(c, x->line));
	rpt_jset(c, loc, "column", rpt_juint(c, x->col));
	rpt_jset(c, o, "location", loc);
	rpt_jset(c, o, "passed", json_boolean(x->passed));
	rpt_jset(c, o, "observed", rpt_jstr(c, x->observed));
	rpt_jset(c, o, "value", x->has_value ? rpt_jnum(c, x->value) : json_null());
	rpt_jset(c, o, "rows_checked", rpt_juint(c, x->rows_checked));
	rpt_jset(c, o, "rows_failing", rpt_juint(c, x->rows_failing));
	rpt_jset(c, o, "share_failing", rpt_jnum(c, x->share_failing));
	rpt_jset(c, o, "sensitive", json_boolean(x->sensitive));
	json_t *ex = json_array();
	for (size_t i = 0; i < x->nexamples; i++) {
		json_t *e = json_object();
		rpt_jset(c, e, "line", rpt_juint(c, x->examples[i].line));
		rpt_jset(c, e, "value", x->sensitive ? json_null() : rpt_jstr(c, x->examples[i].value));
		rpt_jpush(c, ex, e);
	}
	rpt_jset(c, o, "examples", ex);
	return o;
}

int chk_render_json(const struct assay_check_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	struct rpt_json c = {&a, 0};
	json_t *root = json_object();
	rpt_jset(&c, root, "schema", rpt_jstr(&c, r->schema ? r->schema : "assay.check/1"));
	json_t *tool = json_object();
	rpt_jset(&c, tool, "name", rpt_jstr(&c, "assay"));
	rpt_jset(&c, tool, "version", rpt_jstr(&c, r->tool_version));
	rpt_jset(&c, root, "tool", tool);
	rpt_jset(&c, root, "generated_at", rpt_jstr(&c, r->generated_at));
	json_t *ins = json_array();
	const char *expect_file = NULL;
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_check_input *in = &r->inputs[i];
		json_t *o = json_object();
		rpt_jset(&c, o, "role", rpt_jstr(&c, in->role));
		rpt_jset(&c, o, "path", rpt_jstr(&c, in->path));
		rpt_jset(&c, o, "sha256", rpt_jstr(&c, in->sha256));
		if (in->rows || in->role[0] == 'd')
			rpt_jset(&c, o, "rows", rpt_juint(&c, in->rows));
		rpt_jset(&c, o, "bytes", rpt_juint(&c, in->bytes));
		rpt_jpush(&c, ins, o);
		if (in->role[0] == 'e')
			expect_file = in->path;
	}
	rpt_jset(&c, root, "inputs", ins);
	json_t *par = json_object();
	rpt_jset(&c, par, "examples", rpt_juint(&c, r->params.examples));
	char now[40];
	chk_now_text(&r->params, now, sizeof now);
	rpt_jset(&c, par, "now", r->params.has_now ? rpt_jstr(&c, now) : json_null());
	rpt_jset(&c, root, "parameters", par);
	rpt_jset(&c, root, "dataset", rpt_jstr(&c, r->dataset));
	json_t *sens = json_array();
	for (size_t i = 0; i < r->nsensitive; i++)
		rpt_jpush(&c, sens, rpt_jstr(&c, r->sensitive[i]));
	rpt_jset(&c, root, "sensitive", sens);
	rpt_jset(&c, root, "rows", rpt_juint(&c, r->rows));
	json_t *sum = json_object();
	rpt_jset(&c, sum, "expectations", rpt_juint(&c, r->nresults));
	rpt_jset(&c, sum, "passed", rpt_juint(&c, r->npassed));
	rpt_jset(&c, sum, "failed", rpt_juint(&c, r->nfailed));
	rpt_jset(&c, root, "summary", sum);
	rpt_jset(&c, root, "passed", json_boolean(r->passed));
	json_t *res = json_array();
	for (size_t i = 0; i < r->nresults; i++)
		rpt_jpush(&c, res, result(&c, &r->results[i], expect_file));
	rpt_jset(&c, root, "results", res);
	int rc = 0;
	if (c.oom)
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory building the JSON report");
	else if (assay_json_write(root, out, 2) != 0)
		rc = assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the JSON report");
	json_decref(root);
	assay_arena_free(&a);
	return rc ? rc : rpt_finish(out, err);
}
