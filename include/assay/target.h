/* assay/target.h: GenAI targets for red-teaming: the systems under test.
 *
 * A target answers a conversation (a list of messages). Three kinds:
 *   openai:BASE_URL  OpenAI-compatible chat completions (POST
 *                    BASE_URL/chat/completions), streaming (SSE) or not,
 *                    tool calls recorded; the API key comes from the
 *                    environment variable the suite names and is never
 *                    logged, cached or written anywhere.
 *   http:URL         a JSON request template with {{prompt}}, {{system}}
 *                    and {{messages}} placeholders (JSON-escaped) and a
 *                    JSONPath-like extraction of the answer
 *                    ($.choices[0].message.content).
 *   exec:CMD         a local command run by /bin/sh: the prompt on stdin,
 *                    the answer on stdout; exit status != 0 is an error;
 *                    past the timeout the child's process group is killed.
 *
 * One client drives every request through one event loop: libcurl's multi
 * interface for HTTP (no thread per request), poll(2) over the children's
 * pipes for exec. It owns concurrency, timeouts, retries with exponential
 * backoff and jitter on 429/5xx and transport errors (Retry-After honoured),
 * a request-rate limit, and a response cache keyed by the SHA-256 of the
 * canonical request (a directory of files; a rerun answers from it without
 * calling the target).
 */
#ifndef ASSAY_TARGET_H
#define ASSAY_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "assay/error.h"

enum assay_target_kind { ASSAY_TARGET_OPENAI = 0, ASSAY_TARGET_HTTP, ASSAY_TARGET_EXEC };

struct assay_message {
	const char *role; /* "system", "user", "assistant" */
	const char *content;
};

/* A tool call the target made (openai: message.tool_calls, streamed deltas
 * reassembled). */
struct assay_call {
	char *name;
	char *arguments; /* the JSON text the target produced */
};

struct assay_target {
	enum assay_target_kind kind;
	const char *url;            /* openai: base URL; http: the URL; exec: the command */
	const char *model;          /* openai: "model" */
	const char *api_key_env;    /* name of the environment variable holding the key, or NULL */
	int stream;                 /* openai: ask for SSE streaming */
	double temperature;         /* NaN: not sent */
	int max_tokens;             /* 0: not sent */
	const char *tools_json;     /* openai: the "tools" array (JSON text), or NULL */
	const char *http_method;    /* http: default POST */
	const char *http_body;      /* http: the body template */
	const char *http_extract;   /* http: answer path, default $.choices[0].message.content */
	const char *const *headers; /* extra "Name: value" headers; $NAME expands from the env */
	size_t nheaders;
	double timeout_s;      /* per attempt, default 60 */
	int retries;           /* further attempts after a retryable failure, default 3 */
	double backoff_s;      /* first backoff, default 0.5; doubles per retry, +-50% jitter */
	double rate;           /* requests per second, 0: unlimited */
	int concurrency;       /* requests in flight, default 8 */
	const char *cache_dir; /* response cache directory, NULL: none */
	uint64_t seed;         /* jitter */
};

/* Parse "openai:URL", "http:URL" or "exec:CMD" into kind and url (pointing
 * into spec). Errors name the spec. */
int assay_target_parse(const char *spec, struct assay_target *t, struct assay_error *err);
const char *assay_target_kind_name(enum assay_target_kind k);

struct assay_response {
	int ok;     /* an answer was received */
	int status; /* HTTP status or exit status; 0 when none */
	char *text; /* the answer ("" when none) */
	size_t ntools;
	struct assay_call *tools;
	char *error;       /* why not ok, or NULL */
	double latency_ms; /* of the last attempt (0 from the cache) */
	int attempts;      /* target calls made for this request (0: from the cache) */
	int cached;
	char key[65]; /* SHA-256 of the canonical request */
};

struct assay_client;

/* Called once per submitted request, when it is finished (answered, from
 * the cache, or failed after its retries). r is valid during the call. */
typedef void (*assay_client_done_fn)(void *ud, uint64_t tag, const struct assay_response *r);

int assay_client_new(struct assay_client **out, const struct assay_target *t, struct assay_error *err);
void assay_client_free(struct assay_client *c);

/* Queue one request (the messages are copied). Never blocks. */
int assay_client_submit(struct assay_client *c, uint64_t tag, const struct assay_message *msgs, size_t n,
                        struct assay_error *err);
/* Requests queued or in flight. */
size_t assay_client_pending(const struct assay_client *c);
/* Run the loop for up to timeout_ms (or until something finished), calling
 * done for every finished request. */
int assay_client_poll(struct assay_client *c, int timeout_ms, assay_client_done_fn done, void *ud,
                      struct assay_error *err);
/* Target calls actually made so far (cache hits excluded). */
uint64_t assay_client_calls(const struct assay_client *c);

/* One request, synchronously (the judge and simple callers). The response
 * is the caller's: free it with assay_response_clear. */
int assay_client_ask(struct assay_client *c, const struct assay_message *msgs, size_t n,
                     struct assay_response *out, struct assay_error *err);
void assay_response_clear(struct assay_response *r);

/* The canonical request (JSON text, malloc'd) whose SHA-256 keys the cache:
 * kind, url, model, parameters, tools and the messages; never the key. */
char *assay_target_canonical(const struct assay_target *t, const struct assay_message *msgs, size_t n);

/* JSONPath-like extraction: $.a.b[0].c over a JSON text; returns a malloc'd
 * string (strings as their value, other JSON as compact JSON), NULL when
 * the path does not resolve. */
char *assay_json_extract(const char *json, size_t len, const char *path);

#endif
