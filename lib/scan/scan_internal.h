/* scan_internal.h: the detector model shared by the files of lib/scan
 * (private to this folder).
 *
 * A detector is one pattern with what confirms it: a validator, context
 * words (whole words, near the match), a base confidence, and for
 * injection markers a weight in the per-sentence score. Built-in
 * detectors are a static table (patterns.c); user rules (rules.c) are the
 * same struct with a compiled PCRE2 pattern and owned strings.
 */
#ifndef ASSAY_SCAN_INTERNAL_H
#define ASSAY_SCAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hs_load.h"

#include "assay/arena.h"
#include "assay/normalize.h"
#include "assay/scan.h"

enum scan_validator {
	V_NONE = 0,
	V_CARD,
	V_IBAN,
	V_SSN,
	V_IPV4,
	V_IPV6,
	V_EMAIL,
	V_PHONE,
	V_DATE,
	V_JWT,
	V_LUHN,
	V_ENTROPY, /* secrets: the token body must not look like a placeholder */
	V_URL,     /* trailing punctuation trimmed */
};

enum scan_kind {
	K_ENTITY = 0, /* a finding when confirmed */
	K_MARKER,     /* an injection marker, scored per sentence */
	K_B64RUN,     /* a 24-character base64 window: decode and rescan */
	K_HEXRUN,     /* a 32-character hex window: decode and rescan */
};

enum scan_ctx_mode { CTX_NONE = 0, CTX_BOOST, CTX_REQUIRED };

/* How the start of a match is found. Hyperscan's start-of-match tracking
 * (SOM) is slow on patterns that open with a broad character class (an
 * e-mail's local part: 58 MB/s alone), so those patterns are compiled
 * without it and match.c walks back from the end instead. */
enum scan_start {
	START_SOM = 0, /* Hyperscan's leftmost start */
	START_EMAIL,   /* back to '@', then over local-part characters */
	START_TOKEN,   /* back over [A-Za-z0-9_-] (prefix-anchored tokens) */
	START_ASSIGN,  /* back over the value, the separator, then the key word */
};

struct scan_det {
	const char *name, *entity;
	const char *pattern; /* Hyperscan (built-in) or PCRE2 (user) syntax */
	unsigned hs_flags;
	unsigned char group, validator, kind, ctx_mode;
	float confidence;           /* after validation, before context */
	float weight;               /* K_MARKER: contribution to the sentence score */
	const char *const *context; /* NULL-terminated lower-case words, or NULL */
	unsigned char start;        /* enum scan_start */
	unsigned char db;           /* enum scan_db: which database matches it */
	unsigned char tail;         /* enum scan_tail: an ending matched in C */
};

/* Which Hyperscan database a built-in detector is compiled into. One
 * database with every pattern ran at 0.22 GB/s on the bench corpus while
 * its halves ran at 1.5 (digit entities) and 0.8 GB/s (the rest): past a
 * few dozen patterns Hyperscan no longer combines their automata well, so
 * the digit entities get their own database. Detectors that are slow in
 * any combination and only matter near a rare trigger (IPv6 near "h:h",
 * dates of birth near "born"/"dob", postal codes near "zip"/"post") are
 * scanned only in windows around the trigger (passes.c). Decode runs are
 * found in C (sweep.c). */
enum scan_db {
	DB_MAIN = 0, /* URLs, secrets: over the windows around their literals when
	                literals.c runs (passes.c, run_main), else over the text */
	DB_DIGIT,    /* payment cards, IBAN, SSN, IPv4, phones: only in the windows
	                around digit clusters that can hold a finding (sweep.c) */
	DB_WINDOW,   /* matched only in windows around a trigger */
	DB_MARKER,   /* injection markers: only in the segments around an anchor word */
	DB_AT,       /* e-mail: only in the windows around an '@' (sweep.c finds them,
	                passes.c's run_at); it was a fifth of the main database's
	                time on the bench prose (33 -> 24 ms per 100 MB without it) */
	DB_NONE,     /* not a Hyperscan pattern (base64 / hex runs) */
};

/* A DB_WINDOW pattern is never longer than WINDOW_MAX bytes (IPv6: 48,
 * the longest date of birth: 21, postal code: 10), which is what makes
 * windows exact. */
#define WINDOW_MAX 64

