/* transport_http.c: HTTP targets over libcurl's multi interface (one event
 * loop, any number of transfers in flight, no thread per request), the
 * OpenAI chat-completions answer parser (plain JSON and SSE streams, tool
 * calls reassembled from streamed deltas by their index) and the small
 * JSONPath subset used to extract answers from other APIs.
 *
 * OpenAI format (https://platform.openai.com/docs/api-reference/chat):
 *   answer   choices[0].message.content  (null when the model only calls tools)
 *   tools    choices[0].message.tool_calls[].function.{name, arguments}
 *   stream   "data: {json}\n\n" events ending with "data: [DONE]";
 *            choices[0].delta.content pieces and
 *            choices[0].delta.tool_calls[].{index, function.{name, arguments}}
 *            pieces appended per index.
 * JSONPath subset: $ then .name or ['name'] keys and [n] indexes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "target_internal.h"

int rt_http_init(struct assay_client *c, struct assay_error *err)
{
	int rc = rt_curl_load(&c->curl, err);
	if (rc)
		return rc;
	c->multi = c->curl.multi_init();
	if (!c->multi)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "cannot start libcurl");
	c->curl.multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->t.concurrency);
	c->curl.multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->t.concurrency);
	return 0;
}

void rt_http_cleanup(struct assay_client *c)
{
	if (!c->multi)
		return;
	/* transfers still in flight (an aborted run) */
	for (struct rt_job *j = c->flight, *next; j; j = next) {
		next = j->next;
		if (j->easy) {
			c->curl.multi_remove_handle(c->multi, j->easy);
			c->curl.easy_cleanup(j->easy);
		}
		c->curl.slist_free_all(j->hdrs);
		free(j->body);
		free(j->msgs);
		free(j->resp.p);
		free(j);
	}
	c->flight = NULL;
	c->curl.multi_cleanup(c->multi);
	c->multi = NULL;
	rt_curl_unload(&c->curl);
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct rt_job *j = ud;
	return rt_buf_put(&j->resp, p, size * n) ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct rt_job *j = ud;
	size_t len = size * n;
	if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
		char v[64];
		snprintf(v, sizeof v, "%.*s", (int)(len - 12 < 63 ? len - 12 : 63), p + 12);
		char *s = v;
		while (*s == ' ')
			s++;
		char *end;
		double d = strtod(s, &end);
		if (end != s)
			j->retry_after = d;
		else {
			time_t t = j->curl->getdate(s, NULL);
			if (t > 0)
				j->retry_after = (double)(t - time(NULL));
		}
	}
	return len;
}

/* "Authorization: Bearer $KEY" -> the variable's value (never logged) */
static struct curl_slist *add_header(const struct assay_client *c, struct curl_slist *l, const char *h)
{
	const char *d = strchr(h, '$');
	if (!d)
		return c->curl.slist_append(l, h);
	char name[128];
	size_t k = 0;
	const char *q = d + 1;
	while ((isalnum((unsigned char)*q) || *q == '_') && k + 1 < sizeof name)
		name[k++] = *q++;
	name[k] = '\0';
	const char *v = getenv(name);
	size_t need = strlen(h) + (v ? strlen(v) : 0) + 1;
	char *buf = malloc(need);
	if (!buf)
		return l;
	snprintf(buf, need, "%.*s%s%s", (int)(d - h), h, v ? v : "", q);
	struct curl_slist *r = c->curl.slist_append(l, buf);
	free(buf);
	return r;
}

