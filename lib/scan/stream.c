/* stream.c: scanning a stream of chunks (an LLM response arriving as
 * server-sent events) with the block-mode database and an overlap window.
 *
 * The stream keeps the bytes that can still matter: ASSAY_SCAN_WINDOW
 * bytes behind the end of the data (a finding starting there may still
 * grow) plus KEEP_BEFORE bytes of context before them. A finding is
 * reported exactly once, when its start falls into the committed region
 * [committed, end - WINDOW), where no later byte can change it; at finish
 * everything left is committed. Chunks are rescanned only once at least
 * MIN_NEW committable bytes have arrived, so a stream of tiny deltas costs
 * about one window scan per MIN_NEW bytes.
 *
 * Hyperscan's own streaming mode was not used: validators and overlap
 * resolution need the matched bytes, which a streaming database has
 * already forgotten, and SOM in streaming mode needs a horizon anyway.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

#define KEEP_BEFORE 128
#define MIN_NEW     1024

struct assay_scan_stream {
	struct assay_scan_ctx *ctx;
	assay_finding_fn fn;
	void *ud;
	char *buf;
	size_t len, cap;
	uint64_t base;      /* absolute offset of buf[0] */
	uint64_t committed; /* findings starting before this were reported */
};

int assay_scan_stream_new(struct assay_scan_stream **out, const struct assay_scanner *s, assay_finding_fn fn,
                          void *ud, struct assay_error *err)
{
	*out = NULL;
	struct assay_scan_stream *st = calloc(1, sizeof *st);
	if (!st)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	int rc = assay_scan_ctx_new(&st->ctx, s, err);
	if (rc) {
		free(st);
		return rc;
	}
	st->fn = fn;
	st->ud = ud;
	*out = st;
	return 0;
}

void assay_scan_stream_free(struct assay_scan_stream *st)
{
	if (!st)
		return;
	assay_scan_ctx_free(st->ctx);
	free(st->buf);
	free(st);
}

/* Scan the window; report findings starting in [committed, limit). */
static int flush(struct assay_scan_stream *st, uint64_t limit, struct assay_error *err)
{
	const struct assay_finding *f;
	size_t n;
	int rc = assay_scan_buffer(st->ctx, st->buf, st->len, &f, &n, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = st->base + f[i].start;
		if (a < st->committed || a >= limit)
			continue;
		struct assay_finding g = f[i];
		g.start = a;
		g.end = st->base + f[i].end;
		if ((rc = st->fn(st->ud, &g, st->buf + f[i].start, f[i].end - f[i].start)) != 0)
			return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0,
			                       "the finding callback stopped the scan (%d)", rc);
	}
	if (limit > st->committed)
		st->committed = limit;
	/* drop what can no longer matter */
	uint64_t keep_from = st->committed > KEEP_BEFORE ? st->committed - KEEP_BEFORE : 0;
	if (keep_from > st->base) {
		size_t drop = (size_t)(keep_from - st->base);
		if (drop > st->len)
			drop = st->len;
		if (st->len > drop) /* buf may still be NULL when nothing was kept */
			memmove(st->buf, st->buf + drop, st->len - drop);
		st->len -= drop;
		st->base += drop;
	}
	return 0;
}

int assay_scan_stream_feed(struct assay_scan_stream *st, const char *chunk, size_t len,
                           struct assay_error *err)
{
	if (scan_grow((void **)&st->buf, &st->cap, st->len + len, 1))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	memcpy(st->buf + st->len, chunk, len);
	st->len += len;
	uint64_t end = st->base + st->len;
	if (end < ASSAY_SCAN_WINDOW)
		return 0;
	uint64_t limit = end - ASSAY_SCAN_WINDOW;
	if (limit < st->committed + MIN_NEW)
		return 0;
	return flush(st, limit, err);
}

int assay_scan_stream_finish(struct assay_scan_stream *st, struct assay_error *err)
{
	return flush(st, UINT64_MAX, err);
}
