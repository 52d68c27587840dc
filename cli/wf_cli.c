/* wf_cli.c: the workflow commands' shared front end (wf_cli.h): option
 * parsing into one struct, the session (store, actor, policy, one write
 * transaction that also runs the time sweep), and rendering records as
 * text lines, JSON or Markdown. Behaviour lives in lib/registry. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/clock.h"
#include "assay/json.h"
#include "assay/output.h"
#include "cli.h"
#include "wf_cli.h"

enum {
	O_DB = 300,
	O_AS,
	O_POLICY,
	O_FORMAT,
	O_OUT,
	O_RELEASE,
	O_SUMMARY,
	O_ASSIGN,
	O_OUTCOME,
	O_RATIONALE,
	O_RATIONALE_FILE,
	O_CONDITION,
	O_VALID,
	O_OWNER,
	O_DUE,
	O_SEVERITY,
	O_CONTROL,
	O_TITLE,
	O_ROOT,
	O_SOURCE,
	O_EVIDENCE,
	O_NOTE,
	O_COMP,
	O_RESID,
	O_REASON,
	O_EXPIRES,
	O_AFFECTED,
	O_DETECTED,
	O_ACTION,
	O_FOLLOWUP,
	O_STATE,
	O_SINCE,
	O_UNTIL,
	O_SYSTEM,
	O_DRAFT,
	O_OVERDUE,
	O_HELP
};

static const struct option LONGOPTS[] = {
    {"db", 1, 0, O_DB},
    {"as", 1, 0, O_AS},
    {"policy", 1, 0, O_POLICY},
    {"format", 1, 0, O_FORMAT},
    {"out", 1, 0, O_OUT},
    {"release", 1, 0, O_RELEASE},
    {"summary", 1, 0, O_SUMMARY},
    {"assign", 1, 0, O_ASSIGN},
    {"outcome", 1, 0, O_OUTCOME},
    {"rationale", 1, 0, O_RATIONALE},
    {"rationale-file", 1, 0, O_RATIONALE_FILE},
    {"condition", 1, 0, O_CONDITION},
    {"valid-until", 1, 0, O_VALID},
    {"owner", 1, 0, O_OWNER},
    {"due", 1, 0, O_DUE},
    {"severity", 1, 0, O_SEVERITY},
    {"control", 1, 0, O_CONTROL},
    {"title", 1, 0, O_TITLE},
    {"root-cause", 1, 0, O_ROOT},
    {"source", 1, 0, O_SOURCE},
    {"evidence", 1, 0, O_EVIDENCE},
    {"note", 1, 0, O_NOTE},
    {"compensating", 1, 0, O_COMP},
    {"residual-risk", 1, 0, O_RESID},
    {"reason", 1, 0, O_REASON},
    {"expires", 1, 0, O_EXPIRES},
    {"affected", 1, 0, O_AFFECTED},
    {"detected", 1, 0, O_DETECTED},
    {"action", 1, 0, O_ACTION},
    {"follow-up", 1, 0, O_FOLLOWUP},
    {"state", 1, 0, O_STATE},
    {"since", 1, 0, O_SINCE},
    {"until", 1, 0, O_UNTIL},
    {"system", 1, 0, O_SYSTEM},
    {"draft", 0, 0, O_DRAFT},
    {"overdue", 0, 0, O_OVERDUE},
    {"help", 0, 0, O_HELP},
    {0, 0, 0, 0},
};

int wf_parse(const char *cmd, const char *usage, int argc, char **argv, int has_sub, struct wf_opts *o)
{
	memset(o, 0, sizeof *o);
	optind = has_sub ? 2 : 1;
	opterr = 0;
	if (has_sub && (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : -1;
	}
	int c;
	while ((c = getopt_long(argc, argv, "h", LONGOPTS, NULL)) != -1) {
		const char **slot = NULL;
		switch (c) {
		case O_DB:
			slot = &o->db;
			break;
		case O_AS:
			slot = &o->as;
			break;
		case O_POLICY:
			slot = &o->policy;
			break;
		case O_FORMAT:
			slot = &o->format;
			break;
		case O_OUT:
			slot = &o->out;
			break;
		case O_RELEASE:
			slot = &o->release;
			break;
		case O_SUMMARY:
			slot = &o->summary;
			break;
		case O_ASSIGN:
			slot = &o->assign;
			break;
		case O_OUTCOME:
			slot = &o->outcome;
			break;
		case O_RATIONALE:
			slot = &o->rationale;
			break;
		case O_RATIONALE_FILE:
			slot = &o->rationale_file;
			break;
		case O_VALID:
			slot = &o->valid_until;
			break;
		case O_OWNER:
			slot = &o->owner;
			break;
		case O_DUE:
			slot = &o->due;
			break;
		case O_SEVERITY:
			slot = &o->severity;
			break;
		case O_CONTROL:
			slot = &o->control;
			break;
		case O_TITLE:
			slot = &o->title;
			break;
		case O_ROOT:
			slot = &o->root_cause;
			break;
		case O_SOURCE:
			slot = &o->source;
			break;
		case O_EVIDENCE:
			slot = &o->evidence;
			break;
		case O_NOTE:
			slot = &o->note;
			break;
		case O_COMP:
			slot = &o->compensating;
			break;
		case O_RESID:
			slot = &o->residual_risk;
			break;
		case O_REASON:
			slot = &o->reason;
			break;
		case O_EXPIRES:
			slot = &o->expires;
			break;
		case O_AFFECTED:
			slot = &o->affected;
			break;
		case O_DETECTED:
			slot = &o->detected;
			break;
		case O_ACTION:
			slot = &o->action;
			break;
		case O_FOLLOWUP:
			slot = &o->followup;
			break;
		case O_STATE:
			slot = &o->state;
			break;
		case O_SINCE:
			slot = &o->since;
			break;
		case O_UNTIL:
			slot = &o->until;
			break;
		case O_SYSTEM:
			slot = &o->system;
			break;
		case O_CONDITION:
			if (o->nconditions == 32)
				return cli_usage_error(cmd, "%s", "at most 32 --condition options");
			o->conditions[o->nconditions++] = optarg;
			break;
		case O_DRAFT:
			o->draft = 1;
			break;
		case O_OVERDUE:
			o->overdue = 1;
			break;
		case 'h':
		case O_HELP:
			fputs(usage, stdout);
			return -1;
		default:
			return cli_usage_error(cmd, "unknown or incomplete option \"%s\"", argv[optind - 1]);
		}
		if (slot)
			*slot = optarg;
	}
	for (; optind < argc; optind++) {
		if (o->npos == 8)
			return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
		o->pos[o->npos++] = argv[optind];
	}
	if (o->format && strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "md") &&
	    strcmp(o->format, "html") && strcmp(o->format, "junit"))
		return cli_usage_error(cmd, "--format is text, json, md, html or junit, not \"%s\"",
		                       o->format);
	return 0;
}

int wf_fail(struct wf_session *ss, const struct assay_error *err)
{
	return cli_fail(ss->cmd, err);
}

/* The registry commands' session (cli_registry.h: store, actor, policy,
 * one transaction), writing, plus the workflow's time sweep. */