int rt_http_start(struct assay_client *c, struct rt_job *j, struct assay_error *err)
{
	CURL *e = c->curl.easy_init();
	if (!e)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "cannot start a libcurl transfer");
	j->curl = &c->curl;
	struct curl_slist *h = c->curl.slist_append(NULL, "Content-Type: application/json");
	if (c->t.kind == ASSAY_TARGET_OPENAI && c->t.stream)
		h = c->curl.slist_append(h, "Accept: text/event-stream");
	if (c->api_key) {
		size_t need = strlen(c->api_key) + 32;
		char *auth = malloc(need);
		if (auth) {
			snprintf(auth, need, "Authorization: Bearer %s", c->api_key);
			h = c->curl.slist_append(h, auth);
			memset(auth, 0, need);
			free(auth);
		}
	}
	for (size_t i = 0; i < c->t.nheaders; i++)
		h = add_header(c, h, c->t.headers[i]);
	h = c->curl.slist_append(h, "Expect:");
	j->hdrs = h;
	j->easy = e;
	c->curl.easy_setopt(e, CURLOPT_URL, c->url);
	c->curl.easy_setopt(e, CURLOPT_HTTPHEADER, h);
	const char *method = c->t.http_method ? c->t.http_method : "POST";
	if (!strcasecmp(method, "GET")) {
		c->curl.easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		c->curl.easy_setopt(e, CURLOPT_POSTFIELDS, j->body);
		c->curl.easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(j->body));
		if (strcasecmp(method, "POST"))
			c->curl.easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	c->curl.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	c->curl.easy_setopt(e, CURLOPT_WRITEDATA, j);
	c->curl.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	c->curl.easy_setopt(e, CURLOPT_HEADERDATA, j);
	c->curl.easy_setopt(e, CURLOPT_PRIVATE, j);
	c->curl.easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	c->curl.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(c->t.timeout_s * 1000));
	c->curl.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	c->curl.easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	if (c->curl.multi_add_handle(c->multi, e) != CURLM_OK) {
		c->curl.easy_cleanup(e);
		c->curl.slist_free_all(h);
		j->easy = NULL;
		j->hdrs = NULL;
		return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "cannot add a libcurl transfer");
	}
	j->next = c->flight;
	c->flight = j;
	return 0;
}

