/* sweep.c: one SIMD pass over the text (scan_sweep; SSE2, AVX2 or
 * AVX-512BW, chosen at run time) for what is found in C rather than by
 * Hyperscan: the windows of the digit database, the ':' between hex digits
 * that trigger the IPv6 windows, the '@' around which the e-mail pattern
 * runs (passes.c, run_at), and the base64 / hex runs that are decoded and
 * scanned again. The ':' scan and the run scan were passes of their own
 * before (17 and 22 ms per 100 MB of the bench corpus). Over pieces of
 * 16 KB in cache the sweep takes 21-22 ms per 100 MB of the bench prose
 * and 26 of the corpus (AVX-512; 24 and 31.5 before digit_chunk and the
 * per-block bits of blocks()); over a whole 64 MiB block it took 41-49
 * ms, a third of it reading the text from memory, hence the steps below.
 * Of the 26, the masks take ~9 and the bookkeeping of about a million
 * digit runs per 100 MB ~12 (skipping blocks whose digits can open no
 * window, tested with mask arithmetic, was slower: 20.5 -> 24.5 ms; so
 * was skipping, by mask arithmetic per block, the lone groups of digits
 * that can open none, 43% of the runs: +5-6 ms; so were a branch-free
 * join test and writing the transitions out as offsets first). The ':'
 * are filtered by a hex-digit mask (6-8 ms per 100 MB less than testing
 * each in on_colon), and a trigger opens a window only when an address
 * inet_pton accepts can hold it (ipv6_possible).
 *
 * ---- Digit windows ----
 *
 * The digit database (cards, IBAN, SSN, IPv4, phones; patterns.c) took
 * 65-72 ms of the 264-290 ms a pass over 100 MB of the bench corpus took
 * (CPU time). Its cost follows the digits, not the bytes (over windows
 * around every digit run it still took about 70 ms), and the corpus has
 * about a million digit runs per 100 MB, mostly numbers that can never be
 * a finding ("2026", "1,500", "0.95"). So passes.c runs it only over the windows
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
 *    that are an IBAN country (the validator rejects the others) opens its
 *    cluster to s + IBAN_REACH (the longest IBAN match ends 42 bytes after
 *    its first digit), when a match can start at s - 2 (iban_start: \b
 *    before the letters, two groups of 4 after the check digits). Without
 *    the country test, "sha256" and the like made 3/4 of the windows' bytes
 *    on the bench corpus; without iban_start, "base64" ("SE" is Sweden)
 *    opened 5,656 of its 8,058 reaches per 64 MiB (902 are left).
 *  - Windows are widened until the byte before and the byte after are not
 *    word characters ([A-Za-z0-9_], Hyperscan's \b; or the text's ends),
 *    and overlapping or touching windows are merged. A NUL is not a word
 *    character and no pattern's character class holds one, so \b sees at
 *    a window's edges what it sees in the whole text and no match spans
 *    two windows.
 * Not done: a hand-written tokenizer with the validators, which would
 * have to reproduce every end offset Hyperscan reports for nine patterns.
 *
 * ---- ':' triggers ----
 * Every ':' between a hex digit and a hex digit or ':' (what the caseless
 * pattern [0-9a-f]:[0-9a-f:] reported) opens a region of IPv6 starts
 * (passes.c, on_trigger).
 *
 * ---- Base64 / hex runs ----
 * Maximal runs of base64 characters (at least RUN_B64) and of hex digits
 * (at least RUN_HEX), one candidate each: what the Hyperscan patterns
 * [A-Za-z0-9+/_-]{24} and [0-9a-fA-F]{32} reported (first end of each
 * run), which cost 0.64 ns/byte. A block of 64 bytes is looked at byte by
 * byte only when a run of RUN_B64 can lie inside it (and-ing shifted
 * copies of its mask: 1, 2, 4, 8, 8); runs crossing a block edge are
 * carried. Every hex digit is a base64 character, so hex runs are looked
 * for inside base64 runs.
 *
 * ---- In steps, behind the normalisation ----
 * When the text is not pure ASCII, match.c runs the sweep in steps while
 * normalize.c writes the normalised copy (scan_sweep_step every 16 KB of
 * input), so each piece is read from L1 rather than from memory: on the
 * bench prose the sweep took 41 ms per 100 MB over the finished copy and
 * 27 over a piece in cache. A step stops LAG bytes before what is
 * written; the one read that can go further, a window's end widened over
 * a word, is resumed by the next steps (pending).
 *
 * Findings are the same as with the separate passes and as with the
 * whole-text digit database (bench/scan_diff.sh: the bench corpora, the
 * Presidio sentences, generated digit-dense text).
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "scan_internal.h"

#define PAD        4
#define GAP        6
#define IBAN_REACH 48
#define RUN_B64    24
#define RUN_HEX    32

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
	/* len is what is written so far: the word may go on (scan_sweep_step) */
	c->sw.pending = hi == len && !c->sw.done;
	return 0;
}

