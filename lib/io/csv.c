/* csv.c: the CSV tokenizer (RFC 4180) used by the scanner and for the
 * header row.
 *
 * Format: rows end with LF or CRLF; fields are separated by one delimiter
 * byte (',' by default); a field that starts with '"' is quoted: it ends
 * at the next lone '"', may contain the delimiter, CR and LF, and "" stands
 * for one '"'. A '"' inside an unquoted field (ab"c) is kept literally, as
 * Python's csv, pandas and R do. Text between a closing quote and the next
 * delimiter ("ab"c) is an error: it is what an unescaped quote inside a
 * quoted field looks like, and guessing would silently change the data.
 * A final row without a line end is a row. A CR alone is not a line end.
 *
 * Why hand-written: the scan must run at >= 1 GB/s on two cores, and
 * the SHA-256 of the input, computed during the same scan, already takes
 * one core at ~1.5 GB/s (SHA-NI). Measured on this machine (2 vCPUs,
 * idle), 1M-row synthetic file (110 MB, 18 columns), columns 0 and 2
 * parsed as numbers: Debian's libcsv 3.0.3 (csv_parse with field and row
 * callbacks, strtod) runs at 0.21 GB/s on one core; the whole scan here,
 * one worker plus the hashing thread, runs at 1.08-1.18 GB/s, of which
 * tokenizing is ~0.35 s of CPU per GB (~2.8 GB/s per core). See scan.c.
 *
 * How: 64 bytes at a time, build bit masks of delimiter/LF, '"' and
 * high-bit bytes (SSE2 compares + movemask; a byte loop elsewhere), then
 * walk the set bits. A '"' that opens a field is followed by a byte loop
 * to its closing quote (counting quoted line breaks), and the mask walk
 * resumes after it; a '"' elsewhere is literal. Rows whose bytes include
 * a high bit are UTF-8 validated as a whole at their end (delimiters and
 * line ends are ASCII, so that equals validating each field). Every row
 * starts at a line start outside quotes, which makes the carry-over of a
 * partial row between blocks simple: it is re-tokenized from its start.
 * Where the CPU has AVX-512BW the masks take one compare each per 64
 * bytes (masks64_avx512, chosen at run time; measured: ~4% of a 1M-row
 * eval's CPU; elsewhere SSE2). The header row goes through a plain byte
 * state machine with the same grammar (slow_row).
 *
 * Does not: guess delimiters, trim spaces, accept CR-only line ends, or
 * handle encodings other than UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CSV_AVX512 1
#include <immintrin.h>
#endif

#include "io.h"

enum { ROW_DONE = 0, ROW_INCOMPLETE = 1, ROW_UNTERMINATED = 2 };

struct csv_row {
	size_t nf;   /* fields counted (may exceed the fields stored) */
	size_t end;  /* offset of the row's terminator (LF) or of the end of data */
	size_t next; /* offset of the next row */
	uint64_t nl; /* LF bytes inside the row, terminator included */
	int blank;   /* an empty line */
};

static void store(struct assay_field *f, size_t cap, size_t nf, const char *buf, size_t a, size_t b,
                  size_t line_start)
{
	if (nf < cap) {
		f[nf].p = buf + a;
		f[nf].len = (uint32_t)(b - a);
		f[nf].column = (uint32_t)(a - line_start + 1);
	}
}

/* Tokenize the row starting at buf[pos] (a line start, outside quotes) with
 * the state machine. Stores raw spans (quotes included) of up to cap
 * fields. On ROW_UNTERMINATED and errors, err holds the location (line
 * relative to line0, the line of buf[pos]). */
