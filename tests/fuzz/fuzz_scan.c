/* fuzz_scan.c: libFuzzer harness for the text scanner. The input is
 * scanned as one buffer, then fed to a stream in chunks of a size taken
 * from its first byte, then redacted; findings must lie inside the input
 * and in order. Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay/scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_finding(void *ud, const struct assay_finding *f, const char *v, size_t len)
{
	size_t *total = ud;
	if (f->end < f->start || len != f->end - f->start || (len && !v))
		abort();
	*total += 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assay_error err;
	/* compiled once: the database is the same for every input */
	static struct assay_scanner *s;
	struct assay_scan_ctx *c = NULL;
	struct assay_scan_stream *st = NULL;
	struct assay_redactor *r = NULL;
	if ((!s && assay_scanner_new(&s, NULL, &err)) || assay_scan_ctx_new(&c, s, &err))
		goto out;
	const char *text = (const char *)data;
	const struct assay_finding *f;
	size_t n;
	if (assay_scan_buffer(c, text, size, &f, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			if (f[i].start > f[i].end || f[i].end > size || (i && f[i].start < f[i - 1].start))
				abort();
		char m[256];
		for (size_t i = 0; i < n; i++)
			assay_scan_mask(f[i].entity, text + f[i].start, f[i].end - f[i].start, m, sizeof m);
		if (assay_redactor_new(&r, ASSAY_REDACT_PLACEHOLDER, NULL, 0, &err) == 0) {
			FILE *devnull = fopen("/dev/null", "w");
			if (devnull) {
				assay_redact_write(r, text, size, f, n, devnull, &err);
				fclose(devnull);
			}
		}
	}
	size_t total = 0, chunk = size ? (size_t)data[0] % 97 + 1 : 1;
	if (assay_scan_stream_new(&st, s, on_finding, &total, &err) == 0) {
		for (size_t off = 0; off < size; off += chunk)
			if (assay_scan_stream_feed(st, text + off, off + chunk < size ? chunk : size - off,
			                           &err))
				break;
		assay_scan_stream_finish(st, &err);
	}
out:
	assay_scan_stream_free(st);
	assay_redactor_free(r);
	assay_scan_ctx_free(c);
	return 0;
}