enum scan_tail {
	TAIL_NONE = 0,
	TAIL_PHONE_EXT, /* " x89", "ext. 12": Hyperscan ran the pattern with
	                   this optional tail at 0.9 GB/s, without it at 4.3 */
};

/* Triggers for DB_WINDOW detectors, compiled into the main database
 * without SOM (patterns.c). A trigger opens a region of possible match
 * starts; the window database is run over the regions (passes.c). */
enum scan_trig_kind {
	TRIG_HEX_COLON, /* IPv6: a hex digit, ':', then a hex digit or ':'; found by
	                   sweep.c (pattern NULL): as a Hyperscan pattern
	                   it halved the main database's speed without injection
	                   markers (3.7 -> 1.9 GB/s) */
	TRIG_CONTEXT,   /* a context word of CTX_REQUIRED detectors: starts within reach of it */
	TRIG_SEGMENT,   /* an anchor word of the injection markers: the segment around it */
};

/* TRIG_SEGMENT: what must surround an anchor word for it to open a
 * segment (passes.c, anchor_ok; why in patterns.c). */
enum scan_anchor_check {
	ANCHOR_ANY = 0, /* nothing more */
	ANCHOR_MODE,    /* "mode" after developer|debug|god|admin|sudo and \s+ */
	ANCHOR_NOLIST,  /* no-restrictions' words after no|out|any and \s* */
	ANCHOR_ROLE,    /* system|assistant|developer before (\s*message)?\s*:, or system> */
	ANCHOR_PROMPT,  /* "prompt" after system|hidden|initial|original|of and \s+, or before \s*: */
	ANCHOR_INSTR,   /* "instruction" + s after system|hidden|initial|original|secret|of and \s+,
	                   or before \s*:, or + s? before > */
};

struct scan_trig {
	const char *pattern; /* NULL: found in C (TRIG_HEX_COLON) */
	unsigned hs_flags;
	unsigned char kind;
	const char *const *words; /* TRIG_CONTEXT: the whole words that count */
	unsigned char serves;     /* DB_WINDOW or DB_MARKER */
	unsigned char check;      /* TRIG_SEGMENT: enum scan_anchor_check */
};

/* Trigger ids in the main database start here (detector ids are below). */
#define TRIG_ID_BASE 100000u

/* patterns.c */
const struct scan_det *scan_builtin(size_t *n);
const struct scan_trig *scan_triggers(size_t *n);
/* Validator by name for user rules ("luhn", "card", "iban", ...); -1 if unknown. */
int scan_validator_from_name(const char *name);
const char *const *scan_validator_names(size_t *n);

/* context.c: a list of context words prepared for lookups (a 256-bit
 * filter on each word's length and first two letters, and those keys). */
#define CTX_SET_MAX 32
struct scan_ctx_set {
	const char *const *words; /* the NULL-terminated list; NULL: none */
	uint64_t filt[4];
	uint32_t key[CTX_SET_MAX];
	const char *word[CTX_SET_MAX];
	unsigned n; /* words in key[]; 0: over CTX_SET_MAX, each is compared */
	size_t maxlen;
	unsigned char minfirst; /* the smallest first byte of a word, lower-cased: the
	                           words of a window starting below it (digits, for the
	                           built-in lists) are not looked up */
};
void scan_context_set(struct scan_ctx_set *set, const char *const *words);
/* Is a word of the set a whole word in text[lo, hi)? (len: the text's
 * length, to see whether a word goes on past the window.) */
int scan_has_context(const char *text, size_t len, size_t lo, size_t hi, const struct scan_ctx_set *set);

/* decode.c: decode a base64 / hex run into out (cap bytes); returns the
 * decoded length, or -1 when the run is not text worth rescanning. */
long scan_decode_b64(const char *s, size_t len, char *out, size_t cap);
long scan_decode_hex(const char *s, size_t len, char *out, size_t cap);

/* Byte classes of the decode runs: base64 (both alphabets) and hex. */
#define CLS_B64 1u
#define CLS_HEX 2u
/* Bytes an injection-marker match can hold: ASCII letters, '_', white
 * space and < > | [ ] / # : (patterns.c; no digit, '.', ',', quote...). */
#define CLS_MARK 4u
/* Bytes between two digits of a digit-database match (sweep.c). */
#define CLS_DGAP 8u

/* literals.c: the literal finder (main-database windows, context
 * triggers, injection anchors). Kinds of literal: */
