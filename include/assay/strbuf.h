/* assay/strbuf.h: a growable NUL-terminated byte string for building text
 * (canonical JSON, transformed prompts). Errors are sticky: after an
 * allocation fails, oom is set and further appends do nothing, so a
 * builder checks once at the end. Zero-initialise; free with
 * assay_strbuf_free. */
#ifndef ASSAY_STRBUF_H
#define ASSAY_STRBUF_H

#include <stddef.h>

struct assay_strbuf {
	char *p; /* NUL-terminated once anything was appended; NULL before */
	size_t n, cap;
	int oom;
};

void assay_strbuf_put(struct assay_strbuf *b, const char *s, size_t n);
void assay_strbuf_puts(struct assay_strbuf *b, const char *s);
void assay_strbuf_free(struct assay_strbuf *b);

#endif