/* Whether an IBAN match can start at s - 2, the letters before the run
 * of digits at s (IBAN country letters, e - s >= 2 digits): the pattern
 * is \b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}..., so the byte before the
 * letters is not a word character and two groups of 4 letters or digits,
 * each after an optional space, follow the check digits. Every IBAN match
 * starts there for the one run that follows its letters, so a run that
 * fails this opens no reach for any. Reads up to s + 12, within LAG of
 * what a step has written (s is below the block being read). */
static int iban_start(const char *t, size_t len, size_t s)
{
	if (s >= 3 && hs_word(t[s - 3]))
		return 0;
	size_t p = s + 2;
	for (int g = 0; g < 2; g++) {
		if (p < len && t[p] == ' ')
			p++;
		for (int k = 0; k < 4; k++, p++)
			if (p >= len || !(is_digit(t[p]) || is_alpha(t[p])))
				return 0;
	}
	return 1;
}

/* The cluster being built (struct scan_sweep_state): digits [s, e), ndig
 * digits, ndot '.' joints, reach: end of an IBAN's reach (0: none). */
static int close_cluster(struct assay_scan_ctx *c, const char *t, size_t len,
                         const struct scan_sweep_state *k)
{
	if (k->ndig < 7 && k->ndot < 3 && !k->reach)
		return 0;
	size_t hi = k->e + PAD > k->reach ? k->e + PAD : k->reach;
	return push_win(c, t, len, k->s > PAD ? k->s - PAD : 0, hi < len ? hi : len);
}

/* A base64 run [a, e) (maximal, any length): its candidate when it is
 * long enough, and those of the hex runs inside it. */
static int on_b64(struct assay_scan_ctx *c, const char *t, size_t a, size_t e)
{
	const int b64 = c->s->run_det[0], hex = c->s->run_det[1];
	const unsigned char *cls = c->s->cls;
	if (e - a < RUN_B64)
		return 0;
	if (b64 >= 0 && scan_push_cand(c, a, e, (uint32_t)b64))
		return 1;
	for (size_t h = a; hex >= 0 && e - a >= RUN_HEX && h < e;) {
		size_t he = h;
		while (he < e && (cls[(unsigned char)t[he]] & CLS_HEX))
			he++;
		if (he - h >= RUN_HEX && scan_push_cand(c, h, he, (uint32_t)hex))
			return 1;
		h = he + 1;
	}
	return 0;
}

/* An '@' at i (DB_AT: passes.c opens its window when the text is whole). */
static int push_at(struct assay_scan_ctx *c, size_t i)
{
	if (scan_grow((void **)&c->at, &c->atcap, c->nat + 1, sizeof *c->at))
		return 1;
	c->at[c->nat++] = i;
	return 0;
}

