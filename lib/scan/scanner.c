/* scanner.c: building a scanner (the built-in detectors compiled once
 * with hs_compile_multi into five Hyperscan databases, enum scan_db; the
 * user's PCRE2 rules) and the per-thread contexts that use it.
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
#include "assay/hsdb.h"
#include "scan_internal.h"

static int compile_one(hs_database_t **db, const char **expr, unsigned *flags, unsigned *ids, unsigned k,
                       const char *cache_dir, struct assay_error *err)
{
	if (k == 0)
		return 0;
	hs_compile_error_t *ce = NULL;
	if (assay_hs_compile_cached(db, expr, flags, ids, k, cache_dir, &ce) == HS_SUCCESS)
		return 0;
	size_t n;
	const struct scan_det *b = scan_builtin(&n);
	unsigned id = ce && ce->expression >= 0 ? ids[ce->expression] : UINT32_MAX;
	int rc =
	    assay_error_set(err, ASSAY_EINTERNAL, NULL, 0, 0, "built-in detector %s does not compile: %s",
	                    id < n               ? b[id].name
	                    : id >= TRIG_ID_BASE ? "trigger"
	                                         : "?",
	                    ce ? ce->message : "?");
	hs_free_compile_error(ce);
	return rc;
}

/* One database per enum scan_db (see scan_internal.h for why). */
static int compile_builtin(struct assay_scanner *s, const char *cache_dir, struct assay_error *err)
{
	size_t n, nt;
	const struct scan_det *b = scan_builtin(&n);
	const struct scan_trig *tr = scan_triggers(&nt);
	size_t cap = n + nt;
	const char **expr = calloc(cap, sizeof *expr);
	unsigned *flags = calloc(cap, sizeof *flags), *ids = calloc(cap, sizeof *ids);
	int rc = 0;
	s->run_det[0] = s->run_det[1] = -1;
	if (!expr || !flags || !ids) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory compiling the scanner");
		goto out;
	}
	hs_database_t **dbs[] = {&s->db, &s->ddb, &s->wdb, &s->mdb, &s->adb};
	for (int which = DB_AT; which >= DB_MAIN && !rc; which--) {
		unsigned k = 0;
		for (size_t i = 0; i < n; i++) {
			if (!(b[i].group & s->groups))
				continue;
			if ((b[i].kind == K_B64RUN || b[i].kind == K_HEXRUN) && s->no_decode &&
			    !(s->groups & ASSAY_SCAN_INJECTION))
				continue;
			if (b[i].db == DB_NONE && which == DB_MAIN)
				s->run_det[b[i].kind == K_HEXRUN] = (int)i;
			if (b[i].db != which)
				continue;
			expr[k] = b[i].pattern;
			flags[k] = b[i].hs_flags;
			ids[k] = (unsigned)i;
			k++;
		}
		/* the triggers of the window and marker databases: found by
		 * literals.c when it runs (then the main database runs only over
		 * the windows around its own literals), else matched by the main
		 * database over the whole text */
		if (which == DB_MAIN && !s->use_lits)
			for (size_t i = 0; i < nt; i++) {
				if (!tr[i].pattern || !*dbs[tr[i].serves])
					continue;
				expr[k] = tr[i].pattern;
				flags[k] = tr[i].hs_flags;
				ids[k] = TRIG_ID_BASE + (unsigned)i;
				k++;
			}
		rc = compile_one(dbs[which], expr, flags, ids, k, cache_dir, err);
	}
	if (!rc && s->use_lits)
		scan_lits_init(&s->lits, s->db != NULL, s->wdb != NULL, s->mdb != NULL);
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
	s->use_lits = scan_lits_supported();
	for (int ch = 0; ch < 256; ch++) {
		int alnum = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		int hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
		int b64 = alnum || ch == '+' || ch == '/' || ch == '_' || ch == '-';
		int mark = (alnum && !(ch >= '0' && ch <= '9')) || ch == '_' || ch == ' ' ||
		           (ch >= '\t' && ch <= '\r') || ch == '<' || ch == '>' || ch == '|' || ch == '[' ||
		           ch == ']' || ch == '/' || ch == '#' || ch == ':';
		int dgap = ch && strchr(" .-()xXeEtT", ch);
		s->cls[ch] = (unsigned char)((b64 ? CLS_B64 : 0) | (hex ? CLS_HEX : 0) |
		                             (mark ? CLS_MARK : 0) | (dgap ? CLS_DGAP : 0));
	}
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
	int rc = compile_builtin(s, opts ? opts->cache_dir : NULL, err);
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
	hs_free_database(s->ddb);
	hs_free_database(s->wdb);
	hs_free_database(s->mdb);
	hs_free_database(s->adb);
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
	size_t nt;
	c->trig = scan_triggers(&nt);
	assay_arena_init(&c->arena);
	/* one scratch, grown to serve every database */
	if ((s->db && hs_alloc_scratch(s->db, &c->scratch) != HS_SUCCESS) ||
	    (s->ddb && hs_alloc_scratch(s->ddb, &c->scratch) != HS_SUCCESS) ||
	    (s->wdb && hs_alloc_scratch(s->wdb, &c->scratch) != HS_SUCCESS) ||
	    (s->mdb && hs_alloc_scratch(s->mdb, &c->scratch) != HS_SUCCESS) ||
	    (s->adb && hs_alloc_scratch(s->adb, &c->scratch) != HS_SUCCESS)) {
		hs_free_scratch(c->scratch);
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
	assay_norm_free(&c->norm);
	free(c->cand);
	free(c->candtmp);
	free(c->found);
	free(c->foundtmp);
	free(c->out);
	free(c->marks);
	free(c->marktmp);
	free(c->reg);
	free(c->seg);
	free(c->win);
	free(c->mwin);
	free(c->lhit);
	free(c->at);
	free(c->cat);
	free(c->catoff);
	free(c->dec);
	assay_arena_free(&c->arena);
	free(c);
}

int assay_scan_builtin_entity(const char *entity, unsigned groups)
{
	size_t n;
	const struct scan_det *b = scan_builtin(&n);
	for (size_t i = 0; i < n; i++)
		if ((b[i].group & groups) && strcmp(b[i].entity, entity) == 0)
			return 1;
	return 0;
}

unsigned assay_scanner_detector_group(const struct assay_scanner *s, size_t i)
{
	return i < s->nbuiltin ? s->dets[i].group : 0;
}
