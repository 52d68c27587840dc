/* redteam_report.c: red-team results rendered as text, Markdown, JUnit XML
 * and SARIF 2.1.0 (JSON is result_json.c in lib/genai, HTML is
 * redteam_html.c); the compare report and the catalog listing.
 *
 *   JUnit   one testsuite "redteam", one testcase per gated category (and
 *           the over-refusal gate): failure when the gate failed.
 *   SARIF   one run of tool "assay redteam"; one rule per category
 *           (id = category, helpUri-free, the taxonomy ref in properties);
 *           one result per category with successes > 0, level "error" when
 *           its gate failed, else "warning"; the location is the suite
 *           file (the cases are its findings).
 * Computes nothing: every number comes from struct assay_rt_result.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "assay/json.h"
#include "assay/redteam.h"
#include "assay/version.h"
#include "format.h"

int assay_rt_format_from_name(const char *s)
{
	static const char *const N[] = {"text", "json", "md", "html", "junit", "sarif"};
	for (int i = 0; s && i < 6; i++)
		if (!strcmp(N[i], s))
			return i;
	return -1;
}

static const char *pct(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "—");
	else
		snprintf(buf, n, "%.1f%%", 100 * v);
	return buf;
}

static const char *pct_ci(char *buf, size_t n, struct assay_interval ci)
{
	if (isnan(ci.lo))
		buf[0] = '\0';
	else
		snprintf(buf, n, "[%.1f, %.1f]", 100 * ci.lo, 100 * ci.hi);
	return buf;
}

static const char *gate_word(const struct assay_rt_catsum *c)
{
	return !c->gated ? "" : c->failed ? "FAIL" : "pass";
}

static void text_report(const struct assay_rt_result *r, FILE *out)
{
	char a[32], b[48], t[32];
	fprintf(out, "assay redteam: %s target %s%s%s\n", r->target_kind, r->target,
	        r->model ? ", model " : "", r->model ? r->model : "");
	fprintf(out, "suite %s (sha256 %.12s), seed %llu, gate on the %s\n\n", r->suite_path, r->suite_sha256,
	        (unsigned long long)r->seed,
	        r->basis == ASSAY_RT_GATE_UPPER ? "Wilson 95% upper bound" : "point estimate");
	fprintf(out, "%-16s %-36s %8s %8s %6s %8s %16s %8s %5s\n", "category", "name", "attempts", "success",
	        "errors", "ASR", "95% CI", "max", "gate");
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		const struct assay_rt_category *k = assay_rt_category_find(c->category);
		fprintf(out, "%-16s %-36.36s %8llu %8llu %6llu %8s %16s %8s %5s\n", c->category,
		        k ? k->name : "", (unsigned long long)c->attempts, (unsigned long long)c->successes,
		        (unsigned long long)c->errors, pct(a, sizeof a, c->asr), pct_ci(b, sizeof b, c->ci),
		        isnan(c->max_asr) ? "" : pct(t, sizeof t, c->max_asr), gate_word(c));
	}
	const struct assay_rt_catsum *c = &r->total;
	fprintf(out, "%-16s %-36s %8llu %8llu %6llu %8s %16s\n", "all", "", (unsigned long long)c->attempts,
	        (unsigned long long)c->successes, (unsigned long long)c->errors, pct(a, sizeof a, c->asr),
	        pct_ci(b, sizeof b, c->ci));
	int any = 0;
	for (int s = 1; s < ASSAY_RT_S__COUNT; s++)
		any |= r->strategies[s];
	if (any) {
		fprintf(out, "\nby strategy (all categories):\n");
		for (int s = 0; s < ASSAY_RT_S__COUNT; s++) {
			if (!r->strategies[s])
				continue;
			uint64_t n = 0, k = 0;
			for (size_t i = 0; i < r->ncells; i++)
				if (r->cells[i].strategy == s) {
					n += r->cells[i].attempts;
					k += r->cells[i].successes;
				}
			fprintf(out, "  %-12s %6llu/%-6llu %8s %16s\n",
			        assay_rt_strategy_name((enum assay_rt_strategy)s), (unsigned long long)k,
			        (unsigned long long)n, pct(a, sizeof a, n ? (double)k / (double)n : NAN),
			        pct_ci(b, sizeof b, assay_rt_wilson(k, n)));
		}
	}
	fprintf(out, "\nover-refusal on the benign set: %llu of %llu refused, %s %s",
	        (unsigned long long)r->benign_refusals, (unsigned long long)r->benign_attempts,
	        pct(a, sizeof a, r->over_refusal), pct_ci(b, sizeof b, r->over_refusal_ci));
	if (r->benign_errors)
		fprintf(out, " (%llu errors)", (unsigned long long)r->benign_errors);
	if (!isnan(r->max_over_refusal) && r->benign_attempts)
		fprintf(out, ", max %s: %s", pct(t, sizeof t, r->max_over_refusal),
		        r->over_refusal_failed ? "FAIL" : "pass");
	fprintf(out, "\ntarget calls %llu, cache hits %llu\n", (unsigned long long)r->target_calls,
	        (unsigned long long)r->cache_hits);
	fprintf(out, "gate: %s\n", r->gate_failed ? "FAIL" : "pass");
}

static void md_report(const struct assay_rt_result *r, FILE *out)
{
	char a[32], b[48], t[32];
	fprintf(out, "# Red-team results\n\nTarget: `%s` %s, suite `", r->target_kind,
	        r->model ? r->model : "");
	rpt_put_md(out, r->suite_path);
	fprintf(out, "` (sha256 `%.12s`), seed %llu. Gate: **%s** (on the %s).\n\n", r->suite_sha256,
	        (unsigned long long)r->seed, r->gate_failed ? "FAIL" : "pass",
	        r->basis == ASSAY_RT_GATE_UPPER ? "Wilson 95% upper bound" : "point estimate");
	fprintf(out, "| category | name | attempts | successes | errors | ASR | 95%% CI | max | gate |\n");
	fprintf(out, "|---|---|---:|---:|---:|---:|---|---:|---|\n");
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		const struct assay_rt_category *k = assay_rt_category_find(c->category);
		fprintf(out, "| `%s` | %s | %llu | %llu | %llu | %s | %s | %s | %s |\n", c->category,
		        k ? k->name : "", (unsigned long long)c->attempts, (unsigned long long)c->successes,
		        (unsigned long long)c->errors, pct(a, sizeof a, c->asr), pct_ci(b, sizeof b, c->ci),
		        isnan(c->max_asr) ? "" : pct(t, sizeof t, c->max_asr), gate_word(c));
	}
	fprintf(out, "\nOver-refusal: %llu of %llu benign prompts refused, %s %s.\n",
	        (unsigned long long)r->benign_refusals, (unsigned long long)r->benign_attempts,
	        pct(a, sizeof a, r->over_refusal), pct_ci(b, sizeof b, r->over_refusal_ci));
}

static void junit_report(const struct assay_rt_result *r, FILE *out)
{
	size_t tests = 0, failures = 0;
	for (size_t i = 0; i < r->ncats; i++)
		if (r->cats[i].gated) {
			tests++;
			failures += (size_t)r->cats[i].failed;
		}
	int orgate = !isnan(r->max_over_refusal) && r->benign_attempts;
	tests += (size_t)orgate;
	failures += (size_t)(orgate && r->over_refusal_failed);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	fprintf(out, "  <testsuite name=\"redteam\" tests=\"%zu\" failures=\"%zu\" errors=\"0\"", tests,
	        failures);
	if (r->timestamp)
		fprintf(out, " timestamp=\"%s\"", r->timestamp);
	fprintf(out, ">\n");
	char a[32], b[48], t[32];
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		if (!c->gated)
			continue;
		fprintf(out, "    <testcase classname=\"redteam.%s\" name=\"attack success rate of %s\">",
		        c->category, c->category);
		if (c->failed)
			fprintf(out,
			        "\n      <failure message=\"ASR %s %s above the maximum %s (%llu of %llu "
			        "attacks succeeded)\"/>\n    ",
			        pct(a, sizeof a, c->asr), pct_ci(b, sizeof b, c->ci),
			        pct(t, sizeof t, c->max_asr), (unsigned long long)c->successes,
			        (unsigned long long)c->attempts);
		fprintf(out, "</testcase>\n");
	}
	if (orgate) {
		fprintf(out, "    <testcase classname=\"redteam.benign\" name=\"over-refusal rate\">");
		if (r->over_refusal_failed)
			fprintf(
			    out,
			    "\n      <failure message=\"over-refusal %s %s above the maximum %s\"/>\n    ",
			    pct(a, sizeof a, r->over_refusal), pct_ci(b, sizeof b, r->over_refusal_ci),
			    pct(t, sizeof t, r->max_over_refusal));
		fprintf(out, "</testcase>\n");
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
}

static json_t *sarif(const struct assay_rt_result *r)
{
	json_t *rules = json_array(), *results = json_array();
	char a[32], b[48];
	for (size_t i = 0; i < r->ncats; i++) {
		const struct assay_rt_catsum *c = &r->cats[i];
		const struct assay_rt_category *k = assay_rt_category_find(c->category);
		json_array_append_new(rules,
		                      json_pack("{s:s,s:s,s:{s:s},s:{s:s,s:s}}", "id", c->category, "name",
		                                k ? k->name : c->category, "shortDescription", "text",
		                                k ? k->name : c->category, "properties", "taxonomy",
		                                k ? k->taxonomy : "", "ref", k ? k->ref : ""));
		if (!c->successes)
			continue;
		char *msg = NULL;
		if (asprintf(&msg, "%llu of %llu attacks succeeded (ASR %s, 95%% CI %s)%s",
		             (unsigned long long)c->successes, (unsigned long long)c->attempts,
		             pct(a, sizeof a, c->asr), pct_ci(b, sizeof b, c->ci),
		             c->failed ? "; the gate failed" : "") < 0)
			continue;
		json_array_append_new(
		    results, json_pack("{s:s,s:i,s:s,s:{s:s},s:[{s:{s:{s:s}}}]}", "ruleId", c->category,
		                       "ruleIndex", (int)i, "level", c->failed ? "error" : "warning",
		                       "message", "text", msg, "locations", "physicalLocation",
		                       "artifactLocation", "uri", r->suite_path ? r->suite_path : ""));
		free(msg);
	}
	return json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o}},s:o}]}", "$schema",
	                 "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs", "tool",
	                 "driver", "name", "assay redteam", "version", assay_version(), "rules", rules,
	                 "results", results);
}

int assay_rt_report(const struct assay_rt_result *r, enum assay_rt_format f, FILE *out,
                    struct assay_error *err)
{
	switch (f) {
	case ASSAY_RT_TEXT:
		text_report(r, out);
		break;
	case ASSAY_RT_JSON:
		return assay_rt_result_write_json(r, out, err);
	case ASSAY_RT_MD:
		md_report(r, out);
		break;
	case ASSAY_RT_HTML:
		rpt_redteam_html(r, out);
		break;
	case ASSAY_RT_JUNIT:
		junit_report(r, out);
		break;
	case ASSAY_RT_SARIF: {
		json_t *s = sarif(r);
		int rc = s ? assay_json_write(s, out, 2) : -1;
		json_decref(s);
		if (rc)
			return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the SARIF report");
		fputc('\n', out);
		break;
	}
	}
	return rpt_finish(out, err);
}

/* ---- compare ------------------------------------------------------------ */

