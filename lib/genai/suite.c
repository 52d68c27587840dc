/* suite.c: red-team suite files (YAML, assay/yaml.h): the target and its
 * options, the system prompt (with the canary assay plants), the categories
 * and how many cases of each, strategies, detectors (parsed by
 * assay/detect.h), gate thresholds, public sets to import, the benign set
 * and cases written in the suite. Every error is located
 * (file:line:column); unknown keys are refused with a did-you-mean.
 * docs/redteam.md documents the format.
 */
#include <ctype.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assay/detect.h"
#include "assay/redteam.h"
#include "assay/yaml.h"

#define NELEM(a) (sizeof(a) / sizeof *(a))

struct ctx {
	struct assay_yaml *y;
	struct assay_rt_suite *s;
	struct assay_error *err;
	char dir[512];
};

static const char *str(struct ctx *c, yaml_node_t *n, const char *key)
{
	const char *v = assay_yaml_scalar(n);
	if (!v) {
		assay_yaml_error(c->err, c->y, n, "\"%s\" must be a text value", key);
		return NULL;
	}
	return assay_arena_strdup(&c->s->arena, v);
}

static int num(struct ctx *c, yaml_node_t *map, const char *key, double lo, double hi, double *out)
{
	yaml_node_t *n = assay_yaml_get(c->y, map, key);
	if (!n)
		return 0;
	if (assay_yaml_number(c->y, n, key, out, c->err))
		return c->err->code;
	if (!(*out >= lo && *out <= hi))
		return assay_yaml_error(c->err, c->y, n, "\"%s\" must be between %g and %g", key, lo, hi);
	return 0;
}

/* a path relative to the suite's directory */
static const char *relpath(struct ctx *c, const char *p)
{
	if (!p || p[0] == '/' || !c->dir[0])
		return p;
	return assay_arena_printf(&c->s->arena, "%s/%s", c->dir, p);
}

/* YAML -> JSON for the OpenAI tools list: plain scalars that read as
 * numbers, booleans or null become those; quoted scalars stay strings. */
static json_t *to_json(struct assay_yaml *y, yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return NULL;
	if (n->type == YAML_SCALAR_NODE) {
		const char *v = (const char *)n->data.scalar.value;
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (!strcmp(v, "true") || !strcmp(v, "false"))
				return json_boolean(v[0] == 't');
			if (!strcmp(v, "null") || !strcmp(v, "~"))
				return json_null();
			char *end;
			double d = strtod(v, &end);
			if (*v && !*end && isfinite(d)) {
				if (d == floor(d) && fabs(d) < 9e15 && !strchr(v, '.'))
					return json_integer((json_int_t)d);
				return json_real(d);
			}
		}
		return json_string(v);
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		json_t *a = json_array();
		for (size_t i = 0; i < assay_yaml_len(n); i++)
			json_array_append_new(a, to_json(y, assay_yaml_at(y, n, i), depth + 1));
		return a;
	}
	json_t *o = json_object();
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = assay_yaml_scalar(assay_yaml_node(y, p->key));
		if (k)
			json_object_set_new(o, k, to_json(y, assay_yaml_node(y, p->value), depth + 1));
	}
	return o;
}

