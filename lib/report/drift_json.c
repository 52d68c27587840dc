/* drift_json.c: the drift report as JSON, schema "assay.drift/1"
 * (docs/drift.md): tool version, both inputs (path, sha256, rows, kind),
 * the parameters, the verdict, schema changes and one object per column
 * with every statistic and its histogram. Built with jansson and printed
 * by assay_json_write, so equal reports are equal bytes. NaN and infinite
 * statistics are null (JSON has no such numbers). Computes nothing.
 */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "assay/drift.h"
#include "assay/json.h"
#include "assay/version.h"
#include "drift_render.h"

static json_t *jnum(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

static json_t *jstr(const char *s)
{
	json_t *v = s ? json_string(s) : json_null();
	return v ? v : json_string("\xef\xbf\xbd"); /* invalid UTF-8: U+FFFD */
}

static const char *type_name(enum assay_column_type t)
{
	return t == ASSAY_COL_NUMERIC ? "numeric" : t == ASSAY_COL_CATEGORICAL ? "categorical" : "empty";
}

static json_t *input(const struct assay_drift_input *in)
{
	return json_pack("{s:o, s:s, s:I, s:s}", "path", jstr(in->path), "sha256", in->sha256, "rows",
	                 (json_int_t)in->rows, "kind", in->is_profile ? "profile" : "data");
}

static json_t *names(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < ASSAY_DRIFT_MAX_NAMED; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

static json_t *histogram(const struct assay_bins *b)
{
	json_t *h = json_object(), *ref = json_array(), *cur = json_array();
	if (b->name) {
		json_t *cats = json_array();
		for (size_t i = 0; i < b->n; i++)
			json_array_append_new(cats, jstr(b->name[i]));
		json_object_set_new(h, "categories", cats);
	} else {
		json_t *edges = json_array();
		for (size_t i = 0; i < b->n; i++)
			json_array_append_new(edges, jnum(b->lo[i]));
		if (b->n)
			json_array_append_new(edges, jnum(b->hi[b->n - 1]));
		json_object_set_new(h, "edges", edges);
	}
	for (size_t i = 0; i < b->n; i++) {
		json_array_append_new(ref, json_integer((json_int_t)b->ref[i]));
		json_array_append_new(cur, json_integer((json_int_t)b->cur[i]));
	}
	json_object_set_new(h, "reference", ref);
	json_object_set_new(h, "current", cur);
	return h;
}

static json_t *column(const struct assay_drift_column *d)
{
	static const char *const roles[] = {"feature", "label", "prediction"};
	json_t *o = json_object();
	json_object_set_new(o, "name", jstr(d->name));
	json_object_set_new(o, "role", json_string(roles[d->role]));
	json_object_set_new(o, "status", json_string(rpt_drift_status_name(d->status)));
	json_object_set_new(o, "reference_type", json_string(type_name(d->ref_type)));
	json_object_set_new(o, "current_type", json_string(type_name(d->cur_type)));
	if (d->status == ASSAY_DRIFT_ADDED || d->status == ASSAY_DRIFT_REMOVED ||
	    assay_drift_not_compared(d->status)) {
		if (d->note[0])
			json_object_set_new(o, "note", jstr(d->note));
		return o;
	}
	json_object_set_new(o, "method", json_string(assay_drift_method_name(d->method)));
	json_object_set_new(o, "statistic", jnum(d->statistic));
	json_object_set_new(o, "threshold", jnum(d->threshold));
	json_object_set_new(o, "drifted", json_boolean(d->drifted));
	json_object_set_new(o, "approximate", json_boolean(d->approximate));
	json_object_set_new(o, "inconclusive", json_boolean(d->inconclusive));
	json_object_set_new(o, "n_reference", json_integer((json_int_t)d->nref));
	json_object_set_new(o, "n_current", json_integer((json_int_t)d->ncur));
	json_t *s = json_object();
	if (!d->categorical || !isnan(d->ks_d)) {
		json_object_set_new(s, "ks_d", jnum(d->ks_d));
		json_object_set_new(s, "ks_pvalue", jnum(d->ks_p));
		json_object_set_new(s, "ks_exact", json_boolean(d->ks_exact));
		if (d->approximate) {
			json_object_set_new(s, "ks_d_error", jnum(d->ks_d_error));
			json_object_set_new(s, "ks_critical_d", jnum(d->ks_critical));
		}
		json_object_set_new(s, "wasserstein", jnum(d->wasserstein));
		json_object_set_new(s, "wasserstein_norm", jnum(d->wasserstein_norm));
	}
	json_object_set_new(s, "psi", jnum(d->psi));
	json_object_set_new(s, "js", jnum(d->js));
	json_object_set_new(s, "kl", jnum(d->kl));
	json_object_set_new(s, "hellinger", jnum(d->hellinger));
	if (d->categorical) {
		json_object_set_new(s, "chi2", jnum(d->chi2));
		json_object_set_new(s, "chi2_pvalue", jnum(d->chi2_p));
		json_object_set_new(s, "chi2_dof", json_integer((json_int_t)d->chi2_dof));
		json_object_set_new(s, "z", jnum(d->z));
		json_object_set_new(s, "z_pvalue", jnum(d->z_p));
	}
	json_object_set_new(o, "statistics", s);
	if (d->categorical && d->hist.name) {
		json_object_set_new(o, "new_categories", names(d->new_cat, d->nnew));
		json_object_set_new(o, "n_new_categories", json_integer((json_int_t)d->nnew));
		json_object_set_new(o, "vanished_categories", names(d->vanished_cat, d->nvanished));
		json_object_set_new(o, "n_vanished_categories", json_integer((json_int_t)d->nvanished));
	}
	json_object_set_new(o, "histogram", histogram(&d->hist));
	if (d->note[0])
		json_object_set_new(o, "note", jstr(d->note));
	return o;
}

int rpt_drift_json(const struct assay_drift_report *r, FILE *out, struct assay_error *err)
{
	const struct assay_drift_params *p = &r->params;
	json_t *doc = json_object();
	json_object_set_new(doc, "schema", json_string("assay.drift/1"));
	json_object_set_new(doc, "tool",
	                    json_pack("{s:s, s:s}", "name", "assay", "version", assay_version()));
	json_object_set_new(doc, "inputs",
	                    json_pack("{s:o, s:o}", "reference", input(&r->ref), "current", input(&r->cur)));
	json_t *par = json_object();
	json_object_set_new(par, "method", json_string(assay_drift_method_name(p->method)));
	json_object_set_new(par, "threshold", jnum(p->threshold));
	json_object_set_new(par, "drift_share", jnum(p->drift_share));
	json_object_set_new(par, "compat", json_string(p->evidently ? "evidently@0.7" : "assay"));
	json_object_set_new(par, "js_base",
	                    p->evidently || p->js_base <= 0 ? json_string("e") : jnum(p->js_base));
	json_object_set_new(par, "quantile_bins", json_integer((json_int_t)p->quantile_bins));
	json_object_set_new(doc, "parameters", par);
	json_t *sum = json_object();
	json_object_set_new(sum, "columns_compared", json_integer((json_int_t)r->ncompared));
	json_object_set_new(sum, "columns_drifted", json_integer((json_int_t)r->ndrifted));
	json_object_set_new(sum, "share_drifted", jnum(r->share));
	json_object_set_new(sum, "columns_inconclusive", json_integer((json_int_t)r->ninconclusive));
	json_object_set_new(sum, "dataset_drift", json_boolean(r->dataset_drift));
	json_object_set_new(sum, "label_drift",
	                    r->label_drift < 0 ? json_null() : json_boolean(r->label_drift));
	json_object_set_new(sum, "prediction_drift",
	                    r->pred_drift < 0 ? json_null() : json_boolean(r->pred_drift));
	json_object_set_new(sum, "drift_detected", json_boolean(assay_drift_detected(r)));
	json_object_set_new(doc, "summary", sum);
	json_t *added = json_array(), *removed = json_array(), *retyped = json_array(), *cols = json_array();
	for (size_t i = 0; i < r->ncolumns; i++) {
		const struct assay_drift_column *d = &r->columns[i];
		if (d->status == ASSAY_DRIFT_ADDED)
			json_array_append_new(added, jstr(d->name));
		else if (d->status == ASSAY_DRIFT_REMOVED)
			json_array_append_new(removed, jstr(d->name));
		else if (d->status == ASSAY_DRIFT_RETYPED)
			json_array_append_new(retyped, json_pack("{s:o, s:s, s:s}", "column", jstr(d->name),
			                                         "reference", type_name(d->ref_type),
			                                         "current", type_name(d->cur_type)));
		json_array_append_new(cols, column(d));
	}
	json_object_set_new(
	    doc, "schema_changes",
	    json_pack("{s:o, s:o, s:o}", "added", added, "removed", removed, "retyped", retyped));
	json_object_set_new(doc, "columns", cols);
	int rc = assay_json_write(doc, out, 2);
	json_decref(doc);
	if (rc != 0)
		return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the JSON report");
	return 0;
}
