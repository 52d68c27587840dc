/* match.c: scanning one buffer: normalise, the Hyperscan passes (plus the
 * user's PCRE2 rules), confirm candidates, decode-and-rescan encoded runs,
 * resolve overlaps, map offsets back, score injection markers.
 *
 * The matching passes themselves are in passes.c.
 *
 * Candidates: Hyperscan reports every end offset of a pattern with its
 * leftmost start. For one detector and start the longest end is tried
 * first, then shorter ones (a 20-digit run whose first 16 digits are a
 * card), at most MAX_TRIES.
 *
 * Confidence: the detector's base confidence once its validator accepts;
 * +0.15 with a context word (whole word, CTX_BEFORE bytes before to
 * CTX_AFTER after); secrets -0.4 when the token body has low entropy
 * (< 3 bits/char: "AKIAXXXXXXXXXXXXXXXX"). Findings under min_confidence
 * are dropped.
 *
 * Overlaps: of two overlapping findings of the same entity the longer is
 * kept, of different entities the more confident (then the longer).
 *
 * Nothing here allocates per byte: vectors grow geometrically and are
 * kept by the context between calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

#define MAX_TRIES     6
#define CONFIRM_AHEAD 16
#define DEC_MAX       4096

int scan_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return ASSAY_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

static int hexchar(char ch)
{
	return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f');
}

/* Candidates by start, detector, then longest end first. */
static int cand_less(const struct scan_cand *x, const struct scan_cand *y)
{
	if (x->from != y->from)
		return x->from < y->from;
	if (x->det != y->det)
		return x->det < y->det;
	return x->to > y->to;
}

/* ~115,000 candidates per 100 MB of the bench corpus; equal ones are
 * identical. */
SCAN_MERGE_SORT(sort_cands, struct scan_cand, cand_less)

/* URL: drop trailing sentence punctuation and an unbalanced ')'. */
static uint64_t trim_url(const char *t, uint64_t from, uint64_t to)
{
	while (to > from && strchr(".,;:!?)]}'\"", t[to - 1])) {
		if (t[to - 1] == ')' && memchr(t + from, '(', to - from))
			break;
		to--;
	}
	return to;
}

int scan_validate(int v, const char *s, size_t len)
{
	switch (v) {
	case V_CARD:
		return assay_valid_card(s, len);
	case V_IBAN:
		return assay_valid_iban(s, len);
	case V_SSN:
		return assay_valid_us_ssn(s, len);
	case V_IPV4:
		return assay_valid_ipv4(s, len);
	case V_IPV6:
		return assay_valid_ipv6(s, len);
	case V_EMAIL:
		return assay_valid_email(s, len);
	case V_PHONE:
		return assay_valid_phone(s, len);
	case V_DATE:
		return assay_valid_date(s, len);
	case V_JWT:
		return assay_valid_jwt(s, len);
	case V_LUHN:
		return assay_valid_luhn(s, len);
	default:
		return 1;
	}
}

/* The token part of a secret: after "key = " for generic assignments. */
static double secret_entropy(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && !strchr(":= \"'", s[i - 1]))
		i--;
	return assay_entropy(s + i, len - i);
}

/* 84.17.61.18 inside 01.84.17.61.18 is part of a longer dotted number. */
static int dotted_neighbour(const char *t, size_t tlen, uint64_t from, uint64_t to)
{
	if (from >= 2 && t[from - 1] == '.' && t[from - 2] >= '0' && t[from - 2] <= '9')
		return 1;
	return to + 1 < tlen && t[to] == '.' && t[to + 1] >= '0' && t[to + 1] <= '9';
}

static int add_found(struct assay_scan_ctx *c, const struct assay_finding *f)
{
	if (scan_grow((void **)&c->found, &c->foundcap, c->nfound + 1, sizeof *c->found))
		return ASSAY_ENOMEM;
	c->found[c->nfound++] = *f;
	return 0;
}

/* scan_has_context() with the list prepared once per confirm(). */
static int has_context(struct assay_scan_ctx *c, const char *t, size_t tlen, size_t lo, size_t hi,
                       const char *const *words)
{
	struct scan_ctx_set *m = NULL;
	for (size_t i = 0; i < sizeof c->memo / sizeof c->memo[0] && !m; i++)
		if (c->memo[i].words == words || !c->memo[i].words)
			m = &c->memo[i];
	if (!m) {
		struct scan_ctx_set one;
		scan_context_set(&one, words);
		return scan_has_context(t, tlen, lo, hi, &one);
	}
	if (!m->words)
		scan_context_set(m, words);
	return scan_has_context(t, tlen, lo, hi, m);
}

/* Confirm candidates [i0, n) found in text t (normalised, or a decoded run
 * when enc != NONE: then every finding spans [rs, re) of the outer text). */
