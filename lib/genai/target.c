/* target.c: the target client (assay/target.h): the request queue,
 * concurrency, retries with exponential backoff and jitter, the rate
 * limit and the response cache. The transports (transport_http.c over
 * libcurl multi, transport_exec.c over poll(2)) only start attempts and
 * report finished ones; everything about *when* lives here.
 *
 * Retry rule: an attempt is retried when there was no response (connection
 * refused, timeout, a killed child) or the HTTP status is 429 or 5xx, at
 * most t.retries more times. The wait before retry k (1-based) is
 * backoff * 2^(k-1) * u, u uniform in [0.5, 1.5) from a generator seeded
 * by t.seed (deterministic), and at least the server's Retry-After
 * (seconds, capped at 300).
 *
 * Cache: cache_dir/ab/abcdef...json, keyed by SHA-256 of the canonical
 * request (assay_target_canonical: no key, no stream flag); only answers
 * (ok) are cached; written atomically before the answer is delivered, so a
 * case the caller has seen finished is always in the cache.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "assay/hash.h"
#include "assay/output.h"
#include "target_internal.h"

double rt_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int rt_buf_put(struct rt_buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

const char *assay_target_kind_name(enum assay_target_kind k)
{
	return k == ASSAY_TARGET_OPENAI ? "openai" : k == ASSAY_TARGET_HTTP ? "http" : "exec";
}

int assay_target_parse(const char *spec, struct assay_target *t, struct assay_error *err)
{
	static const struct {
		const char *prefix;
		enum assay_target_kind kind;
	} K[] = {
	    {"openai:", ASSAY_TARGET_OPENAI}, {"http:", ASSAY_TARGET_HTTP}, {"exec:", ASSAY_TARGET_EXEC}};
	for (size_t i = 0; spec && i < sizeof K / sizeof *K; i++) {
		size_t n = strlen(K[i].prefix);
		if (strncmp(spec, K[i].prefix, n) == 0 && spec[n]) {
			t->kind = K[i].kind;
			t->url = spec + n;
			if (t->kind != ASSAY_TARGET_EXEC && strncmp(t->url, "http://", 7) &&
			    strncmp(t->url, "https://", 8))
				return assay_error_set(
				    err, ASSAY_EUSAGE, NULL, 0, 0,
				    "target \"%s\": the URL must start with http:// or https://", spec);
			return 0;
		}
	}
	return assay_error_set(err, ASSAY_EUSAGE, NULL, 0, 0,
	                       "target \"%s\" is not openai:BASE_URL, http:URL or exec:COMMAND",
	                       spec ? spec : "");
}

char *assay_target_canonical(const struct assay_target *t, const struct assay_message *msgs, size_t n)
{
	json_t *o = json_object(), *m = json_array();
	json_object_set_new(o, "kind", json_string(assay_target_kind_name(t->kind)));
	json_object_set_new(o, "url", json_string(t->url ? t->url : ""));
	if (t->model)
		json_object_set_new(o, "model", json_string(t->model));
	if (!isnan(t->temperature))
		json_object_set_new(o, "temperature", json_real(t->temperature));
	if (t->max_tokens)
		json_object_set_new(o, "max_tokens", json_integer(t->max_tokens));
	if (t->tools_json)
		json_object_set_new(o, "tools", json_string(t->tools_json));
	if (t->http_body)
		json_object_set_new(o, "body", json_string(t->http_body));
	if (t->http_extract)
		json_object_set_new(o, "extract", json_string(t->http_extract));
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "role", json_string(msgs[i].role));
		json_object_set_new(x, "content", json_string(msgs[i].content ? msgs[i].content : ""));
		json_array_append_new(m, x);
	}
	json_object_set_new(o, "messages", m);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(o);
	return s;
}

void assay_response_clear(struct assay_response *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->error);
	for (size_t i = 0; i < r->ntools; i++) {
		free(r->tools[i].name);
		free(r->tools[i].arguments);
	}
	free(r->tools);
	memset(r, 0, sizeof *r);
}

/* ---- cache ------------------------------------------------------------- */

static void cache_path(const struct assay_client *c, const char *key, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%.2s/%s.json", c->t.cache_dir, key, key);
}

