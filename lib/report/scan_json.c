/* scan_json.c: the scan report as JSON (schema assay.scan/1, documented in
 * docs/scan.md) and as SARIF 2.1.0 (OASIS; one rule per detector, one
 * result per finding, region by line/column and byte offsets).
 *
 * Both are built with jansson and printed by assay_json_write (fixed key
 * order, shortest round-trip doubles), so the same inputs give the same
 * bytes. Values are what the caller put in the report (masked by
 * default). It deliberately computes nothing.
 */
#include <string.h>

#include "assay/json.h"
#include "assay/scan_report.h"
#include "format.h"
#include "scan_format.h"

static json_t *str_or_null(const char *s, struct assay_arena *a)
{
	return s ? json_string(rpt_utf8_fix(a, s)) : json_null();
}

static json_t *inputs_json(const struct assay_scan_report *r, struct assay_arena *a)
{
	json_t *in = json_array();
	for (size_t i = 0; i < r->ninputs; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "role", json_string(r->inputs[i].role));
		json_object_set_new(o, "path", str_or_null(r->inputs[i].path, a));
		json_object_set_new(o, "sha256", json_string(r->inputs[i].sha256));
		json_object_set_new(o, "bytes", json_integer((json_int_t)r->inputs[i].bytes));
		if (strcmp(r->mode, "data") == 0 && strcmp(r->inputs[i].role, "data") == 0)
			json_object_set_new(o, "rows", json_integer((json_int_t)r->inputs[i].rows));
		json_array_append_new(in, o);
	}
	return in;
}

static json_t *scan_json(const struct assay_scan_report *r, struct assay_arena *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "schema", json_string(r->schema));
	json_object_set_new(o, "tool", json_string("assay"));
	json_object_set_new(o, "tool_version", json_string(r->tool_version));
	json_object_set_new(o, "generated_at", json_string(r->generated_at));
	json_object_set_new(o, "inputs", inputs_json(r, a));
	json_t *p = json_object();
	json_object_set_new(p, "mode", json_string(r->mode));
	json_object_set_new(p, "groups", json_string(r->groups));
	json_object_set_new(p, "min_confidence", json_real(r->min_confidence));
	json_object_set_new(p, "decode", json_boolean(r->decode));
	json_object_set_new(p, "show_values", json_boolean(r->show_values));
	json_object_set_new(p, "rules", str_or_null(r->rules_file, a));
	json_object_set_new(p, "rules_sha256", str_or_null(r->rules_sha256, a));
	json_object_set_new(p, "fail_on", json_string(r->fail_on));
	json_object_set_new(o, "parameters", p);
	json_t *sum = json_object();
	json_object_set_new(sum, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(sum, "findings", json_integer((json_int_t)(r->nitems + r->items_dropped)));
	json_object_set_new(sum, "findings_listed", json_integer((json_int_t)r->nitems));
	json_object_set_new(sum, "failing", json_integer((json_int_t)r->failing));
	json_t *byent = json_object();
	for (size_t i = 0; i < r->ncounts; i++)
		json_object_set_new(byent, r->counts[i].entity,
		                    json_integer((json_int_t)r->counts[i].findings));
	json_object_set_new(sum, "by_entity", byent);
	json_object_set_new(o, "summary", sum);
	json_t *items = json_array();
	for (size_t i = 0; i < r->nitems; i++) {
		const struct assay_scan_item *it = &r->items[i];
		json_t *f = json_object();
		json_object_set_new(f, "file", str_or_null(it->file, a));
		json_object_set_new(f, "line", json_integer((json_int_t)it->line));
		json_object_set_new(f, "column", json_integer((json_int_t)it->column));
		json_object_set_new(f, "start", json_integer((json_int_t)it->start));
		json_object_set_new(f, "end", json_integer((json_int_t)it->end));
		json_object_set_new(f, "entity", json_string(it->entity));
		json_object_set_new(f, "detector", json_string(it->detector));
		json_object_set_new(f, "confidence", json_real(it->confidence));
		json_object_set_new(f, "value", str_or_null(it->value, a));
		if (it->encoding)
			json_object_set_new(f, "encoding", json_string(it->encoding));
		if (it->rules)
			json_object_set_new(f, "markers", json_string(it->rules));
		json_array_append_new(items, f);
	}
	json_object_set_new(o, "findings", items);
	if (strcmp(r->mode, "data") == 0) {
		json_t *cols = json_array();
		for (size_t i = 0; i < r->ncolumns; i++) {
			const struct assay_scan_column *c = &r->columns[i];
			json_t *co = json_object();
			json_object_set_new(co, "name", str_or_null(c->name, a));
			json_object_set_new(co, "rows_nonempty", json_integer((json_int_t)c->rows_nonempty));
			json_t *es = json_array();
			for (size_t k = 0; k < c->nentities; k++) {
				json_t *e = json_object();
				json_object_set_new(e, "entity", json_string(c->entities[k].entity));
				json_object_set_new(e, "rows", json_integer((json_int_t)c->entities[k].rows));
				json_object_set_new(
				    e, "share",
				    json_real(r->rows ? (double)c->entities[k].rows / (double)r->rows : 0.0));
				json_array_append_new(es, e);
			}
			json_object_set_new(co, "entities", es);
			json_array_append_new(cols, co);
		}
		json_object_set_new(o, "rows", json_integer((json_int_t)r->rows));
		json_object_set_new(o, "columns", cols);
	}
	return o;
}