enum scan_lit_kind {
	LK_ANCHOR = 0, /* an injection anchor: passes.c, on_anchor */
	LK_CONTEXT,    /* a context trigger of the window database: on_trigger */
	LK_MAIN,       /* held by every match of a main-database pattern: its window */
};
#define SCAN_LITS_PER_BUCKET 16
#define SCAN_LITS_MAX        80 /* a multiple of 16 */
/* The fingerprint tables of the literals in use (per scanner, read-only). */
struct scan_lits {
	unsigned char fp[2][5][64]; /* buckets 0-7, 8-15: per position, per byte's low 6 bits */
	unsigned char nin[16];      /* literals per bucket */
	/* every literal's first 4 bytes: ((bytes | orm) & cmpm) == want
	 * (little-endian); past n, entries that never match */
	uint32_t want[SCAN_LITS_MAX], orm[SCAN_LITS_MAX], cmpm[SCAN_LITS_MAX];
	unsigned char idx[SCAN_LITS_MAX]; /* in literals.c's table */
	unsigned n;
};
void scan_lits_init(struct scan_lits *L, int main_db, int ctx, int anchors);
/* Whether the finder runs on this CPU: with AVX-512 VBMI (its scalar
 * lookups are ~3 ns a byte, slower than the Hyperscan triggers they
 * replace), unless ASSAY_SCAN_NO_VBMI is set (tests compare both paths). */
int scan_lits_supported(void);
/* Every literal of L in t, in increasing order of start (a superset of
 * the secret prefixes, which are case-sensitive): scan_lits_find then
 * scan_lits_finish, each literal found calling scan_on_literal. simd = 0
 * forces the scalar lookups (tests). 0, or 1 when out of memory. */
int scan_literals(struct assay_scan_ctx *c, const struct scan_lits *L, const char *t, size_t len, int simd);
/* In steps (behind the normalisation, like the sweep): the literals
 * starting in [from, ...) of a text of which avail bytes are written (all
 * of it when done) are added to c->lhit; returns where the next step
 * starts (avail when done), SIZE_MAX when out of memory. */
size_t scan_lits_find(struct assay_scan_ctx *c, const struct scan_lits *L, const char *t, size_t from,
                      size_t avail, int done, int simd);
/* The hits c->lhit over the whole text t: what follows each literal
 * checked, scan_on_literal called; 0 or 1 (out of memory). */
int scan_lits_finish(struct assay_scan_ctx *c, const char *t, size_t len);
/* passes.c: a literal of kind found at [p, to): anchor aux: enum
 * scan_anchor_check; context: the trigger's index; main: bytes past p the
 * window must reach. 1 when out of memory. */
int scan_on_literal(struct assay_scan_ctx *c, uint64_t p, uint64_t to, unsigned kind, unsigned aux);

/* scanner.c */
struct scan_cand {
	uint64_t from, to;
	uint32_t det;
};

struct assay_scanner {
	hs_database_t *db;      /* DB_MAIN (and triggers); NULL when empty */
	hs_database_t *ddb;     /* DB_DIGIT; NULL when empty */
	hs_database_t *wdb;     /* DB_WINDOW; NULL when empty */
	hs_database_t *mdb;     /* DB_MARKER; NULL when empty */
	hs_database_t *adb;     /* DB_AT; NULL when empty */
	int run_det[2];         /* base64 / hex run detector, or -1 when off */
	unsigned char cls[256]; /* per byte: CLS_B64 | CLS_HEX (match.c's run finder) */
	struct scan_lits lits;  /* literals.c: what opens the main database's windows */
	int use_lits;           /* literals.c runs (scan_lits_supported); else the main
	                           database holds the triggers and scans the whole text */
	struct scan_det *dets;
	void **re; /* per detector: pcre2_code for user rules, NULL for built-ins */
	size_t ndets, nbuiltin;
	unsigned groups;
	double min_conf;
	int no_decode;
	struct assay_arena arena; /* user rules' strings */
	char rules_sha256[65];
};

/* sweep.c: where an incremental sweep is (offsets only: the text may
 * move between steps while normalisation grows it). */