static int parse_target(struct ctx *c, yaml_node_t *m)
{
	static const char *const KEYS[] = {"url",         "model",   "api_key_env", "stream",  "temperature",
	                                   "max_tokens",  "timeout", "retries",     "backoff", "rate",
	                                   "concurrency", "cache",   "tools",       "headers", "request"};
	struct assay_target *t = &c->s->target;
	if (assay_yaml_check_keys(c->y, m, "target", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	yaml_node_t *n;
	if ((n = assay_yaml_get(c->y, m, "url"))) {
		const char *u = str(c, n, "url");
		if (!u)
			return c->err->code;
		if (assay_target_parse(u, t, c->err)) {
			int code = c->err->code;
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", c->err->message);
			assay_yaml_error(c->err, c->y, n, "%s", msg);
			assay_error_hint(c->err, "write openai:BASE_URL, http:URL or exec:COMMAND");
			return code;
		}
	}
	if ((n = assay_yaml_get(c->y, m, "model")) && !(t->model = str(c, n, "model")))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, m, "api_key_env")) && !(t->api_key_env = str(c, n, "api_key_env")))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, m, "stream")) && assay_yaml_bool(c->y, n, "stream", &t->stream, c->err))
		return c->err->code;
	double d;
	if (assay_yaml_get(c->y, m, "temperature")) {
		if (num(c, m, "temperature", 0, 2, &d))
			return c->err->code;
		t->temperature = d;
	}
	d = 0;
	if (num(c, m, "max_tokens", 1, 1e7, &d))
		return c->err->code;
	if (d > 0)
		t->max_tokens = (int)d;
	if (num(c, m, "timeout", 0.001, 86400, &t->timeout_s) ||
	    num(c, m, "backoff", 0, 3600, &t->backoff_s) || num(c, m, "rate", 0, 1e6, &t->rate))
		return c->err->code;
	d = t->retries;
	if (num(c, m, "retries", 0, 100, &d))
		return c->err->code;
	t->retries = (int)d;
	d = t->concurrency;
	if (num(c, m, "concurrency", 1, 4096, &d))
		return c->err->code;
	t->concurrency = (int)d;
	if ((n = assay_yaml_get(c->y, m, "cache")) && !(t->cache_dir = relpath(c, str(c, n, "cache"))))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, m, "tools"))) {
		if (n->type != YAML_SEQUENCE_NODE)
			return assay_yaml_error(c->err, c->y, n,
			                        "\"tools\" is a list of OpenAI tool definitions");
		json_t *j = to_json(c->y, n, 0);
		char *txt = j ? json_dumps(j, JSON_COMPACT) : NULL;
		json_decref(j);
		t->tools_json = txt ? assay_arena_strdup(&c->s->arena, txt) : NULL;
		free(txt);
	}
	if ((n = assay_yaml_get(c->y, m, "headers"))) {
		size_t k = assay_yaml_len(n);
		if (n->type != YAML_SEQUENCE_NODE)
			return assay_yaml_error(c->err, c->y, n,
			                        "\"headers\" is a list of \"Name: value\" lines");
		const char **h = assay_arena_calloc(&c->s->arena, k + 1, sizeof *h);
		for (size_t i = 0; h && i < k; i++) {
			yaml_node_t *e = assay_yaml_at(c->y, n, i);
			if (!(h[i] = str(c, e, "headers")))
				return c->err->code;
			if (!strchr(h[i], ':'))
				return assay_yaml_error(c->err, c->y, e, "a header is \"Name: value\"");
		}
		t->headers = h;
		t->nheaders = k;
	}
	if ((n = assay_yaml_get(c->y, m, "request"))) {
		static const char *const RK[] = {"method", "body", "extract"};
		if (assay_yaml_check_keys(c->y, n, "request", RK, NELEM(RK), c->err))
			return c->err->code;
		yaml_node_t *e;
		if ((e = assay_yaml_get(c->y, n, "method")) && !(t->http_method = str(c, e, "method")))
			return c->err->code;
		if ((e = assay_yaml_get(c->y, n, "body")) && !(t->http_body = str(c, e, "body")))
			return c->err->code;
		if ((e = assay_yaml_get(c->y, n, "extract")) && !(t->http_extract = str(c, e, "extract")))
			return c->err->code;
		if (t->http_extract && t->http_extract[0] != '$')
			return assay_yaml_error(c->err, c->y, assay_yaml_get(c->y, n, "extract"),
			                        "\"extract\" is a path like $.choices[0].message.content");
	}
	return 0;
}

static int parse_categories(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"id", "count", "max_asr"};
	size_t k = assay_yaml_len(n);
	if (n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(c->err, c->y, n,
		                        "\"categories\" is a list of category ids or {id, count, max_asr}");
	c->s->select = assay_arena_calloc(&c->s->arena, k ? k : 1, sizeof *c->s->select);
	for (size_t i = 0; i < k; i++) {
		yaml_node_t *e = assay_yaml_at(c->y, n, i);
		struct assay_rt_select *sel = &c->s->select[i];
		sel->max_asr = NAN;
		yaml_node_t *idn = e;
		if (e->type == YAML_MAPPING_NODE) {
			if (assay_yaml_check_keys(c->y, e, "a category", KEYS, NELEM(KEYS), c->err))
				return c->err->code;
			idn = assay_yaml_get(c->y, e, "id");
			if (!idn)
				return assay_yaml_error(c->err, c->y, e, "a category needs an \"id\"");
			double d = 0;
			if (num(c, e, "count", 0, 1e9, &d) || num(c, e, "max_asr", 0, 1, &sel->max_asr))
				return c->err->code;
			sel->count = (size_t)d;
		}
		const char *id = assay_yaml_scalar(idn);
		if (!id || !assay_rt_category_find(id) || !strcmp(id, "benign")) {
			const char *names[64];
			size_t nn = 0;
			for (size_t j = 0; j < assay_rt_ncategories() && nn < 64; j++)
				if (strcmp(assay_rt_category_at(j)->id, "benign"))
					names[nn++] = assay_rt_category_at(j)->id;
			const char *dym = id ? assay_did_you_mean(id, names, nn) : NULL;
			assay_yaml_error(c->err, c->y, idn, "unknown attack category \"%s\"%s%s%s",
			                 id ? id : "?", dym ? "; did you mean \"" : "", dym ? dym : "",
			                 dym ? "\"?" : "");
			assay_error_hint(c->err,
			                 "`assay redteam catalog` lists the categories (the benign set is "
			                 "configured under \"benign\")");
			return c->err->code;
		}
		sel->category = assay_rt_category_find(id)->id;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->s->select[j].category, sel->category))
				return assay_yaml_error(c->err, c->y, idn, "category \"%s\" is listed twice",
				                        id);
	}
	c->s->nselect = k;
	return 0;
}