/* Whether a confirmable IPv6 address can hold the trigger t[i - 1, i + 2)
 * (a ':' between a hex digit and a hex digit or ':'). A candidate of the
 * ipv6 pattern is made of hex digits and ':' only; assay_valid_ipv6 takes
 * fewer than 48 bytes that inet_pton reads, which needs a "::" or eight
 * groups (seven ':'). A candidate holding the trigger lies in
 * [i - 45, i + 46), so when the run of hex digits and ':' around i,
 * clipped to [i - 46, i + 47), has neither, no candidate the trigger's
 * region could give is confirmed. Every confirmable candidate holds a
 * trigger of its own whose region holds its start, so the starts it can
 * have are still looked at, with every end (run_windows); dates of birth
 * and postal codes need a context word, whose trigger opens their region.
 * On the bench text almost no trigger passes ("12:30", "a:b"): prose
 * ~9,000 regions per 100 MB -> 0, the corpus ~11,000 -> ~450. (Reads
 * up to 46 bytes on: within the LAG of a step.) */
static int ipv6_possible(const unsigned char *cls, const char *t, size_t len, size_t i)
{
	size_t a = i, b = i + 1, lo = i > 46 ? i - 46 : 0, hi = i + 47 < len ? i + 47 : len;
	while (a > lo && ((cls[(unsigned char)t[a - 1]] & CLS_HEX) || t[a - 1] == ':'))
		a--;
	while (b < hi && ((cls[(unsigned char)t[b]] & CLS_HEX) || t[b] == ':'))
		b++;
	unsigned ncolon = 0;
	for (size_t k = a; k < b; k++)
		if (t[k] == ':') {
			if (k + 1 < b && t[k + 1] == ':')
				return 1;
			ncolon++;
		}
	return ncolon >= 7;
}

/* The trigger at i, when a valid address can hold it (out of line: the
 * bench text has ~400,000 ':' per 100 MB, ~11,000 of them triggers). */
static __attribute__((noinline)) int hex_colon(struct assay_scan_ctx *c, const char *t, size_t len, size_t i)
{
	if (!ipv6_possible(c->s->cls, t, len, i))
		return 0;
	return scan_push_region(c, i + 2 > WINDOW_MAX ? i + 2 - WINDOW_MAX : 0, i + 2);
}

/* A ':' at i: a trigger when between a hex digit and a hex digit or ':'. */
static inline int on_colon(struct assay_scan_ctx *c, const char *t, size_t len, size_t i)
{
	const unsigned char *cls = c->s->cls;
	if (i == 0 || i + 1 >= len || !(cls[(unsigned char)t[i - 1]] & CLS_HEX) ||
	    !((cls[(unsigned char)t[i + 1]] & CLS_HEX) || t[i + 1] == ':'))
		return 0;
	return hex_colon(c, t, len, i);
}

/* Bit k of the result: bits k .. k + 23 of b are all set, i.e. a run of
 * RUN_B64 (24) base64 characters starts at byte k of the block (the ANDs
 * of shifted copies cover 1 + 1 + 2 + 4 + 8 + 8 = 24 bits). */
static inline uint64_t run24_starts(uint64_t b)
{
	b &= b >> 1;
	b &= b >> 2;
	b &= b >> 4;
	b &= b >> 8;
	return b & b >> 8;
}

/* The base64 runs of the 64-bit mask b of the block at i, when a run of
 * RUN_B64 may end in it (b64_block). */
static int b64_runs(struct assay_scan_ctx *c, const char *t, struct scan_sweep_state *w, size_t i, uint64_t b)
{
	if (!~b) {
		if (!w->in_b64)
			w->bstart = i;
		w->in_b64 = 1;
		return 0;
	}
	if (!w->in_b64 && (b & 1)) {
		w->in_b64 = 1;
		w->bstart = i;
	}
	unsigned f0 = (unsigned)__builtin_ctzll(~b); /* the leading run ends here */
	if (w->in_b64 && on_b64(c, t, w->bstart, i + f0))
		return 1;
	w->in_b64 = 0;
	uint64_t inner = f0 < 63 ? b & (~0ull << (f0 + 1)) : 0;
	unsigned top = 64 - (unsigned)__builtin_clzll(~b); /* the trailing run starts here */
	if (top < 64)
		inner &= ~(~0ull << top);
	uint64_t r = run24_starts(inner);
	while (r) {
		unsigned a = (unsigned)__builtin_ctzll(r);
		unsigned e = a + (unsigned)__builtin_ctzll(~(inner >> a));
		if (on_b64(c, t, i + a, i + e))
			return 1;
		r &= e < 64 ? ~0ull << e : 0;
	}
	if (top < 64) {
		w->in_b64 = 1;
		w->bstart = i + top;
	}
	return 0;
}

