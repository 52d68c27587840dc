/* rules.c: user detectors from a YAML rules file (docs/scan.md):
 *
 *   rules:
 *     - name: employee-id            # required, unique
 *       entity: EMPLOYEE_ID          # required
 *       pattern: '\bEMP-\d{6}\b'     # required, PCRE2 syntax
 *       validator: luhn              # optional: none card iban ssn ipv4 ipv6
 *                                    #   email phone date jwt luhn entropy url
 *       confidence: 0.8              # optional, default 0.7
 *       context: [employee, staff]   # optional whole words near the match
 *       context_required: true       # optional, default false
 *       group: pii                   # optional: pii (default), secrets, injection
 *
 * Patterns are compiled with PCRE2 (UTF mode off, caseless off unless the
 * pattern says (?i)); each compiled pattern gets a match limit so a
 * pathological pattern cannot hang a scan. Every error names the file,
 * line and column. Deliberately not here: rule inheritance or includes.
 */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml.h>

#include "assay/yaml.h"
#include "scan_internal.h"

struct rl {
	const char *path;
	yaml_document_t *doc;
	struct assay_scanner *s;
	struct assay_error *err;
};

static int at(struct rl *r, const yaml_node_t *n, const char *fmt, const char *a, const char *b)
{
	char msg[600];
	snprintf(msg, sizeof msg, fmt, a, b);
	return assay_error_set(r->err, ASSAY_EINPUT, r->path, n ? n->start_mark.line + 1 : 0,
	                       n ? n->start_mark.column + 1 : 0, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *const KEYS[] = {"name",       "entity",  "pattern",          "validator",
                                   "confidence", "context", "context_required", "group"};

static int load_rule(struct rl *r, yaml_node_t *m, struct scan_det *d, void **re)
{
	if (m->type != YAML_MAPPING_NODE)
		return at(r, m, "a rule is a mapping with name, entity and pattern%s%s", "", "");
	memset(d, 0, sizeof *d);
	d->group = ASSAY_SCAN_PII;
	d->confidence = 0.7f;
	d->kind = K_ENTITY;
	yaml_node_t *pat_node = NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(r->doc, p->key),
		            *v = yaml_document_get_node(r->doc, p->value);
		const char *key = scalar(k), *val = scalar(v);
		if (!key)
			return at(r, k, "rule keys are plain words%s%s", "", "");
		if (strcmp(key, "context") == 0) {
			if (!v || v->type != YAML_SEQUENCE_NODE)
				return at(r, v, "context is a list of words, e.g. [employee, staff]%s%s", "",
				          "");
			size_t nw = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			const char **w = assay_arena_calloc(&r->s->arena, nw + 1, sizeof *w);
			if (!w)
				return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
			for (size_t i = 0; i < nw; i++) {
				yaml_node_t *wn =
				    yaml_document_get_node(r->doc, v->data.sequence.items.start[i]);
				const char *ws = scalar(wn);
				if (!ws || !*ws)
					return at(r, wn, "a context word is a non-empty word%s%s", "", "");
				char *lw = assay_arena_strdup(&r->s->arena, ws);
				if (!lw)
					return assay_error_set(r->err, ASSAY_ENOMEM, NULL, 0, 0,
					                       "out of memory");
				for (char *q = lw; *q; q++)
					if (*q >= 'A' && *q <= 'Z')
						*q = (char)(*q + 32);
				w[i] = lw;
			}
			d->context = w;
			if (d->ctx_mode == CTX_NONE)
				d->ctx_mode = CTX_BOOST;
			continue;
		}
		if (!val)
			return at(r, v, "\"%s\" takes a single value%s", key, "");
		if (strcmp(key, "name") == 0) {
			d->name = assay_arena_strdup(&r->s->arena, val);
		} else if (strcmp(key, "entity") == 0) {
			d->entity = assay_arena_strdup(&r->s->arena, val);
		} else if (strcmp(key, "pattern") == 0) {
			d->pattern = assay_arena_strdup(&r->s->arena, val);
			pat_node = v;
		} else if (strcmp(key, "validator") == 0) {
			int vi = scan_validator_from_name(val);
			if (vi < 0) {
				size_t nn;
				const char *const *names = scan_validator_names(&nn);
				const char *dym = assay_did_you_mean(val, names, nn);
				return at(r, v, "unknown validator \"%s\"%s", val,
				          dym ? "; did you mean one of the list in docs/scan.md?"
				              : " (see docs/scan.md)");
			}
			d->validator = (unsigned char)vi;
		} else if (strcmp(key, "confidence") == 0) {
			char *end;
			double c = strtod(val, &end);
			if (end == val || *end || !(c > 0 && c <= 1))
				return at(r, v, "confidence is a number in (0, 1], not \"%s\"%s", val, "");
			d->confidence = (float)c;
		} else if (strcmp(key, "context_required") == 0) {
			if (strcmp(val, "true") == 0)
				d->ctx_mode = CTX_REQUIRED;
			else if (strcmp(val, "false") != 0)
				return at(r, v, "context_required is true or false, not \"%s\"%s", val, "");
		} else if (strcmp(key, "group") == 0) {
			if (strcmp(val, "pii") == 0)
				d->group = ASSAY_SCAN_PII;
			else if (strcmp(val, "secrets") == 0)
				d->group = ASSAY_SCAN_SECRETS;
			else if (strcmp(val, "injection") == 0)
				d->group = ASSAY_SCAN_INJECTION;
			else
				return at(r, v, "group is pii, secrets or injection, not \"%s\"%s", val, "");
		} else {
			const char *dym = assay_did_you_mean(key, KEYS, sizeof KEYS / sizeof KEYS[0]);
			return at(r, k, "unknown key \"%s\"%s", key, dym ? " (a typo?)" : "");
		}
	}
	if (!d->name || !d->entity || !d->pattern)
		return at(r, m, "a rule needs name, entity and pattern%s%s", "", "");
	if (d->ctx_mode == CTX_REQUIRED && !d->context)
		return at(r, m, "rule \"%s\" has context_required but no context words%s", d->name, "");
	for (size_t i = 0; i < r->s->ndets; i++)
		if (strcmp(r->s->dets[i].name, d->name) == 0)
			return at(r, m, "a detector named \"%s\" already exists%s", d->name, "");
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)d->pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		char where[64];
		snprintf(where, sizeof where, " (at pattern offset %zu)", (size_t)eo);
		return at(r, pat_node, "pattern does not compile: %s%s", (const char *)msg, where);
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* optional speed-up; falls back silently */
	*re = code;
	return 0;
}