static int parse_strategies(struct ctx *c, yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(c->err, c->y, n, "\"strategies\" is a list of strategy names");
	for (size_t i = 0; i < assay_yaml_len(n); i++) {
		yaml_node_t *e = assay_yaml_at(c->y, n, i);
		const char *v = assay_yaml_scalar(e);
		int s = assay_rt_strategy_from_name(v);
		if (s < 0) {
			const char *names[ASSAY_RT_S__COUNT];
			for (int j = 0; j < ASSAY_RT_S__COUNT; j++)
				names[j] = assay_rt_strategy_name((enum assay_rt_strategy)j);
			const char *dym = v ? assay_did_you_mean(v, names, ASSAY_RT_S__COUNT) : NULL;
			assay_yaml_error(c->err, c->y, e, "unknown strategy \"%s\"%s%s%s", v ? v : "?",
			                 dym ? "; did you mean \"" : "", dym ? dym : "", dym ? "\"?" : "");
			assay_error_hint(
			    c->err, "strategies: none base64 hex rot13 leetspeak homoglyph zerowidth tags "
			            "split roleplay devmode prefix multiturn");
			return c->err->code;
		}
		c->s->strategies[s] = 1;
	}
	return 0;
}

static int parse_sources(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"ailuminate", "xstest", "bipia"};
	if (assay_yaml_check_keys(c->y, n, "sources", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	for (size_t i = 0; i < NELEM(KEYS); i++) {
		yaml_node_t *e = assay_yaml_get(c->y, n, KEYS[i]);
		if (e && !(c->s->sources[i] = relpath(c, str(c, e, KEYS[i]))))
			return c->err->code;
	}
	return 0;
}

static int parse_benign(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"source", "count", "max_over_refusal"};
	if (assay_yaml_check_keys(c->y, n, "benign", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	yaml_node_t *e = assay_yaml_get(c->y, n, "source");
	if (e) {
		const char *v = assay_yaml_scalar(e);
		if (!v || (strcmp(v, "xstest") && strcmp(v, "builtin") && strcmp(v, "none")))
			return assay_yaml_error(c->err, c->y, e, "\"source\" is xstest, builtin or none");
		c->s->benign = assay_arena_strdup(&c->s->arena, v);
	}
	double d = 0;
	if (num(c, n, "count", 0, 1e9, &d) || num(c, n, "max_over_refusal", 0, 1, &c->s->max_over_refusal))
		return c->err->code;
	c->s->benign_count = (size_t)d;
	return 0;
}

static int parse_gate(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"basis", "max_asr"};
	if (assay_yaml_check_keys(c->y, n, "gate", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	yaml_node_t *e = assay_yaml_get(c->y, n, "basis");
	if (e) {
		const char *v = assay_yaml_scalar(e);
		if (v && !strcmp(v, "point"))
			c->s->basis = ASSAY_RT_GATE_POINT;
		else if (v && !strcmp(v, "wilson-upper"))
			c->s->basis = ASSAY_RT_GATE_UPPER;
		else
			return assay_yaml_error(c->err, c->y, e, "\"basis\" is point or wilson-upper");
	}
	return num(c, n, "max_asr", 0, 1, &c->s->default_max_asr);
}

static int parse_cases(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"id",     "category", "prompt",  "document", "turns",
	                                   "oracle", "marker",   "pattern", "max_len",  "assert"};
	if (n->type != YAML_SEQUENCE_NODE)
		return assay_yaml_error(c->err, c->y, n, "\"cases\" is a list of cases");
	struct assay_rt_caseset *set = &c->s->inline_cases;
	set->arena = &c->s->arena;
	for (size_t i = 0; i < assay_yaml_len(n); i++) {
		yaml_node_t *e = assay_yaml_at(c->y, n, i), *f;
		if (assay_yaml_check_keys(c->y, e, "a case", KEYS, NELEM(KEYS), c->err))
			return c->err->code;
		struct assay_rt_case k = {0};
		k.source = "suite";
		if (!(f = assay_yaml_get(c->y, e, "id")) || !(k.id = str(c, f, "id")))
			return f ? c->err->code : assay_yaml_error(c->err, c->y, e, "a case needs an \"id\"");
		if (!(f = assay_yaml_get(c->y, e, "prompt")) || !(k.prompt = str(c, f, "prompt")))
			return f ? c->err->code
			         : assay_yaml_error(c->err, c->y, e, "case \"%s\" needs a \"prompt\"", k.id);
		if (!(f = assay_yaml_get(c->y, e, "category")))
			return assay_yaml_error(c->err, c->y, e, "case \"%s\" needs a \"category\"", k.id);
		const char *cat = assay_yaml_scalar(f);
		if (!cat || !assay_rt_category_find(cat))
			return assay_yaml_error(c->err, c->y, f, "unknown category \"%s\"", cat ? cat : "?");
		k.category = assay_rt_category_find(cat)->id;
		if ((f = assay_yaml_get(c->y, e, "document")) && !(k.document = str(c, f, "document")))
			return c->err->code;
		if ((f = assay_yaml_get(c->y, e, "turns"))) {
			if (f->type != YAML_SEQUENCE_NODE)
				return assay_yaml_error(c->err, c->y, f,
				                        "\"turns\" is a list of earlier user messages");
			k.nturns = assay_yaml_len(f);
			const char **t = assay_arena_calloc(&c->s->arena, k.nturns + 1, sizeof *t);
			for (size_t j = 0; t && j < k.nturns; j++)
				if (!(t[j] = str(c, assay_yaml_at(c->y, f, j), "turns")))
					return c->err->code;
			k.turns = t;
		}
		if ((f = assay_yaml_get(c->y, e, "oracle"))) {
			int o = assay_rt_oracle_from_name(assay_yaml_scalar(f));
			if (o < 0)
				return assay_yaml_error(
				    c->err, c->y, f,
				    "\"oracle\" is comply, canary, disclose, tool, marker, pattern, "
				    "length or benign");
			k.oracle = (enum assay_rt_oracle)o;
		}
		if ((f = assay_yaml_get(c->y, e, "marker")) && !(k.marker = str(c, f, "marker")))
			return c->err->code;
		if ((f = assay_yaml_get(c->y, e, "pattern")) && !(k.marker = str(c, f, "pattern")))
			return c->err->code;
		double d = 0;
		if (num(c, e, "max_len", 1, 1e12, &d))
			return c->err->code;
		k.max_len = (size_t)d;
		enum assay_rt_oracle eff = k.oracle ? k.oracle : assay_rt_category_find(k.category)->oracle;
		if ((eff == ASSAY_RT_MARKER || eff == ASSAY_RT_PATTERN) && !k.marker)
			return assay_yaml_error(c->err, c->y, e, "case \"%s\": the %s oracle needs \"%s\"",
			                        k.id, assay_rt_oracle_name(eff),
			                        eff == ASSAY_RT_MARKER ? "marker" : "pattern");
		if (eff == ASSAY_RT_LENGTH && !k.max_len)
			return assay_yaml_error(c->err, c->y, e,
			                        "case \"%s\": the length oracle needs \"max_len\"", k.id);
		if ((f = assay_yaml_get(c->y, e, "assert"))) {
			struct assay_assertions *as = NULL;
			if (assay_assertions_parse(&as, c->y, f, &c->s->arena, c->err))
				return c->err->code;
			k.assertions = as;
		}
		for (size_t j = 0; j < set->n; j++)
			if (!strcmp(set->v[j].id, k.id))
				return assay_yaml_error(c->err, c->y, e, "case id \"%s\" is used twice",
				                        k.id);
		if (assay_rt_caseset_push(set, &k, c->err))
			return c->err->code;
	}
	return 0;
}

static int parse_judge(struct ctx *c, yaml_node_t *n)
{
	static const char *const KEYS[] = {"target", "model"};
	if (assay_yaml_check_keys(c->y, n, "judge", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	yaml_node_t *e;
	if ((e = assay_yaml_get(c->y, n, "target")) && !(c->s->judge_target = str(c, e, "target")))
		return c->err->code;
	if ((e = assay_yaml_get(c->y, n, "model")) && !(c->s->judge_model = str(c, e, "model")))
		return c->err->code;
	if (!c->s->judge_target)
		return assay_yaml_error(c->err, c->y, n, "\"judge\" needs a \"target\"");
	return 0;
}

static int parse_root(struct ctx *c)
{
	static const char *const KEYS[] = {"name",       "target",  "system_prompt", "categories",
	                                   "strategies", "sources", "benign",        "gate",
	                                   "seed",       "cases",   "detectors",     "judge"};
	struct assay_rt_suite *s = c->s;
	yaml_node_t *root = assay_yaml_root(c->y);
	if (!root)
		return assay_error_set(c->err, ASSAY_EINPUT, c->y->path, 1, 1, "the suite is empty");
	if (assay_yaml_check_keys(c->y, root, "the suite", KEYS, NELEM(KEYS), c->err))
		return c->err->code;
	yaml_node_t *n;
	if ((n = assay_yaml_get(c->y, root, "name")) && !(s->name = str(c, n, "name")))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "target")) && parse_target(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "system_prompt")) &&
	    !(s->system_prompt = str(c, n, "system_prompt")))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "categories")) && parse_categories(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "strategies")) && parse_strategies(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "sources")) && parse_sources(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "benign")) && parse_benign(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "gate")) && parse_gate(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "seed"))) {
		double d;
		if (num(c, root, "seed", 0, 9007199254740992.0, &d))
			return c->err->code;
		s->seed = (uint64_t)d;
	}
	if ((n = assay_yaml_get(c->y, root, "cases")) && parse_cases(c, n))
		return c->err->code;
	if ((n = assay_yaml_get(c->y, root, "judge")) && parse_judge(c, n))
		return c->err->code;
	n = assay_yaml_get(c->y, root, "detectors");
	if (n ? assay_detectors_parse(&s->detect, c->y, n, &s->arena, c->err)
	      : assay_detectors_default(&s->detect, &s->arena, c->err))
		return c->err->code;
	if (!s->benign)
		s->benign = s->sources[1] ? "xstest" : "builtin";
	if (!strcmp(s->benign, "xstest") && !s->sources[1])
		return assay_error_set(c->err, ASSAY_EINPUT, c->y->path, 0, 0,
		                       "the benign set is xstest but sources: has no xstest file");
	s->target.seed = s->seed;
	return 0;
}