static int confirm(struct assay_scan_ctx *c, const char *t, size_t tlen, size_t i0, int enc, uint64_t rs,
                   uint64_t re)
{
	const struct assay_scanner *s = c->s;
	for (size_t i = 0; i < sizeof c->memo / sizeof c->memo[0]; i++)
		c->memo[i].words = NULL;
	if (c->ncand > i0) {
		if (scan_grow((void **)&c->candtmp, &c->candtmpcap, (c->ncand - i0) / 2 + 1, sizeof *c->cand))
			return ASSAY_ENOMEM;
		sort_cands(c->cand + i0, c->candtmp, c->ncand - i0);
	}
	for (size_t i = i0; i < c->ncand;) {
		size_t j = i;
		while (j < c->ncand && c->cand[j].from == c->cand[i].from && c->cand[j].det == c->cand[i].det)
			j++;
		/* the text around a candidate a few ahead: validators and context
		 * words read it from memory otherwise (the text was last read by
		 * the passes, tens of MB ago) */
		if (i + CONFIRM_AHEAD < c->ncand) {
			const char *p = t + c->cand[i + CONFIRM_AHEAD].from;
			__builtin_prefetch(p - CTX_BEFORE);
			__builtin_prefetch(p + 16);
		}
		const struct scan_det *d = &s->dets[c->cand[i].det];
		if (d->kind != K_ENTITY) {
			i = j;
			continue;
		}
		for (size_t k = i; k < j && k < i + MAX_TRIES; k++) {
			uint64_t from = c->cand[k].from, to = c->cand[k].to;
			if (d->validator == V_URL)
				to = trim_url(t, from, to);
			if (to <= from)
				continue;
			/* a card number outside the issuer table is taken only with a
			 * context word ("card 3598...": Luhn and the word together) */
			int weak = 0;
			if (!scan_validate(d->validator, t + from, to - from)) {
				if (d->validator != V_CARD || !assay_valid_luhn(t + from, to - from))
					continue;
				weak = 1;
			}
			if (d->validator == V_IPV4 && dotted_neighbour(t, tlen, from, to))
				continue;
			size_t lo = from > CTX_BEFORE ? from - CTX_BEFORE : 0;
			size_t hi = to + CTX_AFTER < tlen ? to + CTX_AFTER : tlen;
			int ctx = d->context && has_context(c, t, tlen, lo, hi, d->context);
			if ((d->ctx_mode == CTX_REQUIRED || weak) && !ctx)
				continue;
			double conf = (weak ? 0.5 : d->confidence) + (ctx ? 0.15 : 0);
			if (d->validator == V_ENTROPY && secret_entropy(t + from, to - from) < 3.0)
				conf -= 0.4;
			if (conf > 1)
				conf = 1;
			if (conf < s->min_conf)
				continue;
			struct assay_finding f = {.start = enc ? rs : from,
			                          .end = enc ? re : to,
			                          .entity = d->entity,
			                          .detector = d->name,
			                          .confidence = conf,
			                          .encoding = (uint16_t)enc,
			                          .context = (uint16_t)ctx,
			                          .detector_id = c->cand[k].det};
			if (add_found(c, &f))
				return ASSAY_ENOMEM;
			break;
		}
		i = j;
	}
	return 0;
}

/* Decode each encoded run once and scan the payload. */
static int decode_runs(struct assay_scan_ctx *c, const char *t, size_t tlen, size_t nc0,
                       struct assay_error *err)
{
	if (scan_grow((void **)&c->dec, &c->deccap, DEC_MAX, 1))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	size_t nruns = c->ncand;
	for (size_t i = nc0; i < nruns; i++) {
		struct scan_cand r = c->cand[i];
		if (i + CONFIRM_AHEAD < nruns) /* as in confirm() */
			__builtin_prefetch(t + c->cand[i + CONFIRM_AHEAD].from);
		const struct scan_det *d = &c->s->dets[r.det];
		if (d->kind != K_B64RUN && d->kind != K_HEXRUN)
			continue;
		int hex = d->kind == K_HEXRUN;
		if (!hex) { /* an all-hex run is the hex detector's */
			int allhex = 1;
			for (uint64_t k = r.from; k < r.to && allhex; k++)
				allhex = hexchar(t[k]);
			if (allhex)
				continue;
		}
		long n = hex ? scan_decode_hex(t + r.from, r.to - r.from, c->dec, DEC_MAX)
		             : scan_decode_b64(t + r.from, r.to - r.from, c->dec, DEC_MAX);
		if (n <= 0)
			continue;
		if (scan_push_mark(c, r.from, r.det))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		/* scan the payload with the same database; its candidates and
		 * markers are pinned to the run */
		size_t nc = c->ncand, nm = c->nmarks;
		const char *save_t = c->text;
		size_t save_len = c->len;
		int rc = scan_hs_pass(c, c->dec, (size_t)n, 0, err);
		c->text = save_t;
		c->len = save_len;
		if (rc)
			return rc;
		for (size_t m = nm; m < c->nmarks; m++)
			c->marks[m].pos = r.from;
		if (confirm(c, c->dec, (size_t)n, nc, hex ? ASSAY_ENC_HEX : ASSAY_ENC_BASE64, r.from, r.to))
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		c->ncand = nc;
		(void)tlen;
	}
	return 0;
}

/* Findings by start, then longest first; equal ones keep their order. */
static int found_less(const struct assay_finding *x, const struct assay_finding *y)
{
	return x->start != y->start ? x->start < y->start : x->end > y->end;
}