int rt_http_wait(struct assay_client *c, int timeout_ms, struct rt_job **done, struct assay_error *err)
{
	int running = 0;
	c->curl.multi_perform(c->multi, &running);
	if (c->inflight && timeout_ms > 0) {
		c->curl.multi_poll(c->multi, NULL, 0, timeout_ms, NULL);
		c->curl.multi_perform(c->multi, &running);
	} else if (!c->inflight && timeout_ms > 0) {
		struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	CURLMsg *m;
	int left;
	struct rt_job *tail = NULL;
	while ((m = c->curl.multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct rt_job *j = NULL;
		c->curl.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		long status = 0;
		c->curl.easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		j->status = (int)status;
		if (m->data.result != CURLE_OK) {
			j->transport_error = 1;
			j->status = 0;
			if (!j->errbuf[0])
				snprintf(j->errbuf, sizeof j->errbuf, "%s",
				         c->curl.easy_strerror(m->data.result));
		}
		c->curl.multi_remove_handle(c->multi, m->easy_handle);
		c->curl.easy_cleanup(m->easy_handle);
		c->curl.slist_free_all(j->hdrs);
		j->easy = NULL;
		j->hdrs = NULL;
		for (struct rt_job **pp = &c->flight; *pp; pp = &(*pp)->next)
			if (*pp == j) {
				*pp = j->next;
				break;
			}
		j->next = NULL;
		if (tail)
			tail->next = j;
		else
			*done = j;
		tail = j;
	}
	(void)err;
	return 0;
}

/* ---- answers ----------------------------------------------------------- */

static int add_call(struct assay_response *r, size_t index, const char *name, const char *args)
{
	if (index >= 256)
		return 0;
	if (index >= r->ntools) {
		struct assay_call *v = realloc(r->tools, (index + 1) * sizeof *v);
		if (!v)
			return -1;
		memset(v + r->ntools, 0, (index + 1 - r->ntools) * sizeof *v);
		r->tools = v;
		r->ntools = index + 1;
	}
	struct assay_call *t = &r->tools[index];
	const char *add[2] = {name, args};
	char **dst[2] = {&t->name, &t->arguments};
	for (int k = 0; k < 2; k++) {
		if (!add[k])
			continue;
		size_t a = *dst[k] ? strlen(*dst[k]) : 0, b = strlen(add[k]);
		char *p = realloc(*dst[k], a + b + 1);
		if (!p)
			return -1;
		memcpy(p + a, add[k], b + 1);
		*dst[k] = p;
	}
	return 0;
}

static int calls_from(json_t *calls, struct assay_response *r, int stream)
{
	size_t i;
	json_t *tc;
	json_array_foreach(calls, i, tc)
	{
		json_t *idx = json_object_get(tc, "index");
		size_t at = stream && json_is_integer(idx) ? (size_t)json_integer_value(idx)
		                                           : (stream ? i : r->ntools);
		json_t *fn = json_object_get(tc, "function");
		if (add_call(r, at, json_string_value(json_object_get(fn, "name")),
		             json_string_value(json_object_get(fn, "arguments"))))
			return -1;
	}
	return 0;
}

int rt_parse_openai(const char *body, size_t len, int sse, struct assay_response *r)
{
	struct rt_buf text = {0};
	int rc = 0;
	if (!sse) {
		json_t *o = json_loadb(body, len, 0, NULL);
		json_t *msg = json_object_get(json_array_get(json_object_get(o, "choices"), 0), "message");
		if (!msg) {
			json_decref(o);
			return -1;
		}
		const char *content = json_string_value(json_object_get(msg, "content"));
		rc = rt_buf_put(&text, content ? content : "", content ? strlen(content) : 0);
		if (!rc)
			rc = calls_from(json_object_get(msg, "tool_calls"), r, 0);
		json_decref(o);
	} else {
		const char *p = body, *end = body + len;
		int any = 0;
		while (p < end && !rc) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			if (le - p > 5 && !strncmp(p, "data:", 5)) {
				const char *d = p + 5;
				while (d < le && *d == ' ')
					d++;
				size_t dn = (size_t)(le - d);
				if (dn && d[dn - 1] == '\r')
					dn--;
				if (!(dn == 6 && !strncmp(d, "[DONE]", 6))) {
					json_t *o = json_loadb(d, dn, 0, NULL);
					json_t *delta = json_object_get(
					    json_array_get(json_object_get(o, "choices"), 0), "delta");
					if (delta) {
						any = 1;
						const char *piece =
						    json_string_value(json_object_get(delta, "content"));
						if (piece)
							rc = rt_buf_put(&text, piece, strlen(piece));
						if (!rc)
							rc = calls_from(json_object_get(delta, "tool_calls"),
							                r, 1);
					}
					json_decref(o);
				}
			}
			p = le + 1;
		}
		if (!any && !rc) {
			free(text.p);
			return -1;
		}
	}
	if (rc) {
		free(text.p);
		return -1;
	}
	r->text = text.p ? text.p : strdup("");
	for (size_t i = 0; i < r->ntools; i++) {
		if (!r->tools[i].name)
			r->tools[i].name = strdup("");
		if (!r->tools[i].arguments)
			r->tools[i].arguments = strdup("{}");
	}
	return r->text ? 0 : -1;
}

char *assay_json_extract(const char *json, size_t len, const char *path)
{
	json_t *root = json_loadb(json, len, JSON_DECODE_ANY, NULL);
	if (!root || !path || path[0] != '$') {
		json_decref(root);
		return NULL;
	}
	json_t *cur = root;
	const char *p = path + 1;
	char key[256];
	while (*p && cur) {
		if (*p == '.') {
			p++;
			size_t k = 0;
			while (*p && *p != '.' && *p != '[' && k + 1 < sizeof key)
				key[k++] = *p++;
			key[k] = '\0';
			cur = json_object_get(cur, key);
		} else if (*p == '[' && (p[1] == '\'' || p[1] == '"')) {
			char q = p[1];
			p += 2;
			size_t k = 0;
			while (*p && *p != q && k + 1 < sizeof key)
				key[k++] = *p++;
			key[k] = '\0';
			if (*p != q || p[1] != ']') {
				cur = NULL;
				break;
			}
			p += 2;
			cur = json_object_get(cur, key);
		} else if (*p == '[') {
			char *end;
			long i = strtol(p + 1, &end, 10);
			if (*end != ']' || end == p + 1) {
				cur = NULL;
				break;
			}
			p = end + 1;
			cur = i >= 0 ? json_array_get(cur, (size_t)i)
			             : json_array_get(cur, json_array_size(cur) - (size_t)-i);
		} else {
			cur = NULL;
		}
	}
	char *out = NULL;
	if (cur)
		out = json_is_string(cur) ? strdup(json_string_value(cur))
		                          : json_dumps(cur, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(root);
	return out;
}