/* The base64 runs of the 64-bit mask b of the block at i. Most blocks
 * hold no run of RUN_B64 (bit k of r: one starts at k) and do not end a
 * long run begun before them: only the run crossing the end is noted. */
static inline int b64_block(struct assay_scan_ctx *c, const char *t, struct scan_sweep_state *w, size_t i,
                            uint64_t b)
{
	uint64_t r = run24_starts(b);
	if (!r && ~b) {
		size_t lead = (size_t)__builtin_ctzll(~b);
		if (!w->in_b64 || i + lead - w->bstart < RUN_B64) {
			size_t trail = (size_t)__builtin_clzll(~b);
			w->in_b64 = trail > 0;
			w->bstart = i + 64 - trail;
			return 0;
		}
	}
	return b64_runs(c, t, w, i, b);
}

/* The masks of a 64-byte block: bit k for byte k (hex: a hex digit,
 * CLS_HEX). */
struct masks {
	uint64_t digit, colon, b64, at, hex;
};

#ifdef __SSE2__
static __m128i load16(const char *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

static void masks16(__m128i v, unsigned *d, unsigned *k, unsigned *b, unsigned *a, unsigned *h)
{
	*a = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
	__m128i z = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i dg = _mm_cmpeq_epi8(_mm_min_epu8(z, _mm_set1_epi8(9)), z);
	*d = (unsigned)_mm_movemask_epi8(dg);
	*k = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
	/* base64 characters of either alphabet: letters, digits, + / - _ */
	__m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
	__m128i letter = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
	                               _mm_cmplt_epi8(l, _mm_set1_epi8('z' + 1)));
	__m128i hexl = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
	                             _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
	*h = (unsigned)_mm_movemask_epi8(_mm_or_si128(hexl, dg));
	__m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('/' - 1)),
	                              _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1))); /* '/' and 0-9 */
	__m128i other = _mm_or_si128(
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('+')), _mm_cmpeq_epi8(v, _mm_set1_epi8('-'))),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
	*b = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), other));
}

static void masks_sse2(const char *p, struct masks *m)
{
	unsigned d[4], k[4], b[4], a[4], h[4];
	for (int q = 0; q < 4; q++)
		masks16(load16(p + 16 * q), &d[q], &k[q], &b[q], &a[q], &h[q]);
	m->digit = (uint64_t)d[0] | (uint64_t)d[1] << 16 | (uint64_t)d[2] << 32 | (uint64_t)d[3] << 48;
	m->colon = (uint64_t)k[0] | (uint64_t)k[1] << 16 | (uint64_t)k[2] << 32 | (uint64_t)k[3] << 48;
	m->b64 = (uint64_t)b[0] | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 32 | (uint64_t)b[3] << 48;
	m->at = (uint64_t)a[0] | (uint64_t)a[1] << 16 | (uint64_t)a[2] << 32 | (uint64_t)a[3] << 48;
	m->hex = (uint64_t)h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
}
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SWEEP_AVX2 1
#include <immintrin.h>
/* The same masks 32 bytes at a time (AVX2, chosen at run time), from
 * one class byte per input byte: lo[b & 15] & hi[b >> 4] (a product of
 * nibble sets per bit; bytes >= 0x80 get 0):
 *   bit 0 digit      hi 3, lo 0-9      bit 3 letter    hi 5 7, lo 0-A
 *   bit 1 ':'        hi 3, lo A        bit 4 + - /     hi 2, lo B D F
 *   bit 2 letter     hi 4 6, lo 1-F    bit 5 _         hi 5, lo F
 *   bit 6 @          hi 4, lo 0        bit 7 a-f A-F   hi 4 6, lo 1-6
 * base64: any of bits 0, 2-5. 13 instructions per 32 bytes where the
 * comparisons took 22. */