static int slow_row(const char *buf, size_t len, size_t pos, int final, char delim, struct assay_field *f,
                    size_t cap, uint64_t line0, struct csv_row *r, struct assay_error *err)
{
	size_t p = pos, line_start = pos;
	uint64_t nl = 0;
	size_t nf = 0;
	for (;;) {
		size_t fstart = p;
		if (p < len && buf[p] == '"') {
			uint64_t open_nl = nl;
			size_t open_col = p - line_start + 1;
			p++;
			for (;;) {
				/* a byte loop: quoted fields are usually short, and
				 * it counts line breaks in the same pass */
				while (p < len && buf[p] != '"') {
					if (buf[p] == '\n') {
						nl++;
						line_start = p + 1;
					}
					p++;
				}
				size_t q = p;
				const char *qq = q < len ? buf + q : NULL;
				if (!qq) {
					if (!final)
						return ROW_INCOMPLETE;
					assay_error_set(
					    err, ASSAY_EINPUT, NULL, line0 + open_nl, open_col,
					    "quoted field is not closed before the end of the file");
					assay_error_hint(
					    err,
					    "a quote inside a quoted field must be doubled (\"a \"\"b\"\" "
					    "c\"); check for a stray '\"' here");
					return ROW_UNTERMINATED;
				}
				if (q + 1 < len && buf[q + 1] == '"') {
					p = q + 2;
					continue;
				}
				if (q + 1 == len && !final)
					return ROW_INCOMPLETE; /* cannot tell "" from a closing quote yet */
				p = q + 1;
				break;
			}
			if (p < len && buf[p] != delim && buf[p] != '\n') {
				int crlf = buf[p] == '\r' && (p + 1 == len || buf[p + 1] == '\n');
				if (buf[p] == '\r' && p + 1 == len && !final)
					return ROW_INCOMPLETE;
				if (!crlf) {
					unsigned char c = (unsigned char)buf[p];
					assay_error_set(
					    err, ASSAY_EINPUT, NULL, line0 + nl, p - line_start + 1,
					    c >= 0x20 && c < 0x7f
					        ? "unexpected '%c' after the closing quote of a field"
					        : "unexpected byte 0x%02x after the closing quote of a field",
					    c);
					assay_error_hint(err, "a quote inside a quoted field must be doubled "
					                      "(\"a \"\"b\"\" c\")");
					return ASSAY_EINPUT;
				}
				store(f, cap, nf, buf, fstart, p, line_start);
				p++; /* the CR */
			} else {
				store(f, cap, nf, buf, fstart, p, line_start);
			}
		} else {
			while (p < len && buf[p] != delim && buf[p] != '\n')
				p++;
			if (p == len && !final)
				return ROW_INCOMPLETE;
			size_t e = p;
			if ((p == len || buf[p] == '\n') && e > fstart && buf[e - 1] == '\r')
				e--;
			store(f, cap, nf, buf, fstart, e, line_start);
			if (nf == 0 && e == fstart && (p == len || buf[p] == '\n'))
				r->blank = 1;
		}
		nf++;
		if (p < len && buf[p] == delim) {
			p++;
			r->blank = 0;
			continue;
		}
		break;
	}
	if (nf != 1)
		r->blank = 0;
	r->nf = nf;
	r->end = p;
	if (p < len) { /* buf[p] == '\n' */
		nl++;
		p++;
	}
	r->next = p;
	r->nl = nl;
	return ROW_DONE;
}

/* Replace the raw spans of quoted fields by their text, in place. */
static void unquote(struct assay_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].len < 2 || f[i].p[0] != '"')
			continue;
		char *s = (char *)f[i].p + 1, *end = (char *)f[i].p + f[i].len - 1, *d = s;
		const char *q = memchr(s, '"', (size_t)(end - s));
		if (q) {
			d = (char *)q;
			s = (char *)q;
			while (s < end) {
				if (*s == '"')
					s++; /* the first of "" */
				*d++ = *s++;
			}
		} else {
			d = end;
		}
		f[i].p = f[i].p + 1;
		f[i].len = (uint32_t)(d - f[i].p);
	}
}

static int f_in(const struct assay_field *f, const char *row, size_t len)
{
	return f->p >= row && f->p <= row + len;
}

