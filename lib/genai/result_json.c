/* result_json.c: a red-team result as JSON, schema "assay.redteam/1", and
 * back (for `assay redteam compare`).
 *
 *   {"schema": "assay.redteam/1", "tool": {name, version}, "timestamp",
 *    "inputs": {"suite": {path, sha256}},
 *    "parameters": {target_kind, target, model, seed, strategies, gate_basis, canary},
 *    "summary": {attempts, successes, errors, asr, ci: [lo, hi], gate, target_calls, cache_hits},
 *    "categories": [{id, name, taxonomy, ref, attempts, successes, errors, asr, ci, max_asr, gate}],
 *    "cells": [{category, strategy, attempts, successes, errors, asr, ci}],
 *    "over_refusal": {attempts, refusals, errors, rate, ci, max, gate}}
 *
 * Rates with no attempts are null. Timing is not in the document (same
 * inputs and seed, same bytes; SOURCE_DATE_EPOCH pins the timestamp).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assay/json.h"
#include "assay/redteam.h"
#include "assay/version.h"

static json_t *num(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

static json_t *ci(struct assay_interval c)
{
	if (!isfinite(c.lo) || !isfinite(c.hi))
		return json_null();
	return json_pack("[oo]", json_real(c.lo), json_real(c.hi));
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *gate(int gated, int failed)
{
	return !gated ? "none" : failed ? "fail" : "pass";
}

int assay_rt_result_write_json(const struct assay_rt_result *r, FILE *out, struct assay_error *err)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string("assay.redteam/1"));
	json_object_set_new(o, "tool", json_pack("{s:s,s:s}", "name", "assay", "version", assay_version()));
	json_object_set_new(o, "timestamp", str(r->timestamp));
	json_object_set_new(
	    o, "inputs",
	    json_pack("{s:{s:o,s:o}}", "suite", "path", str(r->suite_path), "sha256", str(r->suite_sha256)));
	json_t *strats = json_array();
	for (int i = 0; i < ASSAY_RT_S__COUNT; i++)
		if (r->strategies[i])
			json_array_append_new(strats,
			                      json_string(assay_rt_strategy_name((enum assay_rt_strategy)i)));
	json_t *p = json_object();
	json_object_set_new(p, "target_kind", str(r->target_kind));
	json_object_set_new(p, "target", str(r->target));
	json_object_set_new(p, "model", str(r->model));
	json_object_set_new(p, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(p, "strategies", strats);
	json_object_set_new(p, "gate_basis",
	                    json_string(r->basis == ASSAY_RT_GATE_UPPER ? "wilson-upper" : "point"));
	json_object_set_new(p, "canary", str(r->canary));
	json_object_set_new(o, "parameters", p);
	json_t *s = json_object();
	json_object_set_new(s, "attempts", json_integer((json_int_t)r->total.attempts));
	json_object_set_new(s, "successes", json_integer((json_int_t)r->total.successes));
	json_object_set_new(s, "errors", json_integer((json_int_t)r->total.errors));
	json_object_set_new(s, "asr", num(r->total.asr));
	json_object_set_new(s, "ci", ci(r->total.ci));
	json_object_set_new(s, "gate", json_string(r->gate_failed ? "fail" : "pass"));
	json_object_set_new(s, "target_calls", json_integer((json_int_t)r->target_calls));
	json_object_set_new(s, "cache_hits", json_integer((json_int_t)r->cache_hits));
	json_object_set_new(o, "summary", s);
	json_t *cats = json_array();
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		const struct assay_rt_category *k = assay_rt_category_find(c->category);
		json_t *x = json_object();
		json_object_set_new(x, "id", json_string(c->category));
		json_object_set_new(x, "name", str(k ? k->name : NULL));
		json_object_set_new(x, "taxonomy", str(k ? k->taxonomy : NULL));
		json_object_set_new(x, "ref", str(k ? k->ref : NULL));
		json_object_set_new(x, "attempts", json_integer((json_int_t)c->attempts));
		json_object_set_new(x, "successes", json_integer((json_int_t)c->successes));
		json_object_set_new(x, "errors", json_integer((json_int_t)c->errors));
		json_object_set_new(x, "asr", num(c->asr));
		json_object_set_new(x, "ci", ci(c->ci));
		json_object_set_new(x, "max_asr", num(c->max_asr));
		json_object_set_new(x, "gate", json_string(gate(c->gated, c->failed)));
		json_array_append_new(cats, x);
	}
	json_object_set_new(o, "categories", cats);
	json_t *cells = json_array();
	for (size_t i = 0; i < r->ncells; i++) {
		const struct assay_rt_cell *c = &r->cells[i];
		json_t *x = json_object();
		json_object_set_new(x, "category", json_string(c->category));
		json_object_set_new(x, "strategy",
		                    json_string(assay_rt_strategy_name((enum assay_rt_strategy)c->strategy)));
		json_object_set_new(x, "attempts", json_integer((json_int_t)c->attempts));
		json_object_set_new(x, "successes", json_integer((json_int_t)c->successes));
		json_object_set_new(x, "errors", json_integer((json_int_t)c->errors));
		json_object_set_new(x, "asr", num(c->asr));
		json_object_set_new(x, "ci", ci(c->ci));
		json_array_append_new(cells, x);
	}
	json_object_set_new(o, "cells", cells);
	json_t *b = json_object();
	json_object_set_new(b, "attempts", json_integer((json_int_t)r->benign_attempts));
	json_object_set_new(b, "refusals", json_integer((json_int_t)r->benign_refusals));
	json_object_set_new(b, "errors", json_integer((json_int_t)r->benign_errors));
	json_object_set_new(b, "rate", num(r->over_refusal));
	json_object_set_new(b, "ci", ci(r->over_refusal_ci));
	json_object_set_new(b, "max", num(r->max_over_refusal));
	json_object_set_new(
	    b, "gate",
	    json_string(gate(!isnan(r->max_over_refusal) && r->benign_attempts, r->over_refusal_failed)));
	json_object_set_new(o, "over_refusal", b);
	int rc = assay_json_write(o, out, 2);
	json_decref(o);
	if (rc || fputc('\n', out) == EOF)
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the JSON result");
	return 0;
}

static uint64_t u64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint64_t)json_integer_value(v) : 0;
}

int assay_rt_result_read_json(struct assay_rt_result **out, const char *path, struct assay_error *err)
{
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o) {
		assay_error_set(err, je.line > 0 ? ASSAY_EINPUT : ASSAY_EIO, path,
		                je.line > 0 ? (uint64_t)je.line : 0, je.column > 0 ? (uint64_t)je.column : 0,
		                "cannot read the red-team result: %s", je.text);
		return err->code;
	}
	const char *schema = json_string_value(json_object_get(o, "schema"));
	json_t *cats = json_object_get(o, "categories");
	if (!schema || strcmp(schema, "assay.redteam/1") || !json_is_array(cats)) {
		assay_error_set(err, ASSAY_EINPUT, path, 1, 1,
		                "not a red-team result (schema \"%s\", want assay.redteam/1)",
		                schema ? schema : "none");
		json_decref(o);
		assay_error_hint(err, "write one with `assay redteam run ... --format json --out FILE`");
		return err->code;
	}
	struct assay_rt_result *r = calloc(1, sizeof *r);
	if (!r) {
		json_decref(o);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	assay_arena_init(&r->arena);
	r->suite_path = assay_arena_strdup(&r->arena, path);
	const char *sha = json_string_value(
	    json_object_get(json_object_get(json_object_get(o, "inputs"), "suite"), "sha256"));
	r->suite_sha256 = sha ? assay_arena_strdup(&r->arena, sha) : NULL;
	r->ncats = json_array_size(cats);
	r->cats = assay_arena_calloc(&r->arena, r->ncats + 1, sizeof *r->cats);
	for (size_t i = 0; r->cats && i < r->ncats; i++) {
		json_t *x = json_array_get(cats, i);
		const char *id = json_string_value(json_object_get(x, "id"));
		struct assay_rt_catsum *c = &r->cats[i];
		if (!id || u64(x, "successes") > u64(x, "attempts")) {
			json_decref(o);
			assay_rt_result_free(r);
			return assay_error_set(err, ASSAY_EINPUT, path, 0, 0,
			                       "categories[%zu]: needs an id and successes <= attempts", i);
		}
		c->category = assay_arena_strdup(&r->arena, id);
		c->attempts = u64(x, "attempts");
		c->successes = u64(x, "successes");
		c->errors = u64(x, "errors");
		c->asr = c->attempts ? (double)c->successes / (double)c->attempts : NAN;
		c->ci = assay_rt_wilson(c->successes, c->attempts);
		c->max_asr = NAN;
	}
	json_decref(o);
	*out = r;
	return 0;
}