int scan_rules_load(struct assay_scanner *s, const char *path, struct assay_error *err)
{
	struct assay_yaml y;
	int rc = assay_yaml_load(&y, path, "the rules file", err);
	if (rc)
		return rc;
	struct rl r = {path, &y.doc, s, err};
	yaml_node_t *root = yaml_document_get_root_node(&y.doc);
	yaml_node_t *list = NULL;
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top;
		     q++) {
			const char *key = scalar(yaml_document_get_node(&y.doc, q->key));
			if (key && strcmp(key, "rules") == 0)
				list = yaml_document_get_node(&y.doc, q->value);
			else {
				rc = at(&r, yaml_document_get_node(&y.doc, q->key),
				        "unknown top-level key \"%s\"%s: the file holds `rules:` only",
				        key ? key : "?", "");
				goto out;
			}
		}
	}
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		rc = at(&r, root, "expected `rules:` followed by a list of rules%s%s", "", "");
		goto out;
	}
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	struct scan_det *nd = realloc(s->dets, (s->ndets + n) * sizeof *nd);
	if (nd)
		s->dets = nd;
	void **nr = nd ? realloc(s->re, (s->ndets + n) * sizeof *nr) : NULL;
	if (!nd || !nr) {
		rc = assay_error_set(err, ASSAY_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	s->re = nr;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *m = yaml_document_get_node(&y.doc, list->data.sequence.items.start[i]);
		void *code = NULL;
		if ((rc = load_rule(&r, m, &s->dets[s->ndets], &code)) != 0)
			goto out;
		s->re[s->ndets++] = code;
	}
out:
	assay_yaml_free(&y);
	return rc;
}
