/* server.c: a deterministic OpenAI-compatible chat-completions server for
 * tests and benchmarks (libmicrohttpd). POST /v1/chat/completions answers
 * by the rules of bot.c (non-streaming JSON, or SSE when "stream": true,
 * tool calls when the request offers tools); GET /stats returns
 * {"requests": N}, the number of completions requests received, so tests
 * can assert that a rerun made no calls.
 *
 * usage: rt_server [--port N] [--port-file F] [--delay-ms D] [--flaky N] [--threads T]
 *   --flaky N    the first N completions requests get 429 with Retry-After: 0
 *   --delay-ms D sleep D ms before each answer (interruption tests)
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bot.h"

static atomic_ulong requests;
static long delay_ms, flaky;

struct body {
	char *p;
	size_t n;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", type);
	if (code == 429)
		MHD_add_response_header(r, "Retry-After", "0");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static char *completion(const char *body, size_t n, int *stream_out)
{
	json_t *req = json_loadb(body, n, 0, NULL);
	if (!req)
		return NULL;
	json_t *msgs = json_object_get(req, "messages");
	const char *system = NULL, *user = "";
	size_t i;
	json_t *m;
	json_array_foreach(msgs, i, m)
	{
		const char *role = json_string_value(json_object_get(m, "role"));
		const char *content = json_string_value(json_object_get(m, "content"));
		if (role && content && !strcmp(role, "system"))
			system = content;
		if (role && content && !strcmp(role, "user"))
			user = content;
	}
	int tools = json_array_size(json_object_get(req, "tools")) > 0;
	int stream = json_is_true(json_object_get(req, "stream"));
	*stream_out = stream;
	struct bot_reply br;
	bot_answer(system, user, tools, &br);
	json_t *calls = NULL;
	if (br.tool_name)
		calls = json_pack("[{s:s,s:s,s:{s:s,s:s}}]", "id", "call_1", "type", "function", "function",
		                  "name", br.tool_name, "arguments", br.tool_args);
	char *out = NULL;
	if (!stream) {
		json_t *msg = json_pack("{s:s,s:s}", "role", "assistant", "content", br.text);
		if (calls)
			json_object_set_new(msg, "tool_calls", calls);
		json_t *resp = json_pack("{s:s,s:s,s:[{s:i,s:o,s:s}]}", "id", "cmpl-test", "object",
		                         "chat.completion", "choices", "index", 0, "message", msg,
		                         "finish_reason", calls ? "tool_calls" : "stop");
		out = json_dumps(resp, JSON_COMPACT);
		json_decref(resp);
	} else {
		/* the text in 16-byte pieces, the tool call split in two deltas */
		size_t len = strlen(br.text),
		       cap = 4 * len + 1024 + (br.tool_args ? 2 * strlen(br.tool_args) : 0), at = 0;
		out = malloc(cap);
		out[0] = '\0';
		for (size_t k = 0; k < len; k += 16) {
			char piece[17];
			snprintf(piece, sizeof piece, "%.16s", br.text + k);
			json_t *ev = json_pack("{s:[{s:i,s:{s:s}}]}", "choices", "index", 0, "delta",
			                       "content", piece);
			char *e = json_dumps(ev, JSON_COMPACT);
			json_decref(ev);
			size_t need = strlen(e) + 16;
			if (at + need >= cap)
				out = realloc(out, cap = 2 * (cap + need));
			at += (size_t)sprintf(out + at, "data: %s\n\n", e);
			free(e);
		}
		if (br.tool_name) {
			size_t half = strlen(br.tool_args) / 2;
			char *first = strndup(br.tool_args, half);
			json_t *e1 = json_pack("{s:[{s:i,s:{s:[{s:i,s:s,s:{s:s,s:s}}]}}]}", "choices",
			                       "index", 0, "delta", "tool_calls", "index", 0, "id", "call_1",
			                       "function", "name", br.tool_name, "arguments", first);
			json_t *e2 =
			    json_pack("{s:[{s:i,s:{s:[{s:i,s:{s:s}}]}}]}", "choices", "index", 0, "delta",
			              "tool_calls", "index", 0, "function", "arguments", br.tool_args + half);
			char *s1 = json_dumps(e1, JSON_COMPACT), *s2 = json_dumps(e2, JSON_COMPACT);
			size_t need = strlen(s1) + strlen(s2) + 32;
			if (at + need >= cap)
				out = realloc(out, cap = 2 * (cap + need));
			at += (size_t)sprintf(out + at, "data: %s\n\ndata: %s\n\n", s1, s2);
			free(s1);
			free(s2);
			free(first);
			json_decref(e1);
			json_decref(e2);
			json_decref(calls);
		}
		if (at + 32 >= cap)
			out = realloc(out, cap += 64);
		sprintf(out + at, "data: [DONE]\n\n");
	}
	bot_reply_free(&br);
	json_decref(req);
	return out;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **state)
{
	(void)cls;
	(void)version;
	if (!strcmp(method, "GET") && !strcmp(url, "/stats")) {
		char *s = malloc(64);
		snprintf(s, 64, "{\"requests\": %lu}", (unsigned long)atomic_load(&requests));
		return reply(c, 200, "application/json", s);
	}
	if (strcmp(method, "POST") || !strstr(url, "/chat/completions"))
		return reply(c, 404, "text/plain", strdup("not found"));
	struct body *b = *state;
	if (!b) {
		*state = calloc(1, sizeof *b);
		return MHD_YES;
	}
	if (*size) {
		b->p = realloc(b->p, b->n + *size + 1);
		memcpy(b->p + b->n, data, *size);
		b->n += *size;
		*size = 0;
		return MHD_YES;
	}
	unsigned long k = atomic_fetch_add(&requests, 1) + 1;
	if ((long)k <= flaky)
		return reply(c, 429, "application/json", strdup("{\"error\": \"rate limited\"}"));
	if (delay_ms > 0) {
		struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
	int stream = 0;
	char *out = completion(b->p ? b->p : "", b->n, &stream);
	if (!out)
		return reply(c, 400, "application/json", strdup("{\"error\": \"bad request\"}"));
	return reply(c, 200, stream ? "text/event-stream" : "application/json", out);
}

static void done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)c;
	(void)code;
	struct body *b = *state;
	if (b) {
		free(b->p);
		free(b);
	}
	*state = NULL;
}

static volatile sig_atomic_t stop;
static void on_signal(int s)
{
	(void)s;
	stop = 1;
}

int main(int argc, char **argv)
{
	int port = 0, threads = 2;
	const char *port_file = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--port-file"))
			port_file = argv[i + 1];
		else if (!strcmp(argv[i], "--delay-ms"))
			delay_ms = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--flaky"))
			flaky = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--threads"))
			threads = atoi(argv[i + 1]);
		else {
			fprintf(stderr, "rt_server: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d;
	if (delay_ms > 0)
		d = MHD_start_daemon(flags | MHD_USE_THREAD_PER_CONNECTION, (uint16_t)port, NULL, NULL,
		                     handle, NULL, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
		                     MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, handle, NULL,
		                     MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_THREAD_POOL_SIZE,
		                     (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "rt_server: cannot start on port %d\n", port);
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (port_file) {
		char tmp[1024];
		snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%u\n", (unsigned)info->port);
			fclose(f);
			rename(tmp, port_file);
		}
	} else {
		printf("%u\n", (unsigned)info->port);
		fflush(stdout);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
