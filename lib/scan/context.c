/* context.c: context words, matched as whole words.
 *
 * A word is a maximal run of ASCII letters and digits; it matches a
 * context word when equal ignoring ASCII case. So "lic" never matches
 * inside "public" and "card" not inside "discard" (Presidio matches
 * context as substrings: presidio #1063). Only the window the caller gives
 * is read (a few dozen bytes around a match, rounded up to 16 bytes when
 * the text is long enough: its word characters are found with SSE2),
 * never the whole text.
 * A 256-bit filter on (length, first two letters) of the list's words
 * skips most words of the window, and a word that passes is compared only
 * with the list words of its key (struct scan_ctx_set, built once per
 * list and scan). This function was 10% of a scan of the bench corpus
 * (tens of thousands of postal-code and phone candidates, each asking
 * about ~12 words against up to 23 list words), 4% with a 64-bit filter
 * on (first letter, length) and a comparison with every list word.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int word_is(const char *w, size_t len, const char *want)
{
	for (size_t i = 0; i < len; i++) {
		char c = w[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (want[i] != c)
			return 0;
	}
	return want[len] == 0;
}

/* A word's key: its length and its first two characters, lower-cased
 * (word characters are ASCII letters and digits; '|' 0x20 lowers the
 * letters and keeps the digits). */
static uint32_t word_key(const char *w, size_t n)
{
	uint32_t c0 = (unsigned char)w[0] | 0x20u, c1 = n > 1 ? (unsigned char)w[1] | 0x20u : 0;
	return (uint32_t)(n > 0xffff ? 0xffff : n) << 16 | c0 << 8 | c1;
}

static unsigned key_hash(uint32_t k)
{
	return (k * 0x9E3779B1u) >> 24;
}

void scan_context_set(struct scan_ctx_set *set, const char *const *words)
{
	memset(set, 0, sizeof *set);
	set->words = words;
	size_t n = 0;
	for (const char *const *w = words; w && *w; w++, n++) {
		size_t len = strlen(*w);
		uint32_t k = word_key(*w, len);
		unsigned h = key_hash(k);
		set->filt[h >> 6] |= 1ull << (h & 63);
		if (len > set->maxlen)
			set->maxlen = len;
		if (n == 0 || ((unsigned char)(*w)[0] | 0x20u) < set->minfirst)
			set->minfirst = (unsigned char)(*w)[0] | 0x20u;
		if (n < CTX_SET_MAX) {
			set->key[n] = k;
			set->word[n] = *w;
		}
	}
	set->n = n <= CTX_SET_MAX ? (unsigned)n : 0;
}

/* Whether the word text[st, st + n) is in the set: the filter on its key
 * (~9% of other words pass it for a list of 23), then the words with its
 * key. The 64-bit filter on first letter and length this replaces let a
 * third of the words of a phone number's window through to a comparison
 * with each of the 23 phone words: scan_has_context was 4% of a scan of
 * the bench corpus for ~34,000 calls per 100 MB. */
static inline __attribute__((always_inline)) int is_context_word(const char *text, size_t st, size_t n,
                                                                 const struct scan_ctx_set *set)
{
	if (n > set->maxlen || ((unsigned char)text[st] | 0x20u) < set->minfirst)
		return 0;
	uint32_t k = word_key(text + st, n);
	unsigned h = key_hash(k);
	if (!(set->filt[h >> 6] >> (h & 63) & 1))
		return 0;
	if (set->n) {
		for (unsigned i = 0; i < set->n; i++)
			if (set->key[i] == k && word_is(text + st, n, set->word[i]))
				return 1;
		return 0;
	}
	for (const char *const *w = set->words; *w; w++) /* a list of more than CTX_SET_MAX */
		if (word_is(text + st, n, *w))
			return 1;
	return 0;
}

#if defined(__SSE2__) && defined(__SIZEOF_INT128__)
/* Bit k set when p[k] (k < 16) is an ASCII letter or digit. */
static unsigned word_mask16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
	__m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
	                               _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
	__m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	                              _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
}

/* The same answer as the byte loop below for windows of at most 128
 * bytes with 16 bytes readable from lo (the word characters as a 128-bit
 * mask, words found with ctz): confirm() went from 22 to 18 ms per 100 MB
 * of the bench corpus (~130,000 calls). Checked against the byte loop on
 * 3 million random windows. */
static int has_context_mask(const char *text, size_t len, size_t lo, size_t hi,
                            const struct scan_ctx_set *set)
{
	size_t n = hi - lo;
	unsigned __int128 w = 0;
	for (size_t k = 0; k < n; k += 16)
		w |= (unsigned __int128)word_mask16(text + lo + k) << k;
	if (n < 128)
		w &= ((unsigned __int128)1 << n) - 1;
	/* a word cut by the window's left edge is not a word */
	if (lo > 0 && word_char(text[lo - 1]))
		w &= ~(w & ~(w + 1)); /* clear the run of ones at bit 0 */
	while (w) {
		size_t st = (size_t)(uint64_t)w ? (size_t)__builtin_ctzll((uint64_t)w)
		                                : 64 + (size_t)__builtin_ctzll((uint64_t)(w >> 64));
		unsigned __int128 rest = ~(w >> st); /* 0 only for 128 word characters */
		size_t e = !rest            ? 128
		           : (uint64_t)rest ? st + (size_t)__builtin_ctzll((uint64_t)rest)
		                            : st + 64 + (size_t)__builtin_ctzll((uint64_t)(rest >> 64));
		if (e > n)
			e = n;
		if (e == n && hi < len && word_char(text[hi]))
			return 0; /* cut by the right edge */
		if (is_context_word(text, lo + st, e - st, set))
			return 1;
		w = e >= 128 ? 0 : w & ~(((unsigned __int128)1 << e) - 1);
	}
	return 0;
}
#endif

int scan_has_context(const char *text, size_t len, size_t lo, size_t hi, const struct scan_ctx_set *set)
{
	if (!set->words)
		return 0;
#if defined(__SSE2__) && defined(__SIZEOF_INT128__)
	if (hi > lo && hi - lo <= 128 && len - lo >= ((hi - lo + 15) & ~(size_t)15))
		return has_context_mask(text, len, lo, hi, set);
#endif
	size_t i = lo;
	/* a word cut by the window's left edge is not a word */
	while (i > 0 && i < hi && word_char(text[i - 1]) && word_char(text[i]))
		i++;
	while (i < hi) {
		while (i < hi && !word_char(text[i]))
			i++;
		size_t st = i;
		while (i < hi && word_char(text[i]))
			i++;
		if (i == st)
			break;
		if (i == hi && hi < len && word_char(text[hi]))
			break; /* cut by the right edge */
		if (is_context_word(text, st, i - st, set))
			return 1;
	}
	return 0;
}