__attribute__((target("avx2"))) static void masks32(__m256i v, unsigned *d, unsigned *k, unsigned *b,
                                                    unsigned *a, unsigned *h)
{
	const __m256i lo = _mm256_setr_epi8(0x49, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d,
	                                    (char)0x8d, 0x0d, 0x0d, 0x0d, 0x0e, 0x14, 0x04, 0x14, 0x04, 0x34,
	                                    0x49, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d,
	                                    (char)0x8d, 0x0d, 0x0d, 0x0d, 0x0e, 0x14, 0x04, 0x14, 0x04, 0x34);
	const __m256i hi =
	    _mm256_setr_epi8(0, 0, 0x10, 0x03, (char)0xc4, 0x28, (char)0x84, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                     0, 0x10, 0x03, (char)0xc4, 0x28, (char)0x84, 0x08, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i cls =
	    _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib)),
	                     _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
	*d = (unsigned)_mm256_movemask_epi8(_mm256_slli_epi16(cls, 7));
	*k = (unsigned)_mm256_movemask_epi8(_mm256_slli_epi16(cls, 6));
	*a = (unsigned)_mm256_movemask_epi8(_mm256_slli_epi16(cls, 1));
	*h = *d | (unsigned)_mm256_movemask_epi8(cls);
	*b = ~(unsigned)_mm256_movemask_epi8(
	    _mm256_cmpeq_epi8(_mm256_and_si256(cls, _mm256_set1_epi8(0x3d)), _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static void masks_avx2(const char *p, struct masks *m)
{
	unsigned d[2], k[2], b[2], a[2], h[2];
	for (int q = 0; q < 2; q++)
		masks32(_mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * q)), &d[q], &k[q], &b[q],
		        &a[q], &h[q]);
	m->digit = (uint64_t)d[0] | (uint64_t)d[1] << 32;
	m->colon = (uint64_t)k[0] | (uint64_t)k[1] << 32;
	m->b64 = (uint64_t)b[0] | (uint64_t)b[1] << 32;
	m->at = (uint64_t)a[0] | (uint64_t)a[1] << 32;
	m->hex = (uint64_t)h[0] | (uint64_t)h[1] << 32;
}

/* The same masks with AVX-512BW: one 64-byte vector, the masks straight
 * from the comparisons. */
__attribute__((target("avx512bw"))) static void masks_avx512(const char *p, struct masks *m)
{
	const __m512i lo = _mm512_broadcast_i32x4(
	    _mm_setr_epi8(0x49, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d, (char)0x8d, 0x0d,
	                  0x0d, 0x0d, 0x0e, 0x14, 0x04, 0x14, 0x04, 0x34));
	const __m512i hi = _mm512_broadcast_i32x4(
	    _mm_setr_epi8(0, 0, 0x10, 0x03, (char)0xc4, 0x28, (char)0x84, 0x08, 0, 0, 0, 0, 0, 0, 0, 0));
	const __m512i nib = _mm512_set1_epi8(0x0f);
	__m512i v = _mm512_loadu_si512((const void *)p);
	__m512i cls =
	    _mm512_and_si512(_mm512_shuffle_epi8(lo, _mm512_and_si512(v, nib)),
	                     _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nib)));
	m->digit = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(0x01));
	m->colon = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(0x02));
	m->b64 = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(0x3d));
	m->at = _mm512_test_epi8_mask(cls, _mm512_set1_epi8(0x40));
	m->hex = _mm512_test_epi8_mask(cls, _mm512_set1_epi8((char)0x81));
}
#endif

/* The digit runs of the blocks at i + 64 q, q a bit of look (masks m:
 * the digit bits; look: the blocks holding a transition, the others
 * leave the state as it is), ended by the first non-digit after them
 * (bits past the text are 0). Each run [s, e) joins the cluster being
 * built or starts the next one, after the cluster is closed
 * (close_cluster). A run starts at a digit after a non-digit or after
 * the run open at the block's start: one iteration per run that ends in
 * a block, with the cluster in locals (written back before it is closed,
 * and at the end). About a million runs per 100 MB of the bench corpus:
 * this took the sweep of the corpus in cache, digits only, from 32 to
 * 28 ms; the code it replaces went over every block, over the
 * transitions with a branch on start or end, and called a function per
 * run that read the state back from memory. */