/* Findings arrive nearly sorted (confirm() goes by start). */
SCAN_MERGE_SORT(sort_found, struct assay_finding, found_less)

static int sort_findings(struct assay_scan_ctx *c)
{
	if (scan_grow((void **)&c->foundtmp, &c->foundtmpcap, c->nfound / 2 + 1, sizeof *c->foundtmp))
		return ASSAY_ENOMEM;
	sort_found(c->found, c->foundtmp, c->nfound);
	return 0;
}

/* 1 when a should replace b (they overlap). */
static int better(const struct assay_finding *a, const struct assay_finding *b)
{
	uint64_t la = a->end - a->start, lb = b->end - b->start;
	if (strcmp(a->entity, b->entity) == 0)
		return la != lb ? la > lb : a->confidence > b->confidence;
	if (a->confidence != b->confidence)
		return a->confidence > b->confidence;
	return la > lb;
}

static int resolve_overlaps(struct assay_scan_ctx *c)
{
	if (c->nfound == 0)
		return 0;
	if (sort_findings(c))
		return ASSAY_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < c->nfound; i++) {
		if (k && c->found[i].start < c->found[k - 1].end) {
			if (better(&c->found[i], &c->found[k - 1]))
				c->found[k - 1] = c->found[i];
			continue;
		}
		c->found[k++] = c->found[i];
	}
	c->nfound = k;
	return 0;
}

/* The literal finder over what is written (literals.c), 0 or
 * ASSAY_ENOMEM. */
static int lits_step(struct assay_scan_ctx *c, const char *buf, size_t len, int done)
{
	if (c->s->lits.n == 0)
		return 0;
	size_t r = scan_lits_find(c, &c->s->lits, buf, c->lpos, len, done, 1);
	if (r == SIZE_MAX)
		return ASSAY_ENOMEM;
	c->lpos = r;
	return 0;
}

/* scan_normalize_steps' step: sweep what is written (sweep.c), and find
 * the literals in it (literals.c: ~13 ms per 100 MB of the bench corpus
 * in cache; over the finished copy, read from memory, 29-37 ms). */
static int sweep_step(void *ud, const char *buf, size_t len)
{
	int rc = scan_sweep_step(ud, buf, len, 0);
	return rc ? rc : lits_step(ud, buf, len, 0);
}

/* Normalise text and, when it is not pure ASCII, run the sweep over each
 * piece of the normalised text just after it is written: the sweep then
 * reads it from L1 rather than from memory (14 ms per 100 MB of the bench
 * prose: 41 -> 27 ms). */
static int normalize_sweep(struct assay_scan_ctx *c, const char *text, size_t len)
{
	const struct assay_scanner *s = c->s;
	int runs = s->run_det[0] >= 0 || s->run_det[1] >= 0;
	c->swept = 0;
	c->nreg = 0;
	c->lswept = 0;
	c->lpos = 0;
	c->nlhit = 0;
	if (!(s->ddb || s->wdb || s->adb || runs || s->lits.n))
		return assay_normalize(&c->norm, text, len);
	scan_sweep_begin(c, s->ddb != NULL, s->wdb != NULL, runs, s->adb != NULL);
	int rc = scan_normalize_steps(&c->norm, text, len, sweep_step, c);
	if (rc || !c->norm.buf)
		return rc;
	c->swept = 1;
	c->lswept = 1;
	rc = scan_sweep_step(c, c->norm.buf, c->norm.len, 1);
	return rc ? rc : lits_step(c, c->norm.buf, c->norm.len, 1);
}

int assay_scan_buffer(struct assay_scan_ctx *c, const char *text, size_t len,
                      const struct assay_finding **out, size_t *n, struct assay_error *err)
{
	*out = NULL;
	*n = 0;
	c->ncand = c->nfound = c->nmarks = 0;
	c->oom = 0;
	assay_arena_free(&c->arena);
	assay_arena_init(&c->arena);
	if (normalize_sweep(c, text, len))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	const char *t = c->norm.buf ? c->norm.buf : text;
	size_t tlen = c->norm.buf ? c->norm.len : len;
	int rc = scan_hs_pass(c, t, tlen, 1, err);
	if (rc)
		return rc;
	size_t nc0 = 0;
	if (confirm(c, t, tlen, nc0, ASSAY_ENC_NONE, 0, 0))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (!c->s->no_decode && (rc = decode_runs(c, t, tlen, nc0, err)) != 0)
		return rc;
	if (resolve_overlaps(c))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	size_t ks = 0, ke = 0; /* the findings are in order now, and do not overlap */
	for (size_t i = 0; i < c->nfound; i++) {
		c->found[i].start = scan_norm_map_start(&c->norm, c->found[i].start, &ks);
		c->found[i].end = scan_norm_map_end(&c->norm, c->found[i].end, &ke);
	}
	if ((c->s->groups & ASSAY_SCAN_INJECTION) && scan_inject(c, t, tlen, text, len))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	if (c->nfound && sort_findings(c))
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	*out = c->found;
	*n = c->nfound;
	return 0;
}