struct scan_sweep_state {
	size_t s, e, ndig, ndot, reach; /* the digit cluster being built */
	size_t dstart, bstart;          /* start of the digit / base64 run being read */
	size_t pos;                     /* next block to read */
	size_t avail;                   /* bytes of the text there so far */
	int in_digit, in_b64;
	int digits, colons, runs, ats;
	int done;    /* avail is the text's length */
	int pending; /* the last window's end is a word still being written */
};

struct assay_scan_ctx {
	const struct assay_scanner *s;
	hs_scratch_t *scratch;
	void *md;   /* pcre2_match_data */
	void *mctx; /* pcre2_match_context: the match limit */
	struct assay_norm norm;
	struct scan_cand *cand, *candtmp; /* candtmp: the merge sort's buffer (match.c) */
	size_t ncand, candcap, candtmpcap;
	struct assay_finding *found, *out;
	struct assay_finding *foundtmp; /* match.c: sort_found's buffer */
	size_t foundtmpcap;
	size_t nfound, foundcap, nout, outcap;
	struct scan_mark {
		uint64_t pos; /* normalised offset inside the marker */
		uint32_t det; /* detector, or UINT32_MAX - kind for hidden characters */
	} * marks;
	size_t nmarks, markcap;
	struct scan_mark *marktmp; /* inject.c: sort_marks' buffer */
	size_t marktmpcap;
	char *dec; /* decoded run */
	size_t deccap;
	const char *text; /* what the callback is scanning */
	size_t len;
	struct scan_region {
		uint64_t lo, hi; /* possible match starts [lo, hi] */
	} * reg;
	size_t nreg, regcap;
	uint64_t ext_to;              /* TAIL_PHONE_EXT: end of the last extended candidate */
	size_t ext_idx;               /* + 1; 0: none */
	size_t cand0;                 /* passes.c: the first candidate of the pass running */
	const struct scan_trig *trig; /* scan_triggers(): what a trigger id of the main database is */
	struct scan_region *seg;      /* DB_MARKER: marker segments [lo, hi) */
	size_t nseg, segcap;
	struct scan_region *win; /* windows [lo, hi): DB_DIGIT's (sweep.c), then DB_WINDOW's */
	size_t nwin, wincap;
	struct scan_region *mwin; /* DB_MAIN's windows [lo, hi) (passes.c, push_main) */
	size_t nmwin, mwincap;
	struct scan_lhit {
		uint32_t p;   /* where a literal starts (scan_hs_pass refuses texts over 4 GiB) */
		uint32_t lit; /* which (literals.c) */
	} * lhit;             /* literals.c: found, not yet looked at (8 bytes a hit: a text
	                         made only of literals, " now now now", holds one per 4 bytes) */
	size_t nlhit, lhitcap;
	size_t lpos; /* literals.c: where the next step starts */
	int lswept;  /* the outer text's literals were found while it was normalised */
	/* passes.c: windows copied end to end, NUL-separated, for one hs_scan */
	char *cat;
	size_t catcap;
	uint64_t *catoff; /* where window k starts in cat */
	size_t catoffcap;
	const struct scan_region *catw; /* the windows, [lo, hi) in the text */
	size_t ncatw, catcur;           /* catcur: the window of the last match */
	/* match.c: the word lists met in confirm(), prepared */
	struct scan_ctx_set memo[8];
	struct scan_sweep_state sw;
	uint64_t *at; /* sweep.c: where the '@' are (DB_AT) */
	size_t nat, atcap;
	int swept; /* the sweep of the outer text ran while it was normalised */
	int oom;
	struct assay_arena arena; /* per scan: injection rule lists */
};

/* match.c: a vector push with geometric growth; 0 or ASSAY_ENOMEM. */
int scan_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Context words count from CTX_BEFORE bytes before a match to CTX_AFTER
 * after it (match.c confirms; passes.c opens trigger regions from it). */
#define CTX_BEFORE 48
#define CTX_AFTER  24

/* passes.c: every matching pass over t; outer = 0 for a decoded payload
 * (its own runs are not decoded again). 0 or an error code. */
int scan_hs_pass(struct assay_scan_ctx *c, const char *t, size_t tlen, int outer, struct assay_error *err);
/* sweep.c: one pass over t: c->win = the windows of t that hold every
 * match of the digit database a validator can accept (sorted, merged,
 * word-bounded; when digits), the regions of the ':' triggers (when
 * colons), the candidates of the base64 / hex runs (when runs). 0 or
 * ASSAY_ENOMEM. */