static json_t *jnum(double d)
{
	return isfinite(d) ? json_real(d) : json_null();
}

int assay_rt_compare_report(const struct assay_rt_compare *c, enum assay_rt_format f, FILE *out,
                            struct assay_error *err)
{
	char a[32], b[32], p[32];
	if (f == ASSAY_RT_JSON) {
		json_t *o = json_object(), *cats = json_array();
		json_object_set_new(o, "schema", json_string("assay.redteam-compare/1"));
		json_object_set_new(o, "tool",
		                    json_pack("{s:s,s:s}", "name", "assay", "version", assay_version()));
		json_object_set_new(o, "inputs",
		                    json_pack("{s:{s:s?,s:s?},s:{s:s?,s:s?}}", "baseline", "path",
		                              c->base_path, "sha256", c->base_sha256, "current", "path",
		                              c->cur_path, "sha256", c->cur_sha256));
		json_object_set_new(o, "parameters",
		                    json_pack("{s:o,s:s,s:s}", "alpha", json_real(c->alpha), "alternative",
		                              "greater", "small_counts", "fisher when an expected cell < 5"));
		for (size_t i = 0; i < c->n; i++) {
			const struct assay_rt_delta *d = &c->d[i];
			json_t *x = json_object();
			json_object_set_new(x, "id", json_string(d->category));
			json_object_set_new(x, "baseline",
			                    json_pack("{s:I,s:I,s:o}", "attempts", (json_int_t)d->base_n,
			                              "successes", (json_int_t)d->base_k, "asr",
			                              jnum(d->base_asr)));
			json_object_set_new(x, "current",
			                    json_pack("{s:I,s:I,s:o}", "attempts", (json_int_t)d->cur_n,
			                              "successes", (json_int_t)d->cur_k, "asr",
			                              jnum(d->cur_asr)));
			json_object_set_new(x, "test", json_string(d->test));
			json_object_set_new(x, "z", jnum(d->statistic));
			json_object_set_new(x, "p", jnum(d->p));
			json_object_set_new(x, "regression", json_boolean(d->regression));
			if (d->only_in)
				json_object_set_new(x, "only_in",
				                    json_string(d->only_in == 1 ? "baseline" : "current"));
			json_array_append_new(cats, x);
		}
		json_object_set_new(o, "categories", cats);
		json_object_set_new(o, "regressions", json_integer(c->regressions));
		int rc = assay_json_write(o, out, 2);
		json_decref(o);
		if (rc)
			return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the comparison");
		fputc('\n', out);
		return rpt_finish(out, err);
	}
	int md = f == ASSAY_RT_MD;
	if (md)
		fprintf(out, "| category | baseline | current | test | p (one-sided) | verdict "
		             "|\n|---|---:|---:|---|---:|---|\n");
	else
		fprintf(out, "%-16s %18s %18s %7s %10s  %s\n", "category", "baseline", "current", "test", "p",
		        "verdict");
	for (size_t i = 0; i < c->n; i++) {
		const struct assay_rt_delta *d = &c->d[i];
		char bb[64], cc[64];
		snprintf(bb, sizeof bb, "%llu/%llu %s", (unsigned long long)d->base_k,
		         (unsigned long long)d->base_n, pct(a, sizeof a, d->base_asr));
		snprintf(cc, sizeof cc, "%llu/%llu %s", (unsigned long long)d->cur_k,
		         (unsigned long long)d->cur_n, pct(b, sizeof b, d->cur_asr));
		if (isnan(d->p))
			snprintf(p, sizeof p, "—");
		else
			snprintf(p, sizeof p, "%.4g", d->p);
		const char *v = d->only_in == 1   ? "only in baseline"
		                : d->only_in == 2 ? "only in current"
		                : d->regression   ? "REGRESSION"
		                : isnan(d->p)     ? "not tested"
		                                  : "no significant increase";
		if (md)
			fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", d->category, bb, cc, d->test, p,
			        v);
		else
			fprintf(out, "%-16s %18s %18s %7s %10s  %s\n", d->category, bb, cc, d->test, p, v);
	}
	fprintf(out, "%s%d significant regression%s at alpha %g (one-sided)\n", md ? "\n" : "\n",
	        c->regressions, c->regressions == 1 ? "" : "s", c->alpha);
	return rpt_finish(out, err);
}

