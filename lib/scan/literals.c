/* literals.c: the literal finder: one pass over the text for the words
 * every match of the main database holds, the context words of the window
 * database's triggers and the injection anchors, so that the main
 * database runs only over the windows around them (passes.c, push_main
 * and run_main) and the triggers are no Hyperscan patterns. Used only
 * with AVX-512 VBMI (scan_lits_supported); elsewhere the main database
 * keeps the triggers and scans the whole text, as before.
 *
 * Why: over 100 MB of the bench corpus the main database took 37 ms of
 * CPU (a 64 MiB block from memory; 8 ms of it is Hyperscan's floor, a
 * literal that never matches): 26 for the URL and secret patterns, which
 * Hyperscan runs at that speed whatever their grouping (each alone 5-15
 * ms), 8 more for the injection anchors. Its windows are ~0.5% of the
 * corpus's bytes. Hyperscan itself on these ~70 caseless literals took 92
 * ms per 100 MB (bare "now", "api", ...). The finder takes ~13 ms per 100
 * MB in cache (~7 for the lookups, the rest for ~0.3% of positions that
 * are candidates), run behind the normalisation like the sweep (match.c):
 * the whole scan of the corpus went 116-117 -> 95-97 ms.
 *
 * How: every literal is matched caselessly (a superset for the
 * case-sensitive secret prefixes: windows and anchors found in excess
 * change no finding, see passes.c). FP_W bytes of it, from fpo (a rarer
 * part of a common-looking word: "assw" of "passw", "nstr" of
 * "instruction"), and past its end the class its patterns put there, are
 * its fingerprint: for each of the FP_W positions, a table of 64 bytes
 * (indexed by the byte's low 6 bits, what vpermb reads) with a bit per
 * bucket (16) of literals that can have such a byte there. A position is a
 * candidate when the AND of its bytes' entries is not 0. The first 4 bytes
 * of a candidate are then compared with those of every literal (16 at a
 * time with AVX-512), and the literal with at(): its bytes and its
 * fingerprint, so that the hits do not depend on the buckets or on the
 * SIMD path (the scalar lookups are the reference the tests compare
 * with). Hits are kept (scan_lits_find) and what follows them, which can
 * reach past what a step has written, is checked once the text is whole
 * (scan_lits_finish).
 *
 * What is matched (each with what Hyperscan's pattern put around it):
 *  - main (LK_MAIN): "://" (url, url-credentials, the Slack webhook),
 *    the AWS key prefixes, gh[pousr]_ and github_pat_, xox[abposr]-,
 *    _live_ and _test_ (Stripe), sk- (OpenAI, Anthropic), AIza, -BEGIN
 *    (private-key), eyJ (JWT), and api, secret, token, passw
 *    (generic-secret's keys). Each match of a main pattern holds one.
 *  - context (LK_CONTEXT): born, birth, dob (dates of birth), zip, post
 *    (postal codes), what the triggers (?:born|birth|dob) and (?:zip|post)
 *    matched.
 *  - anchors (LK_ANCHOR): the alternatives of patterns.c's TRIG_SEGMENT
 *    rows, with their \s, \s+off, \s+as and \snow\b checked here.
 * Only the literals of the databases in use are put into the tables
 * (scan_lits_init).
 */
#include <stdlib.h>
#include <string.h>
#ifdef __x86_64__
#include <immintrin.h>
#endif

#include "scan_internal.h"

#define FP_W 5 /* bytes in a fingerprint */

enum lit_extra {
	LX_NONE = 0,
	LX_SPACE,   /* then \s */
	LX_TURNOFF, /* then \s+off */
	LX_ACTAS,   /* then \s+as */
	LX_NOW,     /* " now": the first byte any \s, then \b */
};

/* What a fingerprint position past a short literal allows (every match
 * of the literal's patterns has such a byte there). */
enum lit_pad {
	PAD_ANY = 0,
	PAD_SPACE,  /* \s (act\s+as) */
	PAD_TOKEN,  /* [A-Za-z0-9_-] (sk-..., eyJ...) */
	PAD_HOST,   /* not \s, ':', '/' or '@' (URLs, url-credentials) */
	PAD_APIKEY, /* [_-kK] (api[_-]?key) */
	PAD_AWS,    /* [A-Z2-7], either case (the AWS key body) */
};

