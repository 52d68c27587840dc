/* target_internal.h: private to lib/genai: the client's jobs and the two
 * transports (HTTP over libcurl multi, exec over poll(2)). */
#ifndef ASSAY_GENAI_TARGET_INTERNAL_H
#define ASSAY_GENAI_TARGET_INTERNAL_H

#include <curl/curl.h>
#include <sys/types.h>

#include "assay/target.h"

struct rt_buf {
	char *p;
	size_t n, cap;
};
int rt_buf_put(struct rt_buf *b, const char *s, size_t n); /* 0, or -1 out of memory */

struct rt_job {
	uint64_t tag;
	char *body; /* request body (HTTP) or stdin text (exec) */
	char *msgs; /* exec: the messages as JSON (ASSAY_MESSAGES) */
	char key[65];
	int attempts;
	double not_before; /* monotonic seconds: retry not before */
	double started;
	/* in flight */
	CURL *easy;
	struct curl_slist *hdrs;
	struct rt_buf resp;
	double retry_after; /* seconds from Retry-After, < 0: none */
	pid_t pid;
	int fd_in, fd_out;
	size_t written;
	double deadline;
	/* outcome of the last attempt */
	int status; /* HTTP status or exit status */
	char errbuf[CURL_ERROR_SIZE];
	int transport_error; /* no response at all (refused, timeout) */
	struct rt_job *next;
};

struct assay_client;

/* transports: start one attempt; collect finished attempts into *done
 * (linked through ->next). */
int rt_http_init(struct assay_client *c, struct assay_error *err);
void rt_http_cleanup(struct assay_client *c);
int rt_http_start(struct assay_client *c, struct rt_job *j, struct assay_error *err);
int rt_http_wait(struct assay_client *c, int timeout_ms, struct rt_job **done, struct assay_error *err);
int rt_exec_start(struct assay_client *c, struct rt_job *j, struct assay_error *err);
int rt_exec_wait(struct assay_client *c, int timeout_ms, struct rt_job **done, struct assay_error *err);
void rt_exec_kill_all(struct assay_client *c);

/* parse a finished body into the response (text, tool calls) */
int rt_parse_openai(const char *body, size_t len, int sse, struct assay_response *r);

double rt_now(void);

struct assay_client {
	struct assay_target t;
	const char *api_key; /* from the environment; never logged or cached */
	CURLM *multi;
	struct rt_job *waiting, *waiting_tail; /* FIFO */
	struct rt_job *delayed;                /* retries, unordered */
	struct rt_job *flight;                 /* in flight (exec uses this list) */
	struct assay_response *ready;          /* cache hits to deliver */
	uint64_t *ready_tags;
	size_t nready, capready;
	size_t inflight, pending;
	double next_slot; /* rate limit */
	uint64_t rng;
	uint64_t calls;
	char url[1024]; /* full endpoint */
};

#endif