static void defaults(struct assay_rt_suite *s)
{
	assay_arena_init(&s->arena);
	s->target.temperature = NAN;
	s->target.timeout_s = 60;
	s->target.retries = 3;
	s->target.backoff_s = 0.5;
	s->target.concurrency = 8;
	s->strategies[ASSAY_RT_S_NONE] = 1;
	s->max_over_refusal = NAN;
	s->default_max_asr = NAN;
	s->name = "suite";
}

static int load(struct assay_rt_suite **out, struct assay_yaml *y, const char *dir, struct assay_error *err)
{
	struct assay_rt_suite *s = calloc(1, sizeof *s);
	if (!s)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	defaults(s);
	snprintf(s->path, sizeof s->path, "%s", y->path);
	memcpy(s->sha256, y->sha256, sizeof s->sha256);
	struct ctx c = {.y = y, .s = s, .err = err};
	snprintf(c.dir, sizeof c.dir, "%s", dir ? dir : "");
	if (parse_root(&c)) {
		assay_rt_suite_free(s);
		return err->code;
	}
	*out = s;
	return 0;
}

int assay_rt_suite_load(struct assay_rt_suite **out, const char *path, struct assay_error *err)
{
	struct assay_yaml y;
	if (assay_yaml_load(&y, path, "the suite", err))
		return err->code;
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s", path);
	int rc = load(out, &y, dirname(tmp), err);
	assay_yaml_free(&y);
	return rc;
}

int assay_rt_suite_load_buffer(struct assay_rt_suite **out, const char *name, const char *buf, size_t len,
                               struct assay_error *err)
{
	struct assay_yaml y;
	if (assay_yaml_load_buffer(&y, name, buf, len, err)) {
		assay_yaml_free(&y);
		return err->code;
	}
	int rc = load(out, &y, NULL, err);
	assay_yaml_free(&y);
	return rc;
}

void assay_rt_suite_free(struct assay_rt_suite *s)
{
	if (!s)
		return;
	assay_detectors_free(s->detect);
	assay_arena_free(&s->arena);
	free(s);
}