static int cache_get(const struct assay_client *c, const char *key, struct assay_response *r)
{
	char path[1200];
	cache_path(c, key, path, sizeof path);
	json_t *o = json_load_file(path, 0, NULL);
	if (!o)
		return 0;
	const char *text = json_string_value(json_object_get(o, "text"));
	json_t *tools = json_object_get(o, "tools");
	if (!text) {
		json_decref(o);
		return 0;
	}
	memset(r, 0, sizeof *r);
	r->ok = 1;
	r->cached = 1;
	r->status = (int)json_integer_value(json_object_get(o, "status"));
	r->text = strdup(text);
	size_t n = json_array_size(tools);
	r->tools = n ? calloc(n, sizeof *r->tools) : NULL;
	for (size_t i = 0; r->tools && i < n; i++) {
		json_t *x = json_array_get(tools, i);
		r->tools[i].name = strdup(json_string_value(json_object_get(x, "name")) ?: "");
		r->tools[i].arguments = strdup(json_string_value(json_object_get(x, "arguments")) ?: "");
		r->ntools++;
	}
	memcpy(r->key, key, 65);
	json_decref(o);
	return 1;
}

static int render_json(void *ctx, FILE *out, struct assay_error *err)
{
	return json_dumpf(ctx, out, JSON_COMPACT)
	           ? assay_error_set(err, ASSAY_EIO, NULL, 0, 0, "write failed")
	           : 0;
}

static int cache_put(const struct assay_client *c, const struct assay_response *r, struct assay_error *err)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%.2s", c->t.cache_dir, r->key);
	if (mkdir(c->t.cache_dir, 0777) && errno != EEXIST)
		return assay_error_set(err, ASSAY_EIO, c->t.cache_dir, 0, 0,
		                       "cannot create the cache directory: %s", strerror(errno));
	if (mkdir(path, 0777) && errno != EEXIST)
		return assay_error_set(err, ASSAY_EIO, path, 0, 0, "cannot create the cache directory: %s",
		                       strerror(errno));
	cache_path(c, r->key, path, sizeof path);
	json_t *o = json_object(), *tools = json_array();
	json_object_set_new(o, "status", json_integer(r->status));
	json_object_set_new(o, "text", json_string(r->text ? r->text : ""));
	for (size_t i = 0; i < r->ntools; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "name", json_string(r->tools[i].name ? r->tools[i].name : ""));
		json_object_set_new(x, "arguments",
		                    json_string(r->tools[i].arguments ? r->tools[i].arguments : ""));
		json_array_append_new(tools, x);
	}
	json_object_set_new(o, "tools", tools);
	int rc = assay_write_atomic(path, render_json, o, err);
	json_decref(o);
	return rc;
}

/* ---- requests ---------------------------------------------------------- */

/* JSON-escaped text without the quotes, for {{...}} in templates */
static char *json_inner(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *d = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	json_decref(j);
	if (!d)
		return NULL;
	size_t n = strlen(d);
	memmove(d, d + 1, n - 2);
	d[n - 2] = '\0';
	return d;
}

static json_t *messages_json(const struct assay_message *msgs, size_t n)
{
	json_t *m = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "role", json_string(msgs[i].role));
		json_object_set_new(x, "content", json_string(msgs[i].content ? msgs[i].content : ""));
		json_array_append_new(m, x);
	}
	return m;
}

static const char *last_of(const struct assay_message *msgs, size_t n, const char *role)
{
	for (size_t i = n; i-- > 0;)
		if (!strcmp(msgs[i].role, role))
			return msgs[i].content;
	return "";
}

static char *render_template(const char *tpl, const struct assay_message *msgs, size_t n)
{
	struct rt_buf b = {0};
	const char *p = tpl;
	int oom = 0;
	while (*p && !oom) {
		const char *q = strstr(p, "{{");
		if (!q) {
			oom |= rt_buf_put(&b, p, strlen(p));
			break;
		}
		oom |= rt_buf_put(&b, p, (size_t)(q - p));
		char *v = NULL;
		const char *after = q + 2;
		if (!strncmp(after, "prompt}}", 8)) {
			v = json_inner(last_of(msgs, n, "user"));
			after += 8;
		} else if (!strncmp(after, "system}}", 8)) {
			v = json_inner(last_of(msgs, n, "system"));
			after += 8;
		} else if (!strncmp(after, "messages}}", 10)) {
			json_t *m = messages_json(msgs, n);
			v = json_dumps(m, JSON_COMPACT);
			json_decref(m);
			after += 10;
		} else {
			oom |= rt_buf_put(&b, "{{", 2);
			p = q + 2;
			continue;
		}
		oom |= !v || rt_buf_put(&b, v, strlen(v));
		free(v);
		p = after;
	}
	if (oom) {
		free(b.p);
		return NULL;
	}
	return b.p ? b.p : strdup("");
}

