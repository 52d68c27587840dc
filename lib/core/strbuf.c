/* strbuf.c: growable strings (assay/strbuf.h): capacity doubles from 256. */
#include "assay/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void assay_strbuf_put(struct assay_strbuf *b, const char *s, size_t n)
{
	if (b->oom || n > (SIZE_MAX >> 2) - b->n) {
		b->oom = 1;
		return;
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

void assay_strbuf_puts(struct assay_strbuf *b, const char *s)
{
	assay_strbuf_put(b, s, strlen(s));
}

void assay_strbuf_free(struct assay_strbuf *b)
{
	free(b->p);
	*b = (struct assay_strbuf){0};
}
