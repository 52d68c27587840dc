/* passes.c: the matching passes over one text (scan_hs_pass): which
 * patterns run over which bytes, and the candidates and markers they give.
 *
 * In order: the literal finder (literals.c: the triggers of the window
 * and marker databases, and the windows of the main database, push_main)
 * and the main database (URLs, secrets) over its windows (run_main); or,
 * without AVX-512 VBMI, the main database with the triggers over the whole
 * text; the marker database over the segments
 * around anchor words (the common ones only with the neighbours a marker
 * needs them with: anchor_ok); one pass in C over the text (sweep.c: the windows
 * of the digit database, ':' triggers between hex digits, '@', base64/hex
 * runs; for the outer text it ran while the text was normalised, match.c);
 * the digit database over its windows; the window database over the
 * regions opened by triggers; the e-mail pattern around each '@' (run_at);
 * the user's PCRE2 rules. Windows are
 * scanned in one hs_scan call per database (cat_build). Each gives the
 * candidates that one database of every pattern gave before the split
 * (the arguments are at on_anchor, run_windows, cat_build and in sweep.c;
 * measured costs in scan_internal.h and bench/README.md).
 *
 * Candidates are (start, end, detector); markers only keep their last
 * byte; a URL keeps only its longest end (longest_only). Callbacks return
 * non-zero only when out of memory (c->oom).
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "scan_internal.h"

int scan_push_cand(struct assay_scan_ctx *c, uint64_t from, uint64_t to, uint32_t det)
{
	if (scan_grow((void **)&c->cand, &c->candcap, c->ncand + 1, sizeof *c->cand)) {
		c->oom = 1;
		return 1;
	}
	c->cand[c->ncand++] = (struct scan_cand){from, to, det};
	return 0;
}

int scan_push_mark(struct assay_scan_ctx *c, uint64_t pos, uint32_t det)
{
	if (scan_grow((void **)&c->marks, &c->markcap, c->nmarks + 1, sizeof *c->marks)) {
		c->oom = 1;
		return 1;
	}
	c->marks[c->nmarks++] = (struct scan_mark){pos, det};
	return 0;
}

static int in_set(char ch, const char *set)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr(set, ch));
}

/* The start of a match compiled without SOM (enum scan_start). */
static uint64_t walk_back(const char *t, uint64_t to, int how)
{
	uint64_t p = to;
	if (how == START_EMAIL) {
		while (p > 0 && t[p - 1] != '@')
			p--;
		if (p == 0)
			return to;
		p--;
		uint64_t lim = p > 64 ? p - 64 : 0;
		while (p > lim && in_set(t[p - 1], "._%+-"))
			p--;
		while (t[p] == '.' || t[p] == '-' || t[p] == '+' || t[p] == '%' || t[p] == '_')
			p++; /* a local part starts with a letter or digit */
		return p;
	}
	while (p > 0 && in_set(t[p - 1], how == START_TOKEN ? "_-" : "_+/=.-"))
		p--;
	if (how == START_ASSIGN) {
		while (p > 0 && strchr("\"' \t:=", t[p - 1]) && t[p - 1])
			p--;
		while (p > 0 && in_set(t[p - 1], "_-"))
			p--;
	}
	return p;
}

static int word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* Hyperscan's \b: [A-Za-z0-9_] on one side only; outside the buffer counts
 * as a non-word character. */
static int hs_word(const char *t, size_t len, uint64_t p)
{
	return p < len && (word_char(t[p]) || t[p] == '_');
}

int scan_push_region(struct assay_scan_ctx *c, uint64_t lo, uint64_t hi)
{
	if (scan_grow((void **)&c->reg, &c->regcap, c->nreg + 1, sizeof *c->reg)) {
		c->oom = 1;
		return 1;
	}
	c->reg[c->nreg++] = (struct scan_region){lo, hi};
	return 0;
}