static inline __attribute__((always_inline)) int digit_chunk(struct assay_scan_ctx *c, const char *t,
                                                             size_t len, struct scan_sweep_state *w, size_t i,
                                                             const struct masks *m, uint64_t look)
{
	const unsigned char *cls = c->s->cls;
	size_t ks = w->s, ke = w->e, ndig = w->ndig, ndot = w->ndot, reach = w->reach, ds = w->dstart;
	int open = w->in_digit;
	for (; look; look &= look - 1) {
		size_t q = (size_t)__builtin_ctzll(look);
		uint64_t d = m[q].digit;
		uint64_t before = d << 1 | (uint64_t)open; /* bit k: byte k - 1 is a digit */
		uint64_t st = d & ~before, en = ~d & before;
		size_t base = i + 64 * q;
		for (; en; en &= en - 1) {
			if (!open) {
				ds = base + (size_t)__builtin_ctzll(st);
				st &= st - 1;
			}
			open = 0;
			size_t s = ds, e = base + (size_t)__builtin_ctzll(en);
			int join = ke && s - ke <= GAP;
			for (size_t x = ke; join && x < s; x++)
				join = (cls[(unsigned char)t[x]] & CLS_DGAP) != 0;
			if (join) {
				ndot += s - ke == 1 && t[ke] == '.';
				ndig += e - s;
				ke = e;
			} else {
				if (ke && (ndig >= 7 || ndot >= 3 || reach)) {
					w->s = ks, w->e = ke, w->ndig = ndig, w->ndot = ndot,
					w->reach = reach;
					if (close_cluster(c, t, len, w))
						return 1;
				}
				ks = s, ke = e, ndig = e - s, ndot = reach = 0;
			}
			if (e - s >= 2 && s >= 2 && is_alpha(t[s - 1]) && is_alpha(t[s - 2]) &&
			    scan_iban_country(t[s - 2], t[s - 1]) && iban_start(t, len, s))
				reach = s + IBAN_REACH;
		}
		if (st) { /* a run goes on into the next block */
			ds = base + (size_t)__builtin_ctzll(st);
			open = 1;
		}
	}
	w->s = ks, w->e = ke, w->ndig = ndig, w->ndot = ndot, w->reach = reach, w->dstart = ds;
	w->in_digit = open;
	return 0;
}

/* The base64 runs of nb blocks at i. Most blocks need no look: a run
 * of RUN_B64 that ends in block q or crosses into it lies inside it (r),
 * or has 12 bytes at least on one side of the edge it crosses (the
 * block's first 12 bytes, or the last 12 of the block before). The
 * others are skipped without touching the state, which is set from the
 * block before a block that is looked at (its trailing run: that block
 * is not all base64, or it would have been looked at) and at the end.
 * The whole sweep over 100 MB of the bench prose in cache: 22.8 -> 21 ms. */
static inline __attribute__((always_inline)) int b64_chunk(struct assay_scan_ctx *c, const char *t,
                                                           struct scan_sweep_state *w, size_t i,
                                                           const struct masks *m, size_t nb)
{
	const uint64_t e12 = 0xfffull;
	int prev_top = w->in_b64 && i - w->bstart >= 12, exact = 1;
	for (size_t q = 0; q < nb; q++) {
		uint64_t b = m[q].b64, r = run24_starts(b);
		int look = r != 0 || (b & e12) == e12 || prev_top;
		prev_top = (b >> 52) == e12;
		if (!look) {
			exact = 0;
			continue;
		}
		if (!exact) { /* the state after block q - 1 (not all base64) */
			size_t trail = (size_t)__builtin_clzll(~m[q - 1].b64);
			w->in_b64 = trail > 0;
			w->bstart = i + 64 * q - trail;
		}
		if (b64_block(c, t, w, i + 64 * q, b))
			return 1;
		exact = 1;
	}
	if (!exact) {
		size_t trail = (size_t)__builtin_clzll(~m[nb - 1].b64);
		w->in_b64 = trail > 0;
		w->bstart = i + 64 * nb - trail;
	}
	return 0;
}

