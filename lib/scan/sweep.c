/* digits.c: where the digit database has to look (scan_digit_windows):
 * windows around the clusters of digits that can hold a finding, found
 * with SSE2 16 bytes at a time.
 *
 * The digit database (cards, IBAN, SSN, IPv4, phones; patterns.c) ran at
 * 1.2 GB/s over the whole bench corpus: 82 ms of the 265 ms a 100 MB pass
 * took. Its cost follows the digits, not the bytes (over windows around
 * every digit run it still took 75 ms), and the corpus has about a million
 * digit runs per 100 MB, mostly numbers that can never be a finding
 * ("2026", "1,500", "0.95"). So passes.c runs it only over the windows
 * below, copied end to end with a NUL between them. Why that finds every
 * match that can be confirmed, whole, with the same leftmost start:
 *
 *  - Inside a match of these patterns, two consecutive digits are at most
 *    GAP = 6 bytes apart, and the bytes between them are among
 *    " .-()xXeEtT" (CLS_DGAP; the widest gap is phone-intl's " ext. "
 *    before an extension). Digit runs joined by such gaps form a cluster;
 *    every match's digits lie in one cluster.
 *  - A match starts at most 1 byte before its first digit ('+' or '(')
 *    and ends on a digit, so the cluster [s, e) opened to
 *    [s - PAD, e + PAD), PAD = 4, holds it with the bytes around it.
 *  - Only matches that a validator can accept matter (match.c drops the
 *    rest; a dropped candidate changes nothing else, and all candidates
 *    sharing a start lie in one cluster, so confirm()'s MAX_TRIES sees the
 *    same lists). Phones need 7 digits, cards 9 (12 to validate), SSNs 9,
 *    so a cluster is opened when it has at least 7 digits, or at least 3
 *    joints that are a single '.' (IPv4).
 *  - An IBAN ([a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?) can
 *    hold long runs of letters: a run of at least 2 digits after 2 letters
 *    opens its cluster to s + IBAN_REACH (the longest IBAN match ends 42
 *    bytes after its first digit).
 *  - Windows are widened until the byte before and the byte after are not
 *    word characters ([A-Za-z0-9_], Hyperscan's \b; or the text's ends),
 *    and overlapping or touching windows are merged. A NUL is not a word
 *    character and no pattern's character class holds one, so \b sees at
 *    a window's edges what it sees in the whole text and no match spans
 *    two windows.
 * Checked by bench/scan_diff.sh (findings before and after on the bench
 * corpora, the Presidio sentences and generated digit-dense text).
 * Not done: a hand-written tokenizer with the validators, which would
 * have to reproduce every end offset Hyperscan reports for nine patterns.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

#define PAD        4
#define GAP        6
#define IBAN_REACH 48

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alpha(char ch)
{
	return (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z';
}

static int hs_word(char ch)
{
	return is_digit(ch) || is_alpha(ch) || ch == '_';
}

/* Append the window [lo, hi) (lo not below the last window's lo),
 * widened to word edges, merged with the last one when they touch. */
static int push_win(struct assay_scan_ctx *c, const char *t, size_t len, uint64_t lo, uint64_t hi)
{
	struct scan_region *last = c->nwin ? &c->win[c->nwin - 1] : NULL;
	if (last && lo <= last->hi) { /* merge; last->hi is already a word edge */
		if (hi <= last->hi)
			return 0;
	} else {
		while (lo > 0 && hs_word(t[lo - 1]))
			lo--;
		if (scan_grow((void **)&c->win, &c->wincap, c->nwin + 1, sizeof *c->win))
			return 1;
		last = &c->win[c->nwin++];
		last->lo = lo;
	}
	while (hi < len && hs_word(t[hi]))
		hi++;
	last->hi = hi;
	return 0;
}

/* The cluster being built: digits [s, e), ndig digits, ndot '.' joints,
 * reach: end of an IBAN's reach (0: none). */
struct cluster {
	size_t s, e, ndig, ndot, reach;
};

static int close_cluster(struct assay_scan_ctx *c, const char *t, size_t len, const struct cluster *k)
{
	if (k->ndig < 7 && k->ndot < 3 && !k->reach)
		return 0;
	size_t hi = k->e + PAD > k->reach ? k->e + PAD : k->reach;
	return push_win(c, t, len, k->s > PAD ? k->s - PAD : 0, hi < len ? hi : len);
}

/* A run of digits [s, e): joins the cluster or starts the next one. */
static int on_run(struct assay_scan_ctx *c, const char *t, size_t len, struct cluster *k, size_t s, size_t e)
{
	const unsigned char *cls = c->s->cls;
	int join = k->e && s - k->e <= GAP;
	for (size_t i = k->e; join && i < s; i++)
		join = (cls[(unsigned char)t[i]] & CLS_DGAP) != 0;
	if (join) {
		k->ndot += s - k->e == 1 && t[k->e] == '.';
		k->ndig += e - s;
		k->e = e;
	} else {
		if (k->e && close_cluster(c, t, len, k))
			return 1;
		*k = (struct cluster){s, e, e - s, 0, 0};
	}
	if (e - s >= 2 && s >= 2 && is_alpha(t[s - 1]) && is_alpha(t[s - 2]))
		k->reach = s + IBAN_REACH;
	return 0;
}

#ifdef __SSE2__
static unsigned digit_mask16(const char *p)
{
	__m128i v = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8('0'));
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(9)), v));
}
#endif

int scan_digit_windows(struct assay_scan_ctx *c, const char *t, size_t len)
{
	c->nwin = 0;
	struct cluster k = {0, 0, 0, 0, 0};
	size_t i = 0, start = 0;
	int in_run = 0;
#ifdef __SSE2__
	for (; i + 64 <= len; i += 64) {
		uint64_t m = (uint64_t)digit_mask16(t + i) | (uint64_t)digit_mask16(t + i + 16) << 16 |
		             (uint64_t)digit_mask16(t + i + 32) << 32 |
		             (uint64_t)digit_mask16(t + i + 48) << 48;
		if (in_run ? !~m : !m)
			continue;
		unsigned pos = 0;
		while (pos < 64) {
			uint64_t r = in_run ? ~m >> pos : m >> pos;
			if (!r)
				break;
			pos += (unsigned)__builtin_ctzll(r);
			if (in_run) {
				if (on_run(c, t, len, &k, start, i + pos))
					return ASSAY_ENOMEM;
			} else
				start = i + pos;
			in_run = !in_run;
		}
	}
#endif
	for (; i < len; i++) {
		if (is_digit(t[i]) == in_run)
			continue;
		if (in_run && on_run(c, t, len, &k, start, i))
			return ASSAY_ENOMEM;
		start = i;
		in_run = !in_run;
	}
	if ((in_run && on_run(c, t, len, &k, start, len)) || (k.e && close_cluster(c, t, len, &k)))
		return ASSAY_ENOMEM;
	return 0;
}