static char *openai_body(const struct assay_target *t, const struct assay_message *msgs, size_t n)
{
	json_t *o = json_object();
	json_object_set_new(o, "model", json_string(t->model ? t->model : "default"));
	json_object_set_new(o, "messages", messages_json(msgs, n));
	if (!isnan(t->temperature))
		json_object_set_new(o, "temperature", json_real(t->temperature));
	if (t->max_tokens)
		json_object_set_new(o, "max_tokens", json_integer(t->max_tokens));
	if (t->stream)
		json_object_set_new(o, "stream", json_true());
	if (t->tools_json) {
		json_t *tools = json_loads(t->tools_json, 0, NULL);
		if (tools)
			json_object_set_new(o, "tools", tools);
	}
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* ---- client ------------------------------------------------------------ */

int assay_client_new(struct assay_client **out, const struct assay_target *t, struct assay_error *err)
{
	struct assay_client *c = calloc(1, sizeof *c);
	if (!c)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	c->t = *t;
	if (c->t.concurrency < 1)
		c->t.concurrency = 1;
	if (c->t.timeout_s <= 0)
		c->t.timeout_s = 60;
	c->rng = t->seed ^ 0x5deece66dull;
	if (t->api_key_env) {
		c->api_key = getenv(t->api_key_env);
		if (!c->api_key || !*c->api_key) {
			free(c);
			assay_error_set(
			    err, ASSAY_EUSAGE, NULL, 0, 0,
			    "the API key variable %s is not set (the suite's target: api_key_env)",
			    t->api_key_env);
			assay_error_hint(err,
			                 "export %s=... before the run; the key is never written anywhere",
			                 t->api_key_env);
			return err->code;
		}
	}
	if (t->kind == ASSAY_TARGET_OPENAI) {
		size_t n = strlen(t->url);
		snprintf(c->url, sizeof c->url, "%.*s/chat/completions",
		         (int)(n && t->url[n - 1] == '/' ? n - 1 : n), t->url);
	} else {
		snprintf(c->url, sizeof c->url, "%s", t->url);
	}
	if (t->kind != ASSAY_TARGET_EXEC && rt_http_init(c, err)) {
		free(c);
		return err->code;
	}
	*out = c;
	return 0;
}

static void job_free(struct rt_job *j)
{
	if (!j)
		return;
	free(j->body);
	free(j->msgs);
	free(j->resp.p);
	free(j);
}

static void free_list(struct rt_job *j)
{
	while (j) {
		struct rt_job *n = j->next;
		job_free(j);
		j = n;
	}
}

void assay_client_free(struct assay_client *c)
{
	if (!c)
		return;
	if (c->t.kind == ASSAY_TARGET_EXEC)
		rt_exec_kill_all(c);
	else
		rt_http_cleanup(c);
	free_list(c->waiting);
	free_list(c->delayed);
	free_list(c->flight);
	for (size_t i = 0; i < c->nready; i++)
		assay_response_clear(&c->ready[i]);
	free(c->ready);
	free(c->ready_tags);
	free(c);
}

size_t assay_client_pending(const struct assay_client *c)
{
	return c->pending;
}

uint64_t assay_client_calls(const struct assay_client *c)
{
	return c->calls;
}

int assay_client_submit(struct assay_client *c, uint64_t tag, const struct assay_message *msgs, size_t n,
                        struct assay_error *err)
{
	char *canon = assay_target_canonical(&c->t, msgs, n);
	if (!canon)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	char key[65];
	assay_sha256_hex(canon, strlen(canon), key);
	free(canon);
	if (c->t.cache_dir) {
		struct assay_response r;
		if (cache_get(c, key, &r)) {
			if (c->nready == c->capready) {
				size_t cap = c->capready ? c->capready * 2 : 16;
				struct assay_response *v = realloc(c->ready, cap * sizeof *v);
				uint64_t *tg = v ? realloc(c->ready_tags, cap * sizeof *tg) : NULL;
				if (v)
					c->ready = v;
				if (!v || !tg) {
					assay_response_clear(&r);
					return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
					                       "out of memory");
				}
				c->ready_tags = tg;
				c->capready = cap;
			}
			c->ready[c->nready] = r;
			c->ready_tags[c->nready++] = tag;
			c->pending++;
			return 0;
		}
	}
	struct rt_job *j = calloc(1, sizeof *j);
	if (!j)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	j->tag = tag;
	j->pid = -1;
	j->fd_in = j->fd_out = -1;
	memcpy(j->key, key, sizeof key);
	if (c->t.kind == ASSAY_TARGET_OPENAI) {
		j->body = openai_body(&c->t, msgs, n);
	} else if (c->t.kind == ASSAY_TARGET_HTTP) {
		j->body = render_template(c->t.http_body ? c->t.http_body : "{\"prompt\": \"{{prompt}}\"}",
		                          msgs, n);
	} else {
		j->body = strdup(last_of(msgs, n, "user"));
		json_t *m = messages_json(msgs, n);
		j->msgs = json_dumps(m, JSON_COMPACT);
		json_decref(m);
	}
	if (!j->body || (c->t.kind == ASSAY_TARGET_EXEC && !j->msgs)) {
		job_free(j);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	if (c->waiting_tail)
		c->waiting_tail->next = j;
	else
		c->waiting = j;
	c->waiting_tail = j;
	c->pending++;
	return 0;
}

static uint64_t rng_next(struct assay_client *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* the next job that may start now, or NULL; *wait_s: how long until one may */
static struct rt_job *take_ready(struct assay_client *c, double now, double *wait_s)
{
	*wait_s = 1e9;
	if (c->t.rate > 0 && c->next_slot > now) {
		*wait_s = c->next_slot - now;
		return NULL;
	}
	for (struct rt_job **pp = &c->delayed; *pp; pp = &(*pp)->next) {
		if ((*pp)->not_before <= now) {
			struct rt_job *j = *pp;
			*pp = j->next;
			j->next = NULL;
			return j;
		}
		if ((*pp)->not_before - now < *wait_s)
			*wait_s = (*pp)->not_before - now;
	}
	if (c->waiting) {
		struct rt_job *j = c->waiting;
		c->waiting = j->next;
		if (!c->waiting)
			c->waiting_tail = NULL;
		j->next = NULL;
		return j;
	}
	return NULL;
}

static int start(struct assay_client *c, struct rt_job *j, struct assay_error *err)
{
	j->attempts++;
	j->started = rt_now();
	j->status = 0;
	j->transport_error = 0;
	j->errbuf[0] = '\0';
	j->retry_after = -1;
	j->resp.n = 0;
	c->calls++;
	c->inflight++;
	if (c->t.rate > 0) {
		double now = j->started;
		c->next_slot = (c->next_slot > now ? c->next_slot : now) + 1.0 / c->t.rate;
	}
	return c->t.kind == ASSAY_TARGET_EXEC ? rt_exec_start(c, j, err) : rt_http_start(c, j, err);
}

static int retryable(const struct rt_job *j)
{
	return j->transport_error || j->status == 429 || (j->status >= 500 && j->status <= 599);
}

static char *extract_answer(const struct assay_client *c, struct rt_job *j, struct assay_response *r)
{
	const char *path = c->t.http_extract ? c->t.http_extract : "$.choices[0].message.content";
	return assay_json_extract(j->resp.p ? j->resp.p : "", j->resp.n, path);
}

/* a finished attempt: deliver, or schedule a retry */
static void finish(struct assay_client *c, struct rt_job *j, assay_client_done_fn done, void *ud,
                   struct assay_error *err, int *rc)
{
	c->inflight--;
	double now = rt_now();
	int ok_status = c->t.kind == ASSAY_TARGET_EXEC ? j->status == 0 : j->status >= 200 && j->status < 300;
	if (!ok_status && retryable(j) && j->attempts <= c->t.retries) {
		double u = 0.5 + (double)(rng_next(c) >> 11) / 9007199254740992.0;
		double wait = c->t.backoff_s * pow(2, j->attempts - 1) * u;
		if (j->retry_after > wait)
			wait = j->retry_after > 300 ? 300 : j->retry_after;
		j->not_before = now + wait;
		j->next = c->delayed;
		c->delayed = j;
		return;
	}
	struct assay_response r = {0};
	memcpy(r.key, j->key, sizeof r.key);
	r.status = j->status;
	r.attempts = j->attempts;
	r.latency_ms = (now - j->started) * 1000;
	if (ok_status) {
		if (c->t.kind == ASSAY_TARGET_EXEC) {
			r.text = strndup(j->resp.p ? j->resp.p : "", j->resp.n);
			r.ok = r.text != NULL;
		} else if (c->t.kind == ASSAY_TARGET_OPENAI) {
			int sse = j->resp.n >= 5 &&
			          (!strncmp(j->resp.p, "data:", 5) || strstr(j->resp.p, "\ndata:"));
			r.ok = rt_parse_openai(j->resp.p ? j->resp.p : "", j->resp.n, sse, &r) == 0;
			if (!r.ok && !r.error)
				r.error = strdup("the answer is not an OpenAI chat completion");
		} else {
			r.text = extract_answer(c, j, &r);
			r.ok = r.text != NULL;
			if (!r.ok)
				r.error = strdup("the extract path did not resolve in the answer");
		}
	} else {
		char msg[CURL_ERROR_SIZE + 64];
		if (j->transport_error)
			snprintf(msg, sizeof msg, "%s", j->errbuf[0] ? j->errbuf : "no response");
		else if (c->t.kind == ASSAY_TARGET_EXEC)
			snprintf(msg, sizeof msg, "the command exited with status %d", j->status);
		else
			snprintf(msg, sizeof msg, "HTTP status %d", j->status);
		r.error = strdup(msg);
	}
	if (!r.text)
		r.text = strdup("");
	if (r.ok && c->t.cache_dir && *rc == 0)
		*rc = cache_put(c, &r, err);
	c->pending--;
	done(ud, j->tag, &r);
	assay_response_clear(&r);
	job_free(j);
}

int assay_client_poll(struct assay_client *c, int timeout_ms, assay_client_done_fn done, void *ud,
                      struct assay_error *err)
{
	if (c->nready) {
		/* done() may submit again and hit the cache: deliver from a
		 * detached array so new hits queue behind these */
		struct assay_response *ready = c->ready;
		uint64_t *tags = c->ready_tags;
		size_t n = c->nready;
		c->ready = NULL;
		c->ready_tags = NULL;
		c->nready = c->capready = 0;
		for (size_t i = 0; i < n; i++) {
			c->pending--;
			done(ud, tags[i], &ready[i]);
			assay_response_clear(&ready[i]);
		}
		free(ready);
		free(tags);
		return 0;
	}
	double now = rt_now(), wait_s = 1e9;
	while (c->inflight < (size_t)c->t.concurrency) {
		struct rt_job *j = take_ready(c, now, &wait_s);
		if (!j)
			break;
		if (start(c, j, err)) {
			job_free(j);
			return err->code;
		}
	}
	int ms = timeout_ms;
	if (c->inflight < (size_t)c->t.concurrency && wait_s < 1e9 && wait_s * 1000 < ms)
		ms = (int)ceil(wait_s * 1000);
	struct rt_job *fin = NULL;
	int rc =
	    c->t.kind == ASSAY_TARGET_EXEC ? rt_exec_wait(c, ms, &fin, err) : rt_http_wait(c, ms, &fin, err);
	while (fin) {
		struct rt_job *next = fin->next;
		fin->next = NULL;
		finish(c, fin, done, ud, err, &rc);
		fin = next;
	}
	return rc;
}

struct ask_ctx {
	struct assay_response *out;
	int got;
};

static void ask_done(void *ud, uint64_t tag, const struct assay_response *r)
{
	struct ask_ctx *a = ud;
	struct assay_response *o = a->out;
	*o = *r;
	o->text = strdup(r->text ? r->text : "");
	o->error = r->error ? strdup(r->error) : NULL;
	o->tools = r->ntools ? calloc(r->ntools, sizeof *o->tools) : NULL;
	o->ntools = o->tools ? r->ntools : 0;
	for (size_t i = 0; i < o->ntools; i++) {
		o->tools[i].name = strdup(r->tools[i].name ? r->tools[i].name : "");
		o->tools[i].arguments = strdup(r->tools[i].arguments ? r->tools[i].arguments : "");
	}
	a->got = 1;
}

int assay_client_ask(struct assay_client *c, const struct assay_message *msgs, size_t n,
                     struct assay_response *out, struct assay_error *err)
{
	memset(out, 0, sizeof *out);
	if (assay_client_submit(c, UINT64_MAX, msgs, n, err))
		return err->code;
	struct ask_ctx a = {out, 0};
	while (!a.got)
		if (assay_client_poll(c, 1000, ask_done, &a, err))
			return err->code;
	return 0;
}
