/* normalize.c: the text the detectors see, and the way back to the
 * original bytes.
 *
 * Per code point (utf8proc): compatibility decomposition, case folding,
 * canonical composition (NFKC_Casefold of that character), so full-width
 * digits become ASCII digits and U+00A0 a space. ASCII bytes are copied as
 * they are: Hyperscan's caseless flag folds ASCII, and case-sensitive key
 * formats (AKIA...) keep their case. Removed: zero-width characters, bidi
 * controls, variation selectors, soft hyphens. Unicode tag characters
 * (U+E0020-E007E, "ASCII smuggling") become the ASCII they encode, so the
 * hidden text is scanned too. Invalid UTF-8 bytes are copied.
 *
 * The offset map is a list of segments, not one entry per byte: a copy
 * segment maps byte for byte (ASCII runs, and characters whose normal form
 * has their length), an expanded segment maps all its bytes to one
 * original character. Mostly-ASCII text therefore needs a handful of
 * segments. Composition across characters (a base letter followed by a
 * combining mark) is deliberately not done: it cannot change an ASCII
 * pattern's match and would tie segments together.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

/* End of the ASCII run starting at i: 64 bytes at a time, then 16 (the
 * byte loop this replaces was 9% of a scan of the bench corpus, which is
 * 99.4% ASCII with a non-ASCII character every few hundred bytes). The
 * input comes from memory, and asking for the bytes 2 KB ahead took the
 * normalisation of 100 MB of the bench prose from 24.6 to 21.7 ms. */
static size_t ascii_end(const char *s, size_t i, size_t len)
{
#ifdef __SSE2__
	for (; i + 64 <= len; i += 64) {
		const __m128i *p = (const __m128i *)(const void *)(s + i);
		if (i + 2048 < len)
			__builtin_prefetch(s + i + 2048);
		__m128i a = _mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1));
		__m128i b = _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3));
		if (_mm_movemask_epi8(_mm_or_si128(a, b)))
			break;
	}
	for (; i + 16 <= len; i += 16) {
		unsigned m =
		    (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if (w & 0x8080808080808080ull)
			break;
	}
	while (i < len && (unsigned char)s[i] < 0x80)
		i++;
	return i;
}

/* ascii_end(s, i, len), copying s[i, j) to dst as it goes (one pass over
 * the run instead of a scan and a memcpy: the copy of 100 MB of the bench
 * prose, ~220,000 runs, was 5% of its scan in memcpy). Writes up to 16
 * bytes past dst + (j - i): dst must have len - i + 16 bytes. */
static size_t copy_ascii(char *dst, const char *s, size_t i, size_t len)
{
	size_t i0 = i;
#ifdef __SSE2__
	for (; i + 64 <= len; i += 64) {
		const __m128i *p = (const __m128i *)(const void *)(s + i);
		__m128i *q = (__m128i *)(void *)(dst + (i - i0));
		if (i + 2048 < len)
			__builtin_prefetch(s + i + 2048);
		__m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1), c = _mm_loadu_si128(p + 2),
		        d = _mm_loadu_si128(p + 3);
		if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))))
			break;
		_mm_storeu_si128(q, a);
		_mm_storeu_si128(q + 1, b);
		_mm_storeu_si128(q + 2, c);
		_mm_storeu_si128(q + 3, d);
	}
	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		_mm_storeu_si128((__m128i *)(void *)(dst + (i - i0)), v); /* past j: overwritten later */
		unsigned m = (unsigned)_mm_movemask_epi8(v);
		if (m)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < len && (unsigned char)s[i] < 0x80) {
		dst[i - i0] = s[i];
		i++;
	}
	return i;
}

/* utf8proc_iterate for the 2- and 3-byte sequences (lead 0xC2-0xEF),
 * inlined: the same code point, or -1 where it fails (a missing or bad
 * continuation byte, a surrogate, an overlong form); -2 for other leads,
 * left to utf8proc. Checked against utf8proc_iterate for every lead
 * 0xC0-0xF0, both following bytes and lengths 1-3 (9,043,968 cases).
 * The bench prose has ~220,000 non-ASCII characters per 100 MB. */
static long utf8_short(const unsigned char *s, size_t len, utf8proc_int32_t *cp)
{
	unsigned b0 = s[0];
	if (b0 < 0xc2 || b0 > 0xef)
		return -2;
	if (b0 < 0xe0) {
		if (len < 2 || (s[1] & 0xc0) != 0x80)
			return -1;
		*cp = (utf8proc_int32_t)((b0 & 0x1f) << 6 | (s[1] & 0x3fu));
		return 2;
	}
	if (len < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (b0 == 0xed && s[1] > 0x9f))
		return -1;
	utf8proc_int32_t c = (utf8proc_int32_t)((b0 & 0x0f) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu));
	if (c < 0x800)
		return -1;
	*cp = c;
	return 3;
}