/* A quoted field among f[0..n) holds a doubled quote: unquote() writes. */
static int needs_writes(const struct assay_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].len > 2 && f[i].p[0] == '"' && memchr(f[i].p + 1, '"', f[i].len - 2))
			return 1;
	return 0;
}

/* The row row[0..len) (holding the n stored fields) is in a read-only
 * mapping: copy it to w->buf and point the fields there. 0 or -1. */
static int copy_row(struct assay_io_worker *w, const char *row, size_t len, size_t n)
{
	if (!w->buf || w->cap < len) {
		char *nb = realloc(w->buf, len + ASSAY_IO_PAD);
		if (!nb)
			return -1;
		w->buf = nb;
		w->cap = len;
	}
	memcpy(w->buf, row, len);
	for (size_t i = 0; i < n; i++)
		if (f_in(&w->fields[i], row, len))
			w->fields[i].p = w->buf + (w->fields[i].p - row);
	return 0;
}

int assay_io_utf8_error(struct assay_io_worker *w, const char *row, size_t off, uint64_t line, uint64_t col0)
{
	size_t ls = 0;
	int first_line = 1;
	for (size_t i = 0; i < off; i++)
		if (row[i] == '\n') {
			line++;
			ls = i + 1;
			first_line = 0;
		}
	uint64_t col = off - ls + (first_line ? col0 : 1);
	assay_error_set(&w->err, ASSAY_EINPUT, NULL, line, col, "invalid UTF-8 byte 0x%02x",
	                (unsigned char)row[off]);
	assay_error_hint(&w->err, "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
	return ASSAY_EINPUT;
}

/* Bit masks of 64 bytes at p: structural (delimiter or LF), LF, quote,
 * high. */
static inline void masks64(const char *p, char delim, uint64_t *ms, uint64_t *mn, uint64_t *mq, uint64_t *mh)
{
#ifdef __SSE2__
	const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"');
	uint64_t s = 0, n = 0, q = 0, h = 0;
	for (int k = 0; k < 4; k++) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i xn = _mm_cmpeq_epi8(x, vn);
		uint64_t sk = (uint16_t)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, vd), xn));
		uint64_t nk = (uint16_t)_mm_movemask_epi8(xn);
		uint64_t qk = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq));
		uint64_t hk = (uint16_t)_mm_movemask_epi8(x);
		s |= sk << (16 * k);
		n |= nk << (16 * k);
		q |= qk << (16 * k);
		h |= hk << (16 * k);
	}
	*ms = s;
	*mn = n;
	*mq = q;
	*mh = h;
#else
	uint64_t s = 0, n = 0, q = 0, h = 0;
	for (int i = 0; i < 64; i++) {
		unsigned char c = (unsigned char)p[i];
		s |= (uint64_t)(c == (unsigned char)delim || c == '\n') << i;
		n |= (uint64_t)(c == '\n') << i;
		q |= (uint64_t)(c == '"') << i;
		h |= (uint64_t)(c >> 7) << i;
	}
	*ms = s;
	*mn = n;
	*mq = q;
	*mh = h;
#endif
}

#ifdef CSV_AVX512
/* The same masks with AVX-512BW (chosen at run time): one load and three
 * comparisons per 64 bytes where SSE2 takes 4 loads, 12 comparisons and
 * 16 movemasks: ~6 ms of CPU less on a 1M-row eval (110 MB, 146 ms in all). */
__attribute__((target("avx512bw"))) static void masks64_avx512(const char *p, char delim, uint64_t *ms,
                                                               uint64_t *mn, uint64_t *mq, uint64_t *mh)
{
	__m512i x = _mm512_loadu_si512((const void *)p);
	uint64_t n = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\n'));
	*ms = n | _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(delim));
	*mn = n;
	*mq = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('"'));
	*mh = _mm512_movepi8_mask(x);
}
#endif

