/* cmd_gate.c: `assay gate SYSTEM --release R` (exit 0 ship, 1 do not ship,
 * every reason with what it looked at; text, JSON assay.gate/1, Markdown,
 * JUnit: one testcase per rule). Every gate run is recorded in the audit
 * trail by the library. */
#include <stdio.h>
#include <string.h>

#include "assay/clock.h"
#include "assay/json.h"
#include "assay/output.h"
#include "cli.h"
#include "wf_cli.h"

static const char USAGE[] =
    "usage: assay gate SYSTEM --release R [--format text|json|md|junit] [--out FILE]\n"
    "\n"
    "May this release ship? Yes only when: a valid approved or conditional decision covers this\n"
    "release and exactly the system's current model, data and prompt hashes; the tier is not\n"
    "prohibited; all required evidence is present and fresh; the latest evaluation's checks pass;\n"
    "no open high or critical finding is past due without an active waiver; no condition of the\n"
    "decision is overdue. Every rule is listed with what it looked at. Each run is recorded in\n"
    "the audit trail. Exit status: 0 ship, 1 do not ship, 2 usage or input error, 3 internal.\n"
    "\n"
    "Example:\n"
    "  assay gate credit-scoring --release 2.3 --format junit --out gate.xml\n";

static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

struct gctx {
	json_t *v;
	const char *format;
};

static int render_gate(void *ctx, FILE *f, struct assay_error *err)
{
	struct gctx *c = ctx;
	json_t *v = c->v, *reasons = json_object_get(v, "reasons"), *r, *l;
	size_t i, k;
	const char *fmt = c->format ? c->format : "text";
	if (!strcmp(fmt, "json")) {
		assay_json_write(v, f, 2);
		fputc('\n', f);
	} else if (!strcmp(fmt, "junit")) {
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite "
		           "name=\"assay gate ");
		xml(f, js(v, "system"));
		fprintf(f, " ");
		xml(f, js(v, "release"));
		fprintf(f, "\" tests=\"%zu\" failures=\"%lld\" timestamp=\"%s\">\n", json_array_size(reasons),
		        (long long)json_integer_value(json_object_get(v, "failed")), js(v, "at"));
		json_array_foreach(reasons, i, r)
		{
			fprintf(f, "  <testcase classname=\"gate\" name=\"%s\">\n", js(r, "rule"));
			if (!json_is_true(json_object_get(r, "passed"))) {
				fprintf(f, "    <failure message=\"");
				xml(f, js(r, "message"));
				fprintf(f, "\"/>\n");
			}
			fprintf(f, "    <system-out>");
			xml(f, js(r, "message"));
			json_array_foreach(json_object_get(r, "looked_at"), k, l)
			{
				fprintf(f, "\n");
				xml(f, json_string_value(l));
			}
			fprintf(f, "</system-out>\n  </testcase>\n");
		}
		fprintf(f, "</testsuite>\n</testsuites>\n");
	} else {
		int md = !strcmp(fmt, "md");
		fprintf(f, md ? "# Gate %s %s: **%s**\n\n" : "gate %s %s: %s\n", js(v, "system"),
		        js(v, "release"), !strcmp(js(v, "verdict"), "ship") ? "SHIP" : "DO NOT SHIP");
		json_array_foreach(reasons, i, r)
		{
			int ok = json_is_true(json_object_get(r, "passed"));
			fprintf(f, md ? "- %s **%s**: %s\n" : "  %s %-10s %s\n",
			        ok ? (md ? "✓" : "ok  ") : (md ? "✗" : "FAIL"), js(r, "rule"),
			        js(r, "message"));
			json_array_foreach(json_object_get(r, "looked_at"), k, l) fprintf(
			    f, md ? "  - %s\n" : "                    looked at: %s\n", json_string_value(l));
		}
		fprintf(f, md ? "\nRun %s at %s, policy %s.\n" : "run %s at %s, policy %s\n", js(v, "run"),
		        js(v, "at"), js(v, "policy_version"));
	}
	return ferror(f) ? assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the gate result") : 0;
}

int cmd_gate(int argc, char **argv)
{
	struct wf_opts o;
	int rc = wf_parse("gate", USAGE, argc, argv, 0, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.npos != 1)
		return cli_usage_error("gate", "%s", "name one system: assay gate SYSTEM --release R");
	if (o.format && !strcmp(o.format, "html"))
		return cli_usage_error("gate", "%s", "--format is text, json, md or junit");
	struct wf_session ss;
	if ((rc = wf_open("gate", &o, &ss)))
		return rc;
	struct assay_error err;
	assay_error_clear(&err);
	json_t *out = NULL;
	int ship = 0;
	rc = assay_gate_run(&ss.w, o.pos[0], o.release, &out, &ship, &err);
	if (rc)
		return wf_close(&ss, wf_fail(&ss, &err));
	if ((rc = wf_close(&ss, 0))) {
		json_decref(out);
		return rc;
	}
	struct gctx c = {out, o.format};
	rc = o.out ? assay_write_atomic(o.out, render_gate, &c, &err) : render_gate(&c, stdout, &err);
	if (!rc && o.out)
		printf("gate %s %s: %s (%s)\n", o.pos[0], o.release, ship ? "SHIP" : "DO NOT SHIP", o.out);
	json_decref(out);
	return rc ? cli_fail("gate", &err) : ship ? 0 : 1;
}
