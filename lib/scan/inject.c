/* inject.c: prompt-injection and jailbreak markers, scored per sentence.
 *
 * Markers are the K_MARKER detectors (instruction overrides, role-play and
 * "developer mode" frames, chat-template tokens, system-prompt requests,
 * rot13 variants), encoded runs that decode to text, and hidden
 * characters (zero-width 0.3, bidi controls 0.4, Unicode tags 0.8).
 * A sentence's score is the noisy-OR of the weights of the distinct
 * markers in it, 1 - prod(1 - w): two weak frames add up, one strong
 * phrase is enough, and long benign text around a short injection does
 * not dilute it (LLM Guard scores whole prompts: llm-guard #107).
 *
 * A sentence ends at a line break or at . ! ? followed by white space;
 * at most MAX_SENT bytes are looked at on either side of a marker.
 * Deliberately not here: a learned classifier.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

#define MAX_SENT 1000

static const char *const HIDDEN_NAMES[] = {"zero-width", "bidi-control", "unicode-tags"};
static const float HIDDEN_W[] = {0.3f, 0.4f, 0.8f};

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* '.', '!', '?', or a NUL (what strchr(".!?", ch) found before: it
 * matches the terminator too, and findings must not move). */
static int is_stop(char ch)
{
	return ch == '.' || ch == '!' || ch == '?' || ch == 0;
}

/* The walks below read up to MAX_SENT bytes on each side of every marker
 * group; they test each byte against the line break and the stops
 * (strchr per byte was most of this file's 3 ms per 100 MB of the bench
 * prose). */
static uint64_t sent_start(const char *t, uint64_t p)
{
	uint64_t lim = p > MAX_SENT ? p - MAX_SENT : 0;
	while (p > lim) {
		char ch = t[p - 1];
		if (ch == '\n' || ((ch == ' ' || ch == '\t') && p >= 2 && is_stop(t[p - 2])))
			break;
		p--;
	}
	while (p < lim + MAX_SENT * 2 && is_space(t[p]))
		p++;
	return p;
}

static uint64_t sent_end(const char *t, size_t len, uint64_t p)
{
	uint64_t lim = p + MAX_SENT < len ? p + MAX_SENT : len;
	while (p < lim) {
		char ch = t[p];
		if (ch == '\n')
			break;
		if (is_stop(ch) && (p + 1 == len || is_space(t[p + 1]))) {
			p++;
			break;
		}
		p++;
	}
	return p;
}

/* Marks by position; they come in sorted runs (main text, decoded runs,
 * hidden characters). */
static inline int mark_less(const struct scan_mark *x, const struct scan_mark *y)
{
	return x->pos < y->pos;
}

SCAN_MERGE_SORT(sort_marks, struct scan_mark, mark_less)

static void mark_info(const struct assay_scanner *s, uint32_t det, const char **name, double *w)
{
	if (det >= UINT32_MAX - 2) {
		*name = HIDDEN_NAMES[UINT32_MAX - det];
		*w = HIDDEN_W[UINT32_MAX - det];
	} else {
		*name = s->dets[det].name;
		*w = s->dets[det].weight;
	}
}

int scan_inject(struct assay_scan_ctx *c, const char *t, size_t tlen, const char *orig, size_t olen)
{
	(void)olen;
	(void)orig; /* offsets map back through c->norm */
	for (size_t i = 0; i < c->norm.nhidden; i++) {
		uint64_t p = c->norm.hidden[i].norm;
		if (scan_grow((void **)&c->marks, &c->markcap, c->nmarks + 1, sizeof *c->marks))
			return ASSAY_ENOMEM;
		c->marks[c->nmarks++] = (struct scan_mark){p < tlen ? p : (tlen ? tlen - 1 : 0),
		                                           UINT32_MAX - (uint32_t)c->norm.hidden[i].kind};
	}
	if (c->nmarks == 0 || tlen == 0)
		return 0;
	if (scan_grow((void **)&c->marktmp, &c->marktmpcap, c->nmarks / 2 + 1, sizeof *c->marktmp))
		return ASSAY_ENOMEM;
	sort_marks(c->marks, c->marktmp, c->nmarks);
	size_t ks = 0, ke = 0; /* segments of the last sentence mapped back */
	for (size_t i = 0; i < c->nmarks;) {
		uint64_t a = sent_start(t, c->marks[i].pos), b = sent_end(t, tlen, c->marks[i].pos);
		/* a marker on the line break itself (a zero-width character just
		 * before "\n") belongs to the sentence that ends there; without
		 * this the loop made no progress (found by fuzz_scan) */
		if (b <= c->marks[i].pos)
			b = c->marks[i].pos + 1;
		size_t j = i;
		while (j < c->nmarks && c->marks[j].pos < b)
			j++;
		/* noisy-OR over distinct markers; names joined for the report */
		double keep = 1;
		char names[512];
		size_t nl = 0;
		names[0] = 0;
		for (size_t k = i; k < j; k++) {
			int seen = 0;
			for (size_t q = i; q < k && !seen; q++)
				seen = c->marks[q].det == c->marks[k].det;
			if (seen)
				continue;
			const char *name;
			double w;
			mark_info(c->s, c->marks[k].det, &name, &w);
			keep *= 1 - w;
			size_t L = strlen(name);
			if (nl + L + 3 < sizeof names) {
				if (nl) {
					memcpy(names + nl, ", ", 2);
					nl += 2;
				}
				memcpy(names + nl, name, L + 1);
				nl += L;
			}
		}
		double score = 1 - keep;
		if (score >= c->s->min_conf) {
			struct assay_finding f = {.start = scan_norm_map_start(&c->norm, a, &ks),
			                          .end = scan_norm_map_end(&c->norm, b > a ? b : a + 1, &ke),
			                          .entity = "PROMPT_INJECTION",
			                          .detector = "injection",
			                          .confidence = score,
			                          .detector_id = UINT32_MAX,
			                          .rules = assay_arena_strdup(&c->arena, names)};
			if (!f.rules ||
			    scan_grow((void **)&c->found, &c->foundcap, c->nfound + 1, sizeof *c->found))
				return ASSAY_ENOMEM;
			c->found[c->nfound++] = f;
		}
		i = j;
	}
	return 0;
}