/* Hyperscan's \s. */
static int hs_space(char ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

/* A lower-case word and its length (the lists below end with {NULL, 0}). */
struct word {
	const char *s;
	size_t n;
};
#define WORD(x)                                                                                              \
	{                                                                                                    \
		x, sizeof x - 1                                                                              \
	}

/* Whether t[.., end) ends with one of the words (ASCII case ignored),
 * compared from the last byte. */
static int ends_with(const char *t, uint64_t end, const struct word *words)
{
	for (const struct word *w = words; w->s; w++) {
		size_t n = w->n, i = n;
		if (n > end)
			continue;
		while (i > 0 && (t[end - n + i - 1] | 0x20) == w->s[i - 1])
			i--;
		if (i == 0)
			return 1;
	}
	return 0;
}

/* Whether t[p, len) starts with \s* then ':' (after "message" and \s*
 * when msg). */
static int colon_after(const char *t, size_t len, uint64_t p, int msg)
{
	while (p < len && hs_space(t[p]))
		p++;
	if (p < len && t[p] == ':')
		return 1;
	if (!msg || len - p < 7)
		return 0;
	for (size_t i = 0; i < 7; i++)
		if ((t[p + i] | 0x20) != "message"[i])
			return 0;
	return colon_after(t, len, p + 7, 0);
}

/* Whether one of the words, then \s+ (\s* when any_space), ends at p. */
static int word_before(const char *t, uint64_t p, const struct word *words, int any_space)
{
	if (!any_space && (p == 0 || !hs_space(t[p - 1])))
		return 0;
	while (p > 0 && hs_space(t[p - 1]))
		p--;
	return ends_with(t, p, words);
}

/* An anchor word ending at `to` (matched caselessly by the main
 * database) with what enum scan_anchor_check asks around it. These are
 * the only ways a marker can hold it without holding another anchor
 * (patterns.c), so a marker holding it still opens its segment. */
static int anchor_ok(const char *t, size_t len, uint64_t to, int check)
{
	static const struct word MODE_BY[] = {WORD("developer"), WORD("debug"), WORD("god"),
	                                      WORD("admin"),     WORD("sudo"),  {NULL, 0}};
	static const struct word NOLIST[] = {
	    WORD("restrictions"), WORD("limitations"), WORD("filters"), WORD("censorship"),
	    WORD("guidelines"),   WORD("rules"),       {NULL, 0}};
	static const struct word NO_BY[] = {WORD("no"), WORD("out"), WORD("any"), {NULL, 0}};
	static const struct word PROMPT_BY[] = {WORD("system"),   WORD("hidden"), WORD("initial"),
	                                        WORD("original"), WORD("of"),     {NULL, 0}};
	static const struct word INSTR_BY[] = {WORD("system"),   WORD("hidden"), WORD("initial"),
	                                       WORD("original"), WORD("secret"), WORD("of"),
	                                       {NULL, 0}};
	static const struct word SYS[] = {WORD("system"), {NULL, 0}};
	switch (check) {
	case ANCHOR_MODE: /* (developer|debug|god|admin|sudo)\s+mode */
		return to >= 4 && word_before(t, to - 4, MODE_BY, 0);
	case ANCHOR_NOLIST: /* (no|out|any)\s*(restrictions|...|rules) */
		for (const struct word *w = NOLIST; w->s; w++) {
			const struct word one[] = {*w, {NULL, 0}};
			if (ends_with(t, to, one))
				return word_before(t, to - w->n, NO_BY, 1);
		}
		return 0;
	case ANCHOR_ROLE: /* (system|assistant|developer)(\s*message)?\s*:, system> */
		return colon_after(t, len, to, 1) || (to < len && t[to] == '>' && ends_with(t, to, SYS));
	case ANCHOR_PROMPT: /* (system|hidden|initial|original|of)\s+prompt, prompt\s*: */
		return colon_after(t, len, to, 0) || (to >= 6 && word_before(t, to - 6, PROMPT_BY, 0));
	case ANCHOR_INSTR: /* instructions?>, instructions\s*:, (system|...|of)\s+instructions */
		if (to < len && t[to] == '>')
			return 1;
		if (to >= len || (t[to] | 0x20) != 's')
			return 0;
		return (to + 1 < len && t[to + 1] == '>') || colon_after(t, len, to + 1, 0) ||
		       (to >= 11 && word_before(t, to - 11, INSTR_BY, 0));
	default:
		return 1;
	}
}

/* TRIG_SEGMENT: an anchor word of the injection markers ends at `to`.
 * Its segment is the maximal run of CLS_MARK bytes around it; every
 * marker match holds an anchor and no byte outside CLS_MARK, so it lies
 * inside the segment of one of its anchors. Anchors arrive by end, so one
 * already inside the last segment adds nothing. (Joining segments a few
 * hundred bytes apart into one window halved the hs_scan calls but not
 * the time, so each segment is its own window.) */
static int on_anchor(struct assay_scan_ctx *c, uint64_t to, int check)
{
	if (c->nseg && to <= c->seg[c->nseg - 1].hi)
		return 0;
	if (check != ANCHOR_ANY && !anchor_ok(c->text, c->len, to, check))
		return 0;
	const unsigned char *cls = c->s->cls;
	const char *t = c->text;
	uint64_t a = to - 1, b = to;
	while (a > 0 && (cls[(unsigned char)t[a - 1]] & CLS_MARK))
		a--;
	while (b < c->len && (cls[(unsigned char)t[b]] & CLS_MARK))
		b++;
	if (scan_grow((void **)&c->seg, &c->segcap, c->nseg + 1, sizeof *c->seg)) {
		c->oom = 1;
		return 1;
	}
	c->seg[c->nseg++] = (struct scan_region){a, b};
	return 0;
}

/* A trigger of the window database: the starts a match can have.
 * TRIG_HEX_COLON: the match contains [to - 3, to), so it starts in
 * [to - WINDOW_MAX, to]. TRIG_CONTEXT: confirm() accepts a candidate [from, to) with a context
 * word [ws, we) only when ws >= from - CTX_BEFORE and we <= to + CTX_AFTER,
 * and to - from <= WINDOW_MAX, so from lies in
 * [we - CTX_AFTER - WINDOW_MAX, ws + CTX_BEFORE]. */
static int on_trigger(struct assay_scan_ctx *c, const struct scan_trig *tr, uint64_t to)
{
	if (tr->kind == TRIG_SEGMENT)
		return on_anchor(c, to, tr->check);
	if (tr->kind == TRIG_HEX_COLON)
		return scan_push_region(c, to > WINDOW_MAX ? to - WINDOW_MAX : 0, to);
	uint64_t ws = to, we = to;
	while (ws > 0 && word_char(c->text[ws - 1]))
		ws--;
	while (we < c->len && word_char(c->text[we]))
		we++;
	size_t wl = (size_t)(we - ws);
	for (const char *const *w = tr->words; *w; w++) {
		if (strlen(*w) != wl)
			continue;
		size_t i = 0;
		while (i < wl && (c->text[ws + i] | 0x20) == (*w)[i])
			i++;
		if (i == wl) {
			uint64_t lo = we > CTX_AFTER + WINDOW_MAX ? we - CTX_AFTER - WINDOW_MAX : 0;
			return scan_push_region(c, lo, ws + CTX_BEFORE);
		}
	}
	return 0;
}

/* DB_MAIN's window for a literal at p (literals.c) that every match of a
 * main pattern holds; reach: bytes past p the window must cover. A window
 * runs from the start of the white-space-delimited word holding p to the
 * first white space at or after p + reach, that byte included (or the
 * text's ends). Why the main database over these windows gives the
 * matches it gives over the whole text (run_main):
 *  - every match holds a literal (literals.c) and lies in its window: the
 *    matches of url, url-credentials, the tokens and keys hold no white
 *    space and start in the word of their literal (at most 16 bytes before
 *    "://", 7 before generic-secret's "secret"/"token"); generic-secret's
 *    key, separator (\s{0,3}[:=]\s{0,3} and quotes) and value start lie
 *    within 19 bytes of its literal, and the value holds no white space;
 *    private-key ends within 39 bytes of "-BEGIN";
 *  - a window starts after white space (or at the text's start) and ends
 *    on white space (or at the text's end), so \b sees at its edges what it
 *    sees in the text, and the NUL that cat_build puts after it is a byte
 *    no match can reach: only url's path and url-credentials' classes hold
 *    a NUL, and neither holds white space (the NUL after a window that
 *    reaches the text's end is not scanned: run_main);
 *  - windows that overlap or touch are merged, so a match and every
 *    shorter one sharing its end lie in one window: the leftmost start of
 *    each end is the whole text's, and each end is reported once, in the
 *    order of the whole text (windows are in order).
 * Literals arrive in increasing order of p, so each byte is walked over
 * once. */
static int push_main(struct assay_scan_ctx *c, uint64_t p, unsigned reach)
{
	const char *t = c->text;
	size_t len = c->len;
	struct scan_region *last = c->nmwin ? &c->mwin[c->nmwin - 1] : NULL;
	uint64_t from = p + reach;
	if (last && p < last->hi) {
		if (from < last->hi) /* t[last->hi - 1] is white space, or last->hi = len */
			return 0;
	} else {
		uint64_t lo = p, floor = last ? last->hi : 0;
		while (lo > floor && !hs_space(t[lo - 1]))
			lo--;
		if (!(last && lo == floor)) {
			if (scan_grow((void **)&c->mwin, &c->mwincap, c->nmwin + 1, sizeof *c->mwin)) {
				c->oom = 1;
				return 1;
			}
			last = &c->mwin[c->nmwin++];
			last->lo = lo;
			last->hi = lo;
		}
		if (from < p)
			from = p;
	}
	if (from < last->hi)
		from = last->hi;
	while (from < len && !hs_space(t[from]))
		from++;
	last->hi = from < len ? from + 1 : len;
	return 0;
}

int scan_on_literal(struct assay_scan_ctx *c, uint64_t p, uint64_t to, unsigned kind, unsigned aux)
{
	if (kind == LK_ANCHOR)
		return on_anchor(c, to, (int)aux);
	if (kind == LK_CONTEXT)
		return on_trigger(c, &c->trig[aux], to);
	return push_main(c, p, aux);
}

/* TAIL_PHONE_EXT: the pattern was compiled without its optional tail
 * (?: ?(?:x|ext\.?) ?\d{1,5})?\b; every end of the short form is reported,
 * so the full form's ends are: this end when \b holds here, and the end of
 * the tail when one parses (a tail is deterministic: at most one end). */
static int phone_tail(struct assay_scan_ctx *c, uint64_t from, uint64_t to, uint32_t id)
{
	const char *t = c->text;
	size_t len = c->len;
	if (c->ext_idx && c->ext_to == to) { /* a tail already ended here */
		struct scan_cand *x = &c->cand[c->ext_idx - 1];
		if (from < x->from)
			x->from = from;
		return 0;
	}
	if (!hs_word(t, len, to) && scan_push_cand(c, from, to, id))
		return 1;
	uint64_t p = to;
	if (p < len && t[p] == ' ')
		p++;
	if (p < len && (t[p] | 0x20) == 'x')
		p++;
	else if (p + 2 < len && (t[p] | 0x20) == 'e' && (t[p + 1] | 0x20) == 'x' &&
	         (t[p + 2] | 0x20) == 't') {
		p += 3;
		if (p < len && t[p] == '.')
			p++;
	} else
		return 0;
	if (p < len && t[p] == ' ')
		p++;
	uint64_t d = p;
	while (d < len && d - p <= 5 && t[d] >= '0' && t[d] <= '9')
		d++;
	if (d == p || d - p > 5 || hs_word(t, len, d))
		return 0;
	if (scan_push_cand(c, from, d, id))
		return 1;
	c->ext_to = d;
	c->ext_idx = c->ncand;
	return 0;
}

/* Whether confirm() takes a candidate of d at its longest end whenever
 * it takes one at all: no validator, context or confidence depends on
 * the end (url-credentials, private-key), or the URL's, which accepts
 * every span and whose trimming of trailing punctuation stops at the
 * host. Hyperscan reports every end of a URL's path (~12 a URL on the
 * bench corpus: 27,520 candidates for 2,368 URLs); the ends of one
 * start arrive in a row, and only the longest is kept. */
static int longest_only(const struct scan_det *d)
{
	return d->start == START_SOM && d->tail == TAIL_NONE &&
	       (d->validator == V_URL || (d->validator == V_NONE && d->ctx_mode == CTX_NONE));
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	(void)flags;
	struct assay_scan_ctx *c = ud;
	if (id >= TRIG_ID_BASE) {
		return on_trigger(c, &c->trig[id - TRIG_ID_BASE], to);
	}
	const struct scan_det *d = &c->s->dets[id];
	if (d->kind == K_MARKER)
		return scan_push_mark(c, to ? to - 1 : 0, id);
	if (d->start != START_SOM)
		from = walk_back(c->text, to, d->start);
	if (d->tail == TAIL_PHONE_EXT)
		return phone_tail(c, from, to, id);
	if (longest_only(d) && c->ncand > c->cand0) {
		struct scan_cand *x = &c->cand[c->ncand - 1];
		if (x->det == id && x->from == from) {
			if (to > x->to)
				x->to = to;
			return 0;
		}
	}
	return scan_push_cand(c, from, to, id);
}

/* A match in a window: kept when it starts inside the region the window
 * was opened for (see run_windows). */
/* Windows scanned in one call. hs_scan costs ~190 ns a call before it
 * reads a byte, and a pass over the bench corpus made ~450,000 calls for
 * marker segments and trigger windows (~85 ms per 100 MB), so the windows
 * [lo, hi) of t are copied end to end into c->cat with a NUL after each,
 * and scanned once. No character class of the digit, window or marker
 * patterns holds a NUL, so no match spans two windows; a NUL is not a word
 * character, nor a line end, so \b sees at a window's edges what the scan
 * of the window alone saw at the buffer's edges; the one difference, the
 * multiline ^ at a window's first byte, does not matter because the
 * marker segments' first byte cannot start a marker (run_segments). Each
 * window therefore gives the matches it gave alone. One window is
 * scanned in place. */
static int cat_build(struct assay_scan_ctx *c, const char *t, const struct scan_region *w, size_t n,
                     const char **buf, size_t *len)
{
	c->catw = w;
	c->ncatw = n;
	c->catcur = 0;
	if (scan_grow((void **)&c->catoff, &c->catoffcap, n ? n : 1, sizeof *c->catoff))
		return 1;
	if (n == 1) {
		c->catoff[0] = 0;
		*buf = t + w[0].lo;
		*len = (size_t)(w[0].hi - w[0].lo);
		return 0;
	}
	size_t need = 0;
	for (size_t k = 0; k < n; k++)
		need += (size_t)(w[k].hi - w[k].lo) + 1;
	if (scan_grow((void **)&c->cat, &c->catcap, need ? need : 1, 1))
		return 1;
	size_t o = 0;
	for (size_t k = 0; k < n; k++) {
		size_t l = (size_t)(w[k].hi - w[k].lo);
		c->catoff[k] = o;
		memcpy(c->cat + o, t + w[k].lo, l);
		o += l;
		c->cat[o++] = 0;
	}
	*buf = c->cat;
	*len = o;
	return 0;
}

/* Scan the windows w[0..n) of t, concatenated by cat_build, with db. */
static hs_error_t scan_cat(struct assay_scan_ctx *c, const char *t, const struct scan_region *w, size_t n,
                           const hs_database_t *db, match_event_handler cb)
{
	const char *buf;
	size_t len;
	if (cat_build(c, t, w, n, &buf, &len) || len > 0xFFFFFFFFu) {
		c->oom = 1;
		return HS_SCAN_TERMINATED;
	}
	return hs_scan(db, buf, (unsigned)len, 0, c->scratch, cb, c);
}

/* The window holding offset p of the concatenation. Matches arrive
 * nearly in order, so the last window found is tried first, then the
 * next; a binary search otherwise. */
static size_t cat_window(struct assay_scan_ctx *c, uint64_t p)
{
	size_t k = c->catcur;
	if (k < c->ncatw && c->catoff[k] <= p && (k + 1 == c->ncatw || p < c->catoff[k + 1]))
		return k;
	if (k + 1 < c->ncatw && c->catoff[k + 1] <= p && (k + 2 == c->ncatw || p < c->catoff[k + 2]))
		return c->catcur = k + 1;
	size_t lo = 0, hi = c->ncatw;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->catoff[mid] <= p)
			lo = mid;
		else
			hi = mid;
	}
	return c->catcur = lo;
}

