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
	const struct rt_curl *curl; /* the client's, for the header callback */
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

/* libcurl's functions, loaded at run time (curl_load.c says why). */
struct rt_curl {
	void *dl;
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	time_t (*getdate)(const char *, const time_t *);
};
/* Load libcurl into k (once; 0 when already loaded); unload it. */
int rt_curl_load(struct rt_curl *k, struct assay_error *err);
void rt_curl_unload(struct rt_curl *k);

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
	struct rt_curl curl;                   /* loaded by rt_http_init */
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