int wf_open(const char *cmd, const struct wf_opts *o, struct wf_session *ss)
{
	memset(ss, 0, sizeof *ss);
	ss->cmd = cmd;
	ss->reg = (struct cli_reg){.cmd = cmd, .db = o->db, .as = o->as, .policy = o->policy};
	assay_arena_init(&ss->a);
	int rc = cli_reg_open(&ss->reg, 1, 0,
	                      &ss->s); /* systems come first: `assay system add` creates the registry */
	if (rc)
		return rc;
	if ((rc = cli_reg_policy(&ss->reg, &ss->a, &ss->policy)) != 0)
		return wf_close(ss, rc);
	ss->w = (struct assay_wf){ss->s, ss->policy, assay_now_ms() / 1000, &ss->a};
	struct assay_error err;
	assay_error_clear(&err);
	if (assay_wf_sweep(&ss->w, NULL, &err))
		return wf_close(ss, wf_fail(ss, &err));
	return 0;
}

/* Commits on 0 and on 1 too: a red gate is still a recorded run. */
int wf_close(struct wf_session *ss, int rc)
{
	int st = cli_reg_close(&ss->reg, ss->s, rc == 1 ? 0 : rc);
	ss->s = NULL;
	assay_arena_free(&ss->a);
	return st ? st : rc;
}

/* ---- output ------------------------------------------------------------- */