/* A trigger-window match: kept when it starts inside the region the
 * window was opened for (see run_windows). */
static int on_window(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	(void)flags;
	struct assay_scan_ctx *c = ud;
	size_t k = cat_window(c, to - 1);
	uint64_t off = c->catw[k].lo - c->catoff[k];
	from += off;
	if (from < c->reg[k].lo || from > c->reg[k].hi)
		return 0;
	return scan_push_cand(c, from, to + off, id);
}

/* A digit-database match in a digit window (sweep.c). */
static int on_digit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	struct assay_scan_ctx *c = ud;
	size_t k = cat_window(c, to - 1);
	uint64_t off = c->catw[k].lo - c->catoff[k];
	return on_match(id, from + off, to + off, flags, c);
}

/* The main database over its windows (push_main), or over the whole text
 * when they cover most of it (the same matches). */
static hs_error_t run_main(struct assay_scan_ctx *c, const char *t, size_t tlen)
{
	size_t cover = 0;
	for (size_t k = 0; k < c->nmwin; k++)
		cover += (size_t)(c->mwin[k].hi - c->mwin[k].lo);
	if (cover == 0)
		return HS_SUCCESS;
	if (cover > tlen / 2)
		return hs_scan(c->s->db, t, (unsigned)tlen, 0, c->scratch, on_match, c);
	const char *buf;
	size_t len;
	if (cat_build(c, t, c->mwin, c->nmwin, &buf, &len) || len > 0xFFFFFFFFu) {
		c->oom = 1;
		return HS_SCAN_TERMINATED;
	}
	if (c->nmwin > 1 && c->mwin[c->nmwin - 1].hi == tlen)
		len--; /* the text's end, as in the text: no NUL for the URL path to take */
	return hs_scan(c->s->db, buf, (unsigned)len, 0, c->scratch, on_digit, c);
}