struct lit {
	const char *s; /* lower case; ' ' first with LX_NOW stands for \s */
	unsigned char len, kind, extra, aux, pad;
	unsigned char fpo;    /* the fingerprint: FP_W bytes from s + fpo (a rarer part of a
	                         common-looking word: "assw" for "passw", ...) */
	unsigned char bucket; /* 0-15 (chosen by a greedy search over the bench corpora,
	                         fewest candidates) */
};
#define LIT(s, kind, extra, aux, pad, fpo, bucket)                                                           \
	{                                                                                                    \
		s, sizeof s - 1, kind, extra, aux, pad, fpo, bucket                                          \
	}

/* aux: LK_ANCHOR: enum scan_anchor_check; LK_CONTEXT: the trigger's index
 * in scan_triggers(); LK_MAIN: bytes past the literal's start to reach
 * before the window may end (generic-secret's key, separator and value
 * start: 19; private-key: 39). */
static const struct lit LITS[] = {
    /* injection anchors (patterns.c, TRIG_SEGMENT) */
    LIT("ignore", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 0, 4),
    LIT("disregard", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 0, 11),
    LIT("forget", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 0, 12),
    LIT("skip", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 0, 8),
    LIT("override", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 1, 8),
    LIT("bypass", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 0, 2),
    LIT("disable", LK_ANCHOR, LX_SPACE, ANCHOR_ANY, PAD_ANY, 2, 9),
    LIT("turn", LK_ANCHOR, LX_TURNOFF, ANCHOR_ANY, PAD_ANY, 0, 15),
    LIT(" now", LK_ANCHOR, LX_NOW, ANCHOR_ANY, PAD_ANY, 0, 3),
    LIT("jailbr", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 9),
    LIT("pretend", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 2, 11),
    LIT("imagine", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 1, 9),
    LIT("act", LK_ANCHOR, LX_ACTAS, ANCHOR_ANY, PAD_SPACE, 0, 0),
    LIT("roleplay", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 2, 3),
    LIT("<|", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 5),
    LIT("[inst]", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 11),
    LIT("[/inst]", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 5),
    LIT("<<sys>>", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 5),
    LIT("<</sys>>", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 3),
    LIT("vtaber", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 9),
    LIT("qvfertneq", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 8),
    LIT("qrirybcre", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 8),
    LIT("flfgrz", LK_ANCHOR, LX_NONE, ANCHOR_ANY, PAD_ANY, 0, 6),
    LIT("mode", LK_ANCHOR, LX_NONE, ANCHOR_MODE, PAD_ANY, 0, 1),
    LIT("restrictions", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 3, 6),
    LIT("limitations", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 2, 12),
    LIT("filters", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 0, 4),
    LIT("censorship", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 4, 8),
    LIT("guidelines", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 2, 4),
    LIT("rules", LK_ANCHOR, LX_NONE, ANCHOR_NOLIST, PAD_ANY, 0, 2),
    LIT("system", LK_ANCHOR, LX_NONE, ANCHOR_ROLE, PAD_ANY, 0, 4),
    LIT("assistant", LK_ANCHOR, LX_NONE, ANCHOR_ROLE, PAD_ANY, 1, 9),
    LIT("developer", LK_ANCHOR, LX_NONE, ANCHOR_ROLE, PAD_ANY, 0, 11),
    LIT("prompt", LK_ANCHOR, LX_NONE, ANCHOR_PROMPT, PAD_ANY, 1, 6),
    LIT("instruction", LK_ANCHOR, LX_NONE, ANCHOR_INSTR, PAD_ANY, 1, 6),
    /* context words of the window database (patterns.c, TRIG_CONTEXT) */
    LIT("born", LK_CONTEXT, LX_NONE, 1, PAD_ANY, 0, 15),
    LIT("birth", LK_CONTEXT, LX_NONE, 1, PAD_ANY, 0, 12),
    LIT("dob", LK_CONTEXT, LX_NONE, 1, PAD_ANY, 0, 10),
    LIT("zip", LK_CONTEXT, LX_NONE, 2, PAD_ANY, 0, 10),
    LIT("post", LK_CONTEXT, LX_NONE, 2, PAD_ANY, 0, 7),
    /* what every match of a main-database pattern holds */
    LIT("://", LK_MAIN, LX_NONE, 0, PAD_HOST, 0, 14),
    LIT("akia", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 1),
    LIT("asia", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 1),
    LIT("abia", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 0),
    LIT("acca", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 7),
    LIT("aida", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 7),
    LIT("aroa", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 7),
    LIT("anpa", LK_MAIN, LX_NONE, 0, PAD_AWS, 0, 10),
    LIT("ghp_", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 1),
    LIT("gho_", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 1),
    LIT("ghu_", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 1),
    LIT("ghs_", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 13),
    LIT("ghr_", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 13),
    LIT("github_pat_", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 6),
    LIT("xoxa-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 0),
    LIT("xoxb-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 0),
    LIT("xoxp-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 0),
    LIT("xoxo-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 1),
    LIT("xoxs-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 10),
    LIT("xoxr-", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 0),
    LIT("_live_", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 2),
    LIT("_test_", LK_MAIN, LX_NONE, 0, PAD_ANY, 0, 11),
    LIT("sk-", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 13),
    LIT("aiza", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 7),
    LIT("-begin", LK_MAIN, LX_NONE, 39, PAD_ANY, 0, 12),
    LIT("eyj", LK_MAIN, LX_NONE, 0, PAD_TOKEN, 0, 14),
    LIT("api", LK_MAIN, LX_NONE, 19, PAD_APIKEY, 0, 15),
    LIT("secret", LK_MAIN, LX_NONE, 19, PAD_ANY, 0, 2),
    LIT("token", LK_MAIN, LX_NONE, 19, PAD_ANY, 0, 12),
    LIT("passw", LK_MAIN, LX_NONE, 19, PAD_ANY, 1, 15),
};

#define NLITS (sizeof LITS / sizeof LITS[0])

static int hs_space(char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

static int hs_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

static int pad_ok(unsigned pad, char ch)
{
	switch (pad) {
	case PAD_SPACE:
		return hs_space(ch);
	case PAD_TOKEN:
		return hs_word(ch) || ch == '-';
	case PAD_HOST:
		return !hs_space(ch) && ch != ':' && ch != '/' && ch != '@';
	case PAD_APIKEY:
		return ch == '_' || ch == '-' || lower(ch) == 'k';
	case PAD_AWS:
		return (lower(ch) >= 'a' && lower(ch) <= 'z') || (ch >= '2' && ch <= '7');
	default:
		return 1;
	}
}

int scan_lits_supported(void)
{
	const char *no = getenv("ASSAY_SCAN_NO_VBMI");
	if (no && *no && strcmp(no, "0") != 0)
		return 0;
#ifdef __x86_64__
	return __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("bmi");
#else
	return 0;
#endif
}

/* Whether byte ch can be at index k of literal l (from its start): its
 * letter (either case), the \s of " now", or past its end the class its
 * patterns put there (the byte after it only; any byte further on). */
static int lit_ok(const struct lit *l, unsigned k, char ch)
{
	if (k == 0 && l->extra == LX_NOW)
		return hs_space(ch);
	if (k < l->len)
		return lower(ch) == l->s[k];
	if (k > l->len)
		return 1;
	switch (l->extra) {
	case LX_SPACE:
	case LX_TURNOFF:
	case LX_ACTAS:
		return hs_space(ch);
	case LX_NOW:
		return !hs_word(ch);
	default:
		return pad_ok(l->pad, ch);
	}
}

void scan_lits_init(struct scan_lits *L, int main_db, int ctx, int anchors)
{
	memset(L, 0, sizeof *L);
	for (unsigned i = 0; i < SCAN_LITS_MAX; i++)
		L->orm[i] = L->cmpm[i] = 0xFFFFFFFFu; /* never equal to want = 0 */
	for (unsigned i = 0; i < NLITS && L->n < SCAN_LITS_MAX; i++) {
		const struct lit *l = &LITS[i];
		if ((l->kind == LK_MAIN && !main_db) || (l->kind == LK_CONTEXT && !ctx) ||
		    (l->kind == LK_ANCHOR && !anchors))
			continue;
		unsigned b = l->bucket, n = L->n++;
		L->nin[b]++;
		L->idx[n] = (unsigned char)i;
		/* the fingerprint's first 4 bytes (little-endian): letters compared
		 * with 0x20 set, the \s of " now" and bytes past the literal not
		 * at all */
		uint32_t cmpm = 0, orm = 0, want = 0;
		for (unsigned k = 0; k < 4 && l->fpo + k < l->len; k++) {
			if (l->fpo + k == 0 && l->extra == LX_NOW)
				continue;
			unsigned char ch = (unsigned char)l->s[l->fpo + k];
			want |= (uint32_t)ch << (8 * k);
			cmpm |= 0xFFu << (8 * k);
			if (ch >= 'a' && ch <= 'z')
				orm |= 0x20u << (8 * k);
		}
		L->want[n] = want;
		L->orm[n] = orm;
		L->cmpm[n] = cmpm;
		for (unsigned k = 0; k < FP_W; k++)
			for (unsigned ch = 0; ch < 256; ch++)
				if (lit_ok(l, l->fpo + k, (char)ch))
					L->fp[b >> 3][k][ch & 63] |= (unsigned char)(1u << (b & 7));
	}
}

/* Whether literal l starts at p: its bytes and, up to the end of its
 * fingerprint, what lit_ok asks past it (a NUL past avail, as the
 * padding of the tail): the hits are then those whose fingerprint holds,
 * whichever bucket made the position a candidate, with SIMD or scalar
 * lookups. avail bytes of the text are readable; reads at most p + 12. */
static int at(const struct lit *l, const char *t, size_t avail, size_t p)
{
	if (p + l->len > avail)
		return 0;
	unsigned end = l->fpo + FP_W > l->len ? l->fpo + FP_W : l->len;
	for (unsigned k = 0; k < end; k++)
		if (!lit_ok(l, k, p + k < avail ? t[p + k] : 0))
			return 0;
	return 1;
}

/* What follows literal l at p (the text whole, len bytes): 0 when its
 * pattern does not match; else *to, the end of the pattern's match. */
static int after(const struct lit *l, const char *t, size_t len, size_t p, uint64_t *to)
{
	size_t e = p + l->len;
	switch (l->extra) {
	case LX_SPACE:
		if (e >= len || !hs_space(t[e]))
			return 0;
		e++;
		break;
	case LX_TURNOFF:
	case LX_ACTAS: {
		const char *w = l->extra == LX_TURNOFF ? "off" : "as";
		size_t wl = l->extra == LX_TURNOFF ? 3 : 2;
		if (e >= len || !hs_space(t[e]))
			return 0;
		while (e < len && hs_space(t[e]))
			e++;
		if (len - e < wl)
			return 0;
		for (size_t i = 0; i < wl; i++)
			if (lower(t[e + i]) != w[i])
				return 0;
		e += wl;
		break;
	}
	case LX_NOW:
		if (e < len && hs_word(t[e]))
			return 0;
		break;
	default:
		break;
	}
	*to = e;
	return 1;
}

static int push_hit(struct assay_scan_ctx *c, uint64_t p, unsigned lit)
{
	if (p > UINT32_MAX) /* the text is refused (scan_hs_pass) */
		return 0;
	if (scan_grow((void **)&c->lhit, &c->lhitcap, c->nlhit + 1, sizeof *c->lhit))
		return 1;
	c->lhit[c->nlhit++] = (struct scan_lhit){(uint32_t)p, lit};
	return 0;
}

/* The first 4 bytes at p (fewer before avail, then zeros). */
static uint32_t first4(const char *t, size_t avail, size_t p)
{
	uint32_t w = 0;
	if (p + 4 <= avail)
		memcpy(&w, t + p, 4);
	else
		for (size_t q = p; q < avail; q++)
			w |= (uint32_t)(unsigned char)t[q] << (8 * (q - p));
	return w;
}

/* The literals at the candidates k of the block at i, as hits, in the
 * order of the table at each position (the same as block_hits_vbmi's).
 * Text readable up to avail. */
static int block_hits(struct assay_scan_ctx *c, const struct scan_lits *L, const char *t, size_t avail,
                      size_t i, uint64_t k)
{
	while (k) {
		unsigned j = (unsigned)__builtin_ctzll(k);
		k &= k - 1;
		size_t p = i + j;
		if (p >= avail)
			break;
		uint32_t w = first4(t, avail, p);
		for (unsigned x = 0; x < L->n; x++) {
			const struct lit *l = &LITS[L->idx[x]];
			if (((w | L->orm[x]) & L->cmpm[x]) == L->want[x] && p >= l->fpo &&
			    at(l, t, avail, p - l->fpo) && push_hit(c, p - l->fpo, L->idx[x]))
				return 1;
		}
	}
	return 0;
}

/* The candidates of the block at p (64 bytes, readable up to p + 68):
 * bit j of the result when a fingerprint may start at position j. */
static uint64_t block_scalar(const struct scan_lits *L, const unsigned char *p)
{
	uint64_t k = 0;
	for (unsigned h = 0; h < 2; h++)
		for (unsigned j = 0; j < 64; j++) {
			unsigned char x = L->fp[h][0][p[j] & 63] & L->fp[h][1][p[j + 1] & 63] &
			                  L->fp[h][2][p[j + 2] & 63] & L->fp[h][3][p[j + 3] & 63] &
			                  L->fp[h][4][p[j + 4] & 63];
			k |= (uint64_t)(x != 0) << j;
		}
	return k;
}

#ifdef __x86_64__
/* block_hits with the first 4 bytes of each candidate compared with 16
 * literals at a time (the loop over each candidate's buckets and their
 * literals was 12% of a pass's samples, ~12 ms per 100 MB of the corpus:
 * ~800,000 candidates, mostly mispredicted branches). */
__attribute__((target("avx512f,avx512bw,bmi"))) static int block_hits_vbmi(struct assay_scan_ctx *c,
                                                                           const struct scan_lits *L,
                                                                           const char *t, size_t avail,
                                                                           size_t i, uint64_t k)
{
	unsigned nv = (L->n + 15) / 16;
	while (k) {
		unsigned j = (unsigned)__builtin_ctzll(k);
		k &= k - 1;
		size_t p = i + j;
		__m512i w = _mm512_set1_epi32((int)first4(t, avail, p));
		for (unsigned v = 0; v < nv; v++) {
			__m512i x = _mm512_or_si512(w, _mm512_loadu_si512((const void *)(L->orm + 16 * v)));
			x = _mm512_and_si512(x, _mm512_loadu_si512((const void *)(L->cmpm + 16 * v)));
			unsigned eq =
			    _mm512_cmpeq_epi32_mask(x, _mm512_loadu_si512((const void *)(L->want + 16 * v)));
			while (eq) {
				unsigned y = 16 * v + (unsigned)__builtin_ctz(eq);
				eq &= eq - 1;
				const struct lit *l = &LITS[L->idx[y]];
				if (p >= l->fpo && at(l, t, avail, p - l->fpo) &&
				    push_hit(c, p - l->fpo, L->idx[y]))
					return 1;
			}
		}
	}
	return 0;
}

#define CHUNK 32
/* The blocks at from, from + 64, ... below end (each readable 67 bytes on)
 * with VBMI: 8 vpermb per 64-byte block, the tables in registers
 * (vpermi2b with 128-entry tables took 2 cycles each on this CPU: the
 * filter alone 10.4 against 6.4 ms per 100 MB in cache). The masks of a
 * chunk of blocks are stored, then their candidates looked at, so that no
 * call clobbers the tables' registers inside the loop. */
__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi"))) static int blocks_vbmi(struct assay_scan_ctx *c,
                                                                                  const struct scan_lits *L,
                                                                                  const char *t, size_t avail,
                                                                                  size_t from, size_t end)
{
	__m512i tb[2][FP_W];
	for (unsigned h = 0; h < 2; h++)
		for (unsigned k = 0; k < FP_W; k++)
			tb[h][k] = _mm512_loadu_si512((const void *)L->fp[h][k]);
	uint64_t ks[CHUNK];
	for (size_t i = from; i < end;) {
		unsigned nb = 0;
		for (; nb < CHUNK && i + 64 * nb < end; nb++) {
			const char *p = t + i + 64 * nb;
			__m512i v0 = _mm512_loadu_si512((const void *)p);
			__m512i v1 = _mm512_loadu_si512((const void *)(p + 1));
			__m512i v2 = _mm512_loadu_si512((const void *)(p + 2));
			__m512i v3 = _mm512_loadu_si512((const void *)(p + 3));
			__m512i v4 = _mm512_loadu_si512((const void *)(p + 4));
			__m512i r0 = _mm512_and_si512(_mm512_permutexvar_epi8(v0, tb[0][0]),
			                              _mm512_permutexvar_epi8(v1, tb[0][1]));
			__m512i r1 = _mm512_and_si512(_mm512_permutexvar_epi8(v0, tb[1][0]),
			                              _mm512_permutexvar_epi8(v1, tb[1][1]));
			r0 = _mm512_and_si512(r0, _mm512_and_si512(_mm512_permutexvar_epi8(v2, tb[0][2]),
			                                           _mm512_permutexvar_epi8(v3, tb[0][3])));
			r1 = _mm512_and_si512(r1, _mm512_and_si512(_mm512_permutexvar_epi8(v2, tb[1][2]),
			                                           _mm512_permutexvar_epi8(v3, tb[1][3])));
			r0 = _mm512_and_si512(r0, _mm512_permutexvar_epi8(v4, tb[0][4]));
			r1 = _mm512_and_si512(r1, _mm512_permutexvar_epi8(v4, tb[1][4]));
			ks[nb] = _mm512_test_epi8_mask(r0, r0) | _mm512_test_epi8_mask(r1, r1);
		}
		for (unsigned q = 0; q < nb; q++)
			if (ks[q] && block_hits_vbmi(c, L, t, avail, i + 64 * q, ks[q]))
				return 1;
		i += 64 * (size_t)nb;
	}
	return 0;
}
#endif

size_t scan_lits_find(struct assay_scan_ctx *c, const struct scan_lits *L, const char *t, size_t from,
                      size_t avail, int done, int simd)
{
	if (L->n == 0)
		return done ? avail : from;
	/* whole blocks whose reads (68 bytes, 12 for a literal) stay inside
	 * avail; the rest waits for the next step, or is padded when done */
	size_t nblk = avail > from + 68 + 12 ? (avail - from - 68 - 12) / 64 + 1 : 0;
	size_t end = from + 64 * nblk;
	size_t i = from;
#ifdef __x86_64__
	if (simd && nblk && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("bmi")) {
		if (blocks_vbmi(c, L, t, avail, from, end))
			return SIZE_MAX;
		i = end;
	}
#else
	(void)simd;
#endif
	for (; i < end; i += 64) {
		uint64_t k = block_scalar(L, (const unsigned char *)t + i);
		if (k && block_hits(c, L, t, avail, i, k))
			return SIZE_MAX;
	}
	if (!done)
		return i;
	/* the tail, padded with zeros (the bytes past a short literal may be
	 * anything; at() reads only the text) */
	while (i < avail) {
		unsigned char pad[64 + 68];
		size_t n = avail - i < sizeof pad ? avail - i : sizeof pad;
		memset(pad, 0, sizeof pad);
		memcpy(pad, t + i, n);
		uint64_t k = block_scalar(L, pad);
		if (k && block_hits(c, L, t, avail, i, k))
			return SIZE_MAX;
		i += 64;
	}
	return avail;
}

/* Hits arrive by fingerprint position, their literals' starts at most
 * 4 bytes out of order (fpo); passes.c takes them by start. Insertion
 * sort: each hit moves back past the few that start within 4 bytes after
 * it, and a stable sort keeps the order of the table at one start. */
static void sort_hits(struct scan_lhit *h, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct scan_lhit x = h[i];
		size_t j = i;
		for (; j > 0 && h[j - 1].p > x.p; j--)
			h[j] = h[j - 1];
		h[j] = x;
	}
}

int scan_lits_finish(struct assay_scan_ctx *c, const char *t, size_t len)
{
	sort_hits(c->lhit, c->nlhit);
	for (size_t h = 0; h < c->nlhit; h++) {
		if (h + 8 < c->nlhit)
			__builtin_prefetch(t + c->lhit[h + 8].p);
		const struct lit *l = &LITS[c->lhit[h].lit];
		uint64_t p = c->lhit[h].p, to;
		if (after(l, t, len, p, &to) && scan_on_literal(c, p, to, l->kind, l->aux))
			return 1;
	}
	c->nlhit = 0;
	return 0;
}

int scan_literals(struct assay_scan_ctx *c, const struct scan_lits *L, const char *t, size_t len, int simd)
{
	c->nlhit = 0;
	if (L->n == 0 || len == 0)
		return 0;
	if (scan_lits_find(c, L, t, 0, len, 1, simd) == SIZE_MAX)
		return 1;
	return scan_lits_finish(c, t, len);
}
