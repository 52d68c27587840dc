/* context.c: context words, matched as whole words.
 *
 * A word is a maximal run of ASCII letters and digits; it matches a
 * context word when equal ignoring ASCII case. So "lic" never matches
 * inside "public" and "card" not inside "discard" (Presidio matches
 * context as substrings: presidio #1063). Only the window the caller gives
 * is read (a few dozen bytes around a match), never the whole text.
 * A 64-bit filter on (first letter, length) of the list's words skips most
 * words of the window without comparing them: this function was 10% of a
 * scan of the bench corpus (tens of thousands of postal-code and phone
 * candidates, each asking about ~12 words against up to 23 list words).
 */
#include <string.h>

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

uint64_t scan_context_bloom(const char *const *words)
{
	uint64_t b = 0;
	for (const char *const *w = words; w && *w; w++)
		b |= 1ull << (((unsigned)(unsigned char)(*w)[0] * 31u + (unsigned)strlen(*w)) & 63u);
	return b;
}

int scan_has_context(const char *text, size_t len, size_t lo, size_t hi, const char *const *words,
                     uint64_t bloom)
{
	if (!words)
		return 0;
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
		unsigned first = (unsigned)(unsigned char)text[st];
		if (first >= 'A' && first <= 'Z')
			first += 32;
		if (!(bloom >> ((first * 31u + (unsigned)(i - st)) & 63u) & 1))
			continue; /* no context word has this first letter and length */
		for (const char *const *w = words; *w; w++)
			if (word_is(text + st, i - st, *w))
				return 1;
	}
	return 0;
}