/* The digit database over the digit windows (sweep.c), or over the whole
 * text when they cover most of it (the same matches). */
static hs_error_t run_digits(struct assay_scan_ctx *c, const char *t, size_t tlen)
{
	size_t cover = 0;
	for (size_t k = 0; k < c->nwin; k++)
		cover += (size_t)(c->win[k].hi - c->win[k].lo);
	if (cover == 0)
		return HS_SUCCESS;
	if (cover > tlen / 2)
		return hs_scan(c->s->ddb, t, (unsigned)tlen, 0, c->scratch, on_match, c);
	return scan_cat(c, t, c->win, c->nwin, c->s->ddb, on_digit);
}

/* A marker match inside a segment window (only its end is used). */
static int on_segment(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ud)
{
	(void)from;
	(void)flags;
	struct assay_scan_ctx *c = ud;
	size_t k = cat_window(c, to - 1);
	return scan_push_mark(c, c->catw[k].lo + (to - 1 - c->catoff[k]), id);
}

/* The marker database over each segment, with the byte before and after
 * it (outside CLS_MARK, so no marker can start or end on them): \b and the
 * multiline ^ then see the text's own neighbours, and a window edge is
 * never taken for a line start or word boundary that the text lacks.
 * Instead of the markers over the whole text (0.63 GB/s on the bench
 * corpus), the anchors (in the main database) and about 2% of the bytes. */