/* The whole blocks of t from w->pos up to limit, the masks from
 * masks_sse2 (simd 0), masks_avx2 (1) or masks_avx512 (2); len: the bytes
 * of t written so far. Returns where it stopped, or (size_t)-1 when out
 * of memory. */
static inline __attribute__((always_inline)) size_t blocks(struct assay_scan_ctx *c, const char *t,
                                                           size_t len, size_t limit,
                                                           struct scan_sweep_state *w, int simd)
{
	size_t i = w->pos;
	const int digits = w->digits, colons = w->colons, runs = w->runs, ats = w->ats;
#ifdef __SSE2__
	/* the masks of CHUNK blocks first, then each kind over them, so that
	 * each kind's branchy loop runs on its own while the bytes it reads
	 * are still in L1 */
	enum { CHUNK = 64 };
	struct masks m[CHUNK];
	while (i + 64 <= limit) {
		size_t nb = (limit - i) / 64 < CHUNK ? (limit - i) / 64 : CHUNK;
		/* bit q: block q holds a digit transition, a ':' trigger, an '@' */
		uint64_t look = 0, lookc = 0, looka = 0, top = (uint64_t)w->in_digit;
		for (size_t q = 0; q < nb; q++) {
#ifdef SWEEP_AVX2
			if (simd == 2)
				masks_avx512(t + i + 64 * q, &m[q]);
			else if (simd == 1)
				masks_avx2(t + i + 64 * q, &m[q]);
			else
#endif
				masks_sse2(t + i + 64 * q, &m[q]);
			look |= (uint64_t)((m[q].digit ^ (m[q].digit << 1 | top)) != 0) << q;
			top = m[q].digit >> 63;
			/* only a ':' after a hex digit and before a hex digit or ':'
			 * can be a trigger (on_colon tests it; the bits at the
			 * block's edges are let through): ~420,000 ':' per 100 MB of
			 * the bench text, ~11,000 triggers; testing each in on_colon
			 * took 6-8 ms */
			m[q].colon &= (m[q].hex << 1 | 1) & ((m[q].hex | m[q].colon) >> 1 | 1ull << 63);
			lookc |= (uint64_t)(m[q].colon != 0) << q;
			looka |= (uint64_t)(m[q].at != 0) << q;
		}
		/* each kind over the blocks that hold one (a branch per block on
		 * whether it does, mispredicted, cost ~1 ms per 100 MB for the
		 * digits of the bench corpus) */
		if (digits && look && digit_chunk(c, t, len, w, i, m, look))
			return (size_t)-1;
		for (; colons && lookc; lookc &= lookc - 1) {
			size_t q = (size_t)__builtin_ctzll(lookc);
			for (uint64_t k = m[q].colon; k; k &= k - 1)
				if (on_colon(c, t, len, i + 64 * q + (size_t)__builtin_ctzll(k)))
					return (size_t)-1;
		}
		if (runs && b64_chunk(c, t, w, i, m, nb))
			return (size_t)-1;
		for (; ats && looka; looka &= looka - 1) {
			size_t q = (size_t)__builtin_ctzll(looka);
			for (uint64_t k = m[q].at; k; k &= k - 1)
				if (push_at(c, i + 64 * q + (size_t)__builtin_ctzll(k)))
					return (size_t)-1;
		}
		i += 64 * nb;
	}
#endif
	(void)c, (void)t, (void)len, (void)limit, (void)digits, (void)colons, (void)runs, (void)ats,
	    (void)simd;
	return i;
}

static size_t blocks_sse2(struct assay_scan_ctx *c, const char *t, size_t len, size_t limit,
                          struct scan_sweep_state *w)
{
	return blocks(c, t, len, limit, w, 0);
}

#ifdef SWEEP_AVX2
__attribute__((target("avx2,bmi"))) static size_t
blocks_avx2(struct assay_scan_ctx *c, const char *t, size_t len, size_t limit, struct scan_sweep_state *w)
{
	return blocks(c, t, len, limit, w, 1);
}