/* ---- catalog ------------------------------------------------------------ */

struct counts {
	size_t builtin, imported;
};

int assay_rt_catalog_report(enum assay_rt_format f, const char *shared_dir, FILE *out,
                            struct assay_error *err)
{
	size_t ncat = assay_rt_ncategories(), nsrc = assay_rt_nsources();
	struct assay_arena a = {0};
	assay_arena_init(&a);
	size_t(*cnt)[8] = assay_arena_calloc(&a, ncat, sizeof *cnt);
	int *avail = assay_arena_calloc(&a, nsrc, sizeof *avail);
	if (!cnt || !avail) {
		assay_arena_free(&a);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	for (size_t i = 0; i < assay_rt_builtin_count(); i++) {
		const struct assay_rt_category *c = assay_rt_category_find(assay_rt_builtin_at(i)->category);
		cnt[c - assay_rt_category_at(0)][0]++;
	}
	/* the imported sets, when the shared data directory has them */
	for (size_t s = 1; shared_dir && s < nsrc; s++) {
		const struct assay_rt_source *src = assay_rt_source_at(s);
		if (!src->path)
			continue;
		char *path = assay_arena_printf(&a, "%s/%s", shared_dir, src->path);
		struct assay_rt_caseset set = {.arena = &a};
		struct assay_error e2;
		int rc = !strcmp(src->id, "ailuminate") ? assay_rt_import_ailuminate(&set, path, &e2)
		         : !strcmp(src->id, "xstest")   ? assay_rt_import_xstest(&set, path, "safe", &e2)
		                                        : assay_rt_import_bipia(&set, path, &e2);
		if (rc)
			continue;
		avail[s] = 1;
		for (size_t i = 0; i < set.n; i++) {
			const struct assay_rt_category *c = assay_rt_category_find(set.v[i].category);
			cnt[c - assay_rt_category_at(0)][s]++;
		}
	}
	if (f == ASSAY_RT_JSON) {
		json_t *o = json_object(), *cats = json_array(), *srcs = json_array(), *strats = json_array();
		json_object_set_new(o, "schema", json_string("assay.redteam-catalog/1"));
		json_object_set_new(o, "tool",
		                    json_pack("{s:s,s:s}", "name", "assay", "version", assay_version()));
		for (size_t i = 0; i < ncat; i++) {
			const struct assay_rt_category *c = assay_rt_category_at(i);
			json_t *by = json_object();
			for (size_t s = 0; s < nsrc; s++)
				if (cnt[i][s])
					json_object_set_new(by, assay_rt_source_at(s)->id,
					                    json_integer((json_int_t)cnt[i][s]));
			json_array_append_new(cats, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "id", c->id,
			                                      "name", c->name, "taxonomy", c->taxonomy, "ref",
			                                      c->ref, "oracle",
			                                      assay_rt_oracle_name(c->oracle), "cases", by));
		}
		for (size_t s = 0; s < nsrc; s++) {
			const struct assay_rt_source *src = assay_rt_source_at(s);
			json_array_append_new(srcs, json_pack("{s:s,s:s,s:s,s:s?,s:b}", "id", src->id,
			                                      "description", src->description, "licence",
			                                      src->licence, "path", src->path, "available",
			                                      s == 0 || s == nsrc - 1 || avail[s]));
		}
		for (int s = 0; s < ASSAY_RT_S__COUNT; s++)
			json_array_append_new(strats,
			                      json_string(assay_rt_strategy_name((enum assay_rt_strategy)s)));
		json_object_set_new(o, "categories", cats);
		json_object_set_new(o, "sources", srcs);
		json_object_set_new(o, "strategies", strats);
		int rc = assay_json_write(o, out, 2);
		json_decref(o);
		assay_arena_free(&a);
		if (rc)
			return assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the catalog");
		fputc('\n', out);
		return rpt_finish(out, err);
	}
	fprintf(out, "%-15s %-48s %-26s %5s %8s %10s %6s %6s\n", "category", "name", "taxonomy", "ref",
	        "builtin", "ailuminate", "xstest", "bipia");
	for (size_t i = 0; i < ncat; i++) {
		const struct assay_rt_category *c = assay_rt_category_at(i);
		fprintf(out, "%-15s %-48.48s %-26.26s %5s %8zu %10zu %6zu %6zu\n", c->id, c->name,
		        c->taxonomy, c->ref, cnt[i][0], cnt[i][1], cnt[i][2], cnt[i][3]);
	}
	fprintf(out, "\nsources:\n");
	for (size_t s = 0; s < nsrc; s++) {
		const struct assay_rt_source *src = assay_rt_source_at(s);
		fprintf(out, "  %-11s %s; licence %s%s%s%s\n", src->id, src->description, src->licence,
		        src->path ? "; " : "", src->path ? src->path : "",
		        src->path && !avail[s] ? " (not found)" : "");
	}
	fprintf(out, "\nstrategies:");
	for (int s = 0; s < ASSAY_RT_S__COUNT; s++)
		fprintf(out, " %s", assay_rt_strategy_name((enum assay_rt_strategy)s));
	fprintf(out, "\n");
	assay_arena_free(&a);
	return rpt_finish(out, err);
}