static int seg_mark_cmp(const void *a, const void *b)
{
	const struct scan_mark *x = a, *y = b;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return x->det < y->det ? -1 : x->det > y->det;
}

/* Markers ending on the same byte ("you are now in developer mode") are
 * put in table order, so the rules list of a finding does not depend on
 * the order a Hyperscan database reports simultaneous matches in. */
static hs_error_t run_segments(struct assay_scan_ctx *c, const char *t, size_t tlen)
{
	size_t m0 = c->nmarks;
	if (c->nseg == 0)
		return HS_SUCCESS;
	for (size_t i = 0; i < c->nseg; i++) { /* each segment with its neighbours */
		c->seg[i].lo = c->seg[i].lo ? c->seg[i].lo - 1 : 0;
		c->seg[i].hi = c->seg[i].hi < tlen ? c->seg[i].hi + 1 : tlen;
	}
	hs_error_t e = scan_cat(c, t, c->seg, c->nseg, c->s->mdb, on_segment);
	if (e != HS_SUCCESS)
		return e;
	if (c->nmarks - m0 > 1)
		qsort(c->marks + m0, c->nmarks - m0, sizeof *c->marks, seg_mark_cmp);
	return HS_SUCCESS;
}

static int region_cmp(const void *a, const void *b)
{
	const struct scan_region *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The window database over the trigger regions. Regions are merged so
 * that every start is looked at once; a region [lo, hi] is scanned over
 * [lo - WINDOW_MAX - 1, hi + WINDOW_MAX + 1]. Why this is exact: a match
 * starting in [lo, hi] ends by hi + WINDOW_MAX, inside the window with
 * the byte after it (for \b), and the byte before it is inside too; a
 * match that only exists because the window cuts the text (its start at
 * the window's first byte, taken for a word boundary) ends before lo, so
 * it cannot hide the leftmost start of a kept match. */
static hs_error_t run_windows(struct assay_scan_ctx *c, const char *t, size_t tlen)
{
	if (c->nreg == 0)
		return HS_SUCCESS;
	qsort(c->reg, c->nreg, sizeof *c->reg, region_cmp);
	size_t k = 0;
	for (size_t i = 1; i < c->nreg; i++) {
		if (c->reg[i].lo <= c->reg[k].hi + 2 * WINDOW_MAX + 2) {
			if (c->reg[i].hi > c->reg[k].hi)
				c->reg[k].hi = c->reg[i].hi;
		} else
			c->reg[++k] = c->reg[i];
	}
	c->nreg = k + 1;
	while (c->nreg && c->reg[c->nreg - 1].lo >= tlen)
		c->nreg--;
	if (c->nreg == 0)
		return HS_SUCCESS;
	/* c->win[i]: the window scanned for c->reg[i] */
	if (scan_grow((void **)&c->win, &c->wincap, c->nreg, sizeof *c->win)) {
		c->oom = 1;
		return HS_SCAN_TERMINATED;
	}
	for (size_t i = 0; i < c->nreg; i++) {
		uint64_t lo = c->reg[i].lo, hi = c->reg[i].hi;
		c->win[i].lo = lo > WINDOW_MAX + 1 ? lo - WINDOW_MAX - 1 : 0;
		c->win[i].hi = hi + WINDOW_MAX + 2 < tlen ? hi + WINDOW_MAX + 2 : tlen;
	}
	return scan_cat(c, t, c->win, c->nreg, c->s->wdb, on_window);
}

/* Bytes of an e-mail's domain: [a-z0-9.-], caseless. */
static int domain_char(char ch)
{
	return word_char(ch) || ch == '.' || ch == '-';
}

/* The e-mail pattern (DB_AT) over the windows around each '@' (found by
 * the sweep). Why this gives the matches of the whole text: a match is
 * one byte, the '@', then bytes of [a-z0-9.-] up to its end, so the match
 * whose '@' is at p lies in [p - 1, q), q the end of the run of domain
 * bytes after p; the window [p - 1, q + 1) also holds the byte its final
 * \b looks at (t[q], or the end of the text; the NUL after a window is
 * not a word character either). Hyperscan reports each end once per
 * pattern, and every end belongs to one '@' (the last one before it), so
 * each end is reported in one window; windows that overlap or touch are
 * merged, which keeps every '@''s range whole. The starts come from
 * walk_back over the whole text, as before. Each forward walk stops at
 * the next '@' (not a domain byte), so the walks read the text once. */
static hs_error_t run_at(struct assay_scan_ctx *c, const char *t, size_t tlen)
{
	if (c->nat == 0)
		return HS_SUCCESS;
	size_t nw = 0;
	for (size_t k = 0; k < c->nat; k++) {
		uint64_t p = c->at[k], q = p + 1;
		while (q < tlen && domain_char(t[q]))
			q++;
		uint64_t lo = p ? p - 1 : 0, hi = q < tlen ? q + 1 : tlen;
		if (nw && lo <= c->win[nw - 1].hi) {
			if (hi > c->win[nw - 1].hi)
				c->win[nw - 1].hi = hi;
			continue;
		}
		if (scan_grow((void **)&c->win, &c->wincap, nw + 1, sizeof *c->win)) {
			c->oom = 1;
			return HS_SCAN_TERMINATED;
		}
		c->win[nw++] = (struct scan_region){lo, hi};
	}
	c->nwin = nw;
	return scan_cat(c, t, c->win, nw, c->s->adb, on_digit);
}

/* User rules: every PCRE2 match is a candidate. */
static int run_user(struct assay_scan_ctx *c, const char *t, size_t tlen, struct assay_error *err)
{
	const struct assay_scanner *s = c->s;
	for (size_t r = s->nbuiltin; r < s->ndets; r++) {
		if (!(s->dets[r].group & s->groups))
			continue;
		size_t off = 0;
		while (off <= tlen) {
			int rc = pcre2_match(s->re[r], (PCRE2_SPTR)t, tlen, off, 0, c->md, c->mctx);
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (rc < 0) {
				PCRE2_UCHAR msg[256];
				pcre2_get_error_message(rc, msg, sizeof msg);
				return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "rule \"%s\": %s",
				                       s->dets[r].name, (const char *)msg);
			}
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(c->md);
			if (scan_push_cand(c, ov[0], ov[1], (uint32_t)r))
				return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
	}
	return 0;
}

/* Every Hyperscan database over t, then the decode runs (outer = 0 for a
 * decoded payload, whose own runs are not decoded again). */
int scan_hs_pass(struct assay_scan_ctx *c, const char *t, size_t tlen, int outer, struct assay_error *err)
{
	const struct assay_scanner *s = c->s;
	c->text = t;
	c->len = tlen;
	int swept = c->swept;   /* the sweep ran with the normalisation (match.c) */
	int lswept = c->lswept; /* and so did the literal finder's first half */
	c->swept = 0;
	c->lswept = 0;
	if (!swept)
		c->nreg = 0;
	c->nseg = 0;
	c->ext_idx = 0;
	c->cand0 = c->ncand;
	if (tlen > 0xFFFFFFFFu)
		return assay_error_set(err, ASSAY_EINPUT, NULL, 0, 0, "buffer over 4 GiB: scan it in chunks");
	if (tlen) {
		hs_error_t e = HS_SUCCESS;
		c->nmwin = 0;
		if (!s->use_lits) { /* the main database with the triggers, over the whole text */
			if (s->db)
				e = hs_scan(s->db, t, (unsigned)tlen, 0, c->scratch, on_match, c);
		} else {
			if (lswept ? scan_lits_finish(c, t, tlen) : scan_literals(c, &s->lits, t, tlen, 1))
				c->oom = 1;
			if (c->oom)
				e = HS_SCAN_TERMINATED;
			if (e == HS_SUCCESS && s->db)
				e = run_main(c, t, tlen);
		}
		if (e == HS_SUCCESS && s->mdb)
			e = run_segments(c, t, tlen);
		/* digit windows, ':' triggers and decode runs: one pass (sweep.c) */
		int runs = outer && (s->run_det[0] >= 0 || s->run_det[1] >= 0);
		if (e == HS_SUCCESS && !swept && (s->ddb || s->wdb || s->adb || runs) &&
		    scan_sweep(c, t, tlen, s->ddb != NULL, s->wdb != NULL, runs, s->adb != NULL))
			c->oom = 1;
		if (c->oom)
			e = HS_SCAN_TERMINATED;
		if (e == HS_SUCCESS && s->ddb) {
			c->ext_idx = 0;
			e = run_digits(c, t, tlen);
		}
		if (e == HS_SUCCESS && s->wdb)
			e = run_windows(c, t, tlen);
		if (e == HS_SUCCESS && s->adb)
			e = run_at(c, t, tlen);
		if (e != HS_SUCCESS && !(e == HS_SCAN_TERMINATED && c->oom))
			return assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "Hyperscan scan failed (%d)",
			                       e);
	}
	if (c->oom)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (s->ndets > s->nbuiltin)
		return run_user(c, t, tlen, err);
	return 0;
}