/* The normal form of recently seen code points. The bench corpus has a
 * non-ASCII character every ~400 bytes, mostly the same few dozen, and
 * decomposing, folding and recomposing each one with utf8proc was most of
 * the normalisation's time. Direct-mapped; lives for one call (its cp[]
 * is set to -1 at the first non-ASCII character). 256 entries: the
 * corpus has ~120 distinct code points, and with 64 entries a 64 MiB
 * block of it missed 28,112 times in 167,430 characters (5,077 with 256):
 * the normalisation of 100 MB took ~1 ms less. */
#define NCACHE 256
struct cache {
	int32_t cp[NCACHE]; /* -1: empty */
	unsigned char len[NCACHE];
	unsigned char out[NCACHE][14];
};

static int add_seg(struct assay_norm *n, uint64_t norm, uint64_t orig, uint32_t orig_len)
{
	if (orig_len == 0 && n->nseg) {
		const struct assay_norm_seg *l = &n->seg[n->nseg - 1];
		if (l->orig_len == 0 && norm - l->norm == orig - l->orig)
			return 0; /* continues the previous copy segment */
	}
	if (scan_grow((void **)&n->seg, &n->segcap, n->nseg + 1, sizeof *n->seg))
		return ASSAY_ENOMEM;
	n->seg[n->nseg++] = (struct assay_norm_seg){norm, orig, orig_len};
	return 0;
}

static int invisible(utf8proc_int32_t c)
{
	return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || c == 0x00AD || c == 0x180E || c == 0x034F ||
	       (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF);
}

/* Remember where a hidden character was (once per kind and run). */
static void hidden(struct assay_norm *n, size_t orig, int kind)
{
	if (n->nhidden) {
		const struct assay_norm_hidden *h = &n->hidden[n->nhidden - 1];
		if (h->kind == kind && h->norm == n->len)
			return;
	}
	if (n->nhidden < sizeof n->hidden / sizeof n->hidden[0])
		n->hidden[n->nhidden++] = (struct assay_norm_hidden){n->len, orig, kind};
}

/* NFKC_Casefold of one code point, UTF-8 encoded into out (128 bytes);
 * returns its length. */