__attribute__((target("avx512bw,bmi"))) static size_t
blocks_avx512(struct assay_scan_ctx *c, const char *t, size_t len, size_t limit, struct scan_sweep_state *w)
{
	return blocks(c, t, len, limit, w, 2);
}
#endif

void scan_sweep_begin(struct assay_scan_ctx *c, int digits, int colons, int runs, int ats)
{
	c->nwin = 0;
	c->nat = 0;
	memset(&c->sw, 0, sizeof c->sw);
	c->sw.digits = digits;
	c->sw.colons = colons;
	c->sw.runs = runs;
	c->sw.ats = ats;
}

/* A step reads the blocks that end LAG bytes or more before what is
 * written: every byte a block's runs, ':' and clusters look at lies
 * below that (on_colon: one byte on; close_cluster: PAD, or IBAN_REACH
 * after a run's first digit), except the word a window's end is widened
 * over, which is followed (w->pending) at the start of the next steps.
 * A window still being widened has its end at len, beyond every window
 * the step can open, so the windows merge as they did over the whole
 * text. */
#define LAG 128

int scan_sweep_step(struct assay_scan_ctx *c, const char *t, size_t len, int done)
{
	struct scan_sweep_state *w = &c->sw;
	const unsigned char *cls = c->s->cls;
	w->avail = len;
	w->done = done;
	if (w->pending) {
		struct scan_region *last = &c->win[c->nwin - 1];
		size_t hi = (size_t)last->hi;
		while (hi < len && hs_word(t[hi]))
			hi++;
		last->hi = hi;
		w->pending = hi == len && !done;
	}
	size_t limit = done ? len : len > LAG ? len - LAG : 0, i = w->pos;
	if (limit >= i + 64) {
#ifdef SWEEP_AVX2
		/* per 100 MB of the bench prose (in cache): SSE2 52 ms, AVX2 49 ms,
		 * AVX-512BW 44 ms; the masks alone 22, 17 and 11.5 ms. The rest is
		 * the per-run bookkeeping, the same in all three. */
		if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi"))
			i = blocks_avx512(c, t, len, limit, w);
		else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
			i = blocks_avx2(c, t, len, limit, w);
		else
#endif
			i = blocks_sse2(c, t, len, limit, w);
		if (i == (size_t)-1)
			return ASSAY_ENOMEM;
		w->pos = i;
	}
	if (!done)
		return 0;
	const int digits = w->digits, colons = w->colons, runs = w->runs, ats = w->ats;
	/* the digits after the last whole block, 64 at a time, then the run
	 * open at the end (a block of 0 bits past the text ends it at len) */
	for (size_t b = i; digits && (b < len || w->in_digit); b += 64) {
		struct masks mk = {0};
		for (size_t j = 0; j < 64 && b + j < len; j++)
			mk.digit |= (uint64_t)is_digit(t[b + j]) << j;
		if (digit_chunk(c, t, len, w, b, &mk, 1u))
			return ASSAY_ENOMEM;
	}
	for (; i < len; i++) {
		if (ats && t[i] == '@' && push_at(c, i))
			return ASSAY_ENOMEM;
		if (colons && t[i] == ':' && on_colon(c, t, len, i))
			return ASSAY_ENOMEM;
		int b = (cls[(unsigned char)t[i]] & CLS_B64) != 0;
		if (runs && b != w->in_b64) {
			if (w->in_b64 && on_b64(c, t, w->bstart, i))
				return ASSAY_ENOMEM;
			w->bstart = i;
			w->in_b64 = b;
		}
	}
	w->pos = len;
	if (digits && w->e && close_cluster(c, t, len, w))
		return ASSAY_ENOMEM;
	if (runs && w->in_b64 && on_b64(c, t, w->bstart, len))
		return ASSAY_ENOMEM;
	return 0;
}

int scan_sweep(struct assay_scan_ctx *c, const char *t, size_t len, int digits, int colons, int runs, int ats)
{
	scan_sweep_begin(c, digits, colons, runs, ats);
	return scan_sweep_step(c, t, len, 1);
}
