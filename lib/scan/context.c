/* context.c: context words, matched as whole words.
 *
 * A word is a maximal run of ASCII letters and digits; it matches a
 * context word when equal ignoring ASCII case. So "lic" never matches
 * inside "public" and "card" not inside "discard" (Presidio matches
 * context as substrings: presidio #1063). Only the window the caller gives
 * is read (a few dozen bytes around a match), never the whole text.
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

int scan_has_context(const char *text, size_t len, size_t lo, size_t hi, const char *const *words)
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
		for (const char *const *w = words; *w; w++)
			if (word_is(text + st, i - st, *w))
				return 1;
	}
	return 0;
}