static size_t fold(utf8proc_int32_t cp, unsigned char *out)
{
	utf8proc_int32_t d[32];
	int bound = 0;
	utf8proc_ssize_t nd = utf8proc_decompose_char(
	    cp, d, 32, UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD, &bound);
	if (nd > 1)
		nd = utf8proc_normalize_utf32(d, nd, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (nd < 0 || nd > 32) {
		d[0] = cp;
		nd = 1;
	}
	size_t ol = 0;
	for (utf8proc_ssize_t k = 0; k < nd; k++)
		ol += (size_t)utf8proc_encode_char(d[k], out + ol);
	return ol;
}

/* Ask for transparent huge pages under a large normalised copy (a hint;
 * Linux only): a 64 MiB block took ~16,000 page faults the first time it
 * was written, and every pass reads it back from memory (Hyperscan, the
 * windows, confirmation) through the TLB. */
static void huge_pages(char *buf, size_t cap)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
	const uintptr_t page = 4096;
	if (cap < (4u << 20))
		return;
	uintptr_t a = ((uintptr_t)buf + page - 1) & ~(page - 1), b = ((uintptr_t)buf + cap) & ~(page - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
	(void)buf, (void)cap;
#endif
}

/* Input bytes between two calls of the step function: the output they
 * give is still in L1 when the step reads it. */
#define STEP_BYTES (16u << 10)

int scan_normalize_steps(struct assay_norm *n, const char *text, size_t len,
                         int (*step)(void *ud, const char *buf, size_t len), void *ud)
{
	n->len = 0;
	n->nseg = 0;
	n->nhidden = 0;
	n->invisible = n->tags = 0;
	size_t first = ascii_end(text, 0, len);
	if (first == len) {
		free(n->buf);
		n->buf = NULL;
		n->cap = 0;
		return 0;
	}
	size_t cap0 = n->cap;
	if (scan_grow((void **)&n->buf, &n->cap, len + 64, 1))
		return ASSAY_ENOMEM;
	if (n->cap != cap0)
		huge_pages(n->buf, n->cap);
	struct cache cache;
	int cache_init = 0;
	size_t i = 0, next = step ? STEP_BYTES : len;
	while (i < len) {
		if (i >= next) {
			int rc = step(ud, n->buf, n->len);
			if (rc)
				return rc;
			next = len - i > STEP_BYTES ? i + STEP_BYTES : len;
		}
		/* ASCII run: one memcpy, at most one segment (a run cut at a step
		 * continues the same copy segment: add_seg) */
		size_t lim = next < len ? next : len;
		if ((unsigned char)text[i] < 0x80) {
			if (scan_grow((void **)&n->buf, &n->cap, n->len + (lim - i) + 64, 1) ||
			    add_seg(n, n->len, i, 0))
				return ASSAY_ENOMEM;
			size_t j = i < first ? (first < lim ? first : lim)
			                     : copy_ascii(n->buf + n->len, text, i, lim);
			if (i < first) /* the first run, already read by ascii_end */
				memcpy(n->buf + n->len, text + i, j - i);
			n->len += j - i;
			i = j;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8_short((const unsigned char *)text + i, len - i, &cp);
		if (l == -2)
			l = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(len - i),
			                     &cp);
		if (n->len + 64 > n->cap && scan_grow((void **)&n->buf, &n->cap, n->len + 64, 1))
			return ASSAY_ENOMEM;
		if (l <= 0) { /* invalid byte: keep it */
			if (add_seg(n, n->len, i, 0))
				return ASSAY_ENOMEM;
			n->buf[n->len++] = text[i++];
			continue;
		}
		if (invisible(cp)) {
			n->invisible++;
			/* the joiner inside emoji sequences is not a marker */
			if (cp != 0x200D)
				hidden(n, i,
				       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ? 1
				                                                                        : 0);
			i += (size_t)l;
			continue;
		}
		if (cp >= 0xE0000 && cp <= 0xE007F) {
			n->tags++;
			hidden(n, i, 2);
			if (cp >= 0xE0020 && cp <= 0xE007E) {
				if (add_seg(n, n->len, i, (uint32_t)l))
					return ASSAY_ENOMEM;
				n->buf[n->len++] = (char)(cp - 0xE0000);
			}
			i += (size_t)l;
			continue;
		}
		unsigned char out[32 * 4];
		const unsigned char *o = out;
		size_t ol = 0, slot = (size_t)cp % NCACHE;
		if (!cache_init) {
			memset(cache.cp, 0xff, sizeof cache.cp);
			cache_init = 1;
		}
		if (cache.cp[slot] == cp) {
			o = cache.out[slot];
			ol = cache.len[slot];
		} else {
			ol = fold(cp, out);
			if (ol <= sizeof cache.out[0]) {
				cache.cp[slot] = cp;
				cache.len[slot] = (unsigned char)ol;
				memcpy(cache.out[slot], out, ol);
			}
		}
		if ((n->len + ol + 64 > n->cap &&
		     scan_grow((void **)&n->buf, &n->cap, n->len + ol + 64, 1)) ||
		    add_seg(n, n->len, i, ol == (size_t)l ? 0 : (uint32_t)l))
			return ASSAY_ENOMEM;
		memcpy(n->buf + n->len, o, ol);
		n->len += ol;
		i += (size_t)l;
	}
	return 0;
}

int assay_normalize(struct assay_norm *n, const char *text, size_t len)
{
	return scan_normalize_steps(n, text, len, NULL, NULL);
}

void assay_norm_free(struct assay_norm *n)
{
	free(n->buf);
	free(n->seg);
	memset(n, 0, sizeof *n);
}

/* The last segment in [lo, hi) starting at or before p, given that
 * seg[lo] does (or lo == 0) and seg[hi] does not (or hi == nseg). */
static size_t bisect(const struct assay_norm *n, uint64_t p, size_t lo, size_t hi)
{
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (n->seg[mid].norm <= p)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Last segment starting at or before p. */
static const struct assay_norm_seg *find(const struct assay_norm *n, uint64_t p)
{
	return &n->seg[bisect(n, p, 0, n->nseg)];
}

/* find(n, p), looked for from segment *k on: a gallop, then a binary
 * search (the offsets of a scan's findings come in increasing order, and
 * each binary search over ~100,000 segments of a 64 MiB block of the
 * bench corpus missed the cache a few times). Same segment as find(): the
 * last whose start is at or before p. */
static const struct assay_norm_seg *find_from(const struct assay_norm *n, uint64_t p, size_t *k)
{
	size_t lo = *k;
	if (lo >= n->nseg || n->seg[lo].norm > p)
		lo = 0;
	size_t step = 1, hi = lo + 1;
	while (hi < n->nseg && n->seg[hi].norm <= p) {
		lo = hi;
		hi = lo + step < n->nseg ? lo + step : n->nseg;
		step *= 2;
	}
	*k = bisect(n, p, lo, hi);
	return &n->seg[*k];
}

uint64_t scan_norm_map_start(const struct assay_norm *n, uint64_t p, size_t *k)
{
	if (!n->buf || n->nseg == 0)
		return p;
	const struct assay_norm_seg *s = find_from(n, p, k);
	return s->orig_len ? s->orig : s->orig + (p - s->norm);
}

uint64_t scan_norm_map_end(const struct assay_norm *n, uint64_t p, size_t *k)
{
	if (!n->buf || n->nseg == 0 || p == 0)
		return p;
	const struct assay_norm_seg *s = find_from(n, p - 1, k);
	return s->orig_len ? s->orig + s->orig_len : s->orig + (p - s->norm);
}

uint64_t assay_norm_map_start(const struct assay_norm *n, uint64_t p)
{
	if (!n->buf || n->nseg == 0)
		return p;
	const struct assay_norm_seg *s = find(n, p);
	return s->orig_len ? s->orig : s->orig + (p - s->norm);
}

uint64_t assay_norm_map_end(const struct assay_norm *n, const char *orig, uint64_t p)
{
	(void)orig;
	if (!n->buf || n->nseg == 0 || p == 0)
		return p;
	const struct assay_norm_seg *s = find(n, p - 1);
	return s->orig_len ? s->orig + s->orig_len : s->orig + (p - s->norm);
}
