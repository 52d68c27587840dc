/* scanner.c: building a scanner (one Hyperscan database for every enabled
 * built-in detector, compiled once with hs_compile_multi; the user's PCRE2
 * rules) and the per-thread contexts that use it.
 *
 * The database and detector table are immutable after assay_scanner_new(),
 * so threads share one scanner; each thread owns a context holding its
 * Hyperscan scratch (hs_alloc_scratch) and PCRE2 match data.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "assay/hash.h"
#include "scan_internal.h"

static int compile_builtin(struct assay_scanner *s, struct assay_error *err)
{
	size_t n;
	const struct scan_det *b = scan_builtin(&n);
	const char **expr = calloc(n, sizeof *expr);
	unsigned *flags = calloc(n, sizeof *flags), *ids = calloc(n, sizeof *ids);
	int rc = 0;
	if (!expr || !flags || !ids) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory compiling the scanner");
		goto out;
	}
	unsigned k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(b[i].group & s->groups))
			continue;
		if ((b[i].kind == K_B64RUN || b[i].kind == K_HEXRUN) && s->no_decode &&
		    !(s->groups & ASSAY_SCAN_INJECTION))
			continue;
		expr[k] = b[i].pattern;
		flags[k] = b[i].hs_flags;
		ids[k] = (unsigned)i;
		k++;
	}
	if (k == 0)
		goto out;
	hs_compile_error_t *ce = NULL;
	if (hs_compile_multi(expr, flags, ids, k, HS_MODE_BLOCK, NULL, &s->db, &ce) != HS_SUCCESS) {
		rc = assay_error_set(
		    err, ASSAY_EINTERNAL, NULL, 0, 0, "built-in detector %s does not compile: %s",
		    ce && ce->expression >= 0 ? b[ids[ce->expression]].name : "?", ce ? ce->message : "?");
		hs_free_compile_error(ce);
	}
out:
	free(expr);
	free(flags);
	free(ids);
	return rc;
}

int assay_scanner_new(struct assay_scanner **out, const struct assay_scan_opts *opts, struct assay_error *err)
{
	*out = NULL;
	struct assay_scanner *s = calloc(1, sizeof *s);
	if (!s)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	assay_arena_init(&s->arena);
	s->groups =
	    opts && opts->groups ? opts->groups : ASSAY_SCAN_PII | ASSAY_SCAN_SECRETS | ASSAY_SCAN_INJECTION;
	s->min_conf = opts && opts->min_confidence > 0 ? opts->min_confidence : 0.5;
	s->no_decode = opts ? opts->no_decode : 0;
	size_t n;
	const struct scan_det *b = scan_builtin(&n);
	s->dets = calloc(n, sizeof *s->dets);
	s->re = calloc(n, sizeof *s->re);
	if (!s->dets || !s->re) {
		assay_scanner_free(s);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memcpy(s->dets, b, n * sizeof *b);
	s->ndets = s->nbuiltin = n;
	int rc = compile_builtin(s, err);
	if (!rc && opts && opts->rules_path) {
		rc = assay_sha256_file_hex(opts->rules_path, s->rules_sha256, err);
		if (!rc)
			rc = scan_rules_load(s, opts->rules_path, err);
	}
	if (rc) {
		assay_scanner_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void assay_scanner_free(struct assay_scanner *s)
{
	if (!s)
		return;
	hs_free_database(s->db);
	for (size_t i = 0; i < s->ndets; i++)
		if (s->re[i])
			pcre2_code_free(s->re[i]);
	free(s->re);
	free(s->dets);
	assay_arena_free(&s->arena);
	free(s);
}

size_t assay_scanner_ndetectors(const struct assay_scanner *s)
{
	return s->ndets;
}

const char *assay_scanner_detector_name(const struct assay_scanner *s, size_t i)
{
	return i < s->ndets ? s->dets[i].name : NULL;
}

const char *assay_scanner_detector_entity(const struct assay_scanner *s, size_t i)
{
	return i < s->ndets ? s->dets[i].entity : NULL;
}

int assay_scan_ctx_new(struct assay_scan_ctx **out, const struct assay_scanner *s, struct assay_error *err)
{
	*out = NULL;
	struct assay_scan_ctx *c = calloc(1, sizeof *c);
	if (!c)
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
	c->s = s;
	assay_arena_init(&c->arena);
	if (s->db && hs_alloc_scratch(s->db, &c->scratch) != HS_SUCCESS) {
		free(c);
		return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0,
		                       "cannot allocate Hyperscan scratch space");
	}
	if (s->ndets > s->nbuiltin) {
		c->md = pcre2_match_data_create(32, NULL);
		c->mctx = pcre2_match_context_create(NULL);
		if (c->mctx)
			pcre2_set_match_limit(c->mctx, 1000000);
		if (!c->md || !c->mctx) {
			assay_scan_ctx_free(c);
			return assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		}
	}
	*out = c;
	return 0;
}

void assay_scan_ctx_free(struct assay_scan_ctx *c)
{
	if (!c)
		return;
	hs_free_scratch(c->scratch);
	if (c->md)
		pcre2_match_data_free(c->md);
	if (c->mctx)
		pcre2_match_context_free(c->mctx);
	scan_norm_free(&c->norm);
	free(c->cand);
	free(c->found);
	free(c->out);
	free(c->marks);
	free(c->dec);
	assay_arena_free(&c->arena);
	free(c);
}
