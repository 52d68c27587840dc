/* junit.c: the eval report as JUnit XML, for CI systems that show test
 * results (GitLab, Jenkins, GitHub test reporters).
 *
 *   <testsuites> <testsuite name="assay eval" tests failures errors skipped>
 *     <properties> tool version, inputs with sha256 </properties>
 *     <testcase classname="assay.eval.<plan>" name="<check>"> per check,
 *       <failure> for a failed check (value, interval, threshold, why),
 *       an inconclusive check is a <failure> when params.inconclusive_fails,
 *       else <skipped>;
 *     with no checks one passing "evaluation completed" case;
 *     <system-out> a plain-text summary.
 *
 * <plan> is the plan file's basename without its extension: JUnit viewers
 * split classname at dots into package and class, so "plan.yaml" would
 * show as class "yaml". Every string goes through rpt_put_xml, which also
 * replaces characters XML 1.0 cannot carry. There is no "time": checks
 * are judged from a finished evaluation, and a clock would break
 * byte-identical output.
 *
 * It deliberately emits no <error>: a failed check is a failure, never an
 * error; errors are reported by the front end as an exit status.
 */
#include <string.h>

#include "format.h"

static void attr(FILE *out, const char *name, const char *value)
{
	fprintf(out, " %s=\"", name);
	rpt_put_xml(out, value);
	fputc('"', out);
}

/* "assay.eval.plan" for "ci/plan.yaml". */
static const char *classname(struct assay_arena *a, const char *plan_file)
{
	if (!plan_file || !*plan_file)
		return "assay.eval";
	const char *base = rpt_basename(plan_file);
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	const char *s = assay_arena_printf(a, "assay.eval.%.*s", (int)len, base);
	return s ? s : "assay.eval";
}

/* "race, between_groups = 0.712 [0.650, 0.770], needs >= 0.8: why" */
static const char *explain(struct assay_arena *a, const struct assay_check_result *k)
{
	char val[RPT_NUM_SIZE], thr[RPT_NUM_SIZE];
	const char *s =
	    assay_arena_printf(a, "%s = %s, needs %s %s%s%s", k->subject ? k->subject : "value",
	                       rpt_num_ci(val, sizeof val, k->value, k->ci), assay_cmp_symbol(k->cmp),
	                       rpt_num_short(thr, sizeof thr, k->threshold), k->message ? ": " : "",
	                       k->message ? k->message : "");
	return s ? s : "";
}

static void testcase(FILE *out, struct assay_arena *a, const struct assay_eval_report *r,
                     const struct assay_check_result *k)
{
	fputs("    <testcase", out);
	attr(out, "classname", classname(a, k->plan_file));
	attr(out, "name", k->name ? k->name : k->expr);
	if (k->plan_file) {
		attr(out, "file", k->plan_file);
		fprintf(out, " line=\"%llu\"", (unsigned long long)k->plan_line);
	}
	if (k->status == ASSAY_CHECK_PASS) {
		fputs("/>\n", out);
		return;
	}
	fputs(">\n", out);
	const char *why = explain(a, k);
	const char *tag =
	    k->status == ASSAY_CHECK_FAIL || r->params.inconclusive_fails ? "failure" : "skipped";
	fprintf(out, "      <%s", tag);
	attr(out, "message", why);
	if (tag[0] == 'f')
		attr(out, "type", assay_check_status_name(k->status));
	fputs(">", out);
	rpt_put_xml(out, k->expr);
	fputs("\n", out);
	rpt_put_xml(out, why);
	fprintf(out, "</%s>\n    </testcase>\n", tag);
}

static void system_out(FILE *out, const struct assay_eval_report *r)
{
	char tally[160];
	fputs("    <system-out>", out);
	fprintf(out, "assay %s eval: %s: %s\n", r->tool_version ? r->tool_version : "?",
	        rpt_tally_text(tally, sizeof tally, r), r->passed ? "PASS" : "FAIL");
	fprintf(out, "rows: %llu read, %llu used, %llu filtered out, %llu with a missing sensitive value\n",
	        (unsigned long long)r->rows_read, (unsigned long long)r->rows_used,
	        (unsigned long long)r->rows_filtered, (unsigned long long)r->rows_na_sensitive);
	for (size_t i = 0; i < r->nslicings; i++) {
		const struct assay_slicing *g = &r->slicings[i];
		fputs("slicing ", out);
		rpt_put_xml(out, g->name);
		fprintf(out, ": %zu groups, %zu too small\n", g->count, g->excluded);
	}
	for (size_t i = 0; i < r->nwarnings; i++) {
		fputs("warning: ", out);
		rpt_put_xml(out, r->warnings[i]);
		fputc('\n', out);
	}
	fputs("</system-out>\n", out);
}

int rpt_render_junit(const struct assay_eval_report *r, FILE *out, struct assay_error *err)
{
	struct assay_arena arena = {0};
	assay_arena_init(&arena);
	struct rpt_tally t;
	rpt_tally_checks(r, &t);
	size_t failures = t.fail + (r->params.inconclusive_fails ? t.inconclusive : 0);
	size_t skipped = r->params.inconclusive_fails ? 0 : t.inconclusive;
	size_t tests = r->nchecks ? r->nchecks : 1;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
	        "<testsuites name=\"assay\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
	        tests, failures, skipped);
	fprintf(
	    out,
	    "  <testsuite name=\"assay eval\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\"",
	    tests, failures, skipped);
	if (r->generated_at)
		attr(out, "timestamp", r->generated_at);
	fputs(">\n    <properties>\n", out);
	fputs("      <property name=\"tool\"", out);
	attr(out, "value", r->tool_version ? r->tool_version : "?");
	fputs("/>\n", out);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct assay_input_info *in = &r->inputs[i];
		fputs("      <property", out);
		attr(out, "name", in->role ? in->role : "input");
		attr(out, "value", in->path);
		fputs("/>\n", out);
		if (in->sha256[0]) {
			const char *key =
			    assay_arena_printf(&arena, "%s.sha256", in->role ? in->role : "input");
			fputs("      <property", out);
			attr(out, "name", key ? key : "sha256");
			attr(out, "value", in->sha256);
			fputs("/>\n", out);
		}
	}
	fputs("    </properties>\n", out);
	for (size_t i = 0; i < r->nchecks; i++)
		testcase(out, &arena, r, &r->checks[i]);
	if (!r->nchecks)
		fputs("    <testcase classname=\"assay.eval\" name=\"evaluation completed\"/>\n", out);
	system_out(out, r);
	fputs("  </testsuite>\n</testsuites>\n", out);
	assay_arena_free(&arena);
	return rpt_finish(out, err);
}