int scan_sweep(struct assay_scan_ctx *c, const char *t, size_t len, int digits, int colons, int runs,
               int ats);
/* The same sweep in steps, over a text being written (normalize.c): begin,
 * then steps with the text's first avail bytes written (done: all of it;
 * t may move between steps). The same results as scan_sweep over the
 * whole text. 0 or ASSAY_ENOMEM. */
void scan_sweep_begin(struct assay_scan_ctx *c, int digits, int colons, int runs, int ats);
int scan_sweep_step(struct assay_scan_ctx *c, const char *t, size_t avail, int done);

/* normalize.c: assay_normalize, calling step(ud, buf, len) every few
 * dozen KB of output while it is still in cache (not when the text is
 * pure ASCII: then n->buf stays NULL and step is never called). A
 * non-zero return from step stops it with that code. */
int scan_normalize_steps(struct assay_norm *n, const char *text, size_t len,
                         int (*step)(void *ud, const char *buf, size_t len), void *ud);
/* passes.c: a candidate; a region of window starts [lo, hi]; 1 when out of memory. */
int scan_push_cand(struct assay_scan_ctx *c, uint64_t from, uint64_t to, uint32_t det);
int scan_push_region(struct assay_scan_ctx *c, uint64_t lo, uint64_t hi);
/* passes.c: record an injection marker ending at pos; 1 when out of memory. */
int scan_push_mark(struct assay_scan_ctx *c, uint64_t pos, uint32_t det);

/* normalize.c: assay_norm_map_start and _end for offsets asked in
 * increasing order (*k: the segment of the last one, 0 at first). */
uint64_t scan_norm_map_start(const struct assay_norm *n, uint64_t p, size_t *k);
uint64_t scan_norm_map_end(const struct assay_norm *n, uint64_t p, size_t *k);

/* inject.c: score c->marks per sentence of t (normalised text of orig). */
int scan_inject(struct assay_scan_ctx *c, const char *t, size_t tlen, const char *orig, size_t olen);

/* rules.c: load a YAML rules file; appends detectors to s (arena-owned). */
int scan_rules_load(struct assay_scanner *s, const char *path, struct assay_error *err);

/* validate.c: whether two letters (either case) are a country of the IBAN
 * registry, i.e. an IBAN starting with them can validate. */
int scan_iban_country(char a, char b);

/* Validate text by validator id (1 = confirmed). */
int scan_validate(int validator, const char *s, size_t len);

/* SCAN_MERGE_SORT(NAME, TYPE, LESS) defines
 * static void NAME(TYPE *a, TYPE *tmp, size_t n): a stable merge sort of
 * a[0, n) with tmp[n / 2 + 1], LESS(x, y) on pointers inlined (qsort with a
 * comparison function was a third of confirm() on the bench corpus), in
 * runs of 16 by insertion, and a half already in order not merged (the
 * candidates, marks and findings arrive in long sorted runs). Stable, so
 * the order is glibc qsort's (also a stable merge sort) wherever LESS
 * leaves ties only between identical elements. */
#define SCAN_MERGE_SORT(NAME, TYPE, LESS)                                                                    \
	static void NAME(TYPE *a, TYPE *tmp, size_t n)                                                       \
	{                                                                                                    \
		if (n <= 16) {                                                                               \
			for (size_t i = 1; i < n; i++) {                                                     \
				TYPE x = a[i];                                                               \
				size_t j = i;                                                                \
				for (; j > 0 && LESS(&x, &a[j - 1]); j--)                                    \
					a[j] = a[j - 1];                                                     \
				a[j] = x;                                                                    \
			}                                                                                    \
			return;                                                                              \
		}                                                                                            \
		size_t h = n / 2;                                                                            \
		NAME(a, tmp, h);                                                                             \
		NAME(a + h, tmp, n - h);                                                                     \
		if (!LESS(&a[h], &a[h - 1]))                                                                 \
			return;                                                                              \
		memcpy(tmp, a, h * sizeof *a);                                                               \
		size_t i = 0, j = h, k = 0;                                                                  \
		while (i < h && j < n)                                                                       \
			a[k++] = LESS(&a[j], &tmp[i]) ? a[j++] : tmp[i++];                                   \
		while (i < h)                                                                                \
			a[k++] = tmp[i++];                                                                   \
	}

#endif