/* The data tokenizer's state: the row being built in buf. */
struct tok {
	struct assay_io_worker *w;
	char *buf;
	size_t len;
	size_t row_start, field_start, line_start; /* line_start: of the current physical line */
	size_t nf;
	uint64_t row_nl;  /* LF bytes inside the row so far (quoted line breaks) */
	size_t dirty_end; /* bytes before this may be non-ASCII */
	int quoted;       /* the row has quoted fields to unescape */
};

/* The row ends: its last field is [field_start, e) unless already stored
 * (a quoted field); term is the terminator's offset (LF or the end), next
 * the offset of the next row. */
static int end_row(struct tok *t, size_t e, int stored, size_t term, size_t next, int has_nl)
{
	struct assay_io_worker *w = t->w;
	size_t nstore = assay_io_nstore(w->src);
	int blank = 0;
	if (!stored) {
		if (e > t->field_start && t->buf[e - 1] == '\r')
			e--;
		store(w->fields, nstore, t->nf, t->buf, t->field_start, e, t->line_start);
		blank = t->nf == 0 && e == t->row_start;
	}
	t->nf++;
	if (t->row_start < t->dirty_end) {
		size_t bad = assay_io_utf8_check(t->buf + t->row_start, term - t->row_start);
		if (bad != term - t->row_start)
			return assay_io_utf8_error(w, t->buf + t->row_start, bad, w->line, 1);
	}
	if (t->quoted) {
		size_t n = t->nf < nstore ? t->nf : nstore;
		if (w->inplace && needs_writes(w->fields, n) &&
		    copy_row(w, t->buf + t->row_start, term - t->row_start, n))
			return assay_error_set(&w->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		unquote(w->fields, n);
	}
	int rc = assay_io_row_done(w, w->line, t->nf, blank);
	w->line += t->row_nl + (uint64_t)has_nl;
	t->row_start = t->field_start = t->line_start = next;
	t->nf = 0;
	t->row_nl = 0;
	t->quoted = 0;
	return rc;
}

/* The quoted field opening at buf[q] (q == field_start). Stores it, ends
 * the field or the row that follows it, and sets *resume to the offset to
 * go on from. Returns 0, ROW_INCOMPLETE (need more data),
 * ROW_UNTERMINATED (err set), or an error. */
static int quoted_field(struct tok *t, size_t q, int final, size_t *resume)
{
	struct assay_io_worker *w = t->w;
	const char *buf = t->buf;
	const size_t len = t->len;
	const char delim = w->src->delim;
	uint64_t open_nl = t->row_nl;
	size_t col = q - t->line_start + 1, p = q + 1;
	unsigned char high = 0;
	for (;;) {
		/* a byte loop: quoted fields are usually short, and it counts
		 * line breaks and spots non-ASCII in the same pass */
		while (p < len && buf[p] != '"') {
			high |= (unsigned char)buf[p];
			if (buf[p] == '\n') {
				t->row_nl++;
				t->line_start = p + 1;
			}
			p++;
		}
		if (p == len) {
			if (!final)
				return ROW_INCOMPLETE;
			assay_error_set(&w->err, ASSAY_EINPUT, NULL, w->line + open_nl, col,
			                "quoted field is not closed before the end of the file");
			assay_error_hint(&w->err,
			                 "a quote inside a quoted field must be doubled (\"a \"\"b\"\" "
			                 "c\"); check for a stray '\"' here");
			return ROW_UNTERMINATED;
		}
		if (p + 1 < len && buf[p + 1] == '"') {
			p += 2;
			continue;
		}
		if (p + 1 == len && !final)
			return ROW_INCOMPLETE; /* cannot tell "" from a closing quote yet */
		p++;
		break;
	}
	if ((high & 0x80) && p > t->dirty_end)
		t->dirty_end = p;
	if (t->row_nl > open_nl)
		w->quoted_lf = 1;
	/* column: where the field starts, on the line where it starts */
	struct assay_field *f = w->fields;
	if (t->nf < assay_io_nstore(w->src)) {
		f[t->nf].p = buf + q;
		f[t->nf].len = (uint32_t)(p - q);
		f[t->nf].column = (uint32_t)col;
	}
	t->quoted = 1;
	if (p == len) { /* final */
		*resume = len;
		return end_row(t, p, 1, len, len, 0);
	}
	if (buf[p] == delim) {
		t->nf++;
		t->field_start = p + 1;
		*resume = p + 1;
		return 0;
	}
	if (buf[p] == '\n') {
		*resume = p + 1;
		return end_row(t, p, 1, p, p + 1, 1);
	}
	if (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') {
		*resume = p + 2;
		return end_row(t, p, 1, p + 1, p + 2, 1);
	}
	if (buf[p] == '\r' && p + 1 == len) {
		if (!final)
			return ROW_INCOMPLETE;
		*resume = len;
		return end_row(t, p, 1, len, len, 0);
	}
	unsigned char c = (unsigned char)buf[p];
	assay_error_set(&w->err, ASSAY_EINPUT, NULL, w->line + t->row_nl, p - t->line_start + 1,
	                c >= 0x20 && c < 0x7f ? "unexpected '%c' after the closing quote of a field"
	                                      : "unexpected byte 0x%02x after the closing quote of a field",
	                c);
	assay_error_hint(&w->err, "a quote inside a quoted field must be doubled (\"a \"\"b\"\" c\")");
	return ASSAY_EINPUT;
}

/* The tokenizer, built once per instruction set (wide: AVX-512BW masks)
 * and chosen at run time by assay_io_csv_tokenize below. */
static inline __attribute__((always_inline)) int tokenize(struct assay_io_worker *w, char *buf, size_t len,
                                                          int final, size_t *consumed, int wide)
{
	const char delim = w->src->delim;
	const size_t nstore = assay_io_nstore(w->src);
	struct assay_field *f = w->fields;
	struct tok t = {.w = w, .buf = buf, .len = len};
	if (!w->inplace)
		memset(buf + len, 0, ASSAY_IO_PAD);
	size_t c = 0;
	while (c < len) {
		uint64_t ms, mn, mq, mh;
		__builtin_prefetch(buf + c + 1024);
#ifdef CSV_AVX512
		if (wide)
			masks64_avx512(buf + c, delim, &ms, &mn, &mq, &mh);
		else
#endif
			masks64(buf + c, delim, &ms, &mn, &mq, &mh);
		if (len - c < 64) {
			uint64_t keep = (UINT64_C(1) << (len - c)) - 1;
			ms &= keep;
			mn &= keep;
			mq &= keep;
			mh &= keep;
		}
		if (mh)
			t.dirty_end = c + 64;
		uint64_t bits = ms | mq;
		size_t next_c = c + 64;
		while (bits) {
			if (t.nf >= nstore) {
				/* Projection: the rest of the row is not stored, so
				 * its delimiters up to the row's LF (or the block's
				 * end) are only counted, unless a quote lies there. */
				uint64_t nl = mn & bits;
				uint64_t before = nl ? (nl & (0 - nl)) - 1 : ~UINT64_C(0);
				uint64_t d = bits & before;
				if (d && !(d & mq)) {
					t.nf += (size_t)__builtin_popcountll(d);
					t.field_start = c + 64 - (size_t)__builtin_clzll(d);
					bits &= ~before;
					if (!bits)
						break;
				}
			}
			size_t q = c + (size_t)__builtin_ctzll(bits);
			bits &= bits - 1;
			char ch = buf[q];
			if (ch == delim) {
				store(f, nstore, t.nf, buf, t.field_start, q, t.line_start);
				t.nf++;
				t.field_start = q + 1;
			} else if (ch == '\n') {
				int rc = end_row(&t, q, 0, q, q + 1, 1);
				if (rc)
					return rc;
			} else if (q == t.field_start) { /* '"' opening a field */
				int rc = quoted_field(&t, q, final, &next_c);
				if (rc == ROW_INCOMPLETE) {
					*consumed = t.row_start;
					return 0;
				}
				if (rc == ROW_UNTERMINATED && w->end != w->src->size) {
					/* The range ends inside a quoted field: its split
					 * point was inside quotes. scan.c rescans. */
					assay_error_clear(&w->err);
					w->ended_in_quotes = 1;
					*consumed = len;
					return 0;
				}
				if (rc)
					return rc == ROW_UNTERMINATED ? ASSAY_EINPUT : rc;
				break; /* go on at next_c with fresh masks */
			}
			/* else a '"' inside an unquoted field: literal */
		}
		c = next_c;
	}
	if (final && t.row_start < len) {
		int rc = end_row(&t, len, 0, len, len, 0);
		if (rc)
			return rc;
	}
	*consumed = final ? len : t.row_start;
	(void)wide;
	return 0;
}

#ifdef CSV_AVX512
__attribute__((target("avx512bw,popcnt"))) static int tokenize_avx512(struct assay_io_worker *w, char *buf,
                                                                      size_t len, int final, size_t *consumed)
{
	return tokenize(w, buf, len, final, consumed, 1);
}
#endif

/* Built twice besides: with the POPCNT instruction the projection's field
 * counting is one instruction, without it libgcc's table routine (3.6% of
 * a 10M-row eval). Baseline x86-64 lacks POPCNT. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static int
tokenize_sse2(struct assay_io_worker *w, char *buf, size_t len, int final, size_t *consumed)
{
	return tokenize(w, buf, len, final, consumed, 0);
}

int assay_io_csv_tokenize(struct assay_io_worker *w, char *buf, size_t len, int final, size_t *consumed)
{
#ifdef CSV_AVX512
	if (!w->src->narrow && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("popcnt"))
		return tokenize_avx512(w, buf, len, final, consumed);
#endif
	return tokenize_sse2(w, buf, len, final, consumed);
}

int assay_io_csv_header(struct assay_source *src, char *buf, size_t len, int eof, size_t *header_bytes,
                        int *need_more, struct assay_error *err)
{
	*need_more = 0;
	size_t cap = 64;
	struct assay_field *f = NULL;
	struct csv_row r;
	int rc;
	for (;;) {
		struct assay_field *nf = realloc(f, cap * sizeof *f);
		if (!nf) {
			free(f);
			return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
		}
		f = nf;
		memset(&r, 0, sizeof r);
		rc = slow_row(buf, len, 0, eof, src->delim, f, cap, 1, &r, err);
		if (rc != ROW_DONE || r.nf <= cap)
			break;
		cap = r.nf;
	}
	if (rc == ROW_INCOMPLETE) {
		free(f);
		*need_more = 1;
		return 0;
	}
	if (rc != ROW_DONE) {
		free(f);
		snprintf(err->file, sizeof err->file, "%s", src->path);
		return ASSAY_EINPUT;
	}
	size_t bad = assay_io_utf8_check(buf, r.end);
	if (bad != r.end) {
		struct assay_io_worker w = {.src = src};
		assay_io_utf8_error(&w, buf, bad, 1, 1);
		*err = w.err;
		snprintf(err->file, sizeof err->file, "%s", src->path);
		free(f);
		return ASSAY_EINPUT;
	}
	unquote(f, r.nf);
	src->ncols = r.nf;
	src->names = calloc(r.nf, sizeof *src->names);
	for (size_t i = 0; src->names && i < r.nf; i++) {
		src->names[i] = strndup(f[i].p, f[i].len);
		if (!src->names[i])
			break;
	}
	free(f);
	if (!src->names || (r.nf && !src->names[r.nf - 1]))
		return assay_error_set(err, ASSAY_ENOMEM, src->path, 0, 0, "out of memory");
	*header_bytes = r.next;
	src->header_lines = r.nl;
	return 0;
}