static json_t *sarif_json(const struct assay_scan_report *r, struct assay_arena *a)
{
	json_t *rules = json_array(), *results = json_array();
	const char **seen = assay_arena_calloc(a, r->nitems + 1, sizeof *seen);
	size_t nseen = 0;
	for (size_t i = 0; i < r->nitems; i++) {
		const struct assay_scan_item *it = &r->items[i];
		size_t k = 0;
		while (k < nseen && strcmp(seen[k], it->detector) != 0)
			k++;
		if (k == nseen) {
			seen[nseen++] = it->detector;
			json_t *ru = json_object();
			json_object_set_new(ru, "id", json_string(it->detector));
			json_object_set_new(ru, "name", json_string(it->entity));
			json_t *sd = json_object();
			json_object_set_new(
			    sd, "text",
			    json_string(assay_arena_printf(a, "%s found by %s", it->entity, it->detector)));
			json_object_set_new(ru, "shortDescription", sd);
			json_array_append_new(rules, ru);
		}
		json_t *res = json_object();
		json_object_set_new(res, "ruleId", json_string(it->detector));
		json_object_set_new(res, "ruleIndex", json_integer((json_int_t)k));
		json_object_set_new(res, "level", json_string(it->counts ? "error" : "warning"));
		json_t *msg = json_object();
		json_object_set_new(msg, "text",
		                    json_string(rpt_utf8_fix(
		                        a, assay_arena_printf(a, "%s (confidence %.2f): %s", it->entity,
		                                              it->confidence, it->value ? it->value : ""))));
		json_object_set_new(res, "message", msg);
		json_t *reg = json_object();
		json_object_set_new(reg, "startLine", json_integer((json_int_t)(it->line ? it->line : 1)));
		json_object_set_new(reg, "startColumn",
		                    json_integer((json_int_t)(it->column ? it->column : 1)));
		json_object_set_new(reg, "byteOffset", json_integer((json_int_t)it->start));
		json_object_set_new(reg, "byteLength", json_integer((json_int_t)(it->end - it->start)));
		json_t *art = json_object();
		json_object_set_new(art, "uri", json_string(rpt_utf8_fix(a, it->file ? it->file : "-")));
		json_t *phys = json_object();
		json_object_set_new(phys, "artifactLocation", art);
		json_object_set_new(phys, "region", reg);
		json_t *loc = json_object();
		json_object_set_new(loc, "physicalLocation", phys);
		json_t *locs = json_array();
		json_array_append_new(locs, loc);
		json_object_set_new(res, "locations", locs);
		json_array_append_new(results, res);
	}
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("assay"));
	json_object_set_new(driver, "version", json_string(r->tool_version));
	json_object_set_new(driver, "informationUri",
	                    json_string("https://example.invalid/assay/docs/scan.md"));
	json_object_set_new(driver, "rules", rules);
	json_t *tool = json_object();
	json_object_set_new(tool, "driver", driver);
	json_t *run = json_object();
	json_object_set_new(run, "tool", tool);
	json_object_set_new(run, "results", results);
	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_t *o = json_object();
	json_object_set_new(o, "$schema", json_string("https://json.schemastore.org/sarif-2.1.0.json"));
	json_object_set_new(o, "version", json_string("2.1.0"));
	json_object_set_new(o, "runs", runs);
	return o;
}

int rpt_render_scan_json(const struct assay_scan_report *r, int sarif, FILE *out, struct assay_error *err)
{
	struct assay_arena a = {0};
	assay_arena_init(&a);
	json_t *o = sarif ? sarif_json(r, &a) : scan_json(r, &a);
	int rc = 0;
	if (!o)
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory rendering JSON");
	else if (assay_json_write(o, out, 2) != 0)
		rc = assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the report");
	else
		fputc('\n', out);
	json_decref(o);
	assay_arena_free(&a);
	return rc ? rc : rpt_finish(out, err);
}