static const char *ref_of(json_t *v)
{
	const char *r = json_string_value(json_object_get(v, "ref"));
	static char buf[32];
	if (r)
		return r;
	json_int_t n = json_integer_value(json_object_get(v, "number"));
	snprintf(buf, sizeof buf, "R-%lld", (long long)n);
	return buf;
}

static void text_scalar(FILE *f, json_t *x)
{
	if (json_is_string(x))
		fputs(json_string_value(x), f);
	else {
		char *s = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(s ? s : "", f);
		free(s);
	}
}

static void text_record(FILE *f, json_t *v)
{
	const char *k;
	json_t *x;
	json_object_foreach(v, k, x)
	{
		if (json_is_null(x))
			continue;
		fprintf(f, "%-18s ", k);
		text_scalar(f, x);
		fputc('\n', f);
	}
}

static void text_line(FILE *f, json_t *v)
{
	const char *title = json_string_value(json_object_get(v, "title"));
	if (!title)
		title = json_string_value(json_object_get(v, "summary"));
	if (!title)
		title = json_string_value(json_object_get(v, "compensating"));
	fprintf(f, "%-6s %-14s %-12s %s", ref_of(v), json_string_value(json_object_get(v, "system")) ?: "",
	        json_string_value(json_object_get(v, "state")) ?: "", title ? title : "");
	json_t *sla = json_object_get(v, "sla");
	if (sla)
		fprintf(f, "  [triage %s, decision %s]",
		        json_string_value(json_object_get(sla, "triage_status")),
		        json_string_value(json_object_get(sla, "decision_status")));
	const char *due = json_string_value(json_object_get(v, "due"));
	if (due)
		fprintf(f, "  due %.10s", due);
	const char *exp = json_string_value(json_object_get(v, "expires_at"));
	if (exp)
		fprintf(f, "  expires %.10s", exp);
	fputc('\n', f);
}

struct emit_ctx {
	const struct wf_opts *o;
	json_t *v;
};

static int render(void *ctx, FILE *f, struct assay_error *err)
{
	struct emit_ctx *c = ctx;
	const char *fmt = c->o->format ? c->o->format : "text";
	size_t i;
	json_t *x;
	if (!strcmp(fmt, "json")) {
		assay_json_write(c->v, f, 2);
		fputc('\n', f);
	} else if (!strcmp(fmt, "md")) {
		if (json_is_array(c->v)) {
			fprintf(f, "| ref | system | state | title |\n|---|---|---|---|\n");
			json_array_foreach(c->v, i, x)
			{
				const char *t = json_string_value(json_object_get(x, "title"));
				if (!t)
					t = json_string_value(json_object_get(x, "summary"));
				fprintf(f, "| %s | %s | %s | %s |\n", ref_of(x),
				        json_string_value(json_object_get(x, "system")) ?: "",
				        json_string_value(json_object_get(x, "state")) ?: "", t ? t : "");
			}
		} else {
			const char *k;
			fprintf(f, "| field | value |\n|---|---|\n");
			json_object_foreach(c->v, k, x)
			{
				fprintf(f, "| %s | ", k);
				text_scalar(f, x);
				fprintf(f, " |\n");
			}
		}
	} else if (json_is_array(c->v)) {
		json_array_foreach(c->v, i, x) text_line(f, x);
		if (!json_array_size(c->v))
			fprintf(f, "(none)\n");
	} else {
		text_record(f, c->v);
	}
	return ferror(f) ? assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "cannot write the output") : 0;
}

int wf_emit(const struct wf_opts *o, const char *cmd, json_t *v)
{
	struct emit_ctx c = {o, v};
	struct assay_error err;
	assay_error_clear(&err);
	int rc = o->out ? assay_write_atomic(o->out, render, &c, &err) : render(&c, stdout, &err);
	json_decref(v);
	return rc ? cli_fail(cmd, &err) : 0;
}

int wf_finish(struct wf_session *ss, const struct wf_opts *o, const char *cmd, int rc, json_t *out,
              const struct assay_error *err)
{
	if (rc)
		return wf_close(ss, wf_fail(ss, err));
	rc = wf_close(ss, 0);
	if (rc) {
		json_decref(out);
		return rc;
	}
	return wf_emit(o, cmd, out);
}
